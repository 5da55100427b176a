/*
 * fuzz_invoice.c - navoi_invoice_new(): InvoiceData XML, plain or gzip,
 * from the caller (who may pass on untrusted documents).
 */
#include <stddef.h>
#include <stdint.h>

#include "navoi/navoi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    navoi_invoice *inv = NULL;
    size_t len;

    if (navoi_invoice_new(&inv, NULL, (const char *)data, size, NAVOI_OP_CREATE) == NAVOI_OK) {
        (void)navoi_invoice_number(inv);
        (void)navoi_invoice_issue_date(inv);
        (void)navoi_invoice_is_electronic(inv);
        (void)navoi_invoice_xml(inv, &len);
        navoi_invoice_free(inv);
    }
    return 0;
}
