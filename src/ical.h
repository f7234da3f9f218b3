/* ical.h — rendering bookings as iCalendar (RFC 5545) with libical.
 *
 * Domain code: no civetweb, no cJSON, no SQL. The feed module decides what
 * each event says (names hidden or not); this module only turns finished
 * text into a calendar that every common client accepts:
 *   - VCALENDAR with PRODID, VERSION 2.0, CALSCALE GREGORIAN, X-WR-CALNAME,
 *     X-WR-TIMEZONE, REFRESH-INTERVAL and X-PUBLISHED-TTL (15 minutes) and no
 *     METHOD (a published feed, not a scheduling message);
 *   - one VTIMEZONE named exactly "Europe/Warsaw" carrying only the rules in
 *     force since 1996 (CET/CEST, last Sundays of March and October): libical's
 *     built-in zone is named "/freeassociation.sourceforge.net/…" and lists
 *     every historical rule, which some parsers reject;
 *   - per event UID "booking-<id>@<host>" (or "blackout-<id>@<host>"),
 *     DTSTAMP (UTC), DTSTART/DTEND in local wall time with
 *     TZID=Europe/Warsaw, SUMMARY, LOCATION, DESCRIPTION, STATUS, SEQUENCE,
 *     CREATED, LAST-MODIFIED, URL and TRANSP. An instant in the repeated
 *     hour of the autumn change (either pass) is written in UTC instead:
 *     its wall time is ambiguous, and parsers disagree on which pass it means.
 * Local times follow the rules the VTIMEZONE states (the EU rule, changes
 * at 01:00 UTC on the last Sundays of March and October), so what the file
 * says and what it means cannot drift apart.
 * Text is escaped (\ ; , newline), lines are folded at 75 octets without
 * splitting a UTF-8 sequence and end in CRLF.
 *
 * Speed: the VCALENDAR head is built with libical once per calendar, the
 * events are written directly (a libical tree per event cost four fifths of
 * a feed's render). The writer reproduces libical's serialisation byte for
 * byte — escaping, property order, its folding rule — and
 * ical_render_tree() renders the same calendar through libical's tree,
 * which the unit tests hold the writer against. */
#ifndef LS_ICAL_H
#define LS_ICAL_H

#include <stddef.h>
#include <stdint.h>

/* The zone name used for TZID; its rules are built in (see above). */
#define ICAL_TZID "Europe/Warsaw"

enum ical_status {
    ICAL_TENTATIVE = 0, /* pending request */
    ICAL_CONFIRMED,     /* approved */
    ICAL_CANCELLED,     /* cancelled: kept so subscribers remove it */
};

struct ical_event {
    int64_t id;           /* UID "<kind>-<id>@<host>" */
    const char *uid_kind; /* "booking" (NULL) or "blackout" */
    int64_t start, end;   /* instants, UTC seconds */
    int64_t created;      /* CREATED */
    int64_t updated;      /* LAST-MODIFIED and DTSTAMP */
    int sequence;         /* SEQUENCE */
    enum ical_status status;
    const char *summary; /* plain text (escaped here); NULL = none */
    const char *location;
    const char *description;
    const char *url; /* absolute URL; NULL = none */
    int opaque;      /* TRANSP:OPAQUE (invitations) instead of TRANSPARENT (feeds) */
};

struct ical_calendar {
    const char *name; /* X-WR-CALNAME (backslashes and line breaks are dropped) */
    const char *host; /* for UIDs: the public host name */
    int publish;      /* a file of its own (one booking's download): METHOD:PUBLISH and
                         none of the feed's properties (X-WR-*, REFRESH-INTERVAL,
                         X-PUBLISHED-TTL) */
};

/* Maps a booking status ("pending", "approved", "cancelled", "declined") to
 * its STATUS (declined bookings read CANCELLED, so subscribers drop them);
 * -1 for anything else. */
int ical_status_of(const char *booking_status);

/* Renders a calendar with n events. Returns a malloc'd NUL-terminated string
 * (caller frees with free()) and its length in *out_len, or NULL when out of
 * memory. The output depends only on the arguments, so equal input renders
 * byte-identical output (feeds derive their ETag from the input). */
char *ical_render(const struct ical_calendar *cal, const struct ical_event *ev, size_t n,
                  size_t *out_len);

/* The same calendar built as one libical tree and serialised by libical:
 * the reference the fast writer above must match byte for byte (tests).
 * Same ownership as ical_render. */
char *ical_render_tree(const struct ical_calendar *cal, const struct ical_event *ev, size_t n,
                       size_t *out_len);

/* A scheduling message (RFC 5546 iTIP) about one booking, for e-mail
 * attachments: METHOD REQUEST (new or changed) or CANCEL, ORGANIZER the
 * site's sender address, ATTENDEE the booker. The VEVENT is the one the
 * feeds render (same UID "booking-<id>@<host>" and SEQUENCE), so a client
 * that also subscribes to a feed sees one event. */
struct ical_itip {
    const char *method;         /* "REQUEST" or "CANCEL" */
    const char *organizer;      /* e-mail address (no "mailto:") */
    const char *organizer_name; /* CN; NULL = none */
    const char *attendee;       /* e-mail address */
    const char *attendee_name;  /* CN; NULL = none */
};

/* Renders one event as an iTIP calendar; same ownership as ical_render. */
char *ical_render_itip(const struct ical_calendar *cal, const struct ical_event *ev,
                       const struct ical_itip *itip, size_t *out_len);

#endif
