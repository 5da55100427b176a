/*
 * digest_query.c - the public navoi_digest_query object. Each setter
 * validates its input completely before touching the object, so a refused
 * value leaves the query exactly as it was; NAV's locally checkable rules
 * (range <= 35 days, from <= to, EQ standalone, operator collisions) are
 * enforced here so that such queries never cost a round trip.
 */
#include "ops/digest_query.h"

#include <string.h>

#include "common/alloc.h"
#include "ops/request.h"

const char *const navoi__dq_param_names[NAVOI__DQ_P_COUNT] = {
    "taxNumber", "groupMemberTaxNumber", "name",   "invoiceCategory",
    "paymentMethod", "invoiceAppearance", "source", "currency",
};

const char *const navoi__dq_rel_names[NAVOI__DQ_R_COUNT] = {
    "invoiceDelivery",     "paymentDate",      "invoiceNetAmount",
    "invoiceNetAmountHUF", "invoiceVatAmount", "invoiceVatAmountHUF",
};

const char *navoi__dq_op_name(int op)
{
    static const char *const names[] = {NULL, "EQ", "GT", "GTE", "LT", "LTE"};

    if (op < NAVOI_QOP_EQ || op > NAVOI_QOP_LTE)
        return NULL;
    return names[op];
}

static int in_list(const char *v, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(v, *list) == 0)
            return 1;
    return 0;
}

static int check_param(int which, const char *v)
{
    static const char *const categories[] = {"NORMAL", "SIMPLIFIED", "AGGREGATE", NULL};
    static const char *const methods[] = {"TRANSFER", "CASH", "CARD", "VOUCHER", "OTHER", NULL};
    static const char *const appearances[] = {"PAPER", "ELECTRONIC", "EDI", "UNKNOWN", NULL};
    static const char *const sources[] = {"WEB", "XML", "MGM", "OPG", "OSZ", NULL};
    size_t chars = 0;
    int i;

    switch (which) {
    case NAVOI__DQ_P_TAX_NUMBER:
    case NAVOI__DQ_P_GROUP_MEMBER_TAX_NUMBER:
        return navoi__req_check_tax_number(v);
    case NAVOI__DQ_P_NAME:
        /* QueryNameType: SimpleText512NotBlankType with minLength 5. */
        if (!navoi__req_check_text(v, 512))
            return 0;
        for (i = 0; v[i]; i++)
            if (((unsigned char)v[i] & 0xC0) != 0x80)
                chars++;
        return chars >= 5;
    case NAVOI__DQ_P_INVOICE_CATEGORY:
        return in_list(v, categories);
    case NAVOI__DQ_P_PAYMENT_METHOD:
        return in_list(v, methods);
    case NAVOI__DQ_P_INVOICE_APPEARANCE:
        return in_list(v, appearances);
    case NAVOI__DQ_P_SOURCE:
        return in_list(v, sources);
    case NAVOI__DQ_P_CURRENCY:
        for (i = 0; i < 3; i++)
            if (v[i] < 'A' || v[i] > 'Z')
                return 0;
        return v[3] == '\0';
    default:
        return 0;
    }
}

static int lower_bound(int op)
{
    return op == NAVOI_QOP_GT || op == NAVOI_QOP_GTE;
}

static int upper_bound(int op)
{
    return op == NAVOI_QOP_LT || op == NAVOI_QOP_LTE;
}

NAVOI_API int navoi_digest_query_new(navoi_digest_query **out, int direction, int32_t page)
{
    navoi_digest_query *q;

    if (!out)
        return NAVOI_EINVAL;
    *out = NULL;
    if ((direction != NAVOI_OUTBOUND && direction != NAVOI_INBOUND) || page < 1)
        return NAVOI_EINVAL;
    q = navoi__calloc(1, sizeof *q);
    if (!q)
        return NAVOI_ENOMEM;
    q->direction = direction;
    q->page = page;
    q->criterion = NAVOI__DQ_NONE;
    *out = q;
    return NAVOI_OK;
}

NAVOI_API void navoi_digest_query_free(navoi_digest_query *q)
{
    int i;

    if (!q)
        return;
    navoi__free(q->original_number);
    for (i = 0; i < NAVOI__DQ_P_COUNT; i++)
        navoi__free(q->params[i]);
    navoi__free(q->transaction_id);
    navoi__free(q);
}

NAVOI_API int navoi_digest_query_set_page(navoi_digest_query *q, int32_t page)
{
    if (!q || page < 1)
        return NAVOI_EINVAL;
    q->page = page;
    return NAVOI_OK;
}

/* Switching the mandatory criterion drops the previous one: the XSD has a
 * choice, so only one may be sent. */
static void clear_criterion(navoi_digest_query *q)
{
    navoi__free(q->original_number);
    q->original_number = NULL;
    q->date_from[0] = q->date_to[0] = '\0';
    q->ins_from_ms = q->ins_to_ms = 0;
    q->criterion = NAVOI__DQ_NONE;
}

