/* test_notify.c — notifications on a real SQLite file: who gets which
 * message, in the booking's transaction or not at all, reminders once, the
 * backoff schedule, and the message itself (MIME structure, RFC 2047
 * subject, HTML escaping, the iTIP attachment parsed back with libical).
 * "now" is fixed at Sunday 1 November 2026, 12:00 UTC. */
#include "testutil.h"

#include <libical/ical.h>

#include "booking.h"
#include "catalogue.h"
#include "notify.h"

#define NOW 1793534400 /* 2026-11-01T12:00:00Z, a Sunday */

enum { R_AUTO = 1, R_APPROVAL = 2 };

struct fx {
    struct testdb *t;
    struct arena a;
    struct user staff, owner1, owner1b, res1, res2, owner2;
};

static int64_t add_user(struct testdb *t, const char *email, enum role role, int64_t org,
                        const char *lang)
{
    struct user_new u = {email, "Test Person", "correct horse battery", role, org, lang};
    struct ls_err err = {0};
    int64_t id = 0;
    assert_int_equal(auth_user_create(t->db, &u, &id, &err), LS_OK);
    return id;
}

static struct user mk(struct testdb *t, const char *email, enum role role, int64_t org,
                      const char *lang)
{
    return (struct user){.id = add_user(t, email, role, org, lang),
                         .role = role,
                         .organisation_id = org,
                         .active = 1,
                         .lang = lang};
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    f->t = testdb_new();
    testdb_exec(f->t, "INSERT INTO organisations(id, name, grp, created, updated) VALUES"
                      " (1, 'Jagiellonian Centre of Innovation', 'BIZ', 0, 0),"
                      " (2, 'Institute of Catalysis', 'R&D', 0, 0);"
                      "INSERT INTO labs(id, organisation_id, name, kind, area_m2, created, updated)"
                      " VALUES (1, 1, 'Imaging lab', 'scientific', 80, 0, 0);"
                      "INSERT INTO resources(id, lab_id, type, name, shared, requires_approval,"
                      " created, updated) VALUES (1, 1, 'instrument', 'Confocal', 1, 0, 0, 0),"
                      " (2, 1, 'instrument', 'Flow cytometer', 1, 1, 0, 0);"
                      "WITH RECURSIVE d(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM d WHERE n < 5)"
                      " INSERT INTO opening_hours(resource_id, weekday, open_min, close_min)"
                      " SELECT r.id, d.n, 480, 1080 FROM d, resources r;");
    f->staff = mk(f->t, "staff@x.pl", ROLE_STAFF, 0, "pl");
    f->owner1 = mk(f->t, "owner1@x.pl", ROLE_OWNER, 1, "pl");
    f->owner1b = mk(f->t, "owner1b@x.pl", ROLE_OWNER, 1, "en");
    f->res1 = mk(f->t, "res1@x.pl", ROLE_RESEARCHER, 1, "pl");
    f->res2 = mk(f->t, "res2@x.pl", ROLE_RESEARCHER, 2, "en");
    f->owner2 = mk(f->t, "owner2@x.pl", ROLE_OWNER, 2, "pl");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    arena_release(&f->a);
    testdb_free(f->t);
    free(f);
    return 0;
}

static int64_t at(int y, int mo, int d, int h, int mi)
{
    int64_t t;
    assert_int_equal(tu_from_local(y, mo, d, h, mi, 0, 0, &t), TU_OK);
    return t;
}

static int64_t book(struct fx *f, const struct user *u, int64_t res, int64_t s, int64_t e,
                    const char *rrule)
{
    struct booking_actor who = {u, "127.0.0.1", NOW};
    struct booking_request q = {
        .resource_id = res, .start = s, .end = e, .purpose = "test", .rrule = rrule};
    struct booking_set out;
    struct ls_err err = {0};
    assert_int_equal(booking_create(&out, f->t->db, &f->a, &who, &q, &err), LS_OK);
    return out.items[0].id;
}

static int64_t count(struct fx *f, const char *sql)
{
    struct db_stmt *st = NULL;
    assert_int_equal(db_prepare(f->t->db, sql, &st), DB_OK);
    assert_int_equal(db_step(st), DB_ROW);
    int64_t n = db_column_int64(st, 0);
    db_finalize(st);
    return n;
}

static int64_t countf(struct fx *f, const char *fmt, long long a)
{
    char sql[400];
    snprintf(sql, sizeof sql, fmt, a);
    return count(f, sql);
}

/* ------------------------------------------------------------------ */
/* Who gets what                                                        */

