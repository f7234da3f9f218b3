/* test_booking_list.c — GET /api/v1/bookings' domain side (booking_list):
 * every combination of filters (decidable too), viewers, statuses, spans, orders and pages
 * answers exactly what a plain reading of the rules gives, and every plan
 * reads [from, to) as an index range (EXPLAIN QUERY PLAN), with and without
 * ANALYZE's statistics. The bookings are written with SQL: lists do not
 * care whether they obey the booking rules, and some are days long, to
 * exercise the "longest booking" bound of the range. */
#include "testutil.h"

#include "booking.h"

#define T0 1793534400 /* 2026-11-01T12:00:00Z */
#define NBOOKINGS 700
#define DAY 86400

struct row {
    int64_t id, resource_id, lab_id, res_org, user_id, booker_org, series_id, start, end;
    int status;
};

struct fx {
    struct testdb *t;
    struct arena a;
    struct user users[7]; /* staff, owner1, owner2, res1, res2, guest, owner0 */
    struct row rows[NBOOKINGS];
    int64_t series[3];
};

static uint64_t rng = 0x2545F4914F6CDD1Dull;
static int pick(int n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (int)((rng >> 11) % (uint64_t)n);
}

static int64_t add_user(struct testdb *t, const char *email, enum role role, int64_t org)
{
    struct user_new u = {email, "List Person", "correct horse battery", role, org, "en"};
    struct ls_err err = {0};
    int64_t id = 0;
    if (auth_user_create(t->db, &u, &id, &err) != LS_OK)
        fail_msg("%s: %s", email, err.message);
    return id;
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    f->t = testdb_new();
    /* Resources 1–3 in labs 1–2 of organisation 1, 4–5 in lab 3 of
     * organisation 2, 6 in lab 4 of organisation 3. */
    testdb_exec(
        f->t,
        "INSERT INTO organisations(id, name, grp, created, updated) VALUES"
        " (1, 'Org one', 'BIZ', 0, 0), (2, 'Org two', 'R&D', 0, 0),"
        " (3, 'Org three', 'MED', 0, 0);"
        "INSERT INTO labs(id, organisation_id, name, kind, area_m2, created, updated) VALUES"
        " (1, 1, 'Lab 1', 'scientific', 50, 0, 0), (2, 1, 'Lab 2', 'scientific', 50, 0, 0),"
        " (3, 2, 'Lab 3', 'scientific', 50, 0, 0), (4, 3, 'Lab 4', 'office', 50, 0, 0);"
        "INSERT INTO resources(id, lab_id, type, name, shared, requires_approval,"
        " requires_training, created, updated) VALUES"
        " (1, 1, 'instrument', 'R1', 1, 0, 0, 0, 0), (2, 1, 'instrument', 'R2', 1, 1, 0, 0, 0),"
        " (3, 2, 'room', 'R3', 1, 0, 0, 0, 0), (4, 3, 'instrument', 'R4', 1, 0, 0, 0, 0),"
        " (5, 3, 'desk', 'R5 \"quoted\"', 1, 1, 0, 0, 0),"
        " (6, 4, 'room', 'R6', 1, 0, 0, 0, 0);");
    const struct {
        const char *email;
        enum role role;
        int64_t org;
    } people[7] = {
        {"staff@l.pl", ROLE_STAFF, 0},     {"owner1@l.pl", ROLE_OWNER, 1},
        {"owner2@l.pl", ROLE_OWNER, 2},    {"res1@l.pl", ROLE_RESEARCHER, 1},
        {"res2@l.pl", ROLE_RESEARCHER, 2}, {"guest@l.pl", ROLE_RESEARCHER, 0},
        {"owner0@l.pl", ROLE_OWNER, 0}, /* an owner of no organisation sees as a researcher */
    };
    for (int i = 0; i < 7; i++)
        f->users[i] =
            (struct user){.id = add_user(f->t, people[i].email,
                                         i == 6 ? ROLE_RESEARCHER : people[i].role, people[i].org),
                          .role = people[i].role,
                          .organisation_id = people[i].org,
                          .active = 1};
    /* An owner without an organisation cannot be created as such. */
    testdb_execf(f->t, "UPDATE users SET role = 'owner' WHERE id = %lld",
                 (long long)f->users[6].id);
    for (int i = 0; i < 3; i++) {
        testdb_execf(f->t,
                     "INSERT INTO series(id, rrule, created_by, created) VALUES (%d, 'x', %lld, 0)",
                     i + 1, (long long)f->users[3].id);
        f->series[i] = i + 1;
    }
    static const int64_t lab_of[7] = {0, 1, 1, 2, 3, 3, 4}, org_of_lab[5] = {0, 1, 1, 2, 3};
    static const char *const st[4] = {"pending", "approved", "declined", "cancelled"};
    testdb_exec(f->t, "BEGIN");
    for (int i = 0; i < NBOOKINGS; i++) {
        struct row *r = &f->rows[i];
        r->id = i + 1;
        r->resource_id = 1 + pick(6);
        r->lab_id = lab_of[r->resource_id];
        r->res_org = org_of_lab[r->lab_id];
        const struct user *u = &f->users[pick(7)];
        r->user_id = u->id;
        r->booker_org = u->organisation_id;
        r->series_id = pick(5) == 0 ? f->series[pick(3)] : 0;
        /* Mostly short, sometimes a day or three, rarely ten days: the
         * longest of each status group bounds the range. */
        int k = pick(40);
        int64_t len = k < 36 ? (1 + pick(16)) * 1800 : k < 39 ? (1 + pick(3)) * DAY : 10 * DAY;
        r->start = T0 + (int64_t)(pick(240) - 120) * DAY / 2 + pick(48) * 1800;
        r->end = r->start + len;
        r->status = pick(4);
        char booker[24] = "NULL";
        if (r->booker_org)
            snprintf(booker, sizeof booker, "%lld", (long long)r->booker_org);
        char series[24] = "NULL";
        if (r->series_id)
            snprintf(series, sizeof series, "%lld", (long long)r->series_id);
        testdb_execf(f->t,
                     "INSERT INTO bookings(id, resource_id, user_id, organisation_id, start, end,"
                     " purpose, status, created, updated, series_id) VALUES (%lld, %lld, %lld, %s,"
                     " %lld, %lld, 'p%d', '%s', 0, 0, %s)",
                     (long long)r->id, (long long)r->resource_id, (long long)r->user_id, booker,
                     (long long)r->start, (long long)r->end, i, st[r->status], series);
    }
    testdb_exec(f->t, "COMMIT");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    arena_release(&f->a);
    testdb_free(f->t);
    free(f);
    return 0;
}

