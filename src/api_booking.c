/* api_booking.c — HTTP routes of the booking module: JSON in and out around
 * booking.h. The decisions (approve, decline, no-show) are open to every
 * signed-in user at the route level so that a booking the caller cannot see
 * answers 404 before a visible one the caller may not decide answers 403
 * (API.md precedence); booking.c makes both checks. */
#include <string.h>

#include "api.h"
#include "booking.h"
#include "db.h"
#include "api_field.h"
#include "catalogue.h"
#include "json.h"
#include "jsonw.h"
#include "timeutil.h"

static const struct field_choice STATUSES[] = {
    {"pending", {"pending", "oczekująca"}},
    {"approved", {"approved", "zatwierdzona"}},
    {"declined", {"declined", "odrzucona"}},
    {"cancelled", {"cancelled", "anulowana"}},
    {NULL, {NULL, NULL}},
};

#define B(member, json, ft, fl, ...) FIELD(struct booking, member, json, ft, fl, __VA_ARGS__)
static const struct field BOOKING_FIELDS[] = {
    B(id, "id", FT_ID, FF_OUT, LABEL("Id", "Identyfikator")),
    B(resource_id, "resource_id", FT_ID, FF_OUT, .ref = &catalogue_resource.shape,
      LABEL("Resource", "Zasób")),
    B(user_id, "user_id", FT_ID, FF_OUT, LABEL("Booked by", "Rezerwujący")),
    B(organisation_id, "organisation_id", FT_ID, FF_OUT | FF_NULLABLE,
      LABEL("Booker's organisation", "Organizacja rezerwującego"),
      .help = "the booker's, at booking time; null for guests"),
    B(start, "start", FT_TIME, FF_OUT, LABEL("Start", "Początek")),
    B(end, "end", FT_TIME, FF_OUT, LABEL("End", "Koniec")),
    B(purpose, "purpose", FT_TEXT, FF_OUT, LABEL("Purpose", "Cel")),
    B(status, "status", FT_CODE, FF_OUT, .choices = STATUSES, LABEL("Status", "Stan")),
    B(created, "created", FT_TIME, FF_OUT, LABEL("Requested", "Utworzono")),
    B(updated, "updated", FT_TIME, FF_OUT, LABEL("Updated", "Zmieniono")),
    B(decided_by, "decided_by", FT_ID, FF_OUT | FF_NULLABLE, LABEL("Decided by", "Decyzja")),
    B(reason, "reason", FT_TEXT, FF_OUT | FF_NULLABLE, LABEL("Reason", "Powód")),
    B(series_id, "series_id", FT_ID, FF_OUT | FF_NULLABLE, LABEL("Series", "Seria")),
    B(sequence, "sequence", FT_LONG, FF_OUT, LABEL("Version", "Wersja"),
      .help = "raised on every change (the feeds' SEQUENCE)"),
    B(no_show, "no_show", FT_BOOL, FF_OUT, LABEL("Not used", "Niewykorzystana")),
    B(cancelled_at, "cancelled_at", FT_TIME, FF_OUT | FF_NULLABLE, LABEL("Cancelled", "Anulowano")),
    B(resource_name, "resource_name", FT_TEXT, FF_OUT | FF_NULLABLE, LABEL("Resource", "Zasób")),
    B(user_name, "user_name", FT_TEXT, FF_OUT | FF_NULLABLE, LABEL("Booked by", "Rezerwujący")),
    B(resource_organisation_id, "resource_organisation_id", FT_ID, FF_OUT | FF_NULLABLE,
      LABEL("Resource's organisation", "Organizacja zasobu")),
    B(project, "project", FT_TEXT, FF_OUT | FF_NULLABLE, LABEL("Project", "Projekt")),
    B(cost_centre, "cost_centre", FT_TEXT, FF_OUT | FF_NULLABLE,
      LABEL("Cost centre", "Miejsce powstawania kosztów (MPK)")),
    B(economic, "economic", FT_BOOL, FF_OUT,
      LABEL("Economic use (State aid)", "Wykorzystanie gospodarcze (pomoc publiczna)"),
      .help = "counts against a funded resource's cap; PATCH by its owners and staff"),
    B(price, "price", FT_OBJECT, FF_OUT | FF_NULLABLE, .ref = &api_price_shape,
      LABEL("Price", "Cena"),
      .help = "as quoted when the booking was made, kept; null for bookings made before prices"),
    FIELD_END,
};
static const struct shape booking_shape = {
    "Booking",
    BOOKING_FIELDS,
    sizeof(struct booking),
    {"booking", "rezerwacja"},
    "A booking; the answer to a recurring request adds series_id and bookings (all of them), "
    "and to cancelling the following occurrences `cancelled`"};

