/* test_oidc.c — ID-token checks against keys made here (RSA and P-256 with
 * libcjose), key sets, discovery documents, PKCE and the authorization URL.
 * Every check of oidc_verify_id_token has a token that fails it alone. */
#include "testutil.h"

#include <cjose/cjose.h>
#include <sodium.h>

#include "oidc.h"

#define ISS "https://idp.example.org/realms/uj"
#define CLIENT "labshare"
#define NONCE "n-0S6_WzA2Mj"

static cjose_jwk_t *rsa_key, *rsa_other, *ec_key, *oct_key;
static char *jwks_json;

static cjose_jwk_t *with_kid(cjose_jwk_t *k, const char *kid)
{
    cjose_err e;
    assert_non_null(k);
    assert_true(cjose_jwk_set_kid(k, kid, strlen(kid), &e));
    return k;
}

static int setup(void **state)
{
    (void)state;
    cjose_err e;
    static const uint8_t exponent[] = {1, 0, 1};
    rsa_key = with_kid(cjose_jwk_create_RSA_random(2048, exponent, 3, &e), "rsa-1");
    /* Another key under the same kid: a forger's. */
    rsa_other = with_kid(cjose_jwk_create_RSA_random(2048, exponent, 3, &e), "rsa-1");
    ec_key = with_kid(cjose_jwk_create_EC_random(CJOSE_JWK_EC_P_256, &e), "ec-1");
    oct_key = with_kid(cjose_jwk_create_oct_random(32, &e), "hmac-1");
    char *r = cjose_jwk_to_json(rsa_key, false, &e), *c = cjose_jwk_to_json(ec_key, false, &e);
    assert_non_null(r);
    assert_non_null(c);
    /* Keys the parser must skip: an encryption key, a private key, a
     * secret, another curve. */
    cjose_jwk_t *p384 = with_kid(cjose_jwk_create_EC_random(CJOSE_JWK_EC_P_384, &e), "ec-384");
    char *priv = cjose_jwk_to_json(rsa_other, true, &e), *p = cjose_jwk_to_json(p384, false, &e);
    size_t n = strlen(r) + strlen(c) + strlen(priv) + strlen(p) + 512;
    jwks_json = malloc(n);
    snprintf(
        jwks_json, n,
        "{\"keys\":[%s,%s,%s,%s,{\"kty\":\"RSA\",\"use\":\"enc\",\"kid\":\"rsa-enc\","
        "\"n\":\"AQAB\",\"e\":\"AQAB\"},{\"kty\":\"oct\",\"kid\":\"hmac-1\",\"k\":\"c2VjcmV0\"}]}",
        r, c, priv, p);
    free(r);
    free(c);
    free(priv);
    free(p);
    cjose_jwk_release(p384);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    cjose_jwk_release(rsa_key);
    cjose_jwk_release(rsa_other);
    cjose_jwk_release(ec_key);
    cjose_jwk_release(oct_key);
    free(jwks_json);
    return 0;
}

/* A compact JWS of `claims` signed by key with alg and kid (NULL = none). */
static char *sign(struct arena *a, cjose_jwk_t *key, const char *alg, const char *kid,
                  const char *claims)
{
    cjose_err e;
    cjose_header_t *h = cjose_header_new(&e);
    assert_true(cjose_header_set(h, CJOSE_HDR_ALG, alg, &e));
    if (kid)
        assert_true(cjose_header_set(h, CJOSE_HDR_KID, kid, &e));
    cjose_jws_t *jws = cjose_jws_sign(key, h, (const uint8_t *)claims, strlen(claims), &e);
    assert_non_null(jws);
    const char *ser = NULL;
    assert_true(cjose_jws_export(jws, &ser, &e));
    char *out = arena_strdup(a, ser);
    cjose_jws_release(jws);
    cjose_header_release(h);
    return out;
}