static void notify__request_queues_owners_and_mailbox(void **state)
{
    struct fx *f = *state;
    testdb_exec(f->t, "UPDATE labs SET notify_email = 'imaging@x.pl' WHERE id = 1");
    int64_t id =
        book(f, &f->res2, R_APPROVAL, at(2026, 11, 2, 10, 0), at(2026, 11, 2, 11, 0), NULL);
    assert_int_equal(countf(f, "SELECT count(*) FROM outbox WHERE booking_id = %lld", id), 3);
    assert_int_equal(countf(f,
                            "SELECT count(*) FROM outbox WHERE booking_id = %lld AND kind ="
                            " 'request' AND email IN ('owner1@x.pl','owner1b@x.pl','imaging@x.pl')"
                            " AND status = 'queued' AND next_attempt = created",
                            id),
                     3);
    /* Each in their own language; the mailbox in the site's. */
    assert_int_equal(count(f, "SELECT count(*) FROM outbox WHERE email = 'owner1b@x.pl'"
                              " AND lang = 'en'"),
                     1);
    assert_int_equal(count(f, "SELECT count(*) FROM outbox WHERE user_id IS NULL AND lang = 'pl'"),
                     1);
}

static void notify__series_is_one_message(void **state)
{
    struct fx *f = *state;
    int64_t id = book(f, &f->res2, R_APPROVAL, at(2026, 11, 2, 10, 0), at(2026, 11, 2, 11, 0),
                      "FREQ=WEEKLY;COUNT=4");
    assert_int_equal(count(f, "SELECT count(*) FROM outbox"), 2);
    assert_int_equal(countf(f,
                            "SELECT count(*) FROM outbox WHERE booking_id = %lld"
                            " AND occurrences = 4",
                            id),
                     2);
}

static void notify__auto_approved_invites_and_own_requests_skip_the_owner(void **state)
{
    struct fx *f = *state;
    /* Approved at once: no request, but the booker's invitation. */
    int64_t id = book(f, &f->res2, R_AUTO, at(2026, 11, 2, 10, 0), at(2026, 11, 2, 11, 0), NULL);
    assert_int_equal(count(f, "SELECT count(*) FROM outbox"), 1);
    assert_int_equal(countf(f,
                            "SELECT count(*) FROM outbox WHERE booking_id = %lld AND kind ="
                            " 'approved' AND email = 'res2@x.pl' AND b_status = 'approved'",
                            (long long)id),
                     1);
    testdb_exec(f->t, "DELETE FROM outbox");
    /* An owner's own request goes to the other owner only. */
    book(f, &f->owner1, R_APPROVAL, at(2026, 11, 3, 10, 0), at(2026, 11, 3, 11, 0), NULL);
    assert_int_equal(count(f, "SELECT count(*) FROM outbox"), 1);
    assert_int_equal(count(f, "SELECT count(*) FROM outbox WHERE email = 'owner1b@x.pl'"), 1);
}

static void notify__decisions_reach_the_booker(void **state)
{
    struct fx *f = *state;
    struct booking_actor owner = {&f->owner1, NULL, NOW}, booker = {&f->res2, NULL, NOW};
    struct booking b;
    struct booking_set set;
    struct ls_err err = {0};
    int64_t a = book(f, &f->res2, R_APPROVAL, at(2026, 11, 2, 10, 0), at(2026, 11, 2, 11, 0), NULL);
    int64_t d = book(f, &f->res2, R_APPROVAL, at(2026, 11, 3, 10, 0), at(2026, 11, 3, 11, 0), NULL);
    testdb_exec(f->t, "DELETE FROM outbox");
    assert_int_equal(booking_approve(&b, f->t->db, &f->a, &owner, a, &err), LS_OK);
    assert_int_equal(countf(f,
                            "SELECT count(*) FROM outbox WHERE booking_id = %lld AND kind ="
                            " 'approved' AND email = 'res2@x.pl' AND lang = 'en'"
                            " AND b_status = 'approved' AND b_sequence = 1",
                            a),
                     1);
    assert_int_equal(booking_decline(&b, f->t->db, &f->a, &owner, d, "maintenance", &err), LS_OK);
    assert_int_equal(countf(f,
                            "SELECT count(*) FROM outbox WHERE booking_id = %lld AND kind ="
                            " 'declined' AND reason = 'maintenance'",
                            d),
                     1);
    /* The booker withdraws: they and the owners hear of it. */
    assert_int_equal(booking_cancel(&set, f->t->db, &f->a, &booker, a, NULL, 0, &err), LS_OK);
    assert_int_equal(countf(f,
                            "SELECT count(*) FROM outbox WHERE booking_id = %lld AND kind ="
                            " 'cancelled'",
                            a),
                     3);
    /* An owner cancels: only the booker. */
    int64_t c = book(f, &f->res2, R_AUTO, at(2026, 11, 4, 10, 0), at(2026, 11, 4, 11, 0), NULL);
    assert_int_equal(booking_cancel(&set, f->t->db, &f->a, &owner, c, "broken", 0, &err), LS_OK);
    assert_int_equal(countf(f,
                            "SELECT count(*) FROM outbox WHERE booking_id = %lld AND kind ="
                            " 'cancelled'",
                            c),
                     1);
}

