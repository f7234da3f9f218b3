/* api_price.c — HTTP routes of prices: a resource's quote for the caller
 * and the package discounts (price.h). The Price shape is shared with the
 * booking answer (every booking keeps the price it was quoted). */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "api.h"
#include "api_field.h"
#include "booking.h"
#include "catalogue.h"
#include "price.h"
#include "timeutil.h"

static const struct field_choice CLASSES[] = {
    {"internal", {"internal (the owning organisation)", "wewnętrzna (organizacja właściciela)"}},
    {"member_academic", {"member, academic", "członek – nauka"}},
    {"member_commercial", {"member, commercial", "członek – biznes"}},
    {"non_member", {"non-member", "spoza klastra"}},
    {NULL, {NULL, NULL}},
};

#define PRICE_LINES(st)                                                                            \
    FIELD(st, currency, "currency", FT_TEXT, FF_OUT, LABEL("Currency", "Waluta")),                 \
        FIELD(st, class_name, "class", FT_ENUM, FF_OUT, .choices = CLASSES,                        \
              LABEL("Customer class", "Grupa klientów")),                                          \
        FIELD(st, rate, "rate", FT_NUM, FF_OUT | FF_NULLABLE,                                      \
              LABEL("Rate (net per hour)", "Stawka (netto za godzinę)"),                           \
              .help = "after the package discount; null = this class may not book"),               \
        FIELD(st, hours, "hours", FT_NUM, FF_OUT, LABEL("Hours", "Godziny"),                       \
              .help = "real length of the span(s), unrounded"),                                    \
        FIELD(st, net, "net", FT_NUM, FF_OUT | FF_NULLABLE, LABEL("Net", "Netto"),                 \
              .help = "rate × hours rounded half away from zero to the minor unit, per "          \
                      "occurrence; null with the rate")

static const struct field PRICE_FIELDS[] = {PRICE_LINES(struct price), FIELD_END};
const struct shape api_price_shape = {
    "Price",
    PRICE_FIELDS,
    sizeof(struct price),
    {"price", "cena"},
    "What a booking costs the booker: kept on the booking as it was when the booking was made"};

static const struct field QUOTE_FIELDS[] = {
    PRICE_LINES(struct price),
    FIELD(struct price, occurrences, "occurrences", FT_INT, FF_OUT,
          LABEL("Occurrences", "Liczba terminów"), .help = "with rrule: the series' bookings"),
    FIELD_END,
};
static const struct shape quote_shape = {
    "Quote",
    QUOTE_FIELDS,
    sizeof(struct price),
    {"quote", "wycena"},
    "The caller's price for a span of a resource, or for a whole series with rrule"};

struct quote_query {
    int64_t start, end;
    const char *rrule;
};
static const struct field QUOTE_QUERY[] = {
    FIELD(struct quote_query, start, "start", FT_TIME, FF_REQUIRED, LABEL("Start", "Początek")),
    FIELD(struct quote_query, end, "end", FT_TIME, FF_REQUIRED, LABEL("End", "Koniec")),
    FIELD(struct quote_query, rrule, "rrule", FT_TEXT, FF_NULLABLE, .max = BOOKING_RRULE_MAX,
          LABEL("Repeat", "Powtarzanie"),
          .help = "RFC 5545 RRULE: the series' total, as POST /api/v1/bookings would create it"),
    FIELD_END,
};
static const struct shape quote_query_shape = {.fields = QUOTE_QUERY,
                                               .size = sizeof(struct quote_query)};

