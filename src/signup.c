/* signup.c — see signup.h. */
#include "signup.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "db.h"
#include "session_cache.h"
#include "notify.h"
#include "timeutil.h"

static const char SQL_DOMAINS_DELETE[] =
    "DELETE FROM organisation_email_domains WHERE organisation_id = :org";
static const char SQL_DOMAIN_OWNER[] =
    "SELECT organisation_id FROM organisation_email_domains WHERE domain = :domain";
static const char SQL_DOMAIN_INSERT[] =
    "INSERT OR IGNORE INTO organisation_email_domains(domain, organisation_id)"
    " VALUES (:domain, :org)";
static const char SQL_DOMAINS_LIST[] = "SELECT domain FROM organisation_email_domains"
                                       " WHERE organisation_id = :org ORDER BY domain";
static const char SQL_DOMAIN_MEMBER[] =
    "SELECT d.organisation_id FROM organisation_email_domains d"
    " JOIN organisations o ON o.id = d.organisation_id AND o.member = 1"
    " WHERE d.domain = :domain";
static const char SQL_ORG_EXISTS[] = "SELECT 1 FROM organisations WHERE id = :org";
static const char SQL_SETTING_GET[] = "SELECT value FROM settings WHERE key = :key";
static const char SQL_SETTING_PUT[] = "INSERT INTO settings(key, value) VALUES (:key, :value)"
                                      " ON CONFLICT(key) DO UPDATE SET value = excluded.value";
static const char SQL_THROTTLE_STATS[] =
    "SELECT count(*), COALESCE(min(at), 0) FROM account_throttle WHERE key = :key AND at > :since";
static const char SQL_THROTTLE_ADD[] = "INSERT INTO account_throttle(key, at) VALUES (:key, :at)";
static const char SQL_THROTTLE_PRUNE[] = "DELETE FROM account_throttle WHERE at <= :since";
static const char SQL_USER_ID_BY_EMAIL[] =
    "SELECT id, lang FROM users WHERE email = :email AND active = 1";
static const char SQL_USER_EXISTS[] = "SELECT id, lang FROM users WHERE email = :email";
static const char SQL_INV_REPLACE[] =
    "DELETE FROM invitations WHERE email = :email AND accepted_at IS NULL";
static const char SQL_INV_INSERT[] =
    "INSERT INTO invitations(token_hash, email, role, organisation_id, lang, invited_by, created,"
    " expires) VALUES (:hash, :email, :role, nullif(:org, 0), :lang, :actor, :now, :expires)";
static const char SQL_INV_BY_TOKEN[] =
    "SELECT i.id, i.expires, i.accepted_at, i.email, i.role, COALESCE(i.organisation_id, 0),"
    " i.lang, o.name, u.name, i.created FROM invitations i"
    " LEFT JOIN organisations o ON o.id = i.organisation_id"
    " LEFT JOIN users u ON u.id = i.invited_by WHERE i.token_hash = :hash";
static const char SQL_INV_ACCEPTED[] =
    "UPDATE invitations SET accepted_at = :now, user_id = :user WHERE id = :id";
static const char SQL_RESET_INSERT[] =
    "INSERT INTO password_resets(token_hash, user_id, created, expires)"
    " VALUES (:hash, nullif(:user, 0), :now, :expires)";
static const char SQL_RESET_PRUNE[] = "DELETE FROM password_resets WHERE expires < :before";
static const char SQL_RESET_BY_TOKEN[] =
    "SELECT r.id, r.expires, r.used_at, COALESCE(r.user_id, 0) FROM password_resets r"
    " WHERE r.token_hash = :hash";
static const char SQL_RESET_USE_ALL[] =
    "UPDATE password_resets SET used_at = :now WHERE user_id = :user AND used_at IS NULL";
static const char SQL_SET_HASH[] =
    "UPDATE users SET password_hash = :hash, updated = :now WHERE id = :user";
static const char SQL_REG_REPLACE[] =
    "DELETE FROM registrations WHERE email = :email AND verified_at IS NULL";
static const char SQL_REG_PRUNE[] =
    "DELETE FROM registrations WHERE verified_at IS NULL AND expires < :before";
static const char SQL_REG_INSERT[] =
    "INSERT INTO registrations(token_hash, email, name, password_hash, lang, created, expires)"
    " VALUES (:hash, :email, :name, :pw, :lang, :now, :expires)";
static const char SQL_REG_BY_TOKEN[] =
    "SELECT id, expires, verified_at, email, name, password_hash, lang FROM registrations"
    " WHERE token_hash = :hash";
