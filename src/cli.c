/* cli.c — helpers shared by the sub-commands (main.c, cli_stats.c): they sit
 * below every sub-command, so no sub-command calls back up into main.c. */
#include "cli.h"

#include <stdio.h>

#include "db.h"

struct db *cli_open_db(const char *path)
{
    struct db *db = NULL;
    struct ls_err err = {0};
    if (db_open(&db, path, &err) != LS_OK || db_migrate(db, &err) != LS_OK) {
        fprintf(stderr, "labshare: %s\n", err.message);
        db_close(db);
        return NULL;
    }
    return db;
}
