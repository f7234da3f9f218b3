/* test_feed.c — tokens, permissions, what a feed shows, its ETag and cache. */
#include "testutil.h"

#include <libical/ical.h>

#include "feed.h"

/* A fixed "now": Monday 2026-11-23 12:00 UTC. */
#define NOW 1795521600LL
#define DAY 86400LL

static const struct feed_site SITE = {"labshare.example.org", "https://labshare.example.org"};

struct fixture {
    struct testdb *t;
    struct arena a;
    struct user staff, owner_a, owner_b, res_a, res_b, guest;
};

static void add_user(struct fixture *fx, struct user *out, const char *email, const char *name,
                     enum role role, int64_t org)
{
    struct user_new u = {email, name, "correct horse battery", role, org, "en"};
    struct ls_err err = {0};
    int64_t id = 0;
    assert_int_equal(auth_user_create(fx->t->db, &u, &id, &err), LS_OK);
    assert_int_equal(auth_user_get(fx->t->db, id, &fx->a, out, &err), LS_OK);
}

static void exec(struct fixture *fx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void exec(struct fixture *fx, const char *fmt, ...)
{
    char sql[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    testdb_exec(fx->t, sql);
}

/* Org 1 (JCI) owns lab 1 with resources 1 and 2; org 2 (Browin) lab 2 with resource 3. */
static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    fx->t = testdb_new();
    exec(fx,
         "INSERT INTO organisations(id, name, short_name, grp, created, updated) VALUES"
         " (1, 'Jagiellonian Centre of Innovation', 'JCI', 'R&D', %lld, %lld),"
         " (2, 'Browin', '', 'BioF', %lld, %lld);"
         "INSERT INTO labs(id, organisation_id, name, kind, area_m2, building, created, updated)"
         " VALUES (1, 1, 'Microscopy', 'scientific', 100, 'B', %lld, %lld),"
         " (2, 2, 'Fermentation', 'commercial', 50, NULL, %lld, %lld);"
         "INSERT INTO resources(id, lab_id, type, name, created, updated) VALUES"
         " (1, 1, 'instrument', 'Confocal', %lld, %lld), (2, 1, 'room', 'BSL-2 room', %lld, %lld),"
         " (3, 2, 'instrument', 'Bioreactor', %lld, %lld);",
         NOW - 100 * DAY, NOW - 100 * DAY, NOW - 100 * DAY, NOW - 100 * DAY, NOW - 100 * DAY,
         NOW - 100 * DAY, NOW - 100 * DAY, NOW - 100 * DAY, NOW - 100 * DAY, NOW - 100 * DAY,
         NOW - 100 * DAY, NOW - 100 * DAY, NOW - 100 * DAY, NOW - 100 * DAY);
    add_user(fx, &fx->staff, "staff@t.pl", "Stefan Staff", ROLE_STAFF, 0);
    add_user(fx, &fx->owner_a, "owner-a@t.pl", "Olga Owner", ROLE_OWNER, 1);
    add_user(fx, &fx->owner_b, "owner-b@t.pl", "Oskar Owner", ROLE_OWNER, 2);
    add_user(fx, &fx->res_a, "res-a@t.pl", "Anna Kowalska", ROLE_RESEARCHER, 1);
    add_user(fx, &fx->res_b, "res-b@t.pl", "Bartosz Nowak", ROLE_RESEARCHER, 2);
    add_user(fx, &fx->guest, "guest@t.pl", "Gustaw Guest", ROLE_RESEARCHER, 0);
    exec(fx, "UPDATE users SET created = %lld, updated = %lld", NOW - 100 * DAY, NOW - 100 * DAY);
    feed_cache_clear();
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    testdb_free(fx->t);
    arena_release(&fx->a);
    free(fx);
    return 0;
}

static int64_t booking(struct fixture *fx, int64_t resource, const struct user *u, int64_t start,
                       const char *status, const char *purpose, int64_t cancelled_at)
{
    exec(fx,
         "INSERT INTO bookings(resource_id, user_id, organisation_id, start, end, purpose, status,"
         " created, updated, cancelled_at) VALUES (%lld, %lld, %s, %lld, %lld, '%s', '%s', %lld,"
         " %lld, %s)",
         (long long)resource, (long long)u->id,
         u->organisation_id ? (u->organisation_id == 1 ? "1" : "2") : "NULL", (long long)start,
         (long long)start + 3600, purpose, status, NOW - DAY, NOW - DAY,
         cancelled_at ? "strftime('%s','now')" : "NULL");
    int64_t id = db_last_insert_id(fx->t->db);
    if (cancelled_at)
        exec(fx, "UPDATE bookings SET cancelled_at = %lld WHERE id = %lld", (long long)cancelled_at,
             (long long)id);
    return id;
}

static struct feed make_feed(struct fixture *fx, const struct user *u, enum feed_scope scope,
                             int64_t id)
{
    char token[FEED_TOKEN_HEX + 1];
    int64_t fid = 0;
    struct ls_err err = {0};
    assert_int_equal(
        feed_create(fx->t->db, u, scope, id, FEED_PAST_DAYS_DEFAULT, NOW, token, &fid, &err),
        LS_OK);
    struct feed f;
    assert_int_equal(feed_lookup(fx->t->db, token, &fx->a, &f, &err), LS_OK);
    assert_int_equal(f.id, fid);
    return f;
}

static struct feed_doc get(struct fixture *fx, const struct feed *f, int body)
{
    struct feed_doc d;
    struct ls_err err = {0};
    assert_int_equal(feed_get(fx->t->db, f, &SITE, NOW, body, &fx->a, &d, &err), LS_OK);
    return d;
}

/* The SUMMARY of booking id in the feed text, or NULL when it is absent. */
static char *summary_of(const char *text, int64_t id, char *buf, size_t n)
{
    icalcomponent *c = icalparser_parse_string(text);
    assert_non_null(c);
    char uid[96];
    snprintf(uid, sizeof uid, "booking-%lld@labshare.example.org", (long long)id);
    char *found = NULL;
    for (icalcomponent *v = icalcomponent_get_first_component(c, ICAL_VEVENT_COMPONENT); v;
         v = icalcomponent_get_next_component(c, ICAL_VEVENT_COMPONENT))
        if (strcmp(icalcomponent_get_uid(v), uid) == 0) {
            snprintf(buf, n, "%s", icalcomponent_get_summary(v));
            found = buf;
        }
    icalcomponent_free(c);
    return found;
}

static void feed__token_is_hashed_looked_up_and_revocable(void **state)
{
    struct fixture *fx = *state;
    char token[FEED_TOKEN_HEX + 1];
    int64_t id = 0;
    struct ls_err err = {0};
    assert_int_equal(feed_create(fx->t->db, &fx->res_a, FEED_RESOURCE, 1, FEED_PAST_DAYS_DEFAULT,
                                 NOW, token, &id, &err),
                     LS_OK);
    assert_int_equal(strlen(token), 64);
    /* stored: only the BLAKE2b hash */
    struct db_stmt *st;
    db_prepare(fx->t->db, "SELECT token_hash FROM feeds WHERE id = ?1", &st);
    db_bind_int64(st, 1, id);
    assert_int_equal(db_step(st), DB_ROW);
    unsigned char h[32];
    auth_token_hash(h, token);
    assert_int_equal(db_column_bytes(st, 0), 32);
    assert_memory_equal(db_column_blob(st, 0), h, 32);
    db_finalize(st);

    struct feed f;
    assert_int_equal(feed_lookup(fx->t->db, token, &fx->a, &f, &err), LS_OK);
    assert_int_equal(f.scope, FEED_RESOURCE);
    assert_int_equal(f.scope_id, 1);
    assert_int_equal(f.user_id, fx->res_a.id);
    char wrong[FEED_TOKEN_HEX + 1];
    memcpy(wrong, token, sizeof wrong);
    wrong[0] = wrong[0] == 'a' ? 'b' : 'a';
    assert_int_equal(feed_lookup(fx->t->db, wrong, &fx->a, &f, &err), LS_ENOTFOUND);
    assert_int_equal(feed_lookup(fx->t->db, "abc", &fx->a, &f, &err), LS_ENOTFOUND);

    /* only its creator revokes it; afterwards the token is unknown */
    assert_int_equal(feed_revoke(fx->t->db, fx->res_b.id, id, NOW, &err), LS_ENOTFOUND);
    assert_int_equal(feed_revoke(fx->t->db, fx->res_a.id, id, NOW, &err), LS_OK);
    assert_int_equal(feed_lookup(fx->t->db, token, &fx->a, &f, &err), LS_ENOTFOUND);
    assert_int_equal(feed_revoke(fx->t->db, fx->res_a.id, id, NOW, &err), LS_ENOTFOUND);
    struct feed *list;
    int n;
    int64_t total;
    assert_int_equal(feed_list(fx->t->db, fx->res_a.id, 50, 0, &fx->a, &list, &n, &total, &err),
                     LS_OK);
    assert_int_equal(n, 0);
    assert_int_equal(total, 0);
}

static void feed__scope_permissions(void **state)
{
    struct fixture *fx = *state;
    char token[FEED_TOKEN_HEX + 1];
    struct ls_err err = {0};
    struct db *db = fx->t->db;
    /* unknown objects, named in both languages */
    static const char *const missing[][2] = {{"no such resource", "nie ma takiego zasobu"},
                                             {"no such lab", "nie ma takiego laboratorium"},
                                             {"no such organisation", "nie ma takiej organizacji"},
                                             {"no such user", "nie ma takiego użytkownika"}};
    for (int s = FEED_RESOURCE; s <= FEED_USER; s++) {
        assert_int_equal(feed_create(db, &fx->staff, (enum feed_scope)s, 999,
                                     FEED_PAST_DAYS_DEFAULT, NOW, token, NULL, &err),
                         LS_ENOTFOUND);
        assert_string_equal(err.field, "id");
        assert_string_equal(err.message, missing[s][0]);
        assert_string_equal(err.message_pl, missing[s][1]);
    }
    /* resource and lab: anyone signed in */
    assert_int_equal(feed_create(db, &fx->guest, FEED_RESOURCE, 3, FEED_PAST_DAYS_DEFAULT, NOW,
                                 token, NULL, &err),
                     LS_OK);
    assert_int_equal(
        feed_create(db, &fx->res_b, FEED_LAB, 1, FEED_PAST_DAYS_DEFAULT, NOW, token, NULL, &err),
        LS_OK);
    /* organisation: its owners and staff */
    assert_int_equal(feed_create(db, &fx->res_a, FEED_ORGANISATION, 1, FEED_PAST_DAYS_DEFAULT, NOW,
                                 token, NULL, &err),
                     LS_EFORBIDDEN);
    assert_int_equal(feed_create(db, &fx->owner_b, FEED_ORGANISATION, 1, FEED_PAST_DAYS_DEFAULT,
                                 NOW, token, NULL, &err),
                     LS_EFORBIDDEN);
    assert_int_equal(feed_create(db, &fx->owner_a, FEED_ORGANISATION, 1, FEED_PAST_DAYS_DEFAULT,
                                 NOW, token, NULL, &err),
                     LS_OK);
    assert_int_equal(feed_create(db, &fx->staff, FEED_ORGANISATION, 2, FEED_PAST_DAYS_DEFAULT, NOW,
                                 token, NULL, &err),
                     LS_OK);
    /* user: only oneself, not even staff for others */
    assert_int_equal(feed_create(db, &fx->staff, FEED_USER, fx->res_a.id, FEED_PAST_DAYS_DEFAULT,
                                 NOW, token, NULL, &err),
                     LS_EFORBIDDEN);
    assert_int_equal(feed_create(db, &fx->res_a, FEED_USER, fx->res_a.id, FEED_PAST_DAYS_DEFAULT,
                                 NOW, token, NULL, &err),
                     LS_OK);
    enum feed_scope s;
    assert_int_equal(feed_scope_parse("organisation", &s), 0);
    assert_int_equal(s, FEED_ORGANISATION);
    assert_int_equal(feed_scope_parse("planet", &s), -1);
}

static void feed__names_hidden_unless_owner_staff_or_own_organisation(void **state)
{
    struct fixture *fx = *state;
    int64_t by_b = booking(fx, 1, &fx->res_b, NOW + 2 * DAY, "approved", "Imaging", 0);
    int64_t by_a = booking(fx, 1, &fx->res_a, NOW + 3 * DAY, "pending", "Staining", 0);
    int64_t by_guest = booking(fx, 2, &fx->guest, NOW + 4 * DAY, "approved", "Secret", 0);
    char buf[256];

    struct feed f = make_feed(fx, &fx->res_a, FEED_LAB, 1);
    struct feed_doc d = get(fx, &f, 1);
    assert_string_equal(summary_of(d.body, by_a, buf, sizeof buf),
                        "Confocal — Anna Kowalska: Staining");
    assert_string_equal(summary_of(d.body, by_b, buf, sizeof buf), "Confocal — Booked (Browin)");
    assert_string_equal(summary_of(d.body, by_guest, buf, sizeof buf),
                        "BSL-2 room — Booked (guest)");
    assert_null(strstr(d.body, "Bartosz"));
    assert_null(strstr(d.body, "Imaging"));
    assert_null(strstr(d.body, "Secret"));

    /* the owner of the lab's organisation, and staff, see everyone */
    f = make_feed(fx, &fx->owner_a, FEED_LAB, 1);
    d = get(fx, &f, 1);
    assert_string_equal(summary_of(d.body, by_b, buf, sizeof buf),
                        "Confocal — Bartosz Nowak: Imaging");
    assert_string_equal(summary_of(d.body, by_guest, buf, sizeof buf),
                        "BSL-2 room — Gustaw Guest: Secret");

    /* decided at fetch time: the creator's role changes, so does the feed */
    struct feed g = make_feed(fx, &fx->res_b, FEED_RESOURCE, 1);
    d = get(fx, &g, 1);
    assert_string_equal(summary_of(d.body, by_a, buf, sizeof buf), "Confocal — Booked (JCI)");
    exec(fx, "UPDATE users SET role = 'staff', organisation_id = NULL WHERE id = %lld",
         (long long)fx->res_b.id);
    d = get(fx, &g, 1);
    assert_string_equal(summary_of(d.body, by_a, buf, sizeof buf),
                        "Confocal — Anna Kowalska: Staining");
    /* deactivated: gone */
    exec(fx, "UPDATE users SET active = 0 WHERE id = %lld", (long long)fx->res_b.id);
    struct ls_err err = {0};
    assert_int_equal(feed_get(fx->t->db, &g, &SITE, NOW, 1, &fx->a, &d, &err), LS_ENOTFOUND);
}

static void feed__window_and_cancelled_retention(void **state)
{
    struct fixture *fx = *state;
    int64_t future = booking(fx, 3, &fx->res_b, NOW + 10 * DAY, "approved", "", 0);
    int64_t recent = booking(fx, 3, &fx->res_b, NOW - 170 * DAY, "approved", "", 0);
    int64_t old = booking(fx, 3, &fx->res_b, NOW - 190 * DAY, "approved", "", 0);
    /* declined a day ago (its updated): kept as CANCELLED; 40 days ago: gone */
    int64_t declined = booking(fx, 3, &fx->res_b, NOW + 5 * DAY, "declined", "", 0);
    int64_t declined_old = booking(fx, 3, &fx->res_b, NOW + 4 * DAY, "declined", "", 0);
    exec(fx, "UPDATE bookings SET updated = %lld WHERE id = %lld", NOW - 40 * DAY,
         (long long)declined_old);
    int64_t cancelled_new =
        booking(fx, 3, &fx->res_b, NOW + 6 * DAY, "cancelled", "", NOW - 29 * DAY);
    int64_t cancelled_old =
        booking(fx, 3, &fx->res_b, NOW + 7 * DAY, "cancelled", "", NOW - 32 * DAY);
    int64_t pending = booking(fx, 3, &fx->res_b, NOW + 8 * DAY, "pending", "", 0);
    struct feed f = make_feed(fx, &fx->owner_b, FEED_RESOURCE, 3);
    struct feed_doc d = get(fx, &f, 1);
    char buf[256];
    assert_non_null(summary_of(d.body, future, buf, sizeof buf));
    assert_non_null(summary_of(d.body, recent, buf, sizeof buf));
    assert_non_null(summary_of(d.body, pending, buf, sizeof buf));
    assert_non_null(summary_of(d.body, cancelled_new, buf, sizeof buf));
    assert_non_null(summary_of(d.body, declined, buf, sizeof buf));
    assert_null(summary_of(d.body, old, buf, sizeof buf));
    assert_null(summary_of(d.body, declined_old, buf, sizeof buf));
    assert_null(summary_of(d.body, cancelled_old, buf, sizeof buf));
    assert_non_null(strstr(d.body, "Status: declined"));
    /* the cancelled and the declined one say so */
    icalcomponent *c = icalparser_parse_string(d.body);
    int cancelled = 0;
    for (icalcomponent *v = icalcomponent_get_first_component(c, ICAL_VEVENT_COMPONENT); v;
         v = icalcomponent_get_next_component(c, ICAL_VEVENT_COMPONENT))
        cancelled += icalcomponent_get_status(v) == ICAL_STATUS_CANCELLED;
    icalcomponent_free(c);
    assert_int_equal(cancelled, 2);
    /* a feed with past_days 0 leaves out everything that has ended */
    char token[FEED_TOKEN_HEX + 1];
    struct ls_err err = {0};
    assert_int_equal(
        feed_create(fx->t->db, &fx->owner_b, FEED_RESOURCE, 3, 0, NOW, token, NULL, &err), LS_OK);
    struct feed z;
    assert_int_equal(feed_lookup(fx->t->db, token, &fx->a, &z, &err), LS_OK);
    assert_int_equal(z.past_days, 0);
    struct feed_doc dz = get(fx, &z, 1);
    assert_null(summary_of(dz.body, recent, buf, sizeof buf));
    assert_non_null(summary_of(dz.body, future, buf, sizeof buf));
    assert_string_not_equal(dz.etag, d.etag);
    assert_int_equal(
        feed_create(fx->t->db, &fx->owner_b, FEED_RESOURCE, 3, 3651, NOW, token, NULL, &err),
        LS_EVALIDATION);
    assert_string_equal(err.field, "past_days");
    /* a user feed: that user's bookings, wherever they are */
    int64_t mine_elsewhere = booking(fx, 1, &fx->res_b, NOW + DAY, "approved", "", 0);
    struct feed u = make_feed(fx, &fx->res_b, FEED_USER, fx->res_b.id);
    d = get(fx, &u, 1);
    assert_non_null(summary_of(d.body, mine_elsewhere, buf, sizeof buf));
    assert_non_null(summary_of(d.body, future, buf, sizeof buf));
}

static void feed__etag_follows_data_and_cache_invalidates(void **state)
{
    struct fixture *fx = *state;
    int64_t b = booking(fx, 1, &fx->res_a, NOW + DAY, "pending", "Run", 0);
    booking(fx, 3, &fx->res_b, NOW + DAY, "approved", "Elsewhere", 0);
    struct feed f = make_feed(fx, &fx->owner_a, FEED_RESOURCE, 1);
    struct feed_doc d1 = get(fx, &f, 1);
    assert_int_equal(d1.last_modified, NOW - DAY);
    struct feed_cache_stats s0, s1;
    feed_cache_stats(&s0);
    assert_int_equal(s0.renders, 1);

    /* unchanged data: same ETag, body served from the cache */
    struct feed_doc d2 = get(fx, &f, 1);
    assert_string_equal(d1.etag, d2.etag);
    assert_int_equal(d1.len, d2.len);
    assert_memory_equal(d1.body, d2.body, d1.len);
    feed_cache_stats(&s1);
    assert_int_equal(s1.renders, 1);
    assert_int_equal(s1.hits, s0.hits + 1);
    /* a version check alone neither renders nor touches the cache */
    struct feed_doc v = get(fx, &f, 0);
    assert_string_equal(v.etag, d1.etag);
    assert_null(v.body);
    /* a change to another resource's booking does not matter */
    exec(fx, "UPDATE bookings SET sequence = sequence + 1, updated = %lld WHERE resource_id = 3",
         NOW);
    assert_string_equal(get(fx, &f, 0).etag, d1.etag);

    /* approving the booking changes ETag and Last-Modified, and re-renders */
    exec(fx,
         "UPDATE bookings SET status = 'approved', sequence = 1, updated = %lld WHERE id = %lld",
         NOW, (long long)b);
    struct feed_doc d3 = get(fx, &f, 1);
    assert_string_not_equal(d3.etag, d1.etag);
    assert_int_equal(d3.last_modified, NOW);
    assert_non_null(strstr(d3.body, "SEQUENCE:1\r\n"));
    assert_non_null(strstr(d3.body, "STATUS:CONFIRMED\r\n"));
    feed_cache_stats(&s1);
    assert_int_equal(s1.renders, 2);
    /* renaming the resource too */
    exec(fx, "UPDATE resources SET name = 'Confocal LSM', updated = %lld WHERE id = 1", NOW + 1);
    struct feed_doc d4 = get(fx, &f, 1);
    assert_string_not_equal(d4.etag, d3.etag);
    assert_non_null(strstr(d4.body, "Confocal LSM"));
    /* a new booking too */
    booking(fx, 1, &fx->res_b, NOW + 2 * DAY, "pending", "", 0);
    assert_string_not_equal(get(fx, &f, 0).etag, d4.etag);
    /* subscribers with other visibility get other ETags for the same data */
    struct feed g = make_feed(fx, &fx->res_b, FEED_RESOURCE, 1);
    assert_string_not_equal(get(fx, &g, 0).etag, get(fx, &f, 0).etag);
    /* both versions live in the cache side by side */
    struct feed_doc df = get(fx, &f, 1), dg = get(fx, &g, 1);
    assert_true(df.len != dg.len || memcmp(df.body, dg.body, df.len) != 0);
    struct feed_cache_stats before, after;
    feed_cache_stats(&before);
    get(fx, &f, 1);
    get(fx, &g, 1);
    feed_cache_stats(&after);
    assert_int_equal(after.renders, before.renders);
    assert_int_equal(after.hits, before.hits + 2);
}

static void feed__last_used_written_at_most_hourly(void **state)
{
    struct fixture *fx = *state;
    struct feed f = make_feed(fx, &fx->res_a, FEED_RESOURCE, 1);
    assert_int_equal(f.last_used, 0);
    feed_touch(fx->t->db, &f, NOW);
    struct feed *list;
    int n;
    int64_t total;
    struct ls_err err = {0};
    assert_int_equal(feed_list(fx->t->db, fx->res_a.id, 50, 0, &fx->a, &list, &n, &total, &err),
                     LS_OK);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].last_used, NOW);
    assert_string_equal(list[0].name, "Confocal");
    f.last_used = NOW;
    feed_touch(fx->t->db, &f, NOW + 1800); /* within the hour: no write */
    assert_int_equal(feed_list(fx->t->db, fx->res_a.id, 50, 0, &fx->a, &list, &n, &total, &err),
                     LS_OK);
    assert_int_equal(list[0].last_used, NOW);
    feed_touch(fx->t->db, &f, NOW + 3600);
    assert_int_equal(feed_list(fx->t->db, fx->res_a.id, 50, 0, &fx->a, &list, &n, &total, &err),
                     LS_OK);
    assert_int_equal(list[0].last_used, NOW + 3600);
}

