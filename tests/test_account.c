/* test_account.c — who may change which account, what ends sessions,
 * password changes and resets, listing users and the audit log. */
#include "testutil.h"

#include <pthread.h>

#include "account.h"

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

static void add_org(struct testdb *t, int64_t id)
{
    char sql[200];
    snprintf(sql, sizeof sql,
             "INSERT INTO organisations(id, name, grp, created, updated) VALUES (%lld, 'Org %lld',"
             " 'BioF', 0, 0)",
             (long long)id, (long long)id);
    testdb_exec(t, sql);
}

/* Signs in and returns the session token (arena copy). */
static const char *sign_in(struct testdb *t, struct arena *a, const char *email, const char *pw)
{
    struct user u;
    const char *token = NULL, *csrf = NULL;
    struct ls_err err = {0};
    assert_int_equal(auth_login(t->db, email, pw, "127.0.0.1", a, &u, &token, &csrf, &err), LS_OK);
    return token;
}

static int session_ok(struct testdb *t, struct arena *a, const char *token)
{
    struct user u;
    const char *csrf = NULL;
    struct ls_err err = {0};
    return auth_session_lookup(t->db, token, tu_now(), a, &u, &csrf, &err) == LS_OK;
}

static struct user load(struct testdb *t, struct arena *a, int64_t id)
{
    struct user u;
    struct ls_err err = {0};
    assert_int_equal(auth_user_get(t->db, id, a, &u, &err), LS_OK);
    return u;
}

static int audit_count(struct testdb *t, const char *action, int64_t object_id)
{
    struct db_stmt *st;
    db_prepare(t->db, "SELECT count(*) FROM audit_log WHERE action = ?1 AND object_id = ?2", &st);
    db_bind_text(st, 1, action, -1, DB_STATIC);
    db_bind_int64(st, 2, object_id);
    db_step(st);
    int n = db_column_int(st, 0);
    db_finalize(st);
    return n;
}

static void account__role_change_revokes_sessions_and_is_audited(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    add_org(t, 5);
    int64_t staff_id = add_user(t, "boss@example.org", "Boss Person", ROLE_STAFF, 0);
    int64_t id = add_user(t, "ewa@example.org", "Ewa Nowak", ROLE_RESEARCHER, 5);
    struct arena a = {0};
    const char *token = sign_in(t, &a, "ewa@example.org", PW);
    struct user staff = load(t, &a, staff_id);
    struct ls_err err = {0};

    /* A name change alone leaves sessions alone. */
    struct account_patch p = {.name = "Ewa Nowak-Kowal"};
    assert_int_equal(account_update(t->db, &staff, id, &p, "10.0.0.1", &err), LS_OK);
    assert_true(session_ok(t, &a, token));

    p = (struct account_patch){.set_role = 1, .role = ROLE_OWNER};
    assert_int_equal(account_update(t->db, &staff, id, &p, "10.0.0.1", &err), LS_OK);
    assert_false(session_ok(t, &a, token));
    assert_int_equal(load(t, &a, id).role, ROLE_OWNER);
    assert_int_equal(audit_count(t, "user.role", id), 1);
    arena_release(&a);
    testdb_free(t);
}

static void account__deactivation_revokes_and_reactivation_is_audited(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    int64_t staff_id = add_user(t, "boss@example.org", "Boss Person", ROLE_STAFF, 0);
    int64_t id = add_user(t, "jan@example.org", "Jan Nowak", ROLE_RESEARCHER, 0);
    struct arena a = {0};
    const char *token = sign_in(t, &a, "jan@example.org", PW);
    struct user staff = load(t, &a, staff_id);
    struct ls_err err = {0};
    struct account_patch p = {.set_active = 1, .active = 0};
    assert_int_equal(account_update(t->db, &staff, id, &p, NULL, &err), LS_OK);
    assert_false(session_ok(t, &a, token));
    assert_int_equal(audit_count(t, "user.deactivate", id), 1);
    p.active = 1;
    assert_int_equal(account_update(t->db, &staff, id, &p, NULL, &err), LS_OK);
    assert_int_equal(audit_count(t, "user.activate", id), 1);
    assert_int_equal(load(t, &a, id).active, 1);
    arena_release(&a);
    testdb_free(t);
}

