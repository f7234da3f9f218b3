-- 0004_bookings.sql — booking requests and recurring series.

-- A recurring request: one row per RRULE submission.
CREATE TABLE series (
    id         INTEGER PRIMARY KEY,
    rrule      TEXT NOT NULL,        -- as submitted (RFC 5545 RRULE value)
    created_by INTEGER NOT NULL REFERENCES users(id),
    created    INTEGER NOT NULL
) STRICT;

CREATE TABLE bookings (
    id              INTEGER PRIMARY KEY,
    resource_id     INTEGER NOT NULL REFERENCES resources(id),
    user_id         INTEGER NOT NULL REFERENCES users(id),
    organisation_id INTEGER REFERENCES organisations(id), -- booker's organisation at booking time; NULL = guest
    start           INTEGER NOT NULL,
    end             INTEGER NOT NULL CHECK (end > start), -- half-open [start, end)
    purpose         TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL CHECK (status IN ('pending','approved','declined','cancelled')),
    created         INTEGER NOT NULL,
    updated         INTEGER NOT NULL,     -- bumped on every change (feeds' LAST-MODIFIED)
    sequence        INTEGER NOT NULL DEFAULT 0, -- bumped on every change (iCalendar SEQUENCE)
    decided_by      INTEGER REFERENCES users(id),
    reason          TEXT,                 -- decline/cancel reason
    series_id       INTEGER REFERENCES series(id),
    no_show         INTEGER NOT NULL DEFAULT 0 CHECK (no_show IN (0,1)), -- approved but not used
    cancelled_at    INTEGER               -- when it was cancelled (feeds keep it 30 days)
) STRICT;
CREATE INDEX bookings_res_start ON bookings(resource_id, start);
CREATE INDEX bookings_user_start ON bookings(user_id, start);
CREATE INDEX bookings_start ON bookings(start);
CREATE INDEX bookings_series ON bookings(series_id);
