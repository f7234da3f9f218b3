/* booking.c — see booking.h.
 *
 * Every state change runs the same way, as a db_write() job: read
 * the booking inside the write transaction (so its state cannot change
 * under us), check permission and state, check conflicts when the result
 * may be approved, write, audit, read back the answer. The write lock is
 * held before the first read, so a competing request runs after ours (in
 * the same group or the next) and sees our row. */
#include "booking.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include <libical/ical.h>

#include "catalogue.h"
#include "db.h"
#include "economic.h"
#include "hours.h"
#include "names.h"
#include "notify.h"
#include "timeutil.h"

/* The booking's own columns (read_own), then the names of its resource,
 * the resource's organisation and its booker (read_row). Lists take the
 * names from names.h instead and read NAMES_VERSION_SQL in their place. */
#define BOOKING_OWN(p)                                                                             \
    p "id, " p "resource_id, " p "user_id, " p "organisation_id, " p "start, " p "end, " p         \
      "purpose, " p "status, " p "created, " p "updated, " p "decided_by, " p "reason, " p         \
      "series_id, " p "sequence, " p "no_show, " p "cancelled_at, " p "project, " p                \
      "cost_centre, " p "economic, " p "price_currency, " p "price_class, " p "price_rate, " p     \
      "price_seconds, " p "price_net, " p "cancelled_by"
#define BOOKING_OWN_COLS "SELECT " BOOKING_OWN("b.")
enum { BOOKING_OWN_NCOLS = 25 };
#define BOOKING_COLS BOOKING_OWN_COLS ", r.name, u.name, l.organisation_id"
#define BOOKING_JOINS                                                                              \
    " FROM bookings b JOIN resources r ON r.id = b.resource_id"                                    \
    " JOIN labs l ON l.id = r.lab_id JOIN users u ON u.id = b.user_id"
static const char SQL_GET[] = BOOKING_COLS BOOKING_JOINS " WHERE b.id = ?1";
static const char SQL_RESOURCE_OF[] = "SELECT resource_id FROM bookings WHERE id = ?1";
static const char SQL_SERIES_FOLLOWING[] =
    BOOKING_COLS BOOKING_JOINS " WHERE b.series_id = ?1 AND b.start > ?2"
                               " AND b.status IN ('pending','approved') ORDER BY b.start, b.id";
static const char SQL_SERIES_PENDING_FROM[] =
    BOOKING_COLS BOOKING_JOINS " WHERE b.series_id = ?1 AND b.start >= ?2 AND b.status = 'pending'"
                               " ORDER BY b.start, b.id";
/* Reads only the index entries that can clash: approved bookings of the
 * resource ending inside (start, end + the longest approved booking), since
 * one that overlaps must end there. The bound comes from bookings_length in
 * O(log n) (NULL, so no rows, while nothing is approved: rightly, as nothing
 * can clash); without it the range would be every future booking of the
 * resource. INDEXED BY locks the plan: with ORDER BY start the planner
 * otherwise prefers bookings_res_start, walking the resource's whole past
 * and the table besides (67 µs against 11 µs on the 1M-booking bench).
 * The blackouts in the span come in the same statement (kind 1 after the
 * bookings' 0): one round trip fewer on PostgreSQL for every new time. */
static const char SQL_CONFLICTS[] =
    "SELECT 0, id, start FROM bookings INDEXED BY bookings_approved_res_end"
    " WHERE resource_id = ?1 AND status = 'approved' AND end > ?2"
    " AND end < ?3 + (SELECT max(end - start) FROM bookings WHERE status = 'approved')"
    " AND start < ?3 AND id != ?4"
    " UNION ALL SELECT 1, id, start FROM blackouts WHERE resource_id = ?1 AND start < ?3"
    " AND end > ?2 ORDER BY 1, 3, 2";
static const char SQL_SERIES_INSERT[] =
    "INSERT INTO series(rrule, created_by, created) VALUES (?1, ?2, ?3)";
static const char SQL_INSERT[] =
    "INSERT INTO bookings(resource_id, user_id, organisation_id, start, end, purpose, status,"
    " created, updated, sequence, series_id, project, cost_centre, economic, price_currency,"
    " price_class, price_rate, price_seconds, price_net) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
    " ?8, 0, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17) RETURNING " BOOKING_OWN("");
static const char SQL_DECIDE[] =
    "UPDATE bookings SET status = ?2, decided_by = ?3, reason = coalesce(?4, reason),"
    " updated = ?5, sequence = sequence + 1 WHERE id = ?1";
/* cancelled_from keeps the state before (the right-hand side reads the old
 * row): statements charge a booker's late cancellation of an approved one. */
static const char SQL_CANCEL[] =
    "UPDATE bookings SET status = 'cancelled', cancelled_at = ?2, reason = coalesce(?3, reason),"
    " cancelled_by = ?4, cancelled_from = status, updated = ?2, sequence = sequence + 1"
    " WHERE id = ?1";
static const char SQL_CANCEL_FOR_CHANGE[] =
    "UPDATE bookings SET status = 'cancelled', cancelled_at = ?2, reason = ?3, decided_by = ?4,"
    " cancelled_by = ?4, cancelled_from = status, updated = ?2, sequence = sequence + 1"
    " WHERE id = ?1 AND status IN ('pending','approved')";
/* A move keeps the booking's class and rate (the price agreed when it was
 * made, API.md) and prices its new length: ?7 seconds, ?8 net (NULL when
 * it has no rate). */
static const char SQL_MOVE[] =
    "UPDATE bookings SET start = ?2, end = ?3, purpose = ?4, status = ?5,"
    " decided_by = CASE WHEN ?5 = 'pending' THEN NULL ELSE decided_by END,"
    " updated = ?6, sequence = sequence + 1, price_seconds = ?7, price_net = ?8 WHERE id = ?1";
static const char SQL_NO_SHOW[] =
    "UPDATE bookings SET no_show = ?2, updated = ?3, sequence = sequence + 1 WHERE id = ?1";
/* A week of one resource: a range on start (not the resource's whole past). */
static const char SQL_AVAIL_BUSY[] =
    "SELECT id, start, end, status, user_id FROM bookings INDEXED BY bookings_res_start"
    " WHERE resource_id = ?1 AND status IN ('pending','approved') AND start < ?3 AND end > ?2"
    " AND start > ?2 - " BOOKING_SQL_LONGEST " ORDER BY start, id";
static const char SQL_AVAIL_BLACKOUTS[] =
    "SELECT id, start, end, reason FROM blackouts WHERE resource_id = ?1"
    " AND start < ?3 AND end > ?2 ORDER BY start, id";

static const char *const status_names[] = {"pending", "approved", "declined", "cancelled"};

const char *booking_status_name(enum booking_status s)
{
    return (unsigned)s < 4 ? status_names[s] : "pending";
}

int booking_status_parse(const char *s)
{
    for (int i = 0; s && i < 4; i++)
        if (strcmp(s, status_names[i]) == 0)
            return i;
    return -1;
}

/* ------------------------------------------------------------------ */
/* Reading                                                              */

/* A text column copied into the arena, or with a = NULL borrowed from the
 * statement (valid until its next step or reset). */
static const char *col_text(struct db_stmt *st, int i, struct arena *a)
{
    const char *s = (const char *)db_column_text(st, i);
    return s && a ? arena_strdup(a, s) : s;
}

static void read_own(struct db_stmt *st, struct arena *a, struct booking *b)
{
    memset(b, 0, sizeof *b);
    b->id = db_column_int64(st, 0);
    b->resource_id = db_column_int64(st, 1);
    b->user_id = db_column_int64(st, 2);
    b->organisation_id = db_column_int64(st, 3);
    b->start = db_column_int64(st, 4);
    b->end = db_column_int64(st, 5);
    b->purpose = col_text(st, 6, a);
    if (!b->purpose)
        b->purpose = "";
    int s = booking_status_parse((const char *)db_column_text(st, 7));
    b->status = s < 0 ? BOOKING_PENDING : (enum booking_status)s;
    b->created = db_column_int64(st, 8);
    b->updated = db_column_int64(st, 9);
    b->decided_by = db_column_int64(st, 10);
    b->reason = col_text(st, 11, a);
    b->series_id = db_column_int64(st, 12);
    b->sequence = db_column_int64(st, 13);
    b->no_show = db_column_int(st, 14);
    b->cancelled_at = db_column_int64(st, 15);
    b->project = col_text(st, 16, a);
    b->cost_centre = col_text(st, 17, a);
    b->economic = db_column_int(st, 18);
    price_read(&b->price, st, 19, a);
    b->cancelled_by = db_column_int64(st, 24);
}

static void read_row(struct db_stmt *st, struct arena *a, struct booking *b)
{
    read_own(st, a, b);
    b->resource_name = col_text(st, BOOKING_OWN_NCOLS, a);
    b->user_name = col_text(st, BOOKING_OWN_NCOLS + 1, a);
    b->resource_organisation_id = db_column_int64(st, BOOKING_OWN_NCOLS + 2);
}

/* Loads one booking regardless of who asks; LS_ENOTFOUND if absent. */
static int load(struct booking *out, struct db *db, struct arena *a, int64_t id, struct ls_err *err)
{
    struct db_stmt *st = db_stmt(db, SQL_GET);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    db_bind_int64(st, 1, id);
    int rc = db_step(st);
    if (rc == DB_ROW)
        read_row(st, a, out);
    db_reset(st);
    if (rc == DB_DONE)
        return ls_err_set(err, LS_ENOTFOUND, NULL, "no such booking");
    if (rc != DB_ROW)
        return db_fail(db, rc, err);
    return LS_OK;
}

/* Reads every row of a prepared statement into a growing arena array. */
static int read_all(struct booking_set *out, struct db *db, struct db_stmt *st, struct arena *a,
                    struct ls_err *err)
{
    int cap = 16, rc;
    out->n = 0;
    out->items = arena_alloc(a, (size_t)cap * sizeof *out->items);
    while ((rc = db_step(st)) == DB_ROW) {
        if (out->n == cap) {
            struct booking *bigger = arena_alloc(a, (size_t)cap * 2 * sizeof *bigger);
            memcpy(bigger, out->items, (size_t)cap * sizeof *bigger);
            out->items = bigger;
            cap *= 2;
        }
        read_row(st, a, &out->items[out->n++]);
    }
    db_reset(st);
    if (rc != DB_DONE)
        return db_fail(db, rc, err);
    return LS_OK;
}

static int manages(const struct user *u, const struct booking *b)
{
    return authz_manages_org(u, b->resource_organisation_id);
}

static int visible(const struct user *u, const struct booking *b)
{
    return u && (u->id == b->user_id || manages(u, b));
}

