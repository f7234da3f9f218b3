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
#include "api_field.h"
#include "catalogue.h"
#include "csv.h"
#include "json.h"
#include "stats.h"
#include "stats_render.h"

static const struct field_choice FORMATS[] = {
    {"json", {"JSON", "JSON"}},
    {"csv", {"CSV", "CSV"}},
    {NULL, {NULL, NULL}},
};
/* The CSV's dialect (csv.h): RFC 4180, or Polish Excel's. */
static const struct field_choice LOCALES[] = {
    {"en", {"comma, decimal point", "przecinek, kropka dziesiętna"}},
    {"pl", {"semicolon, decimal comma (Polish Excel)", "średnik, przecinek dziesiętny (Excel)"}},
    {NULL, {NULL, NULL}},
};
static const struct field_choice GROUP_BY[] = {
    {"resource", {"resource", "zasób"}},
    {"lab", {"lab", "laboratorium"}},
    {"organisation", {"organisation", "organizacja"}},
    {"group", {"interest group", "grupa"}},
    {"kind", {"lab kind", "typ laboratorium"}},
    {NULL, {NULL, NULL}},
};
static const struct field_choice MONTHLY_BY[] = {
    {"none", {"none", "bez podziału"}},
    {"group", {"interest group", "grupa"}},
    {"kind", {"lab kind", "typ laboratorium"}},
    {NULL, {NULL, NULL}},
};

/* The query parameters every statistics route draws from. */
struct stats_params {
    int64_t from, to, organisation_id;
    int include_private, year;
    const char *group_by, *format, *locale;
};

#define P(member, json, ft, fl, ...) FIELD(struct stats_params, member, json, ft, fl, __VA_ARGS__)
#define P_SPAN                                                                                     \
    P(from, "from", FT_TIME, FF_REQUIRED, LABEL("From", "Od")),                                    \
        P(to, "to", FT_TIME, FF_REQUIRED, LABEL("To", "Do"), .help = "at most 5 years after from")
#define P_SCOPE                                                                                    \
    P(organisation_id, "organisation_id", FT_ID, 0, LABEL("Organisation", "Organizacja"),          \
      .help = "owners: always their own"),                                                         \
        P(include_private, "include_private", FT_BOOL, 0,                                          \
          LABEL("Include unshared resources", "Uwzględnij zasoby nieudostępniane"))
#define P_YEAR                                                                                     \
    P(year, "year", FT_INT, FF_REQUIRED, .min = STATS_YEAR_MIN, .max = STATS_YEAR_MAX,             \
      LABEL("Year", "Rok"))
#define P_FORMAT                                                                                   \
    P(format, "format", FT_ENUM, 0, .choices = FORMATS, .def = "json", LABEL("Format", "Format")), \
        P(locale, "locale", FT_ENUM, 0, .choices = LOCALES, .def = "en",                           \
          LABEL("CSV dialect", "Format pliku CSV"), .help = "with format=csv")

static const struct field UTIL_PARAMS[] = {
    P_SPAN,
    P_SCOPE,
    P(group_by, "group_by", FT_ENUM, 0, .choices = GROUP_BY, .def = "resource",
      LABEL("Group by", "Grupuj według")),
    P_FORMAT,
    FIELD_END,
};
static const struct field INDICATOR_PARAMS[] = {P_YEAR, P_FORMAT, FIELD_END};
static const struct field HEATMAP_PARAMS[] = {P_SPAN, P_SCOPE, P_FORMAT, FIELD_END};
static const struct field MONTHLY_PARAMS[] = {
    P_YEAR,
    P_SCOPE,
    P(group_by, "group_by", FT_ENUM, 0, .choices = MONTHLY_BY, .def = "none",
      LABEL("Group by", "Grupuj według")),
    P_FORMAT,
    FIELD_END,
};
#define PARAMS(table)                                                                              \
    {                                                                                              \
        .fields = (table), .size = sizeof(struct stats_params)                                     \
    }
