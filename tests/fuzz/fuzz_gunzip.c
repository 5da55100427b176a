/*
 * fuzz_gunzip.c - gzip streams: compressed invoice data, originalRequest
 * and queryInvoiceData content. The cap is smaller than the real 15 MB so
 * that a run is fast; the capping code is the same.
 */
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "crypto/crypto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    navoi__buf out = NAVOI__BUF_INIT;

    (void)navoi__is_gzip(data, size);
    (void)navoi__gunzip(data, size, 1u << 20, &out);
    navoi__buf_free(&out);
    return 0;
}
