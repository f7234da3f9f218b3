/* test_db.c — pragmas, the statement cache and the write path on a real file
 * (migrations: test_db_migrate.c). */
#include "testutil.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

#include <sqlite3.h> /* this file tests the SQLite engine itself */

static void db__wal_and_foreign_keys_on(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    struct db_stmt *st;
    db_prepare(t->db, "PRAGMA journal_mode", &st);
    assert_int_equal(db_step(st), DB_ROW);
    assert_string_equal((const char *)db_column_text(st, 0), "wal");
    db_finalize(st);
    char *msg = NULL;
    /* A lab for an organisation that does not exist violates the foreign key. */
    int rc = sqlite3_exec(db_handle(t->db),
                          "INSERT INTO labs(organisation_id,name,kind,area_m2,created,updated)"
                          " VALUES (999,'x','commercial',10,0,0)",
                          NULL, NULL, &msg);
    assert_int_equal(rc & 0xff, DB_CONSTRAINT);
    sqlite3_free(msg);
    testdb_free(t);
}

static void db__statement_cache_returns_same_prepared(void **state)
{
    (void)state;
    static const char SQL[] = "SELECT ?1 + 1";
    struct testdb *t = testdb_new();
    struct db_stmt *a = db_stmt(t->db, SQL);
    assert_non_null(a);
    db_bind_int(a, 1, 41);
    assert_int_equal(db_step(a), DB_ROW);
    assert_int_equal(db_column_int(a, 0), 42);
    struct db_stmt *b = db_stmt(t->db, SQL); /* reset and cleared on reuse */
    assert_ptr_equal(a, b);
    assert_int_equal(db_step(b), DB_ROW);
    assert_int_equal(db_column_type(b, 0), DB_NULL);
    db_reset(b);
    static const char BAD[] = "SELEC nonsense";
    assert_null(db_stmt(t->db, BAD));
    testdb_free(t);
}

/* Columns are named by their AS names before the first step (privacy's
 * export reads them so); parameters by their names. */
static void db__columns_and_parameters_named(void **state)
{
    (void)state;
    static const char SQL[] = "SELECT ?1 AS one, 2 AS two, key FROM settings";
    struct testdb *t = testdb_new();
    struct db_stmt *st = db_stmt(t->db, SQL);
    assert_non_null(st);
    assert_int_equal(db_column_count(st), 3);
    assert_string_equal(db_column_name(st, 0), "one");
    assert_string_equal(db_column_name(st, 1), "two");
    assert_string_equal(db_column_name(st, 2), "key");
    assert_null(db_column_name(st, 3));
    db_reset(st);
    static const char NAMED[] = "SELECT :a + ?2 + :b";
    st = db_stmt(t->db, NAMED);
    assert_int_equal(db_bind_parameter_count(st), 3);
    assert_string_equal(db_bind_parameter_name(st, 1), ":a");
    assert_string_equal(db_bind_parameter_name(st, 3), ":b");
    db_reset(st);
    testdb_free(t);
}

static const char INS[] = "INSERT INTO settings(key, value) VALUES (?1, 'v')";

/* Inserts key ctx, then fails on purpose when the key says so. */
static int insert_txn(struct db *db, void *ctx, struct ls_err *err)
{
    const char *key = ctx;
    struct db_stmt *st = db_stmt(db, INS);
    db_bind_text(st, 1, key, -1, DB_STATIC);
    int rc = db_step_done(db, st, err);
    if (!rc && strcmp(key, "refused") == 0)
        rc = ls_err_set(err, LS_ECONFLICT, NULL, "refused on purpose");
    return rc;
}

static void db__write_commits_or_leaves_nothing(void **state)
{
    (void)state;
    static const char CNT[] = "SELECT count(*) FROM settings";
    struct testdb *t = testdb_new();
    struct ls_err err = {0};
    assert_int_equal(db_write(t->db, insert_txn, "refused", &err), LS_ECONFLICT);
    assert_int_equal(db_write(t->db, insert_txn, "b", &err), LS_OK);
    struct db_stmt *st = db_stmt(t->db, CNT);
    assert_int_equal(db_step(st), DB_ROW);
    assert_int_equal(db_column_int(st, 0), 1);
    db_reset(st);
    /* A duplicate key is an error code, not a crash, and writes nothing. */
    assert_int_equal(db_write(t->db, insert_txn, "b", &err), LS_EINTERNAL);
    testdb_free(t);
}

