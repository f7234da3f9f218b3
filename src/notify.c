/* notify.c — see notify.h. Queueing, rendering and the delivery pass; the
 * SMTP transfer is in notify_smtp.c (below this), the sender thread in
 * notify_sender.c (above). */
#include "notify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "ical.h"
#include "msg.h"
#include "timeutil.h"

/* ?1 kind, ?2 booking, ?3 actor (0 = none), ?4 occurrences, ?5 now, ?6 the
 * preference column that governs this kind. */
#define OUTBOX_INSERT                                                                              \
    "INSERT INTO outbox(kind, booking_id, user_id, email, lang, actor_id, b_start, b_end,"         \
    " b_sequence, b_status, reason, occurrences, created, next_attempt)"
#define SNAPSHOT "b.start, b.end, b.sequence, b.status, b.reason, ?4, ?5, ?5"
#define PREF_ON                                                                                    \
    " coalesce(CASE ?6 WHEN 'request' THEN p.request WHEN 'decision' THEN p.decision"              \
    " WHEN 'change' THEN p.change WHEN 'reminder' THEN p.reminder END, 1) = 1"

#define TO_OWNERS                                                                                  \
    OUTBOX_INSERT " SELECT ?1, b.id, u.id, u.email, u.lang, nullif(?3, 0), " SNAPSHOT              \
                  " FROM bookings b JOIN resources r ON r.id = b.resource_id"                      \
                  " JOIN labs l ON l.id = r.lab_id"                                                \
                  " JOIN users u ON u.organisation_id = l.organisation_id AND u.role = 'owner'"    \
                  " AND u.active = 1 AND u.id != ?3"                                               \
                  " LEFT JOIN notify_prefs p ON p.user_id = u.id"                                  \
                  " WHERE b.id = ?2 AND" PREF_ON
static const char SQL_TO_OWNERS[] = TO_OWNERS;
static const char SQL_TO_OWNERS_IF_BOOKER[] = TO_OWNERS " AND b.user_id = ?3";
/* Every active owner (the actor too: an imported calendar's clash or the
 * State-aid cap concerns them whoever caused it), a detail as the reason
 * (?7): the calendar and event, or "year|share|cap". */
static const char SQL_DETAIL_TO_OWNERS[] =
    OUTBOX_INSERT " SELECT ?1, b.id, u.id, u.email, u.lang, nullif(?3, 0), b.start, b.end,"
                  " b.sequence, b.status, ?7, 1, ?5, ?5"
                  " FROM bookings b JOIN resources r ON r.id = b.resource_id"
                  " JOIN labs l ON l.id = r.lab_id"
                  " JOIN users u ON u.organisation_id = l.organisation_id AND u.role = 'owner'"
                  " AND u.active = 1 LEFT JOIN notify_prefs p ON p.user_id = u.id"
                  " WHERE b.id = ?2 AND" PREF_ON;
static const char SQL_TO_MAILBOX[] =
    OUTBOX_INSERT " SELECT ?1, b.id, NULL, l.notify_email, 'pl', nullif(?3, 0), " SNAPSHOT
                  " FROM bookings b JOIN resources r ON r.id = b.resource_id"
                  " JOIN labs l ON l.id = r.lab_id"
                  " WHERE b.id = ?2 AND l.notify_email IS NOT NULL AND ?6 IS NOT NULL";
/* The same for a booking being made, from its values (notify_enqueue_new):
 * ?7 booker, ?8 resource, ?9 start, ?10 end, ?11 status; sequence 0. */
#define SNAPSHOT_NEW "?9, ?10, 0, ?11, NULL, ?4, ?5, ?5"
static const char SQL_NEW_TO_OWNERS[] =
    OUTBOX_INSERT " SELECT ?1, ?2, u.id, u.email, u.lang, nullif(?3, 0), " SNAPSHOT_NEW
                  " FROM resources r JOIN labs l ON l.id = r.lab_id"
                  " JOIN users u ON u.organisation_id = l.organisation_id AND u.role = 'owner'"
                  " AND u.active = 1 AND u.id != ?3"
                  " LEFT JOIN notify_prefs p ON p.user_id = u.id"
                  " WHERE r.id = ?8 AND" PREF_ON;
static const char SQL_NEW_TO_MAILBOX[] =
    OUTBOX_INSERT " SELECT ?1, ?2, NULL, l.notify_email, 'pl', nullif(?3, 0), " SNAPSHOT_NEW
                  " FROM resources r JOIN labs l ON l.id = r.lab_id"
                  " WHERE r.id = ?8 AND l.notify_email IS NOT NULL AND ?6 IS NOT NULL";
static const char SQL_NEW_TO_BOOKER[] =
    OUTBOX_INSERT " SELECT ?1, ?2, u.id, u.email, u.lang, nullif(?3, 0), " SNAPSHOT_NEW
                  " FROM users u LEFT JOIN notify_prefs p ON p.user_id = u.id"
                  " WHERE u.id = ?7 AND u.active = 1 AND" PREF_ON;
static const char SQL_TO_BOOKER[] =
    OUTBOX_INSERT " SELECT ?1, b.id, u.id, u.email, u.lang, nullif(?3, 0), " SNAPSHOT
                  " FROM bookings b JOIN users u ON u.id = b.user_id AND u.active = 1"
                  " LEFT JOIN notify_prefs p ON p.user_id = u.id"
                  " WHERE b.id = ?2 AND" PREF_ON;
static const char SQL_TO_TRAINERS[] =
    "INSERT INTO outbox(kind, training_request_id, user_id, email, lang, actor_id, reason,"
    " occurrences, created, next_attempt)"
    " SELECT 'training_request', q.id, u.id, u.email, u.lang, q.user_id, q.message, 1, ?2, ?2"
    " FROM training_requests q JOIN resources r ON r.id = q.resource_id"
    " JOIN labs l ON l.id = r.lab_id"
    " JOIN users u ON u.organisation_id = l.organisation_id AND u.role = 'owner'"
    " AND u.active = 1 AND u.id != q.user_id"
    " LEFT JOIN notify_prefs p ON p.user_id = u.id"
    " WHERE q.id = ?1 AND coalesce(p.request, 1) = 1";
static const char SQL_REMINDERS[] =
    OUTBOX_INSERT " SELECT 'reminder', b.id, u.id, u.email, u.lang, NULL, b.start, b.end,"
                  " b.sequence, b.status, b.reason, 1, ?1, ?1"
                  " FROM bookings b JOIN users u ON u.id = b.user_id AND u.active = 1"
                  " LEFT JOIN notify_prefs p ON p.user_id = u.id"
                  " WHERE b.status = 'approved' AND b.start >= ?2 AND b.start < ?3"
                  " AND coalesce(p.reminder, 1) = 1 AND NOT EXISTS (SELECT 1 FROM outbox o"
                  " WHERE o.booking_id = b.id AND o.kind = 'reminder')";
static const char SQL_DUE[] = "SELECT id FROM outbox WHERE status = 'queued' AND next_attempt <= ?1"
                              " ORDER BY next_attempt, id LIMIT 50";
/* A lease: another sender (a timer's `labshare notify` beside the server)
 * skips a message this one is sending. */
static const char SQL_CLAIM[] = "UPDATE outbox SET next_attempt = ?2 WHERE id = ?1"
                                " AND status = 'queued' AND next_attempt <= ?3";
