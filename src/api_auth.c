/* api_auth.c — sign-in, sign-out, the current user, user administration,
 * the audit log. Account rules live in account.c, sessions in auth.c. */
#include <stdio.h>
#include <string.h>

#include "account.h"
#include "api.h"
#include "db.h"
#include "api_field.h"
#include "catalogue.h"
#include "json.h"

#define SESSION_COOKIE "labshare_session"

const struct field_choice api_roles[] = {
    {"researcher", {"researcher", "badacz(ka)"}},
    {"owner", {"lab owner", "opiekun(ka) laboratorium"}},
    {"staff", {"cluster staff", "biuro klastra"}},
    {NULL, {NULL, NULL}},
};
const struct field_choice api_langs[] = {
    {"pl", {"Polish", "polski"}},
    {"en", {"English", "angielski"}},
    {NULL, {NULL, NULL}},
};

#define U(member, json, ft, fl, ...)                                                               \
    FIELD(struct user, member, json, ft, FF_OUT | (fl), __VA_ARGS__)
#define USER_FIELDS(st, prefix)                                                                    \
    FIELD(st, prefix id, "id", FT_ID, FF_OUT, LABEL("Id", "Identyfikator")),                       \
        FIELD(st, prefix email, "email", FT_TEXT, FF_OUT, LABEL("E-mail", "E-mail")),              \
        FIELD(st, prefix name, "name", FT_TEXT, FF_OUT, LABEL("Name", "Imię i nazwisko")),         \
        FIELD(st, prefix role, "role", FT_CODE, FF_OUT, .min = 1, .choices = api_roles,            \
              LABEL("Role", "Rola")),                                                              \
        FIELD(st, prefix organisation_id, "organisation_id", FT_ID, FF_OUT | FF_NULLABLE,          \
              .ref = &catalogue_organisation.shape, LABEL("Organisation", "Organizacja")),         \
        FIELD(st, prefix active, "active", FT_BOOL, FF_OUT, LABEL("Active", "Aktywne")),           \
        FIELD(st, prefix lang, "lang", FT_ENUM, FF_OUT, .choices = api_langs,                      \
              LABEL("Language", "Język"))
static const struct field USER_TABLE[] = {USER_FIELDS(struct user, ), FIELD_END};
const struct shape api_user_shape = {
    "User", USER_TABLE, sizeof(struct user), {"user", "użytkownik"}, "A user (no secrets)"};
static const struct field ACCOUNT_TABLE[] = {
    USER_FIELDS(struct account, user.),
    FIELD(struct account, organisation_name, "organisation_name", FT_TEXT, FF_OUT | FF_NULLABLE,
          LABEL("Organisation", "Organizacja")),
    FIELD(struct account, created, "created", FT_TIME, FF_OUT, LABEL("Created", "Utworzono")),
    FIELD(struct account, updated, "updated", FT_TIME, FF_OUT, LABEL("Updated", "Zmieniono")),
    FIELD_END,
};
static const struct shape account_shape = {"Account",
                                           ACCOUNT_TABLE,
                                           sizeof(struct account),
                                           {"user", "użytkownik"},
                                           "A user as staff see it: with organisation and times"};

struct session_answer {
    struct user user;
    const char *csrf;
};
static const struct field SESSION_TABLE[] = {
    FIELD(struct session_answer, user, "user", FT_OBJECT, FF_OUT, .ref = &api_user_shape,
          LABEL("User", "Użytkownik")),
    FIELD(struct session_answer, csrf, "csrf", FT_TEXT, FF_OUT, LABEL("CSRF token", "Token CSRF"),
          .help = "send it as X-CSRF-Token with every state-changing request"),
    FIELD_END,
};
const struct shape api_session_shape = {"Session",
                                        SESSION_TABLE,
                                        sizeof(struct session_answer),
                                        {"session", "sesja"},
                                        "The signed-in user and the session's CSRF token"};

struct sign_in {
    const char *email, *password;
};
static const struct field SIGN_IN_TABLE[] = {
    FIELD(struct sign_in, email, "email", FT_TEXT, FF_REQUIRED, .max = 254,
          LABEL("E-mail", "E-mail")),
    FIELD(struct sign_in, password, "password", FT_TEXT, FF_REQUIRED | FF_IN,
          .max = AUTH_PASSWORD_MAX, LABEL("Password", "Hasło")),
    FIELD_END,
};
static const struct shape sign_in_shape = {"SignIn",
                                           SIGN_IN_TABLE,
                                           sizeof(struct sign_in),
                                           {"sign-in", "logowanie"},
                                           "E-mail and password"};

