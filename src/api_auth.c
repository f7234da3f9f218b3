/* api_auth.c — sign-in, sign-out, the current user, user administration,
 * the audit log. Account rules live in account.c, sessions in auth.c. */
#include <stdio.h>
#include <string.h>

#include "account.h"
#include "api.h"
#include "db.h"
#include "json.h"

#define SESSION_COOKIE "labshare_session"

cJSON *api_user_json(const struct user *u)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "id", (double)u->id);
    cJSON_AddStringToObject(o, "email", u->email ? u->email : "");
    cJSON_AddStringToObject(o, "name", u->name ? u->name : "");
    cJSON_AddStringToObject(o, "role", auth_role_name(u->role));
    json_add_id_or_null(o, "organisation_id", u->organisation_id);
    cJSON_AddBoolToObject(o, "active", u->active);
    cJSON_AddStringToObject(o, "lang", u->lang ? u->lang : "pl");
    return o;
}

void api_set_session_cookie(struct req *r, const char *token, int max_age)
{
    char *v = arena_printf(&r->arena, "%s=%s; Path=/; HttpOnly; SameSite=Lax; Max-Age=%d%s",
                           SESSION_COOKIE, token, max_age, http_is_https(r) ? "; Secure" : "");
    http_add_header(r, "Set-Cookie", v);
}

static int post_session(struct req *r)
{
    static const char *const fields[] = {"email", "password", NULL};
    const char *email = NULL, *password = NULL;
    int rc = json_only(r->json, fields, &r->err);
    if (!rc)
        rc = json_string(r->json, "email", 1, 0, 254, &r->arena, &email, NULL, &r->err);
    if (!rc)
        rc = json_string(r->json, "password", 1, 0, AUTH_PASSWORD_MAX, &r->arena, &password, NULL,
                         &r->err);
    if (rc)
        return rc;
    struct user *u = arena_alloc(&r->arena, sizeof *u);
    const char *token = NULL, *csrf = NULL;
    if ((rc = auth_login(r->db, email, password, r->client_ip, &r->arena, u, &token, &csrf,
                         &r->err)))
        return rc;
    if (r->session_token) /* replace, never stack, sessions in one browser */
        auth_session_delete(r->db, r->session_token);
    api_set_session_cookie(r, token, AUTH_SESSION_ABSOLUTE);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "user", api_user_json(u));
    cJSON_AddStringToObject(o, "csrf", csrf);
    return http_send_json(r, 200, o);
}

static int get_session(struct req *r)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "user", api_user_json(r->user));
    cJSON_AddStringToObject(o, "csrf", r->csrf);
    return http_send_json(r, 200, o);
}

static int delete_session(struct req *r)
{
    if (r->session_token)
        auth_session_delete(r->db, r->session_token);
    auth_audit(r->db, r->user->id, "session.delete", "user", r->user->id, NULL, r->client_ip);
    api_set_session_cookie(r, "", 0);
    return http_send_empty(r, 204);
}

static int get_me(struct req *r)
{
    return http_send_json(r, 200, api_user_json(r->user));
}

static cJSON *account_json(const struct account *a);

static int post_user(struct req *r)
{
    static const char *const fields[] = {"email",           "name", "password", "role",
                                         "organisation_id", "lang", NULL};
    static const char *const roles[] = {"researcher", "owner", "staff", NULL};
    static const char *const langs[] = {"pl", "en", NULL};
    struct user_new u = {0};
    const char *role = NULL;
    int64_t org = 0;
    int rc = json_only(r->json, fields, &r->err);
    if (!rc)
        rc = json_string(r->json, "email", 1, 0, 254, &r->arena, &u.email, NULL, &r->err);
    if (!rc)
        rc = json_string(r->json, "name", 1, 0, 200, &r->arena, &u.name, NULL, &r->err);
    if (!rc)
        rc = json_string(r->json, "password", 1, 0, AUTH_PASSWORD_MAX, &r->arena, &u.password, NULL,
                         &r->err);
    if (!rc)
        rc = json_enum(r->json, "role", 1, roles, &role, NULL, &r->err);
    if (!rc) {
        const cJSON *o = cJSON_GetObjectItemCaseSensitive(r->json, "organisation_id");
        if (o && !cJSON_IsNull(o))
            rc = json_int(r->json, "organisation_id", 0, 1, INT64_MAX / 2, &org, NULL, &r->err);
    }
    if (!rc)
        rc = json_enum(r->json, "lang", 0, langs, &u.lang, NULL, &r->err);
    if (rc)
        return rc;
    u.role = auth_role_parse(role);
    u.organisation_id = org;
    int64_t id = 0;
    if ((rc = auth_user_create(r->db, &u, &id, &r->err)))
        return rc;
    auth_audit(r->db, r->user->id, "user.create", "user", id, role, r->client_ip);
    struct account created;
    if ((rc = account_get(r->db, id, &r->arena, &created, &r->err)))
        return rc;
    return http_send_json(r, 201, account_json(&created));
}