/* The one value a query returns (a count, a pragma). */
static int64_t scalar(struct testdb *t, const char *sql)
{
    struct db_stmt *st;
    assert_int_equal(db_prepare(t->db, sql, &st), DB_OK);
    assert_int_equal(db_step(st), DB_ROW);
    int64_t n = db_column_int64(st, 0);
    db_finalize(st);
    return n;
}

static int64_t count_users(struct testdb *t)
{
    return scalar(t, "SELECT count(*) FROM users");
}

static void assert_integrity_ok(const char *path)
{
    /* A fresh connection: what a restarted server would find on disk. */
    sqlite3 *h = NULL;
    assert_int_equal(sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL), DB_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
    sqlite3_finalize(st);
    sqlite3_close(h);
}

/* Disk full: a write that cannot get space is 503 "unavailable" with nothing
 * half-written, and the file stays sound. PRAGMA max_page_count stands in
 * for a full disk: SQLite answers DB_FULL exactly as for ENOSPC. */
static void db__full_storage_is_unavailable_and_corrupts_nothing(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    struct db_stmt *st;
    int pages = (int)scalar(t, "PRAGMA page_count");
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
    assert_true(!db_in_transaction(t->db));    /* rolled back, not left open */
    assert_int_equal(count_users(t), created); /* the failed one is not there */

    /* The generic mapping, on a statement of our own. */
    static const char SQL_FILL[] =
        "INSERT INTO users(email,name,role,password_hash,lang,created,updated)"
        " VALUES ('fill@x.example',?1,'researcher','x','pl',0,0)";
    st = db_stmt(t->db, SQL_FILL);
    char big[8192];
    memset(big, 'b', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    db_bind_text(st, 1, big, -1, DB_STATIC);
    ls_err_clear(&err);
    assert_int_equal(db_step_done(t->db, st, &err), LS_EUNAVAILABLE);

    /* Space comes back: the database works and holds exactly what was acknowledged. */
    testdb_exec(t, "PRAGMA max_page_count=1073741823");
    struct user_new u = {"after@full.example", "After", "correct horse battery",
                         ROLE_RESEARCHER,      0,       NULL};
    int64_t id = 0;
    assert_int_equal(auth_user_create(t->db, &u, &id, &err), LS_OK);
    assert_int_equal(count_users(t), created + 1);
    assert_integrity_ok(t->path);
    testdb_free(t);
}

/* ------------------------------------------------------------------ */
/* Group commit                                                         */

/* A write job of the tests: inserts one row, then fails when asked, so that
 * its savepoint must undo the insert. */
struct gjob {
    int k;
    int fail;       /* answer 409 after inserting */
    int blob;       /* insert 3,000 bytes into big(k, v) instead of g(k) */
    int hold_until; /* keep the group open until this many writes queue */
    int max_pages;  /* 0, or PRAGMA max_page_count for the group's connection */
    _Atomic int running;
    struct ls_err err;
    int rc;
    struct testdb *t;
};

static const char SQL_G_INSERT[] = "INSERT INTO g(k) VALUES (?1)";
static const char SQL_BIG_INSERT[] = "INSERT INTO big(k, v) VALUES (?1, zeroblob(3000))";

static int gjob_fn(struct db *db, void *p, struct ls_err *err)
{
    struct gjob *j = p;
    atomic_store(&j->running, 1);
    if (j->max_pages) { /* a setting of the connection the group runs on */
        char sql[64];
        snprintf(sql, sizeof sql, "PRAGMA max_page_count=%d", j->max_pages);
        db_exec(db, sql, NULL);
    }
    struct db_stmt *st = db_stmt(db, j->blob ? SQL_BIG_INSERT : SQL_G_INSERT);
    db_bind_int(st, 1, j->k);
    int rc = db_step_done(db, st, err);
    if (rc)
        return rc;
    /* Holding the group open until the others have queued behind it makes
     * the next group provably hold all of them, with no timing involved. */
    for (struct db_group_stats s;; sched_yield()) {
        db_group_stats(&s);
        if (s.waiting >= j->hold_until)
            break;
    }
    if (j->fail)
        return ls_err_set(err, LS_ECONFLICT, NULL, "job %d refuses", j->k);
    return LS_OK;
}

static void *gjob_thread(void *p)
{
    struct gjob *j = p;
    struct db *db = NULL;
    struct ls_err err = {0};
    j->rc = db_open(&db, j->t->path, &err);
    if (j->rc == LS_OK)
        j->rc = db_write(db, gjob_fn, j, &j->err);
    db_close(db);
    return NULL;
}

/* Runs jobs[0] as a group of its own that stays open until jobs[1..n) have
 * all queued behind it on their own threads and connections; they then run
 * as the next group. */
static void run_two_groups(struct gjob *jobs, int n)
{
    pthread_t th[64];
    assert_true(n <= 64);
    jobs[0].hold_until = n - 1;
    assert_int_equal(pthread_create(&th[0], NULL, gjob_thread, &jobs[0]), 0);
    while (!atomic_load(&jobs[0].running))
        sched_yield();
    for (int i = 1; i < n; i++)
        assert_int_equal(pthread_create(&th[i], NULL, gjob_thread, &jobs[i]), 0);
    for (int i = 0; i < n; i++)
        assert_int_equal(pthread_join(th[i], NULL), 0);
}

static int count_where(struct testdb *t, const char *table, int k)
{
    char sql[80];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s WHERE k = %d", table, k);
    return (int)scalar(t, sql);
}

/* Twice: groups on their leader's connection, then on the server's one
 * writer connection. */
static void db__group_commit_shares_a_transaction_and_isolates_failures(void **state)
{
    (void)state;
    for (int with_writer = 0; with_writer < 2; with_writer++) {
        struct testdb *t = testdb_new();
        testdb_exec(t, "CREATE TABLE g(k INTEGER PRIMARY KEY)");
        struct ls_err werr = {0};
        if (with_writer) {
            db_configure(t->path, DB_SYNC_FULL);
            assert_int_equal(db_writer_open(&werr), LS_OK);
        }
        enum { N = 12 };
        struct gjob jobs[N];
        memset(jobs, 0, sizeof jobs);
        for (int i = 0; i < N; i++) {
            jobs[i].k = i + 1;
            jobs[i].t = t;
            jobs[i].fail = i > 0 && i % 3 == 0; /* three of the second group */
        }
        struct db_group_stats before, after;
        db_group_stats(&before);
        run_two_groups(jobs, N);
        db_group_stats(&after);
        assert_int_equal(after.writes - before.writes, N);
        assert_int_equal(after.groups - before.groups, 2);
        assert_true(after.largest >= N - 1);
        assert_int_equal(after.waiting, 0);
        for (int i = 0; i < N; i++) {
            if (jobs[i].fail) {
                assert_int_equal(jobs[i].rc, LS_ECONFLICT);
                assert_non_null(strstr(jobs[i].err.message, "refuses"));
                assert_int_equal(count_where(t, "g", jobs[i].k), 0); /* its savepoint undone */
            } else {
                assert_int_equal(jobs[i].rc, LS_OK);
                assert_int_equal(count_where(t, "g", jobs[i].k), 1); /* committed with its group */
            }
        }
        db_writer_close();
        testdb_free(t);
    }
}

/* A unit of work made of two others: one kept, one refused; then the
 * outer unit refuses too. */
struct outer {
    struct testdb *t;
    int inner_ok_rc, inner_bad_rc, g1_inside, g2_inside;
};

static int outer_fn(struct db *db, void *ctx, struct ls_err *err)
{
    struct outer *o = ctx;
    struct gjob ok = {.k = 1, .t = o->t}, bad = {.k = 2, .fail = 1, .t = o->t};
    o->inner_ok_rc = db_write(db, gjob_fn, &ok, &ok.err);
    o->inner_bad_rc = db_write(db, gjob_fn, &bad, &bad.err);
    o->g1_inside = count_where(o->t, "g", 1);
    o->g2_inside = count_where(o->t, "g", 2);
    return ls_err_set(err, LS_ECONFLICT, NULL, "the outer unit changes its mind");
}

static void db__write_inside_a_write_is_a_savepoint(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    testdb_exec(t, "CREATE TABLE g(k INTEGER PRIMARY KEY)");
    struct ls_err err = {0};
    struct db_group_stats before, after;
    db_group_stats(&before);
    struct outer o = {.t = t};
    assert_int_equal(db_write(t->db, outer_fn, &o, &err), LS_ECONFLICT);
    assert_int_equal(o.inner_ok_rc, LS_OK);
    assert_int_equal(o.inner_bad_rc, LS_ECONFLICT);
    assert_int_equal(o.g1_inside, 1);            /* seen inside the unit */
    assert_int_equal(o.g2_inside, 0);            /* its savepoint undone */
    assert_int_equal(count_where(t, "g", 1), 0); /* the outer decides: nothing stays */
    db_group_stats(&after);
    assert_int_equal(after.groups, before.groups + 1); /* one group: the outer one */

    /* Alone, outside a transaction: a group of one, committed. */
    struct gjob solo = {.k = 3, .t = t};
    assert_int_equal(db_write(t->db, gjob_fn, &solo, &solo.err), LS_OK);
    assert_true(!db_in_transaction(t->db));
    assert_int_equal(count_where(t, "g", 3), 1);
    testdb_free(t);
}

/* A turn (db_write_turn) says only how soon a unit that lost a race runs
 * again on PostgreSQL: on SQLite a unit with one commits, is refused and
 * composes exactly as db_write's do. */
static int turned_fn(struct db *db, void *ctx, struct ls_err *err)
{
    struct outer *o = ctx;
    struct gjob bad = {.k = 8, .fail = 1, .t = o->t};
    o->inner_bad_rc = db_write_turn(db, 42, gjob_fn, &bad, &bad.err);
    o->g2_inside = count_where(o->t, "g", 8);
    return gjob_fn(db, &(struct gjob){.k = 9, .t = o->t}, err);
}

static void db__a_turn_changes_nothing_a_unit_does(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    testdb_exec(t, "CREATE TABLE g(k INTEGER PRIMARY KEY)");
    struct gjob ok = {.k = 6, .t = t}, bad = {.k = 7, .fail = 1, .t = t};
    assert_int_equal(db_write_turn(t->db, 42, gjob_fn, &ok, &ok.err), LS_OK);
    assert_int_equal(db_write_turn(t->db, 42, gjob_fn, &bad, &bad.err), LS_ECONFLICT);
    assert_int_equal(count_where(t, "g", 6), 1);
    assert_int_equal(count_where(t, "g", 7), 0);
    /* Inside another unit: a savepoint of it, undone alone when refused. */
    struct outer o = {.t = t};
    struct ls_err err = {0};
    assert_int_equal(db_write_turn(t->db, 7, turned_fn, &o, &err), LS_OK);
    assert_int_equal(o.inner_bad_rc, LS_ECONFLICT);
    assert_int_equal(o.g2_inside, 0);
    assert_int_equal(count_where(t, "g", 9), 1);
    assert_true(!db_in_transaction(t->db));
    testdb_free(t);
}

/* A part (db_write_part) inside a unit: no savepoint, so what a failing
 * part wrote stays in the unit, whose own answer decides. */
struct parts {
    struct testdb *t;
    int ok_rc, bad_rc, g4_inside, g5_inside;
    int keep; /* the outer unit's answer: keep (LS_OK) or refuse */
};

static int parts_fn(struct db *db, void *ctx, struct ls_err *err)
{
    struct parts *o = ctx;
    struct gjob ok = {.k = 4, .t = o->t}, bad = {.k = 5, .fail = 1, .t = o->t};
    o->ok_rc = db_write_part(db, gjob_fn, &ok, &ok.err);
    o->bad_rc = db_write_part(db, gjob_fn, &bad, &bad.err);
    o->g4_inside = count_where(o->t, "g", 4);
    o->g5_inside = count_where(o->t, "g", 5);
    return o->keep ? LS_OK : ls_err_set(err, LS_ECONFLICT, NULL, "the outer unit refuses");
}

static void db__a_part_joins_its_unit_without_a_savepoint(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    testdb_exec(t, "CREATE TABLE g(k INTEGER PRIMARY KEY)");
    struct ls_err err = {0};
    struct parts o = {.t = t};
    assert_int_equal(db_write(t->db, parts_fn, &o, &err), LS_ECONFLICT);
    assert_int_equal(o.ok_rc, LS_OK);
    assert_int_equal(o.bad_rc, LS_ECONFLICT);
    assert_int_equal(o.g4_inside, 1);
    assert_int_equal(o.g5_inside, 1); /* no savepoint of its own undid it */
    assert_int_equal(count_where(t, "g", 4) + count_where(t, "g", 5), 0); /* the unit refused */

    o = (struct parts){.t = t, .keep = 1};
    assert_int_equal(db_write(t->db, parts_fn, &o, &err), LS_OK);
    assert_int_equal(count_where(t, "g", 4) + count_where(t, "g", 5), 2);

    /* Alone: a write of its own, committed. */
    struct gjob solo = {.k = 6, .t = t};
    assert_int_equal(db_write_part(t->db, gjob_fn, &solo, &solo.err), LS_OK);
    assert_true(!db_in_transaction(t->db));
    assert_int_equal(count_where(t, "g", 6), 1);
    testdb_free(t);
}

/* Storage runs out in the middle of a group: whatever SQLite does with the
 * transaction (a statement or the whole of it rolled back), a write is kept
 * exactly when it was answered OK, the refused ones answer 503, and the
 * file stays sound and takes writes again when space returns. */
static void db__group_commit_on_full_storage_keeps_exactly_what_it_acknowledges(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    testdb_exec(t, "CREATE TABLE big(k INTEGER PRIMARY KEY, v BLOB)");
    int pages = (int)scalar(t, "PRAGMA page_count");
    enum { N = 30 };
    struct gjob jobs[N];
    memset(jobs, 0, sizeof jobs);
    for (int i = 0; i < N; i++) /* room for a few rows */
        jobs[i] = (struct gjob){.k = i + 1, .blob = 1, .max_pages = pages + 12, .t = t};
    run_two_groups(jobs, N);
    int ok = 0, full = 0;
    for (int i = 0; i < N; i++) {
        int kept = count_where(t, "big", jobs[i].k);
        if (jobs[i].rc == LS_OK) {
            ok++;
            assert_int_equal(kept, 1);
        } else {
            full++;
            assert_int_equal(jobs[i].rc, LS_EUNAVAILABLE);
            assert_int_equal(kept, 0);
        }
    }
    assert_true(ok > 0);
    assert_true(full > 0);
    assert_integrity_ok(t->path);

    struct gjob again = {.k = N + 1, .blob = 1, .t = t};
    assert_int_equal(db_write(t->db, gjob_fn, &again, &again.err), LS_OK);
    assert_int_equal(count_where(t, "big", N + 1), 1);
    testdb_free(t);
}

int main(void)
{
    testutil_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(db__wal_and_foreign_keys_on),
        cmocka_unit_test(db__statement_cache_returns_same_prepared),
        cmocka_unit_test(db__columns_and_parameters_named),
        cmocka_unit_test(db__write_commits_or_leaves_nothing),
        cmocka_unit_test(db__full_storage_is_unavailable_and_corrupts_nothing),
        cmocka_unit_test(db__group_commit_shares_a_transaction_and_isolates_failures),
        cmocka_unit_test(db__write_inside_a_write_is_a_savepoint),
        cmocka_unit_test(db__a_part_joins_its_unit_without_a_savepoint),
        cmocka_unit_test(db__a_turn_changes_nothing_a_unit_does),
        cmocka_unit_test(db__group_commit_on_full_storage_keeps_exactly_what_it_acknowledges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
