/* oidc.c — see oidc.h. */
#include "oidc.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjose/cjose.h>
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <sodium.h>

#include "timeutil.h"

static const char *const failure_names[OIDC_NFAILURES] = {
    "ok",       "not_configured",   "unreachable",   "provider_error", "state",
    "browser",  "malformed",        "algorithm",     "unknown_key",    "signature",
    "issuer",   "audience",         "expired",       "not_yet_valid",  "nonce",
    "no_email", "email_unverified", "guests_closed", "deactivated",
};

const char *oidc_failure_name(enum oidc_failure f)
{
    return (unsigned)f < OIDC_NFAILURES ? failure_names[f] : "unknown";
}

static enum ls_code code_of(enum oidc_failure f)
{
    return f == OIDC_UNREACHABLE ? LS_EUNAVAILABLE : LS_EBADREQ;
}

/* Records why a sign-in failed and gives the error code that goes with it:
 * ls_err_set(err, failed(why, f), NULL, "…") keeps each message a literal
 * format with its Polish pair in msg_pl.c. */
static enum ls_code failed(enum oidc_failure *why, enum oidc_failure f)
{
    if (why)
        *why = f;
    return code_of(f);
}

/* The same, keeping the message err already holds (a fetch's reason). */
static int fail_as(enum oidc_failure *why, enum oidc_failure f, struct ls_err *err)
{
    if (why)
        *why = f;
    err->code = code_of(f);
    return err->code;
}

/* ------------------------------------------------------------------ */
/* URLs and fetching                                                    */

int oidc_url_allowed(const char *url, int allow_http_loopback)
{
    if (!url || strlen(url) > 2000)
        return 0;
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL;
    int ok = 0;
    if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
        if (strcasecmp(scheme, "https") == 0)
            ok = 1;
        else if (strcasecmp(scheme, "http") == 0 && allow_http_loopback)
            ok = strcmp(host, "127.0.0.1") == 0 || strcmp(host, "[::1]") == 0 ||
                 strcasecmp(host, "localhost") == 0;
    }
    curl_free(scheme);
    curl_free(host);
    curl_url_cleanup(u);
    return ok;
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

struct body {
    char *data;
    size_t len;
    int too_big;
};

static size_t on_data(char *p, size_t size, size_t n, void *ctx)
{
    struct body *b = ctx;
    size_t add = size * n;
    if (b->len + add > OIDC_DOC_MAX) {
        b->too_big = 1;
        return 0;
    }
    char *more = realloc(b->data, b->len + add + 1);
    if (!more)
        return 0;
    memcpy(more + b->len, p, add);
    b->data = more;
    b->len += add;
    b->data[b->len] = '\0';
    return add;
}

/* One request: GET, or POST of a form when `form` is set. The answer's body
 * (NUL-terminated) goes into the arena; *status is the HTTP status. No
 * redirects are followed: every URL here comes from the configuration or
 * the provider's own discovery document. */
struct fetch {
    const char *url, *form, *basic_user, *basic_password, *bearer;
    int allow_http_loopback;
};

static int fetch(char **out, size_t *len, long *status, struct arena *a, const struct fetch *f,
                 struct ls_err *err)
{
    *out = NULL;
    *len = 0;
    *status = 0;
    if (!oidc_url_allowed(f->url, f->allow_http_loopback))
        return ls_err_set(err, LS_EUNAVAILABLE, NULL, "the provider's address is not https");
    pthread_once(&curl_once, curl_init);
    CURL *c = curl_easy_init();
    if (!c)
        return ls_err_set(err, LS_EUNAVAILABLE, NULL, "cannot start an HTTP request");
    struct body b = {0};
    struct curl_slist *headers = curl_slist_append(NULL, "Accept: application/json");
    char *auth = NULL;
    if (f->bearer) {
        auth = arena_printf(a, "Authorization: Bearer %s", f->bearer);
        headers = curl_slist_append(headers, auth);
    }
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_URL, f->url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, f->allow_http_loopback ? "http,https" : "https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 5L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "labshare");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    if (f->form)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, f->form);
    if (f->basic_user) {
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(c, CURLOPT_USERNAME, f->basic_user);
        curl_easy_setopt(c, CURLOPT_PASSWORD, f->basic_password ? f->basic_password : "");
    }
    CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    curl_easy_cleanup(c);
    curl_slist_free_all(headers);
    int ret = LS_OK;
    if (rc != CURLE_OK) {
        ret = ls_err_set(err, LS_EUNAVAILABLE, NULL, "could not fetch %s: %s", f->url,
                         b.too_big   ? "answer too large"
                         : errbuf[0] ? errbuf
                                     : curl_easy_strerror(rc));
    } else {
        *out = arena_strndup(a, b.data ? b.data : "", b.len);
        *len = b.len;
    }
    free(b.data);
    return ret;
}

