/* jsonw.c — see jsonw.h. */
#include "jsonw.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timeutil.h"

/* A buffer lent to one text: the arena holds this record and gives the
 * buffer back to the pool when it is released. */
struct jw_lent {
    char *buf; /* malloc'd */
    size_t cap;
};

static struct {
    pthread_mutex_t mu;
    char *buf[JW_POOL_SIZE];
    size_t cap[JW_POOL_SIZE];
    int n;
} pool = {.mu = PTHREAD_MUTEX_INITIALIZER};

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n);
    if (!q) { /* as arena_alloc: a server that cannot allocate cannot answer */
        fputs("labshare: out of memory\n", stderr);
        abort();
    }
    return q;
}

static void give_back(void *arg)
{
    struct jw_lent *l = arg;
    pthread_mutex_lock(&pool.mu);
    if (pool.n < JW_POOL_SIZE && l->cap <= JW_POOL_KEEP) {
        pool.buf[pool.n] = l->buf;
        pool.cap[pool.n++] = l->cap;
        l->buf = NULL;
    }
    pthread_mutex_unlock(&pool.mu);
    free(l->buf);
}

static void borrow(struct jw *w, size_t cap)
{
    struct jw_lent *l = arena_alloc(w->a, sizeof *l);
    pthread_mutex_lock(&pool.mu);
    if (pool.n > 0) {
        pool.n--;
        l->buf = pool.buf[pool.n];
        l->cap = pool.cap[pool.n];
    }
    pthread_mutex_unlock(&pool.mu);
    if (l->cap < cap) {
        l->buf = xrealloc(l->buf, cap);
        l->cap = cap;
    }
    arena_on_release(w->a, give_back, l);
    w->lent = l;
    w->buf = l->buf;
    w->cap = l->cap;
}

void jw_init(struct jw *w, struct arena *a, size_t size_hint)
{
    memset(w, 0, sizeof *w);
    w->a = a;
    w->first[0] = 1;
    if (size_hint >= JW_POOL_MIN) {
        borrow(w, size_hint);
    } else {
        w->cap = size_hint > 64 ? size_hint : 64;
        w->buf = arena_alloc(a, w->cap);
    }
    w->buf[0] = '\0';
}

/* Room for n more bytes and the NUL. */
static char *room(struct jw *w, size_t n)
{
    if (w->len + n + 1 > w->cap) {
        size_t cap = w->cap * 2;
        while (w->len + n + 1 > cap)
            cap *= 2;
        if (w->lent) {
            w->lent->buf = xrealloc(w->lent->buf, cap);
            w->lent->cap = cap;
            w->buf = w->lent->buf;
        } else {
            char *bigger = arena_alloc(w->a, cap);
            memcpy(bigger, w->buf, w->len);
            w->buf = bigger;
        }
        w->cap = cap;
    }
    return w->buf + w->len;
}

static void done(struct jw *w, char *end)
{
    w->len = (size_t)(end - w->buf);
    w->buf[w->len] = '\0';
}

/* The separator and "key": in front of every value. Reserves `more` bytes
 * beyond them for the value and returns where it goes. */
static char *member(struct jw *w, const char *key, size_t more)
{
    size_t klen = key ? strlen(key) : 0;
    char *p = room(w, klen + 4 + more);
    if (!w->first[w->depth])
        *p++ = ',';
    w->first[w->depth] = 0;
    if (key) {
        *p++ = '"';
        memcpy(p, key, klen);
        p += klen;
        *p++ = '"';
        *p++ = ':';
    }
    return p;
}

static void put_raw(struct jw *w, const char *key, const char *s, size_t n)
{
    char *p = member(w, key, n);
    memcpy(p, s, n);
    done(w, p + n);
}

static void open_level(struct jw *w, const char *key, char open, char close)
{
    put_raw(w, key, &open, 1);
    if (w->depth + 1 < JW_MAX_DEPTH)
        w->depth++;
    w->first[w->depth] = 1;
    w->close[w->depth] = close;
}

