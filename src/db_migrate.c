/* db_migrate.c — the schema version and the migrations (contract in db.h).
 *
 * A database records the number of the last migration file applied in
 * PRAGMA user_version, and labshare's mark in PRAGMA application_id; both
 * are written in the transaction of the file they record, so a crash leaves
 * a database at the last file that committed.
 *
 * Before the mark existed, user_version held the COUNT of files applied
 * (the files then were 0001-0007, 0011, 0013, 0014 and 0015: a count of 11
 * meant "up to 0015"). Such a database has no mark; LEGACY_NUMBERS turns its
 * count into the number of the file it counts up to, in a transaction of its
 * own, and the files after that one follow. Telling the two apart by the
 * mark, never by the value, matters: a new database interrupted after 0011
 * reads 11 too, and taking that for a legacy count would skip 0013-0015.
 *
 * On PostgreSQL the same files run, translated (db_sql.h), with the lines
 * marked "-- engine: postgresql" (and without those marked "-- engine:
 * sqlite"); the version sits in the table labshare_schema, which the first
 * migration creates together with the functions the translation relies on
 * (PG_SETUP). Nodes starting at once take turns on an advisory lock. */
#include "db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_impl.h"
#include "db_sql.h"

/* "LSH1": user_version is the number of the last migration file applied. */
enum { DB_APPLICATION_ID = 0x4c534831 };

/* The files a legacy count of k covered: the k-th is LEGACY_NUMBERS[k - 1].
 * Frozen: no labshare counts any more. */
static const int LEGACY_NUMBERS[] = {1, 2, 3, 4, 5, 6, 7, 11, 13, 14, 15};
enum { LEGACY_MAX = sizeof LEGACY_NUMBERS / sizeof LEGACY_NUMBERS[0] };

struct schema {
    int version; /* file number (a legacy count already translated) */
    int legacy;  /* no mark yet: the version marks need rewriting */
};

/* What PostgreSQL needs before the first file: the version's table, and
 * SQLite's behaviour where labshare's SQL relies on it: fold() (the same
 * folding as src/fold.c: ASCII lower case, Latin-1 and Latin Extended-A
 * letters to ASCII), instr(), total(), glob_like() for GLOB, the collation
 * nocase, and btree_gist for the bookings' exclusion constraint. */
