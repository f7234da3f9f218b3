/* demo_bookings.c — a few months of realistic demo bookings (filled in with
 * the booking module). Called by demo_load() after the catalogue and the
 * accounts exist. */
#include "cli.h"
#include "db.h"

int demo_bookings(struct db *db)
{
    (void)db;
    return 0;
}
