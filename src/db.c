/* db.c — see db.h. The engine-neutral parts and SQLite; PostgreSQL's
 * connection and statements are in db_pg.c. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "db_impl.h"
#include "fold.h"
#include "timeutil.h"

/* Writers of this process queue here rather than in SQLite's busy handler,
 * which polls with sleeps: under many simultaneous bookings the lock then
 * passes straight to the next writer instead of after a nap. */
static pthread_mutex_t write_mu = PTHREAD_MUTEX_INITIALIZER;
static _Atomic uint64_t generation = 1;
static const char SQL_DATA_VERSION[] = "PRAGMA data_version";

static char cfg_path[4096] = "labshare.db";
static enum db_sync cfg_sync = DB_SYNC_FULL;
static _Thread_local struct db *tls_db;

/* The server's connections: a request borrows one for its duration. Fewer
 * connections than worker threads, since civetweb keeps a thread per open
 * client connection (mostly idle), while each SQLite connection carries its
 * own schema copy, page cache and prepared statements. */
static void db_rollback(struct db *db);

static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct db *idle[DB_POOL_MAX];
    int nidle;
    int nopen;
    int max;
} pool = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER, .max = 8};

static const char SQL_BEGIN_IMMEDIATE[] = "BEGIN IMMEDIATE";
static const char SQL_BEGIN[] = "BEGIN";
static const char SQL_COMMIT[] = "COMMIT";
static const char SQL_ROLLBACK[] = "ROLLBACK";

void db_configure(const char *path, enum db_sync sync)
{
    if (path)
        snprintf(cfg_path, sizeof cfg_path, "%s", path);
    cfg_sync = sync;
}

const char *db_path(void)
{
    return cfg_path;
}

/* fold(a, b, …): the non-empty text arguments joined by one space, folded
 * for searching (fold.h). The catalogue's search columns are written with
 * it, so one UPDATE refreshes them without a round trip through C. */
static void sql_fold(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    size_t len = 1;
    for (int i = 0; i < argc; i++)
        len += (size_t)sqlite3_value_bytes(argv[i]) + 1;
    char *buf = sqlite3_malloc64(len), *p = buf;
    if (!buf) {
        sqlite3_result_error_nomem(ctx);
        return;
    }
    for (int i = 0; i < argc; i++) {
        const char *s = (const char *)sqlite3_value_text(argv[i]);
        if (!s || !*s)
            continue;
        if (p != buf)
            *p++ = ' ';
        p += fold_into(p, s);
    }
    *p = '\0';
    sqlite3_result_text(ctx, buf, (int)(p - buf), sqlite3_free);
}

enum db_engine db_engine_of(const char *path)
{
    if (!path)
        return DB_SQLITE;
    if (strncmp(path, "postgresql://", 13) == 0 || strncmp(path, "postgres://", 11) == 0)
        return DB_POSTGRES;
    /* A libpq key=value string: "host=… dbname=…". */
    if (strchr(path, '=') && (strstr(path, "dbname=") || strstr(path, "host=")) &&
        !strchr(path, '/'))
        return DB_POSTGRES;
    return DB_SQLITE;
}

enum db_engine db_engine(const struct db *db)
{
    return db->engine;
}

