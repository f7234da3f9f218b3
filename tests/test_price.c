/* test_price.c — customer classes, package discounts and prices in minor
 * units, recomputed by hand. */
#include "testutil.h"

#include <math.h>

#include "catalogue.h"
#include "price.h"

static void price__class_follows_the_bookers_organisation(void **state)
{
    (void)state;
    struct price_customer own = {5, "EDU", 1, "gold"}, edu = {6, "EDU", 1, "silver"},
                          biof = {7, "BioF", 1, "gold"}, biz = {8, "BIZ", 1, "none"},
                          outside = {9, "BioF", 0, "none"}, guest = {0, NULL, 0, "none"};
    assert_int_equal(price_class_of(&own, 5), PRICE_INTERNAL); /* whatever its group */
    assert_int_equal(price_class_of(&edu, 5), PRICE_MEMBER_ACADEMIC);
    const char *groups[] = {"EDU", "R&D", "MED", "GOV"};
    for (int i = 0; i < 4; i++) {
        struct price_customer c = {6, groups[i], 1, "standard"};
        assert_int_equal(price_class_of(&c, 5), PRICE_MEMBER_ACADEMIC);
    }
    assert_int_equal(price_class_of(&biof, 5), PRICE_MEMBER_COMMERCIAL);
    assert_int_equal(price_class_of(&biz, 5), PRICE_MEMBER_COMMERCIAL);
    assert_int_equal(price_class_of(&outside, 5), PRICE_NON_MEMBER);
    assert_int_equal(price_class_of(&guest, 5), PRICE_NON_MEMBER);
    assert_string_equal(price_class_name(PRICE_MEMBER_COMMERCIAL), "member_commercial");
    assert_int_equal(price_class_parse("non_member"), PRICE_NON_MEMBER);
    assert_int_equal(price_class_parse("vip"), -1);
}

static struct resource priced(double internal, double academic, double commercial, double other)
{
    struct resource r;
    catalogue_defaults(&catalogue_resource, &r);
    r.organisation_id = 5;
    r.prices = (struct price_list){"PLN", internal, academic, commercial, other};
    return r;
}

static void price__member_rates_take_the_discount_rounded_to_the_grosz(void **state)
{
    (void)state;
    struct resource r = priced(50, 100.5, 123.45, NAN);
    assert_true(price_rate_minor(&r, PRICE_INTERNAL, 20) == 5000); /* no discount inside */
    assert_true(price_rate_minor(&r, PRICE_MEMBER_ACADEMIC, 10) == 9045);
    /* 12345 × 0.9 = 11110.5 grosze: half away from zero */
    assert_true(price_rate_minor(&r, PRICE_MEMBER_COMMERCIAL, 10) == 11111);
    assert_true(price_rate_minor(&r, PRICE_MEMBER_COMMERCIAL, 0) == 12345);
    assert_true(price_rate_minor(&r, PRICE_NON_MEMBER, 0) == PRICE_NONE);
    memset(&r.prices, 0, sizeof r.prices); /* no price list: free */
    assert_true(price_rate_minor(&r, PRICE_NON_MEMBER, 0) == 0);
    /* net = rate × hours, half away from zero: 90.45 × 1.5 h = 135.675 → 135.68 */
    assert_true(price_net_minor(9045, 5400) == 13568);
    assert_true(price_net_minor(9045, 3600) == 9045);
    assert_true(price_net_minor(3333, 1800) == 1667); /* 16.665 → 16.67 */
    assert_true(price_net_minor(PRICE_NONE, 3600) == PRICE_NONE);
}

static void price__compute_sums_each_occurrence_and_counts_real_hours(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    struct ls_err err = {0};
    struct resource r = priced(33.33, 100, 200, NAN);
    /* Three half hours at 33.33: each 16.67, the series 50.01 (not 49.995 → 50.00). */
    int64_t s[3] = {1800000000, 1800086400, 1800172800}, e[3];
    for (int i = 0; i < 3; i++)
        e[i] = s[i] + 1800;
    struct price_customer own = {5, "EDU", 1, "standard"};
    struct price p;
    assert_int_equal(price_compute(t->db, &r, &own, s, e, 3, &p, &err), LS_OK);
    assert_string_equal(p.class_name, "internal");
    assert_true(p.rate_minor == 3333 && p.seconds == 5400 && p.net_minor == 5001);
    assert_true(p.net == 50.01 && p.hours == 1.5 && p.occurrences == 3);
    /* The night of the spring change: 01:00–04:00 local is 2 real hours. */
    int64_t a, b;
    assert_int_equal(tu_from_local(2027, 3, 28, 1, 0, 0, 0, &a), TU_OK);
    assert_int_equal(tu_from_local(2027, 3, 28, 4, 0, 0, 0, &b), TU_OK);
    struct price_customer gold = {6, "R&D", 1, "gold"};
    assert_int_equal(price_compute(t->db, &r, &gold, &a, &b, 1, &p, &err), LS_OK);
    assert_string_equal(p.class_name, "member_academic");
    assert_true(p.rate_minor == 8000 && p.seconds == 7200 && p.net_minor == 16000);
    /* A class the list gives no rate: no rate, no net. */
    struct price_customer guest = {0, NULL, 0, "none"};
    assert_int_equal(price_compute(t->db, &r, &guest, &a, &b, 1, &p, &err), LS_OK);
    assert_true(p.rate_minor == PRICE_NONE && p.net_minor == PRICE_NONE);
    assert_true(isnan(p.rate) && isnan(p.net) && p.hours == 2);
    testdb_free(t);
}

static void price__discounts_round_trip_and_refuse_out_of_range(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    struct ls_err err = {0};
    struct price_discounts d;
    assert_int_equal(price_discounts_get(t->db, &d, &err), LS_OK);
    assert_true(d.standard == 0 && d.silver == 10 && d.gold == 20); /* the defaults */
    d.silver = 12.5;
    assert_int_equal(price_discounts_put(t->db, &d, &err), LS_OK);
    struct price_discounts back;
    assert_int_equal(price_discounts_get(t->db, &back, &err), LS_OK);
    assert_true(back.silver == 12.5 && price_discount_of(&back, "silver") == 12.5);
    assert_true(price_discount_of(&back, "none") == 0);
    d.gold = 100.5;
    assert_int_equal(price_discounts_put(t->db, &d, &err), LS_EVALIDATION);
    assert_string_equal(err.field, "gold");
    d.gold = 20;
    d.standard = -1;
    assert_int_equal(price_discounts_put(t->db, &d, &err), LS_EVALIDATION);
    assert_string_equal(err.field, "standard");
    assert_int_equal(price_discounts_get(t->db, &back, &err), LS_OK);
    assert_true(back.standard == 0 && back.gold == 20); /* nothing half-written */
    struct price_customer c;
    assert_int_equal(price_customer_load(t->db, 77, NULL, &c, &err), LS_EVALIDATION);
    assert_int_equal(price_customer_load(t->db, 0, NULL, &c, &err), LS_OK); /* a guest */
    assert_int_equal(c.organisation_id, 0);
    testdb_free(t);
}

int main(void)
{
    testutil_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(price__class_follows_the_bookers_organisation),
        cmocka_unit_test(price__member_rates_take_the_discount_rounded_to_the_grosz),
        cmocka_unit_test(price__compute_sums_each_occurrence_and_counts_real_hours),
        cmocka_unit_test(price__discounts_round_trip_and_refuse_out_of_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
