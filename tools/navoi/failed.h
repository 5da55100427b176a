/* failed.h - iteration over the outbox items that need a person, shared by
 * `navoi failed` and `navoi report`. */
#ifndef NAVOI_CLI_FAILED_H
#define NAVOI_CLI_FAILED_H

#include <stdint.h>

#include "navoi/navoi.h"

typedef void (*cli_failed_fn)(const navoi_outbox_item *it, void *ud);
/* Calls fn for up to limit items per state (FAILED, ABORTED,
 * NEEDS_ATTENTION); -1 on a storage error (navoi_outbox_errmsg). */
int cli_failed_each(navoi_outbox *ob, uint32_t limit, cli_failed_fn fn, void *ud);

#endif
