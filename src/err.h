/* err.h — the one list of errors labshare answers with.
 *
 * Each entry gives the enum name, the HTTP status and the API code string
 * of ../shared/API.md. Functions return 0 (LS_OK) or one of these; the detail
 * (field, human message, conflicting ids) goes into a struct ls_err set where
 * the failure arises. */
#ifndef LS_ERR_H
#define LS_ERR_H

#include <stdint.h>

#include "msg.h"

#define LS_ERRORS(X)                                                                               \
    X(LS_OK, 200, "ok")                                                                            \
    X(LS_EBADREQ, 400, "bad_request")                                                              \
    X(LS_EUNAUTH, 401, "unauthenticated")                                                          \
    X(LS_EFORBIDDEN, 403, "forbidden")                                                             \
    X(LS_ENOTFOUND, 404, "not_found")                                                              \
    X(LS_EMETHOD, 405, "method_not_allowed")                                                       \
    X(LS_ETIMEOUT, 408, "request_timeout")                                                         \
    X(LS_ECONFLICT, 409, "conflict")                                                               \
    X(LS_EECONOMIC_CAP, 409, "economic_cap") /* State aid: economic.h */                           \
    X(LS_EGONE, 410, "gone")                                                                       \
    X(LS_ETOOLARGE, 413, "payload_too_large")                                                      \
    X(LS_EVALIDATION, 422, "validation")                                                           \
    X(LS_ETOOMANY, 429, "too_many_requests")                                                       \
    X(LS_EINTERNAL, 500, "internal")                                                               \
    X(LS_EUNAVAILABLE, 503, "unavailable")                                                         \
    X(LS_EDBUNAVAILABLE, 503, "database_unavailable")

enum ls_code {
#define LS_X_ENUM(name, status, str) name,
    LS_ERRORS(LS_X_ENUM)
#undef LS_X_ENUM
        LS_NCODES
};

/* How many conflicting ids an error carries at most (the rest are counted). */
#define LS_ERR_MAX_IDS 32
/* How many bookings a refused change lists at most (the rest are counted):
 * a long blackout over a busy instrument touches many. */
#define LS_ERR_MAX_BOOKINGS 500

struct ls_err {
    enum ls_code code;
    char field[64]; /* offending field or parameter, "" if none */
    /* Human text, English (for logs too) and Polish (msg.h): "{field}"
     * stands for the field's label, put in by the HTTP layer in the caller's
     * language. */
    char message[256];
    char message_pl[256];
    int retry_after; /* seconds, for LS_ETOOMANY; 0 = none */
    int nconflicts;  /* booking ids that clash (LS_ECONFLICT) */
    int64_t conflicts[LS_ERR_MAX_IDS];
    int nblackouts; /* blackout ids that clash (LS_ECONFLICT) */
    int64_t blackouts[LS_ERR_MAX_IDS];
    /* Bookings a refused catalogue change would break (LS_ECONFLICT, API.md
     * § Changes that touch existing bookings), in start order. */
    int nbookings;
    int64_t bookings[LS_ERR_MAX_BOOKINGS];
};

/* Records code, field (may be NULL) and a printf-style message in *e and
 * returns code, so callers can write `return ls_err_set(e, ...)`. fmt is
 * English; its Polish form comes from msg_pl.c, formatted with the same
 * arguments. Name the field as "{field}", never by its JSON name. */
int ls_err_set(struct ls_err *e, enum ls_code code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Records a message written in each language by the caller (texts built
 * from parts that differ by language, such as a type's noun). */
int ls_err_set_both(struct ls_err *e, enum ls_code code, const char *field, const char *en,
                    const char *pl);

void ls_err_clear(struct ls_err *e);

/* Adds an id to the conflict (is_blackout = 0) or blackout list. */
void ls_err_add_conflict(struct ls_err *e, int is_blackout, int64_t id);
/* Adds a booking id to the list of bookings a change would break. */
void ls_err_add_booking(struct ls_err *e, int64_t id);

/* The message in a language (still holding "{field}"). */
const char *ls_err_message(const struct ls_err *e, enum msg_lang lang);

int ls_code_status(enum ls_code code);    /* HTTP status, 500 for unknown codes */
const char *ls_code_name(enum ls_code c); /* API code string */

#endif
