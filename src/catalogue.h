/* catalogue.h — organisations, labs, resources, opening hours, blackouts,
 * services and training records: what can be booked and who owns it.
 *
 * Domain code (no civetweb, no cJSON). The booking, feed and stats modules
 * read the catalogue through the functions below rather than repeating its
 * SQL.
 *
 * Objects are plain structs whose strings live in the caller's arena (when
 * loaded) or anywhere the caller likes (when saved). Saving validates the
 * whole object and answers 422 naming the offending field, so the HTTP
 * layer, the demo loader and tests share one set of rules. PATCH is "load,
 * overlay the fields given, save": the same validation applies.
 *
 * Writes run inside the caller's transaction when one is open (the HTTP
 * handlers open one before loading, so a read-check-write cannot be
 * overtaken; the demo loader wraps everything in one), else in their own. */
#ifndef LS_CATALOGUE_H
#define LS_CATALOGUE_H

#include <stdint.h>

#include "arena.h"
#include "err.h"
#include "hours.h"

struct db;

/* Everything the booking rules need to know about one resource. */
struct resource_rules {
    int64_t id;
    int64_t lab_id;
    int64_t organisation_id; /* owner organisation (through the lab) */
    int shared;              /* offered to other organisations */
    int requires_approval;
    int requires_training;
    int slot_minutes, min_minutes, max_minutes;
    double power_kw;
    struct hours_week hours; /* weekly opening windows, normalised */
};

/* Loads a resource's rules; LS_ENOTFOUND if there is no such resource. */
int catalogue_resource_rules(struct db *db, int64_t resource_id, struct resource_rules *out,
                             struct ls_err *err);

/* Opening hours of a resource (empty = closed). */
int catalogue_hours_load(struct db *db, int64_t resource_id, struct hours_week *out,
                         struct ls_err *err);
/* Replaces a resource's opening hours; run inside the caller's write
 * transaction. wk must be normalised (hours_normalise). */
int catalogue_hours_save(struct db *db, int64_t resource_id, const struct hours_week *wk,
                         struct ls_err *err);

/* 1 if the user is recorded as trained on the resource, else 0. */
int catalogue_user_trained(struct db *db, int64_t resource_id, int64_t user_id);

/* ------------------------------------------------------------------ */
/* Limits and enumerations                                              */

#define CATALOGUE_NAME_MAX 200
#define CATALOGUE_SHORT_MAX 40
#define CATALOGUE_TEXT_MAX 4000      /* descriptions */
#define CATALOGUE_LINE_MAX 300       /* building, address, city, category, reason, website */
#define CATALOGUE_AREA_MAX 1e6       /* m² */
#define CATALOGUE_ENERGY_MAX 1e5     /* kWh/m²·year */
#define CATALOGUE_POWER_MAX 1e3      /* kW */
#define CATALOGUE_MINUTES_MAX 527040 /* max_minutes: 366 days */
#define CATALOGUE_SERVICE_RESOURCES_MAX 100
#define CATALOGUE_Q_MAX 200 /* bytes of a search string */
#define CATALOGUE_Q_TERMS 6 /* words of a search string that count */

/* NULL-terminated lists of the API's words. */
extern const char *const catalogue_groups[];   /* BioF BIZ MED R&D EDU GOV */
extern const char *const catalogue_packages[]; /* standard silver gold none */
extern const char *const catalogue_kinds[];    /* commercial scientific teaching office coworking */
extern const char *const catalogue_types[];    /* room instrument desk */

/* ------------------------------------------------------------------ */
/* Objects                                                              */

struct organisation {
    int64_t id; /* 0 = not saved yet */
    const char *name;
    const char *short_name; /* "" when none */
    const char *group;      /* one of catalogue_groups */
    const char *package;    /* one of catalogue_packages */
    int member;             /* counts in the indicators */
    const char *city;       /* NULL = unknown */
    const char *website;    /* NULL = none; http(s) URL */
    const char *description;
    int64_t created, updated;
};

