/* test_e2e_flow.c - the navoi client against navoi-sim over real HTTP
 * (issue 3): tokenExchange, manageInvoice of NAV's data samples (several
 * per request, plain and gzip), polling to DONE, and every query answering
 * from what was submitted; the technical annulment with its approval; and
 * the business outcomes that end ABORTED (duplicate number, MODIFY of an
 * unknown original, schema-invalid payload).
 *
 * Expected values (invoice numbers, issue dates, line numbers, taxpayer
 * data) are read off NAV's sample files and the simulator configuration,
 * never taken from navoi's own output. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <check.h>
#include <openssl/evp.h>

#include "e2e.h"
#include "testutil.h"

#define DATA "samples/data/"

/* Three invoices per request; all but Belfoldi_vegszamla were issued
 * 2021-05-15 (their <invoiceIssueDate>). */
static const struct sample {
    const char *file, *number, *issue_date;
} k_plain[3] = {
    {DATA "Belfoldi_termekertekesites.xml", "2021/000123", "2021-05-15"},
    {DATA "Eredeti_szamla_modositasokhoz.xml", "ZZZ000001", "2021-05-15"},
    {DATA "Gyujtoszamla_1.xml", "2021/00235", "2021-05-15"},
},
  k_gzip[3] = {
    {DATA "Belfoldi_egyszerusitett_szamla.xml", "EGY0001", "2021-05-15"},
    {DATA "Termekdijas_szamla.xml", "201900099", "2021-05-15"},
    {DATA "Belfoldi_vegszamla.xml", "AAA000568", "2021-06-01"},
};

#define INBOUND_FIXTURE "e2e/inbound-from-12345676.xml"

typedef struct fixture {
    sim_server *s;
    navoi_client *c;
    navoi_txn *plain, *gzip;
    int64_t from_ms; /* server time before the first request */
} fixture;

/* Submits one request of three samples and polls it to the end. */
static navoi_txn *submit3(navoi_client *c, const struct sample *smp, unsigned flags)
{
    navoi_invoice *inv[3];
    navoi_txn *t = NULL;
    size_t i;
    for (i = 0; i < 3; i++) {
        inv[i] = e2e_nav_invoice(c, smp[i].file, NAVOI_OP_CREATE);
        ck_assert_str_eq(navoi_invoice_number(inv[i]), smp[i].number);
        ck_assert_str_eq(navoi_invoice_issue_date(inv[i]), smp[i].issue_date);
    }
    e2e_ok(c, navoi_manage_invoice(c, inv, 3, flags, &t));
    ck_assert_ptr_nonnull(t);
    /* PROTOCOL.md 5.1: [+a-zA-Z0-9_]{1,30} */
    ck_assert_uint_gt(strlen(navoi_txn_id(t)), 0);
    ck_assert_uint_le(strlen(navoi_txn_id(t)), 30);
    ck_assert_uint_gt(strlen(navoi_txn_request_id(t)), 0);
    for (i = 0; i < 3; i++)
        navoi_invoice_free(inv[i]);
    e2e_wait_final(c, t, 0);
    ck_assert_uint_eq(navoi_txn_item_count(t), 3);
    for (i = 0; i < 3; i++) {
        ck_assert_int_eq(navoi_txn_item_index(t, i), (int32_t)i + 1);
        e2e_assert_done_clean(t, i, smp[i].file);
    }
    return t;
}

static void fixture_up(fixture *f, const char *settings)
{
    memset(f, 0, sizeof *f);
    f->s = e2e_sim_start(settings);
    f->c = e2e_client(f->s, &e2e_seller, 1);
    f->from_ms = sim_now_ms(f->s) - 60000;
    f->plain = submit3(f->c, k_plain, 0);
    f->gzip = submit3(f->c, k_gzip, NAVOI_MANAGE_COMPRESS);
}

static void fixture_down(fixture *f)
{
    navoi_txn_free(f->plain);
    navoi_txn_free(f->gzip);
    ck_assert_int_eq(sim_selfcheck_failures(f->s), 0);
    e2e_client_free(f->c);
    sim_free(f->s);
    /* the secret scan saw the client's most verbose output */
    ck_assert_uint_gt(e2e_log_lines(), 0);
    ck_assert_int_ge(e2e_log_max_level(), NAVOI_LOG_DEBUG);
}

static void assert_original(const navoi_txn *t, size_t i, const char *file)
{
    size_t want_len = 0, got_len = 0;
    char *want = nt_read_nav(file, &want_len);
    const char *got = navoi_txn_item_original(t, i, &got_len);
    ck_assert_msg(got != NULL, "%s: no originalRequest", file);
    ck_assert_uint_eq(got_len, want_len);
    ck_assert_msg(memcmp(got, want, want_len) == 0, "%s: original differs from the sent bytes",
                  file);
    free(want);
}

/* ---- 1. manageInvoice to DONE, queryTransactionStatus ---- */

START_TEST(manage_to_done_and_originals)
{
    fixture f;
    sim_server *s = e2e_sim_start(NULL);
    navoi_client *c = e2e_client(s, &e2e_seller, 1);
    navoi_txn *t = NULL;
    int64_t valid_to = 0, before = sim_now_ms(s);
    sim_ledger_entry e;
    size_t i;

    /* tokenExchange alone: tokenValidityTo is the server's issue time plus
     * tokenTtl (300 s), and the issue time lies between two readings of
     * the server clock */
    e2e_ok(c, navoi_token_exchange(c, &valid_to));
    ck_assert_int_ge(valid_to, before + 300000);
    ck_assert_int_le(valid_to, sim_now_ms(s) + 300000);
    ck_assert_int_eq(sim_request_count(s, "tokenExchange"), 1);
    e2e_client_free(c);
    sim_free(s);

    fixture_up(&f, NULL);
    /* every manage request fetched a token of its own (single use) */
    ck_assert_int_eq(sim_request_count(f.s, "tokenExchange"), 2);
    ck_assert_int_eq(sim_request_count(f.s, "manageInvoice"), 2);
    ck_assert_str_ne(navoi_txn_id(f.plain), navoi_txn_id(f.gzip));
    for (i = 0; i < 3; i++) {
        sim_ledger_get(f.s, "99999999", k_plain[i].number, &e);
        ck_assert_int_eq(e.accepted, 1);
        sim_ledger_get(f.s, "99999999", k_gzip[i].number, &e);
        ck_assert_int_eq(e.accepted, 1);
    }
    ck_assert_str_eq(navoi_txn_original_request_version(f.plain), "3.0");

    /* a poll without the flag carries no originals ... */
    ck_assert_ptr_null(navoi_txn_item_original(f.plain, 0, NULL));
    /* ... with it, each item is exactly the sent invoice; for the gzip
     * request after decompression */
    e2e_ok(f.c, navoi_txn_poll(f.c, f.plain, NAVOI_STATUS_RETURN_ORIGINAL));
    e2e_ok(f.c, navoi_query_transaction_status(f.c, navoi_txn_id(f.gzip),
                                               NAVOI_STATUS_RETURN_ORIGINAL, &t));
    ck_assert_uint_eq(navoi_txn_item_count(t), 3);
    ck_assert(navoi_txn_is_final(t));
    for (i = 0; i < 3; i++) {
        assert_original(f.plain, i, k_plain[i].file);
        assert_original(t, i, k_gzip[i].file);
        ck_assert_int_eq(navoi_txn_item_status(t, i), NAVOI_STATUS_DONE);
    }
    navoi_txn_free(t);

    /* an id NAV does not know: OK and no items (PROTOCOL.md 5.3) */
    e2e_ok(f.c, navoi_query_transaction_status(f.c, "UNKNOWN0TXN00001", 0, &t));
    ck_assert_uint_eq(navoi_txn_item_count(t), 0);
    ck_assert(!navoi_txn_is_final(t));
    navoi_txn_free(t);
    fixture_down(&f);
}
END_TEST

