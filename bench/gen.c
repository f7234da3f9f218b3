/* gen.c — writes a realistic benchmark database into a migrated labshare
 * file, deterministic. Two shapes:
 *   cluster (default): 90 organisations, 400 labs, 2,000 resources, 5,000
 *     users and N bookings over two years around now (default 1,000,000);
 *   peer: the data of the PHP peer measured in issue 20 — 5 organisations,
 *     5 labs of 10 resources (50), 500 users and 20,000 bookings a year (400
 *     a resource, ~385 a week in all). N beyond 20,000 adds years of history
 *     at the same density (1,000,000 = 50 years), so a week, a month or a
 *     lab's week holds as many bookings at any N: what a list of [from, to)
 *     costs must not grow with the bookings outside it.
 *
 * usage: gen DB [BOOKINGS] [cluster|peer]
 * Prints the bench credentials and ids (key=value lines) for bench/run. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>
#include <sqlite3.h>

#define MAX_RESOURCES 2000
#define MAX_USERS 5000
static int ORGS = 90, LABS = 400, RESOURCES = MAX_RESOURCES, USERS = MAX_USERS;
#define PEER_PER_YEAR 20000 /* bookings a year in the peer shape */
#define FEED_EVENTS 1000
#define PASSWORD "bench-password-1"
/* A fixed feed token (64 hex chars) for the 1,000-event resource feed. */
#define FEED_TOKEN "b3e1c0ffee0ddba11b3e1c0ffee0ddba11b3e1c0ffee0ddba11b3e1c0ffee0dd"

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 11);
}
static int pick(int n)
{
    return (int)(rnd() % (uint32_t)n);
}

static sqlite3 *db;
static int user_org[MAX_USERS + 1];
static int always_open[MAX_RESOURCES + 1];
static void die(const char *what)
{
    fprintf(stderr, "gen: %s: %s\n", what, sqlite3_errmsg(db));
    exit(1);
}
static sqlite3_stmt *prep(const char *sql)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        die(sql);
    return st;
}
static void step(sqlite3_stmt *st)
{
    if (sqlite3_step(st) != SQLITE_DONE)
        die("insert");
    sqlite3_reset(st);
}

/* Inserts one booking of resource r by a random researcher. */
static void add_booking(sqlite3_stmt *st, int r, int64_t start, int64_t len, const char *status,
                        int64_t now)
{
    int u = 2 + ORGS + pick(USERS - 1 - ORGS);
    sqlite3_bind_int(st, 1, r);
    sqlite3_bind_int(st, 2, u);
    if (user_org[u])
        sqlite3_bind_int(st, 3, user_org[u]);
    else
        sqlite3_bind_null(st, 3);
    sqlite3_bind_int64(st, 4, start);
    sqlite3_bind_int64(st, 5, start + len);
    sqlite3_bind_text(st, 6, "benchmark work", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, status, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 8, start - 7 * 86400);
    sqlite3_bind_int(st, 9, pick(3));
    sqlite3_bind_int(st, 10, start < now && strcmp(status, "approved") == 0 && pick(30) == 0);
    if (strcmp(status, "cancelled") == 0)
        sqlite3_bind_int64(st, 11, start - 86400);
    else
        sqlite3_bind_null(st, 11);
    /* The price every booking keeps since #23 (a member's 80.00 an hour),
     * and a project on some: lists carry them, so the benchmark's answers
     * are as long as real ones. */
    sqlite3_bind_int64(st, 12, len);
    sqlite3_bind_int64(st, 13, 8000 * len / 3600);
    if (pick(2))
        sqlite3_bind_text(st, 14, "NCN OPUS 2026/41/B/NZ1/00123", -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 14);
    step(st);
}

/* The peer shape's bookings: per resource 400 a year, on weekdays only for
 * resources open Mon–Fri (1.5 a day) or every day (1.1 a day), so at most
 * two a day: one in the morning (from 07:00 UTC), one in the afternoon (from
 * 11:00 UTC), at most two hours each, inside 08:00–18:00 Warsaw all year.
 * The newest year runs from half a year ago to half a year ahead; more
 * bookings go back further in time. */
