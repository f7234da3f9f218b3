/* feed.c — see feed.h. */
#include "feed.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <zlib.h>

#include "booking.h"
#include "db.h"
#include "ical.h"

/* ------------------------------------------------------------------ */
/* SQL                                                                  */

static const char SQL_FEED_INSERT[] =
    "INSERT INTO feeds(token_hash, scope, scope_id, user_id, created, past_days)"
    " VALUES (:hash, :scope, :scope_id, :user_id, :now, :past_days)";
static const char SQL_FEED_COUNT_LIVE[] =
    "SELECT count(*) FROM feeds WHERE user_id = ?1 AND revoked IS NULL";
static const char SQL_FEED_BY_TOKEN[] =
    "SELECT id, scope, scope_id, user_id, created, coalesce(last_used, 0), past_days,"
    "       coalesce(seen_etag, ''), coalesce(seen_modified, 0) FROM feeds"
    " WHERE token_hash = ?1 AND revoked IS NULL";
static const char SQL_FEED_SEEN[] =
    "UPDATE feeds SET seen_etag = :etag, seen_modified = max(coalesce(seen_modified, 0), :lm)"
    " WHERE id = :id";
static const char SQL_FEED_REVOKE[] =
    "UPDATE feeds SET revoked = ?3 WHERE id = ?1 AND user_id = ?2 AND revoked IS NULL";
static const char SQL_FEED_TOUCH[] =
    "UPDATE feeds SET last_used = ?2 WHERE id = ?1 AND (last_used IS NULL OR last_used <= ?3)";
static const char SQL_FEED_LIST[] =
    "SELECT f.id, f.scope, f.scope_id, f.user_id, f.created, coalesce(f.last_used, 0),"
    "       f.past_days, '', 0, coalesce(CASE f.scope"
    "         WHEN 'resource' THEN (SELECT name FROM resources WHERE id = f.scope_id)"
    "         WHEN 'lab' THEN (SELECT name FROM labs WHERE id = f.scope_id)"
    "         WHEN 'organisation' THEN (SELECT name FROM organisations WHERE id = f.scope_id)"
    "         WHEN 'user' THEN (SELECT name FROM users WHERE id = f.scope_id) END, '')"
    " FROM feeds f WHERE f.user_id = ?1 AND f.revoked IS NULL ORDER BY f.id DESC"
    " LIMIT ?2 OFFSET ?3";

/* The scope object: its name, newest catalogue change, owning organisation. */
static const char SQL_SCOPE_RESOURCE[] =
    "SELECT r.name, max(r.updated, l.updated), l.organisation_id"
    " FROM resources r JOIN labs l ON l.id = r.lab_id WHERE r.id = ?1";
static const char SQL_SCOPE_LAB[] = "SELECT name, updated, organisation_id FROM labs WHERE id = ?1";
static const char SQL_SCOPE_ORGANISATION[] =
    "SELECT name, updated, id FROM organisations WHERE id = ?1";
static const char SQL_SCOPE_USER[] =
    "SELECT name, updated, coalesce(organisation_id, 0) FROM users WHERE id = ?1";
static const char *const SQL_SCOPE[] = {SQL_SCOPE_RESOURCE, SQL_SCOPE_LAB, SQL_SCOPE_ORGANISATION,
                                        SQL_SCOPE_USER};

/* Every query over a scope's bookings uses the same joins and window; the
 * scope filter is chosen so that an index on bookings serves it, and the
 * window's end cut-off bounds start too (BOOKING_SQL_LONGEST), so a feed
 * reads a range of the scope's (resource_id, start) or (user_id, start)
 * index, not its whole past (50 years of history: 45 → 1 ms a render). ?2 =
 * end cut-off, ?3 = cancellation (or decline) cut-off. */
#define EVENTS_FROM                                                                                \
    " FROM bookings b JOIN resources r ON r.id = b.resource_id JOIN labs l ON l.id = r.lab_id"     \
    " JOIN users u ON u.id = b.user_id LEFT JOIN organisations bo ON bo.id = b.organisation_id"
#define EVENTS_WINDOW                                                                              \
    " AND b.end > ?2 AND b.start > ?2 - " BOOKING_SQL_LONGEST                                      \
    " AND (b.status IN ('pending', 'approved') OR coalesce(b.cancelled_at, b.updated) >= ?3)"
#define WHERE_RESOURCE " WHERE b.resource_id = ?1"
#define WHERE_LAB " WHERE b.resource_id IN (SELECT id FROM resources WHERE lab_id = ?1)"
#define WHERE_ORGANISATION                                                                         \
    " WHERE b.resource_id IN (SELECT r2.id FROM resources r2 JOIN labs l2 ON l2.id = r2.lab_id"    \
    " WHERE l2.organisation_id = ?1)"
#define WHERE_USER " WHERE b.user_id = ?1"

#define EVENTS_SELECT                                                                              \
    "SELECT b.id, b.start, b.end, b.created, b.updated, b.sequence, b.status, b.purpose,"          \
    "       b.user_id, coalesce(b.organisation_id, 0), u.name, coalesce(bo.name, ''),"             \
    "       coalesce(bo.short_name, ''), r.id, r.name, l.name, coalesce(l.building, ''),"          \
    "       coalesce(l.address, ''), coalesce(l.city, ''), b.no_show, l.organisation_id,"          \
    "       max(b.updated, r.updated, l.updated, u.updated, coalesce(bo.updated, 0))"
#define EVENTS_ORDER " ORDER BY b.start, b.id"

static const char SQL_EVENTS_RESOURCE[] =
    EVENTS_SELECT EVENTS_FROM WHERE_RESOURCE EVENTS_WINDOW EVENTS_ORDER;
static const char SQL_EVENTS_LAB[] = EVENTS_SELECT EVENTS_FROM WHERE_LAB EVENTS_WINDOW EVENTS_ORDER;
static const char SQL_EVENTS_ORGANISATION[] =
    EVENTS_SELECT EVENTS_FROM WHERE_ORGANISATION EVENTS_WINDOW EVENTS_ORDER;
static const char SQL_EVENTS_USER[] =
    EVENTS_SELECT EVENTS_FROM WHERE_USER EVENTS_WINDOW EVENTS_ORDER;
static const char *const SQL_EVENTS[] = {SQL_EVENTS_RESOURCE, SQL_EVENTS_LAB,
                                         SQL_EVENTS_ORGANISATION, SQL_EVENTS_USER};
static const char SQL_EVENT_ONE[] = EVENTS_SELECT EVENTS_FROM " WHERE b.id = ?1";

/* The data version: a booking that changes bumps its updated and sequence,
 * one that enters or leaves the window changes the count and the sums, and
 * renamed catalogue rows or bookers raise the max of their updated. */
