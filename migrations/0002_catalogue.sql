-- 0002_catalogue.sql — what can be booked and who owns it.
-- Instants are INTEGER seconds since 1970-01-01 UTC throughout the schema.

-- Member (and non-member) organisations of the cluster.
CREATE TABLE organisations (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,                       -- full legal or common name
    short_name  TEXT NOT NULL DEFAULT '',            -- acronym shown on cards
    grp         TEXT NOT NULL CHECK (grp IN ('BioF','BIZ','MED','R&D','EDU','GOV')), -- interest group
    package     TEXT NOT NULL DEFAULT 'none' CHECK (package IN ('standard','silver','gold','none')), -- membership package
    member      INTEGER NOT NULL DEFAULT 1 CHECK (member IN (0,1)),  -- 1 = cluster member (counts in indicators)
    city        TEXT,                                -- NULL = unknown
    website     TEXT,                                -- NULL = none
    description TEXT NOT NULL DEFAULT '',
    created     INTEGER NOT NULL,
    updated     INTEGER NOT NULL
) STRICT;

-- Laboratories, offices and co-working spaces; floor area feeds the indicators.
CREATE TABLE labs (
    id                     INTEGER PRIMARY KEY,
    organisation_id        INTEGER NOT NULL REFERENCES organisations(id),
    name                   TEXT NOT NULL,
    kind                   TEXT NOT NULL CHECK (kind IN ('commercial','scientific','teaching','office','coworking')),
    area_m2                REAL NOT NULL CHECK (area_m2 > 0),
    energy_kwh_per_m2_year REAL CHECK (energy_kwh_per_m2_year IS NULL OR energy_kwh_per_m2_year >= 0), -- NULL = default for kind
    building               TEXT,
    address                TEXT,
    city                   TEXT,
    biosafety_level        INTEGER NOT NULL DEFAULT 0 CHECK (biosafety_level BETWEEN 0 AND 4),
    description            TEXT NOT NULL DEFAULT '',
    created                INTEGER NOT NULL,
    updated                INTEGER NOT NULL
) STRICT;
CREATE INDEX labs_org ON labs(organisation_id);

-- Bookable things: rooms, instruments, desks.
CREATE TABLE resources (
    id                INTEGER PRIMARY KEY,
    lab_id            INTEGER NOT NULL REFERENCES labs(id),
    type              TEXT NOT NULL CHECK (type IN ('room','instrument','desk')),
    name              TEXT NOT NULL,
    category          TEXT NOT NULL DEFAULT '',      -- free text: 'confocal microscope', 'BSL-2 room'
    description       TEXT NOT NULL DEFAULT '',
    shared            INTEGER NOT NULL DEFAULT 1 CHECK (shared IN (0,1)),  -- offered to other organisations
    requires_approval INTEGER NOT NULL DEFAULT 1 CHECK (requires_approval IN (0,1)),
    requires_training INTEGER NOT NULL DEFAULT 0 CHECK (requires_training IN (0,1)),
    power_kw          REAL NOT NULL DEFAULT 0 CHECK (power_kw >= 0),    -- active draw while booked
    standby_kw        REAL NOT NULL DEFAULT 0 CHECK (standby_kw >= 0),  -- informational; not added to lab estimates
    slot_minutes      INTEGER NOT NULL DEFAULT 30 CHECK (slot_minutes BETWEEN 1 AND 1440),
    min_minutes       INTEGER NOT NULL DEFAULT 30 CHECK (min_minutes >= 1),
    max_minutes       INTEGER NOT NULL DEFAULT 480 CHECK (max_minutes >= min_minutes),
    created           INTEGER NOT NULL,
    updated           INTEGER NOT NULL
) STRICT;
CREATE INDEX resources_lab ON resources(lab_id);

-- Weekly opening windows of a resource in site-local time. No rows = closed.
CREATE TABLE opening_hours (
    resource_id INTEGER NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
    weekday     INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),          -- ISO, Monday = 1
    open_min    INTEGER NOT NULL CHECK (open_min BETWEEN 0 AND 1439),      -- minutes after local midnight
    close_min   INTEGER NOT NULL CHECK (close_min BETWEEN 1 AND 1440),     -- 1440 = '24:00'
    CHECK (close_min > open_min)
) STRICT;
CREATE INDEX opening_hours_res ON opening_hours(resource_id, weekday);

-- Spans when a resource cannot be booked (maintenance, breakdown, holidays).
CREATE TABLE blackouts (
    id          INTEGER PRIMARY KEY,
    resource_id INTEGER NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
    start       INTEGER NOT NULL,
    end         INTEGER NOT NULL CHECK (end > start),
    reason      TEXT NOT NULL DEFAULT '',
    created     INTEGER NOT NULL
) STRICT;
CREATE INDEX blackouts_res ON blackouts(resource_id, start);

-- Services an organisation offers (contract research, training, analyses).
CREATE TABLE services (
    id              INTEGER PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    name            TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    created         INTEGER NOT NULL,
    updated         INTEGER NOT NULL
) STRICT;
CREATE INDEX services_org ON services(organisation_id);

-- Which resources a service uses.
CREATE TABLE service_resources (
    service_id  INTEGER NOT NULL REFERENCES services(id) ON DELETE CASCADE,
    resource_id INTEGER NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
    PRIMARY KEY (service_id, resource_id)
) STRICT, WITHOUT ROWID;
