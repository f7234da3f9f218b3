/* test_csv.c — the one CSV writer: quoting, formula neutralisation and the
 * two dialects. */
#include "testutil.h"

#include "csv.h"

/* One row of cells through the writer, without the byte-order mark. */
static char *row(enum csv_locale loc, const char *const *texts, int ntexts, const double *nums,
                 int nnums)
{
    struct csv c = {0};
    csv_begin(&c, loc);
    for (int i = 0; i < ntexts; i++)
        csv_text(&c, texts[i], nnums == 0 && i == ntexts - 1);
    for (int i = 0; i < nnums; i++)
        csv_num(&c, nums[i], i == nnums - 1);
    size_t len = 0;
    char *s = csv_end(&c, &len);
    assert_int_equal(strlen(s), len);
    assert_memory_equal(s, "\xEF\xBB\xBF", 3);
    memmove(s, s + 3, len - 2);
    return s;
}

static void csv__formula_cells_are_neutralised(void **state)
{
    (void)state;
    const char *cells[] = {
        "=HYPERLINK(\"http://x\",\"a\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tx", "\rx"};
    char *s = row(CSV_RFC4180, cells, 6, NULL, 0);
    assert_string_equal(s, "\"'=HYPERLINK(\"\"http://x\"\",\"\"a\"\")\",'+cmd|' /C calc'!A0,'-2+3,"
                           "'@SUM(A1),'\tx,\"'\rx\"\r\n");
    free(s);
    /* Harmless starts are left alone, also with a dangerous character later. */
    const char *plain[] = {"Mikroskop =1", "a-b", "", NULL, " =1", "'quoted"};
    s = row(CSV_RFC4180, plain, 6, NULL, 0);
    assert_string_equal(s, "Mikroskop =1,a-b,,, =1,'quoted\r\n");
    free(s);
}

static void csv__numbers_are_never_neutralised(void **state)
{
    (void)state;
    const double v[] = {-3.5, -2, 0, 1e-7, 0.1, 123456789012.25};
    char *s = row(CSV_RFC4180, NULL, 0, v, 6);
    assert_string_equal(s, "-3.5,-2,0,1e-07,0.1,123456789012.25\r\n");
    free(s);
}

static void csv__polish_dialect(void **state)
{
    (void)state;
    const char *cells[] = {"Zakład; Kraków", "Łódź, Gdańsk", "=1"};
    const double v[] = {-3.5, 1234.25, 7};
    char *s = row(CSV_PL, cells, 3, v, 3);
    /* Semicolons separate, so a comma needs no quotes but a semicolon does. */
    assert_string_equal(s, "\"Zakład; Kraków\";Łódź, Gdańsk;'=1;-3,5;1234,25;7\r\n");
    free(s);
}

static void csv__locale_words(void **state)
{
    (void)state;
    enum csv_locale l = CSV_PL;
    assert_int_equal(csv_locale_parse("en", &l), 0);
    assert_int_equal(l, CSV_RFC4180);
    assert_int_equal(csv_locale_parse("pl", &l), 0);
    assert_int_equal(l, CSV_PL);
    assert_int_equal(csv_locale_parse("PL", &l), -1);
    assert_int_equal(csv_locale_parse("", &l), -1);
    assert_int_equal(csv_locale_parse(NULL, &l), -1);
}

static void csv__empty_file_is_just_the_mark(void **state)
{
    (void)state;
    struct csv c = {0};
    csv_begin(&c, CSV_RFC4180);
    size_t len = 0;
    char *s = csv_end(&c, &len);
    assert_int_equal(len, 3);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(csv__formula_cells_are_neutralised),
        cmocka_unit_test(csv__numbers_are_never_neutralised),
        cmocka_unit_test(csv__polish_dialect),
        cmocka_unit_test(csv__locale_words),
        cmocka_unit_test(csv__empty_file_is_just_the_mark),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
