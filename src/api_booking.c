/* api_booking.c — HTTP routes of the booking module: JSON in and out around
 * booking.h. The decisions (approve, decline, no-show) are open to every
 * signed-in user at the route level so that a booking the caller cannot see
 * answers 404 before a visible one the caller may not decide answers 403
 * (API.md precedence); booking.c makes both checks. */
#include <string.h>

#include "api.h"
#include "booking.h"
#include "db.h"
#include "json.h"
#include "jsonw.h"
#include "timeutil.h"

/* A booking's members, written raw (jsonw.h's low level): a page of 500
 * is written in one pass with no per-member bookkeeping. At most
 * booking_json_max() bytes. */
static size_t booking_json_max(const struct booking *b)
{
    size_t texts = strlen(b->purpose) + (b->reason ? strlen(b->reason) : 0) +
                   (b->resource_name ? strlen(b->resource_name) : 0) +
                   (b->user_name ? strlen(b->user_name) : 0);
    return 320 + 8 * JW_INT_MAX + 5 * JW_TIME_MAX + JW_STRING_MAX(texts) + 4 * JW_STRING_MAX(0);
}

static char *id_or_null(char *p, int64_t id)
{
    return id > 0 ? jw_put_int(p, id) : JW_PUT(p, "null");
}

static char *string_or_null(char *p, const char *s)
{
    return s ? jw_put_string(p, s) : JW_PUT(p, "null");
}

static char *booking_members(struct jw *w, char *p, const struct booking *b)
{
    p = jw_put_int(JW_PUT(p, "\"id\":"), b->id);
    p = jw_put_int(JW_PUT(p, ",\"resource_id\":"), b->resource_id);
    p = jw_put_int(JW_PUT(p, ",\"user_id\":"), b->user_id);
    p = id_or_null(JW_PUT(p, ",\"organisation_id\":"), b->organisation_id);
    p = jw_put_time(w, JW_PUT(p, ",\"start\":"), b->start);
    p = jw_put_time(w, JW_PUT(p, ",\"end\":"), b->end);
    p = jw_put_string(JW_PUT(p, ",\"purpose\":"), b->purpose);
    p = jw_put_string(JW_PUT(p, ",\"status\":"), booking_status_name(b->status));
    p = jw_put_time(w, JW_PUT(p, ",\"created\":"), b->created);
    p = jw_put_time(w, JW_PUT(p, ",\"updated\":"), b->updated);
    p = id_or_null(JW_PUT(p, ",\"decided_by\":"), b->decided_by);
    p = string_or_null(JW_PUT(p, ",\"reason\":"), b->reason);
    p = id_or_null(JW_PUT(p, ",\"series_id\":"), b->series_id);
    /* Extras beyond API.md's minimum. */
    p = jw_put_int(JW_PUT(p, ",\"sequence\":"), b->sequence);
    p = b->no_show ? JW_PUT(p, ",\"no_show\":true") : JW_PUT(p, ",\"no_show\":false");
    p = JW_PUT(p, ",\"cancelled_at\":");
    p = b->cancelled_at ? jw_put_time(w, p, b->cancelled_at) : JW_PUT(p, "null");
    p = string_or_null(JW_PUT(p, ",\"resource_name\":"), b->resource_name);
    p = string_or_null(JW_PUT(p, ",\"user_name\":"), b->user_name);
    return id_or_null(JW_PUT(p, ",\"resource_organisation_id\":"), b->resource_organisation_id);
}

/* One booking as an array element (ctx: the writer). */
static void write_item(const struct booking *b, void *ctx)
{
    struct jw *w = ctx;
    char *p = JW_PUT(jw_value(w, NULL, booking_json_max(b) + 2), "{");
    jw_done(w, JW_PUT(booking_members(w, p, b), "}"));
}

static void booking_array(struct jw *w, const char *key, const struct booking *items, int n)
{
    jw_array(w, key);
    for (int i = 0; i < n; i++)
        write_item(&items[i], w);
    jw_end(w);
}

/* Bytes a page of n bookings typically takes, to size its buffer. */
#define BOOKING_JSON_TYPICAL 480

/* Answers one booking, and with `key` the bookings of `set` as an array
 * member of that name (a series created, the bookings cancelled). */
static int send_booking(struct req *r, int status, const struct booking *b, const char *key,
                        const struct booking_set *set)
{
    struct jw w;
    jw_init(&w, &r->arena, (size_t)(1 + (key ? set->n : 0)) * BOOKING_JSON_TYPICAL);
    jw_object(&w, NULL);
    char *p = jw_value(&w, NULL, booking_json_max(b));
    jw_done(&w, booking_members(&w, p, b));
    if (key)
        booking_array(&w, key, set->items, set->n);
    jw_end(&w);
    return http_send_json_text(r, status, w.buf, w.len);
}

