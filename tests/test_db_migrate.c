/* test_db_migrate.c — the schema version and the migrations on real files:
 * a fresh database, databases of the older numbering (a count of files), a
 * database stopped between two files, the databases refused, the build rule
 * of tools/embed.c, and a database written by an earlier labshare with the
 * demo data, upgraded by this one without losing or changing a row. */
#include "testutil.h"

#include <sys/stat.h>
#include <zlib.h>

enum { MARK = 0x4c534831 }; /* PRAGMA application_id of labshare's numbering */

static int last_number(void)
{
    return db_migrations[db_nmigrations - 1].number;
}

/* The first integer of the first row of `sql`. */
static int64_t query_int(struct testdb *t, const char *sql)
{
    struct db_stmt *st = NULL;
    if (db_prepare(t->db, sql, &st) != DB_OK)
        fail_msg("SQL failed: %s\n%s", db_errmsg(t->db), sql);
    assert_int_equal(db_step(st), DB_ROW);
    int64_t v = db_column_int64(st, 0);
    db_finalize(st);
    return v;
}

/* Every table, index and trigger with its SQL, one per line; owned. The
 * statistics of ANALYZE (which `labshare demo` runs) are not schema. */
static char *schema_text(struct testdb *t)
{
    struct db_stmt *st = NULL;
    assert_int_equal(
        db_prepare(t->db,
                   "SELECT group_concat(type || ' ' || name || ' ' || "
                   "coalesce(sql, ''), char(10)) FROM (SELECT * FROM "
                   "sqlite_master WHERE name NOT LIKE 'sqlite_stat%' ORDER BY type, name)",
                   &st),
        DB_OK);
    assert_int_equal(db_step(st), DB_ROW);
    const unsigned char *text = db_column_text(st, 0); /* NULL: no schema */
    char *s = strdup(text ? (const char *)text : "");
    db_finalize(st);
    assert_non_null(s);
    return s;
}

static char *fresh_schema(void)
{
    struct testdb *t = testdb_new();
    char *s = schema_text(t);
    testdb_free(t);
    return s;
}

static void set_marks(struct testdb *t, int application_id, int user_version)
{
    char sql[96];
    snprintf(sql, sizeof sql, "PRAGMA application_id=%d; PRAGMA user_version=%d", application_id,
             user_version);
    testdb_exec(t, sql);
}

/* The first k files as labshare applied them before this numbering: each in
 * its own transaction, user_version the count of files so far, no mark. */
static void apply_counting(struct testdb *t, int k)
{
    char sql[64];
    for (int i = 0; i < k; i++) {
        testdb_exec(t, "BEGIN IMMEDIATE");
        testdb_exec(t, db_migrations[i].sql);
        snprintf(sql, sizeof sql, "PRAGMA user_version=%d", i + 1);
        testdb_exec(t, sql);
        testdb_exec(t, "COMMIT");
    }
}

static void assert_up_to_date(struct testdb *t, const char *fresh)
{
    assert_int_equal(db_schema_version(t->db), last_number());
    assert_int_equal(query_int(t, "PRAGMA user_version"), last_number());
    assert_int_equal(query_int(t, "PRAGMA application_id"), MARK);
    char *s = schema_text(t);
    assert_string_equal(s, fresh); /* every file applied, and each once */
    free(s);
}

static void db__fresh_database_is_at_the_last_file_number(void **state)
{
    (void)state;
    assert_true(db_nmigrations >= 11);
    for (int i = 1; i < db_nmigrations; i++) /* numbered, not counted */
        assert_true(db_migrations[i].number > db_migrations[i - 1].number);
    struct testdb *t = testdb_new_empty();
    assert_int_equal(db_schema_version(t->db), 0);
    struct ls_err err = {0};
    assert_int_equal(db_migrate(t->db, &err), LS_OK);
    char *fresh = schema_text(t);
    assert_up_to_date(t, fresh);
    assert_int_equal(db_migrate(t->db, &err), LS_OK); /* idempotent */
    assert_up_to_date(t, fresh);
    free(fresh);
    testdb_free(t);
}

/* Every count an older labshare can have left, 1 to 11: the database is at
 * the file that count reached, upgrades to the last file, keeps its rows. */
