/* cli.c — helpers shared by the sub-commands (main.c, cli_stats.c): they sit
 * below every sub-command, so no sub-command calls back up into main.c. */
#include "cli.h"

#include <stdio.h>
#include <sys/stat.h>

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

int cli_names_file(const char *cmd, const char *option, const char *path)
{
    /* SQLite creates a file that is not there: a mistyped path would be
     * read as an empty installation (statistics of zeros, a backup of
     * nothing) and leave a stray file behind. */
    struct stat st;
    if (db_engine_of(path) != DB_SQLITE || (stat(path, &st) == 0 && S_ISREG(st.st_mode)))
        return CLI_OK;
    fprintf(stderr, "labshare %s: %s names no file: %s\n", cmd, option, path);
    return CLI_USAGE;
}

struct db *cli_open_installation(const char *cmd, const char *option, const char *path, int *status)
{
    if ((*status = cli_names_file(cmd, option, path)) != CLI_OK)
        return NULL;
    struct db *db = NULL;
    struct ls_err err = {0};
    int rc = db_open(&db, path, &err);
    /* Another program's database would gain labshare's tables. */
    if (rc == LS_OK && db_schema_version(db) == 0)
        rc = ls_err_set(&err, LS_EVALIDATION, option + 2, "%s is not a labshare database", path);
    if (rc == LS_OK)
        rc = db_migrate(db, &err);
    if (rc == LS_OK)
        return db;
    fprintf(stderr, "labshare %s: %s\n", cmd, err.message);
    db_close(db);
    *status = CLI_FAIL;
    return NULL;
}
