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
void jw_time_or_null(struct jw *w, const char *key, int64_t t, int is_null);
void jw_id_or_null(struct jw *w, const char *key, int64_t id); /* ≤ 0 → null */

#endif
