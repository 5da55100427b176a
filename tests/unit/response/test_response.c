/*
 * test_response.c - response parsing (src/ops/response.c), results and
 * transactions with their public accessors (result.c, txn.c) and the item
 * status machine (src/state/status.c).
 *
 * Inputs are the hand-written NAV answers of tests/data/responses (see its
 * README); expected values come from those files, from NAV's vectors.json
 * and from the payload files whose gzip+base64 form the fixtures carry, not
 * from output of the code under test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <json-c/json.h>
#include <zlib.h>

#include "common/buf.h"
#include "crypto/crypto.h"
#include "navoi/navoi.h"
#include "ops/ops.h"
#include "ops/response.h"
#include "ops/result.h"
#include "ops/txn.h"
#include "state/status.h"
#include "testutil.h"
#include "xml/schema.h"

/* 2024-11-21T12:00:00.512Z and 12:05:00.512Z in ms since the epoch
 * (Python: datetime.fromisoformat(...).timestamp() * 1000). */
#define FROM_MS INT64_C(1732190400512)
#define TO_MS INT64_C(1732190700512)

#define NS_DECL                                                                         \
    "xmlns=\"http://schemas.nav.gov.hu/NTCA/1.0/common\" "                              \
    "xmlns:ns2=\"http://schemas.nav.gov.hu/OSA/3.0/api\" "                              \
    "xmlns:ns3=\"http://schemas.nav.gov.hu/OSA/3.0/base\""

static char *fixture(const char *name, size_t *len)
{
    char rel[256];
    char *path, *data;

    snprintf(rel, sizeof rel, "responses/%s", name);
    path = nt_data_path(rel);
    data = nt_read_file(path, len);
    free(path);
    return data;
}

static int parse_fixture(int op, const char *name, navoi__response *r)
{
    size_t len;
    char *body = fixture(name, &len);
    int rc = navoi__response_parse(op, body, len, r);

    free(body);
    return rc;
}

static int parse_str(int op, const char *body, navoi__response *r)
{
    return navoi__response_parse(op, body, strlen(body), r);
}

/* A success envelope around body for response root root. */
#define ENVELOPE_FMT                                                                    \
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"                                       \
    "<ns2:%s " NS_DECL ">"                                                              \
    "<header><requestId>RID1</requestId><timestamp>2024-11-21T12:00:00Z"                \
    "</timestamp><requestVersion>3.0</requestVersion></header>"                         \
    "<result><funcCode>%s</funcCode></result>%s</ns2:%s>"

static char *envelope(const char *root, const char *func, const char *body)
{
    size_t n = sizeof ENVELOPE_FMT + 2 * strlen(root) + strlen(func) + strlen(body);
    char *s = malloc(n);

    ck_assert_ptr_nonnull(s);
    snprintf(s, n, ENVELOPE_FMT, root, func, body, root);
    return s;
}

/* ---- growable string for generated bodies ------------------------- */

typedef struct sb {
    char *p;
    size_t len, cap;
} sb;

static void sb_add(sb *b, const char *s)
{
    size_t n = strlen(s);

    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->p = realloc(b->p, b->cap);
        ck_assert_ptr_nonnull(b->p);
    }
    memcpy(b->p + b->len, s, n + 1);
    b->len += n;
}

static char *read_payload(const char *name, size_t *len)
{
    char rel[256];
    char *path, *data;

    snprintf(rel, sizeof rel, "responses/payload/%s", name);
    path = nt_data_path(rel);
    data = nt_read_file(path, len);
    free(path);
    return data;
}

/* ==== tokenExchange =================================================== */

START_TEST(token_exchange_vector)
{
    navoi__response r;
    struct json_object *root, *arr, *v1, *o;
    char *vpath = nt_nav_path("vectors.json");
    char token[NAVOI__TOKEN_MAX + 1];
    const char *encoded, *key, *plain;

    root = json_object_from_file(vpath);
    free(vpath);
    ck_assert_ptr_nonnull(root);
    ck_assert(json_object_object_get_ex(root, "exchangeToken", &arr));
    v1 = json_object_array_get_idx(arr, 0);
    ck_assert(json_object_object_get_ex(v1, "encodedExchangeToken", &o));
    encoded = json_object_get_string(o);
    ck_assert(json_object_object_get_ex(v1, "exchangeKey", &o));
    key = json_object_get_string(o);
    ck_assert(json_object_object_get_ex(v1, "plaintextToken", &o));
    plain = json_object_get_string(o);

    ck_assert_int_eq(parse_fixture(NAVOI__OP_TOKEN_EXCHANGE, "token_exchange.xml", &r),
                     NAVOI_OK);
    ck_assert_str_eq(r.res.func_code, "OK");
    ck_assert_str_eq(r.res.error_code, "");
    ck_assert_ptr_null(r.res.message);
    ck_assert_str_eq(r.encoded_token, encoded);
    ck_assert(r.token_from_ms == FROM_MS);
    ck_assert(r.token_to_ms == TO_MS);
    ck_assert_ptr_null(r.result);
    ck_assert_ptr_null(r.status);
    /* The parsed text is usable as is: it decrypts to NAV's token. */
    ck_assert_int_eq(navoi__token_decrypt(r.encoded_token, strlen(r.encoded_token), key, token),
                     NAVOI_OK);
    ck_assert_str_eq(token, plain);
    navoi__response_clear(&r);
    json_object_put(root);
}
END_TEST

START_TEST(token_exchange_offset)
{
    navoi__response r;

    /* +01:00 on tokenValidityFrom (GitHub #491): the same instant as Z. */
    ck_assert_int_eq(parse_fixture(NAVOI__OP_TOKEN_EXCHANGE, "token_exchange_offset.xml", &r),
                     NAVOI_OK);
    ck_assert(r.token_from_ms == FROM_MS);
    ck_assert(r.token_to_ms == TO_MS);
    navoi__response_clear(&r);
}
END_TEST

START_TEST(token_exchange_prefixes)
{
    navoi__response r;

    ck_assert_int_eq(parse_fixture(NAVOI__OP_TOKEN_EXCHANGE, "token_exchange_prefixes.xml", &r),
                     NAVOI_OK);
    /* surrounding line breaks of the base64 text are not part of it */
    ck_assert_str_eq(r.encoded_token, "U+M9VRBYlUE31AWiVZDIFGtQsmP4EpNQR4xU2GGqzbLIu/61jVbeUGhjz"
                                      "6cfaX5mAviQJVenLhVBon8+0gmuVg==");
    ck_assert(r.token_from_ms == FROM_MS);
    navoi__response_clear(&r);
}
END_TEST

START_TEST(token_exchange_missing_values)
{
    navoi__response r;
    char *b;

    b = envelope("TokenExchangeResponse", "OK",
                 "<ns2:tokenValidityFrom>2024-11-21T12:00:00Z</ns2:tokenValidityFrom>"
                 "<ns2:tokenValidityTo>2024-11-21T12:05:00Z</ns2:tokenValidityTo>");
    ck_assert_int_eq(parse_str(NAVOI__OP_TOKEN_EXCHANGE, b, &r), NAVOI_EPROTO);
    ck_assert_ptr_nonnull(r.res.message);
    ck_assert_ptr_nonnull(strstr(r.res.message, "encodedExchangeToken"));
    ck_assert_ptr_null(r.encoded_token);
    navoi__response_clear(&r);
    free(b);

    b = envelope("TokenExchangeResponse", "OK",
                 "<ns2:encodedExchangeToken>QUJD</ns2:encodedExchangeToken>"
                 "<ns2:tokenValidityFrom>tomorrow</ns2:tokenValidityFrom>"
                 "<ns2:tokenValidityTo>2024-11-21T12:05:00Z</ns2:tokenValidityTo>");
    ck_assert_int_eq(parse_str(NAVOI__OP_TOKEN_EXCHANGE, b, &r), NAVOI_EPROTO);
    ck_assert_ptr_nonnull(strstr(r.res.message, "tokenValidityFrom"));
    ck_assert_ptr_null(r.encoded_token);
    navoi__response_clear(&r);
    free(b);
}
END_TEST

/* ==== manage ========================================================== */

START_TEST(manage_ok)
{
    navoi__response r;

    ck_assert_int_eq(parse_fixture(NAVOI__OP_MANAGE_INVOICE, "manage_invoice.xml", &r), NAVOI_OK);
    ck_assert_str_eq(r.transaction_id, "4Z0ANTN8QCM4XWXY");
    navoi__response_clear(&r);
    ck_assert_int_eq(parse_fixture(NAVOI__OP_MANAGE_ANNULMENT, "manage_annulment.xml", &r),
                     NAVOI_OK);
    ck_assert_str_eq(r.transaction_id, "4Z0BF2KQ7L1TZ9AN");
    navoi__response_clear(&r);
    /* The roots are not interchangeable. */
    ck_assert_int_eq(parse_fixture(NAVOI__OP_MANAGE_ANNULMENT, "manage_invoice.xml", &r),
                     NAVOI_EPROTO);
    ck_assert_str_eq(r.transaction_id, "");
    navoi__response_clear(&r);
}
END_TEST

START_TEST(manage_bad_transaction_id)
{
    static const char *const bad[] = {
        "",
        "<ns2:transactionId>4Z0A-NTN8</ns2:transactionId>",
        "<ns2:transactionId>0123456789012345678901234567890</ns2:transactionId>",
        "<ns2:transactionId></ns2:transactionId>",
    };
    size_t i;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        navoi__response r;
        char *b = envelope("ManageInvoiceResponse", "OK", bad[i]);

        ck_assert_int_eq(parse_str(NAVOI__OP_MANAGE_INVOICE, b, &r), NAVOI_EPROTO);
        ck_assert_ptr_nonnull(strstr(r.res.message, "transactionId"));
        ck_assert_str_eq(r.transaction_id, "");
        navoi__response_clear(&r);
        free(b);
    }
}
END_TEST

/* ==== queryTransactionStatus ========================================= */

static void assert_msg(const navoi_txn *t, size_t i, size_t k, int kind, int sev,
                       const char *code, const char *text)
{
    int kd = -1, sv = -1;
    const char *c = NULL, *m = NULL;

    ck_assert_int_eq(navoi_txn_message(t, i, k, &kd, &sv, &c, &m), NAVOI_OK);
    ck_assert_int_eq(kd, kind);
    ck_assert_int_eq(sv, sev);
    ck_assert_str_eq(c, code);
    if (text)
        ck_assert_str_eq(m, text);
}

static void assert_ptr(const navoi_txn *t, size_t i, size_t k, const char *tag,
                       const char *value, const char *line, const char *oin)
{
    const char *a = NULL, *b = NULL, *c = NULL, *d = NULL;

    ck_assert_int_eq(navoi_txn_message_pointer(t, i, k, &a, &b, &c, &d), NAVOI_OK);
    ck_assert_str_eq(a, tag);
    ck_assert_str_eq(b, value);
    ck_assert_str_eq(c, line);
    ck_assert_str_eq(d, oin);
}

