/* fuzz_resource_body.c — a request body through what the dispatcher runs
 * for POST/PATCH /api/v1/resources: json_parse_object, then api_field_read
 * over the resource's field table (opening_hours included), both as a
 * create (lab_id, type and name required) and as a patch of a stored
 * resource: no crash, leak or UB, and an accepted body gives a resource
 * catalogue.c may save as it is (known type, text within limits, numbers in
 * range, opening windows sorted, in range and apart). */
#include <math.h>

#include "api.h"
#include "api_field.h"
#include "catalogue.h"
#include "field.h"
#include "fuzz.h"
#include "hours.h"
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

static void check_text(const char *s, size_t max, const char *what)
{
    FUZZ_CHECK(s, "%s is NULL", what);
    size_t n = field_chars(s);
    FUZZ_CHECK(n <= max, "%s of %zu characters", what, n);
    FUZZ_CHECK(field_text_ok(s, strlen(s), 1), "%s is not text", what);
}

static void check_resource(const struct resource *res, int create)
{
    FUZZ_CHECK(field_choice(catalogue_types, res->type) != NULL, "type %s", res->type);
    check_text(res->name, CATALOGUE_NAME_MAX, "name");
    if (create)
        FUZZ_CHECK(res->name[0], "a resource created without a name");
    check_text(res->category, CATALOGUE_LINE_MAX, "category");
    check_text(res->description, CATALOGUE_TEXT_MAX, "description");
    FUZZ_CHECK((res->shared | res->requires_approval | res->requires_training) <= 1 &&
                   res->shared >= 0 && res->requires_approval >= 0 && res->requires_training >= 0,
               "flags %d %d %d", res->shared, res->requires_approval, res->requires_training);
    FUZZ_CHECK(isfinite(res->power_kw) && isfinite(res->standby_kw), "power %g standby %g",
               res->power_kw, res->standby_kw);
    FUZZ_CHECK(res->slot_minutes >= 1 && res->slot_minutes <= 1440, "slot %d", res->slot_minutes);
    FUZZ_CHECK(res->min_minutes >= 1 && res->min_minutes <= CATALOGUE_MINUTES_MAX, "min %d",
               res->min_minutes);
    FUZZ_CHECK(res->max_minutes >= 1 && res->max_minutes <= CATALOGUE_MINUTES_MAX, "max %d",
               res->max_minutes);
    const struct hours_week *wk = &res->hours;
    FUZZ_CHECK(wk->n >= 0 && wk->n <= HOURS_MAX_WINDOWS, "%d windows", wk->n);
    for (int i = 0; i < wk->n; i++) {
        const struct hours_window *w = &wk->w[i];
        FUZZ_CHECK(w->weekday >= 1 && w->weekday <= 7, "window %d weekday %d", i, w->weekday);
        FUZZ_CHECK(w->open_min >= 0 && w->open_min < w->close_min && w->close_min <= 1440,
                   "window %d %d-%d", i, w->open_min, w->close_min);
        if (i > 0) {
            const struct hours_window *p = &wk->w[i - 1];
            FUZZ_CHECK(p->weekday < w->weekday ||
                           (p->weekday == w->weekday && p->close_min <= w->open_min),
                       "windows %d and %d out of order or overlapping", i - 1, i);
        }
    }
}

static void convert(cJSON *j, int create)
{
    struct arena a = {0};
    struct ls_err err = {0};
    /* What a stored resource looks like before a patch overlays the body
     * (and the defaults a create starts from). */
    struct resource res;
    catalogue_defaults(&catalogue_resource, &res);
    if (!create) {
        res.lab_id = 1;
        res.type = "instrument";
        res.name = "Confocal";
    }
    uint64_t present = 0;
    int rc =
        api_field_read(&catalogue_resource.shape, j, create, 1, NULL, &a, &res, &present, &err);
    if (rc == LS_OK) {
        check_resource(&res, create);
    } else {
        FUZZ_CHECK(rc == LS_EVALIDATION, "gave %d", rc);
        /* The field names the offending member: "" only for a member named "". */
        FUZZ_CHECK(err.field[0] || cJSON_GetObjectItemCaseSensitive(j, ""),
                   "a 422 that names no field: %s", err.message);
        FUZZ_CHECK(err.message[0] && err.message_pl[0], "a 422 without a message");
    }
    arena_release(&a);
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
        convert(j, 1);
        convert(j, 0);
        cJSON_Delete(j);
    }
    guarded_free(&body);
    return 0;
}
