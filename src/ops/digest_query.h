/*
 * digest_query.h - the parameters of queryInvoiceDigest behind the public
 * navoi_digest_query handle. The setters validate every value against the
 * XSD and NAV's locally knowable rules (35-day ranges, from <= to, EQ
 * standalone, no two bounds on one side), so a query object that exists is
 * always one NAV can accept syntactically; request.c only serialises it.
 * Beyond navoi.h: a refused value (NAVOI_EINVAL) leaves the object
 * unchanged; setting a mandatory criterion replaces the previous one (the
 * XSD has a choice); navoi_digest_query_set_transaction(q, NULL, 0, 0)
 * removes the transaction criterion; a single one-sided relational node
 * (GT/GTE/LT/LTE alone) is accepted, as NAV's own sample sends it.
 */
#ifndef NAVOI_OPS_DIGEST_QUERY_H
#define NAVOI_OPS_DIGEST_QUERY_H

#include <stdint.h>

#include "navoi/navoi.h"

/* Mandatory criterion (MandatoryQueryParamsType is an xs:choice). */
enum {
    NAVOI__DQ_NONE = 0,
    NAVOI__DQ_ISSUE_DATE,
    NAVOI__DQ_INS_DATE,
    NAVOI__DQ_ORIGINAL_NUMBER
};

/* additionalQueryParams, in XSD sequence order. */
enum {
    NAVOI__DQ_P_TAX_NUMBER = 0,
    NAVOI__DQ_P_GROUP_MEMBER_TAX_NUMBER,
    NAVOI__DQ_P_NAME,
    NAVOI__DQ_P_INVOICE_CATEGORY,
    NAVOI__DQ_P_PAYMENT_METHOD,
    NAVOI__DQ_P_INVOICE_APPEARANCE,
    NAVOI__DQ_P_SOURCE,
    NAVOI__DQ_P_CURRENCY,
    NAVOI__DQ_P_COUNT
};

/* relationalQueryParams fields, in XSD sequence order. */
enum {
    NAVOI__DQ_R_INVOICE_DELIVERY = 0,
    NAVOI__DQ_R_PAYMENT_DATE,
    NAVOI__DQ_R_INVOICE_NET_AMOUNT,
    NAVOI__DQ_R_INVOICE_NET_AMOUNT_HUF,
    NAVOI__DQ_R_INVOICE_VAT_AMOUNT,
    NAVOI__DQ_R_INVOICE_VAT_AMOUNT_HUF,
    NAVOI__DQ_R_COUNT
};

/* maxOccurs of each relational field. */
#define NAVOI__DQ_REL_MAX 2
/* Longest relational value: a MonetaryType has at most 18 digits, a sign
 * and a decimal point; a date has 10 characters. */
#define NAVOI__DQ_VALUE_MAX 20

typedef struct navoi__dq_rel {
    int op;                               /* NAVOI_QOP_* */
    char value[NAVOI__DQ_VALUE_MAX + 1];  /* as it will be sent */
} navoi__dq_rel;

struct navoi_digest_query {
    int direction;  /* NAVOI_OUTBOUND / NAVOI_INBOUND */
    int32_t page;   /* >= 1 */

    int criterion;  /* NAVOI__DQ_* */
    char date_from[11], date_to[11];  /* NAVOI__DQ_ISSUE_DATE */
    int64_t ins_from_ms, ins_to_ms;   /* NAVOI__DQ_INS_DATE */
    char *original_number;            /* NAVOI__DQ_ORIGINAL_NUMBER */

    char *params[NAVOI__DQ_P_COUNT];  /* NULL = not sent */

    navoi__dq_rel rel[NAVOI__DQ_R_COUNT][NAVOI__DQ_REL_MAX];
    int nrel[NAVOI__DQ_R_COUNT];      /* nodes in the order they were added */

    char *transaction_id;             /* NULL = no transactionQueryParams */
    int32_t txn_index;                /* 0 = omitted */
    int txn_operation;                /* 0 = omitted, else NAVOI_OP_* */
};

/* XSD element names, indexed by the enums above. */
extern const char *const navoi__dq_param_names[NAVOI__DQ_P_COUNT];
extern const char *const navoi__dq_rel_names[NAVOI__DQ_R_COUNT];
/* "EQ", "GT", ... for NAVOI_QOP_*, NULL when out of range. */
const char *navoi__dq_op_name(int op);

#endif
