/* catalogue.c — see catalogue.h.
 *
 * The first half is data: the enumerations, one field table per type and
 * per list filter, and the type descriptors with their hooks. The second
 * half is the generic code over them: the SQL of every type generated once
 * from its table (column lists and named parameters, never values: those
 * are always bound), the row reader and binder, and get, list, create,
 * update and delete. */
#include "catalogue.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "fold.h"
#include "notify.h"
#include "signup.h"
#include "timeutil.h"

/* ------------------------------------------------------------------ */
/* Enumerations                                                         */

const struct field_choice catalogue_groups[] = {
    {"BioF", {"BioF — life-science enterprises", "BioF — biotechnologia"}},
    {"BIZ", {"BIZ — business support", "BIZ — otoczenie biznesu"}},
    {"MED", {"MED — healthcare", "MED — ochrona zdrowia"}},
    {"R&D", {"R&D — research institutes", "R&D — instytuty badawcze"}},
    {"EDU", {"EDU — universities and education", "EDU — uczelnie i edukacja"}},
    {"GOV", {"GOV — local government", "GOV — samorząd"}},
    {NULL, {NULL, NULL}},
};
const struct field_choice catalogue_packages[] = {
    {"standard", {"standard", "standard"}},
    {"silver", {"silver", "srebrny"}},
    {"gold", {"gold", "złoty"}},
    {"none", {"none", "brak"}},
    {NULL, {NULL, NULL}},
};
const struct field_choice catalogue_kinds[] = {
    {"commercial", {"commercial", "komercyjne"}}, {"scientific", {"scientific", "naukowe"}},
    {"teaching", {"teaching", "dydaktyczne"}},    {"office", {"office", "biuro"}},
    {"coworking", {"coworking", "coworking"}},    {NULL, {NULL, NULL}},
};
const struct field_choice catalogue_types[] = {
    {"room", {"room", "pomieszczenie"}},
    {"instrument", {"instrument", "aparatura"}},
    {"desk", {"desk", "biurko"}},
    {NULL, {NULL, NULL}},
};

/* ------------------------------------------------------------------ */
/* Field tables                                                         */

#define TEXT_LINE .max = CATALOGUE_LINE_MAX
#define TEXT_LONG .max = CATALOGUE_TEXT_MAX

static const struct field_link service_links = {"service_resources", "service_id", "resource_id"};

const struct field_choice catalogue_currencies[] = {
    {"PLN", {"PLN — Polish złoty", "PLN — złoty"}},
    {"EUR", {"EUR — euro", "EUR — euro"}},
    {"USD", {"USD — US dollar", "USD — dolar amerykański"}},
    {"GBP", {"GBP — pound sterling", "GBP — funt szterling"}},
    {"CHF", {"CHF — Swiss franc", "CHF — frank szwajcarski"}},
    {NULL, {NULL, NULL}},
};

static const struct field_link ORG_DOMAINS = {"organisation_email_domains", "organisation_id",
                                              "domain"};
static const struct field ORG_FIELDS[] = {
    FIELD(struct organisation, id, "id", FT_ID, FF_OUT, .column = "id",
          LABEL("Id", "Identyfikator")),
    FIELD(struct organisation, name, "name", FT_TEXT, FF_REQUIRED, .column = "name",
          .max = CATALOGUE_NAME_MAX, LABEL("Name", "Nazwa")),
    FIELD(struct organisation, short_name, "short_name", FT_TEXT, 0, .column = "short_name",
          .max = CATALOGUE_SHORT_MAX, LABEL("Short name", "Skrót")),
    FIELD(struct organisation, group, "group", FT_ENUM, FF_REQUIRED, .column = "grp",
          .choices = catalogue_groups, LABEL("Interest group", "Grupa")),
    FIELD(struct organisation, package, "package", FT_ENUM, 0, .column = "package",
          .choices = catalogue_packages, .def = "none",
          LABEL("Membership package", "Pakiet członkowski")),
    FIELD(struct organisation, member, "member", FT_BOOL, 0, .column = "member", .def = "true",
          LABEL("Cluster member", "Członek klastra"), .help = "counts in the indicators"),
    FIELD(struct organisation, city, "city", FT_TEXT, FF_NULLABLE, .column = "city", TEXT_LINE,
          LABEL("City", "Miasto")),
    FIELD(struct organisation, website, "website", FT_TEXT, FF_NULLABLE | FF_URL,
          .column = "website", TEXT_LINE, LABEL("Website", "Strona WWW")),
    FIELD(struct organisation, description, "description", FT_TEXT, FF_MULTILINE,
          .column = "description", TEXT_LONG, LABEL("Description", "Opis")),
    FIELD(struct organisation, requires_cost_centre, "requires_cost_centre", FT_BOOL, 0,
          .column = "requires_cost_centre", .def = "false",
          LABEL("Bookings need a cost centre", "Rezerwacje wymagają MPK"),
          .help = "its users must give cost_centre when they book"),
    FIELD(struct organisation, email_domains, "email_domains", FT_WORDS, FF_STAFF | FF_SORTED,
          .max = SIGNUP_DOMAINS_MAX, .link = &ORG_DOMAINS, LABEL("E-mail domains", "Domeny e-mail"),
          .help = "an address here or in a subdomain registers as a researcher of a member "
                  "organisation (staff set them)"),
    FIELD(struct organisation, created, "created", FT_TIME, FF_OUT, .column = "created",
          LABEL("Created", "Utworzono")),
    FIELD(struct organisation, updated, "updated", FT_TIME, FF_OUT, .column = "updated",
          LABEL("Updated", "Zmieniono")),
    FIELD_END,
};

static const struct field LAB_FIELDS[] = {
    FIELD(struct lab, id, "id", FT_ID, FF_OUT, .column = "id", LABEL("Id", "Identyfikator")),
    FIELD(struct lab, organisation_id, "organisation_id", FT_ID, FF_REQUIRED | FF_PARENT,
          .column = "organisation_id", .ref = &catalogue_organisation.shape,
          LABEL("Organisation", "Organizacja")),
    FIELD(struct lab, organisation_name, "organisation_name", FT_TEXT, FF_OUT | FF_JOIN,
          .column = "o.name", LABEL("Organisation", "Organizacja")),
    FIELD(struct lab, name, "name", FT_TEXT, FF_REQUIRED, .column = "name",
          .max = CATALOGUE_NAME_MAX, LABEL("Name", "Nazwa")),
    FIELD(struct lab, kind, "kind", FT_ENUM, FF_REQUIRED, .column = "kind",
          .choices = catalogue_kinds, LABEL("Kind", "Typ")),
    FIELD(struct lab, area_m2, "area_m2", FT_NUM, FF_REQUIRED | FF_ABOVE_MIN, .column = "area_m2",
          .min = 0, .max = CATALOGUE_AREA_MAX, LABEL("Floor area (m²)", "Powierzchnia (m²)")),
    FIELD(struct lab, energy_kwh_per_m2_year, "energy_kwh_per_m2_year", FT_NUM, FF_NULLABLE,
          .column = "energy_kwh_per_m2_year", .min = 0, .max = CATALOGUE_ENERGY_MAX,
          LABEL("Energy use (kWh/m²·year)", "Zużycie energii (kWh/m²·rok)"),
          .help = "null = the default intensity for its kind (METHODS.md)"),
    FIELD(struct lab, building, "building", FT_TEXT, FF_NULLABLE, .column = "building", TEXT_LINE,
          LABEL("Building", "Budynek")),
    FIELD(struct lab, address, "address", FT_TEXT, FF_NULLABLE, .column = "address", TEXT_LINE,
          LABEL("Address", "Adres")),
    FIELD(struct lab, city, "city", FT_TEXT, FF_NULLABLE, .column = "city", TEXT_LINE,
          LABEL("City", "Miasto")),
    FIELD(struct lab, biosafety_level, "biosafety_level", FT_INT, 0, .column = "biosafety_level",
          .min = 0, .max = 4, .def = "0",
          LABEL("Biosafety level (BSL)", "Poziom bezpieczeństwa biologicznego (BSL)")),
    FIELD(struct lab, description, "description", FT_TEXT, FF_MULTILINE, .column = "description",
          TEXT_LONG, LABEL("Description", "Opis")),
    FIELD(struct lab, resource_count, "resource_count", FT_INT, FF_OUT | FF_JOIN,
          .column = "(SELECT count(*) FROM resources x WHERE x.lab_id = l.id)",
          LABEL("Resources", "Zasoby")),
    FIELD(struct lab, created, "created", FT_TIME, FF_OUT, .column = "created",
          LABEL("Created", "Utworzono")),
    FIELD(struct lab, updated, "updated", FT_TIME, FF_OUT, .column = "updated",
          LABEL("Updated", "Zmieniono")),
    FIELD_END,
};

/* A resource's price list and funding, stored as columns of its row. Rates
 * must be given (null: that class may not book); labels say whole what each
 * is, since errors name a member on its own ("prices.internal"). */
#define RATE(member, json, en, pl)                                                                 \
    FIELD(struct price_list, member, json, FT_NUM, FF_REQUIRED | FF_NULLABLE,                      \
          .column = "price_" json, .min = 0, .max = CATALOGUE_RATE_MAX, LABEL(en, pl),             \
          .help = "net per hour; null = this class may not book")
static const struct field PRICE_FIELDS[] = {
    FIELD(struct price_list, currency, "currency", FT_ENUM, 0, .column = "price_currency",
          .choices = catalogue_currencies, .def = "PLN", LABEL("Currency", "Waluta")),
    RATE(internal, "internal", "Internal rate (net per hour)",
         "Stawka wewnętrzna (netto za godzinę)"),
    RATE(member_academic, "member_academic", "Member rate, academic (net per hour)",
         "Stawka dla członków – nauka (netto za godzinę)"),
    RATE(member_commercial, "member_commercial", "Member rate, commercial (net per hour)",
         "Stawka dla członków – biznes (netto za godzinę)"),
    RATE(non_member, "non_member", "Non-member rate (net per hour)",
         "Stawka dla niezrzeszonych (netto za godzinę)"),
    FIELD_END,
};
#undef RATE
static const struct shape price_list_shape = {
    "PriceList",
    PRICE_FIELDS,
    sizeof(struct price_list),
    {"price list", "cennik"},
    "Net hourly rates by customer class: internal (the owning organisation), member_academic "
    "(members in EDU, R&D, MED, GOV), member_commercial (members in BioF, BIZ), non_member "
    "(everyone else, guests included); member rates are lowered by the package discount"};
static const struct field FUNDING_FIELDS[] = {
    FIELD(struct funding, programme, "programme", FT_TEXT, FF_REQUIRED,
          .column = "funding_programme", TEXT_LINE,
          LABEL("Funding programme", "Program finansowania")),
    FIELD(struct funding, economic_cap, "economic_cap", FT_NUM, 0, .column = "funding_cap",
          .min = 0, .max = 1, .def = "0.2",
          LABEL("Cap on economic use (share of the year's hours)",
                "Limit wykorzystania gospodarczego (część godzin w roku)"),
          .help = "a fraction: 0.2 = 20 % of the year's available hours"),
    FIELD_END,
};
static const struct shape funding_shape = {
    "Funding",
    FUNDING_FIELDS,
    sizeof(struct funding),
    {"funding", "finansowanie"},
    "Public funding: economic use must stay within economic_cap of the year's available hours "
    "(EU framework for State aid for R&D&I, 2022/C 414/01, 2.1.1)"};

