/*
 * fuzz_response.c - NAV response bodies (untrusted network input). The
 * first byte selects one of the ten operations, the rest is the body. A
 * parsed answer is also walked through the public accessors, and a parsed
 * queryTransactionStatus is applied to an empty transaction and then to
 * itself, as navoi_txn_poll() would.
 */
#include <stddef.h>
#include <stdint.h>

#include "navoi/navoi.h"
#include "ops/ops.h"
#include "ops/response.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk_result(const navoi_result *r)
{
    size_t i, k, len;

    for (i = 0; i <= navoi_result_count(r); i++) {
        for (k = 0; k <= navoi_result_field_count(r, i); k++) {
            const char *name = navoi_result_field_name(r, i, k);
            (void)navoi_result_field_value(r, i, k);
            if (name)
                (void)navoi_result_get(r, i, name);
        }
        (void)navoi_result_get(r, i, "invoiceNumber[1]/x");
    }
    (void)navoi_result_meta(r, "currentPage");
    (void)navoi_result_content(r, &len);
}

static void walk_txn(const navoi_txn *t)
{
    const char *a, *b, *c, *d;
    size_t i, k, len;
    int x, y;

    (void)navoi_txn_is_final(t);
    (void)navoi_txn_annulment_status(t);
    (void)navoi_txn_original_request_version(t);
    (void)navoi_txn_annulment_decision(t, &a, &b);
    for (i = 0; i <= navoi_txn_item_count(t); i++) {
        (void)navoi_txn_item_index(t, i);
        (void)navoi_txn_item_batch_index(t, i);
        (void)navoi_txn_item_status(t, i);
        (void)navoi_txn_item_original(t, i, &len);
        for (k = 0; k <= navoi_txn_message_count(t, i); k++) {
            (void)navoi_txn_message(t, i, k, &x, &y, &a, &b);
            (void)navoi_txn_message_pointer(t, i, k, &a, &b, &c, &d);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    navoi__response r;
    int op;

    if (size < 1)
        return 0;
    op = data[0] % NAVOI__OP_COUNT;
    navoi__response_parse(op, (const char *)data + 1, size - 1, &r);
    if (r.result)
        walk_result(r.result);
    if (r.status) {
        navoi_txn *t = NULL;
        walk_txn(r.status);
        if (navoi__txn_new(&t, "FUZZTXN", "") == NAVOI_OK) {
            if (navoi__txn_apply(t, r.status) == NAVOI_OK)
                (void)navoi__txn_apply(t, r.status); /* the same poll again */
            walk_txn(t);
            navoi_txn_free(t);
        }
    }
    navoi__response_clear(&r);
    return 0;
}
