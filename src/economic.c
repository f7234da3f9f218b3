/* economic.c — see economic.h. */
#include "economic.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "catalogue.h"
#include "db.h"
#include "notify.h"
#include "price.h"
#include "stats.h"
#include "timeutil.h"

static const char SQL_FUNDED[] =
    "SELECT r.id, r.name, l.organisation_id, o.name, r.funding_programme, r.funding_cap"
    " FROM resources r JOIN labs l ON l.id = r.lab_id JOIN organisations o"
    " ON o.id = l.organisation_id WHERE r.funding_cap IS NOT NULL"
    " AND (:org IS NULL OR l.organisation_id = :org) ORDER BY r.id";
/* Approved economic bookings of a resource overlapping [:from, :to). */
static const char SQL_ECONOMIC[] =
    "SELECT start, end FROM bookings WHERE resource_id = :res AND status = 'approved'"
    " AND end > :from AND start < :to AND economic = 1 AND id != :self";
static const char SQL_ALERTED[] =
    "SELECT 1 FROM economic_alerts WHERE resource_id = :res AND year = :year";
static const char SQL_ALERT[] =
    "INSERT INTO economic_alerts(resource_id, year, booking_id, share, cap, told)"
    " VALUES (:res, :year, :booking, :share, :cap, :now)";

static const char *const status_names[] = {"ok", "warning", "over"};

const char *economic_status_name(enum economic_status s)
{
    return (unsigned)s < 3 ? status_names[s] : "ok";
}

enum economic_status economic_judge(int64_t economic, int64_t available, double cap)
{
    /* In integers: the cap to a millionth, so 0.2 × 100 h is exactly 20 h
     * and a booking that fills the cap exactly fits. */
    int64_t ppm = llround(cap * 1e6);
    if (economic * 1000000 > ppm * available)
        return ECONOMIC_OVER;
    if (economic > 0 && economic * 1000000 * 10 >= ppm * available * 8)
        return ECONOMIC_WARNING;
    return ECONOMIC_OK;
}

int economic_default(const struct price_customer *c)
{
    /* Owner 0: no organisation is "internal" here; only academic members'
     * use is not economic. */
    return price_class_of(c, 0) != PRICE_MEMBER_ACADEMIC;
}

static int param(struct db_stmt *st, const char *name)
{
    return db_bind_parameter_index(st, name);
}

/* Approved economic seconds of the resource in [from, to), but booking self. */
static int economic_seconds(struct db *db, int64_t resource_id, int64_t from, int64_t to,
                            int64_t self, int64_t *out, struct ls_err *err)
{
    *out = 0;
    struct db_stmt *st = db_stmt(db, SQL_ECONOMIC);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    db_bind_int64(st, param(st, ":res"), resource_id);
    db_bind_int64(st, param(st, ":from"), from);
    db_bind_int64(st, param(st, ":to"), to);
    db_bind_int64(st, param(st, ":self"), self);
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        int64_t s = db_column_int64(st, 0), e = db_column_int64(st, 1);
        *out += (e < to ? e : to) - (s > from ? s : from);
    }
    db_reset(st);
    return rc == DB_DONE ? LS_OK : db_fail(db, rc, err);
}

static int local_year(int64_t t)
{
    struct tu_local l;
    tu_to_local(t, &l);
    return l.year;
}

/* Seconds of the spans inside [from, to). */
static int64_t clipped(const int64_t *starts, const int64_t *ends, int n, int64_t from, int64_t to)
{
    int64_t sum = 0;
    for (int i = 0; i < n; i++) {
        int64_t s = starts[i] > from ? starts[i] : from, e = ends[i] < to ? ends[i] : to;
        if (e > s)
            sum += e - s;
    }
    return sum;
}

/* The local years the spans touch: [*first, *last]. */
static void years_of(const int64_t *starts, const int64_t *ends, int n, int *first, int *last)
{
    *first = *last = 0;
    for (int i = 0; i < n; i++) {
        int a = local_year(starts[i]), b = local_year(ends[i] - 1);
        if (i == 0 || a < *first)
            *first = a;
        if (i == 0 || b > *last)
            *last = b;
    }
}

/* The funding of a resource, `known` when the caller has read it, else
 * read here: *funded = 0 when it has none. */
static int funding_of(struct db *db, int64_t resource_id, const struct funding *known,
                      struct arena *a, int *funded, double *cap, struct ls_err *err)
{
    int rc = LS_OK;
    if (!known) {
        struct resource *r = arena_alloc(a, sizeof *r);
        rc = catalogue_get(db, &catalogue_resource, resource_id, 0, a, r, err);
        known = &r->funding;
    }
    *funded = rc == LS_OK && known->programme != NULL;
    *cap = known->economic_cap;
    return rc;
}

static double share_of(int64_t economic, int64_t available)
{
    return available > 0 ? (double)economic / (double)available : 0;
}

int economic_guard(struct db *db, int64_t resource_id, const struct funding *funding,
                   const int64_t *starts, const int64_t *ends, int n, int64_t self,
                   struct ls_err *err)
{
    struct arena a = {0};
    int funded = 0, first, last;
    double cap = 0;
    int rc = funding_of(db, resource_id, funding, &a, &funded, &cap, err);
    arena_release(&a);
    if (rc || !funded || n <= 0)
        return rc;
    years_of(starts, ends, n, &first, &last);
    for (int y = first; y <= last; y++) {
        int64_t from = tu_local_midnight(y, 1, 1), to = tu_local_midnight(y + 1, 1, 1);
        int64_t add = clipped(starts, ends, n, from, to), have = 0, avail = 0;
        if (add == 0)
            continue;
        if ((rc = economic_seconds(db, resource_id, from, to, self, &have, err)) ||
            (rc = stats_available_seconds(db, resource_id, from, to, &avail, err)))
            return rc;
        if (economic_judge(have + add, avail, cap) == ECONOMIC_OVER)
            return ls_err_set(err, LS_EECONOMIC_CAP, "economic",
                              "economic use of this resource in %d would reach %.2f %% of its "
                              "available hours, above its State-aid cap of %.2f %%",
                              y, 100 * share_of(have + add, avail), 100 * cap);
    }
    return LS_OK;
}