static const struct field RES_FIELDS[] = {
    FIELD(struct resource, id, "id", FT_ID, FF_OUT, .column = "id", LABEL("Id", "Identyfikator")),
    FIELD(struct resource, lab_id, "lab_id", FT_ID, FF_REQUIRED | FF_PARENT, .column = "lab_id",
          .ref = &catalogue_lab.shape, LABEL("Lab", "Laboratorium")),
    FIELD(struct resource, organisation_id, "organisation_id", FT_ID, FF_OUT | FF_JOIN,
          .column = "l.organisation_id", .ref = &catalogue_organisation.shape,
          LABEL("Organisation", "Organizacja")),
    FIELD(struct resource, lab_name, "lab_name", FT_TEXT, FF_OUT | FF_JOIN, .column = "l.name",
          LABEL("Lab", "Laboratorium")),
    FIELD(struct resource, organisation_name, "organisation_name", FT_TEXT, FF_OUT | FF_JOIN,
          .column = "o.name", LABEL("Organisation", "Organizacja")),
    FIELD(struct resource, organisation_short_name, "organisation_short_name", FT_TEXT,
          FF_OUT | FF_JOIN, .column = "o.short_name", LABEL("Organisation", "Organizacja")),
    FIELD(struct resource, type, "type", FT_ENUM, FF_REQUIRED, .column = "type",
          .choices = catalogue_types, LABEL("Type", "Rodzaj")),
    FIELD(struct resource, name, "name", FT_TEXT, FF_REQUIRED, .column = "name",
          .max = CATALOGUE_NAME_MAX, LABEL("Name", "Nazwa")),
    FIELD(struct resource, category, "category", FT_TEXT, 0, .column = "category", TEXT_LINE,
          LABEL("Category", "Kategoria")),
    FIELD(struct resource, description, "description", FT_TEXT, FF_MULTILINE,
          .column = "description", TEXT_LONG, LABEL("Description", "Opis")),
    FIELD(struct resource, shared, "shared", FT_BOOL, 0, .column = "shared", .def = "true",
          LABEL("Shared with other organisations", "Udostępniany innym organizacjom")),
    FIELD(struct resource, requires_approval, "requires_approval", FT_BOOL, 0,
          .column = "requires_approval", .def = "true",
          LABEL("Bookings need approval", "Rezerwacje wymagają akceptacji")),
    FIELD(struct resource, requires_training, "requires_training", FT_BOOL, 0,
          .column = "requires_training", .def = "false",
          LABEL("Requires training", "Wymaga szkolenia")),
    FIELD(struct resource, power_kw, "power_kw", FT_NUM, 0, .column = "power_kw", .min = 0,
          .max = CATALOGUE_POWER_MAX, .def = "0",
          LABEL("Power while in use (kW)", "Moc w trakcie pracy (kW)")),
    FIELD(struct resource, standby_kw, "standby_kw", FT_NUM, 0, .column = "standby_kw", .min = 0,
          .max = CATALOGUE_POWER_MAX, .def = "0",
          LABEL("Standby power (kW)", "Moc w czuwaniu (kW)")),
    FIELD(struct resource, slot_minutes, "slot_minutes", FT_INT, 0, .column = "slot_minutes",
          .min = 1, .max = 1440, .def = "30", LABEL("Slot grid (min)", "Siatka slotów (min)")),
    FIELD(struct resource, min_minutes, "min_minutes", FT_INT, 0, .column = "min_minutes", .min = 1,
          .max = CATALOGUE_MINUTES_MAX, .def = "30",
          LABEL("Shortest booking (min)", "Najkrótsza rezerwacja (min)")),
    FIELD(struct resource, max_minutes, "max_minutes", FT_INT, 0, .column = "max_minutes", .min = 1,
          .max = CATALOGUE_MINUTES_MAX, .def = "480",
          LABEL("Longest booking (min)", "Najdłuższa rezerwacja (min)"),
          .help = "at least min_minutes"),
    FIELD(struct resource, hours, "opening_hours", FT_HOURS, 0, .max = HOURS_MAX_WINDOWS,
          LABEL("Opening hours", "Godziny otwarcia"),
          .help = "empty = closed; default Mon-Fri 08:00-18:00"),
    FIELD(struct resource, prices, "prices", FT_OBJECT, FF_NULLABLE, .ref = &price_list_shape,
          LABEL("Price list", "Cennik"), .help = "null = free"),
    FIELD(struct resource, funding, "funding", FT_OBJECT, FF_NULLABLE, .ref = &funding_shape,
          LABEL("Public funding", "Finansowanie publiczne"), .help = "null = not publicly funded"),
    FIELD(struct resource, charge_no_show, "charge_no_show", FT_BOOL, 0, .column = "charge_no_show",
          .def = "true", LABEL("No-shows are charged", "Nieobecności są płatne")),
    FIELD(struct resource, late_cancel_hours, "late_cancel_hours", FT_INT, 0,
          .column = "late_cancel_hours", .min = 0, .max = CATALOGUE_LATE_CANCEL_MAX, .def = "24",
          LABEL("Late cancellation (hours before the start)",
                "Późne odwołanie (godzin przed początkiem)"),
          .help = "a booker's cancellation this close to the start is charged; 0 = never"),
    FIELD(struct resource, city, "city", FT_TEXT, FF_OUT | FF_JOIN | FF_NULLABLE,
          .column = "coalesce(l.city, o.city)", LABEL("City", "Miasto")),
    FIELD(struct resource, biosafety_level, "biosafety_level", FT_INT, FF_OUT | FF_JOIN,
          .column = "l.biosafety_level",
          LABEL("Biosafety level (BSL)", "Poziom bezpieczeństwa biologicznego (BSL)"),
          .help = "its lab's"),
    FIELD(struct resource, trained, "trained", FT_BOOL, FF_OUT | FF_JOIN,
          .column = "EXISTS (SELECT 1 FROM training t WHERE t.resource_id = r.id"
                    " AND t.user_id = :viewer)",
          LABEL("You are trained", "Masz szkolenie"),
          .help = "whether the signed-in user is trained on it"),
    FIELD(struct resource, training_requested, "training_requested", FT_BOOL, FF_OUT | FF_JOIN,
          .column = "EXISTS (SELECT 1 FROM training_requests q WHERE q.resource_id = r.id"
                    " AND q.user_id = :viewer AND q.answered_at IS NULL)",
          LABEL("You asked for training", "Poproszono o szkolenie"),
          .help = "whether the signed-in user has asked for training on it (not yet recorded)"),
    FIELD(struct resource, created, "created", FT_TIME, FF_OUT, .column = "created",
          LABEL("Created", "Utworzono")),
    FIELD(struct resource, updated, "updated", FT_TIME, FF_OUT, .column = "updated",
          LABEL("Updated", "Zmieniono")),
    FIELD_END,
};

static const struct field BLACKOUT_FIELDS[] = {
    FIELD(struct blackout, id, "id", FT_ID, FF_OUT, .column = "id", LABEL("Id", "Identyfikator")),
    FIELD(struct blackout, resource_id, "resource_id", FT_ID, FF_OUT, .column = "resource_id",
          .ref = &catalogue_resource.shape, LABEL("Resource", "Zasób")),
    FIELD(struct blackout, start, "start", FT_TIME, FF_REQUIRED, .column = "start",
          LABEL("Start", "Początek")),
    FIELD(struct blackout, end, "end", FT_TIME, FF_REQUIRED, .column = "end",
          LABEL("End", "Koniec"), .help = "after start"),
    FIELD(struct blackout, reason, "reason", FT_TEXT, 0, .column = "reason", TEXT_LINE,
          LABEL("Reason", "Powód")),
    FIELD(struct blackout, created, "created", FT_TIME, FF_OUT, .column = "created",
          LABEL("Created", "Utworzono")),
    FIELD(struct blackout, source_id, "source_id", FT_ID, FF_OUT | FF_NULLABLE,
          .column = "source_id", LABEL("Imported from", "Zaimportowano z"),
          .help = "the calendar source it was imported from; null = entered by hand"),
    FIELD(struct blackout, uid, "uid", FT_TEXT, FF_OUT | FF_NULLABLE, .column = "uid",
          LABEL("Event UID", "UID wydarzenia"), .help = "the imported event's UID"),
    FIELD_END,
};

static const struct field SERVICE_FIELDS[] = {
    FIELD(struct service, id, "id", FT_ID, FF_OUT, .column = "id", LABEL("Id", "Identyfikator")),
    FIELD(struct service, organisation_id, "organisation_id", FT_ID, FF_REQUIRED | FF_PARENT,
          .column = "organisation_id", .ref = &catalogue_organisation.shape,
          LABEL("Organisation", "Organizacja")),
    FIELD(struct service, organisation_name, "organisation_name", FT_TEXT, FF_OUT | FF_JOIN,
          .column = "o.name", LABEL("Organisation", "Organizacja")),
    FIELD(struct service, name, "name", FT_TEXT, FF_REQUIRED, .column = "name",
          .max = CATALOGUE_NAME_MAX, LABEL("Name", "Nazwa")),
    FIELD(struct service, description, "description", FT_TEXT, FF_MULTILINE,
          .column = "description", TEXT_LONG, LABEL("Description", "Opis")),
    FIELD(struct service, resources, "resource_ids", FT_IDS, FF_SORTED,
          .max = CATALOGUE_SERVICE_RESOURCES_MAX, .ref = &catalogue_resource.shape,
          .link = &service_links, LABEL("Resources it uses", "Wykorzystywane zasoby"),
          .help = "resources of the same organisation"),
    FIELD(struct service, created, "created", FT_TIME, FF_OUT, .column = "created",
          LABEL("Created", "Utworzono")),
    FIELD(struct service, updated, "updated", FT_TIME, FF_OUT, .column = "updated",
          LABEL("Updated", "Zmieniono")),
    FIELD_END,
};

/* List filters: .column is the condition, true when its parameter is given
 * (the generated list wraps it as ":name IS NULL OR (…)"). */
#define Q_TERMS(st)                                                                                \
    FIELD(st, q, "q", FT_TEXT, FF_TERMS, .max = CATALOGUE_Q_MAX,                                   \
          LABEL("Search words", "Szukane słowa"),                                                  \
          .help = "every word must match (case and Polish letters folded)")

static const struct field ORG_FILTER[] = {
    FIELD(struct org_filter, group, "group", FT_ENUM, 0, .column = "o.grp = :group",
          .choices = catalogue_groups, LABEL("Interest group", "Grupa")),
    FIELD(struct org_filter, package, "package", FT_ENUM, 0, .column = "o.package = :package",
          .choices = catalogue_packages, LABEL("Membership package", "Pakiet członkowski")),
    FIELD(struct org_filter, member, "member", FT_BOOL, 0, .column = "o.member = :member",
          LABEL("Cluster member", "Członek klastra")),
    FIELD(struct org_filter, city, "city", FT_TEXT, 0, .column = "o.city = :city COLLATE NOCASE",
          TEXT_LINE, LABEL("City", "Miasto")),
    Q_TERMS(struct org_filter),
    FIELD_END,
};

static const struct field LAB_FILTER[] = {
    FIELD(struct lab_filter, organisation_id, "organisation_id", FT_ID, 0,
          .column = "l.organisation_id = :organisation_id", LABEL("Organisation", "Organizacja")),
    FIELD(struct lab_filter, kind, "kind", FT_ENUM, 0, .column = "l.kind = :kind",
          .choices = catalogue_kinds, LABEL("Kind", "Typ")),
    FIELD(struct lab_filter, group, "group", FT_ENUM, 0, .column = "o.grp = :group",
          .choices = catalogue_groups, LABEL("Interest group", "Grupa")),
    FIELD(struct lab_filter, city, "city", FT_TEXT, 0,
          .column = "coalesce(l.city, o.city) = :city COLLATE NOCASE", TEXT_LINE,
          LABEL("City", "Miasto")),
    Q_TERMS(struct lab_filter),
    FIELD_END,
};

static const struct field RES_FILTER[] = {
    FIELD(struct resource_filter, lab_id, "lab_id", FT_ID, 0, .column = "r.lab_id = :lab_id",
          LABEL("Lab", "Laboratorium")),
    FIELD(struct resource_filter, organisation_id, "organisation_id", FT_ID, 0,
          .column = "l.organisation_id = :organisation_id", LABEL("Organisation", "Organizacja")),
    FIELD(struct resource_filter, type, "type", FT_ENUM, 0, .column = "r.type = :type",
          .choices = catalogue_types, LABEL("Type", "Rodzaj")),
    FIELD(struct resource_filter, kind, "kind", FT_ENUM, 0, .column = "l.kind = :kind",
          .choices = catalogue_kinds, LABEL("Lab kind", "Typ laboratorium")),
    FIELD(struct resource_filter, group, "group", FT_ENUM, 0, .column = "o.grp = :group",
          .choices = catalogue_groups, LABEL("Interest group", "Grupa")),
    FIELD(struct resource_filter, category, "category", FT_TEXT, 0,
          .column = "r.category = :category COLLATE NOCASE", TEXT_LINE,
          LABEL("Category", "Kategoria")),
    FIELD(struct resource_filter, city, "city", FT_TEXT, 0,
          .column = "coalesce(l.city, o.city) = :city COLLATE NOCASE", TEXT_LINE,
          LABEL("City", "Miasto")),
    FIELD(struct resource_filter, shared, "shared", FT_BOOL, 0, .column = "r.shared = :shared",
          LABEL("Shared with other organisations", "Udostępniany innym organizacjom")),
    FIELD(struct resource_filter, requires_approval, "requires_approval", FT_BOOL, 0,
          .column = "r.requires_approval = :requires_approval",
          LABEL("Bookings need approval", "Rezerwacje wymagają akceptacji")),
    FIELD(struct resource_filter, biosafety_level_min, "biosafety_level_min", FT_INT, 0,
          .column = "l.biosafety_level >= :biosafety_level_min", .min = 0, .max = 4,
          LABEL("Biosafety level at least", "Poziom BSL co najmniej")),
    Q_TERMS(struct resource_filter),
    /* A span is free when no approved booking and no blackout overlaps it
     * (half-open spans; both tables are indexed by resource and start);
     * opening hours are judged in C (resource_keep). */
    FIELD(struct resource_filter, free_from, "free_from", FT_TIME, 0,
          .column = "NOT EXISTS (SELECT 1 FROM bookings b WHERE b.resource_id = r.id"
                    " AND b.status = 'approved' AND b.start < :free_to AND b.end > :free_from)"
                    " AND NOT EXISTS (SELECT 1 FROM blackouts x WHERE x.resource_id = r.id"
                    " AND x.start < :free_to AND x.end > :free_from)",
          LABEL("Bookable from", "Do zarezerwowania od"),
          .help = "with free_to: only resources bookable for the whole span"),
    FIELD(struct resource_filter, free_to, "free_to", FT_TIME, 0,
          LABEL("Bookable until", "Do zarezerwowania do"),
          .help = "at most 366 days after free_from"),
    FIELD(struct resource_filter, open, "open", FT_BOOL, 0,
          LABEL("Open throughout", "Otwarte przez cały czas"),
          .help = "implied by free_from and free_to"),
    FIELD_END,
};

