/* feed.h — the feed domain module (to be filled in). */
#ifndef LS_FEED_H
#define LS_FEED_H

#endif
