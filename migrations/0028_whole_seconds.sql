-- 0028_whole_seconds.sql — on PostgreSQL, unixepoch() and strftime('%s', …)
-- cut the time down to its second, as SQLite does. They cast a numeric to
-- bigint, which rounds: in the second half of a second they read the next
-- one, and a row stamped "now" by the database (an outbox message due at
-- once) was not yet due for the server asking at the same moment with its
-- own clock (`notify --once` sent nothing). SQLite has nothing to change.
-- engine: postgresql
CREATE OR REPLACE FUNCTION unixepoch() RETURNS bigint
    LANGUAGE sql STABLE AS $$ SELECT floor(extract(epoch FROM now()))::bigint $$;
CREATE OR REPLACE FUNCTION strftime(fmt text, t text) RETURNS bigint LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN fmt = '%s' THEN floor(extract(epoch FROM CASE WHEN t = 'now' THEN now()
        ELSE t::timestamptz END))::bigint END $$;
-- engine: all
