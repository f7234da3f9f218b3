/* api_oidc.c — the two browser routes of single sign-on: /auth/oidc/start
 * sends the browser to the provider, /auth/oidc/callback takes it back,
 * signs the person in and goes on to the app, or shows a page (Polish and
 * English) saying why no one was signed in. The flow is sso.c's. */
#include <civetweb.h>
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "notify.h"
#include "sso.h"

#define BINDING_COOKIE "labshare_oidc"

/* Why a sign-in failed, as a person reads it. */
static const struct {
    int status;
    const char *pl, *en;
} reasons[OIDC_NFAILURES] = {
    [OIDC_OK] = {500, "Nie udało się dokończyć logowania. Spróbuj ponownie.",
                 "labshare could not finish the sign-in. Try again."},
    [OIDC_NOT_CONFIGURED] = {404, "Logowanie przez dostawcę tożsamości nie jest tu skonfigurowane.",
                             "Single sign-on is not configured on this server."},
    [OIDC_UNREACHABLE] = {502,
                          "Nie udało się połączyć z dostawcą tożsamości. Spróbuj ponownie za "
                          "chwilę.",
                          "The identity provider could not be reached. Try again in a moment."},
    [OIDC_PROVIDER_ERROR] = {400, "Dostawca tożsamości przerwał logowanie.",
                             "The identity provider stopped the sign-in."},
    [OIDC_STATE] = {400,
                    "Ten link logowania został już użyty albo wygasł. Zacznij logowanie od nowa.",
                    "This sign-in link was already used or has expired. Start signing in again."},
    [OIDC_BROWSER] = {400, "Logowanie rozpoczęto w innej przeglądarce. Zacznij je od nowa w tej.",
                      "This sign-in was started in another browser. Start again in this one."},
    [OIDC_MALFORMED] = {400,
                        "Odpowiedź dostawcy tożsamości jest niezgodna z protokołem OpenID "
                        "Connect.",
                        "The identity provider's answer does not follow OpenID Connect."},
    [OIDC_ALGORITHM] = {400,
                        "Token dostawcy jest podpisany algorytmem, którego labshare nie "
                        "akceptuje.",
                        "The provider's token is signed with an algorithm labshare does not "
                        "accept."},
    [OIDC_UNKNOWN_KEY] = {400,
                          "Token dostawcy jest podpisany kluczem, którego dostawca nie publikuje.",
                          "The provider's token is signed with a key the provider does not "
                          "publish."},
    [OIDC_SIGNATURE] = {400, "Podpis tokenu dostawcy jest nieprawidłowy.",
                        "The signature of the provider's token is not valid."},
    [OIDC_ISSUER] = {400, "Token pochodzi od innego dostawcy tożsamości niż skonfigurowany.",
                     "The token comes from another identity provider than the configured one."},
    [OIDC_AUDIENCE] = {400, "Token został wydany dla innej aplikacji.",
                       "The token was issued to another application."},
    [OIDC_EXPIRED] = {400, "Token dostawcy wygasł. Zacznij logowanie od nowa.",
                      "The provider's token has expired. Start signing in again."},
    [OIDC_NOT_YET_VALID] = {400, "Token dostawcy nie jest jeszcze ważny (sprawdź zegary serwerów).",
                            "The provider's token is not valid yet (check the servers' clocks)."},
    [OIDC_NONCE] = {400, "Token nie należy do tego logowania (nonce się nie zgadza).",
                    "The token does not belong to this sign-in (its nonce does not match)."},
    [OIDC_NO_EMAIL] = {403,
                       "Dostawca nie podał adresu e-mail, a bez niego nie można założyć konta.",
                       "The provider gave no e-mail address, which a new account needs."},
    [OIDC_EMAIL_UNVERIFIED] = {403,
                               "Dostawca nie potwierdził Twojego adresu e-mail, więc labshare nie "
                               "może na jego podstawie znaleźć ani założyć konta.",
                               "The provider has not verified your e-mail address, so labshare "
                               "cannot find or create an account with it."},
    [OIDC_GUESTS_CLOSED] = {403,
                            "Konto mogą tu mieć tylko osoby z organizacji członkowskich Klastra; "
                            "Twój adres nie należy do żadnej z nich.",
                            "Only people of the cluster's member organisations may have an "
                            "account here, and your address belongs to none of them."},
    [OIDC_DEACTIVATED] = {403, "Twoje konto jest dezaktywowane. Skontaktuj się z koordynatorem.",
                          "Your account is deactivated. Contact the cluster's staff."},
    [OIDC_INTERNAL] = {500, "Nie udało się dokończyć logowania. Spróbuj ponownie.",
                       "labshare could not finish the sign-in. Try again."},
};

static const char *callback_uri(struct req *r)
{
    return arena_printf(&r->arena, "%s/auth/oidc/callback", http_public_url());
}

static void binding_cookie(struct req *r, const char *value, int max_age)
{
    http_add_header(r, "Set-Cookie",
                    arena_printf(&r->arena,
                                 BINDING_COOKIE "=%s; Path=/auth/oidc; HttpOnly; SameSite=Lax; "
                                                "Max-Age=%d%s",
                                 value, max_age, http_is_https(r) ? "; Secure" : ""));
}

