/* invoice.h - the navoi_invoice handle. */
#ifndef NAVOI_CORE_INVOICE_H
#define NAVOI_CORE_INVOICE_H

#include <stddef.h>

#include "common/buf.h"

struct navoi_invoice {
    char *xml;           /* uncompressed InvoiceData bytes, NUL-terminated */
    size_t len;
    int operation;       /* NAVOI_OP_* */
    char *number;
    char issue_date[11];
    int electronic;      /* completenessIndicator */
};

/* Reads a whole file into out, failing with NAVOI_ETOOBIG beyond max. */
int navoi__read_file(const char *path, size_t max, navoi__buf *out);

#endif