/* Percent-encodes for a query string or form body (RFC 3986 unreserved kept). */
static const char *esc(struct arena *a, const char *s)
{
    size_t n = strlen(s);
    char *out = arena_alloc(a, n * 3 + 1), *p = out;
    for (const unsigned char *q = (const unsigned char *)s; *q; q++) {
        if ((*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') ||
            *q == '-' || *q == '.' || *q == '_' || *q == '~') {
            *p++ = (char)*q;
        } else {
            static const char hex[] = "0123456789ABCDEF";
            *p++ = '%';
            *p++ = hex[*q >> 4];
            *p++ = hex[*q & 15];
        }
    }
    *p = '\0';
    return out;
}

static const char *json_str(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) && v->valuestring ? v->valuestring : NULL;
}

/* ------------------------------------------------------------------ */
/* Discovery                                                            */

int oidc_discovery_parse(struct oidc_discovery *out, enum oidc_failure *why, struct arena *a,
                         const char *json, size_t len, const char *expect_issuer,
                         int allow_http_loopback, struct ls_err *err)
{
    memset(out, 0, sizeof *out);
    cJSON *doc = cJSON_ParseWithLength(json, len);
    if (!cJSON_IsObject(doc)) {
        cJSON_Delete(doc);
        return ls_err_set(err, failed(why, OIDC_MALFORMED), NULL,
                          "the discovery document is not a JSON object");
    }
    int rc = LS_OK;
    const char *iss = json_str(doc, "issuer");
    const char *authz = json_str(doc, "authorization_endpoint");
    const char *token = json_str(doc, "token_endpoint");
    const char *jwks = json_str(doc, "jwks_uri");
    const char *info = json_str(doc, "userinfo_endpoint");
    if (!iss || strcmp(iss, expect_issuer) != 0) {
        rc = ls_err_set(err, failed(why, OIDC_ISSUER), NULL,
                        "the discovery document names another issuer");
    } else if (!oidc_url_allowed(authz, allow_http_loopback) ||
               !oidc_url_allowed(token, allow_http_loopback) ||
               !oidc_url_allowed(jwks, allow_http_loopback) ||
               (info && !oidc_url_allowed(info, allow_http_loopback))) {
        rc = ls_err_set(err, failed(why, OIDC_MALFORMED), NULL,
                        "the discovery document lacks an endpoint or names one that is not https");
    } else {
        out->issuer = arena_strdup(a, iss);
        out->authorization_endpoint = arena_strdup(a, authz);
        out->token_endpoint = arena_strdup(a, token);
        out->jwks_uri = arena_strdup(a, jwks);
        out->userinfo_endpoint = info ? arena_strdup(a, info) : NULL;
        /* RFC 8414: absent means client_secret_basic. */
        const cJSON *methods =
            cJSON_GetObjectItemCaseSensitive(doc, "token_endpoint_auth_methods_supported");
        int basic = !cJSON_IsArray(methods), post = 0;
        const cJSON *m;
        cJSON_ArrayForEach(m, methods)
        {
            if (cJSON_IsString(m) && strcmp(m->valuestring, "client_secret_basic") == 0)
                basic = 1;
            if (cJSON_IsString(m) && strcmp(m->valuestring, "client_secret_post") == 0)
                post = 1;
        }
        out->token_auth_post = !basic && post;
    }
    cJSON_Delete(doc);
    return rc;
}

/* The process's cache: the configured issuer's discovery document and key
 * set. Documents are kept as text (parsed per use into the request's
 * arena); the key set as parsed keys, lent by reference. */