/* ---- queryTransactionList with paging ---- */

START_TEST(transaction_list_paging)
{
    fixture f;
    navoi_invoice *inv;
    navoi_txn *third = NULL;
    navoi_result *r = NULL;
    char *ids[8] = {0};
    size_t n, i, k;
    int found[3] = {0, 0, 0};

    /* pageSize 2 with three transactions: two pages */
    fixture_up(&f, "pageSize = 2\n");
    inv = e2e_nav_invoice(f.c, DATA "Gyujtoszamla_2.xml", NAVOI_OP_CREATE);
    e2e_ok(f.c, navoi_manage_invoice(f.c, &inv, 1, 0, &third));
    navoi_invoice_free(inv);
    e2e_wait_final(f.c, third, 0);

    e2e_ok(f.c, navoi_query_transaction_list(f.c, f.from_ms, sim_now_ms(f.s) + 60000, 1, NULL,
                                             &r));
    ck_assert_str_eq(navoi_result_meta(r, "currentPage"), "1");
    ck_assert_str_eq(navoi_result_meta(r, "availablePage"), "2");
    ck_assert_uint_eq(navoi_result_count(r), 2);
    navoi_result_free(r);
    e2e_ok(f.c, navoi_query_transaction_list(f.c, f.from_ms, sim_now_ms(f.s) + 60000, 2, NULL,
                                             &r));
    ck_assert_str_eq(navoi_result_meta(r, "currentPage"), "2");
    ck_assert_uint_eq(navoi_result_count(r), 1);
    navoi_result_free(r);

    n = e2e_list_transactions(f.c, f.from_ms, sim_now_ms(f.s) + 60000, 3, ids, 8);
    ck_assert_uint_eq(n, 3);
    for (i = 0; i < n; i++) {
        const navoi_txn *mine[3] = {f.plain, f.gzip, third};
        for (k = 0; k < 3; k++)
            if (!strcmp(ids[i], navoi_txn_id(mine[k])))
                found[k]++;
        free(ids[i]);
    }
    ck_assert_int_eq(found[0], 1);
    ck_assert_int_eq(found[1], 1);
    ck_assert_int_eq(found[2], 1);

    /* record fields of the first page: every transaction was polled to its
     * final result, so NAV's requestStatus is NOTIFIED (PROTOCOL.md 6.2) */
    e2e_ok(f.c, navoi_query_transaction_list(f.c, f.from_ms, sim_now_ms(f.s) + 60000, 1,
                                             "NOTIFIED", &r));
    ck_assert_str_eq(navoi_result_meta(r, "availablePage"), "2");
    for (i = 0; i < navoi_result_count(r); i++) {
        const char *id = navoi_result_get(r, i, "transactionId");
        const char *want_items = !strcmp(id, navoi_txn_id(third)) ? "1" : "3";
        ck_assert_str_eq(navoi_result_get(r, i, "requestStatus"), "NOTIFIED");
        ck_assert_str_eq(navoi_result_get(r, i, "itemCount"), want_items);
        ck_assert_str_eq(navoi_result_get(r, i, "technicalAnnulment"), "false");
        ck_assert_str_eq(navoi_result_get(r, i, "insCusUser"), e2e_seller.login);
        ck_assert_ptr_nonnull(navoi_result_get(r, i, "insDate"));
    }
    navoi_result_free(r);
    /* a filter nothing matches */
    e2e_ok(f.c, navoi_query_transaction_list(f.c, f.from_ms, sim_now_ms(f.s) + 60000, 1,
                                             "RECEIVED", &r));
    ck_assert_uint_eq(navoi_result_count(r), 0);
    ck_assert_str_eq(navoi_result_meta(r, "availablePage"), "0");
    navoi_result_free(r);
    navoi_txn_free(third);
    fixture_down(&f);
}
END_TEST

/* ---- queryInvoiceCheck, queryInvoiceData ---- */

static void assert_content(navoi_client *c, const char *number, int dir, const char *supplier,
                           const char *file, int nav_file, const char *compressed,
                           const navoi_txn *t)
{
    navoi_result *r = NULL;
    size_t want_len = 0, got_len = 0;
    char *want;
    const char *got;
    e2e_ok(c, navoi_query_invoice_data(c, number, dir, 0, supplier, &r));
    ck_assert_uint_eq(navoi_result_count(r), 1);
    if (nav_file) {
        want = nt_read_nav(file, &want_len);
    } else {
        char *p = nt_data_path(file);
        want = nt_read_file(p, &want_len);
        free(p);
    }
    got = navoi_result_content(r, &got_len);
    ck_assert_ptr_nonnull(got);
    ck_assert_uint_eq(got_len, want_len);
    ck_assert_msg(memcmp(got, want, want_len) == 0, "%s: content differs from the invoice", number);
    ck_assert_str_eq(navoi_result_get(r, 0, "compressedContentIndicator"), compressed);
    ck_assert_ptr_nonnull(navoi_result_get(r, 0, "auditData/insdate"));
    if (t)
        ck_assert_str_eq(navoi_result_get(r, 0, "auditData/transactionId"), navoi_txn_id(t));
    free(want);
    navoi_result_free(r);
}

