/* test_signup.c — organisations' e-mail domains, the guest setting,
 * invitations, password reset by e-mail and self-registration: what each
 * writes, what it queues, and every way a link stops working. */
#include "testutil.h"

#include "notify.h"
#include "signup.h"

static const char *const PW = "correct horse battery";

static int64_t add_user(struct testdb *t, const char *email, const char *name, enum role role,
                        int64_t org)
{
    struct user_new u = {email, name, PW, role, org, "en"};
    struct ls_err err = {0};
    int64_t id = 0;
    assert_int_equal(auth_user_create(t->db, &u, &id, &err), LS_OK);
    return id;
}

static void add_org(struct testdb *t, int64_t id, int member)
{
    char sql[200];
    snprintf(sql, sizeof sql,
             "INSERT INTO organisations(id, name, grp, member, created, updated)"
             " VALUES (%lld, 'Org %lld', 'EDU', %d, 0, 0)",
             (long long)id, (long long)id, member);
    testdb_exec(t, sql);
}

static struct user load(struct testdb *t, struct arena *a, int64_t id)
{
    struct user u;
    struct ls_err err = {0};
    assert_int_equal(auth_user_get(t->db, id, a, &u, &err), LS_OK);
    return u;
}

/* One integer from a query with no parameters. */
static int64_t scalar(struct testdb *t, const char *sql)
{
    struct db_stmt *st;
    assert_int_equal(db_prepare(t->db, sql, &st), DB_OK);
    int64_t v = db_step(st) == DB_ROW ? db_column_int64(st, 0) : -1;
    db_finalize(st);
    return v;
}

/* The link token of the newest queued message of `kind`, as the mail will
 * carry it (arena copy), or NULL when that message has no link. */
static const char *outbox_token(struct testdb *t, struct arena *a, const char *kind)
{
    struct db_stmt *st;
    db_prepare(t->db, "SELECT link_token FROM outbox WHERE kind = ?1 ORDER BY id DESC LIMIT 1",
               &st);
    db_bind_text(st, 1, kind, -1, DB_STATIC);
    const char *tok = NULL;
    if (db_step(st) == DB_ROW && db_column_type(st, 0) != DB_NULL)
        tok = arena_strdup(a, (const char *)db_column_text(st, 0));
    db_finalize(st);
    return tok;
}

static void signup__domain_check_canonicalises_and_refuses(void **state)
{
    (void)state;
    char out[SIGNUP_DOMAIN_MAX + 1];
    struct ls_err err = {0};
    assert_int_equal(signup_domain_check(out, "Chem.UJ.edu.PL", "d", &err), LS_OK);
    assert_string_equal(out, "chem.uj.edu.pl");
    assert_int_equal(signup_domain_check(out, "xn--wrocaw-6db.pl", "d", &err), LS_OK);
    const char *bad[] = {"",       "pl",        "uj..edu.pl", ".uj.edu.pl", "uj.edu.pl.", "-uj.pl",
                         "uj-.pl", "uj edu.pl", "uj@edu.pl",  "wrocław.pl", "a_b.pl"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(signup_domain_check(out, bad[i], "d", &err), LS_EVALIDATION);
        assert_string_equal(err.field, "d");
    }
    char longlabel[80];
    memset(longlabel, 'a', 64);
    snprintf(longlabel + 64, sizeof longlabel - 64, ".pl");
    assert_int_equal(signup_domain_check(out, longlabel, "d", &err), LS_EVALIDATION);
    longlabel[1] = '.';
    assert_int_equal(signup_domain_check(out, longlabel, "d", &err), LS_OK);
}

