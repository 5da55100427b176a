/* test_sim_flow.c - the whole asynchronous flow with hand-built, signed
 * requests: tokenExchange -> manageInvoice of NAV's data samples ->
 * queryTransactionStatus until final, plus the business outcomes a client
 * must handle (duplicates, references, schema errors, token and requestId
 * reuse, annulment approval) and the query operations on the ledger. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "simtest.h"
#include "testutil.h"

static const char *k_config =
    "[settings]\n"
    "selfCheck = true\n"
    ST_SELLER_INI
    "[user]\n"
    "login = buyeruser1\n"
    "password = correct horse battery staple\n"
    "taxNumber = 99887764\n"
    "signKey = buyer-sign-key-0123456789ABCDEF\n"
    "exchangeKey = ce1a3FK178FGW3RR\n"
    "[taxpayer]\n"
    "taxNumber = 99887764\n"
    "name = Beszerző Kft\n"
    "vatCode = 2\n"
    "countyCode = 02\n"
    "address = HQ|HU|7600|Pécs|Északi|sugárút|123\n";

static const st_user k_buyer = {"buyeruser1", "correct horse battery staple", "99887764",
                                "buyer-sign-key-0123456789ABCDEF", "ce1a3FK178FGW3RR"};

#define BASE "samples/data/Eredeti_szamla_modositasokhoz.xml"

/* manageInvoice of items; returns the transactionId (asserts HTTP 200). */
static char *submit(sim_server *s, const st_user *u, int compressed, const st_item *items,
                    size_t n)
{
    char *tok = st_token(s, u);
    char *req = st_manage(s, u, 0, tok, compressed, items, n);
    st_resp r;
    char *id;
    st_post(s, "manageInvoice", req, &r);
    ck_assert_msg(r.http == 200, "manageInvoice HTTP %ld: %s", r.http, r.body);
    ck_assert(st_valid_api(r.body, r.len));
    id = st_text(r.body, r.len, "transactionId");
    ck_assert_ptr_nonnull(id);
    ck_assert_uint_eq(strlen(id), 16);
    free(req);
    free(tok);
    st_resp_free(&r);
    return id;
}

static char *submit_file(sim_server *s, const char *op, const char *rel, int gzip)
{
    char *data = st_b64_file(rel, gzip);
    st_item it = {op, data};
    char *id = submit(s, &st_seller, gzip, &it, 1);
    free(data);
    return id;
}

static void expect_final(sim_server *s, const char *id, const char *status, const char *code)
{
    char *body = st_wait_final(s, &st_seller, id);
    char *st = st_text(body, strlen(body), "invoiceStatus");
    ck_assert_msg(st && !strcmp(st, status), "status %s, want %s: %s", st, status, body);
    if (code)
        ck_assert_msg(strstr(body, code) != NULL, "no %s in %s", code, body);
    free(st);
    free(body);
}

