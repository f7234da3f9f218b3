/* api_stats.c — HTTP routes of the stats module: utilisation, indicators,
 * the dashboard's heat map and monthly series, and the carbon
 * configuration (grid factors, default energy intensities).
 *
 * Owners see utilisation of their own organisation's resources only (the
 * organisation filter is forced to theirs); indicators and configuration
 * are staff-only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "csv.h"
#include "json.h"
#include "stats.h"
#include "stats_render.h"

static const char *const formats[] = {"json", "csv", NULL};
static const char *const locales[] = {"en", "pl", NULL};

/* Reads format=json|csv (*csv = 1 for CSV) and locale=en|pl, the CSV
 * dialect (csv.h; checked with JSON too, so a typo is never silent). */
static int want_csv(struct req *r, int *csv, enum csv_locale *locale)
{
    const char *f = "json", *l = "en";
    int rc = http_query_enum(r, "format", formats, &f, NULL);
    if (rc == LS_OK)
        rc = http_query_enum(r, "locale", locales, &l, NULL);
    *csv = rc == LS_OK && strcmp(f, "csv") == 0;
    if (rc == LS_OK)
        csv_locale_parse(l, locale);
    return rc;
}

static int send_csv(struct req *r, char *text, size_t len, const char *filename)
{
    http_add_header(r, "Content-Disposition",
                    arena_printf(&r->arena, "attachment; filename=\"%s\"", filename));
    int rc = http_send(r, 200, "text/csv; charset=utf-8", text, len);
    free(text);
    return rc;
}

/* The selection every utilisation-like route shares: from/to (when
 * need_span), organisation scope, private resources. */
static int read_query(struct req *r, int need_span, struct stats_query *q)
{
    memset(q, 0, sizeof *q);
    int rc = LS_OK;
    if (need_span) {
        rc = http_query_time(r, "from", 1, &q->from, NULL);
        if (!rc)
            rc = http_query_time(r, "to", 1, &q->to, NULL);
        if (!rc && q->to <= q->from)
            rc = ls_err_set(&r->err, LS_EVALIDATION, "to", "'to' must be after 'from'");
        if (!rc && q->to - q->from > STATS_MAX_SPAN)
            rc = ls_err_set(&r->err, LS_EVALIDATION, "to", "the span may cover at most 5 years");
    }
    int64_t org = 0, priv = 0;
    if (!rc)
        rc = http_query_int(r, "organisation_id", 1, INT64_MAX / 2, &org, NULL);
    if (!rc)
        rc = http_query_int(r, "include_private", 0, 1, &priv, NULL);
    if (rc)
        return rc;
    q->include_private = (int)priv;
    q->organisation_id = org;
    if (!authz_is_staff(r->user)) {
        /* Owners: their own organisation, whatever they asked for. */
        if (!r->user->organisation_id)
            return ls_err_set(&r->err, LS_EFORBIDDEN, NULL,
                              "owners without an organisation "
                              "have no statistics");
        if (org && org != r->user->organisation_id)
            return ls_err_set(&r->err, LS_EFORBIDDEN, "organisation_id",
                              "owners see their own organisation only");
        q->organisation_id = r->user->organisation_id;
    }
    return LS_OK;
}

static int get_utilisation(struct req *r)
{
    static const char *const groups[] = {"resource", "lab", "organisation", "group", "kind", NULL};
    struct stats_query q;
    const char *g = "resource";
    int csv = 0;
    enum csv_locale locale = CSV_RFC4180;
    int rc = read_query(r, 1, &q);
    if (!rc)
        rc = http_query_enum(r, "group_by", groups, &g, NULL);
    if (!rc)
        rc = want_csv(r, &csv, &locale);
    if (rc)
        return rc;
    q.group_by = (enum stats_group_by)stats_group_by_parse(g);
    struct stats_utilisation u;
    if ((rc = stats_utilisation(r->db, &q, &r->arena, &u, &r->err)))
        return rc;
    if (csv) {
        char name[128];
        size_t len;
        char *text = stats_render_utilisation_csv(&u, locale, &len);
        stats_render_csv_name(name, sizeof name, arena_printf(&r->arena, "utilisation-by-%s", g),
                              q.from, q.to);
        return send_csv(r, text, len, name);
    }
    return http_send_json(r, 200, stats_render_utilisation_json(&u));
}

static int read_year(struct req *r, int *year)
{
    int64_t y = 0;
    int present = 0;
    int rc = http_query_int(r, "year", STATS_YEAR_MIN, STATS_YEAR_MAX, &y, &present);
    if (!rc && !present)
        rc = ls_err_set(&r->err, LS_EVALIDATION, "year", "'year' is required");
    *year = (int)y;
    return rc;
}

