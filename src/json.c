/* json.c — see json.h. */
#include "json.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "timeutil.h"

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Looks for a name that an object of item (or of anything inside it)
 * holds twice: 1 with it in *dup, 0 when there is none, -1 out of memory.
 * cJSON keeps both members and a lookup finds the first, so a body that
 * says a field twice would mean whichever the reader happens to take. */
static int twice(const cJSON *item, const char **dup)
{
    if (cJSON_IsObject(item)) {
        size_t n = 0;
        for (const cJSON *c = item->child; c; c = c->next)
            n++;
        if (n > 1) {
            const char **names = malloc(n * sizeof *names);
            if (!names)
                return -1;
            size_t i = 0;
            for (const cJSON *c = item->child; c; c = c->next)
                names[i++] = c->string ? c->string : "";
            qsort(names, n, sizeof *names, by_name);
            int found = 0;
            for (i = 1; i < n && !found; i++)
                if (strcmp(names[i - 1], names[i]) == 0) {
                    *dup = names[i];
                    found = 1;
                }
            free(names);
            if (found)
                return 1;
        }
    }
    for (const cJSON *c = item->child; c; c = c->next) {
        int rc = twice(c, dup);
        if (rc)
            return rc;
    }
    return 0;
}

static int depth_of(const cJSON *item, int depth)
{
    if (depth > JSON_MAX_DEPTH)
        return depth;
    int max = depth;
    for (const cJSON *c = item->child; c; c = c->next) {
        int d = depth_of(c, depth + 1);
        if (d > max)
            max = d;
        if (max > JSON_MAX_DEPTH)
            break;
    }
    return max;
}

int json_parse_object(cJSON **out, const char *body, size_t len, struct ls_err *err)
{
    *out = NULL;
    if (!body || len == 0)
        return ls_err_set(err, LS_EBADREQ, NULL, "request body must be a JSON object");
    /* A cheap pre-scan bounds nesting before cJSON recurses, and finds the
     * escaped NULs cJSON would turn into C string terminators: a name or
     * value cut short unseen ("a\u0000b" kept as "a"). No member name of
     * ours holds one (400); in a value it becomes \u0001 in a copy, so the
     * route's own getter refuses it with a 422 naming the field, in the
     * contract's order of checks. */
    int depth = 0;
    int in_str = 0, str_is_key = 0, expect_key = 0;
    unsigned char in_object[JSON_MAX_DEPTH + 1] = {0};
    char *copy = NULL;
    for (size_t i = 0; i < len; i++) {
        char c = body[i];
        if (in_str) {
            /* RFC 8259 §7: control characters must be escaped. cJSON takes
             * them raw, and a raw NUL would cut a name or value short
             * unseen (a 422 naming field "" instead of the real one). */
            if ((unsigned char)c < 0x20) {
                free(copy);
                return ls_err_set(err, LS_EBADREQ, NULL,
                                  "unescaped control character in a JSON string at byte %zu", i);
            }
            if (c == '\\') {
                if (len - i > 5 && memcmp(body + i + 1, "u0000", 5) == 0) {
                    if (str_is_key) {
                        free(copy);
                        return ls_err_set(err, LS_EBADREQ, NULL,
                                          "a member name may not contain \\u0000 (byte %zu)", i);
                    }
                    if (!copy) {
                        if (!(copy = malloc(len)))
                            return ls_err_set(err, LS_EINTERNAL, NULL, "out of memory");
                        memcpy(copy, body, len);
                    }
                    copy[i + 5] = '1';
                }
                i++;
            } else if (c == '"') {
                in_str = 0;
            }
        } else if (c == '"') {
            in_str = 1;
            str_is_key = expect_key;
            expect_key = 0;
        } else if (c == '{' || c == '[') {
            if (++depth > JSON_MAX_DEPTH) {
                free(copy);
                return ls_err_set(err, LS_EBADREQ, NULL, "JSON nested deeper than %d levels",
                                  JSON_MAX_DEPTH);
            }
            if (depth > 0)
                in_object[depth] = c == '{';
            expect_key = c == '{';
        } else if (c == '}' || c == ']') {
            depth--;
            expect_key = 0;
        } else if (c == ',') {
            expect_key = depth > 0 && in_object[depth];
        } else if (c == ':') {
            expect_key = 0;
        }
    }
    const char *end = NULL;
    const char *text = copy ? copy : body;
    cJSON *j = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    end = end ? body + (end - text) : NULL; /* offsets into the caller's body */
    free(copy);
    if (!j) {
        size_t at = end && end >= body ? (size_t)(end - body) : 0;
        return ls_err_set(err, LS_EBADREQ, NULL, "malformed JSON near byte %zu", at);
    }
    /* Anything but blanks after the value is malformed too. */
    for (const char *p = end; p && p < body + len; p++)
        if (*p != ' ' && *p != '\n' && *p != '\r' && *p != '\t' && *p != '\0') {
            cJSON_Delete(j);
            return ls_err_set(err, LS_EBADREQ, NULL, "trailing data after JSON near byte %zu",
                              (size_t)(p - body));
        }
    if (!cJSON_IsObject(j)) {
        cJSON_Delete(j);
        return ls_err_set(err, LS_EBADREQ, NULL, "request body must be a JSON object");
    }
    if (depth_of(j, 1) > JSON_MAX_DEPTH) {
        cJSON_Delete(j);
        return ls_err_set(err, LS_EBADREQ, NULL, "JSON nested deeper than %d levels",
                          JSON_MAX_DEPTH);
    }
    const char *dup = NULL;
    int repeated = twice(j, &dup);
    if (repeated) {
        int rc = repeated < 0 ? ls_err_set(err, LS_EINTERNAL, NULL, "out of memory")
                 : *dup       ? ls_err_set(err, LS_EBADREQ, dup, "{field} is given more than once")
                              : ls_err_set(err, LS_EBADREQ, NULL,
                                           "an object gives the empty name more than once");
        cJSON_Delete(j);
        return rc;
    }
    *out = j;
    return LS_OK;
}

static const cJSON *member(const cJSON *obj, const char *name, int required, int *present,
                           struct ls_err *err, int *rc)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (present)
        *present = v != NULL;
    *rc = LS_OK;
    if (!v && required)
        *rc = ls_err_set(err, LS_EVALIDATION, name, "{field} is required");
    return v;
}

int json_int(const cJSON *obj, const char *name, int required, int64_t min, int64_t max,
             int64_t *out, int *present, struct ls_err *err)
{
    int rc;
    const cJSON *v = member(obj, name, required, present, err, &rc);
    if (!v)
        return rc;
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble != floor(v->valuedouble))
        return ls_err_set(err, LS_EVALIDATION, name, "{field} must be a whole number");
    if (v->valuedouble < (double)min || v->valuedouble > (double)max)
        return ls_err_set(err, LS_EVALIDATION, name, "{field} must be between %lld and %lld",
                          (long long)min, (long long)max);
    *out = (int64_t)v->valuedouble;
    return LS_OK;
}

void json_add_time(cJSON *obj, const char *name, int64_t t)
{
    char buf[TU_UTC_LEN];
    tu_format_utc(t, buf);
    cJSON_AddStringToObject(obj, name, buf);
}
