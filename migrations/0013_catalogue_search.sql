-- 0013_catalogue_search.sql — folded search text for the catalogue's `q` filter.
-- Each column holds the object's searchable fields lower-cased with Polish
-- (and common Latin) diacritics folded to ASCII by catalogue.c, so "łódź",
-- "Łódź" and "lodz" all match; q terms are folded the same way and matched
-- as substrings (GLOB '*word*'). Written by the catalogue module on every insert and update.
ALTER TABLE organisations ADD COLUMN search TEXT NOT NULL DEFAULT ''; -- folded name, short name, city, description
ALTER TABLE labs ADD COLUMN search TEXT NOT NULL DEFAULT '';          -- folded name, building, address, city, description, organisation names
ALTER TABLE resources ADD COLUMN search TEXT NOT NULL DEFAULT '';     -- folded name, category, description, lab and organisation names, city
ALTER TABLE services ADD COLUMN search TEXT NOT NULL DEFAULT '';      -- folded name, description, organisation names

-- Training records listed per user ("what am I trained on").
CREATE INDEX training_user ON training(user_id);
-- Service links looked up from the resource side (filter services by resource).
CREATE INDEX service_resources_res ON service_resources(resource_id);
-- Blackouts of a resource by span (free_from/free_to and booking checks).
CREATE INDEX blackouts_res_end ON blackouts(resource_id, end);
-- Lists are ordered by the search text (it starts with the folded name): an
-- index lets a page of 50 stop early instead of sorting every row.
CREATE INDEX resources_search ON resources(search);
CREATE INDEX labs_search ON labs(search);
