/* throttle — limits on guesses (a sign-in's password, the current password
 * of a password change), exact under concurrency, across processes too.
 *
 * A password check (argon2) takes tens of milliseconds outside any
 * transaction, so "fewer than the limit?" and the record of the attempt must
 * be one write, or parallel attempts all pass the check before any records a
 * failure. So an attempt first *claims* a place among each key's failures
 * (throttle_claim), then checks the password, then settles the claim in the
 * transaction that records the outcome: throttle_failed() turns it into a
 * failure, throttle_release() takes it back (a success, or not a guess).
 *
 * A key whose settled failures reach its limit waits (its backoff); a key
 * that is over only because of unsettled claims of attempts still checking
 * is not refused: the attempt waits for them to settle and tries again, so
 * ten parallel right passwords all sign in while twelve parallel wrong ones
 * still check exactly five. A claim left unsettled for THROTTLE_STALE seconds
 * (its process died mid-check) counts as a failure. */
#ifndef LS_THROTTLE_H
#define LS_THROTTLE_H

#include <stdint.h>

#include "err.h"

struct db;

#define THROTTLE_STALE 60

enum throttle_backoff {
    /* After `free` failures: 30 s from the last failure, doubling for each
     * further failure, at most the window. */
    THROTTLE_DOUBLING,
    /* After `free` failures: until the oldest leaves the window (failures
     * are not recorded while the key waits, so it may then try once). */
    THROTTLE_SLIDING,
};

struct throttle_key {
    const char *key; /* e.g. "email:<address>", "ip:<address>"; borrowed */
    int free;        /* failures allowed within the window */
    int window;      /* seconds */
    enum throttle_backoff backoff;
    int64_t row; /* out: this attempt's claim */
};

#define THROTTLE_KEYS_MAX 4

struct throttle_claim {
    struct throttle_key keys[THROTTLE_KEYS_MAX];
    int n;
    int64_t now;
    int wait; /* out: seconds the caller must wait (429); 0 = claimed */
};

/* Claims a place for the attempt under every key, or sets c->wait. Waits
 * (a few seconds at most) while only unsettled claims stand in the way; a
 * claim still blocked then answers wait = 1. LS_OK or a database error. */
int throttle_claim(struct db *db, struct throttle_claim *c, struct ls_err *err);

/* Inside a db_write: the attempt failed; its claims become failures. */
int throttle_failed(struct db *db, const struct throttle_claim *c, struct ls_err *err);
/* Inside a db_write: the attempt does not count; its claims are taken back. */
int throttle_release(struct db *db, const struct throttle_claim *c, struct ls_err *err);
/* Inside a db_write: forgets a key's settled failures (a right password
 * forgives the account's earlier wrong ones); others' claims stay. */
int throttle_forget(struct db *db, const char *key, struct ls_err *err);

/* Outside a write: takes the claims back in a write of its own (the
 * attempt ended without a check: an error), then throttle_settled(). */
void throttle_give_back(struct db *db, const struct throttle_claim *c);

/* After the db_write that settled a claim has committed: wakes the attempts
 * of this process waiting on it (other processes notice by polling). */
void throttle_settled(void);

#endif
