/* economic.h — State aid: the economic use of publicly funded resources.
 *
 * The EU framework for State aid for research, development and innovation
 * (2022/C 414/01, section 2.1.1) lets publicly funded research
 * infrastructure be used economically (for companies, for pay) without that
 * use counting as State aid only while it stays ancillary: within 20 % of
 * the infrastructure's overall annual capacity. labshare measures it per
 * funded resource (funding not null) and local calendar year Y:
 *
 *   available  = the resource's opening hours in Y minus blackouts, exactly
 *                as utilisation counts them (stats_available_seconds);
 *   economic   = approved bookings with `economic` true, clipped to Y;
 *   share      = economic / available (0 when nothing is available);
 *   status     = over     when economic × 10^6 > round(cap × 10^6) × available
 *                         (the cap compared at a precision of 10^-6),
 *                warning  when not over, some economic use, and share ≥ 80 %
 *                         of the cap,
 *                ok       otherwise.
 *
 * A request or an approval that would make a funded resource's status
 * `over` for any year it touches is refused with 409 economic_cap (staff may
 * override; the caller audits it). Owners are e-mailed once per resource
 * and year when its economic use passes 80 % of its cap.
 *
 * Domain code: no civetweb, no cJSON. Strings live in the caller's arena. */
#ifndef LS_ECONOMIC_H
#define LS_ECONOMIC_H

#include <stdint.h>

#include "arena.h"
#include "err.h"

struct db;
struct price_customer;
struct funding; /* catalogue.h */

#define ECONOMIC_WARNING_OF_CAP 0.8 /* warning from 80 % of the cap */

enum economic_status { ECONOMIC_OK = 0, ECONOMIC_WARNING, ECONOMIC_OVER };
const char *economic_status_name(enum economic_status s); /* "ok", "warning", "over" */

/* The status of `economic` seconds of `available` under `cap` (above). */
enum economic_status economic_judge(int64_t economic, int64_t available, double cap);

/* The default `economic` flag of a booking by this customer: true for
 * bookers from BioF or BIZ organisations, from non-member organisations and
 * for guests. */
int economic_default(const struct price_customer *c);

/* One funded resource in one year. */
struct economic_row {
    int64_t resource_id;
    const char *resource_name;
    int64_t organisation_id;
    const char *organisation_name;
    const char *programme;
    int64_t available_seconds, economic_seconds;
    double available_hours, economic_hours, economic_share, cap; /* unrounded */
    enum economic_status status;
    const char *status_name;
};

struct economic_use {
    int year;
    int provisional; /* the year is not over yet */
    int n;
    struct economic_row *rows; /* arena; by resource id */
};

/* Every funded resource (of organisation_id, 0 = all) in local year `year`
 * (422 "year" outside STATS_YEAR_MIN..MAX). One read snapshot. */
int economic_use(struct db *db, int year, int64_t organisation_id, int64_t now, struct arena *a,
                 struct economic_use *out, struct ls_err *err);

/* The cap guard, inside the caller's write: would adding the n spans as
 * approved economic use of the resource take it `over` in any local year
 * they touch? Booking `self` (0 = none) is left out of what is already
 * counted. `funding` is the resource's as the caller has already read it,
 * or NULL to read it here. LS_OK when not funded or when it fits (exactly
 * at the cap fits); else LS_EECONOMIC_CAP naming the year and the share. */
int economic_guard(struct db *db, int64_t resource_id, const struct funding *funding,
                   const int64_t *starts, const int64_t *ends, int n, int64_t self,
                   struct ls_err *err);

/* After approved economic use of the resource was written (booking_id
 * approved, or flagged economic): for each year the n spans touch where the
 * status is now warning or over and the owners have not been told, records
 * it and queues their e-mail, inside the caller's write. `funding` as for
 * economic_guard(). */
int economic_note(struct db *db, int64_t resource_id, const struct funding *funding,
                  const int64_t *starts, const int64_t *ends, int n, int64_t booking_id,
                  int64_t actor, int64_t now, struct ls_err *err);

#endif
