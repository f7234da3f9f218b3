/* sso.c — see sso.h. */
#include "sso.h"

#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "db.h"
#include "field.h"
#include "signup.h"
#include "timeutil.h"

static const char SQL_SETTING_GET[] = "SELECT value FROM settings WHERE key = :key";
static const char SQL_SETTING_PUT[] = "INSERT INTO settings(key, value) VALUES (:key, :value)"
                                      " ON CONFLICT(key) DO UPDATE SET value = excluded.value";
static const char SQL_SETTING_DELETE[] = "DELETE FROM settings WHERE key = :key";
static const char SQL_LOGIN_INSERT[] =
    "INSERT INTO oidc_logins(state_hash, browser_hash, nonce, verifier, created)"
    " VALUES (:state, :browser, :nonce, :verifier, :now)";
static const char SQL_LOGIN_PRUNE[] = "DELETE FROM oidc_logins WHERE created < :before";
static const char SQL_LOGIN_GET[] =
    "SELECT browser_hash, nonce, verifier, created FROM oidc_logins WHERE state_hash = :state";
static const char SQL_LOGIN_DELETE[] = "DELETE FROM oidc_logins WHERE state_hash = :state";
static const char SQL_IDENTITY_USER[] =
    "SELECT user_id FROM oidc_identities WHERE issuer = :iss AND subject = :sub";
static const char SQL_IDENTITY_SEEN[] =
    "UPDATE oidc_identities SET last_login = :now WHERE issuer = :iss AND subject = :sub";
static const char SQL_IDENTITY_INSERT[] =
    "INSERT INTO oidc_identities(issuer, subject, user_id, created, last_login)"
    " VALUES (:iss, :sub, :user, :now, :now)";
static const char SQL_USER_BY_EMAIL[] = "SELECT id FROM users WHERE email = :email";

static const struct {
    const char *key;
    unsigned lock;
    size_t offset, size;
} fields[] = {
    {"oidc.issuer", SSO_LOCK_ISSUER, offsetof(struct sso_settings, issuer),
     sizeof(((struct sso_settings *)0)->issuer)},
    {"oidc.client_id", SSO_LOCK_CLIENT_ID, offsetof(struct sso_settings, client_id),
     sizeof(((struct sso_settings *)0)->client_id)},
    {"oidc.client_secret", SSO_LOCK_SECRET, offsetof(struct sso_settings, client_secret),
     sizeof(((struct sso_settings *)0)->client_secret)},
    {"oidc.name", SSO_LOCK_NAME, offsetof(struct sso_settings, name),
     sizeof(((struct sso_settings *)0)->name)},
};
enum { NFIELDS = sizeof fields / sizeof *fields };

static struct sso_settings pinned;
static pthread_mutex_t pinned_mu = PTHREAD_MUTEX_INITIALIZER;

static void bind_hash(struct db_stmt *st, const char *name, const char *token)
{
    unsigned char h[32];
    auth_token_hash(h, token);
    db_bind_blob(st, db_bind_parameter_index(st, name), h, sizeof h, DB_TRANSIENT);
}

/* ------------------------------------------------------------------ */
/* Settings                                                             */

void sso_configure(const struct sso_settings *p)
{
    pthread_mutex_lock(&pinned_mu);
    memset(&pinned, 0, sizeof pinned);
    if (p) {
        pinned = *p;
        pinned.locked = 0;
        for (int i = 0; i < NFIELDS; i++)
            if (((const char *)p + fields[i].offset)[0])
                pinned.locked |= fields[i].lock;
    }
    pthread_mutex_unlock(&pinned_mu);
    oidc_cache_clear();
}

void sso_settings_get(struct sso_settings *out, struct db *db)
{
    pthread_mutex_lock(&pinned_mu);
    *out = pinned;
    pthread_mutex_unlock(&pinned_mu);
    for (int i = 0; i < NFIELDS; i++) {
        if (out->locked & fields[i].lock)
            continue;
        char *dst = (char *)out + fields[i].offset;
        struct db_stmt *st = db_stmt(db, SQL_SETTING_GET);
        if (!st)
            continue;
        db_bind_named_text(st, ":key", fields[i].key);
        if (db_step(st) == DB_ROW)
            snprintf(dst, fields[i].size, "%s", (const char *)db_column_text(st, 0));
        db_reset(st);
    }
}

