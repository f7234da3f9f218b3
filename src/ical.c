/* ical.c — see ical.h. */
#include "ical.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libical/ical.h>

#include "timeutil.h"

static const char PRODID[] = "-//Klaster LifeScience Krakow//labshare//EN";

static icaltimezone *utc_zone;
static pthread_once_t utc_once = PTHREAD_ONCE_INIT;

/* libical sets up its built-in zone table lazily; do it once, before any
 * concurrent renderer can race on it. */
static void utc_init(void)
{
    utc_zone = icaltimezone_get_utc_timezone();
}

static struct icaltimetype utc_time(int64_t t)
{
    return icaltime_from_timet_with_zone((time_t)t, 0, utc_zone);
}

/* An instant as local wall time in the site zone, TZID=Europe/Warsaw (the
 * VTIMEZONE below defines it). A wall time repeated by the autumn change
 * means its first occurrence (RFC 5545 3.3.5), so an instant in the second
 * pass of that hour is written in UTC instead: rare, and never wrong. */
static icalproperty *when(icalproperty *(*make)(struct icaltimetype), int64_t t)
{
    struct tu_local l;
    tu_to_local(t, &l);
    int64_t first = 0;
    if (tu_from_local(l.year, l.month, l.day, l.hour, l.minute, l.second, 1, &first) != TU_OK ||
        first != t)
        return make(utc_time(t));
    struct icaltimetype v = icaltime_null_time();
    v.year = l.year;
    v.month = l.month;
    v.day = l.day;
    v.hour = l.hour;
    v.minute = l.minute;
    v.second = l.second;
    v.is_date = 0;
    v.zone = NULL;
    icalproperty *p = make(v);
    icalproperty_add_parameter(p, icalparameter_new_tzid(ICAL_TZID));
    return p;
}

static icalproperty *x_prop(const char *name, const char *value)
{
    icalproperty *p = icalproperty_new_x(value);
    icalproperty_set_x_name(p, name);
    return p;
}

/* One observance of the zone: DTSTART is the first local transition time
 * (in the offset before it), the RRULE the yearly EU rule. */
static icalcomponent *observance(icalcomponent *kind, int month, int day, int hour,
                                 const char *rrule, int from, int to, const char *name)
{
    struct icaltimetype start = icaltime_null_time();
    start.year = 1970;
    start.month = month;
    start.day = day;
    start.hour = hour;
    start.is_date = 0;
    icalcomponent_add_property(kind, icalproperty_new_dtstart(start));
    icalcomponent_add_property(kind, icalproperty_new_rrule(icalrecurrencetype_from_string(rrule)));
    icalcomponent_add_property(kind, icalproperty_new_tzoffsetfrom(from));
    icalcomponent_add_property(kind, icalproperty_new_tzoffsetto(to));
    icalcomponent_add_property(kind, icalproperty_new_tzname(name));
    return kind;
}

/* Europe/Warsaw as in force since 1996: CET (+01:00) from the last Sunday of
 * October 03:00 CEST, CEST (+02:00) from the last Sunday of March 02:00 CET.
 * 25 Oct 1970 and 29 Mar 1970 are those Sundays, so DTSTART matches RRULE. */
static icalcomponent *warsaw_vtimezone(void)
{
    icalcomponent *tz = icalcomponent_new_vtimezone();
    icalcomponent_add_property(tz, icalproperty_new_tzid(ICAL_TZID));
    icalcomponent_add_component(tz,
                                observance(icalcomponent_new_xstandard(), 10, 25, 3,
                                           "FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", 7200, 3600, "CET"));
    icalcomponent_add_component(tz,
                                observance(icalcomponent_new_xdaylight(), 3, 29, 2,
                                           "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", 3600, 7200, "CEST"));
    return tz;
}

int ical_status_of(const char *s)
{
    if (!s)
        return -1;
    if (strcmp(s, "pending") == 0)
        return ICAL_TENTATIVE;
    if (strcmp(s, "approved") == 0)
        return ICAL_CONFIRMED;
    if (strcmp(s, "cancelled") == 0)
        return ICAL_CANCELLED;
    return -1;
}

