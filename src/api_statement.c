/* api_statement.c — GET /api/v1/statements: a month's statement as JSON or
 * CSV (statement.h), and the same two forms for `labshare statements`
 * (cli_statement.c), so both answer byte for byte alike.
 *
 * Staff see every organisation (or the one they ask for); an owner sees
 * their own organisation's lines as provider and as customer, whatever they
 * ask for beyond it (403). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "api_field.h"
#include "csv.h"
#include "statement.h"
#include "timeutil.h"

const struct field_choice api_report_formats[] = {
    {"json", {"JSON", "JSON"}},
    {"csv", {"CSV", "CSV"}},
    {NULL, {NULL, NULL}},
};
const struct field_choice api_report_locales[] = {
    {"en", {"RFC 4180 (comma, decimal point)", "RFC 4180 (przecinek, kropka dziesiętna)"}},
    {"pl", {"Polish Excel (semicolon, decimal comma)", "polski Excel (średnik, przecinek)"}},
    {NULL, {NULL, NULL}},
};

struct statement_params {
    const char *month, *format, *locale;
    int64_t organisation_id;
};
static const struct field PARAMS[] = {
    FIELD(struct statement_params, month, "month", FT_TEXT, FF_REQUIRED, .max = 7,
          LABEL("Month (YYYY-MM)", "Miesiąc (RRRR-MM)"), .help = "a local calendar month"),
    FIELD(struct statement_params, organisation_id, "organisation_id", FT_ID, 0,
          LABEL("Organisation", "Organizacja"),
          .help = "as provider and as customer; owners: always their own"),
    FIELD(struct statement_params, format, "format", FT_ENUM, 0, .choices = api_report_formats,
          .def = "json", LABEL("Format", "Format")),
    FIELD(struct statement_params, locale, "locale", FT_ENUM, 0, .choices = api_report_locales,
          .def = "en", LABEL("CSV dialect", "Format CSV")),
    FIELD_END,
};
static const struct shape params_shape = {.fields = PARAMS,
                                          .size = sizeof(struct statement_params)};

#define L(member, json, ft, fl, ...)                                                               \
    FIELD(struct statement_line, member, json, ft, FF_OUT | (fl), __VA_ARGS__)
static const struct field LINE_FIELDS[] = {
    L(booking_id, "booking_id", FT_ID, 0, LABEL("Booking", "Rezerwacja")),
    L(start, "start", FT_TIME, 0, LABEL("Start", "Początek")),
    L(end, "end", FT_TIME, 0, LABEL("End", "Koniec")),
    L(resource_id, "resource_id", FT_ID, 0, LABEL("Resource", "Zasób")),
    L(resource_name, "resource_name", FT_TEXT, 0, LABEL("Resource", "Zasób")),
    L(provider_id, "provider_organisation_id", FT_ID, 0, LABEL("Provider", "Dostawca")),
    L(provider_name, "provider_name", FT_TEXT, 0, LABEL("Provider", "Dostawca")),
    L(customer_id, "customer_organisation_id", FT_ID, FF_NULLABLE, LABEL("Customer", "Klient"),
      .help = "the booker's organisation at booking time; null for guests"),
    L(customer_name, "customer_name", FT_TEXT, FF_NULLABLE, LABEL("Customer", "Klient")),
    L(user_id, "user_id", FT_ID, 0, LABEL("Booked by", "Rezerwujący")),
    L(user_name, "user_name", FT_TEXT, 0, LABEL("Booked by", "Rezerwujący")),
    L(project, "project", FT_TEXT, FF_NULLABLE, LABEL("Project", "Projekt")),
    L(cost_centre, "cost_centre", FT_TEXT, FF_NULLABLE,
      LABEL("Cost centre", "Miejsce powstawania kosztów (MPK)")),
    L(economic, "economic", FT_BOOL, 0, LABEL("Economic use", "Wykorzystanie gospodarcze")),
    L(no_show, "no_show", FT_BOOL, 0, LABEL("Not used", "Niewykorzystana")),
    L(late_cancellation, "late_cancellation", FT_BOOL, 0,
      LABEL("Late cancellation", "Późne odwołanie")),
    L(price, "price", FT_OBJECT, FF_NULLABLE, .ref = &api_price_shape, LABEL("Price", "Cena"),
      .help = "as frozen on the booking; null for bookings made before prices were kept"),
    L(kg_co2e, "kg_co2e", FT_NUM, 0, LABEL("Carbon (kg CO2e)", "Ślad węglowy (kg CO2e)"),
      .help = "hours × power_kw × the grid factor of their year; 0 for a late cancellation"),
    FIELD_END,
};
#undef L
static const struct shape line_shape = {"StatementLine",
                                        LINE_FIELDS,
                                        sizeof(struct statement_line),
                                        {"statement line", "pozycja zestawienia"},
                                        "One charged booking"};

#define T(member, json, ft, fl, ...)                                                               \
    FIELD(struct statement_total, member, json, ft, FF_OUT | (fl), __VA_ARGS__)
static const struct field TOTAL_FIELDS[] = {
    T(organisation_id, "organisation_id", FT_ID, FF_NULLABLE, LABEL("Organisation", "Organizacja"),
      .help = "null: guests"),
    T(organisation_name, "organisation_name", FT_TEXT, FF_NULLABLE,
      LABEL("Organisation", "Organizacja")),
    T(currency, "currency", FT_TEXT, 0, LABEL("Currency", "Waluta")),
    T(lines, "lines", FT_LONG, 0, LABEL("Lines", "Pozycje")),
    T(hours, "hours", FT_NUM, 0, LABEL("Hours", "Godziny"), .help = "the lines' priced hours"),
    T(net, "net", FT_NUM, 0, LABEL("Net", "Netto"), .help = "the exact sum of the lines' nets"),
    T(kg_co2e, "kg_co2e", FT_NUM, 0, LABEL("Carbon (kg CO2e)", "Ślad węglowy (kg CO2e)")),
    FIELD_END,
};
#undef T
static const struct shape total_shape = {"StatementTotal",
                                         TOTAL_FIELDS,
                                         sizeof(struct statement_total),
                                         {"statement total", "suma zestawienia"},
                                         "The lines of one organisation in one currency"};

#define S(member, json, ft, fl, ...)                                                               \
    FIELD(struct statement, member, json, ft, FF_OUT | (fl), __VA_ARGS__)
static const struct field STATEMENT_FIELDS[] = {
    S(month_name, "month", FT_TEXT, 0, LABEL("Month", "Miesiąc")),
    S(from, "from", FT_TIME, 0, LABEL("From", "Od")),
    S(to, "to", FT_TIME, 0, LABEL("To", "Do")),
    S(organisation_id, "organisation_id", FT_ID, FF_NULLABLE, LABEL("Organisation", "Organizacja"),
      .help = "null: every organisation"),
    S(provisional, "provisional", FT_BOOL, 0, LABEL("Provisional", "Wstępne"),
      .help = "the month has not ended yet"),
    S(lines, "lines", FT_LIST, 0, .ref = &line_shape, .count = offsetof(struct statement, nlines),
      LABEL("Lines", "Pozycje")),
    S(customers, "customers", FT_LIST, 0, .ref = &total_shape,
      .count = offsetof(struct statement, ncustomers), LABEL("By customer", "Według klientów")),
    S(providers, "providers", FT_LIST, 0, .ref = &total_shape,
      .count = offsetof(struct statement, nproviders), LABEL("By provider", "Według dostawców")),
    FIELD_END,
};
#undef S
static const struct shape statement_shape = {
    "Statement",
    STATEMENT_FIELDS,
    sizeof(struct statement),
    {"statement", "zestawienie"},
    "A month's charged bookings with totals per customer and per provider organisation"};

cJSON *api_statement_json(const struct statement *s)
{
    return api_field_json(&statement_shape, s);
}

static void time_cell(struct csv *c, int64_t t)
{
    char buf[TU_LOCAL_LEN];
    tu_format_local(t, buf);
    csv_text(c, buf, 0);
}

static void id_cell(struct csv *c, int64_t id)
{
    if (id)
        csv_num(c, (double)id, 0);
    else
        csv_text(c, "", 0);
}

static void bool_cell(struct csv *c, int v)
{
    csv_text(c, v ? "true" : "false", 0);
}

static const char *const HEAD[] = {"row",
                                   "booking_id",
                                   "start",
                                   "end",
                                   "resource_id",
                                   "resource",
                                   "provider_organisation_id",
                                   "provider",
                                   "customer_organisation_id",
                                   "customer",
                                   "user",
                                   "project",
                                   "cost_centre",
                                   "economic",
                                   "no_show",
                                   "late_cancellation",
                                   "class",
                                   "currency",
                                   "rate",
                                   "hours",
                                   "net",
                                   "kg_co2e",
                                   "lines",
                                   NULL};

/* A total row: the organisation in the provider or the customer columns. */
static void total_row(struct csv *c, const char *kind, const struct statement_total *t,
                      int provider)
{
    csv_text(c, kind, 0);
    for (int i = 0; i < 4; i++) /* booking_id, start, end, resource_id */
        csv_text(c, "", 0);
    csv_text(c, "", 0); /* resource */
    id_cell(c, provider ? t->organisation_id : 0);
    csv_text(c, provider ? t->organisation_name : "", 0);
    id_cell(c, provider ? 0 : t->organisation_id);
    csv_text(c, provider ? "" : t->organisation_name, 0);
    for (int i = 0; i < 7; i++) /* user … class */
        csv_text(c, "", 0);
    csv_text(c, t->currency, 0);
    csv_text(c, "", 0); /* rate */
    csv_num(c, t->hours, 0);
    csv_num(c, t->net, 0);
    csv_num(c, t->kg_co2e, 0);
    csv_num(c, (double)t->lines, 1);
}

