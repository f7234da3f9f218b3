/* test_names.c — the names booking lists print, kept in memory (names.h):
 * the count moves with every change a list shows (the triggers of migration
 * 0023) and with nothing else, a copy at the current count has the current
 * names, an id a copy lacks is read from the database, two databases never
 * share a copy, and threads reading while names change get whole copies. */
#include "testutil.h"

#include <pthread.h>

#include "arena.h"
#include "names.h"

static int64_t version(struct testdb *t)
{
    return testdb_count(t, "SELECT version FROM names_version WHERE id = 1");
}

static const struct names *current(struct testdb *t)
{
    struct ls_err err = {0};
    const struct names *n = names_get(t->db, version(t), 1, &err);
    if (!n)
        fail_msg("names_get: %s", err.message);
    return n;
}

static int setup(void **state)
{
    struct testdb *t = testdb_new();
    testdb_exec(t, "INSERT INTO organisations(id, name, grp, created, updated) VALUES"
                   " (1, 'Org one', 'BIZ', 0, 0), (2, 'Org two', 'R&D', 0, 0);"
                   "INSERT INTO labs(id, organisation_id, name, kind, area_m2, created, updated)"
                   " VALUES (1, 1, 'Lab 1', 'scientific', 50, 0, 0),"
                   " (2, 2, 'Lab 2', 'scientific', 50, 0, 0);"
                   "INSERT INTO resources(id, lab_id, name, type, created, updated) VALUES"
                   " (1, 1, 'Microscope', 'instrument', 0, 0),"
                   " (2, 2, 'Desk A', 'desk', 0, 0);"
                   "INSERT INTO users(id, email, name, password_hash, role, organisation_id,"
                   " created, updated) VALUES (1, 'a@test.pl', 'Anna', 'x', 'researcher', 1, 0, 0),"
                   " (2, 'b@test.pl', 'Bartek', 'x', 'owner', 2, 0, 0);");
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    testdb_free(*state);
    return 0;
}

static void names__a_copy_has_the_current_names(void **state)
{
    struct testdb *t = *state;
    struct arena a = {0};
    const struct names *n = current(t);
    int64_t org = -1;
    assert_string_equal(names_resource(n, t->db, &a, 1, &org), "Microscope");
    assert_int_equal(org, 1);
    assert_string_equal(names_resource(n, t->db, &a, 2, &org), "Desk A");
    assert_int_equal(org, 2);
    assert_string_equal(names_user(n, t->db, &a, 2), "Bartek");
    assert_null(names_resource(n, t->db, &a, 99, &org));
    assert_int_equal(org, 0);
    assert_null(names_user(n, t->db, &a, 99));
    /* The same count lends the same copy. */
    const struct names *again = current(t);
    assert_ptr_equal(again, n);
    names_put(again);
    names_put(n);
    arena_release(&a);
}

static void names__every_change_a_list_shows_moves_the_count(void **state)
{
    struct testdb *t = *state;
    const char *changes[] = {
        "UPDATE users SET name = 'Anna K.' WHERE id = 1",
        "INSERT INTO users(email, name, password_hash, role, organisation_id, created, updated)"
        " VALUES ('c@test.pl', 'Celina', 'x', 'researcher', 1, 0, 0)",
        "DELETE FROM users WHERE email = 'c@test.pl'",
        "UPDATE resources SET name = 'Confocal microscope' WHERE id = 1",
        "UPDATE resources SET lab_id = 2 WHERE id = 1",
        "INSERT INTO resources(lab_id, name, type, created, updated)"
        " VALUES (1, 'Desk B', 'desk', 0, 0)",
        "DELETE FROM resources WHERE name = 'Desk B'",
        "UPDATE labs SET organisation_id = 1 WHERE id = 2",
    };
    for (size_t i = 0; i < sizeof changes / sizeof *changes; i++) {
        int64_t before = version(t);
        testdb_exec(t, changes[i]);
        if (version(t) <= before)
            fail_msg("the count stayed at %lld after: %s", (long long)before, changes[i]);
    }
    /* And nothing else: other columns, other tables, bookings. */
    const char *others[] = {
        "UPDATE users SET email = 'anna@test.pl', lang = 'pl' WHERE id = 1",
        "UPDATE resources SET description = 'new words' WHERE id = 2",
        "UPDATE labs SET name = 'Lab two', area_m2 = 60 WHERE id = 2",
        "UPDATE organisations SET name = 'Org 1' WHERE id = 1",
    };
    for (size_t i = 0; i < sizeof others / sizeof *others; i++) {
        int64_t before = version(t);
        testdb_exec(t, others[i]);
        assert_int_equal(version(t), before);
    }
}

