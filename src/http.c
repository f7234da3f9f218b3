/* http.c — civetweb glue, the dispatcher and response helpers (see http.h). */
#include "http.h"

#include <civetweb.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "api_field.h"
#include "conn.h"
#include "db.h"
#include "framing.h"
#include "json.h"
#include "timeutil.h"

#define SESSION_COOKIE "labshare_session"

/* Sent with every answer. The front end keeps all script in files, so the
 * policy can forbid inline script outright. */
static const char SECURITY_HEADERS[] =
    "Content-Security-Policy: default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "Referrer-Policy: same-origin\r\n"
    "X-Frame-Options: DENY\r\n";

static struct {
    char www[4096];
    char public_url[512];
    char public_host[256];
    int trust_proxy;
    int quiet;
    int request_s, keep_alive_s;
    /* SECURITY_HEADERS and Keep-Alive: timeout=N, which tells clients
     * (Node's fetch, browsers) to drop an idle connection before the
     * server's keep_alive_timeout_ms closes it under them. */
    char headers[sizeof SECURITY_HEADERS + 64];
} cfg;

/* The headers of every answer (SECURITY_HEADERS alone until http_serve()
 * has set the keep-alive time). */
static const char *headers(void)
{
    return cfg.headers[0] ? cfg.headers : SECURITY_HEADERS;
}

/* Set while a request is answered on this worker thread when its
 * connection must close after the answer (a refused body or framing: where
 * the next request would start is unknown). */
static _Thread_local int closing;

static volatile sig_atomic_t stop_requested;

/* Answers of ROUTE_CACHED routes. A catalogue page of 50 resources costs far
 * more to query and print than to copy, and browsing repeats pages; the
 * database generation says when a kept answer may no longer hold.
 *
 * Bounded, so that a soak or a crawler fills it once and no further: at most
 * ANSWER_SLOTS answers of at most ANSWER_MAX each, and keys plus bodies
 * within ANSWER_BUDGET together (least recently used answers go first). A
 * key is as long as the request's path and query, up to HTTP_HEAD_MAX, so
 * keys count against the budget as well. */
#define ANSWER_SLOTS 256
#define ANSWER_MAX ((size_t)1 << 20)
#define ANSWER_BUDGET ((size_t)8 << 20)

struct answer {
    char *key;   /* "<user id>\n<path>?<query>", malloc'd */
    char *body;  /* malloc'd JSON */
    size_t len;  /* of the body */
    size_t size; /* key and body, as counted in answers.bytes */
    uint64_t generation;
    uint64_t tick;
};

static struct {
    pthread_mutex_t mu;
    struct answer slot[ANSWER_SLOTS];
    size_t bytes; /* sum of the slots' size: within ANSWER_BUDGET */
    uint64_t tick;
} answers = {.mu = PTHREAD_MUTEX_INITIALIZER};

size_t http_answer_cache_bytes(void)
{
    pthread_mutex_lock(&answers.mu);
    size_t n = answers.bytes;
    pthread_mutex_unlock(&answers.mu);
    return n;
}

static void answer_drop(struct answer *a)
{
    answers.bytes -= a->size;
    free(a->key);
    free(a->body);
    memset(a, 0, sizeof *a);
}

/* Copies a kept answer for key at generation into the arena; NULL if none. */
static char *answer_get(const char *key, uint64_t generation, struct arena *ar, size_t *len)
{
    char *copy = NULL;
    pthread_mutex_lock(&answers.mu);
    for (int i = 0; i < ANSWER_SLOTS; i++) {
        struct answer *a = &answers.slot[i];
        if (!a->key || strcmp(a->key, key) != 0)
            continue;
        if (a->generation != generation) {
            answer_drop(a);
            break;
        }
        copy = arena_alloc(ar, a->len + 1);
        memcpy(copy, a->body, a->len);
        *len = a->len;
        a->tick = ++answers.tick;
        break;
    }
    pthread_mutex_unlock(&answers.mu);
    return copy;
}

static void answer_put(const char *key, uint64_t generation, const char *body, size_t len)
{
    size_t size = strlen(key) + 1 + len;
    if (len > ANSWER_MAX || size > ANSWER_BUDGET)
        return;
    char *k = strdup(key), *b = malloc(len);
    if (!k || !b) {
        free(k);
        free(b);
        return;
    }
    memcpy(b, body, len);
    pthread_mutex_lock(&answers.mu);
    struct answer *pick = NULL;
    for (int i = 0; i < ANSWER_SLOTS; i++) {
        struct answer *a = &answers.slot[i];
        if (a->key && (strcmp(a->key, key) == 0 || a->generation < generation))
            answer_drop(a); /* the same page, or one from an older generation */
        if (!a->key && !pick)
            pick = a;
    }
    while (answers.bytes + size > ANSWER_BUDGET || !pick) {
        struct answer *old = NULL;
        for (int i = 0; i < ANSWER_SLOTS; i++)
            if (answers.slot[i].key && (!old || answers.slot[i].tick < old->tick))
                old = &answers.slot[i];
        if (!old)
            break;
        answer_drop(old);
        if (!pick)
            pick = old;
    }
    if (pick) {
        pick->key = k;
        pick->body = b;
        pick->len = len;
        pick->size = size;
        pick->generation = generation;
        pick->tick = ++answers.tick;
        answers.bytes += size;
        k = b = NULL;
    }
    pthread_mutex_unlock(&answers.mu);
    free(k);
    free(b);
}

const char *http_public_url(void)
{
    return cfg.public_url;
}

const char *http_public_host(void)
{
    return cfg.public_host;
}

/* ------------------------------------------------------------------ */
/* Route matching                                                       */

int http_match(const char *pattern, const char *path, struct arena *a, const char **params,
               int *nparams)
{
    const char *p = pattern, *s = path;
    int n = 0;
    while (*p && *s) {
        if (*p == '{') {
            const char *close = strchr(p, '}');
            if (!close)
                return 0;
            /* The placeholder runs to the end of the path segment, minus the
             * literal suffix that follows it in the pattern ("{token}.ics"). */
            const char *suffix = close + 1;
            size_t suffix_len = strcspn(suffix, "/");
            size_t seg_len = strcspn(s, "/");
            if (seg_len <= suffix_len || strncmp(s + seg_len - suffix_len, suffix, suffix_len))
                return 0;
            if (n >= HTTP_MAX_PARAMS)
                return 0;
            if (a)
                params[n] = arena_strndup(a, s, seg_len - suffix_len);
            n++;
            p = suffix + suffix_len;
            s += seg_len;
            continue;
        }
        if (*p != *s)
            return 0;
        p++;
        s++;
    }
    if (*p || *s)
        return 0;
    if (nparams)
        *nparams = n;
    return 1;
}

