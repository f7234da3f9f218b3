/* demo.c — `labshare demo`: a realistic catalogue for the Kraków cluster,
 * demo accounts and (once bookings exist) a few months of bookings.
 * Every demo account shares one password, printed at the end. */
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "cli.h"
#include "db.h"
#include "timeutil.h"

#define DEMO_PASSWORD "lifescience-demo"

static const char SQL_HAS_ORGS[] = "SELECT count(*) FROM organisations";
static const char SQL_ORG_INSERT[] =
    "INSERT INTO organisations(name, short_name, grp, package, member, city, created, updated)"
    " VALUES (?1, ?2, ?3, ?4, 1, 'Kraków', ?5, ?5)";

int demo_load(struct db *db, int quiet)
{
    sqlite3_stmt *st = db_stmt(db, SQL_HAS_ORGS);
    int64_t n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_reset(st);
    if (n != 0) {
        fprintf(stderr, "labshare demo: the database already has data; use an empty one\n");
        return CLI_FAIL;
    }
    struct ls_err err = {0};
    st = db_stmt(db, SQL_ORG_INSERT);
    sqlite3_bind_text(st, 1, "Jagiellonian Centre of Innovation", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, "JCI", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, "BIZ", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, "gold", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, tu_now());
    if (db_step_done(db, st, &err) != LS_OK) {
        fprintf(stderr, "labshare demo: %s\n", err.message);
        return CLI_FAIL;
    }
    int64_t org = sqlite3_last_insert_rowid(db_handle(db));
    const struct user_new users[] = {
        {"staff@labshare.demo", "Katarzyna Wiśniewska", DEMO_PASSWORD, ROLE_STAFF, 0, "pl"},
        {"owner@labshare.demo", "Piotr Zieliński", DEMO_PASSWORD, ROLE_OWNER, org, "pl"},
        {"researcher@labshare.demo", "Anna Kowalczyk", DEMO_PASSWORD, ROLE_RESEARCHER, org, "en"},
    };
    for (size_t i = 0; i < sizeof users / sizeof *users; i++) {
        if (auth_user_create(db, &users[i], NULL, &err) != LS_OK) {
            fprintf(stderr, "labshare demo: %s: %s\n", users[i].email, err.message);
            return CLI_FAIL;
        }
    }
    if (demo_bookings(db) != 0) {
        fprintf(stderr, "labshare demo: could not create the demo bookings\n");
        return CLI_FAIL;
    }
    if (!quiet) {
        printf("demo data loaded. Sign in with (password: %s):\n", DEMO_PASSWORD);
        for (size_t i = 0; i < sizeof users / sizeof *users; i++)
            printf("  %-28s %s\n", users[i].email, auth_role_name(users[i].role));
    }
    return CLI_OK;
}
