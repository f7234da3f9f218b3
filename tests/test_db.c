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

static int64_t count_users(struct testdb *t)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db_handle(t->db), "SELECT count(*) FROM users", -1, &st,
                                        NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

static void assert_integrity_ok(const char *path)
{
    /* A fresh connection: what a restarted server would find on disk. */
    sqlite3 *h = NULL;
    assert_int_equal(sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
    sqlite3_finalize(st);
    sqlite3_close(h);
}

/* Disk full: a write that cannot get space is 503 "unavailable" with nothing
 * half-written, and the file stays sound. PRAGMA max_page_count stands in
 * for a full disk: SQLite answers SQLITE_FULL exactly as for ENOSPC. */
static void db__full_storage_is_unavailable_and_corrupts_nothing(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db_handle(t->db), "PRAGMA page_count", -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int pages = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA max_page_count=%d", pages + 3);
    testdb_exec(t, sql);

    /* Real writes through auth_user_create until storage runs out. */
    char name[400];
    memset(name, 'n', 199);
    name[199] = '\0';
    int created = 0, rc = LS_OK;
    struct ls_err err = {0};
    for (int i = 0; i < 10000 && rc == LS_OK; i++) {
        char email[64];
        snprintf(email, sizeof email, "user%d@full.example", i);
        struct user_new u = {email, name, "correct horse battery", ROLE_RESEARCHER, 0, NULL};
        int64_t id = 0;
        ls_err_clear(&err);
        rc = auth_user_create(t->db, &u, &id, &err);
        if (rc == LS_OK)
            created++;
    }
    assert_int_equal(rc, LS_EUNAVAILABLE);
    assert_int_equal(ls_code_status(err.code), 503);
    assert_non_null(strstr(err.message, "full"));
    assert_true(created > 0);
    assert_true(sqlite3_get_autocommit(db_handle(t->db))); /* rolled back, not left open */
    assert_int_equal(count_users(t), created);             /* the failed one is not there */

    /* The generic mapping, on a statement of our own. */
    static const char SQL_FILL[] = "INSERT INTO users(email,name,role,password_hash,lang,created,updated)"
                                   " VALUES ('fill@x.example',?1,'researcher','x','pl',0,0)";
    st = db_stmt(t->db, SQL_FILL);
    char big[8192];
    memset(big, 'b', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    sqlite3_bind_text(st, 1, big, -1, SQLITE_STATIC);
    ls_err_clear(&err);
    assert_int_equal(db_step_done(t->db, st, &err), LS_EUNAVAILABLE);

    /* Space comes back: the database works and holds exactly what was acknowledged. */
    testdb_exec(t, "PRAGMA max_page_count=1073741823");
    struct user_new u = {"after@full.example", "After", "correct horse battery", ROLE_RESEARCHER,
                         0, NULL};
    int64_t id = 0;
    assert_int_equal(auth_user_create(t->db, &u, &id, &err), LS_OK);
    assert_int_equal(count_users(t), created + 1);
    assert_integrity_ok(t->path);
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
        cmocka_unit_test(db__full_storage_is_unavailable_and_corrupts_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
