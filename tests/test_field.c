/* test_field.c — field tables: defaults, the checks of every type, copies
 * by presence, text that may not hide or reorder itself. */
#include "testutil.h"

#include <math.h>

#include "field.h"

static const struct field_choice COLOURS[] = {
    {"red", {"red", "czerwony"}},
    {"blue", {"blue", "niebieski"}},
    {NULL, {NULL, NULL}},
};

struct thing {
    int64_t id;
    const char *name, *note, *site, *colour;
    int count, flag;
    double size, weight;
    struct field_ids parts;
    struct field_words tags;
};

static const struct field THING_FIELDS[] = {
    FIELD(struct thing, id, "id", FT_ID, FF_OUT, .column = "id", LABEL("Id", "Identyfikator")),
    FIELD(struct thing, name, "name", FT_TEXT, FF_REQUIRED, .max = 5, LABEL("Name", "Nazwa")),
    FIELD(struct thing, note, "note", FT_TEXT, FF_NULLABLE | FF_MULTILINE, .max = 20,
          LABEL("Note", "Uwaga")),
    FIELD(struct thing, site, "site", FT_TEXT, FF_NULLABLE | FF_URL, .max = 100,
          LABEL("Site", "Strona")),
    FIELD(struct thing, colour, "colour", FT_ENUM, 0, .choices = COLOURS, .def = "blue",
          LABEL("Colour", "Kolor")),
    FIELD(struct thing, count, "count", FT_INT, 0, .min = 1, .max = 10, .def = "3",
          LABEL("Count", "Liczba")),
    FIELD(struct thing, flag, "flag", FT_BOOL, 0, .def = "true", LABEL("Flag", "Flaga")),
    FIELD(struct thing, size, "size", FT_NUM, FF_ABOVE_MIN, .min = 0, .max = 100, .def = "1",
          LABEL("Size", "Rozmiar")),
    FIELD(struct thing, weight, "weight", FT_NUM, FF_NULLABLE, .min = 0, .max = 5,
          LABEL("Weight", "Waga")),
    FIELD(struct thing, parts, "parts", FT_IDS, FF_SORTED, .max = 4, LABEL("Parts", "Części")),
    FIELD(struct thing, tags, "tags", FT_WORDS, FF_SORTED, .max = 3, LABEL("Tags", "Etykiety")),
    FIELD_END,
};
static const struct shape thing = {
    "Thing", THING_FIELDS, sizeof(struct thing), {"thing", "rzecz"}, NULL};

static struct thing valid(void)
{
    struct thing t;
    field_defaults(&thing, &t);
    t.name = "Box";
    return t;
}

static void expect_refused(struct thing *t, const char *field)
{
    struct ls_err err = {0};
    assert_int_equal(field_check(&thing, t, 1, &err), LS_EVALIDATION);
    assert_string_equal(err.field, field);
    assert_non_null(strstr(err.message, "{field}")); /* named by its label, never its JSON name */
    assert_true(err.message_pl[0] != '\0');
}

static void field__defaults_come_from_the_table(void **state)
{
    (void)state;
    struct thing t;
    memset(&t, 0x5a, sizeof t);
    field_defaults(&thing, &t);
    assert_int_equal(t.id, 0);
    assert_string_equal(t.name, "");
    assert_null(t.note);
    assert_string_equal(t.colour, "blue");
    assert_ptr_equal(t.colour, COLOURS[1].value); /* the table's own word */
    assert_int_equal(t.count, 3);
    assert_int_equal(t.flag, 1);
    assert_true(t.size == 1.0);
    assert_true(isnan(t.weight)); /* nullable numbers: NAN is null */
    assert_int_equal(t.parts.n, 0);
    assert_int_equal(t.tags.n, 0);
    assert_int_equal(field_count(&thing), 11);
    assert_int_equal(field_index(&thing, field_find(&thing, "colour")), 4);
    assert_true(field_bit(&thing, "colour") == (UINT64_C(1) << 4));
    assert_true(field_bit(&thing, "nope") == 0);
}