START_TEST(invoice_check_and_data)
{
    fixture f;
    navoi_client *buyer;
    navoi_result *r = NULL;
    int exists = -1;
    size_t i;
    char err[256], *xml;
    size_t len;

    fixture_up(&f, NULL);
    for (i = 0; i < 3; i++) {
        e2e_ok(f.c, navoi_query_invoice_check(f.c, k_plain[i].number, NAVOI_OUTBOUND, 0, NULL,
                                              &exists));
        ck_assert_int_eq(exists, 1);
        e2e_ok(f.c, navoi_query_invoice_check(f.c, k_gzip[i].number, NAVOI_OUTBOUND, 0, NULL,
                                              &exists));
        ck_assert_int_eq(exists, 1);
        /* plain requests come back plain, gzip ones gzip (PROTOCOL.md 1.4);
         * navoi decodes both to the exact bytes sent */
        assert_content(f.c, k_plain[i].number, NAVOI_OUTBOUND, NULL, k_plain[i].file, 1, "false",
                       f.plain);
        assert_content(f.c, k_gzip[i].number, NAVOI_OUTBOUND, NULL, k_gzip[i].file, 1, "true",
                       f.gzip);
    }
    /* a number never reported, and the seller's own invoice seen from the
     * customer side: not visible */
    e2e_ok(f.c, navoi_query_invoice_check(f.c, "NOT-REPORTED-1", NAVOI_OUTBOUND, 0, NULL, &exists));
    ck_assert_int_eq(exists, 0);
    e2e_ok(f.c, navoi_query_invoice_check(f.c, "ZZZ000001", NAVOI_INBOUND, 0, NULL, &exists));
    ck_assert_int_eq(exists, 0);
    e2e_ok(f.c, navoi_query_invoice_data(f.c, "NOT-REPORTED-1", NAVOI_OUTBOUND, 0, NULL, &r));
    ck_assert_uint_eq(navoi_result_count(r), 0);
    ck_assert_ptr_null(navoi_result_content(r, NULL));
    navoi_result_free(r);

    /* the customer of the samples (99887764) sees them as INBOUND */
    buyer = e2e_client(f.s, &e2e_buyer, 0);
    e2e_ok(buyer, navoi_query_invoice_check(buyer, "ZZZ000001", NAVOI_INBOUND, 0, "99999999",
                                            &exists));
    ck_assert_int_eq(exists, 1);
    assert_content(buyer, "EGY0001", NAVOI_INBOUND, "99999999", k_gzip[0].file, 1, "true",
                   f.gzip);
    e2e_client_free(buyer);

    /* an invoice of another supplier to 99999999, seeded into the ledger */
    {
        char *p = nt_data_path(INBOUND_FIXTURE);
        xml = nt_read_file(p, &len);
        free(p);
    }
    ck_assert_msg(sim_seed_invoice(f.s, xml, len, err, sizeof err) == 0, "seed: %s", err);
    free(xml);
    e2e_ok(f.c, navoi_query_invoice_check(f.c, "E2E-IN-0001", NAVOI_INBOUND, 0, "12345676",
                                          &exists));
    ck_assert_int_eq(exists, 1);
    e2e_ok(f.c, navoi_query_invoice_check(f.c, "E2E-IN-0001", NAVOI_OUTBOUND, 0, NULL, &exists));
    ck_assert_int_eq(exists, 0);
    assert_content(f.c, "E2E-IN-0001", NAVOI_INBOUND, "12345676", INBOUND_FIXTURE, 0, "false",
                   NULL);
    fixture_down(&f);
}
END_TEST

/* ---- queryInvoiceDigest ---- */

/* Collects the invoiceNumbers of every page; checks the paging meta. */
static size_t digest_all(navoi_client *c, navoi_digest_query *q, int page_size, char **numbers,
                         size_t max, navoi_result **first_out)
{
    int32_t page = 1, pages = 1;
    size_t n = 0;
    while (page <= pages) {
        navoi_result *r = NULL;
        char cur[16];
        size_t i;
        e2e_ok(c, navoi_digest_query_set_page(q, page));
        e2e_ok(c, navoi_query_invoice_digest(c, q, &r));
        snprintf(cur, sizeof cur, "%d", (int)page);
        ck_assert_str_eq(navoi_result_meta(r, "currentPage"), cur);
        pages = (int32_t)atoi(navoi_result_meta(r, "availablePage"));
        ck_assert_uint_le(navoi_result_count(r), (size_t)page_size);
        if (page < pages)
            ck_assert_uint_eq(navoi_result_count(r), (size_t)page_size);
        for (i = 0; i < navoi_result_count(r); i++) {
            ck_assert_uint_lt(n, max);
            numbers[n++] = strdup(navoi_result_get(r, i, "invoiceNumber"));
        }
        if (page == 1 && first_out)
            *first_out = r;
        else
            navoi_result_free(r);
        page++;
    }
    return n;
}

static int has(char **v, size_t n, const char *s)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (!strcmp(v[i], s))
            return 1;
    return 0;
}