static const struct field DISCOUNT_FIELDS[] = {
    FIELD(struct price_discounts, standard, "standard", FT_NUM, FF_REQUIRED, .min = 0,
          .max = PRICE_DISCOUNT_MAX,
          LABEL("Standard package discount (%)", "Rabat pakietu standard (%)")),
    FIELD(struct price_discounts, silver, "silver", FT_NUM, FF_REQUIRED, .min = 0,
          .max = PRICE_DISCOUNT_MAX,
          LABEL("Silver package discount (%)", "Rabat pakietu srebrnego (%)")),
    FIELD(struct price_discounts, gold, "gold", FT_NUM, FF_REQUIRED, .min = 0,
          .max = PRICE_DISCOUNT_MAX,
          LABEL("Gold package discount (%)", "Rabat pakietu złotego (%)")),
    FIELD_END,
};
static const struct shape discounts_shape = {
    "PackageDiscounts",
    DISCOUNT_FIELDS,
    sizeof(struct price_discounts),
    {"package discounts", "rabaty pakietów"},
    "Percent off member rates by membership package (none: 0 %)"};

/* The longest span a quote prices (a booking is at most 366 days). */
#define QUOTE_MAX_SPAN (366 * 86400LL)

static int get_quote(struct req *r)
{
    const struct quote_query *q = r->query;
    const struct resource *res = r->obj;
    if (q->end <= q->start)
        return ls_err_set(&r->err, LS_EVALIDATION, "end", "{field} must be after the start");
    if (q->end - q->start > QUOTE_MAX_SPAN)
        return ls_err_set(&r->err, LS_EVALIDATION, "end",
                          "{field} may be at most %d days after the start", 366);
    int64_t *starts = arena_alloc(&r->arena, BOOKING_MAX_OCCURRENCES * sizeof *starts);
    int64_t *ends = arena_alloc(&r->arena, BOOKING_MAX_OCCURRENCES * sizeof *ends);
    int n = 1, rc;
    starts[0] = q->start;
    ends[0] = q->end;
    if (q->rrule) {
        int64_t horizon = tu_now() + (int64_t)BOOKING_HORIZON_DAYS * 86400;
        if ((rc = booking_expand_rrule(starts, ends, &n, q->rrule, q->start, q->end, horizon,
                                       &r->err)))
            return rc;
    }
    struct price_customer c;
    struct price p;
    if ((rc = price_customer_load(r->db, r->user->organisation_id, &r->arena, &c, &r->err)) ||
        (rc = price_compute(r->db, res, &c, starts, ends, n, &p, &r->err)))
        return rc;
    return http_send_json(r, 200, api_field_json(&quote_shape, &p));
}

static int get_discounts(struct req *r)
{
    struct price_discounts d;
    int rc = price_discounts_get(r->db, &d, &r->err);
    return rc ? rc : http_send_json(r, 200, api_field_json(&discounts_shape, &d));
}

static int put_discounts(struct req *r)
{
    const struct price_discounts *d = r->input;
    int rc = price_discounts_put(r->db, d, &r->err);
    if (rc)
        return rc;
    auth_audit(r->db, r->user->id, "package_discounts.put", "settings", 0,
               arena_printf(&r->arena, "standard %g %%, silver %g %%, gold %g %%", d->standard,
                            d->silver, d->gold),
               r->client_ip);
    return get_discounts(r);
}

/* clang-format off */
const struct route api_price_routes[] = {
    {.method = "GET", .pattern = "/api/v1/resources/{id}/quote", .handler = get_quote, .access = ACCESS_USER, .tag = "prices", .object = &api_resource_object, .query = &quote_query_shape, .answer = &quote_shape, .summary = "The caller's price for [start, end) of a resource, or a series' total with rrule"},
    {.method = "GET", .pattern = "/api/v1/settings/package-discounts", .handler = get_discounts, .access = ACCESS_USER, .tag = "prices", .answer = &discounts_shape, .summary = "Percent off member rates by membership package"},
    {.method = "PUT", .pattern = "/api/v1/settings/package-discounts", .handler = put_discounts, .access = ACCESS_STAFF, .body_max = 4096, .tag = "prices", .body = &discounts_shape, .creating = 1, .answer = &discounts_shape, .summary = "Set the package discounts (all three)"},
    {0},
};
/* clang-format on */
