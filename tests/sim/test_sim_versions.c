/* test_sim_versions.c - requestVersion rules (PROTOCOL.md 1.8, spec
 * 1.6.9) on a simulator that also accepts 2.0 (requestVersions): a status
 * query below the transaction's version is 500 STATUS_QUERY_NOT_ALLOWED
 * and does not count as queried, amendments and annulments below the
 * chain's lowest version end with REQUEST_VERSION_REFERENCE_ERROR, tokens
 * belong to one major version, older queries do not see newer data, and
 * the version survives a restart. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <sqlite3.h>

#include "simtest.h"
#include "testutil.h"

static const char *k_config = "[settings]\n"
                              "selfCheck = true\n"
                              "clock = 2024-06-15T10:00:00Z\n"
                              "requestVersions = 2.0, 3.0\n" ST_SELLER_INI;


#define VERSION_ERROR "REQUEST_VERSION_REFERENCE_ERROR"
#define OLD_TOKEN "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF"

/* A signed request of requestVersion v to op; the response in out. */
static void post_v(sim_server *s, const char *v, const char *op, const char *root,
                   const char *inner, st_resp *out)
{
    char *req;
    st_set_request_version(v);
    req = st_request(s, &st_seller, root, NULL, inner);
    st_post(s, op, req, out);
    st_set_request_version(NULL);
    free(req);
}

static void status_v(sim_server *s, const char *v, const char *id, st_resp *out)
{
    char inner[128];
    snprintf(inner, sizeof inner, "<transactionId>%s</transactionId>", id);
    post_v(s, v, "queryTransactionStatus", "QueryTransactionStatusRequest", inner, out);
}

static void assert_text(const st_resp *r, const char *local, const char *want)
{
    char *t = st_text(r->body, r->len, local);
    ck_assert_msg(t && !strcmp(t, want), "%s = %s, want %s: %s", local, t ? t : "-", want,
                  r->body);
    free(t);
}

static void assert_error(const st_resp *r, long http, const char *code)
{
    ck_assert_msg(r->http == http, "HTTP %ld, want %ld: %s", r->http, http, r->body);
    assert_text(r, "errorCode", code);
    ck_assert(st_valid_api(r->body, r->len));
}

/* manageInvoice with requestVersion v (token included); returns the final
 * status (queried with v). */
static char *run_v(sim_server *s, const char *v, const char *op, const char *xml)
{
    char *body;
    st_set_request_version(v);
    body = st_run(s, &st_seller, op, xml);
    st_set_request_version(NULL);
    return body;
}

/* The transactionId of a manageInvoice (CREATE) with version v, not yet
 * queried. */
static char *submit_v(sim_server *s, const char *v, const char *xml)
{
    char *b64 = st_b64(xml, strlen(xml), 0), *id;
    st_item it = {"CREATE", b64};
    st_set_request_version(v);
    id = st_submit(s, &st_seller, 0, &it);
    st_set_request_version(NULL);
    free(b64);
    return id;
}

START_TEST(status_query_not_allowed)
{
    sim_server *s = st_start(k_config);
    char *xml = st_fixture("normal.xml"), *id = submit_v(s, "3.0", xml);
    st_resp r;
    ck_assert_int_eq(sim_item_status(s, id, 1), SIM_STATUS_DONE);
    status_v(s, "2.0", id, &r);
    assert_error(&r, 500, "STATUS_QUERY_NOT_ALLOWED");
    st_resp_free(&r);
    /* the refused query does not count as reading the result */
    post_v(s, "3.0", "queryTransactionList", "QueryTransactionListRequest",
           "<page>1</page><insDate><dateTimeFrom>2024-06-15T00:00:00Z</dateTimeFrom>"
           "<dateTimeTo>2024-06-16T00:00:00Z</dateTimeTo></insDate>",
           &r);
    ck_assert_int_eq(r.http, 200);
    assert_text(&r, "requestStatus", "FINISHED");
    assert_text(&r, "originalRequestVersion", "3.0");
    st_resp_free(&r);
    /* the same or a higher version may ask */
    status_v(s, "3.0", id, &r);
    ck_assert_int_eq(r.http, 200);
    ck_assert(st_valid_api(r.body, r.len));
    assert_text(&r, "invoiceStatus", "DONE");
    assert_text(&r, "originalRequestVersion", "3.0");
    st_resp_free(&r);
    free(id);
    free(xml);
    sim_free(s);
}
END_TEST