static struct booking_actor actor(struct req *r)
{
    return (struct booking_actor){r->user, r->client_ip, tu_now()};
}

/* The booking named in the path, checked for permission before the body is
 * (404, then 403 when `manage`, then the body's 422). */
static int target(struct req *r, int manage, int64_t *id)
{
    int rc = http_param_id(r, 0, id);
    if (!rc)
        rc = booking_access(r->db, &r->arena, r->user, *id, manage, &r->err);
    return rc;
}

int api_booking_request_from_json(struct req *r, struct booking_request *q)
{
    static const char *const fields[] = {"resource_id", "start", "end", "purpose", "rrule", NULL};
    *q = (struct booking_request){0};
    int rc = json_only(r->json, fields, &r->err);
    if (!rc)
        rc = json_int(r->json, "resource_id", 1, 1, INT64_MAX / 2, &q->resource_id, NULL, &r->err);
    if (!rc)
        rc = json_time(r->json, "start", 1, &q->start, NULL, &r->err);
    if (!rc)
        rc = json_time(r->json, "end", 1, &q->end, NULL, &r->err);
    if (!rc)
        rc = json_string(r->json, "purpose", 0, 1, BOOKING_PURPOSE_MAX, &r->arena, &q->purpose,
                         NULL, &r->err);
    if (!rc)
        rc = json_string(r->json, "rrule", 0, 1, BOOKING_RRULE_MAX, &r->arena, &q->rrule, NULL,
                         &r->err);
    if (!rc && q->rrule && !*q->rrule)
        q->rrule = NULL;
    return rc;
}

static int post_booking(struct req *r)
{
    struct booking_request q;
    int rc = api_booking_request_from_json(r, &q);
    if (rc)
        return rc;
    struct booking_actor who = actor(r);
    struct booking_set set;
    if ((rc = booking_create(&set, r->db, &r->arena, &who, &q, &r->err)))
        return rc;
    char *loc = arena_printf(&r->arena, "/api/v1/bookings/%lld", (long long)set.items[0].id);
    http_add_header(r, "Location", loc);
    return send_booking(r, 201, &set.items[0], q.rrule ? "bookings" : NULL, &set);
}

static int get_bookings(struct req *r)
{
    static const char *const statuses[] = {"pending", "approved", "declined", "cancelled", NULL};
    static const char *const orders[] = {"asc", "desc", NULL};
    struct booking_filter f = {.status = -1};
    const char *status = NULL, *order = "asc";
    int64_t mine = 0;
    int has_status = 0;
    int rc = http_paging(r, &f.limit, &f.offset);
    if (!rc)
        rc = http_query_int(r, "resource_id", 1, INT64_MAX / 2, &f.resource_id, NULL);
    if (!rc)
        rc = http_query_int(r, "lab_id", 1, INT64_MAX / 2, &f.lab_id, NULL);
    if (!rc)
        rc = http_query_int(r, "organisation_id", 1, INT64_MAX / 2, &f.organisation_id, NULL);
    if (!rc)
        rc = http_query_int(r, "booker_organisation_id", 1, INT64_MAX / 2,
                            &f.booker_organisation_id, NULL);
    if (!rc)
        rc = http_query_int(r, "user_id", 1, INT64_MAX / 2, &f.user_id, NULL);
    if (!rc)
        rc = http_query_int(r, "series_id", 1, INT64_MAX / 2, &f.series_id, NULL);
    if (!rc)
        rc = http_query_time(r, "from", 0, &f.from, NULL);
    if (!rc)
        rc = http_query_time(r, "to", 0, &f.to, NULL);
    if (!rc)
        rc = http_query_enum(r, "status", statuses, &status, &has_status);
    if (!rc)
        rc = http_query_int(r, "mine", 0, 1, &mine, NULL);
    if (!rc)
        rc = http_query_enum(r, "order", orders, &order, NULL);
    if (rc)
        return rc;
    if (has_status)
        f.status = booking_status_parse(status);
    f.mine = mine == 1;
    f.desc = strcmp(order, "desc") == 0;
    /* Rows go into the text as they are read: no copies of the page. */
    struct jw w;
    jw_init(&w, &r->arena, (size_t)(f.limit > 0 ? f.limit : 50) * BOOKING_JSON_TYPICAL);
    jw_object(&w, NULL);
    jw_array(&w, "items");
    int64_t total;
    if ((rc = booking_list_each(r->db, &r->arena, r->user, &f, write_item, &w, &total, &r->err)))
        return rc;
    jw_end(&w);
    jw_int(&w, "total", total);
    jw_end(&w);
    return http_send_json_text(r, 200, w.buf, w.len);
}

