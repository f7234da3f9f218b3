/* hours.c — see hours.h. */
#include "hours.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timeutil.h"

struct hours_day {
    int64_t midnight;      /* UTC instant of local 00:00 */
    int64_t next_midnight; /* UTC instant of the next local 00:00 */
    int weekday;
    int regular; /* 1 = no offset change this day: minute m is midnight + 60 m */
    int y, m, d;
};

struct hours_calendar {
    int64_t from, to;
    int ndays;
    struct hours_day day[];
};

void hours_default(struct hours_week *out)
{
    memset(out, 0, sizeof *out);
    for (int d = 1; d <= 5; d++)
        out->w[out->n++] = (struct hours_window){d, 8 * 60, 18 * 60};
}

int hours_parse_hhmm(const char *s, int allow_24, int *minutes)
{
    if (!s || strlen(s) != 5 || s[2] != ':')
        return -1;
    for (int i = 0; i < 5; i++)
        if (i != 2 && (s[i] < '0' || s[i] > '9'))
            return -1;
    int h = (s[0] - '0') * 10 + (s[1] - '0');
    int m = (s[3] - '0') * 10 + (s[4] - '0');
    if (m > 59 || h > 24 || (h == 24 && (m != 0 || !allow_24)))
        return -1;
    *minutes = h * 60 + m;
    return 0;
}

void hours_format_hhmm(int minutes, char out[6])
{
    if (minutes < 0)
        minutes = 0;
    if (minutes > 1440)
        minutes = 1440;
    out[0] = (char)('0' + minutes / 600);
    out[1] = (char)('0' + minutes / 60 % 10);
    out[2] = ':';
    out[3] = (char)('0' + minutes % 60 / 10);
    out[4] = (char)('0' + minutes % 10);
    out[5] = '\0';
}

static int cmp_window(const void *a, const void *b)
{
    const struct hours_window *x = a, *y = b;
    if (x->weekday != y->weekday)
        return x->weekday - y->weekday;
    return x->open_min - y->open_min;
}

int hours_normalise(struct hours_week *wk, struct ls_err *err)
{
    if (wk->n < 0 || wk->n > HOURS_MAX_WINDOWS)
        return ls_err_set(err, LS_EVALIDATION, "opening_hours",
                          "{field}: at most %d windows a week", HOURS_MAX_WINDOWS);
    for (int i = 0; i < wk->n; i++) {
        const struct hours_window *w = &wk->w[i];
        if (w->weekday < 1 || w->weekday > 7)
            return ls_err_set(err, LS_EVALIDATION, "opening_hours",
                              "{field}: the weekday must be 1 (Monday) to 7 (Sunday)");
        if (w->open_min < 0 || w->open_min > 1439 || w->close_min > 1440 ||
            w->close_min <= w->open_min)
            return ls_err_set(err, LS_EVALIDATION, "opening_hours",
                              "{field}: on weekday %d a window must close after it opens",
                              w->weekday);
    }
    qsort(wk->w, (size_t)wk->n, sizeof wk->w[0], cmp_window);
    for (int i = 1; i < wk->n; i++)
        if (wk->w[i].weekday == wk->w[i - 1].weekday && wk->w[i].open_min < wk->w[i - 1].close_min)
            return ls_err_set(err, LS_EVALIDATION, "opening_hours",
                              "{field}: on weekday %d two windows overlap", wk->w[i].weekday);
    return LS_OK;
}

struct hours_calendar *hours_calendar_new(int64_t from, int64_t to)
{
    if (to < from)
        to = from;
    struct tu_local a, b;
    tu_to_local(from, &a);
    tu_to_local(to, &b);
    /* One day of margin before: a span open across midnight starts the day before. */
    int64_t d0 = tu_days_from_civil(a.year, a.month, a.day) - 1;
    int64_t d1 = tu_days_from_civil(b.year, b.month, b.day);
    int ndays = (int)(d1 - d0 + 1);
    struct hours_calendar *cal = malloc(sizeof *cal + (size_t)ndays * sizeof cal->day[0]);
    if (!cal)
        abort();
    cal->from = from;
    cal->to = to;
    cal->ndays = ndays;
    int y, m, d;
    tu_civil_from_days(d0, &y, &m, &d);
    int64_t mid = tu_local_midnight(y, m, d);
    for (int i = 0; i < ndays; i++) {
        struct hours_day *day = &cal->day[i];
        tu_civil_from_days(d0 + i, &day->y, &day->m, &day->d);
        day->midnight = mid;
        day->next_midnight = tu_local_midnight(day->y, day->m, day->d + 1);
        day->weekday = tu_weekday(day->y, day->m, day->d);
        day->regular = day->next_midnight - day->midnight == 86400;
        if (day->regular) {
            /* A whole day of 24 h can still hide a change (none in real zones). */
            struct tu_local l0, l1;
            tu_to_local(day->midnight, &l0);
            tu_to_local(day->next_midnight - 1, &l1);
            day->regular = l0.utc_offset == l1.utc_offset;
        }
        mid = day->next_midnight;
    }
    return cal;
}

void hours_calendar_free(struct hours_calendar *cal)
{
    free(cal);
}

