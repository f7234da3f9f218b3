/* oidc.h — the OpenID Connect relying party: discovery, the authorization
 * code flow with PKCE, and the checks of an ID token (signature against the
 * issuer's JWKS, iss, aud, exp, iat, nonce).
 *
 * Protocol code: libcurl fetches (TLS verified; plain http only to a
 * loopback address and only when configured so, for tests), libcjose checks
 * JWS signatures (RS256 and ES256 only: "none", HMAC and everything else is
 * refused before a key is looked at), and the provider's JSON documents are
 * read with cJSON — they are the protocol's data, not the API's. No
 * database, no civetweb: sso.c keeps the flow's state and the accounts.
 *
 * Discovery documents and key sets are cached per process (an hour); the
 * key set is fetched again at once when a token names a key it does not
 * hold (a provider rotating keys), at most once per OIDC_JWKS_MIN_REFETCH
 * seconds. */
#ifndef LS_OIDC_H
#define LS_OIDC_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "err.h"

#define OIDC_SKEW_DEFAULT 120 /* seconds of clock difference tolerated */
#define OIDC_CACHE_TTL 3600   /* discovery and keys are fetched again after this */
#define OIDC_JWKS_MIN_REFETCH 10
#define OIDC_TOKEN_MAX (16 * 1024) /* an ID token longer than this is refused */
#define OIDC_DOC_MAX (1024 * 1024) /* a fetched document larger than this is refused */

/* Why a sign-in failed, for the page that says so (api_oidc.c words it in
 * Polish and English). */
enum oidc_failure {
    OIDC_OK = 0,
    OIDC_NOT_CONFIGURED,   /* no issuer or client id */
    OIDC_UNREACHABLE,      /* discovery, keys or token endpoint did not answer well */
    OIDC_PROVIDER_ERROR,   /* the provider sent ?error=… back */
    OIDC_STATE,            /* unknown, used or expired state */
    OIDC_BROWSER,          /* the state was issued to another browser */
    OIDC_MALFORMED,        /* a token or answer that is not what the protocol says */
    OIDC_ALGORITHM,        /* an ID token signed with an algorithm we do not accept */
    OIDC_UNKNOWN_KEY,      /* no key of the issuer has the token's kid, even after a refetch */
    OIDC_SIGNATURE,        /* the signature does not verify */
    OIDC_ISSUER,           /* iss is not the configured issuer */
    OIDC_AUDIENCE,         /* aud (or azp) is not our client id */
    OIDC_EXPIRED,          /* exp is past (beyond the skew) */
    OIDC_NOT_YET_VALID,    /* iat or nbf in the future (beyond the skew) */
    OIDC_NONCE,            /* nonce missing or not ours */
    OIDC_NO_EMAIL,         /* no e-mail address for a new account */
    OIDC_EMAIL_UNVERIFIED, /* the provider has not verified the address */
    OIDC_GUESTS_CLOSED,    /* not a member's domain, and guests may not register */
    OIDC_DEACTIVATED,      /* the matching account is deactivated */
    OIDC_INTERNAL,         /* labshare itself failed (database) */
    OIDC_NFAILURES
};
const char *oidc_failure_name(enum oidc_failure f); /* "signature", … (logs, tests) */

/* The provider as configured. Strings are borrowed. */
struct oidc_config {
    const char *issuer; /* exactly as the provider writes `iss` */
    const char *client_id;
    const char *client_secret;
    const char *redirect_uri; /* <public URL>/auth/oidc/callback */
    int allow_http_loopback;  /* 1: http:// to 127.0.0.1, ::1 or localhost is allowed */
    int64_t skew;             /* 0 = OIDC_SKEW_DEFAULT */
};

/* 1 if labshare may fetch `url`: https, or http to a loopback host when
 * allow_http_loopback. */
int oidc_url_allowed(const char *url, int allow_http_loopback);

/* The provider's endpoints (its discovery document). Arena strings. */
struct oidc_discovery {
    const char *issuer, *authorization_endpoint, *token_endpoint, *userinfo_endpoint, *jwks_uri;
    int token_auth_post; /* 1: client_secret_post, since the provider lacks client_secret_basic */
};

