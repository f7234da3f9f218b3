/* demo_bookings.c — a few months of realistic demo bookings: the past three
 * months and the next six weeks, over whatever resources and accounts the
 * demo catalogue created (none: nothing to do).
 *
 * Organisations book each other's shared instruments; most bookings are
 * approved, some wait for a decision, a few were declined or cancelled, and
 * some past ones were no-shows. Every booking respects opening hours, the
 * slot grid, min/max length, training and sharing, and no two pending or
 * approved bookings of a resource overlap. Past bookings cannot go through
 * booking_create() (the API refuses the past), so they are written directly
 * with created/updated in the past; one weekly series per few resources goes
 * through booking_create() like a real request. A fixed seed makes the
 * pattern the same on every run (dates move with today). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "booking.h"
#include "catalogue.h"
#include "cli.h"
#include "db.h"
#include "hours.h"
#include "timeutil.h"

#define PAST_DAYS 91
#define FUTURE_DAYS 42
#define MAX_USERS 512
#define MAX_RESOURCES 1024

static const char SQL_RESOURCES[] = "SELECT r.id, r.type FROM resources r ORDER BY r.id";
static const char SQL_USERS[] =
    "SELECT id, role, coalesce(organisation_id, 0) FROM users WHERE active = 1 ORDER BY id";
static const char SQL_BUSY[] =
    "SELECT (SELECT count(*) FROM bookings WHERE resource_id = ?1"
    "         AND status IN ('pending','approved') AND start < ?3 AND end > ?2)"
    "     + (SELECT count(*) FROM blackouts WHERE resource_id = ?1 AND start < ?3 AND end > ?2)";
static const char SQL_INSERT[] =
    "INSERT INTO bookings(resource_id, user_id, organisation_id, start, end, purpose, status,"
    " created, updated, sequence, decided_by, reason, no_show, cancelled_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)";
static const char SQL_TRAIN[] =
    "INSERT OR IGNORE INTO training(resource_id, user_id, granted_by, granted_at)"
    " VALUES (?1, ?2, ?3, ?4)";

static uint32_t rng_state = 20260401u;

static uint32_t rnd(void)
{
    /* xorshift32: deterministic and good enough for demo data */
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return rng_state = x;
}

static int pick(int n)
{
    return n > 0 ? (int)(rnd() % (uint32_t)n) : 0;
}

static double chance(void)
{
    return (double)(rnd() % 10000) / 10000.0;
}

static const char *purpose_for(const char *type)
{
    static const char *const instrument[] = {
        "Live-cell imaging of HeLa cultures",   "Protein quantification, plate assay",
        "Sample QC before sequencing",          "Calibration run and method validation",
        "Master's thesis measurements",         "Contract analysis for a client",
        "Pilot experiment, new antibody panel", "Repeat of last week's series",
        "Training session for new lab members", "Stability study, time point 3",
    };
    static const char *const room[] = {
        "Cell culture work, BSL-2",
        "Team workshop",
        "Sample preparation",
        "Practical class for students",
        "Start-up team working session",
        "Client visit and demonstration",
    };
    static const char *const desk[] = {
        "Data analysis",
        "Writing a grant application",
        "Visiting researcher",
        "Hot-desking between lab sessions",
        "Bioinformatics pipeline work",
    };
    if (type && strcmp(type, "room") == 0)
        return room[pick(sizeof room / sizeof *room)];
    if (type && strcmp(type, "desk") == 0)
        return desk[pick(sizeof desk / sizeof *desk)];
    return instrument[pick(sizeof instrument / sizeof *instrument)];
}

struct day_spans {
    int n;
    struct booking_span s[16];
};

static void collect(int64_t s, int64_t e, void *p)
{
    struct day_spans *d = p;
    if (d->n < 16)
        d->s[d->n++] = (struct booking_span){s, e};
}