static void db__every_older_count_upgrades_to_the_file_it_reached(void **state)
{
    (void)state;
    static const int reached[] = {1, 2, 3, 4, 5, 6, 7, 11, 13, 14, 15};
    char *fresh = fresh_schema();
    for (int k = 1; k <= 11; k++) {
        struct testdb *t = testdb_new_empty();
        apply_counting(t, k);
        testdb_exec(t, "INSERT INTO settings(key, value) VALUES ('kept', 'yes')");
        assert_int_equal(query_int(t, "PRAGMA user_version"), k);
        assert_int_equal(db_schema_version(t->db), reached[k - 1]);
        struct ls_err err = {0};
        assert_int_equal(db_migrate(t->db, &err), LS_OK);
        assert_up_to_date(t, fresh);
        assert_int_equal(query_int(t, "SELECT count(*) FROM settings WHERE key = 'kept'"), 1);
        assert_int_equal(db_migrate(t->db, &err), LS_OK);
        assert_up_to_date(t, fresh);
        testdb_free(t);
    }
    free(fresh);
}

/* A new database stopped after file 0011 (a crash between two files) reads
 * 11, as a legacy count of 11 does; the mark tells them apart, so 0013 to
 * 0015 still run (taken for the count, they would be skipped). */
static void db__stopped_after_0011_is_not_taken_for_an_older_count(void **state)
{
    (void)state;
    char *fresh = fresh_schema();
    struct testdb *t = testdb_new_empty();
    for (int i = 0; db_migrations[i].number <= 11; i++) {
        testdb_exec(t, "BEGIN IMMEDIATE");
        testdb_exec(t, db_migrations[i].sql);
        set_marks(t, MARK, db_migrations[i].number);
        testdb_exec(t, "COMMIT");
    }
    assert_int_equal(db_schema_version(t->db), 11);
    assert_int_equal(query_int(t, "SELECT count(*) FROM sqlite_master WHERE name = "
                                  "'bookings_approved_res_end'"),
                     0);
    struct ls_err err = {0};
    assert_int_equal(db_migrate(t->db, &err), LS_OK);
    assert_up_to_date(t, fresh);
    testdb_free(t);
    free(fresh);
}

/* Refused, with the reason, and left exactly as found. */
static void assert_refused(struct testdb *t, const char *why, int app, int version)
{
    char *before = schema_text(t);
    struct ls_err err = {0};
    assert_int_equal(db_migrate(t->db, &err), LS_EINTERNAL);
    if (!strstr(err.message, why))
        fail_msg("expected \"%s\" in \"%s\"", why, err.message);
    assert_int_equal(db_schema_version(t->db), -1);
    assert_int_equal(query_int(t, "PRAGMA application_id"), app);
    assert_int_equal(query_int(t, "PRAGMA user_version"), version);
    char *after = schema_text(t);
    assert_string_equal(after, before);
    free(before);
    free(after);
}

static void db__refuses_newer_unknown_and_foreign_databases(void **state)
{
    (void)state;
    struct testdb *t = testdb_new(); /* written by a newer labshare */
    set_marks(t, MARK, last_number() + 1);
    assert_refused(t, "newer than this labshare", MARK, last_number() + 1);
    testdb_free(t);

    t = testdb_new_empty(); /* a count beyond any labshare's (11) */
    apply_counting(t, 11);
    set_marks(t, 0, 12);
    assert_refused(t, "old numbering", 0, 12);
    testdb_free(t);

    t = testdb_new_empty(); /* at 0012, which this labshare has no file of */
    apply_counting(t, 8);
    set_marks(t, MARK, 12);
    assert_refused(t, "not a migration this labshare has", MARK, 12);
    testdb_free(t);

    t = testdb_new_empty(); /* another program's file */
    set_marks(t, 0x12345678, 3);
    assert_refused(t, "not a labshare database", 0x12345678, 3);
    testdb_free(t);
}

/* --- tools/embed.c, the build rule: run on folders made here --- */

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

/* Runs embed on `dir`; its exit status, with its stderr in *msg (owned). */
static int run_embed(const char *dir, char **msg)
{
    const char *embed = LABSHARE_EMBED; /* meson.build: the build's tools/embed */
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "'%s' '%s/out.c' '%s/out.d' '%s/m' 2>'%s/stderr'", embed, dir, dir,
             dir, dir);
    int st = system(cmd);
    snprintf(cmd, sizeof cmd, "%s/stderr", dir);
    FILE *f = fopen(cmd, "r");
    assert_non_null(f);
    *msg = calloc(1, 4096);
    assert_non_null(*msg);
    size_t n = fread(*msg, 1, 4095, f);
    (*msg)[n] = 0;
    fclose(f);
    return st;
}

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char *s = calloc(1, 65536);
    assert_non_null(s);
    size_t n = fread(s, 1, 65535, f);
    s[n] = 0;
    fclose(f);
    return s;
}

