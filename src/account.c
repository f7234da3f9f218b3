/* account.c — see account.h. */
#include "account.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "db.h"
#include "session_cache.h"
#include "field.h"
#include "throttle.h"
#include "timeutil.h"

static const char SQL_LIST[] =
    "SELECT u.id, u.email, u.name, u.role, COALESCE(u.organisation_id, 0), u.active, u.lang,"
    "       o.name, u.created, u.updated"
    " FROM users u LEFT JOIN organisations o ON o.id = u.organisation_id"
    " WHERE (?1 IS NULL OR instr(lower(u.name), lower(?1)) > 0"
    "                   OR instr(lower(u.email), lower(?1)) > 0)"
    "   AND (?2 IS NULL OR u.role = ?2)"
    "   AND (?3 IS NULL OR u.organisation_id = ?3)"
    "   AND (?4 IS NULL OR u.active = ?4)"
    " ORDER BY u.name COLLATE NOCASE, u.id LIMIT ?5 OFFSET ?6";
static const char SQL_COUNT[] = "SELECT count(*)"
                                " FROM users u"
                                " WHERE (?1 IS NULL OR instr(lower(u.name), lower(?1)) > 0"
                                "                   OR instr(lower(u.email), lower(?1)) > 0)"
                                "   AND (?2 IS NULL OR u.role = ?2)"
                                "   AND (?3 IS NULL OR u.organisation_id = ?3)"
                                "   AND (?4 IS NULL OR u.active = ?4)";
static const char SQL_GET[] =
    "SELECT u.id, u.email, u.name, u.role, COALESCE(u.organisation_id, 0), u.active, u.lang,"
    "       o.name, u.created, u.updated"
    " FROM users u LEFT JOIN organisations o ON o.id = u.organisation_id WHERE u.id = ?1";
static const char SQL_ORG_EXISTS[] = "SELECT 1 FROM organisations WHERE id = ?1";
static const char SQL_UPDATE[] =
    "UPDATE users SET name = ?2, lang = ?3, role = ?4, organisation_id = ?5, active = ?6,"
    " updated = ?7 WHERE id = ?1";
static const char SQL_HASH[] = "SELECT password_hash FROM users WHERE id = ?1";
static const char SQL_SET_HASH[] =
    "UPDATE users SET password_hash = ?2, updated = ?3 WHERE id = ?1";
static const char SQL_SESSIONS_END_OTHERS[] =
    "DELETE FROM sessions WHERE user_id = ?1 AND id_hash IS NOT ?2";
static const char SQL_AUDIT_LIST[] =
    "SELECT a.id, a.at, COALESCE(a.user_id, 0), u.name, u.email, a.action, a.object_type,"
    "       COALESCE(a.object_id, 0), a.detail, a.ip"
    " FROM audit_log a LEFT JOIN users u ON u.id = a.user_id"
    " WHERE (?1 IS NULL OR a.user_id = ?1)"
    "   AND (?2 IS NULL OR a.action = ?2 OR substr(a.action, 1, length(?2) + 1) = ?2 || '.')"
    "   AND (?3 IS NULL OR a.object_type = ?3)"
    "   AND (?4 IS NULL OR a.object_id = ?4)"
    "   AND (?5 IS NULL OR a.at >= ?5)"
    "   AND (?6 IS NULL OR a.at < ?6)"
    " ORDER BY a.at DESC, a.id DESC LIMIT ?7 OFFSET ?8";
static const char SQL_AUDIT_COUNT[] =
    "SELECT count(*) FROM audit_log a"
    " WHERE (?1 IS NULL OR a.user_id = ?1)"
    "   AND (?2 IS NULL OR a.action = ?2 OR substr(a.action, 1, length(?2) + 1) = ?2 || '.')"
    "   AND (?3 IS NULL OR a.object_type = ?3)"
    "   AND (?4 IS NULL OR a.object_id = ?4)"
    "   AND (?5 IS NULL OR a.at >= ?5)"
    "   AND (?6 IS NULL OR a.at < ?6)";

static const char *text_col(struct db_stmt *st, int i, struct arena *a)
{
    const unsigned char *s = db_column_text(st, i);
    return s ? arena_strdup(a, (const char *)s) : NULL;
}

