/* api_stats.c — HTTP routes of the stats module (to be filled in). */
#include "api.h"

const struct route api_stats_routes[] = {
    {0},
};
