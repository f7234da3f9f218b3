/* test_text.c — what counts as acceptable text, and how long it is. */
#include "testutil.h"

#include "text.h"

static enum text_verdict check(const char *s, int multiline)
{
    return text_check(s, strlen(s), multiline);
}

static void text__plain_polish_and_emoji_pass(void **state)
{
    (void)state;
    const char *ok[] = {
        "Zażółć gęślą jaźń",
        "Mikroskop konfokalny — Zeiss LSM 980",
        "\xf0\x9f\x94\xac Mikroskop",                             /* 🔬 */
        "\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x94\xac szkolenie", /* 👩‍🔬: ZWJ between emoji
                                                                   */
        "\xe2\x9d\xa4\xef\xb8\x8f\xe2\x80\x8d\xf0\x9f\x94\xa5",   /* ❤️‍🔥: after a selector
                                                                   */
        "\xd9\x85\xdb\x8c\xe2\x80\x8c\xd8\xae\xd9\x88\xd8\xa7\xd9\x87\xd9\x85", /* Persian ZWNJ */
        "a\xe2\x80\xaf"
        "b", /* narrow no-break space */
        "",
    };
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
        assert_int_equal(check(ok[i], 0), TEXT_OK);
}

static void text__controls_are_refused(void **state)
{
    (void)state;
    assert_int_equal(check("a\x01"
                           "b",
                           1),
                     TEXT_CONTROL);
    assert_int_equal(check("a\x7f", 1), TEXT_CONTROL);
    assert_int_equal(check("a\xc2\x85", 1), TEXT_CONTROL);     /* NEL, a C1 control */
    assert_int_equal(check("a\xc2\x9b[31m", 1), TEXT_CONTROL); /* CSI */
    assert_int_equal(text_check("a\0b", 3, 1), TEXT_CONTROL);
    /* Line breaks and tabs only where text may span lines. */
    assert_int_equal(check("line\nline\r\n\tx", 1), TEXT_OK);
    assert_int_equal(check("name\n", 0), TEXT_CONTROL);
    assert_int_equal(check("\tname", 0), TEXT_CONTROL);
}

static void text__direction_controls_are_refused(void **state)
{
    (void)state;
    /* U+202A–U+202E and U+2066–U+2069, and the marks U+200E/U+200F/U+061C. */
    const unsigned cps[] = {0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066,
                            0x2067, 0x2068, 0x2069, 0x200e, 0x200f, 0x061c};
    for (size_t i = 0; i < sizeof cps / sizeof *cps; i++) {
        char s[16];
        unsigned c = cps[i];
        if (c < 0x800)
            snprintf(s, sizeof s, "ab%c%ccd", 0xc0 | (c >> 6), 0x80 | (c & 0x3f));
        else
            snprintf(s, sizeof s, "ab%c%c%ccd", 0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f),
                     0x80 | (c & 0x3f));
        assert_int_equal(check(s, 1), TEXT_INVISIBLE);
        assert_int_equal(check(s, 0), TEXT_INVISIBLE);
    }
    /* The classic: "admin" shown, "nimda" stored. */
    assert_int_equal(check("\xe2\x80\xae"
                           "nimda",
                           0),
                     TEXT_INVISIBLE);
}

static void text__invisible_characters_are_refused(void **state)
{
    (void)state;
    const char *bad[] = {
        "Ad\xe2\x80\x8bmin",            /* zero-width space */
        "Ad\xe2\x80\x8dmin",            /* ZWJ between letters */
        "Ad\xe2\x80\x8cmin",            /* ZWNJ after a Latin letter */
        "\xe2\x80\x8d\xf0\x9f\x94\xac", /* ZWJ with no emoji before */
        "\xf0\x9f\x94\xac\xe2\x80\x8d", /* ZWJ at the end */
        "Ad\xe2\x81\xa0min",            /* word joiner */
        "\xef\xbb\xbf"
        "Admin",         /* byte-order mark as text */
        "Ad\xc2\xadmin", /* soft hyphen */
        "Ad\xcd\x8fmin", /* combining grapheme joiner */
        "\xe3\x85\xa4",  /* Hangul filler: a blank name */
        "a\xe2\x80\xa8"
        "b", /* line separator */
        "a\xf3\xa0\x80\x81"
        "b",             /* tag character U+E0001 */
        "a\xef\xbf\xbe", /* noncharacter U+FFFE */
        "a\xef\xbf\xb9"
        "b", /* interlinear annotation */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(check(bad[i], 1), TEXT_INVISIBLE);
}

static void text__malformed_utf8_is_refused(void **state)
{
    (void)state;
    const char *bad[] = {"\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
                         "\xff",     "a\xc3",        "\xe2\x80"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(check(bad[i], 1), TEXT_BAD_UTF8);
}

static void text__length_in_characters(void **state)
{
    (void)state;
    assert_int_equal(text_chars("", 0), 0);
    assert_int_equal(text_chars("abc", 3), 3);
    assert_int_equal(text_chars("ąęł", strlen("ąęł")), 3);
    assert_int_equal(text_chars("\xf0\x9f\x94\xac", 4), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(text__plain_polish_and_emoji_pass),
        cmocka_unit_test(text__controls_are_refused),
        cmocka_unit_test(text__direction_controls_are_refused),
        cmocka_unit_test(text__invisible_characters_are_refused),
        cmocka_unit_test(text__malformed_utf8_is_refused),
        cmocka_unit_test(text__length_in_characters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
