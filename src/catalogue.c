/* catalogue.c — see catalogue.h. */
#include "catalogue.h"

#include <string.h>

#include "db.h"

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
