/* test_samples.c - rebuilds each of NAV's 11 official requests
 * (samples/api, every .xml) from the values found in the sample itself (header,
 * user, software, signKey comment, payload) and compares: the infoset of
 * our output equals the sample's, and our requestSignature equals NAV's.
 * Also every sample and every rebuilt request validates against
 * invoiceApi.xsd. */
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

#define NS_API "http://schemas.nav.gov.hu/OSA/3.0/api"
#define NS_COMMON "http://schemas.nav.gov.hu/NTCA/1.0/common"

static const char *const samples[] = {
    "manageAnnulment.xml",
    "manageInvoice.xml",
    "queryInvoiceChainDigest.xml",
    "queryInvoiceCheck.xml",
    "queryInvoiceData.xml",
    "queryInvoiceDigest_inbound_invoice_chain.xml",
    "queryInvoiceDigest_outbound_query_params.xml",
    "queryTaxpayer.xml",
    "queryTransactionList.xml",
    "queryTransactionStatus.xml",
    "tokenExchange.xml",
};

/* ---- reading the sample ---- */

static int is_el(const xmlNode *n, const char *ns, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && n->ns &&
           strcmp((const char *)n->ns->href, ns) == 0 &&
           (!name || strcmp((const char *)n->name, name) == 0);
}

static xmlNodePtr child(const xmlNode *p, const char *ns, const char *name)
{
    xmlNodePtr c;

    for (c = p ? p->children : NULL; c; c = c->next)
        if (is_el(c, ns, name))
            return c;
    return NULL;
}

/* Strings read from the sample live until the end of the test, which
 * releases them all at once. */
static void *g_keep[1024];
static size_t g_nkeep;

static char *keep(char *p)
{
    ck_assert_ptr_nonnull(p);
    ck_assert_uint_lt(g_nkeep, sizeof g_keep / sizeof g_keep[0]);
    g_keep[g_nkeep++] = p;
    return p;
}

static void release_all(void)
{
    while (g_nkeep)
        free(g_keep[--g_nkeep]);
}

static char *text(const xmlNode *n)
{
    xmlChar *t;
    char *r;
    size_t a = 0, len;

    if (!n)
        return NULL;
    t = xmlNodeGetContent(n);
    len = strlen((char *)t);
    while (a < len && strchr(" \t\r\n", t[a]))
        a++;
    while (len > a && strchr(" \t\r\n", t[len - 1]))
        len--;
    r = keep(strndup((char *)t + a, len - a));
    xmlFree(t);
    return r;
}

static char *ctext(const xmlNode *p, const char *ns, const char *name)
{
    return text(child(p, ns, name));
}

/* The signing key NAV left in a comment: <!--<signKey>...</signKey>--> */
static char *sign_key(const xmlNode *user)
{
    const xmlNode *c;

    for (c = user->children; c; c = c->next) {
        const char *s, *e;
        if (c->type != XML_COMMENT_NODE)
            continue;
        s = strstr((const char *)c->content, "<signKey>");
        e = strstr((const char *)c->content, "</signKey>");
        if (s && e && e > s)
            return keep(strndup(s + 9, (size_t)(e - s - 9)));
    }
    return NULL;
}

static int direction(const char *s)
{
    ck_assert_ptr_nonnull(s);
    if (strcmp(s, "OUTBOUND") == 0)
        return NAVOI_OUTBOUND;
    ck_assert_str_eq(s, "INBOUND");
    return NAVOI_INBOUND;
}

static int qop(const char *s)
{
    static const char *const n[] = {"EQ", "GT", "GTE", "LT", "LTE"};
    int i;

    for (i = 0; i < 5; i++)
        if (strcmp(s, n[i]) == 0)
            return NAVOI_QOP_EQ + i;
    ck_abort_msg("operator %s", s);
    return 0;
}

static int opcode(const char *s)
{
    if (!s)
        return 0;
    if (strcmp(s, "CREATE") == 0)
        return NAVOI_OP_CREATE;
    if (strcmp(s, "MODIFY") == 0)
        return NAVOI_OP_MODIFY;
    ck_assert_str_eq(s, "STORNO");
    return NAVOI_OP_STORNO;
}

static int32_t int_of(const char *s)
{
    ck_assert_ptr_nonnull(s);
    return (int32_t)atoi(s);
}

/* Manage items from <xxxOperations>: index must run 1..n in document order
 * (the builder numbers them itself). */
