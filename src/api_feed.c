/* api_feed.c — HTTP routes of the feed module (to be filled in). */
#include "api.h"

const struct route api_feed_routes[] = {
    {0},
};