static struct {
    pthread_mutex_t mu;
    char *issuer; /* whose discovery this is */
    char *doc;    /* discovery JSON */
    size_t doc_len;
    int64_t doc_at;
    char *jwks_uri; /* whose keys these are */
    struct oidc_jwks *keys;
    int64_t keys_at;
    int64_t refetch_at; /* the last fetch for a token naming an unknown key */
} cache = {.mu = PTHREAD_MUTEX_INITIALIZER};

void oidc_cache_clear(void)
{
    pthread_mutex_lock(&cache.mu);
    free(cache.issuer);
    free(cache.doc);
    free(cache.jwks_uri);
    oidc_jwks_release(cache.keys);
    cache.issuer = cache.doc = cache.jwks_uri = NULL;
    cache.keys = NULL;
    cache.doc_at = cache.keys_at = cache.refetch_at = 0;
    pthread_mutex_unlock(&cache.mu);
}

int oidc_discover(struct oidc_discovery *out, enum oidc_failure *why, struct arena *a,
                  const struct oidc_config *c, struct ls_err *err)
{
    if (!c->issuer || !*c->issuer || !c->client_id || !*c->client_id)
        return ls_err_set(err, failed(why, OIDC_NOT_CONFIGURED), NULL,
                          "single sign-on is not configured");
    int64_t now = tu_now();
    const char *doc = NULL;
    size_t len = 0;
    pthread_mutex_lock(&cache.mu);
    if (cache.issuer && strcmp(cache.issuer, c->issuer) == 0 &&
        now - cache.doc_at < OIDC_CACHE_TTL) {
        doc = arena_strndup(a, cache.doc, cache.doc_len);
        len = cache.doc_len;
    }
    pthread_mutex_unlock(&cache.mu);
    if (!doc) {
        size_t n = strlen(c->issuer);
        const char *url = arena_printf(a, "%.*s/.well-known/openid-configuration",
                                       (int)(n && c->issuer[n - 1] == '/' ? n - 1 : n), c->issuer);
        struct fetch f = {.url = url, .allow_http_loopback = c->allow_http_loopback};
        char *body;
        long status;
        int rc = fetch(&body, &len, &status, a, &f, err);
        if (rc)
            return fail_as(why, OIDC_UNREACHABLE, err);
        if (status != 200)
            return ls_err_set(err, failed(why, OIDC_UNREACHABLE), NULL,
                              "the provider's discovery document is missing");
        doc = body;
    }
    int rc = oidc_discovery_parse(out, why, a, doc, len, c->issuer, c->allow_http_loopback, err);
    if (rc)
        return rc;
    pthread_mutex_lock(&cache.mu);
    if (!cache.issuer || strcmp(cache.issuer, c->issuer) != 0 ||
        now - cache.doc_at >= OIDC_CACHE_TTL) {
        free(cache.issuer);
        free(cache.doc);
        cache.issuer = strdup(c->issuer);
        cache.doc = malloc(len + 1);
        if (cache.doc) {
            memcpy(cache.doc, doc, len);
            cache.doc[len] = '\0';
        }
        cache.doc_len = len;
        cache.doc_at = cache.issuer && cache.doc ? now : 0;
    }
    pthread_mutex_unlock(&cache.mu);
    return LS_OK;
}

/* ------------------------------------------------------------------ */
/* Key sets                                                             */

struct oidc_key {
    cjose_jwk_t *jwk;
    char kid[128]; /* "" = none */
    int rsa;       /* 1 RSA, 0 EC P-256 */
    char alg[16];  /* the key's own "alg", "" = any of its type */
};

struct oidc_jwks {
    atomic_int refs;
    int n;
    struct oidc_key keys[32];
};

