/* api_import.c — HTTP routes of calendar import (calendar_import.h):
 * calendar sources of a resource and the one-off upload of a file. */
#include "api.h"

#include <string.h>

#include "calendar_import.h"
#include "json.h"
#include "timeutil.h"

static cJSON *source_json(const struct import_source *s)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "id", (double)s->id);
    cJSON_AddNumberToObject(o, "resource_id", (double)s->resource_id);
    cJSON_AddStringToObject(o, "kind", s->kind);
    json_add_str_or_null(o, "url", s->url);
    cJSON_AddStringToObject(o, "name", s->name);
    json_add_time(o, "created", s->created);
    json_add_time_or_null(o, "last_fetch", s->last_fetch, s->last_fetch == 0);
    json_add_str_or_null(o, "last_status", s->last_status);
    json_add_str_or_null(o, "error", s->error);
    json_add_str_or_null(o, "error_code", s->error_code);
    cJSON_AddNumberToObject(o, "events", (double)s->events);
    cJSON *c = cJSON_AddArrayToObject(o, "conflicts");
    for (int i = 0; i < s->nconflicts; i++)
        cJSON_AddItemToArray(c, cJSON_CreateNumber((double)s->conflicts[i]));
    json_add_time_or_null(o, "next_fetch", s->next_fetch, s->next_fetch == 0);
    return o;
}

static int post_source(struct req *r)
{
    static const char *const fields[] = {"url", "name", NULL};
    int64_t id;
    const char *url = NULL, *name = NULL;
    int rc = http_param_id(r, 0, &id);
    if (!rc)
        rc = json_only(r->json, fields, &r->err);
    if (!rc)
        rc = json_string(r->json, "url", 1, 0, IMPORT_URL_MAX, &r->arena, &url, NULL, &r->err);
    if (!rc)
        rc = json_string(r->json, "name", 1, 0, 4 * IMPORT_NAME_MAX, &r->arena, &name, NULL,
                         &r->err);
    struct import_source s;
    if (!rc)
        rc = import_source_add(r->db, r->user, id, url, name, tu_now(), &r->arena, &s, &r->err);
    if (rc)
        return rc;
    auth_audit(r->db, r->user->id, "calendar.subscribe", "calendar_source", s.id, s.url,
               r->client_ip);
    return http_send_json(r, 201, source_json(&s));
}

static int get_sources(struct req *r)
{
    int64_t id;
    int rc = http_param_id(r, 0, &id);
    struct import_source *v = NULL;
    int n = 0;
    if (!rc)
        rc = import_source_list(r->db, r->user, id, tu_now(), &r->arena, &v, &n, &r->err);
    if (rc)
        return rc;
    cJSON *items = cJSON_CreateArray();
    for (int i = 0; i < n; i++)
        cJSON_AddItemToArray(items, source_json(&v[i]));
    return http_send_list(r, items, n);
}

static int get_source(struct req *r)
{
    int64_t id;
    struct import_source s;
    int rc = http_param_id(r, 0, &id);
    if (!rc)
        rc = import_source_get(r->db, r->user, id, tu_now(), &r->arena, &s, &r->err);
    return rc ? rc : http_send_json(r, 200, source_json(&s));
}

static int delete_source(struct req *r)
{
    int64_t id;
    int rc = http_param_id(r, 0, &id);
    if (!rc)
        rc = import_source_delete(r->db, r->user, id, &r->err);
    if (rc)
        return rc;
    auth_audit(r->db, r->user->id, "calendar.delete", "calendar_source", id, NULL, r->client_ip);
    return http_send_empty(r, 204);
}

static int refresh_source(struct req *r)
{
    int64_t id;
    struct import_source s;
    int rc = http_param_id(r, 0, &id);
    if (!rc)
        rc = import_source_refresh(r->db, r->user, id, tu_now(), &r->arena, &s, &r->err);
    return rc ? rc : http_send_json(r, 200, source_json(&s));
}

/* The body is the .ics file itself; its name comes in the query. */
static int post_import(struct req *r)
{
    int64_t id;
    int rc = http_param_id(r, 0, &id);
    if (rc)
        return rc;
    const char *name = http_query(r, "name");
    if (!name || !*name)
        name = "calendar.ics";
    if (!json_text_ok(name, strlen(name), 0))
        return ls_err_set(&r->err, LS_EVALIDATION, "name", "not valid text");
    struct import_source s;
    rc = import_upload(r->db, r->user, id, name, r->body ? r->body : "", r->body_len, tu_now(),
                       &r->arena, &s, &r->err);
    if (rc)
        return rc;
    auth_audit(r->db, r->user->id, "calendar.upload", "calendar_source", s.id, name, r->client_ip);
    return http_send_json(r, 201, source_json(&s));
}

/* clang-format off */
const struct route api_import_routes[] = {
    {"POST", "/api/v1/resources/{id}/calendar-sources", post_source, ACCESS_OWNER, 8192, 0, "calendars", "Subscribe a resource to an external calendar (.ics URL): its busy events become blackouts"},
    {"GET", "/api/v1/resources/{id}/calendar-sources", get_sources, ACCESS_OWNER, 0, 0, "calendars", "The external calendars of a resource, with status and conflicts"},
    {"GET", "/api/v1/calendar-sources/{id}", get_source, ACCESS_OWNER, 0, 0, "calendars", "One external calendar: last fetch, status, error, events, conflicts"},
    {"DELETE", "/api/v1/calendar-sources/{id}", delete_source, ACCESS_OWNER, 0, 0, "calendars", "Remove an external calendar and its blackouts"},
    {"POST", "/api/v1/calendar-sources/{id}/refresh", refresh_source, ACCESS_OWNER, 1024, 0, "calendars", "Fetch an external calendar now; answers it after the fetch"},
    {"POST", "/api/v1/resources/{id}/blackouts/import", post_import, ACCESS_OWNER, IMPORT_UPLOAD_MAX, ROUTE_RAW_BODY, "calendars", "Create blackouts once from an uploaded .ics file (text/calendar body, at most 1 MB)"},
    {0},
};
/* clang-format on */
