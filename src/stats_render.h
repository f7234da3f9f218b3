/* stats_render.h — the JSON and CSV forms of the stats reports, shared by
 * the HTTP routes (api_stats.c) and the command line (cli_stats.c) so both
 * answer byte for byte the same.
 *
 * Presentation, not domain: this file may use cJSON. Numbers are written
 * unrounded (API.md § Figures: hours, kWh, kg, rates, shares and areas as
 * computed; only the browser rounds, for people) and the CSV prints the same
 * values in the shortest form that reads back, so a CSV cell parses to the
 * JSON number.
 *
 * CSV goes through csv.h (RFC 4180, or the Polish dialect of `locale`,
 * with formula-like names neutralised), a header row first. */
#ifndef LS_STATS_RENDER_H
#define LS_STATS_RENDER_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "csv.h"
#include "stats.h"

/* The caller owns the returned cJSON (cJSON_Delete) or the malloc'd CSV
 * text (free; *len is its length in bytes). */
cJSON *stats_render_utilisation_json(const struct stats_utilisation *u);
char *stats_render_utilisation_csv(const struct stats_utilisation *u, enum csv_locale locale,
                                   size_t *len);
cJSON *stats_render_indicators_json(const struct stats_indicators *in);
char *stats_render_indicators_csv(const struct stats_indicators *in, enum csv_locale locale,
                                  size_t *len);
cJSON *stats_render_heatmap_json(const struct stats_query *q, const struct stats_heatmap *hm);
char *stats_render_heatmap_csv(const struct stats_heatmap *hm, enum csv_locale locale, size_t *len);
/* months[12] grouped by group_by (STATS_BY_NONE, _GROUP or _KIND). */
cJSON *stats_render_monthly_json(int year, enum stats_group_by g,
                                 const struct stats_utilisation months[12]);
char *stats_render_monthly_csv(int year, enum stats_group_by g,
                               const struct stats_utilisation months[12], enum csv_locale locale,
                               size_t *len);

/* A file name for Content-Disposition, e.g. "labshare-utilisation-2026-01-01-2027-01-01.csv"
 * (static buffer of the caller, at least 96 bytes). */
void stats_render_csv_name(char *out, size_t size, const char *what, int64_t from, int64_t to);

#endif
