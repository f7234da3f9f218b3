/* test_db.c — migrations, pragmas and the statement cache on a real file. */
#include "testutil.h"

static void db__migrates_to_latest_and_is_idempotent(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    assert_int_equal(db_schema_version(t->db), db_nmigrations);
    struct ls_err err = {0};
    assert_int_equal(db_migrate(t->db, &err), LS_OK);
    assert_int_equal(db_schema_version(t->db), db_nmigrations);
    testdb_free(t);
}

static void db__refuses_newer_schema(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA user_version=%d", db_nmigrations + 1);
    testdb_exec(t, sql);
    struct ls_err err = {0};
    assert_int_equal(db_migrate(t->db, &err), LS_EINTERNAL);
    assert_non_null(strstr(err.message, "newer"));
    testdb_free(t);
}

static void db__wal_and_foreign_keys_on(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    sqlite3_stmt *st;
    sqlite3_prepare_v2(db_handle(t->db), "PRAGMA journal_mode", -1, &st, NULL);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    char *msg = NULL;
    /* A lab for an organisation that does not exist violates the foreign key. */
    int rc = sqlite3_exec(db_handle(t->db),
                          "INSERT INTO labs(organisation_id,name,kind,area_m2,created,updated)"
                          " VALUES (999,'x','commercial',10,0,0)",
                          NULL, NULL, &msg);
    assert_int_equal(rc & 0xff, SQLITE_CONSTRAINT);
    sqlite3_free(msg);
    testdb_free(t);
}

static void db__statement_cache_returns_same_prepared(void **state)
{
    (void)state;
    static const char SQL[] = "SELECT ?1 + 1";
    struct testdb *t = testdb_new();
    sqlite3_stmt *a = db_stmt(t->db, SQL);
    assert_non_null(a);
    sqlite3_bind_int(a, 1, 41);
    assert_int_equal(sqlite3_step(a), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(a, 0), 42);
    sqlite3_stmt *b = db_stmt(t->db, SQL); /* reset and cleared on reuse */
    assert_ptr_equal(a, b);
    assert_int_equal(sqlite3_step(b), SQLITE_ROW);
    assert_int_equal(sqlite3_column_type(b, 0), SQLITE_NULL);
    sqlite3_reset(b);
    static const char BAD[] = "SELEC nonsense";
    assert_null(db_stmt(t->db, BAD));
    testdb_free(t);
}

static void db__transactions_commit_and_roll_back(void **state)
{
    (void)state;
    static const char INS[] = "INSERT INTO settings(key, value) VALUES (?1, 'v')";
    static const char CNT[] = "SELECT count(*) FROM settings";
    struct testdb *t = testdb_new();
    struct ls_err err = {0};
    assert_int_equal(db_begin_write(t->db, &err), LS_OK);
    sqlite3_stmt *st = db_stmt(t->db, INS);
    sqlite3_bind_text(st, 1, "a", -1, SQLITE_STATIC);
    assert_int_equal(db_step_done(t->db, st, &err), LS_OK);
    db_rollback(t->db);
    assert_int_equal(db_begin_write(t->db, &err), LS_OK);
    st = db_stmt(t->db, INS);
    sqlite3_bind_text(st, 1, "b", -1, SQLITE_STATIC);
    assert_int_equal(db_step_done(t->db, st, &err), LS_OK);
    assert_int_equal(db_commit(t->db, &err), LS_OK);
    st = db_stmt(t->db, CNT);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 1);
    sqlite3_reset(st);
    /* A duplicate key is an error code, not a crash. */
    st = db_stmt(t->db, INS);
    sqlite3_bind_text(st, 1, "b", -1, SQLITE_STATIC);
    assert_int_equal(db_step_done(t->db, st, &err), LS_EINTERNAL);
    testdb_free(t);
}

int main(void)
{
    testutil_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(db__migrates_to_latest_and_is_idempotent),
        cmocka_unit_test(db__refuses_newer_schema),
        cmocka_unit_test(db__wal_and_foreign_keys_on),
        cmocka_unit_test(db__statement_cache_returns_same_prepared),
        cmocka_unit_test(db__transactions_commit_and_roll_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