/* Loads a booking the actor may see; the 404 does not reveal whether an
 * invisible booking exists. */
static int load_visible(struct booking *out, struct db *db, struct arena *a,
                        const struct user *viewer, int64_t id, struct ls_err *err)
{
    int rc = load(out, db, a, id, err);
    if (rc == LS_OK && !visible(viewer, out))
        rc = ls_err_set(err, LS_ENOTFOUND, NULL, "no such booking");
    return rc;
}

int booking_get(struct booking *out, struct db *db, struct arena *a, const struct user *viewer,
                int64_t id, struct ls_err *err)
{
    return load_visible(out, db, a, viewer, id, err);
}

int booking_access(struct db *db, struct arena *a, const struct user *u, int64_t id, int manage,
                   struct ls_err *err)
{
    struct booking b;
    int rc = load_visible(&b, db, a, u, id, err);
    if (!rc && manage && !manages(u, &b))
        rc = ls_err_set(err, LS_EFORBIDDEN, NULL,
                        "only the resource's owners and staff may decide this booking");
    return rc;
}

/* ------------------------------------------------------------------ */
/* Rules                                                                */

static void local_text(int64_t t, char out[TU_LOCAL_LEN])
{
    tu_format_local(t, out);
}

/* Permission rules (403) for booking resource rr; staff may book anything. */
static int check_permission(struct db *db, const struct user *u, const struct resource_rules *rr,
                            struct ls_err *err)
{
    if (authz_is_staff(u))
        return LS_OK;
    if (!rr->shared && u->organisation_id == 0)
        return ls_err_set(err, LS_EFORBIDDEN, "resource_id",
                          "guests may book only resources shared with other organisations");
    if (!rr->shared && u->organisation_id != rr->organisation_id)
        return ls_err_set(err, LS_EFORBIDDEN, "resource_id",
                          "this resource is not shared outside its organisation");
    if (rr->requires_training && !catalogue_user_trained(db, rr->id, u->id))
        return ls_err_set(err, LS_EFORBIDDEN, "resource_id",
                          "this resource requires training; ask its owner to record yours");
    return LS_OK;
}

/* Which time rules apply. A new request or a move meets them all; approving
 * a request made earlier re-checks what the resource's owners may have
 * changed since — opening hours and the slot grid — but not the clock (it
 * was in the future when asked) nor the lengths, which, like training,
 * apply to new requests only (API.md § Changes that touch existing
 * bookings). */
enum { RULES_NEW = 0, RULES_APPROVE = 1 };

/* The booker's side of the permission rules for an existing booking b
 * (someone else may be acting: a manager approving or moving it), with the
 * booker as they are now; staff may book anything. Sharing always counts;
 * training only for RULES_NEW (a move), not for an approval. A move answers
 * 403 as creating does; an approval 409, the approver being allowed and the
 * booking being what no longer fits. */
static int check_booker(struct db *db, struct arena *a, const struct booking *b,
                        const struct resource_rules *rr, const struct user *actor, int rules,
                        struct ls_err *err)
{
    struct user booker;
    int rc = auth_user_get(db, b->user_id, a, &booker, err);
    if (rc)
        return rc;
    if (actor->id == b->user_id && rules == RULES_NEW)
        return check_permission(db, &booker, rr, err);
    if (authz_is_staff(&booker))
        return LS_OK;
    enum ls_code code = rules == RULES_NEW ? LS_EFORBIDDEN : LS_ECONFLICT;
    if (!rr->shared &&
        (booker.organisation_id == 0 || booker.organisation_id != rr->organisation_id))
        return ls_err_set(err, code, "resource_id",
                          "the booker's organisation may not book this resource: it is not shared "
                          "with other organisations");
    if (rules == RULES_NEW && rr->requires_training &&
        !catalogue_user_trained(db, rr->id, booker.id))
        return ls_err_set(
            err, code, "resource_id",
            "the booker is not trained on this resource; record their training first");
    return LS_OK;
}

/* The time rules (422) for one span. `occ` > 0 names an occurrence of a
 * series other than the first; its errors carry field `occ_field` ("rrule"
 * for a request, "series" for a decision). */
static int check_times(const struct resource_rules *rr, int64_t start, int64_t end, int64_t now,
                       int occ, const char *occ_field, int rules, struct ls_err *err)
{
    char when[TU_LOCAL_LEN], prefix[80] = "";
    if (occ > 0) {
        local_text(start, when);
        /* Numbers and a date only: the same in either language. */
        snprintf(prefix, sizeof prefix, "#%d (%s): ", occ + 1, when);
    }
#define WHICH(f) (occ > 0 ? occ_field : (f))
    if (end <= start)
        return ls_err_set(err, LS_EVALIDATION, WHICH("end"), "%sthe end must be after the start",
                          prefix);
    if (rules == RULES_NEW && start < now)
        return ls_err_set(err, LS_EVALIDATION, WHICH("start"), "%sthe start is in the past",
                          prefix);
    if (rules == RULES_NEW && start > now + (int64_t)BOOKING_HORIZON_DAYS * 86400)
        return ls_err_set(err, LS_EVALIDATION, WHICH("start"),
                          "%sbookings may be made at most two years ahead", prefix);
    if (rules == RULES_NEW && end - start < (int64_t)rr->min_minutes * 60)
        return ls_err_set(err, LS_EVALIDATION, WHICH("end"),
                          "%sa booking of this resource lasts at least %d minutes", prefix,
                          rr->min_minutes);
    if (rules == RULES_NEW && end - start > (int64_t)rr->max_minutes * 60)
        return ls_err_set(err, LS_EVALIDATION, WHICH("end"),
                          "%sa booking of this resource lasts at most %d minutes", prefix,
                          rr->max_minutes);
    switch (hours_fit(&rr->hours, start, end, rr->slot_minutes)) {
    case HOURS_FITS:
        break;
    case HOURS_OUTSIDE:
        return ls_err_set(err, LS_EVALIDATION, WHICH("start"),
                          "%sthe resource is not open for the whole span", prefix);
    case HOURS_OFF_GRID: {
        /* The grid starts at the opening time: a whole number of slots from
         * a start on the grid ends on it too, so a bad length means a bad end. */
        int whole = (end - start) % ((int64_t)rr->slot_minutes * 60) == 0;
        return ls_err_set(err, LS_EVALIDATION, WHICH(whole ? "start" : "end"),
                          "%sstart and end must lie on the %d-minute slot grid that starts at "
                          "opening time",
                          prefix, rr->slot_minutes);
    }
    }
#undef WHICH
    return LS_OK;
}

/* Collects into err the approved bookings (except `self`) and blackouts of
 * the resource overlapping [start, end). Returns the number found, or -1 on
 * a database error (err set). */
static int find_conflicts(struct db *db, int64_t resource_id, int64_t start, int64_t end,
                          int64_t self, struct ls_err *err)
{
    int found = 0, rc;
    struct db_stmt *st = db_stmt(db, SQL_CONFLICTS);
    if (!st) {
        ls_err_set(err, LS_EINTERNAL, NULL, "database error");
        return -1;
    }
    db_bind_int64(st, 1, resource_id);
    db_bind_int64(st, 2, start);
    db_bind_int64(st, 3, end);
    db_bind_int64(st, 4, self);
    while ((rc = db_step(st)) == DB_ROW) {
        /* ignores repeats */
        ls_err_add_conflict(err, db_column_int(st, 0), db_column_int64(st, 1));
        found++;
    }
    db_reset(st);
    if (rc != DB_DONE) {
        db_fail(db, rc, err);
        return -1;
    }
    return found;
}

/* The 409 for conflicts already collected in err by find_conflicts (the
 * id lists survive ls_err_set). */
static int conflict_error(struct ls_err *err, const char *what)
{
    /* what is one of the subjects below, in English; the sentence is built
     * in both languages from the same pieces. */
    static const char *const subjects[][2] = {
        {"the series", "seria"}, {"the booking", "rezerwacja"}, {"the new time", "nowy termin"}};
    const char *what_pl = what;
    for (size_t i = 0; i < sizeof subjects / sizeof subjects[0]; i++)
        if (strcmp(what, subjects[i][0]) == 0)
            what_pl = subjects[i][1];
    int nc = err->nconflicts, nb = err->nblackouts;
    const char *en = nc && nb ? "approved bookings and blackouts"
                     : nc     ? "an approved booking"
                              : "a blackout";
    const char *pl = nc && nb ? "zatwierdzone rezerwacje i wyłączenia"
                     : nc     ? "zatwierdzoną rezerwację"
                              : "wyłączenie";
    char m_en[160], m_pl[160];
    snprintf(m_en, sizeof m_en, "%s overlaps %s", what, en);
    snprintf(m_pl, sizeof m_pl, "%s nachodzi na %s", what_pl, pl);
    m_pl[0] = (char)toupper((unsigned char)m_pl[0]);
    return ls_err_set_both(err, LS_ECONFLICT, NULL, m_en, m_pl);
}

/* ------------------------------------------------------------------ */
/* Recurrence                                                           */

static int64_t wall_seconds(const struct tu_local *l)
{
    return tu_days_from_civil(l->year, l->month, l->day) * 86400 + l->hour * 3600 + l->minute * 60 +
           l->second;
}

/* Local wall-clock seconds (as from wall_seconds) → instant. */
static enum tu_status from_wall(int64_t wall, int64_t *out)
{
    int64_t days = wall >= 0 ? wall / 86400 : (wall - 86399) / 86400;
    int64_t sec = wall - days * 86400;
    int y, m, d;
    tu_civil_from_days(days, &y, &m, &d);
    return tu_from_local(y, m, d, (int)(sec / 3600), (int)(sec / 60 % 60), (int)(sec % 60), 0, out);
}

static struct icaltimetype floating(const struct tu_local *l)
{
    struct icaltimetype t = icaltime_null_time();
    t.year = l->year;
    t.month = l->month;
    t.day = l->day;
    t.hour = l->hour;
    t.minute = l->minute;
    t.second = l->second;
    t.is_date = 0;
    return t;
}

/* Whether v is in a BY* list (lists end at ICAL_RECURRENCE_ARRAY_MAX or
 * when full); an empty list lets everything through. */
static int by_allows(const short *list, int size, int v)
{
    if (list[0] == ICAL_RECURRENCE_ARRAY_MAX)
        return 1;
    for (int i = 0; i < size && list[i] != ICAL_RECURRENCE_ARRAY_MAX; i++)
        if (list[i] == v)
            return 1;
    return 0;
}