/* Finds the route for method+path; *path_known is set when some route has
 * that path with another method (405 rather than 404). */
static const struct route *find_route(const char *method, const char *path, struct arena *a,
                                      const char **params, int *nparams, int *path_known,
                                      char *allow, size_t allow_len)
{
    *path_known = 0;
    allow[0] = '\0';
    if (strcmp(method, "HEAD") == 0)
        method = "GET";
    for (const struct route *const *t = http_route_tables; *t; t++)
        for (const struct route *rt = *t; rt->method; rt++) {
            if (!http_match(rt->pattern, path, NULL, NULL, NULL))
                continue;
            if (strcmp(rt->method, method) == 0) {
                http_match(rt->pattern, path, a, params, nparams);
                return rt;
            }
            *path_known = 1;
            if (!strstr(allow, rt->method)) {
                if (allow[0])
                    strncat(allow, ", ", allow_len - strlen(allow) - 1);
                strncat(allow, rt->method, allow_len - strlen(allow) - 1);
                if (strcmp(rt->method, "GET") == 0)
                    strncat(allow, ", HEAD", allow_len - strlen(allow) - 1);
            }
        }
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Responses                                                            */

enum { HTTP_ONE_WRITE_MAX = 64 * 1024 };

void http_add_header(struct req *r, const char *name, const char *value)
{
    r->extra_headers = arena_printf(&r->arena, "%s%s: %s\r\n",
                                    r->extra_headers ? r->extra_headers : "", name, value);
}

static void put(struct req *r, const char *head, size_t hlen, const char *body, size_t blen)
{
    mg_write(r->conn, head, hlen);
    if (body && blen)
        mg_write(r->conn, body, blen);
}

static void write_unsent(struct req *r)
{
    if (r->unsent)
        put(r, r->unsent, r->unsent_len, r->unsent_body, r->unsent_body_len);
    r->unsent = r->unsent_body = NULL;
}

/* Writes an answer (a head, and a body or NULL) now, or, while the
 * handler holds a connection of the database pool, once run_route has
 * given it back: a client that reads slowly or not at all then holds its
 * own worker until the send timeout, never one of the few connections
 * every request needs. Both live until the request's arena is released. */
static void write_answer(struct req *r, const char *head, size_t hlen, const char *body,
                         size_t blen)
{
    write_unsent(r); /* a handler answers once; were it twice, in order */
    if (!r->db) {
        put(r, head, hlen, body, blen);
        return;
    }
    r->unsent = head;
    r->unsent_len = hlen;
    r->unsent_body = body;
    r->unsent_body_len = blen;
}

int http_send(struct req *r, int status, const char *content_type, const void *body, size_t len)
{
    int head = strcmp(r->method, "HEAD") == 0;
    char *h = arena_printf(&r->arena,
                           "HTTP/1.1 %d %s\r\n"
                           "Content-Type: %s\r\n"
                           "Content-Length: %zu\r\n"
                           "%s%s"
                           "\r\n",
                           status, mg_get_response_code_text(r->conn, status), content_type, len,
                           headers(), r->extra_headers ? r->extra_headers : "");
    size_t hlen = h ? strlen(h) : 0, blen = head ? 0 : len;
    /* Head and body in one write when the body is small (most answers): one
     * system call, and a proxy never receives a head whose body a dying
     * process did not send. A large body is not copied. */
    if (!h) {
        mg_printf(r->conn, "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n");
        status = 500;
        len = 0;
    } else if (blen <= HTTP_ONE_WRITE_MAX) {
        char *whole = arena_alloc(&r->arena, hlen + blen);
        memcpy(whole, h, hlen);
        if (blen)
            memcpy(whole + hlen, body, blen);
        write_answer(r, whole, hlen + blen, NULL, 0);
    } else {
        write_answer(r, h, hlen, body, blen);
    }
    r->status = status;
    r->bytes = len;
    r->extra_headers = NULL;
    return LS_OK;
}

int http_send_empty(struct req *r, int status)
{
    const char *a = arena_printf(&r->arena, "HTTP/1.1 %d %s\r\nContent-Length: 0\r\n%s%s\r\n",
                                 status, mg_get_response_code_text(r->conn, status), headers(),
                                 r->extra_headers ? r->extra_headers : "");
    write_answer(r, a, strlen(a), NULL, 0);
    r->status = status;
    r->bytes = 0;
    r->extra_headers = NULL;
    return LS_OK;
}

int http_send_not_modified(struct req *r)
{
    /* No Content-Length: a 304's would have to be the full body's. */
    const char *a = arena_printf(&r->arena, "HTTP/1.1 304 Not Modified\r\n%s%s\r\n", headers(),
                                 r->extra_headers ? r->extra_headers : "");
    write_answer(r, a, strlen(a), NULL, 0);
    r->status = 304;
    r->bytes = 0;
    r->extra_headers = NULL;
    return LS_OK;
}

int http_send_json(struct req *r, int status, cJSON *body)
{
    char *text = body ? cJSON_PrintUnformatted(body) : NULL;
    cJSON_Delete(body);
    if (!text) {
        const char oom[] = "{\"error\":\"internal\",\"message\":\"out of memory\"}";
        return http_send(r, 500, "application/json", oom, sizeof oom - 1);
    }
    arena_on_release(&r->arena, free, text); /* an answer outlives its handler */
    return http_send_json_text(r, status, text, strlen(text));
}

int http_send_json_text(struct req *r, int status, const char *text, size_t len)
{
    if (!strstr(r->extra_headers ? r->extra_headers : "", "Cache-Control"))
        http_add_header(r, "Cache-Control", "no-store");
    if (r->cache_key && status == 200)
        answer_put(r->cache_key, r->cache_generation, text, len);
    return http_send(r, status, "application/json; charset=utf-8", text, len);
}

static cJSON *ids_array(const int64_t *ids, int n, int max)
{
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < n && i < max; i++)
        cJSON_AddItemToArray(a, cJSON_CreateNumber((double)ids[i]));
    return a;
}

/* How the form labels a field the error names, in the answer's language:
 * from the route's body, query and object shapes, else the names no shape
 * describes (msg.c), else the name itself. */
