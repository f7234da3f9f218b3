/* timeutil.c — see timeutil.h.
 *
 * Local → UTC conversion does not trust mktime(): glibc silently moves a
 * time that DST skips. Instead every candidate offset in force around that
 * date is tried and the results that map back to the same wall clock are
 * counted: none = skipped, two = repeated. */
#include "timeutil.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char zone_name[64] = "UTC";

int tu_init(const char *zone)
{
    char path[256];
    if (!zone || !*zone || strlen(zone) >= sizeof zone_name || strstr(zone, ".."))
        return -1;
    if (strcmp(zone, "UTC") != 0) {
        snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", zone);
        if (access(path, R_OK) != 0)
            return -1;
    }
    snprintf(zone_name, sizeof zone_name, "%s", zone);
    setenv("TZ", zone, 1);
    tzset();
    return 0;
}

const char *tu_zone(void)
{
    return zone_name;
}

int64_t tu_days_from_civil(int y, int m, int d)
{
    /* Howard Hinnant's days_from_civil. */
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void tu_civil_from_days(int64_t z, int *year, int *month, int *day)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    const int d = (int)(doy - (153 * mp + 2) / 5 + 1);
    const int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *year = (int)(yoe + era * 400 + (m <= 2));
    *month = m;
    *day = d;
}

int tu_weekday(int year, int month, int day)
{
    int64_t days = tu_days_from_civil(year, month, day);
    /* 1970-01-01 was a Thursday (ISO 4). */
    int w = (int)(((days % 7) + 7 + 3) % 7); /* 0 = Monday */
    return w + 1;
}

static int64_t civil_seconds(int y, int mo, int d, int h, int mi, int s)
{
    return tu_days_from_civil(y, mo, d) * 86400 + (int64_t)h * 3600 + mi * 60 + s;
}

void tu_to_local(int64_t t, struct tu_local *out)
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    out->year = tm.tm_year + 1900;
    out->month = tm.tm_mon + 1;
    out->day = tm.tm_mday;
    out->hour = tm.tm_hour;
    out->minute = tm.tm_min;
    out->second = tm.tm_sec;
    out->weekday = tm.tm_wday == 0 ? 7 : tm.tm_wday;
    out->utc_offset = (int)tm.tm_gmtoff;
}

static int offset_at(int64_t t)
{
    struct tu_local l;
    tu_to_local(t, &l);
    return l.utc_offset;
}

enum tu_status tu_from_local(int year, int month, int day, int hour, int minute, int second,
                             int earlier, int64_t *out)
{
    if (month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 24 || minute < 0 ||
        minute > 59 || second < 0 || second > 60)
        return TU_EFORMAT;
    int64_t wall = civil_seconds(year, month, day, hour, minute, second);
    /* Offsets in force half a day either side cover any single transition. */
    int offs[2] = {offset_at(wall - 43200), offset_at(wall + 43200)};
    int64_t found[2];
    int n = 0;
    for (int i = 0; i < 2; i++) {
        if (i == 1 && offs[1] == offs[0])
            break;
        int64_t t = wall - offs[i];
        struct tu_local l;
        tu_to_local(t, &l);
        if (civil_seconds(l.year, l.month, l.day, l.hour, l.minute, l.second) == wall)
            found[n++] = t;
    }
    if (n == 0)
        return TU_ENONEXISTENT;
    if (n == 2 && found[0] != found[1]) {
        if (!earlier)
            return TU_EAMBIGUOUS;
        *out = found[0] < found[1] ? found[0] : found[1];
        return TU_OK;
    }
    *out = found[0];
    return TU_OK;
}

int64_t tu_local_midnight(int year, int month, int day)
{
    /* Normalise the date first so callers may pass day + n. */
    int64_t days = tu_days_from_civil(year, month, 1) + (day - 1);
    tu_civil_from_days(days, &year, &month, &day);
    int64_t t;
    for (int minute = 0; minute < 180; minute += 30)
        if (tu_from_local(year, month, day, minute / 60, minute % 60, 0, 1, &t) == TU_OK)
            return t;
    return days * 86400; /* unreachable for real zones */
}

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

