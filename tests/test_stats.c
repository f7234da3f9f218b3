/* test_stats.c — utilisation and indicators on hand-computable fixtures.
 * The catalogue and bookings are inserted with SQL directly, so these tests
 * depend on the schema only. */
#include "testutil.h"

#include <math.h>

#include "stats.h"
#include "stats_render.h"

#define EPS 1e-9

static struct testdb *T;
static struct arena A;

static int setup(void **state)
{
    (void)state;
    T = testdb_new();
    memset(&A, 0, sizeof A);
    /* org 1: R&D member; org 2: BioF member; org 3: non-member EDU. */
    testdb_exec(T, "INSERT INTO organisations(id, name, grp, package, member, created, updated) "
                   "VALUES (1, 'Instytut, \"Alfa\"', 'R&D', 'gold', 1, 0, 0),"
                   "(2, 'Bio sp. z o.o.', 'BioF', 'silver', 1, 0, 0),"
                   "(3, 'Uczelnia', 'EDU', 'none', 0, 0, 0)");
    testdb_exec(T, "INSERT INTO labs(id, organisation_id, name, kind, area_m2, created, updated) "
                   "VALUES (1, 1, 'Lab A', 'scientific', 100, 0, 0),"
                   "(2, 2, 'Lab B', 'commercial', 50, 0, 0),"
                   "(3, 3, 'Lab C', 'scientific', 1000, 0, 0),"
                   "(4, 1, 'Office', 'office', 40, 0, 0)");
    testdb_exec(T, "INSERT INTO users(id, email, name, role, organisation_id, password_hash, "
                   "created, updated) VALUES (1, 'a@x', 'A', 'researcher', 1, 'x', 0, 0),"
                   "(2, 'b@x', 'B', 'researcher', 2, 'x', 0, 0),"
                   "(3, 'c@x', 'C', 'researcher', NULL, 'x', 0, 0)");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    arena_release(&A);
    testdb_free(T);
    return 0;
}

static int64_t L(int y, int mo, int d, int h, int mi)
{
    int64_t t;
    assert_int_equal(tu_from_local(y, mo, d, h, mi, 0, 1, &t), TU_OK);
    return t;
}

/* A resource in lab `lab`, open `hours` ("week" = Mon–Fri 08–18, "24/7",
 * "none", or "mon" = Monday 08–18). */
static void resource(int id, int lab, int shared, double kw, const char *hours)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO resources(id, lab_id, type, name, shared, power_kw, created, updated) "
             "VALUES (%d, %d, 'instrument', 'R%d', %d, %g, 0, 0)",
             id, lab, id, shared, kw);
    testdb_exec(T, sql);
    for (int d = 1; d <= 7; d++) {
        const char *w = NULL;
        if (strcmp(hours, "24/7") == 0)
            w = "0, 1440";
        else if (strcmp(hours, "week") == 0 && d <= 5)
            w = "480, 1080";
        else if (strcmp(hours, "mon") == 0 && d == 1)
            w = "480, 1080";
        else if (strcmp(hours, "sun") == 0 && d == 7)
            w = "0, 1440";
        if (!w)
            continue;
        snprintf(sql, sizeof sql,
                 "INSERT INTO opening_hours(resource_id, weekday, open_min, close_min) "
                 "VALUES (%d, %d, %s)",
                 id, d, w);
        testdb_exec(T, sql);
    }
}

static void booking(int res, int user, const char *org, int64_t s, int64_t e, const char *status,
                    int no_show)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO bookings(resource_id, user_id, organisation_id, start, end, status, "
             "no_show, created, updated) VALUES (%d, %d, %s, %lld, %lld, '%s', %d, 0, 0)",
             res, user, org, (long long)s, (long long)e, status, no_show);
    testdb_exec(T, sql);
}

static void blackout(int res, int64_t s, int64_t e)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "INSERT INTO blackouts(resource_id, start, end, created) VALUES (%d, %lld, %lld, 0)",
             res, (long long)s, (long long)e);
    testdb_exec(T, sql);
}

