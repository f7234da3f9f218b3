/* test_msg.c — both languages of every message, the answer's language, and
 * labels in place of {field}. */
#include "testutil.h"

#include "catalogue.h"
#include "msg.h"

/* The conversions of a printf format, e.g. "%d|%s|%lld|%g", "" when none. */
static void conversions(const char *fmt, char *out, size_t n)
{
    size_t o = 0;
    out[0] = '\0';
    for (const char *p = fmt; *p; p++) {
        if (*p != '%')
            continue;
        if (p[1] == '%') {
            p++;
            continue;
        }
        const char *start = p++;
        while (*p && strchr("-+ #0123456789.*hlLqjzt", *p))
            p++;
        size_t len = (size_t)(p - start) + 1;
        if (o + len + 2 < n) {
            if (o)
                out[o++] = '|';
            memcpy(out + o, start, len);
            o += len;
            out[o] = '\0';
        }
        if (!*p)
            break;
    }
}

static int count_of(const char *s, const char *what)
{
    int n = 0;
    for (const char *p = strstr(s, what); p; p = strstr(p + 1, what))
        n++;
    return n;
}

static void msg__every_pair_takes_the_same_arguments(void **state)
{
    (void)state;
    assert_true(msg_npairs > 50);
    for (size_t i = 0; i < msg_npairs; i++) {
        char en[256], pl[256];
        conversions(msg_pairs[i][MSG_EN], en, sizeof en);
        conversions(msg_pairs[i][MSG_PL], pl, sizeof pl);
        if (strcmp(en, pl) != 0)
            fail_msg("\"%s\" takes %s but its Polish form takes %s", msg_pairs[i][MSG_EN], en, pl);
        if (count_of(msg_pairs[i][MSG_EN], "{field}") != count_of(msg_pairs[i][MSG_PL], "{field}"))
            fail_msg("\"%s\": {field} differs in Polish", msg_pairs[i][MSG_EN]);
        for (size_t k = 0; k < i; k++)
            if (strcmp(msg_pairs[k][MSG_EN], msg_pairs[i][MSG_EN]) == 0)
                fail_msg("\"%s\" is translated twice", msg_pairs[i][MSG_EN]);
    }
}

static void msg__lookup_finds_the_polish_form(void **state)
{
    (void)state;
    assert_string_equal(msg_pl("{field} is required"), "{field}: pole wymagane");
    static const char unknown[] = "a text nobody translated";
    assert_ptr_equal(msg_pl(unknown), unknown);
    assert_ptr_equal(msg_format(unknown, MSG_EN), unknown);
    assert_null(msg_pl(NULL));
}

static void msg__language_of_the_answer(void **state)
{
    (void)state;
    assert_int_equal(msg_lang_pick("en", "pl"), MSG_EN); /* the user's own first */
    assert_int_equal(msg_lang_pick("pl", "en-GB"), MSG_PL);
    assert_int_equal(msg_lang_pick(NULL, NULL), MSG_PL);
    assert_int_equal(msg_lang_pick(NULL, "*"), MSG_PL);
    assert_int_equal(msg_lang_pick(NULL, "en-GB,en;q=0.9"), MSG_EN);
    assert_int_equal(msg_lang_pick(NULL, "de-DE, en;q=0.5, pl;q=0.8"), MSG_PL);
    assert_int_equal(msg_lang_pick(NULL, "pl;q=0.3, en;q=0.7"), MSG_EN);
    assert_int_equal(msg_lang_pick(NULL, "fr, de"), MSG_PL);
    assert_int_equal(msg_lang_pick(NULL, "english"), MSG_PL); /* not a language range of ours */
    assert_string_equal(msg_lang_code(MSG_EN), "en");
    assert_int_equal(msg_lang_parse("en"), MSG_EN);
    assert_int_equal(msg_lang_parse("xx"), MSG_PL);
}

static void msg__language_of_the_command_line(void **state)
{
    (void)state;
    assert_int_equal(msg_lang_locale(NULL, NULL, "pl_PL.UTF-8"), MSG_PL);
    assert_int_equal(msg_lang_locale(NULL, NULL, "pl"), MSG_PL);
    assert_int_equal(msg_lang_locale(NULL, NULL, "pl_PL@euro"), MSG_PL);
    assert_int_equal(msg_lang_locale(NULL, NULL, NULL), MSG_EN); /* nothing set: C */
    assert_int_equal(msg_lang_locale(NULL, NULL, "C.UTF-8"), MSG_EN);
    assert_int_equal(msg_lang_locale(NULL, NULL, "de_DE.UTF-8"), MSG_EN);
    assert_int_equal(msg_lang_locale(NULL, NULL, "plx"), MSG_EN); /* not the language pl */
    /* LC_ALL over LC_MESSAGES over LANG; an empty one counts as not set. */
    assert_int_equal(msg_lang_locale("C", "pl_PL.UTF-8", "pl_PL.UTF-8"), MSG_EN);
    assert_int_equal(msg_lang_locale("", "pl_PL.UTF-8", "en_GB.UTF-8"), MSG_PL);
    assert_int_equal(msg_lang_locale(NULL, "en_US.UTF-8", "pl_PL.UTF-8"), MSG_EN);
    assert_int_equal(msg_lang_locale("", "", "pl_PL.UTF-8"), MSG_PL);
}

