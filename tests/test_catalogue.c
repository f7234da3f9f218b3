/* test_catalogue.c — validation, defaults, hours, deletes, free spans, search. */
#include "testutil.h"

#include <math.h>

#include "catalogue.h"

/* Creates an object (id 0) or writes a changed one, as the API does. */
static int save(struct db *db, const struct ctype *t, void *obj, struct ls_err *err)
{
    return catalogue_id(t, obj) ? catalogue_update(db, t, obj, NULL, err)
                                : catalogue_create(db, t, obj, err);
}

static int64_t org_new(struct testdb *t, const char *name, const char *city)
{
    struct organisation o;
    struct ls_err err = {0};
    catalogue_defaults(&catalogue_organisation, &o);
    o.name = name;
    o.group = "BioF";
    o.city = city;
    assert_int_equal(save(t->db, &catalogue_organisation, &o, &err), LS_OK);
    assert_true(o.id > 0);
    return o.id;
}

static int64_t lab_new(struct testdb *t, int64_t org, const char *name)
{
    struct lab l;
    struct ls_err err = {0};
    catalogue_defaults(&catalogue_lab, &l);
    l.organisation_id = org;
    l.name = name;
    l.kind = "scientific";
    l.area_m2 = 40;
    assert_int_equal(save(t->db, &catalogue_lab, &l, &err), LS_OK);
    return l.id;
}

static int64_t res_new(struct testdb *t, int64_t lab, const char *name, const char *category)
{
    struct resource r;
    struct ls_err err = {0};
    catalogue_defaults(&catalogue_resource, &r);
    r.lab_id = lab;
    r.type = "instrument";
    r.name = name;
    r.category = category;
    assert_int_equal(save(t->db, &catalogue_resource, &r, &err), LS_OK);
    return r.id;
}

static int64_t user_new(struct testdb *t, const char *email, int64_t org)
{
    struct user_new u = {email, "Test Person", "correct horse battery", ROLE_RESEARCHER, org, "en"};
    struct ls_err err = {0};
    int64_t id = 0;
    assert_int_equal(auth_user_create(t->db, &u, &id, &err), LS_OK);
    return id;
}

static void booking_row(struct testdb *t, int64_t res, int64_t user, int64_t start, int64_t end,
                        const char *status)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO bookings(resource_id, user_id, start, end, status, created, updated)"
             " VALUES (%lld, %lld, %lld, %lld, '%s', 1, 1)",
             (long long)res, (long long)user, (long long)start, (long long)end, status);
    testdb_exec(t, sql);
}

static void catalogue__fold_lowercases_and_strips_polish_diacritics(void **state)
{
    (void)state;
    struct arena a = {0};
    assert_string_equal(catalogue_fold(&a, "Łódź ŻÓŁTA gęś Ćma Ńą Śź"), "lodz zolta ges cma na sz");
    assert_string_equal(catalogue_fold(&a, "Müller Éclair"), "muller eclair");
    assert_string_equal(catalogue_fold(&a, "−80 °C BSL-2"), "−80 °c bsl-2"); /* other signs kept */
    assert_string_equal(catalogue_fold(&a, NULL), "");
    arena_release(&a);
}

static void catalogue__organisation_defaults_and_validation(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    struct ls_err err = {0};
    struct organisation o;
    catalogue_defaults(&catalogue_organisation, &o);
    assert_string_equal(o.package, "none");
    assert_int_equal(o.member, 1);
    o.group = "BIZ";
    assert_int_equal(save(t->db, &catalogue_organisation, &o, &err), LS_EVALIDATION);
    assert_string_equal(err.field, "name");
    o.name = "  ";
    assert_int_equal(save(t->db, &catalogue_organisation, &o, &err), LS_EVALIDATION);
    assert_string_equal(err.field, "name");
    o.name = "Org";
    o.group = "biz";
    assert_int_equal(save(t->db, &catalogue_organisation, &o, &err), LS_EVALIDATION);
    assert_string_equal(err.field, "group");
    o.group = "R&D";
    o.package = "platinum";
    assert_int_equal(save(t->db, &catalogue_organisation, &o, &err), LS_EVALIDATION);
    assert_string_equal(err.field, "package");
    o.package = "gold";
    o.website = "javascript:alert(1)";
    assert_int_equal(save(t->db, &catalogue_organisation, &o, &err), LS_EVALIDATION);
    assert_string_equal(err.field, "website");
    o.website = "https://example.org";
    o.city = "   "; /* blank optional text is stored as unknown */
    assert_int_equal(save(t->db, &catalogue_organisation, &o, &err), LS_OK);
    struct arena a = {0};
    struct organisation g;
    assert_int_equal(catalogue_get(t->db, &catalogue_organisation, o.id, 0, &a, &g, &err), LS_OK);
    assert_null(g.city);
    assert_string_equal(g.group, "R&D");
    assert_string_equal(g.website, "https://example.org");
    assert_int_equal(catalogue_get(t->db, &catalogue_organisation, o.id + 100, 0, &a, &g, &err),
                     LS_ENOTFOUND);
    arena_release(&a);
    testdb_free(t);
}

