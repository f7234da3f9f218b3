/* db_pg.c — the PostgreSQL engine behind db.h (through libpq).
 *
 * A statement is translated when first prepared (db_sql.h) and prepared on
 * the server when first run, with the types of its first bindings (int64 as
 * bigint, doubles, text, blobs; an int or NULL left for the server to
 * infer, so that "?1 OR …" takes an integer flag as a boolean). Values go
 * as text, results come back as text and are converted on reading, as
 * SQLite converts. A whole result is fetched at once: rows are read while
 * other statements run on the same connection, as on SQLite.
 *
 * A lost connection is reconnected on the next statement outside a
 * transaction (libpq tries every host of the URI, and with
 * target_session_attrs=read-write finds the new primary after a
 * failover); statements prepared before are prepared again. */
#include <ctype.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "db_impl.h"
#include "db_kept.h"
#include "db_sql.h"
#include "timeutil.h"

enum { OID_BOOL = 16, OID_BYTEA = 17, OID_INT8 = 20, OID_INT2 = 21, OID_INT4 = 23, OID_TEXT = 25 };
enum { OID_FLOAT4 = 700, OID_FLOAT8 = 701, OID_NUMERIC = 1700 };

struct pg {
    PGconn *c;
    unsigned epoch; /* moves at every (re)connection: statements prepare again */
    unsigned next_name;
    int query_only;
    int changes;
    int64_t last_id;
    int lost, retry;
    char sqlstate[6];
    char errmsg[512];
    char **id_tables; /* tables with an id column; NULL = not read yet */
    int n_id_tables;
    /* Round trips saved (pipeline mode): a BEGIN waits to go with the
     * transaction's first statement, and writes whose outcome nobody reads
     * (db_step_deferred) go with the next statement or the COMMIT. */
    const char *begin; /* a BEGIN not sent yet, or NULL */
    const char *then;  /* what follows that BEGIN (then_text), or NULL */
    char then_text[96];
    int owed;            /* results of statements sent ahead, not read yet */
    PGresult *owed_fail; /* the first of them that failed, until reported */
    int wrote_kept;      /* the open transaction wrote a kept table (db_kept.h) */
};

struct pg_param {
    const char *value; /* NULL = SQL NULL */
    int len, binary;
    Oid type;
    char *owned;
    char num[32];
};

struct pg_stmt {
    struct db *db;
    char *sql; /* translated */
    int nparams;
    char **names; /* [n] ":name" of $n or NULL */
    unsigned char *used;
    int hidden_returning; /* RETURNING id added for db_last_insert_id: no rows shown */
    int id_column;        /* an id column added to the statement's own RETURNING, else -1 */
    int is_insert;
    int writes_kept; /* writes a table whose reads are kept: -1 = not known yet */
    char name[24];
    unsigned prepared_epoch; /* 0 = not prepared on this connection */
    struct pg_param *params; /* [1..nparams] */
    PGresult *res;
    PGresult *desc;      /* the columns before a step (PQdescribePrepared), or NULL */
    unsigned desc_epoch; /* the connection epoch desc was read at */
    int row, nrows, nfields, done;
    char *blob; /* the last column_blob decoded */
};

/* state and msg may be pg's own sqlstate and errmsg (kept as they are):
 * snprintf must not copy a buffer onto itself. */
static void set_error(struct pg *pg, const char *state, const char *msg)
{
    if (state != pg->sqlstate)
        snprintf(pg->sqlstate, sizeof pg->sqlstate, "%s", state ? state : "");
    if (msg != pg->errmsg)
        snprintf(pg->errmsg, sizeof pg->errmsg, "%s", msg ? msg : "");
    size_t n = strlen(pg->errmsg);
    while (n > 0 && (pg->errmsg[n - 1] == '\n' || pg->errmsg[n - 1] == ' '))
        pg->errmsg[--n] = '\0';
}

/* The DB_* code of a failed result (res may be NULL), noting what the
 * caller may do about it. */
static int fail(struct pg *pg, PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = res ? PQresultErrorMessage(res) : NULL;
    set_error(pg, state, msg && *msg ? msg : PQerrorMessage(pg->c));
    if (PQstatus(pg->c) != CONNECTION_OK || !state || strncmp(state, "08", 2) == 0 ||
        strcmp(state, "57P01") == 0 || strcmp(state, "57P02") == 0 || strcmp(state, "57P03") == 0) {
        pg->lost = 1;
        return DB_IOERR;
    }
    if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0) {
        pg->retry = 1;
        return DB_BUSY;
    }
    if (strcmp(state, "23505") == 0 || strcmp(state, "23P01") == 0) {
        pg->retry = 1;
        return DB_CONSTRAINT;
    }
    if (strncmp(state, "23", 2) == 0)
        return DB_CONSTRAINT;
    if (strcmp(state, "53100") == 0)
        return DB_FULL;
    if (strncmp(state, "53", 2) == 0 || strcmp(state, "55P03") == 0)
        return DB_BUSY;
    return DB_ERROR;
}

/* Settings every (re)connection gets. */
static int session_setup(struct pg *pg)
{
    pg->epoch++;
    PGresult *r = PQexec(pg->c, pg->query_only ? "SET default_transaction_read_only = on"
                                               : "SET default_transaction_read_only = off");
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    return ok;
}

/* Whether the server holds a transaction open (a BEGIN still waiting to
 * be sent does not count). */
