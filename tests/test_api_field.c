/* test_api_field.c — field tables meet JSON and query strings: the API's
 * order of checks, presence, output and the OpenAPI schema. */
#include "testutil.h"

#include <math.h>

#include <cjson/cJSON.h>

#include "api_field.h"
#include "catalogue.h"
#include "json.h"

static cJSON *parse(const char *text)
{
    cJSON *j = NULL;
    struct ls_err err = {0};
    assert_int_equal(json_parse_object(&j, text, strlen(text), &err), LS_OK);
    return j;
}

/* Reads text as a lab body; returns the code and leaves the field named. */
static int read_lab(const char *text, int creating, int staff, struct lab *out, uint64_t *present,
                    struct ls_err *err, struct arena *a)
{
    cJSON *j = parse(text);
    catalogue_defaults(&catalogue_lab, out);
    int rc = api_field_read(&catalogue_lab.shape, j, creating, staff, NULL, a, out, present, err);
    cJSON_Delete(j);
    return rc;
}

static void api_field__reads_a_body_in_the_contracts_order(void **state)
{
    (void)state;
    struct arena a = {0};
    struct ls_err err = {0};
    struct lab l;
    uint64_t present = 0;
    assert_int_equal(read_lab("{\"organisation_id\": 3, \"name\": \"Lab\", \"kind\": \"office\","
                              " \"area_m2\": 12.5, \"energy_kwh_per_m2_year\": null}",
                              1, 0, &l, &present, &err, &a),
                     LS_OK);
    assert_int_equal(l.organisation_id, 3);
    assert_string_equal(l.kind, "office");
    assert_true(isnan(l.energy_kwh_per_m2_year));
    assert_true(present & field_bit(&catalogue_lab.shape, "area_m2"));
    assert_false(present & field_bit(&catalogue_lab.shape, "city"));
    /* Unknown and read-only members first, wherever they stand. */
    assert_int_equal(read_lab("{\"kind\": \"x\", \"colour\": 1}", 1, 0, &l, &present, &err, &a),
                     LS_EVALIDATION);
    assert_string_equal(err.field, "colour");
    assert_int_equal(read_lab("{\"resource_count\": 1}", 0, 0, &l, &present, &err, &a),
                     LS_EVALIDATION);
    assert_string_equal(err.field, "resource_count");
    /* Then the fields in table order; a missing required one only when creating. */
    assert_int_equal(read_lab("{\"name\": \"Lab\"}", 1, 0, &l, &present, &err, &a), LS_EVALIDATION);
    assert_string_equal(err.field, "organisation_id");
    assert_int_equal(read_lab("{\"name\": \"Lab\"}", 0, 0, &l, &present, &err, &a), LS_OK);
    assert_int_equal(read_lab("{\"area_m2\": \"big\"}", 0, 0, &l, &present, &err, &a),
                     LS_EVALIDATION);
    assert_string_equal(err.field, "area_m2");
    assert_int_equal(read_lab("{\"biosafety_level\": 2.5}", 0, 0, &l, &present, &err, &a),
                     LS_EVALIDATION);
    assert_int_equal(read_lab("{\"name\": null}", 0, 0, &l, &present, &err, &a), LS_EVALIDATION);
    assert_string_equal(err.field, "name");
    /* Optional text: null reads as empty, nullable text as unknown. */
    assert_int_equal(
        read_lab("{\"description\": null, \"city\": \"  \"}", 0, 0, &l, &present, &err, &a), LS_OK);
    assert_string_equal(l.description, "");
    assert_null(l.city);
    arena_release(&a);
}

/* A number past what an int holds names the field's own bounds, or an
 * int's when the field has none (never "between 0 and 0"). */
struct counter {
    int n;
};
static const struct field COUNTER_FIELDS[] = {
    FIELD(struct counter, n, "n", FT_INT, 0, LABEL("Count", "Liczba")),
    FIELD_END,
};
static const struct shape counter_shape = {.fields = COUNTER_FIELDS,
                                           .size = sizeof(struct counter)};

static void api_field__huge_ints_name_the_bounds(void **state)
{
    (void)state;
    struct arena a = {0};
    struct ls_err err = {0};
    struct lab l;
    uint64_t present = 0;
    assert_int_equal(read_lab("{\"biosafety_level\": 5e9}", 0, 0, &l, &present, &err, &a),
                     LS_EVALIDATION);
    assert_string_equal(err.message, "{field} must be between 0 and 4");
    struct counter c = {0};
    cJSON *j = parse("{\"n\": -5e9}");
    assert_int_equal(api_field_read(&counter_shape, j, 1, 0, NULL, &a, &c, &present, &err),
                     LS_EVALIDATION);
    cJSON_Delete(j);
    assert_string_equal(err.field, "n");
    assert_string_equal(err.message, "{field} must be between -2000000000 and 2000000000");
    assert_string_equal(err.message_pl, "{field}: podaj wartość od -2000000000 do 2000000000");
    arena_release(&a);
}

