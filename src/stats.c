/* stats.c — see stats.h.
 *
 * Cost model (issue 8: a year of 2,000 resources and 1,000,000 bookings):
 * the catalogue (resources, opening hours, blackouts in the span) is read
 * once; one hours_calendar covers the span and every resource is laid out
 * on it once; bookings are summed by SQLite over an index range on start
 * (the partial index of migration 0011 holds every column read, so the
 * table itself is never touched), grouped by (resource, booker's
 * organisation), once per local calendar year the span touches (the grid
 * factor is per year). Distinct users take one more pass of DISTINCT
 * (resource, user) pairs. Grouping and rates are done in C on those small
 * results. */
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "catalogue.h"
#include "db.h"
#include "hours.h"
#include "timeutil.h"

static const char SQL_RESOURCES[] =
    "SELECT r.id, r.name, r.shared, r.power_kw, l.id, l.name, l.kind, o.id, o.name, o.grp, "
    "o.member FROM resources r JOIN labs l ON l.id = r.lab_id "
    "JOIN organisations o ON o.id = l.organisation_id ORDER BY r.id";
static const char SQL_HOURS_ALL[] =
    "SELECT resource_id, weekday, open_min, close_min FROM opening_hours "
    "ORDER BY resource_id, weekday, open_min";
static const char SQL_BLACKOUTS[] =
    "SELECT resource_id, start, end FROM blackouts WHERE start < ?2 AND end > ?1 "
    "ORDER BY resource_id, start";
static const char SQL_ORGS[] = "SELECT id, grp, member FROM organisations ORDER BY id";
/* The longest approved booking bounds how far before `from` an overlapping
 * booking can start, so the scan below is an index range on start. */
static const char SQL_MAXLEN[] = "SELECT MAX(end - start) FROM bookings WHERE status = 'approved'";
static const char SQL_HEAT[] =
    "SELECT resource_id, MAX(start, ?1), MIN(end, ?2) FROM bookings INDEXED BY bookings_stats "
    "WHERE status = 'approved' AND start >= ?3 AND start < ?2 AND end > ?1";
static const char SQL_FACTOR_YEAR[] =
    "SELECT year, kg_per_kwh, estimated FROM grid_factors WHERE year = ?1";
static const char SQL_FACTOR_LATEST[] =
    "SELECT year, kg_per_kwh, estimated FROM grid_factors ORDER BY year DESC LIMIT 1";
/* A row a lab, added up in C in the labs' order: SUM() over REAL columns
 * adds in whatever order the engine's plan reads the rows, and the last
 * digits of the total would differ between engines and plans (copy-db
 * compares the indicators digit for digit). */
static const char SQL_LAB_AREAS[] =
    "SELECT l.kind, l.area_m2, "
    "l.area_m2 * COALESCE(l.energy_kwh_per_m2_year, d.kwh_per_m2_year, 0), "
    "CASE WHEN l.energy_kwh_per_m2_year IS NULL THEN 1 ELSE 0 END "
    "FROM labs l JOIN organisations o ON o.id = l.organisation_id "
    "LEFT JOIN energy_defaults d ON d.kind = l.kind WHERE o.member = 1 ORDER BY l.id";
static const char SQL_SHARED_COUNTS[] =
    "SELECT (SELECT COUNT(DISTINCT lab_id) FROM resources WHERE shared = 1), "
    "(SELECT COUNT(*) FROM resources WHERE shared = 1), (SELECT COUNT(*) FROM services)";
/* Funded resources among the indicators' (shared, of members), and their
 * approved hours in [?1, ?2) by the economic flag. */
#define FUNDED_SCOPE                                                                               \
    " FROM resources r JOIN labs l ON l.id = r.lab_id JOIN organisations o"                        \
    " ON o.id = l.organisation_id WHERE r.funding_cap IS NOT NULL AND r.shared = 1 AND o.member "  \
    "= 1"
static const char SQL_FUNDED_COUNT[] = "SELECT count(*)" FUNDED_SCOPE;
static const char SQL_FUNDED_HOURS[] =
    "SELECT b.economic, SUM(MIN(b.end, ?2) - MAX(b.start, ?1)) FROM bookings b"
    " WHERE b.status = 'approved' AND b.start < ?2 AND b.end > ?1"
    " AND b.resource_id IN (SELECT r.id" FUNDED_SCOPE ") GROUP BY b.economic";
static const char SQL_RES_BLACKOUTS[] = "SELECT start, end FROM blackouts WHERE resource_id = ?1"
                                        " AND start < ?3 AND end > ?2 ORDER BY start";
static const char SQL_RES_EXISTS[] = "SELECT 1 FROM resources WHERE id = ?1";
static const char SQL_FACTORS_LIST[] =
    "SELECT year, kg_per_kwh, source, estimated FROM grid_factors ORDER BY year";
static const char SQL_FACTOR_EXISTS[] = "SELECT 1 FROM grid_factors WHERE year = ?1";
static const char SQL_FACTOR_PUT[] =
    "INSERT INTO grid_factors(year, kg_per_kwh, source, estimated) VALUES (?1, ?2, ?3, ?4) "
    "ON CONFLICT(year) DO UPDATE SET kg_per_kwh = excluded.kg_per_kwh, "
    "source = excluded.source, estimated = excluded.estimated";
static const char SQL_FACTOR_DELETE[] = "DELETE FROM grid_factors WHERE year = ?1";
static const char SQL_DEFAULTS_LIST[] =
    "SELECT kind, kwh_per_m2_year, source FROM energy_defaults "
    "ORDER BY CASE kind WHEN 'commercial' THEN 1 WHEN 'scientific' THEN 2 "
    "WHEN 'teaching' THEN 3 WHEN 'office' THEN 4 ELSE 5 END";
