/* throttle.c — see throttle.h. */
#include "throttle.h"

#include <errno.h>
#include <pthread.h>
#include <time.h>

#include "db.h"
#include "timeutil.h"

/* How long an attempt waits for others' unsettled claims before it gives
 * up with "try again in a second": many argon2 checks' worth, even on a
 * loaded machine, and far below any client's timeout. */
#define PATIENCE_MS 5000
/* Another process settles without waking this one: look again this often. */
#define POLL_MS 50

static const char SQL_STATS[] =
    "SELECT coalesce(sum(CASE WHEN settled = 1 OR at <= :stale THEN 1 ELSE 0 END), 0),"
    "       coalesce(sum(CASE WHEN settled = 0 AND at > :stale THEN 1 ELSE 0 END), 0),"
    "       coalesce(max(CASE WHEN settled = 1 OR at <= :stale THEN at END), 0),"
    "       coalesce(min(CASE WHEN settled = 1 OR at <= :stale THEN at END), 0)"
    " FROM login_failures WHERE key = :key AND at > :since";
static const char SQL_CLAIM[] =
    "INSERT INTO login_failures(key, at, settled) VALUES (:key, :at, 0)";
static const char SQL_SETTLE[] = "UPDATE login_failures SET settled = 1 WHERE rowid = :row";
static const char SQL_RELEASE[] = "DELETE FROM login_failures WHERE rowid = :row";
static const char SQL_FORGET[] = "DELETE FROM login_failures WHERE key = :key AND settled = 1";
static const char SQL_PRUNE[] = "DELETE FROM login_failures WHERE at < :before";

static pthread_mutex_t settle_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t settle_cond = PTHREAD_COND_INITIALIZER;
static uint64_t settle_gen; /* under settle_lock: claims settled so far */

static int prepare(struct db *db, const char *sql, struct db_stmt **out, struct ls_err *err)
{
    *out = db_stmt(db, sql);
    return *out ? LS_OK : ls_err_set(err, LS_EINTERNAL, NULL, "database error");
}

/* Seconds k must wait, 0 if it may claim, -1 if only unsettled claims of
 * others stand in the way. */
static int key_wait(struct db *db, const struct throttle_key *k, int64_t now, struct ls_err *err,
                    int *wait)
{
    struct db_stmt *st;
    int rc = prepare(db, SQL_STATS, &st, err);
    if (rc)
        return rc;
    db_bind_named_text(st, ":key", k->key);
    db_bind_named_int64(st, ":since", now - k->window);
    db_bind_named_int64(st, ":stale", now - THROTTLE_STALE);
    int r = db_step(st);
    if (r != DB_ROW) {
        db_reset(st);
        return db_fail(db, r, err);
    }
    int settled = db_column_int(st, 0);
    int pending = db_column_int(st, 1);
    int64_t last = db_column_int64(st, 2), oldest = db_column_int64(st, 3);
    db_reset(st);
    *wait = 0;
    if (settled < k->free) {
        if (settled + pending >= k->free)
            *wait = -1;
        return LS_OK;
    }
    int64_t left;
    if (k->backoff == THROTTLE_DOUBLING) {
        int shift = settled - k->free;
        int64_t w = shift > 10 ? k->window : 30LL << shift;
        left = last + (w < k->window ? w : k->window) - now;
    } else {
        left = oldest + k->window - now + 1;
    }
    /* Its wait over, a key at its limit gets one attempt at a time: the
     * next one learns from this one's outcome how long to wait. */
    *wait = left > 0 ? (int)left : pending ? -1 : 0;
    return LS_OK;
}

