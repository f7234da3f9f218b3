-- 0014_notify_outbox.sql — e-mail notifications: the outbox, per-user
-- opt-outs and a lab's shared mailbox.

-- One row per message to one recipient, written in the same transaction as
-- the change that causes it (a change that rolls back leaves no row). The
-- booking's state at that moment is copied so the message says what was
-- decided even if the booking changes again before delivery. Bodies are
-- rendered at delivery time and never stored.
CREATE TABLE outbox (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('request','approved','declined','cancelled','moved','reminder')),
    booking_id   INTEGER NOT NULL REFERENCES bookings(id),
    user_id      INTEGER REFERENCES users(id),   -- recipient; NULL = a lab's shared mailbox
    email        TEXT NOT NULL,                  -- recipient address at enqueue time
    lang         TEXT NOT NULL DEFAULT 'pl' CHECK (lang IN ('pl','en')),
    actor_id     INTEGER REFERENCES users(id),   -- who made the change; NULL = the system (reminders)
    b_start      INTEGER NOT NULL,               -- the booking as it was after the change
    b_end        INTEGER NOT NULL,
    b_sequence   INTEGER NOT NULL,
    b_status     TEXT NOT NULL,
    reason       TEXT,
    occurrences  INTEGER NOT NULL DEFAULT 1,     -- a recurring request: how many bookings
    status       TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued','sent','failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,     -- delivery attempts so far
    next_attempt INTEGER NOT NULL,               -- not before this instant
    last_error   TEXT,                           -- the last delivery failure, for staff
    created      INTEGER NOT NULL,
    sent_at      INTEGER
) STRICT;
CREATE INDEX outbox_due ON outbox(status, next_attempt);
CREATE INDEX outbox_booking ON outbox(booking_id, kind);

-- Opt-outs: a missing row means every kind is on.
CREATE TABLE notify_prefs (
    user_id  INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    request  INTEGER NOT NULL DEFAULT 1 CHECK (request IN (0,1)),  -- owners: new requests
    decision INTEGER NOT NULL DEFAULT 1 CHECK (decision IN (0,1)), -- approved / declined
    change   INTEGER NOT NULL DEFAULT 1 CHECK (change IN (0,1)),   -- moved / cancelled
    reminder INTEGER NOT NULL DEFAULT 1 CHECK (reminder IN (0,1))  -- the day before
) STRICT;

-- A lab's shared mailbox, copied on new requests; NULL = none.
ALTER TABLE labs ADD COLUMN notify_email TEXT;
