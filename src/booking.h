/* booking.h — the booking domain module (to be filled in). */
#ifndef LS_BOOKING_H
#define LS_BOOKING_H

#endif
