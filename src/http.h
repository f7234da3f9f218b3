/* http.h — the HTTP layer: route table, request context, responses.
 *
 * Every route of the server is a `struct route` in one of the api_*.c
 * tables, gathered in routes.c. A route says who may call it, which object
 * its path names and what the caller needs on that object, and the shapes
 * (field.h) of its body, query parameters and answer. The dispatcher
 * (http.c) does everything those say, once, in the contract's order
 * (../shared/API.md § Conventions):
 *
 *   401 unauthenticated (the session looked up on a briefly borrowed
 *       database connection), 403 missing or wrong CSRF token, the body read
 *       with no database connection held, 400 malformed JSON, 403 the route's
 *       role, then on a pooled connection: 404 the object named by the path
 *       absent or not visible, 403 visible but not the caller's to act on,
 *       422 the body and query parameters against their shapes.
 *
 * Handlers then start with the caller (r->user), the object (r->obj_id,
 * r->obj, r->obj_org) and the typed input (r->input, r->query) in hand, do
 * their job (their own 422 and 409 rules, writes through db_write) and
 * answer with http_send_json()/http_send(), or return an error code with
 * r->err filled in, which the dispatcher turns into the API's error shape
 * in the caller's language. */
#ifndef LS_HTTP_H
#define LS_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "arena.h"
#include "auth.h"
#include "err.h"
#include "msg.h"

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

/* What the caller needs on the object the path names (the first {id}), in
 * the contract's order: an object that does not exist, or that the caller
 * may not see, is 404; one the caller sees but may not act on is 403. */
enum object_need {
    NEED_SEE = 0, /* it exists and the caller may see it */
    NEED_MANAGE,  /* … and the caller is staff or an owner of its organisation */
    NEED_STAFF,   /* … and the caller is staff */
    NEED_OWN,     /* … and it is the caller's own, or the caller manages it */
    NEED_SELF,    /* … and it is the caller's own (a feed, a user's own record) */
};

#define HTTP_MAX_PARAMS 4
#define HTTP_BODY_DEFAULT (64 * 1024)      /* a generous limit for JSON objects */
#define HTTP_HEAD_MAX (16 * 1024)          /* request line + headers; larger is 413 */
#define HTTP_THREADS_DEFAULT 128           /* workers: one per open connection (see http_serve) */
#define HTTP_REQUEST_TIMEOUT_DEFAULT 10    /* s for a request's head and body to arrive */
#define HTTP_KEEP_ALIVE_DEFAULT 5          /* s an idle keep-alive connection stays open */
#define HTTP_CLIENT_CONNECTIONS_DEFAULT 32 /* open connections per client address */

struct req;
struct shape;
typedef int (*http_handler)(struct req *r);

/* An object a path names, and how to find it. */
struct route_object {
    const char *name;          /* "lab": for the description of access */
    const struct shape *shape; /* its schema (may be NULL) */
    /* Finds object `id`: LS_OK with *org (the organisation that manages it,
     * 0 = none) and *owner (the user it belongs to, 0 = none), and *obj (its
     * struct in r->arena, or NULL when the locator only checks); else
     * LS_ENOTFOUND with r->err set. */
    int (*locate)(const struct route_object *o, struct req *r, int64_t id, void **obj, int64_t *org,
                  int64_t *owner);
    const void *arg; /* the locator's data (a catalogue type) */
    int private;     /* only its owner, its organisation's managers and staff see it */
    /* The organisation whose owners manage it, in words for the access
     * descriptions ("the resource's organisation"); NULL = its own. */
    const char *managed_by;
};

struct route {
    const char *method;  /* "GET", "POST", "PATCH", "PUT", "DELETE" (GET also serves HEAD) */
    const char *pattern; /* "/api/v1/labs/{id}"; a segment may be "{token}.ics" */
    http_handler handler;
    enum route_access access;
    size_t body_max;     /* 0 = no body read; else the largest accepted JSON body */
    unsigned flags;      /* ROUTE_* */
    const char *tag;     /* OpenAPI tag: "catalogue", "bookings", … */
    const char *summary; /* one line, for OpenAPI */
    /* The object the path's first {id} names — or, for a route that
     * creates something inside it, the body member `object_field` names
     * (422 rather than 404 when it is missing or names nothing) — located,
     * checked against `need` (404/403) and handed to the handler (r->obj). */
    const struct route_object *object;
    enum object_need need;
    const char *object_field;
    /* The request body, read by the dispatcher into r->input (a struct of
     * the shape's size) after the object's checks; creating: required
     * fields must be there. */
    const struct shape *body;
    int creating;
    /* Query parameters, read into r->query after the body. Paged lists also
     * take limit and offset (ROUTE_PAGED). */
    const struct shape *query;
    /* The answer (OpenAPI): an object of this shape, or a page of them
     * (ROUTE_PAGED). NULL = described by `answer_type`. */
    const struct shape *answer;
    const char *answer_type; /* media type of a non-JSON answer ("text/calendar") */
    const char *body_type;   /* media type of a ROUTE_RAW_BODY body ("text/calendar") */
};

