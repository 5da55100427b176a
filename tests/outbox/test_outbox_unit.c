/* test_outbox_unit.c - the pipeline's pieces without a server: the backoff
 * schedule, the item record, policy validation, and the transient-failure
 * state machine with a fake clock and a transport that never connects
 * (PENDING with 30 s doubling, capped, jittered retries, NEEDS_ATTENTION
 * at the 24 h horizon, operator retry). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "common/alloc.h"
#include "core/client.h"
#include "outbox/outbox.h"
#include "testutil.h"

START_TEST(backoff_schedule)
{
    navoi_outbox ob;
    int n;
    memset(&ob, 0, sizeof ob);
    ob.base_ms = 30000;
    ob.cap_ms = 300000;
    ob.jitter_pct = 20;
    /* without jitter (u = 0.5): 30, 60, 120, 240, 300, 300 s */
    ck_assert_int_eq(navoi__ob_backoff(&ob, 1, 0.5), 30000);
    ck_assert_int_eq(navoi__ob_backoff(&ob, 2, 0.5), 60000);
    ck_assert_int_eq(navoi__ob_backoff(&ob, 3, 0.5), 120000);
    ck_assert_int_eq(navoi__ob_backoff(&ob, 4, 0.5), 240000);
    ck_assert_int_eq(navoi__ob_backoff(&ob, 5, 0.5), 300000);
    ck_assert_int_eq(navoi__ob_backoff(&ob, 1000, 0.5), 300000);
    /* jitter: +-20 % */
    ck_assert_int_eq(navoi__ob_backoff(&ob, 1, 0.0), 24000);
    ck_assert_int_le(navoi__ob_backoff(&ob, 1, 0.999999), 36000);
    ck_assert_int_ge(navoi__ob_backoff(&ob, 1, 0.999999), 35999);
    for (n = 1; n < 40; n++) {
        int64_t d = navoi__ob_backoff(&ob, n, 0.3);
        ck_assert_int_ge(d, 1);
        ck_assert_int_le(d, 360000);
    }
    ob.jitter_pct = 0;
    ob.base_ms = 1;
    ob.cap_ms = 1;
    ck_assert_int_eq(navoi__ob_backoff(&ob, 5, 0.9), 1);
}
END_TEST

START_TEST(record_round_trip)
{
    navoi__ob_item it, *back = NULL;
    navoi__ob_msg m[2];
    navoi__buf b = NAVOI__BUF_INIT;
    memset(&it, 0, sizeof it);
    memset(m, 0, sizeof m);
    it.op = NAVOI_OP_MODIFY;
    it.state = NAVOI_ITEM_SENT;
    it.number = "INV|1\\2\nx";
    it.orig_key = "orig";
    it.rid = "OABC";
    it.group = "TX1";
    it.txid = "TX1";
    it.tidx = 7;
    it.created = 1700000000000LL;
    it.due = -5;
    it.attempts = 3;
    it.ambiguous = 1;
    it.emsg = "line1\nline2 | bar";
    m[0].kind = NAVOI_MSG_BUSINESS;
    m[0].severity = NAVOI_SEVERITY_WARN;
    m[0].code = "CODE_A";
    m[0].text = "text | with bar\\";
    m[0].tag = "";
    m[0].value = "v";
    m[0].line = "3";
    m[1].kind = NAVOI_MSG_TECHNICAL;
    m[1].severity = NAVOI_SEVERITY_ERROR;
    m[1].code = "";
    m[1].text = "";
    m[1].tag = "";
    m[1].value = "";
    m[1].line = "";
    it.msgs = m;
    it.nmsgs = 2;
    ck_assert_int_eq(navoi__ob_record_write(&it, &b), NAVOI_OK);
    ck_assert_ptr_null(strstr(b.data, "\nx"));
    ck_assert_int_eq(navoi__ob_record_read("the-key", 9, b.data, b.len, &back), NAVOI_OK);
    ck_assert_str_eq(back->key, "the-key");
    ck_assert_int_eq(back->fence, 9);
    ck_assert_int_eq(back->op, NAVOI_OP_MODIFY);
    ck_assert_int_eq(back->state, NAVOI_ITEM_SENT);
    ck_assert_str_eq(back->number, "INV|1\\2\nx");
    ck_assert_str_eq(back->orig_key, "orig");
    ck_assert_str_eq(back->txid, "TX1");
    ck_assert_int_eq(back->tidx, 7);
    ck_assert_int_eq(back->created, 1700000000000LL);
    ck_assert_int_eq(back->due, -5);
    ck_assert_int_eq(back->attempts, 3);
    ck_assert_str_eq(back->emsg, "line1\nline2 | bar");
    ck_assert_ptr_null(back->hash);
    ck_assert_uint_eq(back->nmsgs, 2);
    ck_assert_str_eq(back->msgs[0].text, "text | with bar\\");
    ck_assert_str_eq(back->msgs[0].line, "3");
    ck_assert_int_eq(back->msgs[0].severity, NAVOI_SEVERITY_WARN);
    ck_assert_int_eq(back->msgs[1].kind, NAVOI_MSG_TECHNICAL);
    ck_assert_str_eq(back->msgs[1].code, "");
    navoi__ob_item_destroy(back);
    /* unknown fields from a newer record version are ignored */
    ck_assert_int_eq(navoi__ob_record_read("k", 1, "future=1\nstate=4\nnoequals\n", 26, &back),
                     NAVOI_OK);
    ck_assert_int_eq(back->state, NAVOI_ITEM_DONE);
    navoi__ob_item_destroy(back);
    navoi__buf_free(&b);
}
END_TEST

