/* api_catalogue.c — HTTP routes of the catalogue: organisations, labs,
 * resources, blackouts, services and training records.
 *
 * One set of handlers serves every catalogue type: the route says which
 * type (its body or answer shape), which object the path names and who may
 * act on it, and the dispatcher has located that object and read the body
 * and query into typed structs before a handler runs (http.h). A handler
 * then does one unit of work through the write path (db_write): load, lay
 * the given fields over, save, audit — all or nothing — and answers with
 * the object read back. */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "api_field.h"
#include "catalogue.h"
#include "db.h"
#include "json.h"

#define BODY_MAX HTTP_BODY_DEFAULT

/* ------------------------------------------------------------------ */
/* The objects paths name                                               */

static int locate_catalogue(const struct route_object *o, struct req *r, int64_t id, void **obj,
                            int64_t *org, int64_t *owner)
{
    const struct ctype *t = o->arg;
    void *p = arena_alloc(&r->arena, t->shape.size);
    *owner = 0;
    int rc = catalogue_get(r->db, t, id, r->user ? r->user->id : 0, &r->arena, p, &r->err);
    if (!rc)
        rc = catalogue_owner(r->db, t, id, org, &r->err);
    if (!rc)
        *obj = p;
    return rc;
}

#define CATALOGUE_OBJECT(noun, type)                                                               \
    {                                                                                              \
        noun, &(type).shape, locate_catalogue, &(type), 0                                          \
    }
const struct route_object api_organisation_object =
    CATALOGUE_OBJECT("organisation", catalogue_organisation);
const struct route_object api_lab_object = CATALOGUE_OBJECT("lab", catalogue_lab);
const struct route_object api_resource_object = CATALOGUE_OBJECT("resource", catalogue_resource);
const struct route_object api_service_object = CATALOGUE_OBJECT("service", catalogue_service);
const struct route_object api_blackout_object = CATALOGUE_OBJECT("blackout", catalogue_blackout);

/* ------------------------------------------------------------------ */
/* Generic handlers                                                     */

/* The type a catalogue route acts on. */
static const struct ctype *type_of(struct req *r)
{
    const struct route *rt = r->route;
    return catalogue_type_of(rt->body ? rt->body : rt->answer);
}

static int64_t viewer(struct req *r)
{
    return r->user ? r->user->id : 0;
}

static int send_object(struct req *r, int status, const struct ctype *t, int64_t id)
{
    void *obj = arena_alloc(&r->arena, t->shape.size);
    int rc = catalogue_get(r->db, t, id, viewer(r), &r->arena, obj, &r->err);
    return rc ? rc : http_send_json(r, status, api_field_json(&t->shape, obj));
}

/* A field of t naming the kind of object the path names: the blackouts of
 * /resources/{id}/blackouts belong to that resource. */
static const struct field *path_parent(struct req *r, const struct shape *sh)
{
    const struct route *rt = r->route;
    if (!rt->object || rt->object_field)
        return NULL;
    FIELD_FOR_EACH(f, sh)
    {
        if (f->type == FT_ID && (f->flags & FF_OUT) && f->ref == rt->object->shape)
            return f;
    }
    return NULL;
}

static int list_objects(struct req *r)
{
    const struct ctype *t = type_of(r);
    void *filter = r->query;
    uint64_t present = r->query_present;
    const struct field *pf = path_parent(r, t->filter);
    if (pf) {
        *FIELD_AT(filter, pf, int64_t) = r->obj_id;
        present |= UINT64_C(1) << field_index(t->filter, pf);
    }
    int rc = catalogue_check_filter(t, filter, present, &r->err);
    void *items = NULL;
    int n = 0;
    int64_t total = 0;
    if (!rc)
        rc = catalogue_list(r->db, t, filter, present, viewer(r), r->limit, r->offset, &r->arena,
                            &items, &n, &total, &r->err);
    if (rc)
        return rc;
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < n; i++)
        cJSON_AddItemToArray(a,
                             api_field_json(&t->shape, (char *)items + (size_t)i * t->shape.size));
    return http_send_list(r, a, total);
}

static int get_object(struct req *r)
{
    return http_send_json(r, 200, api_field_json(r->route->object->shape, r->obj));
}

/* The audit log's line for a change: its name (or reason) tells people
 * which object it was after it is gone. */
static const char *audit_detail(const struct ctype *t, const void *obj)
{
    const struct field *f = field_find(&t->shape, "name");
    if (!f)
        f = field_find(&t->shape, "reason");
    return f && obj ? *FIELD_CAT(obj, f, char *) : NULL;
}

