/* test_sim_faults.c - every injected fault as a client sees it: status
 * codes without XML, MAINTENANCE_MODE, hangs past the client timeout,
 * connections dropped before or after the commit, delays, token
 * rejection, traffic restriction; plus routing (404/500/415/413) and the
 * loopback admin endpoint. Delays are checked only as lower bounds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "simtest.h"
#include "testutil.h"

static const char *k_config =
    "[user]\n"
    "login = simuser01\n"
    "password = Teszt-Jelszo-01\n"
    "taxNumber = 99999999\n"
    "signKey = ce-8f5e-215119fa7dd621DLMRHRLH2S\n"
    "exchangeKey = 9febIBBQRLZ348IB\n";

static const st_user k_u = {"simuser01", "Teszt-Jelszo-01", "99999999",
                            "ce-8f5e-215119fa7dd621DLMRHRLH2S", "9febIBBQRLZ348IB"};

static void taxpayer(sim_server *s, st_resp *r, long timeout_ms)
{
    char *req = st_request(s, &k_u, "QueryTaxpayerRequest", NULL, "<taxNumber>99999999</taxNumber>");
    st_post_ex(s, "/invoiceService/v3/queryTaxpayer", NULL, "POST", req, strlen(req), timeout_ms,
               r);
    free(req);
}

START_TEST(fault_http_status)
{
    static const struct {
        int kind;
        long http;
    } k[] = {{SIM_FAULT_HTTP500, 500}, {SIM_FAULT_HTTP502, 502}, {SIM_FAULT_HTTP503, 503},
             {SIM_FAULT_HTTP504, 504}};
    sim_server *s = st_start(k_config);
    st_resp r;
    size_t i;
    for (i = 0; i < sizeof k / sizeof k[0]; i++) {
        ck_assert_int_eq(sim_fault_add(s, k[i].kind, "queryTaxpayer", 1, 0), 0);
        taxpayer(s, &r, 0);
        ck_assert_int_eq(r.cc, CURLE_OK);
        ck_assert_int_eq(r.http, k[i].http);
        ck_assert_ptr_null(strstr(r.body, "<?xml")); /* no XML body */
        st_resp_free(&r);
        /* limited to one request */
        taxpayer(s, &r, 0);
        ck_assert_int_eq(r.http, 200);
        st_resp_free(&r);
    }
    /* limited to its operation */
    ck_assert_int_eq(sim_fault_add(s, SIM_FAULT_HTTP503, "tokenExchange", 2, 0), 0);
    taxpayer(s, &r, 0);
    ck_assert_int_eq(r.http, 200);
    st_resp_free(&r);
    sim_free(s);
}
END_TEST

START_TEST(fault_maintenance)
{
    sim_server *s = st_start(k_config);
    st_resp r;
    char *req;
    ck_assert_int_eq(sim_fault_add(s, SIM_FAULT_MAINTENANCE, NULL, 1, 0), 0);
    taxpayer(s, &r, 0);
    ck_assert_int_eq(r.http, 503);
    ck_assert_ptr_nonnull(strstr(r.body, "<errorCode>MAINTENANCE_MODE</errorCode>"));
    st_resp_free(&r);
    /* token freeze: tokenExchange refused, queries work */
    sim_set_maintenance(s, SIM_MAINT_TOKEN_FREEZE);
    req = st_request(s, &k_u, "TokenExchangeRequest", NULL, "");
    st_post(s, "tokenExchange", req, &r);
    ck_assert_int_eq(r.http, 503);
    ck_assert_ptr_nonnull(strstr(r.body, "MAINTENANCE_MODE"));
    st_resp_free(&r);
    free(req);
    taxpayer(s, &r, 0);
    ck_assert_int_eq(r.http, 200);
    st_resp_free(&r);
    sim_set_maintenance(s, SIM_MAINT_FULL);
    taxpayer(s, &r, 0);
    ck_assert_int_eq(r.http, 503);
    st_resp_free(&r);
    sim_free(s);
}
END_TEST

START_TEST(fault_hang)
{
    sim_server *s = st_start(k_config);
    st_resp r;
    ck_assert_int_eq(sim_fault_add(s, SIM_FAULT_HANG, "queryTaxpayer", 1, 60000), 0);
    taxpayer(s, &r, 500);
    ck_assert_int_eq(r.cc, CURLE_OPERATION_TIMEDOUT);
    st_resp_free(&r);
    /* stopping the server wakes the hung request */
    sim_free(s);
}
END_TEST

static char *manage_one(sim_server *s)
{
    char *tok = st_token(s, &k_u);
    char *d = st_b64_file("samples/data/Eredeti_szamla_modositasokhoz.xml", 0);
    st_item it = {"CREATE", d};
    char *req = st_manage(s, &k_u, 0, tok, 0, &it, 1);
    free(tok);
    free(d);
    return req;
}

