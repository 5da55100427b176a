/* ops.c - owns navoi_storage_ops_init() and the completeness check of a
 * user-supplied table. */
#include <string.h>

#include "storage/storage.h"

NAVOI_API int navoi_storage_ops_init(navoi_storage_ops *ops, int version)
{
    if (!ops || version < 1 || version > NAVOI_STORAGE_OPS_VERSION)
        return NAVOI_EINVAL;
    memset(ops, 0, sizeof *ops);
    ops->version = version;
    return NAVOI_OK;
}

int navoi__storage_ops_check(const navoi_storage_ops *ops)
{
    if (!ops || ops->version < 1 || ops->version > NAVOI_STORAGE_OPS_VERSION)
        return NAVOI_EINVAL;
    if (!ops->begin || !ops->commit || !ops->rollback || !ops->insert || !ops->update ||
        !ops->claim || !ops->select || !ops->payload || !ops->count || !ops->history_add ||
        !ops->history_list || !ops->remove)
        return NAVOI_EINVAL;
    return NAVOI_OK;
}
