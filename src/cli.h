/* cli.h — sub-commands of the labshare binary (see ../shared/API.md,
 * "Command line"). Each returns the process exit status: 0 success, 1
 * failure, 2 bad usage (message on stderr). */
#ifndef LS_CLI_H
#define LS_CLI_H

#define CLI_OK 0
#define CLI_FAIL 1
#define CLI_USAGE 2

struct db;

/* Opens and migrates the database at path, printing errors. NULL on failure;
 * the caller owns the connection and closes it with db_close(). (cli.c) */
struct db *cli_open_db(const char *path);
/* As cli_open_db, for a sub-command that works on an installation already
 * there: a SQLite path that names no file is refused (not created empty),
 * and so is a database without labshare's schema. NULL on failure, with the
 * exit status in *status; `option` ("--db") names the argument in messages. */
struct db *cli_open_installation(const char *cmd, const char *option, const char *path,
                                 int *status);
/* CLI_OK when path is a PostgreSQL URI or names an existing file, else
 * CLI_USAGE with a message on stderr. */
int cli_names_file(const char *cmd, const char *option, const char *path);

int cli_stats(int argc, char **argv, const char *default_db);      /* cli_stats.c */
int cli_statements(int argc, char **argv, const char *default_db); /* cli_statement.c */
int cli_sql(int argc, char **argv, const char *default_db);        /* cli_db.c */
int cli_copy_db(int argc, char **argv);                            /* cli_db.c */

/* Demo data (demo.c): loads the demo catalogue, accounts and bookings into an
 * empty database and prints the demo sign-ins. Refuses a database that
 * already has organisations. */
int demo_load(struct db *db, int quiet);
/* Demo bookings (demo_bookings.c), over the demo catalogue; 0 or -1. */
int demo_bookings(struct db *db);

#endif