static void api_field__writes_json_from_the_table(void **state)
{
    (void)state;
    struct lab l;
    catalogue_defaults(&catalogue_lab, &l);
    l.id = 7;
    l.organisation_id = 2;
    l.name = "Lab";
    l.kind = "scientific";
    l.area_m2 = 40;
    l.created = l.updated = 1800000000;
    cJSON *j = api_field_json(&catalogue_lab.shape, &l);
    assert_int_equal(cJSON_GetObjectItem(j, "id")->valuedouble, 7);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, "energy_kwh_per_m2_year")));
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, "city")));
    assert_string_equal(cJSON_GetObjectItem(j, "created")->valuestring, "2027-01-15T08:00:00Z");
    assert_string_equal(cJSON_GetObjectItem(j, "description")->valuestring, "");
    cJSON_Delete(j);
}

struct getter {
    const char *const *pairs; /* name, value, …, NULL */
};

static const char *get(void *ctx, const char *name)
{
    const struct getter *g = ctx;
    for (const char *const *p = g->pairs; *p; p += 2)
        if (strcmp(p[0], name) == 0)
            return p[1];
    return NULL;
}

/* An organisation's e-mail domains: a list of texts in, a list out, an
 * array of strings in the schema; anything but texts is refused. */
static void api_field__reads_and_writes_lists_of_words(void **state)
{
    (void)state;
    struct arena a = {0};
    struct ls_err err = {0};
    struct organisation o;
    uint64_t present = 0;
    catalogue_defaults(&catalogue_organisation, &o);
    cJSON *j = parse("{\"email_domains\": [\"uj.edu.pl\", \"agh.edu.pl\"]}");
    assert_int_equal(
        api_field_read(&catalogue_organisation.shape, j, 0, 1, NULL, &a, &o, &present, &err),
        LS_OK);
    cJSON_Delete(j);
    assert_int_equal(o.email_domains.n, 2);
    assert_string_equal(o.email_domains.v[0], "agh.edu.pl"); /* sorted */
    cJSON *out = api_field_json(&catalogue_organisation.shape, &o);
    cJSON *list = cJSON_GetObjectItem(out, "email_domains");
    assert_true(cJSON_IsArray(list));
    assert_string_equal(cJSON_GetArrayItem(list, 1)->valuestring, "uj.edu.pl");
    cJSON_Delete(out);
    const char *bad[] = {"{\"email_domains\": \"uj.edu.pl\"}", "{\"email_domains\": [1]}",
                         "{\"email_domains\": [null]}", "{\"email_domains\": [\"\"]}"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        j = parse(bad[i]);
        assert_int_equal(
            api_field_read(&catalogue_organisation.shape, j, 0, 1, NULL, &a, &o, &present, &err),
            LS_EVALIDATION);
        assert_string_equal(err.field, "email_domains");
        cJSON_Delete(j);
    }
    /* Only staff set them. */
    j = parse("{\"email_domains\": []}");
    assert_int_equal(
        api_field_read(&catalogue_organisation.shape, j, 0, 0, NULL, &a, &o, &present, &err),
        LS_EFORBIDDEN);
    cJSON_Delete(j);
    cJSON *schema = api_field_schema(&catalogue_organisation.shape, SCHEMA_CHANGE);
    cJSON *p = cJSON_GetObjectItem(cJSON_GetObjectItem(schema, "properties"), "email_domains");
    assert_string_equal(cJSON_GetObjectItem(p, "type")->valuestring, "array");
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(p, "items"), "type")->valuestring,
                        "string");
    assert_int_equal(cJSON_GetObjectItem(p, "maxItems")->valueint, 50);
    cJSON_Delete(schema);
    arena_release(&a);
}