START_TEST(flow_create_done_and_queries)
{
    sim_server *s = st_start(k_config);
    char *id = submit_file(s, "CREATE", BASE, 0);
    char inner[512], *req, *b64, *t;
    sim_ledger_entry e;
    st_resp r;

    expect_final(s, id, "DONE", NULL);
    sim_ledger_get(s, "99999999", "ZZZ000001", &e);
    ck_assert_int_eq(e.accepted, 1);
    ck_assert_int_eq(e.status, SIM_STATUS_DONE);

    /* original request comes back as sent, with the compression flag */
    snprintf(inner, sizeof inner,
             "<transactionId>%s</transactionId><returnOriginalRequest>true</returnOriginalRequest>", id);
    req = st_request(s, &st_seller, "QueryTransactionStatusRequest", NULL, inner);
    st_post(s, "queryTransactionStatus", req, &r);
    ck_assert_int_eq(r.http, 200);
    ck_assert(st_valid_api(r.body, r.len));
    b64 = st_b64_file(BASE, 0);
    t = st_text(r.body, r.len, "originalRequest");
    ck_assert_str_eq(t, b64);
    free(t);
    t = st_text(r.body, r.len, "compressedContentIndicator");
    ck_assert_str_eq(t, "false");
    free(t);
    t = st_text(r.body, r.len, "originalRequestVersion");
    ck_assert_str_eq(t, "3.0");
    free(t);
    st_resp_free(&r);
    free(req);

    /* queryInvoiceCheck / Data OUTBOUND */
    req = st_request(s, &st_seller, "QueryInvoiceCheckRequest", NULL,
                     "<invoiceNumberQuery><invoiceNumber>ZZZ000001</invoiceNumber>"
                     "<invoiceDirection>OUTBOUND</invoiceDirection></invoiceNumberQuery>");
    st_post(s, "queryInvoiceCheck", req, &r);
    ck_assert_int_eq(r.http, 200);
    ck_assert(st_valid_api(r.body, r.len));
    t = st_text(r.body, r.len, "invoiceCheckResult");
    ck_assert_str_eq(t, "true");
    free(t);
    st_resp_free(&r);
    free(req);
    req = st_request(s, &st_seller, "QueryInvoiceDataRequest", NULL,
                     "<invoiceNumberQuery><invoiceNumber>ZZZ000001</invoiceNumber>"
                     "<invoiceDirection>OUTBOUND</invoiceDirection></invoiceNumberQuery>");
    st_post(s, "queryInvoiceData", req, &r);
    ck_assert_int_eq(r.http, 200);
    ck_assert(st_valid_api(r.body, r.len));
    t = st_text(r.body, r.len, "invoiceData");
    ck_assert_str_eq(t, b64);
    free(t);
    t = st_text(r.body, r.len, "transactionId");
    ck_assert_str_eq(t, id);
    free(t);
    st_resp_free(&r);
    free(req);

    /* INBOUND from the customer (99887764) sees it too */
    req = st_request(s, &k_buyer, "QueryInvoiceCheckRequest", NULL,
                     "<invoiceNumberQuery><invoiceNumber>ZZZ000001</invoiceNumber>"
                     "<invoiceDirection>INBOUND</invoiceDirection></invoiceNumberQuery>");
    st_post(s, "queryInvoiceCheck", req, &r);
    ck_assert_int_eq(r.http, 200);
    t = st_text(r.body, r.len, "invoiceCheckResult");
    ck_assert_str_eq(t, "true");
    free(t);
    st_resp_free(&r);
    free(req);

    /* queryTransactionList over the last hour lists it */
    {
        char from[25], to[25];
        int64_t now = sim_now_ms(s);
        time_t a = (time_t)((now - 3600000) / 1000), b = (time_t)(now / 1000 + 60);
        struct tm ta, tb;
        gmtime_r(&a, &ta);
        gmtime_r(&b, &tb);
        strftime(from, sizeof from, "%Y-%m-%dT%H:%M:%S.000Z", &ta);
        strftime(to, sizeof to, "%Y-%m-%dT%H:%M:%S.000Z", &tb);
        snprintf(inner, sizeof inner,
                 "<page>1</page><insDate><dateTimeFrom>%s</dateTimeFrom>"
                 "<dateTimeTo>%s</dateTimeTo></insDate>", from, to);
        req = st_request(s, &st_seller, "QueryTransactionListRequest", NULL, inner);
        st_post(s, "queryTransactionList", req, &r);
        ck_assert_int_eq(r.http, 200);
        ck_assert(st_valid_api(r.body, r.len));
        ck_assert_ptr_nonnull(strstr(r.body, id));
        t = st_text(r.body, r.len, "requestStatus");
        ck_assert_str_eq(t, "NOTIFIED"); /* final result already served */
        free(t);
        st_resp_free(&r);
        free(req);
        /* from > to */
        snprintf(inner, sizeof inner,
                 "<page>1</page><insDate><dateTimeFrom>%s</dateTimeFrom>"
                 "<dateTimeTo>%s</dateTimeTo></insDate>", to, from);
        req = st_request(s, &st_seller, "QueryTransactionListRequest", NULL, inner);
        st_post(s, "queryTransactionList", req, &r);
        ck_assert_int_eq(r.http, 400);
        ck_assert_ptr_nonnull(strstr(r.body, "BAD_QUERY_PARAM_OVERLAP"));
        st_resp_free(&r);
        free(req);
    }

    /* digest by issue date (the sample is dated 2021-05-16) */
    req = st_request(s, &st_seller, "QueryInvoiceDigestRequest", NULL,
                     "<page>1</page><invoiceDirection>OUTBOUND</invoiceDirection>"
                     "<invoiceQueryParams><mandatoryQueryParams><invoiceIssueDate>"
                     "<dateFrom>2021-05-01</dateFrom><dateTo>2021-05-31</dateTo>"
                     "</invoiceIssueDate></mandatoryQueryParams></invoiceQueryParams>");
    st_post(s, "queryInvoiceDigest", req, &r);
    ck_assert_int_eq(r.http, 200);
    ck_assert(st_valid_api(r.body, r.len));
    ck_assert_int_eq(st_count(r.body, r.len, "invoiceDigest"), 1);
    t = st_text(r.body, r.len, "availablePage");
    ck_assert_str_eq(t, "1");
    free(t);
    st_resp_free(&r);
    free(req);
    /* range over 35 days */
    req = st_request(s, &st_seller, "QueryInvoiceDigestRequest", NULL,
                     "<page>1</page><invoiceDirection>OUTBOUND</invoiceDirection>"
                     "<invoiceQueryParams><mandatoryQueryParams><invoiceIssueDate>"
                     "<dateFrom>2021-01-01</dateFrom><dateTo>2021-05-31</dateTo>"
                     "</invoiceIssueDate></mandatoryQueryParams></invoiceQueryParams>");
    st_post(s, "queryInvoiceDigest", req, &r);
    ck_assert_int_eq(r.http, 400);
    ck_assert_ptr_nonnull(strstr(r.body, "BAD_QUERY_PARAM_RANGE_EXCEEDED"));
    st_resp_free(&r);
    free(req);
    /* nothing found: availablePage 0 */
    req = st_request(s, &st_seller, "QueryInvoiceDigestRequest", NULL,
                     "<page>1</page><invoiceDirection>OUTBOUND</invoiceDirection>"
                     "<invoiceQueryParams><mandatoryQueryParams>"
                     "<originalInvoiceNumber>NOPE</originalInvoiceNumber>"
                     "</mandatoryQueryParams></invoiceQueryParams>");
    st_post(s, "queryInvoiceDigest", req, &r);
    ck_assert_int_eq(r.http, 200);
    ck_assert(st_valid_api(r.body, r.len));
    t = st_text(r.body, r.len, "availablePage");
    ck_assert_str_eq(t, "0");
    free(t);
    st_resp_free(&r);
    free(req);

    /* chain digest of the base */
    req = st_request(s, &st_seller, "QueryInvoiceChainDigestRequest", NULL,
                     "<page>1</page><invoiceChainQuery><invoiceNumber>ZZZ000001</invoiceNumber>"
                     "<invoiceDirection>OUTBOUND</invoiceDirection></invoiceChainQuery>");
    st_post(s, "queryInvoiceChainDigest", req, &r);
    ck_assert_int_eq(r.http, 200);
    ck_assert(st_valid_api(r.body, r.len));
    ck_assert_int_eq(st_count(r.body, r.len, "invoiceChainElement"), 1);
    st_resp_free(&r);
    free(req);

    /* queryTaxpayer: configured and unknown */
    req = st_request(s, &st_seller, "QueryTaxpayerRequest", NULL,
                     "<taxNumber>99887764</taxNumber>");
    st_post(s, "queryTaxpayer", req, &r);
    ck_assert_int_eq(r.http, 200);
    ck_assert(st_valid_api(r.body, r.len));
    t = st_text(r.body, r.len, "taxpayerName");
    ck_assert_str_eq(t, "Beszerző Kft");
    free(t);
    st_resp_free(&r);
    free(req);
    req = st_request(s, &st_seller, "QueryTaxpayerRequest", NULL, "<taxNumber>12345676</taxNumber>");
    st_post(s, "queryTaxpayer", req, &r);
    ck_assert_int_eq(r.http, 200);
    ck_assert(st_valid_api(r.body, r.len));
    t = st_text(r.body, r.len, "taxpayerValidity");
    ck_assert_str_eq(t, "false");
    free(t);
    ck_assert_int_eq(st_count(r.body, r.len, "taxpayerData"), 0);
    st_resp_free(&r);
    free(req);

    ck_assert_int_eq(sim_selfcheck_failures(s), 0);
    free(b64);
    free(id);
    sim_free(s);
}
END_TEST

