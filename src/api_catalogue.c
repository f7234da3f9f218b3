/* api_catalogue.c — HTTP routes of the catalogue: organisations, labs,
 * resources, blackouts, services and training records.
 *
 * Every handler follows the API's precedence: the object named by the path
 * must exist (404), then the caller must be allowed to change it (403),
 * then the body must be valid (422), then it may conflict (409). Writes
 * open the write transaction before loading, so "load, overlay the body,
 * save" cannot be overtaken by another writer; the dispatcher rolls back
 * whatever a failed handler left open. */
#include <math.h>
#include <string.h>

#include "api.h"
#include "catalogue.h"
#include "db.h"
#include "json.h"

#define BODY_MAX HTTP_BODY_DEFAULT
#define ID_MAX (INT64_MAX / 2)

/* Output-only fields: sending them back is a 422 that says so. */
static const char *const READ_ONLY[] = {
    "id", "created", "updated", "organisation_name", "resource_count", NULL};

/* ------------------------------------------------------------------ */
/* Helpers                                                              */

static int body_only(struct req *r, const char *const *allowed, const char *const *read_only)
{
    for (const cJSON *c = r->json->child; c; c = c->next) {
        const char *name = c->string ? c->string : "";
        int ok = 0;
        for (const char *const *a = allowed; *a && !ok; a++)
            ok = strcmp(name, *a) == 0;
        if (ok)
            continue;
        for (const char *const *a = read_only; a && *a; a++)
            if (strcmp(name, *a) == 0)
                return ls_err_set(&r->err, LS_EVALIDATION, name, "'%.64s' is read-only", name);
        return ls_err_set(&r->err, LS_EVALIDATION, name, "unknown field '%.64s'", name);
    }
    return LS_OK;
}

static int forbid(struct req *r, const char *what)
{
    return ls_err_set(&r->err, LS_EFORBIDDEN, NULL,
                      "only cluster staff or an owner of the organisation may change its %s", what);
}

/* Staff and owners may create; researchers get 403 before their body is
 * looked at (the route itself is open to every signed-in user). */
static int may_manage_anything(struct req *r)
{
    if (r->user->role == ROLE_STAFF || r->user->role == ROLE_OWNER)
        return LS_OK;
    return ls_err_set(&r->err, LS_EFORBIDDEN, NULL,
                      "only cluster staff or organisation owners may change the catalogue");
}

static int str_field(struct req *r, const char *name, int required, int nullable, size_t max,
                     const char **out)
{
    return json_string(r->json, name, required, nullable, max, &r->arena, out, NULL, &r->err);
}

/* Descriptions and other NOT NULL text: null reads as "". */
static int text_field(struct req *r, const char *name, size_t max, const char **out)
{
    int present = 0;
    const char *v = *out;
    int rc = json_string(r->json, name, 0, 1, max, &r->arena, &v, &present, &r->err);
    if (rc == LS_OK && present)
        *out = v ? v : "";
    return rc;
}

static int int_field(struct req *r, const char *name, int required, int64_t min, int64_t max,
                     int *out)
{
    int64_t v = *out;
    int rc = json_int(r->json, name, required, min, max, &v, NULL, &r->err);
    if (rc == LS_OK)
        *out = (int)v;
    return rc;
}

static int bool_field(struct req *r, const char *name, int *out)
{
    return json_bool(r->json, name, 0, out, NULL, &r->err);
}

/* A positive id in the body. */
static int id_field(struct req *r, const char *name, int required, int64_t *out)
{
    return json_int(r->json, name, required, 1, ID_MAX, out, NULL, &r->err);
}

static int query_text(struct req *r, const char *name, size_t max, const char **out)
{
    const char *s = http_query(r, name);
    *out = NULL;
    if (!s || !*s)
        return LS_OK;
    if (strlen(s) > max)
        return ls_err_set(&r->err, LS_EVALIDATION, name, "'%s' is longer than %zu bytes", name,
                          max);
    if (!json_text_ok(s, strlen(s), 0))
        return ls_err_set(&r->err, LS_EVALIDATION, name,
                          "'%s' must be UTF-8 text without control characters", name);
    *out = s;
    return LS_OK;
}

static int query_bool(struct req *r, const char *name, int *out)
{
    const char *s = http_query(r, name);
    *out = -1;
    if (!s || !*s)
        return LS_OK;
    if (strcmp(s, "true") == 0 || strcmp(s, "1") == 0)
        *out = 1;
    else if (strcmp(s, "false") == 0 || strcmp(s, "0") == 0)
        *out = 0;
    else
        return ls_err_set(&r->err, LS_EVALIDATION, name, "'%s' must be true or false", name);
    return LS_OK;
}

static int query_id(struct req *r, const char *name, int64_t *out)
{
    *out = 0;
    return http_query_int(r, name, 1, ID_MAX, out, NULL);
}

static void add_text_or_null(cJSON *o, const char *name, const char *s)
{
    json_add_str_or_null(o, name, s);
}

/* ------------------------------------------------------------------ */
/* JSON shapes                                                          */

static cJSON *org_json(const struct organisation *o)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddNumberToObject(j, "id", (double)o->id);
    cJSON_AddStringToObject(j, "name", o->name);
    cJSON_AddStringToObject(j, "short_name", o->short_name);
    cJSON_AddStringToObject(j, "group", o->group);
    cJSON_AddStringToObject(j, "package", o->package);
    cJSON_AddBoolToObject(j, "member", o->member);
    add_text_or_null(j, "city", o->city);
    add_text_or_null(j, "website", o->website);
    cJSON_AddStringToObject(j, "description", o->description);
    json_add_time(j, "created", o->created);
    json_add_time(j, "updated", o->updated);
    return j;
}

static cJSON *lab_json(const struct lab *l)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddNumberToObject(j, "id", (double)l->id);
    cJSON_AddNumberToObject(j, "organisation_id", (double)l->organisation_id);
    cJSON_AddStringToObject(j, "organisation_name",
                            l->organisation_name ? l->organisation_name : "");
    cJSON_AddStringToObject(j, "name", l->name);
    cJSON_AddStringToObject(j, "kind", l->kind);
    cJSON_AddNumberToObject(j, "area_m2", l->area_m2);
    if (l->energy_is_null)
        cJSON_AddNullToObject(j, "energy_kwh_per_m2_year");
    else
        cJSON_AddNumberToObject(j, "energy_kwh_per_m2_year", l->energy_kwh_per_m2_year);
    add_text_or_null(j, "building", l->building);
    add_text_or_null(j, "address", l->address);
    add_text_or_null(j, "city", l->city);
    cJSON_AddNumberToObject(j, "biosafety_level", l->biosafety_level);
    cJSON_AddStringToObject(j, "description", l->description);
    cJSON_AddNumberToObject(j, "resource_count", l->resource_count);
    json_add_time(j, "created", l->created);
    json_add_time(j, "updated", l->updated);
    return j;
}

