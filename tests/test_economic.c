/* test_economic.c — the State-aid tracker: the share against the cap in
 * integers, the default flag, the guard that refuses what would cross the
 * cap and accepts what fills it exactly, the owners told once a year, and
 * the yearly report. Bookings are written with SQL (the booking rules are
 * another module's); 2027 is fixed: the rule is about whole years. */
#include "testutil.h"

#include "catalogue.h"
#include "economic.h"
#include "price.h"
#include "stats.h"

/* A local wall time in Warsaw → instant. */
static int64_t at(int y, int mo, int d, int h, int mi)
{
    int64_t t;
    assert_int_equal(tu_from_local(y, mo, d, h, mi, 0, 0, &t), TU_OK);
    return t;
}

static void economic__judge_compares_the_cap_exactly(void **state)
{
    (void)state;
    const int64_t avail = 100 * 3600; /* 100 h: the cap of 0.2 is 20 h to the second */
    assert_int_equal(economic_judge(20 * 3600, avail, 0.2), ECONOMIC_OK + 1); /* warning */
    assert_int_equal(economic_judge(20 * 3600 + 1, avail, 0.2), ECONOMIC_OVER);
    assert_int_equal(economic_judge(16 * 3600, avail, 0.2), ECONOMIC_WARNING); /* 80 % */
    assert_int_equal(economic_judge(16 * 3600 - 1, avail, 0.2), ECONOMIC_OK);
    assert_int_equal(economic_judge(0, avail, 0), ECONOMIC_OK); /* no use, no cap: fine */
    assert_int_equal(economic_judge(1, avail, 0), ECONOMIC_OVER);
    assert_int_equal(economic_judge(1, 0, 1), ECONOMIC_OVER); /* no capacity at all */
    assert_string_equal(economic_status_name(ECONOMIC_WARNING), "warning");
}

static void economic__default_flag_follows_the_bookers_organisation(void **state)
{
    (void)state;
    struct price_customer biof = {1, "BioF", 1, "gold"}, biz = {2, "BIZ", 1, "none"},
                          edu = {3, "EDU", 1, "silver"}, outside = {4, "EDU", 0, "none"},
                          guest = {0, NULL, 0, "none"};
    assert_true(economic_default(&biof));
    assert_true(economic_default(&biz));
    assert_false(economic_default(&edu));
    assert_true(economic_default(&outside));
    assert_true(economic_default(&guest));
}

/* Org 1 (EDU) owns resource 1, funded with a cap of 0.2, open Mon–Fri
 * 08:00–18:00; resource 2 is the same but not funded. */
static struct testdb *fixture(void)
{
    struct testdb *t = testdb_new();
    testdb_exec(t, "INSERT INTO organisations(id, name, grp, created, updated) VALUES"
                   " (1, 'Uczelnia', 'EDU', 0, 0), (2, 'Firma', 'BioF', 0, 0);"
                   "INSERT INTO labs(id, organisation_id, name, kind, area_m2, created, updated)"
                   " VALUES (1, 1, 'Lab', 'scientific', 50, 0, 0);"
                   "INSERT INTO resources(id, lab_id, type, name, funding_programme, funding_cap,"
                   " created, updated) VALUES (1, 1, 'instrument', 'NMR', 'FENG', 0.2, 0, 0),"
                   " (2, 1, 'instrument', 'PCR', NULL, NULL, 0, 0);"
                   "WITH RECURSIVE d(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM d WHERE n < 5)"
                   " INSERT INTO opening_hours(resource_id, weekday, open_min, close_min)"
                   " SELECT r.id, d.n, 480, 1080 FROM d, resources r;");
    struct user_new owner = {"owner@x.pl", "Owner", "correct horse battery", ROLE_OWNER, 1, "en"};
    struct user_new booker = {"b@x.pl",        "Booker", "correct horse battery",
                              ROLE_RESEARCHER, 2,        "pl"};
    struct ls_err err = {0};
    int64_t id;
    assert_int_equal(auth_user_create(t->db, &owner, &id, &err), LS_OK);
    assert_int_equal(auth_user_create(t->db, &booker, &id, &err), LS_OK);
    return t;
}

