/* catalogue.c — see catalogue.h. */
#include "catalogue.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "timeutil.h"

const char *const catalogue_groups[] = {"BioF", "BIZ", "MED", "R&D", "EDU", "GOV", NULL};
const char *const catalogue_packages[] = {"standard", "silver", "gold", "none", NULL};
const char *const catalogue_kinds[] = {"commercial", "scientific", "teaching",
                                       "office",     "coworking",  NULL};
const char *const catalogue_types[] = {"room", "instrument", "desk", NULL};

/* ------------------------------------------------------------------ */
/* SQL                                                                  */

static const char SQL_RULES[] =
    "SELECT r.id, r.lab_id, l.organisation_id, r.shared, r.requires_approval,"
    "       r.requires_training, r.slot_minutes, r.min_minutes, r.max_minutes, r.power_kw"
    " FROM resources r JOIN labs l ON l.id = r.lab_id WHERE r.id = ?1";
static const char SQL_HOURS_GET[] =
    "SELECT weekday, open_min, close_min FROM opening_hours WHERE resource_id = ?1"
    " ORDER BY weekday, open_min";
static const char SQL_HOURS_DELETE[] = "DELETE FROM opening_hours WHERE resource_id = ?1";
static const char SQL_HOURS_INSERT[] =
    "INSERT INTO opening_hours(resource_id, weekday, open_min, close_min) VALUES (?1, ?2, ?3, ?4)";
static const char SQL_TRAINED[] = "SELECT 1 FROM training WHERE resource_id = ?1 AND user_id = ?2";

/* Organisations */
#define ORG_COLS                                                                                   \
    "o.id, o.name, o.short_name, o.grp, o.package, o.member, o.city, o.website, o.description,"    \
    " o.created, o.updated"
static const char SQL_ORG_GET[] = "SELECT " ORG_COLS " FROM organisations o WHERE o.id = ?1";
static const char SQL_ORG_EXISTS[] = "SELECT 1 FROM organisations WHERE id = ?1";
static const char SQL_ORG_INSERT[] =
    "INSERT INTO organisations(name, short_name, grp, package, member, city, website,"
    " description, search, created, updated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)";
/* updated is strictly increasing even for two writes within one second. */
static const char SQL_ORG_UPDATE[] =
    "UPDATE organisations SET name = ?1, short_name = ?2, grp = ?3, package = ?4, member = ?5,"
    " city = ?6, website = ?7, description = ?8, search = ?9, updated = max(?10, updated + 1)"
    " WHERE id = ?11 RETURNING updated";
#define ORG_WHERE                                                                                  \
    " WHERE (?1 IS NULL OR o.grp = ?1) AND (?2 IS NULL OR o.package = ?2)"                         \
    " AND (?3 < 0 OR o.member = ?3) AND (?4 IS NULL OR o.city = ?4 COLLATE NOCASE)"                \
    " AND (?5 IS NULL OR o.search GLOB ?5) AND (?6 IS NULL OR o.search GLOB ?6)"                   \
    " AND (?7 IS NULL OR o.search GLOB ?7) AND (?8 IS NULL OR o.search GLOB ?8)"                   \
    " AND (?9 IS NULL OR o.search GLOB ?9) AND (?10 IS NULL OR o.search GLOB ?10)"
static const char SQL_ORG_LIST[] = "SELECT " ORG_COLS " FROM organisations o" ORG_WHERE
                                   " ORDER BY o.search, o.id LIMIT ?11 OFFSET ?12";
static const char SQL_ORG_COUNT[] = "SELECT count(*) FROM organisations o" ORG_WHERE;
static const char SQL_ORG_LABS[] = "SELECT count(*) FROM labs WHERE organisation_id = ?1";
static const char SQL_ORG_USERS[] = "SELECT count(*) FROM users WHERE organisation_id = ?1";
static const char SQL_ORG_BOOKINGS[] = "SELECT count(*) FROM bookings WHERE organisation_id = ?1";
static const char SQL_ORG_DEL_SERVICES[] = "DELETE FROM services WHERE organisation_id = ?1";
static const char SQL_ORG_DELETE[] = "DELETE FROM organisations WHERE id = ?1";

/* Labs */
#define LAB_COLS                                                                                   \
    "l.id, l.organisation_id, l.name, l.kind, l.area_m2, l.energy_kwh_per_m2_year, l.building,"    \
    " l.address, l.city, l.biosafety_level, l.description, l.created, l.updated, o.name,"          \
    " (SELECT count(*) FROM resources x WHERE x.lab_id = l.id)"
static const char SQL_LAB_GET[] = "SELECT " LAB_COLS " FROM labs l JOIN organisations o"
                                  " ON o.id = l.organisation_id WHERE l.id = ?1";
static const char SQL_LAB_ORG[] = "SELECT organisation_id FROM labs WHERE id = ?1";
static const char SQL_LAB_INSERT[] =
    "INSERT INTO labs(organisation_id, name, kind, area_m2, energy_kwh_per_m2_year, building,"
    " address, city, biosafety_level, description, search, created, updated)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, '', ?11, ?11)";
static const char SQL_LAB_UPDATE[] =
    "UPDATE labs SET organisation_id = ?1, name = ?2, kind = ?3, area_m2 = ?4,"
    " energy_kwh_per_m2_year = ?5, building = ?6, address = ?7, city = ?8, biosafety_level = ?9,"
    " description = ?10, updated = max(?11, updated + 1) WHERE id = ?12 RETURNING updated";
#define LAB_WHERE                                                                                  \
    " WHERE (?1 IS NULL OR l.organisation_id = ?1) AND (?2 IS NULL OR l.kind = ?2)"                \
    " AND (?3 IS NULL OR coalesce(l.city, o.city) = ?3 COLLATE NOCASE)"                            \
    " AND (?4 IS NULL OR o.grp = ?4)"                                                              \
    " AND (?5 IS NULL OR l.search GLOB ?5) AND (?6 IS NULL OR l.search GLOB ?6)"                   \
    " AND (?7 IS NULL OR l.search GLOB ?7) AND (?8 IS NULL OR l.search GLOB ?8)"                   \
    " AND (?9 IS NULL OR l.search GLOB ?9) AND (?10 IS NULL OR l.search GLOB ?10)"
static const char SQL_LAB_LIST[] =
    "SELECT " LAB_COLS " FROM labs l JOIN organisations o ON o.id = l.organisation_id" LAB_WHERE
    " ORDER BY l.search, l.id LIMIT ?11 OFFSET ?12";
static const char SQL_LAB_COUNT[] =
    "SELECT count(*) FROM labs l JOIN organisations o ON o.id = l.organisation_id" LAB_WHERE;
static const char SQL_LAB_BOOKINGS[] =
    "SELECT count(*) FROM bookings b JOIN resources r ON r.id = b.resource_id WHERE r.lab_id = ?1";
static const char SQL_LAB_DEL_RESOURCES[] = "DELETE FROM resources WHERE lab_id = ?1";
static const char SQL_LAB_DELETE[] = "DELETE FROM labs WHERE id = ?1";
/* Search text of labs, refreshed when a lab or its organisation changes. */
static const char SQL_LAB_SEARCH_SRC[] =
    "SELECT l.id, l.name, l.building, l.address, coalesce(l.city, o.city), l.description,"
    "       o.name, o.short_name"
    " FROM labs l JOIN organisations o ON o.id = l.organisation_id"
    " WHERE (?1 = 0 OR l.id = ?1) AND (?2 = 0 OR l.organisation_id = ?2)";
static const char SQL_LAB_SEARCH_SET[] = "UPDATE labs SET search = ?1 WHERE id = ?2";
static const char SQL_ORG_SEARCH_SRC[] =
    "SELECT id, name, short_name, city, description FROM organisations";
static const char SQL_ORG_SEARCH_SET[] = "UPDATE organisations SET search = ?1 WHERE id = ?2";

/* Resources */
#define RES_COLS                                                                                   \
    "r.id, r.lab_id, r.type, r.name, r.category, r.description, r.shared, r.requires_approval,"    \
    " r.requires_training, r.power_kw, r.standby_kw, r.slot_minutes, r.min_minutes,"               \
    " r.max_minutes, r.created, r.updated, l.organisation_id, l.name, o.name, o.short_name,"       \
    " coalesce(l.city, o.city), l.biosafety_level"
#define RES_FROM                                                                                   \
    " FROM resources r JOIN labs l ON l.id = r.lab_id JOIN organisations o"                        \
    " ON o.id = l.organisation_id"
static const char SQL_RES_GET[] = "SELECT " RES_COLS RES_FROM " WHERE r.id = ?1";
static const char SQL_RES_INSERT[] =
    "INSERT INTO resources(lab_id, type, name, category, description, shared, requires_approval,"
    " requires_training, power_kw, standby_kw, slot_minutes, min_minutes, max_minutes, search,"
    " created, updated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, '', ?14,"
    " ?14)";
static const char SQL_RES_UPDATE[] =
    "UPDATE resources SET lab_id = ?1, type = ?2, name = ?3, category = ?4, description = ?5,"
    " shared = ?6, requires_approval = ?7, requires_training = ?8, power_kw = ?9,"
    " standby_kw = ?10, slot_minutes = ?11, min_minutes = ?12, max_minutes = ?13,"
    " updated = max(?14, updated + 1) WHERE id = ?15 RETURNING updated";
static const char SQL_RES_TOUCH[] =
    "UPDATE resources SET updated = max(?1, updated + 1) WHERE id = ?2";
static const char SQL_RES_ORG[] =
    "SELECT l.organisation_id FROM resources r JOIN labs l ON l.id = r.lab_id WHERE r.id = ?1";
/* A span is free when no approved booking and no blackout overlaps it
 * (half-open spans; both tables are indexed by resource and start). */
