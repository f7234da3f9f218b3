/* stats_render.c — see stats_render.h. */
#include "stats_render.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "json.h"
#include "timeutil.h"

/* A figure as computed: statistics are written unrounded (API.md § Figures;
 * the browser rounds what a person reads), only a negative zero as 0. */
static double fig(double v)
{
    return v == 0 ? 0 : v; /* no "-0" */
}

/* --- utilisation --- */

static const char *const figure_names[] = {"available_hours",
                                           "booked_hours",
                                           "used_hours",
                                           "booked_rate",
                                           "used_rate",
                                           "cross_organisation_share",
                                           "bookings",
                                           "users",
                                           "kwh",
                                           "kg_co2e",
                                           "cross_organisation_hours",
                                           "commercial_hours",
                                           "commercial_share",
                                           NULL};

static void figures_values(const struct stats_figures *f, double v[13])
{
    v[0] = fig(f->available_hours);
    v[1] = fig(f->booked_hours);
    v[2] = fig(f->used_hours);
    v[3] = fig(f->booked_rate);
    v[4] = fig(f->used_rate);
    v[5] = fig(f->cross_organisation_share);
    v[6] = (double)f->bookings;
    v[7] = (double)f->users;
    v[8] = fig(f->kwh);
    v[9] = fig(f->kg_co2e);
    v[10] = fig(f->cross_hours);
    v[11] = fig(f->commercial_hours);
    v[12] = fig(f->commercial_share);
}

static void add_figures(cJSON *o, const struct stats_figures *f)
{
    double v[13];
    figures_values(f, v);
    for (int i = 0; figure_names[i]; i++)
        cJSON_AddNumberToObject(o, figure_names[i], v[i]);
}

/* Key columns of each grouping, in output order. */
static const char *const keys_resource[] = {
    "resource_id",       "name",  "shared", "lab_id", "lab_name", "organisation_id",
    "organisation_name", "group", "kind",   NULL};
static const char *const keys_lab[] = {
    "lab_id", "name", "kind", "organisation_id", "organisation_name", "group", NULL};
static const char *const keys_org[] = {"organisation_id", "name", "group", NULL};
static const char *const keys_group[] = {"group", NULL};
static const char *const keys_kind[] = {"kind", NULL};
static const char *const keys_none[] = {NULL};

static const char *const *keys_of(enum stats_group_by g)
{
    switch (g) {
    case STATS_BY_RESOURCE:
        return keys_resource;
    case STATS_BY_LAB:
        return keys_lab;
    case STATS_BY_ORGANISATION:
        return keys_org;
    case STATS_BY_GROUP:
        return keys_group;
    case STATS_BY_KIND:
        return keys_kind;
    default:
        return keys_none;
    }
}

/* The value of key column k of a row: text in *s, or a number in *num. */
static int key_value(const struct stats_row *r, enum stats_group_by g, const char *k,
                     const char **s, double *num, int *is_bool)
{
    *s = NULL;
    *is_bool = 0;
    if (strcmp(k, "resource_id") == 0)
        return *num = (double)r->resource_id, 1;
    if (strcmp(k, "lab_id") == 0)
        return *num = (double)r->lab_id, 1;
    if (strcmp(k, "organisation_id") == 0)
        return *num = (double)r->organisation_id, 1;
    if (strcmp(k, "shared") == 0)
        return *is_bool = 1, *num = r->shared, 1;
    if (strcmp(k, "name") == 0)
        *s = g == STATS_BY_RESOURCE ? r->resource_name
             : g == STATS_BY_LAB    ? r->lab_name
                                    : r->organisation_name;
    else if (strcmp(k, "lab_name") == 0)
        *s = r->lab_name;
    else if (strcmp(k, "organisation_name") == 0)
        *s = r->organisation_name;
    else if (strcmp(k, "group") == 0)
        *s = r->group;
    else if (strcmp(k, "kind") == 0)
        *s = r->kind;
    if (!*s)
        *s = "";
    return 0;
}