static void signup__domains_map_addresses_to_member_organisations(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    add_org(t, 1, 1);
    add_org(t, 2, 1);
    add_org(t, 3, 0); /* not a member */
    struct ls_err err = {0};
    const char *d1[] = {"UJ.edu.pl", "uj.edu.pl", "cm-uj.krakow.pl"};
    assert_int_equal(signup_domains_set(t->db, 1, d1, 3, &err), LS_OK);
    const char *d2[] = {"chem.uj.edu.pl"};
    assert_int_equal(signup_domains_set(t->db, 2, d2, 1, &err), LS_OK);
    const char *d3[] = {"firma.pl"};
    assert_int_equal(signup_domains_set(t->db, 3, d3, 1, &err), LS_OK);

    struct arena a = {0};
    const char **list;
    int n;
    assert_int_equal(signup_domains_list(&list, &n, t->db, &a, 1, &err), LS_OK);
    assert_int_equal(n, 2); /* folded */
    assert_string_equal(list[0], "cm-uj.krakow.pl");
    assert_string_equal(list[1], "uj.edu.pl");

    int64_t org;
    assert_int_equal(signup_domain_organisation(&org, t->db, "ewa@uj.edu.pl", &err), LS_OK);
    assert_int_equal(org, 1);
    assert_int_equal(signup_domain_organisation(&org, t->db, "ewa@Bio.UJ.edu.pl", &err), LS_OK);
    assert_int_equal(org, 1); /* a subdomain */
    assert_int_equal(signup_domain_organisation(&org, t->db, "ewa@lab.chem.uj.edu.pl", &err),
                     LS_OK);
    assert_int_equal(org, 2); /* the most specific domain wins */
    assert_int_equal(signup_domain_organisation(&org, t->db, "ewa@xuj.edu.pl", &err), LS_OK);
    assert_int_equal(org, 0); /* not a subdomain, only a longer name */
    assert_int_equal(signup_domain_organisation(&org, t->db, "ewa@firma.pl", &err), LS_OK);
    assert_int_equal(org, 0); /* the owner is not a member */
    assert_int_equal(signup_domain_organisation(&org, t->db, "ewa@edu.pl", &err), LS_OK);
    assert_int_equal(org, 0);

    /* A domain belongs to one organisation: nothing of the list is kept. */
    const char *steal[] = {"agh.edu.pl", "uj.edu.pl"};
    assert_int_equal(signup_domains_set(t->db, 2, steal, 2, &err), LS_ECONFLICT);
    assert_string_equal(err.field, "email_domains");
    assert_int_equal(signup_domains_list(&list, &n, t->db, &a, 2, &err), LS_OK);
    assert_int_equal(n, 1);
    assert_string_equal(list[0], "chem.uj.edu.pl");
    const char *bad[] = {"agh.edu.pl", "not a domain"};
    assert_int_equal(signup_domains_set(t->db, 2, bad, 2, &err), LS_EVALIDATION);
    assert_int_equal(signup_domains_set(t->db, 99, d2, 1, &err), LS_EVALIDATION);
    assert_string_equal(err.field, "organisation_id");
    assert_int_equal(signup_domains_set(t->db, 2, d2, SIGNUP_DOMAINS_MAX + 1, &err),
                     LS_EVALIDATION);
    /* An empty list clears. */
    assert_int_equal(signup_domains_set(t->db, 2, NULL, 0, &err), LS_OK);
    assert_int_equal(signup_domains_list(&list, &n, t->db, &a, 2, &err), LS_OK);
    assert_int_equal(n, 0);
    arena_release(&a);
    testdb_free(t);
}

