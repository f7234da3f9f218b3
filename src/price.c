/* price.c — see price.h. */
#include "price.h"

#include <math.h>
#include <string.h>

#include "catalogue.h"
#include "db.h"

static const char SQL_CUSTOMER[] = "SELECT grp, member, package FROM organisations WHERE id = :id";
static const char SQL_DISCOUNTS[] = "SELECT package, percent FROM package_discounts";
static const char SQL_DISCOUNT_PUT[] =
    "INSERT INTO package_discounts(package, percent) VALUES (:package, :percent)"
    " ON CONFLICT(package) DO UPDATE SET percent = excluded.percent";

static const char *const class_names[] = {"internal", "member_academic", "member_commercial",
                                          "non_member"};

const char *price_class_name(enum price_class c)
{
    return (unsigned)c < 4 ? class_names[c] : "non_member";
}

int price_class_parse(const char *s)
{
    for (int i = 0; s && i < 4; i++)
        if (strcmp(s, class_names[i]) == 0)
            return i;
    return -1;
}

static int commercial_group(const char *g)
{
    return g && (strcmp(g, "BioF") == 0 || strcmp(g, "BIZ") == 0);
}

enum price_class price_class_of(const struct price_customer *c, int64_t owner_org)
{
    if (c->organisation_id && c->organisation_id == owner_org)
        return PRICE_INTERNAL;
    if (!c->organisation_id || !c->member)
        return PRICE_NON_MEMBER;
    return commercial_group(c->group) ? PRICE_MEMBER_COMMERCIAL : PRICE_MEMBER_ACADEMIC;
}

static const char *col_text(struct db_stmt *st, int i, struct arena *a)
{
    const unsigned char *s = db_column_text(st, i);
    return s ? arena_strdup(a, (const char *)s) : NULL;
}

int price_customer_load(struct db *db, int64_t organisation_id, struct arena *a,
                        struct price_customer *out, struct ls_err *err)
{
    memset(out, 0, sizeof *out);
    out->package = "none";
    if (!organisation_id)
        return LS_OK;
    struct db_stmt *st = db_stmt(db, SQL_CUSTOMER);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    db_bind_int64(st, db_bind_parameter_index(st, ":id"), organisation_id);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        out->organisation_id = organisation_id;
        out->group = col_text(st, 0, a);
        out->member = db_column_int(st, 1);
        out->package = col_text(st, 2, a);
    }
    db_reset(st);
    if (rc == DB_DONE)
        return ls_err_set(err, LS_EVALIDATION, "organisation_id", "{field}: not found");
    return rc == DB_ROW ? LS_OK : db_fail(db, rc, err);
}

/* ------------------------------------------------------------------ */
/* Package discounts                                                    */

/* 0, 1, 2 for standard, silver, gold; -1 for anything else ("none"). */
static int package_index(const char *package)
{
    static const char *const names[] = {"standard", "silver", "gold"};
    for (int i = 0; package && i < 3; i++)
        if (strcmp(package, names[i]) == 0)
            return i;
    return -1;
}

double price_discount_of(const struct price_discounts *d, const char *package)
{
    switch (package_index(package)) {
    case 0:
        return d->standard;
    case 1:
        return d->silver;
    case 2:
        return d->gold;
    default:
        return 0;
    }
}

int price_discounts_get(struct db *db, struct price_discounts *out, struct ls_err *err)
{
    memset(out, 0, sizeof *out);
    struct db_stmt *st = db_stmt(db, SQL_DISCOUNTS);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        double *slot[] = {&out->standard, &out->silver, &out->gold};
        int i = package_index((const char *)db_column_text(st, 0));
        if (i >= 0)
            *slot[i] = db_column_double(st, 1);
    }
    db_reset(st);
    return rc == DB_DONE ? LS_OK : db_fail(db, rc, err);
}

static int put_txn(struct db *db, void *ctx, struct ls_err *err)
{
    const struct price_discounts *d = ctx;
    const struct {
        const char *package;
        double percent;
    } rows[] = {{"standard", d->standard}, {"silver", d->silver}, {"gold", d->gold}};
    int rc = LS_OK;
    for (size_t i = 0; rc == LS_OK && i < sizeof rows / sizeof *rows; i++) {
        struct db_stmt *st = db_stmt(db, SQL_DISCOUNT_PUT);
        if (!st)
            return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
        db_bind_text(st, db_bind_parameter_index(st, ":package"), rows[i].package, -1, DB_STATIC);
        db_bind_double(st, db_bind_parameter_index(st, ":percent"), rows[i].percent);
        rc = db_step_done(db, st, err);
    }
    return rc;
}