static const char *b64u(struct arena *a, const char *s)
{
    char *out = arena_alloc(a, strlen(s) * 2 + 8);
    sodium_bin2base64(out, strlen(s) * 2 + 8, (const unsigned char *)s, strlen(s),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return out;
}

/* ID-token claims: exp and iat relative to now, nonce left out when NULL,
 * `extra` (a JSON fragment such as ",\"azp\":\"x\"") appended. */
static const char *claims(struct arena *a, int64_t now, const char *iss, const char *aud,
                          int64_t exp, int64_t iat, const char *nonce, const char *extra)
{
    return arena_printf(a,
                        "{\"iss\":\"%s\",\"sub\":\"248289761001\",\"aud\":%s,\"exp\":%lld,"
                        "\"iat\":%lld%s%s%s,\"email\":\"ewa.nowak@uj.edu.pl\","
                        "\"email_verified\":true,\"name\":\"Ewa Nowak\"%s}",
                        iss, aud, (long long)(now + exp), (long long)(now + iat),
                        nonce ? ",\"nonce\":\"" : "", nonce ? nonce : "", nonce ? "\"" : "",
                        extra ? extra : "");
}

static int check(struct arena *a, const char *jwt, struct oidc_jwks *k, int64_t now,
                 enum oidc_failure *why, struct oidc_claims *out)
{
    struct oidc_expect x = {ISS, CLIENT, NONCE, now, 120};
    struct ls_err err = {0};
    *why = OIDC_NFAILURES;
    return oidc_verify_id_token(out, why, a, jwt, k, &x, &err);
}

/* Asserts that jwt fails with exactly `expected`. */
static void refused(struct arena *a, const char *jwt, struct oidc_jwks *k, int64_t now,
                    enum oidc_failure expected)
{
    enum oidc_failure why;
    struct oidc_claims c;
    int rc = check(a, jwt, k, now, &why, &c);
    if (rc == LS_OK || why != expected)
        fail_msg("expected %s, got rc %d %s", oidc_failure_name(expected), rc,
                 oidc_failure_name(why));
}

static struct oidc_jwks *keys(void)
{
    struct ls_err err = {0};
    struct oidc_jwks *k = oidc_jwks_parse(jwks_json, strlen(jwks_json), &err);
    assert_non_null(k);
    return k;
}

static void oidc__jwks_keeps_only_public_signing_keys(void **state)
{
    (void)state;
    struct oidc_jwks *k = keys();
    assert_int_equal(oidc_jwks_count(k), 2); /* rsa-1 and ec-1 */
    oidc_jwks_release(k);
    struct ls_err err = {0};
    assert_null(oidc_jwks_parse("[]", 2, &err));
    assert_null(oidc_jwks_parse("{\"keys\":{}}", 11, &err));
    assert_null(oidc_jwks_parse("not json", 8, &err));
    k = oidc_jwks_parse("{\"keys\":[]}", 11, &err);
    assert_int_equal(oidc_jwks_count(k), 0);
    oidc_jwks_release(k);
    oidc_jwks_release(NULL);
}

static void oidc__good_tokens_pass_and_give_the_claims(void **state)
{
    (void)state;
    struct arena a = {0};
    struct oidc_jwks *k = keys();
    int64_t now = tu_now();
    struct oidc_claims c;
    enum oidc_failure why;
    const char *body = claims(&a, now, ISS, "\"" CLIENT "\"", 300, 0, NONCE, NULL);
    assert_int_equal(check(&a, sign(&a, rsa_key, "RS256", "rsa-1", body), k, now, &why, &c), LS_OK);
    assert_int_equal(why, OIDC_OK);
    assert_string_equal(c.iss, ISS);
    assert_string_equal(c.sub, "248289761001");
    assert_string_equal(c.email, "ewa.nowak@uj.edu.pl");
    assert_true(c.email_verified);
    assert_string_equal(c.name, "Ewa Nowak");
    assert_int_equal(check(&a, sign(&a, ec_key, "ES256", "ec-1", body), k, now, &why, &c), LS_OK);
    /* Without a kid, every key of the algorithm's type is tried. */
    assert_int_equal(check(&a, sign(&a, rsa_key, "RS256", NULL, body), k, now, &why, &c), LS_OK);
    assert_int_equal(check(&a, sign(&a, ec_key, "ES256", NULL, body), k, now, &why, &c), LS_OK);
    /* aud as an array: ours alone, or with others when azp names us. */
    body = claims(&a, now, ISS, "[\"" CLIENT "\"]", 300, 0, NONCE, NULL);
    assert_int_equal(check(&a, sign(&a, rsa_key, "RS256", "rsa-1", body), k, now, &why, &c), LS_OK);
    body = claims(&a, now, ISS, "[\"" CLIENT "\",\"other\"]", 300, 0, NONCE,
                  ",\"azp\":\"" CLIENT "\"");
    assert_int_equal(check(&a, sign(&a, rsa_key, "RS256", "rsa-1", body), k, now, &why, &c), LS_OK);
    /* A string "true", given_name + family_name for a missing name. */
    body = arena_printf(&a,
                        "{\"iss\":\"" ISS "\",\"sub\":\"x\",\"aud\":\"" CLIENT
                        "\",\"exp\":%lld,\"iat\":%lld,\"nonce\":\"" NONCE
                        "\",\"email\":\"a@b.pl\",\"email_verified\":\"true\","
                        "\"given_name\":\"Jan\",\"family_name\":\"Kos\"}",
                        (long long)now + 60, (long long)now);
    assert_int_equal(check(&a, sign(&a, rsa_key, "RS256", "rsa-1", body), k, now, &why, &c), LS_OK);
    assert_true(c.email_verified);
    assert_string_equal(c.name, "Jan Kos");
    body = arena_printf(&a,
                        "{\"iss\":\"" ISS "\",\"sub\":\"x\",\"aud\":\"" CLIENT
                        "\",\"exp\":%lld,\"iat\":%lld,\"nonce\":\"" NONCE "\"}",
                        (long long)now + 60, (long long)now);
    assert_int_equal(check(&a, sign(&a, rsa_key, "RS256", "rsa-1", body), k, now, &why, &c), LS_OK);
    assert_null(c.email);
    assert_false(c.email_verified);
    assert_null(c.name);
    oidc_jwks_release(k);
    arena_release(&a);
}

static void oidc__signatures_keys_and_algorithms(void **state)
{
    (void)state;
    struct arena a = {0};
    struct oidc_jwks *k = keys();
    int64_t now = tu_now();
    const char *body = claims(&a, now, ISS, "\"" CLIENT "\"", 300, 0, NONCE, NULL);
    /* Signed by a key the issuer does not hold, under its key's kid. */
    refused(&a, sign(&a, rsa_other, "RS256", "rsa-1", body), k, now, OIDC_SIGNATURE);
    refused(&a, sign(&a, rsa_other, "RS256", NULL, body), k, now, OIDC_SIGNATURE);
    /* A kid the set does not have (the provider rotated: caller refetches). */
    refused(&a, sign(&a, rsa_key, "RS256", "rsa-2", body), k, now, OIDC_UNKNOWN_KEY);
    /* An EC key's kid under RS256. */
    refused(&a, sign(&a, rsa_key, "RS256", "ec-1", body), k, now, OIDC_UNKNOWN_KEY);
    /* The payload changed after signing: another person's subject. */
    char *jwt = sign(&a, rsa_key, "RS256", "rsa-1", body);
    char *dot1 = strchr(jwt, '.'), *dot2 = strchr(dot1 + 1, '.');
    const char *forged_body =
        claims(&a, now, ISS, "\"" CLIENT "\"", 300, 0, NONCE, ",\"admin\":true");
    const char *forged =
        arena_printf(&a, "%.*s.%s%s", (int)(dot1 - jwt), jwt, b64u(&a, forged_body), dot2);
    refused(&a, forged, k, now, OIDC_SIGNATURE);
    /* Algorithms: HMAC (with a secret that is even in the set), RS512. */
    refused(&a, sign(&a, oct_key, "HS256", "hmac-1", body), k, now, OIDC_ALGORITHM);
    refused(&a, sign(&a, rsa_key, "RS512", "rsa-1", body), k, now, OIDC_ALGORITHM);
    /* "none": unsigned. cjose may refuse the form before we see the alg. */
    const char *none = arena_printf(&a, "%s.%s.", b64u(&a, "{\"alg\":\"none\"}"), b64u(&a, body));
    enum oidc_failure why;
    struct oidc_claims c;
    assert_int_not_equal(check(&a, none, k, now, &why, &c), LS_OK);
    assert_true(why == OIDC_ALGORITHM || why == OIDC_MALFORMED);
    /* A critical header we do not understand. */
    const char *crit_header = "{\"alg\":\"RS256\",\"kid\":\"rsa-1\",\"crit\":[\"exp\"],\"exp\":1}";
    const char *crit =
        arena_printf(&a, "%s.%s.%s", b64u(&a, crit_header), b64u(&a, body), strrchr(jwt, '.') + 1);
    assert_int_not_equal(check(&a, crit, k, now, &why, &c), LS_OK);
    /* Not a JWS at all; too long. */
    refused(&a, "abc", k, now, OIDC_MALFORMED);
    refused(&a, "", k, now, OIDC_MALFORMED);
    char *huge = arena_alloc(&a, OIDC_TOKEN_MAX + 2);
    memset(huge, 'a', OIDC_TOKEN_MAX + 1);
    refused(&a, huge, k, now, OIDC_MALFORMED);
    /* An empty key set knows no key. */
    struct ls_err err = {0};
    struct oidc_jwks *empty = oidc_jwks_parse("{\"keys\":[]}", 11, &err);
    refused(&a, sign(&a, rsa_key, "RS256", "rsa-1", body), empty, now, OIDC_UNKNOWN_KEY);
    oidc_jwks_release(empty);
    oidc_jwks_release(k);
    arena_release(&a);
}

static void oidc__claims_iss_aud_times_nonce_sub(void **state)
{
    (void)state;
    struct arena a = {0};
    struct oidc_jwks *k = keys();
    int64_t now = tu_now();
#define SIGNED(body) sign(&a, rsa_key, "RS256", "rsa-1", (body))
    refused(
        &a,
        SIGNED(claims(&a, now, "https://evil.example.org", "\"" CLIENT "\"", 300, 0, NONCE, NULL)),
        k, now, OIDC_ISSUER);
    refused(&a, SIGNED(claims(&a, now, ISS "/", "\"" CLIENT "\"", 300, 0, NONCE, NULL)), k, now,
            OIDC_ISSUER); /* exact match only */
    refused(&a, SIGNED(claims(&a, now, ISS, "\"other-app\"", 300, 0, NONCE, NULL)), k, now,
            OIDC_AUDIENCE);
    refused(&a, SIGNED(claims(&a, now, ISS, "[\"other-app\"]", 300, 0, NONCE, NULL)), k, now,
            OIDC_AUDIENCE);
    refused(&a, SIGNED(claims(&a, now, ISS, "[\"" CLIENT "\",\"other\"]", 300, 0, NONCE, NULL)), k,
            now, OIDC_AUDIENCE); /* several audiences need azp */
    refused(&a, SIGNED(claims(&a, now, ISS, "\"" CLIENT "\"", 300, 0, NONCE, ",\"azp\":\"other\"")),
            k, now, OIDC_AUDIENCE);
    refused(&a, SIGNED(claims(&a, now, ISS, "42", 300, 0, NONCE, NULL)), k, now, OIDC_AUDIENCE);
    /* exp: the skew (120 s) is the bound, both ways. */
    refused(&a, SIGNED(claims(&a, now, ISS, "\"" CLIENT "\"", -121, -600, NONCE, NULL)), k, now,
            OIDC_EXPIRED);
    refused(&a, SIGNED(claims(&a, now, ISS, "\"" CLIENT "\"", -120, -600, NONCE, NULL)), k, now,
            OIDC_EXPIRED);
    enum oidc_failure why;
    struct oidc_claims c;
    assert_int_equal(check(&a,
                           SIGNED(claims(&a, now, ISS, "\"" CLIENT "\"", -119, -600, NONCE, NULL)),
                           k, now, &why, &c),
                     LS_OK);
    refused(&a, SIGNED(claims(&a, now, ISS, "\"" CLIENT "\"", 3600, 121, NONCE, NULL)), k, now,
            OIDC_NOT_YET_VALID);
    assert_int_equal(check(&a,
                           SIGNED(claims(&a, now, ISS, "\"" CLIENT "\"", 3600, 120, NONCE, NULL)),
                           k, now, &why, &c),
                     LS_OK);
    refused(&a,
            SIGNED(claims(&a, now, ISS, "\"" CLIENT "\"", 3600, 0, NONCE,
                          arena_printf(&a, ",\"nbf\":%lld", (long long)now + 600))),
            k, now, OIDC_NOT_YET_VALID);
    /* nonce: another sign-in's, or none. */
    refused(&a, SIGNED(claims(&a, now, ISS, "\"" CLIENT "\"", 300, 0, "n-other", NULL)), k, now,
            OIDC_NONCE);
    refused(&a, SIGNED(claims(&a, now, ISS, "\"" CLIENT "\"", 300, 0, NULL, NULL)), k, now,
            OIDC_NONCE);
    /* Missing pieces. */
    const char *no_exp = arena_printf(&a,
                                      "{\"iss\":\"" ISS "\",\"sub\":\"x\",\"aud\":\"" CLIENT
                                      "\",\"iat\":%lld,\"nonce\":\"" NONCE "\"}",
                                      (long long)now);
    refused(&a, SIGNED(no_exp), k, now, OIDC_MALFORMED);
    const char *no_sub = arena_printf(&a,
                                      "{\"iss\":\"" ISS "\",\"aud\":\"" CLIENT
                                      "\",\"exp\":%lld,\"iat\":%lld,\"nonce\":\"" NONCE "\"}",
                                      (long long)now + 60, (long long)now);
    refused(&a, SIGNED(no_sub), k, now, OIDC_MALFORMED);
    refused(&a, SIGNED("[1,2]"), k, now, OIDC_MALFORMED);
#undef SIGNED
    oidc_jwks_release(k);
    arena_release(&a);
}

static void oidc__discovery_documents(void **state)
{
    (void)state;
    struct arena a = {0};
    struct oidc_discovery d;
    enum oidc_failure why;
    struct ls_err err = {0};
    const char *good = "{\"issuer\":\"" ISS "\",\"authorization_endpoint\":\"" ISS "/auth\","
                       "\"token_endpoint\":\"" ISS "/token\",\"jwks_uri\":\"" ISS "/certs\","
                       "\"userinfo_endpoint\":\"" ISS "/userinfo\"}";
    assert_int_equal(oidc_discovery_parse(&d, &why, &a, good, strlen(good), ISS, 0, &err), LS_OK);
    assert_string_equal(d.token_endpoint, ISS "/token");
    assert_int_equal(d.token_auth_post, 0);
    assert_int_equal(oidc_discovery_parse(&d, &why, &a, good, strlen(good), ISS "x", 0, &err),
                     LS_EBADREQ);
    assert_int_equal(why, OIDC_ISSUER);
    const char *post = "{\"issuer\":\"" ISS "\",\"authorization_endpoint\":\"" ISS "/auth\","
                       "\"token_endpoint\":\"" ISS "/token\",\"jwks_uri\":\"" ISS "/certs\","
                       "\"token_endpoint_auth_methods_supported\":[\"client_secret_post\"]}";
    assert_int_equal(oidc_discovery_parse(&d, &why, &a, post, strlen(post), ISS, 0, &err), LS_OK);
    assert_int_equal(d.token_auth_post, 1);
    assert_null(d.userinfo_endpoint);
    const char *http =
        "{\"issuer\":\"http://127.0.0.1:9000\",\"authorization_endpoint\":"
        "\"http://127.0.0.1:9000/auth\",\"token_endpoint\":"
        "\"http://127.0.0.1:9000/token\",\"jwks_uri\":\"http://127.0.0.1:9000/jwks\"}";
    assert_int_equal(
        oidc_discovery_parse(&d, &why, &a, http, strlen(http), "http://127.0.0.1:9000", 0, &err),
        LS_EBADREQ);
    assert_int_equal(why, OIDC_MALFORMED);
    assert_int_equal(
        oidc_discovery_parse(&d, &why, &a, http, strlen(http), "http://127.0.0.1:9000", 1, &err),
        LS_OK);
    const char *missing = "{\"issuer\":\"" ISS "\",\"token_endpoint\":\"" ISS "/token\"}";
    assert_int_equal(oidc_discovery_parse(&d, &why, &a, missing, strlen(missing), ISS, 0, &err),
                     LS_EBADREQ);
    assert_int_equal(oidc_discovery_parse(&d, &why, &a, "[]", 2, ISS, 0, &err), LS_EBADREQ);
    arena_release(&a);
}

static void oidc__urls_pkce_and_the_authorization_request(void **state)
{
    (void)state;
    assert_true(oidc_url_allowed("https://login.microsoftonline.com/x/v2.0", 0));
    assert_false(oidc_url_allowed("http://login.example.org/", 0));
    assert_false(oidc_url_allowed("http://login.example.org/", 1));
    assert_false(oidc_url_allowed("http://127.0.0.1:8080/", 0));
    assert_true(oidc_url_allowed("http://127.0.0.1:8080/", 1));
    assert_true(oidc_url_allowed("http://localhost:8080/", 1));
    assert_true(oidc_url_allowed("http://[::1]:8080/", 1));
    assert_false(oidc_url_allowed("http://127.0.0.1.evil.example/", 1));
    assert_false(oidc_url_allowed("ftp://127.0.0.1/", 1));
    assert_false(oidc_url_allowed("file:///etc/passwd", 1));
    assert_false(oidc_url_allowed("not a url", 1));
    assert_false(oidc_url_allowed(NULL, 1));

    /* RFC 7636, appendix B. */
    char challenge[44];
    oidc_pkce_challenge(challenge, "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
    assert_string_equal(challenge, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    char v1[44], c1[44], v2[44], c2[44];
    oidc_pkce(v1, c1);
    oidc_pkce(v2, c2);
    assert_int_equal(strlen(v1), 43);
    assert_string_not_equal(v1, v2);
    oidc_pkce_challenge(challenge, v1);
    assert_string_equal(challenge, c1);

    struct arena a = {0};
    struct oidc_discovery d = {.authorization_endpoint = ISS "/auth?kc_idp_hint=uj"};
    struct oidc_config c = {.issuer = ISS,
                            .client_id = "lab share",
                            .redirect_uri = "https://labshare.example.org/auth/oidc/callback"};
    const char *url = oidc_authorize_url(&a, &d, &c, "st&ate", "no=nce", c1);
    assert_non_null(
        strstr(url, ISS "/auth?kc_idp_hint=uj&response_type=code&client_id=lab%20share"));
    assert_non_null(
        strstr(url, "&redirect_uri=https%3A%2F%2Flabshare.example.org%2Fauth%2Foidc%2Fcallback"));
    assert_non_null(strstr(url, "&scope=openid%20email%20profile&state=st%26ate&nonce=no%3Dnce"));
    assert_non_null(strstr(url, "&code_challenge_method=S256"));
    assert_string_equal(oidc_failure_name(OIDC_SIGNATURE), "signature");
    arena_release(&a);
}

int main(void)
{
    testutil_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(oidc__jwks_keeps_only_public_signing_keys),
        cmocka_unit_test(oidc__good_tokens_pass_and_give_the_claims),
        cmocka_unit_test(oidc__signatures_keys_and_algorithms),
        cmocka_unit_test(oidc__claims_iss_aud_times_nonce_sub),
        cmocka_unit_test(oidc__discovery_documents),
        cmocka_unit_test(oidc__urls_pkce_and_the_authorization_request),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