static int server_in_txn(struct pg *pg)
{
    PGTransactionStatusType t = PQtransactionStatus(pg->c);
    return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

/* The connection, reconnected if it was lost and no transaction was open
 * on it (whose work is gone with it anyway). */
static int usable(struct pg *pg)
{
    if (PQstatus(pg->c) == CONNECTION_OK)
        return 1;
    PQreset(pg->c);
    if (PQstatus(pg->c) != CONNECTION_OK || !session_setup(pg)) {
        set_error(pg, "08006", PQerrorMessage(pg->c));
        pg->lost = 1;
        return 0;
    }
    pg->lost = 0;
    return 1;
}

static PGconn *connect_to(const char *uri)
{
    /* Defaults the URI may override (a later dbname expands over them):
     * give up on an unreachable host within seconds, notice a dead peer. */
    const char *keys[] = {"connect_timeout",
                          "keepalives_idle",
                          "keepalives_interval",
                          "keepalives_count",
                          "tcp_user_timeout",
                          "application_name",
                          "dbname",
                          NULL};
    const char *vals[] = {"5", "10", "3", "3", "15000", "labshare", uri, NULL};
    return PQconnectdbParams(keys, vals, 1);
}

int pg_open(struct db *db, const char *uri, struct ls_err *err)
{
    struct pg *pg = calloc(1, sizeof *pg);
    if (!pg)
        return ls_err_set(err, LS_EINTERNAL, NULL, "out of memory");
    db->pg = pg;
    pg->c = connect_to(uri);
    if (!pg->c || PQstatus(pg->c) != CONNECTION_OK) {
        char msg[200];
        snprintf(msg, sizeof msg, "%s", pg->c ? PQerrorMessage(pg->c) : "out of memory");
        msg[strcspn(msg, "\n")] = '\0';
        ls_err_set(err, LS_EDBUNAVAILABLE, NULL, "cannot connect to the database: %s", msg);
        return LS_EDBUNAVAILABLE;
    }
    if (PQserverVersion(pg->c) < 130000) {
        ls_err_set(err, LS_EINTERNAL, NULL, "PostgreSQL %d is too old: labshare needs 13 or newer",
                   PQserverVersion(pg->c) / 10000);
        return LS_EINTERNAL;
    }
    PQsetClientEncoding(pg->c, "UTF8");
    session_setup(pg);
    return LS_OK;
}

void pg_forget_tables(struct db *db)
{
    struct pg *pg = db->pg;
    for (int i = 0; i < pg->n_id_tables; i++)
        free(pg->id_tables[i]);
    free(pg->id_tables);
    pg->id_tables = NULL;
    pg->n_id_tables = 0;
}

void pg_close(struct db *db)
{
    if (!db->pg)
        return;
    pg_forget_tables(db);
    PQfinish(db->pg->c);
    free(db->pg);
    db->pg = NULL;
}

void pg_set_query_only(struct db *db)
{
    db->pg->query_only = 1;
    session_setup(db->pg);
}

static int flush(struct pg *pg);

/* Whether `table` has an id column (read once per connection). */
static int has_id(struct pg *pg, const char *table)
{
    if (!pg->id_tables) {
        if (flush(pg) != DB_OK || (!server_in_txn(pg) && !usable(pg)))
            return 0;
        PGresult *r =
            PQexec(pg->c, "SELECT table_name FROM information_schema.columns"
                          " WHERE column_name = 'id' AND table_schema = current_schema()");
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            PQclear(r);
            return 0;
        }
        int n = PQntuples(r);
        pg->id_tables = calloc((size_t)n + 1, sizeof *pg->id_tables);
        for (int i = 0; pg->id_tables && i < n; i++)
            pg->id_tables[pg->n_id_tables++] = strdup(PQgetvalue(r, i, 0));
        PQclear(r);
        if (!pg->id_tables)
            return 0;
    }
    for (int i = 0; i < pg->n_id_tables; i++)
        if (pg->id_tables[i] && strcasecmp(pg->id_tables[i], table) == 0)
            return 1;
    return 0;
}

struct pg_stmt *pg_prepare(struct db *db, const char *sql)
{
    struct pg *pg = db->pg;
    struct db_sql *t = calloc(1, sizeof *t);
    char why[200];
    if (!t || db_sql_translate(sql, 0, t, why, sizeof why) != 0) {
        if (t)
            set_error(pg, "42000", why);
        free(t);
        return NULL;
    }
    struct pg_stmt *s = calloc(1, sizeof *s);
    if (!s) {
        free(t->text);
        free(t);
        return NULL;
    }
    s->db = db;
    s->sql = t->text;
    s->nparams = t->nparams;
    s->id_column = -1;
    s->writes_kept = -1;
    s->is_insert = t->insert_table[0] != '\0';
    if (s->is_insert && has_id(pg, t->insert_table)) {
        char *more = db_sql_add_returning(s->sql, t->has_returning ? "" : "id");
        if (t->has_returning) {
            /* The statement's own RETURNING gains the id as its last column. */
            free(more);
            size_t n = strlen(s->sql);
            more = malloc(n + 8);
            if (more)
                snprintf(more, n + 8, "%s, id", s->sql);
            s->id_column = 1; /* set to the real index after the first result */
        } else {
            s->hidden_returning = 1;
        }
        if (more) {
            free(s->sql);
            s->sql = more;
        }
    }
    s->names = calloc((size_t)s->nparams + 1, sizeof *s->names);
    s->used = calloc((size_t)s->nparams + 1, 1);
    s->params = calloc((size_t)s->nparams + 1, sizeof *s->params);
    for (int i = 1; i <= s->nparams && s->names; i++) {
        s->names[i] = t->names[i][0] ? strdup(t->names[i]) : NULL;
        if (s->used)
            s->used[i] = t->used[i];
    }
    snprintf(s->name, sizeof s->name, "ls%u", ++pg->next_name);
    free(t);
    if (!s->names || !s->used || !s->params) {
        pg_finalize(s);
        return NULL;
    }
    return s;
}