/* BYMONTHDAY/BYYEARDAY: v counts from the end when negative. */
static int by_allows_signed(const short *list, int size, int v, int last)
{
    return by_allows(list, size, v) ||
           (list[0] != ICAL_RECURRENCE_ARRAY_MAX && by_allows(list, size, v - last - 1));
}

#define BY_ALLOWS(rt, part, v)                                                                     \
    by_allows((rt)->part, (int)(sizeof(rt)->part / sizeof *(rt)->part), v)

/* Refuses, cheaply, the rules libical would spend seconds on. libical 3.0
 * looks for a MONTHLY or YEARLY rule's first month or year with any
 * occurrence up to the year 20000, and steps an HOURLY, DAILY or WEEKLY
 * rule whose filters nothing passes hour by hour to its last year: a
 * single request such as FREQ=MONTHLY;BYDAY=6FR or
 * FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=30 held a worker for 1–7 s (found by
 * tests/fuzz/fuzz_rrule.c). A series starts on its first occurrence, so its
 * start must pass the rule's narrowing parts (RFC 5545 3.3.10, "Limit"),
 * and for MONTHLY/YEARLY the start's own month or year must hold
 * occurrences; a rule that passes cannot be empty, and libical finds each
 * next occurrence within one 400-year calendar cycle, then stops at the
 * horizon. Returns LS_OK or the 422. */
static int rrule_sane(const struct icalrecurrencetype *rt, struct icaltimetype s,
                      struct ls_err *err)
{
    for (int i = 0; i < ICAL_BY_MONTH_SIZE && rt->by_month[i] != ICAL_RECURRENCE_ARRAY_MAX; i++)
        if (icalrecurrencetype_month_is_leap(rt->by_month[i]))
            return ls_err_set(err, LS_EVALIDATION, "rrule",
                              "{field} may not name leap months (BYMONTH=…L)");
    int monthly = rt->freq == ICAL_MONTHLY_RECURRENCE, yearly = rt->freq == ICAL_YEARLY_RECURRENCE;
    /* RFC 5545: numbered weekdays (2MO, -1FR) only in MONTHLY and YEARLY
     * rules (libical repeats occurrences for the others). */
    for (int i = 0; i < ICAL_BY_DAY_SIZE && rt->by_day[i] != ICAL_RECURRENCE_ARRAY_MAX; i++)
        if (!monthly && !yearly && icalrecurrencetype_day_position(rt->by_day[i]) != 0)
            return ls_err_set(err, LS_EVALIDATION, "rrule",
                              "{field} may number weekdays (BYDAY=2MO) only with FREQ=MONTHLY or "
                              "YEARLY");
    int dim = icaltime_days_in_month(s.month, s.year);
    int diy = icaltime_days_in_year(s.year);
    int ok = 1;
    if (!yearly)
        ok = BY_ALLOWS(rt, by_month, s.month);
    if (ok && !monthly && !yearly)
        ok = by_allows_signed(rt->by_month_day, ICAL_BY_MONTHDAY_SIZE, s.day, dim) &&
             (rt->freq == ICAL_WEEKLY_RECURRENCE || BY_ALLOWS(rt, by_day, icaltime_day_of_week(s)));
    if (ok && rt->freq == ICAL_HOURLY_RECURRENCE)
        ok =
            by_allows_signed(rt->by_year_day, ICAL_BY_YEARDAY_SIZE, icaltime_day_of_year(s), diy) &&
            BY_ALLOWS(rt, by_hour, s.hour);
    if (ok && (monthly || yearly)) {
        /* libical's own expansion of the start's period, in a copy that
         * steps so far that the search ends after one empty period: its
         * next month or year lies past the years libical iterates. */
        struct icalrecurrencetype probe = *rt;
        probe.interval = SHRT_MAX;
        probe.count = 0;
        probe.until = icaltime_null_time();
        if (monthly) /* BYMONTH makes libical step a month at a time */
            probe.by_month[0] = ICAL_RECURRENCE_ARRAY_MAX;
        icalrecur_iterator *it = icalrecur_iterator_new(probe, s);
        icalerror_clear_errno();
        ok = it != NULL;
        if (it)
            icalrecur_iterator_free(it);
    }
    if (!ok)
        return ls_err_set(err, LS_EVALIDATION, "rrule",
                          "the start (%04d-%02d-%02d %02d:%02d local) is not an occurrence of "
                          "the rule: a series starts on its first occurrence",
                          s.year, s.month, s.day, s.hour, s.minute);
    return LS_OK;
}

int booking_expand_rrule(int64_t *starts, int64_t *ends, int *n, const char *rrule, int64_t start,
                         int64_t end, int64_t horizon, struct ls_err *err)
{
    *n = 0;
    if (strncasecmp(rrule, "RRULE:", 6) == 0)
        rrule += 6;
    if (!*rrule || strlen(rrule) > BOOKING_RRULE_MAX)
        return ls_err_set(err, LS_EVALIDATION, "rrule", "{field} must be an RFC 5545 RRULE value");
    struct icalrecurrencetype rt = icalrecurrencetype_from_string(rrule);
    icalerror_clear_errno();
    if (rt.rscale) { /* RFC 7529 calendars: libical's copy is ours to free */
        icalmemory_free_buffer(rt.rscale);
        return ls_err_set(err, LS_EVALIDATION, "rrule",
                          "{field} may not name a calendar scale (RSCALE)");
    }
    if (rt.freq == ICAL_NO_RECURRENCE)
        return ls_err_set(err, LS_EVALIDATION, "rrule",
                          "{field} is not a valid RFC 5545 RRULE (e.g. FREQ=WEEKLY;COUNT=10)");
    if (rt.freq == ICAL_SECONDLY_RECURRENCE || rt.freq == ICAL_MINUTELY_RECURRENCE)
        return ls_err_set(err, LS_EVALIDATION, "rrule",
                          "{field} may repeat at most hourly (FREQ=HOURLY … YEARLY)");
    int has_until = !icaltime_is_null_time(rt.until);
    if (rt.count == 0 && !has_until)
        return ls_err_set(err, LS_EVALIDATION, "rrule",
                          "{field} needs COUNT or UNTIL: a series has at most %d occurrences "
                          "within two years",
                          BOOKING_MAX_OCCURRENCES);
    if (rt.count > BOOKING_MAX_OCCURRENCES)
        return ls_err_set(err, LS_EVALIDATION, "rrule", "a series has at most %d occurrences",
                          BOOKING_MAX_OCCURRENCES);
    struct tu_local ls, le, lh;
    tu_to_local(start, &ls);
    tu_to_local(end, &le);
    tu_to_local(horizon, &lh);
    int rc = rrule_sane(&rt, floating(&ls), err);
    if (rc)
        return rc;
    if (has_until) {
        int64_t until;
        if (rt.until.is_date) {
            /* A bare date means the whole local day (libical would stop at
             * its midnight and drop that day's occurrence). */
            until = tu_local_midnight(rt.until.year, rt.until.month, rt.until.day + 1) - 1;
            rt.until.is_date = 0;
            rt.until.hour = 23;
            rt.until.minute = 59;
            rt.until.second = 59;
        } else if (icaltime_is_utc(rt.until)) {
            until = tu_days_from_civil(rt.until.year, rt.until.month, rt.until.day) * 86400 +
                    rt.until.hour * 3600 + rt.until.minute * 60 + rt.until.second;
            /* The iteration runs in floating local time: compare like with like. */
            struct tu_local lu;
            tu_to_local(until, &lu);
            rt.until = floating(&lu);
        } else if (tu_from_local(rt.until.year, rt.until.month, rt.until.day, rt.until.hour,
                                 rt.until.minute, rt.until.second, 1, &until) != TU_OK)
            until = INT64_MAX;
        if (until > horizon)
            return ls_err_set(err, LS_EVALIDATION, "rrule",
                              "the series' UNTIL is more than two years ahead");
    } else {
        /* Bound the iteration: a sparse rule (BYMONTHDAY=31;BYMONTH=4) would
         * otherwise make libical search for decades. Whatever COUNT could
         * not place before the horizon lies beyond it. */
        rt.until = floating(&lh);
    }
    int64_t duration = wall_seconds(&le) - wall_seconds(&ls);
    icalrecur_iterator *it = icalrecur_iterator_new(rt, floating(&ls));
    if (!it)
        return ls_err_set(err, LS_EVALIDATION, "rrule",
                          "{field} is not a valid RFC 5545 RRULE (e.g. FREQ=WEEKLY;COUNT=10)");
    for (struct icaltimetype o = icalrecur_iterator_next(it); !icaltime_is_null_time(o);
         o = icalrecur_iterator_next(it)) {
        if (*n == BOOKING_MAX_OCCURRENCES) {
            rc = ls_err_set(err, LS_EVALIDATION, "rrule", "a series has at most %d occurrences",
                            BOOKING_MAX_OCCURRENCES);
            break;
        }
        struct tu_local lo = {.year = o.year,
                              .month = o.month,
                              .day = o.day,
                              .hour = o.hour,
                              .minute = o.minute,
                              .second = o.second};
        int64_t s, e;
        enum tu_status ts = from_wall(wall_seconds(&lo), &s);
        enum tu_status te = ts == TU_OK ? from_wall(wall_seconds(&lo) + duration, &e) : ts;
        if (ts != TU_OK || te != TU_OK) {
            rc = ls_err_set(err, LS_EVALIDATION, "rrule",
                            (ts != TU_OK ? ts : te) == TU_ENONEXISTENT
                                ? (ts != TU_OK ? "occurrence %d (%04d-%02d-%02d %02d:%02d local) "
                                                 "starts at a time skipped by the daylight-saving "
                                                 "change"
                                               : "occurrence %d (%04d-%02d-%02d %02d:%02d local) "
                                                 "ends at a time skipped by the daylight-saving "
                                                 "change")
                                : (ts != TU_OK ? "occurrence %d (%04d-%02d-%02d %02d:%02d local) "
                                                 "starts at a time that happens twice on the "
                                                 "daylight-saving change"
                                               : "occurrence %d (%04d-%02d-%02d %02d:%02d local) "
                                                 "ends at a time that happens twice on the "
                                                 "daylight-saving change"),
                            *n + 1, o.year, o.month, o.day, o.hour, o.minute);
            break;
        }
        if (s > horizon) {
            rc = ls_err_set(err, LS_EVALIDATION, "rrule",
                            "occurrence %d starts more than two years ahead", *n + 1);
            break;
        }
        if (*n == 0 && s != start) {
            rc = ls_err_set(err, LS_EVALIDATION, "rrule",
                            "the start must be the first occurrence of the rule (it falls on %04d-"
                            "%02d-%02d %02d:%02d local)",
                            o.year, o.month, o.day, o.hour, o.minute);
            break;
        }
        if (*n > 0 && s < ends[*n - 1]) {
            rc = ls_err_set(err, LS_EVALIDATION, "rrule",
                            "occurrence %d overlaps the one before it", *n + 1);
            break;
        }
        starts[*n] = s;
        ends[*n] = e;
        (*n)++;
    }
    icalrecur_iterator_free(it);
    if (rc == LS_OK && *n == 0)
        rc = ls_err_set(err, LS_EVALIDATION, "rrule", "the rule yields no occurrence");
    if (rc == LS_OK && !has_until && *n < rt.count)
        rc = ls_err_set(err, LS_EVALIDATION, "rrule",
                        "the series reaches more than two years ahead");
    return rc;
}