static void db__build_finds_migrations_by_number_and_refuses_bad_names(void **state)
{
    (void)state;
    struct testdb *t = testdb_new_empty(); /* only for its temporary directory */
    char m[160], path[256];
    snprintf(m, sizeof m, "%s/m", t->dir);
    assert_int_equal(mkdir(m, 0700), 0);
    /* Numbers, not names, give the order (9 before 10); other files are not
     * migrations. */
    write_file(m, "10_c.sql", "SELECT 10;\n");
    write_file(m, "0001_a.sql", "SELECT \"1\";\n");
    write_file(m, "9_b.sql", "SELECT 9;\n");
    write_file(m, "README.md", "not a migration\n");
    write_file(m, "0011_x.sql~", "an editor's backup\n");
    char *msg;
    assert_int_equal(run_embed(t->dir, &msg), 0);
    free(msg);
    snprintf(path, sizeof path, "%s/out.c", t->dir);
    char *c = read_all(path);
    char *one = strstr(c, "{1, \"0001_a.sql\""), *nine = strstr(c, "{9, \"9_b.sql\""),
         *ten = strstr(c, "{10, \"10_c.sql\"");
    assert_true(one && nine && ten && one < nine && nine < ten);
    assert_non_null(strstr(c, "SELECT \\\"1\\\";\\n"));
    assert_null(strstr(c, "README"));
    assert_null(strstr(c, "backup"));
    assert_non_null(strstr(c, "db_nmigrations = 3;"));
    free(c);
    /* The folder itself is a dependency: adding a file reruns the tool. */
    snprintf(path, sizeof path, "%s/out.d", t->dir);
    c = read_all(path);
    char want[400];
    snprintf(want, sizeof want, "%s/out.c: %s \\\n", t->dir, m);
    assert_non_null(strstr(c, want));
    snprintf(want, sizeof want, "%s/9_b.sql", m);
    assert_non_null(strstr(c, want));
    free(c);

    write_file(m, "0009_again.sql", "SELECT 9;\n");
    assert_int_not_equal(run_embed(t->dir, &msg), 0);
    assert_non_null(strstr(msg, "have the same number 9"));
    free(msg);
    snprintf(path, sizeof path, "%s/0009_again.sql", m);
    assert_int_equal(remove(path), 0);

    static const char *bad[] = {"core.sql",      "_1.sql",        "0012.sql",
                                "0012_Name.sql", "0000_zero.sql", "0012_a-b.sql"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        write_file(m, bad[i], "SELECT 1;\n");
        assert_int_not_equal(run_embed(t->dir, &msg), 0);
        if (!strstr(msg, bad[i]) || !strstr(msg, "NNNN_name.sql"))
            fail_msg("%s: %s", bad[i], msg);
        free(msg);
        snprintf(path, sizeof path, "%s/%s", m, bad[i]);
        assert_int_equal(remove(path), 0);
    }
    assert_int_equal(run_embed(t->dir, &msg), 0);
    free(msg);
    testdb_free(t);
}

/* --- an earlier labshare's database, with the demo data --- */

static void gunzip_to(const char *gz, const char *out)
{
    gzFile in = gzopen(gz, "rb");
    if (!in)
        fail_msg("cannot open the fixture %s", gz);
    FILE *f = fopen(out, "wb");
    assert_non_null(f);
    char buf[65536];
    int n;
    while ((n = gzread(in, buf, sizeof buf)) > 0)
        assert_int_equal(fwrite(buf, 1, (size_t)n, f), (size_t)n);
    assert_int_equal(n, 0);
    assert_int_equal(gzclose(in), Z_OK);
    assert_int_equal(fclose(f), 0);
}

/* "quote(\"a\"), quote(\"b\")…" over the columns `old.<table>` had. */
static void old_columns(struct testdb *t, const char *table, char *out, size_t cap)
{
    struct db_stmt *st = NULL;
    assert_int_equal(
        db_prepare(t->db, "SELECT name FROM pragma_table_info(?1, 'old') ORDER BY cid", &st),
        DB_OK);
    db_bind_text(st, 1, table, -1, DB_STATIC);
    size_t len = 0;
    out[0] = 0;
    while (db_step(st) == DB_ROW) {
        int n = snprintf(out + len, cap - len, "%squote(\"%s\")", len ? ", " : "",
                         (const char *)db_column_text(st, 0));
        assert_true(n > 0 && (size_t)n < cap - len);
        len += (size_t)n;
    }
    db_finalize(st);
    assert_true(len > 0);
}

/* Rows of `a.<table>` (as many times as each occurs) missing from b's. */
static int64_t rows_missing(struct testdb *t, const char *a, const char *b, const char *table,
                            const char *cols)
{
    size_t cap = 4 * strlen(cols) + 512;
    char *sql = malloc(cap);
    assert_non_null(sql);
    snprintf(sql, cap,
             "SELECT count(*) FROM (SELECT %s, count(*) FROM %s.\"%s\" GROUP BY %s EXCEPT "
             "SELECT %s, count(*) FROM %s.\"%s\" GROUP BY %s)",
             cols, a, table, cols, cols, b, table, cols);
    int64_t n = query_int(t, sql);
    free(sql);
    return n;
}

