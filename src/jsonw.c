/* jsonw.c — see jsonw.h. */
#include "jsonw.h"

#include <float.h>
#include <math.h>
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

void jw_done(struct jw *w, char *end)
{
    w->len = (size_t)(end - w->buf);
    w->buf[w->len] = '\0';
}

char *jw_value(struct jw *w, const char *key, size_t more)
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
    char *p = jw_value(w, key, n);
    memcpy(p, s, n);
    jw_done(w, p + n);
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
    jw_done(w, p);
}

char *jw_put_int(char *p, int64_t v)
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
    char *p = jw_value(w, key, 24);
    jw_done(w, jw_put_int(p, v));
}

/* cJSON's print_number (Debian 12's 1.7.15): 15 significant digits when
 * they read back as the same double (within DBL_EPSILON relative), else 17
 * (so -0.0 is "-0", as cJSON prints it). */
char *jw_put_num(char *p, double v)
{
    if (isnan(v) || isinf(v))
        return JW_PUT(p, "null");
    /* Money and most hours are whole hundredths: the double nearest such a
     * decimal of at most 15 digits prints as that decimal, trailing zeros
     * dropped, without printf and strtod (they were a sixth of a page of
     * bookings' time). */
    double cents = v * 100.0;
    if (fabs(v) < 1e13 && v != 0 && (double)llround(cents) / 100.0 == v) {
        long long n = llround(cents);
        if (n < 0) {
            *p++ = '-';
            n = -n;
        }
        p = jw_put_int(p, n / 100);
        int frac = (int)(n % 100);
        if (frac) {
            *p++ = '.';
            *p++ = (char)('0' + frac / 10);
            if (frac % 10)
                *p++ = (char)('0' + frac % 10);
        }
        return p;
    }
    char tmp[JW_NUM_MAX];
    int n = snprintf(tmp, sizeof tmp, "%1.15g", v);
    double back = strtod(tmp, NULL);
    if (fabs(back - v) > fmax(fabs(back), fabs(v)) * DBL_EPSILON)
        n = snprintf(tmp, sizeof tmp, "%1.17g", v);
    return jw_put_raw(p, tmp, (size_t)n);
}

void jw_num(struct jw *w, const char *key, double v)
{
    char *p = jw_value(w, key, JW_NUM_MAX);
    jw_done(w, jw_put_num(p, v));
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

/* Bytes cJSON escapes: control characters, '"' and '\\'. */
static const unsigned char plain[256] = {
    [' '] = 1,
    ['!'] = 1,
    ['#' ... '['] = 1,
    [']' ... 255] = 1,
};

char *jw_put_string(char *p, const char *s)
{
    *p++ = '"';
    const unsigned char *c = (const unsigned char *)s;
    for (;;) {
        const unsigned char *run = c;
        while (plain[*c])
            c++;
        memcpy(p, run, (size_t)(c - run));
        p += c - run;
        if (!*c)
            break;
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
        c++;
    }
    *p++ = '"';
    return p;
}

void jw_string(struct jw *w, const char *key, const char *s)
{
    if (!s) {
        jw_null(w, key);
        return;
    }
    char *p = jw_value(w, key, JW_STRING_MAX(strlen(s)));
    jw_done(w, jw_put_string(p, s));
}

static char *two(char *p, int v)
{
    *p++ = (char)('0' + v / 10);
    *p++ = (char)('0' + v % 10);
    return p;
}

char *jw_put_time(struct jw *w, char *p, int64_t t)
{
    *p++ = '"';
    if (t < 0 || t > TU_MAX) { /* outside 1970–9999: as tu_format_utc writes it */
        char s[TU_UTC_LEN];
        tu_format_utc(t, s);
        memcpy(p, s, TU_UTC_LEN - 1);
        p += TU_UTC_LEN - 1;
    } else {
        /* The dates of the last days written are kept: a page's times
         * (start, end, created, updated) fall on few days, and the civil
         * date costs divisions. */
        int64_t day = t / 86400, rem = t % 86400;
        struct jw_date *k = &w->dates[day & 3];
        if (k->day != day + 1) {
            int y, mo, d;
            tu_civil_from_days(day, &y, &mo, &d);
            char *q = two(two(k->text, y / 100), y % 100);
            *q++ = '-';
            q = two(q, mo);
            *q++ = '-';
            q = two(q, d);
            *q = 'T';
            k->day = day + 1;
        }
        memcpy(p, k->text, 11);
        p += 11;
        p = two(p, (int)(rem / 3600));
        *p++ = ':';
        p = two(p, (int)(rem / 60 % 60));
        *p++ = ':';
        p = two(p, (int)(rem % 60));
        *p++ = 'Z';
    }
    *p++ = '"';
    return p;
}

void jw_time(struct jw *w, const char *key, int64_t t)
{
    char *p = jw_value(w, key, JW_TIME_MAX);
    jw_done(w, jw_put_time(w, p, t));
}