static const char SQL_DEFAULT_PUT[] =
    "UPDATE energy_defaults SET kwh_per_m2_year = ?2, source = ?3 WHERE kind = ?1";

static const char *const group_by_names[] = {"resource", "lab", "organisation", "group", "kind",
                                             "none",     NULL};

int stats_group_by_parse(const char *s)
{
    for (int i = 0; s && group_by_names[i]; i++)
        if (strcmp(s, group_by_names[i]) == 0)
            return i;
    return -1;
}

const char *stats_group_by_name(enum stats_group_by g)
{
    return g <= STATS_BY_NONE ? group_by_names[g] : "";
}

#define MAX_YEARS 8 /* local years a span may touch */

/* Everything known about one resource while a report is computed. */
struct res {
    int64_t id;
    const char *name;
    int shared;
    double power_kw;
    int64_t lab_id;
    const char *lab_name;
    const char *kind;
    int64_t org_id;
    const char *org_name;
    const char *grp;
    int member;
    int selected;
    int row; /* index of its group's row */
    struct hours_week hours;
    int64_t avail, booked, used, cross, commercial; /* seconds */
    int64_t bookings;
    /* Seconds booked in each year of the span (a year has its own grid
     * factor), turned into kWh and kg once the scan is done: added up as
     * whole seconds, the figures do not depend on the order the rows come
     * in, which differs between engines and plans. */
    int64_t powered[MAX_YEARS];
    double kwh, kg;
};

struct org_info {
    int64_t id;
    int commercial; /* BioF/BIZ or non-member */
};

struct ctx {
    struct db *db;
    struct arena *a;
    struct res *res;
    int nres;
    struct org_info *orgs;
    int norgs;
    /* res by id, when ids are dense enough (in the request's arena): the
     * scan looks a resource up for every booking row. */
    struct res **by_id;
    int64_t max_id;
};

static struct res *find_res(struct ctx *c, int64_t id)
{
    if (c->by_id)
        return id >= 0 && id <= c->max_id ? c->by_id[id] : NULL;
    int lo = 0, hi = c->nres - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (c->res[mid].id == id)
            return &c->res[mid];
        if (c->res[mid].id < id)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return NULL;
}

static int org_commercial(struct ctx *c, int64_t id, int is_null)
{
    if (is_null)
        return 1; /* a guest: not a member, so counted as commercial (conservative) */
    int lo = 0, hi = c->norgs - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (c->orgs[mid].id == id)
            return c->orgs[mid].commercial;
        if (c->orgs[mid].id < id)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return 1;
}

static const char *col_text(struct arena *a, struct db_stmt *st, int i)
{
    const unsigned char *s = db_column_text(st, i);
    return arena_strdup(a, s ? (const char *)s : "");
}

static int load_catalogue(struct ctx *c, const struct stats_query *q, struct ls_err *err)
{
    struct db_stmt *st = db_stmt(c->db, SQL_RESOURCES);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    int cap = 256, rc;
    c->res = malloc((size_t)cap * sizeof *c->res);
    if (!c->res)
        abort();
    c->nres = 0;
    while ((rc = db_step(st)) == DB_ROW) {
        if (c->nres == cap) {
            cap *= 2;
            c->res = realloc(c->res, (size_t)cap * sizeof *c->res);
            if (!c->res)
                abort();
        }
        struct res *r = &c->res[c->nres++];
        memset(r, 0, sizeof *r);
        r->id = db_column_int64(st, 0);
        r->name = col_text(c->a, st, 1);
        r->shared = db_column_int(st, 2);
        r->power_kw = db_column_double(st, 3);
        r->lab_id = db_column_int64(st, 4);
        r->lab_name = col_text(c->a, st, 5);
        r->kind = col_text(c->a, st, 6);
        r->org_id = db_column_int64(st, 7);
        r->org_name = col_text(c->a, st, 8);
        r->grp = col_text(c->a, st, 9);
        r->member = db_column_int(st, 10);
        r->selected = (r->shared || q->include_private) && (!q->members_only || r->member) &&
                      (!q->organisation_id || r->org_id == q->organisation_id);
    }
    db_reset(st);
    if (rc != DB_DONE)
        return db_fail(c->db, rc, err);
    /* Rowids: dense unless many resources were deleted. */
    int64_t max_id = c->nres ? c->res[c->nres - 1].id : 0;
    if (c->nres && c->res[0].id >= 0 && max_id <= 4 * (int64_t)c->nres + 1024) {
        c->by_id = arena_alloc(c->a, (size_t)(max_id + 1) * sizeof *c->by_id);
        c->max_id = max_id;
        for (int i = 0; i < c->nres; i++)
            c->by_id[c->res[i].id] = &c->res[i];
    }

    st = db_stmt(c->db, SQL_HOURS_ALL);
    struct res *cur = NULL;
    while ((rc = db_step(st)) == DB_ROW) {
        int64_t id = db_column_int64(st, 0);
        if (!cur || cur->id != id)
            cur = find_res(c, id);
        if (!cur || cur->hours.n >= HOURS_MAX_WINDOWS)
            continue;
        struct hours_window *w = &cur->hours.w[cur->hours.n++];
        w->weekday = db_column_int(st, 1);
        w->open_min = db_column_int(st, 2);
        w->close_min = db_column_int(st, 3);
    }
    db_reset(st);
    if (rc != DB_DONE)
        return db_fail(c->db, rc, err);

    st = db_stmt(c->db, SQL_ORGS);
    cap = 64;
    c->orgs = malloc((size_t)cap * sizeof *c->orgs);
    if (!c->orgs)
        abort();
    c->norgs = 0;
    while ((rc = db_step(st)) == DB_ROW) {
        if (c->norgs == cap) {
            cap *= 2;
            c->orgs = realloc(c->orgs, (size_t)cap * sizeof *c->orgs);
            if (!c->orgs)
                abort();
        }
        const char *g = (const char *)db_column_text(st, 1);
        c->orgs[c->norgs].id = db_column_int64(st, 0);
        c->orgs[c->norgs].commercial =
            !db_column_int(st, 2) || (g && (strcmp(g, "BioF") == 0 || strcmp(g, "BIZ") == 0));
        c->norgs++;
    }
    db_reset(st);
    if (rc != DB_DONE)
        return db_fail(c->db, rc, err);
    return LS_OK;
}