/* ---- a transport that never connects and a fake clock ---- */

static int64_t g_now = 1763700000000LL;
static long g_sends;

static int64_t fake_clock(void *ud)
{
    (void)ud;
    return g_now;
}

static int dead_send(navoi__transport *t, const navoi__http_req *req, navoi__http_resp *resp)
{
    (void)t;
    (void)req;
    g_sends++;
    resp->maybe_sent = 0;
    snprintf(resp->errmsg, sizeof resp->errmsg, "connection refused");
    return NAVOI_ENET;
}

static void dead_destroy(navoi__transport *t)
{
    navoi__free(t);
}

static navoi_client *dead_client(void)
{
    navoi_client *c = NULL;
    navoi__transport *t = navoi__calloc(1, sizeof *t);
    ck_assert_ptr_nonnull(t);
    t->send = dead_send;
    t->destroy = dead_destroy;
    ck_assert_int_eq(navoi_client_new(&c), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_base_url(c, "http://127.0.0.1:9/invoiceService/v3"),
                     NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_login(c, "outboxuser01"), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_password(c, "Outbox-Jelszo-01"), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_tax_number(c, "12345676"), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_signing_key(c, "ob-8f5e-215119fa7dd621DLMRHRLH2S"),
                     NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_exchange_key(c, "9febIBBQRLZ348IB"), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_software(c, "HU12345676-OUTBOX1", "t", NAVOI_SOFTWARE_LOCAL,
                                               "0.1", "navoi", "dev@example.com", NULL, NULL),
                     NAVOI_OK);
    navoi_client_set_clock(c, fake_clock, NULL);
    navoi__client_set_transport(c, t);
    return c;
}

static navoi_invoice *invoice(void)
{
    char *path = nt_data_path("invoices/demo-create-1.xml");
    navoi_invoice *inv = NULL;
    ck_assert_int_eq(navoi_invoice_new_from_file(&inv, NULL, path, NAVOI_OP_CREATE), NAVOI_OK);
    free(path);
    return inv;
}

