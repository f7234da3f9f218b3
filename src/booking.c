/* booking.c — the booking domain module (to be filled in). */
#include "booking.h"
