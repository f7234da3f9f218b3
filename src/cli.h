/* cli.h — sub-commands of the labshare binary (see ../shared/API.md,
 * "Command line"). Each returns the process exit status: 0 success, 1
 * failure, 2 bad usage (message on stderr). */
#ifndef LS_CLI_H
#define LS_CLI_H

#include <stdio.h>

#include "msg.h"

#define CLI_OK 0
#define CLI_FAIL 1
#define CLI_USAGE 2

struct db;
struct ls_err;

/* What the command line writes for people (messages, help, the demo's
 * sign-ins) is in the locale's language: Polish when LC_ALL, LC_MESSAGES or
 * LANG says pl (msg_lang_locale), else English. What it writes for
 * programs stays as it is in every language: data (JSON, CSV, SQL rows)
 * and the server's log. The English texts given to cli_say and cli_usage
 * have their Polish forms in msg_pl.c (tests/lint reads the calls); the
 * help pages are in both languages in cli_help.c. (cli.c) */
enum msg_lang cli_lang(void);
/* fprintf of fmt in the command line's language. */
void cli_say(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The help page of a sub-command ("" for labshare's own) in that
 * language; cli_help_text gives it in a language, NULL for no such
 * command. (cli_help.c) */
void cli_help(FILE *f, const char *command);
const char *cli_help_text(const char *command, enum msg_lang lang);
/* "labshare CMD: <message> (see 'labshare CMD --help')" on stderr; returns
 * CLI_USAGE. */
int cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "labshare CMD: <err's message>" ("labshare: …" for cmd NULL) on stderr
 * in that language, a {field} in it named as the command line's option;
 * returns CLI_FAIL. */
int cli_fail(const char *cmd, const struct ls_err *err);
/* cli_fail's message (without "labshare CMD: ") into out, size n. */
void cli_error_text(char *out, size_t n, const struct ls_err *err, enum msg_lang lang);

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
