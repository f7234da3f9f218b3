/* msg.c — see msg.h. The table itself is msg_pl.c. */
#include "msg.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The English formats hashed to their pair, built once: lookups happen on
 * every error, and the table holds hundreds of pairs. */
enum { MAP_SIZE = 2048 }; /* power of two, more than twice the pairs */
static const char *const *map[MAP_SIZE];
static pthread_once_t map_once = PTHREAD_ONCE_INIT;

static uint32_t hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static void map_build(void)
{
    for (size_t i = 0; i < msg_npairs; i++) {
        uint32_t k = hash(msg_pairs[i][MSG_EN]) & (MAP_SIZE - 1);
        while (map[k])
            k = (k + 1) & (MAP_SIZE - 1);
        map[k] = msg_pairs[i];
    }
}

const char *msg_pl(const char *fmt)
{
    if (!fmt)
        return fmt;
    pthread_once(&map_once, map_build);
    for (uint32_t k = hash(fmt) & (MAP_SIZE - 1); map[k]; k = (k + 1) & (MAP_SIZE - 1))
        if (strcmp(map[k][MSG_EN], fmt) == 0)
            return map[k][MSG_PL];
    return fmt;
}

const char *msg_format(const char *fmt, enum msg_lang lang)
{
    return lang == MSG_PL ? msg_pl(fmt) : fmt;
}

enum msg_lang msg_lang_parse(const char *code)
{
    return code && strcmp(code, "en") == 0 ? MSG_EN : MSG_PL;
}

const char *msg_lang_code(enum msg_lang lang)
{
    return lang == MSG_EN ? "en" : "pl";
}

/* Accept-Language: "en-GB,en;q=0.9,pl;q=0.8". The highest q among the
 * ranges that start with pl or en decides; ties go to the earlier one. */
enum msg_lang msg_lang_pick(const char *user_lang, const char *accept)
{
    if (user_lang)
        return msg_lang_parse(user_lang);
    enum msg_lang best = MSG_PL;
    double best_q = 0;
    for (const char *p = accept; p && *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t n = strcspn(p, ",");
        const char *end = p + n;
        enum msg_lang l = MSG_NLANGS;
        if (strncasecmp(p, "pl", 2) == 0 && (n == 2 || p[2] == '-' || p[2] == ';' || p[2] == ' '))
            l = MSG_PL;
        else if (strncasecmp(p, "en", 2) == 0 &&
                 (n == 2 || p[2] == '-' || p[2] == ';' || p[2] == ' '))
            l = MSG_EN;
        double q = 1;
        const char *qs = memchr(p, ';', n);
        while (qs && qs < end) {
            qs++;
            while (*qs == ' ')
                qs++;
            if (strncmp(qs, "q=", 2) == 0) {
                q = strtod(qs + 2, NULL);
                break;
            }
            qs = memchr(qs, ';', (size_t)(end - qs));
        }
        if (l != MSG_NLANGS && q > best_q) {
            best = l;
            best_q = q;
        }
        p = end;
    }
    return best;
}

enum msg_lang msg_lang_locale(const char *lc_all, const char *lc_messages, const char *lang)
{
    const char *l = lc_all && *lc_all ? lc_all : lc_messages && *lc_messages ? lc_messages : lang;
    if (l && strncmp(l, "pl", 2) == 0 && (l[2] == '\0' || strchr("_.@", l[2])))
        return MSG_PL;
    return MSG_EN;
}

void msg_put_field(char *out, size_t n, const char *text, const char *label)
{
    static const char key[] = "{field}";
    size_t o = 0;
    if (n == 0)
        return;
    for (const char *p = text; *p && o + 1 < n;) {
        if (label && strncmp(p, key, sizeof key - 1) == 0) {
            for (const char *l = label; *l && o + 1 < n; l++)
                out[o++] = *l;
            p += sizeof key - 1;
        } else {
            out[o++] = *p++;
        }
    }
    /* Never end inside a UTF-8 sequence. */
    while (o > 0 && o + 1 >= n && ((unsigned char)out[o - 1] & 0xc0) == 0x80)
        o--;
    if (o > 0 && o + 1 >= n && ((unsigned char)out[o - 1] & 0xc0) == 0xc0)
        o--;
    out[o] = '\0';
}