static long peer_bookings(sqlite3_stmt *st, int64_t now, long nbookings,
                          const char *const *statuses)
{
    long years = nbookings / PEER_PER_YEAR > 0 ? nbookings / PEER_PER_YEAR : 1;
    long ndays = years * 365;
    int64_t from_day = now / 86400 + 183 - ndays;
    long *open = malloc((size_t)ndays * sizeof *open);
    long made = 0;
    for (int r = 1; r <= RESOURCES && open; r++) {
        long want = nbookings / RESOURCES + (r <= nbookings % RESOURCES), nopen = 0;
        for (long d = 0; d < ndays; d++)
            if (always_open[r] || (from_day + d + 3) % 7 < 5) /* 1970-01-01: a Thursday */
                open[nopen++] = d;
        long prev = -1;
        for (long b = 0; b < want; b++) {
            long d = open[b * nopen / want]; /* want < 2 × nopen: two a day at most */
            int64_t day = (from_day + d) * 86400;
            int64_t start =
                d != prev ? day + 7 * 3600 + pick(4) * 1800 : day + 11 * 3600 + pick(6) * 1800;
            prev = d;
            add_booking(st, r, start, (1 + pick(4)) * 1800, statuses[pick(20)], now);
            made++;
        }
    }
    free(open);
    return made;
}