#define Q(member, json, ft, fl, ...)                                                               \
    FIELD(struct booking_request, member, json, ft, fl, __VA_ARGS__)
static const struct field REQUEST_FIELDS[] = {
    Q(resource_id, "resource_id", FT_ID, FF_REQUIRED, .ref = &catalogue_resource.shape,
      LABEL("Resource", "Zasób")),
    Q(start, "start", FT_TIME, FF_REQUIRED, LABEL("Start", "Początek")),
    Q(end, "end", FT_TIME, FF_REQUIRED, LABEL("End", "Koniec")),
    Q(purpose, "purpose", FT_TEXT, FF_MULTILINE, .max = BOOKING_PURPOSE_MAX,
      LABEL("Purpose", "Cel")),
    Q(rrule, "rrule", FT_TEXT, FF_NULLABLE | FF_IN, .max = BOOKING_RRULE_MAX,
      LABEL("Repeat", "Powtarzanie"),
      .help = "RFC 5545 RRULE, e.g. FREQ=WEEKLY;COUNT=10 (site-local time)"),
    Q(project, "project", FT_TEXT, FF_NULLABLE, .max = BOOKING_PROJECT_MAX,
      LABEL("Project", "Projekt")),
    Q(cost_centre, "cost_centre", FT_TEXT, FF_NULLABLE, .max = BOOKING_COST_CENTRE_MAX,
      LABEL("Cost centre", "Miejsce powstawania kosztów (MPK)"),
      .help = "required when the booker's organisation has requires_cost_centre"),
    Q(economic, "economic", FT_BOOL, 0,
      LABEL("Economic use (State aid)", "Wykorzystanie gospodarcze (pomoc publiczna)"),
      .help = "default true for bookers from BioF/BIZ organisations, non-members and guests; "
              "only the resource's owners and staff may set it"),
    Q(override_economic_cap, "override_economic_cap", FT_BOOL, FF_STAFF | FF_IN,
      LABEL("Go over the State-aid cap", "Przekrocz limit pomocy publicznej"),
      .help = "staff: book even if a funded resource's economic use goes over its cap (audited)"),
    FIELD_END,
};
static const struct shape request_shape = {"BookingRequest",
                                           REQUEST_FIELDS,
                                           sizeof(struct booking_request),
                                           {"booking request", "prośba o rezerwację"},
                                           "A request for one booking or a series"};

struct change_body {
    int64_t start, end;
    const char *purpose;
    int economic, override_cap;
};
static const struct field CHANGE_FIELDS[] = {
    FIELD(struct change_body, start, "start", FT_TIME, 0, LABEL("Start", "Początek")),
    FIELD(struct change_body, end, "end", FT_TIME, 0, LABEL("End", "Koniec")),
    FIELD(struct change_body, purpose, "purpose", FT_TEXT, FF_MULTILINE, .max = BOOKING_PURPOSE_MAX,
          LABEL("Purpose", "Cel")),
    FIELD(struct change_body, economic, "economic", FT_BOOL, 0,
          LABEL("Economic use (State aid)", "Wykorzystanie gospodarcze (pomoc publiczna)"),
          .help = "the resource's owners and staff; on its own, without other changes"),
    FIELD(struct change_body, override_cap, "override_economic_cap", FT_BOOL, FF_STAFF | FF_IN,
          LABEL("Go over the State-aid cap", "Przekrocz limit pomocy publicznej"),
          .help = "staff, with economic: true or a new time (audited)"),
    FIELD_END,
};
static const struct shape change_shape = {.fields = CHANGE_FIELDS,
                                          .size = sizeof(struct change_body)};