static const char PG_SETUP[] =
    "CREATE TABLE labshare_schema (\n"
    "    version INTEGER NOT NULL, -- number of the last migration file applied\n"
    "    mark    TEXT NOT NULL     -- 'LSH1': a labshare database, numbered by file\n"
    ");\n"
    "INSERT INTO labshare_schema VALUES (0, 'LSH1');\n"
    "CREATE EXTENSION IF NOT EXISTS btree_gist;\n"
    "CREATE COLLATION IF NOT EXISTS nocase (provider = icu, locale = 'und-u-ks-level2',"
    " deterministic = false);\n"
    "CREATE OR REPLACE FUNCTION fold(VARIADIC parts text[]) RETURNS text\n"
    "    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$\n"
    "    SELECT translate(coalesce(string_agg(p, ' ' ORDER BY i), ''),\n"
    "        '%s',\n"
    "        '%s')\n"
    "    FROM unnest(parts) WITH ORDINALITY AS u(p, i) WHERE p <> '' $$;\n"
    "CREATE OR REPLACE FUNCTION instr(a text, b text) RETURNS bigint\n"
    "    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT strpos(a COLLATE \"C\", b COLLATE "
    "\"C\")::bigint $$;\n"
    "CREATE AGGREGATE total(double precision) (sfunc = float8pl, stype = double precision,"
    " initcond = '0');\n"
    /* sum(x IS NULL): SQLite counts true comparisons as 1. */
    "CREATE OR REPLACE FUNCTION labshare_sum_bool(s bigint, b boolean) RETURNS bigint\n"
    "    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT coalesce(s, 0) + b::int $$;\n"
    "CREATE AGGREGATE sum(boolean) (sfunc = labshare_sum_bool, stype = bigint);\n"
    /* SQLite's functions and catalogue for SQL typed by hand (tests,
     * operators through `labshare sql`). */
    "CREATE OR REPLACE FUNCTION hex(b bytea) RETURNS text\n"
    "    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT upper(encode(b, 'hex')) $$;\n"
    "CREATE OR REPLACE FUNCTION hex(t text) RETURNS text\n"
    "    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS"
    " $$ SELECT upper(encode(convert_to(t, 'UTF8'), 'hex')) $$;\n"
    "CREATE OR REPLACE FUNCTION sqlite_series(a bigint, b bigint, s bigint DEFAULT 1)"
    " RETURNS TABLE(value bigint)\n"
    "    LANGUAGE sql IMMUTABLE AS $$ SELECT generate_series(a, b, s) $$;\n"
    "CREATE VIEW sqlite_master AS\n"
    "    SELECT 'table'::text AS type, tablename::text AS name, tablename::text AS tbl_name\n"
    "    FROM pg_tables WHERE schemaname = current_schema()\n"
    "    UNION ALL SELECT 'index', indexname::text, tablename::text FROM pg_indexes\n"
    "    WHERE schemaname = current_schema();\n"
    "CREATE OR REPLACE FUNCTION labshare_concat(s text, v text, sep text) RETURNS text\n"
    "    LANGUAGE sql IMMUTABLE AS $$ SELECT CASE WHEN v IS NULL THEN s WHEN s IS NULL THEN v"
    " ELSE s || sep || v END $$;\n"
    "CREATE OR REPLACE FUNCTION labshare_concat(s text, v text) RETURNS text\n"
    "    LANGUAGE sql IMMUTABLE AS $$ SELECT labshare_concat(s, v, ',') $$;\n"
    "CREATE AGGREGATE group_concat(text) (sfunc = labshare_concat, stype = text);\n"
    "CREATE AGGREGATE group_concat(text, text) (sfunc = labshare_concat, stype = text);\n"
    "CREATE OR REPLACE FUNCTION pragma_table_info(t text) RETURNS TABLE(cid int, name text,"
    " type text, \"notnull\" int, dflt_value text, pk int)\n"
    "    LANGUAGE sql STABLE AS $$ SELECT (ordinal_position - 1)::int, column_name::text,"
    " data_type::text, (is_nullable = 'NO')::int, column_default::text, 0"
    " FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = t"
    " ORDER BY ordinal_position $$;\n"
    "CREATE OR REPLACE FUNCTION last_insert_rowid() RETURNS bigint\n"
    "    LANGUAGE sql VOLATILE AS $$ SELECT lastval() $$;\n"
    /* SQLite's clock: whole seconds, cut down (a numeric cast to bigint
     * rounds: from the half second on it would read the next second, a
     * moment the server's own clock has not reached). Migration 0028
     * redefines both for databases made before. */
    "CREATE OR REPLACE FUNCTION unixepoch() RETURNS bigint\n"
    "    LANGUAGE sql STABLE AS $$ SELECT floor(extract(epoch FROM now()))::bigint $$;\n"
    "CREATE OR REPLACE FUNCTION strftime(fmt text, t text) RETURNS bigint LANGUAGE sql STABLE AS "
    "$$\n"
    "    SELECT CASE WHEN fmt = '%%s' THEN floor(extract(epoch FROM\n"
    "        CASE WHEN t = 'now' THEN now() ELSE t::timestamptz END))::bigint END $$;\n"
    "CREATE OR REPLACE FUNCTION glob_like(p text) RETURNS text\n"
    "    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$\n"
    "DECLARE r text := ''; c text; i int := 1; n int := length(p);\n"
    "BEGIN\n"
    "    WHILE i <= n LOOP\n"
    "        c := substr(p, i, 1);\n"
    "        IF c = '*' THEN r := r || '%%';\n"
    "        ELSIF c = '?' THEN r := r || '_';\n"
    "        ELSE\n"
    "            IF c = '[' AND substr(p, i + 2, 1) = ']' THEN c := substr(p, i + 1, 1); i := i + "
    "2;"
    " END IF;\n"
    "            IF c IN ('%%', '_', '\\') THEN r := r || '\\'; END IF;\n"
    "            r := r || c;\n"
    "        END IF;\n"
    "        i := i + 1;\n"
    "    END LOOP;\n"
    "    RETURN r;\n"
    "END $$;\n"
    /* Identity columns after rows were copied in with their ids (a table
     * rebuilt by a migration, copy-db): the next id follows the largest. */
    "CREATE OR REPLACE FUNCTION labshare_sync_ids() RETURNS void LANGUAGE plpgsql AS $$\n"
    "DECLARE r record;\n"
    "BEGIN\n"
    "    FOR r IN SELECT table_name, column_name FROM information_schema.columns\n"
    "             WHERE table_schema = current_schema() AND is_identity = 'YES' LOOP\n"
    "        EXECUTE format('SELECT setval(pg_get_serial_sequence(%%L, %%L),"
    " coalesce((SELECT max(%%I) FROM %%I), 0) + 1, false)',\n"
    "                       r.table_name, r.column_name, r.column_name, r.table_name);\n"
    "    END LOOP;\n"
    "END $$;\n";

