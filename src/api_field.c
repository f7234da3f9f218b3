/* api_field.c — see api_field.h. */
#include "api_field.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hours.h"
#include "timeutil.h"

#define ID_MAX (INT64_MAX / 2)

static int listed(const char *const *names, const char *name)
{
    for (; names && *names; names++)
        if (strcmp(*names, name) == 0)
            return 1;
    return 0;
}

/* ------------------------------------------------------------------ */
/* JSON in                                                              */

static int time_error(const struct field *f, enum tu_status st, struct ls_err *err)
{
    if (st == TU_ENONEXISTENT)
        return ls_err_set(err, LS_EVALIDATION, f->name,
                          "{field} names a local time skipped by the daylight-saving change");
    if (st == TU_EAMBIGUOUS)
        return ls_err_set(err, LS_EVALIDATION, f->name,
                          "{field} names a local time that happens twice; give an explicit offset");
    return ls_err_set(err, LS_EVALIDATION, f->name,
                      "{field} must be an RFC 3339 time such as 2026-03-29T09:00:00+02:00");
}

static int whole(double v)
{
    return isfinite(v) && v == floor(v);
}

/* An int field's value beyond what an int holds: the field's own bounds,
 * or those of an int when it has none. */
static int int_range_error(const struct field *f, struct ls_err *err)
{
    int bounded = !(f->min == 0 && f->max == 0);
    return ls_err_set(err, LS_EVALIDATION, f->name, "{field} must be between %.10g and %.10g",
                      bounded ? f->min : -2e9, bounded ? f->max : 2e9);
}

/* opening_hours: [{"weekday": 1-7, "open": "HH:MM", "close": "HH:MM"}]. */
static int read_hours(const struct field *f, const cJSON *a, struct hours_week *out,
                      struct ls_err *err)
{
    if (!cJSON_IsArray(a))
        return ls_err_set(err, LS_EVALIDATION, f->name,
                          "{field} must be a list of opening windows {weekday, open, close}");
    if (cJSON_GetArraySize(a) > HOURS_MAX_WINDOWS)
        return ls_err_set(err, LS_EVALIDATION, f->name, "{field}: at most %d windows a week",
                          HOURS_MAX_WINDOWS);
    struct hours_week wk = {0};
    int i = 1;
    for (const cJSON *w = a->child; w; w = w->next, i++) {
        if (!cJSON_IsObject(w))
            return ls_err_set(err, LS_EVALIDATION, f->name,
                              "{field}: window %d must be an object {weekday, open, close}", i);
        for (const cJSON *m = w->child; m; m = m->next)
            if (!m->string || (strcmp(m->string, "weekday") && strcmp(m->string, "open") &&
                               strcmp(m->string, "close")))
                return ls_err_set(err, LS_EVALIDATION, f->name,
                                  "{field}: window %d has an unknown member", i);
        const cJSON *wd = cJSON_GetObjectItemCaseSensitive(w, "weekday");
        const cJSON *op = cJSON_GetObjectItemCaseSensitive(w, "open");
        const cJSON *cl = cJSON_GetObjectItemCaseSensitive(w, "close");
        if (!cJSON_IsNumber(wd) || !whole(wd->valuedouble) || wd->valuedouble < 1 ||
            wd->valuedouble > 7)
            return ls_err_set(err, LS_EVALIDATION, f->name,
                              "{field}: window %d needs a weekday from 1 (Monday) to 7 (Sunday)",
                              i);
        struct hours_window *hw = &wk.w[wk.n];
        hw->weekday = (int)wd->valuedouble;
        if (!cJSON_IsString(op) || hours_parse_hhmm(op->valuestring, 0, &hw->open_min) != 0)
            return ls_err_set(err, LS_EVALIDATION, f->name,
                              "{field}: window %d must open at a time HH:MM (00:00-23:59)", i);
        if (!cJSON_IsString(cl) || hours_parse_hhmm(cl->valuestring, 1, &hw->close_min) != 0)
            return ls_err_set(err, LS_EVALIDATION, f->name,
                              "{field}: window %d must close at a time HH:MM (up to 24:00)", i);
        wk.n++;
    }
    *out = wk;
    return LS_OK;
}

