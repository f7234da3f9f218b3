/* main.c — the labshare command line: serve, migrate, demo, user, stats,
 * backup. Settings come from flags, then LABSHARE_* environment variables,
 * then built-in defaults. */
#include <errno.h>
#include <arpa/inet.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "auth.h"
#include "catalogue.h"
#include "cli.h"
#include "db.h"
#include "http.h"
#include "calendar_import.h"
#include "notify.h"
#include "signup.h"
#include "sso.h"
#include "timeutil.h"

#ifndef LABSHARE_DATADIR
#define LABSHARE_DATADIR "/usr/share/labshare"
#endif

static const char *env_or(const char *name, const char *fallback)
{
    const char *v = getenv(name);
    return v && *v ? v : fallback;
}

/* A whole decimal number in [min, max] (atoi() reads "5x" as 5 and "x" as
 * 0); -1 for anything else. */
static int parse_bounded(const char *s, int min, int max, int *out)
{
    char *end = NULL;
    errno = 0;
    long v = s ? strtol(s, &end, 10) : 0;
    if (!s || !*s || *end || errno || v < min || v > max)
        return -1;
    *out = (int)v;
    return 0;
}

/* What getopt_long returned for an argument it could not take (":" in the
 * option string: ':' for an option without its value, '?' else), named as
 * typed; getopt's own message is off (opterr), being English only. */
static int bad_option(const char *cmd, int c, char **argv)
{
    const char *arg = argv[optind - 1];
    if (c == ':')
        return cli_usage(cmd, "%s needs a value", arg);
    /* An unknown short option inside a cluster ("-xy"): getopt has not
     * moved past its argument yet, but names the letter. */
    char letter[3] = {'-', (char)optopt, '\0'};
    return cli_usage(cmd, "unknown option '%s'", optopt ? letter : arg);
}

static const char *default_www(void)
{
    const char *w = getenv("LABSHARE_WWW");
    if (w && *w)
        return w;
    struct stat st;
    if (stat("www/index.html", &st) == 0)
        return "www";
    return LABSHARE_DATADIR "/www";
}

/* on|off (also 1/0, true/false, yes/no): 1, 0, or -1 when it is neither. */
static int on_off(const char *v)
{
    static const char *const on[] = {"on", "1", "true", "yes", NULL};
    static const char *const off[] = {"off", "0", "false", "no", NULL};
    for (int i = 0; v && on[i]; i++) {
        if (strcmp(v, on[i]) == 0)
            return 1;
        if (strcmp(v, off[i]) == 0)
            return 0;
    }
    return -1;
}

/* A listening address, checked before anything is opened: "[IPV4:]PORT",
 * several joined by commas, as Debian's civetweb (built without IPv6 or
 * TLS here) takes them; civetweb itself reads 999.1.1.1 as 231.1.1.1 and a
 * port past 65535 modulo 2^16. 1 when it holds. */
static int listen_ok(const char *spec)
{
    char one[64];
    for (const char *p = spec; *p;) {
        size_t n = strcspn(p, ",");
        if (n == 0 || n >= sizeof one)
            return 0;
        memcpy(one, p, n);
        one[n] = '\0';
        p += n + (p[n] == ',');
        char *colon = strchr(one, ':');
        const char *port = colon ? colon + 1 : one;
        struct in_addr addr;
        if (colon && (*colon = '\0', inet_pton(AF_INET, one, &addr) != 1))
            return 0;
        size_t digits = strspn(port, "0123456789");
        if (digits == 0 || digits > 5 || port[digits] || atoi(port) > 65535)
            return 0;
    }
    return *spec != '\0';
}

/* The sender's pace (LABSHARE_NOTIFY_INTERVAL_MS, LABSHARE_NOTIFY_BACKOFF_S),
 * shared by serve and notify: a value that is not a number in range would
 * make a pass run back to back. 0, or CLI_USAGE with the message printed. */
