/* test_booking.c — the booking rules of API.md on a real SQLite file. The
 * catalogue is written with SQL here (the catalogue API is another module);
 * "now" is fixed at Sunday 1 November 2026, 12:00 UTC. */
#include "testutil.h"

#include <math.h>

#include "booking.h"
#include "catalogue.h"
#include "cli.h"
#include "hours.h"

#define NOW 1793534400 /* 2026-11-01T12:00:00Z, a Sunday */

/* Resources of the fixture (ids fixed by the inserts below). */
enum {
    R_AUTO = 1,     /* org 1, shared, auto-approved, Mon–Fri 08–18, slot 30, 30–480 min */
    R_APPROVAL = 2, /* org 1, shared, requires approval */
    R_PRIVATE = 3,  /* org 1, not shared */
    R_TRAINING = 4, /* org 2, shared, requires training */
};

struct fx {
    struct testdb *t;
    struct arena a;
    struct user staff, owner1, res1, res2, guest, owner2;
};

static int64_t add_user(struct testdb *t, const char *email, enum role role, int64_t org)
{
    struct user_new u = {email, "Test Person", "correct horse battery", role, org, "en"};
    struct ls_err err = {0};
    int64_t id = 0;
    assert_int_equal(auth_user_create(t->db, &u, &id, &err), LS_OK);
    return id;
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    f->t = testdb_new();
    testdb_exec(
        f->t, "INSERT INTO organisations(id, name, grp, created, updated) VALUES"
              " (1, 'Jagiellonian Centre of Innovation', 'BIZ', 0, 0),"
              " (2, 'Institute of Catalysis', 'R&D', 0, 0);"
              "INSERT INTO labs(id, organisation_id, name, kind, area_m2, created, updated) VALUES"
              " (1, 1, 'Imaging lab', 'scientific', 80, 0, 0),"
              " (2, 2, 'Spectroscopy lab', 'scientific', 60, 0, 0);"
              "INSERT INTO resources(id, lab_id, type, name, shared, requires_approval,"
              " requires_training, created, updated) VALUES"
              " (1, 1, 'instrument', 'Confocal microscope', 1, 0, 0, 0, 0),"
              " (2, 1, 'instrument', 'Flow cytometer', 1, 1, 0, 0, 0),"
              " (3, 1, 'instrument', 'Internal PCR', 0, 0, 0, 0, 0),"
              " (4, 2, 'instrument', 'NMR 600 MHz', 1, 0, 1, 0, 0);"
              "WITH RECURSIVE d(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM d WHERE n < 5)"
              " INSERT INTO opening_hours(resource_id, weekday, open_min, close_min)"
              " SELECT r.id, d.n, 480, 1080 FROM d, resources r;");
    f->staff = (struct user){
        .id = add_user(f->t, "staff@x.pl", ROLE_STAFF, 0), .role = ROLE_STAFF, .active = 1};
    f->owner1 = (struct user){.id = add_user(f->t, "owner1@x.pl", ROLE_OWNER, 1),
                              .role = ROLE_OWNER,
                              .organisation_id = 1,
                              .active = 1};
    f->res1 = (struct user){.id = add_user(f->t, "res1@x.pl", ROLE_RESEARCHER, 1),
                            .role = ROLE_RESEARCHER,
                            .organisation_id = 1,
                            .active = 1};
    f->res2 = (struct user){.id = add_user(f->t, "res2@x.pl", ROLE_RESEARCHER, 2),
                            .role = ROLE_RESEARCHER,
                            .organisation_id = 2,
                            .active = 1};
    f->guest = (struct user){.id = add_user(f->t, "guest@x.pl", ROLE_RESEARCHER, 0),
                             .role = ROLE_RESEARCHER,
                             .active = 1};
    f->owner2 = (struct user){.id = add_user(f->t, "owner2@x.pl", ROLE_OWNER, 2),
                              .role = ROLE_OWNER,
                              .organisation_id = 2,
                              .active = 1};
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

/* A local wall time in Warsaw → instant. */
static int64_t at(int y, int mo, int d, int h, int mi)
{
    int64_t t;
    assert_int_equal(tu_from_local(y, mo, d, h, mi, 0, 0, &t), TU_OK);
    return t;
}

static int book_at(struct fx *f, const struct user *u, int64_t res, int64_t s, int64_t e,
                   const char *rrule, int64_t now, struct booking_set *out, struct ls_err *err)
{
    struct booking_actor who = {u, "127.0.0.1", now};
    struct booking_request q = {
        .resource_id = res, .start = s, .end = e, .purpose = "test", .rrule = rrule};
    ls_err_clear(err);
    return booking_create(out, f->t->db, &f->a, &who, &q, err);
}

static int book(struct fx *f, const struct user *u, int64_t res, int64_t s, int64_t e,
                struct booking_set *out, struct ls_err *err)
{
    return book_at(f, u, res, s, e, NULL, NOW, out, err);
}

static int64_t count(struct fx *f, const char *sql)
{
    struct db_stmt *st = NULL;
    assert_int_equal(db_prepare(f->t->db, sql, &st), DB_OK);
    assert_int_equal(db_step(st), DB_ROW);
    int64_t n = db_column_int64(st, 0);
    db_finalize(st);
    return n;
}

static void booking__status_follows_requires_approval(void **state)
{
    struct fx *f = *state;
    struct booking_set s;
    struct ls_err err;
    assert_int_equal(
        book(f, &f->res2, R_AUTO, at(2026, 11, 2, 10, 0), at(2026, 11, 2, 11, 0), &s, &err), LS_OK);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.items[0].status, BOOKING_APPROVED);
    assert_int_equal(s.items[0].organisation_id, 2);
    assert_int_equal(s.items[0].user_id, f->res2.id);
    assert_int_equal(s.items[0].series_id, 0);
    assert_string_equal(s.items[0].resource_name, "Confocal microscope");
    assert_int_equal(
        book(f, &f->res2, R_APPROVAL, at(2026, 11, 2, 10, 0), at(2026, 11, 2, 11, 0), &s, &err),
        LS_OK);
    assert_int_equal(s.items[0].status, BOOKING_PENDING);
    /* A manager's own request on an approval resource is pending too (the rule as written). */
    assert_int_equal(
        book(f, &f->owner1, R_APPROVAL, at(2026, 11, 3, 10, 0), at(2026, 11, 3, 11, 0), &s, &err),
        LS_OK);
    assert_int_equal(s.items[0].status, BOOKING_PENDING);
    assert_int_equal(count(f, "SELECT count(*) FROM audit_log WHERE action = 'booking.create'"), 3);
}

static void booking__time_rules_are_422_naming_the_field(void **state)
{
    struct fx *f = *state;
    struct booking_set s;
    struct ls_err err;
    int64_t mon10 = at(2026, 11, 2, 10, 0);
    /* end ≤ start */
    assert_int_equal(book(f, &f->res1, R_AUTO, mon10, mon10, &s, &err), LS_EVALIDATION);
    assert_string_equal(err.field, "end");
    assert_int_equal(book(f, &f->res1, R_AUTO, mon10, mon10 - 1800, &s, &err), LS_EVALIDATION);
    /* in the past (a weekday in October, in hours, on the grid) */
    assert_int_equal(
        book(f, &f->res1, R_AUTO, at(2026, 10, 30, 10, 0), at(2026, 10, 30, 11, 0), &s, &err),
        LS_EVALIDATION);
    assert_string_equal(err.field, "start");
    assert_non_null(strstr(err.message, "past"));
    /* more than two years ahead */
    assert_int_equal(
        book(f, &f->res1, R_AUTO, at(2028, 11, 6, 10, 0), at(2028, 11, 6, 11, 0), &s, &err),
        LS_EVALIDATION);
    assert_string_equal(err.field, "start");
    assert_non_null(strstr(err.message, "two years"));
    /* outside opening hours: Saturday, before opening, across closing */
    assert_int_equal(
        book(f, &f->res1, R_AUTO, at(2026, 11, 7, 10, 0), at(2026, 11, 7, 11, 0), &s, &err),
        LS_EVALIDATION);
    assert_string_equal(err.field, "start");
    assert_int_equal(
        book(f, &f->res1, R_AUTO, at(2026, 11, 2, 7, 30), at(2026, 11, 2, 8, 30), &s, &err),
        LS_EVALIDATION);
    assert_int_equal(
        book(f, &f->res1, R_AUTO, at(2026, 11, 2, 17, 30), at(2026, 11, 2, 18, 30), &s, &err),
        LS_EVALIDATION);
    /* off the 30-minute grid */
    assert_int_equal(
        book(f, &f->res1, R_AUTO, at(2026, 11, 2, 10, 15), at(2026, 11, 2, 11, 15), &s, &err),
        LS_EVALIDATION);
    assert_string_equal(err.field, "start");
    assert_non_null(strstr(err.message, "grid"));
    assert_int_equal(book(f, &f->res1, R_AUTO, mon10, at(2026, 11, 2, 11, 10), &s, &err),
                     LS_EVALIDATION);
    assert_string_equal(err.field, "end");
    /* shorter than min, longer than max */
    testdb_exec(f->t, "UPDATE resources SET min_minutes = 60, max_minutes = 120 WHERE id = 1");
    assert_int_equal(book(f, &f->res1, R_AUTO, mon10, mon10 + 1800, &s, &err), LS_EVALIDATION);
    assert_string_equal(err.field, "end");
    assert_non_null(strstr(err.message, "at least 60"));
    assert_int_equal(book(f, &f->res1, R_AUTO, mon10, mon10 + 3 * 3600, &s, &err), LS_EVALIDATION);
    assert_non_null(strstr(err.message, "at most 120"));
    assert_int_equal(book(f, &f->res1, R_AUTO, mon10, mon10 + 2 * 3600, &s, &err), LS_OK);
    /* unknown resource */
    assert_int_equal(book(f, &f->res1, 999, mon10, mon10 + 3600, &s, &err), LS_EVALIDATION);
    assert_string_equal(err.field, "resource_id");
    assert_int_equal(count(f, "SELECT count(*) FROM bookings"), 1);
}

