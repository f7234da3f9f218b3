/* test_sso.c — the accounts single sign-on finds or makes from verified
 * claims, the settings and what the server's configuration fixes, and a
 * callback's state: used once, from the browser it was issued to. The
 * provider's side (tokens, keys) is test_oidc.c's; the whole flow against a
 * real provider is tests/http/accounts.test.mjs and tests/browser. */
#include "testutil.h"

#include "signup.h"
#include "sso.h"

static const char *const PW = "correct horse battery";
#define ISS "https://idp.example.org"

static void add_org(struct testdb *t, int64_t id)
{
    char sql[200];
    snprintf(sql, sizeof sql,
             "INSERT INTO organisations(id, name, grp, created, updated)"
             " VALUES (%lld, 'Org %lld', 'EDU', 0, 0)",
             (long long)id, (long long)id);
    testdb_exec(t, sql);
}

static int64_t scalar(struct testdb *t, const char *sql)
{
    struct db_stmt *st;
    assert_int_equal(db_prepare(t->db, sql, &st), DB_OK);
    int64_t v = db_step(st) == DB_ROW ? db_column_int64(st, 0) : -1;
    db_finalize(st);
    return v;
}

/* Signs in with these claims; the result and *why. */
static int account(struct testdb *t, struct arena *a, struct user *u, enum oidc_failure *why,
                   const char *sub, const char *email, int verified, const char *name)
{
    struct oidc_claims c = {
        .iss = ISS, .sub = sub, .email = email, .email_verified = verified, .name = name};
    const char *session = NULL, *csrf = NULL;
    struct ls_err err = {0};
    int rc = sso_account(u, &session, &csrf, why, t->db, a, &c, 0, "$argon2id$placeholder", "en",
                         "10.0.0.1", &err);
    if (rc == LS_OK)
        assert_non_null(session);
    return rc;
}

static void sso__first_sign_in_places_the_account_by_domain(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    add_org(t, 1);
    const char *d[] = {"uj.edu.pl"};
    struct ls_err err = {0};
    assert_int_equal(signup_domains_set(t->db, 1, d, 1, &err), LS_OK);
    struct arena a = {0};
    struct user u;
    enum oidc_failure why;
    assert_int_equal(account(t, &a, &u, &why, "s-1", "ewa@uj.edu.pl", 1, "Ewa Nowak"), LS_OK);
    assert_int_equal(u.role, ROLE_RESEARCHER);
    assert_int_equal(u.organisation_id, 1);
    assert_string_equal(u.name, "Ewa Nowak");
    assert_string_equal(u.lang, "en");
    int64_t id = u.id;
    /* Again, by the subject, even when the provider's address changed. */
    assert_int_equal(account(t, &a, &u, &why, "s-1", "ewa.nowak@uj.edu.pl", 1, "Ewa"), LS_OK);
    assert_int_equal(u.id, id);
    /* Elsewhere: a guest; no name: the address's local part. */
    assert_int_equal(account(t, &a, &u, &why, "s-2", "jan@gmail.com", 1, NULL), LS_OK);
    assert_int_equal(u.organisation_id, 0);
    assert_string_equal(u.name, "jan");
    /* A name that is not text falls back too. */
    assert_int_equal(account(t, &a, &u, &why, "s-3", "bad@gmail.com", 1, "a\x01b"), LS_OK);
    assert_string_equal(u.name, "bad");
    assert_int_equal(scalar(t, "SELECT count(*) FROM oidc_identities"), 3);
    assert_int_equal(scalar(t, "SELECT count(*) FROM audit_log WHERE action = 'user.create'"), 3);
    arena_release(&a);
    testdb_free(t);
}

static void sso__existing_accounts_are_found_by_verified_address_only(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    add_org(t, 1);
    struct user_new n = {"owner@example.org", "Olga Owner", PW, ROLE_OWNER, 1, "pl"};
    int64_t owner = 0;
    struct ls_err err = {0};
    assert_int_equal(auth_user_create(t->db, &n, &owner, &err), LS_OK);
    struct arena a = {0};
    struct user u;
    enum oidc_failure why;
    /* Unverified: refused, nothing linked or made. */
    assert_int_equal(account(t, &a, &u, &why, "s-9", "owner@example.org", 0, NULL), LS_EFORBIDDEN);
    assert_int_equal(why, OIDC_EMAIL_UNVERIFIED);
    assert_int_equal(account(t, &a, &u, &why, "s-9", NULL, 1, NULL), LS_EFORBIDDEN);
    assert_int_equal(why, OIDC_NO_EMAIL);
    assert_int_equal(scalar(t, "SELECT count(*) FROM oidc_identities"), 0);
    /* Verified: the same account, its role kept, now linked. */
    assert_int_equal(account(t, &a, &u, &why, "s-9", "OWNER@example.org", 1, NULL), LS_OK);
    assert_int_equal(u.id, owner);
    assert_int_equal(u.role, ROLE_OWNER);
    assert_int_equal(scalar(t, "SELECT count(*) FROM oidc_identities WHERE subject = 's-9'"), 1);
    /* Deactivated: refused by subject too, with no session. */
    testdb_exec(t, "UPDATE users SET active = 0");
    assert_int_equal(account(t, &a, &u, &why, "s-9", "owner@example.org", 1, NULL), LS_EFORBIDDEN);
    assert_int_equal(why, OIDC_DEACTIVATED);
    assert_int_equal(scalar(t, "SELECT count(*) FROM sessions"), 1);
    arena_release(&a);
    testdb_free(t);
}