int price_discounts_put(struct db *db, const struct price_discounts *d, struct ls_err *err)
{
    const struct {
        const char *name;
        double v;
    } given[] = {{"standard", d->standard}, {"silver", d->silver}, {"gold", d->gold}};
    for (size_t i = 0; i < sizeof given / sizeof *given; i++)
        if (!isfinite(given[i].v) || given[i].v < 0 || given[i].v > PRICE_DISCOUNT_MAX)
            return ls_err_set(err, LS_EVALIDATION, given[i].name,
                              "{field} must be between %.10g and %.10g", 0.0, PRICE_DISCOUNT_MAX);
    return db_write(db, put_txn, (void *)d, err);
}

/* ------------------------------------------------------------------ */
/* Prices                                                               */

int64_t price_net_minor(int64_t rate_minor, int64_t seconds)
{
    if (rate_minor == PRICE_NONE)
        return PRICE_NONE;
    /* Half away from zero; rates and durations are never negative. */
    return (rate_minor * seconds * 2 + 3600) / 7200;
}

int64_t price_rate_minor(const struct resource *r, enum price_class cls, double discount_percent)
{
    if (!r->prices.currency)
        return 0; /* no price list: free */
    double list = cls == PRICE_INTERNAL            ? r->prices.internal
                  : cls == PRICE_MEMBER_ACADEMIC   ? r->prices.member_academic
                  : cls == PRICE_MEMBER_COMMERCIAL ? r->prices.member_commercial
                                                   : r->prices.non_member;
    if (isnan(list))
        return PRICE_NONE;
    int64_t minor = llround(list * 100);
    int member = cls == PRICE_MEMBER_ACADEMIC || cls == PRICE_MEMBER_COMMERCIAL;
    if (!member || discount_percent <= 0)
        return minor;
    return llround((double)minor * (100.0 - discount_percent) / 100.0);
}

void price_finish(struct price *p)
{
    p->class_name = price_class_name(p->cls);
    p->rate = p->rate_minor == PRICE_NONE ? NAN : (double)p->rate_minor / 100.0;
    p->net = p->net_minor == PRICE_NONE ? NAN : (double)p->net_minor / 100.0;
    p->hours = (double)p->seconds / 3600.0;
}

int price_read(struct price *out, struct db_stmt *st, int col, struct arena *a)
{
    memset(out, 0, sizeof *out);
    if (db_column_type(st, col) == DB_NULL)
        return 0;
    /* Without an arena the currency is borrowed from the row (a list
     * written as it is read, booking_list_each). */
    const char *cur = (const char *)db_column_text(st, col);
    out->currency = a ? arena_strdup(a, cur) : cur;
    int c = price_class_parse((const char *)db_column_text(st, col + 1));
    out->cls = c < 0 ? PRICE_NON_MEMBER : (enum price_class)c;
    out->rate_minor =
        db_column_type(st, col + 2) == DB_NULL ? PRICE_NONE : db_column_int64(st, col + 2);
    out->seconds = db_column_int64(st, col + 3);
    out->net_minor =
        db_column_type(st, col + 4) == DB_NULL ? PRICE_NONE : db_column_int64(st, col + 4);
    out->occurrences = 1;
    price_finish(out);
    return 1;
}

int price_compute(struct db *db, const struct resource *r, const struct price_customer *c,
                  const int64_t *starts, const int64_t *ends, int n, struct price *out,
                  struct ls_err *err)
{
    memset(out, 0, sizeof *out);
    out->cls = price_class_of(c, r->organisation_id);
    out->currency = r->prices.currency ? r->prices.currency : PRICE_CURRENCY;
    double discount = 0;
    if (out->cls == PRICE_MEMBER_ACADEMIC || out->cls == PRICE_MEMBER_COMMERCIAL) {
        struct price_discounts d;
        int rc = price_discounts_get(db, &d, err);
        if (rc)
            return rc;
        discount = price_discount_of(&d, c->package);
    }
    out->rate_minor = price_rate_minor(r, out->cls, discount);
    out->net_minor = out->rate_minor == PRICE_NONE ? PRICE_NONE : 0;
    for (int i = 0; i < n; i++) {
        int64_t s = ends[i] - starts[i];
        out->seconds += s;
        if (out->net_minor != PRICE_NONE)
            out->net_minor += price_net_minor(out->rate_minor, s);
    }
    out->occurrences = n;
    price_finish(out);
    return LS_OK;
}