static void feed__single_booking_ics(void **state)
{
    struct fixture *fx = *state;
    int64_t b = booking(fx, 1, &fx->res_b, NOW + DAY, "approved", "Imaging", 0);
    struct feed_doc d;
    struct ls_err err = {0};
    assert_int_equal(feed_booking_ics(fx->t->db, &fx->res_b, b, &SITE, &fx->a, &d, &err), LS_OK);
    char buf[256], uid[96];
    assert_string_equal(summary_of(d.body, b, buf, sizeof buf), "Confocal — Imaging");
    snprintf(uid, sizeof uid, "UID:booking-%lld@labshare.example.org\r\n", (long long)b);
    assert_non_null(strstr(d.body, uid));
    assert_int_equal(feed_booking_ics(fx->t->db, &fx->owner_a, b, &SITE, &fx->a, &d, &err), LS_OK);
    assert_int_equal(feed_booking_ics(fx->t->db, &fx->staff, b, &SITE, &fx->a, &d, &err), LS_OK);
    assert_int_equal(feed_booking_ics(fx->t->db, &fx->res_a, b, &SITE, &fx->a, &d, &err),
                     LS_ENOTFOUND);
    assert_int_equal(feed_booking_ics(fx->t->db, &fx->owner_b, b, &SITE, &fx->a, &d, &err),
                     LS_ENOTFOUND);
    assert_int_equal(feed_booking_ics(fx->t->db, &fx->staff, 9999, &SITE, &fx->a, &d, &err),
                     LS_ENOTFOUND);
}

