/* openapi.c — GET /api/v1/openapi.json, generated from the route tables so
 * the description cannot drift from the code. Object schemas that the
 * modules document live in openapi_schemas[] below. */
#include <stdio.h>
#include <string.h>

#include "api.h"

/* Component schemas, as JSON text (kept beside the generator so a new field
 * is one edit away). Modules extend this list as their objects land. */
static const char SCHEMAS[] =
    "{"
    "\"Error\":{\"type\":\"object\",\"required\":[\"error\",\"message\"],\"properties\":{"
    "\"error\":{\"type\":\"string\",\"enum\":[\"bad_request\",\"validation\",\"unauthenticated\","
    "\"forbidden\",\"not_found\",\"method_not_allowed\",\"conflict\",\"payload_too_large\","
    "\"too_many_requests\",\"internal\",\"unavailable\"]},"
    "\"message\":{\"type\":\"string\"},\"field\":{\"type\":\"string\"},"
    "\"conflicts\":{\"type\":\"array\",\"items\":{\"type\":\"integer\"}},"
    "\"blackouts\":{\"type\":\"array\",\"items\":{\"type\":\"integer\"}}}},"
    "\"User\":{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"},"
    "\"email\":{\"type\":\"string\"},\"name\":{\"type\":\"string\"},"
    "\"role\":{\"type\":\"string\",\"enum\":[\"researcher\",\"owner\",\"staff\"]},"
    "\"organisation_id\":{\"type\":[\"integer\",\"null\"]},\"active\":{\"type\":\"boolean\"},"
    "\"lang\":{\"type\":\"string\",\"enum\":[\"pl\",\"en\"]}}},"
    "\"Organisation\":{\"type\":\"object\",\"required\":[\"id\",\"name\",\"short_name\",\"group\","
    "\"package\","
    "\"member\",\"city\"],\"properties\":{\"id\":{\"type\":\"integer\",\"readOnly\":true},\"name\":"
    "{\"type\":\"string\","
    "\"maxLength\":200},\"short_name\":{\"type\":\"string\",\"maxLength\":40,\"default\":\"\"},"
    "\"group\":{\"type\":\"string\","
    "\"enum\":[\"BioF\",\"BIZ\",\"MED\",\"R&D\",\"EDU\",\"GOV\"]},\"package\":{\"type\":\"string\","
    "\"enum\":[\"standard\","
    "\"silver\",\"gold\",\"none\"],\"default\":\"none\"},\"member\":{\"type\":\"boolean\","
    "\"default\":true},\"city\":{\"type\":[\"string\","
    "\"null\"],\"default\":null},\"website\":{\"type\":[\"string\",\"null\"],\"format\":\"uri\","
    "\"default\":null},"
    "\"description\":{\"type\":\"string\",\"maxLength\":4000,\"default\":\"\"},\"created\":{"
    "\"type\":\"string\","
    "\"format\":\"date-time\",\"readOnly\":true},\"updated\":{\"type\":\"string\",\"format\":"
    "\"date-time\","
    "\"readOnly\":true}}},\"Lab\":{\"type\":\"object\",\"required\":[\"id\",\"organisation_id\","
    "\"name\",\"kind\","
    "\"area_m2\"],\"properties\":{\"id\":{\"type\":\"integer\",\"readOnly\":true},\"organisation_"
    "id\":{\"type\":\"integer\"},"
    "\"organisation_name\":{\"type\":\"string\",\"readOnly\":true},\"name\":{\"type\":\"string\","
    "\"maxLength\":200},"
    "\"kind\":{\"type\":\"string\",\"enum\":[\"commercial\",\"scientific\",\"teaching\",\"office\","
    "\"coworking\"]},"
    "\"area_m2\":{\"type\":\"number\",\"exclusiveMinimum\":0},\"energy_kwh_per_m2_year\":{\"type\":"
    "[\"number\","
    "\"null\"],\"minimum\":0,\"default\":null,\"description\":\"null = the default intensity for "
    "its kind\"},"
    "\"building\":{\"type\":[\"string\",\"null\"],\"default\":null},\"address\":{\"type\":["
    "\"string\",\"null\"],"
    "\"default\":null},\"city\":{\"type\":[\"string\",\"null\"],\"default\":null},\"biosafety_"
    "level\":{\"type\":\"integer\","
    "\"minimum\":0,\"maximum\":4,\"default\":0},\"description\":{\"type\":\"string\",\"default\":"
    "\"\"},\"resource_count\":{\"type\":\"integer\","
    "\"readOnly\":true},\"created\":{\"type\":\"string\",\"format\":\"date-time\",\"readOnly\":"
    "true},\"updated\":{\"type\":\"string\","
    "\"format\":\"date-time\",\"readOnly\":true}}},\"OpeningWindow\":{\"type\":\"object\","
    "\"required\":[\"weekday\","
    "\"open\",\"close\"],\"properties\":{\"weekday\":{\"type\":\"integer\",\"minimum\":1,"
    "\"maximum\":7,\"description\":\"ISO weekday,"
    " Monday = "
    "1\"},\"open\":{\"type\":\"string\",\"pattern\":\"^([01][0-9]|2[0-3]):[0-5][0-9]$\"},\"close\":"
    "{\"type\":\"string\","
    "\"pattern\":\"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$\"}}},\"Resource\":{\"type\":\"object\","
    "\"required\":[\"id\","
    "\"lab_id\",\"type\",\"name\"],\"properties\":{\"id\":{\"type\":\"integer\",\"readOnly\":true},"
    "\"lab_id\":{\"type\":\"integer\"},"
    "\"organisation_id\":{\"type\":\"integer\",\"readOnly\":true},\"lab_name\":{\"type\":"
    "\"string\",\"readOnly\":true},"
    "\"organisation_name\":{\"type\":\"string\",\"readOnly\":true},\"organisation_short_name\":{"
    "\"type\":\"string\","
    "\"readOnly\":true},\"type\":{\"type\":\"string\",\"enum\":[\"room\",\"instrument\",\"desk\"]},"
    "\"name\":{\"type\":\"string\","
    "\"maxLength\":200},\"category\":{\"type\":\"string\",\"default\":\"\"},\"description\":{"
    "\"type\":\"string\","
    "\"default\":\"\"},\"shared\":{\"type\":\"boolean\",\"default\":true},\"requires_approval\":{"
    "\"type\":\"boolean\","
    "\"default\":true},\"requires_training\":{\"type\":\"boolean\",\"default\":false},\"power_kw\":"
    "{\"type\":\"number\","
    "\"minimum\":0,\"default\":0},\"standby_kw\":{\"type\":\"number\",\"minimum\":0,\"default\":0},"
    "\"slot_minutes\":{\"type\":\"integer\","
    "\"minimum\":1,\"maximum\":1440,\"default\":30},\"min_minutes\":{\"type\":\"integer\","
    "\"minimum\":1,\"default\":30},"
    "\"max_minutes\":{\"type\":\"integer\",\"minimum\":1,\"default\":480,\"description\":\"at "
    "least min_minutes\"},"
    "\"opening_hours\":{\"type\":\"array\",\"maxItems\":28,\"items\":{\"$ref\":\"#/components/"
    "schemas/OpeningWindow\"},"
    "\"description\":\"empty = closed; default Mon-Fri "
    "08:00-18:00\"},\"city\":{\"type\":[\"string\","
    "\"null\"],\"readOnly\":true},\"biosafety_level\":{\"type\":\"integer\",\"readOnly\":true,"
    "\"description\":\"its lab's\"},"
    "\"trained\":{\"type\":\"boolean\",\"readOnly\":true,\"description\":\"whether the signed-in "
    "user is trained on it\"},"
    "\"created\":{\"type\":\"string\",\"format\":\"date-time\",\"readOnly\":true},\"updated\":{"
    "\"type\":\"string\","
    "\"format\":\"date-time\",\"readOnly\":true}}},\"Blackout\":{\"type\":\"object\",\"required\":["
    "\"id\",\"resource_id\","
    "\"start\",\"end\",\"reason\"],\"properties\":{\"id\":{\"type\":\"integer\",\"readOnly\":true},"
    "\"resource_id\":{\"type\":\"integer\","
    "\"readOnly\":true},\"start\":{\"type\":\"string\",\"format\":\"date-time\"},\"end\":{\"type\":"
    "\"string\","
    "\"format\":\"date-time\",\"description\":\"after "
    "start\"},\"reason\":{\"type\":\"string\",\"default\":\"\"},"
    "\"created\":{\"type\":\"string\",\"format\":\"date-time\",\"readOnly\":true}}},\"Service\":{"
    "\"type\":\"object\","
    "\"required\":[\"id\",\"organisation_id\",\"name\",\"description\",\"resource_ids\"],"
    "\"properties\":{\"id\":{\"type\":\"integer\","
    "\"readOnly\":true},\"organisation_id\":{\"type\":\"integer\"},\"organisation_name\":{\"type\":"
    "\"string\","
    "\"readOnly\":true},\"name\":{\"type\":\"string\",\"maxLength\":200},\"description\":{\"type\":"
    "\"string\","
    "\"default\":\"\"},\"resource_ids\":{\"type\":\"array\",\"maxItems\":100,\"items\":{\"type\":"
    "\"integer\"},"
    "\"description\":\"resources of the same "
    "organisation\"},\"created\":{\"type\":\"string\",\"format\":\"date-time\","
    "\"readOnly\":true},\"updated\":{\"type\":\"string\",\"format\":\"date-time\",\"readOnly\":"
    "true}}},\"Training\":{\"type\":\"object\","
    "\"properties\":{\"resource_id\":{\"type\":\"integer\"},\"user_id\":{\"type\":\"integer\"},"
    "\"name\":{\"type\":\"string\"},"
    "\"email\":{\"type\":\"string\"},\"granted_by\":{\"type\":[\"integer\",\"null\"]},\"granted_"
    "at\":{\"type\":\"string\","
    "\"format\":\"date-time\"}}}"
    ",\"Booking\":{\"type\":\"object\",\"required\":[\"resource_id\",\"start\",\"end\"],\"p"
    "roperties\":{\"id\":{\"type\":\"integer\",\"readOnly\":true},\"resource_id\":{\"ty"
    "pe\":\"integer\"},\"user_id\":{\"type\":\"integer\",\"readOnly\":true},\"organisat"
    "ion_id\":{\"type\":[\"integer\",\"null\"],\"readOnly\":true},\"start\":{\"type\":\"s"
    "tring\",\"format\":\"date-time\"},\"end\":{\"type\":\"string\",\"format\":\"date-tim"
    "e\"},\"purpose\":{\"type\":\"string\"},\"status\":{\"type\":\"string\",\"enum\":[\"pen"
    "ding\",\"approved\",\"declined\",\"cancelled\"],\"readOnly\":true},\"created\":{\""
    "type\":\"string\",\"format\":\"date-time\"},\"updated\":{\"type\":\"string\",\"forma"
    "t\":\"date-time\"},\"decided_by\":{\"type\":[\"integer\",\"null\"]},\"reason\":{\"ty"
    "pe\":[\"string\",\"null\"]},\"series_id\":{\"type\":[\"integer\",\"null\"]},\"sequen"
    "ce\":{\"type\":\"integer\"},\"no_show\":{\"type\":\"boolean\"},\"rrule\":{\"type\":\"s"
    "tring\",\"writeOnly\":true,\"description\":\"RFC 5545 RRULE, e.g. FREQ=WEEKL"
    "Y;COUNT=10\"}}},\"Feed\":{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"int"
    "eger\"},\"scope\":{\"type\":\"string\",\"enum\":[\"resource\",\"lab\",\"organisation"
    "\",\"user\"]},\"scope_id\":{\"type\":\"integer\"},\"name\":{\"type\":\"string\"},\"cre"
    "ated\":{\"type\":\"string\",\"format\":\"date-time\"},\"last_used\":{\"type\":[\"str"
    "ing\",\"null\"],\"format\":\"date-time\"},\"url\":{\"type\":\"string\",\"description"
    "\":\"only in the answer to POST /api/v1/feeds\"},\"webcal_url\":{\"type\":\"st"
    "ring\"}}},\"UtilisationFigures\":{\"type\":\"object\",\"properties\":{\"availabl"
    "e_hours\":{\"type\":\"number\"},\"booked_hours\":{\"type\":\"number\"},\"used_hour"
    "s\":{\"type\":\"number\"},\"booked_rate\":{\"type\":\"number\"},\"used_rate\":{\"typ"
    "e\":\"number\"},\"cross_organisation_share\":{\"type\":\"number\"},\"bookings\":{"
    "\"type\":\"number\"},\"users\":{\"type\":\"number\"},\"kwh\":{\"type\":\"number\"},\"kg"
    "_co2e\":{\"type\":\"number\"}}},\"Indicators\":{\"type\":\"object\",\"properties\":"
    "{\"year\":{\"type\":\"integer\"},\"lab_area_m2\":{\"type\":\"object\",\"properties\""
    ":{\"commercial\":{\"type\":\"number\"},\"scientific\":{\"type\":\"number\"},\"total"
    "\":{\"type\":\"number\"}}},\"shared_labs\":{\"type\":\"integer\"},\"shared_resourc"
    "es\":{\"type\":\"integer\"},\"shared_services\":{\"type\":\"integer\"},\"users\":{\""
    "type\":\"integer\"},\"utilisation\":{\"type\":\"object\",\"properties\":{\"booked_"
    "hours\":{\"type\":\"number\"},\"available_hours\":{\"type\":\"number\"},\"rate\":{\""
    "type\":\"number\"}}},\"cross_organisation_share\":{\"type\":\"number\"},\"carbon"
    "_kg_co2e\":{\"type\":\"object\",\"properties\":{\"infrastructure\":{\"type\":\"num"
    "ber\"},\"bookings\":{\"type\":\"number\"}}},\"grid_factor_kg_per_kwh\":{\"type\":"
    "\"number\"},\"provisional\":{\"type\":\"boolean\"}}},"
    /* GET /api/v1/diagnostics (staff) */
    "\"Diagnostics\":{\"type\":\"object\",\"properties\":{\"rss_bytes\":{\"type\":"
    "\"integer\"},\"heap_in_use_bytes\":{\"type\":\"integer\"},\"heap_source\":{"
    "\"enum\":[\"glibc\",\"asan\"]},\"answer_cache_bytes\":{\"type\":\"integer\"},"
    "\"feed_cache\":{\"type\":\"object\",\"properties\":{\"bytes\":{\"type\":"
    "\"integer\"},\"hits\":{\"type\":\"integer\"},\"renders\":{\"type\":\"integer\"}}},"
    "\"group_commit\":{\"type\":\"object\",\"properties\":{\"writes\":{\"type\":"
    "\"integer\"},\"commits\":{\"type\":\"integer\"},\"largest\":{\"type\":"
    "\"integer\"}}},"
    "\"connections\":{\"type\":\"object\",\"properties\":{\"open\":{\"type\":"
    "\"integer\"},\"refused\":{\"type\":\"integer\"},\"timed_out\":{\"type\":"
    "\"integer\"}}}}}"
    "}";

