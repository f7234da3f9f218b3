/* calendar_fetch.h — fetching a subscribed calendar over HTTP(S) with
 * libcurl, within limits, never reaching private networks by accident.
 *
 * Below the import module (calendar_import.c): it knows URLs, bytes and
 * addresses, nothing of resources or blackouts. Every connection libcurl
 * opens — the first, after each redirect, after every DNS answer — goes
 * through an address check before the socket exists
 * (CURLOPT_OPENSOCKETFUNCTION), so neither a redirect nor a name that
 * resolves differently the second time (DNS rebinding) reaches loopback,
 * private or link-local networks. Proxies from the environment are not
 * used (they would hide the address). */
#ifndef LS_CALENDAR_FETCH_H
#define LS_CALENDAR_FETCH_H

#include <stddef.h>
#include <sys/socket.h>

/* 1 if the address is public: not loopback, private (RFC 1918, ULA),
 * link-local, shared (100.64/10), unspecified, multicast, broadcast or
 * reserved, also when written as IPv4-mapped or NAT64 IPv6. */
int cal_addr_public(const struct sockaddr *sa);

struct cal_fetch_opts {
    size_t max_bytes;   /* larger bodies fail (IMPORT: 5 MB) */
    long timeout_s;     /* the whole transfer */
    long max_redirects; /* followed at most */
    /* Decides each address before connecting; NULL = cal_addr_public. The
     * server passes NULL or, with --import-allow-private, an always-yes. */
    int (*addr_ok)(const struct sockaddr *sa, void *ctx);
    void *ctx;
    const char *etag;          /* sent as If-None-Match; NULL = none */
    const char *last_modified; /* sent as If-Modified-Since; NULL = none */
};

enum cal_fetch_status {
    CAL_FETCH_OK = 0,       /* 200: body holds the calendar */
    CAL_FETCH_NOT_MODIFIED, /* 304 */
    CAL_FETCH_HTTP,         /* another HTTP status (http_status) */
    CAL_FETCH_TOO_LARGE,    /* more than max_bytes */
    CAL_FETCH_REFUSED,      /* an address the check refused */
    CAL_FETCH_REDIRECTS,    /* more than max_redirects redirects */
    CAL_FETCH_TIMEOUT,      /* timeout_s passed */
    CAL_FETCH_NETWORK,      /* cannot resolve, connect, TLS, a bad URL … */
};

struct cal_fetch_result {
    enum cal_fetch_status status;
    long http_status;
    char *body; /* malloc'd, NUL-terminated (free with free()); NULL unless OK */
    size_t len;
    char etag[256]; /* the answer's validators ("" = none) */
    char last_modified[64];
    char error[256]; /* English detail for operators; "" on success */
};

/* What is wrong with a URL given for subscription (the caller words it,
 * in the user's language). */
enum cal_url_problem {
    CAL_URL_OK = 0,
    CAL_URL_TOO_LONG,   /* longer than out_len allows */
    CAL_URL_SCHEME,     /* not http://, https:// or webcal:// */
    CAL_URL_INVALID,    /* no host, or not a URL at all */
    CAL_URL_UNRESOLVED, /* the host name does not resolve */
    CAL_URL_PRIVATE,    /* it resolves to a loopback, private or link-local address */
};

/* Checks a URL given for subscription: http, https or webcal (rewritten
 * as https) with a host; without allow_private its host must resolve to
 * public addresses only. CAL_URL_OK and the URL to fetch in out (out_len
 * bytes), or the problem. */
enum cal_url_problem cal_url_check(const char *url, int allow_private, char *out, size_t out_len);

/* Fetches an http:// or https:// URL. Always fills *out. */
void cal_fetch(const char *url, const struct cal_fetch_opts *opts, struct cal_fetch_result *out);

#endif
