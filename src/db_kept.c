/* db_kept.c — see db_kept.h. A fixed table indexed by a hash of the key;
 * a newer result takes an older one's slot. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "db_kept.h"

/* A resource's row is about 1 KB as text; a week of opening hours a few
 * dozen rows. Larger results are lists, which change with every booking
 * and are never read through here. */
enum { SLOTS = 512, KEY_MAX = 4096, ROWS_MAX = 64 };

struct entry {
    uint64_t epoch; /* 0 = empty */
    uint64_t hash;
    int64_t born_ms;
    char *key; /* the serialised key (serialise()), keylen bytes */
    size_t keylen;
    PGresult *r;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static uint64_t epoch = 1;
static struct entry slots[SLOTS];

/* The key as one byte string: the text, then each value's length (-1 for
 * NULL) and bytes. 0 if it does not fit in out. */
static size_t serialise(const struct kept_key *k, char *out, size_t size)
{
    size_t n = strlen(k->sql) + 1;
    if (n > size)
        return 0;
    memcpy(out, k->sql, n);
    for (int i = 0; i < k->n; i++) {
        int len = k->vals[i] ? k->lens[i] : -1;
        if (n + sizeof len + (size_t)(len > 0 ? len : 0) > size)
            return 0;
        memcpy(out + n, &len, sizeof len);
        n += sizeof len;
        if (len > 0) {
            memcpy(out + n, k->vals[i], (size_t)len);
            n += (size_t)len;
        }
    }
    return n;
}

/* FNV-1a, 64 bits. */
static uint64_t hash_of(const char *p, size_t n)
{
    uint64_t h = 14695981039346656037u;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211u;
    }
    return h;
}

static void empty(struct entry *e)
{
    free(e->key);
    PQclear(e->r);
    memset(e, 0, sizeof *e);
}

uint64_t db_kept_epoch(void)
{
    pthread_mutex_lock(&mu);
    uint64_t e = epoch;
    pthread_mutex_unlock(&mu);
    return e;
}

static PGresult *copy(const PGresult *r)
{
    return PQcopyResult(r, PG_COPYRES_ATTRS | PG_COPYRES_TUPLES);
}

PGresult *db_kept_find(const struct kept_key *k, int64_t now_ms)
{
    char key[KEY_MAX];
    size_t n = serialise(k, key, sizeof key);
    if (!n)
        return NULL;
    uint64_t h = hash_of(key, n);
    PGresult *out = NULL;
    pthread_mutex_lock(&mu);
    struct entry *e = &slots[h % SLOTS];
    if (e->epoch == epoch && e->hash == h && e->keylen == n && memcmp(e->key, key, n) == 0 &&
        now_ms - e->born_ms < KEPT_MAX_AGE_MS)
        out = copy(e->r); /* under the lock: a put may replace e->r */
    pthread_mutex_unlock(&mu);
    return out;
}

void db_kept_put(uint64_t at, const struct kept_key *k, const PGresult *r, int64_t now_ms)
{
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) > ROWS_MAX)
        return;
    char key[KEY_MAX];
    size_t n = serialise(k, key, sizeof key);
    if (!n)
        return;
    struct entry fresh = {.epoch = at, .hash = hash_of(key, n), .born_ms = now_ms, .keylen = n};
    fresh.key = malloc(n);
    fresh.r = copy(r);
    if (!fresh.key || !fresh.r) {
        empty(&fresh);
        return;
    }
    memcpy(fresh.key, key, n);
    struct entry old = {0};
    pthread_mutex_lock(&mu);
    if (at == epoch) {
        struct entry *e = &slots[fresh.hash % SLOTS];
        old = *e;
        *e = fresh;
        fresh = (struct entry){0};
    }
    pthread_mutex_unlock(&mu);
    empty(&old); /* freed outside the lock */
    empty(&fresh);
}

void db_kept_forget(void)
{
    pthread_mutex_lock(&mu);
    epoch++; /* every entry is of an older epoch now; each is freed when replaced */
    pthread_mutex_unlock(&mu);
}