static int read_ids(const struct field *f, const cJSON *v, struct arena *a, struct field_ids *out,
                    struct ls_err *err)
{
    if (!cJSON_IsArray(v))
        return ls_err_set(err, LS_EVALIDATION, f->name, "{field} must be a list of ids");
    int n = cJSON_GetArraySize(v);
    if (f->max > 0 && n > (int)f->max)
        return ls_err_set(err, LS_EVALIDATION, f->name, "{field} holds at most %d items",
                          (int)f->max);
    out->v = arena_alloc(a, (size_t)(n ? n : 1) * sizeof *out->v);
    out->n = 0;
    for (const cJSON *c = v->child; c; c = c->next) {
        if (!cJSON_IsNumber(c) || !whole(c->valuedouble) || c->valuedouble < 1 ||
            c->valuedouble > (double)ID_MAX)
            return ls_err_set(err, LS_EVALIDATION, f->name,
                              "{field} must hold positive whole numbers");
        out->v[out->n++] = (int64_t)c->valuedouble;
    }
    return LS_OK;
}

static int read_words(const struct field *f, const cJSON *v, struct arena *a,
                      struct field_words *out, struct ls_err *err)
{
    if (!cJSON_IsArray(v))
        return ls_err_set(err, LS_EVALIDATION, f->name, "{field} must be a list of texts");
    int n = cJSON_GetArraySize(v);
    if (f->max > 0 && n > (int)f->max)
        return ls_err_set(err, LS_EVALIDATION, f->name, "{field} holds at most %d items",
                          (int)f->max);
    out->v = arena_alloc(a, (size_t)(n ? n : 1) * sizeof *out->v);
    out->n = 0;
    for (const cJSON *c = v->child; c; c = c->next) {
        if (!cJSON_IsString(c) || !c->valuestring)
            return ls_err_set(err, LS_EVALIDATION, f->name, "{field} must be a list of texts");
        out->v[out->n++] = arena_strdup(a, c->valuestring);
    }
    return LS_OK;
}

static int read_object(const struct field *f, const cJSON *v, int staff, struct arena *a, void *obj,
                       struct ls_err *err);

