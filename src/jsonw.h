/* jsonw.h — JSON answers written as text straight into the request's arena.
 *
 * For long answers (a page of 500 bookings) building a cJSON tree — a
 * malloc per member and per string, then printing and freeing it — cost
 * more than the query (issue 20, perf: malloc, free and printf at the
 * top). The writer appends to one arena buffer instead. Its text is byte
 * for byte what cJSON_PrintUnformatted() prints for the same values
 * (tests/test_jsonw.c compares the two), so an answer does not change with
 * the way it was built — but for integers of 10^15 and more, which cJSON
 * rounds to 15 digits and the writer prints whole.
 *
 * Members are written in call order; `key` is the member's name inside an
 * object and NULL for array elements. Keys are literals of the code and are
 * written as they are (no escaping): they must not hold `"`, `\` or control
 * characters. String values are escaped as cJSON escapes them. */
#ifndef LS_JSONW_H
#define LS_JSONW_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arena.h"

#define JW_MAX_DEPTH 16
#define JW_POOL_MIN ((size_t)16 << 10) /* smaller texts are written into the arena */
#define JW_POOL_SIZE 4                 /* buffers kept for large texts */
#define JW_POOL_KEEP ((size_t)1 << 20) /* larger buffers are freed, not kept */

struct jw_lent;

struct jw {
    struct arena *a;
    char *buf; /* the text so far, NUL-terminated; see jw_init for its owner */
    size_t len, cap;
    struct jw_lent *lent; /* the pooled buffer in use, or NULL (arena) */
    int depth;
    unsigned char first[JW_MAX_DEPTH]; /* nothing written yet at this depth */
    char close[JW_MAX_DEPTH];          /* '}' or ']' that ends this depth */
    struct jw_date {                   /* dates written lately, by day % 4 */
        int64_t day;                   /* days since 1970 + 1; 0 = none */
        char text[12];                 /* "YYYY-MM-DDT" */
    } dates[4];
};

/* Starts an empty text; size_hint bytes are reserved at once (the buffer
 * grows by doubling after that). A text expected to be large (size_hint of
 * JW_POOL_MIN or more) is written into a buffer lent from a small pool and
 * given back when the arena is released; smaller ones live in the arena.
 * Either way w->buf stays valid until arena_release(a). Large buffers are
 * pooled because a fresh one per request — mapped, faulted in page by page,
 * unmapped or trimmed after — cost more than writing the text (a week of
 * 400 bookings, 170 KB: 600 → 1,900 req/s). */
void jw_init(struct jw *w, struct arena *a, size_t size_hint);

void jw_object(struct jw *w, const char *key); /* '{' … jw_end() */
void jw_array(struct jw *w, const char *key);  /* '[' … jw_end() */
void jw_end(struct jw *w);                     /* closes the innermost object or array */

void jw_int(struct jw *w, const char *key, int64_t v);
void jw_bool(struct jw *w, const char *key, int v);
void jw_null(struct jw *w, const char *key);
void jw_string(struct jw *w, const char *key, const char *s); /* NULL → null */
void jw_time(struct jw *w, const char *key, int64_t t);       /* RFC 3339 UTC "…Z" */
void jw_num(struct jw *w, const char *key, double v);         /* NaN, ±inf → null */

/* Low level, for many objects of one shape (a page of bookings): no
 * per-member bookkeeping. jw_value() writes the separator and "key": (key
 * NULL: none, as for an array element or members written raw into an open
 * object), reserves n bytes for what follows and returns where it goes; the
 * jw_put_* helpers write there and return the end; jw_done() ends the text
 * at that end. Keys written raw must be literals as above. */
char *jw_value(struct jw *w, const char *key, size_t n);
void jw_done(struct jw *w, char *end);
#define JW_INT_MAX 20                      /* bytes jw_put_int may write */
#define JW_TIME_MAX 22                     /* bytes jw_put_time may write */
#define JW_STRING_MAX(len) (6 * (len) + 2) /* bytes jw_put_string may write */
#define JW_NUM_MAX 32                      /* bytes jw_put_num may write */
char *jw_put_int(char *p, int64_t v);
char *jw_put_num(char *p, double v); /* as cJSON prints a number; NaN, ±inf → null */
char *jw_put_time(struct jw *w, char *p, int64_t t); /* quoted RFC 3339 UTC */
char *jw_put_string(char *p, const char *s);         /* quoted and escaped */
/* Copies n bytes of s to p; returns the end. */
static inline char *jw_put_raw(char *p, const char *s, size_t n)
{
    memcpy(p, s, n);
    return p + n;
}
/* Copies a string literal: p = JW_PUT(p, ",\"id\":") (p evaluated once). */
#define JW_PUT(p, lit) jw_put_raw((p), (lit), sizeof(lit) - 1)

#endif