static const char SQL_REG_VERIFIED[] =
    "UPDATE registrations SET verified_at = :now, user_id = :user, password_hash = ''"
    " WHERE id = :id";

#define GUEST_KEY "accounts.guest_registration"

static int guest_pinned = -1; /* signup_configure: -1 = staff decide */

static void bind_hash(struct db_stmt *st, const unsigned char h[32])
{
    db_bind_blob(st, db_bind_parameter_index(st, ":hash"), h, 32, DB_TRANSIENT);
}

static const char *col_text(struct db_stmt *st, int i, struct arena *a)
{
    const unsigned char *s = db_column_text(st, i);
    return s ? arena_strdup(a, (const char *)s) : NULL;
}

/* ------------------------------------------------------------------ */
/* E-mail domains                                                       */

int signup_domain_check(char out[SIGNUP_DOMAIN_MAX + 1], const char *domain, const char *field,
                        struct ls_err *err)
{
    size_t n = domain ? strlen(domain) : 0;
    if (n == 0 || n > SIGNUP_DOMAIN_MAX)
        return ls_err_set(err, LS_EVALIDATION, field, "a domain must have 1 to %d characters",
                          SIGNUP_DOMAIN_MAX);
    int labels = 0;
    size_t label = 0;
    for (size_t i = 0; i <= n; i++) {
        char c = i < n ? domain[i] : '.';
        if (c == '.') {
            if (label == 0 || label > 63 || out[i - 1] == '-' || out[i - label] == '-')
                return ls_err_set(err, LS_EVALIDATION, field,
                                  "a domain is made of labels of 1 to 63 letters, digits or "
                                  "hyphens, separated by dots");
            labels++;
            label = 0;
            if (i < n)
                out[i] = '.';
            continue;
        }
        if (!isalnum((unsigned char)c) && c != '-')
            return ls_err_set(err, LS_EVALIDATION, field,
                              "a domain may contain only letters, digits, hyphens and dots "
                              "(write international names as xn--)");
        out[i] = (char)tolower((unsigned char)c);
        label++;
    }
    out[n] = '\0';
    if (labels < 2)
        return ls_err_set(err, LS_EVALIDATION, field, "a domain needs at least two labels");
    return LS_OK;
}

struct domains_job {
    int64_t org;
    char **domains;
    int n;
};

int signup_domains_check(struct db *db, int64_t org_id, char **domains, int n, struct ls_err *err)
{
    if (n < 0 || n > SIGNUP_DOMAINS_MAX)
        return ls_err_set(err, LS_EVALIDATION, "email_domains",
                          "an organisation may have at most %d e-mail domains", SIGNUP_DOMAINS_MAX);
    for (int i = 0; i < n; i++) {
        char canon[SIGNUP_DOMAIN_MAX + 1];
        int rc = signup_domain_check(canon, domains[i], "email_domains", err);
        if (rc)
            return rc;
        memcpy(domains[i], canon, strlen(canon)); /* only lowercased: the same length */
        struct db_stmt *st = db_stmt(db, SQL_DOMAIN_OWNER);
        if (!st)
            return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
        db_bind_named_text(st, ":domain", domains[i]);
        int64_t owner = db_step(st) == DB_ROW ? db_column_int64(st, 0) : 0;
        db_reset(st);
        if (owner && owner != org_id)
            return ls_err_set(err, LS_ECONFLICT, "email_domains",
                              "the domain %s belongs to another organisation", domains[i]);
    }
    return LS_OK;
}

static int domains_txn(struct db *db, void *ctx, struct ls_err *err)
{
    struct domains_job *j = ctx;
    struct db_stmt *st = db_stmt(db, SQL_ORG_EXISTS);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    db_bind_named_int64(st, ":org", j->org);
    int found = db_step(st) == DB_ROW;
    db_reset(st);
    if (!found)
        return ls_err_set(err, LS_EVALIDATION, "organisation_id", "{field}: not found");
    int rc = signup_domains_check(db, j->org, j->domains, j->n, err);
    if (rc)
        return rc;
    st = db_stmt(db, SQL_DOMAINS_DELETE);
    db_bind_named_int64(st, ":org", j->org);
    rc = db_step_done(db, st, err);
    for (int i = 0; i < j->n && !rc; i++) {
        st = db_stmt(db, SQL_DOMAIN_INSERT);
        db_bind_named_text(st, ":domain", j->domains[i]);
        db_bind_named_int64(st, ":org", j->org);
        rc = db_step_done(db, st, err);
    }
    return rc;
}