static void booking__permission_rules_are_403(void **state)
{
    struct fx *f = *state;
    struct booking_set s;
    struct ls_err err;
    int64_t s0 = at(2026, 11, 2, 10, 0), e0 = at(2026, 11, 2, 11, 0);
    /* training */
    assert_int_equal(book(f, &f->res2, R_TRAINING, s0, e0, &s, &err), LS_EFORBIDDEN);
    assert_non_null(strstr(err.message, "training"));
    /* not shared, other organisation; guests only on shared */
    assert_int_equal(book(f, &f->res2, R_PRIVATE, s0, e0, &s, &err), LS_EFORBIDDEN);
    assert_int_equal(book(f, &f->guest, R_PRIVATE, s0, e0, &s, &err), LS_EFORBIDDEN);
    assert_int_equal(book(f, &f->guest, R_AUTO, s0, e0, &s, &err), LS_OK);
    assert_int_equal(s.items[0].organisation_id, 0);
    /* the own organisation may book its unshared resource */
    assert_int_equal(book(f, &f->res1, R_PRIVATE, s0, e0, &s, &err), LS_OK);
    /* once trained, allowed */
    char sql[160];
    snprintf(sql, sizeof sql,
             "INSERT INTO training(resource_id, user_id, granted_at) VALUES (4, %lld, 0)",
             (long long)f->res2.id);
    testdb_exec(f->t, sql);
    assert_int_equal(book(f, &f->res2, R_TRAINING, s0, e0, &s, &err), LS_OK);
    /* staff may book anything */
    int64_t s1 = at(2026, 11, 3, 10, 0), e1 = at(2026, 11, 3, 11, 0);
    assert_int_equal(book(f, &f->staff, R_TRAINING, s1, e1, &s, &err), LS_OK);
    assert_int_equal(book(f, &f->staff, R_PRIVATE, s1, e1, &s, &err), LS_OK);
    /* 403 comes before 422: an untrained user with a bad time hears about training */
    assert_int_equal(book(f, &f->res1, R_TRAINING, s0, s0, &s, &err), LS_EFORBIDDEN);
}

static void booking__rejects_overlap_but_not_back_to_back(void **state)
{
    struct fx *f = *state;
    struct booking_set s;
    struct ls_err err;
    int64_t t10 = at(2026, 11, 2, 10, 0), t11 = at(2026, 11, 2, 11, 0),
            t12 = at(2026, 11, 2, 12, 0);
    assert_int_equal(book(f, &f->res1, R_AUTO, t10, t11, &s, &err), LS_OK);
    int64_t first = s.items[0].id;
    assert_int_equal(book(f, &f->res2, R_AUTO, t10 + 1800, t11 + 1800, &s, &err), LS_ECONFLICT);
    assert_int_equal(err.nconflicts, 1);
    assert_int_equal(err.conflicts[0], first);
    assert_int_equal(err.nblackouts, 0);
    /* back-to-back on both sides */
    assert_int_equal(book(f, &f->res2, R_AUTO, t11, t12, &s, &err), LS_OK);
    assert_int_equal(book(f, &f->res2, R_AUTO, t10 - 3600, t10, &s, &err), LS_OK);
    /* a request covering two approved bookings lists both */
    assert_int_equal(book(f, &f->res2, R_AUTO, t10 - 1800, t11 + 1800, &s, &err), LS_ECONFLICT);
    assert_int_equal(err.nconflicts, 3);
    /* another resource is independent */
    assert_int_equal(book(f, &f->res2, R_APPROVAL, t10, t11, &s, &err), LS_OK);
}

static void booking__pending_may_overlap_pending_and_approve_rechecks(void **state)
{
    struct fx *f = *state;
    struct booking_set s;
    struct ls_err err;
    int64_t t10 = at(2026, 11, 2, 10, 0), t11 = at(2026, 11, 2, 11, 0);
    assert_int_equal(book(f, &f->res1, R_APPROVAL, t10, t11, &s, &err), LS_OK);
    int64_t a = s.items[0].id;
    assert_int_equal(book(f, &f->res2, R_APPROVAL, t10 + 1800, t11 + 1800, &s, &err), LS_OK);
    int64_t b = s.items[0].id;
    assert_int_equal(s.items[0].status, BOOKING_PENDING);
    struct booking out;
    struct booking_actor owner = {&f->owner1, "10.0.0.1", NOW};
    struct booking_actor res1 = {&f->res1, NULL, NOW};
    struct booking_actor res2 = {&f->res2, NULL, NOW};
    struct booking_actor owner2 = {&f->owner2, NULL, NOW};
    /* the booker may not decide: 403; someone who cannot see it: 404 */
    assert_int_equal(booking_approve(&out, f->t->db, &f->a, &res1, a, &err), LS_EFORBIDDEN);
    assert_int_equal(booking_approve(&out, f->t->db, &f->a, &res2, a, &err), LS_ENOTFOUND);
    assert_int_equal(booking_approve(&out, f->t->db, &f->a, &owner2, a, &err), LS_ENOTFOUND);
    assert_int_equal(booking_approve(&out, f->t->db, &f->a, &owner, 9999, &err), LS_ENOTFOUND);
    assert_int_equal(booking_approve(&out, f->t->db, &f->a, &owner, a, &err), LS_OK);
    assert_int_equal(out.status, BOOKING_APPROVED);
    assert_int_equal(out.decided_by, f->owner1.id);
    assert_int_equal(out.sequence, 1);
    ls_err_clear(&err);
    assert_int_equal(booking_approve(&out, f->t->db, &f->a, &owner, b, &err), LS_ECONFLICT);
    assert_int_equal(err.nconflicts, 1);
    assert_int_equal(err.conflicts[0], a);
    /* approving twice is a state conflict */
    assert_int_equal(booking_approve(&out, f->t->db, &f->a, &owner, a, &err), LS_ECONFLICT);
    assert_non_null(strstr(err.message, "pending"));
    /* a new request overlapping the approved one is refused even though it would be pending */
    assert_int_equal(book(f, &f->res2, R_APPROVAL, t10, t11, &s, &err), LS_ECONFLICT);
    /* decline the other; then it cannot be declined again */
    assert_int_equal(booking_decline(&out, f->t->db, &f->a, &owner, b, "busy that day", &err),
                     LS_OK);
    assert_int_equal(out.status, BOOKING_DECLINED);
    assert_string_equal(out.reason, "busy that day");
    assert_int_equal(booking_decline(&out, f->t->db, &f->a, &owner, b, "again", &err),
                     LS_ECONFLICT);
    /* a decline needs a reason (422 before the state's 409) */
    assert_int_equal(booking_decline(&out, f->t->db, &f->a, &owner, b, NULL, &err), LS_EVALIDATION);
    assert_string_equal(err.field, "reason");
    assert_int_equal(booking_decline(&out, f->t->db, &f->a, &owner, b, "", &err), LS_EVALIDATION);
    assert_int_equal(count(f, "SELECT count(*) FROM audit_log WHERE action IN ('booking.approve',"
                              " 'booking.decline') AND ip IN ('10.0.0.1')"),
                     2);
}

static void booking__blackouts_conflict(void **state)
{
    struct fx *f = *state;
    struct booking_set s;
    struct ls_err err;
    char sql[200];
    snprintf(sql, sizeof sql,
             "INSERT INTO blackouts(id, resource_id, start, end, reason, created)"
             " VALUES (7, 1, %lld, %lld, 'service', 0)",
             (long long)at(2026, 11, 2, 12, 0), (long long)at(2026, 11, 2, 14, 0));
    testdb_exec(f->t, sql);
    assert_int_equal(
        book(f, &f->res1, R_AUTO, at(2026, 11, 2, 13, 0), at(2026, 11, 2, 15, 0), &s, &err),
        LS_ECONFLICT);
    assert_int_equal(err.nblackouts, 1);
    assert_int_equal(err.blackouts[0], 7);
    assert_int_equal(err.nconflicts, 0);
    assert_int_equal(
        book(f, &f->res1, R_AUTO, at(2026, 11, 2, 14, 0), at(2026, 11, 2, 15, 0), &s, &err), LS_OK);
}