static cJSON *error_response(const char *desc)
{
    cJSON *resp = cJSON_CreateObject();
    cJSON_AddStringToObject(resp, "description", desc);
    cJSON *content = cJSON_AddObjectToObject(resp, "content");
    cJSON *mt = cJSON_AddObjectToObject(content, "application/json");
    cJSON *schema = cJSON_AddObjectToObject(mt, "schema");
    cJSON_AddStringToObject(schema, "$ref", "#/components/schemas/Error");
    return resp;
}

static cJSON *operation(const struct route *rt)
{
    cJSON *op = cJSON_CreateObject();
    cJSON_AddStringToObject(op, "summary", rt->summary ? rt->summary : "");
    cJSON *tags = cJSON_AddArrayToObject(op, "tags");
    cJSON_AddItemToArray(tags, cJSON_CreateString(rt->tag ? rt->tag : "misc"));
    char opid[160];
    snprintf(opid, sizeof opid, "%s %s", rt->method, rt->pattern);
    cJSON_AddStringToObject(op, "operationId", opid);

    cJSON *params = cJSON_CreateArray();
    for (const char *p = strchr(rt->pattern, '{'); p; p = strchr(p + 1, '{')) {
        const char *close = strchr(p, '}');
        if (!close)
            break;
        cJSON *par = cJSON_CreateObject();
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)(close - p - 1), p + 1);
        cJSON_AddStringToObject(par, "name", name);
        cJSON_AddStringToObject(par, "in", "path");
        cJSON_AddBoolToObject(par, "required", 1);
        cJSON *schema = cJSON_AddObjectToObject(par, "schema");
        cJSON_AddStringToObject(schema, "type", strcmp(name, "id") == 0 ? "integer" : "string");
        cJSON_AddItemToArray(params, par);
    }
    if (cJSON_GetArraySize(params) > 0)
        cJSON_AddItemToObject(op, "parameters", params);
    else
        cJSON_Delete(params);

    if (rt->body_max > 0) {
        cJSON *rb = cJSON_AddObjectToObject(op, "requestBody");
        cJSON *content = cJSON_AddObjectToObject(rb, "content");
        cJSON *mt = cJSON_AddObjectToObject(content, "application/json");
        cJSON *schema = cJSON_AddObjectToObject(mt, "schema");
        cJSON_AddStringToObject(schema, "type", "object");
        cJSON_AddNumberToObject(rb, "x-max-bytes", (double)rt->body_max);
    }
    if (rt->access == ACCESS_PUBLIC) {
        cJSON_AddItemToObject(op, "security", cJSON_CreateArray());
    }
    static const char *const who[] = {"anyone", "signed-in user", "owner or staff", "staff"};
    cJSON_AddStringToObject(op, "x-access", who[rt->access]);

    cJSON *responses = cJSON_AddObjectToObject(op, "responses");
    cJSON *ok = cJSON_CreateObject();
    cJSON_AddStringToObject(ok, "description", "success");
    cJSON_AddItemToObject(responses, strcmp(rt->method, "POST") == 0 ? "2XX" : "200", ok);
    if (rt->access != ACCESS_PUBLIC)
        cJSON_AddItemToObject(responses, "401", error_response("not signed in"));
    cJSON_AddItemToObject(responses, "4XX", error_response("client error"));
    return op;
}

