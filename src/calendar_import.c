/* calendar_import.c — see calendar_import.h. */
#include "calendar_import.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <libical/ical.h>

#include "calendar_fetch.h"
#include "db.h"
#include "notify.h"
#include "text.h"
#include "timeutil.h"

/* ------------------------------------------------------------------ */
/* SQL                                                                  */

static const char SQL_RESOURCE_ORG[] =
    "SELECT l.organisation_id FROM resources r JOIN labs l ON l.id = r.lab_id WHERE r.id = :id";
static const char SQL_SOURCE_INSERT[] =
    "INSERT INTO calendar_sources(resource_id, kind, url, name, created_by, created, next_fetch)"
    " VALUES (:resource_id, :kind, :url, :name, :user_id, :now, :next)";
#define SOURCE_SELECT                                                                              \
    "SELECT s.id, s.resource_id, s.kind, s.url, s.name, s.created, coalesce(s.last_fetch, 0),"     \
    "       s.last_status, s.error, s.error_code, s.events, coalesce(s.next_fetch, 0), s.etag,"    \
    "       s.http_modified, l.organisation_id"                                                    \
    " FROM calendar_sources s JOIN resources r ON r.id = s.resource_id"                            \
    " JOIN labs l ON l.id = r.lab_id"
static const char SQL_SOURCE_GET[] = SOURCE_SELECT " WHERE s.id = :id";
static const char SQL_SOURCE_LIST[] = SOURCE_SELECT " WHERE s.resource_id = :id ORDER BY s.id";
static const char SQL_SOURCE_DELETE[] = "DELETE FROM calendar_sources WHERE id = :id";
static const char SQL_SOURCE_BLACKOUTS_DELETE[] = "DELETE FROM blackouts WHERE source_id = :id";
static const char SQL_SOURCE_FAILED[] =
    "UPDATE calendar_sources SET last_fetch = :now, last_status = 'error', error = :error,"
    " error_code = :code, next_fetch = :next WHERE id = :id";
static const char SQL_SOURCE_DONE[] =
    "UPDATE calendar_sources SET last_fetch = :now, last_status = :status, error = NULL,"
    " error_code = NULL, etag = coalesce(:etag, etag), http_modified = coalesce(:modified,"
    " http_modified), events = (SELECT count(*) FROM blackouts WHERE source_id = :id),"
    " next_fetch = :next WHERE id = :id";
static const char SQL_SOURCE_BLACKOUTS[] =
    "SELECT id, coalesce(uid, ''), start, end, reason FROM blackouts"
    " WHERE source_id = :id AND end > :now";
static const char SQL_BLACKOUT_INSERT[] =
    "INSERT INTO blackouts(resource_id, start, end, reason, created, source_id, uid)"
    " VALUES (:resource_id, :start, :end, :reason, :now, :source_id, :uid)";
static const char SQL_BLACKOUT_DELETE[] = "DELETE FROM blackouts WHERE id = :id";
/* Bookings that an imported blackout overlaps (half-open spans), with the
 * first such blackout, for the owners' message. */
static const char SQL_CONFLICTS[] =
    "SELECT b.id, min(x.start), x.end, x.reason FROM blackouts x"
    " JOIN bookings b ON b.resource_id = x.resource_id AND b.start < x.end AND b.end > x.start"
    " WHERE x.source_id = :id AND b.status IN ('pending', 'approved') AND b.end > :now"
    " GROUP BY b.id ORDER BY b.id";
/* PostgreSQL has no bare columns beside min(): the first blackout by start. */
static const char SQL_CONFLICTS_PG[] =
    "SELECT DISTINCT ON (b.id) b.id, x.start, x.end, x.reason FROM blackouts x"
    " JOIN bookings b ON b.resource_id = x.resource_id AND b.start < x.end AND b.end > x.start"
    " WHERE x.source_id = :id AND b.status IN ('pending', 'approved') AND b.end > :now"
    " ORDER BY b.id, x.start, x.id";
static const char SQL_TOLD[] =
    "INSERT OR IGNORE INTO calendar_conflicts_told(source_id, booking_id, told)"
    " VALUES (:id, :booking_id, :now)";
static const char SQL_DUE[] =
    "SELECT id FROM calendar_sources WHERE next_fetch IS NOT NULL AND next_fetch <= :now"
    " ORDER BY next_fetch, id LIMIT 20";
/* A lease, so a second refresher skips a source being fetched. */
static const char SQL_CLAIM[] =
    "UPDATE calendar_sources SET next_fetch = :lease WHERE id = :id AND next_fetch <= :now";

/* ------------------------------------------------------------------ */
/* Settings                                                             */

static struct {
    int allow_private;
    int refresh_s;
} settings = {0, IMPORT_REFRESH_DEFAULT};

void import_configure(int allow_private, int refresh_s)
{
    settings.allow_private = allow_private;
    settings.refresh_s = refresh_s > 0 ? refresh_s : IMPORT_REFRESH_DEFAULT;
}

static const char *col(struct db_stmt *st, int i, struct arena *a)
{
    const unsigned char *s = db_column_text(st, i);
    return s ? arena_strdup(a, (const char *)s) : NULL;
}

/* ------------------------------------------------------------------ */
/* Structure check                                                      */

/* libical accepts nearly anything and drops what it cannot read; an owner
 * should hear which line of the file is wrong instead. This walks the
 * unfolded content lines and checks what decides the blackouts. */

