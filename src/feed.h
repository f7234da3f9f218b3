/* feed.h — iCalendar subscription feeds: tokens, permissions, content, cache.
 *
 * Domain code (no civetweb, no cJSON). A feed is a secret URL
 * /ical/<token>.ics for one scope: a resource, a lab, an organisation (the
 * bookings on its resources) or a user (that user's own bookings). Tokens
 * are 256-bit random hex; only their BLAKE2b hash is stored (feeds.token_hash),
 * so the URL is shown once, at creation. Revoking sets feeds.revoked.
 *
 * What a feed shows is decided when it is fetched, from its creator's
 * current role and organisation: staff and owners of the organisation that
 * owns the scope see every booker's name and purpose; other subscribers see
 * names only for their own bookings and their own organisation's, and
 * "Booked (<booker's organisation>)" for the rest. A deactivated creator's
 * feeds answer 404.
 *
 * Window: bookings that end after now − the feed's past_days (default
 * FEED_PAST_DAYS_DEFAULT); cancelled and declined ones, as STATUS:CANCELLED,
 * only until FEED_CANCELLED_DAYS after their cancellation or decline (so
 * calendar apps remove them). Resource and lab feeds also show the
 * blackouts in that window ("Unavailable"). Cut-offs move once a day.
 *
 * Generation is cheap for thousands of subscribers: each fetch runs one
 * aggregate query (count and sums of updated/sequence/id over the window plus
 * the catalogue's updated times) whose result, hashed with the visibility,
 * is the ETag. Conditional requests are answered from that alone; a changed
 * version re-renders once and the text is cached in memory per (scope,
 * scope id, window, visibility, language), with its gzip form made once
 * when a client first asks for it. A feed's Last-Modified never moves
 * backwards: each feed remembers the version it last answered. */
#ifndef LS_FEED_H
#define LS_FEED_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "auth.h"
#include "err.h"

struct db;

enum feed_scope { FEED_RESOURCE = 0, FEED_LAB, FEED_ORGANISATION, FEED_USER };

#define FEED_TOKEN_HEX 64          /* 256-bit token as lowercase hex */
#define FEED_PAST_DAYS_DEFAULT 180 /* bookings that ended up to 180 days ago … */
#define FEED_PAST_DAYS_DEFAULT_TEXT "180"
#define FEED_PAST_DAYS_MAX 3650 /* … or as the feed asks, 0 to 3650 */
#define FEED_CANCELLED_DAYS 30  /* cancelled bookings stay this long */
#define FEED_TOUCH_SECONDS 3600 /* last_used written at most this often */
#define FEED_MAX_PER_USER 200   /* live feeds per user */

const char *feed_scope_name(enum feed_scope s); /* "resource", … */
/* 0 and *out set, or -1 for an unknown scope word. */
int feed_scope_parse(const char *s, enum feed_scope *out);

struct feed {
    int64_t id;
    enum feed_scope scope;
    int64_t scope_id;
    int64_t user_id; /* creator */
    int64_t created;
    int64_t last_used;     /* 0 = never fetched */
    int past_days;         /* the window: events that ended up to this many days ago */
    const char *name;      /* the scope object's name (arena); "" if it is gone */
    char seen_etag[40];    /* the version last answered ("" = none) … */
    int64_t seen_modified; /* … and its Last-Modified */
};

/* Where the feed is published: UIDs use host, links use public_url. */
struct feed_site {
    const char *host;       /* "labshare.example.org" */
    const char *public_url; /* "https://labshare.example.org", no trailing slash */
};

/* Creates a feed for u. Permission: resource and lab, anyone signed in;
 * organisation, its owners and staff; user, only that user. LS_ENOTFOUND if
 * the scope object does not exist, LS_EFORBIDDEN if u may not subscribe to
 * it, LS_ETOOMANY past FEED_MAX_PER_USER live feeds, LS_EVALIDATION
 * ("past_days") outside 0..FEED_PAST_DAYS_MAX. On success token
 * (FEED_TOKEN_HEX + 1 bytes) holds the secret and *out_id the feed id. */