static const struct field NEW_USER_TABLE[] = {
    FIELD(struct user_new, email, "email", FT_TEXT, FF_REQUIRED, .max = 254,
          LABEL("E-mail", "E-mail")),
    FIELD(struct user_new, name, "name", FT_TEXT, FF_REQUIRED, .max = 200,
          LABEL("Name", "Imię i nazwisko")),
    FIELD(struct user_new, password, "password", FT_TEXT, FF_REQUIRED | FF_IN,
          .min = AUTH_PASSWORD_MIN, .max = AUTH_PASSWORD_MAX, LABEL("Password", "Hasło")),
    FIELD(struct user_new, role, "role", FT_CODE, FF_REQUIRED, .min = 1, .choices = api_roles,
          LABEL("Role", "Rola")),
    FIELD(struct user_new, organisation_id, "organisation_id", FT_ID, FF_NULLABLE,
          .ref = &catalogue_organisation.shape, LABEL("Organisation", "Organizacja"),
          .help = "null for a guest"),
    FIELD(struct user_new, lang, "lang", FT_ENUM, 0, .choices = api_langs, .def = "pl",
          LABEL("Language", "Język")),
    FIELD_END,
};
static const struct shape new_user_shape = {"NewUser",
                                            NEW_USER_TABLE,
                                            sizeof(struct user_new),
                                            {"user", "użytkownik"},
                                            "A user staff create"};

#define CHANGE_FIELDS(staff)                                                                       \
    FIELD(struct account_patch, name, "name", FT_TEXT, FF_REQUIRED, .max = 200,                    \
          LABEL("Name", "Imię i nazwisko")),                                                       \
        FIELD(struct account_patch, lang, "lang", FT_ENUM, 0, .choices = api_langs,                \
              LABEL("Language", "Język"))
static const struct field CHANGE_TABLE[] = {
    CHANGE_FIELDS(),
    FIELD(struct account_patch, role, "role", FT_CODE, FF_STAFF, .min = 1, .choices = api_roles,
          LABEL("Role", "Rola")),
    FIELD(struct account_patch, organisation_id, "organisation_id", FT_ID, FF_STAFF | FF_NULLABLE,
          .ref = &catalogue_organisation.shape, LABEL("Organisation", "Organizacja")),
    FIELD(struct account_patch, active, "active", FT_BOOL, FF_STAFF, LABEL("Active", "Aktywne")),
    FIELD_END,
};
static const struct shape change_shape = {"UserChange",
                                          CHANGE_TABLE,
                                          sizeof(struct account_patch),
                                          {"user", "użytkownik"},
                                          "Staff change anything; a user their name and language"};
static const struct field ME_TABLE[] = {CHANGE_FIELDS(), FIELD_END};
static const struct shape me_shape = {.fields = ME_TABLE, .size = sizeof(struct account_patch)};

struct passwords {
    const char *current, *new_pw, *password;
};
static const struct field MY_PASSWORD_TABLE[] = {
    FIELD(struct passwords, current, "current", FT_TEXT, FF_REQUIRED | FF_IN,
          .max = AUTH_PASSWORD_MAX, LABEL("Current password", "Obecne hasło")),
    FIELD(struct passwords, new_pw, "new", FT_TEXT, FF_REQUIRED | FF_IN, .min = AUTH_PASSWORD_MIN,
          .max = AUTH_PASSWORD_MAX, LABEL("New password", "Nowe hasło")),
    FIELD_END,
};
static const struct shape my_password_shape = {.fields = MY_PASSWORD_TABLE,
                                               .size = sizeof(struct passwords)};
static const struct field SET_PASSWORD_TABLE[] = {
    FIELD(struct passwords, password, "password", FT_TEXT, FF_REQUIRED | FF_IN,
          .min = AUTH_PASSWORD_MIN, .max = AUTH_PASSWORD_MAX, LABEL("New password", "Nowe hasło")),
    FIELD_END,
};
static const struct shape set_password_shape = {.fields = SET_PASSWORD_TABLE,
                                                .size = sizeof(struct passwords)};

