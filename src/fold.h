/* fold.h — text folded for searching: UTF-8 lower case with Polish and
 * common Latin diacritics folded to ASCII ("Łódź" → "lodz"), other
 * characters kept. The catalogue's search columns hold folded text and `q`
 * words are folded the same way, so "łódź", "Łódź" and "lodz" all match.
 *
 * The same folding is the SQL function fold(a, b, …) on every connection
 * (db.c registers it): the non-empty arguments joined by one space, folded. */
#ifndef LS_FOLD_H
#define LS_FOLD_H

#include <stddef.h>

/* Folds s into out, which must hold strlen(s) + 1 bytes (folding never
 * grows the text). Returns the length written. */
size_t fold_into(char *out, const char *s);

#endif
