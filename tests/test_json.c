/* test_json.c — request body parsing, and the one getter the dispatcher uses. */
#include "testutil.h"

#include "field.h"
#include "json.h"

static cJSON *parse(const char *s)
{
    cJSON *j = NULL;
    struct ls_err err = {0};
    assert_int_equal(json_parse_object(&j, s, strlen(s), &err), LS_OK);
    return j;
}

static void json__malformed_is_bad_request(void **state)
{
    (void)state;
    const char *bad[] = {"{", "[]", "42", "{\"a\":}", "{\"a\":1} x", "nul", "{\"a\":\"\\u\"}"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        cJSON *j = NULL;
        struct ls_err err = {0};
        assert_int_equal(json_parse_object(&j, bad[i], strlen(bad[i]), &err), LS_EBADREQ);
        assert_null(j);
        assert_true(strlen(err.message) > 0);
    }
}

static void json__deep_nesting_is_refused(void **state)
{
    (void)state;
    char buf[300];
    size_t n = 0;
    buf[n++] = '{';
    buf[n++] = '"';
    buf[n++] = 'a';
    buf[n++] = '"';
    buf[n++] = ':';
    for (int i = 0; i < 100; i++)
        buf[n++] = '[';
    for (int i = 0; i < 100; i++)
        buf[n++] = ']';
    buf[n++] = '}';
    cJSON *j = NULL;
    struct ls_err err = {0};
    assert_int_equal(json_parse_object(&j, buf, n, &err), LS_EBADREQ);
}

/* 10,000 and 100,000 levels (what tests/http/limits.test.mjs cannot send
 * through an 8 KiB route): refused by the pre-scan before cJSON recurses. */
static void json__pathological_nesting_is_refused_early(void **state)
{
    (void)state;
    const size_t depths[] = {10000, 100000};
    for (size_t k = 0; k < 2; k++) {
        size_t depth = depths[k];
        char *buf = malloc(2 * depth + 8);
        assert_non_null(buf);
        size_t n = 0;
        n += (size_t)sprintf(buf, "{\"a\":");
        for (size_t i = 0; i < depth; i++)
            buf[n++] = '[';
        for (size_t i = 0; i < depth; i++)
            buf[n++] = ']';
        buf[n++] = '}';
        cJSON *j = NULL;
        struct ls_err err = {0};
        assert_int_equal(json_parse_object(&j, buf, n, &err), LS_EBADREQ);
        assert_null(j);
        assert_non_null(strstr(err.message, "nested"));
        free(buf);
    }
}

/* Fuzz finding (tests/fuzz/corpus/booking_body/crash-nul-in-name): cJSON takes
 * raw control characters in strings, so a NUL inside a member name cut it
 * to "" and the route answered a 422 naming no field. RFC 8259 wants them
 * escaped: the body is malformed (400); escaped ones are still text. */
static void json__raw_control_characters_in_strings_are_malformed(void **state)
{
    (void)state;
    static const char *const bodies[] = {"{\"a\0b\": 1}", "{\"name\": \"a\nb\"}",
                                         "{\"name\": \"a\x01\"}", "{\"\x1f\": 1}"};
    static const size_t lens[] = {10, 15, 14, 8};
    for (size_t k = 0; k < 4; k++) {
        cJSON *j = NULL;
        struct ls_err err = {0};
        assert_int_equal(json_parse_object(&j, bodies[k], lens[k], &err), LS_EBADREQ);
        assert_null(j);
        assert_non_null(strstr(err.message, "control character"));
    }
    cJSON *j = NULL;
    struct ls_err err = {0};
    const char *ok = "{\"name\": \"a\\nb\\t\", \"x\": 1}\n";
    assert_int_equal(json_parse_object(&j, ok, strlen(ok), &err), LS_OK);
    assert_string_equal(cJSON_GetObjectItem(j, "name")->valuestring, "a\nb\t");
    cJSON_Delete(j);
}

/* Regression for tests/http/bodyfuzz.test.mjs: an escaped NUL decodes into
 * a C string terminator, so {"\u0000": 1} read as a member named "" and
 * {"purpose": "a\u0000b"} as "a". In a member name (at any depth) it is a
 * 400; in a value it reaches the route as a control character, which the
 * typed getters refuse with a 422 naming the field. An escaped backslash
 * followed by "u0000" is ordinary text. */