#define VERSION_SELECT                                                                             \
    "SELECT count(*), total(b.updated), total(b.sequence), total(b.id),"                           \
    "       coalesce(max(b.updated), 0),"                                                          \
    "       coalesce(max(max(r.updated), max(l.updated), max(u.updated),"                          \
    "                    coalesce(max(bo.updated), 0)), 0)"

static const char SQL_VERSION_RESOURCE[] = VERSION_SELECT EVENTS_FROM WHERE_RESOURCE EVENTS_WINDOW;
static const char SQL_VERSION_LAB[] = VERSION_SELECT EVENTS_FROM WHERE_LAB EVENTS_WINDOW;
static const char SQL_VERSION_ORGANISATION[] =
    VERSION_SELECT EVENTS_FROM WHERE_ORGANISATION EVENTS_WINDOW;
static const char SQL_VERSION_USER[] = VERSION_SELECT EVENTS_FROM WHERE_USER EVENTS_WINDOW;
static const char *const SQL_VERSION[] = {SQL_VERSION_RESOURCE, SQL_VERSION_LAB,
                                          SQL_VERSION_ORGANISATION, SQL_VERSION_USER};

const char *feed_events_sql(enum feed_scope scope, int version)
{
    return version ? SQL_VERSION[scope] : SQL_EVENTS[scope];
}

/* Resource and lab feeds show the blackouts in their window, with the
 * newest change of what the event shows (the resource's and lab's names). */
#define BLACKOUTS_FROM                                                                             \
    " FROM blackouts x JOIN resources r ON r.id = x.resource_id JOIN labs l ON l.id = r.lab_id"
#define BLACKOUTS_SELECT                                                                           \
    "SELECT x.id, x.start, x.end, x.created, max(x.created, r.updated, l.updated), x.reason,"      \
    "       r.id, r.name, l.name, coalesce(l.building, ''), coalesce(l.address, ''),"              \
    "       coalesce(l.city, '')"
#define BLACKOUTS_VERSION                                                                          \
    "SELECT count(*), total(x.id), total(x.start), coalesce(max(max(x.created, r.updated,"         \
    "       l.updated)), 0)"
#define BLACKOUTS_RESOURCE " WHERE x.resource_id = ?1 AND x.end > ?2"
#define BLACKOUTS_LAB                                                                              \
    " WHERE x.resource_id IN (SELECT id FROM resources WHERE lab_id = ?1) AND x.end > ?2"
static const char SQL_BLACKOUTS_RESOURCE[] =
    BLACKOUTS_SELECT BLACKOUTS_FROM BLACKOUTS_RESOURCE " ORDER BY x.start, x.id";
static const char SQL_BLACKOUTS_LAB[] =
    BLACKOUTS_SELECT BLACKOUTS_FROM BLACKOUTS_LAB " ORDER BY x.start, x.id";
static const char SQL_BLACKOUTS_VERSION_RESOURCE[] =
    BLACKOUTS_VERSION BLACKOUTS_FROM BLACKOUTS_RESOURCE;
static const char SQL_BLACKOUTS_VERSION_LAB[] = BLACKOUTS_VERSION BLACKOUTS_FROM BLACKOUTS_LAB;

/* ------------------------------------------------------------------ */
/* Scopes                                                               */

static const char *const SCOPES[] = {"resource", "lab", "organisation", "user"};

const char *feed_scope_name(enum feed_scope s)
{
    return (unsigned)s < 4 ? SCOPES[s] : "";
}

int feed_scope_parse(const char *s, enum feed_scope *out)
{
    for (int i = 0; s && i < 4; i++)
        if (strcmp(s, SCOPES[i]) == 0) {
            *out = (enum feed_scope)i;
            return 0;
        }
    return -1;
}

struct scope_info {
    const char *name;
    int64_t updated;
    int64_t org_id; /* owning organisation; for a user scope, the user's */
};

/* 404 naming what the scope's id should have named. */
static int no_scope(enum feed_scope scope, struct ls_err *err)
{
    switch (scope) {
    case FEED_RESOURCE:
        return ls_err_set(err, LS_ENOTFOUND, "id", "no such resource");
    case FEED_LAB:
        return ls_err_set(err, LS_ENOTFOUND, "id", "no such lab");
    case FEED_ORGANISATION:
        return ls_err_set(err, LS_ENOTFOUND, "id", "no such organisation");
    case FEED_USER:
        break;
    }
    return ls_err_set(err, LS_ENOTFOUND, "id", "no such user");
}

static int scope_load(struct db *db, enum feed_scope scope, int64_t id, struct arena *a,
                      struct scope_info *out, struct ls_err *err)
{
    struct db_stmt *st = db_stmt(db, SQL_SCOPE[scope]);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    db_bind_int64(st, 1, id);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        out->name = arena_strdup(a, (const char *)db_column_text(st, 0));
        out->updated = db_column_int64(st, 1);
        out->org_id = db_column_int64(st, 2);
    }
    db_reset(st);
    if (rc == DB_DONE)
        return no_scope(scope, err);
    if (rc != DB_ROW)
        return db_fail(db, rc, err);
    return LS_OK;
}

/* ------------------------------------------------------------------ */
/* Tokens                                                               */

struct create_job {
    const struct user *u;
    enum feed_scope scope;
    int64_t scope_id;
    int past_days;
    int64_t now;
    char *token;
    int64_t id;
};

/* The count and the insert in one transaction, so two requests at once
 * cannot both pass the limit with one slot left. */
static int create_txn(struct db *db, void *ctx, struct ls_err *err)
{
    struct create_job *j = ctx;
    struct db_stmt *st = db_stmt(db, SQL_FEED_COUNT_LIVE);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    db_bind_int64(st, 1, j->u->id);
    int64_t live = db_step(st) == DB_ROW ? db_column_int64(st, 0) : 0;
    db_reset(st);
    if (live >= FEED_MAX_PER_USER)
        return ls_err_set(err, LS_ETOOMANY, NULL,
                          "you have %d calendar links; revoke some before creating more",
                          FEED_MAX_PER_USER);
    auth_random_hex(j->token, FEED_TOKEN_HEX / 2);
    unsigned char h[32];
    auth_token_hash(h, j->token);
    st = db_stmt(db, SQL_FEED_INSERT);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    db_bind_blob(st, db_bind_parameter_index(st, ":hash"), h, sizeof h, DB_TRANSIENT);
    db_bind_named_text(st, ":scope", feed_scope_name(j->scope));
    db_bind_named_int64(st, ":scope_id", j->scope_id);
    db_bind_named_int64(st, ":user_id", j->u->id);
    db_bind_named_int64(st, ":now", j->now);
    db_bind_named_int64(st, ":past_days", j->past_days);
    int rc = db_step_done(db, st, err);
    if (!rc)
        j->id = db_last_insert_id(db);
    return rc;
}

