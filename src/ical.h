/* ical.h — the ical domain module (to be filled in). */
#ifndef LS_ICAL_H
#define LS_ICAL_H

#endif