static void signup__guest_setting_decides_other_addresses(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    add_org(t, 1, 1);
    const char *d[] = {"uj.edu.pl"};
    struct ls_err err = {0};
    assert_int_equal(signup_domains_set(t->db, 1, d, 1, &err), LS_OK);
    int64_t staff_id = add_user(t, "boss@example.org", "Boss Person", ROLE_STAFF, 0);
    int64_t res_id = add_user(t, "res@example.org", "Res Person", ROLE_RESEARCHER, 0);
    struct arena a = {0};
    struct user staff = load(t, &a, staff_id), res = load(t, &a, res_id);
    int locked = 1;
    assert_int_equal(signup_guest_registration(t->db, &locked), 1); /* default on */
    assert_int_equal(locked, 0);
    int64_t org = -1;
    assert_int_equal(signup_account_for(&org, t->db, "x@gmail.com", "email", &err), LS_OK);
    assert_int_equal(org, 0);
    assert_int_equal(signup_set_guest_registration(t->db, &res, 0, NULL, &err), LS_EFORBIDDEN);
    assert_int_equal(signup_set_guest_registration(t->db, &staff, 0, NULL, &err), LS_OK);
    assert_int_equal(signup_account_for(&org, t->db, "x@gmail.com", "email", &err), LS_EFORBIDDEN);
    assert_string_equal(err.field, "email");
    assert_int_equal(signup_account_for(&org, t->db, "x@uj.edu.pl", "email", &err), LS_OK);
    assert_int_equal(org, 1);
    /* Pinned by the server's configuration, staff cannot change it. */
    signup_configure(1);
    assert_int_equal(signup_guest_registration(t->db, &locked), 1);
    assert_int_equal(locked, 1);
    assert_int_equal(signup_set_guest_registration(t->db, &staff, 0, NULL, &err), LS_ECONFLICT);
    signup_configure(-1);
    assert_int_equal(signup_guest_registration(t->db, NULL), 0);
    assert_int_equal(
        scalar(t, "SELECT count(*) FROM audit_log WHERE action = 'settings.guest_registration'"),
        1);
    arena_release(&a);
    testdb_free(t);
}

static void signup__invitation_rules_for_staff_and_owners(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    add_org(t, 1, 1);
    add_org(t, 2, 1);
    struct arena a = {0};
    struct user staff = load(t, &a, add_user(t, "boss@example.org", "Boss", ROLE_STAFF, 0));
    struct user owner = load(t, &a, add_user(t, "own@example.org", "Owner", ROLE_OWNER, 1));
    add_user(t, "taken@example.org", "Taken", ROLE_RESEARCHER, 0);
    struct ls_err err = {0};
    int64_t id = 0, expires = 0;

    struct signup_invitation in = {"new@example.org", ROLE_OWNER, 2, "pl"};
    assert_int_equal(signup_invite(&id, &expires, t->db, &staff, &in, "10.0.0.1", &err), LS_OK);
    assert_true(expires - tu_now() > SIGNUP_INVITATION_TTL - 60);
    assert_int_equal(signup_invite(&id, NULL, t->db, &owner, &in, NULL, &err), LS_EFORBIDDEN);
    assert_string_equal(err.field, "role");
    in = (struct signup_invitation){"new2@example.org", ROLE_RESEARCHER, 2, NULL};
    assert_int_equal(signup_invite(&id, NULL, t->db, &owner, &in, NULL, &err), LS_EFORBIDDEN);
    assert_string_equal(err.field, "organisation_id");
    in.organisation_id = 0; /* an owner's own organisation */
    assert_int_equal(signup_invite(&id, NULL, t->db, &owner, &in, NULL, &err), LS_OK);
    assert_int_equal(scalar(t, "SELECT organisation_id FROM invitations ORDER BY id DESC LIMIT 1"),
                     1);
    in = (struct signup_invitation){"taken@EXAMPLE.org", ROLE_RESEARCHER, 0, NULL};
    assert_int_equal(signup_invite(&id, NULL, t->db, &staff, &in, NULL, &err), LS_ECONFLICT);
    assert_string_equal(err.field, "email");
    in = (struct signup_invitation){"x@example.org", ROLE_OWNER, 0, NULL};
    assert_int_equal(signup_invite(&id, NULL, t->db, &staff, &in, NULL, &err), LS_EVALIDATION);
    assert_string_equal(err.field, "organisation_id");
    in = (struct signup_invitation){"x@example.org", ROLE_RESEARCHER, 77, NULL};
    assert_int_equal(signup_invite(&id, NULL, t->db, &staff, &in, NULL, &err), LS_EVALIDATION);
    in = (struct signup_invitation){"not an address", ROLE_RESEARCHER, 0, NULL};
    assert_int_equal(signup_invite(&id, NULL, t->db, &staff, &in, NULL, &err), LS_EVALIDATION);
    assert_string_equal(err.field, "email");
    /* Two invitations made, two messages queued; only hashes in the table. */
    assert_int_equal(scalar(t, "SELECT count(*) FROM invitations"), 2);
    assert_int_equal(scalar(t, "SELECT count(*) FROM outbox WHERE kind = 'invitation'"), 2);
    assert_int_equal(scalar(t, "SELECT count(*) FROM invitations i JOIN outbox o"
                               " ON o.link_token = hex(i.token_hash)"),
                     0);
    assert_int_equal(scalar(t, "SELECT length(token_hash) FROM invitations LIMIT 1"), 32);
    arena_release(&a);
    testdb_free(t);
}

