/* calendar_fetch.c — see calendar_fetch.h. */
#include "calendar_fetch.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

static int v4_public(uint32_t a)
{
    static const struct {
        uint32_t net, mask;
    } blocked[] = {
        {0x00000000, 0xFF000000}, /* 0/8 "this network" */
        {0x0A000000, 0xFF000000}, /* 10/8 */
        {0x64400000, 0xFFC00000}, /* 100.64/10 shared (carrier NAT) */
        {0x7F000000, 0xFF000000}, /* 127/8 loopback */
        {0xA9FE0000, 0xFFFF0000}, /* 169.254/16 link-local (cloud metadata) */
        {0xAC100000, 0xFFF00000}, /* 172.16/12 */
        {0xC0000000, 0xFFFFFF00}, /* 192.0.0/24 protocol assignments */
        {0xC0A80000, 0xFFFF0000}, /* 192.168/16 */
        {0xC6120000, 0xFFFE0000}, /* 198.18/15 benchmarking */
        {0xE0000000, 0xF0000000}, /* 224/4 multicast */
        {0xF0000000, 0xF0000000}, /* 240/4 reserved, broadcast */
    };
    for (size_t i = 0; i < sizeof blocked / sizeof *blocked; i++)
        if ((a & blocked[i].mask) == blocked[i].net)
            return 0;
    return 1;
}

int cal_addr_public(const struct sockaddr *sa)
{
    if (!sa)
        return 0;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        return v4_public(ntohl(in->sin_addr.s_addr));
    }
    if (sa->sa_family != AF_INET6)
        return 0;
    const unsigned char *b = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
    static const unsigned char zero[16];
    /* ::/128 unspecified and ::1 loopback */
    if (memcmp(b, zero, 15) == 0 && (b[15] == 0 || b[15] == 1))
        return 0;
    /* ::ffff:a.b.c.d (mapped), ::a.b.c.d (compatible), 64:ff9b::a.b.c.d (NAT64) */
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    static const unsigned char nat64[12] = {0, 0x64, 0xff, 0x9b};
    if (memcmp(b, mapped, 12) == 0 || memcmp(b, zero, 12) == 0 || memcmp(b, nat64, 12) == 0)
        return v4_public((uint32_t)b[12] << 24 | (uint32_t)b[13] << 16 | (uint32_t)b[14] << 8 |
                         b[15]);
    if ((b[0] & 0xFE) == 0xFC) /* fc00::/7 unique local */
        return 0;
    if (b[0] == 0xFE && (b[1] & 0xC0) == 0x80) /* fe80::/10 link-local */
        return 0;
    if (b[0] == 0xFE && (b[1] & 0xC0) == 0xC0) /* fec0::/10 old site-local */
        return 0;
    if (b[0] == 0xFF) /* multicast */
        return 0;
    if (b[0] == 0x01 && memcmp(b + 1, zero, 7) == 0) /* 100::/64 discard */
        return 0;
    return 1;
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

struct transfer {
    const struct cal_fetch_opts *opts;
    char *buf;
    size_t len, cap;
    int too_large, refused;
    struct cal_fetch_result *out;
};

static int default_ok(const struct sockaddr *sa, void *ctx)
{
    (void)ctx;
    return cal_addr_public(sa);
}

/* The address check: runs for every socket libcurl wants, with the address
 * it is about to connect to. */
static curl_socket_t open_socket(void *p, curlsocktype purpose, struct curl_sockaddr *a)
{
    struct transfer *t = p;
    int (*ok)(const struct sockaddr *, void *) = t->opts->addr_ok ? t->opts->addr_ok : default_ok;
    if (purpose != CURLSOCKTYPE_IPCXN || !ok(&a->addr, t->opts->ctx)) {
        t->refused = 1;
        return CURL_SOCKET_BAD;
    }
    return socket(a->family, a->socktype, a->protocol);
}

static size_t on_body(char *data, size_t size, size_t n, void *p)
{
    struct transfer *t = p;
    size_t k = size * n;
    if (t->len + k > t->opts->max_bytes) {
        t->too_large = 1;
        return 0; /* aborts the transfer */
    }
    if (t->len + k + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 64 * 1024;
        while (cap < t->len + k + 1)
            cap *= 2;
        char *bigger = realloc(t->buf, cap);
        if (!bigger)
            return 0;
        t->buf = bigger;
        t->cap = cap;
    }
    memcpy(t->buf + t->len, data, k);
    t->len += k;
    t->buf[t->len] = '\0';
    return k;
}

/* Keeps the validators of the final answer (headers of earlier hops in a
 * redirect chain are overwritten by later ones). */
static size_t on_header(char *data, size_t size, size_t n, void *p)
{
    struct transfer *t = p;
    size_t k = size * n;
    char line[512];
    size_t m = k < sizeof line - 1 ? k : sizeof line - 1;
    memcpy(line, data, m);
    line[m] = '\0';
    line[strcspn(line, "\r\n")] = '\0';
    if (strncmp(line, "HTTP/", 5) == 0) {
        t->out->etag[0] = t->out->last_modified[0] = '\0';
        return k;
    }
    char *colon = strchr(line, ':');
    if (!colon)
        return k;
    *colon = '\0';
    const char *v = colon + 1 + strspn(colon + 1, " \t");
    if (strcasecmp(line, "ETag") == 0)
        snprintf(t->out->etag, sizeof t->out->etag, "%s", v);
    else if (strcasecmp(line, "Last-Modified") == 0)
        snprintf(t->out->last_modified, sizeof t->out->last_modified, "%s", v);
    return k;
}