/* --- available hours --- */

struct spans {
    int64_t (*v)[2];
    int n, cap;
};

static void collect_span(int64_t s, int64_t e, void *p)
{
    struct spans *sp = p;
    if (sp->n == sp->cap) {
        sp->cap = sp->cap ? sp->cap * 2 : 512;
        sp->v = realloc(sp->v, (size_t)sp->cap * sizeof sp->v[0]);
        if (!sp->v)
            abort();
    }
    sp->v[sp->n][0] = s;
    sp->v[sp->n][1] = e;
    sp->n++;
}

/* Seconds of open time covered by the blackouts bo[0..nb) (sorted by start,
 * possibly overlapping: they are merged first so no second is removed twice). */
static int64_t blacked_out(const struct spans *open, int64_t (*bo)[2], int nb)
{
    int m = 0;
    for (int i = 0; i < nb; i++) {
        if (m && bo[i][0] <= bo[m - 1][1]) {
            if (bo[i][1] > bo[m - 1][1])
                bo[m - 1][1] = bo[i][1];
        } else {
            bo[m][0] = bo[i][0];
            bo[m][1] = bo[i][1];
            m++;
        }
    }
    int64_t total = 0;
    int i = 0, j = 0;
    while (i < open->n && j < m) {
        int64_t s = open->v[i][0] > bo[j][0] ? open->v[i][0] : bo[j][0];
        int64_t e = open->v[i][1] < bo[j][1] ? open->v[i][1] : bo[j][1];
        if (e > s)
            total += e - s;
        if (open->v[i][1] < bo[j][1])
            i++;
        else
            j++;
    }
    return total;
}

static int compute_available(struct ctx *c, int64_t from, int64_t to, struct ls_err *err)
{
    struct hours_calendar *cal = hours_calendar_new(from, to);
    struct spans open = {0};
    struct spans bo = {0};
    int rc = LS_OK;
    struct db_stmt *st = db_stmt(c->db, SQL_BLACKOUTS);
    if (!st) {
        rc = ls_err_set(err, LS_EINTERNAL, NULL, "database error");
        goto done;
    }
    db_bind_int64(st, 1, from);
    db_bind_int64(st, 2, to);
    int step = db_step(st);
    for (int i = 0; i < c->nres; i++) {
        struct res *r = &c->res[i];
        /* Blackouts are ordered by resource id like c->res: advance in step. */
        bo.n = 0;
        while (step == DB_ROW && db_column_int64(st, 0) <= r->id) {
            if (db_column_int64(st, 0) == r->id)
                collect_span(db_column_int64(st, 1), db_column_int64(st, 2), &bo);
            step = db_step(st);
        }
        if (!r->selected)
            continue;
        if (bo.n == 0) {
            r->avail = hours_layout(cal, &r->hours, NULL, NULL);
        } else {
            open.n = 0;
            r->avail = hours_layout(cal, &r->hours, collect_span, &open);
            r->avail -= blacked_out(&open, bo.v, bo.n);
        }
    }
    db_reset(st);
    if (step != DB_DONE && step != DB_ROW)
        rc = db_fail(c->db, step, err);
done:
    free(open.v);
    free(bo.v);
    hours_calendar_free(cal);
    return rc;
}

int stats_available_seconds(struct db *db, int64_t resource_id, int64_t from, int64_t to,
                            int64_t *out, struct ls_err *err)
{
    *out = 0;
    struct db_stmt *st = db_stmt(db, SQL_RES_EXISTS);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    db_bind_int64(st, 1, resource_id);
    int step = db_step(st);
    db_reset(st);
    if (step == DB_DONE)
        return ls_err_set(err, LS_ENOTFOUND, NULL, "no such resource");
    if (step != DB_ROW)
        return db_fail(db, step, err);
    struct hours_week wk;
    int rc = catalogue_hours_load(db, resource_id, &wk, err);
    if (rc)
        return rc;
    struct spans open = {0}, bo = {0};
    st = db_stmt(db, SQL_RES_BLACKOUTS);
    db_bind_int64(st, 1, resource_id);
    db_bind_int64(st, 2, from);
    db_bind_int64(st, 3, to);
    while ((step = db_step(st)) == DB_ROW)
        collect_span(db_column_int64(st, 0), db_column_int64(st, 1), &bo);
    db_reset(st);
    if (step != DB_DONE) {
        rc = db_fail(db, step, err);
    } else {
        *out = hours_layout_span(&wk, from, to, collect_span, &open);
        if (bo.n)
            *out -= blacked_out(&open, bo.v, bo.n);
    }
    free(open.v);
    free(bo.v);
    return rc;
}

/* --- booked hours --- */

/* The one integer a query answers; 0 when it answers nothing (or fails:
 * both callers only bound work with it). */
