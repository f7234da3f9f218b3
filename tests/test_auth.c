/* test_auth.c — hashing, tokens, sessions, throttling and the rules. */
#include "testutil.h"

#include <pthread.h>
#include <sodium.h>
#include <sys/wait.h>

static int64_t add_user(struct testdb *t, const char *email, enum role role, int64_t org)
{
    struct user_new u = {email, "Test Person", "correct horse battery", role, org, "en"};
    struct ls_err err = {0};
    int64_t id = 0;
    assert_int_equal(auth_user_create(t->db, &u, &id, &err), LS_OK);
    return id;
}

static void auth__password_hash_is_argon2id_and_verifies(void **state)
{
    (void)state;
    char hash[128];
    struct ls_err err = {0};
    assert_int_equal(auth_password_hash(hash, "correct horse battery", &err), LS_OK);
    assert_non_null(strstr(hash, "$argon2id$"));
    assert_null(strstr(hash, "correct horse"));
    assert_true(auth_password_verify(hash, "correct horse battery"));
    assert_false(auth_password_verify(hash, "correct horse batterx"));
}

static void auth__password_policy(void **state)
{
    (void)state;
    struct ls_err err = {0};
    assert_int_equal(auth_password_check("short", "a@b.pl", "A", "password", &err), LS_EVALIDATION);
    assert_string_equal(err.field, "password");
    assert_int_equal(
        auth_password_check("xx-jkowalski-xx", "jkowalski@uj.edu.pl", "Jan", "password", &err),
        LS_EVALIDATION);
    assert_int_equal(
        auth_password_check("my name is Kowalska!", "a@b.pl", "Ewa Kowalska", "password", &err),
        LS_EVALIDATION);
    assert_int_equal(auth_password_check("a long good passphrase", "jan@uj.edu.pl", "Jan Nowak",
                                         "password", &err),
                     LS_OK);
    /* Any case of any letter, with or without its diacritics. */
    assert_int_equal(
        auth_password_check("łukasz long password", "a@b.pl", "Łukasz Żółć", "password", &err),
        LS_EVALIDATION);
    assert_int_equal(
        auth_password_check("ŻÓŁĆ and more words", "a@b.pl", "Łukasz Żółć", "password", &err),
        LS_EVALIDATION);
    assert_int_equal(
        auth_password_check("zolc and more words", "a@b.pl", "Łukasz Żółć", "password", &err),
        LS_EVALIDATION);
    /* Two letters are no name word, however many bytes they take. */
    assert_int_equal(
        auth_password_check("a long good passphrase żó", "a@b.pl", "Żó Nowak", "password", &err),
        LS_OK);
}

static void auth__tokens_are_random_256_bit_hex(void **state)
{
    (void)state;
    char a[65], b[65];
    auth_random_hex(a, 32);
    auth_random_hex(b, 32);
    assert_int_equal(strlen(a), 64);
    assert_string_not_equal(a, b);
    unsigned char h1[32], h2[32];
    auth_token_hash(h1, a);
    auth_token_hash(h2, a);
    assert_memory_equal(h1, h2, 32);
}

static void auth__user_create_validates(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    struct ls_err err = {0};
    struct user_new u = {"not-an-email", "X", "correct horse battery", ROLE_RESEARCHER, 0, NULL};
    assert_int_equal(auth_user_create(t->db, &u, NULL, &err), LS_EVALIDATION);
    assert_string_equal(err.field, "email");
    u.email = "x@example.org";
    u.role = ROLE_OWNER;
    assert_int_equal(auth_user_create(t->db, &u, NULL, &err), LS_EVALIDATION);
    assert_string_equal(err.field, "organisation_id");
    u.role = ROLE_RESEARCHER;
    u.organisation_id = 77;
    assert_int_equal(auth_user_create(t->db, &u, NULL, &err), LS_EVALIDATION);
    assert_string_equal(err.field, "organisation_id");
    u.organisation_id = 0;
    assert_int_equal(auth_user_create(t->db, &u, NULL, &err), LS_OK);
    u.email = "X@Example.ORG";
    assert_int_equal(auth_user_create(t->db, &u, NULL, &err), LS_ECONFLICT);
    testdb_free(t);
}

/* Addresses are shown like names, and those of a provider's claims reach
 * auth_email_ok() without the field rules: it holds them to the text rules. */