static void signup__invitation_link_works_once(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    add_org(t, 1, 1);
    struct arena a = {0};
    struct user staff = load(t, &a, add_user(t, "boss@example.org", "Boss", ROLE_STAFF, 0));
    struct ls_err err = {0};
    int64_t id;
    struct signup_invitation in = {"Marta@example.org", ROLE_OWNER, 1, "en"};
    assert_int_equal(signup_invite(&id, NULL, t->db, &staff, &in, NULL, &err), LS_OK);
    const char *token = outbox_token(t, &a, "invitation");
    assert_non_null(token);
    assert_int_equal(strlen(token), AUTH_TOKEN_HEX);

    struct signup_invitation_info info;
    assert_int_equal(signup_invitation_get(&info, t->db, &a, token, &err), LS_OK);
    assert_string_equal(info.email, "Marta@example.org");
    assert_int_equal(info.role, ROLE_OWNER);
    assert_string_equal(info.organisation_name, "Org 1");
    assert_string_equal(info.invited_by, "Boss");

    struct user u;
    const char *session = NULL, *csrf = NULL;
    /* Bad fields write nothing and leave the link working. */
    assert_int_equal(signup_invitation_accept(&u, &session, &csrf, t->db, &a, token, "Marta Lis",
                                              "short", NULL, &err),
                     LS_EVALIDATION);
    assert_string_equal(err.field, "password");
    assert_int_equal(
        signup_invitation_accept(&u, &session, &csrf, t->db, &a, token, "", PW, NULL, &err),
        LS_EVALIDATION);
    assert_string_equal(err.field, "name");
    assert_int_equal(scalar(t, "SELECT count(*) FROM users"), 1);

    assert_int_equal(signup_invitation_accept(&u, &session, &csrf, t->db, &a, token, "Marta Lis",
                                              PW, "10.0.0.2", &err),
                     LS_OK);
    assert_int_equal(u.role, ROLE_OWNER);
    assert_int_equal(u.organisation_id, 1);
    assert_string_equal(u.lang, "en");
    assert_non_null(session);
    struct user seen;
    const char *seen_csrf;
    assert_int_equal(auth_session_lookup(t->db, session, tu_now(), &a, &seen, &seen_csrf, &err),
                     LS_OK);
    assert_int_equal(seen.id, u.id);
    /* The password works for signing in later too. */
    const char *tok2, *csrf2;
    assert_int_equal(
        auth_login(t->db, "marta@example.org", PW, "10.0.0.2", &a, &seen, &tok2, &csrf2, &err),
        LS_OK);

    assert_int_equal(signup_invitation_accept(&u, &session, &csrf, t->db, &a, token, "Marta Lis",
                                              PW, NULL, &err),
                     LS_EGONE);
    assert_string_equal(err.field, "token");
    assert_int_equal(signup_invitation_get(&info, t->db, &a, token, &err), LS_EGONE);
    assert_int_equal(scalar(t, "SELECT count(*) FROM users"), 2);

    /* Unknown and malformed tokens: 404; an expired one: 410. */
    char other[AUTH_TOKEN_HEX + 1];
    auth_random_hex(other, 32);
    assert_int_equal(signup_invitation_get(&info, t->db, &a, other, &err), LS_ENOTFOUND);
    const char *malformed[] = {"", "abc", "ZZ", NULL};
    for (int i = 0; malformed[i]; i++)
        assert_int_equal(signup_invitation_get(&info, t->db, &a, malformed[i], &err), LS_ENOTFOUND);
    char upper[AUTH_TOKEN_HEX + 1];
    snprintf(upper, sizeof upper, "%s", token);
    for (char *p = upper; *p; p++)
        if (*p >= 'a' && *p <= 'f')
            *p = (char)(*p - 32);
    assert_int_equal(signup_invitation_get(&info, t->db, &a, upper, &err), LS_ENOTFOUND);
    in.email = "late@example.org";
    assert_int_equal(signup_invite(&id, NULL, t->db, &staff, &in, NULL, &err), LS_OK);
    token = outbox_token(t, &a, "invitation");
    testdb_exec(t, "UPDATE invitations SET expires = strftime('%s','now') - 1"
                   " WHERE email = 'late@example.org'");
    assert_int_equal(signup_invitation_accept(&u, &session, &csrf, t->db, &a, token, "Late Person",
                                              PW, NULL, &err),
                     LS_EGONE);
    assert_int_equal(scalar(t, "SELECT count(*) FROM users"), 2);
    arena_release(&a);
    testdb_free(t);
}