START_TEST(transient_until_horizon)
{
    char dir[] = "/tmp/navoi-obunit-XXXXXX", db[128];
    navoi_client *c = dead_client();
    navoi_outbox *ob = NULL;
    navoi_invoice *inv = invoice();
    navoi_outbox_item *it = NULL;
    int64_t t0, last = 0, due = 0;
    int attempts = 0, did = 0, cat = 0;

    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(db, sizeof db, "%s/o.db", dir);
    ck_assert_int_eq(navoi_outbox_open_sqlite(&ob, c, db), NAVOI_OK);
    /* policy: 1 s doubling, cap 8 s, no jitter, 60 s horizon */
    ck_assert_int_eq(navoi_outbox_set_policy_retry(ob, 1000, 8000, 0, 60000), NAVOI_OK);
    ck_assert_int_eq(navoi_outbox_set_policy_batch(ob, 100, 0), NAVOI_OK);
    ck_assert_int_eq(navoi_outbox_set_policy_retry(ob, 0, 1, 0, 0), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_outbox_set_policy_retry(ob, 10, 5, 0, 0), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_outbox_set_policy_retry(ob, 10, 50, 101, 0), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_outbox_set_policy_batch(ob, 101, 0), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_outbox_set_policy_poll(ob, 10, 5), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_outbox_set_worker(ob, "", 5000), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_outbox_set_worker(ob, "w1", 10), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_outbox_enqueue(ob, "K", inv, NULL, NULL), NAVOI_OK);
    t0 = g_now;
    for (;;) {
        long before = g_sends;
        ck_assert_int_eq(navoi_outbox_step(ob, &did), NAVOI_OK);
        if (g_sends != before) {
            /* the token exchange failed before anything was recorded */
            attempts++;
            if (last) {
                int64_t expect = 1000;
                int k;
                for (k = 2; k < attempts && expect < 8000; k++)
                    expect *= 2;
                ck_assert_msg(g_now - last == expect || g_now == t0 + 60000,
                              "attempt %d after %lld ms", attempts, (long long)(g_now - last));
            }
            last = g_now;
        }
        ck_assert_int_eq(navoi_outbox_item_get(ob, "K", &it), NAVOI_OK);
        if (navoi_outbox_item_state(it) != NAVOI_ITEM_PENDING) {
            ck_assert_int_eq(navoi_outbox_item_state(it), NAVOI_ITEM_NEEDS_ATTENTION);
            ck_assert_int_ge(g_now - t0, 60000);
            navoi_outbox_item_error(it, NULL, &cat, NULL, NULL);
            ck_assert_int_eq(cat, NAVOI_CAT_TRANSIENT);
            ck_assert_int_eq(navoi_outbox_item_attempts(it), 0); /* nothing was ever sent */
            ck_assert_uint_ge(navoi_outbox_item_history_count(it), 2);
            navoi_outbox_item_free(it);
            break;
        }
        navoi_outbox_item_free(it);
        ck_assert_int_eq(navoi_outbox_next_due(ob, &due), NAVOI_OK);
        ck_assert_int_gt(due, 0);
        if (!did && due > g_now)
            g_now = due;
        ck_assert_int_lt(g_now - t0, 120000);
    }
    /* 1, 2, 4, 8, 8, 8 ... s until 60 s: 0,1,3,7,15,23,31,39,47,55,60 */
    ck_assert_int_eq(attempts, 11);
    /* the operator re-queues it */
    ck_assert_int_eq(navoi_outbox_retry(ob, "K"), NAVOI_OK);
    ck_assert_int_eq(navoi_outbox_retry(ob, "K"), NAVOI_ESTATE);
    {
        int64_t n = 0, age = -1;
        ck_assert_int_eq(navoi_outbox_backlog(ob, &n, &age), NAVOI_OK);
        ck_assert_int_eq(n, 1);
        ck_assert_int_eq(age, g_now - t0);
    }
    navoi_outbox_free(ob);
    navoi_client_free(c);
    navoi_invoice_free(inv);
    nt_remove_sqlite(db);
    rmdir(dir);
}
END_TEST

START_TEST(missing_settings_halt)
{
    char dir[] = "/tmp/navoi-obunit-XXXXXX", db[128];
    navoi_client *c = NULL;
    navoi_outbox *ob = NULL;
    navoi_invoice *inv = invoice();
    int did = 0;
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(db, sizeof db, "%s/o.db", dir);
    ck_assert_int_eq(navoi_client_new(&c), NAVOI_OK);
    ck_assert_int_eq(navoi_outbox_open_sqlite(&ob, c, db), NAVOI_OK);
    ck_assert_int_eq(navoi_outbox_enqueue(ob, "K", inv, NULL, NULL), NAVOI_OK);
    ck_assert_int_eq(navoi_outbox_step(ob, &did), NAVOI_ECONFIG);
    ck_assert_ptr_nonnull(strstr(navoi_outbox_halt_reason(ob), "missing settings"));
    ck_assert_ptr_nonnull(strstr(navoi_outbox_errmsg(ob), "halted"));
    ck_assert_str_eq(navoi_outbox_state_name(NAVOI_ITEM_NEEDS_ATTENTION), "NEEDS_ATTENTION");
    ck_assert_str_eq(navoi_outbox_state_name(0), "UNKNOWN");
    navoi_outbox_free(ob);
    navoi_client_free(c);
    navoi_invoice_free(inv);
    nt_remove_sqlite(db);
    rmdir(dir);
}
END_TEST

START_TEST(api_argument_checks)
{
    navoi_outbox *ob = (navoi_outbox *)1;
    navoi_storage_ops ops;
    navoi_client *c = NULL;
    ck_assert_int_eq(navoi_storage_ops_init(&ops, 0), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_storage_ops_init(&ops, NAVOI_STORAGE_OPS_VERSION), NAVOI_OK);
    ck_assert_int_eq(ops.version, NAVOI_STORAGE_OPS_VERSION);
    ck_assert(ops.insert == NULL);
    ck_assert_int_eq(navoi_client_new(&c), NAVOI_OK);
    /* an incomplete table is refused */
    ck_assert_int_eq(navoi_outbox_new(&ob, c, &ops, NULL), NAVOI_EINVAL);
    ck_assert_ptr_null(ob);
    ck_assert_int_eq(navoi_outbox_open_sqlite(NULL, c, "/tmp/x"), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_outbox_open_sqlite(&ob, c, "/nonexistent-dir/x.db"), NAVOI_EIO);
    ck_assert_ptr_null(ob);
    ck_assert_int_eq(navoi_outbox_step(NULL, NULL), NAVOI_EINVAL);
    navoi_outbox_free(NULL);
    navoi_outbox_item_free(NULL);
    ck_assert_str_eq(navoi_outbox_errmsg(NULL), "");
    navoi_client_free(c);
}
END_TEST

