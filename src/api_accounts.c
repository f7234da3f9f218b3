/* api_accounts.c — accounts people get on their own and their personal
 * data: invitations, password reset by e-mail, self-registration, the
 * sign-in options the sign-in page shows, staff's sign-in settings, the
 * export of one's data and anonymisation. Rules live in signup.c, sso.c
 * and privacy.c. */
#include <string.h>
#include <strings.h>

#include "api.h"
#include "db.h"
#include "json.h"
#include "privacy.h"
#include "signup.h"
#include "sso.h"
#include "timeutil.h"

const char *api_lang(struct req *r)
{
    if (r->user && r->user->lang)
        return strcmp(r->user->lang, "en") == 0 ? "en" : "pl";
    /* The first of pl or en in the list, in the client's order (q-values
     * are rarely out of order in practice). */
    const char *h = http_header(r, "Accept-Language");
    for (const char *p = h; p && *p;) {
        p += strspn(p, " ,");
        if (strncasecmp(p, "pl", 2) == 0 && !((p[2] >= 'a' && p[2] <= 'z')))
            return "pl";
        if (strncasecmp(p, "en", 2) == 0 && !((p[2] >= 'a' && p[2] <= 'z')))
            return "en";
        p += strcspn(p, ",");
    }
    return "pl";
}

/* Answers a fresh session like POST /api/v1/session: cookie, user, CSRF. */
static int signed_in(struct req *r, int status, const struct user *u, const char *session,
                     const char *csrf)
{
    if (r->session_token) /* replace, never stack, sessions in one browser */
        auth_session_delete(r->db, r->session_token);
    api_set_session_cookie(r, session, AUTH_SESSION_ABSOLUTE);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "user", api_user_json(u));
    cJSON_AddStringToObject(o, "csrf", csrf);
    return http_send_json(r, status, o);
}

/* The {token} of the path, as the link carried it. */
static const char *token_param(struct req *r)
{
    return r->nparams > 0 ? r->params[0] : "";
}

/* ------------------------------------------------------------------ */
/* Invitations                                                          */

static int post_invitation(struct req *r)
{
    static const char *const fields[] = {"email", "role", "organisation_id", "lang", NULL};
    static const char *const roles[] = {"researcher", "owner", "staff", NULL};
    static const char *const langs[] = {"pl", "en", NULL};
    struct signup_invitation in = {0};
    const char *role = "researcher";
    int rc = json_only(r->json, fields, &r->err);
    if (!rc)
        rc = json_string(r->json, "email", 1, 0, 254, &r->arena, &in.email, NULL, &r->err);
    if (!rc)
        rc = json_enum(r->json, "role", 0, roles, &role, NULL, &r->err);
    if (!rc) {
        const cJSON *o = cJSON_GetObjectItemCaseSensitive(r->json, "organisation_id");
        if (o && !cJSON_IsNull(o))
            rc = json_int(r->json, "organisation_id", 0, 1, INT64_MAX / 2, &in.organisation_id,
                          NULL, &r->err);
    }
    if (!rc)
        rc = json_enum(r->json, "lang", 0, langs, &in.lang, NULL, &r->err);
    if (rc)
        return rc;
    in.role = auth_role_parse(role);
    int64_t id = 0, expires = 0;
    if ((rc = signup_invite(&id, &expires, r->db, r->user, &in, r->client_ip, &r->err)))
        return rc;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "id", (double)id);
    cJSON_AddStringToObject(o, "email", in.email);
    cJSON_AddStringToObject(o, "role", role);
    json_add_id_or_null(o, "organisation_id",
                        in.organisation_id        ? in.organisation_id
                        : authz_is_staff(r->user) ? 0
                                                  : r->user->organisation_id);
    cJSON_AddStringToObject(o, "lang", in.lang ? in.lang : r->user->lang);
    json_add_time(o, "expires", expires);
    return http_send_json(r, 201, o);
}

static int get_invitation(struct req *r)
{
    struct signup_invitation_info inv;
    int rc = signup_invitation_get(&inv, r->db, &r->arena, token_param(r), &r->err);
    if (rc)
        return rc;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "email", inv.email);
    cJSON_AddStringToObject(o, "role", auth_role_name(inv.role));
    json_add_id_or_null(o, "organisation_id", inv.organisation_id);
    json_add_str_or_null(o, "organisation_name", inv.organisation_name);
    json_add_str_or_null(o, "invited_by", inv.invited_by);
    cJSON_AddStringToObject(o, "lang", inv.lang);
    json_add_time(o, "expires", inv.expires);
    return http_send_json(r, 200, o);
}

