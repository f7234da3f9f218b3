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
 * reads 11 too, and taking that for a legacy count would skip 0013-0015. */
#include "db.h"

#include <stdio.h>

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

static int pragma_int(sqlite3 *h, const char *sql, int *out)
{
    struct db_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(h, sql, -1, &st, NULL);
    if (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
        *out = db_column_int(st, 0);
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
    sqlite3 *h = db_handle(db);
    int app = 0, v = 0;
    if (pragma_int(h, "PRAGMA application_id", &app) != DB_OK ||
        pragma_int(h, "PRAGMA user_version", &v) != DB_OK)
        return ls_err_set(err, LS_EINTERNAL, NULL, "cannot read schema version: %s",
                          sqlite3_errmsg(h));
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
    sqlite3 *h = db_handle(db);
    struct schema s;
    int rc = sqlite3_exec(h, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc != DB_OK)
        return ls_err_set(err, LS_EINTERNAL, NULL, "cannot start a migration: %s",
                          sqlite3_errmsg(h));
    if (schema_read(db, &s, err) != LS_OK) {
        sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
        return LS_EINTERNAL;
    }
    int i = next_after(s.version);
    *done = !s.legacy && i == db_nmigrations;
    if (*done) {
        sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
        return LS_OK;
    }
    /* A legacy database only has its marks rewritten in this step. */
    const char *name = s.legacy ? NULL : db_migrations[i].name;
    int to = s.legacy ? s.version : db_migrations[i].number;
    char *msg = NULL;
    if (!s.legacy)
        rc = sqlite3_exec(h, db_migrations[i].sql, NULL, NULL, &msg);
    char marks[96];
    snprintf(marks, sizeof marks, "PRAGMA application_id=%d; PRAGMA user_version=%d;",
             DB_APPLICATION_ID, to);
    if (rc == DB_OK)
        rc = sqlite3_exec(h, marks, NULL, NULL, &msg);
    if (rc == DB_OK)
        rc = sqlite3_exec(h, "COMMIT", NULL, NULL, &msg);
    if (rc == DB_OK)
        return LS_OK;
    if (name)
        ls_err_set(err, LS_EINTERNAL, NULL, "migration %s failed: %s", name,
                   msg ? msg : sqlite3_errmsg(h));
    else
        ls_err_set(err, LS_EINTERNAL, NULL, "rewriting the old schema version failed: %s",
                   msg ? msg : sqlite3_errmsg(h));
    sqlite3_free(msg);
    sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
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
    return LS_OK;
}