static size_t manage_items(const xmlNode *ops, const char *item_name, const char *op_name,
                           const char *data_name, navoi__manage_item *it, size_t max)
{
    const xmlNode *c;
    size_t n = 0;

    for (c = ops->children; c; c = c->next) {
        const xmlNode *h;
        if (!is_el(c, NS_API, item_name))
            continue;
        ck_assert_uint_lt(n, max);
        ck_assert_int_eq(int_of(ctext(c, NS_API, "index")), (int)(n + 1));
        it[n].operation = ctext(c, NS_API, op_name);
        it[n].data = ctext(c, NS_API, data_name);
        it[n].data_len = strlen(it[n].data);
        h = child(c, NS_API, "electronicInvoiceHash");
        it[n].ehash = h ? text(h) : NULL;
        it[n].ehash_crypto = NULL;
        if (h) {
            xmlChar *ct = xmlGetProp(h, (const xmlChar *)"cryptoType");
            it[n].ehash_crypto = keep(strdup((char *)ct));
            xmlFree(ct);
        }
        n++;
    }
    return n;
}

static void digest_query(const xmlNode *root, navoi_digest_query **out)
{
    const xmlNode *params = child(root, NS_API, "invoiceQueryParams");
    const xmlNode *m = child(params, NS_API, "mandatoryQueryParams");
    const xmlNode *c, *x;
    navoi_digest_query *q = NULL;

    ck_assert_int_eq(navoi_digest_query_new(&q, direction(ctext(root, NS_API,
                                                                "invoiceDirection")),
                                            int_of(ctext(root, NS_API, "page"))),
                     NAVOI_OK);
    if ((x = child(m, NS_API, "invoiceIssueDate")) != NULL)
        ck_assert_int_eq(navoi_digest_query_set_issue_date(q, ctext(x, NS_API, "dateFrom"),
                                                           ctext(x, NS_API, "dateTo")),
                         NAVOI_OK);
    else if ((x = child(m, NS_API, "insDate")) != NULL)
        ck_assert_int_eq(navoi_digest_query_set_ins_date(q, rt_ms(ctext(x, NS_API,
                                                                        "dateTimeFrom")),
                                                         rt_ms(ctext(x, NS_API, "dateTimeTo"))),
                         NAVOI_OK);
    else
        ck_assert_int_eq(navoi_digest_query_set_original_invoice_number(
                             q, ctext(m, NS_API, "originalInvoiceNumber")),
                         NAVOI_OK);
    if ((x = child(params, NS_API, "additionalQueryParams")) != NULL)
        for (c = x->children; c; c = c->next)
            if (is_el(c, NS_API, NULL))
                ck_assert_int_eq(navoi_digest_query_set_param(q, (const char *)c->name, text(c)),
                                 NAVOI_OK);
    if ((x = child(params, NS_API, "relationalQueryParams")) != NULL)
        for (c = x->children; c; c = c->next)
            if (is_el(c, NS_API, NULL))
                ck_assert_int_eq(navoi_digest_query_add_relation(
                                     q, (const char *)c->name,
                                     qop(ctext(c, NS_API, "queryOperator")),
                                     ctext(c, NS_API, "queryValue")),
                                 NAVOI_OK);
    if ((x = child(params, NS_API, "transactionQueryParams")) != NULL) {
        char *idx = ctext(x, NS_API, "index");
        ck_assert_int_eq(navoi_digest_query_set_transaction(
                             q, ctext(x, NS_API, "transactionId"), idx ? int_of(idx) : 0,
                             opcode(ctext(x, NS_API, "invoiceOperation"))),
                         NAVOI_OK);
    }
    *out = q;
}

static void number_query(const xmlNode *root, navoi__number_query *q)
{
    const xmlNode *n = child(root, NS_API, "invoiceNumberQuery");
    char *bi = ctext(n, NS_API, "batchIndex");

    q->invoice_number = ctext(n, NS_API, "invoiceNumber");
    q->direction = direction(ctext(n, NS_API, "invoiceDirection"));
    q->batch_index = bi ? int_of(bi) : 0;
    q->supplier_tax_number = ctext(n, NS_API, "supplierTaxNumber");
}