static void signup__reset_does_the_same_work_for_any_address(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    add_user(t, "known@example.org", "Known Person", ROLE_RESEARCHER, 0);
    int64_t off = add_user(t, "off@example.org", "Off Person", ROLE_RESEARCHER, 0);
    testdb_exec(t, "UPDATE users SET active = 0 WHERE email = 'off@example.org'");
    (void)off;
    struct ls_err err = {0};
    assert_int_equal(signup_reset_request(t->db, "known@example.org", "pl", "10.0.0.1", &err),
                     LS_OK);
    assert_int_equal(signup_reset_request(t->db, "nobody@example.org", "en", "10.0.0.1", &err),
                     LS_OK);
    assert_int_equal(signup_reset_request(t->db, "off@example.org", "pl", "10.0.0.1", &err), LS_OK);
    assert_int_equal(scalar(t, "SELECT count(*) FROM password_resets"), 3);
    assert_int_equal(scalar(t, "SELECT count(*) FROM password_resets WHERE user_id IS NULL"), 2);
    assert_int_equal(scalar(t, "SELECT count(*) FROM outbox WHERE kind = 'password_reset'"
                               " AND link_token IS NOT NULL AND lang = 'en'"),
                     1); /* the account's language */
    assert_int_equal(scalar(t, "SELECT count(*) FROM outbox WHERE kind = 'reset_unknown'"
                               " AND link_token IS NULL"),
                     2);
    assert_int_equal(scalar(t, "SELECT count(*) FROM outbox WHERE email = 'nobody@example.org'"
                               " AND lang = 'en'"),
                     1); /* the asker's language */
    assert_int_equal(signup_reset_request(t->db, "no address", "pl", "10.0.0.1", &err),
                     LS_EVALIDATION);
    assert_string_equal(err.field, "email");
    testdb_free(t);
}