/* Converts one present member into the struct, then checks it. */
static int read_one(const struct field *f, const cJSON *v, int creating, int staff, struct arena *a,
                    void *obj, struct ls_err *err)
{
    int null = cJSON_IsNull(v);
    if (null && !(f->flags & FF_NULLABLE) && !(f->type == FT_TEXT && !(f->flags & FF_REQUIRED)))
        return ls_err_set(err, LS_EVALIDATION, f->name, "{field} must not be null");
    switch (f->type) {
    case FT_ID:
        if (null) {
            *FIELD_AT(obj, f, int64_t) = 0;
            return LS_OK;
        }
        if (!cJSON_IsNumber(v) || !whole(v->valuedouble) || v->valuedouble < 1 ||
            v->valuedouble > (double)ID_MAX)
            return ls_err_set(err, LS_EVALIDATION, f->name, "{field} must be a positive id");
        *FIELD_AT(obj, f, int64_t) = (int64_t)v->valuedouble;
        return LS_OK;
    case FT_INT:
        if (!cJSON_IsNumber(v) || !whole(v->valuedouble))
            return ls_err_set(err, LS_EVALIDATION, f->name, "{field} must be a whole number");
        if (v->valuedouble < -2e9 || v->valuedouble > 2e9)
            return int_range_error(f, err);
        *FIELD_AT(obj, f, int) = (int)v->valuedouble;
        break;
    case FT_NUM:
        if (null) {
            *FIELD_AT(obj, f, double) = NAN;
            return LS_OK;
        }
        if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
            return ls_err_set(err, LS_EVALIDATION, f->name, "{field} must be a number");
        *FIELD_AT(obj, f, double) = v->valuedouble;
        break;
    case FT_BOOL:
        if (!cJSON_IsBool(v))
            return ls_err_set(err, LS_EVALIDATION, f->name, "{field} must be true or false");
        *FIELD_AT(obj, f, int) = cJSON_IsTrue(v);
        return LS_OK;
    case FT_TEXT:
        if (null) {
            /* Nullable text becomes null; other optional text reads null as "". */
            *FIELD_AT(obj, f, const char *) = (f->flags & FF_NULLABLE) ? NULL : "";
            return LS_OK;
        }
        if (!cJSON_IsString(v) || !v->valuestring)
            return ls_err_set(err, LS_EVALIDATION, f->name, "{field} must be text");
        *FIELD_AT(obj, f, const char *) = arena_strdup(a, v->valuestring);
        break;
    case FT_ENUM:
        if (null) {
            *FIELD_AT(obj, f, const char *) = NULL;
            return LS_OK;
        }
        if (!cJSON_IsString(v) || !field_choice(f->choices, v->valuestring)) {
            int rc = ls_err_set(err, LS_EVALIDATION, f->name, "{field} must be one of: %s",
                                field_choice_list(a, f->choices));
            return rc;
        }
        *FIELD_AT(obj, f, const char *) = field_choice(f->choices, v->valuestring);
        return LS_OK;
    case FT_TIME: {
        if (null) {
            *FIELD_AT(obj, f, int64_t) = 0;
            return LS_OK;
        }
        if (!cJSON_IsString(v))
            return time_error(f, TU_EFORMAT, err);
        enum tu_status st = tu_parse(v->valuestring, FIELD_AT(obj, f, int64_t));
        return st == TU_OK ? LS_OK : time_error(f, st, err);
    }
    case FT_IDS: {
        int rc = read_ids(f, v, a, FIELD_AT(obj, f, struct field_ids), err);
        if (rc)
            return rc;
        break;
    }
    case FT_WORDS: {
        int rc = read_words(f, v, a, FIELD_AT(obj, f, struct field_words), err);
        if (rc)
            return rc;
        break;
    }
    case FT_HOURS: {
        int rc = read_hours(f, v, FIELD_AT(obj, f, struct hours_week), err);
        if (rc)
            return rc;
        break;
    }
    case FT_CODE: {
        int i = 0;
        while (cJSON_IsString(v) && f->choices[i].value &&
               strcmp(f->choices[i].value, v->valuestring))
            i++;
        if (!cJSON_IsString(v) || !f->choices[i].value)
            return ls_err_set(err, LS_EVALIDATION, f->name, "{field} must be one of: %s",
                              field_choice_list(a, f->choices));
        *FIELD_AT(obj, f, int) = i + (int)f->min;
        return LS_OK;
    }
    case FT_LONG:
        if (!cJSON_IsNumber(v) || !whole(v->valuedouble))
            return ls_err_set(err, LS_EVALIDATION, f->name, "{field} must be a whole number");
        *FIELD_AT(obj, f, int64_t) = (int64_t)v->valuedouble;
        return LS_OK;
    case FT_OBJECT: {
        if (!f->ref || !f->ref->size) /* documented only: keys the data chooses */
            return ls_err_set(err, LS_EVALIDATION, f->name, "{field} is read-only");
        int rc = read_object(f, v, staff, a, obj, err);
        if (rc)
            return rc;
        break;
    }
    case FT_LIST:
        /* Nested lists are read by their own route, never generically. */
        return ls_err_set(err, LS_EVALIDATION, f->name, "{field} is read-only");
    case FT_NONE:
        return LS_OK;
    }
    return field_check_one(f, obj, creating, err);
}

/* A nested object replaces the whole value: its members are read over the
 * nested shape's defaults (not over the old value) with its required
 * members required, and an error names "parent.member". null makes a
 * nullable object null. */
static int read_object(const struct field *f, const cJSON *v, int staff, struct arena *a, void *obj,
                       struct ls_err *err)
{
    void *nested = FIELD_AT(obj, f, char);
    if (cJSON_IsNull(v)) { /* read_one refused null for a non-nullable object */
        field_object_clear(f, obj);
        return LS_OK;
    }
    field_defaults(f->ref, nested);
    if (!cJSON_IsObject(v))
        return ls_err_set(err, LS_EVALIDATION, f->name, "{field} must be an object");
    uint64_t present = 0;
    int rc = api_field_read(f->ref, v, 1, staff, NULL, a, nested, &present, err);
    if (rc) {
        if (err->field[0]) {
            char child[sizeof err->field];
            snprintf(child, sizeof child, "%s", err->field);
            field_path(err->field, sizeof err->field, f, child);
        } else {
            snprintf(err->field, sizeof err->field, "%s", f->name);
        }
        return rc;
    }
    return LS_OK;
}