#define RES_WHERE                                                                                  \
    " WHERE (?1 IS NULL OR r.lab_id = ?1) AND (?2 IS NULL OR l.organisation_id = ?2)"              \
    " AND (?3 IS NULL OR r.type = ?3) AND (?4 IS NULL OR r.category = ?4 COLLATE NOCASE)"          \
    " AND (?5 IS NULL OR coalesce(l.city, o.city) = ?5 COLLATE NOCASE)"                            \
    " AND (?6 IS NULL OR o.grp = ?6) AND (?7 IS NULL OR l.kind = ?7)"                              \
    " AND (?8 < 0 OR r.shared = ?8) AND (?9 < 0 OR r.requires_approval = ?9)"                      \
    " AND l.biosafety_level >= ?10"                                                                \
    " AND (?11 IS NULL OR (NOT EXISTS (SELECT 1 FROM bookings b WHERE b.resource_id = r.id"        \
    "      AND b.status = 'approved' AND b.start < ?12 AND b.end > ?11)"                           \
    "  AND NOT EXISTS (SELECT 1 FROM blackouts x WHERE x.resource_id = r.id"                       \
    "      AND x.start < ?12 AND x.end > ?11)))"                                                   \
    " AND (?13 IS NULL OR r.search GLOB ?13) AND (?14 IS NULL OR r.search GLOB ?14)"               \
    " AND (?15 IS NULL OR r.search GLOB ?15) AND (?16 IS NULL OR r.search GLOB ?16)"               \
    " AND (?17 IS NULL OR r.search GLOB ?17) AND (?18 IS NULL OR r.search GLOB ?18)"
static const char SQL_RES_LIST[] =
    "SELECT " RES_COLS RES_FROM RES_WHERE " ORDER BY r.search, r.id LIMIT ?19 OFFSET ?20";
static const char SQL_RES_COUNT[] = "SELECT count(*)" RES_FROM RES_WHERE;
static const char SQL_RES_BOOKINGS[] = "SELECT count(*) FROM bookings WHERE resource_id = ?1";
static const char SQL_RES_DELETE[] = "DELETE FROM resources WHERE id = ?1";
static const char SQL_RES_SEARCH_SRC[] =
    "SELECT r.id, r.name, r.category, r.description, l.name, o.name, o.short_name,"
    "       coalesce(l.city, o.city)"
    " FROM resources r JOIN labs l ON l.id = r.lab_id JOIN organisations o"
    " ON o.id = l.organisation_id"
    " WHERE (?1 = 0 OR r.id = ?1) AND (?2 = 0 OR r.lab_id = ?2) AND (?3 = 0 OR l.organisation_id = "
    "?3)";
static const char SQL_RES_SEARCH_SET[] = "UPDATE resources SET search = ?1 WHERE id = ?2";

/* Blackouts */
static const char SQL_BO_GET[] =
    "SELECT id, resource_id, start, end, reason, created, coalesce(source_id, 0), uid"
    " FROM blackouts WHERE id = ?1";
static const char SQL_BO_INSERT[] =
    "INSERT INTO blackouts(resource_id, start, end, reason, created) VALUES (?1, ?2, ?3, ?4, ?5)";
static const char SQL_BO_DELETE[] = "DELETE FROM blackouts WHERE id = ?1 RETURNING resource_id";
#define BO_WHERE                                                                                   \
    " WHERE resource_id = ?1 AND (?2 IS NULL OR end > ?2) AND (?3 IS NULL OR start < ?3)"
static const char SQL_BO_LIST[] =
    "SELECT id, resource_id, start, end, reason, created, coalesce(source_id, 0), uid"
    " FROM blackouts" BO_WHERE " ORDER BY start, id LIMIT ?4 OFFSET ?5";
static const char SQL_BO_COUNT[] = "SELECT count(*) FROM blackouts" BO_WHERE;

/* Services */
#define SVC_COLS "s.id, s.organisation_id, s.name, s.description, s.created, s.updated, o.name"
static const char SQL_SVC_GET[] = "SELECT " SVC_COLS " FROM services s JOIN organisations o"
                                  " ON o.id = s.organisation_id WHERE s.id = ?1";
static const char SQL_SVC_RESOURCES[] =
    "SELECT resource_id FROM service_resources WHERE service_id = ?1 ORDER BY resource_id";
static const char SQL_SVC_INSERT[] =
    "INSERT INTO services(organisation_id, name, description, search, created, updated)"
    " VALUES (?1, ?2, ?3, '', ?4, ?4)";
static const char SQL_SVC_UPDATE[] =
    "UPDATE services SET organisation_id = ?1, name = ?2, description = ?3,"
    " updated = max(?4, updated + 1) WHERE id = ?5 RETURNING updated";
static const char SQL_SVC_LINKS_DELETE[] = "DELETE FROM service_resources WHERE service_id = ?1";
static const char SQL_SVC_LINK_INSERT[] =
    "INSERT OR IGNORE INTO service_resources(service_id, resource_id) VALUES (?1, ?2)";
static const char SQL_SVC_DELETE[] = "DELETE FROM services WHERE id = ?1";
#define SVC_WHERE                                                                                  \
    " WHERE (?1 IS NULL OR s.organisation_id = ?1)"                                                \
    " AND (?2 IS NULL OR EXISTS (SELECT 1 FROM service_resources sr WHERE sr.service_id = s.id"    \
    "      AND sr.resource_id = ?2))"                                                              \
    " AND (?3 IS NULL OR s.search GLOB ?3) AND (?4 IS NULL OR s.search GLOB ?4)"                   \
    " AND (?5 IS NULL OR s.search GLOB ?5) AND (?6 IS NULL OR s.search GLOB ?6)"                   \
    " AND (?7 IS NULL OR s.search GLOB ?7) AND (?8 IS NULL OR s.search GLOB ?8)"
static const char SQL_SVC_LIST[] =
    "SELECT " SVC_COLS " FROM services s JOIN organisations o ON o.id = s.organisation_id" SVC_WHERE
    " ORDER BY s.search, s.id LIMIT ?9 OFFSET ?10";
static const char SQL_SVC_COUNT[] = "SELECT count(*) FROM services s" SVC_WHERE;
static const char SQL_SVC_SEARCH_SRC[] =
    "SELECT s.id, s.name, s.description, o.name, o.short_name"
    " FROM services s JOIN organisations o ON o.id = s.organisation_id"
    " WHERE (?1 = 0 OR s.id = ?1) AND (?2 = 0 OR s.organisation_id = ?2)";
static const char SQL_SVC_SEARCH_SET[] = "UPDATE services SET search = ?1 WHERE id = ?2";

/* Training */
static const char SQL_USER_EXISTS[] = "SELECT 1 FROM users WHERE id = ?1";
static const char SQL_TRAIN_INSERT[] =
    "INSERT OR IGNORE INTO training(resource_id, user_id, granted_by, granted_at)"
    " VALUES (?1, ?2, ?3, ?4)";
static const char SQL_TRAIN_DELETE[] =
    "DELETE FROM training WHERE resource_id = ?1 AND user_id = ?2";
static const char SQL_TRAIN_LIST[] =
    "SELECT t.resource_id, t.user_id, u.name, u.email, t.granted_by, t.granted_at"
    " FROM training t JOIN users u ON u.id = t.user_id WHERE t.resource_id = ?1"
    " ORDER BY u.name COLLATE NOCASE, u.id LIMIT ?2 OFFSET ?3";
static const char SQL_TRAIN_COUNT[] = "SELECT count(*) FROM training WHERE resource_id = ?1";

/* ------------------------------------------------------------------ */
/* Small helpers                                                        */

/* Runs in the caller's transaction when one is open, else in its own. */
static int tx_begin(struct db *db, int *own, struct ls_err *err)
{
    *own = sqlite3_get_autocommit(db_handle(db));
    return *own ? db_begin_write(db, err) : LS_OK;
}

static int tx_end(struct db *db, int own, int rc, struct ls_err *err)
{
    if (!own)
        return rc;
    if (rc == LS_OK)
        return db_commit(db, err);
    db_rollback(db);
    return rc;
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

static void bind_id(sqlite3_stmt *st, int i, int64_t id)
{
    if (id > 0)
        sqlite3_bind_int64(st, i, id);
    else
        sqlite3_bind_null(st, i);
}

static const char *col_str(sqlite3_stmt *st, int i, struct arena *a)
{
    if (sqlite3_column_type(st, i) == SQLITE_NULL)
        return NULL;
    return arena_strdup(a, (const char *)sqlite3_column_text(st, i));
}

static const char *col_text(sqlite3_stmt *st, int i, struct arena *a)
{
    const char *s = col_str(st, i, a);
    return s ? s : "";
}

/* A single integer from a one-row query with one id bound; -1 on error. */
static int64_t count_by_id(struct db *db, const char *sql, int64_t id)
{
    sqlite3_stmt *st = db_stmt(db, sql);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    int64_t n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_reset(st);
    return n;
}

static int exists_by_id(struct db *db, const char *sql, int64_t id)
{
    return id > 0 && count_by_id(db, sql, id) > 0;
}

/* Steps an UPDATE … RETURNING updated: 404 when no row matched. */
static int step_returning(struct db *db, sqlite3_stmt *st, int64_t *updated, struct ls_err *err)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *updated = sqlite3_column_int64(st, 0);
        rc = sqlite3_step(st);
    } else if (rc == SQLITE_DONE) {
        sqlite3_reset(st);
        return ls_err_set(err, LS_ENOTFOUND, NULL, "no such object");
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? LS_OK : db_fail(db, rc, err);
}

static int is_blank(const char *s)
{
    if (!s)
        return 1;
    for (; *s; s++)
        if (!isspace((unsigned char)*s))
            return 0;
    return 1;
}