int feed_create(struct db *db, const struct user *u, enum feed_scope scope, int64_t scope_id,
                int past_days, int64_t now, char token[FEED_TOKEN_HEX + 1], int64_t *out_id,
                struct ls_err *err)
{
    if (past_days < 0 || past_days > FEED_PAST_DAYS_MAX)
        return ls_err_set(err, LS_EVALIDATION, "past_days",
                          "{field} must be between %.10g and %.10g", 0.0,
                          (double)FEED_PAST_DAYS_MAX);
    struct arena a = {0};
    struct scope_info info;
    int rc = scope_load(db, scope, scope_id, &a, &info, err);
    arena_release(&a);
    if (rc)
        return rc;
    if (scope == FEED_ORGANISATION && !authz_manages_org(u, scope_id))
        return ls_err_set(err, LS_EFORBIDDEN, "id",
                          "only the organisation's owners and staff may subscribe to it");
    if (scope == FEED_USER && scope_id != u->id)
        return ls_err_set(err, LS_EFORBIDDEN, "id", "a user feed is only for your own bookings");
    struct create_job j = {u, scope, scope_id, past_days, now, token, 0};
    if ((rc = db_write(db, create_txn, &j, err)))
        return rc;
    if (out_id)
        *out_id = j.id;
    return LS_OK;
}

static void read_feed(struct db_stmt *st, struct feed *f)
{
    f->id = db_column_int64(st, 0);
    if (feed_scope_parse((const char *)db_column_text(st, 1), &f->scope) != 0)
        f->scope = FEED_RESOURCE; /* the schema's CHECK makes this unreachable */
    f->scope_id = db_column_int64(st, 2);
    f->user_id = db_column_int64(st, 3);
    f->created = db_column_int64(st, 4);
    f->last_used = db_column_int64(st, 5);
    f->past_days = db_column_int(st, 6);
    snprintf(f->seen_etag, sizeof f->seen_etag, "%s", (const char *)db_column_text(st, 7));
    f->seen_modified = db_column_int64(st, 8);
}

int feed_list(struct db *db, int64_t user_id, int64_t limit, int64_t offset, struct arena *a,
              struct feed **out, int *n, int64_t *total, struct ls_err *err)
{
    *n = 0;
    *out = arena_alloc(a, sizeof **out * (size_t)(limit > 0 ? limit : 1));
    struct db_stmt *st = db_stmt(db, SQL_FEED_COUNT_LIVE);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    db_bind_int64(st, 1, user_id);
    *total = db_step(st) == DB_ROW ? db_column_int64(st, 0) : 0;
    db_reset(st);
    st = db_stmt(db, SQL_FEED_LIST);
    db_bind_int64(st, 1, user_id);
    db_bind_int64(st, 2, limit);
    db_bind_int64(st, 3, offset);
    int rc;
    while ((rc = db_step(st)) == DB_ROW && *n < limit) {
        struct feed *f = &(*out)[(*n)++];
        read_feed(st, f);
        f->name = arena_strdup(a, (const char *)db_column_text(st, 9));
    }
    db_reset(st);
    if (rc != DB_DONE && rc != DB_ROW)
        return db_fail(db, rc, err);
    return LS_OK;
}

struct revoke_job {
    int64_t user_id, feed_id, now;
};

static int revoke_txn(struct db *db, void *ctx, struct ls_err *err)
{
    struct revoke_job *j = ctx;
    struct db_stmt *st = db_stmt(db, SQL_FEED_REVOKE);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    db_bind_int64(st, 1, j->feed_id);
    db_bind_int64(st, 2, j->user_id);
    db_bind_int64(st, 3, j->now);
    int rc = db_step_done(db, st, err);
    if (!rc && db_changes(db) == 0)
        rc = ls_err_set(err, LS_ENOTFOUND, NULL, "no such feed");
    return rc;
}

static const char SQL_FEED_OWNER[] = "SELECT user_id FROM feeds WHERE id = :id AND revoked IS NULL";

int feed_owner(struct db *db, int64_t feed_id, int64_t *user_id, struct ls_err *err)
{
    struct db_stmt *st = db_stmt(db, SQL_FEED_OWNER);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    db_bind_int64(st, db_bind_parameter_index(st, ":id"), feed_id);
    int rc = db_step(st);
    if (rc == DB_ROW)
        *user_id = db_column_int64(st, 0);
    db_reset(st);
    if (rc == DB_DONE)
        return ls_err_set(err, LS_ENOTFOUND, NULL, "no such feed");
    return rc == DB_ROW ? LS_OK : db_fail(db, rc, err);
}

int feed_revoke(struct db *db, int64_t user_id, int64_t feed_id, int64_t now, struct ls_err *err)
{
    struct revoke_job j = {user_id, feed_id, now};
    return db_write(db, revoke_txn, &j, err);
}

static int token_ok(const char *t)
{
    if (!t || strlen(t) != FEED_TOKEN_HEX)
        return 0;
    for (const char *p = t; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return 0;
    return 1;
}

int feed_lookup(struct db *db, const char *token, struct arena *a, struct feed *out,
                struct ls_err *err)
{
    (void)a;
    if (!token_ok(token))
        return ls_err_set(err, LS_ENOTFOUND, NULL, "no such feed");
    unsigned char h[32];
    auth_token_hash(h, token);
    struct db_stmt *st = db_stmt(db, SQL_FEED_BY_TOKEN);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    db_bind_blob(st, 1, h, sizeof h, DB_TRANSIENT);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        read_feed(st, out);
        out->name = "";
    }
    db_reset(st);
    if (rc == DB_DONE)
        return ls_err_set(err, LS_ENOTFOUND, NULL, "no such feed");
    if (rc != DB_ROW)
        return db_fail(db, rc, err);
    return LS_OK;
}

struct touch_job {
    const struct feed *f;
    int64_t now;
};

static int touch_txn(struct db *db, void *ctx, struct ls_err *err)
{
    struct touch_job *j = ctx;
    struct db_stmt *st = db_stmt(db, SQL_FEED_TOUCH);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    db_bind_int64(st, 1, j->f->id);
    db_bind_int64(st, 2, j->now);
    db_bind_int64(st, 3, j->now - FEED_TOUCH_SECONDS);
    return db_step_done(db, st, err);
}

void feed_touch(struct db *db, const struct feed *f, int64_t now)
{
    if (f->last_used && now - f->last_used < FEED_TOUCH_SECONDS)
        return;
    struct touch_job j = {f, now};
    struct ls_err ignore = {0};
    db_write(db, touch_txn, &j, &ignore); /* a busy database only delays the bookkeeping */
}

