/* fuzz_framing.c — framing_check() on any request head. The input is the
 * HTTP version on the first line and one header per line after it
 * ("Name: value", split at the first ':'), as civetweb hands them over.
 * Whatever the head, the decision must be one the head allows: never a
 * body both chunked and of a length, never a length other than every
 * Content-Length says, never an HTTP/1.1 request without exactly one Host,
 * and every refusal a 400 naming the header at fault. */
#include <strings.h>

#include "framing.h"
#include "fuzz.h"

#define MAX_HEADERS 64

static int ows(char c)
{
    return c == ' ' || c == '\t';
}

/* The value of every element of a Content-Length list, or -1 if one is not
 * digits; the harness's own reading, to hold the module's against. */
static int all_elements_equal(const char *v, long long want)
{
    const char *p = v;
    for (;;) {
        size_t seg = strcspn(p, ",");
        size_t i = 0, j = seg;
        while (i < j && ows(p[i]))
            i++;
        while (j > i && ows(p[j - 1]))
            j--;
        if (i == j)
            return 0;
        long long x = 0;
        for (size_t k = i; k < j; k++) {
            if (p[k] < '0' || p[k] > '9')
                return 0;
            if (x <= FRAMING_LENGTH_MAX)
                x = x * 10 + (p[k] - '0');
        }
        if (x > FRAMING_LENGTH_MAX)
            x = FRAMING_LENGTH_MAX + 1;
        if (x != want)
            return 0;
        if (!p[seg])
            return 1;
        p += seg + 1;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 8192)
        return 0;
    struct guarded g = guarded_str(data, size);
    char *text = (char *)g.p;
    struct framing_header h[MAX_HEADERS];
    int n = 0;
    char *line = text;
    char *nl = strchr(line, '\n');
    if (nl)
        *nl = '\0';
    const char *version = line;
    line = nl ? nl + 1 : NULL;
    while (line && n < MAX_HEADERS) {
        nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        char *colon = strchr(line, ':');
        if (colon) {
            *colon = '\0';
            char *v = colon + 1;
            while (ows(*v))
                v++;
            h[n].name = line;
            h[n].value = v;
            n++;
        }
        line = nl ? nl + 1 : NULL;
    }

    struct framing f;
    struct ls_err err = {0};
    int rc = framing_check(version, h, n, &f, &err);
    struct framing f2;
    struct ls_err err2 = {0};
    FUZZ_CHECK(framing_check(version, h, n, &f2, &err2) == rc, "not deterministic");

    int hosts = 0, te = 0, cl = 0;
    for (int i = 0; i < n; i++) {
        hosts += strcasecmp(h[i].name, "Host") == 0;
        te += strcasecmp(h[i].name, "Transfer-Encoding") == 0;
        cl += strcasecmp(h[i].name, "Content-Length") == 0;
    }
    int http10 = strcmp(version, "1.0") == 0;
    if (rc != LS_OK) {
        FUZZ_CHECK(rc == LS_EBADREQ, "refused with %d", rc);
        FUZZ_CHECK(err.message[0], "a refusal without a reason");
        FUZZ_CHECK(strcmp(err.field, "Host") == 0 || strcmp(err.field, "Content-Length") == 0 ||
                       strcmp(err.field, "Transfer-Encoding") == 0,
                   "refusal names '%s'", err.field);
    } else {
        FUZZ_CHECK(!(te && cl), "both Content-Length and Transfer-Encoding accepted");
        FUZZ_CHECK(http10 || hosts == 1, "HTTP/%s with %d Host headers accepted", version, hosts);
        FUZZ_CHECK(hosts <= 1, "%d Host headers accepted", hosts);
        switch (f.body) {
        case FRAMING_NONE:
            FUZZ_CHECK(!te && !cl, "a body's headers ignored");
            break;
        case FRAMING_CHUNKED:
            FUZZ_CHECK(te == 1 && !cl && !http10, "chunked with te=%d cl=%d", te, cl);
            break;
        case FRAMING_LENGTH:
            FUZZ_CHECK(cl >= 1 && !te, "a length without Content-Length");
            FUZZ_CHECK(f.length >= 0 && f.length <= FRAMING_LENGTH_MAX + 1, "length %lld",
                       f.length);
            for (int i = 0; i < n; i++)
                if (strcasecmp(h[i].name, "Content-Length") == 0)
                    FUZZ_CHECK(all_elements_equal(h[i].value, f.length),
                               "Content-Length '%s' is not %lld", h[i].value, f.length);
            break;
        default:
            FUZZ_CHECK(0, "body kind %d", (int)f.body);
        }
    }
    guarded_free(&g);
    return 0;
}