static void field__every_type_is_checked_and_named(void **state)
{
    (void)state;
    struct ls_err err = {0};
    struct thing t = valid();
    assert_int_equal(field_check(&thing, &t, 1, &err), LS_OK);

    t = valid();
    t.name = "   ";
    expect_refused(&t, "name");
    t = valid();
    t.name = "Łódź!"; /* five characters, eight bytes */
    assert_int_equal(field_check(&thing, &t, 1, &err), LS_OK);
    t.name = "Łódźą!";
    expect_refused(&t, "name");
    t = valid();
    t.colour = "green";
    expect_refused(&t, "colour");
    t = valid();
    t.count = 11;
    expect_refused(&t, "count");
    t = valid();
    t.size = 0; /* strictly above its minimum */
    expect_refused(&t, "size");
    t = valid();
    t.weight = INFINITY;
    expect_refused(&t, "weight");
    t = valid();
    t.flag = 2;
    expect_refused(&t, "flag");
    t = valid();
    t.site = "javascript:alert(1)";
    expect_refused(&t, "site");
    t = valid();
    t.note = "two\nlines\tfine";
    assert_int_equal(field_check(&thing, &t, 1, &err), LS_OK);
    t.name = "a\nb"; /* one-line text */
    expect_refused(&t, "name");
    /* Blank nullable text is stored as unknown. */
    t = valid();
    t.note = " \t";
    assert_int_equal(field_check(&thing, &t, 1, &err), LS_OK);
    assert_null(t.note);
    /* A set of ids is kept sorted, without repeats, and bounded. */
    int64_t ids[5] = {9, 3, 9, 1, 3};
    t = valid();
    t.parts = (struct field_ids){4, ids};
    assert_int_equal(field_check(&thing, &t, 1, &err), LS_OK);
    assert_int_equal(t.parts.n, 3);
    assert_true(ids[0] == 1 && ids[1] == 3 && ids[2] == 9);
    t.parts = (struct field_ids){5, ids};
    expect_refused(&t, "parts");
    ids[0] = -1;
    t.parts = (struct field_ids){1, ids};
    expect_refused(&t, "parts");
    /* So is a set of words, each one line of text. */
    const char *words[4] = {"pl", "de", "pl", "cz"};
    t = valid();
    t.tags = (struct field_words){3, words};
    assert_int_equal(field_check(&thing, &t, 1, &err), LS_OK);
    assert_int_equal(t.tags.n, 2);
    assert_string_equal(words[0], "de");
    assert_string_equal(words[1], "pl");
    t.tags = (struct field_words){4, words};
    expect_refused(&t, "tags");
    const char *odd[][1] = {{""}, {"  "}, {"a\nb"}, {"x\xe2\x80\xaey"}};
    for (size_t i = 0; i < sizeof odd / sizeof *odd; i++) {
        t.tags = (struct field_words){1, odd[i]};
        expect_refused(&t, "tags");
    }
}

