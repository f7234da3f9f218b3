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
#include "booking.h"
#include "catalogue.h"
#include "db.h"
#include "json.h"
#include "timeutil.h"

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

#define CATALOGUE_OBJECT(noun, type, managed_by)                                                   \
    {                                                                                              \
        noun, &(type).shape, locate_catalogue, &(type), 0, managed_by                              \
    }
const struct route_object api_organisation_object =
    CATALOGUE_OBJECT("organisation", catalogue_organisation, "the organisation");
const struct route_object api_lab_object = CATALOGUE_OBJECT("lab", catalogue_lab, NULL);
const struct route_object api_resource_object =
    CATALOGUE_OBJECT("resource", catalogue_resource, NULL);
const struct route_object api_service_object = CATALOGUE_OBJECT("service", catalogue_service, NULL);
const struct route_object api_blackout_object =
    CATALOGUE_OBJECT("blackout", catalogue_blackout, "the resource's organisation");

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

/* The query of the writes that may touch existing bookings (a blackout, a
 * resource's hours or sharing): refuse, or cancel what breaks (API.md §
 * Changes that touch existing bookings). */
struct change_query {
    int cancel_bookings;
    const char *message;
};
static const struct field CHANGE_QUERY[] = {
    FIELD(struct change_query, cancel_bookings, "cancel_bookings", FT_BOOL, 0,
          LABEL("Cancel the affected bookings", "Odwołaj rezerwacje, których to dotyczy"),
          .help = "cancel the pending and approved bookings the change would break (without it "
                  "such a change is 409 with their ids in bookings)"),
    FIELD(struct change_query, message, "message", FT_TEXT, FF_NULLABLE | FF_MULTILINE,
          .max = BOOKING_REASON_MAX, LABEL("Message to the bookers", "Wiadomość do rezerwujących"),
          .help = "with cancel_bookings: the reason the cancelled bookings carry and their bookers "
                  "are e-mailed; default the blackout's reason, else a sentence naming the change"),
    FIELD_END,
};
static const struct shape change_query = {.fields = CHANGE_QUERY,
                                          .size = sizeof(struct change_query)};

/* The booking module cancels; the catalogue calls back (it cannot call up). */
static int cancel_for_change(struct db *db, int64_t id, const char *reason, void *ctx,
                             struct ls_err *err)
{
    return booking_cancel_for_change(db, ctx, id, reason, err);
}

struct unit {
    struct req *r;
    const struct ctype *t;
    void *obj;
    struct booking_actor who;
    struct catalogue_effects fx;
};

/* A unit of work for the route: with the route's change query, what to do
 * about bookings the write breaks. */
static struct unit unit_for(struct req *r, const struct ctype *t, void *obj)
{
    struct unit u = {r, t, obj, {r->user, r->client_ip, tu_now()}, {0}};
    u.fx.now = u.who.now;
    if (r->route->query == &change_query && r->query) {
        const struct change_query *q = r->query;
        u.fx.cancel = q->cancel_bookings;
        u.fx.message = q->message;
        u.fx.cancel_booking = cancel_for_change;
    }
    return u;
}

static int create_txn(struct db *db, void *ctx, struct ls_err *err)
{
    struct unit *u = ctx;
    u->fx.ctx = &u->who;
    int rc = catalogue_create_fx(db, u->t, u->obj, &u->fx, err);
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
    struct unit u = unit_for(r, t, r->input);
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
    u->fx.ctx = &u->who;
    rc = catalogue_update_fx(db, t, obj, old, &u->fx, err);
    if (!rc)
        audit(db, r, t, "update", r->obj_id, NULL);
    return rc;
}

static int change_object(struct req *r)
{
    const struct ctype *t = type_of(r);
    struct unit u = unit_for(r, t, NULL);
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
    struct unit u = unit_for(r, t, r->obj);
    int rc = db_write(r->db, delete_txn, &u, &r->err);
    return rc ? rc : http_send_empty(r, 204);
}

/* ------------------------------------------------------------------ */
/* Training records                                                     */

/* Whom to record: by id, or by the e-mail address the owner types (the one
 * case where an owner is shown another organisation's address: their own
 * words). */
