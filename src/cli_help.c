/* cli_help.c — the help page of every sub-command, in English and Polish
 * side by side (cli.h): a page is written once in each language here, not
 * in the sub-command's file and again in msg_pl.c. tests/http/core.test.mjs
 * asks for every page in both languages. */
#include <string.h>

#include "cli.h"

static const struct {
    const char *command; /* "" for labshare's own page */
    const char *text[MSG_NLANGS];
} PAGES[] = {
    {"",
     {"usage: labshare <command> [options]\n"
      "\n"
      "commands:\n"
      "  serve    run the HTTP server\n"
      "  migrate  bring the database schema up to date\n"
      "  demo     load the demo catalogue, accounts and bookings\n"
      "  user add create a user (password read from standard input)\n"
      "  stats    utilisation and indicator figures (indicators, utilisation)\n"
      "  statements  a month's statement of charged bookings (--month YYYY-MM)\n"
      "  backup   consistent online copy of the database\n"
      "  reindex  rebuild the catalogue's search text after an SQL import\n"
      "  notify   deliver queued notification e-mails (one pass with --once)\n"
      "  sql      run SQL on either engine, rows printed as a|b|c\n"
      "  copy-db  copy a SQLite installation into an empty PostgreSQL database\n"
      "\n"
      "Run 'labshare <command> --help' for a command's options.\n"
      "Environment: LABSHARE_DB (./labshare.db, or a postgresql:// URI), LABSHARE_LISTEN "
      "(127.0.0.1:8080),\n"
      "LABSHARE_WWW, LABSHARE_PUBLIC_URL, LABSHARE_TZ (Europe/Warsaw),\n"
      "LABSHARE_SYNC (full|normal), LABSHARE_THREADS, LABSHARE_TRUST_PROXY (1),\n"
      "LABSHARE_REQUEST_TIMEOUT (10 s), LABSHARE_KEEP_ALIVE_TIMEOUT (5 s),\n"
      "LABSHARE_CLIENT_CONNECTIONS (32 per address; 0 = no limit),\n"
      "LABSHARE_SMTP_URL, _USER, _PASSWORD (or _PASSWORD_FILE), _FROM, _STARTTLS (1),\n"
      "LABSHARE_NOTIFY_INTERVAL_MS (30000), LABSHARE_NOTIFY_BACKOFF_S (60),\n"
      "LABSHARE_GUEST_REGISTRATION (on|off), LABSHARE_OIDC_ISSUER, _CLIENT_ID,\n"
      "_CLIENT_SECRET (or _CLIENT_SECRET_FILE), _NAME, _ALLOW_HTTP_LOOPBACK (1),\n"
      "_TRUST_EMAIL (1).\n"
      "Messages are in Polish when LC_ALL, LC_MESSAGES or LANG names pl, else in English.\n",
      "użycie: labshare <polecenie> [opcje]\n"
      "\n"
      "polecenia:\n"
      "  serve    uruchamia serwer HTTP\n"
      "  migrate  aktualizuje schemat bazy danych\n"
      "  demo     wczytuje demonstracyjny katalog, konta i rezerwacje\n"
      "  user add tworzy użytkownika (hasło ze standardowego wejścia)\n"
      "  stats    wykorzystanie i wskaźniki (indicators, utilisation)\n"
      "  statements  miesięczne zestawienie płatnych rezerwacji (--month RRRR-MM)\n"
      "  backup   spójna kopia bazy danych bez zatrzymywania serwera\n"
      "  reindex  odbudowuje indeks wyszukiwania katalogu po imporcie przez SQL\n"
      "  notify   wysyła powiadomienia e-mail z kolejki (jeden przebieg z --once)\n"
      "  sql      wykonuje SQL w SQLite albo PostgreSQL, wiersze jako a|b|c\n"
      "  copy-db  kopiuje instalację SQLite do pustej bazy PostgreSQL\n"
      "\n"
      "Opcje polecenia: 'labshare <polecenie> --help'.\n"
      "Zmienne środowiska: LABSHARE_DB (./labshare.db albo URI postgresql://), LABSHARE_LISTEN "
      "(127.0.0.1:8080),\n"
      "LABSHARE_WWW, LABSHARE_PUBLIC_URL, LABSHARE_TZ (Europe/Warsaw),\n"
      "LABSHARE_SYNC (full|normal), LABSHARE_THREADS, LABSHARE_TRUST_PROXY (1),\n"
      "LABSHARE_REQUEST_TIMEOUT (10 s), LABSHARE_KEEP_ALIVE_TIMEOUT (5 s),\n"
      "LABSHARE_CLIENT_CONNECTIONS (32 na adres; 0 = bez limitu),\n"
      "LABSHARE_SMTP_URL, _USER, _PASSWORD (albo _PASSWORD_FILE), _FROM, _STARTTLS (1),\n"
      "LABSHARE_NOTIFY_INTERVAL_MS (30000), LABSHARE_NOTIFY_BACKOFF_S (60),\n"
      "LABSHARE_GUEST_REGISTRATION (on|off), LABSHARE_OIDC_ISSUER, _CLIENT_ID,\n"
      "_CLIENT_SECRET (albo _CLIENT_SECRET_FILE), _NAME, _ALLOW_HTTP_LOOPBACK (1),\n"
      "_TRUST_EMAIL (1).\n"
      "Język komunikatów: polski, gdy LC_ALL, LC_MESSAGES albo LANG wskazuje pl, inaczej "
      "angielski.\n"}},
    {"serve",
     {"usage: labshare serve [--db FILE] [--listen HOST:PORT] [--www DIR]\n"
      "                      [--public-url URL] [--threads N] [--quiet]\n"
      "                      [--request-timeout S] [--keep-alive-timeout S]\n"
      "                      [--client-connections N]\n"
      "                      [--import-allow-private] [--import-interval SECONDS]\n"
      "                      [--guest-registration on|off]\n"
      "                      [--oidc-issuer URL --oidc-client-id ID\n"
      "                       [--oidc-client-secret S | --oidc-client-secret-file F]\n"
      "                       [--oidc-name NAME] [--oidc-allow-http-loopback]]\n"
      "Migrates the database, then serves HTTP until SIGTERM or SIGINT.\n"
      "--listen takes port 0 for an ephemeral port (printed on start).\n"
      "--request-timeout: seconds for a request's head and body to arrive (10);\n"
      "--keep-alive-timeout: seconds an idle connection stays open (5);\n"
      "--client-connections: connections one address may hold (32; 0 = no\n"
      "limit; no limit by default with LABSHARE_TRUST_PROXY=1).\n"
      "Settings given here (or as LABSHARE_* variables) fix them: staff cannot\n"
      "change them in the browser. Prefer LABSHARE_OIDC_CLIENT_SECRET_FILE to a\n"
      "secret on the command line, where other users of the machine can read it.\n"
      "--import-allow-private lets calendar imports fetch loopback, private and\n"
      "link-local addresses (refused by default); --import-interval sets how\n"
      "often subscribed calendars are fetched (default 900 s).\n",
      "użycie: labshare serve [--db PLIK] [--listen HOST:PORT] [--www KATALOG]\n"
      "                      [--public-url URL] [--threads N] [--quiet]\n"
      "                      [--request-timeout S] [--keep-alive-timeout S]\n"
      "                      [--client-connections N]\n"
      "                      [--import-allow-private] [--import-interval SEKUNDY]\n"
      "                      [--guest-registration on|off]\n"
      "                      [--oidc-issuer URL --oidc-client-id ID\n"
      "                       [--oidc-client-secret S | --oidc-client-secret-file F]\n"
      "                       [--oidc-name NAZWA] [--oidc-allow-http-loopback]]\n"
      "Aktualizuje schemat bazy danych, potem obsługuje żądania HTTP aż do sygnału SIGTERM albo "
      "SIGINT.\n"
      "--listen przyjmuje port 0: wolny port wybrany przez system (wypisany przy starcie).\n"
      "--request-timeout: sekundy na nadejście nagłówka i treści żądania (10);\n"
      "--keep-alive-timeout: sekundy, przez które bezczynne połączenie pozostaje otwarte (5);\n"
      "--client-connections: połączenia, które może utrzymywać jeden adres (32; 0 = bez\n"
      "limitu; domyślnie bez limitu przy LABSHARE_TRUST_PROXY=1).\n"
      "Ustawienia podane tutaj (albo jako zmienne LABSHARE_*) są stałe: biuro klastra\n"
      "nie może ich zmienić w przeglądarce. Zamiast podawać sekret w wierszu poleceń,\n"
      "gdzie mogą go odczytać inni użytkownicy systemu, lepiej użyć\n"
      "LABSHARE_OIDC_CLIENT_SECRET_FILE.\n"
      "--import-allow-private pozwala pobierać importowane kalendarze z adresów pętli\n"
      "zwrotnej, prywatnych i link-local (domyślnie odrzucanych); --import-interval\n"
      "ustala, jak często pobierane są subskrybowane kalendarze (domyślnie 900 s).\n"}},
    {"migrate",
     {"usage: labshare migrate [--db FILE]\n"
      "Applies the numbered migrations the database has not seen yet.\n",
      "użycie: labshare migrate [--db PLIK]\n"
      "Stosuje numerowane migracje, których jeszcze nie zastosowano w bazie danych.\n"}},
    {"demo",
     {"usage: labshare demo [--db FILE]\n"
      "Loads the demo catalogue, accounts and bookings into an empty database.\n",
      "użycie: labshare demo [--db PLIK]\n"
      "Wczytuje demonstracyjny katalog, konta i rezerwacje do pustej bazy danych.\n"}},
    {"user",
     {"usage: labshare user add --email E --name N --role staff|owner|researcher\n"
      "                         [--organisation ID] [--lang pl|en] --password-stdin\n"
      "                         [--db FILE]\n",
      "użycie: labshare user add --email E --name N --role staff|owner|researcher\n"
      "                         [--organisation ID] [--lang pl|en] --password-stdin\n"
      "                         [--db PLIK]\n"}},
    {"stats",
     {"usage: labshare stats indicators --year Y [--csv [--locale L]] [--db FILE]\n"
      "       labshare stats utilisation --from T --to T [--group-by G] [--include-private]\n"
      "                                  [--organisation ID] [--csv [--locale L]] [--db FILE]\n"
      "  T is an RFC 3339 time (2026-01-01T00:00:00+01:00) or a date (2026-01-01 = local\n"
      "  midnight); G is resource (default), lab, organisation, group or kind; L is en\n"
      "  (default: comma, decimal point) or pl (semicolon, decimal comma, for Polish Excel).\n",
      "użycie: labshare stats indicators --year R [--csv [--locale L]] [--db PLIK]\n"
      "       labshare stats utilisation --from T --to T [--group-by G] [--include-private]\n"
      "                                  [--organisation ID] [--csv [--locale L]] [--db PLIK]\n"
      "  T to czas RFC 3339 (2026-01-01T00:00:00+01:00) albo data (2026-01-01 = północ\n"
      "  czasu lokalnego); G to resource (domyślnie), lab, organisation, group albo kind; L to en\n"
      "  (domyślnie: przecinek, kropka dziesiętna) albo pl (średnik, przecinek dziesiętny,\n"
      "  dla polskiego Excela).\n"}},
    {"statements",
     {"usage: labshare statements --month YYYY-MM [--organisation ID] [--csv [--locale pl]]\n"
      "                           [--db FILE]\n"
      "  One line per charged booking starting in the month (local time), with totals per\n"
      "  customer and per provider organisation; --organisation: its lines as provider and as\n"
      "  customer. --locale pl writes semicolons and decimal commas (Polish Excel).\n",
      "użycie: labshare statements --month RRRR-MM [--organisation ID] [--csv [--locale pl]]\n"
      "                           [--db PLIK]\n"
      "  Jeden wiersz na każdą płatną rezerwację rozpoczętą w podanym miesiącu (czas lokalny),\n"
      "  z sumami według klientów i według dostawców; --organisation: jej wiersze jako\n"
      "  dostawcy i jako klienta. --locale pl zapisuje średniki i przecinki dziesiętne\n"
      "  (polski Excel).\n"}},
    {"backup",
     {"usage: labshare backup [--db FILE] OUT\n"
      "Writes a consistent copy of the live database to OUT (via OUT.tmp, then\n"
      "renamed), using SQLite's online backup: the server keeps running. The\n"
      "copy is checked (PRAGMA integrity_check) before it takes the name OUT.\n",
      "użycie: labshare backup [--db PLIK] WYNIK\n"
      "Zapisuje spójną kopię działającej bazy danych do pliku WYNIK (najpierw do\n"
      "WYNIK.tmp, potem zmienia nazwę) za pomocą kopii online SQLite (online backup):\n"
      "serwer działa dalej. Kopia jest sprawdzana (PRAGMA integrity_check), zanim\n"
      "przyjmie nazwę WYNIK.\n"}},
    {"reindex",
     {"usage: labshare reindex [--db FILE]\n"
      "Rebuilds the catalogue's search text, after rows were imported with SQL.\n",
      "użycie: labshare reindex [--db PLIK]\n"
      "Odbudowuje indeks wyszukiwania katalogu po imporcie wierszy przez SQL.\n"}},
    {"notify",
     {"usage: labshare notify [--once] [--db FILE] [--public-url URL]\n"
      "Queues due reminders and delivers queued notification e-mails over SMTP\n"
      "(LABSHARE_SMTP_*): one pass with --once (for a timer), else a pass every\n"
      "LABSHARE_NOTIFY_INTERVAL_MS until SIGTERM.\n",
      "użycie: labshare notify [--once] [--db PLIK] [--public-url URL]\n"
      "Dodaje do kolejki przypomnienia, na które nadszedł czas, i wysyła powiadomienia\n"
      "e-mail z kolejki przez SMTP (LABSHARE_SMTP_*): jeden przebieg z --once (dla\n"
      "timera), inaczej przebieg co LABSHARE_NOTIFY_INTERVAL_MS aż do sygnału SIGTERM.\n"}},
    {"sql",
     {"usage: labshare sql [--db FILE|URI] [SQL]\n"
      "Runs SQL written as for SQLite (translated for PostgreSQL) from the argument or\n"
      "standard input, and prints the rows as the sqlite3 shell does (a|b|c).\n",
      "użycie: labshare sql [--db PLIK|URI] [SQL]\n"
      "Wykonuje SQL napisany jak dla SQLite (tłumaczony na PostgreSQL) z argumentu albo\n"
      "ze standardowego wejścia i wypisuje wiersze tak jak powłoka sqlite3 (a|b|c).\n"}},
    {"copy-db",
     {"usage: labshare copy-db --from FILE --to postgresql://…\n"
      "Copies a SQLite installation into an empty PostgreSQL database (new, or with\n"
      "labshare's schema and no organisation, user or booking in it; refuses any\n"
      "other) in one transaction, which commits only once every table has as many\n"
      "rows and every year with bookings the same indicators on both (else nothing\n"
      "is written). FILE must be a labshare database.\n",
      "użycie: labshare copy-db --from PLIK --to postgresql://…\n"
      "Kopiuje instalację SQLite do pustej bazy PostgreSQL (nowej albo ze schematem\n"
      "labshare bez żadnej organizacji, użytkownika ani rezerwacji; każdą inną odrzuca)\n"
      "w jednej transakcji, zatwierdzanej dopiero wtedy, gdy każda tabela ma tyle samo\n"
      "wierszy, a każdy rok z rezerwacjami te same wskaźniki w obu bazach (inaczej nic\n"
      "nie zostaje zapisane). PLIK musi być bazą danych labshare.\n"}},
};

const char *cli_help_text(const char *command, enum msg_lang lang)
{
    for (size_t i = 0; i < sizeof PAGES / sizeof PAGES[0]; i++)
        if (strcmp(PAGES[i].command, command) == 0)
            return PAGES[i].text[lang];
    return NULL;
}

void cli_help(FILE *f, const char *command)
{
    const char *text = cli_help_text(command, cli_lang());
    if (text)
        fputs(text, f);
}
