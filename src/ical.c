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

/* ------------------------------------------------------------------ */
/* Time                                                                 */

/* The instant of the EU change in `month` (3 or 10) of `year`: the last
 * Sunday of the month, 01:00 UTC. */
static int64_t eu_change(int year, int month)
{
    int64_t last = tu_days_from_civil(year, month, 31); /* March and October have 31 days */
    int back = tu_weekday(year, month, 31) % 7;         /* Sunday = 7 → 0 */
    return (last - back) * 86400 + 3600;
}

static void civil(int64_t t, int *y, int *mo, int *d, int *h, int *mi, int *s)
{
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t sec = t - days * 86400;
    tu_civil_from_days(days, y, mo, d);
    *h = (int)(sec / 3600);
    *mi = (int)(sec / 60 % 60);
    *s = (int)(sec % 60);
}

/* How an instant is written: local wall time in the VTIMEZONE's rules, or
 * UTC when the wall time is one the autumn change repeats. */
struct when {
    int utc;
    int y, mo, d, h, mi, s;
};

static struct when when_of(int64_t t)
{
    struct when w = {0};
    int y, mo, d, h, mi, s;
    civil(t, &y, &mo, &d, &h, &mi, &s);
    int64_t spring = eu_change(y, 3), autumn = eu_change(y, 10);
    if (t >= autumn - 3600 && t < autumn + 3600) {
        w.utc = 1;
        civil(t, &w.y, &w.mo, &w.d, &w.h, &w.mi, &w.s);
        return w;
    }
    int offset = t >= spring && t < autumn ? 7200 : 3600;
    civil(t + offset, &w.y, &w.mo, &w.d, &w.h, &w.mi, &w.s);
    return w;
}

/* "YYYYMMDDTHHMMSS" (+ "Z" when utc): 16 or 17 bytes and a NUL. */
static size_t stamp(char out[20], const struct when *w)
{
    int v[6] = {w->y, w->mo, w->d, w->h, w->mi, w->s};
    char *p = out;
    *p++ = (char)('0' + w->y / 1000 % 10);
    *p++ = (char)('0' + w->y / 100 % 10);
    *p++ = (char)('0' + w->y / 10 % 10);
    *p++ = (char)('0' + w->y % 10);
    for (int i = 1; i < 6; i++) {
        if (i == 3)
            *p++ = 'T';
        *p++ = (char)('0' + v[i] / 10 % 10);
        *p++ = (char)('0' + v[i] % 10);
    }
    if (w->utc)
        *p++ = 'Z';
    *p = '\0';
    return (size_t)(p - out);
}

static struct when utc_of(int64_t t)
{
    struct when w = {.utc = 1};
    civil(t, &w.y, &w.mo, &w.d, &w.h, &w.mi, &w.s);
    return w;
}

/* The libical form of the same decision, for the reference tree. */
static icalproperty *when(icalproperty *(*make)(struct icaltimetype), int64_t t)
{
    struct when w = when_of(t);
    if (w.utc)
        return make(utc_time(t));
    struct icaltimetype v = icaltime_null_time();
    v.year = w.y;
    v.month = w.mo;
    v.day = w.d;
    v.hour = w.h;
    v.minute = w.mi;
    v.second = w.s;
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
    if (strcmp(s, "cancelled") == 0 || strcmp(s, "declined") == 0)
        return ICAL_CANCELLED;
    return -1;
}

static const char *const STATUS_WORD[] = {
    [ICAL_TENTATIVE] = "TENTATIVE",
    [ICAL_CONFIRMED] = "CONFIRMED",
    [ICAL_CANCELLED] = "CANCELLED",
};

static void uid_of(char *out, size_t len, const struct ical_event *e, const char *host)
{
    snprintf(out, len, "%s-%lld@%s", e->uid_kind ? e->uid_kind : "booking", (long long)e->id,
             host && *host ? host : "localhost");
}

/* One event as a libical tree: the reference serialisation, and the body
 * of the iTIP messages. */