static int is_digits(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

static int num(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

/* A DATE (YYYYMMDD) or DATE-TIME (YYYYMMDDTHHMMSS[Z]) of length n. */
static int date_or_time_ok(const char *s, size_t n)
{
    if (n != 8 && n != 15 && n != 16)
        return 0;
    if (!is_digits(s, 8))
        return 0;
    int y = num(s, 4), m = num(s + 4, 2), d = num(s + 6, 2);
    if (y < 1900 || d < 1 || d > tu_days_in_month(y, m))
        return 0;
    if (n == 8)
        return 1;
    if (s[8] != 'T' || !is_digits(s + 9, 6) || (n == 16 && s[15] != 'Z'))
        return 0;
    return num(s + 9, 2) <= 23 && num(s + 11, 2) <= 59 && num(s + 13, 2) <= 60;
}

/* A comma-separated list of dates or date-times; with periods, each item
 * may also be "start/end" or "start/duration" (RDATE). */
static int time_list_ok(const char *v, int periods)
{
    if (!*v)
        return 0;
    while (*v) {
        size_t n = strcspn(v, ",");
        const char *slash = periods ? memchr(v, '/', n) : NULL;
        if (slash) {
            size_t a = (size_t)(slash - v);
            char dur[64];
            size_t b = n - a - 1;
            if (!date_or_time_ok(v, a))
                return 0;
            if (!date_or_time_ok(slash + 1, b)) {
                if (b >= sizeof dur)
                    return 0;
                memcpy(dur, slash + 1, b);
                dur[b] = '\0';
                if (icaldurationtype_is_bad_duration(icaldurationtype_from_string(dur)))
                    return 0;
            }
        } else if (!date_or_time_ok(v, n)) {
            return 0;
        }
        v += n;
        if (*v == ',')
            v++;
    }
    return 1;
}

#define MAX_DEPTH 16

/* What check_line keeps of the VEVENT it is in: whether it has a DTSTART,
 * and its DTSTART and DTEND as written (parameters and value), to tell an
 * event that ends before it starts where the two are written alike. */
struct event_seen {
    int line, has_start, end_line;
    char start[64], end[64];
};

/* 1 when the two times are written alike (the same parameters, a date with
 * a date, UTC with UTC) and `end` comes before `start`. */
static int ends_before_start(const char *start, const char *end)
{
    const char *vs = strrchr(start, ':'), *ve = strrchr(end, ':');
    if (!vs || !ve || vs - start != ve - end || strncmp(start, end, (size_t)(vs - start)) != 0 ||
        strlen(vs) != strlen(ve))
        return 0;
    return strcmp(ve, vs) < 0;
}

/* Checks one unfolded content line (NUL-terminated, physical line `line`). */
static int check_line(char *s, int line, char stack[][24], int *stack_line, int *depth,
                      struct event_seen *ev, struct ls_err *err)
{
    size_t nlen = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-");
    if (nlen == 0 || (s[nlen] != ':' && s[nlen] != ';'))
        return ls_err_set(err, LS_EVALIDATION, "file",
                          "line %d: a content line needs a name followed by a colon", line);
    /* Past the parameters; a quoted parameter value may hold ':' and ';'. */
    char *p = s + nlen;
    int quoted = 0;
    while (*p && (quoted || *p != ':')) {
        if (*p == '"')
            quoted = !quoted;
        p++;
    }
    if (*p != ':')
        return ls_err_set(err, LS_EVALIDATION, "file",
                          "line %d: a content line needs a name followed by a colon", line);
    char name[32];
    snprintf(name, sizeof name, "%.*s", (int)(nlen < 31 ? nlen : 31), s);
    for (char *c = name; *c; c++)
        if (*c >= 'a' && *c <= 'z')
            *c = (char)(*c - 'a' + 'A');
    const char *value = p + 1;
    if (*depth == 0 && strcmp(name, "BEGIN") != 0)
        return ls_err_set(err, LS_EVALIDATION, "file",
                          "line %d: the calendar must begin with BEGIN:VCALENDAR", line);
    if (strcmp(name, "BEGIN") == 0) {
        if (*depth == 0 && strcasecmp(value, "VCALENDAR") != 0)
            return ls_err_set(err, LS_EVALIDATION, "file",
                              "line %d: the calendar must begin with BEGIN:VCALENDAR", line);
        if (*depth == MAX_DEPTH || !*value)
            return ls_err_set(err, LS_EVALIDATION, "file",
                              "line %d: components are nested too deeply", line);
        snprintf(stack[*depth], 24, "%.23s", value);
        stack_line[*depth] = line;
        (*depth)++;
        if (strcasecmp(value, "VEVENT") == 0)
            *ev = (struct event_seen){.line = line};
        return LS_OK;
    }
    if (strcmp(name, "END") == 0) {
        if (strcasecmp(value, stack[*depth - 1]) != 0)
            return ls_err_set(err, LS_EVALIDATION, "file",
                              "line %d: END does not match the BEGIN it closes", line);
        if (strcasecmp(value, "VEVENT") == 0 && !ev->has_start)
            return ls_err_set(err, LS_EVALIDATION, "file", "line %d: the event has no DTSTART",
                              ev->line);
        if (strcasecmp(value, "VEVENT") == 0 && ev->start[0] && ev->end[0] &&
            ends_before_start(ev->start, ev->end))
            return ls_err_set(err, LS_EVALIDATION, "file",
                              "line %d: the event ends before it starts", ev->end_line);
        (*depth)--;
        return LS_OK;
    }
    if (strcasecmp(stack[*depth - 1], "VEVENT") != 0)
        return LS_OK;
    if (strcmp(name, "DTSTART") == 0 || strcmp(name, "DTEND") == 0 ||
        strcmp(name, "RECURRENCE-ID") == 0) {
        if (!date_or_time_ok(value, strlen(value)))
            return ls_err_set(err, LS_EVALIDATION, "file", "line %d: not a date or date-time",
                              line);
        /* Kept whole or not at all (compared only when both are). */
        int fits = strlen(s + nlen) < sizeof ev->start;
        if (strcmp(name, "DTSTART") == 0) {
            ev->has_start = 1;
            snprintf(ev->start, sizeof ev->start, "%s", fits ? s + nlen : "");
        } else if (strcmp(name, "DTEND") == 0) {
            snprintf(ev->end, sizeof ev->end, "%s", fits ? s + nlen : "");
            ev->end_line = line;
        }
    } else if (strcmp(name, "EXDATE") == 0 || strcmp(name, "RDATE") == 0) {
        if (!time_list_ok(value, name[0] == 'R'))
            return ls_err_set(err, LS_EVALIDATION, "file",
                              "line %d: not a list of dates or date-times", line);
    } else if (strcmp(name, "DURATION") == 0) {
        if (icaldurationtype_is_bad_duration(icaldurationtype_from_string(value)))
            return ls_err_set(err, LS_EVALIDATION, "file", "line %d: not a duration", line);
    } else if (strcmp(name, "RRULE") == 0) {
        icalerror_clear_errno();
        struct icalrecurrencetype r = icalrecurrencetype_from_string(value);
        int bad = r.freq == ICAL_NO_RECURRENCE || icalerrno != ICAL_NO_ERROR;
        if (r.rscale)
            icalmemory_free_buffer(r.rscale);
        if (bad)
            return ls_err_set(err, LS_EVALIDATION, "file", "line %d: not a recurrence rule", line);
        /* A walk second by second or minute by minute costs libical too
         * much to let a file ask for it. */
        if (r.freq == ICAL_SECONDLY_RECURRENCE || r.freq == ICAL_MINUTELY_RECURRENCE)
            return ls_err_set(err, LS_EVALIDATION, "file",
                              "line %d: a rule may repeat at most hourly", line);
    }
    return LS_OK;
}

static int check_structure(const char *text, size_t len, struct ls_err *err)
{
    if (memchr(text, '\0', len))
        return ls_err_set(err, LS_EVALIDATION, "file", "the file holds a NUL byte");
    char stack[MAX_DEPTH][24];
    int stack_line[MAX_DEPTH];
    struct event_seen ev = {0};
    int depth = 0, lines = 0;
    size_t cap = 4096, n = 0;
    char *logical = malloc(cap);
    int start_line = 0, rc = LS_OK;
    const char *p = text, *end = text + len;
    for (int line = 1; p < end && rc == LS_OK; line++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        size_t k = (size_t)(e - p);
        if (k && p[k - 1] == '\r')
            k--;
        int cont = k > 0 && (p[0] == ' ' || p[0] == '\t');
        if (!cont && n > 0) {
            logical[n] = '\0';
            rc = check_line(logical, start_line, stack, stack_line, &depth, &ev, err);
            lines++;
            n = 0;
        }
        if (rc == LS_OK && (k > 0 || cont)) {
            const char *from = cont ? p + 1 : p;
            size_t add = cont ? k - 1 : k;
            if (!cont) {
                start_line = line;
                if (depth == 0 && lines > 0)
                    rc = ls_err_set(err, LS_EVALIDATION, "file",
                                    "line %d: text after END:VCALENDAR", line);
            }
            if (n + add + 1 > cap) {
                while (n + add + 1 > cap)
                    cap *= 2;
                char *bigger = realloc(logical, cap);
                if (!bigger) {
                    free(logical);
                    return ls_err_set(err, LS_EINTERNAL, NULL, "out of memory");
                }
                logical = bigger;
            }
            memcpy(logical + n, from, add);
            n += add;
        }
        p = nl ? nl + 1 : end;
    }
    if (rc == LS_OK && n > 0) {
        logical[n] = '\0';
        rc = check_line(logical, start_line, stack, stack_line, &depth, &ev, err);
        lines++;
    }
    free(logical);
    if (rc)
        return rc;
    if (lines == 0)
        return ls_err_set(err, LS_EVALIDATION, "file", "line 1: the file is empty");
    if (depth > 0)
        return ls_err_set(err, LS_EVALIDATION, "file", "line %d: BEGIN:%s is never closed",
                          stack_line[depth - 1], stack[depth - 1]);
    return LS_OK;
}

/* ------------------------------------------------------------------ */
/* Times                                                                */

static icalcomponent *root_of(icalcomponent *c)
{
    while (icalcomponent_get_parent(c))
        c = icalcomponent_get_parent(c);
    return c;
}

/* The value of a date or date-time property with its TZID resolved: the
 * file's own VTIMEZONE first, else libical's zone of that name; an unknown
 * zone leaves the time floating. */
static struct icaltimetype zoned(icalcomponent *event, icalproperty *p, struct icaltimetype t)
{
    if (icaltime_is_null_time(t) || t.is_date || icaltime_is_utc(t))
        return t;
    icalparameter *param = icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER);
    const char *tzid = param ? icalparameter_get_tzid(param) : NULL;
    if (!tzid)
        return t;
    icaltimezone *zone = icalcomponent_get_timezone(root_of(event), tzid);
    if (!zone)
        zone = icaltimezone_get_builtin_timezone(tzid);
    if (!zone)
        zone = icaltimezone_get_builtin_timezone_from_tzid(tzid);
    return zone ? icaltime_set_timezone(&t, zone) : t;
}

/* The UTC offset in force in zone at a UTC instant. */
static int zone_offset(icaltimezone *zone, int64_t at)
{
    struct icaltimetype u =
        icaltime_from_timet_with_zone((time_t)at, 0, icaltimezone_get_utc_timezone());
    int dst = 0;
    return icaltimezone_get_utc_offset_of_utc_time(zone, &u, &dst);
}

/* A wall time in a zone as RFC 5545 3.3.5 reads it: a time the autumn
 * change repeats is its first occurrence, a time the spring change skips
 * takes the offset in force before the gap (02:30 in Warsaw on the spring
 * change is 01:30 UTC). libical's own conversion takes the second
 * occurrence and the offset after the gap. */
static int64_t zoned_instant(struct icaltimetype t, icaltimezone *zone)
{
    int64_t wall = tu_days_from_civil(t.year, t.month, t.day) * 86400 + t.hour * 3600 +
                   t.minute * 60 + t.second;
    /* The offsets in force a day either side cover any one change. */
    int before = zone_offset(zone, wall - 86400), after = zone_offset(zone, wall + 86400);
    int64_t first = wall - before, second = wall - after;
    int first_holds = zone_offset(zone, first) == before;
    int second_holds = zone_offset(zone, second) == after;
    if (first_holds && second_holds)
        return first < second ? first : second;
    if (second_holds)
        return second;
    return first; /* it holds, or the time lies in a gap: the offset before it */
}

/* The instant a time names: UTC, in its zone, floating or a date (the
 * site's local time: midnight for a date). -1 when it names none, or a day
 * its month does not have (libical would move 29 February 2027 on to the
 * 1st of March). */
static int instant(struct icaltimetype t, int64_t *out)
{
    if (icaltime_is_null_time(t) || t.year < 1970 || t.year > 9998 || t.day < 1 ||
        t.day > tu_days_in_month(t.year, t.month))
        return -1;
    if (t.is_date) {
        *out = tu_local_midnight(t.year, t.month, t.day);
        return 0;
    }
    if (icaltime_is_utc(t)) {
        *out = tu_days_from_civil(t.year, t.month, t.day) * 86400 + t.hour * 3600 + t.minute * 60 +
               t.second;
        return 0;
    }
    if (t.zone) {
        *out = zoned_instant(t, (icaltimezone *)t.zone);
        return 0;
    }
    /* Floating: the site's wall time; a time the spring change skips moves
     * an hour on, as a clock would. */
    enum tu_status s = tu_from_local(t.year, t.month, t.day, t.hour, t.minute, t.second, 1, out);
    if (s == TU_ENONEXISTENT)
        s = tu_from_local(t.year, t.month, t.day, t.hour + 1, t.minute, t.second, 1, out);
    return s == TU_OK ? 0 : -1;
}

/* A date-time's civil date, for matching dates with dates. */
static int64_t day_of(struct icaltimetype t)
{
    return tu_days_from_civil(t.year, t.month, t.day);
}

/* ------------------------------------------------------------------ */
/* Expansion                                                            */

struct vevent {
    icalcomponent *c;
    const char *uid;
    int busy;      /* not TRANSP:TRANSPARENT and not CANCELLED */
    int cancelled; /* STATUS:CANCELLED */
    int has_rid;
    struct icaltimetype rid;
    int64_t rid_at;
    int used; /* an override that replaced an occurrence */
};

struct spans {
    struct import_busy *v;
    int n, cap;
    int overflow;
    struct arena *a;
};

/* Text from a calendar as blackout text: what text_clean() keeps (valid
 * UTF-8, no control, direction or invisible characters), at most max
 * characters, trimmed. */
static const char *clean(struct arena *a, const char *s, size_t max)
{
    if (!s)
        return "";
    char *out = text_clean(arena_alloc(a, strlen(s) + 1), s, max);
    size_t w = strlen(out);
    while (w && out[w - 1] == ' ')
        w--;
    out[w] = '\0';
    const char *t = out;
    while (*t == ' ')
        t++;
    return t;
}

static void add_span(struct spans *s, const char *uid, const char *reason, int64_t start,
                     int64_t end, int64_t from, int64_t to)
{
    if (end <= start || end <= from || start >= to)
        return;
    if (s->n == IMPORT_MAX_EVENTS) {
        s->overflow = 1;
        return;
    }
    if (s->n == s->cap) {
        int cap = s->cap ? s->cap * 2 : 64;
        struct import_busy *bigger = arena_alloc(s->a, (size_t)cap * sizeof *bigger);
        if (s->n)
            memcpy(bigger, s->v, (size_t)s->n * sizeof *bigger);
        s->v = bigger;
        s->cap = cap;
    }
    s->v[s->n++] = (struct import_busy){uid, reason, start, end};
}

/* The span of a single event (a master without rules, an override). */
static int event_span(icalcomponent *c, int64_t *start, int64_t *end)
{
    icalproperty *ps = icalcomponent_get_first_property(c, ICAL_DTSTART_PROPERTY);
    if (!ps)
        return -1;
    struct icaltimetype s = zoned(c, ps, icalproperty_get_dtstart(ps));
    if (instant(s, start) != 0)
        return -1;
    icalproperty *pe = icalcomponent_get_first_property(c, ICAL_DTEND_PROPERTY);
    icalproperty *pd = icalcomponent_get_first_property(c, ICAL_DURATION_PROPERTY);
    if (pe) {
        struct icaltimetype e = zoned(c, pe, icalproperty_get_dtend(pe));
        return instant(e, end);
    }
    if (pd) {
        *end = *start + icaldurationtype_as_int(icalproperty_get_duration(pd));
        return 0;
    }
    /* RFC 5545 3.6.1: a date without an end lasts the day; a date-time, no time. */
    if (s.is_date) {
        *end = tu_local_midnight(s.year, s.month, s.day + 1);
        return 0;
    }
    *end = *start;
    return 0;
}

/* The EXDATEs of an event as instants and civil days. */
struct exdates {
    int64_t at[256];
    int64_t day[256];
    int is_date[256];
    int n;
};

static void read_exdates(icalcomponent *c, struct exdates *x)
{
    x->n = 0;
    for (icalproperty *p = icalcomponent_get_first_property(c, ICAL_EXDATE_PROPERTY);
         p && x->n < 256; p = icalcomponent_get_next_property(c, ICAL_EXDATE_PROPERTY)) {
        struct icaltimetype t = zoned(c, p, icalproperty_get_exdate(p));
        int64_t at;
        if (instant(t, &at) != 0)
            continue;
        x->at[x->n] = at;
        x->day[x->n] = day_of(t);
        x->is_date[x->n] = t.is_date;
        x->n++;
    }
}

static int excluded(const struct exdates *x, struct icaltimetype occ, int64_t at)
{
    for (int i = 0; i < x->n; i++)
        if (x->is_date[i] ? day_of(occ) == x->day[i] : x->at[i] == at)
            return 1;
    return 0;
}

/* The override of uid for the occurrence at `at` (or on that day), if any. */
static struct vevent *override_of(struct vevent *ev, int n, const char *uid,
                                  struct icaltimetype occ, int64_t at)
{
    for (int i = 0; i < n; i++)
        if (ev[i].has_rid && strcmp(ev[i].uid, uid) == 0 &&
            (ev[i].rid.is_date ? day_of(ev[i].rid) == day_of(occ) : ev[i].rid_at == at))
            return &ev[i];
    return NULL;
}

#define MAX_STEPS 200000 /* iterations of one rule: hourly for 20 years */

/* Whether BYMONTH and BYMONTHDAY can meet at all: when they cannot
 * (BYMONTH=2;BYMONTHDAY=30), libical searches period by period for
 * centuries before it gives up. */
static int rule_possible(const struct icalrecurrencetype *r)
{
    if (r->by_month_day[0] == ICAL_RECURRENCE_ARRAY_MAX)
        return 1;
    static const int longest[13] = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    for (int m = 1; m <= 12; m++) {
        int allowed = r->by_month[0] == ICAL_RECURRENCE_ARRAY_MAX;
        for (int i = 0;
             !allowed && i < ICAL_BY_MONTH_SIZE && r->by_month[i] != ICAL_RECURRENCE_ARRAY_MAX; i++)
            allowed = r->by_month[i] == m;
        for (int i = 0; allowed && i < ICAL_BY_MONTHDAY_SIZE &&
                        r->by_month_day[i] != ICAL_RECURRENCE_ARRAY_MAX;
             i++) {
            int d = r->by_month_day[i] < 0 ? -r->by_month_day[i] : r->by_month_day[i];
            if (d >= 1 && d <= longest[m])
                return 1;
        }
    }
    return 0;
}

/* The rule bounded by `to`: libical stops at UNTIL, so a rule without an
 * end (or one far ahead) ends at the window, in the start's own terms. */
static void bound_rule(struct icalrecurrencetype *r, struct icaltimetype dtstart, int64_t to)
{
    int64_t until = INT64_MAX;
    if (!icaltime_is_null_time(r->until) && instant(r->until, &until) != 0)
        until = INT64_MAX;
    if (until <= to)
        return;
    struct icaltimetype u;
    if (dtstart.zone || icaltime_is_utc(dtstart)) {
        u = icaltime_from_timet_with_zone((time_t)to, dtstart.is_date,
                                          dtstart.zone ? (icaltimezone *)dtstart.zone
                                                       : icaltimezone_get_utc_timezone());
    } else {
        struct tu_local l;
        tu_to_local(to, &l);
        u = icaltime_null_time();
        u.year = l.year;
        u.month = l.month;
        u.day = l.day;
        u.hour = dtstart.is_date ? 0 : l.hour;
        u.minute = dtstart.is_date ? 0 : l.minute;
        u.second = dtstart.is_date ? 0 : l.second;
        u.is_date = dtstart.is_date;
    }
    r->until = u;
}

/* One occurrence starting at occ (an iterator's or an RDATE's time). */
static void occurrence(struct spans *out, struct vevent *ev, int nev, struct vevent *m,
                       const struct exdates *x, struct icaltimetype occ, int64_t at, int64_t length,
                       int all_day_days, int64_t from, int64_t to)
{
    if (excluded(x, occ, at))
        return;
    struct vevent *o = override_of(ev, nev, m->uid, occ, at);
    if (o) {
        /* The override says what this occurrence is: moved, cancelled, free. */
        o->used = 1;
        int64_t s, e;
        if (o->busy && event_span(o->c, &s, &e) == 0)
            add_span(out, o->uid, clean(out->a, icalcomponent_get_summary(o->c), IMPORT_REASON_MAX),
                     s, e, from, to);
        return;
    }
    int64_t end =
        all_day_days ? tu_local_midnight(occ.year, occ.month, occ.day + all_day_days) : at + length;
    add_span(out, m->uid, clean(out->a, icalcomponent_get_summary(m->c), IMPORT_REASON_MAX), at,
             end, from, to);
}

/* A component's properties of one kind, listed before any is used: libical
 * walks a component's properties with one cursor kept in the component, and
 * any lookup while a loop runs (icalcomponent_get_summary, say) moves it,
 * so a loop of get_next_property around such calls can run for ever. */
static icalproperty **props_of(struct arena *a, icalcomponent *c, icalproperty_kind kind, int *n)
{
    int count = 0;
    for (icalproperty *p = icalcomponent_get_first_property(c, kind); p;
         p = icalcomponent_get_next_property(c, kind))
        count++;
    icalproperty **v = arena_alloc(a, sizeof *v * (size_t)(count ? count : 1));
    int i = 0;
    for (icalproperty *p = icalcomponent_get_first_property(c, kind); p && i < count;
         p = icalcomponent_get_next_property(c, kind))
        v[i++] = p;
    *n = i;
    return v;
}

static void expand_master(struct spans *out, struct vevent *ev, int nev, struct vevent *m,
                          int64_t from, int64_t to)
{
    icalproperty *ps = icalcomponent_get_first_property(m->c, ICAL_DTSTART_PROPERTY);
    struct icaltimetype dtstart = zoned(m->c, ps, icalproperty_get_dtstart(ps));
    int64_t start, end;
    if (event_span(m->c, &start, &end) != 0)
        return;
    int64_t length = end - start;
    int all_day_days = 0;
    if (dtstart.is_date) {
        icalproperty *pe = icalcomponent_get_first_property(m->c, ICAL_DTEND_PROPERTY);
        struct icaltimetype e = pe ? icalproperty_get_dtend(pe) : icaltime_null_time();
        all_day_days =
            pe && e.is_date ? (int)(day_of(e) - day_of(dtstart)) : (int)((length + 86399) / 86400);
        if (all_day_days < 1)
            all_day_days = 1;
    }
    struct exdates *x = arena_alloc(out->a, sizeof *x);
    read_exdates(m->c, x);
    int nrules, nrdates;
    icalproperty **rules = props_of(out->a, m->c, ICAL_RRULE_PROPERTY, &nrules);
    icalproperty **rdates = props_of(out->a, m->c, ICAL_RDATE_PROPERTY, &nrdates);
    int64_t seen_starts = 0;
    if (nrules == 0) {
        occurrence(out, ev, nev, m, x, dtstart, start, length, all_day_days, from, to);
        seen_starts = 1;
    }
    for (int k = 0; k < nrules; k++) {
        struct icalrecurrencetype rule = icalproperty_get_rrule(rules[k]);
        if (rule.freq == ICAL_SECONDLY_RECURRENCE || rule.freq == ICAL_MINUTELY_RECURRENCE ||
            !rule_possible(&rule))
            continue;
        bound_rule(&rule, dtstart, to);
        icalrecur_iterator *it = icalrecur_iterator_new(rule, dtstart);
        if (!it)
            continue;
        struct icaltimetype t;
        for (int steps = 0; steps < MAX_STEPS && !out->overflow; steps++) {
            t = icalrecur_iterator_next(it);
            if (icaltime_is_null_time(t))
                break;
            t.zone = dtstart.zone; /* the iterator works in the start's wall time */
            int64_t at;
            if (instant(t, &at) != 0 || at >= to)
                break;
            if (at + length > from || all_day_days)
                occurrence(out, ev, nev, m, x, t, at, length, all_day_days, from, to);
        }
        icalrecur_iterator_free(it);
        seen_starts = 1;
    }
    (void)seen_starts;
    for (int k = 0; k < nrdates; k++) {
        icalproperty *p = rdates[k];
        struct icaldatetimeperiodtype r = icalproperty_get_rdate(p);
        if (!icaltime_is_null_time(r.period.start)) {
            int64_t s, e;
            struct icaltimetype ts = zoned(m->c, p, r.period.start);
            if (instant(ts, &s) != 0)
                continue;
            if (!icaltime_is_null_time(r.period.end)) {
                if (instant(zoned(m->c, p, r.period.end), &e) != 0)
                    continue;
            } else {
                e = s + icaldurationtype_as_int(r.period.duration);
            }
            if (!excluded(x, ts, s) && !override_of(ev, nev, m->uid, ts, s))
                add_span(out, m->uid,
                         clean(out->a, icalcomponent_get_summary(m->c), IMPORT_REASON_MAX), s, e,
                         from, to);
            continue;
        }
        struct icaltimetype t = zoned(m->c, p, r.time);
        int64_t at;
        if (instant(t, &at) == 0)
            occurrence(out, ev, nev, m, x, t, at, length, all_day_days, from, to);
    }
}

static int by_start(const void *a, const void *b)
{
    const struct import_busy *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    if (x->end != y->end)
        return x->end < y->end ? -1 : 1;
    return strcmp(x->uid, y->uid);
}

static pthread_once_t ical_once = PTHREAD_ONCE_INIT;

static void ical_init(void)
{
    /* Parse errors become X-LIC-ERROR properties, never an abort. */
    icalerror_set_errors_are_fatal(0);
    icaltimezone_get_utc_timezone();
}

int import_parse(const char *text, size_t len, int64_t from, int64_t to, struct arena *a,
                 struct import_busy **out, int *n, struct ls_err *err)
{
    pthread_once(&ical_once, ical_init);
    *out = NULL;
    *n = 0;
    int rc = check_structure(text, len, err);
    if (rc)
        return rc;
    char *copy = arena_strndup(a, text, len);
    icalcomponent *cal = icalparser_parse_string(copy);
    if (!cal)
        return ls_err_set(err, LS_EVALIDATION, "file", "line 1: not an iCalendar file");
    icalcomponent *root = cal;
    if (icalcomponent_isa(cal) == ICAL_XROOT_COMPONENT)
        root = icalcomponent_get_first_component(cal, ICAL_VCALENDAR_COMPONENT);
    int nev = 0;
    for (icalcomponent *c = root ? icalcomponent_get_first_component(root, ICAL_VEVENT_COMPONENT)
                                 : NULL;
         c; c = icalcomponent_get_next_component(root, ICAL_VEVENT_COMPONENT))
        nev++;
    struct vevent *ev = arena_alloc(a, (size_t)(nev ? nev : 1) * sizeof *ev);
    int k = 0;
    for (icalcomponent *c = root ? icalcomponent_get_first_component(root, ICAL_VEVENT_COMPONENT)
                                 : NULL;
         c && k < nev; c = icalcomponent_get_next_component(root, ICAL_VEVENT_COMPONENT)) {
        struct vevent *v = &ev[k++];
        v->c = c;
        v->uid = clean(a, icalcomponent_get_uid(c), 255);
        v->cancelled = icalcomponent_get_status(c) == ICAL_STATUS_CANCELLED;
        icalproperty *tp = icalcomponent_get_first_property(c, ICAL_TRANSP_PROPERTY);
        int transparent = tp && (icalproperty_get_transp(tp) == ICAL_TRANSP_TRANSPARENT ||
                                 icalproperty_get_transp(tp) == ICAL_TRANSP_TRANSPARENTNOCONFLICT);
        v->busy = !v->cancelled && !transparent;
        icalproperty *rp = icalcomponent_get_first_property(c, ICAL_RECURRENCEID_PROPERTY);
        if (rp) {
            v->rid = zoned(c, rp, icalproperty_get_recurrenceid(rp));
            v->has_rid = instant(v->rid, &v->rid_at) == 0;
        }
    }
    struct spans s = {.a = a};
    for (int i = 0; i < nev && !s.overflow; i++) {
        struct vevent *m = &ev[i];
        if (m->has_rid)
            continue;
        /* A cancelled series takes its overrides with it. */
        if (m->cancelled) {
            for (int j = 0; j < nev; j++)
                if (ev[j].has_rid && strcmp(ev[j].uid, m->uid) == 0)
                    ev[j].used = 1;
            continue;
        }
        if (!m->busy) {
            /* A free series: its overrides still speak for themselves. */
            continue;
        }
        expand_master(&s, ev, nev, m, from, to);
    }
    /* Overrides that replaced no occurrence stand alone (the series lies
     * outside the window, or a master was never sent). */
    for (int i = 0; i < nev && !s.overflow; i++) {
        struct vevent *o = &ev[i];
        int64_t st, en;
        if (o->has_rid && !o->used && o->busy && event_span(o->c, &st, &en) == 0)
            add_span(&s, o->uid, clean(a, icalcomponent_get_summary(o->c), IMPORT_REASON_MAX), st,
                     en, from, to);
    }
    icalcomponent_free(cal);
    if (s.overflow)
        return ls_err_set(err, LS_EVALIDATION, "file",
                          "more than %d busy events in the next two years", IMPORT_MAX_EVENTS);
    if (s.n)
        qsort(s.v, (size_t)s.n, sizeof *s.v, by_start);
    /* The same span twice (an RDATE repeating a rule's date) is one. */
    int w = 0;
    for (int i = 0; i < s.n; i++)
        if (!w || by_start(&s.v[w - 1], &s.v[i]) != 0 || strcmp(s.v[w - 1].reason, s.v[i].reason))
            s.v[w++] = s.v[i];
    *out = s.v;
    *n = w;
    return LS_OK;
}

/* ------------------------------------------------------------------ */
/* Sources                                                              */

/* The organisation owning a resource; LS_ENOTFOUND if there is none. */
static int resource_org(struct db *db, int64_t resource_id, int64_t *org, struct ls_err *err)
{
    struct db_stmt *st = db_stmt(db, SQL_RESOURCE_ORG);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    db_bind_named_int64(st, ":id", resource_id);
    int rc = db_step(st);
    if (rc == DB_ROW)
        *org = db_column_int64(st, 0);
    db_reset(st);
    if (rc == DB_DONE)
        return ls_err_set(err, LS_ENOTFOUND, NULL, "no such resource");
    return rc == DB_ROW ? LS_OK : db_fail(db, rc, err);
}

static int may_manage(struct db *db, const struct user *u, int64_t resource_id, struct ls_err *err)
{
    int64_t org = 0;
    int rc = resource_org(db, resource_id, &org, err);
    if (rc)
        return rc;
    if (!authz_manages_org(u, org))
        return ls_err_set(err, LS_EFORBIDDEN, NULL,
                          "only the resource's owners and staff may manage its calendars");
    return LS_OK;
}

/* What a source row says besides conflicts; the validators and owning
 * organisation for the refresh. */
struct source_row {
    struct import_source s;
    const char *etag, *modified;
    int64_t org;
};

static void read_source(struct db_stmt *st, struct arena *a, struct source_row *r)
{
    memset(r, 0, sizeof *r);
    r->s.id = db_column_int64(st, 0);
    r->s.resource_id = db_column_int64(st, 1);
    r->s.kind = col(st, 2, a);
    r->s.url = col(st, 3, a);
    r->s.name = col(st, 4, a);
    r->s.created = db_column_int64(st, 5);
    r->s.last_fetch = db_column_int64(st, 6);
    r->s.last_status = col(st, 7, a);
    r->s.error = col(st, 8, a);
    r->s.error_code = col(st, 9, a);
    r->s.events = db_column_int64(st, 10);
    r->s.next_fetch = db_column_int64(st, 11);
    r->etag = col(st, 12, a);
    r->modified = col(st, 13, a);
    r->org = db_column_int64(st, 14);
}

static int load_conflicts(struct db *db, struct import_source *s, int64_t now, struct arena *a,
                          struct ls_err *err)
{
    struct db_stmt *st = db_stmt_variant(db, SQL_CONFLICTS, SQL_CONFLICTS_PG);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    db_bind_named_int64(st, ":id", s->id);
    db_bind_named_int64(st, ":now", now);
    int cap = 16, rc;
    s->conflicts.v = arena_alloc(a, (size_t)cap * sizeof *s->conflicts.v);
    s->conflicts.n = 0;
    while ((rc = db_step(st)) == DB_ROW) {
        if (s->conflicts.n == cap) {
            int64_t *bigger = arena_alloc(a, (size_t)cap * 2 * sizeof *bigger);
            memcpy(bigger, s->conflicts.v, (size_t)cap * sizeof *bigger);
            s->conflicts.v = bigger;
            cap *= 2;
        }
        s->conflicts.v[s->conflicts.n++] = db_column_int64(st, 0);
    }
    db_reset(st);
    return rc == DB_DONE ? LS_OK : db_fail(db, rc, err);
}

static int source_load(struct db *db, int64_t id, struct arena *a, struct source_row *out,
                       struct ls_err *err)
{
    struct db_stmt *st = db_stmt(db, SQL_SOURCE_GET);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    db_bind_named_int64(st, ":id", id);
    int rc = db_step(st);
    if (rc == DB_ROW)
        read_source(st, a, out);
    db_reset(st);
    if (rc == DB_DONE)
        return ls_err_set(err, LS_ENOTFOUND, NULL, "no such calendar");
    return rc == DB_ROW ? LS_OK : db_fail(db, rc, err);
}

/* Loads a source u may manage, with its conflicts at now. */
static int source_visible(struct db *db, const struct user *u, int64_t id, int64_t now,
                          struct arena *a, struct source_row *out, struct ls_err *err)
{
    int rc = source_load(db, id, a, out, err);
    if (rc)
        return rc;
    if (!authz_manages_org(u, out->org))
        return ls_err_set(err, LS_EFORBIDDEN, NULL,
                          "only the resource's owners and staff may manage its calendars");
    return load_conflicts(db, &out->s, now, a, err);
}

int import_source_org(struct db *db, int64_t id, int64_t *org, struct ls_err *err)
{
    struct arena a = {0};
    struct source_row r;
    int rc = source_load(db, id, &a, &r, err);
    if (!rc)
        *org = r.org;
    arena_release(&a);
    return rc;
}

int import_source_get(struct db *db, const struct user *u, int64_t id, int64_t now, struct arena *a,
                      struct import_source *out, struct ls_err *err)
{
    struct source_row r;
    int rc = source_visible(db, u, id, now, a, &r, err);
    if (!rc)
        *out = r.s;
    return rc;
}

int import_source_list(struct db *db, const struct user *u, int64_t resource_id, int64_t now,
                       struct arena *a, struct import_source **out, int *n, struct ls_err *err)
{
    *out = NULL;
    *n = 0;
    int rc = may_manage(db, u, resource_id, err);
    if (rc)
        return rc;
    struct db_stmt *st = db_stmt(db, SQL_SOURCE_LIST);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    db_bind_named_int64(st, ":id", resource_id);
    int cap = 8;
    struct import_source *v = arena_alloc(a, (size_t)cap * sizeof *v);
    while ((rc = db_step(st)) == DB_ROW) {
        if (*n == cap) {
            struct import_source *bigger = arena_alloc(a, (size_t)cap * 2 * sizeof *bigger);
            memcpy(bigger, v, (size_t)cap * sizeof *bigger);
            v = bigger;
            cap *= 2;
        }
        struct source_row r;
        read_source(st, a, &r);
        v[(*n)++] = r.s;
    }
    db_reset(st);
    if (rc != DB_DONE)
        return db_fail(db, rc, err);
    for (int i = 0; i < *n; i++)
        if ((rc = load_conflicts(db, &v[i], now, a, err)))
            return rc;
    *out = v;
    return LS_OK;
}

/* --- applying a calendar ------------------------------------------------ */

struct apply_job {
    int64_t source_id, now;
    int fetched;                   /* 1 = the fetch succeeded (200 or 304) */
    const struct import_busy *set; /* with fetched and a 200: the new blackouts */
    int n;
    int not_modified;
    const char *etag, *modified; /* the answer's validators; NULL = keep */
    const char *error, *code;    /* a failure */
    int64_t next;                /* next_fetch (0 = NULL, files) */
    struct arena *a;
};

struct existing {
    int64_t id;
    const char *uid, *reason;
    int64_t start, end;
    int keep;
};

static int same(const struct existing *e, const struct import_busy *b)
{
    return e->start == b->start && e->end == b->end && strcmp(e->uid, b->uid) == 0 &&
           strcmp(e->reason, b->reason) == 0;
}

/* Owners hear once of each booking a source's blackouts now overlap. */
static int tell_owners(struct db *db, int64_t source_id, const char *name, int64_t now,
                       struct arena *a, struct ls_err *err)
{
    struct db_stmt *st = db_stmt_variant(db, SQL_CONFLICTS, SQL_CONFLICTS_PG);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    db_bind_named_int64(st, ":id", source_id);
    db_bind_named_int64(st, ":now", now);
    struct clash {
        int64_t booking, start, end;
        const char *reason;
    } *c = NULL;
    int n = 0, cap = 0, rc;
    while ((rc = db_step(st)) == DB_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            struct clash *bigger = arena_alloc(a, (size_t)cap * sizeof *bigger);
            if (n)
                memcpy(bigger, c, (size_t)n * sizeof *bigger);
            c = bigger;
        }
        c[n].booking = db_column_int64(st, 0);
        c[n].start = db_column_int64(st, 1);
        c[n].end = db_column_int64(st, 2);
        c[n].reason = col(st, 3, a);
        n++;
    }
    db_reset(st);
    if (rc != DB_DONE)
        return db_fail(db, rc, err);
    for (int i = 0; i < n; i++) {
        st = db_stmt(db, SQL_TOLD);
        db_bind_named_int64(st, ":id", source_id);
        db_bind_named_int64(st, ":booking_id", c[i].booking);
        db_bind_named_int64(st, ":now", now);
        if ((rc = db_step_done(db, st, err)))
            return rc;
        if (db_changes(db) == 0)
            continue; /* told before */
        char from[TU_LOCAL_LEN], to[TU_LOCAL_LEN];
        tu_format_local(c[i].start, from);
        tu_format_local(c[i].end, to);
        const char *what = arena_printf(a, "%s: %s%s%s – %s", name, c[i].reason,
                                        *c[i].reason ? ", " : "", from, to);
        if ((rc = notify_enqueue_conflict(db, c[i].booking, what, now, err)))
            return rc;
    }
    return LS_OK;
}