int signup_domains_set(struct db *db, int64_t org_id, const char *const *domains, int n,
                       struct ls_err *err)
{
    if (n < 0 || n > SIGNUP_DOMAINS_MAX)
        return ls_err_set(err, LS_EVALIDATION, "email_domains",
                          "an organisation may have at most %d e-mail domains", SIGNUP_DOMAINS_MAX);
    struct arena a = {0};
    char **copy = arena_alloc(&a, sizeof *copy * (size_t)(n + 1));
    for (int i = 0; i < n; i++)
        copy[i] = arena_strdup(&a, domains[i] ? domains[i] : "");
    struct domains_job j = {org_id, copy, n};
    int rc = db_write(db, domains_txn, &j, err);
    arena_release(&a);
    return rc;
}

int signup_domains_list(const char ***out, int *n, struct db *db, struct arena *a, int64_t org_id,
                        struct ls_err *err)
{
    *out = arena_alloc(a, sizeof **out * (SIGNUP_DOMAINS_MAX + 1));
    *n = 0;
    struct db_stmt *st = db_stmt(db, SQL_DOMAINS_LIST);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    db_bind_named_int64(st, ":org", org_id);
    int rc;
    while ((rc = db_step(st)) == DB_ROW && *n < SIGNUP_DOMAINS_MAX)
        (*out)[(*n)++] = col_text(st, 0, a);
    db_reset(st);
    return rc == DB_ROW || rc == DB_DONE ? LS_OK : db_fail(db, rc, err);
}

int signup_domain_organisation(int64_t *out, struct db *db, const char *email, struct ls_err *err)
{
    *out = 0;
    const char *at = email ? strrchr(email, '@') : NULL;
    if (!at)
        return LS_OK;
    char domain[SIGNUP_DOMAIN_MAX + 1];
    struct ls_err ignore = {0};
    if (signup_domain_check(domain, at + 1, "email", &ignore))
        return LS_OK; /* no organisation can own a domain that is not one */
    struct db_stmt *st = db_stmt(db, SQL_DOMAIN_MEMBER);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    /* The domain itself, then each parent with at least two labels. */
    for (const char *d = domain; d && strchr(d, '.');
         d = strchr(d, '.') ? strchr(d, '.') + 1 : NULL) {
        db_bind_named_text(st, ":domain", d);
        int rc = db_step(st);
        if (rc == DB_ROW)
            *out = db_column_int64(st, 0);
        db_reset(st);
        if (rc == DB_ROW)
            return LS_OK;
        if (rc != DB_DONE)
            return db_fail(db, rc, err);
    }
    return LS_OK;
}

/* ------------------------------------------------------------------ */
/* The guest setting                                                    */

void signup_configure(int guest_registration)
{
    guest_pinned = guest_registration < 0 ? -1 : !!guest_registration;
}

int signup_guest_registration(struct db *db, int *locked)
{
    if (locked)
        *locked = guest_pinned >= 0;
    if (guest_pinned >= 0)
        return guest_pinned;
    int on = 1;
    struct db_stmt *st = db_stmt(db, SQL_SETTING_GET);
    if (!st)
        return on;
    db_bind_named_text(st, ":key", GUEST_KEY);
    if (db_step(st) == DB_ROW)
        on = strcmp((const char *)db_column_text(st, 0), "off") != 0;
    db_reset(st);
    return on;
}

struct setting_job {
    const struct user *actor;
    int on;
    const char *ip;
};

static int guest_setting_txn(struct db *db, void *ctx, struct ls_err *err)
{
    struct setting_job *j = ctx;
    struct db_stmt *st = db_stmt(db, SQL_SETTING_PUT);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    db_bind_named_text(st, ":key", GUEST_KEY);
    db_bind_named_text(st, ":value", j->on ? "on" : "off");
    int rc = db_step_done(db, st, err);
    if (!rc)
        auth_audit(db, j->actor->id, "settings.guest_registration", "settings", 0,
                   j->on ? "on" : "off", j->ip);
    return rc;
}

int signup_set_guest_registration(struct db *db, const struct user *actor, int on, const char *ip,
                                  struct ls_err *err)
{
    if (!authz_is_staff(actor))
        return ls_err_set(err, LS_EFORBIDDEN, NULL, "only staff may change this setting");
    if (guest_pinned >= 0)
        return ls_err_set(err, LS_ECONFLICT, "guest_registration",
                          "this setting is fixed by the server's configuration");
    struct setting_job j = {actor, on, ip};
    return db_write(db, guest_setting_txn, &j, err);
}

int signup_account_for(int64_t *org_id, struct db *db, const char *email, const char *field,
                       struct ls_err *err)
{
    int rc = signup_domain_organisation(org_id, db, email, err);
    if (rc || *org_id > 0)
        return rc;
    if (!signup_guest_registration(db, NULL))
        return ls_err_set(err, LS_EFORBIDDEN, field,
                          "only addresses of member organisations may have an account here");
    return LS_OK;
}

