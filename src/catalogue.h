/* catalogue.h — organisations, labs, resources, opening hours, blackouts,
 * services and training records: what can be booked and who owns it.
 *
 * Each catalogue type is described once, as data (struct ctype: a field
 * table, field.h, plus its table, joins, owner and hooks), and generic code
 * reads, lists, creates, changes and deletes every type the same way. A rule
 * that belongs to one type only (the slot grid's limits, a service's
 * resources belonging to its organisation, history kept on delete) is a hook
 * of that type, not a copy of the generic code.
 *
 * Domain code (no civetweb, no cJSON). The booking, feed and stats modules
 * read the catalogue through the functions below rather than repeating its
 * SQL. Objects are plain structs whose strings live in the caller's arena
 * (when loaded) or anywhere the caller likes (when saved).
 *
 * Writes go through the one write path (db_write, db.h): called outside a
 * write each function runs in a transaction of its own; called inside one
 * (the HTTP layer's unit of work, the demo loader) it runs in a savepoint of
 * it, so a refused write leaves nothing behind either way. */
#ifndef LS_CATALOGUE_H
#define LS_CATALOGUE_H

#include <stdint.h>

#include "arena.h"
#include "auth.h"
#include "err.h"
#include "field.h"
#include "hours.h"

struct db;

/* ------------------------------------------------------------------ */
/* Objects                                                              */

/* A resource's price list: net hourly rates by customer class (price.h). */
struct price_list {
    const char *currency; /* one of catalogue_currencies */
    /* Net per hour in currency units; NAN = that class may not book. */
    double internal, member_academic, member_commercial, non_member;
};

/* Public funding of a resource (State aid, economic.h). */
struct funding {
    const char *programme; /* the programme or grant, never blank */
    double economic_cap;   /* economic use may take at most this fraction (0..1) of
                              the year's available hours */
};

struct organisation {
    int64_t id; /* 0 = not saved yet */
    const char *name;
    const char *short_name; /* "" when none */
    const char *group;      /* interest group, one of catalogue_groups */
    const char *package;    /* membership package, one of catalogue_packages */
    int member;             /* counts in the indicators */
    const char *city;       /* NULL = unknown */
    const char *website;    /* NULL = none; http(s) URL */
    const char *description;
    int requires_cost_centre;         /* its users must give a cost centre when booking */
    struct field_words email_domains; /* who registers with such an address joins it */
    int64_t created, updated;
};

struct lab {
    int64_t id;
    int64_t organisation_id;
    const char *name;
    const char *kind;                      /* one of catalogue_kinds */
    double area_m2;                        /* > 0 */
    double energy_kwh_per_m2_year;         /* ≥ 0; NAN = the default for its kind */
    const char *building, *address, *city; /* NULL = unknown */
    int biosafety_level;                   /* 0..4 */
    const char *description;
    int64_t created, updated;
    /* read only, from the joins */
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
    struct hours_week hours;  /* normalised by save */
    struct price_list prices; /* all zero (currency NULL) = no price list: free */
    struct funding funding;   /* all zero (programme NULL) = not publicly funded */
    int charge_no_show;       /* statements charge no-shows */
    int late_cancel_hours;    /* a booker's cancellation this close to the start is charged;
                                 0 = never */
    int64_t created, updated;
    /* read only, from the joins */
    int64_t organisation_id;
    const char *lab_name, *organisation_name, *organisation_short_name;
    const char *city;       /* the lab's city, else its organisation's; NULL = unknown */
    int biosafety_level;    /* its lab's */
    int trained;            /* the viewer is trained on it */
    int training_requested; /* the viewer has asked for training on it (still open) */
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
    struct field_ids resources; /* sorted and unique after save */
    int64_t created, updated;
    const char *organisation_name; /* read only */
};

struct training {
    int64_t resource_id, user_id;
    const char *user_name;
    const char *user_email;        /* NULL when the viewer may not see it (authz_sees_email) */
    int64_t user_organisation_id;  /* 0 = a guest */
    const char *organisation_name; /* the user's; NULL for guests */
    int64_t granted_by;            /* 0 = unknown */
    int64_t granted_at;
};

/* A request for training on a resource (POST …/training-requests). */
struct training_request {
    int64_t id, resource_id, user_id;
    const char *message; /* "" = none */
    int64_t created, updated;
    /* read only */
    const char *user_name;
    const char *user_email; /* NULL when the viewer may not see it */
    int64_t user_organisation_id;
    const char *organisation_name; /* the user's; NULL for guests */
};

/* Someone an owner may record as trained (the type-ahead). */
struct training_candidate {
    int64_t user_id;
    const char *name;
    const char *email; /* NULL when the viewer may not see it */
    int64_t organisation_id;
    const char *organisation_name; /* NULL for guests */
    int trained;                   /* already trained on the resource */
    int asked;                     /* has an open request for training on it */
};

