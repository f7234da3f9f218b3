/* api_feed.c — HTTP routes of the feed module: creating, listing and
 * revoking calendar links, serving /ical/<token>.ics with conditional GET,
 * and the single-booking .ics download. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "api.h"
#include "feed.h"
#include "api_field.h"
#include "json.h"
#include "timeutil.h"

static struct feed_site site_of(void)
{
    struct feed_site s = {http_public_host(), http_public_url()};
    return s;
}

static const struct field_choice SCOPES[] = {
    {"resource", {"a resource", "zasób"}},
    {"lab", {"a lab", "laboratorium"}},
    {"organisation", {"an organisation", "organizacja"}},
    {"user", {"my bookings", "moje rezerwacje"}},
    {NULL, {NULL, NULL}},
};

static const struct field FEED_FIELDS[] = {
    FIELD(struct feed, id, "id", FT_ID, FF_OUT, LABEL("Id", "Identyfikator")),
    FIELD(struct feed, scope, "scope", FT_CODE, FF_OUT, .choices = SCOPES,
          LABEL("Calendar of", "Kalendarz")),
    FIELD(struct feed, scope_id, "scope_id", FT_ID, FF_OUT, LABEL("Of which", "Którego")),
    FIELD(struct feed, name, "name", FT_TEXT, FF_OUT, LABEL("Name", "Nazwa")),
    FIELD(struct feed, past_days, "past_days", FT_INT, FF_OUT,
          LABEL("Days of past events", "Dni minionych wydarzeń")),
    FIELD(struct feed, created, "created", FT_TIME, FF_OUT, LABEL("Created", "Utworzono")),
    FIELD(struct feed, last_used, "last_used", FT_TIME, FF_OUT | FF_NULLABLE,
          LABEL("Last fetched", "Ostatnio pobrany")),
    FIELD_END,
};
static const struct shape feed_shape = {"Feed",
                                        FEED_FIELDS,
                                        sizeof(struct feed),
                                        {"calendar feed", "kalendarz"},
                                        "A live calendar feed link (never its token)"};

struct feed_request {
    int scope, past_days;
    int64_t id;
};
static const struct field REQUEST_FIELDS[] = {
    FIELD(struct feed_request, scope, "scope", FT_CODE, FF_REQUIRED, .choices = SCOPES,
          LABEL("Calendar of", "Kalendarz")),
    FIELD(struct feed_request, id, "id", FT_ID, FF_REQUIRED, LABEL("Of which", "Którego"),
          .help = "the resource, lab, organisation or user"),
    FIELD(struct feed_request, past_days, "past_days", FT_INT, 0, .min = 0,
          .max = FEED_PAST_DAYS_MAX, .def = FEED_PAST_DAYS_DEFAULT_TEXT,
          LABEL("Days of past events", "Dni minionych wydarzeń"),
          .help = "events that ended earlier are left out"),
    FIELD_END,
};
static const struct shape request_shape = {"FeedRequest",
                                           REQUEST_FIELDS,
                                           sizeof(struct feed_request),
                                           {"feed request", "prośba o kalendarz"},
                                           "What a new calendar feed shows"};

struct feed_link {
    int64_t id, scope_id;
    int scope, past_days;
    const char *url, *webcal_url;
};
static const struct field LINK_FIELDS[] = {
    FIELD(struct feed_link, id, "id", FT_ID, FF_OUT, LABEL("Id", "Identyfikator")),
    FIELD(struct feed_link, url, "url", FT_TEXT, FF_OUT, LABEL("Address", "Adres"),
          .help = "shown only in this answer: it holds the token"),
    FIELD(struct feed_link, webcal_url, "webcal_url", FT_TEXT, FF_OUT,
          LABEL("Subscription address", "Adres subskrypcji")),
    FIELD(struct feed_link, scope, "scope", FT_CODE, FF_OUT, .choices = SCOPES,
          LABEL("Calendar of", "Kalendarz")),
    FIELD(struct feed_link, scope_id, "scope_id", FT_ID, FF_OUT, LABEL("Of which", "Którego")),
    FIELD(struct feed_link, past_days, "past_days", FT_INT, FF_OUT,
          LABEL("Days of past events", "Dni minionych wydarzeń")),
    FIELD_END,
};
static const struct shape link_shape = {"FeedLink",
                                        LINK_FIELDS,
                                        sizeof(struct feed_link),
                                        {"calendar feed", "kalendarz"},
                                        "A new calendar feed and its secret address"};

static int locate_feed(const struct route_object *o, struct req *r, int64_t id, void **obj,
                       int64_t *org, int64_t *owner)
{
    (void)o;
    *obj = NULL;
    *org = 0;
    return feed_owner(r->db, id, owner, &r->err);
}

static const struct route_object feed_object = {"feed", &feed_shape, locate_feed, NULL, 1, NULL};

static cJSON *feed_json(const struct feed *f)
{
    return api_field_json(&feed_shape, f);
}

int api_feed_scope_from_json(struct req *r, int *scope, int64_t *id, int *past_days)
{
    struct feed_request q;
    uint64_t present = 0;
    field_defaults(&request_shape, &q);
    int rc = api_field_read(&request_shape, r->json, 1, 0, NULL, &r->arena, &q, &present, &r->err);
    *scope = q.scope;
    *id = q.id;
    *past_days = q.past_days;
    return rc;
}

static int post_feed(struct req *r)
{
    const struct feed_request *q = r->input;
    enum feed_scope scope = (enum feed_scope)q->scope;
    const char *scope_s = feed_scope_name(scope);
    char token[FEED_TOKEN_HEX + 1];
    int64_t feed_id = 0;
    int rc =
        feed_create(r->db, r->user, scope, q->id, q->past_days, tu_now(), token, &feed_id, &r->err);
    if (rc)
        return rc;
    auth_audit(r->db, r->user->id, "feed.create", "feed", feed_id, scope_s, r->client_ip);
    const char *url = arena_printf(&r->arena, "%s/ical/%s.ics", http_public_url(), token);
    const char *rest = strstr(url, "://");
    struct feed_link link = {
        feed_id,      q->id, q->scope,
        q->past_days, url,   arena_printf(&r->arena, "webcal://%s", rest ? rest + 3 : url)};
    return http_send_json(r, 201, api_field_json(&link_shape, &link));
}

static int get_feeds(struct req *r)
{
    int64_t total = 0;
    struct feed *feeds = NULL;
    int n = 0;
    int rc =
        feed_list(r->db, r->user->id, r->limit, r->offset, &r->arena, &feeds, &n, &total, &r->err);
    if (rc)
        return rc;
    cJSON *items = cJSON_CreateArray();
    for (int i = 0; i < n; i++)
        cJSON_AddItemToArray(items, feed_json(&feeds[i]));
    return http_send_list(r, items, total);
}

static int delete_feed(struct req *r)
{
    int rc = feed_revoke(r->db, r->user->id, r->obj_id, tu_now(), &r->err);
    if (rc)
        return rc;
    auth_audit(r->db, r->user->id, "feed.revoke", "feed", r->obj_id, NULL, r->client_ip);
    return http_send_empty(r, 204);
}

/* RFC 9110 IMF-fixdate. */
static void http_date(int64_t t, char out[40])
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, 40, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