static void exec(const char *sql)
{
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        die(sql);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: gen DB [BOOKINGS]\n");
        return 2;
    }
    long nbookings = argc > 2 ? atol(argv[2]) : 1000000;
    int peer = argc > 3 && strcmp(argv[3], "peer") == 0;
    if (argc > 3 && !peer && strcmp(argv[3], "cluster") != 0) {
        fprintf(stderr, "gen: shape is cluster or peer\n");
        return 2;
    }
    if (peer) {
        ORGS = 5;
        LABS = 5;
        RESOURCES = 50;
        USERS = 500;
    }
    if (sodium_init() < 0 || sqlite3_open(argv[1], &db) != SQLITE_OK)
        return 1;
    exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; PRAGMA foreign_keys=OFF;");
    exec("BEGIN");
    int64_t now = (int64_t)time(NULL);
    now -= now % 86400;

    static const char *groups[] = {"BioF", "BIZ", "MED", "R&D", "EDU", "GOV"};
    static const char *packages[] = {"standard", "silver", "gold", "none"};
    sqlite3_stmt *st = prep("INSERT INTO organisations(id,name,short_name,grp,package,member,city,"
                            "created,updated) VALUES (?1,?2,?3,?4,?5,?6,'Kraków',?7,?7)");
    for (int i = 1; i <= ORGS; i++) {
        char name[64], shrt[16];
        snprintf(name, sizeof name, "Bench Organisation %d", i);
        snprintf(shrt, sizeof shrt, "BO%d", i);
        sqlite3_bind_int(st, 1, i);
        sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, shrt, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 4, groups[i % 6], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, packages[i % 4], -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 6, i % 9 != 0);
        sqlite3_bind_int64(st, 7, now);
        step(st);
    }
    sqlite3_finalize(st);

    static const char *kinds[] = {"commercial", "scientific", "teaching", "office", "coworking"};
    st = prep("INSERT INTO labs(id,organisation_id,name,kind,area_m2,building,address,city,"
              "biosafety_level,description,created,updated) VALUES (?1,?2,?3,?4,?5,'Building A',"
              "'ul. Bobrzyńskiego 14','Kraków',?6,'A benchmark laboratory',?7,?7)");
    for (int i = 1; i <= LABS; i++) {
        char name[64];
        snprintf(name, sizeof name, "Laboratory %d", i);
        sqlite3_bind_int(st, 1, i);
        sqlite3_bind_int(st, 2, 1 + (i - 1) % ORGS);
        sqlite3_bind_text(st, 3, name, -1, SQLITE_TRANSIENT);
        int k = pick(10);
        sqlite3_bind_text(st, 4,
                          kinds[k < 4    ? 0
                                : k < 8  ? 1
                                : k == 8 ? 2
                                         : 3 + pick(2)],
                          -1, SQLITE_STATIC);
        sqlite3_bind_double(st, 5, 40 + pick(1500));
        sqlite3_bind_int(st, 6, pick(3));
        sqlite3_bind_int64(st, 7, now);
        step(st);
    }
    sqlite3_finalize(st);

    static const char *cats[] = {
        "confocal microscope", "flow cytometer", "NGS sequencer",     "LC-MS/MS",
        "ULT freezer",         "PCR cycler",     "biosafety cabinet", "fume hood bench",
        "BSL-2 room",          "hot desk",       "seminar room",      "electron microscope"};
    static const char *types[] = {"instrument", "instrument", "instrument", "instrument",
                                  "instrument", "instrument", "instrument", "room",
                                  "room",       "desk",       "room",       "instrument"};
    st = prep(
        "INSERT INTO resources(id,lab_id,type,name,category,description,shared,"
        "requires_approval,requires_training,power_kw,standby_kw,slot_minutes,min_minutes,"
        "max_minutes,created,updated) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,0,?9,0.1,30,30,?10,?11,?11)");
    sqlite3_stmt *oh = prep(
        "INSERT INTO opening_hours(resource_id,weekday,open_min,close_min) VALUES (?1,?2,?3,?4)");
    for (int i = 1; i <= RESOURCES; i++) {
        int c = pick(12);
        char name[96], desc[160];
        snprintf(name, sizeof name, "%s %d", cats[c], i);
        snprintf(desc, sizeof desc, "Shared %s number %d for the benchmark.", cats[c], i);
        sqlite3_bind_int(st, 1, i);
        sqlite3_bind_int(st, 2, 1 + (i - 1) % LABS);
        sqlite3_bind_text(st, 3, types[c], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 5, cats[c], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, desc, -1, SQLITE_TRANSIENT);
        /* Resources 2–17 are the booking benchmark's: shared, open 24/7, no approval. */
        int post_target = i >= 2 && i <= 17;
        sqlite3_bind_int(st, 7, i == 1 || post_target || pick(10) != 0);
        sqlite3_bind_int(st, 8, !post_target && pick(10) < 7);
        sqlite3_bind_double(st, 9, pick(25) / 10.0);
        sqlite3_bind_int(st, 10, 24 * 60);
        sqlite3_bind_int64(st, 11, now);
        step(st);
        always_open[i] = i <= 17 || pick(10) < 3;
        for (int d = 1; d <= 7; d++) {
            if (!always_open[i] && d > 5)
                continue;
            sqlite3_bind_int(oh, 1, i);
            sqlite3_bind_int(oh, 2, d);
            sqlite3_bind_int(oh, 3, always_open[i] ? 0 : 8 * 60);
            sqlite3_bind_int(oh, 4, always_open[i] ? 1440 : 18 * 60);
            step(oh);
        }
    }
    sqlite3_finalize(st);
    sqlite3_finalize(oh);

    char hash[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(hash, PASSWORD, strlen(PASSWORD), 2, 19u << 20) != 0)
        return 1;
    st = prep(
        "INSERT INTO users(id,email,name,role,organisation_id,password_hash,lang,created,updated)"
        " VALUES (?1,?2,?3,?4,?5,?6,'en',?7,?7)");
    for (int i = 1; i <= USERS; i++) {
        char email[64], name[64];
        snprintf(email, sizeof email, "user%d@bench.labshare", i);
        snprintf(name, sizeof name, "Bench User %d", i);
        const char *role = i == 1 ? "staff" : i <= 1 + ORGS ? "owner" : "researcher";
        user_org[i] = i == 1 ? 0 : i <= 1 + ORGS ? i - 1 : (pick(20) == 0 ? 0 : 1 + pick(ORGS));
        sqlite3_bind_int(st, 1, i);
        sqlite3_bind_text(st, 2, email, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 4, role, -1, SQLITE_STATIC);
        if (user_org[i])
            sqlite3_bind_int(st, 5, user_org[i]);
        else
            sqlite3_bind_null(st, 5);
        sqlite3_bind_text(st, 6, hash, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 7, now);
        step(st);
    }
    sqlite3_finalize(st);

    /* Bookings: per resource a sequence of non-overlapping spans inside its
     * opening hours, spread over [now - 1 year, now + 1 year). */
    st = prep("INSERT INTO bookings(resource_id,user_id,organisation_id,start,end,purpose,status,"
              "created,updated,sequence,no_show,cancelled_at,price_currency,price_class,price_rate,"
              "price_seconds,price_net,project) VALUES "
              "(?1,?2,?3,?4,?5,?6,?7,?8,?8,?9,?10,?11,'PLN','member_academic',8000,?12,?13,?14)");
    static const char *statuses[] = {"approved", "approved", "approved",  "approved",  "approved",
                                     "approved", "approved", "approved",  "approved",  "approved",
                                     "approved", "approved", "approved",  "approved",  "approved",
                                     "approved", "pending",  "cancelled", "cancelled", "declined"};
    int64_t from = now - 365 * 86400LL;
    int64_t from_day = from / 86400;
    int weekdays[730], nweekdays = 0;
    for (int d = 0; d < 730; d++)
        if ((from_day + d + 3) % 7 < 5) /* 1970-01-01 was a Thursday: 0 = Monday */
            weekdays[nweekdays++] = d;
    long made = 0;
    if (peer) {
        made = peer_bookings(st, now, nbookings, statuses);
        nbookings = 0; /* the cluster loop below adds nothing */
    }
    for (int r = 1; r <= RESOURCES && made < nbookings; r++) {
        long want = nbookings / RESOURCES + (r <= nbookings % RESOURCES);
        if (r == 1)
            want = FEED_EVENTS; /* the feed benchmark: 1,000 events in a year around now */
        for (long b = 0; b < want; b++) {
            int64_t start;
            if (r == 1) {
                /* three a day from 60 days ago, at 09:00, 13:00, 17:00 UTC */
                start = (now / 86400 - 60 + b / 3) * 86400 + (9 + 4 * (b % 3)) * 3600;
            } else {
                /* one a day at most, so spans never overlap; 09:00–17:00 UTC
                 * lies inside 08:00–18:00 Warsaw all year */
                int ndays = always_open[r] ? 730 : nweekdays;
                int d = (int)(b * ndays / want);
                int64_t day = (from_day + (always_open[r] ? d : weekdays[d])) * 86400;
                start = day + 9 * 3600 + pick(12) * 1800;
            }
            int64_t len = (1 + pick(4)) * 1800;
            const char *status = r == 1 ? (b % 10 ? "approved" : "pending") : statuses[pick(20)];
            add_booking(st, r, start, len, status, now);
            made++;
        }
    }
    sqlite3_finalize(st);

    /* The feed benchmark's token, stored hashed like the server stores it. */
    unsigned char h[32];
    crypto_generichash(h, 32, (const unsigned char *)FEED_TOKEN, strlen(FEED_TOKEN), NULL, 0);
    st = prep("INSERT INTO feeds(token_hash,scope,scope_id,user_id,created) VALUES "
              "(?1,'resource',?2,1,?3)");
    sqlite3_bind_blob(st, 1, h, 32, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, 1);
    sqlite3_bind_int64(st, 3, now);
    step(st);
    sqlite3_finalize(st);
    exec("COMMIT");
    exec("ANALYZE");
    sqlite3_close(db);
    printf(
        "bookings=%ld\nresources=%d\nusers=%d\npassword=%s\nstaff=user1@bench.labshare\n"
        "researcher=user%d@bench.labshare\nfeed_token=%s\nfeed_resource=1\npost_resources=2-17\n",
        made, RESOURCES, USERS, PASSWORD, 2 + ORGS, FEED_TOKEN);
    return 0;
}
