/* fold.c — see fold.h. */
#include "fold.h"

#include <ctype.h>

/* U+00C0..U+00FF and U+0100..U+017F to an ASCII letter; '.' = keep. */
static const char FOLD_LATIN1[] = "aaaaaa.ceeeeiiiidnooooo.ouuuuy.."
                                  "aaaaaa.ceeeeiiiidnooooo.ouuuuy.y";
static const char FOLD_EXT_A[] = "aaaaaa"
                                 "cccccccc"
                                 "dddd"
                                 "eeeeeeeeee"
                                 "gggggggg"
                                 "hhhh"
                                 "iiiiiiiiii"
                                 ".."
                                 "jj"
                                 "kk."
                                 "llllllllll"
                                 "nnnnnnn"
                                 "nn"
                                 "oooooo"
                                 ".."
                                 "rrrrrr"
                                 "ssssssss"
                                 "tttttt"
                                 "uuuuuuuuuuuu"
                                 "ww"
                                 "yyy"
                                 "zzzzzz"
                                 "s";
_Static_assert(sizeof FOLD_LATIN1 == 65, "one letter per code point U+00C0..U+00FF");
_Static_assert(sizeof FOLD_EXT_A == 129, "one letter per code point U+0100..U+017F");

size_t fold_into(char *out, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = 0;
    while (*p) {
        if (*p < 0x80) {
            out[n++] = (char)tolower(*p);
            p++;
            continue;
        }
        if ((p[0] & 0xe0) == 0xc0 && (p[1] & 0xc0) == 0x80) {
            unsigned cp = ((p[0] & 0x1fu) << 6) | (p[1] & 0x3fu);
            char c = '.';
            if (cp >= 0xc0 && cp <= 0xff)
                c = FOLD_LATIN1[cp - 0xc0];
            else if (cp >= 0x100 && cp <= 0x17f)
                c = FOLD_EXT_A[cp - 0x100];
            if (c != '.') {
                out[n++] = c;
            } else {
                out[n++] = (char)p[0];
                out[n++] = (char)p[1];
            }
            p += 2;
            continue;
        }
        out[n++] = (char)*p++; /* other sequences byte by byte, unchanged */
    }
    out[n] = '\0';
    return n;
}