static void catalogue__lab_validation_names_the_field(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    struct ls_err err = {0};
    int64_t org = org_new(t, "Org", "Kraków");
    struct lab l;
    catalogue_defaults(&catalogue_lab, &l);
    assert_true(isnan(l.energy_kwh_per_m2_year));
    l.organisation_id = org + 1;
    l.name = "Lab";
    l.kind = "scientific";
    l.area_m2 = 10;
    assert_int_equal(save(t->db, &catalogue_lab, &l, &err), LS_EVALIDATION);
    assert_string_equal(err.field, "organisation_id");
    l.organisation_id = org;
    l.kind = "garage";
    assert_int_equal(save(t->db, &catalogue_lab, &l, &err), LS_EVALIDATION);
    assert_string_equal(err.field, "kind");
    l.kind = "office";
    l.area_m2 = 0;
    assert_int_equal(save(t->db, &catalogue_lab, &l, &err), LS_EVALIDATION);
    assert_string_equal(err.field, "area_m2");
    l.area_m2 = 12.5;
    l.energy_kwh_per_m2_year = -1;
    assert_int_equal(save(t->db, &catalogue_lab, &l, &err), LS_EVALIDATION);
    assert_string_equal(err.field, "energy_kwh_per_m2_year");
    l.energy_kwh_per_m2_year = 300;
    l.biosafety_level = 5;
    assert_int_equal(save(t->db, &catalogue_lab, &l, &err), LS_EVALIDATION);
    assert_string_equal(err.field, "biosafety_level");
    l.biosafety_level = 2;
    assert_int_equal(save(t->db, &catalogue_lab, &l, &err), LS_OK);
    struct arena a = {0};
    struct lab g;
    assert_int_equal(catalogue_get(t->db, &catalogue_lab, l.id, 0, &a, &g, &err), LS_OK);
    assert_true(g.area_m2 == 12.5 && g.energy_kwh_per_m2_year == 300);
    assert_string_equal(g.organisation_name, "Org");
    arena_release(&a);
    testdb_free(t);
}

static void catalogue__resource_defaults_follow_the_api(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    int64_t lab = lab_new(t, org_new(t, "Org", "Kraków"), "Lab");
    int64_t id = res_new(t, lab, "Thing", "");
    struct arena a = {0};
    struct ls_err err = {0};
    struct resource r;
    assert_int_equal(catalogue_get(t->db, &catalogue_resource, id, 0, &a, &r, &err), LS_OK);
    assert_int_equal(r.shared, 1);
    assert_int_equal(r.requires_approval, 1);
    assert_int_equal(r.requires_training, 0);
    assert_true(r.power_kw == 0 && r.standby_kw == 0);
    assert_int_equal(r.slot_minutes, 30);
    assert_int_equal(r.min_minutes, 30);
    assert_int_equal(r.max_minutes, 480);
    assert_int_equal(r.hours.n, 5);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(r.hours.w[i].weekday, i + 1);
        assert_int_equal(r.hours.w[i].open_min, 8 * 60);
        assert_int_equal(r.hours.w[i].close_min, 18 * 60);
    }
    assert_string_equal(r.city, "Kraków"); /* the lab has none: its organisation's */
    arena_release(&a);
    testdb_free(t);
}

static void catalogue__resource_validation_names_the_field(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    struct ls_err err = {0};
    int64_t lab = lab_new(t, org_new(t, "Org", NULL), "Lab");
    struct resource r;
    catalogue_defaults(&catalogue_resource, &r);
    r.lab_id = lab + 7;
    r.type = "instrument";
    r.name = "X";
    assert_int_equal(save(t->db, &catalogue_resource, &r, &err), LS_EVALIDATION);
    assert_string_equal(err.field, "lab_id");
    r.lab_id = lab;
    r.type = "robot";
    assert_int_equal(save(t->db, &catalogue_resource, &r, &err), LS_EVALIDATION);
    assert_string_equal(err.field, "type");
    r.type = "desk";
    r.power_kw = -0.5;
    assert_int_equal(save(t->db, &catalogue_resource, &r, &err), LS_EVALIDATION);
    assert_string_equal(err.field, "power_kw");
    r.power_kw = 0.05;
    r.slot_minutes = 0;
    assert_int_equal(save(t->db, &catalogue_resource, &r, &err), LS_EVALIDATION);
    assert_string_equal(err.field, "slot_minutes");
    r.slot_minutes = 60;
    r.min_minutes = 120;
    r.max_minutes = 60;
    assert_int_equal(save(t->db, &catalogue_resource, &r, &err), LS_EVALIDATION);
    assert_string_equal(err.field, "max_minutes");
    r.max_minutes = 120;
    r.hours.n = 2;
    r.hours.w[0] = (struct hours_window){2, 8 * 60, 12 * 60};
    r.hours.w[1] = (struct hours_window){2, 11 * 60, 13 * 60};
    assert_int_equal(save(t->db, &catalogue_resource, &r, &err), LS_EVALIDATION);
    assert_string_equal(err.field, "opening_hours");
    /* min need not be a multiple of the slot: bookings are whole slots anyway */
    r.hours.w[1] = (struct hours_window){2, 12 * 60, 13 * 60};
    r.min_minutes = 90;
    assert_int_equal(save(t->db, &catalogue_resource, &r, &err), LS_OK);
    testdb_free(t);
}