static int get_indicators(struct req *r)
{
    int year, csv = 0;
    enum csv_locale locale = CSV_RFC4180;
    int rc = read_year(r, &year);
    if (!rc)
        rc = want_csv(r, &csv, &locale);
    if (rc)
        return rc;
    struct stats_indicators in;
    if ((rc = stats_indicators(r->db, year, &in, &r->err)))
        return rc;
    if (csv) {
        size_t len;
        char *text = stats_render_indicators_csv(&in, locale, &len);
        return send_csv(r, text, len, arena_printf(&r->arena, "labshare-indicators-%d.csv", year));
    }
    return http_send_json(r, 200, stats_render_indicators_json(&in));
}

static int get_heatmap(struct req *r)
{
    struct stats_query q;
    int csv = 0;
    enum csv_locale locale = CSV_RFC4180;
    int rc = read_query(r, 1, &q);
    if (!rc)
        rc = want_csv(r, &csv, &locale);
    if (rc)
        return rc;
    struct stats_heatmap hm;
    if ((rc = stats_heatmap(r->db, &q, &hm, &r->err)))
        return rc;
    if (csv) {
        char name[128];
        size_t len;
        char *text = stats_render_heatmap_csv(&hm, locale, &len);
        stats_render_csv_name(name, sizeof name, "heatmap", q.from, q.to);
        return send_csv(r, text, len, name);
    }
    return http_send_json(r, 200, stats_render_heatmap_json(&q, &hm));
}

static int get_monthly(struct req *r)
{
    static const char *const groups[] = {"none", "group", "kind", NULL};
    struct stats_query q;
    const char *g = "none";
    int year, csv = 0;
    enum csv_locale locale = CSV_RFC4180;
    int rc = read_year(r, &year);
    if (!rc)
        rc = read_query(r, 0, &q);
    if (!rc)
        rc = http_query_enum(r, "group_by", groups, &g, NULL);
    if (!rc)
        rc = want_csv(r, &csv, &locale);
    if (rc)
        return rc;
    q.group_by = (enum stats_group_by)stats_group_by_parse(g);
    struct stats_utilisation *months = arena_alloc(&r->arena, 12 * sizeof *months);
    if ((rc = stats_monthly(r->db, year, &q, &r->arena, months, &r->err)))
        return rc;
    if (csv) {
        size_t len;
        char *text = stats_render_monthly_csv(year, q.group_by, months, locale, &len);
        return send_csv(r, text, len, arena_printf(&r->arena, "labshare-monthly-%d.csv", year));
    }
    return http_send_json(r, 200, stats_render_monthly_json(year, q.group_by, months));
}

/* --- configuration --- */

static cJSON *factor_json(const struct stats_grid_factor_row *f)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "year", f->year);
    cJSON_AddNumberToObject(o, "kg_per_kwh", f->kg_per_kwh);
    cJSON_AddStringToObject(o, "source", f->source ? f->source : "");
    cJSON_AddBoolToObject(o, "estimated", f->estimated);
    return o;
}

static int get_grid_factors(struct req *r)
{
    struct stats_grid_factor_row *v;
    int n, rc;
    if ((rc = stats_grid_factors_list(r->db, &r->arena, &v, &n, &r->err)))
        return rc;
    cJSON *items = cJSON_CreateArray();
    for (int i = 0; i < n; i++)
        cJSON_AddItemToArray(items, factor_json(&v[i]));
    return http_send_list(r, items, n);
}

/* The {year} path segment: 404 when it is not a year at all. */
static int path_year(struct req *r, int *year)
{
    char *end = NULL;
    long y = strtol(r->params[0], &end, 10);
    if (!*r->params[0] || *end || y < STATS_YEAR_MIN || y > STATS_YEAR_MAX)
        return ls_err_set(&r->err, LS_ENOTFOUND, NULL, "no such year (%d to %d)", STATS_YEAR_MIN,
                          STATS_YEAR_MAX);
    *year = (int)y;
    return LS_OK;
}

static int put_grid_factor(struct req *r)
{
    static const char *const fields[] = {"year", "kg_per_kwh", "source", "estimated", NULL};
    struct stats_grid_factor_row f = {.source = ""};
    int64_t body_year = 0;
    int present = 0, rc = path_year(r, &f.year);
    if (!rc)
        rc = json_only(r->json, fields, &r->err);
    if (!rc)
        rc = json_int(r->json, "year", 0, STATS_YEAR_MIN, STATS_YEAR_MAX, &body_year, &present,
                      &r->err);
    if (!rc && present && body_year != f.year)
        rc = ls_err_set(&r->err, LS_EVALIDATION, "year", "'year' must match the URL");
    if (!rc)
        rc = json_number(r->json, "kg_per_kwh", 1, 0, 0, 5, &f.kg_per_kwh, NULL, NULL, &r->err);
    if (!rc)
        rc = json_string(r->json, "source", 0, 0, 500, &r->arena, &f.source, NULL, &r->err);
    if (!rc)
        rc = json_bool(r->json, "estimated", 0, &f.estimated, NULL, &r->err);
    int created = 0;
    if (!rc)
        rc = stats_grid_factor_put(r->db, &f, &created, &r->err);
    if (rc)
        return rc;
    auth_audit(r->db, r->user->id, "grid_factor.put", "grid_factor", f.year,
               arena_printf(&r->arena, "%g kg/kWh", f.kg_per_kwh), r->client_ip);
    return http_send_json(r, created ? 201 : 200, factor_json(&f));
}