static cJSON *hours_json(const struct hours_week *wk)
{
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < wk->n; i++) {
        char open[6], close[6];
        hours_format_hhmm(wk->w[i].open_min, open);
        hours_format_hhmm(wk->w[i].close_min, close);
        cJSON *w = cJSON_CreateObject();
        cJSON_AddNumberToObject(w, "weekday", wk->w[i].weekday);
        cJSON_AddStringToObject(w, "open", open);
        cJSON_AddStringToObject(w, "close", close);
        cJSON_AddItemToArray(a, w);
    }
    return a;
}

static cJSON *resource_json(const struct resource *res, int trained)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddNumberToObject(j, "id", (double)res->id);
    cJSON_AddNumberToObject(j, "lab_id", (double)res->lab_id);
    cJSON_AddNumberToObject(j, "organisation_id", (double)res->organisation_id);
    cJSON_AddStringToObject(j, "lab_name", res->lab_name ? res->lab_name : "");
    cJSON_AddStringToObject(j, "organisation_name",
                            res->organisation_name ? res->organisation_name : "");
    cJSON_AddStringToObject(j, "organisation_short_name",
                            res->organisation_short_name ? res->organisation_short_name : "");
    cJSON_AddStringToObject(j, "type", res->type);
    cJSON_AddStringToObject(j, "name", res->name);
    cJSON_AddStringToObject(j, "category", res->category);
    cJSON_AddStringToObject(j, "description", res->description);
    cJSON_AddBoolToObject(j, "shared", res->shared);
    cJSON_AddBoolToObject(j, "requires_approval", res->requires_approval);
    cJSON_AddBoolToObject(j, "requires_training", res->requires_training);
    cJSON_AddNumberToObject(j, "power_kw", res->power_kw);
    cJSON_AddNumberToObject(j, "standby_kw", res->standby_kw);
    cJSON_AddNumberToObject(j, "slot_minutes", res->slot_minutes);
    cJSON_AddNumberToObject(j, "min_minutes", res->min_minutes);
    cJSON_AddNumberToObject(j, "max_minutes", res->max_minutes);
    cJSON_AddItemToObject(j, "opening_hours", hours_json(&res->hours));
    add_text_or_null(j, "city", res->city);
    cJSON_AddNumberToObject(j, "biosafety_level", res->biosafety_level);
    cJSON_AddBoolToObject(j, "trained", trained);
    json_add_time(j, "created", res->created);
    json_add_time(j, "updated", res->updated);
    return j;
}

static cJSON *blackout_json(const struct blackout *b)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddNumberToObject(j, "id", (double)b->id);
    cJSON_AddNumberToObject(j, "resource_id", (double)b->resource_id);
    json_add_time(j, "start", b->start);
    json_add_time(j, "end", b->end);
    cJSON_AddStringToObject(j, "reason", b->reason ? b->reason : "");
    json_add_time(j, "created", b->created);
    json_add_id_or_null(j, "source_id", b->source_id); /* imported calendars */
    json_add_str_or_null(j, "uid", b->uid);
    return j;
}

static cJSON *service_json(const struct service *s)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddNumberToObject(j, "id", (double)s->id);
    cJSON_AddNumberToObject(j, "organisation_id", (double)s->organisation_id);
    cJSON_AddStringToObject(j, "organisation_name",
                            s->organisation_name ? s->organisation_name : "");
    cJSON_AddStringToObject(j, "name", s->name);
    cJSON_AddStringToObject(j, "description", s->description);
    cJSON *ids = cJSON_AddArrayToObject(j, "resource_ids");
    for (int i = 0; i < s->nresources; i++)
        cJSON_AddItemToArray(ids, cJSON_CreateNumber((double)s->resource_ids[i]));
    json_add_time(j, "created", s->created);
    json_add_time(j, "updated", s->updated);
    return j;
}

static cJSON *training_json(const struct training *t)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddNumberToObject(j, "resource_id", (double)t->resource_id);
    cJSON_AddNumberToObject(j, "user_id", (double)t->user_id);
    cJSON_AddStringToObject(j, "name", t->user_name ? t->user_name : "");
    cJSON_AddStringToObject(j, "email", t->user_email ? t->user_email : "");
    json_add_id_or_null(j, "granted_by", t->granted_by);
    json_add_time(j, "granted_at", t->granted_at);
    return j;
}

/* ------------------------------------------------------------------ */
/* Bodies → structs. create = 1 enforces the required fields.           */

static int org_from_json(struct req *r, struct organisation *o, int create)
{
    static const char *const fields[] = {"name", "short_name", "group",       "package", "member",
                                         "city", "website",    "description", NULL};
    int rc = body_only(r, fields, READ_ONLY);
    if (!rc)
        rc = str_field(r, "name", create, 0, CATALOGUE_NAME_MAX, &o->name);
    if (!rc)
        rc = text_field(r, "short_name", CATALOGUE_SHORT_MAX, &o->short_name);
    if (!rc)
        rc = json_enum(r->json, "group", create, catalogue_groups, &o->group, NULL, &r->err);
    if (!rc)
        rc = json_enum(r->json, "package", 0, catalogue_packages, &o->package, NULL, &r->err);
    if (!rc)
        rc = bool_field(r, "member", &o->member);
    if (!rc)
        rc = str_field(r, "city", 0, 1, CATALOGUE_LINE_MAX, &o->city);
    if (!rc)
        rc = str_field(r, "website", 0, 1, CATALOGUE_LINE_MAX, &o->website);
    if (!rc)
        rc = text_field(r, "description", CATALOGUE_TEXT_MAX, &o->description);
    return rc;
}

static const char *const LAB_FIELDS[] = {
    "organisation_id",        "name",        "kind",    "area_m2",
    "energy_kwh_per_m2_year", "building",    "address", "city",
    "biosafety_level",        "description", NULL};

/* Everything but organisation_id, which the caller reads first (it decides
 * who may write). */