/* ------------------------------------------------------------------ */
/* Texts                                                                */

struct texts {
    const char *booked, *guest, *by, *member_of, *purpose, *status;
    const char *st_pending, *st_approved, *st_cancelled, *st_declined, *no_show;
    const char *unavailable, *reason;
};

static const struct texts TEXTS_EN = {
    .booked = "Booked",
    .guest = "guest",
    .by = "Booked by",
    .member_of = "a member of ",
    .purpose = "Purpose",
    .status = "Status",
    .st_pending = "pending approval",
    .st_approved = "approved",
    .st_cancelled = "cancelled",
    .st_declined = "declined",
    .no_show = "Not used (no-show)",
    .unavailable = "Unavailable",
    .reason = "Reason",
};
static const struct texts TEXTS_PL = {
    .booked = "Zarezerwowane",
    .guest = "gość",
    .by = "Rezerwuje",
    .member_of = "osoba z: ",
    .purpose = "Cel",
    .status = "Status",
    .st_pending = "oczekuje na akceptację",
    .st_approved = "zaakceptowana",
    .st_cancelled = "anulowana",
    .st_declined = "odrzucona",
    .no_show = "Niewykorzystana (nieobecność)",
    .unavailable = "Niedostępne",
    .reason = "Powód",
};

static const struct texts *texts_for(const char *lang)
{
    return lang && strcmp(lang, "pl") == 0 ? &TEXTS_PL : &TEXTS_EN;
}

struct row {
    int64_t id, start, end, created, updated;
    int sequence;
    const char *status, *purpose;
    int64_t user_id, org_id;
    const char *user_name, *org_name, *org_short;
    int64_t resource_id;
    const char *resource, *lab, *building, *address, *city;
    int no_show;
    int64_t owner_org;
    int64_t shown_updated; /* the newest change of anything the event shows */
};

static const char *col(struct db_stmt *st, int i, struct arena *a)
{
    const unsigned char *s = db_column_text(st, i);
    return arena_strndup(a, s ? (const char *)s : "", (size_t)db_column_bytes(st, i));
}

static void read_row(struct db_stmt *st, struct arena *a, struct row *r)
{
    r->id = db_column_int64(st, 0);
    r->start = db_column_int64(st, 1);
    r->end = db_column_int64(st, 2);
    r->created = db_column_int64(st, 3);
    r->updated = db_column_int64(st, 4);
    r->sequence = db_column_int(st, 5);
    r->status = col(st, 6, a);
    r->purpose = col(st, 7, a);
    r->user_id = db_column_int64(st, 8);
    r->org_id = db_column_int64(st, 9);
    r->user_name = col(st, 10, a);
    r->org_name = col(st, 11, a);
    r->org_short = col(st, 12, a);
    r->resource_id = db_column_int64(st, 13);
    r->resource = col(st, 14, a);
    r->lab = col(st, 15, a);
    r->building = col(st, 16, a);
    r->address = col(st, 17, a);
    r->city = col(st, 18, a);
    r->no_show = db_column_int(st, 19);
    r->owner_org = db_column_int64(st, 20);
    r->shown_updated = db_column_int64(st, 21);
}

/* The strings up to a NULL, joined, in the arena. A feed composes some
 * ten strings per event: printf's format parsing cost more than the
 * copying. */
static const char *cat(struct arena *a, ...)
{
    va_list ap;
    size_t n = 0;
    va_start(ap, a);
    for (const char *p; (p = va_arg(ap, const char *));)
        n += strlen(p);
    va_end(ap);
    char *out = arena_alloc(a, n + 1), *w = out;
    va_start(ap, a);
    for (const char *p; (p = va_arg(ap, const char *));) {
        size_t k = strlen(p);
        memcpy(w, p, k);
        w += k;
    }
    va_end(ap);
    *w = '\0';
    return out;
}

/* "a, b, c" of the non-empty parts. */
static const char *join_parts(struct arena *a, const char *const *parts, int n)
{
    const char *s = "";
    for (int i = 0; i < n; i++)
        if (parts[i] && *parts[i])
            s = *s ? cat(a, s, ", ", parts[i], NULL) : parts[i];
    return s;
}

static const char *link_to(struct arena *a, const struct feed_site *site, const char *what,
                           int64_t id)
{
    char num[24];
    snprintf(num, sizeof num, "%lld", (long long)id);
    return cat(a, site->public_url, "/#/", what, "/", num, NULL);
}

/* Fills ev from row r. show: whether the booker's name and purpose may be
 * shown; own: the subscriber's own calendar (the name would be noise). */
static void compose(struct ical_event *ev, const struct row *r, int show, int own,
                    const struct texts *tx, const struct feed_site *site, struct arena *a)
{
    int status = ical_status_of(r->status);
    memset(ev, 0, sizeof *ev);
    ev->id = r->id;
    ev->start = r->start;
    ev->end = r->end;
    ev->created = r->created;
    ev->updated = r->shown_updated > r->updated ? r->shown_updated : r->updated;
    ev->sequence = r->sequence;
    ev->status = status < 0 ? ICAL_CANCELLED : (enum ical_status)status;

    const char *org = *r->org_short ? r->org_short : *r->org_name ? r->org_name : tx->guest;
    const char *org_long = *r->org_name ? r->org_name : tx->guest;
    const char *st_text = ev->status == ICAL_TENTATIVE         ? tx->st_pending
                          : ev->status == ICAL_CONFIRMED       ? tx->st_approved
                          : strcmp(r->status, "declined") == 0 ? tx->st_declined
                                                               : tx->st_cancelled;
    const char *desc;
    if (show) {
        const char *who = cat(a, r->user_name, " (", org_long, ")", NULL);
        if (own)
            ev->summary = *r->purpose ? cat(a, r->resource, " — ", r->purpose, NULL) : r->resource;
        else
            ev->summary = *r->purpose
                              ? cat(a, r->resource, " — ", r->user_name, ": ", r->purpose, NULL)
                              : cat(a, r->resource, " — ", r->user_name, NULL);
        desc = cat(a, tx->by, ": ", who, "\n", tx->status, ": ", st_text, NULL);
        if (*r->purpose)
            desc = cat(a, desc, "\n", tx->purpose, ": ", r->purpose, NULL);
        ev->url = link_to(a, site, "bookings", r->id);
    } else {
        ev->summary = cat(a, r->resource, " — ", tx->booked, " (", org, ")", NULL);
        desc = cat(a, tx->by, ": ",
                   *r->org_name ? cat(a, tx->member_of, r->org_name, NULL) : tx->guest, "\n",
                   tx->status, ": ", st_text, NULL);
        /* The booking itself is not theirs to open; the resource is. */
        ev->url = link_to(a, site, "resources", r->resource_id);
    }
    if (r->no_show && ev->status == ICAL_CONFIRMED)
        desc = cat(a, desc, "\n", tx->no_show, NULL);
    ev->description = desc;
    const char *parts[] = {r->lab, r->building, r->address, r->city};
    ev->location = join_parts(a, parts, 4);
}