struct oidc_jwks *oidc_jwks_parse(const char *json, size_t len, struct ls_err *err)
{
    cJSON *doc = cJSON_ParseWithLength(json, len);
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(doc, "keys");
    if (!cJSON_IsArray(list)) {
        cJSON_Delete(doc);
        ls_err_set(err, LS_EBADREQ, NULL, "the provider's key set is not a JWKS document");
        return NULL;
    }
    struct oidc_jwks *k = calloc(1, sizeof *k);
    if (!k) {
        cJSON_Delete(doc);
        ls_err_set(err, LS_EINTERNAL, NULL, "out of memory");
        return NULL;
    }
    atomic_init(&k->refs, 1);
    const cJSON *item;
    cJSON_ArrayForEach(item, list)
    {
        if (k->n >= (int)(sizeof k->keys / sizeof *k->keys))
            break;
        const char *kty = json_str(item, "kty"), *use = json_str(item, "use");
        const char *crv = json_str(item, "crv"), *kid = json_str(item, "kid");
        const char *alg = json_str(item, "alg");
        if (!kty || (use && strcmp(use, "sig") != 0))
            continue;
        int rsa = strcmp(kty, "RSA") == 0;
        if (!rsa && !(strcmp(kty, "EC") == 0 && crv && strcmp(crv, "P-256") == 0))
            continue;
        if (alg && strcmp(alg, rsa ? "RS256" : "ES256") != 0)
            continue; /* a key meant for another algorithm */
        if ((kid && strlen(kid) >= sizeof k->keys[0].kid) || cJSON_GetObjectItem(item, "d"))
            continue; /* a private key has no business in a published key set */
        char *text = cJSON_PrintUnformatted(item);
        cjose_err ce;
        cjose_jwk_t *jwk = text ? cjose_jwk_import(text, strlen(text), &ce) : NULL;
        free(text);
        if (!jwk)
            continue;
        struct oidc_key *key = &k->keys[k->n++];
        key->jwk = jwk;
        key->rsa = rsa;
        snprintf(key->kid, sizeof key->kid, "%s", kid ? kid : "");
        snprintf(key->alg, sizeof key->alg, "%s", alg ? alg : "");
    }
    cJSON_Delete(doc);
    return k;
}

int oidc_jwks_count(const struct oidc_jwks *k)
{
    return k ? k->n : 0;
}

static struct oidc_jwks *jwks_retain(struct oidc_jwks *k)
{
    if (k)
        atomic_fetch_add(&k->refs, 1);
    return k;
}

void oidc_jwks_release(struct oidc_jwks *k)
{
    if (!k || atomic_fetch_sub(&k->refs, 1) != 1)
        return;
    for (int i = 0; i < k->n; i++)
        cjose_jwk_release(k->keys[i].jwk);
    free(k);
}

/* ------------------------------------------------------------------ */
/* ID tokens                                                            */

/* A JSON number claim as whole seconds; 0 and *ok = 0 when absent or not a
 * number. */
static int64_t num_claim(const cJSON *o, const char *name, int *ok)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    *ok = cJSON_IsNumber(v) && v->valuedouble > -1e15 && v->valuedouble < 1e15;
    return *ok ? (int64_t)v->valuedouble : 0;
}

static int same(const char *a, const char *b)
{
    size_t n = strlen(a);
    return n == strlen(b) && sodium_memcmp(a, b, n) == 0;
}

/* Reads e-mail, verification and name from a claims object into *out. */
static void person_claims(struct oidc_claims *out, struct arena *a, const cJSON *o)
{
    const char *email = json_str(o, "email");
    if (email && *email && strlen(email) <= 254)
        out->email = arena_strdup(a, email);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "email_verified");
    /* A boolean per OIDC Core; some providers send the string "true". */
    out->email_verified =
        cJSON_IsTrue(v) || (cJSON_IsString(v) && strcmp(v->valuestring, "true") == 0);
    const char *name = json_str(o, "name");
    const char *given = json_str(o, "given_name"), *family = json_str(o, "family_name");
    if (name && *name)
        out->name = arena_strdup(a, name);
    else if (given || family)
        out->name = arena_printf(a, "%s%s%s", given ? given : "", given && family ? " " : "",
                                 family ? family : "");
}

