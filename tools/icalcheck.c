/* icalcheck.c — test tool: reads an iCalendar file on stdin and parses it
 * back with libical, as a client built on libical would (Evolution, KDE):
 * every event's UID, start and end as UTC seconds (times resolved with the
 * file's own VTIMEZONE), one JSON object per line. Any property libical
 * could not read (X-LIC-ERROR) or a missing VCALENDAR is reported on stderr
 * and the exit status is 1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libical/ical.h>

static char *slurp(size_t *n)
{
    size_t cap = 1 << 16;
    char *s = malloc(cap);
    *n = 0;
    size_t k;
    while (s && (k = fread(s + *n, 1, cap - *n - 1, stdin)) > 0) {
        *n += k;
        if (*n + 1 == cap) {
            cap *= 2;
            s = realloc(s, cap);
        }
    }
    if (s)
        s[*n] = '\0';
    return s;
}

static int errors(icalcomponent *c)
{
    int n = 0;
    for (icalproperty *p = icalcomponent_get_first_property(c, ICAL_XLICERROR_PROPERTY); p;
         p = icalcomponent_get_next_property(c, ICAL_XLICERROR_PROPERTY)) {
        fprintf(stderr, "libical: %s\n", icalproperty_get_xlicerror(p));
        n++;
    }
    for (icalcomponent *k = icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT); k;
         k = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT))
        n += errors(k);
    return n;
}

static long long utc(icalcomponent *root, icalproperty *p, struct icaltimetype t)
{
    icalparameter *tz = icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER);
    if (tz) {
        icaltimezone *z = icalcomponent_get_timezone(root, icalparameter_get_tzid(tz));
        if (!z) {
            fprintf(stderr, "libical: no VTIMEZONE for %s\n", icalparameter_get_tzid(tz));
            exit(1);
        }
        return (long long)icaltime_as_timet_with_zone(t, z);
    }
    return (long long)icaltime_as_timet_with_zone(t, icaltimezone_get_utc_timezone());
}

int main(void)
{
    size_t n;
    char *text = slurp(&n);
    icalcomponent *c = text ? icalparser_parse_string(text) : NULL;
    if (!c || icalcomponent_isa(c) != ICAL_VCALENDAR_COMPONENT) {
        fprintf(stderr, "libical: not one VCALENDAR\n");
        return 1;
    }
    if (errors(c))
        return 1;
    for (icalcomponent *v = icalcomponent_get_first_component(c, ICAL_VEVENT_COMPONENT); v;
         v = icalcomponent_get_next_component(c, ICAL_VEVENT_COMPONENT)) {
        icalproperty *ps = icalcomponent_get_first_property(v, ICAL_DTSTART_PROPERTY);
        icalproperty *pe = icalcomponent_get_first_property(v, ICAL_DTEND_PROPERTY);
        if (!ps || !pe) {
            fprintf(stderr, "libical: an event without DTSTART or DTEND\n");
            return 1;
        }
        printf("{\"uid\":\"%s\",\"start\":%lld,\"end\":%lld}\n", icalcomponent_get_uid(v),
               utc(c, ps, icalproperty_get_dtstart(ps)), utc(c, pe, icalproperty_get_dtend(pe)));
    }
    icalcomponent_free(c);
    free(text);
    return 0;
}
