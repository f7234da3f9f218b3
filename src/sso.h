/* sso.h — single sign-on with an OpenID Connect provider: its settings,
 * the sign-ins under way, and the accounts the provider's people get.
 *
 * Domain code (no civetweb, no cJSON); the protocol is oidc.h's. A sign-in
 * starts with a row holding hashes of a random `state` and of a cookie that
 * binds it to the browser, the nonce and the PKCE verifier; the provider's
 * answer is accepted once, from that browser, within SSO_LOGIN_TTL. People
 * are matched by the provider's subject, else by a verified e-mail address;
 * someone new becomes a researcher of the member organisation owning the
 * address's domain, else a guest, or is refused when guests may not
 * register (signup.h). */
#ifndef LS_SSO_H
#define LS_SSO_H

#include <stdint.h>

#include "arena.h"
#include "auth.h"
#include "err.h"
#include "oidc.h"

struct db;

#define SSO_LOGIN_TTL 600 /* seconds from the redirect to the provider until its answer */
#define SSO_NAME_MAX 100  /* characters of the button's provider name */

enum {
    SSO_LOCK_ISSUER = 1u << 0,
    SSO_LOCK_CLIENT_ID = 1u << 1,
    SSO_LOCK_SECRET = 1u << 2,
    SSO_LOCK_NAME = 1u << 3,
};

/* The provider's settings in force: each field from the server's flags or
 * environment when given there (then `locked` has its bit), else from what
 * staff saved. */
struct sso_settings {
    char issuer[512];
    char client_id[256];
    char client_secret[512];
    char name[SSO_NAME_MAX * 4 + 1]; /* "Sign in with <name>"; "" = the issuer's host */
    int allow_http_loopback;         /* flags/environment only: tests on loopback */
    int trust_email;                 /* flags/environment only: see README */
    unsigned locked;                 /* SSO_LOCK_* */
};

/* Pins the non-empty fields of `pinned` (and its two flags). Call before
 * serving; the strings are copied. */
void sso_configure(const struct sso_settings *pinned);
/* The settings in force. */
void sso_settings_get(struct sso_settings *out, struct db *db);
/* The oidc.h configuration of s, with the callback address. Borrows s. */
void sso_oidc_config(struct oidc_config *out, const struct sso_settings *s,
                     const char *redirect_uri);
/* 1 when an issuer and a client id are set. */
int sso_enabled(const struct sso_settings *s);

/* A change by staff: NULL leaves a field, "" clears it. 422 naming the
 * field for an issuer that is not an https URL (or loopback http when
 * allowed), a client id of 1–255 printable characters, a secret over 500
 * bytes, a name over SSO_NAME_MAX characters; 409 naming a field the
 * server's configuration fixes. Audited (never the secret). */
struct sso_settings_patch {
    const char *issuer, *client_id, *client_secret, *name;
};
int sso_settings_set(struct db *db, const struct user *actor, const struct sso_settings_patch *p,
                     const char *ip, struct ls_err *err);

/* Starts a sign-in: *url is where to send the browser, *cookie the value of
 * the cookie that binds the sign-in to it (both arena strings). */
int sso_start(const char **url, const char **cookie, enum oidc_failure *why, struct db *db,
              struct arena *a, const char *redirect_uri, struct ls_err *err);

/* What came back from the provider. Strings borrowed; NULL = absent. */
struct sso_callback {
    const char *state, *code, *error; /* query parameters */
    const char *cookie;               /* the binding cookie's value */
    const char *redirect_uri;         /* as sent at the start */
    const char *ip;
    const char *lang; /* a new account's language */
};

/* Finishes a sign-in: checks everything (state, browser, the provider's
 * answer, the ID token), finds or makes the account and signs it in:
 * *user, *session (cookie value) and *csrf in the arena. On failure nothing
 * is signed in and *why says what failed (OIDC_OK when labshare itself
 * failed: a database error). */
int sso_finish(struct user *user, const char **session, const char **csrf, enum oidc_failure *why,
               struct db *db, struct arena *a, const struct sso_callback *cb, struct ls_err *err);

/* The account for verified claims (the last step of sso_finish, exposed
 * for tests): by (iss, sub), else by a verified e-mail, else a new one.
 * password_hash is an argon2id string of a secret nobody knows, for a new
 * account. Runs as a db_write job. */
int sso_account(struct user *user, const char **session, const char **csrf, enum oidc_failure *why,
                struct db *db, struct arena *a, const struct oidc_claims *claims, int trust_email,
                const char *password_hash, const char *lang, const char *ip, struct ls_err *err);

#endif
