/* test_request.c - the ten request builders: every output validates against
 * invoiceApi.xsd; signatures equal NAV's worked example (PROTOCOL.md 3.3)
 * and an independent OpenSSL computation for 100 items; bad arguments are
 * refused before anything is built; the digest-query object enforces NAV's
 * local rules. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <libxml/parser.h>

#include "common/buf.h"
#include "navoi/navoi.h"
#include "ops/digest_query.h"
#include "ops/request.h"
#include "reqtest.h"
#include "testutil.h"

static navoi__software g_sw;
static navoi__envelope g_env;

static void setup(void)
{
    rt_software(&g_sw);
    rt_envelope(&g_env, &g_sw);
}

/* requestSignature text of a built request. */
static char *signature_of(const navoi__buf *b)
{
    xmlDocPtr doc = rt_parse(b->data, b->len);
    char *sig = rt_find_text(xmlDocGetRootElement(doc), "requestSignature");
    xmlFreeDoc(doc);
    ck_assert_ptr_nonnull(sig);
    return sig;
}

/* ------------------------------------------------------------------ */
/* Each operation validates */

START_TEST(token_exchange_valid)
{
    navoi__buf b = NAVOI__BUF_INIT;

    ck_assert_int_eq(navoi__req_token_exchange(&g_env, &b), NAVOI_OK);
    rt_assert_valid(NAVOI__SCHEMA_API, b.data, b.len);
    navoi__buf_free(&b);
}
END_TEST

START_TEST(minimal_software_valid)
{
    navoi__buf b = NAVOI__BUF_INIT;
    xmlDocPtr doc;
    char *v;

    /* Optional software fields left out, ONLINE_SERVICE. */
    g_sw.dev_country[0] = '\0';
    g_sw.dev_tax_number = NULL;
    g_sw.operation = NAVOI_SOFTWARE_ONLINE;
    ck_assert_int_eq(navoi__req_query_taxpayer(&g_env, "22222222", &b), NAVOI_OK);
    rt_assert_valid(NAVOI__SCHEMA_API, b.data, b.len);
    doc = rt_parse(b.data, b.len);
    ck_assert_ptr_null(rt_find_text(xmlDocGetRootElement(doc), "softwareDevCountryCode"));
    ck_assert_ptr_null(rt_find_text(xmlDocGetRootElement(doc), "softwareDevTaxNumber"));
    v = rt_find_text(xmlDocGetRootElement(doc), "softwareOperation");
    ck_assert_str_eq(v, "ONLINE_SERVICE");
    free(v);
    xmlFreeDoc(doc);
    navoi__buf_free(&b);
}
END_TEST

static const char *const k_hash128 =
    "06327A94D9482F1162179A1A2CEEE80DE4E7BCE94F848DC53257921452F9AB781A38FE55835BB38479253451D6"
    "74E768622BA5485EF659383907990EBDA3012D";

START_TEST(manage_invoice_1_item_valid)
{
    navoi__buf b = NAVOI__BUF_INIT;
    navoi__manage_item it = {"CREATE", "QWJjZDEyMzQ=", 12, NULL, NULL};

    ck_assert_int_eq(navoi__req_manage_invoice(&g_env, "tok", 0, &it, 1, &b), NAVOI_OK);
    rt_assert_valid(NAVOI__SCHEMA_API, b.data, b.len);
    ck_assert_ptr_nonnull(strstr(b.data, "<compressedContent>false</compressedContent>"));
    ck_assert_ptr_null(strstr(b.data, "electronicInvoiceHash"));
    navoi__buf_free(&b);
}
END_TEST

START_TEST(manage_invoice_compressed_ehash_valid)
{
    navoi__buf b = NAVOI__BUF_INIT;
    navoi__manage_item it[3] = {
        {"CREATE", "H4sIAAAAAAAEAA==", 16, k_hash128, "SHA3-512"},
        {"MODIFY", "RGNiYTQzMjE=", 12,
         "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08", "SHA-256"},
        {"STORNO", "QQ==", 4, NULL, NULL},
    };

    ck_assert_int_eq(navoi__req_manage_invoice(&g_env, "tok", 1, it, 3, &b), NAVOI_OK);
    rt_assert_valid(NAVOI__SCHEMA_API, b.data, b.len);
    ck_assert_ptr_nonnull(strstr(b.data, "<compressedContent>true</compressedContent>"));
    ck_assert_ptr_nonnull(strstr(b.data, "<electronicInvoiceHash cryptoType=\"SHA3-512\">"));
    ck_assert_ptr_nonnull(strstr(b.data, "<electronicInvoiceHash cryptoType=\"SHA-256\">"));
    navoi__buf_free(&b);
}
END_TEST

/* Expected signature computed here with OpenSSL, following PROTOCOL.md 3.2. */
static void expected_manage_signature(const navoi__envelope *e, const navoi__manage_item *it,
                                      size_t n, char out[129])
{
    size_t cap = 256 + n * 128, i, len;
    char *s = malloc(cap), h[129];
    const char *t = e->timestamp;

    ck_assert_ptr_nonnull(s);
    /* mask: YYYYMMDDhhmmss */
    len = (size_t)snprintf(s, cap, "%s%.4s%.2s%.2s%.2s%.2s%.2s%s", e->request_id, t, t + 5, t + 8,
                           t + 11, t + 14, t + 17, e->sign_key);
    for (i = 0; i < n; i++) {
        size_t ol = strlen(it[i].operation);
        char *pair = malloc(ol + it[i].data_len);
        ck_assert_ptr_nonnull(pair);
        memcpy(pair, it[i].operation, ol);
        memcpy(pair + ol, it[i].data, it[i].data_len);
        rt_sha3_hex(pair, ol + it[i].data_len, h);
        free(pair);
        memcpy(s + len, h, 128);
        len += 128;
    }
    rt_sha3_hex(s, len, out);
    free(s);
}

static void make_items(navoi__manage_item *it, size_t n, const char *op)
{
    static char data[100][16];
    size_t i;

    for (i = 0; i < n; i++) {
        /* Distinct base64 payloads: "item NNN" encoded. */
        char plain[32];
        char *enc;
        snprintf(plain, sizeof plain, "item %03zu", i);
        enc = rt_b64encode(plain, strlen(plain));
        ck_assert_uint_lt(strlen(enc), sizeof data[i]);
        strcpy(data[i], enc);
        free(enc);
        it[i].operation = op;
        it[i].data = data[i];
        it[i].data_len = strlen(data[i]);
        it[i].ehash = NULL;
        it[i].ehash_crypto = NULL;
    }
}

START_TEST(manage_invoice_100_items_valid)
{
    navoi__buf b = NAVOI__BUF_INIT;
    navoi__manage_item it[100];
    char want[129], *got;

    make_items(it, 100, "MODIFY");
    ck_assert_int_eq(navoi__req_manage_invoice(&g_env, "tok", 0, it, 100, &b), NAVOI_OK);
    rt_assert_valid(NAVOI__SCHEMA_API, b.data, b.len);
    ck_assert_ptr_nonnull(strstr(b.data, "<index>100</index>"));
    expected_manage_signature(&g_env, it, 100, want);
    got = signature_of(&b);
    ck_assert_str_eq(got, want);
    free(got);
    navoi__buf_free(&b);
}
END_TEST

