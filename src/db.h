/* db.h — the storage engine: connections, statements, the write path and
 * the migrations, on SQLite (a file path, the default) or PostgreSQL (a
 * postgresql:// URI; db_pg.c).
 *
 * The server lends each request one connection of a small pool (SQLite
 * connections must not be shared between threads without a mutex, and WAL
 * readers never block each other); on SQLite grouped writes run on one
 * writer connection of their own, on PostgreSQL each write runs in its own
 * transaction on the request's connection. The CLI opens its own with
 * db_open().
 *
 * Modules never see the engine: they prepare through db_stmt() and bind,
 * step and read columns with the db_* functions below, which keep SQLite's
 * meaning and numbering (parameters ?N and :name number as in SQLite,
 * columns from 0, db_step answers DB_ROW or DB_DONE). On PostgreSQL the SQL
 * is translated once, when first prepared (db_sql.h). */
#ifndef LS_DB_H
#define LS_DB_H

#include <stdint.h>

#include "err.h"

struct db;
/* A prepared statement of one connection. Borrowed from db_stmt()'s cache,
 * or owned (db_prepare, released with db_finalize). */
struct db_stmt;

enum db_engine { DB_SQLITE = 0, DB_POSTGRES = 1 };

/* Retry-After (seconds) of a 503 database_unavailable. */
#define DB_RETRY_AFTER 5

/* Result codes of db_step() and friends: SQLite's numbers, so that both
 * engines answer alike. */
enum {
    DB_OK = 0,
    DB_ERROR = 1,
    DB_BUSY = 5,
    DB_LOCKED = 6,
    DB_NOMEM = 7,
    DB_IOERR = 10,
    DB_CORRUPT = 11,
    DB_FULL = 13,
    DB_CONSTRAINT = 19,
    DB_ROW = 100,
    DB_DONE = 101,
};
/* Column types of db_column_type(). */
enum { DB_INTEGER = 1, DB_FLOAT = 2, DB_TEXT = 3, DB_BLOB = 4, DB_NULL = 5 };

/* How db_bind_text/db_bind_blob hold the value: DB_STATIC = the caller keeps
 * it unchanged until the statement is stepped and reset; DB_TRANSIENT = a
 * copy is taken at once. */
typedef void (*db_destructor)(void *);
#define DB_STATIC ((db_destructor)0)
#define DB_TRANSIENT ((db_destructor)-1)

/* migrations/NNNN_name.sql, embedded by tools/embed.c in the order of their
 * numbers (strictly increasing; no list is kept by hand). */
struct db_migration {
    int number;       /* NNNN: the schema version once the file is applied */
    const char *name; /* "0001_core.sql" */
    const char *sql;
};
extern const struct db_migration db_migrations[]; /* generated from migrations/ */
extern const int db_nmigrations;

enum db_sync { DB_SYNC_FULL = 0, DB_SYNC_NORMAL = 1 };

/* Opens (creating if needed) the database file with labshare's pragmas: WAL,
 * foreign keys, busy timeout, the configured synchronous level. The caller
 * owns *out and releases it with db_close(). */
int db_open(struct db **out, const char *path, struct ls_err *err);
void db_close(struct db *db); /* NULL is fine */
/* The engine a --db value selects: a postgresql:// or postgres:// URI (or
 * a libpq "key=value" string naming host= or dbname=) is PostgreSQL,
 * anything else a SQLite file. */
enum db_engine db_engine_of(const char *path);
enum db_engine db_engine(const struct db *db);
/* The SQLite handle (NULL on PostgreSQL): for SQLite-only tools (backup)
 * and tests. */
struct sqlite3 *db_handle(struct db *db);

/* Brings the schema up to date, one transaction per migration file, each
 * recording its number as the schema version (src/db_migrate.c). A database
 * of the older numbering (a count of files) is recognised and carried over
 * without losing a row. Refuses (LS_EINTERNAL, with a message) a database
 * newer than this binary, at a version it has no file for, or not labshare's,
 * and changes nothing then; a failed file leaves the files before it applied. */
int db_migrate(struct db *db, struct ls_err *err);
/* The number of the last migration file applied (0 for an empty database),
 * or -1 if it cannot be read or db_migrate() would refuse the database. */
int db_schema_version(struct db *db);
/* 1 when the database is another program's (tables, but not labshare's
 * schema, or another application's mark): no command may add to it. */