static int post_invitation_accept(struct req *r)
{
    static const char *const fields[] = {"name", "password", NULL};
    const char *name = NULL, *password = NULL;
    int rc = json_only(r->json, fields, &r->err);
    if (!rc)
        rc = json_string(r->json, "name", 1, 0, 200, &r->arena, &name, NULL, &r->err);
    if (!rc)
        rc = json_string(r->json, "password", 1, 0, AUTH_PASSWORD_MAX, &r->arena, &password, NULL,
                         &r->err);
    if (rc)
        return rc;
    struct user *u = arena_alloc(&r->arena, sizeof *u);
    const char *session = NULL, *csrf = NULL;
    if ((rc = signup_invitation_accept(u, &session, &csrf, r->db, &r->arena, token_param(r), name,
                                       password, r->client_ip, &r->err)))
        return rc;
    return signed_in(r, 201, u, session, csrf);
}

/* ------------------------------------------------------------------ */
/* Password reset                                                       */

static int post_reset_request(struct req *r)
{
    static const char *const fields[] = {"email", NULL};
    const char *email = NULL;
    int rc = json_only(r->json, fields, &r->err);
    if (!rc)
        rc = json_string(r->json, "email", 1, 0, 254, &r->arena, &email, NULL, &r->err);
    if (!rc)
        rc = signup_reset_request(r->db, email, api_lang(r), r->client_ip, &r->err);
    if (rc)
        return rc;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "status", "accepted");
    return http_send_json(r, 202, o);
}

static int get_reset(struct req *r)
{
    int64_t expires = 0;
    int rc = signup_reset_check(&expires, r->db, token_param(r), &r->err);
    if (rc)
        return rc;
    cJSON *o = cJSON_CreateObject();
    json_add_time(o, "expires", expires);
    return http_send_json(r, 200, o);
}

static int post_reset(struct req *r)
{
    static const char *const fields[] = {"password", NULL};
    const char *password = NULL;
    int rc = json_only(r->json, fields, &r->err);
    if (!rc)
        rc = json_string(r->json, "password", 1, 0, AUTH_PASSWORD_MAX, &r->arena, &password, NULL,
                         &r->err);
    if (!rc)
        rc = signup_reset_complete(r->db, token_param(r), password, r->client_ip, &r->err);
    if (rc)
        return rc;
    /* This browser's session (if any) has ended with all the others. */
    if (r->session_token)
        api_set_session_cookie(r, "", 0);
    return http_send_empty(r, 204);
}

/* ------------------------------------------------------------------ */
/* Self-registration                                                    */

static int post_registration(struct req *r)
{
    static const char *const fields[] = {"email", "name", "password", "lang", NULL};
    static const char *const langs[] = {"pl", "en", NULL};
    struct signup_registration reg = {0};
    int rc = json_only(r->json, fields, &r->err);
    if (!rc)
        rc = json_string(r->json, "email", 1, 0, 254, &r->arena, &reg.email, NULL, &r->err);
    if (!rc)
        rc = json_string(r->json, "name", 1, 0, 200, &r->arena, &reg.name, NULL, &r->err);
    if (!rc)
        rc = json_string(r->json, "password", 1, 0, AUTH_PASSWORD_MAX, &r->arena, &reg.password,
                         NULL, &r->err);
    if (!rc)
        rc = json_enum(r->json, "lang", 0, langs, &reg.lang, NULL, &r->err);
    if (rc)
        return rc;
    if (!reg.lang)
        reg.lang = api_lang(r);
    if ((rc = signup_register(r->db, &reg, r->client_ip, &r->err)))
        return rc;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "status", "accepted");
    return http_send_json(r, 202, o);
}

static int post_registration_verify(struct req *r)
{
    static const char *const fields[] = {NULL};
    int rc = json_only(r->json, fields, &r->err);
    if (rc)
        return rc;
    struct user *u = arena_alloc(&r->arena, sizeof *u);
    const char *session = NULL, *csrf = NULL;
    if ((rc = signup_verify(u, &session, &csrf, r->db, &r->arena, token_param(r), r->client_ip,
                            &r->err)))
        return rc;
    return signed_in(r, 201, u, session, csrf);
}

/* ------------------------------------------------------------------ */
/* Sign-in options and settings                                         */

