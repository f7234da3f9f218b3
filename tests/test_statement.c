/* test_statement.c — monthly statements: which bookings are charged
 * (approved, no-shows unless the resource says not, a booker's late
 * cancellation of an approved booking), the month's local bounds across the
 * spring DST change and the month's end, and totals recomputed by hand.
 * Bookings and their frozen prices are written with SQL: the statement
 * reads what booking.c stored. */
#include "testutil.h"

#include <math.h>

#include "statement.h"

static int64_t at(int y, int mo, int d, int h, int mi)
{
    int64_t t;
    assert_int_equal(tu_from_local(y, mo, d, h, mi, 0, 0, &t), TU_OK);
    return t;
}

enum { OWNER = 1, BOOKER = 2, GUEST = 3 };

/* One booking; cancelled_at/by/from only for cancelled ones; rate < 0 = no
 * price kept (a booking from before prices). */
struct row {
    int64_t id, res, user, org, start, end;
    const char *status;
    int no_show;
    int64_t cancelled_before; /* seconds before the start */
    int64_t cancelled_by;
    const char *cancelled_from;
    const char *currency, *cls;
    int64_t rate;
};

static void insert(struct testdb *t, const struct row *r)
{
    char sql[1024], org[24], price[160], cancel[160];
    snprintf(org, sizeof org, r->org ? "%lld" : "NULL", (long long)r->org);
    if (r->rate >= 0)
        snprintf(price, sizeof price, "'%s', '%s', %lld, %lld, %lld", r->currency, r->cls,
                 (long long)r->rate, (long long)(r->end - r->start),
                 (long long)((r->rate * (r->end - r->start) * 2 + 3600) / 7200));
    else
        snprintf(price, sizeof price, "NULL, NULL, NULL, NULL, NULL");
    if (r->cancelled_by)
        snprintf(cancel, sizeof cancel, "%lld, %lld, '%s'",
                 (long long)(r->start - r->cancelled_before), (long long)r->cancelled_by,
                 r->cancelled_from);
    else
        snprintf(cancel, sizeof cancel, "NULL, NULL, NULL");
    snprintf(sql, sizeof sql,
             "INSERT INTO bookings(id, resource_id, user_id, organisation_id, start, end, status,"
             " no_show, created, updated, project, cost_centre, economic, price_currency,"
             " price_class, price_rate, price_seconds, price_net, cancelled_at, cancelled_by,"
             " cancelled_from) VALUES (%lld, %lld, %lld, %s, %lld, %lld, '%s', %d, 0, 0,"
             " 'Grant 7', 'MPK-12', 1, %s, %s)",
             (long long)r->id, (long long)r->res, (long long)r->user, org, (long long)r->start,
             (long long)r->end, r->status, r->no_show, price, cancel);
    testdb_exec(t, sql);
}

