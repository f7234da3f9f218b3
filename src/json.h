/* json.h — typed access to JSON request bodies, for the api_* layer.
 *
 * Every getter validates one field and, on failure, fills *err with a 422
 * naming that field. A missing optional field leaves *out untouched and sets
 * *present (when given) to 0, so callers pre-load defaults. Domain modules
 * never see cJSON: api_<noun>.c turns a body into a typed struct with these. */
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

/* 422 on the first member of obj whose name is not in the NULL-terminated
 * list `allowed` (the API rejects unknown fields). */
int json_only(const cJSON *obj, const char *const *allowed, struct ls_err *err);

/* Strings: NULL-valued members are refused unless nullable (then *out = NULL).
 * Strings are copied into the arena, checked by text_check() (text.h:
 * UTF-8, no control characters but tab and line breaks, no direction
 * controls or invisible characters), and hold at most maxlen characters
 * (code points, not bytes). With required, an empty (all-blank) string is
 * refused too. */
int json_string(const cJSON *obj, const char *name, int required, int nullable, size_t maxlen,
                struct arena *a, const char **out, int *present, struct ls_err *err);
int json_int(const cJSON *obj, const char *name, int required, int64_t min, int64_t max,
             int64_t *out, int *present, struct ls_err *err);
int json_number(const cJSON *obj, const char *name, int required, int nullable, double min,
                double max, double *out, int *is_null, int *present, struct ls_err *err);
int json_bool(const cJSON *obj, const char *name, int required, int *out, int *present,
              struct ls_err *err);
/* RFC 3339 instant (see tu_parse) → seconds UTC. */
int json_time(const cJSON *obj, const char *name, int required, int64_t *out, int *present,
              struct ls_err *err);
/* One of a NULL-terminated list of words; *out points into `choices`. */
int json_enum(const cJSON *obj, const char *name, int required, const char *const *choices,
              const char **out, int *present, struct ls_err *err);

/* Output helpers. */
void json_add_time(cJSON *obj, const char *name, int64_t t); /* RFC 3339 UTC, "…Z" */
void json_add_time_or_null(cJSON *obj, const char *name, int64_t t, int is_null);
void json_add_id_or_null(cJSON *obj, const char *name, int64_t id); /* 0 → null */
void json_add_str_or_null(cJSON *obj, const char *name, const char *s);

/* text_check() (text.h) == TEXT_OK: valid UTF-8 without control, direction
 * or invisible characters (\t \n \r allowed when multiline). 1 if fine. */
int json_text_ok(const char *s, size_t len, int multiline);

#endif