static const struct shape util_params = PARAMS(UTIL_PARAMS);
static const struct shape indicator_params = PARAMS(INDICATOR_PARAMS);
static const struct shape heatmap_params = PARAMS(HEATMAP_PARAMS);
static const struct shape monthly_params = PARAMS(MONTHLY_PARAMS);

/* Answers, described for the API (stats_render.c writes them). */
#define D(json, ft, fl, ...)                                                                       \
    {                                                                                              \
        .name = (json), .type = (ft), .flags = FF_OUT | (fl), __VA_ARGS__                          \
    }
#define FIGURES(prefix)                                                                            \
    D("available_hours", FT_NUM, 0, LABEL("Available hours", "Godziny dostępne")),                 \
        D("booked_hours", FT_NUM, 0, LABEL("Booked hours", "Godziny zarezerwowane")),              \
        D("used_hours", FT_NUM, 0, LABEL("Used hours", "Godziny wykorzystane")),                   \
        D("booked_rate", FT_NUM, 0, LABEL("Booked rate", "Stopień rezerwacji")),                   \
        D("used_rate", FT_NUM, 0, LABEL("Used rate", "Stopień wykorzystania")),                    \
        D("cross_organisation_share", FT_NUM, 0,                                                   \
          LABEL("Shared across organisations", "Udział innych organizacji")),                      \
        D("bookings", FT_LONG, 0, LABEL("Bookings", "Rezerwacje")),                                \
        D("users", FT_LONG, 0, LABEL("People", "Osoby")),                                          \
        D("kwh", FT_NUM, 0, LABEL("Energy (kWh)", "Energia (kWh)")),                               \
        D("kg_co2e", FT_NUM, 0, LABEL("Carbon (kg CO2e)", "Ślad węglowy (kg CO2e)")),              \
        D("cross_organisation_hours", FT_NUM, 0,                                                   \
          LABEL("Hours booked by other organisations", "Godziny innych organizacji")),             \
        D("commercial_hours", FT_NUM, 0, LABEL("Commercial hours", "Godziny komercyjne")),         \
        D("commercial_share", FT_NUM, 0, LABEL("Commercial share", "Udział komercyjny"))
static const struct field FIGURE_FIELDS[] = {FIGURES(), FIELD_END};
static const struct shape figures_shape = {"UtilisationFigures",
                                           FIGURE_FIELDS,
                                           0,
                                           {"figures", "wskaźniki"},
                                           "Utilisation and carbon figures over a span"};
static const struct field UTIL_ITEM_FIELDS[] = {
    D("resource_id", FT_ID, 0, LABEL("Resource", "Zasób"), .help = "group_by=resource"),
    D("name", FT_TEXT, 0, LABEL("Name", "Nazwa"), .help = "group_by=resource"),
    D("shared", FT_BOOL, 0, LABEL("Shared", "Udostępniany"), .help = "group_by=resource"),
    D("lab_id", FT_ID, 0, LABEL("Lab", "Laboratorium"), .help = "group_by=resource, lab"),
    D("lab_name", FT_TEXT, 0, LABEL("Lab", "Laboratorium"), .help = "group_by=resource, lab"),
    D("organisation_id", FT_ID, 0, LABEL("Organisation", "Organizacja"),
      .help = "group_by=resource, lab, organisation"),
    D("organisation_name", FT_TEXT, 0, LABEL("Organisation", "Organizacja"),
      .help = "group_by=resource, lab, organisation"),
    D("group", FT_TEXT, 0, LABEL("Interest group", "Grupa")),
    D("kind", FT_TEXT, 0, LABEL("Lab kind", "Typ laboratorium")),
    FIGURES(),
    FIELD_END,
};
static const struct shape util_item_shape = {"UtilisationItem",
                                             UTIL_ITEM_FIELDS,
                                             0,
                                             {"group", "grupa"},
                                             "One group's key columns (by group_by) and figures"};
