/* routes.c — every route table of the server, and the core routes. */
#include "api.h"

#include "db.h"

static int get_health(struct req *r)
{
    /* A cheap query proves the database answers, not only the process. */
    sqlite3_stmt *st = NULL;
    static const char SQL_PING[] = "SELECT 1";
    st = db_stmt(r->db, SQL_PING);
    int ok = st && sqlite3_step(st) == SQLITE_ROW;
    if (st)
        sqlite3_reset(st);
    if (!ok)
        return ls_err_set(&r->err, LS_EUNAVAILABLE, NULL, "database unavailable");
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "status", "ok");
    return http_send_json(r, 200, o);
}

static int get_openapi(struct req *r)
{
    http_add_header(r, "Cache-Control", "public, max-age=300");
    return http_send_json(r, 200, openapi_document());
}

const struct route api_core_routes[] = {
    {"GET", "/api/v1/health", get_health, ACCESS_PUBLIC, 0, 0, "core", "Liveness and database check"},
    {"GET", "/api/v1/openapi.json", get_openapi, ACCESS_PUBLIC, 0, 0, "core", "This API description (OpenAPI 3.1)"},
    {0},
};

const struct route *const http_route_tables[] = {
    api_core_routes,
    api_auth_routes,
    api_catalogue_routes,
    api_booking_routes,
    api_feed_routes,
    api_stats_routes,
    api_notify_routes,
    NULL,
};