/* A booking's message, or a training request's (no booking: its resource
 * and requester instead). `invited`: an earlier message about the booking
 * to the same address carried an invitation (approved, moved) and was not
 * given up on. */
static const char SQL_LOAD[] =
    "SELECT o.kind, o.email, o.lang, o.b_start, o.b_end, o.b_sequence, o.b_status, o.reason,"
    " o.occurrences, o.created, o.attempts, coalesce(o.booking_id, 0), b.purpose, b.created,"
    " r.name, l.name, u.name, u.email, a.name, t.name,"
    " EXISTS (SELECT 1 FROM outbox i WHERE i.booking_id = o.booking_id AND i.email = o.email"
    "  AND i.id < o.id AND i.kind IN ('approved', 'moved') AND i.status <> 'failed'),"
    " r.id, og.name"
    " FROM outbox o LEFT JOIN bookings b ON b.id = o.booking_id"
    " LEFT JOIN training_requests q ON q.id = o.training_request_id"
    " JOIN resources r ON r.id = coalesce(b.resource_id, q.resource_id)"
    " JOIN labs l ON l.id = r.lab_id JOIN users u ON u.id = coalesce(b.user_id, q.user_id)"
    " LEFT JOIN organisations og ON og.id = u.organisation_id"
    " LEFT JOIN users a ON a.id = o.actor_id"
    " LEFT JOIN users t ON t.id = o.user_id WHERE o.id = ?1";
/* An account message's link token is erased once the message is out (or
 * given up): it is kept in clear only while it waits to be rendered. */
static const char SQL_SENT[] =
    "UPDATE outbox SET status = 'sent', sent_at = ?2,"
    " attempts = attempts + 1, last_error = NULL, link_token = NULL WHERE id = ?1";
static const char SQL_RETRY[] = "UPDATE outbox SET attempts = attempts + 1, next_attempt = ?2,"
                                " last_error = ?3 WHERE id = ?1";
static const char SQL_FAILED[] = "UPDATE outbox SET status = 'failed', attempts = attempts + 1,"
                                 " last_error = ?2, link_token = NULL WHERE id = ?1";
static const char SQL_ACCOUNT_INSERT[] =
    "INSERT INTO outbox(kind, user_id, email, lang, actor_id, link_token, link_expires,"
    " organisation_id, role, created, next_attempt)"
    " VALUES (:kind, nullif(:user, 0), :email, :lang, nullif(:actor, 0), :token, :expires,"
    " nullif(:org, 0), :role, :now, :now)";
static const char SQL_ACCOUNT_LOAD[] =
    "SELECT o.kind, o.email, o.lang, o.link_token, o.link_expires, o.role, o.created, o.attempts,"
    " a.name, g.name FROM outbox o LEFT JOIN users a ON a.id = o.actor_id"
    " LEFT JOIN organisations g ON g.id = o.organisation_id"
    " WHERE o.id = :id AND o.booking_id IS NULL AND o.training_request_id IS NULL";
static const char SQL_PREFS_GET[] =
    "SELECT request, decision, change, reminder FROM notify_prefs WHERE user_id = ?1";
static const char SQL_PREFS_SET[] =
    "INSERT INTO notify_prefs(user_id, request, decision, change, reminder)"
    " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(user_id) DO UPDATE SET request = ?2,"
    " decision = ?3, change = ?4, reminder = ?5";
static const char SQL_LAB_ORG[] = "SELECT organisation_id, notify_email FROM labs WHERE id = ?1";
static const char SQL_LAB_MAILBOX[] =
    "UPDATE labs SET notify_email = ?2, updated = ?3 WHERE id = ?1";
#define OUTBOX_WHERE " WHERE (?1 IS NULL OR status = ?1)"
static const char SQL_OUTBOX_COUNT[] = "SELECT count(*) FROM outbox" OUTBOX_WHERE;
static const char SQL_OUTBOX_LIST[] =
    "SELECT id, booking_id, user_id, attempts, next_attempt, created, sent_at, kind, email, lang,"
    " status, last_error FROM outbox" OUTBOX_WHERE " ORDER BY id DESC LIMIT ?2 OFFSET ?3";

static const char *const kind_names[NOTIFY_NKINDS] = {
    "request",       "approved",     "declined",       "cancelled",       "moved",
    "reminder",      "conflict",     "economic",       "invitation",      "password_reset",
    "reset_unknown", "verify_email", "account_exists", "training_request"};
/* The opt-out column that governs each booking kind (account messages are
 * asked for and have none): a clash with an imported calendar and the
 * State-aid cap are news for owners, like a request. */
static const char *const kind_pref[NOTIFY_BOOKING_KINDS] = {
    "request", "decision", "decision", "change", "change", "reminder", "request", "request"};

const char *notify_kind_name(enum notify_kind k)
{
    return (unsigned)k < NOTIFY_NKINDS ? kind_names[k] : "request";
}

int notify_kind_is_account(enum notify_kind k)
{
    return k >= NOTIFY_INVITATION && k <= NOTIFY_ACCOUNT_EXISTS;
}

int notify_kind_parse(const char *s)
{
    for (int i = 0; s && i < NOTIFY_NKINDS; i++)
        if (strcmp(s, kind_names[i]) == 0)
            return i;
    return -1;
}

/* ------------------------------------------------------------------ */
/* Queueing                                                             */

static int insert_for(struct db *db, const char *sql, enum notify_kind kind, int64_t id,
                      int64_t actor_id, int occurrences, int64_t now, struct ls_err *err)
{
    struct db_stmt *st = db_stmt(db, sql);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    db_bind_text(st, 1, kind_names[kind], -1, DB_STATIC);
    db_bind_int64(st, 2, id);
    db_bind_int64(st, 3, actor_id);
    db_bind_int(st, 4, occurrences > 1 ? occurrences : 1);
    db_bind_int64(st, 5, now);
    db_bind_text(st, 6, kind_pref[kind], -1, DB_STATIC);
    return db_step_deferred(db, st, err);
}

static int insert_detail(struct db *db, enum notify_kind kind, int64_t id, int64_t actor_id,
                         const char *detail, int64_t now, struct ls_err *err)
{
    struct db_stmt *st = db_stmt(db, SQL_DETAIL_TO_OWNERS);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    db_bind_text(st, 1, kind_names[kind], -1, DB_STATIC);
    db_bind_int64(st, 2, id);
    db_bind_int64(st, 3, actor_id);
    db_bind_int64(st, 5, now);
    db_bind_text(st, 6, kind_pref[kind], -1, DB_STATIC);
    db_bind_text(st, 7, detail, -1, DB_TRANSIENT);
    return db_step_deferred(db, st, err);
}

int notify_enqueue_conflict(struct db *db, int64_t id, const char *what, int64_t now,
                            struct ls_err *err)
{
    return insert_detail(db, NOTIFY_CONFLICT, id, 0, what, now, err);
}

int notify_enqueue_economic(struct db *db, int64_t id, int64_t actor_id, const char *detail,
                            int64_t now, struct ls_err *err)
{
    return insert_detail(db, NOTIFY_ECONOMIC, id, actor_id, detail, now, err);
}

