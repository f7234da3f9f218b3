/* openapi.c — GET /api/v1/openapi.json, generated from the route tables and
 * the field tables they name, so the description cannot drift from the
 * code: every route's parameters, body, answer, errors and access come
 * from its `struct route`, every schema from a shape (field.h). */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "api_field.h"

static cJSON *ref_to(const char *name)
{
    cJSON *o = cJSON_CreateObject();
    char ref[128];
    snprintf(ref, sizeof ref, "#/components/schemas/%s", name);
    cJSON_AddStringToObject(o, "$ref", ref);
    return o;
}

static cJSON *json_content(cJSON *schema)
{
    cJSON *content = cJSON_CreateObject();
    cJSON *mt = cJSON_AddObjectToObject(content, "application/json");
    cJSON_AddItemToObject(mt, "schema", schema);
    return content;
}

/* Component schemas the routes use, collected as the paths are written. */
struct components {
    cJSON *schemas;
};

/* Named shapes nested in sh (objects and lists of them) become components
 * too: their schemas refer to them by name. */
static void add_nested(struct components *c, const struct shape *sh)
{
    FIELD_FOR_EACH(f, sh)
    {
        if ((f->type != FT_OBJECT && f->type != FT_LIST) || !f->ref)
            continue;
        if (f->ref->name && !cJSON_GetObjectItemCaseSensitive(c->schemas, f->ref->name))
            cJSON_AddItemToObject(c->schemas, f->ref->name,
                                  api_field_schema(f->ref, SCHEMA_ANSWER));
        add_nested(c, f->ref);
    }
}

/* A shape as a schema: named shapes become components (answers as the
 * name, bodies as <name>Create / <name>Change), unnamed ones inline. */
static cJSON *shape_schema(struct components *c, const struct shape *sh, enum api_schema_mode mode)
{
    add_nested(c, sh);
    if (!sh->name)
        return api_field_schema(sh, mode);
    char name[96];
    snprintf(name, sizeof name, "%s%s", sh->name,
             mode == SCHEMA_CREATE   ? "Create"
             : mode == SCHEMA_CHANGE ? "Change"
                                     : "");
    if (!cJSON_GetObjectItemCaseSensitive(c->schemas, name))
        cJSON_AddItemToObject(c->schemas, name, api_field_schema(sh, mode));
    return ref_to(name);
}

static cJSON *error_response(const char *desc)
{
    cJSON *resp = cJSON_CreateObject();
    cJSON_AddStringToObject(resp, "description", desc);
    cJSON_AddItemToObject(resp, "content", json_content(ref_to("Error")));
    return resp;
}

static const char *const ROLE_WORDS[] = {"anyone", "any signed-in user", "owners and staff",
                                         "staff"};

/* Who may call a route, as it really is: the role the dispatcher checks
 * and what the caller needs on the object the path names. */
static cJSON *access_of(const struct route *rt)
{
    cJSON *a = cJSON_CreateObject();
    static const char *const roles[] = {"public", "user", "owner", "staff"};
    static const char *const needs[] = {"see", "manage", "staff", "own", "self"};
    cJSON_AddStringToObject(a, "role", roles[rt->access]);
    char text[256];
    snprintf(text, sizeof text, "%s", ROLE_WORDS[rt->access]);
    if (rt->object) {
        cJSON_AddStringToObject(a, "object", rt->object->name);
        cJSON_AddStringToObject(a, "need", needs[rt->need]);
        if (rt->object_field)
            cJSON_AddStringToObject(a, "object_from", rt->object_field);
        const char *o = rt->object->name;
        char org[80];
        if (rt->object->managed_by)
            snprintf(org, sizeof org, "%s", rt->object->managed_by);
        else
            snprintf(org, sizeof org, "the %s's organisation", o);
        switch (rt->need) {
        case NEED_SEE:
            if (rt->object->private)
                snprintf(text, sizeof text,
                         "who may see the %s: its owner, staff, or an owner of %s", o, org);
            break;
        case NEED_MANAGE:
            snprintf(text, sizeof text, "staff, or an owner of %s", org);
            break;
        case NEED_STAFF:
            snprintf(text, sizeof text, "staff");
            break;
        case NEED_OWN:
            snprintf(text, sizeof text, "the %s's owner, staff, or an owner of %s", o, org);
            break;
        case NEED_SELF:
            snprintf(text, sizeof text, "the %s's owner", o);
            break;
        }
    }
    cJSON_AddStringToObject(a, "text", text);
    return a;
}

