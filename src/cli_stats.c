/* cli_stats.c — `labshare stats indicators|utilisation …`, for cron jobs and
 * staff scripts. Prints the same JSON (pretty) or CSV as the HTTP routes,
 * through stats_render.c, with staff scope (every organisation). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "csv.h"
#include "db.h"
#include "stats.h"
#include "stats_render.h"
#include "timeutil.h"

/* msg: an English text marked MSG_TEXT (its Polish form in msg_pl.c). */
static int usage(const char *msg)
{
    fprintf(stderr, "labshare stats: %s\n", msg_format(msg, cli_lang()));
    cli_help(stderr, "stats");
    return CLI_USAGE;
}

/* RFC 3339, or a bare date meaning its local midnight (as the HTTP query). */
static int parse_time(const char *s, int64_t *out)
{
    if (tu_parse(s, out) == TU_OK)
        return 0;
    int y, m, d;
    char tail;
    if (strlen(s) == 10 && sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3 && d >= 1 &&
        d <= tu_days_in_month(y, m) && y >= 1970 && y <= 9999) {
        *out = tu_local_midnight(y, m, d);
        return 0;
    }
    return -1;
}

static int parse_int(const char *s, long long min, long long max, long long *out)
{
    char *end = NULL;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

static int print_json(cJSON *o)
{
    char *text = cJSON_Print(o);
    cJSON_Delete(o);
    if (!text)
        return CLI_FAIL;
    puts(text);
    free(text);
    return CLI_OK;
}

static int print_csv(char *text, size_t len)
{
    int ok = fwrite(text, 1, len, stdout) == len;
    free(text);
    return ok ? CLI_OK : CLI_FAIL;
}

int cli_stats(int argc, char **argv, const char *default_db)
{
    if (argc < 2)
        return usage(MSG_TEXT("a report is required (indicators or utilisation)"));
    const char *what = argv[1];
    if (strcmp(what, "--help") == 0 || strcmp(what, "-h") == 0) {
        cli_help(stdout, "stats");
        return CLI_OK;
    }
    int indicators = strcmp(what, "indicators") == 0;
    if (!indicators && strcmp(what, "utilisation") != 0)
        return usage(MSG_TEXT("unknown report (indicators or utilisation)"));

    const char *db_path = default_db, *year_s = NULL, *from_s = NULL, *to_s = NULL;
    const char *group_s = "resource", *org_s = NULL, *locale_s = "en";
    int csv = 0, priv = 0;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            cli_help(stdout, "stats");
            return CLI_OK;
        } else if (strcmp(a, "--csv") == 0) {
            csv = 1;
        } else if (!indicators && strcmp(a, "--include-private") == 0) {
            priv = 1;
        } else if (strcmp(a, "--locale") == 0) {
            slot = &locale_s;
        } else if (strcmp(a, "--db") == 0) {
            slot = &db_path;
        } else if (indicators && strcmp(a, "--year") == 0) {
            slot = &year_s;
        } else if (!indicators && strcmp(a, "--from") == 0) {
            slot = &from_s;
        } else if (!indicators && strcmp(a, "--to") == 0) {
            slot = &to_s;
        } else if (!indicators && strcmp(a, "--group-by") == 0) {
            slot = &group_s;
        } else if (!indicators && strcmp(a, "--organisation") == 0) {
            slot = &org_s;
        } else {
            cli_say(stderr, "labshare stats: unknown option '%s'\n", a);
            cli_help(stderr, "stats");
            return CLI_USAGE;
        }
        if (slot) {
            if (i + 1 >= argc) {
                cli_say(stderr, "labshare stats: '%s' needs a value\n", a);
                cli_help(stderr, "stats");
                return CLI_USAGE;
            }
            *slot = argv[++i];
        }
    }

    enum csv_locale locale;
    if (csv_locale_parse(locale_s, &locale) != 0)
        return usage(MSG_TEXT("--locale must be en or pl"));
    struct stats_query q = {.include_private = priv};
    long long year = 0, org = 0;
    if (indicators) {
        if (!year_s)
            return usage(MSG_TEXT("--year is required"));
        if (parse_int(year_s, STATS_YEAR_MIN, STATS_YEAR_MAX, &year))
            return usage(MSG_TEXT("--year must be a year from 2000 to 2100"));
    } else {
        if (!from_s || !to_s)
            return usage(MSG_TEXT("--from and --to are required"));
        if (parse_time(from_s, &q.from))
            return usage(MSG_TEXT("--from must be an RFC 3339 time or a date (YYYY-MM-DD)"));
        if (parse_time(to_s, &q.to))
            return usage(MSG_TEXT("--to must be an RFC 3339 time or a date (YYYY-MM-DD)"));
        if (q.to <= q.from)
            return usage(MSG_TEXT("--to must be after --from"));
        if (q.to - q.from > STATS_MAX_SPAN)
            return usage(MSG_TEXT("the span may cover at most 5 years"));
        int g = stats_group_by_parse(group_s);
        if (g < 0 || g == STATS_BY_NONE)
            return usage(MSG_TEXT("--group-by must be resource, lab, organisation, group or kind"));
        q.group_by = (enum stats_group_by)g;
        if (org_s && parse_int(org_s, 1, 1LL << 53, &org)) /* exact in JSON */
            return usage(MSG_TEXT("--organisation must be an organisation id"));
        q.organisation_id = org;
    }

    int status = CLI_OK;
    struct db *db = cli_open_installation("stats", "--db", db_path, &status);
    if (!db)
        return status;
    struct ls_err err = {0};
    struct arena a = {0};
    int rc = CLI_FAIL;
    if (indicators) {
        struct stats_indicators in;
        if (stats_indicators(db, (int)year, &in, &err) == LS_OK) {
            size_t len = 0;
            char *text = csv ? stats_render_indicators_csv(&in, locale, &len) : NULL;
            rc = csv ? print_csv(text, len) : print_json(stats_render_indicators_json(&in));
        }
    } else {
        struct stats_utilisation u;
        if (stats_utilisation(db, &q, &a, &u, &err) == LS_OK) {
            size_t len = 0;
            char *text = csv ? stats_render_utilisation_csv(&u, locale, &len) : NULL;
            rc = csv ? print_csv(text, len) : print_json(stats_render_utilisation_json(&u));
        }
    }
    if (rc != CLI_OK)
        cli_fail("stats", &err);
    arena_release(&a);
    db_close(db);
    return rc;
}