static int insert_new(struct db *db, const char *sql, enum notify_kind kind,
                      const struct notify_booking *b, int64_t actor_id, int occurrences,
                      int64_t now, struct ls_err *err)
{
    struct db_stmt *st = db_stmt(db, sql);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    db_bind_text(st, 1, kind_names[kind], -1, DB_STATIC);
    db_bind_int64(st, 2, b->id);
    db_bind_int64(st, 3, actor_id);
    db_bind_int(st, 4, occurrences > 1 ? occurrences : 1);
    db_bind_int64(st, 5, now);
    db_bind_text(st, 6, kind_pref[kind], -1, DB_STATIC);
    db_bind_int64(st, 7, b->user_id);
    db_bind_int64(st, 8, b->resource_id);
    db_bind_int64(st, 9, b->start);
    db_bind_int64(st, 10, b->end);
    db_bind_text(st, 11, b->status, -1, DB_STATIC);
    return db_step_deferred(db, st, err);
}

int notify_enqueue_new(struct db *db, enum notify_kind kind, const struct notify_booking *b,
                       int64_t actor_id, int occurrences, int64_t now, struct ls_err *err)
{
    if (kind == NOTIFY_APPROVED)
        return insert_new(db, SQL_NEW_TO_BOOKER, kind, b, actor_id, occurrences, now, err);
    if (kind != NOTIFY_REQUEST)
        return ls_err_set(err, LS_EINTERNAL, NULL, "not a message about a new booking");
    int rc = insert_new(db, SQL_NEW_TO_OWNERS, kind, b, actor_id, occurrences, now, err);
    if (!rc)
        rc = insert_new(db, SQL_NEW_TO_MAILBOX, kind, b, actor_id, occurrences, now, err);
    return rc;
}

int notify_enqueue(struct db *db, enum notify_kind kind, int64_t id, int64_t actor_id,
                   int occurrences, int64_t now, struct ls_err *err)
{
    if ((unsigned)kind > NOTIFY_REMINDER)
        return ls_err_set(err, LS_EINTERNAL, NULL, "unknown notification kind");
    int rc = LS_OK;
    if (kind == NOTIFY_REQUEST) {
        rc = insert_for(db, SQL_TO_OWNERS, kind, id, actor_id, occurrences, now, err);
        if (!rc)
            rc = insert_for(db, SQL_TO_MAILBOX, kind, id, actor_id, occurrences, now, err);
        return rc;
    }
    rc = insert_for(db, SQL_TO_BOOKER, kind, id, actor_id, occurrences, now, err);
    /* The owners hear of a cancellation when the booker withdraws (a
     * cancellation by an owner is their own doing). */
    if (!rc && kind == NOTIFY_CANCELLED)
        rc = insert_for(db, SQL_TO_OWNERS_IF_BOOKER, kind, id, actor_id, occurrences, now, err);
    return rc;
}

int notify_enqueue_training(struct db *db, int64_t request_id, int64_t now, struct ls_err *err)
{
    struct db_stmt *st = db_stmt(db, SQL_TO_TRAINERS);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    db_bind_int64(st, 1, request_id);
    db_bind_int64(st, 2, now);
    return db_step_done(db, st, err);
}

static void bind_reminders(struct db_stmt *st, const void *ctx)
{
    int64_t now = *(const int64_t *)ctx;
    db_bind_int64(st, 1, now);
    db_bind_int64(st, 2, now + NOTIFY_REMIND_FROM);
    db_bind_int64(st, 3, now + NOTIFY_REMIND_TO);
}

int notify_enqueue_account(struct db *db, const struct notify_account_msg *m, int64_t now,
                           struct ls_err *err)
{
    if (!notify_kind_is_account(m->kind))
        return ls_err_set(err, LS_EINTERNAL, NULL, "not an account message");
    struct db_stmt *st = db_stmt(db, SQL_ACCOUNT_INSERT);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    db_bind_text(st, db_bind_parameter_index(st, ":kind"), kind_names[m->kind], -1, DB_STATIC);
    db_bind_int64(st, db_bind_parameter_index(st, ":user"), m->user_id);
    db_bind_text(st, db_bind_parameter_index(st, ":email"), m->email, -1, DB_STATIC);
    db_bind_text(st, db_bind_parameter_index(st, ":lang"),
                 m->lang && strcmp(m->lang, "en") == 0 ? "en" : "pl", -1, DB_STATIC);
    db_bind_int64(st, db_bind_parameter_index(st, ":actor"), m->actor_id);
    if (m->link_token) {
        db_bind_text(st, db_bind_parameter_index(st, ":token"), m->link_token, -1, DB_STATIC);
        db_bind_int64(st, db_bind_parameter_index(st, ":expires"), m->link_expires);
    }
    db_bind_int64(st, db_bind_parameter_index(st, ":org"), m->organisation_id);
    if (m->role)
        db_bind_text(st, db_bind_parameter_index(st, ":role"), m->role, -1, DB_STATIC);
    db_bind_int64(st, db_bind_parameter_index(st, ":now"), now);
    return db_step_done(db, st, err);
}

int notify_enqueue_reminders(struct db *db, int64_t now, int *queued, struct ls_err *err)
{
    if (queued)
        *queued = 0;
    int changes = 0;
    int rc = db_write_one(db, SQL_REMINDERS, bind_reminders, &now, &changes, NULL, err);
    if (!rc && queued)
        *queued = changes;
    return rc;
}

int64_t notify_backoff(int attempts, int64_t base)
{
    if (base < 1)
        base = 1;
    int64_t d = base;
    for (int i = 1; i < attempts && d < NOTIFY_BACKOFF_MAX; i++)
        d *= 2;
    return d < NOTIFY_BACKOFF_MAX ? d : NOTIFY_BACKOFF_MAX;
}

int notify_retry_at(int64_t created, int attempts, int64_t now, int64_t base, int64_t *next)
{
    int64_t at = now + notify_backoff(attempts, base);
    if (at - created > NOTIFY_GIVE_UP)
        return 1;
    *next = at;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Rendering                                                            */

/* A growing string in the arena. */
struct buf {
    struct arena *a;
    char *s;
    size_t len, cap;
};

static void put(struct buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = arena_alloc(b->a, cap);
        if (b->len)
            memcpy(p, b->s, b->len);
        b->s = p;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void puts_(struct buf *b, const char *s)
{
    put(b, s, strlen(s));
}

static const char *done(struct buf *b)
{
    return b->s ? b->s : arena_strdup(b->a, "");
}

char *notify_html_escape(struct arena *a, const char *s)
{
    struct buf b = {a, NULL, 0, 0};
    for (const char *p = s ? s : ""; *p; p++) {
        switch (*p) {
        case '&':
            puts_(&b, "&amp;");
            break;
        case '<':
            puts_(&b, "&lt;");
            break;
        case '>':
            puts_(&b, "&gt;");
            break;
        case '"':
            puts_(&b, "&quot;");
            break;
        case '\'':
            puts_(&b, "&#39;");
            break;
        case '\n':
            puts_(&b, "<br>");
            break;
        default:
            put(&b, p, 1);
        }
    }
    return (char *)done(&b);
}

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void base64(struct buf *b, const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)s[i] << 16;
        if (i + 1 < n)
            v |= (unsigned)s[i + 1] << 8;
        if (i + 2 < n)
            v |= s[i + 2];
        char q[4] = {B64[v >> 18 & 63], B64[v >> 12 & 63], i + 1 < n ? B64[v >> 6 & 63] : '=',
                     i + 2 < n ? B64[v & 63] : '='};
        put(b, q, 4);
    }
}