static void booking__rrule_stays_10_local_across_march_dst(void **state)
{
    struct fx *f = *state;
    struct booking_set s;
    struct ls_err err;
    /* Monday 22 March 2027 10:00 CET; DST starts Sunday 28 March. */
    int64_t s0 = at(2027, 3, 22, 10, 0), e0 = at(2027, 3, 22, 11, 30);
    assert_int_equal(book_at(f, &f->res1, R_AUTO, s0, e0, "FREQ=WEEKLY;COUNT=4", NOW, &s, &err),
                     LS_OK);
    assert_int_equal(s.n, 4);
    assert_true(s.items[0].series_id > 0);
    for (int i = 0; i < 4; i++) {
        struct tu_local ls, le;
        tu_to_local(s.items[i].start, &ls);
        tu_to_local(s.items[i].end, &le);
        assert_int_equal(ls.hour, 10);
        assert_int_equal(ls.minute, 0);
        assert_int_equal(le.hour, 11);
        assert_int_equal(le.minute, 30);
        assert_int_equal(ls.weekday, 1);
        assert_int_equal(s.items[i].series_id, s.items[0].series_id);
        assert_int_equal(s.items[i].status, BOOKING_APPROVED);
    }
    char buf[TU_UTC_LEN];
    tu_format_utc(s.items[0].start, buf);
    assert_string_equal(buf, "2027-03-22T09:00:00Z");
    tu_format_utc(s.items[1].start, buf);
    assert_string_equal(buf, "2027-03-29T08:00:00Z");
    assert_int_equal(count(f, "SELECT count(*) FROM series"), 1);
}

static void booking__rrule_caps_are_422(void **state)
{
    struct fx *f = *state;
    struct booking_set s;
    struct ls_err err;
    int64_t s0 = at(2026, 11, 2, 8, 0), e0 = at(2026, 11, 2, 8, 30);
    const char *bad[] = {
        "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;COUNT=201", /* 201 occurrences */
        "FREQ=WEEKLY",                               /* no end: would exceed */
        "FREQ=MONTHLY;COUNT=30",                     /* beyond two years */
        "FREQ=WEEKLY;UNTIL=20290101T000000Z",        /* UNTIL beyond two years */
        "FREQ=DAILY;UNTIL=20270301T000000Z;BYDAY=MO,TU,WE,TH,FR;BYHOUR=8,9,10", /* 258 */
        "FREQ=MINUTELY;COUNT=3",
        "FREQ=WEEKLY;BYDAY=TU;COUNT=3", /* start is not an occurrence */
        "FREQ=FORTNIGHTLY;COUNT=2",
        "COUNT=2",
        "garbage",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int rc = book_at(f, &f->res1, R_AUTO, s0, e0, bad[i], NOW, &s, &err);
        if (rc != LS_EVALIDATION || strcmp(err.field, "rrule") != 0)
            fail_msg("%s: rc %d field %s (%s)", bad[i], rc, err.field, err.message);
    }
    assert_int_equal(count(f, "SELECT count(*) FROM bookings"), 0);
    assert_int_equal(count(f, "SELECT count(*) FROM series"), 0);
    /* exactly 200 is fine */
    assert_int_equal(book_at(f, &f->res1, R_AUTO, s0, e0,
                             "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;COUNT=200", NOW, &s, &err),
                     LS_OK);
    assert_int_equal(s.n, 200);
    assert_int_equal(count(f, "SELECT count(DISTINCT series_id) FROM bookings"), 1);
}

static void booking__rrule_is_all_or_nothing(void **state)
{
    struct fx *f = *state;
    struct booking_set s;
    struct ls_err err;
    /* someone holds the third Monday */
    assert_int_equal(
        book(f, &f->res2, R_AUTO, at(2026, 11, 16, 10, 30), at(2026, 11, 16, 11, 0), &s, &err),
        LS_OK);
    int64_t taken = s.items[0].id;
    int64_t s0 = at(2026, 11, 2, 10, 0), e0 = at(2026, 11, 2, 11, 0);
    assert_int_equal(book_at(f, &f->res1, R_AUTO, s0, e0, "FREQ=WEEKLY;COUNT=5", NOW, &s, &err),
                     LS_ECONFLICT);
    assert_int_equal(err.nconflicts, 1);
    assert_int_equal(err.conflicts[0], taken);
    /* Not an economic booking (an R&D member): the clash is found by the
     * insert of the third occurrence, after two went in; the answer names
     * only the booking it clashes with, and the two are rolled back. */
    int64_t before = count(f, "SELECT count(*) FROM bookings");
    assert_int_equal(book_at(f, &f->res2, R_AUTO, s0, e0, "FREQ=WEEKLY;COUNT=5", NOW, &s, &err),
                     LS_ECONFLICT);
    assert_int_equal(err.nconflicts, 1);
    assert_int_equal(err.conflicts[0], taken);
    assert_int_equal(count(f, "SELECT count(*) FROM bookings"), before);
    /* a rule breaking occurrence: daily reaches Saturday (occurrence 6) */
    assert_int_equal(book_at(f, &f->res1, R_AUTO, s0, e0, "FREQ=DAILY;COUNT=7", NOW, &s, &err),
                     LS_EVALIDATION);
    assert_string_equal(err.field, "rrule");
    assert_non_null(strstr(err.message, "#6 ("));
    assert_int_equal(count(f, "SELECT count(*) FROM bookings"), 1);
    assert_int_equal(count(f, "SELECT count(*) FROM series"), 0);
}

static void booking__cancel_one_and_following(void **state)
{
    struct fx *f = *state;
    struct booking_set s, c;
    struct ls_err err;
    int64_t s0 = at(2026, 11, 2, 10, 0), e0 = at(2026, 11, 2, 11, 0);
    assert_int_equal(book_at(f, &f->res2, R_AUTO, s0, e0, "FREQ=WEEKLY;COUNT=5", NOW, &s, &err),
                     LS_OK);
    int64_t ids[5];
    for (int i = 0; i < 5; i++)
        ids[i] = s.items[i].id;
    struct booking_actor booker = {&f->res2, NULL, NOW + 60};
    struct booking_actor other = {&f->res1, NULL, NOW + 60};
    /* someone else cannot even see it */
    assert_int_equal(booking_cancel(&c, f->t->db, &f->a, &other, ids[0], NULL, 0, &err),
                     LS_ENOTFOUND);
    assert_int_equal(booking_cancel(&c, f->t->db, &f->a, &booker, ids[1], "ill", 0, &err), LS_OK);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.items[0].status, BOOKING_CANCELLED);
    assert_int_equal(c.items[0].cancelled_at, NOW + 60);
    assert_string_equal(c.items[0].reason, "ill");
    /* cancelled is final */
    assert_int_equal(booking_cancel(&c, f->t->db, &f->a, &booker, ids[1], NULL, 0, &err),
                     LS_ECONFLICT);
    /* the rest of the series from the third */
    assert_int_equal(booking_cancel(&c, f->t->db, &f->a, &booker, ids[2], NULL, 1, &err), LS_OK);
    assert_int_equal(c.n, 3);
    assert_int_equal(c.items[0].id, ids[2]);
    assert_int_equal(count(f, "SELECT count(*) FROM bookings WHERE status = 'approved'"), 1);
    assert_int_equal(count(f, "SELECT count(*) FROM bookings WHERE status = 'cancelled'"
                              " AND sequence = 1 AND updated > created"),
                     4);
    /* a managing owner may cancel too */
    struct booking_actor owner = {&f->owner1, NULL, NOW + 60};
    assert_int_equal(booking_cancel(&c, f->t->db, &f->a, &owner, ids[0], NULL, 1, &err), LS_OK);
    assert_int_equal(c.n, 1);
}