/* The rules as API.md states them, over the rows in memory. */
static int visible(const struct user *v, const struct row *r)
{
    if (v->role == ROLE_STAFF)
        return 1;
    if (v->role == ROLE_OWNER && v->organisation_id > 0 && r->res_org == v->organisation_id)
        return 1;
    return r->user_id == v->id;
}

/* Decidable: pending, on resources the viewer manages (staff: all; an
 * owner: their organisation's). */
static int decidable(const struct user *v, const struct row *r)
{
    return r->status == BOOKING_PENDING &&
           (v->role == ROLE_STAFF ||
            (v->role == ROLE_OWNER && v->organisation_id > 0 && r->res_org == v->organisation_id));
}

static int matches(const struct user *v, const struct booking_filter *q, const struct row *r)
{
    return visible(v, r) && (!q->decidable || decidable(v, r)) &&
           (!q->series_id || r->series_id == q->series_id) &&
           (!q->resource_id || r->resource_id == q->resource_id) &&
           (!q->lab_id || r->lab_id == q->lab_id) &&
           (!q->organisation_id || r->res_org == q->organisation_id) &&
           (!q->booker_organisation_id || r->booker_org == q->booker_organisation_id) &&
           (!q->user_id || r->user_id == q->user_id) && (!q->mine || r->user_id == v->id) &&
           (q->status < 0 || r->status == q->status) && (!q->from || r->end > q->from) &&
           (!q->to || r->start < q->to);
}