START_TEST(flow_duplicate_number)
{
    sim_server *s = st_start(k_config);
    char *a = submit_file(s, "CREATE", BASE, 0);
    char *b;
    sim_ledger_entry e;
    expect_final(s, a, "DONE", NULL);
    /* the same invoice again, this time compressed */
    b = submit_file(s, "CREATE", BASE, 1);
    expect_final(s, b, "ABORTED", "INVOICE_NUMBER_NOT_UNIQUE");
    sim_ledger_get(s, "99999999", "ZZZ000001", &e);
    ck_assert_int_eq(e.accepted, 1);
    ck_assert_int_eq(e.submitted, 2);
    ck_assert_int_eq(e.status, SIM_STATUS_ABORTED);
    free(a);
    free(b);
    sim_free(s);
}
END_TEST

START_TEST(flow_duplicate_in_request)
{
    sim_server *s = st_start(k_config);
    char *d = st_b64_file(BASE, 0);
    st_item it[2] = {{"CREATE", d}, {"CREATE", d}};
    char *id = submit(s, &st_seller, 0, it, 2);
    char *body = st_wait_final(s, &st_seller, id);
    ck_assert_int_eq(st_count(body, strlen(body), "processingResult"), 2);
    ck_assert_ptr_nonnull(strstr(body, "DUPLICATE_IN_REQUEST"));
    ck_assert_ptr_null(strstr(body, ">DONE<"));
    free(body);
    free(id);
    free(d);
    sim_free(s);
}
END_TEST

