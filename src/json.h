/* json.h — typed access to JSON request bodies, for the api_* layer.
 *
 * Request bodies are parsed here and read into typed structs through their
 * field tables (api_field.h). Domain modules never see cJSON. */
#ifndef LS_JSON_H
#define LS_JSON_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "arena.h"
#include "err.h"

/* Maximum nesting accepted in request bodies (cJSON's own limit is 1000). */
#define JSON_MAX_DEPTH 32

/* Parses a request body. Malformed JSON, a non-object top level or nesting
 * deeper than JSON_MAX_DEPTH is LS_EBADREQ with the byte offset in the
 * message. The caller owns *out (cJSON_Delete). */
int json_parse_object(cJSON **out, const char *body, size_t len, struct ls_err *err);

/* A positive whole number at obj.name: 422 naming it when absent (if
 * required), not a number, or outside [min, max]. (Bodies are read through
 * their field tables, api_field.h; this serves the dispatcher, which reads
 * the id of the object a create names before the body's shape.) */
int json_int(const cJSON *obj, const char *name, int required, int64_t min, int64_t max,
             int64_t *out, int *present, struct ls_err *err);

/* RFC 3339 UTC, "…Z". */
void json_add_time(cJSON *obj, const char *name, int64_t t);

#endif
