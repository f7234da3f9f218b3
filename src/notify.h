/* notify.h — e-mail notifications: owners hear of requests, bookers of
 * decisions, changes and tomorrow's bookings.
 *
 * Messages are queued in the `outbox` table by notify_enqueue(), which the
 * booking module calls inside its write transaction, before commit: a
 * change that rolls back leaves no message, and a committed change always
 * has its messages. Each row copies the booking's state after the change
 * (times, sequence, status, reason); the text is rendered in the
 * recipient's language only when it is delivered.
 *
 * Delivery (notify_run_pass) takes due rows one at a time outside any
 * transaction, sends them over SMTP (notify_smtp.h, libcurl) and marks each
 * sent, or schedules a retry with exponential backoff (base, 2×, 4× … at
 * most NOTIFY_BACKOFF_MAX), or gives up as failed once the next try would
 * fall more than NOTIFY_GIVE_UP after the message was queued. Each pass
 * first queues reminders for approved bookings starting 24 to 25 hours
 * ahead (at most one per booking, ever).
 *
 * Domain code: no civetweb, no cJSON. Strings in returned structs live in
 * the caller's arena. */
#ifndef LS_NOTIFY_H
#define LS_NOTIFY_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "auth.h"
#include "err.h"
#include "notify_smtp.h"

struct db;

#define NOTIFY_BACKOFF_BASE 60         /* seconds before the first retry */
#define NOTIFY_BACKOFF_MAX (6 * 3600)  /* longest wait between tries */
#define NOTIFY_GIVE_UP (24 * 3600)     /* after this long in the queue: failed */
#define NOTIFY_REMIND_FROM (24 * 3600) /* reminders: bookings starting this far ahead … */
#define NOTIFY_REMIND_TO (25 * 3600)   /* … up to this far (exclusive) */
#define NOTIFY_EMAIL_MAX 254

enum notify_kind {
    NOTIFY_REQUEST = 0, /* pending request → owners and the lab's mailbox */
    NOTIFY_APPROVED,    /* → booker */
    NOTIFY_DECLINED,    /* → booker */
    NOTIFY_CANCELLED,   /* → booker; owners too when the booker cancels */
    NOTIFY_MOVED,       /* → booker */
    NOTIFY_REMINDER,    /* the day before → booker */
    NOTIFY_CONFLICT,    /* an imported calendar blocks a booked time → owners */
    NOTIFY_ECONOMIC,    /* a funded resource's economic use passed 80 % of its cap → owners */
    /* Account messages (signup.c): about a link, not a booking; they are
     * asked for, so no opt-out applies. */
    NOTIFY_INVITATION,     /* → the invited address: a link to accept */
    NOTIFY_PASSWORD_RESET, /* → an account's address: a link to set a password */
    NOTIFY_RESET_UNKNOWN,  /* → an address without an active account that asked for one */
    NOTIFY_VERIFY_EMAIL,   /* → a registering address: a link to confirm it */
    NOTIFY_ACCOUNT_EXISTS, /* → a registering address that already has an account */
    NOTIFY_TRAINING,       /* a request for training → the resource's owners (no booking) */
};
#define NOTIFY_BOOKING_KINDS (NOTIFY_ECONOMIC + 1) /* the kinds about a booking */
#define NOTIFY_NKINDS (NOTIFY_TRAINING + 1)

const char *notify_kind_name(enum notify_kind k); /* "request", … */
int notify_kind_parse(const char *s);             /* enum value, or -1 */

/* Queues the messages about booking `id` after a change by `actor_id` (0 =
 * the system), inside the caller's open write transaction. `occurrences` >
 * 1 says the request is a recurring series of that many bookings (one
 * message for all). Recipients who turned the kind off, inactive users and
 * the actor themselves (for requests) get nothing. Errors are database
 * errors; the caller rolls back. */
int notify_enqueue(struct db *db, enum notify_kind kind, int64_t id, int64_t actor_id,
                   int occurrences, int64_t now, struct ls_err *err);

/* A booking being made, as its messages copy it. */
struct notify_booking {
    int64_t id, user_id, resource_id, start, end;
    const char *status; /* "pending" or "approved" */
};

/* notify_enqueue for a booking made in the caller's transaction (kinds
 * NOTIFY_REQUEST and NOTIFY_APPROVED), from what the caller knows of it:
 * nothing of the booking is read back. On PostgreSQL that read would be
 * of the newest page of the bookings' key, which every other booking
 * being made writes: a serialisation failure, and the unit run again, for
 * one booking in five under load. */
int notify_enqueue_new(struct db *db, enum notify_kind kind, const struct notify_booking *b,
                       int64_t actor_id, int occurrences, int64_t now, struct ls_err *err);

/* Queues the e-mail telling the owners of booking id's resource that its
 * economic use passed 80 % of its State-aid cap (economic.h), inside the
 * caller's write. detail is "year|share|cap" (fractions), rendered in each
 * recipient's language. Governed by the owners' `request` preference. */