/* A blackout of a resource or lab feed. */
struct blackout_row {
    int64_t id, start, end, created, shown_updated, resource_id;
    const char *reason, *resource, *lab, *building, *address, *city;
};

static void read_blackout(struct db_stmt *st, struct arena *a, struct blackout_row *x)
{
    x->id = db_column_int64(st, 0);
    x->start = db_column_int64(st, 1);
    x->end = db_column_int64(st, 2);
    x->created = db_column_int64(st, 3);
    x->shown_updated = db_column_int64(st, 4);
    x->reason = col(st, 5, a);
    x->resource_id = db_column_int64(st, 6);
    x->resource = col(st, 7, a);
    x->lab = col(st, 8, a);
    x->building = col(st, 9, a);
    x->address = col(st, 10, a);
    x->city = col(st, 11, a);
}

/* "Unavailable: <resource> — <reason>", confirmed, linking to the resource. */
static void compose_blackout(struct ical_event *ev, const struct blackout_row *x,
                             const struct texts *tx, const struct feed_site *site, struct arena *a)
{
    memset(ev, 0, sizeof *ev);
    ev->id = x->id;
    ev->uid_kind = "blackout";
    ev->start = x->start;
    ev->end = x->end;
    ev->created = x->created;
    ev->updated = x->shown_updated;
    ev->status = ICAL_CONFIRMED;
    ev->summary = *x->reason ? cat(a, tx->unavailable, ": ", x->resource, " — ", x->reason, NULL)
                             : cat(a, tx->unavailable, ": ", x->resource, NULL);
    ev->description = *x->reason ? cat(a, tx->reason, ": ", x->reason, NULL) : NULL;
    const char *parts[] = {x->lab, x->building, x->address, x->city};
    ev->location = join_parts(a, parts, 4);
    ev->url = link_to(a, site, "resources", x->resource_id);
}

/* ------------------------------------------------------------------ */
/* The rendered-feed cache                                              */

#define CACHE_SLOTS 64
/* A body and its gzip form together: the largest feed of a million
 * bookings is some 4.3 MB of text and 0.4 MB gzipped, and rendering it
 * took 0.16–0.29 s, so every realistic feed is kept. */
#define CACHE_BODY_MAX ((size_t)8 << 20)
#define CACHE_BUDGET                                                                               \
    ((size_t)16 << 20) /* all cached bodies together: part of the 64 MB RSS budget */

/* A rendered body, shared by the cache and the requests sending it: a hit
 * lends it to the request (its arena gives it back after the answer) instead
 * of copying up to 8 MB per answer, which cost more than sending it (a fresh
 * mapping, page faults, zeroing and the copy). refs counts the cache's hold
 * and each loan, always under cache.mu; the last one out frees it. gz, made
 * the first time a client asks for gzip, is set once under cache.mu and
 * never changes after. */
struct shared_body {
    size_t refs;
    size_t len;
    char *text; /* ical_render's string, owned */
    size_t gz_len;
    unsigned char *gz; /* owned; NULL until asked for */
    int cached;        /* held by a cache slot (its bytes count in cache.bytes) */
};

struct slot {
    char key[80];  /* scope:id:window:visibility:lang */
    char etag[40]; /* the version the body was rendered from */
    struct shared_body *body;
    uint64_t tick; /* last use, for eviction */
};

static struct {
    pthread_mutex_t mu;
    struct slot slot[CACHE_SLOTS];
    size_t bytes; /* sum of the cached bodies' lengths and gzip lengths */
    uint64_t tick;
    struct feed_cache_stats stats;
} cache = {.mu = PTHREAD_MUTEX_INITIALIZER};

static void body_unref_locked(struct shared_body *b)
{
    if (--b->refs == 0) {
        free(b->gz);
        free(b->text);
        free(b);
    }
}

static void body_return(void *b)
{
    pthread_mutex_lock(&cache.mu);
    body_unref_locked(b);
    pthread_mutex_unlock(&cache.mu);
}

/* gzip of s (RFC 1952, no name, time 0: equal text, equal bytes); malloc'd. */
static unsigned char *gzip(const char *s, size_t len, size_t *out_len)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return NULL;
    size_t cap = deflateBound(&z, (uLong)len);
    unsigned char *out = malloc(cap);
    if (!out) {
        deflateEnd(&z);
        return NULL;
    }
    z.next_in = (Bytef *)s;
    z.avail_in = (uInt)len;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    int rc = deflate(&z, Z_FINISH);
    *out_len = z.total_out;
    deflateEnd(&z);
    if (rc != Z_STREAM_END) {
        free(out);
        return NULL;
    }
    return out;
}

/* Gives the request of arena a the body b it holds a reference to (freed
 * with the arena), and its gzip form when want asks for it (gz: the form as
 * read under the lock, NULL if none yet). The compression runs outside the
 * lock; two requests that race compress twice and keep the first. */
static int body_give(struct shared_body *b, unsigned char *gz, int want, struct arena *a,
                     struct feed_doc *out)
{
    arena_on_release(a, body_return, b);
    out->body = b->text;
    out->len = b->len;
    if (!(want & FEED_WANT_GZIP))
        return LS_OK;
    if (!gz) {
        size_t n = 0;
        unsigned char *made = gzip(b->text, b->len, &n);
        if (!made)
            return -1;
        pthread_mutex_lock(&cache.mu);
        if (!b->gz) {
            b->gz = made;
            b->gz_len = n;
            if (b->cached)
                cache.bytes += n;
            made = NULL;
        }
        gz = b->gz;
        pthread_mutex_unlock(&cache.mu);
        free(made);
    }
    out->gz = (const char *)gz;
    out->gz_len = b->gz_len;
    return LS_OK;
}

/* Lends a fresh body (not yet shared) to the request. */
static int body_lend(struct shared_body *b, int want, struct arena *a, struct feed_doc *out)
{
    pthread_mutex_lock(&cache.mu);
    b->refs++;
    unsigned char *gz = b->gz;
    pthread_mutex_unlock(&cache.mu);
    return body_give(b, gz, want, a, out);
}

/* Lends the cached body of key at etag to the request, in one hold of the
 * lock; 1 on a hit, 0 on a miss, -1 when out of memory compressing it. */