cJSON *stats_render_utilisation_json(const struct stats_utilisation *u)
{
    cJSON *o = cJSON_CreateObject();
    json_add_time(o, "from", u->from);
    json_add_time(o, "to", u->to);
    cJSON_AddStringToObject(o, "group_by", stats_group_by_name(u->group_by));
    cJSON *items = cJSON_AddArrayToObject(o, "items");
    const char *const *keys = keys_of(u->group_by);
    for (int i = 0; i < u->n; i++) {
        cJSON *it = cJSON_CreateObject();
        for (int k = 0; keys[k]; k++) {
            const char *s;
            double num;
            int is_bool;
            if (key_value(&u->rows[i], u->group_by, keys[k], &s, &num, &is_bool))
                is_bool ? cJSON_AddBoolToObject(it, keys[k], num != 0)
                        : cJSON_AddNumberToObject(it, keys[k], num);
            else
                cJSON_AddStringToObject(it, keys[k], s);
        }
        add_figures(it, &u->rows[i].f);
        cJSON_AddItemToArray(items, it);
    }
    cJSON_AddNumberToObject(o, "total", u->n);
    cJSON *sum = cJSON_AddObjectToObject(o, "summary");
    add_figures(sum, &u->summary);
    cJSON_AddBoolToObject(o, "provisional", u->provisional);
    cJSON_AddBoolToObject(o, "estimated", u->factor_estimated);
    return o;
}

char *stats_render_utilisation_csv(const struct stats_utilisation *u, enum csv_locale locale,
                                   size_t *len)
{
    struct csv b = {0};
    csv_begin(&b, locale);
    const char *const *keys = keys_of(u->group_by);
    for (int k = 0; keys[k]; k++)
        csv_text(&b, keys[k], 0);
    for (int i = 0; figure_names[i]; i++)
        csv_text(&b, figure_names[i], figure_names[i + 1] == NULL);
    for (int i = 0; i < u->n; i++) {
        for (int k = 0; keys[k]; k++) {
            const char *s;
            double num;
            int is_bool;
            if (key_value(&u->rows[i], u->group_by, keys[k], &s, &num, &is_bool))
                is_bool ? csv_text(&b, num != 0 ? "true" : "false", 0) : csv_num(&b, num, 0);
            else
                csv_text(&b, s, 0);
        }
        double v[13];
        figures_values(&u->rows[i].f, v);
        for (int j = 0; figure_names[j]; j++)
            csv_num(&b, v[j], figure_names[j + 1] == NULL);
    }
    return csv_end(&b, len);
}

/* --- indicators --- */

static void year_json(cJSON *o, const struct stats_year *y)
{
    cJSON_AddNumberToObject(o, "year", y->year);
    cJSON *area = cJSON_AddObjectToObject(o, "lab_area_m2");
    cJSON_AddNumberToObject(area, "commercial", fig(y->area_commercial));
    cJSON_AddNumberToObject(area, "scientific", fig(y->area_scientific));
    cJSON_AddNumberToObject(area, "total", fig(y->area_total));
    cJSON_AddNumberToObject(area, "teaching", fig(y->area_teaching));
    cJSON_AddNumberToObject(area, "office", fig(y->area_office));
    cJSON_AddNumberToObject(area, "coworking", fig(y->area_coworking));
    cJSON_AddNumberToObject(o, "shared_labs", (double)y->shared_labs);
    cJSON_AddNumberToObject(o, "shared_resources", (double)y->shared_resources);
    cJSON_AddNumberToObject(o, "shared_services", (double)y->shared_services);
    cJSON_AddNumberToObject(o, "users", (double)y->users);
    cJSON *ut = cJSON_AddObjectToObject(o, "utilisation");
    cJSON_AddNumberToObject(ut, "booked_hours", fig(y->booked_hours));
    cJSON_AddNumberToObject(ut, "available_hours", fig(y->available_hours));
    cJSON_AddNumberToObject(ut, "rate", fig(y->rate));
    cJSON_AddNumberToObject(o, "cross_organisation_share", fig(y->cross_organisation_share));
    cJSON *c = cJSON_AddObjectToObject(o, "carbon_kg_co2e");
    cJSON_AddNumberToObject(c, "infrastructure", fig(y->carbon_infrastructure));
    cJSON_AddNumberToObject(c, "bookings", fig(y->carbon_bookings));
    cJSON *e = cJSON_AddObjectToObject(o, "energy_kwh");
    cJSON_AddNumberToObject(e, "infrastructure", fig(y->infrastructure_kwh));
    cJSON_AddNumberToObject(e, "bookings", fig(y->bookings_kwh));
    cJSON_AddNumberToObject(o, "grid_factor_kg_per_kwh", y->factor.kg_per_kwh);
    if (y->factor.year)
        cJSON_AddNumberToObject(o, "grid_factor_year", y->factor.year);
    else
        cJSON_AddNullToObject(o, "grid_factor_year");
    cJSON_AddBoolToObject(o, "provisional", y->factor.provisional);
    cJSON *est = cJSON_AddObjectToObject(o, "estimated");
    cJSON_AddBoolToObject(est, "grid_factor", y->factor.estimated || !y->factor.year);
    cJSON_AddBoolToObject(est, "infrastructure",
                          y->intensity_estimated || y->factor.estimated || !y->factor.year);
    cJSON_AddBoolToObject(est, "bookings", y->factor.estimated || !y->factor.year);
    /* Unrounded, as API.md § Figures asks of every statistic. */
    cJSON *sa = cJSON_AddObjectToObject(o, "state_aid");
    cJSON_AddNumberToObject(sa, "funded_resources", (double)y->funded_resources);
    cJSON_AddNumberToObject(sa, "economic_hours", y->economic_hours);
    cJSON_AddNumberToObject(sa, "non_economic_hours", y->non_economic_hours);
}