static const struct field SERVICE_FILTER[] = {
    FIELD(struct service_filter, organisation_id, "organisation_id", FT_ID, 0,
          .column = "s.organisation_id = :organisation_id", LABEL("Organisation", "Organizacja")),
    FIELD(struct service_filter, resource_id, "resource_id", FT_ID, 0,
          .column = "EXISTS (SELECT 1 FROM service_resources sr WHERE sr.service_id = s.id"
                    " AND sr.resource_id = :resource_id)",
          LABEL("Resource", "Zasób")),
    Q_TERMS(struct service_filter),
    FIELD_END,
};

static const struct field BLACKOUT_FILTER[] = {
    FIELD(struct blackout_filter, resource_id, "resource_id", FT_ID, FF_OUT,
          .column = "bo.resource_id = :resource_id", .ref = &catalogue_resource.shape,
          LABEL("Resource", "Zasób")),
    FIELD(struct blackout_filter, from, "from", FT_TIME, 0, .column = "bo.end > :from",
          LABEL("From", "Od")),
    FIELD(struct blackout_filter, to, "to", FT_TIME, 0, .column = "bo.start < :to",
          LABEL("To", "Do")),
    FIELD_END,
};

#define FILTER_SHAPE(table, st)                                                                    \
    {                                                                                              \
        .fields = (table), .size = sizeof(st)                                                      \
    }
const struct shape catalogue_org_filter = FILTER_SHAPE(ORG_FILTER, struct org_filter);
const struct shape catalogue_lab_filter = FILTER_SHAPE(LAB_FILTER, struct lab_filter);
const struct shape catalogue_resource_filter = FILTER_SHAPE(RES_FILTER, struct resource_filter);
const struct shape catalogue_service_filter = FILTER_SHAPE(SERVICE_FILTER, struct service_filter);
const struct shape catalogue_blackout_filter =
    FILTER_SHAPE(BLACKOUT_FILTER, struct blackout_filter);

/* ------------------------------------------------------------------ */
/* Hooks                                                                */

static int64_t count_by_id(struct db *db, const char *sql, int64_t id);
static void bind_i64(struct db_stmt *st, const char *name, int64_t v);

static const char SQL_ORG_LABS[] = "SELECT count(*) FROM labs WHERE organisation_id = :id";
static const char SQL_ORG_USERS[] = "SELECT count(*) FROM users WHERE organisation_id = :id";
static const char SQL_ORG_BOOKINGS[] = "SELECT count(*) FROM bookings WHERE organisation_id = :id";
static const char SQL_ORG_DEL_SERVICES[] = "DELETE FROM services WHERE organisation_id = :id";
static const char SQL_LAB_BOOKINGS[] = "SELECT count(*) FROM bookings b JOIN resources r"
                                       " ON r.id = b.resource_id WHERE r.lab_id = :id";
static const char SQL_LAB_DEL_RESOURCES[] = "DELETE FROM resources WHERE lab_id = :id";
static const char SQL_RES_BOOKINGS[] = "SELECT count(*) FROM bookings WHERE resource_id = :id";
static const char SQL_RES_TOUCH[] =
    "UPDATE resources SET updated = max(:now, updated + 1) WHERE id = :id";
static const char SQL_RES_ORG[] =
    "SELECT l.organisation_id FROM resources r JOIN labs l ON l.id = r.lab_id WHERE r.id = :id";

static int exec_by_id(struct db *db, const char *sql, int64_t id, struct ls_err *err)
{
    struct db_stmt *st = db_stmt(db, sql);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    db_bind_int64(st, db_bind_parameter_index(st, ":id"), id);
    int i = db_bind_parameter_index(st, ":now");
    if (i)
        db_bind_int64(st, i, tu_now());
    return db_step_done(db, st, err);
}

static int org_before_delete(struct db *db, int64_t id, struct ls_err *err)
{
    if (count_by_id(db, SQL_ORG_LABS, id) != 0)
        return ls_err_set(err, LS_ECONFLICT, NULL,
                          "the organisation still has labs: delete them first");
    if (count_by_id(db, SQL_ORG_USERS, id) != 0)
        return ls_err_set(err, LS_ECONFLICT, NULL,
                          "the organisation still has users: move or remove them first");
    if (count_by_id(db, SQL_ORG_BOOKINGS, id) != 0)
        return ls_err_set(err, LS_ECONFLICT, NULL,
                          "bookings were made on behalf of this organisation; history is kept");
    return exec_by_id(db, SQL_ORG_DEL_SERVICES, id, err);
}

static int lab_before_delete(struct db *db, int64_t id, struct ls_err *err)
{
    if (count_by_id(db, SQL_LAB_BOOKINGS, id) != 0)
        return ls_err_set(err, LS_ECONFLICT, NULL,
                          "bookings refer to resources of this lab; history is kept");
    /* hours, blackouts, training and service links go by ON DELETE CASCADE */
    return exec_by_id(db, SQL_LAB_DEL_RESOURCES, id, err);
}

static int res_before_delete(struct db *db, int64_t id, struct ls_err *err)
{
    if (count_by_id(db, SQL_RES_BOOKINGS, id) != 0)
        return ls_err_set(err, LS_ECONFLICT, NULL,
                          "bookings refer to this resource; history is kept");
    return LS_OK;
}

/* E-mail domains are canonical and belong to one organisation at most. */
static int org_check(struct db *db, void *obj, const void *old, struct ls_err *err)
{
    (void)old;
    struct organisation *o = obj;
    /* The words are this request's own writable copies (field_words). */
    return signup_domains_check(db, o->id, (char **)o->email_domains.v, o->email_domains.n, err);
}

static int res_check(struct db *db, void *obj, const void *old, struct ls_err *err)
{
    (void)db;
    (void)old;
    const struct resource *r = obj;
    if (r->max_minutes < r->min_minutes)
        return ls_err_set(err, LS_EVALIDATION, "max_minutes",
                          "{field} must be at least the shortest booking (%d min)", r->min_minutes);
    /* A rate is money: whole minor units (grosze), as invoices show it. */
    const struct {
        const char *name;
        double v;
    } rates[] = {{"prices.internal", r->prices.internal},
                 {"prices.member_academic", r->prices.member_academic},
                 {"prices.member_commercial", r->prices.member_commercial},
                 {"prices.non_member", r->prices.non_member}};
    for (size_t i = 0; r->prices.currency && i < sizeof rates / sizeof *rates; i++) {
        double cents = rates[i].v * 100;
        if (!isnan(cents) && fabs(cents - round(cents)) > 1e-6)
            return ls_err_set(err, LS_EVALIDATION, rates[i].name,
                              "{field} must be an amount with at most two decimals");
    }
    return LS_OK;
}

static int res_check_filter(const void *filter, uint64_t present, struct ls_err *err)
{
    const struct resource_filter *f = filter;
    const struct shape *sh = &catalogue_resource_filter;
    uint64_t from = field_bit(sh, "free_from"), to = field_bit(sh, "free_to");
    uint64_t open = field_bit(sh, "open");
    if (!(present & from) != !(present & to))
        return ls_err_set(
            err, LS_EVALIDATION, (present & from) ? "free_to" : "free_from",
            "{field} is required: a search for free resources needs both the start and the end");
    if ((present & from) && f->free_to <= f->free_from)
        return ls_err_set(err, LS_EVALIDATION, "free_to", "{field} must be after the start");
    if ((present & from) && f->free_to - f->free_from > CATALOGUE_FREE_MAX_DAYS * 86400LL)
        return ls_err_set(err, LS_EVALIDATION, "free_to",
                          "{field} may be at most %d days after the start",
                          CATALOGUE_FREE_MAX_DAYS);
    if ((present & open) && f->open && !(present & from))
        return ls_err_set(
            err, LS_EVALIDATION, "open",
            "{field} applies only to a search for free resources (give the start and the end)");
    return LS_OK;
}

static int res_wants_keep(const void *filter, uint64_t present)
{
    (void)filter;
    return (present & field_bit(&catalogue_resource_filter, "free_from")) != 0;
}

struct open_ctx {
    int64_t from, to;
    int inside;
};

static void open_span(int64_t start, int64_t end, void *ctx)
{
    struct open_ctx *c = ctx;
    if (start <= c->from && c->to <= end)
        c->inside = 1;
}

/* Bookable for the whole span needs opening hours covering it, which SQL
 * cannot judge. The span is at most CATALOGUE_FREE_MAX_DAYS (plus a day's
 * margin each side, so touching windows merge), so one resource costs at
 * most a year of windows. */
static int open_throughout(const struct hours_week *wk, int64_t from, int64_t to)
{
    struct open_ctx c = {from, to, 0};
    hours_layout_span(wk, from - 86400, to + 86400, open_span, &c);
    return c.inside;
}

static int res_keep(struct db *db, const void *filter, const void *row)
{
    (void)db;
    const struct resource_filter *f = filter;
    const struct resource *r = row;
    return open_throughout(&r->hours, f->free_from, f->free_to);
}

/* ---- bookings a change breaks (API.md § Changes that touch existing bookings) ---- */

static const char SQL_LIVE_BOOKINGS[] =
    "SELECT b.id, b.start, b.end, coalesce(b.organisation_id, 0), u.role = 'staff'"
    " FROM bookings b JOIN users u ON u.id = b.user_id"
    " WHERE b.resource_id = :id AND b.status IN ('pending','approved') AND b.end > :now"
    " ORDER BY b.start, b.id";
static const char SQL_LIVE_IN_SPAN[] =
    "SELECT id FROM bookings WHERE resource_id = :id AND status IN ('pending','approved')"
    " AND start < :to AND end > :from AND end > :now ORDER BY start, id";

/* The bookings a change breaks, each with the reason it is cancelled for. */
struct broken {
    struct arena a;
    int64_t *ids;
    const char **why;
    int n, cap;
};

static void broken_add(struct broken *b, int64_t id, const char *why)
{
    if (b->n == b->cap) {
        int cap = b->cap ? b->cap * 2 : 16;
        int64_t *ids = arena_alloc(&b->a, (size_t)cap * sizeof *ids);
        const char **whys = arena_alloc(&b->a, (size_t)cap * sizeof *whys);
        if (b->n) {
            memcpy(ids, b->ids, (size_t)b->n * sizeof *ids);
            memcpy(whys, b->why, (size_t)b->n * sizeof *whys);
        }
        b->ids = ids;
        b->why = whys;
        b->cap = cap;
    }
    b->ids[b->n] = id;
    b->why[b->n++] = why;
}

/* Refuses the change (409 listing the bookings) or cancels them, as fx
 * says; releases b. */
static int broken_settle(struct db *db, struct broken *b, struct catalogue_effects *fx,
                         struct ls_err *err)
{
    int rc = LS_OK;
    if (b->n && !(fx && fx->cancel && fx->cancel_booking)) {
        for (int i = 0; i < b->n; i++)
            ls_err_add_booking(err, b->ids[i]);
        rc = ls_err_set(err, LS_ECONFLICT, "cancel_bookings",
                        "the change would break %d pending or approved bookings and was not made; "
                        "to cancel them, repeat it with {field}",
                        b->n);
    }
    for (int i = 0; rc == LS_OK && i < b->n; i++) {
        const char *why = fx->message && *fx->message ? fx->message : b->why[i];
        rc = fx->cancel_booking(db, b->ids[i], why, fx->ctx, err);
        if (!rc)
            fx->cancelled++;
    }
    arena_release(&b->a);
    return rc;
}

static int hours_same(const struct hours_week *a, const struct hours_week *b)
{
    if (a->n != b->n)
        return 0;
    for (int i = 0; i < a->n; i++)
        if (a->w[i].weekday != b->w[i].weekday || a->w[i].open_min != b->w[i].open_min ||
            a->w[i].close_min != b->w[i].close_min)
            return 0;
    return 1;
}

