/* api_feed.c — HTTP routes of the feed module: creating, listing and
 * revoking calendar links, serving /ical/<token>.ics with conditional GET,
 * and the single-booking .ics download. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "feed.h"
#include "json.h"
#include "timeutil.h"

static struct feed_site site_of(void)
{
    struct feed_site s = {http_public_host(), http_public_url()};
    return s;
}

static cJSON *feed_json(const struct feed *f)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "id", (double)f->id);
    cJSON_AddStringToObject(o, "scope", feed_scope_name(f->scope));
    cJSON_AddNumberToObject(o, "scope_id", (double)f->scope_id);
    cJSON_AddStringToObject(o, "name", f->name ? f->name : "");
    json_add_time(o, "created", f->created);
    json_add_time_or_null(o, "last_used", f->last_used, f->last_used == 0);
    return o;
}

int api_feed_scope_from_json(struct req *r, int *scope, int64_t *id)
{
    static const char *const fields[] = {"scope", "id", NULL};
    static const char *const scopes[] = {"resource", "lab", "organisation", "user", NULL};
    const char *scope_s = NULL;
    int rc = json_only(r->json, fields, &r->err);
    if (!rc)
        rc = json_enum(r->json, "scope", 1, scopes, &scope_s, NULL, &r->err);
    if (!rc)
        rc = json_int(r->json, "id", 1, 1, INT64_MAX / 2, id, NULL, &r->err);
    if (rc)
        return rc;
    enum feed_scope s;
    if (feed_scope_parse(scope_s, &s) != 0) /* json_enum let through a word feed.c lacks */
        return ls_err_set(&r->err, LS_EVALIDATION, "scope", "unknown scope");
    *scope = (int)s;
    return LS_OK;
}

static int post_feed(struct req *r)
{
    int scope_i = 0;
    int64_t id = 0;
    int rc = api_feed_scope_from_json(r, &scope_i, &id);
    if (rc)
        return rc;
    enum feed_scope scope = (enum feed_scope)scope_i;
    const char *scope_s = feed_scope_name(scope);
    char token[FEED_TOKEN_HEX + 1];
    int64_t feed_id = 0;
    if ((rc = feed_create(r->db, r->user, scope, id, tu_now(), token, &feed_id, &r->err)))
        return rc;
    auth_audit(r->db, r->user->id, "feed.create", "feed", feed_id, scope_s, r->client_ip);
    const char *url = arena_printf(&r->arena, "%s/ical/%s.ics", http_public_url(), token);
    const char *rest = strstr(url, "://");
    const char *webcal = arena_printf(&r->arena, "webcal://%s", rest ? rest + 3 : url);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "id", (double)feed_id);
    cJSON_AddStringToObject(o, "url", url);
    cJSON_AddStringToObject(o, "webcal_url", webcal);
    cJSON_AddStringToObject(o, "scope", scope_s);
    cJSON_AddNumberToObject(o, "scope_id", (double)id);
    return http_send_json(r, 201, o);
}

static int get_feeds(struct req *r)
{
    int64_t limit, offset, total = 0;
    int rc = http_paging(r, &limit, &offset);
    if (rc)
        return rc;
    struct feed *feeds = NULL;
    int n = 0;
    if ((rc = feed_list(r->db, r->user->id, limit, offset, &r->arena, &feeds, &n, &total, &r->err)))
        return rc;
    cJSON *items = cJSON_CreateArray();
    for (int i = 0; i < n; i++)
        cJSON_AddItemToArray(items, feed_json(&feeds[i]));
    return http_send_list(r, items, total);
}

static int delete_feed(struct req *r)
{
    int64_t id;
    int rc = http_param_id(r, 0, &id);
    if (!rc)
        rc = feed_revoke(r->db, r->user->id, id, tu_now(), &r->err);
    if (rc)
        return rc;
    auth_audit(r->db, r->user->id, "feed.revoke", "feed", id, NULL, r->client_ip);
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
        const char *tag = d->etag;
        size_t tlen = strlen(tag);
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
            if (vlen == tlen && memcmp(v, tag, tlen) == 0)
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
static int send_not_modified(struct req *r, const struct feed_doc *d, const char *modified)
{
    http_add_header(r, "ETag", d->etag);
    http_add_header(r, "Last-Modified", modified);
    http_add_header(r, "Cache-Control", "private, no-cache");
    return http_send_not_modified(r);
}

static int get_ical(struct req *r)
{
    struct feed_site site = site_of();
    struct feed_doc d;
    int64_t now = tu_now();
    /* A conditional request is answered from the version alone. */
    int conditional = http_header(r, "If-None-Match") || http_header(r, "If-Modified-Since");
    int rc = feed_fetch(r->db, r->params[0], &site, now, !conditional, &r->arena, &d, &r->err);
    if (rc)
        return rc;
    char modified[40];
    http_date(d.last_modified, modified);
    if (conditional && not_modified(r, &d))
        return send_not_modified(r, &d, modified);
    if (!d.body && (rc = feed_fetch(r->db, r->params[0], &site, now, 1, &r->arena, &d, &r->err)))
        return rc;
    http_add_header(r, "ETag", d.etag);
    http_add_header(r, "Last-Modified", modified);
    /* A secret URL: no shared caches; clients revalidate with the ETag. */
    http_add_header(r, "Cache-Control", "private, no-cache");
    http_add_header(r, "Content-Disposition", "inline; filename=\"labshare.ics\"");
    return http_send(r, 200, "text/calendar; charset=utf-8", d.body, d.len);
}

static int get_booking_ics(struct req *r)
{
    int64_t id;
    int rc = http_param_id(r, 0, &id);
    if (rc)
        return rc;
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
    {"POST", "/api/v1/feeds", post_feed, ACCESS_USER, 1024, 0, "feeds", "Create a calendar feed link for a resource, lab, organisation or yourself"},
    {"GET", "/api/v1/feeds", get_feeds, ACCESS_USER, 0, 0, "feeds", "Your live calendar feeds (never the token)"},
    {"DELETE", "/api/v1/feeds/{id}", delete_feed, ACCESS_USER, 0, 0, "feeds", "Revoke one of your calendar feeds"},
    {"GET", "/ical/{token}.ics", get_ical, ACCESS_PUBLIC, 0, 0, "feeds", "An iCalendar feed (RFC 5545); conditional GET with ETag / Last-Modified"},
    {"GET", "/api/v1/bookings/{id}/ics", get_booking_ics, ACCESS_USER, 0, 0, "feeds", "One booking as an .ics file to add to a calendar"},
    {0},
};
/* clang-format on */