static int claim_txn(struct db *db, void *ctx, struct ls_err *err)
{
    struct throttle_claim *c = ctx;
    int window = 0;
    for (int i = 0; i < c->n; i++)
        if (c->keys[i].window > window)
            window = c->keys[i].window;
    struct db_stmt *st;
    int rc = prepare(db, SQL_PRUNE, &st, err);
    if (rc)
        return rc;
    db_bind_named_int64(st, ":before", c->now - 2 * (int64_t)window);
    if ((rc = db_step_done(db, st, err)))
        return rc;

    int refused = 0, busy = 0;
    for (int i = 0; i < c->n; i++) {
        int w = 0;
        if ((rc = key_wait(db, &c->keys[i], c->now, err, &w)))
            return rc;
        if (w < 0)
            busy = 1;
        else if (w > refused)
            refused = w;
    }
    c->wait = refused ? refused : busy ? -1 : 0;
    if (c->wait)
        return LS_OK;
    for (int i = 0; i < c->n; i++) {
        if ((rc = prepare(db, SQL_CLAIM, &st, err)))
            return rc;
        db_bind_named_text(st, ":key", c->keys[i].key);
        db_bind_named_int64(st, ":at", c->now);
        if ((rc = db_step_done(db, st, err)))
            return rc;
        c->keys[i].row = db_last_insert_id(db);
    }
    return LS_OK;
}

static uint64_t settled_so_far(void)
{
    pthread_mutex_lock(&settle_lock);
    uint64_t g = settle_gen;
    pthread_mutex_unlock(&settle_lock);
    return g;
}

/* Until a claim of this process settles after `seen`, POLL_MS, or the
 * deadline, whichever comes first. */
static void await_settle(uint64_t seen, const struct timespec *deadline)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    t.tv_nsec += POLL_MS * 1000000L;
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    if (t.tv_sec > deadline->tv_sec ||
        (t.tv_sec == deadline->tv_sec && t.tv_nsec > deadline->tv_nsec))
        t = *deadline;
    pthread_mutex_lock(&settle_lock);
    while (settle_gen == seen)
        if (pthread_cond_timedwait(&settle_cond, &settle_lock, &t) == ETIMEDOUT)
            break;
    pthread_mutex_unlock(&settle_lock);
}

int throttle_claim(struct db *db, struct throttle_claim *c, struct ls_err *err)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += PATIENCE_MS / 1000;
    for (;;) {
        uint64_t seen = settled_so_far();
        int rc = db_write(db, claim_txn, c, err);
        if (rc || c->wait >= 0)
            return rc;
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        if (now.tv_sec > deadline.tv_sec ||
            (now.tv_sec == deadline.tv_sec && now.tv_nsec >= deadline.tv_nsec)) {
            c->wait = 1;
            return LS_OK;
        }
        await_settle(seen, &deadline);
        c->now = tu_now();
    }
}

static int each_row(struct db *db, const struct throttle_claim *c, const char *sql,
                    struct ls_err *err)
{
    for (int i = 0; i < c->n; i++) {
        if (!c->keys[i].row)
            continue;
        struct db_stmt *st;
        int rc = prepare(db, sql, &st, err);
        if (rc)
            return rc;
        db_bind_named_int64(st, ":row", c->keys[i].row);
        if ((rc = db_step_done(db, st, err)))
            return rc;
    }
    return LS_OK;
}

int throttle_failed(struct db *db, const struct throttle_claim *c, struct ls_err *err)
{
    return each_row(db, c, SQL_SETTLE, err);
}

int throttle_release(struct db *db, const struct throttle_claim *c, struct ls_err *err)
{
    return each_row(db, c, SQL_RELEASE, err);
}

int throttle_forget(struct db *db, const char *key, struct ls_err *err)
{
    struct db_stmt *st;
    int rc = prepare(db, SQL_FORGET, &st, err);
    if (rc)
        return rc;
    db_bind_named_text(st, ":key", key);
    return db_step_done(db, st, err);
}

void throttle_settled(void)
{
    pthread_mutex_lock(&settle_lock);
    settle_gen++;
    pthread_cond_broadcast(&settle_cond);
    pthread_mutex_unlock(&settle_lock);
}

static int give_back_txn(struct db *db, void *ctx, struct ls_err *err)
{
    return throttle_release(db, ctx, err);
}

void throttle_give_back(struct db *db, const struct throttle_claim *c)
{
    struct ls_err ignore = {0};
    /* A failure here leaves the claim to go stale: it then counts as one
     * failure, the safe side. */
    db_write(db, give_back_txn, (void *)c, &ignore);
    throttle_settled();
}
