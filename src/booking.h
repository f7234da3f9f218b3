/* booking.h — booking requests: the rules of API.md "Booking rules", the
 * state machine, recurring series, moves, no-shows and availability.
 *
 * States: a request is created `pending` (resource requires approval) or
 * `approved`; pending → approved (approve) or declined (decline); pending or
 * approved → cancelled (cancel). Declined and cancelled are final.
 *
 * Invariant: no two approved bookings of one resource overlap, and no
 * approved booking overlaps a blackout created before it. Every function
 * that can make a booking approved (create, approve, move) checks for
 * conflicts and writes inside one write transaction, so SQLite's single
 * writer serialises the check with the insert or update: two simultaneous
 * requests cannot both see "free". Simultaneous changes share a transaction
 * and its commit (db_write), each in its own savepoint: a refused
 * one leaves no trace, and none is answered before the commit is durable.
 *
 * Domain code (no civetweb, no cJSON). Strings in returned structs live in
 * the caller's arena. Every change bumps `updated` and `sequence` (feeds'
 * LAST-MODIFIED and SEQUENCE) and writes the audit log. */
#ifndef LS_BOOKING_H
#define LS_BOOKING_H

#include <stdint.h>

#include "arena.h"
#include "auth.h"
#include "err.h"
#include "price.h"

struct db;

#define BOOKING_MAX_OCCURRENCES 200 /* a recurring request's limit */
#define BOOKING_HORIZON_DAYS 731    /* "up to two years ahead" (a leap day included) */
#define BOOKING_AVAIL_MAX_DAYS 62   /* longest availability span */
#define BOOKING_PURPOSE_MAX 2000    /* characters */
#define BOOKING_REASON_MAX 2000     /* characters */
#define BOOKING_RRULE_MAX 512       /* bytes */
#define BOOKING_PROJECT_MAX 200     /* characters */
#define BOOKING_COST_CENTRE_MAX 100 /* characters */

enum booking_status {
    BOOKING_PENDING = 0,
    BOOKING_APPROVED = 1,
    BOOKING_DECLINED = 2,
    BOOKING_CANCELLED = 3,
};

const char *booking_status_name(enum booking_status s); /* "pending", … */
int booking_status_parse(const char *s);                /* enum value, or -1 */

struct booking {
    int64_t id;
    int64_t resource_id;
    int64_t user_id;         /* the booker */
    int64_t organisation_id; /* booker's organisation at booking time; 0 = guest */
    int64_t start, end;      /* half-open [start, end), seconds UTC */
    const char *purpose;     /* never NULL */
    enum booking_status status;
    int64_t created, updated;
    int64_t decided_by;   /* who approved or declined; 0 = nobody yet */
    const char *reason;   /* decline/cancel reason; NULL = none */
    int64_t series_id;    /* 0 = not recurring */
    int64_t sequence;     /* raised on every change */
    int no_show;          /* approved but not used */
    int64_t cancelled_at; /* 0 = not cancelled */
    const char *resource_name;
    const char *user_name;
    int64_t resource_organisation_id; /* the resource's owner organisation */
    /* Accounts and State aid (price.h, economic.h). */
    const char *project, *cost_centre; /* NULL = none */
    int economic;                      /* counts against a funded resource's cap */
    struct price price;                /* frozen when the booking was created; all zero (currency
                                          NULL) for bookings made before prices were kept */
    int64_t cancelled_by;              /* who cancelled it; 0 = nobody (yet) */
};

/* A list of bookings in the caller's arena. */
struct booking_set {
    int n;
    struct booking *items;
    int64_t total; /* lists: matches before paging */
};

/* Who acts, from where, and when ("now" is a parameter so tests can stand
 * at a fixed instant; the server passes tu_now()). */
struct booking_actor {
    const struct user *user;
    const char *ip; /* for the audit log; may be NULL */
    int64_t now;
};

struct booking_request {
    int64_t resource_id;
    int64_t start, end;
    const char *purpose;     /* NULL = "" */
    const char *rrule;       /* RFC 5545 RRULE value; NULL = a single booking */
    const char *project;     /* NULL = none */
    const char *cost_centre; /* NULL = none; required when the booker's organisation says so */
    int economic;            /* with has_economic: set by a manager of the resource */
    int has_economic;        /* 0 = the default (economic_default) */
    /* Staff go over a funded resource's State-aid cap (economic.h); audited
     * when used, ignored for anyone else (the API refuses it with 403). */
    int override_economic_cap;
};

/* Creates a booking, or one per occurrence of req->rrule in one new series,
 * all-or-nothing. Checks in this order: unknown resource (422 resource_id);
 * 403 for training, not shared to the booker's organisation, guests on
 * unshared resources, a customer class the price list gives no rate
 * (staff skip these), `economic` set by someone who does not manage the
 * resource; 422 cost_centre missing where the booker's organisation
 * requires it; 422 for end ≤ start, in the past, beyond two years,
 * shorter/longer than min/max, outside opening hours, off the slot grid, a
 * bad or too long rrule; 409 with conflicts/blackouts ids; 409
 * economic_cap when economic use would take a funded resource over its cap
 * (unless staff override). Each booking keeps its price (price.h).
 * Status is approved when the resource does not require approval, else
 * pending. On success *out holds the bookings in start order (one unless
 * recurring). */