static void notify__move_tells_the_booker_and_reopens_the_request(void **state)
{
    struct fx *f = *state;
    struct booking_actor owner = {&f->owner1, NULL, NOW}, booker = {&f->res2, NULL, NOW};
    struct booking b;
    struct ls_err err = {0};
    int64_t a = book(f, &f->res2, R_APPROVAL, at(2026, 11, 2, 10, 0), at(2026, 11, 2, 11, 0), NULL);
    assert_int_equal(booking_approve(&b, f->t->db, &f->a, &owner, a, &err), LS_OK);
    testdb_exec(f->t, "DELETE FROM outbox");
    struct booking_change c = {1, 1, 0, at(2026, 11, 2, 12, 0), at(2026, 11, 2, 13, 0), NULL, 0};
    assert_int_equal(booking_move(&b, f->t->db, &f->a, &booker, a, &c, &err), LS_OK);
    assert_int_equal(count(f, "SELECT count(*) FROM outbox WHERE kind = 'moved'"
                              " AND email = 'res2@x.pl' AND b_status = 'pending'"),
                     1);
    assert_int_equal(count(f, "SELECT count(*) FROM outbox WHERE kind = 'request'"), 2);
    /* Only the purpose, by the booker: no mail. */
    testdb_exec(f->t, "DELETE FROM outbox");
    struct booking_change p = {0, 0, 1, 0, 0, "new purpose", 0};
    assert_int_equal(booking_move(&b, f->t->db, &f->a, &booker, a, &p, &err), LS_OK);
    assert_int_equal(count(f, "SELECT count(*) FROM outbox"), 0);
}

/* A unit of work that queues a message and then is refused. */
struct refused_unit {
    struct fx *f;
    int64_t booking;
    int enqueued, queued_inside;
};

static int enqueue_then_refuse(struct db *db, void *ctx, struct ls_err *err)
{
    struct refused_unit *u = ctx;
    u->enqueued = notify_enqueue(db, NOTIFY_APPROVED, u->booking, u->f->owner1.id, 1, NOW, err);
    u->queued_inside = (int)count(u->f, "SELECT count(*) FROM outbox");
    return ls_err_set(err, LS_ECONFLICT, NULL, "refused on purpose");
}

static void notify__rolled_back_change_leaves_no_message(void **state)
{
    struct fx *f = *state;
    struct ls_err err = {0};
    int64_t a = book(f, &f->res2, R_APPROVAL, at(2026, 11, 2, 10, 0), at(2026, 11, 2, 11, 0), NULL);
    testdb_exec(f->t, "DELETE FROM outbox");
    struct refused_unit u = {f, a, -1, -1};
    assert_int_equal(db_write(f->t->db, enqueue_then_refuse, &u, &err), LS_ECONFLICT);
    assert_int_equal(u.enqueued, LS_OK);
    assert_int_equal(u.queued_inside, 1);
    assert_int_equal(count(f, "SELECT count(*) FROM outbox"), 0);
    /* A decision that fails (conflict) queues nothing either. */
    int64_t b2 =
        book(f, &f->res1, R_APPROVAL, at(2026, 11, 2, 10, 0), at(2026, 11, 2, 11, 0), NULL);
    struct booking_actor owner = {&f->owner1, NULL, NOW};
    struct booking b;
    assert_int_equal(booking_approve(&b, f->t->db, &f->a, &owner, a, &err), LS_OK);
    int64_t before = count(f, "SELECT count(*) FROM outbox");
    ls_err_clear(&err);
    assert_int_equal(booking_approve(&b, f->t->db, &f->a, &owner, b2, &err), LS_ECONFLICT);
    assert_int_equal(count(f, "SELECT count(*) FROM outbox"), before);
}

static void notify__opt_outs_and_inactive_users(void **state)
{
    struct fx *f = *state;
    struct ls_err err = {0};
    struct notify_prefs p;
    assert_int_equal(notify_prefs_get(&p, f->t->db, f->owner1.id, &err), LS_OK);
    assert_true(p.request && p.decision && p.change && p.reminder);
    p.request = 0;
    assert_int_equal(notify_prefs_set(f->t->db, f->owner1.id, &p, &err), LS_OK);
    assert_int_equal(notify_prefs_get(&p, f->t->db, f->owner1.id, &err), LS_OK);
    assert_false(p.request);
    assert_true(p.decision);
    testdb_exec(f->t, "UPDATE users SET active = 0 WHERE email = 'owner1b@x.pl'");
    book(f, &f->res2, R_APPROVAL, at(2026, 11, 2, 10, 0), at(2026, 11, 2, 11, 0), NULL);
    assert_int_equal(count(f, "SELECT count(*) FROM outbox"), 0);
}