static const char PG_FOLD_FROM[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝàáâãäåçèéêëìíîïðñòóôõöøùúûüýÿĀāĂăĄąĆćĈĉĊ"
    "ċČčĎďĐđĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĦħĨĩĪīĬĭĮįİıĴĵĶķĹĺĻļĽľĿŀŁłŃńŅņŇňŉŊŋŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŦŧŨũŪūŬŭ"
    "ŮůŰűŲųŴŵŶŷŸŹźŻżŽžſ";
static const char PG_FOLD_TO[] =
    "abcdefghijklmnopqrstuvwxyzaaaaaaceeeeiiiidnoooooouuuuyaaaaaaceeeeiiiidnoooooouuuuyyaaaaaaccccc"
    "cccddddeeeeeeeeeegggggggghhhhiiiiiiiiiijjkkllllllllllnnnnnnnnnoooooorrrrrrssssssssttttttuuuuuu"
    "uuuuuuwwyyyzzzzzzs";

/* One integer a query answers (SQLite pragmas, PostgreSQL's version row). */
static int query_int(struct db *db, const char *sql, int *out)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, sql, &st);
    if (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
        *out = db_column_int(st, 0);
        rc = DB_OK;
    } else if (rc == DB_DONE) {
        *out = 0;
        rc = DB_OK;
    }
    db_finalize(st);
    return rc;
}

static int known_number(int v)
{
    for (int i = 0; i < db_nmigrations; i++)
        if (db_migrations[i].number == v)
            return 1;
    return 0;
}