static int notify_pace(const char *cmd, int *interval_ms, int *backoff_s)
{
    if (parse_bounded(env_or("LABSHARE_NOTIFY_INTERVAL_MS", "30000"), 100, 86400000, interval_ms))
        return cli_usage(cmd, "LABSHARE_NOTIFY_INTERVAL_MS must be 100 to 86400000 milliseconds");
    if (parse_bounded(env_or("LABSHARE_NOTIFY_BACKOFF_S", "60"), 1, 86400, backoff_s))
        return cli_usage(cmd, "LABSHARE_NOTIFY_BACKOFF_S must be 1 to 86400 seconds");
    return 0;
}

/* Copies a setting, refusing one too long for its field. */
static int setting(char *dst, size_t size, const char *value)
{
    if (!value)
        return 0;
    if (strlen(value) >= size)
        return -1;
    snprintf(dst, size, "%s", value);
    return 0;
}

/* The first line of a file (a secret kept out of the environment). */
static int read_secret_file(char *dst, size_t size, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    int ok = fgets(dst, (int)size, f) != NULL;
    fclose(f);
    if (!ok)
        return -1;
    dst[strcspn(dst, "\r\n")] = '\0';
    return 0;
}

/* Single sign-on and guest registration from the environment, before the
 * flags override them. */
static int sso_from_env(struct sso_settings *s, int *guest)
{
    const char *secret_file = getenv("LABSHARE_OIDC_CLIENT_SECRET_FILE");
    if (setting(s->issuer, sizeof s->issuer, getenv("LABSHARE_OIDC_ISSUER")) ||
        setting(s->client_id, sizeof s->client_id, getenv("LABSHARE_OIDC_CLIENT_ID")) ||
        setting(s->client_secret, sizeof s->client_secret, getenv("LABSHARE_OIDC_CLIENT_SECRET")) ||
        setting(s->name, sizeof s->name, getenv("LABSHARE_OIDC_NAME")) ||
        (secret_file && *secret_file &&
         read_secret_file(s->client_secret, sizeof s->client_secret, secret_file))) {
        cli_say(stderr, "labshare serve: a LABSHARE_OIDC_* setting is too long or its file "
                        "cannot be read\n");
        return -1;
    }
    s->allow_http_loopback = on_off(getenv("LABSHARE_OIDC_ALLOW_HTTP_LOOPBACK")) == 1;
    s->trust_email = on_off(getenv("LABSHARE_OIDC_TRUST_EMAIL")) == 1;
    const char *g = getenv("LABSHARE_GUEST_REGISTRATION");
    *guest = g && *g ? on_off(g) : -1;
    if (g && *g && *guest < 0) {
        cli_say(stderr, "labshare serve: LABSHARE_GUEST_REGISTRATION must be on or off\n");
        return -1;
    }
    return 0;
}

/* The server's background threads, stopped before its databases close. */
static void stop_workers(void)
{
    import_refresher_stop();
    notify_sender_stop();
    db_watch_stop();
}