int oidc_verify_id_token(struct oidc_claims *out, enum oidc_failure *why, struct arena *a,
                         const char *jwt, const struct oidc_jwks *keys, const struct oidc_expect *x,
                         struct ls_err *err)
{
    memset(out, 0, sizeof *out);
    size_t len = jwt ? strlen(jwt) : 0;
    if (len == 0 || len > OIDC_TOKEN_MAX)
        return ls_err_set(err, failed(why, OIDC_MALFORMED), NULL,
                          "the ID token is missing or too long");
    cjose_err ce;
    cjose_jws_t *jws = cjose_jws_import(jwt, len, &ce);
    if (!jws)
        return ls_err_set(err, failed(why, OIDC_MALFORMED), NULL,
                          "the ID token is not a signed JWT");
    int rc = LS_OK;
    cJSON *claims = NULL;
    cjose_header_t *hdr = cjose_jws_get_protected(jws);
    const char *alg = hdr ? cjose_header_get(hdr, CJOSE_HDR_ALG, &ce) : NULL;
    const char *kid = hdr ? cjose_header_get(hdr, CJOSE_HDR_KID, &ce) : NULL;
    char *crit = hdr ? cjose_header_get_raw(hdr, "crit", &ce) : NULL;
    int rsa = alg && strcmp(alg, "RS256") == 0;
    if (!alg || (!rsa && strcmp(alg, "ES256") != 0) || crit) {
        rc = ls_err_set(err, failed(why, OIDC_ALGORITHM), NULL,
                        "the ID token is not signed with RS256 or ES256");
        goto done;
    }
    /* By kid when the token names one; else every key of the alg's type. */
    int tried = 0, verified = 0;
    for (int i = 0; keys && i < keys->n && !verified; i++) {
        const struct oidc_key *key = &keys->keys[i];
        if (key->rsa != rsa || (kid && strcmp(key->kid, kid) != 0))
            continue;
        tried = 1;
        verified = cjose_jws_verify(jws, key->jwk, &ce);
    }
    if (!tried) {
        rc = ls_err_set(err, failed(why, OIDC_UNKNOWN_KEY), NULL,
                        "the provider has no key the ID token names");
        goto done;
    }
    if (!verified) {
        rc = ls_err_set(err, failed(why, OIDC_SIGNATURE), NULL,
                        "the ID token's signature does not verify");
        goto done;
    }
    uint8_t *payload = NULL;
    size_t plen = 0;
    if (!cjose_jws_get_plaintext(jws, &payload, &plen, &ce) ||
        !cJSON_IsObject(claims = cJSON_ParseWithLength((const char *)payload, plen))) {
        rc = ls_err_set(err, failed(why, OIDC_MALFORMED), NULL,
                        "the ID token's claims are not a JSON object");
        goto done;
    }
    const char *iss = json_str(claims, "iss");
    if (!iss || strcmp(iss, x->issuer) != 0) {
        rc = ls_err_set(err, failed(why, OIDC_ISSUER), NULL,
                        "the ID token comes from another issuer");
        goto done;
    }
    const cJSON *aud = cJSON_GetObjectItemCaseSensitive(claims, "aud");
    int ours = cJSON_IsString(aud) && strcmp(aud->valuestring, x->client_id) == 0;
    int naud = cJSON_IsString(aud) ? 1 : 0;
    const cJSON *one;
    if (cJSON_IsArray(aud))
        cJSON_ArrayForEach(one, aud)
        {
            naud++;
            if (cJSON_IsString(one) && strcmp(one->valuestring, x->client_id) == 0)
                ours = 1;
        }
    const char *azp = json_str(claims, "azp");
    if (!ours || (azp && strcmp(azp, x->client_id) != 0) || (naud > 1 && !azp)) {
        rc = ls_err_set(err, failed(why, OIDC_AUDIENCE), NULL,
                        "the ID token was issued to another client");
        goto done;
    }
    int has_exp, has_iat, has_nbf;
    int64_t skew = x->skew > 0 ? x->skew : OIDC_SKEW_DEFAULT;
    out->exp = num_claim(claims, "exp", &has_exp);
    out->iat = num_claim(claims, "iat", &has_iat);
    int64_t nbf = num_claim(claims, "nbf", &has_nbf);
    if (!has_exp || !has_iat) {
        rc = ls_err_set(err, failed(why, OIDC_MALFORMED), NULL, "the ID token lacks exp or iat");
        goto done;
    }
    if (out->exp + skew <= x->now) {
        rc = ls_err_set(err, failed(why, OIDC_EXPIRED), NULL, "the ID token has expired");
        goto done;
    }
    if (out->iat - skew > x->now || (has_nbf && nbf - skew > x->now)) {
        rc =
            ls_err_set(err, failed(why, OIDC_NOT_YET_VALID), NULL, "the ID token is not valid yet");
        goto done;
    }
    const char *nonce = json_str(claims, "nonce");
    if (!x->nonce || !nonce || !same(nonce, x->nonce)) {
        rc = ls_err_set(err, failed(why, OIDC_NONCE), NULL,
                        "the ID token's nonce is not the one this sign-in sent");
        goto done;
    }
    const char *sub = json_str(claims, "sub");
    if (!sub || !*sub || strlen(sub) > 255) {
        rc = ls_err_set(err, failed(why, OIDC_MALFORMED), NULL,
                        "the ID token's subject is missing or too long");
        goto done;
    }
    out->iss = arena_strdup(a, iss);
    out->sub = arena_strdup(a, sub);
    person_claims(out, a, claims);
    if (why)
        *why = OIDC_OK;
done:
    free(crit);
    cJSON_Delete(claims);
    cjose_jws_release(jws);
    return rc;
}