static void account__self_patch_is_limited_to_name_and_lang(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    add_org(t, 5);
    int64_t id = add_user(t, "ola@example.org", "Ola Nowak", ROLE_RESEARCHER, 5);
    int64_t other = add_user(t, "piotr@example.org", "Piotr Zet", ROLE_RESEARCHER, 5);
    struct arena a = {0};
    struct user me = load(t, &a, id);
    struct ls_err err = {0};

    struct account_patch p = {.name = "Aleksandra Nowak", .lang = "pl"};
    assert_int_equal(account_update(t->db, &me, id, &p, NULL, &err), LS_OK);
    struct user after = load(t, &a, id);
    assert_string_equal(after.name, "Aleksandra Nowak");
    assert_string_equal(after.lang, "pl");

    p = (struct account_patch){.set_role = 1, .role = ROLE_STAFF};
    assert_int_equal(account_update(t->db, &me, id, &p, NULL, &err), LS_EFORBIDDEN);
    assert_string_equal(err.field, "role");
    p = (struct account_patch){.set_organisation = 1, .organisation_id = 0};
    assert_int_equal(account_update(t->db, &me, id, &p, NULL, &err), LS_EFORBIDDEN);
    assert_string_equal(err.field, "organisation_id");
    p = (struct account_patch){.set_active = 1, .active = 1};
    assert_int_equal(account_update(t->db, &me, id, &p, NULL, &err), LS_EFORBIDDEN);
    assert_string_equal(err.field, "active");
    /* Someone else's account: forbidden, and so is a user that does not exist. */
    p = (struct account_patch){.name = "Hacked"};
    assert_int_equal(account_update(t->db, &me, other, &p, NULL, &err), LS_EFORBIDDEN);
    assert_int_equal(account_update(t->db, &me, 9999, &p, NULL, &err), LS_EFORBIDDEN);
    assert_string_equal(load(t, &a, other).name, "Piotr Zet");
    /* Bad values name the field. */
    p = (struct account_patch){.name = "   "};
    assert_int_equal(account_update(t->db, &me, id, &p, NULL, &err), LS_EVALIDATION);
    assert_string_equal(err.field, "name");
    p = (struct account_patch){.lang = "de"};
    assert_int_equal(account_update(t->db, &me, id, &p, NULL, &err), LS_EVALIDATION);
    assert_string_equal(err.field, "lang");
    assert_int_equal(load(t, &a, id).role, ROLE_RESEARCHER);
    arena_release(&a);
    testdb_free(t);
}

static void account__staff_rules_keep_an_active_staff_and_owners_in_an_org(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    add_org(t, 5);
    int64_t staff_id = add_user(t, "boss@example.org", "Boss Person", ROLE_STAFF, 0);
    int64_t id = add_user(t, "guest@example.org", "Guest Person", ROLE_RESEARCHER, 0);
    struct arena a = {0};
    struct user staff = load(t, &a, staff_id);
    struct ls_err err = {0};

    struct account_patch p = {.set_active = 1, .active = 0};
    assert_int_equal(account_update(t->db, &staff, staff_id, &p, NULL, &err), LS_EVALIDATION);
    assert_string_equal(err.field, "active");
    p = (struct account_patch){.set_role = 1, .role = ROLE_RESEARCHER};
    assert_int_equal(account_update(t->db, &staff, staff_id, &p, NULL, &err), LS_EVALIDATION);
    assert_string_equal(err.field, "role");

    /* An owner needs an organisation that exists; nothing is half-written. */
    p = (struct account_patch){.set_role = 1, .role = ROLE_OWNER, .name = "Renamed"};
    assert_int_equal(account_update(t->db, &staff, id, &p, NULL, &err), LS_EVALIDATION);
    assert_string_equal(err.field, "organisation_id");
    p.set_organisation = 1;
    p.organisation_id = 77;
    assert_int_equal(account_update(t->db, &staff, id, &p, NULL, &err), LS_EVALIDATION);
    assert_string_equal(err.field, "organisation_id");
    struct user u = load(t, &a, id);
    assert_string_equal(u.name, "Guest Person");
    assert_int_equal(u.role, ROLE_RESEARCHER);
    p.organisation_id = 5;
    assert_int_equal(account_update(t->db, &staff, id, &p, NULL, &err), LS_OK);
    u = load(t, &a, id);
    assert_int_equal(u.role, ROLE_OWNER);
    assert_int_equal(u.organisation_id, 5);
    assert_int_equal(audit_count(t, "user.organisation", id), 1);
    assert_int_equal(account_update(t->db, &staff, 4242, &p, NULL, &err), LS_ENOTFOUND);
    arena_release(&a);
    testdb_free(t);
}

