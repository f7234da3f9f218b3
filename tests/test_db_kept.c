/* test_db_kept.c — the reads a server keeps on PostgreSQL (db_kept.h),
 * with results built by libpq itself (no server needed): a kept result
 * comes back as a copy of every row and NULL, only for the same text and
 * the same values (a NULL differs from an empty text), a forgetting drops
 * every one, a result read before a forgetting is not kept after it (the
 * race of a read with an announcement), an entry ages out, and results
 * that are not rows or too many rows are not kept. */
#include "testutil.h"

#include <string.h>

#include "db_kept.h"

static const char SQL[] = "SELECT weekday, open_min FROM opening_hours WHERE resource_id = $1";

/* A result of `rows` rows of two text columns: "r<i>" and NULL for odd i. */
static PGresult *rows_of(int rows)
{
    PGresult *r = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
    assert_non_null(r);
    PGresAttDesc cols[2] = {{.name = "weekday", .typid = 25, .typlen = -1, .atttypmod = -1},
                            {.name = "open_min", .typid = 25, .typlen = -1, .atttypmod = -1}};
    assert_int_equal(PQsetResultAttrs(r, 2, cols), 1);
    for (int i = 0; i < rows; i++) {
        char v[16];
        int n = snprintf(v, sizeof v, "r%d", i);
        assert_int_equal(PQsetvalue(r, i, 0, v, n), 1);
        assert_int_equal(PQsetvalue(r, i, 1, i % 2 ? NULL : "7", i % 2 ? -1 : 1), 1);
    }
    return r;
}

static struct kept_key key_for(const char *const *vals, const int *lens, int n)
{
    return (struct kept_key){SQL, n, vals, lens};
}

static void db_kept__a_kept_result_comes_back_as_a_copy(void **state)
{
    (void)state;
    db_kept_forget();
    const char *vals[] = {"12"};
    int lens[] = {2};
    struct kept_key k = key_for(vals, lens, 1);
    PGresult *r = rows_of(3);
    db_kept_put(db_kept_epoch(), &k, r, 1000);
    PQclear(r); /* the entry holds its own */

    PGresult *got = db_kept_find(&k, 1001);
    assert_non_null(got);
    assert_int_equal(PQntuples(got), 3);
    assert_int_equal(PQnfields(got), 2);
    assert_string_equal(PQfname(got, 1), "open_min");
    assert_string_equal(PQgetvalue(got, 2, 0), "r2");
    assert_string_equal(PQgetvalue(got, 0, 1), "7");
    assert_int_equal(PQgetisnull(got, 1, 1), 1);
    PQclear(got);
    /* Each find hands out a copy of its own. */
    PGresult *again = db_kept_find(&k, 1002);
    assert_non_null(again);
    assert_string_equal(PQgetvalue(again, 1, 0), "r1");
    PQclear(again);
}

static void db_kept__only_the_same_text_and_values_find_it(void **state)
{
    (void)state;
    db_kept_forget();
    const char *vals[] = {"12", "pl"};
    int lens[] = {2, 2};
    struct kept_key k = key_for(vals, lens, 2);
    PGresult *r = rows_of(1);
    db_kept_put(db_kept_epoch(), &k, r, 0);
    PQclear(r);

    const char *other[] = {"13", "pl"};
    struct kept_key k2 = key_for(other, lens, 2);
    assert_null(db_kept_find(&k2, 1));
    const char *null_second[] = {"12", NULL};
    struct kept_key k3 = key_for(null_second, lens, 2);
    assert_null(db_kept_find(&k3, 1));
    struct kept_key k4 = {"SELECT 1 WHERE $1 = $2", 2, vals, lens};
    assert_null(db_kept_find(&k4, 1));
    struct kept_key k5 = key_for(vals, lens, 1); /* fewer values */
    assert_null(db_kept_find(&k5, 1));

    PGresult *same = db_kept_find(&k, 1);
    assert_non_null(same);
    PQclear(same);
}