static int lab_from_json(struct req *r, struct lab *l, int create)
{
    int rc = body_only(r, LAB_FIELDS, READ_ONLY);
    if (!rc)
        rc = str_field(r, "name", create, 0, CATALOGUE_NAME_MAX, &l->name);
    if (!rc)
        rc = json_enum(r->json, "kind", create, catalogue_kinds, &l->kind, NULL, &r->err);
    if (!rc)
        rc = json_number(r->json, "area_m2", create, 0, -HUGE_VAL, HUGE_VAL, &l->area_m2, NULL,
                         NULL, &r->err);
    if (!rc) {
        int is_null = 0, present = 0;
        double v = 0;
        rc = json_number(r->json, "energy_kwh_per_m2_year", 0, 1, -HUGE_VAL, HUGE_VAL, &v, &is_null,
                         &present, &r->err);
        if (!rc && present) {
            l->energy_is_null = is_null;
            l->energy_kwh_per_m2_year = is_null ? 0 : v;
        }
    }
    if (!rc)
        rc = str_field(r, "building", 0, 1, CATALOGUE_LINE_MAX, &l->building);
    if (!rc)
        rc = str_field(r, "address", 0, 1, CATALOGUE_LINE_MAX, &l->address);
    if (!rc)
        rc = str_field(r, "city", 0, 1, CATALOGUE_LINE_MAX, &l->city);
    if (!rc)
        rc = int_field(r, "biosafety_level", 0, 0, 4, &l->biosafety_level);
    if (!rc)
        rc = text_field(r, "description", CATALOGUE_TEXT_MAX, &l->description);
    return rc;
}

/* opening_hours: [{"weekday": 1-7, "open": "HH:MM", "close": "HH:MM"}]. */
static int hours_from_json(struct req *r, struct hours_week *out)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(r->json, "opening_hours");
    if (!a)
        return LS_OK;
    if (!cJSON_IsArray(a))
        return ls_err_set(&r->err, LS_EVALIDATION, "opening_hours",
                          "'opening_hours' must be an array of {weekday, open, close}");
    int n = cJSON_GetArraySize(a);
    if (n > HOURS_MAX_WINDOWS)
        return ls_err_set(&r->err, LS_EVALIDATION, "opening_hours",
                          "at most %d opening windows a week", HOURS_MAX_WINDOWS);
    struct hours_week wk = {0};
    int i = 0;
    for (const cJSON *w = a->child; w; w = w->next, i++) {
        if (!cJSON_IsObject(w))
            return ls_err_set(&r->err, LS_EVALIDATION, "opening_hours",
                              "opening_hours[%d] must be an object {weekday, open, close}", i);
        for (const cJSON *m = w->child; m; m = m->next)
            if (!m->string || (strcmp(m->string, "weekday") && strcmp(m->string, "open") &&
                               strcmp(m->string, "close")))
                return ls_err_set(&r->err, LS_EVALIDATION, "opening_hours",
                                  "opening_hours[%d] has an unknown field '%.32s'", i,
                                  m->string ? m->string : "");
        const cJSON *wd = cJSON_GetObjectItemCaseSensitive(w, "weekday");
        const cJSON *op = cJSON_GetObjectItemCaseSensitive(w, "open");
        const cJSON *cl = cJSON_GetObjectItemCaseSensitive(w, "close");
        if (!cJSON_IsNumber(wd) || wd->valuedouble != floor(wd->valuedouble) ||
            wd->valuedouble < 1 || wd->valuedouble > 7)
            return ls_err_set(&r->err, LS_EVALIDATION, "opening_hours",
                              "opening_hours[%d].weekday must be 1 (Monday) to 7 (Sunday)", i);
        struct hours_window *hw = &wk.w[wk.n];
        hw->weekday = (int)wd->valuedouble;
        if (!cJSON_IsString(op) || hours_parse_hhmm(op->valuestring, 0, &hw->open_min) != 0)
            return ls_err_set(&r->err, LS_EVALIDATION, "opening_hours",
                              "opening_hours[%d].open must be a time \"HH:MM\" (00:00-23:59)", i);
        if (!cJSON_IsString(cl) || hours_parse_hhmm(cl->valuestring, 1, &hw->close_min) != 0)
            return ls_err_set(&r->err, LS_EVALIDATION, "opening_hours",
                              "opening_hours[%d].close must be a time \"HH:MM\" (up to 24:00)", i);
        wk.n++;
    }
    if (hours_normalise(&wk, &r->err))
        return LS_EVALIDATION;
    *out = wk;
    return LS_OK;
}

static const char *const RESOURCE_FIELDS[] = {"lab_id",
                                              "type",
                                              "name",
                                              "category",
                                              "description",
                                              "shared",
                                              "requires_approval",
                                              "requires_training",
                                              "power_kw",
                                              "standby_kw",
                                              "slot_minutes",
                                              "min_minutes",
                                              "max_minutes",
                                              "opening_hours",
                                              NULL};
static const char *const RESOURCE_READ_ONLY[] = {"id",
                                                 "created",
                                                 "updated",
                                                 "organisation_id",
                                                 "organisation_name",
                                                 "lab_name",
                                                 "organisation_short_name",
                                                 "city",
                                                 "biosafety_level",
                                                 "trained",
                                                 NULL};

/* Everything but lab_id (read first by the caller). */
static int resource_from_json(struct req *r, struct resource *res, int create)
{
    int rc = body_only(r, RESOURCE_FIELDS, RESOURCE_READ_ONLY);
    if (!rc)
        rc = json_enum(r->json, "type", create, catalogue_types, &res->type, NULL, &r->err);
    if (!rc)
        rc = str_field(r, "name", create, 0, CATALOGUE_NAME_MAX, &res->name);
    if (!rc)
        rc = text_field(r, "category", CATALOGUE_LINE_MAX, &res->category);
    if (!rc)
        rc = text_field(r, "description", CATALOGUE_TEXT_MAX, &res->description);
    if (!rc)
        rc = bool_field(r, "shared", &res->shared);
    if (!rc)
        rc = bool_field(r, "requires_approval", &res->requires_approval);
    if (!rc)
        rc = bool_field(r, "requires_training", &res->requires_training);
    if (!rc)
        rc = json_number(r->json, "power_kw", 0, 0, -HUGE_VAL, HUGE_VAL, &res->power_kw, NULL, NULL,
                         &r->err);
    if (!rc)
        rc = json_number(r->json, "standby_kw", 0, 0, -HUGE_VAL, HUGE_VAL, &res->standby_kw, NULL,
                         NULL, &r->err);
    if (!rc)
        rc = int_field(r, "slot_minutes", 0, 1, 1440, &res->slot_minutes);
    if (!rc)
        rc = int_field(r, "min_minutes", 0, 1, CATALOGUE_MINUTES_MAX, &res->min_minutes);
    if (!rc)
        rc = int_field(r, "max_minutes", 0, 1, CATALOGUE_MINUTES_MAX, &res->max_minutes);
    if (!rc)
        rc = hours_from_json(r, &res->hours);
    return rc;
}

int api_resource_from_json(struct req *r, struct resource *res, int create)
{
    return resource_from_json(r, res, create);
}