/* ------------------------------------------------------------------ */
/* Links and throttling                                                 */

/* A fresh link token (64 hex characters) and its hash. */
static void new_token(char token[AUTH_TOKEN_HEX + 1], unsigned char hash[32])
{
    auth_random_hex(token, 32);
    auth_token_hash(hash, token);
}

/* Runs st (a SELECT by :hash whose first columns are id, expires and the
 * used-at time) for the token and leaves it on the row: 404 for a malformed
 * or unknown token, 410 for one used or expired (st reset then). */
static int link_row(struct db *db, struct db_stmt *st, const char *token, int64_t now,
                    struct ls_err *err)
{
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    if (!auth_token_ok(token)) {
        db_reset(st);
        return ls_err_set(err, LS_ENOTFOUND, "token", "this link is not valid");
    }
    unsigned char h[32];
    auth_token_hash(h, token);
    bind_hash(st, h);
    int rc = db_step(st);
    if (rc != DB_ROW) {
        db_reset(st);
        return rc == DB_DONE ? ls_err_set(err, LS_ENOTFOUND, "token", "this link is not valid")
                             : db_fail(db, rc, err);
    }
    if (db_column_type(st, 2) != DB_NULL) {
        db_reset(st);
        return ls_err_set(err, LS_EGONE, "token", "this link has already been used");
    }
    if (db_column_int64(st, 1) <= now) {
        db_reset(st);
        return ls_err_set(err, LS_EGONE, "token", "this link has expired; ask for a new one");
    }
    return LS_OK;
}

/* Seconds `key` must wait, 0 if it may go: at most `limit` requests within
 * the window, counted from the oldest. */
static int throttle_wait(struct db *db, const char *key, int limit, int64_t now)
{
    struct db_stmt *st = db_stmt(db, SQL_THROTTLE_STATS);
    if (!st)
        return 0;
    db_bind_named_text(st, ":key", key);
    db_bind_named_int64(st, ":since", now - SIGNUP_THROTTLE_WINDOW);
    int n = 0;
    int64_t oldest = 0;
    if (db_step(st) == DB_ROW) {
        n = db_column_int(st, 0);
        oldest = db_column_int64(st, 1);
    }
    db_reset(st);
    if (n < limit)
        return 0;
    int64_t left = oldest + SIGNUP_THROTTLE_WINDOW - now + 1;
    return left > 0 ? (int)left : 1;
}

/* Counts one request of `what` ("reset", "register") for the address and
 * the client, or answers 429 when either is over its limit. Runs inside
 * the request's write job, so concurrent requests cannot both slip under. */
static int throttle(struct db *db, const char *what, const char *email, const char *ip, int64_t now,
                    struct ls_err *err)
{
    char kaddr[300], kip[100];
    snprintf(kaddr, sizeof kaddr, "%s:email:%.260s", what, email);
    for (char *p = kaddr; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    snprintf(kip, sizeof kip, "%s:ip:%.64s", what, ip ? ip : "");
    int wait = throttle_wait(db, kaddr, SIGNUP_THROTTLE_PER_ADDRESS, now);
    int wait_ip = throttle_wait(db, kip, SIGNUP_THROTTLE_PER_CLIENT, now);
    if (wait_ip > wait)
        wait = wait_ip;
    if (wait > 0) {
        err->retry_after = wait;
        return ls_err_set(err, LS_ETOOMANY, NULL, "too many requests; try again in %d minutes",
                          (wait + 59) / 60);
    }
    struct db_stmt *st = db_stmt(db, SQL_THROTTLE_PRUNE);
    db_bind_named_int64(st, ":since", now - SIGNUP_THROTTLE_WINDOW);
    int rc = db_step_done(db, st, err);
    const char *keys[] = {kaddr, kip};
    for (int i = 0; i < 2 && !rc; i++) {
        st = db_stmt(db, SQL_THROTTLE_ADD);
        db_bind_named_text(st, ":key", keys[i]);
        db_bind_named_int64(st, ":at", now);
        rc = db_step_done(db, st, err);
    }
    return rc;
}

/* The active account with this address: *id (0 = none) and its language. */
static int user_by_email(int64_t *id, char lang[3], struct db *db, const char *sql,
                         const char *email, struct ls_err *err)
{
    *id = 0;
    snprintf(lang, 3, "pl");
    struct db_stmt *st = db_stmt(db, sql);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    db_bind_named_text(st, ":email", email);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        *id = db_column_int64(st, 0);
        snprintf(lang, 3, "%s", (const char *)db_column_text(st, 1));
    }
    db_reset(st);
    return rc == DB_ROW || rc == DB_DONE ? LS_OK : db_fail(db, rc, err);
}