/* ------------------------------------------------------------------ */
/* Accounts and State aid (price.h, economic.h)                         */

/* What a new booking records about money, settled before its times are
 * checked (its 403s and 422s come first) and priced once its occurrences
 * are known. */
struct money {
    struct price_customer customer;
    struct price unit; /* class, currency and rate; seconds and net per occurrence */
    int economic;
    const char *project, *cost_centre;
};

static const char SQL_REQUIRES_COST_CENTRE[] =
    "SELECT requires_cost_centre FROM organisations WHERE id = :id";

static int requires_cost_centre(struct db *db, int64_t org)
{
    struct db_stmt *st = org ? db_stmt(db, SQL_REQUIRES_COST_CENTRE) : NULL;
    if (!st)
        return 0;
    db_bind_int64(st, db_bind_parameter_index(st, ":id"), org);
    int required = db_step(st) == DB_ROW && db_column_int(st, 0);
    db_reset(st);
    return required;
}

/* The class's rate (403 when the price list gives the booker's class none;
 * staff may book anyway, unpriced), who may set `economic` (403), the cost
 * centre the booker's organisation may require (422). */
static int money_check(struct db *db, struct arena *a, const struct booking_actor *who,
                       const struct resource *r, const struct resource_rules *rr,
                       const struct booking_request *req, struct money *m, struct ls_err *err)
{
    memset(m, 0, sizeof *m);
    const struct user *u = who->user;
    int rc = price_customer_load(db, u->organisation_id, a, &m->customer, err);
    if (!rc) {
        int64_t none = 0;
        rc = price_compute(db, r, &m->customer, &none, &none, 1, &m->unit, err);
    }
    if (rc)
        return rc;
    if (m->unit.rate_minor == PRICE_NONE && !authz_is_staff(u))
        return ls_err_set(err, LS_EFORBIDDEN, "resource_id",
                          "the price list of this resource has no rate for your customer class "
                          "(%s), so you may not book it",
                          m->unit.class_name);
    if (req->has_economic && !authz_manages_org(u, rr->organisation_id))
        return ls_err_set(err, LS_EFORBIDDEN, "economic",
                          "only the resource's owners and staff may set {field}");
    m->economic = req->has_economic ? req->economic : economic_default(&m->customer);
    m->project = req->project;
    m->cost_centre = req->cost_centre;
    if (!m->cost_centre && requires_cost_centre(db, u->organisation_id))
        return ls_err_set(err, LS_EVALIDATION, "cost_centre",
                          "{field} is required for bookings by your organisation");
    return LS_OK;
}

/* Why staff went over a funded resource's cap, for the audit log; "" when
 * they did not have to. */
struct override {
    char why[sizeof((struct ls_err *)0)->message];
};

/* The State-aid cap guard of economic use of a resource (economic.h;
 * funding NULL: read in this transaction). Staff who asked to override go
 * through: o->why keeps the refusal they overrode, for audit_override() on
 * each booking written. */
static int money_guard(struct db *db, const struct booking_actor *who, int override_cap,
                       int64_t resource_id, const struct funding *funding, const int64_t *starts,
                       const int64_t *ends, int n, int64_t self, struct override *o,
                       struct ls_err *err)
{
    o->why[0] = '\0';
    int rc = economic_guard(db, resource_id, funding, starts, ends, n, self, err);
    if (rc == LS_EECONOMIC_CAP && override_cap && authz_is_staff(who->user)) {
        snprintf(o->why, sizeof o->why, "%s", err->message);
        ls_err_clear(err);
        return LS_OK;
    }
    return rc;
}

static void audit_override(struct db *db, const struct booking_actor *who, int64_t id,
                           const struct override *o)
{
    if (o->why[0])
        auth_audit(db, who->user->id, "booking.economic_cap_override", "booking", id, o->why,
                   who->ip);
}

/* A resource as one read (its row and opening hours): its rules for the
 * checks, its funding for the State-aid guard and note, which would
 * otherwise read it again (each read a round trip on PostgreSQL). */
static int load_resource(struct db *db, struct arena *a, int64_t id, struct resource **res,
                         struct resource_rules **rr, struct ls_err *err)
{
    *res = arena_alloc(a, sizeof **res);
    *rr = arena_alloc(a, sizeof **rr);
    int rc = catalogue_get(db, &catalogue_resource, id, 0, a, *res, err);
    if (!rc)
        catalogue_rules_of(*res, *rr);
    return rc;
}

/* Binds the money columns of SQL_INSERT for the span [start, end). */
static void money_bind(struct db_stmt *st, const struct money *m, int64_t start, int64_t end)
{
    if (m->project)
        db_bind_text(st, 10, m->project, -1, DB_STATIC);
    if (m->cost_centre)
        db_bind_text(st, 11, m->cost_centre, -1, DB_STATIC);
    db_bind_int(st, 12, m->economic);
    db_bind_text(st, 13, m->unit.currency, -1, DB_STATIC);
    db_bind_text(st, 14, m->unit.class_name, -1, DB_STATIC);
    db_bind_int64(st, 16, end - start);
    if (m->unit.rate_minor != PRICE_NONE) {
        db_bind_int64(st, 15, m->unit.rate_minor);
        db_bind_int64(st, 17, price_net_minor(m->unit.rate_minor, end - start));
    }
}

/* ------------------------------------------------------------------ */
/* Create                                                               */

/* A state change as db_write() runs it: maybe on another request's
 * thread and connection, inside a transaction it shares with other writes.
 * Everything it reads and writes goes through the db it is handed, and its
 * results land in the caller's arena and structs. */
struct job {
    struct arena *a;
    const struct booking_actor *who;
    int64_t id;              /* the booking acted on */
    struct booking *out;     /* approve, decline, move, no-show */
    struct booking_set *set; /* create, cancel */
    const char *reason;      /* decline, cancel */
    int flag;                /* cancel: the following ones too; no-show: the mark */
    int approve, series;     /* decisions: approve (else decline); the rest of the series too */
    const struct booking_change *change;
    /* create */
    const struct booking_request *req;
    const struct resource *res; /* read before the transaction; rr its rules */
    const struct resource_rules *rr;
    const int64_t *starts, *ends;
    int n;
    const struct money *money;
    int override_cap; /* approve, economic: staff go over the State-aid cap */
};

static int create_txn(struct db *db, void *p, struct ls_err *err)
{
    struct job *j = p;
    const struct user *u = j->who->user;
    const struct resource_rules *rr = j->rr;
    int clashes = 0;
    for (int i = 0; i < j->n; i++) {
        int k = find_conflicts(db, rr->id, j->starts[i], j->ends[i], 0, err);
        if (k < 0)
            return err->code;
        clashes += k;
    }
    if (clashes)
        return conflict_error(err, j->n > 1 ? "the series" : "the booking");
    int rc;
    struct override o = {""};
    if (j->money->economic &&
        (rc = money_guard(db, j->who, j->req->override_economic_cap, rr->id, &j->res->funding,
                          j->starts, j->ends, j->n, 0, &o, err)))
        return rc;
    int64_t series_id = 0;
    if (j->req->rrule) {
        struct db_stmt *st = db_stmt(db, SQL_SERIES_INSERT);
        db_bind_text(st, 1, j->req->rrule, -1, DB_STATIC);
        db_bind_int64(st, 2, u->id);
        db_bind_int64(st, 3, j->who->now);
        if ((rc = db_step_done(db, st, err)))
            return rc;
        series_id = db_last_insert_id(db);
    }
    const char *status = rr->requires_approval ? "pending" : "approved";
    const char *purpose = j->req->purpose ? j->req->purpose : "";
    /* The answer is what the inserts return (their rows as stored), the
     * names from the resource and the booker at hand: reading the new rows
     * back, inside the transaction or after it, would be one more round
     * trip on PostgreSQL, and inside it a read of the pages every other
     * create writes (a serialisation failure waiting to happen). */
    struct booking *made = arena_alloc(j->a, (size_t)j->n * sizeof *made);
    for (int i = 0; i < j->n; i++) {
        struct db_stmt *st = db_stmt(db, SQL_INSERT);
        db_bind_int64(st, 1, rr->id);
        db_bind_int64(st, 2, u->id);
        if (u->organisation_id > 0)
            db_bind_int64(st, 3, u->organisation_id);
        db_bind_int64(st, 4, j->starts[i]);
        db_bind_int64(st, 5, j->ends[i]);
        db_bind_text(st, 6, purpose, -1, DB_STATIC);
        db_bind_text(st, 7, status, -1, DB_STATIC);
        db_bind_int64(st, 8, j->who->now);
        if (series_id)
            db_bind_int64(st, 9, series_id);
        money_bind(st, j->money, j->starts[i], j->ends[i]);
        int step = db_step(st);
        if (step == DB_ROW) {
            read_own(st, j->a, &made[i]);
            made[i].resource_name = j->res->name;
            made[i].user_name = u->name;
            made[i].resource_organisation_id = rr->organisation_id;
            step = db_step(st);
        }
        db_reset(st);
        if (step != DB_DONE)
            return db_fail(db, step, err);
        int64_t id = made[i].id;
        char *detail = arena_printf(j->a, "resource %lld, %s%s", (long long)rr->id, status,
                                    series_id ? ", recurring" : "");
        auth_audit(db, u->id, "booking.create", "booking", id, detail, j->who->ip);
        audit_override(db, j->who, id, &o);
        /* Approved at once: the booker's invitation, as an approval sends. */
        struct notify_booking nb = {id, u->id, rr->id, j->starts[i], j->ends[i], status};
        if (!rr->requires_approval &&
            (rc = notify_enqueue_new(db, NOTIFY_APPROVED, &nb, u->id, 1, j->who->now, err)))
            return rc;
    }
    /* Approved at once: the owners may have to hear of the cap. */
    if (!rr->requires_approval && j->money->economic &&
        (rc = economic_note(db, rr->id, &j->res->funding, j->starts, j->ends, j->n, made[0].id,
                            u->id, j->who->now, err)))
        return rc;
    /* One message for a whole series; queued in this transaction so it
     * exists exactly when the request does. */
    struct notify_booking first = {made[0].id, u->id, rr->id, j->starts[0], j->ends[0], status};
    if (rr->requires_approval &&
        (rc = notify_enqueue_new(db, NOTIFY_REQUEST, &first, u->id, j->n, j->who->now, err)))
        return rc;
    *j->set = (struct booking_set){.items = made, .n = j->n, .total = j->n};
    return LS_OK;
}