static struct testdb *fixture(void)
{
    struct testdb *t = testdb_new();
    testdb_exec(
        t, "INSERT INTO organisations(id, name, grp, member, package, created, updated) VALUES"
           " (1, 'Uczelnia', 'EDU', 1, 'standard', 0, 0), (2, 'Firma', 'BioF', 1, 'gold', 0, 0);"
           "INSERT INTO labs(id, organisation_id, name, kind, area_m2, created, updated)"
           " VALUES (1, 1, 'Lab', 'scientific', 50, 0, 0);"
           "INSERT INTO resources(id, lab_id, type, name, power_kw, charge_no_show,"
           " late_cancel_hours, created, updated) VALUES"
           " (1, 1, 'instrument', 'NMR', 2, 1, 24, 0, 0),"
           " (2, 1, 'instrument', 'PCR', 0, 0, 0, 0, 0),"
           " (3, 1, 'room', 'Cold room', 0.5, 1, 48, 0, 0);");
    const struct user_new users[] = {
        {"owner@x.pl", "Owner", "correct horse battery", ROLE_OWNER, 1, "en"},
        {"b@x.pl", "Booker", "correct horse battery", ROLE_RESEARCHER, 2, "en"},
        {"g@x.pl", "Guest", "correct horse battery", ROLE_RESEARCHER, 0, "en"},
    };
    struct ls_err err = {0};
    for (int i = 0; i < 3; i++) {
        int64_t id;
        assert_int_equal(auth_user_create(t->db, &users[i], &id, &err), LS_OK);
    }
    /* clang-format off */
    const struct row rows[] = {
        /* the spring night: 01:00–04:00 local is 2 h; 180.00/h */
        {1, 1, BOOKER, 2, at(2027, 3, 28, 1, 0), at(2027, 3, 28, 4, 0), "approved", 0, 0, 0, NULL, "PLN", "member_commercial", 18000},
        {2, 1, BOOKER, 2, at(2027, 3, 10, 9, 0), at(2027, 3, 10, 10, 30), "approved", 1, 0, 0, NULL, "PLN", "member_commercial", 18000},
        {3, 2, BOOKER, 2, at(2027, 3, 10, 9, 0), at(2027, 3, 10, 10, 0), "approved", 1, 0, 0, NULL, "PLN", "member_commercial", 5000},
        {4, 1, BOOKER, 2, at(2027, 3, 11, 9, 0), at(2027, 3, 11, 10, 0), "cancelled", 0, 10 * 3600, BOOKER, "approved", "PLN", "member_commercial", 18000},
        {5, 1, BOOKER, 2, at(2027, 3, 12, 9, 0), at(2027, 3, 12, 10, 0), "cancelled", 0, 3600, OWNER, "approved", "PLN", "member_commercial", 18000},
        {6, 1, BOOKER, 2, at(2027, 3, 13, 9, 0), at(2027, 3, 13, 10, 0), "cancelled", 0, 30 * 3600, BOOKER, "approved", "PLN", "member_commercial", 18000},
        {7, 1, BOOKER, 2, at(2027, 3, 14, 9, 0), at(2027, 3, 14, 10, 0), "cancelled", 0, 3600, BOOKER, "pending", "PLN", "member_commercial", 18000},
        {8, 2, BOOKER, 2, at(2027, 3, 15, 9, 0), at(2027, 3, 15, 10, 0), "cancelled", 0, 3600, BOOKER, "approved", "PLN", "member_commercial", 5000},
        /* the month's last hour into April: starts in March, charged in March */
        {9, 3, GUEST, 0, at(2027, 3, 31, 23, 0), at(2027, 4, 1, 1, 0), "approved", 0, 0, 0, NULL, "EUR", "non_member", 3333},
        {10, 3, GUEST, 0, at(2027, 4, 1, 0, 0), at(2027, 4, 1, 1, 0), "approved", 0, 0, 0, NULL, "EUR", "non_member", 3333},
        {11, 1, BOOKER, 2, at(2027, 2, 28, 23, 0), at(2027, 3, 1, 1, 0), "approved", 0, 0, 0, NULL, "PLN", "member_commercial", 18000},
        {12, 1, BOOKER, 2, at(2027, 3, 16, 9, 0), at(2027, 3, 16, 10, 0), "pending", 0, 0, 0, NULL, "PLN", "member_commercial", 18000},
        {13, 1, OWNER, 1, at(2027, 3, 17, 9, 0), at(2027, 3, 17, 10, 0), "approved", 0, 0, 0, NULL, NULL, NULL, -1},
    };
    /* clang-format on */
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++)
        insert(t, &rows[i]);
    return t;
}

