/* field.h — objects described once, as data.
 *
 * A shape is a table of fields describing one C struct that the API reads
 * or writes: a catalogue type (struct lab), a request body (struct
 * booking_request), the query parameters of a list (struct lab_filter) or an
 * answer. Each field says its JSON name, where its value sits in the struct,
 * its type, limits, enumeration, default, who may write it, the SQL that
 * stores or filters it, and its label in English and Polish.
 *
 * From one table the code derives everything that used to be written by
 * hand for every field: the SQL column lists with named parameters and the
 * row reader (catalogue.c), the checks of a value (field_check, here), JSON
 * in and out and the query-string reader (api_field.c), the OpenAPI schema
 * (openapi.c), and through the OpenAPI document the browser's forms.
 *
 * Adding a member to a catalogue type is therefore one line in its table
 * (plus the struct member and a migration): see docs/ARCHITECTURE.md.
 *
 * Domain code: no civetweb, no cJSON. */
#ifndef LS_FIELD_H
#define LS_FIELD_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "err.h"
#include "msg.h"

/* How a value is held in the described struct. */
enum field_type {
    FT_NONE = 0, /* ends a table */
    FT_ID,       /* int64_t: a positive id; 0 = null */
    FT_INT,      /* int */
    FT_NUM,      /* double; NAN = null */
    FT_BOOL,     /* int, 0 or 1 */
    FT_TEXT,     /* const char *; NULL = null (FF_NULLABLE only) */
    FT_ENUM,     /* const char *, pointing at one of .choices' values */
    FT_TIME,     /* int64_t seconds UTC, RFC 3339 in JSON; 0 = null */
    FT_IDS,      /* struct field_ids: a set of ids (a link table in SQL) */
    FT_HOURS,    /* struct hours_week: weekly opening windows */
    FT_CODE,     /* int: a state held as a number, named by .choices[value - min] */
    FT_LONG,     /* int64_t: a count or a sequence number (0 is 0, not null) */
    FT_OBJECT,   /* a nested struct of shape .ref, at .offset (documented only when
                    .ref is NULL: an object whose keys the data chooses). A value as a
                    whole: given in a body, it replaces the nested struct (members not
                    given take their defaults). With FF_NULLABLE, a struct of zero bytes
                    is null (so a present one must hold a non-zero member: a required
                    text or enumeration). Stored in the row as the nested fields' own
                    .column names */
    FT_LIST,     /* a pointer at .offset to an array of .ref-shaped structs, with
                    an int count at .count (documented only when .ref is NULL: rows
                    of numbers) */
    FT_WORDS,    /* struct field_words: short one-line texts (FIELD_WORD_MAX characters
                    each; .max = most items), stored in .link like FT_IDS */
};

enum {
    FF_REQUIRED = 1u << 0,  /* must be given when creating (text: not blank) */
    FF_NULLABLE = 1u << 1,  /* null accepted (text: blank reads as null) */
    FF_OUT = 1u << 2,       /* answered, never accepted: sending it is a 422 "read-only" */
    FF_IN = 1u << 3,        /* accepted, never answered (a password, an RRULE) */
    FF_STAFF = 1u << 4,     /* only staff may set or change it (403) */
    FF_MULTILINE = 1u << 5, /* text may hold line breaks and tabs */
    FF_JOIN = 1u << 6,      /* .column is an expression over the type's joins: read only */
    FF_URL = 1u << 7,       /* text must be an http:// or https:// address */
    FF_ABOVE_MIN = 1u << 8, /* numbers: strictly greater than .min */
    FF_PARENT = 1u << 9,    /* the id of the object whose organisation owns this one:
                               creating needs the right to manage it; a change must
                               keep the same owning organisation */
    FF_TERMS = 1u << 10,    /* filters: folded search words matched against `search` */
    FF_SORTED = 1u << 11,   /* FT_IDS, FT_WORDS: kept sorted and unique */
};

/* One word of an enumeration and how people read it. */
struct field_choice {
    const char *value;             /* the API's word */
    const char *label[MSG_NLANGS]; /* English, Polish */
};

/* A set of ids held in the struct (an FT_IDS value). */
struct field_ids {
    int n;
    int64_t *v; /* arena or caller memory */
};

/* A set of short texts held in the struct (an FT_WORDS value). */
struct field_words {
    int n;
    const char **v; /* arena or caller memory */
};
#define FIELD_WORD_MAX 255

/* Where an FT_IDS or FT_WORDS value is stored: link(owner_column, item_column). */
struct field_link {
    const char *table; /* "service_resources" */
    const char *owner; /* column naming the object: "service_id" */
    const char *item;  /* column naming the member: "resource_id" */
};

struct shape;