static int64_t query_int(struct db *db, const char *sql)
{
    struct db_stmt *st = db_stmt(db, sql);
    int64_t v = 0;
    if (st && db_step(st) == DB_ROW)
        v = db_column_int64(st, 0);
    if (st)
        db_reset(st);
    return v;
}

static int64_t max_booking_len(struct db *db)
{
    return query_int(db, SQL_MAXLEN);
}

static int local_year(int64_t t)
{
    struct tu_local l;
    tu_to_local(t, &l);
    return l.year;
}

int stats_grid_factor(struct db *db, int year, struct stats_factor *out, struct ls_err *err)
{
    memset(out, 0, sizeof *out);
    struct db_stmt *st = db_stmt(db, SQL_FACTOR_YEAR);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    db_bind_int(st, 1, year);
    int rc = db_step(st);
    if (rc != DB_ROW) {
        db_reset(st);
        out->provisional = 1;
        st = db_stmt(db, SQL_FACTOR_LATEST);
        rc = db_step(st);
    }
    if (rc == DB_ROW) {
        out->year = db_column_int(st, 0);
        out->kg_per_kwh = db_column_double(st, 1);
        out->estimated = db_column_int(st, 2);
    }
    db_reset(st);
    if (rc != DB_ROW && rc != DB_DONE)
        return db_fail(db, rc, err);
    return LS_OK;
}

/* A set of 64-bit keys (open addressing, linear probing) for distinct
 * (resource, user) pairs: far fewer than bookings, so it stays small. */
struct set64 {
    uint64_t *v; /* 0 = empty slot; keys are stored + 1 */
    size_t n, cap;
};

/* Adds key; returns 1 if it was not there yet. */
static int set_add(struct set64 *s, uint64_t key)
{
    if (2 * (s->n + 1) > s->cap) {
        struct set64 g = {.cap = s->cap ? s->cap * 2 : 4096};
        g.v = calloc(g.cap, sizeof *g.v);
        if (!g.v)
            abort();
        for (size_t i = 0; i < s->cap; i++)
            if (s->v[i])
                set_add(&g, s->v[i] - 1);
        free(s->v);
        *s = g;
    }
    uint64_t k = key + 1;
    size_t i = (size_t)((k * 0x9E3779B97F4A7C15ull) >> 17) & (s->cap - 1);
    while (s->v[i] && s->v[i] != k)
        i = (i + 1) & (s->cap - 1);
    if (s->v[i])
        return 0;
    s->v[i] = k;
    s->n++;
    return 1;
}

/* The distinct (resource, user) pairs of a scan: a bit per pair while the
 * resources × users grid fits in PAIR_BITS_MAX (2,000 resources × 32,000
 * users), else the hash set. A year of 500,000 bookings meets ~400,000
 * pairs: the hash table then outgrows the caches and every row paid a miss
 * (a fifth of the indicators' time under perf); the bitmap is 1–8 MB. */
#define PAIR_BITS_MAX ((size_t)64 << 20)
static const char SQL_MAX_USER[] = "SELECT COALESCE(MAX(id), 0) FROM users";

struct pairs {
    uint64_t *bits;   /* resource index × stride + user id */
    size_t stride;    /* users per resource: the largest user id + 1 */
    struct set64 set; /* pairs beyond the grid (or all, without it) */
};

static void pairs_init(struct pairs *p, struct db *db, int nres)
{
    memset(p, 0, sizeof *p);
    int64_t max_user = query_int(db, SQL_MAX_USER);
    size_t stride = (size_t)max_user + 1;
    if (max_user < 0 || max_user > UINT32_MAX || nres <= 0 || stride > PAIR_BITS_MAX / (size_t)nres)
        return;
    p->bits = calloc(((size_t)nres * stride + 63) / 64, sizeof *p->bits);
    if (p->bits)
        p->stride = stride;
}

static void pairs_add(struct pairs *p, size_t res, uint64_t user)
{
    if (p->bits && user < p->stride) {
        size_t k = res * p->stride + (size_t)user;
        p->bits[k / 64] |= 1ull << (k % 64);
    } else {
        set_add(&p->set, (uint64_t)res << 32 | (uint32_t)user);
    }
}

static void pairs_free(struct pairs *p)
{
    free(p->bits);
    free(p->set.v);
}

/* One pass over the approved bookings overlapping [from, to): clipped hours
 * per resource, split at local year ends for the grid factor of each year,
 * and the distinct (resource, user) pairs (user ids are kept to 32 bits in
 * the set's key; ids are rowids far below that). SQLite reads the rows from the
 * covering index bookings_stats (migration 0011) as one range on start; a
 * GROUP BY would sort every row first, which costs more than this loop. */
static const char SQL_SCAN[] =
    "SELECT resource_id, organisation_id, start, end, no_show, user_id "
    "FROM bookings INDEXED BY bookings_stats "
    "WHERE status = 'approved' AND start >= ?3 AND start < ?2 AND end > ?1";

static int scan_bookings(struct ctx *c, int64_t from, int64_t to, struct stats_utilisation *u,
                         struct pairs *pairs, struct ls_err *err)
{
    /* Local year boundaries inside the span and each year's factor. */
    int64_t edge[MAX_YEARS + 1];
    double factor[MAX_YEARS];
    int ny = 0;
    int y0 = local_year(from), y1 = local_year(to - 1);
    for (int y = y0; y <= y1 && ny < MAX_YEARS; y++) {
        struct stats_factor f;
        int rc = stats_grid_factor(c->db, y, &f, err);
        if (rc)
            return rc;
        u->provisional |= f.provisional;
        u->factor_estimated |= f.estimated;
        factor[ny] = f.kg_per_kwh;
        edge[ny++] = y == y0 ? from : tu_local_midnight(y, 1, 1);
    }
    edge[ny] = to;

