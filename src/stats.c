/* stats.c — the stats domain module (to be filled in). */
#include "stats.h"