struct decision_body {
    const char *reason, *scope;
    int no_show, series;
    int override_cap;
};
static const struct field_choice SCOPES[] = {
    {"one", {"this one", "tylko ta"}},
    {"following", {"this and the following ones", "ta i następne"}},
    {NULL, {NULL, NULL}},
};
#define SERIES_FIELD                                                                               \
    FIELD(struct decision_body, series, "series", FT_BOOL, 0, .def = "false",                      \
          LABEL("The rest of the series too", "Także dalsze terminy serii"),                       \
          .help = "every pending occurrence of the series from this one on, all or none")
static const struct field APPROVE_FIELDS[] = {
    SERIES_FIELD,
    FIELD(struct decision_body, override_cap, "override_economic_cap", FT_BOOL, FF_STAFF | FF_IN,
          LABEL("Go over the State-aid cap", "Przekrocz limit pomocy publicznej"),
          .help = "staff: approve even if a funded resource's economic use goes over its cap "
                  "(audited)"),
    FIELD_END,
};
static const struct shape approve_shape = {.fields = APPROVE_FIELDS,
                                           .size = sizeof(struct decision_body)};
static const struct field DECLINE_FIELDS[] = {
    FIELD(struct decision_body, reason, "reason", FT_TEXT, FF_REQUIRED | FF_MULTILINE,
          .max = BOOKING_REASON_MAX, LABEL("Reason", "Powód"),
          .help = "required: the booker is told it"),
    SERIES_FIELD,
    FIELD_END,
};
static const struct shape decline_shape = {.fields = DECLINE_FIELDS,
                                           .size = sizeof(struct decision_body)};
static const struct field CANCEL_FIELDS[] = {
    FIELD(struct decision_body, reason, "reason", FT_TEXT, FF_NULLABLE | FF_MULTILINE,
          .max = BOOKING_REASON_MAX, LABEL("Reason", "Powód")),
    FIELD(struct decision_body, scope, "scope", FT_ENUM, 0, .choices = SCOPES, .def = "one",
          LABEL("Which bookings", "Które rezerwacje")),
    FIELD_END,
};
static const struct shape cancel_shape = {.fields = CANCEL_FIELDS,
                                          .size = sizeof(struct decision_body)};
static const struct field NO_SHOW_FIELDS[] = {
    FIELD(struct decision_body, no_show, "no_show", FT_BOOL, 0, .def = "true",
          LABEL("Not used", "Niewykorzystana")),
    FIELD_END,
};
static const struct shape no_show_shape = {.fields = NO_SHOW_FIELDS,
                                           .size = sizeof(struct decision_body)};

