/* cli.c — helpers shared by the sub-commands (main.c, cli_stats.c): they sit
 * below every sub-command, so no sub-command calls back up into main.c. */
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "db.h"
#include "err.h"

enum msg_lang cli_lang(void)
{
    return msg_lang_locale(getenv("LC_ALL"), getenv("LC_MESSAGES"), getenv("LANG"));
}

void cli_say(FILE *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(f, msg_format(fmt, cli_lang()), ap);
    va_end(ap);
}

int cli_usage(const char *cmd, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, msg_format(fmt, cli_lang()), ap);
    va_end(ap);
    cli_say(stderr, "labshare %s: %s (see 'labshare %s --help')\n", cmd, msg, cmd);
    return CLI_USAGE;
}

/* A field as the command line names it: its option. The fields whose
 * option is not "--" and the name with dashes are listed. */
static void option_of(char *out, size_t n, const char *field)
{
    static const char *const named[][2] = {
        {"organisation_id", "--organisation"},
        {"password", "--password-stdin"},
    };
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        if (strcmp(field, named[i][0]) == 0) {
            snprintf(out, n, "%s", named[i][1]);
            return;
        }
    snprintf(out, n, "--%s", field);
    for (char *p = out; *p; p++)
        if (*p == '_')
            *p = '-';
}

void cli_error_text(char *out, size_t n, const struct ls_err *err, enum msg_lang lang)
{
    char label[80] = "";
    if (err->field[0])
        option_of(label, sizeof label, err->field);
    const char *msg = ls_err_message(err, lang);
    msg_put_field(out, n, msg[0] ? msg : msg_format(MSG_TEXT("failed"), lang), label);
}

int cli_fail(const char *cmd, const struct ls_err *err)
{
    char text[sizeof err->message + 80];
    cli_error_text(text, sizeof text, err, cli_lang());
    if (cmd)
        fprintf(stderr, "labshare %s: %s\n", cmd, text);
    else
        fprintf(stderr, "labshare: %s\n", text);
    return CLI_FAIL;
}

struct db *cli_open_db(const char *path)
{
    struct db *db = NULL;
    struct ls_err err = {0};
    if (db_open(&db, path, &err) != LS_OK || db_migrate(db, &err) != LS_OK) {
        cli_fail(NULL, &err);
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
    cli_say(stderr, "labshare %s: %s names no file: %s\n", cmd, option, path);
    return CLI_USAGE;
}

struct db *cli_open_installation(const char *cmd, const char *option, const char *path, int *status)
{
    if ((*status = cli_names_file(cmd, option, path)) != CLI_OK)
        return NULL;
    /* An empty file holds no installation; opening it would write SQLite's
     * header into it. */
    struct stat st;
    if (db_engine_of(path) == DB_SQLITE && stat(path, &st) == 0 && st.st_size == 0) {
        cli_say(stderr, "labshare %s: %s is not a labshare database (the file is empty)\n", cmd,
                path);
        *status = CLI_FAIL;
        return NULL;
    }
    struct db *db = NULL;
    struct ls_err err = {0};
    int rc = db_open(&db, path, &err);
    /* Another program's database would gain labshare's tables. */
    if (rc == LS_OK && (db_schema_version(db) == 0 || db_foreign(db)))
        rc = ls_err_set(&err, LS_EVALIDATION, option + 2, "%s is not a labshare database", path);
    if (rc == LS_OK)
        rc = db_migrate(db, &err);
    if (rc == LS_OK)
        return db;
    cli_fail(cmd, &err);
    db_close(db);
    *status = CLI_FAIL;
    return NULL;
}