static const struct field UTIL_FIELDS[] = {
    D("from", FT_TIME, 0, LABEL("From", "Od")),
    D("to", FT_TIME, 0, LABEL("To", "Do")),
    D("group_by", FT_ENUM, 0, .choices = GROUP_BY, LABEL("Group by", "Grupuj według")),
    D("items", FT_LIST, 0, .ref = &util_item_shape, LABEL("Groups", "Grupy")),
    D("total", FT_LONG, 0, LABEL("Groups", "Grupy")),
    D("summary", FT_OBJECT, 0, .ref = &figures_shape, LABEL("All groups", "Razem")),
    D("provisional", FT_BOOL, 0, LABEL("Provisional", "Wstępne"),
      .help = "no grid factor for the span's year yet: the latest one was used"),
    D("estimated", FT_BOOL, 0, LABEL("Estimated", "Szacunek")),
    FIELD_END,
};
static const struct shape util_shape = {"Utilisation",
                                        UTIL_FIELDS,
                                        0,
                                        {"utilisation", "wykorzystanie"},
                                        "Utilisation over [from, to), by group"};

static const struct field AREA_FIELDS[] = {
    D("commercial", FT_NUM, 0, LABEL("Commercial", "Komercyjne")),
    D("scientific", FT_NUM, 0, LABEL("Scientific", "Naukowe")),
    D("total", FT_NUM, 0, LABEL("Total (labs)", "Razem (laboratoria)")),
    D("teaching", FT_NUM, 0, LABEL("Teaching", "Dydaktyczne")),
    D("office", FT_NUM, 0, LABEL("Office", "Biura")),
    D("coworking", FT_NUM, 0, LABEL("Coworking", "Coworking")),
    FIELD_END,
};
static const struct shape area_shape = {.fields = AREA_FIELDS};
static const struct field YEAR_UTIL_FIELDS[] = {
    D("booked_hours", FT_NUM, 0, LABEL("Booked hours", "Godziny zarezerwowane")),
    D("available_hours", FT_NUM, 0, LABEL("Available hours", "Godziny dostępne")),
    D("rate", FT_NUM, 0, LABEL("Rate", "Stopień")),
    FIELD_END,
};
static const struct shape year_util_shape = {.fields = YEAR_UTIL_FIELDS};
static const struct field SPLIT_FIELDS[] = {
    D("infrastructure", FT_NUM, 0, LABEL("Infrastructure", "Infrastruktura")),
    D("bookings", FT_NUM, 0, LABEL("Bookings", "Rezerwacje")),
    FIELD_END,
};
static const struct shape split_shape = {.fields = SPLIT_FIELDS};
static const struct field ESTIMATED_FIELDS[] = {
    D("grid_factor", FT_BOOL, 0, LABEL("Grid factor", "Współczynnik sieci")),
    D("infrastructure", FT_BOOL, 0, LABEL("Infrastructure", "Infrastruktura")),
    D("bookings", FT_BOOL, 0, LABEL("Bookings", "Rezerwacje")),
    FIELD_END,
};
static const struct shape estimated_shape = {.fields = ESTIMATED_FIELDS};
static const struct field STATE_AID_FIELDS[] = {
    D("funded_resources", FT_LONG, 0,
      LABEL("Publicly funded resources", "Zasoby finansowane publicznie")),
    D("economic_hours", FT_NUM, 0, LABEL("Economic hours", "Godziny gospodarcze")),
    D("non_economic_hours", FT_NUM, 0, LABEL("Non-economic hours", "Godziny niegospodarcze")),
    FIELD_END,
};
static const struct shape state_aid_shape = {
    .fields = STATE_AID_FIELDS,
    .help = "funded resources among the shared resources of members, and their approved hours "
            "in the year by the bookings' economic flag"};
