/* auth.h — accounts, passwords, sessions and the authorisation rules.
 *
 * Domain code: no civetweb here. Passwords are argon2id (libsodium
 * crypto_pwhash_str); session ids and tokens are 256-bit random values of
 * which only a BLAKE2b hash is stored. Authorisation lives in the authz_*
 * functions so every handler asks the same questions the same way. */
#ifndef LS_AUTH_H
#define LS_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "err.h"

struct db;

enum role { ROLE_NONE = 0, ROLE_RESEARCHER = 1, ROLE_OWNER = 2, ROLE_STAFF = 3 };

struct user {
    int64_t id;
    const char *email;
    const char *name;
    enum role role;
    int64_t organisation_id; /* 0 = guest, no organisation */
    int active;
    const char *lang; /* "pl" or "en" */
};

/* Session lifetimes (seconds). */
#define AUTH_SESSION_IDLE (8 * 3600)
#define AUTH_SESSION_ABSOLUTE (7 * 24 * 3600)
#define AUTH_PASSWORD_MIN 10
#define AUTH_PASSWORD_MAX 256
#define AUTH_NAME_MAX 200 /* characters of a user's name */
#define AUTH_TOKEN_HEX 64 /* 256-bit tokens as lowercase hex */

const char *auth_role_name(enum role r);  /* "researcher", …; "" for ROLE_NONE */
enum role auth_role_parse(const char *s); /* ROLE_NONE if unknown */

/* Must run once before threads start (sodium_init). Returns 0 or -1. */
int auth_init(void);

/* argon2id cost. Tests and benchmarks may lower it through
 * LABSHARE_ARGON2_MEMLIMIT (bytes); production keeps the default. */
void auth_set_cost(unsigned long long opslimit, size_t memlimit);

/* Password policy: length, not the email or name. 422 naming `field`. */
int auth_password_check(const char *password, const char *email, const char *name,
                        const char *field, struct ls_err *err);
/* Hash into out (crypto_pwhash_STRBYTES = 128 bytes). */
int auth_password_hash(char out[128], const char *password, struct ls_err *err);
/* 1 if password matches hash, in constant time with respect to the password. */
int auth_password_verify(const char *hash, const char *password);

/* Fills out with `nbytes` random bytes as lowercase hex (2*nbytes+1 chars). */
void auth_random_hex(char *out, size_t nbytes);
/* BLAKE2b-256 of a token string, for storage and lookup. */
void auth_token_hash(unsigned char out[32], const char *token);
/* 1 if t has the form of the tokens auth_random_hex(…, 32) makes: exactly
 * AUTH_TOKEN_HEX lowercase hex digits (links, states). */
int auth_token_ok(const char *t);

struct user_new {
    const char *email;
    const char *name;
    const char *password;
    enum role role;
    int64_t organisation_id; /* 0 = none */
    const char *lang;        /* NULL = "pl" */
};
/* Validates and inserts a user. 422 naming the field; 409 if the email is
 * taken (case-insensitively); 422 'organisation_id' if it does not exist. */
int auth_user_create(struct db *db, const struct user_new *u, int64_t *out_id, struct ls_err *err);
/* A user's name: 1 to AUTH_NAME_MAX characters of one-line text, not all
 * blank (field_text_ok's rules). */
int auth_name_ok(const char *s);
/* The field checks of auth_user_create but the password's: email, name,
 * role, organisation for owners, lang. 422 naming the field. */
int auth_user_check(const struct user_new *u, struct ls_err *err);
/* Inserts a checked user whose password is already an argon2id string
 * (u->password is ignored), inside the caller's write transaction (a
 * db_write job): 409 'email' if taken, 422 'organisation_id' if it does not
 * exist. For accounts made from an invitation, a registration or a single
 * sign-on, where the password was hashed earlier or there is none. */
int auth_user_insert(struct db *db, const struct user_new *u, const char *password_hash,
                     int64_t *out_id, struct ls_err *err);
/* 1 if s looks like an e-mail address labshare accepts as a sign-in name. */
int auth_email_ok(const char *s);

/* Loads a user by id into the arena. LS_ENOTFOUND if absent. */
int auth_user_get(struct db *db, int64_t id, struct arena *a, struct user *out, struct ls_err *err);

/* Checks email/password, applies throttling, creates a session. On success
 * *user, token (cookie value) and csrf are filled (arena copies). A wrong
 * email and a wrong password take the same time and give the same answer
 * (401). Too many recent failures: 429 with err->retry_after. */
int auth_login(struct db *db, const char *email, const char *password, const char *ip,
               struct arena *a, struct user *user, const char **token, const char **csrf,
               struct ls_err *err);

/* Starts a session for user u (already authenticated by the caller: a
 * password, an e-mailed link, the OpenID provider). token (the cookie
 * value) and csrf are arena copies. May run inside a db_write job. */
int auth_session_create(struct db *db, const struct user *u, const char *ip, struct arena *a,
                        const char **token, const char **csrf, struct ls_err *err);

/* Resolves a session cookie. 0 with *user and *csrf filled, or LS_EUNAUTH for
 * unknown, expired, idle or deactivated (a database that cannot answer:
 * db_fail's 503). Refreshes last_seen at most once a
 * minute so reads do not turn into writes. */
int auth_session_lookup(struct db *db, const char *token, int64_t now, struct arena *a,
                        struct user *user, const char **csrf, struct ls_err *err);
/* auth_session_lookup's answer from the sessions this server keeps
 * (session_cache.h), without a database connection: 1 with *user and *csrf
 * filled, 0 when it must ask the database. */
int auth_session_kept(const char *token, int64_t now, struct arena *a, struct user *user,
                      const char **csrf);
void auth_session_delete(struct db *db, const char *token);
/* Ends every session of a user (deactivation, password change). */
int auth_sessions_revoke_user(struct db *db, int64_t user_id, struct ls_err *err);
/* Asks to hear the database's announcements of changes to sessions and
 * accounts (PostgreSQL; session_cache.h), for the server: before
 * db_watch_start. */
int auth_listen(struct ls_err *err);

/* Audit log. detail may be NULL. Failures are logged, never fatal. */
void auth_audit(struct db *db, int64_t actor, const char *action, const char *object_type,
                int64_t object_id, const char *detail, const char *ip);

/* --- authorisation: one place for every rule --- */

/* Staff, or an owner of organisation org_id. */
int authz_manages_org(const struct user *u, int64_t org_id);
int authz_is_staff(const struct user *u);
/* Whether viewer may see the e-mail address of user user_id of
 * organisation user_org (0 = a guest): staff, the user, and members of the
 * same organisation. An owner never sees another organisation's addresses
 * unless they typed the address themselves (API.md). */
int authz_sees_email(const struct user *viewer, int64_t user_id, int64_t user_org);

#endif