void cal_fetch(const char *url, const struct cal_fetch_opts *opts, struct cal_fetch_result *out)
{
    memset(out, 0, sizeof *out);
    pthread_once(&curl_once, curl_init);
    struct transfer t = {.opts = opts, .out = out};
    char cerr[CURL_ERROR_SIZE] = "";
    CURL *c = curl_easy_init();
    if (!c) {
        out->status = CAL_FETCH_NETWORK;
        snprintf(out->error, sizeof out->error, "libcurl failed to initialise");
        return;
    }
    struct curl_slist *h = NULL;
    char line[400];
    if (opts->etag && *opts->etag) {
        snprintf(line, sizeof line, "If-None-Match: %s", opts->etag);
        h = curl_slist_append(h, line);
    }
    if (opts->last_modified && *opts->last_modified) {
        snprintf(line, sizeof line, "If-Modified-Since: %s", opts->last_modified);
        h = curl_slist_append(h, line);
    }
    h = curl_slist_append(h, "Accept: text/calendar, */*;q=0.5");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "labshare calendar import");
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, opts->max_redirects);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, opts->timeout_s);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, opts->timeout_s);
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)opts->max_bytes);
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, ""); /* gzip and deflate, counted decoded */
    curl_easy_setopt(c, CURLOPT_PROXY, "");           /* no proxy from the environment */
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_socket);
    curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &t);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
    CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->http_status);
    if (t.refused) {
        out->status = CAL_FETCH_REFUSED;
        snprintf(out->error, sizeof out->error,
                 "the address is on a loopback, private or link-local network");
    } else if (t.too_large || rc == CURLE_FILESIZE_EXCEEDED) {
        out->status = CAL_FETCH_TOO_LARGE;
        snprintf(out->error, sizeof out->error, "the calendar is larger than %zu bytes",
                 opts->max_bytes);
    } else if (rc == CURLE_TOO_MANY_REDIRECTS) {
        out->status = CAL_FETCH_REDIRECTS;
        snprintf(out->error, sizeof out->error, "more than %ld redirects", opts->max_redirects);
    } else if (rc == CURLE_OPERATION_TIMEDOUT) {
        out->status = CAL_FETCH_TIMEOUT;
        snprintf(out->error, sizeof out->error, "no complete answer within %ld s", opts->timeout_s);
    } else if (rc != CURLE_OK) {
        out->status = CAL_FETCH_NETWORK;
        snprintf(out->error, sizeof out->error, "%s", *cerr ? cerr : curl_easy_strerror(rc));
    } else if (out->http_status == 304) {
        out->status = CAL_FETCH_NOT_MODIFIED;
    } else if (out->http_status != 200) {
        out->status = CAL_FETCH_HTTP;
        snprintf(out->error, sizeof out->error, "the server answered HTTP %ld", out->http_status);
    } else {
        out->status = CAL_FETCH_OK;
        out->body = t.buf ? t.buf : strdup("");
        out->len = t.len;
        t.buf = NULL;
    }
    free(t.buf);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
}

enum cal_url_problem cal_url_check(const char *url, int allow_private, char *out, size_t out_len)
{
    pthread_once(&curl_once, curl_init);
    char buf[2100];
    if (strlen(url) + 8 >= sizeof buf || strlen(url) + 8 >= out_len)
        return CAL_URL_TOO_LONG;
    if (strncasecmp(url, "webcal://", 9) == 0)
        snprintf(buf, sizeof buf, "https://%s", url + 9);
    else if (strncasecmp(url, "http://", 7) == 0 || strncasecmp(url, "https://", 8) == 0)
        snprintf(buf, sizeof buf, "%s", url);
    else
        return CAL_URL_SCHEME;
    CURLU *u = curl_url();
    char *host = NULL;
    enum cal_url_problem rc = CAL_URL_INVALID;
    if (!u || curl_url_set(u, CURLUPART_URL, buf, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || !host || !*host)
        goto done;
    if (!allow_private) {
        /* The host as it resolves now; every later connection is checked
         * again (cal_fetch), so a name that changes its answer gains
         * nothing. IPv6 literals come bracketed. */
        char name[300];
        size_t hl = strlen(host);
        if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']')
            snprintf(name, sizeof name, "%.*s", (int)(hl - 2), host + 1);
        else
            snprintf(name, sizeof name, "%s", host);
        struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
        if (getaddrinfo(name, NULL, &hints, &res) != 0 || !res) {
            rc = CAL_URL_UNRESOLVED;
            goto done;
        }
        for (struct addrinfo *ai = res; ai; ai = ai->ai_next)
            if (!cal_addr_public(ai->ai_addr)) {
                rc = CAL_URL_PRIVATE;
                freeaddrinfo(res);
                goto done;
            }
        freeaddrinfo(res);
    }
    snprintf(out, out_len, "%s", buf);
    rc = CAL_URL_OK;
done:
    curl_free(host);
    curl_url_cleanup(u);
    return rc;
}
