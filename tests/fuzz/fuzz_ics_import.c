/* fuzz_ics_import.c — calendar files as owners upload them and servers
 * send them: import_parse() on the bytes (a file is taken as it comes, NUL
 * bytes included: the server passes the request body's length), with the
 * two-year window import gives it from a fixed "now".
 *
 * An accepted file must yield what the import promises: spans ordered by
 * start, each non-empty and overlapping the window, at most
 * IMPORT_MAX_EVENTS, UIDs and reasons valid UTF-8 without control
 * characters, reasons within IMPORT_REASON_MAX characters. A refused file
 * is a 422 naming `file` whose message names a line (or the count). */
#include "calendar_import.h"
#include "err.h"
#include "field.h"
#include "fuzz.h"
#include "json.h"
#include "timeutil.h"

#define NOW 1795521600LL /* 2026-11-23 12:00 UTC */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (tu_init("Europe/Warsaw") != 0)
        abort();
    return 0;
}

static size_t chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 64 * 1024)
        return 0;
    /* The bytes exactly, in a buffer that ends at an unreadable page. */
    struct guarded g = guarded_new(size + 1);
    memcpy(g.p, data, size);
    g.p[size] = '\0';
    struct arena a = {0};
    struct ls_err err = {0};
    struct import_busy *b = NULL;
    int n = -1;
    int64_t from = NOW, to = NOW + IMPORT_HORIZON;
    int rc = import_parse((const char *)g.p, size, from, to, &a, &b, &n, &err);
    if (rc == LS_OK) {
        FUZZ_CHECK(n >= 0 && n <= IMPORT_MAX_EVENTS, "n %d", n);
        for (int i = 0; i < n; i++) {
            FUZZ_CHECK(b[i].end > b[i].start, "span %d: %lld–%lld", i, (long long)b[i].start,
                       (long long)b[i].end);
            FUZZ_CHECK(b[i].end > from && b[i].start < to, "span %d outside the window", i);
            FUZZ_CHECK(i == 0 || b[i - 1].start <= b[i].start, "span %d out of order", i);
            FUZZ_CHECK(b[i].uid && field_text_ok(b[i].uid, strlen(b[i].uid), 0), "uid %d", i);
            FUZZ_CHECK(b[i].reason && field_text_ok(b[i].reason, strlen(b[i].reason), 0) &&
                           chars(b[i].reason) <= IMPORT_REASON_MAX,
                       "reason %d: %s", i, b[i].reason);
        }
    } else {
        FUZZ_CHECK(rc == LS_EVALIDATION, "code %d: %s", rc, err.message);
        FUZZ_CHECK(strcmp(err.field, "file") == 0, "field %s", err.field);
        FUZZ_CHECK(strncmp(err.message, "line ", 5) == 0 ||
                       strncmp(err.message, "more than", 9) == 0 ||
                       strncmp(err.message, "the file", 8) == 0,
                   "message %s", err.message);
    }
    arena_release(&a);
    guarded_free(&g);
    return 0;
}