static void account__password_change_policy_and_sessions(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    int64_t id = add_user(t, "marta@example.org", "Marta Lis", ROLE_RESEARCHER, 0);
    struct arena a = {0};
    const char *mine = sign_in(t, &a, "marta@example.org", PW);
    const char *other = sign_in(t, &a, "marta@example.org", PW);
    struct user me = load(t, &a, id);
    struct ls_err err = {0};

    assert_int_equal(account_password_change(t->db, &me, "not my password", "a brand new phrase",
                                             mine, NULL, &err),
                     LS_EVALIDATION);
    assert_string_equal(err.field, "current");
    assert_int_equal(account_password_change(t->db, &me, PW, "short", mine, NULL, &err),
                     LS_EVALIDATION);
    assert_string_equal(err.field, "new");
    assert_int_equal(
        account_password_change(t->db, &me, PW, "hello marta, hi there", mine, NULL, &err),
        LS_EVALIDATION);
    assert_string_equal(err.field, "new");
    assert_int_equal(account_password_change(t->db, &me, PW, PW, mine, NULL, &err), LS_EVALIDATION);
    assert_string_equal(err.field, "new");
    assert_true(session_ok(t, &a, other)); /* failures change nothing */

    assert_int_equal(
        account_password_change(t->db, &me, PW, "a brand new phrase", mine, NULL, &err), LS_OK);
    assert_true(session_ok(t, &a, mine));
    assert_false(session_ok(t, &a, other));
    assert_int_equal(audit_count(t, "user.password.change", id), 1);
    struct user u;
    const char *tok = NULL, *csrf = NULL;
    assert_int_equal(
        auth_login(t->db, "marta@example.org", PW, "127.0.0.1", &a, &u, &tok, &csrf, &err),
        LS_EUNAUTH);
    sign_in(t, &a, "marta@example.org", "a brand new phrase");
    arena_release(&a);
    testdb_free(t);
}

static void account__wrong_current_passwords_are_throttled(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    int64_t id = add_user(t, "igor@example.org", "Igor Lis", ROLE_RESEARCHER, 0);
    struct arena a = {0};
    struct user me = load(t, &a, id);
    struct ls_err err = {0};
    for (int i = 0; i < ACCOUNT_PW_FREE; i++)
        assert_int_equal(account_password_change(t->db, &me, "guess guess guess",
                                                 "a brand new phrase", NULL, NULL, &err),
                         LS_EVALIDATION);
    ls_err_clear(&err);
    assert_int_equal(
        account_password_change(t->db, &me, PW, "a brand new phrase", NULL, NULL, &err),
        LS_ETOOMANY);
    assert_true(err.retry_after > 0 && err.retry_after <= ACCOUNT_PW_WINDOW + 1);
    arena_release(&a);
    testdb_free(t);
}

/* Twelve wrong current passwords at once check exactly ACCOUNT_PW_FREE:
 * each attempt claims its place before argon2 runs (throttle.h). */
struct pw_attempt {
    const char *path;
    const struct user *me;
    pthread_barrier_t *go;
    int rc;
};

static void *pw_attempt_run(void *p)
{
    struct pw_attempt *at = p;
    struct db *db = NULL;
    struct ls_err err = {0};
    at->rc = db_open(&db, at->path, &err);
    pthread_barrier_wait(at->go);
    if (at->rc == LS_OK)
        at->rc = account_password_change(db, at->me, "guess guess guess", "a brand new phrase",
                                         NULL, "10.0.0.9", &err);
    db_close(db);
    return NULL;
}