static void api_field__reads_query_parameters(void **state)
{
    (void)state;
    struct arena a = {0};
    struct ls_err err = {0};
    struct resource_filter f;
    uint64_t present = 0;
    const struct shape *sh = &catalogue_resource_filter;
    const char *ok[] = {"type",       "desk", "shared", "false", "free_from",
                        "2030-01-01", "q",    "",       NULL};
    struct getter g = {ok};
    field_defaults(sh, &f);
    assert_int_equal(api_field_query(sh, get, &g, &a, &f, &present, &err), LS_OK);
    assert_string_equal(f.type, "desk");
    assert_int_equal(f.shared, 0);
    assert_true(present & field_bit(sh, "shared"));
    assert_false(present & field_bit(sh, "q")); /* empty counts as absent */
    assert_int_equal(f.free_from, tu_local_midnight(2030, 1, 1));
    const char *bad[][3] = {
        {"type", "spaceship", "type"},      {"lab_id", "0", "lab_id"},
        {"lab_id", "1 OR 1=1", "lab_id"},   {"biosafety_level_min", "5", "biosafety_level_min"},
        {"free_to", "tomorrow", "free_to"}, {"shared", "maybe", "shared"}};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        const char *pairs[] = {bad[i][0], bad[i][1], NULL};
        struct getter b = {pairs};
        field_defaults(sh, &f);
        assert_int_equal(api_field_query(sh, get, &b, &a, &f, &present, &err), LS_EVALIDATION);
        assert_string_equal(err.field, bad[i][2]);
    }
    arena_release(&a);
}

static void api_field__schemas_carry_limits_labels_and_enumerations(void **state)
{
    (void)state;
    cJSON *s = api_field_schema(&catalogue_lab.shape, SCHEMA_CREATE);
    cJSON *props = cJSON_GetObjectItem(s, "properties");
    assert_null(cJSON_GetObjectItem(props, "id")); /* read-only: not in a body */
    cJSON *kind = cJSON_GetObjectItem(props, "kind");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(kind, "enum")), 5);
    cJSON *labels = cJSON_GetObjectItem(cJSON_GetObjectItem(kind, "x-enum-labels"), "scientific");
    assert_string_equal(cJSON_GetObjectItem(labels, "pl")->valuestring, "naukowe");
    cJSON *area = cJSON_GetObjectItem(props, "area_m2");
    assert_int_equal(cJSON_GetObjectItem(area, "exclusiveMinimum")->valuedouble, 0);
    assert_string_equal(
        cJSON_GetObjectItem(cJSON_GetObjectItem(area, "x-label"), "pl")->valuestring,
        "Powierzchnia (m²)");
    cJSON *req = cJSON_GetObjectItem(s, "required");
    assert_int_equal(cJSON_GetArraySize(req), 4); /* organisation_id, name, kind, area_m2 */
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(s, "additionalProperties")));
    cJSON_Delete(s);
    s = api_field_schema(&catalogue_lab.shape, SCHEMA_CHANGE);
    assert_null(cJSON_GetObjectItem(s, "required"));
    cJSON_Delete(s);
    cJSON *params = cJSON_CreateArray();
    api_field_params(&catalogue_blackout_filter, params);
    assert_int_equal(cJSON_GetArraySize(params), 2); /* from, to: the resource is the path's */
    cJSON_Delete(params);
    assert_string_equal(api_field_label(&catalogue_lab.shape, "kind", MSG_PL), "Typ");
    assert_null(api_field_label(&catalogue_lab.shape, "nope", MSG_EN));
}

/* Reads text as a resource change (or create) body. */
static int read_res(const char *text, int creating, struct resource *out, struct ls_err *err,
                    struct arena *a)
{
    cJSON *j = parse(text);
    catalogue_defaults(&catalogue_resource, out);
    uint64_t present = 0;
    int rc = api_field_read(&catalogue_resource.shape, j, creating, 0, NULL, a, out, &present, err);
    cJSON_Delete(j);
    return rc;
}

