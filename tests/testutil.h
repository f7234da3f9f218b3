/* testutil.h — shared set-up for the cmocka unit tests: a real SQLite file
 * in a fresh temporary directory, migrated, with cheap argon2 settings. */
#ifndef LS_TESTUTIL_H
#define LS_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "db.h"
#include "timeutil.h"

struct testdb {
    char dir[64];
    char path[128];
    struct db *db;
};

/* Opens a new, empty database in a new temporary directory. */
static inline struct testdb *testdb_new_empty(void)
{
    struct testdb *t = calloc(1, sizeof *t);
    assert_non_null(t);
    snprintf(t->dir, sizeof t->dir, "/tmp/labshare-test-XXXXXX");
    assert_non_null(mkdtemp(t->dir));
    snprintf(t->path, sizeof t->path, "%s/test.db", t->dir);
    struct ls_err err = {0};
    assert_int_equal(db_open(&t->db, t->path, &err), LS_OK);
    return t;
}

/* Creates and migrates a database in a new temporary directory. */
static inline struct testdb *testdb_new(void)
{
    struct testdb *t = testdb_new_empty();
    struct ls_err err = {0};
    assert_int_equal(db_migrate(t->db, &err), LS_OK);
    return t;
}

static inline void testdb_free(struct testdb *t)
{
    if (!t)
        return;
    db_close(t->db);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", t->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", t->dir);
    free(t);
}

/* Runs a statement with no parameters; fails the test on error. */
static inline void testdb_exec(struct testdb *t, const char *sql)
{
    struct ls_err err = {0};
    if (db_exec(t->db, sql, &err) != LS_OK)
        fail_msg("SQL failed: %s\n%s", err.message, sql);
}

/* testdb_exec with printf formatting (up to 4 KiB of SQL). */
static inline void testdb_execf(struct testdb *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static inline void testdb_execf(struct testdb *t, const char *fmt, ...)
{
    char sql[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof sql)
        fail_msg("SQL longer than %zu bytes: %s…", sizeof sql, sql);
    testdb_exec(t, sql);
}

/* The first column of the first row of a query with no parameters. */
static inline int64_t testdb_count(struct testdb *t, const char *sql)
{
    struct db_stmt *st = NULL;
    if (db_prepare(t->db, sql, &st) != DB_OK)
        fail_msg("SQL failed: %s\n%s", db_errmsg(t->db), sql);
    int64_t n = db_step(st) == DB_ROW ? db_column_int64(st, 0) : -1;
    db_finalize(st);
    return n;
}

/* Common process set-up: site zone and cheap password hashing. */
static inline void testutil_init(void)
{
    assert_int_equal(tu_init("Europe/Warsaw"), 0);
    auth_set_cost(1, 64 * 1024);
    assert_int_equal(auth_init(), 0);
}

#endif