void sso_oidc_config(struct oidc_config *out, const struct sso_settings *s,
                     const char *redirect_uri)
{
    *out = (struct oidc_config){
        .issuer = s->issuer,
        .client_id = s->client_id,
        .client_secret = s->client_secret,
        .redirect_uri = redirect_uri,
        .allow_http_loopback = s->allow_http_loopback,
        .skew = OIDC_SKEW_DEFAULT,
    };
}

int sso_enabled(const struct sso_settings *s)
{
    return s->issuer[0] && s->client_id[0];
}

struct settings_job {
    const struct user *actor;
    const struct sso_settings_patch *p;
    const char *ip;
};

static int settings_txn(struct db *db, void *ctx, struct ls_err *err)
{
    struct settings_job *j = ctx;
    const char *values[NFIELDS] = {j->p->issuer, j->p->client_id, j->p->client_secret, j->p->name};
    char detail[160] = "";
    int rc = LS_OK;
    for (int i = 0; i < NFIELDS && !rc; i++) {
        if (!values[i])
            continue;
        struct db_stmt *st = db_stmt(db, values[i][0] ? SQL_SETTING_PUT : SQL_SETTING_DELETE);
        if (!st)
            return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
        db_bind_named_text(st, ":key", fields[i].key);
        if (values[i][0])
            db_bind_named_text(st, ":value", values[i]);
        rc = db_step_done(db, st, err);
        size_t used = strlen(detail);
        snprintf(detail + used, sizeof detail - used, "%s%s", used ? ", " : "", fields[i].key);
    }
    if (!rc)
        auth_audit(db, j->actor->id, "settings.oidc", "settings", 0, detail, j->ip);
    return rc;
}

int sso_settings_set(struct db *db, const struct user *actor, const struct sso_settings_patch *p,
                     const char *ip, struct ls_err *err)
{
    static const char *const names[NFIELDS] = {"oidc_issuer", "oidc_client_id",
                                               "oidc_client_secret", "oidc_name"};
    if (!authz_is_staff(actor))
        return ls_err_set(err, LS_EFORBIDDEN, NULL, "only staff may change sign-in settings");
    struct sso_settings cur;
    sso_settings_get(&cur, db);
    const char *values[NFIELDS] = {p->issuer, p->client_id, p->client_secret, p->name};
    for (int i = 0; i < NFIELDS; i++)
        if (values[i] && (cur.locked & fields[i].lock))
            return ls_err_set(err, LS_ECONFLICT, names[i],
                              "this setting is fixed by the server's configuration");
    if (p->issuer && *p->issuer &&
        (strlen(p->issuer) > 500 || !oidc_url_allowed(p->issuer, cur.allow_http_loopback)))
        return ls_err_set(err, LS_EVALIDATION, names[0], "the issuer must be an https address");
    if (p->client_id && *p->client_id) {
        size_t n = strlen(p->client_id);
        int printable = n <= 255;
        for (const char *c = p->client_id; printable && *c; c++)
            printable = *c > ' ' && *c < 0x7f;
        if (!printable)
            return ls_err_set(err, LS_EVALIDATION, names[1],
                              "the client id must be 1 to 255 printable characters");
    }
    if (p->client_secret && (strlen(p->client_secret) > 500 ||
                             !field_text_ok(p->client_secret, strlen(p->client_secret), 0)))
        return ls_err_set(err, LS_EVALIDATION, names[2],
                          "the client secret must be at most 500 characters of text");
    if (p->name &&
        (field_chars(p->name) > SSO_NAME_MAX || !field_text_ok(p->name, strlen(p->name), 0)))
        return ls_err_set(err, LS_EVALIDATION, names[3],
                          "the provider's name must be at most %d characters of text",
                          SSO_NAME_MAX);
    struct settings_job j = {actor, p, ip};
    int rc = db_write(db, settings_txn, &j, err);
    if (!rc)
        oidc_cache_clear();
    return rc;
}

