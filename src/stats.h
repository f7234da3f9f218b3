/* stats.h — utilisation and the Infrastructure-path indicators.
 *
 * Definitions follow ../shared/METHODS.md and the "Utilisation" and
 * "Indicators" sections of ../shared/API.md:
 *   available hours A = weekly opening windows laid out per local date over
 *                       the span, minus the union of blackouts (only where it
 *                       overlaps open time);
 *   booked hours B    = approved bookings clipped to the span;
 *   used hours U      = B minus the hours of approved bookings marked no-show;
 *   rates             = B/A and U/A (0 when A = 0); aggregates are ΣB/ΣA,
 *                       never averages of per-resource rates;
 *   cross-organisation share = booked hours whose booking.organisation_id is
 *                       not the resource's organisation (a guest booking, NULL
 *                       organisation, counts as cross-organisation) over B;
 *   commercial hours  = booked hours of organisations in interest group BioF
 *                       or BIZ, of non-member organisations, and of guests
 *                       (State-aid "ancillary commercial use" indicator);
 *   kWh               = Σ clipped hours × resource power_kw; kg CO2e = kWh ×
 *                       grid factor of the local calendar year the hours fall
 *                       in (a span across a year end uses each year's factor).
 *
 * Domain code: no cJSON, no civetweb. Results live in the caller's arena. */
#ifndef LS_STATS_H
#define LS_STATS_H

#include <stdint.h>

#include "arena.h"
#include "err.h"

struct db;

/* Longest span a utilisation query may cover (5 years of 366 days). */
#define STATS_MAX_SPAN (5 * 366 * 86400LL)

enum stats_group_by {
    STATS_BY_RESOURCE = 0,
    STATS_BY_LAB,
    STATS_BY_ORGANISATION,
    STATS_BY_GROUP,
    STATS_BY_KIND,
    STATS_BY_NONE /* only the summary (monthly series) */
};

/* "resource", "lab", … → enum; -1 if unknown. */
int stats_group_by_parse(const char *s);
const char *stats_group_by_name(enum stats_group_by g);

/* The figures of one group, or of the whole selection. */
struct stats_figures {
    double available_hours;
    double booked_hours;
    double used_hours;
    double cross_hours;              /* booked hours by another organisation (or a guest) */
    double commercial_hours;         /* booked hours by BioF/BIZ, non-members, guests */
    double booked_rate;              /* B / A, 0 when A = 0 */
    double used_rate;                /* U / A */
    double cross_organisation_share; /* cross / B, 0 when B = 0 */
    double commercial_share;         /* commercial hours / A (State-aid 20 % note) */
    int64_t bookings;                /* approved bookings overlapping the span */
    int64_t users;                   /* distinct bookers among them */
    double kwh;
    double kg_co2e;
};

/* One row of a utilisation answer. Which keys mean something depends on the
 * grouping: by resource every key is set; by lab lab_id…kind; by
 * organisation organisation_id, organisation_name, group; by group only
 * group; by kind only kind. Unused ids are 0 and unused strings NULL. */
struct stats_row {
    int64_t resource_id;
    const char *resource_name;
    int shared; /* by resource: the resource's flag */
    int64_t lab_id;
    const char *lab_name;
    int64_t organisation_id;
    const char *organisation_name;
    const char *group;
    const char *kind;
    struct stats_figures f;
};

struct stats_query {
    int64_t from, to; /* [from, to), to > from, at most STATS_MAX_SPAN */
    enum stats_group_by group_by;
    int64_t organisation_id; /* 0 = every organisation, else only its resources */
    int include_private;     /* 1 = also resources with shared = 0 */
    int members_only;        /* 1 = only resources of member organisations */
};

struct stats_utilisation {
    int64_t from, to;
    enum stats_group_by group_by;
    int n;                  /* rows */
    struct stats_row *rows; /* arena */
    struct stats_figures summary;
    int provisional;      /* a year in the span has no grid factor of its own */
    int factor_estimated; /* a factor used comes from a secondary source */
};