int booking_create(struct booking_set *out, struct db *db, struct arena *a,
                   const struct booking_actor *who, const struct booking_request *req,
                   struct ls_err *err);

/* Expands an RRULE from a first booking [start, end) in site-local wall time
 * (a 10:00 weekly series stays 10:00 across DST). Fills starts/ends (room
 * for BOOKING_MAX_OCCURRENCES) and *n. 422 field "rrule" if the rule is
 * malformed, yields nothing, more than BOOKING_MAX_OCCURRENCES occurrences
 * or any occurrence starting after `horizon`, or names a local time that does
 * not exist or happens twice. */
int booking_expand_rrule(int64_t *starts, int64_t *ends, int *n, const char *rrule, int64_t start,
                         int64_t end, int64_t horizon, struct ls_err *err);

/* One booking, if the viewer may see it (booker, manager of the resource's
 * organisation, staff); else LS_ENOTFOUND. */
int booking_get(struct booking *out, struct db *db, struct arena *a, const struct user *viewer,
                int64_t id, struct ls_err *err);

/* Answers what a request on booking `id` would answer for permission alone:
 * 404 if the user cannot see it, 403 if `manage` and they see it but do not
 * manage its resource. Lets the HTTP layer keep API.md's precedence (404,
 * 403, then 422 for the body); the actions below check again in their
 * transaction. */
int booking_access(struct db *db, struct arena *a, const struct user *u, int64_t id, int manage,
                   struct ls_err *err);

enum {
    BOOKING_DECIDE_SERIES = 1,   /* the rest of the booking's series too */
    BOOKING_DECIDE_OVER_CAP = 2, /* staff approving: go over the State-aid cap */
};
/* pending → approved (approve) or declined, by a manager of the resource's
 * organisation or staff; with BOOKING_DECIDE_SERIES in flags, every pending occurrence of the
 * booking's series from it on, all or none. 404 not visible, 403 not a
 * manager, 422 (field "reason") a decline without a reason, 409 not
 * pending, 409 economic_cap when approving economic use would take a
 * funded resource over its State-aid cap (economic.h; every economic
 * occurrence decided together counts) unless staff pass
 * BOOKING_DECIDE_OVER_CAP (audited on each booking). Approving re-checks what the resource's owners
 * may have changed since the request — opening hours and slot grid (422), sharing (409), blackouts
 * and approved bookings (409 with every clash in conflicts and blackouts) — but not lengths or
 * training, which apply to new requests only. The booker is told once for all. *out lists the
 * bookings decided, the named one first. */
int booking_decide(struct booking_set *out, struct db *db, struct arena *a,
                   const struct booking_actor *who, int64_t id, int approve, const char *reason,
                   unsigned flags, struct ls_err *err);
/* booking_decide for one booking. */
int booking_approve(struct booking *out, struct db *db, struct arena *a,
                    const struct booking_actor *who, int64_t id, struct ls_err *err);
int booking_decline(struct booking *out, struct db *db, struct arena *a,
                    const struct booking_actor *who, int64_t id, const char *reason,
                    struct ls_err *err);

/* Inside the caller's write (a change of the booking's resource that it no
 * longer fits: catalogue_effects): a pending or approved booking becomes
 * cancelled with `reason`, decided_by the actor; the booker is told (with an
 * iTIP CANCEL where an invitation had gone out). A booking no longer live
 * is left alone. */
int booking_cancel_for_change(struct db *db, const struct booking_actor *who, int64_t id,
                              const char *reason, struct ls_err *err);

/* pending/approved → cancelled by the booker, a manager or staff. With
 * following != 0 and a recurring booking, every later pending/approved
 * occurrence of its series is cancelled too. *out lists what was cancelled,
 * the named booking first. 409 if the named booking is not pending/approved. */
int booking_cancel(struct booking_set *out, struct db *db, struct arena *a,
                   const struct booking_actor *who, int64_t id, const char *reason, int following,
                   struct ls_err *err);

struct booking_change {
    int has_start, has_end, has_purpose;
    int64_t start, end;
    const char *purpose;
    int override_cap; /* staff: an approved economic booking may go over the State-aid cap */
};

/* Moves (and/or re-describes) a pending or approved booking; the booker, a
 * manager or staff. New times go through every rule of creation again —
 * the booker's sharing and training (403), the time rules (422), conflicts
 * (409), the State-aid cap for an economic booking that stays approved
 * (409 economic_cap unless staff override) — and an approved booking on an
 * approval-required resource goes back to pending when someone who does
 * not manage the resource moves it.
 * Every change raises its sequence. */
int booking_move(struct booking *out, struct db *db, struct arena *a,
                 const struct booking_actor *who, int64_t id, const struct booking_change *c,
                 struct ls_err *err);

/* Marks (or unmarks) an approved booking as not used, after its end;
 * managers and staff only. 409 if not approved or not over yet. */