/* Strategy Table 9, programme "Monitoring resources in the region". */
static const struct {
    const char *key, *unit, *note;
    int has_baseline;
    double baseline, target;
} targets[] = {
    {"utilisation", "index",
     "Stopień wykorzystania zasobów laboratoryjnych i biurowych: the strategy gives index "
     "numbers (2021: 29, 2025: 120) without a definition; shown as given, not comparable "
     "with utilisation.rate",
     1, 29, 120},
    {"shared_labs_and_services", "count",
     "Laboratoria i usługi udostępnione przez platformę (compare shared_labs + shared_services)", 1,
     30, 160},
    {"users", "people per year",
     "Osoby korzystające ze współdzielonych zasobów i usług (2021 state not given in the strategy: "
     "\"?\?\")",
     0, 0, 200},
};

cJSON *stats_render_indicators_json(const struct stats_indicators *in)
{
    cJSON *o = cJSON_CreateObject();
    year_json(o, &in->cur);
    cJSON *prev = cJSON_AddObjectToObject(o, "previous");
    year_json(prev, &in->prev);
    cJSON *t = cJSON_AddArrayToObject(o, "targets");
    for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "key", targets[i].key);
        cJSON_AddNumberToObject(x, "baseline_year", 2021);
        if (targets[i].has_baseline)
            cJSON_AddNumberToObject(x, "baseline", targets[i].baseline);
        else
            cJSON_AddNullToObject(x, "baseline");
        cJSON_AddNumberToObject(x, "target_year", 2025);
        cJSON_AddNumberToObject(x, "target", targets[i].target);
        cJSON_AddStringToObject(x, "unit", targets[i].unit);
        cJSON_AddStringToObject(x, "note", targets[i].note);
        cJSON_AddItemToArray(t, x);
    }
    return o;
}

