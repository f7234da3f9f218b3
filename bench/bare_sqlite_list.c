/* bare_sqlite_list.c — the ceiling for the booking-list figures: the rows of
 * one list answer read straight from SQLite in a loop, with no HTTP, no
 * session and no JSON — every column of every row fetched as the server
 * fetches them — on as many threads (each its own read-only connection) as
 * the machine has cores, for a fixed time.
 *
 * usage: bare_sqlite_list DB SECONDS SQL [NAME=VALUE ...]
 *   the SQL's named parameters (:from, :to, :resource_id, …) are bound to
 *   the integers given; prints queries per second and the rows of one query. */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *path, *sql;
static double seconds;
static int nparams;
static char **params;

struct result {
    long queries, rows;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *run(void *arg)
{
    struct result *res = arg;
    sqlite3 *db;
    sqlite3_stmt *st;
    /* As the server opens its pooled connections: one thread each, so no
     * mutex a call (a serialised connection locks one for every column
     * read, which lowered this ceiling). The busy timeout lets a thread
     * wait while another opens the WAL index instead of failing "database
     * is locked". */
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
        sqlite3_busy_timeout(db, 5000) != SQLITE_OK ||
        sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "bare_sqlite_list: %s\n", sqlite3_errmsg(db));
        exit(1);
    }
    for (int i = 0; i < nparams; i++) {
        char name[64];
        const char *eq = strchr(params[i], '=');
        if (!eq || eq - params[i] > 60)
            exit(2);
        snprintf(name, sizeof name, ":%.*s", (int)(eq - params[i]), params[i]);
        int idx = sqlite3_bind_parameter_index(st, name);
        if (idx)
            sqlite3_bind_int64(st, idx, atoll(eq + 1));
    }
    double t0 = now_s();
    long sink = 0;
    while (now_s() - t0 < seconds) {
        long rows = 0;
        while (sqlite3_step(st) == SQLITE_ROW) {
            int n = sqlite3_column_count(st);
            for (int c = 0; c < n; c++) {
                if (sqlite3_column_type(st, c) == SQLITE_TEXT)
                    sink += sqlite3_column_bytes(st, c);
                else
                    sink += sqlite3_column_int64(st, c);
            }
            rows++;
        }
        sqlite3_reset(st);
        res->rows = rows;
        res->queries++;
    }
    if (sink == 42) /* keeps the reads from being optimised away */
        fputs("", stderr);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: bare_sqlite_list DB SECONDS SQL [NAME=VALUE ...]\n");
        return 2;
    }
    path = argv[1];
    seconds = atof(argv[2]);
    sql = argv[3];
    params = argv + 4;
    nparams = argc - 4;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int n = cores > 0 && cores < 64 ? (int)cores : 2;
    pthread_t th[64];
    struct result res[64] = {{0}};
    double t0 = now_s();
    for (int i = 0; i < n; i++)
        pthread_create(&th[i], NULL, run, &res[i]);
    long queries = 0;
    for (int i = 0; i < n; i++) {
        pthread_join(th[i], NULL);
        queries += res[i].queries;
    }
    printf("%.0f %ld\n", (double)queries / (now_s() - t0), res[0].rows);
    return 0;
}
