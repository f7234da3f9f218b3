/* db_kept — results of reads this server keeps on PostgreSQL, so that the
 * catalogue a booking checks (the resource's row and opening hours: two
 * round trips of the six a booking took) is not asked for again and again.
 *
 * A result is kept under its statement's text and parameter values, and
 * only while the database's announcements are heard (db_watch_hearing):
 * the triggers of migration 0027 announce every change to the tables such
 * reads read, from any node or tool, and each announcement forgets every
 * result, as do losing and regaining them. This server's own writes to
 * those tables forget them when they commit (db_pg.c), so a change made
 * through one node holds on that node at once and on the others as soon as
 * they hear of it. An entry lives at most KEPT_MAX_AGE_MS besides.
 *
 * Results are copied in and out (PQcopyResult): nothing is borrowed from
 * an entry, and the caller owns (PQclear) what db_kept_find returns.
 * Thread-safe. Used by db_pg.c only; SQLite keeps nothing of the kind. */
#ifndef LS_DB_KEPT_H
#define LS_DB_KEPT_H

#include <stdint.h>

#include <libpq-fe.h>

enum { KEPT_MAX_AGE_MS = 10000 };

/* A read as the cache knows it: the statement's text and its parameters
 * (vals[i] NULL for SQL NULL, else lens[i] bytes). */
struct kept_key {
    const char *sql;
    int n;
    const char *const *vals;
    const int *lens;
};

/* The count of forgettings: read before asking the database, handed to
 * db_kept_put, which keeps nothing if the cache forgot meanwhile (an
 * announcement raced the read). */
uint64_t db_kept_epoch(void);

/* A copy of the result kept for k, if one younger than KEPT_MAX_AGE_MS at
 * now_ms (a monotonic clock) is; else NULL. */
PGresult *db_kept_find(const struct kept_key *k, int64_t now_ms);

/* Keeps a copy of r (a PGRES_TUPLES_OK result of k read at `epoch`, at
 * now_ms). Nothing is kept when the cache forgot since `epoch`, or r or
 * k is too large to be worth keeping. */
void db_kept_put(uint64_t epoch, const struct kept_key *k, const PGresult *r, int64_t now_ms);

/* Forgets every result (the announcement handler; this server's commits). */
void db_kept_forget(void);

#endif