static struct stats_utilisation run(int64_t from, int64_t to, enum stats_group_by g)
{
    struct stats_query q = {.from = from, .to = to, .group_by = g};
    struct stats_utilisation u;
    struct ls_err err = {0};
    assert_int_equal(stats_utilisation(T->db, &q, &A, &u, &err), LS_OK);
    return u;
}

/* The week of Monday 8 June 2026. */
#define WEEK L(2026, 6, 8, 0, 0), L(2026, 6, 15, 0, 0)

static void stats__open_week_is_50_hours(void **state)
{
    (void)state;
    resource(1, 1, 1, 0, "week");
    struct stats_utilisation u = run(WEEK, STATS_BY_RESOURCE);
    assert_int_equal(u.n, 1);
    assert_int_equal(u.rows[0].resource_id, 1);
    assert_float_equal(u.rows[0].f.available_hours, 50, EPS);
    assert_float_equal(u.rows[0].f.booked_hours, 0, EPS); /* unbooked still listed */
    assert_float_equal(u.rows[0].f.booked_rate, 0, EPS);
}

static void stats__private_resources_only_on_request(void **state)
{
    (void)state;
    resource(1, 1, 1, 0, "week");
    resource(2, 1, 0, 0, "week");
    assert_int_equal(run(WEEK, STATS_BY_RESOURCE).n, 1);
    struct stats_query q = {
        .from = L(2026, 6, 8, 0, 0), .to = L(2026, 6, 15, 0, 0), .include_private = 1};
    struct stats_utilisation u;
    struct ls_err err = {0};
    assert_int_equal(stats_utilisation(T->db, &q, &A, &u, &err), LS_OK);
    assert_int_equal(u.n, 2);
}

static void stats__booking_across_midnight_and_year_end_is_clipped(void **state)
{
    (void)state;
    resource(1, 1, 1, 2.0, "24/7");
    testdb_exec(T, "INSERT INTO grid_factors(year, kg_per_kwh) VALUES (2026, 0.5), (2027, 0.25)");
    /* 22:00 on 31 December to 02:00 on 1 January, local: 2 h in each year. */
    booking(1, 2, "2", L(2026, 12, 31, 22, 0), L(2027, 1, 1, 2, 0), "approved", 0);
    struct stats_utilisation u = run(L(2026, 1, 1, 0, 0), L(2027, 1, 1, 0, 0), STATS_BY_RESOURCE);
    assert_float_equal(u.summary.booked_hours, 2, EPS);
    assert_int_equal(u.summary.bookings, 1);
    u = run(L(2027, 1, 1, 0, 0), L(2027, 1, 1, 1, 0), STATS_BY_RESOURCE);
    assert_float_equal(u.summary.booked_hours, 1, EPS);
    /* Across the year end: 4 h, one booking, each year's factor: 2 h × 2 kW
     * × 0.5 + 2 h × 2 kW × 0.25 = 3 kg. */
    u = run(L(2026, 12, 31, 0, 0), L(2027, 1, 2, 0, 0), STATS_BY_RESOURCE);
    assert_float_equal(u.summary.booked_hours, 4, EPS);
    assert_int_equal(u.summary.bookings, 1);
    assert_int_equal(u.summary.users, 1);
    assert_float_equal(u.summary.kwh, 8, EPS);
    assert_float_equal(u.summary.kg_co2e, 3, EPS);
    assert_false(u.provisional);
    assert_float_equal(u.summary.available_hours, 48, EPS);
}

static void stats__blackout_removes_only_its_overlap(void **state)
{
    (void)state;
    resource(1, 1, 1, 0, "week");
    /* Monday 17:00 to Tuesday 09:00: 1 h of Monday and 1 h of Tuesday are open. */
    blackout(1, L(2026, 6, 8, 17, 0), L(2026, 6, 9, 9, 0));
    struct stats_utilisation u = run(WEEK, STATS_BY_RESOURCE);
    assert_float_equal(u.rows[0].f.available_hours, 48, EPS);
}