int booking_create(struct booking_set *out, struct db *db, struct arena *a,
                   const struct booking_actor *who, const struct booking_request *req,
                   struct ls_err *err)
{
    memset(out, 0, sizeof *out);
    /* The resource is read once, here: its rules, prices and funding (on
     * PostgreSQL each read is a round trip, and a booking is the busiest
     * write). A change of the resource racing this booking counts as made
     * after it. */
    struct resource *res;
    struct resource_rules *rr;
    int rc = load_resource(db, a, req->resource_id, &res, &rr, err);
    if (rc == LS_ENOTFOUND)
        return ls_err_set(err, LS_EVALIDATION, "resource_id", "no such resource");
    if (rc)
        return rc;
    if ((rc = check_permission(db, who->user, rr, err)))
        return rc;
    struct money *money = arena_alloc(a, sizeof *money);
    if ((rc = money_check(db, a, who, res, rr, req, money, err)))
        return rc;
    int64_t *starts = arena_alloc(a, BOOKING_MAX_OCCURRENCES * sizeof *starts);
    int64_t *ends = arena_alloc(a, BOOKING_MAX_OCCURRENCES * sizeof *ends);
    int n = 1;
    starts[0] = req->start;
    ends[0] = req->end;
    /* The first occurrence's own rules first: a bad start is reported as
     * such, not as a rule problem. */
    if ((rc = check_times(rr, req->start, req->end, who->now, 0, "rrule", RULES_NEW, err)))
        return rc;
    if (req->rrule) {
        int64_t horizon = who->now + (int64_t)BOOKING_HORIZON_DAYS * 86400;
        if ((rc = booking_expand_rrule(starts, ends, &n, req->rrule, req->start, req->end, horizon,
                                       err)))
            return rc;
        for (int i = 1; i < n; i++)
            if ((rc = check_times(rr, starts[i], ends[i], who->now, i, "rrule", RULES_NEW, err)))
                return rc;
    }
    struct job j = {.a = a,
                    .who = who,
                    .set = out,
                    .req = req,
                    .res = res,
                    .rr = rr,
                    .starts = starts,
                    .ends = ends,
                    .n = n,
                    .money = money};
    if ((rc = db_write_turn(db, rr->id, create_txn, &j, err)))
        memset(out, 0, sizeof *out);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Decisions                                                            */

static int wrong_state(struct ls_err *err, const struct booking *b, const char *verb,
                       const char *need)
{
    /* verb and need are English words of the callers; their Polish forms. */
    static const char *const words[][2] = {
        {"approved", "zatwierdzić"},
        {"declined", "odrzucić"},
        {"cancelled", "anulować"},
        {"changed", "zmienić"},
        {"marked as no-show", "oznaczyć jako niewykorzystaną"},
        {"pending", "oczekujące"},
        {"pending or approved", "oczekujące lub zatwierdzone"},
    };
    static const char *const states_pl[] = {"oczekująca", "zatwierdzona", "odrzucona", "anulowana"};
    const char *verb_pl = verb, *need_pl = need;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        if (strcmp(verb, words[i][0]) == 0)
            verb_pl = words[i][1];
        if (strcmp(need, words[i][0]) == 0)
            need_pl = words[i][1];
    }
    const char *state = booking_status_name(b->status);
    const char *state_pl =
        (unsigned)b->status < sizeof states_pl / sizeof states_pl[0] ? states_pl[b->status] : state;
    char m_en[200], m_pl[200];
    snprintf(m_en, sizeof m_en, "only %s bookings can be %s; this one is %s", need, verb, state);
    snprintf(m_pl, sizeof m_pl, "tylko rezerwacje %s można %s; ta jest %s", need_pl, verb_pl,
             state_pl);
    return ls_err_set_both(err, LS_ECONFLICT, "status", m_en, m_pl);
}

/* Loads the booking for a manager-only action, inside its transaction:
 * 404 if the actor cannot see it, 403 if they see but may not decide it. */
static int load_managed(struct booking *b, struct db *db, const struct job *j, struct ls_err *err)
{
    int rc = load_visible(b, db, j->a, j->who->user, j->id, err);
    if (!rc && !manages(j->who->user, b))
        rc = ls_err_set(err, LS_EFORBIDDEN, NULL,
                        "only the resource's owners and staff may decide this booking");
    return rc;
}

/* The booking as the change left it, for the answer. */
static int reload(struct db *db, const struct job *j, int rc, struct ls_err *err)
{
    return rc ? rc : load(j->out, db, j->a, j->id, err);
}

/* Approves or declines a pending booking, or with `series` every pending
 * occurrence of its series from it on: all of them or none. Approving
 * re-checks the rules an owner's changes may have broken since the request
 * (RULES_APPROVE) and collects every clash before refusing. The booker gets
 * one message for the lot. */
static int decide_txn(struct db *db, void *p, struct ls_err *err)
{
    struct job *j = p;
    const struct user *u = j->who->user;
    struct booking b;
    int rc = load_managed(&b, db, j, err);
    if (!rc && !j->approve && (!j->reason || !*j->reason))
        rc = ls_err_set(err, LS_EVALIDATION, "reason", "{field} is required");
    if (!rc && b.status != BOOKING_PENDING)
        rc = wrong_state(err, &b, j->approve ? "approved" : "declined", "pending");
    if (rc)
        return rc;
    struct booking_set set = {1, &b, 1};
    if (j->series && b.series_id) {
        struct db_stmt *st = db_stmt(db, SQL_SERIES_PENDING_FROM);
        db_bind_int64(st, 1, b.series_id);
        db_bind_int64(st, 2, b.start);
        if ((rc = read_all(&set, db, st, j->a, err)))
            return rc;
    }
    struct override o = {""};
    int economic = 0; /* approving: how many of set are economic use */
    int64_t *starts = NULL, *ends = NULL;
    const struct funding *funding = NULL;
    if (j->approve) {
        struct resource *res;
        struct resource_rules *rr;
        if ((rc = load_resource(db, j->a, b.resource_id, &res, &rr, err)))
            return rc;
        funding = &res->funding;
        if ((rc = check_booker(db, j->a, &b, rr, u, RULES_APPROVE, err)))
            return rc;
        int clashes = 0;
        for (int i = 0; i < set.n; i++) {
            const struct booking *x = &set.items[i];
            if ((rc = check_times(rr, x->start, x->end, j->who->now, i, "series", RULES_APPROVE,
                                  err)))
                return rc;
            int k = find_conflicts(db, rr->id, x->start, x->end, x->id, err);
            if (k < 0)
                return err->code;
            clashes += k;
        }
        if (clashes)
            return conflict_error(err, set.n > 1 ? "the series" : "the booking");
        /* The cap counts every economic occurrence approved together. */
        starts = arena_alloc(j->a, (size_t)set.n * sizeof *starts);
        ends = arena_alloc(j->a, (size_t)set.n * sizeof *ends);
        for (int i = 0; i < set.n; i++)
            if (set.items[i].economic) {
                starts[economic] = set.items[i].start;
                ends[economic++] = set.items[i].end;
            }
        if (economic && (rc = money_guard(db, j->who, j->override_cap, b.resource_id, funding,
                                          starts, ends, economic, b.id, &o, err)))
            return rc;
    }
    const char *status = j->approve ? "approved" : "declined";
    const char *group =
        set.n > 1 ? arena_printf(j->a, "with the series from booking %lld", (long long)b.id) : NULL;
    for (int i = 0; !rc && i < set.n; i++) {
        int64_t id = set.items[i].id;
        struct db_stmt *st = db_stmt(db, SQL_DECIDE);
        db_bind_int64(st, 1, id);
        db_bind_text(st, 2, status, -1, DB_STATIC);
        db_bind_int64(st, 3, u->id);
        if (j->reason)
            db_bind_text(st, 4, j->reason, -1, DB_STATIC);
        db_bind_int64(st, 5, j->who->now);
        rc = db_step_done(db, st, err);
        const char *detail = j->approve ? group : j->reason;
        if (!rc)
            auth_audit(db, u->id, j->approve ? "booking.approve" : "booking.decline", "booking", id,
                       detail, j->who->ip);
    }
    if (!rc)
        rc = notify_enqueue(db, j->approve ? NOTIFY_APPROVED : NOTIFY_DECLINED, b.id, u->id, set.n,
                            j->who->now, err);
    for (int i = 0; !rc && j->approve && i < set.n; i++)
        audit_override(db, j->who, set.items[i].id, &o);
    if (!rc && economic)
        rc = economic_note(db, b.resource_id, funding, starts, ends, economic, b.id, u->id,
                           j->who->now, err);
    struct booking_set *out = j->set;
    out->items = arena_alloc(j->a, (size_t)set.n * sizeof *out->items);
    for (int i = 0; !rc && i < set.n; i++)
        rc = load(&out->items[i], db, j->a, set.items[i].id, err);
    out->n = out->total = rc ? 0 : set.n;
    return rc;
}

/* The turn (db_write_turn) of a write that puts booking `id` in its
 * resource's calendar, an approval or a move: its resource's, as for the
 * requests it may race, so that one that lost runs again alone among them.
 * A round trip before the unit on PostgreSQL; SQLite takes no turns. 0 (the
 * turn of every other write) when there is no such booking: the unit says so. */
static int64_t resource_turn(struct db *db, int64_t id)
{
    if (db_engine(db) != DB_POSTGRES)
        return 0;
    struct db_stmt *st = db_stmt(db, SQL_RESOURCE_OF);
    int64_t turn = 0;
    if (st) {
        db_bind_int64(st, 1, id);
        if (db_step(st) == DB_ROW)
            turn = db_column_int64(st, 0);
        db_reset(st);
    }
    return turn;
}

int booking_decide(struct booking_set *out, struct db *db, struct arena *a,
                   const struct booking_actor *who, int64_t id, int approve, const char *reason,
                   unsigned flags, struct ls_err *err)
{
    memset(out, 0, sizeof *out);
    struct job j = {.a = a,
                    .who = who,
                    .id = id,
                    .set = out,
                    .reason = reason,
                    .approve = approve,
                    .series = !!(flags & BOOKING_DECIDE_SERIES),
                    .override_cap = approve && (flags & BOOKING_DECIDE_OVER_CAP)};
    int rc = db_write_turn(db, resource_turn(db, id), decide_txn, &j, err);
    if (rc)
        memset(out, 0, sizeof *out);
    return rc;
}