static void add_path_params(cJSON *params, const struct route *rt)
{
    for (const char *p = strchr(rt->pattern, '{'); p; p = strchr(p + 1, '{')) {
        const char *close = strchr(p, '}');
        if (!close)
            break;
        cJSON *par = cJSON_CreateObject();
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)(close - p - 1), p + 1);
        cJSON_AddStringToObject(par, "name", name);
        cJSON_AddStringToObject(par, "in", "path");
        cJSON_AddBoolToObject(par, "required", 1);
        cJSON *schema = cJSON_AddObjectToObject(par, "schema");
        int is_id = strcmp(name, "id") == 0 || strstr(name, "_id") != NULL;
        cJSON_AddStringToObject(schema, "type", is_id ? "integer" : "string");
        if (is_id)
            cJSON_AddNumberToObject(schema, "minimum", 1);
        cJSON_AddItemToArray(params, par);
    }
}

static void add_paging(cJSON *params)
{
    static const char *const paging[] = {
        "{\"name\":\"limit\",\"in\":\"query\",\"required\":false,\"description\":\"page size\","
        "\"schema\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":500,\"default\":50}}",
        "{\"name\":\"offset\",\"in\":\"query\",\"required\":false,\"description\":\"items to "
        "skip\",\"schema\":{\"type\":\"integer\",\"minimum\":0,\"default\":0}}",
    };
    for (size_t i = 0; i < sizeof paging / sizeof *paging; i++)
        cJSON_AddItemToArray(params, cJSON_Parse(paging[i]));
}

static cJSON *answer_schema(struct components *c, const struct route *rt)
{
    cJSON *item = shape_schema(c, rt->answer, SCHEMA_ANSWER);
    if (!(rt->flags & ROUTE_PAGED))
        return item;
    cJSON *page = cJSON_CreateObject();
    cJSON_AddStringToObject(page, "type", "object");
    cJSON *req = cJSON_AddArrayToObject(page, "required");
    cJSON_AddItemToArray(req, cJSON_CreateString("items"));
    cJSON_AddItemToArray(req, cJSON_CreateString("total"));
    cJSON *props = cJSON_AddObjectToObject(page, "properties");
    cJSON *items = cJSON_AddObjectToObject(props, "items");
    cJSON_AddStringToObject(items, "type", "array");
    cJSON_AddItemToObject(items, "items", item);
    cJSON *total = cJSON_AddObjectToObject(props, "total");
    cJSON_AddStringToObject(total, "type", "integer");
    cJSON_AddStringToObject(total, "description", "matches before paging");
    return page;
}

/* Whether the route answers CSV too: a `format` parameter offering "csv". */
static int offers_csv(const struct route *rt)
{
    if (!rt->query)
        return 0;
    FIELD_FOR_EACH(f, rt->query)
    {
        if (strcmp(f->name, "format") != 0 || !f->choices)
            continue;
        for (const struct field_choice *ch = f->choices; ch->value; ch++)
            if (strcmp(ch->value, "csv") == 0)
                return 1;
    }
    return 0;
}

