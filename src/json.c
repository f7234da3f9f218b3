/* json.c — see json.h. */
#include "json.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "timeutil.h"

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
        return ls_err_set(err, LS_EBADREQ, NULL, "JSON nested too deeply");
    }
    *out = j;
    return LS_OK;
}

int json_only(const cJSON *obj, const char *const *allowed, struct ls_err *err)
{
    for (const cJSON *c = obj ? obj->child : NULL; c; c = c->next) {
        int ok = 0;
        for (const char *const *a = allowed; *a; a++)
            if (c->string && strcmp(c->string, *a) == 0) {
                ok = 1;
                break;
            }
        if (!ok)
            return ls_err_set(err, LS_EVALIDATION, c->string ? c->string : "",
                              "unknown field '%.64s'", c->string ? c->string : "");
    }
    return LS_OK;
}

int json_text_ok(const char *s, size_t len, int multiline)
{
    return text_check(s, len, multiline) == TEXT_OK;
}

static const cJSON *member(const cJSON *obj, const char *name, int required, int *present,
                           struct ls_err *err, int *rc)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (present)
        *present = v != NULL;
    *rc = LS_OK;
    if (!v && required)
        *rc = ls_err_set(err, LS_EVALIDATION, name, "'%s' is required", name);
    return v;
}

int json_string(const cJSON *obj, const char *name, int required, int nullable, size_t maxlen,
                struct arena *a, const char **out, int *present, struct ls_err *err)
{
    int rc;
    const cJSON *v = member(obj, name, required, present, err, &rc);
    if (!v)
        return rc;
    if (cJSON_IsNull(v)) {
        if (!nullable || required)
            return ls_err_set(err, LS_EVALIDATION, name, "'%s' must not be null", name);
        *out = NULL;
        return LS_OK;
    }
    if (!cJSON_IsString(v) || !v->valuestring)
        return ls_err_set(err, LS_EVALIDATION, name, "'%s' must be a string", name);
    size_t len = strlen(v->valuestring);
    switch (text_check(v->valuestring, len, 1)) {
    case TEXT_OK:
        break;
    case TEXT_INVISIBLE:
        return ls_err_set(err, LS_EVALIDATION, name,
                          "'%s' must not contain invisible or text-direction characters", name);
    default:
        return ls_err_set(err, LS_EVALIDATION, name,
                          "'%s' must be UTF-8 text without control characters", name);
    }
    /* Characters, not bytes: 2000 Polish letters fit a 2000 limit. */
    if (text_chars(v->valuestring, len) > maxlen)
        return ls_err_set(err, LS_EVALIDATION, name, "'%s' is longer than %zu characters", name,
                          maxlen);
    if (required) {
        size_t i = 0;
        while (i < len && strchr(" \t\r\n", v->valuestring[i]))
            i++;
        if (i == len)
            return ls_err_set(err, LS_EVALIDATION, name, "'%s' must not be empty", name);
    }
    *out = arena_strndup(a, v->valuestring, len);
    return LS_OK;
}

int json_int(const cJSON *obj, const char *name, int required, int64_t min, int64_t max,
             int64_t *out, int *present, struct ls_err *err)
{
    int rc;
    const cJSON *v = member(obj, name, required, present, err, &rc);
    if (!v)
        return rc;
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble != floor(v->valuedouble))
        return ls_err_set(err, LS_EVALIDATION, name, "'%s' must be a whole number", name);
    if (v->valuedouble < (double)min || v->valuedouble > (double)max)
        return ls_err_set(err, LS_EVALIDATION, name, "'%s' must be between %lld and %lld", name,
                          (long long)min, (long long)max);
    *out = (int64_t)v->valuedouble;
    return LS_OK;
}