int db_foreign(struct db *db);

/* Process-wide settings used by later db_open()/db_thread() calls. */
void db_configure(const char *path, enum db_sync sync);
const char *db_path(void);

/* The server's pool of connections (at most DB_POOL_MAX, default 8): a
 * request borrows one with db_acquire() — waiting while all are lent — and
 * gives it back with db_release(), which rolls back anything left open.
 * NULL if a new connection cannot be opened (logged). */
#define DB_POOL_MAX 64
void db_pool_size(int n);
struct db *db_acquire(void);
void db_release(struct db *db);
void db_pool_close(void); /* after the last request */

/* The calling thread's connection (opened on first use), or NULL with a
 * message on stderr if the file cannot be opened. Borrowed: do not close. */
struct db *db_thread(void);
void db_thread_close(void);

/* A prepared statement for `sql`, cached per connection by the pointer
 * identity of `sql` (so pass a string from a module's static SQL table, not a
 * built one). Returned reset and with bindings cleared. Borrowed: call
 * db_reset() when done with it so it releases its read snapshot. NULL
 * on a prepare error, logged with the SQL. */
struct db_stmt *db_stmt(struct db *db, const char *sql);
/* Like db_stmt(), with a PostgreSQL form of its own where translating
 * `sql` would be too clever (SQLite's bare columns beside min(), say);
 * pg_sql is written in the same dialect (still translated: parameters,
 * "end") and takes the same parameters. Cached by `sql`. */
struct db_stmt *db_stmt_variant(struct db *db, const char *sql, const char *pg_sql);
/* Like db_stmt() for a statement used once (tests, tools): *out is owned,
 * released with db_finalize(). Returns DB_OK or an error code. */
int db_prepare(struct db *db, const char *sql, struct db_stmt **out);
void db_finalize(struct db_stmt *st); /* NULL is fine */

/* Binding, as sqlite3_bind_*: index from 1 (db_bind_parameter_index for
 * :name), unbound parameters are NULL; bindings stay over db_reset(). */
int db_bind_int(struct db_stmt *st, int i, int v);
int db_bind_int64(struct db_stmt *st, int i, int64_t v);
int db_bind_double(struct db_stmt *st, int i, double v);
int db_bind_text(struct db_stmt *st, int i, const char *s, int n, db_destructor d);
int db_bind_blob(struct db_stmt *st, int i, const void *p, int n, db_destructor d);
int db_bind_null(struct db_stmt *st, int i);
int db_bind_parameter_index(struct db_stmt *st, const char *name); /* 0 = none */
/* Binding by name (":name", as the SQL writes it) for SQL with named
 * parameters: NULL text binds NULL, and a name the statement does not use
 * is ignored (DB_OK), so one binder serves statements of several shapes. */
int db_bind_named_int64(struct db_stmt *st, const char *name, int64_t v);
int db_bind_named_text(struct db_stmt *st, const char *name, const char *v);
int db_bind_parameter_count(struct db_stmt *st);
/* The name of parameter i with its prefix (":name"), NULL for a numbered
 * one ("?1": SQLite says "?1"). Borrowed from the statement. */
const char *db_bind_parameter_name(struct db_stmt *st, int i);

/* Runs the statement or moves to its next row: DB_ROW, DB_DONE or an error
 * code (db_fail turns it into an ls_err). */
int db_step(struct db_stmt *st);
/* db_step for a read of tables named to db_keep, which changes
 * seldom and is read often (the catalogue a booking checks). On
 * PostgreSQL, outside a transaction and while announcements are heard,
 * this server may answer it from a result it read before (db_kept.h);
 * inside a transaction, and on SQLite, it is db_step. */
int db_step_kept(struct db_stmt *st);
/* The tables db_step_kept reads (NULL-terminated, static) and the channel
 * on which triggers announce every change to them (migration 0027): this
 * server's own writes to them forget every kept result when they commit,
 * announcements heard forget them too. Once, before db_watch_start. */
int db_keep(const char *const *tables, const char *channel, struct ls_err *err);
/* Back to before the first row, bindings kept; releases the snapshot. */
int db_reset(struct db_stmt *st);

/* The current row's columns, from 0, converted as SQLite converts: a NULL
 * reads as 0 or NULL; a boolean as 1 or 0. Text stays valid until the next
 * step or reset. */
