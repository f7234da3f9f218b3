/* test_framing.c — the one decision on where a request's body ends. */
#include "testutil.h"

#include "framing.h"

#define H(n, v)                                                                                    \
    {                                                                                              \
        n, v                                                                                       \
    }

static int check(const char *version, const struct framing_header *h, int n, struct framing *f,
                 struct ls_err *err)
{
    ls_err_clear(err);
    return framing_check(version, h, n, f, err);
}

static void framing__plain_requests_pass(void **state)
{
    (void)state;
    struct framing f;
    struct ls_err err;
    const struct framing_header get[] = {H("Host", "labshare.example.org"), H("Accept", "*/*")};
    assert_int_equal(check("1.1", get, 2, &f, &err), LS_OK);
    assert_int_equal(f.body, FRAMING_NONE);
    const struct framing_header post[] = {H("host", "127.0.0.1:8080"), H("content-length", "42")};
    assert_int_equal(check("1.1", post, 2, &f, &err), LS_OK);
    assert_int_equal(f.body, FRAMING_LENGTH);
    assert_int_equal(f.length, 42);
    const struct framing_header chunked[] = {H("Host", "[::1]:8080"),
                                             H("Transfer-Encoding", "Chunked")};
    assert_int_equal(check("1.1", chunked, 2, &f, &err), LS_OK);
    assert_int_equal(f.body, FRAMING_CHUNKED);
    /* HTTP/1.0 needs no Host. */
    const struct framing_header old[] = {H("Content-Length", "0")};
    assert_int_equal(check("1.0", old, 1, &f, &err), LS_OK);
    assert_int_equal(f.length, 0);
}

static void framing__length_and_chunked_together_are_refused(void **state)
{
    (void)state;
    struct framing f;
    struct ls_err err;
    const struct framing_header both[] = {H("Host", "x"), H("Content-Length", "5"),
                                          H("Transfer-Encoding", "chunked")};
    assert_int_equal(check("1.1", both, 3, &f, &err), LS_EBADREQ);
    assert_string_equal(err.field, "Transfer-Encoding");
    const struct framing_header te_first[] = {H("Host", "x"), H("Transfer-Encoding", "chunked"),
                                              H("content-length", "0")};
    assert_int_equal(check("1.1", te_first, 3, &f, &err), LS_EBADREQ);
}

static void framing__content_lengths_must_agree(void **state)
{
    (void)state;
    struct framing f;
    struct ls_err err;
    const struct framing_header differ[] = {H("Host", "x"), H("Content-Length", "5"),
                                            H("Content-Length", "6")};
    assert_int_equal(check("1.1", differ, 3, &f, &err), LS_EBADREQ);
    assert_string_equal(err.field, "Content-Length");
    const struct framing_header listed[] = {H("Host", "x"), H("Content-Length", "5, 6")};
    assert_int_equal(check("1.1", listed, 2, &f, &err), LS_EBADREQ);
    /* The same length twice is one length (RFC 9110 §8.6). */
    const struct framing_header same[] = {H("Host", "x"), H("Content-Length", "5"),
                                          H("Content-Length", " 5 , 005")};
    assert_int_equal(check("1.1", same, 3, &f, &err), LS_OK);
    assert_int_equal(f.length, 5);
}

static void framing__content_length_must_be_digits(void **state)
{
    (void)state;
    const char *bad[] = {"", " ", "12abc", "+5", "-1", "0x10", "5,", ",5", "1 2", "1.0", "五"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct framing f;
        struct ls_err err;
        const struct framing_header h[] = {H("Host", "x"), H("Content-Length", bad[i])};
        assert_int_equal(check("1.1", h, 2, &f, &err), LS_EBADREQ);
    }
    /* Huge but well-formed: a length beyond every limit (413 later). */
    struct framing f;
    struct ls_err err;
    const struct framing_header huge[] = {H("Host", "x"),
                                          H("Content-Length", "99999999999999999999999")};
    assert_int_equal(check("1.1", huge, 2, &f, &err), LS_OK);
    assert_true(f.length > FRAMING_LENGTH_MAX);
}

static void framing__only_chunked_in_http11(void **state)
{
    (void)state;
    struct framing f;
    struct ls_err err;
    const char *bad[] = {"gzip",     "gzip, chunked", "chunked, chunked",
                         "identity", "chunked;x=1",   ""};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        const struct framing_header h[] = {H("Host", "x"), H("Transfer-Encoding", bad[i])};
        assert_int_equal(check("1.1", h, 2, &f, &err), LS_EBADREQ);
    }
    const struct framing_header twice[] = {H("Host", "x"), H("Transfer-Encoding", "chunked"),
                                           H("Transfer-Encoding", "chunked")};
    assert_int_equal(check("1.1", twice, 3, &f, &err), LS_EBADREQ);
    const struct framing_header http10[] = {H("Transfer-Encoding", "chunked")};
    assert_int_equal(check("1.0", http10, 1, &f, &err), LS_EBADREQ);
}

static void framing__http11_needs_one_good_host(void **state)
{
    (void)state;
    struct framing f;
    struct ls_err err;
    const struct framing_header none[] = {H("Accept", "*/*")};
    assert_int_equal(check("1.1", none, 1, &f, &err), LS_EBADREQ);
    assert_string_equal(err.field, "Host");
    const struct framing_header two[] = {H("Host", "a"), H("host", "b")};
    assert_int_equal(check("1.1", two, 2, &f, &err), LS_EBADREQ);
    assert_int_equal(check("1.0", two, 2, &f, &err), LS_EBADREQ);
    const char *bad[] = {"", "a b", "evil.example/path", "user@host", "a\tb", "x\x7f"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        const struct framing_header h[] = {H("Host", bad[i])};
        assert_int_equal(check("1.1", h, 1, &f, &err), LS_EBADREQ);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(framing__plain_requests_pass),
        cmocka_unit_test(framing__length_and_chunked_together_are_refused),
        cmocka_unit_test(framing__content_lengths_must_agree),
        cmocka_unit_test(framing__content_length_must_be_digits),
        cmocka_unit_test(framing__only_chunked_in_http11),
        cmocka_unit_test(framing__http11_needs_one_good_host),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