/* What the sign-in page offers: public, so it is shown before signing in. */
static int get_options(struct req *r)
{
    struct sso_settings s;
    sso_settings_get(&s, r->db);
    cJSON *o = cJSON_CreateObject();
    if (sso_enabled(&s)) {
        cJSON *p = cJSON_AddObjectToObject(o, "oidc");
        const char *name = s.name;
        if (!*name) { /* the issuer's host */
            const char *h = strstr(s.issuer, "://");
            h = h ? h + 3 : s.issuer;
            name = arena_strndup(&r->arena, h, strcspn(h, ":/"));
        }
        cJSON_AddStringToObject(p, "name", name);
        cJSON_AddStringToObject(p, "start", "/auth/oidc/start");
    } else {
        cJSON_AddNullToObject(o, "oidc");
    }
    cJSON_AddBoolToObject(o, "guest_registration", signup_guest_registration(r->db, NULL));
    return http_send_json(r, 200, o);
}

static cJSON *settings_json(struct req *r)
{
    struct sso_settings s;
    sso_settings_get(&s, r->db);
    int guest_locked = 0;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, "guest_registration", signup_guest_registration(r->db, &guest_locked));
    cJSON_AddStringToObject(o, "oidc_issuer", s.issuer);
    cJSON_AddStringToObject(o, "oidc_client_id", s.client_id);
    cJSON_AddBoolToObject(o, "oidc_client_secret_set", s.client_secret[0] != '\0');
    cJSON_AddStringToObject(o, "oidc_name", s.name);
    cJSON_AddStringToObject(o, "oidc_redirect_uri",
                            arena_printf(&r->arena, "%s/auth/oidc/callback", http_public_url()));
    cJSON *locked = cJSON_AddArrayToObject(o, "locked");
    if (guest_locked)
        cJSON_AddItemToArray(locked, cJSON_CreateString("guest_registration"));
    static const struct {
        unsigned bit;
        const char *name;
    } locks[] = {{SSO_LOCK_ISSUER, "oidc_issuer"},
                 {SSO_LOCK_CLIENT_ID, "oidc_client_id"},
                 {SSO_LOCK_SECRET, "oidc_client_secret"},
                 {SSO_LOCK_NAME, "oidc_name"}};
    for (size_t i = 0; i < sizeof locks / sizeof *locks; i++)
        if (s.locked & locks[i].bit)
            cJSON_AddItemToArray(locked, cJSON_CreateString(locks[i].name));
    return o;
}

static int get_settings(struct req *r)
{
    return http_send_json(r, 200, settings_json(r));
}

static int patch_settings(struct req *r)
{
    static const char *const fields[] = {"guest_registration", "oidc_issuer", "oidc_client_id",
                                         "oidc_client_secret", "oidc_name",   NULL};
    struct sso_settings_patch p = {0};
    int guest = 0, has_guest = 0;
    int rc = json_only(r->json, fields, &r->err);
    if (!rc)
        rc = json_bool(r->json, "guest_registration", 0, &guest, &has_guest, &r->err);
    /* Strings may be "" (clears the setting), so not `required`. */
    if (!rc)
        rc = json_string(r->json, "oidc_issuer", 0, 0, 500, &r->arena, &p.issuer, NULL, &r->err);
    if (!rc)
        rc = json_string(r->json, "oidc_client_id", 0, 0, 255, &r->arena, &p.client_id, NULL,
                         &r->err);
    if (!rc)
        rc = json_string(r->json, "oidc_client_secret", 0, 0, 500, &r->arena, &p.client_secret,
                         NULL, &r->err);
    if (!rc)
        rc = json_string(r->json, "oidc_name", 0, 0, 400, &r->arena, &p.name, NULL, &r->err);
    if (rc)
        return rc;
    /* All checks of both parts before either writes. */
    struct sso_settings cur;
    sso_settings_get(&cur, r->db);
    int guest_locked = 0;
    signup_guest_registration(r->db, &guest_locked);
    if (has_guest && guest_locked)
        return ls_err_set(&r->err, LS_ECONFLICT, "guest_registration",
                          "this setting is fixed by the server's configuration");
    if ((p.issuer || p.client_id || p.client_secret || p.name) &&
        (rc = sso_settings_set(r->db, r->user, &p, r->client_ip, &r->err)))
        return rc;
    if (has_guest &&
        (rc = signup_set_guest_registration(r->db, r->user, guest, r->client_ip, &r->err)))
        return rc;
    return http_send_json(r, 200, settings_json(r));
}

/* ------------------------------------------------------------------ */
/* Personal data                                                        */

static cJSON *value_json(const struct privacy_value *v)
{
    char when[TU_UTC_LEN];
    switch (v->type) {
    case PRIVACY_INT:
        return cJSON_CreateNumber((double)v->i);
    case PRIVACY_REAL:
        return cJSON_CreateNumber(v->r);
    case PRIVACY_TEXT:
        return cJSON_CreateString(v->s);
    case PRIVACY_TIME:
        tu_format_utc(v->i, when);
        return cJSON_CreateString(when);
    default:
        return cJSON_CreateNull();
    }
}

