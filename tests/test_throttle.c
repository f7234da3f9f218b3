/* test_throttle.c — claims, settling and waiting, with threads on a real
 * database file. */
#include "testutil.h"

#include <pthread.h>

#include "throttle.h"

static struct throttle_claim account(const char *key, enum throttle_backoff b)
{
    return (struct throttle_claim){.keys = {{key, 5, 900, b, 0}}, .n = 1, .now = tu_now()};
}

static int settle_txn_failed(struct db *db, void *ctx, struct ls_err *err)
{
    return throttle_failed(db, ctx, err);
}

static int settle_txn_release(struct db *db, void *ctx, struct ls_err *err)
{
    return throttle_release(db, ctx, err);
}

static void settle(struct db *db, struct throttle_claim *c, int failed)
{
    struct ls_err err = {0};
    assert_int_equal(db_write(db, failed ? settle_txn_failed : settle_txn_release, c, &err), LS_OK);
    throttle_settled();
}

static void throttle__failures_past_the_limit_wait_doubling(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    struct ls_err err = {0};
    for (int i = 0; i < 5; i++) {
        struct throttle_claim c = account("email:a@x.pl", THROTTLE_DOUBLING);
        assert_int_equal(throttle_claim(t->db, &c, &err), LS_OK);
        assert_int_equal(c.wait, 0);
        assert_true(c.keys[0].row > 0);
        settle(t->db, &c, 1);
    }
    struct throttle_claim c = account("email:a@x.pl", THROTTLE_DOUBLING);
    assert_int_equal(throttle_claim(t->db, &c, &err), LS_OK);
    assert_true(c.wait > 0 && c.wait <= 30);
    /* The wait over, one more attempt; its failure doubles the wait. */
    testdb_exec(t, "UPDATE login_failures SET at = at - 31");
    c = account("email:a@x.pl", THROTTLE_DOUBLING);
    assert_int_equal(throttle_claim(t->db, &c, &err), LS_OK);
    assert_int_equal(c.wait, 0);
    settle(t->db, &c, 1);
    c = account("email:a@x.pl", THROTTLE_DOUBLING);
    assert_int_equal(throttle_claim(t->db, &c, &err), LS_OK);
    assert_true(c.wait > 30 && c.wait <= 60);
    /* Another key is not affected. */
    c = account("email:b@x.pl", THROTTLE_DOUBLING);
    assert_int_equal(throttle_claim(t->db, &c, &err), LS_OK);
    assert_int_equal(c.wait, 0);
    testdb_free(t);
}

static void throttle__sliding_waits_for_the_oldest_to_leave(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    struct ls_err err = {0};
    for (int i = 0; i < 5; i++) {
        struct throttle_claim c = account("password:7", THROTTLE_SLIDING);
        assert_int_equal(throttle_claim(t->db, &c, &err), LS_OK);
        settle(t->db, &c, 1);
    }
    testdb_exec(t, "UPDATE login_failures SET at = at - 800 WHERE rowid = (SELECT min(rowid) "
                   "FROM login_failures)");
    struct throttle_claim c = account("password:7", THROTTLE_SLIDING);
    assert_int_equal(throttle_claim(t->db, &c, &err), LS_OK);
    assert_true(c.wait >= 100 && c.wait <= 102);
    testdb_free(t);
}

static int forget_txn(struct db *db, void *ctx, struct ls_err *err)
{
    return throttle_forget(db, ctx, err);
}

static void throttle__forget_keeps_others_claims(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    struct ls_err err = {0};
    for (int i = 0; i < 4; i++) {
        struct throttle_claim c = account("email:a@x.pl", THROTTLE_DOUBLING);
        assert_int_equal(throttle_claim(t->db, &c, &err), LS_OK);
        settle(t->db, &c, 1);
    }
    /* Another attempt still checking its password when a success forgives. */
    struct throttle_claim other = account("email:a@x.pl", THROTTLE_DOUBLING);
    assert_int_equal(throttle_claim(t->db, &other, &err), LS_OK);
    assert_int_equal(other.wait, 0);
    assert_int_equal(db_write(t->db, forget_txn, "email:a@x.pl", &err), LS_OK);
    assert_int_equal(testdb_count(t, "SELECT count(*) FROM login_failures"), 1);
    assert_int_equal(testdb_count(t, "SELECT settled FROM login_failures"), 0);
    /* Released, it leaves nothing behind. */
    settle(t->db, &other, 0);
    assert_int_equal(testdb_count(t, "SELECT count(*) FROM login_failures"), 0);
    testdb_free(t);
}