START_TEST(flow_modify_chain)
{
    sim_server *s = st_start(k_config);
    char *id;
    /* unknown original */
    id = submit_file(s, "MODIFY", "samples/data/Tobbszoros_modositas_1.xml", 0);
    expect_final(s, id, "ABORTED", "INVALID_INVOICE_REFERENCE");
    free(id);
    /* with the base reported, the same amendment is accepted ... */
    id = submit_file(s, "CREATE", BASE, 0);
    expect_final(s, id, "DONE", NULL);
    free(id);
    id = submit_file(s, "MODIFY", "samples/data/Tobbszoros_modositas_1.xml", 0);
    expect_final(s, id, "DONE", NULL);
    free(id);
    /* ... and the line-operation MODIFY sample is refused (3.3.2 #60) */
    id = submit_file(s, "MODIFY", "samples/data/Teteladatok_modositasa.xml", 0);
    expect_final(s, id, "ABORTED", "INVALID_LINE_OPERATION");
    free(id);
    sim_free(s);
}
END_TEST

START_TEST(flow_schema_violation)
{
    sim_server *s = st_start(k_config);
    size_t len;
    char *xml = nt_read_nav(BASE, &len), *p, *d, *id;
    st_item it;
    p = strstr(xml, "<invoiceIssueDate>");
    ck_assert_ptr_nonnull(p);
    memcpy(p + strlen("<invoiceIssueDate>"), "2021-13", 7); /* month 13 */
    d = st_b64(xml, len, 0);
    it.op = "CREATE";
    it.data = d;
    id = submit(s, &st_seller, 0, &it, 1);
    expect_final(s, id, "ABORTED", "SCHEMA_VIOLATION");
    free(id);
    free(d);
    /* compressed flag without gzip data */
    d = st_b64(xml, len, 0);
    it.data = d;
    id = submit(s, &st_seller, 1, &it, 1);
    expect_final(s, id, "ABORTED", "DECOMPRESSION_ERROR");
    free(id);
    free(d);
    free(xml);
    sim_free(s);
}
END_TEST

