/* test_db_sql.c — SQLite's dialect translated for PostgreSQL (db_sql.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "db_sql.h"

static char *tr(const char *sql, int flags, struct db_sql *t)
{
    char err[200];
    int rc = db_sql_translate(sql, flags, t, err, sizeof err);
    if (rc != 0)
        fail_msg("translation failed: %s\n%s", err, sql);
    return t->text;
}

#define ASSERT_TR(sql, want)                                                                       \
    do {                                                                                           \
        struct db_sql t_;                                                                          \
        assert_string_equal(tr(sql, 0, &t_), want);                                                \
        free(t_.text);                                                                             \
    } while (0)

static void params_number_as_sqlite(void **state)
{
    (void)state;
    struct db_sql t;
    /* ?N keeps N; a :name takes one more than the largest so far and keeps
     * its number when repeated; a bare ? too. */
    assert_string_equal(tr("SELECT ?2, :a, ?, :b, :a FROM x WHERE y = ?7", 0, &t),
                        "SELECT $2, $3, $4, $5, $3 FROM x WHERE y = $7");
    assert_int_equal(t.nparams, 7);
    assert_string_equal(t.names[3], ":a");
    assert_string_equal(t.names[5], ":b");
    assert_string_equal(t.names[2], "");
    assert_int_equal(t.used[1], 0);
    assert_int_equal(t.used[7], 1);
    free(t.text);
    /* Inside strings, quoted names and comments nothing changes. */
    ASSERT_TR("SELECT ':a ?1 end', \"x?\" -- ?3 :b\n FROM t",
              "SELECT ':a ?1 end', \"x?\" -- ?3 :b\n FROM t");
    /* PostgreSQL's casts, chained, in SQL typed by hand: no parameters. */
    ASSERT_TR("SELECT indexrelid::regclass::text, :a FROM pg_index",
              "SELECT indexrelid::regclass::text, $1 FROM pg_index");
}

static void end_quoted_but_not_case_end(void **state)
{
    (void)state;
    ASSERT_TR("SELECT b.end, end - start FROM bookings WHERE end > ?1",
              "SELECT b.\"end\", \"end\" - start FROM bookings WHERE \"end\" > $1");
    ASSERT_TR(
        "SELECT CASE WHEN ?1 = 'p' THEN NULL ELSE end END, CASE x WHEN 1 THEN (CASE y END) END",
        "SELECT CASE WHEN $1 = 'p' THEN NULL ELSE \"end\" END, CASE x WHEN 1 THEN (CASE y END) "
        "END");
}

