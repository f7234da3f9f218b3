/* signup.h — accounts people get on their own, and their way back in:
 * invitations, password reset by e-mail, self-registration with a
 * confirmed address; organisations' e-mail domains and the guest setting
 * that decide what a new account becomes.
 *
 * Domain code: no civetweb, no cJSON. Every link carries a 256-bit random
 * token of which only a BLAKE2b-256 hash is stored; a link works once and
 * until it expires (unknown or malformed: LS_ENOTFOUND; used or expired:
 * LS_EGONE, both naming `token`). Writes go through db_write(); each
 * message is queued in the outbox (notify_enqueue_account) in the same
 * transaction as the row it announces, so a refused request leaves neither.
 * Strings returned live in the caller's arena. */
#ifndef LS_SIGNUP_H
#define LS_SIGNUP_H

#include <stdint.h>

#include "arena.h"
#include "auth.h"
#include "err.h"

struct db;

#define SIGNUP_INVITATION_TTL (7 * 24 * 3600) /* an invitation link works 7 days */
#define SIGNUP_RESET_TTL 3600                 /* a password-reset link 1 hour */
#define SIGNUP_REGISTRATION_TTL (48 * 3600)   /* a confirmation link 2 days */

/* Requests that e-mail an address someone typed (password resets,
 * registrations) are limited per address and per client address within
 * SIGNUP_THROTTLE_WINDOW; beyond that 429 with err->retry_after. */
#define SIGNUP_THROTTLE_WINDOW 3600
#define SIGNUP_THROTTLE_PER_ADDRESS 3
#define SIGNUP_THROTTLE_PER_CLIENT 20

#define SIGNUP_DOMAINS_MAX 50 /* e-mail domains of one organisation */
#define SIGNUP_DOMAIN_MAX 253 /* characters of one domain */

/* --- organisations' e-mail domains --- */

/* Checks one domain and writes its canonical form (lowercase) into out:
 * ASCII letters, digits, hyphens and dots, at least two labels of 1–63
 * characters, none starting or ending with a hyphen, at most
 * SIGNUP_DOMAIN_MAX characters (internationalised names as punycode,
 * "xn--…"). 422 naming `field`. */
int signup_domain_check(char out[SIGNUP_DOMAIN_MAX + 1], const char *domain, const char *field,
                        struct ls_err *err);

/* Replaces the e-mail domains of organisation org_id with the n given (each
 * checked as above, duplicates folded; 422 `email_domains` for a bad one or
 * more than SIGNUP_DOMAINS_MAX; 409 `email_domains` when another
 * organisation has one of them; 422 `organisation_id` if there is no such
 * organisation). Runs as a db_write job, or at once inside the caller's
 * open write transaction. */
int signup_domains_set(struct db *db, int64_t org_id, const char *const *domains, int n,
                       struct ls_err *err);

/* The checks of signup_domains_set on an organisation's domains, inside the
 * caller's write transaction: each is canonicalised in place (the caller's
 * writable copies; lowercasing keeps their length). The catalogue calls it
 * before it stores an organisation's `email_domains`. */
int signup_domains_check(struct db *db, int64_t org_id, char **domains, int n, struct ls_err *err);

/* The domains of organisation org_id, sorted, into an arena array. */
int signup_domains_list(const char ***out, int *n, struct db *db, struct arena *a, int64_t org_id,
                        struct ls_err *err);

/* The member organisation whose domain is the address's domain or a parent
 * of it (the most specific wins: "chem.uj.edu.pl" before "uj.edu.pl"), 0 when
 * none. Non-member organisations' domains give 0: their people register as
 * guests. */
int signup_domain_organisation(int64_t *out, struct db *db, const char *email, struct ls_err *err);

/* --- whether people outside the member organisations may register --- */

/* Pins the guest setting from the command line or environment: 1 on, 0
 * off, -1 not pinned (staff decide; default on). Call before serving. */
void signup_configure(int guest_registration);
/* The setting in force: the pinned value, else staff's, else on. *locked
 * (may be NULL) says whether it is pinned. */