/* Builds the request the sample shows, from the sample's own values. */
static void rebuild(const xmlNode *root, navoi__buf *out)
{
    const xmlNode *header = child(root, NS_COMMON, "header");
    const xmlNode *user = child(root, NS_COMMON, "user");
    const xmlNode *sw = child(root, NS_API, "software");
    const char *name = (const char *)root->name;
    navoi__software soft;
    navoi__envelope e;
    char *s;
    int rc;

    ck_assert_ptr_nonnull(header);
    ck_assert_ptr_nonnull(user);
    ck_assert_ptr_nonnull(sw);
    /* The builder always sends these two constants; the samples do too. */
    ck_assert_str_eq(ctext(header, NS_COMMON, "requestVersion"), "3.0");
    ck_assert_str_eq(ctext(header, NS_COMMON, "headerVersion"), "1.0");

    memset(&soft, 0, sizeof soft);
    s = ctext(sw, NS_API, "softwareId");
    ck_assert_uint_eq(strlen(s), 18);
    memcpy(soft.id, s, 19);
    soft.name = ctext(sw, NS_API, "softwareName");
    s = ctext(sw, NS_API, "softwareOperation");
    soft.operation = strcmp(s, "ONLINE_SERVICE") == 0 ? NAVOI_SOFTWARE_ONLINE
                                                       : NAVOI_SOFTWARE_LOCAL;
    soft.main_version = ctext(sw, NS_API, "softwareMainVersion");
    soft.dev_name = ctext(sw, NS_API, "softwareDevName");
    soft.dev_contact = ctext(sw, NS_API, "softwareDevContact");
    s = ctext(sw, NS_API, "softwareDevCountryCode");
    if (s) {
        ck_assert_uint_eq(strlen(s), 2);
        memcpy(soft.dev_country, s, 3);
    }
    soft.dev_tax_number = ctext(sw, NS_API, "softwareDevTaxNumber");

    memset(&e, 0, sizeof e);
    e.request_id = ctext(header, NS_COMMON, "requestId");
    e.timestamp = ctext(header, NS_COMMON, "timestamp");
    e.login = ctext(user, NS_COMMON, "login");
    e.password_hash = ctext(user, NS_COMMON, "passwordHash");
    e.tax_number = ctext(user, NS_COMMON, "taxNumber");
    e.sign_key = sign_key(user);
    ck_assert_ptr_nonnull(e.sign_key);
    e.software = &soft;

    if (strcmp(name, "TokenExchangeRequest") == 0) {
        rc = navoi__req_token_exchange(&e, out);
    } else if (strcmp(name, "ManageInvoiceRequest") == 0) {
        const xmlNode *ops = child(root, NS_API, "invoiceOperations");
        navoi__manage_item it[100];
        size_t n = manage_items(ops, "invoiceOperation", "invoiceOperation", "invoiceData", it,
                                100);
        char *comp = ctext(ops, NS_API, "compressedContent");
        rc = navoi__req_manage_invoice(&e, ctext(root, NS_API, "exchangeToken"),
                                       strcmp(comp, "true") == 0, it, n, out);
    } else if (strcmp(name, "ManageAnnulmentRequest") == 0) {
        const xmlNode *ops = child(root, NS_API, "annulmentOperations");
        navoi__manage_item it[100];
        size_t n = manage_items(ops, "annulmentOperation", "annulmentOperation",
                                "invoiceAnnulment", it, 100);
        rc = navoi__req_manage_annulment(&e, ctext(root, NS_API, "exchangeToken"), it, n, out);
    } else if (strcmp(name, "QueryTransactionStatusRequest") == 0) {
        char *ro = ctext(root, NS_API, "returnOriginalRequest");
        rc = navoi__req_query_transaction_status(&e, ctext(root, NS_API, "transactionId"),
                                                 ro && strcmp(ro, "true") == 0, out);
    } else if (strcmp(name, "QueryTransactionListRequest") == 0) {
        const xmlNode *ins = child(root, NS_API, "insDate");
        rc = navoi__req_query_transaction_list(
            &e, int_of(ctext(root, NS_API, "page")), rt_ms(ctext(ins, NS_API, "dateTimeFrom")),
            rt_ms(ctext(ins, NS_API, "dateTimeTo")), ctext(root, NS_API, "requestStatus"), out);
    } else if (strcmp(name, "QueryInvoiceCheckRequest") == 0) {
        navoi__number_query q;
        number_query(root, &q);
        rc = navoi__req_query_invoice_check(&e, &q, out);
    } else if (strcmp(name, "QueryInvoiceDataRequest") == 0) {
        navoi__number_query q;
        number_query(root, &q);
        rc = navoi__req_query_invoice_data(&e, &q, out);
    } else if (strcmp(name, "QueryInvoiceDigestRequest") == 0) {
        navoi_digest_query *q = NULL;
        digest_query(root, &q);
        rc = navoi__req_query_invoice_digest(&e, q, out);
        navoi_digest_query_free(q);
    } else if (strcmp(name, "QueryInvoiceChainDigestRequest") == 0) {
        const xmlNode *cq = child(root, NS_API, "invoiceChainQuery");
        rc = navoi__req_query_invoice_chain_digest(
            &e, ctext(cq, NS_API, "invoiceNumber"),
            direction(ctext(cq, NS_API, "invoiceDirection")), ctext(cq, NS_API, "taxNumber"),
            int_of(ctext(root, NS_API, "page")), out);
    } else if (strcmp(name, "QueryTaxpayerRequest") == 0) {
        rc = navoi__req_query_taxpayer(&e, ctext(root, NS_API, "taxNumber"), out);
    } else {
        ck_abort_msg("unexpected root %s", name);
        rc = -1;
    }
    ck_assert_int_eq(rc, NAVOI_OK);
}

