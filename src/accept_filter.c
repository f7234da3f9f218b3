/* accept_filter.c — labshare's own accept(), in front of civetweb's.
 *
 * civetweb 1.15 has no hook between accepting a socket and handing it to
 * a worker thread (init_connection runs in the worker, after a thread is
 * already taken, and it is not given the socket). A per-address limit that
 * costs a flood nothing must act at accept() itself, and the request
 * watchdog needs each connection's descriptor (conn.h). So the labshare
 * executable defines accept(): libcivetweb.so's call to accept() binds to
 * the executable's definition before libc's (ELF symbol interposition;
 * the linker exports it because a shared library on the link line
 * references it; the build's -fvisibility=hidden would hide it, so it is
 * marked visible). This one calls the next accept() in the search order —
 * libc's, or AddressSanitizer's wrapper of it — and shows the result to
 * conn_accepted().
 *
 * Only the executable links this file: the unit tests and fuzz targets run
 * without it, and conn.c serves connections it never saw without limits.
 * tests/http/limits.test.mjs fails if the filter stops working (a civetweb
 * that calls accept4(), say). */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <sys/socket.h>

#include "conn.h"

typedef int (*accept_fn)(int, struct sockaddr *, socklen_t *);

static accept_fn next_accept;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void find_next(void)
{
    next_accept = (accept_fn)dlsym(RTLD_NEXT, "accept");
}

__attribute__((visibility("default"))) int accept(int fd, struct sockaddr *addr, socklen_t *len)
{
    pthread_once(&once, find_next);
    if (!next_accept) {
        errno = ENOSYS;
        return -1;
    }
    /* civetweb asks for the peer's address; keep our own copy in case a
     * caller does not. */
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    struct sockaddr *sa = addr ? addr : (struct sockaddr *)&ss;
    socklen_t *slp = addr ? len : &sl;
    int c = next_accept(fd, sa, slp);
    if (c < 0)
        return c;
    if (!conn_accepted(c, sa, *slp)) {
        /* Refused and closed: the caller sees a connection that went away
         * before it was accepted, and polls for the next one. */
        errno = ECONNABORTED;
        return -1;
    }
    return c;
}
