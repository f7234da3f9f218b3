/* msg.h — the two languages of every text the server writes for people.
 *
 * Messages are written in English in the code (ls_err_set's format, say);
 * msg_pl.c maps each English format to its Polish form, with the same
 * conversions in the same order (tests/test_msg.c checks every pair, and
 * tests/lint checks that every format in src/ has a Polish form). A message
 * names a field as "{field}": the HTTP layer replaces it with the field's
 * label in the caller's language, as the forms label it, so neither
 * language shows a raw JSON name.
 *
 * The language of an answer: the signed-in user's `lang`, else the first of
 * pl/en in Accept-Language, else Polish (../shared/API.md § Errors in the
 * user's language). The command line speaks its locale's language
 * (msg_lang_locale). */
#ifndef LS_MSG_H
#define LS_MSG_H

#include <stddef.h>

enum msg_lang { MSG_EN = 0, MSG_PL = 1, MSG_NLANGS = 2 };

/* Marks an English text that is stored or passed on and put into Polish
 * later by msg_pl() (a cancelled booking's reason, say): tests/lint reads
 * these as it reads ls_err_set's formats, so each needs its pair too. */
#define MSG_TEXT(s) s

/* The Polish format for an English one, or fmt itself when there is none. */
const char *msg_pl(const char *fmt);

/* The format in a language. */
const char *msg_format(const char *fmt, enum msg_lang lang);

/* "pl" / "en" (else MSG_PL). */
enum msg_lang msg_lang_parse(const char *code);
const char *msg_lang_code(enum msg_lang lang);

/* The answer's language: the user's language when signed in (user_lang
 * non-NULL), else the first of "pl"/"en" in an Accept-Language header by
 * its q-values, else Polish. */
enum msg_lang msg_lang_pick(const char *user_lang, const char *accept_language);

/* The language of a locale as the environment names it: the first of
 * LC_ALL, LC_MESSAGES and LANG that is set and not empty (the order
 * setlocale reads them in) decides; Polish for "pl" ("pl_PL.UTF-8",
 * "pl"), English for anything else, none set included (a script's "C"). */
enum msg_lang msg_lang_locale(const char *lc_all, const char *lc_messages, const char *lang);

/* Labels of names that no shape describes (headers, paging parameters),
 * or NULL. */
const char *msg_field_label(const char *name, enum msg_lang lang);

/* Writes text into out (size n) with each "{field}" replaced by label.
 * Truncates safely. */
void msg_put_field(char *out, size_t n, const char *text, const char *label);

/* The translation table, for tests: pairs[i][MSG_EN], pairs[i][MSG_PL]. */
extern const char *const msg_pairs[][MSG_NLANGS];
extern const size_t msg_npairs;

#endif
