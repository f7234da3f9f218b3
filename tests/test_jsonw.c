/* test_jsonw.c — the JSON writer prints what cJSON prints for the same
 * values, byte for byte, and its text parses back to them. */
#include "testutil.h"

#include <math.h>

#include "json.h"
#include "jsonw.h"

/* Compares the writer's text with cJSON_PrintUnformatted of the tree. */
static void same_as_cjson(const struct jw *w, cJSON *tree)
{
    char *want = cJSON_PrintUnformatted(tree);
    assert_non_null(want);
    assert_string_equal(w->buf, want);
    assert_int_equal(w->len, strlen(want));
    free(want);
    cJSON_Delete(tree);
}

static void jsonw__strings_escape_as_cjson_does(void **state)
{
    (void)state;
    struct arena a = {0};
    char every[256];
    for (int i = 1; i < 256; i++)
        every[i - 1] = (char)i; /* every byte but NUL, control and non-ASCII included */
    every[255] = '\0';
    const char *texts[] = {
        "",
        "plain",
        "quote \" and backslash \\",
        "line\nbreak\ttab\rcr\b\f",
        "\x01\x1f",
        "zażółć gęślą jaźń — “Kraków”",
        "</script>",
        every,
    };
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        struct jw w;
        jw_init(&w, &a, 0); /* the smallest start: growth is exercised too */
        jw_object(&w, NULL);
        jw_string(&w, "s", texts[i]);
        jw_end(&w);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "s", texts[i]);
        same_as_cjson(&w, o);
        cJSON *back = cJSON_Parse(w.buf);
        assert_non_null(back);
        assert_string_equal(cJSON_GetObjectItem(back, "s")->valuestring, texts[i]);
        cJSON_Delete(back);
    }
    arena_release(&a);
}

static void jsonw__values_and_nesting_match_cjson(void **state)
{
    (void)state;
    struct arena a = {0};
    const int64_t ints[] = {0, 1, -1, 42, 2147483647, -2147483647, 2147483648LL, 999999999999999LL};
    const int64_t times[] = {0,          1,      86399,       86400, 951782400 /* 2000-02-29 */,
                             1793534400, TU_MAX, 4102444800LL /* 2100-01-01 */};
    struct jw w;
    jw_init(&w, &a, 16);
    jw_object(&w, NULL);
    jw_array(&w, "ints");
    for (size_t i = 0; i < sizeof ints / sizeof *ints; i++)
        jw_int(&w, NULL, ints[i]);
    jw_end(&w);
    jw_array(&w, "times");
    for (size_t i = 0; i < sizeof times / sizeof *times; i++)
        jw_time(&w, NULL, times[i]);
    jw_end(&w);
    jw_array(&w, "empty");
    jw_end(&w);
    jw_object(&w, "inner");
    jw_bool(&w, "yes", 1);
    jw_bool(&w, "no", 0);
    jw_null(&w, "nothing");
    jw_string(&w, "null_string", NULL);
    jw_int(&w, "id", 7);
    jw_time(&w, "when", 1793534400);
    jw_object(&w, "empty");
    jw_end(&w);
    jw_end(&w);
    jw_end(&w);
    jw_end(&w); /* one too many: ignored */

    cJSON *o = cJSON_CreateObject();
    cJSON *arr = cJSON_AddArrayToObject(o, "ints");
    for (size_t i = 0; i < sizeof ints / sizeof *ints; i++)
        cJSON_AddItemToArray(arr, cJSON_CreateNumber((double)ints[i]));
    arr = cJSON_AddArrayToObject(o, "times");
    for (size_t i = 0; i < sizeof times / sizeof *times; i++) {
        char s[TU_UTC_LEN];
        tu_format_utc(times[i], s);
        cJSON_AddItemToArray(arr, cJSON_CreateString(s));
    }
    cJSON_AddArrayToObject(o, "empty");
    cJSON *in = cJSON_AddObjectToObject(o, "inner");
    cJSON_AddBoolToObject(in, "yes", 1);
    cJSON_AddBoolToObject(in, "no", 0);
    cJSON_AddNullToObject(in, "nothing");
    cJSON_AddNullToObject(in, "null_string");
    cJSON_AddNumberToObject(in, "id", 7);
    json_add_time(in, "when", 1793534400);
    cJSON_AddObjectToObject(in, "empty");
    same_as_cjson(&w, o);
    arena_release(&a);
}

/* The low level writes the same text as the members one by one. */
static void jsonw__raw_members_match_the_member_calls(void **state)
{
    (void)state;
    struct arena a = {0};
    struct jw raw, one;
    jw_init(&raw, &a, 0);
    jw_init(&one, &a, 0);
    jw_object(&raw, NULL);
    jw_object(&one, NULL);
    jw_int(&raw, "n", 2);
    jw_int(&one, "n", 2);
    jw_array(&raw, "items");
    jw_array(&one, "items");
    for (int i = 0; i < 3; i++) {
        char *p = JW_PUT(jw_value(&raw, NULL, 200), "{\"id\":");
        p = jw_put_int(p, i);
        p = jw_put_string(JW_PUT(p, ",\"s\":"), "a\"b");
        p = jw_put_time(&raw, JW_PUT(p, ",\"t\":"), 1793534400 + i * 86400);
        jw_done(&raw, JW_PUT(p, "}"));
        jw_object(&one, NULL);
        jw_int(&one, "id", i);
        jw_string(&one, "s", "a\"b");
        jw_time(&one, "t", 1793534400 + i * 86400);
        jw_end(&one);
    }
    jw_end(&raw);
    jw_end(&one);
    char *p = jw_value(&raw, NULL, 64); /* members written raw into an open object */
    jw_done(&raw, JW_PUT(p, "\"tail\":true"));
    jw_bool(&one, "tail", 1);
    jw_end(&raw);
    jw_end(&one);
    assert_string_equal(raw.buf, one.buf);
    assert_int_equal(raw.len, strlen(raw.buf));
    cJSON *back = cJSON_Parse(raw.buf);
    assert_non_null(back);
    cJSON_Delete(back);
    arena_release(&a);
}