static cJSON *operation(struct components *c, const struct route *rt)
{
    cJSON *op = cJSON_CreateObject();
    cJSON_AddStringToObject(op, "summary", rt->summary ? rt->summary : "");
    cJSON *tags = cJSON_AddArrayToObject(op, "tags");
    cJSON_AddItemToArray(tags, cJSON_CreateString(rt->tag ? rt->tag : "misc"));
    char opid[160];
    snprintf(opid, sizeof opid, "%s %s", rt->method, rt->pattern);
    cJSON_AddStringToObject(op, "operationId", opid);

    cJSON *params = cJSON_CreateArray();
    add_path_params(params, rt);
    if (rt->flags & ROUTE_PAGED)
        add_paging(params);
    if (rt->query)
        api_field_params(rt->query, params);
    if (cJSON_GetArraySize(params) > 0)
        cJSON_AddItemToObject(op, "parameters", params);
    else
        cJSON_Delete(params);

    if (rt->body_max > 0) {
        cJSON *rb = cJSON_AddObjectToObject(op, "requestBody");
        cJSON_AddBoolToObject(rb, "required", rt->creating);
        if (rt->body) {
            cJSON_AddItemToObject(rb, "content",
                                  json_content(shape_schema(
                                      c, rt->body, rt->creating ? SCHEMA_CREATE : SCHEMA_CHANGE)));
        } else if (rt->body_type) {
            cJSON *content = cJSON_AddObjectToObject(rb, "content");
            cJSON *mt = cJSON_AddObjectToObject(content, rt->body_type);
            cJSON *schema = cJSON_AddObjectToObject(mt, "schema");
            cJSON_AddStringToObject(schema, "type", "string");
        }
        cJSON_AddNumberToObject(rb, "x-max-bytes", (double)rt->body_max);
    }
    if (rt->access == ACCESS_PUBLIC)
        cJSON_AddItemToObject(op, "security", cJSON_CreateArray());
    cJSON_AddItemToObject(op, "x-access", access_of(rt));

    cJSON *responses = cJSON_AddObjectToObject(op, "responses");
    cJSON *ok = cJSON_CreateObject();
    const char *status = (rt->flags & ROUTE_CREATES)     ? "201"
                         : (rt->flags & ROUTE_EMPTY)     ? "204"
                         : (rt->flags & ROUTE_ACCEPTED)  ? "202"
                         : (rt->flags & ROUTE_REDIRECTS) ? "302"
                                                         : "200";
    cJSON_AddStringToObject(ok, "description",
                            (rt->flags & ROUTE_CREATES)     ? "created"
                            : (rt->flags & ROUTE_EMPTY)     ? "done"
                            : (rt->flags & ROUTE_ACCEPTED)  ? "accepted: an e-mail follows"
                            : (rt->flags & ROUTE_REDIRECTS) ? "the browser goes on (Location)"
                                                            : "success");
    if (rt->answer) {
        cJSON *content = json_content(answer_schema(c, rt));
        if (offers_csv(rt)) { /* format=csv: the same figures as text/csv */
            cJSON *mt = cJSON_AddObjectToObject(content, "text/csv");
            cJSON *schema = cJSON_AddObjectToObject(mt, "schema");
            cJSON_AddStringToObject(schema, "type", "string");
        }
        cJSON_AddItemToObject(ok, "content", content);
    } else if (rt->answer_type) {
        cJSON *content = cJSON_AddObjectToObject(ok, "content");
        cJSON *mt = cJSON_AddObjectToObject(content, rt->answer_type);
        cJSON *schema = cJSON_AddObjectToObject(mt, "schema");
        cJSON_AddStringToObject(schema, "type", "string");
    }
    cJSON_AddItemToObject(responses, status, ok);
    if (rt->flags & ROUTE_CREATES_OR_FINDS) { /* 200 above; 201 when it is new */
        cJSON *made = cJSON_Duplicate(ok, 1);
        cJSON_ReplaceItemInObject(made, "description", cJSON_CreateString("created"));
        cJSON_ReplaceItemInObject(ok, "description",
                                  cJSON_CreateString("it was there already: as it is now"));
        cJSON_AddItemToObject(responses, "201", made);
    }
    if (rt->body_max > 0 && !(rt->flags & ROUTE_RAW_BODY))
        cJSON_AddItemToObject(responses, "400", error_response("malformed JSON"));
    if (rt->access != ACCESS_PUBLIC)
        cJSON_AddItemToObject(responses, "401", error_response("not signed in"));
    else if (rt->flags & ROUTE_NO_CSRF)
        cJSON_AddItemToObject(responses, "401", error_response("wrong e-mail or password"));
    if (rt->access != ACCESS_PUBLIC)
        cJSON_AddItemToObject(responses, "403",
                              error_response("not allowed (role, object or CSRF token)"));
    if (rt->object && !rt->object_field)
        cJSON_AddItemToObject(responses, "404",
                              error_response("no such object, or not yours "
                                             "to see"));
    if (rt->flags & ROUTE_LINK) {
        cJSON_AddItemToObject(responses, "404", error_response("no such link"));
        cJSON_AddItemToObject(responses, "410", error_response("the link was used or has expired"));
    }
    if (rt->body_max > 0)
        cJSON_AddItemToObject(responses, "413", error_response("body too large"));
    if (rt->body || rt->query || (rt->flags & ROUTE_PAGED) || rt->object_field)
        cJSON_AddItemToObject(responses, "422", error_response("a field or parameter is wrong"));
    if (strcmp(rt->method, "GET") != 0)
        cJSON_AddItemToObject(responses, "409", error_response("conflicts with what exists"));
    if (rt->flags & ROUTE_THROTTLED)
        cJSON_AddItemToObject(responses, "429",
                              error_response("too many attempts; the Retry-After header says "
                                             "how many seconds to wait"));
    if ((rt->flags & ROUTE_DB_OPTIONAL) && rt->answer) {
        /* The health check reports the database in its own answer. */
        cJSON *down = cJSON_CreateObject();
        cJSON_AddStringToObject(
            down, "description",
            "the database does not answer (Retry-After says when to ask again)");
        cJSON_AddItemToObject(down, "content", json_content(answer_schema(c, rt)));
        cJSON_AddItemToObject(responses, "503", down);
    } else {
        cJSON_AddItemToObject(responses, "503", error_response("database unavailable"));
    }
    return op;
}