static void stats__overlapping_blackouts_count_once(void **state)
{
    (void)state;
    resource(1, 1, 1, 0, "week");
    /* Wednesday 10–14 and 12–16: 6 h, not 8. A blackout starting before
     * the span and one on Saturday (closed) change nothing more. */
    blackout(1, L(2026, 6, 10, 10, 0), L(2026, 6, 10, 14, 0));
    blackout(1, L(2026, 6, 10, 12, 0), L(2026, 6, 10, 16, 0));
    blackout(1, L(2026, 6, 13, 9, 0), L(2026, 6, 13, 17, 0));
    blackout(1, L(2026, 6, 1, 0, 0), L(2026, 6, 8, 9, 0)); /* 1 h of Monday */
    struct stats_utilisation u = run(WEEK, STATS_BY_RESOURCE);
    assert_float_equal(u.rows[0].f.available_hours, 50 - 6 - 1, EPS);
}

static void stats__cancelled_declined_pending_never_count(void **state)
{
    (void)state;
    resource(1, 1, 1, 1, "week");
    booking(1, 1, "1", L(2026, 6, 8, 8, 0), L(2026, 6, 8, 10, 0), "cancelled", 0);
    booking(1, 1, "1", L(2026, 6, 8, 10, 0), L(2026, 6, 8, 12, 0), "declined", 0);
    booking(1, 1, "1", L(2026, 6, 8, 12, 0), L(2026, 6, 8, 14, 0), "pending", 0);
    booking(1, 1, "1", L(2026, 6, 9, 8, 0), L(2026, 6, 9, 13, 0), "approved", 0);
    struct stats_utilisation u = run(WEEK, STATS_BY_RESOURCE);
    assert_float_equal(u.rows[0].f.booked_hours, 5, EPS);
    assert_int_equal(u.rows[0].f.bookings, 1);
    assert_float_equal(u.rows[0].f.booked_rate, 0.1, EPS);
}

static void stats__no_show_reduces_used_hours(void **state)
{
    (void)state;
    resource(1, 1, 1, 0, "week");
    booking(1, 1, "1", L(2026, 6, 8, 8, 0), L(2026, 6, 8, 18, 0), "approved", 0);
    booking(1, 1, "1", L(2026, 6, 9, 8, 0), L(2026, 6, 9, 13, 0), "approved", 1);
    struct stats_utilisation u = run(WEEK, STATS_BY_RESOURCE);
    assert_float_equal(u.rows[0].f.booked_hours, 15, EPS);
    assert_float_equal(u.rows[0].f.used_hours, 10, EPS);
    assert_float_equal(u.rows[0].f.booked_rate, 0.3, EPS);
    assert_float_equal(u.rows[0].f.used_rate, 0.2, EPS);
}

static void stats__cross_organisation_and_commercial_share(void **state)
{
    (void)state;
    resource(1, 1, 1, 0, "week"); /* owned by org 1 (R&D) */
    booking(1, 1, "1", L(2026, 6, 8, 8, 0), L(2026, 6, 8, 11, 0), "approved", 0); /* own: 3 h */
    booking(1, 2, "2", L(2026, 6, 9, 8, 0), L(2026, 6, 9, 9, 0), "approved", 0);  /* BioF: 1 h */
    booking(1, 3, "NULL", L(2026, 6, 10, 8, 0), L(2026, 6, 10, 9, 0), "approved", 0); /* guest */
    struct stats_utilisation u = run(WEEK, STATS_BY_RESOURCE);
    const struct stats_figures *f = &u.rows[0].f;
    assert_float_equal(f->booked_hours, 5, EPS);
    assert_float_equal(f->cross_hours, 2, EPS);
    assert_float_equal(f->cross_organisation_share, 0.4, EPS);
    /* Commercial: the BioF company and the guest, 2 h of 50 h available. */
    assert_float_equal(f->commercial_hours, 2, EPS);
    assert_float_equal(f->commercial_share, 0.04, EPS);
    assert_int_equal(f->users, 3);
}