/* List filters: which members are given is the caller's presence mask
 * (bit i = field i of the type's filter shape). */
struct org_filter {
    const char *group, *package, *q, *city;
    int member;
};
struct lab_filter {
    int64_t organisation_id;
    const char *kind, *group, *city, *q;
};
struct resource_filter {
    int64_t lab_id, organisation_id;
    const char *type, *kind, *group, *category, *city, *q;
    int shared, requires_approval, biosafety_level_min;
    /* Bookable for the whole of [free_from, free_to): open throughout it,
     * with no blackout and no approved booking in it. */
    int64_t free_from, free_to;
    int open; /* accepted for compatibility: free_from/free_to imply it */
};
struct service_filter {
    int64_t organisation_id, resource_id;
    const char *q;
};
struct blackout_filter {
    int64_t resource_id; /* from the path */
    int64_t from, to;
};

/* ------------------------------------------------------------------ */
/* Types                                                                */

/* Search texts of other rows that show this type's names: refreshed when a
 * row of this type changes. `where` selects them by the changed row's :id. */
struct ctype_cascade {
    const struct ctype *type;
    const char *where; /* "organisation_id = :id" */
};

/* What a write may do to the bookings it would leave against the rules
 * (API.md § Changes that touch existing bookings): a blackout over them, new
 * opening hours that no longer hold them, a resource that stops being
 * shared with their bookers' organisations. The caller says whether to
 * refuse (409 `conflict` listing them in err->bookings, nothing written) or
 * to cancel exactly those in the same unit of work. Cancelling is the
 * booking module's; the catalogue cannot call up, so the caller hands it
 * down (the HTTP layer passes booking_cancel_for_change). */
struct catalogue_effects {
    int cancel;          /* 1: cancel them; 0: refuse the change */
    const char *message; /* the caller's words to the bookers; NULL = the change's own
                            (a blackout's reason, else a sentence naming the change) */
    int64_t now;         /* bookings that ended by then are history and stay */
    /* Cancels one booking inside the running write. `reason` is the message,
     * the blackout's reason or one of the sentences below (English: msg_pl()
     * has their Polish, so they are shown in each reader's language). */
    int (*cancel_booking)(struct db *db, int64_t booking_id, const char *reason, void *ctx,
                          struct ls_err *err);
    void *ctx;
    int cancelled; /* out: how many were cancelled */
};

/* The sentences a cancelled booking's reason holds when the owner wrote
 * none (each has its Polish form in msg_pl.c). */
#define CATALOGUE_WHY_BLACKOUT MSG_TEXT("The resource is unavailable at this time (a blackout).")
#define CATALOGUE_WHY_HOURS                                                                        \
    MSG_TEXT("The resource's opening hours changed and no longer cover this booking.")
#define CATALOGUE_WHY_UNSHARED                                                                     \
    MSG_TEXT("The resource is no longer shared with other organisations.")

struct ctype {
    struct shape shape; /* first: a ctype is a shape (field.h) */
    const char *table;  /* "labs" */
    const char *alias;  /* "l": the table's alias in `from` */
    const char *from;   /* "labs l JOIN organisations o ON o.id = l.organisation_id" */
    const char *owner;  /* over `from`: the organisation that manages a row */
    const char *search; /* correlated subquery writing `search` with fold(…) over the
                           unaliased table, or NULL for types without one */
    const struct ctype_cascade *cascades; /* ends with a NULL type */
    const char *order;                    /* list order */
    const struct shape *filter;           /* list query parameters */
    int has_updated;                      /* rows carry `updated` */
    /* Rules beyond single fields, after the field checks, inside the write
     * (old is NULL when creating). 422 naming a field. */
    int (*check)(struct db *db, void *obj, const void *old, struct ls_err *err);
    /* Cross-parameter rules of a list's filter. */
    int (*check_filter)(const void *filter, uint64_t present, struct ls_err *err);
    /* A list condition SQL cannot express: 1 to keep the row. When set and
     * `wants` says the filter asks for it, lists judge every row in C. */
    int (*keep)(struct db *db, const void *filter, const void *row);
    int (*wants_keep)(const void *filter, uint64_t present);
    /* Before a delete: 409 when history refers to the row; removes what only
     * describes it. After any write: rows that show this one (touches). */
    int (*before_delete)(struct db *db, int64_t id, struct ls_err *err);
    int (*after_write)(struct db *db, const void *obj, int64_t id, struct ls_err *err);
    /* Inside a create or change, after the checks and before the row is
     * written (old is NULL when creating): the bookings the new values would
     * leave against the rules, refused or cancelled as fx says (NULL:
     * refused). */
    int (*bookings)(struct db *db, const void *obj, const void *old, struct catalogue_effects *fx,
                    struct ls_err *err);
};

