/*
 * fuzz_outbox_record.c - the outbox row decoder (src/outbox/record.c): an
 * item record as a storage backend hands it back, which may come from a
 * damaged or tampered database file. What decodes must encode again, and
 * the encoding must be stable: write(read(write(read(x)))) equals
 * write(read(x)).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "navoi/navoi.h"
#include "outbox/outbox.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    navoi__ob_item *a = NULL, *b = NULL;
    navoi__buf w1 = NAVOI__BUF_INIT, w2 = NAVOI__BUF_INIT;

    if (navoi__ob_record_read("fuzz-key", 1, (const char *)data, size, &a) != NAVOI_OK)
        return 0;
    if (navoi__ob_record_write(a, &w1) == NAVOI_OK &&
        navoi__ob_record_read("fuzz-key", 1, w1.data ? w1.data : "", w1.len, &b) == NAVOI_OK &&
        navoi__ob_record_write(b, &w2) == NAVOI_OK) {
        if (w1.len != w2.len || (w1.len && memcmp(w1.data, w2.data, w1.len) != 0)) {
            fprintf(stderr, "outbox record does not survive a second round trip:\n%s\n---\n%s\n",
                    w1.data ? w1.data : "", w2.data ? w2.data : "");
            abort();
        }
    }
    navoi__ob_item_destroy(a);
    navoi__ob_item_destroy(b);
    navoi__buf_free(&w1);
    navoi__buf_free(&w2);
    return 0;
}