START_TEST(flow_token_and_request_id)
{
    sim_server *s = st_start(k_config);
    char *tok = st_token(s, &st_seller);
    char *d = st_b64_file(BASE, 0);
    st_item it = {"CREATE", d};
    char *req = st_manage(s, &st_seller, 0, tok, 0, &it, 1), *req2, *t;
    st_resp r;
    st_post(s, "manageInvoice", req, &r);
    ck_assert_int_eq(r.http, 200);
    st_resp_free(&r);
    /* the same bytes again: the requestId is spent */
    st_post(s, "manageInvoice", req, &r);
    ck_assert_int_eq(r.http, 400);
    t = st_text(r.body, r.len, "errorCode");
    ck_assert_str_eq(t, "REQUEST_ID_NOT_UNIQUE");
    free(t);
    st_resp_free(&r);
    /* a new request with the used token */
    req2 = st_manage(s, &st_seller, 0, tok, 0, &it, 1);
    st_post(s, "manageInvoice", req2, &r);
    ck_assert_int_eq(r.http, 400);
    t = st_text(r.body, r.len, "errorCode");
    ck_assert_str_eq(t, "INVALID_EXCHANGE_TOKEN");
    free(t);
    st_resp_free(&r);
    free(req2);
    /* the encoded (undecrypted) token breaks the schema (88 chars) */
    req2 = st_manage(s, &st_seller, 0,
                     "j3xIeQdyitxAoypPdrKvRrbYfcaLcnUjznCMpigeeoZI+wXJHbla1dkGBrVPU+oJNz3xwL4PYyex7RQKljVTdg==",
                     0, &it, 1);
    st_post(s, "manageInvoice", req2, &r);
    ck_assert_int_eq(r.http, 400);
    ck_assert_ptr_nonnull(strstr(r.body, "SCHEMA_VIOLATION"));
    st_resp_free(&r);
    free(req2);
    /* an expired token (server clock moved past the 5-minute TTL) */
    free(tok);
    tok = st_token(s, &st_seller);
    sim_clock_advance(s, 301000);
    req2 = st_manage(s, &st_seller, 0, tok, 0, &it, 1);
    st_post(s, "manageInvoice", req2, &r);
    ck_assert_int_eq(r.http, 400);
    t = st_text(r.body, r.len, "errorCode");
    ck_assert_str_eq(t, "INVALID_EXCHANGE_TOKEN");
    free(t);
    st_resp_free(&r);
    free(req2);
    /* a token of another taxpayer */
    free(tok);
    tok = st_token(s, &k_buyer);
    req2 = st_manage(s, &st_seller, 0, tok, 0, &it, 1);
    st_post(s, "manageInvoice", req2, &r);
    ck_assert_int_eq(r.http, 400);
    ck_assert_ptr_nonnull(strstr(r.body, "INVALID_EXCHANGE_TOKEN"));
    st_resp_free(&r);
    free(req2);
    ck_assert_int_eq(sim_transaction_count(s, "99999999"), 1);
    free(req);
    free(tok);
    free(d);
    sim_free(s);
}
END_TEST