START_TEST(invoice_digest)
{
    fixture f;
    navoi_digest_query *q = NULL;
    navoi_result *first = NULL;
    char *nums[16], err[256], *xml, *p;
    size_t n, i, len;

    fixture_up(&f, "pageSize = 2\n");
    /* OUTBOUND by issue date: the five samples issued 2021-05-15, over
     * three pages of two */
    ck_assert_int_eq(navoi_digest_query_new(&q, NAVOI_OUTBOUND, 1), NAVOI_OK);
    ck_assert_int_eq(navoi_digest_query_set_issue_date(q, "2021-05-15", "2021-05-15"), NAVOI_OK);
    n = digest_all(f.c, q, 2, nums, 16, &first);
    ck_assert_uint_eq(n, 5);
    ck_assert_str_eq(navoi_result_meta(first, "availablePage"), "3");
    for (i = 0; i < 3; i++) {
        ck_assert(has(nums, n, k_plain[i].number));
        if (strcmp(k_gzip[i].issue_date, "2021-05-15") == 0)
            ck_assert(has(nums, n, k_gzip[i].number));
    }
    ck_assert(!has(nums, n, "AAA000568")); /* issued 2021-06-01 */
    for (i = 0; i < navoi_result_count(first); i++) {
        ck_assert_str_eq(navoi_result_get(first, i, "supplierTaxNumber"), "99999999");
        ck_assert_str_eq(navoi_result_get(first, i, "invoiceOperation"), "CREATE");
        ck_assert_str_eq(navoi_result_get(first, i, "invoiceIssueDate"), "2021-05-15");
    }
    navoi_result_free(first);
    first = NULL;
    for (i = 0; i < n; i++)
        free(nums[i]);
    /* the whole range: all six */
    ck_assert_int_eq(navoi_digest_query_set_issue_date(q, "2021-05-01", "2021-06-05"), NAVOI_OK);
    n = digest_all(f.c, q, 2, nums, 16, NULL);
    ck_assert_uint_eq(n, 6);
    for (i = 0; i < n; i++)
        free(nums[i]);
    /* an additional criterion: the customer's tax number */
    ck_assert_int_eq(navoi_digest_query_set_param(q, "taxNumber", "12345676"), NAVOI_OK);
    n = digest_all(f.c, q, 2, nums, 16, &first);
    ck_assert_uint_eq(n, 0);
    ck_assert_str_eq(navoi_result_meta(first, "availablePage"), "0");
    navoi_result_free(first);
    first = NULL;
    navoi_digest_query_free(q);

    /* INBOUND: nothing until another supplier's invoice to 99999999 is in
     * the ledger */
    ck_assert_int_eq(navoi_digest_query_new(&q, NAVOI_INBOUND, 1), NAVOI_OK);
    ck_assert_int_eq(navoi_digest_query_set_issue_date(q, "2026-11-01", "2026-11-30"), NAVOI_OK);
    n = digest_all(f.c, q, 2, nums, 16, NULL);
    ck_assert_uint_eq(n, 0);
    p = nt_data_path(INBOUND_FIXTURE);
    xml = nt_read_file(p, &len);
    free(p);
    ck_assert_msg(sim_seed_invoice(f.s, xml, len, err, sizeof err) == 0, "seed: %s", err);
    free(xml);
    n = digest_all(f.c, q, 2, nums, 16, &first);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(nums[0], "E2E-IN-0001");
    free(nums[0]);
    ck_assert_str_eq(navoi_result_get(first, 0, "supplierTaxNumber"), "12345676");
    ck_assert_str_eq(navoi_result_get(first, 0, "customerTaxNumber"), "99999999");
    ck_assert_str_eq(navoi_result_get(first, 0, "invoiceIssueDate"), "2026-11-02");
    ck_assert_str_eq(navoi_result_get(first, 0, "invoiceNetAmount"), "616000");
    navoi_result_free(first);
    navoi_digest_query_free(q);

    /* by insert date: everything this test submitted */
    ck_assert_int_eq(navoi_digest_query_new(&q, NAVOI_OUTBOUND, 1), NAVOI_OK);
    ck_assert_int_eq(navoi_digest_query_set_ins_date(q, f.from_ms, sim_now_ms(f.s) + 60000),
                     NAVOI_OK);
    n = digest_all(f.c, q, 2, nums, 16, NULL);
    ck_assert_uint_eq(n, 6);
    for (i = 0; i < n; i++)
        free(nums[i]);
    /* by transaction: the gzip request's three */
    ck_assert_int_eq(navoi_digest_query_set_transaction(q, navoi_txn_id(f.gzip), 0, 0), NAVOI_OK);
    n = digest_all(f.c, q, 2, nums, 16, NULL);
    ck_assert_uint_eq(n, 3);
    for (i = 0; i < 3; i++)
        ck_assert(has(nums, n, k_gzip[i].number));
    for (i = 0; i < n; i++)
        free(nums[i]);
    navoi_digest_query_free(q);
    fixture_down(&f);
}
END_TEST

/* ---- queryInvoiceChainDigest after MODIFY ---- */

START_TEST(chain_digest_after_modify)
{
    fixture f;
    navoi_invoice *inv;
    navoi_txn *t = NULL;
    navoi_result *r = NULL;
    int seen_base = 0, seen_m1 = 0, seen_m2 = 0;
    int32_t page;

    fixture_up(&f, "pageSize = 2\n");
    /* ZZZ000009 amends ZZZ000001 (modificationIndex 1) and creates line 6
     * of the chain (lineNumberReference 6); ZZZ000015 is modificationIndex
     * 2 without lines, so it goes as MODIFY (PROTOCOL.md 10) */
    inv = e2e_nav_invoice(f.c, DATA "Tobbszoros_modositas_1.xml", NAVOI_OP_MODIFY);
    e2e_ok(f.c, navoi_manage_invoice(f.c, &inv, 1, 0, &t));
    navoi_invoice_free(inv);
    e2e_wait_final(f.c, t, 0);
    e2e_assert_done_clean(t, 0, "Tobbszoros_modositas_1.xml");
    navoi_txn_free(t);
    inv = e2e_nav_invoice(f.c, DATA "Tobbszoros_modositas_2.xml", NAVOI_OP_MODIFY);
    e2e_ok(f.c, navoi_manage_invoice(f.c, &inv, 1, NAVOI_MANAGE_COMPRESS, &t));
    navoi_invoice_free(inv);
    e2e_wait_final(f.c, t, 0);
    e2e_assert_done_clean(t, 0, "Tobbszoros_modositas_2.xml");
    navoi_txn_free(t);

    for (page = 1; page <= 2; page++) {
        size_t i;
        e2e_ok(f.c, navoi_query_invoice_chain_digest(f.c, "ZZZ000001", NAVOI_OUTBOUND, NULL, page,
                                                     &r));
        ck_assert_str_eq(navoi_result_meta(r, "availablePage"), "2");
        ck_assert_uint_eq(navoi_result_count(r), page == 1 ? 2 : 1);
        for (i = 0; i < navoi_result_count(r); i++) {
            const char *num = navoi_result_get(r, i, "invoiceChainDigest/invoiceNumber");
            ck_assert_ptr_nonnull(num);
            ck_assert_str_eq(navoi_result_get(r, i, "invoiceChainDigest/supplierTaxNumber"),
                             "99999999");
            if (!strcmp(num, "ZZZ000001")) {
                seen_base++;
                ck_assert_str_eq(navoi_result_get(r, i, "invoiceChainDigest/invoiceOperation"),
                                 "CREATE");
                /* the base invoice has lines 1..5 */
                ck_assert_str_eq(navoi_result_get(r, i, "invoiceLines/maxLineNumber"), "5");
                ck_assert_ptr_null(
                    navoi_result_get(r, i, "invoiceReferenceData/originalInvoiceNumber"));
            } else if (!strcmp(num, "ZZZ000009")) {
                seen_m1++;
                ck_assert_str_eq(navoi_result_get(r, i, "invoiceChainDigest/invoiceOperation"),
                                 "MODIFY");
                ck_assert_str_eq(
                    navoi_result_get(r, i, "invoiceReferenceData/originalInvoiceNumber"),
                    "ZZZ000001");
                ck_assert_str_eq(navoi_result_get(r, i, "invoiceReferenceData/modificationIndex"),
                                 "1");
                ck_assert_str_eq(
                    navoi_result_get(r, i,
                                     "invoiceLines/newCreatedLines[1]/lineNumberIntervalStart"),
                    "6");
                ck_assert_str_eq(
                    navoi_result_get(r, i, "invoiceLines/newCreatedLines[1]/lineNumberIntervalEnd"),
                    "6");
            } else if (!strcmp(num, "ZZZ000015")) {
                seen_m2++;
                ck_assert_str_eq(navoi_result_get(r, i, "invoiceReferenceData/modificationIndex"),
                                 "2");
                ck_assert_ptr_null(navoi_result_get(r, i, "invoiceLines/maxLineNumber"));
            } else {
                ck_abort_msg("unexpected chain element %s", num);
            }
        }
        navoi_result_free(r);
    }
    ck_assert_int_eq(seen_base, 1);
    ck_assert_int_eq(seen_m1, 1);
    ck_assert_int_eq(seen_m2, 1);

    /* a base number without a chain: an empty answer */
    e2e_ok(f.c, navoi_query_invoice_chain_digest(f.c, "NOT-REPORTED-1", NAVOI_OUTBOUND, NULL, 1,
                                                 &r));
    ck_assert_uint_eq(navoi_result_count(r), 0);
    ck_assert_str_eq(navoi_result_meta(r, "availablePage"), "0");
    navoi_result_free(r);
    fixture_down(&f);
}
END_TEST

