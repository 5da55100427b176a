/* ops.c - owns navoi_storage_ops_init(), the completeness check of a
 * user-supplied table and the opening of a built-in backend for a handle. */
#include <stddef.h>
#include <string.h>

#include "core/client.h"
#include "storage/storage.h"

NAVOI_API int navoi_storage_ops_init(navoi_storage_ops *ops, int version)
{
    if (!ops || version < 1 || version > NAVOI_STORAGE_OPS_VERSION)
        return NAVOI_EINVAL;
    /* A table filled for an older version is smaller: touch only its fields. */
    memset(ops, 0, navoi__storage_ops_size(version));
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

size_t navoi__storage_ops_size(int version)
{
    return version < 2   ? offsetof(navoi_storage_ops, inbound_put)
           : version < 3 ? offsetof(navoi_storage_ops, claim_due)
                         : sizeof(navoi_storage_ops);
}

int navoi__storage_ops_check_v2(const navoi_storage_ops *ops)
{
    if (navoi__storage_ops_check(ops) != NAVOI_OK || ops->version < 2)
        return NAVOI_EINVAL;
    if (!ops->inbound_put || !ops->inbound_get || !ops->inbound_list || !ops->state_get ||
        !ops->state_set || !ops->history_scan)
        return NAVOI_EINVAL;
    return NAVOI_OK;
}

int navoi__storage_open_handle(void *out, navoi_client *client, const char *who,
                               navoi__storage_open_fn open_fn, const char *target,
                               navoi__storage_make_fn make)
{
    navoi_storage_ops ops;
    void *ud = NULL;
    char err[800];
    int rc;

    if (!client || !target)
        return NAVOI_EINVAL;
    rc = open_fn(target, client, &ops, &ud, err, sizeof err);
    if (rc != NAVOI_OK) {
        navoi__fail(client, rc, "%s: %s", who, err);
        return rc;
    }
    rc = make(out, client, &ops, ud);
    if (rc != NAVOI_OK)
        ops.destroy(ud);
    return rc;
}