static void audit(struct db *db, struct req *r, const struct ctype *t, const char *verb, int64_t id,
                  const char *detail)
{
    char action[64];
    snprintf(action, sizeof action, "%s.%s", t->shape.noun[MSG_EN], verb);
    auth_audit(db, r->user->id, action, t->shape.noun[MSG_EN], id, detail, r->client_ip);
}

struct unit {
    struct req *r;
    const struct ctype *t;
    void *obj;
};

static int create_txn(struct db *db, void *ctx, struct ls_err *err)
{
    struct unit *u = ctx;
    int rc = catalogue_create(db, u->t, u->obj, err);
    if (!rc)
        audit(db, u->r, u->t, "create", catalogue_id(u->t, u->obj), audit_detail(u->t, u->obj));
    return rc;
}

static int create_object(struct req *r)
{
    const struct ctype *t = type_of(r);
    const struct field *pf = path_parent(r, &t->shape);
    if (pf)
        *FIELD_AT(r->input, pf, int64_t) = r->obj_id;
    struct unit u = {r, t, r->input};
    int rc = db_write(r->db, create_txn, &u, &r->err);
    return rc ? rc : send_object(r, 201, t, catalogue_id(t, r->input));
}

static int change_txn(struct db *db, void *ctx, struct ls_err *err)
{
    struct unit *u = ctx;
    struct req *r = u->r;
    const struct ctype *t = u->t;
    /* Load in the transaction, so the change cannot be overtaken. */
    void *old = arena_alloc(&r->arena, t->shape.size);
    void *obj = arena_alloc(&r->arena, t->shape.size);
    int rc = catalogue_get(db, t, r->obj_id, 0, &r->arena, old, err);
    if (rc)
        return rc;
    memcpy(obj, old, t->shape.size);
    field_copy(&t->shape, obj, r->input, r->input_present);
    rc = catalogue_update(db, t, obj, old, err);
    if (!rc)
        audit(db, r, t, "update", r->obj_id, NULL);
    return rc;
}

static int change_object(struct req *r)
{
    const struct ctype *t = type_of(r);
    struct unit u = {r, t, NULL};
    int rc = db_write(r->db, change_txn, &u, &r->err);
    return rc ? rc : send_object(r, 200, t, r->obj_id);
}

static int delete_txn(struct db *db, void *ctx, struct ls_err *err)
{
    struct unit *u = ctx;
    int rc = catalogue_delete(db, u->t, u->r->obj_id, err);
    if (!rc)
        audit(db, u->r, u->t, "delete", u->r->obj_id, audit_detail(u->t, u->obj));
    return rc;
}

static int delete_object(struct req *r)
{
    const struct ctype *t = catalogue_type_of(r->route->object->shape);
    struct unit u = {r, t, r->obj};
    int rc = db_write(r->db, delete_txn, &u, &r->err);
    return rc ? rc : http_send_empty(r, 204);
}

/* ------------------------------------------------------------------ */
/* Training records                                                     */

struct trained_body {
    int64_t user_id;
};

static const struct field TRAINED_BODY[] = {
    FIELD(struct trained_body, user_id, "user_id", FT_ID, FF_REQUIRED, LABEL("User", "Użytkownik")),
    FIELD_END,
};
static const struct shape trained_body = {.fields = TRAINED_BODY,
                                          .size = sizeof(struct trained_body)};

static const struct field TRAINING_FIELDS[] = {
    FIELD(struct training, resource_id, "resource_id", FT_ID, FF_OUT, LABEL("Resource", "Zasób")),
    FIELD(struct training, user_id, "user_id", FT_ID, FF_OUT, LABEL("User", "Użytkownik")),
    FIELD(struct training, user_name, "name", FT_TEXT, FF_OUT, LABEL("Name", "Imię i nazwisko")),
    FIELD(struct training, user_email, "email", FT_TEXT, FF_OUT, LABEL("E-mail", "E-mail")),
    FIELD(struct training, granted_by, "granted_by", FT_ID, FF_OUT | FF_NULLABLE,
          LABEL("Recorded by", "Wpisał(a)")),
    FIELD(struct training, granted_at, "granted_at", FT_TIME, FF_OUT, LABEL("Recorded", "Wpisano")),
    FIELD_END,
};
static const struct shape training_shape = {"Training",
                                            TRAINING_FIELDS,
                                            sizeof(struct training),
                                            {"training record", "szkolenie"},
                                            "Who is trained on a resource"};

