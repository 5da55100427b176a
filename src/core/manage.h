/*
 * manage.h - the one path by which manageInvoice and manageAnnulment
 * requests leave navoi. navoi_manage_invoice()/navoi_manage_annulment() and
 * the outbox both fill a batch and call navoi__manage_send(); the outbox
 * passes the requestId it persisted before sending (so a retry after a
 * lost-transaction check reuses it, PROTOCOL.md 7.5), the public calls let
 * it draw a fresh one.
 */
#ifndef NAVOI_CORE_MANAGE_H
#define NAVOI_CORE_MANAGE_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "navoi/navoi.h"
#include "ops/request.h"

#define NAVOI__MANAGE_MAX 100

typedef struct navoi__manage_batch {
    navoi__manage_item items[NAVOI__MANAGE_MAX];
    navoi__buf data[NAVOI__MANAGE_MAX];       /* base64 payloads */
    char hash[NAVOI__MANAGE_MAX][129];        /* electronicInvoiceHash values */
    const char *label[NAVOI__MANAGE_MAX];     /* invoice number / reference, for the log */
    size_t n;
    int annul;                                /* 1: manageAnnulment */
    int compressed;                           /* compressedContent (invoices only) */
} navoi__manage_batch;

/* A zeroed batch (navoi__calloc); NULL on OOM. */
navoi__manage_batch *navoi__manage_batch_new(int annul, int compressed);
void navoi__manage_batch_free(navoi__manage_batch *b);
/* Appends an invoice: gzip -1 when the batch is compressed, base64, and
 * the electronicInvoiceHash in the client's mode when electronic. Errors
 * are recorded on the client. */
int navoi__manage_batch_add_invoice(navoi_client *c, navoi__manage_batch *b, const char *xml,
                                    size_t len, int operation, int electronic,
                                    const char *label);
/* Appends an annulment (annulmentTimestamp from the clock hook). */
int navoi__manage_batch_add_annulment(navoi_client *c, navoi__manage_batch *b,
                                      const char *reference, int code, const char *reason);
/* Builds, signs and sends the batch with the token the client holds (which
 * is spent and wiped whatever happens) over a fresh connection. request_id
 * NULL draws a new one. On success txid_out gets the transactionId. */
int navoi__manage_send(navoi_client *c, navoi__manage_batch *b, const char *request_id,
                       char txid_out[32]);
/* Makes sure a usable exchange token is held, fetching one if needed. */
int navoi__manage_need_token(navoi_client *c);

#endif