static void stats__aggregate_is_hours_weighted(void **state)
{
    (void)state;
    resource(1, 1, 1, 0, "week"); /* A = 50 */
    resource(2, 1, 1, 0, "mon");  /* A = 10 */
    booking(1, 1, "1", L(2026, 6, 8, 8, 0), L(2026, 6, 8, 18, 0), "approved", 0);
    booking(1, 1, "1", L(2026, 6, 9, 8, 0), L(2026, 6, 9, 18, 0), "approved", 0);
    booking(1, 1, "1", L(2026, 6, 10, 8, 0), L(2026, 6, 10, 13, 0), "approved", 0); /* 25 h */
    booking(2, 2, "2", L(2026, 6, 8, 8, 0), L(2026, 6, 8, 18, 0), "approved", 0);   /* 10 h */
    struct stats_utilisation u = run(WEEK, STATS_BY_LAB);
    assert_int_equal(u.n, 1);
    /* Rates 0.5 and 1.0 average to 0.75; hours-weighted it is 35 / 60. */
    assert_float_equal(u.rows[0].f.booked_rate, 35.0 / 60.0, EPS);
    assert_true(fabs(u.rows[0].f.booked_rate - 0.75) > 0.1);
    assert_float_equal(u.summary.booked_rate, 35.0 / 60.0, EPS);
    assert_int_equal(u.rows[0].f.users, 2);
    u = run(WEEK, STATS_BY_ORGANISATION);
    assert_int_equal(u.n, 1);
    assert_int_equal(u.rows[0].organisation_id, 1);
    assert_string_equal(u.rows[0].group, "R&D");
}

/* Distinct bookers are counted in a bitmap of resources × user ids, or in a
 * hash set when that grid would be too large (here: one user id of 10^8).
 * Both ways give the same counts, per row and overall. */
static void stats__distinct_users_bitmap_and_hash_agree(void **state)
{
    (void)state;
    resource(1, 1, 1, 0, "week");
    resource(2, 1, 1, 0, "week");
    resource(3, 2, 1, 0, "week");
    booking(1, 1, "1", L(2026, 6, 8, 8, 0), L(2026, 6, 8, 9, 0), "approved", 0);
    booking(1, 1, "1", L(2026, 6, 9, 8, 0), L(2026, 6, 9, 9, 0), "approved", 0); /* repeat */
    booking(2, 1, "1", L(2026, 6, 8, 8, 0), L(2026, 6, 8, 9, 0), "approved", 0);
    booking(2, 2, "2", L(2026, 6, 9, 8, 0), L(2026, 6, 9, 9, 0), "approved", 0);
    booking(3, 3, "NULL", L(2026, 6, 10, 8, 0), L(2026, 6, 10, 9, 0), "approved", 0);
    int expect_lab[] = {2, 1}; /* lab A: users 1 and 2; lab B: user 3 */
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) /* a user id that makes the grid too large: the hash set */
            testdb_exec(T, "INSERT INTO users(id, email, name, role, password_hash, created,"
                           " updated) VALUES (100000000, 'z@x', 'Z', 'researcher', 'x', 0, 0)");
        struct stats_utilisation u = run(WEEK, STATS_BY_LAB);
        assert_int_equal(u.n, 2);
        for (int i = 0; i < 2; i++)
            assert_int_equal(u.rows[i].f.users, expect_lab[i]);
        assert_int_equal(u.summary.users, 3);
        u = run(WEEK, STATS_BY_RESOURCE);
        assert_int_equal(u.n, 3);
        assert_int_equal(u.rows[0].f.users, 1);
        assert_int_equal(u.rows[1].f.users, 2);
        assert_int_equal(u.rows[2].f.users, 1);
    }
}

/* Resources are found by id through a direct index while ids are dense, by
 * binary search when they are sparse (here 1 and 5000): same figures. */
static void stats__sparse_resource_ids_are_found(void **state)
{
    (void)state;
    resource(1, 1, 1, 0, "week");
    resource(5000, 2, 1, 0, "week");
    booking(1, 1, "1", L(2026, 6, 8, 8, 0), L(2026, 6, 8, 10, 0), "approved", 0);
    booking(5000, 2, "2", L(2026, 6, 9, 8, 0), L(2026, 6, 9, 11, 0), "approved", 0);
    struct stats_utilisation u = run(WEEK, STATS_BY_RESOURCE);
    assert_int_equal(u.n, 2);
    assert_int_equal(u.rows[0].resource_id, 1);
    assert_float_equal(u.rows[0].f.booked_hours, 2, EPS);
    assert_int_equal(u.rows[1].resource_id, 5000);
    assert_float_equal(u.rows[1].f.booked_hours, 3, EPS);
    assert_float_equal(u.summary.booked_hours, 5, EPS);
}

