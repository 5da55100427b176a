/*
 * test_metrics.c - suite 'sync': navoi_metrics after a known outbox
 * scenario against the simulator: three invoices reported after one
 * transient outage, one duplicate number that NAV aborts, then an
 * operator retry. Expected values follow from the scenario.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "obtest.h"
#include "testutil.h"

static double value(navoi_metrics *m, const char *series)
{
    double v = -1;
    int rc = navoi_metrics_value(m, series, &v);
    ck_assert_msg(rc == NAVOI_OK, "series %s: %s", series, navoi_strerror(rc));
    return v;
}

START_TEST(known_scenario)
{
    obt t;
    navoi_metrics *m = NULL;
    navoi_outbox_item *it = NULL;
    char *text = NULL, *csv = NULL, *line;
    const char *keys[] = {"m-1", "m-2", "m-3"};
    double retries = 0;
    int64_t done_sum = 0, last_backlog = -1;
    size_t i;

    obt_setup(&t, NULL, 7);
    ck_assert_int_eq(navoi_metrics_new(&m, t.ob), NAVOI_OK);
    ck_assert_int_eq(navoi_metrics_refresh(m), NAVOI_OK);
    ck_assert(value(m, "navoi_outbox_enqueued_total") == 0);
    ck_assert(value(m, "navoi_outbox_success_ratio") == 1);
    ck_assert(value(m, "navoi_outbox_last_success_timestamp_seconds") == 0);

    obt_enqueue(&t, "m-1", "MET-0001");
    obt_enqueue(&t, "m-2", "MET-0002");
    obt_enqueue(&t, "m-3", "MET-0003");
    ck_assert_int_eq(navoi_metrics_refresh(m), NAVOI_OK);
    ck_assert(value(m, "navoi_outbox_backlog_items") == 3);
    ck_assert(value(m, "navoi_outbox_items{state=\"PENDING\"}") == 3);
    ck_assert(value(m, "navoi_outbox_enqueued_total") == 3);

    ck_assert_int_eq(sim_fault_add(t.sim, SIM_FAULT_HTTP503, "manageInvoice", 1, 0), 0);
    obt_run(&t, 500);
    for (i = 0; i < 3; i++)
        ck_assert_int_eq(obt_item_state(&t, keys[i]), NAVOI_ITEM_DONE);
    /* a duplicate number: NAV aborts it with INVOICE_NUMBER_NOT_UNIQUE */
    obt_enqueue(&t, "m-dup", "MET-0001");
    obt_run(&t, 500);
    ck_assert_int_eq(obt_item_state(&t, "m-dup"), NAVOI_ITEM_ABORTED);

    ck_assert_int_eq(navoi_metrics_refresh(m), NAVOI_OK);
    ck_assert(value(m, "navoi_outbox_items{state=\"DONE\"}") == 3);
    ck_assert(value(m, "navoi_outbox_items{state=\"ABORTED\"}") == 1);
    ck_assert(value(m, "navoi_outbox_items{state=\"PENDING\"}") == 0);
    ck_assert(value(m, "navoi_outbox_backlog_items") == 0);
    ck_assert(value(m, "navoi_outbox_backlog_oldest_age_seconds") == 0);
    ck_assert(value(m, "navoi_outbox_enqueued_total") == 4);
    ck_assert(value(m, "navoi_outbox_submissions_total{outcome=\"done\"}") == 3);
    ck_assert(value(m, "navoi_outbox_submissions_total{outcome=\"aborted\"}") == 1);
    ck_assert(value(m, "navoi_outbox_submissions_total{outcome=\"failed\"}") == 0);
    ck_assert(value(m, "navoi_outbox_success_ratio") == 0.75);
    ck_assert(value(m, "navoi_outbox_nav_errors_total{code=\"INVOICE_NUMBER_NOT_UNIQUE\","
                       "category=\"DATA\"}") == 1);
    ck_assert(value(m, "navoi_outbox_errors_total{category=\"DATA\"}") >= 1);
    /* the 503 without a body left the outcome open (AMBIGUOUS) or was transient */
    ck_assert(value(m, "navoi_outbox_errors_total{category=\"TRANSIENT\"}") +
                  value(m, "navoi_outbox_errors_total{category=\"AMBIGUOUS\"}") >= 1);
    ck_assert(value(m, "navoi_outbox_processing_delay_seconds_count") == 3);
    ck_assert(value(m, "navoi_outbox_processing_delay_seconds_bucket{le=\"+Inf\"}") == 3);
    ck_assert(value(m, "navoi_outbox_processing_delay_seconds_sum") >= 0);
    /* the retries are the extra manage requests each item rode on */
    for (i = 0; i < 3; i++) {
        ck_assert_int_eq(navoi_outbox_item_get(t.ob, keys[i], &it), NAVOI_OK);
        retries += navoi_outbox_item_attempts(it) - 1;
        navoi_outbox_item_free(it);
    }
    ck_assert(retries >= 1);
    ck_assert(value(m, "navoi_outbox_retries_total") == retries);
    ck_assert(value(m, "navoi_outbox_last_success_timestamp_seconds") > 1.7e9);
    ck_assert(value(m, "navoi_outbox_last_success_timestamp_seconds") <=
              (double)(sim_now_ms(t.sim) / 1000));
    {
        double x;
        ck_assert_int_eq(navoi_metrics_value(m, "navoi_outbox_nope", &x), NAVOI_ENOTFOUND);
    }

    /* the text is Prometheus exposition format: HELP/TYPE, then samples */
    ck_assert_int_eq(navoi_metrics_text(m, &text), NAVOI_OK);
    ck_assert_ptr_nonnull(strstr(text, "# TYPE navoi_outbox_processing_delay_seconds histogram\n"));
    ck_assert_ptr_nonnull(strstr(text, "# TYPE navoi_outbox_submissions_total counter\n"));
    for (line = text; *line; line = strchr(line, '\n') + 1) {
        if (*line != '#')
            ck_assert_msg(line[0] == 'n' && strchr(line, ' ') < strchr(line, '\n'), "%.80s",
                          line);
    }
    navoi_free(text);

    /* timeline: all DONE counted, backlog back to 0 */
    ck_assert_int_eq(navoi_metrics_timeline(m, 60000, &csv), NAVOI_OK);
    ck_assert(!strncmp(csv, "time_ms,enqueued,done,", 22));
    for (line = strchr(csv, '\n') + 1; *line; line = strchr(line, '\n') + 1) {
        long long tm, enq, done, ab, fa, na, bl, avg, mx;
        ck_assert_int_eq(sscanf(line, "%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld", &tm, &enq,
                                &done, &ab, &fa, &na, &bl, &avg, &mx),
                         9);
        done_sum += done;
        last_backlog = bl;
    }
    ck_assert_int_eq(done_sum, 3);
    ck_assert_int_eq(last_backlog, 0);
    navoi_free(csv);
    ck_assert_int_eq(navoi_metrics_timeline(m, 1000, &csv), NAVOI_EINVAL);

    /* a person re-queues the aborted item: incremental refresh sees it */
    ck_assert_int_eq(navoi_outbox_item_get(t.ob, "m-dup", &it), NAVOI_OK);
    ck_assert_ptr_nonnull(strstr(navoi_outbox_item_advice(it), "already holds"));
    navoi_outbox_item_free(it);
    ck_assert_int_eq(navoi_outbox_retry(t.ob, "m-dup"), NAVOI_OK);
    ck_assert_int_eq(navoi_metrics_refresh(m), NAVOI_OK);
    ck_assert(value(m, "navoi_outbox_operator_retries_total") == 1);
    ck_assert(value(m, "navoi_outbox_backlog_items") == 1);
    ck_assert(value(m, "navoi_outbox_enqueued_total") == 4);

    /* the one-shot text agrees with the incremental reader */
    ck_assert_int_eq(navoi_outbox_metrics_text(t.ob, &text), NAVOI_OK);
    ck_assert_ptr_nonnull(strstr(text, "\nnavoi_outbox_operator_retries_total 1\n"));
    ck_assert_ptr_nonnull(strstr(text, "\nnavoi_outbox_enqueued_total 4\n"));
    navoi_free(text);
    navoi_metrics_free(m);
    obt_teardown(&t);
}
END_TEST