    struct db_stmt *st = db_stmt(c->db, SQL_SCAN);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    db_bind_int64(st, 1, from);
    db_bind_int64(st, 2, to);
    db_bind_int64(st, 3, from - max_booking_len(c->db));
    int rc;
    struct res *r = NULL;
    while ((rc = db_step(st)) == DB_ROW) {
        int64_t rid = db_column_int64(st, 0);
        if (!r || r->id != rid)
            r = find_res(c, rid);
        if (!r || !r->selected)
            continue;
        int org_null = db_column_type(st, 1) == DB_NULL;
        int64_t org = db_column_int64(st, 1);
        /* Clipped to the span here: MAX()/MIN() in the SELECT cost two
         * SQL function calls a row. */
        int64_t s = db_column_int64(st, 2), e = db_column_int64(st, 3);
        if (s < from)
            s = from;
        if (e > to)
            e = to;
        int64_t b = e - s;
        r->booked += b;
        if (!db_column_int(st, 4))
            r->used += b;
        r->bookings++;
        if (org_null || org != r->org_id)
            r->cross += b;
        if (org_commercial(c, org, org_null))
            r->commercial += b;
        if (r->power_kw > 0) {
            for (int i = 0; i < ny; i++) {
                int64_t ps = s > edge[i] ? s : edge[i], pe = e < edge[i + 1] ? e : edge[i + 1];
                if (pe > ps)
                    r->powered[i] += pe - ps;
            }
        }
        pairs_add(pairs, (size_t)(r - c->res), (uint64_t)db_column_int64(st, 5));
    }
    db_reset(st);
    for (int k = 0; k < c->nres; k++) {
        struct res *p = &c->res[k];
        for (int i = 0; i < ny; i++) {
            double kwh = (double)p->powered[i] / 3600.0 * p->power_kw;
            p->kwh += kwh;
            p->kg += kwh * factor[i];
            p->powered[i] = 0;
        }
    }
    if (rc != DB_DONE)
        return db_fail(c->db, rc, err);
    return LS_OK;
}

/* --- grouping --- */

static int cmp_res_group(const void *x, const void *y, void *arg)
{
    const struct res *a = *(struct res *const *)x, *b = *(struct res *const *)y;
    enum stats_group_by g = *(const enum stats_group_by *)arg;
    int s;
    switch (g) {
    case STATS_BY_LAB:
        return (a->lab_id > b->lab_id) - (a->lab_id < b->lab_id);
    case STATS_BY_ORGANISATION:
        return (a->org_id > b->org_id) - (a->org_id < b->org_id);
    case STATS_BY_GROUP:
        return (s = strcmp(a->grp, b->grp)) ? s : (a->id > b->id) - (a->id < b->id);
    case STATS_BY_KIND:
        return (s = strcmp(a->kind, b->kind)) ? s : (a->id > b->id) - (a->id < b->id);
    default:
        return (a->id > b->id) - (a->id < b->id);
    }
}

static int same_group(const struct res *a, const struct res *b, enum stats_group_by g)
{
    switch (g) {
    case STATS_BY_LAB:
        return a->lab_id == b->lab_id;
    case STATS_BY_ORGANISATION:
        return a->org_id == b->org_id;
    case STATS_BY_GROUP:
        return strcmp(a->grp, b->grp) == 0;
    case STATS_BY_KIND:
        return strcmp(a->kind, b->kind) == 0;
    case STATS_BY_NONE:
        return 1;
    default:
        return a->id == b->id;
    }
}

static void row_keys(struct stats_row *row, const struct res *r, enum stats_group_by g)
{
    switch (g) {
    case STATS_BY_RESOURCE:
        row->resource_id = r->id;
        row->resource_name = r->name;
        row->shared = r->shared;
        /* fall through */
    case STATS_BY_LAB:
        row->lab_id = r->lab_id;
        row->lab_name = r->lab_name;
        row->kind = r->kind;
        /* fall through */
    case STATS_BY_ORGANISATION:
        row->organisation_id = r->org_id;
        row->organisation_name = r->org_name;
        row->group = r->grp;
        break;
    case STATS_BY_GROUP:
        row->group = r->grp;
        break;
    case STATS_BY_KIND:
        row->kind = r->kind;
        break;
    default:
        break;
    }
}

static void add_res(struct stats_figures *f, const struct res *r)
{
    f->available_hours += (double)r->avail / 3600.0;
    f->booked_hours += (double)r->booked / 3600.0;
    f->used_hours += (double)r->used / 3600.0;
    f->cross_hours += (double)r->cross / 3600.0;
    f->commercial_hours += (double)r->commercial / 3600.0;
    f->bookings += r->bookings;
    f->kwh += r->kwh;
    f->kg_co2e += r->kg;
}

static void finish(struct stats_figures *f)
{
    double a = f->available_hours, b = f->booked_hours;
    f->booked_rate = a > 0 ? b / a : 0;
    f->used_rate = a > 0 ? f->used_hours / a : 0;
    f->commercial_share = a > 0 ? f->commercial_hours / a : 0;
    f->cross_organisation_share = b > 0 ? f->cross_hours / b : 0;
}

/* Distinct bookers per row and overall, from the distinct (resource, user)
 * pairs of the scan: two more sets rather than sorting, since rows may
 * gather many resources (by lab, organisation, …). */