static int get_booking(struct req *r)
{
    int64_t id;
    struct booking b;
    int rc = http_param_id(r, 0, &id);
    if (!rc)
        rc = booking_get(&b, r->db, &r->arena, r->user, id, &r->err);
    if (rc)
        return rc;
    return send_booking(r, 200, &b, NULL, NULL);
}

static int post_approve(struct req *r)
{
    static const char *const fields[] = {NULL};
    int64_t id;
    struct booking b;
    int rc = target(r, 1, &id);
    if (!rc)
        rc = json_only(r->json, fields, &r->err);
    struct booking_actor who = actor(r);
    if (!rc)
        rc = booking_approve(&b, r->db, &r->arena, &who, id, &r->err);
    if (rc)
        return rc;
    return send_booking(r, 200, &b, NULL, NULL);
}

static int post_decline(struct req *r)
{
    static const char *const fields[] = {"reason", NULL};
    int64_t id;
    const char *reason = NULL;
    struct booking b;
    int rc = target(r, 1, &id);
    if (!rc)
        rc = json_only(r->json, fields, &r->err);
    if (!rc)
        rc = json_string(r->json, "reason", 0, 1, BOOKING_REASON_MAX, &r->arena, &reason, NULL,
                         &r->err);
    struct booking_actor who = actor(r);
    if (!rc)
        rc = booking_decline(&b, r->db, &r->arena, &who, id, reason, &r->err);
    if (rc)
        return rc;
    return send_booking(r, 200, &b, NULL, NULL);
}

static int post_cancel(struct req *r)
{
    static const char *const fields[] = {"reason", "scope", NULL};
    static const char *const scopes[] = {"one", "following", NULL};
    int64_t id;
    const char *reason = NULL, *scope = "one";
    int rc = target(r, 0, &id);
    if (!rc)
        rc = json_only(r->json, fields, &r->err);
    if (!rc)
        rc = json_string(r->json, "reason", 0, 1, BOOKING_REASON_MAX, &r->arena, &reason, NULL,
                         &r->err);
    if (!rc)
        rc = json_enum(r->json, "scope", 0, scopes, &scope, NULL, &r->err);
    struct booking_actor who = actor(r);
    struct booking_set set;
    if (!rc)
        rc = booking_cancel(&set, r->db, &r->arena, &who, id, reason,
                            strcmp(scope, "following") == 0, &r->err);
    if (rc)
        return rc;
    return send_booking(r, 200, &set.items[0], strcmp(scope, "following") == 0 ? "cancelled" : NULL,
                        &set);
}

static int patch_booking(struct req *r)
{
    static const char *const fields[] = {"start", "end", "purpose", NULL};
    int64_t id;
    struct booking_change c = {0};
    int rc = target(r, 0, &id);
    if (!rc)
        rc = json_only(r->json, fields, &r->err);
    if (!rc)
        rc = json_time(r->json, "start", 0, &c.start, &c.has_start, &r->err);
    if (!rc)
        rc = json_time(r->json, "end", 0, &c.end, &c.has_end, &r->err);
    if (!rc)
        rc = json_string(r->json, "purpose", 0, 0, BOOKING_PURPOSE_MAX, &r->arena, &c.purpose,
                         &c.has_purpose, &r->err);
    if (!rc && !c.has_start && !c.has_end && !c.has_purpose)
        rc = ls_err_set(&r->err, LS_EVALIDATION, "start", "send 'start', 'end' or 'purpose'");
    struct booking_actor who = actor(r);
    struct booking b;
    if (!rc)
        rc = booking_move(&b, r->db, &r->arena, &who, id, &c, &r->err);
    if (rc)
        return rc;
    return send_booking(r, 200, &b, NULL, NULL);
}

static int no_show(struct req *r, int64_t id, int mark)
{
    struct booking b;
    struct booking_actor who = actor(r);
    int rc = booking_set_no_show(&b, r->db, &r->arena, &who, id, mark, &r->err);
    if (rc)
        return rc;
    return send_booking(r, 200, &b, NULL, NULL);
}

static int post_no_show(struct req *r)
{
    static const char *const fields[] = {"no_show", NULL};
    int64_t id;
    int mark = 1;
    int rc = target(r, 1, &id);
    if (!rc)
        rc = json_only(r->json, fields, &r->err);
    if (!rc)
        rc = json_bool(r->json, "no_show", 0, &mark, NULL, &r->err);
    return rc ? rc : no_show(r, id, mark);
}

static int delete_no_show(struct req *r)
{
    int64_t id;
    int rc = target(r, 1, &id);
    return rc ? rc : no_show(r, id, 0);
}

