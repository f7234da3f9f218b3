/* csv.c — see csv.h. */
#include "csv.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put(struct csv *c, const char *s, size_t len)
{
    if (c->n + len + 1 > c->cap) {
        while (c->n + len + 1 > c->cap)
            c->cap = c->cap ? c->cap * 2 : 4096;
        c->s = realloc(c->s, c->cap);
        if (!c->s)
            abort();
    }
    memcpy(c->s + c->n, s, len);
    c->n += len;
    c->s[c->n] = '\0';
}

static char separator(const struct csv *c)
{
    return c->locale == CSV_PL ? ';' : ',';
}

int csv_locale_parse(const char *s, enum csv_locale *out)
{
    if (s && strcmp(s, "pl") == 0)
        *out = CSV_PL;
    else if (s && strcmp(s, "en") == 0)
        *out = CSV_RFC4180;
    else
        return -1;
    return 0;
}

void csv_begin(struct csv *c, enum csv_locale locale)
{
    c->locale = locale;
    put(c, "\xEF\xBB\xBF", 3);
}

int csv_needs_neutralising(const char *s)
{
    return s && *s && strchr("=+-@\t\r", *s) != NULL;
}

static void end_cell(struct csv *c, int last)
{
    if (last) {
        put(c, "\r\n", 2);
    } else {
        char sep = separator(c);
        put(c, &sep, 1);
    }
}

void csv_text(struct csv *c, const char *s, int last)
{
    if (!s)
        s = "";
    char specials[] = {separator(c), '"', '\r', '\n', '\0'};
    int quote = strpbrk(s, specials) != NULL;
    if (quote)
        put(c, "\"", 1);
    if (csv_needs_neutralising(s))
        put(c, "'", 1);
    for (const char *p = s; *p;) {
        size_t run = strcspn(p, "\"");
        put(c, p, run);
        p += run;
        if (*p == '"') {
            put(c, "\"\"", 2); /* quotes doubled */
            p++;
        }
    }
    if (quote)
        put(c, "\"", 1);
    end_cell(c, last);
}

void csv_num(struct csv *c, double v, int last)
{
    char tmp[32];
    if (v == (double)(long long)v && fabs(v) < 1e15) {
        snprintf(tmp, sizeof tmp, "%lld", (long long)v);
    } else {
        snprintf(tmp, sizeof tmp, "%1.15g", v);
        if (strtod(tmp, NULL) != v)
            snprintf(tmp, sizeof tmp, "%1.17g", v);
    }
    if (c->locale == CSV_PL) {
        char *dot = strchr(tmp, '.');
        if (dot)
            *dot = ',';
    }
    /* Written as is: a number is never a formula, and its digits, sign and
     * decimal mark never need quoting in either dialect. */
    put(c, tmp, strlen(tmp));
    end_cell(c, last);
}

char *csv_end(struct csv *c, size_t *len)
{
    if (!c->s)
        put(c, "", 0);
    *len = c->n;
    char *s = c->s;
    memset(c, 0, sizeof *c);
    return s;
}