static void read_account(struct db_stmt *st, struct arena *a, void *item)
{
    struct account *out = item;
    struct user *u = &out->user;
    u->id = db_column_int64(st, 0);
    u->email = text_col(st, 1, a);
    u->name = text_col(st, 2, a);
    u->role = auth_role_parse((const char *)db_column_text(st, 3));
    u->organisation_id = db_column_int64(st, 4);
    u->active = db_column_int(st, 5);
    u->lang = text_col(st, 6, a);
    out->organisation_name = text_col(st, 7, a);
    out->created = db_column_int64(st, 8);
    out->updated = db_column_int64(st, 9);
}

static void bind_user_filter(struct db_stmt *st, const void *filter)
{
    const struct account_filter *f = filter;
    if (f->q && *f->q)
        db_bind_text(st, 1, f->q, -1, DB_STATIC);
    if (f->role != ROLE_NONE)
        db_bind_text(st, 2, auth_role_name(f->role), -1, DB_STATIC);
    if (f->organisation_id > 0)
        db_bind_int64(st, 3, f->organisation_id);
    if (f->active == 0 || f->active == 1)
        db_bind_int(st, 4, f->active);
}

/* One page of a filtered list and the count of all matches, read from one
 * snapshot so the two agree. The list statement takes the filter's
 * parameters, then LIMIT and OFFSET at limit_param and limit_param + 1. */
struct page_query {
    const char *count_sql, *list_sql;
    int limit_param;
    void (*bind)(struct db_stmt *st, const void *filter);
    void (*read)(struct db_stmt *st, struct arena *a, void *item);
    size_t item_size;
};

static int read_page(struct db *db, const struct page_query *q, const void *filter, int64_t limit,
                     int64_t offset, struct arena *a, void **out, int *n, int64_t *total,
                     struct ls_err *err)
{
    *out = NULL;
    *n = 0;
    *total = 0;
    int rc = db_begin_read(db, err);
    if (rc)
        return rc;
    struct db_stmt *st = db_stmt(db, q->count_sql);
    if (!st) {
        rc = ls_err_set(err, LS_EINTERNAL, NULL, "database error");
        goto done;
    }
    q->bind(st, filter);
    int step = db_step(st);
    if (step == DB_ROW)
        *total = db_column_int64(st, 0);
    db_reset(st);
    if (step != DB_ROW) {
        rc = db_fail(db, step, err);
        goto done;
    }
    int64_t cap = *total - offset;
    if (cap > limit)
        cap = limit;
    if (cap <= 0)
        goto done;
    char *items = arena_alloc(a, (size_t)cap * q->item_size);
    *out = items;
    st = db_stmt(db, q->list_sql);
    q->bind(st, filter);
    db_bind_int64(st, q->limit_param, limit);
    db_bind_int64(st, q->limit_param + 1, offset);
    while (*n < cap && db_step(st) == DB_ROW)
        q->read(st, a, items + (size_t)(*n)++ * q->item_size);
    db_reset(st);
done:
    db_end_read(db);
    return rc;
}

int account_list(struct db *db, const struct account_filter *f, struct arena *a,
                 struct account **out, int *n, int64_t *total, struct ls_err *err)
{
    static const struct page_query q = {SQL_COUNT,        SQL_LIST,     5,
                                        bind_user_filter, read_account, sizeof(struct account)};
    void *items;
    int rc = read_page(db, &q, f, f->limit, f->offset, a, &items, n, total, err);
    *out = items;
    return rc;
}

int account_get(struct db *db, int64_t id, struct arena *a, struct account *out, struct ls_err *err)
{
    struct db_stmt *st = db_stmt(db, SQL_GET);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    db_bind_int64(st, 1, id);
    int rc = db_step(st);
    if (rc == DB_ROW)
        read_account(st, a, out);
    db_reset(st);
    if (rc == DB_ROW)
        return LS_OK;
    if (rc == DB_DONE)
        return ls_err_set(err, LS_ENOTFOUND, NULL, "no such user");
    return db_fail(db, rc, err);
}

struct update_job {
    const struct user *actor;
    int64_t id;
    const struct account_patch *p;
    const char *ip;
    int self;
};

/* The change itself, in one unit of the write path: read, check, write,
 * end sessions, audit. */