static void clear_param(struct pg_param *p)
{
    free(p->owned);
    memset(p, 0, sizeof *p);
}

void pg_clear_bindings(struct pg_stmt *s)
{
    for (int i = 1; i <= s->nparams; i++)
        clear_param(&s->params[i]);
}

void pg_finalize(struct pg_stmt *s)
{
    if (!s)
        return;
    pg_reset(s);
    PQclear(s->desc);
    if (s->prepared_epoch && s->db->pg && s->prepared_epoch == s->db->pg->epoch &&
        PQstatus(s->db->pg->c) == CONNECTION_OK && !pg_in_transaction(s->db)) {
        char sql[48];
        snprintf(sql, sizeof sql, "DEALLOCATE %s", s->name);
        PQclear(PQexec(s->db->pg->c, sql));
    }
    if (s->params)
        pg_clear_bindings(s);
    for (int i = 0; s->names && i <= s->nparams; i++)
        free(s->names[i]);
    free(s->names);
    free(s->used);
    free(s->params);
    free(s->sql);
    free(s->blob);
    free(s);
}

int pg_bind(struct pg_stmt *s, int i, int type, int64_t iv, double dv, const void *p, int n,
            db_destructor d)
{
    if (i < 1 || i > s->nparams)
        return 25; /* SQLITE_RANGE */
    struct pg_param *x = &s->params[i];
    clear_param(x);
    switch (type) {
    case DB_INTEGER:
        snprintf(x->num, sizeof x->num, "%lld", (long long)iv);
        x->value = x->num;
        x->type = n ? OID_INT8 : 0; /* n: a 64-bit value; an int may be a flag */
        break;
    case DB_FLOAT:
        snprintf(x->num, sizeof x->num, "%.17g", dv);
        x->value = x->num;
        x->type = OID_FLOAT8;
        break;
    case DB_TEXT:
    case DB_BLOB: {
        int len = n < 0 ? (int)strlen(p) : n;
        if (d == DB_STATIC && type == DB_TEXT && n < 0) {
            x->value = p;
        } else {
            x->owned = malloc((size_t)len + 1);
            if (!x->owned)
                return DB_NOMEM;
            memcpy(x->owned, p, (size_t)len);
            x->owned[len] = '\0';
            x->value = x->owned;
            if (d != DB_STATIC && d != DB_TRANSIENT)
                d((void *)p);
        }
        x->len = len;
        x->binary = type == DB_BLOB;
        x->type = type == DB_BLOB ? OID_BYTEA : OID_TEXT;
        break;
    }
    default:
        break; /* NULL */
    }
    return DB_OK;
}

int pg_param_index(struct pg_stmt *s, const char *name)
{
    for (int i = 1; i <= s->nparams; i++)
        if (s->names[i] && strcmp(s->names[i], name) == 0)
            return i;
    return 0;
}

int pg_param_count(struct pg_stmt *s)
{
    return s->nparams;
}

const char *pg_param_name(struct pg_stmt *s, int i)
{
    return i >= 1 && i <= s->nparams ? s->names[i] : NULL;
}

static int command_changes(PGresult *r)
{
    const char *st = PQcmdStatus(r);
    if (strncmp(st, "INSERT", 6) && strncmp(st, "UPDATE", 6) && strncmp(st, "DELETE", 6) &&
        strncmp(st, "MERGE", 5))
        return -1;
    return atoi(PQcmdTuples(r));
}

static int64_t value_i64(const char *v)
{
    if (!v)
        return 0;
    if (v[0] == 't' && !v[1])
        return 1;
    return strtoll(v, NULL, 10);
}

/* Prepares s on the server. A parameter PostgreSQL cannot type ("?1 IS
 * NULL OR …" sees it first where any type would do) gets the type of its
 * value, or bigint while it is NULL, and text if bigint does not fit the
 * statement. */
static PGresult *prepare(struct pg_stmt *s)
{
    struct pg *pg = s->db->pg;
    Oid types[DB_SQL_MAX_PARAMS + 1];
    for (int i = 1; i <= s->nparams; i++)
        types[i - 1] = s->used[i] ? s->params[i].type : OID_TEXT;
    int guessed = 0;
    /* A failed attempt would abort an open transaction: try under a savepoint. */
    int in_txn = pg_in_transaction(s->db);
    for (int attempt = 0; attempt <= 2 * s->nparams + 1; attempt++) {
        if (in_txn)
            PQclear(PQexec(pg->c, "SAVEPOINT labshare_prepare"));
        PGresult *r = PQprepare(pg->c, s->name, s->sql, s->nparams, types);
        if (in_txn)
            PQclear(PQexec(pg->c, PQresultStatus(r) == PGRES_COMMAND_OK
                                      ? "RELEASE labshare_prepare"
                                      : "ROLLBACK TO labshare_prepare"));
        if (PQresultStatus(r) == PGRES_COMMAND_OK)
            return r;
        const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
        const char *msg = PQresultErrorMessage(r);
        const char *dollar = msg ? strstr(msg, "parameter $") : NULL;
        int k = dollar ? atoi(dollar + 11) : 0;
        if (state && (strcmp(state, "42P18") == 0 || strcmp(state, "42P08") == 0) && k >= 1 &&
            k <= s->nparams && types[k - 1] == 0) {
            types[k - 1] = OID_INT8;
            guessed = k;
        } else if (state && guessed && types[guessed - 1] == OID_INT8 &&
                   (strcmp(state, "42883") == 0 || strcmp(state, "42804") == 0)) {
            types[guessed - 1] = OID_TEXT;
        } else {
            return r;
        }
        PQclear(r);
    }
    return PQprepare(pg->c, s->name, s->sql, s->nparams, types);
}