/* A user as staff see it: the public shape plus organisation name and times. */
static cJSON *account_json(const struct account *a)
{
    cJSON *o = api_user_json(&a->user);
    json_add_str_or_null(o, "organisation_name", a->organisation_name);
    json_add_time(o, "created", a->created);
    json_add_time(o, "updated", a->updated);
    return o;
}

static int get_users(struct req *r)
{
    static const char *const roles[] = {"researcher", "owner", "staff", NULL};
    static const char *const bools[] = {"true", "false", "1", "0", NULL};
    struct account_filter f = {.active = -1};
    const char *role = NULL, *active = NULL;
    int has_role = 0, has_active = 0;
    int rc = http_paging(r, &f.limit, &f.offset);
    if (!rc)
        rc = http_query_enum(r, "role", roles, &role, &has_role);
    if (!rc)
        rc = http_query_int(r, "organisation_id", 1, INT64_MAX / 2, &f.organisation_id, NULL);
    if (!rc)
        rc = http_query_enum(r, "active", bools, &active, &has_active);
    if (rc)
        return rc;
    f.q = http_query(r, "q");
    if (f.q && strlen(f.q) > 200)
        return ls_err_set(&r->err, LS_EVALIDATION, "q", "'q' must be at most 200 characters");
    if (has_role)
        f.role = auth_role_parse(role);
    if (has_active)
        f.active = active[0] == 't' || active[0] == '1';
    struct account *list = NULL;
    int n = 0;
    int64_t total = 0;
    if ((rc = account_list(r->db, &f, &r->arena, &list, &n, &total, &r->err)))
        return rc;
    cJSON *items = cJSON_CreateArray();
    for (int i = 0; i < n; i++)
        cJSON_AddItemToArray(items, account_json(&list[i]));
    return http_send_list(r, items, total);
}

/* Staff see everyone; anyone else only themselves (403 before any lookup,
 * so the answer says nothing about which ids exist). */
static int user_param(struct req *r, int64_t *id)
{
    int rc = http_param_id(r, 0, id);
    if (rc)
        return rc;
    if (!authz_is_staff(r->user) && *id != r->user->id)
        return ls_err_set(&r->err, LS_EFORBIDDEN, NULL, "only staff may see other accounts");
    return LS_OK;
}

static int get_user(struct req *r)
{
    int64_t id;
    int rc = user_param(r, &id);
    if (rc)
        return rc;
    struct account a;
    if ((rc = account_get(r->db, id, &r->arena, &a, &r->err)))
        return rc;
    return http_send_json(r, 200, account_json(&a));
}