static int update_txn(struct db *db, void *ctx, struct ls_err *err)
{
    const struct update_job *j = ctx;
    const struct user *actor = j->actor;
    int64_t id = j->id;
    const struct account_patch *p = j->p;
    const char *ip = j->ip;
    int self = j->self;
    struct arena a = {0};
    struct account cur;
    int rc = account_get(db, id, &a, &cur, err);
    if (rc)
        goto done;
    enum role role = p->set_role ? p->role : cur.user.role;
    int64_t org = p->set_organisation ? p->organisation_id : cur.user.organisation_id;
    int active = p->set_active ? p->active : cur.user.active;
    if (self && role != cur.user.role) {
        rc = ls_err_set(err, LS_EVALIDATION, "role",
                        "you cannot change your own role; ask another staff member");
        goto done;
    }
    if (self && !active) {
        rc = ls_err_set(err, LS_EVALIDATION, "active", "you cannot deactivate your own account");
        goto done;
    }
    if (role == ROLE_OWNER && org <= 0) {
        rc = ls_err_set(err, LS_EVALIDATION, "organisation_id",
                        "an owner must belong to an organisation");
        goto done;
    }
    if (org > 0 && org != cur.user.organisation_id) {
        struct db_stmt *st = db_stmt(db, SQL_ORG_EXISTS);
        db_bind_int64(st, 1, org);
        int found = db_step(st) == DB_ROW;
        db_reset(st);
        if (!found) {
            rc = ls_err_set(err, LS_EVALIDATION, "organisation_id", "no such organisation");
            goto done;
        }
    }
    struct db_stmt *st = db_stmt(db, SQL_UPDATE);
    db_bind_int64(st, 1, id);
    db_bind_text(st, 2, p->name ? p->name : cur.user.name, -1, DB_TRANSIENT);
    db_bind_text(st, 3, p->lang ? p->lang : cur.user.lang, -1, DB_TRANSIENT);
    db_bind_text(st, 4, auth_role_name(role), -1, DB_STATIC);
    if (org > 0)
        db_bind_int64(st, 5, org);
    else
        db_bind_null(st, 5);
    db_bind_int(st, 6, active);
    db_bind_int64(st, 7, tu_now());
    if ((rc = db_step_done(db, st, err)))
        goto done;

    /* Sessions carry no copy of the role, yet a change of what someone may
     * do should also end whatever they had open under the old terms. */
    int role_changed = role != cur.user.role;
    int org_changed = org != cur.user.organisation_id;
    int active_changed = active != cur.user.active;
    if ((role_changed || org_changed || (active_changed && !active)) &&
        (rc = auth_sessions_revoke_user(db, id, err)))
        goto done;
    char detail[160];
    if (role_changed) {
        snprintf(detail, sizeof detail, "%s -> %s", auth_role_name(cur.user.role),
                 auth_role_name(role));
        auth_audit(db, actor->id, "user.role", "user", id, detail, ip);
    }
    if (org_changed) {
        snprintf(detail, sizeof detail, "organisation %lld -> %lld",
                 (long long)cur.user.organisation_id, (long long)org);
        auth_audit(db, actor->id, "user.organisation", "user", id, detail, ip);
    }
    if (active_changed)
        auth_audit(db, actor->id, active ? "user.activate" : "user.deactivate", "user", id, NULL,
                   ip);
done:
    arena_release(&a);
    return rc;
}

int account_update(struct db *db, const struct user *actor, int64_t id,
                   const struct account_patch *p, const char *ip, struct ls_err *err)
{
    int staff = authz_is_staff(actor);
    int self = actor->id == id;
    if (!staff) {
        if (!self)
            return ls_err_set(err, LS_EFORBIDDEN, NULL, "only staff may change other accounts");
        if (p->set_role)
            return ls_err_set(err, LS_EFORBIDDEN, "role", "only staff may change roles");
        if (p->set_organisation)
            return ls_err_set(err, LS_EFORBIDDEN, "organisation_id",
                              "only staff may change organisations");
        if (p->set_active)
            return ls_err_set(err, LS_EFORBIDDEN, "active",
                              "only staff may activate or deactivate accounts");
    }
    if (p->name && !auth_name_ok(p->name))
        return ls_err_set(err, LS_EVALIDATION, "name",
                          "{field} must be 1 to 200 characters of text");
    if (p->lang && strcmp(p->lang, "pl") && strcmp(p->lang, "en"))
        return ls_err_set(err, LS_EVALIDATION, "lang", "{field} must be pl or en");
    if (p->set_role && p->role == ROLE_NONE)
        return ls_err_set(err, LS_EVALIDATION, "role",
                          "{field} must be one of: researcher, owner, staff");

    struct update_job j = {actor, id, p, ip, self};
    int rc = db_write(db, update_txn, &j, err);
    session_cache_clear(); /* the account's sessions now show its new state */
    return rc;
}

