/* statement.h — monthly statements: what each organisation owes as a
 * customer and is owed as a provider (API.md § Prices, accounts and State
 * aid).
 *
 * A statement of a local calendar month (Europe/Warsaw) has one line per
 * booking that starts in the month and is charged:
 *   - every approved booking, no-shows included unless the resource has
 *     charge_no_show false (the line says no_show);
 *   - every booking its booker cancelled while it was approved less than the
 *     resource's late_cancel_hours before its start (0 = never), marked
 *     late_cancellation.
 * Each line carries the price frozen when the booking was made (price.h),
 * its project, cost centre, economic flag and kg CO2e (booked hours ×
 * power_kw × the grid factor of the local year the hours fall in; 0 for a
 * late cancellation, as nothing ran). Totals add the lines per customer
 * organisation (guests as one customer, id 0) and per provider organisation
 * (the resource's), per currency: hours billed, net in minor units (an exact
 * sum), kg CO2e. A month that has not ended is provisional.
 *
 * Domain code: no civetweb, no cJSON. Strings live in the caller's arena. */
#ifndef LS_STATEMENT_H
#define LS_STATEMENT_H

#include <stdint.h>

#include "arena.h"
#include "err.h"
#include "price.h"

struct db;

/* "YYYY-MM" → year and month; 0, or -1 when it is not such a month in
 * STATS_YEAR_MIN..STATS_YEAR_MAX. */
int statement_parse_month(const char *s, int *year, int *month);

struct statement_line {
    int64_t booking_id;
    int64_t resource_id;
    const char *resource_name;
    int64_t provider_id; /* the resource's organisation */
    const char *provider_name;
    int64_t customer_id;       /* the booker's organisation at booking time; 0 = a guest */
    const char *customer_name; /* NULL for guests */
    int64_t user_id;
    const char *user_name;
    int64_t start, end;
    const char *project, *cost_centre; /* NULL = none */
    int economic;
    int no_show;           /* approved but not used (charged) */
    int late_cancellation; /* cancelled late by the booker (charged) */
    struct price price;    /* as frozen on the booking; all zero (currency NULL) for
                              bookings made before prices were kept */
    double kg_co2e;
};

struct statement_total {
    int64_t organisation_id;       /* 0 = guests (customers only) */
    const char *organisation_name; /* NULL for guests */
    const char *currency;
    int64_t lines;
    int64_t seconds;   /* billed: the lines' priced hours */
    int64_t net_minor; /* the lines' nets; lines without a rate add nothing */
    double hours, net, kg_co2e;
};

struct statement {
    int year, month;
    const char *month_name;  /* "2027-03" */
    int64_t from, to;        /* the month's local bounds */
    int64_t organisation_id; /* 0 = every organisation */
    int provisional;         /* the month has not ended */
    int nlines, ncustomers, nproviders;
    struct statement_line *lines;      /* by start, then booking id */
    struct statement_total *customers; /* by organisation id (guests first), currency */
    struct statement_total *providers; /* by organisation id, currency */
};

/* The statement of a month, of one organisation (as provider and as
 * customer) or of all (organisation_id 0), in one read snapshot. */
int statement_month(struct db *db, int year, int month, int64_t organisation_id, int64_t now,
                    struct arena *a, struct statement *out, struct ls_err *err);

#endif