static void signup__reset_link_sets_the_password_once_and_ends_sessions(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    int64_t id = add_user(t, "ewa@example.org", "Ewa Nowak", ROLE_RESEARCHER, 0);
    struct arena a = {0};
    struct user u;
    const char *session, *csrf;
    struct ls_err err = {0};
    assert_int_equal(
        auth_login(t->db, "ewa@example.org", PW, "10.0.0.1", &a, &u, &session, &csrf, &err), LS_OK);
    assert_int_equal(signup_reset_request(t->db, "ewa@example.org", "pl", "10.0.0.1", &err), LS_OK);
    const char *first = outbox_token(t, &a, "password_reset");
    assert_int_equal(signup_reset_request(t->db, "EWA@example.org", "pl", "10.0.0.1", &err), LS_OK);
    const char *second = outbox_token(t, &a, "password_reset");
    assert_string_not_equal(first, second);
    int64_t expires = 0;
    assert_int_equal(signup_reset_check(&expires, t->db, second, &err), LS_OK);
    assert_true(expires > tu_now() && expires <= tu_now() + SIGNUP_RESET_TTL);

    /* The policy applies (the name is in it) and nothing changes. */
    assert_int_equal(signup_reset_complete(t->db, second, "nowak is my name", NULL, &err),
                     LS_EVALIDATION);
    assert_string_equal(err.field, "password");
    assert_int_equal(signup_reset_check(NULL, t->db, second, &err), LS_OK);

    const char *fresh = "a brand new phrase";
    assert_int_equal(signup_reset_complete(t->db, second, fresh, "10.0.0.9", &err), LS_OK);
    struct user seen;
    const char *seen_csrf;
    assert_int_equal(auth_session_lookup(t->db, session, tu_now(), &a, &seen, &seen_csrf, &err),
                     LS_EUNAUTH);
    assert_int_equal(
        auth_login(t->db, "ewa@example.org", fresh, "10.0.0.1", &a, &u, &session, &csrf, &err),
        LS_OK);
    /* Used, and the older link of the same account with it. */
    assert_int_equal(signup_reset_complete(t->db, second, "another new phrase", NULL, &err),
                     LS_EGONE);
    assert_int_equal(signup_reset_complete(t->db, first, "another new phrase", NULL, &err),
                     LS_EGONE);
    assert_int_equal(
        scalar(t, "SELECT count(*) FROM audit_log WHERE action = 'user.password.reset'"), 1);
    (void)id;

    /* Expired. */
    assert_int_equal(signup_reset_request(t->db, "ewa@example.org", "pl", "10.0.0.1", &err), LS_OK);
    const char *third = outbox_token(t, &a, "password_reset");
    testdb_exec(t, "UPDATE password_resets SET expires = strftime('%s','now') - 1"
                   " WHERE used_at IS NULL");
    assert_int_equal(signup_reset_complete(t->db, third, "yet another phrase", NULL, &err),
                     LS_EGONE);
    assert_int_equal(
        auth_login(t->db, "ewa@example.org", fresh, "10.0.0.1", &a, &u, &session, &csrf, &err),
        LS_OK);
    arena_release(&a);
    testdb_free(t);
}

static void signup__reset_is_throttled_per_address_and_client(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    struct ls_err err = {0};
    for (int i = 0; i < SIGNUP_THROTTLE_PER_ADDRESS; i++)
        assert_int_equal(signup_reset_request(t->db, "a@example.org", "pl", "10.0.0.1", &err),
                         LS_OK);
    err = (struct ls_err){0};
    assert_int_equal(signup_reset_request(t->db, "A@example.org", "pl", "10.0.0.2", &err),
                     LS_ETOOMANY);
    assert_true(err.retry_after > 0 && err.retry_after <= SIGNUP_THROTTLE_WINDOW + 1);
    /* Another address from the same client goes on until the client's limit. */
    int ok = 0;
    char email[64];
    for (int i = 0; i < SIGNUP_THROTTLE_PER_CLIENT; i++) {
        snprintf(email, sizeof email, "p%d@example.org", i);
        ok += signup_reset_request(t->db, email, "pl", "10.0.0.1", &err) == LS_OK;
    }
    assert_int_equal(ok, SIGNUP_THROTTLE_PER_CLIENT - SIGNUP_THROTTLE_PER_ADDRESS);
    assert_int_equal(signup_reset_request(t->db, "q@example.org", "pl", "10.0.0.1", &err),
                     LS_ETOOMANY);
    /* A refused request queues nothing. */
    assert_int_equal(scalar(t, "SELECT count(*) FROM outbox"), SIGNUP_THROTTLE_PER_CLIENT);
    assert_int_equal(signup_reset_request(t->db, "q@example.org", "pl", "10.0.0.3", &err), LS_OK);
    testdb_free(t);
}

