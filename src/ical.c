/* ical.c — the ical domain module (to be filled in). */
#include "ical.h"