/* An approved booking [s, e) of resource res by the booker (user 2). */
static void approved(struct testdb *t, int64_t res, int64_t s, int64_t e, int economic)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "INSERT INTO bookings(resource_id, user_id, organisation_id, start, end, status,"
             " created, updated, economic) VALUES (%lld, 2, 2, %lld, %lld, 'approved', 0, 0, %d)",
             (long long)res, (long long)s, (long long)e, economic);
    testdb_exec(t, sql);
}

static void economic__guard_refuses_crossing_and_accepts_filling_exactly(void **state)
{
    (void)state;
    struct testdb *t = fixture();
    struct ls_err err = {0};
    int64_t y0 = at(2027, 1, 1, 0, 0), y1 = at(2028, 1, 1, 0, 0), avail = 0;
    /* 2027 has 261 weekdays of 10 h; the cap is a fifth of them: 522 h. */
    assert_int_equal(stats_available_seconds(t->db, 1, y0, y1, &avail, &err), LS_OK);
    assert_true(avail == 261 * 10 * 3600LL);
    const int64_t cap = avail / 5;
    /* Economic use so far: the cap less 2 hours (other years' and
     * non-economic bookings do not count). */
    approved(t, 1, at(2027, 2, 1, 8, 0), at(2027, 2, 1, 8, 0) + cap - 2 * 3600, 1);
    approved(t, 1, at(2027, 6, 1, 8, 0), at(2027, 6, 1, 18, 0), 0);
    approved(t, 1, at(2026, 6, 1, 8, 0), at(2026, 6, 1, 18, 0), 1);
    int64_t s = at(2027, 9, 1, 8, 0);
    int64_t fits = s + 2 * 3600, crosses = s + 2 * 3600 + 1;
    assert_int_equal(economic_guard(t->db, 1, NULL, &s, &fits, 1, 0, &err), LS_OK);
    assert_int_equal(economic_guard(t->db, 1, NULL, &s, &crosses, 1, 0, &err), LS_EECONOMIC_CAP);
    assert_int_equal(ls_code_status(err.code), 409);
    assert_string_equal(ls_code_name(err.code), "economic_cap");
    assert_non_null(strstr(err.message, "2027"));
    /* The funding a caller has read already is the one judged by (a new
     * booking reads its resource once): none, never refused; a cap of a
     * tenth, refused where a fifth fits. */
    const struct funding unfunded = {0}, tenth = {"Programme", 0.1};
    assert_int_equal(economic_guard(t->db, 1, &unfunded, &s, &crosses, 1, 0, &err), LS_OK);
    assert_int_equal(economic_guard(t->db, 1, &tenth, &s, &fits, 1, 0, &err), LS_EECONOMIC_CAP);
    assert_non_null(strstr(err.message, "10.00 %"));
    /* A series across the year end counts in each year what falls in it:
     * 2 h in 2027 fit, 3 h do not, whatever 2028 holds. */
    int64_t ny[2] = {at(2027, 12, 31, 8, 0), at(2028, 1, 3, 8, 0)};
    int64_t ne[2] = {at(2027, 12, 31, 10, 0), at(2028, 1, 3, 18, 0)};
    assert_int_equal(economic_guard(t->db, 1, NULL, ny, ne, 2, 0, &err), LS_OK);
    ne[0] += 3600;
    assert_int_equal(economic_guard(t->db, 1, NULL, ny, ne, 2, 0, &err), LS_EECONOMIC_CAP);
    assert_int_equal(economic_guard(t->db, 1, NULL, &ny[1], &ne[1], 1, 0, &err), LS_OK);
    /* A blackout lowers the capacity: the 2 h no longer fit. */
    testdb_exec(t, "INSERT INTO blackouts(resource_id, start, end, created)"
                   " SELECT 1, 1815343200, 1815343200 + 86400 * 7, 0"); /* 2027-07-12, a week */
    assert_int_equal(stats_available_seconds(t->db, 1, y0, y1, &avail, &err), LS_OK);
    assert_true(avail == 256 * 10 * 3600LL);
    assert_int_equal(economic_guard(t->db, 1, NULL, &s, &fits, 1, 0, &err), LS_EECONOMIC_CAP);
    /* Resources without funding are never refused. */
    int64_t long_end = s + 300 * 3600;
    assert_int_equal(economic_guard(t->db, 2, NULL, &s, &long_end, 1, 0, &err), LS_OK);
    testdb_free(t);
}