START_TEST(manage_annulment_valid)
{
    navoi__buf b = NAVOI__BUF_INIT, xml = NAVOI__BUF_INIT;
    navoi__manage_item it[100];
    char want[129], *got, *enc;

    ck_assert_int_eq(navoi__annulment_payload("INV-1", rt_ms("2024-01-02T03:04:05.006Z"),
                                              NAVOI_ANNUL_ERRATIC_DATA, "reason", &xml),
                     NAVOI_OK);
    enc = rt_b64encode(xml.data, xml.len);
    it[0].operation = "ANNUL";
    it[0].data = enc;
    it[0].data_len = strlen(enc);
    it[0].ehash = it[0].ehash_crypto = NULL;
    ck_assert_int_eq(navoi__req_manage_annulment(&g_env, "tok", it, 1, &b), NAVOI_OK);
    rt_assert_valid(NAVOI__SCHEMA_API, b.data, b.len);
    expected_manage_signature(&g_env, it, 1, want);
    got = signature_of(&b);
    ck_assert_str_eq(got, want);
    free(got);
    navoi__buf_reset(&b);

    make_items(it, 100, "ANNUL");
    ck_assert_int_eq(navoi__req_manage_annulment(&g_env, "tok", it, 100, &b), NAVOI_OK);
    rt_assert_valid(NAVOI__SCHEMA_API, b.data, b.len);
    expected_manage_signature(&g_env, it, 100, want);
    got = signature_of(&b);
    ck_assert_str_eq(got, want);
    free(got);
    free(enc);
    navoi__buf_free(&xml);
    navoi__buf_free(&b);
}
END_TEST

START_TEST(transaction_status_valid)
{
    navoi__buf b = NAVOI__BUF_INIT;

    ck_assert_int_eq(navoi__req_query_transaction_status(&g_env, "2OY7YG4DM3GUR9WZ", 1, &b),
                     NAVOI_OK);
    rt_assert_valid(NAVOI__SCHEMA_API, b.data, b.len);
    ck_assert_ptr_nonnull(strstr(b.data, "<returnOriginalRequest>true</returnOriginalRequest>"));
    navoi__buf_reset(&b);
    ck_assert_int_eq(navoi__req_query_transaction_status(&g_env, "A", 0, &b), NAVOI_OK);
    rt_assert_valid(NAVOI__SCHEMA_API, b.data, b.len);
    navoi__buf_free(&b);
}
END_TEST

START_TEST(transaction_list_valid)
{
    navoi__buf b = NAVOI__BUF_INIT;
    int64_t from = rt_ms("2020-02-05T06:46:42.223Z");

    ck_assert_int_eq(navoi__req_query_transaction_list(&g_env, 3, from, from + 35 * 86400000LL,
                                                       "FINISHED", &b),
                     NAVOI_OK);
    rt_assert_valid(NAVOI__SCHEMA_API, b.data, b.len);
    ck_assert_ptr_nonnull(strstr(b.data, "<dateTimeFrom>2020-02-05T06:46:42.223Z</dateTimeFrom>"
                                         "<dateTimeTo>2020-03-11T06:46:42.223Z</dateTimeTo>"));
    ck_assert_ptr_nonnull(strstr(b.data, "<requestStatus>FINISHED</requestStatus>"));
    navoi__buf_reset(&b);
    ck_assert_int_eq(navoi__req_query_transaction_list(&g_env, 1, from, from, NULL, &b), NAVOI_OK);
    rt_assert_valid(NAVOI__SCHEMA_API, b.data, b.len);
    navoi__buf_free(&b);
}
END_TEST

START_TEST(number_queries_valid)
{
    navoi__buf b = NAVOI__BUF_INIT;
    navoi__number_query q = {"SZ/2024/1 \xC3\xA1 & <x>", NAVOI_INBOUND, 2, "12345678"};
    navoi__number_query q2 = {"A", NAVOI_OUTBOUND, 0, NULL};

    ck_assert_int_eq(navoi__req_query_invoice_check(&g_env, &q, &b), NAVOI_OK);
    rt_assert_valid(NAVOI__SCHEMA_API, b.data, b.len);
    navoi__buf_reset(&b);
    ck_assert_int_eq(navoi__req_query_invoice_data(&g_env, &q, &b), NAVOI_OK);
    rt_assert_valid(NAVOI__SCHEMA_API, b.data, b.len);
    navoi__buf_reset(&b);
    ck_assert_int_eq(navoi__req_query_invoice_data(&g_env, &q2, &b), NAVOI_OK);
    rt_assert_valid(NAVOI__SCHEMA_API, b.data, b.len);
    ck_assert_ptr_null(strstr(b.data, "batchIndex"));
    ck_assert_ptr_null(strstr(b.data, "supplierTaxNumber"));
    navoi__buf_free(&b);
}
END_TEST

START_TEST(chain_digest_and_taxpayer_valid)
{
    navoi__buf b = NAVOI__BUF_INIT;

    ck_assert_int_eq(navoi__req_query_invoice_chain_digest(&g_env, "2019/1234", NAVOI_INBOUND,
                                                           "22222222", 7, &b),
                     NAVOI_OK);
    rt_assert_valid(NAVOI__SCHEMA_API, b.data, b.len);
    navoi__buf_reset(&b);
    ck_assert_int_eq(navoi__req_query_invoice_chain_digest(&g_env, "X", NAVOI_OUTBOUND, NULL, 1,
                                                           &b),
                     NAVOI_OK);
    rt_assert_valid(NAVOI__SCHEMA_API, b.data, b.len);
    navoi__buf_reset(&b);
    ck_assert_int_eq(navoi__req_query_taxpayer(&g_env, "22222222", &b), NAVOI_OK);
    rt_assert_valid(NAVOI__SCHEMA_API, b.data, b.len);
    navoi__buf_free(&b);
}
END_TEST

static void digest_valid(navoi_digest_query *q)
{
    navoi__buf b = NAVOI__BUF_INIT;

    ck_assert_int_eq(navoi__req_query_invoice_digest(&g_env, q, &b), NAVOI_OK);
    rt_assert_valid(NAVOI__SCHEMA_API, b.data, b.len);
    navoi__buf_free(&b);
}

