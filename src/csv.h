/* csv.h — the one CSV writer: every CSV labshare writes (HTTP and command
 * line) goes through it, so every file gets the same quoting, the same
 * formula neutralisation and the same locale rules.
 *
 * Two dialects (../shared/API.md § Limits on what one request may cost):
 * - CSV_RFC4180 (the default): ',' between fields, '.' as the decimal point;
 * - CSV_PL (`locale=pl`, for Polish Excel): ';' between fields, ',' as the
 *   decimal point.
 * Both are UTF-8 with a byte-order mark (Excel then reads Polish letters
 * right), CRLF line ends, fields quoted when they hold the separator, a
 * quote or a line break, quotes doubled.
 *
 * Formula injection: a text cell that starts with '=', '+', '-', '@', tab
 * or carriage return would be run as a formula by Excel or LibreOffice
 * (=HYPERLINK(…), +cmd|…). csv_text() writes such a cell with a leading
 * apostrophe, which both show as text. Numbers go through csv_num() and are
 * never altered ("-3.5" stays a number). */
#ifndef LS_CSV_H
#define LS_CSV_H

#include <stddef.h>

enum csv_locale {
    CSV_RFC4180 = 0, /* ',' and '.' */
    CSV_PL = 1,      /* ';' and ',' */
};

/* A CSV text being written. Zero-initialise, then csv_begin(). */
struct csv {
    char *s; /* malloc'd, NUL-terminated */
    size_t n, cap;
    enum csv_locale locale;
};

/* "pl" → CSV_PL, "en" → CSV_RFC4180; -1 for anything else. */
int csv_locale_parse(const char *s, enum csv_locale *out);

/* Starts a file in `locale` (writes the byte-order mark). */
void csv_begin(struct csv *c, enum csv_locale locale);
/* One text cell (NULL is ""), neutralised and quoted as needed, followed by
 * the separator, or by CRLF when last. */
void csv_text(struct csv *c, const char *s, int last);
/* One number: the shortest form that reads back to the same double (as
 * cJSON prints it), with the locale's decimal mark. */
void csv_num(struct csv *c, double v, int last);
/* The finished text; the caller owns it (free). *len is its length. */
char *csv_end(struct csv *c, size_t *len);

/* 1 if a text cell starting like s would be neutralised (tests, callers
 * that check their own output). */
int csv_needs_neutralising(const char *s);

#endif
