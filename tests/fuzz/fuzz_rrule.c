/* fuzz_rrule.c — recurrence rules as booking series will take them: libical's
 * icalrecurrencetype_from_string() on request text, then a bounded walk of
 * icalrecur_iterator from a site-local start. Occurrences must never go
 * backwards, never come before the start, and honour COUNT and UNTIL. */
#include <libical/ical.h>

#include "fuzz.h"

#define WALK_MAX 400 /* occurrences taken from one rule */

static icaltimezone *zone;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    icalerror_set_errors_are_fatal(0);
    zone = icaltimezone_get_builtin_timezone("Europe/Warsaw");
    if (!zone)
        zone = icaltimezone_get_utc_timezone();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 512) /* longer than any rule a form produces */
        return 0;
    struct guarded s = guarded_str(data, size);
    struct icalrecurrencetype r = icalrecurrencetype_from_string((const char *)s.p);
    icalerror_clear_errno();
    if (r.freq == ICAL_NO_RECURRENCE) {
        guarded_free(&s);
        return 0;
    }
    /* Monday 2 March 2026, 09:00 site time: a DST change falls inside. */
    struct icaltimetype start = icaltime_from_timet_with_zone(1772438400, 0, zone);
    icalrecur_iterator *it = icalrecur_iterator_new(r, start);
    icalerror_clear_errno();
    if (!it) {
        guarded_free(&s);
        return 0;
    }
    time_t t0 = icaltime_as_timet_with_zone(start, zone), prev = 0;
    int n = 0;
    for (; n < WALK_MAX; n++) {
        struct icaltimetype next = icalrecur_iterator_next(it);
        if (icaltime_is_null_time(next))
            break;
        time_t t = icaltime_as_timet_with_zone(next, zone);
        FUZZ_CHECK(t >= t0, "occurrence %d at %lld before the start %lld", n, (long long)t,
                   (long long)t0);
        /* libical 3.0 repeats an occurrence for rules RFC 5545 forbids, such
         * as FREQ=WEEKLY;BYDAY=2MO,WE (an ordinal outside MONTHLY/YEARLY):
         * corpus/rrule/libical-repeats-*. Booking must reject such rules or
         * drop repeats; what must never happen is going backwards. */
        FUZZ_CHECK(n == 0 || t >= prev, "occurrence %d at %lld before %lld", n, (long long)t,
                   (long long)prev);
        if (!icaltime_is_null_time(r.until))
            FUZZ_CHECK(icaltime_compare(next, r.until) <= 0 ||
                           icaltime_compare_date_only(next, r.until) <= 0,
                       "occurrence %d after UNTIL", n);
        prev = t;
    }
    if (r.count > 0)
        FUZZ_CHECK(n <= r.count, "%d occurrences for COUNT=%d", n, r.count);
    icalrecur_iterator_free(it);
    icalerror_clear_errno();
    guarded_free(&s);
    return 0;
}