static int cache_lend(const char *key, const char *etag, int want, struct arena *a,
                      struct feed_doc *out)
{
    struct shared_body *found = NULL;
    unsigned char *gz = NULL;
    pthread_mutex_lock(&cache.mu);
    for (int i = 0; i < CACHE_SLOTS; i++) {
        struct slot *s = &cache.slot[i];
        if (s->body && strcmp(s->key, key) == 0 && strcmp(s->etag, etag) == 0) {
            found = s->body;
            found->refs++; /* the request's hold */
            gz = found->gz;
            s->tick = ++cache.tick;
            cache.stats.hits++;
            break;
        }
    }
    pthread_mutex_unlock(&cache.mu);
    if (!found)
        return 0;
    return body_give(found, gz, want, a, out) ? -1 : 1;
}

/* Empties a slot, letting go of the cache's hold on its body. */
static void cache_drop(struct slot *s)
{
    cache.bytes -= s->body->len + s->body->gz_len;
    s->body->cached = 0;
    body_unref_locked(s->body); /* requests still sending it keep it */
    memset(s, 0, sizeof *s);
}

static struct slot *cache_lru(void)
{
    struct slot *lru = NULL;
    for (int i = 0; i < CACHE_SLOTS; i++)
        if (cache.slot[i].body && (!lru || cache.slot[i].tick < lru->tick))
            lru = &cache.slot[i];
    return lru;
}

/* Keeps body (a hold of the cache's own) under key, replacing an older
 * version of the same key, else an empty slot, else the least recently used
 * one; a body over CACHE_BODY_MAX is not kept. */
static void cache_put(const char *key, const char *etag, struct shared_body *body)
{
    pthread_mutex_lock(&cache.mu);
    size_t len = body->len + body->gz_len;
    cache.stats.renders++;
    if (len > CACHE_BODY_MAX) {
        pthread_mutex_unlock(&cache.mu);
        return;
    }
    for (int i = 0; i < CACHE_SLOTS; i++)
        if (cache.slot[i].body && strcmp(cache.slot[i].key, key) == 0)
            cache_drop(&cache.slot[i]); /* an older version of this feed */
    struct slot *lru;
    while (cache.bytes + len > CACHE_BUDGET && (lru = cache_lru()))
        cache_drop(lru);
    struct slot *pick = NULL;
    for (int i = 0; i < CACHE_SLOTS && !pick; i++)
        if (!cache.slot[i].body)
            pick = &cache.slot[i];
    if (!pick)
        cache_drop(pick = cache_lru());
    snprintf(pick->key, sizeof pick->key, "%s", key);
    snprintf(pick->etag, sizeof pick->etag, "%s", etag);
    pick->body = body;
    body->refs++; /* the cache's hold */
    body->cached = 1;
    pick->tick = ++cache.tick;
    cache.bytes += len;
    pthread_mutex_unlock(&cache.mu);
}

void feed_cache_stats(struct feed_cache_stats *out)
{
    pthread_mutex_lock(&cache.mu);
    *out = cache.stats;
    out->bytes = cache.bytes;
    pthread_mutex_unlock(&cache.mu);
}

void feed_cache_clear(void)
{
    pthread_mutex_lock(&cache.mu);
    for (int i = 0; i < CACHE_SLOTS; i++)
        if (cache.slot[i].body)
            cache_drop(&cache.slot[i]);
    memset(&cache.stats, 0, sizeof cache.stats);
    pthread_mutex_unlock(&cache.mu);
}

/* ------------------------------------------------------------------ */
/* Feeds                                                                */

/* Cut-offs move at UTC midnight so that a day's fetches share one version. */
static void window(int64_t now, int past_days, int64_t *end_cut, int64_t *cancel_cut)
{
    int64_t day = now - ((now % 86400) + 86400) % 86400;
    *end_cut = day - (int64_t)past_days * 86400;
    *cancel_cut = day - (int64_t)FEED_CANCELLED_DAYS * 86400;
}

static void bind_scope(struct db_stmt *st, const struct feed *f, int64_t now)
{
    int64_t end_cut, cancel_cut;
    window(now, f->past_days, &end_cut, &cancel_cut);
    db_bind_int64(st, 1, f->scope_id);
    db_bind_int64(st, 2, end_cut);
    if (db_bind_parameter_count(st) >= 3)
        db_bind_int64(st, 3, cancel_cut);
}

/* Quoted hex of a BLAKE2b-128 over NUL-separated parts (NULL-terminated),
 * and the same with "-gz" for the gzip form (another representation needs
 * another strong validator). */
static void hex_etag(struct feed_doc *out, const char *const *parts)
{
    crypto_generichash_state h;
    unsigned char d[16];
    char hex[33];
    crypto_generichash_init(&h, NULL, 0, sizeof d);
    for (const char *const *p = parts; *p; p++)
        crypto_generichash_update(&h, (const unsigned char *)*p, strlen(*p) + 1);
    crypto_generichash_final(&h, d, sizeof d);
    sodium_bin2hex(hex, sizeof hex, d, sizeof d);
    snprintf(out->etag, sizeof out->etag, "\"%s\"", hex);
    snprintf(out->etag_gz, sizeof out->etag_gz, "\"%s-gz\"", hex);
}

static const char *const SQL_BLACKOUTS[] = {SQL_BLACKOUTS_RESOURCE, SQL_BLACKOUTS_LAB};
static const char *const SQL_BLACKOUTS_VERSION[] = {SQL_BLACKOUTS_VERSION_RESOURCE,
                                                    SQL_BLACKOUTS_VERSION_LAB};

static int with_blackouts(const struct feed *f)
{
    return f->scope == FEED_RESOURCE || f->scope == FEED_LAB;
}

/* Reads every row of st (bound, positioned before its first row) with
 * read into an arena array of `size`-byte elements. */
static int read_rows(struct db *db, struct db_stmt *st, struct arena *a, size_t size,
                     void (*read)(struct db_stmt *, struct arena *, void *), void **out, size_t *n,
                     struct ls_err *err)
{
    size_t cap = 64;
    char *rows = arena_alloc(a, cap * size);
    int src;
    *n = 0;
    while ((src = db_step(st)) == DB_ROW) {
        if (*n == cap) {
            char *bigger = arena_alloc(a, 2 * cap * size);
            memcpy(bigger, rows, cap * size);
            rows = bigger;
            cap *= 2;
        }
        read(st, a, rows + *n * size);
        (*n)++;
    }
    db_reset(st);
    if (src != DB_DONE)
        return db_fail(db, src, err);
    *out = rows;
    return LS_OK;
}

static void read_row_v(struct db_stmt *st, struct arena *a, void *r)
{
    read_row(st, a, r);
}

static void read_blackout_v(struct db_stmt *st, struct arena *a, void *x)
{
    read_blackout(st, a, x);
}

