/* statement.c — see statement.h. */
#include "statement.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "stats.h"
#include "timeutil.h"

/* Bookings starting in [:from, :to) that a statement may charge, of
 * organisation :org as provider or customer (NULL = all). */
static const char SQL_LINES[] =
    "SELECT b.id, b.resource_id, r.name, l.organisation_id, po.name, b.organisation_id, co.name,"
    " b.user_id, u.name, b.start, b.end, b.project, b.cost_centre, b.economic, b.status,"
    " b.no_show, b.cancelled_at, b.cancelled_by, b.cancelled_from, r.charge_no_show,"
    " r.late_cancel_hours, r.power_kw, b.price_currency, b.price_class, b.price_rate,"
    " b.price_seconds, b.price_net"
    " FROM bookings b JOIN resources r ON r.id = b.resource_id JOIN labs l ON l.id = r.lab_id"
    " JOIN organisations po ON po.id = l.organisation_id"
    " LEFT JOIN organisations co ON co.id = b.organisation_id JOIN users u ON u.id = b.user_id"
    " WHERE b.start >= :from AND b.start < :to AND b.status IN ('approved', 'cancelled')"
    " AND (:org IS NULL OR l.organisation_id = :org OR b.organisation_id = :org)"
    " ORDER BY b.start, b.id";

int statement_parse_month(const char *s, int *year, int *month)
{
    if (!s || strlen(s) != 7 || s[4] != '-')
        return -1;
    for (int i = 0; i < 7; i++)
        if (i != 4 && (s[i] < '0' || s[i] > '9'))
            return -1;
    int y = atoi(s), m = atoi(s + 5);
    if (m < 1 || m > 12 || y < STATS_YEAR_MIN || y > STATS_YEAR_MAX)
        return -1;
    *year = y;
    *month = m;
    return 0;
}

static const char *text(struct db_stmt *st, int i, struct arena *a)
{
    const unsigned char *s = db_column_text(st, i);
    return s ? arena_strdup(a, (const char *)s) : NULL;
}

/* Whether a row is charged, and how: 1 with the line's marks set, else 0. */
static int charged(struct db_stmt *st, struct statement_line *l)
{
    const char *status = (const char *)db_column_text(st, 14);
    if (status && strcmp(status, "approved") == 0) {
        l->no_show = db_column_int(st, 15);
        return !l->no_show || db_column_int(st, 19);
    }
    /* Cancelled: charged only when the booker withdrew an approved booking
     * less than late_cancel_hours before its start (or after it began). */
    const char *from = (const char *)db_column_text(st, 18);
    int64_t late = (int64_t)db_column_int(st, 20) * 3600;
    int64_t at = db_column_int64(st, 16);
    l->late_cancellation = db_column_int64(st, 17) == l->user_id && from &&
                           strcmp(from, "approved") == 0 && late > 0 && l->start - at < late;
    return l->late_cancellation;
}

/* The grid factors a statement has looked up: a month's lines touch one
 * or two local years, so each is asked of the database once, not per line. */
struct factors {
    int n;
    int year[4];
    double kg_per_kwh[4];
};

static int factor_of(struct db *db, struct factors *fs, int year, double *out, struct ls_err *err)
{
    for (int i = 0; i < fs->n; i++)
        if (fs->year[i] == year) {
            *out = fs->kg_per_kwh[i];
            return LS_OK;
        }
    struct stats_factor f;
    int rc = stats_grid_factor(db, year, &f, err);
    if (rc)
        return rc;
    if (fs->n < 4) {
        fs->year[fs->n] = year;
        fs->kg_per_kwh[fs->n++] = f.kg_per_kwh;
    }
    *out = f.kg_per_kwh;
    return LS_OK;
}

/* kg CO2e of the line's hours: each local year's part at that year's factor. */
static int carbon(struct db *db, struct factors *fs, const struct statement_line *l,
                  double power_kw, double *out, struct ls_err *err)
{
    *out = 0;
    if (l->late_cancellation || power_kw <= 0)
        return LS_OK;
    for (int64_t s = l->start; s < l->end;) {
        struct tu_local lt;
        tu_to_local(s, &lt);
        int64_t next = tu_local_midnight(lt.year + 1, 1, 1);
        int64_t e = next < l->end ? next : l->end;
        double kg_per_kwh;
        int rc = factor_of(db, fs, lt.year, &kg_per_kwh, err);
        if (rc)
            return rc;
        *out += (double)(e - s) / 3600.0 * power_kw * kg_per_kwh;
        s = e;
    }
    return LS_OK;
}

static void read_line(struct db_stmt *st, struct arena *a, struct statement_line *l)
{
    memset(l, 0, sizeof *l);
    l->booking_id = db_column_int64(st, 0);
    l->resource_id = db_column_int64(st, 1);
    l->resource_name = text(st, 2, a);
    l->provider_id = db_column_int64(st, 3);
    l->provider_name = text(st, 4, a);
    l->customer_id = db_column_int64(st, 5);
    l->customer_name = text(st, 6, a);
    l->user_id = db_column_int64(st, 7);
    l->user_name = text(st, 8, a);
    l->start = db_column_int64(st, 9);
    l->end = db_column_int64(st, 10);
    l->project = text(st, 11, a);
    l->cost_centre = text(st, 12, a);
    l->economic = db_column_int(st, 13);
    price_read(&l->price, st, 22, a);
}