int db_open(struct db **out, const char *path, struct ls_err *err)
{
    *out = NULL;
    struct db *db = calloc(1, sizeof *db);
    if (!db)
        return ls_err_set(err, LS_EINTERNAL, NULL, "out of memory");
    if (db_engine_of(path) == DB_POSTGRES) {
        db->engine = DB_POSTGRES;
        int rc = pg_open(db, path, err);
        if (rc) {
            db_close(db);
            return rc;
        }
        *out = db;
        return LS_OK;
    }
    int rc = sqlite3_open_v2(
        path, &db->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        ls_err_set(err, LS_EINTERNAL, NULL, "cannot open database %s: %s", path,
                   db->h ? sqlite3_errmsg(db->h) : sqlite3_errstr(rc));
        db_close(db);
        return LS_EINTERNAL;
    }
    sqlite3_extended_result_codes(db->h, 1);
    sqlite3_create_function(db->h, "fold", -1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, sql_fold,
                            NULL, NULL);
    sqlite3_busy_timeout(db->h, 10000);
    char pragmas[512];
    snprintf(pragmas, sizeof pragmas,
             "PRAGMA journal_mode=WAL; PRAGMA synchronous=%s; PRAGMA foreign_keys=ON;"
             /* Each connection keeps a private page cache, so a small one:
              * 1 MB per pooled connection (8 MB for the default pool; the
              * writer's is larger, db_writer_open), and SQLite empties a
              * reader's cache whenever another connection writes anyway. */
             "PRAGMA cache_size=-1000; PRAGMA temp_store=MEMORY;",
             cfg_sync == DB_SYNC_NORMAL ? "NORMAL" : "FULL");
    char *msg = NULL;
    rc = sqlite3_exec(db->h, pragmas, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        ls_err_set(err, LS_EINTERNAL, NULL, "cannot configure database %s: %s", path,
                   msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
        db_close(db);
        return LS_EINTERNAL;
    }
    *out = db;
    return LS_OK;
}

void db_close(struct db *db)
{
    if (!db)
        return;
    if (db->h || db->pg)
        db_rollback(db);
    for (int i = 0; i < STMT_CACHE; i++)
        db_finalize(db->cache[i].st);
    pg_close(db);
    if (db->h) {
        /* Leave a compact WAL behind for the next start and for backups. */
        sqlite3_exec(db->h, "PRAGMA optimize", NULL, NULL, NULL);
        sqlite3_close_v2(db->h);
    }
    free(db);
}

struct sqlite3 *db_handle(struct db *db)
{
    return db->h;
}

struct db *db_thread(void)
{
    if (!tls_db) {
        struct ls_err err = {0};
        if (db_open(&tls_db, cfg_path, &err) != LS_OK)
            fprintf(stderr, "labshare: %s\n", err.message);
    }
    return tls_db;
}

void db_thread_close(void)
{
    db_close(tls_db);
    tls_db = NULL;
}

void db_pool_size(int n)
{
    pthread_mutex_lock(&pool.mu);
    pool.max = n < 1 ? 1 : n > DB_POOL_MAX ? DB_POOL_MAX : n;
    pthread_mutex_unlock(&pool.mu);
}

struct db *db_acquire(void)
{
    pthread_mutex_lock(&pool.mu);
    while (pool.nidle == 0 && pool.nopen >= pool.max)
        pthread_cond_wait(&pool.cv, &pool.mu);
    struct db *db = NULL;
    if (pool.nidle > 0) {
        db = pool.idle[--pool.nidle];
        pthread_mutex_unlock(&pool.mu);
        return db;
    }
    pool.nopen++;
    pthread_mutex_unlock(&pool.mu);
    struct ls_err err = {0};
    if (db_open(&db, cfg_path, &err) != LS_OK) {
        fprintf(stderr, "labshare: %s\n", err.message);
        pthread_mutex_lock(&pool.mu);
        pool.nopen--;
        pthread_cond_signal(&pool.cv);
        pthread_mutex_unlock(&pool.mu);
        return NULL;
    }
    /* Requests read here and write through db_write() on the writer
     * connection: a write that bypassed the write path fails at once. */
    if (db->engine == DB_POSTGRES)
        pg_set_query_only(db);
    else
        sqlite3_exec(db->h, "PRAGMA query_only=1", NULL, NULL, NULL);
    return db;
}

void db_release(struct db *db)
{
    if (!db)
        return;
    db_rollback(db); /* never hand on an open transaction or the write lock */
    pthread_mutex_lock(&pool.mu);
    pool.idle[pool.nidle++] = db;
    pthread_cond_signal(&pool.cv);
    pthread_mutex_unlock(&pool.mu);
}

void db_pool_close(void)
{
    pthread_mutex_lock(&pool.mu);
    while (pool.nidle > 0) {
        db_close(pool.idle[--pool.nidle]);
        pool.nopen--;
    }
    pthread_mutex_unlock(&pool.mu);
    db_writer_close();
}

/* A new statement of the connection's engine, or NULL (logged). */
static struct db_stmt *stmt_new(struct db *db, const char *sql, int persistent)
{
    struct db_stmt *st = calloc(1, sizeof *st);
    if (!st)
        return NULL;
    st->db = db;
    if (db->engine == DB_POSTGRES) {
        st->pg = pg_prepare(db, sql);
        if (!st->pg) {
            fprintf(stderr, "labshare: prepare failed: %s\n  in: %s\n", pg_errmsg(db), sql);
            free(st);
            return NULL;
        }
        return st;
    }
    int rc = sqlite3_prepare_v3(db->h, sql, -1, persistent ? SQLITE_PREPARE_PERSISTENT : 0, &st->s,
                                NULL);
    if (rc != SQLITE_OK) {
        fprintf(stderr, "labshare: prepare failed: %s\n  in: %s\n", sqlite3_errmsg(db->h), sql);
        sqlite3_finalize(st->s);
        free(st);
        return NULL;
    }
    return st;
}

struct db_stmt *db_stmt(struct db *db, const char *sql)
{
    return db_stmt_variant(db, sql, NULL);
}

struct db_stmt *db_stmt_variant(struct db *db, const char *sql, const char *pg_sql)
{
    uintptr_t h = (uintptr_t)sql;
    h ^= h >> 17;
    h *= 0x9E3779B97F4A7C15ull;
    unsigned i = (unsigned)(h >> 40) & (STMT_CACHE - 1);
    for (unsigned probe = 0; probe < STMT_CACHE; probe++, i = (i + 1) & (STMT_CACHE - 1)) {
        if (db->cache[i].sql == sql) {
            struct db_stmt *st = db->cache[i].st;
            db_reset(st);
            if (st->s)
                sqlite3_clear_bindings(st->s);
            else
                pg_clear_bindings(st->pg);
            return st;
        }
        if (!db->cache[i].sql) {
            struct db_stmt *st =
                stmt_new(db, db->engine == DB_POSTGRES && pg_sql ? pg_sql : sql, 1);
            if (!st)
                return NULL;
            db->cache[i].sql = sql;
            db->cache[i].st = st;
            return st;
        }
    }
    fprintf(stderr, "labshare: statement cache full\n");
    return NULL;
}

int db_prepare(struct db *db, const char *sql, struct db_stmt **out)
{
    *out = stmt_new(db, sql, 0);
    return *out ? DB_OK : DB_ERROR;
}

void db_finalize(struct db_stmt *st)
{
    if (!st)
        return;
    if (st->s)
        sqlite3_finalize(st->s);
    else
        pg_finalize(st->pg);
    free(st);
}

int db_bind_int(struct db_stmt *st, int i, int v)
{
    return st->s ? sqlite3_bind_int(st->s, i, v) : pg_bind(st->pg, i, DB_INTEGER, v, 0, NULL, 0, 0);
}

int db_bind_int64(struct db_stmt *st, int i, int64_t v)
{
    return st->s ? sqlite3_bind_int64(st->s, i, v)
                 : pg_bind(st->pg, i, DB_INTEGER, v, 0, NULL, 1, 0);
}

int db_bind_double(struct db_stmt *st, int i, double v)
{
    return st->s ? sqlite3_bind_double(st->s, i, v)
                 : pg_bind(st->pg, i, DB_FLOAT, 0, v, NULL, 0, 0);
}

static void (*sqlite_destructor(db_destructor d))(void *)
{
    return d == DB_TRANSIENT ? SQLITE_TRANSIENT : d == DB_STATIC ? SQLITE_STATIC : d;
}

int db_bind_text(struct db_stmt *st, int i, const char *s, int n, db_destructor d)
{
    if (!s)
        return db_bind_null(st, i);
    return st->s ? sqlite3_bind_text(st->s, i, s, n, sqlite_destructor(d))
                 : pg_bind(st->pg, i, DB_TEXT, 0, 0, s, n, d);
}

int db_bind_blob(struct db_stmt *st, int i, const void *p, int n, db_destructor d)
{
    if (!p)
        return db_bind_null(st, i);
    return st->s ? sqlite3_bind_blob(st->s, i, p, n, sqlite_destructor(d))
                 : pg_bind(st->pg, i, DB_BLOB, 0, 0, p, n, d);
}

int db_bind_null(struct db_stmt *st, int i)
{
    return st->s ? sqlite3_bind_null(st->s, i) : pg_bind(st->pg, i, DB_NULL, 0, 0, NULL, 0, 0);
}

int db_bind_parameter_index(struct db_stmt *st, const char *name)
{
    return st->s ? sqlite3_bind_parameter_index(st->s, name) : pg_param_index(st->pg, name);
}

int db_bind_named_int64(struct db_stmt *st, const char *name, int64_t v)
{
    int i = db_bind_parameter_index(st, name);
    return i ? db_bind_int64(st, i, v) : DB_OK;
}

int db_bind_named_text(struct db_stmt *st, const char *name, const char *v)
{
    int i = db_bind_parameter_index(st, name);
    if (!i)
        return DB_OK;
    return v ? db_bind_text(st, i, v, -1, DB_TRANSIENT) : db_bind_null(st, i);
}

int db_bind_parameter_count(struct db_stmt *st)
{
    return st->s ? sqlite3_bind_parameter_count(st->s) : pg_param_count(st->pg);
}

const char *db_bind_parameter_name(struct db_stmt *st, int i)
{
    return st->s ? sqlite3_bind_parameter_name(st->s, i) : pg_param_name(st->pg, i);
}

int db_step(struct db_stmt *st)
{
    return st->s ? sqlite3_step(st->s) : pg_step(st->pg);
}

int db_step_kept(struct db_stmt *st)
{
    return st->s ? sqlite3_step(st->s) : pg_step_kept(st->pg);
}

int db_keep(const char *const *tables, const char *channel, struct ls_err *err)
{
    if (db_engine_of(cfg_path) != DB_POSTGRES)
        return LS_OK;
    if (pg_keep(tables, channel) != DB_OK)
        return ls_err_set(err, LS_EINTERNAL, NULL, "cannot start listening to the database");
    return LS_OK;
}

int db_reset(struct db_stmt *st)
{
    return st->s ? sqlite3_reset(st->s) : pg_reset(st->pg);
}

int db_column_count(struct db_stmt *st)
{
    return st->s ? sqlite3_column_count(st->s) : pg_column_count(st->pg);
}

const char *db_column_name(struct db_stmt *st, int i)
{
    return st->s ? sqlite3_column_name(st->s, i) : pg_column_name(st->pg, i);
}

int db_column_type(struct db_stmt *st, int i)
{
    return st->s ? sqlite3_column_type(st->s, i) : pg_column_type(st->pg, i);
}

int64_t db_column_int64(struct db_stmt *st, int i)
{
    return st->s ? sqlite3_column_int64(st->s, i) : pg_column_int64(st->pg, i);
}

int db_column_int(struct db_stmt *st, int i)
{
    return st->s ? sqlite3_column_int(st->s, i) : (int)pg_column_int64(st->pg, i);
}

double db_column_double(struct db_stmt *st, int i)
{
    return st->s ? sqlite3_column_double(st->s, i) : pg_column_double(st->pg, i);
}

const unsigned char *db_column_text(struct db_stmt *st, int i)
{
    return st->s ? sqlite3_column_text(st->s, i) : pg_column_text(st->pg, i);
}

const void *db_column_blob(struct db_stmt *st, int i)
{
    return st->s ? sqlite3_column_blob(st->s, i) : pg_column_blob(st->pg, i);
}

int db_column_bytes(struct db_stmt *st, int i)
{
    return st->s ? sqlite3_column_bytes(st->s, i) : pg_column_bytes(st->pg, i);
}

int db_changes(struct db *db)
{
    return db->h ? sqlite3_changes(db->h) : pg_changes(db);
}

int64_t db_last_insert_id(struct db *db)
{
    return db->h ? sqlite3_last_insert_rowid(db->h) : pg_last_id(db);
}

int db_in_transaction(struct db *db)
{
    return db->h ? !sqlite3_get_autocommit(db->h) : pg_in_transaction(db);
}

const char *db_errmsg(struct db *db)
{
    return db->h ? sqlite3_errmsg(db->h) : pg_errmsg(db);
}

int db_exec(struct db *db, const char *sql, struct ls_err *err)
{
    if (db->engine == DB_POSTGRES) {
        int rc = pg_exec(db, sql);
        if (rc != DB_OK)
            return db_fail(db, rc, err);
        return LS_OK;
    }
    char *msg = NULL;
    int rc = sqlite3_exec(db->h, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        ls_err_set(err, LS_EINTERNAL, NULL, "database error: %s", msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
        return LS_EINTERNAL;
    }
    return LS_OK;
}

static int print_row(void *out, int n, char **values, char **names)
{
    (void)names;
    for (int i = 0; i < n; i++)
        fprintf(out, "%s%s", i ? "|" : "", values[i] ? values[i] : "");
    fputc('\n', out);
    return 0;
}

int db_script_print(struct db *db, const char *sql, void *out, struct ls_err *err)
{
    char msg[512] = "";
    if (db->engine == DB_POSTGRES) {
        if (pg_script_print(db, sql, out, msg, sizeof msg) != DB_OK)
            return ls_err_set(err, LS_EINTERNAL, NULL, "database error: %s", msg);
        return LS_OK;
    }
    char *m = NULL;
    int rc = sqlite3_exec(db->h, sql, print_row, out, &m);
    if (rc != SQLITE_OK) {
        ls_err_set(err, LS_EINTERNAL, NULL, "database error: %s", m ? m : sqlite3_errstr(rc));
        sqlite3_free(m);
        return LS_EINTERNAL;
    }
    return LS_OK;
}

int db_sql_complete(const char *sql)
{
    return sqlite3_complete(sql);
}

int db_ping(struct db *db)
{
    char v[16];
    if (db->engine == DB_POSTGRES)
        return pg_query_text(db, "SELECT 1", v, sizeof v) == DB_OK;
    static const char SQL_PING[] = "SELECT 1";
    struct db_stmt *st = db_stmt(db, SQL_PING);
    int ok = st && db_step(st) == DB_ROW;
    if (st)
        db_reset(st);
    return ok;
}

int db_fail(struct db *db, int rc, struct ls_err *err)
{
    int primary = rc & 0xff;
    if (db && db->engine == DB_POSTGRES) {
        fprintf(stderr, "labshare: postgresql error %d: %s\n", rc, pg_errmsg(db));
        if (pg_lost(db) || primary == DB_IOERR) {
            ls_err_set(err, LS_EDBUNAVAILABLE, NULL,
                       "the database cannot be reached; nothing was saved, try again");
            if (err)
                err->retry_after = DB_RETRY_AFTER;
            return LS_EDBUNAVAILABLE;
        }
    } else {
        fprintf(stderr, "labshare: sqlite error %d: %s\n", rc,
                db && db->h ? sqlite3_errmsg(db->h) : sqlite3_errstr(rc));
    }
    if (primary == SQLITE_FULL)
        return ls_err_set(err, LS_EUNAVAILABLE, NULL, "storage is full; nothing was saved");
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
        return ls_err_set(err, LS_EUNAVAILABLE, NULL, "database busy; try again");
    if (primary == SQLITE_IOERR)
        return ls_err_set(err, LS_EUNAVAILABLE, NULL, "storage error; nothing was saved");
    return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
}

/* Writes are SERIALIZABLE: a unit written for SQLite's one writer at a time
 * (count, then insert: the sign-in throttle, a booking's overlap check) sees
 * every concurrent unit as if it had run before or after it, whatever node
 * runs it; the one that would break that is rolled back and runs again.
 * Every write first shares its turn (db_write_turn: a lock of every node,
 * held to the transaction's end), which a unit running again takes for
 * itself (pg_write). */
static const char PG_BEGIN_WRITE[] = "BEGIN ISOLATION LEVEL SERIALIZABLE, READ WRITE";
static const char PG_SHARE_TURN[] = "SELECT pg_advisory_xact_lock_shared(1280526386, %d)";
static const char PG_BEGIN_READ[] = "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY";

/* A turn as PostgreSQL's advisory locks name it (two int4 keys, the first
 * labshare's): ids that fold onto one key merely share a turn. */
static int turn_key(int64_t turn)
{
    return (int)(turn % 2147483647);
}

/* Transaction control: cached statements on SQLite, plain commands (no
 * translation, no parameters) on PostgreSQL. */
static int exec_cached(struct db *db, const char *sql, struct ls_err *err)
{
    if (db->engine == DB_POSTGRES) {
        char turn[80];
        if (sql == SQL_BEGIN_IMMEDIATE)
            snprintf(turn, sizeof turn, PG_SHARE_TURN, turn_key(db->turn));
        int rc = sql == SQL_BEGIN_IMMEDIATE ? pg_begin(db, PG_BEGIN_WRITE, turn)
                 : sql == SQL_BEGIN         ? pg_begin(db, PG_BEGIN_READ, NULL)
                                            : pg_exec(db, sql);
        return rc == DB_OK ? LS_OK : db_fail(db, rc, err);
    }
    struct db_stmt *st = db_stmt(db, sql);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    int rc = db_step(st);
    db_reset(st);
    if (rc != DB_DONE)
        return db_fail(db, rc, err);
    return LS_OK;
}

static int db_begin_write(struct db *db, struct ls_err *err)
{
    if (db->engine == DB_POSTGRES) {
        /* Writers of several processes meet in the database: no lock here. */
        int rc = exec_cached(db, SQL_BEGIN_IMMEDIATE, err);
        db->holds_write = rc == LS_OK;
        return rc;
    }
    /* Nested use fails in SQLite ("cannot start a transaction within a
     * transaction") rather than deadlocking here. */
    int locked = !db->holds_write;
    if (locked) {
        pthread_mutex_lock(&write_mu);
        db->holds_write = 1;
    }
    int rc = exec_cached(db, SQL_BEGIN_IMMEDIATE, err);
    if (rc != LS_OK && locked) {
        db->holds_write = 0;
        pthread_mutex_unlock(&write_mu);
    }
    return rc;
}

static void release_write(struct db *db)
{
    if (db->holds_write && !db_in_transaction(db)) {
        db->holds_write = 0;
        if (db->engine == DB_SQLITE)
            pthread_mutex_unlock(&write_mu);
    }
}

static uint64_t hash_text(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h | 1;
}

uint64_t db_generation(struct db *db)
{
    if (db->engine == DB_POSTGRES) {
        /* The snapshot changes whenever a transaction that wrote commits, on
         * any node, and is visible at once: unlike a notification, nothing
         * can be served stale while one is on its way. (It also moves when a
         * writing transaction starts: caches refill a little more often.) */
        char snap[1024];
        uint64_t h = 0;
        if (pg_query_text(db, "SELECT pg_current_snapshot()::text", snap, sizeof snap) == DB_OK)
            h = hash_text(snap);
        if (h == 0 || h != db->seen_snapshot) {
            db->seen_snapshot = h;
            return atomic_fetch_add(&generation, 1) + 1;
        }
        return atomic_load(&generation);
    }
    struct db_stmt *st = db_stmt(db, SQL_DATA_VERSION);
    int64_t dv = -1;
    if (st && db_step(st) == DB_ROW)
        dv = db_column_int64(st, 0);
    if (st)
        db_reset(st);
    int64_t changes = sqlite3_total_changes64(db->h);
    if (dv < 0 || dv != db->seen_data_version || changes != db->seen_changes) {
        db->seen_data_version = dv;
        db->seen_changes = changes;
        return atomic_fetch_add(&generation, 1) + 1;
    }
    return atomic_load(&generation);
}

int db_begin_read(struct db *db, struct ls_err *err)
{
    return exec_cached(db, SQL_BEGIN, err);
}

void db_end_read(struct db *db)
{
    db_rollback(db);
}

static int db_commit(struct db *db, struct ls_err *err)
{
    int rc = exec_cached(db, SQL_COMMIT, err);
    if (rc != LS_OK)
        db_rollback(db);
    release_write(db);
    return rc;
}

static void db_rollback(struct db *db)
{
    if (db_in_transaction(db))
        exec_cached(db, SQL_ROLLBACK, NULL);
    release_write(db);
}

/* ------------------------------------------------------------------ */
/* Group commit                                                         */

/* Bounds one transaction, and so how long the first write of a group waits
 * for the ones queued behind it. */
enum { GROUP_MAX = 64 };

struct db_job {
    db_write_fn fn;
    void *ctx;
    const char *file; /* the caller's database: a group writes one file */
    struct ls_err *err;
    int rc;
    int done; /* set by the leader under group.mu once rc is final */
    struct db_job *next;
};

/* Writes waiting for a leader, in arrival order. One thread at a time leads:
 * it takes the queue, runs it as one transaction and wakes the others. */
static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct db_job *head, *tail;
    int leading;
    struct db_group_stats stats;
    /* The server's groups run on a connection of their own (db_writer_open)
     * rather than on the leader's pooled one: SQLite empties a connection's
     * page cache whenever another connection has written, so pooled
     * connections taking turns would each read every B-tree page of the
     * write path afresh, while the one writer's cache stays warm. Only the
     * leader touches it. */
    struct db *writer;
    const char *writer_file;
} group = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

int db_writer_open(struct ls_err *err)
{
    if (db_engine_of(cfg_path) == DB_POSTGRES)
        return LS_OK; /* every request writes on its own connection */
    struct db *w;
    int rc = db_open(&w, cfg_path, err);
    if (rc)
        return rc;
    /* Room for the interior pages of every index a booking touches, and
     * more of their leaves, than the readers' small caches. */
    sqlite3_exec(w->h, "PRAGMA cache_size=-16000", NULL, NULL, NULL);
    pthread_mutex_lock(&group.mu);
    db_close(group.writer);
    group.writer = w;
    group.writer_file = sqlite3_db_filename(w->h, "main");
    pthread_mutex_unlock(&group.mu);
    return LS_OK;
}

void db_writer_close(void)
{
    pthread_mutex_lock(&group.mu);
    db_close(group.writer);
    group.writer = NULL;
    group.writer_file = NULL;
    pthread_mutex_unlock(&group.mu);
}

static const char SQL_SAVEPOINT[] = "SAVEPOINT job";
static const char SQL_RELEASE[] = "RELEASE job";
static const char SQL_ROLLBACK_TO[] = "ROLLBACK TO job";

static int run_job(struct db *db, struct db_job *j)
{
    int rc = exec_cached(db, SQL_SAVEPOINT, j->err);
    if (!rc)
        rc = j->fn(db, j->ctx, j->err);
    if (!rc)
        rc = exec_cached(db, SQL_RELEASE, j->err);
    /* Undo just this job, unless SQLite has already rolled back the whole
     * transaction (an I/O error or a full disk does that). */
    if (rc && db_in_transaction(db)) {
        exec_cached(db, SQL_ROLLBACK_TO, NULL);
        exec_cached(db, SQL_RELEASE, NULL);
    }
    return rc;
}

static void fail_jobs(struct db_job **jobs, int from, int to, int rc, const struct ls_err *err)
{
    for (int k = from; k < to; k++) {
        if (jobs[k]->rc == LS_OK) {
            *jobs[k]->err = *err;
            jobs[k]->rc = rc;
        }
    }
}

/* Runs jobs[0..n) in as few transactions as they allow (one, unless SQLite
 * aborts one under us) and sets every job's rc. */
static void run_group(struct db *db, struct db_job **jobs, int n)
{
    int i = 0;
    while (i < n) {
        int first = i;
        int rc = db_begin_write(db, jobs[i]->err);
        if (rc) {
            jobs[i]->rc = rc;
            fail_jobs(jobs, i + 1, n, rc, jobs[i]->err);
            return;
        }
        int aborted = 0;
        for (; i < n && !aborted; i++) {
            jobs[i]->rc = run_job(db, jobs[i]);
            if (jobs[i]->rc && !db_in_transaction(db)) {
                /* The writes before it in this transaction are gone too. */
                fail_jobs(jobs, first, i, jobs[i]->rc, jobs[i]->err);
                db_rollback(db); /* releases the write lock */
                aborted = 1;
            }
        }
        if (aborted)
            continue;
        struct ls_err cerr = {0};
        if ((rc = db_commit(db, &cerr)))
            fail_jobs(jobs, first, n, rc, &cerr);
    }
}

/* PostgreSQL: each write its own transaction on the caller's connection;
 * the database orders concurrent writers of every node. A transaction that
 * lost a race (serialisation failure, deadlock, or a unique or exclusion
 * constraint a concurrent one got to first) runs again from the start, on
 * a new snapshot that shows the winner: the unit then answers as it would
 * have had it run second (a 409 conflict, a state already changed). */
enum { PG_RETRY_MS = 10000 }; /* as long as SQLite's busy timeout */
static const char SQL_RETRY_TURN[] = "SELECT pg_advisory_lock(1280526386, %d)";
static const char SQL_RETRY_DONE[] = "SELECT pg_advisory_unlock(1280526386, %d)";

static void count_write(void)
{
    pthread_mutex_lock(&group.mu);
    group.stats.writes++;
    group.stats.groups++;
    if (group.stats.largest == 0)
        group.stats.largest = 1;
    pthread_mutex_unlock(&group.mu);
}

static int pg_write(struct db *db, int64_t turn, db_write_fn fn, void *ctx, struct ls_err *err)
{
    char take[80], give[80];
    snprintf(take, sizeof take, SQL_RETRY_TURN, turn_key(turn));
    snprintf(give, sizeof give, SQL_RETRY_DONE, turn_key(turn));
    /* Only attempts made alone, and the pauses between them, count against
     * the clock: a unit waits for the others as SQLite's writers wait for
     * each other, and gives up only when it keeps losing while alone. */
    int64_t alone_ms = 0;
    for (int attempt = 0;; attempt++) {
        pg_retry_clear(db);
        /* A unit that lost a race runs again alone in its turn: it takes
         * the turn for itself before its snapshot, once the turn's writers
         * under way have ended (each shares it to its end: PG_SHARE_TURN),
         * and the turn's writers arriving meanwhile wait for it. So it sees
         * every winner and cannot lose to them again. (Those that waited
         * for it took their snapshot before it wrote: they may lose once,
         * and then run alone in turn.) */
        int in_turn = attempt > 0 && db_exec(db, take, NULL) == LS_OK;
        int64_t from = tu_monotonic_ms();
        db->turn = turn;
        int rc = db_begin_write(db, err);
        if (!rc) {
            rc = fn(db, ctx, err);
            if (!rc)
                rc = db_commit(db, err);
            else
                db_rollback(db);
        }
        if (in_turn)
            db_exec(db, give, NULL);
        db->holds_write = 0;
        count_write();
        if (attempt > 0)
            alone_ms += tu_monotonic_ms() - from;
        if (!rc || !pg_retryable(db) || pg_lost(db) || alone_ms >= PG_RETRY_MS)
            return rc;
        ls_err_clear(err);
        if (attempt > 0) {
            /* Lost while alone: not to another unit but to a statement
             * outside the write path, or to a constraint it breaks whoever
             * runs first. Others write meanwhile, and a little later each
             * time (at most some 65 ms a wait). */
            int shift = attempt < 7 ? attempt - 1 : 6;
            int64_t pause_from = tu_monotonic_ms();
            usleep((useconds_t)(1000 * (1 << shift) + rand() % 1000));
            alone_ms += tu_monotonic_ms() - pause_from;
        }
    }
}

int db_write_part(struct db *db, db_write_fn fn, void *ctx, struct ls_err *err)
{
    if (db->holds_write)
        return fn(db, ctx, err);
    return db_write(db, fn, ctx, err);
}

int db_write(struct db *db, db_write_fn fn, void *ctx, struct ls_err *err)
{
    return db_write_turn(db, 0, fn, ctx, err);
}

int db_write_turn(struct db *db, int64_t turn, db_write_fn fn, void *ctx, struct ls_err *err)
{
    struct db_job me = {.fn = fn, .ctx = ctx, .err = err};
    if (db->holds_write)
        return run_job(db, &me); /* part of the transaction this connection runs */
    if (db->engine == DB_POSTGRES)
        return pg_write(db, turn, fn, ctx, err);
    me.file = sqlite3_db_filename(db->h, "main");
    if (!me.file)
        me.file = "";
    pthread_mutex_lock(&group.mu);
    if (group.tail)
        group.tail->next = &me;
    else
        group.head = &me;
    group.tail = &me;
    group.stats.waiting++;
    while (!me.done && group.leading)
        pthread_cond_wait(&group.cv, &group.mu);
    if (!me.done) {
        group.leading = 1;
        struct db *w = group.writer && strcmp(group.writer_file, me.file) == 0 ? group.writer : db;
        while (!me.done) {
            struct db_job *jobs[GROUP_MAX];
            int n = 0;
            /* The queued writes to this leader's file, in order; any to
             * another file (only tests open several) wait for a leader of
             * their own. */
            struct db_job **link = &group.head;
            group.tail = NULL;
            while (*link) {
                struct db_job *j = *link;
                if (n < GROUP_MAX && strcmp(j->file, me.file) == 0) {
                    jobs[n++] = j;
                    *link = j->next;
                } else {
                    group.tail = j;
                    link = &j->next;
                }
            }
            group.stats.waiting -= n;
            pthread_mutex_unlock(&group.mu);
            run_group(w, jobs, n);
            pthread_mutex_lock(&group.mu);
            /* A follower may return (and its job leave the stack) as soon
             * as it sees done: nothing here touches a job afterwards. */
            for (int k = 0; k < n; k++)
                jobs[k]->done = 1;
            group.stats.writes += (uint64_t)n;
            group.stats.groups++;
            if ((uint64_t)n > group.stats.largest)
                group.stats.largest = (uint64_t)n;
            pthread_cond_broadcast(&group.cv);
        }
        group.leading = 0;
        /* Whoever queued while this group ran now leads the next one. */
        pthread_cond_broadcast(&group.cv);
    }
    pthread_mutex_unlock(&group.mu);
    return me.rc;
}

struct one_job {
    const char *sql;
    db_bind_fn bind;
    const void *ctx;
    int changes;
    int64_t rowid;
};

static int one_txn(struct db *db, void *ctx, struct ls_err *err)
{
    struct one_job *j = ctx;
    struct db_stmt *st = db_stmt(db, j->sql);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    j->bind(st, j->ctx);
    int rc = db_step_done(db, st, err);
    j->changes = db_changes(db);
    j->rowid = db_last_insert_id(db);
    return rc;
}

int db_write_one(struct db *db, const char *sql, db_bind_fn bind, const void *ctx, int *changes,
                 int64_t *rowid, struct ls_err *err)
{
    struct one_job j = {sql, bind, ctx, 0, 0};
    int rc = db_write(db, one_txn, &j, err);
    if (changes)
        *changes = rc ? 0 : j.changes;
    if (rowid)
        *rowid = rc ? 0 : j.rowid;
    return rc;
}

int64_t db_memory_used(void)
{
    return sqlite3_memory_used();
}

void db_group_stats(struct db_group_stats *out)
{
    pthread_mutex_lock(&group.mu);
    *out = group.stats;
    pthread_mutex_unlock(&group.mu);
}

int db_watch_add(const char *channel, void (*fn)(void), struct ls_err *err)
{
    if (db_engine_of(cfg_path) != DB_POSTGRES)
        return LS_OK;
    if (pg_watch_add(channel, fn) != DB_OK)
        return ls_err_set(err, LS_EINTERNAL, NULL, "cannot start listening to the database");
    return LS_OK;
}

int db_watch_start(struct ls_err *err)
{
    if (db_engine_of(cfg_path) != DB_POSTGRES)
        return LS_OK;
    if (pg_watch_start(cfg_path) != DB_OK)
        return ls_err_set(err, LS_EINTERNAL, NULL, "cannot start listening to the database");
    return LS_OK;
}

void db_watch_stop(void)
{
    pg_watch_stop();
}

int db_watch_hearing(void)
{
    return pg_watch_hearing();
}

int db_step_deferred(struct db *db, struct db_stmt *st, struct ls_err *err)
{
    if (!st->pg)
        return db_step_done(db, st, err);
    int rc = pg_step_deferred(st->pg);
    db_reset(st);
    if (rc != DB_DONE)
        return db_fail(db, rc, err);
    return LS_OK;
}

int db_step_done(struct db *db, struct db_stmt *st, struct ls_err *err)
{
    int rc;
    while ((rc = db_step(st)) == DB_ROW)
        ;
    db_reset(st);
    if (rc != DB_DONE)
        return db_fail(db, rc, err);
    return LS_OK;
}
