/* api.h — the route tables of the api_*.c files and helpers they share.
 *
 * Each api_<noun>.c owns one table; routes.c lists them all. A table ends
 * with a zeroed entry. */
#ifndef LS_API_H
#define LS_API_H

#include <cjson/cJSON.h>

#include "csv.h"
#include "field.h"
#include "http.h"

extern const struct route api_core_routes[];      /* health, openapi (routes.c) */
extern const struct route api_auth_routes[];      /* session, me, users, audit (api_auth.c) */
extern const struct route api_catalogue_routes[]; /* organisations … services (api_catalogue.c) */
extern const struct route api_booking_routes[];   /* bookings (api_booking.c) */
extern const struct route api_feed_routes[];      /* feeds and /ical (api_feed.c) */
extern const struct route api_stats_routes[];     /* statistics (api_stats.c) */
extern const struct route api_notify_routes[];    /* notification settings, outbox (api_notify.c) */
extern const struct route api_import_routes[];    /* calendar sources, .ics upload (api_import.c) */
extern const struct route api_accounts_routes[];  /* invitations, resets, registrations, personal
                                                     data, sign-in settings (api_accounts.c) */
extern const struct route api_oidc_routes[];      /* /auth/oidc/start, /callback (api_oidc.c) */
extern const struct route api_price_routes[];     /* quotes, package discounts (api_price.c) */
extern const struct route api_statement_routes[]; /* monthly statements (api_statement.c) */
extern const struct route api_economic_routes[];  /* State aid: economic use (api_economic.c) */

/* The price a booking keeps (api_price.c). */
extern const struct shape api_price_shape;

/* A month's statement as the API answers it (api_statement.c), for the
 * command line too: JSON (caller owns it) and CSV (malloc'd, caller frees;
 * in the dialect of `locale`). */
struct statement;
cJSON *api_statement_json(const struct statement *s);
char *api_statement_csv(const struct statement *s, enum csv_locale locale, size_t *len);

/* The organisation a report (statements, economic use) covers for the
 * caller: staff whatever they asked for (0 = every organisation); an owner
 * always their own, 403 when they ask for another or have none
 * (api_statement.c). */
int api_report_organisation(struct req *r, int64_t asked, int64_t *out);
/* The report parameters format (json, csv) and locale (en, pl: the CSV's
 * separators) of statements and economic use (api_statement.c). */
extern const struct field_choice api_report_formats[], api_report_locales[];
/* Answers a CSV text (malloc'd; freed here) as the attachment `name`. */
int api_send_csv(struct req *r, char *text, size_t len, const char *name);

/* Economic use of funded resources (api_economic.c), for the command line
 * too. */
struct economic_use;
cJSON *api_economic_json(const struct economic_use *u);
char *api_economic_csv(const struct economic_use *u, enum csv_locale locale, size_t *len);

/* The public JSON shape of a user (no secrets). Caller owns the result. */
cJSON *api_user_json(const struct user *u);
/* Users' roles (held as enum role, FT_CODE from 1) and languages, and the
 * shapes of a user and of a fresh session {user, csrf} (api_auth.c). */
extern const struct field_choice api_roles[], api_langs[];
extern const struct shape api_user_shape, api_session_shape;

/* Sets (max_age > 0) or clears (token "", max_age 0) the session cookie:
 * HttpOnly, SameSite=Lax, Secure over HTTPS (api_auth.c). */
void api_set_session_cookie(struct req *r, const char *token, int max_age);
/* Makes `token` this browser's session, ending the one it had: sessions
 * are replaced, never stacked. */
void api_start_session(struct req *r, const char *token);
/* api_start_session, then answers {user, csrf} with `status`. */
int api_send_session(struct req *r, int status, const struct user *u, const char *token,
                     const char *csrf);

/* The catalogue objects paths name (api_catalogue.c), for every route
 * table whose path names one. */
extern const struct route_object api_organisation_object, api_lab_object, api_resource_object,
    api_service_object, api_blackout_object;
/* A user (api_auth.c): staff see anyone, everyone else only themselves. */
extern const struct route_object api_user_object;
/* A booking (api_booking.c): private to its booker, its resource's managers
 * and staff. */
extern const struct route_object api_booking_object;

/* Body → struct conversions of two routes, exposed so that the fuzz
 * harnesses (tests/fuzz/) run exactly what the handlers run. Each reads only
 * r->json (an object), allocates in r->arena and on failure returns the code
 * with r->err naming the field; nothing touches the database. */
struct booking_request;
/* POST /api/v1/bookings: resource_id, start, end, purpose, rrule ("" = none). */
int api_booking_request_from_json(struct req *r, struct booking_request *q);
/* POST /api/v1/feeds: scope word (FEED_* of feed.h), id and past_days. */
int api_feed_scope_from_json(struct req *r, int *scope, int64_t *id, int *past_days);

/* OpenAPI 3.1 document generated from the route tables (openapi.c).
 * Caller owns the result. */
cJSON *openapi_document(void);

#endif