START_TEST(status_items)
{
    navoi__response r;
    const navoi_txn *t;
    const char *m = NULL;

    ck_assert_int_eq(
        parse_fixture(NAVOI__OP_QUERY_TRANSACTION_STATUS, "status_items.xml", &r), NAVOI_OK);
    t = r.status;
    ck_assert_ptr_nonnull(t);
    ck_assert_ptr_null(r.result);
    ck_assert_uint_eq(navoi_txn_item_count(t), 3);
    ck_assert_int_eq(navoi_txn_is_final(t), 0); /* index 3 is RECEIVED */
    ck_assert_str_eq(navoi__txn_request_version(t), "3.0");
    ck_assert_str_eq(navoi_txn_annulment_status(t), "");

    /* index 1: DONE with one WARN + pointer */
    ck_assert_int_eq(navoi_txn_item_index(t, 0), 1);
    ck_assert_int_eq(navoi_txn_item_batch_index(t, 0), 0);
    ck_assert_int_eq(navoi_txn_item_status(t, 0), NAVOI_STATUS_DONE);
    ck_assert_uint_eq(navoi_txn_message_count(t, 0), 1);
    assert_msg(t, 0, 0, NAVOI_MSG_BUSINESS, NAVOI_SEVERITY_WARN,
               "INCORRECT_LINE_CALCULATION_LINE_VAT_AMOUNT_HUF",
               "A tétel HUF áfaösszege eltér a számítottól.");
    assert_ptr(t, 0, 0, "lineVatAmountHUF", "2700.00", "2", "");
    ck_assert_ptr_null(navoi_txn_item_original(t, 0, NULL));

    /* index 2: ABORTED, technical SCHEMA_VIOLATION then business error */
    ck_assert_int_eq(navoi_txn_item_index(t, 1), 2);
    ck_assert_int_eq(navoi_txn_item_status(t, 1), NAVOI_STATUS_ABORTED);
    ck_assert_uint_eq(navoi_txn_message_count(t, 1), 2);
    assert_msg(t, 1, 0, NAVOI_MSG_TECHNICAL, NAVOI_SEVERITY_ERROR, "SCHEMA_VIOLATION", NULL);
    ck_assert_int_eq(navoi_txn_message(t, 1, 0, NULL, NULL, NULL, &m), NAVOI_OK);
    ck_assert_ptr_nonnull(strstr(m, "cvc-pattern-valid: Value '1111111'"));
    assert_ptr(t, 1, 0, "", "", "", ""); /* technical messages have no pointer */
    assert_msg(t, 1, 1, NAVOI_MSG_BUSINESS, NAVOI_SEVERITY_ERROR, "INVOICE_NUMBER_NOT_UNIQUE",
               "The specified invoice number has already been used previously.");

    /* index 3: RECEIVED, nothing else */
    ck_assert_int_eq(navoi_txn_item_index(t, 2), 3);
    ck_assert_int_eq(navoi_txn_item_status(t, 2), NAVOI_STATUS_RECEIVED);
    ck_assert_uint_eq(navoi_txn_message_count(t, 2), 0);
    navoi__response_clear(&r);
}
END_TEST

START_TEST(status_none)
{
    navoi__response r;

    /* unknown transaction: funcCode OK, no processingResults */
    ck_assert_int_eq(parse_fixture(NAVOI__OP_QUERY_TRANSACTION_STATUS, "status_none.xml", &r),
                     NAVOI_OK);
    ck_assert_ptr_nonnull(r.status);
    ck_assert_uint_eq(navoi_txn_item_count(r.status), 0);
    ck_assert_int_eq(navoi_txn_is_final(r.status), 0);
    ck_assert_str_eq(navoi__txn_request_version(r.status), "");
    navoi__response_clear(&r);
}
END_TEST

START_TEST(status_original_gzip)
{
    navoi__response r;
    size_t n1, n2, len = 0;
    char *p1 = read_payload("invoice_NAVOI-2024-0001.xml", &n1);
    char *p2 = read_payload("invoice_NAVOI-2024-0002.xml", &n2);
    const char *o;

    ck_assert_int_eq(
        parse_fixture(NAVOI__OP_QUERY_TRANSACTION_STATUS, "status_original_gzip.xml", &r),
        NAVOI_OK);
    ck_assert_uint_eq(navoi_txn_item_count(r.status), 2);
    ck_assert_int_eq(navoi_txn_is_final(r.status), 1);
    o = navoi_txn_item_original(r.status, 0, &len);
    ck_assert_ptr_nonnull(o);
    ck_assert_uint_eq(len, n1);
    ck_assert_mem_eq(o, p1, n1);
    o = navoi_txn_item_original(r.status, 1, &len);
    ck_assert_uint_eq(len, n2);
    ck_assert_mem_eq(o, p2, n2);
    navoi__response_clear(&r);
    free(p1);
    free(p2);
}
END_TEST

START_TEST(status_original_plain)
{
    navoi__response r;
    size_t n2, len = 0;
    char *p2 = read_payload("invoice_NAVOI-2024-0002.xml", &n2);
    const char *o;

    ck_assert_int_eq(
        parse_fixture(NAVOI__OP_QUERY_TRANSACTION_STATUS, "status_original_plain.xml", &r),
        NAVOI_OK);
    ck_assert_uint_eq(navoi_txn_item_count(r.status), 1);
    ck_assert_int_eq(navoi_txn_item_status(r.status, 0), NAVOI_STATUS_ABORTED);
    ck_assert_int_eq(navoi_txn_is_final(r.status), 1);
    assert_msg(r.status, 0, 0, NAVOI_MSG_BUSINESS, NAVOI_SEVERITY_ERROR,
               "INVOICE_NUMBER_NOT_UNIQUE",
               "A megadott számlaszám már korábban felhasználásra került.");
    o = navoi_txn_item_original(r.status, 0, &len);
    ck_assert_uint_eq(len, n2);
    ck_assert_mem_eq(o, p2, n2);
    navoi__response_clear(&r);
    free(p2);
}
END_TEST

START_TEST(status_annulment)
{
    navoi__response r;

    ck_assert_int_eq(
        parse_fixture(NAVOI__OP_QUERY_TRANSACTION_STATUS, "status_annulment.xml", &r), NAVOI_OK);
    ck_assert_str_eq(navoi_txn_annulment_status(r.status), "VERIFICATION_DONE");
    ck_assert_str_eq(navoi__txn_annulment_decision_date(r.status), "2024-11-21T13:05:42.000Z");
    ck_assert_str_eq(navoi__txn_annulment_decision_user(r.status), "primaryusr01");
    assert_msg(r.status, 0, 0, NAVOI_MSG_BUSINESS, NAVOI_SEVERITY_INFO,
               "INFO_SINGLE_INVOICE_ANNULMENT", NULL);
    navoi__response_clear(&r);

    ck_assert_int_eq(parse_fixture(NAVOI__OP_QUERY_TRANSACTION_STATUS,
                                   "status_annulment_pending.xml", &r),
                     NAVOI_OK);
    ck_assert_str_eq(navoi_txn_annulment_status(r.status), "VERIFICATION_PENDING");
    ck_assert_str_eq(navoi__txn_annulment_decision_date(r.status), "");
    ck_assert_str_eq(navoi__txn_annulment_decision_user(r.status), "");
    navoi__response_clear(&r);
}
END_TEST

START_TEST(status_batch)
{
    navoi__response r;

    ck_assert_int_eq(parse_fixture(NAVOI__OP_QUERY_TRANSACTION_STATUS, "status_batch.xml", &r),
                     NAVOI_OK);
    ck_assert_uint_eq(navoi_txn_item_count(r.status), 2);
    ck_assert_int_eq(navoi_txn_item_index(r.status, 0), 1);
    ck_assert_int_eq(navoi_txn_item_batch_index(r.status, 0), 1);
    ck_assert_int_eq(navoi_txn_item_index(r.status, 1), 1);
    ck_assert_int_eq(navoi_txn_item_batch_index(r.status, 1), 2);
    ck_assert_int_eq(navoi_txn_item_status(r.status, 1), NAVOI_STATUS_SAVED);
    assert_ptr(r.status, 1, 0, "lineNetAmountHUF", "10001", "1", "NAVOI-2024-0002");
    navoi__response_clear(&r);
}
END_TEST

/* Malformed processing results are refused as a whole. */
START_TEST(status_bad_items)
{
    static const struct {
        const char *body;
        const char *why;
    } cases[] = {
        {"<ns2:processingResult><ns2:invoiceStatus>DONE</ns2:invoiceStatus>"
         "<ns2:compressedContentIndicator>false</ns2:compressedContentIndicator>"
         "</ns2:processingResult>",
         "index"},
        {"<ns2:processingResult><ns2:index>0</ns2:index><ns2:invoiceStatus>DONE"
         "</ns2:invoiceStatus></ns2:processingResult>",
         "index"},
        {"<ns2:processingResult><ns2:index>1</ns2:index><ns2:invoiceStatus>FINISHED"
         "</ns2:invoiceStatus></ns2:processingResult>",
         "invoiceStatus"},
        {"<ns2:processingResult><ns2:index>1</ns2:index><ns2:batchIndex>x</ns2:batchIndex>"
         "<ns2:invoiceStatus>DONE</ns2:invoiceStatus></ns2:processingResult>",
         "batchIndex"},
        {"<ns2:processingResult><ns2:index>1</ns2:index><ns2:invoiceStatus>DONE"
         "</ns2:invoiceStatus></ns2:processingResult>"
         "<ns2:processingResult><ns2:index>1</ns2:index><ns2:invoiceStatus>DONE"
         "</ns2:invoiceStatus></ns2:processingResult>",
         "twice"},
        {"<ns2:processingResult><ns2:index>1</ns2:index><ns2:invoiceStatus>DONE"
         "</ns2:invoiceStatus><ns2:compressedContentIndicator>maybe"
         "</ns2:compressedContentIndicator></ns2:processingResult>",
         "compressedContentIndicator"},
        {"<ns2:processingResult><ns2:index>1</ns2:index><ns2:invoiceStatus>DONE"
         "</ns2:invoiceStatus><ns2:compressedContentIndicator>false"
         "</ns2:compressedContentIndicator><ns2:originalRequest>@@@@</ns2:originalRequest>"
         "</ns2:processingResult>",
         "base64"},
        /* flagged compressed, but the bytes are plain "<InvoiceData/>" */
        {"<ns2:processingResult><ns2:index>1</ns2:index><ns2:invoiceStatus>DONE"
         "</ns2:invoiceStatus><ns2:compressedContentIndicator>true"
         "</ns2:compressedContentIndicator><ns2:originalRequest>PEludm9pY2VEYXRhLz4="
         "</ns2:originalRequest></ns2:processingResult>",
         "gzip"},
        {"<ns2:processingResult><ns2:index>1</ns2:index><ns2:invoiceStatus>ABORTED"
         "</ns2:invoiceStatus><ns2:businessValidationMessages><ns2:message>x</ns2:message>"
         "</ns2:businessValidationMessages></ns2:processingResult>",
         "validationResultCode"},
    };
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        navoi__response r;
        char inner[2048];
        char *b;

        snprintf(inner, sizeof inner,
                 "<ns2:processingResults>%s<ns2:originalRequestVersion>3.0"
                 "</ns2:originalRequestVersion></ns2:processingResults>",
                 cases[i].body);
        b = envelope("QueryTransactionStatusResponse", "OK", inner);
        ck_assert_int_eq(parse_str(NAVOI__OP_QUERY_TRANSACTION_STATUS, b, &r), NAVOI_EPROTO);
        ck_assert_msg(r.res.message && strstr(r.res.message, cases[i].why),
                      "case %zu: message '%s' lacks '%s'", i,
                      r.res.message ? r.res.message : "(null)", cases[i].why);
        ck_assert_ptr_null(r.status);
        navoi__response_clear(&r);
        free(b);
    }
}
END_TEST

START_TEST(status_unknown_severity)
{
    navoi__response r;
    char *b = envelope("QueryTransactionStatusResponse", "OK",
                       "<ns2:processingResults><ns2:processingResult><ns2:index>1</ns2:index>"
                       "<ns2:invoiceStatus>DONE</ns2:invoiceStatus>"
                       "<ns2:businessValidationMessages><ns2:validationResultCode>NOTICE"
                       "</ns2:validationResultCode></ns2:businessValidationMessages>"
                       "<ns2:technicalValidationMessages><validationResultCode>CRITICAL"
                       "</validationResultCode></ns2:technicalValidationMessages>"
                       "<ns2:compressedContentIndicator>false</ns2:compressedContentIndicator>"
                       "</ns2:processingResult><ns2:originalRequestVersion>3.0"
                       "</ns2:originalRequestVersion></ns2:processingResults>");

    ck_assert_int_eq(parse_str(NAVOI__OP_QUERY_TRANSACTION_STATUS, b, &r), NAVOI_OK);
    /* An unknown result code counts as ERROR; order is document order;
     * absent code and text read as "". */
    assert_msg(r.status, 0, 0, NAVOI_MSG_BUSINESS, NAVOI_SEVERITY_ERROR, "", "");
    assert_msg(r.status, 0, 1, NAVOI_MSG_TECHNICAL, NAVOI_SEVERITY_CRITICAL, "", "");
    navoi__response_clear(&r);
    free(b);
}
END_TEST