static void stats__grouping_by_group_and_kind(void **state)
{
    (void)state;
    resource(1, 1, 1, 0, "week"); /* R&D, scientific */
    resource(2, 2, 1, 0, "week"); /* BioF, commercial */
    resource(3, 3, 1, 0, "week"); /* EDU, scientific */
    struct stats_utilisation u = run(WEEK, STATS_BY_GROUP);
    assert_int_equal(u.n, 3);
    assert_string_equal(u.rows[0].group, "BioF");
    u = run(WEEK, STATS_BY_KIND);
    assert_int_equal(u.n, 2);
    assert_string_equal(u.rows[0].kind, "commercial");
    assert_string_equal(u.rows[1].kind, "scientific");
    assert_float_equal(u.rows[1].f.available_hours, 100, EPS);
}

static void stats__whole_year_round_the_clock(void **state)
{
    (void)state;
    resource(1, 1, 1, 0, "24/7");
    struct stats_utilisation u = run(L(2026, 1, 1, 0, 0), L(2027, 1, 1, 0, 0), STATS_BY_RESOURCE);
    assert_float_equal(u.summary.available_hours, 8760, EPS);
    u = run(L(2024, 1, 1, 0, 0), L(2025, 1, 1, 0, 0), STATS_BY_RESOURCE);
    assert_float_equal(u.summary.available_hours, 8784, EPS);
}

static void stats__dst_sundays(void **state)
{
    (void)state;
    resource(1, 1, 1, 0, "sun");
    struct stats_utilisation u = run(L(2026, 3, 23, 0, 0), L(2026, 3, 30, 0, 0), STATS_BY_RESOURCE);
    assert_float_equal(u.summary.available_hours, 23, EPS);
    u = run(L(2026, 10, 19, 0, 0), L(2026, 10, 26, 0, 0), STATS_BY_RESOURCE);
    assert_float_equal(u.summary.available_hours, 25, EPS);
    /* A booking over the whole short Sunday is 23 booked hours: rate 1. */
    booking(1, 1, "1", L(2026, 3, 29, 0, 0), L(2026, 3, 30, 0, 0), "approved", 0);
    u = run(L(2026, 3, 23, 0, 0), L(2026, 3, 30, 0, 0), STATS_BY_RESOURCE);
    assert_float_equal(u.summary.booked_rate, 1, EPS);
}

static void stats__span_is_validated(void **state)
{
    (void)state;
    struct stats_query q = {.from = 1000, .to = 1000};
    struct stats_utilisation u;
    struct ls_err err = {0};
    assert_int_equal(stats_utilisation(T->db, &q, &A, &u, &err), LS_EVALIDATION);
    assert_string_equal(err.field, "to");
    q.to = q.from + STATS_MAX_SPAN + 1;
    assert_int_equal(stats_utilisation(T->db, &q, &A, &u, &err), LS_EVALIDATION);
}

