/* test_json.c — request body parsing and field validation. */
#include "testutil.h"

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
    struct arena a = {0};
    const char *purpose = NULL;
    assert_int_equal(json_string(j, "purpose", 0, 0, 100, &a, &purpose, NULL, &err),
                     LS_EVALIDATION);
    assert_string_equal(err.field, "purpose");
    arena_release(&a);
    cJSON_Delete(j);
    const char *ok = "{\"path\": \"C:\\\\u0000\", \"e\": \"\\u00e9\"}";
    assert_int_equal(json_parse_object(&j, ok, strlen(ok), &err), LS_OK);
    assert_string_equal(cJSON_GetObjectItem(j, "path")->valuestring, "C:\\u0000");
    assert_string_equal(cJSON_GetObjectItem(j, "e")->valuestring, "\xc3\xa9");
    cJSON_Delete(j);
}

static void json__unknown_field_names_it(void **state)
{
    (void)state;
    cJSON *j = parse("{\"name\":\"x\",\"colour\":\"red\"}");
    static const char *const allowed[] = {"name", NULL};
    struct ls_err err = {0};
    assert_int_equal(json_only(j, allowed, &err), LS_EVALIDATION);
    assert_string_equal(err.field, "colour");
    cJSON_Delete(j);
}

static void json__typed_getters_validate(void **state)
{
    (void)state;
    struct arena a = {0};
    cJSON *j = parse("{\"s\":\"  \",\"n\":2.5,\"i\":3,\"b\":true,\"t\":\"2026-05-05T10:00:00Z\","
                     "\"e\":\"lab\",\"nul\":null,\"big\":1e300}");
    struct ls_err err = {0};
    const char *s = NULL;
    int present = -1;
    assert_int_equal(json_string(j, "s", 1, 0, 10, &a, &s, NULL, &err), LS_EVALIDATION);
    assert_string_equal(err.field, "s");
    assert_int_equal(json_string(j, "missing", 0, 0, 10, &a, &s, &present, &err), LS_OK);
    assert_int_equal(present, 0);
    assert_int_equal(json_string(j, "missing", 1, 0, 10, &a, &s, &present, &err), LS_EVALIDATION);
    int64_t i = 0;
    assert_int_equal(json_int(j, "n", 1, 0, 10, &i, NULL, &err), LS_EVALIDATION);
    assert_int_equal(json_int(j, "i", 1, 0, 10, &i, NULL, &err), LS_OK);
    assert_int_equal(i, 3);
    assert_int_equal(json_int(j, "i", 1, 5, 10, &i, NULL, &err), LS_EVALIDATION);
    assert_int_equal(json_int(j, "big", 1, 0, 10, &i, NULL, &err), LS_EVALIDATION);
    double d = 0;
    int is_null = 0;
    assert_int_equal(json_number(j, "n", 1, 0, 0, 10, &d, NULL, NULL, &err), LS_OK);
    assert_true(d == 2.5);
    assert_int_equal(json_number(j, "nul", 0, 1, 0, 10, &d, &is_null, NULL, &err), LS_OK);
    assert_int_equal(is_null, 1);
    assert_int_equal(json_number(j, "nul", 0, 0, 0, 10, &d, &is_null, NULL, &err), LS_EVALIDATION);
    int b = 0;
    assert_int_equal(json_bool(j, "b", 1, &b, NULL, &err), LS_OK);
    assert_int_equal(b, 1);
    assert_int_equal(json_bool(j, "i", 1, &b, NULL, &err), LS_EVALIDATION);
    int64_t t = 0;
    assert_int_equal(json_time(j, "t", 1, &t, NULL, &err), LS_OK);
    assert_int_equal(json_time(j, "e", 1, &t, NULL, &err), LS_EVALIDATION);
    static const char *const kinds[] = {"lab", "office", NULL};
    const char *k = NULL;
    assert_int_equal(json_enum(j, "e", 1, kinds, &k, NULL, &err), LS_OK);
    assert_string_equal(k, "lab");
    assert_int_equal(json_enum(j, "s", 1, kinds, &k, NULL, &err), LS_EVALIDATION);
    cJSON_Delete(j);
    arena_release(&a);
}

static void json__text_must_be_utf8(void **state)
{
    (void)state;
    assert_true(json_text_ok("Kraków – Łódź", strlen("Kraków – Łódź"), 0));
    assert_false(json_text_ok("\xc3\x28", 2, 0));
    assert_false(json_text_ok("\xed\xa0\x80", 3, 0)); /* a UTF-16 surrogate */
    assert_false(json_text_ok("a\x01z", 3, 1));
    assert_true(json_text_ok("a\nz", 3, 1));
    assert_false(json_text_ok("a\nz", 3, 0));
}

/* Limits are characters: 2000 Polish letters (4000 bytes) fit a limit of
 * 2000, the 2001st does not. */
static void json__string_limits_count_characters(void **state)
{
    (void)state;
    struct arena a = {0};
    struct ls_err err = {0};
    char *body = malloc(2 * 2001 + 16);
    assert_non_null(body);
    for (int n = 2000; n <= 2001; n++) {
        size_t o = (size_t)sprintf(body, "{\"p\":\"");
        for (int i = 0; i < n; i++)
            o += (size_t)sprintf(body + o, "ą");
        o += (size_t)sprintf(body + o, "\"}");
        cJSON *j = NULL;
        assert_int_equal(json_parse_object(&j, body, o, &err), LS_OK);
        const char *s = NULL;
        int rc = json_string(j, "p", 1, 0, 2000, &a, &s, NULL, &err);
        if (n == 2000) {
            assert_int_equal(rc, LS_OK);
            assert_int_equal(strlen(s), 4000);
        } else {
            assert_int_equal(rc, LS_EVALIDATION);
            assert_string_equal(err.field, "p");
            assert_non_null(strstr(err.message, "2000 characters"));
        }
        cJSON_Delete(j);
    }
    free(body);
    arena_release(&a);
}

/* A direction override or a zero-width space in a string is a 422 naming
 * the field, also when escaped in the JSON. */
static void json__invisible_text_names_the_field(void **state)
{
    (void)state;
    struct arena a = {0};
    struct ls_err err = {0};
    const char *bodies[] = {"{\"name\":\"\\u202egnp.exe\"}", "{\"name\":\"Ad\\u200bmin\"}",
                            "{\"name\":\"Ad\xe2\x81\xa6min\"}", "{\"name\":\"x\\u0085\"}"};
    for (size_t i = 0; i < sizeof bodies / sizeof *bodies; i++) {
        cJSON *j = parse(bodies[i]);
        const char *s = NULL;
        assert_int_equal(json_string(j, "name", 1, 0, 200, &a, &s, NULL, &err), LS_EVALIDATION);
        assert_string_equal(err.field, "name");
        cJSON_Delete(j);
    }
    arena_release(&a);
}

int main(void)
{
    testutil_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(json__malformed_is_bad_request),
        cmocka_unit_test(json__deep_nesting_is_refused),
        cmocka_unit_test(json__pathological_nesting_is_refused_early),
        cmocka_unit_test(json__raw_control_characters_in_strings_are_malformed),
        cmocka_unit_test(json__escaped_nul_never_cuts_text),
        cmocka_unit_test(json__unknown_field_names_it),
        cmocka_unit_test(json__typed_getters_validate),
        cmocka_unit_test(json__text_must_be_utf8),
        cmocka_unit_test(json__string_limits_count_characters),
        cmocka_unit_test(json__invisible_text_names_the_field),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