int api_field_read(const struct shape *sh, const cJSON *json, int creating, int staff,
                   const char *const *skip, struct arena *a, void *obj, uint64_t *present,
                   struct ls_err *err)
{
    *present = 0;
    for (const cJSON *m = json ? json->child : NULL; m; m = m->next) {
        const char *name = m->string ? m->string : "";
        if (listed(skip, name))
            continue;
        const struct field *f = field_find(sh, name);
        if (!f)
            return ls_err_set(err, LS_EVALIDATION, name, "unknown field: {field}");
        if (f->flags & (FF_OUT | FF_JOIN))
            return ls_err_set(err, LS_EVALIDATION, name, "{field} is read-only");
    }
    FIELD_FOR_EACH(f, sh)
    {
        if (!staff && (f->flags & FF_STAFF) && !listed(skip, f->name) &&
            cJSON_GetObjectItemCaseSensitive(json, f->name))
            return ls_err_set(err, LS_EFORBIDDEN, f->name, "only cluster staff may set {field}");
    }
    int i = 0;
    FIELD_FOR_EACH(f, sh)
    {
        int bit = i++;
        if ((f->flags & (FF_OUT | FF_JOIN)) || listed(skip, f->name))
            continue;
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(json, f->name);
        if (!v) {
            if (creating && (f->flags & FF_REQUIRED))
                return ls_err_set(err, LS_EVALIDATION, f->name, "{field} is required");
            continue;
        }
        int rc = read_one(f, v, creating, staff, a, obj, err);
        if (rc)
            return rc;
        *present |= UINT64_C(1) << bit;
    }
    return LS_OK;
}

/* ------------------------------------------------------------------ */
/* Query strings                                                        */

int api_field_parse_time(const char *s, struct arena *a, int64_t *out)
{
    /* '+' in a query string decodes to a space; restore it for offsets. */
    char *fixed = arena_strdup(a, s);
    for (char *p = fixed + (strlen(fixed) > 16 ? 16 : 0); *p; p++)
        if (*p == ' ')
            *p = '+';
    enum tu_status st = tu_parse(fixed, out);
    if (st == TU_OK)
        return TU_OK;
    /* A bare date means its local midnight. */
    int y, m, d;
    char tail;
    if (strlen(fixed) == 10 && sscanf(fixed, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3 && d >= 1 &&
        d <= tu_days_in_month(y, m) && y >= 1970 && y <= 9999) {
        *out = tu_local_midnight(y, m, d);
        return TU_OK;
    }
    return st;
}

static int query_one(const struct field *f, const char *s, struct arena *a, void *obj,
                     struct ls_err *err)
{
    char *end = NULL;
    switch (f->type) {
    case FT_ID:
    case FT_INT: {
        errno = 0;
        long long v = strtoll(s, &end, 10);
        if (*end || errno)
            return ls_err_set(err, LS_EVALIDATION, f->name, "{field} must be a whole number");
        if (f->type == FT_ID) {
            if (v < 1 || v > ID_MAX)
                return ls_err_set(err, LS_EVALIDATION, f->name, "{field} must be a positive id");
            *FIELD_AT(obj, f, int64_t) = v;
            return LS_OK;
        }
        if (v < -2000000000LL || v > 2000000000LL)
            return int_range_error(f, err);
        *FIELD_AT(obj, f, int) = (int)v;
        return field_check_one(f, obj, 0, err);
    }
    case FT_NUM: {
        double v = strtod(s, &end);
        if (*end || !isfinite(v))
            return ls_err_set(err, LS_EVALIDATION, f->name, "{field} must be a number");
        *FIELD_AT(obj, f, double) = v;
        return field_check_one(f, obj, 0, err);
    }
    case FT_BOOL:
        if (strcmp(s, "true") == 0 || strcmp(s, "1") == 0)
            *FIELD_AT(obj, f, int) = 1;
        else if (strcmp(s, "false") == 0 || strcmp(s, "0") == 0)
            *FIELD_AT(obj, f, int) = 0;
        else
            return ls_err_set(err, LS_EVALIDATION, f->name, "{field} must be true or false");
        return LS_OK;
    case FT_TEXT:
        *FIELD_AT(obj, f, const char *) = s;
        return field_check_one(f, obj, 0, err);
    case FT_ENUM:
        if (!field_choice(f->choices, s))
            return ls_err_set(err, LS_EVALIDATION, f->name, "{field} must be one of: %s",
                              field_choice_list(a, f->choices));
        *FIELD_AT(obj, f, const char *) = field_choice(f->choices, s);
        return LS_OK;
    case FT_TIME: {
        int st = api_field_parse_time(s, a, FIELD_AT(obj, f, int64_t));
        if (st == TU_OK)
            return LS_OK;
        if (st == TU_EFORMAT)
            return ls_err_set(err, LS_EVALIDATION, f->name,
                              "{field} must be an RFC 3339 time (e.g. 2026-03-29T09:00:00Z) or a "
                              "date");
        return time_error(f, (enum tu_status)st, err);
    }
    case FT_CODE:
        for (int i = 0; f->choices[i].value; i++)
            if (strcmp(f->choices[i].value, s) == 0) {
                *FIELD_AT(obj, f, int) = i + (int)f->min;
                return LS_OK;
            }
        return ls_err_set(err, LS_EVALIDATION, f->name, "{field} must be one of: %s",
                          field_choice_list(a, f->choices));
    case FT_LONG:
        errno = 0;
        *FIELD_AT(obj, f, int64_t) = strtoll(s, &end, 10);
        if (*end || errno)
            return ls_err_set(err, LS_EVALIDATION, f->name, "{field} must be a whole number");
        return LS_OK;
    case FT_IDS:
    case FT_WORDS:
    case FT_HOURS:
    case FT_OBJECT:
    case FT_LIST:
    case FT_NONE:
        break;
    }
    return LS_OK;
}

int api_field_query(const struct shape *sh, api_field_getter get, void *ctx, struct arena *a,
                    void *obj, uint64_t *present, struct ls_err *err)
{
    *present = 0;
    int i = 0;
    FIELD_FOR_EACH(f, sh)
    {
        int bit = i++;
        if (f->flags & FF_OUT)
            continue;
        const char *s = get(ctx, f->name);
        if (!s || !*s) {
            if (f->flags & FF_REQUIRED)
                return ls_err_set(err, LS_EVALIDATION, f->name, "{field} is required");
            continue;
        }
        int rc = query_one(f, s, a, obj, err);
        if (rc)
            return rc;
        *present |= UINT64_C(1) << bit;
    }
    return LS_OK;
}

/* ------------------------------------------------------------------ */
/* JSON out                                                             */

static cJSON *hours_json(const struct hours_week *wk)
{
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < wk->n; i++) {
        char open[6], close[6];
        hours_format_hhmm(wk->w[i].open_min, open);
        hours_format_hhmm(wk->w[i].close_min, close);
        cJSON *w = cJSON_CreateObject();
        cJSON_AddNumberToObject(w, "weekday", wk->w[i].weekday);
        cJSON_AddStringToObject(w, "open", open);
        cJSON_AddStringToObject(w, "close", close);
        cJSON_AddItemToArray(a, w);
    }
    return a;
}

