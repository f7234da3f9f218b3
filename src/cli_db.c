/* cli_db.c — `labshare sql` and `labshare copy-db` (cli.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "db.h"
#include "stats.h"
#include "stats_render.h"

int cli_sql(int argc, char **argv, const char *default_db)
{
    const char *dbpath = default_db, *sql = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            cli_help(stdout, "sql");
            return CLI_OK;
        } else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
            dbpath = argv[++i];
        } else if (argv[i][0] != '-' && !sql) {
            sql = argv[i];
        } else {
            return argv[i][0] == '-' ? cli_usage("sql", "unknown option '%s'", argv[i])
                                     : cli_usage("sql", "unexpected argument");
        }
    }
    int status = cli_names_file("sql", "--db", dbpath);
    if (status != CLI_OK)
        return status;
    struct db *db = NULL;
    struct ls_err err = {0};
    int rc = db_open(&db, dbpath, &err);
    if (!rc && sql) {
        rc = db_script_print(db, sql, stdout, &err);
    } else if (!rc) {
        /* Standard input as the sqlite3 shell reads it: each statement runs
         * (and its rows are flushed) as soon as its line completes it, so a
         * test can keep one `labshare sql` open and ask one query after
         * another (tests/http/lib.mjs's SqliteShell). */
        char *in = NULL;
        size_t cap = 0, len = 0;
        for (int c; !rc && (c = getchar()) != EOF;) {
            if (len + 2 > cap) {
                char *bigger = realloc(in, cap = cap * 2 + 4096);
                if (!bigger) {
                    rc = ls_err_set(&err, LS_EINTERNAL, NULL, "out of memory");
                    break;
                }
                in = bigger;
            }
            in[len++] = (char)c;
            in[len] = '\0';
            if (c == '\n' && db_sql_complete(in)) {
                rc = db_script_print(db, in, stdout, &err);
                fflush(stdout);
                len = 0;
            }
        }
        if (!rc && len > 0 && strspn(in, " \t\r\n") < len)
            rc = db_script_print(db, in, stdout, &err);
        free(in);
    }
    db_close(db);
    return rc ? cli_fail("sql", &err) : CLI_OK;
}

/* The years that have bookings, from the earliest to the latest. */
static int year_span(struct db *db, int *first, int *last)
{
    static const char SQL_SPAN[] = "SELECT min(start), max(start) FROM bookings";
    struct db_stmt *st = db_stmt(db, SQL_SPAN);
    if (!st || db_step(st) != DB_ROW || db_column_type(st, 0) == DB_NULL) {
        if (st)
            db_reset(st);
        return 0;
    }
    *first = 1970 + (int)(db_column_int64(st, 0) / 31556952);
    *last = 1970 + (int)(db_column_int64(st, 1) / 31556952) + 1;
    db_reset(st);
    return 1;
}

/* A year's indicators as the API's JSON text (malloc'd), or NULL. */
static char *indicators_text(struct db *db, int year)
{
    struct stats_indicators in;
    struct ls_err err = {0};
    if (stats_indicators(db, year, &in, &err) != LS_OK)
        return NULL;
    cJSON *o = stats_render_indicators_json(&in);
    char *text = o ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    return text;
}

/* Whether copy-db must refuse db: it holds an installation (organisations,
 * users or bookings). labshare's schema alone is welcome: `labshare
 * migrate` run first, as the README has it, or a first `serve` (the
 * migrations' own seeds are replaced by the copy). */
static int holds_installation(struct db *db)
{
    static const char SQL_ROWS[] =
        "SELECT (SELECT count(*) FROM organisations) +"
        " (SELECT count(*) FROM users) + (SELECT count(*) FROM bookings)";
    if (db_schema_version(db) == 0)
        return 0;
    struct db_stmt *st = NULL;
    int64_t rows = 1; /* unreadable: refused, as it is not known to be empty */
    if (db_prepare(db, SQL_ROWS, &st) == DB_OK && db_step(st) == DB_ROW)
        rows = db_column_int64(st, 0);
    db_finalize(st);
    return rows != 0;
}