static void notify__reminders_once_in_the_window(void **state)
{
    struct fx *f = *state;
    struct ls_err err = {0};
    int n = -1;
    /* Monday 2 Nov 13:00 Warsaw = 12:00 UTC = NOW + 24 h. */
    int64_t id = book(f, &f->res2, R_AUTO, at(2026, 11, 2, 13, 0), at(2026, 11, 2, 14, 0), NULL);
    assert_int_equal(notify_enqueue_reminders(f->t->db, NOW - 3600, &n, &err), LS_OK);
    assert_int_equal(n, 0); /* 25 h ahead: not yet */
    assert_int_equal(notify_enqueue_reminders(f->t->db, NOW, &n, &err), LS_OK);
    assert_int_equal(n, 1);
    assert_int_equal(notify_enqueue_reminders(f->t->db, NOW + 1800, &n, &err), LS_OK);
    assert_int_equal(n, 0);
    assert_int_equal(countf(f,
                            "SELECT count(*) FROM outbox WHERE booking_id = %lld AND kind ="
                            " 'reminder' AND email = 'res2@x.pl'",
                            id),
                     1);
    /* Opted out: none. */
    struct notify_prefs p = {1, 1, 1, 0};
    assert_int_equal(notify_prefs_set(f->t->db, f->res1.id, &p, &err), LS_OK);
    book(f, &f->res1, R_AUTO, at(2026, 11, 2, 15, 0), at(2026, 11, 2, 16, 0), NULL);
    assert_int_equal(notify_enqueue_reminders(f->t->db, NOW + 7200, &n, &err), LS_OK);
    assert_int_equal(n, 0);
}

/* ------------------------------------------------------------------ */
/* Delivery                                                             */

static void notify__backoff_schedule(void **state)
{
    (void)state;
    assert_int_equal(notify_backoff(1, 60), 60);
    assert_int_equal(notify_backoff(2, 60), 120);
    assert_int_equal(notify_backoff(3, 60), 240);
    assert_int_equal(notify_backoff(9, 60), 15360);
    assert_int_equal(notify_backoff(10, 60), NOTIFY_BACKOFF_MAX);
    assert_int_equal(notify_backoff(500, 60), NOTIFY_BACKOFF_MAX);
    int64_t next = 0;
    assert_int_equal(notify_retry_at(0, 1, 60, 60, &next), 0);
    assert_int_equal(next, 120);
    /* The whole schedule: retries until about a day, then gives up. */
    int64_t now = 0;
    int n = 0;
    while (!notify_retry_at(0, n + 1, now, 60, &next)) {
        now = next;
        n++;
    }
    assert_int_equal(n, 11);
    assert_true(now <= NOTIFY_GIVE_UP && now + NOTIFY_BACKOFF_MAX > NOTIFY_GIVE_UP);
}

static void notify__failed_delivery_is_retried_later(void **state)
{
    struct fx *f = *state;
    struct ls_err err = {0};
    book(f, &f->res2, R_APPROVAL, at(2026, 11, 2, 10, 0), at(2026, 11, 2, 11, 0), NULL);
    /* Nothing listens on port 1: the connection is refused at once. */
    struct notify_smtp smtp = {"smtp://127.0.0.1:1", NULL, NULL, "noreply@x.pl",
                               "noreply@x.pl",       0,    5};
    struct notify_site site = {"https://labshare.example.org", "labshare.example.org",
                               "noreply@x.pl", notify_compose_account};
    struct notify_pass p;
    assert_int_equal(notify_run_pass(f->t->db, &smtp, &site, NOW, 60, &p, &err), LS_OK);
    assert_int_equal(p.sent, 0);
    assert_int_equal(p.retried, 2);
    assert_int_equal(count(f, "SELECT count(*) FROM outbox WHERE status = 'queued' AND attempts = 1"
                              " AND next_attempt = 1793534460 AND last_error <> ''"),
                     2);
    /* Not due yet: the next pass leaves them alone. */
    assert_int_equal(notify_run_pass(f->t->db, &smtp, &site, NOW + 30, 60, &p, &err), LS_OK);
    assert_int_equal(p.retried, 0);
    /* A day later the next failure is the last. */
    assert_int_equal(notify_run_pass(f->t->db, &smtp, &site, NOW + 86400, 60, &p, &err), LS_OK);
    assert_int_equal(p.failed, 2);
    assert_int_equal(count(f, "SELECT count(*) FROM outbox WHERE status = 'failed'"
                              " AND attempts = 2 AND last_error <> ''"),
                     2);
}

/* ------------------------------------------------------------------ */
/* The message                                                          */

static int b64val(int c)
{
    const char *s = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char *p = strchr(s, c);
    return c && p ? (int)(p - s) : -1;
}

/* Decodes base64, skipping white space and stopping at '=' or a non-base64
 * character other than white space. Returns a malloc'd string. */
static char *unbase64(const char *s, const char **end)
{
    char *out = malloc(strlen(s) + 1);
    size_t n = 0;
    unsigned v = 0;
    int bits = 0;
    for (; *s; s++) {
        if (*s == '\r' || *s == '\n' || *s == ' ')
            continue;
        int d = b64val(*s);
        if (d < 0)
            break;
        v = v << 6 | (unsigned)d;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[n++] = (char)(v >> bits & 0xFF);
        }
    }
    while (*s == '=')
        s++;
    if (end)
        *end = s;
    out[n] = '\0';
    return out;
}