static int lang_ok(const char *l)
{
    return l && (strcmp(l, "pl") == 0 || strcmp(l, "en") == 0);
}

/* ------------------------------------------------------------------ */
/* Invitations                                                          */

struct invite_job {
    const struct user *actor;
    const struct signup_invitation *in;
    const char *lang;
    const char *ip;
    int64_t id, expires;
};

static int invite_txn(struct db *db, void *ctx, struct ls_err *err)
{
    struct invite_job *j = ctx;
    int64_t now = tu_now();
    int64_t uid;
    char ulang[3];
    int rc = user_by_email(&uid, ulang, db, SQL_USER_EXISTS, j->in->email, err);
    if (rc)
        return rc;
    if (uid)
        return ls_err_set(err, LS_ECONFLICT, "email", "this address already has an account");
    if (j->in->organisation_id > 0) {
        struct db_stmt *st = db_stmt(db, SQL_ORG_EXISTS);
        db_bind_named_int64(st, ":org", j->in->organisation_id);
        int found = db_step(st) == DB_ROW;
        db_reset(st);
        if (!found)
            return ls_err_set(err, LS_EVALIDATION, "organisation_id", "no such organisation");
    }
    struct db_stmt *st = db_stmt(db, SQL_INV_REPLACE);
    db_bind_named_text(st, ":email", j->in->email);
    if ((rc = db_step_done(db, st, err)))
        return rc;
    char token[AUTH_TOKEN_HEX + 1];
    unsigned char h[32];
    new_token(token, h);
    j->expires = now + SIGNUP_INVITATION_TTL;
    st = db_stmt(db, SQL_INV_INSERT);
    bind_hash(st, h);
    db_bind_named_text(st, ":email", j->in->email);
    db_bind_named_text(st, ":role", auth_role_name(j->in->role));
    db_bind_named_int64(st, ":org", j->in->organisation_id);
    db_bind_named_text(st, ":lang", j->lang);
    db_bind_named_int64(st, ":actor", j->actor->id);
    db_bind_named_int64(st, ":now", now);
    db_bind_named_int64(st, ":expires", j->expires);
    if ((rc = db_step_done(db, st, err)))
        return rc;
    j->id = db_last_insert_id(db);
    struct notify_account_msg m = {
        .kind = NOTIFY_INVITATION,
        .email = j->in->email,
        .lang = j->lang,
        .actor_id = j->actor->id,
        .link_token = token,
        .link_expires = j->expires,
        .organisation_id = j->in->organisation_id,
        .role = auth_role_name(j->in->role),
    };
    rc = notify_enqueue_account(db, &m, now, err);
    sodium_memzero(token, sizeof token);
    if (rc)
        return rc;
    char detail[120];
    snprintf(detail, sizeof detail, "%s, organisation %lld", auth_role_name(j->in->role),
             (long long)j->in->organisation_id);
    auth_audit(db, j->actor->id, "invitation.create", "invitation", j->id, detail, j->ip);
    return LS_OK;
}

int signup_invite(int64_t *out_id, int64_t *expires, struct db *db, const struct user *actor,
                  const struct signup_invitation *in, const char *ip, struct ls_err *err)
{
    struct signup_invitation v = *in;
    if (!authz_is_staff(actor)) {
        if (actor->role != ROLE_OWNER || actor->organisation_id <= 0)
            return ls_err_set(err, LS_EFORBIDDEN, NULL, "only staff and owners may invite");
        if (v.role != ROLE_RESEARCHER)
            return ls_err_set(err, LS_EFORBIDDEN, "role", "owners may invite researchers only");
        if (v.organisation_id == 0)
            v.organisation_id = actor->organisation_id;
        if (v.organisation_id != actor->organisation_id)
            return ls_err_set(err, LS_EFORBIDDEN, "organisation_id",
                              "owners may invite to their own organisation only");
    }
    if (!v.email || !auth_email_ok(v.email))
        return ls_err_set(err, LS_EVALIDATION, "email", "{field} must be an e-mail address");
    if (v.role == ROLE_NONE)
        return ls_err_set(err, LS_EVALIDATION, "role",
                          "{field} must be one of: researcher, owner, staff");
    if (v.role == ROLE_OWNER && v.organisation_id <= 0)
        return ls_err_set(err, LS_EVALIDATION, "organisation_id",
                          "an owner must belong to an organisation");
    const char *lang = v.lang ? v.lang : actor->lang;
    if (!lang_ok(lang))
        return ls_err_set(err, LS_EVALIDATION, "lang", "{field} must be pl or en");
    struct invite_job j = {actor, &v, lang, ip, 0, 0};
    int rc = db_write(db, invite_txn, &j, err);
    if (rc)
        return rc;
    if (out_id)
        *out_id = j.id;
    if (expires)
        *expires = j.expires;
    return LS_OK;
}

