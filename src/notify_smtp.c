/* notify_smtp.c — see notify_smtp.h. */
#include "notify_smtp.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "err.h"

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

void notify_smtp_init(void)
{
    pthread_once(&curl_once, curl_init);
}

/* Set when the server stops: a transfer in progress gives up at once (the
 * message is retried later) instead of holding the shutdown for up to the
 * transfer timeout. */
static volatile int aborting;

void notify_smtp_abort(int on)
{
    __atomic_store_n(&aborting, on, __ATOMIC_RELAXED);
}

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
    CURL *c = curl_easy_init();
    if (!c) {
        snprintf(errbuf, errlen, "libcurl failed to initialise");
        return 1;
    }
    char rcpt_addr[300], from_addr[300];
    snprintf(rcpt_addr, sizeof rcpt_addr, "<%s>", to);
    snprintf(from_addr, sizeof from_addr, "<%s>", smtp->envelope);
    struct curl_slist *rcpt = curl_slist_append(NULL, rcpt_addr);
    curl_easy_setopt(c, CURLOPT_URL, smtp->url);
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, from_addr);
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
    return rc == CURLE_OK ? 0 : 1;
}

static const char *env(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

int notify_smtp_read_env(struct notify_smtp *out, struct ls_err *err)
{
    static char password[512];
    memset(out, 0, sizeof *out);
    out->url = env("LABSHARE_SMTP_URL");
    if (!out->url)
        return 1;
    if (strncmp(out->url, "smtp://", 7) != 0 && strncmp(out->url, "smtps://", 8) != 0) {
        ls_err_set(err, LS_EVALIDATION, NULL,
                   "LABSHARE_SMTP_URL must start with smtp:// or smtps://");
        return -1;
    }
    /* A host, and a port that is one: else every message would wait out
     * its retries against an address that cannot answer. */
    const char *host = strstr(out->url, "://") + 3;
    const char *at = strchr(host, '@');
    if (at && at < host + strcspn(host, "/"))
        host = at + 1;
    size_t hlen = host[0] == '[' ? strcspn(host, "]/") + 1 : strcspn(host, ":/");
    if (host[0] == '[' && host[hlen - 1] != ']')
        hlen = 0;
    const char *port = host[hlen] == ':' ? host + hlen + 1 : NULL;
    char *pend = NULL;
    long pnum = port ? strtol(port, &pend, 10) : 25;
    if (hlen == 0 ||
        (port && (pend == port || (*pend && *pend != '/') || pnum < 1 || pnum > 65535))) {
        /* Not quoted back: the URL may carry a password. */
        ls_err_set(err, LS_EVALIDATION, NULL,
                   "LABSHARE_SMTP_URL must name a host and, if any, a port 1 to 65535");
        return -1;
    }
    out->user = env("LABSHARE_SMTP_USER");
    out->password = env("LABSHARE_SMTP_PASSWORD");
    const char *file = env("LABSHARE_SMTP_PASSWORD_FILE");
    if (!out->password && file) {
        FILE *f = fopen(file, "r");
        if (!f || !fgets(password, sizeof password, f)) {
            if (f)
                ls_err_set(err, LS_EVALIDATION, NULL, "LABSHARE_SMTP_PASSWORD_FILE %s is empty",
                           file);
            else
                ls_err_set(err, LS_EVALIDATION, NULL,
                           "cannot read LABSHARE_SMTP_PASSWORD_FILE %s: %s", file, strerror(errno));
            if (f)
                fclose(f);
            return -1;
        }
        fclose(f);
        password[strcspn(password, "\r\n")] = '\0';
        out->password = password;
    }
    out->from = env("LABSHARE_SMTP_FROM");
    const char *tls = env("LABSHARE_SMTP_STARTTLS");
    out->starttls = tls && strcmp(tls, "1") == 0;
    out->timeout_s = 60;
    return 0;
}