static void msg__field_label_replaces_the_placeholder(void **state)
{
    (void)state;
    char out[64];
    msg_put_field(out, sizeof out, "{field} is required", "Powierzchnia (m²)");
    assert_string_equal(out, "Powierzchnia (m²) is required");
    msg_put_field(out, sizeof out, "no placeholder", "X");
    assert_string_equal(out, "no placeholder");
    msg_put_field(out, sizeof out, "{field} and {field}", "A");
    assert_string_equal(out, "A and A");
    /* Cut short, never inside a character. */
    char tiny[8];
    msg_put_field(tiny, sizeof tiny, "{field}", "łłłł");
    assert_string_equal(tiny, "łłł");
    assert_string_equal(msg_field_label("limit", MSG_PL), "rozmiar strony");
    assert_null(msg_field_label("no_such_name", MSG_EN));
}

static void msg__errors_are_written_in_both_languages(void **state)
{
    (void)state;
    struct ls_err e = {0};
    ls_err_set(&e, LS_EVALIDATION, "max_minutes", "{field} holds at most %d items", 7);
    assert_string_equal(e.message, "{field} holds at most 7 items");
    assert_string_equal(e.message_pl, "{field}: za dużo pozycji (limit: 7)");
    assert_string_equal(ls_err_message(&e, MSG_PL), e.message_pl);
    assert_string_equal(ls_err_message(&e, MSG_EN), e.message);
    ls_err_set_both(&e, LS_ENOTFOUND, NULL, "no such lab", "nie znaleziono: laboratorium");
    assert_string_equal(ls_err_message(&e, MSG_PL), "nie znaleziono: laboratorium");
    assert_string_equal(e.field, "");
}

/* Numbers in Polish messages take a decimal comma; English keeps its point. */
static void msg__polish_numbers_take_a_decimal_comma(void **state)
{
    (void)state;
    struct ls_err e = {0};
    ls_err_set(&e, LS_EVALIDATION, "area_m2", "{field} must be between %.10g and %.10g", 0.5, 1e6);
    assert_string_equal(e.message, "{field} must be between 0.5 and 1000000");
    assert_string_equal(e.message_pl, "{field}: podaj wartość od 0,5 do 1000000");
    ls_err_set(&e, LS_EECONOMIC_CAP, "economic",
               "economic use of this resource in %d would reach %.2f %% of its available hours, "
               "above its State-aid cap of %.2f %%",
               2027, 1.153, 1.0);
    assert_non_null(strstr(e.message, "2027 would reach 1.15 % of"));
    assert_non_null(strstr(e.message_pl, "w roku 2027 sięgnęłoby 1,15 % godzin"));
    assert_non_null(strstr(e.message_pl, "publicznej 1,00 %"));
    /* Without a floating conversion nothing changes, dots in dates included. */
    ls_err_set(&e, LS_EVALIDATION, "x", "%s", "v1.2");
    assert_string_equal(e.message_pl, "v1.2");
}

/* The reasons the server writes into a cancelled booking are shown in each
 * reader's language: each has a Polish form. */
static void msg__cancellation_sentences_are_translated(void **state)
{
    (void)state;
    const char *why[] = {CATALOGUE_WHY_BLACKOUT, CATALOGUE_WHY_HOURS, CATALOGUE_WHY_UNSHARED};
    for (int i = 0; i < 3; i++) {
        assert_true(msg_pl(why[i]) != why[i]);
        assert_null(strchr(why[i], '%'));
    }
}

int main(void)
{
    testutil_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(msg__every_pair_takes_the_same_arguments),
        cmocka_unit_test(msg__lookup_finds_the_polish_form),
        cmocka_unit_test(msg__language_of_the_answer),
        cmocka_unit_test(msg__language_of_the_command_line),
        cmocka_unit_test(msg__polish_numbers_take_a_decimal_comma),
        cmocka_unit_test(msg__field_label_replaces_the_placeholder),
        cmocka_unit_test(msg__errors_are_written_in_both_languages),
        cmocka_unit_test(msg__cancellation_sentences_are_translated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
