/* test_arena.c — the per-request allocator. */
#include "testutil.h"

#include <string.h>

#include "arena.h"

static void arena__allocations_are_zeroed_and_aligned(void **state)
{
    (void)state;
    struct arena a = {0};
    for (int i = 1; i < 100; i++) {
        unsigned char *p = arena_alloc(&a, (size_t)i * 7);
        assert_int_equal((uintptr_t)p % 16, 0);
        for (int j = 0; j < i * 7; j++)
            assert_int_equal(p[j], 0);
        memset(p, 0xab, (size_t)i * 7);
    }
    arena_release(&a);
    assert_null(a.head);
}

static void arena__large_block_gets_its_own_chunk(void **state)
{
    (void)state;
    struct arena a = {0};
    char *small = arena_strdup(&a, "hello");
    char *big = arena_alloc(&a, 3 << 20);
    big[(3 << 20) - 1] = 'x';
    assert_string_equal(small, "hello");
    arena_release(&a);
}

static void arena__printf_and_strndup(void **state)
{
    (void)state;
    struct arena a = {0};
    assert_string_equal(arena_printf(&a, "%s-%d", "lab", 42), "lab-42");
    assert_string_equal(arena_strndup(&a, "abcdef", 3), "abc");
    assert_null(arena_strdup(&a, NULL));
    arena_release(&a);
}

static char release_log[8];

static void mark_a(void *arg)
{
    (void)arg;
    strcat(release_log, "a");
}

static void mark_b(void *arg)
{
    (void)arg;
    strcat(release_log, "b");
}

/* Cleanups run at release, newest first, once; a released arena starts
 * with none. */
static void arena__cleanups_run_at_release_newest_first(void **state)
{
    (void)state;
    struct arena a = {0};
    arena_on_release(&a, mark_a, NULL);
    arena_alloc(&a, 3 << 20); /* a block of its own: the list spans blocks */
    arena_on_release(&a, mark_b, NULL);
    assert_string_equal(release_log, "");
    arena_release(&a);
    assert_string_equal(release_log, "ba");
    arena_release(&a);
    assert_string_equal(release_log, "ba");
    assert_null(a.cleanups);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(arena__allocations_are_zeroed_and_aligned),
        cmocka_unit_test(arena__large_block_gets_its_own_chunk),
        cmocka_unit_test(arena__printf_and_strndup),
        cmocka_unit_test(arena__cleanups_run_at_release_newest_first),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