static int list_trained(struct req *r)
{
    struct training *items = NULL;
    int n = 0;
    int64_t total = 0;
    int rc = catalogue_training_list(r->db, r->obj_id, r->limit, r->offset, &r->arena, &items, &n,
                                     &total, &r->err);
    if (rc)
        return rc;
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < n; i++)
        cJSON_AddItemToArray(a, api_field_json(&training_shape, &items[i]));
    return http_send_list(r, a, total);
}

struct grant {
    struct req *r;
    int64_t user_id;
    int created;
};

static int grant_txn(struct db *db, void *ctx, struct ls_err *err)
{
    struct grant *g = ctx;
    struct req *r = g->r;
    int rc = catalogue_training_grant(db, r->obj_id, g->user_id, r->user->id, &g->created, err);
    if (!rc && g->created)
        auth_audit(db, r->user->id, "training.grant", "resource", r->obj_id,
                   arena_printf(&r->arena, "user %lld", (long long)g->user_id), r->client_ip);
    return rc;
}

static int post_trained(struct req *r)
{
    const struct trained_body *b = r->input;
    struct grant g = {r, b->user_id, 0};
    int rc = db_write(r->db, grant_txn, &g, &r->err);
    struct training *items = NULL;
    int n = 0;
    int64_t total = 0;
    /* Answer with the record itself (name and email included). */
    if (!rc)
        rc = catalogue_training_list(r->db, r->obj_id, 500, 0, &r->arena, &items, &n, &total,
                                     &r->err);
    for (int i = 0; !rc && i < n; i++)
        if (items[i].user_id == b->user_id)
            return http_send_json(r, g.created ? 201 : 200,
                                  api_field_json(&training_shape, &items[i]));
    if (!rc) {
        struct training t = {.resource_id = r->obj_id, .user_id = b->user_id};
        return http_send_json(r, g.created ? 201 : 200, api_field_json(&training_shape, &t));
    }
    return rc;
}

struct revoke {
    struct req *r;
    int64_t user_id;
};

static int revoke_txn(struct db *db, void *ctx, struct ls_err *err)
{
    struct revoke *v = ctx;
    struct req *r = v->r;
    int rc = catalogue_training_revoke(db, r->obj_id, v->user_id, err);
    if (!rc)
        auth_audit(db, r->user->id, "training.revoke", "resource", r->obj_id,
                   arena_printf(&r->arena, "user %lld", (long long)v->user_id), r->client_ip);
    return rc;
}

static int delete_trained(struct req *r)
{
    struct revoke v = {r, 0};
    int rc = http_param_id(r, 1, &v.user_id);
    if (!rc)
        rc = db_write(r->db, revoke_txn, &v, &r->err);
    return rc ? rc : http_send_empty(r, 204);
}

/* ------------------------------------------------------------------ */
/* The route table                                                      */

#define ORG (&catalogue_organisation.shape)
#define LAB (&catalogue_lab.shape)
#define RES (&catalogue_resource.shape)
#define SVC (&catalogue_service.shape)
#define BLACKOUT (&catalogue_blackout.shape)

/* The five verbs of one type: list and create on the collection, get,
 * change and delete on one object. Creating inside another object
 * (`parent`, through the body member `field`) needs the right to manage it;
 * creating a top-level object is for staff. */
#define CRUD(path, sh, filter, obj, noun, create_access, parent, field, write_need)                \
    {.method = "GET",                                                                              \
     .pattern = path,                                                                              \
     .handler = list_objects,                                                                      \
     .access = ACCESS_USER,                                                                        \
     .flags = ROUTE_CACHED | ROUTE_PAGED,                                                          \
     .tag = "catalogue",                                                                           \
     .summary = "List " noun "s",                                                                  \
     .query = filter,                                                                              \
     .answer = sh},                                                                                \
        {.method = "POST",                                                                         \
         .pattern = path,                                                                          \
         .handler = create_object,                                                                 \
         .access = create_access,                                                                  \
         .body_max = BODY_MAX,                                                                     \
         .flags = ROUTE_CREATES,                                                                   \
         .tag = "catalogue",                                                                       \
         .summary = "Create a " noun,                                                              \
         .object = parent,                                                                         \
         .need = NEED_MANAGE,                                                                      \
         .object_field = field,                                                                    \
         .body = sh,                                                                               \
         .creating = 1,                                                                            \
         .answer = sh},                                                                            \
        {.method = "GET",                                                                          \
         .pattern = path "/{id}",                                                                  \
         .handler = get_object,                                                                    \
         .access = ACCESS_USER,                                                                    \
         .flags = ROUTE_CACHED,                                                                    \
         .tag = "catalogue",                                                                       \
         .summary = "One " noun,                                                                   \
         .object = obj,                                                                            \
         .need = NEED_SEE,                                                                         \
         .answer = sh},                                                                            \
        {.method = "PATCH",                                                                        \
         .pattern = path "/{id}",                                                                  \
         .handler = change_object,                                                                 \
         .access = ACCESS_USER,                                                                    \
         .body_max = BODY_MAX,                                                                     \
         .tag = "catalogue",                                                                       \
         .summary = "Change a " noun,                                                              \
         .object = obj,                                                                            \
         .need = write_need,                                                                       \
         .body = sh,                                                                               \
         .answer = sh},                                                                            \
    {                                                                                              \
        .method = "DELETE", .pattern = path "/{id}", .handler = delete_object,                     \
        .access = ACCESS_USER, .flags = ROUTE_EMPTY, .tag = "catalogue",                           \
        .summary = "Delete a " noun " (history is kept: refused while bookings refer to it)",      \
        .object = obj, .need = write_need                                                          \
    }