static void stats__indicators_with_provisional_factor(void **state)
{
    (void)state;
    resource(1, 1, 1, 1.5, "24/7"); /* member org 1 */
    resource(2, 3, 1, 1.0, "24/7"); /* non-member: not in the figures */
    booking(1, 2, "2", L(2026, 3, 2, 8, 0), L(2026, 3, 2, 12, 0), "approved", 0);
    booking(1, 1, "1", L(2026, 3, 3, 8, 0), L(2026, 3, 3, 12, 0), "approved", 0);
    booking(2, 3, "NULL", L(2026, 3, 3, 8, 0), L(2026, 3, 3, 12, 0), "approved", 0);
    struct stats_indicators in;
    struct ls_err err = {0};
    assert_int_equal(stats_indicators(T->db, 2026, &in, &err), LS_OK);
    const struct stats_year *y = &in.cur;
    /* No 2026 factor: the latest (2024, 0.553, secondary source), provisional. */
    assert_true(y->factor.provisional);
    assert_int_equal(y->factor.year, 2024);
    assert_float_equal(y->factor.kg_per_kwh, 0.553, EPS);
    assert_true(y->factor.estimated);
    /* Member labs: scientific 100 m², commercial 50 m², office 40 m² (not in total). */
    assert_float_equal(y->area_scientific, 100, EPS);
    assert_float_equal(y->area_commercial, 50, EPS);
    assert_float_equal(y->area_total, 150, EPS);
    assert_float_equal(y->area_office, 40, EPS);
    /* (150 × 160 + 40 × 95) kWh × 0.553, all on default intensities. */
    assert_float_equal(y->carbon_infrastructure, (150 * 160 + 40 * 95) * 0.553, 1e-6);
    assert_true(y->intensity_estimated);
    assert_float_equal(y->available_hours, 8760, EPS);
    assert_float_equal(y->booked_hours, 8, EPS);
    assert_float_equal(y->rate, 8.0 / 8760.0, EPS);
    assert_float_equal(y->cross_organisation_share, 0.5, EPS);
    assert_float_equal(y->carbon_bookings, 8 * 1.5 * 0.553, 1e-9);
    assert_int_equal(y->users, 2);
    assert_int_equal(y->shared_resources, 2);
    assert_int_equal(y->shared_labs, 2);
    assert_int_equal(in.prev.year, 2025);
    assert_float_equal(in.prev.booked_hours, 0, EPS);
    assert_float_equal(in.prev.available_hours, 8760, EPS);

    /* A measured intensity and a primary-source factor: nothing estimated. */
    testdb_exec(T, "UPDATE labs SET energy_kwh_per_m2_year = 300");
    testdb_exec(T, "INSERT INTO grid_factors(year, kg_per_kwh, estimated) VALUES (2026, 0.5, 0)");
    assert_int_equal(stats_indicators(T->db, 2026, &in, &err), LS_OK);
    assert_false(in.cur.factor.provisional);
    assert_false(in.cur.factor.estimated);
    assert_false(in.cur.intensity_estimated);
    assert_float_equal(in.cur.carbon_infrastructure, 190 * 300 * 0.5, 1e-6);
    assert_int_equal(stats_indicators(T->db, 1999, &in, &err), LS_EVALIDATION);
    assert_string_equal(err.field, "year");
}

static void stats__grid_factor_configuration(void **state)
{
    (void)state;
    struct ls_err err = {0};
    int created = 0;
    struct stats_grid_factor_row f = {.year = 2025, .kg_per_kwh = 0.55, .source = "KOBiZE"};
    assert_int_equal(stats_grid_factor_put(T->db, &f, &created, &err), LS_OK);
    assert_true(created);
    f.kg_per_kwh = 0.54;
    assert_int_equal(stats_grid_factor_put(T->db, &f, &created, &err), LS_OK);
    assert_false(created);
    f.kg_per_kwh = -1;
    assert_int_equal(stats_grid_factor_put(T->db, &f, &created, &err), LS_EVALIDATION);
    assert_string_equal(err.field, "kg_per_kwh");
    struct stats_grid_factor_row *v;
    int n;
    assert_int_equal(stats_grid_factors_list(T->db, &A, &v, &n, &err), LS_OK);
    assert_int_equal(n, 3);
    assert_int_equal(v[2].year, 2025);
    assert_float_equal(v[2].kg_per_kwh, 0.54, EPS);
    assert_int_equal(stats_grid_factor_delete(T->db, 2025, &err), LS_OK);
    assert_int_equal(stats_grid_factor_delete(T->db, 2025, &err), LS_ENOTFOUND);
    struct stats_energy_default d = {.kind = "office", .kwh_per_m2_year = 120, .source = "own"};
    assert_int_equal(stats_energy_default_put(T->db, &d, &err), LS_OK);
    d.kind = "garage";
    assert_int_equal(stats_energy_default_put(T->db, &d, &err), LS_ENOTFOUND);
}

static void stats__csv_is_rfc4180_with_bom(void **state)
{
    (void)state;
    resource(1, 1, 1, 0, "week");
    struct stats_utilisation u = run(WEEK, STATS_BY_ORGANISATION);
    size_t len;
    char *csv = stats_render_utilisation_csv(&u, CSV_RFC4180, &len);
    assert_int_equal(strlen(csv), len);
    assert_memory_equal(csv, "\xEF\xBB\xBForganisation_id,name,group,", 29);
    /* The organisation's name holds a comma and quotes: quoted, quotes doubled. */
    assert_non_null(strstr(csv, "\r\n1,\"Instytut, \"\"Alfa\"\"\",R&D,50,0,"));
    assert_int_equal(csv[len - 2], '\r');
    assert_int_equal(csv[len - 1], '\n');
    free(csv);
}

