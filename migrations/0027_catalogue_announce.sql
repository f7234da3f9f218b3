-- 0027_catalogue_announce.sql — PostgreSQL announces every change to the
-- tables a server keeps reads of (catalogue.c KEPT_TABLES, db_kept.h): the
-- servers listen on channel labshare_catalogue and forget what they keep.
-- One announcement a statement, delivered when its transaction commits
-- (none if it rolls back), whichever node or tool wrote it. SQLite has one
-- server a file, which keeps nothing of the kind.
-- engine: postgresql
CREATE FUNCTION labshare_catalogue_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('labshare_catalogue', '');
    RETURN NULL;
END
$$;
CREATE TRIGGER organisations_announce AFTER DELETE OR UPDATE OR TRUNCATE OR INSERT
    ON organisations FOR EACH STATEMENT EXECUTE FUNCTION labshare_catalogue_changed();
CREATE TRIGGER organisation_email_domains_announce AFTER DELETE OR UPDATE OR TRUNCATE OR INSERT
    ON organisation_email_domains FOR EACH STATEMENT EXECUTE FUNCTION labshare_catalogue_changed();
CREATE TRIGGER labs_announce AFTER DELETE OR UPDATE OR TRUNCATE OR INSERT
    ON labs FOR EACH STATEMENT EXECUTE FUNCTION labshare_catalogue_changed();
CREATE TRIGGER resources_announce AFTER DELETE OR UPDATE OR TRUNCATE OR INSERT
    ON resources FOR EACH STATEMENT EXECUTE FUNCTION labshare_catalogue_changed();
CREATE TRIGGER services_announce AFTER DELETE OR UPDATE OR TRUNCATE OR INSERT
    ON services FOR EACH STATEMENT EXECUTE FUNCTION labshare_catalogue_changed();
CREATE TRIGGER service_resources_announce AFTER DELETE OR UPDATE OR TRUNCATE OR INSERT
    ON service_resources FOR EACH STATEMENT EXECUTE FUNCTION labshare_catalogue_changed();
CREATE TRIGGER blackouts_announce AFTER DELETE OR UPDATE OR TRUNCATE OR INSERT
    ON blackouts FOR EACH STATEMENT EXECUTE FUNCTION labshare_catalogue_changed();
CREATE TRIGGER opening_hours_announce AFTER DELETE OR UPDATE OR TRUNCATE OR INSERT
    ON opening_hours FOR EACH STATEMENT EXECUTE FUNCTION labshare_catalogue_changed();
CREATE TRIGGER training_announce AFTER DELETE OR UPDATE OR TRUNCATE OR INSERT
    ON training FOR EACH STATEMENT EXECUTE FUNCTION labshare_catalogue_changed();
CREATE TRIGGER training_requests_announce AFTER DELETE OR UPDATE OR TRUNCATE OR INSERT
    ON training_requests FOR EACH STATEMENT EXECUTE FUNCTION labshare_catalogue_changed();
-- engine: all
