/* api_accounts.c — accounts people get on their own and their personal
 * data: invitations, password reset by e-mail, self-registration, the
 * sign-in options the sign-in page shows, staff's sign-in settings, the
 * export of one's data and anonymisation. Rules live in signup.c, sso.c
 * and privacy.c; this file says what each route reads and answers. */
#include <string.h>

#include <sodium.h>

#include "api.h"
#include "api_field.h"
#include "catalogue.h"
#include "db.h"
#include "privacy.h"
#include "signup.h"
#include "sso.h"
#include "timeutil.h"

#define EMAIL_MAX 254
#define NAME_MAX_CHARS 200

/* The {token} of the path, as the link carried it. */
static const char *token_param(struct req *r)
{
    return r->nparams > 0 ? r->params[0] : "";
}

/* 202's answer: the request is taken; whatever it sends goes by e-mail. */
struct accepted {
    const char *status;
};
static const struct field ACCEPTED_FIELDS[] = {
    FIELD(struct accepted, status, "status", FT_TEXT, FF_OUT, LABEL("Status", "Stan"),
          .help = "always \"accepted\""),
    FIELD_END,
};
static const struct shape accepted_shape = {"Accepted",
                                            ACCEPTED_FIELDS,
                                            sizeof(struct accepted),
                                            {"request", "żądanie"},
                                            "Taken; an e-mail follows (or, by design, does not)"};

static int send_accepted(struct req *r)
{
    struct accepted a = {"accepted"};
    return http_send_json(r, 202, api_field_json(&accepted_shape, &a));
}

/* ------------------------------------------------------------------ */
/* Invitations                                                          */

static const struct field INVITE_FIELDS[] = {
    FIELD(struct signup_invitation, email, "email", FT_TEXT, FF_REQUIRED, .max = EMAIL_MAX,
          LABEL("E-mail", "E-mail")),
    FIELD(struct signup_invitation, role, "role", FT_CODE, 0, .min = ROLE_RESEARCHER,
          .choices = api_roles, LABEL("Role", "Rola"), .help = "researcher when not given"),
    FIELD(struct signup_invitation, organisation_id, "organisation_id", FT_ID, FF_NULLABLE,
          .ref = &catalogue_organisation.shape, LABEL("Organisation", "Organizacja"),
          .help = "an owner's own when they invite; null for a guest"),
    FIELD(struct signup_invitation, lang, "lang", FT_ENUM, FF_NULLABLE, .choices = api_langs,
          LABEL("Language", "Język"), .help = "of the e-mail; the inviter's when not given"),
    FIELD_END,
};
static const struct shape invite_shape = {"InvitationRequest",
                                          INVITE_FIELDS,
                                          sizeof(struct signup_invitation),
                                          {"invitation", "zaproszenie"},
                                          "Whom to invite, as what"};

struct invitation_sent {
    int64_t id;
    const char *email;
    enum role role;
    int64_t organisation_id;
    const char *lang;
    int64_t expires;
};
#define SENT(member, json, ft, fl, ...)                                                            \
    FIELD(struct invitation_sent, member, json, ft, FF_OUT | (fl), __VA_ARGS__)
static const struct field SENT_FIELDS[] = {
    SENT(id, "id", FT_ID, 0, LABEL("Id", "Identyfikator")),
    SENT(email, "email", FT_TEXT, 0, LABEL("E-mail", "E-mail")),
    SENT(role, "role", FT_CODE, 0, .min = ROLE_RESEARCHER, .choices = api_roles,
         LABEL("Role", "Rola")),
    SENT(organisation_id, "organisation_id", FT_ID, FF_NULLABLE,
         .ref = &catalogue_organisation.shape, LABEL("Organisation", "Organizacja")),
    SENT(lang, "lang", FT_ENUM, 0, .choices = api_langs, LABEL("Language", "Język")),
    SENT(expires, "expires", FT_TIME, 0, LABEL("Link valid until", "Link ważny do")),
    FIELD_END,
};
static const struct shape sent_shape = {"Invitation",
                                        SENT_FIELDS,
                                        sizeof(struct invitation_sent),
                                        {"invitation", "zaproszenie"},
                                        "An invitation on its way (the link goes only by e-mail)"};

#define INFO(member, json, ft, fl, ...)                                                            \
    FIELD(struct signup_invitation_info, member, json, ft, FF_OUT | (fl), __VA_ARGS__)
