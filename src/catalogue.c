/* catalogue.c — the catalogue domain module (to be filled in). */
#include "catalogue.h"