char *notify_base64_lines(struct arena *a, const char *s, size_t len)
{
    struct buf b = {a, NULL, 0, 0};
    /* 57 input bytes make one 76-character line. */
    for (size_t i = 0; i < len; i += 57) {
        base64(&b, (const unsigned char *)s + i, len - i < 57 ? len - i : 57);
        puts_(&b, "\r\n");
    }
    return (char *)done(&b);
}

char *notify_encode_header(struct arena *a, const char *s)
{
    struct buf b = {a, NULL, 0, 0};
    int plain = strlen(s) <= 900;
    for (const unsigned char *p = (const unsigned char *)s; *p && plain; p++)
        plain = *p >= 0x20 && *p < 0x7f;
    if (plain) {
        puts_(&b, s);
        return (char *)done(&b);
    }
    /* RFC 2047: encoded-words holding whole UTF-8 sequences, separated by
     * folding white space that decoders drop. 36 bytes make 48 base64
     * characters + 12 of framing, so even after "Subject: " a line stays
     * within 76 characters. */
    size_t n = strlen(s), i = 0;
    while (i < n) {
        size_t k = n - i < 36 ? n - i : 36;
        while (k > 0 && i + k < n && ((unsigned char)s[i + k] & 0xC0) == 0x80)
            k--;
        if (i)
            puts_(&b, "\r\n ");
        puts_(&b, "=?UTF-8?B?");
        /* Line breaks in a header would start a new header: spaces instead. */
        char chunk[48];
        memcpy(chunk, s + i, k);
        for (size_t j = 0; j < k; j++)
            if (chunk[j] == '\r' || chunk[j] == '\n')
                chunk[j] = ' ';
        base64(&b, (const unsigned char *)chunk, k);
        puts_(&b, "?=");
        i += k;
    }
    return (char *)done(&b);
}

const char *notify_display_name(struct arena *a, const char *from)
{
    const char *lt = from ? strrchr(from, '<') : NULL;
    if (!lt)
        return NULL;
    const char *p = from, *e = lt;
    while (p < e && (*p == ' ' || *p == '\t'))
        p++;
    while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
        e--;
    /* A configured "\"Name, Inc.\" <a@b>" is unquoted here and quoted again
     * by notify_mailbox. */
    if (e - p >= 2 && *p == '"' && e[-1] == '"') {
        p++;
        e--;
    }
    return e > p ? arena_strndup(a, p, (size_t)(e - p)) : NULL;
}

char *notify_mailbox(struct arena *a, const char *name, const char *addr)
{
    struct buf b = {a, NULL, 0, 0};
    if (name && *name) {
        int ascii = 1, special = 0;
        for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
            if (*p < 0x20 || *p >= 0x7f)
                ascii = 0;
            else if (strchr("()<>[]:;@\\,.\"", *p))
                special = 1;
        }
        if (!ascii) {
            /* An encoded-word is a whole phrase: commas and quotes inside
             * it are encoded, so the address after it stays intact. */
            puts_(&b, notify_encode_header(a, name));
        } else if (special) {
            puts_(&b, "\"");
            for (const char *p = name; *p; p++) {
                if (*p == '"' || *p == '\\')
                    put(&b, "\\", 1);
                put(&b, p, 1);
            }
            puts_(&b, "\"");
        } else {
            puts_(&b, name);
        }
        puts_(&b, " ");
    }
    puts_(&b, "<");
    puts_(&b, addr);
    puts_(&b, ">");
    return (char *)done(&b);
}

const char *notify_address(struct arena *a, const char *from)
{
    const char *lt = from ? strrchr(from, '<') : NULL;
    const char *gt = lt ? strchr(lt, '>') : NULL;
    if (lt && gt)
        return arena_strndup(a, lt + 1, (size_t)(gt - lt - 1));
    return from ? from : "";
}

int notify_email_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 3 || n > NOTIFY_EMAIL_MAX)
        return 0;
    const char *at = strchr(s, '@');
    if (!at || at == s || strchr(at + 1, '@') || !at[1] || !strchr(at + 1, '.'))
        return 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= 0x20 || *p >= 0x7f || strchr("<>()[],;:\\\"", *p))
            return 0;
    return s[n - 1] != '.' && at[1] != '.';
}

/* Local wall time "2026-11-24 10:00". */
static const char *local_hm(struct arena *a, int64_t t)
{
    struct tu_local l;
    tu_to_local(t, &l);
    return arena_printf(a, "%04d-%02d-%02d %02d:%02d", l.year, l.month, l.day, l.hour, l.minute);
}

/* "2026-11-24 10:00–12:00", or both dates when the span crosses midnight. */
static const char *span_text(struct arena *a, int64_t start, int64_t end)
{
    const char *s = local_hm(a, start), *e = local_hm(a, end);
    if (strncmp(s, e, 10) == 0)
        return arena_printf(a, "%s–%s", s, e + 11);
    return arena_printf(a, "%s – %s", s, e);
}

/* The words of one language. */
struct words {
    const char *subject[NOTIFY_BOOKING_KINDS], *intro[NOTIFY_BOOKING_KINDS];
    const char *resource, *when, *zone, *booker, *purpose, *reason, *calendar, *status, *series,
        *by, *open, *pending_again, *footer;
    const char *status_name[4];
    /* economic: "year: share of the available hours (cap)" and the rule */
    const char *economic_use, *economic_fmt, *economic_rule;
    char decimal; /* the decimal mark of the language */
    /* training requests */
    const char *training_subject, *training_intro, *asker, *organisation, *guest, *message, *record;
};

static const struct words PL = {
    .subject = {"Nowa prośba o rezerwację", "Rezerwacja zatwierdzona", "Rezerwacja odrzucona",
                "Rezerwacja odwołana", "Rezerwacja zmieniona", "Przypomnienie o rezerwacji",
                "Importowany kalendarz blokuje rezerwację",
                "Wykorzystanie gospodarcze blisko limitu pomocy publicznej"},
    .intro = {"Nowa prośba o rezerwację zasobu, który wymaga Twojego zatwierdzenia.",
              "Twoja rezerwacja została zatwierdzona.",
              "Twoja prośba o rezerwację została odrzucona.", "Rezerwacja została odwołana.",
              "Rezerwacja została zmieniona; aktualny termin poniżej.",
              "Przypominamy o jutrzejszej rezerwacji.",
              "Zaimportowany kalendarz zasobu wyklucza termin tej rezerwacji. Rezerwacja nie "
              "została odwołana: zdecyduj, co z nią zrobić.",
              "Wykorzystanie gospodarcze zasobu finansowanego ze środków publicznych przekroczyło "
              "80 % limitu. Ta rezerwacja przesunęła je ponad ten próg."},
    .economic_use = "Wykorzystanie gospodarcze",
    .economic_fmt = "%d: %.2f %% godzin dostępnych (limit %.2f %%)",
    .economic_rule = "Zasada: wykorzystanie gospodarcze infrastruktury badawczej finansowanej "
                     "ze środków publicznych nie może przekroczyć 20 % jej rocznej wydajności "
                     "(ramy pomocy państwa na B+R+I, 2022/C 414/01, pkt 2.1.1).",
    .decimal = ',',
    .resource = "Zasób",
    .when = "Termin",
    .zone = "czas warszawski",
    .booker = "Rezerwujący",
    .purpose = "Cel",
    .reason = "Powód",
    .calendar = "Kalendarz",
    .status = "Status",
    .series = "Terminów w serii",
    .by = "Zmiany dokonał(a)",
    .open = "Otwórz rezerwację",
    .pending_again = "Rezerwacja ponownie czeka na zatwierdzenie.",
    .footer = "Wiadomość wysłana automatycznie przez labshare. Powiadomienia możesz wyłączyć "
              "w swoim profilu.",
    .status_name = {"oczekuje", "zatwierdzona", "odrzucona", "odwołana"},
    .training_subject = "Prośba o szkolenie",
    .training_intro =
        "Ktoś prosi o szkolenie z obsługi zasobu, który wymaga szkolenia przed rezerwacją.",
    .asker = "Prosi",
    .organisation = "Organizacja",
    .guest = "gość (bez organizacji)",
    .message = "Wiadomość",
    .record = "Wpisz szkolenie",
};