static int in_list(const char *s, const char *const *list)
{
    for (; s && *list; list++)
        if (strcmp(s, *list) == 0)
            return 1;
    return 0;
}

static int check_required(const char *s, size_t max, const char *field, struct ls_err *err)
{
    if (is_blank(s))
        return ls_err_set(err, LS_EVALIDATION, field, "'%s' is required", field);
    if (strlen(s) > max)
        return ls_err_set(err, LS_EVALIDATION, field, "'%s' is longer than %zu bytes", field, max);
    return LS_OK;
}

static int check_optional(const char *s, size_t max, const char *field, struct ls_err *err)
{
    if (s && strlen(s) > max)
        return ls_err_set(err, LS_EVALIDATION, field, "'%s' is longer than %zu bytes", field, max);
    return LS_OK;
}

static int check_enum(const char *s, const char *const *list, const char *field, struct ls_err *err)
{
    if (in_list(s, list))
        return LS_OK;
    char words[160] = "";
    for (const char *const *w = list; *w; w++) {
        strncat(words, *w, sizeof words - strlen(words) - 1);
        if (w[1])
            strncat(words, ", ", sizeof words - strlen(words) - 1);
    }
    return ls_err_set(err, LS_EVALIDATION, field, "'%s' must be one of: %s", field, words);
}

/* Blank optional text is stored as NULL ("unknown"), not as "". */
static const char *null_if_blank(const char *s)
{
    return is_blank(s) ? NULL : s;
}

/* ------------------------------------------------------------------ */
/* Folding for search                                                   */

/* U+00C0..U+00FF and U+0100..U+017F to an ASCII letter; '.' = keep. */
static const char FOLD_LATIN1[] = "aaaaaa.ceeeeiiiidnooooo.ouuuuy.."
                                  "aaaaaa.ceeeeiiiidnooooo.ouuuuy.y";
static const char FOLD_EXT_A[] = "aaaaaa"
                                 "cccccccc"
                                 "dddd"
                                 "eeeeeeeeee"
                                 "gggggggg"
                                 "hhhh"
                                 "iiiiiiiiii"
                                 ".."
                                 "jj"
                                 "kk."
                                 "llllllllll"
                                 "nnnnnnn"
                                 "nn"
                                 "oooooo"
                                 ".."
                                 "rrrrrr"
                                 "ssssssss"
                                 "tttttt"
                                 "uuuuuuuuuuuu"
                                 "ww"
                                 "yyy"
                                 "zzzzzz"
                                 "s";
_Static_assert(sizeof FOLD_LATIN1 == 65, "one letter per code point U+00C0..U+00FF");
_Static_assert(sizeof FOLD_EXT_A == 129, "one letter per code point U+0100..U+017F");

static size_t fold_into(char *out, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = 0;
    while (*p) {
        if (*p < 0x80) {
            out[n++] = (char)tolower(*p);
            p++;
            continue;
        }
        if ((p[0] & 0xe0) == 0xc0 && (p[1] & 0xc0) == 0x80) {
            unsigned cp = ((p[0] & 0x1fu) << 6) | (p[1] & 0x3fu);
            char c = '.';
            if (cp >= 0xc0 && cp <= 0xff)
                c = FOLD_LATIN1[cp - 0xc0];
            else if (cp >= 0x100 && cp <= 0x17f)
                c = FOLD_EXT_A[cp - 0x100];
            if (c != '.') {
                out[n++] = c;
            } else {
                out[n++] = (char)p[0];
                out[n++] = (char)p[1];
            }
            p += 2;
            continue;
        }
        out[n++] = (char)*p++; /* other sequences byte by byte, unchanged */
    }
    out[n] = '\0';
    return n;
}

char *catalogue_fold(struct arena *a, const char *s)
{
    if (!s)
        s = "";
    char *out = arena_alloc(a, strlen(s) + 1); /* folding never grows the text */
    fold_into(out, s);
    return out;
}

/* Joins the non-NULL parts with spaces and folds them. */
static char *fold_join(struct arena *a, const char *const *parts, int n)
{
    size_t len = 1;
    for (int i = 0; i < n; i++)
        len += (parts[i] ? strlen(parts[i]) : 0) + 1;
    char *buf = arena_alloc(a, len);
    char *p = buf;
    for (int i = 0; i < n; i++) {
        if (!parts[i] || !*parts[i])
            continue;
        if (p != buf)
            *p++ = ' ';
        p += fold_into(p, parts[i]);
    }
    *p = '\0';
    return buf;
}

/* "*word*" with GLOB's special characters bracketed, so every character of
 * the word matches itself. GLOB is case-sensitive, which is right for
 * folded text, and measurably faster than instr() or LIKE on long text. */
static char *glob_pattern(struct arena *a, const char *word)
{
    char *out = arena_alloc(a, 3 * strlen(word) + 3);
    char *p = out;
    *p++ = '*';
    for (; *word; word++) {
        if (*word == '*' || *word == '?' || *word == '[') {
            *p++ = '[';
            *p++ = *word;
            *p++ = ']';
        } else {
            *p++ = *word;
        }
    }
    *p++ = '*';
    *p = '\0';
    return out;
}

/* Binds up to CATALOGUE_Q_TERMS folded words of q at parameters first… */
static void bind_terms(sqlite3_stmt *st, int first, const char *q, struct arena *a)
{
    char *f = q ? catalogue_fold(a, q) : NULL;
    int k = 0;
    char *save = NULL;
    for (char *w = f ? strtok_r(f, " \t\r\n", &save) : NULL; w && k < CATALOGUE_Q_TERMS;
         w = strtok_r(NULL, " \t\r\n", &save))
        sqlite3_bind_text(st, first + k++, glob_pattern(a, w), -1, SQLITE_TRANSIENT);
    for (; k < CATALOGUE_Q_TERMS; k++)
        sqlite3_bind_null(st, first + k);
}

/* Rewrites the search text of labs (lab_id or all of org_id). */
static int refresh_lab_search(struct db *db, int64_t lab_id, int64_t org_id, struct ls_err *err)
{
    struct arena a = {0};
    struct row {
        int64_t id;
        char *text;
    } *rows = NULL;
    int n = 0, cap = 0, rc = LS_OK;
    sqlite3_stmt *st = db_stmt(db, SQL_LAB_SEARCH_SRC);
    sqlite3_bind_int64(st, 1, lab_id);
    sqlite3_bind_int64(st, 2, org_id);
    int src;
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            struct row *bigger = arena_alloc(&a, (size_t)cap * sizeof *rows);
            if (n)
                memcpy(bigger, rows, (size_t)n * sizeof *rows);
            rows = bigger;
        }
        const char *parts[7];
        for (int i = 0; i < 7; i++)
            parts[i] = (const char *)sqlite3_column_text(st, i + 1);
        rows[n].id = sqlite3_column_int64(st, 0);
        rows[n].text = fold_join(&a, parts, 7);
        n++;
    }
    sqlite3_reset(st);
    if (src != SQLITE_DONE)
        rc = db_fail(db, src, err);
    for (int i = 0; rc == LS_OK && i < n; i++) {
        st = db_stmt(db, SQL_LAB_SEARCH_SET);
        sqlite3_bind_text(st, 1, rows[i].text, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, rows[i].id);
        rc = db_step_done(db, st, err);
    }
    arena_release(&a);
    return rc;
}

/* Rewrites the search text of resources (one, a lab's or an organisation's).
 * The folded name comes first: lists sort by it. */
static int refresh_resource_search(struct db *db, int64_t res_id, int64_t lab_id, int64_t org_id,
                                   struct ls_err *err)
{
    struct arena a = {0};
    struct row {
        int64_t id;
        char *text;
    } *rows = NULL;
    int n = 0, cap = 0, rc = LS_OK;
    sqlite3_stmt *st = db_stmt(db, SQL_RES_SEARCH_SRC);
    sqlite3_bind_int64(st, 1, res_id);
    sqlite3_bind_int64(st, 2, lab_id);
    sqlite3_bind_int64(st, 3, org_id);
    int src;
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            struct row *bigger = arena_alloc(&a, (size_t)cap * sizeof *rows);
            if (n)
                memcpy(bigger, rows, (size_t)n * sizeof *rows);
            rows = bigger;
        }
        const char *parts[7];
        for (int i = 0; i < 7; i++)
            parts[i] = (const char *)sqlite3_column_text(st, i + 1);
        rows[n].id = sqlite3_column_int64(st, 0);
        rows[n].text = fold_join(&a, parts, 7);
        n++;
    }
    sqlite3_reset(st);
    if (src != SQLITE_DONE)
        rc = db_fail(db, src, err);
    for (int i = 0; rc == LS_OK && i < n; i++) {
        st = db_stmt(db, SQL_RES_SEARCH_SET);
        sqlite3_bind_text(st, 1, rows[i].text, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, rows[i].id);
        rc = db_step_done(db, st, err);
    }
    arena_release(&a);
    return rc;
}

static int refresh_service_search(struct db *db, int64_t svc_id, int64_t org_id, struct ls_err *err)
{
    struct arena a = {0};
    struct row {
        int64_t id;
        char *text;
    } *rows = NULL;
    int n = 0, cap = 0, rc = LS_OK;
    sqlite3_stmt *st = db_stmt(db, SQL_SVC_SEARCH_SRC);
    sqlite3_bind_int64(st, 1, svc_id);
    sqlite3_bind_int64(st, 2, org_id);
    int src;
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            struct row *bigger = arena_alloc(&a, (size_t)cap * sizeof *rows);
            if (n)
                memcpy(bigger, rows, (size_t)n * sizeof *rows);
            rows = bigger;
        }
        const char *parts[4];
        for (int i = 0; i < 4; i++)
            parts[i] = (const char *)sqlite3_column_text(st, i + 1);
        rows[n].id = sqlite3_column_int64(st, 0);
        rows[n].text = fold_join(&a, parts, 4);
        n++;
    }
    sqlite3_reset(st);
    if (src != SQLITE_DONE)
        rc = db_fail(db, src, err);
    for (int i = 0; rc == LS_OK && i < n; i++) {
        st = db_stmt(db, SQL_SVC_SEARCH_SET);
        sqlite3_bind_text(st, 1, rows[i].text, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, rows[i].id);
        rc = db_step_done(db, st, err);
    }
    arena_release(&a);
    return rc;
}

