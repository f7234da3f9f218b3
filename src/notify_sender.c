/* notify_sender.c — the sender thread of `labshare serve`: a delivery pass
 * (notify.c) every interval on a database connection of its own. */
#include "notify.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "notify_smtp.h"
#include "timeutil.h"

static struct {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int running, stop;
    struct notify_sender_config cfg;
} sender = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

/* The host part of a URL, for UIDs and Message-IDs. */
static void url_host(const char *url, char *out, size_t len)
{
    const char *h = strstr(url, "://");
    h = h ? h + 3 : url;
    snprintf(out, len, "%.*s", (int)strcspn(h, ":/"), h);
}

static void one_pass(struct db *db, const struct notify_sender_config *c)
{
    char url[512], host[256];
    snprintf(url, sizeof url, "%s", c->public_url ? c->public_url : "");
    if (!url[0])
        return; /* the server is not listening yet: links would be wrong */
    url_host(url, host, sizeof host);
    struct notify_site site = {url, host, c->smtp.from, notify_compose_account};
    struct notify_pass p;
    struct ls_err err = {0};
    if (notify_run_pass(db, &c->smtp, &site, tu_now(), c->backoff_base, &p, &err))
        fprintf(stderr, "labshare: notifications: %s\n", err.message);
    else if (p.sent || p.retried || p.failed)
        fprintf(stderr, "labshare: notifications: %d sent, %d to retry, %d failed\n", p.sent,
                p.retried, p.failed);
}

static void *sender_main(void *arg)
{
    (void)arg;
    struct db *db = db_thread();
    pthread_mutex_lock(&sender.mu);
    while (!sender.stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        long long ns = ts.tv_nsec + (long long)sender.cfg.interval_ms * 1000000;
        ts.tv_sec += (time_t)(ns / 1000000000);
        ts.tv_nsec = (long)(ns % 1000000000);
        while (!sender.stop && pthread_cond_timedwait(&sender.cv, &sender.mu, &ts) == 0)
            ;
        if (sender.stop)
            break;
        pthread_mutex_unlock(&sender.mu);
        if (db)
            one_pass(db, &sender.cfg);
        pthread_mutex_lock(&sender.mu);
    }
    pthread_mutex_unlock(&sender.mu);
    db_thread_close();
    return NULL;
}

int notify_sender_start(const struct notify_sender_config *cfg)
{
    notify_smtp_init();
    sender.cfg = *cfg;
    if (sender.cfg.interval_ms < 10)
        sender.cfg.interval_ms = 10;
    sender.stop = 0;
    if (pthread_create(&sender.thread, NULL, sender_main, NULL) != 0)
        return 1;
    sender.running = 1;
    return 0;
}

void notify_sender_stop(void)
{
    if (!sender.running)
        return;
    pthread_mutex_lock(&sender.mu);
    sender.stop = 1;
    notify_smtp_abort(1);
    pthread_cond_signal(&sender.cv);
    pthread_mutex_unlock(&sender.mu);
    pthread_join(sender.thread, NULL);
    sender.running = 0;
    notify_smtp_abort(0);
}
