/* framing.c — see framing.h. */
#include "framing.h"

#include <string.h>
#include <strings.h>

static int ows(char c)
{
    return c == ' ' || c == '\t';
}

/* The digits of one Content-Length element, leading zeros dropped ("0"
 * stays): *start and *len point into s. 0 if the element is not 1*DIGIT
 * between optional blanks. */
static int cl_element(const char *s, size_t n, const char **start, size_t *len)
{
    size_t i = 0, j = n;
    while (i < j && ows(s[i]))
        i++;
    while (j > i && ows(s[j - 1]))
        j--;
    if (i == j)
        return 0;
    for (size_t k = i; k < j; k++)
        if (s[k] < '0' || s[k] > '9')
            return 0;
    while (j - i > 1 && s[i] == '0')
        i++;
    *start = s + i;
    *len = j - i;
    return 1;
}

static long long cl_value(const char *digits, size_t len)
{
    if (len > 13)
        return FRAMING_LENGTH_MAX + 1;
    long long v = 0;
    for (size_t i = 0; i < len; i++)
        v = v * 10 + (digits[i] - '0');
    return v > FRAMING_LENGTH_MAX ? FRAMING_LENGTH_MAX + 1 : v;
}

/* A Host value: a name or address with an optional port, nothing that
 * belongs to a path, user info or another header. */
static int host_ok(const char *v)
{
    if (!*v)
        return 0;
    for (const unsigned char *p = (const unsigned char *)v; *p; p++)
        if (*p <= ' ' || *p == 0x7f || strchr("/\\?#@\"<>{}|^`", *p))
            return 0;
    return 1;
}

int framing_check(const char *version, const struct framing_header *h, int n, struct framing *out,
                  struct ls_err *err)
{
    int http10 = version && strcmp(version, "1.0") == 0;
    int hosts = 0, te = 0, cl = 0;
    const char *te_value = NULL, *host = NULL;
    const char *len_digits = NULL;
    size_t len_n = 0;
    out->body = FRAMING_NONE;
    out->length = 0;
    for (int i = 0; i < n; i++) {
        const char *name = h[i].name ? h[i].name : "", *v = h[i].value ? h[i].value : "";
        if (strcasecmp(name, "Host") == 0) {
            hosts++;
            host = v;
        } else if (strcasecmp(name, "Transfer-Encoding") == 0) {
            te++;
            te_value = v;
        } else if (strcasecmp(name, "Content-Length") == 0) {
            cl++;
            /* A list of equal lengths is one length; anything else is not. */
            for (const char *p = v;;) {
                size_t seg = strcspn(p, ",");
                const char *d;
                size_t dn;
                if (!cl_element(p, seg, &d, &dn))
                    return ls_err_set(err, LS_EBADREQ, "Content-Length",
                                      "Content-Length must be a number of bytes");
                if (len_digits && (dn != len_n || memcmp(d, len_digits, dn) != 0))
                    return ls_err_set(err, LS_EBADREQ, "Content-Length",
                                      "Content-Length is given twice with different values");
                len_digits = d;
                len_n = dn;
                if (!p[seg])
                    break;
                p += seg + 1;
            }
        }
    }
    if (te && cl)
        return ls_err_set(err, LS_EBADREQ, "Transfer-Encoding",
                          "a request may not have both Content-Length and Transfer-Encoding");
    if (te) {
        if (http10)
            return ls_err_set(err, LS_EBADREQ, "Transfer-Encoding",
                              "Transfer-Encoding is not allowed in HTTP/1.0");
        size_t a = 0, b = strlen(te_value);
        while (a < b && ows(te_value[a]))
            a++;
        while (b > a && ows(te_value[b - 1]))
            b--;
        if (te > 1 || b - a != 7 || strncasecmp(te_value + a, "chunked", 7) != 0)
            return ls_err_set(err, LS_EBADREQ, "Transfer-Encoding",
                              "the only Transfer-Encoding accepted is chunked");
        out->body = FRAMING_CHUNKED;
    } else if (cl) {
        out->body = FRAMING_LENGTH;
        out->length = cl_value(len_digits, len_n);
    }
    if (!http10 && hosts == 0)
        return ls_err_set(err, LS_EBADREQ, "Host", "an HTTP/1.1 request needs a Host header");
    if (hosts > 1)
        return ls_err_set(err, LS_EBADREQ, "Host", "a request may have only one Host header");
    if (hosts && !host_ok(host))
        return ls_err_set(err, LS_EBADREQ, "Host", "the Host header is malformed");
    return LS_OK;
}