static void catalogue__nested_objects_are_columns_of_the_row(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    int64_t lab = lab_new(t, org_new(t, "Org", NULL), "Lab");
    int64_t id = res_new(t, lab, "Thing", "");
    struct arena a = {0};
    struct ls_err err = {0};
    struct resource r;
    /* New resources: free, not funded, no-shows charged, 24 h. */
    assert_int_equal(catalogue_get(t->db, &catalogue_resource, id, 0, &a, &r, &err), LS_OK);
    assert_null(r.prices.currency); /* null: a struct of zero bytes */
    assert_null(r.funding.programme);
    assert_int_equal(r.charge_no_show, 1);
    assert_int_equal(r.late_cancel_hours, 24);
    assert_int_equal(testdb_count(t, "SELECT count(*) FROM resources WHERE price_currency IS NULL"
                                     " AND price_internal IS NULL AND funding_cap IS NULL"),
                     1);
    /* Written: each member under its own column, null rates as NULL. */
    r.prices.currency = "EUR";
    r.prices.internal = 0;
    r.prices.member_academic = 12.5;
    r.prices.member_commercial = NAN;
    r.prices.non_member = 99.99;
    r.funding.programme = "FENG";
    r.funding.economic_cap = 0.2;
    assert_int_equal(catalogue_update(t->db, &catalogue_resource, &r, NULL, &err), LS_OK);
    assert_int_equal(testdb_count(t, "SELECT count(*) FROM resources WHERE price_currency = 'EUR'"
                                     " AND price_internal = 0 AND price_member_academic = 12.5"
                                     " AND price_member_commercial IS NULL"
                                     " AND price_non_member = 99.99 AND funding_programme = 'FENG'"
                                     " AND funding_cap = 0.2"),
                     1);
    struct resource back;
    assert_int_equal(catalogue_get(t->db, &catalogue_resource, id, 0, &a, &back, &err), LS_OK);
    assert_true(back.prices.currency && back.funding.programme);
    assert_string_equal(back.prices.currency, "EUR");
    assert_true(back.prices.member_academic == 12.5);
    assert_true(isnan(back.prices.member_commercial));
    assert_string_equal(back.funding.programme, "FENG");
    /* Null again: every column NULL, read back as null. */
    memset(&back.funding, 0, sizeof back.funding);
    assert_int_equal(catalogue_update(t->db, &catalogue_resource, &back, NULL, &err), LS_OK);
    assert_int_equal(testdb_count(t,
                                  "SELECT count(*) FROM resources WHERE funding_programme IS NULL"
                                  " AND funding_cap IS NULL"),
                     1);
    assert_int_equal(catalogue_get(t->db, &catalogue_resource, id, 0, &a, &r, &err), LS_OK);
    assert_null(r.funding.programme);
    assert_non_null(r.prices.currency);
    /* Members are checked inside the write; a refused write leaves the row alone. */
    r.prices.non_member = 10.005;
    assert_int_equal(catalogue_update(t->db, &catalogue_resource, &r, NULL, &err), LS_EVALIDATION);
    assert_string_equal(err.field, "prices.non_member");
    r.prices.non_member = 10;
    r.funding.programme = "FENG";
    r.funding.economic_cap = 1.2;
    assert_int_equal(catalogue_update(t->db, &catalogue_resource, &r, NULL, &err), LS_EVALIDATION);
    assert_string_equal(err.field, "funding.economic_cap");
    r.late_cancel_hours = -1;
    r.funding.economic_cap = 0.2;
    assert_int_equal(catalogue_update(t->db, &catalogue_resource, &r, NULL, &err), LS_EVALIDATION);
    assert_string_equal(err.field, "late_cancel_hours");
    assert_int_equal(testdb_count(t, "SELECT count(*) FROM resources WHERE price_non_member = 99.99"
                                     " AND funding_cap IS NULL AND late_cancel_hours = 24"),
                     1);
    arena_release(&a);
    testdb_free(t);
}

static void catalogue__hours_round_trip_sorted_with_24_00(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    int64_t lab = lab_new(t, org_new(t, "Org", NULL), "Lab");
    struct ls_err err = {0};
    struct resource r;
    catalogue_defaults(&catalogue_resource, &r);
    r.lab_id = lab;
    r.type = "room";
    r.name = "Room";
    r.hours.n = 3;
    r.hours.w[0] = (struct hours_window){7, 0, 1440};
    r.hours.w[1] = (struct hours_window){1, 13 * 60, 1440};
    r.hours.w[2] = (struct hours_window){1, 7 * 60 + 30, 12 * 60};
    assert_int_equal(save(t->db, &catalogue_resource, &r, &err), LS_OK);
    struct hours_week wk;
    assert_int_equal(catalogue_hours_load(t->db, r.id, &wk, &err), LS_OK);
    assert_int_equal(wk.n, 3);
    assert_int_equal(wk.w[0].weekday, 1);
    assert_int_equal(wk.w[0].open_min, 450);
    assert_int_equal(wk.w[1].close_min, 1440);
    assert_int_equal(wk.w[2].weekday, 7);
    struct resource_rules rules;
    assert_int_equal(catalogue_resource_rules(t->db, r.id, &rules, &err), LS_OK);
    assert_int_equal(rules.hours.n, 3);
    assert_int_equal(rules.lab_id, lab);
    /* closed: no windows at all */
    r.hours.n = 0;
    assert_int_equal(save(t->db, &catalogue_resource, &r, &err), LS_OK);
    assert_int_equal(catalogue_hours_load(t->db, r.id, &wk, &err), LS_OK);
    assert_int_equal(wk.n, 0);
    testdb_free(t);
}

static void catalogue__every_write_bumps_updated(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    struct ls_err err = {0};
    struct organisation o;
    catalogue_defaults(&catalogue_organisation, &o);
    o.name = "Org";
    o.group = "EDU";
    assert_int_equal(save(t->db, &catalogue_organisation, &o, &err), LS_OK);
    int64_t first = o.updated;
    assert_int_equal(save(t->db, &catalogue_organisation, &o, &err), LS_OK);
    assert_true(o.updated > first); /* even within the same second */
    int64_t second = o.updated;
    assert_int_equal(save(t->db, &catalogue_organisation, &o, &err), LS_OK);
    assert_true(o.updated > second);
    testdb_free(t);
}