static void json__escaped_nul_never_cuts_text(void **state)
{
    (void)state;
    static const char *const names[] = {"{\"\\u0000\": 1}", "{\"x\\u0000y\": [\"a\"]}",
                                        "{\"h\": [{\"open\": 1}, {\"\\u0000\": 2}]}"};
    for (size_t k = 0; k < sizeof names / sizeof *names; k++) {
        cJSON *j = NULL;
        struct ls_err err = {0};
        assert_int_equal(json_parse_object(&j, names[k], strlen(names[k]), &err), LS_EBADREQ);
        assert_null(j);
        assert_non_null(strstr(err.message, "member name"));
    }
    cJSON *j = NULL;
    struct ls_err err = {0};
    const char *value =
        "{\"purpose\": \"a\\u0000b\", \"ids\": [\"\\u0000\"], \"h\": {\"k\": \"\\u0000\"}}";
    assert_int_equal(json_parse_object(&j, value, strlen(value), &err), LS_OK);
    assert_string_equal(cJSON_GetObjectItem(j, "purpose")->valuestring, "a\x01"
                                                                        "b");
    assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "ids"), 0)->valuestring, "\x01");
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "h"), "k")->valuestring, "\x01");
    /* …which no text field accepts (test_field.c, test_api_field.c). */
    const char *purpose = cJSON_GetObjectItem(j, "purpose")->valuestring;
    assert_false(field_text_ok(purpose, strlen(purpose), 1));
    cJSON_Delete(j);
    const char *ok = "{\"path\": \"C:\\\\u0000\", \"e\": \"\\u00e9\"}";
    assert_int_equal(json_parse_object(&j, ok, strlen(ok), &err), LS_OK);
    assert_string_equal(cJSON_GetObjectItem(j, "path")->valuestring, "C:\\u0000");
    assert_string_equal(cJSON_GetObjectItem(j, "e")->valuestring, "\xc3\xa9");
    cJSON_Delete(j);
}

static void json__int_names_the_field(void **state)
{
    (void)state;
    cJSON *j = parse("{\"lab_id\": 7, \"half\": 1.5, \"big\": 1e300}");
    struct ls_err err = {0};
    int64_t v = 0;
    int present = -1;
    assert_int_equal(json_int(j, "lab_id", 1, 1, 100, &v, &present, &err), LS_OK);
    assert_int_equal(v, 7);
    assert_int_equal(present, 1);
    assert_int_equal(json_int(j, "half", 1, 1, 100, &v, NULL, &err), LS_EVALIDATION);
    assert_string_equal(err.field, "half");
    assert_int_equal(json_int(j, "big", 1, 1, 100, &v, NULL, &err), LS_EVALIDATION);
    assert_int_equal(json_int(j, "absent", 1, 1, 100, &v, &present, &err), LS_EVALIDATION);
    assert_int_equal(present, 0);
    assert_string_equal(err.field, "absent");
    assert_int_equal(json_int(j, "absent", 0, 1, 100, &v, NULL, &err), LS_OK);
    cJSON_Delete(j);
}

/* A name given twice in one object, at any depth, is refused naming it;
 * the same name in different objects is not a repeat. */
static void json__a_name_given_twice_is_refused(void **state)
{
    (void)state;
    const char *bad[][2] = {
        {"{\"resource_id\":22,\"resource_id\":23}", "resource_id"},
        {"{\"a\":1,\"b\":{\"c\":1,\"d\":2,\"c\":3}}", "c"},
        {"{\"opening_hours\":[{\"weekday\":1,\"open\":\"08:00\",\"weekday\":2}]}", "weekday"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cJSON *j = NULL;
        struct ls_err err = {0};
        assert_int_equal(json_parse_object(&j, bad[i][0], strlen(bad[i][0]), &err), LS_EBADREQ);
        assert_null(j);
        assert_string_equal(err.field, bad[i][1]);
        assert_string_equal(err.message, "{field} is given more than once");
    }
    /* The empty name twice is a repeat too (found by fuzz_json). */
    const char *empty = "{\"\":1,\"\":0}";
    cJSON *e = NULL;
    struct ls_err eerr = {0};
    assert_int_equal(json_parse_object(&e, empty, strlen(empty), &eerr), LS_EBADREQ);
    assert_null(e);
    assert_string_equal(eerr.message, "an object gives the empty name more than once");
    const char *ok = "{\"a\":{\"x\":1},\"b\":{\"x\":2},\"c\":[{\"x\":1},{\"x\":2}]}";
    cJSON *j = NULL;
    struct ls_err err = {0};
    assert_int_equal(json_parse_object(&j, ok, strlen(ok), &err), LS_OK);
    cJSON_Delete(j);
}

int main(void)
{
    testutil_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(json__int_names_the_field),
        cmocka_unit_test(json__malformed_is_bad_request),
        cmocka_unit_test(json__a_name_given_twice_is_refused),
        cmocka_unit_test(json__deep_nesting_is_refused),
        cmocka_unit_test(json__pathological_nesting_is_refused_early),
        cmocka_unit_test(json__raw_control_characters_in_strings_are_malformed),
        cmocka_unit_test(json__escaped_nul_never_cuts_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
