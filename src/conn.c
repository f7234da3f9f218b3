/* conn.c — see conn.h.
 *
 * One table, indexed by socket descriptor, holds every connection the
 * filter let in: its address, and the deadline of the request it waits
 * for. The table's mutex orders the watchdog's shutdown() against
 * civetweb closing the socket: civetweb calls connection_close (and so
 * conn_closed, which frees the slot under the mutex) before it closes the
 * descriptor, so the watchdog never shuts a descriptor that has been
 * closed and reused. The one path where civetweb closes a socket without
 * that callback is stopping (sockets still queued); the watchdog is stopped
 * before civetweb is. */
#include "conn.h"

#include <arpa/inet.h>
#include <civetweb.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "timeutil.h"

#define TICK_MS 50 /* the watchdog's resolution */

struct slot {
    int used;
    unsigned char addr[16]; /* IPv4 in the first 4 bytes, or IPv6 */
    int v6;
    uint16_t port;
    int64_t deadline; /* monotonic ms; 0 = no clock running */
    int expired;      /* the deadline passed: shut for reading */
    const struct mg_connection *conn;
};

static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct slot *slot; /* by descriptor */
    int cap;           /* slots */
    int hi;            /* 1 + the highest descriptor in use */
    int per_client, request_ms;
    char *refusal;
    size_t refusal_len;
    int running, stopping;
    pthread_t thread;
    struct conn_stats stats;
    int warned;
} tab = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

/* The bytes that identify a client: IPv4 (also when mapped into IPv6), or
 * the /64 of an IPv6 address. */
static int same_client(const struct slot *a, const struct slot *b)
{
    if (a->v6 != b->v6)
        return 0;
    return memcmp(a->addr, b->addr, a->v6 ? 8 : 4) == 0;
}

/* Fills s's address and port from sa; 0 if it is no IP address. */
static int from_sockaddr(struct slot *s, const struct sockaddr *sa, socklen_t len)
{
    memset(s->addr, 0, sizeof s->addr);
    if (sa->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        memcpy(s->addr, &in->sin_addr, 4);
        s->v6 = 0;
        s->port = ntohs(in->sin_port);
        return 1;
    }
    if (sa->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        s->port = ntohs(in6->sin6_port);
        if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
            memcpy(s->addr, in6->sin6_addr.s6_addr + 12, 4);
            s->v6 = 0;
        } else {
            memcpy(s->addr, in6->sin6_addr.s6_addr, 16);
            s->v6 = 1;
        }
        return 1;
    }
    return 0;
}

/* The watchdog: shuts for reading every socket whose request is late. */
static void *watchdog(void *unused)
{
    (void)unused;
    pthread_mutex_lock(&tab.mu);
    while (!tab.stopping) {
        int64_t now = tu_monotonic_ms();
        for (int fd = 0; fd < tab.hi; fd++) {
            struct slot *s = &tab.slot[fd];
            if (!s->used || !s->deadline || s->expired || now < s->deadline)
                continue;
            /* The worker blocked in recv()/poll() on it wakes with EOF. */
            shutdown(fd, SHUT_RD);
            s->expired = 1;
            tab.stats.timed_out++;
        }
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += TICK_MS * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&tab.cv, &tab.mu, &until);
    }
    pthread_mutex_unlock(&tab.mu);
    return NULL;
}

static int watchdog_start(void)
{
    if (tab.running)
        return 0;
    tab.stopping = 0;
    if (pthread_create(&tab.thread, NULL, watchdog, NULL) != 0)
        return -1;
    tab.running = 1;
    return 0;
}

int conn_start(const struct conn_config *c)
{
    struct rlimit rl;
    int cap = 65536;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
        rl.rlim_cur < (rlim_t)cap)
        cap = (int)rl.rlim_cur;
    pthread_mutex_lock(&tab.mu);
    if (!tab.slot) {
        /* calloc maps zero pages: only the slots of descriptors in use are
         * ever touched. */
        tab.slot = calloc((size_t)cap, sizeof *tab.slot);
        tab.cap = tab.slot ? cap : 0;
    }
    tab.per_client = c->per_client;
    tab.request_ms = c->request_ms;
    free(tab.refusal);
    tab.refusal_len = c->refusal ? strlen(c->refusal) : 0;
    tab.refusal = c->refusal ? strdup(c->refusal) : NULL;
    int rc = watchdog_start();
    pthread_mutex_unlock(&tab.mu);
    return rc;
}

void conn_stop(void)
{
    pthread_mutex_lock(&tab.mu);
    int running = tab.running;
    tab.stopping = 1;
    tab.running = 0;
    pthread_cond_broadcast(&tab.cv);
    pthread_mutex_unlock(&tab.mu);
    if (running)
        pthread_join(tab.thread, NULL);
}