char *api_statement_csv(const struct statement *s, enum csv_locale locale, size_t *len)
{
    struct csv c = {0};
    csv_begin(&c, locale);
    for (int i = 0; HEAD[i]; i++)
        csv_text(&c, HEAD[i], HEAD[i + 1] == NULL);
    for (int i = 0; i < s->nlines; i++) {
        const struct statement_line *l = &s->lines[i];
        const struct price *p = &l->price;
        csv_text(&c, "line", 0);
        csv_num(&c, (double)l->booking_id, 0);
        time_cell(&c, l->start);
        time_cell(&c, l->end);
        csv_num(&c, (double)l->resource_id, 0);
        csv_text(&c, l->resource_name, 0);
        csv_num(&c, (double)l->provider_id, 0);
        csv_text(&c, l->provider_name, 0);
        id_cell(&c, l->customer_id);
        csv_text(&c, l->customer_name, 0);
        csv_text(&c, l->user_name, 0);
        csv_text(&c, l->project, 0);
        csv_text(&c, l->cost_centre, 0);
        bool_cell(&c, l->economic);
        bool_cell(&c, l->no_show);
        bool_cell(&c, l->late_cancellation);
        csv_text(&c, l->price.currency ? p->class_name : "", 0);
        csv_text(&c, l->price.currency ? p->currency : "", 0);
        if (l->price.currency && p->rate_minor != PRICE_NONE)
            csv_num(&c, p->rate, 0);
        else
            csv_text(&c, "", 0);
        csv_num(&c, l->price.currency ? p->hours : (double)(l->end - l->start) / 3600.0, 0);
        if (l->price.currency && p->net_minor != PRICE_NONE)
            csv_num(&c, p->net, 0);
        else
            csv_text(&c, "", 0);
        csv_num(&c, l->kg_co2e, 0);
        csv_text(&c, "", 1);
    }
    for (int i = 0; i < s->ncustomers; i++)
        total_row(&c, "customer_total", &s->customers[i], 0);
    for (int i = 0; i < s->nproviders; i++)
        total_row(&c, "provider_total", &s->providers[i], 1);
    return csv_end(&c, len);
}

