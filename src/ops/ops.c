/* ops.c - names, paths and root elements of the ten operations. */
#include "ops/ops.h"

#include <string.h>

static const navoi__op_info g_ops[NAVOI__OP_COUNT] = {
    {"tokenExchange", "/tokenExchange", "TokenExchangeRequest", "TokenExchangeResponse", 0},
    {"manageInvoice", "/manageInvoice", "ManageInvoiceRequest", "ManageInvoiceResponse", 1},
    {"manageAnnulment", "/manageAnnulment", "ManageAnnulmentRequest",
     "ManageAnnulmentResponse", 1},
    {"queryTransactionStatus", "/queryTransactionStatus", "QueryTransactionStatusRequest",
     "QueryTransactionStatusResponse", 0},
    {"queryTransactionList", "/queryTransactionList", "QueryTransactionListRequest",
     "QueryTransactionListResponse", 0},
    {"queryInvoiceCheck", "/queryInvoiceCheck", "QueryInvoiceCheckRequest",
     "QueryInvoiceCheckResponse", 0},
    {"queryInvoiceData", "/queryInvoiceData", "QueryInvoiceDataRequest",
     "QueryInvoiceDataResponse", 0},
    {"queryInvoiceDigest", "/queryInvoiceDigest", "QueryInvoiceDigestRequest",
     "QueryInvoiceDigestResponse", 0},
    {"queryInvoiceChainDigest", "/queryInvoiceChainDigest", "QueryInvoiceChainDigestRequest",
     "QueryInvoiceChainDigestResponse", 0},
    {"queryTaxpayer", "/queryTaxpayer", "QueryTaxpayerRequest", "QueryTaxpayerResponse", 0},
};

const navoi__op_info *navoi__op(int op)
{
    if (op < 0 || op >= NAVOI__OP_COUNT)
        return NULL;
    return &g_ops[op];
}

int navoi__op_by_request_root(const char *root)
{
    int i;
    for (i = 0; i < NAVOI__OP_COUNT; i++)
        if (strcmp(g_ops[i].request_root, root) == 0)
            return i;
    return -1;
}

int navoi__op_by_path(const char *path)
{
    int i;
    if (path[0] == '/')
        path++;
    for (i = 0; i < NAVOI__OP_COUNT; i++)
        if (strcmp(g_ops[i].path + 1, path) == 0)
            return i;
    return -1;
}