static const struct words EN = {
    .subject = {"New booking request", "Booking approved", "Booking declined", "Booking cancelled",
                "Booking changed", "Booking reminder", "An imported calendar blocks a booking",
                "Economic use near the State-aid cap"},
    .intro = {"A new request to book a resource that needs your approval.",
              "Your booking has been approved.", "Your booking request has been declined.",
              "A booking has been cancelled.", "A booking has been changed; its time is below.",
              "A reminder of your booking tomorrow.",
              "An imported calendar of the resource rules out the time of this booking. The "
              "booking has not been cancelled: decide what to do with it.",
              "The economic use of a publicly funded resource has passed 80 % of its cap. This "
              "booking took it past that mark."},
    .economic_use = "Economic use",
    .economic_fmt = "%d: %.2f %% of the available hours (cap %.2f %%)",
    .economic_rule = "The rule: economic use of publicly funded research infrastructure must "
                     "stay within 20 % of its annual capacity (EU framework for State aid for "
                     "R&D&I, 2022/C 414/01, section 2.1.1).",
    .decimal = '.',
    .resource = "Resource",
    .when = "When",
    .zone = "Warsaw time",
    .booker = "Booked by",
    .purpose = "Purpose",
    .reason = "Reason",
    .calendar = "Calendar",
    .status = "Status",
    .series = "Bookings in the series",
    .by = "Changed by",
    .open = "Open the booking",
    .pending_again = "The booking awaits approval again.",
    .footer = "Sent automatically by labshare. You can turn notifications off in your profile.",
    .status_name = {"pending", "approved", "declined", "cancelled"},
    .training_subject = "Training request",
    .training_intro =
        "Someone asks to be trained on a resource that needs training before booking.",
    .asker = "Asked by",
    .organisation = "Organisation",
    .guest = "guest (no organisation)",
    .message = "Message",
    .record = "Record the training",
};

static void row(struct buf *text, struct buf *html, const char *label, const char *value);

/* The economic-use line from the queued "year|share|cap", in w's words and
 * decimal mark. */
static void economic_rows(struct buf *text, struct buf *html, const struct words *w,
                          const char *detail)
{
    int year;
    double share, cap;
    if (!detail || sscanf(detail, "%d|%lf|%lf", &year, &share, &cap) != 3)
        return;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    char *line = arena_printf(text->a, w->economic_fmt, year, 100 * share, 100 * cap);
#pragma GCC diagnostic pop
    for (char *p = line; *p; p++)
        if (*p == '.')
            *p = w->decimal;
    row(text, html, w->economic_use, line);
}

static const char *status_word(const struct words *w, const char *status)
{
    static const char *const names[] = {"pending", "approved", "declined", "cancelled"};
    for (int i = 0; status && i < 4; i++)
        if (strcmp(status, names[i]) == 0)
            return w->status_name[i];
    return status ? status : "";
}

/* One "label: value" line of the text part and one table row of the HTML. */
static void row(struct buf *text, struct buf *html, const char *label, const char *value)
{
    if (!value || !*value)
        return;
    puts_(text, label);
    puts_(text, ": ");
    puts_(text, value);
    puts_(text, "\n");
    puts_(html, "<tr><th align=\"left\" valign=\"top\">");
    puts_(html, notify_html_escape(text->a, label));
    puts_(html, "</th><td>");
    puts_(html, notify_html_escape(text->a, value));
    puts_(html, "</td></tr>\n");
}

static int render_ics(struct notify_mail *out, struct arena *a, const struct notify_event *e,
                      const struct notify_site *s, struct ls_err *err)
{
    /* A CANCEL only reaches a calendar that got the event: never an
     * owner's, never a booker's whose request was still pending. */
    int cancel = (e->kind == NOTIFY_CANCELLED || e->kind == NOTIFY_DECLINED) && e->invited;
    if (e->kind != NOTIFY_APPROVED && e->kind != NOTIFY_MOVED && !cancel)
        return LS_OK;
    int st = cancel ? ICAL_CANCELLED : ical_status_of(e->status);
    if (st < 0)
        return LS_OK;
    struct ical_event ev = {
        .id = e->booking_id,
        .start = e->start,
        .end = e->end,
        .created = e->booking_created,
        .updated = e->queued,
        .sequence = (int)e->sequence,
        .status = (enum ical_status)st,
        .summary = e->resource,
        .location = e->lab,
        .description = e->purpose,
        .url = arena_printf(a, "%s/#/bookings/%lld", s->public_url, (long long)e->booking_id),
        .opaque = 1, /* the booker's own time: busy in their calendar */
    };
    struct ical_calendar cal = {"labshare", s->host, 0};
    struct ical_itip itip = {
        .method = cancel ? "CANCEL" : "REQUEST",
        .organizer = notify_address(a, s->from),
        .organizer_name = "labshare",
        .attendee = e->booker_email,
        .attendee_name = e->booker_name,
    };
    char *ics = ical_render_itip(&cal, &ev, &itip, NULL);
    if (!ics)
        return ls_err_set(err, LS_EINTERNAL, NULL, "cannot render the calendar attachment");
    out->ics = arena_strdup(a, ics);
    out->method = itip.method;
    free(ics);
    return LS_OK;
}

/* The message's end: the link, the footer, and the HTML closed. */
/* note, if any, is a paragraph after the table (the rule an economic alert
 * is about). */
static void finish(struct notify_mail *out, struct buf *text, struct buf *html,
                   const struct words *w, const char *note, const char *label, const char *link)
{
    struct arena *a = text->a;
    if (note) {
        puts_(text, "\n");
        puts_(text, note);
        puts_(text, "\n");
    }
    puts_(text, "\n");
    puts_(text, label);
    puts_(text, ": ");
    puts_(text, link);
    puts_(text, "\n\n-- \n");
    puts_(text, w->footer);
    puts_(text, "\n");
    puts_(html, "</table>\n");
    if (note) {
        puts_(html, "<p>");
        puts_(html, notify_html_escape(a, note));
        puts_(html, "</p>\n");
    }
    puts_(html, "<p><a href=\"");
    puts_(html, notify_html_escape(a, link));
    puts_(html, "\">");
    puts_(html, notify_html_escape(a, label));
    puts_(html, "</a></p>\n<p><small>");
    puts_(html, notify_html_escape(a, w->footer));
    puts_(html, "</small></p>\n</body></html>\n");
    out->text = done(text);
    out->html = done(html);
}

