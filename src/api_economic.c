/* api_economic.c — GET /api/v1/stats/economic-use: the State-aid tracker of
 * publicly funded resources (economic.h), JSON or CSV, figures unrounded
 * (API.md § Figures). Staff see every organisation's funded resources (or
 * the one they ask for), owners their own. */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "api_field.h"
#include "csv.h"
#include "economic.h"
#include "stats.h"
#include "timeutil.h"

static const struct field_choice STATUSES[] = {
    {"ok", {"within the cap", "w granicach limitu"}},
    {"warning", {"80 % of the cap or more", "co najmniej 80 % limitu"}},
    {"over", {"over the cap", "ponad limit"}},
    {NULL, {NULL, NULL}},
};

struct economic_params {
    int year;
    int64_t organisation_id;
    const char *format, *locale;
};
static const struct field PARAMS[] = {
    FIELD(struct economic_params, year, "year", FT_INT, FF_REQUIRED, .min = STATS_YEAR_MIN,
          .max = STATS_YEAR_MAX, LABEL("Year", "Rok")),
    FIELD(struct economic_params, organisation_id, "organisation_id", FT_ID, 0,
          LABEL("Organisation", "Organizacja"), .help = "owners: always their own"),
    FIELD(struct economic_params, format, "format", FT_ENUM, 0, .choices = api_report_formats,
          .def = "json", LABEL("Format", "Format")),
    FIELD(struct economic_params, locale, "locale", FT_ENUM, 0, .choices = api_report_locales,
          .def = "en", LABEL("CSV dialect", "Format CSV")),
    FIELD_END,
};
static const struct shape params_shape = {.fields = PARAMS, .size = sizeof(struct economic_params)};

#define R(member, json, ft, fl, ...)                                                               \
    FIELD(struct economic_row, member, json, ft, FF_OUT | (fl), __VA_ARGS__)
static const struct field ROW_FIELDS[] = {
    R(resource_id, "resource_id", FT_ID, 0, LABEL("Resource", "Zasób")),
    R(resource_name, "name", FT_TEXT, 0, LABEL("Resource", "Zasób")),
    R(organisation_id, "organisation_id", FT_ID, 0, LABEL("Organisation", "Organizacja")),
    R(organisation_name, "organisation_name", FT_TEXT, 0, LABEL("Organisation", "Organizacja")),
    R(programme, "programme", FT_TEXT, 0, LABEL("Funding programme", "Program finansowania")),
    R(available_hours, "available_hours", FT_NUM, 0, LABEL("Available hours", "Godziny dostępne"),
      .help = "opening hours in the year minus blackouts, as utilisation counts them"),
    R(economic_hours, "economic_hours", FT_NUM, 0,
      LABEL("Economic hours", "Godziny wykorzystania gospodarczego"),
      .help = "approved bookings with economic true, clipped to the year"),
    R(economic_share, "economic_share", FT_NUM, 0, LABEL("Economic share", "Udział gospodarczy"),
      .help = "economic_hours / available_hours (0 when none available)"),
    R(cap, "cap", FT_NUM, 0, LABEL("Cap", "Limit")),
    R(status_name, "status", FT_ENUM, 0, .choices = STATUSES, LABEL("Status", "Stan"),
      .help = "over: share above the cap; warning: share at least 80 % of the cap"),
    FIELD_END,
};
#undef R
static const struct shape row_shape = {"EconomicUseItem",
                                       ROW_FIELDS,
                                       sizeof(struct economic_row),
                                       {"funded resource", "zasób finansowany"},
                                       "One publicly funded resource in one year"};
static const struct field USE_FIELDS[] = {
    FIELD(struct economic_use, year, "year", FT_INT, FF_OUT, LABEL("Year", "Rok")),
    FIELD(struct economic_use, provisional, "provisional", FT_BOOL, FF_OUT,
          LABEL("Provisional", "Wstępne"), .help = "the year is not over yet"),
    FIELD(struct economic_use, rows, "items", FT_LIST, FF_OUT, .ref = &row_shape,
          .count = offsetof(struct economic_use, n), LABEL("Funded resources", "Zasoby")),
    FIELD(struct economic_use, n, "total", FT_INT, FF_OUT, LABEL("Count", "Liczba")),
    FIELD_END,
};
static const struct shape use_shape = {
    "EconomicUse",
    USE_FIELDS,
    sizeof(struct economic_use),
    {"economic use", "wykorzystanie gospodarcze"},
    "State aid: economic use of every publicly funded resource against its cap in a year"};

cJSON *api_economic_json(const struct economic_use *u)
{
    return api_field_json(&use_shape, u);
}

char *api_economic_csv(const struct economic_use *u, enum csv_locale locale, size_t *len)
{
    static const char *const head[] = {"year",
                                       "resource_id",
                                       "name",
                                       "organisation_id",
                                       "organisation_name",
                                       "programme",
                                       "available_hours",
                                       "economic_hours",
                                       "economic_share",
                                       "cap",
                                       "status",
                                       "provisional",
                                       NULL};
    struct csv c = {0};
    csv_begin(&c, locale);
    for (int i = 0; head[i]; i++)
        csv_text(&c, head[i], head[i + 1] == NULL);
    for (int i = 0; i < u->n; i++) {
        const struct economic_row *r = &u->rows[i];
        csv_num(&c, u->year, 0);
        csv_num(&c, (double)r->resource_id, 0);
        csv_text(&c, r->resource_name, 0);
        csv_num(&c, (double)r->organisation_id, 0);
        csv_text(&c, r->organisation_name, 0);
        csv_text(&c, r->programme, 0);
        csv_num(&c, r->available_hours, 0);
        csv_num(&c, r->economic_hours, 0);
        csv_num(&c, r->economic_share, 0);
        csv_num(&c, r->cap, 0);
        csv_text(&c, r->status_name, 0);
        csv_text(&c, u->provisional ? "true" : "false", 1);
    }
    return csv_end(&c, len);
}

static int get_economic_use(struct req *r)
{
    const struct economic_params *p = r->query;
    int64_t org;
    int rc = api_report_organisation(r, p->organisation_id, &org);
    if (rc)
        return rc;
    struct economic_use u;
    if ((rc = economic_use(r->db, p->year, org, tu_now(), &r->arena, &u, &r->err)))
        return rc;
    if (strcmp(p->format, "csv") != 0)
        return http_send_json(r, 200, api_economic_json(&u));
    size_t len;
    enum csv_locale locale = CSV_RFC4180;
    csv_locale_parse(p->locale, &locale); /* the field table allows pl and en only */
    char *text = api_economic_csv(&u, locale, &len);
    return api_send_csv(r, text, len,
                        arena_printf(&r->arena, "labshare-economic-use-%d.csv", p->year));
}

/* clang-format off */
const struct route api_economic_routes[] = {
    {.method = "GET", .pattern = "/api/v1/stats/economic-use", .handler = get_economic_use, .access = ACCESS_OWNER, .tag = "stats", .query = &params_shape, .answer = &use_shape, .summary = "State aid: economic use of each publicly funded resource against its cap in a year (owners: their own); format=csv, locale=pl"},
    {0},
};
/* clang-format on */