/* New opening hours must still hold every live booking; a resource that
 * stops being shared keeps only its own organisation's (and staff's). */
static int res_bookings(struct db *db, const void *obj, const void *old,
                        struct catalogue_effects *fx, struct ls_err *err)
{
    const struct resource *r = obj, *was = old;
    if (!was)
        return LS_OK;
    int hours = !hours_same(&was->hours, &r->hours);
    int unshared = was->shared && !r->shared;
    if (!hours && !unshared)
        return LS_OK;
    int64_t org = catalogue_resource_org(db, r->id);
    struct db_stmt *st = db_stmt(db, SQL_LIVE_BOOKINGS);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    bind_i64(st, "id", r->id);
    bind_i64(st, "now", fx ? fx->now : tu_now());
    struct broken b = {0};
    int s;
    while ((s = db_step(st)) == DB_ROW) {
        int64_t start = db_column_int64(st, 1), end = db_column_int64(st, 2);
        int64_t booker_org = db_column_int64(st, 3);
        int staff = db_column_int(st, 4);
        if (hours && !open_throughout(&r->hours, start, end))
            broken_add(&b, db_column_int64(st, 0), CATALOGUE_WHY_HOURS);
        else if (unshared && !staff && booker_org != org)
            broken_add(&b, db_column_int64(st, 0), CATALOGUE_WHY_UNSHARED);
    }
    db_reset(st);
    if (s != DB_DONE) {
        arena_release(&b.a);
        return db_fail(db, s, err);
    }
    return broken_settle(db, &b, fx, err);
}

/* A blackout over live bookings breaks them (spans half-open). */
static int blackout_bookings(struct db *db, const void *obj, const void *old,
                             struct catalogue_effects *fx, struct ls_err *err)
{
    (void)old;
    const struct blackout *bo = obj;
    const char *why = bo->reason && *bo->reason ? bo->reason : CATALOGUE_WHY_BLACKOUT;
    struct db_stmt *st = db_stmt(db, SQL_LIVE_IN_SPAN);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    bind_i64(st, "id", bo->resource_id);
    bind_i64(st, "from", bo->start);
    bind_i64(st, "to", bo->end);
    bind_i64(st, "now", fx ? fx->now : tu_now());
    struct broken b = {0};
    int s;
    while ((s = db_step(st)) == DB_ROW)
        broken_add(&b, db_column_int64(st, 0), why);
    db_reset(st);
    if (s != DB_DONE) {
        arena_release(&b.a);
        return db_fail(db, s, err);
    }
    return broken_settle(db, &b, fx, err);
}

static int blackout_check(struct db *db, void *obj, const void *old, struct ls_err *err)
{
    (void)db;
    (void)old;
    /* A blackout may lie in the past (a breakdown recorded afterwards still
     * belongs in the utilisation figures); three years is a sanity bound. */
    const struct blackout *b = obj;
    if (b->end <= b->start)
        return ls_err_set(err, LS_EVALIDATION, "end", "{field} must be after the start");
    if (b->end - b->start > 3 * 366 * 86400LL)
        return ls_err_set(err, LS_EVALIDATION, "end",
                          "{field}: a blackout may last at most three years");
    return LS_OK;
}

/* Feeds and caches of a resource follow its `updated`. */
static int blackout_after_write(struct db *db, const void *obj, int64_t id, struct ls_err *err)
{
    (void)id;
    return exec_by_id(db, SQL_RES_TOUCH, ((const struct blackout *)obj)->resource_id, err);
}

static int service_check(struct db *db, void *obj, const void *old, struct ls_err *err)
{
    (void)old;
    const struct service *s = obj;
    for (int i = 0; i < s->resources.n; i++) {
        int64_t org = catalogue_resource_org(db, s->resources.v[i]);
        if (org == 0)
            return ls_err_set(err, LS_EVALIDATION, "resource_ids", "{field}: no resource %lld",
                              (long long)s->resources.v[i]);
        if (org != s->organisation_id)
            return ls_err_set(err, LS_EVALIDATION, "resource_ids",
                              "{field}: resource %lld belongs to another organisation",
                              (long long)s->resources.v[i]);
    }
    return LS_OK;
}

/* ------------------------------------------------------------------ */
/* Types                                                                */

static const struct ctype_cascade ORG_CASCADES[] = {
    {&catalogue_lab, "organisation_id = :id"},
    {&catalogue_resource, "lab_id IN (SELECT id FROM labs WHERE organisation_id = :id)"},
    {&catalogue_service, "organisation_id = :id"},
    {NULL, NULL},
};
static const struct ctype_cascade LAB_CASCADES[] = {
    {&catalogue_resource, "lab_id = :id"},
    {NULL, NULL},
};
static const struct ctype_cascade NO_CASCADES[] = {{NULL, NULL}};

const struct ctype catalogue_organisation = {
    .shape = {"Organisation",
              ORG_FIELDS,
              sizeof(struct organisation),
              {"organisation", "organizacja"},
              "A member (or non-member) organisation"},
    .table = "organisations",
    .alias = "o",
    .from = "organisations o",
    .owner = "o.id",
    .search = "fold(name, short_name, city, description)",
    .cascades = ORG_CASCADES,
    .order = "o.search, o.id",
    .filter = &catalogue_org_filter,
    .has_updated = 1,
    .check = org_check,
    .before_delete = org_before_delete,
};

const struct ctype catalogue_lab = {
    .shape = {"Lab",
              LAB_FIELDS,
              sizeof(struct lab),
              {"lab", "laboratorium"},
              "A laboratory, office or co-working space; floor area feeds the indicators"},
    .table = "labs",
    .alias = "l",
    .from = "labs l JOIN organisations o ON o.id = l.organisation_id",
    .owner = "l.organisation_id",
    .search = "(SELECT fold(labs.name, labs.building, labs.address, coalesce(labs.city, o.city),"
              " labs.description, o.name, o.short_name)"
              " FROM organisations o WHERE o.id = labs.organisation_id)",
    .cascades = LAB_CASCADES,
    .order = "l.search, l.id",
    .filter = &catalogue_lab_filter,
    .has_updated = 1,
    .before_delete = lab_before_delete,
};

const struct ctype catalogue_resource = {
    .shape = {"Resource",
              RES_FIELDS,
              sizeof(struct resource),
              {"resource", "zasób"},
              "A bookable room, instrument or desk"},
    .table = "resources",
    .alias = "r",
    .from = "resources r JOIN labs l ON l.id = r.lab_id JOIN organisations o"
            " ON o.id = l.organisation_id",
    .owner = "l.organisation_id",
    .search = "(SELECT fold(resources.name, resources.category, resources.description, l.name,"
              " o.name, o.short_name, coalesce(l.city, o.city))"
              " FROM labs l JOIN organisations o ON o.id = l.organisation_id"
              " WHERE l.id = resources.lab_id)",
    .cascades = NO_CASCADES,
    .order = "r.search, r.id",
    .filter = &catalogue_resource_filter,
    .has_updated = 1,
    .check = res_check,
    .check_filter = res_check_filter,
    .keep = res_keep,
    .wants_keep = res_wants_keep,
    .before_delete = res_before_delete,
    .bookings = res_bookings,
};

const struct ctype catalogue_service = {
    .shape = {"Service",
              SERVICE_FIELDS,
              sizeof(struct service),
              {"service", "usługa"},
              "A service an organisation offers (contract research, training, analyses)"},
    .table = "services",
    .alias = "s",
    .from = "services s JOIN organisations o ON o.id = s.organisation_id",
    .owner = "s.organisation_id",
    .search = "(SELECT fold(services.name, services.description, o.name, o.short_name)"
              " FROM organisations o WHERE o.id = services.organisation_id)",
    .cascades = NO_CASCADES,
    .order = "s.search, s.id",
    .filter = &catalogue_service_filter,
    .has_updated = 1,
    .check = service_check,
};

const struct ctype catalogue_blackout = {
    .shape = {"Blackout",
              BLACKOUT_FIELDS,
              sizeof(struct blackout),
              {"blackout", "wyłączenie"},
              "A span when a resource cannot be booked (maintenance, breakdown, holidays)"},
    .table = "blackouts",
    .alias = "bo",
    .from = "blackouts bo JOIN resources r ON r.id = bo.resource_id JOIN labs l"
            " ON l.id = r.lab_id",
    .owner = "l.organisation_id",
    .cascades = NO_CASCADES,
    .order = "bo.start, bo.id",
    .filter = &catalogue_blackout_filter,
    .check = blackout_check,
    .after_write = blackout_after_write,
    .bookings = blackout_bookings,
};

static const struct ctype *const TYPES[] = {
    &catalogue_organisation, &catalogue_lab,      &catalogue_resource,
    &catalogue_service,      &catalogue_blackout, NULL,
};

const struct ctype *catalogue_type_of(const struct shape *sh)
{
    for (int i = 0; TYPES[i]; i++)
        if (&TYPES[i]->shape == sh)
            return TYPES[i];
    return NULL;
}

/* ------------------------------------------------------------------ */
/* The SQL of each type, generated once from its tables                */

enum { MAX_LINKS = 4, MAX_CASCADES = 4 };

/* One column of a type's row: a field's own, or a member of a nested
 * object (FT_OBJECT) stored under the member's own .column and bound as
 * :<column> (column names are unique in a table; JSON names of members
 * need not be). */
struct col {
    const struct field *f;      /* the field whose value the column holds */
    const struct field *parent; /* the FT_OBJECT field holding f, or NULL */
    const char *param;          /* its named parameter, without the ':' */
};

struct ctype_sql {
    struct col *cols; /* every column of the row, in SELECT order */
    int ncols;
    char *get, *owner, *insert, *update, *remove, *list, *count, *search_one, *search_all;
    char *cascade[MAX_CASCADES];
    struct {
        const struct field *f;
        char *get, *clear, *add;
    } link[MAX_LINKS];
    int nlinks;
};

static struct ctype_sql type_sql[sizeof TYPES / sizeof *TYPES];
static pthread_once_t sql_once = PTHREAD_ONCE_INIT;

/* A growing string for building statement text (process lifetime: the
 * statements are cached by address, db.h). */
struct sb {
    char *s;
    size_t len, cap;
};

static void sb_add(struct sb *b, const char *text)
{
    size_t n = strlen(text);
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->s = realloc(b->s, b->cap);
        if (!b->s)
            abort();
    }
    memcpy(b->s + b->len, text, n + 1);
    b->len += n;
}

static void sb_addf(struct sb *b, const char *fmt, const char *a, const char *c)
{
    char buf[2048];
    snprintf(buf, sizeof buf, fmt, a, c ? c : "");
    sb_add(b, buf);
}

static char *sb_done(struct sb *b)
{
    return b->s;
}

/* A column the row itself holds (not an expression over the joins). */
static int own_column(const struct col *c)
{
    return !(c->f->flags & FF_JOIN) && !(c->parent && (c->parent->flags & FF_JOIN));
}

static int is_named(const struct col *c, const char *name)
{
    return !c->parent && strcmp(c->f->name, name) == 0;
}

static int is_stamp(const struct col *c)
{
    return is_named(c, "created") || is_named(c, "updated");
}

static void collect_cols(const struct ctype *t, struct ctype_sql *q)
{
    int n = 0;
    for (int pass = 0; pass < 2; pass++) {
        n = 0;
        FIELD_FOR_EACH(f, &t->shape)
        {
            if (f->type == FT_OBJECT && f->ref && f->ref->size) {
                FIELD_FOR_EACH(g, f->ref)
                {
                    if (g->column && pass)
                        q->cols[n] = (struct col){g, f, g->column};
                    n += g->column != NULL;
                }
            } else if (f->column) {
                if (pass)
                    q->cols[n] = (struct col){f, NULL, f->name};
                n++;
            }
        }
        if (!pass && !(q->cols = calloc((size_t)n + 1, sizeof *q->cols)))
            abort();
    }
    q->ncols = n;
}

static void add_select_cols(struct sb *b, const struct ctype *t, const struct ctype_sql *q)
{
    for (int i = 0; i < q->ncols; i++) {
        const struct col *c = &q->cols[i];
        if (i)
            sb_add(b, ", ");
        if (own_column(c))
            sb_addf(b, "%s.%s", t->alias, c->f->column);
        else
            sb_add(b, c->f->column);
    }
}

/* WHERE of a list: each filter's condition, true when its parameter is NULL. */
static void add_filter_where(struct sb *b, const struct ctype *t)
{
    sb_add(b, " WHERE 1");
    FIELD_FOR_EACH(f, t->filter)
    {
        if (f->flags & FF_TERMS) {
            for (int k = 1; k <= CATALOGUE_Q_TERMS; k++) {
                char cond[160];
                snprintf(cond, sizeof cond, " AND (:%s%d IS NULL OR %s.search GLOB :%s%d)", f->name,
                         k, t->alias, f->name, k);
                sb_add(b, cond);
            }
            continue;
        }
        if (!f->column)
            continue;
        sb_addf(b, " AND (:%s IS NULL OR (%s))", f->name, f->column);
    }
}