/* A statement's bound values as libpq takes them. */
struct values {
    const char *vals[DB_SQL_MAX_PARAMS];
    int lens[DB_SQL_MAX_PARAMS], fmts[DB_SQL_MAX_PARAMS];
};

static void values_of(const struct pg_stmt *s, struct values *v)
{
    for (int i = 1; i <= s->nparams; i++) {
        v->vals[i - 1] = s->params[i].value;
        v->lens[i - 1] = s->params[i].len;
        v->fmts[i - 1] = s->params[i].binary;
    }
}

static int send_prepared(struct pg_stmt *s)
{
    struct values v;
    values_of(s, &v);
    return PQsendQueryPrepared(s->db->pg->c, s->name, s->nparams, v.vals, v.lens, v.fmts, 0);
}

/* Puts the connection in pipeline mode, with the waiting BEGIN (and what
 * follows it) sent first.
 * 0 if the connection refuses. */
static int ahead(struct pg *pg)
{
    if (PQpipelineStatus(pg->c) == PQ_PIPELINE_OFF && !PQenterPipelineMode(pg->c))
        return 0;
    if (pg->begin) {
        const char *sent[] = {pg->begin, pg->then};
        pg->begin = pg->then = NULL;
        for (int i = 0; i < 2 && sent[i]; i++) {
            if (!PQsendQueryParams(pg->c, sent[i], 0, NULL, NULL, NULL, NULL, 0))
                return 0;
            pg->owed++;
        }
    }
    return 1;
}

/* Ends the pipeline: a sync, the results owed (the first failure kept in
 * owed_fail: statements after it were skipped and the transaction is
 * aborted), and with `last` the result of the statement sent last, which
 * the caller owns (NULL if the connection broke). The connection leaves
 * pipeline mode, unless it broke (PQreset ends that). */
static PGresult *settle(struct pg *pg, int last)
{
    int n = pg->owed + (last ? 1 : 0);
    pg->owed = 0;
    if (PQpipelineStatus(pg->c) == PQ_PIPELINE_OFF)
        return NULL;
    PGresult *mine = NULL;
    int ok = PQpipelineSync(pg->c);
    for (int i = 0; ok && i < n; i++) {
        PGresult *r = PQgetResult(pg->c);
        if (!r) {
            ok = 0;
            break;
        }
        PGresult *more;
        while ((more = PQgetResult(pg->c)))
            PQclear(more);
        ExecStatusType st = PQresultStatus(r);
        if (last && i == n - 1)
            mine = r;
        else if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_PIPELINE_ABORTED &&
                 !pg->owed_fail)
            pg->owed_fail = r;
        else
            PQclear(r);
    }
    PGresult *r;
    while (ok && (r = PQgetResult(pg->c))) {
        int sync = PQresultStatus(r) == PGRES_PIPELINE_SYNC;
        PQclear(r);
        if (sync)
            break;
    }
    PQexitPipelineMode(pg->c);
    return mine;
}

/* Sends a waiting BEGIN and reads what is owed: afterwards the connection
 * takes any libpq call. DB_OK, or the code of a statement sent ahead that
 * failed (kept in owed_fail for the statement or COMMIT that reports it). */
static int flush(struct pg *pg)
{
    if (pg->begin && !server_in_txn(pg) && !usable(pg))
        return DB_IOERR;
    if (pg->begin || PQpipelineStatus(pg->c) != PQ_PIPELINE_OFF) {
        ahead(pg);
        settle(pg, 0);
    }
    return pg->owed_fail ? fail(pg, pg->owed_fail) : DB_OK;
}

/* flush(), the failure reported now by the caller. */
static int flush_report(struct pg *pg)
{
    int rc = flush(pg);
    PQclear(pg->owed_fail);
    pg->owed_fail = NULL;
    return rc;
}

/* Runs s: alone, or after what waits to be sent (a BEGIN, deferred
 * writes) in one round trip. A failure of one of those is s's result. */
static PGresult *execute(struct pg_stmt *s)
{
    struct pg *pg = s->db->pg;
    if (s->prepared_epoch != pg->epoch) {
        /* Preparing takes the connection out of any pipeline. */
        flush(pg);
        if (pg->owed_fail) {
            PGresult *f = pg->owed_fail;
            pg->owed_fail = NULL;
            return f;
        }
        PGresult *r = prepare(s);
        if (PQresultStatus(r) != PGRES_COMMAND_OK)
            return r;
        PQclear(r);
        s->prepared_epoch = pg->epoch;
    }
    if (pg->begin || PQpipelineStatus(pg->c) != PQ_PIPELINE_OFF) {
        int sent = ahead(pg) && send_prepared(s);
        PGresult *r = settle(pg, sent);
        if (pg->owed_fail) {
            PQclear(r);
            r = pg->owed_fail;
            pg->owed_fail = NULL;
        }
        return r;
    }
    struct values v;
    values_of(s, &v);
    return PQexecPrepared(pg->c, s->name, s->nparams, v.vals, v.lens, v.fmts, 0);
}

/* ------------------------------------------------------------------ */
/* Kept reads (db_kept.h)                                               */

static const char *const *kept_tables; /* NULL-terminated; NULL = none */

