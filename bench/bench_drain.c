/*
 * bench_drain.c - backlog drain: N invoices (default 100,000) enqueued in
 * the SQLite outbox, then reported by the worker (navoi_outbox_step() in a
 * loop) to a local simulator with zero processing delay until every item
 * is DONE. Prints the total time, invoices per second, the worker's peak
 * RSS and its RSS at 10 % .. 100 % DONE (it must stay flat: memory does not
 * grow with the backlog). Targets: < 60 s, < 64 MB.
 *
 * Two ways to run the simulator:
 *  - external (default): the navoi-sim program in a child process, so the
 *    simulator's ledger (it keeps every accepted invoice in memory) stays
 *    out of the worker's RSS. The client uses the wall clock; the outbox
 *    polls 1 ms after acceptance (first poll) and sleeps until
 *    navoi_outbox_next_due() when idle.
 *  - --inproc: the simulator in this process (sim.h), the client's clock
 *    tied to the simulator's (as in tests/outbox/obtest.c), so waiting for
 *    a poll is a clock advance instead of a sleep. Time and CPU profile then
 *    include the simulator's own work; RSS includes its ledger.
 * Both: batches of 100 per manageInvoice, min_interval_ms 0 (no pacing:
 * the simulator does not rate-limit unless asked to; NAV allows 1 request
 * per second, which makes 100,000 invoices take at least 50 min there),
 * validation at enqueue off (the inputs are generated valid), the simulator
 * without XSD validation unless --sim-schemas.
 *
 * The reference measured in the same run: the simulator round trip of one
 * manageInvoice with 100 invoices of the same kind through the plain client
 * API (navoi_manage_invoice, no outbox, no storage), scaled to N: the cost
 * of reporting without durability.
 *
 * Usage: bench_drain [--invoices N] [--inproc] [--sim-schemas] [--dir DIR]
 *                    [--sim PATH] [--templates K] [--enqueue-batch B (1..1000)]
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "benchutil.h"
#include "navoi/navoi.h"
#include "sim.h"

#define TAX "12345676"

static const char *k_users =
    "[user]\n"
    "login = outboxuser01\n"
    "password = Outbox-Jelszo-01\n"
    "taxNumber = " TAX "\n"
    "signKey = ob-8f5e-215119fa7dd621DLMRHRLH2S\n"
    "exchangeKey = 9febIBBQRLZ348IB\n";

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

static navoi_client *make_client(const char *url, sim_server *inproc)
{
    navoi_client *c = NULL;
    if (navoi_client_new(&c) != NAVOI_OK || navoi_client_set_base_url(c, url) != NAVOI_OK ||
        navoi_client_set_login(c, "outboxuser01") != NAVOI_OK ||
        navoi_client_set_password(c, "Outbox-Jelszo-01") != NAVOI_OK ||
        navoi_client_set_tax_number(c, TAX) != NAVOI_OK ||
        navoi_client_set_signing_key(c, "ob-8f5e-215119fa7dd621DLMRHRLH2S") != NAVOI_OK ||
        navoi_client_set_exchange_key(c, "9febIBBQRLZ348IB") != NAVOI_OK ||
        navoi_client_set_software(c, "HU12345676-BENCH01", "navoi bench", NAVOI_SOFTWARE_LOCAL,
                                  "0.1", "navoi", "dev@example.com", "HU", NULL) != NAVOI_OK) {
        fprintf(stderr, "bench_drain: client setup failed\n");
        navoi_client_free(c);
        return NULL;
    }
    if (inproc)
        navoi_client_set_clock(c, sim_clock, inproc);
    return c;
}

/* ---- the external simulator ---- */

typedef struct ext_sim {
    pid_t pid;
    char url[128];
    char cfg[300];
} ext_sim;

static int ext_start(ext_sim *e, const char *exe, const char *dir, const char *schemas)
{
    int pfd[2];
    FILE *f;
    char line[256];

    snprintf(e->cfg, sizeof e->cfg, "%s/navoi-bench-sim-%ld.ini", dir, (long)getpid());
    f = fopen(e->cfg, "w");
    if (!f)
        return -1;
    fprintf(f, "[settings]\nreceivedDelayMs = 0\nprocessingDelayMs = 0\n%s%s%s", schemas ? "schemas = " : "",
            schemas ? schemas : "", schemas ? "\n" : "");
    fputs(k_users, f);
    fclose(f);
    if (pipe(pfd) != 0)
        return -1;
    e->pid = fork();
    if (e->pid < 0)
        return -1;
    if (e->pid == 0) {
        dup2(pfd[1], 1);
        close(pfd[0]);
        close(pfd[1]);
        execl(exe, exe, "--config", e->cfg, "--port", "0", (char *)NULL);
        _exit(127);
    }
    close(pfd[1]);
    f = fdopen(pfd[0], "r");
    if (!f || !fgets(line, sizeof line, f)) {
        fprintf(stderr, "bench_drain: %s did not start\n", exe);
        if (f)
            fclose(f);
        return -1;
    }
    fclose(f);
    if (sscanf(line, "navoi-sim listening on %127s", e->url) != 1) {
        fprintf(stderr, "bench_drain: unexpected simulator output: %s", line);
        return -1;
    }
    return 0;
}

