/* api.h — the route tables of the api_*.c files and helpers they share.
 *
 * Each api_<noun>.c owns one table; routes.c lists them all. A table ends
 * with a zeroed entry. */
#ifndef LS_API_H
#define LS_API_H

#include <cjson/cJSON.h>

#include "http.h"

extern const struct route api_core_routes[];      /* health, openapi (routes.c) */
extern const struct route api_auth_routes[];      /* session, me, users, audit (api_auth.c) */
extern const struct route api_catalogue_routes[]; /* organisations … services (api_catalogue.c) */
extern const struct route api_booking_routes[];   /* bookings (api_booking.c) */
extern const struct route api_feed_routes[];      /* feeds and /ical (api_feed.c) */
extern const struct route api_stats_routes[];     /* statistics (api_stats.c) */
extern const struct route api_notify_routes[];    /* notification settings, outbox (api_notify.c) */
extern const struct route api_accounts_routes[];  /* invitations, resets, registrations, personal
                                                     data, sign-in settings (api_accounts.c) */
extern const struct route api_oidc_routes[];      /* /auth/oidc/start, /callback (api_oidc.c) */

/* The public JSON shape of a user (no secrets). Caller owns the result. */
cJSON *api_user_json(const struct user *u);

/* Sets (max_age > 0) or clears (token "", max_age 0) the session cookie:
 * HttpOnly, SameSite=Lax, Secure over HTTPS (api_auth.c). */
void api_set_session_cookie(struct req *r, const char *token, int max_age);

/* The caller's language: the signed-in user's, else the first of pl/en in
 * Accept-Language, else "pl" (api_accounts.c). */
const char *api_lang(struct req *r);

/* Body → struct conversions of three routes, exposed so that the fuzz
 * harnesses (tests/fuzz/) run exactly what the handlers run. Each reads only
 * r->json (an object), allocates in r->arena and on failure returns the code
 * with r->err naming the field; nothing touches the database. */
struct booking_request;
struct resource;
/* POST /api/v1/bookings: resource_id, start, end, purpose, rrule ("" = none). */
int api_booking_request_from_json(struct req *r, struct booking_request *q);
/* POST/PATCH /api/v1/resources, everything but lab_id: create = 1 makes
 * type and name required; absent fields leave *res as it was. */
int api_resource_from_json(struct req *r, struct resource *res, int create);
/* POST /api/v1/feeds: scope word (FEED_* of feed.h) and id. */
int api_feed_scope_from_json(struct req *r, int *scope, int64_t *id);

/* OpenAPI 3.1 document generated from the route tables (openapi.c).
 * Caller owns the result. */
cJSON *openapi_document(void);

#endif