/* One language's section of the failure page. */
static const char *section(struct req *r, const char *lang, enum oidc_failure why,
                           const char *detail)
{
    int pl = strcmp(lang, "pl") == 0;
    struct arena *a = &r->arena;
    const char *text = pl ? reasons[why].pl : reasons[why].en;
    const char *more = detail ? arena_printf(a, "<p class=\"muted\">%s: <code>%s</code></p>",
                                             pl ? "Odpowiedź dostawcy" : "The provider said",
                                             notify_html_escape(a, detail))
                              : "";
    return arena_printf(
        a,
        "<section class=\"card narrow oidc-failure\" lang=\"%s\" data-reason=\"%s\">\n"
        "<h1>%s</h1>\n<p class=\"reason\">%s</p>\n%s<p>%s</p>\n"
        "<p><a class=\"btn\" href=\"/#/login\">%s</a></p>\n</section>\n",
        lang, oidc_failure_name(why), pl ? "Logowanie nie powiodło się" : "Sign-in failed",
        notify_html_escape(a, text), more,
        pl ? "Nikt nie został zalogowany." : "No one has been signed in.",
        pl ? "Wróć do logowania" : "Back to sign-in");
}

/* The page that says why no one was signed in, in the caller's language
 * first and the other one after it. */
static int failure_page(struct req *r, enum oidc_failure why, const char *detail)
{
    if ((unsigned)why >= OIDC_NFAILURES || why == OIDC_OK)
        why = OIDC_INTERNAL;
    const char *first = msg_lang_code(r->lang), *second = strcmp(first, "pl") == 0 ? "en" : "pl";
    const char *html = arena_printf(
        &r->arena,
        "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<title>%s · labshare</title>\n<link rel=\"stylesheet\" href=\"/css/app.css\">\n"
        "<link rel=\"stylesheet\" href=\"/css/accounts.css\">\n</head>\n<body>\n"
        "<main id=\"main\" class=\"oidc-failures\">\n%s%s</main>\n</body>\n</html>\n",
        first, strcmp(first, "pl") == 0 ? "Logowanie nie powiodło się" : "Sign-in failed",
        section(r, first, why, detail), section(r, second, why, detail));
    binding_cookie(r, "", 0);
    http_add_header(r, "Cache-Control", "no-store");
    auth_audit(r->db, 0, "session.fail", "user", 0,
               arena_printf(&r->arena, "single sign-on: %s", oidc_failure_name(why)), r->client_ip);
    return http_send(r, reasons[why].status, "text/html; charset=utf-8", html, strlen(html));
}

static int redirect(struct req *r, const char *to)
{
    http_add_header(r, "Location", to);
    http_add_header(r, "Cache-Control", "no-store");
    return http_send_empty(r, 302);
}

static int get_start(struct req *r)
{
    struct sso_settings s;
    sso_settings_get(&s, r->db);
    if (!sso_enabled(&s))
        return failure_page(r, OIDC_NOT_CONFIGURED, NULL);
    const char *url = NULL, *cookie = NULL;
    enum oidc_failure why = OIDC_OK;
    if (sso_start(&url, &cookie, &why, r->db, &r->arena, callback_uri(r), &r->err))
        return failure_page(r, why, NULL);
    binding_cookie(r, cookie, SSO_LOGIN_TTL);
    return redirect(r, url);
}

/* A query parameter of at most max bytes, else NULL. The provider's
 * parameters are read leniently, not against a shape: whatever is wrong
 * with them, this browser route answers with the page that says why no one
 * was signed in, never with JSON. */
static const char *param(struct req *r, const char *name, size_t max)
{
    const char *v = http_query(r, name);
    return v && strlen(v) <= max ? v : NULL;
}

static int get_callback(struct req *r)
{
    char cookie[AUTH_TOKEN_HEX + 2] = "";
    const char *cookies = http_header(r, "Cookie");
    if (!cookies || mg_get_cookie(cookies, BINDING_COOKIE, cookie, sizeof cookie) < 0)
        cookie[0] = '\0';
    struct sso_callback cb = {
        .state = param(r, "state", 200),
        .code = param(r, "code", 4096),
        .error = param(r, "error", 200),
        .cookie = cookie,
        .redirect_uri = callback_uri(r),
        .ip = r->client_ip,
        .lang = msg_lang_code(r->lang),
    };
    struct user *u = arena_alloc(&r->arena, sizeof *u);
    const char *session = NULL, *csrf = NULL;
    enum oidc_failure why = OIDC_OK;
    if (sso_finish(u, &session, &csrf, &why, r->db, &r->arena, &cb, &r->err))
        return failure_page(r, why, why == OIDC_PROVIDER_ERROR ? cb.error : NULL);
    api_start_session(r, session);
    binding_cookie(r, "", 0);
    return redirect(r, "/#/");
}

const struct route api_oidc_routes[] = {
    {.method = "GET",
     .pattern = "/auth/oidc/start",
     .handler = get_start,
     .access = ACCESS_PUBLIC,
     .flags = ROUTE_REDIRECTS,
     .tag = "auth",
     .summary = "Single sign-on: redirects the browser to the OpenID Connect provider",
     .answer_type = "text/html"},
    {.method = "GET",
     .pattern = "/auth/oidc/callback",
     .handler = get_callback,
     .access = ACCESS_PUBLIC,
     .flags = ROUTE_REDIRECTS,
     .tag = "auth",
     .summary = "Single sign-on: the provider's answer; signs in and redirects to the app, or "
                "shows why not",
     .answer_type = "text/html"},
    {0},
};