static void field__text_may_not_hide_or_reorder_itself(void **state)
{
    (void)state;
    const char *bad[] = {
        "evil\xE2\x80\xAEgpj.exe", /* U+202E right-to-left override */
        "a\xE2\x81\xA6"
        "b",                     /* U+2066 left-to-right isolate */
        "zero\xE2\x80\x8Bwidth", /* U+200B zero-width space */
        "bom\xEF\xBB\xBF",       /* U+FEFF */
        "nul\x01",               /* a control character */
        "\xC3\x28",              /* not UTF-8 */
        "\xC2\x85",              /* C1 control NEL */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_false(field_text_ok(bad[i], strlen(bad[i]), 1));
    const char *good[] = {"Zażółć gęślą jaźń", "−80 °C", "日本", "emoji \xF0\x9F\x94\xAC"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        assert_true(field_text_ok(good[i], strlen(good[i]), 0));
    assert_int_equal(field_chars("Łódź"), 4);
    assert_int_equal(field_chars(""), 0);
}

/* An invisible or direction character is named as such (a control
 * character keeps its own message); limits count characters; an emoji
 * sequence joined by U+200D is text. */
static void field__invisible_text_is_named_and_limits_are_characters(void **state)
{
    (void)state;
    struct thing t = valid();
    t.name = "Ad\xE2\x80\x8Bm"; /* zero-width space */
    struct ls_err err = {0};
    assert_int_equal(field_check(&thing, &t, 1, &err), LS_EVALIDATION);
    assert_string_equal(err.field, "name");
    assert_non_null(strstr(err.message, "invisible or text-direction"));
    t.name = "Ad\x01";
    assert_int_equal(field_check(&thing, &t, 1, &err), LS_EVALIDATION);
    assert_non_null(strstr(err.message, "control characters"));
    t.name = "Łódźą"; /* 5 characters, 10 bytes: within .max = 5 */
    assert_int_equal(field_check(&thing, &t, 1, &err), LS_OK);
    t.name = "Łódźąę";
    assert_int_equal(field_check(&thing, &t, 1, &err), LS_EVALIDATION);
    t = valid();
    t.note = "\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x94\xAC lab"; /* 👩‍🔬 */
    assert_int_equal(field_check(&thing, &t, 1, &err), LS_OK);
}

static void field__copy_takes_only_what_is_present(void **state)
{
    (void)state;
    struct thing a = valid(), b = valid();
    b.name = "Other";
    b.count = 7;
    b.colour = "red";
    field_copy(&thing, &a, &b, field_bit(&thing, "count") | field_bit(&thing, "colour"));
    assert_string_equal(a.name, "Box");
    assert_int_equal(a.count, 7);
    assert_string_equal(a.colour, "red");
    assert_ptr_equal(field_choice(COLOURS, "red"), COLOURS[0].value);
    assert_null(field_choice(COLOURS, "green"));
    struct arena ar = {0};
    assert_string_equal(field_choice_list(&ar, COLOURS), "red, blue");
    arena_release(&ar);
}

/* A parcel holds a nullable label (an object) and a required size (an
 * object that is always there). */
struct label {
    const char *text;
    double price;
};
struct parcel {
    struct label label; /* all zero bytes = null */
    struct label size;
};
static const struct field LABEL_FIELDS[] = {
    FIELD(struct label, text, "text", FT_TEXT, FF_REQUIRED, .column = "label_text", .max = 4,
          LABEL("Label text", "Tekst etykiety")),
    FIELD(struct label, price, "price", FT_NUM, FF_REQUIRED | FF_NULLABLE, .column = "label_price",
          .min = 0, .max = 10, LABEL("Label price", "Cena etykiety")),
    FIELD_END,
};
static const struct shape label_shape = {
    "Label", LABEL_FIELDS, sizeof(struct label), {"label", "etykieta"}, NULL};
static const struct field PARCEL_FIELDS[] = {
    FIELD(struct parcel, label, "label", FT_OBJECT, FF_NULLABLE, .ref = &label_shape,
          LABEL("Label", "Etykieta")),
    FIELD(struct parcel, size, "size", FT_OBJECT, 0, .ref = &label_shape, LABEL("Size", "Rozmiar")),
    FIELD_END,
};
static const struct shape parcel = {
    "Parcel", PARCEL_FIELDS, sizeof(struct parcel), {"parcel", "paczka"}, NULL};

static void field__nested_objects_are_checked_whole_and_named_by_path(void **state)
{
    (void)state;
    struct parcel p;
    memset(&p, 0x5a, sizeof p);
    field_defaults(&parcel, &p);
    assert_false(field_object_present(&PARCEL_FIELDS[0], &p)); /* nullable: null at first */
    assert_true(field_object_present(&PARCEL_FIELDS[1], &p));  /* the other: always there */
    assert_true(isnan(p.size.price));
    struct ls_err err = {0};
    /* A null object is not checked; the one that is always there is, whole:
     * its required text applies even when changing. */
    assert_int_equal(field_check(&parcel, &p, 0, &err), LS_EVALIDATION);
    assert_string_equal(err.field, "size.text");
    assert_non_null(strstr(err.message, "{field}"));
    p.size.text = "A4";
    assert_int_equal(field_check(&parcel, &p, 0, &err), LS_OK);
    /* Once present (a member not zero), the label's members are checked
     * and named by path. */
    p.label.text = "long text";
    p.label.price = 2;
    assert_int_equal(field_check(&parcel, &p, 1, &err), LS_EVALIDATION);
    assert_string_equal(err.field, "label.text");
    p.label.text = "ok";
    p.label.price = -1;
    assert_int_equal(field_check(&parcel, &p, 1, &err), LS_EVALIDATION);
    assert_string_equal(err.field, "label.price");
    p.label.price = NAN; /* a nullable member may be null */
    assert_int_equal(field_check(&parcel, &p, 1, &err), LS_OK);
    /* Copies carry the presence with the value; clearing makes it null. */
    struct parcel q;
    field_defaults(&parcel, &q);
    field_copy(&parcel, &q, &p, field_bit(&parcel, "label"));
    assert_true(field_object_present(&PARCEL_FIELDS[0], &q));
    assert_string_equal(q.label.text, "ok");
    field_object_clear(&PARCEL_FIELDS[0], &q);
    assert_false(field_object_present(&PARCEL_FIELDS[0], &q));
    q.size.text = "A4";
    field_object_clear(&PARCEL_FIELDS[1], &q); /* not nullable: left alone */
    assert_true(field_object_present(&PARCEL_FIELDS[1], &q));
    assert_string_equal(q.size.text, "A4");
    char path[32];
    field_path(path, sizeof path, &PARCEL_FIELDS[0], "price");
    assert_string_equal(path, "label.price");
}

int main(void)
{
    testutil_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(field__defaults_come_from_the_table),
        cmocka_unit_test(field__every_type_is_checked_and_named),
        cmocka_unit_test(field__text_may_not_hide_or_reorder_itself),
        cmocka_unit_test(field__invisible_text_is_named_and_limits_are_characters),
        cmocka_unit_test(field__copy_takes_only_what_is_present),
        cmocka_unit_test(field__nested_objects_are_checked_whole_and_named_by_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