/* cJSON prints a double with 15 digits, so ids from 10^15 on would come out
 * rounded in exponent form; the writer prints every digit. */
static void jsonw__large_integers_keep_every_digit(void **state)
{
    (void)state;
    struct arena a = {0};
    struct jw w;
    jw_init(&w, &a, 0);
    jw_array(&w, NULL);
    jw_int(&w, NULL, 9007199254740993LL);
    jw_int(&w, NULL, INT64_MIN);
    jw_end(&w);
    assert_string_equal(w.buf, "[9007199254740993,-9223372036854775808]");
    arena_release(&a);
}

static void jsonw__every_second_of_a_leap_day_formats_as_timeutil(void **state)
{
    (void)state;
    struct arena a = {0};
    /* One writer for all: the kept date of the last day must never leak
     * into another day's time. */
    struct jw all;
    jw_init(&all, &a, 0);
    jw_array(&all, NULL);
    char want[64 * 1024] = "[";
    /* 2028-02-28 to 2028-03-01 in steps that cross every field's carry. */
    for (int64_t t = 1835308800 - 3600; t < 1835308800 + 3 * 86400; t += 599) {
        struct jw w;
        jw_init(&w, &a, 0);
        jw_time(&w, NULL, t);
        char s[TU_UTC_LEN + 2];
        s[0] = '"';
        tu_format_utc(t, s + 1);
        strcat(s, "\"");
        assert_string_equal(w.buf, s);
        jw_time(&all, NULL, t);
        jw_time(&all, NULL, t - 86400 * 400); /* another day in between */
        char prev[TU_UTC_LEN];
        tu_format_utc(t - 86400 * 400, prev);
        snprintf(want + strlen(want), sizeof want - strlen(want), "%s%s,\"%s\"", want[1] ? "," : "",
                 s, prev);
    }
    jw_end(&all);
    strcat(want, "]");
    assert_string_equal(all.buf, want);
    arena_release(&a);
}

/* Prices carry rates, hours and nets as doubles (a third of an hour, 12.5
 * PLN, null for a class that may not book): printed as cJSON prints them. */
static void jsonw__numbers_print_as_cjson_does(void **state)
{
    (void)state;
    struct arena a = {0};
    const double nums[] = {0,
                           -0.0,
                           1,
                           -7,
                           1.5,
                           0.1,
                           1.0 / 3,
                           12.34,
                           123.45,
                           1e300,
                           -1e-7,
                           5e-324,
                           0.1 + 0.2,
                           2147483647,
                           2147483648.0,
                           -2147483648.0,
                           -2147483649.0,
                           999999999999999.0,
                           1e15 + 0.5,
                           NAN,
                           INFINITY,
                           -INFINITY};
    struct jw w;
    jw_init(&w, &a, 0);
    jw_array(&w, NULL);
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < sizeof nums / sizeof *nums; i++) {
        jw_num(&w, NULL, nums[i]);
        cJSON_AddItemToArray(arr, cJSON_CreateNumber(nums[i]));
    }
    jw_end(&w);
    same_as_cjson(&w, arr);
    /* Hundredths (money) and hours of whole seconds, both signs, and a
     * spread of magnitudes around the writer's fast path's edges. */
    jw_init(&w, &a, 0);
    jw_array(&w, NULL);
    arr = cJSON_CreateArray();
    for (int64_t i = -30000; i <= 30000; i += 7) {
        const double more[] = {(double)i / 100.0, (double)i / 3600.0, (double)i * 1e9 + 0.01,
                               (double)i * 3.3e8 / 100.0, 1e13 - (double)i / 100.0};
        for (size_t k = 0; k < sizeof more / sizeof *more; k++) {
            jw_num(&w, NULL, more[k]);
            cJSON_AddItemToArray(arr, cJSON_CreateNumber(more[k]));
        }
    }
    jw_end(&w);
    same_as_cjson(&w, arr);
    arena_release(&a);
}

int main(void)
{
    testutil_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(jsonw__strings_escape_as_cjson_does),
        cmocka_unit_test(jsonw__values_and_nesting_match_cjson),
        cmocka_unit_test(jsonw__raw_members_match_the_member_calls),
        cmocka_unit_test(jsonw__large_integers_keep_every_digit),
        cmocka_unit_test(jsonw__every_second_of_a_leap_day_formats_as_timeutil),
        cmocka_unit_test(jsonw__numbers_print_as_cjson_does),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
