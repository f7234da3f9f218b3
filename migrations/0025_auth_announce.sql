-- 0025_auth_announce.sql — PostgreSQL announces every change to a session
-- or an account that a server may keep in memory (session_cache.h): the
-- servers listen on channel labshare_auth and drop what they keep. A
-- session's last_seen (touched once a minute) is not announced: a kept
-- session is used only until that touch is due. One announcement a
-- statement, delivered when its transaction commits (none if it rolls
-- back), whichever node or tool wrote it. SQLite has one server a file,
-- which keeps nothing of the kind.
-- engine: postgresql
CREATE FUNCTION labshare_auth_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('labshare_auth', '');
    RETURN NULL;
END
$$;
CREATE TRIGGER sessions_announce AFTER UPDATE OF id_hash, user_id, csrf, expires OR DELETE
    ON sessions FOR EACH STATEMENT EXECUTE FUNCTION labshare_auth_changed();
CREATE TRIGGER users_announce AFTER UPDATE OF email, name, role, organisation_id, active, lang
    OR DELETE ON users FOR EACH STATEMENT EXECUTE FUNCTION labshare_auth_changed();
-- engine: all
