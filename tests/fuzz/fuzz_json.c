/* fuzz_json.c — a request body as the dispatcher sees it:
 * json_parse_object(), then api_field_read() over a field table that holds
 * every field type, as a create and as a change, the way every route turns
 * a body into a struct. What is accepted must satisfy its field's checks and
 * print back (api_field_json) as JSON that parses again. */
#include <math.h>

#include "api_field.h"
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

static const struct field_choice KINDS[] = {
    {"office", {"office", "biuro"}},
    {"lab", {"lab", "laboratorium"}},
    {NULL, {NULL, NULL}},
};

struct body {
    int64_t id, start, end;
    const char *name, *email, *note, *kind;
    int count, active, state;
    double area_m2;
    struct field_ids parts;
    struct hours_week hours;
};

static const struct field FIELDS[] = {
    FIELD(struct body, id, "id", FT_ID, FF_NULLABLE, LABEL("Id", "Id")),
    FIELD(struct body, name, "name", FT_TEXT, FF_REQUIRED, .max = 20, LABEL("Name", "Nazwa")),
    FIELD(struct body, email, "email", FT_TEXT, FF_NULLABLE | FF_URL, .max = 60,
          LABEL("Site", "Strona")),
    FIELD(struct body, note, "note", FT_TEXT, FF_MULTILINE, .max = 50, LABEL("Note", "Uwaga")),
    FIELD(struct body, kind, "kind", FT_ENUM, 0, .choices = KINDS, .def = "lab",
          LABEL("Kind", "Typ")),
    FIELD(struct body, count, "count", FT_INT, 0, .min = -5, .max = 1000, LABEL("N", "N")),
    FIELD(struct body, active, "active", FT_BOOL, 0, LABEL("On", "Wł.")),
    FIELD(struct body, state, "state", FT_CODE, 0, .min = 1, .choices = KINDS,
          LABEL("State", "Stan")),
    FIELD(struct body, area_m2, "area_m2", FT_NUM, FF_NULLABLE | FF_ABOVE_MIN, .min = 0, .max = 1e6,
          LABEL("Area", "Powierzchnia")),
    FIELD(struct body, start, "start", FT_TIME, 0, LABEL("Start", "Początek")),
    FIELD(struct body, end, "end", FT_TIME, FF_NULLABLE, LABEL("End", "Koniec")),
    FIELD(struct body, parts, "parts", FT_IDS, FF_SORTED, .max = 10, LABEL("Parts", "Części")),
    FIELD(struct body, hours, "opening_hours", FT_HOURS, 0, LABEL("Hours", "Godziny")),
    FIELD_END,
};
static const struct shape shape = {"Body", FIELDS, sizeof(struct body), {"body", "treść"}, NULL};

static void read_as(const cJSON *j, int creating)
{
    struct arena a = {0};
    struct ls_err err = {0};
    struct body b;
    field_defaults(&shape, &b);
    if (!creating)
        b.name = "Stored"; /* a change lays the body over a valid stored object */
    uint64_t present = 0;
    int rc = api_field_read(&shape, j, creating, 0, NULL, &a, &b, &present, &err);
    if (rc != LS_OK) {
        FUZZ_CHECK(rc == LS_EVALIDATION, "gave %d", rc);
        FUZZ_CHECK(err.field[0] || cJSON_GetObjectItemCaseSensitive(j, ""),
                   "a 422 naming no field: %s", err.message);
        FUZZ_CHECK(err.message[0] && err.message_pl[0], "a 422 without a message");
        arena_release(&a);
        return;
    }
    /* Everything accepted satisfies its field, and prints back as JSON. */
    FUZZ_CHECK(field_check(&shape, &b, creating, &err) == LS_OK, "accepted, then refused: %s",
               err.field);
    FUZZ_CHECK(field_chars(b.name) <= 20 && field_text_ok(b.name, strlen(b.name), 0),
               "name accepted bad text");
    FUZZ_CHECK(!b.note || field_text_ok(b.note, strlen(b.note), 1), "note accepted bad text");
    FUZZ_CHECK(isnan(b.area_m2) || (b.area_m2 > 0 && b.area_m2 <= 1e6), "area %g", b.area_m2);
    cJSON *out = api_field_json(&shape, &b);
    char *text = cJSON_PrintUnformatted(out);
    cJSON *again = NULL;
    struct ls_err e2 = {0};
    FUZZ_CHECK(text && json_parse_object(&again, text, strlen(text), &e2) == LS_OK,
               "output does not parse back: %s", text ? text : "(null)");
    cJSON_Delete(again);
    free(text);
    cJSON_Delete(out);
    arena_release(&a);
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
    read_as(j, 1);
    read_as(j, 0);
    cJSON_Delete(j);
    guarded_free(&body);
    return 0;
}