START_TEST(digest_each_criterion_valid)
{
    navoi_digest_query *q = NULL;
    navoi__buf b = NAVOI__BUF_INIT;
    int64_t t = rt_ms("2021-03-04T05:06:07.089Z");

    ck_assert_int_eq(navoi_digest_query_new(&q, NAVOI_OUTBOUND, 1), NAVOI_OK);
    ck_assert_int_eq(navoi_digest_query_set_issue_date(q, "2021-01-01", "2021-02-05"), NAVOI_OK);
    digest_valid(q);
    ck_assert_int_eq(navoi_digest_query_set_ins_date(q, t, t + 840LL * 3600000), NAVOI_OK);
    ck_assert_int_eq(navoi__req_query_invoice_digest(&g_env, q, &b), NAVOI_OK);
    rt_assert_valid(NAVOI__SCHEMA_API, b.data, b.len);
    /* exactly one mandatory criterion: the issue date is gone */
    ck_assert_ptr_null(strstr(b.data, "invoiceIssueDate"));
    ck_assert_ptr_nonnull(strstr(b.data, "<insDate><dateTimeFrom>2021-03-04T05:06:07.089Z"
                                         "</dateTimeFrom><dateTimeTo>2021-04-08T05:06:07.089Z"
                                         "</dateTimeTo></insDate>"));
    navoi__buf_free(&b);
    ck_assert_int_eq(navoi_digest_query_set_original_invoice_number(q, "05921263386905374149"),
                     NAVOI_OK);
    ck_assert_int_eq(navoi_digest_query_set_page(q, 12), NAVOI_OK);
    digest_valid(q);
    navoi_digest_query_free(q);
}
END_TEST

START_TEST(digest_all_params_valid)
{
    navoi_digest_query *q = NULL;
    navoi__buf b = NAVOI__BUF_INIT;
    const char *order[] = {"<mandatoryQueryParams>", "<additionalQueryParams>",
                           "<relationalQueryParams>", "<transactionQueryParams>"};
    const char *prev = NULL;
    size_t i;

    ck_assert_int_eq(navoi_digest_query_new(&q, NAVOI_INBOUND, 2), NAVOI_OK);
    ck_assert_int_eq(navoi_digest_query_set_issue_date(q, "2021-01-01", "2021-01-01"), NAVOI_OK);
    /* set in reverse XSD order: the builder must reorder */
    ck_assert_int_eq(navoi_digest_query_set_transaction(q, "2OY7YG4DM3GUR9WZ", 3,
                                                        NAVOI_OP_STORNO),
                     NAVOI_OK);
    ck_assert_int_eq(navoi_digest_query_add_relation(q, "invoiceVatAmountHUF", NAVOI_QOP_LTE,
                                                     "1000"),
                     NAVOI_OK);
    ck_assert_int_eq(navoi_digest_query_add_relation(q, "invoiceVatAmountHUF", NAVOI_QOP_GT,
                                                     "-5.5"),
                     NAVOI_OK);
    ck_assert_int_eq(navoi_digest_query_add_relation(q, "invoiceVatAmount", NAVOI_QOP_EQ, "0"),
                     NAVOI_OK);
    ck_assert_int_eq(navoi_digest_query_add_relation(q, "invoiceNetAmountHUF", NAVOI_QOP_GTE,
                                                     "1234567890123456.12"),
                     NAVOI_OK);
    ck_assert_int_eq(navoi_digest_query_add_relation(q, "invoiceNetAmount", NAVOI_QOP_LT,
                                                     "99.9"),
                     NAVOI_OK);
    ck_assert_int_eq(navoi_digest_query_add_relation(q, "paymentDate", NAVOI_QOP_GTE,
                                                     "2021-01-01"),
                     NAVOI_OK);
    ck_assert_int_eq(navoi_digest_query_add_relation(q, "paymentDate", NAVOI_QOP_LTE,
                                                     "2021-12-31"),
                     NAVOI_OK);
    ck_assert_int_eq(navoi_digest_query_add_relation(q, "invoiceDelivery", NAVOI_QOP_EQ,
                                                     "2021-01-05"),
                     NAVOI_OK);
    ck_assert_int_eq(navoi_digest_query_set_param(q, "currency", "EUR"), NAVOI_OK);
    ck_assert_int_eq(navoi_digest_query_set_param(q, "source", "OSZ"), NAVOI_OK);
    ck_assert_int_eq(navoi_digest_query_set_param(q, "invoiceAppearance", "EDI"), NAVOI_OK);
    ck_assert_int_eq(navoi_digest_query_set_param(q, "paymentMethod", "VOUCHER"), NAVOI_OK);
    ck_assert_int_eq(navoi_digest_query_set_param(q, "invoiceCategory", "SIMPLIFIED"), NAVOI_OK);
    ck_assert_int_eq(navoi_digest_query_set_param(q, "name", "\xC3\x81rv\xC3\xADz Kft"),
                     NAVOI_OK);
    ck_assert_int_eq(navoi_digest_query_set_param(q, "groupMemberTaxNumber", "33333333"),
                     NAVOI_OK);
    ck_assert_int_eq(navoi_digest_query_set_param(q, "taxNumber", "22222222"), NAVOI_OK);
    ck_assert_int_eq(navoi__req_query_invoice_digest(&g_env, q, &b), NAVOI_OK);
    rt_assert_valid(NAVOI__SCHEMA_API, b.data, b.len);
    for (i = 0; i < 4; i++) {
        const char *p = strstr(b.data, order[i]);
        ck_assert_msg(p != NULL && p > prev, "%s out of order", order[i]);
        prev = p;
    }
    /* nodes of one field keep the order they were added in */
    ck_assert_ptr_nonnull(strstr(b.data, "<invoiceVatAmountHUF><queryOperator>LTE</queryOperator>"
                                         "<queryValue>1000</queryValue></invoiceVatAmountHUF>"
                                         "<invoiceVatAmountHUF><queryOperator>GT</queryOperator>"));
    ck_assert_ptr_nonnull(strstr(b.data, "<transactionQueryParams><transactionId>2OY7YG4DM3GUR9WZ"
                                         "</transactionId><index>3</index><invoiceOperation>"
                                         "STORNO</invoiceOperation></transactionQueryParams>"));
    navoi__buf_free(&b);

    /* removing params and the transaction criterion */
    ck_assert_int_eq(navoi_digest_query_set_param(q, "taxNumber", NULL), NAVOI_OK);
    ck_assert_int_eq(navoi_digest_query_set_transaction(q, NULL, 0, 0), NAVOI_OK);
    ck_assert_int_eq(navoi__req_query_invoice_digest(&g_env, q, &b), NAVOI_OK);
    rt_assert_valid(NAVOI__SCHEMA_API, b.data, b.len);
    ck_assert_ptr_null(strstr(b.data, "<taxNumber>"));
    ck_assert_ptr_null(strstr(b.data, "transactionQueryParams"));
    navoi__buf_free(&b);
    navoi_digest_query_free(q);
}
END_TEST

