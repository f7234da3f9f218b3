/* http.h — the HTTP layer: route table, request context, responses.
 *
 * Every route of the server is a `struct route` in one of the api_*.c
 * tables, gathered in routes.c. The dispatcher (http.c) matches method and
 * path, authenticates the session, checks the CSRF token on state changes,
 * reads and parses the JSON body within the route's limit, checks the role,
 * and then calls the handler. Handlers do only their job: they answer with
 * http_send_json()/http_send() and return LS_OK, or return an error code with
 * r->err filled in, which the dispatcher turns into the API's error shape.
 *
 * Order of checks (../shared/API.md): 401 unauthenticated, 403 CSRF, 400
 * malformed JSON, then the route's role (403), then the handler's own
 * 404 / 403 / 422 / 409. */
#ifndef LS_HTTP_H
#define LS_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "arena.h"
#include "auth.h"
#include "err.h"

struct mg_connection;
struct mg_request_info;
struct db;

/* Who may call a route, before any per-object check. */
enum route_access {
    ACCESS_PUBLIC = 0, /* anyone, no session needed */
    ACCESS_USER,       /* any signed-in user */
    ACCESS_OWNER,      /* owner or staff */
    ACCESS_STAFF,      /* staff only */
};

#define HTTP_MAX_PARAMS 4
#define HTTP_BODY_DEFAULT (64 * 1024) /* a generous limit for JSON objects */
#define HTTP_HEAD_MAX (16 * 1024)     /* request line + headers; larger is 413 */
#define HTTP_THREADS_DEFAULT 128      /* workers: one per open connection (see http_serve) */

struct req;
typedef int (*http_handler)(struct req *r);

struct route {
    const char *method;  /* "GET", "POST", "PATCH", "PUT", "DELETE" (GET also serves HEAD) */
    const char *pattern; /* "/api/v1/labs/{id}"; a segment may be "{token}.ics" */
    http_handler handler;
    enum route_access access;
    size_t body_max;     /* 0 = no body read; else the largest accepted JSON body */
    unsigned flags;      /* ROUTE_* */
    const char *tag;     /* OpenAPI tag: "catalogue", "bookings", … */
    const char *summary; /* one line, for OpenAPI */
};

enum {
    ROUTE_NO_CSRF = 1u << 0,  /* sign-in: there is no token to echo yet */
    ROUTE_RAW_BODY = 1u << 1, /* body read but not parsed as JSON (r->body) */
    /* GET answers depend only on the database, the caller and the URL: a 200
     * is kept per (user, URL) until db_generation() moves (http.c). */
    ROUTE_CACHED = 1u << 2,
};

struct req {
    struct mg_connection *conn;
    const struct mg_request_info *ri;
    const struct route *route;
    struct db *db;                       /* this worker thread's connection */
    struct arena arena;                  /* request memory, released after the reply */
    const char *method;                  /* "HEAD" is reported as such; routes see GET */
    const char *path;                    /* decoded, without query */
    const char *params[HTTP_MAX_PARAMS]; /* {placeholders} of the pattern, in order */
    int nparams;
    const char *body; /* raw body (NUL-terminated) or NULL */
    size_t body_len;
    cJSON *json;               /* parsed body (object), owned by the request; never NULL for
                                  routes with body_max (an empty body reads as {}) */
    struct user *user;         /* NULL when anonymous */
    const char *session_token; /* the cookie value, when a session is valid */
    const char *csrf;          /* the session's CSRF token */
    const char *client_ip;
    struct ls_err err;     /* filled by handlers that return an error */
    int status;            /* answered status, for the access log */
    size_t bytes;          /* answered body bytes, for the access log */
    char *extra_headers;   /* "Name: value\r\n…" added to the next answer */
    const char *cache_key; /* ROUTE_CACHED: where to keep a 200 JSON answer, or NULL */
    uint64_t cache_generation;
};

struct http_config {
    const char *listen;     /* "127.0.0.1:8080" */
    const char *www_dir;    /* static files */
    const char *public_url; /* "https://labshare.example.org"; NULL = from listen */
    int threads;            /* worker threads */
    int db_connections;     /* SQLite connections shared by the workers */
    int trust_proxy;        /* honour X-Forwarded-For / X-Forwarded-Proto */
    int quiet;              /* no access log */
};

/* Starts civetweb, prints the URL on stdout, serves until SIGTERM/SIGINT,
 * then stops accepting, lets in-flight requests finish, closes the
 * databases. Returns 0 on a clean stop, 1 if the server could not start. */
int http_serve(const struct http_config *cfg);

/* The public base URL without a trailing slash, e.g. "http://127.0.0.1:8080". */
const char *http_public_url(void);
/* Its host name (for iCalendar UIDs). */
const char *http_public_host(void);

/* --- responses (all return LS_OK so handlers can `return http_send_json(…)`) --- */

/* Sends `body` as JSON with `status`. Takes ownership of body. */
int http_send_json(struct req *r, int status, cJSON *body);
/* Sends JSON text built without cJSON (jsonw.h) as http_send_json sends a
 * tree: same headers, kept by the answer cache alike. text is borrowed. */
int http_send_json_text(struct req *r, int status, const char *text, size_t len);
/* Sends raw bytes. content_type like "text/csv; charset=utf-8". */
int http_send(struct req *r, int status, const char *content_type, const void *body, size_t len);
/* Sends 204 No Content. */
int http_send_empty(struct req *r, int status);
/* Sends the error in r->err (or a 500 when none is set) in the API's shape. */
int http_send_error(struct req *r);
/* Adds a response header for the next http_send*: value copied. */
void http_add_header(struct req *r, const char *name, const char *value);

/* --- request accessors --- */

/* Path parameter idx as a positive id; LS_ENOTFOUND (404) if it is not one. */
int http_param_id(struct req *r, int idx, int64_t *out);
/* A request header or NULL. */
const char *http_header(struct req *r, const char *name);
/* Decoded query parameter (arena copy) or NULL when absent. */
const char *http_query(struct req *r, const char *name);
/* Query parameter as an integer in [min, max]; absent leaves *out alone and
 * sets *present 0. Bad values are 422 naming the parameter. */
int http_query_int(struct req *r, const char *name, int64_t min, int64_t max, int64_t *out,
                   int *present);
/* Query parameter as an RFC 3339 instant (see tu_parse); 422 if malformed. */
int http_query_time(struct req *r, const char *name, int required, int64_t *out, int *present);
/* Query parameter that must be one of `choices` (NULL-terminated); 422 else. */
int http_query_enum(struct req *r, const char *name, const char *const *choices, const char **out,
                    int *present);
/* `limit` (default 50, 1..500, larger is 422) and `offset` (≥ 0). */
int http_paging(struct req *r, int64_t *limit, int64_t *offset);
/* A list answer {"items": items, "total": total}; takes ownership of items. */
int http_send_list(struct req *r, cJSON *items, int64_t total);

/* Bytes the GET answer cache holds now (keys and bodies, within 8 MB). */
size_t http_answer_cache_bytes(void);

/* Whether the client reached us over HTTPS (directly or via a trusted proxy). */
int http_is_https(struct req *r);

/* Route matching, exposed for tests: 1 if path matches pattern, with the
 * placeholders' values copied into the arena. */
int http_match(const char *pattern, const char *path, struct arena *a, const char **params,
               int *nparams);

/* All route tables, NULL-terminated list of {0}-terminated arrays (routes.c). */
extern const struct route *const http_route_tables[];

#endif