int pg_keep(const char *const *tables, const char *channel)
{
    kept_tables = tables;
    return pg_watch_add(channel, db_kept_forget);
}

static int ident_char(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

/* Whether sql has `verb table` (INSERT INTO t, UPDATE t, DELETE FROM t). */
static int writes_table(const char *sql, const char *verb, const char *table)
{
    size_t nv = strlen(verb), nt = strlen(table);
    for (const char *p = sql; *p; p++) {
        if ((p > sql && ident_char(p[-1])) || strncasecmp(p, verb, nv) != 0)
            continue;
        const char *q = p + nv;
        while (*q == ' ')
            q++;
        if (strncmp(q, table, nt) == 0 && !ident_char(q[nt]))
            return 1;
    }
    return 0;
}

/* Notes that s is about to write a kept table: inside a transaction its
 * COMMIT forgets what is kept (pg_exec); 1 when the caller must forget
 * once s has run by itself. */
static int note_write(struct pg_stmt *s)
{
    if (s->writes_kept < 0) {
        s->writes_kept = 0;
        for (const char *const *t = kept_tables; t && *t && !s->writes_kept; t++)
            s->writes_kept = writes_table(s->sql, "INSERT INTO ", *t) ||
                             writes_table(s->sql, "UPDATE ", *t) ||
                             writes_table(s->sql, "DELETE FROM ", *t);
    }
    if (!s->writes_kept)
        return 0;
    if (pg_in_transaction(s->db)) {
        s->db->pg->wrote_kept = 1;
        return 0;
    }
    return 1;
}

/* The key of s's read as bound now (valid while its bindings are). */
static void key_of(const struct pg_stmt *s, struct values *v, struct kept_key *k)
{
    values_of(s, v);
    for (int i = 0; i < s->nparams; i++)
        if (v->vals[i] && !v->fmts[i])
            v->lens[i] = (int)strlen(v->vals[i]);
    *k = (struct kept_key){s->sql, s->nparams, v->vals, v->lens};
}

int pg_step_kept(struct pg_stmt *s)
{
    struct pg *pg = s->db->pg;
    /* Inside a transaction a read must be the database's own: a kept one
     * would escape serialisable checking. */
    if (s->res || s->done || !pg_watch_hearing() || pg_in_transaction(s->db) ||
        PQpipelineStatus(pg->c) != PQ_PIPELINE_OFF)
        return pg_step(s);
    struct values v;
    struct kept_key k;
    key_of(s, &v, &k);
    int64_t now = tu_monotonic_ms();
    PGresult *r = db_kept_find(&k, now);
    if (r) {
        s->res = r;
        s->nrows = PQntuples(r);
        s->nfields = PQnfields(r);
        s->row = 0;
        return s->nrows > 0 ? DB_ROW : DB_DONE;
    }
    uint64_t epoch = db_kept_epoch();
    int rc = pg_step(s);
    if ((rc == DB_ROW || rc == DB_DONE) && s->res)
        db_kept_put(epoch, &k, s->res, now);
    return rc;
}

int pg_step(struct pg_stmt *s)
{
    if (s->res)
        return ++s->row < s->nrows ? DB_ROW : DB_DONE;
    if (s->done)
        return DB_DONE;
    struct pg *pg = s->db->pg;
    /* Nothing done on the server yet (no statement, or a transaction whose
     * BEGIN still waits): a lost connection can be replaced. */
    int fresh = !server_in_txn(pg) && PQpipelineStatus(pg->c) == PQ_PIPELINE_OFF;
    const char *begin = pg->begin, *then = pg->then;
    if (fresh && !usable(pg))
        return DB_IOERR;
    int forget = note_write(s);
    PGresult *r = execute(s);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK && fresh &&
        PQstatus(pg->c) != CONNECTION_OK) {
        /* The server went away since the last statement: nothing was done,
         * so once more on a new connection. */
        PQclear(r);
        if (!usable(pg))
            return DB_IOERR;
        pg->begin = begin;
        pg->then = then;
        r = execute(s);
        st = PQresultStatus(r);
    }
    if (forget)
        db_kept_forget(); /* written outside a transaction: done now, whatever the outcome */
    if (st == PGRES_COMMAND_OK) {
        int c = command_changes(r);
        if (c >= 0)
            pg->changes = c;
        PQclear(r);
        s->done = 1;
        return DB_DONE;
    }
    if (st != PGRES_TUPLES_OK) {
        int rc = fail(pg, r);
        PQclear(r);
        return rc;
    }
    int c = command_changes(r);
    if (c >= 0)
        pg->changes = c;
    int n = PQntuples(r);
    if (s->hidden_returning || s->id_column >= 0) {
        int col = s->hidden_returning ? 0 : PQnfields(r) - 1;
        s->id_column = s->hidden_returning ? -1 : col;
        if (n > 0)
            pg->last_id = value_i64(PQgetvalue(r, n - 1, col));
    }
    if (s->hidden_returning) {
        PQclear(r);
        s->done = 1;
        return DB_DONE;
    }
    s->res = r;
    s->nrows = n;
    s->nfields = PQnfields(r);
    s->row = 0;
    return n > 0 ? DB_ROW : DB_DONE;
}

int pg_step_deferred(struct pg_stmt *s)
{
    struct pg *pg = s->db->pg;
    if (!pg_in_transaction(s->db) || s->prepared_epoch != pg->epoch || s->res || s->done) {
        int rc;
        while ((rc = pg_step(s)) == DB_ROW)
            ;
        return rc;
    }
    if (pg->begin && !server_in_txn(pg) && !usable(pg))
        return DB_IOERR;
    note_write(s);
    if (!ahead(pg) || !send_prepared(s)) {
        settle(pg, 0);
        return fail(pg, NULL);
    }
    pg->owed++;
    s->done = 1;
    return DB_DONE;
}