static void start(struct buf *text, struct buf *html, const char *subject, const char *intro)
{
    struct arena *a = text->a;
    puts_(html, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>");
    puts_(html, notify_html_escape(a, subject));
    puts_(html, "</title></head><body>\n<p>");
    puts_(text, intro);
    puts_(text, "\n");
    puts_(html, notify_html_escape(a, intro));
}

/* To the owners: who asks to be trained on what, in their words, and where
 * to record it. No address of the asker (API.md: an owner is never shown
 * another organisation's addresses). */
static int compose_training(struct notify_mail *out, struct arena *a, const struct notify_event *e,
                            const struct notify_site *s, const struct words *w)
{
    out->subject = arena_printf(a, "%s: %s", w->training_subject, e->resource);
    const char *link =
        arena_printf(a, "%s/#/manage/resources/%lld", s->public_url, (long long)e->resource_id);
    struct buf text = {a, NULL, 0, 0}, html = {a, NULL, 0, 0};
    start(&text, &html, out->subject, w->training_intro);
    puts_(&text, "\n");
    puts_(&html, "</p>\n<table>\n");
    row(&text, &html, w->resource,
        e->lab && *e->lab ? arena_printf(a, "%s (%s)", e->resource, e->lab) : e->resource);
    row(&text, &html, w->asker, e->booker_name);
    row(&text, &html, w->organisation, e->organisation ? e->organisation : w->guest);
    row(&text, &html, w->message, e->reason);
    finish(out, &text, &html, w, NULL, w->record, link);
    return LS_OK;
}

int notify_compose(struct notify_mail *out, struct arena *a, const struct notify_event *e,
                   const struct notify_site *s, struct ls_err *err)
{
    memset(out, 0, sizeof *out);
    const struct words *w = e->lang && strcmp(e->lang, "en") == 0 ? &EN : &PL;
    if (e->kind == NOTIFY_TRAINING)
        return compose_training(out, a, e, s, w);
    unsigned k = (unsigned)e->kind < NOTIFY_BOOKING_KINDS ? (unsigned)e->kind : 0;
    const char *when = span_text(a, e->start, e->end);
    out->subject = arena_printf(a, "%s: %s, %s", w->subject[k], e->resource, when);
    const char *link =
        arena_printf(a, "%s/#/bookings/%lld", s->public_url, (long long)e->booking_id);

    struct buf text = {a, NULL, 0, 0}, html = {a, NULL, 0, 0};
    start(&text, &html, out->subject, w->intro[k]);
    if (e->kind == NOTIFY_MOVED && e->status && strcmp(e->status, "pending") == 0) {
        puts_(&text, w->pending_again);
        puts_(&text, "\n");
        puts_(&html, " ");
        puts_(&html, notify_html_escape(a, w->pending_again));
    }
    puts_(&text, "\n");
    puts_(&html, "</p>\n<table>\n");
    row(&text, &html, w->resource,
        e->lab && *e->lab ? arena_printf(a, "%s (%s)", e->resource, e->lab) : e->resource);
    row(&text, &html, w->when, arena_printf(a, "%s (%s)", when, w->zone));
    if (e->occurrences > 1)
        row(&text, &html, w->series, arena_printf(a, "%d", e->occurrences));
    row(&text, &html, w->booker, e->booker_name);
    row(&text, &html, w->purpose, e->purpose);
    row(&text, &html, w->status, status_word(w, e->status));
    /* A reason the server wrote (a change of the resource) is one of the
     * sentences msg_pl.c translates; an owner's own words pass unchanged. */
    if (e->kind == NOTIFY_DECLINED || e->kind == NOTIFY_CANCELLED)
        row(&text, &html, w->reason, w == &PL ? msg_pl(e->reason) : e->reason);
    if (e->kind == NOTIFY_CONFLICT)
        row(&text, &html, w->calendar, e->reason);
    if (e->kind == NOTIFY_ECONOMIC)
        economic_rows(&text, &html, w, e->reason);
    if (e->actor_name && e->kind != NOTIFY_REQUEST)
        row(&text, &html, w->by, e->actor_name);
    finish(out, &text, &html, w, e->kind == NOTIFY_ECONOMIC ? w->economic_rule : NULL, w->open,
           link);
    return render_ics(out, a, e, s, err);
}

/* Text parts with CRLF line ends before base64 (RFC 2046 canonical form). */
static const char *crlf(struct arena *a, const char *s)
{
    struct buf b = {a, NULL, 0, 0};
    for (const char *p = s; *p; p++) {
        if (*p == '\n' && (p == s || p[-1] != '\r'))
            put(&b, "\r", 1);
        put(&b, p, 1);
    }
    return done(&b);
}

static void part(struct buf *b, const char *boundary, const char *type, const char *extra,
                 const char *body)
{
    const char *c = crlf(b->a, body);
    puts_(b, "--");
    puts_(b, boundary);
    puts_(b, "\r\nContent-Type: ");
    puts_(b, type);
    puts_(b, "\r\n");
    if (extra)
        puts_(b, extra);
    puts_(b, "Content-Transfer-Encoding: base64\r\n\r\n");
    puts_(b, notify_base64_lines(b->a, c, strlen(c)));
}

char *notify_mime(struct arena *a, const struct notify_site *s, const char *to, const char *to_name,
                  const struct notify_mail *m, int64_t date, const char *message_id)
{
    struct buf b = {a, NULL, 0, 0};
    char stamp[64];
    time_t t = (time_t)date;
    struct tm tm;
    gmtime_r(&t, &tm);
    /* RFC 5322 names, whatever the process locale. */
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    snprintf(stamp, sizeof stamp, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday],
             tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    /* "=_" never occurs in base64 text, so the parts cannot contain these;
     * the local part of the Message-ID keeps them short (at most 70). */
    int idlen = (int)strcspn(message_id, "@");
    idlen = idlen > 50 ? 50 : idlen;
    const char *mixed = arena_printf(a, "=_mixed_%.*s", idlen, message_id);
    const char *alt = arena_printf(a, "=_alt_%.*s", idlen, message_id);
    puts_(&b, "From: ");
    puts_(&b, notify_mailbox(a, notify_display_name(a, s->from), notify_address(a, s->from)));
    puts_(&b, "\r\nTo: ");
    puts_(&b, notify_mailbox(a, to_name, to));
    puts_(&b, "\r\nSubject: ");
    puts_(&b, notify_encode_header(a, m->subject));
    puts_(&b, "\r\nDate: ");
    puts_(&b, stamp);
    puts_(&b, "\r\nMessage-ID: <");
    puts_(&b, message_id);
    puts_(&b, ">\r\nMIME-Version: 1.0\r\nAuto-Submitted: auto-generated\r\n"
              "Content-Type: multipart/mixed;\r\n boundary=\"");
    puts_(&b, mixed);
    puts_(&b, "\"\r\n\r\nThis is a MIME message.\r\n--");
    puts_(&b, mixed);
    puts_(&b, "\r\nContent-Type: multipart/alternative;\r\n boundary=\"");
    puts_(&b, alt);
    puts_(&b, "\"\r\n\r\n");
    part(&b, alt, "text/plain; charset=UTF-8", NULL, m->text);
    part(&b, alt, "text/html; charset=UTF-8", NULL, m->html);
    /* The invitation as an alternative of the text (what calendar-aware
     * mail clients act on) and as a file (for the others). */
    if (m->ics)
        part(&b, alt, arena_printf(a, "text/calendar; charset=UTF-8; method=%s", m->method), NULL,
             m->ics);
    puts_(&b, "--");
    puts_(&b, alt);
    puts_(&b, "--\r\n");
    if (m->ics) {
        part(&b, mixed, "application/ics; name=\"invite.ics\"",
             "Content-Disposition: attachment; filename=\"invite.ics\"\r\n", m->ics);
    }
    puts_(&b, "--");
    puts_(&b, mixed);
    puts_(&b, "--\r\n");
    return (char *)done(&b);
}

int notify_smtp_from_env(struct notify_smtp *out, struct ls_err *err)
{
    int rc = notify_smtp_read_env(out, err);
    if (rc)
        return rc;
    struct arena a = {0};
    const char *addr = out->from ? notify_address(&a, out->from) : NULL;
    int ok = addr && notify_email_ok(addr) && strlen(addr) < sizeof out->envelope;
    if (ok)
        snprintf(out->envelope, sizeof out->envelope, "%s", addr);
    arena_release(&a);
    if (!ok) {
        ls_err_set(err, LS_EVALIDATION, NULL,
                   "LABSHARE_SMTP_FROM must be the sender address (a@b or Name <a@b>)");
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Delivery                                                             */

static const char *col(struct db_stmt *st, int i, struct arena *a)
{
    const unsigned char *s = db_column_text(st, i);
    return s ? arena_strdup(a, (const char *)s) : NULL;
}

/* Reads outbox row `id` into an event; LS_ENOTFOUND if it is gone. */
static int load_event(struct notify_event *e, int64_t *attempts, struct db *db, struct arena *a,
                      int64_t id, struct ls_err *err)
{
    memset(e, 0, sizeof *e);
    struct db_stmt *st = db_stmt(db, SQL_LOAD);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    db_bind_int64(st, 1, id);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        int k = notify_kind_parse((const char *)db_column_text(st, 0));
        e->kind = k < 0 ? NOTIFY_REQUEST : (enum notify_kind)k;
        e->to = col(st, 1, a);
        e->lang = col(st, 2, a);
        e->start = db_column_int64(st, 3);
        e->end = db_column_int64(st, 4);
        e->sequence = db_column_int64(st, 5);
        e->status = col(st, 6, a);
        e->reason = col(st, 7, a);
        e->occurrences = db_column_int(st, 8);
        e->queued = db_column_int64(st, 9);
        *attempts = db_column_int64(st, 10);
        e->booking_id = db_column_int64(st, 11);
        e->purpose = col(st, 12, a);
        e->booking_created = db_column_int64(st, 13);
        e->resource = col(st, 14, a);
        e->lab = col(st, 15, a);
        e->booker_name = col(st, 16, a);
        e->booker_email = col(st, 17, a);
        e->actor_name = col(st, 18, a);
        e->to_name = col(st, 19, a);
        e->invited = db_column_int(st, 20);
        e->resource_id = db_column_int64(st, 21);
        e->organisation = col(st, 22, a);
    }
    db_reset(st);
    if (rc == DB_DONE)
        return ls_err_set(err, LS_ENOTFOUND, NULL, "no such message");
    return rc == DB_ROW ? LS_OK : db_fail(db, rc, err);
}

/* An outbox row's change: ?1 the row, ?2 a time, ?3 a text (as its
 * statement takes them). */
struct mark {
    int64_t id, at;
    const char *why;
};

static void bind_mark(struct db_stmt *st, const void *ctx)
{
    const struct mark *m = ctx;
    db_bind_int64(st, 1, m->id);
    if (db_bind_parameter_count(st) >= 2 && m->at)
        db_bind_int64(st, 2, m->at);
    if (m->why)
        db_bind_text(st, db_bind_parameter_count(st), m->why, -1, DB_TRANSIENT);
}

/* Reads account message `id` into *ae, and into e what delivery needs
 * (recipient, queue time). LS_ENOTFOUND, err untouched, for a booking
 * message. */
static int load_account_event(struct notify_account_event *ae, struct notify_event *e,
                              int64_t *attempts, struct db *db, struct arena *a, int64_t id,
                              struct ls_err *err)
{
    memset(ae, 0, sizeof *ae);
    memset(e, 0, sizeof *e);
    struct db_stmt *st = db_stmt(db, SQL_ACCOUNT_LOAD);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    db_bind_int64(st, 1, id);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        int k = notify_kind_parse((const char *)db_column_text(st, 0));
        ae->kind = k < 0 ? NOTIFY_REQUEST : (enum notify_kind)k;
        ae->to = e->to = col(st, 1, a);
        ae->lang = col(st, 2, a);
        ae->link_token = col(st, 3, a);
        ae->link_expires = db_column_int64(st, 4);
        ae->role = col(st, 5, a);
        e->queued = db_column_int64(st, 6);
        *attempts = db_column_int64(st, 7);
        ae->actor_name = col(st, 8, a);
        ae->organisation_name = col(st, 9, a);
    }
    db_reset(st);
    if (rc == DB_DONE)
        return LS_ENOTFOUND;
    return rc == DB_ROW ? LS_OK : db_fail(db, rc, err);
}

static int mark_sent(struct db *db, int64_t id, int64_t at, struct ls_err *err)
{
    struct mark m = {id, at, NULL};
    return db_write_one(db, SQL_SENT, bind_mark, &m, NULL, NULL, err);
}

static int mark_retry(struct db *db, int64_t id, int64_t next, const char *why, struct ls_err *err)
{
    struct mark m = {id, next, why};
    return db_write_one(db, SQL_RETRY, bind_mark, &m, NULL, NULL, err);
}

static int mark_failed(struct db *db, int64_t id, const char *why, struct ls_err *err)
{
    struct mark m = {id, 0, why};
    return db_write_one(db, SQL_FAILED, bind_mark, &m, NULL, NULL, err);
}

struct claim {
    int64_t id, until, now;
};

static void bind_claim(struct db_stmt *st, const void *ctx)
{
    const struct claim *c = ctx;
    db_bind_int64(st, 1, c->id);
    db_bind_int64(st, 2, c->until);
    db_bind_int64(st, 3, c->now);
}

/* Delivers outbox row `id` if it is still due and nobody else took it. */
static int deliver(struct db *db, const struct notify_smtp *smtp, const struct notify_site *site,
                   int64_t id, int64_t now, int64_t base, struct notify_pass *out,
                   struct ls_err *err)
{
    struct claim c = {id, now + 600, now};
    int claimed = 0;
    int rc = db_write_one(db, SQL_CLAIM, bind_claim, &c, &claimed, NULL, err);
    if (rc || claimed == 0)
        return rc;
    struct arena a = {0};
    struct notify_event e;
    struct notify_mail m;
    int64_t attempts = 0;
    char why[512];
    struct notify_account_event ae;
    rc = load_account_event(&ae, &e, &attempts, db, &a, id, err);
    int account = rc == LS_OK;
    if (rc == LS_ENOTFOUND) /* a booking message */
        rc = load_event(&e, &attempts, db, &a, id, err);
    if (rc && rc != LS_ENOTFOUND)
        goto done; /* a busy database: the lease runs out and a later pass retries */
    if (!rc)
        rc = !account ? notify_compose(&m, &a, &e, site, err)
             : site->compose_account
                 ? site->compose_account(&m, &a, &ae, site, err)
                 : ls_err_set(err, LS_EINTERNAL, NULL, "cannot render an account message");
    if (rc) {
        /* Cannot happen short of a broken database; keep the reason. */
        snprintf(why, sizeof why, "cannot render: %s", err->message);
        rc = mark_failed(db, id, why, err);
        out->failed++;
        goto done;
    }
    const char *msgid =
        arena_printf(&a, "labshare-%lld-%lld@%s", (long long)id, (long long)e.queued, site->host);
    const char *msg = notify_mime(&a, site, e.to, e.to_name, &m, now, msgid);
    if (notify_smtp_send(smtp, e.to, msg, why, sizeof why) == 0) {
        rc = mark_sent(db, id, tu_now(), err);
        out->sent++;
        goto done;
    }
    int64_t next = 0;
    if (notify_retry_at(e.queued, (int)attempts + 1, now, base, &next)) {
        rc = mark_failed(db, id, why, err);
        out->failed++;
    } else {
        rc = mark_retry(db, id, next, why, err);
        out->retried++;
    }
done:
    arena_release(&a);
    return rc;
}

int notify_run_pass(struct db *db, const struct notify_smtp *smtp, const struct notify_site *site,
                    int64_t now, int64_t backoff_base, struct notify_pass *out, struct ls_err *err)
{
    memset(out, 0, sizeof *out);
    int rc = notify_enqueue_reminders(db, now, &out->reminders, err);
    if (rc)
        return rc;
    int64_t ids[50];
    int n = 0;
    struct db_stmt *st = db_stmt(db, SQL_DUE);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    db_bind_int64(st, 1, now);
    while ((rc = db_step(st)) == DB_ROW && n < 50)
        ids[n++] = db_column_int64(st, 0);
    db_reset(st);
    if (rc != DB_DONE && rc != DB_ROW)
        return db_fail(db, rc, err);
    rc = LS_OK;
    for (int i = 0; i < n && !rc; i++)
        rc = deliver(db, smtp, site, ids[i], now, backoff_base, out, err);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Settings and the outbox view                                         */

int notify_prefs_get(struct notify_prefs *out, struct db *db, int64_t user_id, struct ls_err *err)
{
    *out = (struct notify_prefs){1, 1, 1, 1};
    struct db_stmt *st = db_stmt(db, SQL_PREFS_GET);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    db_bind_int64(st, 1, user_id);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        out->request = db_column_int(st, 0);
        out->decision = db_column_int(st, 1);
        out->change = db_column_int(st, 2);
        out->reminder = db_column_int(st, 3);
    }
    db_reset(st);
    return rc == DB_ROW || rc == DB_DONE ? LS_OK : db_fail(db, rc, err);
}

struct prefs_row {
    int64_t user_id;
    const struct notify_prefs *p;
};

static void bind_prefs(struct db_stmt *st, const void *ctx)
{
    const struct prefs_row *r = ctx;
    db_bind_int64(st, 1, r->user_id);
    db_bind_int(st, 2, !!r->p->request);
    db_bind_int(st, 3, !!r->p->decision);
    db_bind_int(st, 4, !!r->p->change);
    db_bind_int(st, 5, !!r->p->reminder);
}

int notify_prefs_set(struct db *db, int64_t user_id, const struct notify_prefs *p,
                     struct ls_err *err)
{
    struct prefs_row r = {user_id, p};
    return db_write_one(db, SQL_PREFS_SET, bind_prefs, &r, NULL, NULL, err);
}

int notify_lab_mailbox_get(const char **email, struct db *db, struct arena *a, const struct user *u,
                           int64_t lab_id, struct ls_err *err)
{
    struct db_stmt *st = db_stmt(db, SQL_LAB_ORG);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    db_bind_int64(st, 1, lab_id);
    int step = db_step(st);
    int64_t org = step == DB_ROW ? db_column_int64(st, 0) : 0;
    const char *cur = step == DB_ROW && a ? col(st, 1, a) : NULL;
    db_reset(st);
    if (step == DB_DONE)
        return ls_err_set(err, LS_ENOTFOUND, NULL, "no such lab");
    if (step != DB_ROW)
        return db_fail(db, step, err);
    if (!authz_manages_org(u, org))
        return ls_err_set(err, LS_EFORBIDDEN, NULL,
                          "only the lab organisation's owners and staff may manage its mailbox");
    if (email)
        *email = cur;
    return LS_OK;
}

struct mailbox_job {
    const struct user *u;
    int64_t lab_id;
    const char *email, *ip;
};

static int mailbox_txn(struct db *db, void *ctx, struct ls_err *err)
{
    const struct mailbox_job *j = ctx;
    const struct user *u = j->u;
    int64_t lab_id = j->lab_id;
    const char *email = j->email, *ip = j->ip;
    struct db_stmt *st;
    int rc = notify_lab_mailbox_get(NULL, db, NULL, u, lab_id, err);
    if (!rc && email && !notify_email_ok(email))
        rc = ls_err_set(err, LS_EVALIDATION, "email", "{field} must be an e-mail address");
    if (!rc) {
        st = db_stmt(db, SQL_LAB_MAILBOX);
        db_bind_int64(st, 1, lab_id);
        if (email)
            db_bind_text(st, 2, email, -1, DB_STATIC);
        db_bind_int64(st, 3, tu_now());
        rc = db_step_done(db, st, err);
    }
    if (!rc)
        auth_audit(db, u->id, "lab.mailbox", "lab", lab_id, email ? email : "cleared", ip);
    return rc;
}

int notify_lab_mailbox_set(struct db *db, const struct user *u, int64_t lab_id, const char *email,
                           const char *ip, struct ls_err *err)
{
    struct mailbox_job j = {u, lab_id, email, ip};
    return db_write(db, mailbox_txn, &j, err);
}

int notify_outbox_list(struct notify_rows *out, struct db *db, struct arena *a, const char *status,
                       int64_t limit, int64_t offset, struct ls_err *err)
{
    memset(out, 0, sizeof *out);
    struct db_stmt *st = db_stmt(db, SQL_OUTBOX_COUNT);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    if (status)
        db_bind_text(st, 1, status, -1, DB_STATIC);
    int rc = db_step(st);
    out->total = rc == DB_ROW ? db_column_int64(st, 0) : 0;
    db_reset(st);
    if (rc != DB_ROW)
        return db_fail(db, rc, err);
    out->items = arena_alloc(a, (size_t)(limit > 0 ? limit : 1) * sizeof *out->items);
    st = db_stmt(db, SQL_OUTBOX_LIST);
    if (status)
        db_bind_text(st, 1, status, -1, DB_STATIC);
    db_bind_int64(st, 2, limit);
    db_bind_int64(st, 3, offset);
    while ((rc = db_step(st)) == DB_ROW && out->n < limit) {
        struct notify_row *r = &out->items[out->n++];
        r->id = db_column_int64(st, 0);
        r->booking_id = db_column_int64(st, 1);
        r->user_id = db_column_int64(st, 2);
        r->attempts = db_column_int64(st, 3);
        r->next_attempt = db_column_int64(st, 4);
        r->created = db_column_int64(st, 5);
        r->sent_at = db_column_int64(st, 6);
        r->kind = col(st, 7, a);
        r->email = col(st, 8, a);
        r->lang = col(st, 9, a);
        r->status = col(st, 10, a);
        r->last_error = col(st, 11, a);
    }
    db_reset(st);
    return rc == DB_DONE || rc == DB_ROW ? LS_OK : db_fail(db, rc, err);
}