static void booking__move_rechecks_and_may_return_to_pending(void **state)
{
    struct fx *f = *state;
    struct booking_set s;
    struct ls_err err;
    struct booking out;
    int64_t t10 = at(2026, 11, 2, 10, 0), t11 = at(2026, 11, 2, 11, 0);
    assert_int_equal(book(f, &f->res2, R_APPROVAL, t10, t11, &s, &err), LS_OK);
    int64_t id = s.items[0].id;
    struct booking_actor owner = {&f->owner1, NULL, NOW};
    struct booking_actor booker = {&f->res2, NULL, NOW};
    assert_int_equal(booking_approve(&out, f->t->db, &f->a, &owner, id, &err), LS_OK);
    /* the owner moves it: stays approved */
    struct booking_change c = {
        .has_start = 1, .has_end = 1, .start = t10 + 3600, .end = t11 + 3600};
    assert_int_equal(booking_move(&out, f->t->db, &f->a, &owner, id, &c, &err), LS_OK);
    assert_int_equal(out.status, BOOKING_APPROVED);
    assert_int_equal(out.start, t10 + 3600);
    /* a purpose change by the booker keeps the approval */
    struct booking_change p = {.has_purpose = 1, .purpose = "FACS sort"};
    assert_int_equal(booking_move(&out, f->t->db, &f->a, &booker, id, &p, &err), LS_OK);
    assert_int_equal(out.status, BOOKING_APPROVED);
    assert_string_equal(out.purpose, "FACS sort");
    /* the booker moves it: back to pending */
    c.start = t10;
    c.end = t11;
    assert_int_equal(booking_move(&out, f->t->db, &f->a, &booker, id, &c, &err), LS_OK);
    assert_int_equal(out.status, BOOKING_PENDING);
    assert_int_equal(out.decided_by, 0);
    assert_int_equal(out.sequence, 4);
    /* every rule again: off grid, outside hours, onto an approved booking */
    c.start = t10 + 600;
    assert_int_equal(booking_move(&out, f->t->db, &f->a, &booker, id, &c, &err), LS_EVALIDATION);
    c.start = at(2026, 11, 7, 10, 0);
    c.end = at(2026, 11, 7, 11, 0);
    assert_int_equal(booking_move(&out, f->t->db, &f->a, &booker, id, &c, &err), LS_EVALIDATION);
    assert_int_equal(
        book(f, &f->res1, R_APPROVAL, at(2026, 11, 3, 10, 0), at(2026, 11, 3, 11, 0), &s, &err),
        LS_OK);
    assert_int_equal(booking_approve(&out, f->t->db, &f->a, &owner, s.items[0].id, &err), LS_OK);
    c.start = at(2026, 11, 3, 10, 30);
    c.end = at(2026, 11, 3, 11, 30);
    ls_err_clear(&err);
    assert_int_equal(booking_move(&out, f->t->db, &f->a, &booker, id, &c, &err), LS_ECONFLICT);
    assert_int_equal(err.conflicts[0], s.items[0].id);
    /* moving onto its own old span is fine (it does not conflict with itself) */
    c.start = t10;
    c.end = t11 + 1800;
    assert_int_equal(booking_move(&out, f->t->db, &f->a, &booker, id, &c, &err), LS_OK);
    assert_int_equal(count(f, "SELECT count(*) FROM audit_log WHERE action = 'booking.move'"), 4);
}

static void booking__no_show_after_end_by_managers(void **state)
{
    struct fx *f = *state;
    struct booking_set s;
    struct ls_err err;
    struct booking out;
    int64_t t10 = at(2026, 11, 2, 10, 0), t11 = at(2026, 11, 2, 11, 0);
    assert_int_equal(book(f, &f->res2, R_AUTO, t10, t11, &s, &err), LS_OK);
    int64_t id = s.items[0].id;
    struct booking_actor early = {&f->owner1, NULL, t11 - 1};
    struct booking_actor later = {&f->owner1, NULL, t11};
    struct booking_actor booker = {&f->res2, NULL, t11 + 60};
    assert_int_equal(booking_set_no_show(&out, f->t->db, &f->a, &early, id, 1, &err), LS_ECONFLICT);
    assert_int_equal(booking_set_no_show(&out, f->t->db, &f->a, &booker, id, 1, &err),
                     LS_EFORBIDDEN);
    assert_int_equal(booking_set_no_show(&out, f->t->db, &f->a, &later, id, 1, &err), LS_OK);
    assert_true(out.no_show);
    assert_int_equal(booking_set_no_show(&out, f->t->db, &f->a, &later, id, 0, &err), LS_OK);
    assert_false(out.no_show);
    assert_int_equal(out.sequence, 2);
    /* pending bookings cannot be no-shows */
    assert_int_equal(book(f, &f->res2, R_APPROVAL, t10, t11, &s, &err), LS_OK);
    assert_int_equal(booking_set_no_show(&out, f->t->db, &f->a, &later, s.items[0].id, 1, &err),
                     LS_ECONFLICT);
}

static void booking__list_and_get_follow_visibility(void **state)
{
    struct fx *f = *state;
    struct booking_set s, l;
    struct ls_err err;
    struct booking b;
    assert_int_equal(
        book(f, &f->res2, R_AUTO, at(2026, 11, 2, 10, 0), at(2026, 11, 2, 11, 0), &s, &err), LS_OK);
    int64_t on_org1 = s.items[0].id;
    char sql[160];
    snprintf(sql, sizeof sql,
             "INSERT INTO training(resource_id, user_id, granted_at) VALUES (4, %lld, 0)",
             (long long)f->res1.id);
    testdb_exec(f->t, sql);
    assert_int_equal(
        book(f, &f->res1, R_TRAINING, at(2026, 11, 2, 9, 0), at(2026, 11, 2, 10, 0), &s, &err),
        LS_OK);
    int64_t on_org2 = s.items[0].id;
    struct booking_filter all = {.status = -1};
    /* researcher: own only */
    assert_int_equal(booking_list(&l, f->t->db, &f->a, &f->res2, &all, &err), LS_OK);
    assert_int_equal(l.total, 1);
    assert_int_equal(l.items[0].id, on_org1);
    assert_int_equal(booking_get(&b, f->t->db, &f->a, &f->res2, on_org2, &err), LS_ENOTFOUND);
    /* owner: own + on their resources; staff: all, ordered by start */
    assert_int_equal(booking_list(&l, f->t->db, &f->a, &f->owner1, &all, &err), LS_OK);
    assert_int_equal(l.total, 1);
    assert_int_equal(booking_get(&b, f->t->db, &f->a, &f->owner1, on_org1, &err), LS_OK);
    assert_int_equal(booking_list(&l, f->t->db, &f->a, &f->staff, &all, &err), LS_OK);
    assert_int_equal(l.total, 2);
    assert_int_equal(l.items[0].id, on_org2);
    /* filters */
    struct booking_filter fl = {.status = -1, .resource_id = R_AUTO};
    assert_int_equal(booking_list(&l, f->t->db, &f->a, &f->staff, &fl, &err), LS_OK);
    assert_int_equal(l.total, 1);
    fl = (struct booking_filter){.status = BOOKING_PENDING};
    assert_int_equal(booking_list(&l, f->t->db, &f->a, &f->staff, &fl, &err), LS_OK);
    assert_int_equal(l.total, 0);
    fl = (struct booking_filter){
        .status = -1, .from = at(2026, 11, 2, 10, 0), .to = at(2026, 11, 2, 12, 0)};
    assert_int_equal(booking_list(&l, f->t->db, &f->a, &f->staff, &fl, &err), LS_OK);
    assert_int_equal(l.total, 1); /* the 09–10 booking ends at 10: half-open, no overlap */
    fl = (struct booking_filter){.status = -1, .mine = 1};
    assert_int_equal(booking_list(&l, f->t->db, &f->a, &f->staff, &fl, &err), LS_OK);
    assert_int_equal(l.total, 0);
    fl = (struct booking_filter){.status = -1, .limit = 1, .offset = 1};
    assert_int_equal(booking_list(&l, f->t->db, &f->a, &f->staff, &fl, &err), LS_OK);
    assert_int_equal(l.total, 2);
    assert_int_equal(l.n, 1);
    assert_int_equal(l.items[0].id, on_org1);
}

static void booking__availability_shows_open_busy_and_blackouts(void **state)
{
    struct fx *f = *state;
    struct booking_set s;
    struct ls_err err;
    assert_int_equal(
        book(f, &f->res2, R_APPROVAL, at(2026, 11, 2, 10, 0), at(2026, 11, 2, 11, 0), &s, &err),
        LS_OK);
    assert_int_equal(
        book(f, &f->res1, R_APPROVAL, at(2026, 11, 3, 10, 0), at(2026, 11, 3, 11, 0), &s, &err),
        LS_OK);
    int64_t mine = s.items[0].id;
    testdb_exec(f->t, "INSERT INTO blackouts(resource_id, start, end, reason, created)"
                      " VALUES (2, 1794232800, 1794254400, 'holiday', 0)"); /* 9 Nov */
    struct booking_availability av;
    int64_t from = at(2026, 11, 2, 0, 0), to = at(2026, 11, 16, 0, 0);
    assert_int_equal(
        booking_availability(&av, f->t->db, &f->a, &f->res1, R_APPROVAL, from, to, &err), LS_OK);
    assert_int_equal(av.nopen, 10);
    assert_int_equal(av.open[0].start, at(2026, 11, 2, 8, 0));
    assert_int_equal(av.nbusy, 2);
    assert_false(av.busy[0].mine);
    assert_int_equal(av.busy[0].booking_id, 0);
    assert_true(av.busy[1].mine);
    assert_int_equal(av.busy[1].booking_id, mine);
    assert_int_equal(av.nblackouts, 1);
    assert_string_equal(av.blackouts[0].reason, "holiday");
    /* the managing owner sees every id */
    assert_int_equal(
        booking_availability(&av, f->t->db, &f->a, &f->owner1, R_APPROVAL, from, to, &err), LS_OK);
    assert_true(av.busy[0].booking_id > 0);
    assert_int_equal(booking_availability(&av, f->t->db, &f->a, &f->res1, R_APPROVAL, from,
                                          from + 63 * 86400, &err),
                     LS_EVALIDATION);
    assert_string_equal(err.field, "to");
    assert_int_equal(booking_availability(&av, f->t->db, &f->a, &f->res1, 99, from, to, &err),
                     LS_ENOTFOUND);
}

