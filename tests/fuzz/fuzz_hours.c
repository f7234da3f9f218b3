/* fuzz_hours.c — opening hours from outside: "HH:MM" strings
 * (hours_parse_hhmm), a week of windows (hours_normalise), laid out over a
 * bounded span (hours_layout_span) and a booking checked against it
 * (hours_fit), across ten years of DST changes.
 *
 * Input: "HH:MM" text up to the first '\n', then bytes: the window count,
 * five bytes per window (weekday, open, close), then span and booking. */
#include "fuzz.h"
#include "hours.h"
#include "timeutil.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (tu_init("Europe/Warsaw") != 0)
        abort();
    return 0;
}

struct cursor {
    const uint8_t *p;
    size_t n;
};

static unsigned take(struct cursor *c, int bytes)
{
    unsigned v = 0;
    for (int i = 0; i < bytes; i++) {
        v = v << 8 | (c->n ? *c->p : 0);
        if (c->n) {
            c->p++;
            c->n--;
        }
    }
    return v;
}

struct spans {
    int64_t from, to, prev_end, sum;
    int n;
    int64_t s[512], e[512];
};

static void on_span(int64_t s, int64_t e, void *p)
{
    struct spans *sp = p;
    FUZZ_CHECK(s < e, "empty span %lld..%lld", (long long)s, (long long)e);
    FUZZ_CHECK(s >= sp->from && e <= sp->to, "span %lld..%lld outside %lld..%lld", (long long)s,
               (long long)e, (long long)sp->from, (long long)sp->to);
    /* Touching windows merge: consecutive spans leave a gap. */
    FUZZ_CHECK(sp->n == 0 || s > sp->prev_end, "span %lld..%lld not after %lld", (long long)s,
               (long long)e, (long long)sp->prev_end);
    sp->prev_end = e;
    sp->sum += e - s;
    if (sp->n < 512) {
        sp->s[sp->n] = s;
        sp->e[sp->n] = e;
    }
    sp->n++;
}

static void fuzz_hhmm(const char *s)
{
    for (int allow24 = 0; allow24 <= 1; allow24++) {
        int m = -1;
        if (hours_parse_hhmm(s, allow24, &m) != 0)
            continue;
        FUZZ_CHECK(m >= 0 && m <= (allow24 ? 1440 : 1439), "'%s' -> %d", s, m);
        char back[6];
        hours_format_hhmm(m, back);
        FUZZ_CHECK(strcmp(back, s) == 0, "'%s' -> %d prints as '%s'", s, m, back);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    const uint8_t *nl = memchr(data, '\n', size);
    size_t tlen = nl ? (size_t)(nl - data) : size;
    struct guarded text = guarded_str(data, tlen);
    fuzz_hhmm((const char *)text.p);
    guarded_free(&text);
    if (!nl)
        return 0;

    struct cursor c = {nl + 1, size - tlen - 1};
    struct hours_week wk;
    memset(&wk, 0, sizeof wk);
    int n = (int)(take(&c, 1) % (HOURS_MAX_WINDOWS + 3));
    struct hours_window extra;
    for (int i = 0; i < n; i++) {
        struct hours_window *w = i < HOURS_MAX_WINDOWS ? &wk.w[i] : &extra;
        w->weekday = (int)(take(&c, 1) % 9);
        w->open_min = (int)(take(&c, 2) % 1500) - 20;
        w->close_min = (int)(take(&c, 2) % 1500) - 20;
    }
    wk.n = n; /* over the limit must be refused, never read */
    struct ls_err err = {0};
    if (wk.n > HOURS_MAX_WINDOWS) {
        FUZZ_CHECK(hours_normalise(&wk, &err) == LS_EVALIDATION, "too many windows accepted");
        return 0;
    }
    if (hours_normalise(&wk, &err) != LS_OK) {
        FUZZ_CHECK(err.code == LS_EVALIDATION && strcmp(err.field, "opening_hours") == 0,
                   "normalise error %d field '%s'", err.code, err.field);
        return 0;
    }
    for (int i = 0; i < wk.n; i++) {
        const struct hours_window *w = &wk.w[i];
        FUZZ_CHECK(w->weekday >= 1 && w->weekday <= 7 && w->open_min >= 0 && w->close_min <= 1440 &&
                       w->open_min < w->close_min,
                   "window %d kept out of range", i);
        if (i > 0 && w->weekday == wk.w[i - 1].weekday)
            FUZZ_CHECK(w->open_min >= wk.w[i - 1].close_min, "overlap kept");
        if (i > 0)
            FUZZ_CHECK(w->weekday > wk.w[i - 1].weekday || (w->weekday == wk.w[i - 1].weekday &&
                                                            w->open_min > wk.w[i - 1].open_min),
                       "not sorted");
    }

    /* A span of up to 20 days somewhere in 2020-2029 (every DST change). */
    const int64_t base = 1577836800; /* 2020-01-01T00:00:00Z */
    int64_t from = base + (int64_t)(take(&c, 2) % 3653) * 86400 + (int64_t)(take(&c, 1) % 96) * 900;
    int64_t to = from + (int64_t)(take(&c, 2) % (20 * 96)) * 900;
    struct spans sp = {.from = from, .to = to};
    int64_t total = hours_layout_span(&wk, from, to, on_span, &sp);
    FUZZ_CHECK(total == sp.sum, "total %lld but spans sum to %lld", (long long)total,
               (long long)sp.sum);
    FUZZ_CHECK(total >= 0 && total <= to - from, "total %lld for a span of %lld", (long long)total,
               (long long)(to - from));
    if (wk.n == 0)
        FUZZ_CHECK(total == 0, "closed week laid out %lld s", (long long)total);

    /* A booking inside the span, on a 5-minute grid. */
    int64_t len = to - from;
    if (len <= 0 || sp.n > 512)
        return 0;
    int64_t start = from + (int64_t)(take(&c, 2) % (unsigned)(len / 300 + 1)) * 300;
    int64_t end = start + (int64_t)(take(&c, 2) % 600 + 1) * 300;
    int slot = (int)(take(&c, 1) % 121);
    enum hours_fit fit = hours_fit(&wk, start, end, slot);
    FUZZ_CHECK(fit == HOURS_FITS || fit == HOURS_OUTSIDE || fit == HOURS_OFF_GRID, "fit %d", fit);
    if (end <= to) {
        int inside = 0;
        for (int i = 0; i < sp.n; i++)
            inside |= sp.s[i] <= start && end <= sp.e[i];
        /* hours_fit lays out its own margin around the booking; clipped to
         * our span the open time is the same, so both answers must agree. */
        if (inside)
            FUZZ_CHECK(fit != HOURS_OUTSIDE, "booking %lld..%lld inside a span but OUTSIDE",
                       (long long)start, (long long)end);
        if (fit != HOURS_OUTSIDE)
            FUZZ_CHECK(inside, "booking %lld..%lld fits but lies in no open span", (long long)start,
                       (long long)end);
    }
    return 0;
}