START_TEST(flow_annulment)
{
    sim_server *s = st_start(k_config);
    char *id = submit_file(s, "CREATE", BASE, 0), *tok, *req, *aid, *body, *t;
    static const char annul[] =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
        "<InvoiceAnnulment xmlns=\"http://schemas.nav.gov.hu/OSA/3.0/annul\">"
        "<annulmentReference>ZZZ000001</annulmentReference>"
        "<annulmentTimestamp>2021-05-20T10:00:00.000Z</annulmentTimestamp>"
        "<annulmentCode>ERRATIC_DATA</annulmentCode>"
        "<annulmentReason>test</annulmentReason></InvoiceAnnulment>";
    char *d = st_b64(annul, strlen(annul), 0);
    st_item it = {"ANNUL", d};
    sim_ledger_entry e;
    st_resp r;
    expect_final(s, id, "DONE", NULL);
    free(id);
    tok = st_token(s, &st_seller);
    req = st_manage(s, &st_seller, 1, tok, 0, &it, 1);
    st_post(s, "manageAnnulment", req, &r);
    ck_assert_msg(r.http == 200, "%s", r.body);
    ck_assert(st_valid_api(r.body, r.len));
    aid = st_text(r.body, r.len, "transactionId");
    st_resp_free(&r);
    body = st_wait_final(s, &st_seller, aid);
    t = st_text(body, strlen(body), "annulmentVerificationStatus");
    ck_assert_str_eq(t, "VERIFICATION_PENDING");
    free(t);
    free(body);
    /* while pending, the number is still taken */
    id = submit_file(s, "CREATE", BASE, 0);
    expect_final(s, id, "ABORTED", NULL);
    free(id);
    ck_assert_int_eq(sim_annulment_decide(s, aid, 1, "primaryuser1"), 0);
    body = st_wait_final(s, &st_seller, aid);
    t = st_text(body, strlen(body), "annulmentVerificationStatus");
    ck_assert_str_eq(t, "VERIFICATION_DONE");
    free(t);
    ck_assert_ptr_nonnull(strstr(body, "primaryuser1"));
    free(body);
    sim_ledger_get(s, "99999999", "ZZZ000001", &e);
    ck_assert_int_eq(e.annulled, 1);
    /* the number is free again */
    id = submit_file(s, "CREATE", BASE, 0);
    expect_final(s, id, "DONE", NULL);
    free(id);
    /* unknown reference: NOT_VERIFIABLE */
    free(tok);
    free(req);
    {
        char *x = strdup(annul), *p = strstr(x, "ZZZ000001");
        memcpy(p, "ZZZ999999", 9);
        free(d);
        d = st_b64(x, strlen(x), 0);
        it.data = d;
        free(x);
    }
    tok = st_token(s, &st_seller);
    req = st_manage(s, &st_seller, 1, tok, 0, &it, 1);
    st_post(s, "manageAnnulment", req, &r);
    ck_assert_int_eq(r.http, 200);
    free(aid);
    aid = st_text(r.body, r.len, "transactionId");
    st_resp_free(&r);
    body = st_wait_final(s, &st_seller, aid);
    ck_assert_ptr_nonnull(strstr(body, "INVALID_ANNULMENT_REFERENCE"));
    ck_assert_ptr_nonnull(strstr(body, "NOT_VERIFIABLE"));
    free(body);
    free(aid);
    free(tok);
    free(req);
    free(d);
    sim_free(s);
}
END_TEST