static int cmd_serve(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, 0, 'd'},
        {"listen", required_argument, 0, 'l'},
        {"www", required_argument, 0, 'w'},
        {"public-url", required_argument, 0, 'u'},
        {"threads", required_argument, 0, 't'},
        {"quiet", no_argument, 0, 'q'},
        {"request-timeout", required_argument, 0, 'R'},
        {"keep-alive-timeout", required_argument, 0, 'K'},
        {"client-connections", required_argument, 0, 'c'},
        {"import-allow-private", no_argument, 0, 'P'},
        {"import-interval", required_argument, 0, 'i'},
        {"guest-registration", required_argument, 0, 'g'},
        {"oidc-issuer", required_argument, 0, 'I'},
        {"oidc-client-id", required_argument, 0, 'C'},
        {"oidc-client-secret", required_argument, 0, 'S'},
        {"oidc-client-secret-file", required_argument, 0, 'F'},
        {"oidc-name", required_argument, 0, 'N'},
        {"oidc-allow-http-loopback", no_argument, 0, 'L'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    struct sso_settings sso = {0};
    int guest = -1;
    if (sso_from_env(&sso, &guest))
        return CLI_FAIL;
    int allow_private = 0;
    const char *interval = env_or("LABSHARE_IMPORT_INTERVAL", "900");
    /* Limits on connections (README "Configuration"): flags, then
     * LABSHARE_* variables, then the defaults. */
    const char *request_s = env_or("LABSHARE_REQUEST_TIMEOUT", NULL);
    const char *keep_alive_s = env_or("LABSHARE_KEEP_ALIVE_TIMEOUT", NULL);
    const char *client_s = env_or("LABSHARE_CLIENT_CONNECTIONS", NULL);
    const char *dbpath = env_or("LABSHARE_DB", "labshare.db");
    struct http_config cfg = {
        .listen = env_or("LABSHARE_LISTEN", "127.0.0.1:8080"),
        .www_dir = default_www(),
        .public_url = env_or("LABSHARE_PUBLIC_URL", NULL),
        .threads = atoi(env_or("LABSHARE_THREADS", "128")),
        .trust_proxy = atoi(env_or("LABSHARE_TRUST_PROXY", "0")),
        .db_connections = atoi(env_or("LABSHARE_DB_CONNECTIONS", "8")),
        .client_connections = -1,
    };
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "+:", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            dbpath = optarg;
            break;
        case 'l':
            cfg.listen = optarg;
            break;
        case 'w':
            cfg.www_dir = optarg;
            break;
        case 'u':
            cfg.public_url = optarg;
            break;
        case 't':
            cfg.threads = atoi(optarg);
            break;
        case 'q':
            cfg.quiet = 1;
            break;
        case 'R':
            request_s = optarg;
            break;
        case 'K':
            keep_alive_s = optarg;
            break;
        case 'c':
            client_s = optarg;
            break;
        case 'P':
            allow_private = 1;
            break;
        case 'i':
            interval = optarg;
            break;
        case 'g':
            if ((guest = on_off(optarg)) < 0)
                return cli_usage("serve", "--guest-registration must be on or off");
            break;
        case 'I':
            if (setting(sso.issuer, sizeof sso.issuer, optarg))
                return cli_usage("serve", "--oidc-issuer is too long");
            break;
        case 'C':
            if (setting(sso.client_id, sizeof sso.client_id, optarg))
                return cli_usage("serve", "--oidc-client-id is too long");
            break;
        case 'S':
            if (setting(sso.client_secret, sizeof sso.client_secret, optarg))
                return cli_usage("serve", "--oidc-client-secret is too long");
            break;
        case 'F':
            if (read_secret_file(sso.client_secret, sizeof sso.client_secret, optarg)) {
                cli_say(stderr, "labshare serve: cannot read %s\n", optarg);
                return CLI_FAIL;
            }
            break;
        case 'N':
            if (setting(sso.name, sizeof sso.name, optarg))
                return cli_usage("serve", "--oidc-name is too long");
            break;
        case 'L':
            sso.allow_http_loopback = 1;
            break;
        case 'h':
            cli_help(stdout, "serve");
            return CLI_OK;
        default:
            return bad_option("serve", c, argv);
        }
    }
    if (optind < argc)
        return cli_usage("serve", "unexpected argument");
    if (cfg.threads < 1 || cfg.threads > 256)
        return cli_usage("serve", "--threads (LABSHARE_THREADS) must be 1 to 256");
    if (!listen_ok(cfg.listen))
        return cli_usage("serve",
                         "--listen (LABSHARE_LISTEN) must be PORT or IPV4:PORT, a port 0 to "
                         "65535: %s",
                         cfg.listen);
    if (request_s && parse_bounded(request_s, 1, 300, &cfg.request_timeout) != 0)
        return cli_usage("serve",
                         "--request-timeout (LABSHARE_REQUEST_TIMEOUT) must be 1 to 300 seconds");
    if (keep_alive_s && parse_bounded(keep_alive_s, 1, 300, &cfg.keep_alive) != 0)
        return cli_usage(
            "serve", "--keep-alive-timeout (LABSHARE_KEEP_ALIVE_TIMEOUT) must be 1 to 300 seconds");
    if (client_s && parse_bounded(client_s, 0, 100000, &cfg.client_connections) != 0)
        return cli_usage(
            "serve",
            "--client-connections (LABSHARE_CLIENT_CONNECTIONS) must be 0 (no limit) to 100000");
    char *iend = NULL;
    long import_s = strtol(interval, &iend, 10);
    if (!*interval || *iend || import_s < 1 || import_s > 7 * 86400)
        return cli_usage("serve", "--import-interval must be 1 to 604800 seconds");
    import_configure(allow_private, (int)import_s);
    if (sso.issuer[0] && !oidc_url_allowed(sso.issuer, sso.allow_http_loopback))
        return cli_usage("serve", "--oidc-issuer must be an https URL (http only on loopback "
                                  "with --oidc-allow-http-loopback)");
    const char *sync = env_or("LABSHARE_SYNC", "full");
    if (strcmp(sync, "full") != 0 && strcmp(sync, "normal") != 0)
        return cli_usage("serve", "LABSHARE_SYNC must be full or normal");
    /* With SMTP configured a sender thread delivers the outbox; without,
     * messages stay queued for `labshare notify` or staff to see. Every
     * setting is checked before the database is opened: a refused start
     * leaves no new database behind. */
    struct notify_sender_config ncfg = {0};
    struct ls_err lerr = {0};
    int smtp = notify_smtp_from_env(&ncfg.smtp, &lerr);
    if (smtp < 0)
        return cli_fail("serve", &lerr);
    int backoff_s = 0;
    if (notify_pace("serve", &ncfg.interval_ms, &backoff_s))
        return CLI_USAGE;
    ncfg.backoff_base = backoff_s;
    sso_configure(&sso);
    sodium_memzero(&sso, sizeof sso);
    signup_configure(guest);
    struct db *db = cli_open_db(dbpath);
    if (!db)
        return CLI_FAIL;
    db_close(db);
    db_configure(dbpath, strcmp(sync, "normal") == 0 ? DB_SYNC_NORMAL : DB_SYNC_FULL);
    if (auth_listen(&lerr) != LS_OK || catalogue_listen(&lerr) != LS_OK ||
        db_watch_start(&lerr) != LS_OK) {
        return cli_fail(NULL, &lerr);
    }
    if (smtp == 0) {
        ncfg.public_url = http_public_url(); /* filled in once listening */
        if (notify_sender_start(&ncfg) != 0) {
            cli_say(stderr, "labshare: cannot start the notification sender\n");
            return CLI_FAIL;
        }
    }
    if (import_refresher_start() != 0) {
        notify_sender_stop();
        cli_say(stderr, "labshare: cannot start the calendar refresher\n");
        return CLI_FAIL;
    }
    cfg.on_stop = stop_workers;
    int rc = http_serve(&cfg) == 0 ? CLI_OK : CLI_FAIL;
    stop_workers(); /* when the server could not start (else stopped already) */
    return rc;
}