struct user_count {
    struct set64 rows, users;
    uint64_t *user_bits; /* with the pairs' bitmap: a bit per user id below its stride */
    size_t stride;
};

static void count_pair(struct ctx *c, struct stats_utilisation *u, struct user_count *uc,
                       size_t res, uint64_t user)
{
    int64_t row = c->res[res].row;
    if (row >= 0 && row < u->n && set_add(&uc->rows, (uint64_t)row << 32 | user))
        u->rows[row].f.users++;
    if (uc->user_bits && user < uc->stride) {
        uint64_t bit = 1ull << (user % 64);
        if (!(uc->user_bits[user / 64] & bit)) {
            uc->user_bits[user / 64] |= bit;
            u->summary.users++;
        }
    } else if (set_add(&uc->users, user)) {
        u->summary.users++;
    }
}

static void count_users(struct ctx *c, const struct pairs *p, struct stats_utilisation *u)
{
    struct user_count uc = {0};
    size_t words = p->bits ? ((size_t)c->nres * p->stride + 63) / 64 : 0;
    if (p->bits && (uc.user_bits = calloc((p->stride + 63) / 64, sizeof *uc.user_bits)))
        uc.stride = p->stride;
    for (size_t w = 0; w < words; w++)
        for (uint64_t b = p->bits[w]; b; b &= b - 1) {
            size_t k = w * 64 + (size_t)__builtin_ctzll(b);
            count_pair(c, u, &uc, k / p->stride, k % p->stride);
        }
    for (size_t i = 0; i < p->set.cap; i++)
        if (p->set.v[i]) {
            uint64_t k = p->set.v[i] - 1;
            count_pair(c, u, &uc, (size_t)(k >> 32), k & 0xffffffffu);
        }
    free(uc.rows.v);
    free(uc.users.v);
    free(uc.user_bits);
}

static int check_span(int64_t from, int64_t to, struct ls_err *err)
{
    if (to <= from)
        return ls_err_set(err, LS_EVALIDATION, "to", "the end of the span must be after its start");
    if (to - from > STATS_MAX_SPAN)
        return ls_err_set(err, LS_EVALIDATION, "to", "the span may cover at most 5 years");
    return LS_OK;
}

/* The body of stats_utilisation, inside the caller's read transaction. */
static int utilisation(struct db *db, const struct stats_query *q, struct arena *a,
                       struct stats_utilisation *out, struct ls_err *err)
{
    memset(out, 0, sizeof *out);
    out->from = q->from;
    out->to = q->to;
    out->group_by = q->group_by;
    struct ctx c = {.db = db, .a = a};
    struct res **sel = NULL;
    struct pairs pairs = {0};
    int rc = check_span(q->from, q->to, err);
    if (!rc)
        rc = load_catalogue(&c, q, err);
    if (!rc)
        rc = compute_available(&c, q->from, q->to, err);
    if (!rc) {
        pairs_init(&pairs, db, c.nres);
        rc = scan_bookings(&c, q->from, q->to, out, &pairs, err);
    }
    if (rc)
        goto done;

    int nsel = 0;
    sel = malloc(((size_t)c.nres + 1) * sizeof *sel);
    if (!sel)
        abort();
    for (int i = 0; i < c.nres; i++)
        if (c.res[i].selected)
            sel[nsel++] = &c.res[i];
    enum stats_group_by g = q->group_by;
    if (nsel > 1)
        qsort_r(sel, (size_t)nsel, sizeof *sel, cmp_res_group, &g);
    out->rows = arena_alloc(a, ((size_t)nsel + 1) * sizeof *out->rows);
    for (int i = 0; i < nsel; i++) {
        struct res *r = sel[i];
        if (g == STATS_BY_NONE) {
            r->row = -1;
        } else {
            if (i == 0 || !same_group(sel[i - 1], r, g))
                row_keys(&out->rows[out->n++], r, g);
            r->row = out->n - 1;
            add_res(&out->rows[r->row].f, r);
        }
        add_res(&out->summary, r);
    }
    for (int i = 0; i < out->n; i++)
        finish(&out->rows[i].f);
    finish(&out->summary);
    count_users(&c, &pairs, out);
done:
    pairs_free(&pairs);
    free(sel);
    free(c.res);
    free(c.orgs);
    return rc;
}

/* Opens a read transaction unless the caller already holds one,
 * so every query of a report sees one snapshot. */
static int begin_snapshot(struct db *db, int *began, struct ls_err *err)
{
    *began = 0;
    if (db_in_transaction(db))
        return LS_OK;
    int rc = db_begin_read(db, err);
    if (!rc)
        *began = 1;
    return rc;
}

static void end_snapshot(struct db *db, int began)
{
    if (began)
        db_end_read(db);
}

int stats_utilisation(struct db *db, const struct stats_query *q, struct arena *a,
                      struct stats_utilisation *out, struct ls_err *err)
{
    int began;
    int rc = check_span(q->from, q->to, err);
    if (!rc)
        rc = begin_snapshot(db, &began, err);
    if (rc)
        return rc;
    rc = utilisation(db, q, a, out, err);
    end_snapshot(db, began);
    return rc;
}

/* --- indicators --- */

/* State aid: funded resources and their economic and other hours in [from, to). */
static int funded_figures(struct db *db, int64_t from, int64_t to, struct stats_year *y,
                          struct ls_err *err)
{
    y->funded_resources = query_int(db, SQL_FUNDED_COUNT);
    struct db_stmt *st = db_stmt(db, SQL_FUNDED_HOURS);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    db_bind_int64(st, 1, from);
    db_bind_int64(st, 2, to);
    int step;
    while ((step = db_step(st)) == DB_ROW) {
        double h = (double)db_column_int64(st, 1) / 3600.0;
        if (db_column_int(st, 0))
            y->economic_hours = h;
        else
            y->non_economic_hours = h;
    }
    db_reset(st);
    return step == DB_DONE ? LS_OK : db_fail(db, step, err);
}

