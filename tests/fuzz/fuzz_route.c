/* fuzz_route.c — the dispatcher's route matcher on any decoded path, against
 * every pattern of every route table, before and after the percent-decoding
 * dispatch() does (mg_url_decode into a guarded buffer; an encoded NUL is
 * refused there). A match must be exact: putting the captured placeholders
 * back into the pattern gives the path again, and no placeholder is empty or
 * spans a '/'. */
#include <civetweb.h>

#include "fuzz.h"
#include "http.h"

/* Rebuilds the path from pattern + params; returns 1 if it equals path. */
static int rebuild_equals(const char *pattern, const char **params, int n, const char *path)
{
    char out[8192];
    size_t o = 0;
    int k = 0;
    for (const char *p = pattern; *p;) {
        if (*p == '{') {
            const char *close = strchr(p, '}');
            if (!close || k >= n)
                return 0;
            size_t l = strlen(params[k]);
            if (o + l >= sizeof out)
                return 0;
            memcpy(out + o, params[k++], l);
            o += l;
            p = close + 1;
            continue;
        }
        if (o + 1 >= sizeof out)
            return 0;
        out[o++] = *p++;
    }
    out[o] = '\0';
    return k == n && strcmp(out, path) == 0;
}

/* Placeholder shapes the API uses, matched even before the modules that
 * own them are linked in. */
static const struct route shapes[] = {
    {.method = "GET", .pattern = "/api/v1/labs/{id}"},
    {.method = "POST", .pattern = "/api/v1/bookings/{id}/approve"},
    {.method = "GET", .pattern = "/api/v1/resources/{id}/bookings/{b}"},
    {.method = "GET", .pattern = "/ical/{token}.ics"},
    {.method = "GET", .pattern = "/{a}/{b}/{c}/{d}/{e}"}, /* more than HTTP_MAX_PARAMS */
    {0},
};

static void match_all(const char *s);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    struct guarded path = guarded_str(data, size);
    const char *raw = (const char *)path.p;
    match_all(raw);
    size_t n = strlen(raw);
    struct guarded dec = guarded_new(n + 1);
    int len = mg_url_decode(raw, (int)n, (char *)dec.p, (int)n + 1, 0);
    FUZZ_CHECK(len >= 0 && (size_t)len <= n, "decoded %d of %zu", len, n);
    if (strlen((const char *)dec.p) == (size_t)len)
        match_all((const char *)dec.p);
    guarded_free(&dec);
    guarded_free(&path);
    return 0;
}

static void match_all(const char *s)
{
    const struct route *const tables[] = {shapes, NULL};
    for (int pass = 0; pass < 2; pass++)
        for (const struct route *const *t = pass ? tables : http_route_tables; *t; t++)
            for (const struct route *rt = *t; rt->method; rt++) {
                int plain = http_match(rt->pattern, s, NULL, NULL, NULL);
                struct arena a = {0};
                const char *params[HTTP_MAX_PARAMS] = {0};
                int n = -1;
                int m = http_match(rt->pattern, s, &a, params, &n);
                FUZZ_CHECK(plain == m, "'%s' vs '%s': %d without arena, %d with", rt->pattern, s,
                           plain, m);
                if (m) {
                    FUZZ_CHECK(n >= 0 && n <= HTTP_MAX_PARAMS, "nparams %d", n);
                    for (int i = 0; i < n; i++) {
                        FUZZ_CHECK(params[i] && params[i][0], "empty placeholder %d", i);
                        FUZZ_CHECK(!strchr(params[i], '/'), "placeholder '%s' spans '/'",
                                   params[i]);
                    }
                    FUZZ_CHECK(rebuild_equals(rt->pattern, params, n, s),
                               "'%s' matched '%s' but does not rebuild", s, rt->pattern);
                }
                arena_release(&a);
            }
}