cJSON *api_field_json(const struct shape *sh, const void *obj)
{
    cJSON *o = cJSON_CreateObject();
    FIELD_FOR_EACH(f, sh)
    {
        if (f->flags & FF_IN)
            continue;
        switch (f->type) {
        case FT_ID: {
            int64_t v = *FIELD_CAT(obj, f, int64_t);
            if (v)
                cJSON_AddNumberToObject(o, f->name, (double)v);
            else
                cJSON_AddNullToObject(o, f->name);
            break;
        }
        case FT_INT:
            cJSON_AddNumberToObject(o, f->name, *FIELD_CAT(obj, f, int));
            break;
        case FT_NUM: {
            double v = *FIELD_CAT(obj, f, double);
            if (isnan(v))
                cJSON_AddNullToObject(o, f->name);
            else
                cJSON_AddNumberToObject(o, f->name, v);
            break;
        }
        case FT_BOOL:
            cJSON_AddBoolToObject(o, f->name, *FIELD_CAT(obj, f, int));
            break;
        case FT_TEXT:
        case FT_ENUM: {
            const char *v = *FIELD_CAT(obj, f, char *);
            if (v)
                cJSON_AddStringToObject(o, f->name, v);
            else
                cJSON_AddNullToObject(o, f->name);
            break;
        }
        case FT_TIME: {
            int64_t v = *FIELD_CAT(obj, f, int64_t);
            if (v) {
                char buf[TU_UTC_LEN];
                tu_format_utc(v, buf);
                cJSON_AddStringToObject(o, f->name, buf);
            } else {
                cJSON_AddNullToObject(o, f->name);
            }
            break;
        }
        case FT_IDS: {
            const struct field_ids *ids = FIELD_CAT(obj, f, struct field_ids);
            cJSON *a = cJSON_AddArrayToObject(o, f->name);
            for (int i = 0; i < ids->n; i++)
                cJSON_AddItemToArray(a, cJSON_CreateNumber((double)ids->v[i]));
            break;
        }
        case FT_WORDS: {
            const struct field_words *w = FIELD_CAT(obj, f, struct field_words);
            cJSON *a = cJSON_AddArrayToObject(o, f->name);
            for (int i = 0; i < w->n; i++)
                cJSON_AddItemToArray(a, cJSON_CreateString(w->v[i]));
            break;
        }
        case FT_HOURS:
            cJSON_AddItemToObject(o, f->name, hours_json(FIELD_CAT(obj, f, struct hours_week)));
            break;
        case FT_CODE: {
            int v = *FIELD_CAT(obj, f, int) - (int)f->min, n = 0;
            while (f->choices[n].value)
                n++;
            if (v >= 0 && v < n)
                cJSON_AddStringToObject(o, f->name, f->choices[v].value);
            else
                cJSON_AddNullToObject(o, f->name);
            break;
        }
        case FT_LONG:
            cJSON_AddNumberToObject(o, f->name, (double)*FIELD_CAT(obj, f, int64_t));
            break;
        case FT_OBJECT:
            if (f->ref && !field_object_present(f, obj))
                cJSON_AddNullToObject(o, f->name);
            else if (f->ref)
                cJSON_AddItemToObject(o, f->name, api_field_json(f->ref, FIELD_CAT(obj, f, char)));
            break;
        case FT_LIST: {
            if (!f->ref)
                break;
            cJSON *a = cJSON_AddArrayToObject(o, f->name);
            const char *items = *FIELD_CAT(obj, f, char *);
            int n = *(const int *)(const void *)((const char *)obj + f->count);
            for (int i = 0; items && i < n; i++)
                cJSON_AddItemToArray(a, api_field_json(f->ref, items + (size_t)i * f->ref->size));
            break;
        }
        case FT_NONE:
            break;
        }
    }
    return o;
}

