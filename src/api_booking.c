/* api_booking.c — HTTP routes of the booking module (to be filled in). */
#include "api.h"

const struct route api_booking_routes[] = {
    {0},
};
