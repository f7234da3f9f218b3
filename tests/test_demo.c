/* test_demo.c — the demo catalogue loads into an empty database with what the
 * README promises, deterministically, and refuses a database with data. */
#include "testutil.h"

#include "catalogue.h"
#include "cli.h"

static int64_t scalar(struct testdb *t, const char *sql)
{
    struct db_stmt *st = NULL;
    assert_int_equal(db_prepare(t->db, sql, &st), DB_OK);
    assert_int_equal(db_step(st), DB_ROW);
    int64_t v = db_column_int64(st, 0);
    db_finalize(st);
    return v;
}

/* A fingerprint of the catalogue's content (not its timestamps). */
static char *fingerprint(struct testdb *t)
{
    static const char sql[] =
        "SELECT group_concat(x, '|') FROM ("
        " SELECT o.name || o.grp || o.package || o.member AS x FROM organisations o"
        " UNION ALL SELECT l.name || l.kind || l.area_m2 || l.organisation_id FROM labs l"
        " UNION ALL SELECT r.name || r.type || r.power_kw || r.slot_minutes || r.lab_id"
        "   || r.shared || r.requires_approval || r.requires_training FROM resources r"
        " UNION ALL SELECT h.resource_id || ':' || h.weekday || h.open_min || h.close_min"
        "   FROM opening_hours h"
        " UNION ALL SELECT s.name || s.organisation_id FROM services s"
        " UNION ALL SELECT u.email || u.role || coalesce(u.organisation_id, '-') FROM users u)";
    struct db_stmt *st = NULL;
    assert_int_equal(db_prepare(t->db, sql, &st), DB_OK);
    assert_int_equal(db_step(st), DB_ROW);
    char *out = strdup((const char *)db_column_text(st, 0));
    db_finalize(st);
    return out;
}

static void demo__loads_the_promised_catalogue(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    assert_int_equal(demo_load(t->db, 1), CLI_OK);
    assert_true(scalar(t, "SELECT count(*) FROM organisations") >= 12);
    assert_int_equal(scalar(t, "SELECT count(DISTINCT grp) FROM organisations"), 6);
    assert_true(scalar(t, "SELECT count(*) FROM labs") >= 25);
    assert_true(scalar(t, "SELECT count(*) FROM resources") >= 60);
    assert_true(scalar(t, "SELECT count(*) FROM services") >= 15);
    assert_true(scalar(t, "SELECT count(*) FROM blackouts") >= 3);
    assert_int_equal(scalar(t, "SELECT count(DISTINCT kind) FROM labs"), 5);
    assert_int_equal(scalar(t, "SELECT count(DISTINCT type) FROM resources"), 3);
    /* every organisation has an owner; every lab a resource */
    assert_int_equal(scalar(t, "SELECT count(*) FROM organisations o WHERE NOT EXISTS"
                               " (SELECT 1 FROM users u WHERE u.organisation_id = o.id"
                               "  AND u.role = 'owner')"),
                     0);
    assert_int_equal(scalar(t, "SELECT count(*) FROM labs l WHERE NOT EXISTS"
                               " (SELECT 1 FROM resources r WHERE r.lab_id = l.id)"),
                     0);
    /* the stories: desks book at once, some things need training or are not shared */
    assert_int_equal(scalar(t, "SELECT count(*) FROM resources WHERE type = 'desk'"
                               " AND requires_approval = 1"),
                     0);
    assert_true(scalar(t, "SELECT count(*) FROM resources WHERE requires_training = 1") >= 5);
    assert_true(scalar(t, "SELECT count(*) FROM resources WHERE shared = 0") >= 2);
    assert_true(scalar(t, "SELECT count(*) FROM resources WHERE requires_approval = 1") >
                scalar(t, "SELECT count(*) FROM resources") / 2);
    assert_true(scalar(t, "SELECT count(*) FROM resources r WHERE (SELECT count(*) FROM"
                          " opening_hours h WHERE h.resource_id = r.id AND h.open_min = 0"
                          " AND h.close_min = 1440) = 7") >= 5); /* 24/7 */
    assert_true(scalar(t, "SELECT count(*) FROM resources WHERE slot_minutes = 60") >= 10);
    assert_true(
        scalar(t, "SELECT count(*) FROM resources WHERE category = 'confocal microscope'") >= 3);
    assert_true(scalar(t, "SELECT count(*) FROM resources r JOIN labs l ON l.id = r.lab_id"
                          " WHERE r.type = 'room' AND l.biosafety_level >= 2") >= 3);
    /* the seeds' figures */
    assert_int_equal(scalar(t, "SELECT count(*) FROM labs WHERE area_m2 = 199.4"), 1);
    assert_int_equal(scalar(t, "SELECT sum(area_m2) FROM labs l JOIN organisations o ON"
                               " o.id = l.organisation_id WHERE o.short_name = 'JCI'"
                               " AND l.kind = 'commercial'"),
                     1770);
    assert_int_equal(scalar(t, "SELECT count(*) FROM labs WHERE area_m2 = 166"), 1);
    assert_int_equal(scalar(t, "SELECT sum(area_m2) FROM labs l JOIN organisations o ON"
                               " o.id = l.organisation_id WHERE o.short_name = 'IKiFP PAN'"
                               " AND l.name NOT LIKE 'Hala%'"),
                     1270);
    /* demo accounts: owner@ runs JCI, researcher@ is from another organisation */
    assert_int_equal(scalar(t, "SELECT count(*) FROM users u JOIN organisations o ON"
                               " o.id = u.organisation_id WHERE u.email = 'owner@labshare.demo'"
                               " AND u.role = 'owner' AND o.short_name = 'JCI'"),
                     1);
    assert_int_equal(scalar(t, "SELECT count(*) FROM users WHERE email = 'staff@labshare.demo'"
                               " AND role = 'staff'"),
                     1);
    assert_int_equal(scalar(t, "SELECT (SELECT organisation_id FROM users WHERE email ="
                               " 'researcher@labshare.demo') != (SELECT organisation_id FROM"
                               " users WHERE email = 'owner@labshare.demo')"),
                     1);
    assert_true(scalar(t, "SELECT count(*) FROM users WHERE role = 'researcher'") >= 10);
    assert_true(scalar(t, "SELECT count(*) FROM users WHERE organisation_id IS NULL"
                          " AND role = 'researcher'") >= 2);
    assert_int_equal(scalar(t, "SELECT count(*) FROM organisations WHERE name LIKE '%ł%'") > 0, 1);
    testdb_free(t);
}

static void demo__is_deterministic(void **state)
{
    (void)state;
    struct testdb *a = testdb_new(), *b = testdb_new();
    assert_int_equal(demo_load(a->db, 1), CLI_OK);
    assert_int_equal(demo_load(b->db, 1), CLI_OK);
    char *fa = fingerprint(a), *fb = fingerprint(b);
    assert_string_equal(fa, fb);
    free(fa);
    free(fb);
    testdb_free(a);
    testdb_free(b);
}

static void demo__refuses_a_database_with_data(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    testdb_exec(t, "INSERT INTO organisations(name, grp, created, updated)"
                   " VALUES ('Existing', 'BIZ', 1, 1)");
    assert_int_equal(demo_load(t->db, 1), CLI_FAIL);
    assert_int_equal(scalar(t, "SELECT count(*) FROM organisations"), 1);
    assert_int_equal(scalar(t, "SELECT count(*) FROM users"), 0);
    testdb_free(t);
}

int main(void)
{
    testutil_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(demo__loads_the_promised_catalogue),
        cmocka_unit_test(demo__is_deterministic),
        cmocka_unit_test(demo__refuses_a_database_with_data),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
