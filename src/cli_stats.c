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

static const char USAGE[] =
    "usage: labshare stats indicators --year Y [--csv [--locale L]] [--db FILE]\n"
    "       labshare stats utilisation --from T --to T [--group-by G] [--include-private]\n"
    "                                  [--organisation ID] [--csv [--locale L]] [--db FILE]\n"
    "  T is an RFC 3339 time (2026-01-01T00:00:00+01:00) or a date (2026-01-01 = local\n"
    "  midnight); G is resource (default), lab, organisation, group or kind; L is en\n"
    "  (default: comma, decimal point) or pl (semicolon, decimal comma, for Polish Excel).\n";

static int usage(const char *msg)
{
    fprintf(stderr, "labshare stats: %s\n%s", msg, USAGE);
    return CLI_USAGE;
}

/* RFC 3339, or a bare date meaning its local midnight (as the HTTP query). */
static int parse_time(const char *s, int64_t *out)
{
    if (tu_parse(s, out) == TU_OK)
        return 0;
    int y, m, d;
    char tail;
    if (strlen(s) == 10 && sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3 && m >= 1 &&
        m <= 12 && d >= 1 && d <= 31 && y >= 1970 && y <= 9999) {
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
        return usage("a report is required (indicators or utilisation)");
    const char *what = argv[1];
    if (strcmp(what, "--help") == 0 || strcmp(what, "-h") == 0) {
        fputs(USAGE, stdout);
        return CLI_OK;
    }
    int indicators = strcmp(what, "indicators") == 0;
    if (!indicators && strcmp(what, "utilisation") != 0)
        return usage("unknown report (indicators or utilisation)");

    const char *db_path = default_db, *year_s = NULL, *from_s = NULL, *to_s = NULL;
    const char *group_s = "resource", *org_s = NULL, *locale_s = "en";
    int csv = 0, priv = 0;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(USAGE, stdout);
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
            fprintf(stderr, "labshare stats: unknown option '%s'\n%s", a, USAGE);
            return CLI_USAGE;
        }
        if (slot) {
            if (i + 1 >= argc) {
                fprintf(stderr, "labshare stats: '%s' needs a value\n%s", a, USAGE);
                return CLI_USAGE;
            }
            *slot = argv[++i];
        }
    }

    enum csv_locale locale;
    if (csv_locale_parse(locale_s, &locale) != 0)
        return usage("--locale must be en or pl");
    struct stats_query q = {.include_private = priv};
    long long year = 0, org = 0;
    if (indicators) {
        if (!year_s)
            return usage("--year is required");
        if (parse_int(year_s, STATS_YEAR_MIN, STATS_YEAR_MAX, &year))
            return usage("--year must be a year from 2000 to 2100");
    } else {
        if (!from_s || !to_s)
            return usage("--from and --to are required");
        if (parse_time(from_s, &q.from))
            return usage("--from must be an RFC 3339 time or a date (YYYY-MM-DD)");
        if (parse_time(to_s, &q.to))
            return usage("--to must be an RFC 3339 time or a date (YYYY-MM-DD)");
        if (q.to <= q.from)
            return usage("--to must be after --from");
        if (q.to - q.from > STATS_MAX_SPAN)
            return usage("the span may cover at most 5 years");
        int g = stats_group_by_parse(group_s);
        if (g < 0 || g == STATS_BY_NONE)
            return usage("--group-by must be resource, lab, organisation, group or kind");
        q.group_by = (enum stats_group_by)g;
        if (org_s && parse_int(org_s, 1, INT64_MAX / 2, &org))
            return usage("--organisation must be an organisation id");
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
        fprintf(stderr, "labshare stats: %s\n", err.message[0] ? err.message : "failed");
    arena_release(&a);
    db_close(db);
    return rc;
}