static void stats__heatmap_by_local_hour(void **state)
{
    (void)state;
    resource(1, 1, 1, 0, "week");
    booking(1, 1, "1", L(2026, 6, 8, 8, 30), L(2026, 6, 8, 10, 0), "approved", 0);
    booking(1, 1, "1", L(2026, 6, 14, 23, 0), L(2026, 6, 15, 1, 0), "approved", 0);
    struct stats_query q = {.from = L(2026, 6, 8, 0, 0), .to = L(2026, 6, 15, 0, 0)};
    struct stats_heatmap hm;
    struct ls_err err = {0};
    assert_int_equal(stats_heatmap(T->db, &q, &hm, &err), LS_OK);
    assert_float_equal(hm.cell[0][8], 0.5, EPS);
    assert_float_equal(hm.cell[0][9], 1, EPS);
    assert_float_equal(hm.cell[6][23], 1, EPS); /* Sunday 23:00, clipped at the span's end */
    assert_float_equal(hm.cell[0][0], 0, EPS);
}

static void stats__monthly_series(void **state)
{
    (void)state;
    resource(1, 1, 1, 0, "24/7");
    booking(1, 1, "1", L(2026, 1, 31, 23, 0), L(2026, 2, 1, 1, 0), "approved", 0);
    struct stats_query q = {.group_by = STATS_BY_KIND};
    struct stats_utilisation m[12];
    struct ls_err err = {0};
    assert_int_equal(stats_monthly(T->db, 2026, &q, &A, m, &err), LS_OK);
    assert_float_equal(m[0].summary.available_hours, 31 * 24, EPS);
    assert_float_equal(m[0].summary.booked_hours, 1, EPS);
    assert_float_equal(m[1].summary.booked_hours, 1, EPS);
    assert_float_equal(m[2].summary.available_hours, 31 * 24 - 1, EPS); /* March: DST */
    assert_int_equal(m[0].n, 1);
    assert_string_equal(m[0].rows[0].kind, "scientific");
}

int main(void)
{
    testutil_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(stats__open_week_is_50_hours, setup, teardown),
        cmocka_unit_test_setup_teardown(stats__distinct_users_bitmap_and_hash_agree, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(stats__sparse_resource_ids_are_found, setup, teardown),
        cmocka_unit_test_setup_teardown(stats__private_resources_only_on_request, setup, teardown),
        cmocka_unit_test_setup_teardown(stats__booking_across_midnight_and_year_end_is_clipped,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(stats__blackout_removes_only_its_overlap, setup, teardown),
        cmocka_unit_test_setup_teardown(stats__overlapping_blackouts_count_once, setup, teardown),
        cmocka_unit_test_setup_teardown(stats__cancelled_declined_pending_never_count, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(stats__no_show_reduces_used_hours, setup, teardown),
        cmocka_unit_test_setup_teardown(stats__cross_organisation_and_commercial_share, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(stats__aggregate_is_hours_weighted, setup, teardown),
        cmocka_unit_test_setup_teardown(stats__grouping_by_group_and_kind, setup, teardown),
        cmocka_unit_test_setup_teardown(stats__whole_year_round_the_clock, setup, teardown),
        cmocka_unit_test_setup_teardown(stats__dst_sundays, setup, teardown),
        cmocka_unit_test_setup_teardown(stats__span_is_validated, setup, teardown),
        cmocka_unit_test_setup_teardown(stats__indicators_with_provisional_factor, setup, teardown),
        cmocka_unit_test_setup_teardown(stats__grid_factor_configuration, setup, teardown),
        cmocka_unit_test_setup_teardown(stats__csv_is_rfc4180_with_bom, setup, teardown),
        cmocka_unit_test_setup_teardown(stats__heatmap_by_local_hour, setup, teardown),
        cmocka_unit_test_setup_teardown(stats__monthly_series, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
