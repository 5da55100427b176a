/* storage_open.h - the storage a CLI command works on: an SQLite file, or
 * a PostgreSQL database named by "postgresql://..." / "postgres://..." or
 * "postgres:" followed by a libpq key=value string. */
#ifndef NAVOI_CLI_STORAGE_OPEN_H
#define NAVOI_CLI_STORAGE_OPEN_H

#include <stddef.h>

#include "navoi/navoi.h"

/* 1 when storage names a PostgreSQL database. */
int cli_storage_is_postgres(const char *storage);
/* Opens the outbox on storage; the error is left on the client. */
int cli_storage_open_outbox(navoi_outbox **out, navoi_client *c, const char *storage);
/* storage for messages, with any password masked
 * ("postgresql://u:***@db/x", "password=***"). */
void cli_storage_display(const char *storage, char *out, size_t outlen);

#endif