static double cpu_self(void)
{
    struct rusage r;
    getrusage(RUSAGE_SELF, &r);
    return (double)r.ru_utime.tv_sec + r.ru_utime.tv_usec / 1e6 + (double)r.ru_stime.tv_sec +
           r.ru_stime.tv_usec / 1e6;
}

/* user + system CPU seconds of another process (/proc/PID/stat). */
static double cpu_of(pid_t pid)
{
    char path[64], buf[1024], *p;
    unsigned long ut = 0, st = 0;
    FILE *f;
    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    f = fopen(path, "r");
    if (!f)
        return -1;
    if (!fgets(buf, sizeof buf, f)) {
        fclose(f);
        return -1;
    }
    fclose(f);
    p = strrchr(buf, ')');
    if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
        return -1;
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* VmHWM / VmRSS of another process in KiB. */
static long proc_kib(pid_t pid, const char *field)
{
    char path[64], line[256];
    long v = -1;
    size_t fl = strlen(field);
    FILE *f;
    snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
    f = fopen(path, "r");
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, field, fl) == 0) {
            v = strtol(line + fl, NULL, 10);
            break;
        }
    fclose(f);
    return v;
}

static void ext_stop(ext_sim *e)
{
    if (e->pid > 0) {
        kill(e->pid, SIGTERM);
        waitpid(e->pid, NULL, 0);
        e->pid = 0;
    }
    unlink(e->cfg);
}

/* ---- invoices ---- */