static int apply_txn(struct db *db, void *ctx, struct ls_err *err)
{
    struct apply_job *j = ctx;
    struct source_row r;
    int rc = source_load(db, j->source_id, j->a, &r, err);
    if (rc)
        return rc; /* deleted while we fetched */
    struct db_stmt *st;
    if (!j->fetched) {
        st = db_stmt(db, SQL_SOURCE_FAILED);
        db_bind_named_int64(st, ":now", j->now);
        db_bind_named_text(st, ":error", j->error);
        db_bind_named_text(st, ":code", j->code);
        if (j->next)
            db_bind_named_int64(st, ":next", j->next);
        db_bind_named_int64(st, ":id", j->source_id);
        return db_step_done(db, st, err);
    }
    if (!j->not_modified) {
        /* The future blackouts of the source against the new set: equal
         * ones stay (their ids too), the rest go, new ones come. */
        st = db_stmt(db, SQL_SOURCE_BLACKOUTS);
        db_bind_named_int64(st, ":id", j->source_id);
        db_bind_named_int64(st, ":now", j->now);
        int cap = 64, n = 0;
        struct existing *e = arena_alloc(j->a, (size_t)cap * sizeof *e);
        while ((rc = db_step(st)) == DB_ROW) {
            if (n == cap) {
                struct existing *bigger = arena_alloc(j->a, (size_t)cap * 2 * sizeof *bigger);
                memcpy(bigger, e, (size_t)cap * sizeof *bigger);
                e = bigger;
                cap *= 2;
            }
            e[n].id = db_column_int64(st, 0);
            e[n].uid = col(st, 1, j->a);
            e[n].start = db_column_int64(st, 2);
            e[n].end = db_column_int64(st, 3);
            e[n].reason = col(st, 4, j->a);
            e[n].keep = 0;
            n++;
        }
        db_reset(st);
        if (rc != DB_DONE)
            return db_fail(db, rc, err);
        /* Both lists are small (at most IMPORT_MAX_EVENTS); the set is
         * ordered by start, so a window of equal starts is searched. */
        char *add = arena_alloc(j->a, (size_t)(j->n ? j->n : 1));
        for (int i = 0; i < j->n; i++) {
            add[i] = 1;
            for (int k = 0; k < n; k++)
                if (!e[k].keep && same(&e[k], &j->set[i])) {
                    e[k].keep = 1;
                    add[i] = 0;
                    break;
                }
        }
        for (int k = 0; k < n; k++) {
            if (e[k].keep)
                continue;
            st = db_stmt(db, SQL_BLACKOUT_DELETE);
            db_bind_named_int64(st, ":id", e[k].id);
            if ((rc = db_step_done(db, st, err)))
                return rc;
        }
        for (int i = 0; i < j->n; i++) {
            if (!add[i])
                continue;
            st = db_stmt(db, SQL_BLACKOUT_INSERT);
            db_bind_named_int64(st, ":resource_id", r.s.resource_id);
            db_bind_named_int64(st, ":start", j->set[i].start);
            db_bind_named_int64(st, ":end", j->set[i].end);
            db_bind_named_text(st, ":reason", j->set[i].reason);
            db_bind_named_int64(st, ":now", j->now);
            db_bind_named_int64(st, ":source_id", j->source_id);
            db_bind_named_text(st, ":uid", j->set[i].uid);
            if ((rc = db_step_done(db, st, err)))
                return rc;
        }
    }
    st = db_stmt(db, SQL_SOURCE_DONE);
    db_bind_named_int64(st, ":now", j->now);
    db_bind_named_text(st, ":status", j->not_modified ? "not_modified" : "ok");
    db_bind_named_text(st, ":etag", j->etag && *j->etag ? j->etag : NULL);
    db_bind_named_text(st, ":modified", j->modified && *j->modified ? j->modified : NULL);
    if (j->next)
        db_bind_named_int64(st, ":next", j->next);
    db_bind_named_int64(st, ":id", j->source_id);
    if ((rc = db_step_done(db, st, err)))
        return rc;
    return tell_owners(db, j->source_id, r.s.name, j->now, j->a, err);
}