static int delete_grid_factor(struct req *r)
{
    int year = 0;
    int rc = path_year(r, &year);
    if (!rc)
        rc = stats_grid_factor_delete(r->db, year, &r->err);
    if (rc)
        return rc;
    auth_audit(r->db, r->user->id, "grid_factor.delete", "grid_factor", year, NULL, r->client_ip);
    return http_send_empty(r, 204);
}

static cJSON *default_json(const struct stats_energy_default *d)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "kind", d->kind);
    cJSON_AddNumberToObject(o, "kwh_per_m2_year", d->kwh_per_m2_year);
    cJSON_AddStringToObject(o, "source", d->source ? d->source : "");
    return o;
}

static int get_energy_defaults(struct req *r)
{
    struct stats_energy_default *v;
    int n, rc;
    if ((rc = stats_energy_defaults_list(r->db, &r->arena, &v, &n, &r->err)))
        return rc;
    cJSON *items = cJSON_CreateArray();
    for (int i = 0; i < n; i++)
        cJSON_AddItemToArray(items, default_json(&v[i]));
    return http_send_list(r, items, n);
}

static int put_energy_default(struct req *r)
{
    static const char *const fields[] = {"kind", "kwh_per_m2_year", "source", NULL};
    static const char *const kinds[] = {"commercial", "scientific", "teaching",
                                        "office",     "coworking",  NULL};
    struct stats_energy_default d = {.kind = r->params[0], .source = ""};
    int known = 0;
    for (int i = 0; kinds[i]; i++)
        known |= strcmp(kinds[i], d.kind) == 0;
    if (!known)
        return ls_err_set(&r->err, LS_ENOTFOUND, NULL, "no such lab kind");
    const char *body_kind = NULL;
    int present = 0;
    int rc = json_only(r->json, fields, &r->err);
    if (!rc)
        rc = json_enum(r->json, "kind", 0, kinds, &body_kind, &present, &r->err);
    if (!rc && present && strcmp(body_kind, d.kind) != 0)
        rc = ls_err_set(&r->err, LS_EVALIDATION, "kind", "'kind' must match the URL");
    if (!rc)
        rc = json_number(r->json, "kwh_per_m2_year", 1, 0, 0, 100000, &d.kwh_per_m2_year, NULL,
                         NULL, &r->err);
    if (!rc)
        rc = json_string(r->json, "source", 0, 0, 500, &r->arena, &d.source, NULL, &r->err);
    if (!rc)
        rc = stats_energy_default_put(r->db, &d, &r->err);
    if (rc)
        return rc;
    auth_audit(r->db, r->user->id, "energy_default.put", "energy_default", 0,
               arena_printf(&r->arena, "%s %g kWh/m2", d.kind, d.kwh_per_m2_year), r->client_ip);
    return http_send_json(r, 200, default_json(&d));
}

/* clang-format off */
const struct route api_stats_routes[] = {
    {"GET", "/api/v1/stats/utilisation", get_utilisation, ACCESS_OWNER, 0, 0, "stats", "Utilisation over [from, to) by resource, lab, organisation, group or kind (owners: own organisation); format=csv (locale=pl: semicolons and decimal commas)"},
    {"GET", "/api/v1/stats/indicators", get_indicators, ACCESS_STAFF, 0, 0, "stats", "Infrastructure-path indicators of a year, with the previous year and the strategy's targets; format=csv (locale=pl: semicolons and decimal commas)"},
    {"GET", "/api/v1/stats/heatmap", get_heatmap, ACCESS_OWNER, 0, 0, "stats", "Booked hours by local hour of the week (7 × 24) over [from, to); format=csv (locale=pl: semicolons and decimal commas)"},
    {"GET", "/api/v1/stats/monthly", get_monthly, ACCESS_OWNER, 0, 0, "stats", "Booked and available hours per month of a year, optionally by group or kind; format=csv (locale=pl: semicolons and decimal commas)"},
    {"GET", "/api/v1/stats/grid-factors", get_grid_factors, ACCESS_STAFF, 0, 0, "stats", "Configured grid emission factors per year"},
    {"PUT", "/api/v1/stats/grid-factors/{year}", put_grid_factor, ACCESS_STAFF, 4096, 0, "stats", "Set the grid emission factor of a year"},
    {"DELETE", "/api/v1/stats/grid-factors/{year}", delete_grid_factor, ACCESS_STAFF, 0, 0, "stats", "Remove the grid emission factor of a year"},
    {"GET", "/api/v1/stats/energy-defaults", get_energy_defaults, ACCESS_STAFF, 0, 0, "stats", "Default energy intensity per lab kind"},
    {"PUT", "/api/v1/stats/energy-defaults/{kind}", put_energy_default, ACCESS_STAFF, 4096, 0, "stats", "Set the default energy intensity of a lab kind"},
    {0},
};
/* clang-format on */