START_TEST(sample_rebuilt)
{
    char rel[256], why[512] = "";
    size_t len;
    char *xml, *want_sig, *got_sig;
    xmlDocPtr want, got;
    navoi__buf b = NAVOI__BUF_INIT;

    snprintf(rel, sizeof rel, "samples/api/%s", samples[_i]);
    xml = nt_read_nav(rel, &len);
    rt_assert_valid(NAVOI__SCHEMA_API, xml, len);
    want = rt_parse(xml, len);
    rebuild(xmlDocGetRootElement(want), &b);
    rt_assert_valid(NAVOI__SCHEMA_API, b.data, b.len);
    got = rt_parse(b.data, b.len);

    want_sig = ctext(child(xmlDocGetRootElement(want), NS_COMMON, "user"), NS_COMMON,
                     "requestSignature");
    got_sig = ctext(child(xmlDocGetRootElement(got), NS_COMMON, "user"), NS_COMMON,
                    "requestSignature");
    ck_assert_ptr_nonnull(want_sig);
    ck_assert_ptr_nonnull(got_sig);
    ck_assert_str_eq(got_sig, want_sig);
    ck_assert_msg(rt_infoset_equal(xmlDocGetRootElement(want), xmlDocGetRootElement(got), why,
                                   sizeof why),
                  "%s: %s", samples[_i], why);
    xmlFreeDoc(want);
    xmlFreeDoc(got);
    navoi__buf_free(&b);
    free(xml);
    release_all();
}
END_TEST

/* The infoset comparison itself must notice a difference. */
START_TEST(comparison_detects_difference)
{
    const char *a = "<r xmlns='urn:a' xmlns:c='urn:c'><c:x k='1'>t</c:x><!--c--> <y/></r>";
    const char *same = "<p:r xmlns:p='urn:a'><x k='1' xmlns='urn:c'>t</x><p:y></p:y></p:r>";
    const char *diffs[] = {
        "<r xmlns='urn:a' xmlns:c='urn:c'><c:x k='2'>t</c:x><y/></r>",
        "<r xmlns='urn:a' xmlns:c='urn:c'><c:x k='1'>u</c:x><y/></r>",
        "<r xmlns='urn:a' xmlns:c='urn:c'><x k='1'>t</x><y/></r>",
        "<r xmlns='urn:a' xmlns:c='urn:c'><y/><c:x k='1'>t</c:x></r>",
        "<r xmlns='urn:a' xmlns:c='urn:c'><c:x k='1'>t</c:x><y/><z/></r>",
        "<r xmlns='urn:a' xmlns:c='urn:c'><c:x>t</c:x><y/></r>",
    };
    char why[256];
    xmlDocPtr da = rt_parse(a, strlen(a)), db = rt_parse(same, strlen(same));
    size_t i;

    ck_assert(rt_infoset_equal(xmlDocGetRootElement(da), xmlDocGetRootElement(db), why,
                               sizeof why));
    xmlFreeDoc(db);
    for (i = 0; i < sizeof diffs / sizeof diffs[0]; i++) {
        db = rt_parse(diffs[i], strlen(diffs[i]));
        ck_assert_msg(!rt_infoset_equal(xmlDocGetRootElement(da), xmlDocGetRootElement(db), why,
                                        sizeof why),
                      "case %zu", i);
        xmlFreeDoc(db);
    }
    xmlFreeDoc(da);
}
END_TEST

static Suite *samples_suite(void)
{
    Suite *s = suite_create("samples");
    TCase *tc = tcase_create("api_samples");

    tcase_add_unchecked_fixture(tc, rt_load_schemas, rt_free_schemas);
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, sample_rebuilt, 0, (int)(sizeof samples / sizeof samples[0]));
    tcase_add_test(tc, comparison_detects_difference);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    int rc = nt_run(samples_suite());
    xmlCleanupParser();
    return rc;
}