/* Adds a line to the total of (organisation, currency) in a growing list. */
static void add_to(struct arena *a, struct statement_total **list, int *n, int *cap, int64_t org,
                   const char *name, const struct statement_line *l)
{
    const char *currency = l->price.currency ? l->price.currency : PRICE_CURRENCY;
    struct statement_total *t = NULL;
    for (int i = 0; i < *n && !t; i++)
        if ((*list)[i].organisation_id == org && strcmp((*list)[i].currency, currency) == 0)
            t = &(*list)[i];
    if (!t) {
        if (*n == *cap) {
            int bigger = *cap ? *cap * 2 : 8;
            struct statement_total *g = arena_alloc(a, (size_t)bigger * sizeof *g);
            if (*n)
                memcpy(g, *list, (size_t)*n * sizeof *g);
            *list = g;
            *cap = bigger;
        }
        t = &(*list)[(*n)++];
        memset(t, 0, sizeof *t);
        t->organisation_id = org;
        t->organisation_name = name;
        t->currency = currency;
    }
    t->lines++;
    t->seconds += l->price.currency ? l->price.seconds : l->end - l->start;
    if (l->price.currency && l->price.net_minor != PRICE_NONE)
        t->net_minor += l->price.net_minor;
    t->kg_co2e += l->kg_co2e;
}

static int cmp_total(const void *x, const void *y)
{
    const struct statement_total *a = x, *b = y;
    if (a->organisation_id != b->organisation_id)
        return a->organisation_id < b->organisation_id ? -1 : 1;
    return strcmp(a->currency, b->currency);
}

static void finish_totals(struct statement_total *list, int n)
{
    if (n > 1)
        qsort(list, (size_t)n, sizeof *list, cmp_total);
    for (int i = 0; i < n; i++) {
        list[i].hours = (double)list[i].seconds / 3600.0;
        list[i].net = (double)list[i].net_minor / 100.0;
    }
}

static int read_lines(struct db *db, struct arena *a, struct statement *out, struct ls_err *err)
{
    struct db_stmt *st = db_stmt(db, SQL_LINES);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    db_bind_int64(st, db_bind_parameter_index(st, ":from"), out->from);
    db_bind_int64(st, db_bind_parameter_index(st, ":to"), out->to);
    if (out->organisation_id)
        db_bind_int64(st, db_bind_parameter_index(st, ":org"), out->organisation_id);
    int cap = 0, ccap = 0, pcap = 0, step = DB_DONE, rc = LS_OK;
    struct factors fs = {0};
    while (rc == LS_OK && (step = db_step(st)) == DB_ROW) {
        if (out->nlines == cap) {
            int bigger = cap ? cap * 2 : 32;
            struct statement_line *g = arena_alloc(a, (size_t)bigger * sizeof *g);
            if (out->nlines)
                memcpy(g, out->lines, (size_t)out->nlines * sizeof *g);
            out->lines = g;
            cap = bigger;
        }
        struct statement_line *l = &out->lines[out->nlines];
        read_line(st, a, l);
        if (!charged(st, l))
            continue;
        if ((rc = carbon(db, &fs, l, db_column_double(st, 21), &l->kg_co2e, err)))
            break;
        out->nlines++;
        add_to(a, &out->customers, &out->ncustomers, &ccap, l->customer_id, l->customer_name, l);
        add_to(a, &out->providers, &out->nproviders, &pcap, l->provider_id, l->provider_name, l);
    }
    db_reset(st);
    if (rc == LS_OK && step != DB_DONE)
        rc = db_fail(db, step, err);
    finish_totals(out->customers, out->ncustomers);
    finish_totals(out->providers, out->nproviders);
    return rc;
}

int statement_month(struct db *db, int year, int month, int64_t organisation_id, int64_t now,
                    struct arena *a, struct statement *out, struct ls_err *err)
{
    memset(out, 0, sizeof *out);
    if (month < 1 || month > 12 || year < STATS_YEAR_MIN || year > STATS_YEAR_MAX)
        return ls_err_set(err, LS_EVALIDATION, "month", "{field} must be a month as YYYY-MM");
    out->year = year;
    out->month = month;
    out->month_name = arena_printf(a, "%04d-%02d", year, month);
    out->from = tu_local_midnight(year, month, 1);
    out->to = tu_local_midnight(year, month + 1, 1);
    out->organisation_id = organisation_id;
    out->provisional = now < out->to;
    int began = !db_in_transaction(db);
    int rc = began ? db_begin_read(db, err) : LS_OK;
    if (!rc)
        rc = read_lines(db, a, out, err);
    if (began)
        db_end_read(db);
    return rc;
}