static void booking__demo_bookings_follow_the_rules(void **state)
{
    struct fx *f = *state;
    /* a 24/7 desk too, so windows across midnight are exercised */
    testdb_exec(f->t, "INSERT INTO resources(id, lab_id, type, name, slot_minutes, min_minutes,"
                      " max_minutes, requires_approval, created, updated)"
                      " VALUES (5, 2, 'desk', 'Desk', 60, 60, 600, 0, 0, 0);"
                      "INSERT INTO opening_hours(resource_id, weekday, open_min, close_min)"
                      " WITH RECURSIVE d(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM d WHERE n < 7)"
                      " SELECT 5, n, 0, 1440 FROM d;");
    assert_int_equal(demo_bookings(f->t->db), 0);
    assert_true(count(f, "SELECT count(*) FROM bookings") > 100);
    assert_int_equal(count(f, "SELECT count(*) FROM bookings a JOIN bookings b"
                              " ON a.resource_id = b.resource_id AND a.id < b.id"
                              " WHERE a.status IN ('pending','approved')"
                              " AND b.status IN ('pending','approved')"
                              " AND a.start < b.end AND b.start < a.end"),
                     0);
    assert_true(count(f, "SELECT count(*) FROM bookings WHERE status = 'approved'") >
                count(f, "SELECT count(*) FROM bookings WHERE status <> 'approved'"));
    assert_true(count(f, "SELECT count(*) FROM bookings WHERE status = 'pending'") > 0);
    assert_true(count(f, "SELECT count(*) FROM bookings WHERE status = 'declined'") > 0);
    assert_true(count(f, "SELECT count(*) FROM bookings WHERE status = 'cancelled'"
                         " AND cancelled_at IS NOT NULL") > 0);
    assert_true(count(f, "SELECT count(*) FROM bookings WHERE no_show = 1") > 0);
    assert_true(count(f, "SELECT count(*) FROM bookings WHERE series_id IS NOT NULL") >= 6);
    assert_true(count(f, "SELECT count(*) FROM bookings b JOIN resources r ON r.id = b.resource_id"
                         " JOIN labs l ON l.id = r.lab_id"
                         " WHERE b.organisation_id <> l.organisation_id") > 0);
    assert_int_equal(count(f, "SELECT count(*) FROM bookings WHERE no_show = 1"
                              " AND (status <> 'approved' OR end > strftime('%s','now'))"),
                     0);
    assert_int_equal(count(f, "SELECT count(*) FROM bookings WHERE created > updated"
                              " OR updated > strftime('%s','now') + 5"),
                     0);
    assert_true(count(f, "SELECT count(*) FROM bookings WHERE start < strftime('%s','now')") > 0);
    assert_true(count(f, "SELECT count(*) FROM bookings WHERE start > strftime('%s','now')") > 0);
    /* every booking fits its resource's hours, grid, length and sharing rules */
    struct db_stmt *st = NULL;
    assert_int_equal(db_prepare(f->t->db,
                                "SELECT b.resource_id, b.start, b.end, b.user_id"
                                " FROM bookings b",
                                &st),
                     DB_OK);
    struct ls_err err = {0};
    while (db_step(st) == DB_ROW) {
        struct resource_rules rr;
        int64_t start = db_column_int64(st, 1), end = db_column_int64(st, 2);
        assert_int_equal(catalogue_resource_rules(f->t->db, db_column_int64(st, 0), &rr, &err),
                         LS_OK);
        assert_int_equal(hours_fit(&rr.hours, start, end, rr.slot_minutes), HOURS_FITS);
        assert_true(end - start >= rr.min_minutes * 60 && end - start <= rr.max_minutes * 60);
        if (rr.requires_training)
            assert_true(catalogue_user_trained(f->t->db, rr.id, db_column_int64(st, 3)));
    }
    db_finalize(st);
    assert_int_equal(count(f, "SELECT count(*) FROM bookings WHERE status = 'pending'"
                              " AND start < strftime('%s','now')"),
                     0);
    assert_int_equal(count(f, "SELECT count(*) FROM bookings b JOIN users u ON u.id = b.user_id"
                              " WHERE u.role = 'staff'"),
                     0);
}

static void booking__demo_bookings_skip_an_empty_catalogue(void **state)
{
    struct fx *f = *state;
    testdb_exec(f->t, "DELETE FROM opening_hours; DELETE FROM resources;");
    assert_int_equal(demo_bookings(f->t->db), 0);
    assert_int_equal(count(f, "SELECT count(*) FROM bookings"), 0);
}

static void booking__rrule_refuses_local_times_dst_skips_or_repeats(void **state)
{
    (void)state;
    int64_t starts[BOOKING_MAX_OCCURRENCES], ends[BOOKING_MAX_OCCURRENCES];
    int n = 0;
    struct ls_err err = {0};
    int64_t horizon = NOW + (int64_t)BOOKING_HORIZON_DAYS * 86400;
    /* Sunday 02:30 weekly: the next Sunday's 02:30 does not exist (28 March 2027) */
    int64_t s = at(2027, 3, 21, 2, 30);
    assert_int_equal(
        booking_expand_rrule(starts, ends, &n, "FREQ=WEEKLY;COUNT=2", s, s + 3600, horizon, &err),
        LS_EVALIDATION);
    assert_string_equal(err.field, "rrule");
    assert_non_null(strstr(err.message, "skipped by the daylight-saving change"));
    /* …and on 31 October 2027 it happens twice */
    s = at(2027, 10, 24, 2, 30);
    assert_int_equal(booking_expand_rrule(starts, ends, &n, "RRULE:FREQ=WEEKLY;COUNT=2", s,
                                          s + 1800, horizon, &err),
                     LS_EVALIDATION);
    assert_non_null(strstr(err.message, "happens twice"));
    /* a night span crossing the October change keeps its wall-clock length */
    s = at(2027, 10, 23, 22, 0);
    assert_int_equal(booking_expand_rrule(starts, ends, &n, "FREQ=DAILY;COUNT=3", s,
                                          at(2027, 10, 24, 1, 0), horizon, &err),
                     LS_OK);
    assert_int_equal(n, 3);
    assert_int_equal(ends[0] - starts[0], 3 * 3600);
    assert_int_equal(ends[1] - starts[1], 3 * 3600);
    struct tu_local l;
    tu_to_local(starts[2], &l);
    assert_int_equal(l.hour, 22);
    assert_int_equal(l.day, 25);
    /* UNTIL as a date includes that whole local day */
    s = at(2026, 11, 2, 10, 0);
    assert_int_equal(booking_expand_rrule(starts, ends, &n, "FREQ=DAILY;UNTIL=20261104", s,
                                          s + 3600, horizon, &err),
                     LS_OK);
    assert_int_equal(n, 3);
    /* a UTC UNTIL is exact: 10:00 CET is 09:00Z */
    assert_int_equal(booking_expand_rrule(starts, ends, &n, "FREQ=DAILY;UNTIL=20261104T090000Z", s,
                                          s + 3600, horizon, &err),
                     LS_OK);
    assert_int_equal(n, 3);
    assert_int_equal(booking_expand_rrule(starts, ends, &n, "FREQ=DAILY;UNTIL=20261104T085959Z", s,
                                          s + 3600, horizon, &err),
                     LS_OK);
    assert_int_equal(n, 2);
}

/* Rules whose filters the start cannot pass (or whose month or year holds
 * no occurrence at all) are refused before libical walks them: libical
 * would search to the year 20000 or step hour by hour for centuries (fuzz
 * finding, corpus/rrule/slow-*). Legitimate sparse rules still expand. */