/* GET /api/v1/bookings */
struct list_query {
    int64_t resource_id, lab_id, organisation_id, booker_organisation_id, user_id, series_id, from,
        to;
    int status, mine, decidable;
    const char *order;
};
static const struct field_choice ORDERS[] = {
    {"asc", {"oldest first", "od najwcześniejszej"}},
    {"desc", {"newest first", "od najpóźniejszej"}},
    {NULL, {NULL, NULL}},
};
#define L(member, json, ft, fl, ...) FIELD(struct list_query, member, json, ft, fl, __VA_ARGS__)
static const struct field LIST_FIELDS[] = {
    L(resource_id, "resource_id", FT_ID, 0, LABEL("Resource", "Zasób")),
    L(lab_id, "lab_id", FT_ID, 0, LABEL("Lab", "Laboratorium"), .help = "the resource's lab"),
    L(organisation_id, "organisation_id", FT_ID, 0,
      LABEL("Resource's organisation", "Organizacja zasobu"),
      .help = "the organisation of the resource's lab"),
    L(booker_organisation_id, "booker_organisation_id", FT_ID, 0,
      LABEL("Booker's organisation", "Organizacja rezerwującego"),
      .help = "the booker's, at booking time"),
    L(user_id, "user_id", FT_ID, 0, LABEL("Booked by", "Rezerwujący")),
    L(series_id, "series_id", FT_ID, 0, LABEL("Series", "Seria")),
    L(from, "from", FT_TIME, 0, LABEL("From", "Od"), .help = "bookings ending after it"),
    L(to, "to", FT_TIME, 0, LABEL("To", "Do"), .help = "bookings starting before it; after from"),
    L(status, "status", FT_CODE, 0, .choices = STATUSES, LABEL("Status", "Stan")),
    L(mine, "mine", FT_BOOL, 0, LABEL("Only mine", "Tylko moje")),
    L(decidable, "decidable", FT_BOOL, 0,
      LABEL("Awaiting my decision", "Czekające na moją decyzję"),
      .help = "only pending bookings on resources the caller manages"),
    L(order, "order", FT_ENUM, 0, .choices = ORDERS, .def = "asc", LABEL("Order", "Kolejność"),
      .help = "by start (then id); desc: newest first"),
    FIELD_END,
};
static const struct shape list_shape = {.fields = LIST_FIELDS, .size = sizeof(struct list_query)};

/* GET /api/v1/resources/{id}/availability */
struct span_query {
    int64_t from, to;
};
static const struct field SPAN_FIELDS[] = {
    FIELD(struct span_query, from, "from", FT_TIME, 0, LABEL("From", "Od"),
          .help = "default: this week's Monday"),
    FIELD(struct span_query, to, "to", FT_TIME, 0, LABEL("To", "Do"),
          .help = "default: a week after from"),
    FIELD_END,
};
static const struct shape span_shape = {.fields = SPAN_FIELDS, .size = sizeof(struct span_query)};

static const struct field OPEN_FIELDS[] = {
    FIELD(struct booking_span, start, "start", FT_TIME, FF_OUT, LABEL("Start", "Początek")),
    FIELD(struct booking_span, end, "end", FT_TIME, FF_OUT, LABEL("End", "Koniec")),
    FIELD_END,
};
static const struct shape open_shape = {.fields = OPEN_FIELDS, .size = sizeof(struct booking_span)};
static const struct field BUSY_FIELDS[] = {
    FIELD(struct booking_busy, start, "start", FT_TIME, FF_OUT, LABEL("Start", "Początek")),
    FIELD(struct booking_busy, end, "end", FT_TIME, FF_OUT, LABEL("End", "Koniec")),
    FIELD(struct booking_busy, status, "status", FT_CODE, FF_OUT, .choices = STATUSES,
          LABEL("Status", "Stan")),
    FIELD(struct booking_busy, mine, "mine", FT_BOOL, FF_OUT, LABEL("Mine", "Moja")),
    FIELD(struct booking_busy, booking_id, "booking_id", FT_ID, FF_OUT | FF_NULLABLE,
          LABEL("Booking", "Rezerwacja"), .help = "only the viewer's own, or to its managers"),
    FIELD_END,
};
static const struct shape busy_shape = {.fields = BUSY_FIELDS, .size = sizeof(struct booking_busy)};
static const struct field AV_BLACKOUT_FIELDS[] = {
    FIELD(struct booking_blackout, id, "id", FT_ID, FF_OUT, LABEL("Id", "Identyfikator")),
    FIELD(struct booking_blackout, start, "start", FT_TIME, FF_OUT, LABEL("Start", "Początek")),
    FIELD(struct booking_blackout, end, "end", FT_TIME, FF_OUT, LABEL("End", "Koniec")),
    FIELD(struct booking_blackout, reason, "reason", FT_TEXT, FF_OUT, LABEL("Reason", "Powód")),
    FIELD_END,
};
static const struct shape av_blackout_shape = {.fields = AV_BLACKOUT_FIELDS,
                                               .size = sizeof(struct booking_blackout)};