/* Whether user u may book resource rr under the API's rules. */
static int eligible(struct db *db, const struct user *u, const struct resource_rules *rr)
{
    if (u->role == ROLE_STAFF)
        return 0; /* staff report; they do not fill the calendar */
    if (!rr->shared && (u->organisation_id == 0 || u->organisation_id != rr->organisation_id))
        return 0;
    return !rr->requires_training || catalogue_user_trained(db, rr->id, u->id);
}

/* A manager who decides requests on rr: an owner of its organisation, else
 * a staff member; 0 if there is none. */
static int64_t decider(const struct user *users, int nusers, const struct resource_rules *rr)
{
    int64_t staff = 0;
    for (int i = 0; i < nusers; i++) {
        if (users[i].role == ROLE_OWNER && users[i].organisation_id == rr->organisation_id)
            return users[i].id;
        if (users[i].role == ROLE_STAFF && !staff)
            staff = users[i].id;
    }
    return staff;
}

static int busy(struct db *db, int64_t res, int64_t s, int64_t e)
{
    struct db_stmt *st = db_stmt(db, SQL_BUSY);
    db_bind_int64(st, 1, res);
    db_bind_int64(st, 2, s);
    db_bind_int64(st, 3, e);
    int n = db_step(st) == DB_ROW ? db_column_int(st, 0) : 1;
    db_reset(st);
    return n > 0;
}

/* One weekly series of six through the real booking path. */
static void weekly_series(struct db *db, const struct resource_rules *rr, const struct user *users,
                          int nusers, int64_t now)
{
    struct arena a = {0};
    struct tu_local l;
    tu_to_local(now, &l);
    for (int tries = 0; tries < 8; tries++) {
        const struct user *u = &users[pick(nusers)];
        if (!eligible(db, u, rr))
            continue;
        for (int d = 2; d < 12; d++) {
            int64_t m0 = tu_local_midnight(l.year, l.month, l.day + d);
            int64_t m1 = tu_local_midnight(l.year, l.month, l.day + d + 1);
            struct day_spans ds = {0};
            hours_layout_span(&rr->hours, m0, m1, collect, &ds);
            if (ds.n == 0)
                continue;
            int64_t len = (int64_t)rr->min_minutes * 60;
            int64_t slot = (int64_t)rr->slot_minutes * 60;
            len = (len + slot - 1) / slot * slot;
            int64_t s = ds.s[0].start + slot * ((ds.s[0].end - ds.s[0].start) / slot / 3);
            if (s + len > ds.s[0].end)
                s = ds.s[0].start;
            struct booking_actor who = {u, "127.0.0.1", now};
            struct booking_request q = {.resource_id = rr->id,
                                        .start = s,
                                        .end = s + len,
                                        .purpose = "Weekly measurement series",
                                        .rrule = "FREQ=WEEKLY;COUNT=6"};
            struct booking_set out;
            struct ls_err err = {0};
            if (booking_create(&out, db, &a, &who, &q, &err) == LS_OK) {
                arena_release(&a);
                return;
            }
        }
    }
    arena_release(&a);
}

/* The months of bookings, as one unit of the write path. */
struct fill_job {
    const struct user *users;
    int nusers;
    const int64_t *res_ids;
    char (*res_types)[16];
    int nres;
    struct resource_rules *rr;
    int64_t now;
    struct tu_local today;
};