/* ==== navoi__txn_apply ================================================ */

static navoi_txn *parsed_status(const char *name)
{
    navoi__response r;
    navoi_txn *t;

    ck_assert_int_eq(parse_fixture(NAVOI__OP_QUERY_TRANSACTION_STATUS, name, &r), NAVOI_OK);
    t = r.status;
    r.status = NULL;
    navoi__response_clear(&r);
    return t;
}

/* A textual picture of a txn, to prove "unchanged". */
static void snapshot(const navoi_txn *t, char *out, size_t n)
{
    size_t i, k, used = 0;

    out[0] = '\0';
    used += (size_t)snprintf(out + used, n - used, "%s|%s|%s|", navoi_txn_id(t),
                             navoi__txn_request_version(t), navoi_txn_annulment_status(t));
    for (i = 0; i < navoi_txn_item_count(t) && used < n; i++) {
        size_t olen = 0;

        navoi_txn_item_original(t, i, &olen);
        used += (size_t)snprintf(out + used, n - used, "[%d/%d %s o%zu", navoi_txn_item_index(t, i),
                                 navoi_txn_item_batch_index(t, i),
                                 navoi_status_name(navoi_txn_item_status(t, i)), olen);
        for (k = 0; k < navoi_txn_message_count(t, i) && used < n; k++) {
            const char *c = NULL;

            navoi_txn_message(t, i, k, NULL, NULL, &c, NULL);
            used += (size_t)snprintf(out + used, n - used, " %s", c);
        }
        if (used < n)
            used += (size_t)snprintf(out + used, n - used, "]");
    }
}

START_TEST(apply_forward_then_refuse_regression)
{
    navoi_txn *txn = NULL, *early = parsed_status("status_early.xml");
    navoi_txn *items = parsed_status("status_items.xml");
    char before[4096], after[4096];

    ck_assert_int_eq(navoi__txn_new(&txn, "4Z0ANTN8QCM4XWXY", "NVMNG20241121120001A"), NAVOI_OK);
    ck_assert_str_eq(navoi_txn_id(txn), "4Z0ANTN8QCM4XWXY");
    ck_assert_str_eq(navoi_txn_request_id(txn), "NVMNG20241121120001A");
    ck_assert_uint_eq(navoi_txn_item_count(txn), 0);

    /* UNKNOWN -> PROCESSING/RECEIVED, then PROCESSING -> DONE,
     * RECEIVED -> ABORTED, RECEIVED -> RECEIVED: all legal. */
    ck_assert_int_eq(navoi__txn_apply(txn, early), NAVOI_OK);
    ck_assert_int_eq(navoi_txn_item_status(txn, 0), NAVOI_STATUS_PROCESSING);
    ck_assert_int_eq(navoi__txn_apply(txn, items), NAVOI_OK);
    ck_assert_uint_eq(navoi_txn_item_count(txn), 3);
    ck_assert_int_eq(navoi_txn_item_status(txn, 0), NAVOI_STATUS_DONE);
    ck_assert_int_eq(navoi_txn_item_status(txn, 1), NAVOI_STATUS_ABORTED);
    ck_assert_int_eq(navoi_txn_item_status(txn, 2), NAVOI_STATUS_RECEIVED);
    ck_assert_uint_eq(navoi_txn_message_count(txn, 1), 2);
    assert_ptr(txn, 0, 0, "lineVatAmountHUF", "2700.00", "2", "");
    /* the handle keeps its identity */
    ck_assert_str_eq(navoi_txn_id(txn), "4Z0ANTN8QCM4XWXY");
    ck_assert_str_eq(navoi__txn_request_version(txn), "3.0");

    /* DONE -> PROCESSING (and ABORTED -> RECEIVED) is refused, untouched. */
    snapshot(txn, before, sizeof before);
    ck_assert_int_eq(navoi__txn_apply(txn, early), NAVOI_ESTATE);
    snapshot(txn, after, sizeof after);
    ck_assert_str_eq(before, after);
    ck_assert_int_eq(navoi_txn_item_status(txn, 0), NAVOI_STATUS_DONE);
    ck_assert_uint_eq(navoi_txn_message_count(txn, 0), 1);

    /* the same answer again is fine (a repeated poll) */
    ck_assert_int_eq(navoi__txn_apply(txn, items), NAVOI_OK);
    snapshot(txn, after, sizeof after);
    ck_assert_str_eq(before, after);

    ck_assert_int_eq(navoi__txn_apply(txn, txn), NAVOI_EINVAL);
    ck_assert_int_eq(navoi__txn_apply(NULL, items), NAVOI_EINVAL);
    ck_assert_int_eq(navoi__txn_apply(txn, NULL), NAVOI_EINVAL);

    navoi_txn_free(txn);
    navoi_txn_free(early);
    navoi_txn_free(items);
}
END_TEST

START_TEST(apply_single_item_regression)
{
    navoi_txn *txn = NULL, *fresh = NULL;
    navoi__txn_item *it;
    char before[4096], after[4096];

    ck_assert_int_eq(navoi__txn_new(&txn, "T1", NULL), NAVOI_OK);
    ck_assert_str_eq(navoi_txn_request_id(txn), "");
    ck_assert_int_eq(navoi__txn_add_item(txn, 1, 0, NAVOI_STATUS_DONE, &it), NAVOI_OK);
    ck_assert_int_eq(navoi__txn_add_item(txn, 2, 0, NAVOI_STATUS_SAVED, &it), NAVOI_OK);
    snapshot(txn, before, sizeof before);

    /* item 2 may go SAVED -> DONE, but item 1 may not go DONE -> PROCESSING:
     * the whole answer is refused, item 2 included. */
    ck_assert_int_eq(navoi__txn_new(&fresh, "", ""), NAVOI_OK);
    ck_assert_int_eq(navoi__txn_add_item(fresh, 1, 0, NAVOI_STATUS_PROCESSING, &it), NAVOI_OK);
    ck_assert_int_eq(navoi__txn_add_item(fresh, 2, 0, NAVOI_STATUS_DONE, &it), NAVOI_OK);
    ck_assert_int_eq(navoi__txn_apply(txn, fresh), NAVOI_ESTATE);
    snapshot(txn, after, sizeof after);
    ck_assert_str_eq(before, after);
    ck_assert_int_eq(navoi_txn_item_status(txn, 1), NAVOI_STATUS_SAVED);
    navoi_txn_free(fresh);
    navoi_txn_free(txn);
}
END_TEST

START_TEST(apply_keeps_original_and_unmentioned_items)
{
    navoi_txn *txn = NULL, *gz = parsed_status("status_original_gzip.xml");
    navoi_txn *fresh = NULL;
    navoi__txn_item *it;
    size_t n1, len = 0;
    char *p1 = read_payload("invoice_NAVOI-2024-0001.xml", &n1);
    const char *o;

    ck_assert_int_eq(navoi__txn_new(&txn, "4Z0ANTN8QCM4XWXY", ""), NAVOI_OK);
    ck_assert_int_eq(navoi__txn_apply(txn, gz), NAVOI_OK);
    /* a later poll without returnOriginalRequest, naming only index 1 */
    ck_assert_int_eq(navoi__txn_new(&fresh, "", ""), NAVOI_OK);
    ck_assert_int_eq(navoi__txn_add_item(fresh, 1, 0, NAVOI_STATUS_DONE, &it), NAVOI_OK);
    ck_assert_int_eq(navoi__txn_add_message(fresh, it, NAVOI_MSG_BUSINESS, NAVOI_SEVERITY_WARN,
                                            "SOME_WARNING", "w", NULL, NULL, NULL, NULL),
                     NAVOI_OK);
    ck_assert_int_eq(navoi__txn_apply(txn, fresh), NAVOI_OK);
    ck_assert_uint_eq(navoi_txn_item_count(txn), 2);
    o = navoi_txn_item_original(txn, 0, &len);
    ck_assert_uint_eq(len, n1);
    ck_assert_mem_eq(o, p1, n1);
    ck_assert_uint_eq(navoi_txn_message_count(txn, 0), 1);
    ck_assert_ptr_nonnull(navoi_txn_item_original(txn, 1, NULL));
    ck_assert_int_eq(navoi_txn_item_index(txn, 1), 2);
    /* no originalRequestVersion in the fresh answer: the known one stays */
    ck_assert_str_eq(navoi__txn_request_version(txn), "3.0");
    navoi_txn_free(fresh);
    navoi_txn_free(gz);
    navoi_txn_free(txn);
    free(p1);
}
END_TEST

START_TEST(apply_annulment_decision)
{
    navoi_txn *txn = NULL, *pending = parsed_status("status_annulment_pending.xml");
    navoi_txn *done = parsed_status("status_annulment.xml");

    ck_assert_int_eq(navoi__txn_new(&txn, "4Z0BF2KQ7L1TZ9AN", ""), NAVOI_OK);
    ck_assert_int_eq(navoi__txn_apply(txn, pending), NAVOI_OK);
    ck_assert_str_eq(navoi_txn_annulment_status(txn), "VERIFICATION_PENDING");
    ck_assert_int_eq(navoi_txn_is_final(txn), 1);
    ck_assert_int_eq(navoi__txn_apply(txn, done), NAVOI_OK);
    ck_assert_str_eq(navoi_txn_annulment_status(txn), "VERIFICATION_DONE");
    ck_assert_str_eq(navoi__txn_annulment_decision_user(txn), "primaryusr01");
    ck_assert_uint_eq(navoi_txn_message_count(txn, 0), 1);
    navoi_txn_free(pending);
    navoi_txn_free(done);
    navoi_txn_free(txn);
}
END_TEST

/* ==== query results =================================================== */

static void assert_field(const navoi_result *r, size_t i, const char *path, const char *want)
{
    const char *v = navoi_result_get(r, i, path);

    ck_assert_msg(v != NULL, "record %zu: no field %s", i, path);
    ck_assert_str_eq(v, want);
}

START_TEST(transaction_list_pages)
{
    navoi__response r;
    const navoi_result *res;

    ck_assert_int_eq(parse_fixture(NAVOI__OP_QUERY_TRANSACTION_LIST, "txlist_page1.xml", &r),
                     NAVOI_OK);
    res = r.result;
    ck_assert_str_eq(navoi_result_meta(res, "currentPage"), "1");
    ck_assert_str_eq(navoi_result_meta(res, "availablePage"), "2");
    ck_assert_uint_eq(navoi_result_count(res), 3);
    ck_assert_uint_eq(navoi_result_field_count(res, 0), 8);
    assert_field(res, 0, "insDate", "2024-11-21T12:00:01.301Z");
    assert_field(res, 0, "insCusUser", "lwilsmn0uqdxe6u");
    assert_field(res, 0, "source", "MGM");
    assert_field(res, 0, "transactionId", "4Z0ANTN8QCM4XWXY");
    assert_field(res, 0, "requestStatus", "FINISHED");
    assert_field(res, 0, "technicalAnnulment", "false");
    assert_field(res, 0, "originalRequestVersion", "3.0");
    assert_field(res, 0, "itemCount", "3");
    assert_field(res, 1, "requestStatus", "NOTIFIED");
    assert_field(res, 2, "transactionId", "4Z0BF2KQ7L1TZ9AN");
    assert_field(res, 2, "technicalAnnulment", "true");
    /* document order of the fields */
    ck_assert_str_eq(navoi_result_field_name(res, 0, 0), "insDate");
    ck_assert_str_eq(navoi_result_field_name(res, 0, 7), "itemCount");
    ck_assert_str_eq(navoi_result_field_value(res, 0, 7), "3");
    ck_assert_ptr_null(navoi_result_content(res, NULL));
    navoi__response_clear(&r);

    ck_assert_int_eq(parse_fixture(NAVOI__OP_QUERY_TRANSACTION_LIST, "txlist_page2.xml", &r),
                     NAVOI_OK);
    ck_assert_str_eq(navoi_result_meta(r.result, "currentPage"), "2");
    ck_assert_str_eq(navoi_result_meta(r.result, "availablePage"), "2");
    ck_assert_uint_eq(navoi_result_count(r.result), 1);
    assert_field(r.result, 0, "source", "WEB");
    assert_field(r.result, 0, "insCusUser", "webuser0001");
    navoi__response_clear(&r);
}
END_TEST