int signup_invitation_get(struct signup_invitation_info *out, struct db *db, struct arena *a,
                          const char *token, struct ls_err *err)
{
    memset(out, 0, sizeof *out);
    struct db_stmt *st = db_stmt(db, SQL_INV_BY_TOKEN);
    int rc = link_row(db, st, token, tu_now(), err);
    if (rc)
        return rc;
    out->id = db_column_int64(st, 0);
    out->expires = db_column_int64(st, 1);
    out->email = col_text(st, 3, a);
    out->role = auth_role_parse((const char *)db_column_text(st, 4));
    out->organisation_id = db_column_int64(st, 5);
    out->lang = col_text(st, 6, a);
    out->organisation_name = col_text(st, 7, a);
    out->invited_by = col_text(st, 8, a);
    out->created = db_column_int64(st, 9);
    db_reset(st);
    return LS_OK;
}

/* Signs in a just-made account inside its creating job. */
struct new_account {
    struct user *user;
    const char **session, **csrf;
    struct arena *a;
    const char *ip;
};

static int sign_in_new(struct db *db, struct new_account *n, int64_t id, struct ls_err *err)
{
    int rc = auth_user_get(db, id, n->a, n->user, err);
    if (!rc)
        rc = auth_session_create(db, n->user, n->ip, n->a, n->session, n->csrf, err);
    if (!rc)
        auth_audit(db, id, "session.create", "user", id, NULL, n->ip);
    return rc;
}

struct accept_job {
    struct new_account out;
    const char *token, *name, *hash;
};

static int accept_txn(struct db *db, void *ctx, struct ls_err *err)
{
    struct accept_job *j = ctx;
    struct signup_invitation_info inv;
    int rc = signup_invitation_get(&inv, db, j->out.a, j->token, err);
    if (rc)
        return rc;
    struct user_new u = {inv.email, j->name, NULL, inv.role, inv.organisation_id, inv.lang};
    int64_t id = 0;
    if ((rc = auth_user_insert(db, &u, j->hash, &id, err)))
        return rc;
    struct db_stmt *st = db_stmt(db, SQL_INV_ACCEPTED);
    db_bind_named_int64(st, ":now", tu_now());
    db_bind_named_int64(st, ":user", id);
    db_bind_named_int64(st, ":id", inv.id);
    if ((rc = db_step_done(db, st, err)))
        return rc;
    auth_audit(db, id, "user.create", "user", id, "invitation", j->out.ip);
    return sign_in_new(db, &j->out, id, err);
}

int signup_invitation_accept(struct user *user, const char **session, const char **csrf,
                             struct db *db, struct arena *a, const char *token, const char *name,
                             const char *password, const char *ip, struct ls_err *err)
{
    /* The link first (so a stale page hears that it is stale), then the
     * fields, then argon2 outside the write lock. */
    struct signup_invitation_info inv;
    int rc = signup_invitation_get(&inv, db, a, token, err);
    if (rc)
        return rc;
    struct user_new u = {inv.email, name, password, inv.role, inv.organisation_id, inv.lang};
    if ((rc = auth_user_check(&u, err)) ||
        (rc = auth_password_check(password, inv.email, name, "password", err)))
        return rc;
    char hash[128];
    if ((rc = auth_password_hash(hash, password, err)))
        return rc;
    struct accept_job j = {{user, session, csrf, a, ip}, token, name, hash};
    return db_write(db, accept_txn, &j, err);
}

/* ------------------------------------------------------------------ */
/* Password reset                                                       */

struct reset_request_job {
    const char *email, *lang, *ip;
};

