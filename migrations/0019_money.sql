-- 0018_money.sql — prices, accounts and State aid (API.md § Prices, accounts
-- and State aid; README § Prices, statements and State aid).
-- Money on a booking is kept in minor units (grosze for PLN) as integers, so
-- a statement's totals are exact sums of its lines.

-- A resource's price list: net hourly rates per customer class in
-- price_currency; a NULL rate = that class may not book. Every price column
-- NULL = no price list (the resource is free).
ALTER TABLE resources ADD COLUMN price_currency TEXT
    CHECK (price_currency IS NULL OR price_currency IN ('PLN','EUR','USD','GBP','CHF'));
ALTER TABLE resources ADD COLUMN price_internal REAL
    CHECK (price_internal IS NULL OR price_internal >= 0);          -- the owning organisation's users
ALTER TABLE resources ADD COLUMN price_member_academic REAL
    CHECK (price_member_academic IS NULL OR price_member_academic >= 0);     -- members in EDU, R&D, MED, GOV
ALTER TABLE resources ADD COLUMN price_member_commercial REAL
    CHECK (price_member_commercial IS NULL OR price_member_commercial >= 0); -- members in BioF, BIZ
ALTER TABLE resources ADD COLUMN price_non_member REAL
    CHECK (price_non_member IS NULL OR price_non_member >= 0);      -- non-members and guests

-- Public funding of a resource (State aid for research infrastructure):
-- both NULL = not publicly funded; economic use must stay within
-- funding_cap of the year's available hours.
ALTER TABLE resources ADD COLUMN funding_programme TEXT;            -- e.g. 'FENG 2021-2027, 2.1'
ALTER TABLE resources ADD COLUMN funding_cap REAL
    CHECK (funding_cap IS NULL OR funding_cap BETWEEN 0 AND 1);     -- fraction, 0.20 = 20 %

-- Statement rules of a resource.
ALTER TABLE resources ADD COLUMN charge_no_show INTEGER NOT NULL DEFAULT 1
    CHECK (charge_no_show IN (0,1));                                -- 1 = no-shows are charged
ALTER TABLE resources ADD COLUMN late_cancel_hours INTEGER NOT NULL DEFAULT 24
    CHECK (late_cancel_hours BETWEEN 0 AND 17544);                  -- a booker's cancellation this close to the start is charged; 0 = never

-- 1 = the organisation's users must give a cost centre when they book.
ALTER TABLE organisations ADD COLUMN requires_cost_centre INTEGER NOT NULL DEFAULT 0
    CHECK (requires_cost_centre IN (0,1));

-- What a booking is for and who pays.
ALTER TABLE bookings ADD COLUMN project TEXT;                       -- the booker's project; NULL = none
ALTER TABLE bookings ADD COLUMN cost_centre TEXT;                   -- the booker's cost centre; NULL = none
-- 1 = economic use of the resource (State aid): counts against a funded
-- resource's cap. Default for history: bookers from BioF/BIZ, non-members, guests.
ALTER TABLE bookings ADD COLUMN economic INTEGER NOT NULL DEFAULT 0 CHECK (economic IN (0,1));
UPDATE bookings SET economic = 1 WHERE organisation_id IS NULL
    OR organisation_id IN (SELECT id FROM organisations WHERE grp IN ('BioF','BIZ') OR member = 0);

-- The price frozen when the booking was created; all NULL for bookings made
-- before prices were recorded.
ALTER TABLE bookings ADD COLUMN price_currency TEXT;                -- ISO 4217 code
ALTER TABLE bookings ADD COLUMN price_class TEXT CHECK (price_class IS NULL OR price_class IN
    ('internal','member_academic','member_commercial','non_member'));  -- the booker's customer class
ALTER TABLE bookings ADD COLUMN price_rate INTEGER;                 -- net per hour after the package discount, minor units; NULL = the class may not book (staff booked anyway)
ALTER TABLE bookings ADD COLUMN price_seconds INTEGER;              -- the priced duration
ALTER TABLE bookings ADD COLUMN price_net INTEGER;                  -- rate × hours rounded half away from zero, minor units; NULL with price_rate

-- Who cancelled a booking and from which state (statements charge a
-- booker's late cancellation of an approved booking).
ALTER TABLE bookings ADD COLUMN cancelled_by INTEGER REFERENCES users(id);
ALTER TABLE bookings ADD COLUMN cancelled_from TEXT
    CHECK (cancelled_from IS NULL OR cancelled_from IN ('pending','approved'));

-- Package discounts on member rates, in percent.
CREATE TABLE package_discounts (
    package TEXT PRIMARY KEY CHECK (package IN ('standard','silver','gold')), -- membership package
    percent REAL NOT NULL CHECK (percent BETWEEN 0 AND 100)                   -- off member_* rates
) STRICT;
INSERT INTO package_discounts(package, percent) VALUES ('standard', 0), ('silver', 10), ('gold', 20);

-- Owners told that a funded resource's economic use passed 80 % of its cap:
-- once per resource and year.
CREATE TABLE economic_alerts (
    resource_id INTEGER NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
    year        INTEGER NOT NULL,       -- local calendar year of the share
    booking_id  INTEGER NOT NULL REFERENCES bookings(id), -- the booking that passed the mark
    share       REAL NOT NULL,          -- economic share after it
    cap         REAL NOT NULL,          -- the cap at the time
    told        INTEGER NOT NULL,       -- when the e-mail was queued
    PRIMARY KEY (resource_id, year)
) STRICT, WITHOUT ROWID;

-- The outbox gains the kind 'economic' (owners: economic use passed 80 % of
-- the cap; it names the booking that passed the mark). SQLite cannot change
-- a CHECK, so the table is rebuilt as 0018 left it, with the same rows.
CREATE TABLE outbox_new (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('request','approved','declined','cancelled','moved','reminder','conflict',
                     'economic',
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
    reason       TEXT,                              -- decline/cancel reason; 'conflict': the calendar and event; 'economic': "year|share|cap"; a training request's message
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
                       sent_at, link_token, link_expires, organisation_id, role, training_request_id)
    SELECT id, kind, booking_id, user_id, email, lang, actor_id, b_start, b_end, b_sequence,
           b_status, reason, occurrences, status, attempts, next_attempt, last_error, created, sent_at,
           link_token, link_expires, organisation_id, role, training_request_id
    FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_due ON outbox(status, next_attempt);
CREATE INDEX outbox_booking ON outbox(booking_id, kind);
CREATE INDEX outbox_training ON outbox(training_request_id) WHERE training_request_id IS NOT NULL;