START_TEST(invoice_check)
{
    navoi__response r;

    ck_assert_int_eq(parse_fixture(NAVOI__OP_QUERY_INVOICE_CHECK, "check_true.xml", &r), NAVOI_OK);
    ck_assert_str_eq(navoi_result_meta(r.result, "invoiceCheckResult"), "true");
    ck_assert_uint_eq(navoi_result_count(r.result), 0);
    navoi__response_clear(&r);
    ck_assert_int_eq(parse_fixture(NAVOI__OP_QUERY_INVOICE_CHECK, "check_false.xml", &r),
                     NAVOI_OK);
    ck_assert_str_eq(navoi_result_meta(r.result, "invoiceCheckResult"), "false");
    navoi__response_clear(&r);
}
END_TEST

START_TEST(invoice_check_bad)
{
    navoi__response r;
    char *b = envelope("QueryInvoiceCheckResponse", "OK",
                       "<ns2:invoiceCheckResult>yes</ns2:invoiceCheckResult>");

    ck_assert_int_eq(parse_str(NAVOI__OP_QUERY_INVOICE_CHECK, b, &r), NAVOI_EPROTO);
    ck_assert_ptr_null(r.result);
    navoi__response_clear(&r);
    free(b);
    b = envelope("QueryInvoiceCheckResponse", "OK", "");
    ck_assert_int_eq(parse_str(NAVOI__OP_QUERY_INVOICE_CHECK, b, &r), NAVOI_EPROTO);
    navoi__response_clear(&r);
    free(b);
    /* xs:boolean also allows 1/0 */
    b = envelope("QueryInvoiceCheckResponse", "OK",
                 "<ns2:invoiceCheckResult>1</ns2:invoiceCheckResult>");
    ck_assert_int_eq(parse_str(NAVOI__OP_QUERY_INVOICE_CHECK, b, &r), NAVOI_OK);
    ck_assert_str_eq(navoi_result_meta(r.result, "invoiceCheckResult"), "true");
    navoi__response_clear(&r);
    free(b);
}
END_TEST

START_TEST(invoice_data_gzip)
{
    navoi__response r;
    size_t n1, len = 0;
    char *p1 = read_payload("invoice_NAVOI-2024-0001.xml", &n1);
    const char *c;

    ck_assert_int_eq(parse_fixture(NAVOI__OP_QUERY_INVOICE_DATA, "invoice_data_gzip.xml", &r),
                     NAVOI_OK);
    ck_assert_uint_eq(navoi_result_count(r.result), 1);
    c = navoi_result_content(r.result, &len);
    ck_assert_ptr_nonnull(c);
    ck_assert_uint_eq(len, n1);
    ck_assert_mem_eq(c, p1, n1);
    ck_assert_ptr_null(navoi_result_get(r.result, 0, "invoiceData"));
    assert_field(r.result, 0, "auditData/insdate", "2024-11-21T12:00:01.301Z");
    assert_field(r.result, 0, "auditData/insCusUser", "lwilsmn0uqdxe6u");
    assert_field(r.result, 0, "auditData/source", "MGM");
    assert_field(r.result, 0, "auditData/transactionId", "4Z0ANTN8QCM4XWXY");
    assert_field(r.result, 0, "auditData/index", "1");
    assert_field(r.result, 0, "auditData/originalRequestVersion", "3.0");
    assert_field(r.result, 0, "compressedContentIndicator", "true");
    ck_assert_uint_eq(navoi_result_field_count(r.result, 0), 7);
    navoi__response_clear(&r);
    free(p1);
}
END_TEST

START_TEST(invoice_data_plain)
{
    navoi__response r;
    size_t n2, len = 0;
    char *p2 = read_payload("invoice_NAVOI-2024-0002.xml", &n2);
    const char *c;

    ck_assert_int_eq(parse_fixture(NAVOI__OP_QUERY_INVOICE_DATA, "invoice_data_plain.xml", &r),
                     NAVOI_OK);
    c = navoi_result_content(r.result, &len);
    ck_assert_uint_eq(len, n2);
    ck_assert_mem_eq(c, p2, n2);
    assert_field(r.result, 0, "compressedContentIndicator", "false");
    /* SHA3-512 of the payload (Python hashlib, README) */
    assert_field(r.result, 0, "electronicInvoiceHash",
                 "2A2E68DC8AEA798F85644B65C78F9A50624383953899D115820C92241D7E8B5CA8C082CADCC3"
                 "F0F7269927DCA11931AEC088BDE45791E21A2E5C09B362BB7BF7");
    assert_field(r.result, 0, "electronicInvoiceHash@cryptoType", "SHA3-512");
    /* the attribute follows its element */
    ck_assert_str_eq(navoi_result_field_name(r.result, 0, 7), "electronicInvoiceHash");
    ck_assert_str_eq(navoi_result_field_name(r.result, 0, 8), "electronicInvoiceHash@cryptoType");
    ck_assert_uint_eq(navoi_result_field_count(r.result, 0), 9);
    navoi__response_clear(&r);
    free(p2);
}
END_TEST

START_TEST(invoice_data_none)
{
    navoi__response r;
    size_t len = 99;

    ck_assert_int_eq(parse_fixture(NAVOI__OP_QUERY_INVOICE_DATA, "invoice_data_none.xml", &r),
                     NAVOI_OK);
    ck_assert_ptr_nonnull(r.result);
    ck_assert_uint_eq(navoi_result_count(r.result), 0);
    ck_assert_ptr_null(navoi_result_content(r.result, &len));
    ck_assert_uint_eq(len, 0);
    navoi__response_clear(&r);
}
END_TEST

