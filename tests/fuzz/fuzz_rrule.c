/* fuzz_rrule.c — recurrence rules exactly as booking series take them:
 * booking_expand_rrule() on request text, from one of a few site-local
 * starts chosen to sit near what breaks calendars (a DST change, a month's
 * 31st, a leap day), with a two-year horizon as booking_create() gives it.
 *
 * The harness drives the server's function rather than libical's iterator
 * alone: the server refuses SECONDLY/MINUTELY rules and bounds every walk by
 * the horizon, and those bounds are what keeps a hostile rule from holding a
 * worker thread (an unbounded FREQ=SECONDLY walk with an impossible BYMONTH
 * ran past libFuzzer's 10 s timeout). An accepted series must be what the
 * booking code promises: the start first, strictly increasing and
 * non-overlapping occurrences of the request's length, none past the horizon
 * or UNTIL, exactly COUNT of them, at most BOOKING_MAX_OCCURRENCES. A refused
 * one is a 422 naming `rrule`. */
#include <libical/ical.h>

#include "booking.h"
#include "err.h"
#include "fuzz.h"
#include "timeutil.h"

/* Starts in site time: the harness's first input byte picks one. */
static const struct {
    int y, mo, d, h, mi;
} starts[] = {
    {2026, 3, 2, 9, 0},    /* a Monday; the spring DST change is 4 weeks on */
    {2026, 10, 24, 2, 30}, /* the day before 02:30 happens twice */
    {2026, 3, 28, 2, 30},  /* the day before 02:30 does not exist */
    {2026, 1, 31, 14, 0},  /* a 31st: monthly rules skip short months */
    {2028, 2, 29, 8, 0},   /* a leap day */
    {2026, 12, 31, 23, 0}, /* the end of a year and of a week-numbering year */
};
#define NSTARTS (int)(sizeof starts / sizeof starts[0])

/* The second byte picks the length in quarter hours, 1..64 (16 h). */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (tu_init("Europe/Warsaw") != 0)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2 || size > BOOKING_RRULE_MAX + 16)
        return 0;
    int which = data[0] % NSTARTS;
    int64_t length = (int64_t)(data[1] % 64 + 1) * 900;
    int64_t start;
    if (tu_from_local(starts[which].y, starts[which].mo, starts[which].d, starts[which].h,
                      starts[which].mi, 0, 1, &start) != TU_OK)
        abort();
    int64_t end = start + length;
    /* booking_create() measures the horizon from "now"; a request is never
     * in the past, so now is at most the start. */
    int64_t horizon = start + (int64_t)BOOKING_HORIZON_DAYS * 86400;
    struct guarded s = guarded_str(data + 2, size - 2);
    int64_t st[BOOKING_MAX_OCCURRENCES], en[BOOKING_MAX_OCCURRENCES];
    int n = -1;
    struct ls_err err = {0};
    int rc = booking_expand_rrule(st, en, &n, (const char *)s.p, start, end, horizon, &err);
    if (rc != LS_OK) {
        FUZZ_CHECK(rc == LS_EVALIDATION && strcmp(err.field, "rrule") == 0,
                   "'%s' refused with rc %d field '%s'", (const char *)s.p, rc, err.field);
        FUZZ_CHECK(err.message[0] != '\0', "'%s' refused without a message", (const char *)s.p);
        guarded_free(&s);
        return 0;
    }
    FUZZ_CHECK(n >= 1 && n <= BOOKING_MAX_OCCURRENCES, "'%s': %d occurrences", (const char *)s.p,
               n);
    FUZZ_CHECK(st[0] == start, "'%s': first occurrence %lld is not the start %lld",
               (const char *)s.p, (long long)st[0], (long long)start);
    for (int i = 0; i < n; i++) {
        FUZZ_CHECK(en[i] > st[i], "'%s': occurrence %d is empty", (const char *)s.p, i);
        /* Wall-clock length is kept; across a DST change the instant length
         * moves by the hour that changes, never more. */
        FUZZ_CHECK(en[i] - st[i] >= length - 3600 && en[i] - st[i] <= length + 3600,
                   "'%s': occurrence %d lasts %lld s, asked %lld", (const char *)s.p, i,
                   (long long)(en[i] - st[i]), (long long)length);
        FUZZ_CHECK(st[i] <= horizon, "'%s': occurrence %d past the horizon", (const char *)s.p, i);
        FUZZ_CHECK(i == 0 || st[i] >= en[i - 1], "'%s': occurrence %d overlaps or precedes %d",
                   (const char *)s.p, i, i - 1);
    }
    /* COUNT is met exactly: a series that cannot place them all within
     * the horizon is refused, not cut short. */
    const char *text = (const char *)s.p;
    if (strncasecmp(text, "RRULE:", 6) == 0)
        text += 6;
    struct icalrecurrencetype r = icalrecurrencetype_from_string(text);
    icalerror_clear_errno();
    FUZZ_CHECK(r.count <= 0 || n == r.count, "'%s': %d occurrences for COUNT=%d", (const char *)s.p,
               n, r.count);
    guarded_free(&s);
    return 0;
}
