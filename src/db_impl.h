/* db_impl.h — what db.c and db_pg.c share; nobody else includes it. */
#ifndef LS_DB_IMPL_H
#define LS_DB_IMPL_H

#include <stdio.h>

#include <sqlite3.h>

#include "db.h"

enum { STMT_CACHE = 512 }; /* power of two, comfortably above the SQL count */

struct pg;      /* db_pg.c: a PostgreSQL connection and its state */
struct pg_stmt; /* db_pg.c: a statement prepared on it */

struct db_stmt {
    struct db *db;
    sqlite3_stmt *s;    /* SQLite */
    struct pg_stmt *pg; /* PostgreSQL */
};

struct db {
    enum db_engine engine;
    sqlite3 *h;                /* SQLite */
    struct pg *pg;             /* PostgreSQL */
    int holds_write;           /* SQLite: holds write_mu; PostgreSQL: in db_write's transaction */
    int64_t turn;              /* PostgreSQL: the turn of the write under way (db_write_turn) */
    int64_t seen_data_version; /* for db_generation */
    int64_t seen_changes;
    uint64_t seen_snapshot;
    struct {
        const char *sql;
        struct db_stmt *st;
    } cache[STMT_CACHE];
};

/* db_pg.c */
int pg_open(struct db *db, const char *uri, struct ls_err *err);
void pg_close(struct db *db);
void pg_set_query_only(struct db *db);
struct pg_stmt *pg_prepare(struct db *db, const char *sql);
void pg_finalize(struct pg_stmt *s);
void pg_clear_bindings(struct pg_stmt *s);
int pg_bind(struct pg_stmt *s, int i, int type, int64_t iv, double dv, const void *p, int n,
            db_destructor d);
int pg_param_index(struct pg_stmt *s, const char *name);
int pg_param_count(struct pg_stmt *s);
const char *pg_param_name(struct pg_stmt *s, int i);
int pg_step(struct pg_stmt *s);
/* Inside a transaction, sends s without waiting for its result (which goes
 * unread: no rows, changes or id); it travels with the next statement or
 * the COMMIT, and its failure becomes theirs. Elsewhere as pg_step to the
 * end. DB_DONE or an error code. */
int pg_step_deferred(struct pg_stmt *s);
/* Opens a transaction with `sql` (a static string), then `then` inside it
 * (NULL = nothing; copied): sent with its first statement, and never if
 * none comes. */
int pg_begin(struct db *db, const char *sql, const char *then);
int pg_reset(struct pg_stmt *s);
int pg_column_count(struct pg_stmt *s);
const char *pg_column_name(struct pg_stmt *s, int i);
int pg_column_type(struct pg_stmt *s, int i);
int64_t pg_column_int64(struct pg_stmt *s, int i);
double pg_column_double(struct pg_stmt *s, int i);
const unsigned char *pg_column_text(struct pg_stmt *s, int i);
const void *pg_column_blob(struct pg_stmt *s, int i);
int pg_column_bytes(struct pg_stmt *s, int i);
int pg_changes(struct db *db);
int64_t pg_last_id(struct db *db);
int pg_in_transaction(struct db *db);
const char *pg_errmsg(struct db *db);
/* Runs statements without parameters; DB_OK or an error code. */
int pg_exec(struct db *db, const char *sql);
/* Runs a one-value query into out (size len); DB_OK or an error code. */
int pg_query_text(struct db *db, const char *sql, char *out, size_t len);
/* Whether the connection was lost in the last failure (503, reconnect). */
int pg_lost(struct db *db);
/* Whether a failure since the last pg_retry_clear() is worth running the
 * whole transaction again: a serialisation failure, a deadlock, or a unique
 * or exclusion constraint that a concurrent transaction won. */
int pg_retryable(struct db *db);
void pg_retry_clear(struct db *db);
/* db_script_print on PostgreSQL. */
int pg_script_print(struct db *db, const char *sql, FILE *out, char *err, size_t errlen);
/* COPY … FROM STDIN (text format): begin, rows, end (copy-db). */
int pg_copy_begin(struct db *db, const char *sql, char *err, size_t errlen);
int pg_copy_data(struct db *db, const char *buf, size_t len);
int pg_copy_end(struct db *db, char *err, size_t errlen);
/* db_step_kept and db_keep on PostgreSQL (db_kept.h). */
int pg_step_kept(struct pg_stmt *s);
int pg_keep(const char *const *tables, const char *channel);
/* db_watch_* on PostgreSQL: a thread with a connection of its own. */
int pg_watch_add(const char *channel, void (*fn)(void));
int pg_watch_start(const char *uri);
void pg_watch_stop(void);
int pg_watch_hearing(void);
/* The tables with an id column changed (after migrations). */
void pg_forget_tables(struct db *db);

#endif
