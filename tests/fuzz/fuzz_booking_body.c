/* fuzz_booking_body.c — a request body through the conversions of
 * POST /api/v1/bookings (api_booking_request_from_json) and POST
 * /api/v1/feeds (api_feed_scope_from_json), after json_parse_object as the
 * dispatcher runs it: no crash, leak or UB, and what is accepted is what
 * booking.c and feed.c may rely on. */
#include <string.h>

#include "api.h"
#include "booking.h"
#include "feed.h"
#include "fuzz.h"
#include "field.h"
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

static void check_error(const struct req *r, int rc, const char *what)
{
    /* The harness reads as a caller who is not staff: a staff-only member is
     * a 403 naming it. */
    if (rc == LS_EFORBIDDEN && strcmp(r->err.field, "override_economic_cap") == 0)
        return;
    FUZZ_CHECK(rc == LS_EVALIDATION, "%s gave %d", what, rc);
    /* The field names the offending member: "" only for a member named "". */
    FUZZ_CHECK(r->err.field[0] || cJSON_GetObjectItemCaseSensitive(r->json, ""),
               "%s: a 422 that names no field", what);
    FUZZ_CHECK(r->err.message[0], "%s: a 422 without a message", what);
}

static void booking_body(cJSON *j)
{
    struct req r = {0};
    r.json = j;
    struct booking_request q;
    int rc = api_booking_request_from_json(&r, &q);
    if (rc == LS_OK) {
        FUZZ_CHECK(q.resource_id >= 1 && q.resource_id <= INT64_MAX / 2, "resource_id %lld",
                   (long long)q.resource_id);
        char a[TU_UTC_LEN], b[TU_UTC_LEN];
        tu_format_utc(q.start, a);
        tu_format_utc(q.end, b);
        int64_t back = 0;
        FUZZ_CHECK(tu_parse(a, &back) == 0 && back == q.start, "start %s does not read back", a);
        FUZZ_CHECK(tu_parse(b, &back) == 0 && back == q.end, "end %s does not read back", b);
        if (q.purpose) {
            size_t n = strlen(q.purpose);
            FUZZ_CHECK(n <= BOOKING_PURPOSE_MAX, "purpose of %zu bytes", n);
            FUZZ_CHECK(field_text_ok(q.purpose, n, 1), "purpose is not text");
        }
        const char *texts[] = {q.project, q.cost_centre};
        const size_t most[] = {BOOKING_PROJECT_MAX, BOOKING_COST_CENTRE_MAX};
        for (int i = 0; i < 2; i++)
            if (texts[i])
                FUZZ_CHECK(field_chars(texts[i]) <= most[i] &&
                               field_text_ok(texts[i], strlen(texts[i]), 0),
                           "project or cost centre is not one line of at most %zu characters",
                           most[i]);
        FUZZ_CHECK(q.economic == 0 || q.economic == 1, "economic %d", q.economic);
        if (q.rrule) {
            size_t n = strlen(q.rrule);
            FUZZ_CHECK(n > 0, "an empty rrule must read as none");
            FUZZ_CHECK(n <= BOOKING_RRULE_MAX, "rrule of %zu bytes", n);
        }
    } else {
        check_error(&r, rc, "booking body");
    }
    arena_release(&r.arena);
}

static void feed_body(cJSON *j)
{
    struct req r = {0};
    r.json = j;
    int scope = -1, past_days = -1;
    int64_t id = 0;
    int rc = api_feed_scope_from_json(&r, &scope, &id, &past_days);
    if (rc == LS_OK) {
        FUZZ_CHECK(scope >= FEED_RESOURCE && scope <= FEED_USER, "scope %d", scope);
        enum feed_scope back;
        FUZZ_CHECK(feed_scope_parse(feed_scope_name((enum feed_scope)scope), &back) == 0 &&
                       (int)back == scope,
                   "scope %d does not round-trip", scope);
        FUZZ_CHECK(id >= 1 && id <= INT64_MAX / 2, "id %lld", (long long)id);
        FUZZ_CHECK(past_days >= 0 && past_days <= FEED_PAST_DAYS_MAX, "past_days %d", past_days);
    } else {
        check_error(&r, rc, "feed body");
    }
    arena_release(&r.arena);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 64 * 1024)
        return 0;
    struct guarded body = guarded_new(size + 1);
    memcpy(body.p, data, size);
    body.p[size] = '\0';
    cJSON *j = NULL;
    struct ls_err err = {0};
    if (json_parse_object(&j, (const char *)body.p, size, &err) == LS_OK) {
        booking_body(j);
        feed_body(j);
        cJSON_Delete(j);
    }
    guarded_free(&body);
    return 0;
}
