-- 0016_calendars.sql — feeds' window and steady Last-Modified; calendars
-- imported into a resource's blackouts; the conflict e-mail's outbox kind.

-- How many days back a feed reaches (POST /api/v1/feeds "past_days").
ALTER TABLE feeds ADD COLUMN past_days INTEGER NOT NULL DEFAULT 180
    CHECK (past_days BETWEEN 0 AND 3650);
-- The version (ETag) a feed last answered and the Last-Modified it gave it:
-- a later version never gets an earlier Last-Modified (rows that leave the
-- feed would otherwise move the newest change backwards).
ALTER TABLE feeds ADD COLUMN seen_etag TEXT;
ALTER TABLE feeds ADD COLUMN seen_modified INTEGER;

-- An external calendar whose busy events become blackouts of a resource:
-- a URL fetched every refresh interval, or a file uploaded once.
CREATE TABLE calendar_sources (
    id            INTEGER PRIMARY KEY,
    resource_id   INTEGER NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
    kind          TEXT NOT NULL CHECK (kind IN ('url','file')), -- fetched, or uploaded once
    url           TEXT,               -- kind 'url': the http(s) URL (webcal:// is stored as https://)
    name          TEXT NOT NULL,      -- the owner's label for it
    created_by    INTEGER REFERENCES users(id),
    created       INTEGER NOT NULL,
    etag          TEXT,               -- the last 200 answer's ETag (sent as If-None-Match)
    http_modified TEXT,               -- its Last-Modified (sent as If-Modified-Since)
    last_fetch    INTEGER,            -- the last attempt (NULL = never)
    last_status   TEXT CHECK (last_status IN ('ok','not_modified','error')),
    error         TEXT,               -- why the last attempt failed (English detail); NULL after a success
    error_code    TEXT,               -- its kind, for translated texts: too_large, refused, redirects,
                                      -- timeout, network, http, invalid; NULL after a success
    events        INTEGER NOT NULL DEFAULT 0, -- blackouts it holds now
    next_fetch    INTEGER             -- when the refresher takes it next; NULL for files
) STRICT;
CREATE INDEX calendar_sources_res ON calendar_sources(resource_id);
CREATE INDEX calendar_sources_due ON calendar_sources(next_fetch) WHERE next_fetch IS NOT NULL;

-- Imported blackouts: the source they came from (deleting it deletes them)
-- and the event's UID; NULL for blackouts entered by hand.
ALTER TABLE blackouts ADD COLUMN source_id INTEGER REFERENCES calendar_sources(id) ON DELETE CASCADE;
ALTER TABLE blackouts ADD COLUMN uid TEXT;
CREATE INDEX blackouts_source ON blackouts(source_id) WHERE source_id IS NOT NULL;

-- Bookings whose clash with a source's blackouts the owners were told of:
-- each clash is e-mailed once, however often the source is refreshed.
CREATE TABLE calendar_conflicts_told (
    source_id  INTEGER NOT NULL REFERENCES calendar_sources(id) ON DELETE CASCADE,
    booking_id INTEGER NOT NULL REFERENCES bookings(id),
    told       INTEGER NOT NULL,      -- when the e-mail was queued
    PRIMARY KEY (source_id, booking_id)
) STRICT, WITHOUT ROWID;

-- The outbox gains the kind 'conflict' (owners: an imported calendar
-- blocks a time that is booked). SQLite cannot change a CHECK, so the table
-- is rebuilt with the same columns and rows.
CREATE TABLE outbox_new (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('request','approved','declined','cancelled','moved','reminder','conflict')),
    booking_id   INTEGER NOT NULL REFERENCES bookings(id),
    user_id      INTEGER REFERENCES users(id),   -- recipient; NULL = a lab's shared mailbox
    email        TEXT NOT NULL,                  -- recipient address at enqueue time
    lang         TEXT NOT NULL DEFAULT 'pl' CHECK (lang IN ('pl','en')),
    actor_id     INTEGER REFERENCES users(id),   -- who made the change; NULL = the system (reminders, imports)
    b_start      INTEGER NOT NULL,               -- the booking as it was after the change
    b_end        INTEGER NOT NULL,
    b_sequence   INTEGER NOT NULL,
    b_status     TEXT NOT NULL,
    reason       TEXT,                           -- decline/cancel reason; for 'conflict' the calendar and event
    occurrences  INTEGER NOT NULL DEFAULT 1,     -- a recurring request: how many bookings
    status       TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued','sent','failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,     -- delivery attempts so far
    next_attempt INTEGER NOT NULL,               -- not before this instant
    last_error   TEXT,                           -- the last delivery failure, for staff
    created      INTEGER NOT NULL,
    sent_at      INTEGER
) STRICT;
INSERT INTO outbox_new SELECT id, kind, booking_id, user_id, email, lang, actor_id, b_start, b_end,
    b_sequence, b_status, reason, occurrences, status, attempts, next_attempt, last_error, created,
    sent_at FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_due ON outbox(status, next_attempt);
CREATE INDEX outbox_booking ON outbox(booking_id, kind);
