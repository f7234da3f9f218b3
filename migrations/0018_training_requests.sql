-- 0018_training_requests.sql — researchers ask the owners of a resource
-- that requires training to train them, from the resource's page; the
-- owners are e-mailed. The outbox therefore also carries messages that
-- concern no booking.

-- One row per request of one user for one resource. Recording the user's
-- training answers every open request of theirs for that resource.
CREATE TABLE training_requests (
    id          INTEGER PRIMARY KEY,
    resource_id INTEGER NOT NULL REFERENCES resources(id) ON DELETE CASCADE, -- the resource they want to use
    user_id     INTEGER NOT NULL REFERENCES users(id),   -- who asks
    message     TEXT NOT NULL DEFAULT '',                -- their words to the owners ('' = none)
    created     INTEGER NOT NULL,                        -- when they asked, seconds UTC
    updated     INTEGER NOT NULL,                        -- when they last changed the message
    answered_at INTEGER,                                 -- when their training was recorded; NULL = open
    answered_by INTEGER REFERENCES users(id)             -- who recorded it; NULL while open
) STRICT;
-- At most one open request per user and resource (asking again updates it).
CREATE UNIQUE INDEX training_requests_open ON training_requests(resource_id, user_id)
    WHERE answered_at IS NULL;
CREATE INDEX training_requests_user ON training_requests(user_id);

-- The outbox gains the kind 'training_request' (to the owners; no booking).
-- SQLite cannot change a CHECK in place, so the table is copied with the
-- same columns (those of 0017) and rows, plus the request it carries.
CREATE TABLE outbox_new (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('request','approved','declined','cancelled','moved','reminder','conflict',
                     'invitation','password_reset','reset_unknown','verify_email','account_exists',
                     'training_request')),
    booking_id   INTEGER REFERENCES bookings(id),   -- the booking; NULL for account messages and training requests
    user_id      INTEGER REFERENCES users(id),      -- recipient; NULL = a lab's mailbox or someone without an account
    email        TEXT NOT NULL,                     -- recipient address at enqueue time
    lang         TEXT NOT NULL DEFAULT 'pl' CHECK (lang IN ('pl','en')),
    actor_id     INTEGER REFERENCES users(id),      -- who made the change, invited or asked; NULL = the system
    b_start      INTEGER,                           -- the booking as it was after the change (booking messages)
    b_end        INTEGER,
    b_sequence   INTEGER,
    b_status     TEXT,
    reason       TEXT,                              -- decline/cancel reason; a training request's message
    occurrences  INTEGER NOT NULL DEFAULT 1,        -- a recurring request: how many bookings
    status       TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued','sent','failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,        -- delivery attempts so far
    next_attempt INTEGER NOT NULL,                  -- not before this instant
    last_error   TEXT,                              -- the last delivery failure, for staff
    created      INTEGER NOT NULL,
    sent_at      INTEGER,
    link_token   TEXT,      -- account messages: the link's secret token, erased once sent or failed
    link_expires INTEGER,   -- account messages: when the link stops working
    organisation_id INTEGER REFERENCES organisations(id) ON DELETE SET NULL, -- invitations: the organisation offered
    role         TEXT,      -- invitations: the role offered
    training_request_id INTEGER REFERENCES training_requests(id) ON DELETE CASCADE, -- kind 'training_request': which request
    CHECK ((booking_id IS NULL) = (kind IN ('invitation','password_reset','reset_unknown','verify_email',
                                            'account_exists','training_request'))),
    CHECK ((kind = 'training_request') = (training_request_id IS NOT NULL))
) STRICT;
INSERT INTO outbox_new(id, kind, booking_id, user_id, email, lang, actor_id, b_start, b_end, b_sequence,
                       b_status, reason, occurrences, status, attempts, next_attempt, last_error, created,
                       sent_at, link_token, link_expires, organisation_id, role)
    SELECT id, kind, booking_id, user_id, email, lang, actor_id, b_start, b_end, b_sequence,
           b_status, reason, occurrences, status, attempts, next_attempt, last_error, created, sent_at,
           link_token, link_expires, organisation_id, role
    FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_due ON outbox(status, next_attempt);
CREATE INDEX outbox_booking ON outbox(booking_id, kind);
CREATE INDEX outbox_training ON outbox(training_request_id) WHERE training_request_id IS NOT NULL;