static void build_sql(const struct ctype *t, struct ctype_sql *q)
{
    collect_cols(t, q);
    struct sb b = {0};
    sb_add(&b, "SELECT ");
    add_select_cols(&b, t, q);
    sb_addf(&b, " FROM %s WHERE %s", t->from, t->alias);
    sb_add(&b, ".id = :id");
    q->get = sb_done(&b);

    b = (struct sb){0};
    sb_addf(&b, "SELECT %s FROM %s", t->owner ? t->owner : "0", t->from);
    sb_addf(&b, " WHERE %s.id = :id", t->alias, NULL);
    q->owner = sb_done(&b);

    /* INSERT: every column of the table but id; created/updated at :now. */
    struct sb cols = {0}, vals = {0};
    for (int i = 0; i < q->ncols; i++) {
        const struct col *c = &q->cols[i];
        if (!own_column(c) || is_named(c, "id"))
            continue;
        if (cols.len) {
            sb_add(&cols, ", ");
            sb_add(&vals, ", ");
        }
        sb_add(&cols, c->f->column);
        if (is_stamp(c))
            sb_add(&vals, ":now");
        else
            sb_addf(&vals, ":%s", c->param, NULL);
    }
    b = (struct sb){0};
    sb_addf(&b, "INSERT INTO %s(%s", t->table, cols.s);
    sb_addf(&b, ") VALUES (%s)", vals.s, NULL);
    q->insert = sb_done(&b);
    free(cols.s);
    free(vals.s);

    /* UPDATE: every column but id and created; `updated` strictly
     * increasing even for two writes within one second. */
    b = (struct sb){0};
    sb_addf(&b, "UPDATE %s SET ", t->table, NULL);
    int first = 1;
    for (int i = 0; i < q->ncols; i++) {
        const struct col *c = &q->cols[i];
        if (!own_column(c) || is_named(c, "id") || is_named(c, "created"))
            continue;
        if (!first)
            sb_add(&b, ", ");
        first = 0;
        if (is_named(c, "updated"))
            sb_add(&b, "updated = max(:now, updated + 1)");
        else
            sb_addf(&b, "%s = :%s", c->f->column, c->param);
    }
    sb_add(&b,
           t->has_updated ? " WHERE id = :id RETURNING updated" : " WHERE id = :id RETURNING id");
    q->update = sb_done(&b);

    b = (struct sb){0};
    sb_addf(&b, "DELETE FROM %s WHERE id = :id", t->table, NULL);
    q->remove = sb_done(&b);

    b = (struct sb){0};
    sb_add(&b, "SELECT ");
    add_select_cols(&b, t, q);
    sb_addf(&b, " FROM %s", t->from, NULL);
    add_filter_where(&b, t);
    sb_addf(&b, " ORDER BY %s LIMIT :limit OFFSET :offset", t->order, NULL);
    q->list = sb_done(&b);

    b = (struct sb){0};
    sb_addf(&b, "SELECT count(*) FROM %s", t->from, NULL);
    add_filter_where(&b, t);
    q->count = sb_done(&b);

    if (t->search) {
        b = (struct sb){0};
        sb_addf(&b, "UPDATE %s SET search = %s WHERE id = :id", t->table, t->search);
        q->search_one = sb_done(&b);
        b = (struct sb){0};
        sb_addf(&b, "UPDATE %s SET search = %s", t->table, t->search);
        q->search_all = sb_done(&b);
    }
    for (int i = 0; t->cascades && t->cascades[i].type && i < MAX_CASCADES; i++) {
        const struct ctype *c = t->cascades[i].type;
        b = (struct sb){0};
        sb_addf(&b, "UPDATE %s SET search = %s", c->table, c->search);
        sb_addf(&b, " WHERE %s", t->cascades[i].where, NULL);
        q->cascade[i] = sb_done(&b);
    }
    FIELD_FOR_EACH(f, &t->shape)
    {
        if ((f->type != FT_IDS && f->type != FT_WORDS) || !f->link || q->nlinks >= MAX_LINKS)
            continue;
        const struct field_link *l = f->link;
        char buf[512];
        q->link[q->nlinks].f = f;
        snprintf(buf, sizeof buf, "SELECT %s FROM %s WHERE %s = :id ORDER BY %s", l->item, l->table,
                 l->owner, l->item);
        q->link[q->nlinks].get = strdup(buf);
        snprintf(buf, sizeof buf, "DELETE FROM %s WHERE %s = :id", l->table, l->owner);
        q->link[q->nlinks].clear = strdup(buf);
        snprintf(buf, sizeof buf, "INSERT OR IGNORE INTO %s(%s, %s) VALUES (:id, :item)", l->table,
                 l->owner, l->item);
        q->link[q->nlinks].add = strdup(buf);
        if (!q->link[q->nlinks].get || !q->link[q->nlinks].clear || !q->link[q->nlinks].add)
            abort();
        q->nlinks++;
    }
}

static void build_all(void)
{
    for (int i = 0; TYPES[i]; i++)
        build_sql(TYPES[i], &type_sql[i]);
}

static const struct ctype_sql *sql_of(const struct ctype *t)
{
    pthread_once(&sql_once, build_all);
    for (int i = 0; TYPES[i]; i++)
        if (TYPES[i] == t)
            return &type_sql[i];
    abort(); /* a ctype that is not in TYPES: a programming error */
}

/* ------------------------------------------------------------------ */
/* Binding and reading                                                  */

static int param(struct db_stmt *st, const char *name)
{
    char key[80];
    snprintf(key, sizeof key, ":%s", name);
    return db_bind_parameter_index(st, key);
}

static void bind_i64(struct db_stmt *st, const char *name, int64_t v)
{
    int i = param(st, name);
    if (i)
        db_bind_int64(st, i, v);
}

/* Binds one field's value (obj: the struct holding it) to :name, NULL
 * for null values or when `null`. */
static void bind_named(struct db_stmt *st, const char *name, const struct field *f, const void *obj,
                       int null)
{
    int i = param(st, name);
    if (!i)
        return;
    if (null) {
        db_bind_null(st, i);
        return;
    }
    switch (f->type) {
    case FT_ID:
    case FT_TIME: {
        int64_t v = *FIELD_CAT(obj, f, int64_t);
        if (v || f->type == FT_TIME)
            db_bind_int64(st, i, v);
        else
            db_bind_null(st, i);
        break;
    }
    case FT_INT:
    case FT_BOOL:
    case FT_CODE:
        db_bind_int(st, i, *FIELD_CAT(obj, f, int));
        break;
    case FT_LONG:
        db_bind_int64(st, i, *FIELD_CAT(obj, f, int64_t));
        break;
    case FT_NUM: {
        double v = *FIELD_CAT(obj, f, double);
        if (isnan(v))
            db_bind_null(st, i);
        else
            db_bind_double(st, i, v);
        break;
    }
    case FT_TEXT:
    case FT_ENUM: {
        const char *v = *FIELD_CAT(obj, f, char *);
        if (v)
            db_bind_text(st, i, v, -1, DB_TRANSIENT);
        else
            db_bind_null(st, i);
        break;
    }
    case FT_IDS:
    case FT_WORDS:
    case FT_HOURS:
    case FT_OBJECT:
    case FT_LIST:
    case FT_NONE:
        break;
    }
}

static void bind_value(struct db_stmt *st, const struct field *f, const void *obj)
{
    bind_named(st, f->name, f, obj, 0);
}

/* Binds every column of the row but id and the stamps; the members of a
 * null nested object are NULL. */
static void bind_row(struct db_stmt *st, const struct ctype_sql *q, const void *obj)
{
    for (int i = 0; i < q->ncols; i++) {
        const struct col *c = &q->cols[i];
        if (!own_column(c) || is_stamp(c))
            continue;
        if (c->parent)
            bind_named(st, c->param, c->f, FIELD_CAT(obj, c->parent, char),
                       !field_object_present(c->parent, obj));
        else
            bind_named(st, c->param, c->f, obj, 0);
    }
}

static const char *col_str(struct db_stmt *st, int i, struct arena *a)
{
    if (db_column_type(st, i) == DB_NULL)
        return NULL;
    return arena_strndup(a, (const char *)db_column_text(st, i), (size_t)db_column_bytes(st, i));
}

/* Reads column c of a row into field f of obj (the struct holding it). */
static void read_col(struct db_stmt *st, int c, const struct field *f, struct arena *a, void *obj)
{
    int null = db_column_type(st, c) == DB_NULL;
    switch (f->type) {
    case FT_ID:
    case FT_TIME:
        *FIELD_AT(obj, f, int64_t) = db_column_int64(st, c);
        break;
    case FT_INT:
    case FT_BOOL:
    case FT_CODE:
        *FIELD_AT(obj, f, int) = db_column_int(st, c);
        break;
    case FT_LONG:
        *FIELD_AT(obj, f, int64_t) = db_column_int64(st, c);
        break;
    case FT_NUM:
        *FIELD_AT(obj, f, double) = null ? NAN : db_column_double(st, c);
        break;
    case FT_TEXT: {
        const char *s = col_str(st, c, a);
        *FIELD_AT(obj, f, const char *) = s || (f->flags & FF_NULLABLE) ? s : "";
        break;
    }
    case FT_ENUM: {
        const char *s = (const char *)db_column_text(st, c);
        const char *known = field_choice(f->choices, s);
        *FIELD_AT(obj, f, const char *) = known ? known : col_str(st, c, a);
        break;
    }
    case FT_IDS:
    case FT_WORDS:
    case FT_HOURS:
    case FT_OBJECT:
    case FT_LIST:
    case FT_NONE:
        break;
    }
}

/* Reads a row of the type's SELECT list into obj. A nullable nested object
 * whose columns are all NULL is null (its struct zeroed). */
static void read_row(struct db_stmt *st, const struct ctype *t, struct arena *a, void *obj)
{
    const struct ctype_sql *q = sql_of(t);
    int any = 0; /* a column of the current nested object was not NULL */
    for (int c = 0; c < q->ncols; c++) {
        const struct col *k = &q->cols[c];
        if (!k->parent) {
            read_col(st, c, k->f, a, obj);
            continue;
        }
        /* A nullable nested object is null when all its columns are. */
        void *nested = FIELD_AT(obj, k->parent, char);
        if (c == 0 || q->cols[c - 1].parent != k->parent)
            any = 0;
        read_col(st, c, k->f, a, nested);
        if (db_column_type(st, c) != DB_NULL)
            any = 1;
        if ((c + 1 == q->ncols || q->cols[c + 1].parent != k->parent) && !any)
            field_object_clear(k->parent, obj);
    }
}

/* Grows an arena array of n items of `size` bytes by doubling *cap. */
static void *grow(struct arena *a, void *v, int n, int *cap, size_t size)
{
    if (n < *cap)
        return v;
    *cap = *cap ? *cap * 2 : 8;
    void *bigger = arena_alloc(a, (size_t)*cap * size);
    if (n)
        memcpy(bigger, v, (size_t)n * size);
    return bigger;
}

/* Reads the set (ids or words) that link field f of row `id` holds. */
static int load_link(struct db *db, const char *sql, const struct field *f, int64_t id,
                     struct arena *a, void *obj, struct ls_err *err)
{
    struct db_stmt *st = db_stmt(db, sql);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    bind_i64(st, "id", id);
    int cap = 0, rc;
    struct field_ids *ids = f->type == FT_IDS ? FIELD_AT(obj, f, struct field_ids) : NULL;
    struct field_words *words = f->type == FT_WORDS ? FIELD_AT(obj, f, struct field_words) : NULL;
    if (ids)
        *ids = (struct field_ids){0};
    if (words)
        *words = (struct field_words){0};
    while ((rc = db_step_kept(st)) == DB_ROW) {
        if (ids) {
            ids->v = grow(a, ids->v, ids->n, &cap, sizeof *ids->v);
            ids->v[ids->n++] = db_column_int64(st, 0);
        } else if (words) {
            words->v = grow(a, (void *)words->v, words->n, &cap, sizeof *words->v);
            words->v[words->n++] = col_str(st, 0, a);
        }
    }
    db_reset(st);
    return rc == DB_DONE ? LS_OK : db_fail(db, rc, err);
}

/* Loads what hangs on a row: sets of ids or words, opening hours. */
static int load_children(struct db *db, const struct ctype *t, struct arena *a, void *obj,
                         struct ls_err *err)
{
    const struct ctype_sql *q = sql_of(t);
    int64_t id = catalogue_id(t, obj);
    for (int k = 0; k < q->nlinks; k++) {
        int rc = load_link(db, q->link[k].get, q->link[k].f, id, a, obj, err);
        if (rc)
            return rc;
    }
    FIELD_FOR_EACH(f, &t->shape)
    {
        if (f->type != FT_HOURS)
            continue;
        int rc = catalogue_hours_load(db, id, FIELD_AT(obj, f, struct hours_week), err);
        if (rc)
            return rc;
    }
    return LS_OK;
}

