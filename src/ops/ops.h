/* ops.h - the table of NAV's ten invoiceService operations. */
#ifndef NAVOI_OPS_OPS_H
#define NAVOI_OPS_OPS_H

enum {
    NAVOI__OP_TOKEN_EXCHANGE = 0,
    NAVOI__OP_MANAGE_INVOICE,
    NAVOI__OP_MANAGE_ANNULMENT,
    NAVOI__OP_QUERY_TRANSACTION_STATUS,
    NAVOI__OP_QUERY_TRANSACTION_LIST,
    NAVOI__OP_QUERY_INVOICE_CHECK,
    NAVOI__OP_QUERY_INVOICE_DATA,
    NAVOI__OP_QUERY_INVOICE_DIGEST,
    NAVOI__OP_QUERY_INVOICE_CHAIN_DIGEST,
    NAVOI__OP_QUERY_TAXPAYER,
    NAVOI__OP_COUNT
};

typedef struct navoi__op_info {
    const char *name;          /* "manageInvoice" */
    const char *path;          /* "/manageInvoice", appended to the base URL */
    const char *request_root;  /* "ManageInvoiceRequest" */
    const char *response_root; /* "ManageInvoiceResponse" */
    int manage;                /* 1: token, indexed signature, never retried blindly */
} navoi__op_info;

/* NULL for an out-of-range op. */
const navoi__op_info *navoi__op(int op);
/* Operation whose request root element is root, or -1. */
int navoi__op_by_request_root(const char *root);
/* Operation whose path (with or without leading '/') is path, or -1. */
int navoi__op_by_path(const char *path);

#endif