int pg_begin(struct db *db, const char *sql, const char *then)
{
    struct pg *pg = db->pg;
    if (pg_in_transaction(db)) {
        set_error(pg, "25001", "a transaction is already open");
        return DB_ERROR;
    }
    pg->begin = sql;
    pg->then = NULL;
    if (then) {
        if (strlen(then) >= sizeof pg->then_text) {
            set_error(pg, "54000", "a statement after BEGIN is too long");
            pg->begin = NULL;
            return DB_ERROR;
        }
        strcpy(pg->then_text, then);
        pg->then = pg->then_text;
    }
    return DB_OK;
}

int pg_reset(struct pg_stmt *s)
{
    PQclear(s->res);
    s->res = NULL;
    s->row = s->nrows = 0;
    s->done = 0;
    return DB_OK;
}

static const char *value(struct pg_stmt *s, int i)
{
    if (!s->res || s->row >= s->nrows || i < 0 || i >= s->nfields || PQgetisnull(s->res, s->row, i))
        return NULL;
    return PQgetvalue(s->res, s->row, i);
}

/* The result that names the columns: the rows once stepped, else the
 * prepared statement's description (prepared now with the values bound so
 * far, as SQLite names its columns before the first step). NULL when the
 * statement cannot be prepared. */
static PGresult *columns(struct pg_stmt *s)
{
    if (s->res)
        return s->res;
    struct pg *pg = s->db->pg;
    if (s->desc && s->desc_epoch == pg->epoch)
        return s->desc;
    PQclear(s->desc);
    s->desc = NULL;
    if (flush(pg) != DB_OK)
        return NULL;
    if (s->prepared_epoch != pg->epoch) {
        if (!pg_in_transaction(s->db) && !usable(pg))
            return NULL;
        PGresult *r = prepare(s);
        int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        PQclear(r);
        if (!ok)
            return NULL;
        s->prepared_epoch = pg->epoch;
    }
    PGresult *d = PQdescribePrepared(pg->c, s->name);
    if (PQresultStatus(d) != PGRES_COMMAND_OK) {
        PQclear(d);
        return NULL;
    }
    s->desc = d;
    s->desc_epoch = pg->epoch;
    return d;
}

int pg_column_count(struct pg_stmt *s)
{
    PGresult *r = columns(s);
    if (!r)
        return 0;
    return PQnfields(r) - (s->hidden_returning || s->id_column >= 0 ? 1 : 0);
}

const char *pg_column_name(struct pg_stmt *s, int i)
{
    PGresult *r = columns(s);
    if (!r || i < 0 || i >= pg_column_count(s))
        return NULL;
    return PQfname(r, i);
}

int pg_column_type(struct pg_stmt *s, int i)
{
    if (!value(s, i))
        return DB_NULL;
    switch (PQftype(s->res, i)) {
    case OID_BOOL:
    case OID_INT2:
    case OID_INT4:
    case OID_INT8:
        return DB_INTEGER;
    case OID_FLOAT4:
    case OID_FLOAT8:
    case OID_NUMERIC:
        return DB_FLOAT;
    case OID_BYTEA:
        return DB_BLOB;
    default:
        return DB_TEXT;
    }
}

int64_t pg_column_int64(struct pg_stmt *s, int i)
{
    const char *v = value(s, i);
    if (!v)
        return 0;
    /* Most values are plain integers (ids, times): read them directly. */
    const char *p = v + (v[0] == '-');
    uint64_t n = 0;
    int k = 0;
    while (p[k] >= '0' && p[k] <= '9' && k < 18)
        n = n * 10 + (uint64_t)(p[k++] - '0');
    if (k > 0 && p[k] == '\0')
        return v[0] == '-' ? -(int64_t)n : (int64_t)n;
    if ((strchr(v, '.') || strchr(v, 'e')) && PQftype(s->res, i) != OID_TEXT)
        return (int64_t)strtod(v, NULL); /* a numeric: truncated, as SQLite does */
    return value_i64(v);
}

double pg_column_double(struct pg_stmt *s, int i)
{
    const char *v = value(s, i);
    if (v && v[0] == 't' && !v[1])
        return 1;
    return v ? strtod(v, NULL) : 0;
}

const unsigned char *pg_column_text(struct pg_stmt *s, int i)
{
    return (const unsigned char *)value(s, i);
}

static int hex(int c)
{
    return isdigit(c) ? c - '0' : tolower(c) - 'a' + 10;
}

const void *pg_column_blob(struct pg_stmt *s, int i)
{
    const char *v = value(s, i);
    if (!v)
        return NULL;
    if (PQftype(s->res, i) != OID_BYTEA || strncmp(v, "\\x", 2) != 0)
        return v;
    size_t n = (strlen(v) - 2) / 2;
    free(s->blob);
    s->blob = malloc(n + 1);
    if (!s->blob)
        return NULL;
    for (size_t k = 0; k < n; k++)
        s->blob[k] =
            (char)(hex((unsigned char)v[2 + 2 * k]) << 4 | hex((unsigned char)v[3 + 2 * k]));
    return s->blob;
}

int pg_column_bytes(struct pg_stmt *s, int i)
{
    const char *v = value(s, i);
    if (!v)
        return 0;
    if (PQftype(s->res, i) == OID_BYTEA && strncmp(v, "\\x", 2) == 0)
        return (int)(strlen(v) - 2) / 2;
    return PQgetlength(s->res, s->row, i);
}

