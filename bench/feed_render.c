/* feed_render.c — the server time of one uncached feed render, measured
 * in-process with the server's own code (feed_get after the rendered-body
 * cache is emptied): a resource feed of N events (default 400) on a fresh
 * database, rendered R times (default 400); prints the median, the 90th
 * percentile and the minimum in milliseconds, and the body size.
 *
 * With --db, the feed of an existing database instead (bench/run: the
 * PHP peer's shape at 20,000 and 1,000,000 bookings, resource 1's feed of
 * ~400 events either way), opened as the server opens it and left as it was.
 *
 * usage: feed_render [EVENTS [ROUNDS]]
 *        feed_render --db DB TOKEN [ROUNDS]
 * (built by meson as bench_feed_render; bench/run runs the release build's) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auth.h"
#include "db.h"
#include "feed.h"
#include "timeutil.h"

static void die(const char *what, const struct ls_err *err)
{
    fprintf(stderr, "feed_render: %s: %s\n", what, err ? err->message : "");
    exit(1);
}

static void exec(struct db *db, const char *sql)
{
    struct ls_err err = {0};
    if (db_exec(db, sql, &err) != LS_OK) {
        fprintf(stderr, "feed_render: %s\n%s\n", err.message, sql);
        exit(1);
    }
}

static double ms_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* A resource feed of `events` events on a fresh database in dir: the
 * feed's token into token. */
static struct db *fresh(const char *dir, int events, char token[FEED_TOKEN_HEX + 1])
{
    char path[128];
    snprintf(path, sizeof path, "%s/bench.db", dir);
    struct ls_err err = {0};
    struct db *db;
    if (db_open(&db, path, &err) || db_migrate(db, &err))
        die("database", &err);

    int64_t now = tu_now();
    char sql[2048];
    snprintf(sql, sizeof sql,
             "INSERT INTO organisations(id, name, short_name, grp, created, updated) VALUES"
             " (1, 'Jagiellońskie Centrum Innowacji', 'JCI', 'R&D', %lld, %lld),"
             " (2, 'Browin, sp. z o.o.', 'Browin', 'BioF', %lld, %lld);"
             "INSERT INTO labs(id, organisation_id, name, kind, area_m2, building, address, city,"
             " created, updated) VALUES (1, 1, 'Pracownia mikroskopii', 'scientific', 120,"
             " 'Budynek B', 'ul. Bobrzyńskiego 14', 'Kraków', %lld, %lld);"
             "INSERT INTO resources(id, lab_id, type, name, created, updated) VALUES"
             " (1, 1, 'instrument', 'Mikroskop konfokalny', %lld, %lld);",
             (long long)now, (long long)now, (long long)now, (long long)now, (long long)now,
             (long long)now, (long long)now, (long long)now);
    exec(db, sql);
    int64_t uids[20];
    for (int i = 0; i < 20; i++) {
        char email[64], name[64];
        snprintf(email, sizeof email, "user%d@bench.test", i);
        snprintf(name, sizeof name, "Użytkownik Testowy %d", i);
        struct user_new u = {email,     name, "bench-password-1", i ? ROLE_RESEARCHER : ROLE_OWNER,
                             1 + i % 2, "pl"};
        if (auth_user_create(db, &u, &uids[i], &err))
            die("user", &err);
    }
    /* Events every 6 hours from tomorrow: some cross the DST changes. */
    exec(db, "BEGIN");
    for (int i = 0; i < events; i++) {
        int64_t start = now - now % 3600 + 86400 + (int64_t)i * 6 * 3600;
        snprintf(sql, sizeof sql,
                 "INSERT INTO bookings(resource_id, user_id, organisation_id, start, end, purpose,"
                 " status, created, updated, sequence) VALUES (1, %lld, %d, %lld, %lld,"
                 " 'Obrazowanie komórek; seria %d, próba %d', '%s', %lld, %lld, %d)",
                 (long long)uids[1 + i % 19], 1 + (1 + i % 19) % 2, (long long)start,
                 (long long)(start + 7200), i / 10, i, i % 3 ? "approved" : "pending",
                 (long long)(now - 1000), (long long)(now - 500 + i), i % 4);
        exec(db, sql);
    }
    exec(db, "COMMIT");

    struct user owner;
    struct arena a = {0};
    if (auth_user_get(db, uids[0], &a, &owner, &err))
        die("owner", &err);
    int64_t feed_id;
    if (feed_create(db, &owner, FEED_RESOURCE, 1, FEED_PAST_DAYS_DEFAULT, now, token, &feed_id,
                    &err))
        die("feed", &err);
    arena_release(&a);
    return db;
}

int main(int argc, char **argv)
{
    const char *path = NULL, *token_arg = NULL;
    int events = 0, rounds = 400;
    if (argc > 3 && strcmp(argv[1], "--db") == 0) {
        path = argv[2];
        token_arg = argv[3];
        rounds = argc > 4 ? atoi(argv[4]) : 400;
    } else {
        events = argc > 1 ? atoi(argv[1]) : 400;
        rounds = argc > 2 ? atoi(argv[2]) : 400;
    }
    if ((!path && events < 1) || rounds < 1 || (token_arg && strlen(token_arg) != FEED_TOKEN_HEX)) {
        fprintf(stderr, "usage: feed_render [EVENTS [ROUNDS]]\n"
                        "       feed_render --db DB TOKEN [ROUNDS]\n");
        return 2;
    }
    if (tu_init("Europe/Warsaw") != 0 || auth_init() != 0)
        die("init", NULL);
    char dir[] = "/tmp/labshare-feedbench-XXXXXX";
    char token[FEED_TOKEN_HEX + 1];
    struct ls_err err = {0};
    struct db *db;
    if (path) {
        if (db_open(&db, path, &err))
            die("database", &err);
        snprintf(token, sizeof token, "%s", token_arg);
    } else {
        if (!mkdtemp(dir))
            die("mkdtemp", NULL);
        db = fresh(dir, events, token);
    }

    int64_t now = tu_now();
    struct arena a = {0};
    struct feed f;
    if (feed_lookup(db, token, &a, &f, &err))
        die("lookup", &err);
    arena_release(&a);

    const struct feed_site site = {"labshare.example.org", "https://labshare.example.org"};
    double *t = calloc((size_t)rounds, sizeof *t);
    size_t len = 0;
    int shown = 0;
    for (int i = -20; i < rounds; i++) { /* 20 warm-up rounds */
        feed_cache_clear();
        struct feed_doc d;
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        if (feed_get(db, &f, &site, now, 1, &a, &d, &err))
            die("render", &err);
        double ms = ms_since(&t0);
        len = d.len;
        if (i == -20) /* the events the feed holds */
            for (const char *p = d.body; (p = strstr(p, "BEGIN:VEVENT")); p++)
                shown++;
        arena_release(&a);
        if (i >= 0)
            t[i] = ms;
    }
    qsort(t, (size_t)rounds, sizeof *t, cmp_double);
    printf("events=%d bytes=%zu rounds=%d median_ms=%.3f p90_ms=%.3f min_ms=%.3f\n", shown, len,
           rounds, t[rounds / 2], t[rounds * 9 / 10], t[0]);
    free(t);
    db_close(db);
    if (!path) {
        char rm[128];
        snprintf(rm, sizeof rm, "rm -rf '%s'", dir);
        if (system(rm) != 0)
            fprintf(stderr, "feed_render: could not remove %s\n", dir);
    }
    return 0;
}
