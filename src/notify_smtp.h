/* notify_smtp.h — the SMTP transport of the notifications: one message to
 * one recipient over libcurl, and the settings from the environment.
 *
 * It knows nothing of bookings, the outbox or how a message is written:
 * notify.c hands it a finished RFC 5322 message and the envelope
 * addresses, so calls only go down (notify → notify_smtp). */
#ifndef LS_NOTIFY_SMTP_H
#define LS_NOTIFY_SMTP_H

#include <stddef.h>

struct ls_err;

struct notify_smtp {
    const char *url;  /* smtp://host:port or smtps://host:port; NULL = not configured */
    const char *user; /* NULL = no authentication */
    const char *password;
    const char *from;   /* the From: header's sender, "a@b" or "Name <a@b>" (as configured) */
    char envelope[256]; /* the envelope sender (MAIL FROM), the bare address of from */
    int starttls;       /* 1 = STARTTLS required */
    long timeout_s;     /* connect + transfer limit */
};

/* Sends one message from smtp->envelope to `to`; 0, or 1 with the server's
 * or libcurl's error in errbuf. */
int notify_smtp_send(const struct notify_smtp *smtp, const char *to, const char *message,
                     char *errbuf, size_t errlen);

/* Reads LABSHARE_SMTP_URL, _USER, _PASSWORD (or _PASSWORD_FILE), _FROM and
 * _STARTTLS as they are (the caller checks the sender and fills envelope).
 * 0 when a URL is set, 1 when not, -1 on a bad URL or an unreadable password
 * file (the reason in err). Strings are static or from getenv. */
int notify_smtp_read_env(struct notify_smtp *out, struct ls_err *err);

/* While set, a transfer in progress gives up at once (the message is
 * retried later) instead of holding a shutdown for up to the timeout. */
void notify_smtp_abort(int on);

/* libcurl's global set-up, once; call before threads send. */
void notify_smtp_init(void);

#endif
