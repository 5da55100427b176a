/*
 * bench_sync.c - incoming sync of N (default 100,000) INBOUND invoices:
 * the in-process simulator is seeded with invoices of supplier 12345676 to
 * the benchmark's taxpayer 99999999 (sim_seed_invoice(), numbers
 * IN-0000001.., made from tests/data/e2e/inbound-from-12345676.xml), then
 * one navoi_sync_run() into a fresh SQLite file fetches them all
 * (queryInvoiceDigest pages of pageSize, then one queryInvoiceData per
 * invoice). Prints the seeding time, the sync time, its requests, the RSS
 * after seeding and the peak during the sync.
 *
 * The simulator runs in this process (client clock = simulator clock),
 * without XSD validation, pacing 0 (navoi_sync_set_pace(0); NAV allows one
 * request per second, so 100,000 invoices take 28 h there). The simulator
 * keeps every seeded invoice in memory: the sync's own memory is the
 * growth over the RSS after seeding, which the benchmark reports
 * separately. Reference measured in the same run: the median time of a
 * single navoi_query_invoice_data() round trip (no storage), times N.
 *
 * Usage: bench_sync [--invoices N] [--page-size P] [--dir DIR]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "benchutil.h"
#include "navoi/navoi.h"
#include "sim.h"

static const char *arg_str(int argc, char **argv, const char *name, const char *def)
{
    int i;
    for (i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return argv[i + 1];
    return def;
}

static int64_t sim_clock(void *ud)
{
    return sim_now_ms((sim_server *)ud);
}

static double cpu_self(void)
{
    struct rusage r;
    getrusage(RUSAGE_SELF, &r);
    return (double)r.ru_utime.tv_sec + r.ru_utime.tv_usec / 1e6 + (double)r.ru_stime.tv_sec +
           r.ru_stime.tv_usec / 1e6;
}

typedef struct progress {
    long n, next;
    int marks;
    long rss[10], at[10];
} progress;

static int on_progress(const navoi_sync *s, void *ud)
{
    progress *p = ud;
    int64_t got = navoi_sync_stat(s, NAVOI_SYNC_STAT_FETCHED);
    while (got >= p->next && p->marks < 10) {
        p->rss[p->marks] = bench_rss_kib();
        p->at[p->marks] = (long)got;
        p->marks++;
        p->next = p->n / 10 * (p->marks + 1);
    }
    return 0;
}

static void rm_db(const char *db)
{
    char side[4200];
    unlink(db);
    snprintf(side, sizeof side, "%s-wal", db);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", db);
    unlink(side);
}

int main(int argc, char **argv)
{
    long n = bench_arg_long(argc, argv, "--invoices", 100000);
    long ps = bench_arg_long(argc, argv, "--page-size", 100);
    const char *tmp = getenv("TMPDIR");
    const char *dir = arg_str(argc, argv, "--dir", tmp && *tmp ? tmp : "/tmp");
    char path[4096], db[4096], err[512], cfgtext[1024];
    char *tpl, *hit, *xml;
    size_t tlen = 0, xlen;
    FILE *f;
    sim_config *cfg = NULL;
    sim_server *sim = NULL;
    navoi_client *c = NULL;
    navoi_sync *sync = NULL;
    progress pr;
    double t_seed, t_sync, cpu0, cpu_sync, ref[9];
    long i, rss_seeded, rss0;
    int64_t now;
    int rc;

    if (n < 10 || ps < 1 || ps > 100) {
        fprintf(stderr, "usage: bench_sync [--invoices N>=10] [--page-size 1..100] [--dir DIR]\n");
        return 2;
    }
    snprintf(path, sizeof path, "%s/e2e/inbound-from-12345676.xml", bench_test_data_dir());
    f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "bench_sync: cannot read %s\n", path);
        return 1;
    }
    tpl = malloc(1 << 20);
    tlen = fread(tpl, 1, (1 << 20) - 1, f);
    fclose(f);
    tpl[tlen] = '\0';
    hit = strstr(tpl, "E2E-IN-0001");
    if (!hit)
        return 1;
    xml = malloc(tlen + 64);

    snprintf(cfgtext, sizeof cfgtext,
             "[settings]\nreceivedDelayMs = 0\nprocessingDelayMs = 0\npageSize = %ld\n"
             "[user]\nlogin = e2eseller01\npassword = Teszt-Jelszo-01\ntaxNumber = 99999999\n"
             "signKey = ce-8f5e-215119fa7dd621DLMRHRLH2S\nexchangeKey = 9febIBBQRLZ348IB\n",
             ps);
    if (sim_config_parse(cfgtext, strlen(cfgtext), &cfg, err, sizeof err) != 0 ||
        sim_new(&sim, cfg, err, sizeof err) != 0) {
        fprintf(stderr, "bench_sync: simulator: %s\n", err);
        return 1;
    }
    if (sim_start(sim, 0) != 0) {
        fprintf(stderr, "bench_sync: simulator: %s\n", sim_errmsg(sim));
        return 1;
    }
    rss0 = bench_rss_kib();
    t_seed = bench_now();
    for (i = 0; i < n; i++) {
        xlen = (size_t)snprintf(xml, tlen + 64, "%.*sIN-%07ld%s", (int)(hit - tpl), tpl, i + 1,
                                hit + 11);
        if (sim_seed_invoice(sim, xml, xlen, err, sizeof err) != 0) {
            fprintf(stderr, "bench_sync: seed %ld: %s\n", i, err);
            return 1;
        }
    }
    t_seed = bench_now() - t_seed;
    rss_seeded = bench_rss_kib();
    sim_clock_advance(sim, 1000);

    if (navoi_client_new(&c) != NAVOI_OK || navoi_client_set_base_url(c, sim_base_url(sim)) ||
        navoi_client_set_login(c, "e2eseller01") || navoi_client_set_password(c, "Teszt-Jelszo-01") ||
        navoi_client_set_tax_number(c, "99999999") ||
        navoi_client_set_signing_key(c, "ce-8f5e-215119fa7dd621DLMRHRLH2S") ||
        navoi_client_set_exchange_key(c, "9febIBBQRLZ348IB") ||
        navoi_client_set_software(c, "HU99999999-BENCH01", "navoi bench", NAVOI_SOFTWARE_LOCAL,
                                  "0.1", "navoi", "dev@example.com", "HU", NULL)) {
        fprintf(stderr, "bench_sync: client setup failed\n");
        return 1;
    }
    navoi_client_set_clock(c, sim_clock, sim);

    /* reference: single queryInvoiceData round trips, no storage */
    for (i = 0; i < 9; i++) {
        navoi_result *res = NULL;
        char num[32];
        double t0 = bench_now();
        snprintf(num, sizeof num, "IN-%07ld", i * (n / 9) + 1);
        if (navoi_query_invoice_data(c, num, NAVOI_INBOUND, 0, "12345676", &res) != NAVOI_OK) {
            fprintf(stderr, "bench_sync: reference query: %s\n", navoi_client_errmsg(c));
            return 1;
        }
        ref[i] = bench_now() - t0;
        navoi_result_free(res);
    }

    snprintf(db, sizeof db, "%s/navoi-bench-sync-%ld.sqlite", dir, (long)getpid());
    rm_db(db);
    if (navoi_sync_open_sqlite(&sync, c, db) != NAVOI_OK ||
        navoi_sync_set_pace(sync, 0) != NAVOI_OK) {
        fprintf(stderr, "bench_sync: cannot open %s: %s\n", db, navoi_client_errmsg(c));
        return 1;
    }
    memset(&pr, 0, sizeof pr);
    pr.n = n;
    pr.next = n / 10;
    navoi_sync_set_progress(sync, on_progress, &pr);
    now = sim_now_ms(sim);
    cpu0 = cpu_self();
    t_sync = bench_now();
    rc = navoi_sync_run(sync, now - 86400000);
    t_sync = bench_now() - t_sync;
    cpu_sync = cpu_self() - cpu0;
    if (rc != NAVOI_OK) {
        fprintf(stderr, "bench_sync: sync: %s\n", navoi_sync_errmsg(sync));
        return 1;
    }

    printf("bench_sync: incoming sync of %ld INBOUND invoices from the in-process navoi-sim "
           "(client clock = simulator clock, pageSize %ld, pace 0, no XSD validation)\n",
           n, ps);
    bench_print_machine(stdout);
    printf("inputs: %ld invoices made from tests/data/e2e/inbound-from-12345676.xml (%zu bytes), "
           "numbers IN-0000001..\n", n, tlen);
    printf("seed     %ld x sim_seed_invoice  %.1f s (%.0f/s)\n", n, t_seed, (double)n / t_seed);
    printf("sync     %.2f s, %.0f invoices/s, cpu %.2f s (user + sys, client and simulator "
           "together)\n", t_sync, (double)n / t_sync, cpu_sync);
    printf("         fetched %lld, skipped %lld, incomplete %lld, requests %lld (digest %ld, data "
           "%ld), windows %lld\n",
           (long long)navoi_sync_stat(sync, NAVOI_SYNC_STAT_FETCHED),
           (long long)navoi_sync_stat(sync, NAVOI_SYNC_STAT_SKIPPED),
           (long long)navoi_sync_stat(sync, NAVOI_SYNC_STAT_INCOMPLETE),
           (long long)navoi_sync_stat(sync, NAVOI_SYNC_STAT_REQUESTS),
           sim_request_count(sim, "queryInvoiceDigest"),
           sim_request_count(sim, "queryInvoiceData") - 9,
           (long long)navoi_sync_stat(sync, NAVOI_SYNC_STAT_WINDOWS));
    {
        double m = bench_median(ref, 9);
        printf("reference one navoi_query_invoice_data round trip  %.1f us -> %.2f s for %ld; "
               "sync ratio %.2f\n", m * 1e6, m * (double)n, n, t_sync / (m * (double)n));
        bench_result("sync", "ratio_to_plain_queries", t_sync / (m * (double)n), "x", "", 0);
    }
    printf("rss      %ld KiB before seeding, %ld KiB after seeding (the simulator's ledger); "
           "during the sync:", rss0, rss_seeded);
    for (i = 0; i < pr.marks; i++)
        printf(" %ld@%ld", pr.rss[i], pr.at[i]);
    printf(" (KiB@fetched)\nrss      peak %ld KiB (VmHWM); growth over the seeded simulator %ld "
           "KiB\n", bench_peak_rss_kib(), bench_peak_rss_kib() - rss_seeded);

    bench_result("sync", "total_s", t_sync, "s", "", 0);
    bench_result("sync", "invoices_per_s", (double)n / t_sync, "1/s", "", 0);
    bench_result("sync", "requests", (double)navoi_sync_stat(sync, NAVOI_SYNC_STAT_REQUESTS), "",
                 "", 0);
    bench_result("sync", "peak_rss_growth_mib", (bench_peak_rss_kib() - rss_seeded) / 1024.0,
                 "MiB", "", 0);

    navoi_sync_free(sync);
    navoi_client_free(c);
    sim_free(sim);
    rm_db(db);
    free(tpl);
    free(xml);
    return 0;
}
