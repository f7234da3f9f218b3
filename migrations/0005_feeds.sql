-- 0005_feeds.sql — iCalendar subscription tokens.

CREATE TABLE feeds (
    id         INTEGER PRIMARY KEY,
    token_hash BLOB NOT NULL UNIQUE,  -- BLAKE2b-256 of the URL token; the token itself is never stored
    scope      TEXT NOT NULL CHECK (scope IN ('resource','lab','organisation','user')),
    scope_id   INTEGER NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE, -- creator
    created    INTEGER NOT NULL,
    revoked    INTEGER,               -- NULL = live
    last_used  INTEGER
) STRICT;
CREATE INDEX feeds_user ON feeds(user_id);
