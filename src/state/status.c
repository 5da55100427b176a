/*
 * status.c - owns the per-item invoiceStatus machine (PROTOCOL.md 6.1) and
 * the public navoi_status_name(). The numeric NAVOI_STATUS_* values are
 * ordered RECEIVED < PROCESSING < SAVED < DONE on purpose, so "forward" is a
 * comparison; ABORTED sits outside that order because any non-final state
 * may abort (a SAVED item still aborts when its batch aborts, §2.5.6).
 */
#include "state/status.h"

#include <string.h>

#include "navoi/navoi.h"

static const char *const g_names[] = {
    "UNKNOWN", "RECEIVED", "PROCESSING", "SAVED", "DONE", "ABORTED",
};

#define STATUS_COUNT ((int)(sizeof g_names / sizeof g_names[0]))

static int known(int s)
{
    return s >= NAVOI_STATUS_UNKNOWN && s < STATUS_COUNT;
}

NAVOI_API const char *navoi_status_name(int status)
{
    return known(status) ? g_names[status] : g_names[NAVOI_STATUS_UNKNOWN];
}

int navoi__status_from_name(const char *name)
{
    int i;

    if (!name)
        return NAVOI_STATUS_UNKNOWN;
    /* NAV's InvoiceStatusType is an upper-case enumeration; anything else
     * is not a status we can reason about, so it stays UNKNOWN. */
    for (i = NAVOI_STATUS_RECEIVED; i < STATUS_COUNT; i++)
        if (strcmp(name, g_names[i]) == 0)
            return i;
    return NAVOI_STATUS_UNKNOWN;
}

int navoi__status_is_final(int status)
{
    return status == NAVOI_STATUS_DONE || status == NAVOI_STATUS_ABORTED;
}

int navoi__status_transition_ok(int from, int to)
{
    if (!known(from) || !known(to))
        return 0;
    /* Nothing is known yet (a fresh txn, or a handle restored without
     * state): whatever NAV reports first is accepted. */
    if (from == NAVOI_STATUS_UNKNOWN)
        return 1;
    /* A repeated poll reports the same state again. */
    if (from == to)
        return 1;
    if (navoi__status_is_final(from))
        return 0;
    /* Forgetting a known state is a regression as well. */
    if (to == NAVOI_STATUS_UNKNOWN)
        return 0;
    if (to == NAVOI_STATUS_ABORTED)
        return 1;
    /* Polling may miss intermediate states, so any forward skip is fine. */
    return to > from;
}
