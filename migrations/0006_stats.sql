-- 0006_stats.sql — carbon factors staff can change (defaults: shared/METHODS.md).

-- Grid emission factor per reporting year (location-based, electricity at the end user).
CREATE TABLE grid_factors (
    year         INTEGER PRIMARY KEY,
    kg_per_kwh   REAL NOT NULL CHECK (kg_per_kwh >= 0),
    source       TEXT NOT NULL DEFAULT '',
    estimated    INTEGER NOT NULL DEFAULT 0 CHECK (estimated IN (0,1)) -- 1 = secondary source
) STRICT;
INSERT INTO grid_factors(year, kg_per_kwh, source, estimated) VALUES
    (2023, 0.597, 'KOBiZE, electricity at the end user, Poland (secondary source)', 1),
    (2024, 0.553, 'KOBiZE, electricity at the end user, Poland (secondary source)', 1);

-- Default energy intensity per lab kind, used when labs.energy_kwh_per_m2_year is NULL.
CREATE TABLE energy_defaults (
    kind                   TEXT PRIMARY KEY CHECK (kind IN ('commercial','scientific','teaching','office','coworking')),
    kwh_per_m2_year        REAL NOT NULL CHECK (kwh_per_m2_year >= 0),
    source                 TEXT NOT NULL DEFAULT ''
) STRICT;
INSERT INTO energy_defaults(kind, kwh_per_m2_year, source) VALUES
    ('commercial', 160, 'CIBSE TM46 laboratory benchmark'),
    ('scientific', 160, 'CIBSE TM46 laboratory benchmark'),
    ('teaching',   160, 'CIBSE TM46 laboratory benchmark'),
    ('office',      95, 'CIBSE TM46 general office benchmark'),
    ('coworking',   95, 'CIBSE TM46 general office benchmark');