/* One CSV line per indicator: the key is the JSON path of the figure. */
static const struct {
    const char *key, *pl, *en, *unit;
} ind_rows[] = {
    {"lab_area_m2.commercial", "Powierzchnia laboratoriów komercyjnych",
     "Floor area of commercial labs", "m2"},
    {"lab_area_m2.scientific", "Powierzchnia laboratoriów naukowych",
     "Floor area of scientific labs", "m2"},
    {"lab_area_m2.total", "Całkowita powierzchnia laboratoriów członków Klastra",
     "Total lab floor area of cluster members", "m2"},
    {"shared_labs", "Laboratoria udostępnione", "Shared labs", "count"},
    {"shared_resources", "Zasoby udostępnione", "Shared resources", "count"},
    {"shared_services", "Usługi udostępnione", "Shared services", "count"},
    {"users", "Osoby korzystające ze współdzielonych zasobów", "People using shared resources",
     "people"},
    {"utilisation.booked_hours", "Godziny zarezerwowane", "Booked hours", "h"},
    {"utilisation.available_hours", "Godziny dostępne", "Available hours", "h"},
    {"utilisation.rate", "Stopień wykorzystania zasobów", "Utilisation rate", "ratio"},
    {"cross_organisation_share", "Udział rezerwacji między organizacjami",
     "Cross-organisation share", "ratio"},
    {"carbon_kg_co2e.infrastructure", "Ślad węglowy infrastruktury B&R&I",
     "Carbon footprint of R&D&I infrastructure", "kg CO2e"},
    {"carbon_kg_co2e.bookings", "Ślad węglowy rezerwacji", "Carbon of bookings", "kg CO2e"},
    {"grid_factor_kg_per_kwh", "Wskaźnik emisji dla energii elektrycznej", "Grid factor",
     "kg CO2e/kWh"},
    {"state_aid.funded_resources", "Zasoby finansowane ze środków publicznych",
     "Publicly funded resources", "count"},
    {"state_aid.economic_hours", "Godziny wykorzystania gospodarczego zasobów finansowanych",
     "Economic hours of funded resources", "h"},
    {"state_aid.non_economic_hours", "Godziny wykorzystania niegospodarczego zasobów finansowanych",
     "Non-economic hours of funded resources", "h"},
};

static double ind_value(const struct stats_year *y, int i, int *estimated)
{
    int fe = y->factor.estimated || !y->factor.year;
    *estimated = 0;
    switch (i) {
    case 0:
        return fig(y->area_commercial);
    case 1:
        return fig(y->area_scientific);
    case 2:
        return fig(y->area_total);
    case 3:
        return (double)y->shared_labs;
    case 4:
        return (double)y->shared_resources;
    case 5:
        return (double)y->shared_services;
    case 6:
        return (double)y->users;
    case 7:
        return fig(y->booked_hours);
    case 8:
        return fig(y->available_hours);
    case 9:
        return fig(y->rate);
    case 10:
        return fig(y->cross_organisation_share);
    case 11:
        *estimated = fe || y->intensity_estimated;
        return fig(y->carbon_infrastructure);
    case 12:
        *estimated = fe;
        return fig(y->carbon_bookings);
    case 14:
        return (double)y->funded_resources;
    case 15:
        return fig(y->economic_hours);
    case 16:
        return fig(y->non_economic_hours);
    default:
        *estimated = fe;
        return y->factor.kg_per_kwh;
    }
}

char *stats_render_indicators_csv(const struct stats_indicators *in, enum csv_locale locale,
                                  size_t *len)
{
    struct csv b = {0};
    csv_begin(&b, locale);
    static const char *const head[] = {
        "indicator",     "label_pl",       "label_en",  "unit",        "year", "value",
        "previous_year", "previous_value", "estimated", "provisional", NULL};
    for (int i = 0; head[i]; i++)
        csv_text(&b, head[i], head[i + 1] == NULL);
    for (int i = 0; i < (int)(sizeof ind_rows / sizeof ind_rows[0]); i++) {
        int est, pest;
        double v = ind_value(&in->cur, i, &est), pv = ind_value(&in->prev, i, &pest);
        csv_text(&b, ind_rows[i].key, 0);
        csv_text(&b, ind_rows[i].pl, 0);
        csv_text(&b, ind_rows[i].en, 0);
        csv_text(&b, ind_rows[i].unit, 0);
        csv_num(&b, in->cur.year, 0);
        csv_num(&b, v, 0);
        csv_num(&b, in->prev.year, 0);
        csv_num(&b, pv, 0);
        csv_text(&b, est ? "true" : "false", 0);
        csv_text(&b, i >= 11 && i <= 13 && in->cur.factor.provisional ? "true" : "false", 1);
    }
    return csv_end(&b, len);
}

/* --- heat map and monthly series --- */

cJSON *stats_render_heatmap_json(const struct stats_query *q, const struct stats_heatmap *hm)
{
    cJSON *o = cJSON_CreateObject();
    json_add_time(o, "from", q->from);
    json_add_time(o, "to", q->to);
    cJSON *rows = cJSON_AddArrayToObject(o, "hours");
    double max = 0;
    for (int d = 0; d < 7; d++) {
        cJSON *row = cJSON_CreateArray();
        for (int h = 0; h < 24; h++) {
            double v = fig(hm->cell[d][h]);
            if (v > max)
                max = v;
            cJSON_AddItemToArray(row, cJSON_CreateNumber(v));
        }
        cJSON_AddItemToArray(rows, row);
    }
    cJSON_AddNumberToObject(o, "max", max);
    return o;
}