int booking_approve(struct booking *out, struct db *db, struct arena *a,
                    const struct booking_actor *who, int64_t id, struct ls_err *err)
{
    struct booking_set set;
    int rc = booking_decide(&set, db, a, who, id, 1, NULL, 0, err);
    if (!rc)
        *out = set.items[0];
    return rc;
}

int booking_decline(struct booking *out, struct db *db, struct arena *a,
                    const struct booking_actor *who, int64_t id, const char *reason,
                    struct ls_err *err)
{
    struct booking_set set;
    int rc = booking_decide(&set, db, a, who, id, 0, reason, 0, err);
    if (!rc)
        *out = set.items[0];
    return rc;
}

int booking_cancel_for_change(struct db *db, const struct booking_actor *who, int64_t id,
                              const char *reason, struct ls_err *err)
{
    struct db_stmt *st = db_stmt(db, SQL_CANCEL_FOR_CHANGE);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    db_bind_int64(st, 1, id);
    db_bind_int64(st, 2, who->now);
    db_bind_text(st, 3, reason, -1, DB_TRANSIENT);
    db_bind_int64(st, 4, who->user->id);
    int rc = db_step_done(db, st, err);
    if (rc || db_changes(db) == 0)
        return rc; /* not live any more: nothing to cancel */
    auth_audit(db, who->user->id, "booking.cancel", "booking", id, reason, who->ip);
    return notify_enqueue(db, NOTIFY_CANCELLED, id, who->user->id, 1, who->now, err);
}

static int cancel_one(struct db *db, const struct booking_actor *who, int64_t id,
                      const char *reason, const char *detail, struct ls_err *err)
{
    struct db_stmt *st = db_stmt(db, SQL_CANCEL);
    db_bind_int64(st, 1, id);
    db_bind_int64(st, 2, who->now);
    if (reason)
        db_bind_text(st, 3, reason, -1, DB_STATIC);
    db_bind_int64(st, 4, who->user->id);
    int rc = db_step_done(db, st, err);
    if (!rc)
        auth_audit(db, who->user->id, "booking.cancel", "booking", id, detail, who->ip);
    if (!rc)
        rc = notify_enqueue(db, NOTIFY_CANCELLED, id, who->user->id, 1, who->now, err);
    return rc;
}

static int cancel_txn(struct db *db, void *p, struct ls_err *err)
{
    struct job *j = p;
    struct booking b;
    struct booking_set later = {0};
    int rc = load_visible(&b, db, j->a, j->who->user, j->id, err);
    if (!rc && b.status != BOOKING_PENDING && b.status != BOOKING_APPROVED)
        rc = wrong_state(err, &b, "cancelled", "pending or approved");
    if (!rc)
        rc = cancel_one(db, j->who, j->id, j->reason, j->reason, err);
    if (!rc && j->flag && b.series_id) {
        struct db_stmt *st = db_stmt(db, SQL_SERIES_FOLLOWING);
        db_bind_int64(st, 1, b.series_id);
        db_bind_int64(st, 2, b.start);
        rc = read_all(&later, db, st, j->a, err);
        const char *detail =
            arena_printf(j->a, "with the series from booking %lld", (long long)j->id);
        for (int i = 0; !rc && i < later.n; i++)
            rc = cancel_one(db, j->who, later.items[i].id, j->reason, detail, err);
    }
    if (rc)
        return rc;
    struct booking_set *out = j->set;
    out->items = arena_alloc(j->a, (size_t)(later.n + 1) * sizeof *out->items);
    rc = load(&out->items[0], db, j->a, j->id, err);
    for (int i = 0; !rc && i < later.n; i++)
        rc = load(&out->items[i + 1], db, j->a, later.items[i].id, err);
    out->n = out->total = rc ? 0 : later.n + 1;
    return rc;
}

int booking_cancel(struct booking_set *out, struct db *db, struct arena *a,
                   const struct booking_actor *who, int64_t id, const char *reason, int following,
                   struct ls_err *err)
{
    memset(out, 0, sizeof *out);
    struct job j = {.a = a, .who = who, .id = id, .set = out, .reason = reason, .flag = following};
    int rc = db_write(db, cancel_txn, &j, err);
    if (rc)
        memset(out, 0, sizeof *out);
    return rc;
}

static int move_txn(struct db *db, void *p, struct ls_err *err)
{
    struct job *j = p;
    const struct booking_change *c = j->change;
    const struct user *u = j->who->user;
    struct booking b;
    int rc = load_visible(&b, db, j->a, u, j->id, err);
    if (!rc && b.status != BOOKING_PENDING && b.status != BOOKING_APPROVED)
        rc = wrong_state(err, &b, "changed", "pending or approved");
    if (rc)
        return rc;
    int64_t start = c->has_start ? c->start : b.start;
    int64_t end = c->has_end ? c->end : b.end;
    const char *purpose = c->has_purpose ? c->purpose : b.purpose;
    enum booking_status status = b.status;
    int moved = start != b.start || end != b.end;
    struct override o = {{0}};
    const struct funding *funding = NULL;
    if (moved) {
        struct resource *res;
        struct resource_rules *rr;
        if ((rc = load_resource(db, j->a, b.resource_id, &res, &rr, err)))
            return rc;
        funding = &res->funding;
        /* A new time is a new request: every rule, the booker's included. */
        if ((rc = check_booker(db, j->a, &b, rr, u, RULES_NEW, err)))
            return rc;
        if ((rc = check_times(rr, start, end, j->who->now, 0, "rrule", RULES_NEW, err)))
            return rc;
        if (status == BOOKING_APPROVED && rr->requires_approval && !manages(u, &b))
            status = BOOKING_PENDING;
        int k = find_conflicts(db, b.resource_id, start, end, b.id, err);
        if (k < 0)
            return err->code;
        if (k > 0)
            return conflict_error(err, "the new time");
        /* Economic use that stays approved counts at its new length. */
        if (status == BOOKING_APPROVED && b.economic &&
            (rc = money_guard(db, j->who, c->override_cap, b.resource_id, funding, &start, &end, 1,
                              b.id, &o, err)))
            return rc;
    }
    struct db_stmt *st = db_stmt(db, SQL_MOVE);
    db_bind_int64(st, 1, j->id);
    db_bind_int64(st, 2, start);
    db_bind_int64(st, 3, end);
    db_bind_text(st, 4, purpose, -1, DB_STATIC);
    db_bind_text(st, 5, booking_status_name(status), -1, DB_STATIC);
    db_bind_int64(st, 6, j->who->now);
    db_bind_int64(st, 7, end - start);
    if (b.price.currency && b.price.rate_minor != PRICE_NONE)
        db_bind_int64(st, 8, price_net_minor(b.price.rate_minor, end - start));
    if ((rc = db_step_done(db, st, err)))
        return rc;
    char fs[TU_UTC_LEN], fe[TU_UTC_LEN];
    tu_format_utc(start, fs);
    tu_format_utc(end, fe);
    const char *detail =
        arena_printf(j->a, "%s–%s%s", fs, fe, status != b.status ? ", back to pending" : "");
    auth_audit(db, u->id, "booking.move", "booking", j->id, detail, j->who->ip);
    audit_override(db, j->who, j->id, &o);
    /* A booker editing only their own purpose needs no mail about it. */
    if (moved || u->id != b.user_id)
        rc = notify_enqueue(db, NOTIFY_MOVED, j->id, u->id, 1, j->who->now, err);
    /* Back to pending: the owners must decide again. */
    if (!rc && status != b.status)
        rc = notify_enqueue(db, NOTIFY_REQUEST, j->id, u->id, 1, j->who->now, err);
    /* Economic use that stays approved at its new length may take the
     * resource past a threshold its owners hear of, as an approval does. */
    if (!rc && moved && status == BOOKING_APPROVED && b.economic)
        rc = economic_note(db, b.resource_id, funding, &start, &end, 1, j->id, u->id, j->who->now,
                           err);
    return reload(db, j, rc, err);
}

int booking_move(struct booking *out, struct db *db, struct arena *a,
                 const struct booking_actor *who, int64_t id, const struct booking_change *c,
                 struct ls_err *err)
{
    struct job j = {.a = a, .who = who, .id = id, .out = out, .change = c};
    return db_write_turn(db, resource_turn(db, id), move_txn, &j, err);
}

static int no_show_txn(struct db *db, void *p, struct ls_err *err)
{
    struct job *j = p;
    struct booking b;
    int rc = load_managed(&b, db, j, err);
    if (!rc && b.status != BOOKING_APPROVED)
        rc = wrong_state(err, &b, "marked as no-show", "approved");
    if (!rc && b.end > j->who->now)
        rc = ls_err_set(err, LS_ECONFLICT, NULL,
                        "a booking can be marked as not used only after it has ended");
    if (!rc && b.no_show != j->flag) {
        struct db_stmt *st = db_stmt(db, SQL_NO_SHOW);
        db_bind_int64(st, 1, j->id);
        db_bind_int(st, 2, j->flag);
        db_bind_int64(st, 3, j->who->now);
        rc = db_step_done(db, st, err);
        if (!rc)
            auth_audit(db, j->who->user->id, "booking.no_show", "booking", j->id,
                       j->flag ? "marked as not used" : "no-show mark removed", j->who->ip);
    }
    return reload(db, j, rc, err);
}

int booking_set_no_show(struct booking *out, struct db *db, struct arena *a,
                        const struct booking_actor *who, int64_t id, int no_show,
                        struct ls_err *err)
{
    struct job j = {.a = a, .who = who, .id = id, .out = out, .flag = !!no_show};
    return db_write(db, no_show_txn, &j, err);
}

/* Grows an arena array of `size`-byte elements when full. */
static void *grow(struct arena *a, void *items, int n, int *cap, size_t size)
{
    if (n < *cap)
        return items;
    int bigger = *cap ? *cap * 2 : 16;
    void *p = arena_alloc(a, (size_t)bigger * size);
    if (n)
        memcpy(p, items, (size_t)n * size);
    *cap = bigger;
    return p;
}

static const char SQL_SET_ECONOMIC[] =
    "UPDATE bookings SET economic = ?2, updated = ?3 WHERE id = ?1";