static icalcomponent *vevent(const struct ical_event *e, const char *host)
{
    static const enum icalproperty_status status[] = {
        [ICAL_TENTATIVE] = ICAL_STATUS_TENTATIVE,
        [ICAL_CONFIRMED] = ICAL_STATUS_CONFIRMED,
        [ICAL_CANCELLED] = ICAL_STATUS_CANCELLED,
    };
    icalcomponent *v = icalcomponent_new_vevent();
    char uid[320];
    snprintf(uid, sizeof uid, "booking-%lld@%s", (long long)e->id,
             host && *host ? host : "localhost");
    icalcomponent_add_property(v, icalproperty_new_uid(uid));
    icalcomponent_add_property(v, icalproperty_new_dtstamp(utc_time(e->updated)));
    icalcomponent_add_property(v, when(icalproperty_new_dtstart, e->start));
    icalcomponent_add_property(v, when(icalproperty_new_dtend, e->end));
    if (e->summary)
        icalcomponent_add_property(v, icalproperty_new_summary(e->summary));
    if (e->location && *e->location)
        icalcomponent_add_property(v, icalproperty_new_location(e->location));
    if (e->description && *e->description)
        icalcomponent_add_property(v, icalproperty_new_description(e->description));
    icalcomponent_add_property(v, icalproperty_new_status(status[e->status]));
    icalcomponent_add_property(v, icalproperty_new_sequence(e->sequence));
    icalcomponent_add_property(v, icalproperty_new_created(utc_time(e->created)));
    icalcomponent_add_property(v, icalproperty_new_lastmodified(utc_time(e->updated)));
    if (e->url && *e->url)
        icalcomponent_add_property(v, icalproperty_new_url(e->url));
    /* Bookings block the resource, not necessarily the subscriber's day. */
    icalcomponent_add_property(v, icalproperty_new_transp(ICAL_TRANSP_TRANSPARENT));
    return v;
}

/* X-WR-CALNAME is an X-property: libical escapes only backslash and newline
 * in it and clients differ on unescaping, so drop both rather than send a
 * name that some apps show with stray backslashes. */
static char *plain_name(const char *name)
{
    char *s = strdup(name && *name ? name : "labshare");
    if (!s)
        return NULL;
    char *w = s;
    for (const char *p = s; *p; p++) {
        if (*p == '\\')
            continue;
        *w++ = *p == '\n' || *p == '\r' || *p == '\t' ? ' ' : *p;
    }
    *w = '\0';
    return s;
}

/* A growing output string; on failure it is freed and stays NULL. */
struct text {
    char *s;
    size_t len, cap;
};

static void text_add(struct text *t, const char *s, size_t n)
{
    if (!t->s)
        return;
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap;
        while (t->len + n + 1 > cap)
            cap *= 2;
        char *bigger = realloc(t->s, cap);
        if (!bigger) {
            free(t->s);
            t->s = NULL;
            return;
        }
        t->s = bigger;
        t->cap = cap;
    }
    memcpy(t->s + t->len, s, n);
    t->len += n;
    t->s[t->len] = '\0';
}