START_TEST(older_transaction_any_newer_query)
{
    sim_server *s = st_start(k_config);
    char *xml = st_fixture("normal.xml"), *id = submit_v(s, "2.0", xml);
    st_resp r;
    const char *v[2] = {"2.0", "3.0"};
    int k;
    for (k = 0; k < 2; k++) {
        status_v(s, v[k], id, &r);
        ck_assert_msg(r.http == 200, "%s", r.body);
        assert_text(&r, "invoiceStatus", "DONE");
        assert_text(&r, "originalRequestVersion", "2.0");
        st_resp_free(&r);
    }
    free(id);
    free(xml);
    sim_free(s);
}
END_TEST

START_TEST(token_of_other_major)
{
    /* a token is issued for one major version (1.8) */
    static const char *const pairs[2][2] = {{"2.0", "3.0"}, {"3.0", "2.0"}};
    sim_server *s = st_start(k_config);
    char *xml = st_fixture("normal.xml"), *b64 = st_b64(xml, strlen(xml), 0), *tok, *req;
    st_item it = {"CREATE", b64};
    st_resp r;
    int k;
    for (k = 0; k < 2; k++) {
        st_set_request_version(pairs[k][0]);
        tok = st_token(s, &st_seller);
        st_set_request_version(pairs[k][1]);
        req = st_manage(s, &st_seller, 0, tok, 0, &it, 1);
        st_set_request_version(NULL);
        st_post(s, "manageInvoice", req, &r);
        assert_error(&r, 400, "INVALID_EXCHANGE_TOKEN");
        st_resp_free(&r);
        free(req);
        free(tok);
    }
    free(b64);
    free(xml);
    sim_free(s);
}
END_TEST

START_TEST(amendment_below_chain_version)
{
    sim_server *s = st_start(k_config);
    char *base = st_fixture("normal.xml"), *mod = st_fixture("modify.xml"), *body;
    body = run_v(s, "3.0", "CREATE", base);
    st_assert_clean(body, "base 3.0");
    free(body);
    body = run_v(s, "2.0", "MODIFY", mod);
    st_assert_status(body, "ABORTED");
    ck_assert_int_eq(st_has_message(body, strlen(body), "ERROR", VERSION_ERROR), 1);
    ck_assert_int_eq(st_has_message(body, strlen(body), NULL, NULL), 1);
    free(body);
    body = run_v(s, "3.0", "MODIFY", mod);
    st_assert_clean(body, "amendment 3.0 of a 3.0 base");
    free(body);
    free(mod);
    free(base);
    sim_free(s);
}
END_TEST

START_TEST(mixed_chain_lowest_counts)
{
    /* base 2.0, first amendment 3.0: a 2.0 amendment still fits, and the
     * 2.0 history allows the UNKNOWN case code (3.3.2 #31) */
    sim_server *s = st_start(k_config);
    char *base = st_fixture("normal.xml"), *mod = st_fixture("modify.xml"), *mod2, *body;
    body = run_v(s, "2.0", "CREATE", base);
    st_assert_clean(body, "base 2.0");
    free(body);
    body = run_v(s, "3.0", "MODIFY", mod);
    st_assert_clean(body, "amendment 3.0");
    free(body);
    mod2 = st_edit(mod, ">RULES-N-002<", 1, ">RULES-N-003<");
    mod2 = st_edit(mod2, "<modificationIndex>1<", 1, "<modificationIndex>2<");
    mod2 = st_edit(mod2, "<lineNumberReference>3<", 1, "<lineNumberReference>4<");
    mod2 = st_edit(mod2, "<vatPercentage>0.27</vatPercentage>", 1,
                   "<vatExemption><case>UNKNOWN</case><reason>teszt</reason></vatExemption>");
    body = run_v(s, "2.0", "MODIFY", mod2);
    st_assert_clean(body, "amendment 2.0 of a mixed chain");
    free(body);
    free(mod2);
    free(base);
    sim_free(s);
}
END_TEST