struct trained_body {
    int64_t user_id;
    const char *email;
};

static const struct field TRAINED_BODY[] = {
    FIELD(struct trained_body, user_id, "user_id", FT_ID, 0, LABEL("User", "Użytkownik"),
          .help = "give user_id or email"),
    FIELD(struct trained_body, email, "email", FT_TEXT, FF_NULLABLE, .max = 254,
          LABEL("User's e-mail", "E-mail użytkownika"), .help = "give user_id or email"),
    FIELD_END,
};
static const struct shape trained_body = {.fields = TRAINED_BODY,
                                          .size = sizeof(struct trained_body)};

static const struct field TRAINING_FIELDS[] = {
    FIELD(struct training, resource_id, "resource_id", FT_ID, FF_OUT, LABEL("Resource", "Zasób")),
    FIELD(struct training, user_id, "user_id", FT_ID, FF_OUT, LABEL("User", "Użytkownik")),
    FIELD(struct training, user_name, "name", FT_TEXT, FF_OUT, LABEL("Name", "Imię i nazwisko")),
    FIELD(struct training, user_email, "email", FT_TEXT, FF_OUT | FF_NULLABLE,
          LABEL("E-mail", "E-mail"),
          .help = "null where the caller may not see it: an owner sees the addresses of their "
                  "own organisation only (and one they typed)"),
    FIELD(struct training, user_organisation_id, "organisation_id", FT_ID, FF_OUT | FF_NULLABLE,
          LABEL("Organisation", "Organizacja"), .help = "the user's; null for guests"),
    FIELD(struct training, organisation_name, "organisation_name", FT_TEXT, FF_OUT | FF_NULLABLE,
          LABEL("Organisation", "Organizacja")),
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
    int rc = catalogue_training_list(r->db, r->user, r->obj_id, r->limit, r->offset, &r->arena,
                                     &items, &n, &total, &r->err);
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
    int by_email = b->email != NULL;
    if (!b->user_id == !by_email)
        return ls_err_set(&r->err, LS_EVALIDATION, b->user_id ? "email" : "user_id",
                          "give either the user or their e-mail address");
    struct grant g = {r, b->user_id, 0};
    int rc =
        by_email ? catalogue_user_by_email(r->db, b->email, "email", &g.user_id, &r->err) : LS_OK;
    if (!rc)
        rc = db_write(r->db, grant_txn, &g, &r->err);
    struct training t;
    if (!rc)
        rc = catalogue_training_get(r->db, r->user, r->obj_id, g.user_id, &r->arena, &t, &r->err);
    if (rc)
        return rc;
    if (by_email && !t.user_email)
        t.user_email = b->email; /* the caller's own words */
    return http_send_json(r, g.created ? 201 : 200, api_field_json(&training_shape, &t));
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

/* ---- finding people to train (the owners' type-ahead) ---- */

struct candidates_query {
    const char *q;
};
static const struct field CANDIDATES_QUERY[] = {
    FIELD(struct candidates_query, q, "q", FT_TEXT, 0, .max = CATALOGUE_Q_MAX,
          LABEL("Name or e-mail", "Imię, nazwisko lub e-mail"),
          .help = "part of a name, or of an address the caller may see"),
    FIELD_END,
};
static const struct shape candidates_query = {.fields = CANDIDATES_QUERY,
                                              .size = sizeof(struct candidates_query)};

static const struct field CANDIDATE_FIELDS[] = {
    FIELD(struct training_candidate, user_id, "user_id", FT_ID, FF_OUT,
          LABEL("User", "Użytkownik")),
    FIELD(struct training_candidate, name, "name", FT_TEXT, FF_OUT,
          LABEL("Name", "Imię i nazwisko")),
    FIELD(struct training_candidate, email, "email", FT_TEXT, FF_OUT | FF_NULLABLE,
          LABEL("E-mail", "E-mail"), .help = "null where the caller may not see it"),
    FIELD(struct training_candidate, organisation_id, "organisation_id", FT_ID,
          FF_OUT | FF_NULLABLE, LABEL("Organisation", "Organizacja")),
    FIELD(struct training_candidate, organisation_name, "organisation_name", FT_TEXT,
          FF_OUT | FF_NULLABLE, LABEL("Organisation", "Organizacja")),
    FIELD(struct training_candidate, trained, "trained", FT_BOOL, FF_OUT,
          LABEL("Trained", "Przeszkolony(-a)")),
    FIELD(struct training_candidate, asked, "asked", FT_BOOL, FF_OUT,
          LABEL("Asked for training", "Prosi o szkolenie")),
    FIELD_END,
};
static const struct shape candidate_shape = {"TrainingCandidate",
                                             CANDIDATE_FIELDS,
                                             sizeof(struct training_candidate),
                                             {"person", "osoba"},
                                             "Someone the caller may record as trained"};

struct candidates {
    struct training_candidate *items;
    int n;
};
static const struct field CANDIDATES_FIELDS[] = {
    FIELD(struct candidates, items, "items", FT_LIST, FF_OUT, .ref = &candidate_shape,
          .count = offsetof(struct candidates, n), LABEL("People", "Osoby")),
    FIELD_END,
};
static const struct shape candidates_shape = {
    "TrainingCandidates",
    CANDIDATES_FIELDS,
    sizeof(struct candidates),
    {"people", "osoby"},
    "At most 20, by name: staff find everyone; an owner the users of their organisation, anyone "
    "trained on its resources and anyone who asked for training on them"};

static int get_candidates(struct req *r)
{
    const struct candidates_query *q = r->query;
    struct candidates c = {0};
    int rc =
        catalogue_training_candidates(r->db, r->user, r->obj_id, q->q, CATALOGUE_CANDIDATES_MAX,
                                      &r->arena, &c.items, &c.n, &r->err);
    return rc ? rc : http_send_json(r, 200, api_field_json(&candidates_shape, &c));
}

/* ---- requests for training ---- */

struct ask_body {
    const char *message;
};
static const struct field ASK_FIELDS[] = {
    FIELD(struct ask_body, message, "message", FT_TEXT, FF_MULTILINE, .max = BOOKING_PURPOSE_MAX,
          LABEL("Message to the owners", "Wiadomość do opiekunów"),
          .help = "what you need the resource for, when you could come"),
    FIELD_END,
};
static const struct shape ask_shape = {.fields = ASK_FIELDS, .size = sizeof(struct ask_body)};

static const struct field REQUEST_FIELDS[] = {
    FIELD(struct training_request, id, "id", FT_ID, FF_OUT, LABEL("Id", "Identyfikator")),
    FIELD(struct training_request, resource_id, "resource_id", FT_ID, FF_OUT,
          .ref = &catalogue_resource.shape, LABEL("Resource", "Zasób")),
    FIELD(struct training_request, user_id, "user_id", FT_ID, FF_OUT, LABEL("User", "Użytkownik")),
    FIELD(struct training_request, user_name, "name", FT_TEXT, FF_OUT | FF_NULLABLE,
          LABEL("Name", "Imię i nazwisko")),
    FIELD(struct training_request, user_email, "email", FT_TEXT, FF_OUT | FF_NULLABLE,
          LABEL("E-mail", "E-mail"), .help = "null where the caller may not see it"),
    FIELD(struct training_request, user_organisation_id, "organisation_id", FT_ID,
          FF_OUT | FF_NULLABLE, LABEL("Organisation", "Organizacja")),
    FIELD(struct training_request, organisation_name, "organisation_name", FT_TEXT,
          FF_OUT | FF_NULLABLE, LABEL("Organisation", "Organizacja")),
    FIELD(struct training_request, message, "message", FT_TEXT, FF_OUT,
          LABEL("Message", "Wiadomość")),
    FIELD(struct training_request, created, "created", FT_TIME, FF_OUT,
          LABEL("Asked", "Zgłoszono")),
    FIELD(struct training_request, updated, "updated", FT_TIME, FF_OUT,
          LABEL("Updated", "Zmieniono")),
    FIELD_END,
};
static const struct shape training_request_shape = {
    "TrainingRequest",
    REQUEST_FIELDS,
    sizeof(struct training_request),
    {"training request", "prośba o szkolenie"},
    "Someone asks to be trained on a resource; open until their training is recorded"};

struct ask {
    struct req *r;
    struct training_request out;
    int created;
};

static int ask_txn(struct db *db, void *ctx, struct ls_err *err)
{
    struct ask *k = ctx;
    struct req *r = k->r;
    const struct ask_body *b = r->input;
    int rc = catalogue_training_request(db, r->obj_id, r->user, b->message, tu_now(), &r->arena,
                                        &k->out, &k->created, err);
    if (!rc)
        auth_audit(db, r->user->id, k->created ? "training.request" : "training.request.update",
                   "resource", r->obj_id, NULL, r->client_ip);
    return rc;
}

static int post_training_request(struct req *r)
{
    struct ask k = {r, {0}, 0};
    int rc = db_write(r->db, ask_txn, &k, &r->err);
    return rc ? rc
              : http_send_json(r, k.created ? 201 : 200,
                               api_field_json(&training_request_shape, &k.out));
}

static int list_training_requests(struct req *r)
{
    struct training_request *items = NULL;
    int n = 0;
    int64_t total = 0;
    int rc = catalogue_training_requests(r->db, r->user, r->obj_id, r->limit, r->offset, &r->arena,
                                         &items, &n, &total, &r->err);
    if (rc)
        return rc;
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < n; i++)
        cJSON_AddItemToArray(a, api_field_json(&training_request_shape, &items[i]));
    return http_send_list(r, a, total);
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
#define CRUD(path, sh, filter, obj, noun, create_access, parent, field, write_need, change)        \
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
         .query = change,                                                                          \
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
         "organisation", ACCESS_STAFF, NULL, NULL, NEED_STAFF, NULL),
    CRUD("/api/v1/labs", LAB, &catalogue_lab_filter, &api_lab_object, "lab", ACCESS_OWNER,
         &api_organisation_object, "organisation_id", NEED_MANAGE, NULL),
    /* Opening hours and sharing may break bookings: the change query. */
    CRUD("/api/v1/resources", RES, &catalogue_resource_filter, &api_resource_object, "resource",
         ACCESS_OWNER, &api_lab_object, "lab_id", NEED_MANAGE, &change_query),
    CRUD("/api/v1/services", SVC, &catalogue_service_filter, &api_service_object, "service",
         ACCESS_OWNER, &api_organisation_object, "organisation_id", NEED_MANAGE, NULL),
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
     .summary = "Add a blackout to a resource (409 listing the bookings it would break, unless "
                "they are to be cancelled)",
     .object = &api_resource_object,
     .need = NEED_MANAGE,
     .query = &change_query,
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
     .flags = ROUTE_CREATES_OR_FINDS,
     .tag = "catalogue",
     .summary = "Mark a user trained (by user_id or email): 201 new, 200 already",
     .object = &api_resource_object,
     .need = NEED_MANAGE,
     .body = &trained_body,
     .creating = 1,
     .answer = &training_shape},
    {.method = "GET",
     .pattern = "/api/v1/resources/{id}/training-candidates",
     .handler = get_candidates,
     .access = ACCESS_USER,
     .tag = "catalogue",
     .summary = "Find people to record as trained, by name or e-mail (a type-ahead)",
     .object = &api_resource_object,
     .need = NEED_MANAGE,
     .query = &candidates_query,
     .answer = &candidates_shape},
    {.method = "POST",
     .pattern = "/api/v1/resources/{id}/training-requests",
     .handler = post_training_request,
     .access = ACCESS_USER,
     .body_max = 8192,
     .flags = ROUTE_CREATES_OR_FINDS,
     .tag = "catalogue",
     .summary = "Ask to be trained on a resource: 201 new (the owners are e-mailed), 200 the "
                "open request updated; 409 when trained already",
     .object = &api_resource_object,
     .need = NEED_SEE,
     .body = &ask_shape,
     .answer = &training_request_shape},
    {.method = "GET",
     .pattern = "/api/v1/resources/{id}/training-requests",
     .handler = list_training_requests,
     .access = ACCESS_USER,
     .flags = ROUTE_PAGED,
     .tag = "catalogue",
     .summary = "Open requests for training on a resource, oldest first",
     .object = &api_resource_object,
     .need = NEED_MANAGE,
     .answer = &training_request_shape},
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