char *stats_render_heatmap_csv(const struct stats_heatmap *hm, enum csv_locale locale, size_t *len)
{
    static const char *const days[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    struct csv b = {0};
    csv_begin(&b, locale);
    csv_text(&b, "weekday", 0);
    for (int h = 0; h < 24; h++) {
        char name[8];
        snprintf(name, sizeof name, "%02d", h);
        csv_text(&b, name, h == 23);
    }
    for (int d = 0; d < 7; d++) {
        csv_text(&b, days[d], 0);
        for (int h = 0; h < 24; h++)
            csv_num(&b, fig(hm->cell[d][h]), h == 23);
    }
    return csv_end(&b, len);
}

static const char *series_key(const struct stats_row *r, enum stats_group_by g)
{
    return g == STATS_BY_GROUP ? r->group : g == STATS_BY_KIND ? r->kind : "all";
}

cJSON *stats_render_monthly_json(int year, enum stats_group_by g,
                                 const struct stats_utilisation months[12])
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "year", year);
    cJSON_AddStringToObject(o, "group_by", g == STATS_BY_NONE ? "none" : stats_group_by_name(g));
    cJSON *items = cJSON_AddArrayToObject(o, "items");
    for (int m = 0; m < 12; m++) {
        cJSON *it = cJSON_CreateObject();
        cJSON_AddNumberToObject(it, "month", m + 1);
        const struct stats_figures *f = &months[m].summary;
        cJSON_AddNumberToObject(it, "booked_hours", fig(f->booked_hours));
        cJSON_AddNumberToObject(it, "available_hours", fig(f->available_hours));
        cJSON_AddNumberToObject(it, "rate", fig(f->booked_rate));
        if (g != STATS_BY_NONE) {
            cJSON *groups = cJSON_AddObjectToObject(it, "groups");
            for (int i = 0; i < months[m].n; i++) {
                const struct stats_row *r = &months[m].rows[i];
                cJSON *x = cJSON_AddObjectToObject(groups, series_key(r, g));
                cJSON_AddNumberToObject(x, "booked_hours", fig(r->f.booked_hours));
                cJSON_AddNumberToObject(x, "available_hours", fig(r->f.available_hours));
                cJSON_AddNumberToObject(x, "rate", fig(r->f.booked_rate));
            }
        }
        cJSON_AddItemToArray(items, it);
    }
    return o;
}

char *stats_render_monthly_csv(int year, enum stats_group_by g,
                               const struct stats_utilisation months[12], enum csv_locale locale,
                               size_t *len)
{
    struct csv b = {0};
    csv_begin(&b, locale);
    static const char *const head[] = {"year", "month", "series", "booked_hours", "available_hours",
                                       "rate", NULL};
    for (int i = 0; head[i]; i++)
        csv_text(&b, head[i], head[i + 1] == NULL);
    for (int m = 0; m < 12; m++) {
        int n = g == STATS_BY_NONE ? 0 : months[m].n;
        for (int i = -1; i < n; i++) {
            const struct stats_figures *f = i < 0 ? &months[m].summary : &months[m].rows[i].f;
            csv_num(&b, year, 0);
            csv_num(&b, m + 1, 0);
            csv_text(&b, i < 0 ? "all" : series_key(&months[m].rows[i], g), 0);
            csv_num(&b, fig(f->booked_hours), 0);
            csv_num(&b, fig(f->available_hours), 0);
            csv_num(&b, fig(f->booked_rate), 1);
        }
    }
    return csv_end(&b, len);
}

void stats_render_csv_name(char *out, size_t size, const char *what, int64_t from, int64_t to)
{
    struct tu_local a, z;
    tu_to_local(from, &a);
    tu_to_local(to, &z);
    snprintf(out, size, "labshare-%s-%04d-%02d-%02d-%04d-%02d-%02d.csv", what, a.year, a.month,
             a.day, z.year, z.month, z.day);
}
