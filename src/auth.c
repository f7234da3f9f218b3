/* auth.c — see auth.h. */
#include "auth.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "db.h"
#include "field.h"
#include "fold.h"
#include "session_cache.h"
#include "text.h"
#include "throttle.h"
#include "timeutil.h"

/* Throttling (throttle.h): after 5 failures within 15 minutes an account
 * waits 30 s, doubling per further failure, at most the 15 minutes; an
 * address gets 30 failures, because offices share one. */
#define THROTTLE_WINDOW (15 * 60)
#define THROTTLE_ACCOUNT_FREE 5
#define THROTTLE_ADDRESS_FREE 30

static const char SQL_USER_INSERT[] =
    "INSERT INTO users(email, name, role, organisation_id, password_hash, lang, created, updated)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)";
static const char SQL_USER_EMAIL_TAKEN[] = "SELECT 1 FROM users WHERE email = ?1";
static const char SQL_ORG_EXISTS[] = "SELECT 1 FROM organisations WHERE id = ?1";
static const char SQL_USER_BY_ID[] = "SELECT id, email, name, role, COALESCE(organisation_id, 0), "
                                     "active, lang FROM users WHERE id = ?1";
static const char SQL_USER_BY_EMAIL[] =
    "SELECT id, email, name, role, COALESCE(organisation_id, 0), active, lang, password_hash"
    " FROM users WHERE email = ?1";
static const char SQL_SESSION_INSERT[] =
    "INSERT INTO sessions(id_hash, user_id, csrf, created, last_seen, expires, ip)"
    " VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6)";
static const char SQL_SESSION_GET[] =
    "SELECT u.id, u.email, u.name, u.role, COALESCE(u.organisation_id, 0), u.active, u.lang,"
    "       s.csrf, s.last_seen, s.expires"
    " FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = ?1";
static const char SQL_SESSION_TOUCH[] = "UPDATE sessions SET last_seen = ?2 WHERE id_hash = ?1";
static const char SQL_SESSION_DELETE[] = "DELETE FROM sessions WHERE id_hash = ?1";
static const char SQL_SESSION_DELETE_USER[] = "DELETE FROM sessions WHERE user_id = ?1";
static const char SQL_SESSION_PRUNE[] = "DELETE FROM sessions WHERE expires < ?1 OR last_seen < ?2";
static const char SQL_AUDIT_INSERT[] =
    "INSERT INTO audit_log(at, user_id, action, object_type, object_id, detail, ip)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";

static unsigned long long pw_ops = 2;
static size_t pw_mem = 19u * 1024 * 1024; /* OWASP's argon2id floor: m=19 MiB, t=2, p=1 */
static char dummy_hash[crypto_pwhash_STRBYTES];

const char *auth_role_name(enum role r)
{
    switch (r) {
    case ROLE_RESEARCHER:
        return "researcher";
    case ROLE_OWNER:
        return "owner";
    case ROLE_STAFF:
        return "staff";
    default:
        return "";
    }
}

enum role auth_role_parse(const char *s)
{
    if (!s)
        return ROLE_NONE;
    if (strcmp(s, "researcher") == 0)
        return ROLE_RESEARCHER;
    if (strcmp(s, "owner") == 0)
        return ROLE_OWNER;
    if (strcmp(s, "staff") == 0)
        return ROLE_STAFF;
    return ROLE_NONE;
}

void auth_set_cost(unsigned long long opslimit, size_t memlimit)
{
    if (opslimit >= crypto_pwhash_OPSLIMIT_MIN)
        pw_ops = opslimit;
    if (memlimit >= crypto_pwhash_MEMLIMIT_MIN)
        pw_mem = memlimit;
}

int auth_init(void)
{
    if (sodium_init() < 0)
        return -1;
    /* A hash to verify against when the email is unknown, so that an
     * unknown address costs the same time as a wrong password. */
    char pw[33];
    auth_random_hex(pw, 16);
    if (crypto_pwhash_str(dummy_hash, pw, strlen(pw), pw_ops, pw_mem) != 0)
        return -1;
    return 0;
}

void auth_random_hex(char *out, size_t nbytes)
{
    unsigned char buf[64];
    if (nbytes > sizeof buf)
        nbytes = sizeof buf;
    randombytes_buf(buf, nbytes);
    sodium_bin2hex(out, nbytes * 2 + 1, buf, nbytes);
    sodium_memzero(buf, sizeof buf);
}