#define A(member, json, ft, ...)                                                                   \
    FIELD(struct booking_availability, member, json, ft, FF_OUT, __VA_ARGS__)
static const struct field AVAILABILITY_FIELDS[] = {
    A(resource_id, "resource_id", FT_ID, LABEL("Resource", "Zasób")),
    A(from, "from", FT_TIME, LABEL("From", "Od")),
    A(to, "to", FT_TIME, LABEL("To", "Do")),
    A(open, "open", FT_LIST, .ref = &open_shape,
      .count = offsetof(struct booking_availability, nopen), LABEL("Open", "Otwarte"),
      .help = "opening hours laid out in [from, to)"),
    A(busy, "busy", FT_LIST, .ref = &busy_shape,
      .count = offsetof(struct booking_availability, nbusy), LABEL("Booked", "Zarezerwowane")),
    A(blackouts, "blackouts", FT_LIST, .ref = &av_blackout_shape,
      .count = offsetof(struct booking_availability, nblackouts), LABEL("Blackouts", "Wyłączenia")),
    FIELD_END,
};
static const struct shape availability_shape = {
    "Availability",
    AVAILABILITY_FIELDS,
    sizeof(struct booking_availability),
    {"availability", "dostępność"},
    "A resource's week view: opening hours, bookings, blackouts"};

/* A list's bookings are written raw (jsonw.h's low level): a page of 500
 * in one pass with no per-member bookkeeping, where building booking_shape's
 * cJSON tree per row cost more than the query. The members are
 * booking_shape's, in its order and format: tests/http/booking.test.mjs
 * checks that a list's item equals GET /api/v1/bookings/{id}. At most
 * booking_json_max() bytes. */
static size_t booking_json_max(const struct booking *b)
{
    const char *const opt[] = {b->reason,
                               b->resource_name,
                               b->user_name,
                               b->project,
                               b->cost_centre,
                               b->price.currency,
                               b->price.currency ? b->price.class_name : NULL};
    size_t texts = strlen(b->purpose);
    for (size_t i = 0; i < sizeof opt / sizeof *opt; i++)
        texts += opt[i] ? strlen(opt[i]) : 0;
    return 480 + 8 * JW_INT_MAX + 5 * JW_TIME_MAX + 3 * JW_NUM_MAX + JW_STRING_MAX(texts) +
           8 * JW_STRING_MAX(0);
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
    p = id_or_null(JW_PUT(p, ",\"resource_organisation_id\":"), b->resource_organisation_id);
    p = string_or_null(JW_PUT(p, ",\"project\":"), b->project);
    p = string_or_null(JW_PUT(p, ",\"cost_centre\":"), b->cost_centre);
    p = b->economic ? JW_PUT(p, ",\"economic\":true") : JW_PUT(p, ",\"economic\":false");
    /* api_price_shape's members; null as field_object_present() has it (a
     * price read from a row has its currency, price_read). */
    if (!b->price.currency)
        return JW_PUT(p, ",\"price\":null");
    p = jw_put_string(JW_PUT(p, ",\"price\":{\"currency\":"), b->price.currency);
    p = jw_put_string(JW_PUT(p, ",\"class\":"), b->price.class_name);
    p = jw_put_num(JW_PUT(p, ",\"rate\":"), b->price.rate);
    p = jw_put_num(JW_PUT(p, ",\"hours\":"), b->price.hours);
    p = jw_put_num(JW_PUT(p, ",\"net\":"), b->price.net);
    return JW_PUT(p, "}");
}

struct item_writer {
    struct jw *w;
    enum msg_lang lang;
};

/* One booking as an array element (ctx: struct item_writer), its reason
 * as booking_json() shows it. */
static void write_item(const struct booking *b, void *ctx)
{
    struct item_writer *iw = ctx;
    struct booking shown = *b;
    shown.reason = msg_format(b->reason, iw->lang);
    char *p = JW_PUT(jw_value(iw->w, NULL, booking_json_max(&shown) + 2), "{");
    jw_done(iw->w, JW_PUT(booking_members(iw->w, p, &shown), "}"));
}

