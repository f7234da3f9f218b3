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

struct arena {
    struct arena_block *head; /* newest block first */
    size_t used_total;        /* bytes handed out, for limits and tests */
};

void *arena_alloc(struct arena *a, size_t n);   /* zeroed, 16-byte aligned */
char *arena_strdup(struct arena *a, const char *s); /* NULL stays NULL */
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void arena_release(struct arena *a); /* frees all blocks; the arena can be reused */

#endif