int catalogue_reindex(struct db *db, struct ls_err *err)
{
    int rc = db_begin_write(db, err);
    if (rc)
        return rc;
    struct arena a = {0};
    sqlite3_stmt *st = db_stmt(db, SQL_ORG_SEARCH_SRC);
    struct {
        int64_t id;
        const char *text;
    } *orgs = NULL;
    int n = 0, cap = 0, src;
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            void *bigger = arena_alloc(&a, (size_t)cap * sizeof *orgs);
            if (n)
                memcpy(bigger, orgs, (size_t)n * sizeof *orgs);
            orgs = bigger;
        }
        const char *parts[4];
        for (int i = 0; i < 4; i++)
            parts[i] = (const char *)sqlite3_column_text(st, i + 1);
        orgs[n].id = sqlite3_column_int64(st, 0);
        orgs[n].text = fold_join(&a, parts, 4);
        n++;
    }
    sqlite3_reset(st);
    if (src != SQLITE_DONE)
        rc = db_fail(db, src, err);
    for (int i = 0; rc == LS_OK && i < n; i++) {
        st = db_stmt(db, SQL_ORG_SEARCH_SET);
        sqlite3_bind_text(st, 1, orgs[i].text, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, orgs[i].id);
        rc = db_step_done(db, st, err);
    }
    arena_release(&a);
    if (rc == LS_OK)
        rc = refresh_lab_search(db, 0, 0, err);
    if (rc == LS_OK)
        rc = refresh_resource_search(db, 0, 0, 0, err);
    if (rc == LS_OK)
        rc = refresh_service_search(db, 0, 0, err);
    if (rc == LS_OK)
        return db_commit(db, err);
    db_rollback(db);
    return rc;
}

static int64_t now_s(void)
{
    return tu_now();
}

/* ------------------------------------------------------------------ */
/* Rules, hours, training (used by booking)                             */

int catalogue_hours_load(struct db *db, int64_t resource_id, struct hours_week *out,
                         struct ls_err *err)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = db_stmt(db, SQL_HOURS_GET);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    sqlite3_bind_int64(st, 1, resource_id);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && out->n < HOURS_MAX_WINDOWS) {
        struct hours_window *w = &out->w[out->n++];
        w->weekday = sqlite3_column_int(st, 0);
        w->open_min = sqlite3_column_int(st, 1);
        w->close_min = sqlite3_column_int(st, 2);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return db_fail(db, rc, err);
    return LS_OK;
}

int catalogue_hours_save(struct db *db, int64_t resource_id, const struct hours_week *wk,
                         struct ls_err *err)
{
    sqlite3_stmt *st = db_stmt(db, SQL_HOURS_DELETE);
    sqlite3_bind_int64(st, 1, resource_id);
    int rc = db_step_done(db, st, err);
    for (int i = 0; rc == LS_OK && i < wk->n; i++) {
        st = db_stmt(db, SQL_HOURS_INSERT);
        sqlite3_bind_int64(st, 1, resource_id);
        sqlite3_bind_int(st, 2, wk->w[i].weekday);
        sqlite3_bind_int(st, 3, wk->w[i].open_min);
        sqlite3_bind_int(st, 4, wk->w[i].close_min);
        rc = db_step_done(db, st, err);
    }
    return rc;
}

int catalogue_resource_rules(struct db *db, int64_t resource_id, struct resource_rules *out,
                             struct ls_err *err)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = db_stmt(db, SQL_RULES);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    sqlite3_bind_int64(st, 1, resource_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->id = sqlite3_column_int64(st, 0);
        out->lab_id = sqlite3_column_int64(st, 1);
        out->organisation_id = sqlite3_column_int64(st, 2);
        out->shared = sqlite3_column_int(st, 3);
        out->requires_approval = sqlite3_column_int(st, 4);
        out->requires_training = sqlite3_column_int(st, 5);
        out->slot_minutes = sqlite3_column_int(st, 6);
        out->min_minutes = sqlite3_column_int(st, 7);
        out->max_minutes = sqlite3_column_int(st, 8);
        out->power_kw = sqlite3_column_double(st, 9);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return ls_err_set(err, LS_ENOTFOUND, "resource_id", "no such resource");
    if (rc != SQLITE_ROW)
        return db_fail(db, rc, err);
    return catalogue_hours_load(db, resource_id, &out->hours, err);
}

int catalogue_user_trained(struct db *db, int64_t resource_id, int64_t user_id)
{
    sqlite3_stmt *st = db_stmt(db, SQL_TRAINED);
    if (!st)
        return 0;
    sqlite3_bind_int64(st, 1, resource_id);
    sqlite3_bind_int64(st, 2, user_id);
    int found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    return found;
}

int64_t catalogue_resource_org(struct db *db, int64_t resource_id)
{
    int64_t org = count_by_id(db, SQL_RES_ORG, resource_id);
    return org > 0 ? org : 0;
}

/* ------------------------------------------------------------------ */
/* Defaults                                                             */

void catalogue_org_defaults(struct organisation *out)
{
    memset(out, 0, sizeof *out);
    out->short_name = "";
    out->package = "none";
    out->member = 1;
    out->description = "";
}

void catalogue_lab_defaults(struct lab *out)
{
    memset(out, 0, sizeof *out);
    out->energy_is_null = 1;
    out->description = "";
}

void catalogue_resource_defaults(struct resource *out)
{
    memset(out, 0, sizeof *out);
    out->category = "";
    out->description = "";
    out->shared = 1;
    out->requires_approval = 1;
    out->requires_training = 0;
    out->slot_minutes = 30;
    out->min_minutes = 30;
    out->max_minutes = 480;
    hours_default(&out->hours);
}

/* ------------------------------------------------------------------ */
/* Organisations                                                        */

static void org_row(sqlite3_stmt *st, struct arena *a, struct organisation *o)
{
    o->id = sqlite3_column_int64(st, 0);
    o->name = col_text(st, 1, a);
    o->short_name = col_text(st, 2, a);
    o->group = col_text(st, 3, a);
    o->package = col_text(st, 4, a);
    o->member = sqlite3_column_int(st, 5);
    o->city = col_str(st, 6, a);
    o->website = col_str(st, 7, a);
    o->description = col_text(st, 8, a);
    o->created = sqlite3_column_int64(st, 9);
    o->updated = sqlite3_column_int64(st, 10);
}

int catalogue_org_get(struct db *db, int64_t id, struct arena *a, struct organisation *out,
                      struct ls_err *err)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = db_stmt(db, SQL_ORG_GET);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        org_row(st, a, out);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return ls_err_set(err, LS_ENOTFOUND, NULL, "no such organisation");
    return rc == SQLITE_ROW ? LS_OK : db_fail(db, rc, err);
}

static int org_check(struct organisation *o, struct ls_err *err)
{
    int rc = check_required(o->name, CATALOGUE_NAME_MAX, "name", err);
    if (!rc) {
        if (!o->short_name)
            o->short_name = "";
        rc = check_optional(o->short_name, CATALOGUE_SHORT_MAX, "short_name", err);
    }
    if (!rc)
        rc = check_enum(o->group, catalogue_groups, "group", err);
    if (!rc)
        rc = check_enum(o->package, catalogue_packages, "package", err);
    if (!rc && o->member != 0 && o->member != 1)
        rc = ls_err_set(err, LS_EVALIDATION, "member", "'member' must be true or false");
    if (!rc) {
        o->city = null_if_blank(o->city);
        rc = check_optional(o->city, CATALOGUE_LINE_MAX, "city", err);
    }
    if (!rc) {
        o->website = null_if_blank(o->website);
        rc = check_optional(o->website, CATALOGUE_LINE_MAX, "website", err);
        if (!rc && o->website &&
            ((strncmp(o->website, "https://", 8) != 0 && strncmp(o->website, "http://", 7) != 0) ||
             strpbrk(o->website, " \t\r\n\"<>") || strlen(o->website) < 10))
            rc = ls_err_set(err, LS_EVALIDATION, "website",
                            "'website' must be an http:// or https:// address");
    }
    if (!rc) {
        if (!o->description)
            o->description = "";
        rc = check_optional(o->description, CATALOGUE_TEXT_MAX, "description", err);
    }
    return rc;
}

int catalogue_org_save(struct db *db, struct organisation *o, struct ls_err *err)
{
    int rc = org_check(o, err);
    if (rc)
        return rc;
    int own;
    if ((rc = tx_begin(db, &own, err)))
        return rc;
    struct arena a = {0};
    const char *parts[4] = {o->name, o->short_name, o->city, o->description};
    const char *search = fold_join(&a, parts, 4);
    int64_t now = now_s();
    sqlite3_stmt *st = db_stmt(db, o->id ? SQL_ORG_UPDATE : SQL_ORG_INSERT);
    sqlite3_bind_text(st, 1, o->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, o->short_name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, o->group, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, o->package, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 5, o->member);
    bind_text(st, 6, o->city);
    bind_text(st, 7, o->website);
    sqlite3_bind_text(st, 8, o->description, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, search, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 10, now);
    if (o->id) {
        sqlite3_bind_int64(st, 11, o->id);
        rc = step_returning(db, st, &o->updated, err);
        /* Labs, resources and services carry the organisation's names and city. */
        if (!rc)
            rc = refresh_lab_search(db, 0, o->id, err);
        if (!rc)
            rc = refresh_resource_search(db, 0, 0, o->id, err);
        if (!rc)
            rc = refresh_service_search(db, 0, o->id, err);
    } else {
        rc = db_step_done(db, st, err);
        if (!rc) {
            o->id = sqlite3_last_insert_rowid(db_handle(db));
            o->created = o->updated = now;
        }
    }
    arena_release(&a);
    return tx_end(db, own, rc, err);
}