const struct route api_catalogue_routes[] = {
    CRUD("/api/v1/organisations", ORG, &catalogue_org_filter, &api_organisation_object,
         "organisation", ACCESS_STAFF, NULL, NULL, NEED_STAFF),
    CRUD("/api/v1/labs", LAB, &catalogue_lab_filter, &api_lab_object, "lab", ACCESS_OWNER,
         &api_organisation_object, "organisation_id", NEED_MANAGE),
    CRUD("/api/v1/resources", RES, &catalogue_resource_filter, &api_resource_object, "resource",
         ACCESS_OWNER, &api_lab_object, "lab_id", NEED_MANAGE),
    CRUD("/api/v1/services", SVC, &catalogue_service_filter, &api_service_object, "service",
         ACCESS_OWNER, &api_organisation_object, "organisation_id", NEED_MANAGE),
    {.method = "GET",
     .pattern = "/api/v1/resources/{id}/blackouts",
     .handler = list_objects,
     .access = ACCESS_USER,
     .flags = ROUTE_PAGED,
     .tag = "catalogue",
     .summary = "Blackouts of a resource",
     .object = &api_resource_object,
     .query = &catalogue_blackout_filter,
     .answer = BLACKOUT},
    {.method = "POST",
     .pattern = "/api/v1/resources/{id}/blackouts",
     .handler = create_object,
     .access = ACCESS_USER,
     .body_max = 8192,
     .flags = ROUTE_CREATES,
     .tag = "catalogue",
     .summary = "Add a blackout to a resource",
     .object = &api_resource_object,
     .need = NEED_MANAGE,
     .body = BLACKOUT,
     .creating = 1,
     .answer = BLACKOUT},
    {.method = "GET",
     .pattern = "/api/v1/blackouts/{id}",
     .handler = get_object,
     .access = ACCESS_USER,
     .tag = "catalogue",
     .summary = "One blackout",
     .object = &api_blackout_object,
     .answer = BLACKOUT},
    {.method = "DELETE",
     .pattern = "/api/v1/blackouts/{id}",
     .handler = delete_object,
     .access = ACCESS_USER,
     .flags = ROUTE_EMPTY,
     .tag = "catalogue",
     .summary = "Remove a blackout",
     .object = &api_blackout_object,
     .need = NEED_MANAGE},
    {.method = "GET",
     .pattern = "/api/v1/resources/{id}/trained",
     .handler = list_trained,
     .access = ACCESS_USER,
     .flags = ROUTE_PAGED,
     .tag = "catalogue",
     .summary = "Users trained on a resource",
     .object = &api_resource_object,
     .need = NEED_MANAGE,
     .answer = &training_shape},
    {.method = "POST",
     .pattern = "/api/v1/resources/{id}/trained",
     .handler = post_trained,
     .access = ACCESS_USER,
     .body_max = 4096,
     .tag = "catalogue",
     .summary = "Mark a user trained: 201 new, 200 already",
     .object = &api_resource_object,
     .need = NEED_MANAGE,
     .body = &trained_body,
     .creating = 1,
     .answer = &training_shape},
    {.method = "DELETE",
     .pattern = "/api/v1/resources/{id}/trained/{user_id}",
     .handler = delete_trained,
     .access = ACCESS_USER,
     .flags = ROUTE_EMPTY,
     .tag = "catalogue",
     .summary = "Remove a training record",
     .object = &api_resource_object,
     .need = NEED_MANAGE},
    {0},
};