/* The stale rule: a claim whose process died mid-check counts as failed. */
static void throttle__stale_claims_count_as_failures(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    struct ls_err err = {0};
    char sql[200];
    snprintf(sql, sizeof sql,
             "INSERT INTO login_failures(key, at, settled) VALUES ('ip:10.0.0.1', %lld, 0)",
             (long long)(tu_now() - THROTTLE_STALE - 1));
    for (int i = 0; i < 5; i++)
        testdb_exec(t, sql);
    /* Five failures in the window: wait until the oldest leaves it. */
    struct throttle_claim c = account("ip:10.0.0.1", THROTTLE_SLIDING);
    assert_int_equal(throttle_claim(t->db, &c, &err), LS_OK);
    assert_true(c.wait > 800);
    testdb_free(t);
}

/* Parallel attempts on one key, each on its own connection: claim, then
 * settle as `failed` says. */
struct attempt {
    const char *path;
    pthread_barrier_t *go;
    int failed;
    int wait, rc;
};

static void *attempt_run(void *p)
{
    struct attempt *at = p;
    struct db *db = NULL;
    struct ls_err err = {0};
    at->rc = db_open(&db, at->path, &err);
    pthread_barrier_wait(at->go);
    if (at->rc == LS_OK) {
        struct throttle_claim c = account("email:a@x.pl", THROTTLE_DOUBLING);
        at->rc = throttle_claim(db, &c, &err);
        at->wait = c.wait;
        if (at->rc == LS_OK && c.wait == 0) {
            struct ls_err e2 = {0};
            at->rc = db_write(db, at->failed ? settle_txn_failed : settle_txn_release, &c, &e2);
            throttle_settled();
        }
    }
    db_close(db);
    return NULL;
}

/* Runs n parallel attempts; returns how many got their claim. */
static int run_parallel(struct testdb *t, int n, int failed)
{
    pthread_t th[16];
    struct attempt at[16];
    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, (unsigned)n);
    for (int i = 0; i < n; i++) {
        at[i] = (struct attempt){.path = t->path, .go = &go, .failed = failed};
        assert_int_equal(pthread_create(&th[i], NULL, attempt_run, &at[i]), 0);
    }
    int claimed = 0;
    for (int i = 0; i < n; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        assert_int_equal(at[i].rc, LS_OK);
        if (at[i].wait == 0)
            claimed++;
        else
            assert_true(at[i].wait > 0);
    }
    pthread_barrier_destroy(&go);
    return claimed;
}

static void throttle__parallel_successes_never_lock_each_other_out(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    assert_int_equal(run_parallel(t, 12, 0), 12);
    assert_int_equal(testdb_count(t, "SELECT count(*) FROM login_failures"), 0);
    testdb_free(t);
}

static void throttle__parallel_failures_claim_exactly_the_limit(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    assert_int_equal(run_parallel(t, 12, 1), 5);
    assert_int_equal(testdb_count(t, "SELECT count(*) FROM login_failures WHERE settled = 1"), 5);
    assert_int_equal(testdb_count(t, "SELECT count(*) FROM login_failures WHERE settled = 0"), 0);
    testdb_free(t);
}

int main(void)
{
    testutil_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(throttle__failures_past_the_limit_wait_doubling),
        cmocka_unit_test(throttle__sliding_waits_for_the_oldest_to_leave),
        cmocka_unit_test(throttle__forget_keeps_others_claims),
        cmocka_unit_test(throttle__stale_claims_count_as_failures),
        cmocka_unit_test(throttle__parallel_successes_never_lock_each_other_out),
        cmocka_unit_test(throttle__parallel_failures_claim_exactly_the_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