static const char *const SERVICE_FIELDS[] = {"organisation_id", "name", "description",
                                             "resource_ids", NULL};

static int service_from_json(struct req *r, struct service *s, int create)
{
    int rc = body_only(r, SERVICE_FIELDS, READ_ONLY);
    if (!rc)
        rc = str_field(r, "name", create, 0, CATALOGUE_NAME_MAX, &s->name);
    if (!rc)
        rc = text_field(r, "description", CATALOGUE_TEXT_MAX, &s->description);
    const cJSON *ids = rc ? NULL : cJSON_GetObjectItemCaseSensitive(r->json, "resource_ids");
    if (ids) {
        if (!cJSON_IsArray(ids))
            return ls_err_set(&r->err, LS_EVALIDATION, "resource_ids",
                              "'resource_ids' must be an array of resource ids");
        int n = cJSON_GetArraySize(ids);
        if (n > CATALOGUE_SERVICE_RESOURCES_MAX)
            return ls_err_set(&r->err, LS_EVALIDATION, "resource_ids",
                              "at most %d resources per service", CATALOGUE_SERVICE_RESOURCES_MAX);
        s->resource_ids = arena_alloc(&r->arena, (size_t)(n ? n : 1) * sizeof *s->resource_ids);
        s->nresources = 0;
        for (const cJSON *c = ids->child; c; c = c->next) {
            if (!cJSON_IsNumber(c) || c->valuedouble != floor(c->valuedouble) ||
                c->valuedouble < 1 || c->valuedouble > (double)ID_MAX)
                return ls_err_set(&r->err, LS_EVALIDATION, "resource_ids",
                                  "'resource_ids' must hold positive whole numbers");
            s->resource_ids[s->nresources++] = (int64_t)c->valuedouble;
        }
    }
    return rc;
}

/* ------------------------------------------------------------------ */
/* Organisations                                                        */

static int list_orgs(struct req *r)
{
    int64_t limit, offset;
    struct org_filter f = {0};
    int rc = http_paging(r, &limit, &offset);
    if (!rc)
        rc = http_query_enum(r, "group", catalogue_groups, &f.group, NULL);
    if (!rc)
        rc = http_query_enum(r, "package", catalogue_packages, &f.package, NULL);
    if (!rc)
        rc = query_bool(r, "member", &f.member);
    if (!rc)
        rc = query_text(r, "city", CATALOGUE_LINE_MAX, &f.city);
    if (!rc)
        rc = query_text(r, "q", CATALOGUE_Q_MAX, &f.q);
    struct organisation *items = NULL;
    int n = 0;
    int64_t total = 0;
    if (!rc)
        rc = catalogue_org_list(r->db, &f, limit, offset, &r->arena, &items, &n, &total, &r->err);
    if (rc)
        return rc;
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < n; i++)
        cJSON_AddItemToArray(a, org_json(&items[i]));
    return http_send_list(r, a, total);
}

static int get_org(struct req *r)
{
    int64_t id;
    struct organisation o;
    int rc = http_param_id(r, 0, &id);
    if (!rc)
        rc = catalogue_org_get(r->db, id, &r->arena, &o, &r->err);
    return rc ? rc : http_send_json(r, 200, org_json(&o));
}

static int post_org(struct req *r)
{
    struct organisation o;
    catalogue_org_defaults(&o);
    int rc = org_from_json(r, &o, 1);
    if (!rc)
        rc = db_begin_write(r->db, &r->err);
    if (!rc)
        rc = catalogue_org_save(r->db, &o, &r->err);
    if (!rc) {
        auth_audit(r->db, r->user->id, "organisation.create", "organisation", o.id, o.name,
                   r->client_ip);
        rc = db_commit(r->db, &r->err);
    }
    if (!rc)
        rc = catalogue_org_get(r->db, o.id, &r->arena, &o, &r->err);
    return rc ? rc : http_send_json(r, 201, org_json(&o));
}

static int patch_org(struct req *r)
{
    int64_t id;
    struct organisation o;
    int rc = http_param_id(r, 0, &id);
    if (!rc)
        rc = db_begin_write(r->db, &r->err);
    if (!rc)
        rc = catalogue_org_get(r->db, id, &r->arena, &o, &r->err);
    if (!rc && !authz_is_staff(r->user))
        rc =
            ls_err_set(&r->err, LS_EFORBIDDEN, NULL, "only cluster staff may change organisations");
    if (!rc)
        rc = org_from_json(r, &o, 0);
    if (!rc)
        rc = catalogue_org_save(r->db, &o, &r->err);
    if (!rc) {
        auth_audit(r->db, r->user->id, "organisation.update", "organisation", id, NULL,
                   r->client_ip);
        rc = db_commit(r->db, &r->err);
    }
    if (!rc)
        rc = catalogue_org_get(r->db, id, &r->arena, &o, &r->err);
    return rc ? rc : http_send_json(r, 200, org_json(&o));
}

static int delete_org(struct req *r)
{
    int64_t id;
    struct organisation o;
    int rc = http_param_id(r, 0, &id);
    if (!rc)
        rc = db_begin_write(r->db, &r->err);
    if (!rc)
        rc = catalogue_org_get(r->db, id, &r->arena, &o, &r->err);
    if (!rc && !authz_is_staff(r->user))
        rc =
            ls_err_set(&r->err, LS_EFORBIDDEN, NULL, "only cluster staff may delete organisations");
    if (!rc)
        rc = catalogue_org_delete(r->db, id, &r->err);
    if (!rc) {
        auth_audit(r->db, r->user->id, "organisation.delete", "organisation", id, o.name,
                   r->client_ip);
        rc = db_commit(r->db, &r->err);
    }
    return rc ? rc : http_send_empty(r, 204);
}

/* ------------------------------------------------------------------ */
/* Labs                                                                 */

static int list_labs(struct req *r)
{
    int64_t limit, offset;
    struct lab_filter f = {0};
    int rc = http_paging(r, &limit, &offset);
    if (!rc)
        rc = query_id(r, "organisation_id", &f.organisation_id);
    if (!rc)
        rc = http_query_enum(r, "kind", catalogue_kinds, &f.kind, NULL);
    if (!rc)
        rc = http_query_enum(r, "group", catalogue_groups, &f.group, NULL);
    if (!rc)
        rc = query_text(r, "city", CATALOGUE_LINE_MAX, &f.city);
    if (!rc)
        rc = query_text(r, "q", CATALOGUE_Q_MAX, &f.q);
    struct lab *items = NULL;
    int n = 0;
    int64_t total = 0;
    if (!rc)
        rc = catalogue_lab_list(r->db, &f, limit, offset, &r->arena, &items, &n, &total, &r->err);
    if (rc)
        return rc;
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < n; i++)
        cJSON_AddItemToArray(a, lab_json(&items[i]));
    return http_send_list(r, a, total);
}