/* ---- queryTaxpayer ---- */

START_TEST(taxpayer_known_unknown)
{
    sim_server *s = e2e_sim_start(NULL);
    navoi_client *c = e2e_client(s, &e2e_seller, 1);
    navoi_result *r = NULL;

    /* configured as in NAV's samples' customer block */
    e2e_ok(c, navoi_query_taxpayer(c, "99887764", &r));
    ck_assert_str_eq(navoi_result_meta(r, "taxpayerValidity"), "true");
    ck_assert_ptr_nonnull(navoi_result_meta(r, "infoDate"));
    ck_assert_uint_eq(navoi_result_count(r), 1);
    ck_assert_str_eq(navoi_result_get(r, 0, "taxpayerName"), "Beszerző Kft");
    ck_assert_str_eq(navoi_result_get(r, 0, "taxNumberDetail/taxpayerId"), "99887764");
    ck_assert_str_eq(navoi_result_get(r, 0, "taxNumberDetail/vatCode"), "2");
    ck_assert_str_eq(navoi_result_get(r, 0, "taxNumberDetail/countyCode"), "02");
    ck_assert_str_eq(navoi_result_get(r, 0, "incorporation"), "ORGANIZATION");
    ck_assert_str_eq(
        navoi_result_get(r, 0, "taxpayerAddressList/taxpayerAddressItem[1]/taxpayerAddress/city"),
        "Pécs");
    ck_assert_str_eq(
        navoi_result_get(r, 0, "taxpayerAddressList/taxpayerAddressItem[1]/taxpayerAddressType"),
        "HQ");
    navoi_result_free(r);

    /* the 11-digit form selects the same taxpayer */
    e2e_ok(c, navoi_query_taxpayer(c, "99887764-2-02", &r));
    ck_assert_uint_eq(navoi_result_count(r), 1);
    navoi_result_free(r);

    /* unknown: taxpayerValidity false, no data (PROTOCOL.md 5.9) */
    e2e_ok(c, navoi_query_taxpayer(c, "10000000", &r));
    ck_assert_str_eq(navoi_result_meta(r, "taxpayerValidity"), "false");
    ck_assert_uint_eq(navoi_result_count(r), 0);
    navoi_result_free(r);
    ck_assert_int_eq(sim_request_count(s, "queryTaxpayer"), 3);
    ck_assert_int_eq(sim_selfcheck_failures(s), 0);
    e2e_client_free(c);
    sim_free(s);
}
END_TEST

/* ---- manageAnnulment and its approval ---- */

/* "YYYY-MM-DDThh:mm:ss[.fff]Z" to ms since the epoch, computed here with
 * timegm, independently of navoi's time code; asserts on other forms. */
static int64_t utc_ms(const char *ts)
{
    struct tm tm;
    int ms = 0, n = 0;
    char z = 0;
    memset(&tm, 0, sizeof tm);
    ck_assert_msg(sscanf(ts, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                         &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) == 6,
                  "not a timestamp: %s", ts);
    if (ts[n] == '.') {
        int k = n + 1, scale = 100;
        for (; ts[k] >= '0' && ts[k] <= '9'; k++, scale /= 10)
            ms += (ts[k] - '0') * scale;
        n = k;
    }
    z = ts[n];
    ck_assert_msg(z == 'Z' && ts[n + 1] == '\0', "not UTC: %s", ts);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (int64_t)timegm(&tm) * 1000 + ms;
}