static volatile sig_atomic_t notify_stop;

static void on_notify_signal(int sig)
{
    (void)sig;
    notify_stop = 1;
}

static int cmd_notify(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, 0, 'd'},
        {"public-url", required_argument, 0, 'u'},
        {"once", no_argument, 0, 'o'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    const char *dbpath = env_or("LABSHARE_DB", "labshare.db");
    const char *url = env_or("LABSHARE_PUBLIC_URL", "http://127.0.0.1:8080");
    int once = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "+:", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            dbpath = optarg;
            break;
        case 'u':
            url = optarg;
            break;
        case 'o':
            once = 1;
            break;
        case 'h':
            cli_help(stdout, "notify");
            return CLI_OK;
        default:
            return bad_option("notify", c, argv);
        }
    }
    if (optind < argc)
        return cli_usage("notify", "unexpected argument");
    int interval = 0, backoff_s = 0;
    if (notify_pace("notify", &interval, &backoff_s))
        return CLI_USAGE;
    struct notify_smtp smtp;
    struct ls_err serr = {0};
    int have = notify_smtp_from_env(&smtp, &serr);
    if (have < 0)
        return cli_fail("notify", &serr);
    if (have > 0) {
        cli_say(stderr, "labshare notify: SMTP is not configured (LABSHARE_SMTP_URL); "
                        "messages stay queued\n");
        return CLI_FAIL;
    }
    int status = CLI_OK;
    struct db *db = cli_open_installation("notify", "--db", dbpath, &status);
    if (!db)
        return status;
    char base[512], host[256];
    snprintf(base, sizeof base, "%s", url);
    size_t n = strlen(base);
    while (n > 0 && base[n - 1] == '/')
        base[--n] = '\0';
    const char *h = strstr(base, "://");
    h = h ? h + 3 : base;
    snprintf(host, sizeof host, "%.*s", (int)strcspn(h, ":/"), h);
    struct notify_site site = {base, host, smtp.from, notify_compose_account};
    int64_t backoff = backoff_s;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_notify_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    int rc = CLI_OK;
    do {
        struct notify_pass p;
        struct ls_err err = {0};
        if (notify_run_pass(db, &smtp, &site, tu_now(), backoff, &p, &err) != LS_OK) {
            rc = cli_fail("notify", &err);
        } else {
            cli_say(stdout,
                    "labshare notify: %d reminders queued, %d sent, %d to retry, %d failed\n",
                    p.reminders, p.sent, p.retried, p.failed);
            fflush(stdout);
        }
        for (int waited = 0; !once && !notify_stop && waited < interval; waited += 100)
            usleep(100 * 1000);
    } while (!once && !notify_stop);
    db_close(db);
    return rc;
}