static void booking__rrule_that_cannot_start_is_refused_before_libical_walks(void **state)
{
    (void)state;
    int64_t starts[BOOKING_MAX_OCCURRENCES], ends[BOOKING_MAX_OCCURRENCES];
    int n = 0;
    struct ls_err err = {0};
    int64_t horizon = NOW + (int64_t)BOOKING_HORIZON_DAYS * 86400;
    int64_t s = at(2026, 11, 27, 9, 0); /* the last Friday of November 2026 */
    static const char *const never[] = {
        "FREQ=MONTHLY;BYDAY=53FR;COUNT=6",           /* a 53rd Friday of a month */
        "FREQ=MONTHLY;BYDAY=6FR;COUNT=6",            /* a 6th Friday */
        "FREQ=MONTHLY;BYSETPOS=30;BYDAY=FR;COUNT=3", /* the 30th of ≤ 5 Fridays */
        "FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=30;COUNT=3",
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30;COUNT=3",
        "FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=30;COUNT=3",
        "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;COUNT=3",
        "FREQ=WEEKLY;BYMONTH=2;COUNT=3", /* a limit the start (November) fails */
        "FREQ=DAILY;BYDAY=MO;COUNT=3",   /* the start is a Friday */
    };
    for (size_t i = 0; i < sizeof never / sizeof *never; i++) {
        int rc = booking_expand_rrule(starts, ends, &n, never[i], s, s + 3600, horizon, &err);
        if (rc != LS_EVALIDATION || strcmp(err.field, "rrule") != 0 ||
            !strstr(err.message, "is not an occurrence"))
            fail_msg("%s: rc %d field %s (%s)", never[i], rc, err.field, err.message);
    }
    /* RFC 5545 forbids numbered weekdays outside MONTHLY/YEARLY, and
     * RFC 7529 calendars are not ours. */
    assert_int_equal(booking_expand_rrule(starts, ends, &n, "FREQ=WEEKLY;BYDAY=-1FR;COUNT=2", s,
                                          s + 3600, horizon, &err),
                     LS_EVALIDATION);
    assert_non_null(strstr(err.message, "MONTHLY or YEARLY"));
    assert_int_equal(booking_expand_rrule(starts, ends, &n, "RSCALE=GREGORIAN;FREQ=MONTHLY;COUNT=2",
                                          s, s + 3600, horizon, &err),
                     LS_EVALIDATION);
    assert_non_null(strstr(err.message, "RSCALE"));
    /* Real sparse rules: the last Friday, the 5th Friday (only some months
     * have one), a yearly last-Friday-of-November. */
    assert_int_equal(booking_expand_rrule(starts, ends, &n, "FREQ=MONTHLY;BYDAY=-1FR;COUNT=6", s,
                                          s + 3600, horizon, &err),
                     LS_OK);
    assert_int_equal(n, 6);
    struct tu_local l;
    tu_to_local(starts[5], &l); /* the last Friday of April 2027 */
    assert_int_equal(l.month, 4);
    assert_int_equal(l.day, 30);
    assert_int_equal(booking_expand_rrule(starts, ends, &n, "FREQ=MONTHLY;BYDAY=5FR;COUNT=3", s,
                                          s + 3600, horizon, &err),
                     LS_EVALIDATION); /* 27 Nov 2026 is the 4th Friday: not the rule's */
    assert_non_null(strstr(err.message, "first occurrence"));
    s = at(2027, 1, 29, 9, 0); /* the 5th Friday of January 2027 */
    assert_int_equal(booking_expand_rrule(starts, ends, &n, "FREQ=MONTHLY;BYDAY=5FR;COUNT=3", s,
                                          s + 3600, horizon, &err),
                     LS_OK);
    tu_to_local(starts[1], &l); /* then 30 April, 30 July 2027 */
    assert_int_equal(l.month, 4);
    assert_int_equal(l.day, 30);
    tu_to_local(starts[2], &l);
    assert_int_equal(l.month, 7);
    assert_int_equal(l.day, 30);
    s = at(2026, 11, 27, 9, 0);
    assert_int_equal(booking_expand_rrule(starts, ends, &n,
                                          "FREQ=YEARLY;BYMONTH=11;BYDAY=-1FR;COUNT=2", s, s + 3600,
                                          horizon, &err),
                     LS_OK);
    tu_to_local(starts[1], &l);
    assert_int_equal(l.year, 2027);
    assert_int_equal(l.day, 26);
}

/* ------------------------------------------------------------------ */
/* Accounts and State aid                                               */

/* A booking request with the money members set. */
static int book_money(struct fx *f, const struct user *u, int64_t res, int64_t s, int64_t e,
                      const char *cost_centre, int economic, struct booking_set *out,
                      struct ls_err *err)
{
    struct booking_actor who = {u, "127.0.0.1", NOW};
    struct booking_request q = {.resource_id = res,
                                .start = s,
                                .end = e,
                                .project = "Grant 7",
                                .cost_centre = cost_centre,
                                .economic = economic > 0,
                                .has_economic = economic >= 0};
    ls_err_clear(err);
    return booking_create(out, f->t->db, &f->a, &who, &q, err);
}

static void booking__keeps_the_price_of_the_bookers_class(void **state)
{
    struct fx *f = *state;
    struct booking_set s;
    struct ls_err err;
    testdb_exec(f->t, "UPDATE resources SET price_currency = 'PLN', price_internal = 10,"
                      " price_member_academic = 20, price_member_commercial = 30,"
                      " price_non_member = NULL WHERE id = 1;"
                      "UPDATE organisations SET package = 'silver' WHERE id = 2");
    int64_t s0 = at(2026, 11, 2, 10, 0), e0 = at(2026, 11, 2, 11, 30);
    /* res2: a member in R&D with the silver package: 20.00 − 10 % = 18.00 × 1.5 h */
    assert_int_equal(book_money(f, &f->res2, R_AUTO, s0, e0, NULL, -1, &s, &err), LS_OK);
    const struct price *p = &s.items[0].price;
    assert_non_null(s.items[0].price.currency);
    assert_string_equal(p->class_name, "member_academic");
    assert_true(p->rate_minor == 1800 && p->seconds == 5400 && p->net_minor == 2700);
    assert_string_equal(s.items[0].project, "Grant 7");
    /* the owning organisation's own user: internal, no discount */
    assert_int_equal(book_money(f, &f->res1, R_AUTO, e0, e0 + 3600, NULL, -1, &s, &err), LS_OK);
    assert_string_equal(s.items[0].price.class_name, "internal");
    assert_true(s.items[0].price.net_minor == 1000);
    /* A guest's class has no rate: refused; staff may book, unpriced. */
    assert_int_equal(book_money(f, &f->guest, R_AUTO, e0 + 3600, e0 + 7200, NULL, -1, &s, &err),
                     LS_EFORBIDDEN);
    assert_string_equal(err.field, "resource_id");
    assert_int_equal(book_money(f, &f->staff, R_AUTO, e0 + 3600, e0 + 7200, NULL, -1, &s, &err),
                     LS_OK);
    assert_true(s.items[0].price.rate_minor == PRICE_NONE && isnan(s.items[0].price.net));
    /* A price list changed later leaves kept prices alone. */
    testdb_exec(f->t, "UPDATE resources SET price_member_academic = 99 WHERE id = 1");
    assert_int_equal(count(f, "SELECT price_net FROM bookings WHERE start = 1793610000"), 2700);
    /* A list holds what each booking keeps, as booking_get reads it, in its
     * own copies (a list is read from rows without copying first). */
    struct booking_set l;
    struct booking_filter all = {.status = -1, .from = s0, .to = e0 + 7200};
    assert_int_equal(booking_list(&l, f->t->db, &f->a, &f->staff, &all, &err), LS_OK);
    assert_int_equal(l.n, 3);
    for (int i = 0; i < l.n; i++) {
        const struct booking *x = &l.items[i];
        struct booking b;
        assert_int_equal(booking_get(&b, f->t->db, &f->a, &f->staff, x->id, &err), LS_OK);
        assert_string_equal(x->project, b.project);
        assert_true(!x->cost_centre && !b.cost_centre);
        assert_int_equal(x->economic, b.economic);
        assert_string_equal(x->price.currency, b.price.currency);
        assert_string_equal(x->price.class_name, b.price.class_name);
        assert_true(x->price.rate_minor == b.price.rate_minor &&
                    x->price.seconds == b.price.seconds && x->price.net_minor == b.price.net_minor);
    }
    assert_string_equal(l.items[0].price.class_name, "member_academic");
    /* A move keeps the class and the rate agreed (not the new list's 99.00)
     * and prices the new length: 18.00 × 2 h; the unpriced one stays so. */
    struct booking_actor booker = {&f->res2, "127.0.0.1", NOW},
                         staff = {&f->staff, "127.0.0.1", NOW};
    struct booking moved;
    struct booking_change longer = {.has_start = 1, .start = s0 - 1800};
    assert_int_equal(booking_move(&moved, f->t->db, &f->a, &booker, l.items[0].id, &longer, &err),
                     LS_OK);
    assert_string_equal(moved.price.class_name, "member_academic");
    assert_true(moved.price.rate_minor == 1800 && moved.price.seconds == 7200 &&
                moved.price.net_minor == 3600);
    struct booking_change later = {
        .has_start = 1, .has_end = 1, .start = e0 + 7200, .end = e0 + 14400};
    assert_int_equal(booking_move(&moved, f->t->db, &f->a, &staff, l.items[2].id, &later, &err),
                     LS_OK);
    assert_true(moved.price.rate_minor == PRICE_NONE && moved.price.seconds == 7200 &&
                moved.price.net_minor == PRICE_NONE);
}

static void booking__cost_centre_and_the_economic_flag(void **state)
{
    struct fx *f = *state;
    struct booking_set s;
    struct ls_err err;
    testdb_exec(f->t, "UPDATE organisations SET requires_cost_centre = 1 WHERE id = 2");
    int64_t s0 = at(2026, 11, 3, 10, 0);
    assert_int_equal(book_money(f, &f->res2, R_AUTO, s0, s0 + 3600, NULL, -1, &s, &err),
                     LS_EVALIDATION);
    assert_string_equal(err.field, "cost_centre");
    assert_int_equal(count(f, "SELECT count(*) FROM bookings"), 0);
    assert_int_equal(book_money(f, &f->res2, R_AUTO, s0, s0 + 3600, "MPK-1", -1, &s, &err), LS_OK);
    assert_string_equal(s.items[0].cost_centre, "MPK-1");
    assert_false(s.items[0].economic); /* R&D member */
    assert_int_equal(book_money(f, &f->res1, R_AUTO, s0 + 3600, s0 + 7200, NULL, -1, &s, &err),
                     LS_OK);
    assert_true(s.items[0].economic); /* BIZ member */
    assert_int_equal(book_money(f, &f->guest, R_AUTO, s0 + 7200, s0 + 9000, NULL, -1, &s, &err),
                     LS_OK);
    assert_true(s.items[0].economic); /* a guest */
    /* Only the resource's managers set it. */
    assert_int_equal(book_money(f, &f->res2, R_APPROVAL, s0, s0 + 3600, "MPK-1", 1, &s, &err),
                     LS_EFORBIDDEN);
    assert_string_equal(err.field, "economic");
    assert_int_equal(book_money(f, &f->owner1, R_APPROVAL, s0, s0 + 3600, NULL, 0, &s, &err),
                     LS_OK);
    assert_false(s.items[0].economic);
    struct booking b;
    struct booking_actor owner = {&f->owner1, NULL, NOW}, booker = {&f->res2, NULL, NOW};
    int64_t id = s.items[0].id;
    assert_int_equal(booking_set_economic(&b, f->t->db, &f->a, &booker, id, 1, 0, &err),
                     LS_ENOTFOUND); /* not theirs to see */
    assert_int_equal(booking_set_economic(&b, f->t->db, &f->a, &owner, id, 1, 0, &err), LS_OK);
    assert_true(b.economic);
    assert_int_equal(count(f, "SELECT count(*) FROM audit_log WHERE action = 'booking.economic'"),
                     1);
}

