/* fuzz_json.c — a request body as the dispatcher and an api_* handler see it:
 * json_parse_object(), then json_only() and every typed getter on the
 * result, the way a route turns a body into a struct. */
#include <math.h>

#include "fuzz.h"
#include "json.h"
#include "timeutil.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (tu_init("Europe/Warsaw") != 0)
        abort();
    return 0;
}

static void check_string(const cJSON *j, const char *name, int required, int nullable,
                         size_t maxlen, struct arena *a)
{
    const char *s = "unset";
    int present = -1;
    struct ls_err err = {0};
    int rc = json_string(j, name, required, nullable, maxlen, a, &s, &present, &err);
    FUZZ_CHECK(present == 0 || present == 1, "present not set");
    if (rc == LS_OK && present && s) {
        size_t n = strlen(s);
        FUZZ_CHECK(n <= maxlen, "'%s' accepted %zu bytes > %zu", name, n, maxlen);
        FUZZ_CHECK(json_text_ok(s, n, 1), "'%s' accepted bad text", name);
    }
    if (rc != LS_OK) {
        FUZZ_CHECK(rc == LS_EVALIDATION, "'%s' gave %d", name, rc);
        FUZZ_CHECK(strcmp(err.field, name) == 0, "error names '%s' not '%s'", err.field, name);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 64 * 1024) /* the largest body a route accepts */
        return 0;
    struct guarded body = guarded_new(size + 1);
    memcpy(body.p, data, size);
    body.p[size] = '\0'; /* read_body() NUL-terminates too */
    cJSON *j = NULL;
    struct ls_err err = {0};
    int rc = json_parse_object(&j, (const char *)body.p, size, &err);
    if (rc != LS_OK) {
        FUZZ_CHECK(rc == LS_EBADREQ, "parse gave %d", rc);
        FUZZ_CHECK(j == NULL, "parse failed but left an object");
        FUZZ_CHECK(err.message[0], "parse failed without a message");
        guarded_free(&body);
        return 0;
    }
    FUZZ_CHECK(cJSON_IsObject(j), "parse ok but not an object");

    struct arena a = {0};
    static const char *const allowed[] = {"name",    "email", "start",  "end",  "count",
                                          "area_m2", "kind",  "active", "note", NULL};
    struct ls_err e2 = {0};
    if (json_only(j, allowed, &e2) != LS_OK)
        FUZZ_CHECK(e2.code == LS_EVALIDATION, "json_only gave %d", e2.code);

    check_string(j, "name", 1, 0, 200, &a);
    check_string(j, "email", 0, 0, 254, &a);
    check_string(j, "note", 0, 1, 2000, &a);

    int64_t i = 7;
    struct ls_err e3 = {0};
    if (json_int(j, "count", 0, -5, 1000, &i, NULL, &e3) == LS_OK)
        FUZZ_CHECK(i >= -5 && i <= 1000, "count %lld out of range", (long long)i);

    double d = 1.5;
    int is_null = 0;
    struct ls_err e4 = {0};
    if (json_number(j, "area_m2", 0, 1, 0, 1e6, &d, &is_null, NULL, &e4) == LS_OK && !is_null)
        FUZZ_CHECK(isfinite(d) && d >= 0 && d <= 1e6, "area %g out of range", d);

    int64_t start = 0, end = 0;
    int has_start = 0, has_end = 0;
    struct ls_err e5 = {0};
    if (json_time(j, "start", 0, &start, &has_start, &e5) == LS_OK && has_start) {
        /* What the API accepts it must be able to print back (json_add_time). */
        char out[TU_UTC_LEN];
        tu_format_utc(start, out);
        int64_t again = 0;
        FUZZ_CHECK(tu_parse(out, &again) == TU_OK && again == start,
                   "accepted start %lld prints as %s", (long long)start, out);
    }
    struct ls_err e6 = {0};
    json_time(j, "end", 0, &end, &has_end, &e6);

    static const char *const kinds[] = {"lab", "instrument", "desk", "service", NULL};
    const char *kind = NULL;
    struct ls_err e7 = {0};
    if (json_enum(j, "kind", 0, kinds, &kind, NULL, &e7) == LS_OK && kind) {
        int found = 0;
        for (const char *const *k = kinds; *k; k++)
            found |= *k == kind;
        FUZZ_CHECK(found, "enum returned a pointer outside choices");
    }
    int b = 0;
    struct ls_err e8 = {0};
    json_bool(j, "active", 0, &b, NULL, &e8);

    /* The reply side: whatever came in must serialise again. */
    char *text = cJSON_PrintUnformatted(j);
    FUZZ_CHECK(text != NULL, "accepted object does not print");
    cJSON *again = NULL;
    struct ls_err e9 = {0};
    FUZZ_CHECK(json_parse_object(&again, text, strlen(text), &e9) == LS_OK,
               "printed object does not parse again: %s", e9.message);
    cJSON_Delete(again);
    free(text);
    arena_release(&a);
    cJSON_Delete(j);
    guarded_free(&body);
    return 0;
}
