/*
 * bench_pg_workers.c - throughput of several `navoi worker` processes on
 * one PostgreSQL outbox: N invoices (default 5,000) are enqueued, then W
 * workers (default 1, 2 and 4, one run each on a fresh outbox) report them
 * to the navoi-sim program with zero processing delay until every item is
 * DONE. Prints the drain time and invoices per second for each W and the
 * speed-up over one worker.
 *
 * Settings of the runs: batches of --batch invoices (default 100) per
 * manageInvoice, min_interval_ms 0 (no pacing: NAV's 1 request/s would
 * make the workers wait for their slots, not for each other), first poll
 * after 1 ms, validation at enqueue off (the inputs are generated valid),
 * the simulator without XSD validation. Enqueue time is printed too.
 *
 * PostgreSQL: $NAVOI_TEST_PG, or a throwaway server started with
 * scripts/pg-test-server (its data directory under --dir, default /tmp).
 * The database, the simulator and the workers share the machine: on 2
 * cores, more workers also means more processes per core.
 *
 * Usage: bench_pg_workers [--invoices N] [--workers 1,2,4] [--batch B]
 *                         [--dir DIR] [--sim PATH] [--cli PATH]
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "benchutil.h"
#include "navoi/navoi.h"
#include "simproc.h"

#define TAX "12345676"
#define MAXW 32

static const char *k_users = "[user]\n"
                             "login = outboxuser01\n"
                             "password = Outbox-Jelszo-01\n"
                             "taxNumber = " TAX "\n"
                             "signKey = ob-8f5e-215119fa7dd621DLMRHRLH2S\n"
                             "exchangeKey = 9febIBBQRLZ348IB\n";

static char g_pgdir[600];

static const char *arg_str(int argc, char **argv, const char *name, const char *def)
{
    int i;
    for (i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return argv[i + 1];
    return def;
}

static void stop_pg(void)
{
    char cmd[1400];
    if (!g_pgdir[0])
        return;
    snprintf(cmd, sizeof cmd, "'%s' stop '%s' >/dev/null 2>&1", BENCH_PG_SCRIPT, g_pgdir);
    if (system(cmd) != 0)
        fprintf(stderr, "bench_pg_workers: could not stop the server in %s\n", g_pgdir);
}

static int start_pg(const char *dir, char *conninfo, size_t len)
{
    const char *env = getenv("NAVOI_TEST_PG");
    char cmd[1400];
    FILE *f;
    if (env && *env) {
        snprintf(conninfo, len, "%s", env);
        return 0;
    }
    snprintf(g_pgdir, sizeof g_pgdir, "%s/navoi-bench-pg-%ld", dir, (long)getpid());
    snprintf(cmd, sizeof cmd, "'%s' start '%s' %ld", BENCH_PG_SCRIPT, g_pgdir, (long)getpid());
    f = popen(cmd, "r");
    if (!f)
        return -1;
    if (!fgets(conninfo, (int)len, f))
        conninfo[0] = '\0';
    if (pclose(f) != 0 || !conninfo[0]) {
        fprintf(stderr, "bench_pg_workers: no PostgreSQL (set NAVOI_TEST_PG or install the "
                        "postgresql package)\n");
        g_pgdir[0] = '\0';
        return -1;
    }
    conninfo[strcspn(conninfo, "\n")] = '\0';
    atexit(stop_pg);
    return 0;
}

static int pg_exec(const char *conninfo, const char *sql)
{
    PGconn *c = PQconnectdb(conninfo);
    PGresult *r;
    int ok;
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "bench_pg_workers: %s", PQerrorMessage(c));
        PQfinish(c);
        return -1;
    }
    r = PQexec(c, sql);
    ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
    if (!ok)
        fprintf(stderr, "bench_pg_workers: %s", PQresultErrorMessage(r));
    PQclear(r);
    PQfinish(c);
    return ok ? 0 : -1;
}

static pid_t start_sim(const char *exe, const char *dir, char *url, size_t len)
{
    int pfd[2];
    pid_t pid;
    FILE *f;
    char cfg[700], line[256];
    snprintf(cfg, sizeof cfg, "%s/sim.ini", dir);
    snprintf(line, sizeof line, "[settings]\nreceivedDelayMs = 0\nprocessingDelayMs = 0\n");
    {
        char text[1024];
        snprintf(text, sizeof text, "%s%s", line, k_users);
        if (simproc_write_file(dir, "sim.ini", text, 0600) != 0)
            return -1;
    }
    if (pipe(pfd) != 0)
        return -1;
    pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        dup2(pfd[1], 1);
        close(pfd[0]);
        close(pfd[1]);
        execl(exe, exe, "--config", cfg, "--port", "0", (char *)NULL);
        _exit(127);
    }
    close(pfd[1]);
    f = fdopen(pfd[0], "r");
    if (!f || !fgets(line, sizeof line, f) ||
        sscanf(line, "navoi-sim listening on %255s", url) != 1) {
        fprintf(stderr, "bench_pg_workers: %s did not start\n", exe);
        if (f)
            fclose(f);
        return -1;
    }
    (void)len;
    fclose(f);
    return pid;
}

static navoi_client *make_client(void)
{
    navoi_client *c = NULL;
    if (navoi_client_new(&c) != NAVOI_OK || navoi_client_set_login(c, "outboxuser01") != NAVOI_OK ||
        navoi_client_set_password(c, "Outbox-Jelszo-01") != NAVOI_OK ||
        navoi_client_set_tax_number(c, TAX) != NAVOI_OK ||
        navoi_client_set_signing_key(c, "ob-8f5e-215119fa7dd621DLMRHRLH2S") != NAVOI_OK ||
        navoi_client_set_exchange_key(c, "9febIBBQRLZ348IB") != NAVOI_OK ||
        navoi_client_set_software(c, "HU12345676-BENCH01", "navoi bench", NAVOI_SOFTWARE_LOCAL,
                                  "0.1", "navoi", "dev@example.com", "HU", NULL) != NAVOI_OK) {
        navoi_client_free(c);
        return NULL;
    }
    return c;
}

/* Template t with its number (same length) replaced by a run-unique one. */
static navoi_invoice *make_invoice(const bench_doc *t, int run, long i, char *xml)
{
    navoi_invoice *inv = NULL;
    char num[32];
    const char *p;
    size_t nl = strlen(t->number);
    snprintf(num, sizeof num, "W%d-%0*ld", run, (int)nl - 3, i);
    memcpy(xml, t->data, t->len + 1);
    for (p = xml; (p = strstr(p, t->number)) != NULL; p += nl)
        memcpy((char *)p, num, nl);
    if (navoi_invoice_new(&inv, NULL, xml, t->len, NAVOI_OP_CREATE) != NAVOI_OK)
        return NULL;
    return inv;
}