int notify_enqueue_economic(struct db *db, int64_t id, int64_t actor_id, const char *detail,
                            int64_t now, struct ls_err *err);

/* Queues the message about training request `request_id` (a row of
 * training_requests) to the owners of its resource's organisation, inside
 * the caller's open write transaction. Owners who turned requests off get
 * nothing. */
int notify_enqueue_training(struct db *db, int64_t request_id, int64_t now, struct ls_err *err);

/* An account message to queue. Strings are borrowed for the call. */
struct notify_account_msg {
    enum notify_kind kind;   /* NOTIFY_INVITATION … NOTIFY_ACCOUNT_EXISTS */
    const char *email;       /* recipient */
    const char *lang;        /* "pl" or "en" */
    int64_t user_id;         /* the recipient's account; 0 = none */
    int64_t actor_id;        /* who sent the invitation; 0 = none */
    const char *link_token;  /* the link's secret token; NULL = no link */
    int64_t link_expires;    /* when the link stops working */
    int64_t organisation_id; /* invitations: the organisation offered; 0 = none */
    const char *role;        /* invitations: the role offered */
};

/* Queues an account message inside the caller's open write transaction.
 * The link's token waits in the outbox row (the one place it is kept in
 * clear, since the message is rendered at delivery) and is erased once the
 * message is sent or given up. */
int notify_enqueue_account(struct db *db, const struct notify_account_msg *m, int64_t now,
                           struct ls_err *err);

/* Queues a reminder for each approved booking starting in
 * [now + NOTIFY_REMIND_FROM, now + NOTIFY_REMIND_TO) that has none yet.
 * *queued (may be NULL) receives how many. Runs its own transaction. */
int notify_enqueue_reminders(struct db *db, int64_t now, int *queued, struct ls_err *err);

/* The wait after the n-th failed attempt (n ≥ 1): base·2^(n-1), at most
 * NOTIFY_BACKOFF_MAX. */
int64_t notify_backoff(int attempts, int64_t base);
/* After the n-th failure of a message queued at `created`: 0 and *next set
 * to retry, or 1 to give up. */
int notify_retry_at(int64_t created, int attempts, int64_t now, int64_t base, int64_t *next);

/* --- rendering --- */

struct notify_mail;
struct notify_account_event;
struct notify_site {
    const char *public_url; /* "https://labshare.example.org", no trailing slash */
    const char *host;       /* for UIDs and Message-IDs */
    const char *from;       /* sender address, "a@b" or "Name <a@b>" */
    /* Renders an account message (invitation, reset, …) for a delivery pass:
     * notify_compose_account of notify_account.c, which builds on this
     * module, so the caller hands it down rather than this layer reaching
     * up. NULL: account messages are marked failed as unrenderable. */
    int (*compose_account)(struct notify_mail *out, struct arena *a,
                           const struct notify_account_event *e, const struct notify_site *s,
                           struct ls_err *err);
};

/* Everything a message says. */
struct notify_event {
    enum notify_kind kind;
    const char *lang; /* "pl" or "en" */
    int64_t booking_id, start, end, sequence, booking_created, queued;
    const char *status; /* the booking's status after the change */
    const char *reason; /* NULL = none */
    int occurrences;
    const char *resource, *lab, *purpose;
    const char *booker_name, *booker_email;
    const char *actor_name; /* NULL = the system */
    const char *to;         /* recipient address */
    const char *to_name;    /* recipient's name for the To: header; NULL = none */
    int invited; /* an invitation (iTIP REQUEST) for this booking went to `to` before: only
                    then does a cancellation or decline carry an iTIP CANCEL */    /* Training requests: the resource and the requester's organisation
     * (booker_name is the requester, reason their message). */
    int64_t resource_id;
    const char *organisation; /* NULL = a guest */
};

struct notify_mail {
    const char *subject; /* UTF-8, one line */
    const char *text;    /* text/plain, lines end in \n */
    const char *html;    /* text/html, every value escaped */
    const char *ics;     /* iTIP attachment or NULL */
    const char *method;  /* "REQUEST" or "CANCEL" with ics */
};

/* Renders the message in e->lang: an iTIP REQUEST for approvals and moves,
 * a CANCEL for cancellations and declines of a booking the recipient was
 * invited to, none otherwise. LS_EINTERNAL only if libical fails. */
int notify_compose(struct notify_mail *out, struct arena *a, const struct notify_event *e,
                   const struct notify_site *s, struct ls_err *err);

/* What an account message says (notify_account.c). */
struct notify_account_event {
    enum notify_kind kind;
    const char *lang;              /* "pl" or "en" */
    const char *to;                /* recipient address */
    const char *link_token;        /* NULL = none (or already erased) */
    int64_t link_expires;          /* seconds UTC */
    const char *actor_name;        /* invitations: who invites */
    const char *organisation_name; /* invitations: NULL = none */
    const char *role;              /* invitations: "researcher", "owner", "staff" */
};

