/* test_outbox_sim.c - the outbox against the in-process simulator: batches,
 * chains, annulments and the following of their approval, duplicate enqueue, the fault matrix of PROTOCOL.md 7
 * (category, requests seen by the simulator, retry times), seeded
 * ambiguous runs, a 24-hour outage on the clock hook and the reused
 * connection case. The client's clock is the simulator's clock, so time
 * only moves when the test says so. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "core/client.h"
#include "obtest.h"
#include "testutil.h"

#define MIN_MS 60000LL
#define HOUR_MS (60 * MIN_MS)

static long reqs(obt *t, const char *op)
{
    return sim_request_count(t->sim, op);
}

/* ---- batches, lookups, duplicates ---- */

START_TEST(batches_of_100)
{
    obt t;
    char key[32], num[32];
    int i;
    obt_setup(&t, NULL, 1);
    for (i = 0; i < 250; i++) {
        snprintf(key, sizeof key, "erp-%d", i);
        snprintf(num, sizeof num, "OB-B-%04d", i);
        obt_enqueue(&t, key, num);
    }
    obt_run(&t, 2000);
    ck_assert_int_eq(reqs(&t, "manageInvoice"), 3); /* 100 + 100 + 50 */
    ck_assert_int_eq(reqs(&t, "tokenExchange"), 3); /* one token per manage request */
    ck_assert_int_eq(reqs(&t, "queryTransactionList"), 0);
    for (i = 0; i < 250; i++) {
        navoi_outbox_item *it = NULL;
        char *k = NULL;
        int32_t idx = 0;
        const char *txid;
        snprintf(key, sizeof key, "erp-%d", i);
        snprintf(num, sizeof num, "OB-B-%04d", i);
        ck_assert_int_eq(obt_accepted(&t, num), 1);
        ck_assert_int_eq(navoi_outbox_item_get(t.ob, key, &it), NAVOI_OK);
        ck_assert_int_eq(navoi_outbox_item_state(it), NAVOI_ITEM_DONE);
        txid = navoi_outbox_item_transaction_id(it, &idx);
        ck_assert_uint_eq(strlen(txid), 16);
        ck_assert_int_ge(idx, 1);
        ck_assert_int_le(idx, 100);
        ck_assert_int_eq(navoi_outbox_item_attempts(it), 1);
        /* both ways: key -> (txid, index, number) -> key */
        ck_assert_int_eq(navoi_outbox_find_by_transaction(t.ob, txid, idx, &k), NAVOI_OK);
        ck_assert_str_eq(k, key);
        navoi_free(k);
        ck_assert_int_eq(navoi_outbox_find_by_number(t.ob, num, &k), NAVOI_OK);
        ck_assert_str_eq(k, key);
        navoi_free(k);
        navoi_outbox_item_free(it);
    }
    {
        int64_t n = -1;
        char *keys = NULL;
        size_t cnt = 0;
        ck_assert_int_eq(navoi_outbox_count(t.ob, NAVOI_ITEM_DONE, &n), NAVOI_OK);
        ck_assert_int_eq(n, 250);
        ck_assert_int_eq(navoi_outbox_list(t.ob, NAVOI_ITEM_DONE, 0, 10, &keys, &cnt), NAVOI_OK);
        ck_assert_uint_eq(cnt, 10);
        ck_assert(strncmp(keys, "erp-0\nerp-1\n", 12) == 0);
        navoi_free(keys);
    }
    ck_assert_int_gt(t.log_lines, 0);
    obt_teardown(&t);
}
END_TEST

START_TEST(duplicate_enqueue)
{
    obt t;
    navoi_invoice *inv, *other;
    int created = -1;
    int64_t n = 0;
    obt_setup(&t, NULL, 2);
    inv = obt_invoice("demo-create-1.xml", "OB-D-1", NULL, NAVOI_OP_CREATE);
    other = obt_invoice("demo-create-1.xml", "OB-D-2", NULL, NAVOI_OP_CREATE);
    ck_assert_int_eq(navoi_outbox_enqueue(t.ob, "k1", inv, NULL, &created), NAVOI_OK);
    ck_assert_int_eq(created, 1);
    ck_assert_int_eq(navoi_outbox_enqueue(t.ob, "k1", inv, NULL, &created), NAVOI_OK);
    ck_assert_int_eq(created, 0);
    ck_assert_int_eq(navoi_outbox_enqueue(t.ob, "k1", other, NULL, &created), NAVOI_ESTATE);
    ck_assert_ptr_nonnull(strstr(navoi_outbox_errmsg(t.ob), "different"));
    ck_assert_int_eq(navoi_outbox_count(t.ob, NAVOI_ITEM_PENDING, &n), NAVOI_OK);
    ck_assert_int_eq(n, 1);
    obt_run(&t, 100);
    /* enqueue again after DONE: still a no-op, nothing sent */
    ck_assert_int_eq(navoi_outbox_enqueue(t.ob, "k1", inv, NULL, &created), NAVOI_OK);
    ck_assert_int_eq(created, 0);
    obt_run(&t, 100);
    ck_assert_int_eq(reqs(&t, "manageInvoice"), 1);
    ck_assert_int_eq(obt_accepted(&t, "OB-D-1"), 1);
    ck_assert_int_eq(navoi_outbox_enqueue(t.ob, "bad key\n", inv, NULL, NULL), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_outbox_enqueue(t.ob, "", inv, NULL, NULL), NAVOI_EINVAL);
    navoi_invoice_free(inv);
    navoi_invoice_free(other);
    obt_teardown(&t);
}
END_TEST

/* ---- MODIFY / STORNO chains and annulments ---- */