static void catalogue__deletes_refuse_history_and_cascade_the_rest(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    struct ls_err err = {0};
    int64_t org = org_new(t, "Org", NULL);
    int64_t lab = lab_new(t, org, "Lab");
    int64_t booked = res_new(t, lab, "Booked", "");
    int64_t free_res = res_new(t, lab, "Free", "");
    int64_t user = user_new(t, "a@example.org", org);
    booking_row(t, booked, user, 1000, 2000, "declined");
    struct blackout b = {0, free_res, 5000, 9000, "service", 0, 0, NULL};
    assert_int_equal(save(t->db, &catalogue_blackout, &b, &err), LS_OK);
    int created = 0;
    assert_int_equal(catalogue_training_grant(t->db, free_res, user, 0, &created, &err), LS_OK);

    assert_int_equal(catalogue_delete(t->db, &catalogue_resource, booked, &err), LS_ECONFLICT);
    assert_int_equal(catalogue_delete(t->db, &catalogue_lab, lab, &err), LS_ECONFLICT);
    assert_int_equal(catalogue_delete(t->db, &catalogue_organisation, org, &err), LS_ECONFLICT);
    assert_int_equal(catalogue_delete(t->db, &catalogue_resource, free_res, &err), LS_OK);
    assert_int_equal(catalogue_delete(t->db, &catalogue_resource, free_res, &err), LS_ENOTFOUND);
    struct arena a = {0};
    struct blackout g;
    assert_int_equal(catalogue_get(t->db, &catalogue_blackout, b.id, 0, &a, &g, &err),
                     LS_ENOTFOUND);
    assert_int_equal(catalogue_user_trained(t->db, free_res, user), 0);

    /* a lab without bookings goes with its resources and their hours */
    int64_t lab2 = lab_new(t, org, "Lab 2");
    int64_t r2 = res_new(t, lab2, "R2", "");
    assert_int_equal(catalogue_delete(t->db, &catalogue_lab, lab2, &err), LS_OK);
    struct resource gr;
    assert_int_equal(catalogue_get(t->db, &catalogue_resource, r2, 0, &a, &gr, &err), LS_ENOTFOUND);
    struct hours_week wk;
    assert_int_equal(catalogue_hours_load(t->db, r2, &wk, &err), LS_OK);
    assert_int_equal(wk.n, 0);

    /* an organisation with users is kept; an empty one goes with its services */
    int64_t org2 = org_new(t, "Org 2", NULL);
    user_new(t, "b@example.org", org2);
    assert_int_equal(catalogue_delete(t->db, &catalogue_organisation, org2, &err), LS_ECONFLICT);
    int64_t org3 = org_new(t, "Org 3", NULL);
    struct service s = {0};
    s.organisation_id = org3;
    s.name = "Advice";
    assert_int_equal(save(t->db, &catalogue_service, &s, &err), LS_OK);
    assert_int_equal(catalogue_delete(t->db, &catalogue_organisation, org3, &err), LS_OK);
    struct service gs;
    assert_int_equal(catalogue_get(t->db, &catalogue_service, s.id, 0, &a, &gs, &err),
                     LS_ENOTFOUND);
    arena_release(&a);
    testdb_free(t);
}

/* Resources of a lab bookable for the whole of [from, to); a page of
 * `limit`. */
static int64_t count_free_page(struct testdb *t, int64_t lab, int64_t from, int64_t to,
                               int64_t limit)
{
    const struct shape *sh = &catalogue_resource_filter;
    struct resource_filter f = {0};
    f.lab_id = lab;
    f.free_from = from;
    f.free_to = to;
    uint64_t present =
        field_bit(sh, "lab_id") | field_bit(sh, "free_from") | field_bit(sh, "free_to");
    struct arena a = {0};
    void *items;
    int n;
    int64_t total;
    struct ls_err err = {0};
    assert_int_equal(catalogue_check_filter(&catalogue_resource, &f, present, &err), LS_OK);
    assert_int_equal(catalogue_list(t->db, &catalogue_resource, &f, present, 0, limit, 0, &a,
                                    &items, &n, &total, &err),
                     LS_OK);
    assert_int_equal(n, total < limit ? total : limit);
    arena_release(&a);
    return total;
}

static int64_t count_free(struct testdb *t, int64_t lab, int64_t from, int64_t to)
{
    return count_free_page(t, lab, from, to, 50);
}

static int64_t res_always(struct testdb *t, int64_t lab, const char *name)
{
    struct resource r;
    struct ls_err err = {0};
    catalogue_defaults(&catalogue_resource, &r);
    r.lab_id = lab;
    r.type = "instrument";
    r.name = name;
    r.hours.n = 7;
    for (int d = 1; d <= 7; d++)
        r.hours.w[d - 1] = (struct hours_window){d, 0, 1440};
    assert_int_equal(save(t->db, &catalogue_resource, &r, &err), LS_OK);
    return r.id;
}

static void catalogue__free_span_ignores_pending_and_touching(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    struct ls_err err = {0};
    int64_t org = org_new(t, "Org", NULL);
    int64_t lab = lab_new(t, org, "Lab");
    int64_t r1 = res_always(t, lab, "R1");
    int64_t r2 = res_always(t, lab, "R2");
    int64_t user = user_new(t, "a@example.org", 0);
    const int64_t H = 3600, T0 = 1900000000;
    assert_int_equal(count_free(t, lab, T0, T0 + 4 * H), 2);
    booking_row(t, r1, user, T0 + H, T0 + 2 * H, "pending");
    booking_row(t, r1, user, T0 + H, T0 + 2 * H, "cancelled");
    assert_int_equal(count_free(t, lab, T0, T0 + 4 * H), 2);
    booking_row(t, r1, user, T0 + H, T0 + 2 * H, "approved");
    assert_int_equal(count_free(t, lab, T0, T0 + 4 * H), 1);
    assert_int_equal(count_free(t, lab, T0 + 2 * H, T0 + 3 * H), 2); /* back to back */
    assert_int_equal(count_free(t, lab, T0, T0 + H), 2);
    struct blackout b = {0, r2, T0 + 3 * H, T0 + 5 * H, "", 0, 0, NULL};
    assert_int_equal(save(t->db, &catalogue_blackout, &b, &err), LS_OK);
    assert_int_equal(count_free(t, lab, T0, T0 + 4 * H), 0);
    assert_int_equal(count_free(t, lab, T0 + 5 * H, T0 + 6 * H), 2);
    struct blackout bad = {0, r2, T0, T0, "", 0, 0, NULL};
    assert_int_equal(save(t->db, &catalogue_blackout, &bad, &err), LS_EVALIDATION);
    assert_string_equal(err.field, "end");
    testdb_free(t);
}

