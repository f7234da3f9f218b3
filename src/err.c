/* err.c — error records; the table itself lives in err.h. */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const int statuses[] = {
#define LS_X_STATUS(name, status, str) status,
    LS_ERRORS(LS_X_STATUS)
#undef LS_X_STATUS
};

static const char *const names[] = {
#define LS_X_NAME(name, status, str) str,
    LS_ERRORS(LS_X_NAME)
#undef LS_X_NAME
};

int ls_err_set(struct ls_err *e, enum ls_code code, const char *field, const char *fmt, ...)
{
    if (!e)
        return code;
    e->code = code;
    snprintf(e->field, sizeof e->field, "%s", field ? field : "");
    va_list ap;
    va_start(ap, fmt);
    va_list pl;
    va_copy(pl, ap);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    /* The Polish form takes the same arguments in the same order
     * (tests/test_msg.c checks every pair). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    vsnprintf(e->message_pl, sizeof e->message_pl, msg_pl(fmt), pl);
#pragma GCC diagnostic pop
    va_end(pl);
    va_end(ap);
    return code;
}

int ls_err_set_both(struct ls_err *e, enum ls_code code, const char *field, const char *en,
                    const char *pl)
{
    if (!e)
        return code;
    e->code = code;
    snprintf(e->field, sizeof e->field, "%s", field ? field : "");
    snprintf(e->message, sizeof e->message, "%s", en);
    snprintf(e->message_pl, sizeof e->message_pl, "%s", pl);
    return code;
}

const char *ls_err_message(const struct ls_err *e, enum msg_lang lang)
{
    return lang == MSG_PL && e->message_pl[0] ? e->message_pl : e->message;
}

void ls_err_clear(struct ls_err *e)
{
    memset(e, 0, sizeof *e);
}

void ls_err_add_conflict(struct ls_err *e, int is_blackout, int64_t id)
{
    int *n = is_blackout ? &e->nblackouts : &e->nconflicts;
    int64_t *ids = is_blackout ? e->blackouts : e->conflicts;
    for (int i = 0; i < *n && i < LS_ERR_MAX_IDS; i++)
        if (ids[i] == id)
            return;
    if (*n < LS_ERR_MAX_IDS)
        ids[*n] = id;
    (*n)++;
}

void ls_err_add_booking(struct ls_err *e, int64_t id)
{
    if (e->nbookings < LS_ERR_MAX_BOOKINGS)
        e->bookings[e->nbookings] = id;
    e->nbookings++;
}

int ls_code_status(enum ls_code code)
{
    if ((unsigned)code >= LS_NCODES)
        return 500;
    return statuses[code];
}

const char *ls_code_name(enum ls_code code)
{
    if ((unsigned)code >= LS_NCODES)
        return "internal";
    return names[code];
}