/* Reads a PATCH body into p; `fields` lists what this route accepts. */
static int patch_from_json(struct req *r, const char *const *fields, struct account_patch *p)
{
    static const char *const roles[] = {"researcher", "owner", "staff", NULL};
    static const char *const langs[] = {"pl", "en", NULL};
    const char *role = NULL;
    int rc = json_only(r->json, fields, &r->err);
    if (!rc)
        rc = json_string(r->json, "name", 0, 0, 200, &r->arena, &p->name, NULL, &r->err);
    if (!rc)
        rc = json_enum(r->json, "lang", 0, langs, &p->lang, NULL, &r->err);
    if (!rc)
        rc = json_enum(r->json, "role", 0, roles, &role, &p->set_role, &r->err);
    if (!rc && p->set_role)
        p->role = auth_role_parse(role);
    if (!rc) {
        const cJSON *o = cJSON_GetObjectItemCaseSensitive(r->json, "organisation_id");
        p->set_organisation = o != NULL;
        if (o && !cJSON_IsNull(o))
            rc = json_int(r->json, "organisation_id", 0, 1, INT64_MAX / 2, &p->organisation_id,
                          NULL, &r->err);
    }
    if (!rc)
        rc = json_bool(r->json, "active", 0, &p->active, &p->set_active, &r->err);
    if (!rc && p->name && !*p->name)
        rc = ls_err_set(&r->err, LS_EVALIDATION, "name", "'name' must not be empty");
    return rc;
}

static int patch_user(struct req *r)
{
    static const char *const fields[] = {"name", "lang", "role", "organisation_id", "active", NULL};
    static const char *const staff_only[] = {"role", "organisation_id", "active", NULL};
    int64_t id;
    int rc = user_param(r, &id);
    if (rc)
        return rc;
    /* 403 before 422: a user editing themselves may not even ask for these. */
    if (!authz_is_staff(r->user))
        for (const char *const *f = staff_only; *f; f++)
            if (cJSON_GetObjectItemCaseSensitive(r->json, *f))
                return ls_err_set(&r->err, LS_EFORBIDDEN, *f, "only staff may change '%s'", *f);
    struct account_patch p = {0};
    if ((rc = patch_from_json(r, fields, &p)))
        return rc;
    if ((rc = account_update(r->db, r->user, id, &p, r->client_ip, &r->err)))
        return rc;
    struct account a;
    if ((rc = account_get(r->db, id, &r->arena, &a, &r->err)))
        return rc;
    return http_send_json(r, 200, account_json(&a));
}

static int patch_me(struct req *r)
{
    static const char *const fields[] = {"name", "lang", NULL};
    struct account_patch p = {0};
    int rc = patch_from_json(r, fields, &p);
    if (!rc)
        rc = account_update(r->db, r->user, r->user->id, &p, r->client_ip, &r->err);
    if (rc)
        return rc;
    struct user *u = arena_alloc(&r->arena, sizeof *u);
    if ((rc = auth_user_get(r->db, r->user->id, &r->arena, u, &r->err)))
        return rc;
    return http_send_json(r, 200, api_user_json(u));
}

static int post_me_password(struct req *r)
{
    static const char *const fields[] = {"current", "new", NULL};
    const char *current = NULL, *new_pw = NULL;
    int rc = json_only(r->json, fields, &r->err);
    if (!rc)
        rc = json_string(r->json, "current", 1, 0, AUTH_PASSWORD_MAX, &r->arena, &current, NULL,
                         &r->err);
    if (!rc)
        rc =
            json_string(r->json, "new", 1, 0, AUTH_PASSWORD_MAX, &r->arena, &new_pw, NULL, &r->err);
    if (!rc)
        rc = account_password_change(r->db, r->user, current, new_pw, r->session_token,
                                     r->client_ip, &r->err);
    if (rc)
        return rc;
    return http_send_empty(r, 204);
}

static int post_user_password(struct req *r)
{
    static const char *const fields[] = {"password", NULL};
    const char *pw = NULL;
    int64_t id;
    int rc = http_param_id(r, 0, &id);
    if (!rc)
        rc = json_only(r->json, fields, &r->err);
    if (!rc)
        rc = json_string(r->json, "password", 1, 0, AUTH_PASSWORD_MAX, &r->arena, &pw, NULL,
                         &r->err);
    if (!rc)
        rc = account_password_reset(r->db, r->user, id, pw, r->client_ip, &r->err);
    if (rc)
        return rc;
    return http_send_empty(r, 204);
}

