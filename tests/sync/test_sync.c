/*
 * test_sync.c - suite 'sync': the INBOUND synchronisation (navoi_sync)
 * through the public API against the in-process simulator, with invoices
 * of another supplier seeded at server times spread over several 35-day
 * windows and a small page size, so windows and pages are both exercised.
 *
 * Expected values come from the test's own bookkeeping of what it seeded
 * (numbers, times) and the simulator's request counters, not from navoi.
 */
#include <check.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "e2e.h"
#include "testutil.h"

#define DAY ((int64_t)86400000)

static sim_server *g_sim;
static int64_t g_client_offset; /* client clock minus server clock */
static char g_db[256];

static int64_t sim_clock(void *ud)
{
    return sim_now_ms((sim_server *)ud) + g_client_offset;
}

static void setup(void)
{
    g_sim = e2e_sim_start("pageSize = 3\n");
    g_client_offset = 0;
    snprintf(g_db, sizeof g_db, "/tmp/navoi-sync-test-%ld.sqlite", (long)getpid());
    unlink(g_db);
}

static void rm_db(void)
{
    nt_remove_sqlite(g_db);
}

static void teardown(void)
{
    sim_stop(g_sim);
    sim_free(g_sim);
    rm_db();
}

/* An invoice of supplier 12345676 to 99999999 (e2e_seller) numbered num. */
static char *inbound_xml(const char *num, size_t *len)
{
    size_t n;
    char *path = nt_data_path("e2e/inbound-from-12345676.xml");
    char *xml = nt_read_file(path, &n);
    char *hit = strstr(xml, "E2E-IN-0001"), *out;
    ck_assert_ptr_nonnull(hit);
    free(path);
    out = malloc(n + 64);
    ck_assert_ptr_nonnull(out);
    *len = (size_t)snprintf(out, n + 64, "%.*s%s%s", (int)(hit - xml), xml, num, hit + 11);
    free(xml);
    return out;
}

static void seed(const char *num)
{
    char err[256];
    size_t len;
    char *xml = inbound_xml(num, &len);
    ck_assert_msg(sim_seed_invoice(g_sim, xml, len, err, sizeof err) == 0, "seed %s: %s", num, err);
    free(xml);
}

/* An invoice of 12345676 to someone else: invisible INBOUND for 99999999. */
static void seed_foreign(const char *num)
{
    char err[256];
    size_t len;
    char *xml = inbound_xml(num, &len), *p;
    /* the customer's taxpayerId is the first "99999999" in the document */
    p = strstr(xml, "<base:taxpayerId>99999999<");
    ck_assert_ptr_nonnull(p);
    memcpy(p + strlen("<base:taxpayerId>"), "99887764", 8);
    ck_assert_msg(sim_seed_invoice(g_sim, xml, len, err, sizeof err) == 0, "seed: %s", err);
    free(xml);
}

static navoi_client *client(void)
{
    navoi_client *c = e2e_client(g_sim, &e2e_seller, 0);
    navoi_client_set_clock(c, sim_clock, g_sim);
    return c;
}

static navoi_sync *open_sync(navoi_client *c)
{
    navoi_sync *s = NULL;
    e2e_ok(c, navoi_sync_open_sqlite(&s, c, g_db));
    ck_assert_int_eq(navoi_sync_set_pace(s, 0), NAVOI_OK);
    return s;
}

static size_t stored(navoi_sync *s)
{
    char *ids = NULL;
    size_t n = 0;
    ck_assert_int_eq(navoi_sync_list(s, 0, INT64_MAX / 2, 0, 100000, &ids, &n), NAVOI_OK);
    navoi_free(ids);
    return n;
}