int pg_changes(struct db *db)
{
    return db->pg->changes;
}

int64_t pg_last_id(struct db *db)
{
    return db->pg->last_id;
}

int pg_in_transaction(struct db *db)
{
    return db->pg->begin || server_in_txn(db->pg);
}

const char *pg_errmsg(struct db *db)
{
    return db->pg->errmsg;
}

int pg_exec(struct db *db, const char *sql)
{
    struct pg *pg = db->pg;
    int end = strcmp(sql, "COMMIT") == 0 || strcmp(sql, "ROLLBACK") == 0;
    if (end && pg->begin) {
        pg->begin = pg->then = NULL; /* nothing was sent: nothing to end */
        return DB_OK;
    }
    PGresult *r = NULL;
    if (strcmp(sql, "COMMIT") == 0 && PQpipelineStatus(pg->c) != PQ_PIPELINE_OFF) {
        /* The writes sent ahead and the COMMIT: one round trip. */
        r = settle(pg, PQsendQueryParams(pg->c, sql, 0, NULL, NULL, NULL, NULL, 0));
        if (pg->owed_fail) {
            PQclear(r);
            r = pg->owed_fail;
            pg->owed_fail = NULL;
        }
    } else {
        int owed = flush_report(pg);
        if (owed != DB_OK && !end)
            return owed;
        if (!pg_in_transaction(db) && !usable(pg))
            return DB_IOERR;
        r = PQexec(pg->c, sql);
    }
    ExecStatusType st = PQresultStatus(r);
    int rc = DB_OK;
    /* An empty script (a migration whose SQL is all for the other engine)
     * is done, as sqlite3_exec() has it. */
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY)
        rc = fail(pg, r);
    else if (strcmp(PQcmdStatus(r), "ROLLBACK") == 0 && strncmp(sql, "ROLLBACK", 8) != 0) {
        /* COMMIT of a transaction a failed statement had aborted. */
        set_error(pg, pg->sqlstate[0] ? pg->sqlstate : "25P02",
                  pg->errmsg[0] ? pg->errmsg : "the transaction was rolled back");
        rc = DB_ERROR;
    }
    PQclear(r);
    if (end && pg->wrote_kept) {
        /* After the COMMIT (or ROLLBACK): a read racing it either saw the
         * change or is not kept (db_kept_put's epoch). */
        pg->wrote_kept = 0;
        db_kept_forget();
    }
    return rc;
}

int pg_query_text(struct db *db, const char *sql, char *out, size_t len)
{
    struct pg *pg = db->pg;
    int owed = flush_report(pg);
    if (owed != DB_OK)
        return owed;
    if (!pg_in_transaction(db) && !usable(pg))
        return DB_IOERR;
    PGresult *r = PQexec(pg->c, sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK && !pg_in_transaction(db) &&
        PQstatus(pg->c) != CONNECTION_OK) {
        PQclear(r);
        if (!usable(pg))
            return DB_IOERR;
        r = PQexec(pg->c, sql);
    }
    int rc = DB_OK;
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        rc = fail(pg, r);
    else
        snprintf(out, len, "%s",
                 PQntuples(r) > 0 && !PQgetisnull(r, 0, 0) ? PQgetvalue(r, 0, 0) : "");
    PQclear(r);
    return rc;
}

int pg_lost(struct db *db)
{
    return db->pg->lost && PQstatus(db->pg->c) != CONNECTION_OK;
}

int pg_retryable(struct db *db)
{
    return db->pg->retry;
}

void pg_retry_clear(struct db *db)
{
    PQclear(db->pg->owed_fail);
    db->pg->owed_fail = NULL;
    db->pg->retry = 0;
    db->pg->sqlstate[0] = '\0';
    db->pg->errmsg[0] = '\0';
}

int pg_script_print(struct db *db, const char *sql, FILE *out, char *err, size_t errlen)
{
    struct pg *pg = db->pg;
    struct db_sql t;
    char why[200];
    if (db_sql_translate(sql, DB_SQL_DDL, &t, why, sizeof why) != 0) {
        snprintf(err, errlen, "%s", why);
        return DB_ERROR;
    }
    if (flush(pg) != DB_OK || !usable(pg) || !PQsendQuery(pg->c, t.text)) {
        snprintf(err, errlen, "%s", PQerrorMessage(pg->c));
        free(t.text);
        return DB_IOERR;
    }
    free(t.text);
    int rc = DB_OK;
    PGresult *r;
    while ((r = PQgetResult(pg->c))) {
        ExecStatusType st = PQresultStatus(r);
        if (st == PGRES_TUPLES_OK) {
            for (int i = 0; i < PQntuples(r); i++) {
                for (int c = 0; c < PQnfields(r); c++) {
                    const char *v = PQgetisnull(r, i, c) ? "" : PQgetvalue(r, i, c);
                    if (PQftype(r, c) == OID_BOOL)
                        v = v[0] == 't' ? "1" : v[0] == 'f' ? "0" : v;
                    fprintf(out, "%s%s", c ? "|" : "", v);
                }
                fputc('\n', out);
            }
        } else if (st != PGRES_COMMAND_OK && rc == DB_OK) {
            snprintf(err, errlen, "%s", PQresultErrorMessage(r));
            rc = DB_ERROR;
        }
        PQclear(r);
    }
    /* Rows typed in with their ids: identity columns continue after them. */
    if (rc == DB_OK)
        PQclear(PQexec(pg->c, "SELECT labshare_sync_ids()"));
    return rc;
}