static void account__parallel_wrong_passwords_check_at_most_the_limit(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    int64_t id = add_user(t, "ewa@example.org", "Ewa Wrona", ROLE_RESEARCHER, 0);
    struct arena a = {0};
    struct user me = load(t, &a, id);
    struct ls_err err = {0};
    /* A right current password with a refused new one does not count. */
    for (int i = 0; i < 8; i++)
        assert_int_equal(account_password_change(t->db, &me, PW, "short", NULL, NULL, &err),
                         LS_EVALIDATION);
    assert_string_equal(err.field, "new");
    enum { N = 12 };
    pthread_t th[N];
    struct pw_attempt at[N];
    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, N);
    for (int i = 0; i < N; i++) {
        at[i] = (struct pw_attempt){.path = t->path, .me = &me, .go = &go};
        pthread_create(&th[i], NULL, pw_attempt_run, &at[i]);
    }
    int checked = 0, waited = 0;
    for (int i = 0; i < N; i++) {
        pthread_join(th[i], NULL);
        checked += at[i].rc == LS_EVALIDATION;
        waited += at[i].rc == LS_ETOOMANY;
    }
    pthread_barrier_destroy(&go);
    assert_int_equal(checked, ACCOUNT_PW_FREE);
    assert_int_equal(waited, N - ACCOUNT_PW_FREE);
    assert_int_equal(audit_count(t, "user.password.fail", id), ACCOUNT_PW_FREE);
    arena_release(&a);
    testdb_free(t);
}

static void account__staff_reset_ends_every_session(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    int64_t staff_id = add_user(t, "boss@example.org", "Boss Person", ROLE_STAFF, 0);
    int64_t id = add_user(t, "kasia@example.org", "Kasia Lis", ROLE_RESEARCHER, 0);
    struct arena a = {0};
    const char *token = sign_in(t, &a, "kasia@example.org", PW);
    struct user staff = load(t, &a, staff_id);
    struct user kasia = load(t, &a, id);
    struct ls_err err = {0};
    assert_int_equal(account_password_reset(t->db, &kasia, staff_id, "taken over now!", NULL, &err),
                     LS_EFORBIDDEN);
    assert_int_equal(account_password_reset(t->db, &staff, id, "tiny", NULL, &err), LS_EVALIDATION);
    assert_string_equal(err.field, "password");
    assert_true(session_ok(t, &a, token));
    assert_int_equal(account_password_reset(t->db, &staff, 999, "fresh start phrase", NULL, &err),
                     LS_ENOTFOUND);
    assert_int_equal(account_password_reset(t->db, &staff, id, "fresh start phrase", NULL, &err),
                     LS_OK);
    assert_false(session_ok(t, &a, token));
    assert_int_equal(audit_count(t, "user.password.reset", id), 1);
    sign_in(t, &a, "kasia@example.org", "fresh start phrase");
    /* The hash stored is argon2id, never the password. */
    struct db_stmt *st;
    db_prepare(t->db, "SELECT password_hash FROM users WHERE id = ?1", &st);
    db_bind_int64(st, 1, id);
    assert_int_equal(db_step(st), DB_ROW);
    assert_non_null(strstr((const char *)db_column_text(st, 0), "$argon2id$"));
    assert_null(strstr((const char *)db_column_text(st, 0), "fresh start"));
    db_finalize(st);
    arena_release(&a);
    testdb_free(t);
}

static void account__list_filters_and_pages(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    add_org(t, 5);
    add_org(t, 6);
    add_user(t, "anna@uj.edu.pl", "Anna Kowalczyk", ROLE_RESEARCHER, 5);
    add_user(t, "bartek@agh.edu.pl", "Bartek Nowak", ROLE_OWNER, 6);
    int64_t c = add_user(t, "celina@uj.edu.pl", "Celina Wrona", ROLE_RESEARCHER, 5);
    add_user(t, "dawid@example.org", "Dawid Guest", ROLE_RESEARCHER, 0);
    testdb_exec(t, "UPDATE users SET active = 0 WHERE email = 'dawid@example.org'");
    struct arena a = {0};
    struct ls_err err = {0};
    struct account *list;
    int n;
    int64_t total;

    struct account_filter f = {.active = -1, .limit = 50};
    assert_int_equal(account_list(t->db, &f, &a, &list, &n, &total, &err), LS_OK);
    assert_int_equal(total, 4);
    assert_string_equal(list[0].user.name, "Anna Kowalczyk"); /* by name */
    assert_string_equal(list[0].organisation_name, "Org 5");
    assert_null(list[3].organisation_name);

    f.q = "UJ.EDU";
    assert_int_equal(account_list(t->db, &f, &a, &list, &n, &total, &err), LS_OK);
    assert_int_equal(total, 2);
    f.q = "wrona";
    assert_int_equal(account_list(t->db, &f, &a, &list, &n, &total, &err), LS_OK);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].user.id, c);
    f = (struct account_filter){.active = -1, .role = ROLE_OWNER, .limit = 50};
    assert_int_equal(account_list(t->db, &f, &a, &list, &n, &total, &err), LS_OK);
    assert_int_equal(total, 1);
    f = (struct account_filter){.active = -1, .organisation_id = 5, .limit = 1, .offset = 1};
    assert_int_equal(account_list(t->db, &f, &a, &list, &n, &total, &err), LS_OK);
    assert_int_equal(total, 2);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].user.id, c);
    f = (struct account_filter){.active = 0, .limit = 50};
    assert_int_equal(account_list(t->db, &f, &a, &list, &n, &total, &err), LS_OK);
    assert_int_equal(total, 1);
    assert_string_equal(list[0].user.email, "dawid@example.org");
    f = (struct account_filter){.active = -1, .limit = 50, .offset = 10};
    assert_int_equal(account_list(t->db, &f, &a, &list, &n, &total, &err), LS_OK);
    assert_int_equal(total, 4);
    assert_int_equal(n, 0);
    arena_release(&a);
    testdb_free(t);
}

