-- 0017_accounts_selfservice.sql — accounts people get on their own:
-- invitations, password resets, self-registration with e-mail
-- verification, organisations' e-mail domains, single sign-on with OpenID
-- Connect, and the outbox widened for the e-mails these flows send.
--
-- Every link token is a 256-bit random value of which only its BLAKE2b-256
-- hash is kept here (as for sessions): a copy of the database does not open
-- anyone's account.

-- Staff (any role) and owners (researchers of their organisation) invite
-- someone by e-mail; the link creates the account once.
CREATE TABLE invitations (
    id              INTEGER PRIMARY KEY,
    token_hash      BLOB NOT NULL UNIQUE,         -- BLAKE2b-256 of the link's token
    email           TEXT NOT NULL COLLATE NOCASE, -- who is invited
    role            TEXT NOT NULL CHECK (role IN ('researcher','owner','staff')), -- role the account gets
    organisation_id INTEGER REFERENCES organisations(id) ON DELETE CASCADE, -- NULL = guest
    lang            TEXT NOT NULL DEFAULT 'pl' CHECK (lang IN ('pl','en')), -- language of the mail and the account
    invited_by      INTEGER NOT NULL REFERENCES users(id), -- the staff member or owner who sent it
    created         INTEGER NOT NULL,             -- seconds UTC
    expires         INTEGER NOT NULL,             -- the link works until then (7 days)
    accepted_at     INTEGER,                      -- NULL until used: a link works once
    user_id         INTEGER REFERENCES users(id)  -- the account it created
) STRICT;
CREATE INDEX invitations_email ON invitations(email);
CREATE INDEX invitations_org ON invitations(organisation_id);

-- "Forgot my password" requests. A row is written for every request, also
-- for an address with no active account (user_id NULL), so that both
-- answers cost the same work.
CREATE TABLE password_resets (
    id         INTEGER PRIMARY KEY,
    token_hash BLOB NOT NULL UNIQUE,    -- BLAKE2b-256 of the link's token
    user_id    INTEGER REFERENCES users(id) ON DELETE CASCADE, -- NULL: no active account has the address
    created    INTEGER NOT NULL,        -- seconds UTC
    expires    INTEGER NOT NULL,        -- the link works until then (1 hour)
    used_at    INTEGER                  -- NULL until used: a link works once
) STRICT;
CREATE INDEX password_resets_user ON password_resets(user_id);

-- Self-registrations waiting for the e-mail address to be confirmed. The
-- password is hashed (argon2id) when the request arrives; the account is
-- made when the link is followed.
CREATE TABLE registrations (
    id            INTEGER PRIMARY KEY,
    token_hash    BLOB NOT NULL UNIQUE,         -- BLAKE2b-256 of the link's token
    email         TEXT NOT NULL COLLATE NOCASE, -- the address to confirm
    name          TEXT NOT NULL,                -- the person's name as they gave it
    password_hash TEXT NOT NULL,                -- argon2id, never the password
    lang          TEXT NOT NULL DEFAULT 'pl' CHECK (lang IN ('pl','en')), -- language of mail and account
    created       INTEGER NOT NULL,             -- seconds UTC
    expires       INTEGER NOT NULL,             -- the link works until then (2 days)
    verified_at   INTEGER,                      -- NULL until confirmed: a link works once
    user_id       INTEGER REFERENCES users(id)  -- the account it created
) STRICT;
CREATE INDEX registrations_email ON registrations(email);

-- The e-mail domains of an organisation: who registers or first signs in
-- with an address in one of them (or a subdomain) becomes a researcher of
-- that organisation when it is a member. A domain belongs to one
-- organisation at most.
CREATE TABLE organisation_email_domains (
    domain          TEXT PRIMARY KEY,     -- lowercase ASCII (IDN as punycode), e.g. 'uj.edu.pl'
    organisation_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE -- its owner
) STRICT, WITHOUT ROWID;
CREATE INDEX organisation_email_domains_org ON organisation_email_domains(organisation_id);

-- Requests that send e-mail to an address someone typed (password resets,
-- registrations), for throttling per address and per client.
CREATE TABLE account_throttle (
    key TEXT NOT NULL,                    -- 'reset:email:<address>', 'reset:ip:<address>', …
    at  INTEGER NOT NULL                  -- seconds UTC
) STRICT;
CREATE INDEX account_throttle_key ON account_throttle(key, at);

-- Accounts linked to an OpenID Connect provider's subject.
CREATE TABLE oidc_identities (
    issuer     TEXT NOT NULL,             -- the provider's `iss`
    subject    TEXT NOT NULL,             -- the provider's `sub`, stable per user
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE, -- the labshare account
    created    INTEGER NOT NULL,          -- first sign-in, seconds UTC
    last_login INTEGER NOT NULL,          -- latest sign-in, seconds UTC
    PRIMARY KEY (issuer, subject)
) STRICT, WITHOUT ROWID;
CREATE INDEX oidc_identities_user ON oidc_identities(user_id);

-- Sign-ins with the provider under way: one row per redirect to the
-- provider, deleted when the provider sends the browser back (or after 10
-- minutes). Only hashes of the state and of the browser's cookie are kept.
CREATE TABLE oidc_logins (
    state_hash   BLOB PRIMARY KEY,        -- BLAKE2b-256 of the `state` parameter
    browser_hash BLOB NOT NULL,           -- BLAKE2b-256 of the cookie that binds it to one browser
    nonce        TEXT NOT NULL,           -- the `nonce` the ID token must carry
    verifier     TEXT NOT NULL,           -- the PKCE code_verifier (S256)
    created      INTEGER NOT NULL         -- seconds UTC
) STRICT, WITHOUT ROWID;

-- The outbox also carries the account messages, which concern no booking:
-- the booking columns become optional and four columns describe the link.
-- SQLite cannot relax a column's constraint in place, hence the copy.
CREATE TABLE outbox_new (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('request','approved','declined','cancelled','moved','reminder','conflict',
                     'invitation','password_reset','reset_unknown','verify_email','account_exists')),
    booking_id   INTEGER REFERENCES bookings(id),   -- the booking; NULL for account messages
    user_id      INTEGER REFERENCES users(id),      -- recipient; NULL = a lab's mailbox or someone without an account
    email        TEXT NOT NULL,                     -- recipient address at enqueue time
    lang         TEXT NOT NULL DEFAULT 'pl' CHECK (lang IN ('pl','en')),
    actor_id     INTEGER REFERENCES users(id),      -- who made the change or sent the invitation; NULL = the system
    b_start      INTEGER,                           -- the booking as it was after the change (booking messages)
    b_end        INTEGER,
    b_sequence   INTEGER,
    b_status     TEXT,
    reason       TEXT,
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
    CHECK ((booking_id IS NULL) = (kind IN ('invitation','password_reset','reset_unknown','verify_email','account_exists')))
) STRICT;
INSERT INTO outbox_new(id, kind, booking_id, user_id, email, lang, actor_id, b_start, b_end, b_sequence,
                       b_status, reason, occurrences, status, attempts, next_attempt, last_error, created, sent_at)
    SELECT id, kind, booking_id, user_id, email, lang, actor_id, b_start, b_end, b_sequence,
           b_status, reason, occurrences, status, attempts, next_attempt, last_error, created, sent_at
    FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_due ON outbox(status, next_attempt);
CREATE INDEX outbox_booking ON outbox(booking_id, kind);