int main(int argc, char **argv)
{
    long n = bench_arg_long(argc, argv, "--invoices", 5000);
    long batch = bench_arg_long(argc, argv, "--batch", 100);
    const char *tmp = getenv("TMPDIR");
    const char *base = arg_str(argc, argv, "--dir", tmp && *tmp ? tmp : "/tmp");
    const char *simexe = arg_str(argc, argv, "--sim", BENCH_SIM_EXE);
    const char *cli = arg_str(argc, argv, "--cli", BENCH_CLI_EXE);
    const char *wlist = arg_str(argc, argv, "--workers", "1,2,4");
    char dir[600], conninfo[600], uri[700], url[256], path[900], text[4096], *xml;
    bench_doc *tpl = NULL;
    long ntpl = 64, i;
    int counts[MAXW], nruns = 0, r;
    double rate[MAXW];
    pid_t sim;
    navoi_client *c;

    if (n < 1 || batch < 1 || batch > 100) {
        fprintf(stderr, "usage: bench_pg_workers [--invoices N] [--workers 1,2,4] [--batch B]\n");
        return 2;
    }
    for (const char *p = wlist; *p && nruns < MAXW;) {
        int w = atoi(p);
        if (w < 1 || w > MAXW) {
            fprintf(stderr, "bench_pg_workers: --workers takes 1..%d, comma-separated\n", MAXW);
            return 2;
        }
        counts[nruns++] = w;
        p = strchr(p, ',');
        if (!p)
            break;
        p++;
    }
    snprintf(dir, sizeof dir, "%s/navoi-bench-pgw-XXXXXX", base);
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    bench_print_machine(stdout);
    printf("inputs: %ld invoices (5-10 kB) per run, batches of %ld, workers %s, "
           "simulator with zero processing delay, no pacing\n",
           n, batch, wlist);
    if (start_pg(base, conninfo, sizeof conninfo) != 0)
        return 1;
    simproc_pg_storage_uri(conninfo, NULL, uri, sizeof uri);
    {
        PGconn *pc = PQconnectdb(conninfo);
        printf("postgres: server %d, fsync and synchronous_commit as configured by the server\n",
               PQserverVersion(pc));
        PQfinish(pc);
    }
    sim = start_sim(simexe, dir, url, sizeof url);
    if (sim < 0)
        return 1;
    if (bench_make_invoices((size_t)ntpl * 2, 5000, 10000, "PGW", &tpl) != 0)
        return 1;
    {
        long k = 0;
        for (i = 0; i < ntpl * 2; i++)
            if (tpl[i].operation == NAVOI_OP_CREATE)
                tpl[k++] = tpl[i];
        ntpl = k;
    }
    xml = malloc(16384);
    simproc_write_secrets(dir);
    c = make_client();
    if (!c || !xml)
        return 1;

    for (r = 0; r < nruns; r++) {
        int w = counts[r], k, status, failed = 0;
        pid_t pids[MAXW];
        navoi_outbox *ob = NULL;
        double t0, t1, t2;
        int64_t done = 0;

        if (pg_exec(conninfo,
                    "DROP TABLE IF EXISTS navoi_items, navoi_history, navoi_inbound, navoi_state,"
                    " navoi_pace, navoi_fence_rejections, navoi_schema CASCADE;"
                    "DROP FUNCTION IF EXISTS navoi_pace_take(text, bigint);") != 0)
            return 1;
        if (navoi_outbox_open_postgres(&ob, c, conninfo) != NAVOI_OK) {
            fprintf(stderr, "bench_pg_workers: %s\n", navoi_client_errmsg(c));
            return 1;
        }
        navoi_outbox_set_validation(ob, NAVOI_OUTBOX_VALIDATE_OFF);
        t0 = bench_now();
        for (i = 0; i < n; i++) {
            char key[32];
            navoi_invoice *inv = make_invoice(&tpl[i % ntpl], r, i, xml);
            snprintf(key, sizeof key, "b%d-%ld", r, i);
            if (!inv || navoi_outbox_enqueue(ob, key, inv, NULL, NULL) != NAVOI_OK) {
                fprintf(stderr, "bench_pg_workers: enqueue: %s\n", navoi_outbox_errmsg(ob));
                return 1;
            }
            navoi_invoice_free(inv);
        }
        t1 = bench_now();
        for (k = 0; k < w; k++) {
            snprintf(path, sizeof path, "w%d.conf", k);
            snprintf(text, sizeof text,
                     "base_url = %s\nlogin = outboxuser01\ntax_number = " TAX "\n"
                     "password_file = %s/password\nsigning_key_file = %s/signing.key\n"
                     "exchange_key_file = %s/exchange.key\n"
                     "software_id = HU12345676-BENCH01\nsoftware_name = navoi bench\n"
                     "software_operation = local\nsoftware_main_version = 0.1\n"
                     "software_dev_name = navoi\nsoftware_dev_contact = dev@example.com\n"
                     "worker_id = bench-%d\nlog_level = warn\npoll_first_ms = 1\n"
                     "poll_cap_ms = 50\nmin_interval_ms = 0\nbatch_size = %ld\n",
                     url, dir, dir, dir, k, batch);
            if (simproc_write_file(dir, path, text, 0600) != 0)
                return 1;
        }
        for (k = 0; k < w; k++) {
            snprintf(path, sizeof path, "w%d", k);
            pids[k] = simproc_start_worker(cli, dir, path, uri);
        }
        for (k = 0; k < w; k++) {
            waitpid(pids[k], &status, 0);
            if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                failed = 1;
        }
        t2 = bench_now();
        navoi_outbox_count(ob, NAVOI_ITEM_DONE, &done);
        navoi_outbox_free(ob);
        if (failed || done != n) {
            fprintf(stderr, "bench_pg_workers: run with %d workers failed (%lld of %ld DONE; "
                            "logs in %s)\n",
                    w, (long long)done, n, dir);
            return 1;
        }
        rate[r] = n / (t2 - t1);
        printf("workers=%d invoices=%ld enqueue_s=%.2f drain_s=%.2f invoices_per_s=%.0f "
               "speedup=%.2f\n",
               w, n, t1 - t0, t2 - t1, rate[r], rate[r] / rate[0]);
        fflush(stdout);
    }
    for (r = 0; r < nruns; r++)
        printf("result: pg_workers_%d %.0f invoices/s (x%.2f of 1 worker)\n", counts[r], rate[r],
               rate[r] / rate[0]);
    kill(sim, SIGTERM);
    waitpid(sim, NULL, 0);
    navoi_client_free(c);
    free(xml);
    snprintf(text, sizeof text, "rm -rf '%s'", dir);
    if (system(text) != 0)
        fprintf(stderr, "bench_pg_workers: cannot remove %s\n", dir);
    return 0;
}