cJSON *openapi_document(void)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "openapi", "3.1.0");
    cJSON *info = cJSON_AddObjectToObject(doc, "info");
    cJSON_AddStringToObject(info, "title", "labshare");
    cJSON_AddStringToObject(info, "version", "1");
    cJSON_AddStringToObject(info, "description",
                            "Booking of shared laboratories, instruments and desks for the "
                            "Klaster LifeScience Kraków.");
    cJSON *servers = cJSON_AddArrayToObject(doc, "servers");
    cJSON *server = cJSON_CreateObject();
    cJSON_AddStringToObject(server, "url", http_public_url());
    cJSON_AddItemToArray(servers, server);

    cJSON *paths = cJSON_AddObjectToObject(doc, "paths");
    for (const struct route *const *t = http_route_tables; *t; t++)
        for (const struct route *rt = *t; rt->method; rt++) {
            cJSON *item = cJSON_GetObjectItemCaseSensitive(paths, rt->pattern);
            if (!item)
                item = cJSON_AddObjectToObject(paths, rt->pattern);
            char m[8];
            size_t i = 0;
            for (; rt->method[i] && i < sizeof m - 1; i++)
                m[i] = (char)(rt->method[i] | 0x20);
            m[i] = '\0';
            cJSON_AddItemToObject(item, m, operation(rt));
        }

    cJSON *components = cJSON_AddObjectToObject(doc, "components");
    cJSON *schemas = cJSON_Parse(SCHEMAS);
    cJSON_AddItemToObject(components, "schemas", schemas ? schemas : cJSON_CreateObject());
    cJSON *sec = cJSON_AddObjectToObject(components, "securitySchemes");
    cJSON *cookie = cJSON_AddObjectToObject(sec, "session");
    cJSON_AddStringToObject(cookie, "type", "apiKey");
    cJSON_AddStringToObject(cookie, "in", "cookie");
    cJSON_AddStringToObject(cookie, "name", "labshare_session");
    cJSON *security = cJSON_AddArrayToObject(doc, "security");
    cJSON *req = cJSON_CreateObject();
    cJSON_AddItemToObject(req, "session", cJSON_CreateArray());
    cJSON_AddItemToArray(security, req);
    return doc;
}
