/* session_cache.c — see session_cache.h. A fixed table indexed by the
 * token's hash (already uniform); a newer session takes an older one's
 * slot. */
#include <pthread.h>
#include <string.h>

#include "arena.h"
#include "session_cache.h"

/* TEXT_MAX holds an e-mail address (254) and most names; CSRF tokens are
 * 64 hex digits. */
enum { SLOTS = 1024, TEXT_MAX = 256, CSRF_MAX = 65 };

struct entry {
    unsigned char hash[32];
    uint64_t epoch; /* 0 = empty */
    int64_t user_id, organisation_id, last_seen, expires;
    int role, active;
    char email[TEXT_MAX], name[TEXT_MAX], lang[8], csrf[CSRF_MAX];
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static uint64_t epoch = 1;
static struct entry slots[SLOTS];

static struct entry *slot_of(const unsigned char hash[32])
{
    return &slots[(hash[0] | hash[1] << 8) % SLOTS];
}

uint64_t session_cache_epoch(void)
{
    pthread_mutex_lock(&mu);
    uint64_t e = epoch;
    pthread_mutex_unlock(&mu);
    return e;
}

int session_cache_get(const unsigned char hash[32], struct arena *a, struct session_kept *out)
{
    struct entry copy;
    pthread_mutex_lock(&mu);
    const struct entry *e = slot_of(hash);
    int found = e->epoch == epoch && memcmp(e->hash, hash, sizeof e->hash) == 0;
    if (found)
        copy = *e;
    pthread_mutex_unlock(&mu);
    if (!found)
        return 0;
    *out = (struct session_kept){.user_id = copy.user_id,
                                 .organisation_id = copy.organisation_id,
                                 .last_seen = copy.last_seen,
                                 .expires = copy.expires,
                                 .role = copy.role,
                                 .active = copy.active,
                                 .email = arena_strdup(a, copy.email),
                                 .name = arena_strdup(a, copy.name),
                                 .lang = arena_strdup(a, copy.lang),
                                 .csrf = arena_strdup(a, copy.csrf)};
    return out->email && out->name && out->lang && out->csrf;
}

static int fits(char *dst, size_t size, const char *s)
{
    if (!s || strlen(s) >= size)
        return 0;
    memcpy(dst, s, strlen(s) + 1);
    return 1;
}

void session_cache_put(uint64_t at, const unsigned char hash[32], const struct session_kept *s)
{
    struct entry e = {.epoch = at,
                      .user_id = s->user_id,
                      .organisation_id = s->organisation_id,
                      .last_seen = s->last_seen,
                      .expires = s->expires,
                      .role = s->role,
                      .active = s->active};
    memcpy(e.hash, hash, sizeof e.hash);
    if (!fits(e.email, sizeof e.email, s->email) || !fits(e.name, sizeof e.name, s->name) ||
        !fits(e.lang, sizeof e.lang, s->lang) || !fits(e.csrf, sizeof e.csrf, s->csrf))
        return;
    pthread_mutex_lock(&mu);
    if (at == epoch)
        *slot_of(hash) = e;
    pthread_mutex_unlock(&mu);
}

void session_cache_clear(void)
{
    pthread_mutex_lock(&mu);
    epoch++; /* every entry is of an older epoch now */
    pthread_mutex_unlock(&mu);
}