static void auth__email_refuses_invisible_and_direction_characters(void **state)
{
    (void)state;
    assert_true(auth_email_ok("anna.nowak@uj.edu.pl"));
    assert_true(auth_email_ok("zofia.żak@przykład.pl"));
    assert_false(auth_email_ok("admin\xe2\x80\xae@uj.edu.pl")); /* U+202E */
    assert_false(auth_email_ok("ad\xe2\x80\x8bmin@uj.edu.pl")); /* U+200B */
    assert_false(auth_email_ok("admin@uj\xc2\xad.edu.pl"));     /* U+00AD */
    assert_false(auth_email_ok("admin\xc2\x9b@uj.edu.pl"));     /* C1 control */
    assert_false(auth_email_ok("admin\xff@uj.edu.pl"));         /* not UTF-8 */
}

static void auth__login_session_and_logout(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    int64_t id = add_user(t, "ewa@example.org", ROLE_RESEARCHER, 0);
    struct arena a = {0};
    struct user u;
    const char *token = NULL, *csrf = NULL;
    struct ls_err err = {0};
    assert_int_equal(auth_login(t->db, "EWA@example.org", "correct horse battery", "127.0.0.1", &a,
                                &u, &token, &csrf, &err),
                     LS_OK);
    assert_int_equal(u.id, id);
    assert_int_equal(strlen(token), 64);
    /* The database holds only the hash of the session id. */
    struct db_stmt *st;
    db_prepare(t->db, "SELECT count(*) FROM sessions WHERE id_hash = ?1", &st);
    db_bind_text(st, 1, token, -1, DB_STATIC);
    db_step(st);
    assert_int_equal(db_column_int(st, 0), 0);
    db_finalize(st);

    struct user v;
    const char *csrf2 = NULL;
    assert_int_equal(auth_session_lookup(t->db, token, tu_now(), &a, &v, &csrf2, &err), LS_OK);
    assert_string_equal(csrf, csrf2);
    /* SQLite hears no announcements, so no session is kept: every request
     * asks the database. */
    assert_false(auth_session_kept(token, tu_now(), &a, &v, &csrf2));
    /* Idle and absolute expiry. */
    assert_int_equal(
        auth_session_lookup(t->db, token, tu_now() + AUTH_SESSION_IDLE + 5, &a, &v, &csrf2, &err),
        LS_EUNAUTH);
    assert_int_equal(auth_login(t->db, "ewa@example.org", "correct horse battery", "127.0.0.1", &a,
                                &u, &token, &csrf, &err),
                     LS_OK);
    auth_session_delete(t->db, token);
    assert_int_equal(auth_session_lookup(t->db, token, tu_now(), &a, &v, &csrf2, &err), LS_EUNAUTH);
    arena_release(&a);
    testdb_free(t);
}

static void auth__deactivation_ends_sessions(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    add_user(t, "jan@example.org", ROLE_RESEARCHER, 0);
    struct arena a = {0};
    struct user u;
    const char *token = NULL, *csrf = NULL;
    struct ls_err err = {0};
    assert_int_equal(auth_login(t->db, "jan@example.org", "correct horse battery", "10.0.0.1", &a,
                                &u, &token, &csrf, &err),
                     LS_OK);
    testdb_exec(t, "UPDATE users SET active = 0");
    assert_int_equal(auth_session_lookup(t->db, token, tu_now(), &a, &u, &csrf, &err), LS_EUNAUTH);
    assert_int_equal(auth_login(t->db, "jan@example.org", "correct horse battery", "10.0.0.1", &a,
                                &u, &token, &csrf, &err),
                     LS_EUNAUTH);
    arena_release(&a);
    testdb_free(t);
}

static void auth__failed_sign_ins_are_throttled(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    add_user(t, "ola@example.org", ROLE_RESEARCHER, 0);
    struct arena a = {0};
    struct user u;
    const char *token = NULL, *csrf = NULL;
    struct ls_err err = {0};
    int throttled = 0;
    for (int i = 0; i < 30; i++) {
        ls_err_clear(&err);
        int rc = auth_login(t->db, "ola@example.org", "wrong password!!", "10.0.0.2", &a, &u,
                            &token, &csrf, &err);
        if (rc == LS_ETOOMANY) {
            throttled++;
            assert_true(err.retry_after > 0 && err.retry_after <= 15 * 60);
        } else {
            assert_int_equal(rc, LS_EUNAUTH);
        }
    }
    assert_true(throttled >= 25);
    /* Even the right password waits while throttled. */
    assert_int_equal(auth_login(t->db, "ola@example.org", "correct horse battery", "10.0.0.2", &a,
                                &u, &token, &csrf, &err),
                     LS_ETOOMANY);
    /* Unknown emails answer exactly like wrong passwords. */
    ls_err_clear(&err);
    assert_int_equal(auth_login(t->db, "nobody@example.org", "whatever at all", "10.0.0.3", &a, &u,
                                &token, &csrf, &err),
                     LS_EUNAUTH);
    assert_string_equal(err.message, "wrong e-mail or password");
    arena_release(&a);
    testdb_free(t);
}