void auth_token_hash(unsigned char out[32], const char *token)
{
    crypto_generichash(out, 32, (const unsigned char *)token, strlen(token), NULL, 0);
}

int auth_token_ok(const char *t)
{
    if (!t || strlen(t) != AUTH_TOKEN_HEX)
        return 0;
    for (; *t; t++)
        if (!((*t >= '0' && *t <= '9') || (*t >= 'a' && *t <= 'f')))
            return 0;
    return 1;
}

/* Whether hay holds needle in any case, letters with or without their
 * diacritics alike (fold.h: "Łukasz" is in "łukasz…" and in "lukasz…");
 * needles shorter than three letters folded say too little to count. */
static int contains_folded(const char *hay, const char *needle)
{
    char h[AUTH_PASSWORD_MAX + 1], n[128];
    if (strlen(hay) >= sizeof h || strlen(needle) >= sizeof n)
        return 0;
    fold_into(h, hay);
    if (fold_into(n, needle) < 3)
        return 0;
    return strstr(h, n) != NULL;
}

int auth_password_check(const char *pw, const char *email, const char *name, const char *field,
                        struct ls_err *err)
{
    size_t n = pw ? strlen(pw) : 0;
    if (n < AUTH_PASSWORD_MIN)
        return ls_err_set(err, LS_EVALIDATION, field, "password must have at least %d characters",
                          AUTH_PASSWORD_MIN);
    if (n > AUTH_PASSWORD_MAX)
        return ls_err_set(err, LS_EVALIDATION, field, "password must have at most %d characters",
                          AUTH_PASSWORD_MAX);
    if (!field_text_ok(pw, n, 0))
        return ls_err_set(err, LS_EVALIDATION, field, "password must be UTF-8 text");
    /* The local part of the email or the name inside the password gives it away. */
    if (email) {
        char local[128];
        snprintf(local, sizeof local, "%.*s", (int)strcspn(email, "@"), email);
        if (contains_folded(pw, local))
            return ls_err_set(err, LS_EVALIDATION, field, "password must not contain your email");
    }
    if (name) {
        char word[128];
        const char *p = name;
        while (*p) {
            size_t w = strcspn(p, " -.");
            snprintf(word, sizeof word, "%.*s", (int)(w < sizeof word ? w : sizeof word - 1), p);
            if (contains_folded(pw, word))
                return ls_err_set(err, LS_EVALIDATION, field,
                                  "password must not contain your name");
            p += w;
            while (*p == ' ' || *p == '-' || *p == '.')
                p++;
        }
    }
    return LS_OK;
}

int auth_password_hash(char out[128], const char *pw, struct ls_err *err)
{
    if (crypto_pwhash_str(out, pw, strlen(pw), pw_ops, pw_mem) != 0)
        return ls_err_set(err, LS_EUNAVAILABLE, NULL, "out of memory while hashing the password");
    return LS_OK;
}

int auth_password_verify(const char *hash, const char *pw)
{
    return crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0;
}

int auth_email_ok(const char *e)
{
    size_t n = strlen(e);
    const char *at = strchr(e, '@');
    if (n < 3 || n > 254 || !at || at == e || strchr(at + 1, '@') || !strchr(at + 1, '.') ||
        at[1] == '.' || e[n - 1] == '.')
        return 0;
    for (const char *p = e; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == '<' || *p == '>' || *p == '"' || *p == ',' ||
            *p == ';' || *p == '\\')
            return 0;
    /* An address is shown as a name is (user lists, invitations): the same
     * text rules, also for addresses that come from a provider's claims. */
    return field_text_ok(e, n, 0);
}

int auth_name_ok(const char *s)
{
    size_t n = strlen(s);
    /* Characters, as the forms count them (200 Polish letters fit); four
     * bytes a character at most. */
    if (n == 0 || n > 4 * AUTH_NAME_MAX || !field_text_ok(s, n, 0) ||
        text_chars(s, n) > AUTH_NAME_MAX)
        return 0;
    return strspn(s, " \t") < n; /* not all blank */
}

