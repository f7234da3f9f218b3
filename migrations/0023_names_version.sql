-- 0023_names_version.sql — a count of changes to the names a booking list
-- prints beside each booking: its resource's name, the organisation of the
-- resource's lab, its booker's name. A list reads the count with its rows
-- and takes the names from a copy kept in memory at that count (names.h),
-- instead of joining resources, labs and users for every row.
--
-- The count starts at a random number in each database, so that a process
-- holding two databases (the tests, copy-db) cannot take one's kept names
-- for the other's; it only ever grows.
CREATE TABLE names_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);

-- engine: sqlite
INSERT INTO names_version(id, version) VALUES (1, abs(random() % 1000000000000000));

CREATE TRIGGER names_user_added AFTER INSERT ON users
BEGIN UPDATE names_version SET version = version + 1; END;
CREATE TRIGGER names_user_renamed AFTER UPDATE OF name ON users
BEGIN UPDATE names_version SET version = version + 1; END;
CREATE TRIGGER names_user_removed AFTER DELETE ON users
BEGIN UPDATE names_version SET version = version + 1; END;
CREATE TRIGGER names_resource_added AFTER INSERT ON resources
BEGIN UPDATE names_version SET version = version + 1; END;
CREATE TRIGGER names_resource_changed AFTER UPDATE OF name, lab_id ON resources
BEGIN UPDATE names_version SET version = version + 1; END;
CREATE TRIGGER names_resource_removed AFTER DELETE ON resources
BEGIN UPDATE names_version SET version = version + 1; END;
CREATE TRIGGER names_lab_moved AFTER UPDATE OF organisation_id ON labs
BEGIN UPDATE names_version SET version = version + 1; END;
-- engine: postgresql
INSERT INTO names_version(id, version) VALUES (1, floor(random() * 1000000000000000)::bigint);

-- Once per statement: a statement that renames many counts once.
CREATE FUNCTION names_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE names_version SET version = version + 1;
    RETURN NULL;
END
$$;
CREATE TRIGGER names_users AFTER UPDATE OF name OR DELETE OR INSERT ON users
    FOR EACH STATEMENT EXECUTE FUNCTION names_changed();
CREATE TRIGGER names_resources AFTER UPDATE OF name, lab_id OR DELETE OR INSERT ON resources
    FOR EACH STATEMENT EXECUTE FUNCTION names_changed();
CREATE TRIGGER names_labs AFTER UPDATE OF organisation_id ON labs
    FOR EACH STATEMENT EXECUTE FUNCTION names_changed();
-- engine: all