static void names__a_new_count_gives_the_new_names(void **state)
{
    struct testdb *t = *state;
    struct arena a = {0};
    const struct names *old = current(t);
    testdb_exec(t, "UPDATE users SET name = 'Anna K.' WHERE id = 1;"
                   "UPDATE labs SET organisation_id = 1 WHERE id = 2");
    const struct names *now = current(t);
    assert_ptr_not_equal(now, old);
    int64_t org = 0;
    assert_string_equal(names_user(now, t->db, &a, 1), "Anna K.");
    assert_string_equal(names_resource(now, t->db, &a, 2, &org), "Desk A");
    assert_int_equal(org, 1);
    /* The older loan still reads what it read, until it is given back. */
    assert_string_equal(names_user(old, t->db, &a, 1), "Anna");
    assert_string_equal(names_resource(old, t->db, &a, 2, &org), "Desk A");
    assert_int_equal(org, 2);
    names_put(old);
    names_put(now);
    arena_release(&a);
}

static void names__an_id_the_copy_lacks_is_read_from_the_database(void **state)
{
    struct testdb *t = *state;
    struct arena a = {0};
    const struct names *n = current(t);
    testdb_exec(t, "INSERT INTO users(id, email, name, password_hash, role, created, updated)"
                   " VALUES (7, 'g@test.pl', 'Gość', 'x', 'researcher', 0, 0);"
                   "INSERT INTO resources(id, lab_id, name, type, created, updated)"
                   " VALUES (8, 2, 'Fume hood', 'instrument', 0, 0)");
    int64_t org = 0;
    assert_string_equal(names_user(n, t->db, &a, 7), "Gość");
    assert_string_equal(names_resource(n, t->db, &a, 8, &org), "Fume hood");
    assert_int_equal(org, 2);
    names_put(n);
    /* A count read as NULL (the row lost): a copy for this caller alone,
     * never the one kept. */
    struct ls_err err = {0};
    const struct names *kept = current(t);
    const struct names *alone = names_get(t->db, 0, 0, &err);
    assert_non_null(alone);
    assert_ptr_not_equal(alone, kept);
    assert_string_equal(names_user(alone, t->db, &a, 7), "Gość");
    names_put(alone);
    names_put(kept);
    arena_release(&a);
}

static void names__two_databases_never_share_a_copy(void **state)
{
    struct testdb *t = *state;
    struct testdb *other = testdb_new();
    assert_int_not_equal(version(other), version(t));
    testdb_free(other);
}

/* ---- threads ---- */

struct reader {
    const char *path;
    int rounds, wrong;
};

static void *read_names(void *arg)
{
    struct reader *r = arg;
    struct db *db = NULL;
    struct ls_err err = {0};
    if (db_open(&db, r->path, &err) != LS_OK)
        return NULL;
    struct arena a = {0};
    for (int i = 0; i < r->rounds; i++) {
        struct db_stmt *st = db_stmt(db, "SELECT version FROM names_version WHERE id = 1");
        int64_t v = st && db_step(st) == DB_ROW ? db_column_int64(st, 0) : -1;
        if (st)
            db_reset(st);
        const struct names *n = names_get(db, v, 1, &err);
        const char *name = n ? names_user(n, db, &a, 1) : NULL;
        /* Either name, whole: a copy is never changed while lent. */
        if (!name || (strcmp(name, "Anna") != 0 && strcmp(name, "Anna K.") != 0))
            r->wrong++;
        names_put(n);
        arena_release(&a);
    }
    db_close(db);
    return NULL;
}

static void names__threads_reading_while_names_change(void **state)
{
    struct testdb *t = *state;
    enum { READERS = 4 };
    pthread_t th[READERS];
    struct reader r[READERS];
    for (int i = 0; i < READERS; i++) {
        r[i] = (struct reader){t->path, 300, 0};
        assert_int_equal(pthread_create(&th[i], NULL, read_names, &r[i]), 0);
    }
    for (int k = 0; k < 100; k++)
        testdb_exec(t, k % 2 ? "UPDATE users SET name = 'Anna' WHERE id = 1"
                             : "UPDATE users SET name = 'Anna K.' WHERE id = 1");
    for (int i = 0; i < READERS; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(r[i].wrong, 0);
    }
    struct arena a = {0};
    const struct names *n = current(t);
    assert_string_equal(names_user(n, t->db, &a, 1), "Anna");
    names_put(n);
    arena_release(&a);
}

int main(void)
{
    testutil_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(names__a_copy_has_the_current_names, setup, teardown),
        cmocka_unit_test_setup_teardown(names__every_change_a_list_shows_moves_the_count, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(names__a_new_count_gives_the_new_names, setup, teardown),
        cmocka_unit_test_setup_teardown(names__an_id_the_copy_lacks_is_read_from_the_database,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(names__two_databases_never_share_a_copy, setup, teardown),
        cmocka_unit_test_setup_teardown(names__threads_reading_while_names_change, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