/* What a password change writes, as units of the write path. */
struct password_job {
    int64_t user_id;
    const char *hash;                   /* the new hash */
    const char *keep_token;             /* the session that stays open, or NULL */
    const struct throttle_claim *claim; /* the attempt's, when the current password was given */
    const char *ip;
    int64_t actor, now;
};

static int password_fail_txn(struct db *db, void *ctx, struct ls_err *err)
{
    const struct password_job *j = ctx;
    int rc = throttle_failed(db, j->claim, err);
    if (rc)
        return rc;
    auth_audit(db, j->user_id, "user.password.fail", "user", j->user_id, "wrong current password",
               j->ip);
    return LS_OK;
}

static int store_hash(struct db *db, int64_t id, const char *hash, struct ls_err *err);

static int password_change_txn(struct db *db, void *ctx, struct ls_err *err)
{
    const struct password_job *j = ctx;
    int rc = store_hash(db, j->user_id, j->hash, err);
    if (rc)
        return rc;
    unsigned char keep[32];
    struct db_stmt *st = db_stmt(db, SQL_SESSIONS_END_OTHERS);
    db_bind_int64(st, 1, j->user_id);
    if (j->keep_token) {
        auth_token_hash(keep, j->keep_token);
        db_bind_blob(st, 2, keep, sizeof keep, DB_TRANSIENT);
    }
    if ((rc = db_step_done(db, st, err)))
        return rc;
    /* The right current password forgives the wrong ones before it. */
    if ((rc = throttle_release(db, j->claim, err)) ||
        (rc = throttle_forget(db, j->claim->keys[0].key, err)))
        return rc;
    auth_audit(db, j->user_id, "user.password.change", "user", j->user_id, NULL, j->ip);
    return LS_OK;
}

static int password_reset_txn(struct db *db, void *ctx, struct ls_err *err)
{
    const struct password_job *j = ctx;
    int rc = store_hash(db, j->user_id, j->hash, err);
    if (!rc)
        rc = auth_sessions_revoke_user(db, j->user_id, err);
    if (!rc)
        auth_audit(db, j->actor, "user.password.reset", "user", j->user_id, NULL, j->ip);
    return rc;
}

static int store_hash(struct db *db, int64_t id, const char *hash, struct ls_err *err)
{
    struct db_stmt *st = db_stmt(db, SQL_SET_HASH);
    db_bind_int64(st, 1, id);
    db_bind_text(st, 2, hash, -1, DB_TRANSIENT);
    db_bind_int64(st, 3, tu_now());
    int rc = db_step_done(db, st, err);
    if (rc == LS_OK && db_changes(db) == 0)
        rc = ls_err_set(err, LS_ENOTFOUND, NULL, "no such user");
    return rc;
}

/* After the right current password: the new one checked, hashed and
 * stored (password_change_txn also forgets the wrong ones). */
static int password_set_new(struct db *db, const struct user *u, const char *current,
                            const char *new_pw, const char *keep_token,
                            const struct throttle_claim *claim, const char *ip, int64_t now,
                            struct ls_err *err)
{
    int rc = auth_password_check(new_pw, u->email, u->name, "new", err);
    if (rc)
        return rc;
    if (strcmp(new_pw, current) == 0)
        return ls_err_set(err, LS_EVALIDATION, "new",
                          "the new password must differ from the current one");
    char new_hash[crypto_pwhash_STRBYTES];
    if ((rc = auth_password_hash(new_hash, new_pw, err)))
        return rc;
    struct password_job pj = {u->id, new_hash, keep_token, claim, ip, 0, now};
    rc = db_write(db, password_change_txn, &pj, err);
    session_cache_clear(); /* its other sessions are gone */
    sodium_memzero(new_hash, sizeof new_hash);
    return rc;
}

int account_password_change(struct db *db, const struct user *u, const char *current,
                            const char *new_pw, const char *keep_token, const char *ip,
                            struct ls_err *err)
{
    int64_t now = tu_now();
    char key[40];
    snprintf(key, sizeof key, "password:%lld", (long long)u->id);
    if (!current || !*current)
        return ls_err_set(err, LS_EVALIDATION, "current", "give your current password");
    struct throttle_claim claim = {
        .keys = {{key, ACCOUNT_PW_FREE, ACCOUNT_PW_WINDOW, THROTTLE_SLIDING, 0}},
        .n = 1,
        .now = now};
    int rc = throttle_claim(db, &claim, err);
    if (rc)
        return rc;
    if (claim.wait > 0) {
        err->retry_after = claim.wait;
        return ls_err_set(err, LS_ETOOMANY, "current",
                          "too many wrong passwords; try again in %d seconds", claim.wait);
    }