/* A cached body is lent to the request, not copied: it stays readable while
 * the cache evicts it, and is freed with the last request holding it (ASan
 * would see a use after free or a leak). */
static void feed__lent_body_outlives_eviction(void **state)
{
    struct fixture *fx = *state;
    booking(fx, 1, &fx->res_a, NOW + DAY, "approved", "Lent", 0);
    struct feed f = make_feed(fx, &fx->owner_a, FEED_RESOURCE, 1);
    struct feed_doc d1 = get(fx, &f, 1); /* rendered, and lent */
    struct arena other = {0};
    struct feed_doc d2;
    struct ls_err err = {0};
    assert_int_equal(feed_get(fx->t->db, &f, &SITE, NOW, 1, &other, &d2, &err), LS_OK);
    assert_ptr_equal(d1.body, d2.body); /* the same text, no copy */
    feed_cache_clear();                 /* the cache lets go */
    assert_non_null(strstr(d1.body, "SUMMARY:"));
    arena_release(&other);
    assert_memory_equal(d1.body, "BEGIN:VCALENDAR\r\n", 17); /* still the fixture's loan */
}

/* Every scope's events and version read a range of a bookings index on
 * start (bounded by the window's end cut-off and the longest booking), not
 * the scope's whole past nor the table: a feed renders as fast after 50
 * years of history as after one. */