/* ------------------------------------------------------------------ */
/* Schemas                                                              */

static cJSON *type_of(const char *t, int nullable)
{
    if (!nullable)
        return cJSON_CreateString(t);
    cJSON *a = cJSON_CreateArray();
    cJSON_AddItemToArray(a, cJSON_CreateString(t));
    cJSON_AddItemToArray(a, cJSON_CreateString("null"));
    return a;
}

static void add_labels(cJSON *o, const char *key, const char *const *label)
{
    if (!label[MSG_EN])
        return;
    cJSON *l = cJSON_AddObjectToObject(o, key);
    cJSON_AddStringToObject(l, "en", label[MSG_EN]);
    cJSON_AddStringToObject(l, "pl", label[MSG_PL] ? label[MSG_PL] : label[MSG_EN]);
}

static void add_bounds(cJSON *s, const struct field *f)
{
    if (f->min == 0 && f->max == 0)
        return;
    if (f->flags & FF_ABOVE_MIN)
        cJSON_AddNumberToObject(s, "exclusiveMinimum", f->min);
    else
        cJSON_AddNumberToObject(s, "minimum", f->min);
    cJSON_AddNumberToObject(s, "maximum", f->max);
}

static cJSON *schema_ref(const char *name)
{
    cJSON *o = cJSON_CreateObject();
    char ref[128];
    snprintf(ref, sizeof ref, "#/components/schemas/%s", name);
    cJSON_AddStringToObject(o, "$ref", ref);
    return o;
}

/* The one nested object of the field types: a window of opening hours. */
static cJSON *window_schema(void)
{
    return cJSON_Parse(
        "{\"type\":\"object\",\"required\":[\"weekday\",\"open\",\"close\"],"
        "\"additionalProperties\":false,\"properties\":{"
        "\"weekday\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":7,"
        "\"description\":\"ISO weekday, Monday = 1\"},"
        "\"open\":{\"type\":\"string\",\"pattern\":\"^([01][0-9]|2[0-3]):[0-5][0-9]$\"},"
        "\"close\":{\"type\":\"string\",\"pattern\":\"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$\"}}"
        "}");
}