static int allow_all(const struct sockaddr *sa, void *ctx)
{
    (void)sa;
    (void)ctx;
    return 1;
}

static const char *fetch_code(enum cal_fetch_status s)
{
    switch (s) {
    case CAL_FETCH_TOO_LARGE:
        return "too_large";
    case CAL_FETCH_REFUSED:
        return "refused";
    case CAL_FETCH_REDIRECTS:
        return "redirects";
    case CAL_FETCH_TIMEOUT:
        return "timeout";
    case CAL_FETCH_HTTP:
        return "http";
    default:
        return "network";
    }
}

/* Fetches a URL source (no transaction is open meanwhile) and applies what
 * came back in one write. */
static int refresh(struct db *db, const struct source_row *r, int64_t now, struct arena *a,
                   struct ls_err *err)
{
    struct cal_fetch_opts o = {
        .max_bytes = IMPORT_MAX_BYTES,
        .timeout_s = IMPORT_TIMEOUT_S,
        .max_redirects = IMPORT_MAX_REDIRECTS,
        .addr_ok = settings.allow_private ? allow_all : NULL,
        .etag = r->etag,
        .last_modified = r->modified,
    };
    struct cal_fetch_result res;
    cal_fetch(r->s.url, &o, &res);
    struct apply_job j = {.source_id = r->s.id, .now = now, .a = a};
    j.next = now + settings.refresh_s;
    if (res.status == CAL_FETCH_NOT_MODIFIED) {
        j.fetched = 1;
        j.not_modified = 1;
    } else if (res.status == CAL_FETCH_OK) {
        struct ls_err perr = {0};
        struct import_busy *set = NULL;
        int n = 0;
        if (import_parse(res.body, res.len, now, now + IMPORT_HORIZON, a, &set, &n, &perr) ==
            LS_OK) {
            j.fetched = 1;
            j.set = set;
            j.n = n;
            j.etag = arena_strdup(a, res.etag);
            j.modified = arena_strdup(a, res.last_modified);
        } else {
            j.error = arena_strdup(a, perr.message);
            j.code = "invalid";
        }
    } else {
        j.error = arena_strdup(a, res.error);
        j.code = fetch_code(res.status);
    }
    free(res.body);
    return db_write(db, apply_txn, &j, err);
}