static void booking__state_aid_cap_guards_requests_and_approvals(void **state)
{
    struct fx *f = *state;
    struct booking_set s;
    struct ls_err err;
    /* 2026: 261 weekdays of 10 h; a cap of 0.001 is 2.61 h. */
    testdb_exec(f->t, "UPDATE resources SET funding_programme = 'FENG', funding_cap = 0.001"
                      " WHERE id = 2");
    int64_t d1 = at(2026, 11, 2, 10, 0), d2 = at(2026, 11, 3, 10, 0), d3 = at(2026, 11, 4, 10, 0);
    assert_int_equal(book_money(f, &f->guest, R_APPROVAL, d1, d1 + 7200, NULL, -1, &s, &err),
                     LS_OK);
    int64_t a = s.items[0].id;
    assert_int_equal(book_money(f, &f->guest, R_APPROVAL, d2, d2 + 3600, NULL, -1, &s, &err),
                     LS_OK);
    int64_t b = s.items[0].id;
    /* Requests count only what is approved: 3 h at once is too much. */
    assert_int_equal(book_money(f, &f->guest, R_APPROVAL, d3, d3 + 3 * 3600, NULL, -1, &s, &err),
                     LS_EECONOMIC_CAP);
    struct booking out;
    struct booking_set set;
    struct booking_actor owner = {&f->owner1, NULL, NOW}, staff = {&f->staff, "10.0.0.9", NOW};
    assert_int_equal(booking_approve(&out, f->t->db, &f->a, &owner, a, &err), LS_OK);
    assert_int_equal(booking_approve(&out, f->t->db, &f->a, &owner, b, &err), LS_EECONOMIC_CAP);
    assert_int_equal(count(f, "SELECT count(*) FROM bookings WHERE status = 'approved'"), 1);
    /* An owner cannot override; staff can, and it is audited. */
    assert_int_equal(
        booking_decide(&set, f->t->db, &f->a, &owner, b, 1, NULL, BOOKING_DECIDE_OVER_CAP, &err),
        LS_EECONOMIC_CAP);
    assert_int_equal(
        booking_decide(&set, f->t->db, &f->a, &staff, b, 1, NULL, BOOKING_DECIDE_OVER_CAP, &err),
        LS_OK);
    assert_int_equal(set.items[0].status, BOOKING_APPROVED);
    assert_int_equal(count(f, "SELECT count(*) FROM audit_log WHERE"
                              " action = 'booking.economic_cap_override' AND ip = '10.0.0.9'"),
                     1);
    /* Economic use passed 80 % of the cap: owner1 was told, once. */
    assert_int_equal(count(f, "SELECT count(*) FROM outbox WHERE kind = 'economic'"), 1);
}

/* A move of approved economic use is judged at its new length, and its
 * owners hear when it takes the resource past 80 % of the cap. */
static void booking__a_move_counts_economic_use_at_its_new_length(void **state)
{
    struct fx *f = *state;
    struct booking_set s;
    struct ls_err err;
    /* 2026: 261 weekdays of 10 h; a cap of 0.001 is 2.61 h. */
    testdb_exec(f->t, "UPDATE resources SET funding_programme = 'FENG', funding_cap = 0.001"
                      " WHERE id = 2");
    int64_t d1 = at(2026, 11, 2, 10, 0);
    assert_int_equal(book_money(f, &f->guest, R_APPROVAL, d1, d1 + 7200, NULL, -1, &s, &err),
                     LS_OK);
    int64_t id = s.items[0].id;
    struct booking out;
    struct booking_actor owner = {&f->owner1, NULL, NOW};
    assert_int_equal(booking_approve(&out, f->t->db, &f->a, &owner, id, &err), LS_OK);
    /* 2 h: 77 % of the cap, nobody told. */
    assert_int_equal(count(f, "SELECT count(*) FROM outbox WHERE kind = 'economic'"), 0);
    struct booking_change too_long = {.has_end = 1, .end = d1 + 3 * 3600};
    assert_int_equal(booking_move(&out, f->t->db, &f->a, &owner, id, &too_long, &err),
                     LS_EECONOMIC_CAP);
    struct booking_change longer = {.has_end = 1, .end = d1 + 9000};
    assert_int_equal(booking_move(&out, f->t->db, &f->a, &owner, id, &longer, &err), LS_OK);
    /* 2.5 h: 96 % of the cap, the owners told once. */
    assert_int_equal(count(f, "SELECT count(*) FROM outbox WHERE kind = 'economic'"), 1);
}

/* A series approved in one decision counts every economic occurrence
 * against the cap together: all of them fit, or none is approved. */
static void booking__series_approval_checks_the_cap_on_all_together(void **state)
{
    struct fx *f = *state;
    struct booking_set s, out;
    struct ls_err err;
    /* 2026: 261 weekdays of 10 h; a cap of 0.001 is 2.61 h. */
    testdb_exec(f->t, "UPDATE resources SET funding_programme = 'FENG', funding_cap = 0.001"
                      " WHERE id = 2");
    int64_t t10 = at(2026, 11, 2, 10, 0), t11 = at(2026, 11, 2, 11, 0);
    assert_int_equal(
        book_at(f, &f->guest, R_APPROVAL, t10, t11, "FREQ=WEEKLY;COUNT=2", NOW, &s, &err), LS_OK);
    assert_int_equal(s.n, 2);
    assert_true(s.items[0].economic && s.items[1].economic);
    int64_t ids[2] = {s.items[0].id, s.items[1].id};
    struct booking_actor owner = {&f->owner1, NULL, NOW}, staff = {&f->staff, "10.0.0.9", NOW};
    int64_t d = at(2026, 11, 3, 10, 0);
    assert_int_equal(book_at(f, &f->guest, R_APPROVAL, d, d + 3600, NULL, NOW, &s, &err), LS_OK);
    struct booking b;
    assert_int_equal(booking_approve(&b, f->t->db, &f->a, &owner, s.items[0].id, &err), LS_OK);
    /* 1 h approved: either hour of the series would fit, both are 3 h */
    assert_int_equal(
        booking_decide(&out, f->t->db, &f->a, &owner, ids[0], 1, NULL, BOOKING_DECIDE_SERIES, &err),
        LS_EECONOMIC_CAP);
    assert_int_equal(out.n, 0);
    assert_int_equal(count(f, "SELECT count(*) FROM bookings WHERE status = 'approved'"), 1);
    /* staff go over for the lot, each booking audited */
    assert_int_equal(booking_decide(&out, f->t->db, &f->a, &staff, ids[0], 1, NULL,
                                    BOOKING_DECIDE_SERIES | BOOKING_DECIDE_OVER_CAP, &err),
                     LS_OK);
    assert_int_equal(out.n, 2);
    assert_int_equal(out.items[1].id, ids[1]);
    assert_int_equal(out.items[1].status, BOOKING_APPROVED);
    assert_int_equal(count(f, "SELECT count(*) FROM audit_log WHERE"
                              " action = 'booking.economic_cap_override'"),
                     2);
    assert_int_equal(count(f, "SELECT count(*) FROM outbox WHERE kind = 'economic'"), 1);
}

/* Approving or declining a series from one occurrence on: all or none, one
 * message for the lot. */
