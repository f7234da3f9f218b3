/* calendar_import.h — external calendars (.ics) as blackouts of a resource.
 *
 * Owners whose instruments already have a maintenance or service calendar
 * (Outlook, Google, a vendor's portal) subscribe the resource to it by URL
 * (fetched now and every refresh interval) or upload a file once. Each busy
 * event — not TRANSP:TRANSPARENT, not cancelled — with its RRULE, RDATE,
 * EXDATE, RECURRENCE-ID overrides and VTIMEZONE honoured (libical), up to
 * two years ahead, becomes a blackout with the source's id and the event's
 * UID. A refresh replaces the source's future blackouts by the new set:
 * unchanged ones keep their ids, moved or removed ones go, new ones come.
 * Times without a zone (floating) and all-day dates are read in the site's
 * zone; an unknown TZID without its VTIMEZONE is read as floating.
 *
 * Imported blackouts never cancel anything: bookings (pending or approved,
 * not ended) that overlap them are the source's conflicts, and the owners
 * of the resource's organisation are e-mailed once per booking and source.
 *
 * Domain code (no civetweb, no cJSON): the fetch is calendar_fetch.h, the
 * mail notify.h, every write goes through db_write(). Strings of returned
 * structs live in the caller's arena. */
#ifndef LS_CALENDAR_IMPORT_H
#define LS_CALENDAR_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "auth.h"
#include "err.h"
#include "field.h"

struct db;

#define IMPORT_MAX_BYTES ((size_t)5 << 20)  /* a fetched calendar */
#define IMPORT_UPLOAD_MAX ((size_t)1 << 20) /* an uploaded file */
#define IMPORT_TIMEOUT_S 10L                /* one fetch, redirects included */
#define IMPORT_MAX_REDIRECTS 3L
#define IMPORT_HORIZON (731LL * 86400) /* events up to two years ahead */
#define IMPORT_MAX_EVENTS 5000         /* blackouts one source may hold */
#define IMPORT_REFRESH_DEFAULT 900     /* seconds between fetches of a URL */
#define IMPORT_URL_MAX 2000
#define IMPORT_NAME_MAX 200
#define IMPORT_REASON_MAX 200 /* an event's SUMMARY as the blackout's reason */

/* Process-wide settings, set once before the server starts: whether
 * addresses on loopback, private and link-local networks may be fetched
 * (--import-allow-private), and the refresh interval in seconds. */
void import_configure(int allow_private, int refresh_s);

/* --- parsing ----------------------------------------------------------- */

/* One busy span of an imported calendar. */
struct import_busy {
    const char *uid;    /* the event's UID ("" if it had none) */
    const char *reason; /* its SUMMARY, cleaned (control characters dropped, at most
                           IMPORT_REASON_MAX characters); "" if none */
    int64_t start, end; /* half-open, UTC seconds, end > start */
};

/* Parses an iCalendar text of len bytes and expands its busy events that
 * overlap [from, to), ordered by start. Malformed text is LS_EVALIDATION
 * with field "file" and a message naming the line ("line 12: …"); more
 * than IMPORT_MAX_EVENTS spans is LS_EVALIDATION too. *out is an arena
 * array of *n spans. */
int import_parse(const char *text, size_t len, int64_t from, int64_t to, struct arena *a,
                 struct import_busy **out, int *n, struct ls_err *err);

/* --- sources ------------------------------------------------------------ */

struct import_source {
    int64_t id, resource_id;
    const char *kind; /* "url" or "file" */
    const char *url;  /* NULL for files */
    const char *name;
    int64_t created;
    int64_t last_fetch;         /* 0 = never */
    const char *last_status;    /* "ok", "not_modified", "error"; NULL = never fetched */
    const char *error;          /* English detail of the last failure; NULL = none */
    const char *error_code;     /* its kind, for translated texts: "too_large", "refused",
                                   "redirects", "timeout", "network", "http", "invalid"; NULL */
    int64_t events;             /* blackouts it holds */
    int64_t next_fetch;         /* 0 for files */
    struct field_ids conflicts; /* ids of pending/approved bookings, not ended, that
                                   overlap its blackouts */
};

/* The organisation that manages source id (its resource's): LS_ENOTFOUND
 * when there is no such source. */
int import_source_org(struct db *db, int64_t id, int64_t *org, struct ls_err *err);

/* Subscribes resource_id to the calendar at url (http, https or webcal,
 * which is fetched as https) under name, and fetches it now. Only owners of
 * the resource's organisation and staff: 404 unknown resource, 403 others;
 * 422 "url" for another scheme, a malformed URL or, without
 * --import-allow-private, a host that resolves to a refused address; 422
 * "name" when empty or too long. A failing first fetch still creates the
 * source (its status says why). */
int import_source_add(struct db *db, const struct user *u, int64_t resource_id, const char *url,
                      const char *name, int64_t now, struct arena *a, struct import_source *out,
                      struct ls_err *err);

/* Creates blackouts once from an uploaded file, as a source of kind "file"
 * (deleting it removes them). Same permissions; 422 "file" for a malformed
 * calendar (naming the line), nothing written then. */
int import_upload(struct db *db, const struct user *u, int64_t resource_id, const char *name,
                  const char *text, size_t len, int64_t now, struct arena *a,
                  struct import_source *out, struct ls_err *err);

/* The sources of a resource (anyone who may manage it) and one source. */
int import_source_list(struct db *db, const struct user *u, int64_t resource_id, int64_t now,
                       struct arena *a, struct import_source **out, int *n, struct ls_err *err);
int import_source_get(struct db *db, const struct user *u, int64_t id, int64_t now, struct arena *a,
                      struct import_source *out, struct ls_err *err);

/* Deletes a source and its blackouts. */
int import_source_delete(struct db *db, const struct user *u, int64_t id, struct ls_err *err);

/* Fetches a URL source now and applies it; *out is the source afterwards.
 * 422 for a file source (there is nothing to fetch). */
int import_source_refresh(struct db *db, const struct user *u, int64_t id, int64_t now,
                          struct arena *a, struct import_source *out, struct ls_err *err);

/* Refreshes every URL source that is due at now; *done (may be NULL) gets
 * how many. For the refresher thread and `labshare` timers. */
int import_refresh_due(struct db *db, int64_t now, int *done, struct ls_err *err);

/* The refresher thread of `labshare serve`: looks for due sources every
 * few seconds (at most the refresh interval) on its own connection. */
int import_refresher_start(void); /* 0 = started */
void import_refresher_stop(void); /* joins the thread; harmless if not started */

#endif
