-- 0029_blackout_ids_never_reused.sql — a blackout's id is never given to
-- another. Feeds name a blackout's event blackout-<id>@<host> (API.md), and
-- a calendar that saw a deleted blackout keeps its UID: SQLite gave the id of
-- the newest blackout, once deleted, to the next one (an INTEGER PRIMARY KEY
-- without AUTOINCREMENT reuses the largest id), so a subscriber could take a
-- new blackout for the old one moved. With AUTOINCREMENT the counter only
-- grows; it starts past every id in the table. Ids deleted from the top
-- before this migration ran are not known to anything and may be given once
-- more. PostgreSQL's identity columns never reuse an id: nothing to change.
-- engine: sqlite
CREATE TABLE blackouts_new (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    resource_id INTEGER NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
    start       INTEGER NOT NULL,
    end         INTEGER NOT NULL CHECK (end > start),
    reason      TEXT NOT NULL DEFAULT '',
    created     INTEGER NOT NULL,
    source_id   INTEGER REFERENCES calendar_sources(id) ON DELETE CASCADE,
    uid         TEXT
) STRICT;
INSERT INTO blackouts_new(id, resource_id, start, end, reason, created, source_id, uid)
    SELECT id, resource_id, start, end, reason, created, source_id, uid FROM blackouts;
DROP TABLE blackouts;
ALTER TABLE blackouts_new RENAME TO blackouts;
CREATE INDEX blackouts_res ON blackouts(resource_id, start);
CREATE INDEX blackouts_res_end ON blackouts(resource_id, end);
CREATE INDEX blackouts_source ON blackouts(source_id) WHERE source_id IS NOT NULL;
-- engine: all