int api_report_organisation(struct req *r, int64_t asked, int64_t *out)
{
    *out = asked;
    if (authz_is_staff(r->user))
        return LS_OK;
    if (!r->user->organisation_id)
        return ls_err_set(&r->err, LS_EFORBIDDEN, NULL,
                          "owners without an organisation have no reports of their own");
    if (asked && asked != r->user->organisation_id)
        return ls_err_set(&r->err, LS_EFORBIDDEN, "organisation_id",
                          "owners see their own organisation's reports only");
    *out = r->user->organisation_id;
    return LS_OK;
}

int api_send_csv(struct req *r, char *text, size_t len, const char *name)
{
    http_add_header(r, "Content-Disposition",
                    arena_printf(&r->arena, "attachment; filename=\"%s\"", name));
    arena_on_release(&r->arena, free, text); /* an answer outlives its handler */
    return http_send(r, 200, "text/csv; charset=utf-8", text, len);
}

static int get_statements(struct req *r)
{
    const struct statement_params *p = r->query;
    int year, month;
    if (statement_parse_month(p->month, &year, &month) != 0)
        return ls_err_set(&r->err, LS_EVALIDATION, "month", "{field} must be a month as YYYY-MM");
    int64_t org;
    int rc = api_report_organisation(r, p->organisation_id, &org);
    struct statement s;
    if (!rc)
        rc = statement_month(r->db, year, month, org, tu_now(), &r->arena, &s, &r->err);
    if (rc)
        return rc;
    if (strcmp(p->format, "csv") != 0)
        return http_send_json(r, 200, api_statement_json(&s));
    size_t len;
    enum csv_locale locale = CSV_RFC4180;
    csv_locale_parse(p->locale, &locale); /* the field table allows pl and en only */
    char *text = api_statement_csv(&s, locale, &len);
    return api_send_csv(r, text, len,
                        org ? arena_printf(&r->arena, "labshare-statement-%s-organisation-%lld.csv",
                                           s.month_name, (long long)org)
                            : arena_printf(&r->arena, "labshare-statement-%s.csv", s.month_name));
}

/* clang-format off */
const struct route api_statement_routes[] = {
    {.method = "GET", .pattern = "/api/v1/statements", .handler = get_statements, .access = ACCESS_OWNER, .tag = "prices", .query = &params_shape, .answer = &statement_shape, .summary = "A month's statement: charged bookings with totals per customer and provider organisation (owners: their own); format=csv, locale=pl"},
    {0},
};
/* clang-format on */