static int by_start;
static int cmp_rows(const void *x, const void *y)
{
    const struct row *a = *(const struct row *const *)x, *b = *(const struct row *const *)y;
    int c = a->start < b->start ? -1 : a->start > b->start ? 1 : a->id < b->id ? -1 : 1;
    return by_start * c;
}

static void expect_same(struct fx *f, const struct user *v, const struct booking_filter *q)
{
    static const struct row *want[NBOOKINGS];
    int n = 0;
    for (int i = 0; i < NBOOKINGS; i++)
        if (matches(v, q, &f->rows[i]))
            want[n++] = &f->rows[i];
    by_start = q->desc ? -1 : 1;
    qsort(want, (size_t)n, sizeof *want, cmp_rows);
    struct booking_set got;
    struct ls_err err = {0};
    int rc = booking_list(&got, f->t->db, &f->a, v, q, &err);
    if (rc != LS_OK)
        fail_msg("list failed: %s", err.message);
    int64_t limit = q->limit ? q->limit : 50;
    int64_t first = q->offset < n ? q->offset : n;
    int64_t page = n - first < limit ? n - first : limit;
    if (got.total != n || got.n != page)
        fail_msg("viewer %lld, series %lld resource %lld lab %lld org %lld booker %lld user %lld"
                 " mine %d decidable %d status %d from %lld to %lld desc %d limit %lld offset %lld:"
                 " total %lld (want %d), page %d (want %lld)",
                 (long long)v->id, (long long)q->series_id, (long long)q->resource_id,
                 (long long)q->lab_id, (long long)q->organisation_id,
                 (long long)q->booker_organisation_id, (long long)q->user_id, q->mine, q->decidable,
                 q->status, (long long)q->from, (long long)q->to, q->desc, (long long)q->limit,
                 (long long)q->offset, (long long)got.total, n, got.n, (long long)page);
    for (int i = 0; i < got.n; i++) {
        const struct row *w = want[first + i];
        assert_int_equal(got.items[i].id, w->id);
        assert_int_equal(got.items[i].start, w->start);
        assert_int_equal(got.items[i].resource_organisation_id, w->res_org);
        assert_non_null(got.items[i].resource_name);
        assert_non_null(got.items[i].user_name);
    }
}

/* ---- plans ---- */

struct plan {
    char lines[32][200];
    int n;
};

static void explain(struct fx *f, const char *sql, struct plan *p)
{
    char eqp[4096];
    snprintf(eqp, sizeof eqp, "EXPLAIN QUERY PLAN %s", sql);
    struct db_stmt *st = NULL;
    int rc = db_prepare(f->t->db, eqp, &st);
    if (rc != DB_OK)
        fail_msg("%s\n%s", db_errmsg(f->t->db), sql);
    p->n = 0;
    while (db_step(st) == DB_ROW && p->n < 32)
        snprintf(p->lines[p->n++], sizeof p->lines[0], "%s", db_column_text(st, 3));
    db_finalize(st);
}

static void plan_fail(const struct plan *p, const char *sql, const char *why)
{
    char all[32 * 202] = "";
    for (int i = 0; i < p->n; i++) {
        strcat(all, p->lines[i]);
        strcat(all, "\n");
    }
    fail_msg("%s\nSQL: %s\nplan:\n%s", why, sql, all);
}

/* Texts already explained (FNV-1a hashes): most combinations share one. */
static uint64_t checked[1 << 16];

static int seen_before(const char *sql)
{
    uint64_t h = 1469598103934665603ull;
    for (const unsigned char *c = (const unsigned char *)sql; *c; c++)
        h = (h ^ *c) * 1099511628211ull;
    h |= 1;
    for (size_t i = h % (1 << 16);; i = (i + 1) % (1 << 16)) {
        if (checked[i] == h)
            return 1;
        if (!checked[i]) {
            checked[i] = h;
            return 0;
        }
    }
}

/* The plan of one list query: the bookings are read through an index, with
 * [from, to) as a range on start when given; no table is scanned, except
 * the one ordered walk of bookings_list that an unbounded, unfiltered list
 * needs (it stops at the page); a sort only of a bounded set. */