static void zeros_gzip_b64(size_t n, navoi__buf *b64)
{
    z_stream z;
    unsigned char *in = calloc(1, n), *out;
    size_t cap = n / 100 + 4096;
    int zrc;

    ck_assert_ptr_nonnull(in);
    out = malloc(cap);
    ck_assert_ptr_nonnull(out);
    memset(&z, 0, sizeof z);
    ck_assert_int_eq(deflateInit2(&z, 1, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = in;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    zrc = deflate(&z, Z_FINISH);
    ck_assert_int_eq(zrc, Z_STREAM_END);
    ck_assert_int_eq(navoi__base64_encode(out, z.total_out, b64), NAVOI_OK);
    deflateEnd(&z);
    free(in);
    free(out);
}

START_TEST(invoice_data_bomb)
{
    navoi__response r;
    navoi__buf b64 = NAVOI__BUF_INIT;
    sb s = {0};
    char *b;

    /* 16 MiB of zeros gzips to a few KiB; the cap is 15,728,640 bytes. */
    zeros_gzip_b64(16u * 1024u * 1024u, &b64);
    sb_add(&s, "<ns2:invoiceDataResult><ns2:invoiceData>");
    sb_add(&s, b64.data);
    sb_add(&s, "</ns2:invoiceData><ns2:auditData><ns2:insdate>2024-11-21T12:00:01.301Z"
               "</ns2:insdate><ns2:insCusUser>lwilsmn0uqdxe6u</ns2:insCusUser><ns2:source>MGM"
               "</ns2:source><ns2:originalRequestVersion>3.0</ns2:originalRequestVersion>"
               "</ns2:auditData><ns2:compressedContentIndicator>true"
               "</ns2:compressedContentIndicator></ns2:invoiceDataResult>");
    b = envelope("QueryInvoiceDataResponse", "OK", s.p);
    ck_assert_int_eq(parse_str(NAVOI__OP_QUERY_INVOICE_DATA, b, &r), NAVOI_EPROTO);
    ck_assert_ptr_nonnull(strstr(r.res.message, "15728640"));
    ck_assert_ptr_null(r.result);
    navoi__response_clear(&r);
    free(b);
    free(s.p);
    navoi__buf_free(&b64);
}
END_TEST

START_TEST(digest_pages)
{
    navoi__response r;

    ck_assert_int_eq(parse_fixture(NAVOI__OP_QUERY_INVOICE_DIGEST, "digest_page1.xml", &r),
                     NAVOI_OK);
    ck_assert_str_eq(navoi_result_meta(r.result, "currentPage"), "1");
    ck_assert_str_eq(navoi_result_meta(r.result, "availablePage"), "2");
    ck_assert_uint_eq(navoi_result_count(r.result), 2);
    assert_field(r.result, 0, "invoiceNumber", "NAVOI-2024-0001");
    assert_field(r.result, 0, "supplierName", "Példa Szoftver Kft.");
    assert_field(r.result, 0, "invoiceNetAmountHUF", "10000.00");
    assert_field(r.result, 0, "completenessIndicator", "false");
    ck_assert_uint_eq(navoi_result_field_count(r.result, 0), 22);
    ck_assert_ptr_null(navoi_result_get(r.result, 0, "originalInvoiceNumber"));
    assert_field(r.result, 1, "invoiceOperation", "MODIFY");
    assert_field(r.result, 1, "invoiceVatAmount", "-270.00");
    assert_field(r.result, 1, "originalInvoiceNumber", "NAVOI-2024-0001");
    assert_field(r.result, 1, "modificationIndex", "1");
    navoi__response_clear(&r);

    ck_assert_int_eq(parse_fixture(NAVOI__OP_QUERY_INVOICE_DIGEST, "digest_page2.xml", &r),
                     NAVOI_OK);
    ck_assert_str_eq(navoi_result_meta(r.result, "currentPage"), "2");
    ck_assert_uint_eq(navoi_result_count(r.result), 1);
    assert_field(r.result, 0, "index", "2");
    navoi__response_clear(&r);

    ck_assert_int_eq(parse_fixture(NAVOI__OP_QUERY_INVOICE_DIGEST, "digest_empty.xml", &r),
                     NAVOI_OK);
    ck_assert_str_eq(navoi_result_meta(r.result, "currentPage"), "1");
    ck_assert_str_eq(navoi_result_meta(r.result, "availablePage"), "0");
    ck_assert_uint_eq(navoi_result_count(r.result), 0);
    navoi__response_clear(&r);
}
END_TEST

START_TEST(digest_bad_pages)
{
    static const char *const bodies[] = {
        "",
        "<ns2:invoiceDigestResult><ns2:availablePage>0</ns2:availablePage>"
        "</ns2:invoiceDigestResult>",
        "<ns2:invoiceDigestResult><ns2:currentPage>-1</ns2:currentPage><ns2:availablePage>0"
        "</ns2:availablePage></ns2:invoiceDigestResult>",
        "<ns2:invoiceDigestResult><ns2:currentPage>1</ns2:currentPage><ns2:availablePage>"
        "99999999999</ns2:availablePage></ns2:invoiceDigestResult>",
    };
    size_t i;

    for (i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        navoi__response r;
        char *b = envelope("QueryInvoiceDigestResponse", "OK", bodies[i]);

        ck_assert_int_eq(parse_str(NAVOI__OP_QUERY_INVOICE_DIGEST, b, &r), NAVOI_EPROTO);
        ck_assert_ptr_nonnull(r.res.message);
        ck_assert_ptr_null(r.result);
        navoi__response_clear(&r);
        free(b);
    }
}
END_TEST

START_TEST(chain_digest)
{
    static const char *const rec2[][2] = {
        {"invoiceChainDigest/invoiceNumber", "NAVOI-2024-0001-M1"},
        {"invoiceChainDigest/invoiceOperation", "MODIFY"},
        {"invoiceChainDigest/supplierTaxNumber", "11111111"},
        {"invoiceChainDigest/customerTaxNumber", "22222222"},
        {"invoiceChainDigest/insDate", "2024-11-21T12:14:59.870Z"},
        {"invoiceChainDigest/originalRequestVersion", "3.0"},
        {"invoiceLines/maxLineNumber", "4"},
        {"invoiceLines/newCreatedLines[1]/lineNumberIntervalStart", "2"},
        {"invoiceLines/newCreatedLines[1]/lineNumberIntervalEnd", "3"},
        {"invoiceLines/newCreatedLines[2]/lineNumberIntervalStart", "5"},
        {"invoiceLines/newCreatedLines[2]/lineNumberIntervalEnd", "5"},
        {"invoiceReferenceData/originalInvoiceNumber", "NAVOI-2024-0001"},
        {"invoiceReferenceData/modifyWithoutMaster", "false"},
        {"invoiceReferenceData/modificationIndex", "1"},
    };
    navoi__response r;
    size_t k;

    ck_assert_int_eq(parse_fixture(NAVOI__OP_QUERY_INVOICE_CHAIN_DIGEST, "chain_digest.xml", &r),
                     NAVOI_OK);
    ck_assert_str_eq(navoi_result_meta(r.result, "currentPage"), "1");
    ck_assert_str_eq(navoi_result_meta(r.result, "availablePage"), "1");
    ck_assert_uint_eq(navoi_result_count(r.result), 3);
    assert_field(r.result, 0, "invoiceLines/maxLineNumber", "1");
    ck_assert_ptr_null(navoi_result_get(r.result, 0, "invoiceReferenceData/modificationIndex"));

    /* the whole second element, names and order pinned (rule in result.h) */
    ck_assert_uint_eq(navoi_result_field_count(r.result, 1), sizeof rec2 / sizeof rec2[0]);
    for (k = 0; k < sizeof rec2 / sizeof rec2[0]; k++) {
        ck_assert_str_eq(navoi_result_field_name(r.result, 1, k), rec2[k][0]);
        ck_assert_str_eq(navoi_result_field_value(r.result, 1, k), rec2[k][1]);
    }

    /* one newCreatedLines: no suffix, but "[1]" finds it as well */
    assert_field(r.result, 2, "invoiceLines/newCreatedLines/lineNumberIntervalStart", "6");
    assert_field(r.result, 2, "invoiceLines/newCreatedLines[1]/lineNumberIntervalStart", "6");
    ck_assert_ptr_null(
        navoi_result_get(r.result, 2, "invoiceLines/newCreatedLines[2]/lineNumberIntervalStart"));
    ck_assert_ptr_null(navoi_result_get(r.result, 2, "invoiceLines/newCreatedLines"));
    ck_assert_ptr_null(navoi_result_get(r.result, 2, "invoiceLines[1]x"));
    /* "[1]" does not match an element that has siblings of its name in a
     * different position */
    ck_assert_ptr_null(
        navoi_result_get(r.result, 1, "invoiceLines/newCreatedLines/lineNumberIntervalStart"));
    assert_field(r.result, 2, "invoiceReferenceData/modificationIndex", "2");
    navoi__response_clear(&r);
}
END_TEST

START_TEST(taxpayer)
{
    navoi__response r;

    ck_assert_int_eq(parse_fixture(NAVOI__OP_QUERY_TAXPAYER, "taxpayer.xml", &r), NAVOI_OK);
    ck_assert_str_eq(navoi_result_meta(r.result, "infoDate"), "2023-06-30T00:00:00.000Z");
    ck_assert_str_eq(navoi_result_meta(r.result, "taxpayerValidity"), "true");
    ck_assert_uint_eq(navoi_result_count(r.result), 1);
    assert_field(r.result, 0, "taxpayerName",
                 "PÉLDA SZOFTVERFEJLESZTŐ KORLÁTOLT FELELŐSSÉGŰ TÁRSASÁG");
    assert_field(r.result, 0, "taxNumberDetail/taxpayerId", "22222222");
    assert_field(r.result, 0, "taxNumberDetail/vatCode", "2");
    assert_field(r.result, 0, "taxNumberDetail/countyCode", "13");
    assert_field(r.result, 0, "incorporation", "ORGANIZATION");
    assert_field(r.result, 0, "taxpayerAddressList/taxpayerAddressItem[1]/taxpayerAddressType",
                 "HQ");
    assert_field(r.result, 0, "taxpayerAddressList/taxpayerAddressItem[1]/taxpayerAddress/city",
                 "SZENTENDRE");
    assert_field(r.result, 0, "taxpayerAddressList/taxpayerAddressItem[2]/taxpayerAddressType",
                 "SITE");
    assert_field(r.result, 0, "taxpayerAddressList/taxpayerAddressItem[2]/taxpayerAddress/door",
                 "12");
    ck_assert_ptr_null(navoi_result_get(
        r.result, 0, "taxpayerAddressList/taxpayerAddressItem[1]/taxpayerAddress/door"));
    navoi__response_clear(&r);

    ck_assert_int_eq(parse_fixture(NAVOI__OP_QUERY_TAXPAYER, "taxpayer_invalid.xml", &r),
                     NAVOI_OK);
    ck_assert_str_eq(navoi_result_meta(r.result, "taxpayerValidity"), "false");
    ck_assert_ptr_null(navoi_result_meta(r.result, "infoDate"));
    ck_assert_uint_eq(navoi_result_count(r.result), 0);
    navoi__response_clear(&r);
}
END_TEST

/* Flattening details on a synthetic record: attributes, empty leaves,
 * nested repetition, namespace-blind names. */
START_TEST(flatten_rule)
{
    static const char *const want[][2] = {
        {"taxpayerName", "A"},
        {"x@id", "7"},
        {"x/y[1]", "1"},
        {"x/z", ""},
        {"x/y[2]", "2"},
        {"x/y[3]@k", "v"},
        {"x/y[3]/w", "3"},
        {"empty", ""},
        {"spaced", "a b"},
    };
    navoi__response r;
    char *b = envelope(
        "QueryTaxpayerResponse", "OK",
        "<ns2:taxpayerData><ns2:taxpayerName>A</ns2:taxpayerName>"
        "<ns2:x id=\"7\"><ns2:y>1</ns2:y><ns3:z/><ns2:y>2</ns2:y><ns2:y k=\"v\"><ns2:w>3"
        "</ns2:w></ns2:y></ns2:x><ns2:empty></ns2:empty><spaced>\n  a b \t</spaced>"
        "</ns2:taxpayerData>");
    size_t k;

    ck_assert_int_eq(parse_str(NAVOI__OP_QUERY_TAXPAYER, b, &r), NAVOI_OK);
    ck_assert_uint_eq(navoi_result_field_count(r.result, 0), sizeof want / sizeof want[0]);
    for (k = 0; k < sizeof want / sizeof want[0]; k++) {
        ck_assert_str_eq(navoi_result_field_name(r.result, 0, k), want[k][0]);
        ck_assert_str_eq(navoi_result_field_value(r.result, 0, k), want[k][1]);
    }
    navoi__response_clear(&r);
    free(b);
}
END_TEST

/* ==== errors ========================================================== */

START_TEST(error_security_user)
{
    navoi__response r;

    /* the error envelope answers any operation */
    ck_assert_int_eq(parse_fixture(NAVOI__OP_TOKEN_EXCHANGE, "error_security_user.xml", &r),
                     NAVOI_ENAV);
    ck_assert_str_eq(r.res.func_code, "ERROR");
    ck_assert_str_eq(r.res.error_code, "INVALID_SECURITY_USER");
    ck_assert_str_eq(r.res.message, "Helytelen authentikációs adatok!");
    ck_assert_ptr_null(r.encoded_token);
    navoi__response_clear(&r);
    ck_assert_int_eq(parse_fixture(NAVOI__OP_QUERY_TAXPAYER, "error_security_user.xml", &r),
                     NAVOI_ENAV);
    ck_assert_ptr_null(r.result);
    navoi__response_clear(&r);
}
END_TEST

START_TEST(error_schema_violation)
{
    navoi__response r;

    ck_assert_int_eq(parse_fixture(NAVOI__OP_MANAGE_INVOICE, "error_schema_violation.xml", &r),
                     NAVOI_ENAV);
    ck_assert_str_eq(r.res.error_code, "INVALID_REQUEST");
    ck_assert_ptr_nonnull(r.res.message);
    /* NAV's message first, then every technical message in summary form */
    {
        static const char head[] = "Helytelen kérés! [ERROR SCHEMA_VIOLATION: ";
        ck_assert_int_eq(strncmp(r.res.message, head, strlen(head)), 0);
    }
    ck_assert_ptr_nonnull(strstr(r.res.message, "cvc-length-valid"));
    ck_assert_ptr_nonnull(strstr(r.res.message, "; ERROR SCHEMA_VIOLATION: Request body contains"
                                                " on line: [22] and column: [120] error: "
                                                "[cvc-type.3.1.3"));
    /* NAV's own text ends in "valid.]", the summary's bracket follows */
    ck_assert_str_eq(r.res.message + strlen(r.res.message) - 8, "valid.]]");
    ck_assert_str_eq(r.transaction_id, "");
    navoi__response_clear(&r);
}
END_TEST

START_TEST(error_many_technical_messages)
{
    navoi__response r;
    sb s = {0};
    int i;

    sb_add(&s, "<?xml version=\"1.0\"?><ns2:GeneralErrorResponse " NS_DECL "><result>"
               "<funcCode>ERROR</funcCode><errorCode>INVALID_REQUEST</errorCode></result>");
    for (i = 0; i < 25; i++)
        sb_add(&s, "<ns2:technicalValidationMessages><validationResultCode>ERROR"
                   "</validationResultCode><validationErrorCode>SCHEMA_VIOLATION"
                   "</validationErrorCode></ns2:technicalValidationMessages>");
    sb_add(&s, "</ns2:GeneralErrorResponse>");
    ck_assert_int_eq(parse_str(NAVOI__OP_QUERY_TAXPAYER, s.p, &r), NAVOI_ENAV);
    /* no result/message: the summary stands alone, capped at 20 entries */
    {
        static const char head[] = "[ERROR SCHEMA_VIOLATION; ERROR SCHEMA_VIOLATION; ";
        ck_assert_int_eq(strncmp(r.res.message, head, strlen(head)), 0);
    }
    ck_assert_ptr_nonnull(strstr(r.res.message, "; and 5 more]"));
    navoi__response_clear(&r);
    free(s.p);
}
END_TEST

START_TEST(error_exception)
{
    navoi__response r;

    ck_assert_int_eq(parse_fixture(NAVOI__OP_QUERY_INVOICE_DIGEST, "exception.xml", &r),
                     NAVOI_ENAV);
    ck_assert_str_eq(r.res.func_code, "ERROR");
    ck_assert_str_eq(r.res.error_code, "INVALID_REQUEST");
    ck_assert_str_eq(r.res.message, "Helytelen kérés!");
    ck_assert_ptr_null(r.result);
    navoi__response_clear(&r);
}
END_TEST

START_TEST(error_unknown_code)
{
    navoi__response r;

    ck_assert_int_eq(parse_fixture(NAVOI__OP_QUERY_TAXPAYER, "error_unknown_code.xml", &r),
                     NAVOI_ENAV);
    ck_assert_str_eq(r.res.error_code, "NEW_FANCY_ERROR_2031");
    ck_assert_str_eq(r.res.message, "Ismeretlen, új hibakód a jövőből.");
    navoi__response_clear(&r);
}
END_TEST

START_TEST(error_long_code_cut_on_character)
{
    navoi__response r;
    char code[200], body[512];
    size_t i;

    /* 62 ASCII bytes then 'é' (2 bytes) would straddle the 63-byte limit */
    for (i = 0; i < 62; i++)
        code[i] = 'A';
    memcpy(code + 62, "\xc3\xa9XYZ", 6);
    snprintf(body, sizeof body,
             "<GeneralExceptionResponse xmlns=\"http://schemas.nav.gov.hu/NTCA/1.0/common\">"
             "<funcCode>ERROR</funcCode><errorCode>%s</errorCode></GeneralExceptionResponse>",
             code);
    ck_assert_int_eq(parse_str(NAVOI__OP_QUERY_TAXPAYER, body, &r), NAVOI_ENAV);
    ck_assert_uint_eq(strlen(r.res.error_code), 62);
    ck_assert_ptr_null(r.res.message);
    navoi__response_clear(&r);
}
END_TEST

START_TEST(ok200_func_error)
{
    navoi__response r;

    /* expected root, HTTP 200, but funcCode ERROR */
    ck_assert_int_eq(
        parse_fixture(NAVOI__OP_QUERY_TRANSACTION_STATUS, "ok200_func_error.xml", &r), NAVOI_ENAV);
    ck_assert_str_eq(r.res.error_code, "OPERATION_FAILED");
    ck_assert_str_eq(r.res.message, "Feldolgozás sikertelen!");
    ck_assert_ptr_null(r.status);
    navoi__response_clear(&r);
}
END_TEST

/* funcCode is checked on every operation's own root, and the body is not
 * read when it is ERROR. */
START_TEST(func_error_every_op)
{
    int op;

    for (op = 0; op < NAVOI__OP_COUNT; op++) {
        navoi__response r;
        char *b = envelope(navoi__op(op)->response_root, "ERROR", "");

        ck_assert_int_eq(parse_str(op, b, &r), NAVOI_ENAV);
        ck_assert_str_eq(r.res.func_code, "ERROR");
        ck_assert_ptr_null(r.result);
        ck_assert_ptr_null(r.status);
        navoi__response_clear(&r);
        free(b);
        /* an unknown funcCode is not a NAV answer */
        b = envelope(navoi__op(op)->response_root, "WARN", "");
        ck_assert_int_eq(parse_str(op, b, &r), NAVOI_EPROTO);
        navoi__response_clear(&r);
        free(b);
    }
}
END_TEST

START_TEST(error_root_with_ok)
{
    navoi__response r;

    ck_assert_int_eq(parse_str(NAVOI__OP_QUERY_TAXPAYER,
                               "<GeneralExceptionResponse "
                               "xmlns=\"http://schemas.nav.gov.hu/NTCA/1.0/common\">"
                               "<funcCode>OK</funcCode></GeneralExceptionResponse>",
                               &r),
                     NAVOI_EPROTO);
    navoi__response_clear(&r);
    ck_assert_int_eq(parse_str(NAVOI__OP_QUERY_TAXPAYER,
                               "<ns2:GeneralErrorResponse " NS_DECL "><header/>"
                               "</ns2:GeneralErrorResponse>",
                               &r),
                     NAVOI_EPROTO);
    ck_assert_ptr_nonnull(strstr(r.res.message, "without result"));
    navoi__response_clear(&r);
    /* funcCode is mandatory */
    ck_assert_int_eq(parse_str(NAVOI__OP_QUERY_TAXPAYER,
                               "<ns2:QueryTaxpayerResponse " NS_DECL "><result><errorCode>X"
                               "</errorCode></result></ns2:QueryTaxpayerResponse>",
                               &r),
                     NAVOI_EPROTO);
    navoi__response_clear(&r);
}
END_TEST

START_TEST(not_nav_bodies)
{
    static const struct {
        const char *file;
        const char *why;
    } cases[] = {
        {"malformed.xml", "not usable XML"},
        {"truncated.xml", "not usable XML"},
        {"wrong_root.xml", "unexpected response root 'html'"},
        {"wrong_namespace.xml", "OSA/2.0/api"},
        /* refused by the reader (DOCTYPE, or libxml2's entity loop check
         * first); never expanded */
        {"doctype_laughs.xml", "not usable XML"},
        {"generic_exception.txt", "not usable XML"},
    };
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        navoi__response r;

        ck_assert_int_eq(parse_fixture(NAVOI__OP_MANAGE_INVOICE, cases[i].file, &r),
                         NAVOI_EPROTO);
        ck_assert_msg(r.res.message && strstr(r.res.message, cases[i].why),
                      "%s: message '%s' lacks '%s'", cases[i].file,
                      r.res.message ? r.res.message : "(null)", cases[i].why);
        ck_assert_str_eq(r.res.func_code, "");
        ck_assert_str_eq(r.transaction_id, "");
        navoi__response_clear(&r);
    }
}
END_TEST

START_TEST(bad_arguments)
{
    navoi__response r;

    /* a DOCTYPE alone is refused, entities or not */
    ck_assert_int_eq(parse_str(NAVOI__OP_MANAGE_INVOICE,
                               "<!DOCTYPE x><ns2:ManageInvoiceResponse " NS_DECL "/>", &r),
                     NAVOI_EPROTO);
    ck_assert_ptr_nonnull(strstr(r.res.message, "document type"));
    navoi__response_clear(&r);

    ck_assert_int_eq(navoi__response_parse(NAVOI__OP_MANAGE_INVOICE, "", 0, &r), NAVOI_EPROTO);
    ck_assert_ptr_nonnull(strstr(r.res.message, "empty"));
    navoi__response_clear(&r);
    ck_assert_int_eq(navoi__response_parse(NAVOI__OP_MANAGE_INVOICE, NULL, 5, &r), NAVOI_EPROTO);
    navoi__response_clear(&r);
    ck_assert_int_eq(navoi__response_parse(NAVOI__OP_COUNT, "<a/>", 4, &r), NAVOI_EINVAL);
    navoi__response_clear(&r);
    ck_assert_int_eq(navoi__response_parse(-1, "<a/>", 4, &r), NAVOI_EINVAL);
    navoi__response_clear(&r);
    ck_assert_int_eq(navoi__response_parse(NAVOI__OP_MANAGE_INVOICE, "<a/>", 4, NULL),
                     NAVOI_EINVAL);
    navoi__response_clear(NULL);
}
END_TEST

/* ==== caps ============================================================ */

static char *many(const char *root, const char *open, const char *unit, size_t n,
                  const char *close)
{
    sb s = {0};
    size_t i;
    char *b;

    sb_add(&s, open);
    for (i = 0; i < n; i++)
        sb_add(&s, unit);
    sb_add(&s, close);
    b = envelope(root, "OK", s.p);
    free(s.p);
    return b;
}

START_TEST(cap_records)
{
    navoi__response r;
    const char *open = "<ns2:transactionListResult><ns2:currentPage>1</ns2:currentPage>"
                       "<ns2:availablePage>1</ns2:availablePage>";
    const char *unit = "<ns2:transaction><ns2:itemCount>1</ns2:itemCount></ns2:transaction>";
    char *b;

    b = many("QueryTransactionListResponse", open, unit, NAVOI__RESULT_MAX_RECORDS,
             "</ns2:transactionListResult>");
    ck_assert_int_eq(parse_str(NAVOI__OP_QUERY_TRANSACTION_LIST, b, &r), NAVOI_OK);
    ck_assert_uint_eq(navoi_result_count(r.result), NAVOI__RESULT_MAX_RECORDS);
    navoi__response_clear(&r);
    free(b);

    b = many("QueryTransactionListResponse", open, unit, NAVOI__RESULT_MAX_RECORDS + 1,
             "</ns2:transactionListResult>");
    ck_assert_int_eq(parse_str(NAVOI__OP_QUERY_TRANSACTION_LIST, b, &r), NAVOI_EPROTO);
    ck_assert_ptr_nonnull(strstr(r.res.message, "records"));
    ck_assert_ptr_null(r.result);
    navoi__response_clear(&r);
    free(b);
}
END_TEST

START_TEST(cap_fields_and_numbering)
{
    navoi__response r;
    char *b;

    b = many("QueryTaxpayerResponse", "<ns2:taxpayerData>", "<ns2:a>x</ns2:a>",
             NAVOI__RESULT_MAX_FIELDS, "</ns2:taxpayerData>");
    ck_assert_int_eq(parse_str(NAVOI__OP_QUERY_TAXPAYER, b, &r), NAVOI_OK);
    ck_assert_uint_eq(navoi_result_field_count(r.result, 0), NAVOI__RESULT_MAX_FIELDS);
    ck_assert_str_eq(navoi_result_field_name(r.result, 0, 0), "a[1]");
    ck_assert_str_eq(navoi_result_field_name(r.result, 0, NAVOI__RESULT_MAX_FIELDS - 1),
                     "a[20000]");
    navoi__response_clear(&r);
    free(b);

    b = many("QueryTaxpayerResponse", "<ns2:taxpayerData>", "<ns2:a>x</ns2:a>",
             NAVOI__RESULT_MAX_FIELDS + 1, "</ns2:taxpayerData>");
    ck_assert_int_eq(parse_str(NAVOI__OP_QUERY_TAXPAYER, b, &r), NAVOI_EPROTO);
    ck_assert_ptr_null(r.result);
    navoi__response_clear(&r);
    free(b);

    /* the cap counts fields of the whole record, not per level: two
     * subtrees each under the cap, together over it */
    {
        sb t = {0};
        size_t i, half = NAVOI__RESULT_MAX_FIELDS / 2 + 1;

        sb_add(&t, "<ns2:taxpayerData><ns2:l1>");
        for (i = 0; i < half; i++)
            sb_add(&t, "<ns2:a>x</ns2:a>");
        sb_add(&t, "</ns2:l1><ns2:l2>");
        for (i = 0; i < half; i++)
            sb_add(&t, "<ns2:b>y</ns2:b>");
        sb_add(&t, "</ns2:l2></ns2:taxpayerData>");
        b = envelope("QueryTaxpayerResponse", "OK", t.p);
        ck_assert_int_eq(parse_str(NAVOI__OP_QUERY_TAXPAYER, b, &r), NAVOI_EPROTO);
        ck_assert_ptr_null(r.result);
        navoi__response_clear(&r);
        free(b);
        free(t.p);
    }
}
END_TEST

START_TEST(cap_value_and_path)
{
    navoi__response r;
    sb s = {0};
    char *b;
    size_t i;

    sb_add(&s, "<ns2:taxpayerData><ns2:taxpayerName>");
    for (i = 0; i < NAVOI__RESULT_MAX_VALUE + 1; i++)
        sb_add(&s, "x");
    sb_add(&s, "</ns2:taxpayerName></ns2:taxpayerData>");
    b = envelope("QueryTaxpayerResponse", "OK", s.p);
    ck_assert_int_eq(parse_str(NAVOI__OP_QUERY_TAXPAYER, b, &r), NAVOI_EPROTO);
    ck_assert_ptr_nonnull(strstr(r.res.message, "taxpayerName"));
    navoi__response_clear(&r);
    free(b);
    free(s.p);

    /* a meta value over the cap, too */
    memset(&s, 0, sizeof s);
    sb_add(&s, "<ns2:infoDate>");
    for (i = 0; i < NAVOI__RESULT_MAX_VALUE + 1; i++)
        sb_add(&s, "0");
    sb_add(&s, "</ns2:infoDate>");
    b = envelope("QueryTaxpayerResponse", "OK", s.p);
    ck_assert_int_eq(parse_str(NAVOI__OP_QUERY_TAXPAYER, b, &r), NAVOI_EPROTO);
    ck_assert_ptr_nonnull(strstr(r.res.message, "infoDate"));
    navoi__response_clear(&r);
    free(b);
    free(s.p);

    memset(&s, 0, sizeof s);
    sb_add(&s, "<ns2:taxpayerData><ns2:");
    for (i = 0; i < NAVOI__RESULT_MAX_PATH + 1; i++)
        sb_add(&s, "n");
    sb_add(&s, ">v</ns2:");
    for (i = 0; i < NAVOI__RESULT_MAX_PATH + 1; i++)
        sb_add(&s, "n");
    sb_add(&s, "></ns2:taxpayerData>");
    b = envelope("QueryTaxpayerResponse", "OK", s.p);
    ck_assert_int_eq(parse_str(NAVOI__OP_QUERY_TAXPAYER, b, &r), NAVOI_EPROTO);
    ck_assert_ptr_nonnull(strstr(r.res.message, "path"));
    navoi__response_clear(&r);
    free(b);
    free(s.p);
}
END_TEST

START_TEST(cap_items_and_messages)
{
    navoi__response r;
    sb s = {0};
    char unit[256], *b;
    size_t i;

    sb_add(&s, "<ns2:processingResults>");
    for (i = 1; i <= NAVOI__TXN_MAX_ITEMS + 1; i++) {
        snprintf(unit, sizeof unit,
                 "<ns2:processingResult><ns2:index>%zu</ns2:index><ns2:invoiceStatus>DONE"
                 "</ns2:invoiceStatus></ns2:processingResult>",
                 i);
        sb_add(&s, unit);
    }
    sb_add(&s, "</ns2:processingResults>");
    b = envelope("QueryTransactionStatusResponse", "OK", s.p);
    ck_assert_int_eq(parse_str(NAVOI__OP_QUERY_TRANSACTION_STATUS, b, &r), NAVOI_EPROTO);
    ck_assert_ptr_null(r.status);
    navoi__response_clear(&r);
    free(b);
    free(s.p);

    b = many("QueryTransactionStatusResponse",
             "<ns2:processingResults><ns2:processingResult><ns2:index>1</ns2:index>"
             "<ns2:invoiceStatus>DONE</ns2:invoiceStatus>",
             "<ns2:businessValidationMessages><ns2:validationResultCode>INFO"
             "</ns2:validationResultCode></ns2:businessValidationMessages>",
             NAVOI__TXN_MAX_MESSAGES + 1, "</ns2:processingResult></ns2:processingResults>");
    ck_assert_int_eq(parse_str(NAVOI__OP_QUERY_TRANSACTION_STATUS, b, &r), NAVOI_EPROTO);
    ck_assert_ptr_nonnull(strstr(r.res.message, "limit"));
    ck_assert_ptr_null(r.status);
    navoi__response_clear(&r);
    free(b);
}
END_TEST

START_TEST(cap_message_text)
{
    navoi__response r;
    sb s = {0};
    char *b;
    size_t i;

    sb_add(&s, "<ns2:processingResults><ns2:processingResult><ns2:index>1</ns2:index>"
               "<ns2:invoiceStatus>ABORTED</ns2:invoiceStatus><ns2:businessValidationMessages>"
               "<ns2:validationResultCode>ERROR</ns2:validationResultCode><ns2:message>");
    for (i = 0; i < NAVOI__TXN_MAX_TEXT + 1; i++)
        sb_add(&s, "m");
    sb_add(&s, "</ns2:message></ns2:businessValidationMessages></ns2:processingResult>"
               "</ns2:processingResults>");
    b = envelope("QueryTransactionStatusResponse", "OK", s.p);
    ck_assert_int_eq(parse_str(NAVOI__OP_QUERY_TRANSACTION_STATUS, b, &r), NAVOI_EPROTO);
    navoi__response_clear(&r);
    free(b);
    free(s.p);
}
END_TEST

/* ==== status machine ================================================== */

START_TEST(status_table)
{
    /* PROTOCOL.md 6.1: RECEIVED -> PROCESSING -> SAVED -> DONE, ABORTED from
     * any non-final state, forward skips and repeats allowed, DONE and
     * ABORTED final, UNKNOWN (nothing known yet) -> anything. */
    static const int legal[6][6] = {
        /* to:  U  R  P  S  D  A       from: */
        {1, 1, 1, 1, 1, 1}, /* UNKNOWN */
        {0, 1, 1, 1, 1, 1}, /* RECEIVED */
        {0, 0, 1, 1, 1, 1}, /* PROCESSING */
        {0, 0, 0, 1, 1, 1}, /* SAVED */
        {0, 0, 0, 0, 1, 0}, /* DONE */
        {0, 0, 0, 0, 0, 1}, /* ABORTED */
    };
    static const int ids[6] = {NAVOI_STATUS_UNKNOWN, NAVOI_STATUS_RECEIVED,
                               NAVOI_STATUS_PROCESSING, NAVOI_STATUS_SAVED,
                               NAVOI_STATUS_DONE, NAVOI_STATUS_ABORTED};
    int f, t;

    for (f = 0; f < 6; f++)
        for (t = 0; t < 6; t++)
            ck_assert_msg(navoi__status_transition_ok(ids[f], ids[t]) == legal[f][t],
                          "%s -> %s", navoi_status_name(ids[f]), navoi_status_name(ids[t]));
    ck_assert_int_eq(navoi__status_transition_ok(-1, NAVOI_STATUS_DONE), 0);
    ck_assert_int_eq(navoi__status_transition_ok(NAVOI_STATUS_RECEIVED, 6), 0);
    ck_assert_int_eq(navoi__status_transition_ok(NAVOI_STATUS_UNKNOWN, 99), 0);
}
END_TEST

START_TEST(status_names)
{
    static const char *const names[] = {"UNKNOWN", "RECEIVED", "PROCESSING",
                                        "SAVED", "DONE", "ABORTED"};
    int i;

    for (i = 0; i < 6; i++)
        ck_assert_str_eq(navoi_status_name(i), names[i]);
    ck_assert_str_eq(navoi_status_name(-1), "UNKNOWN");
    ck_assert_str_eq(navoi_status_name(6), "UNKNOWN");
    for (i = 1; i < 6; i++)
        ck_assert_int_eq(navoi__status_from_name(names[i]), i);
    ck_assert_int_eq(navoi__status_from_name("UNKNOWN"), NAVOI_STATUS_UNKNOWN);
    ck_assert_int_eq(navoi__status_from_name("done"), NAVOI_STATUS_UNKNOWN);
    ck_assert_int_eq(navoi__status_from_name("FINISHED"), NAVOI_STATUS_UNKNOWN);
    ck_assert_int_eq(navoi__status_from_name(""), NAVOI_STATUS_UNKNOWN);
    ck_assert_int_eq(navoi__status_from_name(NULL), NAVOI_STATUS_UNKNOWN);
    for (i = 0; i < 6; i++)
        ck_assert_int_eq(navoi__status_is_final(i),
                         i == NAVOI_STATUS_DONE || i == NAVOI_STATUS_ABORTED);
    ck_assert_int_eq(navoi__status_is_final(7), 0);
}
END_TEST

/* ==== public accessors: NULL and out of range ========================= */

START_TEST(result_accessors_edges)
{
    navoi__response r;
    size_t len = 5;

    ck_assert_uint_eq(navoi_result_count(NULL), 0);
    ck_assert_ptr_null(navoi_result_get(NULL, 0, "a"));
    ck_assert_uint_eq(navoi_result_field_count(NULL, 0), 0);
    ck_assert_ptr_null(navoi_result_field_name(NULL, 0, 0));
    ck_assert_ptr_null(navoi_result_field_value(NULL, 0, 0));
    ck_assert_ptr_null(navoi_result_meta(NULL, "currentPage"));
    ck_assert_ptr_null(navoi_result_content(NULL, &len));
    ck_assert_uint_eq(len, 0);
    ck_assert_ptr_null(navoi_result_content(NULL, NULL));
    navoi_result_free(NULL);

    ck_assert_int_eq(parse_fixture(NAVOI__OP_QUERY_TRANSACTION_LIST, "txlist_page1.xml", &r),
                     NAVOI_OK);
    ck_assert_ptr_null(navoi_result_get(r.result, 3, "insDate"));
    ck_assert_ptr_null(navoi_result_get(r.result, (size_t)-1, "insDate"));
    ck_assert_ptr_null(navoi_result_get(r.result, 0, NULL));
    ck_assert_ptr_null(navoi_result_get(r.result, 0, "nope"));
    ck_assert_ptr_null(navoi_result_get(r.result, 0, ""));
    ck_assert_uint_eq(navoi_result_field_count(r.result, 3), 0);
    ck_assert_ptr_null(navoi_result_field_name(r.result, 0, 8));
    ck_assert_ptr_null(navoi_result_field_value(r.result, 0, 8));
    ck_assert_ptr_null(navoi_result_field_name(r.result, 3, 0));
    ck_assert_ptr_null(navoi_result_meta(r.result, NULL));
    ck_assert_ptr_null(navoi_result_meta(r.result, "invoiceCheckResult"));
    navoi__response_clear(&r);
}
END_TEST

START_TEST(txn_accessors_edges)
{
    navoi__response r;
    int kind = 9, sev = 9;
    const char *c = NULL, *m = NULL, *a = NULL, *b = NULL, *l = NULL, *o = NULL;
    size_t len = 5;

    ck_assert_str_eq(navoi_txn_id(NULL), "");
    ck_assert_str_eq(navoi_txn_request_id(NULL), "");
    ck_assert_int_eq(navoi_txn_is_final(NULL), 0);
    ck_assert_uint_eq(navoi_txn_item_count(NULL), 0);
    ck_assert_int_eq(navoi_txn_item_index(NULL, 0), 0);
    ck_assert_int_eq(navoi_txn_item_batch_index(NULL, 0), 0);
    ck_assert_int_eq(navoi_txn_item_status(NULL, 0), NAVOI_STATUS_UNKNOWN);
    ck_assert_ptr_null(navoi_txn_item_original(NULL, 0, &len));
    ck_assert_uint_eq(len, 0);
    ck_assert_uint_eq(navoi_txn_message_count(NULL, 0), 0);
    ck_assert_int_eq(navoi_txn_message(NULL, 0, 0, &kind, &sev, &c, &m), NAVOI_ENOTFOUND);
    ck_assert_int_eq(kind, 0);
    ck_assert_int_eq(sev, 0);
    ck_assert_str_eq(c, "");
    ck_assert_str_eq(m, "");
    ck_assert_int_eq(navoi_txn_message_pointer(NULL, 0, 0, &a, &b, &l, &o), NAVOI_ENOTFOUND);
    ck_assert_str_eq(a, "");
    ck_assert_str_eq(o, "");
    ck_assert_str_eq(navoi_txn_annulment_status(NULL), "");
    navoi_txn_free(NULL);

    ck_assert_int_eq(
        parse_fixture(NAVOI__OP_QUERY_TRANSACTION_STATUS, "status_items.xml", &r), NAVOI_OK);
    ck_assert_int_eq(navoi_txn_item_index(r.status, 3), 0);
    ck_assert_int_eq(navoi_txn_item_status(r.status, 3), NAVOI_STATUS_UNKNOWN);
    ck_assert_int_eq(navoi_txn_item_batch_index(r.status, 99), 0);
    ck_assert_ptr_null(navoi_txn_item_original(r.status, 3, NULL));
    ck_assert_uint_eq(navoi_txn_message_count(r.status, 3), 0);
    ck_assert_int_eq(navoi_txn_message(r.status, 0, 1, &kind, &sev, &c, &m), NAVOI_ENOTFOUND);
    ck_assert_int_eq(navoi_txn_message(r.status, 3, 0, NULL, NULL, NULL, NULL),
                     NAVOI_ENOTFOUND);
    ck_assert_int_eq(navoi_txn_message(r.status, 1, 1, NULL, NULL, NULL, NULL), NAVOI_OK);
    ck_assert_int_eq(navoi_txn_message_pointer(r.status, 2, 0, &a, NULL, NULL, NULL),
                     NAVOI_ENOTFOUND);
    ck_assert_int_eq(navoi_txn_message_pointer(r.status, 0, 0, NULL, NULL, NULL, NULL),
                     NAVOI_OK);
    navoi__response_clear(&r);
}
END_TEST

/* ==== allocation failures ============================================= */

static long g_allocs_left;

static void *failing_malloc(size_t n)
{
    if (g_allocs_left == 0)
        return NULL;
    g_allocs_left--;
    return malloc(n);
}

static void *failing_realloc(void *p, size_t n)
{
    if (g_allocs_left == 0)
        return NULL;
    g_allocs_left--;
    return realloc(p, n);
}

/* Fails the k-th navoi allocation for every k until the parse succeeds:
 * each run must give NAVOI_ENOMEM or the normal result, never a crash or a
 * leak (valgrind/ASan runs check the latter). */
static void torture(int op, const char *name, int want)
{
    size_t len;
    char *body = fixture(name, &len);
    long k;
    int rc = NAVOI_ENOMEM;

    for (k = 0; k < 100000 && rc == NAVOI_ENOMEM; k++) {
        navoi__response r;

        g_allocs_left = k;
        ck_assert_int_eq(navoi_set_allocator(failing_malloc, failing_realloc, free), NAVOI_OK);
        rc = navoi__response_parse(op, body, len, &r);
        ck_assert_int_eq(navoi_set_allocator(malloc, realloc, free), NAVOI_OK);
        ck_assert_msg(rc == NAVOI_ENOMEM || rc == want, "%s: k=%ld rc=%d", name, k, rc);
        if (rc == NAVOI_ENOMEM) {
            ck_assert_ptr_null(r.result);
            ck_assert_ptr_null(r.status);
        }
        navoi__response_clear(&r);
    }
    ck_assert_int_eq(rc, want);
    /* the loop really walked through failing allocations */
    ck_assert_int_gt(k, 3);
    free(body);
}

START_TEST(enomem_parsing)
{
    torture(NAVOI__OP_TOKEN_EXCHANGE, "token_exchange.xml", NAVOI_OK);
    torture(NAVOI__OP_QUERY_TRANSACTION_STATUS, "status_items.xml", NAVOI_OK);
    torture(NAVOI__OP_QUERY_TRANSACTION_STATUS, "status_original_gzip.xml", NAVOI_OK);
    torture(NAVOI__OP_QUERY_TRANSACTION_STATUS, "status_annulment.xml", NAVOI_OK);
    torture(NAVOI__OP_QUERY_INVOICE_DATA, "invoice_data_plain.xml", NAVOI_OK);
    torture(NAVOI__OP_QUERY_INVOICE_CHAIN_DIGEST, "chain_digest.xml", NAVOI_OK);
    torture(NAVOI__OP_QUERY_TAXPAYER, "taxpayer.xml", NAVOI_OK);
    torture(NAVOI__OP_MANAGE_INVOICE, "error_schema_violation.xml", NAVOI_ENAV);
}
END_TEST

START_TEST(enomem_apply)
{
    navoi_txn *early = parsed_status("status_early.xml");
    navoi_txn *items = parsed_status("status_items.xml");
    navoi_txn *gz = parsed_status("status_original_gzip.xml");
    navoi_txn *ann = parsed_status("status_annulment.xml");
    long k;
    int rc = NAVOI_ENOMEM;

    for (k = 0; k < 10000 && rc == NAVOI_ENOMEM; k++) {
        navoi_txn *txn = NULL;
        char before[4096], after[4096];

        ck_assert_int_eq(navoi__txn_new(&txn, "T", "R"), NAVOI_OK);
        ck_assert_int_eq(navoi__txn_apply(txn, early), NAVOI_OK);
        snapshot(txn, before, sizeof before);
        g_allocs_left = k;
        ck_assert_int_eq(navoi_set_allocator(failing_malloc, failing_realloc, free), NAVOI_OK);
        rc = navoi__txn_apply(txn, items);
        ck_assert_int_eq(navoi_set_allocator(malloc, realloc, free), NAVOI_OK);
        snapshot(txn, after, sizeof after);
        if (rc == NAVOI_ENOMEM)
            ck_assert_str_eq(before, after);
        else
            ck_assert_int_eq(rc, NAVOI_OK);
        navoi_txn_free(txn);
    }
    ck_assert_int_eq(rc, NAVOI_OK);

    /* originals and annulment data */
    rc = NAVOI_ENOMEM;
    for (k = 0; k < 10000 && rc == NAVOI_ENOMEM; k++) {
        navoi_txn *txn = NULL;

        ck_assert_int_eq(navoi__txn_new(&txn, "T", "R"), NAVOI_OK);
        g_allocs_left = k;
        ck_assert_int_eq(navoi_set_allocator(failing_malloc, failing_realloc, free), NAVOI_OK);
        rc = navoi__txn_apply(txn, gz);
        if (rc == NAVOI_OK)
            rc = navoi__txn_apply(txn, ann);
        ck_assert_int_eq(navoi_set_allocator(malloc, realloc, free), NAVOI_OK);
        navoi_txn_free(txn);
    }
    ck_assert_int_eq(rc, NAVOI_OK);

    rc = NAVOI_ENOMEM;
    for (k = 0; k < 10000 && rc == NAVOI_ENOMEM; k++) {
        navoi_txn *txn = NULL;

        g_allocs_left = k;
        ck_assert_int_eq(navoi_set_allocator(failing_malloc, failing_realloc, free), NAVOI_OK);
        rc = navoi__txn_new(&txn, "T", "R");
        if (rc == NAVOI_OK)
            rc = navoi__txn_apply(txn, ann);
        ck_assert_int_eq(navoi_set_allocator(malloc, realloc, free), NAVOI_OK);
        if (rc == NAVOI_OK)
            ck_assert_str_eq(navoi_txn_annulment_status(txn), "VERIFICATION_DONE");
        navoi_txn_free(txn);
    }
    ck_assert_int_eq(rc, NAVOI_OK);

    navoi_txn_free(early);
    navoi_txn_free(items);
    navoi_txn_free(gz);
    navoi_txn_free(ann);
}
END_TEST

/* ==== fixtures against NAV's schema =================================== */

START_TEST(fixtures_validate)
{
    static const char *const valid[] = {
        "token_exchange.xml", "token_exchange_prefixes.xml", "manage_invoice.xml",
        "manage_annulment.xml", "status_items.xml", "status_early.xml", "status_none.xml",
        "status_original_gzip.xml", "status_original_plain.xml", "status_annulment.xml",
        "status_annulment_pending.xml", "status_batch.xml", "txlist_page1.xml",
        "txlist_page2.xml", "check_true.xml", "check_false.xml", "invoice_data_gzip.xml",
        "invoice_data_plain.xml", "invoice_data_none.xml", "digest_page1.xml",
        "digest_page2.xml", "digest_empty.xml", "chain_digest.xml", "taxpayer.xml",
        "taxpayer_invalid.xml", "error_security_user.xml", "error_unknown_code.xml",
        "exception.xml", "ok200_func_error.xml",
    };
    /* modelled on observed NAV deviations from its own XSD (README) */
    static const char *const observed[] = {
        "token_exchange_offset.xml",
        "error_schema_violation.xml",
    };
    navoi__schemas *s = NULL;
    char *dir = nt_nav_path("schemas");
    char err[512];
    size_t i;

    ck_assert_msg(navoi__schemas_load(dir, &s, err, sizeof err) == NAVOI_OK, "%s", err);
    for (i = 0; i < sizeof valid / sizeof valid[0]; i++) {
        size_t len;
        char *body = fixture(valid[i], &len);

        ck_assert_msg(navoi__schemas_validate_mem(s, NAVOI__SCHEMA_API, body, len, err,
                                                  sizeof err) == NAVOI_OK,
                      "%s: %s", valid[i], err);
        free(body);
    }
    for (i = 0; i < sizeof observed / sizeof observed[0]; i++) {
        size_t len;
        char *body = fixture(observed[i], &len);

        ck_assert_int_eq(navoi__schemas_validate_mem(s, NAVOI__SCHEMA_API, body, len, err,
                                                     sizeof err),
                         NAVOI_ESCHEMA);
        free(body);
    }
    /* the payloads behind the base64 blobs are InvoiceData documents */
    for (i = 1; i <= 2; i++) {
        char name[64];
        size_t len;
        char *body;

        snprintf(name, sizeof name, "invoice_NAVOI-2024-000%zu.xml", i);
        body = read_payload(name, &len);
        ck_assert_msg(navoi__schemas_validate_mem(s, NAVOI__SCHEMA_DATA, body, len, err,
                                                  sizeof err) == NAVOI_OK,
                      "%s: %s", name, err);
        free(body);
    }
    navoi__schemas_free(s);
    free(dir);
}
END_TEST

static Suite *response_suite(void)
{
    Suite *s = suite_create("response");
    TCase *tc;

    tc = tcase_create("token");
    tcase_add_test(tc, token_exchange_vector);
    tcase_add_test(tc, token_exchange_offset);
    tcase_add_test(tc, token_exchange_prefixes);
    tcase_add_test(tc, token_exchange_missing_values);
    suite_add_tcase(s, tc);

    tc = tcase_create("manage");
    tcase_add_test(tc, manage_ok);
    tcase_add_test(tc, manage_bad_transaction_id);
    suite_add_tcase(s, tc);

    tc = tcase_create("status");
    tcase_add_test(tc, status_items);
    tcase_add_test(tc, status_none);
    tcase_add_test(tc, status_original_gzip);
    tcase_add_test(tc, status_original_plain);
    tcase_add_test(tc, status_annulment);
    tcase_add_test(tc, status_batch);
    tcase_add_test(tc, status_bad_items);
    tcase_add_test(tc, status_unknown_severity);
    suite_add_tcase(s, tc);

    tc = tcase_create("apply");
    tcase_add_test(tc, apply_forward_then_refuse_regression);
    tcase_add_test(tc, apply_single_item_regression);
    tcase_add_test(tc, apply_keeps_original_and_unmentioned_items);
    tcase_add_test(tc, apply_annulment_decision);
    suite_add_tcase(s, tc);

    tc = tcase_create("queries");
    tcase_add_test(tc, transaction_list_pages);
    tcase_add_test(tc, invoice_check);
    tcase_add_test(tc, invoice_check_bad);
    tcase_add_test(tc, invoice_data_gzip);
    tcase_add_test(tc, invoice_data_plain);
    tcase_add_test(tc, invoice_data_none);
    tcase_add_test(tc, invoice_data_bomb);
    tcase_add_test(tc, digest_pages);
    tcase_add_test(tc, digest_bad_pages);
    tcase_add_test(tc, chain_digest);
    tcase_add_test(tc, taxpayer);
    tcase_add_test(tc, flatten_rule);
    suite_add_tcase(s, tc);

    tc = tcase_create("errors");
    tcase_add_test(tc, error_security_user);
    tcase_add_test(tc, error_schema_violation);
    tcase_add_test(tc, error_many_technical_messages);
    tcase_add_test(tc, error_exception);
    tcase_add_test(tc, error_unknown_code);
    tcase_add_test(tc, error_long_code_cut_on_character);
    tcase_add_test(tc, ok200_func_error);
    tcase_add_test(tc, func_error_every_op);
    tcase_add_test(tc, error_root_with_ok);
    tcase_add_test(tc, not_nav_bodies);
    tcase_add_test(tc, bad_arguments);
    suite_add_tcase(s, tc);

    tc = tcase_create("caps");
    /* generated bodies of several MiB; slow under valgrind */
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, cap_records);
    tcase_add_test(tc, cap_fields_and_numbering);
    tcase_add_test(tc, cap_value_and_path);
    tcase_add_test(tc, cap_items_and_messages);
    tcase_add_test(tc, cap_message_text);
    suite_add_tcase(s, tc);

    tc = tcase_create("state");
    tcase_add_test(tc, status_table);
    tcase_add_test(tc, status_names);
    suite_add_tcase(s, tc);

    tc = tcase_create("accessors");
    tcase_add_test(tc, result_accessors_edges);
    tcase_add_test(tc, txn_accessors_edges);
    suite_add_tcase(s, tc);

    tc = tcase_create("enomem");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, enomem_parsing);
    tcase_add_test(tc, enomem_apply);
    suite_add_tcase(s, tc);

    tc = tcase_create("schema");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, fixtures_validate);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return nt_run(response_suite());
}