/* The pre-submission validator at enqueue: refused (default), flagged into
 * the history, or skipped; a stored key is never re-validated. */
START_TEST(validation_gate)
{
    char dir[] = "/tmp/navoi-obval-XXXXXX", db[128];
    navoi_client *c = dead_client();
    navoi_outbox *ob = NULL;
    navoi_invoice *good = invoice(), *bad = NULL;
    navoi_outbox_item *it = NULL;
    char *xml, *at;
    size_t len, k;
    int created = -1, flagged = 0;
    int64_t n = -1;

    /* Same document with another supplier: SUPPLIER_TAX_NUMBER_MISMATCH
     * against the client's 12345676 (PROTOCOL.md 7.3 #1). */
    {
        char *path = nt_data_path("invoices/demo-create-2.xml");
        xml = nt_read_file(path, &len);
        free(path);
    }
    at = strstr(xml, "<base:taxpayerId>12345676<");
    ck_assert_ptr_nonnull(at);
    memcpy(at + strlen("<base:taxpayerId>"), "11111111", 8);
    ck_assert_int_eq(navoi_invoice_new(&bad, NULL, xml, len, NAVOI_OP_CREATE), NAVOI_OK);

    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(db, sizeof db, "%s/o.db", dir);
    ck_assert_int_eq(navoi_outbox_open_sqlite(&ob, c, db), NAVOI_OK);
    ck_assert_int_eq(navoi_outbox_set_validation(ob, 9), NAVOI_EINVAL);

    ck_assert_int_eq(navoi_outbox_enqueue(ob, "GOOD", good, NULL, &created), NAVOI_OK);
    ck_assert_int_eq(created, 1);
    ck_assert_int_eq(navoi_outbox_enqueue(ob, "BAD", bad, NULL, &created), NAVOI_EVALIDATION);
    ck_assert_int_eq(created, 0);
    ck_assert_ptr_nonnull(strstr(navoi_outbox_errmsg(ob), "SUPPLIER_TAX_NUMBER_MISMATCH"));
    ck_assert_int_eq(navoi_outbox_item_get(ob, "BAD", &it), NAVOI_ENOTFOUND);
    ck_assert_int_eq(navoi_error_category(NAVOI_EVALIDATION, NULL, 0), NAVOI_CAT_DATA);

    ck_assert_int_eq(navoi_outbox_set_validation(ob, NAVOI_OUTBOX_VALIDATE_FLAG), NAVOI_OK);
    ck_assert_int_eq(navoi_outbox_enqueue(ob, "BAD", bad, NULL, &created), NAVOI_OK);
    ck_assert_int_eq(created, 1);
    ck_assert_int_eq(navoi_outbox_item_get(ob, "BAD", &it), NAVOI_OK);
    for (k = 0; k < navoi_outbox_item_history_count(it); k++) {
        const char *h = navoi_outbox_item_history(it, k, NULL);
        if (h && strstr(h, "validator: 1 error: SUPPLIER_TAX_NUMBER_MISMATCH"))
            flagged = 1;
    }
    ck_assert_int_eq(flagged, 1);
    navoi_outbox_item_free(it);

    /* Back to refusing: the stored key stays a no-op, not a refusal. */
    ck_assert_int_eq(navoi_outbox_set_validation(ob, NAVOI_OUTBOX_VALIDATE_REFUSE), NAVOI_OK);
    ck_assert_int_eq(navoi_outbox_enqueue(ob, "BAD", bad, NULL, &created), NAVOI_OK);
    ck_assert_int_eq(created, 0);

    ck_assert_int_eq(navoi_outbox_set_validation(ob, NAVOI_OUTBOX_VALIDATE_OFF), NAVOI_OK);
    ck_assert_int_eq(navoi_outbox_enqueue(ob, "BAD2", bad, NULL, &created), NAVOI_OK);
    ck_assert_int_eq(navoi_outbox_count(ob, NAVOI_ITEM_PENDING, &n), NAVOI_OK);
    ck_assert(n == 3);

    navoi_outbox_free(ob);
    navoi_invoice_free(good);
    navoi_invoice_free(bad);
    navoi_client_free(c);
    free(xml);
    nt_remove_sqlite(db);
    rmdir(dir);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("outbox-unit");
    TCase *tc = tcase_create("unit");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, backoff_schedule);
    tcase_add_test(tc, record_round_trip);
    tcase_add_test(tc, transient_until_horizon);
    tcase_add_test(tc, missing_settings_halt);
    tcase_add_test(tc, api_argument_checks);
    tcase_add_test(tc, validation_gate);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return nt_run(suite());
}