static void check_plan(struct fx *f, const struct user *v, const struct booking_filter *q,
                       int count)
{
    struct arena a = {0};
    const char *sql = booking_list_sql(&a, v, q, count);
    if (!sql || seen_before(sql)) {
        arena_release(&a);
        return;
    }
    struct plan p;
    explain(f, sql, &p);
    int own = q->mine || q->user_id ||
              (v->role != ROLE_STAFF && !(v->role == ROLE_OWNER && v->organisation_id > 0));
    int bounded = q->from && q->to;
    int narrow =
        q->series_id || q->resource_id || own || ((q->lab_id || q->organisation_id) && bounded);
    int seen_b = 0;
    for (int i = 0; i < p.n; i++) {
        const char *l = p.lines[i];
        if (strncmp(l, "SEARCH b ", 9) == 0) {
            seen_b = 1;
            if (!strstr(l, " USING ") || !strstr(l, "INDEX "))
                plan_fail(&p, sql, "bookings not read through an index");
            if (!q->series_id && q->from && !strstr(l, "start>?"))
                plan_fail(&p, sql, "from is not a range on start");
            if (!q->series_id && q->to && !strstr(l, "start<?"))
                plan_fail(&p, sql, "to is not a range on start");
            /* Migration 0024: the index by time holds every listed column. */
            if (strstr(l, "INDEX bookings_list") && !strstr(l, "COVERING INDEX bookings_list"))
                plan_fail(&p, sql, "a list by time visits the table");
        } else if (strncmp(l, "SCAN b", 6) == 0 || strncmp(l, "SCAN bookings", 13) == 0) {
            /* Only a list of everything (no range, no narrowing filter)
             * walks a whole index: bookings_list in order for the page,
             * which stops there, or SQLite's count of the smallest index
             * for an unfiltered total. */
            seen_b = 1;
            if (narrow || q->from || q->to || !strstr(l, " USING ") || !strstr(l, "INDEX"))
                plan_fail(&p, sql, "bookings scanned instead of read by an index range");
            if (strstr(l, "INDEX bookings_list") && !strstr(l, "COVERING INDEX bookings_list"))
                plan_fail(&p, sql, "a list by time visits the table");
        } else if (strncmp(l, "SCAN", 4) == 0) {
            plan_fail(&p, sql, "a table scanned");
        } else if (strstr(l, "SEARCH bookings ") && !strstr(l, "INDEX bookings_length")) {
            plan_fail(&p, sql, "the longest booking is not read from its index");
        } else if (strstr(l, "TEMP B-TREE") && !(bounded || q->series_id)) {
            plan_fail(&p, sql, "an unbounded list is sorted (it would read every match)");
        }
    }
    if (!seen_b)
        plan_fail(&p, sql, "no bookings line in the plan");
    arena_release(&a);
}

/* ---- the combinations ---- */

static void each_combination(struct fx *f, int check_results)
{
    const int64_t from = T0 - 9 * DAY, to = T0 + 5 * DAY;
    for (int mask = 0; mask < 256; mask++)
        for (int vi = 0; vi < 7; vi++)
            for (int si = 0; si < 3; si++)
                for (int span = 0; span < 5; span++) {
                    const struct user *v = &f->users[vi];
                    int k = mask * 7 + vi + si + span; /* varies the values cheaply */
                    struct booking_filter q = {.status = si == 0   ? -1
                                                         : si == 1 ? BOOKING_APPROVED
                                                                   : BOOKING_PENDING + 2 * (k % 2)};
                    if (mask & 1)
                        q.series_id = f->series[k % 3];
                    if (mask & 2)
                        q.resource_id = 1 + k % 6;
                    if (mask & 4)
                        q.lab_id = 1 + k % 4;
                    if (mask & 8)
                        q.organisation_id = 1 + k % 3;
                    if (mask & 16)
                        q.booker_organisation_id = 1 + (k / 3) % 3;
                    if (mask & 32)
                        q.user_id = f->users[k % 7].id;
                    q.mine = (mask & 64) != 0;
                    q.decidable = (mask & 128) != 0;
                    if (span == 1 || span == 3)
                        q.from = from;
                    if (span == 2 || span == 3)
                        q.to = to;
                    if (span == 4) { /* a wide span: two years */
                        q.from = T0 - 200 * DAY;
                        q.to = q.from + 731 * DAY;
                    }
                    q.desc = k % 2;
                    static const int64_t pages[4][2] = {{0, 0}, {7, 3}, {500, 0}, {5, 900}};
                    q.limit = pages[k % 4][0];
                    q.offset = pages[k % 4][1];
                    check_plan(f, v, &q, 0);
                    check_plan(f, v, &q, 1);
                    if (check_results)
                        expect_same(f, v, &q);
                }
}