static void economic__owners_are_told_once_a_year_past_80_percent(void **state)
{
    (void)state;
    struct testdb *t = fixture();
    struct ls_err err = {0};
    int64_t y0 = at(2027, 1, 1, 0, 0), y1 = at(2028, 1, 1, 0, 0), avail = 0;
    assert_int_equal(stats_available_seconds(t->db, 1, y0, y1, &avail, &err), LS_OK);
    int64_t s = at(2027, 3, 1, 8, 0), e = s + avail / 5 * 8 / 10 - 1; /* just under 80 % */
    approved(t, 1, s, e, 1);
    assert_int_equal(economic_note(t->db, 1, NULL, &s, &e, 1, 1, 2, 1800000000, &err), LS_OK);
    assert_int_equal(testdb_count(t, "SELECT count(*) FROM outbox"), 0);
    int64_t s2 = at(2027, 10, 4, 8, 0), e2 = s2 + 3600;
    approved(t, 1, s2, e2, 1);
    assert_int_equal(economic_note(t->db, 1, NULL, &s2, &e2, 1, 2, 2, 1800000000, &err), LS_OK);
    assert_int_equal(testdb_count(t, "SELECT count(*) FROM outbox WHERE kind = 'economic'"
                                     " AND email = 'owner@x.pl' AND booking_id = 2"
                                     " AND reason LIKE '2027|0.16%|0.200000'"),
                     1);
    assert_int_equal(testdb_count(t, "SELECT count(*) FROM economic_alerts WHERE resource_id = 1"
                                     " AND year = 2027 AND booking_id = 2"),
                     1);
    approved(t, 1, s2 + 86400, e2 + 86400, 1);
    assert_int_equal(economic_note(t->db, 1, NULL, &s2, &e2, 1, 3, 2, 1800000000, &err), LS_OK);
    assert_int_equal(testdb_count(t, "SELECT count(*) FROM outbox"), 1); /* once */
    testdb_free(t);
}

static void economic__report_lists_every_funded_resource(void **state)
{
    (void)state;
    struct testdb *t = fixture();
    struct ls_err err = {0};
    struct arena a = {0};
    approved(t, 1, at(2027, 3, 1, 8, 0), at(2027, 3, 1, 18, 0), 1);
    approved(t, 1, at(2027, 3, 2, 8, 0), at(2027, 3, 2, 18, 0), 0);
    struct economic_use u;
    assert_int_equal(economic_use(t->db, 2027, 0, at(2027, 6, 1, 0, 0), &a, &u, &err), LS_OK);
    assert_int_equal(u.n, 1); /* the unfunded PCR is not there */
    assert_true(u.provisional);
    const struct economic_row *r = &u.rows[0];
    assert_int_equal(r->resource_id, 1);
    assert_string_equal(r->programme, "FENG");
    assert_true(r->available_hours == 2610 && r->economic_hours == 10);
    assert_true(r->economic_share == 10.0 / 2610.0 && r->cap == 0.2);
    assert_string_equal(r->status_name, "ok");
    assert_int_equal(economic_use(t->db, 2027, 2, at(2028, 6, 1, 0, 0), &a, &u, &err), LS_OK);
    assert_int_equal(u.n, 0); /* organisation 2 has no funded resource */
    assert_false(u.provisional);
    assert_int_equal(economic_use(t->db, 1999, 0, 0, &a, &u, &err), LS_EVALIDATION);
    assert_string_equal(err.field, "year");
    arena_release(&a);
    testdb_free(t);
}

int main(void)
{
    testutil_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(economic__judge_compares_the_cap_exactly),
        cmocka_unit_test(economic__default_flag_follows_the_bookers_organisation),
        cmocka_unit_test(economic__guard_refuses_crossing_and_accepts_filling_exactly),
        cmocka_unit_test(economic__owners_are_told_once_a_year_past_80_percent),
        cmocka_unit_test(economic__report_lists_every_funded_resource),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
