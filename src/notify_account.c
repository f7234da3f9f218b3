/* notify_account.c — the texts of the account messages (see notify.h):
 * invitations, password resets, e-mail confirmations, in Polish and
 * English. Queued and delivered like every other message by notify.c. */
#include <string.h>

#include "notify.h"
#include "timeutil.h"

/* The words of one language; [k] is indexed by kind - NOTIFY_INVITATION. */
struct account_words {
    const char *subject[5];
    const char *role[3]; /* researcher, owner, staff */
    const char *invite_org, *invite_no_org, *invite_open, *invite_ignore;
    const char *reset_intro, *reset_after;
    const char *unknown_intro;
    const char *verify_intro, *verify_ignore;
    const char *exists_intro;
    const char *signin, *reset_page, *register_page, *footer;
};

static const struct account_words PL = {
    .subject = {"Zaproszenie do labshare", "Ustawienie nowego hasła w labshare",
                "Prośba o nowe hasło w labshare", "Potwierdź adres e-mail w labshare",
                "Masz już konto w labshare"},
    .role = {"badacz", "opiekun laboratorium", "koordynator klastra"},
    .invite_org = "%s zaprasza Cię do labshare, systemu rezerwacji wspólnych laboratoriów "
                  "Klastra LifeScience Kraków. Rola: %s, organizacja: %s.",
    .invite_no_org = "%s zaprasza Cię do labshare, systemu rezerwacji wspólnych laboratoriów "
                     "Klastra LifeScience Kraków. Rola: %s (gość, bez organizacji).",
    .invite_open = "Aby założyć konto, otwórz ten link (działa jeden raz, do %s, czasu "
                   "warszawskiego):",
    .invite_ignore = "Jeśli nie spodziewasz się tego zaproszenia, zignoruj tę wiadomość.",
    .reset_intro = "Otrzymaliśmy prośbę o ustawienie nowego hasła do konta labshare z tym "
                   "adresem. Aby je ustawić, otwórz ten link (działa jeden raz, do %s, czasu "
                   "warszawskiego):",
    .reset_after = "Ustawienie nowego hasła kończy wszystkie Twoje sesje. Jeśli to nie Ty "
                   "prosiłeś(-aś) o nowe hasło, zignoruj tę wiadomość: hasło pozostanie bez "
                   "zmian.",
    .unknown_intro = "Ktoś (być może Ty) poprosił o nowe hasło w labshare dla tego adresu, ale "
                     "żadne aktywne konto go nie używa. Jeśli masz konto pod innym adresem, "
                     "poproś o nowe hasło dla tamtego adresu. Jeśli to nie Ty, zignoruj tę "
                     "wiadomość.",
    .verify_intro = "Dziękujemy za rejestrację w labshare. Aby potwierdzić ten adres i założyć "
                    "konto, otwórz ten link (działa jeden raz, do %s, czasu warszawskiego):",
    .verify_ignore = "Jeśli to nie Ty zakładałeś(-aś) konto, zignoruj tę wiadomość: bez "
                     "potwierdzenia konto nie powstanie.",
    .exists_intro = "Ktoś (być może Ty) próbował zarejestrować w labshare ten adres, ale konto "
                    "z tym adresem już istnieje. Jeśli to nie Ty, zignoruj tę wiadomość.",
    .signin = "Logowanie",
    .reset_page = "Nie pamiętasz hasła? Ustaw nowe",
    .register_page = "Załóż konto",
    .footer = "Wiadomość wysłana automatycznie przez labshare.",
};

static const struct account_words EN = {
    .subject = {"Your invitation to labshare", "Set a new labshare password",
                "Password request at labshare", "Confirm your e-mail address for labshare",
                "You already have a labshare account"},
    .role = {"researcher", "lab owner", "cluster staff"},
    .invite_org = "%s invites you to labshare, the booking system of the shared laboratories "
                  "of Klaster LifeScience Kraków. Role: %s, organisation: %s.",
    .invite_no_org = "%s invites you to labshare, the booking system of the shared laboratories "
                     "of Klaster LifeScience Kraków. Role: %s (guest, no organisation).",
    .invite_open = "To create your account, open this link (it works once, until %s, Warsaw "
                   "time):",
    .invite_ignore = "If you did not expect this invitation, ignore this message.",
    .reset_intro = "We received a request to set a new password for the labshare account of "
                   "this address. To set one, open this link (it works once, until %s, Warsaw "
                   "time):",
    .reset_after = "Setting a new password signs you out everywhere. If you did not ask for it, "
                   "ignore this message: your password stays as it is.",
    .unknown_intro = "Someone (perhaps you) asked for a new labshare password for this address, "
                     "but no active account uses it. If you have an account under another "
                     "address, ask again with that one. If this was not you, ignore this "
                     "message.",
    .verify_intro = "Thank you for registering with labshare. To confirm this address and "
                    "create your account, open this link (it works once, until %s, Warsaw "
                    "time):",
    .verify_ignore = "If you did not register, ignore this message: without confirmation no "
                     "account is made.",
    .exists_intro = "Someone (perhaps you) tried to register this address with labshare, but "
                    "an account with this address already exists. If this was not you, ignore "
                    "this message.",
    .signin = "Sign in",
    .reset_page = "Forgot your password? Set a new one",
    .register_page = "Create an account",
    .footer = "Sent automatically by labshare.",
};

