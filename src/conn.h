/* conn.h — limits on client connections: how many one address may hold,
 * how long a request may take to arrive, and closing so that the client
 * reads the answer.
 *
 * civetweb gives every open connection a worker thread of its own, from
 * accept() until the connection closes; a client that opens connections
 * and sends nothing, or trickles bytes, holds threads for as long as
 * civetweb lets it. civetweb's own timeouts are per read call (a body read
 * 1 byte per 9 s never times out) and it has no per-address limit. This
 * module adds both, around civetweb rather than inside it:
 *
 * - conn_accepted() is called for every socket civetweb accepts, in its
 *   master thread, before any worker sees it (accept_filter.c interposes
 *   accept(); see there). An address with `per_client` connections open
 *   gets a 429 and the socket is closed at once: no worker thread, no queue
 *   slot. IPv6 addresses count per /64 (one host holds a whole /64).
 * - A watchdog thread gives every request `request_ms` from the moment the
 *   server starts waiting for it (accept, or the previous answer) until its
 *   body has been read. At the deadline it shuts the socket for reading:
 *   the worker's blocked read returns at once, the request is answered 408
 *   (or dropped if nothing came) and the connection closed. Idle keep-alive
 *   connections are closed earlier by civetweb (keep_alive_timeout_ms).
 * - conn_finish() closes a connection after an error answer so that the
 *   client reads it: FIN after the answer, then the rest of the request
 *   body is read and dropped (at most CONN_DRAIN_MAX bytes, within the
 *   request's deadline) before the socket closes, since closing with
 *   unread bytes sends a reset that destroys the answer in flight.
 *
 * Connections the filter never saw (a build without accept_filter.c, such
 * as the unit tests) are served without these limits; conn.c says so once
 * on stderr. */
#ifndef LS_CONN_H
#define LS_CONN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct mg_connection;

#define CONN_DRAIN_MAX (16u << 20) /* bytes of an unwanted body read before closing */

struct conn_config {
    int per_client;      /* open connections per client address; 0 = no limit */
    int request_ms;      /* for a request's head and body to arrive */
    const char *refusal; /* the whole answer to a refused connection (copied) */
};

/* Starts the watchdog. 0, or -1 if its thread cannot start. */
int conn_start(const struct conn_config *c);
/* Stops the watchdog (before civetweb stops: see conn.c). */
void conn_stop(void);

/* The accept filter: fd was just accepted from sa. 1 = serve it; 0 = it
 * was refused and is closed (the caller must forget it). */
int conn_accepted(int fd, const struct sockaddr *sa, socklen_t len);

/* civetweb callbacks: connection_close, end_request. */
void conn_closed(const struct mg_connection *conn);
void conn_request_done(const struct mg_connection *conn);

/* The request's body has been read (or it has none): its clock stops. */
void conn_body_done(const struct mg_connection *conn);
/* 1 if the request's deadline has passed (the watchdog shuts the socket for
 * reading, if it has not yet). */
int conn_expired(const struct mg_connection *conn);
/* After an answer that ends the connection: FIN, then drain (see above). */
void conn_finish(struct mg_connection *conn);

struct conn_stats {
    uint64_t refused;   /* connections refused for their address's limit */
    uint64_t timed_out; /* requests cut at their deadline */
    int open;           /* connections open now (seen by the filter) */
};
void conn_get_stats(struct conn_stats *out);

#endif
