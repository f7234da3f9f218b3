/* test_timeutil.c — RFC 3339 parsing and Europe/Warsaw local time. */
#include "testutil.h"

static int64_t parse_ok(const char *s)
{
    int64_t t = 0;
    assert_int_equal(tu_parse(s, &t), TU_OK);
    return t;
}

static void timeutil__parses_offsets_and_z(void **state)
{
    (void)state;
    int64_t a = parse_ok("2026-03-29T09:00:00+02:00");
    int64_t b = parse_ok("2026-03-29T07:00:00Z");
    assert_int_equal(a, b);
    assert_int_equal(parse_ok("1970-01-01T00:00:00Z"), 0);
    assert_int_equal(parse_ok("2026-01-01T00:00:00.123456-01:30"),
                     parse_ok("2026-01-01T01:30:00Z"));
    char buf[TU_UTC_LEN];
    tu_format_utc(a, buf);
    assert_string_equal(buf, "2026-03-29T07:00:00Z");
}

static void timeutil__rejects_malformed(void **state)
{
    (void)state;
    const char *bad[] = {"",
                         "2026",
                         "2026-13-01T00:00Z",
                         "2026-02-30T10:00:00Z",
                         "2026-02-28T24:00:00Z",
                         "2026-02-28T10:60:00Z",
                         "2026-02-28 10:00:00+2",
                         "2026-02-28T10:00:00+02:00junk",
                         "abcd-ef-ghTij:kl:mnZ",
                         "2026-02-28T10:00:00.Z",
                         "1969-12-31T23:59:59Z"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int64_t t;
        assert_int_equal(tu_parse(bad[i], &t), TU_EFORMAT);
    }
}

static void timeutil__days_in_month(void **state)
{
    (void)state;
    assert_int_equal(tu_days_in_month(2027, 2), 28);
    assert_int_equal(tu_days_in_month(2028, 2), 29);
    assert_int_equal(tu_days_in_month(2100, 2), 28); /* not every fourth year */
    assert_int_equal(tu_days_in_month(2000, 2), 29);
    assert_int_equal(tu_days_in_month(2027, 4), 30);
    assert_int_equal(tu_days_in_month(2027, 12), 31);
    assert_int_equal(tu_days_in_month(2027, 0), 0);
    assert_int_equal(tu_days_in_month(2027, 13), 0);
}

/* Regression (fuzz_rfc3339, tests/fuzz/corpus/rfc3339/crash-*): an offset
 * moved an accepted time outside what tu_format_utc can print, so the API
 * would have echoed 1969-… or 0000-… for what it stored. */
static void timeutil__offsets_cannot_leave_printable_range(void **state)
{
    (void)state;
    const char *bad[] = {"1970-01-01T00:30:00+01:00", "9999-12-31T23:30:00-05:00",
                         "1970-01-01T00:30:00" /* local, UTC+1 in Warsaw */,
                         "9999-12-31T23:30:00Z" /* 10000-01-01T00:30+01:00 in Warsaw */};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int64_t t = 42;
        assert_int_equal(tu_parse(bad[i], &t), TU_EFORMAT);
        assert_int_equal(t, 42);
    }
    int64_t t;
    assert_int_equal(tu_parse("1970-01-01T00:00:00Z", &t), TU_OK);
    assert_int_equal(t, 0);
    assert_int_equal(tu_parse("9999-12-31T22:59:59Z", &t), TU_OK);
    char out[TU_LOCAL_LEN];
    tu_format_local(t, out);
    assert_string_equal(out, "9999-12-31T23:59:59+01:00");
}

static void timeutil__local_time_across_dst(void **state)
{
    (void)state;
    int64_t t;
    /* 29 March 2026: 02:00 → 03:00 in Warsaw, so 02:30 does not exist. */
    assert_int_equal(tu_parse("2026-03-29T02:30:00", &t), TU_ENONEXISTENT);
    /* 25 October 2026: 03:00 → 02:00, so 02:30 happens twice. */
    assert_int_equal(tu_parse("2026-10-25T02:30:00", &t), TU_EAMBIGUOUS);
    assert_int_equal(tu_from_local(2026, 10, 25, 2, 30, 0, 1, &t), TU_OK);
    assert_int_equal(t, parse_ok("2026-10-25T02:30:00+02:00"));
    /* Winter and summer offsets. */
    assert_int_equal(parse_ok("2026-01-15T10:00:00"), parse_ok("2026-01-15T09:00:00Z"));
    assert_int_equal(parse_ok("2026-07-15T10:00:00"), parse_ok("2026-07-15T08:00:00Z"));
    struct tu_local l;
    tu_to_local(parse_ok("2026-07-15T08:00:00Z"), &l);
    assert_int_equal(l.hour, 10);
    assert_int_equal(l.utc_offset, 7200);
    assert_int_equal(l.weekday, 3); /* a Wednesday */
}

static void timeutil__midnights_and_day_lengths(void **state)
{
    (void)state;
    /* The March change day has 23 hours, the October one 25. */
    assert_int_equal(tu_local_midnight(2026, 3, 30) - tu_local_midnight(2026, 3, 29), 23 * 3600);
    assert_int_equal(tu_local_midnight(2026, 10, 26) - tu_local_midnight(2026, 10, 25), 25 * 3600);
    assert_int_equal(tu_local_midnight(2026, 12, 32), tu_local_midnight(2027, 1, 1));
    /* A year is 8760 hours in Warsaw too. */
    assert_int_equal(tu_local_midnight(2027, 1, 1) - tu_local_midnight(2026, 1, 1), 8760 * 3600);
    assert_int_equal(tu_local_midnight(2025, 1, 1) - tu_local_midnight(2024, 1, 1), 8784 * 3600);
}

static void timeutil__civil_day_arithmetic(void **state)
{
    (void)state;
    assert_int_equal(tu_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(tu_weekday(2026, 11, 23), 1); /* a Monday */
    int y, m, d;
    tu_civil_from_days(tu_days_from_civil(2024, 2, 29) + 1, &y, &m, &d);
    assert_int_equal(y, 2024);
    assert_int_equal(m, 3);
    assert_int_equal(d, 1);
    char buf[TU_LOCAL_LEN];
    tu_format_local(parse_ok("2026-07-15T08:00:00Z"), buf);
    assert_string_equal(buf, "2026-07-15T10:00:00+02:00");
}

/* A clock no one sets: it never goes back, whatever the wall clock does. */
static void timeutil__the_monotonic_clock_never_goes_back(void **state)
{
    (void)state;
    int64_t before = tu_monotonic_ms();
    for (int i = 0; i < 1000; i++) {
        int64_t now = tu_monotonic_ms();
        assert_true(now >= before);
        before = now;
    }
}

int main(void)
{
    testutil_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(timeutil__parses_offsets_and_z),
        cmocka_unit_test(timeutil__rejects_malformed),
        cmocka_unit_test(timeutil__days_in_month),
        cmocka_unit_test(timeutil__offsets_cannot_leave_printable_range),
        cmocka_unit_test(timeutil__local_time_across_dst),
        cmocka_unit_test(timeutil__midnights_and_day_lengths),
        cmocka_unit_test(timeutil__civil_day_arithmetic),
        cmocka_unit_test(timeutil__the_monotonic_clock_never_goes_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
