/* field.c — see field.h. */
#include "field.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hours.h"
#include "text.h"

int field_count(const struct shape *sh)
{
    int n = 0;
    FIELD_FOR_EACH(f, sh)
    n++;
    return n;
}

const struct field *field_find(const struct shape *sh, const char *name)
{
    if (!sh || !name)
        return NULL;
    FIELD_FOR_EACH(f, sh)
    if (strcmp(f->name, name) == 0)
        return f;
    return NULL;
}

int field_index(const struct shape *sh, const struct field *f)
{
    return (int)(f - sh->fields);
}

uint64_t field_bit(const struct shape *sh, const char *name)
{
    const struct field *f = field_find(sh, name);
    return f ? UINT64_C(1) << field_index(sh, f) : 0;
}

const char *field_choice(const struct field_choice *choices, const char *value)
{
    for (const struct field_choice *c = choices; value && c && c->value; c++)
        if (strcmp(c->value, value) == 0)
            return c->value;
    return NULL;
}

const char *field_choice_list(struct arena *a, const struct field_choice *choices)
{
    size_t len = 1;
    for (const struct field_choice *c = choices; c && c->value; c++)
        len += strlen(c->value) + 2;
    char *out = arena_alloc(a, len);
    for (const struct field_choice *c = choices; c && c->value; c++) {
        if (c != choices)
            strcat(out, ", ");
        strcat(out, c->value);
    }
    return out;
}

void field_path(char *out, size_t n, const struct field *parent, const char *child)
{
    /* A name longer than out is cut: errors name fields, nothing keys on them. */
    size_t k = 0;
    for (const char *s = parent->name; *s && k + 1 < n; s++)
        out[k++] = *s;
    if (k + 1 < n)
        out[k++] = '.';
    for (const char *s = child ? child : ""; *s && k + 1 < n; s++)
        out[k++] = *s;
    if (n)
        out[k] = '\0';
}

int field_object_present(const struct field *f, const void *obj)
{
    if (!(f->flags & FF_NULLABLE) || !f->ref)
        return 1;
    const char *p = FIELD_CAT(obj, f, char);
    for (size_t i = 0; i < f->ref->size; i++)
        if (p[i])
            return 1;
    return 0;
}

void field_object_clear(const struct field *f, void *obj)
{
    if ((f->flags & FF_NULLABLE) && f->ref)
        memset(FIELD_AT(obj, f, char), 0, f->ref->size);
}

int field_default_bool(const struct field *f)
{
    return f->def && strcmp(f->def, "true") == 0;
}

void field_defaults(const struct shape *sh, void *obj)
{
    memset(obj, 0, sh->size);
    FIELD_FOR_EACH(f, sh)
    {
        switch (f->type) {
        case FT_ID:
        case FT_TIME:
            *FIELD_AT(obj, f, int64_t) = f->def ? strtoll(f->def, NULL, 10) : 0;
            break;
        case FT_INT:
            *FIELD_AT(obj, f, int) = f->def ? atoi(f->def) : 0;
            break;
        case FT_BOOL:
            *FIELD_AT(obj, f, int) = field_default_bool(f);
            break;
        case FT_NUM:
            *FIELD_AT(obj, f, double) = f->def                     ? strtod(f->def, NULL)
                                        : (f->flags & FF_NULLABLE) ? NAN
                                                                   : 0.0;
            break;
        case FT_TEXT:
            *FIELD_AT(obj, f, const char *) = f->def                     ? f->def
                                              : (f->flags & FF_NULLABLE) ? NULL
                                                                         : "";
            break;
        case FT_ENUM:
            *FIELD_AT(obj, f, const char *) = field_choice(f->choices, f->def);
            break;
        case FT_HOURS:
            hours_default(FIELD_AT(obj, f, struct hours_week));
            break;
        case FT_CODE:
            *FIELD_AT(obj, f, int) = f->def ? atoi(f->def) : (int)f->min;
            break;
        case FT_LONG:
            *FIELD_AT(obj, f, int64_t) = f->def ? strtoll(f->def, NULL, 10) : 0;
            break;
        case FT_OBJECT:
            if (f->flags & FF_NULLABLE) /* a nullable object starts null */
                field_object_clear(f, obj);
            else if (f->ref && f->ref->size)
                field_defaults(f->ref, FIELD_AT(obj, f, char));
            break;
        case FT_IDS:
        case FT_WORDS:
        case FT_LIST:
        case FT_NONE:
            break;
        }
    }
}

static size_t value_size(const struct field *f)
{
    switch (f->type) {
    case FT_ID:
    case FT_TIME:
        return sizeof(int64_t);
    case FT_INT:
    case FT_BOOL:
        return sizeof(int);
    case FT_NUM:
        return sizeof(double);
    case FT_TEXT:
    case FT_ENUM:
        return sizeof(const char *);
    case FT_IDS:
        return sizeof(struct field_ids);
    case FT_WORDS:
        return sizeof(struct field_words);
    case FT_HOURS:
        return sizeof(struct hours_week);
    case FT_CODE:
        return sizeof(int);
    case FT_LONG:
        return sizeof(int64_t);
    case FT_OBJECT:
        return f->ref ? f->ref->size : 0;
    case FT_LIST:
        return sizeof(void *);
    case FT_NONE:
        break;
    }
    return 0;
}