static void feed__events_read_an_index_range(void **state)
{
    struct fixture *fx = *state;
    for (int scope = FEED_RESOURCE; scope <= FEED_USER; scope++)
        for (int version = 0; version <= 1; version++) {
            char eqp[4096], plan[4096] = "";
            snprintf(eqp, sizeof eqp, "EXPLAIN QUERY PLAN %s", feed_events_sql(scope, version));
            struct db_stmt *st = NULL;
            assert_int_equal(db_prepare(fx->t->db, eqp, &st), DB_OK);
            int ranged = 0;
            while (db_step(st) == DB_ROW) {
                const char *line = (const char *)db_column_text(st, 3);
                strncat(plan, line, sizeof plan - strlen(plan) - 2);
                strcat(plan, "\n");
                if (strncmp(line, "SCAN b", 6) == 0)
                    fail_msg("scope %d, version %d scans the bookings:\n%s", scope, version, plan);
                if (strncmp(line, "SEARCH b USING", 14) == 0 && strstr(line, "start>?"))
                    ranged = 1;
            }
            db_finalize(st);
            if (!ranged)
                fail_msg("scope %d, version %d reads no range on start:\n%s", scope, version, plan);
        }
}

int main(void)
{
    testutil_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(feed__token_is_hashed_looked_up_and_revocable, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(feed__scope_permissions, setup, teardown),
        cmocka_unit_test_setup_teardown(feed__names_hidden_unless_owner_staff_or_own_organisation,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(feed__window_and_cancelled_retention, setup, teardown),
        cmocka_unit_test_setup_teardown(feed__etag_follows_data_and_cache_invalidates, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(feed__lent_body_outlives_eviction, setup, teardown),
        cmocka_unit_test_setup_teardown(feed__last_used_written_at_most_hourly, setup, teardown),
        cmocka_unit_test_setup_teardown(feed__single_booking_ics, setup, teardown),
        cmocka_unit_test_setup_teardown(feed__events_read_an_index_range, setup, teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    feed_cache_clear();
    return rc;
}