char *ical_render(const struct ical_calendar *cal, const struct ical_event *ev, size_t n,
                  size_t *out_len)
{
    pthread_once(&utc_once, utc_init);
    char *name = plain_name(cal->name);
    if (!name)
        return NULL;
    icalcomponent *c = icalcomponent_new_vcalendar();
    icalcomponent_add_property(c, icalproperty_new_prodid(PRODID));
    icalcomponent_add_property(c, icalproperty_new_version("2.0"));
    icalcomponent_add_property(c, icalproperty_new_calscale("GREGORIAN"));
    icalcomponent_add_property(c, x_prop("X-WR-CALNAME", name));
    icalcomponent_add_property(c, x_prop("X-WR-TIMEZONE", ICAL_TZID));
    /* RFC 7986 and its older Microsoft spelling: poll every 15 minutes. */
    icalcomponent_add_property(c, icalproperty_new_refreshinterval(icaldurationtype_from_int(900)));
    icalcomponent_add_property(c, x_prop("X-PUBLISHED-TTL", "PT15M"));
    icalcomponent_add_component(c, warsaw_vtimezone());
    char *head = icalcomponent_as_ical_string_r(c);
    icalcomponent_free(c);
    free(name);
    if (!head)
        return NULL;
    /* The events are written one at a time into the calendar's text, just
     * before its END line, exactly where libical would put them (it writes
     * a component as its properties, then each sub-component's own text).
     * A tree of the whole calendar costs some 15 times the text in small
     * allocations (a 300 KB feed took 5 MB); one event's tree is freed
     * before the next is built. */
    static const char end[] = "END:VCALENDAR\r\n";
    size_t head_len = strlen(head);
    if (head_len < sizeof end - 1 || strcmp(head + head_len - (sizeof end - 1), end) != 0) {
        icalmemory_free_buffer(head);
        return NULL;
    }
    head_len -= sizeof end - 1;
    struct text t = {.cap = head_len + 1 + n * 1024};
    t.s = malloc(t.cap);
    text_add(&t, head, head_len);
    icalmemory_free_buffer(head);
    for (size_t i = 0; i < n && t.s; i++) {
        icalcomponent *v = vevent(&ev[i], cal->host);
        char *s = icalcomponent_as_ical_string_r(v);
        icalcomponent_free(v);
        if (!s) {
            free(t.s);
            return NULL;
        }
        text_add(&t, s, strlen(s));
        icalmemory_free_buffer(s);
    }
    text_add(&t, end, sizeof end - 1);
    if (!t.s)
        return NULL;
    /* The feed cache keeps this string and counts its length. */
    char *fit = realloc(t.s, t.len + 1);
    if (out_len)
        *out_len = t.len;
    return fit ? fit : t.s;
}

static icalproperty *with_cn(icalproperty *p, const char *cn)
{
    if (cn && *cn)
        icalproperty_add_parameter(p, icalparameter_new_cn(cn));
    return p;
}

char *ical_render_itip(const struct ical_calendar *cal, const struct ical_event *ev,
                       const struct ical_itip *itip, size_t *out_len)
{
    pthread_once(&utc_once, utc_init);
    int cancel = itip->method && strcmp(itip->method, "CANCEL") == 0;
    icalcomponent *c = icalcomponent_new_vcalendar();
    icalcomponent_add_property(c, icalproperty_new_prodid(PRODID));
    icalcomponent_add_property(c, icalproperty_new_version("2.0"));
    icalcomponent_add_property(c, icalproperty_new_calscale("GREGORIAN"));
    icalcomponent_add_property(
        c, icalproperty_new_method(cancel ? ICAL_METHOD_CANCEL : ICAL_METHOD_REQUEST));
    icalcomponent_add_component(c, warsaw_vtimezone());
    icalcomponent *v = vevent(ev, cal->host);
    char addr[400];
    snprintf(addr, sizeof addr, "mailto:%s", itip->organizer ? itip->organizer : "");
    icalcomponent_add_property(v, with_cn(icalproperty_new_organizer(addr), itip->organizer_name));
    snprintf(addr, sizeof addr, "mailto:%s", itip->attendee ? itip->attendee : "");
    icalproperty *att = with_cn(icalproperty_new_attendee(addr), itip->attendee_name);
    icalproperty_add_parameter(att, icalparameter_new_role(ICAL_ROLE_REQPARTICIPANT));
    /* The booker asked for this time: nothing to answer. */
    icalproperty_add_parameter(att, icalparameter_new_partstat(ICAL_PARTSTAT_ACCEPTED));
    icalproperty_add_parameter(att, icalparameter_new_rsvp(ICAL_RSVP_FALSE));
    icalcomponent_add_property(v, att);
    icalcomponent_add_component(c, v);
    char *text = icalcomponent_as_ical_string_r(c);
    char *out = text ? strdup(text) : NULL;
    if (out && out_len)
        *out_len = strlen(out);
    icalmemory_free_buffer(text);
    icalcomponent_free(c);
    return out;
}