    char hash[crypto_pwhash_STRBYTES] = "";
    struct db_stmt *st = db_stmt(db, SQL_HASH);
    int step = DB_ERROR;
    if (st) {
        db_bind_int64(st, 1, u->id);
        step = db_step(st);
        if (step == DB_ROW)
            snprintf(hash, sizeof hash, "%s", (const char *)db_column_text(st, 0));
        db_reset(st);
    }
    if (step == DB_ROW && !auth_password_verify(hash, current)) {
        struct password_job pj = {u->id, NULL, NULL, &claim, ip, 0, now};
        struct ls_err ignore = {0};
        db_write(db, password_fail_txn, &pj, &ignore);
        throttle_settled();
        return ls_err_set(err, LS_EVALIDATION, "current", "the current password is wrong");
    }
    if (step == DB_ROW)
        rc = password_set_new(db, u, current, new_pw, keep_token, &claim, ip, now, err);
    else if (step == DB_DONE)
        rc = ls_err_set(err, LS_ENOTFOUND, NULL, "no such user");
    else
        rc = st ? db_fail(db, step, err) : ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    if (rc)
        throttle_give_back(db, &claim); /* not a wrong password: it does not count */
    else
        throttle_settled();
    return rc;
}

int account_password_reset(struct db *db, const struct user *actor, int64_t id, const char *new_pw,
                           const char *ip, struct ls_err *err)
{
    if (!authz_is_staff(actor))
        return ls_err_set(err, LS_EFORBIDDEN, NULL, "only staff may reset passwords");
    struct arena a = {0};
    struct account target;
    int rc = account_get(db, id, &a, &target, err);
    if (rc == LS_OK)
        rc = auth_password_check(new_pw, target.user.email, target.user.name, "password", err);
    arena_release(&a);
    if (rc)
        return rc;
    char hash[crypto_pwhash_STRBYTES];
    if ((rc = auth_password_hash(hash, new_pw, err)))
        return rc;
    struct password_job pj = {id, hash, NULL, NULL, ip, actor->id, 0};
    rc = db_write(db, password_reset_txn, &pj, err);
    session_cache_clear();
    sodium_memzero(hash, sizeof hash);
    return rc;
}

static void bind_audit_filter(struct db_stmt *st, const void *filter)
{
    const struct audit_filter *f = filter;
    if (f->user_id > 0)
        db_bind_int64(st, 1, f->user_id);
    if (f->action && *f->action)
        db_bind_text(st, 2, f->action, -1, DB_STATIC);
    if (f->object_type && *f->object_type)
        db_bind_text(st, 3, f->object_type, -1, DB_STATIC);
    if (f->object_id > 0)
        db_bind_int64(st, 4, f->object_id);
    if (f->has_from)
        db_bind_int64(st, 5, f->from);
    if (f->has_to)
        db_bind_int64(st, 6, f->to);
}

static void read_audit_entry(struct db_stmt *st, struct arena *a, void *item)
{
    struct audit_entry *e = item;
    e->id = db_column_int64(st, 0);
    e->at = db_column_int64(st, 1);
    e->user_id = db_column_int64(st, 2);
    e->user_name = text_col(st, 3, a);
    e->user_email = text_col(st, 4, a);
    e->action = text_col(st, 5, a);
    e->object_type = text_col(st, 6, a);
    e->object_id = db_column_int64(st, 7);
    e->detail = text_col(st, 8, a);
    e->ip = text_col(st, 9, a);
}

int account_audit_list(struct db *db, const struct audit_filter *f, struct arena *a,
                       struct audit_entry **out, int *n, int64_t *total, struct ls_err *err)
{
    static const struct page_query q = {
        SQL_AUDIT_COUNT,   SQL_AUDIT_LIST,   7,
        bind_audit_filter, read_audit_entry, sizeof(struct audit_entry)};
    void *items;
    int rc = read_page(db, &q, f, f->limit, f->offset, a, &items, n, total, err);
    *out = items;
    return rc;
}