/* Bytes a booking typically takes, to size a page's buffer. */
#define BOOKING_JSON_TYPICAL 480

/* A booking as the caller reads it: a reason the server wrote (a change of
 * the resource cancelled it, catalogue.h) in the caller's language; an
 * owner's own words as they wrote them. */
static cJSON *booking_json(struct req *r, const struct booking *b)
{
    struct booking shown = *b;
    shown.reason = msg_format(b->reason, r->lang);
    return api_field_json(&booking_shape, &shown);
}

/* Bookings are private: the booker, the managers of the resource's
 * organisation and staff see one (booking_get), anyone else gets 404. */
static int locate_booking(const struct route_object *o, struct req *r, int64_t id, void **obj,
                          int64_t *org, int64_t *owner)
{
    (void)o;
    struct booking *b = arena_alloc(&r->arena, sizeof *b);
    int rc = booking_get(b, r->db, &r->arena, r->user, id, &r->err);
    if (rc)
        return rc;
    *obj = b;
    *org = b->resource_organisation_id;
    *owner = b->user_id;
    return LS_OK;
}

const struct route_object api_booking_object = {
    "booking", &booking_shape, locate_booking, NULL, 1, "the resource's organisation"};

static struct booking_actor actor(struct req *r)
{
    return (struct booking_actor){r->user, r->client_ip, tu_now()};
}

int api_booking_request_from_json(struct req *r, struct booking_request *q)
{
    uint64_t present = 0;
    field_defaults(&request_shape, q);
    int rc = api_field_read(&request_shape, r->json, 1, 0, NULL, &r->arena, q, &present, &r->err);
    q->has_economic = (present & field_bit(&request_shape, "economic")) != 0;
    return rc;
}

static int post_booking(struct req *r)
{
    struct booking_request *q = arena_alloc(&r->arena, sizeof *q);
    *q = *(const struct booking_request *)r->input;
    q->has_economic = (r->input_present & field_bit(&request_shape, "economic")) != 0;
    struct booking_actor who = actor(r);
    struct booking_set set;
    int rc = booking_create(&set, r->db, &r->arena, &who, q, &r->err);
    if (rc)
        return rc;
    cJSON *o = booking_json(r, &set.items[0]);
    if (q->rrule) {
        cJSON *all = cJSON_AddArrayToObject(o, "bookings");
        for (int i = 0; i < set.n; i++)
            cJSON_AddItemToArray(all, booking_json(r, &set.items[i]));
    }
    char *loc = arena_printf(&r->arena, "/api/v1/bookings/%lld", (long long)set.items[0].id);
    http_add_header(r, "Location", loc);
    return http_send_json(r, 201, o);
}

static int get_bookings(struct req *r)
{
    const struct list_query *q = r->query;
    uint64_t has = r->query_present;
    struct booking_filter f = {
        .resource_id = q->resource_id,
        .lab_id = q->lab_id,
        .organisation_id = q->organisation_id,
        .booker_organisation_id = q->booker_organisation_id,
        .user_id = q->user_id,
        .series_id = q->series_id,
        .from = q->from,
        .to = q->to,
        .status = (has & field_bit(&list_shape, "status")) ? q->status : -1,
        .mine = q->mine,
        .desc = q->order && strcmp(q->order, "desc") == 0,
        .decidable = q->decidable,
        .limit = r->limit,
        .offset = r->offset,
    };
    /* Rows go into the text as they are read: no copies of the page. */
    struct jw w;
    jw_init(&w, &r->arena, (size_t)(f.limit > 0 ? f.limit : 50) * BOOKING_JSON_TYPICAL);
    jw_object(&w, NULL);
    jw_array(&w, "items");
    int64_t total;
    struct item_writer iw = {&w, r->lang};
    int rc = booking_list_each(r->db, &r->arena, r->user, &f, write_item, &iw, &total, &r->err);
    if (rc)
        return rc;
    jw_end(&w);
    jw_int(&w, "total", total);
    jw_end(&w);
    return http_send_json_text(r, 200, w.buf, w.len);
}