static int fill_txn(struct db *db, void *ctx, struct ls_err *errp)
{
    struct fill_job *j = ctx;
    const struct user *users = j->users;
    int nusers = j->nusers, nres = j->nres;
    const int64_t *res_ids = j->res_ids;
    char(*res_types)[16] = j->res_types;
    struct resource_rules *rr = j->rr;
    int64_t now = j->now;
    struct tu_local today = j->today;
    struct ls_err err = {0};
    int rc = 0;
    for (int i = 0; i < nres && rc == 0; i++) {
        if (catalogue_resource_rules(db, res_ids[i], rr, &err) != LS_OK)
            continue;
        int64_t manager = decider(users, nusers, rr);
        /* Training-only instruments: a few people have done the course. */
        if (rr->requires_training) {
            for (int k = 0, granted = 0; k < nusers && granted < 3; k++) {
                const struct user *u = &users[(k * 7 + i) % nusers];
                if (u->role == ROLE_STAFF ||
                    (!rr->shared && u->organisation_id != rr->organisation_id) ||
                    (!rr->shared && u->organisation_id == 0))
                    continue;
                struct db_stmt *t = db_stmt(db, SQL_TRAIN);
                db_bind_int64(t, 1, rr->id);
                db_bind_int64(t, 2, u->id);
                if (manager)
                    db_bind_int64(t, 3, manager);
                db_bind_int64(t, 4, now - 200 * 86400);
                db_step_done(db, t, NULL);
                granted++;
            }
        }
        int candidates[MAX_USERS], ncand = 0;
        for (int k = 0; k < nusers; k++)
            if (eligible(db, &users[k], rr))
                candidates[ncand++] = k;
        if (ncand == 0)
            continue;
        double popularity = 0.25 + 0.5 * chance(); /* share of open days with bookings */
        for (int d = -PAST_DAYS; d <= FUTURE_DAYS && rc == 0; d++) {
            if (chance() > popularity)
                continue;
            int64_t m0 = tu_local_midnight(today.year, today.month, today.day + d);
            int64_t m1 = tu_local_midnight(today.year, today.month, today.day + d + 1);
            struct day_spans ds = {0};
            hours_layout_span(&rr->hours, m0, m1, collect, &ds);
            if (ds.n == 0)
                continue;
            int attempts = 1 + pick(3);
            for (int k = 0; k < attempts; k++) {
                const struct booking_span *sp = &ds.s[pick(ds.n)];
                int64_t slot = (int64_t)rr->slot_minutes * 60;
                int64_t nslots = (sp->end - sp->start) / slot;
                int64_t min_s = ((int64_t)rr->min_minutes * 60 + slot - 1) / slot;
                int64_t max_s = (int64_t)rr->max_minutes * 60 / slot;
                int64_t cap = 4 * 3600 / slot; /* instruments and rooms: up to 4 h */
                if (strcmp(res_types[i], "desk") != 0 && max_s > cap && cap >= min_s)
                    max_s = cap;
                if (max_s > nslots)
                    max_s = nslots;
                if (min_s < 1)
                    min_s = 1;
                if (max_s < min_s)
                    continue;
                int64_t len = min_s + pick((int)(max_s - min_s + 1));
                int64_t first = pick((int)(nslots - len + 1));
                int64_t s = sp->start + first * slot, e = s + len * slot;
                if (hours_fit(&rr->hours, s, e, rr->slot_minutes) != HOURS_FITS ||
                    busy(db, rr->id, s, e))
                    continue;
                const struct user *u = &users[candidates[pick(ncand)]];
                const char *status = "approved";
                int no_show = 0, sequence = 0;
                int64_t decided = 0, cancelled_at = 0;
                const char *reason = NULL;
                double c = chance();
                if (e <= now) {
                    if (c < 0.07) {
                        status = "cancelled";
                    } else if (c < 0.12 && rr->requires_approval) {
                        status = "declined";
                        reason = "The instrument is reserved for a service run that day";
                    } else if (c < 0.19) {
                        no_show = 1;
                    }
                } else if (s > now) {
                    if (c < 0.05)
                        status = "cancelled";
                    else if (rr->requires_approval && c < 0.30)
                        status = "pending";
                    else if (rr->requires_approval && c < 0.34) {
                        status = "declined";
                        reason = "Please book the evening slot; the day is fully used";
                    }
                }
                int64_t lead = (int64_t)(1 + pick(21)) * 86400 + pick(600) * 60;
                int64_t created = s - lead;
                if (created > now - 3600)
                    created = now - 3600 - pick(72) * 3600;
                int64_t updated = created;
                if (rr->requires_approval && strcmp(status, "pending") != 0 && manager) {
                    decided = manager;
                    updated = created + 3600 + pick(48) * 1800;
                    sequence++;
                }
                if (strcmp(status, "cancelled") == 0) {
                    cancelled_at = updated + 3600 + pick(48) * 1800;
                    if (cancelled_at > s)
                        cancelled_at = s - 1800;
                    if (cancelled_at > now)
                        cancelled_at = now - 600;
                    if (cancelled_at < updated)
                        cancelled_at = updated;
                    updated = cancelled_at;
                    sequence++;
                }
                if (no_show) {
                    updated = e + 3600;
                    sequence++;
                }
                if (updated > now)
                    updated = now;
                struct db_stmt *ins = db_stmt(db, SQL_INSERT);
                db_bind_int64(ins, 1, rr->id);
                db_bind_int64(ins, 2, u->id);
                if (u->organisation_id)
                    db_bind_int64(ins, 3, u->organisation_id);
                db_bind_int64(ins, 4, s);
                db_bind_int64(ins, 5, e);
                db_bind_text(ins, 6, purpose_for(res_types[i]), -1, DB_STATIC);
                db_bind_text(ins, 7, status, -1, DB_STATIC);
                db_bind_int64(ins, 8, created);
                db_bind_int64(ins, 9, updated);
                db_bind_int(ins, 10, sequence);
                if (decided)
                    db_bind_int64(ins, 11, decided);
                if (reason)
                    db_bind_text(ins, 12, reason, -1, DB_STATIC);
                db_bind_int(ins, 13, no_show);
                if (cancelled_at)
                    db_bind_int64(ins, 14, cancelled_at);
                if (db_step_done(db, ins, &err) != LS_OK)
                    rc = -1;
            }
        }
    }
    if (rc)
        *errp = err;
    return rc ? (err.code ? (int)err.code : LS_EINTERNAL) : LS_OK;
}