static int get_export(struct req *r)
{
    struct privacy_section *sections = NULL;
    int n = 0;
    int rc = privacy_export(&sections, &n, r->db, &r->arena, r->user->id, &r->err);
    if (rc)
        return rc;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "format", "labshare-personal-data-1");
    json_add_time(o, "exported", tu_now());
    cJSON_AddNumberToObject(o, "user_id", (double)r->user->id);
    cJSON *data = cJSON_AddObjectToObject(o, "data");
    for (int i = 0; i < n; i++) {
        const struct privacy_section *s = &sections[i];
        cJSON *rows = cJSON_AddArrayToObject(data, s->name);
        for (int k = 0; k < s->nrows; k++) {
            cJSON *row = cJSON_CreateObject();
            for (int c = 0; c < s->ncols; c++)
                cJSON_AddItemToObject(row, s->cols[c],
                                      value_json(&s->cells[(size_t)k * (size_t)s->ncols + c]));
            cJSON_AddItemToArray(rows, row);
        }
    }
    http_add_header(r, "Content-Disposition", "attachment; filename=\"labshare-my-data.json\"");
    return http_send_json(r, 200, o);
}

static int post_anonymise(struct req *r)
{
    int64_t id;
    static const char *const fields[] = {NULL};
    int rc = http_param_id(r, 0, &id);
    if (!rc)
        rc = json_only(r->json, fields, &r->err);
    if (!rc)
        rc = privacy_anonymise(r->db, r->user, id, r->client_ip, &r->err);
    if (rc)
        return rc;
    struct user *u = arena_alloc(&r->arena, sizeof *u);
    if ((rc = auth_user_get(r->db, id, &r->arena, u, &r->err)))
        return rc;
    return http_send_json(r, 200, api_user_json(u));
}

const struct route api_accounts_routes[] = {
    {"POST", "/api/v1/invitations", post_invitation, ACCESS_OWNER, 4096, 0, "accounts",
     "Invite someone by e-mail {email, role, organisation_id, lang} (staff; owners: researchers "
     "of their organisation)"},
    {"GET", "/api/v1/invitations/{token}", get_invitation, ACCESS_PUBLIC, 0, 0, "accounts",
     "What an invitation link offers (404 unknown, 410 used or expired)"},
    {"POST", "/api/v1/invitations/{token}/accept", post_invitation_accept, ACCESS_PUBLIC, 4096, 0,
     "accounts", "Accept an invitation {name, password}: creates the account and signs in"},
    {"POST", "/api/v1/password-reset", post_reset_request, ACCESS_PUBLIC, 1024, 0, "accounts",
     "Ask for a password-reset link {email}; always 202 (throttled per address and client)"},
    {"GET", "/api/v1/password-reset/{token}", get_reset, ACCESS_PUBLIC, 0, 0, "accounts",
     "Whether a password-reset link still works"},
    {"POST", "/api/v1/password-reset/{token}", post_reset, ACCESS_PUBLIC, 1024, 0, "accounts",
     "Set a new password {password} with a reset link; ends every session of the account"},
    {"POST", "/api/v1/registrations", post_registration, ACCESS_PUBLIC, 4096, 0, "accounts",
     "Register {email, name, password, lang}: e-mails a confirmation link; 202"},
    {"POST", "/api/v1/registrations/{token}/verify", post_registration_verify, ACCESS_PUBLIC, 64, 0,
     "accounts", "Confirm a registration: creates the account and signs in"},
    {"GET", "/api/v1/auth/options", get_options, ACCESS_PUBLIC, 0, 0, "accounts",
     "What the sign-in page offers: single sign-on, guest registration"},
    {"GET", "/api/v1/settings/accounts", get_settings, ACCESS_STAFF, 0, 0, "accounts",
     "Sign-in settings (staff): guest registration, the OpenID Connect provider"},
    {"PATCH", "/api/v1/settings/accounts", patch_settings, ACCESS_STAFF, 4096, 0, "accounts",
     "Change sign-in settings (staff); the client secret is write-only"},
    {"GET", "/api/v1/me/export", get_export, ACCESS_USER, 0, 0, "accounts",
     "Everything stored about you, as JSON (GDPR articles 15 and 20)"},
    {"POST", "/api/v1/users/{id}/anonymise", post_anonymise, ACCESS_STAFF, 64, 0, "accounts",
     "Erase who a user is, keeping bookings for statistics (staff; GDPR article 17)"},
    {0},
};
