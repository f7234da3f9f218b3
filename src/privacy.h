/* privacy.h — a person's data: everything stored about them, for them to
 * take away (GDPR articles 15 and 20), and erasing who they are while the
 * cluster keeps its statistics (article 17).
 *
 * Domain code: no civetweb, no cJSON. The export reads whole rows (SELECT
 * *) of every table that holds the person's data, so columns added later
 * are exported without anyone remembering to; secrets (password and token
 * hashes, CSRF tokens, link tokens) and internal search text are left out
 * by name. */
#ifndef LS_PRIVACY_H
#define LS_PRIVACY_H

#include <stdint.h>

#include "arena.h"
#include "auth.h"
#include "err.h"

struct db;

enum privacy_type { PRIVACY_NULL, PRIVACY_INT, PRIVACY_REAL, PRIVACY_TEXT, PRIVACY_TIME };

/* One value: PRIVACY_TIME is an integer column holding seconds UTC (named
 * created, updated, start, end, … or …_at). */
struct privacy_value {
    enum privacy_type type;
    int64_t i;     /* INT, TIME */
    double r;      /* REAL */
    const char *s; /* TEXT (UTF-8) */
};

/* One table of the export: rows of named columns. Arena memory. */
struct privacy_section {
    const char *name; /* "account", "bookings", … */
    int ncols, nrows;
    const char **cols;
    struct privacy_value *cells; /* nrows × ncols, row by row */
};

/* Every section about user_id, in a fixed order, into an arena array, read
 * from one snapshot. LS_ENOTFOUND if there is no such user. */
int privacy_export(struct privacy_section **out, int *n, struct db *db, struct arena *a,
                   int64_t user_id, struct ls_err *err);

/* Staff erase who user `id` is: name and e-mail replaced (the address by
 * anonymised-<id>@invalid), the account deactivated with a password nobody
 * knows, its sessions, feeds, single sign-on links, notification settings
 * and pending links ended, the purpose it typed into bookings, its
 * registration and the client addresses in its audit entries cleared, its
 * queued mail withdrawn. Bookings, training records and audit entries stay,
 * under the same id, for statistics and accountability. 403 unless staff;
 * 422 for one's own account; 404 for no such user. Audited as
 * user.anonymise. */
int privacy_anonymise(struct db *db, const struct user *actor, int64_t id, const char *ip,
                      struct ls_err *err);

#endif