static const char *field_label(struct req *r, const char *name)
{
    const struct route *rt = r->route;
    const struct shape *shapes[4] = {rt ? rt->body : NULL, rt ? rt->query : NULL,
                                     rt && rt->object ? rt->object->shape : NULL,
                                     rt ? rt->answer : NULL};
    for (int i = 0; i < 4; i++) {
        const char *l = shapes[i] ? api_field_label(shapes[i], name, r->lang) : NULL;
        if (l)
            return l;
    }
    const char *l = msg_field_label(name, r->lang);
    return l ? l : name;
}

int http_send_error(struct req *r)
{
    struct ls_err *e = &r->err;
    if (e->code == LS_OK)
        ls_err_set(e, LS_EINTERNAL, NULL, "internal error");
    char text[512];
    msg_put_field(text, sizeof text, ls_err_message(e, r->lang),
                  e->field[0] ? field_label(r, e->field) : NULL);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "error", ls_code_name(e->code));
    cJSON_AddStringToObject(o, "message", text);
    if (e->field[0])
        cJSON_AddStringToObject(o, "field", e->field);
    if (e->code == LS_ECONFLICT && (e->nconflicts || e->nblackouts)) {
        cJSON_AddItemToObject(o, "conflicts",
                              ids_array(e->conflicts, e->nconflicts, LS_ERR_MAX_IDS));
        cJSON_AddItemToObject(o, "blackouts",
                              ids_array(e->blackouts, e->nblackouts, LS_ERR_MAX_IDS));
    }
    if (e->code == LS_ECONFLICT && e->nbookings)
        cJSON_AddItemToObject(o, "bookings",
                              ids_array(e->bookings, e->nbookings, LS_ERR_MAX_BOOKINGS));
    if (e->retry_after > 0) {
        char v[24];
        snprintf(v, sizeof v, "%d", e->retry_after);
        http_add_header(r, "Retry-After", v);
    }
    if (e->code == LS_ETOOLARGE || e->code == LS_ETIMEOUT)
        closing = 1;
    if (closing) {
        /* Close instead of keeping the connection: civetweb would otherwise
         * read and discard the rest of an oversize body to reach the next
         * request, holding a worker for as long as the client keeps
         * sending; after a framing error the next request's start is
         * unknown. conn_finish() lets the client read this answer. */
        http_add_header(r, "Connection", "close");
        mg_disable_connection_keep_alive(r->conn);
    }
    int rc = http_send_json(r, ls_code_status(e->code), o);
    if (closing)
        conn_finish(r->conn);
    return rc;
}

int http_send_list(struct req *r, cJSON *items, int64_t total)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "items", items);
    cJSON_AddNumberToObject(o, "total", (double)total);
    return http_send_json(r, 200, o);
}

/* ------------------------------------------------------------------ */
/* Request accessors                                                    */

int http_param_id(struct req *r, int idx, int64_t *out)
{
    const char *s = idx < r->nparams ? r->params[idx] : NULL;
    char *end = NULL;
    errno = 0;
    long long v = s && *s >= '1' && *s <= '9' ? strtoll(s, &end, 10) : 0;
    if (!s || !end || *end || errno || v <= 0)
        return ls_err_set(&r->err, LS_ENOTFOUND, NULL, "no such object");
    *out = v;
    return LS_OK;
}

const char *http_header(struct req *r, const char *name)
{
    return mg_get_header(r->conn, name);
}

const char *http_query(struct req *r, const char *name)
{
    const char *qs = r->ri->query_string;
    if (!qs)
        return NULL;
    size_t len = strlen(qs);
    char *buf = arena_alloc(&r->arena, len + 1);
    int n = mg_get_var(qs, len, name, buf, len + 1);
    return n >= 0 ? buf : NULL;
}

static int query_int(struct req *r, const char *name, int64_t min, int64_t max, int64_t *out)
{
    const char *s = http_query(r, name);
    if (!s)
        return LS_OK;
    char *end = NULL;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || errno)
        return ls_err_set(&r->err, LS_EVALIDATION, name, "{field} must be a whole number");
    if (v < min || v > max)
        return ls_err_set(&r->err, LS_EVALIDATION, name, "{field} must be between %lld and %lld",
                          (long long)min, (long long)max);
    *out = v;
    return LS_OK;
}

int http_paging(struct req *r, int64_t *limit, int64_t *offset)
{
    *limit = 50;
    *offset = 0;
    int rc = query_int(r, "limit", 1, 500, limit);
    if (rc == LS_OK)
        rc = query_int(r, "offset", 0, INT64_MAX / 2, offset);
    return rc;
}

