/*
 * response.h - parses every NAV response body into values. Errors come as
 * GeneralErrorResponse (api ns) or GeneralExceptionResponse (common ns) at
 * any HTTP status, and a 200 may carry funcCode ERROR (PROTOCOL.md 1.3), so
 * funcCode is always checked. Matching is by namespace URI + local name.
 */
#ifndef NAVOI_OPS_RESPONSE_H
#define NAVOI_OPS_RESPONSE_H

#include <stddef.h>
#include <stdint.h>

typedef struct navoi_result navoi_result;
typedef struct navoi_txn navoi_txn;

typedef struct navoi__nav_result {
    char func_code[8];     /* "OK", "ERROR" or "" */
    char error_code[64];   /* NAV errorCode, "" if none (truncated if longer) */
    char *message;         /* result/message plus a summary of
                            * technicalValidationMessages; NULL if none */
} navoi__nav_result;

typedef struct navoi__response {
    navoi__nav_result res;
    /* tokenExchange */
    char *encoded_token;            /* base64 text */
    int64_t token_from_ms, token_to_ms;
    /* manageInvoice / manageAnnulment */
    char transaction_id[32];
    /* queries other than queryTransactionStatus */
    navoi_result *result;
    /* queryTransactionStatus: the parsed items, merged into a txn by the caller */
    navoi_txn *status;
} navoi__response;

/* Parses the body of operation op (NAVOI__OP_*). Returns NAVOI_OK when the
 * expected response root was found with funcCode OK and every mandatory
 * value parsed; NAVOI_ENAV when NAV reported an error (res filled);
 * NAVOI_EPROTO when the body is not a NAV response or lacks mandatory
 * values (res.message explains); NAVOI_ENOMEM. out is always safe to clear. */
int navoi__response_parse(int op, const char *body, size_t len, navoi__response *out);
void navoi__response_clear(navoi__response *r);

/* Creates an empty txn for a transaction id. */
int navoi__txn_new(navoi_txn **out, const char *transaction_id, const char *request_id);
/* Applies a freshly parsed status (from navoi__response.status) to txn:
 * items are matched by (index, batchIndex); each status change must be a
 * legal transition (state/status.h) or NAVOI_ESTATE is returned and txn is
 * left unchanged. Messages, original requests and annulment data are
 * replaced by the newer ones. */
int navoi__txn_apply(navoi_txn *txn, const navoi_txn *fresh);

#endif
