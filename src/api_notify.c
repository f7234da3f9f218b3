/* api_notify.c — notification settings, a lab's shared mailbox and the
 * outbox view for staff (see notify.h). */
#include "api.h"

#include <string.h>

#include "json.h"
#include "notify.h"

static cJSON *prefs_json(const struct notify_prefs *p)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, "request", p->request);
    cJSON_AddBoolToObject(o, "decision", p->decision);
    cJSON_AddBoolToObject(o, "change", p->change);
    cJSON_AddBoolToObject(o, "reminder", p->reminder);
    return o;
}

static int get_prefs(struct req *r)
{
    struct notify_prefs p;
    int rc = notify_prefs_get(&p, r->db, r->user->id, &r->err);
    return rc ? rc : http_send_json(r, 200, prefs_json(&p));
}

static int patch_prefs(struct req *r)
{
    static const char *const fields[] = {"request", "decision", "change", "reminder", NULL};
    struct notify_prefs p = {1, 1, 1, 1}, q;
    int rc = json_only(r->json, fields, &r->err);
    /* Read the body into a scratch copy first: a bad field changes nothing. */
    if (!rc)
        rc = notify_prefs_get(&p, r->db, r->user->id, &r->err);
    q = p;
    if (!rc)
        rc = json_bool(r->json, "request", 0, &q.request, NULL, &r->err);
    if (!rc)
        rc = json_bool(r->json, "decision", 0, &q.decision, NULL, &r->err);
    if (!rc)
        rc = json_bool(r->json, "change", 0, &q.change, NULL, &r->err);
    if (!rc)
        rc = json_bool(r->json, "reminder", 0, &q.reminder, NULL, &r->err);
    if (!rc)
        rc = notify_prefs_set(r->db, r->user->id, &q, &r->err);
    return rc ? rc : http_send_json(r, 200, prefs_json(&q));
}

static int mailbox_reply(struct req *r, int64_t lab_id, const char *email)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "lab_id", (double)lab_id);
    json_add_str_or_null(o, "email", email);
    return http_send_json(r, 200, o);
}

static int get_mailbox(struct req *r)
{
    int64_t id;
    const char *email = NULL;
    int rc = http_param_id(r, 0, &id);
    if (!rc)
        rc = notify_lab_mailbox_get(&email, r->db, &r->arena, r->user, id, &r->err);
    return rc ? rc : mailbox_reply(r, id, email);
}

static int put_mailbox(struct req *r)
{
    static const char *const fields[] = {"email", NULL};
    int64_t id;
    const char *email = NULL;
    /* 404 and 403 before the body's 422 (API.md precedence). */
    int rc = http_param_id(r, 0, &id);
    if (!rc)
        rc = notify_lab_mailbox_get(NULL, r->db, NULL, r->user, id, &r->err);
    if (!rc)
        rc = json_only(r->json, fields, &r->err);
    /* "email" is required but may be null (clears the mailbox). */
    int present = 0;
    if (!rc)
        rc = json_string(r->json, "email", 0, 1, NOTIFY_EMAIL_MAX, &r->arena, &email, &present,
                         &r->err);
    if (!rc && !present)
        rc = ls_err_set(&r->err, LS_EVALIDATION, "email", "'email' is required (null clears it)");
    if (!rc && email && !*email)
        email = NULL;
    if (!rc)
        rc = notify_lab_mailbox_set(r->db, r->user, id, email, r->client_ip, &r->err);
    return rc ? rc : mailbox_reply(r, id, email);
}

static int get_outbox(struct req *r)
{
    static const char *const statuses[] = {"queued", "sent", "failed", NULL};
    const char *status = NULL;
    int64_t limit, offset;
    struct notify_rows rows;
    int rc = http_query_enum(r, "status", statuses, &status, NULL);
    if (!rc)
        rc = http_paging(r, &limit, &offset);
    if (!rc)
        rc = notify_outbox_list(&rows, r->db, &r->arena, status, limit, offset, &r->err);
    if (rc)
        return rc;
    cJSON *items = cJSON_CreateArray();
    for (int i = 0; i < rows.n; i++) {
        const struct notify_row *m = &rows.items[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "id", (double)m->id);
        cJSON_AddStringToObject(o, "kind", m->kind);
        json_add_id_or_null(o, "booking_id", m->booking_id); /* null: an account message */
        json_add_id_or_null(o, "user_id", m->user_id);
        cJSON_AddStringToObject(o, "email", m->email);
        cJSON_AddStringToObject(o, "lang", m->lang);
        cJSON_AddStringToObject(o, "status", m->status);
        cJSON_AddNumberToObject(o, "attempts", (double)m->attempts);
        json_add_time_or_null(o, "next_attempt", m->next_attempt, strcmp(m->status, "queued") != 0);
        json_add_str_or_null(o, "last_error", m->last_error);
        json_add_time(o, "created", m->created);
        json_add_time_or_null(o, "sent_at", m->sent_at, m->sent_at == 0);
        cJSON_AddItemToArray(items, o);
    }
    return http_send_list(r, items, rows.total);
}

/* clang-format off */
const struct route api_notify_routes[] = {
    {"GET", "/api/v1/me/notifications", get_prefs, ACCESS_USER, 0, 0, "notifications", "Which notification e-mails I receive"},
    {"PATCH", "/api/v1/me/notifications", patch_prefs, ACCESS_USER, 1024, 0, "notifications", "Turn kinds of notification e-mail on or off"},
    {"GET", "/api/v1/labs/{id}/mailbox", get_mailbox, ACCESS_OWNER, 0, 0, "notifications", "A lab's shared mailbox for new requests"},
    {"PUT", "/api/v1/labs/{id}/mailbox", put_mailbox, ACCESS_OWNER, 1024, 0, "notifications", "Set or clear a lab's shared mailbox (owner of its organisation, staff)"},
    {"GET", "/api/v1/outbox", get_outbox, ACCESS_STAFF, 0, 0, "notifications", "Queued, sent and failed notification e-mails (staff; no bodies)"},
    {0},
};
/* clang-format on */