static int get_lab(struct req *r)
{
    int64_t id;
    struct lab l;
    int rc = http_param_id(r, 0, &id);
    if (!rc)
        rc = catalogue_lab_get(r->db, id, &r->arena, &l, &r->err);
    return rc ? rc : http_send_json(r, 200, lab_json(&l));
}

/* The organisation a new object is created for: 422 if absent or unknown,
 * 403 if the caller does not manage it. */
static int body_org(struct req *r, int64_t *org)
{
    int rc = id_field(r, "organisation_id", 1, org);
    if (!rc) {
        struct organisation o;
        if (catalogue_org_get(r->db, *org, &r->arena, &o, &r->err) != LS_OK)
            rc = ls_err_set(&r->err, LS_EVALIDATION, "organisation_id", "no such organisation");
    }
    if (!rc && !authz_manages_org(r->user, *org))
        rc = forbid(r, "labs, resources and services");
    return rc;
}

static int post_lab(struct req *r)
{
    struct lab l;
    catalogue_lab_defaults(&l);
    int rc = may_manage_anything(r);
    if (!rc)
        rc = db_begin_write(r->db, &r->err);
    if (!rc)
        rc = body_org(r, &l.organisation_id);
    if (!rc)
        rc = lab_from_json(r, &l, 1);
    if (!rc)
        rc = catalogue_lab_save(r->db, &l, &r->err);
    if (!rc) {
        auth_audit(r->db, r->user->id, "lab.create", "lab", l.id, l.name, r->client_ip);
        rc = db_commit(r->db, &r->err);
    }
    if (!rc)
        rc = catalogue_lab_get(r->db, l.id, &r->arena, &l, &r->err);
    return rc ? rc : http_send_json(r, 201, lab_json(&l));
}

static int patch_lab(struct req *r)
{
    int64_t id, org = 0;
    struct lab l;
    int rc = http_param_id(r, 0, &id);
    if (!rc)
        rc = db_begin_write(r->db, &r->err);
    if (!rc)
        rc = catalogue_lab_get(r->db, id, &r->arena, &l, &r->err);
    if (!rc && !authz_manages_org(r->user, l.organisation_id))
        rc = forbid(r, "labs");
    if (!rc)
        rc = lab_from_json(r, &l, 0);
    if (!rc && (rc = id_field(r, "organisation_id", 0, &org)) == LS_OK && org &&
        org != l.organisation_id)
        /* Services, bookings and statistics hang on the owner: a lab that
         * changes hands is a new lab. */
        rc = ls_err_set(&r->err, LS_EVALIDATION, "organisation_id",
                        "a lab cannot move to another organisation; create a new lab there");
    if (!rc)
        rc = catalogue_lab_save(r->db, &l, &r->err);
    if (!rc) {
        auth_audit(r->db, r->user->id, "lab.update", "lab", id, NULL, r->client_ip);
        rc = db_commit(r->db, &r->err);
    }
    if (!rc)
        rc = catalogue_lab_get(r->db, id, &r->arena, &l, &r->err);
    return rc ? rc : http_send_json(r, 200, lab_json(&l));
}

static int delete_lab(struct req *r)
{
    int64_t id;
    struct lab l;
    int rc = http_param_id(r, 0, &id);
    if (!rc)
        rc = db_begin_write(r->db, &r->err);
    if (!rc)
        rc = catalogue_lab_get(r->db, id, &r->arena, &l, &r->err);
    if (!rc && !authz_manages_org(r->user, l.organisation_id))
        rc = forbid(r, "labs");
    if (!rc)
        rc = catalogue_lab_delete(r->db, id, &r->err);
    if (!rc) {
        auth_audit(r->db, r->user->id, "lab.delete", "lab", id, l.name, r->client_ip);
        rc = db_commit(r->db, &r->err);
    }
    return rc ? rc : http_send_empty(r, 204);
}

/* ------------------------------------------------------------------ */
/* Resources                                                            */

static int list_resources(struct req *r)
{
    int64_t limit, offset, lvl = -1;
    struct resource_filter f = {0};
    int has_from = 0, has_to = 0;
    int rc = http_paging(r, &limit, &offset);
    if (!rc)
        rc = query_id(r, "lab_id", &f.lab_id);
    if (!rc)
        rc = query_id(r, "organisation_id", &f.organisation_id);
    if (!rc)
        rc = http_query_enum(r, "type", catalogue_types, &f.type, NULL);
    if (!rc)
        rc = http_query_enum(r, "kind", catalogue_kinds, &f.kind, NULL);
    if (!rc)
        rc = http_query_enum(r, "group", catalogue_groups, &f.group, NULL);
    if (!rc)
        rc = query_text(r, "category", CATALOGUE_LINE_MAX, &f.category);
    if (!rc)
        rc = query_text(r, "city", CATALOGUE_LINE_MAX, &f.city);
    if (!rc)
        rc = query_text(r, "q", CATALOGUE_Q_MAX, &f.q);
    if (!rc)
        rc = query_bool(r, "shared", &f.shared);
    if (!rc)
        rc = query_bool(r, "requires_approval", &f.requires_approval);
    if (!rc)
        rc = http_query_int(r, "biosafety_level_min", 0, 4, &lvl, NULL);
    f.biosafety_level_min = (int)lvl;
    if (!rc)
        rc = http_query_time(r, "free_from", 0, &f.free_from, &has_from);
    if (!rc)
        rc = http_query_time(r, "free_to", 0, &f.free_to, &has_to);
    if (!rc && has_from != has_to)
        rc = ls_err_set(&r->err, LS_EVALIDATION, has_from ? "free_to" : "free_from",
                        "free_from and free_to go together");
    if (!rc && has_from && f.free_to <= f.free_from)
        rc = ls_err_set(&r->err, LS_EVALIDATION, "free_to", "'free_to' must be after 'free_from'");
    f.has_free = has_from;
    int open = -1;
    if (!rc)
        rc = query_bool(r, "open", &open);
    if (!rc && open == 1 && !has_from)
        rc = ls_err_set(&r->err, LS_EVALIDATION, "open", "'open' goes with free_from and free_to");
    f.open_only = open == 1;
    struct resource *items = NULL;
    int n = 0;
    int64_t total = 0;
    if (!rc)
        rc = catalogue_resource_list(r->db, &f, limit, offset, &r->arena, &items, &n, &total,
                                     &r->err);
    if (rc)
        return rc;
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < n; i++)
        cJSON_AddItemToArray(
            a, resource_json(&items[i], catalogue_user_trained(r->db, items[i].id, r->user->id)));
    return http_send_list(r, a, total);
}