/* Reads a discovery document: the endpoints must be allowed URLs and
 * `issuer` must equal expect_issuer exactly. OIDC_MALFORMED or
 * OIDC_ISSUER in *why on failure (LS_EBADREQ). */
int oidc_discovery_parse(struct oidc_discovery *out, enum oidc_failure *why, struct arena *a,
                         const char *json, size_t len, const char *expect_issuer,
                         int allow_http_loopback, struct ls_err *err);

/* The configured provider's discovery, from the cache or fetched
 * (OIDC_UNREACHABLE when that fails). */
int oidc_discover(struct oidc_discovery *out, enum oidc_failure *why, struct arena *a,
                  const struct oidc_config *c, struct ls_err *err);

/* A key set: the issuer's RSA and P-256 EC signing keys. Reference counted
 * (the cache lends it to requests): free with oidc_jwks_release. */
struct oidc_jwks;
/* Parses {"keys": [...]}; keys of other types, curves or `use` are skipped.
 * NULL with err set for a document that is not a key set. */
struct oidc_jwks *oidc_jwks_parse(const char *json, size_t len, struct ls_err *err);
int oidc_jwks_count(const struct oidc_jwks *k);
void oidc_jwks_release(struct oidc_jwks *k); /* NULL is fine */

/* What is checked in an ID token. */
struct oidc_expect {
    const char *issuer, *client_id, *nonce;
    int64_t now, skew;
};

/* What an ID token (or the userinfo answer) says about the person. */
struct oidc_claims {
    const char *iss, *sub;
    const char *email; /* NULL = none */
    int email_verified;
    const char *name; /* NULL = none; from name, else given_name + family_name */
    int64_t exp, iat;
};

/* Checks a compact JWS ID token against the key set and the expectations,
 * in this order: form, alg (RS256/ES256), key (by kid, else every key of
 * the alg's type), signature, iss, aud/azp, exp, iat/nbf, nonce, sub.
 * LS_OK with *out filled (arena strings), else LS_EBADREQ with the first
 * failure in *why (OIDC_UNKNOWN_KEY when the kid is not in the set). */
int oidc_verify_id_token(struct oidc_claims *out, enum oidc_failure *why, struct arena *a,
                         const char *jwt, const struct oidc_jwks *keys, const struct oidc_expect *x,
                         struct ls_err *err);

/* The same with the configured issuer's cached key set, fetched again once
 * when the token names an unknown key. */
int oidc_check_id_token(struct oidc_claims *out, enum oidc_failure *why, struct arena *a,
                        const struct oidc_config *c, const struct oidc_discovery *d,
                        const char *jwt, const char *nonce, int64_t now, struct ls_err *err);

/* PKCE (RFC 7636, S256): a fresh verifier (43 characters of base64url) and
 * its challenge. */
void oidc_pkce(char verifier[44], char challenge[44]);
/* The challenge of a verifier. */
void oidc_pkce_challenge(char challenge[44], const char *verifier);

/* Where to send the browser: the authorization endpoint with response_type
 * code, client_id, redirect_uri, scope "openid email profile", state, nonce
 * and the S256 challenge, all percent-encoded. */
const char *oidc_authorize_url(struct arena *a, const struct oidc_discovery *d,
                               const struct oidc_config *c, const char *state, const char *nonce,
                               const char *challenge);

/* Exchanges an authorization code at the token endpoint (client secret by
 * HTTP Basic, or in the body when the provider only takes that).
 * *id_token and *access_token (may be NULL) are arena strings. */
int oidc_exchange_code(const char **id_token, const char **access_token, enum oidc_failure *why,
                       struct arena *a, const struct oidc_config *c, const struct oidc_discovery *d,
                       const char *code, const char *verifier, struct ls_err *err);

/* Fills e-mail, its verification and name from the userinfo endpoint where
 * the ID token had no e-mail (providers that keep claims out of ID tokens
 * in the code flow). Its `sub` must be the token's (else OIDC_MALFORMED). */
int oidc_userinfo(struct oidc_claims *io, enum oidc_failure *why, struct arena *a,
                  const struct oidc_config *c, const struct oidc_discovery *d,
                  const char *access_token, struct ls_err *err);

/* Forgets cached discovery documents and key sets (the configuration
 * changed; tests). */
void oidc_cache_clear(void);

#endif