static void account__audit_list_filters(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    int64_t id = add_user(t, "ewa@example.org", "Ewa Nowak", ROLE_RESEARCHER, 0);
    auth_audit(t->db, id, "session.create", "user", id, NULL, "10.0.0.1");
    auth_audit(t->db, id, "user.password.change", "user", id, NULL, "10.0.0.1");
    auth_audit(t->db, 0, "session.fail", "user", 0, "wrong email or password", "10.0.0.9");
    testdb_exec(t, "UPDATE audit_log SET at = 1000 WHERE action = 'session.create'");
    struct arena a = {0};
    struct ls_err err = {0};
    struct audit_entry *list;
    int n;
    int64_t total;
    struct audit_filter f = {.limit = 50};
    assert_int_equal(account_audit_list(t->db, &f, &a, &list, &n, &total, &err), LS_OK);
    assert_int_equal(total, 3);
    assert_string_equal(list[2].action, "session.create"); /* oldest last */
    f.user_id = id;
    assert_int_equal(account_audit_list(t->db, &f, &a, &list, &n, &total, &err), LS_OK);
    assert_int_equal(total, 2);
    assert_string_equal(list[0].user_email, "ewa@example.org");
    f = (struct audit_filter){.action = "session", .limit = 50};
    assert_int_equal(account_audit_list(t->db, &f, &a, &list, &n, &total, &err), LS_OK);
    assert_int_equal(total, 2);
    f.action = "session.fail";
    assert_int_equal(account_audit_list(t->db, &f, &a, &list, &n, &total, &err), LS_OK);
    assert_int_equal(total, 1);
    assert_int_equal(list[0].user_id, 0);
    assert_null(list[0].user_email);
    assert_string_equal(list[0].ip, "10.0.0.9");
    f.action = "sess"; /* a prefix only counts up to a dot */
    assert_int_equal(account_audit_list(t->db, &f, &a, &list, &n, &total, &err), LS_OK);
    assert_int_equal(total, 0);
    f = (struct audit_filter){.has_from = 1, .from = 500, .has_to = 1, .to = 2000, .limit = 50};
    assert_int_equal(account_audit_list(t->db, &f, &a, &list, &n, &total, &err), LS_OK);
    assert_int_equal(total, 1);
    assert_int_equal(list[0].at, 1000);
    arena_release(&a);
    testdb_free(t);
}

int main(void)
{
    testutil_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(account__role_change_revokes_sessions_and_is_audited),
        cmocka_unit_test(account__deactivation_revokes_and_reactivation_is_audited),
        cmocka_unit_test(account__self_patch_is_limited_to_name_and_lang),
        cmocka_unit_test(account__staff_rules_keep_an_active_staff_and_owners_in_an_org),
        cmocka_unit_test(account__password_change_policy_and_sessions),
        cmocka_unit_test(account__wrong_current_passwords_are_throttled),
        cmocka_unit_test(account__parallel_wrong_passwords_check_at_most_the_limit),
        cmocka_unit_test(account__staff_reset_ends_every_session),
        cmocka_unit_test(account__list_filters_and_pages),
        cmocka_unit_test(account__audit_list_filters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
