/*
 * send.c - one manageInvoice / manageAnnulment request for the outbox.
 *
 * The public navoi_manage_invoice() draws its requestId inside the call,
 * but the outbox must persist the requestId (and the exact batch) before
 * the request leaves, and must be able to send the same requestId again
 * after a lost-transaction check (PROTOCOL.md 7.5: an attempt NAV did
 * accept then answers REQUEST_ID_NOT_UNIQUE instead of creating a
 * duplicate). Both go through core/manage.h, which takes the requestId as
 * a parameter: the token the caller fetched is spent and wiped whatever
 * happens, the request goes over a fresh connection that is never reused
 * (libcurl would silently re-send a POST on a dead reused connection), and
 * the error detail lands on the client with the manage triage.
 */
#include <stdio.h>
#include <string.h>

#include "common/alloc.h"

#include "core/client.h"
#include "core/invoice.h"
#include "core/manage.h"
#include "outbox/outbox.h"

/* completenessIndicator of a stored invoice, which decides whether an
 * electronicInvoiceHash is sent. The XML was validated at enqueue. */
static int is_electronic(const char *xml, size_t len, int op)
{
    navoi_invoice *inv = NULL;
    int e = navoi_invoice_new(&inv, NULL, xml, len, op) == NAVOI_OK && inv->electronic;
    navoi_invoice_free(inv);
    return e;
}

int navoi__ob_send(navoi_client *c, int annul, const char *request_id,
                   const navoi__ob_send_item *items, size_t n, char txid_out[32])
{
    navoi__manage_batch *b;
    size_t i;
    int rc = NAVOI_OK;

    txid_out[0] = '\0';
    navoi__clear_error(c);
    snprintf(c->request_id, sizeof c->request_id, "%s", request_id);
    b = navoi__manage_batch_new(annul, 0);
    if (!b) {
        navoi__cleanse(c->token, sizeof c->token);
        return navoi__fail(c, NAVOI_ENOMEM, "out of memory");
    }
    for (i = 0; i < n && rc == NAVOI_OK; i++) {
        const navoi__ob_send_item *it = &items[i];
        if (annul)
            rc = navoi__manage_batch_add_annulment(c, b, it->reference, it->annul_code,
                                                   it->reason);
        else
            rc = navoi__manage_batch_add_invoice(c, b, it->xml, it->len, it->op,
                                                 is_electronic(it->xml, it->len, it->op), NULL);
    }
    if (rc == NAVOI_OK)
        rc = navoi__manage_send(c, b, request_id, txid_out);
    /* The token is spent even when the batch could not be built. */
    navoi__cleanse(c->token, sizeof c->token);
    navoi__manage_batch_free(b);
    return rc;
}
