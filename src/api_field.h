/* api_field.h — field tables (field.h) meet the HTTP layer: request bodies
 * and query strings read into structs, structs written as JSON, and the
 * OpenAPI schema of a shape. What the API accepts, answers and documents
 * therefore comes from one table and cannot drift apart. */
#ifndef LS_API_FIELD_H
#define LS_API_FIELD_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "field.h"

/* Reads a JSON object into obj (which holds defaults, or the loaded object
 * for a change: absent members leave it alone), in the API's order of
 * checks: a member the shape does not know, or an output-only one, is a 422
 * naming it; a staff-only member from anyone else is a 403; then each field
 * in table order is converted and checked (field_check_one), and with
 * `creating` a missing FF_REQUIRED field is a 422. Fields named in `skip`
 * (NULL-terminated, may be NULL) are neither read nor refused: the caller
 * has read them already. Bit i of *present is set for each field i read.
 * Strings are copied into the arena. */
int api_field_read(const struct shape *sh, const cJSON *json, int creating, int staff,
                   const char *const *skip, struct arena *a, void *obj, uint64_t *present,
                   struct ls_err *err);

/* The query parameters of a shape (FF_OUT fields are not parameters), each
 * fetched by get(ctx, name) (decoded, or NULL when absent): an empty value
 * counts as absent; bad values are a 422 naming the parameter. Instants take
 * RFC 3339 or a bare date (its local midnight). */
typedef const char *(*api_field_getter)(void *ctx, const char *name);
int api_field_query(const struct shape *sh, api_field_getter get, void *ctx, struct arena *a,
                    void *obj, uint64_t *present, struct ls_err *err);

/* An RFC 3339 instant or a bare date from a query string ('+' may have
 * become a space); TU_* status. */
int api_field_parse_time(const char *s, struct arena *a, int64_t *out);

/* The JSON of obj: every field but FF_IN ones. Caller owns the result. */
cJSON *api_field_json(const struct shape *sh, const void *obj);

/* Schemas for OpenAPI 3.1, caller owns them. */
enum api_schema_mode {
    SCHEMA_ANSWER, /* every field; readOnly/writeOnly marked; required = always present */
    SCHEMA_CREATE, /* what a create body accepts; required = FF_REQUIRED */
    SCHEMA_CHANGE, /* what a change body accepts; nothing required */
};
cJSON *api_field_schema(const struct shape *sh, enum api_schema_mode mode);
/* One OpenAPI parameter object per query parameter of the shape, appended
 * to the array. */
void api_field_params(const struct shape *sh, cJSON *parameters);

/* The label of a shape's field in a language, or NULL. */
const char *api_field_label(const struct shape *sh, const char *name, enum msg_lang lang);

#endif