static int send_resource(struct req *r, int status, int64_t id)
{
    struct resource res;
    int rc = catalogue_resource_get(r->db, id, &r->arena, &res, &r->err);
    if (rc)
        return rc;
    return http_send_json(r, status,
                          resource_json(&res, catalogue_user_trained(r->db, id, r->user->id)));
}

static int get_resource(struct req *r)
{
    int64_t id;
    int rc = http_param_id(r, 0, &id);
    return rc ? rc : send_resource(r, 200, id);
}

/* The lab a new resource goes into: 422 if absent or unknown, 403 if the
 * caller does not manage its organisation. */
static int body_lab(struct req *r, struct lab *l)
{
    int64_t lab_id = 0;
    int rc = id_field(r, "lab_id", 1, &lab_id);
    if (!rc && catalogue_lab_get(r->db, lab_id, &r->arena, l, &r->err) != LS_OK)
        rc = ls_err_set(&r->err, LS_EVALIDATION, "lab_id", "no such lab");
    if (!rc && !authz_manages_org(r->user, l->organisation_id))
        rc = forbid(r, "resources");
    return rc;
}

static int post_resource(struct req *r)
{
    struct resource res;
    struct lab l;
    catalogue_resource_defaults(&res);
    int rc = may_manage_anything(r);
    if (!rc)
        rc = db_begin_write(r->db, &r->err);
    if (!rc)
        rc = body_lab(r, &l);
    if (!rc)
        res.lab_id = l.id;
    if (!rc)
        rc = resource_from_json(r, &res, 1);
    if (!rc)
        rc = catalogue_resource_save(r->db, &res, &r->err);
    if (!rc) {
        auth_audit(r->db, r->user->id, "resource.create", "resource", res.id, res.name,
                   r->client_ip);
        rc = db_commit(r->db, &r->err);
    }
    return rc ? rc : send_resource(r, 201, res.id);
}

static int patch_resource(struct req *r)
{
    int64_t id, lab_id = 0;
    struct resource res;
    int rc = http_param_id(r, 0, &id);
    if (!rc)
        rc = db_begin_write(r->db, &r->err);
    if (!rc)
        rc = catalogue_resource_get(r->db, id, &r->arena, &res, &r->err);
    if (!rc && !authz_manages_org(r->user, res.organisation_id))
        rc = forbid(r, "resources");
    if (!rc)
        rc = resource_from_json(r, &res, 0);
    if (!rc)
        rc = id_field(r, "lab_id", 0, &lab_id);
    if (!rc && lab_id && lab_id != res.lab_id) {
        /* Moving between the organisation's own labs keeps services and
         * statistics consistent; moving to another owner does not. */
        struct lab l;
        if (catalogue_lab_get(r->db, lab_id, &r->arena, &l, &r->err) != LS_OK)
            rc = ls_err_set(&r->err, LS_EVALIDATION, "lab_id", "no such lab");
        else if (l.organisation_id != res.organisation_id)
            rc = ls_err_set(&r->err, LS_EVALIDATION, "lab_id",
                            "a resource can move only between labs of its organisation");
        else
            res.lab_id = lab_id;
    }
    if (!rc)
        rc = catalogue_resource_save(r->db, &res, &r->err);
    if (!rc) {
        auth_audit(r->db, r->user->id, "resource.update", "resource", id, NULL, r->client_ip);
        rc = db_commit(r->db, &r->err);
    }
    return rc ? rc : send_resource(r, 200, id);
}

/* Loads a resource's owner for a write: 404 if absent, 403 if not managed. */
static int resource_for_write(struct req *r, int64_t id, int64_t *org)
{
    *org = catalogue_resource_org(r->db, id);
    if (*org == 0)
        return ls_err_set(&r->err, LS_ENOTFOUND, NULL, "no such resource");
    if (!authz_manages_org(r->user, *org))
        return forbid(r, "resources");
    return LS_OK;
}

static int delete_resource(struct req *r)
{
    int64_t id, org;
    int rc = http_param_id(r, 0, &id);
    if (!rc)
        rc = db_begin_write(r->db, &r->err);
    if (!rc)
        rc = resource_for_write(r, id, &org);
    if (!rc)
        rc = catalogue_resource_delete(r->db, id, &r->err);
    if (!rc) {
        auth_audit(r->db, r->user->id, "resource.delete", "resource", id, NULL, r->client_ip);
        rc = db_commit(r->db, &r->err);
    }
    return rc ? rc : http_send_empty(r, 204);
}

/* ------------------------------------------------------------------ */
/* Blackouts                                                            */

static int list_blackouts(struct req *r)
{
    int64_t id, limit, offset;
    struct blackout_filter f = {0};
    int rc = http_param_id(r, 0, &id);
    if (!rc && catalogue_resource_org(r->db, id) == 0)
        rc = ls_err_set(&r->err, LS_ENOTFOUND, NULL, "no such resource");
    if (!rc)
        rc = http_paging(r, &limit, &offset);
    if (!rc)
        rc = http_query_time(r, "from", 0, &f.from, NULL);
    if (!rc)
        rc = http_query_time(r, "to", 0, &f.to, NULL);
    f.resource_id = id;
    struct blackout *items = NULL;
    int n = 0;
    int64_t total = 0;
    if (!rc)
        rc = catalogue_blackout_list(r->db, &f, limit, offset, &r->arena, &items, &n, &total,
                                     &r->err);
    if (rc)
        return rc;
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < n; i++)
        cJSON_AddItemToArray(a, blackout_json(&items[i]));
    return http_send_list(r, a, total);
}

static int post_blackout(struct req *r)
{
    static const char *const fields[] = {"start", "end", "reason", NULL};
    static const char *const read_only[] = {"id", "resource_id", "created", NULL};
    int64_t id, org;
    struct blackout b = {0};
    int rc = http_param_id(r, 0, &id);
    if (!rc)
        rc = db_begin_write(r->db, &r->err);
    if (!rc)
        rc = resource_for_write(r, id, &org);
    if (!rc)
        rc = body_only(r, fields, read_only);
    if (!rc)
        rc = json_time(r->json, "start", 1, &b.start, NULL, &r->err);
    if (!rc)
        rc = json_time(r->json, "end", 1, &b.end, NULL, &r->err);
    b.reason = "";
    if (!rc)
        rc = text_field(r, "reason", CATALOGUE_LINE_MAX, &b.reason);
    b.resource_id = id;
    if (!rc)
        rc = catalogue_blackout_add(r->db, &b, &r->err);
    if (!rc) {
        auth_audit(r->db, r->user->id, "blackout.create", "resource", id, b.reason, r->client_ip);
        rc = db_commit(r->db, &r->err);
    }
    return rc ? rc : http_send_json(r, 201, blackout_json(&b));
}