int signup_guest_registration(struct db *db, int *locked);
/* Staff change it; 409 `guest_registration` when it is pinned. Audited. */
int signup_set_guest_registration(struct db *db, const struct user *actor, int on, const char *ip,
                                  struct ls_err *err);

/* What an address would become on first sign-in or registration: a
 * researcher of the member organisation owning its domain (*org_id set),
 * else a guest (*org_id 0) when guest registration is on, else 403 naming
 * `field`. */
int signup_account_for(int64_t *org_id, struct db *db, const char *email, const char *field,
                       struct ls_err *err);

/* --- invitations --- */

struct signup_invitation {
    const char *email;
    enum role role;
    int64_t organisation_id; /* 0 = none (a guest); an owner's own when they invite */
    const char *lang;        /* NULL = the inviter's */
};

/* `actor` invites someone. Staff may offer any role (an owner needs an
 * organisation); an owner only `researcher` (403 `role`) in their own
 * organisation (403 `organisation_id`; 0 means theirs). 422 for a bad
 * address, role or language, 422 `organisation_id` for none such; 409
 * `email` when the address already has an account. A newer invitation of
 * the same address replaces a pending one. *out_id and *expires (may be
 * NULL) describe the invitation. */
int signup_invite(int64_t *out_id, int64_t *expires, struct db *db, const struct user *actor,
                  const struct signup_invitation *in, const char *ip, struct ls_err *err);

/* What an invitation link offers, for the accept page. */
struct signup_invitation_info {
    int64_t id;
    const char *email;
    enum role role;
    int64_t organisation_id; /* 0 = none */
    const char *organisation_name;
    const char *invited_by; /* the inviter's name */
    const char *lang;
    int64_t created, expires;
};
int signup_invitation_get(struct signup_invitation_info *out, struct db *db, struct arena *a,
                          const char *token, struct ls_err *err);

/* Creates the account an invitation offers, with this name and password
 * (policy: 422 `password`; name: 422 `name`), uses up the link and signs
 * the person in: *user, *session (cookie value) and *csrf in the arena.
 * 409 `email` if the address got an account meanwhile. */
int signup_invitation_accept(struct user *user, const char **session, const char **csrf,
                             struct db *db, struct arena *a, const char *token, const char *name,
                             const char *password, const char *ip, struct ls_err *err);

/* --- password reset --- */

/* Someone asks for a new password for `email` (422 `email` if it is not an
 * address; 429 when throttled). Whether or not an active account has the
 * address, the same work is done — a token made and hashed, a row and one
 * message queued — and the same LS_OK returned: the account's owner gets a
 * link, an address without an account a message saying so (in `lang`). */
int signup_reset_request(struct db *db, const char *email, const char *lang, const char *ip,
                         struct ls_err *err);
/* Whether a reset link still works; *expires (may be NULL) says until when. */
int signup_reset_check(int64_t *expires, struct db *db, const char *token, struct ls_err *err);
/* Sets the password of the link's account (policy: 422 `password`), uses up
 * this and every other reset link of the account and ends all its
 * sessions. Audited as user.password.reset. */
int signup_reset_complete(struct db *db, const char *token, const char *password, const char *ip,
                          struct ls_err *err);

/* --- self-registration --- */

struct signup_registration {
    const char *email, *name, *password;
    const char *lang; /* "pl" or "en" */
};

/* Someone registers: 422 for a bad field (password policy included), 403
 * `email` when guest registration is off and no member organisation owns the
 * address's domain, 429 when throttled. Otherwise LS_OK whether or not the
 * address has an account (no enumeration): a new address gets a
 * confirmation link, a known one a message that it already has an account. */
int signup_register(struct db *db, const struct signup_registration *r, const char *ip,
                    struct ls_err *err);

/* Follows a confirmation link: makes the account (a researcher of the
 * member organisation owning the domain, else a guest; 403 `email` when
 * guests may no longer register), uses up the link and signs the person in.
 * 409 `email` if the address got an account meanwhile. */
int signup_verify(struct user *user, const char **session, const char **csrf, struct db *db,
                  struct arena *a, const char *token, const char *ip, struct ls_err *err);

#endif