START_TEST(digest_transaction_only_id_valid)
{
    navoi_digest_query *q = NULL;

    ck_assert_int_eq(navoi_digest_query_new(&q, NAVOI_OUTBOUND, 1), NAVOI_OK);
    ck_assert_int_eq(navoi_digest_query_set_original_invoice_number(q, "X"), NAVOI_OK);
    ck_assert_int_eq(navoi_digest_query_set_transaction(q, "T_1+", 0, 0), NAVOI_OK);
    digest_valid(q);
    navoi_digest_query_free(q);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Signatures: NAV's worked example (PROTOCOL.md 3.3) */

START_TEST(spec_worked_example)
{
    navoi__buf b = NAVOI__BUF_INIT;
    navoi__manage_item it[2] = {
        {"CREATE", "QWJjZDEyMzQ=", 12, NULL, NULL},
        {"MODIFY", "RGNiYTQzMjE=", 12, NULL, NULL},
    };
    char *sig;

    g_env.request_id = "TSTKFT1222564";
    g_env.timestamp = "2017-12-30T18:25:45.000Z";
    g_env.sign_key = "ce-8f5e-215119fa7dd621DLMRHRLH2S";
    ck_assert_int_eq(navoi__req_manage_invoice(&g_env, "tok", 0, it, 2, &b), NAVOI_OK);
    sig = signature_of(&b);
    ck_assert_str_eq(sig, "60BC80609EE3B8F42FE904200A49A1921A1DADA08D55319ACD40C59F626514B74EEA49"
                          "011D372600A10DBCF8199D590DA9C2841D987308F2D83DAE17C2470C42");
    free(sig);
    navoi__buf_reset(&b);
    ck_assert_int_eq(navoi__req_query_taxpayer(&g_env, "12345678", &b), NAVOI_OK);
    sig = signature_of(&b);
    ck_assert_str_eq(sig, "0493F2F0247A2DF076775631FFDFA8B6D39D051F4928D26426CD29895EEDB24960A23E"
                          "4C6443A54806EA8B0E126A7B97940169FEADE6EE42FC99E3BE6F74AB04");
    free(sig);
    navoi__buf_free(&b);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Bad input */

START_TEST(too_many_items)
{
    navoi__buf b = NAVOI__BUF_INIT;
    navoi__manage_item it[101];

    make_items(it, 100, "CREATE");
    it[100] = it[99];
    ck_assert_int_eq(navoi__req_manage_invoice(&g_env, "tok", 0, it, 101, &b), NAVOI_ETOOBIG);
    ck_assert_int_eq(navoi__req_manage_annulment(&g_env, "tok", it, 101, &b), NAVOI_ETOOBIG);
    ck_assert_int_eq(navoi__req_manage_invoice(&g_env, "tok", 0, it, 0, &b), NAVOI_EINVAL);
    ck_assert_int_eq(navoi__req_manage_invoice(&g_env, "tok", 0, NULL, 1, &b), NAVOI_EINVAL);
    ck_assert_uint_eq(b.len, 0);
    navoi__buf_free(&b);
}
END_TEST

START_TEST(bad_items)
{
    navoi__buf b = NAVOI__BUF_INIT;
    navoi__manage_item it = {"CREATE", "QWJjZDEyMzQ=", 12, NULL, NULL};

    it.operation = "ANNUL";
    ck_assert_int_eq(navoi__req_manage_invoice(&g_env, "tok", 0, &it, 1, &b), NAVOI_EINVAL);
    it.operation = "CREATE";
    ck_assert_int_eq(navoi__req_manage_annulment(&g_env, "tok", &it, 1, &b), NAVOI_EINVAL);
    it.data = "QWJj ZDEy";
    it.data_len = 9;
    ck_assert_int_eq(navoi__req_manage_invoice(&g_env, "tok", 0, &it, 1, &b), NAVOI_EINVAL);
    it.data = "QWJjZDEyMzQ=\n";
    it.data_len = 13;
    ck_assert_int_eq(navoi__req_manage_invoice(&g_env, "tok", 0, &it, 1, &b), NAVOI_EINVAL);
    it.data = "QW=jZDEy";
    it.data_len = 8;
    ck_assert_int_eq(navoi__req_manage_invoice(&g_env, "tok", 0, &it, 1, &b), NAVOI_EINVAL);
    it.data = "";
    it.data_len = 0;
    ck_assert_int_eq(navoi__req_manage_invoice(&g_env, "tok", 0, &it, 1, &b), NAVOI_EINVAL);
    it.data = "QWJjZDEyMzQ=";
    it.data_len = 12;
    it.ehash = k_hash128;
    it.ehash_crypto = "SHA-512";
    ck_assert_int_eq(navoi__req_manage_invoice(&g_env, "tok", 0, &it, 1, &b), NAVOI_EINVAL);
    it.ehash_crypto = NULL;
    ck_assert_int_eq(navoi__req_manage_invoice(&g_env, "tok", 0, &it, 1, &b), NAVOI_EINVAL);
    it.ehash_crypto = "SHA-256"; /* 128 digits for a SHA-256 */
    ck_assert_int_eq(navoi__req_manage_invoice(&g_env, "tok", 0, &it, 1, &b), NAVOI_EINVAL);
    it.ehash = NULL;
    ck_assert_int_eq(navoi__req_manage_invoice(&g_env, "", 0, &it, 1, &b), NAVOI_EINVAL);
    ck_assert_int_eq(navoi__req_manage_invoice(&g_env, NULL, 0, &it, 1, &b), NAVOI_EINVAL);
    ck_assert_int_eq(navoi__req_manage_invoice(&g_env, "123456789012345678901234567890123456789"
                                                       "012345678901",
                                               0, &it, 1, &b),
                     NAVOI_EINVAL);
    ck_assert_uint_eq(b.len, 0);
    ck_assert_int_eq(navoi__req_manage_invoice(&g_env, "tok", 0, &it, 1, &b), NAVOI_OK);
    navoi__buf_free(&b);
}
END_TEST

START_TEST(bad_envelope)
{
    navoi__buf b = NAVOI__BUF_INIT;
    navoi__envelope e;

    e = g_env;
    e.request_id = "RID-1";
    ck_assert_int_eq(navoi__req_token_exchange(&e, &b), NAVOI_EINVAL);
    e.request_id = "R123456789012345678901234567890"; /* 31 */
    ck_assert_int_eq(navoi__req_token_exchange(&e, &b), NAVOI_EINVAL);
    e.request_id = "";
    ck_assert_int_eq(navoi__req_token_exchange(&e, &b), NAVOI_EINVAL);
    e.request_id = "R12345678901234567890123456789"; /* 30 */
    ck_assert_int_eq(navoi__req_token_exchange(&e, &b), NAVOI_OK);
    navoi__buf_reset(&b);

    e = g_env;
    e.tax_number = "111111111";
    ck_assert_int_eq(navoi__req_token_exchange(&e, &b), NAVOI_EINVAL);
    e.tax_number = "1111111";
    ck_assert_int_eq(navoi__req_token_exchange(&e, &b), NAVOI_EINVAL);
    e.tax_number = "1111111a";
    ck_assert_int_eq(navoi__req_token_exchange(&e, &b), NAVOI_EINVAL);

    e = g_env;
    e.login = "abc12";
    ck_assert_int_eq(navoi__req_token_exchange(&e, &b), NAVOI_EINVAL);
    e.login = "abcdefghijklmnop";
    ck_assert_int_eq(navoi__req_token_exchange(&e, &b), NAVOI_EINVAL);
    e.login = "abc_12";
    ck_assert_int_eq(navoi__req_token_exchange(&e, &b), NAVOI_EINVAL);

    e = g_env;
    e.timestamp = "2020-09-11T12:44:55.442";
    ck_assert_int_eq(navoi__req_token_exchange(&e, &b), NAVOI_EINVAL);
    e.timestamp = "2020-09-11 12:44:55Z";
    ck_assert_int_eq(navoi__req_token_exchange(&e, &b), NAVOI_EINVAL);

    e = g_env;
    e.password_hash = "2f43840a";
    ck_assert_int_eq(navoi__req_token_exchange(&e, &b), NAVOI_EINVAL);
    e = g_env;
    e.sign_key = "";
    ck_assert_int_eq(navoi__req_token_exchange(&e, &b), NAVOI_EINVAL);
    e = g_env;
    e.software = NULL;
    ck_assert_int_eq(navoi__req_token_exchange(&e, &b), NAVOI_EINVAL);
    ck_assert_int_eq(navoi__req_token_exchange(NULL, &b), NAVOI_EINVAL);
    ck_assert_int_eq(navoi__req_token_exchange(&g_env, NULL), NAVOI_EINVAL);
    ck_assert_uint_eq(b.len, 0);
    navoi__buf_free(&b);
}
END_TEST

START_TEST(bad_software)
{
    navoi__buf b = NAVOI__BUF_INIT;
    navoi__software sw;
    navoi__envelope e = g_env;

    e.software = &sw;
    sw = g_sw;
    memcpy(sw.id, "12345678912345678a", 19);
    ck_assert_int_eq(navoi__req_token_exchange(&e, &b), NAVOI_EINVAL);
    sw = g_sw;
    memcpy(sw.id, "1234567891234567", 17);
    ck_assert_int_eq(navoi__req_token_exchange(&e, &b), NAVOI_EINVAL);
    sw = g_sw;
    sw.name = "   ";
    ck_assert_int_eq(navoi__req_token_exchange(&e, &b), NAVOI_EINVAL);
    sw.name = "two\nlines";
    ck_assert_int_eq(navoi__req_token_exchange(&e, &b), NAVOI_EINVAL);
    sw.name = "\xC3\x28";
    ck_assert_int_eq(navoi__req_token_exchange(&e, &b), NAVOI_EINVAL);
    /* 50 two-byte characters are 50 characters, not 100 */
    sw.name = "\xC3\xA1\xC3\xA1\xC3\xA1\xC3\xA1\xC3\xA1\xC3\xA1\xC3\xA1\xC3\xA1\xC3\xA1\xC3\xA1"
              "\xC3\xA1\xC3\xA1\xC3\xA1\xC3\xA1\xC3\xA1\xC3\xA1\xC3\xA1\xC3\xA1\xC3\xA1\xC3\xA1"
              "\xC3\xA1\xC3\xA1\xC3\xA1\xC3\xA1\xC3\xA1\xC3\xA1\xC3\xA1\xC3\xA1\xC3\xA1\xC3\xA1"
              "\xC3\xA1\xC3\xA1\xC3\xA1\xC3\xA1\xC3\xA1\xC3\xA1\xC3\xA1\xC3\xA1\xC3\xA1\xC3\xA1"
              "\xC3\xA1\xC3\xA1\xC3\xA1\xC3\xA1\xC3\xA1\xC3\xA1\xC3\xA1\xC3\xA1\xC3\xA1\xC3\xA1";
    ck_assert_int_eq(navoi__req_token_exchange(&e, &b), NAVOI_OK);
    rt_assert_valid(NAVOI__SCHEMA_API, b.data, b.len);
    navoi__buf_reset(&b);
    sw.name = "123456789012345678901234567890123456789012345678901";
    ck_assert_int_eq(navoi__req_token_exchange(&e, &b), NAVOI_EINVAL);
    sw = g_sw;
    sw.main_version = "1234567890123456";
    ck_assert_int_eq(navoi__req_token_exchange(&e, &b), NAVOI_EINVAL);
    sw = g_sw;
    memcpy(sw.dev_country, "hu", 3);
    ck_assert_int_eq(navoi__req_token_exchange(&e, &b), NAVOI_EINVAL);
    sw = g_sw;
    sw.operation = 3;
    ck_assert_int_eq(navoi__req_token_exchange(&e, &b), NAVOI_EINVAL);
    sw = g_sw;
    sw.dev_contact = NULL;
    ck_assert_int_eq(navoi__req_token_exchange(&e, &b), NAVOI_EINVAL);
    ck_assert_uint_eq(b.len, 0);
    navoi__buf_free(&b);
}
END_TEST

START_TEST(bad_query_args)
{
    navoi__buf b = NAVOI__BUF_INIT;
    navoi__number_query q = {"A", NAVOI_OUTBOUND, 0, NULL};
    int64_t from = rt_ms("2020-02-05T00:00:00Z");

    ck_assert_int_eq(navoi__req_query_transaction_status(&g_env, "ab-c", 0, &b), NAVOI_EINVAL);
    ck_assert_int_eq(navoi__req_query_transaction_status(&g_env, NULL, 0, &b), NAVOI_EINVAL);
    /* 36 days, reversed, before 2010, page 0, unknown status */
    ck_assert_int_eq(navoi__req_query_transaction_list(&g_env, 1, from, from + 36 * 86400000LL,
                                                       NULL, &b),
                     NAVOI_EINVAL);
    ck_assert_int_eq(navoi__req_query_transaction_list(&g_env, 1, from,
                                                       from + 35 * 86400000LL + 1, NULL, &b),
                     NAVOI_EINVAL);
    ck_assert_int_eq(navoi__req_query_transaction_list(&g_env, 1, from + 1, from, NULL, &b),
                     NAVOI_EINVAL);
    ck_assert_int_eq(navoi__req_query_transaction_list(&g_env, 1, rt_ms("2009-12-31T23:59:59Z"),
                                                       rt_ms("2010-01-01T00:00:01Z"), NULL, &b),
                     NAVOI_EINVAL);
    ck_assert_int_eq(navoi__req_query_transaction_list(&g_env, 0, from, from, NULL, &b),
                     NAVOI_EINVAL);
    ck_assert_int_eq(navoi__req_query_transaction_list(&g_env, 1, from, from, "DONE", &b),
                     NAVOI_EINVAL);
    q.invoice_number = "123456789012345678901234567890123456789012345678901"; /* 51 */
    ck_assert_int_eq(navoi__req_query_invoice_check(&g_env, &q, &b), NAVOI_EINVAL);
    q.invoice_number = " ";
    ck_assert_int_eq(navoi__req_query_invoice_data(&g_env, &q, &b), NAVOI_EINVAL);
    q.invoice_number = "A";
    q.direction = 0;
    ck_assert_int_eq(navoi__req_query_invoice_data(&g_env, &q, &b), NAVOI_EINVAL);
    q.direction = NAVOI_INBOUND;
    q.batch_index = -1;
    ck_assert_int_eq(navoi__req_query_invoice_data(&g_env, &q, &b), NAVOI_EINVAL);
    q.batch_index = 0;
    q.supplier_tax_number = "123456789";
    ck_assert_int_eq(navoi__req_query_invoice_data(&g_env, &q, &b), NAVOI_EINVAL);
    ck_assert_int_eq(navoi__req_query_invoice_data(&g_env, NULL, &b), NAVOI_EINVAL);
    ck_assert_int_eq(navoi__req_query_invoice_chain_digest(&g_env, "X", NAVOI_INBOUND, NULL, 0,
                                                           &b),
                     NAVOI_EINVAL);
    ck_assert_int_eq(navoi__req_query_invoice_chain_digest(&g_env, "X", NAVOI_INBOUND, "1", 1,
                                                           &b),
                     NAVOI_EINVAL);
    ck_assert_int_eq(navoi__req_query_taxpayer(&g_env, "123456789", &b), NAVOI_EINVAL);
    ck_assert_int_eq(navoi__req_query_taxpayer(&g_env, "12345678-1-42", &b), NAVOI_EINVAL);
    ck_assert_int_eq(navoi__req_query_invoice_digest(&g_env, NULL, &b), NAVOI_EINVAL);
    ck_assert_uint_eq(b.len, 0);
    navoi__buf_free(&b);
}
END_TEST

START_TEST(failure_keeps_buffer)
{
    navoi__buf b = NAVOI__BUF_INIT;

    navoi__buf_puts(&b, "prefix");
    ck_assert_int_eq(navoi__req_query_taxpayer(&g_env, "1", &b), NAVOI_EINVAL);
    ck_assert_str_eq(b.data, "prefix");
    ck_assert_int_eq(navoi__req_query_taxpayer(&g_env, "22222222", &b), NAVOI_OK);
    ck_assert_int_eq(strncmp(b.data, "prefix<?xml", 11), 0);
    navoi__buf_free(&b);
}
END_TEST

START_TEST(bad_annulment_payload)
{
    navoi__buf b = NAVOI__BUF_INIT;
    int64_t t = rt_ms("2024-01-01T00:00:00Z");
    char reason[1100];

    ck_assert_int_eq(navoi__annulment_payload("", t, 1, "r", &b), NAVOI_EINVAL);
    ck_assert_int_eq(navoi__annulment_payload("A", t, 0, "r", &b), NAVOI_EINVAL);
    ck_assert_int_eq(navoi__annulment_payload("A", t, 5, "r", &b), NAVOI_EINVAL);
    ck_assert_int_eq(navoi__annulment_payload("A", t, 1, "", &b), NAVOI_EINVAL);
    ck_assert_int_eq(navoi__annulment_payload("A", rt_ms("2009-12-31T23:59:59Z"), 1, "r", &b),
                     NAVOI_EINVAL);
    memset(reason, 'x', 1025);
    reason[1025] = '\0';
    ck_assert_int_eq(navoi__annulment_payload("A", t, 1, reason, &b), NAVOI_EINVAL);
    reason[1024] = '\0';
    ck_assert_int_eq(navoi__annulment_payload("A", t, 1, reason, &b), NAVOI_OK);
    rt_assert_valid(NAVOI__SCHEMA_ANNUL, b.data, b.len);
    ck_assert_ptr_nonnull(strstr(b.data, "<annulmentTimestamp>2024-01-01T00:00:00.000Z<"));
    navoi__buf_free(&b);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Digest query object */

START_TEST(dq_new_and_page)
{
    navoi_digest_query *q = (navoi_digest_query *)1;
    navoi__buf b = NAVOI__BUF_INIT;

    ck_assert_int_eq(navoi_digest_query_new(&q, 3, 1), NAVOI_EINVAL);
    ck_assert_ptr_null(q);
    ck_assert_int_eq(navoi_digest_query_new(&q, NAVOI_INBOUND, 0), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_digest_query_new(NULL, NAVOI_INBOUND, 1), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_digest_query_new(&q, NAVOI_INBOUND, 1), NAVOI_OK);
    ck_assert_int_eq(navoi_digest_query_set_page(q, 0), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_digest_query_set_page(NULL, 1), NAVOI_EINVAL);
    /* no mandatory criterion yet */
    ck_assert_int_eq(navoi__req_query_invoice_digest(&g_env, q, &b), NAVOI_ECONFIG);
    ck_assert_uint_eq(b.len, 0);
    navoi_digest_query_free(q);
    navoi_digest_query_free(NULL);
    navoi__buf_free(&b);
}
END_TEST

START_TEST(dq_date_ranges)
{
    navoi_digest_query *q = NULL;
    int64_t t = rt_ms("2021-03-01T00:00:00Z");

    ck_assert_int_eq(navoi_digest_query_new(&q, NAVOI_OUTBOUND, 1), NAVOI_OK);
    /* 35 days apart is the limit, 36 is not allowed */
    ck_assert_int_eq(navoi_digest_query_set_issue_date(q, "2019-01-01", "2019-02-05"), NAVOI_OK);
    ck_assert_int_eq(navoi_digest_query_set_issue_date(q, "2019-01-01", "2019-02-06"),
                     NAVOI_EINVAL);
    /* a refused value leaves the previous criterion */
    ck_assert_int_eq(q->criterion, NAVOI__DQ_ISSUE_DATE);
    ck_assert_str_eq(q->date_to, "2019-02-05");
    /* across a leap day: 2020-02-01 + 35 days = 2020-03-07 */
    ck_assert_int_eq(navoi_digest_query_set_issue_date(q, "2020-02-01", "2020-03-07"), NAVOI_OK);
    ck_assert_int_eq(navoi_digest_query_set_issue_date(q, "2020-02-01", "2020-03-08"),
                     NAVOI_EINVAL);
    ck_assert_int_eq(navoi_digest_query_set_issue_date(q, "2019-02-02", "2019-02-01"),
                     NAVOI_EINVAL);
    ck_assert_int_eq(navoi_digest_query_set_issue_date(q, "2019-02-29", "2019-03-01"),
                     NAVOI_EINVAL);
    ck_assert_int_eq(navoi_digest_query_set_issue_date(q, "2020-02-29", "2020-03-01"), NAVOI_OK);
    ck_assert_int_eq(navoi_digest_query_set_issue_date(q, "2019-13-01", "2019-13-01"),
                     NAVOI_EINVAL);
    ck_assert_int_eq(navoi_digest_query_set_issue_date(q, "2009-12-31", "2010-01-01"),
                     NAVOI_EINVAL);
    ck_assert_int_eq(navoi_digest_query_set_issue_date(q, "2019-1-01", "2019-01-01"),
                     NAVOI_EINVAL);
    ck_assert_int_eq(navoi_digest_query_set_issue_date(q, "2019-01-01 ", "2019-01-01"),
                     NAVOI_EINVAL);
    ck_assert_int_eq(navoi_digest_query_set_issue_date(q, NULL, "2019-01-01"), NAVOI_EINVAL);

    ck_assert_int_eq(navoi_digest_query_set_ins_date(q, t, t + 840LL * 3600000), NAVOI_OK);
    ck_assert_int_eq(navoi_digest_query_set_ins_date(q, t, t + 840LL * 3600000 + 1),
                     NAVOI_EINVAL);
    ck_assert_int_eq(navoi_digest_query_set_ins_date(q, t, t + 36 * 86400000LL), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_digest_query_set_ins_date(q, t, t - 1), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_digest_query_set_ins_date(q, t, t), NAVOI_OK);
    ck_assert_int_eq(navoi_digest_query_set_ins_date(q, -1, 0), NAVOI_EINVAL);

    ck_assert_int_eq(navoi_digest_query_set_original_invoice_number(q, ""), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_digest_query_set_original_invoice_number(
                         q, "123456789012345678901234567890123456789012345678901"),
                     NAVOI_EINVAL);
    ck_assert_int_eq(q->criterion, NAVOI__DQ_INS_DATE);
    navoi_digest_query_free(q);
}
END_TEST

START_TEST(dq_relations)
{
    navoi_digest_query *q = NULL;

    ck_assert_int_eq(navoi_digest_query_new(&q, NAVOI_OUTBOUND, 1), NAVOI_OK);
    /* EQ is standalone: EQ then GT, GT then EQ, EQ then EQ */
    ck_assert_int_eq(navoi_digest_query_add_relation(q, "invoiceNetAmount", NAVOI_QOP_EQ, "10"),
                     NAVOI_OK);
    ck_assert_int_eq(navoi_digest_query_add_relation(q, "invoiceNetAmount", NAVOI_QOP_GT, "5"),
                     NAVOI_EINVAL);
    ck_assert_int_eq(navoi_digest_query_add_relation(q, "invoiceNetAmount", NAVOI_QOP_EQ, "10"),
                     NAVOI_EINVAL);
    ck_assert_int_eq(navoi_digest_query_add_relation(q, "invoiceVatAmount", NAVOI_QOP_GT, "5"),
                     NAVOI_OK);
    ck_assert_int_eq(navoi_digest_query_add_relation(q, "invoiceVatAmount", NAVOI_QOP_EQ, "6"),
                     NAVOI_EINVAL);
    /* operator collisions */
    ck_assert_int_eq(navoi_digest_query_add_relation(q, "invoiceVatAmount", NAVOI_QOP_GTE, "6"),
                     NAVOI_EINVAL);
    ck_assert_int_eq(navoi_digest_query_add_relation(q, "paymentDate", NAVOI_QOP_LT,
                                                     "2021-01-01"),
                     NAVOI_OK);
    ck_assert_int_eq(navoi_digest_query_add_relation(q, "paymentDate", NAVOI_QOP_LTE,
                                                     "2021-02-01"),
                     NAVOI_EINVAL);
    /* a proper range, then no third node */
    ck_assert_int_eq(navoi_digest_query_add_relation(q, "paymentDate", NAVOI_QOP_GTE,
                                                     "2020-01-01"),
                     NAVOI_OK);
    ck_assert_int_eq(navoi_digest_query_add_relation(q, "paymentDate", NAVOI_QOP_GT,
                                                     "2020-01-01"),
                     NAVOI_EINVAL);
    ck_assert_int_eq(q->nrel[NAVOI__DQ_R_PAYMENT_DATE], 2);
    ck_assert_int_eq(q->nrel[NAVOI__DQ_R_INVOICE_NET_AMOUNT], 1);
    ck_assert_int_eq(q->nrel[NAVOI__DQ_R_INVOICE_VAT_AMOUNT], 1);
    /* values and names */
    ck_assert_int_eq(navoi_digest_query_add_relation(q, "invoiceDelivery", NAVOI_QOP_EQ, "10"),
                     NAVOI_EINVAL);
    ck_assert_int_eq(navoi_digest_query_add_relation(q, "invoiceNetAmountHUF", NAVOI_QOP_EQ,
                                                     "2021-01-01"),
                     NAVOI_EINVAL);
    ck_assert_int_eq(navoi_digest_query_add_relation(q, "invoiceNetAmountHUF", NAVOI_QOP_EQ,
                                                     "1.234"),
                     NAVOI_EINVAL);
    ck_assert_int_eq(navoi_digest_query_add_relation(q, "invoiceNetAmountHUF", NAVOI_QOP_EQ,
                                                     "12345678901234567.12"),
                     NAVOI_EINVAL);
    ck_assert_int_eq(navoi_digest_query_add_relation(q, "invoiceNetAmountHUF", NAVOI_QOP_EQ,
                                                     "1,5"),
                     NAVOI_EINVAL);
    ck_assert_int_eq(navoi_digest_query_add_relation(q, "invoiceNetAmountHUF", NAVOI_QOP_EQ, "."),
                     NAVOI_EINVAL);
    ck_assert_int_eq(navoi_digest_query_add_relation(q, "invoiceNetAmountHUF", NAVOI_QOP_EQ,
                                                     "1e5"),
                     NAVOI_EINVAL);
    ck_assert_int_eq(navoi_digest_query_add_relation(q, "invoiceNetAmountHUF", 0, "1"),
                     NAVOI_EINVAL);
    ck_assert_int_eq(navoi_digest_query_add_relation(q, "invoiceNetAmountHUF", 6, "1"),
                     NAVOI_EINVAL);
    ck_assert_int_eq(navoi_digest_query_add_relation(q, "invoiceNetAmountEUR", NAVOI_QOP_EQ, "1"),
                     NAVOI_EINVAL);
    ck_assert_int_eq(navoi_digest_query_add_relation(q, "invoiceNetAmountHUF", NAVOI_QOP_EQ,
                                                     NULL),
                     NAVOI_EINVAL);
    ck_assert_int_eq(q->nrel[NAVOI__DQ_R_INVOICE_NET_AMOUNT_HUF], 0);
    ck_assert_int_eq(navoi_digest_query_add_relation(q, "invoiceNetAmountHUF", NAVOI_QOP_EQ,
                                                     "-1234567890123456.12"),
                     NAVOI_OK);
    navoi_digest_query_free(q);
}
END_TEST

START_TEST(dq_params)
{
    navoi_digest_query *q = NULL;

    ck_assert_int_eq(navoi_digest_query_new(&q, NAVOI_OUTBOUND, 1), NAVOI_OK);
    ck_assert_int_eq(navoi_digest_query_set_param(q, "taxNumber", "123456789"), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_digest_query_set_param(q, "groupMemberTaxNumber", "1234567"),
                     NAVOI_EINVAL);
    ck_assert_int_eq(navoi_digest_query_set_param(q, "name", "abcd"), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_digest_query_set_param(q, "name", "\xC3\xA1\xC3\xA1\xC3\xA1\xC3\xA1"),
                     NAVOI_EINVAL);
    ck_assert_int_eq(navoi_digest_query_set_param(q, "name", "     "), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_digest_query_set_param(q, "name", "abcde"), NAVOI_OK);
    ck_assert_int_eq(navoi_digest_query_set_param(q, "invoiceCategory", "normal"), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_digest_query_set_param(q, "paymentMethod", "BITCOIN"), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_digest_query_set_param(q, "invoiceAppearance", "PDF"), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_digest_query_set_param(q, "source", "M2M"), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_digest_query_set_param(q, "currency", "HUFF"), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_digest_query_set_param(q, "currency", "huf"), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_digest_query_set_param(q, "currency", "HUF"), NAVOI_OK);
    ck_assert_int_eq(navoi_digest_query_set_param(q, "currency", "EUR"), NAVOI_OK);
    ck_assert_str_eq(q->params[NAVOI__DQ_P_CURRENCY], "EUR");
    ck_assert_int_eq(navoi_digest_query_set_param(q, "customerName", "abcde"), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_digest_query_set_param(q, NULL, "x"), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_digest_query_set_param(q, "name", NULL), NAVOI_OK);
    ck_assert_ptr_null(q->params[NAVOI__DQ_P_NAME]);

    ck_assert_int_eq(navoi_digest_query_set_transaction(q, "a-b", 0, 0), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_digest_query_set_transaction(q, "T", 101, 0), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_digest_query_set_transaction(q, "T", -1, 0), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_digest_query_set_transaction(q, "T", 1, 4), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_digest_query_set_transaction(q, NULL, 1, 0), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_digest_query_set_transaction(q, "T", 100, NAVOI_OP_CREATE), NAVOI_OK);
    ck_assert_int_eq(navoi_digest_query_set_transaction(q, "U", 1, NAVOI_OP_MODIFY), NAVOI_OK);
    ck_assert_str_eq(q->transaction_id, "U");
    navoi_digest_query_free(q);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Allocation failures: fail the k-th allocation for every k until a run
 * completes; each run ends in NAVOI_OK or NAVOI_ENOMEM, never a crash or a
 * leak (valgrind/ASan runs check the latter). */

static long g_alloc_left;

static void *fail_malloc(size_t n)
{
    if (g_alloc_left == 0)
        return NULL;
    if (g_alloc_left > 0)
        g_alloc_left--;
    return malloc(n);
}

static void *fail_realloc(void *p, size_t n)
{
    if (g_alloc_left == 0)
        return NULL;
    if (g_alloc_left > 0)
        g_alloc_left--;
    return realloc(p, n);
}

static int build_under_oom(void)
{
    navoi__buf b = NAVOI__BUF_INIT;
    navoi__manage_item it[3];
    navoi_digest_query *q = NULL;
    int rc;

    make_items(it, 3, "CREATE");
    rc = navoi__req_manage_invoice(&g_env, "tok", 0, it, 3, &b);
    navoi__buf_free(&b);
    if (rc != NAVOI_OK)
        return rc;
    rc = navoi_digest_query_new(&q, NAVOI_OUTBOUND, 1);
    if (rc != NAVOI_OK) {
        ck_assert_ptr_null(q);
        return rc;
    }
    rc = navoi_digest_query_set_original_invoice_number(q, "INV-1");
    if (rc == NAVOI_OK)
        rc = navoi_digest_query_set_param(q, "name", "abcdef");
    if (rc == NAVOI_OK)
        rc = navoi_digest_query_set_transaction(q, "T1", 1, NAVOI_OP_CREATE);
    if (rc == NAVOI_OK)
        rc = navoi__req_query_invoice_digest(&g_env, q, &b);
    navoi_digest_query_free(q);
    navoi__buf_free(&b);
    return rc;
}

START_TEST(oom_torture)
{
    long k;
    int rc = NAVOI_ENOMEM;

    ck_assert_int_eq(navoi_set_allocator(fail_malloc, fail_realloc, free), NAVOI_OK);
    for (k = 0; k < 1000 && rc != NAVOI_OK; k++) {
        g_alloc_left = k;
        rc = build_under_oom();
        ck_assert_msg(rc == NAVOI_OK || rc == NAVOI_ENOMEM, "k=%ld rc=%d", k, rc);
    }
    g_alloc_left = -1;
    ck_assert_int_eq(rc, NAVOI_OK);
    ck_assert_int_gt(k, 3); /* the failures were actually injected */
}
END_TEST

static Suite *request_suite(void)
{
    Suite *s = suite_create("request");
    TCase *tv = tcase_create("valid");
    TCase *tb = tcase_create("bad_input");
    TCase *tq = tcase_create("digest_query");

    tcase_add_unchecked_fixture(tv, rt_load_schemas, rt_free_schemas);
    tcase_add_checked_fixture(tv, setup, NULL);
    tcase_set_timeout(tv, 120);
    tcase_add_test(tv, token_exchange_valid);
    tcase_add_test(tv, minimal_software_valid);
    tcase_add_test(tv, manage_invoice_1_item_valid);
    tcase_add_test(tv, manage_invoice_compressed_ehash_valid);
    tcase_add_test(tv, manage_invoice_100_items_valid);
    tcase_add_test(tv, manage_annulment_valid);
    tcase_add_test(tv, transaction_status_valid);
    tcase_add_test(tv, transaction_list_valid);
    tcase_add_test(tv, number_queries_valid);
    tcase_add_test(tv, chain_digest_and_taxpayer_valid);
    tcase_add_test(tv, digest_each_criterion_valid);
    tcase_add_test(tv, digest_all_params_valid);
    tcase_add_test(tv, digest_transaction_only_id_valid);
    tcase_add_test(tv, spec_worked_example);
    tcase_add_test(tv, bad_software);
    tcase_add_test(tv, bad_annulment_payload);
    suite_add_tcase(s, tv);

    tcase_add_checked_fixture(tb, setup, NULL);
    tcase_add_test(tb, too_many_items);
    tcase_add_test(tb, bad_items);
    tcase_add_test(tb, bad_envelope);
    tcase_add_test(tb, bad_query_args);
    tcase_add_test(tb, failure_keeps_buffer);
    tcase_add_test(tb, oom_torture);
    suite_add_tcase(s, tb);

    tcase_add_checked_fixture(tq, setup, NULL);
    tcase_add_test(tq, dq_new_and_page);
    tcase_add_test(tq, dq_date_ranges);
    tcase_add_test(tq, dq_relations);
    tcase_add_test(tq, dq_params);
    suite_add_tcase(s, tq);
    return s;
}

int main(void)
{
    int rc = nt_run(request_suite());
    xmlCleanupParser();
    return rc;
}
