/* api_catalogue.c — HTTP routes of the catalogue module (to be filled in). */
#include "api.h"

const struct route api_catalogue_routes[] = {
    {0},
};