int http_is_https(struct req *r)
{
    if (r->ri->is_ssl)
        return 1;
    if (cfg.trust_proxy) {
        const char *p = http_header(r, "X-Forwarded-Proto");
        return p && strcasecmp(p, "https") == 0;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Dispatch                                                             */

static const char *client_ip(struct req *r)
{
    if (cfg.trust_proxy) {
        const char *xff = http_header(r, "X-Forwarded-For");
        if (xff && *xff) {
            /* The proxy appends the address it saw: take the last entry. */
            const char *last = strrchr(xff, ',');
            last = last ? last + 1 : xff;
            while (*last == ' ')
                last++;
            if (*last && strlen(last) < 64)
                return arena_strdup(&r->arena, last);
        }
    }
    return r->ri->remote_addr;
}

/* Reads the body, at most max bytes: a larger one (declared, or chunked
 * and found so) is 413 without reading on. A body that stops short of its
 * length, or whose chunks are malformed (mg_read() < 0: civetweb's chunk
 * parser gave up), is 400 rather than a shorter body; one that had not
 * arrived by the request's deadline (conn.h) is 408. */
static int read_body(struct req *r, size_t max)
{
    long long cl = r->ri->content_length;
    if (cl > (long long)max)
        return ls_err_set(&r->err, LS_ETOOLARGE, NULL, "the request body is larger than %zu bytes",
                          max);
    size_t cap = cl >= 0 ? (size_t)cl : max + 1;
    char *buf = arena_alloc(&r->arena, cap + 1);
    size_t got = 0;
    int n = 0;
    while (got < cap) {
        n = mg_read(r->conn, buf + got, cap - got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    if (got > max)
        return ls_err_set(&r->err, LS_ETOOLARGE, NULL, "the request body is larger than %zu bytes",
                          max);
    if (conn_expired(r->conn))
        return ls_err_set(&r->err, LS_ETIMEOUT, NULL,
                          "the request did not arrive within %d seconds", cfg.request_s);
    if (n < 0 || (cl >= 0 && got < (size_t)cl)) {
        closing = 1;
        return ls_err_set(&r->err, LS_EBADREQ, NULL,
                          "the request body is cut short or its chunks are malformed");
    }
    conn_body_done(r->conn);
    buf[got] = '\0';
    r->body = buf;
    r->body_len = got;
    return LS_OK;
}

static int is_state_change(const char *m)
{
    return strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0 && strcmp(m, "OPTIONS") != 0;
}

int http_manages(const struct user *u, int64_t org)
{
    return authz_manages_org(u, org);
}

static int db_unavailable(struct ls_err *err)
{
    ls_err_set(err, LS_EDBUNAVAILABLE, NULL, "database unavailable");
    err->retry_after = DB_RETRY_AFTER;
    return LS_EDBUNAVAILABLE;
}

/* The session cookie's token into token (AUTH_TOKEN_HEX + 2 bytes): 1 if
 * the request carries one of the right shape. */
static int session_cookie(struct req *r, char *token)
{
    const char *cookies = http_header(r, "Cookie");
    return cookies &&
           mg_get_cookie(cookies, SESSION_COOKIE, token, AUTH_TOKEN_HEX + 2) == AUTH_TOKEN_HEX;
}

/* Looks the session up: a kept one (PostgreSQL) with no connection, else
 * on a connection borrowed for that one read (and a refresh of last_seen
 * through the write path at most once a minute). */
/* The session a token names: this node's kept copy, else the database's.
 * LS_OK with its user, LS_EUNAUTH signed out, else the database could not
 * say (the reason in err). */
static int session_of(struct req *r, const char *token, struct user *u, const char **csrf,
                      struct ls_err *err)
{
    if (auth_session_kept(token, tu_now(), &r->arena, u, csrf))
        return LS_OK;
    struct db *db = db_acquire();
    int rc = db ? auth_session_lookup(db, token, tu_now(), &r->arena, u, csrf, err)
                : db_unavailable(err);
    db_release(db);
    return rc;
}

static int authenticate(struct req *r)
{
    char token[AUTH_TOKEN_HEX + 2];
    if (!session_cookie(r, token))
        return LS_OK;
    struct user *u = arena_alloc(&r->arena, sizeof *u);
    const char *csrf = NULL;
    int rc = session_of(r, token, u, &csrf, &r->err);
    if (rc == LS_OK) {
        r->user = u;
        r->csrf = csrf;
        r->session_token = arena_strdup(&r->arena, token);
    }
    /* Signed out: the route decides. A route that runs without the
     * database (health) runs without the user too. */
    if (rc == LS_EUNAUTH || (rc != LS_OK && (r->route->flags & ROUTE_DB_OPTIONAL))) {
        memset(&r->err, 0, sizeof r->err);
        return LS_OK;
    }
    return rc; /* the database could not say (503), never a 401 */
}

/* The answer's language for an error found before the request's session
 * was looked up (no such route, a body too large): the signed-in user's
 * own, as every other answer has it. Nothing else of the session is used,
 * and a session that cannot be read leaves Accept-Language to decide. */
static void lang_of_session(struct req *r)
{
    char token[AUTH_TOKEN_HEX + 2];
    if (r->user || !session_cookie(r, token))
        return;
    struct user u;
    const char *csrf = NULL;
    struct ls_err err = {0};
    if (session_of(r, token, &u, &csrf, &err) == LS_OK)
        r->lang = msg_lang_pick(u.lang, http_header(r, "Accept-Language"));
}

static int check_csrf(struct req *r)
{
    if (!is_state_change(r->method) || !r->session_token || (r->route->flags & ROUTE_NO_CSRF))
        return LS_OK;
    const char *sent = http_header(r, "X-CSRF-Token");
    size_t n = r->csrf ? strlen(r->csrf) : 0;
    if (!sent || strlen(sent) != n || n == 0 || sodium_memcmp(sent, r->csrf, n) != 0)
        return ls_err_set(&r->err, LS_EFORBIDDEN, "X-CSRF-Token", "{field} is missing or invalid");
    return LS_OK;
}

static int check_role(struct req *r)
{
    enum role need = ROLE_NONE;
    switch (r->route->access) {
    case ACCESS_PUBLIC:
        return LS_OK;
    case ACCESS_USER:
        need = ROLE_RESEARCHER;
        break;
    case ACCESS_OWNER:
        need = ROLE_OWNER;
        break;
    case ACCESS_STAFF:
        need = ROLE_STAFF;
        break;
    }
    if (!r->user || r->user->role < need)
        return ls_err_set(&r->err, LS_EFORBIDDEN, NULL, "your role may not do this");
    return LS_OK;
}

/* 403 naming the kind of object in the caller's language (the nouns differ
 * by language, so both texts are written here). */
static int not_allowed(struct req *r, const struct route_object *o)
{
    const char *const *noun = o->shape ? o->shape->noun : NULL;
    if (!noun || !noun[MSG_EN] || !noun[MSG_PL])
        return ls_err_set(&r->err, LS_EFORBIDDEN, NULL, "you may not do this");
    char en[160], pl[160];
    snprintf(en, sizeof en, "you may not do this to this %s", noun[MSG_EN]);
    snprintf(pl, sizeof pl, "brak uprawnień do tej operacji (obiekt: %s)", noun[MSG_PL]);
    return ls_err_set_both(&r->err, LS_EFORBIDDEN, NULL, en, pl);
}

/* The object the route names, located and checked against the route's
 * need: the one place where API.md's "404 before 403" is applied. */
static int load_object(struct req *r)
{
    const struct route *rt = r->route;
    const struct route_object *o = rt->object;
    if (!o)
        return LS_OK;
    int64_t id = 0;
    if (rt->object_field) {
        /* Created inside the object the body names: not finding it is the
         * body's fault (422), not the path's. */
        int rc = json_int(r->json, rt->object_field, 1, 1, INT64_MAX / 2, &id, NULL, &r->err);
        if (rc)
            return rc;
    } else if (http_param_id(r, 0, &id) != LS_OK) {
        return ls_err_set(&r->err, LS_ENOTFOUND, NULL, "no such object");
    }
    int64_t org = 0, owner = 0;
    void *obj = NULL;
    int rc = o->locate(o, r, id, &obj, &org, &owner);
    int mine = r->user && owner && owner == r->user->id;
    int manages = r->user && http_manages(r->user, org);
    if (rc == LS_OK && o->private && !mine && !manages)
        rc = ls_err_set(&r->err, LS_ENOTFOUND, NULL, "no such object");
    if (rc == LS_ENOTFOUND && rt->object_field)
        return ls_err_set(&r->err, LS_EVALIDATION, rt->object_field, "{field}: not found");
    if (rc)
        return rc;
    r->obj_id = id;
    r->obj = obj;
    r->obj_org = org;
    r->obj_owner = owner;
    int allowed = 1;
    switch (rt->need) {
    case NEED_SEE:
        break;
    case NEED_MANAGE:
        allowed = manages;
        break;
    case NEED_STAFF:
        allowed = authz_is_staff(r->user);
        break;
    case NEED_OWN:
        allowed = mine || manages;
        break;
    case NEED_SELF:
        allowed = mine;
        break;
    }
    if (!allowed)
        return not_allowed(r, o);
    return LS_OK;
}

static const char *query_getter(void *ctx, const char *name)
{
    return http_query(ctx, name);
}

/* A parameter the query string gives twice would mean whichever one the
 * reader takes (civetweb's, the first): refused instead, naming it. */
static int query_repeats(struct req *r)
{
    const char *qs = r->ri->query_string;
    if (!qs || !*qs)
        return LS_OK;
    enum { MAX_PARAMS = 64 };
    char *names[MAX_PARAMS];
    int n = 0;
    for (const char *p = qs; *p && n < MAX_PARAMS;) {
        size_t len = strcspn(p, "&");
        size_t nlen = strcspn(p, "=&");
        char *name = arena_alloc(&r->arena, nlen + 1);
        if (mg_url_decode(p, (int)nlen, name, (int)nlen + 1, 1) < 0)
            name[0] = '\0';
        for (int i = 0; i < n && name[0]; i++)
            if (strcmp(names[i], name) == 0)
                return ls_err_set(&r->err, LS_EBADREQ, name, "{field} is given more than once");
        names[n++] = name;
        p += len + (p[len] == '&');
    }
    return LS_OK;
}

/* The body and query parameters against the route's shapes. */
static int read_input(struct req *r)
{
    const struct route *rt = r->route;
    /* Feeds keep whatever a calendar app appends to their address. */
    int rc = strncmp(r->path, "/api/", 5) == 0 ? query_repeats(r) : LS_OK;
    if (!rc && rt->body && rt->body->size) {
        r->input = arena_alloc(&r->arena, rt->body->size);
        field_defaults(rt->body, r->input);
        rc = api_field_read(rt->body, r->json, rt->creating, authz_is_staff(r->user), NULL,
                            &r->arena, r->input, &r->input_present, &r->err);
    }
    if (!rc && (rt->flags & ROUTE_PAGED))
        rc = http_paging(r, &r->limit, &r->offset);
    if (!rc && rt->query && rt->query->size) {
        r->query = arena_alloc(&r->arena, rt->query->size);
        field_defaults(rt->query, r->query);
        rc = api_field_query(rt->query, query_getter, r, &r->arena, r->query, &r->query_present,
                             &r->err);
    }
    return rc;
}

/* Everything before the handler that needs no database connection. */
static int before_db(struct req *r)
{
    char token[AUTH_TOKEN_HEX + 2];
    int rc = LS_OK;
    /* The body before the session: the request's arrival clock (conn.h)
     * stops once it is in, and the session lookup may wait for a database
     * connection, which is the server's time, not the client's (a busy
     * pool turned whole requests into 408s). Without any session a route
     * for users is refused before its body is read. */
    if (r->route->access != ACCESS_PUBLIC && !session_cookie(r, token))
        rc = ls_err_set(&r->err, LS_EUNAUTH, NULL, "sign in first");
    if (rc == LS_OK && r->route->body_max > 0)
        rc = read_body(r, r->route->body_max);
    if (rc == LS_OK)
        rc = authenticate(r);
    r->lang = msg_lang_pick(r->user ? r->user->lang : NULL, http_header(r, "Accept-Language"));
    if (rc == LS_ETOOLARGE || rc == LS_EBADREQ)
        lang_of_session(r); /* the body failed before the session was read */
    if (rc == LS_OK && r->route->access != ACCESS_PUBLIC && !r->user)
        rc = ls_err_set(&r->err, LS_EUNAUTH, NULL, "sign in first");
    if (rc == LS_OK)
        rc = check_csrf(r);
    if (rc == LS_OK && r->route->body_max > 0 && !(r->route->flags & ROUTE_RAW_BODY)) {
        if (r->body_len == 0) {
            r->json = cJSON_CreateObject();
        } else {
            const char *ct = http_header(r, "Content-Type");
            if (!ct || strncasecmp(ct, "application/json", 16) != 0)
                rc = ls_err_set(&r->err, LS_EBADREQ, "Content-Type",
                                "{field} must be application/json");
            else
                rc = json_parse_object(&r->json, r->body, r->body_len, &r->err);
        }
    }
    if (rc == LS_OK)
        rc = check_role(r);
    return rc;
}

/* The handler's part, on a connection of the pool. */
static int with_db(struct req *r)
{
    int rc = load_object(r);
    if (rc == LS_OK)
        rc = read_input(r);
    if (rc == LS_OK && (r->route->flags & ROUTE_CACHED) && r->user) {
        const char *qs = r->ri->query_string;
        r->cache_key = arena_printf(&r->arena, "%lld\n%s\n%s?%s", (long long)r->user->id,
                                    msg_lang_code(r->lang), r->path, qs ? qs : "");
        r->cache_generation = db_generation(r->db);
        size_t len = 0;
        char *body = answer_get(r->cache_key, r->cache_generation, &r->arena, &len);
        if (body) {
            http_add_header(r, "Cache-Control", "no-store");
            return http_send(r, 200, "application/json; charset=utf-8", body, len);
        }
    }
    if (rc == LS_OK)
        rc = r->route->handler(r);
    return rc;
}

static int run_route(struct req *r)
{
    int rc = before_db(r);
    if (rc != LS_OK)
        return rc;
    if (!(r->db = db_acquire()))
        return (r->route->flags & ROUTE_DB_OPTIONAL) ? r->route->handler(r)
                                                     : db_unavailable(&r->err);
    rc = with_db(r);
    /* Rolls back whatever a failed handler left open, and lends the
     * connection to the next request. */
    db_release(r->db);
    r->db = NULL;
    write_unsent(r);
    return rc;
}

static const char *mime_of(const char *path)
{
    static const struct {
        const char *ext, *mime;
    } types[] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
        {".json", "application/json"},
        {".webmanifest", "application/manifest+json"},
        {".txt", "text/plain; charset=utf-8"},
    };
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot && i < sizeof types / sizeof *types; i++)
        if (strcmp(dot, types[i].ext) == 0)
            return types[i].mime;
    return "application/octet-stream";
}

/* Static files from the www directory. Only plain names below it: civetweb
 * has already removed dot segments, decode_path() refused encoded NULs, and
 * anything with a dot-segment left (an encoded "%2e%2e") is refused here.
 *
 * The files are small and sent whole by http_send(), so every answer —
 * 200, 304 and errors — carries the same security headers (civetweb's own
 * file sender answered conditional GETs with a 304 lacking them, and added
 * a Cache-Control of its own). */
static int serve_static(struct req *r)
{
    const char *p = r->path;
    if (strcmp(r->method, "GET") && strcmp(r->method, "HEAD"))
        return ls_err_set(&r->err, LS_EMETHOD, NULL, "method not allowed");
    if (strcmp(p, "/") == 0)
        p = "/index.html";
    if (p[0] != '/' || strstr(p, "/.") || strstr(p, "//") || strchr(p, '\\') || strlen(p) > 512)
        return ls_err_set(&r->err, LS_ENOTFOUND, NULL, "no such page");
    char *file = arena_printf(&r->arena, "%s%s", cfg.www, p);
    struct stat st;
    if (stat(file, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > 16 * 1024 * 1024)
        return ls_err_set(&r->err, LS_ENOTFOUND, NULL, "no such page");
    char etag[48];
    snprintf(etag, sizeof etag, "\"%llx.%llx\"", (unsigned long long)st.st_mtime,
             (unsigned long long)st.st_size);
    char modified[64];
    struct tm tm;
    gmtime_r(&st.st_mtime, &tm);
    strftime(modified, sizeof modified, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    /* Everything revalidates (a new release is picked up at once); an
     * unchanged file costs a 304. */
    http_add_header(r, "Cache-Control", "no-cache");
    http_add_header(r, "ETag", etag);
    http_add_header(r, "Last-Modified", modified);
    const char *inm = http_header(r, "If-None-Match");
    const char *ims = http_header(r, "If-Modified-Since");
    if ((inm && (strstr(inm, etag) || strcmp(inm, "*") == 0)) ||
        (!inm && ims && strcmp(ims, modified) == 0))
        return http_send_not_modified(r);
    FILE *f = fopen(file, "rb");
    if (!f)
        return ls_err_set(&r->err, LS_ENOTFOUND, NULL, "no such page");
    size_t len = (size_t)st.st_size;
    char *buf = arena_alloc(&r->arena, len + 1);
    size_t got = fread(buf, 1, len, f);
    fclose(f);
    if (got != len)
        return ls_err_set(&r->err, LS_EINTERNAL, NULL, "cannot read %s", p);
    return http_send(r, 200, mime_of(file), buf, len);
}

/* 1 if the segment s (n bytes) looks like a secret token: 32 or more hex
 * digits, whatever their case, maybe with a suffix (".ics"). */
static int token_like(const char *s, size_t n)
{
    size_t hex = 0;
    while (hex < n && strchr("0123456789abcdefABCDEF", s[hex]))
        hex++;
    return hex >= 32 && (hex == n || s[hex] == '.');
}

/* The path as the access log may show it. Tokens in paths are credentials
 * (feeds, invitations, password resets): everything under /ical/ in any
 * case (an /ICAL/<token>.ics misses the route but carries the token all
 * the same) and any segment that looks like a token become "[token]". */
static const char *log_path(struct req *r)
{
    if (strncasecmp(r->path, "/ical/", 6) == 0)
        return "/ical/[token]";
    size_t n = strlen(r->path);
    char *out = arena_alloc(&r->arena, n + 1); /* "[token]" is shorter than a token */
    size_t o = 0;
    for (const char *p = r->path; *p;) {
        size_t seg = strcspn(p, "/");
        if (token_like(p, seg)) {
            memcpy(out + o, "[token]", 7);
            o += 7;
        } else {
            memcpy(out + o, p, seg);
            o += seg;
        }
        p += seg;
        if (*p == '/')
            out[o++] = *p++;
    }
    out[o] = '\0';
    return out;
}

static void access_log(struct req *r, double ms)
{
    if (cfg.quiet)
        return;
    char when[TU_UTC_LEN];
    tu_format_utc(tu_now(), when);
    const char *path = log_path(r);
    char line[1024];
    int n = snprintf(line, sizeof line, "%s %s %s %.512s %d %zu %.1fms user=%lld\n", when,
                     r->client_ip ? r->client_ip : "-", r->method, path, r->status, r->bytes, ms,
                     r->user ? (long long)r->user->id : 0LL);
    if (n > 0)
        fwrite(line, 1, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1, stderr);
}

/* civetweb runs with decode_url=no so that the path is decoded here, once,
 * where an encoded NUL can be seen: decoded by civetweb, "%00" silently cut
 * the path short ("/index.html%00.png" served index.html). NULL for such a
 * path. Dot segments were removed by civetweb before decoding, so an
 * encoded "%2e%2e" decodes to a ".." that no route matches and
 * serve_static refuses. */
static const char *decode_path(struct req *r)
{
    const char *raw = r->ri->local_uri ? r->ri->local_uri : "/";
    size_t n = strlen(raw);
    if (n > HTTP_HEAD_MAX)
        return NULL;
    char *out = arena_alloc(&r->arena, n + 1);
    int len = mg_url_decode(raw, (int)n, out, (int)n + 1, 0);
    if (len < 0 || strlen(out) != (size_t)len)
        return NULL;
    return out;
}

/* Request line plus headers as they came (civetweb itself accepts up to its
 * 64 KiB buffer and answers a bare 400 beyond it; the limit here gives the
 * API's 413 for the common case). */
static size_t head_size(const struct mg_request_info *ri)
{
    size_t n = strlen(ri->request_method) + strlen(ri->request_uri ? ri->request_uri : "") + 12;
    if (ri->query_string)
        n += strlen(ri->query_string) + 1;
    for (int i = 0; i < ri->num_headers; i++)
        n += strlen(ri->http_headers[i].name) + strlen(ri->http_headers[i].value) + 4;
    return n;
}

/* The one framing decision (framing.h), before anything else looks at
 * the request. A request without a body has arrived whole: its clock
 * (conn.h) stops here. */
static int check_framing(struct req *r)
{
    closing = 0;
    struct framing_header h[MG_MAX_HEADERS];
    int n = r->ri->num_headers < MG_MAX_HEADERS ? r->ri->num_headers : MG_MAX_HEADERS;
    for (int i = 0; i < n; i++) {
        h[i].name = r->ri->http_headers[i].name;
        h[i].value = r->ri->http_headers[i].value;
    }
    struct framing f;
    int rc = framing_check(r->ri->http_version, h, n, &f, &r->err);
    if (rc != LS_OK)
        closing = 1;
    else if (f.body == FRAMING_NONE || (f.body == FRAMING_LENGTH && f.length == 0))
        conn_body_done(r->conn);
    return rc;
}

static int dispatch(struct mg_connection *conn, void *unused)
{
    (void)unused;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct req r;
    memset(&r, 0, sizeof r);
    r.conn = conn;
    r.ri = mg_get_request_info(conn);
    r.method = r.ri->request_method;
    r.path = decode_path(&r);
    int undecodable = !r.path;
    if (undecodable)
        r.path = "/[undecodable]";
    r.client_ip = client_ip(&r);
    r.lang = msg_lang_pick(NULL, http_header(&r, "Accept-Language"));

    int path_known = 0;
    char allow[64];
    if (!undecodable)
        r.route = find_route(r.method, r.path, &r.arena, r.params, &r.nparams, &path_known, allow,
                             sizeof allow);
    int rc;
    if ((rc = check_framing(&r)) != LS_OK) {
        /* 400, and the connection closes */
    } else if (head_size(r.ri) > HTTP_HEAD_MAX || r.ri->num_headers >= MG_MAX_HEADERS) {
        /* civetweb keeps only the first MG_MAX_HEADERS headers: refuse
         * rather than act on a request missing some (a Cookie, a token). */
        rc = ls_err_set(&r.err, LS_ETOOLARGE, NULL,
                        "the request line and headers may take at most %d bytes and %d headers",
                        HTTP_HEAD_MAX, MG_MAX_HEADERS - 1);
    } else if (undecodable) {
        rc = ls_err_set(&r.err, LS_ENOTFOUND, NULL, "no such page");
    } else if (r.route) {
        rc = run_route(&r);
    } else if (path_known) {
        http_add_header(&r, "Allow", allow);
        lang_of_session(&r);
        rc = ls_err_set(&r.err, LS_EMETHOD, NULL, "method not allowed; use %s", allow);
    } else if (strncmp(r.path, "/api/", 5) == 0 || strncmp(r.path, "/ical/", 6) == 0) {
        lang_of_session(&r);
        rc = ls_err_set(&r.err, LS_ENOTFOUND, NULL, "no such route: %s %.200s", r.method, r.path);
    } else {
        rc = serve_static(&r);
    }
    if (rc != LS_OK)
        http_send_error(&r);
    cJSON_Delete(r.json);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    access_log(&r, (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
    arena_release(&r.arena);
    return r.status ? r.status : 500;
}

/* civetweb's own errors (malformed request line, oversize headers, timeouts)
 * answer in the API's JSON shape too. */
static int on_http_error(struct mg_connection *conn, int status, const char *msg)
{
    char late[96];
    if (conn_expired(conn)) {
        /* The watchdog cut a request that was still arriving. */
        snprintf(late, sizeof late, "the request did not arrive within %d seconds", cfg.request_s);
        status = 408;
        msg = late;
    }
    const char *code = status == 413 || status == 431 ? "payload_too_large"
                       : status == 408                ? "request_timeout"
                       : status == 404                ? "not_found"
                       : status >= 500                ? "internal"
                                                      : "bad_request";
    char body[512];
    /* civetweb says "Malformed message" also when request line and headers
     * overflow its 64 KiB buffer: it cannot tell the two apart. */
    if (status == 400 && msg && strstr(msg, "Malformed"))
        msg = "malformed request, or request line and headers larger than 64 KiB";
    cJSON *m = cJSON_CreateString(msg ? msg : "");
    char *quoted = cJSON_PrintUnformatted(m);
    int n = snprintf(body, sizeof body, "{\"error\":\"%s\",\"message\":%s}", code,
                     quoted ? quoted : "\"\"");
    free(quoted);
    cJSON_Delete(m);
    if (n < 0 || (size_t)n >= sizeof body)
        n = snprintf(body, sizeof body, "{\"error\":\"%s\",\"message\":\"\"}", code);
    mg_printf(conn,
              "HTTP/1.1 %d %s\r\nContent-Type: application/json; charset=utf-8\r\n"
              "Content-Length: %d\r\nConnection: close\r\n%s\r\n%s",
              status, mg_get_response_code_text(conn, status), n, headers(), body);
    return 0;
}

static void *on_thread_start(const struct mg_context *ctx, int type)
{
    (void)ctx;
    (void)type;
    return NULL;
}

static void on_thread_exit(const struct mg_context *ctx, int type, void *p)
{
    (void)ctx;
    (void)type;
    (void)p;
}

static void on_connection_close(const struct mg_connection *conn)
{
    conn_closed(conn);
}

static void on_end_request(const struct mg_connection *conn, int status)
{
    (void)status;
    conn_request_done(conn); /* the next request's clock starts */
}

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static int on_log_message(const struct mg_connection *conn, const char *message)
{
    (void)conn;
    if (!cfg.quiet)
        fprintf(stderr, "civetweb: %s\n", message);
    return 1;
}

int http_serve(const struct http_config *c)
{
    snprintf(cfg.www, sizeof cfg.www, "%s", c->www_dir ? c->www_dir : "www");
    cfg.trust_proxy = c->trust_proxy;
    cfg.quiet = c->quiet;
    cfg.request_s = c->request_timeout > 0 ? c->request_timeout : HTTP_REQUEST_TIMEOUT_DEFAULT;
    cfg.keep_alive_s = c->keep_alive > 0 ? c->keep_alive : HTTP_KEEP_ALIVE_DEFAULT;
    snprintf(cfg.headers, sizeof cfg.headers, "%sKeep-Alive: timeout=%d\r\n", SECURITY_HEADERS,
             cfg.keep_alive_s);
    /* Behind a trusted proxy every connection comes from the proxy, which
     * limits connections per client itself (deploy/nginx.conf): no limit
     * here unless one is set. */
    int per_client = c->client_connections >= 0 ? c->client_connections
                     : c->trust_proxy           ? 0
                                                : HTTP_CLIENT_CONNECTIONS_DEFAULT;
    static const char refused_body[] =
        "{\"error\":\"too_many_requests\",\"message\":\"too many connections from your "
        "address\"}";
    char refusal[1024];
    snprintf(refusal, sizeof refusal,
             "HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json; charset=utf-8\r\n"
             "Content-Length: %zu\r\nConnection: close\r\nRetry-After: 1\r\n%s\r\n%s",
             sizeof refused_body - 1, SECURITY_HEADERS, refused_body);
    struct conn_config ccfg = {
        .per_client = per_client, .request_ms = cfg.request_s * 1000, .refusal = refusal};
    if (conn_start(&ccfg) != 0) {
        fprintf(stderr, "labshare: cannot start the request watchdog\n");
        return 1;
    }
    char request_ms[16], keep_alive_ms[16];
    snprintf(request_ms, sizeof request_ms, "%d", cfg.request_s * 1000);
    snprintf(keep_alive_ms, sizeof keep_alive_ms, "%d", cfg.keep_alive_s * 1000);

    db_pool_size(c->db_connections > 0 ? c->db_connections : 8);
    struct ls_err werr = {0};
    if (db_writer_open(&werr) != LS_OK) {
        fprintf(stderr, "labshare: %s\n", werr.message);
        conn_stop();
        return 1;
    }
    char threads[16];
    snprintf(threads, sizeof threads, "%d", c->threads > 0 ? c->threads : HTTP_THREADS_DEFAULT);
    /* civetweb gives each connection a worker thread for as long as it is
     * open, from the first byte of a request to the end of keep-alive. A
     * client that sends half a request line and stalls (slowloris) holds a
     * thread until its request's deadline (conn.h: the watchdog; civetweb's
     * own request_timeout_ms is per read call); idle keep-alive holds one
     * until keep_alive_timeout_ms; one address holds at most per_client
     * connections. So: many cheap threads, a request deadline a real
     * client never approaches (10 s for ≤ 64 KiB), short keep-alive.
     * Beyond that, many addresses can still hold every thread: the nginx
     * front (deploy/nginx.conf) buffers whole requests and limits
     * connections per address, so only complete requests reach us. */
    const char *options[] = {
        "listening_ports",
        c->listen,
        "num_threads",
        threads,
        "request_timeout_ms",
        request_ms,
        "keep_alive_timeout_ms",
        keep_alive_ms,
        "enable_keep_alive",
        "yes",
        "tcp_nodelay",
        "1", /* headers and body go out in separate writes */
        "linger_timeout_ms",
        "1000",
        /* civetweb's buffer for request line + headers; dispatch() holds
         * them to HTTP_HEAD_MAX and answers 413 in the API's shape. */
        "max_request_size",
        "65536",
        "listen_backlog",
        "256",
        "connection_queue",
        "256",
        "decode_url",
        "no", /* decode_path() */
        "enable_auth_domain_check",
        "no",
        /* No CORS: civetweb would answer preflights itself (before any
         * handler) with Access-Control-Allow-Origin: *. The API is for the
         * same origin; other sites' scripts get no CORS headers at all. */
        "access_control_allow_origin",
        "",
        "access_control_allow_methods",
        "",
        "access_control_allow_headers",
        "",
        NULL,
    };
    struct mg_callbacks cb;
    memset(&cb, 0, sizeof cb);
    cb.init_thread = on_thread_start;
    cb.exit_thread = on_thread_exit;
    cb.http_error = on_http_error;
    cb.log_message = on_log_message;
    cb.connection_close = on_connection_close;
    cb.end_request = on_end_request;

    /* Handlers first: whoever reads the "listening" line may signal at once. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    mg_init_library(0);
    struct mg_context *ctx = mg_start(&cb, NULL, options);
    if (!ctx) {
        fprintf(stderr, "labshare: cannot listen on %s (in use, or not an address:port?)\n",
                c->listen);
        conn_stop();
        mg_exit_library();
        return 1;
    }
    mg_set_request_handler(ctx, "/", dispatch, NULL);

    struct mg_server_port ports[4];
    int nports = mg_get_server_ports(ctx, 4, ports);
    int port = nports > 0 ? ports[0].port : 0;
    char host[256];
    snprintf(host, sizeof host, "%s", c->listen);
    char *colon = strrchr(host, ':');
    if (colon)
        *colon = '\0';
    else
        snprintf(host, sizeof host, "127.0.0.1");
    if (strcmp(host, "0.0.0.0") == 0 || host[0] == '\0')
        snprintf(host, sizeof host, "127.0.0.1");
    if (c->public_url && *c->public_url)
        snprintf(cfg.public_url, sizeof cfg.public_url, "%s", c->public_url);
    else
        snprintf(cfg.public_url, sizeof cfg.public_url, "http://%s:%d", host, port);
    size_t ul = strlen(cfg.public_url);
    while (ul > 0 && cfg.public_url[ul - 1] == '/')
        cfg.public_url[--ul] = '\0';
    const char *h = strstr(cfg.public_url, "://");
    h = h ? h + 3 : cfg.public_url;
    snprintf(cfg.public_host, sizeof cfg.public_host, "%.*s", (int)strcspn(h, ":/"), h);

    printf("labshare listening on http://%s:%d/ (public URL %s)\n", host, port, cfg.public_url);
    fflush(stdout);

    while (!stop_requested) {
        struct timespec ts = {0, 100 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    fprintf(stderr, "labshare: stopping (finishing requests in flight)\n");
    conn_stop();  /* first: mg_stop closes queued sockets behind its back (conn.c) */
    mg_stop(ctx); /* joins the workers, so every connection is back in the pool */
    mg_exit_library();
    if (c->on_stop)
        c->on_stop();
    db_pool_close();
    struct db_group_stats gs;
    db_group_stats(&gs);
    fprintf(stderr, "labshare: stopped (%llu grouped writes in %llu commits, largest group %llu)\n",
            (unsigned long long)gs.writes, (unsigned long long)gs.groups,
            (unsigned long long)gs.largest);
    return 0;
}