static const struct field INFO_FIELDS[] = {
    INFO(email, "email", FT_TEXT, 0, LABEL("E-mail", "E-mail")),
    INFO(role, "role", FT_CODE, 0, .min = ROLE_RESEARCHER, .choices = api_roles,
         LABEL("Role", "Rola")),
    INFO(organisation_id, "organisation_id", FT_ID, FF_NULLABLE,
         .ref = &catalogue_organisation.shape, LABEL("Organisation", "Organizacja")),
    INFO(organisation_name, "organisation_name", FT_TEXT, FF_NULLABLE,
         LABEL("Organisation", "Organizacja")),
    INFO(invited_by, "invited_by", FT_TEXT, FF_NULLABLE, LABEL("Invited by", "Zaprasza")),
    INFO(lang, "lang", FT_ENUM, 0, .choices = api_langs, LABEL("Language", "Język")),
    INFO(expires, "expires", FT_TIME, 0, LABEL("Link valid until", "Link ważny do")),
    FIELD_END,
};
static const struct shape info_shape = {"InvitationOffer",
                                        INFO_FIELDS,
                                        sizeof(struct signup_invitation_info),
                                        {"invitation", "zaproszenie"},
                                        "What an invitation link offers"};

struct new_account {
    const char *name, *password;
};
static const struct field ACCEPT_FIELDS[] = {
    FIELD(struct new_account, name, "name", FT_TEXT, FF_REQUIRED, .max = NAME_MAX_CHARS,
          LABEL("Name", "Imię i nazwisko")),
    FIELD(struct new_account, password, "password", FT_TEXT, FF_REQUIRED | FF_IN,
          .min = AUTH_PASSWORD_MIN, .max = AUTH_PASSWORD_MAX, LABEL("Password", "Hasło")),
    FIELD_END,
};
static const struct shape accept_shape = {.fields = ACCEPT_FIELDS,
                                          .size = sizeof(struct new_account)};

static int post_invitation(struct req *r)
{
    struct signup_invitation in = *(const struct signup_invitation *)r->input;
    int64_t id = 0, expires = 0;
    int rc = signup_invite(&id, &expires, r->db, r->user, &in, r->client_ip, &r->err);
    if (rc)
        return rc;
    struct invitation_sent s = {
        .id = id,
        .email = in.email,
        .role = in.role,
        .organisation_id = in.organisation_id        ? in.organisation_id
                           : authz_is_staff(r->user) ? 0
                                                     : r->user->organisation_id,
        .lang = in.lang ? in.lang : r->user->lang,
        .expires = expires,
    };
    return http_send_json(r, 201, api_field_json(&sent_shape, &s));
}

static int get_invitation(struct req *r)
{
    struct signup_invitation_info inv;
    int rc = signup_invitation_get(&inv, r->db, &r->arena, token_param(r), &r->err);
    if (rc)
        return rc;
    return http_send_json(r, 200, api_field_json(&info_shape, &inv));
}

static int post_invitation_accept(struct req *r)
{
    const struct new_account *in = r->input;
    struct user *u = arena_alloc(&r->arena, sizeof *u);
    const char *session = NULL, *csrf = NULL;
    int rc = signup_invitation_accept(u, &session, &csrf, r->db, &r->arena, token_param(r),
                                      in->name, in->password, r->client_ip, &r->err);
    if (rc)
        return rc;
    return api_send_session(r, 201, u, session, csrf);
}

/* ------------------------------------------------------------------ */
/* Password reset                                                       */

struct reset_request {
    const char *email;
};
static const struct field RESET_REQUEST_FIELDS[] = {
    FIELD(struct reset_request, email, "email", FT_TEXT, FF_REQUIRED, .max = EMAIL_MAX,
          LABEL("E-mail", "E-mail")),
    FIELD_END,
};
static const struct shape reset_request_shape = {.fields = RESET_REQUEST_FIELDS,
                                                 .size = sizeof(struct reset_request)};

struct link_state {
    int64_t expires;
};
static const struct field LINK_FIELDS[] = {
    FIELD(struct link_state, expires, "expires", FT_TIME, FF_OUT,
          LABEL("Link valid until", "Link ważny do")),
    FIELD_END,
};
static const struct shape link_shape = {"LinkState",
                                        LINK_FIELDS,
                                        sizeof(struct link_state),
                                        {"link", "link"},
                                        "An e-mailed link that still works"};