int catalogue_org_delete(struct db *db, int64_t id, struct ls_err *err)
{
    int own, rc;
    if ((rc = tx_begin(db, &own, err)))
        return rc;
    if (!exists_by_id(db, SQL_ORG_EXISTS, id))
        rc = ls_err_set(err, LS_ENOTFOUND, NULL, "no such organisation");
    else if (count_by_id(db, SQL_ORG_LABS, id) != 0)
        rc = ls_err_set(err, LS_ECONFLICT, NULL,
                        "the organisation still has labs: delete them first");
    else if (count_by_id(db, SQL_ORG_USERS, id) != 0)
        rc = ls_err_set(err, LS_ECONFLICT, NULL,
                        "the organisation still has users: move or remove them first");
    else if (count_by_id(db, SQL_ORG_BOOKINGS, id) != 0)
        rc = ls_err_set(err, LS_ECONFLICT, NULL,
                        "bookings were made on behalf of this organisation; history is kept");
    if (!rc) {
        sqlite3_stmt *st = db_stmt(db, SQL_ORG_DEL_SERVICES);
        sqlite3_bind_int64(st, 1, id);
        rc = db_step_done(db, st, err);
    }
    if (!rc) {
        sqlite3_stmt *st = db_stmt(db, SQL_ORG_DELETE);
        sqlite3_bind_int64(st, 1, id);
        rc = db_step_done(db, st, err);
    }
    return tx_end(db, own, rc, err);
}

int catalogue_org_list(struct db *db, const struct org_filter *f, int64_t limit, int64_t offset,
                       struct arena *a, struct organisation **items, int *n, int64_t *total,
                       struct ls_err *err)
{
    *items = NULL;
    *n = 0;
    *total = 0;
    struct arena tmp = {0};
    const char *sqls[2] = {SQL_ORG_COUNT, SQL_ORG_LIST};
    int rc = LS_OK;
    for (int pass = 0; pass < 2 && rc == LS_OK; pass++) {
        sqlite3_stmt *st = db_stmt(db, sqls[pass]);
        if (!st) {
            rc = ls_err_set(err, LS_EINTERNAL, NULL, "database error");
            break;
        }
        bind_text(st, 1, f->group);
        bind_text(st, 2, f->package);
        sqlite3_bind_int(st, 3, f->member);
        bind_text(st, 4, f->city);
        bind_terms(st, 5, f->q, &tmp);
        if (pass == 1) {
            sqlite3_bind_int64(st, 11, limit);
            sqlite3_bind_int64(st, 12, offset);
            *items = arena_alloc(a, (size_t)(limit > 0 ? limit : 1) * sizeof **items);
        }
        int s;
        while ((s = sqlite3_step(st)) == SQLITE_ROW) {
            if (pass == 0)
                *total = sqlite3_column_int64(st, 0);
            else if (*n < limit)
                org_row(st, a, &(*items)[(*n)++]);
        }
        sqlite3_reset(st);
        if (s != SQLITE_DONE)
            rc = db_fail(db, s, err);
    }
    arena_release(&tmp);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Labs                                                                 */

static void lab_row(sqlite3_stmt *st, struct arena *a, struct lab *l)
{
    l->id = sqlite3_column_int64(st, 0);
    l->organisation_id = sqlite3_column_int64(st, 1);
    l->name = col_text(st, 2, a);
    l->kind = col_text(st, 3, a);
    l->area_m2 = sqlite3_column_double(st, 4);
    l->energy_is_null = sqlite3_column_type(st, 5) == SQLITE_NULL;
    l->energy_kwh_per_m2_year = l->energy_is_null ? 0 : sqlite3_column_double(st, 5);
    l->building = col_str(st, 6, a);
    l->address = col_str(st, 7, a);
    l->city = col_str(st, 8, a);
    l->biosafety_level = sqlite3_column_int(st, 9);
    l->description = col_text(st, 10, a);
    l->created = sqlite3_column_int64(st, 11);
    l->updated = sqlite3_column_int64(st, 12);
    l->organisation_name = col_text(st, 13, a);
    l->resource_count = sqlite3_column_int(st, 14);
}

int catalogue_lab_get(struct db *db, int64_t id, struct arena *a, struct lab *out,
                      struct ls_err *err)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = db_stmt(db, SQL_LAB_GET);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        lab_row(st, a, out);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return ls_err_set(err, LS_ENOTFOUND, NULL, "no such lab");
    return rc == SQLITE_ROW ? LS_OK : db_fail(db, rc, err);
}

static int lab_check(struct db *db, struct lab *l, struct ls_err *err)
{
    int rc = LS_OK;
    if (!exists_by_id(db, SQL_ORG_EXISTS, l->organisation_id))
        rc = ls_err_set(err, LS_EVALIDATION, "organisation_id", "no such organisation");
    if (!rc)
        rc = check_required(l->name, CATALOGUE_NAME_MAX, "name", err);
    if (!rc)
        rc = check_enum(l->kind, catalogue_kinds, "kind", err);
    if (!rc && !(isfinite(l->area_m2) && l->area_m2 > 0 && l->area_m2 <= CATALOGUE_AREA_MAX))
        rc = ls_err_set(err, LS_EVALIDATION, "area_m2",
                        "'area_m2' must be greater than 0 and at most %g", CATALOGUE_AREA_MAX);
    if (!rc && !l->energy_is_null &&
        !(isfinite(l->energy_kwh_per_m2_year) && l->energy_kwh_per_m2_year >= 0 &&
          l->energy_kwh_per_m2_year <= CATALOGUE_ENERGY_MAX))
        rc = ls_err_set(err, LS_EVALIDATION, "energy_kwh_per_m2_year",
                        "'energy_kwh_per_m2_year' must be null (the default for the kind) or "
                        "between 0 and %g",
                        CATALOGUE_ENERGY_MAX);
    if (!rc) {
        l->building = null_if_blank(l->building);
        rc = check_optional(l->building, CATALOGUE_LINE_MAX, "building", err);
    }
    if (!rc) {
        l->address = null_if_blank(l->address);
        rc = check_optional(l->address, CATALOGUE_LINE_MAX, "address", err);
    }
    if (!rc) {
        l->city = null_if_blank(l->city);
        rc = check_optional(l->city, CATALOGUE_LINE_MAX, "city", err);
    }
    if (!rc && (l->biosafety_level < 0 || l->biosafety_level > 4))
        rc = ls_err_set(err, LS_EVALIDATION, "biosafety_level",
                        "'biosafety_level' must be between 0 and 4");
    if (!rc) {
        if (!l->description)
            l->description = "";
        rc = check_optional(l->description, CATALOGUE_TEXT_MAX, "description", err);
    }
    return rc;
}

int catalogue_lab_save(struct db *db, struct lab *l, struct ls_err *err)
{
    int own, rc;
    if ((rc = tx_begin(db, &own, err)))
        return rc;
    if ((rc = lab_check(db, l, err)))
        return tx_end(db, own, rc, err);
    int64_t now = now_s();
    sqlite3_stmt *st = db_stmt(db, l->id ? SQL_LAB_UPDATE : SQL_LAB_INSERT);
    sqlite3_bind_int64(st, 1, l->organisation_id);
    sqlite3_bind_text(st, 2, l->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, l->kind, -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 4, l->area_m2);
    if (l->energy_is_null)
        sqlite3_bind_null(st, 5);
    else
        sqlite3_bind_double(st, 5, l->energy_kwh_per_m2_year);
    bind_text(st, 6, l->building);
    bind_text(st, 7, l->address);
    bind_text(st, 8, l->city);
    sqlite3_bind_int(st, 9, l->biosafety_level);
    sqlite3_bind_text(st, 10, l->description, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 11, now);
    if (l->id) {
        sqlite3_bind_int64(st, 12, l->id);
        rc = step_returning(db, st, &l->updated, err);
        if (!rc) /* resources carry their lab's name and city in their search text */
            rc = refresh_resource_search(db, 0, l->id, 0, err);
    } else {
        rc = db_step_done(db, st, err);
        if (!rc) {
            l->id = sqlite3_last_insert_rowid(db_handle(db));
            l->created = l->updated = now;
        }
    }
    if (!rc)
        rc = refresh_lab_search(db, l->id, 0, err);
    return tx_end(db, own, rc, err);
}

int catalogue_lab_delete(struct db *db, int64_t id, struct ls_err *err)
{
    int own, rc;
    if ((rc = tx_begin(db, &own, err)))
        return rc;
    if (count_by_id(db, SQL_LAB_ORG, id) <= 0)
        rc = ls_err_set(err, LS_ENOTFOUND, NULL, "no such lab");
    else if (count_by_id(db, SQL_LAB_BOOKINGS, id) != 0)
        rc = ls_err_set(err, LS_ECONFLICT, NULL,
                        "bookings refer to resources of this lab; history is kept");
    if (!rc) {
        /* hours, blackouts, training and service links go by ON DELETE CASCADE */
        sqlite3_stmt *st = db_stmt(db, SQL_LAB_DEL_RESOURCES);
        sqlite3_bind_int64(st, 1, id);
        rc = db_step_done(db, st, err);
    }
    if (!rc) {
        sqlite3_stmt *st = db_stmt(db, SQL_LAB_DELETE);
        sqlite3_bind_int64(st, 1, id);
        rc = db_step_done(db, st, err);
    }
    return tx_end(db, own, rc, err);
}