START_TEST(chains_wait_for_their_original)
{
    obt t;
    navoi_invoice *a, *b, *c, *d;
    int64_t done_a = 0, done_c = 0, sent_b = 0, sent_d = 0;
    char *keys = NULL, *k = NULL;
    size_t n = 0;
    navoi_outbox_item *it = NULL;

    obt_setup(&t, NULL, 3);
    a = obt_invoice("demo-create-1.xml", "OB-C-1", NULL, NAVOI_OP_CREATE);
    b = obt_invoice("demo-modify-1.xml", "OB-C-1-M1", "OB-C-1", NAVOI_OP_MODIFY);
    c = obt_invoice("demo-create-2.xml", "OB-C-2", NULL, NAVOI_OP_CREATE);
    d = obt_invoice("demo-storno-2.xml", "OB-C-2-S1", "OB-C-2", NAVOI_OP_STORNO);
    ck_assert_int_eq(navoi_outbox_enqueue(t.ob, "A", a, NULL, NULL), NAVOI_OK);
    ck_assert_int_eq(navoi_outbox_enqueue(t.ob, "C", c, NULL, NULL), NAVOI_OK);
    /* B finds its original by originalInvoiceNumber, D names it */
    ck_assert_int_eq(navoi_outbox_enqueue(t.ob, "B", b, NULL, NULL), NAVOI_OK);
    ck_assert_int_eq(navoi_outbox_enqueue(t.ob, "D", d, "C", NULL), NAVOI_OK);
    ck_assert_int_eq(navoi_outbox_enqueue(t.ob, "E", d, "no-such-key", NULL), NAVOI_ENOTFOUND);
    obt_run(&t, 500);
    ck_assert_int_eq(obt_item_state(&t, "A"), NAVOI_ITEM_DONE);
    ck_assert_int_eq(obt_item_state(&t, "B"), NAVOI_ITEM_DONE);
    ck_assert_int_eq(obt_item_state(&t, "C"), NAVOI_ITEM_DONE);
    ck_assert_int_eq(obt_item_state(&t, "D"), NAVOI_ITEM_DONE);
    ck_assert(obt_history_has(&t, "A", "state=DONE", &done_a));
    ck_assert(obt_history_has(&t, "C", "state=DONE", &done_c));
    ck_assert(obt_history_has(&t, "B", "send rid=", &sent_b));
    ck_assert(obt_history_has(&t, "D", "send rid=", &sent_d));
    ck_assert_int_ge(sent_b, done_a);
    ck_assert_int_ge(sent_d, done_c);
    ck_assert_int_eq(reqs(&t, "manageInvoice"), 2); /* A+C, then B+D */
    ck_assert_int_eq(obt_accepted(&t, "OB-C-1-M1"), 1);
    ck_assert_int_eq(obt_accepted(&t, "OB-C-2-S1"), 1);
    /* the link both ways */
    ck_assert_int_eq(navoi_outbox_item_get(t.ob, "B", &it), NAVOI_OK);
    ck_assert_str_eq(navoi_outbox_item_original_key(it), "A");
    ck_assert_int_eq(navoi_outbox_item_operation(it), NAVOI_OP_MODIFY);
    navoi_outbox_item_free(it);
    ck_assert_int_eq(navoi_outbox_list_amendments(t.ob, "C", &keys, &n), NAVOI_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(keys, "D\n");
    navoi_free(keys);
    ck_assert_int_eq(navoi_outbox_find_by_number(t.ob, "OB-C-2-S1", &k), NAVOI_OK);
    ck_assert_str_eq(k, "D");
    navoi_free(k);
    navoi_invoice_free(a);
    navoi_invoice_free(b);
    navoi_invoice_free(c);
    navoi_invoice_free(d);
    obt_teardown(&t);
}
END_TEST

START_TEST(amendment_of_failed_original_fails)
{
    obt t;
    navoi_invoice *a, *b;
    char *xml;
    size_t len;
    const char *src;
    obt_setup(&t, NULL, 4);
    a = obt_invoice("demo-create-1.xml", "OB-F-1", NULL, NAVOI_OP_CREATE);
    src = navoi_invoice_xml(a, &len);
    xml = malloc(len + 32);
    ck_assert_ptr_nonnull(xml);
    memcpy(xml, src, len + 1);
    {
        /* a payload that breaks invoiceData.xsd: NAV aborts it (data) */
        char *p = strstr(xml, "<invoiceCategory>NORMAL<");
        ck_assert_ptr_nonnull(p);
        memcpy(p, "<invoiceCategory>NORMAX<", 24);
    }
    navoi_invoice_free(a);
    ck_assert_int_eq(navoi_invoice_new(&a, NULL, xml, len, NAVOI_OP_CREATE), NAVOI_OK);
    free(xml);
    b = obt_invoice("demo-modify-1.xml", "OB-F-1-M1", "OB-F-1", NAVOI_OP_MODIFY);
    ck_assert_int_eq(navoi_outbox_enqueue(t.ob, "A", a, NULL, NULL), NAVOI_OK);
    ck_assert_int_eq(navoi_outbox_enqueue(t.ob, "B", b, NULL, NULL), NAVOI_OK);
    obt_run(&t, 200);
    ck_assert_int_eq(obt_item_state(&t, "A"), NAVOI_ITEM_ABORTED);
    ck_assert_int_eq(obt_item_state(&t, "B"), NAVOI_ITEM_FAILED);
    {
        navoi_outbox_item *it = NULL;
        const char *code = NULL, *nav = NULL;
        int kind = 0, sev = 0, cat = 0;
        ck_assert_int_eq(navoi_outbox_item_get(t.ob, "A", &it), NAVOI_OK);
        ck_assert_uint_ge(navoi_outbox_item_message_count(it), 1);
        ck_assert_int_eq(navoi_outbox_item_message(it, 0, &kind, &sev, &code, NULL, NULL, NULL,
                                                   NULL),
                         NAVOI_OK);
        ck_assert_int_eq(kind, NAVOI_MSG_TECHNICAL);
        ck_assert_int_eq(sev, NAVOI_SEVERITY_ERROR);
        ck_assert_str_eq(code, "SCHEMA_VIOLATION");
        navoi_outbox_item_error(it, NULL, &cat, NULL, &nav);
        ck_assert_int_eq(cat, NAVOI_CAT_DATA);
        ck_assert_str_eq(nav, "SCHEMA_VIOLATION");
        navoi_outbox_item_free(it);
    }
    /* data errors are never retried automatically */
    ck_assert_int_eq(reqs(&t, "manageInvoice"), 1);
    ck_assert_int_eq(navoi_outbox_retry(t.ob, "C-unknown"), NAVOI_ENOTFOUND);
    ck_assert_int_eq(navoi_outbox_retry(t.ob, "B"), NAVOI_OK);
    ck_assert_int_eq(obt_item_state(&t, "B"), NAVOI_ITEM_PENDING);
    navoi_invoice_free(a);
    navoi_invoice_free(b);
    obt_teardown(&t);
}
END_TEST

START_TEST(annulment_item)
{
    obt t;
    navoi_outbox_item *it = NULL;
    obt_setup(&t, NULL, 5);
    obt_enqueue(&t, "A", "OB-N-1");
    /* enqueued before A is DONE: waits for it */
    ck_assert_int_eq(navoi_outbox_enqueue_annulment(t.ob, "ANN-A", "A", NAVOI_ANNUL_ERRATIC_DATA,
                                                    "duplicate upload", NULL),
                     NAVOI_OK);
    ck_assert_int_eq(navoi_outbox_enqueue_annulment(t.ob, "ANN-X", "nope", NAVOI_ANNUL_ERRATIC_DATA,
                                                    "x", NULL),
                     NAVOI_ENOTFOUND);
    ck_assert_int_eq(navoi_outbox_enqueue_annulment(t.ob, "ANN-Y", "A", 99, "x", NULL),
                     NAVOI_EINVAL);
    obt_run(&t, 200);
    ck_assert_int_eq(obt_item_state(&t, "A"), NAVOI_ITEM_DONE);
    ck_assert_int_eq(navoi_outbox_item_get(t.ob, "ANN-A", &it), NAVOI_OK);
    ck_assert_int_eq(navoi_outbox_item_state(it), NAVOI_ITEM_DONE);
    ck_assert_int_eq(navoi_outbox_item_operation(it), NAVOI_OP_ANNUL);
    ck_assert_str_eq(navoi_outbox_item_invoice_number(it), "OB-N-1");
    ck_assert_str_eq(navoi_outbox_item_annulment_status(it), "VERIFICATION_PENDING");
    ck_assert_uint_eq(strlen(navoi_outbox_item_transaction_id(it, NULL)), 16);
    navoi_outbox_item_free(it);
    ck_assert_int_eq(reqs(&t, "manageAnnulment"), 1);
    obt_teardown(&t);
}
END_TEST

/* ---- following the approval of annulments ---- */

#define DAY_MS (24 * HOUR_MS)

typedef struct log_cap {
    char corr[64];     /* correlation id of the first matching line */
    int level;         /* its level */
    int count;         /* matching lines */
    const char *needle;
} log_cap;

static void cap_log(int level, const char *corr, const char *msg, void *ud)
{
    log_cap *c = ud;
    if (strncmp(msg, "outbox ", 7) == 0) {
        ck_assert_msg(corr && *corr, "log line without correlation id: %s", msg);
        ck_assert_msg(strstr(msg, "key") != NULL, "log line without key: %s", msg);
    }
    if (getenv("NAVOI_TEST_VERBOSE"))
        fprintf(stderr, "[%d] %s %s\n", level, corr, msg);
    if (c->needle && strstr(msg, c->needle)) {
        if (!c->count++) {
            snprintf(c->corr, sizeof c->corr, "%s", corr ? corr : "");
            c->level = level;
        }
    }
}

/* Works like a worker: steps, and when nothing is due moves the clock to
 * the next due time, up to until (simulator clock); ends at until. */
static void run_until(obt *t, int64_t until)
{
    for (;;) {
        int did = 0;
        int64_t due = 0, now;
        ck_assert_msg(navoi_outbox_step(t->ob, &did) == NAVOI_OK, "step: %s",
                      navoi_outbox_errmsg(t->ob));
        if (did)
            continue;
        ck_assert_int_eq(navoi_outbox_next_due(t->ob, &due), NAVOI_OK);
        now = sim_now_ms(t->sim);
        if (due == 0 || due > until) {
            if (until > now)
                sim_clock_advance(t->sim, until - now);
            return;
        }
        if (due > now)
            sim_clock_advance(t->sim, due - now);
    }
}

static const char *annul_status(obt *t, const char *key, char *buf, size_t len)
{
    navoi_outbox_item *it = NULL;
    ck_assert_int_eq(navoi_outbox_item_get(t->ob, key, &it), NAVOI_OK);
    ck_assert_int_eq(navoi_outbox_item_state(it), NAVOI_ITEM_DONE);
    snprintf(buf, len, "%s", navoi_outbox_item_annulment_status(it));
    navoi_outbox_item_free(it);
    return buf;
}

/* A reported and annulled; returns the annulment's send time, fills its
 * transactionId and requestId. */
static int64_t annulled(obt *t, const char *number, char txid[32], char rid[40])
{
    navoi_outbox_item *it = NULL;
    int64_t sent = 0, due = 0;
    char st[64];
    obt_enqueue(t, "A", number);
    ck_assert_int_eq(navoi_outbox_enqueue_annulment(t->ob, "ANN-A", "A", NAVOI_ANNUL_ERRATIC_DATA,
                                                    "wrong data reported", NULL),
                     NAVOI_OK);
    obt_run(t, 200);
    ck_assert_str_eq(annul_status(t, "ANN-A", st, sizeof st), "VERIFICATION_PENDING");
    ck_assert(obt_history_has(t, "ANN-A", "send rid=", &sent));
    ck_assert_int_eq(navoi_outbox_item_get(t->ob, "ANN-A", &it), NAVOI_OK);
    snprintf(txid, 32, "%s", navoi_outbox_item_transaction_id(it, NULL));
    snprintf(rid, 40, "%s", navoi_outbox_item_request_id(it));
    /* followed: the next poll an hour after DONE, and next_due says so */
    ck_assert_int_eq(navoi_outbox_item_times(it, NULL, &due), NAVOI_OK);
    ck_assert_int_ge(due, sent + HOUR_MS);
    ck_assert_int_le(due, sent + HOUR_MS + MIN_MS);
    navoi_outbox_item_free(it);
    {
        int64_t nd = 0;
        ck_assert_int_eq(navoi_outbox_next_due(t->ob, &nd), NAVOI_OK);
        ck_assert_int_eq(nd, due);
    }
    return sent;
}

static void annulment_decided(int approve)
{
    obt t;
    log_cap cap;
    char txid[32], rid[40], st[64];
    int64_t sent, due = 1;
    long q0;
    sim_ledger_entry e;
    navoi_outbox_item *it = NULL;

    obt_setup(&t, NULL, approve ? 20 : 21);
    memset(&cap, 0, sizeof cap);
    cap.needle = approve ? "approved (VERIFICATION_DONE" : "REJECTED (VERIFICATION_REJECTED";
    navoi_client_set_log(t.client, cap_log, NAVOI_LOG_DEBUG, &cap);
    sent = annulled(&t, approve ? "OB-AF-1" : "OB-AF-2", txid, rid);
    q0 = reqs(&t, "queryTransactionStatus");
    /* three days without a decision: polls after 1, 2, 4, 8, 16, 32 and 56 h */
    run_until(&t, sent + 3 * DAY_MS);
    ck_assert_int_eq(reqs(&t, "queryTransactionStatus") - q0, 7);
    ck_assert_str_eq(annul_status(&t, "ANN-A", st, sizeof st), "VERIFICATION_PENDING");
    ck_assert_int_eq(cap.count, 0);
    /* following survives a restart of the worker */
    obt_reopen(&t);
    /* a primary user decides on the web UI */
    ck_assert_int_eq(sim_annulment_decide(t.sim, txid, approve, "primaryuser"), 0);
    run_until(&t, sent + 4 * DAY_MS);
    ck_assert_int_eq(reqs(&t, "queryTransactionStatus") - q0, 8); /* the poll at 80 h */
    ck_assert_str_eq(annul_status(&t, "ANN-A", st, sizeof st),
                     approve ? "VERIFICATION_DONE" : "VERIFICATION_REJECTED");
    ck_assert(obt_history_has(&t, "ANN-A", approve ? "annulment-decided txid="
                                               : "verification=VERIFICATION_REJECTED", NULL));
    ck_assert(obt_history_has(&t, "ANN-A", "user=primaryuser", NULL));
    ck_assert_int_eq(cap.count, 1);
    ck_assert_int_eq(cap.level, approve ? NAVOI_LOG_INFO : NAVOI_LOG_WARN);
    ck_assert_str_eq(cap.corr, rid);
    /* the item stays DONE and is no longer followed */
    ck_assert_int_eq(navoi_outbox_item_get(t.ob, "ANN-A", &it), NAVOI_OK);
    ck_assert_int_eq(navoi_outbox_item_times(it, NULL, &due), NAVOI_OK);
    ck_assert_int_eq(due, 0);
    navoi_outbox_item_free(it);
    ck_assert_int_eq(navoi_outbox_next_due(t.ob, &due), NAVOI_OK);
    ck_assert_int_eq(due, 0);
    run_until(&t, sent + 70 * DAY_MS);
    ck_assert_int_eq(reqs(&t, "queryTransactionStatus") - q0, 8);
    /* NAV's side: approved annuls the report, rejected leaves it valid */
    sim_ledger_get(t.sim, OBT_TAX, approve ? "OB-AF-1" : "OB-AF-2", &e);
    ck_assert_int_eq(e.annulled, approve);
    obt_teardown(&t);
}

START_TEST(annulment_approved_after_3_days)
{
    annulment_decided(1);
}
END_TEST

START_TEST(annulment_rejected_warns)
{
    annulment_decided(0);
}
END_TEST

START_TEST(annulment_never_decided_stops)
{
    obt t;
    log_cap cap;
    char txid[32], rid[40], st[64];
    int64_t sent, due = 1;
    long q0;

    obt_setup(&t, NULL, 22);
    memset(&cap, 0, sizeof cap);
    cap.needle = "not followed";
    navoi_client_set_log(t.client, cap_log, NAVOI_LOG_DEBUG, &cap);
    sent = annulled(&t, "OB-AF-3", txid, rid);
    q0 = reqs(&t, "queryTransactionStatus");
    run_until(&t, sent + 59 * DAY_MS);
    ck_assert_int_eq(cap.count, 0);
    run_until(&t, sent + 61 * DAY_MS);
    /* 1, 2, 4, 8, 16, 32 h, then daily from 56 h to 1424 h (58), and the
     * last one at the 60-day horizon */
    ck_assert_int_eq(reqs(&t, "queryTransactionStatus") - q0, 6 + 58 + 1);
    ck_assert_str_eq(annul_status(&t, "ANN-A", st, sizeof st), "VERIFICATION_PENDING");
    ck_assert(obt_history_has(&t, "ANN-A", "annulment-unfollowed txid=", NULL));
    ck_assert_int_eq(cap.count, 1);
    ck_assert_int_eq(cap.level, NAVOI_LOG_WARN);
    ck_assert_str_eq(cap.corr, rid);
    ck_assert_int_eq(navoi_outbox_next_due(t.ob, &due), NAVOI_OK);
    ck_assert_int_eq(due, 0);
    run_until(&t, sent + 120 * DAY_MS);
    ck_assert_int_eq(reqs(&t, "queryTransactionStatus") - q0, 65);
    obt_teardown(&t);
}
END_TEST

START_TEST(annulment_policy)
{
    obt t;
    log_cap cap;
    char st[64];
    int64_t due = 1;
    long q0;

    obt_setup(&t, NULL, 25);
    ck_assert_int_eq(navoi_outbox_set_policy_annulment(NULL, 1, 1, 0), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_outbox_set_policy_annulment(t.ob, 0, 1, 0), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_outbox_set_policy_annulment(t.ob, 2, 1, 0), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_outbox_set_policy_annulment(t.ob, 1, 1, -1), NAVOI_EINVAL);
    /* horizon 0: not followed, and said so */
    ck_assert_int_eq(navoi_outbox_set_policy_annulment(t.ob, 1000, 1000, 0), NAVOI_OK);
    memset(&cap, 0, sizeof cap);
    cap.needle = "not followed";
    navoi_client_set_log(t.client, cap_log, NAVOI_LOG_DEBUG, &cap);
    obt_enqueue(&t, "A", "OB-AF-7");
    ck_assert_int_eq(navoi_outbox_enqueue_annulment(t.ob, "ANN-A", "A", NAVOI_ANNUL_ERRATIC_DATA,
                                                    "wrong data reported", NULL),
                     NAVOI_OK);
    obt_run(&t, 200);
    ck_assert_str_eq(annul_status(&t, "ANN-A", st, sizeof st), "VERIFICATION_PENDING");
    ck_assert_int_eq(cap.count, 1);
    ck_assert_int_eq(cap.level, NAVOI_LOG_WARN);
    ck_assert_int_eq(navoi_outbox_next_due(t.ob, &due), NAVOI_OK);
    ck_assert_int_eq(due, 0);
    q0 = reqs(&t, "queryTransactionStatus");
    run_until(&t, sim_now_ms(t.sim) + 10 * DAY_MS);
    ck_assert_int_eq(reqs(&t, "queryTransactionStatus"), q0);
    obt_teardown(&t);
}
END_TEST

START_TEST(annulment_follow_yields_to_new_work)
{
    obt t;
    char txid[32], rid[40];
    int64_t sent, due = 0, now;
    long q0, m0;
    int did = 0;

    obt_setup(&t, NULL, 23);
    sent = annulled(&t, "OB-AF-4", txid, rid);
    /* NAV's pace from here on: one request per second */
    ck_assert_int_eq(navoi_outbox_set_policy_batch(t.ob, 100, 1000), NAVOI_OK);
    ck_assert_int_eq(navoi_outbox_next_due(t.ob, &due), NAVOI_OK);
    now = sim_now_ms(t.sim);
    ck_assert_int_gt(due, now);
    sim_clock_advance(t.sim, due - now + 5000);
    /* the follow-up poll is due; a new invoice arrives at the same moment */
    obt_enqueue(&t, "B", "OB-AF-5");
    q0 = reqs(&t, "queryTransactionStatus");
    m0 = reqs(&t, "manageInvoice");
    ck_assert_int_eq(navoi_outbox_step(t.ob, &did), NAVOI_OK);
    ck_assert_int_eq(did, 1);
    ck_assert_int_eq(reqs(&t, "manageInvoice"), m0 + 1);
    ck_assert_int_eq(reqs(&t, "queryTransactionStatus"), q0);
    /* the same pacing: nothing within the second */
    ck_assert_int_eq(navoi_outbox_step(t.ob, &did), NAVOI_OK);
    ck_assert_int_eq(did, 0);
    /* B's status poll goes before the follow-up poll */
    sim_clock_advance(t.sim, 1000);
    ck_assert_int_eq(navoi_outbox_step(t.ob, &did), NAVOI_OK);
    ck_assert_int_eq(did, 1);
    ck_assert_int_eq(obt_item_state(&t, "B"), NAVOI_ITEM_DONE);
    ck_assert_int_eq(reqs(&t, "queryTransactionStatus"), q0 + 1);
    ck_assert(obt_history_has(&t, "ANN-A", "done txid=", NULL));
    /* then, with nothing else due, the follow-up poll */
    sim_clock_advance(t.sim, 1000);
    ck_assert_int_eq(navoi_outbox_step(t.ob, &did), NAVOI_OK);
    ck_assert_int_eq(did, 1);
    ck_assert_int_eq(reqs(&t, "queryTransactionStatus"), q0 + 2);
    ck_assert_int_eq(navoi_outbox_next_due(t.ob, &due), NAVOI_OK);
    ck_assert_int_ge(due, sent + 2 * HOUR_MS);
    obt_teardown(&t);
}
END_TEST

START_TEST(amendment_waits_for_annulment_decision)
{
    obt t;
    char txid[32], rid[40], st[64];
    navoi_invoice *b;
    navoi_outbox_item *it = NULL;
    int64_t sent;
    long m0;

    obt_setup(&t, NULL, 24);
    sent = annulled(&t, "OB-AF-6", txid, rid);
    m0 = reqs(&t, "manageInvoice");
    /* NAV would abort it with ANNULMENT_IN_PROGRESS: it waits instead */
    b = obt_invoice("demo-modify-1.xml", "OB-AF-6-M1", "OB-AF-6", NAVOI_OP_MODIFY);
    ck_assert_int_eq(navoi_outbox_enqueue(t.ob, "B", b, NULL, NULL), NAVOI_OK);
    navoi_invoice_free(b);
    run_until(&t, sent + DAY_MS);
    ck_assert_int_eq(reqs(&t, "manageInvoice"), m0);
    ck_assert_int_eq(obt_item_state(&t, "B"), NAVOI_ITEM_PENDING);
    ck_assert(obt_history_has(&t, "B", "waiting annulment=ANN-A original=A", NULL));
    ck_assert_int_eq(navoi_outbox_item_get(t.ob, "B", &it), NAVOI_OK);
    ck_assert_ptr_nonnull(strstr(navoi_outbox_item_error(it, NULL, NULL, NULL, NULL),
                                 "ANNULMENT_IN_PROGRESS"));
    ck_assert_uint_eq(navoi_outbox_item_history_count(it), 2); /* enqueued, waiting: once */
    navoi_outbox_item_free(it);
    /* rejected: the invoice stays valid and the amendment goes out */
    ck_assert_int_eq(sim_annulment_decide(t.sim, txid, 0, "primaryuser"), 0);
    run_until(&t, sent + 2 * DAY_MS);
    ck_assert_str_eq(annul_status(&t, "ANN-A", st, sizeof st), "VERIFICATION_REJECTED");
    ck_assert_int_eq(obt_item_state(&t, "B"), NAVOI_ITEM_DONE);
    ck_assert_int_eq(reqs(&t, "manageInvoice"), m0 + 1);
    ck_assert_int_eq(obt_accepted(&t, "OB-AF-6-M1"), 1);
    obt_teardown(&t);
}
END_TEST

/* ---- the fault matrix (PROTOCOL.md 7) ---- */

typedef struct fault_case {
    const char *fault;  /* sim fault spec */
    int cat;            /* category right after the first failure */
    int state;          /* item state right after it */
    long manage;        /* manageInvoice requests in total */
    long list;          /* queryTransactionList requests in total */
    long token;         /* tokenExchange requests in total */
    int64_t min_delay, max_delay; /* due - now after the failure */
} fault_case;

#define J(d) (int64_t)((d) * 0.8) - 1, (int64_t)((d) * 1.2) + 1
static const fault_case k_faults[] = {
    {"http500:manageInvoice", NAVOI_CAT_AMBIGUOUS, NAVOI_ITEM_SENDING, 2, 1, 2, 300000, 300000},
    {"http502:manageInvoice", NAVOI_CAT_AMBIGUOUS, NAVOI_ITEM_SENDING, 2, 1, 2, 300000, 300000},
    {"http503:manageInvoice", NAVOI_CAT_AMBIGUOUS, NAVOI_ITEM_SENDING, 2, 1, 2, 300000, 300000},
    {"http504:manageInvoice", NAVOI_CAT_AMBIGUOUS, NAVOI_ITEM_SENDING, 2, 1, 2, 300000, 300000},
    {"reset:manageInvoice", NAVOI_CAT_AMBIGUOUS, NAVOI_ITEM_SENDING, 2, 1, 2, 300000, 300000},
    {"drop:manageInvoice", NAVOI_CAT_AMBIGUOUS, NAVOI_ITEM_SENDING, 1, 1, 1, 300000, 300000},
    {"maintenance:manageInvoice", NAVOI_CAT_TRANSIENT, NAVOI_ITEM_PENDING, 2, 0, 2, J(30000)},
    {"token-reject:manageInvoice", NAVOI_CAT_TRANSIENT, NAVOI_ITEM_PENDING, 2, 0, 2, J(30000)},
    {"http503:tokenExchange", NAVOI_CAT_TRANSIENT, NAVOI_ITEM_PENDING, 1, 0, 2, J(30000)},
    {"maintenance:tokenExchange", NAVOI_CAT_TRANSIENT, NAVOI_ITEM_PENDING, 1, 0, 2, J(30000)},
    {"reset:tokenExchange", NAVOI_CAT_TRANSIENT, NAVOI_ITEM_PENDING, 1, 0, 2, J(30000)},
    {"slow:manageInvoice:1:300", NAVOI_CAT_NONE, NAVOI_ITEM_SENT, 1, 0, 1, 1000, 1000},
    {"rate-limit:manageInvoice", NAVOI_CAT_NONE, NAVOI_ITEM_SENT, 1, 0, 1, 1000, 1000},
    {"slow-processing:manageInvoice:1:20000", NAVOI_CAT_NONE, NAVOI_ITEM_SENT, 1, 0, 1, 1000,
     1000},
};
#undef J

START_TEST(fault_matrix)
{
    const fault_case *fc = &k_faults[_i];
    obt t;
    navoi_outbox_item *it = NULL;
    int did = 0, cat = -1;
    int64_t now, due = 0;
    const char *nav = NULL;

    obt_setup(&t, NULL, 100 + (uint64_t)_i);
    ck_assert_int_eq(sim_fault_add_spec(t.sim, fc->fault), 0);
    obt_enqueue(&t, "K", "OB-FM-1");
    now = sim_now_ms(t.sim);
    ck_assert_int_eq(navoi_outbox_step(t.ob, &did), NAVOI_OK);
    ck_assert_int_eq(did, 1);
    ck_assert_int_eq(navoi_outbox_item_get(t.ob, "K", &it), NAVOI_OK);
    ck_assert_msg(navoi_outbox_item_state(it) == fc->state, "%s: state %s", fc->fault,
                  navoi_outbox_state_name(navoi_outbox_item_state(it)));
    navoi_outbox_item_error(it, NULL, &cat, NULL, &nav);
    ck_assert_msg(cat == fc->cat, "%s: category %d, expected %d (%s)", fc->fault, cat, fc->cat,
                  navoi_outbox_item_error(it, NULL, NULL, NULL, NULL));
    navoi_outbox_item_times(it, NULL, &due);
    /* the simulator's clock also runs in real time: allow 2 s of it */
    ck_assert_msg(due - now >= fc->min_delay && due - now <= fc->max_delay + 2000,
                  "%s: next action after %lld ms, expected %lld..%lld", fc->fault,
                  (long long)(due - now), (long long)fc->min_delay, (long long)fc->max_delay);
    navoi_outbox_item_free(it);
    /* nothing happens before the next action is due */
    ck_assert_int_eq(navoi_outbox_step(t.ob, &did), NAVOI_OK);
    if (fc->state != NAVOI_ITEM_SENT)
        ck_assert_int_eq(did, 0);
    obt_run(&t, 500);
    ck_assert_int_eq(obt_item_state(&t, "K"), NAVOI_ITEM_DONE);
    ck_assert_int_eq(obt_accepted(&t, "OB-FM-1"), 1);
    ck_assert_msg(reqs(&t, "manageInvoice") == fc->manage, "%s: %ld manageInvoice", fc->fault,
                  reqs(&t, "manageInvoice"));
    ck_assert_msg(reqs(&t, "queryTransactionList") == fc->list, "%s: %ld lists", fc->fault,
                  reqs(&t, "queryTransactionList"));
    ck_assert_msg(reqs(&t, "tokenExchange") == fc->token, "%s: %ld tokens", fc->fault,
                  reqs(&t, "tokenExchange"));
    obt_teardown(&t);
}
END_TEST

START_TEST(poll_failures_are_retried)
{
    obt t;
    obt_setup(&t, NULL, 7);
    ck_assert_int_eq(sim_fault_add_spec(t.sim, "http503:queryTransactionStatus:3"), 0);
    obt_enqueue(&t, "K", "OB-P-1");
    obt_run(&t, 100);
    ck_assert_int_eq(obt_item_state(&t, "K"), NAVOI_ITEM_DONE);
    ck_assert_int_eq(reqs(&t, "manageInvoice"), 1);
    ck_assert_int_ge(reqs(&t, "queryTransactionStatus"), 4);
    ck_assert(obt_history_has(&t, "K", "poll-failed", NULL));
    obt_teardown(&t);
}
END_TEST

START_TEST(config_error_halts)
{
    obt t;
    int did = 0;
    obt_setup(&t, NULL, 8);
    ck_assert_int_eq(navoi_client_set_password(t.client, "wrong-password"), NAVOI_OK);
    obt_enqueue(&t, "K", "OB-H-1");
    ck_assert_int_eq(navoi_outbox_step(t.ob, &did), NAVOI_ECONFIG);
    ck_assert_ptr_nonnull(navoi_outbox_halt_reason(t.ob));
    ck_assert_ptr_nonnull(strstr(navoi_outbox_halt_reason(t.ob), "INVALID_SECURITY_USER"));
    ck_assert_ptr_null(strstr(navoi_outbox_halt_reason(t.ob), "wrong-password"));
    /* halted: nothing more is sent */
    ck_assert_int_eq(navoi_outbox_step(t.ob, &did), NAVOI_ECONFIG);
    ck_assert_int_eq(reqs(&t, "tokenExchange"), 1);
    ck_assert_int_eq(reqs(&t, "manageInvoice"), 0);
    ck_assert_int_eq(obt_item_state(&t, "K"), NAVOI_ITEM_PENDING);
    /* fixed and resumed */
    ck_assert_int_eq(navoi_client_set_password(t.client, "Outbox-Jelszo-01"), NAVOI_OK);
    navoi_outbox_resume(t.ob);
    ck_assert_ptr_null(navoi_outbox_halt_reason(t.ob));
    obt_run(&t, 100);
    ck_assert_int_eq(obt_item_state(&t, "K"), NAVOI_ITEM_DONE);
    obt_teardown(&t);
}
END_TEST

/* A hang longer than the client's timeout: the request is committed late.
 * Whether the lost-transaction check sees it or the resubmission races
 * it, the invoice is reported once. */
START_TEST(late_commit_after_timeout)
{
    obt t;
    obt_setup(&t, NULL, 9);
    t.client->manage_ms = 1000; /* internal: below the public 61 s floor */
    ck_assert_int_eq(sim_fault_add_spec(t.sim, "hang:manageInvoice:1:2500"), 0);
    obt_enqueue(&t, "K", "OB-L-1");
    obt_run(&t, 300);
    usleep(2000000); /* let the hung request finish in the simulator */
    obt_run(&t, 300);
    ck_assert_int_eq(obt_item_state(&t, "K"), NAVOI_ITEM_DONE);
    ck_assert_int_eq(obt_accepted(&t, "OB-L-1"), 1);
    obt_teardown(&t);
}
END_TEST

/* ---- seeded ambiguous runs: commit then drop, resets, gateway errors ---- */

START_TEST(ambiguous_seeded)
{
    static const char *const kinds[] = {"drop", "reset", "http502", "http504", "drop", "hang"};
    uint64_t seed = obt_seed(20261121);
    obt t;
    int run, runs = getenv("NAVOI_OUTBOX_RUNS") ? atoi(getenv("NAVOI_OUTBOX_RUNS")) : 25;
    int total = 0;

    obt_setup(&t, NULL, seed);
    t.client->manage_ms = 1000;
    for (run = 0; run < runs; run++) {
        uint64_t r = obt_rand(&t.rng);
        int n = 1 + (int)(r % 12), i, nf = 1 + (int)((r >> 8) % 3);
        char spec[64], key[32], num[32];
        ck_assert_int_eq(navoi_outbox_set_policy_batch(t.ob, 1 + (uint32_t)((r >> 16) % 5), 0),
                         NAVOI_OK);
        for (i = 0; i < nf; i++) {
            const char *k = kinds[obt_rand(&t.rng) % 6];
            snprintf(spec, sizeof spec, "%s:manageInvoice:1%s", k,
                     strcmp(k, "hang") ? "" : ":1500");
            ck_assert_int_eq(sim_fault_add_spec(t.sim, spec), 0);
        }
        if (obt_rand(&t.rng) % 3 == 0)
            ck_assert_int_eq(sim_fault_add_spec(t.sim, "http503:queryTransactionList:1"), 0);
        for (i = 0; i < n; i++) {
            snprintf(key, sizeof key, "amb-%d-%d", run, i);
            snprintf(num, sizeof num, "OB-A-%d-%d", run, i);
            obt_enqueue(&t, key, num);
        }
        /* a few restarts between steps */
        for (i = 0; i < 3; i++) {
            obt_run(&t, 1 + (int)(obt_rand(&t.rng) % 6));
            obt_reopen(&t);
        }
        obt_run(&t, 2000);
        usleep(600000); /* hung requests finish inside the simulator */
        obt_run(&t, 2000);
        for (i = 0; i < n; i++) {
            snprintf(key, sizeof key, "amb-%d-%d", run, i);
            snprintf(num, sizeof num, "OB-A-%d-%d", run, i);
            ck_assert_msg(obt_item_state(&t, key) == NAVOI_ITEM_DONE, "seed %llu run %d: %s %s",
                          (unsigned long long)seed, run, key,
                          navoi_outbox_state_name(obt_item_state(&t, key)));
            ck_assert_msg(obt_accepted(&t, num) == 1, "seed %llu run %d: %s accepted %d times",
                          (unsigned long long)seed, run, num, obt_accepted(&t, num));
            total++;
        }
        sim_fault_clear(t.sim);
    }
    printf("ambiguous_seeded: %d runs, %d invoices, %ld manageInvoice, %ld lists\n", runs, total,
           reqs(&t, "manageInvoice"), reqs(&t, "queryTransactionList"));
    obt_teardown(&t);
}
END_TEST

/* ---- a 24-hour outage on the clock hook ---- */

static void outage(int64_t outage_ms, int expect_attention)
{
    obt t;
    int64_t t0, last = 0, first_fail = 0, recovered_at = 0, done_at = 0, gap;
    long tokens = 0;
    int attempts = 0, i, all_done;
    char key[16], num[32];

    obt_setup(&t, NULL, 11);
    for (i = 0; i < 5; i++) {
        snprintf(key, sizeof key, "O%d", i);
        snprintf(num, sizeof num, "OB-O-%lld-%d", (long long)outage_ms, i);
        obt_enqueue(&t, key, num);
    }
    sim_set_maintenance(t.sim, SIM_MAINT_FULL);
    t0 = sim_now_ms(t.sim);
    for (;;) {
        int did = 0;
        int64_t now = sim_now_ms(t.sim), due = 0;
        if (!recovered_at && now - t0 >= outage_ms) {
            sim_set_maintenance(t.sim, SIM_MAINT_OFF);
            recovered_at = now;
        }
        ck_assert_int_eq(navoi_outbox_step(t.ob, &did), NAVOI_OK);
        if (reqs(&t, "tokenExchange") != tokens) {
            tokens = reqs(&t, "tokenExchange");
            if (!recovered_at) {
                attempts++;
                if (!first_fail)
                    first_fail = now;
                if (last) {
                    /* retry n follows failure n-1: 30 s doubling, cap 5 min, +-20 %;
                     * the last one is placed at the 24 h horizon */
                    int64_t d = 30000;
                    int k;
                    for (k = 2; k < attempts && d < 300000; k++)
                        d *= 2;
                    if (d > 300000)
                        d = 300000;
                    gap = now - last;
                    ck_assert_msg((gap >= d * 8 / 10 && gap <= d * 12 / 10 + 1000) ||
                                      (gap <= d * 12 / 10 + 1000 &&
                                       now >= first_fail + 24 * HOUR_MS - 1000),
                                  "attempt %d after %lld ms, expected %lld +-20%%", attempts,
                                  (long long)gap, (long long)d);
                }
                last = now;
            }
        }
        /* nothing is given up before 24 h */
        now = sim_now_ms(t.sim);
        for (i = 0; i < 5; i++) {
            snprintf(key, sizeof key, "O%d", i);
            if (now < first_fail + 24 * HOUR_MS)
                ck_assert_int_ne(obt_item_state(&t, key), NAVOI_ITEM_NEEDS_ATTENTION);
        }
        if (did)
            continue;
        all_done = 1;
        for (i = 0; i < 5; i++) {
            int st;
            snprintf(key, sizeof key, "O%d", i);
            st = obt_item_state(&t, key);
            if (st != NAVOI_ITEM_DONE && st != NAVOI_ITEM_NEEDS_ATTENTION)
                all_done = 0;
        }
        if (all_done) {
            done_at = now;
            break;
        }
        ck_assert_int_eq(navoi_outbox_next_due(t.ob, &due), NAVOI_OK);
        ck_assert_int_gt(due, 0);
        /* the outage ends at its own time, not only at a due time */
        if (!recovered_at && due > t0 + outage_ms)
            due = t0 + outage_ms;
        if (due > now)
            sim_clock_advance(t.sim, due - now);
        ck_assert_int_lt(now - t0, 40 * HOUR_MS);
    }
    for (i = 0; i < 5; i++) {
        snprintf(key, sizeof key, "O%d", i);
        snprintf(num, sizeof num, "OB-O-%lld-%d", (long long)outage_ms, i);
        if (expect_attention) {
            navoi_outbox_item *it = NULL;
            int cat = 0;
            ck_assert_int_eq(obt_item_state(&t, key), NAVOI_ITEM_NEEDS_ATTENTION);
            ck_assert_int_eq(obt_accepted(&t, num), 0);
            ck_assert_int_eq(navoi_outbox_item_get(t.ob, key, &it), NAVOI_OK);
            navoi_outbox_item_error(it, NULL, &cat, NULL, NULL);
            ck_assert_int_eq(cat, NAVOI_CAT_TRANSIENT);
            navoi_outbox_item_free(it);
        } else {
            ck_assert_int_eq(obt_item_state(&t, key), NAVOI_ITEM_DONE);
            ck_assert_int_eq(obt_accepted(&t, num), 1);
        }
    }
    if (expect_attention) {
        ck_assert_int_ge(done_at - first_fail, 24 * HOUR_MS);
        ck_assert_int_le(done_at - first_fail, 24 * HOUR_MS + 1000);
        /* the operator re-queues them after NAV is back */
        sim_set_maintenance(t.sim, SIM_MAINT_OFF);
        for (i = 0; i < 5; i++) {
            snprintf(key, sizeof key, "O%d", i);
            ck_assert_int_eq(navoi_outbox_retry(t.ob, key), NAVOI_OK);
        }
        obt_run(&t, 100);
        for (i = 0; i < 5; i++) {
            snprintf(key, sizeof key, "O%d", i);
            snprintf(num, sizeof num, "OB-O-%lld-%d", (long long)outage_ms, i);
            ck_assert_int_eq(obt_item_state(&t, key), NAVOI_ITEM_DONE);
            ck_assert_int_eq(obt_accepted(&t, num), 1);
        }
    } else {
        /* soon after recovery: within one capped backoff plus polling */
        ck_assert_int_le(done_at - recovered_at, 360000 + 5000);
    }
    printf("outage %lld h: %d attempts during the outage\n", (long long)(outage_ms / HOUR_MS),
           attempts);
    obt_teardown(&t);
}

START_TEST(outage_30h_needs_attention)
{
    outage(30 * HOUR_MS, 1);
}
END_TEST

START_TEST(outage_10h_recovers)
{
    outage(10 * HOUR_MS, 0);
}
END_TEST

/* ---- a reused connection that answers nothing ---- */

START_TEST(reused_connection_no_second_manage)
{
    obt t;
    navoi_result *r = NULL;
    int did = 0;
    obt_setup(&t, NULL, 12);
    /* warm a keep-alive connection with a query */
    ck_assert_int_eq(navoi_query_taxpayer(t.client, OBT_TAX, &r), NAVOI_OK);
    navoi_result_free(r);
    ck_assert_int_eq(sim_fault_add_spec(t.sim, "reset:manageInvoice:1"), 0);
    obt_enqueue(&t, "K", "OB-R-1");
    ck_assert_int_eq(navoi_outbox_step(t.ob, &did), NAVOI_OK);
    ck_assert_int_eq(did, 1);
    /* exactly one manageInvoice reached the simulator: no transparent re-send */
    ck_assert_int_eq(reqs(&t, "manageInvoice"), 1);
    ck_assert_int_eq(obt_item_state(&t, "K"), NAVOI_ITEM_SENDING);
    /* not before the lost-transaction check */
    sim_clock_advance(t.sim, 299000);
    ck_assert_int_eq(navoi_outbox_step(t.ob, &did), NAVOI_OK);
    ck_assert_int_eq(did, 0);
    ck_assert_int_eq(reqs(&t, "manageInvoice"), 1);
    obt_run(&t, 100);
    ck_assert_int_eq(obt_item_state(&t, "K"), NAVOI_ITEM_DONE);
    ck_assert_int_eq(reqs(&t, "queryTransactionList"), 1);
    ck_assert_int_eq(reqs(&t, "manageInvoice"), 2);
    ck_assert_int_eq(obt_accepted(&t, "OB-R-1"), 1);
    /* the resubmission reused the requestId of the lost attempt */
    {
        navoi_outbox_item *it = NULL;
        ck_assert_int_eq(navoi_outbox_item_get(t.ob, "K", &it), NAVOI_OK);
        ck_assert_int_eq(navoi_outbox_item_attempts(it), 2);
        ck_assert(obt_history_has(&t, "K", "verdict=absent", NULL));
        navoi_outbox_item_free(it);
    }
    obt_teardown(&t);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("outbox-sim");
    TCase *tc = tcase_create("sim");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, batches_of_100);
    tcase_add_test(tc, duplicate_enqueue);
    tcase_add_test(tc, chains_wait_for_their_original);
    tcase_add_test(tc, amendment_of_failed_original_fails);
    tcase_add_test(tc, annulment_item);
    tcase_add_test(tc, annulment_approved_after_3_days);
    tcase_add_test(tc, annulment_rejected_warns);
    tcase_add_test(tc, annulment_never_decided_stops);
    tcase_add_test(tc, annulment_policy);
    tcase_add_test(tc, annulment_follow_yields_to_new_work);
    tcase_add_test(tc, amendment_waits_for_annulment_decision);
    tcase_add_loop_test(tc, fault_matrix, 0, (int)(sizeof k_faults / sizeof k_faults[0]));
    tcase_add_test(tc, poll_failures_are_retried);
    tcase_add_test(tc, config_error_halts);
    tcase_add_test(tc, late_commit_after_timeout);
    tcase_add_test(tc, ambiguous_seeded);
    tcase_add_test(tc, outage_30h_needs_attention);
    tcase_add_test(tc, outage_10h_recovers);
    tcase_add_test(tc, reused_connection_no_second_manage);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return nt_run(suite());
}