static void booking__series_decisions_are_all_or_nothing(void **state)
{
    struct fx *f = *state;
    struct booking_set s, one, out;
    struct ls_err err;
    struct booking_actor owner = {&f->owner1, "10.0.0.1", NOW};
    int64_t t10 = at(2026, 11, 2, 10, 0), t11 = at(2026, 11, 2, 11, 0);
    assert_int_equal(
        book_at(f, &f->res2, R_APPROVAL, t10, t11, "FREQ=WEEKLY;COUNT=3", NOW, &s, &err), LS_OK);
    assert_int_equal(s.n, 3);
    int64_t ids[3] = {s.items[0].id, s.items[1].id, s.items[2].id};
    /* someone else's request for the second week, approved */
    assert_int_equal(book(f, &f->res1, R_APPROVAL, s.items[1].start, s.items[1].end, &one, &err),
                     LS_OK);
    struct booking b;
    assert_int_equal(booking_approve(&b, f->t->db, &f->a, &owner, one.items[0].id, &err), LS_OK);
    ls_err_clear(&err);
    assert_int_equal(booking_decide(&out, f->t->db, &f->a, &owner, ids[0], 1, NULL, 1, &err),
                     LS_ECONFLICT);
    assert_int_equal(err.nconflicts, 1);
    assert_int_equal(err.conflicts[0], one.items[0].id);
    assert_int_equal(out.n, 0);
    assert_int_equal(count(f, "SELECT count(*) FROM bookings WHERE series_id IS NOT NULL"
                              " AND status = 'pending'"),
                     3);
    /* the clashing week declined alone; then the rest in one go */
    assert_int_equal(booking_decline(&b, f->t->db, &f->a, &owner, ids[1], "taken", &err), LS_OK);
    assert_int_equal(booking_decide(&out, f->t->db, &f->a, &owner, ids[0], 1, NULL, 1, &err),
                     LS_OK);
    assert_int_equal(out.n, 2);
    assert_int_equal(out.items[0].id, ids[0]);
    assert_int_equal(out.items[1].id, ids[2]);
    assert_int_equal(out.items[1].status, BOOKING_APPROVED);
    assert_int_equal(out.items[1].decided_by, f->owner1.id);
    assert_int_equal(count(f, "SELECT count(*) FROM outbox WHERE kind = 'approved'"
                              " AND occurrences = 2"),
                     1);
    /* not pending any more: a state conflict, series or not */
    assert_int_equal(booking_decide(&out, f->t->db, &f->a, &owner, ids[0], 0, "x", 1, &err),
                     LS_ECONFLICT);
}

static int cancel_txn(struct db *db, void *ctx, struct ls_err *err)
{
    const struct booking_actor *who = ((const struct booking_actor **)ctx)[0];
    int64_t id = *((const int64_t **)ctx)[1];
    return booking_cancel_for_change(db, who, id, CATALOGUE_WHY_HOURS, err);
}

static void booking__cancel_for_change_marks_tells_and_leaves_the_rest(void **state)
{
    struct fx *f = *state;
    struct booking_set s;
    struct ls_err err;
    struct booking_actor owner = {&f->owner1, "10.0.0.1", NOW};
    assert_int_equal(
        book(f, &f->res2, R_AUTO, at(2026, 11, 3, 9, 0), at(2026, 11, 3, 10, 0), &s, &err), LS_OK);
    int64_t id = s.items[0].id;
    const void *ctx[2] = {&owner, &id};
    assert_int_equal(db_write(f->t->db, cancel_txn, ctx, &err), LS_OK);
    struct booking b;
    assert_int_equal(booking_get(&b, f->t->db, &f->a, &f->staff, id, &err), LS_OK);
    assert_int_equal(b.status, BOOKING_CANCELLED);
    assert_int_equal(b.decided_by, f->owner1.id);
    assert_string_equal(b.reason, CATALOGUE_WHY_HOURS);
    assert_int_equal(b.cancelled_at, NOW);
    assert_int_equal(b.sequence, 1);
    assert_int_equal(count(f, "SELECT count(*) FROM outbox WHERE kind = 'cancelled'"), 1);
    /* a booking no longer live is left as it is, and nobody is told twice */
    assert_int_equal(db_write(f->t->db, cancel_txn, ctx, &err), LS_OK);
    assert_int_equal(booking_get(&b, f->t->db, &f->a, &f->staff, id, &err), LS_OK);
    assert_int_equal(b.sequence, 1);
    assert_int_equal(count(f, "SELECT count(*) FROM outbox WHERE kind = 'cancelled'"), 1);
}

/* A move applies the booker's training and sharing; an approval re-checks
 * the hours the owners may have changed, but not training (new requests
 * only). */
static void booking__moves_and_approvals_recheck_what_changed(void **state)
{
    struct fx *f = *state;
    struct booking_set s;
    struct ls_err err;
    struct booking b;
    struct booking_actor owner2 = {&f->owner2, NULL, NOW}, res2 = {&f->res2, NULL, NOW};
    char sql[256];
    snprintf(sql, sizeof sql,
             "INSERT INTO training(resource_id, user_id, granted_at) VALUES (4, %lld, 0)",
             (long long)f->res2.id);
    testdb_exec(f->t, sql);
    assert_int_equal(
        book(f, &f->res2, R_TRAINING, at(2026, 11, 4, 9, 0), at(2026, 11, 4, 10, 0), &s, &err),
        LS_OK);
    testdb_exec(f->t, "DELETE FROM training");
    struct booking_change c = {1, 1, 0, at(2026, 11, 4, 11, 0), at(2026, 11, 4, 12, 0), NULL, 0};
    assert_int_equal(booking_move(&b, f->t->db, &f->a, &res2, s.items[0].id, &c, &err),
                     LS_EFORBIDDEN);
    assert_non_null(strstr(err.message, "training"));
    assert_int_equal(booking_move(&b, f->t->db, &f->a, &owner2, s.items[0].id, &c, &err),
                     LS_EFORBIDDEN);
    assert_non_null(strstr(err.message, "booker"));
    struct booking_change purpose = {0, 0, 1, 0, 0, "calibration", 0};
    assert_int_equal(booking_move(&b, f->t->db, &f->a, &res2, s.items[0].id, &purpose, &err),
                     LS_OK);

    /* approvals: the hours changed under a pending request */
    struct booking_actor owner1 = {&f->owner1, NULL, NOW};
    assert_int_equal(
        book(f, &f->res2, R_APPROVAL, at(2026, 11, 5, 9, 0), at(2026, 11, 5, 10, 0), &s, &err),
        LS_OK);
    testdb_exec(f->t, "UPDATE opening_hours SET open_min = 600 WHERE resource_id = 2");
    assert_int_equal(booking_approve(&b, f->t->db, &f->a, &owner1, s.items[0].id, &err),
                     LS_EVALIDATION);
    testdb_exec(f->t, "UPDATE opening_hours SET open_min = 480 WHERE resource_id = 2;"
                      " UPDATE resources SET requires_training = 1, max_minutes = 30"
                      " WHERE id = 2");
    /* training and lengths apply to new requests only */
    assert_int_equal(booking_approve(&b, f->t->db, &f->a, &owner1, s.items[0].id, &err), LS_OK);
}

static void booking__decidable_lists_what_the_viewer_may_decide(void **state)
{
    struct fx *f = *state;
    struct booking_set s, out;
    struct ls_err err;
    assert_int_equal(
        book(f, &f->res2, R_APPROVAL, at(2026, 11, 2, 9, 0), at(2026, 11, 2, 10, 0), &s, &err),
        LS_OK);
    int64_t mine = s.items[0].id;
    assert_int_equal(
        book(f, &f->res2, R_AUTO, at(2026, 11, 2, 9, 0), at(2026, 11, 2, 10, 0), &s, &err), LS_OK);
    struct booking_filter flt = {.status = -1, .decidable = 1, .limit = 50};
    assert_int_equal(booking_list(&out, f->t->db, &f->a, &f->owner1, &flt, &err), LS_OK);
    assert_int_equal(out.n, 1);
    assert_int_equal(out.items[0].id, mine);
    assert_int_equal(booking_list(&out, f->t->db, &f->a, &f->owner2, &flt, &err), LS_OK);
    assert_int_equal(out.n, 0);
    assert_int_equal(booking_list(&out, f->t->db, &f->a, &f->res2, &flt, &err), LS_OK);
    assert_int_equal(out.n, 0);
    assert_int_equal(booking_list(&out, f->t->db, &f->a, &f->staff, &flt, &err), LS_OK);
    assert_int_equal(out.total, 1);
}

int main(void)
{
    testutil_init();
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        T(booking__status_follows_requires_approval),
        T(booking__time_rules_are_422_naming_the_field),
        T(booking__permission_rules_are_403),
        T(booking__rejects_overlap_but_not_back_to_back),
        T(booking__pending_may_overlap_pending_and_approve_rechecks),
        T(booking__blackouts_conflict),
        T(booking__rrule_stays_10_local_across_march_dst),
        T(booking__rrule_caps_are_422),
        T(booking__rrule_refuses_local_times_dst_skips_or_repeats),
        T(booking__rrule_is_all_or_nothing),
        T(booking__rrule_that_cannot_start_is_refused_before_libical_walks),
        T(booking__cancel_one_and_following),
        T(booking__move_rechecks_and_may_return_to_pending),
        T(booking__no_show_after_end_by_managers),
        T(booking__list_and_get_follow_visibility),
        T(booking__availability_shows_open_busy_and_blackouts),
        T(booking__demo_bookings_follow_the_rules),
        T(booking__demo_bookings_skip_an_empty_catalogue),
        T(booking__keeps_the_price_of_the_bookers_class),
        T(booking__cost_centre_and_the_economic_flag),
        T(booking__state_aid_cap_guards_requests_and_approvals),
        T(booking__a_move_counts_economic_use_at_its_new_length),
        T(booking__series_approval_checks_the_cap_on_all_together),
        T(booking__series_decisions_are_all_or_nothing),
        T(booking__cancel_for_change_marks_tells_and_leaves_the_rest),
        T(booking__moves_and_approvals_recheck_what_changed),
        T(booking__decidable_lists_what_the_viewer_may_decide),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
