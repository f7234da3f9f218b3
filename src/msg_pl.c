/* msg_pl.c — the Polish form of every English message format (msg.h).
 *
 * One pair a line: the English format exactly as the code writes it, then
 * its Polish form with the same conversions in the same order. "{field}"
 * stays as it is: it becomes the field's label in the answer's language.
 * tests/test_msg.c checks the conversions of every pair; tests/lint checks
 * that every format in src/ is here. */
#include "msg.h"

#include <string.h>

const char *const msg_pairs[][MSG_NLANGS] = {
    /* field.c, api_field.c: one field's value */
    {"{field} is required", "{field}: pole wymagane"},
    {"{field} must not be null", "{field}: wartość nie może być pusta (null)"},
    {"{field} must be a positive id", "{field}: podaj dodatni identyfikator"},
    {"{field} must be a whole number", "{field}: podaj liczbę całkowitą"},
    {"{field} must be a number", "{field}: podaj liczbę"},
    {"{field} must be true or false", "{field}: podaj true albo false"},
    {"{field} must be text", "{field}: podaj tekst"},
    {"{field} must be one of: %s", "{field}: dozwolone wartości to %s"},
    {"{field} must be between %.10g and %.10g", "{field}: podaj wartość od %.10g do %.10g"},
    {"{field} must be greater than %.10g and at most %.10g",
     "{field}: podaj wartość większą niż %.10g i nie większą niż %.10g"},
    {"{field} is longer than %d characters", "{field}: tekst jest za długi (limit znaków: %d)"},
    {"{field} needs at least %d characters", "{field}: co najmniej %d znaków"},
    {"{field} must be text without control characters",
     "{field}: tekst nie może zawierać znaków sterujących"},
    {"{field} must be one line of text without control characters",
     "{field}: podaj jeden wiersz tekstu bez znaków sterujących"},
    {"{field} must be an http:// or https:// address",
     "{field}: podaj adres zaczynający się od http:// lub https://"},
    {"{field} holds at most %d items", "{field}: za dużo pozycji (limit: %d)"},
    {"{field} must hold positive whole numbers",
     "{field}: lista może zawierać tylko dodatnie liczby całkowite"},
    {"{field} must be a list of ids", "{field}: podaj listę identyfikatorów"},
    {"{field} names a local time skipped by the daylight-saving change",
     "{field}: tej godziny nie ma z powodu zmiany czasu"},
    {"{field} names a local time that happens twice; give an explicit offset",
     "{field}: ta godzina występuje dwa razy przy zmianie czasu; podaj przesunięcie względem UTC"},
    {"{field} must be an RFC 3339 time such as 2026-03-29T09:00:00+02:00",
     "{field}: podaj czas w formacie RFC 3339, np. 2026-03-29T09:00:00+02:00"},
    {"{field} must be an RFC 3339 time (e.g. 2026-03-29T09:00:00Z) or a date",
     "{field}: podaj czas w formacie RFC 3339 (np. 2026-03-29T09:00:00Z) albo datę"},
    {"unknown field: {field}", "nieznane pole: {field}"},
    {"{field} is read-only", "{field}: pola nie można zmieniać"},
    {"only cluster staff may set {field}", "{field}: to pole może ustawić tylko biuro klastra"},
    {"{field}: not found", "{field}: nie znaleziono"},
    {"{field}: an object cannot move to another organisation",
     "{field}: nie można przenieść obiektu do innej organizacji"},
    /* opening hours */
    {"{field} must be a list of opening windows {weekday, open, close}",
     "{field}: podaj listę przedziałów {weekday, open, close}"},
    {"{field}: at most %d windows a week", "{field}: za dużo przedziałów (limit na tydzień: %d)"},
    {"{field}: window %d must be an object {weekday, open, close}",
     "{field}: przedział %d musi mieć postać {weekday, open, close}"},
    {"{field}: window %d has an unknown member", "{field}: przedział %d ma nieznane pole"},
    {"{field}: window %d needs a weekday from 1 (Monday) to 7 (Sunday)",
     "{field}: przedział %d musi mieć dzień tygodnia od 1 (poniedziałek) do 7 (niedziela)"},
    {"{field}: window %d must open at a time HH:MM (00:00-23:59)",
     "{field}: przedział %d musi zaczynać się o godzinie GG:MM (00:00-23:59)"},
    {"{field}: window %d must close at a time HH:MM (up to 24:00)",
     "{field}: przedział %d musi kończyć się o godzinie GG:MM (najpóźniej 24:00)"},
    {"{field}: the weekday must be 1 (Monday) to 7 (Sunday)",
     "{field}: dzień tygodnia musi być od 1 (poniedziałek) do 7 (niedziela)"},
    {"{field}: on weekday %d a window must close after it opens",
     "{field}: w dniu tygodnia %d przedział musi kończyć się po rozpoczęciu"},
    {"{field}: on weekday %d two windows overlap",
     "{field}: w dniu tygodnia %d dwa przedziały nachodzą na siebie"},
    /* catalogue.c */
    {"the organisation still has labs: delete them first",
     "organizacja ma jeszcze laboratoria: najpierw je usuń"},
    {"the organisation still has users: move or remove them first",
     "organizacja ma jeszcze użytkowników: najpierw ich przenieś lub usuń"},
    {"bookings were made on behalf of this organisation; history is kept",
     "w imieniu tej organizacji dokonano rezerwacji, a ich historia jest przechowywana"},
    {"bookings refer to resources of this lab; history is kept",
     "są rezerwacje zasobów tego laboratorium, a ich historia jest przechowywana"},
    {"bookings refer to this resource; history is kept",
     "są rezerwacje tego zasobu, a ich historia jest przechowywana"},
    {"{field} must be at least the shortest booking (%d min)",
     "{field}: wartość nie może być mniejsza niż najkrótsza rezerwacja (%d min)"},
    {"{field} is required: a search for free resources needs both the start and the end",
     "{field}: pole wymagane; wyszukiwanie wolnych zasobów wymaga początku i końca"},
    {"{field} may be at most %d days after the start", "{field}: najwyżej %d dni po początku"},
    {"{field} applies only to a search for free resources (give the start and the end)",
     "{field}: działa tylko przy wyszukiwaniu wolnych zasobów (podaj początek i koniec)"},
    {"{field} must be after the start", "{field}: musi być po początku"},
    {"{field}: a blackout may last at most three years",
     "{field}: wyłączenie może trwać najwyżej trzy lata"},
    {"{field}: no resource %lld", "{field}: nie ma zasobu o identyfikatorze %lld"},
    {"{field}: resource %lld belongs to another organisation",
     "{field}: zasób %lld należy do innej organizacji"},
    {"no such resource", "nie ma takiego zasobu"},
    {"{field}: no such user", "{field}: nie ma takiego użytkownika"},
    {"no such training record", "nie ma takiego wpisu o szkoleniu"},
    /* feed.c */
    {"no such lab", "nie ma takiego laboratorium"},
    {"no such organisation", "nie ma takiej organizacji"},
    {"no such user", "nie ma takiego użytkownika"},
    {"no such booking", "nie ma takiej rezerwacji"},
    {"no such feed", "nie ma takiego linku do kalendarza"},
    {"you have %d calendar links; revoke some before creating more",
     "osiągnięto limit linków do kalendarzy (%d); unieważnij niektóre, zanim utworzysz nowe"},
    {"only the organisation's owners and staff may subscribe to it",
     "kalendarz organizacji może subskrybować tylko jej opiekun laboratorium lub biuro klastra"},
    {"a user feed is only for your own bookings",
     "kalendarz użytkownika może pokazywać tylko twoje własne rezerwacje"},
    {"out of memory rendering the calendar", "brak pamięci przy tworzeniu kalendarza"},
    {"out of memory compressing the calendar", "brak pamięci przy kompresji kalendarza"},
    /* http.c, routes.c */
    {"internal error", "błąd wewnętrzny"},
    {"sign in first", "najpierw się zaloguj"},
    {"your role may not do this", "twoja rola na to nie pozwala"},
    {"you may not do this", "brak uprawnień do tej operacji"},
    {"no such object", "nie ma takiego obiektu"},
    {"database unavailable", "baza danych jest niedostępna"},
    {"{field} is missing or invalid", "{field}: brak lub nieprawidłowa wartość"},
    {"{field} must be application/json", "{field}: wyślij treść jako application/json"},
    {"{field} must be between %lld and %lld", "{field}: podaj wartość od %lld do %lld"},
    {"the request body is larger than %zu bytes",
     "treść żądania jest za duża (limit w bajtach: %zu)"},
    {"the request line and headers may take at most %d bytes and %d headers",
     "wiersz żądania i nagłówki są za duże (limit w bajtach: %d, limit nagłówków: %d)"},
    {"method not allowed", "niedozwolona metoda HTTP"},
    {"method not allowed; use %s", "niedozwolona metoda HTTP; dozwolone: %s"},
    {"no such page", "nie ma takiej strony"},
    {"no such route: %s %.200s", "nie ma takiego adresu: %s %.200s"},
    {"cannot read %s", "nie można odczytać pliku %s"},
    /* json.c */
    {"request body must be a JSON object", "treść żądania musi być obiektem JSON"},
    {"unescaped control character in a JSON string at byte %zu",
     "niezakodowany znak sterujący w tekście JSON (bajt %zu)"},
    {"a member name may not contain \\u0000 (byte %zu)",
     "nazwa pola w JSON nie może zawierać \\u0000 (bajt %zu)"},
    {"JSON nested deeper than %d levels",
     "JSON jest zagnieżdżony zbyt głęboko (limit poziomów: %d)"},
    {"malformed JSON near byte %zu", "niepoprawny JSON w pobliżu bajtu %zu"},
    {"trailing data after JSON near byte %zu", "zbędne dane po końcu JSON w pobliżu bajtu %zu"},
    /* db.c, db_migrate.c: mostly logged, at start-up or by the command line */
    {"out of memory", "brak pamięci"},
    {"database error", "błąd bazy danych"},
    {"database busy; try again", "baza danych jest zajęta; spróbuj ponownie"},
    {"storage is full; nothing was saved", "brak miejsca na dysku; nic nie zostało zapisane"},
    {"storage error; nothing was saved", "błąd dysku; nic nie zostało zapisane"},
    {"cannot open database %s: %s", "nie można otworzyć bazy danych %s: %s"},
    {"cannot configure database %s: %s", "nie można skonfigurować bazy danych %s: %s"},
    {"cannot read schema version: %s", "nie można odczytać wersji schematu bazy danych: %s"},
    {"not a labshare database (application_id %d); check --db",
     "to nie jest baza danych labshare (application_id %d); sprawdź --db"},
    {"database records %d migrations in the old numbering, which no labshare wrote; restore a "
     "backup",
     "baza danych podaje liczbę migracji w starej numeracji (%d), jakiej nie zapisał żaden "
     "labshare; przywróć kopię zapasową"},
    {"database schema version %d is newer than this labshare (knows %d); run a newer labshare or "
     "restore a backup",
     "wersja schematu bazy danych (%d) jest nowsza niż ta, którą zna ten labshare (%d); uruchom "
     "nowszy labshare lub przywróć kopię zapasową"},
    {"database schema version %d is not a migration this labshare has; run the labshare that "
     "wrote it or restore a backup",
     "wersja schematu bazy danych (%d) nie odpowiada żadnej migracji tego labshare; uruchom "
     "labshare, który ją zapisał, lub przywróć kopię zapasową"},
    {"migration %s is out of order: numbers must increase",
     "migracja %s jest w złej kolejności: numery muszą rosnąć"},
    {"migration %04d, shipped before, is missing from this build",
     "w tej kompilacji brakuje migracji %04d, która była już wydana"},
    {"cannot start a migration: %s", "nie można rozpocząć migracji: %s"},
    {"migration %s failed: %s", "migracja %s nie powiodła się: %s"},
    {"rewriting the old schema version failed: %s",
     "nie udało się przepisać starej wersji schematu: %s"},
};

const size_t msg_npairs = sizeof msg_pairs / sizeof msg_pairs[0];

/* Names no shape describes: headers, paging, path parameters. */
static const char *const LABELS[][MSG_NLANGS + 1] = {
    {"X-CSRF-Token", "CSRF token (X-CSRF-Token)", "token CSRF (X-CSRF-Token)"},
    {"Content-Type", "content type (Content-Type)", "typ treści (Content-Type)"},
    {"limit", "page size", "rozmiar strony"},
    {"offset", "items to skip", "pominięte pozycje"},
};

const char *msg_field_label(const char *name, enum msg_lang lang)
{
    for (size_t i = 0; name && i < sizeof LABELS / sizeof LABELS[0]; i++)
        if (strcmp(LABELS[i][0], name) == 0)
            return LABELS[i][1 + lang];
    return NULL;
}