static void sso__guests_closed_refuses_other_addresses(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    testdb_exec(t, "INSERT INTO settings(key, value) VALUES ('accounts.guest_registration','off')");
    struct arena a = {0};
    struct user u;
    enum oidc_failure why;
    assert_int_equal(account(t, &a, &u, &why, "s-1", "jan@gmail.com", 1, "Jan"), LS_EFORBIDDEN);
    assert_int_equal(why, OIDC_GUESTS_CLOSED);
    assert_int_equal(scalar(t, "SELECT count(*) FROM users"), 0);
    assert_int_equal(scalar(t, "SELECT count(*) FROM oidc_identities"), 0);
    arena_release(&a);
    testdb_free(t);
}

static void sso__settings_staff_set_and_configuration_fixes(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    struct user_new n = {"boss@example.org", "Boss", PW, ROLE_STAFF, 0, "pl"};
    int64_t id = 0;
    struct ls_err err = {0};
    assert_int_equal(auth_user_create(t->db, &n, &id, &err), LS_OK);
    struct arena a = {0};
    struct user staff;
    assert_int_equal(auth_user_get(t->db, id, &a, &staff, &err), LS_OK);
    struct sso_settings s;
    sso_configure(NULL);
    sso_settings_get(&s, t->db);
    assert_false(sso_enabled(&s));
    struct sso_settings_patch p = {
        .issuer = ISS, .client_id = "labshare", .client_secret = "sekret-42"};
    assert_int_equal(sso_settings_set(t->db, &staff, &p, NULL, &err), LS_OK);
    sso_settings_get(&s, t->db);
    assert_true(sso_enabled(&s));
    assert_string_equal(s.client_secret, "sekret-42");
    p = (struct sso_settings_patch){.issuer = "http://idp.example.org"};
    assert_int_equal(sso_settings_set(t->db, &staff, &p, NULL, &err), LS_EVALIDATION);
    assert_string_equal(err.field, "oidc_issuer");
    p = (struct sso_settings_patch){.client_id = "has space"};
    assert_int_equal(sso_settings_set(t->db, &staff, &p, NULL, &err), LS_EVALIDATION);
    assert_string_equal(err.field, "oidc_client_id");
    /* The server's configuration wins and fixes the field. */
    struct sso_settings pinned = {.issuer = "https://other.example.org"};
    sso_configure(&pinned);
    sso_settings_get(&s, t->db);
    assert_string_equal(s.issuer, "https://other.example.org");
    assert_string_equal(s.client_id, "labshare");
    assert_true(s.locked & SSO_LOCK_ISSUER);
    p = (struct sso_settings_patch){.issuer = ISS};
    assert_int_equal(sso_settings_set(t->db, &staff, &p, NULL, &err), LS_ECONFLICT);
    assert_string_equal(err.field, "oidc_issuer");
    p = (struct sso_settings_patch){.client_id = ""}; /* clears */
    assert_int_equal(sso_settings_set(t->db, &staff, &p, NULL, &err), LS_OK);
    sso_settings_get(&s, t->db);
    assert_false(sso_enabled(&s));
    sso_configure(NULL);
    assert_int_equal(scalar(t, "SELECT count(*) FROM audit_log WHERE action = 'settings.oidc'"), 2);
    assert_int_equal(scalar(t, "SELECT count(*) FROM audit_log WHERE detail LIKE '%sekret%'"), 0);
    arena_release(&a);
    testdb_free(t);
}

static void sso__a_callback_state_works_once_and_in_one_browser(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    struct arena a = {0};
    struct user u;
    const char *session, *csrf;
    enum oidc_failure why;
    struct ls_err err = {0};
    char st[AUTH_TOKEN_HEX + 1], browser[AUTH_TOKEN_HEX + 1], other[AUTH_TOKEN_HEX + 1];
    auth_random_hex(st, 32);
    auth_random_hex(browser, 32);
    auth_random_hex(other, 32);
    /* A row as sso_start writes it (without a provider to ask). */
    unsigned char hs[32], hb[32];
    auth_token_hash(hs, st);
    auth_token_hash(hb, browser);
    struct db_stmt *ins;
    db_prepare(t->db,
               "INSERT INTO oidc_logins(state_hash, browser_hash, nonce, verifier, created)"
               " VALUES (?1, ?2, 'n', 'v', strftime('%s','now'))",
               &ins);
    db_bind_blob(ins, 1, hs, 32, DB_STATIC);
    db_bind_blob(ins, 2, hb, 32, DB_STATIC);
    assert_int_equal(db_step(ins), DB_DONE);
    db_finalize(ins);

    struct sso_callback cb = {.state = st, .code = "c", .cookie = other};
    assert_int_not_equal(sso_finish(&u, &session, &csrf, &why, t->db, &a, &cb, &err), LS_OK);
    assert_int_equal(why, OIDC_BROWSER);
    /* Used up by that attempt: the right browser is too late now. */
    cb.cookie = browser;
    assert_int_not_equal(sso_finish(&u, &session, &csrf, &why, t->db, &a, &cb, &err), LS_OK);
    assert_int_equal(why, OIDC_STATE);
    cb.state = "not-hex";
    assert_int_not_equal(sso_finish(&u, &session, &csrf, &why, t->db, &a, &cb, &err), LS_OK);
    assert_int_equal(why, OIDC_STATE);
    assert_int_equal(scalar(t, "SELECT count(*) FROM oidc_logins"), 0);
    assert_int_equal(scalar(t, "SELECT count(*) FROM sessions"), 0);
    arena_release(&a);
    testdb_free(t);
}

int main(void)
{
    testutil_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sso__first_sign_in_places_the_account_by_domain),
        cmocka_unit_test(sso__existing_accounts_are_found_by_verified_address_only),
        cmocka_unit_test(sso__guests_closed_refuses_other_addresses),
        cmocka_unit_test(sso__settings_staff_set_and_configuration_fixes),
        cmocka_unit_test(sso__a_callback_state_works_once_and_in_one_browser),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
