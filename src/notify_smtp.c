/* notify_smtp.c — SMTP delivery with libcurl, its settings from the
 * environment, and the sender thread of `labshare serve` (see notify.h). */
#include "notify.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "db.h"
#include "timeutil.h"

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* Set when the server stops: a transfer in progress gives up at once (the
 * message is retried later) instead of holding the shutdown for up to the
 * transfer timeout. */
static volatile int aborting;

static int progress_cb(void *p, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    (void)p;
    (void)dt;
    (void)dn;
    (void)ut;
    (void)un;
    return __atomic_load_n(&aborting, __ATOMIC_RELAXED) ? 1 : 0;
}

struct upload {
    const char *data;
    size_t len, pos;
};

static size_t read_cb(char *out, size_t size, size_t n, void *p)
{
    struct upload *u = p;
    size_t room = size * n, left = u->len - u->pos;
    size_t k = left < room ? left : room;
    memcpy(out, u->data + u->pos, k);
    u->pos += k;
    return k;
}

int notify_smtp_send(const struct notify_smtp *smtp, const char *to, const char *message,
                     char *errbuf, size_t errlen)
{
    pthread_once(&curl_once, curl_init);
    char cerr[CURL_ERROR_SIZE] = "";
    struct upload up = {message, strlen(message), 0};
    struct arena a = {0};
    CURL *c = curl_easy_init();
    if (!c) {
        snprintf(errbuf, errlen, "libcurl failed to initialise");
        return 1;
    }
    struct curl_slist *rcpt = curl_slist_append(NULL, arena_printf(&a, "<%s>", to));
    curl_easy_setopt(c, CURLOPT_URL, smtp->url);
    curl_easy_setopt(c, CURLOPT_MAIL_FROM,
                     arena_printf(&a, "<%s>", notify_address(&a, smtp->from)));
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(c, CURLOPT_READDATA, &up);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)up.len);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress_cb);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 15L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, smtp->timeout_s > 0 ? smtp->timeout_s : 60L);
    if (smtp->starttls)
        curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
    if (smtp->user && *smtp->user) {
        curl_easy_setopt(c, CURLOPT_USERNAME, smtp->user);
        curl_easy_setopt(c, CURLOPT_PASSWORD, smtp->password ? smtp->password : "");
    }
    CURLcode rc = curl_easy_perform(c);
    if (rc != CURLE_OK) {
        long code = 0;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
        if (code)
            snprintf(errbuf, errlen, "SMTP %ld: %s", code, *cerr ? cerr : curl_easy_strerror(rc));
        else
            snprintf(errbuf, errlen, "%s", *cerr ? cerr : curl_easy_strerror(rc));
    }
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(c);
    arena_release(&a);
    return rc == CURLE_OK ? 0 : 1;
}

static const char *env(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

int notify_smtp_from_env(struct notify_smtp *out)
{
    static char password[512];
    memset(out, 0, sizeof *out);
    out->url = env("LABSHARE_SMTP_URL");
    if (!out->url)
        return 1;
    if (strncmp(out->url, "smtp://", 7) != 0 && strncmp(out->url, "smtps://", 8) != 0) {
        fprintf(stderr, "labshare: LABSHARE_SMTP_URL must start with smtp:// or smtps://\n");
        return -1;
    }
    out->user = env("LABSHARE_SMTP_USER");
    out->password = env("LABSHARE_SMTP_PASSWORD");
    const char *file = env("LABSHARE_SMTP_PASSWORD_FILE");
    if (!out->password && file) {
        FILE *f = fopen(file, "r");
        if (!f || !fgets(password, sizeof password, f)) {
            fprintf(stderr, "labshare: cannot read LABSHARE_SMTP_PASSWORD_FILE %s: %s\n", file,
                    f ? "empty" : strerror(errno));
            if (f)
                fclose(f);
            return -1;
        }
        fclose(f);
        password[strcspn(password, "\r\n")] = '\0';
        out->password = password;
    }
    out->from = env("LABSHARE_SMTP_FROM");
    struct arena a = {0};
    int from_ok = out->from && notify_email_ok(notify_address(&a, out->from));
    arena_release(&a);
    if (!from_ok) {
        fprintf(stderr, "labshare: LABSHARE_SMTP_FROM must be the sender address "
                        "(a@b or Name <a@b>)\n");
        return -1;
    }
    const char *tls = env("LABSHARE_SMTP_STARTTLS");
    out->starttls = tls && strcmp(tls, "1") == 0;
    out->timeout_s = 60;
    return 0;
}

/* ------------------------------------------------------------------ */
/* The sender thread                                                    */

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
    struct notify_site site = {url, host, c->smtp.from};
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
    pthread_once(&curl_once, curl_init);
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
    __atomic_store_n(&aborting, 1, __ATOMIC_RELAXED);
    pthread_cond_signal(&sender.cv);
    pthread_mutex_unlock(&sender.mu);
    pthread_join(sender.thread, NULL);
    sender.running = 0;
    __atomic_store_n(&aborting, 0, __ATOMIC_RELAXED);
}