static void catalogue__free_needs_the_opening_hours_and_a_bounded_span(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    struct ls_err err = {0};
    int64_t lab = lab_new(t, org_new(t, "Org", NULL), "Lab");
    res_new(t, lab, "Office hours", ""); /* Mon-Fri 08-18 */
    res_always(t, lab, "Always");
    int64_t tue13, tue17, tue19, tue20, sat10, sat12;
    /* Tuesday 1 December 2026 and Saturday 5 December, local time */
    assert_int_equal(tu_from_local(2026, 12, 1, 13, 0, 0, 0, &tue13), TU_OK);
    assert_int_equal(tu_from_local(2026, 12, 1, 17, 0, 0, 0, &tue17), TU_OK);
    assert_int_equal(tu_from_local(2026, 12, 1, 19, 0, 0, 0, &tue19), TU_OK);
    assert_int_equal(tu_from_local(2026, 12, 1, 20, 0, 0, 0, &tue20), TU_OK);
    assert_int_equal(tu_from_local(2026, 12, 5, 10, 0, 0, 0, &sat10), TU_OK);
    assert_int_equal(tu_from_local(2026, 12, 5, 12, 0, 0, 0, &sat12), TU_OK);
    assert_int_equal(count_free(t, lab, tue13, tue17), 2);
    assert_int_equal(count_free(t, lab, tue19, tue20), 1);
    assert_int_equal(count_free(t, lab, sat10, sat12), 1);
    assert_int_equal(count_free(t, lab, tue13, tue20), 1);         /* past closing time */
    assert_int_equal(count_free(t, lab, tue13 - 86400, tue17), 1); /* across the night */
    assert_int_equal(count_free_page(t, lab, tue13, tue17, 1), 2); /* paged in C */
    /* A span longer than a year is refused before any work is done. */
    const struct shape *sh = &catalogue_resource_filter;
    struct resource_filter f = {.free_from = tue13, .free_to = tue13 + 367 * 86400LL};
    uint64_t both = field_bit(sh, "free_from") | field_bit(sh, "free_to");
    assert_int_equal(catalogue_check_filter(&catalogue_resource, &f, both, &err), LS_EVALIDATION);
    assert_string_equal(err.field, "free_to");
    assert_int_equal(
        catalogue_check_filter(&catalogue_resource, &f, field_bit(sh, "free_to"), &err),
        LS_EVALIDATION);
    assert_string_equal(err.field, "free_from");
    f.free_to = tue13 - 1;
    assert_int_equal(catalogue_check_filter(&catalogue_resource, &f, both, &err), LS_EVALIDATION);
    assert_string_equal(err.field, "free_to");
    testdb_free(t);
}

static int64_t search(struct testdb *t, const char *q, char first[64])
{
    struct resource_filter f = {0};
    f.q = q;
    struct arena a = {0};
    void *items;
    int n;
    int64_t total;
    struct ls_err err = {0};
    assert_int_equal(catalogue_list(t->db, &catalogue_resource, &f,
                                    field_bit(&catalogue_resource_filter, "q"), 0, 50, 0, &a,
                                    &items, &n, &total, &err),
                     LS_OK);
    if (first)
        snprintf(first, 64, "%s", n ? ((struct resource *)items)[0].name : "");
    arena_release(&a);
    return total;
}

static void catalogue__search_folds_polish_letters_and_needs_every_word(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    struct ls_err err = {0};
    int64_t org = org_new(t, "Browin", "Łódź");
    int64_t lab = lab_new(t, org, "Pracownia Fermentacji");
    res_new(t, lab, "Zamrażarka −80 °C", "ULT freezer");
    res_new(t, lab, "Mikroskop konfokalny Zeiss", "confocal microscope");
    char first[64];
    assert_int_equal(search(t, "zamrażarka", first), 1);
    assert_string_equal(first, "Zamrażarka −80 °C");
    assert_int_equal(search(t, "ZAMRAŻARKA", NULL), 1);
    assert_int_equal(search(t, "zamrazarka", NULL), 1);
    assert_int_equal(search(t, "ŁÓDŹ", NULL), 2); /* the city of its organisation */
    assert_int_equal(search(t, "lodz konfokalny", NULL), 1);
    assert_int_equal(search(t, "konfokalny   zeiss ", NULL), 1);
    assert_int_equal(search(t, "konfokalny leica", NULL), 0);
    assert_int_equal(search(t, "fermentacji", NULL), 2); /* the lab's name */
    assert_int_equal(search(t, "' OR 1=1 --", NULL), 0);
    assert_int_equal(search(t, "%", NULL), 0);
    assert_int_equal(search(t, "*", NULL), 0); /* GLOB's wildcards match only themselves */
    assert_int_equal(search(t, "?", NULL), 0);
    assert_int_equal(search(t, "[a-z]", NULL), 0);
    assert_int_equal(search(t, "−80", NULL), 1);
    /* renaming the lab or the organisation refreshes what its resources match */
    struct arena a = {0};
    struct lab l;
    assert_int_equal(catalogue_get(t->db, &catalogue_lab, lab, 0, &a, &l, &err), LS_OK);
    l.name = "Pracownia Chłodnicza";
    assert_int_equal(save(t->db, &catalogue_lab, &l, &err), LS_OK);
    assert_int_equal(search(t, "fermentacji", NULL), 0);
    assert_int_equal(search(t, "chlodnicza", NULL), 2);
    struct organisation o;
    assert_int_equal(catalogue_get(t->db, &catalogue_organisation, org, 0, &a, &o, &err), LS_OK);
    o.name = "Żywiec Zdrój";
    assert_int_equal(save(t->db, &catalogue_organisation, &o, &err), LS_OK);
    assert_int_equal(search(t, "zywiec", NULL), 2);
    arena_release(&a);
    testdb_free(t);
}

static void catalogue__service_resources_belong_to_its_organisation(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    struct ls_err err = {0};
    int64_t o1 = org_new(t, "One", NULL), o2 = org_new(t, "Two", NULL);
    int64_t mine = res_new(t, lab_new(t, o1, "L1"), "Mine", "");
    int64_t theirs = res_new(t, lab_new(t, o2, "L2"), "Theirs", "");
    int64_t ids[3] = {mine, theirs, mine};
    struct service s;
    catalogue_defaults(&catalogue_service, &s);
    s.organisation_id = o1;
    s.name = "Service";
    s.resources.v = ids;
    s.resources.n = 3;
    assert_int_equal(save(t->db, &catalogue_service, &s, &err), LS_EVALIDATION);
    assert_string_equal(err.field, "resource_ids");
    ids[0] = ids[1] = ids[2] = mine; /* save sorted and folded the array in place */
    s.resources.n = 3;
    assert_int_equal(save(t->db, &catalogue_service, &s, &err), LS_OK);
    assert_int_equal(s.resources.n, 1); /* duplicates folded */
    struct arena a = {0};
    struct service g;
    assert_int_equal(catalogue_get(t->db, &catalogue_service, s.id, 0, &a, &g, &err), LS_OK);
    assert_int_equal(g.resources.n, 1);
    assert_int_equal(g.resources.v[0], mine);
    arena_release(&a);
    testdb_free(t);
}