START_TEST(annulment_approved)
{
    fixture f;
    navoi_txn *a = NULL, *t = NULL;
    navoi_invoice *inv;
    const char *refs[1] = {"EGY0001"};
    const int codes[1] = {NAVOI_ANNUL_ERRATIC_DATA};
    const char *reasons[1] = {"e2e: reported with wrong data"};
    const char *date = NULL, *user = NULL;
    sim_ledger_entry e;
    int exists = -1;
    int64_t before, after;

    fixture_up(&f, NULL);
    e2e_ok(f.c, navoi_manage_annulment(f.c, refs, codes, reasons, 1, &a));
    ck_assert_int_eq(sim_request_count(f.s, "manageAnnulment"), 1);
    e2e_wait_final(f.c, a, 0);
    ck_assert_uint_eq(navoi_txn_item_count(a), 1);
    e2e_assert_done_clean(a, 0, "annulment");
    /* waits for a primary user on NAV's web UI (PROTOCOL.md 5.2) */
    ck_assert_str_eq(navoi_txn_annulment_status(a), "VERIFICATION_PENDING");
    ck_assert_int_eq(navoi_txn_annulment_decision(a, &date, &user), NAVOI_ENOTFOUND);
    ck_assert_str_eq(date, "");
    ck_assert_str_eq(user, "");
    /* still valid while pending */
    e2e_ok(f.c, navoi_query_invoice_check(f.c, "EGY0001", NAVOI_OUTBOUND, 0, NULL, &exists));
    ck_assert_int_eq(exists, 1);

    before = sim_now_ms(f.s);
    ck_assert_int_eq(sim_annulment_decide(f.s, navoi_txn_id(a), 1, "approver01"), 0);
    after = sim_now_ms(f.s);
    e2e_ok(f.c, navoi_txn_poll(f.c, a, 0));
    ck_assert_str_eq(navoi_txn_annulment_status(a), "VERIFICATION_DONE");
    ck_assert_int_eq(navoi_txn_annulment_decision(a, &date, &user), NAVOI_OK);
    ck_assert_str_eq(user, "approver01");
    /* annulmentDecisionDate: the server's UTC time of the decision */
    {
        int64_t ms = utc_ms(date);
        ck_assert_msg(ms >= before - 999 && ms <= after, "decision date %s", date);
    }

    /* the annulled report is gone and its number free again */
    sim_ledger_get(f.s, "99999999", "EGY0001", &e);
    ck_assert_int_eq(e.annulled, 1);
    e2e_ok(f.c, navoi_query_invoice_check(f.c, "EGY0001", NAVOI_OUTBOUND, 0, NULL, &exists));
    ck_assert_int_eq(exists, 0);
    inv = e2e_nav_invoice(f.c, k_gzip[0].file, NAVOI_OP_CREATE);
    e2e_ok(f.c, navoi_manage_invoice(f.c, &inv, 1, 0, &t));
    navoi_invoice_free(inv);
    e2e_wait_final(f.c, t, 0);
    e2e_assert_done_clean(t, 0, "resubmission after annulment");
    navoi_txn_free(t);

    /* the annulment shows as technicalAnnulment in the list */
    {
        navoi_result *r = NULL;
        size_t i, seen = 0;
        e2e_ok(f.c, navoi_query_transaction_list(f.c, f.from_ms, sim_now_ms(f.s) + 60000, 1, NULL,
                                                 &r));
        for (i = 0; i < navoi_result_count(r); i++)
            if (!strcmp(navoi_result_get(r, i, "transactionId"), navoi_txn_id(a))) {
                ck_assert_str_eq(navoi_result_get(r, i, "technicalAnnulment"), "true");
                seen++;
            }
        ck_assert_uint_eq(seen, 1);
        navoi_result_free(r);
    }
    navoi_txn_free(a);
    fixture_down(&f);
}
END_TEST

START_TEST(annulment_rejected_and_unknown)
{
    fixture f;
    navoi_txn *a = NULL;
    const char *refs[2] = {"2021/00235", "NOT-REPORTED-1"};
    const int codes[2] = {NAVOI_ANNUL_ERRATIC_INVOICE_NUMBER, NAVOI_ANNUL_ERRATIC_DATA};
    const char *reasons[2] = {"e2e", "e2e"};
    const char *date = NULL, *user = NULL;
    int exists = -1;

    fixture_up(&f, NULL);
    /* one unknown reference makes the whole request NOT_VERIFIABLE */
    e2e_ok(f.c, navoi_manage_annulment(f.c, refs, codes, reasons, 2, &a));
    e2e_wait_final(f.c, a, 0);
    ck_assert_uint_eq(navoi_txn_item_count(a), 2);
    ck_assert_int_eq(navoi_txn_item_status(a, 1), NAVOI_STATUS_ABORTED);
    ck_assert(e2e_txn_has_code(a, 1, "INVALID_ANNULMENT_REFERENCE"));
    ck_assert_str_eq(navoi_txn_annulment_status(a), "NOT_VERIFIABLE");
    navoi_txn_free(a);

    /* rejected: nothing changes */
    e2e_ok(f.c, navoi_manage_annulment(f.c, refs, codes, reasons, 1, &a));
    e2e_wait_final(f.c, a, 0);
    ck_assert_str_eq(navoi_txn_annulment_status(a), "VERIFICATION_PENDING");
    ck_assert_int_eq(sim_annulment_decide(f.s, navoi_txn_id(a), 0, "approver02"), 0);
    e2e_ok(f.c, navoi_txn_poll(f.c, a, 0));
    ck_assert_str_eq(navoi_txn_annulment_status(a), "VERIFICATION_REJECTED");
    ck_assert_int_eq(navoi_txn_annulment_decision(a, &date, &user), NAVOI_OK);
    ck_assert_str_eq(user, "approver02");
    e2e_ok(f.c, navoi_query_invoice_check(f.c, "2021/00235", NAVOI_OUTBOUND, 0, NULL, &exists));
    ck_assert_int_eq(exists, 1);
    navoi_txn_free(a);
    fixture_down(&f);
}
END_TEST

/* ---- 4. business outcomes that end ABORTED ---- */

static void assert_aborted_with(const navoi_txn *t, size_t i, const char *code, int kind)
{
    size_t k, n = navoi_txn_message_count(t, i);
    int seen = 0;
    ck_assert_int_eq(navoi_txn_item_status(t, i), NAVOI_STATUS_ABORTED);
    for (k = 0; k < n; k++) {
        int kd = 0, sev = 0;
        const char *mc = NULL, *text = NULL;
        ck_assert_int_eq(navoi_txn_message(t, i, k, &kd, &sev, &mc, &text), NAVOI_OK);
        ck_assert_ptr_nonnull(mc);
        ck_assert_ptr_nonnull(text);
        e2e_assert_no_secret(text, "validation message");
        if (!strcmp(mc, code)) {
            ck_assert_int_eq(kd, kind);
            ck_assert_int_eq(sev, NAVOI_SEVERITY_ERROR);
            ck_assert_uint_gt(strlen(text), 0);
            seen = 1;
        }
    }
    ck_assert_msg(seen, "item %zu has no %s", i, code);
    ck_assert_int_eq(navoi_txn_message(t, i, n, NULL, NULL, NULL, NULL), NAVOI_ENOTFOUND);
}

START_TEST(aborted_duplicate_number)
{
    fixture f;
    navoi_invoice *inv;
    navoi_txn *t = NULL;
    sim_ledger_entry e;

    fixture_up(&f, NULL);
    /* ZZZ000001 was reported by the plain request already (PROTOCOL.md 7.4) */
    inv = e2e_nav_invoice(f.c, k_plain[1].file, NAVOI_OP_CREATE);
    e2e_ok(f.c, navoi_manage_invoice(f.c, &inv, 1, 0, &t));
    navoi_invoice_free(inv);
    e2e_wait_final(f.c, t, 0);
    assert_aborted_with(t, 0, "INVOICE_NUMBER_NOT_UNIQUE", NAVOI_MSG_BUSINESS);
    navoi_txn_free(t);
    sim_ledger_get(f.s, "99999999", "ZZZ000001", &e);
    ck_assert_int_eq(e.accepted, 1);
    ck_assert_int_eq(e.submitted, 2);
    fixture_down(&f);
}
END_TEST

