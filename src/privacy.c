/* privacy.c — see privacy.h. */
#include "privacy.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "db.h"
#include "session_cache.h"
#include "timeutil.h"

/* The sections of an export, each a query taking :user. */
static const char SQL_X_ACCOUNT[] =
    "SELECT u.*, o.name AS organisation_name FROM users u"
    " LEFT JOIN organisations o ON o.id = u.organisation_id WHERE u.id = :user";
static const char SQL_X_SESSIONS[] =
    "SELECT * FROM sessions WHERE user_id = :user ORDER BY created";
static const char SQL_X_BOOKINGS[] =
    "SELECT b.*, r.name AS resource_name FROM bookings b JOIN resources r ON r.id = b.resource_id"
    " WHERE b.user_id = :user ORDER BY b.start, b.id";
static const char SQL_X_SERIES[] = "SELECT * FROM series WHERE created_by = :user ORDER BY id";
static const char SQL_X_FEEDS[] = "SELECT * FROM feeds WHERE user_id = :user ORDER BY id";
static const char SQL_X_TRAINING[] =
    "SELECT t.*, r.name AS resource_name FROM training t JOIN resources r ON r.id = t.resource_id"
    " WHERE t.user_id = :user ORDER BY t.granted_at";
static const char SQL_X_PREFS[] = "SELECT * FROM notify_prefs WHERE user_id = :user";
static const char SQL_X_MAIL[] = "SELECT * FROM outbox WHERE user_id = :user ORDER BY id";
static const char SQL_X_AUDIT[] =
    "SELECT * FROM audit_log WHERE user_id = :user OR (object_type = 'user' AND object_id = :user)"
    " ORDER BY at, id";
static const char SQL_X_FAILURES[] =
    "SELECT at FROM login_failures"
    " WHERE key = 'email:' || lower((SELECT email FROM users WHERE id = :user)) ORDER BY at";
static const char SQL_X_OIDC[] =
    "SELECT * FROM oidc_identities WHERE user_id = :user ORDER BY created";
static const char SQL_X_INVITATION[] =
    "SELECT i.*, u.name AS invited_by_name FROM invitations i"
    " LEFT JOIN users u ON u.id = i.invited_by WHERE i.user_id = :user";
static const char SQL_X_REGISTRATION[] = "SELECT * FROM registrations WHERE user_id = :user";
static const char SQL_X_RESETS[] =
    "SELECT * FROM password_resets WHERE user_id = :user ORDER BY created";

static const struct {
    const char *name, *sql;
} sections[] = {
    {"account", SQL_X_ACCOUNT},
    {"sessions", SQL_X_SESSIONS},
    {"bookings", SQL_X_BOOKINGS},
    {"booking_series", SQL_X_SERIES},
    {"calendar_feeds", SQL_X_FEEDS},
    {"training", SQL_X_TRAINING},
    {"notification_settings", SQL_X_PREFS},
    {"messages", SQL_X_MAIL},
    {"audit_log", SQL_X_AUDIT},
    {"failed_sign_ins", SQL_X_FAILURES},
    {"single_sign_on", SQL_X_OIDC},
    {"invitation", SQL_X_INVITATION},
    {"registration", SQL_X_REGISTRATION},
    {"password_resets", SQL_X_RESETS},
};

/* Columns never exported: secrets, and text only the search index reads. */
static const char *const hidden[] = {"password_hash", "token_hash", "id_hash", "csrf",
                                     "link_token",    "search",     NULL};
/* Integer columns holding seconds UTC. */
static const char *const times[] = {
    "created",      "updated",   "start",   "end",          "expires",
    "last_seen",    "last_used", "revoked", "at",           "last_login",
    "next_attempt", "b_start",   "b_end",   "link_expires", NULL};

static const char SQL_USER_EXISTS[] = "SELECT 1 FROM users WHERE id = :user";

static int listed(const char *name, const char *const *list)
{
    for (const char *const *p = list; *p; p++)
        if (strcmp(name, *p) == 0)
            return 1;
    return 0;
}

static int is_time(const char *name)
{
    size_t n = strlen(name);
    return listed(name, times) || (n > 3 && strcmp(name + n - 3, "_at") == 0);
}