static int year_figures(struct db *db, int year, struct stats_year *y, struct ls_err *err)
{
    memset(y, 0, sizeof *y);
    y->year = year;
    struct arena a = {0};
    struct stats_utilisation u;
    struct stats_query q = {.from = tu_local_midnight(year, 1, 1),
                            .to = tu_local_midnight(year + 1, 1, 1),
                            .group_by = STATS_BY_NONE,
                            .members_only = 1};
    int rc = utilisation(db, &q, &a, &u, err);
    if (rc)
        goto done;
    y->users = u.summary.users;
    y->booked_hours = u.summary.booked_hours;
    y->available_hours = u.summary.available_hours;
    y->rate = u.summary.booked_rate;
    y->cross_organisation_share = u.summary.cross_organisation_share;
    y->bookings_kwh = u.summary.kwh;
    y->carbon_bookings = u.summary.kg_co2e;
    if ((rc = stats_grid_factor(db, year, &y->factor, err)))
        goto done;

    struct db_stmt *st = db_stmt(db, SQL_LAB_AREAS);
    int step;
    while ((step = db_step(st)) == DB_ROW) {
        const char *kind = (const char *)db_column_text(st, 0);
        double area = db_column_double(st, 1);
        y->infrastructure_kwh += db_column_double(st, 2);
        if (db_column_int64(st, 3) > 0)
            y->intensity_estimated = 1;
        if (!kind)
            continue;
        if (strcmp(kind, "commercial") == 0)
            y->area_commercial += area;
        else if (strcmp(kind, "scientific") == 0)
            y->area_scientific += area;
        else if (strcmp(kind, "teaching") == 0)
            y->area_teaching += area;
        else if (strcmp(kind, "office") == 0)
            y->area_office += area;
        else if (strcmp(kind, "coworking") == 0)
            y->area_coworking += area;
    }
    db_reset(st);
    if (step != DB_DONE) {
        rc = db_fail(db, step, err);
        goto done;
    }
    y->area_total = y->area_commercial + y->area_scientific + y->area_teaching;
    if ((rc = funded_figures(db, q.from, q.to, y, err)))
        goto done;
    y->carbon_infrastructure = y->infrastructure_kwh * y->factor.kg_per_kwh;

    st = db_stmt(db, SQL_SHARED_COUNTS);
    if ((step = db_step(st)) == DB_ROW) {
        y->shared_labs = db_column_int64(st, 0);
        y->shared_resources = db_column_int64(st, 1);
        y->shared_services = db_column_int64(st, 2);
    }
    db_reset(st);
    if (step != DB_ROW)
        rc = db_fail(db, step, err);
done:
    arena_release(&a);
    return rc;
}

int stats_indicators(struct db *db, int year, struct stats_indicators *out, struct ls_err *err)
{
    if (year < STATS_YEAR_MIN || year > STATS_YEAR_MAX)
        return ls_err_set(err, LS_EVALIDATION, "year", "{field} must be between %d and %d",
                          STATS_YEAR_MIN, STATS_YEAR_MAX);
    int began;
    int rc = begin_snapshot(db, &began, err);
    if (rc)
        return rc;
    rc = year_figures(db, year, &out->cur, err);
    if (!rc)
        rc = year_figures(db, year - 1, &out->prev, err);
    end_snapshot(db, began);
    return rc;
}

/* --- heat map and monthly series --- */

int stats_heatmap(struct db *db, const struct stats_query *q, struct stats_heatmap *out,
                  struct ls_err *err)
{
    memset(out, 0, sizeof *out);
    int began;
    int rc = check_span(q->from, q->to, err);
    if (!rc)
        rc = begin_snapshot(db, &began, err);
    if (rc)
        return rc;
    struct arena a = {0};
    struct ctx c = {.db = db, .a = &a};
    if ((rc = load_catalogue(&c, q, err)))
        goto done;
    struct db_stmt *st = db_stmt(db, SQL_HEAT);
    db_bind_int64(st, 1, q->from);
    db_bind_int64(st, 2, q->to);
    db_bind_int64(st, 3, q->from - max_booking_len(db));
    int step;
    while ((step = db_step(st)) == DB_ROW) {
        struct res *r = find_res(&c, db_column_int64(st, 0));
        if (!r || !r->selected)
            continue;
        int64_t t = db_column_int64(st, 1), end = db_column_int64(st, 2);
        while (t < end) {
            struct tu_local l;
            tu_to_local(t, &l);
            /* The next local hour boundary (offsets are whole quarter hours
             * at least, so local and UTC minutes agree). */
            int64_t next = t + 3600 - (int64_t)(l.minute * 60 + l.second);
            if (next > end)
                next = end;
            out->cell[l.weekday - 1][l.hour] += (double)(next - t) / 3600.0;
            t = next;
        }
    }
    db_reset(st);
    if (step != DB_DONE)
        rc = db_fail(db, step, err);
done:
    free(c.res);
    free(c.orgs);
    arena_release(&a);
    end_snapshot(db, began);
    return rc;
}

