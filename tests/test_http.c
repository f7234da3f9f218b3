/* test_http.c — route matching, the route table's consistency and the
 * error list. (The server itself is tested over real HTTP in tests/http/.) */
#include "testutil.h"

#include "api.h"
#include "err.h"
#include "http.h"

static void http__match_literal_and_params(void **state)
{
    (void)state;
    struct arena a = {0};
    const char *p[HTTP_MAX_PARAMS];
    int n = 0;
    assert_true(http_match("/api/v1/labs", "/api/v1/labs", &a, p, &n));
    assert_int_equal(n, 0);
    assert_false(http_match("/api/v1/labs", "/api/v1/labs/", &a, p, &n));
    assert_true(http_match("/api/v1/labs/{id}", "/api/v1/labs/17", &a, p, &n));
    assert_int_equal(n, 1);
    assert_string_equal(p[0], "17");
    assert_false(http_match("/api/v1/labs/{id}", "/api/v1/labs/17/x", &a, p, &n));
    assert_false(http_match("/api/v1/labs/{id}", "/api/v1/labs/", &a, p, &n));
    assert_true(http_match("/ical/{token}.ics", "/ical/abc123.ics", &a, p, &n));
    assert_string_equal(p[0], "abc123");
    assert_false(http_match("/ical/{token}.ics", "/ical/.ics", &a, p, &n));
    assert_false(http_match("/ical/{token}.ics", "/ical/abc.ical", &a, p, &n));
    assert_true(
        http_match("/api/v1/bookings/{id}/approve", "/api/v1/bookings/5/approve", &a, p, &n));
    assert_string_equal(p[0], "5");
    arena_release(&a);
}

static void http__route_table_has_no_duplicates(void **state)
{
    (void)state;
    for (const struct route *const *t = http_route_tables; *t; t++)
        for (const struct route *r = *t; r->method; r++) {
            assert_non_null(r->handler);
            assert_non_null(r->summary);
            assert_true(r->pattern[0] == '/');
            for (const struct route *const *u = http_route_tables; *u; u++)
                for (const struct route *s = *u; s->method; s++)
                    if (s != r && strcmp(s->method, r->method) == 0)
                        assert_false(strcmp(s->pattern, r->pattern) == 0);
        }
}

static void http__error_codes_map_to_api(void **state)
{
    (void)state;
    assert_int_equal(ls_code_status(LS_EVALIDATION), 422);
    assert_string_equal(ls_code_name(LS_EVALIDATION), "validation");
    assert_int_equal(ls_code_status(LS_ECONFLICT), 409);
    assert_string_equal(ls_code_name(LS_ETOOMANY), "too_many_requests");
    assert_int_equal(ls_code_status((enum ls_code)999), 500);
    struct ls_err e = {0};
    assert_int_equal(ls_err_set(&e, LS_ENOTFOUND, "id", "no %s", "lab"), LS_ENOTFOUND);
    assert_string_equal(e.field, "id");
    assert_string_equal(e.message, "no lab");
    for (int i = 0; i < 40; i++)
        ls_err_add_conflict(&e, 0, i % 35);
    assert_int_equal(e.nconflicts, 35);
}

static void http__openapi_lists_every_route(void **state)
{
    (void)state;
    cJSON *doc = openapi_document();
    cJSON *paths = cJSON_GetObjectItemCaseSensitive(doc, "paths");
    assert_non_null(paths);
    for (const struct route *const *t = http_route_tables; *t; t++)
        for (const struct route *r = *t; r->method; r++) {
            cJSON *item = cJSON_GetObjectItemCaseSensitive(paths, r->pattern);
            assert_non_null(item);
            char m[8] = {0};
            for (int i = 0; r->method[i] && i < 7; i++)
                m[i] = (char)(r->method[i] | 0x20);
            assert_non_null(cJSON_GetObjectItemCaseSensitive(item, m));
        }
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(doc, "openapi")->valuestring, "3.1.0");
    /* Every route describes itself whole: a body that takes JSON has a shape
     * (never a bare object), every answer has a shape, a media type or is
     * empty, and the access says who may call it. */
    for (const struct route *const *t = http_route_tables; *t; t++)
        for (const struct route *r = *t; r->method; r++) {
            if (r->body_max > 0)
                assert_true(r->body || ((r->flags & ROUTE_RAW_BODY) && r->body_type));
            assert_true(r->answer || r->answer_type || (r->flags & ROUTE_EMPTY));
            if (strchr(r->pattern, '{') && strncmp(r->pattern, "/ical/", 6) &&
                !strstr(r->pattern, "{year}") && !strstr(r->pattern, "{kind}") &&
                !(r->flags & ROUTE_LINK))
                assert_non_null(r->object);
        }
    /* The shapes every client relies on are components. */
    cJSON *schemas = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(doc, "components"), "schemas");
    const char *names[] = {"Error",     "User",    "Organisation", "Lab",  "Resource",
                           "Blackout",  "Service", "Booking",      "Feed", "UtilisationFigures",
                           "Indicators"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        assert_non_null(cJSON_GetObjectItemCaseSensitive(schemas, names[i]));
    cJSON_Delete(doc);
}

int main(void)
{
    testutil_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(http__match_literal_and_params),
        cmocka_unit_test(http__route_table_has_no_duplicates),
        cmocka_unit_test(http__error_codes_map_to_api),
        cmocka_unit_test(http__openapi_lists_every_route),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