/* Reads one section's rows; the statement is bound and stepped here. */
static int read_section(struct privacy_section *s, struct db *db, struct arena *a, const char *sql,
                        int64_t user_id, struct ls_err *err)
{
    struct db_stmt *st = db_stmt(db, sql);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    db_bind_int64(st, db_bind_parameter_index(st, ":user"), user_id);
    int all = db_column_count(st);
    int *pick = arena_alloc(a, sizeof *pick * (size_t)(all + 1));
    s->cols = arena_alloc(a, sizeof *s->cols * (size_t)(all + 1));
    s->ncols = 0;
    for (int c = 0; c < all; c++) {
        const char *name = db_column_name(st, c);
        if (listed(name, hidden))
            continue;
        pick[s->ncols] = c;
        s->cols[s->ncols++] = arena_strdup(a, name);
    }
    size_t cap = 16;
    s->cells = arena_alloc(a, sizeof *s->cells * cap * (size_t)(s->ncols ? s->ncols : 1));
    s->nrows = 0;
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        if ((size_t)s->nrows == cap) {
            struct privacy_value *more =
                arena_alloc(a, sizeof *more * cap * 2 * (size_t)(s->ncols ? s->ncols : 1));
            memcpy(more, s->cells, sizeof *more * cap * (size_t)s->ncols);
            s->cells = more;
            cap *= 2;
        }
        struct privacy_value *row = s->cells + (size_t)s->nrows * (size_t)s->ncols;
        for (int k = 0; k < s->ncols; k++) {
            int c = pick[k];
            struct privacy_value *v = &row[k];
            switch (db_column_type(st, c)) {
            case DB_INTEGER:
                v->i = db_column_int64(st, c);
                v->type = is_time(s->cols[k]) ? PRIVACY_TIME : PRIVACY_INT;
                break;
            case DB_FLOAT:
                v->r = db_column_double(st, c);
                v->type = PRIVACY_REAL;
                break;
            case DB_TEXT:
                v->s = arena_strdup(a, (const char *)db_column_text(st, c));
                v->type = PRIVACY_TEXT;
                break;
            default: /* NULL; no table of ours keeps a personal BLOB */
                v->type = PRIVACY_NULL;
            }
        }
        s->nrows++;
    }
    db_reset(st);
    return rc == DB_DONE ? LS_OK : db_fail(db, rc, err);
}