START_TEST(fault_drop_after_commit)
{
    sim_server *s = st_start(k_config);
    char *req = manage_one(s), *t;
    st_resp r;
    sim_ledger_entry e;
    ck_assert_int_eq(sim_fault_add(s, SIM_FAULT_DROP_AFTER_COMMIT, "manageInvoice", 1, 0), 0);
    st_post(s, "manageInvoice", req, &r);
    ck_assert_int_eq(r.cc, CURLE_GOT_NOTHING);
    st_resp_free(&r);
    /* ... but the transaction exists and is processed */
    ck_assert_int_eq(sim_transaction_count(s, "99999999"), 1);
    sim_ledger_get(s, "99999999", "ZZZ000001", &e);
    ck_assert_int_eq(e.accepted, 1);
    /* a blind retry of the same bytes: the requestId was spent */
    st_post(s, "manageInvoice", req, &r);
    ck_assert_int_eq(r.http, 400);
    t = st_text(r.body, r.len, "errorCode");
    ck_assert_str_eq(t, "REQUEST_ID_NOT_UNIQUE");
    free(t);
    st_resp_free(&r);
    free(req);
    sim_free(s);
}
END_TEST

START_TEST(fault_reset_before_commit)
{
    sim_server *s = st_start(k_config);
    char *req = manage_one(s);
    st_resp r;
    ck_assert_int_eq(sim_fault_add(s, SIM_FAULT_RESET, "manageInvoice", 1, 0), 0);
    st_post(s, "manageInvoice", req, &r);
    ck_assert_int_eq(r.cc, CURLE_GOT_NOTHING);
    st_resp_free(&r);
    ck_assert_int_eq(sim_transaction_count(s, "99999999"), 0);
    /* nothing was committed: the same request now succeeds */
    st_post(s, "manageInvoice", req, &r);
    ck_assert_int_eq(r.http, 200);
    st_resp_free(&r);
    free(req);
    sim_free(s);
}
END_TEST

START_TEST(fault_slow)
{
    sim_server *s = st_start(k_config);
    st_resp r;
    ck_assert_int_eq(sim_fault_add(s, SIM_FAULT_SLOW, "queryTaxpayer", 1, 1500), 0);
    taxpayer(s, &r, 0);
    ck_assert_int_eq(r.http, 200);
    ck_assert(r.secs >= 1.4);
    st_resp_free(&r);
    sim_free(s);
}
END_TEST

START_TEST(fault_slow_processing)
{
    sim_server *s = st_start(k_config);
    char *req = manage_one(s), *id;
    st_resp r;
    ck_assert_int_eq(sim_fault_add(s, SIM_FAULT_SLOW_PROCESSING, "manageInvoice", 1, 3600000), 0);
    st_post(s, "manageInvoice", req, &r);
    ck_assert_int_eq(r.http, 200);
    id = st_text(r.body, r.len, "transactionId");
    st_resp_free(&r);
    ck_assert_int_lt(sim_item_status(s, id, 1), SIM_STATUS_DONE);
    sim_clock_advance(s, 3600001);
    ck_assert_int_eq(sim_item_status(s, id, 1), SIM_STATUS_DONE);
    free(id);
    free(req);
    sim_free(s);
}
END_TEST

START_TEST(fault_token_reject)
{
    sim_server *s = st_start(k_config);
    char *req = manage_one(s), *t;
    st_resp r;
    ck_assert_int_eq(sim_fault_add(s, SIM_FAULT_TOKEN_REJECT, "manageInvoice", 1, 0), 0);
    st_post(s, "manageInvoice", req, &r);
    ck_assert_int_eq(r.http, 400);
    t = st_text(r.body, r.len, "errorCode");
    ck_assert_str_eq(t, "INVALID_EXCHANGE_TOKEN");
    free(t);
    st_resp_free(&r);
    /* the rejected request spent neither requestId nor token */
    st_post(s, "manageInvoice", req, &r);
    ck_assert_int_eq(r.http, 200);
    st_resp_free(&r);
    free(req);
    sim_free(s);
}
END_TEST

START_TEST(fault_rate_limit)
{
    sim_server *s = st_start(k_config);
    st_resp a, b;
    ck_assert_int_eq(sim_fault_add(s, SIM_FAULT_RATE_LIMIT, "queryTaxpayer", 2, 0), 0);
    taxpayer(s, &a, 0);
    taxpayer(s, &b, 0);
    ck_assert_int_eq(a.http, 200);
    ck_assert_int_eq(b.http, 200);
    /* the second came within 1 s of the first (unless the machine stalled
     * for a second between the two): it waited 4 s */
    if (a.secs < 0.9)
        ck_assert(b.secs >= 3.9);
    st_resp_free(&a);
    st_resp_free(&b);
    sim_free(s);
}
END_TEST