static int economic_txn(struct db *db, void *p, struct ls_err *err)
{
    struct job *j = p;
    struct booking b;
    int rc = load_managed(&b, db, j, err);
    if (!rc && b.status != BOOKING_PENDING && b.status != BOOKING_APPROVED)
        rc = wrong_state(err, &b, "changed", "pending or approved");
    if (rc || b.economic == j->flag)
        return reload(db, j, rc, err);
    struct override o = {""};
    /* Economic use that counts (approved): the funding, read once for the
     * guard and the note. */
    const struct funding *funding = NULL;
    if (j->flag && b.status == BOOKING_APPROVED) {
        struct resource *res;
        struct resource_rules *rr;
        if ((rc = load_resource(db, j->a, b.resource_id, &res, &rr, err)))
            return rc;
        funding = &res->funding;
        if ((rc = money_guard(db, j->who, j->override_cap, b.resource_id, funding, &b.start, &b.end,
                              1, b.id, &o, err)))
            return rc;
    }
    struct db_stmt *st = db_stmt(db, SQL_SET_ECONOMIC);
    db_bind_int64(st, 1, j->id);
    db_bind_int(st, 2, j->flag);
    db_bind_int64(st, 3, j->who->now);
    if ((rc = db_step_done(db, st, err)))
        return rc;
    auth_audit(db, j->who->user->id, "booking.economic", "booking", j->id,
               j->flag ? "economic use" : "not economic use", j->who->ip);
    audit_override(db, j->who, j->id, &o);
    if (funding)
        rc = economic_note(db, b.resource_id, funding, &b.start, &b.end, 1, b.id, j->who->user->id,
                           j->who->now, err);
    return reload(db, j, rc, err);
}

int booking_set_economic(struct booking *out, struct db *db, struct arena *a,
                         const struct booking_actor *who, int64_t id, int economic,
                         int override_cap, struct ls_err *err)
{
    struct job j = {
        .a = a, .who = who, .id = id, .out = out, .flag = !!economic, .override_cap = override_cap};
    return db_write(db, economic_txn, &j, err);
}

/* ------------------------------------------------------------------ */
/* Lists                                                                */

/* A list's SQL is put together for each combination of filters from the
 * parts below, so that every filter is a plain term the planner can use (a
 * "?N IS NULL OR …" term cannot drive an index), and its driving index is
 * named (INDEXED BY): the plan is the same with or without ANALYZE's
 * statistics, and tests/test_booking_list.c checks it per combination.
 *
 * [from, to) becomes a range on start: a booking that overlaps it starts
 * before `to` and at most the longest booking's length before `from`. That
 * length comes from bookings_length (approved) and bookings_length_other
 * (the rest) in O(log n) (BOOKING_SQL_LONGEST_*, booking.h), so the range holds the bookings
 * of the span and hardly more, however many lie outside it. */
enum {
    L_SERIES = 1u << 0,
    L_RESOURCE = 1u << 1,
    L_LAB = 1u << 2,
    L_ORG = 1u << 3,
    L_BOOKER_ORG = 1u << 4,
    L_USER = 1u << 5,
    L_OWNER = 1u << 6, /* visibility: the owner's own or their organisation's resources */
    L_FROM = 1u << 7,
    L_TO = 1u << 8,
    L_DESC = 1u << 9,
    L_COUNT = 1u << 10,  /* the total's query instead of the page's */
    L_STATUS_SHIFT = 11, /* bits 11-13: status + 1; 0 = any */
    L_DECIDE = 1u << 14, /* decidable, for an owner: their organisation's resources (the
                            status bits say pending) */
    L_KEYS = 1u << 15,
};

/* Terms in the order they are written; values always bound by name. */
static const struct {
    unsigned bit;
    const char *sql;
} list_terms[] = {
    {L_SERIES, "b.series_id = :series_id"},
    {L_RESOURCE, "b.resource_id = :resource_id"},
    {L_LAB, "b.resource_id IN (SELECT id FROM resources WHERE lab_id = :lab_id)"},
    {L_ORG, "b.resource_id IN (SELECT fr.id FROM resources fr JOIN labs fl ON fl.id = fr.lab_id"
            " WHERE fl.organisation_id = :organisation_id)"},
    {L_BOOKER_ORG, "b.organisation_id = :booker_organisation_id"},
    {L_USER, "b.user_id = :user_id"},
    {L_OWNER,
     "(b.user_id = :viewer OR b.resource_id IN (SELECT vr.id FROM resources vr"
     " JOIN labs vl ON vl.id = vr.lab_id WHERE vl.organisation_id = :viewer_organisation))"},
    {L_DECIDE, "b.resource_id IN (SELECT dr.id FROM resources dr JOIN labs dl ON dl.id = dr.lab_id"
               " WHERE dl.organisation_id = :viewer_organisation)"},
    {L_TO, "b.start < :to"},
};

/* The index that reads the fewest entries for a combination: a series (at
 * most BOOKING_MAX_OCCURRENCES), a resource's or a user's range, a lab's or
 * organisation's resources' ranges when the span is bounded (sorted after;
 * open-ended, a sort would read everything, so a list index gives the
 * order and stops at the page), else the span of all bookings
 * (on SQLite bookings_list holds every column a list reads, so a page and
 * its total are one range of it and never visit the table; migrations 0021
 * and 0024). A partial index of the pending requests would spare the
 * inbox's list a walk over the other bookings' index entries, but cost every
 * pending request one more random index page (a quarter fewer pending
 * POSTs a second in A/B runs, bench/RESULTS.md), so there is none. */
static const char *list_index(unsigned key)
{
    if (key & L_SERIES)
        return "bookings_series";
    if (key & L_RESOURCE)
        return "bookings_res_start";
    if (key & L_USER)
        return "bookings_user_start";
    if ((key & (L_LAB | L_ORG | L_DECIDE)) && (key & L_FROM) && (key & L_TO))
        return "bookings_res_start";
    return "bookings_list";
}

struct sql_buf {
    char *p;
    size_t len, cap;
};

static void sql_add(struct sql_buf *b, const char *s)
{
    size_t n = strlen(s);
    if (b->len + n < b->cap) {
        memcpy(b->p + b->len, s, n + 1);
        b->len += n;
    }
}

#define LIST_SQL_MAX 2048

/* Writes the SQL of combination `key` into out (LIST_SQL_MAX bytes). */
static void list_build(char *out, unsigned key)
{
    struct sql_buf b = {out, 0, LIST_SQL_MAX};
    out[0] = '\0';
    if (key & L_COUNT) {
        sql_add(&b, "SELECT count(*) FROM bookings b INDEXED BY ");
        sql_add(&b, list_index(key));
    } else {
        /* The names come from names.h at the count read here with the
         * rows: no join a row. */
        sql_add(&b, BOOKING_OWN_COLS ", " NAMES_VERSION_SQL " FROM bookings b INDEXED BY ");
        sql_add(&b, list_index(key));
    }
    const char *glue = " WHERE ";
    for (size_t i = 0; i < sizeof list_terms / sizeof list_terms[0]; i++) {
        if (!(key & list_terms[i].bit))
            continue;
        sql_add(&b, glue);
        sql_add(&b, list_terms[i].sql);
        glue = " AND ";
    }
    int status = (int)(key >> L_STATUS_SHIFT & 7) - 1;
    if (status >= 0) {
        /* A word of the fixed status table, written into the SQL so that
         * the statement is prepared once per status. */
        sql_add(&b, glue);
        sql_add(&b, "b.status = '");
        sql_add(&b, status_names[status]);
        sql_add(&b, "'");
        glue = " AND ";
    }
    if (key & L_FROM) {
        sql_add(&b, glue);
        sql_add(&b, "b.end > :from AND b.start > :from - ");
        sql_add(&b, status == BOOKING_APPROVED ? BOOKING_SQL_LONGEST_APPROVED
                    : status >= 0              ? BOOKING_SQL_LONGEST_OTHER
                                               : BOOKING_SQL_LONGEST);
    }
    if (!(key & L_COUNT)) {
        sql_add(&b, key & L_DESC ? " ORDER BY b.start DESC, b.id DESC" : " ORDER BY b.start, b.id");
        sql_add(&b, " LIMIT :limit OFFSET :offset");
    }
}

/* The texts of the first BOOKING_LIST_CACHED_SQL combinations asked for,
 * kept for the life of the process so that db_stmt() keeps their statements
 * prepared (it caches by the text's address). Any further combination is
 * built in the request's arena and prepared for that request alone: a
 * client trying every combination must not fill the connections' statement
 * caches, which every module shares. */
static struct {
    pthread_mutex_t mu;
    const char *text[L_KEYS];
    int kept;
} list_sql = {.mu = PTHREAD_MUTEX_INITIALIZER};

static const char *list_text(unsigned key, struct arena *a, int *kept)
{
    pthread_mutex_lock(&list_sql.mu);
    const char *sql = list_sql.text[key];
    if (!sql && list_sql.kept < BOOKING_LIST_CACHED_SQL) {
        char *s = malloc(LIST_SQL_MAX);
        if (s) {
            list_build(s, key);
            list_sql.text[key] = sql = s;
            list_sql.kept++;
        }
    }
    pthread_mutex_unlock(&list_sql.mu);
    *kept = sql != NULL;
    if (!sql) {
        char *s = arena_alloc(a, LIST_SQL_MAX);
        list_build(s, key);
        sql = s;
    }
    return sql;
}

/* A filter reduced to its combination and values: a researcher's view is
 * their own bookings (a user filter on themselves), an owner's their own or
 * their organisation's resources' (a user filter on themselves makes that
 * their own), staff see everything. */
struct list_query {
    unsigned key;
    int empty; /* the filter cannot match anything the viewer may see */
    int64_t user_id, limit;
};

static struct list_query list_query(const struct user *v, const struct booking_filter *f)
{
    struct list_query q = {0};
    q.user_id = f->user_id;
    q.limit = f->limit <= 0 ? 50 : f->limit < BOOKING_LIST_MAX ? f->limit : BOOKING_LIST_MAX;
    int staff = authz_is_staff(v);
    int owner = !staff && v->role == ROLE_OWNER && v->organisation_id > 0;
    if (f->mine || (!staff && !owner)) {
        if (q.user_id && q.user_id != v->id)
            q.empty = 1;
        q.user_id = v->id;
    }
    q.key = (f->series_id ? L_SERIES : 0) | (f->resource_id ? L_RESOURCE : 0) |
            (f->lab_id ? L_LAB : 0) | (f->organisation_id ? L_ORG : 0) |
            (f->booker_organisation_id ? L_BOOKER_ORG : 0) | (q.user_id ? L_USER : 0) |
            (owner && q.user_id != v->id ? L_OWNER : 0) | (f->from ? L_FROM : 0) |
            (f->to ? L_TO : 0) | (f->desc ? L_DESC : 0);
    int status = f->status >= 0 && f->status < 4 ? f->status : -1;
    if (f->decidable) {
        /* Pending, on resources the viewer manages: staff manage all, an
         * owner their organisation's (which they may all see, so the term
         * replaces the visibility one), anyone else none. */
        if ((!staff && !owner) || (status >= 0 && status != BOOKING_PENDING))
            q.empty = 1;
        status = BOOKING_PENDING;
        if (owner)
            q.key = (q.key & ~(unsigned)L_OWNER) | L_DECIDE;
    }
    if (status >= 0)
        q.key |= (unsigned)(status + 1) << L_STATUS_SHIFT;
    return q;
}

