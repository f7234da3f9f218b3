/* timeutil.h — instants, RFC 3339 and the site's local time.
 *
 * labshare stores every instant as int64 seconds since the Unix epoch (UTC)
 * and speaks RFC 3339 on the wire. Local rules (opening hours, days, year
 * boundaries) are evaluated in the site's zone, Europe/Warsaw by default,
 * through the C library's tz database: tu_init() sets TZ once at start-up,
 * before any thread exists, after which localtime_r() is thread-safe. */
#ifndef LS_TIMEUTIL_H
#define LS_TIMEUTIL_H

#include <stdint.h>

#define TU_UTC_LEN 21   /* "2026-03-29T07:00:00Z" + NUL */
#define TU_LOCAL_LEN 26 /* "2026-03-29T09:00:00+02:00" + NUL */

enum tu_status {
    TU_OK = 0,
    TU_EFORMAT = -1,      /* not RFC 3339 (or out of range) */
    TU_ENONEXISTENT = -2, /* local time skipped by a DST change */
    TU_EAMBIGUOUS = -3,   /* local time repeated by a DST change, no offset */
};

struct tu_local {
    int year, month, day; /* month 1-12, day 1-31 */
    int hour, minute, second;
    int weekday;    /* ISO: Monday = 1 … Sunday = 7 */
    int utc_offset; /* seconds east of UTC at that instant */
};

/* Selects the site zone (an IANA name). Returns 0, or -1 if the tz database
 * has no such zone. Call once, before threads start. */
int tu_init(const char *zone);
const char *tu_zone(void); /* the IANA name in force */

#define TU_MAX INT64_C(253402300799) /* 9999-12-31T23:59:59Z, the last printable instant */

/* Parses "YYYY-MM-DDTHH:MM[:SS[.frac]](Z|±HH:MM)". Without an offset the time
 * is read as site-local: a time skipped by DST is TU_ENONEXISTENT, one that
 * happens twice is TU_EAMBIGUOUS. Fractions are truncated. Instants that do
 * not fall in years 1970-9999 both in UTC and in site time are TU_EFORMAT
 * (so whatever is accepted prints back in either form). */
enum tu_status tu_parse(const char *s, int64_t *out);

/* Local wall-clock fields → instant. Same statuses as tu_parse. With
 * earlier != 0 an ambiguous time resolves to its first occurrence instead of
 * failing (used when laying out opening hours). */
enum tu_status tu_from_local(int year, int month, int day, int hour, int minute, int second,
                             int earlier, int64_t *out);

void tu_to_local(int64_t t, struct tu_local *out);
void tu_format_utc(int64_t t, char out[TU_UTC_LEN]);
void tu_format_local(int64_t t, char out[TU_LOCAL_LEN]);

/* Local midnight starting the given civil date (dates are normalised, so
 * day 32 is the 1st of the next month). Midnight exists on every date in the
 * zones labshare targets; if not, the first instant of that date is used. */
int64_t tu_local_midnight(int year, int month, int day);

/* Days in a month of the proleptic Gregorian calendar (0 for a month
 * outside 1-12): a date is real when its day is 1 to this. */
int tu_days_in_month(int year, int month);

/* ISO weekday (Mon = 1) of a civil date, zone-independent. */
int tu_weekday(int year, int month, int day);

/* Days since 1970-01-01 of a civil date, and back (proleptic Gregorian). */
int64_t tu_days_from_civil(int year, int month, int day);
void tu_civil_from_days(int64_t days, int *year, int *month, int *day);

int64_t tu_now(void); /* seconds, UTC */
/* Milliseconds of a clock no one sets (deadlines, ages of kept things). */
int64_t tu_monotonic_ms(void);

#endif