struct new_password {
    const char *password;
};
static const struct field NEW_PASSWORD_FIELDS[] = {
    FIELD(struct new_password, password, "password", FT_TEXT, FF_REQUIRED | FF_IN,
          .min = AUTH_PASSWORD_MIN, .max = AUTH_PASSWORD_MAX, LABEL("New password", "Nowe hasło")),
    FIELD_END,
};
static const struct shape new_password_shape = {.fields = NEW_PASSWORD_FIELDS,
                                                .size = sizeof(struct new_password)};

static int post_reset_request(struct req *r)
{
    const struct reset_request *in = r->input;
    int rc = signup_reset_request(r->db, in->email, msg_lang_code(r->lang), r->client_ip, &r->err);
    if (rc)
        return rc;
    return send_accepted(r);
}

static int get_reset(struct req *r)
{
    struct link_state s = {0};
    int rc = signup_reset_check(&s.expires, r->db, token_param(r), &r->err);
    if (rc)
        return rc;
    return http_send_json(r, 200, api_field_json(&link_shape, &s));
}

static int post_reset(struct req *r)
{
    const struct new_password *in = r->input;
    int rc = signup_reset_complete(r->db, token_param(r), in->password, r->client_ip, &r->err);
    if (rc)
        return rc;
    /* This browser's session (if any) has ended with all the others. */
    if (r->session_token)
        api_set_session_cookie(r, "", 0);
    return http_send_empty(r, 204);
}

/* ------------------------------------------------------------------ */
/* Self-registration                                                    */

static const struct field REGISTER_FIELDS[] = {
    FIELD(struct signup_registration, email, "email", FT_TEXT, FF_REQUIRED, .max = EMAIL_MAX,
          LABEL("E-mail", "E-mail")),
    FIELD(struct signup_registration, name, "name", FT_TEXT, FF_REQUIRED, .max = NAME_MAX_CHARS,
          LABEL("Name", "Imię i nazwisko")),
    FIELD(struct signup_registration, password, "password", FT_TEXT, FF_REQUIRED | FF_IN,
          .min = AUTH_PASSWORD_MIN, .max = AUTH_PASSWORD_MAX, LABEL("Password", "Hasło")),
    FIELD(struct signup_registration, lang, "lang", FT_ENUM, FF_NULLABLE, .choices = api_langs,
          LABEL("Language", "Język"), .help = "the answer's language when not given"),
    FIELD_END,
};
static const struct shape register_shape = {"Registration",
                                            REGISTER_FIELDS,
                                            sizeof(struct signup_registration),
                                            {"registration", "rejestracja"},
                                            "Who registers"};

static const struct field NOTHING_FIELDS[] = {FIELD_END};
/* A POST that takes no members: {} or no body at all. */
static const struct shape nothing_shape = {.fields = NOTHING_FIELDS, .size = 1};

static int post_registration(struct req *r)
{
    struct signup_registration reg = *(const struct signup_registration *)r->input;
    if (!reg.lang)
        reg.lang = msg_lang_code(r->lang);
    int rc = signup_register(r->db, &reg, r->client_ip, &r->err);
    if (rc)
        return rc;
    return send_accepted(r);
}

static int post_registration_verify(struct req *r)
{
    struct user *u = arena_alloc(&r->arena, sizeof *u);
    const char *session = NULL, *csrf = NULL;
    int rc =
        signup_verify(u, &session, &csrf, r->db, &r->arena, token_param(r), r->client_ip, &r->err);
    if (rc)
        return rc;
    return api_send_session(r, 201, u, session, csrf);
}

/* ------------------------------------------------------------------ */
/* Sign-in options and settings                                         */

struct provider {
    const char *name, *start;
};
static const struct field PROVIDER_FIELDS[] = {
    FIELD(struct provider, name, "name", FT_TEXT, FF_OUT, LABEL("Provider", "Dostawca"),
          .help = "for \"Sign in with …\""),
    FIELD(struct provider, start, "start", FT_TEXT, FF_OUT, LABEL("Start", "Początek"),
          .help = "where the browser goes to sign in"),
    FIELD_END,
};
static const struct shape provider_shape = {"SingleSignOn",
                                            PROVIDER_FIELDS,
                                            sizeof(struct provider),
                                            {"provider", "dostawca"},
                                            "The OpenID Connect provider the sign-in page offers"};