int demo_bookings(struct db *db)
{
    int64_t now = tu_now();
    struct ls_err err = {0};
    struct user *users = calloc(MAX_USERS, sizeof *users);
    int64_t *res_ids = calloc(MAX_RESOURCES, sizeof *res_ids);
    char(*res_types)[16] = calloc(MAX_RESOURCES, sizeof *res_types);
    struct resource_rules *rr = calloc(1, sizeof *rr);
    int nusers = 0, nres = 0, rc = 0;
    if (!users || !res_ids || !res_types || !rr) {
        rc = -1;
        goto done;
    }
    struct db_stmt *st = db_stmt(db, SQL_USERS);
    while (st && nusers < MAX_USERS && db_step(st) == DB_ROW) {
        struct user *u = &users[nusers++];
        u->id = db_column_int64(st, 0);
        u->role = auth_role_parse((const char *)db_column_text(st, 1));
        u->organisation_id = db_column_int64(st, 2);
        u->active = 1;
    }
    if (st)
        db_reset(st);
    st = db_stmt(db, SQL_RESOURCES);
    while (st && nres < MAX_RESOURCES && db_step(st) == DB_ROW) {
        res_ids[nres] = db_column_int64(st, 0);
        snprintf(res_types[nres], sizeof res_types[nres], "%s", db_column_text(st, 1));
        nres++;
    }
    if (st)
        db_reset(st);
    if (nusers == 0 || nres == 0)
        goto done; /* nothing to book, or nobody to book it */

    /* A recurring series on a few resources first, while calendars are empty. */
    for (int i = 0; i < nres; i += 4) {
        if (catalogue_resource_rules(db, res_ids[i], rr, &err) == LS_OK)
            weekly_series(db, rr, users, nusers, now);
    }

    struct tu_local today;
    tu_to_local(now, &today);
    struct fill_job j = {users, nusers, res_ids, res_types, nres, rr, now, today};
    if (db_write(db, fill_txn, &j, &err) != LS_OK) {
        rc = -1;
        fprintf(stderr, "labshare demo: bookings: %s\n", err.message);
    }
done:
    free(users);
    free(res_ids);
    free(res_types);
    free(rr);
    return rc;
}
