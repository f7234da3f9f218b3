-- 0003_accounts.sql — users, sessions, throttling, training records, audit.

-- People who sign in. Passwords are argon2id strings from crypto_pwhash_str.
CREATE TABLE users (
    id              INTEGER PRIMARY KEY,
    email           TEXT NOT NULL UNIQUE COLLATE NOCASE,  -- sign-in name, unique case-insensitively
    name            TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('researcher','owner','staff')),
    organisation_id INTEGER REFERENCES organisations(id), -- NULL = guest
    password_hash   TEXT NOT NULL,                        -- argon2id, never the password
    active          INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0,1)), -- 0 = deactivated, sessions end at once
    lang            TEXT NOT NULL DEFAULT 'pl' CHECK (lang IN ('pl','en')),
    created         INTEGER NOT NULL,
    updated         INTEGER NOT NULL
) STRICT;
CREATE INDEX users_org ON users(organisation_id);

-- Signed-in browser sessions. Only a hash of the cookie value is stored.
CREATE TABLE sessions (
    id_hash   BLOB PRIMARY KEY,           -- BLAKE2b-256 of the 256-bit cookie value
    user_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf      TEXT NOT NULL,              -- token the client echoes in X-CSRF-Token
    created   INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,           -- for the idle timeout
    expires   INTEGER NOT NULL,           -- absolute expiry
    ip        TEXT NOT NULL DEFAULT ''
) STRICT, WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions(user_id);

-- Failed sign-in attempts, for throttling per account and per client address.
CREATE TABLE login_failures (
    key TEXT NOT NULL,                    -- 'email:<lowercased>' or 'ip:<address>'
    at  INTEGER NOT NULL
) STRICT;
CREATE INDEX login_failures_key ON login_failures(key, at);

-- Who is trained on which resource (required when resources.requires_training).
CREATE TABLE training (
    resource_id INTEGER NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    granted_by  INTEGER REFERENCES users(id),
    granted_at  INTEGER NOT NULL,
    PRIMARY KEY (resource_id, user_id)
) STRICT, WITHOUT ROWID;

-- Security-relevant events: sign-ins, failures, role changes, decisions.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    user_id     INTEGER,                  -- actor; NULL for anonymous (failed sign-in)
    action      TEXT NOT NULL,            -- 'session.create', 'booking.approve', …
    object_type TEXT NOT NULL DEFAULT '', -- 'user', 'booking', …
    object_id   INTEGER,
    detail      TEXT NOT NULL DEFAULT '', -- short human text (never a secret)
    ip          TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX audit_at ON audit_log(at);