struct insert_job {
    int64_t resource_id, user_id, now, next;
    const char *kind, *url, *name;
    int64_t id;
};

static int insert_txn(struct db *db, void *ctx, struct ls_err *err)
{
    struct insert_job *j = ctx;
    struct db_stmt *st = db_stmt(db, SQL_SOURCE_INSERT);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    db_bind_named_int64(st, ":resource_id", j->resource_id);
    db_bind_named_text(st, ":kind", j->kind);
    db_bind_named_text(st, ":url", j->url);
    db_bind_named_text(st, ":name", j->name);
    db_bind_named_int64(st, ":user_id", j->user_id);
    db_bind_named_int64(st, ":now", j->now);
    if (j->next)
        db_bind_named_int64(st, ":next", j->next);
    int rc = db_step_done(db, st, err);
    if (!rc)
        j->id = db_last_insert_id(db);
    return rc;
}

static int check_name(const char *name, struct ls_err *err)
{
    if (!name || !*name)
        return ls_err_set(err, LS_EVALIDATION, "name", "{field} is required");
    size_t chars = 0;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        chars += (*p & 0xC0) != 0x80;
    if (chars > IMPORT_NAME_MAX)
        return ls_err_set(err, LS_EVALIDATION, "name", "{field} is longer than %d characters",
                          IMPORT_NAME_MAX);
    return LS_OK;
}