#define YEAR_FIGURES                                                                               \
    D("year", FT_INT, 0, LABEL("Year", "Rok")),                                                    \
        D("lab_area_m2", FT_OBJECT, 0, .ref = &area_shape,                                         \
          LABEL("Lab floor area (m²)", "Powierzchnia laboratoriów (m²)")),                         \
        D("shared_labs", FT_LONG, 0, LABEL("Shared labs", "Udostępnione laboratoria")),            \
        D("shared_resources", FT_LONG, 0, LABEL("Shared resources", "Udostępnione zasoby")),       \
        D("shared_services", FT_LONG, 0, LABEL("Shared services", "Udostępnione usługi")),         \
        D("users", FT_LONG, 0, LABEL("People", "Osoby")),                                          \
        D("utilisation", FT_OBJECT, 0, .ref = &year_util_shape,                                    \
          LABEL("Utilisation", "Wykorzystanie")),                                                  \
        D("cross_organisation_share", FT_NUM, 0,                                                   \
          LABEL("Shared across organisations", "Udział innych organizacji")),                      \
        D("carbon_kg_co2e", FT_OBJECT, 0, .ref = &split_shape,                                     \
          LABEL("Carbon (kg CO2e)", "Ślad węglowy (kg CO2e)")),                                    \
        D("energy_kwh", FT_OBJECT, 0, .ref = &split_shape,                                         \
          LABEL("Energy (kWh)", "Energia (kWh)")),                                                 \
        D("grid_factor_kg_per_kwh", FT_NUM, 0, LABEL("Grid factor", "Współczynnik sieci")),        \
        D("grid_factor_year", FT_INT, FF_NULLABLE, LABEL("Factor's year", "Rok współczynnika")),   \
        D("provisional", FT_BOOL, 0, LABEL("Provisional", "Wstępne")),                             \
        D("estimated", FT_OBJECT, 0, .ref = &estimated_shape, LABEL("Estimated", "Szacunek")),     \
        D("state_aid", FT_OBJECT, 0, .ref = &state_aid_shape,                                      \
          LABEL("State aid: funded resources", "Pomoc publiczna: zasoby finansowane"))
static const struct field YEAR_FIELDS[] = {YEAR_FIGURES, FIELD_END};
static const struct shape year_shape = {.fields = YEAR_FIELDS};
static const struct field TARGET_FIELDS[] = {
    D("key", FT_TEXT, 0, LABEL("Indicator", "Wskaźnik")),
    D("baseline_year", FT_INT, 0, LABEL("Baseline year", "Rok bazowy")),
    D("baseline", FT_NUM, FF_NULLABLE, LABEL("Baseline", "Wartość bazowa")),
    D("target_year", FT_INT, 0, LABEL("Target year", "Rok docelowy")),
    D("target", FT_NUM, 0, LABEL("Target", "Cel")),
    D("unit", FT_TEXT, 0, LABEL("Unit", "Jednostka")),
    D("note", FT_TEXT, 0, LABEL("Note", "Uwagi")),
    FIELD_END,
};
static const struct shape target_shape = {.fields = TARGET_FIELDS};
static const struct field INDICATOR_FIELDS[] = {
    YEAR_FIGURES,
    D("previous", FT_OBJECT, 0, .ref = &year_shape, LABEL("Previous year", "Poprzedni rok")),
    D("targets", FT_LIST, 0, .ref = &target_shape, LABEL("Strategy targets", "Cele strategii")),
    FIELD_END,
};
static const struct shape indicators_shape = {
    "Indicators",
    INDICATOR_FIELDS,
    0,
    {"indicators", "wskaźniki"},
    "The Infrastructure path's indicators of a year (API.md § Indicators)"};
static const struct field HEATMAP_FIELDS[] = {
    D("from", FT_TIME, 0, LABEL("From", "Od")),
    D("to", FT_TIME, 0, LABEL("To", "Do")),
    D("hours", FT_LIST, 0, .ref = NULL, LABEL("Booked hours", "Godziny zarezerwowane"),
      .help = "7 rows (Monday first) of 24 numbers (local hours)"),
    D("max", FT_NUM, 0, LABEL("Largest cell", "Największa wartość")),
    FIELD_END,
};
static const struct shape heatmap_shape = {"Heatmap",
                                           HEATMAP_FIELDS,
                                           0,
                                           {"heat map", "mapa cieplna"},
                                           "Booked hours by local hour of the week"};