static const char SQL_HOURS_GET[] =
    "SELECT weekday, open_min, close_min FROM opening_hours WHERE resource_id = :id"
    " ORDER BY weekday, open_min";
static const char SQL_HOURS_DELETE[] = "DELETE FROM opening_hours WHERE resource_id = :id";
static const char SQL_HOURS_INSERT[] =
    "INSERT INTO opening_hours(resource_id, weekday, open_min, close_min)"
    " VALUES (:id, :weekday, :open, :close)";

static int hours_save(struct db *db, int64_t resource_id, const struct hours_week *wk,
                      struct ls_err *err)
{
    int rc = exec_by_id(db, SQL_HOURS_DELETE, resource_id, err);
    for (int i = 0; rc == LS_OK && i < wk->n; i++) {
        struct db_stmt *st = db_stmt(db, SQL_HOURS_INSERT);
        if (!st)
            return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
        bind_i64(st, "id", resource_id);
        bind_i64(st, "weekday", wk->w[i].weekday);
        bind_i64(st, "open", wk->w[i].open_min);
        bind_i64(st, "close", wk->w[i].close_min);
        rc = db_step_done(db, st, err);
    }
    return rc;
}

/* Writes what hangs on a row, then its search text and the search texts
 * that show its names. */
static int save_children(struct db *db, const struct ctype *t, const void *obj, struct ls_err *err)
{
    const struct ctype_sql *q = sql_of(t);
    int64_t id = catalogue_id(t, obj);
    int rc = LS_OK;
    for (int k = 0; rc == LS_OK && k < q->nlinks; k++) {
        const struct field *f = q->link[k].f;
        const struct field_ids *ids =
            f->type == FT_IDS ? FIELD_CAT(obj, f, struct field_ids) : NULL;
        const struct field_words *words =
            f->type == FT_WORDS ? FIELD_CAT(obj, f, struct field_words) : NULL;
        int n = ids ? ids->n : words->n;
        rc = exec_by_id(db, q->link[k].clear, id, err);
        for (int i = 0; rc == LS_OK && i < n; i++) {
            struct db_stmt *st = db_stmt(db, q->link[k].add);
            if (!st)
                return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
            bind_i64(st, "id", id);
            if (ids)
                bind_i64(st, "item", ids->v[i]);
            else
                db_bind_text(st, param(st, "item"), words->v[i], -1, DB_TRANSIENT);
            rc = db_step_done(db, st, err);
        }
    }
    FIELD_FOR_EACH(f, &t->shape)
    {
        if (rc == LS_OK && f->type == FT_HOURS)
            rc = hours_save(db, id, FIELD_CAT(obj, f, struct hours_week), err);
    }
    if (rc == LS_OK && q->search_one)
        rc = exec_by_id(db, q->search_one, id, err);
    for (int i = 0; rc == LS_OK && i < MAX_CASCADES && q->cascade[i]; i++)
        rc = exec_by_id(db, q->cascade[i], id, err);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Generic operations                                                   */

static const struct field *named(const struct ctype *t, const char *name)
{
    return field_find(&t->shape, name);
}

int64_t catalogue_id(const struct ctype *t, const void *obj)
{
    const struct field *f = named(t, "id");
    return f ? *FIELD_CAT(obj, f, int64_t) : 0;
}

static void set_i64(const struct ctype *t, void *obj, const char *name, int64_t v)
{
    const struct field *f = named(t, name);
    if (f)
        *FIELD_AT(obj, f, int64_t) = v;
}

void catalogue_defaults(const struct ctype *t, void *obj)
{
    field_defaults(&t->shape, obj);
}

static int not_found(const struct ctype *t, struct ls_err *err)
{
    char en[96], pl[96];
    snprintf(en, sizeof en, "no such %s", t->shape.noun[MSG_EN]);
    snprintf(pl, sizeof pl, "nie znaleziono: %s", t->shape.noun[MSG_PL]);
    return ls_err_set_both(err, LS_ENOTFOUND, NULL, en, pl);
}

/* Every table catalogue_get reads (the types' own, their joins, links,
 * hours and a resource's training columns): on PostgreSQL a server keeps
 * what it read of them until one changes (db_step_kept), and migration
 * 0027's triggers announce their changes on CATALOGUE_CHANNEL. */
static const char *const KEPT_TABLES[] = {
    "organisations", "organisation_email_domains", "labs",      "resources",
    "services",      "service_resources",          "blackouts", "opening_hours",
    "training",      "training_requests",          NULL};
static const char CATALOGUE_CHANNEL[] = "labshare_catalogue";

int catalogue_listen(struct ls_err *err)
{
    return db_keep(KEPT_TABLES, CATALOGUE_CHANNEL, err);
}

int catalogue_get(struct db *db, const struct ctype *t, int64_t id, int64_t viewer, struct arena *a,
                  void *obj, struct ls_err *err)
{
    field_defaults(&t->shape, obj);
    struct db_stmt *st = db_stmt(db, sql_of(t)->get);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    bind_i64(st, "id", id);
    bind_i64(st, "viewer", viewer);
    int rc = db_step_kept(st);
    if (rc == DB_ROW)
        read_row(st, t, a, obj);
    db_reset(st);
    if (rc == DB_DONE)
        return not_found(t, err);
    if (rc != DB_ROW)
        return db_fail(db, rc, err);
    return load_children(db, t, a, obj, err);
}

int catalogue_owner(struct db *db, const struct ctype *t, int64_t id, int64_t *org,
                    struct ls_err *err)
{
    *org = 0;
    struct db_stmt *st = db_stmt(db, sql_of(t)->owner);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    bind_i64(st, "id", id);
    int rc = db_step(st);
    if (rc == DB_ROW)
        *org = db_column_int64(st, 0);
    db_reset(st);
    if (rc == DB_DONE)
        return not_found(t, err);
    return rc == DB_ROW ? LS_OK : db_fail(db, rc, err);
}

/* "*word*" with GLOB's special characters bracketed, so every character of
 * the word matches itself. GLOB is case-sensitive, which is right for
 * folded text, and measurably faster than instr() or LIKE on long text. */
static char *glob_pattern(struct arena *a, const char *word)
{
    char *out = arena_alloc(a, 3 * strlen(word) + 3);
    char *p = out;
    *p++ = '*';
    for (; *word; word++) {
        if (*word == '*' || *word == '?' || *word == '[') {
            *p++ = '[';
            *p++ = *word;
            *p++ = ']';
        } else {
            *p++ = *word;
        }
    }
    *p++ = '*';
    *p = '\0';
    return out;
}

static void bind_filter(struct db_stmt *st, const struct ctype *t, const void *filter,
                        uint64_t present, int64_t viewer, struct arena *a)
{
    int i = 0;
    FIELD_FOR_EACH(f, t->filter)
    {
        int given = (present >> i++) & 1;
        if (!given)
            continue; /* db_stmt cleared the bindings: NULL */
        if (f->flags & FF_TERMS) {
            const char *q = *FIELD_CAT(filter, f, char *);
            char *folded = catalogue_fold(a, q);
            int k = 0;
            char *save = NULL;
            for (char *w = strtok_r(folded, " \t\r\n", &save); w && k < CATALOGUE_Q_TERMS;
                 w = strtok_r(NULL, " \t\r\n", &save)) {
                char key[80];
                snprintf(key, sizeof key, ":%s%d", f->name, ++k);
                db_bind_text(st, db_bind_parameter_index(st, key), glob_pattern(a, w), -1,
                             DB_TRANSIENT);
            }
            continue;
        }
        bind_value(st, f, filter);
    }
    bind_i64(st, "viewer", viewer);
}

int catalogue_list(struct db *db, const struct ctype *t, const void *filter, uint64_t present,
                   int64_t viewer, int64_t limit, int64_t offset, struct arena *a, void **items,
                   int *n, int64_t *total, struct ls_err *err)
{
    const struct ctype_sql *q = sql_of(t);
    *items = NULL;
    *n = 0;
    *total = 0;
    int keep = t->keep && t->wants_keep && t->wants_keep(filter, present);
    struct arena tmp = {0};
    int rc = LS_OK;
    if (!keep) {
        struct db_stmt *st = db_stmt(db, q->count);
        if (!st)
            return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
        bind_filter(st, t, filter, present, viewer, &tmp);
        int s = db_step(st);
        if (s == DB_ROW)
            *total = db_column_int64(st, 0);
        db_reset(st);
        if (s != DB_ROW)
            rc = db_fail(db, s, err);
    }
    /* Room for the page only: the count came first (a row that appears in
     * between is left for the next page). Rows judged in C are read whole
     * and paged here. */
    int64_t cap = keep ? limit : (*total - offset < limit ? *total - offset : limit);
    size_t size = t->shape.size;
    char *page = arena_alloc(a, (size_t)(cap > 0 ? cap : 1) * size);
    if (rc == LS_OK && (keep || cap > 0)) {
        struct db_stmt *st = db_stmt(db, q->list);
        if (!st) {
            arena_release(&tmp);
            return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
        }
        bind_filter(st, t, filter, present, viewer, &tmp);
        bind_i64(st, "limit", keep ? -1 : limit);
        bind_i64(st, "offset", keep ? 0 : offset);
        void *row = arena_alloc(&tmp, size);
        int s;
        while ((s = db_step(st)) == DB_ROW) {
            if (!keep) {
                if (*n >= cap)
                    continue;
                void *obj = page + (size_t)*n * size;
                field_defaults(&t->shape, obj);
                read_row(st, t, a, obj);
                (*n)++;
                continue;
            }
            /* Judged rows are read into scratch first; only a kept row on
             * the page is copied out, with its strings, into the caller's
             * arena. */
            field_defaults(&t->shape, row);
            read_row(st, t, &tmp, row);
            if ((rc = load_children(db, t, &tmp, row, err)))
                break;
            if (!t->keep(db, filter, row))
                continue;
            if (*total >= offset && *n < limit) {
                void *obj = page + (size_t)*n * size;
                field_defaults(&t->shape, obj);
                read_row(st, t, a, obj);
                (*n)++;
            }
            (*total)++;
        }
        db_reset(st);
        if (rc == LS_OK && s != DB_DONE)
            rc = db_fail(db, s, err);
    }
    for (int i = 0; rc == LS_OK && i < *n; i++)
        rc = load_children(db, t, a, page + (size_t)i * size, err);
    arena_release(&tmp);
    *items = page;
    return rc;
}

int catalogue_check_filter(const struct ctype *t, const void *filter, uint64_t present,
                           struct ls_err *err)
{
    return t->check_filter ? t->check_filter(filter, present, err) : LS_OK;
}

/* FT_ID fields naming other objects must name existing ones. */
static int check_refs(struct db *db, const struct ctype *t, const void *obj, const void *old,
                      struct ls_err *err)
{
    FIELD_FOR_EACH(f, &t->shape)
    {
        if (f->type != FT_ID || !f->ref || (f->flags & FF_JOIN))
            continue;
        int64_t v = *FIELD_CAT(obj, f, int64_t);
        if (v == 0 || (old && v == *FIELD_CAT(old, f, int64_t)))
            continue;
        const struct ctype *rt = catalogue_type_of(f->ref);
        int64_t org = 0;
        struct ls_err ignore = {0};
        if (!rt || catalogue_owner(db, rt, v, &org, &ignore) != LS_OK)
            return ls_err_set(err, LS_EVALIDATION, f->name, "{field}: not found");
        /* A row that changes hands is a new row: services, bookings and
         * statistics hang on its owner. */
        if (old && (f->flags & FF_PARENT)) {
            int64_t was = 0;
            if (catalogue_owner(db, rt, *FIELD_CAT(old, f, int64_t), &was, &ignore) == LS_OK &&
                was != org)
                return ls_err_set(err, LS_EVALIDATION, f->name,
                                  "{field}: an object cannot move to another organisation");
        }
    }
    return LS_OK;
}

struct write_job {
    const struct ctype *t;
    void *obj;
    const void *old;
    int64_t id;
    struct catalogue_effects *fx;
};

static int create_txn(struct db *db, void *ctx, struct ls_err *err)
{
    struct write_job *j = ctx;
    const struct ctype *t = j->t;
    int rc = check_refs(db, t, j->obj, NULL, err);
    if (!rc && t->check)
        rc = t->check(db, j->obj, NULL, err);
    if (!rc && t->bookings)
        rc = t->bookings(db, j->obj, NULL, j->fx, err);
    if (rc)
        return rc;
    int64_t now = tu_now();
    struct db_stmt *st = db_stmt(db, sql_of(t)->insert);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    bind_row(st, sql_of(t), j->obj);
    bind_i64(st, "now", now);
    if ((rc = db_step_done(db, st, err)))
        return rc;
    int64_t id = db_last_insert_id(db);
    set_i64(t, j->obj, "id", id);
    set_i64(t, j->obj, "created", now);
    set_i64(t, j->obj, "updated", now);
    rc = save_children(db, t, j->obj, err);
    if (!rc && t->after_write)
        rc = t->after_write(db, j->obj, id, err);
    return rc;
}

int catalogue_create_fx(struct db *db, const struct ctype *t, void *obj,
                        struct catalogue_effects *fx, struct ls_err *err)
{
    int rc = field_check(&t->shape, obj, 1, err);
    if (rc)
        return rc;
    struct write_job j = {t, obj, NULL, 0, fx};
    return db_write(db, create_txn, &j, err);
}

int catalogue_create(struct db *db, const struct ctype *t, void *obj, struct ls_err *err)
{
    return catalogue_create_fx(db, t, obj, NULL, err);
}

static int update_txn(struct db *db, void *ctx, struct ls_err *err)
{
    struct write_job *j = ctx;
    const struct ctype *t = j->t;
    struct arena a = {0};
    const void *old = j->old;
    int rc = LS_OK;
    if (!old) {
        void *loaded = arena_alloc(&a, t->shape.size);
        rc = catalogue_get(db, t, catalogue_id(t, j->obj), 0, &a, loaded, err);
        old = loaded;
    }
    if (!rc)
        rc = check_refs(db, t, j->obj, old, err);
    if (!rc && t->check)
        rc = t->check(db, j->obj, old, err);
    if (!rc && t->bookings)
        rc = t->bookings(db, j->obj, old, j->fx, err);
    struct db_stmt *st = rc ? NULL : db_stmt(db, sql_of(t)->update);
    if (!rc && !st)
        rc = ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    if (!rc) {
        bind_row(st, sql_of(t), j->obj);
        bind_i64(st, "now", tu_now());
        int s = db_step(st);
        if (s == DB_ROW) {
            if (t->has_updated)
                set_i64(t, j->obj, "updated", db_column_int64(st, 0));
            s = db_step(st);
            db_reset(st);
            rc = s == DB_DONE ? LS_OK : db_fail(db, s, err);
        } else {
            db_reset(st);
            rc = s == DB_DONE ? not_found(t, err) : db_fail(db, s, err);
        }
    }
    if (!rc)
        rc = save_children(db, t, j->obj, err);
    if (!rc && t->after_write)
        rc = t->after_write(db, j->obj, catalogue_id(t, j->obj), err);
    arena_release(&a);
    return rc;
}

int catalogue_update_fx(struct db *db, const struct ctype *t, void *obj, const void *old,
                        struct catalogue_effects *fx, struct ls_err *err)
{
    int rc = field_check(&t->shape, obj, 0, err);
    if (rc)
        return rc;
    struct write_job j = {t, obj, old, 0, fx};
    return db_write(db, update_txn, &j, err);
}

int catalogue_update(struct db *db, const struct ctype *t, void *obj, const void *old,
                     struct ls_err *err)
{
    return catalogue_update_fx(db, t, obj, old, NULL, err);
}

static int delete_txn(struct db *db, void *ctx, struct ls_err *err)
{
    struct write_job *j = ctx;
    const struct ctype *t = j->t;
    struct arena a = {0};
    void *obj = arena_alloc(&a, t->shape.size);
    int rc = catalogue_get(db, t, j->id, 0, &a, obj, err);
    if (!rc && t->before_delete)
        rc = t->before_delete(db, j->id, err);
    if (!rc)
        rc = exec_by_id(db, sql_of(t)->remove, j->id, err);
    if (!rc && t->after_write)
        rc = t->after_write(db, obj, j->id, err);
    arena_release(&a);
    return rc;
}

int catalogue_delete(struct db *db, const struct ctype *t, int64_t id, struct ls_err *err)
{
    struct write_job j = {t, NULL, NULL, id, NULL};
    return db_write(db, delete_txn, &j, err);
}

static int reindex_txn(struct db *db, void *ctx, struct ls_err *err)
{
    (void)ctx;
    int rc = LS_OK;
    for (int i = 0; rc == LS_OK && TYPES[i]; i++) {
        const struct ctype_sql *q = sql_of(TYPES[i]);
        if (!q->search_all)
            continue;
        struct db_stmt *st = db_stmt(db, q->search_all);
        rc = st ? db_step_done(db, st, err) : ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    }
    return rc;
}

int catalogue_reindex(struct db *db, struct ls_err *err)
{
    return db_write(db, reindex_txn, NULL, err);
}

char *catalogue_fold(struct arena *a, const char *s)
{
    if (!s)
        s = "";
    char *out = arena_alloc(a, strlen(s) + 1); /* folding never grows the text */
    fold_into(out, s);
    return out;
}

/* ------------------------------------------------------------------ */
/* What the booking rules need                                          */

static const char SQL_RULES[] =
    "SELECT r.id, r.lab_id, l.organisation_id, r.shared, r.requires_approval,"
    "       r.requires_training, r.slot_minutes, r.min_minutes, r.max_minutes, r.power_kw"
    " FROM resources r JOIN labs l ON l.id = r.lab_id WHERE r.id = :id";
static const char SQL_TRAINED[] =
    "SELECT 1 FROM training WHERE resource_id = :resource AND user_id = :user";

/* A single integer from a one-row query with :id bound; -1 on error. */
static int64_t count_by_id(struct db *db, const char *sql, int64_t id)
{
    struct db_stmt *st = db_stmt(db, sql);
    if (!st)
        return -1;
    bind_i64(st, "id", id);
    int64_t n = db_step(st) == DB_ROW ? db_column_int64(st, 0) : -1;
    db_reset(st);
    return n;
}

int catalogue_hours_load(struct db *db, int64_t resource_id, struct hours_week *out,
                         struct ls_err *err)
{
    memset(out, 0, sizeof *out);
    struct db_stmt *st = db_stmt(db, SQL_HOURS_GET);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    bind_i64(st, "id", resource_id);
    int rc;
    while ((rc = db_step_kept(st)) == DB_ROW && out->n < HOURS_MAX_WINDOWS) {
        struct hours_window *w = &out->w[out->n++];
        w->weekday = db_column_int(st, 0);
        w->open_min = db_column_int(st, 1);
        w->close_min = db_column_int(st, 2);
    }
    db_reset(st);
    if (rc != DB_DONE && rc != DB_ROW)
        return db_fail(db, rc, err);
    return LS_OK;
}

int catalogue_resource_rules(struct db *db, int64_t resource_id, struct resource_rules *out,
                             struct ls_err *err)
{
    memset(out, 0, sizeof *out);
    struct db_stmt *st = db_stmt(db, SQL_RULES);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    bind_i64(st, "id", resource_id);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        out->id = db_column_int64(st, 0);
        out->lab_id = db_column_int64(st, 1);
        out->organisation_id = db_column_int64(st, 2);
        out->shared = db_column_int(st, 3);
        out->requires_approval = db_column_int(st, 4);
        out->requires_training = db_column_int(st, 5);
        out->slot_minutes = db_column_int(st, 6);
        out->min_minutes = db_column_int(st, 7);
        out->max_minutes = db_column_int(st, 8);
        out->power_kw = db_column_double(st, 9);
    }
    db_reset(st);
    if (rc == DB_DONE)
        return ls_err_set(err, LS_ENOTFOUND, "resource_id", "no such resource");
    if (rc != DB_ROW)
        return db_fail(db, rc, err);
    return catalogue_hours_load(db, resource_id, &out->hours, err);
}

