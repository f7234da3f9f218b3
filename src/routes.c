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
#include "field.h"

#define D(json, ft, ...)                                                                           \
    {                                                                                              \
        .name = (json), .type = (ft), .flags = FF_OUT, __VA_ARGS__                                 \
    }
static const struct field HEALTH_FIELDS[] = {
    D("status", FT_TEXT, LABEL("Status", "Stan"), .help = "\"ok\", or \"degraded\" with a 503"),
    D("database", FT_TEXT, LABEL("Database", "Baza danych"),
      .help = "\"unavailable\" while it cannot be reached (503, Retry-After)"),
    FIELD_END,
};
static const struct shape health_shape = {
    "Health", HEALTH_FIELDS, 0, {"health", "stan"}, "The process answers and its database too"};
static const struct field FEED_CACHE_FIELDS[] = {
    D("bytes", FT_LONG, LABEL("Bytes", "Bajty")),
    D("hits", FT_LONG, LABEL("Hits", "Trafienia")),
    D("renders", FT_LONG, LABEL("Renders", "Renderowania")),
    FIELD_END,
};
static const struct shape feed_cache_shape = {.fields = FEED_CACHE_FIELDS};
static const struct field GROUP_FIELDS[] = {
    D("writes", FT_LONG, LABEL("Writes", "Zapisy")),
    D("commits", FT_LONG, LABEL("Commits", "Zatwierdzenia")),
    D("largest", FT_LONG, LABEL("Largest group", "Największa grupa")),
    FIELD_END,
};
static const struct shape group_shape = {.fields = GROUP_FIELDS};
static const struct field CONNECTION_FIELDS[] = {
    D("open", FT_LONG, LABEL("Open now", "Otwarte teraz")),
    D("refused", FT_LONG, LABEL("Refused (limit per address)", "Odrzucone (limit na adres)")),
    D("timed_out", FT_LONG, LABEL("Requests cut at their deadline", "Żądania przerwane po czasie")),
    FIELD_END,
};
static const struct shape connection_shape = {.fields = CONNECTION_FIELDS};
static const struct field_choice HEAP_SOURCES[] = {
    {"glibc", {"glibc", "glibc"}},
    {"asan", {"AddressSanitizer", "AddressSanitizer"}},
    {NULL, {NULL, NULL}},
};
static const struct field DIAGNOSTICS_FIELDS[] = {
    D("rss_bytes", FT_LONG, LABEL("Resident memory", "Pamięć rezydentna")),
    D("heap_in_use_bytes", FT_LONG, LABEL("Heap in use", "Sterta w użyciu")),
    D("heap_source", FT_ENUM, .choices = HEAP_SOURCES, LABEL("Heap count from", "Źródło")),
    D("database_heap_bytes", FT_LONG, LABEL("Of it, SQLite's", "W tym SQLite"),
      .help = "page caches (bounded by cache_size), schemas and statements"),
    D("answer_cache_bytes", FT_LONG, LABEL("Answer cache", "Pamięć podręczna odpowiedzi")),
    D("feed_cache", FT_OBJECT, .ref = &feed_cache_shape,
      LABEL("Feed cache", "Pamięć podręczna kalendarzy")),
    D("group_commit", FT_OBJECT, .ref = &group_shape,
      LABEL("Group commit", "Grupowe zatwierdzanie")),
    D("connections", FT_OBJECT, .ref = &connection_shape,
      LABEL("Client connections", "Połączenia klientów")),
    FIELD_END,
};
static const struct shape diagnostics_shape = {"Diagnostics",
                                               DIAGNOSTICS_FIELDS,
                                               0,
                                               {"diagnostics", "diagnostyka"},
                                               "Memory and cache figures of the server process"};

static int get_health(struct req *r)
{
    /* A round trip proves the database answers, not only the process (on
     * PostgreSQL it also brings a lost connection back). */
    int ok = r->db && db_ping(r->db);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "status", ok ? "ok" : "degraded");
    if (!ok) {
        cJSON_AddStringToObject(o, "database", "unavailable");
        char after[16];
        snprintf(after, sizeof after, "%d", DB_RETRY_AFTER);
        http_add_header(r, "Retry-After", after);
    }
    return http_send_json(r, ok ? 200 : 503, o);
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
    cJSON_AddNumberToObject(o, "database_heap_bytes", (double)db_memory_used());
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
    {.method = "GET",
     .pattern = "/api/v1/health",
     .handler = get_health,
     .access = ACCESS_PUBLIC,
     .flags = ROUTE_DB_OPTIONAL,
     .tag = "core",
     .summary = "Liveness and database check",
     .answer = &health_shape},
    {.method = "GET",
     .pattern = "/api/v1/openapi.json",
     .handler = get_openapi,
     .access = ACCESS_PUBLIC,
     .tag = "core",
     .summary = "This API description (OpenAPI 3.1)",
     .answer_type = "application/json"},
    {.method = "GET",
     .pattern = "/api/v1/diagnostics",
     .handler = get_diagnostics,
     .access = ACCESS_STAFF,
     .tag = "core",
     .summary = "Memory and cache figures of the server process",
     .answer = &diagnostics_shape},
    {0},
};

const struct route *const http_route_tables[] = {
    api_core_routes,      api_auth_routes,
    api_catalogue_routes, api_booking_routes,
    api_feed_routes,      api_stats_routes,
    api_notify_routes,    api_import_routes,
    api_accounts_routes,  api_oidc_routes,
    api_price_routes,     api_statement_routes,
    api_economic_routes,  NULL,
};
