/* db_copy.c — every row of a SQLite database into a PostgreSQL one at the
 * same schema version (db.h, db_copy). Tables go parents first (by their
 * foreign keys, so tables added by later migrations need nothing here),
 * each through one COPY, all in one transaction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_impl.h"

enum { MAX_TABLES = 64, MAX_COLS = 64 };

struct table {
    char name[64];
    char parents[8][64];
    int nparents, done;
    int64_t rows;
};

static int read_tables(struct db *from, struct table *t, int *n)
{
    struct db_stmt *st;
    *n = 0;
    if (db_prepare(from,
                   "SELECT name FROM sqlite_master WHERE type = 'table'"
                   " AND name NOT LIKE 'sqlite_%' ORDER BY rowid",
                   &st) != DB_OK)
        return -1;
    while (db_step(st) == DB_ROW && *n < MAX_TABLES) {
        memset(&t[*n], 0, sizeof t[*n]);
        snprintf(t[*n].name, sizeof t[*n].name, "%s", (const char *)db_column_text(st, 0));
        (*n)++;
    }
    db_finalize(st);
    for (int i = 0; i < *n; i++) {
        if (db_prepare(from, "SELECT DISTINCT \"table\" FROM pragma_foreign_key_list(?1)", &st) !=
            DB_OK)
            return -1;
        db_bind_text(st, 1, t[i].name, -1, DB_STATIC);
        while (db_step(st) == DB_ROW && t[i].nparents < 8)
            snprintf(t[i].parents[t[i].nparents++], 64, "%s", (const char *)db_column_text(st, 0));
        db_finalize(st);
    }
    return 0;
}

static int ready(const struct table *t, int n, const struct table *x)
{
    for (int p = 0; p < x->nparents; p++)
        for (int i = 0; i < n; i++)
            if (&t[i] != x && !t[i].done && strcmp(t[i].name, x->parents[p]) == 0)
                return 0;
    return 1;
}

struct out {
    char *s;
    size_t len, cap;
};

static void add(struct out *o, const char *s, size_t n)
{
    if (o->len + n + 1 > o->cap) {
        o->cap = (o->len + n + 1) * 2;
        o->s = realloc(o->s, o->cap);
        if (!o->s)
            abort();
    }
    memcpy(o->s + o->len, s, n);
    o->len += n;
}

/* A value in COPY's text format. */
static void add_value(struct out *o, struct db_stmt *st, int c)
{
    static const char hex[] = "0123456789abcdef";
    switch (db_column_type(st, c)) {
    case DB_NULL:
        add(o, "\\N", 2);
        break;
    case DB_BLOB: {
        const unsigned char *p = db_column_blob(st, c);
        int n = db_column_bytes(st, c);
        add(o, "\\\\x", 3);
        for (int i = 0; i < n; i++) {
            char h[2] = {hex[p[i] >> 4], hex[p[i] & 15]};
            add(o, h, 2);
        }
        break;
    }
    case DB_FLOAT: {
        char num[40];
        int k = snprintf(num, sizeof num, "%.17g", db_column_double(st, c));
        add(o, num, (size_t)k);
        break;
    }
    default: {
        const char *s = (const char *)db_column_text(st, c);
        for (; *s; s++) {
            const char *e = *s == '\\'   ? "\\\\"
                            : *s == '\t' ? "\\t"
                            : *s == '\n' ? "\\n"
                            : *s == '\r' ? "\\r"
                                         : NULL;
            if (e)
                add(o, e, 2);
            else
                add(o, s, 1);
        }
    }
    }
}

