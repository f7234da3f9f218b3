/* cli_statement.c — `labshare statements --month YYYY-MM …`, for the
 * accountant's monthly run: the same JSON (pretty) or CSV as
 * GET /api/v1/statements, with staff scope. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "cli.h"
#include "db.h"
#include "statement.h"
#include "timeutil.h"

/* msg: an English text marked MSG_TEXT (its Polish form in msg_pl.c). */
static int usage(const char *msg)
{
    fprintf(stderr, "labshare statements: %s\n", msg_format(msg, cli_lang()));
    cli_help(stderr, "statements");
    return CLI_USAGE;
}

int cli_statements(int argc, char **argv, const char *default_db)
{
    const char *db_path = default_db, *month_s = NULL, *org_s = NULL, *locale = "en";
    int csv = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            cli_help(stdout, "statements");
            return CLI_OK;
        } else if (strcmp(a, "--csv") == 0) {
            csv = 1;
        } else if (strcmp(a, "--month") == 0) {
            slot = &month_s;
        } else if (strcmp(a, "--organisation") == 0) {
            slot = &org_s;
        } else if (strcmp(a, "--locale") == 0) {
            slot = &locale;
        } else if (strcmp(a, "--db") == 0) {
            slot = &db_path;
        } else {
            cli_say(stderr, "labshare statements: unknown option '%s'\n", a);
            cli_help(stderr, "statements");
            return CLI_USAGE;
        }
        if (slot) {
            if (i + 1 >= argc) {
                cli_say(stderr, "labshare statements: '%s' needs a value\n", a);
                cli_help(stderr, "statements");
                return CLI_USAGE;
            }
            *slot = argv[++i];
        }
    }
    int year, month;
    if (!month_s)
        return usage(MSG_TEXT("--month is required"));
    if (statement_parse_month(month_s, &year, &month) != 0)
        return usage(MSG_TEXT("--month must be a month as YYYY-MM (2000-01 to 2100-12)"));
    long long org = 0;
    char *end = NULL;
    /* An id JSON carries exactly (cJSON holds numbers as doubles). */
    if (org_s && ((org = strtoll(org_s, &end, 10)) < 1 || *end || !*org_s || org > (1LL << 53)))
        return usage(MSG_TEXT("--organisation must be an organisation id"));
    enum csv_locale dialect;
    if (csv_locale_parse(locale, &dialect) != 0)
        return usage(MSG_TEXT("--locale must be pl or en"));
    if (!csv && dialect != CSV_RFC4180)
        return usage(MSG_TEXT("--locale goes with --csv"));

    int status = CLI_OK;
    struct db *db = cli_open_installation("statements", "--db", db_path, &status);
    if (!db)
        return status;
    struct ls_err err = {0};
    struct arena a = {0};
    struct statement s;
    int rc = CLI_FAIL;
    if (statement_month(db, year, month, org, tu_now(), &a, &s, &err) == LS_OK) {
        if (csv) {
            size_t len = 0;
            char *text = api_statement_csv(&s, dialect, &len);
            rc = fwrite(text, 1, len, stdout) == len ? CLI_OK : CLI_FAIL;
            free(text);
        } else {
            cJSON *o = api_statement_json(&s);
            char *text = cJSON_Print(o);
            cJSON_Delete(o);
            if (text && puts(text) >= 0)
                rc = CLI_OK;
            free(text);
        }
    }
    if (rc != CLI_OK)
        cli_fail("statements", &err);
    arena_release(&a);
    db_close(db);
    return rc;
}