static const struct field USERS_QUERY_TABLE[] = {
    FIELD(struct account_filter, q, "q", FT_TEXT, 0, .max = 200,
          LABEL("Name or e-mail", "Imię, nazwisko lub e-mail")),
    FIELD(struct account_filter, role, "role", FT_CODE, 0, .min = 1, .choices = api_roles,
          LABEL("Role", "Rola")),
    FIELD(struct account_filter, organisation_id, "organisation_id", FT_ID, 0,
          LABEL("Organisation", "Organizacja")),
    FIELD(struct account_filter, active, "active", FT_BOOL, 0, LABEL("Active", "Aktywne")),
    FIELD_END,
};
static const struct shape users_query = {.fields = USERS_QUERY_TABLE,
                                         .size = sizeof(struct account_filter)};

static const struct field AUDIT_QUERY_TABLE[] = {
    FIELD(struct audit_filter, user_id, "user_id", FT_ID, 0, LABEL("Who", "Kto")),
    FIELD(struct audit_filter, action, "action", FT_TEXT, 0, .max = 64, LABEL("Action", "Czynność"),
          .help = "exact, or the part before a dot"),
    FIELD(struct audit_filter, object_type, "object_type", FT_TEXT, 0, .max = 64,
          LABEL("Object type", "Rodzaj obiektu")),
    FIELD(struct audit_filter, object_id, "object_id", FT_ID, 0, LABEL("Object", "Obiekt")),
    FIELD(struct audit_filter, from, "from", FT_TIME, 0, LABEL("From", "Od")),
    FIELD(struct audit_filter, to, "to", FT_TIME, 0, LABEL("To", "Do")),
    FIELD_END,
};
static const struct shape audit_query = {.fields = AUDIT_QUERY_TABLE,
                                         .size = sizeof(struct audit_filter)};
#define E(member, json, ft, fl, ...)                                                               \
    FIELD(struct audit_entry, member, json, ft, FF_OUT | (fl), __VA_ARGS__)
static const struct field AUDIT_TABLE[] = {
    E(id, "id", FT_ID, 0, LABEL("Id", "Identyfikator")),
    E(at, "at", FT_TIME, 0, LABEL("When", "Kiedy")),
    E(user_id, "user_id", FT_ID, FF_NULLABLE, LABEL("Who", "Kto")),
    E(user_name, "user_name", FT_TEXT, FF_NULLABLE, LABEL("Who", "Kto")),
    E(user_email, "user_email", FT_TEXT, FF_NULLABLE, LABEL("E-mail", "E-mail")),
    E(action, "action", FT_TEXT, 0, LABEL("Action", "Czynność")),
    E(object_type, "object_type", FT_TEXT, 0, LABEL("Object type", "Rodzaj obiektu")),
    E(object_id, "object_id", FT_ID, FF_NULLABLE, LABEL("Object", "Obiekt")),
    E(detail, "detail", FT_TEXT, 0, LABEL("Detail", "Szczegóły")),
    E(ip, "ip", FT_TEXT, 0, LABEL("Address", "Adres")),
    FIELD_END,
};
static const struct shape audit_shape = {"AuditEntry",
                                         AUDIT_TABLE,
                                         sizeof(struct audit_entry),
                                         {"audit entry", "wpis dziennika"},
                                         "One security-relevant event"};

cJSON *api_user_json(const struct user *u)
{
    return api_field_json(&api_user_shape, u);
}

/* Users: staff see anyone, everyone else only themselves (403 before any
 * lookup, so the answer says nothing about which ids exist). */
static int locate_user(const struct route_object *o, struct req *r, int64_t id, void **obj,
                       int64_t *org, int64_t *owner)
{
    (void)o;
    (void)r;
    *obj = NULL;
    *org = 0; /* nobody but staff manages accounts */
    *owner = id;
    return LS_OK;
}
const struct route_object api_user_object = {"user", &account_shape, locate_user, NULL, 0, NULL};

void api_set_session_cookie(struct req *r, const char *token, int max_age)
{
    char *v = arena_printf(&r->arena, "%s=%s; Path=/; HttpOnly; SameSite=Lax; Max-Age=%d%s",
                           SESSION_COOKIE, token, max_age, http_is_https(r) ? "; Secure" : "");
    http_add_header(r, "Set-Cookie", v);
}

void api_start_session(struct req *r, const char *token)
{
    if (r->session_token) /* replace, never stack, sessions in one browser */
        auth_session_delete(r->db, r->session_token);
    api_set_session_cookie(r, token, AUTH_SESSION_ABSOLUTE);
}