/* Reads the schema's state; refuses a database this binary must not touch. */
static int schema_read(struct db *db, struct schema *out, struct ls_err *err)
{
    int app = 0, v = 0;
    if (db_engine(db) == DB_POSTGRES) {
        int has = 0, tables = 0;
        if (query_int(db,
                      "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()"
                      " AND tablename = 'labshare_schema'",
                      &has) != DB_OK ||
            query_int(db, "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()",
                      &tables) != DB_OK ||
            (has && query_int(db, "SELECT version FROM labshare_schema", &v) != DB_OK))
            return ls_err_set(err, LS_EINTERNAL, NULL, "cannot read schema version: %s",
                              db_errmsg(db));
        if (!has && tables > 0)
            return ls_err_set(err, LS_EINTERNAL, NULL,
                              "not a labshare database (its schema holds other tables); check "
                              "--db");
        app = DB_APPLICATION_ID;
    } else if (query_int(db, "PRAGMA application_id", &app) != DB_OK ||
               query_int(db, "PRAGMA user_version", &v) != DB_OK) {
        return ls_err_set(err, LS_EINTERNAL, NULL, "cannot read schema version: %s", db_errmsg(db));
    } else if (app == 0 && v == 0) {
        /* No mark and no version: new, or another program's file, which
         * must not gain labshare's tables. */
        int tables = 0;
        if (query_int(db, "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'",
                      &tables) != DB_OK)
            return ls_err_set(err, LS_EINTERNAL, NULL, "cannot read schema version: %s",
                              db_errmsg(db));
        if (tables > 0)
            return ls_err_set(err, LS_EINTERNAL, NULL,
                              "not a labshare database (its schema holds other tables); check "
                              "--db");
    }
    int last = db_nmigrations > 0 ? db_migrations[db_nmigrations - 1].number : 0;
    out->legacy = app == 0 && v > 0;
    if (app != 0 && app != DB_APPLICATION_ID)
        return ls_err_set(err, LS_EINTERNAL, NULL,
                          "not a labshare database (application_id %d); check --db", app);
    if (out->legacy) {
        if (v > LEGACY_MAX)
            return ls_err_set(err, LS_EINTERNAL, NULL,
                              "database records %d migrations in the old numbering, which no "
                              "labshare wrote; restore a backup",
                              v);
        v = LEGACY_NUMBERS[v - 1];
    }
    if (v > last)
        return ls_err_set(err, LS_EINTERNAL, NULL,
                          "database schema version %d is newer than this labshare (knows %d); "
                          "run a newer labshare or restore a backup",
                          v, last);
    if (v != 0 && !known_number(v))
        return ls_err_set(err, LS_EINTERNAL, NULL,
                          "database schema version %d is not a migration this labshare has; "
                          "run the labshare that wrote it or restore a backup",
                          v);
    out->version = v;
    return LS_OK;
}

int db_schema_version(struct db *db)
{
    struct schema s;
    struct ls_err err = {0};
    return schema_read(db, &s, &err) == LS_OK ? s.version : -1;
}

int db_foreign(struct db *db)
{
    /* schema_read's refusals of another program's database (its tables, its
     * application_id) are the ones that begin so. */
    struct schema s;
    struct ls_err err = {0};
    return schema_read(db, &s, &err) != LS_OK &&
           strncmp(err.message, "not a labshare database", 23) == 0;
}

/* The embedded files must be numbered strictly upwards (tools/embed.c sees
 * to it) and still hold every file a legacy count can name. */
static int check_embedded(struct ls_err *err)
{
    for (int i = 0; i < db_nmigrations; i++) {
        int n = db_migrations[i].number;
        if (n <= 0 || (i > 0 && n <= db_migrations[i - 1].number))
            return ls_err_set(err, LS_EINTERNAL, NULL,
                              "migration %s is out of order: numbers must increase",
                              db_migrations[i].name);
        if (i < LEGACY_MAX && n != LEGACY_NUMBERS[i])
            return ls_err_set(err, LS_EINTERNAL, NULL,
                              "migration %04d, shipped before, is missing from this build",
                              LEGACY_NUMBERS[i]);
    }
    if (db_nmigrations < LEGACY_MAX)
        return ls_err_set(err, LS_EINTERNAL, NULL,
                          "migration %04d, shipped before, is missing from this build",
                          LEGACY_NUMBERS[db_nmigrations]);
    return LS_OK;
}

/* The first embedded file numbered above `version`, or db_nmigrations. */
static int next_after(int version)
{
    int i = 0;
    while (i < db_nmigrations && db_migrations[i].number <= version)
        i++;
    return i;
}

/* One step in one transaction: either rewrite a legacy database's marks
 * (nothing else), or apply the next file and record it. The state is read
 * again under the write lock, so two processes migrating one file at once
 * apply each file once. *done is set when there was nothing left to do. */
