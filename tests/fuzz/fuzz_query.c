/* fuzz_query.c — query strings decoded as the server does (http_query():
 * civetweb's mg_get_var into a buffer as long as the query), then read as
 * http_query_int/_time read them. civetweb is Debian's uninstrumented build,
 * so both the query and the output buffer end at a PROT_NONE page: any
 * overrun faults. */
#include <civetweb.h>
#include <errno.h>

#include "fuzz.h"
#include "timeutil.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (tu_init("Europe/Warsaw") != 0)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 16384) /* civetweb's max_request_size bounds the request line */
        return 0;
    struct guarded qs = guarded_str(data, size);
    size_t len = strlen((const char *)qs.p);
    static const char *const names[] = {"limit", "offset", "q", "from", "to", "a", "", NULL};
    for (const char *const *name = names; *name; name++) {
        struct guarded out = guarded_new(len + 1);
        int n = mg_get_var((const char *)qs.p, len, *name, (char *)out.p, len + 1);
        /* -1 absent, -2 buffer too small (cannot happen: decoding never grows). */
        FUZZ_CHECK(n >= -1, "mg_get_var('%s') = %d for a buffer of the query's length", *name, n);
        if (n >= 0) {
            FUZZ_CHECK((size_t)n <= len && out.p[n] == '\0', "decoded length %d of %zu", n, len);
            const char *v = (const char *)out.p;
            char *end = NULL;
            errno = 0;
            (void)strtoll(v, &end, 10);
            int64_t t;
            (void)tu_parse(v, &t);
        }
        guarded_free(&out);
    }
    /* A small buffer must be refused, not overrun. */
    struct guarded small = guarded_new(4);
    int n = mg_get_var((const char *)qs.p, len, "q", (char *)small.p, 4);
    FUZZ_CHECK(n < 4, "mg_get_var wrote %d into 4 bytes", n);
    guarded_free(&small);
    guarded_free(&qs);
    return 0;
}