static int get_blackout(struct req *r)
{
    int64_t id;
    struct blackout b;
    int rc = http_param_id(r, 0, &id);
    if (!rc)
        rc = catalogue_blackout_get(r->db, id, &r->arena, &b, &r->err);
    return rc ? rc : http_send_json(r, 200, blackout_json(&b));
}

static int delete_blackout(struct req *r)
{
    int64_t id;
    struct blackout b;
    int rc = http_param_id(r, 0, &id);
    if (!rc)
        rc = db_begin_write(r->db, &r->err);
    if (!rc)
        rc = catalogue_blackout_get(r->db, id, &r->arena, &b, &r->err);
    if (!rc && !authz_manages_org(r->user, catalogue_resource_org(r->db, b.resource_id)))
        rc = forbid(r, "blackouts");
    if (!rc)
        rc = catalogue_blackout_delete(r->db, id, &r->err);
    if (!rc) {
        auth_audit(r->db, r->user->id, "blackout.delete", "resource", b.resource_id, NULL,
                   r->client_ip);
        rc = db_commit(r->db, &r->err);
    }
    return rc ? rc : http_send_empty(r, 204);
}

/* ------------------------------------------------------------------ */
/* Training                                                             */

static int list_trained(struct req *r)
{
    int64_t id, org, limit, offset;
    int rc = http_param_id(r, 0, &id);
    /* Who is trained on what is the owner's business, not every member's. */
    if (!rc)
        rc = resource_for_write(r, id, &org);
    if (!rc)
        rc = http_paging(r, &limit, &offset);
    struct training *items = NULL;
    int n = 0;
    int64_t total = 0;
    if (!rc)
        rc = catalogue_training_list(r->db, id, limit, offset, &r->arena, &items, &n, &total,
                                     &r->err);
    if (rc)
        return rc;
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < n; i++)
        cJSON_AddItemToArray(a, training_json(&items[i]));
    return http_send_list(r, a, total);
}

static int post_trained(struct req *r)
{
    static const char *const fields[] = {"user_id", NULL};
    int64_t id, org, user_id = 0;
    int created = 0;
    int rc = http_param_id(r, 0, &id);
    if (!rc)
        rc = db_begin_write(r->db, &r->err);
    if (!rc)
        rc = resource_for_write(r, id, &org);
    if (!rc)
        rc = body_only(r, fields, NULL);
    if (!rc)
        rc = id_field(r, "user_id", 1, &user_id);
    if (!rc)
        rc = catalogue_training_grant(r->db, id, user_id, r->user->id, &created, &r->err);
    if (!rc && created)
        auth_audit(r->db, r->user->id, "training.grant", "resource", id,
                   arena_printf(&r->arena, "user %lld", (long long)user_id), r->client_ip);
    if (!rc)
        rc = db_commit(r->db, &r->err);
    struct training *items = NULL;
    int n = 0;
    int64_t total = 0;
    /* Answer with the record itself (name and email included). */
    if (!rc)
        rc = catalogue_training_list(r->db, id, 500, 0, &r->arena, &items, &n, &total, &r->err);
    for (int i = 0; !rc && i < n; i++)
        if (items[i].user_id == user_id)
            return http_send_json(r, created ? 201 : 200, training_json(&items[i]));
    if (!rc) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddNumberToObject(j, "resource_id", (double)id);
        cJSON_AddNumberToObject(j, "user_id", (double)user_id);
        return http_send_json(r, created ? 201 : 200, j);
    }
    return rc;
}

static int delete_trained(struct req *r)
{
    int64_t id, org, user_id;
    int rc = http_param_id(r, 0, &id);
    if (!rc)
        rc = http_param_id(r, 1, &user_id);
    if (!rc)
        rc = db_begin_write(r->db, &r->err);
    if (!rc)
        rc = resource_for_write(r, id, &org);
    if (!rc)
        rc = catalogue_training_revoke(r->db, id, user_id, &r->err);
    if (!rc) {
        auth_audit(r->db, r->user->id, "training.revoke", "resource", id,
                   arena_printf(&r->arena, "user %lld", (long long)user_id), r->client_ip);
        rc = db_commit(r->db, &r->err);
    }
    return rc ? rc : http_send_empty(r, 204);
}

/* ------------------------------------------------------------------ */
/* Services                                                             */

static int list_services(struct req *r)
{
    int64_t limit, offset;
    struct service_filter f = {0};
    int rc = http_paging(r, &limit, &offset);
    if (!rc)
        rc = query_id(r, "organisation_id", &f.organisation_id);
    if (!rc)
        rc = query_id(r, "resource_id", &f.resource_id);
    if (!rc)
        rc = query_text(r, "q", CATALOGUE_Q_MAX, &f.q);
    struct service *items = NULL;
    int n = 0;
    int64_t total = 0;
    if (!rc)
        rc = catalogue_service_list(r->db, &f, limit, offset, &r->arena, &items, &n, &total,
                                    &r->err);
    if (rc)
        return rc;
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < n; i++)
        cJSON_AddItemToArray(a, service_json(&items[i]));
    return http_send_list(r, a, total);
}

static int get_service(struct req *r)
{
    int64_t id;
    struct service s;
    int rc = http_param_id(r, 0, &id);
    if (!rc)
        rc = catalogue_service_get(r->db, id, &r->arena, &s, &r->err);
    return rc ? rc : http_send_json(r, 200, service_json(&s));
}

static int post_service(struct req *r)
{
    struct service s = {0};
    s.description = "";
    int rc = may_manage_anything(r);
    if (!rc)
        rc = db_begin_write(r->db, &r->err);
    if (!rc)
        rc = body_org(r, &s.organisation_id);
    if (!rc)
        rc = service_from_json(r, &s, 1);
    if (!rc)
        rc = catalogue_service_save(r->db, &s, &r->err);
    if (!rc) {
        auth_audit(r->db, r->user->id, "service.create", "service", s.id, s.name, r->client_ip);
        rc = db_commit(r->db, &r->err);
    }
    if (!rc)
        rc = catalogue_service_get(r->db, s.id, &r->arena, &s, &r->err);
    return rc ? rc : http_send_json(r, 201, service_json(&s));
}