static void dialect_functions(void **state)
{
    (void)state;
    ASSERT_TR("UPDATE r SET updated = max(:now, updated + 1) WHERE id = :id",
              "UPDATE r SET updated = greatest($1, updated + 1) WHERE id = $2");
    /* The aggregate keeps its name; nested scalar max inside it changes. */
    ASSERT_TR("SELECT max(x), min(a, f(b, c)), max(max(a, b), c) FROM t",
              "SELECT max(x), least(a, f(b, c)), greatest(greatest(a, b), c) FROM t");
    ASSERT_TR(
        "DELETE FROM s WHERE u = ?1 AND h IS NOT ?2 AND k IS ?3 AND z IS NOT NULL AND w IS NULL",
        "DELETE FROM s WHERE u = $1 AND h IS DISTINCT FROM $2 AND k IS NOT DISTINCT FROM $3 AND z "
        "IS NOT NULL AND w IS NULL");
    ASSERT_TR("SELECT 1 FROM u WHERE email LIKE 'x%' AND name NOT LIKE ?1",
              "SELECT 1 FROM u WHERE email COLLATE \"C\" ILIKE 'x%' AND name COLLATE \"C\" NOT "
              "ILIKE $1");
    ASSERT_TR("DELETE FROM login_failures WHERE rowid = ?1",
              "DELETE FROM login_failures WHERE id = $1");
    ASSERT_TR("SELECT id FROM bookings INDEXED BY bookings_x WHERE a == 1",
              "SELECT id FROM bookings WHERE a = 1");
    ASSERT_TR("SELECT 1 FROM b INDEXED BY x CROSS JOIN r ON r.id = b.r CROSS JOIN l",
              "SELECT 1 FROM b JOIN r ON r.id = b.r CROSS JOIN l");
    ASSERT_TR("SELECT 1 FROM r WHERE (:q1 IS NULL OR r.search GLOB :q1)",
              "SELECT 1 FROM r WHERE ($1 IS NULL OR r.search COLLATE \"C\" LIKE glob_like($1))");
    /* Integers as truth values where SQL wants a condition, not elsewhere. */
    ASSERT_TR("SELECT 1 FROM t WHERE 1 AND (a = 1 OR 0) LIMIT 1",
              "SELECT 1 FROM t WHERE TRUE AND (a = 1 OR FALSE) LIMIT 1");
    /* A subquery in FROM gets the name PostgreSQL 15 wants; a named one keeps its own. */
    ASSERT_TR("SELECT count(*) FROM (SELECT a FROM t) WHERE 1",
              "SELECT count(*) FROM (SELECT a FROM t) AS labshare_s1 WHERE TRUE");
    ASSERT_TR("SELECT x.a FROM (SELECT a FROM t) x JOIN (SELECT b FROM u) ON 1",
              "SELECT x.a FROM (SELECT a FROM t) x JOIN (SELECT b FROM u) AS labshare_s1 ON TRUE");
    ASSERT_TR("SELECT * FROM (SELECT 1) AS y, t WHERE a IN (SELECT b FROM u)",
              "SELECT * FROM (SELECT 1) AS y, t WHERE a IN (SELECT b FROM u)");
    /* So are integers bound where a condition goes. */
    ASSERT_TR("SELECT 1 FROM u WHERE (:staff OR u.org = :org) AND (?1 IS NULL OR f(?1))",
              "SELECT 1 FROM u WHERE (($1 <> 0) OR u.org = $2) AND ($1 IS NULL OR f($1))");
    ASSERT_TR("SELECT 1 FROM u WHERE a BETWEEN ?1 AND ?2 AND ?3",
              "SELECT 1 FROM u WHERE a BETWEEN $1 AND $2 AND ($3 <> 0)");
    /* …but a BETWEEN's upper bound is a number. */
    ASSERT_TR("SELECT 1 FROM t WHERE c IS NULL OR c BETWEEN 0 AND 1",
              "SELECT 1 FROM t WHERE c IS NULL OR c BETWEEN 0 AND 1");
    ASSERT_TR("SELECT 1 FROM t WHERE c NOT BETWEEN (a + 0) AND 1 AND 1",
              "SELECT 1 FROM t WHERE c NOT BETWEEN (a + 0) AND 1 AND TRUE");
    ASSERT_TR("SELECT a FROM t LIMIT ?1 OFFSET ?2",
              "SELECT a FROM t LIMIT nullif(greatest($1, -1), -1) OFFSET $2");
    ASSERT_TR("SELECT a FROM t LIMIT -1", "SELECT a FROM t LIMIT ALL");
    ASSERT_TR("SELECT CAST(x AS INTEGER), CAST(y AS REAL)",
              "SELECT CAST(x AS BIGINT), CAST(y AS DOUBLE PRECISION)");
}

static void insert_or_ignore(void **state)
{
    (void)state;
    struct db_sql t;
    assert_string_equal(tr("INSERT OR IGNORE INTO training(a, b) VALUES (?1, ?2)", 0, &t),
                        "INSERT INTO training(a, b) VALUES ($1, $2) ON CONFLICT DO NOTHING");
    assert_string_equal(t.insert_table, "training");
    assert_int_equal(t.has_returning, 0);
    free(t.text);
    assert_string_equal(tr("INSERT OR IGNORE INTO t(a) VALUES (1) RETURNING a", 0, &t),
                        "INSERT INTO t(a) VALUES (1) ON CONFLICT DO NOTHING RETURNING a");
    assert_int_equal(t.has_returning, 1);
    free(t.text);
    char *r = db_sql_add_returning("INSERT INTO b(x) VALUES ($1) ", "id");
    assert_string_equal(r, "INSERT INTO b(x) VALUES ($1) RETURNING id");
    free(r);
}