struct options {
    struct provider oidc;
    int guest_registration;
};
static const struct field OPTIONS_FIELDS[] = {
    FIELD(struct options, oidc, "oidc", FT_OBJECT, FF_OUT | FF_NULLABLE, .ref = &provider_shape,
          LABEL("Single sign-on", "Logowanie jednokrotne"), .help = "null when not configured"),
    FIELD(struct options, guest_registration, "guest_registration", FT_BOOL, FF_OUT,
          LABEL("Guests may register", "Goście mogą się rejestrować")),
    FIELD_END,
};
static const struct shape options_shape = {"SignInOptions",
                                           OPTIONS_FIELDS,
                                           sizeof(struct options),
                                           {"sign-in options", "opcje logowania"},
                                           "What the sign-in page offers"};

/* What the sign-in page offers: public, so it is shown before signing in. */
static int get_options(struct req *r)
{
    struct sso_settings s;
    sso_settings_get(&s, r->db);
    struct options o = {.guest_registration = signup_guest_registration(r->db, NULL)};
    if (sso_enabled(&s)) {
        const char *name = s.name;
        if (!*name) { /* the issuer's host */
            const char *h = strstr(s.issuer, "://");
            h = h ? h + 3 : s.issuer;
            name = arena_strndup(&r->arena, h, strcspn(h, ":/"));
        }
        o.oidc.name = arena_strdup(&r->arena, name);
        o.oidc.start = "/auth/oidc/start";
    }
    sodium_memzero(&s, sizeof s);
    return http_send_json(r, 200, api_field_json(&options_shape, &o));
}

/* Staff's view of the sign-in settings, and what a PATCH may change. */
struct settings {
    int guest_registration;
    const char *oidc_issuer, *oidc_client_id, *oidc_client_secret;
    int oidc_client_secret_set;
    const char *oidc_name, *oidc_redirect_uri;
    struct field_words locked;
};
#define SET(member, json, ft, fl, ...) FIELD(struct settings, member, json, ft, fl, __VA_ARGS__)
static const struct field SETTINGS_FIELDS[] = {
    SET(guest_registration, "guest_registration", FT_BOOL, 0,
        LABEL("Guests may register", "Goście mogą się rejestrować"),
        .help = "people outside the member organisations' domains"),
    SET(oidc_issuer, "oidc_issuer", FT_TEXT, 0, .max = 500,
        LABEL("OpenID Connect issuer", "Wystawca OpenID Connect"),
        .help = "an https URL; \"\" turns single sign-on off"),
    SET(oidc_client_id, "oidc_client_id", FT_TEXT, 0, .max = 255,
        LABEL("Client id", "Identyfikator klienta")),
    SET(oidc_client_secret, "oidc_client_secret", FT_TEXT, FF_IN, .max = 500,
        LABEL("Client secret", "Sekret klienta"), .help = "write-only"),
    SET(oidc_client_secret_set, "oidc_client_secret_set", FT_BOOL, FF_OUT,
        LABEL("Client secret set", "Sekret klienta ustawiony")),
    SET(oidc_name, "oidc_name", FT_TEXT, 0, .max = SSO_NAME_MAX,
        LABEL("Provider's name", "Nazwa dostawcy"), .help = "\"\" = the issuer's host"),
    SET(oidc_redirect_uri, "oidc_redirect_uri", FT_TEXT, FF_OUT,
        LABEL("Redirect URI", "Adres powrotu"), .help = "to register with the provider"),
    SET(locked, "locked", FT_WORDS, FF_OUT,
        LABEL("Fixed by the configuration", "Ustalone w konfiguracji"),
        .help = "settings the server's flags or environment fix"),
    FIELD_END,
};
static const struct shape settings_shape = {"AccountSettings",
                                            SETTINGS_FIELDS,
                                            sizeof(struct settings),
                                            {"sign-in settings", "ustawienia logowania"},
                                            "Guest registration and the OpenID Connect provider"};