static int migrate_step(struct db *db, int *done, struct ls_err *err)
{
    int pg = db_engine(db) == DB_POSTGRES;
    struct schema s;
    struct ls_err ignore = {0};
    if (db_exec(db, pg ? "BEGIN; SELECT pg_advisory_xact_lock(1280526385)" : "BEGIN IMMEDIATE",
                &ignore) != LS_OK)
        return ls_err_set(err, LS_EINTERNAL, NULL, "cannot start a migration: %s", db_errmsg(db));
    if (schema_read(db, &s, err) != LS_OK) {
        db_exec(db, "ROLLBACK", NULL);
        return LS_EINTERNAL;
    }
    int i = next_after(s.version);
    *done = !s.legacy && i == db_nmigrations;
    if (*done) {
        db_exec(db, "ROLLBACK", NULL);
        return LS_OK;
    }
    /* A legacy database only has its marks rewritten in this step. */
    const char *name = s.legacy ? NULL : db_migrations[i].name;
    int to = s.legacy ? s.version : db_migrations[i].number;
    int rc = LS_OK;
    char *script = NULL;
    if (!s.legacy) {
        script = db_sql_for_engine(db_migrations[i].sql, pg ? "postgresql" : "sqlite");
        if (pg) {
            struct db_sql t;
            char why[200];
            if (s.version == 0) {
                size_t n = sizeof PG_SETUP + sizeof PG_FOLD_FROM + sizeof PG_FOLD_TO;
                char *setup = malloc(n);
                if (setup)
                    snprintf(setup, n, PG_SETUP, PG_FOLD_FROM, PG_FOLD_TO);
                rc = setup ? db_exec(db, setup, &ignore) : LS_EINTERNAL;
                free(setup);
            }
            if (rc == LS_OK && db_sql_translate(script, DB_SQL_DDL, &t, why, sizeof why) != 0) {
                snprintf(ignore.message, sizeof ignore.message, "%s", why);
                rc = LS_EINTERNAL;
            } else if (rc == LS_OK) {
                free(script);
                script = t.text;
                rc = db_exec(db, script, &ignore);
            }
        } else {
            rc = db_exec(db, script, &ignore);
        }
    }
    char marks[160];
    if (pg)
        snprintf(marks, sizeof marks,
                 "UPDATE labshare_schema SET version = %d; SELECT labshare_sync_ids()", to);
    else
        snprintf(marks, sizeof marks, "PRAGMA application_id=%d; PRAGMA user_version=%d;",
                 DB_APPLICATION_ID, to);
    if (rc == LS_OK)
        rc = db_exec(db, marks, &ignore);
    if (rc == LS_OK)
        rc = db_exec(db, "COMMIT", &ignore);
    free(script);
    if (rc == LS_OK)
        return LS_OK;
    const char *msg = db_errmsg(db)[0] ? db_errmsg(db) : ignore.message;
    if (name)
        ls_err_set(err, LS_EINTERNAL, NULL, "migration %s failed: %s", name, msg);
    else
        ls_err_set(err, LS_EINTERNAL, NULL, "rewriting the old schema version failed: %s", msg);
    db_exec(db, "ROLLBACK", NULL);
    return LS_EINTERNAL;
}

int db_migrate(struct db *db, struct ls_err *err)
{
    if (check_embedded(err) != LS_OK)
        return LS_EINTERNAL;
    /* The usual start: up to date, answered by two pragma reads. */
    struct schema s;
    if (schema_read(db, &s, err) != LS_OK)
        return LS_EINTERNAL;
    if (!s.legacy && next_after(s.version) == db_nmigrations)
        return LS_OK;
    for (int done = 0; !done;)
        if (migrate_step(db, &done, err) != LS_OK)
            return LS_EINTERNAL;
    if (db_engine(db) == DB_POSTGRES)
        pg_forget_tables(db); /* new tables may have an id */
    return LS_OK;
}
