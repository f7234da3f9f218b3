/* api_import.c — HTTP routes of calendar import (calendar_import.h):
 * calendar sources of a resource and the one-off upload of a file. */
#include "api.h"

#include <string.h>

#include "api_field.h"
#include "calendar_import.h"
#include "catalogue.h"
#include "json.h"
#include "timeutil.h"

static const struct field_choice KINDS[] = {
    {"url", {"subscribed address", "subskrybowany adres"}},
    {"file", {"uploaded file", "przesłany plik"}},
    {NULL, {NULL, NULL}},
};

#define S(member, json, ft, fl, ...)                                                               \
    FIELD(struct import_source, member, json, ft, FF_OUT | (fl), __VA_ARGS__)
static const struct field SOURCE_FIELDS[] = {
    S(id, "id", FT_ID, 0, LABEL("Id", "Identyfikator")),
    S(resource_id, "resource_id", FT_ID, 0, .ref = &catalogue_resource.shape,
      LABEL("Resource", "Zasób")),
    S(kind, "kind", FT_ENUM, 0, .choices = KINDS, LABEL("Kind", "Rodzaj")),
    S(url, "url", FT_TEXT, FF_NULLABLE, LABEL("Address", "Adres")),
    S(name, "name", FT_TEXT, 0, LABEL("Name", "Nazwa")),
    S(created, "created", FT_TIME, 0, LABEL("Added", "Dodano")),
    S(last_fetch, "last_fetch", FT_TIME, FF_NULLABLE, LABEL("Last fetched", "Ostatnio pobrano")),
    S(last_status, "last_status", FT_TEXT, FF_NULLABLE, LABEL("Last status", "Ostatni stan"),
      .help = "ok, not_modified or error; null = never fetched"),
    S(error, "error", FT_TEXT, FF_NULLABLE, LABEL("Error", "Błąd"),
      .help = "English detail of the last failure"),
    S(error_code, "error_code", FT_TEXT, FF_NULLABLE, LABEL("Error kind", "Rodzaj błędu"),
      .help = "too_large, refused, redirects, timeout, network, http or invalid"),
    S(events, "events", FT_LONG, 0, LABEL("Blackouts", "Wyłączenia")),
    S(conflicts, "conflicts", FT_IDS, 0, LABEL("Conflicting bookings", "Kolidujące rezerwacje"),
      .help = "pending or approved bookings, not ended, that overlap its blackouts"),
    S(next_fetch, "next_fetch", FT_TIME, FF_NULLABLE, LABEL("Next fetch", "Następne pobranie")),
    FIELD_END,
};
static const struct shape source_shape = {"CalendarSource",
                                          SOURCE_FIELDS,
                                          sizeof(struct import_source),
                                          {"external calendar", "zewnętrzny kalendarz"},
                                          "An external calendar whose busy events are blackouts"};

struct subscribe {
    const char *url, *name;
};
static const struct field SUBSCRIBE_FIELDS[] = {
    FIELD(struct subscribe, url, "url", FT_TEXT, FF_REQUIRED, .max = IMPORT_URL_MAX,
          LABEL("Calendar address", "Adres kalendarza"),
          .help = "http, https or webcal; loopback and private addresses are refused"),
    FIELD(struct subscribe, name, "name", FT_TEXT, FF_REQUIRED, .max = IMPORT_NAME_MAX,
          LABEL("Name", "Nazwa")),
    FIELD_END,
};
static const struct shape subscribe_shape = {.fields = SUBSCRIBE_FIELDS,
                                             .size = sizeof(struct subscribe)};
static const struct field NOTHING[] = {FIELD_END};
static const struct shape empty_shape = {.fields = NOTHING, .size = sizeof(struct subscribe)};

struct upload_query {
    const char *name;
};
static const struct field UPLOAD_QUERY[] = {
    FIELD(struct upload_query, name, "name", FT_TEXT, 0, .max = IMPORT_NAME_MAX,
          .def = "calendar.ics", LABEL("Name", "Nazwa")),
    FIELD_END,
};
static const struct shape upload_query = {.fields = UPLOAD_QUERY,
                                          .size = sizeof(struct upload_query)};

static int locate_source(const struct route_object *o, struct req *r, int64_t id, void **obj,
                         int64_t *org, int64_t *owner)
{
    (void)o;
    *obj = NULL;
    *owner = 0;
    return import_source_org(r->db, id, org, &r->err);
}

static const struct route_object source_object = {
    "calendar source", &source_shape, locate_source, NULL, 0, "the resource's organisation"};

static cJSON *source_json(const struct import_source *s)
{
    return api_field_json(&source_shape, s);
}