/* Parallel attempts, from threads and from processes sharing the file,
 * check exactly as many passwords as the limit allows: each attempt claims
 * its place before argon2 runs (throttle.h). */
struct attempt {
    const char *path;
    pthread_barrier_t *go;
    int rc;
};

static void *attempt_run(void *p)
{
    struct attempt *at = p;
    struct db *db = NULL;
    struct ls_err err = {0};
    at->rc = db_open(&db, at->path, &err);
    pthread_barrier_wait(at->go);
    if (at->rc == LS_OK) {
        struct arena a = {0};
        struct user u;
        const char *token = NULL, *csrf = NULL;
        at->rc = auth_login(db, "ola@example.org", "wrong password!!", "10.0.0.9", &a, &u, &token,
                            &csrf, &err);
        arena_release(&a);
    }
    db_close(db);
    return NULL;
}

/* Runs n attempts at once; returns how many checked a password (401). */
static int attempts(const char *path, int n, int *other)
{
    pthread_t th[16];
    struct attempt at[16];
    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, (unsigned)n);
    for (int i = 0; i < n; i++) {
        at[i] = (struct attempt){.path = path, .go = &go};
        pthread_create(&th[i], NULL, attempt_run, &at[i]);
    }
    int checked = 0;
    for (int i = 0; i < n; i++) {
        pthread_join(th[i], NULL);
        if (at[i].rc == LS_EUNAUTH)
            checked++;
        else if (at[i].rc != LS_ETOOMANY)
            (*other)++;
    }
    pthread_barrier_destroy(&go);
    return checked;
}

static void auth__parallel_sign_ins_check_at_most_the_limit(void **state)
{
    (void)state;
    struct testdb *t = testdb_new();
    add_user(t, "ola@example.org", ROLE_RESEARCHER, 0);
    /* Successful sign-ins before never count against the account. */
    struct arena a = {0};
    struct user u;
    const char *token = NULL, *csrf = NULL;
    struct ls_err err = {0};
    for (int i = 0; i < 8; i++)
        assert_int_equal(auth_login(t->db, "ola@example.org", "correct horse battery", "10.0.0.9",
                                    &a, &u, &token, &csrf, &err),
                         LS_OK);
    arena_release(&a);
    /* Three processes of four threads each: twelve attempts at once. */
    pid_t kids[3];
    for (int k = 0; k < 3; k++) {
        kids[k] = fork();
        assert_true(kids[k] >= 0);
        if (kids[k] == 0) {
            int other = 0;
            int checked = attempts(t->path, 4, &other);
            _exit(other ? 100 : checked);
        }
    }
    int checked = 0;
    for (int k = 0; k < 3; k++) {
        int status = 0;
        assert_int_equal(waitpid(kids[k], &status, 0), kids[k]);
        assert_true(WIFEXITED(status));
        assert_true(WEXITSTATUS(status) <= 4);
        checked += WEXITSTATUS(status);
    }
    assert_int_equal(checked, 5);
    /* And within one process, after the wait: one more check, not twelve. */
    testdb_exec(t, "UPDATE login_failures SET at = at - 31");
    int other = 0;
    assert_int_equal(attempts(t->path, 12, &other), 1);
    assert_int_equal(other, 0);
    testdb_free(t);
}

static void auth__authorisation_rules(void **state)
{
    (void)state;
    struct user staff = {.id = 1, .role = ROLE_STAFF, .active = 1};
    struct user owner = {.id = 2, .role = ROLE_OWNER, .organisation_id = 5, .active = 1};
    struct user researcher = {.id = 3, .role = ROLE_RESEARCHER, .organisation_id = 5, .active = 1};
    assert_true(authz_manages_org(&staff, 9));
    assert_true(authz_manages_org(&owner, 5));
    assert_false(authz_manages_org(&owner, 6));
    assert_false(authz_manages_org(&researcher, 5));
    assert_false(authz_manages_org(NULL, 5));
    owner.active = 0;
    assert_false(authz_manages_org(&owner, 5));
}

int main(void)
{
    testutil_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(auth__password_hash_is_argon2id_and_verifies),
        cmocka_unit_test(auth__password_policy),
        cmocka_unit_test(auth__tokens_are_random_256_bit_hex),
        cmocka_unit_test(auth__user_create_validates),
        cmocka_unit_test(auth__email_refuses_invisible_and_direction_characters),
        cmocka_unit_test(auth__login_session_and_logout),
        cmocka_unit_test(auth__deactivation_ends_sessions),
        cmocka_unit_test(auth__failed_sign_ins_are_throttled),
        cmocka_unit_test(auth__parallel_sign_ins_check_at_most_the_limit),
        cmocka_unit_test(auth__authorisation_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