struct field {
    const char *name; /* JSON member or query parameter */
    enum field_type type;
    unsigned flags; /* FF_* */
    size_t offset;  /* of the value in the described struct */
    /* Catalogue types: the column of the type's table, or with FF_JOIN an
     * expression over its FROM clause. Filters: a condition using the
     * parameter :<name> (absent parameters are bound NULL and must make the
     * condition true). NULL = not stored in the row. */
    const char *column;
    double min, max;                    /* numbers: inclusive bounds (see FF_ABOVE_MIN); text: most
                                           characters; FT_IDS: most items. 0, 0 = no bound */
    const struct field_choice *choices; /* FT_ENUM: ends with a NULL value */
    const char *def;                    /* default, as JSON text ("30", "true", "\"\"",
                                           "null"); NULL: none (0, "" or null) */
    const char *label[MSG_NLANGS];      /* as forms label it: English, Polish */
    const char *help;                   /* one line for the API description; may be NULL */
    const struct shape *ref;            /* FT_ID/FT_IDS: the type the ids name;
                                           FT_OBJECT/FT_LIST: the nested shape */
    const struct field_link *link;      /* FT_IDS, FT_WORDS: where the set is stored */
    size_t count;                       /* FT_LIST: offset of the int count */
};

/* A described struct. */
struct shape {
    const char *name;             /* OpenAPI component: "Lab"; NULL = inline */
    const struct field *fields;   /* ends with a FT_NONE entry */
    size_t size;                  /* sizeof the struct; 0 = documentation only */
    const char *noun[MSG_NLANGS]; /* "lab", "laboratorium": for messages */
    const char *help;             /* for the API description */
};

/* Field-line helpers: F(struct, member, "json", TYPE, flags, ...) keeps a
 * table to one line a field. The rest of a line is designated
 * initialisers: .column, .min, .max, .choices, .def, .label, .help, .ref. */
#define FIELD(st, member, json, ft, fl, ...)                                                       \
    {                                                                                              \
        .name = (json), .type = (ft), .flags = (fl), .offset = offsetof(st, member), __VA_ARGS__   \
    }
#define LABEL(en, pl) .label = {(en), (pl)}
#define FIELD_END                                                                                  \
    {                                                                                              \
        .type = FT_NONE                                                                            \
    }

/* Fields of a shape, and lookups. */
#define FIELD_FOR_EACH(f, sh) for (const struct field *f = (sh)->fields; f->type != FT_NONE; f++)
int field_count(const struct shape *sh);
const struct field *field_find(const struct shape *sh, const char *name);
int field_index(const struct shape *sh, const struct field *f); /* for presence masks */
/* The presence bit of the field `name` (0 when the shape has none). */
uint64_t field_bit(const struct shape *sh, const char *name);

/* A nested field's name as errors give it: "prices.internal" (the
 * parent's name, a dot, the member's). Writes into out (size n). */
void field_path(char *out, size_t n, const struct field *parent, const char *child);

/* Whether a FT_OBJECT value is there (always, unless FF_NULLABLE and its
 * struct is all zero bytes); clearing a nullable one zeroes its struct. */
int field_object_present(const struct field *f, const void *obj);
void field_object_clear(const struct field *f, void *obj);

/* Typed access to a field's value inside its struct. */
#define FIELD_AT(obj, f, T) ((T *)(void *)((char *)(obj) + (f)->offset))
#define FIELD_CAT(obj, f, T) ((const T *)(const void *)((const char *)(obj) + (f)->offset))

/* Fills obj (sh->size bytes) with each field's default: zero, "" for text
 * that is not nullable, NAN for nullable numbers, the .def value where one
 * is given. Strings point at static storage. */
void field_defaults(const struct shape *sh, void *obj);

/* The default of one field, parsed from .def (static or arena storage). */
int field_default_bool(const struct field *f);

/* Copies the fields whose bit is set in `present` (bit i = field i) from
 * src to dst. Pointers are shared, not duplicated. */
void field_copy(const struct shape *sh, void *dst, const void *src, uint64_t present);

/* Checks every value of obj against its field: enumeration, bounds, text
 * (text_check() of text.h: valid UTF-8, no control characters but line
 * breaks where FF_MULTILINE, no direction controls or invisible
 * characters; at most .max characters), required fields, URLs, nested
 * objects (each member checked as a whole value, with FF_REQUIRED; a
 * failure names "parent.member"). Blank nullable text becomes NULL. The
 * first failure is a 422 naming the field. `creating` makes FF_REQUIRED
 * apply. */
int field_check(const struct shape *sh, void *obj, int creating, struct ls_err *err);

/* One value's checks (used by field_check and by readers of JSON and query
 * strings, which check as they read). */
int field_check_one(const struct field *f, void *obj, int creating, struct ls_err *err);

/* Text checks shared with readers that have no field: text_check()
 * (text.h) — UTF-8, control characters (line breaks allowed when
 * multiline), bidirectional overrides, isolates and marks, zero-width and
 * other invisible characters. 1 if fine. */
int field_text_ok(const char *s, size_t len, int multiline);
/* Characters (code points) of valid UTF-8. */
size_t field_chars(const char *s);

/* Whether the choice list holds `value`; returns the list's own pointer or
 * NULL. */
const char *field_choice(const struct field_choice *choices, const char *value);
/* "a, b, c" of a choice list, into the arena. */
const char *field_choice_list(struct arena *a, const struct field_choice *choices);

#endif
