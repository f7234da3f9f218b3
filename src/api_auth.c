/* api_auth.c — sign-in, sign-out, the current user, user administration. */
#include <stdio.h>
#include <string.h>

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

static void set_session_cookie(struct req *r, const char *token, int max_age)
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
    set_session_cookie(r, token, AUTH_SESSION_ABSOLUTE);
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
    set_session_cookie(r, "", 0);
    return http_send_empty(r, 204);
}

static int get_me(struct req *r)
{
    return http_send_json(r, 200, api_user_json(r->user));
}

static int post_user(struct req *r)
{
    static const char *const fields[] = {"email", "name", "password", "role",
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
        rc = json_string(r->json, "password", 1, 0, AUTH_PASSWORD_MAX, &r->arena, &u.password,
                         NULL, &r->err);
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
    struct user *created = arena_alloc(&r->arena, sizeof *created);
    if ((rc = auth_user_get(r->db, id, &r->arena, created, &r->err)))
        return rc;
    return http_send_json(r, 201, api_user_json(created));
}

static const char SQL_USERS_COUNT[] = "SELECT count(*) FROM users";
static const char SQL_USERS_PAGE[] =
    "SELECT id FROM users ORDER BY id LIMIT ?1 OFFSET ?2";

static int get_users(struct req *r)
{
    int64_t limit, offset;
    int rc = http_paging(r, &limit, &offset);
    if (rc)
        return rc;
    sqlite3_stmt *st = db_stmt(r->db, SQL_USERS_COUNT);
    int64_t total = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    st = db_stmt(r->db, SQL_USERS_PAGE);
    sqlite3_bind_int64(st, 1, limit);
    sqlite3_bind_int64(st, 2, offset);
    int64_t ids[500];
    int n = 0;
    while (n < 500 && sqlite3_step(st) == SQLITE_ROW)
        ids[n++] = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    cJSON *items = cJSON_CreateArray();
    for (int i = 0; i < n; i++) {
        struct user u;
        if (auth_user_get(r->db, ids[i], &r->arena, &u, &r->err) == LS_OK)
            cJSON_AddItemToArray(items, api_user_json(&u));
    }
    return http_send_list(r, items, total);
}

const struct route api_auth_routes[] = {
    {"POST", "/api/v1/session", post_session, ACCESS_PUBLIC, 4096, ROUTE_NO_CSRF, "auth", "Sign in: sets the session cookie, returns the user and the CSRF token"},
    {"GET", "/api/v1/session", get_session, ACCESS_USER, 0, 0, "auth", "The current session: user and CSRF token"},
    {"DELETE", "/api/v1/session", delete_session, ACCESS_USER, 0, 0, "auth", "Sign out"},
    {"GET", "/api/v1/me", get_me, ACCESS_USER, 0, 0, "auth", "The signed-in user"},
    {"POST", "/api/v1/users", post_user, ACCESS_STAFF, 8192, 0, "auth", "Create a user (staff)"},
    {"GET", "/api/v1/users", get_users, ACCESS_STAFF, 0, 0, "auth", "List users (staff)"},
    {0},
};