START_TEST(aborted_modify_unknown_original)
{
    sim_server *s = e2e_sim_start(NULL);
    navoi_client *c = e2e_client(s, &e2e_seller, 1);
    navoi_invoice *inv;
    navoi_txn *t = NULL;

    /* an empty ledger: ZZZ000009's original ZZZ000001 was never reported */
    inv = e2e_nav_invoice(c, DATA "Tobbszoros_modositas_1.xml", NAVOI_OP_MODIFY);
    e2e_ok(c, navoi_manage_invoice(c, &inv, 1, 0, &t));
    navoi_invoice_free(inv);
    e2e_wait_final(c, t, 0);
    assert_aborted_with(t, 0, "INVALID_INVOICE_REFERENCE", NAVOI_MSG_BUSINESS);
    navoi_txn_free(t);
    e2e_client_free(c);
    sim_free(s);
}
END_TEST

START_TEST(aborted_schema_invalid)
{
    sim_server *s = e2e_sim_start(NULL);
    /* no schema directory: the client cannot refuse the invoice itself */
    navoi_client *c = e2e_client(s, &e2e_seller, 0);
    navoi_invoice *inv = NULL;
    navoi_txn *t = NULL;
    size_t len;
    char *xml = nt_read_nav(k_plain[0].file, &len), *p;

    /* invoiceCategory is an enumeration (NORMAL|SIMPLIFIED|AGGREGATE) */
    p = strstr(xml, "<invoiceCategory>NORMAL</invoiceCategory>");
    ck_assert_ptr_nonnull(p);
    memcpy(p + strlen("<invoiceCategory>"), "BOGUS!", 6);
    e2e_ok(c, navoi_invoice_new(&inv, c, xml, len, NAVOI_OP_CREATE));
    free(xml);
    e2e_ok(c, navoi_manage_invoice(c, &inv, 1, NAVOI_MANAGE_COMPRESS, &t));
    navoi_invoice_free(inv);
    e2e_wait_final(c, t, 0);
    assert_aborted_with(t, 0, "SCHEMA_VIOLATION", NAVOI_MSG_TECHNICAL);
    navoi_txn_free(t);
    e2e_client_free(c);
    sim_free(s);
}
END_TEST

START_TEST(aborted_duplicate_in_request)
{
    sim_server *s = e2e_sim_start(NULL);
    navoi_client *c = e2e_client(s, &e2e_seller, 1);
    navoi_invoice *inv[2];
    navoi_txn *t = NULL;

    /* the same number twice in one request: every copy is rejected */
    inv[0] = e2e_nav_invoice(c, k_plain[0].file, NAVOI_OP_CREATE);
    inv[1] = e2e_nav_invoice(c, k_plain[0].file, NAVOI_OP_CREATE);
    e2e_ok(c, navoi_manage_invoice(c, inv, 2, 0, &t));
    navoi_invoice_free(inv[0]);
    navoi_invoice_free(inv[1]);
    e2e_wait_final(c, t, 0);
    assert_aborted_with(t, 0, "DUPLICATE_IN_REQUEST", NAVOI_MSG_TECHNICAL);
    assert_aborted_with(t, 1, "DUPLICATE_IN_REQUEST", NAVOI_MSG_TECHNICAL);
    navoi_txn_free(t);
    e2e_client_free(c);
    sim_free(s);
}
END_TEST

/* ---- electronic invoices: the electronicInvoiceHash (PROTOCOL.md 3.5) ---- */

/* ZZZ000001 turned into an e-invoice: completenessIndicator true, and the
 * appearance an e-invoice must have. */
static navoi_invoice *einvoice(navoi_client *c, char **xml_out, size_t *len_out)
{
    navoi_invoice *inv = NULL;
    char *xml = nt_read_nav(k_plain[1].file, len_out), *p;
    /* room for the net growth of the two edits below (+4 bytes) */
    xml = realloc(xml, *len_out + 16);
    ck_assert_ptr_nonnull(xml);
    p = strstr(xml, "<completenessIndicator>false</completenessIndicator>");
    ck_assert_ptr_nonnull(p);
    /* "false" -> "true": the tail moves one byte left */
    memmove(p + 27, p + 28, strlen(p + 28) + 1);
    memcpy(p + 23, "true", 4);
    (*len_out)--;
    p = strstr(xml, "<invoiceAppearance>PAPER</invoiceAppearance>");
    ck_assert_ptr_nonnull(p);
    memmove(p + 19 + 10, p + 19 + 5, strlen(p + 19 + 5) + 1);
    memcpy(p + 19, "ELECTRONIC", 10);
    *len_out += 5;
    e2e_ok(c, navoi_invoice_new(&inv, c, xml, *len_out, NAVOI_OP_CREATE));
    ck_assert_int_eq(navoi_invoice_is_electronic(inv), 1);
    *xml_out = xml;
    return inv;
}

/* Uppercase SHA3-512 hex of base64(data), both computed with OpenSSL. */
static void sha3_of_base64(const char *data, size_t len, char out[129])
{
    static const char hexd[] = "0123456789ABCDEF";
    unsigned char *b64 = malloc(4 * ((len + 2) / 3) + 1), md[64];
    unsigned int n = 0, i;
    int blen;
    ck_assert_ptr_nonnull(b64);
    blen = EVP_EncodeBlock(b64, (const unsigned char *)data, (int)len);
    ck_assert_int_eq(EVP_Digest(b64, (size_t)blen, md, &n, EVP_sha3_512(), NULL), 1);
    for (i = 0; i < 64; i++) {
        out[2 * i] = hexd[md[i] >> 4];
        out[2 * i + 1] = hexd[md[i] & 15];
    }
    out[128] = '\0';
    free(b64);
}

