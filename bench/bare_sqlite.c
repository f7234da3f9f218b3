/* bare_sqlite.c — the ceiling for booking inserts: one INSERT per write
 * transaction (BEGIN IMMEDIATE … COMMIT) into a bookings-shaped table on the
 * same disk, WAL, with the given synchronous setting, for a fixed time.
 * usage: bare_sqlite FILE SECONDS full|normal   → prints inserts per second */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 4)
        return 2;
    sqlite3 *db;
    remove(argv[1]);
    if (sqlite3_open(argv[1], &db) != SQLITE_OK)
        return 1;
    char pragmas[128];
    snprintf(pragmas, sizeof pragmas, "PRAGMA journal_mode=WAL; PRAGMA synchronous=%s;",
             strcmp(argv[3], "normal") == 0 ? "NORMAL" : "FULL");
    sqlite3_exec(db, pragmas, NULL, NULL, NULL);
    sqlite3_exec(db,
                 "CREATE TABLE b(id INTEGER PRIMARY KEY, resource_id INT, user_id INT, start INT,"
                 " end INT, purpose TEXT, status TEXT, created INT, updated INT);"
                 "CREATE INDEX b_rs ON b(resource_id, start);",
                 NULL, NULL, NULL);
    sqlite3_stmt *ins, *begin, *commit;
    sqlite3_prepare_v2(db,
                       "INSERT INTO b(resource_id,user_id,start,end,purpose,status,created,updated)"
                       " VALUES (?1,7,?2,?2+1800,'bench','approved',?2,?2)",
                       -1, &ins, NULL);
    sqlite3_prepare_v2(db, "BEGIN IMMEDIATE", -1, &begin, NULL);
    sqlite3_prepare_v2(db, "COMMIT", -1, &commit, NULL);
    double secs = atof(argv[2]), t0 = now_s();
    long n = 0;
    while (now_s() - t0 < secs) {
        sqlite3_step(begin);
        sqlite3_reset(begin);
        sqlite3_bind_int(ins, 1, (int)(n % 16));
        sqlite3_bind_int64(ins, 2, 2000000000LL + n * 1800);
        if (sqlite3_step(ins) != SQLITE_DONE)
            return 1;
        sqlite3_reset(ins);
        sqlite3_step(commit);
        sqlite3_reset(commit);
        n++;
    }
    printf("%.0f\n", (double)n / (now_s() - t0));
    sqlite3_finalize(ins);
    sqlite3_finalize(begin);
    sqlite3_finalize(commit);
    sqlite3_close(db);
    return 0;
}