int feed_create(struct db *db, const struct user *u, enum feed_scope scope, int64_t scope_id,
                int past_days, int64_t now, char token[FEED_TOKEN_HEX + 1], int64_t *out_id,
                struct ls_err *err);

/* The live feeds of user_id, newest first, with names. *out is an arena
 * array of *n feeds; *total counts all live feeds. */
int feed_list(struct db *db, int64_t user_id, int64_t limit, int64_t offset, struct arena *a,
              struct feed **out, int *n, int64_t *total, struct ls_err *err);

/* Revokes a live feed of user_id. LS_ENOTFOUND if it is not theirs, does not
 * exist or is already revoked. */
int feed_revoke(struct db *db, int64_t user_id, int64_t feed_id, int64_t now, struct ls_err *err);

/* Who created live feed feed_id: LS_ENOTFOUND when there is none. */
int feed_owner(struct db *db, int64_t feed_id, int64_t *user_id, struct ls_err *err);

/* Resolves a URL token to its live feed. LS_ENOTFOUND for malformed,
 * unknown or revoked tokens. */
int feed_lookup(struct db *db, const char *token, struct arena *a, struct feed *out,
                struct ls_err *err);

/* Records a fetch: writes last_used only if it is older than
 * FEED_TOUCH_SECONDS, so polling does not turn every read into a write. */
void feed_touch(struct db *db, const struct feed *f, int64_t now);

/* A rendered (or only versioned) calendar. */
struct feed_doc {
    char key[80];          /* the rendered-body cache key (scope, window, visibility, language) */
    char etag[40];         /* strong ETag, quoted: "\"<32 hex>\"" */
    char etag_gz[44];      /* the gzip form's: "\"<32 hex>-gz\"" */
    int64_t last_modified; /* feed_get: newest change among the data shown; feed_fetch:
                              never earlier than an earlier version's */
    const char *body;      /* text/calendar, valid until the arena is released (lent by
                              the rendered-body cache); NULL unless asked for */
    size_t len;
    const char *gz; /* the body gzipped, lent like it; NULL unless FEED_WANT_GZIP */
    size_t gz_len;
};

/* What feed_get and feed_fetch are asked for besides the version. */
enum { FEED_WANT_BODY = 1, FEED_WANT_GZIP = 2 };

/* Versions, and with want (FEED_WANT_*) renders, the feed f for now. Answers
 * LS_ENOTFOUND when the creator was deactivated or removed. */
int feed_get(struct db *db, const struct feed *f, const struct feed_site *site, int64_t now,
             int want, struct arena *a, struct feed_doc *out, struct ls_err *err);

/* GET /ical/{token}.ics in one call: looks the token up, records the fetch
 * (feed_touch) and versions the feed (and renders it when want_body),
 * remembering the answer per token until the database generation or the
 * UTC day changes, so a subscriber's poll that finds nothing new costs no
 * query beyond db_generation(). LS_ENOTFOUND for unknown or revoked tokens. */
int feed_fetch(struct db *db, const char *token, const struct feed_site *site, int64_t now,
               int want, struct arena *a, struct feed_doc *out, struct ls_err *err);

/* A one-event file of booking_id for u (the booker, an owner of the
 * resource's organisation, or staff), with the feed's UID, METHOD:PUBLISH
 * and none of the feed's properties. LS_ENOTFOUND if there is no such
 * booking or u may not see it. */
int feed_booking_ics(struct db *db, const struct user *u, int64_t booking_id,
                     const struct feed_site *site, struct arena *a, struct feed_doc *out,
                     struct ls_err *err);

/* Counters of the rendered-feed cache, for tests and diagnostics. */
struct feed_cache_stats {
    uint64_t hits;    /* bodies served from the cache */
    uint64_t renders; /* bodies rendered */
    uint64_t bytes;   /* bodies and their gzip forms held now (within the cache's budget) */
};
void feed_cache_stats(struct feed_cache_stats *out);
void feed_cache_clear(void);

/* The SQL that reads a scope's events (version = 0) or versions them
 * (version = 1); static. For tests (EXPLAIN QUERY PLAN: a range of an
 * index, never the scope's whole past). */
const char *feed_events_sql(enum feed_scope scope, int version);

#endif