/* An organisation's e-mail domains: canonical, sorted, stored in their own
 * table, and each one belongs to one organisation. */
static void catalogue__email_domains_are_canonical_and_owned_once(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    struct ls_err err = {0};
    struct arena a = {0};
    int64_t o2 = org_new(t, "Two", NULL);
    struct organisation o;
    catalogue_defaults(&catalogue_organisation, &o);
    o.name = "One";
    o.group = "BioF";
    char d1[] = "UJ.edu.PL", d2[] = "chem.uj.edu.pl";
    const char *mine[] = {d1, d2};
    o.email_domains = (struct field_words){2, mine};
    assert_int_equal(save(t->db, &catalogue_organisation, &o, &err), LS_OK);
    struct organisation g;
    assert_int_equal(catalogue_get(t->db, &catalogue_organisation, o.id, 0, &a, &g, &err), LS_OK);
    assert_int_equal(g.email_domains.n, 2);
    assert_string_equal(g.email_domains.v[0], "chem.uj.edu.pl");
    assert_string_equal(g.email_domains.v[1], "uj.edu.pl");
    /* Another organisation may not take one; what it had stays. */
    struct organisation two;
    assert_int_equal(catalogue_get(t->db, &catalogue_organisation, o2, 0, &a, &two, &err), LS_OK);
    char taken[] = "uj.edu.pl";
    const char *theirs[] = {taken};
    two.email_domains = (struct field_words){1, theirs};
    assert_int_equal(save(t->db, &catalogue_organisation, &two, &err), LS_ECONFLICT);
    assert_string_equal(err.field, "email_domains");
    char bad[] = "-uj.edu.pl";
    theirs[0] = bad;
    assert_int_equal(save(t->db, &catalogue_organisation, &two, &err), LS_EVALIDATION);
    assert_string_equal(err.field, "email_domains");
    assert_int_equal(testdb_count(t, "SELECT count(*) FROM organisation_email_domains"), 2);
    /* Deleting the organisation frees its domains. */
    assert_int_equal(catalogue_delete(t->db, &catalogue_organisation, o.id, &err), LS_OK);
    assert_int_equal(testdb_count(t, "SELECT count(*) FROM organisation_email_domains"), 0);
    arena_release(&a);
    testdb_free(t);
}

static void catalogue__training_grant_and_revoke(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    struct ls_err err = {0};
    int64_t org = org_new(t, "Org", NULL);
    int64_t res = res_new(t, lab_new(t, org, "L"), "Confocal", "");
    int64_t user = user_new(t, "a@example.org", 0);
    int created = -1;
    assert_int_equal(catalogue_user_trained(t->db, res, user), 0);
    assert_int_equal(catalogue_training_grant(t->db, res, user, 0, &created, &err), LS_OK);
    assert_int_equal(created, 1);
    assert_int_equal(catalogue_training_grant(t->db, res, user, 0, &created, &err), LS_OK);
    assert_int_equal(created, 0);
    assert_int_equal(catalogue_user_trained(t->db, res, user), 1);
    assert_int_equal(catalogue_training_grant(t->db, res, user + 50, 0, &created, &err),
                     LS_EVALIDATION);
    assert_string_equal(err.field, "user_id");
    assert_int_equal(catalogue_training_grant(t->db, res + 50, user, 0, &created, &err),
                     LS_ENOTFOUND);
    assert_int_equal(catalogue_training_revoke(t->db, res, user, &err), LS_OK);
    assert_int_equal(catalogue_training_revoke(t->db, res, user, &err), LS_ENOTFOUND);
    assert_int_equal(catalogue_user_trained(t->db, res, user), 0);
    testdb_free(t);
}

/* ---- changes that touch existing bookings ---- */

static int64_t local(int d, int h)
{
    int64_t t;
    assert_int_equal(tu_from_local(2030, 1, d, h, 0, 0, 0, &t), TU_OK); /* 2030-01-07: a Monday */
    return t;
}

static int64_t live_row(struct testdb *t, int64_t res, int64_t user, int64_t org, int64_t start,
                        int64_t end, const char *status)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO bookings(resource_id, user_id, organisation_id, start, end, status,"
             " created, updated) VALUES (%lld, %lld, nullif(%lld, 0), %lld, %lld, '%s', 1, 1)",
             (long long)res, (long long)user, (long long)org, (long long)start, (long long)end,
             status);
    testdb_exec(t, sql);
    return db_last_insert_id(t->db);
}

/* What the HTTP layer hands down: here it only records and marks. */
struct cancels {
    int n;
    int64_t ids[8];
    const char *why[8];
};

static int record_cancel(struct db *db, int64_t id, const char *reason, void *ctx,
                         struct ls_err *err)
{
    (void)err;
    struct cancels *c = ctx;
    c->ids[c->n] = id;
    c->why[c->n++] = reason;
    char sql[128];
    snprintf(sql, sizeof sql, "UPDATE bookings SET status = 'cancelled' WHERE id = %lld",
             (long long)id);
    return db_exec(db, sql, NULL) == DB_OK ? LS_OK : LS_EINTERNAL;
}

static int64_t count_of(struct testdb *t, const char *sql)
{
    struct db_stmt *st = NULL;
    assert_int_equal(db_prepare(t->db, sql, &st), DB_OK);
    assert_int_equal(db_step(st), DB_ROW);
    int64_t n = db_column_int64(st, 0);
    db_finalize(st);
    return n;
}