static icalcomponent *vevent(const struct ical_event *e, const char *host)
{
    static const enum icalproperty_status status[] = {
        [ICAL_TENTATIVE] = ICAL_STATUS_TENTATIVE,
        [ICAL_CONFIRMED] = ICAL_STATUS_CONFIRMED,
        [ICAL_CANCELLED] = ICAL_STATUS_CANCELLED,
    };
    icalcomponent *v = icalcomponent_new_vevent();
    char uid[320];
    uid_of(uid, sizeof uid, e, host);
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
    /* In a feed a booking blocks the resource, not the subscriber's day; an
     * invitation is the booker's own time. */
    icalcomponent_add_property(
        v, icalproperty_new_transp(e->opaque ? ICAL_TRANSP_OPAQUE : ICAL_TRANSP_TRANSPARENT));
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

/* The VCALENDAR with its properties and the VTIMEZONE, no events. */
static icalcomponent *vcalendar(const struct ical_calendar *cal, const char *method)
{
    icalcomponent *c = icalcomponent_new_vcalendar();
    icalcomponent_add_property(c, icalproperty_new_prodid(PRODID));
    icalcomponent_add_property(c, icalproperty_new_version("2.0"));
    icalcomponent_add_property(c, icalproperty_new_calscale("GREGORIAN"));
    if (method)
        icalcomponent_add_property(c,
                                   icalproperty_new_method(icalproperty_string_to_method(method)));
    if (!method) {
        char *name = plain_name(cal->name);
        if (!name) {
            icalcomponent_free(c);
            return NULL;
        }
        icalcomponent_add_property(c, x_prop("X-WR-CALNAME", name));
        free(name);
        icalcomponent_add_property(c, x_prop("X-WR-TIMEZONE", ICAL_TZID));
        /* RFC 7986 and its older Microsoft spelling: poll every 15 minutes. */
        icalcomponent_add_property(
            c, icalproperty_new_refreshinterval(icaldurationtype_from_int(900)));
        icalcomponent_add_property(c, x_prop("X-PUBLISHED-TTL", "PT15M"));
    }
    icalcomponent_add_component(c, warsaw_vtimezone());
    return c;
}

/* ------------------------------------------------------------------ */
/* The writer                                                           */

/* A growing output string; on failure it is freed and stays NULL. */
struct text {
    char *s;
    size_t len, cap;
};

static int text_reserve(struct text *t, size_t n)
{
    if (!t->s)
        return 0;
    if (t->len + n + 1 <= t->cap)
        return 1;
    size_t cap = t->cap ? t->cap : 256;
    while (t->len + n + 1 > cap)
        cap *= 2;
    char *bigger = realloc(t->s, cap);
    if (!bigger) {
        free(t->s);
        t->s = NULL;
        return 0;
    }
    t->s = bigger;
    t->cap = cap;
    return 1;
}

static void text_add(struct text *t, const char *s, size_t n)
{
    if (!text_reserve(t, n))
        return;
    memcpy(t->s + t->len, s, n);
    t->len += n;
    t->s[t->len] = '\0';
}

#define ADD(t, lit) text_add((t), (lit), sizeof(lit) - 1)

/* Escapes a TEXT value exactly as libical does: backslash, semicolon and
 * comma get a backslash, a newline becomes "\n", and CR, BS and FF are
 * dropped. */
static void add_escaped(struct text *t, const char *s)
{
    size_t n = strlen(s);
    if (!text_reserve(t, 2 * n))
        return;
    char *w = t->s + t->len;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '\n':
            *w++ = '\\';
            *w++ = 'n';
            break;
        case '\r':
        case '\b':
        case '\f':
            break;
        case ';':
        case ',':
        case '\\':
            *w++ = '\\';
            *w++ = (char)*p;
            break;
        default:
            *w++ = (char)*p;
        }
    }
    t->len = (size_t)(w - t->s);
    t->s[t->len] = '\0';
}

/* libical's folding (icalproperty.c, get_next_line_start), applied to the
 * line with its CRLF: a line of fewer than 75 octets counting the CRLF
 * stays whole; else it breaks after the last ';', ':' or ' ' at most 74
 * octets in, else before the last byte that starts a character, else at 74.
 * Continuations start with a space. */
static void add_folded(struct text *out, const char *line, size_t len)
{
    const size_t max = 75;
    const char *p = line;
    size_t left = len;
    int first = 1;
    while (left > 0) {
        size_t take;
        if (left < max) {
            take = left;
        } else {
            take = 0;
            for (size_t i = max - 2; i > 0 && !take; i--)
                if (p[i] == ';' || p[i] == ':' || p[i] == ' ')
                    take = i + 1;
            for (size_t i = max - 1; i > 0 && !take; i--)
                if (((unsigned char)p[i] & 0x80) == 0 || ((unsigned char)p[i] & 0xC0) == 0xC0)
                    take = i;
            if (!take)
                take = max - 1;
        }
        if (!first)
            ADD(out, "\r\n ");
        first = 0;
        text_add(out, p, take);
        p += take;
        left -= take;
    }
}

/* Writes the content line held in *line (without its CRLF) folded into out,
 * then empties *line. */
static void flush_line(struct text *out, struct text *line)
{
    ADD(line, "\r\n");
    if (!line->s)
        return;
    /* The CRLF counts for the first break; a short line goes out as is. */
    if (line->len < 75)
        text_add(out, line->s, line->len);
    else
        add_folded(out, line->s, line->len);
    line->len = 0;
}

static void prop_text(struct text *out, struct text *line, const char *name, size_t nlen,
                      const char *value)
{
    text_add(line, name, nlen);
    add_escaped(line, value);
    flush_line(out, line);
}