/* If-None-Match (weak comparison, as RFC 9110 prescribes for GET) or, only
 * when absent, If-Modified-Since. 1 = the client's copy is current. */
static int not_modified(struct req *r, const struct feed_doc *d)
{
    const char *inm = http_header(r, "If-None-Match");
    if (inm) {
        const char *tag = d->etag, *tag_gz = d->etag_gz;
        size_t tlen = strlen(tag), glen = strlen(tag_gz);
        const char *p = inm;
        while (*p) {
            p += strspn(p, " \t,");
            if (!*p)
                break;
            size_t len = strcspn(p, ",");
            const char *v = p;
            size_t vlen = len;
            while (vlen && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
                vlen--;
            if (vlen == 1 && *v == '*')
                return 1;
            if (vlen > 2 && v[0] == 'W' && v[1] == '/') {
                v += 2;
                vlen -= 2;
            }
            /* Either representation's validator names this version. */
            if ((vlen == tlen && memcmp(v, tag, tlen) == 0) ||
                (vlen == glen && memcmp(v, tag_gz, glen) == 0))
                return 1;
            p += len;
        }
        return 0;
    }
    const char *ims = http_header(r, "If-Modified-Since");
    if (ims) {
        struct tm tm;
        memset(&tm, 0, sizeof tm);
        const char *end = strptime(ims, "%a, %d %b %Y %H:%M:%S GMT", &tm);
        if (end && *end == '\0')
            return d->last_modified <= (int64_t)timegm(&tm);
    }
    return 0;
}

/* 304 carries the validators and, like every answer, the security
 * headers (http_send_not_modified). */
static int send_not_modified(struct req *r, const struct feed_doc *d, const char *modified, int gz)
{
    http_add_header(r, "ETag", gz ? d->etag_gz : d->etag);
    http_add_header(r, "Last-Modified", modified);
    http_add_header(r, "Cache-Control", "private, no-cache");
    http_add_header(r, "Vary", "Accept-Encoding");
    return http_send_not_modified(r);
}

/* Whether Accept-Encoding accepts gzip: a "gzip" (or "x-gzip") coding,
 * else "*", whose q is not zero (RFC 9110 12.5.3). */
static int accepts_gzip(struct req *r)
{
    const char *ae = http_header(r, "Accept-Encoding");
    int star = 0, gzip = -1;
    for (const char *p = ae; p && *p;) {
        p += strspn(p, " \t,");
        size_t item = strcspn(p, ","), len = strcspn(p, ",;");
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        int ok = 1;
        const char *q = p + len;
        while ((q = memchr(q, ';', (size_t)(p + item - q))) != NULL) {
            q += 1 + strspn(q + 1, " \t");
            if ((*q == 'q' || *q == 'Q') && q[1] == '=')
                ok = strtod(q + 2, NULL) > 0;
        }
        if ((len == 4 && strncasecmp(p, "gzip", 4) == 0) ||
            (len == 6 && strncasecmp(p, "x-gzip", 6) == 0))
            gzip = ok;
        else if (len == 1 && *p == '*')
            star = ok;
        p += item;
    }
    return gzip >= 0 ? gzip : star;
}

static int get_ical(struct req *r)
{
    struct feed_site site = site_of();
    struct feed_doc d;
    int64_t now = tu_now();
    int gz = accepts_gzip(r);
    int want = FEED_WANT_BODY | (gz ? FEED_WANT_GZIP : 0);
    /* A conditional request is answered from the version alone. */
    int conditional = http_header(r, "If-None-Match") || http_header(r, "If-Modified-Since");
    int rc =
        feed_fetch(r->db, r->params[0], &site, now, conditional ? 0 : want, &r->arena, &d, &r->err);
    if (rc)
        return rc;
    char modified[40];
    http_date(d.last_modified, modified);
    if (conditional && not_modified(r, &d))
        return send_not_modified(r, &d, modified, gz);
    if (!d.body && (rc = feed_fetch(r->db, r->params[0], &site, now, want, &r->arena, &d, &r->err)))
        return rc;
    http_add_header(r, "ETag", gz ? d.etag_gz : d.etag);
    http_add_header(r, "Last-Modified", modified);
    /* A secret URL: no shared caches; clients revalidate with the ETag. */
    http_add_header(r, "Cache-Control", "private, no-cache");
    http_add_header(r, "Vary", "Accept-Encoding");
    http_add_header(r, "Content-Disposition", "inline; filename=\"labshare.ics\"");
    if (gz) {
        http_add_header(r, "Content-Encoding", "gzip");
        return http_send(r, 200, "text/calendar; charset=utf-8", d.gz, d.gz_len);
    }
    return http_send(r, 200, "text/calendar; charset=utf-8", d.body, d.len);
}

static int get_booking_ics(struct req *r)
{
    int64_t id = r->obj_id;
    int rc;
    struct feed_site site = site_of();
    struct feed_doc d;
    if ((rc = feed_booking_ics(r->db, r->user, id, &site, &r->arena, &d, &r->err)))
        return rc;
    http_add_header(
        r, "Content-Disposition",
        arena_printf(&r->arena, "attachment; filename=\"booking-%lld.ics\"", (long long)id));
    http_add_header(r, "Cache-Control", "private, no-store");
    return http_send(r, 200, "text/calendar; charset=utf-8", d.body, d.len);
}

/* clang-format off */
const struct route api_feed_routes[] = {
    {.method = "POST", .pattern = "/api/v1/feeds", .handler = post_feed, .access = ACCESS_USER, .body_max = 1024, .flags = ROUTE_CREATES | ROUTE_THROTTLED, .tag = "feeds", .summary = "Create a calendar feed link for a resource, lab, organisation or yourself (who may see that scope)", .body = &request_shape, .creating = 1, .answer = &link_shape},
    {.method = "GET", .pattern = "/api/v1/feeds", .handler = get_feeds, .access = ACCESS_USER, .flags = ROUTE_PAGED, .tag = "feeds", .summary = "Your live calendar feeds (never the token)", .answer = &feed_shape},
    {.method = "DELETE", .pattern = "/api/v1/feeds/{id}", .handler = delete_feed, .access = ACCESS_USER, .flags = ROUTE_EMPTY, .tag = "feeds", .summary = "Revoke one of your calendar feeds", .object = &feed_object, .need = NEED_SELF},
    {.method = "GET", .pattern = "/ical/{token}.ics", .handler = get_ical, .access = ACCESS_PUBLIC, .tag = "feeds", .summary = "An iCalendar feed (RFC 5545); conditional GET with ETag / Last-Modified", .answer_type = "text/calendar"},
    {.method = "GET", .pattern = "/api/v1/bookings/{id}/ics", .handler = get_booking_ics, .access = ACCESS_USER, .tag = "feeds", .summary = "One booking as an .ics file to add to a calendar", .object = &api_booking_object, .answer_type = "text/calendar"},
    {0},
};
/* clang-format on */