START_TEST(flow_inbound_seed)
{
    sim_server *s = st_start(k_config);
    size_t len;
    char *xml = nt_read_nav("samples/data/Belfoldi_termekertekesites.xml", &len);
    char err[256], *req, *t;
    st_resp r;
    ck_assert_msg(sim_seed_invoice(s, xml, len, err, sizeof err) == 0, "%s", err);
    t = st_text(xml, len, "invoiceNumber");
    /* the customer of that sample sees it INBOUND */
    {
        char inner[512];
        /* the sample's customer is 99887764 */
        ck_assert_ptr_nonnull(strstr(xml, "<base:taxpayerId>99887764</base:taxpayerId>"));
        snprintf(inner, sizeof inner,
                 "<page>1</page><invoiceDirection>INBOUND</invoiceDirection>"
                 "<invoiceQueryParams><mandatoryQueryParams>"
                 "<originalInvoiceNumber>%s</originalInvoiceNumber>"
                 "</mandatoryQueryParams></invoiceQueryParams>", t);
        req = st_request(s, &k_buyer, "QueryInvoiceDigestRequest", NULL, inner);
        st_post(s, "queryInvoiceDigest", req, &r);
        ck_assert_int_eq(r.http, 200);
        ck_assert(st_valid_api(r.body, r.len));
        ck_assert_int_eq(st_count(r.body, r.len, "invoiceDigest"), 1);
        st_resp_free(&r);
        free(req);
        /* and the supplier's own OUTBOUND view is empty for the buyer */
        snprintf(inner, sizeof inner,
                 "<page>1</page><invoiceDirection>OUTBOUND</invoiceDirection>"
                 "<invoiceQueryParams><mandatoryQueryParams>"
                 "<originalInvoiceNumber>%s</originalInvoiceNumber>"
                 "</mandatoryQueryParams></invoiceQueryParams>", t);
        req = st_request(s, &k_buyer, "QueryInvoiceDigestRequest", NULL, inner);
        st_post(s, "queryInvoiceDigest", req, &r);
        ck_assert_int_eq(r.http, 200);
        ck_assert_int_eq(st_count(r.body, r.len, "invoiceDigest"), 0);
        st_resp_free(&r);
        free(req);
    }
    free(t);
    free(xml);
    sim_free(s);
}
END_TEST

START_TEST(flow_persistence)
{
    char dir[] = "/tmp/navoi-sim-stateXXXXXX", path[128], *cfg, *id, *req;
    sim_server *s;
    sim_ledger_entry e;
    st_resp r;
    size_t n = strlen(k_config) + 256;
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/state.sqlite", dir);
    cfg = malloc(n);
    snprintf(cfg, n, "[settings]\nstate = %s\n%s", path, k_config + strlen("[settings]\n"));
    s = st_start(cfg);
    id = submit_file(s, "CREATE", BASE, 0);
    expect_final(s, id, "DONE", NULL);
    req = st_request(s, &st_seller, "QueryTaxpayerRequest", NULL, "<taxNumber>99999999</taxNumber>");
    st_post(s, "queryTaxpayer", req, &r);
    ck_assert_int_eq(r.http, 200);
    st_resp_free(&r);
    sim_free(s);

    /* a restarted simulator keeps ledger, transactions and spent requestIds */
    s = st_start(cfg);
    sim_ledger_get(s, "99999999", "ZZZ000001", &e);
    ck_assert_int_eq(e.accepted, 1);
    ck_assert_int_eq(sim_item_status(s, id, 1), SIM_STATUS_DONE);
    st_post(s, "queryTaxpayer", req, &r);
    ck_assert_int_eq(r.http, 400);
    ck_assert_ptr_nonnull(strstr(r.body, "REQUEST_ID_NOT_UNIQUE"));
    st_resp_free(&r);
    free(id);
    id = submit_file(s, "CREATE", BASE, 0);
    expect_final(s, id, "ABORTED", "INVOICE_NUMBER_NOT_UNIQUE");
    sim_free(s);
    free(id);
    free(req);
    free(cfg);
    st_remove_state(dir, path);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("sim-flow");
    TCase *tc = tcase_create("flow");
    tcase_set_timeout(tc, 100);
    tcase_add_test(tc, flow_create_done_and_queries);
    tcase_add_test(tc, flow_duplicate_number);
    tcase_add_test(tc, flow_duplicate_in_request);
    tcase_add_test(tc, flow_modify_chain);
    tcase_add_test(tc, flow_schema_violation);
    tcase_add_test(tc, flow_token_and_request_id);
    tcase_add_test(tc, flow_annulment);
    tcase_add_test(tc, flow_inbound_seed);
    tcase_add_test(tc, flow_persistence);
    suite_add_tcase(su, tc);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    return nt_run(su);
}