/* db_copy's check, inside the copy's transaction: the rows of every table
 * (the copy printed its counts; counted again on the far side), then the
 * indicators of every year with bookings, to the last digit. *years counts
 * the years compared. */
static int check_copy(struct db *src, struct db *dst, void *ctx, struct ls_err *err)
{
    static const char *const TABLES[] = {"organisations", "labs",     "resources",
                                         "users",         "bookings", "audit_log",
                                         "outbox",        "feeds",    NULL};
    for (int i = 0; TABLES[i]; i++) {
        char sql[96];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", TABLES[i]);
        int64_t n[2] = {-1, -2};
        struct db *both[2] = {src, dst};
        for (int k = 0; k < 2; k++) {
            struct db_stmt *st;
            if (db_prepare(both[k], sql, &st) == DB_OK && db_step(st) == DB_ROW)
                n[k] = db_column_int64(st, 0);
            db_finalize(st);
        }
        if (n[0] != n[1])
            return ls_err_set(err, LS_EINTERNAL, NULL,
                              "%s: %lld rows in the file, %lld copied; nothing was written",
                              TABLES[i], (long long)n[0], (long long)n[1]);
    }
    int *years = ctx, first, last;
    if (!year_span(src, &first, &last))
        return LS_OK;
    for (int y = first; y <= last; y++) {
        char *a = indicators_text(src, y), *b = indicators_text(dst, y);
        int same = a && b && strcmp(a, b) == 0;
        free(a);
        free(b);
        if (!same)
            return ls_err_set(err, LS_EINTERNAL, NULL,
                              "the indicators of %d differ after the copy; nothing was written", y);
        (*years)++;
    }
    return LS_OK;
}

int cli_copy_db(int argc, char **argv)
{
    const char *from = NULL, *to = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            cli_help(stdout, "copy-db");
            return CLI_OK;
        } else if (strcmp(argv[i], "--from") == 0 && i + 1 < argc) {
            from = argv[++i];
        } else if (strcmp(argv[i], "--to") == 0 && i + 1 < argc) {
            to = argv[++i];
        } else if (strcmp(argv[i], "--from") == 0 || strcmp(argv[i], "--to") == 0) {
            return strcmp(argv[i], "--from") == 0 ? cli_usage("copy-db", "--from needs a file")
                                                  : cli_usage("copy-db", "--to needs a URI");
        } else {
            return argv[i][0] == '-' ? cli_usage("copy-db", "unknown option '%s'", argv[i])
                                     : cli_usage("copy-db", "unexpected argument");
        }
    }
    if (!from || !to)
        return cli_usage("copy-db", "--from and --to are required");
    if (db_engine_of(from) != DB_SQLITE)
        return cli_usage("copy-db", "--from must be a SQLite file");
    if (db_engine_of(to) != DB_POSTGRES)
        return cli_usage("copy-db", "--to must be a postgresql:// URI");
    struct ls_err err = {0};
    int status = CLI_OK;
    struct db *src = cli_open_installation("copy-db", "--from", from, &status), *dst = NULL;
    if (!src)
        return status;
    if (db_open(&dst, to, &err) != LS_OK) {
        db_close(src);
        return cli_fail("copy-db", &err);
    }
    int rc = CLI_FAIL, years = 0;
    if (holds_installation(dst)) {
        cli_say(stderr, "labshare copy-db: %s is not empty: copy-db fills a new database only\n",
                to);
        goto done;
    }
    if (db_migrate(dst, &err) != LS_OK ||
        db_copy(src, dst, stdout, check_copy, &years, &err) != LS_OK) {
        cli_fail("copy-db", &err);
        goto done;
    }
    cli_say(stdout, "copied %s to %s: row counts and the indicators of %d years agree\n", from, to,
            years);
    rc = CLI_OK;
done:
    db_close(dst);
    db_close(src);
    return rc;
}
