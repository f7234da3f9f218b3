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
    {"{field} is longer than %d characters", "{field}: tekst dłuższy niż %d znaków"},
    {"{field} needs at least %d characters", "{field}: co najmniej %d znaków"},
    {"{field} must be text without control characters",
     "{field}: tekst nie może zawierać znaków sterujących"},
    {"{field} must be one line of text without control characters",
     "{field}: podaj jeden wiersz tekstu bez znaków sterujących"},
    {"{field} must be an http:// or https:// address",
     "{field}: podaj adres zaczynający się od http:// lub https://"},
    {"{field} holds at most %d items", "{field}: najwyżej %d pozycji"},
    {"{field} must hold positive whole numbers",
     "{field}: lista może zawierać tylko dodatnie liczby całkowite"},
    {"{field} must be a list of ids", "{field}: podaj listę identyfikatorów"},
    {"{field} names a local time skipped by the daylight-saving change",
     "{field}: tej godziny nie ma z powodu zmiany czasu"},
    {"{field} names a local time that happens twice; give an explicit offset",
     "{field}: ta godzina występuje dwa razy przy zmianie czasu; podaj przesunięcie strefy"},
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
    {"{field}: at most %d windows a week", "{field}: najwyżej %d przedziałów w tygodniu"},
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
     "w imieniu tej organizacji dokonano rezerwacji; historia jest zachowywana"},
    {"bookings refer to resources of this lab; history is kept",
     "rezerwacje dotyczą zasobów tego laboratorium; historia jest zachowywana"},
    {"bookings refer to this resource; history is kept",
     "rezerwacje dotyczą tego zasobu; historia jest zachowywana"},
    {"{field} must be at least the shortest booking (%d min)",
     "{field}: nie może być krótsza niż najkrótsza rezerwacja (%d min)"},
    {"free_from and free_to go together",
     "podaj razem początek i koniec przedziału (free_from i free_to)"},
    {"{field} must be after free_from", "{field}: musi być po początku przedziału"},
    {"{field} may be at most %d days after free_from",
     "{field}: najwyżej %d dni po początku przedziału"},
    {"{field} goes with free_from and free_to",
     "{field}: działa tylko razem z początkiem i końcem przedziału"},
    {"{field} must be after the start", "{field}: musi być po początku"},
    {"a blackout may last at most three years", "wyłączenie może trwać najwyżej trzy lata"},
    {"{field}: no resource %lld", "{field}: nie ma zasobu %lld"},
    {"{field}: resource %lld belongs to another organisation",
     "{field}: zasób %lld należy do innej organizacji"},
    {"no such resource", "nie ma takiego zasobu"},
    {"{field}: no such user", "{field}: nie ma takiego użytkownika"},
    {"no such training record", "nie ma takiego wpisu o szkoleniu"},
    /* http.c */
    {"internal error", "błąd wewnętrzny"},
    {"sign in first", "najpierw się zaloguj"},
    {"your role may not do this", "twoja rola na to nie pozwala"},
    {"you may not do this to this %s", "nie możesz tego zrobić z tym obiektem (%s)"},
    {"no such object", "nie ma takiego obiektu"},
    {"database unavailable", "baza danych jest niedostępna"},
    /* db.c, db_pg.c: PostgreSQL */
    {"the database cannot be reached; nothing was saved, try again",
     "brak połączenia z bazą danych; nic nie zapisano, spróbuj ponownie"},
    {"cannot connect to the database: %s", "nie można połączyć się z bazą danych: %s"},
    {"PostgreSQL %d is too old: labshare needs 13 or newer",
     "PostgreSQL %d jest za stary: labshare wymaga wersji 13 lub nowszej"},
    {"database error: %s", "błąd bazy danych: %s"},
    {"missing or invalid CSRF token (send the X-CSRF-Token header)",
     "brak lub zły token CSRF (wyślij nagłówek X-CSRF-Token)"},
    {"send the body as application/json", "wyślij treść jako application/json"},
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