static int reset_request_txn(struct db *db, void *ctx, struct ls_err *err)
{
    struct reset_request_job *j = ctx;
    int64_t now = tu_now();
    int rc = throttle(db, "reset", j->email, j->ip, now, err);
    if (rc)
        return rc;
    int64_t uid;
    char ulang[3];
    if ((rc = user_by_email(&uid, ulang, db, SQL_USER_ID_BY_EMAIL, j->email, err)))
        return rc;
    /* The same statements run for both kinds of address: only the values
     * differ (a row without a user, a message without a link). */
    char token[AUTH_TOKEN_HEX + 1];
    unsigned char h[32];
    new_token(token, h);
    struct db_stmt *st = db_stmt(db, SQL_RESET_PRUNE);
    db_bind_named_int64(st, ":before", now - 24 * 3600);
    if ((rc = db_step_done(db, st, err)))
        return rc;
    st = db_stmt(db, SQL_RESET_INSERT);
    bind_hash(st, h);
    db_bind_named_int64(st, ":user", uid);
    db_bind_named_int64(st, ":now", now);
    db_bind_named_int64(st, ":expires", now + SIGNUP_RESET_TTL);
    if ((rc = db_step_done(db, st, err)))
        return rc;
    struct notify_account_msg m = {
        .kind = uid ? NOTIFY_PASSWORD_RESET : NOTIFY_RESET_UNKNOWN,
        .email = j->email,
        .lang = uid ? ulang : j->lang,
        .user_id = uid,
        .link_token = uid ? token : NULL,
        .link_expires = now + SIGNUP_RESET_TTL,
    };
    rc = notify_enqueue_account(db, &m, now, err);
    sodium_memzero(token, sizeof token);
    return rc;
}

int signup_reset_request(struct db *db, const char *email, const char *lang, const char *ip,
                         struct ls_err *err)
{
    if (!email || !auth_email_ok(email))
        return ls_err_set(err, LS_EVALIDATION, "email", "{field} must be an e-mail address");
    struct reset_request_job j = {email, lang_ok(lang) ? lang : "pl", ip};
    return db_write(db, reset_request_txn, &j, err);
}

/* The reset row of a token: its id and account (404 when it has none). */
static int reset_row(int64_t *id, int64_t *user_id, int64_t *expires, struct db *db,
                     const char *token, struct ls_err *err)
{
    struct db_stmt *st = db_stmt(db, SQL_RESET_BY_TOKEN);
    int rc = link_row(db, st, token, tu_now(), err);
    if (rc)
        return rc;
    *id = db_column_int64(st, 0);
    *expires = db_column_int64(st, 1);
    *user_id = db_column_int64(st, 3);
    db_reset(st);
    if (*user_id == 0) /* never sent as a link: an address without an account */
        return ls_err_set(err, LS_ENOTFOUND, "token", "this link is not valid");
    return LS_OK;
}

int signup_reset_check(int64_t *expires, struct db *db, const char *token, struct ls_err *err)
{
    int64_t id, uid, exp;
    int rc = reset_row(&id, &uid, &exp, db, token, err);
    if (!rc && expires)
        *expires = exp;
    return rc;
}

struct reset_job {
    const char *token, *hash, *ip;
};

static int reset_txn(struct db *db, void *ctx, struct ls_err *err)
{
    struct reset_job *j = ctx;
    int64_t id, uid, exp, now = tu_now();
    int rc = reset_row(&id, &uid, &exp, db, j->token, err);
    if (rc)
        return rc;
    struct db_stmt *st = db_stmt(db, SQL_SET_HASH);
    db_bind_named_text(st, ":hash", j->hash);
    db_bind_named_int64(st, ":now", now);
    db_bind_named_int64(st, ":user", uid);
    if ((rc = db_step_done(db, st, err)))
        return rc;
    st = db_stmt(db, SQL_RESET_USE_ALL);
    db_bind_named_int64(st, ":now", now);
    db_bind_named_int64(st, ":user", uid);
    if ((rc = db_step_done(db, st, err)))
        return rc;
    if ((rc = auth_sessions_revoke_user(db, uid, err)))
        return rc;
    auth_audit(db, uid, "user.password.reset", "user", uid, "e-mail link", j->ip);
    return LS_OK;
}