/* Databases written by earlier labshares with the demo data and a few API
 * calls (tests/README.md, "The upgrade fixture", says how each was made):
 * the file, and the marks it was written with. */
static const struct fixture {
    const char *file;
    int application_id, user_version; /* as written */
    int version;                      /* db_schema_version() before the upgrade */
} FIXTURES[] = {
    /* bd80956: the count numbering, 11 files = up to 0015 */
    {"legacy-bd80956-demo.db.gz", 0, 11, 15},
};

/* Opened by this build, each fixture is migrated, and every row of every
 * table it had is still there with the same value in every column it had. */
static void upgrade_fixture(const struct fixture *fx)
{
    char gz[1024], before[200], sql[256];
    snprintf(gz, sizeof gz, "%s/tests/fixtures/%s", LABSHARE_SOURCE_ROOT, fx->file);

    struct testdb *t = calloc(1, sizeof *t);
    assert_non_null(t);
    snprintf(t->dir, sizeof t->dir, "/tmp/labshare-test-XXXXXX");
    assert_non_null(mkdtemp(t->dir));
    snprintf(t->path, sizeof t->path, "%s/test.db", t->dir);
    snprintf(before, sizeof before, "%s/before.db", t->dir);
    gunzip_to(gz, t->path);
    gunzip_to(gz, before);
    struct ls_err err = {0};
    assert_int_equal(db_open(&t->db, t->path, &err), LS_OK);
    assert_int_equal(query_int(t, "PRAGMA application_id"), fx->application_id);
    assert_int_equal(query_int(t, "PRAGMA user_version"), fx->user_version);
    assert_int_equal(db_schema_version(t->db), fx->version);

    assert_int_equal(db_migrate(t->db, &err), LS_OK);
    char *fresh = fresh_schema();
    assert_up_to_date(t, fresh);
    free(fresh);
    assert_int_equal(query_int(t, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
    assert_int_equal(query_int(t, "SELECT count(*) FROM pragma_integrity_check WHERE "
                                  "integrity_check != 'ok'"),
                     0);

    snprintf(sql, sizeof sql, "ATTACH '%s' AS old", before);
    testdb_exec(t, sql);
    struct db_stmt *st = NULL;
    assert_int_equal(db_prepare(t->db,
                                "SELECT name FROM old.sqlite_master WHERE type = 'table' "
                                "AND name NOT LIKE 'sqlite_%' ORDER BY name",
                                &st),
                     DB_OK);
    int tables = 0;
    int64_t rows = 0;
    static char cols[8192];
    while (db_step(st) == DB_ROW) {
        char table[128];
        snprintf(table, sizeof table, "%s", (const char *)db_column_text(st, 0));
        old_columns(t, table, cols, sizeof cols);
        snprintf(sql, sizeof sql, "SELECT count(*) FROM old.\"%s\"", table);
        int64_t n = query_int(t, sql);
        snprintf(sql, sizeof sql, "SELECT count(*) FROM main.\"%s\"", table);
        if (query_int(t, sql) != n)
            fail_msg("%s: %lld rows before, %lld after", table, (long long)n,
                     (long long)query_int(t, sql));
        int64_t lost = rows_missing(t, "old", "main", table, cols);
        int64_t gained = rows_missing(t, "main", "old", table, cols);
        if (lost || gained)
            fail_msg("%s: %lld rows changed or lost, %lld new", table, (long long)lost,
                     (long long)gained);
        tables++;
        rows += n;
    }
    db_finalize(st);
    /* The fixture is the demo data: 20 tables, thousands of bookings. */
    assert_true(tables >= 20);
    assert_true(rows > 8000);
    testdb_free(t);
}

static void db__upgrade_keeps_every_row_of_an_earlier_build(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof FIXTURES / sizeof FIXTURES[0]; i++)
        upgrade_fixture(&FIXTURES[i]);
}

int main(void)
{
    testutil_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(db__fresh_database_is_at_the_last_file_number),
        cmocka_unit_test(db__every_older_count_upgrades_to_the_file_it_reached),
        cmocka_unit_test(db__stopped_after_0011_is_not_taken_for_an_older_count),
        cmocka_unit_test(db__refuses_newer_unknown_and_foreign_databases),
        cmocka_unit_test(db__build_finds_migrations_by_number_and_refuses_bad_names),
        cmocka_unit_test(db__upgrade_keeps_every_row_of_an_earlier_build),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