int catalogue_lab_list(struct db *db, const struct lab_filter *f, int64_t limit, int64_t offset,
                       struct arena *a, struct lab **items, int *n, int64_t *total,
                       struct ls_err *err)
{
    *items = NULL;
    *n = 0;
    *total = 0;
    struct arena tmp = {0};
    const char *sqls[2] = {SQL_LAB_COUNT, SQL_LAB_LIST};
    int rc = LS_OK;
    for (int pass = 0; pass < 2 && rc == LS_OK; pass++) {
        sqlite3_stmt *st = db_stmt(db, sqls[pass]);
        if (!st) {
            rc = ls_err_set(err, LS_EINTERNAL, NULL, "database error");
            break;
        }
        bind_id(st, 1, f->organisation_id);
        bind_text(st, 2, f->kind);
        bind_text(st, 3, f->city);
        bind_text(st, 4, f->group);
        bind_terms(st, 5, f->q, &tmp);
        if (pass == 1) {
            sqlite3_bind_int64(st, 11, limit);
            sqlite3_bind_int64(st, 12, offset);
            *items = arena_alloc(a, (size_t)(limit > 0 ? limit : 1) * sizeof **items);
        }
        int s;
        while ((s = sqlite3_step(st)) == SQLITE_ROW) {
            if (pass == 0)
                *total = sqlite3_column_int64(st, 0);
            else if (*n < limit)
                lab_row(st, a, &(*items)[(*n)++]);
        }
        sqlite3_reset(st);
        if (s != SQLITE_DONE)
            rc = db_fail(db, s, err);
    }
    arena_release(&tmp);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Resources                                                            */

static void res_row(sqlite3_stmt *st, struct arena *a, struct resource *r)
{
    r->id = sqlite3_column_int64(st, 0);
    r->lab_id = sqlite3_column_int64(st, 1);
    r->type = col_text(st, 2, a);
    r->name = col_text(st, 3, a);
    r->category = col_text(st, 4, a);
    r->description = col_text(st, 5, a);
    r->shared = sqlite3_column_int(st, 6);
    r->requires_approval = sqlite3_column_int(st, 7);
    r->requires_training = sqlite3_column_int(st, 8);
    r->power_kw = sqlite3_column_double(st, 9);
    r->standby_kw = sqlite3_column_double(st, 10);
    r->slot_minutes = sqlite3_column_int(st, 11);
    r->min_minutes = sqlite3_column_int(st, 12);
    r->max_minutes = sqlite3_column_int(st, 13);
    r->created = sqlite3_column_int64(st, 14);
    r->updated = sqlite3_column_int64(st, 15);
    r->organisation_id = sqlite3_column_int64(st, 16);
    r->lab_name = col_text(st, 17, a);
    r->organisation_name = col_text(st, 18, a);
    r->organisation_short_name = col_text(st, 19, a);
    r->city = col_str(st, 20, a);
    r->biosafety_level = sqlite3_column_int(st, 21);
}

int catalogue_resource_get(struct db *db, int64_t id, struct arena *a, struct resource *out,
                           struct ls_err *err)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = db_stmt(db, SQL_RES_GET);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        res_row(st, a, out);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return ls_err_set(err, LS_ENOTFOUND, NULL, "no such resource");
    if (rc != SQLITE_ROW)
        return db_fail(db, rc, err);
    return catalogue_hours_load(db, id, &out->hours, err);
}

static int check_power(double v, const char *field, struct ls_err *err)
{
    if (isfinite(v) && v >= 0 && v <= CATALOGUE_POWER_MAX)
        return LS_OK;
    return ls_err_set(err, LS_EVALIDATION, field, "'%s' must be between 0 and %g kW", field,
                      CATALOGUE_POWER_MAX);
}

static int resource_check(struct db *db, struct resource *r, struct ls_err *err)
{
    int rc = LS_OK;
    if (count_by_id(db, SQL_LAB_ORG, r->lab_id) <= 0)
        rc = ls_err_set(err, LS_EVALIDATION, "lab_id", "no such lab");
    if (!rc)
        rc = check_enum(r->type, catalogue_types, "type", err);
    if (!rc)
        rc = check_required(r->name, CATALOGUE_NAME_MAX, "name", err);
    if (!rc) {
        if (!r->category)
            r->category = "";
        rc = check_optional(r->category, CATALOGUE_LINE_MAX, "category", err);
    }
    if (!rc) {
        if (!r->description)
            r->description = "";
        rc = check_optional(r->description, CATALOGUE_TEXT_MAX, "description", err);
    }
    const struct {
        int v;
        const char *name;
    } flags[] = {{r->shared, "shared"},
                 {r->requires_approval, "requires_approval"},
                 {r->requires_training, "requires_training"}};
    for (size_t i = 0; !rc && i < sizeof flags / sizeof *flags; i++)
        if (flags[i].v != 0 && flags[i].v != 1)
            rc = ls_err_set(err, LS_EVALIDATION, flags[i].name, "'%s' must be true or false",
                            flags[i].name);
    if (!rc)
        rc = check_power(r->power_kw, "power_kw", err);
    if (!rc)
        rc = check_power(r->standby_kw, "standby_kw", err);
    if (!rc && (r->slot_minutes < 1 || r->slot_minutes > 1440))
        rc = ls_err_set(err, LS_EVALIDATION, "slot_minutes",
                        "'slot_minutes' must be between 1 and 1440");
    if (!rc && (r->min_minutes < 1 || r->min_minutes > CATALOGUE_MINUTES_MAX))
        rc = ls_err_set(err, LS_EVALIDATION, "min_minutes",
                        "'min_minutes' must be between 1 and %d", CATALOGUE_MINUTES_MAX);
    if (!rc && (r->max_minutes < r->min_minutes || r->max_minutes > CATALOGUE_MINUTES_MAX))
        rc = ls_err_set(err, LS_EVALIDATION, "max_minutes",
                        "'max_minutes' must be at least min_minutes (%d) and at most %d",
                        r->min_minutes, CATALOGUE_MINUTES_MAX);
    if (!rc)
        rc = hours_normalise(&r->hours, err);
    return rc;
}

int catalogue_resource_save(struct db *db, struct resource *r, struct ls_err *err)
{
    int own, rc;
    if ((rc = tx_begin(db, &own, err)))
        return rc;
    if ((rc = resource_check(db, r, err)))
        return tx_end(db, own, rc, err);
    int64_t now = now_s();
    sqlite3_stmt *st = db_stmt(db, r->id ? SQL_RES_UPDATE : SQL_RES_INSERT);
    sqlite3_bind_int64(st, 1, r->lab_id);
    sqlite3_bind_text(st, 2, r->type, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, r->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, r->category, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, r->description, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 6, r->shared);
    sqlite3_bind_int(st, 7, r->requires_approval);
    sqlite3_bind_int(st, 8, r->requires_training);
    sqlite3_bind_double(st, 9, r->power_kw);
    sqlite3_bind_double(st, 10, r->standby_kw);
    sqlite3_bind_int(st, 11, r->slot_minutes);
    sqlite3_bind_int(st, 12, r->min_minutes);
    sqlite3_bind_int(st, 13, r->max_minutes);
    sqlite3_bind_int64(st, 14, now);
    if (r->id) {
        sqlite3_bind_int64(st, 15, r->id);
        rc = step_returning(db, st, &r->updated, err);
    } else {
        rc = db_step_done(db, st, err);
        if (!rc) {
            r->id = sqlite3_last_insert_rowid(db_handle(db));
            r->created = r->updated = now;
        }
    }
    if (!rc)
        rc = catalogue_hours_save(db, r->id, &r->hours, err);
    if (!rc)
        rc = refresh_resource_search(db, r->id, 0, 0, err);
    return tx_end(db, own, rc, err);
}

int catalogue_resource_delete(struct db *db, int64_t id, struct ls_err *err)
{
    int own, rc;
    if ((rc = tx_begin(db, &own, err)))
        return rc;
    if (catalogue_resource_org(db, id) == 0)
        rc = ls_err_set(err, LS_ENOTFOUND, NULL, "no such resource");
    else if (count_by_id(db, SQL_RES_BOOKINGS, id) != 0)
        rc =
            ls_err_set(err, LS_ECONFLICT, NULL, "bookings refer to this resource; history is kept");
    if (!rc) {
        sqlite3_stmt *st = db_stmt(db, SQL_RES_DELETE);
        sqlite3_bind_int64(st, 1, id);
        rc = db_step_done(db, st, err);
    }
    return tx_end(db, own, rc, err);
}

static int resource_list_open(struct db *db, const struct resource_filter *f, int64_t limit,
                              int64_t offset, struct arena *a, struct resource **items, int *n,
                              int64_t *total, struct ls_err *err);