static int get_in_snapshot(struct db *db, const struct feed *f, const struct feed_site *site,
                           int64_t now, int want, struct arena *a, struct feed_doc *out,
                           struct ls_err *err)
{
    struct user creator;
    int rc = auth_user_get(db, f->user_id, a, &creator, err);
    if (rc == LS_OK && !creator.active)
        rc = ls_err_set(err, LS_ENOTFOUND, NULL, "no such feed");
    if (rc)
        return rc;
    struct scope_info info;
    if ((rc = scope_load(db, f->scope, f->scope_id, a, &info, err)))
        return rc == LS_ENOTFOUND ? ls_err_set(err, rc, NULL, "no such feed") : rc;

    /* Who sees names: decided now, from the creator's current standing. */
    int full;
    if (f->scope == FEED_USER)
        full = f->scope_id == creator.id;
    else
        full = authz_manages_org(&creator, info.org_id);
    if (f->scope == FEED_USER && !full)
        return ls_err_set(err, LS_ENOTFOUND, NULL, "no such feed");
    char vis = full ? 'f' : creator.organisation_id ? 'o' : 'u';
    int64_t vis_id = full ? 0 : creator.organisation_id ? creator.organisation_id : creator.id;
    const char *lang = creator.lang && strcmp(creator.lang, "pl") == 0 ? "pl" : "en";
    char *key = out->key;
    snprintf(key, sizeof out->key, "%d:%lld:%d:%c%lld:%s", (int)f->scope, (long long)f->scope_id,
             f->past_days, vis, (long long)vis_id, lang);

    struct db_stmt *st = db_stmt(db, SQL_VERSION[f->scope]);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    bind_scope(st, f, now);
    int src = db_step(st);
    int64_t count = 0, max_b = 0, max_cat = 0;
    double sum_upd = 0, sum_seq = 0, sum_id = 0;
    if (src == DB_ROW) {
        count = db_column_int64(st, 0);
        sum_upd = db_column_double(st, 1);
        sum_seq = db_column_double(st, 2);
        sum_id = db_column_double(st, 3);
        max_b = db_column_int64(st, 4);
        max_cat = db_column_int64(st, 5);
    }
    db_reset(st);
    if (src != DB_ROW)
        return db_fail(db, src, err);
    /* Blackouts: a new or removed one changes the count or the sums, a
     * renamed resource the newest change. */
    int64_t x_count = 0, x_max = 0;
    double x_ids = 0, x_starts = 0;
    if (with_blackouts(f)) {
        st = db_stmt(db, SQL_BLACKOUTS_VERSION[f->scope]);
        if (!st)
            return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
        bind_scope(st, f, now);
        src = db_step(st);
        if (src == DB_ROW) {
            x_count = db_column_int64(st, 0);
            x_ids = db_column_double(st, 1);
            x_starts = db_column_double(st, 2);
            x_max = db_column_int64(st, 3);
        }
        db_reset(st);
        if (src != DB_ROW)
            return db_fail(db, src, err);
    }

    int64_t lm = info.updated;
    if (max_b > lm)
        lm = max_b;
    if (max_cat > lm)
        lm = max_cat;
    if (x_max > lm)
        lm = x_max;
    out->last_modified = lm;
    /* Everything the body depends on, so equal ETags mean equal bodies. */
    char version[320];
    snprintf(version, sizeof version,
             "feed/2|%s|%lld|%.0f|%.0f|%.0f|%lld|%lld|%lld|%lld|%.0f|%.0f|%lld", key,
             (long long)count, sum_upd, sum_seq, sum_id, (long long)max_b, (long long)max_cat,
             (long long)info.updated, (long long)x_count, x_ids, x_starts, (long long)x_max);
    const char *parts[] = {version, info.name, site->host, site->public_url, NULL};
    hex_etag(out, parts);
    if (!(want & FEED_WANT_BODY))
        return LS_OK;
    int hit = cache_lend(key, out->etag, want, a, out);
    if (hit < 0)
        return ls_err_set(err, LS_EINTERNAL, NULL, "out of memory compressing the calendar");
    if (hit)
        return LS_OK;

    /* Render. */
    st = db_stmt(db, SQL_EVENTS[f->scope]);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    bind_scope(st, f, now);
    struct row *rows = NULL;
    size_t n = 0;
    if ((rc = read_rows(db, st, a, sizeof *rows, read_row_v, (void **)&rows, &n, err)))
        return rc;
    struct blackout_row *xs = NULL;
    size_t nx = 0;
    if (with_blackouts(f)) {
        st = db_stmt(db, SQL_BLACKOUTS[f->scope]);
        if (!st)
            return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
        bind_scope(st, f, now);
        if ((rc = read_rows(db, st, a, sizeof *xs, read_blackout_v, (void **)&xs, &nx, err)))
            return rc;
    }

    /* Bookings and blackouts, each ordered by start, merged. */
    const struct texts *tx = texts_for(lang);
    struct ical_event *ev = arena_alloc(a, (n + nx ? n + nx : 1) * sizeof *ev);
    size_t i = 0, k = 0, m = 0;
    while (i < n || k < nx) {
        if (k == nx || (i < n && rows[i].start <= xs[k].start)) {
            const struct row *r = &rows[i++];
            int show = full || r->user_id == creator.id ||
                       (creator.organisation_id && r->org_id == creator.organisation_id);
            compose(&ev[m++], r, show, f->scope == FEED_USER, tx, site, a);
        } else {
            compose_blackout(&ev[m++], &xs[k++], tx, site, a);
        }
    }
    struct ical_calendar cal = {cat(a, "labshare — ", info.name, NULL), site->host, 0};
    size_t len = 0;
    char *text = ical_render(&cal, ev, m, &len);
    struct shared_body *body = text ? calloc(1, sizeof *body) : NULL;
    if (!body) {
        free(text);
        return ls_err_set(err, LS_EINTERNAL, NULL, "out of memory rendering the calendar");
    }
    body->len = len;
    body->text = text;
    body->refs = 1; /* ours, until the cache and the request hold it */
    rc = body_lend(body, want, a, out);
    cache_put(key, out->etag, body);
    body_return(body);
    if (rc)
        return ls_err_set(err, LS_EINTERNAL, NULL, "out of memory compressing the calendar");
    return LS_OK;
}