int booking_set_no_show(struct booking *out, struct db *db, struct arena *a,
                        const struct booking_actor *who, int64_t id, int no_show,
                        struct ls_err *err);

/* SQL: the longest booking's length, any status, read in O(log n) from
 * bookings_length (approved) and bookings_length_other (the rest). A
 * booking that ends after T starts after T minus it, so "end > T" becomes a
 * range on start for indexes that lead with it (lists, availability, feeds).
 * Refers to the table as `bookings`, unaliased. */
#define BOOKING_SQL_LONGEST_APPROVED                                                               \
    "coalesce((SELECT max(end - start) FROM bookings WHERE status = 'approved'), 0)"
#define BOOKING_SQL_LONGEST_OTHER                                                                  \
    "coalesce((SELECT max(end - start) FROM bookings WHERE status != 'approved'), 0)"
#define BOOKING_SQL_LONGEST "max(" BOOKING_SQL_LONGEST_APPROVED ", " BOOKING_SQL_LONGEST_OTHER ")"

#define BOOKING_LIST_MAX 500       /* items a page */
#define BOOKING_LIST_CACHED_SQL 48 /* filter combinations kept prepared (see booking.c) */

/* Sets a pending or approved booking's `economic` flag; the resource's
 * managers and staff only (404 not visible, 403 not a manager, 409 in
 * another state). Turning it on for an approved booking goes through the
 * State-aid cap guard (409 economic_cap unless staff override). Audited. */
int booking_set_economic(struct booking *out, struct db *db, struct arena *a,
                         const struct booking_actor *who, int64_t id, int economic,
                         int override_cap, struct ls_err *err);

struct booking_filter {
    int64_t resource_id, lab_id, series_id; /* 0 = any */
    int64_t organisation_id;                /* of the resource (API v1.1); 0 = any */
    int64_t booker_organisation_id;         /* the booker's at booking time; 0 = any */
    int64_t user_id;                        /* the booker; 0 = any */
    int64_t from, to;                       /* overlap [from, to); 0 = open */
    int status;                             /* -1 = any */
    int mine;                               /* only the viewer's own */
    int decidable;         /* only those the viewer may approve or decline now: pending, on
                              resources the viewer manages */
    int desc;              /* newest first */
    int64_t limit, offset; /* limit 1..BOOKING_LIST_MAX (0 = 50) */
};

/* The bookings the viewer may see (own; owners also those on their
 * organisation's resources; staff all) matching f, ordered by start (and
 * id), reversed with f->desc; out->total counts every match. 422 "to" when
 * to ≤ from. No longest span (API.md sets none): a list with `from`
 * alone covers as much, so a cap on [from, to) would bound nothing.
 *
 * Cost: [from, to) is a range of an index chosen for the filters (EXPLAIN
 * QUERY PLAN is tested per combination), so the answer does not grow with
 * the bookings outside it; the page is one query, and the total a second,
 * index-only one only when the page does not show it (a full page, or an
 * offset past the end). booking_list_sql() shows the SQL of a combination. */
int booking_list(struct booking_set *out, struct db *db, struct arena *a, const struct user *viewer,
                 const struct booking_filter *f, struct ls_err *err);

/* booking_list without the copies: calls each(b, ctx) for every booking of
 * the page in order, then sets *total. b and its strings are borrowed for
 * the call only (they point into SQLite's row). For answers written as they
 * are read. */
typedef void (*booking_each_fn)(const struct booking *b, void *ctx);
int booking_list_each(struct db *db, struct arena *a, const struct user *viewer,
                      const struct booking_filter *f, booking_each_fn each, void *ctx,
                      int64_t *total, struct ls_err *err);

/* The SQL booking_list would run for viewer and f: the page's (count = 0)
 * or the total's (count = 1), or NULL when the answer is known to be empty
 * without a query. Borrowed: lives as long as the process, or in `a`. For
 * tests (EXPLAIN QUERY PLAN of every combination) and benchmarks. */
const char *booking_list_sql(struct arena *a, const struct user *viewer,
                             const struct booking_filter *f, int count);

struct booking_span {
    int64_t start, end;
};
struct booking_busy {
    int64_t start, end;
    enum booking_status status; /* pending or approved */
    int mine;
    int64_t booking_id; /* 0 unless mine or the viewer manages the resource */
};
struct booking_blackout {
    int64_t id, start, end;
    const char *reason;
};
struct booking_availability {
    int64_t resource_id, from, to;
    int nopen, nbusy, nblackouts;
    struct booking_span *open; /* opening hours laid out in [from, to), clipped */
    struct booking_busy *busy; /* pending/approved bookings overlapping [from, to) */
    struct booking_blackout *blackouts;
};

/* The week-view data of one resource. 404 unknown resource; 422 ("to") if
 * to ≤ from or the span exceeds BOOKING_AVAIL_MAX_DAYS. */
int booking_availability(struct booking_availability *out, struct db *db, struct arena *a,
                         const struct user *viewer, int64_t resource_id, int64_t from, int64_t to,
                         struct ls_err *err);

#endif
