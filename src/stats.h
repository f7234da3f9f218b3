/* stats.h — the stats domain module (to be filled in). */
#ifndef LS_STATS_H
#define LS_STATS_H

#endif