int catalogue_resource_list(struct db *db, const struct resource_filter *f, int64_t limit,
                            int64_t offset, struct arena *a, struct resource **items, int *n,
                            int64_t *total, struct ls_err *err)
{
    if (f->has_free && f->open_only)
        return resource_list_open(db, f, limit, offset, a, items, n, total, err);
    *items = NULL;
    *n = 0;
    *total = 0;
    struct arena tmp = {0};
    const char *sqls[2] = {SQL_RES_COUNT, SQL_RES_LIST};
    int rc = LS_OK;
    for (int pass = 0; pass < 2 && rc == LS_OK; pass++) {
        sqlite3_stmt *st = db_stmt(db, sqls[pass]);
        if (!st) {
            rc = ls_err_set(err, LS_EINTERNAL, NULL, "database error");
            break;
        }
        bind_id(st, 1, f->lab_id);
        bind_id(st, 2, f->organisation_id);
        bind_text(st, 3, f->type);
        bind_text(st, 4, f->category);
        bind_text(st, 5, f->city);
        bind_text(st, 6, f->group);
        bind_text(st, 7, f->kind);
        sqlite3_bind_int(st, 8, f->shared);
        sqlite3_bind_int(st, 9, f->requires_approval);
        sqlite3_bind_int(st, 10, f->biosafety_level_min);
        if (f->has_free) {
            sqlite3_bind_int64(st, 11, f->free_from);
            sqlite3_bind_int64(st, 12, f->free_to);
        } else {
            sqlite3_bind_null(st, 11);
            sqlite3_bind_null(st, 12);
        }
        bind_terms(st, 13, f->q, &tmp);
        /* room for the page only: the count came first (a row that
         * appears in between is left for the next page) */
        int64_t cap = *total - offset < limit ? *total - offset : limit;
        if (pass == 1) {
            sqlite3_bind_int64(st, 19, limit);
            sqlite3_bind_int64(st, 20, offset);
            *items = arena_alloc(a, (size_t)(cap > 0 ? cap : 1) * sizeof **items);
        }
        int s;
        while ((s = sqlite3_step(st)) == SQLITE_ROW) {
            if (pass == 0)
                *total = sqlite3_column_int64(st, 0);
            else if (*n < cap)
                res_row(st, a, &(*items)[(*n)++]);
        }
        sqlite3_reset(st);
        if (s != SQLITE_DONE)
            rc = db_fail(db, s, err);
    }
    for (int i = 0; rc == LS_OK && i < *n; i++)
        rc = catalogue_hours_load(db, (*items)[i].id, &(*items)[i].hours, err);
    arena_release(&tmp);
    return rc;
}

struct open_ctx {
    int64_t from, to;
    int inside;
};

static void open_span(int64_t start, int64_t end, void *ctx)
{
    struct open_ctx *c = ctx;
    if (start <= c->from && c->to <= end)
        c->inside = 1;
}

/* free + open: opening hours cannot be expressed in SQL, so every free
 * candidate is laid out over one shared calendar (a day of margin either
 * side: touching windows merge into one span) and the page is cut in C.
 * A few thousand resources cost a few milliseconds. */
static int resource_list_open(struct db *db, const struct resource_filter *f, int64_t limit,
                              int64_t offset, struct arena *a, struct resource **items, int *n,
                              int64_t *total, struct ls_err *err)
{
    struct resource_filter all = *f;
    all.open_only = 0;
    struct resource *rows = NULL;
    int nrows = 0;
    int64_t count = 0;
    int rc = catalogue_resource_list(db, &all, INT32_MAX, 0, a, &rows, &nrows, &count, err);
    *items = arena_alloc(a, (size_t)(limit > 0 ? limit : 1) * sizeof **items);
    *n = 0;
    *total = 0;
    if (rc)
        return rc;
    struct hours_calendar *cal = hours_calendar_new(f->free_from - 86400, f->free_to + 86400);
    for (int i = 0; i < nrows; i++) {
        struct open_ctx c = {f->free_from, f->free_to, 0};
        hours_layout(cal, &rows[i].hours, open_span, &c);
        if (!c.inside)
            continue;
        if (*total >= offset && *n < limit)
            (*items)[(*n)++] = rows[i];
        (*total)++;
    }
    hours_calendar_free(cal);
    return LS_OK;
}

/* ------------------------------------------------------------------ */
/* Blackouts                                                            */

static void touch_resource(struct db *db, int64_t id, struct ls_err *err, int *rc)
{
    if (*rc)
        return;
    sqlite3_stmt *st = db_stmt(db, SQL_RES_TOUCH);
    sqlite3_bind_int64(st, 1, now_s());
    sqlite3_bind_int64(st, 2, id);
    *rc = db_step_done(db, st, err);
}

static void bo_row(sqlite3_stmt *st, struct arena *a, struct blackout *b)
{
    b->id = sqlite3_column_int64(st, 0);
    b->resource_id = sqlite3_column_int64(st, 1);
    b->start = sqlite3_column_int64(st, 2);
    b->end = sqlite3_column_int64(st, 3);
    b->reason = col_text(st, 4, a);
    b->created = sqlite3_column_int64(st, 5);
    b->source_id = sqlite3_column_int64(st, 6); /* imported (calendar_import.h) */
    b->uid = sqlite3_column_type(st, 7) == SQLITE_NULL ? NULL : col_text(st, 7, a);
}

int catalogue_blackout_get(struct db *db, int64_t id, struct arena *a, struct blackout *out,
                           struct ls_err *err)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = db_stmt(db, SQL_BO_GET);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        bo_row(st, a, out);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return ls_err_set(err, LS_ENOTFOUND, NULL, "no such blackout");
    return rc == SQLITE_ROW ? LS_OK : db_fail(db, rc, err);
}

int catalogue_blackout_add(struct db *db, struct blackout *b, struct ls_err *err)
{
    /* A blackout may lie in the past (a breakdown recorded afterwards still
     * belongs in the utilisation figures); three years is a sanity bound. */
    int own, rc;
    if (!b->reason)
        b->reason = "";
    if (b->end <= b->start)
        return ls_err_set(err, LS_EVALIDATION, "end", "'end' must be after 'start'");
    if (b->end - b->start > 3 * 366 * 86400LL)
        return ls_err_set(err, LS_EVALIDATION, "end", "a blackout may last at most three years");
    if ((rc = check_optional(b->reason, CATALOGUE_LINE_MAX, "reason", err)))
        return rc;
    if ((rc = tx_begin(db, &own, err)))
        return rc;
    if (catalogue_resource_org(db, b->resource_id) == 0)
        rc = ls_err_set(err, LS_ENOTFOUND, NULL, "no such resource");
    int64_t now = now_s();
    if (!rc) {
        sqlite3_stmt *st = db_stmt(db, SQL_BO_INSERT);
        sqlite3_bind_int64(st, 1, b->resource_id);
        sqlite3_bind_int64(st, 2, b->start);
        sqlite3_bind_int64(st, 3, b->end);
        sqlite3_bind_text(st, 4, b->reason, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 5, now);
        rc = db_step_done(db, st, err);
        if (!rc) {
            b->id = sqlite3_last_insert_rowid(db_handle(db));
            b->created = now;
        }
    }
    touch_resource(db, b->resource_id, err, &rc);
    return tx_end(db, own, rc, err);
}

int catalogue_blackout_delete(struct db *db, int64_t id, struct ls_err *err)
{
    int own, rc;
    if ((rc = tx_begin(db, &own, err)))
        return rc;
    sqlite3_stmt *st = db_stmt(db, SQL_BO_DELETE);
    sqlite3_bind_int64(st, 1, id);
    int s = sqlite3_step(st);
    int64_t res = s == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    if (s == SQLITE_ROW)
        s = sqlite3_step(st);
    sqlite3_reset(st);
    if (s != SQLITE_DONE)
        rc = db_fail(db, s, err);
    else if (!res)
        rc = ls_err_set(err, LS_ENOTFOUND, NULL, "no such blackout");
    touch_resource(db, res, err, &rc);
    return tx_end(db, own, rc, err);
}

int catalogue_blackout_list(struct db *db, const struct blackout_filter *f, int64_t limit,
                            int64_t offset, struct arena *a, struct blackout **items, int *n,
                            int64_t *total, struct ls_err *err)
{
    *items = NULL;
    *n = 0;
    *total = 0;
    const char *sqls[2] = {SQL_BO_COUNT, SQL_BO_LIST};
    int rc = LS_OK;
    for (int pass = 0; pass < 2 && rc == LS_OK; pass++) {
        sqlite3_stmt *st = db_stmt(db, sqls[pass]);
        if (!st)
            return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
        sqlite3_bind_int64(st, 1, f->resource_id);
        if (f->from)
            sqlite3_bind_int64(st, 2, f->from);
        if (f->to)
            sqlite3_bind_int64(st, 3, f->to);
        if (pass == 1) {
            sqlite3_bind_int64(st, 4, limit);
            sqlite3_bind_int64(st, 5, offset);
            *items = arena_alloc(a, (size_t)(limit > 0 ? limit : 1) * sizeof **items);
        }
        int s;
        while ((s = sqlite3_step(st)) == SQLITE_ROW) {
            if (pass == 0)
                *total = sqlite3_column_int64(st, 0);
            else if (*n < limit)
                bo_row(st, a, &(*items)[(*n)++]);
        }
        sqlite3_reset(st);
        if (s != SQLITE_DONE)
            rc = db_fail(db, s, err);
    }
    return rc;
}

/* ------------------------------------------------------------------ */
/* Services                                                             */

static int svc_load_resources(struct db *db, struct arena *a, struct service *s, struct ls_err *err)
{
    sqlite3_stmt *st = db_stmt(db, SQL_SVC_RESOURCES);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    sqlite3_bind_int64(st, 1, s->id);
    int cap = 0, rc;
    s->nresources = 0;
    s->resource_ids = NULL;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (s->nresources == cap) {
            cap = cap ? cap * 2 : 8;
            int64_t *bigger = arena_alloc(a, (size_t)cap * sizeof *bigger);
            if (s->nresources)
                memcpy(bigger, s->resource_ids, (size_t)s->nresources * sizeof *bigger);
            s->resource_ids = bigger;
        }
        s->resource_ids[s->nresources++] = sqlite3_column_int64(st, 0);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? LS_OK : db_fail(db, rc, err);
}

