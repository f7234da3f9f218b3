/* text.h — what labshare accepts as text from people: valid UTF-8, no
 * control characters, nothing invisible that changes how text reads, and
 * lengths counted in characters.
 *
 * Plain C, no cJSON or civetweb: json.c applies it to every body string,
 * and domain modules may call it for text that reaches them another way
 * (the command line, query strings).
 *
 * Refused everywhere (../shared/API.md § Limits on what one request may
 * cost):
 * - C0 and C1 control characters and DEL; tab, line feed and carriage
 *   return only in multi-line text;
 * - bidirectional embeddings, overrides and isolates (U+202A–U+202E,
 *   U+2066–U+2069) and the invisible direction marks (U+200E, U+200F,
 *   U+061C): "Trojan Source" text that reads one way and sorts another;
 * - invisible characters that make two names look the same: zero-width
 *   space U+200B, word joiner and invisible operators U+2060–U+2064, the
 *   byte-order mark U+FEFF as text, soft hyphen U+00AD, combining grapheme
 *   joiner U+034F, Hangul fillers, U+180E, the deprecated format controls
 *   U+206A–U+206F, interlinear annotations U+FFF9–U+FFFB, tag characters
 *   U+E0000–U+E007F, line and paragraph separators U+2028/U+2029, and
 *   noncharacters;
 * - the zero-width joiner U+200D except between two emoji (👩‍🔬), and the
 *   zero-width non-joiner U+200C except after a letter of a script that
 *   needs it (Arabic to Sinhala, U+0600–U+0DFF).
 * Variation selectors (emoji presentation) and private-use characters are
 * accepted. */
#ifndef LS_TEXT_H
#define LS_TEXT_H

#include <stddef.h>

enum text_verdict {
    TEXT_OK = 0,
    TEXT_BAD_UTF8,  /* not UTF-8, overlong, surrogate, beyond U+10FFFF */
    TEXT_CONTROL,   /* a control character (see above) */
    TEXT_INVISIBLE, /* a direction control or an invisible character */
};

/* Checks len bytes of s (NUL bytes are control characters). multiline
 * allows tab, line feed and carriage return. */
enum text_verdict text_check(const char *s, size_t len, int multiline);

/* Characters (code points) in len bytes of valid UTF-8. */
size_t text_chars(const char *s, size_t len);

/* For text from elsewhere (an imported calendar): copies into out (at least
 * strlen(s) + 1 bytes) at most max characters of s that text_check()
 * accepts as one line — bytes that are not UTF-8, control, direction and
 * invisible characters (joiners included) dropped, a run of tabs and line
 * breaks made one space (none at the start) — and returns out. The result passes text_check(…, 0).
 */
char *text_clean(char *out, const char *s, size_t max);

#endif