START_TEST(routing)
{
    sim_server *s = st_start(k_config);
    st_resp r;
    char *req = st_request(s, &k_u, "QueryTaxpayerRequest", NULL, "<taxNumber>99999999</taxNumber>");
    char *big;
    st_post_ex(s, "/invoiceService/v3/noSuchOperation", NULL, "POST", req, strlen(req), 0, &r);
    ck_assert_int_eq(r.http, 404);
    ck_assert_uint_eq(r.len, 0);
    st_resp_free(&r);
    st_post_ex(s, "/invoiceService/v2/queryTaxpayer", NULL, "POST", req, strlen(req), 0, &r);
    ck_assert_int_eq(r.http, 404);
    st_resp_free(&r);
    st_post_ex(s, "/invoiceService/v3/queryTaxpayer", NULL, "GET", NULL, 0, 0, &r);
    ck_assert_int_eq(r.http, 500);
    st_resp_free(&r);
    st_post_ex(s, "/invoiceService/v3/queryTaxpayer", "text/xml;charset=UTF-8", "POST", req,
               strlen(req), 0, &r);
    ck_assert_int_eq(r.http, 200);
    st_resp_free(&r);
    st_post_ex(s, "/invoiceService/v3/queryTaxpayer", "application/json", "POST", req,
               strlen(req), 0, &r);
    ck_assert_int_eq(r.http, 415);
    st_resp_free(&r);
    /* not well-formed -> GeneralExceptionResponse */
    st_post(s, "queryTaxpayer", "<QueryTaxpayerRequest", &r);
    ck_assert_int_eq(r.http, 400);
    ck_assert_ptr_nonnull(strstr(r.body, "GeneralExceptionResponse"));
    ck_assert_ptr_nonnull(strstr(r.body, "INVALID_REQUEST"));
    st_resp_free(&r);
    /* 10 MiB body */
    big = malloc(10485760 + 1);
    memset(big, ' ', 10485760);
    big[10485760] = '\0';
    st_post_ex(s, "/invoiceService/v3/queryTaxpayer", NULL, "POST", big, 10485760, 60000, &r);
    ck_assert_int_eq(r.http, 413);
    st_resp_free(&r);
    free(big);
    ck_assert_int_ge(sim_request_count(s, "queryTaxpayer"), 4);
    free(req);
    sim_free(s);
}
END_TEST

START_TEST(admin_endpoint)
{
    sim_server *s = st_start(k_config);
    st_resp r;
    st_post_ex(s, "/admin/fault?kind=http502&op=queryTaxpayer&count=1", "text/plain", "POST", "",
               0, 0, &r);
    ck_assert_int_eq(r.http, 200);
    st_resp_free(&r);
    taxpayer(s, &r, 0);
    ck_assert_int_eq(r.http, 502);
    st_resp_free(&r);
    st_post_ex(s, "/admin/fault?kind=nonsense", "text/plain", "POST", "", 0, 0, &r);
    ck_assert_int_eq(r.http, 400);
    st_resp_free(&r);
    {
        size_t len;
        char *xml = nt_read_nav("samples/data/Eredeti_szamla_modositasokhoz.xml", &len);
        st_post_ex(s, "/admin/seed", "application/xml", "POST", xml, len, 0, &r);
        ck_assert_int_eq(r.http, 200);
        st_resp_free(&r);
        free(xml);
    }
    st_post_ex(s, "/admin/ledger?supplier=99999999&number=ZZZ000001", "text/plain", "POST", "",
               0, 0, &r);
    ck_assert_int_eq(r.http, 200);
    ck_assert_ptr_nonnull(strstr(r.body, "accepted=1"));
    st_resp_free(&r);
    st_post_ex(s, "/admin/requests?op=queryTaxpayer", "text/plain", "POST", "", 0, 0, &r);
    ck_assert_int_eq(r.http, 200);
    ck_assert_int_eq(atoi(r.body), 1);
    st_resp_free(&r);
    st_post_ex(s, "/admin/maintenance?mode=full", "text/plain", "POST", "", 0, 0, &r);
    ck_assert_int_eq(r.http, 200);
    st_resp_free(&r);
    taxpayer(s, &r, 0);
    ck_assert_int_eq(r.http, 503);
    st_resp_free(&r);
    sim_free(s);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("sim-faults");
    TCase *tc = tcase_create("faults");
    tcase_set_timeout(tc, 100);
    tcase_add_test(tc, fault_http_status);
    tcase_add_test(tc, fault_maintenance);
    tcase_add_test(tc, fault_hang);
    tcase_add_test(tc, fault_drop_after_commit);
    tcase_add_test(tc, fault_reset_before_commit);
    tcase_add_test(tc, fault_slow);
    tcase_add_test(tc, fault_slow_processing);
    tcase_add_test(tc, fault_token_reject);
    tcase_add_test(tc, fault_rate_limit);
    tcase_add_test(tc, routing);
    tcase_add_test(tc, admin_endpoint);
    suite_add_tcase(su, tc);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    return nt_run(su);
}