int auth_user_check(const struct user_new *u, struct ls_err *err)
{
    if (!u->email || !auth_email_ok(u->email))
        return ls_err_set(err, LS_EVALIDATION, "email", "{field} must be an e-mail address");
    if (!u->name || !auth_name_ok(u->name))
        return ls_err_set(err, LS_EVALIDATION, "name",
                          "{field} must be 1 to 200 characters of text");
    if (u->role == ROLE_NONE)
        return ls_err_set(err, LS_EVALIDATION, "role",
                          "{field} must be one of: researcher, owner, staff");
    if (u->role == ROLE_OWNER && u->organisation_id <= 0)
        return ls_err_set(err, LS_EVALIDATION, "organisation_id",
                          "an owner must belong to an organisation");
    const char *lang = u->lang ? u->lang : "pl";
    if (strcmp(lang, "pl") && strcmp(lang, "en"))
        return ls_err_set(err, LS_EVALIDATION, "lang", "{field} must be pl or en");
    return LS_OK;
}

int auth_user_insert(struct db *db, const struct user_new *u, const char *password_hash,
                     int64_t *out_id, struct ls_err *err)
{
    struct db_stmt *st;
    if (u->organisation_id > 0) {
        st = db_stmt(db, SQL_ORG_EXISTS);
        db_bind_int64(st, 1, u->organisation_id);
        int found = db_step(st) == DB_ROW;
        db_reset(st);
        if (!found)
            return ls_err_set(err, LS_EVALIDATION, "organisation_id", "{field}: not found");
    }
    st = db_stmt(db, SQL_USER_EMAIL_TAKEN);
    db_bind_text(st, 1, u->email, -1, DB_STATIC);
    int taken = db_step(st) == DB_ROW;
    db_reset(st);
    if (taken)
        return ls_err_set(err, LS_ECONFLICT, "email", "a user with this e-mail already exists");
    st = db_stmt(db, SQL_USER_INSERT);
    db_bind_text(st, 1, u->email, -1, DB_STATIC);
    db_bind_text(st, 2, u->name, -1, DB_STATIC);
    db_bind_text(st, 3, auth_role_name(u->role), -1, DB_STATIC);
    if (u->organisation_id > 0)
        db_bind_int64(st, 4, u->organisation_id);
    else
        db_bind_null(st, 4);
    db_bind_text(st, 5, password_hash, -1, DB_STATIC);
    db_bind_text(st, 6, u->lang ? u->lang : "pl", -1, DB_STATIC);
    db_bind_int64(st, 7, tu_now());
    int rc = db_step_done(db, st, err);
    if (rc == LS_OK && out_id)
        *out_id = db_last_insert_id(db);
    return rc;
}

struct user_insert_job {
    const struct user_new *u;
    const char *hash;
    int64_t id;
};

static int user_insert_txn(struct db *db, void *ctx, struct ls_err *err)
{
    struct user_insert_job *j = ctx;
    return auth_user_insert(db, j->u, j->hash, &j->id, err);
}

int auth_user_create(struct db *db, const struct user_new *u, int64_t *out_id, struct ls_err *err)
{
    int rc = auth_user_check(u, err);
    if (!rc)
        rc = auth_password_check(u->password, u->email, u->name, "password", err);
    if (rc)
        return rc;
    char hash[crypto_pwhash_STRBYTES];
    if ((rc = auth_password_hash(hash, u->password, err)))
        return rc;
    struct user_insert_job j = {u, hash, 0};
    if ((rc = db_write(db, user_insert_txn, &j, err)))
        return rc;
    if (out_id)
        *out_id = j.id;
    return LS_OK;
}

static void read_user(struct db_stmt *st, struct arena *a, struct user *u)
{
    u->id = db_column_int64(st, 0);
    u->email = arena_strdup(a, (const char *)db_column_text(st, 1));
    u->name = arena_strdup(a, (const char *)db_column_text(st, 2));
    u->role = auth_role_parse((const char *)db_column_text(st, 3));
    u->organisation_id = db_column_int64(st, 4);
    u->active = db_column_int(st, 5);
    u->lang = arena_strdup(a, (const char *)db_column_text(st, 6));
}