/* ------------------------------------------------------------------ */
/* Starting a sign-in                                                   */

struct start_job {
    const char *state, *browser, *nonce, *verifier;
};

static int start_txn(struct db *db, void *ctx, struct ls_err *err)
{
    struct start_job *j = ctx;
    int64_t now = tu_now();
    struct db_stmt *st = db_stmt(db, SQL_LOGIN_PRUNE);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    db_bind_named_int64(st, ":before", now - SSO_LOGIN_TTL);
    int rc = db_step_done(db, st, err);
    if (rc)
        return rc;
    st = db_stmt(db, SQL_LOGIN_INSERT);
    bind_hash(st, ":state", j->state);
    bind_hash(st, ":browser", j->browser);
    db_bind_named_text(st, ":nonce", j->nonce);
    db_bind_named_text(st, ":verifier", j->verifier);
    db_bind_named_int64(st, ":now", now);
    return db_step_done(db, st, err);
}

int sso_start(const char **url, const char **cookie, enum oidc_failure *why, struct db *db,
              struct arena *a, const char *redirect_uri, struct ls_err *err)
{
    struct sso_settings s;
    sso_settings_get(&s, db);
    struct oidc_config c;
    sso_oidc_config(&c, &s, redirect_uri);
    struct oidc_discovery d;
    int rc = oidc_discover(&d, why, a, &c, err);
    if (rc)
        return rc;
    char *state = arena_alloc(a, AUTH_TOKEN_HEX + 1), *browser = arena_alloc(a, AUTH_TOKEN_HEX + 1);
    char *nonce = arena_alloc(a, AUTH_TOKEN_HEX + 1);
    char verifier[44], challenge[44];
    auth_random_hex(state, 32);
    auth_random_hex(browser, 32);
    auth_random_hex(nonce, 32);
    oidc_pkce(verifier, challenge);
    struct start_job j = {state, browser, nonce, verifier};
    if ((rc = db_write(db, start_txn, &j, err)))
        return rc;
    *url = oidc_authorize_url(a, &d, &c, state, nonce, challenge);
    *cookie = browser;
    return LS_OK;
}

/* ------------------------------------------------------------------ */
/* Finishing it                                                         */

struct login {
    unsigned char browser_hash[32];
    char nonce[AUTH_TOKEN_HEX + 1], verifier[64];
    int64_t created;
    int found;
};

struct take_job {
    const char *state;
    struct login *out;
};

/* Reads and deletes the sign-in's row: a state works once. */
static int take_txn(struct db *db, void *ctx, struct ls_err *err)
{
    struct take_job *j = ctx;
    struct db_stmt *st = db_stmt(db, SQL_LOGIN_GET);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    bind_hash(st, ":state", j->state);
    int rc = db_step(st);
    if (rc == DB_ROW && db_column_bytes(st, 0) == 32) {
        j->out->found = 1;
        memcpy(j->out->browser_hash, db_column_blob(st, 0), 32);
        snprintf(j->out->nonce, sizeof j->out->nonce, "%s", db_column_text(st, 1));
        snprintf(j->out->verifier, sizeof j->out->verifier, "%s", db_column_text(st, 2));
        j->out->created = db_column_int64(st, 3);
    }
    db_reset(st);
    if (rc != DB_ROW && rc != DB_DONE)
        return db_fail(db, rc, err);
    st = db_stmt(db, SQL_LOGIN_DELETE);
    bind_hash(st, ":state", j->state);
    return db_step_done(db, st, err);
}

/* Records why a sign-in failed and passes the error code on, so each
 * message stays a literal format of ls_err_set (with its Polish pair). */
static enum ls_code failed(enum oidc_failure *why, enum oidc_failure f, enum ls_code code)
{
    *why = f;
    return code;
}

