/* postgres_none.c - navoi_outbox_open_postgres() of a navoi built without
 * libpq (meson option postgres=disabled, or libpq-dev missing). */
#include "core/client.h"
#include "storage/storage.h"

NAVOI_API int navoi_outbox_open_postgres(navoi_outbox **out, navoi_client *client,
                                         const char *conninfo)
{
    (void)conninfo;
    if (!out)
        return NAVOI_EINVAL;
    *out = NULL;
    if (!client)
        return NAVOI_EINVAL;
    return navoi__fail(client, NAVOI_ECONFIG, "outbox: built without PostgreSQL support");
}