void catalogue_rules_of(const struct resource *r, struct resource_rules *out)
{
    *out = (struct resource_rules){
        .id = r->id,
        .lab_id = r->lab_id,
        .organisation_id = r->organisation_id,
        .shared = r->shared,
        .requires_approval = r->requires_approval,
        .requires_training = r->requires_training,
        .slot_minutes = r->slot_minutes,
        .min_minutes = r->min_minutes,
        .max_minutes = r->max_minutes,
        .power_kw = r->power_kw,
        .hours = r->hours,
    };
}

int catalogue_user_trained(struct db *db, int64_t resource_id, int64_t user_id)
{
    struct db_stmt *st = db_stmt(db, SQL_TRAINED);
    if (!st)
        return 0;
    bind_i64(st, "resource", resource_id);
    bind_i64(st, "user", user_id);
    int found = db_step(st) == DB_ROW;
    db_reset(st);
    return found;
}

int64_t catalogue_resource_org(struct db *db, int64_t resource_id)
{
    int64_t org = count_by_id(db, SQL_RES_ORG, resource_id);
    return org > 0 ? org : 0;
}

/* ------------------------------------------------------------------ */
/* Training records                                                     */

static const char SQL_USER_EXISTS[] = "SELECT count(*) FROM users WHERE id = :id";
static const char SQL_USER_BY_EMAIL[] =
    "SELECT id FROM users WHERE email = :email COLLATE NOCASE ORDER BY active DESC, id LIMIT 1";
static const char SQL_TRAIN_INSERT[] =
    "INSERT OR IGNORE INTO training(resource_id, user_id, granted_by, granted_at)"
    " VALUES (:resource, :user, :by, :now)";
static const char SQL_TRAIN_ANSWER[] =
    "UPDATE training_requests SET answered_at = :now, answered_by = :by"
    " WHERE resource_id = :resource AND user_id = :user AND answered_at IS NULL";
static const char SQL_TRAIN_DELETE[] =
    "DELETE FROM training WHERE resource_id = :resource AND user_id = :user";
#define TRAIN_COLS                                                                                 \
    "SELECT t.resource_id, t.user_id, u.name, u.email, coalesce(u.organisation_id, 0), o.name,"    \
    " t.granted_by, t.granted_at FROM training t JOIN users u ON u.id = t.user_id"                 \
    " LEFT JOIN organisations o ON o.id = u.organisation_id"
static const char SQL_TRAIN_LIST[] =
    TRAIN_COLS " WHERE t.resource_id = :id"
               " ORDER BY u.name COLLATE NOCASE, u.id LIMIT :limit OFFSET :offset";
static const char SQL_TRAIN_ONE[] = TRAIN_COLS " WHERE t.resource_id = :id AND t.user_id = :user";
static const char SQL_TRAIN_COUNT[] = "SELECT count(*) FROM training WHERE resource_id = :id";

/* The e-mail address as the viewer may see it (NULL when not theirs to see). */
static const char *email_for(const struct user *viewer, int64_t user, int64_t org,
                             struct db_stmt *st, int col, struct arena *a)
{
    return authz_sees_email(viewer, user, org) ? col_str(st, col, a) : NULL;
}

static void read_training(struct db_stmt *st, const struct user *viewer, struct arena *a,
                          void *item)
{
    struct training *t = item;
    t->resource_id = db_column_int64(st, 0);
    t->user_id = db_column_int64(st, 1);
    t->user_name = col_str(st, 2, a);
    t->user_organisation_id = db_column_int64(st, 4);
    t->user_email = email_for(viewer, t->user_id, t->user_organisation_id, st, 3, a);
    t->organisation_name = col_str(st, 5, a);
    t->granted_by = db_column_int64(st, 6);
    t->granted_at = db_column_int64(st, 7);
}

struct training_job {
    int64_t resource_id, user_id, granted_by;
    int created;
};

static int grant_txn(struct db *db, void *ctx, struct ls_err *err)
{
    struct training_job *j = ctx;
    if (catalogue_resource_org(db, j->resource_id) == 0)
        return ls_err_set(err, LS_ENOTFOUND, NULL, "no such resource");
    if (count_by_id(db, SQL_USER_EXISTS, j->user_id) <= 0)
        return ls_err_set(err, LS_EVALIDATION, "user_id", "{field}: no such user");
    struct db_stmt *st = db_stmt(db, SQL_TRAIN_INSERT);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    bind_i64(st, "resource", j->resource_id);
    bind_i64(st, "user", j->user_id);
    if (j->granted_by)
        bind_i64(st, "by", j->granted_by);
    bind_i64(st, "now", tu_now());
    int rc = db_step_done(db, st, err);
    if (!rc)
        j->created = db_changes(db) > 0;
    /* Whoever asked to be trained has been answered. */
    if (!rc && !(st = db_stmt(db, SQL_TRAIN_ANSWER)))
        rc = ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    if (!rc) {
        bind_i64(st, "resource", j->resource_id);
        bind_i64(st, "user", j->user_id);
        if (j->granted_by)
            bind_i64(st, "by", j->granted_by);
        bind_i64(st, "now", tu_now());
        rc = db_step_done(db, st, err);
    }
    if (!rc && j->created)
        rc = exec_by_id(db, SQL_RES_TOUCH, j->resource_id, err);
    return rc;
}