static int send_settings(struct req *r)
{
    struct sso_settings s;
    sso_settings_get(&s, r->db);
    int guest_locked = 0;
    struct settings out = {
        .guest_registration = signup_guest_registration(r->db, &guest_locked),
        .oidc_issuer = arena_strdup(&r->arena, s.issuer),
        .oidc_client_id = arena_strdup(&r->arena, s.client_id),
        .oidc_client_secret_set = s.client_secret[0] != '\0',
        .oidc_name = arena_strdup(&r->arena, s.name),
        .oidc_redirect_uri = arena_printf(&r->arena, "%s/auth/oidc/callback", http_public_url()),
    };
    static const struct {
        unsigned bit;
        const char *name;
    } locks[] = {{SSO_LOCK_ISSUER, "oidc_issuer"},
                 {SSO_LOCK_CLIENT_ID, "oidc_client_id"},
                 {SSO_LOCK_SECRET, "oidc_client_secret"},
                 {SSO_LOCK_NAME, "oidc_name"}};
    enum { NLOCKS = sizeof locks / sizeof *locks };
    out.locked.v = arena_alloc(&r->arena, sizeof *out.locked.v * (NLOCKS + 1));
    if (guest_locked)
        out.locked.v[out.locked.n++] = "guest_registration";
    for (size_t i = 0; i < NLOCKS; i++)
        if (s.locked & locks[i].bit)
            out.locked.v[out.locked.n++] = locks[i].name;
    sodium_memzero(&s, sizeof s);
    return http_send_json(r, 200, api_field_json(&settings_shape, &out));
}

static int get_settings(struct req *r)
{
    return send_settings(r);
}

static int patch_settings(struct req *r)
{
    const struct settings *in = r->input;
    uint64_t has = r->input_present;
    int has_guest = (has & field_bit(&settings_shape, "guest_registration")) != 0;
    /* Texts may be "" (clears the setting); absent ones stay. */
    struct sso_settings_patch p = {
        .issuer = has & field_bit(&settings_shape, "oidc_issuer") ? in->oidc_issuer : NULL,
        .client_id = has & field_bit(&settings_shape, "oidc_client_id") ? in->oidc_client_id : NULL,
        .client_secret =
            has & field_bit(&settings_shape, "oidc_client_secret") ? in->oidc_client_secret : NULL,
        .name = has & field_bit(&settings_shape, "oidc_name") ? in->oidc_name : NULL,
    };
    /* All checks of both parts before either writes. */
    int guest_locked = 0;
    signup_guest_registration(r->db, &guest_locked);
    if (has_guest && guest_locked)
        return ls_err_set(&r->err, LS_ECONFLICT, "guest_registration",
                          "this setting is fixed by the server's configuration");
    int rc;
    if ((p.issuer || p.client_id || p.client_secret || p.name) &&
        (rc = sso_settings_set(r->db, r->user, &p, r->client_ip, &r->err)))
        return rc;
    if (has_guest && (rc = signup_set_guest_registration(r->db, r->user, in->guest_registration,
                                                         r->client_ip, &r->err)))
        return rc;
    return send_settings(r);
}

/* ------------------------------------------------------------------ */
/* Personal data                                                        */

struct export_head {
    const char *format;
    int64_t exported, user_id;
    char data; /* documentation only: the handler adds the sections */
};
static const struct field EXPORT_FIELDS[] = {
    FIELD(struct export_head, format, "format", FT_TEXT, FF_OUT, LABEL("Format", "Format"),
          .help = "labshare-personal-data-1"),
    FIELD(struct export_head, exported, "exported", FT_TIME, FF_OUT,
          LABEL("Exported", "Wyeksportowano")),
    FIELD(struct export_head, user_id, "user_id", FT_ID, FF_OUT, LABEL("User", "Użytkownik")),
    FIELD(struct export_head, data, "data", FT_OBJECT, FF_OUT, LABEL("Data", "Dane"),
          .help = "one list of rows per table that holds something about the user"),
    FIELD_END,
};
static const struct shape export_shape = {"PersonalData",
                                          EXPORT_FIELDS,
                                          sizeof(struct export_head),
                                          {"personal data", "dane osobowe"},
                                          "Everything stored about the signed-in user"};

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
    struct export_head head = {
        .format = "labshare-personal-data-1", .exported = tu_now(), .user_id = r->user->id};
    cJSON *o = api_field_json(&export_shape, &head);
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
    int rc = privacy_anonymise(r->db, r->user, r->obj_id, r->client_ip, &r->err);
    if (rc)
        return rc;
    struct user *u = arena_alloc(&r->arena, sizeof *u);
    if ((rc = auth_user_get(r->db, r->obj_id, &r->arena, u, &r->err)))
        return rc;
    return http_send_json(r, 200, api_user_json(u));
}