static void signup__registration_confirms_then_places_the_account(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    add_org(t, 1, 1);
    const char *d[] = {"uj.edu.pl"};
    struct ls_err err = {0};
    assert_int_equal(signup_domains_set(t->db, 1, d, 1, &err), LS_OK);
    add_user(t, "taken@example.org", "Taken Person", ROLE_RESEARCHER, 0);
    struct arena a = {0};

    struct signup_registration r = {"jan@uj.edu.pl", "Jan Kowal", PW, "en"};
    assert_int_equal(signup_register(t->db, &r, "10.0.0.1", &err), LS_OK);
    const char *token = outbox_token(t, &a, "verify_email");
    assert_non_null(token);
    assert_int_equal(scalar(t, "SELECT count(*) FROM users"), 1);
    struct user u;
    const char *session, *csrf;
    assert_int_equal(signup_verify(&u, &session, &csrf, t->db, &a, token, NULL, &err), LS_OK);
    assert_int_equal(u.role, ROLE_RESEARCHER);
    assert_int_equal(u.organisation_id, 1);
    assert_string_equal(u.lang, "en");
    assert_non_null(session);
    assert_int_equal(signup_verify(&u, &session, &csrf, t->db, &a, token, NULL, &err), LS_EGONE);
    /* The stored hash went with the confirmation. */
    assert_int_equal(scalar(t, "SELECT length(password_hash) FROM registrations"), 0);

    /* Anywhere else: a guest. */
    r = (struct signup_registration){"guest@gmail.com", "Gość Zewnętrzny", PW, "pl"};
    assert_int_equal(signup_register(t->db, &r, "10.0.0.1", &err), LS_OK);
    token = outbox_token(t, &a, "verify_email");
    assert_int_equal(signup_verify(&u, &session, &csrf, t->db, &a, token, NULL, &err), LS_OK);
    assert_int_equal(u.organisation_id, 0);

    /* A known address hears that it has an account; nothing else is made. */
    r = (struct signup_registration){"TAKEN@example.org", "Someone Else", PW, "pl"};
    assert_int_equal(signup_register(t->db, &r, "10.0.0.1", &err), LS_OK);
    assert_int_equal(scalar(t, "SELECT count(*) FROM outbox WHERE kind = 'account_exists'"
                               " AND lang = 'en' AND link_token IS NULL"),
                     1);
    assert_int_equal(scalar(t, "SELECT count(*) FROM registrations"), 2);

    /* Guest registration off: refused at once, and at confirmation too. */
    r = (struct signup_registration){"late@gmail.com", "Late Guest", PW, "pl"};
    assert_int_equal(signup_register(t->db, &r, "10.0.0.1", &err), LS_OK);
    token = outbox_token(t, &a, "verify_email");
    testdb_exec(t, "INSERT INTO settings(key, value) VALUES ('accounts.guest_registration','off')");
    r.email = "other@gmail.com";
    assert_int_equal(signup_register(t->db, &r, "10.0.0.1", &err), LS_EFORBIDDEN);
    assert_string_equal(err.field, "email");
    assert_int_equal(signup_verify(&u, &session, &csrf, t->db, &a, token, NULL, &err),
                     LS_EFORBIDDEN);
    r.email = "ok@uj.edu.pl";
    assert_int_equal(signup_register(t->db, &r, "10.0.0.1", &err), LS_OK);

    /* Bad fields. */
    r = (struct signup_registration){"x@uj.edu.pl", "Jan Kowal", "kowal12345", "pl"};
    assert_int_equal(signup_register(t->db, &r, "10.0.0.1", &err), LS_EVALIDATION);
    assert_string_equal(err.field, "password");
    r = (struct signup_registration){"x@uj.edu.pl", "", PW, "pl"};
    assert_int_equal(signup_register(t->db, &r, "10.0.0.1", &err), LS_EVALIDATION);
    assert_string_equal(err.field, "name");
    r = (struct signup_registration){"x@", "Jan", PW, "pl"};
    assert_int_equal(signup_register(t->db, &r, "10.0.0.1", &err), LS_EVALIDATION);
    assert_string_equal(err.field, "email");
    arena_release(&a);
    testdb_free(t);
}