/* The URL check's verdict as a message naming the field. */
static int url_error(enum cal_url_problem p, struct ls_err *err)
{
    switch (p) {
    case CAL_URL_OK:
        return LS_OK;
    case CAL_URL_TOO_LONG:
        return ls_err_set(err, LS_EVALIDATION, "url", "{field} is longer than %d characters",
                          IMPORT_URL_MAX);
    case CAL_URL_SCHEME:
        return ls_err_set(err, LS_EVALIDATION, "url",
                          "{field} must start with http://, https:// or webcal://");
    case CAL_URL_INVALID:
        break;
    case CAL_URL_UNRESOLVED:
        return ls_err_set(err, LS_EVALIDATION, "url", "{field}: the host name does not resolve");
    case CAL_URL_PRIVATE:
        return ls_err_set(err, LS_EVALIDATION, "url",
                          "{field} points to a loopback, private or link-local network");
    }
    return ls_err_set(err, LS_EVALIDATION, "url", "{field} is not a valid URL");
}

int import_source_add(struct db *db, const struct user *u, int64_t resource_id, const char *url,
                      const char *name, int64_t now, struct arena *a, struct import_source *out,
                      struct ls_err *err)
{
    int rc = may_manage(db, u, resource_id, err);
    if (rc)
        return rc;
    if (!url || !*url)
        return ls_err_set(err, LS_EVALIDATION, "url", "{field} is required");
    char fetch_url[IMPORT_URL_MAX + 16];
    if (strlen(url) > IMPORT_URL_MAX)
        return ls_err_set(err, LS_EVALIDATION, "url", "{field} is longer than %d characters",
                          IMPORT_URL_MAX);
    if ((rc = url_error(cal_url_check(url, settings.allow_private, fetch_url, sizeof fetch_url),
                        err)))
        return rc;
    if ((rc = check_name(name, err)))
        return rc;
    /* Inserted under a lease, as a refresher claims a source: no refresher
     * (of any node) fetches it while this first fetch runs; the fetch sets
     * the real next time. */
    struct insert_job j = {resource_id, u->id,     now,  now + 4 * IMPORT_TIMEOUT_S,
                           "url",       fetch_url, name, 0};
    if ((rc = db_write(db, insert_txn, &j, err)))
        return rc;
    struct source_row r;
    if ((rc = source_load(db, j.id, a, &r, err)))
        return rc;
    if ((rc = refresh(db, &r, now, a, err)))
        return rc;
    return import_source_get(db, u, j.id, now, a, out, err);
}