const char *notify_account_link(struct arena *a, const struct notify_site *s, enum notify_kind k,
                                const char *token)
{
    const char *page = k == NOTIFY_INVITATION       ? "invitation"
                       : k == NOTIFY_PASSWORD_RESET ? "reset"
                       : k == NOTIFY_VERIFY_EMAIL   ? "verify"
                                                    : NULL;
    if (!page || !token)
        return NULL;
    return arena_printf(a, "%s/#/%s/%s", s->public_url, page, token);
}

static const char *role_word(const struct account_words *w, const char *role)
{
    if (role && strcmp(role, "owner") == 0)
        return w->role[1];
    if (role && strcmp(role, "staff") == 0)
        return w->role[2];
    return w->role[0];
}

/* A paragraph in both parts; `link` (may be NULL) follows it on its own line. */
static void para(const char **text, const char **html, struct arena *a, const char *words,
                 const char *link, const char *label)
{
    *text = arena_printf(a, "%s%s\n%s%s\n", *text, words, link ? link : "", link ? "\n" : "");
    const char *anchor =
        link ? arena_printf(a, "<br><a href=\"%s\">%s</a>", notify_html_escape(a, link),
                            notify_html_escape(a, label ? label : link))
             : "";
    *html = arena_printf(a, "%s<p>%s%s</p>\n", *html, notify_html_escape(a, words), anchor);
}

int notify_compose_account(struct notify_mail *out, struct arena *a,
                           const struct notify_account_event *e, const struct notify_site *s,
                           struct ls_err *err)
{
    memset(out, 0, sizeof *out);
    if (!notify_kind_is_account(e->kind))
        return ls_err_set(err, LS_EINTERNAL, NULL, "not an account message");
    const struct account_words *w = e->lang && strcmp(e->lang, "en") == 0 ? &EN : &PL;
    struct tu_local l;
    tu_to_local(e->link_expires, &l);
    const char *until =
        arena_printf(a, "%04d-%02d-%02d %02d:%02d", l.year, l.month, l.day, l.hour, l.minute);
    const char *link = notify_account_link(a, s, e->kind, e->link_token);
    const char *signin = arena_printf(a, "%s/#/login", s->public_url);
    const char *reset = arena_printf(a, "%s/#/reset", s->public_url);
    out->subject = w->subject[e->kind - NOTIFY_INVITATION];
    const char *text = "", *html = "";
    switch (e->kind) {
    case NOTIFY_INVITATION: {
        const char *who = e->actor_name ? e->actor_name : "labshare";
        const char *role = role_word(w, e->role);
        const char *intro = e->organisation_name
                                ? arena_printf(a, w->invite_org, who, role, e->organisation_name)
                                : arena_printf(a, w->invite_no_org, who, role);
        para(&text, &html, a, intro, NULL, NULL);
        para(&text, &html, a, arena_printf(a, w->invite_open, until), link, NULL);
        para(&text, &html, a, w->invite_ignore, NULL, NULL);
        break;
    }
    case NOTIFY_PASSWORD_RESET:
        para(&text, &html, a, arena_printf(a, w->reset_intro, until), link, NULL);
        para(&text, &html, a, w->reset_after, NULL, NULL);
        break;
    case NOTIFY_RESET_UNKNOWN:
        para(&text, &html, a, w->unknown_intro, NULL, NULL);
        para(&text, &html, a, w->register_page, arena_printf(a, "%s/#/register", s->public_url),
             NULL);
        break;
    case NOTIFY_VERIFY_EMAIL:
        para(&text, &html, a, arena_printf(a, w->verify_intro, until), link, NULL);
        para(&text, &html, a, w->verify_ignore, NULL, NULL);
        break;
    default: /* NOTIFY_ACCOUNT_EXISTS */
        para(&text, &html, a, w->exists_intro, NULL, NULL);
        para(&text, &html, a, w->signin, signin, NULL);
        para(&text, &html, a, w->reset_page, reset, NULL);
        break;
    }
    out->text = arena_printf(a, "%s\n-- \n%s\n", text, w->footer);
    out->html =
        arena_printf(a,
                     "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>%s"
                     "</title></head><body>\n%s<p><small>%s</small></p>\n</body></html>\n",
                     notify_html_escape(a, out->subject), html, notify_html_escape(a, w->footer));
    return LS_OK;
}
