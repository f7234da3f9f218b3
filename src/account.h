/* account.h — managing accounts: finding users, changing their name,
 * language, role, organisation and active flag, passwords, and reading the
 * audit log.
 *
 * Domain code (no civetweb, no cJSON). Sign-in, sessions and the password
 * primitives stay in auth.h; this module decides who may change what and
 * ends a user's sessions (auth_sessions_revoke_user) whenever a change
 * alters what that user may do, so a demoted or deactivated person loses
 * access with their very next request. */
#ifndef LS_ACCOUNT_H
#define LS_ACCOUNT_H

#include <stdint.h>

#include "arena.h"
#include "auth.h"
#include "err.h"

struct db;

/* Wrong current passwords a user may give in ACCOUNT_PW_WINDOW seconds
 * before POST /me/password answers 429 (a stolen session must not become
 * an online password-guessing oracle). */
#define ACCOUNT_PW_FREE 5
#define ACCOUNT_PW_WINDOW (15 * 60)

/* A user as the administration pages see it. Strings live in the arena. */
struct account {
    struct user user;
    const char *organisation_name; /* NULL for guests */
    int64_t created, updated;      /* seconds UTC */
};

struct account_filter {
    const char *q;           /* substring of name or email, case-insensitive; NULL = any */
    enum role role;          /* ROLE_NONE = any */
    int64_t organisation_id; /* 0 = any */
    int active;              /* -1 = any, 0 = deactivated only, 1 = active only */
    int64_t limit, offset;   /* paging (limit ≤ 500) */
};

/* One page of users matching f, ordered by name, into an arena array
 * (*out, *n) and the number of all matches (*total). */
int account_list(struct db *db, const struct account_filter *f, struct arena *a,
                 struct account **out, int *n, int64_t *total, struct ls_err *err);

/* One user; LS_ENOTFOUND if there is none. */
int account_get(struct db *db, int64_t id, struct arena *a, struct account *out,
                struct ls_err *err);

/* A partial change: NULL strings and clear set_* flags leave a field alone. */
struct account_patch {
    const char *name;
    const char *lang; /* "pl" or "en" */
    int set_role;
    enum role role;
    int set_organisation;
    int64_t organisation_id; /* 0 = none (guest) */
    int set_active;
    int active;
};

/* Applies p to user `id` on behalf of `actor`. The rules:
 *  - a non-staff actor may change only their own account (LS_EFORBIDDEN for
 *    anyone else, decided before looking the user up so nothing leaks), and
 *    only name and lang (LS_EFORBIDDEN naming `role`, `organisation_id` or
 *    `active`);
 *  - staff may not change their own role or deactivate themselves (422), so
 *    an active staff account always remains;
 *  - an owner must belong to an organisation, which must exist (422
 *    `organisation_id`); name 1–200 characters of text; lang pl or en;
 *  - a change of role or organisation, and deactivation, end every session
 *    of the user at once and are written to the audit log.
 * LS_ENOTFOUND if there is no such user. */
int account_update(struct db *db, const struct user *actor, int64_t id,
                   const struct account_patch *p, const char *ip, struct ls_err *err);

/* A signed-in user changes their own password. `current` must verify (422
 * naming `current`; after ACCOUNT_PW_FREE wrong ones in the window 429 with
 * err->retry_after, counted exactly however many arrive at once), `new_pw`
 * must meet the policy (422 naming `new`) and differ from the current one.
 * Every other session of the user ends; the session whose cookie value is
 * keep_token (may be NULL) stays valid. */
int account_password_change(struct db *db, const struct user *u, const char *current,
                            const char *new_pw, const char *keep_token, const char *ip,
                            struct ls_err *err);

/* Staff set a new password for user `id` (policy: 422 naming `password`)
 * and every session of that user ends. LS_ENOTFOUND if there is no user. */
int account_password_reset(struct db *db, const struct user *actor, int64_t id, const char *new_pw,
                           const char *ip, struct ls_err *err);

/* --- the audit log (written by auth_audit) --- */

struct audit_entry {
    int64_t id;
    int64_t at;            /* seconds UTC */
    int64_t user_id;       /* actor; 0 = anonymous */
    const char *user_name; /* actor's name and email, NULL when anonymous */
    const char *user_email;
    const char *action;      /* "session.create", "user.role", … */
    const char *object_type; /* "user", "booking", … or "" */
    int64_t object_id;       /* 0 = none */
    const char *detail;
    const char *ip;
};

struct audit_filter {
    int64_t user_id;         /* actor; 0 = any */
    const char *action;      /* exact action or a prefix before a dot ("user" matches
                                "user.role"); NULL = any */
    const char *object_type; /* NULL = any */
    int64_t object_id;       /* 0 = any */
    int has_from, has_to;
    int64_t from, to; /* [from, to) in seconds UTC */
    int64_t limit, offset;
};

/* One page of audit entries, newest first, and the number of all matches. */
int account_audit_list(struct db *db, const struct audit_filter *f, struct arena *a,
                       struct audit_entry **out, int *n, int64_t *total, struct ls_err *err);

#endif