int db_column_count(struct db_stmt *st);
/* The name of column i (its AS name), readable before the first step as
 * well; NULL if out of range. Borrowed: valid until the statement is
 * finalized or prepared again. */
const char *db_column_name(struct db_stmt *st, int i);
int db_column_type(struct db_stmt *st, int i); /* DB_NULL, or another DB_* type */
int64_t db_column_int64(struct db_stmt *st, int i);
int db_column_int(struct db_stmt *st, int i);
double db_column_double(struct db_stmt *st, int i);
const unsigned char *db_column_text(struct db_stmt *st, int i);
const void *db_column_blob(struct db_stmt *st, int i);
int db_column_bytes(struct db_stmt *st, int i);

/* Rows changed by the connection's last INSERT, UPDATE or DELETE, and the
 * id of the row its last INSERT added (on PostgreSQL: the id column of the
 * table, read back through RETURNING). */
int db_changes(struct db *db);
int64_t db_last_insert_id(struct db *db);
/* Whether a transaction is open on the connection. */
int db_in_transaction(struct db *db);
/* The last error's text on the connection (borrowed). */
const char *db_errmsg(struct db *db);

/* Runs a script of statements with no parameters (migrations, tests). On
 * failure err gets LS_EINTERNAL with the engine's message. */
int db_exec(struct db *db, const char *sql, struct ls_err *err);

/* A read transaction: one snapshot for several statements (a report that
 * must add up). db_end_read ends it; harmless when none is open. */
int db_begin_read(struct db *db, struct ls_err *err);
void db_end_read(struct db *db);

/* The one write path. Every write of labshare — a booking, a catalogue
 * change, a sign-in's session, the audit log, feed bookkeeping — is a
 * function handed to db_write(), which serialises writers, owns the
 * transaction and commits; `fn` never begins or commits itself. The
 * server's pooled connections are read-only (PRAGMA query_only): a write
 * anywhere else fails loudly instead of slipping past the write lock.
 *
 * Group commit. The writes waiting when the write lock comes free run one
 * after another in a single transaction, each inside its own savepoint, and
 * share one COMMIT (with synchronous=FULL, one WAL sync instead of one each).
 * `fn` runs on whichever connection and thread leads the group; it sees the
 * changes of the writes before it, exactly as if they had committed first.
 *
 * Returns fn's result once the group's COMMIT is durable: a failing fn has
 * its own savepoint rolled back and gets its own error, the others go on; a
 * COMMIT that fails (disk full, I/O error) fails every write of the group
 * with that error, and none of them is kept. Called while `db` already holds
 * a write transaction (a db_write inside another's fn), fn runs at once in
 * a savepoint of it: units of work compose. */
typedef int (*db_write_fn)(struct db *db, void *ctx, struct ls_err *err);
int db_write(struct db *db, db_write_fn fn, void *ctx, struct ls_err *err);

/* As db_write(), for a unit that races others over one thing (`turn`, a
 * resource's id: the requests for its slots). On PostgreSQL such writers
 * run side by side, and one that lost a race runs again alone among them
 * (db.c, pg_write): a crowd asking for one resource at once is through in
 * two attempts each at most, not in rounds of losers. db_write() is turn 0.
 * Only how soon a loser gets through: never what a unit may see or do. */
int db_write_turn(struct db *db, int64_t turn, db_write_fn fn, void *ctx, struct ls_err *err);

/* As db_write(), except that inside another unit fn joins it with no
 * savepoint of its own — on PostgreSQL a savepoint is two more round trips.
 * For parts that are one insert (an audit row), which fail only with their
 * transaction (a full disk, a lost connection): on PostgreSQL the unit then
 * fails too; on SQLite a statement rolled back alone leaves the unit to go
 * on, as its savepoint did. What fn wrote before failing stays in the unit
 * (tests/test_db.c). Alone, db_write(). */
int db_write_part(struct db *db, db_write_fn fn, void *ctx, struct ls_err *err);

/* One statement through the write path, for writes that are one statement:
 * bind(st, ctx) binds its values (SQL from the caller's static table, as
 * for db_stmt). *changes (rows changed) and *rowid (last insert) may be
 * NULL. */
typedef void (*db_bind_fn)(struct db_stmt *st, const void *ctx);
int db_write_one(struct db *db, const char *sql, db_bind_fn bind, const void *ctx, int *changes,
                 int64_t *rowid, struct ls_err *err);