/* 1 for the account kinds (NOTIFY_INVITATION …). */
int notify_kind_is_account(enum notify_kind k);
/* The page a link of this kind opens: "<public_url>/#/invitation/<token>",
 * "/#/reset/…", "/#/verify/…"; NULL for kinds without a link. */
const char *notify_account_link(struct arena *a, const struct notify_site *s, enum notify_kind k,
                                const char *token);
/* Renders an account message in e->lang (text and HTML, no attachment). */
int notify_compose_account(struct notify_mail *out, struct arena *a,
                           const struct notify_account_event *e, const struct notify_site *s,
                           struct ls_err *err);

/* The whole RFC 5322 message: headers (From and To as mailboxes whose
 * display names are RFC 2047 encoded-words when not plain ASCII and quoted
 * when they hold specials, the address always intact; Subject encoded
 * likewise; Date, Message-ID, MIME-Version) and a multipart/mixed body
 * holding multipart/alternative (text/plain, text/html and, with an
 * invitation, text/calendar with its method; UTF-8, base64), plus the same
 * calendar as the attachment invite.ics (application/ics). Lines end in
 * CRLF. to_name may be NULL. */
char *notify_mime(struct arena *a, const struct notify_site *s, const char *to, const char *to_name,
                  const struct notify_mail *m, int64_t date, const char *message_id);

/* Queues the owners' message that an imported calendar (`what`: its name
 * and the event) now blocks the time of booking `id`, inside the caller's
 * write transaction. */
int notify_enqueue_conflict(struct db *db, int64_t id, const char *what, int64_t now,
                            struct ls_err *err);

/* Helpers, exposed for tests. */
char *notify_html_escape(struct arena *a, const char *s);
char *notify_encode_header(struct arena *a, const char *s); /* RFC 2047 B when needed */
/* A mailbox "name <addr>" for From/To: the name an encoded-word when not
 * ASCII, a quoted-string when it holds RFC 5322 specials (a comma), as is
 * otherwise; just "<addr>" without a name. */
char *notify_mailbox(struct arena *a, const char *name, const char *addr);
const char *notify_display_name(struct arena *a, const char *from);    /* "N <a@b>" → "N" */
char *notify_base64_lines(struct arena *a, const char *s, size_t len); /* 76-column, CRLF */
const char *notify_address(struct arena *a, const char *from);         /* "N <a@b>" → "a@b" */
int notify_email_ok(const char *s);

/* --- delivery --- */

/* The SMTP settings from the environment (notify_smtp_read_env) with the
 * sender checked: LABSHARE_SMTP_FROM must be "a@b" or "Name <a@b>"; its
 * address becomes the envelope sender. 0 configured, 1 not (no URL), -1 a
 * bad setting (the reason in err). */
int notify_smtp_from_env(struct notify_smtp *out, struct ls_err *err);

struct notify_pass {
    int reminders, sent, retried, failed;
};

/* One delivery pass at `now`: queue reminders, then send what is due. */
int notify_run_pass(struct db *db, const struct notify_smtp *smtp, const struct notify_site *site,
                    int64_t now, int64_t backoff_base, struct notify_pass *out, struct ls_err *err);

/* The sender thread of `labshare serve`: a pass every interval_ms on its own
 * database connection. public_url is read at every pass (the server fills
 * it in once it listens). */
struct notify_sender_config {
    struct notify_smtp smtp;
    const char *public_url;
    int interval_ms;
    int64_t backoff_base;
};
int notify_sender_start(const struct notify_sender_config *cfg); /* 0 = started */
void notify_sender_stop(void); /* joins the thread; harmless if not started */

/* --- settings and the outbox view --- */

struct notify_prefs {
    int request, decision, change, reminder;
};
int notify_prefs_get(struct notify_prefs *out, struct db *db, int64_t user_id, struct ls_err *err);
int notify_prefs_set(struct db *db, int64_t user_id, const struct notify_prefs *p,
                     struct ls_err *err);

/* Whether u may see and set lab_id's mailbox: 404 no lab, 403 unless u
 * manages the lab's organisation. *email (may be NULL) gets the current one
 * (NULL = none) in the arena. */
int notify_lab_mailbox_get(const char **email, struct db *db, struct arena *a, const struct user *u,
                           int64_t lab_id, struct ls_err *err);
/* A lab's shared mailbox (NULL clears). 404 no lab, 403 unless the user
 * manages the lab's organisation, 422 ("email") not an address. */
int notify_lab_mailbox_set(struct db *db, const struct user *u, int64_t lab_id, const char *email,
                           const char *ip, struct ls_err *err);

struct notify_row {
    int64_t id, booking_id, user_id, attempts, next_attempt, created, sent_at;
    const char *kind, *email, *lang, *status, *last_error;
};
struct notify_rows {
    int n;
    struct notify_row *items;
    int64_t total;
};
/* Outbox rows, newest first; status NULL = any. */
int notify_outbox_list(struct notify_rows *out, struct db *db, struct arena *a, const char *status,
                       int64_t limit, int64_t offset, struct ls_err *err);

#endif