static int get_booking(struct req *r)
{
    return http_send_json(r, 200, booking_json(r, r->obj));
}

/* The booking decided; for a series also "bookings": every one decided. */
static int decide(struct req *r, int approve)
{
    const struct decision_body *d = r->input;
    struct booking_actor who = actor(r);
    struct booking_set set;
    unsigned flags =
        (d->series ? BOOKING_DECIDE_SERIES : 0u) | (d->override_cap ? BOOKING_DECIDE_OVER_CAP : 0u);
    int rc = booking_decide(&set, r->db, &r->arena, &who, r->obj_id, approve,
                            approve ? NULL : d->reason, flags, &r->err);
    if (rc)
        return rc;
    cJSON *o = booking_json(r, &set.items[0]);
    if (d->series) {
        cJSON *all = cJSON_AddArrayToObject(o, "bookings");
        for (int i = 0; i < set.n; i++)
            cJSON_AddItemToArray(all, booking_json(r, &set.items[i]));
    }
    return http_send_json(r, 200, o);
}

static int post_approve(struct req *r)
{
    return decide(r, 1);
}

static int post_decline(struct req *r)
{
    return decide(r, 0);
}

static int post_cancel(struct req *r)
{
    const struct decision_body *d = r->input;
    int following = strcmp(d->scope, "following") == 0;
    struct booking_actor who = actor(r);
    struct booking_set set;
    int rc = booking_cancel(&set, r->db, &r->arena, &who, r->obj_id, d->reason, following, &r->err);
    if (rc)
        return rc;
    cJSON *o = booking_json(r, &set.items[0]);
    if (following) {
        cJSON *all = cJSON_AddArrayToObject(o, "cancelled");
        for (int i = 0; i < set.n; i++)
            cJSON_AddItemToArray(all, booking_json(r, &set.items[i]));
    }
    return http_send_json(r, 200, o);
}

static int patch_booking(struct req *r)
{
    const struct change_body *in = r->input;
    uint64_t has = r->input_present;
    const struct shape *sh = &change_shape;
    struct booking_change c = {
        .has_start = (has & field_bit(sh, "start")) != 0,
        .has_end = (has & field_bit(sh, "end")) != 0,
        .has_purpose = (has & field_bit(sh, "purpose")) != 0,
        .start = in->start,
        .end = in->end,
        .purpose = in->purpose,
        .override_cap = in->override_cap,
    };
    struct booking_actor who = actor(r);
    struct booking b;
    /* `economic` is a manager's decision about the booking, not a change
     * of it: a request of its own (booking_set_economic). */
    if (has & field_bit(sh, "economic")) {
        if (c.has_start || c.has_end || c.has_purpose)
            return ls_err_set(&r->err, LS_EVALIDATION, "economic",
                              "change {field} on its own, without other changes");
        int rc = booking_set_economic(&b, r->db, &r->arena, &who, r->obj_id, in->economic,
                                      in->override_cap, &r->err);
        return rc ? rc : http_send_json(r, 200, booking_json(r, &b));
    }
    if (!c.has_start && !c.has_end && !c.has_purpose)
        return ls_err_set(&r->err, LS_EVALIDATION, "start", "send a new start, end or purpose");
    int rc = booking_move(&b, r->db, &r->arena, &who, r->obj_id, &c, &r->err);
    return rc ? rc : http_send_json(r, 200, booking_json(r, &b));
}

static int no_show(struct req *r, int mark)
{
    struct booking b;
    struct booking_actor who = actor(r);
    int rc = booking_set_no_show(&b, r->db, &r->arena, &who, r->obj_id, mark, &r->err);
    return rc ? rc : http_send_json(r, 200, booking_json(r, &b));
}

static int post_no_show(struct req *r)
{
    return no_show(r, ((const struct decision_body *)r->input)->no_show);
}

