/* price.h — what a booking costs: customer classes, package discounts and
 * the price of a span (API.md § Prices, accounts and State aid).
 *
 * A resource's price list (catalogue.h, struct price_list) gives a net
 * hourly rate per customer class; no price list means free. The booker's
 * class:
 *   internal          the booker's organisation owns the resource;
 *   member_academic   a member organisation in EDU, R&D, MED or GOV;
 *   member_commercial a member organisation in BioF or BIZ;
 *   non_member        anyone else (non-member organisations, guests).
 * Member rates (member_academic, member_commercial) are lowered by the
 * package discount of the booker's organisation (standard, silver, gold:
 * package_discounts, defaults 0 %, 10 %, 20 %; "none" 0 %).
 *
 * Money is computed in minor units (grosze) so that every figure an
 * accountant sees adds up exactly:
 *   rate = list rate × (100 − discount %) / 100, rounded to the minor unit;
 *   hours = the span's real length (UTC instants: a night across a DST
 *           change is 1 h shorter or longer), unrounded;
 *   net  = rate × seconds / 3600, rounded half away from zero to the minor
 *          unit; a series' net is the sum of its occurrences' nets.
 * A class whose rate is null may not book: its price has no rate and no net.
 *
 * Domain code: no civetweb, no cJSON. */
#ifndef LS_PRICE_H
#define LS_PRICE_H

#include <stdint.h>

#include "arena.h"
#include "err.h"

struct db;
struct resource;

#define PRICE_NONE INT64_MIN     /* no rate / no net: the class may not book */
#define PRICE_CURRENCY "PLN"     /* the currency of resources without a price list */
#define PRICE_DISCOUNT_MAX 100.0 /* percent */

enum price_class {
    PRICE_INTERNAL = 0,
    PRICE_MEMBER_ACADEMIC,
    PRICE_MEMBER_COMMERCIAL,
    PRICE_NON_MEMBER,
};

const char *price_class_name(enum price_class c); /* "internal", … */
int price_class_parse(const char *s);             /* enum value, or -1 */

/* What the class rules need to know about the booker's organisation. */
struct price_customer {
    int64_t organisation_id; /* 0 = a guest */
    const char *group;       /* interest group; NULL for guests */
    int member;
    const char *package; /* standard, silver, gold, none */
};

/* The class of a customer booking a resource owned by owner_org. */
enum price_class price_class_of(const struct price_customer *c, int64_t owner_org);

/* Loads the customer facts of an organisation (0 = a guest, no query).
 * 422 field "organisation_id" if there is no such organisation. */
int price_customer_load(struct db *db, int64_t organisation_id, struct arena *a,
                        struct price_customer *out, struct ls_err *err);

/* Package discounts in percent. */
struct price_discounts {
    double standard, silver, gold;
};
int price_discounts_get(struct db *db, struct price_discounts *out, struct ls_err *err);
/* Replaces all three (0..100 each: 422 naming the package); through the
 * write path. */
int price_discounts_put(struct db *db, const struct price_discounts *d, struct ls_err *err);
/* The discount of a package ("none" and unknown: 0). */
double price_discount_of(const struct price_discounts *d, const char *package);

/* A price: integers in minor units for the arithmetic, the same in currency
 * units for answers (NAN = null). */
struct price {
    const char *currency;   /* ISO 4217: static, the resource's or price_read's */
    const char *class_name; /* price_class_name(cls) */
    enum price_class cls;
    int64_t rate_minor;      /* per hour after the discount; PRICE_NONE = may not book */
    int64_t seconds;         /* priced duration */
    int64_t net_minor;       /* PRICE_NONE with the rate */
    double rate, hours, net; /* rate_minor/100, seconds/3600, net_minor/100 */
    int occurrences;         /* spans priced (a series: how many) */
};

/* net = rate × seconds / 3600 rounded half away from zero (rate ≥ 0). */
int64_t price_net_minor(int64_t rate_minor, int64_t seconds);

/* The rate of a class on a price list, with the discount, in minor units;
 * PRICE_NONE when the list has no rate for it. */
int64_t price_rate_minor(const struct resource *r, enum price_class cls, double discount_percent);

/* Prices n spans [starts[i], ends[i]) of resource r (loaded, with its
 * organisation_id) for customer c: the class, the rate, the summed seconds
 * and the sum of each span's net. */
int price_compute(struct db *db, const struct resource *r, const struct price_customer *c,
                  const int64_t *starts, const int64_t *ends, int n, struct price *out,
                  struct ls_err *err);

/* Fills the currency-unit members from the integers. */
void price_finish(struct price *p);

/* Reads a price kept on a booking from five columns of a row, from `col`
 * on: price_currency, price_class, price_rate, price_seconds, price_net
 * (migration 0019). Returns 0 (and *out zeroed) when the booking has none.
 * The currency is copied into `a`, or with a = NULL borrowed from the row
 * (valid until the statement's next step or reset). */
struct db_stmt;
int price_read(struct price *out, struct db_stmt *st, int col, struct arena *a);

#endif