int catalogue_training_grant(struct db *db, int64_t resource_id, int64_t user_id,
                             int64_t granted_by, int *created, struct ls_err *err)
{
    struct training_job j = {resource_id, user_id, granted_by, 0};
    int rc = db_write(db, grant_txn, &j, err);
    *created = rc == LS_OK && j.created;
    return rc;
}

static int revoke_txn(struct db *db, void *ctx, struct ls_err *err)
{
    struct training_job *j = ctx;
    struct db_stmt *st = db_stmt(db, SQL_TRAIN_DELETE);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    bind_i64(st, "resource", j->resource_id);
    bind_i64(st, "user", j->user_id);
    int rc = db_step_done(db, st, err);
    if (!rc && db_changes(db) == 0)
        rc = ls_err_set(err, LS_ENOTFOUND, NULL, "no such training record");
    if (!rc)
        rc = exec_by_id(db, SQL_RES_TOUCH, j->resource_id, err);
    return rc;
}

int catalogue_training_revoke(struct db *db, int64_t resource_id, int64_t user_id,
                              struct ls_err *err)
{
    struct training_job j = {resource_id, user_id, 0, 0};
    return db_write(db, revoke_txn, &j, err);
}

/* One page of a resource's rows (training records, requests): count, then
 * the rows, each read by `read` into an arena array of `size`-byte items. */
typedef void (*row_reader)(struct db_stmt *st, const struct user *viewer, struct arena *a,
                           void *item);

static int resource_page(struct db *db, const char *count_sql, const char *list_sql,
                         int64_t resource_id, const struct user *viewer, int64_t limit,
                         int64_t offset, struct arena *a, size_t size, row_reader read,
                         void **items, int *n, int64_t *total, struct ls_err *err)
{
    *items = NULL;
    *n = 0;
    *total = count_by_id(db, count_sql, resource_id);
    if (*total < 0)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    struct db_stmt *st = db_stmt(db, list_sql);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    bind_i64(st, "id", resource_id);
    bind_i64(st, "limit", limit);
    bind_i64(st, "offset", offset);
    char *page = arena_alloc(a, (size_t)(limit > 0 ? limit : 1) * size);
    int s;
    while ((s = db_step(st)) == DB_ROW && *n < limit) {
        void *item = page + (size_t)(*n)++ * size;
        memset(item, 0, size);
        read(st, viewer, a, item);
    }
    db_reset(st);
    *items = page;
    return s == DB_DONE || s == DB_ROW ? LS_OK : db_fail(db, s, err);
}

int catalogue_training_list(struct db *db, const struct user *viewer, int64_t resource_id,
                            int64_t limit, int64_t offset, struct arena *a, struct training **items,
                            int *n, int64_t *total, struct ls_err *err)
{
    void *page = NULL;
    int rc = resource_page(db, SQL_TRAIN_COUNT, SQL_TRAIN_LIST, resource_id, viewer, limit, offset,
                           a, sizeof **items, read_training, &page, n, total, err);
    *items = page;
    return rc;
}

int catalogue_training_get(struct db *db, const struct user *viewer, int64_t resource_id,
                           int64_t user_id, struct arena *a, struct training *out,
                           struct ls_err *err)
{
    memset(out, 0, sizeof *out);
    struct db_stmt *st = db_stmt(db, SQL_TRAIN_ONE);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    bind_i64(st, "id", resource_id);
    bind_i64(st, "user", user_id);
    int s = db_step(st);
    if (s == DB_ROW)
        read_training(st, viewer, a, out);
    db_reset(st);
    if (s == DB_DONE)
        return ls_err_set(err, LS_ENOTFOUND, NULL, "no such training record");
    return s == DB_ROW ? LS_OK : db_fail(db, s, err);
}

int catalogue_user_by_email(struct db *db, const char *email, const char *field, int64_t *id,
                            struct ls_err *err)
{
    *id = 0;
    struct db_stmt *st = db_stmt(db, SQL_USER_BY_EMAIL);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    db_bind_text(st, param(st, "email"), email, -1, DB_TRANSIENT);
    int s = db_step(st);
    if (s == DB_ROW)
        *id = db_column_int64(st, 0);
    db_reset(st);
    if (s == DB_DONE)
        return ls_err_set(err, LS_EVALIDATION, field, "{field}: nobody has this address");
    return s == DB_ROW ? LS_OK : db_fail(db, s, err);
}

/* ---- whom an owner may find (the type-ahead) ---- */

/* :staff sees everyone; an owner (:org) the users of their organisation and
 * those trained on, or asking for training on, its resources. A name
 * matches :pattern; an address only where the viewer may see it. */
static const char SQL_CANDIDATES[] =
    "SELECT u.id, u.name, u.email, coalesce(u.organisation_id, 0), o.name,"
    " EXISTS (SELECT 1 FROM training t WHERE t.resource_id = :resource AND t.user_id = u.id),"
    " EXISTS (SELECT 1 FROM training_requests q WHERE q.resource_id = :resource"
    "         AND q.user_id = u.id AND q.answered_at IS NULL)"
    " FROM users u LEFT JOIN organisations o ON o.id = u.organisation_id"
    " WHERE u.active = 1 AND (:staff OR u.organisation_id = :org"
    "   OR EXISTS (SELECT 1 FROM training t JOIN resources r ON r.id = t.resource_id"
    "              JOIN labs l ON l.id = r.lab_id"
    "              WHERE t.user_id = u.id AND l.organisation_id = :org)"
    "   OR EXISTS (SELECT 1 FROM training_requests q JOIN resources r ON r.id = q.resource_id"
    "              JOIN labs l ON l.id = r.lab_id"
    "              WHERE q.user_id = u.id AND l.organisation_id = :org))"
    " AND (:pattern IS NULL OR fold(u.name) GLOB :pattern"
    "   OR ((:staff OR u.organisation_id = :org OR u.id = :viewer)"
    "       AND fold(u.email) GLOB :pattern))"
    " ORDER BY u.name COLLATE NOCASE, u.id LIMIT :limit";

int catalogue_training_candidates(struct db *db, const struct user *viewer, int64_t resource_id,
                                  const char *q, int limit, struct arena *a,
                                  struct training_candidate **items, int *n, struct ls_err *err)
{
    *items = NULL;
    *n = 0;
    if (limit < 1 || limit > CATALOGUE_CANDIDATES_MAX)
        limit = CATALOGUE_CANDIDATES_MAX;
    struct db_stmt *st = db_stmt(db, SQL_CANDIDATES);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    bind_i64(st, "resource", resource_id);
    bind_i64(st, "staff", authz_is_staff(viewer));
    bind_i64(st, "org", viewer && viewer->organisation_id > 0 ? viewer->organisation_id : -1);
    bind_i64(st, "viewer", viewer ? viewer->id : 0);
    bind_i64(st, "limit", limit);
    char *folded = q ? catalogue_fold(a, q) : NULL;
    /* Leading and trailing spaces are no part of what was typed. */
    while (folded && *folded == ' ')
        folded++;
    for (size_t k = folded ? strlen(folded) : 0; k > 0 && folded[k - 1] == ' '; k--)
        folded[k - 1] = '\0';
    if (folded && *folded)
        db_bind_text(st, param(st, "pattern"), glob_pattern(a, folded), -1, DB_TRANSIENT);
    *items = arena_alloc(a, (size_t)limit * sizeof **items);
    int s;
    while ((s = db_step(st)) == DB_ROW && *n < limit) {
        struct training_candidate *c = &(*items)[(*n)++];
        c->user_id = db_column_int64(st, 0);
        c->name = col_str(st, 1, a);
        c->organisation_id = db_column_int64(st, 3);
        c->email = email_for(viewer, c->user_id, c->organisation_id, st, 2, a);
        c->organisation_name = col_str(st, 4, a);
        c->trained = db_column_int(st, 5);
        c->asked = db_column_int(st, 6);
    }
    db_reset(st);
    return s == DB_DONE || s == DB_ROW ? LS_OK : db_fail(db, s, err);
}

/* ---- requests for training ---- */

static const char SQL_REQ_OPEN[] =
    "SELECT id FROM training_requests WHERE resource_id = :resource AND user_id = :user"
    " AND answered_at IS NULL";
static const char SQL_REQ_INSERT[] =
    "INSERT INTO training_requests(resource_id, user_id, message, created, updated)"
    " VALUES (:resource, :user, :message, :now, :now)";
static const char SQL_REQ_UPDATE[] =
    "UPDATE training_requests SET message = :message, updated = :now WHERE id = :id";
#define REQ_COLS                                                                                   \
    "SELECT q.id, q.resource_id, q.user_id, q.message, q.created, q.updated, u.name, u.email,"     \
    " coalesce(u.organisation_id, 0), o.name FROM training_requests q"                             \
    " JOIN users u ON u.id = q.user_id LEFT JOIN organisations o ON o.id = u.organisation_id"
static const char SQL_REQ_ONE[] = REQ_COLS " WHERE q.id = :id";
static const char SQL_REQ_LIST[] = REQ_COLS " WHERE q.resource_id = :id AND q.answered_at IS NULL"
                                            " ORDER BY q.created, q.id LIMIT :limit OFFSET :offset";
static const char SQL_REQ_COUNT[] =
    "SELECT count(*) FROM training_requests WHERE resource_id = :id AND answered_at IS NULL";

static void read_request(struct db_stmt *st, const struct user *viewer, struct arena *a, void *item)
{
    struct training_request *q = item;
    q->id = db_column_int64(st, 0);
    q->resource_id = db_column_int64(st, 1);
    q->user_id = db_column_int64(st, 2);
    q->message = col_str(st, 3, a);
    if (!q->message)
        q->message = "";
    q->created = db_column_int64(st, 4);
    q->updated = db_column_int64(st, 5);
    q->user_name = col_str(st, 6, a);
    q->user_organisation_id = db_column_int64(st, 8);
    q->user_email = email_for(viewer, q->user_id, q->user_organisation_id, st, 7, a);
    q->organisation_name = col_str(st, 9, a);
}

struct request_job {
    int64_t resource_id, now;
    const struct user *who;
    const char *message;
    struct arena *a;
    struct training_request *out;
    int created;
};

static int request_txn(struct db *db, void *ctx, struct ls_err *err)
{
    struct request_job *j = ctx;
    if (catalogue_resource_org(db, j->resource_id) == 0)
        return ls_err_set(err, LS_ENOTFOUND, NULL, "no such resource");
    if (catalogue_user_trained(db, j->resource_id, j->who->id))
        return ls_err_set(err, LS_ECONFLICT, NULL, "you are already trained on this resource");
    struct db_stmt *st = db_stmt(db, SQL_REQ_OPEN);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    bind_i64(st, "resource", j->resource_id);
    bind_i64(st, "user", j->who->id);
    int s = db_step(st);
    int64_t id = s == DB_ROW ? db_column_int64(st, 0) : 0;
    db_reset(st);
    if (s != DB_ROW && s != DB_DONE)
        return db_fail(db, s, err);
    j->created = id == 0;
    st = db_stmt(db, id ? SQL_REQ_UPDATE : SQL_REQ_INSERT);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    bind_i64(st, "id", id);
    bind_i64(st, "resource", j->resource_id);
    bind_i64(st, "user", j->who->id);
    bind_i64(st, "now", j->now);
    db_bind_text(st, param(st, "message"), j->message ? j->message : "", -1, DB_TRANSIENT);
    int rc = db_step_done(db, st, err);
    if (!rc && !id)
        id = db_last_insert_id(db);
    /* The owners hear of a new request once, in this transaction. */
    if (!rc && j->created)
        rc = notify_enqueue_training(db, id, j->now, err);
    if (!rc) {
        st = db_stmt(db, SQL_REQ_ONE);
        bind_i64(st, "id", id);
        s = db_step(st);
        if (s == DB_ROW)
            read_request(st, j->who, j->a, j->out);
        db_reset(st);
        rc = s == DB_ROW ? LS_OK : db_fail(db, s, err);
    }
    return rc;
}

int catalogue_training_request(struct db *db, int64_t resource_id, const struct user *who,
                               const char *message, int64_t now, struct arena *a,
                               struct training_request *out, int *created, struct ls_err *err)
{
    memset(out, 0, sizeof *out);
    struct request_job j = {resource_id, now, who, message, a, out, 0};
    int rc = db_write(db, request_txn, &j, err);
    *created = rc == LS_OK && j.created;
    return rc;
}

int catalogue_training_requests(struct db *db, const struct user *viewer, int64_t resource_id,
                                int64_t limit, int64_t offset, struct arena *a,
                                struct training_request **items, int *n, int64_t *total,
                                struct ls_err *err)
{
    void *page = NULL;
    int rc = resource_page(db, SQL_REQ_COUNT, SQL_REQ_LIST, resource_id, viewer, limit, offset, a,
                           sizeof **items, read_request, &page, n, total, err);
    *items = page;
    return rc;
}