int stats_monthly(struct db *db, int year, const struct stats_query *q, struct arena *a,
                  struct stats_utilisation out[12], struct ls_err *err)
{
    if (year < STATS_YEAR_MIN || year > STATS_YEAR_MAX)
        return ls_err_set(err, LS_EVALIDATION, "year", "{field} must be between %d and %d",
                          STATS_YEAR_MIN, STATS_YEAR_MAX);
    int began;
    int rc = begin_snapshot(db, &began, err);
    for (int m = 0; !rc && m < 12; m++) {
        struct stats_query mq = *q;
        mq.from = tu_local_midnight(year, m + 1, 1);
        mq.to = tu_local_midnight(year, m + 2, 1);
        rc = utilisation(db, &mq, a, &out[m], err);
    }
    end_snapshot(db, began);
    return rc;
}

/* --- configuration --- */

int stats_grid_factors_list(struct db *db, struct arena *a, struct stats_grid_factor_row **out,
                            int *n, struct ls_err *err)
{
    struct db_stmt *st = db_stmt(db, SQL_FACTORS_LIST);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    int cap = 16, rc;
    struct stats_grid_factor_row *v = arena_alloc(a, (size_t)cap * sizeof *v);
    *n = 0;
    while ((rc = db_step(st)) == DB_ROW) {
        if (*n == cap) {
            struct stats_grid_factor_row *w = arena_alloc(a, (size_t)cap * 2 * sizeof *w);
            memcpy(w, v, (size_t)cap * sizeof *v);
            v = w;
            cap *= 2;
        }
        v[*n].year = db_column_int(st, 0);
        v[*n].kg_per_kwh = db_column_double(st, 1);
        v[*n].source = col_text(a, st, 2);
        v[*n].estimated = db_column_int(st, 3);
        (*n)++;
    }
    db_reset(st);
    *out = v;
    if (rc != DB_DONE)
        return db_fail(db, rc, err);
    return LS_OK;
}

struct factor_job {
    const struct stats_grid_factor_row *f;
    int created;
};

static int factor_put_txn(struct db *db, void *ctx, struct ls_err *err)
{
    struct factor_job *j = ctx;
    const struct stats_grid_factor_row *f = j->f;
    struct db_stmt *st = db_stmt(db, SQL_FACTOR_EXISTS);
    db_bind_int(st, 1, f->year);
    j->created = db_step(st) != DB_ROW;
    db_reset(st);
    st = db_stmt(db, SQL_FACTOR_PUT);
    db_bind_int(st, 1, f->year);
    db_bind_double(st, 2, f->kg_per_kwh);
    db_bind_text(st, 3, f->source ? f->source : "", -1, DB_STATIC);
    db_bind_int(st, 4, f->estimated ? 1 : 0);
    return db_step_done(db, st, err);
}

int stats_grid_factor_put(struct db *db, const struct stats_grid_factor_row *f, int *created,
                          struct ls_err *err)
{
    if (f->year < STATS_YEAR_MIN || f->year > STATS_YEAR_MAX)
        return ls_err_set(err, LS_EVALIDATION, "year", "{field} must be between %d and %d",
                          STATS_YEAR_MIN, STATS_YEAR_MAX);
    if (!(f->kg_per_kwh >= 0 && f->kg_per_kwh <= 5) || isnan(f->kg_per_kwh))
        return ls_err_set(err, LS_EVALIDATION, "kg_per_kwh",
                          "{field} must be between 0 and 5 kg CO2e per kWh");
    struct factor_job j = {f, 0};
    int rc = db_write(db, factor_put_txn, &j, err);
    *created = !rc && j.created;
    return rc;
}

static void bind_year(struct db_stmt *st, const void *ctx)
{
    db_bind_int(st, 1, *(const int *)ctx);
}

int stats_grid_factor_delete(struct db *db, int year, struct ls_err *err)
{
    int changes = 0;
    int rc = db_write_one(db, SQL_FACTOR_DELETE, bind_year, &year, &changes, NULL, err);
    if (!rc && changes == 0)
        return ls_err_set(err, LS_ENOTFOUND, NULL, "no grid factor for %d", year);
    return rc;
}

int stats_energy_defaults_list(struct db *db, struct arena *a, struct stats_energy_default **out,
                               int *n, struct ls_err *err)
{
    struct db_stmt *st = db_stmt(db, SQL_DEFAULTS_LIST);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    struct stats_energy_default *v = arena_alloc(a, 8 * sizeof *v);
    int rc;
    *n = 0;
    while ((rc = db_step(st)) == DB_ROW && *n < 8) {
        v[*n].kind = col_text(a, st, 0);
        v[*n].kwh_per_m2_year = db_column_double(st, 1);
        v[*n].source = col_text(a, st, 2);
        (*n)++;
    }
    db_reset(st);
    *out = v;
    if (rc != DB_DONE && rc != DB_ROW)
        return db_fail(db, rc, err);
    return LS_OK;
}

static void bind_default(struct db_stmt *st, const void *ctx)
{
    const struct stats_energy_default *d = ctx;
    db_bind_text(st, 1, d->kind, -1, DB_STATIC);
    db_bind_double(st, 2, d->kwh_per_m2_year);
    db_bind_text(st, 3, d->source ? d->source : "", -1, DB_STATIC);
}

int stats_energy_default_put(struct db *db, const struct stats_energy_default *d,
                             struct ls_err *err)
{
    if (!(d->kwh_per_m2_year >= 0 && d->kwh_per_m2_year <= 100000))
        return ls_err_set(err, LS_EVALIDATION, "kwh_per_m2_year",
                          "{field} must be between 0 and 100000");
    int changes = 0;
    int rc = db_write_one(db, SQL_DEFAULT_PUT, bind_default, d, &changes, NULL, err);
    if (!rc && changes == 0)
        return ls_err_set(err, LS_ENOTFOUND, NULL, "no such lab kind");
    return rc;
}