static int has_number(navoi_sync *s, const char *num)
{
    char *ids = NULL, *line, *save = NULL;
    size_t n = 0;
    int found = 0;
    ck_assert_int_eq(navoi_sync_list(s, 0, INT64_MAX / 2, 0, 100000, &ids, &n), NAVOI_OK);
    for (line = strtok_r(ids, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
        if (strstr(line, num) && strchr(line, '/') && !strncmp(strchr(line, '/') + 1, num, strlen(num)) &&
            strchr(line, '/')[1 + strlen(num)] == '/')
            found++;
    navoi_free(ids);
    return found;
}

static int run(navoi_sync *s, int64_t from)
{
    int rc = navoi_sync_run(s, from);
    return rc;
}

/* 11 invoices over ~100 days: windows 1..3 get 4, 4 and 3 (pages of 3). */
static int64_t seed_spread(void)
{
    int64_t start = sim_now_ms(g_sim);
    char num[32];
    int i;
    for (i = 0; i < 11; i++) {
        snprintf(num, sizeof num, "SYNC-%03d", i + 1);
        seed(num);
        sim_clock_advance(g_sim, 9 * DAY);
    }
    seed_foreign("SYNC-FOREIGN-1");
    return start;
}

START_TEST(full_sync_over_windows_and_pages)
{
    navoi_client *c = client();
    navoi_sync *s = open_sync(c);
    int64_t start = seed_spread(), cursor = 0;
    long data0 = sim_request_count(g_sim, "queryInvoiceData");
    long dig0 = sim_request_count(g_sim, "queryInvoiceDigest");
    int interrupted = 1, i;
    char num[32];

    e2e_ok(c, run(s, start - DAY));
    ck_assert_int_eq(navoi_sync_stat(s, NAVOI_SYNC_STAT_FETCHED), 11);
    ck_assert_int_eq(navoi_sync_stat(s, NAVOI_SYNC_STAT_SEEN), 11);
    ck_assert_int_eq(navoi_sync_stat(s, NAVOI_SYNC_STAT_INCOMPLETE), 0);
    /* 1 + 9*11 = 100 days from start - 1 day: 3 windows of <= 35 days */
    ck_assert_int_eq(navoi_sync_stat(s, NAVOI_SYNC_STAT_WINDOWS), 3);
    ck_assert_int_eq(sim_request_count(g_sim, "queryInvoiceData") - data0, 11);
    /* every window needs ceil(n/3) pages, at least one each */
    ck_assert_int_ge(sim_request_count(g_sim, "queryInvoiceDigest") - dig0, 5);
    ck_assert_uint_eq(stored(s), 11);
    for (i = 0; i < 11; i++) {
        snprintf(num, sizeof num, "SYNC-%03d", i + 1);
        ck_assert_int_eq(has_number(s, num), 1);
    }
    ck_assert_int_eq(has_number(s, "SYNC-FOREIGN-1"), 0);
    ck_assert_int_eq(navoi_sync_cursor(s, &cursor, &interrupted), NAVOI_OK);
    ck_assert_int_eq(interrupted, 0);
    ck_assert(cursor >= sim_now_ms(g_sim) - 60000 && cursor <= sim_now_ms(g_sim));

    /* the stored document is the seeded one; the metadata is the digest's */
    {
        char *ids = NULL, *meta = NULL, *xml = NULL, *nl;
        size_t n = 0, xl = 0, sl;
        char *seeded = inbound_xml("SYNC-001", &sl);
        ck_assert_int_eq(navoi_sync_list(s, 0, INT64_MAX / 2, 0, 1, &ids, &n), NAVOI_OK);
        ck_assert_uint_eq(n, 1);
        nl = strchr(ids, '\n');
        *nl = '\0';
        ck_assert_msg(!strncmp(ids, "12345676/SYNC-001/", 18), "id %s", ids);
        ck_assert_int_eq(navoi_sync_invoice(s, ids, &meta, &xml, &xl), NAVOI_OK);
        ck_assert_uint_eq(xl, sl);
        ck_assert_mem_eq(xml, seeded, sl);
        ck_assert_ptr_nonnull(strstr(meta, "invoiceNumber=SYNC-001\n"));
        ck_assert_ptr_nonnull(strstr(meta, "supplierTaxNumber=12345676\n"));
        ck_assert_ptr_nonnull(strstr(meta, "customerTaxNumber=99999999\n"));
        ck_assert_ptr_nonnull(strstr(meta, "\ninsDate="));
        ck_assert_ptr_nonnull(strstr(meta, "_document=stored\n"));
        navoi_free(meta);
        ck_assert_int_eq(navoi_sync_invoice(s, "nope", &meta, NULL, NULL), NAVOI_ENOTFOUND);
        ck_assert_ptr_null(meta);
        navoi_free(ids);
        navoi_free(xml);
        free(seeded);
    }
    /* a rerun over the same range fetches nothing again */
    data0 = sim_request_count(g_sim, "queryInvoiceData");
    e2e_ok(c, run(s, start - DAY));
    ck_assert_int_eq(navoi_sync_stat(s, NAVOI_SYNC_STAT_FETCHED), 0);
    ck_assert_int_eq(navoi_sync_stat(s, NAVOI_SYNC_STAT_SKIPPED), 11);
    ck_assert_int_eq(sim_request_count(g_sim, "queryInvoiceData") - data0, 0);
    ck_assert_uint_eq(stored(s), 11);
    navoi_sync_free(s);
    e2e_client_free(c);
}
END_TEST

START_TEST(first_run_needs_a_start)
{
    navoi_client *c = client();
    navoi_sync *s = open_sync(c);
    ck_assert_int_eq(run(s, 0), NAVOI_ECONFIG);
    ck_assert_ptr_nonnull(strstr(navoi_sync_errmsg(s), "start"));
    ck_assert_int_eq(run(s, sim_now_ms(g_sim) + 10 * DAY), NAVOI_EINVAL);
    navoi_sync_free(s);
    e2e_client_free(c);
}
END_TEST

START_TEST(incremental_picks_up_only_new)
{
    navoi_client *c = client();
    navoi_sync *s = open_sync(c);
    long data0;
    int64_t start = sim_now_ms(g_sim);

    seed("INC-001");
    seed("INC-002");
    sim_clock_advance(g_sim, 2 * DAY);
    e2e_ok(c, run(s, start - 1000));
    ck_assert_int_eq(navoi_sync_stat(s, NAVOI_SYNC_STAT_FETCHED), 2);

    /* two new invoices a week later */
    sim_clock_advance(g_sim, 7 * DAY);
    seed("INC-003");
    sim_clock_advance(g_sim, DAY);
    seed("INC-004");
    sim_clock_advance(g_sim, 60000);
    data0 = sim_request_count(g_sim, "queryInvoiceData");
    e2e_ok(c, run(s, 0));
    ck_assert_int_eq(navoi_sync_stat(s, NAVOI_SYNC_STAT_FETCHED), 2);
    ck_assert_int_eq(navoi_sync_stat(s, NAVOI_SYNC_STAT_RESUMED), 0);
    ck_assert_int_eq(sim_request_count(g_sim, "queryInvoiceData") - data0, 2);
    ck_assert_int_eq(has_number(s, "INC-003"), 1);
    ck_assert_int_eq(has_number(s, "INC-004"), 1);
    ck_assert_uint_eq(stored(s), 4);

    /* nothing new: nothing fetched */
    sim_clock_advance(g_sim, DAY);
    data0 = sim_request_count(g_sim, "queryInvoiceData");
    e2e_ok(c, run(s, 0));
    ck_assert_int_eq(navoi_sync_stat(s, NAVOI_SYNC_STAT_FETCHED), 0);
    ck_assert_int_eq(sim_request_count(g_sim, "queryInvoiceData") - data0, 0);
    ck_assert_uint_eq(stored(s), 4);
    navoi_sync_free(s);
    e2e_client_free(c);
}
END_TEST

/* The client's clock runs an hour ahead of NAV's, so the cursor of a run
 * lies after invoices NAV registers right afterwards with an earlier
 * insDate: the overlap of the next run catches them, no overlap misses them. */
START_TEST(overlap_catches_late_registered)
{
    navoi_client *c = client();
    navoi_sync *s = open_sync(c);
    int64_t start = sim_now_ms(g_sim);

    g_client_offset = 3600000;
    seed("LATE-000");
    e2e_ok(c, run(s, start - 1000));
    ck_assert_int_eq(navoi_sync_stat(s, NAVOI_SYNC_STAT_FETCHED), 1);
    sim_clock_advance(g_sim, 60000);
    seed("LATE-001"); /* insDate before the cursor */

    ck_assert_int_eq(navoi_sync_set_overlap(s, 0), NAVOI_OK);
    e2e_ok(c, run(s, 0));
    ck_assert_int_eq(navoi_sync_stat(s, NAVOI_SYNC_STAT_FETCHED), 0);
    ck_assert_int_eq(has_number(s, "LATE-001"), 0);

    ck_assert_int_eq(navoi_sync_set_overlap(s, 3 * 3600000), NAVOI_OK);
    e2e_ok(c, run(s, 0));
    ck_assert_int_eq(navoi_sync_stat(s, NAVOI_SYNC_STAT_FETCHED), 1);
    ck_assert_int_eq(has_number(s, "LATE-001"), 1);
    ck_assert_int_eq(navoi_sync_set_overlap(s, 36 * DAY), NAVOI_EINVAL);
    navoi_sync_free(s);
    e2e_client_free(c);
}
END_TEST

/* Arms a fault once a number of invoices is stored. */
typedef struct fault_plan {
    int64_t at_fetched;
    int kind;
    const char *op;
    int armed;
    int stop; /* return non-zero instead of arming */
} fault_plan;

static int on_progress(const navoi_sync *s, void *ud)
{
    fault_plan *p = ud;
    if (!p->armed && navoi_sync_stat(s, NAVOI_SYNC_STAT_FETCHED) >= p->at_fetched) {
        p->armed = 1;
        if (p->stop)
            return 1;
        ck_assert_int_eq(sim_fault_add(g_sim, p->kind, p->op, 1, 0), 0);
    }
    return 0;
}

START_TEST(interrupted_sync_resumes_without_duplicates)
{
    navoi_client *c = client();
    navoi_sync *s = open_sync(c);
    int64_t start = seed_spread();
    fault_plan plans[] = {
        /* thresholds count per run; at most 9 of the 11 are fetched before the last */
        {1, SIM_FAULT_HTTP500, "queryInvoiceData", 0, 0},
        {1, SIM_FAULT_HTTP502, "queryInvoiceDigest", 0, 0},
        {1, 0, NULL, 0, 1},
        {1, SIM_FAULT_MAINTENANCE, "queryInvoiceDigest", 0, 0},
        {1, SIM_FAULT_HTTP503, "queryInvoiceData", 0, 0},
    };
    long data0 = sim_request_count(g_sim, "queryInvoiceData");
    int64_t total = 0;
    size_t k;
    int rc, interrupted = 0, runs = 0;

    for (k = 0; k < sizeof plans / sizeof plans[0]; k++) {
        navoi_sync_set_progress(s, on_progress, &plans[k]);
        rc = run(s, runs == 0 ? start - DAY : 0);
        runs++;
        ck_assert_msg(rc != NAVOI_OK, "run %zu should have been interrupted", k);
        total += navoi_sync_stat(s, NAVOI_SYNC_STAT_FETCHED);
        if (runs > 1)
            ck_assert_int_eq(navoi_sync_stat(s, NAVOI_SYNC_STAT_RESUMED), 1);
        ck_assert_msg(navoi_sync_errmsg(s)[0], "no message after rc %d", rc);
        e2e_assert_no_secret(navoi_sync_errmsg(s), "sync message");
        ck_assert_int_eq(navoi_sync_cursor(s, NULL, &interrupted), NAVOI_OK);
        ck_assert_int_eq(interrupted, 1);
    }
    navoi_sync_set_progress(s, NULL, NULL);
    e2e_ok(c, run(s, 0));
    ck_assert_int_eq(navoi_sync_stat(s, NAVOI_SYNC_STAT_RESUMED), 1);
    total += navoi_sync_stat(s, NAVOI_SYNC_STAT_FETCHED);
    ck_assert_int_eq(total, 11);
    ck_assert_uint_eq(stored(s), 11);
    /* each invoice's data was fetched successfully exactly once: the two
     * failed data requests are the only extra ones */
    ck_assert_int_eq(sim_request_count(g_sim, "queryInvoiceData") - data0, 11 + 2);
    ck_assert_int_eq(navoi_sync_cursor(s, NULL, &interrupted), NAVOI_OK);
    ck_assert_int_eq(interrupted, 0);
    navoi_sync_free(s);

    /* reopening the database sees the same, complete state */
    s = open_sync(c);
    ck_assert_uint_eq(stored(s), 11);
    e2e_ok(c, run(s, 0));
    ck_assert_int_eq(navoi_sync_stat(s, NAVOI_SYNC_STAT_FETCHED), 0);
    navoi_sync_free(s);
    e2e_client_free(c);
}
END_TEST

START_TEST(summary_csv_and_json)
{
    navoi_client *c = client();
    navoi_sync *s = open_sync(c);
    int64_t start = sim_now_ms(g_sim);
    char *csv = NULL, *js = NULL, *line;
    json_object *arr, *o, *v;
    size_t lines = 0;

    seed("SUM-001");
    seed("SUM-002");
    e2e_ok(c, run(s, start - 1000));
    ck_assert_int_eq(navoi_sync_summary(s, 0, INT64_MAX / 2, NAVOI_SYNC_CSV, &csv), NAVOI_OK);
    ck_assert_msg(!strncmp(csv, "id,invoiceNumber,invoiceOperation,invoiceIssueDate,", 51), "%s",
                  csv);
    for (line = csv; (line = strchr(line, '\n')); line++)
        lines++;
    ck_assert_uint_eq(lines, 3);
    ck_assert_ptr_nonnull(strstr(csv, ",SUM-002,CREATE,2026-11-02,12345676,Navoi Demo Kft.,HUF,"));
    ck_assert_ptr_nonnull(strstr(csv, ",true\n"));
    ck_assert_int_eq(navoi_sync_summary(s, 0, INT64_MAX / 2, NAVOI_SYNC_JSON, &js), NAVOI_OK);
    arr = json_tokener_parse(js);
    ck_assert_msg(arr && json_object_is_type(arr, json_type_array), "%s", js);
    ck_assert_uint_eq(json_object_array_length(arr), 2);
    o = json_object_array_get_idx(arr, 0);
    ck_assert(json_object_object_get_ex(o, "invoiceNumber", &v));
    ck_assert_str_eq(json_object_get_string(v), "SUM-001");
    ck_assert(json_object_object_get_ex(o, "hasXml", &v));
    ck_assert(json_object_get_boolean(v));
    json_object_put(arr);
    navoi_free(js);
    ck_assert_int_eq(navoi_sync_summary(s, 0, 1, NAVOI_SYNC_JSON, &js), NAVOI_OK);
    navoi_free(csv);
    csv = js;
    arr = json_tokener_parse(js);
    ck_assert_uint_eq(json_object_array_length(arr), 0);
    json_object_put(arr);
    navoi_free(csv);
    ck_assert_int_eq(navoi_sync_summary(s, 0, 1, 7, &js), NAVOI_EINVAL);
    navoi_sync_free(s);
    e2e_client_free(c);
}
END_TEST

START_TEST(version_1_backends_are_refused)
{
    navoi_storage_ops ops;
    navoi_client *c = client();
    navoi_sync *s = (navoi_sync *)&ops;
    ck_assert_int_eq(navoi_storage_ops_init(&ops, 1), NAVOI_OK);
    ck_assert_int_eq(navoi_sync_new(&s, c, &ops, NULL), NAVOI_EINVAL);
    ck_assert_ptr_null(s);
    ck_assert_int_eq(navoi_storage_ops_init(&ops, 2), NAVOI_OK);
    /* The table grows by appended versions; only future ones are unknown. */
    ck_assert_int_eq(navoi_storage_ops_init(&ops, NAVOI_STORAGE_OPS_VERSION), NAVOI_OK);
    ck_assert_int_eq(navoi_storage_ops_init(&ops, NAVOI_STORAGE_OPS_VERSION + 1), NAVOI_EINVAL);
    e2e_client_free(c);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("sync");
    TCase *tc = tcase_create("sync");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, full_sync_over_windows_and_pages);
    tcase_add_test(tc, first_run_needs_a_start);
    tcase_add_test(tc, incremental_picks_up_only_new);
    tcase_add_test(tc, overlap_catches_late_registered);
    tcase_add_test(tc, interrupted_sync_resumes_without_duplicates);
    tcase_add_test(tc, summary_csv_and_json);
    tcase_add_test(tc, version_1_backends_are_refused);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return nt_run(suite());
}