int import_upload(struct db *db, const struct user *u, int64_t resource_id, const char *name,
                  const char *text, size_t len, int64_t now, struct arena *a,
                  struct import_source *out, struct ls_err *err)
{
    int rc = may_manage(db, u, resource_id, err);
    if (rc)
        return rc;
    if ((rc = check_name(name, err)))
        return rc;
    if (len > IMPORT_UPLOAD_MAX)
        return ls_err_set(err, LS_ETOOLARGE, "file", "the file is larger than 1 MB");
    struct import_busy *set = NULL;
    int n = 0;
    if ((rc = import_parse(text, len, now, now + IMPORT_HORIZON, a, &set, &n, err)))
        return rc;
    struct insert_job ins = {resource_id, u->id, now, 0, "file", NULL, name, 0};
    if ((rc = db_write(db, insert_txn, &ins, err)))
        return rc;
    struct apply_job j = {
        .source_id = ins.id, .now = now, .fetched = 1, .set = set, .n = n, .a = a};
    if ((rc = db_write(db, apply_txn, &j, err)))
        return rc;
    return import_source_get(db, u, ins.id, now, a, out, err);
}

struct delete_job {
    int64_t id;
};

static int delete_txn(struct db *db, void *ctx, struct ls_err *err)
{
    struct delete_job *j = ctx;
    struct db_stmt *st = db_stmt(db, SQL_SOURCE_BLACKOUTS_DELETE);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    db_bind_named_int64(st, ":id", j->id);
    int rc = db_step_done(db, st, err);
    if (rc)
        return rc;
    st = db_stmt(db, SQL_SOURCE_DELETE);
    db_bind_named_int64(st, ":id", j->id);
    rc = db_step_done(db, st, err);
    if (!rc && db_changes(db) == 0)
        rc = ls_err_set(err, LS_ENOTFOUND, NULL, "no such calendar");
    return rc;
}