static void list__every_combination_answers_by_the_rules(void **state)
{
    struct fx *f = *state;
    each_combination(f, 1);
    /* However many combinations were asked for, the statement cache every
     * module shares still prepares new statements. */
    struct booking b;
    struct ls_err err = {0};
    assert_int_equal(booking_get(&b, f->t->db, &f->a, &f->users[0], 1, &err), LS_OK);
}

static void list__plans_hold_with_statistics(void **state)
{
    struct fx *f = *state;
    memset(checked, 0, sizeof checked);
    testdb_exec(f->t, "ANALYZE");
    each_combination(f, 0);
}

static void list__span_rules_are_422_on_to(void **state)
{
    struct fx *f = *state;
    struct booking_set s;
    struct ls_err err = {0};
    struct booking_filter q = {.status = -1, .from = T0, .to = T0};
    assert_int_equal(booking_list(&s, f->t->db, &f->a, &f->users[0], &q, &err), LS_EVALIDATION);
    assert_string_equal(err.field, "to");
    q.to = T0 - 1;
    ls_err_clear(&err);
    assert_int_equal(booking_list(&s, f->t->db, &f->a, &f->users[0], &q, &err), LS_EVALIDATION);
    assert_string_equal(err.field, "to");
    /* No longest span (API.md sets none). */
    q.to = T0 + 3 * 366 * DAY;
    assert_int_equal(booking_list(&s, f->t->db, &f->a, &f->users[0], &q, &err), LS_OK);
}

/* A booking that started before `from` and is still running is in the
 * list: the range reaches back by the longest booking of its status group,
 * and a new longest booking widens it at once. */
static void list__a_long_booking_reaches_into_the_span(void **state)
{
    struct fx *f = *state;
    testdb_execf(
        f->t,
        "INSERT INTO bookings(id, resource_id, user_id, start, end, status, created, updated)"
        " VALUES (9001, 6, %lld, %d, %d, 'pending', 0, 0)",
        (long long)f->users[0].id, T0 - 400 * DAY, T0 + 400 * DAY);
    struct booking_filter q = {
        .status = BOOKING_PENDING, .resource_id = 6, .from = T0 + 100 * DAY, .to = T0 + 101 * DAY};
    struct booking_set s;
    struct ls_err err = {0};
    assert_int_equal(booking_list(&s, f->t->db, &f->a, &f->users[0], &q, &err), LS_OK);
    assert_int_equal(s.total, 1);
    assert_int_equal(s.items[0].id, 9001);
    q = (struct booking_filter){.status = -1, .from = T0 + 100 * DAY, .to = T0 + 101 * DAY};
    assert_int_equal(booking_list(&s, f->t->db, &f->a, &f->users[0], &q, &err), LS_OK);
    assert_int_equal(s.total, 1);
    q.status = BOOKING_APPROVED;
    assert_int_equal(booking_list(&s, f->t->db, &f->a, &f->users[0], &q, &err), LS_OK);
    assert_int_equal(s.total, 0);
}

int main(void)
{
    testutil_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(list__every_combination_answers_by_the_rules, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(list__plans_hold_with_statistics, setup, teardown),
        cmocka_unit_test_setup_teardown(list__span_rules_are_422_on_to, setup, teardown),
        cmocka_unit_test_setup_teardown(list__a_long_booking_reaches_into_the_span, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
