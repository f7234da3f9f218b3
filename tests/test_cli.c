/* test_cli.c — the command line's help pages in both languages, its
 * messages about a value naming the option, and its language taken from the
 * locale's variables. (The sub-commands themselves run in
 * tests/http/core.test.mjs and the other HTTP tests.) */
#include "testutil.h"

#include <ctype.h>

#include "cli.h"
#include "err.h"

static const char *const COMMANDS[] = {"",        "serve",  "migrate",    "demo",
                                       "user",    "stats",  "statements", "backup",
                                       "reindex", "notify", "sql",        "copy-db"};
enum { NCOMMANDS = sizeof COMMANDS / sizeof COMMANDS[0] };

/* The words of a page a translation must keep as they are: options
 * (--name), variables (LABSHARE_X, _X) and the sub-commands' names, each
 * once, sorted, joined by spaces. */
static void kept_words(const char *text, char *out, size_t n)
{
    char words[128][48];
    int count = 0;
    for (const char *p = text; *p && count < 128;) {
        int option = p[0] == '-' && p[1] == '-' && islower((unsigned char)p[2]);
        int variable = (p[0] == '_' || strncmp(p, "LABSHARE_", 9) == 0) &&
                       (p == text || !isalnum((unsigned char)p[-1]));
        if (!option && !variable) {
            p++;
            continue;
        }
        size_t len = 0;
        while (p[len] && (isalnum((unsigned char)p[len]) || strchr("-_", p[len])))
            len++;
        if (len < sizeof words[0]) {
            int seen = 0;
            for (int i = 0; i < count && !seen; i++)
                seen = strncmp(words[i], p, len) == 0 && words[i][len] == '\0';
            if (!seen) {
                memcpy(words[count], p, len);
                words[count++][len] = '\0';
            }
        }
        p += len;
    }
    qsort(words, (size_t)count, sizeof words[0], (int (*)(const void *, const void *))strcmp);
    size_t o = 0;
    out[0] = '\0';
    for (int i = 0; i < count; i++)
        o += (size_t)snprintf(out + o, o < n ? n - o : 0, "%s%s", i ? " " : "", words[i]);
}

static void cli__every_help_page_in_both_languages_with_the_same_options(void **state)
{
    (void)state;
    for (int i = 0; i < NCOMMANDS; i++) {
        const char *en = cli_help_text(COMMANDS[i], MSG_EN);
        const char *pl = cli_help_text(COMMANDS[i], MSG_PL);
        assert_non_null(en);
        assert_non_null(pl);
        char head[64];
        snprintf(head, sizeof head, "usage: labshare %s",
                 COMMANDS[i][0] ? COMMANDS[i] : "<command>");
        assert_true(strncmp(en, head, strlen(head)) == 0);
        snprintf(head, sizeof head, "użycie: labshare %s",
                 COMMANDS[i][0] ? COMMANDS[i] : "<polecenie>");
        assert_true(strncmp(pl, head, strlen(head)) == 0);
        assert_int_equal(en[strlen(en) - 1], '\n');
        assert_int_equal(pl[strlen(pl) - 1], '\n');
        /* A translation that drops or misspells an option says so here. */
        char a[4096], b[4096];
        kept_words(en, a, sizeof a);
        kept_words(pl, b, sizeof b);
        assert_true(a[0] != '\0'); /* every page names an option or a variable */
        assert_string_equal(a, b);
    }
    /* labshare's own page lists every sub-command with a page. */
    const char *own = cli_help_text("", MSG_EN);
    for (int i = 1; i < NCOMMANDS; i++) {
        char line[32];
        snprintf(line, sizeof line, "\n  %s ", COMMANDS[i]);
        assert_non_null(strstr(own, line));
    }
    assert_null(cli_help_text("no-such-command", MSG_EN));
}

static void cli__a_message_about_a_value_names_its_option(void **state)
{
    (void)state;
    struct ls_err e = {0};
    char out[320];
    ls_err_set(&e, LS_EVALIDATION, "email", "{field} must be an e-mail address");
    cli_error_text(out, sizeof out, &e, MSG_EN);
    assert_string_equal(out, "--email must be an e-mail address");
    cli_error_text(out, sizeof out, &e, MSG_PL);
    assert_string_equal(out, "--email: podaj adres e-mail");
    /* A field whose option has another name; one with an underscore. */
    ls_err_clear(&e);
    ls_err_set(&e, LS_EVALIDATION, "organisation_id", "{field} must be a positive id");
    cli_error_text(out, sizeof out, &e, MSG_EN);
    assert_string_equal(out, "--organisation must be a positive id");
    ls_err_clear(&e);
    ls_err_set(&e, LS_EVALIDATION, "group_by", "{field} is required");
    cli_error_text(out, sizeof out, &e, MSG_PL);
    assert_string_equal(out, "--group-by: pole wymagane");
    /* No message at all still says something. */
    ls_err_clear(&e);
    cli_error_text(out, sizeof out, &e, MSG_EN);
    assert_string_equal(out, "failed");
    cli_error_text(out, sizeof out, &e, MSG_PL);
    assert_string_equal(out, "niepowodzenie");
}

static void cli__the_language_comes_from_the_locale_variables(void **state)
{
    (void)state;
    unsetenv("LC_ALL");
    unsetenv("LC_MESSAGES");
    unsetenv("LANG");
    assert_int_equal(cli_lang(), MSG_EN);
    setenv("LANG", "pl_PL.UTF-8", 1);
    assert_int_equal(cli_lang(), MSG_PL);
    setenv("LC_MESSAGES", "en_GB.UTF-8", 1);
    assert_int_equal(cli_lang(), MSG_EN);
    setenv("LC_ALL", "pl_PL.UTF-8", 1);
    assert_int_equal(cli_lang(), MSG_PL);
    unsetenv("LC_ALL");
    unsetenv("LC_MESSAGES");
    unsetenv("LANG");
}

int main(void)
{
    testutil_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cli__every_help_page_in_both_languages_with_the_same_options),
        cmocka_unit_test(cli__a_message_about_a_value_names_its_option),
        cmocka_unit_test(cli__the_language_comes_from_the_locale_variables),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