static int copy_table(struct db *from, struct db *to, struct table *t, struct ls_err *err)
{
    char sql[4096], cols[3000] = "";
    struct db_stmt *st;
    snprintf(sql, sizeof sql, "SELECT name FROM pragma_table_info('%.63s') ORDER BY cid", t->name);
    if (db_prepare(from, sql, &st) != DB_OK)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error: %s", db_errmsg(from));
    int ncols = 0;
    while (db_step(st) == DB_ROW && ncols < MAX_COLS) {
        size_t l = strlen(cols);
        snprintf(cols + l, sizeof cols - l, "%s\"%s\"", ncols ? ", " : "",
                 (const char *)db_column_text(st, 0));
        ncols++;
    }
    db_finalize(st);
    char msg[512] = "";
    snprintf(sql, sizeof sql, "COPY \"%.63s\" (%.3000s) FROM STDIN", t->name, cols);
    if (pg_copy_begin(to, sql, msg, sizeof msg) != DB_OK)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error: %s", msg);
    snprintf(sql, sizeof sql, "SELECT %.3000s FROM \"%.63s\"", cols, t->name);
    if (db_prepare(from, sql, &st) != DB_OK) {
        pg_copy_end(to, msg, sizeof msg);
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error: %s", db_errmsg(from));
    }
    struct out o = {0};
    int rc = DB_OK;
    while (rc == DB_OK && db_step(st) == DB_ROW) {
        for (int c = 0; c < ncols; c++) {
            if (c)
                add(&o, "\t", 1);
            add_value(&o, st, c);
        }
        add(&o, "\n", 1);
        t->rows++;
        if (o.len > (1 << 20)) {
            rc = pg_copy_data(to, o.s, o.len);
            o.len = 0;
        }
    }
    db_finalize(st);
    if (rc == DB_OK && o.len)
        rc = pg_copy_data(to, o.s, o.len);
    free(o.s);
    if (pg_copy_end(to, msg, sizeof msg) != DB_OK || rc != DB_OK)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error: %s", msg);
    return LS_OK;
}

int db_copy(struct db *from, struct db *to, void *log, db_copy_check check, void *ctx,
            struct ls_err *err)
{
    struct table t[MAX_TABLES];
    int n;
    if (db_engine(from) != DB_SQLITE || db_engine(to) != DB_POSTGRES)
        return ls_err_set(err, LS_EINTERNAL, NULL, "copy-db copies SQLite into PostgreSQL");
    if (read_tables(from, t, &n) != 0)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error: %s", db_errmsg(from));
    int rc = db_exec(to, "BEGIN", err);
    /* The migrations seeded some tables (factors, defaults): the source's
     * rows replace them. */
    for (int i = n - 1; !rc && i >= 0; i--) {
        char sql[128];
        snprintf(sql, sizeof sql, "DELETE FROM \"%s\"", t[i].name);
        rc = db_exec(to, sql, err);
    }
    for (int left = n; !rc && left > 0;) {
        int progress = 0;
        for (int i = 0; !rc && i < n; i++) {
            if (t[i].done || !ready(t, n, &t[i]))
                continue;
            rc = copy_table(from, to, &t[i], err);
            t[i].done = 1;
            left--;
            progress = 1;
            if (!rc && log)
                fprintf(log, "  %-24s %10lld rows\n", t[i].name, (long long)t[i].rows);
        }
        if (!progress) /* a cycle of foreign keys: none here, but never loop */
            rc = ls_err_set(err, LS_EINTERNAL, NULL, "database error: %s",
                            "the tables' foreign keys form a cycle");
    }
    if (!rc)
        rc = db_exec(to, "SELECT labshare_sync_ids()", err);
    /* Statistics for the planner now, not when autovacuum comes round: on a
     * copy it knows nothing of, it scans whole tables, PostgreSQL's
     * serialisable checking then locks whole tables, and most bookings fail
     * it and run again (bench/RESULTS.md: 788 bookings a second and three
     * in five run again, against 1,689 and three in a hundred). ANALYZE,
     * unlike VACUUM, runs inside the transaction. */
    if (!rc)
        rc = db_exec(to, "ANALYZE", err);
    if (!rc && check)
        rc = check(from, to, ctx, err);
    if (!rc)
        rc = db_exec(to, "COMMIT", err);
    else
        db_exec(to, "ROLLBACK", NULL);
    return rc;
}