int feed_get(struct db *db, const struct feed *f, const struct feed_site *site, int64_t now,
             int want, struct arena *a, struct feed_doc *out, struct ls_err *err)
{
    memset(out, 0, sizeof *out);
    /* One snapshot, so the body is exactly the version its ETag names. Read
     * only: ended here so that feed_touch can write afterwards. */
    int rc = db_begin_read(db, err);
    if (rc == LS_OK)
        rc = get_in_snapshot(db, f, site, now, want, a, out, err);
    db_end_read(db);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Answers per token                                                    */

#define FETCH_SLOTS 1024 /* direct-mapped by token hash; a collision only costs a refill */

struct fetch_slot {
    unsigned char hash[32];
    uint64_t generation;
    int64_t day;
    struct feed feed;
    char key[80];
    char etag[40];
    char etag_gz[44];
    int64_t last_modified;
};

static struct {
    pthread_mutex_t mu;
    struct fetch_slot slot[FETCH_SLOTS];
} fetched = {.mu = PTHREAD_MUTEX_INITIALIZER};

static struct fetch_slot *fetch_slot_of(const unsigned char h[32])
{
    unsigned i = ((unsigned)h[0] | (unsigned)h[1] << 8) % FETCH_SLOTS;
    return &fetched.slot[i];
}

struct seen_job {
    int64_t id;
    const char *etag;
    int64_t lm;
};

static int seen_txn(struct db *db, void *ctx, struct ls_err *err)
{
    struct seen_job *j = ctx;
    struct db_stmt *st = db_stmt(db, SQL_FEED_SEEN);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    db_bind_named_text(st, ":etag", j->etag);
    db_bind_named_int64(st, ":lm", j->lm);
    db_bind_named_int64(st, ":id", j->id);
    return db_step_done(db, st, err);
}

/* Last-Modified never moves backwards: a version other than the one last
 * answered gets at least a second more than that one's, even when what
 * changed was a row leaving the feed (its newest change then drops). The
 * feed remembers the version it answered and when. 1 when it wrote. */
static int steady_last_modified(struct db *db, struct feed *f, struct feed_doc *d, int64_t now)
{
    if (strcmp(d->etag, f->seen_etag) == 0) {
        if (d->last_modified < f->seen_modified)
            d->last_modified = f->seen_modified;
        return 0;
    }
    if (f->seen_etag[0] && d->last_modified <= f->seen_modified)
        d->last_modified = now > f->seen_modified ? now : f->seen_modified + 1;
    struct seen_job j = {f->id, d->etag, d->last_modified};
    struct ls_err ignore = {0};
    if (db_write(db, seen_txn, &j, &ignore) == LS_OK) {
        snprintf(f->seen_etag, sizeof f->seen_etag, "%s", d->etag);
        f->seen_modified = d->last_modified;
    }
    return 1;
}

int feed_fetch(struct db *db, const char *token, const struct feed_site *site, int64_t now,
               int want, struct arena *a, struct feed_doc *out, struct ls_err *err)
{
    memset(out, 0, sizeof *out);
    if (!token_ok(token))
        return ls_err_set(err, LS_ENOTFOUND, NULL, "no such feed");
    unsigned char h[32];
    auth_token_hash(h, token);
    /* Read the generation first: a change made while we compute moves it
     * again, so what we store is never newer than its stamp claims. */
    uint64_t gen = db_generation(db);
    int64_t day = now - ((now % 86400) + 86400) % 86400;

    pthread_mutex_lock(&fetched.mu);
    struct fetch_slot *s = fetch_slot_of(h);
    int hit = s->generation == gen && s->day == day && memcmp(s->hash, h, sizeof h) == 0 &&
              (s->feed.last_used && now - s->feed.last_used < FEED_TOUCH_SECONDS);
    if (hit) {
        memcpy(out->key, s->key, sizeof out->key);
        memcpy(out->etag, s->etag, sizeof out->etag);
        memcpy(out->etag_gz, s->etag_gz, sizeof out->etag_gz);
        out->last_modified = s->last_modified;
    }
    pthread_mutex_unlock(&fetched.mu);
    if (hit) {
        if (!(want & FEED_WANT_BODY))
            return LS_OK;
        int lent = cache_lend(out->key, out->etag, want, a, out);
        if (lent < 0)
            return ls_err_set(err, LS_EINTERNAL, NULL, "out of memory compressing the calendar");
        if (lent)
            return LS_OK;
    }

    struct feed f;
    int rc = feed_lookup(db, token, a, &f, err);
    if (rc)
        return rc;
    if (!f.last_used || now - f.last_used >= FEED_TOUCH_SECONDS) {
        feed_touch(db, &f, now);
        f.last_used = now;
        gen = db_generation(db); /* our own write moved it */
    }
    if ((rc = feed_get(db, &f, site, now, want, a, out, err)))
        return rc;
    /* A new version was recorded: that write moved the generation, so the
     * next fetch looks again (and finds the version recorded). */
    if (steady_last_modified(db, &f, out, now))
        return LS_OK;
    pthread_mutex_lock(&fetched.mu);
    s = fetch_slot_of(h);
    memcpy(s->hash, h, sizeof h);
    s->generation = gen;
    s->day = day;
    s->feed = f;
    s->feed.name = "";
    memcpy(s->key, out->key, sizeof s->key);
    memcpy(s->etag, out->etag, sizeof s->etag);
    memcpy(s->etag_gz, out->etag_gz, sizeof s->etag_gz);
    s->last_modified = out->last_modified;
    pthread_mutex_unlock(&fetched.mu);
    return LS_OK;
}

int feed_booking_ics(struct db *db, const struct user *u, int64_t booking_id,
                     const struct feed_site *site, struct arena *a, struct feed_doc *out,
                     struct ls_err *err)
{
    memset(out, 0, sizeof *out);
    struct db_stmt *st = db_stmt(db, SQL_EVENT_ONE);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    db_bind_int64(st, 1, booking_id);
    struct row r;
    int rc = db_step(st);
    if (rc == DB_ROW)
        read_row(st, a, &r);
    db_reset(st);
    if (rc == DB_DONE)
        return ls_err_set(err, LS_ENOTFOUND, NULL, "no such booking");
    if (rc != DB_ROW)
        return db_fail(db, rc, err);
    /* Invisible bookings are 404, as in the booking API. */
    if (r.user_id != u->id && !authz_manages_org(u, r.owner_org))
        return ls_err_set(err, LS_ENOTFOUND, NULL, "no such booking");
    struct ical_event ev;
    compose(&ev, &r, 1, r.user_id == u->id, texts_for(u->lang), site, a);
    struct ical_calendar cal = {NULL, site->host, 1};
    size_t len = 0;
    char *body = ical_render(&cal, &ev, 1, &len);
    if (!body)
        return ls_err_set(err, LS_EINTERNAL, NULL, "out of memory rendering the calendar");
    char *copy = arena_alloc(a, len + 1);
    memcpy(copy, body, len);
    free(body);
    out->body = copy;
    out->len = len;
    out->last_modified = ev.updated;
    return LS_OK;
}