static int patch_service(struct req *r)
{
    int64_t id, org = 0;
    struct service s;
    int rc = http_param_id(r, 0, &id);
    if (!rc)
        rc = db_begin_write(r->db, &r->err);
    if (!rc)
        rc = catalogue_service_get(r->db, id, &r->arena, &s, &r->err);
    if (!rc && !authz_manages_org(r->user, s.organisation_id))
        rc = forbid(r, "services");
    if (!rc)
        rc = service_from_json(r, &s, 0);
    if (!rc && (rc = id_field(r, "organisation_id", 0, &org)) == LS_OK && org &&
        org != s.organisation_id)
        rc = ls_err_set(&r->err, LS_EVALIDATION, "organisation_id",
                        "a service cannot move to another organisation");
    if (!rc)
        rc = catalogue_service_save(r->db, &s, &r->err);
    if (!rc) {
        auth_audit(r->db, r->user->id, "service.update", "service", id, NULL, r->client_ip);
        rc = db_commit(r->db, &r->err);
    }
    if (!rc)
        rc = catalogue_service_get(r->db, id, &r->arena, &s, &r->err);
    return rc ? rc : http_send_json(r, 200, service_json(&s));
}

static int delete_service(struct req *r)
{
    int64_t id;
    struct service s;
    int rc = http_param_id(r, 0, &id);
    if (!rc)
        rc = db_begin_write(r->db, &r->err);
    if (!rc)
        rc = catalogue_service_get(r->db, id, &r->arena, &s, &r->err);
    if (!rc && !authz_manages_org(r->user, s.organisation_id))
        rc = forbid(r, "services");
    if (!rc)
        rc = catalogue_service_delete(r->db, id, &r->err);
    if (!rc) {
        auth_audit(r->db, r->user->id, "service.delete", "service", id, s.name, r->client_ip);
        rc = db_commit(r->db, &r->err);
    }
    return rc ? rc : http_send_empty(r, 204);
}

/* Write routes on existing objects are open to every signed-in user at the
 * dispatcher so that an unknown id is 404 before a role's 403; the handler
 * decides. */
/* clang-format off */
const struct route api_catalogue_routes[] = {
    {"GET", "/api/v1/organisations", list_orgs, ACCESS_USER, 0, ROUTE_CACHED, "catalogue", "List organisations (filters group, package, member, city, q)"},
    {"POST", "/api/v1/organisations", post_org, ACCESS_STAFF, BODY_MAX, 0, "catalogue", "Create an organisation (staff)"},
    {"GET", "/api/v1/organisations/{id}", get_org, ACCESS_USER, 0, ROUTE_CACHED, "catalogue", "One organisation"},
    {"PATCH", "/api/v1/organisations/{id}", patch_org, ACCESS_USER, BODY_MAX, 0, "catalogue", "Change an organisation (staff)"},
    {"DELETE", "/api/v1/organisations/{id}", delete_org, ACCESS_USER, 0, 0, "catalogue", "Delete an organisation without labs, users or bookings (staff)"},
    {"GET", "/api/v1/labs", list_labs, ACCESS_USER, 0, ROUTE_CACHED, "catalogue", "List labs (filters organisation_id, kind, group, city, q)"},
    {"POST", "/api/v1/labs", post_lab, ACCESS_USER, BODY_MAX, 0, "catalogue", "Create a lab (staff or an owner of its organisation)"},
    {"GET", "/api/v1/labs/{id}", get_lab, ACCESS_USER, 0, ROUTE_CACHED, "catalogue", "One lab"},
    {"PATCH", "/api/v1/labs/{id}", patch_lab, ACCESS_USER, BODY_MAX, 0, "catalogue", "Change a lab (staff or owner)"},
    {"DELETE", "/api/v1/labs/{id}", delete_lab, ACCESS_USER, 0, 0, "catalogue", "Delete a lab and its resources unless bookings refer to them (staff or owner)"},
    {"GET", "/api/v1/resources", list_resources, ACCESS_USER, 0, ROUTE_CACHED, "catalogue", "List resources (filters lab_id, organisation_id, type, category, kind, group, city, shared, requires_approval, biosafety_level_min, q, free_from+free_to, open)"},
    {"POST", "/api/v1/resources", post_resource, ACCESS_USER, BODY_MAX, 0, "catalogue", "Create a resource (staff or owner of the lab's organisation)"},
    {"GET", "/api/v1/resources/{id}", get_resource, ACCESS_USER, 0, ROUTE_CACHED, "catalogue", "One resource with its opening hours"},
    {"PATCH", "/api/v1/resources/{id}", patch_resource, ACCESS_USER, BODY_MAX, 0, "catalogue", "Change a resource (staff or owner)"},
    {"DELETE", "/api/v1/resources/{id}", delete_resource, ACCESS_USER, 0, 0, "catalogue", "Delete a resource no booking refers to (staff or owner)"},
    {"GET", "/api/v1/resources/{id}/blackouts", list_blackouts, ACCESS_USER, 0, 0, "catalogue", "Blackouts of a resource (filters from, to)"},
    {"POST", "/api/v1/resources/{id}/blackouts", post_blackout, ACCESS_USER, 8192, 0, "catalogue", "Add a blackout {start, end, reason} (staff or owner)"},
    {"GET", "/api/v1/blackouts/{id}", get_blackout, ACCESS_USER, 0, 0, "catalogue", "One blackout"},
    {"DELETE", "/api/v1/blackouts/{id}", delete_blackout, ACCESS_USER, 0, 0, "catalogue", "Remove a blackout (staff or owner)"},
    {"GET", "/api/v1/resources/{id}/trained", list_trained, ACCESS_USER, 0, 0, "catalogue", "Users trained on a resource (staff or owner)"},
    {"POST", "/api/v1/resources/{id}/trained", post_trained, ACCESS_USER, 4096, 0, "catalogue", "Mark a user trained {user_id}: 201 new, 200 already (staff or owner)"},
    {"DELETE", "/api/v1/resources/{id}/trained/{user_id}", delete_trained, ACCESS_USER, 0, 0, "catalogue", "Remove a training record (staff or owner)"},
    {"GET", "/api/v1/services", list_services, ACCESS_USER, 0, ROUTE_CACHED, "catalogue", "List services (filters organisation_id, resource_id, q)"},
    {"POST", "/api/v1/services", post_service, ACCESS_USER, BODY_MAX, 0, "catalogue", "Create a service (staff or owner)"},
    {"GET", "/api/v1/services/{id}", get_service, ACCESS_USER, 0, ROUTE_CACHED, "catalogue", "One service"},
    {"PATCH", "/api/v1/services/{id}", patch_service, ACCESS_USER, BODY_MAX, 0, "catalogue", "Change a service (staff or owner)"},
    {"DELETE", "/api/v1/services/{id}", delete_service, ACCESS_USER, 0, 0, "catalogue", "Delete a service (staff or owner)"},
    {0},
};
/* clang-format on */