int auth_user_get(struct db *db, int64_t id, struct arena *a, struct user *out, struct ls_err *err)
{
    struct db_stmt *st = db_stmt(db, SQL_USER_BY_ID);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    db_bind_int64(st, 1, id);
    int rc = db_step(st);
    if (rc == DB_ROW)
        read_user(st, a, out);
    db_reset(st);
    if (rc == DB_ROW)
        return LS_OK;
    if (rc == DB_DONE)
        return ls_err_set(err, LS_ENOTFOUND, NULL, "no such user");
    return db_fail(db, rc, err);
}

/* What a sign-in writes, failed or not, as one unit of the write path. */
struct login_job {
    const char *email_key, *ip;
    const struct user *user; /* NULL when the e-mail is unknown */
    const char *detail;      /* failure: why, for the audit log */
    struct arena *a;         /* success: where the session's token and CSRF go */
    const char **token, **csrf;
    const struct throttle_claim *claim;
};

static int login_failed_txn(struct db *db, void *ctx, struct ls_err *err)
{
    struct login_job *j = ctx;
    int rc = throttle_failed(db, j->claim, err);
    if (rc)
        return rc;
    int64_t id = j->user ? j->user->id : 0;
    auth_audit(db, id, "session.fail", "user", id, j->detail, j->ip);
    return LS_OK;
}

static int login_txn(struct db *db, void *ctx, struct ls_err *err)
{
    struct login_job *j = ctx;
    int rc = auth_session_create(db, j->user, j->ip, j->a, j->token, j->csrf, err);
    if (rc)
        return rc;
    /* A success never counts, and forgives the account's wrong passwords
     * (not the address's: one right password must not reset a guesser). */
    if ((rc = throttle_release(db, j->claim, err)) || (rc = throttle_forget(db, j->email_key, err)))
        return rc;
    auth_audit(db, j->user->id, "session.create", "user", j->user->id, NULL, j->ip);
    return LS_OK;
}

