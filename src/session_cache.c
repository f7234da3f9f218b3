/* session_cache.c — see session_cache.h. A fixed table indexed by the
 * token's hash (already uniform); a newer session takes an older one's
 * slot. */
#include <pthread.h>
#include <string.h>

#include "arena.h"
#include "session_cache.h"

enum { SLOTS = 1024, TEXT_MAX = 256 };

struct entry {
    unsigned char hash[32];
    uint64_t epoch; /* 0 = empty */
    int64_t id, organisation_id, last_seen, expires;
    enum role role;
    int active;
    char email[TEXT_MAX], name[TEXT_MAX], lang[8], csrf[AUTH_TOKEN_HEX + 1];
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

int session_cache_get(const unsigned char hash[32], struct arena *a, struct user *user,
                      const char **csrf, int64_t *last_seen, int64_t *expires)
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
    user->id = copy.id;
    user->email = arena_strdup(a, copy.email);
    user->name = arena_strdup(a, copy.name);
    user->role = copy.role;
    user->organisation_id = copy.organisation_id;
    user->active = copy.active;
    user->lang = arena_strdup(a, copy.lang);
    *csrf = arena_strdup(a, copy.csrf);
    *last_seen = copy.last_seen;
    *expires = copy.expires;
    return user->email && user->name && user->lang && *csrf;
}

static int fits(char *dst, size_t size, const char *s)
{
    if (!s || strlen(s) >= size)
        return 0;
    memcpy(dst, s, strlen(s) + 1);
    return 1;
}

void session_cache_put(uint64_t at, const unsigned char hash[32], const struct user *user,
                       const char *csrf, int64_t last_seen, int64_t expires)
{
    struct entry e = {.epoch = at,
                      .id = user->id,
                      .organisation_id = user->organisation_id,
                      .last_seen = last_seen,
                      .expires = expires,
                      .role = user->role,
                      .active = user->active};
    memcpy(e.hash, hash, sizeof e.hash);
    if (!fits(e.email, sizeof e.email, user->email) || !fits(e.name, sizeof e.name, user->name) ||
        !fits(e.lang, sizeof e.lang, user->lang) || !fits(e.csrf, sizeof e.csrf, csrf))
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
