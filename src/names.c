/* names.c — the names booking lists print, kept in memory (names.h). */
#include "names.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "db.h"

static const char SQL_VERSION[] = "SELECT version FROM names_version WHERE id = 1";
static const char SQL_RESOURCES[] = "SELECT r.id, r.name, l.organisation_id FROM resources r"
                                    " JOIN labs l ON l.id = r.lab_id ORDER BY r.id";
static const char SQL_USERS[] = "SELECT id, name FROM users ORDER BY id";
static const char SQL_RESOURCE[] = "SELECT r.name, l.organisation_id FROM resources r"
                                   " JOIN labs l ON l.id = r.lab_id WHERE r.id = :id";
static const char SQL_USER[] = "SELECT name FROM users WHERE id = :id";

struct entry {
    int64_t id, organisation_id;
    const char *name; /* in the copy's arena */
};

struct table {
    struct entry *e; /* malloc'd, sorted by id */
    size_t n;
    /* by_id[id] = the entry of id, or NULL: ids are mostly dense (rows are
     * rarely deleted), so one load instead of a binary search a row. NULL
     * when the largest id is far beyond the count (then the search). */
    const struct entry **by_id; /* malloc'd */
    int64_t max_id;
};

struct names {
    int64_t version;
    int known; /* kept for others at `version`; else this caller's alone */
    int refs;  /* loans, and one for being kept; under names_mu */
    struct table resources, users;
    struct arena text;
};

/* The copy at the newest count seen, and the lock over it and every refs. */
static pthread_mutex_t names_mu = PTHREAD_MUTEX_INITIALIZER;
static struct names *kept;
/* One reading at a time: after a change, the lists arriving together wait
 * for one copy instead of each reading their own. */
static pthread_mutex_t reading_mu = PTHREAD_MUTEX_INITIALIZER;

static void names_free(struct names *n)
{
    free(n->resources.e);
    free(n->resources.by_id);
    free(n->users.e);
    free(n->users.by_id);
    arena_release(&n->text);
    free(n);
}

void names_put(const struct names *cn)
{
    struct names *n = (struct names *)cn;
    if (!n)
        return;
    pthread_mutex_lock(&names_mu);
    int last = --n->refs == 0;
    pthread_mutex_unlock(&names_mu);
    if (last)
        names_free(n);
}

/* Rows of (id, name[, organisation_id]) into t. */
static int read_table(struct db *db, const char *sql, struct table *t, struct arena *text,
                      struct ls_err *err)
{
    struct db_stmt *st = db_stmt(db, sql);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    size_t cap = 0;
    int rc, orgs = db_column_count(st) > 2;
    while ((rc = db_step(st)) == DB_ROW) {
        if (t->n == cap) {
            cap = cap ? cap * 2 : 256;
            struct entry *bigger = realloc(t->e, cap * sizeof *bigger);
            if (!bigger)
                abort(); /* as arena.h: out of memory ends the process */
            t->e = bigger;
        }
        t->e[t->n++] = (struct entry){
            .id = db_column_int64(st, 0),
            .name = arena_strdup(text, (const char *)db_column_text(st, 1)),
            .organisation_id = orgs ? db_column_int64(st, 2) : 0,
        };
    }
    db_reset(st);
    if (rc != DB_DONE)
        return db_fail(db, rc, err);
    t->max_id = t->n ? t->e[t->n - 1].id : 0;
    if (t->n && t->e[0].id > 0 && t->max_id <= 4 * (int64_t)t->n + 4096) {
        t->by_id = calloc((size_t)t->max_id + 1, sizeof *t->by_id);
        if (!t->by_id)
            abort();
        for (size_t i = 0; i < t->n; i++)
            t->by_id[t->e[i].id] = &t->e[i];
    }
    return LS_OK;
}

/* A copy read now. The count first, then the names: on PostgreSQL, where
 * each statement sees the latest commits, the names are then at least as
 * new as the count says (on SQLite the caller's open list statement holds
 * one snapshot for all three). */
static struct names *names_read(struct db *db, struct ls_err *err)
{
    struct names *n = calloc(1, sizeof *n);
    if (!n)
        abort();
    struct db_stmt *st = db_stmt(db, SQL_VERSION);
    int rc = st ? db_step(st) : DB_ERROR;
    if (rc == DB_ROW) {
        n->version = db_column_int64(st, 0);
        n->known = 1;
    }
    if (st)
        db_reset(st);
    int ok = rc == DB_ROW || rc == DB_DONE ? LS_OK : db_fail(db, rc, err);
    if (ok == LS_OK)
        ok = read_table(db, SQL_RESOURCES, &n->resources, &n->text, err);
    if (ok == LS_OK)
        ok = read_table(db, SQL_USERS, &n->users, &n->text, err);
    if (ok != LS_OK) {
        names_free(n);
        return NULL;
    }
    return n;
}

/* The kept copy if it is at version, lent; else NULL. */
static struct names *lend_kept(int64_t version)
{
    pthread_mutex_lock(&names_mu);
    struct names *n = kept && kept->version == version ? kept : NULL;
    if (n)
        n->refs++;
    pthread_mutex_unlock(&names_mu);
    return n;
}

const struct names *names_get(struct db *db, int64_t version, int known, struct ls_err *err)
{
    struct names *n = known ? lend_kept(version) : NULL;
    if (n)
        return n;
    pthread_mutex_lock(&reading_mu);
    if (known && (n = lend_kept(version))) {
        pthread_mutex_unlock(&reading_mu);
        return n;
    }
    n = names_read(db, err);
    if (n) {
        n->refs = 1;
        /* A copy read at a count the list did not see (a change committed
         * in between, on PostgreSQL) still serves this list, and is kept
         * for the lists that see its count. */
        if (n->known) {
            pthread_mutex_lock(&names_mu);
            struct names *old = kept;
            kept = n;
            n->refs++;
            int drop = old && --old->refs == 0;
            pthread_mutex_unlock(&names_mu);
            if (drop)
                names_free(old);
        }
    }
    pthread_mutex_unlock(&reading_mu);
    return n;
}

static const struct entry *find(const struct table *t, int64_t id)
{
    if (t->by_id)
        return id > 0 && id <= t->max_id ? t->by_id[id] : NULL;
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->e[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < t->n && t->e[lo].id == id ? &t->e[lo] : NULL;
}

/* One row's name (and organisation) read from db when the copy lacks it. */
static const char *read_one(struct db *db, const char *sql, struct arena *a, int64_t id,
                            int64_t *organisation_id)
{
    struct db_stmt *st = db_stmt(db, sql);
    const char *name = NULL;
    if (st && db_bind_named_int64(st, ":id", id) == DB_OK && db_step(st) == DB_ROW) {
        name = arena_strdup(a, (const char *)db_column_text(st, 0));
        if (organisation_id)
            *organisation_id = db_column_int64(st, 1);
    }
    if (st)
        db_reset(st);
    return name;
}

const char *names_resource(const struct names *n, struct db *db, struct arena *a, int64_t id,
                           int64_t *organisation_id)
{
    *organisation_id = 0;
    const struct entry *e = n ? find(&n->resources, id) : NULL;
    if (!e)
        return read_one(db, SQL_RESOURCE, a, id, organisation_id);
    *organisation_id = e->organisation_id;
    return e->name;
}

const char *names_user(const struct names *n, struct db *db, struct arena *a, int64_t id)
{
    const struct entry *e = n ? find(&n->users, id) : NULL;
    return e ? e->name : read_one(db, SQL_USER, a, id, NULL);
}
