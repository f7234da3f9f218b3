/* arena.h — a per-request region allocator.
 *
 * Everything a request handler allocates from the arena is released in one
 * arena_release() after the reply (as nginx's r->pool). Pointers returned
 * are owned by the arena: never free() them. Allocation failure aborts the
 * process, like every out-of-memory path in labshare: a server that cannot
 * allocate 4 KiB cannot answer anyway, and systemd restarts it. */
#ifndef LS_ARENA_H
#define LS_ARENA_H

#include <stddef.h>

struct arena_block;
struct arena_cleanup;

struct arena {
    struct arena_block *head;       /* newest block first */
    size_t used_total;              /* bytes handed out, for limits and tests */
    struct arena_cleanup *cleanups; /* run by arena_release, newest first */
};

void *arena_alloc(struct arena *a, size_t n);       /* zeroed, 16-byte aligned */
char *arena_strdup(struct arena *a, const char *s); /* NULL stays NULL */
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Calls fn(arg) in arena_release(), before the blocks are freed, newest
 * first: for what the request borrowed and must give back (a cached feed
 * body lent instead of copied). */
void arena_on_release(struct arena *a, void (*fn)(void *arg), void *arg);
void arena_release(struct arena *a); /* runs the cleanups, frees all blocks; reusable */

#endif