/* The decoded body of the first part whose headers contain `type`. */
static char *part_body(const char *mime, const char *type)
{
    const char *p = strstr(mime, type);
    assert_non_null(p);
    p = strstr(p, "\r\n\r\n");
    assert_non_null(p);
    return unbase64(p + 4, NULL);
}

static struct notify_event event(enum notify_kind kind, const char *lang)
{
    return (struct notify_event){
        .kind = kind,
        .lang = lang,
        .booking_id = 42,
        .start = 1793610000, /* 2026-11-02 10:00 Warsaw */
        .end = 1793617200,
        .sequence = 3,
        .booking_created = 1793530000,
        .queued = 1793534400,
        .status = kind == NOTIFY_CANCELLED ? "cancelled" : "approved",
        .reason = "awaria <lasera> & \"serwis\"",
        .occurrences = 1,
        .resource = "Mikroskop <konfokalny> & Żółć",
        .lab = "Pracownia obrazowania",
        .purpose = "<script>alert(1)</script>",
        .booker_name = "Zażółć Gęślą",
        .booker_email = "res2@x.pl",
        .actor_name = "Owner",
        .to = "res2@x.pl",
    };
}

static const struct notify_site SITE = {"https://labshare.example.org", "labshare.example.org",
                                        "Labshare <noreply@labshare.example.org>",
                                        notify_compose_account};

