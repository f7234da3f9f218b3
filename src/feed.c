/* feed.c — the feed domain module (to be filled in). */
#include "feed.h"