static int post_source(struct req *r)
{
    const struct subscribe *in = r->input;
    struct import_source s;
    int rc = import_source_add(r->db, r->user, r->obj_id, in->url, in->name, tu_now(), &r->arena,
                               &s, &r->err);
    if (rc)
        return rc;
    auth_audit(r->db, r->user->id, "calendar.subscribe", "calendar_source", s.id, s.url,
               r->client_ip);
    return http_send_json(r, 201, source_json(&s));
}

static int get_sources(struct req *r)
{
    struct import_source *v = NULL;
    int n = 0;
    int rc = import_source_list(r->db, r->user, r->obj_id, tu_now(), &r->arena, &v, &n, &r->err);
    if (rc)
        return rc;
    cJSON *items = cJSON_CreateArray();
    for (int i = 0; i < n; i++)
        cJSON_AddItemToArray(items, source_json(&v[i]));
    return http_send_list(r, items, n);
}

static int get_source(struct req *r)
{
    struct import_source s;
    int rc = import_source_get(r->db, r->user, r->obj_id, tu_now(), &r->arena, &s, &r->err);
    return rc ? rc : http_send_json(r, 200, source_json(&s));
}

static int delete_source(struct req *r)
{
    int rc = import_source_delete(r->db, r->user, r->obj_id, &r->err);
    if (rc)
        return rc;
    auth_audit(r->db, r->user->id, "calendar.delete", "calendar_source", r->obj_id, NULL,
               r->client_ip);
    return http_send_empty(r, 204);
}

static int refresh_source(struct req *r)
{
    struct import_source s;
    int rc = import_source_refresh(r->db, r->user, r->obj_id, tu_now(), &r->arena, &s, &r->err);
    return rc ? rc : http_send_json(r, 200, source_json(&s));
}

/* The body is the .ics file itself; its name comes in the query. */
static int post_import(struct req *r)
{
    const char *name = ((const struct upload_query *)r->query)->name;
    struct import_source s;
    int rc = import_upload(r->db, r->user, r->obj_id, name, r->body ? r->body : "", r->body_len,
                           tu_now(), &r->arena, &s, &r->err);
    if (rc)
        return rc;
    auth_audit(r->db, r->user->id, "calendar.upload", "calendar_source", s.id, name, r->client_ip);
    return http_send_json(r, 201, source_json(&s));
}

#define IMPORT_ROUTE(m, p, h, ...)                                                                 \
    {                                                                                              \
        .method = m, .pattern = p, .handler = h, .access = ACCESS_USER, .tag = "calendars",        \
        .need = NEED_MANAGE, __VA_ARGS__                                                           \
    }

const struct route api_import_routes[] = {
    IMPORT_ROUTE("POST", "/api/v1/resources/{id}/calendar-sources", post_source, .body_max = 8192,
                 .flags = ROUTE_CREATES, .object = &api_resource_object, .body = &subscribe_shape,
                 .creating = 1, .answer = &source_shape,
                 .summary = "Subscribe a resource to an external calendar (.ics URL): its busy "
                            "events become blackouts"),
    IMPORT_ROUTE("GET", "/api/v1/resources/{id}/calendar-sources", get_sources,
                 .flags = ROUTE_PAGED, .object = &api_resource_object, .answer = &source_shape,
                 .summary = "The external calendars of a resource, with status and conflicts"),
    IMPORT_ROUTE("GET", "/api/v1/calendar-sources/{id}", get_source, .object = &source_object,
                 .answer = &source_shape,
                 .summary = "One external calendar: last fetch, status, error, events, conflicts"),
    IMPORT_ROUTE("DELETE", "/api/v1/calendar-sources/{id}", delete_source, .flags = ROUTE_EMPTY,
                 .object = &source_object,
                 .summary = "Remove an external calendar and its blackouts"),
    IMPORT_ROUTE("POST", "/api/v1/calendar-sources/{id}/refresh", refresh_source, .body_max = 1024,
                 .object = &source_object, .body = &empty_shape, .answer = &source_shape,
                 .summary = "Fetch an external calendar now; answers it after the fetch"),
    IMPORT_ROUTE("POST", "/api/v1/resources/{id}/blackouts/import", post_import,
                 .body_max = IMPORT_UPLOAD_MAX, .flags = ROUTE_RAW_BODY | ROUTE_CREATES,
                 .object = &api_resource_object, .query = &upload_query, .answer = &source_shape,
                 .body_type = "text/calendar",
                 .summary = "Create blackouts once from an uploaded .ics file (text/calendar "
                            "body, at most 1 MB)"),
    {0},
};
