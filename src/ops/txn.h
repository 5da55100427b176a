/*
 * txn.h - struct navoi_txn: one manage transaction as NAV reports it in
 * queryTransactionStatus (PROTOCOL.md 5.3): per-item (index, batchIndex)
 * status, validation messages and original request, plus the annulment
 * verification status. The response parser builds a "fresh" txn from one
 * answer; navoi__txn_apply() (response.h) merges it into the caller's
 * handle under the status machine of state/status.h.
 */
#ifndef NAVOI_OPS_TXN_H
#define NAVOI_OPS_TXN_H

#include <stddef.h>
#include <stdint.h>

/* processingResult elements per answer: 100 indices, each possibly a batch
 * modification with several batchIndex results. */
#define NAVOI__TXN_MAX_ITEMS 10000u
/* Validation messages per item and per answer. */
#define NAVOI__TXN_MAX_MESSAGES 10000u
#define NAVOI__TXN_MAX_TOTAL_MESSAGES 100000u
/* Bytes of one message text, code or pointer value (NAV: <= 1024 chars). */
#define NAVOI__TXN_MAX_TEXT 8192u
/* Decoded originalRequest: NAV's 15 MiB uncompressed invoice limit. */
#define NAVOI__TXN_MAX_ORIGINAL 15728640u

typedef struct navoi__txn_msg {
    int kind;          /* NAVOI_MSG_TECHNICAL / NAVOI_MSG_BUSINESS */
    int severity;      /* NAVOI_SEVERITY_* */
    char *code;        /* validationErrorCode, never NULL ("" if none) */
    char *text;        /* message, never NULL */
    /* pointer (business messages only); never NULL, "" when absent */
    char *ptr_tag;
    char *ptr_value;
    char *ptr_line;
    char *ptr_original_invoice_number;
} navoi__txn_msg;

typedef struct navoi__txn_item {
    int32_t index;
    int32_t batch_index;   /* 0 when absent */
    int status;            /* NAVOI_STATUS_* */
    int compressed;        /* compressedContentIndicator */
    navoi__txn_msg *msgs;
    size_t msg_count;
    size_t msg_cap;
    char *original;        /* decoded originalRequest (NUL-terminated) or NULL */
    size_t original_len;
} navoi__txn_item;

struct navoi_txn {
    char *id;                       /* transactionId, never NULL */
    char *request_id;               /* never NULL, "" if unknown */
    navoi__txn_item *items;
    size_t count;
    size_t cap;
    size_t total_msgs;
    char *original_request_version; /* never NULL, "" until reported */
    /* annulmentData; never NULL, "" when absent */
    char *annulment_status;
    char *annulment_decision_date;
    char *annulment_decision_user;
};

typedef struct navoi_txn navoi_txn;

/* Appends an item with no messages. NAVOI_OK, NAVOI_EPROTO (item cap or a
 * duplicate (index, batchIndex)), NAVOI_ENOMEM. *item_out points into the
 * txn until the next append. */
int navoi__txn_add_item(navoi_txn *txn, int32_t index, int32_t batch_index,
                        int status, navoi__txn_item **item_out);

/* Appends a message to an item; any string may be NULL (stored as "").
 * NAVOI_OK, NAVOI_EPROTO (a cap), NAVOI_ENOMEM. */
int navoi__txn_add_message(navoi_txn *txn, navoi__txn_item *item, int kind,
                           int severity, const char *code, const char *text,
                           const char *ptr_tag, const char *ptr_value,
                           const char *ptr_line, const char *ptr_original_invoice_number);

/* Sets the decoded original request of an item, taking ownership of data
 * (navoi__malloc'd, len bytes plus a NUL). */
void navoi__txn_item_set_original(navoi__txn_item *item, char *data, size_t len);

/* Sets originalRequestVersion / annulmentData (NULL = ""). NAVOI_OK or
 * NAVOI_ENOMEM; on failure nothing changes. */
int navoi__txn_set_request_version(navoi_txn *txn, const char *version);
int navoi__txn_set_annulment(navoi_txn *txn, const char *status, const char *decision_date,
                             const char *decision_user);

/* Internal readers for values the public API does not (yet) expose. */
const char *navoi__txn_request_version(const navoi_txn *txn);
const char *navoi__txn_annulment_decision_date(const navoi_txn *txn);
const char *navoi__txn_annulment_decision_user(const navoi_txn *txn);

#endif
