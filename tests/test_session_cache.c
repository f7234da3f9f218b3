/* test_session_cache.c — the sessions a server keeps (session_cache.h): a
 * kept session comes back whole as copies, an emptying drops every one, a
 * session read before an emptying is not kept after it (the race of a read
 * with an announcement), a newer session takes an older one's slot, and
 * texts too long for an entry are not kept at all. */
#include "testutil.h"

#include <string.h>

#include "arena.h"
#include "session_cache.h"

static void hash_of(unsigned char h[32], int n)
{
    memset(h, 0, 32);
    h[0] = (unsigned char)n;
    h[31] = 0xA5;
}

static const char CSRF[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

static struct session_kept someone(void)
{
    return (struct session_kept){.user_id = 42,
                                 .organisation_id = 7,
                                 .last_seen = 1000,
                                 .expires = 2000,
                                 .role = 2,
                                 .active = 1,
                                 .email = "anna@example.org",
                                 .name = "Anna Kowalska",
                                 .lang = "pl",
                                 .csrf = CSRF};
}

static void session_cache__a_kept_session_comes_back_as_copies(void **state)
{
    (void)state;
    session_cache_clear();
    unsigned char h[32];
    hash_of(h, 1);
    struct session_kept s = someone();
    char name[32];
    snprintf(name, sizeof name, "%s", s.name);
    s.name = name;
    session_cache_put(session_cache_epoch(), h, &s);
    name[0] = 'X'; /* the caller's buffer changes: the entry holds its own */

    struct arena a = {0};
    struct session_kept got = {0};
    assert_int_equal(session_cache_get(h, &a, &got), 1);
    assert_int_equal(got.user_id, 42);
    assert_int_equal(got.organisation_id, 7);
    assert_int_equal(got.role, 2);
    assert_int_equal(got.active, 1);
    assert_string_equal(got.email, "anna@example.org");
    assert_string_equal(got.name, "Anna Kowalska");
    assert_string_equal(got.lang, "pl");
    assert_string_equal(got.csrf, CSRF);
    assert_int_equal(got.last_seen, 1000);
    assert_int_equal(got.expires, 2000);

    unsigned char other[32];
    hash_of(other, 2);
    assert_int_equal(session_cache_get(other, &a, &got), 0);
    arena_release(&a);
}

static void session_cache__an_emptying_drops_every_session(void **state)
{
    (void)state;
    unsigned char h1[32], h2[32];
    hash_of(h1, 3);
    hash_of(h2, 4);
    struct session_kept s = someone();
    session_cache_put(session_cache_epoch(), h1, &s);
    session_cache_put(session_cache_epoch(), h2, &s);
    session_cache_clear();
    struct arena a = {0};
    struct session_kept got;
    assert_int_equal(session_cache_get(h1, &a, &got), 0);
    assert_int_equal(session_cache_get(h2, &a, &got), 0);
    arena_release(&a);
}

static void session_cache__a_read_older_than_an_emptying_is_not_kept(void **state)
{
    (void)state;
    unsigned char h[32];
    hash_of(h, 5);
    struct session_kept s = someone();
    uint64_t before = session_cache_epoch(); /* the read starts, */
    session_cache_clear();                   /* an announcement comes, */
    session_cache_put(before, h, &s);        /* the read ends */
    struct arena a = {0};
    struct session_kept got;
    assert_int_equal(session_cache_get(h, &a, &got), 0);
    session_cache_put(session_cache_epoch(), h, &s);
    assert_int_equal(session_cache_get(h, &a, &got), 1);
    arena_release(&a);
}

static void session_cache__a_newer_session_takes_the_slot(void **state)
{
    (void)state;
    unsigned char h1[32], h2[32];
    hash_of(h1, 6);
    memcpy(h2, h1, 32);
    h2[31] = 0x5A; /* the same slot (first bytes), another session */
    struct session_kept s = someone();
    session_cache_put(session_cache_epoch(), h1, &s);
    s.user_id = 43;
    session_cache_put(session_cache_epoch(), h2, &s);
    struct arena a = {0};
    struct session_kept got;
    assert_int_equal(session_cache_get(h1, &a, &got), 0);
    assert_int_equal(session_cache_get(h2, &a, &got), 1);
    assert_int_equal(got.user_id, 43);
    arena_release(&a);
}

static void session_cache__texts_too_long_are_not_kept(void **state)
{
    (void)state;
    unsigned char h[32];
    hash_of(h, 7);
    char long_name[400];
    memset(long_name, 'n', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    struct session_kept s = someone();
    s.name = long_name;
    session_cache_put(session_cache_epoch(), h, &s);
    struct arena a = {0};
    struct session_kept got;
    assert_int_equal(session_cache_get(h, &a, &got), 0);
    arena_release(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(session_cache__a_kept_session_comes_back_as_copies),
        cmocka_unit_test(session_cache__an_emptying_drops_every_session),
        cmocka_unit_test(session_cache__a_read_older_than_an_emptying_is_not_kept),
        cmocka_unit_test(session_cache__a_newer_session_takes_the_slot),
        cmocka_unit_test(session_cache__texts_too_long_are_not_kept),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