static void signup__account_mails_say_what_they_must(void **state)
{
    (void)state;
    struct arena a = {0};
    struct notify_site site = {"https://labshare.example.org", "labshare.example.org",
                               "labshare <noreply@example.org>", notify_compose_account};
    struct notify_mail m;
    struct ls_err err = {0};
    struct notify_account_event e = {
        NOTIFY_INVITATION, "pl",           "x@example.org",    "ab12",
        2000000000,        "Anna <Nowak>", "Uniwersytet & Co", "owner"};
    assert_int_equal(notify_compose_account(&m, &a, &e, &site, &err), LS_OK);
    assert_string_equal(m.subject, "Zaproszenie do labshare");
    assert_non_null(strstr(m.text, "https://labshare.example.org/#/invitation/ab12"));
    assert_non_null(strstr(m.text, "opiekun laboratorium"));
    assert_non_null(strstr(m.html, "Anna &lt;Nowak&gt;"));
    assert_non_null(strstr(m.html, "Uniwersytet &amp; Co"));
    assert_null(m.ics);
    e.lang = "en";
    e.kind = NOTIFY_PASSWORD_RESET;
    assert_int_equal(notify_compose_account(&m, &a, &e, &site, &err), LS_OK);
    assert_string_equal(m.subject, "Set a new labshare password");
    assert_non_null(strstr(m.text, "/#/reset/ab12"));
    e.kind = NOTIFY_RESET_UNKNOWN;
    e.link_token = NULL;
    assert_int_equal(notify_compose_account(&m, &a, &e, &site, &err), LS_OK);
    assert_null(strstr(m.text, "/#/reset/"));
    assert_non_null(strstr(m.text, "no active account"));
    e.kind = NOTIFY_VERIFY_EMAIL;
    e.link_token = "cd34";
    e.lang = "pl";
    assert_int_equal(notify_compose_account(&m, &a, &e, &site, &err), LS_OK);
    assert_non_null(strstr(m.text, "/#/verify/cd34"));
    e.kind = NOTIFY_ACCOUNT_EXISTS;
    assert_int_equal(notify_compose_account(&m, &a, &e, &site, &err), LS_OK);
    assert_non_null(strstr(m.text, "/#/login"));
    assert_null(strstr(m.text, "cd34"));
    e.kind = NOTIFY_APPROVED;
    assert_int_equal(notify_compose_account(&m, &a, &e, &site, &err), LS_EINTERNAL);
    arena_release(&a);
}

int main(void)
{
    testutil_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(signup__domain_check_canonicalises_and_refuses),
        cmocka_unit_test(signup__domains_map_addresses_to_member_organisations),
        cmocka_unit_test(signup__guest_setting_decides_other_addresses),
        cmocka_unit_test(signup__invitation_rules_for_staff_and_owners),
        cmocka_unit_test(signup__invitation_link_works_once),
        cmocka_unit_test(signup__reset_does_the_same_work_for_any_address),
        cmocka_unit_test(signup__reset_link_sets_the_password_once_and_ends_sessions),
        cmocka_unit_test(signup__reset_is_throttled_per_address_and_client),
        cmocka_unit_test(signup__registration_confirms_then_places_the_account),
        cmocka_unit_test(signup__account_mails_say_what_they_must),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