struct lab {
    int64_t id;
    int64_t organisation_id;
    const char *name;
    const char *kind;                      /* one of catalogue_kinds */
    double area_m2;                        /* > 0 */
    double energy_kwh_per_m2_year;         /* ≥ 0, meaningful unless energy_is_null */
    int energy_is_null;                    /* 1 = default for its kind */
    const char *building, *address, *city; /* NULL = unknown */
    int biosafety_level;                   /* 0..4 */
    const char *description;
    int64_t created, updated;
    /* read-only conveniences filled by get/list */
    const char *organisation_name;
    int resource_count;
};

struct resource {
    int64_t id;
    int64_t lab_id;
    const char *type; /* one of catalogue_types */
    const char *name;
    const char *category; /* free text, "" when none */
    const char *description;
    int shared, requires_approval, requires_training;
    double power_kw, standby_kw;
    int slot_minutes, min_minutes, max_minutes;
    struct hours_week hours; /* normalised by save */
    int64_t created, updated;
    /* read-only conveniences filled by get/list */
    int64_t organisation_id;
    const char *lab_name, *organisation_name, *organisation_short_name;
    const char *city;    /* the lab's city, else its organisation's; NULL = unknown */
    int biosafety_level; /* its lab's */
};

struct blackout {
    int64_t id;
    int64_t resource_id;
    int64_t start, end; /* half-open, seconds UTC */
    const char *reason;
    int64_t created;
    int64_t source_id; /* the calendar it was imported from; 0 = entered by hand */
    const char *uid;   /* the imported event's UID; NULL = entered by hand */
};

struct service {
    int64_t id;
    int64_t organisation_id;
    const char *name;
    const char *description;
    int nresources;
    int64_t *resource_ids; /* arena or caller memory; sorted and unique after save */
    int64_t created, updated;
    const char *organisation_name; /* read-only convenience */
};

struct training {
    int64_t resource_id, user_id;
    const char *user_name, *user_email;
    int64_t granted_by; /* 0 = unknown */
    int64_t granted_at;
};

/* Defaults of the API for a new object (strings static). */
void catalogue_org_defaults(struct organisation *out);
void catalogue_lab_defaults(struct lab *out);
void catalogue_resource_defaults(struct resource *out);

/* ------------------------------------------------------------------ */
/* Reads. Strings go to the arena. LS_ENOTFOUND (field NULL) if absent.  */

int catalogue_org_get(struct db *db, int64_t id, struct arena *a, struct organisation *out,
                      struct ls_err *err);
int catalogue_lab_get(struct db *db, int64_t id, struct arena *a, struct lab *out,
                      struct ls_err *err);
int catalogue_resource_get(struct db *db, int64_t id, struct arena *a, struct resource *out,
                           struct ls_err *err);
int catalogue_blackout_get(struct db *db, int64_t id, struct arena *a, struct blackout *out,
                           struct ls_err *err);
int catalogue_service_get(struct db *db, int64_t id, struct arena *a, struct service *out,
                          struct ls_err *err);
/* The organisation that owns a resource (through its lab); 0 if none. */
int64_t catalogue_resource_org(struct db *db, int64_t resource_id);

/* ------------------------------------------------------------------ */
/* Writes. Save inserts when id is 0 (setting id, created, updated) and
 * updates otherwise (bumping updated). 422 naming the field on invalid
 * input; 404 when updating an object that does not exist. */

int catalogue_org_save(struct db *db, struct organisation *o, struct ls_err *err);
int catalogue_lab_save(struct db *db, struct lab *l, struct ls_err *err);
int catalogue_resource_save(struct db *db, struct resource *r, struct ls_err *err);
int catalogue_blackout_add(struct db *db, struct blackout *b, struct ls_err *err);
int catalogue_service_save(struct db *db, struct service *s, struct ls_err *err);

/* Deletes. History is never lost: an organisation, lab or resource that any
 * booking refers to is refused with 409, as is an organisation that still
 * has labs or users. Otherwise the object goes with what only describes it
 * (opening hours, blackouts, training records, service links; an
 * organisation's services; a lab's resources). */