int pg_copy_begin(struct db *db, const char *sql, char *err, size_t errlen)
{
    if (flush_report(db->pg) != DB_OK) {
        snprintf(err, errlen, "%s", db->pg->errmsg);
        return DB_ERROR;
    }
    PGresult *r = PQexec(db->pg->c, sql);
    int ok = PQresultStatus(r) == PGRES_COPY_IN;
    if (!ok)
        snprintf(err, errlen, "%s", PQresultErrorMessage(r));
    PQclear(r);
    return ok ? DB_OK : DB_ERROR;
}

int pg_copy_data(struct db *db, const char *buf, size_t len)
{
    return PQputCopyData(db->pg->c, buf, (int)len) == 1 ? DB_OK : DB_ERROR;
}

int pg_copy_end(struct db *db, char *err, size_t errlen)
{
    if (PQputCopyEnd(db->pg->c, NULL) != 1) {
        snprintf(err, errlen, "%s", PQerrorMessage(db->pg->c));
        return DB_ERROR;
    }
    int rc = DB_OK;
    PGresult *r;
    while ((r = PQgetResult(db->pg->c))) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK && rc == DB_OK) {
            snprintf(err, errlen, "%s", PQresultErrorMessage(r));
            rc = DB_ERROR;
        }
        PQclear(r);
    }
    return rc;
}

/* ------------------------------------------------------------------ */
/* Announcements (LISTEN)                                               */

enum { WATCH_MAX = 4 };

static struct {
    pthread_t thread;
    int running;
    char *uri;
    int n;
    struct {
        char channel[64];
        void (*fn)(void);
    } heard[WATCH_MAX];
    atomic_int hearing;
    int wake[2]; /* a byte written to wake[1] ends the thread */
} watch = {.wake = {-1, -1}};

/* Waits up to ms for the connection's socket (fd, or none when -1) or the
 * stop pipe; 1 once asked to stop. */
static int watch_wait(int fd, int ms)
{
    struct pollfd p[2] = {{.fd = watch.wake[0], .events = POLLIN}, {.fd = fd, .events = POLLIN}};
    poll(p, fd >= 0 ? 2 : 1, ms);
    return (p[0].revents & POLLIN) != 0;
}

static void tell_all(void)
{
    for (int i = 0; i < watch.n; i++)
        watch.heard[i].fn();
}

static void *watch_main(void *arg)
{
    (void)arg;
    PGconn *c = NULL;
    char listen[WATCH_MAX * 80] = "";
    for (int i = 0; i < watch.n; i++) {
        size_t at = strlen(listen);
        snprintf(listen + at, sizeof listen - at, "LISTEN %s;", watch.heard[i].channel);
    }
    for (;;) {
        if (!c || PQstatus(c) != CONNECTION_OK) {
            if (atomic_exchange(&watch.hearing, 0))
                tell_all(); /* deaf from now: what was heard so far may be stale */
            PQfinish(c);
            c = connect_to(watch.uri);
            PGresult *r = PQstatus(c) == CONNECTION_OK ? PQexec(c, listen) : NULL;
            int ok = r && PQresultStatus(r) == PGRES_COMMAND_OK;
            PQclear(r);
            if (!ok) {
                if (watch_wait(-1, 1000))
                    break;
                continue;
            }
            atomic_store(&watch.hearing, 1);
            tell_all(); /* anything kept while deaf is dropped */
        }
        if (watch_wait(PQsocket(c), 5000))
            break;
        if (!PQconsumeInput(c))
            continue; /* the connection broke: reconnect above */
        /* A burst of announcements (one a statement) is handled once a
         * channel. */
        int heard[WATCH_MAX] = {0};
        PGnotify *n;
        while ((n = PQnotifies(c))) {
            for (int i = 0; i < watch.n; i++)
                heard[i] |= strcmp(n->relname, watch.heard[i].channel) == 0;
            PQfreemem(n);
        }
        for (int i = 0; i < watch.n; i++)
            if (heard[i])
                watch.heard[i].fn();
    }
    atomic_store(&watch.hearing, 0);
    PQfinish(c);
    return NULL;
}

int pg_watch_add(const char *channel, void (*fn)(void))
{
    if (watch.running || watch.n == WATCH_MAX || strlen(channel) >= sizeof watch.heard[0].channel)
        return DB_ERROR;
    snprintf(watch.heard[watch.n].channel, sizeof watch.heard[0].channel, "%s", channel);
    watch.heard[watch.n++].fn = fn;
    return DB_OK;
}

int pg_watch_start(const char *uri)
{
    if (watch.running || watch.n == 0)
        return DB_ERROR;
    watch.uri = strdup(uri);
    if (!watch.uri || pipe(watch.wake) != 0) {
        free(watch.uri);
        watch.uri = NULL;
        return DB_ERROR;
    }
    if (pthread_create(&watch.thread, NULL, watch_main, NULL) != 0) {
        close(watch.wake[0]);
        close(watch.wake[1]);
        free(watch.uri);
        watch.uri = NULL;
        return DB_ERROR;
    }
    watch.running = 1;
    return DB_OK;
}

void pg_watch_stop(void)
{
    if (!watch.running)
        return;
    ssize_t w = write(watch.wake[1], "x", 1);
    (void)w;
    pthread_join(watch.thread, NULL);
    close(watch.wake[0]);
    close(watch.wake[1]);
    free(watch.uri);
    watch.uri = NULL;
    watch.running = 0;
    watch.n = 0;
}

int pg_watch_hearing(void)
{
    return atomic_load(&watch.hearing);
}