int signup_reset_complete(struct db *db, const char *token, const char *password, const char *ip,
                          struct ls_err *err)
{
    int64_t id, uid, exp;
    int rc = reset_row(&id, &uid, &exp, db, token, err);
    if (rc)
        return rc;
    struct arena a = {0};
    struct user u;
    rc = auth_user_get(db, uid, &a, &u, err);
    if (!rc)
        rc = auth_password_check(password, u.email, u.name, "password", err);
    arena_release(&a);
    if (rc)
        return rc;
    char hash[128];
    if ((rc = auth_password_hash(hash, password, err)))
        return rc;
    struct reset_job j = {token, hash, ip};
    rc = db_write(db, reset_txn, &j, err);
    session_cache_clear();
    sodium_memzero(hash, sizeof hash);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Self-registration                                                    */

struct register_job {
    const struct signup_registration *r;
    const char *hash, *ip;
};

static int register_txn(struct db *db, void *ctx, struct ls_err *err)
{
    struct register_job *j = ctx;
    int64_t now = tu_now();
    int rc = throttle(db, "register", j->r->email, j->ip, now, err);
    if (rc)
        return rc;
    int64_t uid;
    char ulang[3];
    if ((rc = user_by_email(&uid, ulang, db, SQL_USER_EXISTS, j->r->email, err)))
        return rc;
    if (uid) { /* tell the address's owner, not the one who typed it */
        struct notify_account_msg m = {
            NOTIFY_ACCOUNT_EXISTS, j->r->email, ulang, uid, 0, NULL, 0, 0, NULL};
        return notify_enqueue_account(db, &m, now, err);
    }
    struct db_stmt *st = db_stmt(db, SQL_REG_PRUNE);
    db_bind_named_int64(st, ":before", now - 24 * 3600);
    if ((rc = db_step_done(db, st, err)))
        return rc;
    st = db_stmt(db, SQL_REG_REPLACE);
    db_bind_named_text(st, ":email", j->r->email);
    if ((rc = db_step_done(db, st, err)))
        return rc;
    char token[AUTH_TOKEN_HEX + 1];
    unsigned char h[32];
    new_token(token, h);
    st = db_stmt(db, SQL_REG_INSERT);
    bind_hash(st, h);
    db_bind_named_text(st, ":email", j->r->email);
    db_bind_named_text(st, ":name", j->r->name);
    db_bind_named_text(st, ":pw", j->hash);
    db_bind_named_text(st, ":lang", j->r->lang);
    db_bind_named_int64(st, ":now", now);
    db_bind_named_int64(st, ":expires", now + SIGNUP_REGISTRATION_TTL);
    rc = db_step_done(db, st, err);
    if (!rc) {
        struct notify_account_msg m = {
            NOTIFY_VERIFY_EMAIL,           j->r->email, j->r->lang, 0, 0, token,
            now + SIGNUP_REGISTRATION_TTL, 0,           NULL};
        rc = notify_enqueue_account(db, &m, now, err);
    }
    sodium_memzero(token, sizeof token);
    return rc;
}

int signup_register(struct db *db, const struct signup_registration *r, const char *ip,
                    struct ls_err *err)
{
    struct signup_registration v = *r;
    if (!lang_ok(v.lang))
        v.lang = "pl";
    struct user_new u = {v.email, v.name, v.password, ROLE_RESEARCHER, 0, v.lang};
    int rc = auth_user_check(&u, err);
    if (!rc)
        rc = auth_password_check(v.password, v.email, v.name, "password", err);
    int64_t org = 0;
    if (!rc)
        rc = signup_account_for(&org, db, v.email, "email", err);
    if (rc)
        return rc;
    /* Hashed whether or not the address has an account: same time. */
    char hash[128];
    if ((rc = auth_password_hash(hash, v.password, err)))
        return rc;
    struct register_job j = {&v, hash, ip};
    rc = db_write(db, register_txn, &j, err);
    sodium_memzero(hash, sizeof hash);
    return rc;
}

struct verify_job {
    struct new_account out;
    const char *token;
};

static int verify_txn(struct db *db, void *ctx, struct ls_err *err)
{
    struct verify_job *j = ctx;
    struct db_stmt *st = db_stmt(db, SQL_REG_BY_TOKEN);
    int rc = link_row(db, st, j->token, tu_now(), err);
    if (rc)
        return rc;
    int64_t reg = db_column_int64(st, 0);
    const char *email = col_text(st, 3, j->out.a);
    const char *name = col_text(st, 4, j->out.a);
    const char *hash = col_text(st, 5, j->out.a);
    const char *lang = col_text(st, 6, j->out.a);
    db_reset(st);
    int64_t org = 0;
    if ((rc = signup_account_for(&org, db, email, "email", err)))
        return rc;
    struct user_new u = {email, name, NULL, ROLE_RESEARCHER, org, lang};
    int64_t id = 0;
    if ((rc = auth_user_insert(db, &u, hash, &id, err)))
        return rc;
    st = db_stmt(db, SQL_REG_VERIFIED);
    db_bind_named_int64(st, ":now", tu_now());
    db_bind_named_int64(st, ":user", id);
    db_bind_named_int64(st, ":id", reg);
    if ((rc = db_step_done(db, st, err)))
        return rc;
    auth_audit(db, id, "user.create", "user", id,
               org ? "registration, member domain" : "registration, guest", j->out.ip);
    return sign_in_new(db, &j->out, id, err);
}

int signup_verify(struct user *user, const char **session, const char **csrf, struct db *db,
                  struct arena *a, const char *token, const char *ip, struct ls_err *err)
{
    struct verify_job j = {{user, session, csrf, a, ip}, token};
    return db_write(db, verify_txn, &j, err);
}