static void api_field__reads_nested_objects_whole(void **state)
{
    (void)state;
    struct arena a = {0};
    struct ls_err err = {0};
    struct resource r;
    assert_int_equal(read_res("{\"prices\": {\"internal\": 0, \"member_academic\": 12.5,"
                              " \"member_commercial\": null, \"non_member\": 200}}",
                              0, &r, &err, &a),
                     LS_OK);
    assert_string_equal(r.prices.currency, "PLN"); /* a member not given takes its default */
    assert_true(r.prices.member_academic == 12.5);
    assert_true(isnan(r.prices.member_commercial)); /* null: that class may not book */
    assert_null(r.funding.programme);               /* not given: null, all zero */
    /* null clears a nullable object. */
    r.funding = (struct funding){"FENG", 0.2};
    cJSON *j = parse("{\"funding\": null}");
    uint64_t present = 0;
    assert_int_equal(
        api_field_read(&catalogue_resource.shape, j, 0, 0, NULL, &a, &r, &present, &err), LS_OK);
    cJSON_Delete(j);
    assert_null(r.funding.programme);
    assert_true(r.funding.economic_cap == 0);
    assert_true(present & field_bit(&catalogue_resource.shape, "funding"));
    /* Each member is checked as usual and named "parent.member". */
    const char *bad[][2] = {
        {"{\"prices\": {\"internal\": -1, \"member_academic\": 1, \"member_commercial\": 1,"
         " \"non_member\": 1}}",
         "prices.internal"},
        {"{\"prices\": {\"currency\": \"XYZ\", \"internal\": 1, \"member_academic\": 1,"
         " \"member_commercial\": 1, \"non_member\": 1}}",
         "prices.currency"},
        {"{\"prices\": {\"internal\": 1}}", "prices.member_academic"}, /* rates are required */
        {"{\"prices\": {\"internal\": 1, \"member_academic\": 1, \"member_commercial\": 1,"
         " \"non_member\": \"cheap\"}}",
         "prices.non_member"},
        {"{\"prices\": {\"internal\": 1, \"member_academic\": 1, \"member_commercial\": 1,"
         " \"non_member\": 1, \"vat\": 23}}",
         "prices.vat"}, /* unknown members refused */
        {"{\"prices\": [1, 2]}", "prices"},
        {"{\"funding\": {\"programme\": \"FENG\", \"economic_cap\": 1.5}}", "funding.economic_cap"},
        {"{\"funding\": {\"programme\": \"FENG\", \"economic_cap\": -0.1}}",
         "funding.economic_cap"},
        {"{\"funding\": {\"economic_cap\": 0.1}}", "funding.programme"},
        {"{\"funding\": {\"programme\": \"  \"}}", "funding.programme"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(read_res(bad[i][0], 0, &r, &err, &a), LS_EVALIDATION);
        assert_string_equal(err.field, bad[i][1]);
    }
    /* The nested member's own label names it in messages. */
    assert_string_equal(api_field_label(&catalogue_resource.shape, "prices.internal", MSG_EN),
                        "Internal rate (net per hour)");
    assert_string_equal(api_field_label(&catalogue_resource.shape, "funding.economic_cap", MSG_PL),
                        "Limit wykorzystania gospodarczego (część godzin w roku)");
    assert_null(api_field_label(&catalogue_resource.shape, "name.x", MSG_EN));
    arena_release(&a);
}

static void api_field__writes_and_describes_nested_objects(void **state)
{
    (void)state;
    struct resource r;
    catalogue_defaults(&catalogue_resource, &r);
    r.prices = (struct price_list){"PLN", 10, NAN, NAN, NAN};
    cJSON *j = api_field_json(&catalogue_resource.shape, &r);
    cJSON *p = cJSON_GetObjectItem(j, "prices");
    assert_string_equal(cJSON_GetObjectItem(p, "currency")->valuestring, "PLN");
    assert_int_equal(cJSON_GetObjectItem(p, "internal")->valuedouble, 10);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(p, "non_member")));
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, "funding")));
    cJSON_Delete(j);
    /* A change body documents the nested members inline, required ones
     * required, and null as allowed. */
    cJSON *s = api_field_schema(&catalogue_resource.shape, SCHEMA_CHANGE);
    cJSON *f = cJSON_GetObjectItem(cJSON_GetObjectItem(s, "properties"), "funding");
    cJSON *any = cJSON_GetObjectItem(f, "oneOf");
    assert_int_equal(cJSON_GetArraySize(any), 2);
    cJSON *req = cJSON_GetObjectItem(cJSON_GetArrayItem(any, 0), "required");
    assert_string_equal(cJSON_GetArrayItem(req, 0)->valuestring, "programme");
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(any, 1), "type")->valuestring,
                        "null");
    cJSON_Delete(s);
}

/* A bare date in a query is its local midnight, and only a real date is
 * one: 30 February was read as 2 March. */
static void api_field__query_dates_are_real_dates(void **state)
{
    (void)state;
    struct arena a = {0};
    int64_t t = 0;
    assert_int_equal(api_field_parse_time("2028-02-29", &a, &t), TU_OK);
    assert_int_equal(t, tu_local_midnight(2028, 2, 29));
    const char *bad[] = {"2027-02-29", "2026-02-30", "2026-04-31",
                         "2026-00-10", "2026-13-01", "2026-12-00"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_not_equal(api_field_parse_time(bad[i], &a, &t), TU_OK);
    arena_release(&a);
}

int main(void)
{
    testutil_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(api_field__reads_a_body_in_the_contracts_order),
        cmocka_unit_test(api_field__query_dates_are_real_dates),
        cmocka_unit_test(api_field__huge_ints_name_the_bounds),
        cmocka_unit_test(api_field__writes_json_from_the_table),
        cmocka_unit_test(api_field__reads_and_writes_lists_of_words),
        cmocka_unit_test(api_field__reads_query_parameters),
        cmocka_unit_test(api_field__schemas_carry_limits_labels_and_enumerations),
        cmocka_unit_test(api_field__reads_nested_objects_whole),
        cmocka_unit_test(api_field__writes_and_describes_nested_objects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
