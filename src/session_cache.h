/* session_cache — the sessions this server has read lately, so that a
 * request on PostgreSQL does not spend a round trip (of the two a short
 * list takes) learning who sent it.
 *
 * Trusted only while the database's announcements are heard
 * (db_watch_hearing): migration 0025's triggers announce every change to a
 * session other than its last_seen and every change to an account's
 * columns kept here, from any node or tool, and each announcement empties
 * the cache, as do losing and regaining them. This server's own changes
 * empty it before they answer (auth, account, privacy, signup call
 * session_cache_clear), so a change made through one node holds on that
 * node at once and on the others as soon as they hear of it.
 *
 * An entry holds copies; nothing is borrowed from it. Thread-safe. */
#ifndef LS_SESSION_CACHE_H
#define LS_SESSION_CACHE_H

#include <stdint.h>

struct arena;

/* A session as kept: its account's columns and its own. Strings are
 * NUL-terminated; role is auth.h's enum role, kept as a number. */
struct session_kept {
    int64_t user_id, organisation_id, last_seen, expires;
    int role, active;
    const char *email, *name, *lang, *csrf;
};

/* The count of emptyings: read before reading a session from the
 * database, handed to session_cache_put, which keeps nothing if the cache
 * was emptied meanwhile (an announcement raced the read). */
uint64_t session_cache_epoch(void);

/* The session whose token hashes to `hash`: 1 and *out (strings copied
 * into a) if kept, else 0. */
int session_cache_get(const unsigned char hash[32], struct arena *a, struct session_kept *out);

/* Keeps a session read at `epoch` (as the database had it). Not kept when
 * the cache was emptied since `epoch` or a text is too long for an entry. */
void session_cache_put(uint64_t epoch, const unsigned char hash[32], const struct session_kept *s);

/* Empties the cache (the announcement handler; this server's own changes). */
void session_cache_clear(void);

#endif