static void statement__month_is_parsed_strictly(void **state)
{
    (void)state;
    int y, m;
    assert_int_equal(statement_parse_month("2027-03", &y, &m), 0);
    assert_true(y == 2027 && m == 3);
    const char *bad[] = {"2027-3",     "2027-13", "2027-00", "27-03", "2027/03",
                         "2027-03-01", "1999-12", "abcd-ef", "",      "+027-03"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(statement_parse_month(bad[i], &y, &m), -1);
}

static const struct statement_line *line(const struct statement *s, int64_t id)
{
    for (int i = 0; i < s->nlines; i++)
        if (s->lines[i].booking_id == id)
            return &s->lines[i];
    return NULL;
}

static void statement__charges_what_the_rules_say_and_adds_up(void **state)
{
    (void)state;
    struct testdb *t = fixture();
    struct ls_err err = {0};
    struct arena a = {0};
    struct statement s;
    assert_int_equal(statement_month(t->db, 2027, 3, 0, at(2027, 4, 2, 0, 0), &a, &s, &err), LS_OK);
    assert_false(s.provisional);
    assert_string_equal(s.month_name, "2027-03");
    assert_true(s.from == at(2027, 3, 1, 0, 0) && s.to == at(2027, 4, 1, 0, 0));
    /* Charged: 1 (approved), 2 (no-show, charged), 4 (late by the booker),
     * 9 (into April), 13 (no price kept); in start order. */
    const int64_t want[] = {2, 4, 13, 1, 9};
    assert_int_equal(s.nlines, 5);
    for (int i = 0; i < 5; i++)
        assert_int_equal(s.lines[i].booking_id, want[i]);
    const struct statement_line *l1 = line(&s, 1), *l2 = line(&s, 2), *l4 = line(&s, 4);
    assert_true(l1->price.seconds == 7200 && l1->price.net_minor == 36000);
    assert_true(l1->price.hours == 2 && l1->price.net == 360);
    assert_string_equal(l1->project, "Grant 7");
    assert_string_equal(l1->cost_centre, "MPK-12");
    assert_true(l2->no_show && !l2->late_cancellation && l2->price.net_minor == 27000);
    assert_true(l4->late_cancellation && l4->price.net_minor == 18000);
    assert_null(line(&s, 13)->price.currency);
    assert_null(line(&s, 9)->customer_name); /* a guest */
    /* kg CO2e: hours × 2 kW × the latest factor (2024's 0.553, none for 2027);
     * nothing for the late cancellation. */
    assert_true(fabs(l1->kg_co2e - 2 * 2 * 0.553) < 1e-9);
    assert_true(l4->kg_co2e == 0);
    /* Customers: guests (EUR), org 1 (PLN), org 2 (PLN). */
    assert_int_equal(s.ncustomers, 3);
    assert_true(s.customers[0].organisation_id == 0);
    assert_string_equal(s.customers[0].currency, "EUR");
    assert_true(s.customers[0].net_minor == 6666 && s.customers[0].hours == 2); /* 33.33 × 2 */
    assert_true(s.customers[1].organisation_id == 1 && s.customers[1].net_minor == 0);
    assert_true(s.customers[1].lines == 1 && s.customers[1].hours == 1);
    const struct statement_total *c2 = &s.customers[2];
    assert_true(c2->organisation_id == 2 && c2->lines == 3);
    assert_true(c2->net_minor == 36000 + 27000 + 18000 && c2->net == 810);
    assert_true(c2->hours == 2 + 1.5 + 1);
    /* Providers: org 1 in EUR and in PLN. */
    assert_int_equal(s.nproviders, 2);
    assert_string_equal(s.providers[0].currency, "EUR");
    assert_true(s.providers[1].net_minor == 81000 && s.providers[1].lines == 4);
    arena_release(&a);
    testdb_free(t);
}

static void statement__one_organisation_and_a_month_not_over(void **state)
{
    (void)state;
    struct testdb *t = fixture();
    struct ls_err err = {0};
    struct arena a = {0};
    struct statement s;
    assert_int_equal(statement_month(t->db, 2027, 3, 2, at(2027, 3, 31, 23, 0), &a, &s, &err),
                     LS_OK);
    assert_true(s.provisional);
    assert_int_equal(s.nlines, 3); /* org 2 as a customer: 1, 2, 4 */
    assert_int_equal(s.nproviders, 1);
    assert_int_equal(s.providers[0].organisation_id, 1);
    assert_int_equal(statement_month(t->db, 2027, 4, 0, 0, &a, &s, &err), LS_OK);
    assert_int_equal(s.nlines, 1);
    assert_int_equal(s.lines[0].booking_id, 10);
    assert_int_equal(statement_month(t->db, 2027, 13, 0, 0, &a, &s, &err), LS_EVALIDATION);
    assert_string_equal(err.field, "month");
    arena_release(&a);
    testdb_free(t);
}

int main(void)
{
    testutil_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(statement__month_is_parsed_strictly),
        cmocka_unit_test(statement__charges_what_the_rules_say_and_adds_up),
        cmocka_unit_test(statement__one_organisation_and_a_month_not_over),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