static void refused(void **state)
{
    (void)state;
    struct db_sql t;
    char err[200];
    assert_int_equal(
        db_sql_translate("INSERT OR REPLACE INTO t VALUES (1)", 0, &t, err, sizeof err), -1);
    assert_non_null(strstr(err, "REPLACE"));
    assert_int_equal(db_sql_translate("PRAGMA user_version", 0, &t, err, sizeof err), -1);
    assert_int_equal(db_sql_translate("SELECT ?100", 0, &t, err, sizeof err), -1);
}

static void schema(void **state)
{
    (void)state;
    struct db_sql t;
    assert_string_equal(
        tr("CREATE TABLE x (\n    id INTEGER PRIMARY KEY,\n    h BLOB NOT NULL,\n    a REAL,\n"
           "    end INTEGER NOT NULL CHECK (end > 0) -- the end\n) STRICT, WITHOUT ROWID;\n"
           "CREATE TABLE y (k TEXT PRIMARY KEY) STRICT;\n"
           "CREATE INDEX x_len ON x(end - start) WHERE a = 'approved';\n"
           "CREATE UNIQUE INDEX x_e ON x(a COLLATE NOCASE, end DESC, (a + 1), lower(h));\n",
           DB_SQL_DDL, &t),
        "CREATE TABLE x (\n    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,\n"
        "    h BYTEA NOT NULL,\n    a DOUBLE PRECISION,\n"
        "    \"end\" BIGINT NOT NULL CHECK (\"end\" > 0) -- the end\n) ;\n"
        "CREATE TABLE y (k TEXT PRIMARY KEY) ;\n"
        "CREATE INDEX x_len ON x((\"end\" - start)) WHERE a = 'approved';\n"
        "CREATE UNIQUE INDEX x_e ON x(a COLLATE NOCASE, \"end\" DESC, ((a + 1)), (lower(h)));\n");
    free(t.text);
}

/* A function's body in dollar quotes is PostgreSQL's own: its END, its
 * parameters' look-alikes and its INTEGER stay as written. */
static void dollar_quoted_bodies_untouched(void **state)
{
    (void)state;
    struct db_sql t;
    assert_string_equal(
        tr("CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n"
           "    UPDATE v SET n = n + 1 WHERE k = :k; -- INTEGER ?1\n    RETURN NULL;\nEND\n$$;\n"
           "CREATE TABLE z (end INTEGER);\n",
           DB_SQL_DDL, &t),
        "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n"
        "    UPDATE v SET n = n + 1 WHERE k = :k; -- INTEGER ?1\n    RETURN NULL;\nEND\n$$;\n"
        "CREATE TABLE z (\"end\" BIGINT);\n");
    assert_int_equal(t.nparams, 0);
    free(t.text);
}

static void engine_sections(void **state)
{
    (void)state;
    const char *script =
        "A;\n-- engine: postgresql\nB;\n-- engine: all\nC;\n-- engine: sqlite\nD;\n";
    char *pg = db_sql_for_engine(script, "postgresql");
    char *lite = db_sql_for_engine(script, "sqlite");
    assert_string_equal(pg, "A;\n\nB;\n\nC;\n\n\n");
    assert_string_equal(lite, "A;\n\n\n\nC;\n\nD;\n");
    free(pg);
    free(lite);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(params_number_as_sqlite),
        cmocka_unit_test(end_quoted_but_not_case_end),
        cmocka_unit_test(dialect_functions),
        cmocka_unit_test(insert_or_ignore),
        cmocka_unit_test(refused),
        cmocka_unit_test(schema),
        cmocka_unit_test(dollar_quoted_bodies_untouched),
        cmocka_unit_test(engine_sections),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