enum {
    ROUTE_NO_CSRF = 1u << 0,  /* sign-in: there is no token to echo yet */
    ROUTE_RAW_BODY = 1u << 1, /* body read but not parsed as JSON (r->body) */
    /* GET answers depend only on the database, the caller and the URL: a 200
     * is kept per (user, URL) until db_generation() moves (http.c). */
    ROUTE_CACHED = 1u << 2,
    ROUTE_PAGED = 1u << 3,     /* a list: limit/offset, {"items", "total"} */
    ROUTE_CREATES = 1u << 4,   /* answers 201 with the new object */
    ROUTE_EMPTY = 1u << 5,     /* answers 204 */
    ROUTE_ACCEPTED = 1u << 6,  /* answers 202: the work (an e-mail) happens later */
    ROUTE_REDIRECTS = 1u << 7, /* a browser route: answers 302 (or an HTML page) */
    /* The path's {token} is an e-mailed link: 404 when unknown, 410 when
     * used or expired. */
    ROUTE_LINK = 1u << 8,
    /* The handler runs with r->db NULL when no connection can be had (the
     * health check reports it); others answer 503 database_unavailable. */
    ROUTE_DB_OPTIONAL = 1u << 9,
    /* May answer 429 too_many_requests with Retry-After (throttled guesses,
     * links or e-mails). */
    ROUTE_THROTTLED = 1u << 10,
    /* Answers 201 with the new object, or 200 with the one that was already
     * there (marking someone trained twice, asking for training again). */
    ROUTE_CREATES_OR_FINDS = 1u << 11,
};

struct req {
    struct mg_connection *conn;
    const struct mg_request_info *ri;
    const struct route *route;
    struct db *db;                       /* a pooled connection, lent for the handler */
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
    enum msg_lang lang; /* of the answer's texts (msg.h) */
    /* The route's object (route->object): its id, struct (NULL when the
     * locator only checks), managing organisation and owning user. */
    int64_t obj_id;
    void *obj;
    int64_t obj_org, obj_owner;
    /* route->body read into a struct; bit i of input_present = field i given. */
    void *input;
    uint64_t input_present;
    /* route->query read into a struct; bit i of query_present = field i given. */
    void *query;
    uint64_t query_present;
    int64_t limit, offset; /* ROUTE_PAGED */
    struct ls_err err;     /* filled by handlers that return an error */
    int status;            /* answered status, for the access log */
    size_t bytes;          /* answered body bytes, for the access log */
    char *extra_headers;   /* "Name: value\r\n…" added to the next answer */
    const char *cache_key; /* ROUTE_CACHED: where to keep a 200 JSON answer, or NULL */
    uint64_t cache_generation;
    /* The answer, until db is given back: its head (or head and body) in
     * the arena, and a large body as given to http_send. */
    const char *unsent, *unsent_body;
    size_t unsent_len, unsent_body_len;
};

/* Whether u may manage (staff, or owner of) organisation org. */
int http_manages(const struct user *u, int64_t org);

struct http_config {
    const char *listen;     /* "127.0.0.1:8080" */
    const char *www_dir;    /* static files */
    const char *public_url; /* "https://labshare.example.org"; NULL = from listen */
    int threads;            /* worker threads */
    int db_connections;     /* SQLite connections shared by the workers */
    int trust_proxy;        /* honour X-Forwarded-For / X-Forwarded-Proto */
    int quiet;              /* no access log */
    int request_timeout;    /* s; 0 = HTTP_REQUEST_TIMEOUT_DEFAULT */
    int keep_alive;         /* s; 0 = HTTP_KEEP_ALIVE_DEFAULT */
    int client_connections; /* per address; 0 = no limit; -1 = the default (none behind
                               a trusted proxy, else HTTP_CLIENT_CONNECTIONS_DEFAULT) */
    /* Called on a stop once the last request has ended and before the
     * databases close: threads that write (the calendar refresher, the
     * mail sender) end there, never on a closed writer. NULL = none. */
    void (*on_stop)(void);
};

/* Starts civetweb, prints the URL on stdout, serves until SIGTERM/SIGINT,
 * then stops accepting, lets in-flight requests finish, closes the
 * databases. Returns 0 on a clean stop, 1 if the server could not start. */
int http_serve(const struct http_config *cfg);

/* The public base URL without a trailing slash, e.g. "http://127.0.0.1:8080". */
const char *http_public_url(void);
/* Its host name (for iCalendar UIDs). */
const char *http_public_host(void);

/* --- responses (all return LS_OK so handlers can `return http_send_json(…)`) ---
 *
 * An answer is written once the handler has given its database connection
 * back (a client that does not read holds no connection), so a body handed
 * to these must live until the request's arena is released: arena memory,
 * a body lent till then, or malloc'd memory handed over with
 * arena_on_release(). */

/* Sends `body` as JSON with `status`. Takes ownership of body. */
int http_send_json(struct req *r, int status, cJSON *body);
/* Sends JSON text built without cJSON (jsonw.h) as http_send_json sends a
 * tree: same headers, kept by the answer cache alike. text is borrowed
 * (see above: till the arena's release). */
int http_send_json_text(struct req *r, int status, const char *text, size_t len);
/* Sends raw bytes. content_type like "text/csv; charset=utf-8". */
int http_send(struct req *r, int status, const char *content_type, const void *body, size_t len);
/* Sends 204 No Content. */
int http_send_empty(struct req *r, int status);
/* Sends 304 Not Modified with the security headers and the added ones
 * (validators, Cache-Control), without a body or Content-Length. */
int http_send_not_modified(struct req *r);
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