static char *annul_v(sim_server *s, const char *v, const char *number)
{
    char xml[512];
    snprintf(xml, sizeof xml,
             "<InvoiceAnnulment xmlns=\"http://schemas.nav.gov.hu/OSA/3.0/annul\">"
             "<annulmentReference>%s</annulmentReference>"
             "<annulmentTimestamp>2024-06-15T09:00:00.000Z</annulmentTimestamp>"
             "<annulmentCode>ERRATIC_DATA</annulmentCode>"
             "<annulmentReason>verzióteszt</annulmentReason></InvoiceAnnulment>",
             number);
    return run_v(s, v, "ANNUL", xml);
}

START_TEST(annulment_below_chain_version)
{
    sim_server *s = st_start(k_config);
    char *base = st_fixture("normal.xml"), *mod = st_fixture("modify.xml"), *body, *t;
    body = run_v(s, "3.0", "CREATE", base);
    free(body);
    body = run_v(s, "3.0", "MODIFY", mod);
    free(body);
    /* annulling the amendment: its chain is 3.0 */
    body = annul_v(s, "2.0", "RULES-N-002");
    ck_assert_int_eq(st_has_message(body, strlen(body), "ERROR", VERSION_ERROR), 1);
    t = st_text(body, strlen(body), "annulmentVerificationStatus");
    ck_assert_str_eq(t, "NOT_VERIFIABLE");
    free(t);
    free(body);
    body = annul_v(s, "3.0", "RULES-N-001");
    ck_assert_int_eq(st_has_message(body, strlen(body), NULL, NULL), 0);
    t = st_text(body, strlen(body), "annulmentVerificationStatus");
    ck_assert_str_eq(t, "VERIFICATION_PENDING");
    free(t);
    free(body);
    free(mod);
    free(base);
    sim_free(s);
}
END_TEST

START_TEST(older_query_does_not_see_newer_data)
{
    sim_server *s = st_start(k_config);
    char *xml = st_fixture("normal.xml"), *body;
    static const char q[] = "<invoiceNumberQuery><invoiceNumber>RULES-N-001</invoiceNumber>"
                            "<invoiceDirection>OUTBOUND</invoiceDirection></invoiceNumberQuery>";
    st_resp r;
    body = run_v(s, "3.0", "CREATE", xml);
    free(body);
    post_v(s, "2.0", "queryInvoiceCheck", "QueryInvoiceCheckRequest", q, &r);
    ck_assert_int_eq(r.http, 200);
    assert_text(&r, "invoiceCheckResult", "false");
    st_resp_free(&r);
    post_v(s, "3.0", "queryInvoiceCheck", "QueryInvoiceCheckRequest", q, &r);
    assert_text(&r, "invoiceCheckResult", "true");
    st_resp_free(&r);
    /* a 2.0 invoice is seen by 3.0 with its version */
    xml = st_edit(xml, ">RULES-N-001<", 1, ">RULES-N-009<");
    body = run_v(s, "2.0", "CREATE", xml);
    free(body);
    post_v(s, "3.0", "queryInvoiceData", "QueryInvoiceDataRequest",
           "<invoiceNumberQuery><invoiceNumber>RULES-N-009</invoiceNumber>"
           "<invoiceDirection>OUTBOUND</invoiceDirection></invoiceNumberQuery>",
           &r);
    ck_assert_int_eq(r.http, 200);
    ck_assert(st_valid_api(r.body, r.len));
    assert_text(&r, "originalRequestVersion", "2.0");
    st_resp_free(&r);
    free(xml);
    sim_free(s);
}
END_TEST

START_TEST(versions_not_accepted)
{
    /* by default only 3.0: older versions are retired, others invalid */
    sim_server *s = st_start("[settings]\nselfCheck = true\n" ST_SELLER_INI);
    st_resp r;
    post_v(s, "2.0", "tokenExchange", "TokenExchangeRequest", "", &r);
    assert_error(&r, 400, "REQUEST_VERSION_NOT_ALLOWED");
    st_resp_free(&r);
    post_v(s, "4.0", "tokenExchange", "TokenExchangeRequest", "", &r);
    assert_error(&r, 400, "INVALID_REQUEST_VERSION");
    st_resp_free(&r);
    sim_free(s);
    /* accepting 2.0 does not accept 1.1 */
    s = st_start(k_config);
    post_v(s, "1.1", "tokenExchange", "TokenExchangeRequest", "", &r);
    assert_error(&r, 400, "REQUEST_VERSION_NOT_ALLOWED");
    st_resp_free(&r);
    post_v(s, "2.0", "tokenExchange", "TokenExchangeRequest", "", &r);
    ck_assert_int_eq(r.http, 200);
    st_resp_free(&r);
    sim_free(s);
}
END_TEST