/* Every accepted instant must print back as RFC 3339 with a four-digit year,
 * in UTC (tu_format_utc) and in site time (tu_format_local): an offset can
 * push 1970-01-01T00:30+01:00 before the epoch, 9999-12-31T23:30-05:00 into
 * year 10000, and 9999-12-31T23:30Z is in year 10000 in Warsaw (all found
 * by fuzzing). */
static enum tu_status in_range(int64_t t, int64_t *out)
{
    if (t < 0 || t > TU_MAX)
        return TU_EFORMAT;
    struct tu_local l;
    tu_to_local(t, &l);
    if (l.year < 1970 || l.year > 9999)
        return TU_EFORMAT;
    *out = t;
    return TU_OK;
}

int tu_days_in_month(int year, int month)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12)
        return 0;
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return mdays[month - 1] + (month == 2 && leap);
}

enum tu_status tu_parse(const char *s, int64_t *out)
{
    int y, mo, d, h, mi, sec = 0;
    if (!s || strlen(s) < 16 || strlen(s) > 40)
        return TU_EFORMAT;
    if (digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) || s[7] != '-' ||
        digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
        digits(s + 11, 2, &h) || s[13] != ':' || digits(s + 14, 2, &mi))
        return TU_EFORMAT;
    const char *p = s + 16;
    if (*p == ':') {
        if (digits(p + 1, 2, &sec))
            return TU_EFORMAT;
        p += 3;
        if (*p == '.') {
            p++;
            if (!isdigit((unsigned char)*p))
                return TU_EFORMAT;
            while (isdigit((unsigned char)*p))
                p++;
        }
    }
    if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59)
        return TU_EFORMAT;
    if (d > tu_days_in_month(y, mo))
        return TU_EFORMAT;
    int64_t t;
    if (*p == '\0') {
        enum tu_status st = tu_from_local(y, mo, d, h, mi, sec, 0, &t);
        if (st != TU_OK)
            return st;
        return in_range(t, out);
    }
    int off = 0;
    if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
        off = 0;
    } else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
        int oh, om;
        if (digits(p + 1, 2, &oh) || digits(p + 4, 2, &om) || oh > 23 || om > 59)
            return TU_EFORMAT;
        off = (oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
    } else {
        return TU_EFORMAT;
    }
    return in_range(civil_seconds(y, mo, d, h, mi, sec) - off, out);
}

void tu_format_utc(int64_t t, char out[TU_UTC_LEN])
{
    int y, mo, d;
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t rem = t - days * 86400;
    tu_civil_from_days(days, &y, &mo, &d);
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%04d-%02d-%02dT%02d:%02d:%02dZ", y % 10000, mo, d, (int)(rem / 3600),
             (int)(rem / 60 % 60), (int)(rem % 60));
    memcpy(out, tmp, TU_UTC_LEN - 1);
    out[TU_UTC_LEN - 1] = '\0';
}

void tu_format_local(int64_t t, char out[TU_LOCAL_LEN])
{
    struct tu_local l;
    tu_to_local(t, &l);
    int off = l.utc_offset < 0 ? -l.utc_offset : l.utc_offset;
    char tmp[80];
    snprintf(tmp, sizeof tmp, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", l.year % 10000, l.month,
             l.day, l.hour, l.minute, l.second, l.utc_offset < 0 ? '-' : '+', (off / 3600) % 100,
             off / 60 % 60);
    memcpy(out, tmp, TU_LOCAL_LEN - 1);
    out[TU_LOCAL_LEN - 1] = '\0';
}

int64_t tu_now(void)
{
    return (int64_t)time(NULL);
}

int64_t tu_monotonic_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}