static cJSON *field_schema(const struct field *f, enum api_schema_mode mode)
{
    cJSON *s = cJSON_CreateObject();
    int nullable = (f->flags & FF_NULLABLE) != 0;
    switch (f->type) {
    case FT_ID:
        cJSON_AddItemToObject(s, "type", type_of("integer", nullable));
        cJSON_AddNumberToObject(s, "minimum", 1);
        if (f->ref && f->ref->name)
            cJSON_AddStringToObject(s, "x-ref", f->ref->name);
        break;
    case FT_INT:
        cJSON_AddItemToObject(s, "type", type_of("integer", nullable));
        add_bounds(s, f);
        break;
    case FT_NUM:
        cJSON_AddItemToObject(s, "type", type_of("number", nullable));
        add_bounds(s, f);
        break;
    case FT_BOOL:
        cJSON_AddItemToObject(s, "type", type_of("boolean", nullable));
        break;
    case FT_TEXT:
        cJSON_AddItemToObject(s, "type", type_of("string", nullable));
        if (f->min > 0)
            cJSON_AddNumberToObject(s, "minLength", f->min);
        if (f->max > 0)
            cJSON_AddNumberToObject(s, "maxLength", f->max);
        if (f->flags & FF_URL)
            cJSON_AddStringToObject(s, "format", "uri");
        if (f->flags & FF_MULTILINE)
            cJSON_AddBoolToObject(s, "x-multiline", 1);
        break;
    case FT_ENUM:
    case FT_CODE: { /* the same words, held as text or as a number */
        cJSON_AddItemToObject(s, "type", type_of("string", nullable));
        cJSON *e = cJSON_AddArrayToObject(s, "enum");
        cJSON *labels = cJSON_AddObjectToObject(s, "x-enum-labels");
        for (const struct field_choice *c = f->choices; c && c->value; c++) {
            cJSON_AddItemToArray(e, cJSON_CreateString(c->value));
            add_labels(labels, c->value, c->label);
        }
        if (nullable)
            cJSON_AddItemToArray(e, cJSON_CreateNull());
        break;
    }
    case FT_TIME:
        cJSON_AddItemToObject(s, "type", type_of("string", nullable));
        cJSON_AddStringToObject(s, "format", "date-time");
        break;
    case FT_IDS: {
        cJSON_AddStringToObject(s, "type", "array");
        cJSON *items = cJSON_AddObjectToObject(s, "items");
        cJSON_AddStringToObject(items, "type", "integer");
        cJSON_AddNumberToObject(items, "minimum", 1);
        if (f->max > 0)
            cJSON_AddNumberToObject(s, "maxItems", f->max);
        if (f->ref && f->ref->name)
            cJSON_AddStringToObject(s, "x-ref", f->ref->name);
        break;
    }
    case FT_WORDS: {
        cJSON_AddStringToObject(s, "type", "array");
        cJSON *items = cJSON_AddObjectToObject(s, "items");
        cJSON_AddStringToObject(items, "type", "string");
        cJSON_AddNumberToObject(items, "minLength", 1);
        cJSON_AddNumberToObject(items, "maxLength", FIELD_WORD_MAX);
        if (f->max > 0)
            cJSON_AddNumberToObject(s, "maxItems", f->max);
        break;
    }
    case FT_HOURS:
        cJSON_AddStringToObject(s, "type", "array");
        cJSON_AddNumberToObject(s, "maxItems", HOURS_MAX_WINDOWS);
        cJSON_AddItemToObject(s, "items", window_schema());
        cJSON_AddStringToObject(s, "x-widget", "opening-hours");
        if (!(f->flags & FF_OUT)) {
            struct hours_week def;
            hours_default(&def);
            cJSON_AddItemToObject(s, "default", hours_json(&def));
        }
        break;
    case FT_LONG:
        cJSON_AddItemToObject(s, "type", type_of("integer", nullable));
        break;
    case FT_OBJECT:
        if (f->ref) {
            /* In a body a nested object is given whole: its own required
             * members are required (SCHEMA_CREATE) in a change too. */
            enum api_schema_mode m = mode == SCHEMA_ANSWER ? SCHEMA_ANSWER : SCHEMA_CREATE;
            cJSON *one = f->ref->name && m == SCHEMA_ANSWER ? schema_ref(f->ref->name)
                                                            : api_field_schema(f->ref, m);
            cJSON_Delete(s);
            s = one;
            if (nullable) {
                cJSON *either = cJSON_CreateObject();
                cJSON *alt = cJSON_AddArrayToObject(either, "oneOf");
                cJSON_AddItemToArray(alt, s);
                cJSON *none = cJSON_CreateObject();
                cJSON_AddStringToObject(none, "type", "null");
                cJSON_AddItemToArray(alt, none);
                s = either;
            }
        } else { /* keys chosen by the data (a group's name): described in .help */
            cJSON_AddStringToObject(s, "type", "object");
            cJSON_AddItemToObject(s, "additionalProperties", cJSON_CreateObject());
        }
        break;
    case FT_LIST:
        cJSON_AddStringToObject(s, "type", "array");
        if (f->ref)
            cJSON_AddItemToObject(s, "items",
                                  f->ref->name ? schema_ref(f->ref->name)
                                               : api_field_schema(f->ref, SCHEMA_ANSWER));
        else /* rows of numbers */
            cJSON_AddItemToObject(
                s, "items", cJSON_Parse("{\"type\":\"array\",\"items\":{\"type\":\"number\"}}"));
        break;
    case FT_NONE:
        break;
    }
    if (f->def) {
        cJSON *d = f->type == FT_TEXT || f->type == FT_ENUM ? cJSON_CreateString(f->def)
                                                            : cJSON_Parse(f->def);
        if (d)
            cJSON_AddItemToObject(s, "default", d);
    } else if (nullable && !(f->flags & (FF_OUT | FF_REQUIRED))) {
        cJSON_AddNullToObject(s, "default");
    } else if (f->type == FT_TEXT && !(f->flags & (FF_OUT | FF_REQUIRED))) {
        cJSON_AddStringToObject(s, "default", "");
    }
    if (f->help)
        cJSON_AddStringToObject(s, "description", f->help);
    if (f->flags & (FF_OUT | FF_JOIN))
        cJSON_AddBoolToObject(s, "readOnly", 1);
    if (f->flags & FF_IN)
        cJSON_AddBoolToObject(s, "writeOnly", 1);
    if (f->flags & FF_STAFF)
        cJSON_AddBoolToObject(s, "x-staff-only", 1);
    add_labels(s, "x-label", f->label);
    return s;
}

