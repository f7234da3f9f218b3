/* text.c — see text.h. */
#include "text.h"

#include <stdint.h>
#include <string.h>

/* Decodes one code point at p (before end); returns its length in bytes, 0
 * if the bytes there are not UTF-8 (RFC 3629: no overlong forms, no
 * surrogates, nothing past U+10FFFF). */
static int decode(const unsigned char *p, const unsigned char *end, uint32_t *cp)
{
    unsigned c = *p;
    int n;
    uint32_t v;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xe0) == 0xc0) {
        n = 1;
        v = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
        n = 2;
        v = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
        n = 3;
        v = c & 0x07;
    } else {
        return 0;
    }
    if (end - p <= n)
        return 0;
    for (int i = 1; i <= n; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        v = (v << 6) | (p[i] & 0x3f);
    }
    if ((n == 1 && v < 0x80) || (n == 2 && v < 0x800) || (n == 3 && v < 0x10000) || v > 0x10ffff ||
        (v >= 0xd800 && v <= 0xdfff))
        return 0;
    *cp = v;
    return n + 1;
}

static int is_control(uint32_t c, int multiline)
{
    if (c == '\t' || c == '\n' || c == '\r')
        return !multiline;
    return c < 0x20 || (c >= 0x7f && c <= 0x9f);
}

/* Invisible in every context (see text.h for why each is here). */
static int is_invisible(uint32_t c)
{
    return c == 0x00ad || c == 0x034f || c == 0x061c || c == 0x115f || c == 0x1160 || c == 0x17b4 ||
           c == 0x17b5 || c == 0x180e || c == 0x200b || (c >= 0x200e && c <= 0x200f) ||
           (c >= 0x2028 && c <= 0x202e) || (c >= 0x2060 && c <= 0x206f) || c == 0x3164 ||
           c == 0xfeff || c == 0xffa0 || (c >= 0xfff9 && c <= 0xfffb) ||
           (c >= 0xe0000 && c <= 0xe007f) || (c >= 0xfdd0 && c <= 0xfdef) || (c & 0xfffe) == 0xfffe;
}

/* Pictographs that take part in emoji ZWJ sequences. */
static int is_emoji(uint32_t c)
{
    return (c >= 0x1f000 && c <= 0x1faff) || (c >= 0x2600 && c <= 0x27bf) || c == 0xfe0f;
}

enum text_verdict text_check(const char *s, size_t len, int multiline)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    uint32_t prev = 0;
    while (p < end) {
        uint32_t c;
        int n = decode(p, end, &c);
        if (!n)
            return TEXT_BAD_UTF8;
        if (is_control(c, multiline))
            return TEXT_CONTROL;
        if (is_invisible(c))
            return TEXT_INVISIBLE;
        if (c == 0x200d) {
            uint32_t next = 0;
            if (p + n >= end || !decode(p + n, end, &next) || !is_emoji(prev) || !is_emoji(next))
                return TEXT_INVISIBLE;
        }
        if (c == 0x200c && !(prev >= 0x0600 && prev <= 0x0dff))
            return TEXT_INVISIBLE;
        prev = c;
        p += n;
    }
    return TEXT_OK;
}

size_t text_chars(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xc0) != 0x80)
            n++;
    return n;
}

char *text_clean(char *out, const char *s, size_t max)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + strlen(s);
    size_t w = 0, chars = 0;
    while (p < end && chars < max) {
        uint32_t c;
        int n = decode(p, end, &c);
        if (!n) {
            p++;
            continue;
        }
        if (c == '\t' || c == '\n' || c == '\r') {
            if (w && out[w - 1] != ' ') { /* a run of breaks is one space */
                out[w++] = ' ';
                chars++;
            }
        } else if (!is_control(c, 0) && !is_invisible(c) && c != 0x200c && c != 0x200d) {
            memcpy(out + w, p, (size_t)n);
            w += (size_t)n;
            chars++;
        }
        p += n;
    }
    out[w] = '\0';
    return out;
}