void jw_object(struct jw *w, const char *key)
{
    open_level(w, key, '{', '}');
}

void jw_array(struct jw *w, const char *key)
{
    open_level(w, key, '[', ']');
}

void jw_end(struct jw *w)
{
    if (w->depth == 0)
        return;
    char *p = room(w, 1);
    *p++ = w->close[w->depth--];
    done(w, p);
}

/* Writes v's decimal digits at p; returns the end. */
static char *digits(char *p, int64_t v)
{
    char tmp[24];
    int n = 0;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *p++ = '-';
    while (n)
        *p++ = tmp[--n];
    return p;
}

void jw_int(struct jw *w, const char *key, int64_t v)
{
    char *p = member(w, key, 24);
    done(w, digits(p, v));
}

void jw_bool(struct jw *w, const char *key, int v)
{
    if (v)
        put_raw(w, key, "true", 4);
    else
        put_raw(w, key, "false", 5);
}

void jw_null(struct jw *w, const char *key)
{
    put_raw(w, key, "null", 4);
}

void jw_id_or_null(struct jw *w, const char *key, int64_t id)
{
    if (id > 0)
        jw_int(w, key, id);
    else
        jw_null(w, key);
}

void jw_string(struct jw *w, const char *key, const char *s)
{
    if (!s) {
        jw_null(w, key);
        return;
    }
    size_t n = strlen(s);
    /* Worst case: every byte a six-byte \u00XX escape. */
    char *p = member(w, key, 6 * n + 2);
    *p++ = '"';
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (*c >= 32 && *c != '"' && *c != '\\') {
            *p++ = (char)*c;
            continue;
        }
        *p++ = '\\';
        switch (*c) {
        case '"':
        case '\\':
            *p++ = (char)*c;
            break;
        case '\b':
            *p++ = 'b';
            break;
        case '\f':
            *p++ = 'f';
            break;
        case '\n':
            *p++ = 'n';
            break;
        case '\r':
            *p++ = 'r';
            break;
        case '\t':
            *p++ = 't';
            break;
        default: /* as cJSON: lower-case hex */
            *p++ = 'u';
            *p++ = '0';
            *p++ = '0';
            *p++ = "0123456789abcdef"[*c >> 4];
            *p++ = "0123456789abcdef"[*c & 15];
        }
    }
    *p++ = '"';
    done(w, p);
}

static char *two(char *p, int v)
{
    *p++ = (char)('0' + v / 10);
    *p++ = (char)('0' + v % 10);
    return p;
}

void jw_time(struct jw *w, const char *key, int64_t t)
{
    char *p = member(w, key, TU_UTC_LEN + 2);
    *p++ = '"';
    if (t < 0 || t > TU_MAX) { /* outside 1970–9999: as tu_format_utc writes it */
        char s[TU_UTC_LEN];
        tu_format_utc(t, s);
        memcpy(p, s, TU_UTC_LEN - 1);
        p += TU_UTC_LEN - 1;
    } else {
        int y, mo, d;
        int64_t rem = t % 86400;
        tu_civil_from_days(t / 86400, &y, &mo, &d);
        p = two(p, y / 100);
        p = two(p, y % 100);
        *p++ = '-';
        p = two(p, mo);
        *p++ = '-';
        p = two(p, d);
        *p++ = 'T';
        p = two(p, (int)(rem / 3600));
        *p++ = ':';
        p = two(p, (int)(rem / 60 % 60));
        *p++ = ':';
        p = two(p, (int)(rem % 60));
        *p++ = 'Z';
    }
    *p++ = '"';
    done(w, p);
}

void jw_time_or_null(struct jw *w, const char *key, int64_t t, int is_null)
{
    if (is_null)
        jw_null(w, key);
    else
        jw_time(w, key, t);
}