int sso_finish(struct user *user, const char **session, const char **csrf, enum oidc_failure *why,
               struct db *db, struct arena *a, const struct sso_callback *cb, struct ls_err *err)
{
    *why = OIDC_OK;
    if (!auth_token_ok(cb->state))
        return ls_err_set(err, failed(why, OIDC_STATE, LS_EBADREQ), NULL,
                          "this sign-in is unknown or was used");
    struct login login = {0};
    struct take_job tj = {cb->state, &login};
    int rc = db_write(db, take_txn, &tj, err);
    if (rc)
        return rc;
    if (!login.found || tu_now() - login.created > SSO_LOGIN_TTL)
        return ls_err_set(err, failed(why, OIDC_STATE, LS_EBADREQ), NULL,
                          "this sign-in is unknown, was used, or took too long");
    unsigned char mine[32];
    if (auth_token_ok(cb->cookie))
        auth_token_hash(mine, cb->cookie);
    if (!auth_token_ok(cb->cookie) || sodium_memcmp(mine, login.browser_hash, 32) != 0)
        return ls_err_set(err, failed(why, OIDC_BROWSER, LS_EBADREQ), NULL,
                          "this sign-in was started in another browser");
    if (cb->error)
        return ls_err_set(err, failed(why, OIDC_PROVIDER_ERROR, LS_EBADREQ), NULL,
                          "the provider answered: %.100s", cb->error);
    if (!cb->code || !*cb->code || strlen(cb->code) > 2048)
        return ls_err_set(err, failed(why, OIDC_MALFORMED, LS_EBADREQ), NULL,
                          "the provider sent no code");

