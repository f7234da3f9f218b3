/* hours.h — weekly opening hours in site-local time, laid out as UTC spans.
 *
 * A resource's week is a list of windows (ISO weekday, open, close in
 * minutes after local midnight, close 1440 = "24:00"). Booking checks and
 * utilisation both need those windows as real instants across DST changes:
 * a window spanning 02:00–03:00 loses an hour on the last Sunday of March
 * and gains one on the last Sunday of October. Windows that touch (Monday
 * 00:00–24:00 then Tuesday 00:00–24:00) lay out as one continuous span, so a
 * 24/7 resource can be booked across midnight.
 *
 * Pure computation on the tz database: no SQL (see catalogue.h for storage). */
#ifndef LS_HOURS_H
#define LS_HOURS_H

#include <stdint.h>

#include "err.h"

#define HOURS_MAX_WINDOWS 28 /* up to four windows a day */

struct hours_window {
    int weekday;   /* ISO: Monday = 1 … Sunday = 7 */
    int open_min;  /* 0..1439 */
    int close_min; /* open_min+1 .. 1440 */
};

struct hours_week {
    int n;
    struct hours_window w[HOURS_MAX_WINDOWS];
};

/* The API default: Monday to Friday 08:00–18:00. */
void hours_default(struct hours_week *out);

/* "HH:MM" → minutes. "24:00" only when allow_24. Returns 0 or -1. */
int hours_parse_hhmm(const char *s, int allow_24, int *minutes);
void hours_format_hhmm(int minutes, char out[6]);

/* Sorts the windows (weekday, open) and checks ranges and overlaps; on error
 * 422 with field "opening_hours" and a message naming the window (index in
 * the caller's original order is not kept, so name the weekday and time). */
int hours_normalise(struct hours_week *wk, struct ls_err *err);

/* A precomputed run of local dates covering [from, to), shared by every
 * resource laid out over the same span (utilisation reports lay out
 * thousands of resources over a year: the tz work is done once per day, not
 * once per window). Owned by the caller: hours_calendar_free(). */
struct hours_calendar;
struct hours_calendar *hours_calendar_new(int64_t from, int64_t to);
void hours_calendar_free(struct hours_calendar *cal);

/* Calls fn(start, end, ctx) for each maximal open span of wk within the
 * calendar's [from, to), clipped, in increasing order, adjacent windows
 * merged. Returns the total seconds laid out. fn may be NULL. */
typedef void (*hours_span_fn)(int64_t start, int64_t end, void *ctx);
int64_t hours_layout(const struct hours_calendar *cal, const struct hours_week *wk,
                     hours_span_fn fn, void *ctx);

/* Convenience for one-off spans: builds and frees a calendar. */
int64_t hours_layout_span(const struct hours_week *wk, int64_t from, int64_t to, hours_span_fn fn,
                          void *ctx);

enum hours_fit {
    HOURS_FITS = 0,
    HOURS_OUTSIDE = 1, /* not wholly inside one continuous open span */
    HOURS_OFF_GRID = 2 /* inside, but start or end is not on the slot grid */
};

/* Whether [start, end) lies inside one continuous open span, with start and
 * end on the slot grid. The grid starts at the opening time of each day's
 * window; the end may also be the window's closing time. */
enum hours_fit hours_fit(const struct hours_week *wk, int64_t start, int64_t end, int slot_minutes);

#endif