int privacy_export(struct privacy_section **out, int *n, struct db *db, struct arena *a,
                   int64_t user_id, struct ls_err *err)
{
    enum { N = sizeof sections / sizeof *sections };
    *out = arena_alloc(a, sizeof **out * N);
    *n = 0;
    int rc = db_begin_read(db, err);
    if (rc)
        return rc;
    struct db_stmt *st = db_stmt(db, SQL_USER_EXISTS);
    if (!st) {
        rc = ls_err_set(err, LS_EINTERNAL, NULL, "database error");
        goto done;
    }
    db_bind_int64(st, 1, user_id);
    int found = db_step(st) == DB_ROW;
    db_reset(st);
    if (!found) {
        rc = ls_err_set(err, LS_ENOTFOUND, NULL, "no such user");
        goto done;
    }
    for (int i = 0; i < N && !rc; i++) {
        (*out)[i].name = sections[i].name;
        rc = read_section(&(*out)[i], db, a, sections[i].sql, user_id, err);
        if (!rc)
            (*n)++;
    }
done:
    db_end_read(db);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Anonymisation                                                        */

static const char SQL_A_USER[] =
    "UPDATE users SET name = :name, email = :email, password_hash = :hash, active = 0,"
    " updated = :now WHERE id = :user";
static const char SQL_A_OLD_EMAIL[] = "SELECT email FROM users WHERE id = :user";
static const char SQL_A_FEEDS[] =
    "UPDATE feeds SET revoked = :now WHERE user_id = :user AND revoked IS NULL";
static const char SQL_A_OIDC[] = "DELETE FROM oidc_identities WHERE user_id = :user";
static const char SQL_A_PREFS[] = "DELETE FROM notify_prefs WHERE user_id = :user";
static const char SQL_A_RESETS[] = "DELETE FROM password_resets WHERE user_id = :user";
static const char SQL_A_FAILURES[] = "DELETE FROM login_failures WHERE key = :key";
static const char SQL_A_PURPOSE[] =
    "UPDATE bookings SET purpose = '', updated = :now, sequence = sequence + 1"
    " WHERE user_id = :user AND purpose != ''";
static const char SQL_A_MAIL[] =
    "UPDATE outbox SET email = :email, link_token = NULL,"
    " status = CASE status WHEN 'queued' THEN 'failed' ELSE status END,"
    " last_error = CASE status WHEN 'queued' THEN 'recipient anonymised' ELSE last_error END"
    " WHERE user_id = :user OR email = :old";
static const char SQL_A_INVITATIONS[] =
    "UPDATE invitations SET email = :email WHERE user_id = :user OR email = :old";
static const char SQL_A_REGISTRATIONS[] =
    "UPDATE registrations SET email = :email, name = :name, password_hash = ''"
    " WHERE user_id = :user OR email = :old";
static const char SQL_A_AUDIT_IP[] = "UPDATE audit_log SET ip = '' WHERE user_id = :user";

struct anonymise_job {
    const struct user *actor;
    int64_t id;
    const char *hash, *ip;
};

static int anonymise_txn(struct db *db, void *ctx, struct ls_err *err)
{
    struct anonymise_job *j = ctx;
    int64_t now = tu_now();
    char old[300] = "", name[64], email[64], key[320];
    struct db_stmt *st = db_stmt(db, SQL_A_OLD_EMAIL);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    db_bind_int64(st, 1, j->id);
    int step = db_step(st);
    if (step == DB_ROW)
        snprintf(old, sizeof old, "%s", (const char *)db_column_text(st, 0));
    db_reset(st);
    if (step == DB_DONE)
        return ls_err_set(err, LS_ENOTFOUND, NULL, "no such user");
    if (step != DB_ROW)
        return db_fail(db, step, err);
    snprintf(name, sizeof name, "Anonymised user %lld", (long long)j->id);
    snprintf(email, sizeof email, "anonymised-%lld@invalid", (long long)j->id);
    snprintf(key, sizeof key, "email:%s", old);
    for (char *p = key; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p + 32);
    static const char *const writes[] = {
        SQL_A_USER,        SQL_A_FEEDS,         SQL_A_OIDC,     SQL_A_PREFS,
        SQL_A_RESETS,      SQL_A_FAILURES,      SQL_A_PURPOSE,  SQL_A_MAIL,
        SQL_A_INVITATIONS, SQL_A_REGISTRATIONS, SQL_A_AUDIT_IP, NULL,
    };
    int rc = LS_OK;
    for (const char *const *sql = writes; *sql && !rc; sql++) {
        st = db_stmt(db, *sql);
        if (!st)
            return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
        db_bind_named_int64(st, ":user", j->id);
        db_bind_named_int64(st, ":now", now);
        db_bind_named_text(st, ":name", name);
        db_bind_named_text(st, ":email", email);
        db_bind_named_text(st, ":old", old);
        db_bind_named_text(st, ":hash", j->hash);
        db_bind_named_text(st, ":key", key);
        rc = db_step_done(db, st, err);
    }
    if (!rc)
        rc = auth_sessions_revoke_user(db, j->id, err);
    if (!rc)
        auth_audit(db, j->actor->id, "user.anonymise", "user", j->id, NULL, j->ip);
    return rc;
}

int privacy_anonymise(struct db *db, const struct user *actor, int64_t id, const char *ip,
                      struct ls_err *err)
{
    if (!authz_is_staff(actor))
        return ls_err_set(err, LS_EFORBIDDEN, NULL, "only staff may anonymise accounts");
    if (actor->id == id)
        return ls_err_set(err, LS_EVALIDATION, "id",
                          "you cannot anonymise your own account; ask another staff member");
    /* A password nobody knows: the hash of 256 random bits, thrown away. */
    char secret[AUTH_TOKEN_HEX + 1], hash[128];
    auth_random_hex(secret, 32);
    int rc = auth_password_hash(hash, secret, err);
    sodium_memzero(secret, sizeof secret);
    if (rc)
        return rc;
    struct anonymise_job j = {actor, id, hash, ip};
    rc = db_write(db, anonymise_txn, &j, err);
    session_cache_clear();
    return rc;
}