int catalogue_org_delete(struct db *db, int64_t id, struct ls_err *err);
int catalogue_lab_delete(struct db *db, int64_t id, struct ls_err *err);
int catalogue_resource_delete(struct db *db, int64_t id, struct ls_err *err);
int catalogue_blackout_delete(struct db *db, int64_t id, struct ls_err *err);
int catalogue_service_delete(struct db *db, int64_t id, struct ls_err *err);

/* Training records. grant: 422 'user_id' if there is no such user; *created
 * is 1 when the record is new, 0 when it existed. revoke: 404 if absent. */
int catalogue_training_grant(struct db *db, int64_t resource_id, int64_t user_id,
                             int64_t granted_by, int *created, struct ls_err *err);
int catalogue_training_revoke(struct db *db, int64_t resource_id, int64_t user_id,
                              struct ls_err *err);

/* ------------------------------------------------------------------ */
/* Lists: one page (limit, offset) in *items (arena array of *n) and the
 * number of matches in *total. Filters left 0/NULL (or -1 where noted) do
 * not filter. `q` matches every word (at most CATALOGUE_Q_TERMS) against
 * the folded search text, case- and diacritics-insensitively. */

struct org_filter {
    const char *group, *package, *q, *city;
    int member; /* -1 any */
};
struct lab_filter {
    int64_t organisation_id;
    const char *kind, *q, *city;
    const char *group; /* its organisation's interest group */
};
struct resource_filter {
    int64_t lab_id, organisation_id;
    const char *type, *q, *category, *city, *group, *kind;
    int shared;              /* -1 any */
    int requires_approval;   /* -1 any */
    int biosafety_level_min; /* -1 any */
    int has_free;            /* 1 = only resources with no approved booking and no
                                blackout overlapping [free_from, free_to) */
    int64_t free_from, free_to;
    int open_only; /* with has_free: only resources whose opening hours
                      cover the whole span (what can really be booked) */
};
struct service_filter {
    int64_t organisation_id, resource_id;
    const char *q;
};
struct blackout_filter {
    int64_t resource_id;
    int64_t from, to; /* 0 = open-ended */
};

int catalogue_org_list(struct db *db, const struct org_filter *f, int64_t limit, int64_t offset,
                       struct arena *a, struct organisation **items, int *n, int64_t *total,
                       struct ls_err *err);
int catalogue_lab_list(struct db *db, const struct lab_filter *f, int64_t limit, int64_t offset,
                       struct arena *a, struct lab **items, int *n, int64_t *total,
                       struct ls_err *err);
int catalogue_resource_list(struct db *db, const struct resource_filter *f, int64_t limit,
                            int64_t offset, struct arena *a, struct resource **items, int *n,
                            int64_t *total, struct ls_err *err);
int catalogue_service_list(struct db *db, const struct service_filter *f, int64_t limit,
                           int64_t offset, struct arena *a, struct service **items, int *n,
                           int64_t *total, struct ls_err *err);
int catalogue_blackout_list(struct db *db, const struct blackout_filter *f, int64_t limit,
                            int64_t offset, struct arena *a, struct blackout **items, int *n,
                            int64_t *total, struct ls_err *err);
int catalogue_training_list(struct db *db, int64_t resource_id, int64_t limit, int64_t offset,
                            struct arena *a, struct training **items, int *n, int64_t *total,
                            struct ls_err *err);

/* Rebuilds the search text of every organisation, lab, resource and service
 * in one transaction (after rows were written by other means than this
 * module, e.g. a bulk import or the benchmark generator). */
int catalogue_reindex(struct db *db, struct ls_err *err);

/* Folds text for searching: UTF-8 lower case with Polish and common Latin
 * diacritics folded to ASCII ("Łódź" → "lodz"); other characters kept.
 * Returns an arena string. */
char *catalogue_fold(struct arena *a, const char *s);

#endif