static cJSON *error_schema(void)
{
    cJSON *s = cJSON_CreateObject();
    cJSON_AddStringToObject(s, "type", "object");
    cJSON *req = cJSON_AddArrayToObject(s, "required");
    cJSON_AddItemToArray(req, cJSON_CreateString("error"));
    cJSON_AddItemToArray(req, cJSON_CreateString("message"));
    cJSON *props = cJSON_AddObjectToObject(s, "properties");
    cJSON *code = cJSON_AddObjectToObject(props, "error");
    cJSON_AddStringToObject(code, "type", "string");
    cJSON *e = cJSON_AddArrayToObject(code, "enum");
    for (int i = 1; i < LS_NCODES; i++)
        cJSON_AddItemToArray(e, cJSON_CreateString(ls_code_name((enum ls_code)i)));
    cJSON *msg = cJSON_AddObjectToObject(props, "message");
    cJSON_AddStringToObject(msg, "type", "string");
    cJSON_AddStringToObject(msg, "description",
                            "in the caller's language (the user's, else Accept-Language, else "
                            "Polish), naming the field as the forms label it");
    cJSON *field = cJSON_AddObjectToObject(props, "field");
    cJSON_AddStringToObject(field, "type", "string");
    cJSON_AddStringToObject(field, "description", "the JSON name of the field or parameter");
    const char *ids[] = {"conflicts", "blackouts", "bookings"};
    for (size_t i = 0; i < sizeof ids / sizeof *ids; i++) {
        cJSON *a = cJSON_AddObjectToObject(props, ids[i]);
        cJSON_AddStringToObject(a, "type", "array");
        cJSON *items = cJSON_AddObjectToObject(a, "items");
        cJSON_AddStringToObject(items, "type", "integer");
    }
    return s;
}

cJSON *openapi_document(void)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "openapi", "3.1.0");
    cJSON *info = cJSON_AddObjectToObject(doc, "info");
    cJSON_AddStringToObject(info, "title", "labshare");
    cJSON_AddStringToObject(info, "version", "1.1");
    cJSON_AddStringToObject(info, "description",
                            "Booking of shared laboratories, instruments and desks for the "
                            "Klaster LifeScience Kraków.");
    cJSON *servers = cJSON_AddArrayToObject(doc, "servers");
    cJSON *server = cJSON_CreateObject();
    cJSON_AddStringToObject(server, "url", http_public_url());
    cJSON_AddItemToArray(servers, server);

    struct components c = {cJSON_CreateObject()};
    cJSON_AddItemToObject(c.schemas, "Error", error_schema());
    cJSON *paths = cJSON_AddObjectToObject(doc, "paths");
    for (const struct route *const *t = http_route_tables; *t; t++)
        for (const struct route *rt = *t; rt->method; rt++) {
            cJSON *item = cJSON_GetObjectItemCaseSensitive(paths, rt->pattern);
            if (!item)
                item = cJSON_AddObjectToObject(paths, rt->pattern);
            char m[8];
            size_t i = 0;
            for (; rt->method[i] && i < sizeof m - 1; i++)
                m[i] = (char)(rt->method[i] | 0x20);
            m[i] = '\0';
            cJSON_AddItemToObject(item, m, operation(&c, rt));
        }

    cJSON *components = cJSON_AddObjectToObject(doc, "components");
    cJSON_AddItemToObject(components, "schemas", c.schemas);
    cJSON *sec = cJSON_AddObjectToObject(components, "securitySchemes");
    cJSON *cookie = cJSON_AddObjectToObject(sec, "session");
    cJSON_AddStringToObject(cookie, "type", "apiKey");
    cJSON_AddStringToObject(cookie, "in", "cookie");
    cJSON_AddStringToObject(cookie, "name", "labshare_session");
    cJSON *security = cJSON_AddArrayToObject(doc, "security");
    cJSON *req = cJSON_CreateObject();
    cJSON_AddItemToObject(req, "session", cJSON_CreateArray());
    cJSON_AddItemToArray(security, req);
    return doc;
}