static void prop_time(struct text *out, struct text *line, const char *name, int64_t t, int local)
{
    struct when w = local ? when_of(t) : utc_of(t);
    char v[20];
    size_t n = stamp(v, &w);
    text_add(line, name, strlen(name));
    if (!w.utc)
        ADD(line, ";TZID=" ICAL_TZID);
    ADD(line, ":");
    text_add(line, v, n);
    flush_line(out, line);
}

static void write_vevent(struct text *out, struct text *line, const struct ical_event *e,
                         const char *host)
{
    char buf[340];
    ADD(out, "BEGIN:VEVENT\r\n");
    uid_of(buf, sizeof buf, e, host);
    prop_text(out, line, "UID:", 4, buf);
    prop_time(out, line, "DTSTAMP", e->updated, 0);
    prop_time(out, line, "DTSTART", e->start, 1);
    prop_time(out, line, "DTEND", e->end, 1);
    if (e->summary)
        prop_text(out, line, "SUMMARY:", 8, e->summary);
    if (e->location && *e->location)
        prop_text(out, line, "LOCATION:", 9, e->location);
    if (e->description && *e->description)
        prop_text(out, line, "DESCRIPTION:", 12, e->description);
    text_add(line, "STATUS:", 7);
    text_add(line, STATUS_WORD[e->status], strlen(STATUS_WORD[e->status]));
    flush_line(out, line);
    int n = snprintf(buf, sizeof buf, "SEQUENCE:%d", e->sequence);
    text_add(line, buf, (size_t)n);
    flush_line(out, line);
    prop_time(out, line, "CREATED", e->created, 0);
    prop_time(out, line, "LAST-MODIFIED", e->updated, 0);
    if (e->url && *e->url) {
        ADD(line, "URL:");
        text_add(line, e->url, strlen(e->url)); /* a URI: not escaped */
        flush_line(out, line);
    }
    if (e->opaque)
        ADD(out, "TRANSP:OPAQUE\r\n");
    else
        ADD(out, "TRANSP:TRANSPARENT\r\n");
    ADD(out, "END:VEVENT\r\n");
}

/* libical's text of the calendar head, cut before its END line, in *out. */
static int head_text(struct text *out, const struct ical_calendar *cal, size_t reserve)
{
    icalcomponent *c = vcalendar(cal, cal->publish ? "PUBLISH" : NULL);
    char *head = c ? icalcomponent_as_ical_string_r(c) : NULL;
    if (c)
        icalcomponent_free(c);
    if (!head)
        return -1;
    static const char end[] = "END:VCALENDAR\r\n";
    size_t head_len = strlen(head);
    if (head_len < sizeof end - 1 || strcmp(head + head_len - (sizeof end - 1), end) != 0) {
        icalmemory_free_buffer(head);
        return -1;
    }
    head_len -= sizeof end - 1;
    out->cap = head_len + 1 + reserve;
    out->s = malloc(out->cap);
    text_add(out, head, head_len);
    icalmemory_free_buffer(head);
    return out->s ? 0 : -1;
}

static char *finish(struct text *t, size_t *out_len)
{
    ADD(t, "END:VCALENDAR\r\n");
    if (!t->s)
        return NULL;
    /* The feed cache keeps this string and counts its length. */
    char *fit = realloc(t->s, t->len + 1);
    if (out_len)
        *out_len = t->len;
    return fit ? fit : t->s;
}

char *ical_render(const struct ical_calendar *cal, const struct ical_event *ev, size_t n,
                  size_t *out_len)
{
    pthread_once(&utc_once, utc_init);
    /* The events go where libical would put them: after the calendar's
     * properties and the VTIMEZONE, before its END line. */
    struct text t = {0};
    if (head_text(&t, cal, n * 900) != 0)
        return NULL;
    struct text line = {.cap = 512};
    line.s = malloc(line.cap);
    if (!line.s) {
        free(t.s);
        return NULL;
    }
    for (size_t i = 0; i < n && t.s && line.s; i++)
        write_vevent(&t, &line, &ev[i], cal->host);
    if (!line.s) {
        free(t.s);
        return NULL;
    }
    free(line.s);
    return finish(&t, out_len);
}

char *ical_render_tree(const struct ical_calendar *cal, const struct ical_event *ev, size_t n,
                       size_t *out_len)
{
    pthread_once(&utc_once, utc_init);
    icalcomponent *c = vcalendar(cal, cal->publish ? "PUBLISH" : NULL);
    if (!c)
        return NULL;
    for (size_t i = 0; i < n; i++)
        icalcomponent_add_component(c, vevent(&ev[i], cal->host));
    char *text = icalcomponent_as_ical_string_r(c);
    icalcomponent_free(c);
    char *out = text ? strdup(text) : NULL;
    icalmemory_free_buffer(text);
    if (out && out_len)
        *out_len = strlen(out);
    return out;
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
    icalcomponent *c = vcalendar(cal, cancel ? "CANCEL" : "REQUEST");
    if (!c)
        return NULL;
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