/* Binds every parameter of a list statement by name. 0, or -1 when the
 * SQL names a parameter this function does not know (a bug). */
static int list_bind(struct db_stmt *st, const struct user *v, const struct booking_filter *f,
                     const struct list_query *q)
{
    const struct {
        const char *name;
        int64_t value;
    } values[] = {
        {":series_id", f->series_id},
        {":resource_id", f->resource_id},
        {":lab_id", f->lab_id},
        {":organisation_id", f->organisation_id},
        {":booker_organisation_id", f->booker_organisation_id},
        {":user_id", q->user_id},
        {":viewer", v->id},
        {":viewer_organisation", v->organisation_id},
        {":from", f->from},
        {":to", f->to},
        {":limit", q->limit},
        {":offset", f->offset > 0 ? f->offset : 0},
    };
    int n = db_bind_parameter_count(st);
    for (int i = 1; i <= n; i++) {
        const char *name = db_bind_parameter_name(st, i);
        size_t k = 0;
        while (k < sizeof values / sizeof values[0] && strcmp(name, values[k].name) != 0)
            k++;
        if (k == sizeof values / sizeof values[0])
            return -1;
        db_bind_int64(st, i, values[k].value);
    }
    return 0;
}

const char *booking_list_sql(struct arena *a, const struct user *viewer,
                             const struct booking_filter *f, int count)
{
    struct list_query q = list_query(viewer, f);
    if (q.empty)
        return NULL;
    int kept;
    return list_text(q.key | (count ? L_COUNT : 0), a, &kept);
}

/* The statement of a combination: the connection's cached one for a kept
 * text, else one prepared for this request (*owned = 1: finalize it). */
static struct db_stmt *list_stmt(struct db *db, struct arena *a, unsigned key, int *owned)
{
    int kept;
    const char *sql = list_text(key, a, &kept);
    *owned = !kept;
    if (kept)
        return db_stmt(db, sql);
    struct db_stmt *st = NULL;
    if (db_prepare(db, sql, &st) != DB_OK) {
        fprintf(stderr, "labshare: prepare failed: %s\n  in: %s\n", db_errmsg(db), sql);
        db_finalize(st);
        return NULL;
    }
    return st;
}

static void list_stmt_done(struct db_stmt *st, int owned)
{
    if (owned)
        db_finalize(st);
    else if (st)
        db_reset(st);
}

int booking_list_each(struct db *db, struct arena *a, const struct user *viewer,
                      const struct booking_filter *f, booking_each_fn each, void *ctx,
                      int64_t *total, struct ls_err *err)
{
    *total = 0;
    if (f->from && f->to && f->to <= f->from)
        return ls_err_set(err, LS_EVALIDATION, "to", "{field} must be after the start");
    struct list_query q = list_query(viewer, f);
    if (q.empty)
        return LS_OK;
    int64_t offset = f->offset > 0 ? f->offset : 0;
    /* Page and total from one snapshot: with no offset the total is needed
     * only after a full page, and then the page's statement, not yet
     * stepped to its end, still holds the read transaction; with an offset
     * the total may be needed after an empty page, so a transaction holds
     * the snapshot. */
    int txn = offset > 0, rc = LS_OK, owned = 0, cowned = 0;
    if (txn && (rc = db_begin_read(db, err)))
        return rc;
    const struct names *names = NULL;
    struct db_stmt *count = NULL, *st = list_stmt(db, a, q.key, &owned);
    if (!st || list_bind(st, viewer, f, &q)) {
        rc = ls_err_set(err, LS_EINTERNAL, NULL, "database error");
        goto done;
    }
    int step = DB_DONE;
    int64_t n = 0;
    struct booking b;
    while (n < q.limit && (step = db_step(st)) == DB_ROW) {
        if (!names && !(names = names_get(db, db_column_int64(st, BOOKING_OWN_NCOLS),
                                          db_column_type(st, BOOKING_OWN_NCOLS) != DB_NULL, err))) {
            rc = err->code;
            goto done;
        }
        read_own(st, NULL, &b);
        b.resource_name = names_resource(names, db, a, b.resource_id, &b.resource_organisation_id);
        b.user_name = names_user(names, db, a, b.user_id);
        each(&b, ctx);
        n++;
    }
    if (step != DB_ROW && step != DB_DONE) {
        rc = db_fail(db, step, err);
        goto done;
    }
    if (n < q.limit && (n > 0 || offset == 0)) {
        *total = offset + n;
        goto done;
    }
    count = list_stmt(db, a, q.key | L_COUNT, &cowned);
    if (!count || list_bind(count, viewer, f, &q)) {
        rc = ls_err_set(err, LS_EINTERNAL, NULL, "database error");
        goto done;
    }
    if ((step = db_step(count)) == DB_ROW)
        *total = db_column_int64(count, 0);
    else
        rc = db_fail(db, step, err);
done:
    names_put(names);
    list_stmt_done(count, cowned);
    list_stmt_done(st, owned);
    if (txn)
        db_end_read(db);
    return rc;
}

struct collect {
    struct booking_set *out;
    struct arena *a;
    int cap;
};

/* booking_list's each: the row's booking copied into the arena, every
 * string of struct booking with it (they are borrowed from the row). */
static void collect(const struct booking *b, void *ctx)
{
    struct collect *c = ctx;
    struct booking_set *out = c->out;
    out->items = grow(c->a, out->items, out->n, &c->cap, sizeof *out->items);
    struct booking *copy = &out->items[out->n++];
    *copy = *b;
    copy->purpose = arena_strdup(c->a, b->purpose);
    copy->reason = arena_strdup(c->a, b->reason);
    copy->resource_name = arena_strdup(c->a, b->resource_name);
    copy->user_name = arena_strdup(c->a, b->user_name);
    copy->project = arena_strdup(c->a, b->project);
    copy->cost_centre = arena_strdup(c->a, b->cost_centre);
    copy->price.currency = arena_strdup(c->a, b->price.currency);
}

int booking_list(struct booking_set *out, struct db *db, struct arena *a, const struct user *viewer,
                 const struct booking_filter *f, struct ls_err *err)
{
    memset(out, 0, sizeof *out);
    struct collect c = {out, a, 0};
    out->items = arena_alloc(a, sizeof *out->items);
    return booking_list_each(db, a, viewer, f, collect, &c, &out->total, err);
}

/* ------------------------------------------------------------------ */
/* Availability                                                         */

struct span_acc {
    struct arena *a;
    struct booking_span *items;
    int n, cap;
};

static void add_span(int64_t s, int64_t e, void *p)
{
    struct span_acc *acc = p;
    if (acc->n == acc->cap) {
        int cap = acc->cap ? acc->cap * 2 : 16;
        struct booking_span *bigger = arena_alloc(acc->a, (size_t)cap * sizeof *bigger);
        if (acc->n)
            memcpy(bigger, acc->items, (size_t)acc->n * sizeof *bigger);
        acc->items = bigger;
        acc->cap = cap;
    }
    acc->items[acc->n++] = (struct booking_span){s, e};
}

int booking_availability(struct booking_availability *out, struct db *db, struct arena *a,
                         const struct user *viewer, int64_t resource_id, int64_t from, int64_t to,
                         struct ls_err *err)
{
    memset(out, 0, sizeof *out);
    if (to <= from)
        return ls_err_set(err, LS_EVALIDATION, "to", "the end of the span must be after its start");
    if (to - from > (int64_t)BOOKING_AVAIL_MAX_DAYS * 86400)
        return ls_err_set(err, LS_EVALIDATION, "to", "at most %d days at a time",
                          BOOKING_AVAIL_MAX_DAYS);
    struct resource_rules *rr = arena_alloc(a, sizeof *rr);
    int rc = catalogue_resource_rules(db, resource_id, rr, err);
    if (rc == LS_ENOTFOUND)
        return ls_err_set(err, LS_ENOTFOUND, NULL, "no such resource");
    if (rc)
        return rc;
    out->resource_id = resource_id;
    out->from = from;
    out->to = to;
    struct span_acc acc = {a, NULL, 0, 0};
    hours_layout_span(&rr->hours, from, to, add_span, &acc);
    out->open = acc.items;
    out->nopen = acc.n;

    int manager = authz_manages_org(viewer, rr->organisation_id);
    int cap = 0;
    struct db_stmt *st = db_stmt(db, SQL_AVAIL_BUSY);
    db_bind_int64(st, 1, resource_id);
    db_bind_int64(st, 2, from);
    db_bind_int64(st, 3, to);
    while ((rc = db_step(st)) == DB_ROW) {
        out->busy = grow(a, out->busy, out->nbusy, &cap, sizeof *out->busy);
        struct booking_busy *b = &out->busy[out->nbusy++];
        b->start = db_column_int64(st, 1);
        b->end = db_column_int64(st, 2);
        int s = booking_status_parse((const char *)db_column_text(st, 3));
        b->status = s < 0 ? BOOKING_PENDING : (enum booking_status)s;
        b->mine = db_column_int64(st, 4) == viewer->id;
        b->booking_id = b->mine || manager ? db_column_int64(st, 0) : 0;
    }
    db_reset(st);
    if (rc != DB_DONE)
        return db_fail(db, rc, err);
    cap = 0;
    st = db_stmt(db, SQL_AVAIL_BLACKOUTS);
    db_bind_int64(st, 1, resource_id);
    db_bind_int64(st, 2, from);
    db_bind_int64(st, 3, to);
    while ((rc = db_step(st)) == DB_ROW) {
        out->blackouts = grow(a, out->blackouts, out->nblackouts, &cap, sizeof *out->blackouts);
        struct booking_blackout *b = &out->blackouts[out->nblackouts++];
        b->id = db_column_int64(st, 0);
        b->start = db_column_int64(st, 1);
        b->end = db_column_int64(st, 2);
        b->reason = col_text(st, 3, a);
        if (!b->reason)
            b->reason = "";
    }
    db_reset(st);
    if (rc != DB_DONE)
        return db_fail(db, rc, err);
    return LS_OK;
}
