/* api_notify.c — notification settings, a lab's shared mailbox and the
 * outbox view for staff (see notify.h). */
#include "api.h"

#include <string.h>

#include "api_field.h"
#include "json.h"
#include "notify.h"

#define PREF(member, en, pl)                                                                       \
    FIELD(struct notify_prefs, member, #member, FT_BOOL, 0, .def = "true", LABEL(en, pl))
static const struct field PREF_FIELDS[] = {
    PREF(request, "New requests for my resources", "Nowe prośby o rezerwację moich zasobów"),
    PREF(decision, "Decisions on my requests", "Decyzje w sprawie moich próśb"),
    PREF(change, "Changes to my bookings", "Zmiany moich rezerwacji"),
    PREF(reminder, "Reminders before a booking", "Przypomnienia przed rezerwacją"),
    FIELD_END,
};
static const struct shape prefs_shape = {"NotificationSettings",
                                         PREF_FIELDS,
                                         sizeof(struct notify_prefs),
                                         {"notification settings", "ustawienia powiadomień"},
                                         "Which kinds of notification e-mail a user receives"};

struct mailbox {
    int64_t lab_id;
    const char *email;
};
static const struct field MAILBOX_FIELDS[] = {
    FIELD(struct mailbox, lab_id, "lab_id", FT_ID, FF_OUT, LABEL("Lab", "Laboratorium")),
    FIELD(struct mailbox, email, "email", FT_TEXT, FF_NULLABLE, .max = NOTIFY_EMAIL_MAX,
          LABEL("Lab mailbox", "Skrzynka laboratorium"),
          .help = "required; null clears it (requests then go to the owners)"),
    FIELD_END,
};
static const struct shape mailbox_shape = {"LabMailbox",
                                           MAILBOX_FIELDS,
                                           sizeof(struct mailbox),
                                           {"lab mailbox", "skrzynka laboratorium"},
                                           "Where a lab's new requests are also sent"};

static const struct field_choice OUTBOX_STATUSES[] = {
    {"queued", {"queued", "w kolejce"}},
    {"sent", {"sent", "wysłane"}},
    {"failed", {"failed", "nieudane"}},
    {NULL, {NULL, NULL}},
};
struct outbox_query {
    const char *status;
};
static const struct field OUTBOX_QUERY[] = {
    FIELD(struct outbox_query, status, "status", FT_ENUM, 0, .choices = OUTBOX_STATUSES,
          LABEL("Status", "Stan")),
    FIELD_END,
};
static const struct shape outbox_query = {.fields = OUTBOX_QUERY,
                                          .size = sizeof(struct outbox_query)};

#define ROW(member, json, ft, fl, en, pl)                                                          \
    FIELD(struct notify_row, member, json, ft, FF_OUT | (fl), LABEL(en, pl))
static const struct field OUTBOX_FIELDS[] = {
    ROW(id, "id", FT_ID, 0, "Id", "Identyfikator"),
    ROW(kind, "kind", FT_TEXT, 0, "Kind", "Rodzaj"),
    FIELD(struct notify_row, booking_id, "booking_id", FT_ID, FF_OUT | FF_NULLABLE,
          LABEL("Booking", "Rezerwacja"), .help = "null for an account message"),
    ROW(user_id, "user_id", FT_ID, FF_NULLABLE, "User", "Użytkownik"),
    ROW(email, "email", FT_TEXT, 0, "E-mail", "E-mail"),
    ROW(lang, "lang", FT_TEXT, 0, "Language", "Język"),
    ROW(status, "status", FT_TEXT, 0, "Status", "Stan"),
    ROW(attempts, "attempts", FT_LONG, 0, "Attempts", "Próby"),
    ROW(next_attempt, "next_attempt", FT_TIME, FF_NULLABLE, "Next attempt", "Następna próba"),
    ROW(last_error, "last_error", FT_TEXT, FF_NULLABLE, "Last error", "Ostatni błąd"),
    ROW(created, "created", FT_TIME, 0, "Queued", "Dodano"),
    ROW(sent_at, "sent_at", FT_TIME, FF_NULLABLE, "Sent", "Wysłano"),
    FIELD_END,
};
static const struct shape outbox_shape = {"OutboxMessage",
                                          OUTBOX_FIELDS,
                                          sizeof(struct notify_row),
                                          {"message", "wiadomość"},
                                          "A notification e-mail in the outbox"};

static int get_prefs(struct req *r)
{
    struct notify_prefs p;
    int rc = notify_prefs_get(&p, r->db, r->user->id, &r->err);
    return rc ? rc : http_send_json(r, 200, api_field_json(&prefs_shape, &p));
}

static int patch_prefs(struct req *r)
{
    struct notify_prefs p;
    int rc = notify_prefs_get(&p, r->db, r->user->id, &r->err);
    if (rc)
        return rc;
    field_copy(&prefs_shape, &p, r->input, r->input_present);
    if ((rc = notify_prefs_set(r->db, r->user->id, &p, &r->err)))
        return rc;
    return http_send_json(r, 200, api_field_json(&prefs_shape, &p));
}

static int mailbox_reply(struct req *r, int64_t lab_id, const char *email)
{
    struct mailbox m = {lab_id, email};
    return http_send_json(r, 200, api_field_json(&mailbox_shape, &m));
}

static int get_mailbox(struct req *r)
{
    const char *email = NULL;
    int rc = notify_lab_mailbox_get(&email, r->db, &r->arena, r->user, r->obj_id, &r->err);
    return rc ? rc : mailbox_reply(r, r->obj_id, email);
}

static int put_mailbox(struct req *r)
{
    const struct mailbox *m = r->input;
    /* "email" is required but may be null (clears the mailbox). */
    if (!(r->input_present & field_bit(&mailbox_shape, "email")))
        return ls_err_set(&r->err, LS_EVALIDATION, "email", "{field} is required (null clears it)");
    int rc = notify_lab_mailbox_set(r->db, r->user, r->obj_id, m->email, r->client_ip, &r->err);
    return rc ? rc : mailbox_reply(r, r->obj_id, m->email);
}

static int get_outbox(struct req *r)
{
    const struct outbox_query *q = r->query;
    struct notify_rows rows;
    int rc = notify_outbox_list(&rows, r->db, &r->arena, q->status, r->limit, r->offset, &r->err);
    if (rc)
        return rc;
    cJSON *items = cJSON_CreateArray();
    for (int i = 0; i < rows.n; i++) {
        struct notify_row m = rows.items[i];
        if (strcmp(m.status, "queued") != 0) /* only a queued message waits for an attempt */
            m.next_attempt = 0;
        cJSON_AddItemToArray(items, api_field_json(&outbox_shape, &m));
    }
    return http_send_list(r, items, rows.total);
}

/* clang-format off */
const struct route api_notify_routes[] = {
    {.method = "GET", .pattern = "/api/v1/me/notifications", .handler = get_prefs, .access = ACCESS_USER, .tag = "notifications", .summary = "Which notification e-mails I receive", .answer = &prefs_shape},
    {.method = "PATCH", .pattern = "/api/v1/me/notifications", .handler = patch_prefs, .access = ACCESS_USER, .body_max = 1024, .tag = "notifications", .summary = "Turn kinds of notification e-mail on or off", .body = &prefs_shape, .answer = &prefs_shape},
    {.method = "GET", .pattern = "/api/v1/labs/{id}/mailbox", .handler = get_mailbox, .access = ACCESS_OWNER, .tag = "notifications", .summary = "A lab's shared mailbox for new requests", .object = &api_lab_object, .need = NEED_MANAGE, .answer = &mailbox_shape},
    {.method = "PUT", .pattern = "/api/v1/labs/{id}/mailbox", .handler = put_mailbox, .access = ACCESS_OWNER, .body_max = 1024, .tag = "notifications", .summary = "Set or clear a lab's shared mailbox", .object = &api_lab_object, .need = NEED_MANAGE, .body = &mailbox_shape, .answer = &mailbox_shape},
    {.method = "GET", .pattern = "/api/v1/outbox", .handler = get_outbox, .access = ACCESS_STAFF, .flags = ROUTE_PAGED, .tag = "notifications", .summary = "Queued, sent and failed notification e-mails (no bodies)", .query = &outbox_query, .answer = &outbox_shape},
    {0},
};
/* clang-format on */