static int get_availability(struct req *r)
{
    int64_t id, from = 0, to = 0;
    int has_from = 0, has_to = 0;
    int rc = http_param_id(r, 0, &id);
    if (!rc)
        rc = http_query_time(r, "from", 0, &from, &has_from);
    if (!rc)
        rc = http_query_time(r, "to", 0, &to, &has_to);
    if (rc)
        return rc;
    if (!has_from && !has_to) { /* this week, Monday to Monday, local time */
        struct tu_local l;
        tu_to_local(tu_now(), &l);
        from = tu_local_midnight(l.year, l.month, l.day - (l.weekday - 1));
        to = tu_local_midnight(l.year, l.month, l.day - (l.weekday - 1) + 7);
    } else if (!has_to) {
        to = from + 7 * 86400;
    } else if (!has_from) {
        from = to - 7 * 86400;
    }
    struct booking_availability av;
    if ((rc = booking_availability(&av, r->db, &r->arena, r->user, id, from, to, &r->err)))
        return rc;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "resource_id", (double)av.resource_id);
    json_add_time(o, "from", av.from);
    json_add_time(o, "to", av.to);
    cJSON *open = cJSON_AddArrayToObject(o, "open");
    for (int i = 0; i < av.nopen; i++) {
        cJSON *s = cJSON_CreateObject();
        json_add_time(s, "start", av.open[i].start);
        json_add_time(s, "end", av.open[i].end);
        cJSON_AddItemToArray(open, s);
    }
    cJSON *busy = cJSON_AddArrayToObject(o, "busy");
    for (int i = 0; i < av.nbusy; i++) {
        cJSON *s = cJSON_CreateObject();
        json_add_time(s, "start", av.busy[i].start);
        json_add_time(s, "end", av.busy[i].end);
        cJSON_AddStringToObject(s, "status", booking_status_name(av.busy[i].status));
        cJSON_AddBoolToObject(s, "mine", av.busy[i].mine);
        json_add_id_or_null(s, "booking_id", av.busy[i].booking_id);
        cJSON_AddItemToArray(busy, s);
    }
    cJSON *bl = cJSON_AddArrayToObject(o, "blackouts");
    for (int i = 0; i < av.nblackouts; i++) {
        cJSON *s = cJSON_CreateObject();
        cJSON_AddNumberToObject(s, "id", (double)av.blackouts[i].id);
        json_add_time(s, "start", av.blackouts[i].start);
        json_add_time(s, "end", av.blackouts[i].end);
        cJSON_AddStringToObject(s, "reason", av.blackouts[i].reason);
        cJSON_AddItemToArray(bl, s);
    }
    return http_send_json(r, 200, o);
}

/* clang-format off */
const struct route api_booking_routes[] = {
    {"POST", "/api/v1/bookings", post_booking, ACCESS_USER, 16384, 0, "bookings", "Request a booking (optionally recurring with an RRULE)"},
    {"GET", "/api/v1/bookings", get_bookings, ACCESS_USER, 0, 0, "bookings", "List the bookings the caller may see (own; owners also those on their organisation's resources; staff all). Filters: resource_id, lab_id and organisation_id (of the resource), booker_organisation_id (the booker's at booking time), user_id, series_id, status, mine=1, from/to (overlapping [from, to), at most 366 days when both are given). Ordered by start; order=desc for newest first. limit (at most 500) and offset"},
    {"GET", "/api/v1/bookings/{id}", get_booking, ACCESS_USER, 0, 0, "bookings", "One booking"},
    {"PATCH", "/api/v1/bookings/{id}", patch_booking, ACCESS_USER, 8192, 0, "bookings", "Move a booking or change its purpose"},
    {"POST", "/api/v1/bookings/{id}/approve", post_approve, ACCESS_USER, 1024, 0, "bookings", "Approve a pending booking (owner of the resource's organisation, staff)"},
    {"POST", "/api/v1/bookings/{id}/decline", post_decline, ACCESS_USER, 8192, 0, "bookings", "Decline a pending booking (owner of the resource's organisation, staff)"},
    {"POST", "/api/v1/bookings/{id}/cancel", post_cancel, ACCESS_USER, 8192, 0, "bookings", "Cancel a booking, or it and the rest of its series"},
    {"POST", "/api/v1/bookings/{id}/no-show", post_no_show, ACCESS_USER, 1024, 0, "bookings", "Mark an ended approved booking as not used"},
    {"DELETE", "/api/v1/bookings/{id}/no-show", delete_no_show, ACCESS_USER, 0, 0, "bookings", "Remove a no-show mark"},
    {"GET", "/api/v1/resources/{id}/availability", get_availability, ACCESS_USER, 0, 0, "bookings", "Opening hours, bookings and blackouts of a resource for a week view"},
    {0},
};
/* clang-format on */