int api_send_session(struct req *r, int status, const struct user *u, const char *token,
                     const char *csrf)
{
    api_start_session(r, token);
    struct session_answer a = {*u, csrf};
    return http_send_json(r, status, api_field_json(&api_session_shape, &a));
}

static int post_session(struct req *r)
{
    const struct sign_in *in = r->input;
    struct user *u = arena_alloc(&r->arena, sizeof *u);
    const char *token = NULL, *csrf = NULL;
    int rc = auth_login(r->db, in->email, in->password, r->client_ip, &r->arena, u, &token, &csrf,
                        &r->err);
    if (rc)
        return rc;
    return api_send_session(r, 200, u, token, csrf);
}

static int get_session(struct req *r)
{
    struct session_answer a = {*r->user, r->csrf};
    return http_send_json(r, 200, api_field_json(&api_session_shape, &a));
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
    const struct user_new *u = r->input;
    int64_t id = 0;
    int rc = auth_user_create(r->db, u, &id, &r->err);
    if (rc)
        return rc;
    auth_audit(r->db, r->user->id, "user.create", "user", id, auth_role_name(u->role),
               r->client_ip);
    struct account created;
    if ((rc = account_get(r->db, id, &r->arena, &created, &r->err)))
        return rc;
    return http_send_json(r, 201, account_json(&created));
}

/* A user as staff see it: the public shape plus organisation name and times. */
static cJSON *account_json(const struct account *a)
{
    return api_field_json(&account_shape, a);
}

static int get_users(struct req *r)
{
    struct account_filter f = *(const struct account_filter *)r->query;
    uint64_t has = r->query_present;
    if (!(has & field_bit(&users_query, "role")))
        f.role = ROLE_NONE;
    if (!(has & field_bit(&users_query, "active")))
        f.active = -1;
    f.limit = r->limit;
    f.offset = r->offset;
    struct account *list = NULL;
    int n = 0;
    int64_t total = 0;
    int rc = account_list(r->db, &f, &r->arena, &list, &n, &total, &r->err);
    if (rc)
        return rc;
    cJSON *items = cJSON_CreateArray();
    for (int i = 0; i < n; i++)
        cJSON_AddItemToArray(items, account_json(&list[i]));
    return http_send_list(r, items, total);
}

static int get_user(struct req *r)
{
    struct account a;
    int rc = account_get(r->db, r->obj_id, &r->arena, &a, &r->err);
    return rc ? rc : http_send_json(r, 200, account_json(&a));
}

/* The change the body asks for: what was sent, and nothing else. */
static struct account_patch patch_of(struct req *r, const struct shape *sh)
{
    struct account_patch p = *(const struct account_patch *)r->input;
    uint64_t has = r->input_present;
    if (!(has & field_bit(sh, "name")))
        p.name = NULL;
    if (!(has & field_bit(sh, "lang")))
        p.lang = NULL;
    p.set_role = (has & field_bit(sh, "role")) != 0;
    p.set_organisation = (has & field_bit(sh, "organisation_id")) != 0;
    p.set_active = (has & field_bit(sh, "active")) != 0;
    return p;
}

static int patch_user(struct req *r)
{
    struct account_patch p = patch_of(r, &change_shape);
    int rc = account_update(r->db, r->user, r->obj_id, &p, r->client_ip, &r->err);
    if (rc)
        return rc;
    struct account a;
    if ((rc = account_get(r->db, r->obj_id, &r->arena, &a, &r->err)))
        return rc;
    return http_send_json(r, 200, account_json(&a));
}

static int patch_me(struct req *r)
{
    struct account_patch p = patch_of(r, &me_shape);
    int rc = account_update(r->db, r->user, r->user->id, &p, r->client_ip, &r->err);
    if (rc)
        return rc;
    struct user *u = arena_alloc(&r->arena, sizeof *u);
    if ((rc = auth_user_get(r->db, r->user->id, &r->arena, u, &r->err)))
        return rc;
    return http_send_json(r, 200, api_user_json(u));
}

static int post_me_password(struct req *r)
{
    const struct passwords *p = r->input;
    int rc = account_password_change(r->db, r->user, p->current, p->new_pw, r->session_token,
                                     r->client_ip, &r->err);
    return rc ? rc : http_send_empty(r, 204);
}