/* Local wall-clock minute of a day → instant. A minute skipped by DST maps
 * as if the old offset still held (02:30 in the March gap is 03:30 CEST), so
 * a window across the gap simply loses the hour. A repeated minute takes
 * its first occurrence. */
static int64_t minute_to_utc(const struct hours_day *day, int minute)
{
    if (minute >= 1440)
        return day->next_midnight;
    if (day->regular)
        return day->midnight + (int64_t)minute * 60;
    int64_t t;
    if (tu_from_local(day->y, day->m, day->d, minute / 60, minute % 60, 0, 1, &t) == TU_OK)
        return t;
    struct tu_local before;
    tu_to_local(day->midnight, &before);
    return tu_days_from_civil(day->y, day->m, day->d) * 86400 + (int64_t)minute * 60 -
           before.utc_offset;
}

int64_t hours_layout(const struct hours_calendar *cal, const struct hours_week *wk,
                     hours_span_fn fn, void *ctx)
{
    /* Index windows by weekday once. */
    int first[8] = {0}, count[8] = {0};
    for (int i = wk->n - 1; i >= 0; i--) {
        int wd = wk->w[i].weekday;
        if (wd < 1 || wd > 7)
            continue;
        first[wd] = i;
        count[wd]++;
    }
    int64_t total = 0, cur_s = 0, cur_e = 0;
    int open = 0;
    for (int i = 0; i < cal->ndays; i++) {
        const struct hours_day *day = &cal->day[i];
        if (day->midnight >= cal->to)
            break;
        for (int k = 0; k < count[day->weekday]; k++) {
            const struct hours_window *w = &wk->w[first[day->weekday] + k];
            int64_t s = minute_to_utc(day, w->open_min);
            int64_t e = minute_to_utc(day, w->close_min);
            if (s < cal->from)
                s = cal->from;
            if (e > cal->to)
                e = cal->to;
            if (e <= s)
                continue;
            if (open && s <= cur_e) {
                if (e > cur_e)
                    cur_e = e;
                continue;
            }
            if (open) {
                total += cur_e - cur_s;
                if (fn)
                    fn(cur_s, cur_e, ctx);
            }
            cur_s = s;
            cur_e = e;
            open = 1;
        }
    }
    if (open) {
        total += cur_e - cur_s;
        if (fn)
            fn(cur_s, cur_e, ctx);
    }
    return total;
}

int64_t hours_layout_span(const struct hours_week *wk, int64_t from, int64_t to, hours_span_fn fn,
                          void *ctx)
{
    struct hours_calendar *cal = hours_calendar_new(from, to);
    int64_t total = hours_layout(cal, wk, fn, ctx);
    hours_calendar_free(cal);
    return total;
}

struct fit_ctx {
    int64_t start, end;
    int inside;
};

static void fit_span(int64_t s, int64_t e, void *p)
{
    struct fit_ctx *f = p;
    if (s <= f->start && f->end <= e)
        f->inside = 1;
}

/* Whether t lies on the slot grid of some window occurrence that contains
 * it (or closes at it, when allow_close). */
static int on_grid(const struct hours_week *wk, int64_t t, int slot, int allow_close)
{
    struct tu_local l;
    tu_to_local(t, &l);
    for (int back = 0; back <= 1; back++) {
        int64_t days = tu_days_from_civil(l.year, l.month, l.day) - back;
        int y, m, d;
        tu_civil_from_days(days, &y, &m, &d);
        struct hours_day day = {0};
        day.y = y;
        day.m = m;
        day.d = d;
        day.midnight = tu_local_midnight(y, m, d);
        day.next_midnight = tu_local_midnight(y, m, d + 1);
        day.weekday = tu_weekday(y, m, d);
        day.regular = 0;
        for (int i = 0; i < wk->n; i++) {
            const struct hours_window *w = &wk->w[i];
            if (w->weekday != day.weekday)
                continue;
            int64_t s = minute_to_utc(&day, w->open_min);
            int64_t e = minute_to_utc(&day, w->close_min);
            if (t < s || t > e)
                continue;
            if (t == e && allow_close)
                return 1;
            if (t < e || (t == e && !allow_close)) {
                if ((t - s) % ((int64_t)slot * 60) == 0)
                    return 1;
            }
        }
    }
    return 0;
}

enum hours_fit hours_fit(const struct hours_week *wk, int64_t start, int64_t end, int slot_minutes)
{
    if (end <= start)
        return HOURS_OUTSIDE;
    struct fit_ctx f = {start, end, 0};
    /* Laying out just [start, end) answers the question: the open span that
     * holds the booking, clipped to it, is then the whole of it, and any
     * gap inside splits it in two. No margin is needed, and the tz work is
     * the booking's two or three days instead of a fortnight of them. */
    hours_layout_span(wk, start, end, fit_span, &f);
    if (!f.inside)
        return HOURS_OUTSIDE;
    if (slot_minutes < 1)
        slot_minutes = 1;
    if (!on_grid(wk, start, slot_minutes, 0) || !on_grid(wk, end, slot_minutes, 1))
        return HOURS_OFF_GRID;
    return HOURS_FITS;
}