extern const struct ctype catalogue_organisation, catalogue_lab, catalogue_resource,
    catalogue_service, catalogue_blackout;
/* Their list filters (each type's .filter). */
extern const struct shape catalogue_org_filter, catalogue_lab_filter, catalogue_resource_filter,
    catalogue_service_filter, catalogue_blackout_filter;

/* The enumerations (field.h choices, ending with a NULL value). */
extern const struct field_choice catalogue_groups[];     /* BioF BIZ MED R&D EDU GOV */
extern const struct field_choice catalogue_packages[];   /* standard silver gold none */
extern const struct field_choice catalogue_kinds[];      /* commercial scientific teaching office
                                                            coworking */
extern const struct field_choice catalogue_types[];      /* room instrument desk */
extern const struct field_choice catalogue_currencies[]; /* PLN EUR USD GBP CHF */

#define CATALOGUE_NAME_MAX 200
#define CATALOGUE_SHORT_MAX 40
#define CATALOGUE_TEXT_MAX 4000      /* descriptions, characters */
#define CATALOGUE_LINE_MAX 300       /* building, address, city, category, reason, website */
#define CATALOGUE_AREA_MAX 1e6       /* m² */
#define CATALOGUE_ENERGY_MAX 1e5     /* kWh/m²·year */
#define CATALOGUE_POWER_MAX 1e3      /* kW */
#define CATALOGUE_MINUTES_MAX 527040 /* max_minutes: 366 days */
#define CATALOGUE_SERVICE_RESOURCES_MAX 100
#define CATALOGUE_Q_MAX 200             /* characters of a search string */
#define CATALOGUE_Q_TERMS 6             /* words of a search string that count */
#define CATALOGUE_FREE_MAX_DAYS 366     /* longest free_from..free_to span */
#define CATALOGUE_RATE_MAX 1e6          /* net per hour, currency units */
#define CATALOGUE_LATE_CANCEL_MAX 17544 /* hours: the two-year booking horizon */
#define CATALOGUE_DEFAULT_CAP 0.20      /* State aid: 20 % of the year's capacity */

/* The type a shape describes, when it is a catalogue type (else NULL). */
const struct ctype *catalogue_type_of(const struct shape *sh);

/* ------------------------------------------------------------------ */
/* Generic operations. `obj` points at the type's struct.              */

/* A new object with the API's defaults (strings static). */
void catalogue_defaults(const struct ctype *t, void *obj);

/* Asks to hear the database's announcements of catalogue changes, so
 * that the server may keep what catalogue_get read (PostgreSQL;
 * db_step_kept): before db_watch_start. */
int catalogue_listen(struct ls_err *err);

/* Loads one object. viewer (0 = nobody) fills per-viewer columns (a
 * resource's `trained`). LS_ENOTFOUND (field NULL) if absent. On
 * PostgreSQL, outside a transaction, the server may answer from what it
 * read before (db_step_kept; catalogue_listen). */
int catalogue_get(struct db *db, const struct ctype *t, int64_t id, int64_t viewer, struct arena *a,
                  void *obj, struct ls_err *err);

/* The organisation that manages object id (through its joins): 0 when the
 * type has none, LS_ENOTFOUND when there is no such object. */
int catalogue_owner(struct db *db, const struct ctype *t, int64_t id, int64_t *org,
                    struct ls_err *err);

/* One page (limit, offset) of the objects matching the filter (an object of
 * t->filter, with `present` saying which members are given) in *items (an
 * arena array of *n objects), and the number of matches in *total. */
int catalogue_list(struct db *db, const struct ctype *t, const void *filter, uint64_t present,
                   int64_t viewer, int64_t limit, int64_t offset, struct arena *a, void **items,
                   int *n, int64_t *total, struct ls_err *err);

/* The type's cross-parameter rules for a list's filter (t->check_filter):
 * 422 naming the parameter. */
int catalogue_check_filter(const struct ctype *t, const void *filter, uint64_t present,
                           struct ls_err *err);

/* Creates obj (its id is ignored): checks every field and the type's rules
 * (422 naming the field), writes it and what hangs on it (opening hours,
 * links, search text), and sets id, created and updated. */
int catalogue_create(struct db *db, const struct ctype *t, void *obj, struct ls_err *err);
/* The same, with what to do about the bookings the new object breaks
 * (struct catalogue_effects; NULL = refuse with 409). */
int catalogue_create_fx(struct db *db, const struct ctype *t, void *obj,
                        struct catalogue_effects *fx, struct ls_err *err);

/* Writes a changed object: obj holds the new values, old what was loaded
 * (NULL: loaded again here). Same checks as creating; a FF_PARENT field may
 * only move to a parent of the same organisation. 404 if obj->id is gone. */