static void catalogue__changes_refuse_or_cancel_the_bookings_they_break(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    struct ls_err err = {0};
    int64_t org = org_new(t, "Org", NULL), other = org_new(t, "Other", NULL);
    int64_t res = res_new(t, lab_new(t, org, "L"), "Confocal", ""); /* Mon–Fri 08–18, shared */
    int64_t own = user_new(t, "own@example.org", org), out = user_new(t, "out@example.org", other);
    int64_t guest = user_new(t, "guest@example.org", 0);
    struct user_new su = {"staff@example.org", "Staff", "correct horse battery",
                          ROLE_STAFF,          0,       "en"};
    int64_t staff = 0;
    assert_int_equal(auth_user_create(t->db, &su, &staff, &err), LS_OK);
    int64_t ended =
        live_row(t, res, out, other, local(7, 8) - 86400 * 7, local(7, 9) - 86400 * 7, "approved");
    int64_t a = live_row(t, res, own, org, local(7, 8), local(7, 9), "approved");
    int64_t b = live_row(t, res, out, other, local(7, 12), local(7, 13), "pending");
    int64_t c = live_row(t, res, guest, 0, local(8, 12), local(8, 13), "approved");
    int64_t d = live_row(t, res, staff, 0, local(8, 14), local(8, 15), "approved");
    live_row(t, res, out, other, local(7, 10), local(7, 11), "declined");
    struct cancels got = {0};
    struct catalogue_effects refuse = {.now = local(7, 8) - 86400 * 3};
    struct catalogue_effects cancel = {1, "see you next week", refuse.now, record_cancel, &got, 0};

    /* a blackout over [09:00, 13:00) Monday: a ends as it starts, the
     * declined one is history; b is live (pending counts) */
    struct blackout bo = {0, res, local(7, 9), local(7, 13), "laser service", 0, 0, NULL};
    assert_int_equal(catalogue_create_fx(t->db, &catalogue_blackout, &bo, &refuse, &err),
                     LS_ECONFLICT);
    assert_string_equal(err.field, "cancel_bookings");
    assert_int_equal(err.nbookings, 1);
    assert_int_equal(err.bookings[0], b);
    assert_int_equal(count_of(t, "SELECT count(*) FROM blackouts"), 0);
    ls_err_clear(&err);
    /* without effects (the demo loader, tests): refused the same way */
    assert_int_equal(catalogue_create(t->db, &catalogue_blackout, &bo, &err), LS_ECONFLICT);
    ls_err_clear(&err);
    cancel.message = NULL;
    assert_int_equal(catalogue_create_fx(t->db, &catalogue_blackout, &bo, &cancel, &err), LS_OK);
    assert_int_equal(cancel.cancelled, 1);
    assert_int_equal(got.ids[0], b);
    assert_string_equal(got.why[0], "laser service");
    assert_int_equal(count_of(t, "SELECT count(*) FROM blackouts"), 1);

    /* opening hours from 10:00: a (Monday 08–09) no longer fits; the ended
     * one is history */
    struct arena ar = {0};
    struct resource old, now;
    assert_int_equal(catalogue_get(t->db, &catalogue_resource, res, 0, &ar, &old, &err), LS_OK);
    now = old;
    for (int i = 0; i < now.hours.n; i++)
        now.hours.w[i].open_min = 600;
    ls_err_clear(&err);
    assert_int_equal(catalogue_update_fx(t->db, &catalogue_resource, &now, &old, &refuse, &err),
                     LS_ECONFLICT);
    assert_int_equal(err.nbookings, 1);
    assert_int_equal(err.bookings[0], a);
    struct hours_week wk;
    assert_int_equal(catalogue_hours_load(t->db, res, &wk, &err), LS_OK);
    assert_int_equal(wk.w[0].open_min, 480);
    (void)ended;

    /* not shared: the other organisation's and the guest's go; the own
     * organisation's and staff's stay */
    now = old;
    now.shared = 0;
    ls_err_clear(&err);
    assert_int_equal(catalogue_update_fx(t->db, &catalogue_resource, &now, &old, &refuse, &err),
                     LS_ECONFLICT);
    assert_int_equal(err.nbookings, 1); /* b is cancelled already */
    assert_int_equal(err.bookings[0], c);
    got.n = 0;
    cancel.message = "internal use from now on";
    assert_int_equal(catalogue_update_fx(t->db, &catalogue_resource, &now, &old, &cancel, &err),
                     LS_OK);
    assert_int_equal(got.n, 1);
    assert_int_equal(got.ids[0], c);
    assert_string_equal(got.why[0], "internal use from now on");
    /* without a message the sentence naming the change */
    assert_int_equal(catalogue_get(t->db, &catalogue_resource, res, 0, &ar, &old, &err), LS_OK);
    now = old;
    for (int i = 0; i < now.hours.n; i++)
        now.hours.w[i].close_min = 840; /* 14:00: d (Tuesday 14–15) */
    got.n = 0;
    cancel.message = NULL;
    assert_int_equal(catalogue_update_fx(t->db, &catalogue_resource, &now, &old, &cancel, &err),
                     LS_OK);
    assert_int_equal(got.n, 1);
    assert_int_equal(got.ids[0], d);
    assert_string_equal(got.why[0], CATALOGUE_WHY_HOURS);
    arena_release(&ar);
    testdb_free(t);
}