void field_copy(const struct shape *sh, void *dst, const void *src, uint64_t present)
{
    int i = 0;
    FIELD_FOR_EACH(f, sh)
    {
        if (present & (UINT64_C(1) << i))
            memcpy((char *)dst + f->offset, (const char *)src + f->offset, value_size(f));
        i++;
    }
}

/* ------------------------------------------------------------------ */
/* Text                                                                 */

/* The rules of text are text.c's (text.h says which characters and why);
 * these two keep field.h's names for the modules that call them. */
int field_text_ok(const char *s, size_t len, int multiline)
{
    return text_check(s, len, multiline) == TEXT_OK;
}

size_t field_chars(const char *s)
{
    return s ? text_chars(s, strlen(s)) : 0;
}

static int is_blank(const char *s)
{
    for (; s && *s; s++)
        if (!strchr(" \t\r\n", *s))
            return 0;
    return 1;
}

static int url_ok(const char *s)
{
    return (strncmp(s, "https://", 8) == 0 || strncmp(s, "http://", 7) == 0) &&
           !strpbrk(s, " \t\r\n\"<>") && strlen(s) >= 10;
}

/* ------------------------------------------------------------------ */
/* Checks                                                               */

static int cmp_word(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int check_words(const struct field *f, struct field_words *w, struct ls_err *err)
{
    if (f->max > 0 && w->n > (int)f->max)
        return ls_err_set(err, LS_EVALIDATION, f->name, "{field} holds at most %d items",
                          (int)f->max);
    for (int i = 0; i < w->n; i++) {
        const char *s = w->v[i];
        if (!s || is_blank(s) || field_chars(s) > FIELD_WORD_MAX || !field_text_ok(s, strlen(s), 0))
            return ls_err_set(err, LS_EVALIDATION, f->name,
                              "{field} must hold texts of 1 to %d characters on one line",
                              FIELD_WORD_MAX);
    }
    if ((f->flags & FF_SORTED) && w->n > 1) {
        qsort(w->v, (size_t)w->n, sizeof *w->v, cmp_word);
        int k = 0;
        for (int i = 0; i < w->n; i++)
            if (k == 0 || strcmp(w->v[i], w->v[k - 1]))
                w->v[k++] = w->v[i];
        w->n = k;
    }
    return LS_OK;
}

static int cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int check_text(const struct field *f, void *obj, int creating, struct ls_err *err)
{
    const char **v = FIELD_AT(obj, f, const char *);
    if (is_blank(*v)) {
        if (f->flags & FF_REQUIRED) {
            if (creating || *v)
                return ls_err_set(err, LS_EVALIDATION, f->name, "{field} is required");
        }
        if (f->flags & FF_NULLABLE) {
            *v = NULL;
            return LS_OK;
        }
        if (!*v)
            *v = "";
    }
    size_t len = strlen(*v);
    enum text_verdict tv = text_check(*v, len, (f->flags & FF_MULTILINE) != 0);
    if (tv == TEXT_INVISIBLE)
        return ls_err_set(err, LS_EVALIDATION, f->name,
                          "{field} must not contain invisible or text-direction characters");
    if (tv != TEXT_OK)
        return ls_err_set(err, LS_EVALIDATION, f->name,
                          (f->flags & FF_MULTILINE)
                              ? "{field} must be text without control characters"
                              : "{field} must be one line of text without control characters");
    if (f->max > 0 && field_chars(*v) > (size_t)f->max)
        return ls_err_set(err, LS_EVALIDATION, f->name, "{field} is longer than %d characters",
                          (int)f->max);
    if (f->min > 0 && field_chars(*v) < (size_t)f->min)
        return ls_err_set(err, LS_EVALIDATION, f->name, "{field} needs at least %d characters",
                          (int)f->min);
    if ((f->flags & FF_URL) && !url_ok(*v))
        return ls_err_set(err, LS_EVALIDATION, f->name,
                          "{field} must be an http:// or https:// address");
    return LS_OK;
}

static int check_number(const struct field *f, double v, struct ls_err *err)
{
    int low = (f->flags & FF_ABOVE_MIN) ? v <= f->min : v < f->min;
    if (!(f->min == 0 && f->max == 0) && (low || v > f->max)) {
        if (f->flags & FF_ABOVE_MIN)
            return ls_err_set(err, LS_EVALIDATION, f->name,
                              "{field} must be greater than %.10g and at most %.10g", f->min,
                              f->max);
        return ls_err_set(err, LS_EVALIDATION, f->name, "{field} must be between %.10g and %.10g",
                          f->min, f->max);
    }
    return LS_OK;
}

/* A nested object is a value as a whole: its required members apply as
 * when creating, and a failure names "parent.member". */
static int check_object(const struct field *f, void *obj, struct ls_err *err)
{
    int rc = field_check(f->ref, FIELD_AT(obj, f, char), 1, err);
    if (rc && err && err->field[0]) {
        char child[sizeof err->field];
        snprintf(child, sizeof child, "%s", err->field);
        field_path(err->field, sizeof err->field, f, child);
    }
    return rc;
}

int field_check_one(const struct field *f, void *obj, int creating, struct ls_err *err)
{
    switch (f->type) {
    case FT_ID: {
        int64_t v = *FIELD_AT(obj, f, int64_t);
        if (v < 0)
            return ls_err_set(err, LS_EVALIDATION, f->name, "{field} must be a positive id");
        if (v == 0 && (f->flags & FF_REQUIRED) && creating)
            return ls_err_set(err, LS_EVALIDATION, f->name, "{field} is required");
        return LS_OK;
    }
    case FT_INT:
        return check_number(f, *FIELD_AT(obj, f, int), err);
    case FT_NUM: {
        double v = *FIELD_AT(obj, f, double);
        if (isnan(v))
            return (f->flags & FF_NULLABLE)
                       ? LS_OK
                       : ls_err_set(err, LS_EVALIDATION, f->name, "{field} must be a number");
        if (!isfinite(v))
            return ls_err_set(err, LS_EVALIDATION, f->name, "{field} must be a number");
        return check_number(f, v, err);
    }
    case FT_BOOL: {
        int v = *FIELD_AT(obj, f, int);
        if (v != 0 && v != 1)
            return ls_err_set(err, LS_EVALIDATION, f->name, "{field} must be true or false");
        return LS_OK;
    }
    case FT_TEXT:
        return check_text(f, obj, creating, err);
    case FT_ENUM: {
        const char **v = FIELD_AT(obj, f, const char *);
        const char *known = field_choice(f->choices, *v);
        if (!known) {
            if (!*v && (f->flags & FF_NULLABLE))
                return LS_OK;
            if (!*v && (f->flags & FF_REQUIRED))
                return ls_err_set(err, LS_EVALIDATION, f->name, "{field} is required");
            struct arena a = {0};
            int rc = ls_err_set(err, LS_EVALIDATION, f->name, "{field} must be one of: %s",
                                field_choice_list(&a, f->choices));
            arena_release(&a);
            return rc;
        }
        *v = known;
        return LS_OK;
    }
    case FT_TIME:
        if (*FIELD_AT(obj, f, int64_t) == 0 && (f->flags & FF_REQUIRED) && creating)
            return ls_err_set(err, LS_EVALIDATION, f->name, "{field} is required");
        return LS_OK;
    case FT_IDS: {
        struct field_ids *ids = FIELD_AT(obj, f, struct field_ids);
        if (f->max > 0 && ids->n > (int)f->max)
            return ls_err_set(err, LS_EVALIDATION, f->name, "{field} holds at most %d items",
                              (int)f->max);
        for (int i = 0; i < ids->n; i++)
            if (ids->v[i] <= 0)
                return ls_err_set(err, LS_EVALIDATION, f->name,
                                  "{field} must hold positive whole numbers");
        if ((f->flags & FF_SORTED) && ids->n > 1) {
            qsort(ids->v, (size_t)ids->n, sizeof *ids->v, cmp_id);
            int k = 0;
            for (int i = 0; i < ids->n; i++)
                if (k == 0 || ids->v[i] != ids->v[k - 1])
                    ids->v[k++] = ids->v[i];
            ids->n = k;
        }
        return LS_OK;
    }
    case FT_WORDS:
        return check_words(f, FIELD_AT(obj, f, struct field_words), err);
    case FT_HOURS:
        return hours_normalise(FIELD_AT(obj, f, struct hours_week), err);
    case FT_CODE: {
        int v = *FIELD_AT(obj, f, int);
        int n = 0;
        while (f->choices && f->choices[n].value)
            n++;
        if (v < (int)f->min || v >= (int)f->min + n) {
            struct arena a = {0};
            int rc = ls_err_set(err, LS_EVALIDATION, f->name, "{field} must be one of: %s",
                                field_choice_list(&a, f->choices));
            arena_release(&a);
            return rc;
        }
        return LS_OK;
    }
    case FT_OBJECT:
        if (!f->ref || !f->ref->size || !field_object_present(f, obj))
            return LS_OK;
        return check_object(f, obj, err);
    case FT_LONG:
    case FT_LIST:
    case FT_NONE:
        break;
    }
    return LS_OK;
}

int field_check(const struct shape *sh, void *obj, int creating, struct ls_err *err)
{
    FIELD_FOR_EACH(f, sh)
    {
        if (f->flags & (FF_OUT | FF_JOIN))
            continue;
        int rc = field_check_one(f, obj, creating, err);
        if (rc)
            return rc;
    }
    return LS_OK;
}
