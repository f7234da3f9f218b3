/* catalogue.h — organisations, labs, resources, opening hours, blackouts,
 * services and training records: what can be booked and who owns it.
 *
 * Domain code (no civetweb, no cJSON). The booking, feed and stats modules
 * read the catalogue through the functions below rather than repeating its
 * SQL. */
#ifndef LS_CATALOGUE_H
#define LS_CATALOGUE_H

#include <stdint.h>

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

#endif