int conn_accepted(int fd, const struct sockaddr *sa, socklen_t len)
{
    struct slot me = {0};
    if (fd < 0 || !sa || !from_sockaddr(&me, sa, len))
        return 1;
    pthread_mutex_lock(&tab.mu);
    if (fd >= tab.cap) {
        pthread_mutex_unlock(&tab.mu);
        return 1; /* beyond the table: served, unguarded */
    }
    int open = 0;
    if (tab.per_client > 0)
        for (int i = 0; i < tab.hi; i++)
            if (tab.slot[i].used && same_client(&tab.slot[i], &me))
                open++;
    if (tab.per_client > 0 && open >= tab.per_client) {
        tab.stats.refused++;
        pthread_mutex_unlock(&tab.mu);
        /* Best effort, never blocking the accepting thread: a client that
         * has not sent its request yet reads the 429; the FIN follows it. */
        if (tab.refusal)
            (void)send(fd, tab.refusal, tab.refusal_len, MSG_DONTWAIT | MSG_NOSIGNAL);
        shutdown(fd, SHUT_WR);
        close(fd);
        return 0;
    }
    me.used = 1;
    me.deadline = tu_monotonic_ms() + tab.request_ms;
    tab.slot[fd] = me;
    if (fd + 1 > tab.hi)
        tab.hi = fd + 1;
    tab.stats.open++;
    pthread_mutex_unlock(&tab.mu);
    return 1;
}

/* The slot of conn, under the mutex; NULL if the filter never saw it.
 * civetweb fills the request info (the peer's address and port) before
 * the first request is read, but hides it from init_connection (there
 * mg_get_request_info() is NULL), so a connection finds its slot on first
 * use and keeps it as civetweb's connection data. */
static struct slot *slot_of(const struct mg_connection *conn)
{
    struct slot *s = mg_get_user_connection_data(conn);
    if (s)
        return s->used && s->conn == conn ? s : NULL;
    const struct mg_request_info *ri = mg_get_request_info(conn);
    struct slot me = {0};
    if (!ri)
        return NULL;
    if (inet_pton(AF_INET, ri->remote_addr, me.addr) != 1) {
        struct in6_addr in6;
        if (inet_pton(AF_INET6, ri->remote_addr, &in6) != 1)
            return NULL;
        if (IN6_IS_ADDR_V4MAPPED(&in6)) {
            memcpy(me.addr, in6.s6_addr + 12, 4);
        } else {
            memcpy(me.addr, in6.s6_addr, 16);
            me.v6 = 1;
        }
    }
    me.port = (uint16_t)ri->remote_port;
    for (int fd = 0; fd < tab.hi; fd++) {
        s = &tab.slot[fd];
        if (s->used && !s->conn && s->port == me.port && s->v6 == me.v6 &&
            memcmp(s->addr, me.addr, 16) == 0) {
            s->conn = conn;
            mg_set_user_connection_data(conn, s);
            return s;
        }
    }
    if (!tab.warned) {
        tab.warned = 1;
        fprintf(stderr, "labshare: a connection the accept filter did not see: "
                        "served without per-address and request time limits\n");
    }
    return NULL;
}

void conn_closed(const struct mg_connection *conn)
{
    pthread_mutex_lock(&tab.mu);
    struct slot *s = slot_of(conn);
    if (s) {
        memset(s, 0, sizeof *s);
        tab.stats.open--;
        while (tab.hi > 0 && !tab.slot[tab.hi - 1].used)
            tab.hi--;
    }
    pthread_mutex_unlock(&tab.mu);
}

void conn_request_done(const struct mg_connection *conn)
{
    pthread_mutex_lock(&tab.mu);
    struct slot *s = slot_of(conn);
    if (s && !s->expired)
        s->deadline = tu_monotonic_ms() + tab.request_ms;
    pthread_mutex_unlock(&tab.mu);
}

void conn_body_done(const struct mg_connection *conn)
{
    pthread_mutex_lock(&tab.mu);
    struct slot *s = slot_of(conn);
    if (s)
        s->deadline = 0;
    pthread_mutex_unlock(&tab.mu);
}

int conn_expired(const struct mg_connection *conn)
{
    pthread_mutex_lock(&tab.mu);
    struct slot *s = slot_of(conn);
    /* Also when the watchdog has not come round yet: civetweb's own read
     * timeout (the same length) may have ended the read a tick earlier. */
    int expired = s && (s->expired || (s->deadline && tu_monotonic_ms() >= s->deadline));
    pthread_mutex_unlock(&tab.mu);
    return expired;
}

void conn_finish(struct mg_connection *conn)
{
    pthread_mutex_lock(&tab.mu);
    struct slot *s = slot_of(conn);
    int fd = s ? (int)(s - tab.slot) : -1;
    /* The drain waits for the client at most until the request's
     * deadline; a request whose clock had stopped gets a fresh one. */
    if (s && !s->deadline && !s->expired)
        s->deadline = tu_monotonic_ms() + tab.request_ms;
    if (fd >= 0)
        shutdown(fd, SHUT_WR); /* the answer is out: FIN after it */
    pthread_mutex_unlock(&tab.mu);
    if (fd < 0)
        return; /* unguarded: no deadline would bound the drain */
    char buf[16384];
    size_t drained = 0;
    while (drained < CONN_DRAIN_MAX) {
        int n = mg_read(conn, buf, sizeof buf);
        if (n <= 0)
            break;
        drained += (size_t)n;
    }
}

void conn_get_stats(struct conn_stats *out)
{
    pthread_mutex_lock(&tab.mu);
    *out = tab.stats;
    pthread_mutex_unlock(&tab.mu);
}