#define ACCOUNTS_ROUTE(m, p, h, acc, ...)                                                          \
    {                                                                                              \
        .method = m, .pattern = p, .handler = h, .access = acc, .tag = "accounts", __VA_ARGS__     \
    }

const struct route api_accounts_routes[] = {
    ACCOUNTS_ROUTE("POST", "/api/v1/invitations", post_invitation, ACCESS_OWNER, .body_max = 4096,
                   .flags = ROUTE_CREATES, .body = &invite_shape, .creating = 1,
                   .answer = &sent_shape,
                   .summary = "Invite someone by e-mail (staff; owners: researchers of their "
                              "organisation)"),
    ACCOUNTS_ROUTE("GET", "/api/v1/invitations/{token}", get_invitation, ACCESS_PUBLIC,
                   .flags = ROUTE_LINK, .answer = &info_shape,
                   .summary = "What an invitation link offers"),
    ACCOUNTS_ROUTE("POST", "/api/v1/invitations/{token}/accept", post_invitation_accept,
                   ACCESS_PUBLIC, .body_max = 4096, .flags = ROUTE_CREATES | ROUTE_LINK,
                   .body = &accept_shape, .creating = 1, .answer = &api_session_shape,
                   .summary = "Accept an invitation: creates the account and signs in"),
    ACCOUNTS_ROUTE("POST", "/api/v1/password-reset", post_reset_request, ACCESS_PUBLIC,
                   .body_max = 1024, .flags = ROUTE_ACCEPTED | ROUTE_THROTTLED,
                   .body = &reset_request_shape, .creating = 1, .answer = &accepted_shape,
                   .summary = "Ask for a password-reset link; always 202 (throttled per address "
                              "and client)"),
    ACCOUNTS_ROUTE("GET", "/api/v1/password-reset/{token}", get_reset, ACCESS_PUBLIC,
                   .flags = ROUTE_LINK, .answer = &link_shape,
                   .summary = "Whether a password-reset link still works"),
    ACCOUNTS_ROUTE("POST", "/api/v1/password-reset/{token}", post_reset, ACCESS_PUBLIC,
                   .body_max = 1024, .flags = ROUTE_EMPTY | ROUTE_LINK, .body = &new_password_shape,
                   .creating = 1,
                   .summary = "Set a new password with a reset link; ends every session of the "
                              "account"),
    ACCOUNTS_ROUTE("POST", "/api/v1/registrations", post_registration, ACCESS_PUBLIC,
                   .body_max = 4096, .flags = ROUTE_ACCEPTED | ROUTE_THROTTLED,
                   .body = &register_shape, .creating = 1, .answer = &accepted_shape,
                   .summary = "Register: e-mails a confirmation link; 202"),
    ACCOUNTS_ROUTE("POST", "/api/v1/registrations/{token}/verify", post_registration_verify,
                   ACCESS_PUBLIC, .body_max = 64, .flags = ROUTE_CREATES | ROUTE_LINK,
                   .body = &nothing_shape, .creating = 1, .answer = &api_session_shape,
                   .summary = "Confirm a registration: creates the account and signs in"),
    ACCOUNTS_ROUTE("GET", "/api/v1/auth/options", get_options, ACCESS_PUBLIC,
                   .answer = &options_shape,
                   .summary = "What the sign-in page offers: single sign-on, guest registration"),
    ACCOUNTS_ROUTE("GET", "/api/v1/settings/accounts", get_settings, ACCESS_STAFF,
                   .answer = &settings_shape,
                   .summary = "Sign-in settings: guest registration, the OpenID Connect "
                              "provider"),
    ACCOUNTS_ROUTE("PATCH", "/api/v1/settings/accounts", patch_settings, ACCESS_STAFF,
                   .body_max = 4096, .body = &settings_shape, .answer = &settings_shape,
                   .summary = "Change sign-in settings; the client secret is write-only"),
    ACCOUNTS_ROUTE("GET", "/api/v1/me/export", get_export, ACCESS_USER, .answer = &export_shape,
                   .summary = "Everything stored about you, as JSON (GDPR articles 15 and 20)"),
    ACCOUNTS_ROUTE("POST", "/api/v1/users/{id}/anonymise", post_anonymise, ACCESS_STAFF,
                   .body_max = 64, .object = &api_user_object, .need = NEED_STAFF,
                   .body = &nothing_shape, .answer = &api_user_shape,
                   .summary = "Erase who a user is, keeping bookings for statistics (GDPR "
                              "article 17)"),
    {0},
};