/* Template k with its number (same length) replaced by D-NNNNNNNN. */
static navoi_invoice *make_invoice(const bench_doc *t, long i, char *xml)
{
    navoi_invoice *inv = NULL;
    char num[32];
    const char *p;
    size_t nl = strlen(t->number);

    snprintf(num, sizeof num, "D-%0*ld", (int)nl - 2, i);
    memcpy(xml, t->data, t->len + 1);
    for (p = xml; (p = strstr(p, t->number)) != NULL; p += nl)
        memcpy((char *)p, num, nl);
    if (navoi_invoice_new(&inv, NULL, xml, t->len, NAVOI_OP_CREATE) != NAVOI_OK)
        return NULL;
    return inv;
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

/* The reference: one navoi_manage_invoice of 100 invoices, round trip to the
 * same simulator, median of a few, in seconds per invoice. */
static double reference(navoi_client *c, const bench_doc *tpl, size_t ntpl, long base)
{
    navoi_invoice *own[100];
    char *xml = malloc(16384);
    double t[5];
    int r, k;

    for (r = 0; r < 5; r++) {
        navoi_txn *txn = NULL;
        double t0;
        for (k = 0; k < 100; k++) {
            own[k] = make_invoice(&tpl[k % ntpl], base + r * 100 + k, xml);
        }
        t0 = bench_now();
        if (navoi_manage_invoice(c, own, 100, 0, &txn) != NAVOI_OK) {
            fprintf(stderr, "bench_drain: reference manageInvoice: %s\n", navoi_client_errmsg(c));
            t[r] = -1;
        } else {
            t[r] = (bench_now() - t0) / 100;
        }
        navoi_txn_free(txn);
        for (k = 0; k < 100; k++)
            navoi_invoice_free(own[k]);
    }
    free(xml);
    return bench_median(t, 5);
}

int main(int argc, char **argv)
{
    long n = bench_arg_long(argc, argv, "--invoices", 100000);
    long ntpl = bench_arg_long(argc, argv, "--templates", 64);
    long ebatch = bench_arg_long(argc, argv, "--enqueue-batch", 1000);
    int inproc = bench_arg_flag(argc, argv, "--inproc");
    int with_schemas = bench_arg_flag(argc, argv, "--sim-schemas");
    const char *tmp = getenv("TMPDIR");
    const char *dir = arg_str(argc, argv, "--dir", tmp && *tmp ? tmp : "/tmp");
    const char *exe = arg_str(argc, argv, "--sim", BENCH_SIM_EXE);
    char schemas[4096], db[4096], err[512];
    const char *url;
    sim_server *sim = NULL;
    ext_sim ext;
    navoi_client *c = NULL;
    navoi_outbox *ob = NULL;
    bench_doc *all = NULL, *tpl;
    char *xml;
    double t_enq, t0, t_drain, ref, cpu0, cpu_drain, scpu0 = 0, scpu = 0;
    long i, nall, ncreate = 0, steps = 0, idle = 0, next_mark;
    long rss_at[11], done_at[11], rss_base, rss_enq;
    int64_t done = 0;
    struct rusage ru;
    int marks = 0;

    memset(&ext, 0, sizeof ext);
    if (n < 100 || ntpl < 1 || ebatch < 1 || ebatch > 1000) {
        fprintf(stderr, "usage: bench_drain [--invoices N>=100] [--inproc] [--sim-schemas] "
                        "[--dir DIR] [--sim PATH] [--templates K]\n");
        return 2;
    }
    snprintf(schemas, sizeof schemas, "%s/schemas", bench_nav_data_dir());
    /* templates: the CREATE fixtures only (amendments would need originals) */
    nall = ntpl * 2;
    if (bench_make_invoices((size_t)nall, 5000, 10000, "DRN", &all) != 0)
        return 1;
    tpl = calloc((size_t)ntpl, sizeof *tpl);
    for (i = 0; i < nall; i++)
        if (all[i].operation == NAVOI_OP_CREATE && ncreate < ntpl)
            tpl[ncreate++] = all[i];
    ntpl = ncreate;
    xml = malloc(16384);

    if (inproc) {
        sim_config *cfg = NULL;
        char text[2048];
        snprintf(text, sizeof text, "[settings]\nreceivedDelayMs = 0\nprocessingDelayMs = 0\n%s",
                 k_users);
        if (sim_config_parse(text, strlen(text), &cfg, err, sizeof err) != 0 ||
            (with_schemas &&
             sim_config_set(cfg, "settings", "schemas", schemas, err, sizeof err) != 0) ||
            sim_new(&sim, cfg, err, sizeof err) != 0) {
            fprintf(stderr, "bench_drain: simulator: %s\n", err);
            return 1;
        }
        if (sim_start(sim, 0) != 0) {
            fprintf(stderr, "bench_drain: simulator: %s\n", sim_errmsg(sim));
            return 1;
        }
        url = sim_base_url(sim);
    } else {
        if (ext_start(&ext, exe, dir, with_schemas ? schemas : NULL) != 0)
            return 1;
        url = ext.url;
    }
    c = make_client(url, sim);
    if (!c)
        return 1;

    /* the reference first (its invoices get numbers past the backlog's) */
    ref = reference(c, tpl, (size_t)ntpl, n + 1);

    snprintf(db, sizeof db, "%s/navoi-bench-drain-%ld.sqlite", dir, (long)getpid());
    rm_db(db);
    if (navoi_outbox_open_sqlite(&ob, c, db) != NAVOI_OK) {
        fprintf(stderr, "bench_drain: cannot open %s: %s\n", db, navoi_client_errmsg(c));
        return 1;
    }
    if (navoi_outbox_set_validation(ob, NAVOI_OUTBOX_VALIDATE_OFF) != NAVOI_OK ||
        navoi_outbox_set_policy_batch(ob, 100, 0) != NAVOI_OK ||
        navoi_outbox_set_policy_poll(ob, 1, 1000) != NAVOI_OK)
        return 1;
    rss_base = bench_rss_kib();

    /* enqueue (setup, timed separately): batches of ebatch in one transaction each */
    t_enq = bench_now();
    for (i = 0; i < n;) {
        const navoi_invoice *binv[1000];
        navoi_invoice *own[1000];
        char keys[1000][32];
        const char *bkeys[1000];
        long k, m = n - i < ebatch ? n - i : ebatch;
        for (k = 0; k < m; k++) {
            own[k] = make_invoice(&tpl[(i + k) % ntpl], i + k + 1, xml);
            if (!own[k]) {
                fprintf(stderr, "bench_drain: invoice %ld invalid\n", i + k);
                return 1;
            }
            binv[k] = own[k];
            snprintf(keys[k], sizeof keys[k], "erp-%08ld", i + k + 1);
            bkeys[k] = keys[k];
        }
        if (navoi_outbox_enqueue_batch(ob, bkeys, binv, (size_t)m, NULL) != NAVOI_OK) {
            fprintf(stderr, "bench_drain: enqueue %ld: %s\n", i, navoi_outbox_errmsg(ob));
            return 1;
        }
        for (k = 0; k < m; k++)
            navoi_invoice_free(own[k]);
        i += m;
    }
    t_enq = bench_now() - t_enq;
    rss_enq = bench_rss_kib();

    /* drain */
    next_mark = n / 10;
    cpu0 = cpu_self();
    if (!inproc)
        scpu0 = cpu_of(ext.pid);
    t0 = bench_now();
    while (done < n) {
        int did = 0, rc = navoi_outbox_step(ob, &did);
        if (rc != NAVOI_OK) {
            fprintf(stderr, "bench_drain: step: %s\n", navoi_outbox_errmsg(ob));
            return 1;
        }
        steps++;
        if (did && steps % 16 != 0)
            continue;
        if (navoi_outbox_count(ob, NAVOI_ITEM_DONE, &done) != NAVOI_OK)
            return 1;
        while (done >= next_mark && marks < 10) {
            rss_at[marks] = bench_rss_kib();
            done_at[marks] = (long)done;
            marks++;
            next_mark = n / 10 * (marks + 1);
        }
        if (!did && done < n) {
            int64_t due = 0, now;
            idle++;
            if (navoi_outbox_next_due(ob, &due) != NAVOI_OK)
                return 1;
            if (inproc) {
                now = sim_now_ms(sim);
                if (due > now)
                    sim_clock_advance(sim, due - now);
            } else {
                struct timespec ts = {0, 200000};
                nanosleep(&ts, NULL);
            }
        }
    }
    t_drain = bench_now() - t0;
    cpu_drain = cpu_self() - cpu0;
    if (!inproc)
        scpu = cpu_of(ext.pid) - scpu0;
    getrusage(RUSAGE_SELF, &ru);

    printf("bench_drain: backlog of %ld invoices in the SQLite outbox reported to navoi-sim "
           "(%s, processingDelayMs 0%s) until all DONE\n",
           n, inproc ? "in-process, client clock = simulator clock" : "separate process",
           with_schemas ? ", XSD validation on" : ", no XSD validation");
    bench_print_machine(stdout);
    bench_print_docs(stdout, tpl, (size_t)ntpl);
    printf("inputs: %ld CREATE invoices made from %ld templates with unique numbers; batches of "
           "100, min_interval_ms 0, first poll after 1 ms, validation at enqueue off\n",
           n, ntpl);
    printf("enqueue  %ld invoices, navoi_outbox_enqueue_batch of %ld (setup)  %.1f s  (%.0f/s)\n",
           n, ebatch, t_enq, (double)n / t_enq);
    printf("drain    %.2f s total, %.0f invoices/s, %ld steps (%ld idle)\n", t_drain,
           (double)n / t_drain, steps, idle);
    printf("         requests to the simulator: see its counters (manage %ld, status %ld, token %ld)\n",
           sim ? sim_request_count(sim, "manageInvoice") : -1L,
           sim ? sim_request_count(sim, "queryTransactionStatus") : -1L,
           sim ? sim_request_count(sim, "tokenExchange") : -1L);
    printf("reference one navoi_manage_invoice of 100 (no outbox)  %.1f us/invoice -> %.2f s for "
           "%ld; drain ratio %.2f\n",
           ref * 1e6, ref * (double)n, n, t_drain / (ref * (double)n));
    if (inproc)
        printf("cpu      drain: %.2f s (user + sys, worker and in-process simulator together)\n",
               cpu_drain);
    else
        printf("cpu      drain: worker %.2f s, simulator process %.2f s (user + sys)\n", cpu_drain,
               scpu);
    printf("rss      %ld KiB before enqueue, %ld KiB after; during the drain:", rss_base, rss_enq);
    for (i = 0; i < marks; i++)
        printf(" %ld@%ld", rss_at[i], done_at[i]);
    printf(" (KiB@DONE)\n");
    printf("rss      peak %ld KiB (VmHWM), ru_maxrss %ld KiB%s\n", bench_peak_rss_kib(),
           ru.ru_maxrss, inproc ? " (includes the simulator's ledger)" : "");
    if (!inproc)
        printf("simulator process: VmHWM %ld KiB\n", proc_kib(ext.pid, "VmHWM:"));

    bench_result("drain", "total_s", t_drain, "s", "<", 60);
    bench_result("drain", "invoices_per_s", (double)n / t_drain, "1/s", "", 0);
    bench_result("drain", "ratio_to_plain_manage", t_drain / (ref * (double)n), "x", "", 0);
    bench_result("drain", "worker_cpu_s", cpu_drain, "s", "", 0);
    if (!inproc) {
        bench_result("drain", "peak_rss_mib", ru.ru_maxrss / 1024.0, "MiB", "<", 64);
        if (marks >= 10)
            bench_result("drain", "rss_growth_10pct_to_100pct_mib",
                         (rss_at[9] - rss_at[0]) / 1024.0, "MiB", "", 0);
    }

    navoi_outbox_free(ob);
    navoi_client_free(c);
    if (sim)
        sim_free(sim);
    ext_stop(&ext);
    rm_db(db);
    free(xml);
    free(tpl);
    bench_docs_free(all, (size_t)nall);
    return 0;
}