/* The cached key set of jwks_uri (fetched when absent, stale, or when
 * `refetch` and the last fetch is old enough); a reference the caller
 * releases. */
static struct oidc_jwks *keys_for(const struct oidc_config *c, const char *jwks_uri, int refetch,
                                  enum oidc_failure *why, struct arena *a, struct ls_err *err)
{
    int64_t now = tu_now();
    struct oidc_jwks *k = NULL;
    pthread_mutex_lock(&cache.mu);
    /* Refetches for unknown kids come at most every OIDC_JWKS_MIN_REFETCH
     * seconds, so tokens naming made-up keys cannot make us fetch on every
     * request. */
    int mine = cache.jwks_uri && strcmp(cache.jwks_uri, jwks_uri) == 0;
    int stale = !mine || now - cache.keys_at >= OIDC_CACHE_TTL;
    if (!stale && (!refetch || now - cache.refetch_at < OIDC_JWKS_MIN_REFETCH))
        k = jwks_retain(cache.keys);
    else if (refetch)
        cache.refetch_at = now;
    pthread_mutex_unlock(&cache.mu);
    if (k)
        return k;
    struct fetch f = {.url = jwks_uri, .allow_http_loopback = c->allow_http_loopback};
    char *body;
    size_t len;
    long status;
    if (fetch(&body, &len, &status, a, &f, err) || status != 200) {
        ls_err_set(err, failed(why, OIDC_UNREACHABLE), NULL,
                   "the provider's keys could not be fetched");
        return NULL;
    }
    k = oidc_jwks_parse(body, len, err);
    if (!k) {
        ls_err_set(err, failed(why, OIDC_MALFORMED), NULL,
                   "the provider's key set is not a JWKS document");
        return NULL;
    }
    pthread_mutex_lock(&cache.mu);
    oidc_jwks_release(cache.keys);
    free(cache.jwks_uri);
    cache.jwks_uri = strdup(jwks_uri);
    cache.keys = cache.jwks_uri ? jwks_retain(k) : NULL;
    cache.keys_at = now;
    pthread_mutex_unlock(&cache.mu);
    return k;
}

int oidc_check_id_token(struct oidc_claims *out, enum oidc_failure *why, struct arena *a,
                        const struct oidc_config *c, const struct oidc_discovery *d,
                        const char *jwt, const char *nonce, int64_t now, struct ls_err *err)
{
    struct oidc_expect x = {c->issuer, c->client_id, nonce, now, c->skew};
    struct oidc_jwks *k = keys_for(c, d->jwks_uri, 0, why, a, err);
    if (!k)
        return err->code;
    int rc = oidc_verify_id_token(out, why, a, jwt, k, &x, err);
    oidc_jwks_release(k);
    if (rc && why && *why == OIDC_UNKNOWN_KEY) {
        /* The provider may have rotated its keys since they were cached. */
        k = keys_for(c, d->jwks_uri, 1, why, a, err);
        if (!k)
            return err->code;
        rc = oidc_verify_id_token(out, why, a, jwt, k, &x, err);
        oidc_jwks_release(k);
    }
    return rc;
}

/* ------------------------------------------------------------------ */
/* The code flow                                                        */

static void b64url(char out[44], const unsigned char *bin, size_t n)
{
    sodium_bin2base64(out, 44, bin, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void oidc_pkce_challenge(char challenge[44], const char *verifier)
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)verifier, strlen(verifier));
    b64url(challenge, h, sizeof h);
}

void oidc_pkce(char verifier[44], char challenge[44])
{
    unsigned char r[32];
    randombytes_buf(r, sizeof r);
    b64url(verifier, r, sizeof r);
    sodium_memzero(r, sizeof r);
    oidc_pkce_challenge(challenge, verifier);
}