static int get_audit(struct req *r)
{
    struct audit_filter f = {0};
    int rc = http_paging(r, &f.limit, &f.offset);
    if (!rc)
        rc = http_query_int(r, "user_id", 1, INT64_MAX / 2, &f.user_id, NULL);
    if (!rc)
        rc = http_query_int(r, "object_id", 1, INT64_MAX / 2, &f.object_id, NULL);
    if (!rc)
        rc = http_query_time(r, "from", 0, &f.from, &f.has_from);
    if (!rc)
        rc = http_query_time(r, "to", 0, &f.to, &f.has_to);
    if (rc)
        return rc;
    if (f.has_from && f.has_to && f.to <= f.from)
        return ls_err_set(&r->err, LS_EVALIDATION, "to", "'to' must be after 'from'");
    f.action = http_query(r, "action");
    f.object_type = http_query(r, "object_type");
    if (f.action && strlen(f.action) > 64)
        return ls_err_set(&r->err, LS_EVALIDATION, "action",
                          "'action' must be at most 64 characters");
    if (f.object_type && strlen(f.object_type) > 64)
        return ls_err_set(&r->err, LS_EVALIDATION, "object_type",
                          "'object_type' must be at most 64 characters");
    struct audit_entry *list = NULL;
    int n = 0;
    int64_t total = 0;
    if ((rc = account_audit_list(r->db, &f, &r->arena, &list, &n, &total, &r->err)))
        return rc;
    cJSON *items = cJSON_CreateArray();
    for (int i = 0; i < n; i++) {
        const struct audit_entry *e = &list[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "id", (double)e->id);
        json_add_time(o, "at", e->at);
        json_add_id_or_null(o, "user_id", e->user_id);
        json_add_str_or_null(o, "user_name", e->user_name);
        json_add_str_or_null(o, "user_email", e->user_email);
        cJSON_AddStringToObject(o, "action", e->action ? e->action : "");
        cJSON_AddStringToObject(o, "object_type", e->object_type ? e->object_type : "");
        json_add_id_or_null(o, "object_id", e->object_id);
        cJSON_AddStringToObject(o, "detail", e->detail ? e->detail : "");
        cJSON_AddStringToObject(o, "ip", e->ip ? e->ip : "");
        cJSON_AddItemToArray(items, o);
    }
    return http_send_list(r, items, total);
}

const struct route api_auth_routes[] = {
    {"POST", "/api/v1/session", post_session, ACCESS_PUBLIC, 4096, ROUTE_NO_CSRF, "auth",
     "Sign in: sets the session cookie, returns the user and the CSRF token"},
    {"GET", "/api/v1/session", get_session, ACCESS_USER, 0, 0, "auth",
     "The current session: user and CSRF token"},
    {"DELETE", "/api/v1/session", delete_session, ACCESS_USER, 0, 0, "auth", "Sign out"},
    {"GET", "/api/v1/me", get_me, ACCESS_USER, 0, 0, "auth", "The signed-in user"},
    {"POST", "/api/v1/users", post_user, ACCESS_STAFF, 8192, 0, "auth", "Create a user (staff)"},
    {"GET", "/api/v1/users", get_users, ACCESS_STAFF, 0, 0, "auth",
     "List users (staff): filters q, role, organisation_id, active"},
    {"GET", "/api/v1/users/{id}", get_user, ACCESS_USER, 0, 0, "auth",
     "One user (staff, or the user themself)"},
    {"PATCH", "/api/v1/users/{id}", patch_user, ACCESS_USER, 4096, 0, "auth",
     "Change a user (staff: name, role, organisation_id, active, lang; the user themself: name, "
     "lang)"},
    {"POST", "/api/v1/users/{id}/password", post_user_password, ACCESS_STAFF, 4096, 0, "auth",
     "Set a new password for a user and end their sessions (staff)"},
    {"PATCH", "/api/v1/me", patch_me, ACCESS_USER, 4096, 0, "auth",
     "Change your own name or language"},
    {"POST", "/api/v1/me/password", post_me_password, ACCESS_USER, 4096, 0, "auth",
     "Change your own password {current, new}; ends your other sessions"},
    {"GET", "/api/v1/audit", get_audit, ACCESS_STAFF, 0, 0, "auth",
     "The audit log (staff): filters user_id, action, object_type, object_id, from, to"},
    {0},
};
