/* routes.c — every route table of the server, and the core routes. */
#include "api.h"

#include <malloc.h>
#include <stdio.h>
#include <unistd.h>
#if defined(__SANITIZE_ADDRESS__)
/* The sanitizer runtime's (sanitizer/allocator_interface.h, which Debian
 * ships only with clang). */
size_t __sanitizer_get_current_allocated_bytes(void);
#endif

#include "conn.h"
#include "db.h"
#include "feed.h"

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

/* The heap the server's own code holds: under AddressSanitizer its
 * allocator's count (RSS there includes the sanitizer's quarantine and
 * stack records), else glibc's bytes in use in every arena and mapping. */
static uint64_t heap_in_use(const char **source)
{
#if defined(__SANITIZE_ADDRESS__)
    *source = "asan";
    return __sanitizer_get_current_allocated_bytes();
#else
    *source = "glibc";
    struct mallinfo2 mi = mallinfo2();
    return (uint64_t)mi.uordblks + (uint64_t)mi.hblkhd;
#endif
}

static uint64_t rss_bytes(void)
{
    unsigned long long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%llu %llu", &pages, &resident) != 2)
            resident = 0;
        fclose(f);
    }
    return (uint64_t)resident * (uint64_t)sysconf(_SC_PAGESIZE);
}

/* Memory and cache figures for operators (and the soak test): what the
 * process holds and what its bounded caches hold of it; and the
 * connection limits' counts (conn.h). */
static int get_diagnostics(struct req *r)
{
    const char *source;
    uint64_t heap = heap_in_use(&source);
    struct feed_cache_stats fc;
    feed_cache_stats(&fc);
    struct db_group_stats gs;
    db_group_stats(&gs);
    struct conn_stats cs;
    conn_get_stats(&cs);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "rss_bytes", (double)rss_bytes());
    cJSON_AddNumberToObject(o, "heap_in_use_bytes", (double)heap);
    cJSON_AddStringToObject(o, "heap_source", source);
    cJSON_AddNumberToObject(o, "answer_cache_bytes", (double)http_answer_cache_bytes());
    cJSON *feeds = cJSON_AddObjectToObject(o, "feed_cache");
    cJSON_AddNumberToObject(feeds, "bytes", (double)fc.bytes);
    cJSON_AddNumberToObject(feeds, "hits", (double)fc.hits);
    cJSON_AddNumberToObject(feeds, "renders", (double)fc.renders);
    cJSON *g = cJSON_AddObjectToObject(o, "group_commit");
    cJSON_AddNumberToObject(g, "writes", (double)gs.writes);
    cJSON_AddNumberToObject(g, "commits", (double)gs.groups);
    cJSON_AddNumberToObject(g, "largest", (double)gs.largest);
    cJSON *c = cJSON_AddObjectToObject(o, "connections");
    cJSON_AddNumberToObject(c, "open", cs.open);
    cJSON_AddNumberToObject(c, "refused", (double)cs.refused);
    cJSON_AddNumberToObject(c, "timed_out", (double)cs.timed_out);
    return http_send_json(r, 200, o);
}

static int get_openapi(struct req *r)
{
    http_add_header(r, "Cache-Control", "public, max-age=300");
    return http_send_json(r, 200, openapi_document());
}

const struct route api_core_routes[] = {
    {"GET", "/api/v1/health", get_health, ACCESS_PUBLIC, 0, 0, "core",
     "Liveness and database check"},
    {"GET", "/api/v1/openapi.json", get_openapi, ACCESS_PUBLIC, 0, 0, "core",
     "This API description (OpenAPI 3.1)"},
    {"GET", "/api/v1/diagnostics", get_diagnostics, ACCESS_STAFF, 0, 0, "core",
     "Memory and cache figures of the server process (staff)"},
    {0},
};

const struct route *const http_route_tables[] = {
    api_core_routes, api_auth_routes,  api_catalogue_routes, api_booking_routes,
    api_feed_routes, api_stats_routes, api_notify_routes,    NULL,
};