const char *oidc_authorize_url(struct arena *a, const struct oidc_discovery *d,
                               const struct oidc_config *c, const char *state, const char *nonce,
                               const char *challenge)
{
    const char *sep = strchr(d->authorization_endpoint, '?') ? "&" : "?";
    return arena_printf(a,
                        "%s%sresponse_type=code&client_id=%s&redirect_uri=%s"
                        "&scope=openid%%20email%%20profile&state=%s&nonce=%s"
                        "&code_challenge=%s&code_challenge_method=S256",
                        d->authorization_endpoint, sep, esc(a, c->client_id),
                        esc(a, c->redirect_uri), esc(a, state), esc(a, nonce), esc(a, challenge));
}

int oidc_exchange_code(const char **id_token, const char **access_token, enum oidc_failure *why,
                       struct arena *a, const struct oidc_config *c, const struct oidc_discovery *d,
                       const char *code, const char *verifier, struct ls_err *err)
{
    *id_token = NULL;
    if (access_token)
        *access_token = NULL;
    const char *form =
        arena_printf(a, "grant_type=authorization_code&code=%s&redirect_uri=%s&code_verifier=%s",
                     esc(a, code), esc(a, c->redirect_uri), esc(a, verifier));
    struct fetch f = {.url = d->token_endpoint, .allow_http_loopback = c->allow_http_loopback};
    if (d->token_auth_post) {
        form = arena_printf(a, "%s&client_id=%s&client_secret=%s", form, esc(a, c->client_id),
                            esc(a, c->client_secret ? c->client_secret : ""));
    } else {
        /* RFC 6749 2.3.1: both form-encoded before Basic. */
        f.basic_user = esc(a, c->client_id);
        f.basic_password = esc(a, c->client_secret ? c->client_secret : "");
    }
    f.form = form;
    char *body;
    size_t len;
    long status;
    if (fetch(&body, &len, &status, a, &f, err))
        return fail_as(why, OIDC_UNREACHABLE, err);
    cJSON *doc = cJSON_ParseWithLength(body, len);
    int rc = LS_OK;
    const char *idt = json_str(doc, "id_token");
    if (status != 200) {
        const char *e = json_str(doc, "error");
        /* The provider's words are an argument, never the format. */
        rc = e ? ls_err_set(err, failed(why, OIDC_PROVIDER_ERROR), NULL,
                            "the provider refused the code: %.100s", e)
               : ls_err_set(err, failed(why, OIDC_PROVIDER_ERROR), NULL,
                            "the provider refused the code");
    } else if (!idt) {
        rc = ls_err_set(err, failed(why, OIDC_MALFORMED), NULL,
                        "the provider's answer has no ID token");
    } else {
        *id_token = arena_strdup(a, idt);
        const char *at = json_str(doc, "access_token");
        if (access_token && at)
            *access_token = arena_strdup(a, at);
    }
    cJSON_Delete(doc);
    return rc;
}

int oidc_userinfo(struct oidc_claims *io, enum oidc_failure *why, struct arena *a,
                  const struct oidc_config *c, const struct oidc_discovery *d,
                  const char *access_token, struct ls_err *err)
{
    if (!d->userinfo_endpoint || !access_token)
        return LS_OK; /* nothing more to learn */
    struct fetch f = {.url = d->userinfo_endpoint,
                      .bearer = access_token,
                      .allow_http_loopback = c->allow_http_loopback};
    char *body;
    size_t len;
    long status;
    if (fetch(&body, &len, &status, a, &f, err) || status != 200)
        return ls_err_set(err, failed(why, OIDC_UNREACHABLE), NULL,
                          "the provider's userinfo endpoint failed");
    cJSON *doc = cJSON_ParseWithLength(body, len);
    const char *sub = json_str(doc, "sub");
    int rc = LS_OK;
    if (!sub || strcmp(sub, io->sub) != 0) {
        rc = ls_err_set(err, failed(why, OIDC_MALFORMED), NULL,
                        "the userinfo answer is about someone else");
    } else {
        struct oidc_claims more = {0};
        person_claims(&more, a, doc);
        if (!io->email) {
            io->email = more.email;
            io->email_verified = more.email_verified;
        }
        if (!io->name)
            io->name = more.name;
    }
    cJSON_Delete(doc);
    return rc;
}