static void notify__mime_structure_and_escaping(void **state)
{
    struct fx *f = *state;
    struct notify_event e = event(NOTIFY_APPROVED, "pl");
    struct notify_mail m;
    struct ls_err err = {0};
    assert_int_equal(notify_compose(&m, &f->a, &e, &SITE, &err), LS_OK);
    assert_string_equal(m.subject, "Rezerwacja zatwierdzona: Mikroskop <konfokalny> & Żółć, "
                                   "2026-11-02 10:00–12:00");
    assert_non_null(strstr(m.text, "https://labshare.example.org/#/bookings/42"));
    assert_non_null(strstr(m.text, "<script>alert(1)</script>")); /* plain text stays text */
    assert_non_null(strstr(m.html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_non_null(strstr(m.html, "Mikroskop &lt;konfokalny&gt; &amp; Żółć"));
    assert_null(strstr(m.html, "<script>"));
    assert_null(strstr(m.html, "<konfokalny>"));
    assert_non_null(m.ics);
    assert_string_equal(m.method, "REQUEST");

    char *mime = notify_mime(&f->a, &SITE, "res2@x.pl", NULL, &m, 1793534400, "id-1@labshare");
    assert_true(strncmp(mime, "From: Labshare <noreply@labshare.example.org>\r\n", 47) == 0);
    assert_non_null(strstr(mime, "\r\nTo: <res2@x.pl>\r\n"));
    assert_non_null(strstr(mime, "\r\nDate: Sun, 01 Nov 2026 12:00:00 +0000\r\n"));
    assert_non_null(strstr(mime, "\r\nMessage-ID: <id-1@labshare>\r\n"));
    assert_non_null(strstr(mime, "\r\nMIME-Version: 1.0\r\n"));
    assert_non_null(strstr(mime, "Content-Type: multipart/mixed;\r\n boundary=\"=_mixed_id-1\""));
    /* Order: mixed { alternative { plain, html, calendar }, invite.ics }. */
    const char *alt = strstr(mime, "--=_mixed_id-1\r\nContent-Type: multipart/alternative");
    const char *plain = strstr(mime, "--=_alt_id-1\r\nContent-Type: text/plain; charset=UTF-8");
    const char *html = strstr(mime, "--=_alt_id-1\r\nContent-Type: text/html; charset=UTF-8");
    const char *cal = strstr(mime, "--=_alt_id-1\r\nContent-Type: text/calendar; "
                                   "charset=UTF-8; method=REQUEST\r\n");
    const char *alt_end = strstr(mime, "--=_alt_id-1--\r\n");
    const char *file = strstr(mime, "--=_mixed_id-1\r\nContent-Type: application/ics; "
                                    "name=\"invite.ics\"\r\n");
    const char *end = strstr(mime, "--=_mixed_id-1--\r\n");
    assert_true(alt && plain && html && cal && alt_end && file && end);
    assert_true(alt < plain && plain < html && html < cal && cal < alt_end && alt_end < file &&
                file < end);
    assert_non_null(strstr(file, "Content-Disposition: attachment; filename=\"invite.ics\""));
    /* Every line of the message is CRLF-terminated and at most 78 characters. */
    for (const char *p = mime; *p;) {
        const char *nl = strchr(p, '\n');
        assert_non_null(nl);
        assert_true(nl > p && nl[-1] == '\r');
        assert_true(nl - p <= 78);
        p = nl + 1;
    }
    char *text = part_body(mime, "text/plain");
    assert_non_null(strstr(text, "Twoja rezerwacja została zatwierdzona.\r\n"));
    free(text);
    char *h = part_body(mime, "text/html");
    assert_non_null(strstr(h, "&lt;script&gt;"));
    free(h);
}

static void notify__subject_is_rfc2047(void **state)
{
    struct fx *f = *state;
    const char *subject = "Rezerwacja odwołana: Spektrometr masowy źródło żółte — ąćęłńóśźż, "
                          "2026-11-02 10:00–12:00";
    char *enc = notify_encode_header(&f->a, subject);
    /* Decode the encoded-words back; fold white space between them vanishes. */
    char decoded[512] = "";
    const char *p = enc;
    int words = 0;
    while ((p = strstr(p, "=?UTF-8?B?"))) {
        const char *q = strstr(p + 10, "?=");
        assert_non_null(q);
        assert_true(q + 2 - p <= 75); /* RFC 2047: an encoded-word is at most 75 characters */
        char chunk[128];
        snprintf(chunk, sizeof chunk, "%.*s", (int)(q - p - 10), p + 10);
        char *d = unbase64(chunk, NULL);
        strcat(decoded, d);
        free(d);
        words++;
        p = q + 2;
    }
    assert_true(words >= 2);
    assert_string_equal(decoded, subject);
    /* Folded with CRLF + space between the words. */
    assert_non_null(strstr(enc, "?=\r\n =?UTF-8?B?"));
    /* Plain ASCII stays readable. */
    assert_string_equal(notify_encode_header(&f->a, "Booking approved"), "Booking approved");
    /* A line break cannot start a new header. */
    char *inj = notify_encode_header(&f->a, "a\r\nBcc: x@y");
    assert_null(strchr(inj, '\n'));
    assert_null(strstr(inj, "Bcc"));
}

static void notify__html_escape(void **state)
{
    struct fx *f = *state;
    assert_string_equal(notify_html_escape(&f->a, "<a href=\"x\">'&'</a>"),
                        "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    assert_string_equal(notify_html_escape(&f->a, NULL), "");
}

/* Parses the attachment with libical and checks the iTIP fields. */
static void check_itip(const char *ics, icalproperty_method method, const char *status, int seq)
{
    icalcomponent *c = icalparser_parse_string(ics);
    assert_non_null(c);
    assert_int_equal(icalcomponent_get_method(c), method);
    icalcomponent *v = icalcomponent_get_first_component(c, ICAL_VEVENT_COMPONENT);
    assert_non_null(v);
    assert_string_equal(icalcomponent_get_uid(v), "booking-42@labshare.example.org");
    assert_int_equal(icalcomponent_get_sequence(v), seq);
    assert_string_equal(icalproperty_status_to_string(icalcomponent_get_status(v)), status);
    icalproperty *o = icalcomponent_get_first_property(v, ICAL_ORGANIZER_PROPERTY);
    assert_string_equal(icalproperty_get_organizer(o), "mailto:noreply@labshare.example.org");
    icalproperty *a = icalcomponent_get_first_property(v, ICAL_ATTENDEE_PROPERTY);
    assert_string_equal(icalproperty_get_attendee(a), "mailto:res2@x.pl");
    icalparameter *cn = icalproperty_get_first_parameter(a, ICAL_CN_PARAMETER);
    assert_string_equal(icalparameter_get_cn(cn), "Zażółć Gęślą");
    assert_string_equal(icalcomponent_get_summary(v), "Mikroskop <konfokalny> & Żółć");
    icalproperty *ds = icalcomponent_get_first_property(v, ICAL_DTSTART_PROPERTY);
    icalparameter *tz = icalproperty_get_first_parameter(ds, ICAL_TZID_PARAMETER);
    assert_string_equal(icalparameter_get_tzid(tz), "Europe/Warsaw");
    struct icaltimetype t = icalproperty_get_dtstart(ds);
    assert_int_equal(t.hour, 10);
    assert_int_equal(t.day, 2);
    icalcomponent_free(c);
}

static void notify__itip_attachment_parses_back(void **state)
{
    struct fx *f = *state;
    struct ls_err err = {0};
    struct notify_mail m;
    struct notify_event e = event(NOTIFY_APPROVED, "en");
    assert_int_equal(notify_compose(&m, &f->a, &e, &SITE, &err), LS_OK);
    assert_string_equal(m.subject,
                        "Booking approved: Mikroskop <konfokalny> & Żółć, 2026-11-02 10:00–12:00");
    check_itip(m.ics, ICAL_METHOD_REQUEST, "CONFIRMED", 3);
    /* The attachment survives the MIME round trip. */
    char *mime = notify_mime(&f->a, &SITE, e.to, NULL, &m, NOW, "x@y");
    char *ics = part_body(mime, "text/calendar");
    check_itip(ics, ICAL_METHOD_REQUEST, "CONFIRMED", 3);
    free(ics);

    assert_non_null(strstr(m.ics, "\r\nTRANSP:OPAQUE\r\n"));

    /* A cancellation carries a CANCEL only to a calendar that was invited. */
    e = event(NOTIFY_CANCELLED, "pl");
    e.sequence = 4;
    assert_int_equal(notify_compose(&m, &f->a, &e, &SITE, &err), LS_OK);
    assert_null(m.ics);
    e.invited = 1;
    assert_int_equal(notify_compose(&m, &f->a, &e, &SITE, &err), LS_OK);
    assert_string_equal(m.method, "CANCEL");
    check_itip(m.ics, ICAL_METHOD_CANCEL, "CANCELLED", 4);
    e = event(NOTIFY_DECLINED, "pl");
    e.invited = 1;
    assert_int_equal(notify_compose(&m, &f->a, &e, &SITE, &err), LS_OK);
    assert_string_equal(m.method, "CANCEL");
    e = event(NOTIFY_CANCELLED, "pl");
    assert_non_null(strstr(m.text, "Powód: awaria <lasera> & \"serwis\""));
    assert_non_null(strstr(m.html, "awaria &lt;lasera&gt; &amp; &quot;serwis&quot;"));

    /* Requests and reminders carry no invitation; nor does a cancellation
     * or decline of what never reached the calendar. */
    enum notify_kind none[] = {NOTIFY_REQUEST, NOTIFY_DECLINED, NOTIFY_CANCELLED, NOTIFY_REMINDER};
    for (int i = 0; i < 4; i++) {
        e = event(none[i], "en");
        assert_int_equal(notify_compose(&m, &f->a, &e, &SITE, &err), LS_OK);
        assert_null(m.ics);
        mime = notify_mime(&f->a, &SITE, e.to, NULL, &m, NOW, "x@y");
        assert_null(strstr(mime, "text/calendar"));
    }

    /* A reason the server wrote reads in the recipient's language. */
    e = event(NOTIFY_CANCELLED, "pl");
    e.reason = CATALOGUE_WHY_HOURS;
    assert_int_equal(notify_compose(&m, &f->a, &e, &SITE, &err), LS_OK);
    assert_non_null(strstr(m.text, "Powód: Godziny otwarcia zasobu zmieniły się"));
    e.lang = "en";
    assert_int_equal(notify_compose(&m, &f->a, &e, &SITE, &err), LS_OK);
    assert_non_null(strstr(m.text, "Reason: " CATALOGUE_WHY_HOURS));
}

static void notify__economic_cap_mail_in_both_languages(void **state)
{
    struct fx *f = *state;
    struct ls_err err = {0};
    struct notify_mail m;
    struct notify_event e = event(NOTIFY_ECONOMIC, "pl");
    e.reason = "2027|0.170000|0.200000";
    assert_int_equal(notify_compose(&m, &f->a, &e, &SITE, &err), LS_OK);
    assert_non_null(strstr(m.subject, "Wykorzystanie gospodarcze blisko limitu pomocy publicznej"));
    assert_non_null(strstr(m.text, "2027: 17,00 % godzin dostępnych (limit 20,00 %)"));
    assert_non_null(strstr(m.text, "2022/C 414/01, pkt 2.1.1"));
    assert_non_null(strstr(m.html, "2027: 17,00 % godzin dostępnych (limit 20,00 %)"));
    assert_null(m.ics); /* nothing for the owners' calendars */
    e.lang = "en";
    assert_int_equal(notify_compose(&m, &f->a, &e, &SITE, &err), LS_OK);
    assert_non_null(strstr(m.subject, "Economic use near the State-aid cap"));
    assert_non_null(strstr(m.text, "2027: 17.00 % of the available hours (cap 20.00 %)"));
    assert_non_null(strstr(m.text, "section 2.1.1"));
    assert_string_equal(notify_kind_name(NOTIFY_ECONOMIC), "economic");
    assert_int_equal(notify_kind_parse("economic"), NOTIFY_ECONOMIC);
}

static void notify__email_addresses(void **state)
{
    struct fx *f = *state;
    assert_true(notify_email_ok("lab@uj.edu.pl"));
    assert_false(notify_email_ok("lab"));
    assert_false(notify_email_ok("lab@localhost"));
    assert_false(notify_email_ok("a b@x.pl"));
    assert_false(notify_email_ok("a@x.pl>\r\nBcc: y@z.pl"));
    assert_false(notify_email_ok("a@@x.pl"));
    assert_string_equal(notify_address(&f->a, "Labshare <noreply@x.pl>"), "noreply@x.pl");
    assert_string_equal(notify_address(&f->a, "noreply@x.pl"), "noreply@x.pl");
}

/* A training request to the owners: who, from where, their words, where to
 * record it; both languages; no address; no invitation. */
static void notify__training_request_in_both_languages(void **state)
{
    struct fx *f = *state;
    struct ls_err err = {0};
    struct notify_mail m;
    struct notify_event e = event(NOTIFY_TRAINING, "pl");
    e.booking_id = 0;
    e.resource_id = 7;
    e.organisation = "Life Science Garage";
    e.reason = "sortuję <komórki>";
    assert_int_equal(notify_compose(&m, &f->a, &e, &SITE, &err), LS_OK);
    assert_string_equal(m.subject, "Prośba o szkolenie: Mikroskop <konfokalny> & Żółć");
    assert_non_null(strstr(m.text, "Prosi: Zażółć Gęślą\n"));
    assert_non_null(strstr(m.text, "Organizacja: Life Science Garage\n"));
    assert_non_null(strstr(m.text, "Wiadomość: sortuję <komórki>\n"));
    assert_non_null(strstr(m.text, "https://labshare.example.org/#/manage/resources/7"));
    assert_non_null(strstr(m.html, "sortuję &lt;komórki&gt;"));
    assert_null(strstr(m.text, "res2@x.pl"));
    assert_null(m.ics);
    e.lang = "en";
    e.organisation = NULL;
    assert_int_equal(notify_compose(&m, &f->a, &e, &SITE, &err), LS_OK);
    assert_string_equal(m.subject, "Training request: Mikroskop <konfokalny> & Żółć");
    assert_non_null(strstr(m.text, "Asked by: Zażółć Gęślą\n"));
    assert_non_null(strstr(m.text, "Organisation: guest (no organisation)\n"));
    assert_non_null(strstr(m.text, "Record the training: "));
    assert_int_equal(notify_kind_parse("training_request"), NOTIFY_TRAINING);
}

/* From and To: a non-ASCII display name is an encoded-word before the
 * intact address, a name with a comma is quoted, a bare address has none. */
static void notify__mailboxes_keep_the_address(void **state)
{
    struct fx *f = *state;
    struct arena *a = &f->a;
    assert_string_equal(notify_mailbox(a, "labshare", "n@x.pl"), "labshare <n@x.pl>");
    assert_string_equal(notify_mailbox(a, NULL, "n@x.pl"), "<n@x.pl>");
    assert_string_equal(notify_mailbox(a, "Lab, Inc.", "n@x.pl"), "\"Lab, Inc.\" <n@x.pl>");
    assert_string_equal(notify_mailbox(a, "say \"hi\"", "n@x.pl"), "\"say \\\"hi\\\"\" <n@x.pl>");
    const char *enc = notify_mailbox(a, "Łabshare, Kraków", "n@x.pl");
    assert_true(strncmp(enc, "=?UTF-8?B?", 10) == 0);
    const char *tail = enc + strlen(enc) - strlen(" <n@x.pl>");
    assert_string_equal(tail, " <n@x.pl>");
    assert_null(strchr(enc, ','));
    assert_string_equal(notify_display_name(a, "Łabshare <n@x.pl>"), "Łabshare");
    assert_string_equal(notify_display_name(a, "\"Lab, Inc.\" <n@x.pl>"), "Lab, Inc.");
    assert_null(notify_display_name(a, "n@x.pl"));
    struct notify_site site = {"https://l.example.org", "l.example.org",
                               "Łabshare, Kraków <noreply@l.example.org>", notify_compose_account};
    struct notify_mail m = {"Temat", "tekst", "<p>t</p>", NULL, NULL};
    char *mime = notify_mime(a, &site, "to@x.pl", "Zażółć, Gęślą", &m, NOW, "id@x");
    assert_true(strncmp(mime, "From: =?UTF-8?B?", 16) == 0);
    assert_non_null(strstr(mime, "?= <noreply@l.example.org>\r\nTo: =?UTF-8?B?"));
    assert_non_null(strstr(mime, "?= <to@x.pl>\r\nSubject: Temat\r\n"));
}

int main(void)
{
    testutil_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(notify__request_queues_owners_and_mailbox, setup, teardown),
        cmocka_unit_test_setup_teardown(notify__series_is_one_message, setup, teardown),
        cmocka_unit_test_setup_teardown(
            notify__auto_approved_invites_and_own_requests_skip_the_owner, setup, teardown),
        cmocka_unit_test_setup_teardown(notify__decisions_reach_the_booker, setup, teardown),
        cmocka_unit_test_setup_teardown(notify__move_tells_the_booker_and_reopens_the_request,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(notify__rolled_back_change_leaves_no_message, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(notify__opt_outs_and_inactive_users, setup, teardown),
        cmocka_unit_test_setup_teardown(notify__reminders_once_in_the_window, setup, teardown),
        cmocka_unit_test(notify__backoff_schedule),
        cmocka_unit_test_setup_teardown(notify__failed_delivery_is_retried_later, setup, teardown),
        cmocka_unit_test_setup_teardown(notify__mime_structure_and_escaping, setup, teardown),
        cmocka_unit_test_setup_teardown(notify__subject_is_rfc2047, setup, teardown),
        cmocka_unit_test_setup_teardown(notify__mailboxes_keep_the_address, setup, teardown),
        cmocka_unit_test_setup_teardown(notify__html_escape, setup, teardown),
        cmocka_unit_test_setup_teardown(notify__itip_attachment_parses_back, setup, teardown),
        cmocka_unit_test_setup_teardown(notify__email_addresses, setup, teardown),
        cmocka_unit_test_setup_teardown(notify__economic_cap_mail_in_both_languages, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(notify__training_request_in_both_languages, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
