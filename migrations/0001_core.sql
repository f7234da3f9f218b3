-- 0001_core.sql — site-wide settings.
-- Never edit a migration that has shipped: add a new numbered file instead.

-- Key/value settings that staff may change at run time (site name, public
-- URL override, …). Values are text; each reader parses its own.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,   -- dotted name, e.g. 'site.name'
    value TEXT NOT NULL       -- the setting's value as text
) STRICT;
