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

/* The public JSON shape of a user (no secrets). Caller owns the result. */
cJSON *api_user_json(const struct user *u);

/* OpenAPI 3.1 document generated from the route tables (openapi.c).
 * Caller owns the result. */
cJSON *openapi_document(void);

#endif