/* Computes utilisation over [q->from, q->to). 422 naming "from"/"to" for a
 * bad span. Rows are ordered by their key (id, or name for group/kind). */
int stats_utilisation(struct db *db, const struct stats_query *q, struct arena *a,
                      struct stats_utilisation *out, struct ls_err *err);

/* Grid factor used for a local calendar year: the configured one, else the
 * latest configured year's (then *provisional = 1); 0 with provisional when
 * none is configured. */
struct stats_factor {
    double kg_per_kwh;
    int year; /* the configured year it comes from, 0 if none */
    int provisional;
    int estimated; /* grid_factors.estimated */
};
int stats_grid_factor(struct db *db, int year, struct stats_factor *out, struct ls_err *err);

/* The Infrastructure-path figures of one year (API.md "Indicators"). */
struct stats_year {
    int year;
    double area_commercial, area_scientific, area_teaching, area_office, area_coworking;
    double area_total; /* commercial + scientific + teaching */
    int64_t shared_labs, shared_resources, shared_services;
    int64_t users;
    double booked_hours, available_hours, rate;
    double cross_organisation_share;
    double carbon_infrastructure, carbon_bookings; /* kg CO2e */
    double infrastructure_kwh, bookings_kwh;
    struct stats_factor factor;
    int intensity_estimated; /* a lab used its kind's default intensity */
    /* State aid: publicly funded resources among those above, and their
     * approved hours in the year split by the bookings' `economic` flag. */
    int64_t funded_resources;
    double economic_hours, non_economic_hours;
};

struct stats_indicators {
    struct stats_year cur;
    struct stats_year prev; /* year − 1, for the comparison table */
};

/* Years accepted by the indicator and monthly queries. */
#define STATS_YEAR_MIN 2000
#define STATS_YEAR_MAX 2100

int stats_indicators(struct db *db, int year, struct stats_indicators *out, struct ls_err *err);

/* Booked hours by local hour of the week: cell[weekday-1][hour], Monday = 0.
 * Approved bookings of the selected resources (q->group_by is ignored). */
struct stats_heatmap {
    double cell[7][24];
};
int stats_heatmap(struct db *db, const struct stats_query *q, struct stats_heatmap *out,
                  struct ls_err *err);

/* Per month of a local year: utilisation grouped by q->group_by (STATS_BY_NONE,
 * _GROUP or _KIND); q->from/to are ignored. out[m] for m = 0..11. */
int stats_monthly(struct db *db, int year, const struct stats_query *q, struct arena *a,
                  struct stats_utilisation out[12], struct ls_err *err);

/* Available seconds of one resource over [from, to): its opening windows
 * laid out in local time minus the blackouts, exactly as utilisation counts
 * them (economic.c measures a funded resource's capacity with it). 404 for
 * an unknown resource. */
int stats_available_seconds(struct db *db, int64_t resource_id, int64_t from, int64_t to,
                            int64_t *out, struct ls_err *err);

/* --- configuration --- */

struct stats_grid_factor_row {
    int year;
    double kg_per_kwh;
    const char *source;
    int estimated;
};
/* All configured factors, by year (arena). */
int stats_grid_factors_list(struct db *db, struct arena *a, struct stats_grid_factor_row **out,
                            int *n, struct ls_err *err);
/* Inserts or replaces one; *created = 1 when it was new. 422 naming
 * "kg_per_kwh"/"source" for bad values. */
int stats_grid_factor_put(struct db *db, const struct stats_grid_factor_row *f, int *created,
                          struct ls_err *err);
/* 404 if that year has none. */
int stats_grid_factor_delete(struct db *db, int year, struct ls_err *err);

struct stats_energy_default {
    const char *kind;
    double kwh_per_m2_year;
    const char *source;
};
int stats_energy_defaults_list(struct db *db, struct arena *a, struct stats_energy_default **out,
                               int *n, struct ls_err *err);
/* 404 for an unknown kind. */
int stats_energy_default_put(struct db *db, const struct stats_energy_default *d,
                             struct ls_err *err);

#endif
