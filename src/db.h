/* db.h — the SQLite connection, its statement cache and the migrations.
 *
 * The server lends each request one connection of a small pool (SQLite
 * connections must not be shared between threads without a mutex, and WAL
 * readers never block each other); grouped writes run on one writer
 * connection of their own. The CLI opens its own with db_open(). */
#ifndef LS_DB_H
#define LS_DB_H

#include <stdint.h>

#include <sqlite3.h>

#include "err.h"

struct db;

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
sqlite3 *db_handle(struct db *db);

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
 * sqlite3_reset() when done with it so it releases its read snapshot. NULL
 * on a prepare error, logged with the SQL. */
sqlite3_stmt *db_stmt(struct db *db, const char *sql);

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

/* One statement through the write path, for writes that are one statement:
 * bind(st, ctx) binds its values (SQL from the caller's static table, as
 * for db_stmt). *changes (rows changed) and *rowid (last insert) may be
 * NULL. */
typedef void (*db_bind_fn)(sqlite3_stmt *st, const void *ctx);
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

/* A process-wide number that changes whenever the database may have changed
 * since it was last asked: on this connection's own writes, on commits by
 * other connections of this process, and by other processes (PRAGMA
 * data_version). Caches keep the generation they were filled at and refill
 * when it moves. Costs one tiny pragma; may move more often than needed. */
uint64_t db_generation(struct db *db);

/* Maps a SQLite result code onto an ls_err: SQLITE_FULL and SQLITE_BUSY
 * become 503 unavailable, anything else 500 internal. Logs the detail. */
int db_fail(struct db *db, int rc, struct ls_err *err);

/* Convenience: run a statement that returns no rows (or ignore them). */
int db_step_done(struct db *db, sqlite3_stmt *st, struct ls_err *err);

#endif