/* Gives the groups a connection of their own on the configured file (the
 * server opens it at start; without it a group runs on its leader's
 * connection). Closed by db_writer_close() or db_pool_close(), when no
 * write is running. */
int db_writer_open(struct ls_err *err);
void db_writer_close(void);

/* Counters of the group commit since the process started, for tests and
 * benchmarks: writes run, groups run (each one COMMIT, unless SQLite aborted
 * a transaction), the largest group, and the writes queued right now. */
struct db_group_stats {
    uint64_t writes, groups, largest;
    int waiting;
};
void db_group_stats(struct db_group_stats *out);

/* Bytes SQLite holds in this process: its page caches (bounded by
 * cache_size: 1 MB a pooled connection, 16 MB the writer's), schemas and
 * prepared statements. Part of the heap, grown by the database, not by
 * requests: GET /api/v1/diagnostics shows it apart. */
int64_t db_memory_used(void);

/* A process-wide number that changes whenever the database may have changed
 * since it was last asked: on this connection's own writes, on commits by
 * other connections of this process, and by other processes (PRAGMA
 * data_version). Caches keep the generation they were filled at and refill
 * when it moves. Costs one tiny pragma; may move more often than needed. */
uint64_t db_generation(struct db *db);

/* Maps a result code onto an ls_err: DB_FULL and DB_BUSY become 503
 * unavailable, a lost PostgreSQL connection 503 database_unavailable,
 * anything else 500 internal. Logs the detail. */
int db_fail(struct db *db, int rc, struct ls_err *err);

/* Convenience: run a statement that returns no rows (or ignore them). */
int db_step_done(struct db *db, struct db_stmt *st, struct ls_err *err);
/* As db_step_done, for a write inside a unit whose outcome the caller
 * does not read (no rows, db_changes or db_last_insert_id after it): on
 * PostgreSQL it is sent without waiting and travels with the unit's next
 * statement or its COMMIT, a round trip saved; if it fails, that statement
 * or the COMMIT fails with its error (and the unit with it). Outside a
 * unit, and on SQLite, db_step_done. */
int db_step_deferred(struct db *db, struct db_stmt *st, struct ls_err *err);

/* Runs a script of statements written in SQLite's dialect (translated on
 * PostgreSQL) and prints every row of every result to out, columns joined
 * by '|', NULL as nothing (as the sqlite3 shell prints): the tests' and
 * operators' window into either engine (`labshare sql`). Returns LS_OK or
 * LS_EINTERNAL with the engine's message in err. */
int db_script_print(struct db *db, const char *sql, void *out, struct ls_err *err);

/* Whether sql ends with a complete statement (its last ';' outside strings,
 * names, comments and triggers), as the sqlite3 shell decides when to run
 * what it has read. Either engine's SQL: both read this the same way. */
int db_sql_complete(const char *sql);

/* Copies every row of a SQLite database into a PostgreSQL one migrated to
 * the same version, in one transaction, parents before children; the
 * identity columns continue after the largest id. Prints a line per table
 * to log (a FILE *, may be NULL). check (may be NULL) runs inside the
 * transaction, on the copy analysed, before it commits: a copy it refuses
 * (err set) is rolled back and leaves the database as it was. (db_copy.c) */
typedef int (*db_copy_check)(struct db *from, struct db *to, void *ctx, struct ls_err *err);
int db_copy(struct db *from, struct db *to, void *log, db_copy_check check, void *ctx,
            struct ls_err *err);

/* Announcements. On PostgreSQL, triggers announce some changes with
 * pg_notify(channel) when they commit (a migration says which); the server
 * listens on a connection of its own and calls fn, on that thread, at each
 * announcement heard, and also when it stops or starts hearing them again
 * (anything learnt meanwhile may be stale). db_watch_hearing() says whether
 * announcements are heard now: a cache of rows other processes may change
 * is trusted only then. On SQLite there is nothing to listen to (one
 * server a file): db_watch_* do nothing and nothing is heard. */
int db_watch_add(const char *channel, void (*fn)(void), struct ls_err *err); /* before start */
int db_watch_start(struct ls_err *err);
void db_watch_stop(void);
int db_watch_hearing(void);

/* Whether the database answers (a round trip; PostgreSQL reconnects a lost
 * connection here). */
int db_ping(struct db *db);

#endif