int auth_login(struct db *db, const char *email, const char *password, const char *ip,
               struct arena *a, struct user *user, const char **token, const char **csrf,
               struct ls_err *err)
{
    int64_t now = tu_now();
    char email_key[300], ip_key[80];
    snprintf(email_key, sizeof email_key, "email:%.280s", email);
    for (char *p = email_key; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    snprintf(ip_key, sizeof ip_key, "ip:%.64s", ip ? ip : "");

    struct throttle_claim claim = {
        .keys = {{email_key, THROTTLE_ACCOUNT_FREE, THROTTLE_WINDOW, THROTTLE_DOUBLING, 0},
                 {ip_key, THROTTLE_ADDRESS_FREE, THROTTLE_WINDOW, THROTTLE_DOUBLING, 0}},
        .n = 2,
        .now = now};
    int rc = throttle_claim(db, &claim, err);
    if (rc)
        return rc;
    if (claim.wait > 0) {
        err->retry_after = claim.wait;
        return ls_err_set(err, LS_ETOOMANY, NULL,
                          "too many failed sign-ins; try again in %d seconds", claim.wait);
    }

    struct db_stmt *st = db_stmt(db, SQL_USER_BY_EMAIL);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    db_bind_text(st, 1, email, -1, DB_TRANSIENT);
    int found = db_step(st) == DB_ROW;
    char hash[crypto_pwhash_STRBYTES];
    if (found) {
        read_user(st, a, user);
        snprintf(hash, sizeof hash, "%s", (const char *)db_column_text(st, 7));
    } else {
        memcpy(hash, dummy_hash, sizeof hash);
    }
    db_reset(st);
    int ok = auth_password_verify(hash, password) && found && user->active;
    struct login_job j = {.email_key = email_key,
                          .ip = ip,
                          .user = found ? user : NULL,
                          .a = a,
                          .token = token,
                          .csrf = csrf,
                          .claim = &claim};
    if (!ok) {
        j.detail = found && !user->active ? "deactivated account" : "wrong email or password";
        struct ls_err ignore = {0};
        db_write(db, login_failed_txn, &j, &ignore);
        throttle_settled();
        return ls_err_set(err, LS_EUNAUTH, NULL, "wrong e-mail or password");
    }
    rc = db_write(db, login_txn, &j, err);
    if (rc)
        throttle_give_back(db, &claim); /* no session, but no wrong password either */
    else
        throttle_settled();
    return rc;
}

int auth_session_create(struct db *db, const struct user *u, const char *ip, struct arena *a,
                        const char **token, const char **csrf, struct ls_err *err)
{
    int64_t now = tu_now();
    char *tok = arena_alloc(a, AUTH_TOKEN_HEX + 1);
    char *csrf_tok = arena_alloc(a, AUTH_TOKEN_HEX + 1);
    auth_random_hex(tok, 32);
    auth_random_hex(csrf_tok, 32);
    unsigned char h[32];
    auth_token_hash(h, tok);
    struct db_stmt *st = db_stmt(db, SQL_SESSION_INSERT);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    db_bind_blob(st, 1, h, sizeof h, DB_TRANSIENT);
    db_bind_int64(st, 2, u->id);
    db_bind_text(st, 3, csrf_tok, -1, DB_STATIC);
    db_bind_int64(st, 4, now);
    db_bind_int64(st, 5, now + AUTH_SESSION_ABSOLUTE);
    db_bind_text(st, 6, ip ? ip : "", -1, DB_TRANSIENT);
    int rc = db_step_done(db, st, err);
    if (rc)
        return rc;
    st = db_stmt(db, SQL_SESSION_PRUNE);
    db_bind_int64(st, 1, now);
    db_bind_int64(st, 2, now - AUTH_SESSION_IDLE);
    db_step_done(db, st, NULL);
    *token = tok;
    *csrf = csrf_tok;
    return LS_OK;
}

struct session_job {
    unsigned char hash[32];
    int64_t now;
};

static int session_delete_txn(struct db *db, void *ctx, struct ls_err *err)
{
    struct session_job *j = ctx;
    struct db_stmt *st = db_stmt(db, SQL_SESSION_DELETE);
    db_bind_blob(st, 1, j->hash, sizeof j->hash, DB_TRANSIENT);
    return db_step_done(db, st, err);
}

static int session_touch_txn(struct db *db, void *ctx, struct ls_err *err)
{
    struct session_job *j = ctx;
    struct db_stmt *st = db_stmt(db, SQL_SESSION_TOUCH);
    db_bind_blob(st, 1, j->hash, sizeof j->hash, DB_TRANSIENT);
    db_bind_int64(st, 2, j->now);
    return db_step_done(db, st, err);
}

/* On PostgreSQL a session read is a round trip: kept ones are used until
 * the minute's touch is due (session_cache.h says when they are trusted;
 * SQLite hears nothing, so keeps nothing). */
static int session_kept(const unsigned char h[32], int64_t now, struct arena *a, struct user *user,
                        const char **csrf)
{
    struct session_kept k;
    if (!db_watch_hearing() || !session_cache_get(h, a, &k) || !k.active || now >= k.expires ||
        now < k.last_seen || now - k.last_seen >= 60)
        return 0;
    *user = (struct user){.id = k.user_id,
                          .email = k.email,
                          .name = k.name,
                          .role = (enum role)k.role,
                          .organisation_id = k.organisation_id,
                          .active = k.active,
                          .lang = k.lang};
    *csrf = k.csrf;
    return 1;
}

int auth_session_kept(const char *token, int64_t now, struct arena *a, struct user *user,
                      const char **csrf)
{
    unsigned char h[32];
    auth_token_hash(h, token);
    return session_kept(h, now, a, user, csrf);
}

int auth_session_lookup(struct db *db, const char *token, int64_t now, struct arena *a,
                        struct user *user, const char **csrf, struct ls_err *err)
{
    unsigned char h[32];
    auth_token_hash(h, token);
    int64_t last_seen, expires;
    if (session_kept(h, now, a, user, csrf))
        return LS_OK;
    int cached = db_engine(db) == DB_POSTGRES && db_watch_hearing();
    uint64_t epoch = session_cache_epoch();
    struct db_stmt *st = db_stmt(db, SQL_SESSION_GET);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    db_bind_blob(st, 1, h, sizeof h, DB_TRANSIENT);
    int rc = db_step(st);
    if (rc != DB_ROW) {
        db_reset(st);
        /* A database that cannot answer says nothing about the session. */
        if (rc != DB_DONE)
            return db_fail(db, rc, err);
        return ls_err_set(err, LS_EUNAUTH, NULL, "no such session");
    }
    read_user(st, a, user);
    *csrf = arena_strdup(a, (const char *)db_column_text(st, 7));
    last_seen = db_column_int64(st, 8);
    expires = db_column_int64(st, 9);
    db_reset(st);
    struct ls_err ignore = {0};
    struct session_job j = {{0}, now};
    memcpy(j.hash, h, sizeof h);
    if (!user->active || now >= expires || now - last_seen > AUTH_SESSION_IDLE) {
        db_write(db, session_delete_txn, &j, &ignore);
        return ls_err_set(err, LS_EUNAUTH, NULL, "session expired");
    }
    /* Reads stay reads: last_seen moves at most once a minute. */
    if (now - last_seen >= 60 && db_write(db, session_touch_txn, &j, &ignore) == LS_OK)
        last_seen = now;
    if (cached) {
        struct session_kept k = {.user_id = user->id,
                                 .organisation_id = user->organisation_id,
                                 .last_seen = last_seen,
                                 .expires = expires,
                                 .role = (int)user->role,
                                 .active = user->active,
                                 .email = user->email,
                                 .name = user->name,
                                 .lang = user->lang,
                                 .csrf = *csrf};
        session_cache_put(epoch, h, &k);
    }
    return LS_OK;
}

void auth_session_delete(struct db *db, const char *token)
{
    struct session_job j = {{0}, 0};
    auth_token_hash(j.hash, token);
    struct ls_err ignore = {0};
    db_write(db, session_delete_txn, &j, &ignore);
    session_cache_clear();
}

static int revoke_txn(struct db *db, void *ctx, struct ls_err *err)
{
    struct db_stmt *st = db_stmt(db, SQL_SESSION_DELETE_USER);
    db_bind_int64(st, 1, *(const int64_t *)ctx);
    return db_step_done(db, st, err);
}

/* Migration 0025's triggers notify this channel. */
static const char AUTH_CHANNEL[] = "labshare_auth";

int auth_listen(struct ls_err *err)
{
    return db_watch_add(AUTH_CHANNEL, session_cache_clear, err);
}

int auth_sessions_revoke_user(struct db *db, int64_t user_id, struct ls_err *err)
{
    int rc = db_write(db, revoke_txn, &user_id, err);
    session_cache_clear();
    return rc;
}

struct audit_job {
    int64_t actor, object_id;
    const char *action, *object_type, *detail, *ip;
};

static int audit_txn(struct db *db, void *ctx, struct ls_err *err)
{
    const struct audit_job *j = ctx;
    struct db_stmt *st = db_stmt(db, SQL_AUDIT_INSERT);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    db_bind_int64(st, 1, tu_now());
    if (j->actor > 0)
        db_bind_int64(st, 2, j->actor);
    db_bind_text(st, 3, j->action, -1, DB_TRANSIENT);
    db_bind_text(st, 4, j->object_type ? j->object_type : "", -1, DB_TRANSIENT);
    if (j->object_id > 0)
        db_bind_int64(st, 5, j->object_id);
    db_bind_text(st, 6, j->detail ? j->detail : "", -1, DB_TRANSIENT);
    db_bind_text(st, 7, j->ip ? j->ip : "", -1, DB_TRANSIENT);
    return db_step_deferred(db, st, err);
}

void auth_audit(struct db *db, int64_t actor, const char *action, const char *object_type,
                int64_t object_id, const char *detail, const char *ip)
{
    /* Inside a unit of work this is part of it, with no savepoint (on
     * PostgreSQL a unit whose row cannot be written fails with it: the log
     * stays complete); alone, a write of its own. */
    struct audit_job j = {actor, object_id, action, object_type, detail, ip};
    struct ls_err e = {0};
    if (db_write_part(db, audit_txn, &j, &e) != LS_OK)
        fprintf(stderr, "labshare: audit write failed: %s\n", e.message);
}

int authz_is_staff(const struct user *u)
{
    return u && u->role == ROLE_STAFF;
}

int authz_manages_org(const struct user *u, int64_t org_id)
{
    if (!u || !u->active)
        return 0;
    if (u->role == ROLE_STAFF)
        return 1;
    return u->role == ROLE_OWNER && org_id > 0 && u->organisation_id == org_id;
}

int authz_sees_email(const struct user *viewer, int64_t user_id, int64_t user_org)
{
    if (!viewer)
        return 0;
    if (viewer->role == ROLE_STAFF || viewer->id == user_id)
        return 1;
    return viewer->organisation_id > 0 && viewer->organisation_id == user_org;
}
