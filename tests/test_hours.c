/* test_hours.c — opening windows laid out across DST changes. */
#include "testutil.h"

#include "hours.h"

static int64_t at(const char *s)
{
    int64_t t;
    assert_int_equal(tu_parse(s, &t), TU_OK);
    return t;
}

static struct hours_week all_week(int open, int close)
{
    struct hours_week wk = {0};
    for (int d = 1; d <= 7; d++)
        wk.w[wk.n++] = (struct hours_window){d, open, close};
    return wk;
}

static void hours__parse_and_format(void **state)
{
    (void)state;
    int m;
    assert_int_equal(hours_parse_hhmm("08:30", 0, &m), 0);
    assert_int_equal(m, 510);
    assert_int_equal(hours_parse_hhmm("24:00", 0, &m), -1);
    assert_int_equal(hours_parse_hhmm("24:00", 1, &m), 0);
    assert_int_equal(m, 1440);
    assert_int_equal(hours_parse_hhmm("8:30", 1, &m), -1);
    assert_int_equal(hours_parse_hhmm("12:60", 1, &m), -1);
    assert_int_equal(hours_parse_hhmm("24:01", 1, &m), -1);
    char buf[6];
    hours_format_hhmm(1440, buf);
    assert_string_equal(buf, "24:00");
    hours_format_hhmm(65, buf);
    assert_string_equal(buf, "01:05");
}

static void hours__normalise_rejects_overlap(void **state)
{
    (void)state;
    struct ls_err err = {0};
    struct hours_week wk = {2, {{1, 600, 720}, {1, 700, 800}}};
    assert_int_equal(hours_normalise(&wk, &err), LS_EVALIDATION);
    assert_string_equal(err.field, "opening_hours");
    struct hours_week ok = {2, {{2, 780, 1020}, {1, 480, 720}}};
    assert_int_equal(hours_normalise(&ok, &err), LS_OK);
    assert_int_equal(ok.w[0].weekday, 1);
    struct hours_week bad = {1, {{8, 0, 60}}};
    assert_int_equal(hours_normalise(&bad, &err), LS_EVALIDATION);
}

static void hours__full_year_is_8760_hours(void **state)
{
    (void)state;
    struct hours_week wk = all_week(0, 1440);
    int64_t s = hours_layout_span(&wk, tu_local_midnight(2026, 1, 1), tu_local_midnight(2027, 1, 1),
                                  NULL, NULL);
    assert_int_equal(s, 8760LL * 3600);
    s = hours_layout_span(&wk, tu_local_midnight(2024, 1, 1), tu_local_midnight(2025, 1, 1), NULL,
                          NULL);
    assert_int_equal(s, 8784LL * 3600);
}

static int nspans;
static void count_span(int64_t s, int64_t e, void *ctx)
{
    (void)s;
    (void)e;
    (void)ctx;
    nspans++;
}

static void hours__adjacent_days_merge(void **state)
{
    (void)state;
    struct hours_week wk = all_week(0, 1440);
    nspans = 0;
    hours_layout_span(&wk, at("2026-05-01T00:00:00Z"), at("2026-05-10T00:00:00Z"), count_span,
                      NULL);
    assert_int_equal(nspans, 1);
    hours_default(&wk);
    nspans = 0;
    int64_t s = hours_layout_span(&wk, tu_local_midnight(2026, 11, 23),
                                  tu_local_midnight(2026, 11, 30), count_span, NULL);
    assert_int_equal(nspans, 5);
    assert_int_equal(s, 50LL * 3600);
}

static void hours__dst_window_loses_and_gains_an_hour(void **state)
{
    (void)state;
    struct hours_week wk = all_week(120, 180); /* 02:00–03:00 daily */
    /* Last Sunday of March 2026 is the 29th: the window does not exist. */
    assert_int_equal(hours_layout_span(&wk, tu_local_midnight(2026, 3, 29),
                                       tu_local_midnight(2026, 3, 30), NULL, NULL),
                     0);
    /* Last Sunday of October 2026 is the 25th: it lasts two hours. */
    assert_int_equal(hours_layout_span(&wk, tu_local_midnight(2026, 10, 25),
                                       tu_local_midnight(2026, 10, 26), NULL, NULL),
                     7200);
    /* An ordinary 08:00–18:00 day is unaffected on the change days. */
    struct hours_week day = all_week(480, 1080);
    assert_int_equal(hours_layout_span(&day, tu_local_midnight(2026, 3, 29),
                                       tu_local_midnight(2026, 3, 30), NULL, NULL),
                     36000);
}

static void hours__fit_and_slot_grid(void **state)
{
    (void)state;
    struct hours_week wk;
    hours_default(&wk); /* Mon–Fri 08:00–18:00 */
    /* Tuesday 24 November 2026, local time. */
    assert_int_equal(hours_fit(&wk, at("2026-11-24T09:00:00"), at("2026-11-24T11:00:00"), 30),
                     HOURS_FITS);
    assert_int_equal(hours_fit(&wk, at("2026-11-24T17:00:00"), at("2026-11-24T18:00:00"), 30),
                     HOURS_FITS);
    assert_int_equal(hours_fit(&wk, at("2026-11-24T17:00:00"), at("2026-11-24T18:30:00"), 30),
                     HOURS_OUTSIDE);
    assert_int_equal(hours_fit(&wk, at("2026-11-24T07:30:00"), at("2026-11-24T09:00:00"), 30),
                     HOURS_OUTSIDE);
    assert_int_equal(hours_fit(&wk, at("2026-11-24T09:10:00"), at("2026-11-24T10:00:00"), 30),
                     HOURS_OFF_GRID);
    assert_int_equal(hours_fit(&wk, at("2026-11-28T09:00:00"), at("2026-11-28T10:00:00"), 30),
                     HOURS_OUTSIDE); /* Saturday */
    /* 45-minute slots from 08:00: 08:45 is on the grid, 09:00 is not; 18:00 closes. */
    assert_int_equal(hours_fit(&wk, at("2026-11-24T08:45:00"), at("2026-11-24T10:15:00"), 45),
                     HOURS_FITS);
    assert_int_equal(hours_fit(&wk, at("2026-11-24T09:00:00"), at("2026-11-24T10:30:00"), 45),
                     HOURS_OFF_GRID);
    /* A 24/7 resource can be booked across midnight and across the DST change. */
    struct hours_week all = all_week(0, 1440);
    assert_int_equal(hours_fit(&all, at("2026-11-24T22:00:00"), at("2026-11-25T02:00:00"), 30),
                     HOURS_FITS);
    assert_int_equal(
        hours_fit(&all, at("2026-03-28T22:00:00+01:00"), at("2026-03-29T05:00:00+02:00"), 30),
        HOURS_FITS);
}

int main(void)
{
    testutil_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hours__parse_and_format),
        cmocka_unit_test(hours__normalise_rejects_overlap),
        cmocka_unit_test(hours__full_year_is_8760_hours),
        cmocka_unit_test(hours__adjacent_days_merge),
        cmocka_unit_test(hours__dst_window_loses_and_gains_an_hour),
        cmocka_unit_test(hours__fit_and_slot_grid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