static void catalogue__training_is_found_asked_for_and_never_shows_foreign_addresses(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    struct ls_err err = {0};
    struct arena a = {0};
    int64_t org = org_new(t, "Org", NULL), other = org_new(t, "Other", NULL);
    int64_t res = res_new(t, lab_new(t, org, "L"), "Sorter", "");
    int64_t in = user_new(t, "anna@example.org", org),
            out = user_new(t, "bruno@example.org", other);
    struct user_new on = {"olga@example.org", "Olga", "correct horse battery",
                          ROLE_OWNER,         org,    "pl"};
    struct user owner = {.role = ROLE_OWNER, .organisation_id = org, .active = 1};
    assert_int_equal(auth_user_create(t->db, &on, &owner.id, &err), LS_OK);
    struct user staff = {.id = 999, .role = ROLE_STAFF, .active = 1};
    struct user outsider = {
        .id = out, .role = ROLE_RESEARCHER, .organisation_id = other, .active = 1};
    struct training_candidate *cs;
    int n;
    /* the owner finds their organisation, by name or address */
    assert_int_equal(
        catalogue_training_candidates(t->db, &owner, res, "example", 20, &a, &cs, &n, &err), LS_OK);
    assert_int_equal(n, 2); /* Anna's and Olga's addresses; Bruno is no one to them */
    for (int i = 0; i < n; i++)
        assert_non_null(cs[i].email);
    /* he asks for training: now findable by name, never with his address */
    struct training_request q;
    int created = 0;
    assert_int_equal(
        catalogue_training_request(t->db, res, &outsider, "please", 100, &a, &q, &created, &err),
        LS_OK);
    assert_int_equal(created, 1);
    assert_int_equal(count_of(t, "SELECT count(*) FROM outbox WHERE kind = 'training_request'"
                                 " AND email = 'olga@example.org' AND reason = 'please'"),
                     1);
    assert_int_equal(
        catalogue_training_request(t->db, res, &outsider, "again", 200, &a, &q, &created, &err),
        LS_OK);
    assert_int_equal(created, 0);
    assert_string_equal(q.message, "again");
    assert_int_equal(count_of(t, "SELECT count(*) FROM outbox"), 1);
    assert_int_equal(
        catalogue_training_candidates(t->db, &owner, res, "test person", 20, &a, &cs, &n, &err),
        LS_OK);
    assert_int_equal(n, 2);
    for (int i = 0; i < n; i++)
        if (cs[i].user_id == out) {
            assert_null(cs[i].email);
            assert_int_equal(cs[i].asked, 1);
        }
    assert_int_equal(
        catalogue_training_candidates(t->db, &owner, res, "bruno@", 20, &a, &cs, &n, &err), LS_OK);
    assert_int_equal(n, 0);
    assert_int_equal(
        catalogue_training_candidates(t->db, &staff, res, "bruno@", 20, &a, &cs, &n, &err), LS_OK);
    assert_int_equal(n, 1);
    assert_string_equal(cs[0].email, "bruno@example.org");
    struct training_request *qs;
    int64_t total;
    assert_int_equal(
        catalogue_training_requests(t->db, &owner, res, 50, 0, &a, &qs, &n, &total, &err), LS_OK);
    assert_int_equal(n, 1);
    assert_null(qs[0].user_email);
    assert_string_equal(qs[0].organisation_name, "Other");

    /* recorded (found by his address, any case): the request is answered */
    int64_t id = 0;
    assert_int_equal(catalogue_user_by_email(t->db, "BRUNO@example.org", "email", &id, &err),
                     LS_OK);
    assert_int_equal(id, out);
    assert_int_equal(catalogue_user_by_email(t->db, "nobody@example.org", "email", &id, &err),
                     LS_EVALIDATION);
    assert_string_equal(err.field, "email");
    assert_int_equal(catalogue_training_grant(t->db, res, out, owner.id, &created, &err), LS_OK);
    assert_int_equal(catalogue_training_grant(t->db, res, in, owner.id, &created, &err), LS_OK);
    assert_int_equal(
        catalogue_training_requests(t->db, &owner, res, 50, 0, &a, &qs, &n, &total, &err), LS_OK);
    assert_int_equal(n, 0);
    assert_int_equal(
        catalogue_training_request(t->db, res, &outsider, "x", 300, &a, &q, &created, &err),
        LS_ECONFLICT);
    struct training *tr;
    assert_int_equal(catalogue_training_list(t->db, &owner, res, 50, 0, &a, &tr, &n, &total, &err),
                     LS_OK);
    assert_int_equal(n, 2);
    for (int i = 0; i < n; i++)
        assert_true(tr[i].user_id == out ? tr[i].user_email == NULL
                                         : strcmp(tr[i].user_email, "anna@example.org") == 0);
    /* the outsider sees his own address, not Anna's */
    assert_int_equal(
        catalogue_training_list(t->db, &outsider, res, 50, 0, &a, &tr, &n, &total, &err), LS_OK);
    for (int i = 0; i < n; i++)
        assert_true(tr[i].user_id == out ? tr[i].user_email != NULL : tr[i].user_email == NULL);
    arena_release(&a);
    testdb_free(t);
}

int main(void)
{
    testutil_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(catalogue__fold_lowercases_and_strips_polish_diacritics),
        cmocka_unit_test(catalogue__organisation_defaults_and_validation),
        cmocka_unit_test(catalogue__lab_validation_names_the_field),
        cmocka_unit_test(catalogue__resource_defaults_follow_the_api),
        cmocka_unit_test(catalogue__resource_validation_names_the_field),
        cmocka_unit_test(catalogue__nested_objects_are_columns_of_the_row),
        cmocka_unit_test(catalogue__hours_round_trip_sorted_with_24_00),
        cmocka_unit_test(catalogue__every_write_bumps_updated),
        cmocka_unit_test(catalogue__deletes_refuse_history_and_cascade_the_rest),
        cmocka_unit_test(catalogue__free_span_ignores_pending_and_touching),
        cmocka_unit_test(catalogue__free_needs_the_opening_hours_and_a_bounded_span),
        cmocka_unit_test(catalogue__search_folds_polish_letters_and_needs_every_word),
        cmocka_unit_test(catalogue__service_resources_belong_to_its_organisation),
        cmocka_unit_test(catalogue__email_domains_are_canonical_and_owned_once),
        cmocka_unit_test(catalogue__training_grant_and_revoke),
        cmocka_unit_test(catalogue__changes_refuse_or_cancel_the_bookings_they_break),
        cmocka_unit_test(catalogue__training_is_found_asked_for_and_never_shows_foreign_addresses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