static const struct field MONTH_FIELDS[] = {
    D("month", FT_INT, 0, LABEL("Month", "Miesiąc")),
    D("booked_hours", FT_NUM, 0, LABEL("Booked hours", "Godziny zarezerwowane")),
    D("available_hours", FT_NUM, 0, LABEL("Available hours", "Godziny dostępne")),
    D("rate", FT_NUM, 0, LABEL("Rate", "Stopień")),
    D("groups", FT_OBJECT, 0, .ref = NULL, LABEL("By group", "Według grup"),
      .help = "with group_by: {\"<group>\": {booked_hours, available_hours, rate}}"),
    FIELD_END,
};
static const struct shape month_shape = {.fields = MONTH_FIELDS};
static const struct field MONTHLY_FIELDS[] = {
    D("year", FT_INT, 0, LABEL("Year", "Rok")),
    D("group_by", FT_ENUM, 0, .choices = MONTHLY_BY, LABEL("Group by", "Grupuj według")),
    D("items", FT_LIST, 0, .ref = &month_shape, LABEL("Months", "Miesiące")),
    FIELD_END,
};
static const struct shape monthly_shape = {"Monthly",
                                           MONTHLY_FIELDS,
                                           0,
                                           {"monthly series", "seria miesięczna"},
                                           "Booked and available hours per month"};

static const struct field FACTOR_FIELDS[] = {
    FIELD(struct stats_grid_factor_row, year, "year", FT_INT, 0, .min = STATS_YEAR_MIN,
          .max = STATS_YEAR_MAX, LABEL("Year", "Rok"), .help = "must match the URL when given"),
    FIELD(struct stats_grid_factor_row, kg_per_kwh, "kg_per_kwh", FT_NUM, FF_REQUIRED, .min = 0,
          .max = 5, LABEL("kg CO2e per kWh", "kg CO2e na kWh")),
    FIELD(struct stats_grid_factor_row, source, "source", FT_TEXT, 0, .max = 500,
          LABEL("Source", "Źródło")),
    FIELD(struct stats_grid_factor_row, estimated, "estimated", FT_BOOL, 0,
          LABEL("Estimated", "Szacunek")),
    FIELD_END,
};
static const struct shape factor_shape = {"GridFactor",
                                          FACTOR_FIELDS,
                                          sizeof(struct stats_grid_factor_row),
                                          {"grid factor", "współczynnik sieci"},
                                          "The grid's emission factor of a year"};
static const struct field DEFAULT_FIELDS[] = {
    FIELD(struct stats_energy_default, kind, "kind", FT_ENUM, 0, .choices = catalogue_kinds,
          LABEL("Lab kind", "Typ laboratorium"), .help = "must match the URL when given"),
    FIELD(struct stats_energy_default, kwh_per_m2_year, "kwh_per_m2_year", FT_NUM, FF_REQUIRED,
          .min = 0, .max = 100000, LABEL("kWh per m² a year", "kWh na m² rocznie")),
    FIELD(struct stats_energy_default, source, "source", FT_TEXT, 0, .max = 500,
          LABEL("Source", "Źródło")),
    FIELD_END,
};
static const struct shape default_shape = {"EnergyDefault",
                                           DEFAULT_FIELDS,
                                           sizeof(struct stats_energy_default),
                                           {"energy default", "domyślna intensywność"},
                                           "The default energy intensity of a lab kind"};

static int want_csv(struct req *r)
{
    const struct stats_params *p = r->query;
    return p->format && strcmp(p->format, "csv") == 0;
}

/* locale=en|pl (the table has checked it). */
static enum csv_locale csv_dialect(struct req *r)
{
    const struct stats_params *p = r->query;
    enum csv_locale l = CSV_RFC4180;
    csv_locale_parse(p->locale ? p->locale : "en", &l);
    return l;
}

/* The selection every utilisation-like route shares: from/to (when
 * need_span), organisation scope, private resources. */