static void db_kept__a_null_differs_from_an_empty_text(void **state)
{
    (void)state;
    db_kept_forget();
    const char *empty[] = {""};
    const char *null[] = {NULL};
    int lens[] = {0};
    struct kept_key ke = key_for(empty, lens, 1), kn = key_for(null, lens, 1);
    PGresult *r = rows_of(2);
    db_kept_put(db_kept_epoch(), &ke, r, 0);
    PQclear(r);
    assert_null(db_kept_find(&kn, 1));
    PGresult *got = db_kept_find(&ke, 1);
    assert_non_null(got);
    PQclear(got);
}

static void db_kept__a_forgetting_drops_every_result(void **state)
{
    (void)state;
    db_kept_forget();
    const char *a[] = {"1"}, *b[] = {"2"};
    int lens[] = {1};
    struct kept_key ka = key_for(a, lens, 1), kb = key_for(b, lens, 1);
    PGresult *r = rows_of(1);
    db_kept_put(db_kept_epoch(), &ka, r, 0);
    db_kept_put(db_kept_epoch(), &kb, r, 0);
    PQclear(r);
    db_kept_forget();
    assert_null(db_kept_find(&ka, 1));
    assert_null(db_kept_find(&kb, 1));
}

static void db_kept__a_read_older_than_a_forgetting_is_not_kept(void **state)
{
    (void)state;
    db_kept_forget();
    const char *vals[] = {"5"};
    int lens[] = {1};
    struct kept_key k = key_for(vals, lens, 1);
    uint64_t before = db_kept_epoch(); /* the read starts… */
    db_kept_forget();                  /* …an announcement arrives… */
    PGresult *r = rows_of(1);
    db_kept_put(before, &k, r, 0); /* …and what it read may be stale */
    assert_null(db_kept_find(&k, 1));
    db_kept_put(db_kept_epoch(), &k, r, 0);
    PQclear(r);
    PGresult *got = db_kept_find(&k, 1);
    assert_non_null(got);
    PQclear(got);
}

static void db_kept__an_entry_ages_out(void **state)
{
    (void)state;
    db_kept_forget();
    const char *vals[] = {"9"};
    int lens[] = {1};
    struct kept_key k = key_for(vals, lens, 1);
    PGresult *r = rows_of(1);
    db_kept_put(db_kept_epoch(), &k, r, 5000);
    PQclear(r);
    PGresult *young = db_kept_find(&k, 5000 + KEPT_MAX_AGE_MS - 1);
    assert_non_null(young);
    PQclear(young);
    assert_null(db_kept_find(&k, 5000 + KEPT_MAX_AGE_MS));
}

static void db_kept__only_small_row_results_are_kept(void **state)
{
    (void)state;
    db_kept_forget();
    const char *vals[] = {"3"};
    int lens[] = {1};
    struct kept_key k = key_for(vals, lens, 1);
    PGresult *many = rows_of(1000);
    db_kept_put(db_kept_epoch(), &k, many, 0);
    PQclear(many);
    assert_null(db_kept_find(&k, 1));
    PGresult *command = PQmakeEmptyPGresult(NULL, PGRES_COMMAND_OK);
    db_kept_put(db_kept_epoch(), &k, command, 0);
    PQclear(command);
    assert_null(db_kept_find(&k, 1));
    /* A key too long to serialise is neither kept nor found. */
    static char big[8192];
    memset(big, 'x', sizeof big - 1);
    const char *huge[] = {big};
    int hl[] = {(int)sizeof big - 1};
    struct kept_key kh = key_for(huge, hl, 1);
    PGresult *r = rows_of(1);
    db_kept_put(db_kept_epoch(), &kh, r, 0);
    PQclear(r);
    assert_null(db_kept_find(&kh, 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(db_kept__a_kept_result_comes_back_as_a_copy),
        cmocka_unit_test(db_kept__only_the_same_text_and_values_find_it),
        cmocka_unit_test(db_kept__a_null_differs_from_an_empty_text),
        cmocka_unit_test(db_kept__a_forgetting_drops_every_result),
        cmocka_unit_test(db_kept__a_read_older_than_a_forgetting_is_not_kept),
        cmocka_unit_test(db_kept__an_entry_ages_out),
        cmocka_unit_test(db_kept__only_small_row_results_are_kept),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