static void svc_row(sqlite3_stmt *st, struct arena *a, struct service *s)
{
    s->id = sqlite3_column_int64(st, 0);
    s->organisation_id = sqlite3_column_int64(st, 1);
    s->name = col_text(st, 2, a);
    s->description = col_text(st, 3, a);
    s->created = sqlite3_column_int64(st, 4);
    s->updated = sqlite3_column_int64(st, 5);
    s->organisation_name = col_text(st, 6, a);
}

int catalogue_service_get(struct db *db, int64_t id, struct arena *a, struct service *out,
                          struct ls_err *err)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = db_stmt(db, SQL_SVC_GET);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        svc_row(st, a, out);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return ls_err_set(err, LS_ENOTFOUND, NULL, "no such service");
    if (rc != SQLITE_ROW)
        return db_fail(db, rc, err);
    return svc_load_resources(db, a, out, err);
}

static int cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int service_check(struct db *db, struct service *s, struct ls_err *err)
{
    int rc = LS_OK;
    if (!exists_by_id(db, SQL_ORG_EXISTS, s->organisation_id))
        rc = ls_err_set(err, LS_EVALIDATION, "organisation_id", "no such organisation");
    if (!rc)
        rc = check_required(s->name, CATALOGUE_NAME_MAX, "name", err);
    if (!rc) {
        if (!s->description)
            s->description = "";
        rc = check_optional(s->description, CATALOGUE_TEXT_MAX, "description", err);
    }
    if (!rc && (s->nresources < 0 || s->nresources > CATALOGUE_SERVICE_RESOURCES_MAX))
        rc = ls_err_set(err, LS_EVALIDATION, "resource_ids", "at most %d resources per service",
                        CATALOGUE_SERVICE_RESOURCES_MAX);
    if (!rc && s->nresources > 0) {
        qsort(s->resource_ids, (size_t)s->nresources, sizeof *s->resource_ids, cmp_id);
        int k = 0;
        for (int i = 0; i < s->nresources; i++)
            if (k == 0 || s->resource_ids[i] != s->resource_ids[k - 1])
                s->resource_ids[k++] = s->resource_ids[i];
        s->nresources = k;
    }
    for (int i = 0; !rc && i < s->nresources; i++) {
        int64_t org = catalogue_resource_org(db, s->resource_ids[i]);
        if (org == 0)
            rc = ls_err_set(err, LS_EVALIDATION, "resource_ids", "no such resource: %lld",
                            (long long)s->resource_ids[i]);
        else if (org != s->organisation_id)
            rc = ls_err_set(err, LS_EVALIDATION, "resource_ids",
                            "resource %lld belongs to another organisation",
                            (long long)s->resource_ids[i]);
    }
    return rc;
}

int catalogue_service_save(struct db *db, struct service *s, struct ls_err *err)
{
    int own, rc;
    if ((rc = tx_begin(db, &own, err)))
        return rc;
    if ((rc = service_check(db, s, err)))
        return tx_end(db, own, rc, err);
    int64_t now = now_s();
    sqlite3_stmt *st = db_stmt(db, s->id ? SQL_SVC_UPDATE : SQL_SVC_INSERT);
    sqlite3_bind_int64(st, 1, s->organisation_id);
    sqlite3_bind_text(st, 2, s->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, s->description, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, now);
    if (s->id) {
        sqlite3_bind_int64(st, 5, s->id);
        rc = step_returning(db, st, &s->updated, err);
    } else {
        rc = db_step_done(db, st, err);
        if (!rc) {
            s->id = sqlite3_last_insert_rowid(db_handle(db));
            s->created = s->updated = now;
        }
    }
    if (!rc) {
        st = db_stmt(db, SQL_SVC_LINKS_DELETE);
        sqlite3_bind_int64(st, 1, s->id);
        rc = db_step_done(db, st, err);
    }
    for (int i = 0; !rc && i < s->nresources; i++) {
        st = db_stmt(db, SQL_SVC_LINK_INSERT);
        sqlite3_bind_int64(st, 1, s->id);
        sqlite3_bind_int64(st, 2, s->resource_ids[i]);
        rc = db_step_done(db, st, err);
    }
    if (!rc)
        rc = refresh_service_search(db, s->id, 0, err);
    return tx_end(db, own, rc, err);
}

int catalogue_service_delete(struct db *db, int64_t id, struct ls_err *err)
{
    int own, rc;
    if ((rc = tx_begin(db, &own, err)))
        return rc;
    sqlite3_stmt *st = db_stmt(db, SQL_SVC_DELETE);
    sqlite3_bind_int64(st, 1, id);
    rc = db_step_done(db, st, err);
    if (!rc && sqlite3_changes(db_handle(db)) == 0)
        rc = ls_err_set(err, LS_ENOTFOUND, NULL, "no such service");
    return tx_end(db, own, rc, err);
}

int catalogue_service_list(struct db *db, const struct service_filter *f, int64_t limit,
                           int64_t offset, struct arena *a, struct service **items, int *n,
                           int64_t *total, struct ls_err *err)
{
    *items = NULL;
    *n = 0;
    *total = 0;
    struct arena tmp = {0};
    const char *sqls[2] = {SQL_SVC_COUNT, SQL_SVC_LIST};
    int rc = LS_OK;
    for (int pass = 0; pass < 2 && rc == LS_OK; pass++) {
        sqlite3_stmt *st = db_stmt(db, sqls[pass]);
        if (!st) {
            rc = ls_err_set(err, LS_EINTERNAL, NULL, "database error");
            break;
        }
        bind_id(st, 1, f->organisation_id);
        bind_id(st, 2, f->resource_id);
        bind_terms(st, 3, f->q, &tmp);
        if (pass == 1) {
            sqlite3_bind_int64(st, 9, limit);
            sqlite3_bind_int64(st, 10, offset);
            *items = arena_alloc(a, (size_t)(limit > 0 ? limit : 1) * sizeof **items);
        }
        int s;
        while ((s = sqlite3_step(st)) == SQLITE_ROW) {
            if (pass == 0)
                *total = sqlite3_column_int64(st, 0);
            else if (*n < limit)
                svc_row(st, a, &(*items)[(*n)++]);
        }
        sqlite3_reset(st);
        if (s != SQLITE_DONE)
            rc = db_fail(db, s, err);
    }
    for (int i = 0; rc == LS_OK && i < *n; i++)
        rc = svc_load_resources(db, a, &(*items)[i], err);
    arena_release(&tmp);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Training                                                             */

int catalogue_training_grant(struct db *db, int64_t resource_id, int64_t user_id,
                             int64_t granted_by, int *created, struct ls_err *err)
{
    int own, rc;
    *created = 0;
    if ((rc = tx_begin(db, &own, err)))
        return rc;
    if (catalogue_resource_org(db, resource_id) == 0)
        rc = ls_err_set(err, LS_ENOTFOUND, NULL, "no such resource");
    else if (!exists_by_id(db, SQL_USER_EXISTS, user_id))
        rc = ls_err_set(err, LS_EVALIDATION, "user_id", "no such user");
    if (!rc) {
        sqlite3_stmt *st = db_stmt(db, SQL_TRAIN_INSERT);
        sqlite3_bind_int64(st, 1, resource_id);
        sqlite3_bind_int64(st, 2, user_id);
        bind_id(st, 3, granted_by);
        sqlite3_bind_int64(st, 4, now_s());
        rc = db_step_done(db, st, err);
        if (!rc)
            *created = sqlite3_changes(db_handle(db)) > 0;
    }
    if (!rc && *created)
        touch_resource(db, resource_id, err, &rc);
    return tx_end(db, own, rc, err);
}

int catalogue_training_revoke(struct db *db, int64_t resource_id, int64_t user_id,
                              struct ls_err *err)
{
    int own, rc;
    if ((rc = tx_begin(db, &own, err)))
        return rc;
    sqlite3_stmt *st = db_stmt(db, SQL_TRAIN_DELETE);
    sqlite3_bind_int64(st, 1, resource_id);
    sqlite3_bind_int64(st, 2, user_id);
    rc = db_step_done(db, st, err);
    if (!rc && sqlite3_changes(db_handle(db)) == 0)
        rc = ls_err_set(err, LS_ENOTFOUND, NULL, "no such training record");
    touch_resource(db, resource_id, err, &rc);
    return tx_end(db, own, rc, err);
}

int catalogue_training_list(struct db *db, int64_t resource_id, int64_t limit, int64_t offset,
                            struct arena *a, struct training **items, int *n, int64_t *total,
                            struct ls_err *err)
{
    *items = NULL;
    *n = 0;
    *total = count_by_id(db, SQL_TRAIN_COUNT, resource_id);
    if (*total < 0)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    sqlite3_stmt *st = db_stmt(db, SQL_TRAIN_LIST);
    if (!st)
        return ls_err_set(err, LS_EINTERNAL, NULL, "database error");
    sqlite3_bind_int64(st, 1, resource_id);
    sqlite3_bind_int64(st, 2, limit);
    sqlite3_bind_int64(st, 3, offset);
    *items = arena_alloc(a, (size_t)(limit > 0 ? limit : 1) * sizeof **items);
    int s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW && *n < limit) {
        struct training *t = &(*items)[(*n)++];
        t->resource_id = sqlite3_column_int64(st, 0);
        t->user_id = sqlite3_column_int64(st, 1);
        t->user_name = col_text(st, 2, a);
        t->user_email = col_text(st, 3, a);
        t->granted_by = sqlite3_column_int64(st, 4);
        t->granted_at = sqlite3_column_int64(st, 5);
    }
    sqlite3_reset(st);
    return s == SQLITE_DONE || s == SQLITE_ROW ? LS_OK : db_fail(db, s, err);
}