/* The sub-commands that take only --db: what each does once the database
 * is open and migrated. */
enum db_command { DBCMD_MIGRATE, DBCMD_DEMO, DBCMD_REINDEX };

static const char *const db_commands[] = {
    [DBCMD_MIGRATE] = "migrate",
    [DBCMD_DEMO] = "demo",
    [DBCMD_REINDEX] = "reindex",
};

static int cmd_db(int argc, char **argv, enum db_command which)
{
    static const struct option opts[] = {
        {"db", required_argument, 0, 'd'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    const char *cmd = db_commands[which];
    const char *dbpath = env_or("LABSHARE_DB", "labshare.db");
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "+:", opts, NULL)) != -1) {
        if (c == 'd')
            dbpath = optarg;
        else if (c == 'h') {
            cli_help(stdout, cmd);
            return CLI_OK;
        } else
            return bad_option(cmd, c, argv);
    }
    if (optind < argc)
        return cli_usage(cmd, "unexpected argument");
    /* migrate and demo set up a new database; reindex works on one there. */
    int status = CLI_OK;
    struct db *db = which == DBCMD_REINDEX ? cli_open_installation(cmd, "--db", dbpath, &status)
                                           : cli_open_db(dbpath);
    if (!db)
        return status == CLI_OK ? CLI_FAIL : status;
    int rc = CLI_OK;
    struct ls_err err = {0};
    switch (which) {
    case DBCMD_MIGRATE:
        cli_say(stdout, "labshare: %s at schema version %d\n", dbpath, db_schema_version(db));
        break;
    case DBCMD_DEMO:
        rc = demo_load(db, 0);
        break;
    case DBCMD_REINDEX:
        if (catalogue_reindex(db, &err) != LS_OK) {
            rc = cli_fail("reindex", &err);
        } else {
            cli_say(stdout, "search text rebuilt in %s\n", dbpath);
        }
        break;
    }
    db_close(db);
    return rc;
}

/* A SQLite database and the files that go with it, made by this command
 * a moment ago. */
static void remove_sqlite_files(const char *path)
{
    static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
    char name[4200];
    for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
        snprintf(name, sizeof name, "%s%s", path, suffix[i]);
        unlink(name);
    }
}