int import_source_delete(struct db *db, const struct user *u, int64_t id, struct ls_err *err)
{
    struct arena a = {0};
    struct source_row r;
    int rc = source_load(db, id, &a, &r, err);
    if (!rc && !authz_manages_org(u, r.org))
        rc = ls_err_set(err, LS_EFORBIDDEN, NULL,
                        "only the resource's owners and staff may manage its calendars");
    arena_release(&a);
    if (rc)
        return rc;
    struct delete_job j = {id};
    return db_write(db, delete_txn, &j, err);
}

int import_source_refresh(struct db *db, const struct user *u, int64_t id, int64_t now,
                          struct arena *a, struct import_source *out, struct ls_err *err)
{
    struct source_row r;
    int rc = source_load(db, id, a, &r, err);
    if (!rc && !authz_manages_org(u, r.org))
        rc = ls_err_set(err, LS_EFORBIDDEN, NULL,
                        "only the resource's owners and staff may manage its calendars");
    if (!rc && strcmp(r.s.kind, "url") != 0)
        rc = ls_err_set(err, LS_EVALIDATION, "id",
                        "an uploaded calendar cannot be fetched; upload the file again");
    if (!rc)
        rc = refresh(db, &r, now, a, err);
    if (!rc)
        rc = import_source_get(db, u, id, now, a, out, err);
    return rc;
}

struct claim_job {
    int64_t id, now, lease;
    int got;
};

static int claim_txn(struct db *db, void *ctx, struct ls_err *err)
{
    struct claim_job *j = ctx;
    struct db_stmt *st = db_stmt(db, SQL_CLAIM);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    db_bind_named_int64(st, ":id", j->id);
    db_bind_named_int64(st, ":now", j->now);
    db_bind_named_int64(st, ":lease", j->lease);
    int rc = db_step_done(db, st, err);
    j->got = !rc && db_changes(db) == 1;
    return rc;
}

int import_refresh_due(struct db *db, int64_t now, int *done, struct ls_err *err)
{
    if (done)
        *done = 0;
    int64_t ids[20];
    int n = 0, rc;
    struct db_stmt *st = db_stmt(db, SQL_DUE);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    db_bind_named_int64(st, ":now", now);
    while ((rc = db_step(st)) == DB_ROW && n < 20)
        ids[n++] = db_column_int64(st, 0);
    db_reset(st);
    if (rc != DB_DONE && rc != DB_ROW)
        return db_fail(db, rc, err);
    for (int i = 0; i < n; i++) {
        /* The lease outlasts one fetch; the refresh sets the real next time. */
        struct claim_job c = {ids[i], now, now + 4 * IMPORT_TIMEOUT_S, 0};
        if ((rc = db_write(db, claim_txn, &c, err)))
            return rc;
        if (!c.got)
            continue;
        struct arena a = {0};
        struct source_row r;
        rc = source_load(db, ids[i], &a, &r, err);
        if (!rc)
            rc = refresh(db, &r, now, &a, err);
        arena_release(&a);
        if (rc == LS_ENOTFOUND)
            rc = LS_OK; /* deleted meanwhile */
        if (rc)
            return rc;
        if (done)
            (*done)++;
    }
    return LS_OK;
}

/* ------------------------------------------------------------------ */
/* The refresher thread                                                 */

static struct {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int running, stop;
} refresher = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static void *refresher_main(void *arg)
{
    (void)arg;
    struct db *db = db_thread();
    /* Looks often enough that a source is fetched within a few seconds of
     * falling due, rarely enough to cost nothing. */
    int tick = settings.refresh_s < 10 ? settings.refresh_s : 10;
    pthread_mutex_lock(&refresher.mu);
    while (!refresher.stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += tick;
        while (!refresher.stop && pthread_cond_timedwait(&refresher.cv, &refresher.mu, &ts) == 0)
            ;
        if (refresher.stop)
            break;
        pthread_mutex_unlock(&refresher.mu);
        struct ls_err err = {0};
        int done = 0;
        if (db && import_refresh_due(db, tu_now(), &done, &err))
            fprintf(stderr, "labshare: calendar import: %s\n", err.message);
        pthread_mutex_lock(&refresher.mu);
    }
    pthread_mutex_unlock(&refresher.mu);
    db_thread_close();
    return NULL;
}

int import_refresher_start(void)
{
    refresher.stop = 0;
    if (pthread_create(&refresher.thread, NULL, refresher_main, NULL) != 0)
        return 1;
    refresher.running = 1;
    return 0;
}

void import_refresher_stop(void)
{
    if (!refresher.running)
        return;
    pthread_mutex_lock(&refresher.mu);
    refresher.stop = 1;
    pthread_cond_signal(&refresher.cv);
    pthread_mutex_unlock(&refresher.mu);
    pthread_join(refresher.thread, NULL);
    refresher.running = 0;
}