int economic_note(struct db *db, int64_t resource_id, const struct funding *funding,
                  const int64_t *starts, const int64_t *ends, int n, int64_t booking_id,
                  int64_t actor, int64_t now, struct ls_err *err)
{
    struct arena a = {0};
    int funded = 0, first, last;
    double cap = 0;
    int rc = funding_of(db, resource_id, funding, &a, &funded, &cap, err);
    if (rc || !funded || n <= 0)
        goto done;
    years_of(starts, ends, n, &first, &last);
    for (int y = first; rc == LS_OK && y <= last; y++) {
        int64_t from = tu_local_midnight(y, 1, 1), to = tu_local_midnight(y + 1, 1, 1);
        int64_t have = 0, avail = 0;
        if ((rc = economic_seconds(db, resource_id, from, to, 0, &have, err)) ||
            (rc = stats_available_seconds(db, resource_id, from, to, &avail, err)))
            break;
        if (economic_judge(have, avail, cap) == ECONOMIC_OK)
            continue;
        struct db_stmt *st = db_stmt(db, SQL_ALERTED);
        if (!st) {
            rc = ls_err_set(err, LS_EINTERNAL, NULL, "database error");
            break;
        }
        db_bind_int64(st, param(st, ":res"), resource_id);
        db_bind_int(st, param(st, ":year"), y);
        int step = db_step(st);
        db_reset(st);
        if (step == DB_ROW)
            continue; /* told already this year */
        if (step != DB_DONE) {
            rc = db_fail(db, step, err);
            break;
        }
        double share = share_of(have, avail);
        st = db_stmt(db, SQL_ALERT);
        db_bind_int64(st, param(st, ":res"), resource_id);
        db_bind_int(st, param(st, ":year"), y);
        db_bind_int64(st, param(st, ":booking"), booking_id);
        db_bind_double(st, param(st, ":share"), share);
        db_bind_double(st, param(st, ":cap"), cap);
        db_bind_int64(st, param(st, ":now"), now);
        if ((rc = db_step_done(db, st, err)))
            break;
        char detail[96];
        snprintf(detail, sizeof detail, "%d|%.6f|%.6f", y, share, cap);
        rc = notify_enqueue_economic(db, booking_id, actor, detail, now, err);
    }
done:
    arena_release(&a);
    return rc;
}

int economic_use(struct db *db, int year, int64_t organisation_id, int64_t now, struct arena *a,
                 struct economic_use *out, struct ls_err *err)
{
    memset(out, 0, sizeof *out);
    if (year < STATS_YEAR_MIN || year > STATS_YEAR_MAX)
        return ls_err_set(err, LS_EVALIDATION, "year", "{field} must be between %.10g and %.10g",
                          (double)STATS_YEAR_MIN, (double)STATS_YEAR_MAX);
    out->year = year;
    int64_t from = tu_local_midnight(year, 1, 1), to = tu_local_midnight(year + 1, 1, 1);
    out->provisional = now < to;
    int began = !db_in_transaction(db);
    int rc = began ? db_begin_read(db, err) : LS_OK;
    if (rc)
        return rc;
    struct db_stmt *st = db_stmt(db, SQL_FUNDED);
    if (!st) {
        rc = ls_err_set(err, LS_EINTERNAL, NULL, "database error");
        goto done;
    }
    if (organisation_id)
        db_bind_int64(st, param(st, ":org"), organisation_id);
    int cap = 16, step;
    out->rows = arena_alloc(a, (size_t)cap * sizeof *out->rows);
    while ((step = db_step(st)) == DB_ROW) {
        if (out->n == cap) {
            struct economic_row *bigger = arena_alloc(a, (size_t)cap * 2 * sizeof *bigger);
            memcpy(bigger, out->rows, (size_t)cap * sizeof *bigger);
            out->rows = bigger;
            cap *= 2;
        }
        struct economic_row *r = &out->rows[out->n++];
        memset(r, 0, sizeof *r);
        r->resource_id = db_column_int64(st, 0);
        r->resource_name = arena_strdup(a, (const char *)db_column_text(st, 1));
        r->organisation_id = db_column_int64(st, 2);
        r->organisation_name = arena_strdup(a, (const char *)db_column_text(st, 3));
        const unsigned char *p = db_column_text(st, 4);
        r->programme = arena_strdup(a, p ? (const char *)p : "");
        r->cap = db_column_double(st, 5);
    }
    db_reset(st);
    if (step != DB_DONE) {
        rc = db_fail(db, step, err);
        goto done;
    }
    for (int i = 0; rc == LS_OK && i < out->n; i++) {
        struct economic_row *r = &out->rows[i];
        rc = stats_available_seconds(db, r->resource_id, from, to, &r->available_seconds, err);
        if (!rc)
            rc = economic_seconds(db, r->resource_id, from, to, 0, &r->economic_seconds, err);
        r->available_hours = (double)r->available_seconds / 3600.0;
        r->economic_hours = (double)r->economic_seconds / 3600.0;
        r->economic_share = share_of(r->economic_seconds, r->available_seconds);
        r->status = economic_judge(r->economic_seconds, r->available_seconds, r->cap);
        r->status_name = economic_status_name(r->status);
    }
done:
    if (began)
        db_end_read(db);
    return rc;
}
