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
 *   - per event UID "booking-<id>@<host>", DTSTAMP (UTC), DTSTART/DTEND in
 *     local wall time with TZID=Europe/Warsaw, SUMMARY, LOCATION,
 *     DESCRIPTION, STATUS, SEQUENCE, CREATED, LAST-MODIFIED and URL (an
 *     instant in the repeated hour of the autumn change, whose wall time
 *     would read as its first occurrence, is written in UTC instead).
 * Text is escaped (\ ; , newline), lines are folded at 75 octets without
 * splitting a UTF-8 sequence and end in CRLF (libical does all three; the
 * tests check it). */
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
    int64_t id;         /* booking id: UID "booking-<id>@<host>" */
    int64_t start, end; /* instants, UTC seconds */
    int64_t created;    /* CREATED */
    int64_t updated;    /* LAST-MODIFIED and DTSTAMP */
    int sequence;       /* SEQUENCE */
    enum ical_status status;
    const char *summary; /* plain text (escaped here); NULL = none */
    const char *location;
    const char *description;
    const char *url; /* absolute URL; NULL = none */
};

struct ical_calendar {
    const char *name; /* X-WR-CALNAME (backslashes and line breaks are dropped) */
    const char *host; /* for UIDs: the public host name */
};

/* Maps a booking status ("pending", "approved", "cancelled") to its STATUS;
 * -1 for anything else (declined bookings are never rendered). */
int ical_status_of(const char *booking_status);

/* Renders a calendar with n events. Returns a malloc'd NUL-terminated string
 * (caller frees with free()) and its length in *out_len, or NULL when out of
 * memory. The output depends only on the arguments, so equal input renders
 * byte-identical output (feeds derive their ETag from the input). */
char *ical_render(const struct ical_calendar *cal, const struct ical_event *ev, size_t n,
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