cJSON *api_field_schema(const struct shape *sh, enum api_schema_mode mode)
{
    cJSON *s = cJSON_CreateObject();
    cJSON_AddStringToObject(s, "type", "object");
    if (sh->help)
        cJSON_AddStringToObject(s, "description", sh->help);
    cJSON *req = cJSON_CreateArray();
    cJSON *props = cJSON_AddObjectToObject(s, "properties");
    FIELD_FOR_EACH(f, sh)
    {
        int out = (f->flags & (FF_OUT | FF_JOIN)) != 0;
        if (mode != SCHEMA_ANSWER && out)
            continue;
        if (mode == SCHEMA_ANSWER && (f->flags & FF_IN))
            continue;
        cJSON_AddItemToObject(props, f->name, field_schema(f, mode));
        if ((mode == SCHEMA_CREATE && (f->flags & FF_REQUIRED)) || mode == SCHEMA_ANSWER)
            cJSON_AddItemToArray(req, cJSON_CreateString(f->name));
    }
    if (cJSON_GetArraySize(req) > 0)
        cJSON_AddItemToObject(s, "required", req);
    else
        cJSON_Delete(req);
    if (mode != SCHEMA_ANSWER)
        cJSON_AddBoolToObject(s, "additionalProperties", 0);
    if (sh->noun[MSG_EN])
        add_labels(s, "x-label", sh->noun);
    return s;
}

void api_field_params(const struct shape *sh, cJSON *parameters)
{
    FIELD_FOR_EACH(f, sh)
    {
        if (f->flags & FF_OUT)
            continue;
        cJSON *p = cJSON_CreateObject();
        cJSON_AddStringToObject(p, "name", f->name);
        cJSON_AddStringToObject(p, "in", "query");
        cJSON_AddBoolToObject(p, "required", (f->flags & FF_REQUIRED) != 0);
        if (f->help)
            cJSON_AddStringToObject(p, "description", f->help);
        cJSON *schema = field_schema(f, SCHEMA_ANSWER);
        cJSON_DeleteItemFromObject(schema, "default");
        if (f->type == FT_TIME)
            cJSON_AddStringToObject(schema, "description",
                                    "RFC 3339 instant, or a date (its local midnight)");
        cJSON_AddItemToObject(p, "schema", schema);
        cJSON_AddItemToArray(parameters, p);
    }
}

const char *api_field_label(const struct shape *sh, const char *name, enum msg_lang lang)
{
    /* "prices.internal": the member's own label (nested labels say whole
     * what they are: "Internal rate (per hour)"). */
    const char *dot = name ? strchr(name, '.') : NULL;
    if (dot) {
        char parent[64];
        snprintf(parent, sizeof parent, "%.*s", (int)(dot - name), name);
        const struct field *p = field_find(sh, parent);
        if (!p || p->type != FT_OBJECT || !p->ref)
            return NULL;
        const char *l = api_field_label(p->ref, dot + 1, lang);
        return l ? l : (p->label[lang] ? p->label[lang] : NULL);
    }
    const struct field *f = field_find(sh, name);
    return f && f->label[lang] ? f->label[lang] : NULL;
}