START_TEST(electronic_invoice_hash)
{
    sim_server *s = e2e_sim_start(NULL);
    navoi_client *c = e2e_client(s, &e2e_seller, 1);
    navoi_invoice *inv;
    navoi_txn *t = NULL, *a = NULL;
    navoi_result *r = NULL;
    char *xml, want[129];
    size_t len;
    const char *refs[1] = {"ZZZ000001"};
    const int codes[1] = {NAVOI_ANNUL_ERRATIC_DATA};
    const char *reasons[1] = {"e2e"};

    /* the client follows the spec wording: SHA3-512 of the sent base64
     * text, which the simulator verifies */
    inv = einvoice(c, &xml, &len);
    e2e_ok(c, navoi_manage_invoice(c, &inv, 1, 0, &t));
    navoi_invoice_free(inv);
    e2e_wait_final(c, t, 0);
    e2e_assert_done_clean(t, 0, "e-invoice");
    navoi_txn_free(t);
    e2e_ok(c, navoi_query_invoice_data(c, "ZZZ000001", NAVOI_OUTBOUND, 0, NULL, &r));
    ck_assert_uint_eq(navoi_result_count(r), 1);
    sha3_of_base64(xml, len, want);
    ck_assert_str_eq(navoi_result_get(r, 0, "electronicInvoiceHash"), want);
    ck_assert_str_eq(navoi_result_get(r, 0, "electronicInvoiceHash@cryptoType"), "SHA3-512");
    navoi_result_free(r);
    /* an e-invoice report can never be technically annulled */
    e2e_ok(c, navoi_manage_annulment(c, refs, codes, reasons, 1, &a));
    e2e_wait_final(c, a, 0);
    ck_assert_int_eq(navoi_txn_item_status(a, 0), NAVOI_STATUS_ABORTED);
    ck_assert(e2e_txn_has_code(a, 0, "ELECTRONIC_INVOICE_ANNULMENT_NOT_ALLOWED"));
    ck_assert_str_eq(navoi_txn_annulment_status(a), "NOT_VERIFIABLE");
    navoi_txn_free(a);
    e2e_client_free(c);
    sim_free(s);

    /* the official sample's variant (hash of the XML bytes) is refused by a
     * server that follows the spec ... */
    s = e2e_sim_start(NULL);
    c = e2e_client(s, &e2e_seller, 1);
    ck_assert_int_eq(navoi_client_set_invoice_hash_mode(c, NAVOI_EHASH_DECODED_XML), NAVOI_OK);
    free(xml);
    inv = einvoice(c, &xml, &len);
    e2e_ok(c, navoi_manage_invoice(c, &inv, 1, NAVOI_MANAGE_COMPRESS, &t));
    navoi_invoice_free(inv);
    e2e_wait_final(c, t, 0);
    ck_assert_int_eq(navoi_txn_item_status(t, 0), NAVOI_STATUS_ABORTED);
    ck_assert(e2e_txn_has_code(t, 0, "INVALID_INVOICE_HASH"));
    navoi_txn_free(t);
    e2e_client_free(c);
    sim_free(s);

    /* ... and accepted by one configured to take both */
    s = e2e_sim_start("ehashDecoded = true\n");
    c = e2e_client(s, &e2e_seller, 1);
    ck_assert_int_eq(navoi_client_set_invoice_hash_mode(c, NAVOI_EHASH_DECODED_XML), NAVOI_OK);
    free(xml);
    inv = einvoice(c, &xml, &len);
    e2e_ok(c, navoi_manage_invoice(c, &inv, 1, NAVOI_MANAGE_COMPRESS, &t));
    navoi_invoice_free(inv);
    e2e_wait_final(c, t, 0);
    e2e_assert_done_clean(t, 0, "e-invoice, decoded-XML hash");
    navoi_txn_free(t);
    free(xml);
    e2e_client_free(c);
    sim_free(s);
}
END_TEST

/* ---- the secret scan itself ---- */

START_TEST(secret_scan_detects)
{
    /* the scan behind every client of these suites must be able to fail */
    sim_server *s = e2e_sim_start(NULL);
    navoi_client *c = e2e_client(s, &e2e_seller, 0);
    const e2e_user *users[3] = {&e2e_seller, &e2e_group, &e2e_buyer};
    char hex[129], lower[129], line[300];
    size_t i, k;

    /* the configured hashes are PROTOCOL.md 3.1's, and OpenSSL agrees */
    for (i = 0; i < 3; i++) {
        e2e_sha512_hex(users[i]->password, hex);
        ck_assert_str_eq(hex, users[i]->password_hash);
    }
    e2e_sha512_hex(e2e_seller.password, hex);
    for (k = 0; k < 129; k++)
        lower[k] = (char)(hex[k] >= 'A' && hex[k] <= 'F' ? hex[k] + 32 : hex[k]);
    snprintf(line, sizeof line, "passwordHash %s sent", lower);
    ck_assert_ptr_nonnull(e2e_find_secret(line));
    snprintf(line, sizeof line, "<common:passwordHash>%s</common:passwordHash>", hex);
    ck_assert_ptr_nonnull(e2e_find_secret(line));
    snprintf(line, sizeof line, "password '%s'", e2e_seller.password);
    ck_assert_ptr_nonnull(e2e_find_secret(line));
    snprintf(line, sizeof line, "key=%s.", e2e_seller.sign_key);
    ck_assert_ptr_nonnull(e2e_find_secret(line));
    snprintf(line, sizeof line, "key=%s.", e2e_seller.exch_key);
    ck_assert_ptr_nonnull(e2e_find_secret(line));
    /* a decrypted token (PROTOCOL.md 4.1 vector 1) */
    ck_assert_str_eq(
        e2e_find_secret("<exchangeToken>b1aca173-d9e8-4561-9237-0511eed99eaa2P0ZHLXBRI2U"
                        "</exchangeToken>"),
        "an exchange token");
    /* and the ordinary lines do not trip it */
    ck_assert_ptr_null(e2e_find_secret("accepted as transaction OH2WLNGLIOZV8B9D with 1 item(s)"));
    ck_assert_ptr_null(
        e2e_find_secret("POST http://127.0.0.1:42171/invoiceService/v3/manageInvoice "
                        "(14014 bytes)"));
    e2e_client_free(c);
    sim_free(s);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("e2e-flow");
    TCase *tc = tcase_create("http");
    /* generous: a loaded 2-core machine under ASan; tests poll, never time */
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, secret_scan_detects);
    tcase_add_test(tc, manage_to_done_and_originals);
    tcase_add_test(tc, transaction_list_paging);
    tcase_add_test(tc, invoice_check_and_data);
    tcase_add_test(tc, invoice_digest);
    tcase_add_test(tc, chain_digest_after_modify);
    tcase_add_test(tc, taxpayer_known_unknown);
    tcase_add_test(tc, annulment_approved);
    tcase_add_test(tc, annulment_rejected_and_unknown);
    tcase_add_test(tc, aborted_duplicate_number);
    tcase_add_test(tc, aborted_modify_unknown_original);
    tcase_add_test(tc, aborted_schema_invalid);
    tcase_add_test(tc, aborted_duplicate_in_request);
    tcase_add_test(tc, electronic_invoice_hash);
    suite_add_tcase(su, tc);
    return nt_run(su);
}