int catalogue_update(struct db *db, const struct ctype *t, void *obj, const void *old,
                     struct ls_err *err);
int catalogue_update_fx(struct db *db, const struct ctype *t, void *obj, const void *old,
                        struct catalogue_effects *fx, struct ls_err *err);

/* Deletes an object. History is never lost: an organisation, lab or
 * resource that any booking refers to is refused with 409, as is an
 * organisation that still has labs or users. Otherwise the object goes
 * with what only describes it (opening hours, blackouts, training records,
 * service links; an organisation's services; a lab's resources). */
int catalogue_delete(struct db *db, const struct ctype *t, int64_t id, struct ls_err *err);

/* The id, created and updated of an object (0 where the type has none). */
int64_t catalogue_id(const struct ctype *t, const void *obj);

/* Rebuilds the search text of every row of every type in one transaction
 * (after rows were written by other means than this module, e.g. a bulk
 * import or the benchmark generator). */
int catalogue_reindex(struct db *db, struct ls_err *err);

/* Folds text for searching (fold.h) into the arena. */
char *catalogue_fold(struct arena *a, const char *s);

/* ------------------------------------------------------------------ */
/* What the booking rules need                                          */

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

/* The rules of a resource already loaded (catalogue_get), as
 * catalogue_resource_rules() reads them; out's hours are a copy. */
void catalogue_rules_of(const struct resource *r, struct resource_rules *out);

/* Opening hours of a resource (empty = closed). */
int catalogue_hours_load(struct db *db, int64_t resource_id, struct hours_week *out,
                         struct ls_err *err);

/* 1 if the user is recorded as trained on the resource, else 0. */
int catalogue_user_trained(struct db *db, int64_t resource_id, int64_t user_id);

/* The organisation that owns a resource (through its lab); 0 if none. */
int64_t catalogue_resource_org(struct db *db, int64_t resource_id);

/* ------------------------------------------------------------------ */
/* Training records                                                     */

/* grant: 422 'user_id' if there is no such user; *created is 1 when the
 * record is new, 0 when it existed. It answers the user's open training
 * requests for the resource. revoke: 404 if absent. */
int catalogue_training_grant(struct db *db, int64_t resource_id, int64_t user_id,
                             int64_t granted_by, int *created, struct ls_err *err);
int catalogue_training_revoke(struct db *db, int64_t resource_id, int64_t user_id,
                              struct ls_err *err);
/* The users trained on a resource, by name. E-mail addresses only where the
 * viewer may see them (authz_sees_email): never another organisation's to
 * an owner (API.md § Changes that touch existing bookings). */
int catalogue_training_list(struct db *db, const struct user *viewer, int64_t resource_id,
                            int64_t limit, int64_t offset, struct arena *a, struct training **items,
                            int *n, int64_t *total, struct ls_err *err);
/* One record (the answer to a grant), e-mail as for the list; LS_ENOTFOUND
 * when the user is not trained on it. */
int catalogue_training_get(struct db *db, const struct user *viewer, int64_t resource_id,
                           int64_t user_id, struct arena *a, struct training *out,
                           struct ls_err *err);
/* The user with this address (any case); 422 naming `field` when there is
 * none. Says nothing else about the account. */
int catalogue_user_by_email(struct db *db, const char *email, const char *field, int64_t *id,
                            struct ls_err *err);

#define CATALOGUE_CANDIDATES_MAX 20 /* type-ahead answers */

/* Whom `viewer` may record as trained on resource_id, matching q (folded;
 * NULL = anyone) in the name, and in the e-mail address where the viewer
 * may see it: staff everyone; an owner the users of their organisation,
 * anyone trained on its resources and anyone who asked for training on
 * them. At most `limit` (≤ CATALOGUE_CANDIDATES_MAX), by name. */
int catalogue_training_candidates(struct db *db, const struct user *viewer, int64_t resource_id,
                                  const char *q, int limit, struct arena *a,
                                  struct training_candidate **items, int *n, struct ls_err *err);

/* A signed-in user asks for training on a resource (any resource: every
 * resource is visible to every signed-in user). 409 when they are trained
 * already. A first request is created (*created = 1) and its owners are
 * e-mailed (notify outbox); asking again while one is open changes its
 * message (*created = 0) and mails nobody. */
int catalogue_training_request(struct db *db, int64_t resource_id, const struct user *who,
                               const char *message, int64_t now, struct arena *a,
                               struct training_request *out, int *created, struct ls_err *err);
/* The open requests for training on a resource, oldest first; e-mail
 * addresses as for the training list. */
int catalogue_training_requests(struct db *db, const struct user *viewer, int64_t resource_id,
                                int64_t limit, int64_t offset, struct arena *a,
                                struct training_request **items, int *n, int64_t *total,
                                struct ls_err *err);

#endif