static int delete_no_show(struct req *r)
{
    return no_show(r, 0);
}

static int get_availability(struct req *r)
{
    const struct span_query *q = r->query;
    const struct shape *sh = &span_shape;
    int has_from = (r->query_present & field_bit(sh, "from")) != 0;
    int has_to = (r->query_present & field_bit(sh, "to")) != 0;
    int64_t from = q->from, to = q->to;
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
    int rc = booking_availability(&av, r->db, &r->arena, r->user, r->obj_id, from, to, &r->err);
    return rc ? rc : http_send_json(r, 200, api_field_json(&availability_shape, &av));
}

#define BOOKING_ROUTE(m, p, h, ...)                                                                \
    {                                                                                              \
        .method = m, .pattern = p, .handler = h, .access = ACCESS_USER, .tag = "bookings",         \
        __VA_ARGS__                                                                                \
    }

const struct route api_booking_routes[] = {
    BOOKING_ROUTE("POST", "/api/v1/bookings", post_booking, .body_max = 16384,
                  .flags = ROUTE_CREATES, .body = &request_shape, .creating = 1,
                  .answer = &booking_shape,
                  .summary = "Request a booking (optionally recurring with an RRULE)"),
    BOOKING_ROUTE("GET", "/api/v1/bookings", get_bookings, .flags = ROUTE_PAGED,
                  .query = &list_shape, .answer = &booking_shape,
                  .summary = "The bookings the caller may see (own; owners also those on their "
                             "organisation's resources; staff all), ordered by start"),
    BOOKING_ROUTE("GET", "/api/v1/bookings/{id}", get_booking, .object = &api_booking_object,
                  .answer = &booking_shape, .summary = "One booking"),
    BOOKING_ROUTE("PATCH", "/api/v1/bookings/{id}", patch_booking, .body_max = 8192,
                  .object = &api_booking_object, .need = NEED_OWN, .body = &change_shape,
                  .answer = &booking_shape,
                  .summary =
                      "Move a booking or change its purpose; or (owners, staff) its economic flag"),
    BOOKING_ROUTE("POST", "/api/v1/bookings/{id}/approve", post_approve, .body_max = 1024,
                  .object = &api_booking_object, .need = NEED_MANAGE, .body = &approve_shape,
                  .answer = &booking_shape,
                  .summary = "Approve a pending booking (re-checking the rules), or with series "
                             "the rest of its series, all or none"),
    BOOKING_ROUTE("POST", "/api/v1/bookings/{id}/decline", post_decline, .body_max = 8192,
                  .object = &api_booking_object, .need = NEED_MANAGE, .body = &decline_shape,
                  .creating = 1, .answer = &booking_shape,
                  .summary = "Decline a pending booking with a reason, or with series the rest "
                             "of its series"),
    BOOKING_ROUTE("POST", "/api/v1/bookings/{id}/cancel", post_cancel, .body_max = 8192,
                  .object = &api_booking_object, .need = NEED_OWN, .body = &cancel_shape,
                  .answer = &booking_shape,
                  .summary = "Cancel a booking, or it and the rest of its series"),
    BOOKING_ROUTE("POST", "/api/v1/bookings/{id}/no-show", post_no_show, .body_max = 1024,
                  .object = &api_booking_object, .need = NEED_MANAGE, .body = &no_show_shape,
                  .answer = &booking_shape,
                  .summary = "Mark an ended approved booking as not used"),
    BOOKING_ROUTE("DELETE", "/api/v1/bookings/{id}/no-show", delete_no_show,
                  .object = &api_booking_object, .need = NEED_MANAGE, .answer = &booking_shape,
                  .summary = "Remove a no-show mark"),
    BOOKING_ROUTE("GET", "/api/v1/resources/{id}/availability", get_availability,
                  .object = &api_resource_object, .query = &span_shape,
                  .answer = &availability_shape,
                  .summary = "Opening hours, bookings and blackouts of a resource for a week view"),
    {0},
};