static int read_query(struct req *r, int need_span, struct stats_query *q)
{
    const struct stats_params *p = r->query;
    memset(q, 0, sizeof *q);
    if (need_span) {
        q->from = p->from;
        q->to = p->to;
        if (q->to <= q->from)
            return ls_err_set(&r->err, LS_EVALIDATION, "to", "{field} must be after the start");
        if (q->to - q->from > STATS_MAX_SPAN)
            return ls_err_set(&r->err, LS_EVALIDATION, "to",
                              "{field} may be at most 5 years after the start");
    }
    q->include_private = p->include_private;
    q->organisation_id = p->organisation_id;
    if (!authz_is_staff(r->user)) {
        /* Owners: their own organisation, whatever they asked for. */
        if (!r->user->organisation_id)
            return ls_err_set(&r->err, LS_EFORBIDDEN, NULL,
                              "owners without an organisation have no statistics");
        if (p->organisation_id && p->organisation_id != r->user->organisation_id)
            return ls_err_set(&r->err, LS_EFORBIDDEN, "organisation_id",
                              "{field}: owners see their own organisation only");
        q->organisation_id = r->user->organisation_id;
    }
    return LS_OK;
}

static int get_utilisation(struct req *r)
{
    const struct stats_params *p = r->query;
    struct stats_query q;
    int rc = read_query(r, 1, &q);
    if (rc)
        return rc;
    q.group_by = (enum stats_group_by)stats_group_by_parse(p->group_by);
    struct stats_utilisation u;
    if ((rc = stats_utilisation(r->db, &q, &r->arena, &u, &r->err)))
        return rc;
    if (want_csv(r)) {
        char name[128];
        size_t len;
        char *text = stats_render_utilisation_csv(&u, csv_dialect(r), &len);
        stats_render_csv_name(name, sizeof name,
                              arena_printf(&r->arena, "utilisation-by-%s", p->group_by), q.from,
                              q.to);
        return api_send_csv(r, text, len, name);
    }
    return http_send_json(r, 200, stats_render_utilisation_json(&u));
}

static int get_indicators(struct req *r)
{
    int year = ((const struct stats_params *)r->query)->year;
    struct stats_indicators in;
    int rc = stats_indicators(r->db, year, &in, &r->err);
    if (rc)
        return rc;
    if (want_csv(r)) {
        size_t len;
        char *text = stats_render_indicators_csv(&in, csv_dialect(r), &len);
        return api_send_csv(r, text, len,
                            arena_printf(&r->arena, "labshare-indicators-%d.csv", year));
    }
    return http_send_json(r, 200, stats_render_indicators_json(&in));
}

static int get_heatmap(struct req *r)
{
    struct stats_query q;
    int rc = read_query(r, 1, &q);
    if (rc)
        return rc;
    struct stats_heatmap hm;
    if ((rc = stats_heatmap(r->db, &q, &hm, &r->err)))
        return rc;
    if (want_csv(r)) {
        char name[128];
        size_t len;
        char *text = stats_render_heatmap_csv(&hm, csv_dialect(r), &len);
        stats_render_csv_name(name, sizeof name, "heatmap", q.from, q.to);
        return api_send_csv(r, text, len, name);
    }
    return http_send_json(r, 200, stats_render_heatmap_json(&q, &hm));
}

static int get_monthly(struct req *r)
{
    const struct stats_params *p = r->query;
    struct stats_query q;
    int year = p->year;
    int rc = read_query(r, 0, &q);
    if (rc)
        return rc;
    q.group_by = (enum stats_group_by)stats_group_by_parse(p->group_by);
    struct stats_utilisation *months = arena_alloc(&r->arena, 12 * sizeof *months);
    if ((rc = stats_monthly(r->db, year, &q, &r->arena, months, &r->err)))
        return rc;
    if (want_csv(r)) {
        size_t len;
        char *text = stats_render_monthly_csv(year, q.group_by, months, csv_dialect(r), &len);
        return api_send_csv(r, text, len, arena_printf(&r->arena, "labshare-monthly-%d.csv", year));
    }
    return http_send_json(r, 200, stats_render_monthly_json(year, q.group_by, months));
}

/* --- configuration --- */

