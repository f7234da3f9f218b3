/* names — the names a booking list prints beside each booking (its
 * resource's name and the organisation of the resource's lab, its booker's
 * name), kept in memory so that a list of hundreds of bookings reads them
 * without three joins a row.
 *
 * The database counts every change to those names in names_version
 * (migration 0023: triggers on users, resources and labs, so no writer can
 * forget), and a list reads the count with its rows, in the same snapshot
 * (NAMES_VERSION_SQL as a column). The copy kept at that count holds the
 * names of that snapshot or later ones, on every node; any other count has
 * the copy read again (a few milliseconds for thousands of users), at most
 * one reading at a time in the process.
 *
 * Ownership: names_get() lends a copy until names_put(); the strings it
 * hands out live as long as that loan. */
#ifndef LS_NAMES_H
#define LS_NAMES_H

#include <stdint.h>

#include "err.h"

struct arena;
struct db;
struct names;

/* The count as a column of a list's SELECT: evaluated once per statement. */
#define NAMES_VERSION_SQL "(SELECT version FROM names_version WHERE id = 1)"

/* The names at `version` (as NAMES_VERSION_SQL read it; known = 0 when it
 * read NULL: a copy is read for this caller alone). NULL on a database
 * error, with err set. */
const struct names *names_get(struct db *db, int64_t version, int known, struct ls_err *err);
void names_put(const struct names *n); /* NULL is fine */

/* A resource's name (and its lab's organisation in *organisation_id) and a
 * user's name. An id the copy lacks (it cannot, unless a row was written
 * past the triggers) is read from db into a; NULL (and 0) when there is no
 * such row. */
const char *names_resource(const struct names *n, struct db *db, struct arena *a, int64_t id,
                           int64_t *organisation_id);
const char *names_user(const struct names *n, struct db *db, struct arena *a, int64_t id);

#endif