static int cmd_user(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        cli_help(argc < 2 ? stderr : stdout, "user");
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    if (strcmp(argv[1], "add") != 0)
        return cli_usage("user", "unknown sub-command (only 'add')");
    static const struct option opts[] = {
        {"email", required_argument, 0, 'e'},
        {"name", required_argument, 0, 'n'},
        {"role", required_argument, 0, 'r'},
        {"organisation", required_argument, 0, 'o'},
        {"lang", required_argument, 0, 'L'},
        {"password-stdin", no_argument, 0, 'p'},
        {"db", required_argument, 0, 'd'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    struct user_new u = {0};
    const char *dbpath = env_or("LABSHARE_DB", "labshare.db");
    const char *role = NULL;
    int pw_stdin = 0;
    int c;
    optind = 1;
    while ((c = getopt_long(argc - 1, argv + 1, "+:", opts, NULL)) != -1) {
        switch (c) {
        case 'e':
            u.email = optarg;
            break;
        case 'n':
            u.name = optarg;
            break;
        case 'r':
            role = optarg;
            break;
        case 'L':
            u.lang = optarg;
            break;
        case 'p':
            pw_stdin = 1;
            break;
        case 'd':
            dbpath = optarg;
            break;
        case 'o': {
            char *end;
            errno = 0;
            long long v = strtoll(optarg, &end, 10);
            if (*end || errno || v <= 0)
                return cli_usage("user", "--organisation must be a positive id");
            u.organisation_id = v;
            break;
        }
        case 'h':
            cli_help(stdout, "user");
            return CLI_OK;
        default:
            return bad_option("user", c, argv + 1);
        }
    }
    if (!u.email || !u.name || !role)
        return cli_usage("user", "--email, --name and --role are required");
    if (!pw_stdin)
        return cli_usage("user",
                         "--password-stdin is required (passwords never go on the command line)");
    u.role = auth_role_parse(role);
    if (u.role == ROLE_NONE)
        return cli_usage("user", "--role must be staff, owner or researcher");
    char pw[AUTH_PASSWORD_MAX + 4];
    if (!fgets(pw, sizeof pw, stdin)) {
        cli_say(stderr, "labshare user: no password on standard input\n");
        return CLI_FAIL;
    }
    pw[strcspn(pw, "\r\n")] = '\0';
    u.password = pw;
    /* The account is checked as it is written; a refused one must not
     * leave behind the installation its --db created for it. */
    struct stat before;
    int created = db_engine_of(dbpath) == DB_SQLITE && stat(dbpath, &before) != 0;
    struct db *db = cli_open_db(dbpath);
    if (!db)
        return CLI_FAIL;
    struct ls_err err = {0};
    int64_t id = 0;
    int rc = auth_user_create(db, &u, &id, &err);
    if (rc == LS_OK)
        auth_audit(db, 0, "user.create", "user", id, "command line", "");
    db_close(db);
    if (rc != LS_OK) {
        if (created)
            remove_sqlite_files(dbpath);
        return cli_fail("user", &err);
    }
    cli_say(stdout, "created user %lld <%s> (%s)\n", (long long)id, u.email, role);
    return CLI_OK;
}

static int cmd_backup(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, 0, 'd'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    const char *dbpath = env_or("LABSHARE_DB", "labshare.db");
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "+:", opts, NULL)) != -1) {
        if (c == 'd')
            dbpath = optarg;
        else if (c == 'h') {
            cli_help(stdout, "backup");
            return CLI_OK;
        } else
            return bad_option("backup", c, argv);
    }
    if (optind != argc - 1)
        return cli_usage("backup", "give exactly one output file");
    const char *out = argv[optind];
    /* The rename at the end would put the copy in place of the live file
     * a server has open. */
    struct stat so, sd;
    if (stat(out, &so) == 0 && stat(dbpath, &sd) == 0 && so.st_dev == sd.st_dev &&
        so.st_ino == sd.st_ino)
        return cli_usage("backup", "the output file %s is the database itself", out);
    int status = CLI_OK;
    struct db *src = cli_open_installation("backup", "--db", dbpath, &status);
    if (!src)
        return status;
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", out);
    unlink(tmp);
    sqlite3 *dst = NULL;
    int rc = sqlite3_open(tmp, &dst);
    sqlite3_backup *b =
        rc == SQLITE_OK ? sqlite3_backup_init(dst, "main", db_handle(src), "main") : NULL;
    if (b) {
        /* One step inside one read transaction: the copy is the snapshot of
         * a single instant. In WAL mode a reader never blocks the server's
         * writers, whereas copying in several steps restarts the copy each
         * time another connection writes in between — under a steady write
         * load it might never finish. */
        int busy = 0;
        do {
            rc = sqlite3_backup_step(b, -1);
            if ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && busy++ < 500)
                sqlite3_sleep(20);
            else if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
                break;
        } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
        sqlite3_backup_finish(b);
        rc = rc == SQLITE_DONE ? sqlite3_errcode(dst) : rc;
    } else if (rc == SQLITE_OK) {
        rc = sqlite3_errcode(dst);
    }
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(dst, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL);
    if (rc == SQLITE_OK) {
        /* A copy that does not check out is no backup: verify before the rename. */
        sqlite3_stmt *st = NULL;
        rc = sqlite3_prepare_v2(dst, "PRAGMA integrity_check", -1, &st, NULL);
        if (rc == SQLITE_OK && (sqlite3_step(st) != SQLITE_ROW ||
                                strcmp((const char *)sqlite3_column_text(st, 0), "ok") != 0)) {
            cli_say(stderr, "labshare backup: the copy fails its integrity check\n");
            rc = SQLITE_CORRUPT;
        }
        sqlite3_finalize(st);
    }
    const char *msg = dst ? sqlite3_errmsg(dst) : sqlite3_errstr(rc);
    if (rc != SQLITE_OK)
        fprintf(stderr, "labshare backup: %s\n", msg);
    sqlite3_close(dst);
    db_close(src);
    if (rc != SQLITE_OK || rename(tmp, out) != 0) {
        if (rc == SQLITE_OK)
            cli_say(stderr, "labshare backup: cannot rename to %s: %s\n", out, strerror(errno));
        unlink(tmp);
        return CLI_FAIL;
    }
    cli_say(stdout, "backup of %s written to %s\n", dbpath, out);
    return CLI_OK;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        cli_help(stderr, "");
        return CLI_USAGE;
    }
    /* glibc gives busy threads arenas of their own (up to 8 per core) and
     * keeps what they freed; with a worker thread per connection that is
     * most of the resident memory. Two arenas serve our short requests. */
    mallopt(M_ARENA_MAX, 2);
    /* A fixed threshold: large request buffers (rendered feeds, big pages of
     * JSON) are mapped and unmapped, instead of glibc raising the threshold
     * after the first free and keeping them in a fragmenting heap. */
    mallopt(M_MMAP_THRESHOLD, 256 * 1024);
    opterr = 0; /* bad_option() says it, in the command line's language */
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        cli_help(stdout, "");
        return CLI_OK;
    }
    if (tu_init(env_or("LABSHARE_TZ", "Europe/Warsaw")) != 0) {
        cli_say(stderr, "labshare: unknown time zone '%s' (install tzdata?)\n",
                env_or("LABSHARE_TZ", "Europe/Warsaw"));
        return CLI_FAIL;
    }
    const char *mem = getenv("LABSHARE_ARGON2_MEMLIMIT");
    if (mem)
        auth_set_cost(0, (size_t)strtoull(mem, NULL, 10));
    if (auth_init() != 0) {
        cli_say(stderr, "labshare: libsodium failed to initialise\n");
        return CLI_FAIL;
    }
    if (strcmp(cmd, "serve") == 0)
        return cmd_serve(argc - 1, argv + 1);
    if (strcmp(cmd, "migrate") == 0)
        return cmd_db(argc - 1, argv + 1, DBCMD_MIGRATE);
    if (strcmp(cmd, "demo") == 0)
        return cmd_db(argc - 1, argv + 1, DBCMD_DEMO);
    if (strcmp(cmd, "user") == 0)
        return cmd_user(argc - 1, argv + 1);
    if (strcmp(cmd, "stats") == 0)
        return cli_stats(argc - 1, argv + 1, env_or("LABSHARE_DB", "labshare.db"));
    if (strcmp(cmd, "statements") == 0)
        return cli_statements(argc - 1, argv + 1, env_or("LABSHARE_DB", "labshare.db"));
    if (strcmp(cmd, "reindex") == 0)
        return cmd_db(argc - 1, argv + 1, DBCMD_REINDEX);
    if (strcmp(cmd, "backup") == 0)
        return cmd_backup(argc - 1, argv + 1);
    if (strcmp(cmd, "notify") == 0)
        return cmd_notify(argc - 1, argv + 1);
    if (strcmp(cmd, "sql") == 0)
        return cli_sql(argc - 1, argv + 1, env_or("LABSHARE_DB", "labshare.db"));
    if (strcmp(cmd, "copy-db") == 0)
        return cli_copy_db(argc - 1, argv + 1);
    cli_say(stderr, "labshare: unknown command '%s'\n", cmd);
    cli_help(stderr, "");
    return CLI_USAGE;
}
