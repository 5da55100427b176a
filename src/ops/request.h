/*
 * request.h - builds the signed request documents of the ten operations.
 * Output is canonical (xml/writer.h): default namespace api, prefix
 * "common:" for header and user (as NAV's samples), elements in XSD order.
 * Every builder returns NAVOI_OK, NAVOI_EINVAL (a value breaks the XSD
 * pattern; nothing is sent that NAV would reject as a schema violation when
 * it can be known locally) or NAVOI_ENOMEM.
 * Builders append to out; on failure out is cut back to its length on entry
 * (after NAVOI_ENOMEM it keeps its sticky oom flag).
 * The header always carries headerVersion 1.0 and returnOriginalRequest is
 * always explicit, as in NAV's samples.
 */
#ifndef NAVOI_OPS_REQUEST_H
#define NAVOI_OPS_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

typedef struct navoi_digest_query navoi_digest_query;

/* Operations per manage request (XSD maxOccurs 100). More items give
 * NAVOI_ETOOBIG, like navoi_manage_invoice(); zero items give NAVOI_EINVAL. */
#define NAVOI__REQ_MAX_ITEMS 100
/* Widest insDate / invoiceIssueDate range NAV accepts: 35 days = 840 h
 * (BAD_QUERY_PARAM_RANGE_EXCEEDED). */
#define NAVOI__REQ_MAX_RANGE_DAYS 35

typedef struct navoi__software {
    char id[19];            /* [0-9A-Z-]{18} */
    char *name;             /* <= 50 */
    int operation;          /* NAVOI_SOFTWARE_LOCAL / _ONLINE */
    char *main_version;     /* <= 15 */
    char *dev_name;         /* <= 512 */
    char *dev_contact;      /* <= 200 */
    char dev_country[3];    /* "" = omitted */
    char *dev_tax_number;   /* NULL = omitted */
} navoi__software;

typedef struct navoi__envelope {
    const char *request_id;      /* [+a-zA-Z0-9_]{1,30} */
    const char *timestamp;       /* "YYYY-MM-DDThh:mm:ss.mmmZ" as it will be sent */
    const char *login;
    const char *password_hash;   /* 128 upper-case hex */
    const char *tax_number;      /* 8 digits */
    const char *sign_key;
    const navoi__software *software;
} navoi__envelope;

/* One item of manageInvoice/manageAnnulment. */
typedef struct navoi__manage_item {
    const char *operation;    /* CREATE / MODIFY / STORNO / ANNUL */
    const char *data;         /* base64 text, one line */
    size_t data_len;
    const char *ehash;        /* electronicInvoiceHash value or NULL */
    const char *ehash_crypto; /* "SHA3-512" / "SHA-256" */
} navoi__manage_item;

/* invoiceNumberQuery of queryInvoiceCheck / queryInvoiceData. */
typedef struct navoi__number_query {
    const char *invoice_number;
    int direction;               /* NAVOI_OUTBOUND / NAVOI_INBOUND */
    int32_t batch_index;         /* 0 = omitted */
    const char *supplier_tax_number; /* NULL = omitted */
} navoi__number_query;

int navoi__req_token_exchange(const navoi__envelope *e, navoi__buf *out);
/* n = 1..100 (n > 100: NAVOI_ETOOBIG). Items are signed and numbered in
 * array order. ehash needs ehash_crypto "SHA3-512" (128 upper-case hex) or
 * "SHA-256" (64 upper-case hex). */
int navoi__req_manage_invoice(const navoi__envelope *e, const char *token, int compressed,
                              const navoi__manage_item *items, size_t n, navoi__buf *out);
/* Items carry operation "ANNUL"; ehash is ignored. n as above. */
int navoi__req_manage_annulment(const navoi__envelope *e, const char *token,
                                const navoi__manage_item *items, size_t n, navoi__buf *out);
int navoi__req_query_transaction_status(const navoi__envelope *e, const char *transaction_id,
                                        int return_original, navoi__buf *out);
/* request_status NULL = omitted; from/to ms since epoch UTC, from <= to,
 * at most NAVOI__REQ_MAX_RANGE_DAYS apart, not before 2010-01-01. */
int navoi__req_query_transaction_list(const navoi__envelope *e, int32_t page, int64_t from_ms,
                                      int64_t to_ms, const char *request_status,
                                      navoi__buf *out);
int navoi__req_query_invoice_check(const navoi__envelope *e, const navoi__number_query *q,
                                   navoi__buf *out);
int navoi__req_query_invoice_data(const navoi__envelope *e, const navoi__number_query *q,
                                  navoi__buf *out);
/* NAVOI_ECONFIG when q has no mandatory criterion. */
int navoi__req_query_invoice_digest(const navoi__envelope *e, const navoi_digest_query *q,
                                    navoi__buf *out);
int navoi__req_query_invoice_chain_digest(const navoi__envelope *e, const char *invoice_number,
                                          int direction, const char *tax_number, int32_t page,
                                          navoi__buf *out);
int navoi__req_query_taxpayer(const navoi__envelope *e, const char *tax_number,
                              navoi__buf *out);

/* The InvoiceAnnulment payload of one annulment, appended to xml_out as
 * XML (the caller base64-encodes it for invoiceAnnulment):
 * annulmentTimestamp from ts (ms since epoch). code = NAVOI_ANNUL_*. */
int navoi__annulment_payload(const char *reference, int64_t ts_ms, int code,
                             const char *reason, navoi__buf *xml_out);

/* XSD value checks shared with digest_query.c (and usable by setters):
 * 1 when the value is valid, else 0. */
/* EntityIdType [+a-zA-Z0-9_]{1,30} (requestId, transactionId). */
int navoi__req_check_entity_id(const char *s);
/* TaxpayerIdType [0-9]{8}. */
int navoi__req_check_tax_number(const char *s);
/* SimpleText<max>NotBlankType: 1..max characters, valid UTF-8, no line
 * break, at least one non-blank. */
int navoi__req_check_text(const char *s, size_t max);
/* InvoiceDateType: YYYY-MM-DD, a real calendar date, not before
 * 2010-01-01; days_out (optional) gets days since 1970-01-01. */
int navoi__req_check_date(const char *s, int64_t *days_out);
/* MonetaryType in the plain form -?digits(.d{1,2})?, at most 18 digits. */
int navoi__req_check_monetary(const char *s);
/* An insDate range: both ends within InvoiceTimestampType (2010..9999),
 * from <= to, at most NAVOI__REQ_MAX_RANGE_DAYS apart. */
int navoi__req_check_ins_range(int64_t from_ms, int64_t to_ms);

#endif
