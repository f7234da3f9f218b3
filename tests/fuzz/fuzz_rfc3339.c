/* fuzz_rfc3339.c — tu_parse() on any string (json_time and http_query_time
 * feed it request text). An accepted instant must print back as RFC 3339
 * and parse to the same instant: the API echoes what it stored. */
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
    if (size > 256)
        return 0;
    struct guarded s = guarded_str(data, size);
    int64_t t = 0;
    enum tu_status st = tu_parse((const char *)s.p, &t);
    FUZZ_CHECK(st == TU_OK || st == TU_EFORMAT || st == TU_ENONEXISTENT || st == TU_EAMBIGUOUS,
               "status %d", st);
    if (st == TU_OK) {
        char utc[TU_UTC_LEN], local[TU_LOCAL_LEN];
        tu_format_utc(t, utc);
        int64_t again = 0;
        FUZZ_CHECK(tu_parse(utc, &again) == TU_OK && again == t, "'%s' -> %lld prints as %s",
                   (const char *)s.p, (long long)t, utc);
        tu_format_local(t, local);
        FUZZ_CHECK(tu_parse(local, &again) == TU_OK && again == t,
                   "'%s' -> %lld prints locally as %s", (const char *)s.p, (long long)t, local);
        struct tu_local l;
        tu_to_local(t, &l);
        FUZZ_CHECK(l.weekday >= 1 && l.weekday <= 7 && l.month >= 1 && l.month <= 12,
                   "bad local fields for %lld", (long long)t);
    }
    guarded_free(&s);
    return 0;
}