int json_number(const cJSON *obj, const char *name, int required, int nullable, double min,
                double max, double *out, int *is_null, int *present, struct ls_err *err)
{
    int rc;
    const cJSON *v = member(obj, name, required, present, err, &rc);
    if (is_null)
        *is_null = 0;
    if (!v)
        return rc;
    if (cJSON_IsNull(v)) {
        if (!nullable || required)
            return ls_err_set(err, LS_EVALIDATION, name, "'%s' must not be null", name);
        if (is_null)
            *is_null = 1;
        return LS_OK;
    }
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
        return ls_err_set(err, LS_EVALIDATION, name, "'%s' must be a number", name);
    if (v->valuedouble < min || v->valuedouble > max)
        return ls_err_set(err, LS_EVALIDATION, name, "'%s' must be between %g and %g", name, min,
                          max);
    *out = v->valuedouble;
    return LS_OK;
}

int json_bool(const cJSON *obj, const char *name, int required, int *out, int *present,
              struct ls_err *err)
{
    int rc;
    const cJSON *v = member(obj, name, required, present, err, &rc);
    if (!v)
        return rc;
    if (!cJSON_IsBool(v))
        return ls_err_set(err, LS_EVALIDATION, name, "'%s' must be true or false", name);
    *out = cJSON_IsTrue(v);
    return LS_OK;
}

int json_time(const cJSON *obj, const char *name, int required, int64_t *out, int *present,
              struct ls_err *err)
{
    int rc;
    const cJSON *v = member(obj, name, required, present, err, &rc);
    if (!v)
        return rc;
    if (!cJSON_IsString(v))
        return ls_err_set(err, LS_EVALIDATION, name, "'%s' must be an RFC 3339 time string", name);
    switch (tu_parse(v->valuestring, out)) {
    case TU_OK:
        return LS_OK;
    case TU_ENONEXISTENT:
        return ls_err_set(err, LS_EVALIDATION, name,
                          "'%s' names a local time skipped by the daylight-saving change", name);
    case TU_EAMBIGUOUS:
        return ls_err_set(err, LS_EVALIDATION, name,
                          "'%s' names a local time that happens twice; give an explicit offset",
                          name);
    default:
        return ls_err_set(err, LS_EVALIDATION, name,
                          "'%s' must be an RFC 3339 time such as 2026-03-29T09:00:00+02:00", name);
    }
}

int json_enum(const cJSON *obj, const char *name, int required, const char *const *choices,
              const char **out, int *present, struct ls_err *err)
{
    int rc;
    const cJSON *v = member(obj, name, required, present, err, &rc);
    if (!v)
        return rc;
    if (cJSON_IsString(v))
        for (const char *const *c = choices; *c; c++)
            if (strcmp(*c, v->valuestring) == 0) {
                *out = *c;
                return LS_OK;
            }
    char list[256] = "";
    for (const char *const *c = choices; *c; c++) {
        strncat(list, *c, sizeof list - strlen(list) - 1);
        if (c[1])
            strncat(list, ", ", sizeof list - strlen(list) - 1);
    }
    return ls_err_set(err, LS_EVALIDATION, name, "'%s' must be one of: %s", name, list);
}

void json_add_time(cJSON *obj, const char *name, int64_t t)
{
    char buf[TU_UTC_LEN];
    tu_format_utc(t, buf);
    cJSON_AddStringToObject(obj, name, buf);
}

void json_add_time_or_null(cJSON *obj, const char *name, int64_t t, int is_null)
{
    if (is_null)
        cJSON_AddNullToObject(obj, name);
    else
        json_add_time(obj, name, t);
}

void json_add_id_or_null(cJSON *obj, const char *name, int64_t id)
{
    if (id > 0)
        cJSON_AddNumberToObject(obj, name, (double)id);
    else
        cJSON_AddNullToObject(obj, name);
}

void json_add_str_or_null(cJSON *obj, const char *name, const char *s)
{
    if (s)
        cJSON_AddStringToObject(obj, name, s);
    else
        cJSON_AddNullToObject(obj, name);
}