START_TEST(version_persists)
{
    char dir[] = "/tmp/navoi-sim-versionXXXXXX", path[128], cfg[1024];
    char *xml = st_fixture("normal.xml"), *id;
    sim_server *s;
    st_resp r;
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/state.sqlite", dir);
    snprintf(cfg, sizeof cfg, "%sstate = %s\n%s", "[settings]\nrequestVersions = 2.0,3.0\n", path,
             ST_SELLER_INI);
    s = st_start(cfg);
    id = submit_v(s, "3.0", xml);
    ck_assert_int_eq(sim_item_status(s, id, 1), SIM_STATUS_DONE);
    sim_free(s);
    s = st_start(cfg);
    status_v(s, "2.0", id, &r);
    assert_error(&r, 500, "STATUS_QUERY_NOT_ALLOWED");
    st_resp_free(&r);
    status_v(s, "3.0", id, &r);
    assert_text(&r, "originalRequestVersion", "3.0");
    st_resp_free(&r);
    sim_free(s);
    free(id);
    free(xml);
    st_remove_state(dir, path);
}
END_TEST

START_TEST(old_state_file_upgraded)
{
    /* a state file written before the version columns existed: the
     * simulator adds them and reads its rows as 3.0 */
    static const char old_schema[] =
        "CREATE TABLE txn(id TEXT PRIMARY KEY, seq INTEGER, tax TEXT, user TEXT,"
        " ins_ms INTEGER, extra_ms INTEGER, annulment INTEGER, compressed INTEGER, seeded INTEGER,"
        " notified INTEGER, finished INTEGER, annul_status INTEGER, annul_decision_ms INTEGER,"
        " annul_user TEXT);"
        "CREATE TABLE item(txn_id TEXT, idx INTEGER, op TEXT, data TEXT, ehash TEXT,"
        " ehash_crypto TEXT, status INTEGER, msgs TEXT, PRIMARY KEY(txn_id, idx));"
        "CREATE TABLE reqid(tax TEXT, id TEXT, ms INTEGER, PRIMARY KEY(tax, id));"
        "CREATE TABLE token(token TEXT PRIMARY KEY, tax TEXT, to_ms INTEGER, used INTEGER);"
        "INSERT INTO token VALUES('" OLD_TOKEN "',"
        " '99999999', 4102444800000, 0);";
    char dir[] = "/tmp/navoi-sim-oldstateXXXXXX", path[128], cfg[1024];
    char *xml = st_fixture("normal.xml"), *b64, *req;
    st_item it = {"CREATE", NULL};
    sqlite3 *db = NULL;
    sim_server *s;
    st_resp r;
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/state.sqlite", dir);
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(db, old_schema, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    snprintf(cfg, sizeof cfg, "[settings]\nstate = %s\n%s", path, ST_SELLER_INI);
    s = st_start(cfg);
    b64 = st_b64(xml, strlen(xml), 0);
    it.data = b64;
    req = st_manage(s, &st_seller, 0, OLD_TOKEN, 0, &it, 1);
    st_post(s, "manageInvoice", req, &r);
    ck_assert_msg(r.http == 200, "%s", r.body);
    st_resp_free(&r);
    sim_free(s);
    free(req);
    free(b64);
    free(xml);
    st_remove_state(dir, path);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("sim-versions");
    TCase *tc = tcase_create("versions");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, status_query_not_allowed);
    tcase_add_test(tc, older_transaction_any_newer_query);
    tcase_add_test(tc, token_of_other_major);
    tcase_add_test(tc, amendment_below_chain_version);
    tcase_add_test(tc, mixed_chain_lowest_counts);
    tcase_add_test(tc, annulment_below_chain_version);
    tcase_add_test(tc, older_query_does_not_see_newer_data);
    tcase_add_test(tc, versions_not_accepted);
    tcase_add_test(tc, version_persists);
    tcase_add_test(tc, old_state_file_upgraded);
    suite_add_tcase(su, tc);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    return nt_run(su);
}