NAVOI_API int navoi_digest_query_set_issue_date(navoi_digest_query *q, const char *date_from,
                                                const char *date_to)
{
    int64_t from, to;

    if (!q || !navoi__req_check_date(date_from, &from) || !navoi__req_check_date(date_to, &to))
        return NAVOI_EINVAL;
    /* BAD_QUERY_PARAM_OVERLAP / BAD_QUERY_PARAM_RANGE_EXCEEDED; equal days
     * are allowed and mean that whole day. */
    if (from > to || to - from > NAVOI__REQ_MAX_RANGE_DAYS)
        return NAVOI_EINVAL;
    clear_criterion(q);
    memcpy(q->date_from, date_from, 11);
    memcpy(q->date_to, date_to, 11);
    q->criterion = NAVOI__DQ_ISSUE_DATE;
    return NAVOI_OK;
}

NAVOI_API int navoi_digest_query_set_ins_date(navoi_digest_query *q, int64_t from_ms,
                                              int64_t to_ms)
{
    if (!q || !navoi__req_check_ins_range(from_ms, to_ms))
        return NAVOI_EINVAL;
    clear_criterion(q);
    q->ins_from_ms = from_ms;
    q->ins_to_ms = to_ms;
    q->criterion = NAVOI__DQ_INS_DATE;
    return NAVOI_OK;
}

NAVOI_API int navoi_digest_query_set_original_invoice_number(navoi_digest_query *q,
                                                             const char *number)
{
    char *copy;

    if (!q || !navoi__req_check_text(number, 50))
        return NAVOI_EINVAL;
    copy = navoi__strdup(number);
    if (!copy)
        return NAVOI_ENOMEM;
    clear_criterion(q);
    q->original_number = copy;
    q->criterion = NAVOI__DQ_ORIGINAL_NUMBER;
    return NAVOI_OK;
}

NAVOI_API int navoi_digest_query_set_param(navoi_digest_query *q, const char *name,
                                           const char *value)
{
    char *copy = NULL;
    int i;

    if (!q || !name)
        return NAVOI_EINVAL;
    for (i = 0; i < NAVOI__DQ_P_COUNT; i++)
        if (strcmp(name, navoi__dq_param_names[i]) == 0)
            break;
    if (i == NAVOI__DQ_P_COUNT)
        return NAVOI_EINVAL;
    if (value) {
        if (!check_param(i, value))
            return NAVOI_EINVAL;
        copy = navoi__strdup(value);
        if (!copy)
            return NAVOI_ENOMEM;
    }
    navoi__free(q->params[i]);
    q->params[i] = copy;
    return NAVOI_OK;
}

NAVOI_API int navoi_digest_query_add_relation(navoi_digest_query *q, const char *field, int op,
                                              const char *value)
{
    navoi__dq_rel *slot;
    int i, n;

    if (!q || !field || !value || !navoi__dq_op_name(op))
        return NAVOI_EINVAL;
    for (i = 0; i < NAVOI__DQ_R_COUNT; i++)
        if (strcmp(field, navoi__dq_rel_names[i]) == 0)
            break;
    if (i == NAVOI__DQ_R_COUNT)
        return NAVOI_EINVAL;
    if (i == NAVOI__DQ_R_INVOICE_DELIVERY || i == NAVOI__DQ_R_PAYMENT_DATE) {
        if (!navoi__req_check_date(value, NULL))
            return NAVOI_EINVAL;
    } else if (!navoi__req_check_monetary(value)) {
        return NAVOI_EINVAL;
    }
    if (strlen(value) > NAVOI__DQ_VALUE_MAX)
        return NAVOI_EINVAL;
    n = q->nrel[i];
    if (n >= NAVOI__DQ_REL_MAX)
        return NAVOI_EINVAL;
    if (n == 1) {
        int prev = q->rel[i][0].op;
        /* BAD_QUERY_PARAM_EQ_NOT_STANDALONE */
        if (prev == NAVOI_QOP_EQ || op == NAVOI_QOP_EQ)
            return NAVOI_EINVAL;
        /* BAD_QUERY_PARAM_OPERATOR_COLLISION: two lower or two upper bounds. */
        if ((lower_bound(prev) && lower_bound(op)) || (upper_bound(prev) && upper_bound(op)))
            return NAVOI_EINVAL;
    }
    slot = &q->rel[i][n];
    slot->op = op;
    memcpy(slot->value, value, strlen(value) + 1);
    q->nrel[i] = n + 1;
    return NAVOI_OK;
}

NAVOI_API int navoi_digest_query_set_transaction(navoi_digest_query *q,
                                                 const char *transaction_id, int32_t index,
                                                 int operation)
{
    char *copy = NULL;

    if (!q)
        return NAVOI_EINVAL;
    if (transaction_id) {
        /* InvoiceIndexType 1..100; ManageInvoiceOperationType. */
        if (!navoi__req_check_entity_id(transaction_id) || index < 0 || index > 100 ||
            operation < 0 || operation > NAVOI_OP_STORNO)
            return NAVOI_EINVAL;
        copy = navoi__strdup(transaction_id);
        if (!copy)
            return NAVOI_ENOMEM;
    } else if (index != 0 || operation != 0) {
        /* transactionId is mandatory inside transactionQueryParams (XSD). */
        return NAVOI_EINVAL;
    }
    navoi__free(q->transaction_id);
    q->transaction_id = copy;
    q->txn_index = copy ? index : 0;
    q->txn_operation = copy ? operation : 0;
    return NAVOI_OK;
}