static cJSON *factor_json(const struct stats_grid_factor_row *f)
{
    return api_field_json(&factor_shape, f);
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
    struct stats_grid_factor_row f = *(const struct stats_grid_factor_row *)r->input;
    int year = 0, rc = path_year(r, &year);
    if (!rc && (r->input_present & field_bit(&factor_shape, "year")) && f.year != year)
        rc = ls_err_set(&r->err, LS_EVALIDATION, "year", "{field} must match the URL");
    f.year = year;
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
    return api_field_json(&default_shape, d);
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
    struct stats_energy_default d = *(const struct stats_energy_default *)r->input;
    const char *kind = field_choice(catalogue_kinds, r->params[0]);
    if (!kind)
        return ls_err_set(&r->err, LS_ENOTFOUND, NULL, "no such lab kind");
    int rc = LS_OK;
    if ((r->input_present & field_bit(&default_shape, "kind")) && strcmp(d.kind, kind) != 0)
        rc = ls_err_set(&r->err, LS_EVALIDATION, "kind", "{field} must match the URL");
    d.kind = kind;
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
    {.method = "GET", .pattern = "/api/v1/stats/utilisation", .handler = get_utilisation, .access = ACCESS_OWNER, .tag = "stats", .summary = "Utilisation over [from, to) by resource, lab, organisation, group or kind (owners: own organisation); format=csv (locale=pl: semicolons and decimal commas)", .query = &util_params, .answer = &util_shape},
    {.method = "GET", .pattern = "/api/v1/stats/indicators", .handler = get_indicators, .access = ACCESS_STAFF, .tag = "stats", .summary = "Infrastructure-path indicators of a year, with the previous year and the strategy's targets; format=csv (locale=pl: semicolons and decimal commas)", .query = &indicator_params, .answer = &indicators_shape},
    {.method = "GET", .pattern = "/api/v1/stats/heatmap", .handler = get_heatmap, .access = ACCESS_OWNER, .tag = "stats", .summary = "Booked hours by local hour of the week (7 × 24) over [from, to); format=csv (locale=pl: semicolons and decimal commas)", .query = &heatmap_params, .answer = &heatmap_shape},
    {.method = "GET", .pattern = "/api/v1/stats/monthly", .handler = get_monthly, .access = ACCESS_OWNER, .tag = "stats", .summary = "Booked and available hours per month of a year, optionally by group or kind; format=csv (locale=pl: semicolons and decimal commas)", .query = &monthly_params, .answer = &monthly_shape},
    {.method = "GET", .pattern = "/api/v1/stats/grid-factors", .handler = get_grid_factors, .access = ACCESS_STAFF, .flags = ROUTE_PAGED, .tag = "stats", .summary = "Configured grid emission factors per year", .answer = &factor_shape},
    {.method = "PUT", .pattern = "/api/v1/stats/grid-factors/{year}", .handler = put_grid_factor, .access = ACCESS_STAFF, .body_max = 4096, .tag = "stats", .summary = "Set the grid emission factor of a year: 201 new, 200 replaced", .body = &factor_shape, .creating = 1, .answer = &factor_shape},
    {.method = "DELETE", .pattern = "/api/v1/stats/grid-factors/{year}", .handler = delete_grid_factor, .access = ACCESS_STAFF, .flags = ROUTE_EMPTY, .tag = "stats", .summary = "Remove the grid emission factor of a year"},
    {.method = "GET", .pattern = "/api/v1/stats/energy-defaults", .handler = get_energy_defaults, .access = ACCESS_USER, .flags = ROUTE_PAGED, .tag = "stats", .summary = "Default energy intensity per lab kind (the forms' hint for a lab's own figure)", .answer = &default_shape},
    {.method = "PUT", .pattern = "/api/v1/stats/energy-defaults/{kind}", .handler = put_energy_default, .access = ACCESS_STAFF, .body_max = 4096, .tag = "stats", .summary = "Set the default energy intensity of a lab kind", .body = &default_shape, .creating = 1, .answer = &default_shape},
    {0},
};
/* clang-format on */