/* Annulment decisions: one approved, one rejected, one never decided
 * (following stops after the horizon). */
START_TEST(annulment_decisions)
{
    obt t;
    navoi_metrics *m = NULL;
    char key[16], akey[16], num[16], txid[3][32];
    int i;

    obt_setup(&t, NULL, 11);
    ck_assert_int_eq(navoi_outbox_set_policy_annulment(t.ob, 3600000, 86400000,
                                                       (int64_t)5 * 86400000),
                     NAVOI_OK);
    for (i = 0; i < 3; i++) {
        snprintf(key, sizeof key, "a-%d", i);
        snprintf(num, sizeof num, "MET-A-%d", i);
        obt_enqueue(&t, key, num);
    }
    obt_run(&t, 200);
    for (i = 0; i < 3; i++) {
        snprintf(key, sizeof key, "a-%d", i);
        snprintf(akey, sizeof akey, "ann-%d", i);
        ck_assert_int_eq(navoi_outbox_enqueue_annulment(t.ob, akey, key,
                                                        NAVOI_ANNUL_ERRATIC_DATA, "test", NULL),
                         NAVOI_OK);
        obt_run(&t, 50); /* one annulment per request */
    }
    for (i = 0; i < 3; i++) {
        navoi_outbox_item *it = NULL;
        snprintf(akey, sizeof akey, "ann-%d", i);
        ck_assert_int_eq(navoi_outbox_item_get(t.ob, akey, &it), NAVOI_OK);
        ck_assert_str_eq(navoi_outbox_item_annulment_status(it), "VERIFICATION_PENDING");
        snprintf(txid[i], sizeof txid[i], "%s", navoi_outbox_item_transaction_id(it, NULL));
        navoi_outbox_item_free(it);
    }
    ck_assert_int_eq(sim_annulment_decide(t.sim, txid[0], 1, "primaryuser"), 0);
    ck_assert_int_eq(sim_annulment_decide(t.sim, txid[1], 0, "primaryuser"), 0);
    /* obt_run() stops at an empty backlog; the followed annulments are DONE */
    for (i = 0; i < 500; i++) {
        int did = 0;
        int64_t due = 0;
        ck_assert_int_eq(navoi_outbox_step(t.ob, &did), NAVOI_OK);
        if (did)
            continue;
        ck_assert_int_eq(navoi_outbox_next_due(t.ob, &due), NAVOI_OK);
        if (due == 0)
            break;
        if (due > sim_now_ms(t.sim))
            sim_clock_advance(t.sim, due - sim_now_ms(t.sim));
    }
    ck_assert_int_lt(i, 500);
    ck_assert_int_eq(navoi_metrics_new(&m, t.ob), NAVOI_OK);
    ck_assert_int_eq(navoi_metrics_refresh(m), NAVOI_OK);
    ck_assert(value(m, "navoi_outbox_annulment_decisions_total{verification=\"VERIFICATION_DONE\"}") ==
              1);
    ck_assert(value(m, "navoi_outbox_annulment_decisions_total{verification=\"VERIFICATION_REJECTED\"}") ==
              1);
    ck_assert(value(m, "navoi_outbox_annulments_unfollowed_total") == 1);
    navoi_metrics_free(m);
    obt_teardown(&t);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("metrics");
    TCase *tc = tcase_create("metrics");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, known_scenario);
    tcase_add_test(tc, annulment_decisions);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return nt_run(suite());
}
