/* framing.h — how long a request is, decided once and strictly.
 *
 * Where a request's body ends is the one thing a server and every proxy in
 * front of it must agree on; where they differ, one client's bytes become
 * another's request (request smuggling). RFC 9112 §6.3 and §3.2 leave no
 * room, so neither does this module: a request must say it one way.
 *
 * civetweb 1.15 (Debian) parses the head and decodes chunked bodies, but
 * leniently (src/civetweb.c get_request): with both Content-Length and
 * Transfer-Encoding it follows Transfer-Encoding; of two Content-Lengths it
 * takes the first; "12abc" reads as 12; an HTTP/1.1 request without Host is
 * served; a malformed chunk size makes mg_read() return -1, which the body
 * reader took for the end of the body. framing_check() is the dispatcher's
 * one call (http.c) that refuses all of these before any route runs; the
 * body reader (http.c read_body) refuses a broken chunk. Each refusal is a
 * 400 and the connection is closed, since where the next request would
 * start is unknown.
 *
 * Plain C, no civetweb: the fuzz target tests/fuzz/fuzz_framing.c drives it
 * with arbitrary heads. */
#ifndef LS_FRAMING_H
#define LS_FRAMING_H

#include "err.h"

struct framing_header {
    const char *name; /* as sent, any case */
    const char *value;
};

enum framing_body {
    FRAMING_NONE = 0,    /* no body */
    FRAMING_LENGTH = 1,  /* Content-Length: length bytes */
    FRAMING_CHUNKED = 2, /* Transfer-Encoding: chunked */
};

struct framing {
    enum framing_body body;
    long long length; /* FRAMING_LENGTH: the declared length (≥ 0) */
};

/* The largest Content-Length read as a number (1 TiB); a larger one is
 * still well-formed and simply too large for every route (413). */
#define FRAMING_LENGTH_MAX (1LL << 40)

/* Decides the framing of a request of HTTP version `version` ("1.0",
 * "1.1") from its n headers. LS_OK with *out filled, or LS_EBADREQ with
 * the reason in *err (field: the header at fault) for:
 * - both Content-Length and Transfer-Encoding;
 * - Transfer-Encoding other than exactly one "chunked", or in HTTP/1.0;
 * - a Content-Length that is not digits, or several that differ
 *   ("5, 5" and two equal headers are one length, as RFC 9110 §8.6 allows);
 * - HTTP/1.1 without exactly one Host header, or a Host with spaces,
 *   control characters or a path in it. */
int framing_check(const char *version, const struct framing_header *h, int n, struct framing *out,
                  struct ls_err *err);

#endif