    struct sso_settings s;
    sso_settings_get(&s, db);
    struct oidc_config c;
    sso_oidc_config(&c, &s, cb->redirect_uri);
    struct oidc_discovery d;
    const char *id_token = NULL, *access = NULL;
    struct oidc_claims claims;
    if ((rc = oidc_discover(&d, why, a, &c, err)) ||
        (rc = oidc_exchange_code(&id_token, &access, why, a, &c, &d, cb->code, login.verifier,
                                 err)) ||
        (rc = oidc_check_id_token(&claims, why, a, &c, &d, id_token, login.nonce, tu_now(), err)))
        return rc;
    if (!claims.email && (rc = oidc_userinfo(&claims, why, a, &c, &d, access, err)))
        return rc;
    /* A password nobody knows: the account signs in with the provider (or
     * sets a password through "forgot my password"). Hashed before the
     * write lock is taken. */
    char secret[AUTH_TOKEN_HEX + 1], hash[128];
    auth_random_hex(secret, 32);
    rc = auth_password_hash(hash, secret, err);
    sodium_memzero(secret, sizeof secret);
    if (!rc)
        rc = sso_account(user, session, csrf, why, db, a, &claims, s.trust_email, hash, cb->lang,
                         cb->ip, err);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Accounts                                                             */

struct account_job {
    struct user *user;
    const char **session, **csrf;
    enum oidc_failure *why;
    struct arena *a;
    const struct oidc_claims *claims;
    int trust_email;
    const char *hash, *lang, *ip;
};

/* A name the users table takes: the provider's, else the address's local
 * part; cut to 200 bytes on a character boundary. */
static const char *account_name(struct arena *a, const struct oidc_claims *c)
{
    const char *n = c->name;
    if (!n || !*n || !field_text_ok(n, strlen(n), 0) || strspn(n, " ") == strlen(n))
        n = arena_strndup(a, c->email, strcspn(c->email, "@"));
    size_t len = strlen(n);
    if (len > 200) {
        len = 200;
        while (len > 0 && ((unsigned char)n[len] & 0xC0) == 0x80)
            len--;
        n = arena_strndup(a, n, len);
    }
    return n;
}

static int sign_in(struct db *db, struct account_job *j, int64_t id, const char *how,
                   struct ls_err *err)
{
    int rc = auth_user_get(db, id, j->a, j->user, err);
    if (rc)
        return rc;
    if (!j->user->active) {
        *j->why = OIDC_DEACTIVATED;
        return ls_err_set(err, LS_EFORBIDDEN, NULL, "this account is deactivated");
    }
    rc = auth_session_create(db, j->user, j->ip, j->a, j->session, j->csrf, err);
    if (!rc)
        auth_audit(db, id, "session.create", "user", id, how, j->ip);
    return rc;
}

static int link_identity(struct db *db, const struct oidc_claims *c, int64_t user,
                         struct ls_err *err)
{
    struct db_stmt *st = db_stmt(db, SQL_IDENTITY_INSERT);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    db_bind_named_text(st, ":iss", c->iss);
    db_bind_named_text(st, ":sub", c->sub);
    db_bind_named_int64(st, ":user", user);
    db_bind_named_int64(st, ":now", tu_now());
    return db_step_done(db, st, err);
}

static int account_txn(struct db *db, void *ctx, struct ls_err *err)
{
    struct account_job *j = ctx;
    const struct oidc_claims *c = j->claims;
    struct db_stmt *st = db_stmt(db, SQL_IDENTITY_USER);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    db_bind_named_text(st, ":iss", c->iss);
    db_bind_named_text(st, ":sub", c->sub);
    int64_t id = db_step(st) == DB_ROW ? db_column_int64(st, 0) : 0;
    db_reset(st);
    if (id) {
        st = db_stmt(db, SQL_IDENTITY_SEEN);
        db_bind_named_text(st, ":iss", c->iss);
        db_bind_named_text(st, ":sub", c->sub);
        db_bind_named_int64(st, ":now", tu_now());
        int rc = db_step_done(db, st, err);
        return rc ? rc : sign_in(db, j, id, "single sign-on", err);
    }
    if (!c->email || !auth_email_ok(c->email)) {
        *j->why = OIDC_NO_EMAIL;
        return ls_err_set(err, LS_EFORBIDDEN, NULL, "the provider gave no e-mail address");
    }
    if (!c->email_verified && !j->trust_email) {
        *j->why = OIDC_EMAIL_UNVERIFIED;
        return ls_err_set(err, LS_EFORBIDDEN, NULL,
                          "the provider has not verified the e-mail address");
    }
    st = db_stmt(db, SQL_USER_BY_EMAIL);
    db_bind_named_text(st, ":email", c->email);
    id = db_step(st) == DB_ROW ? db_column_int64(st, 0) : 0;
    db_reset(st);
    int rc;
    if (id) { /* an account made by staff, an invitation or a registration */
        if ((rc = link_identity(db, c, id, err)))
            return rc;
        auth_audit(db, id, "user.sso.link", "user", id, c->iss, j->ip);
        return sign_in(db, j, id, "single sign-on", err);
    }
    int64_t org = 0;
    if ((rc = signup_account_for(&org, db, c->email, "email", err))) {
        if (rc == LS_EFORBIDDEN)
            *j->why = OIDC_GUESTS_CLOSED;
        return rc;
    }
    struct user_new u = {c->email, account_name(j->a, c), NULL, ROLE_RESEARCHER, org, j->lang};
    if ((rc = auth_user_check(&u, err)) || (rc = auth_user_insert(db, &u, j->hash, &id, err)) ||
        (rc = link_identity(db, c, id, err)))
        return rc;
    auth_audit(db, id, "user.create", "user", id,
               org ? "single sign-on, member domain" : "single sign-on, guest", j->ip);
    return sign_in(db, j, id, "single sign-on", err);
}

int sso_account(struct user *user, const char **session, const char **csrf, enum oidc_failure *why,
                struct db *db, struct arena *a, const struct oidc_claims *claims, int trust_email,
                const char *password_hash, const char *lang, const char *ip, struct ls_err *err)
{
    *why = OIDC_OK;
    struct account_job j = {user,
                            session,
                            csrf,
                            why,
                            a,
                            claims,
                            trust_email,
                            password_hash,
                            lang && strcmp(lang, "en") == 0 ? "en" : "pl",
                            ip};
    return db_write(db, account_txn, &j, err);
}