static int post_user_password(struct req *r)
{
    const struct passwords *p = r->input;
    int rc = account_password_reset(r->db, r->user, r->obj_id, p->password, r->client_ip, &r->err);
    return rc ? rc : http_send_empty(r, 204);
}

static int get_audit(struct req *r)
{
    struct audit_filter f = *(const struct audit_filter *)r->query;
    f.has_from = (r->query_present & field_bit(&audit_query, "from")) != 0;
    f.has_to = (r->query_present & field_bit(&audit_query, "to")) != 0;
    f.limit = r->limit;
    f.offset = r->offset;
    if (f.has_from && f.has_to && f.to <= f.from)
        return ls_err_set(&r->err, LS_EVALIDATION, "to", "{field} must be after the start");
    struct audit_entry *list = NULL;
    int n = 0;
    int64_t total = 0;
    int rc = account_audit_list(r->db, &f, &r->arena, &list, &n, &total, &r->err);
    if (rc)
        return rc;
    cJSON *items = cJSON_CreateArray();
    for (int i = 0; i < n; i++)
        cJSON_AddItemToArray(items, api_field_json(&audit_shape, &list[i]));
    return http_send_list(r, items, total);
}

#define AUTH_ROUTE(m, p, h, acc, ...)                                                              \
    {                                                                                              \
        .method = m, .pattern = p, .handler = h, .access = acc, .tag = "auth", __VA_ARGS__         \
    }

const struct route api_auth_routes[] = {
    AUTH_ROUTE("POST", "/api/v1/session", post_session, ACCESS_PUBLIC, .body_max = 4096,
               .flags = ROUTE_NO_CSRF | ROUTE_THROTTLED, .body = &sign_in_shape, .creating = 1,
               .answer = &api_session_shape,
               .summary = "Sign in: sets the session cookie, returns the user and the CSRF token"),
    AUTH_ROUTE("GET", "/api/v1/session", get_session, ACCESS_USER, .answer = &api_session_shape,
               .summary = "The current session: user and CSRF token"),
    AUTH_ROUTE("DELETE", "/api/v1/session", delete_session, ACCESS_USER, .flags = ROUTE_EMPTY,
               .summary = "Sign out"),
    AUTH_ROUTE("GET", "/api/v1/me", get_me, ACCESS_USER, .answer = &api_user_shape,
               .summary = "The signed-in user"),
    AUTH_ROUTE("POST", "/api/v1/users", post_user, ACCESS_STAFF, .body_max = 8192,
               .flags = ROUTE_CREATES, .body = &new_user_shape, .creating = 1,
               .answer = &account_shape, .summary = "Create a user"),
    AUTH_ROUTE("GET", "/api/v1/users", get_users, ACCESS_STAFF, .flags = ROUTE_PAGED,
               .query = &users_query, .answer = &account_shape, .summary = "List users"),
    AUTH_ROUTE("GET", "/api/v1/users/{id}", get_user, ACCESS_USER, .object = &api_user_object,
               .need = NEED_OWN, .answer = &account_shape,
               .summary = "One user (staff, or the user themself)"),
    AUTH_ROUTE("PATCH", "/api/v1/users/{id}", patch_user, ACCESS_USER, .body_max = 4096,
               .object = &api_user_object, .need = NEED_OWN, .body = &change_shape,
               .answer = &account_shape,
               .summary = "Change a user (staff: anything; the user themself: name and language)"),
    AUTH_ROUTE("POST", "/api/v1/users/{id}/password", post_user_password, ACCESS_STAFF,
               .body_max = 4096, .flags = ROUTE_EMPTY, .object = &api_user_object,
               .need = NEED_STAFF, .body = &set_password_shape, .creating = 1,
               .summary = "Set a new password for a user and end their sessions"),
    AUTH_ROUTE("PATCH", "/api/v1/me", patch_me, ACCESS_USER, .body_max = 4096, .body = &me_shape,
               .answer = &api_user_shape, .summary = "Change your own name or language"),
    AUTH_ROUTE("POST", "/api/v1/me/password", post_me_password, ACCESS_USER, .body_max = 4096,
               .flags = ROUTE_EMPTY | ROUTE_THROTTLED, .body = &my_password_shape, .creating = 1,
               .summary = "Change your own password; ends your other sessions"),
    AUTH_ROUTE("GET", "/api/v1/audit", get_audit, ACCESS_STAFF, .flags = ROUTE_PAGED,
               .query = &audit_query, .answer = &audit_shape, .summary = "The audit log"),
    {0},
};
