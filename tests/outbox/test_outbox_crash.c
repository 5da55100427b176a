/* test_outbox_crash.c - crash safety with real processes: navoi-sim runs as
 * its own process with --state, invoices are enqueued into an SQLite
 * outbox, and `navoi worker` processes are SIGKILLed at random moments and
 * restarted. Afterwards every invoice is DONE, the simulator's ledger
 * shows each accepted exactly once and the outbox passes integrity_check.
 *
 * usage: test_outbox_crash NAVOI_CLI NAVOI_SIM
 * environment: NAVOI_TEST_SEED (printed), NAVOI_CRASH_INVOICES (default
 * 1000), NAVOI_CRASH_KILLS (default 20): the size, which CI runs
 * as `outbox-crash`; `--suite outbox-soak` runs a longer instance. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <curl/curl.h>
#include <sqlite3.h>

#include "navoi/navoi.h"
#include "obtest.h"
#include "testutil.h"

static const char *g_cli, *g_simexe;
static char g_dir[256];

static void write_file(const char *name, const char *text, mode_t mode)
{
    char path[400];
    int fd;
    snprintf(path, sizeof path, "%s/%s", g_dir, name);
    fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, mode);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    fchmod(fd, mode);
    close(fd);
}

/* Starts navoi-sim; returns its pid and port. */
static pid_t start_sim(unsigned *port)
{
    int out[2];
    pid_t pid;
    char cfg[400], state[400], schemas[400], line[512];
    FILE *f;
    snprintf(cfg, sizeof cfg, "%s/sim.ini", g_dir);
    snprintf(state, sizeof state, "%s/sim-state.sqlite", g_dir);
    snprintf(schemas, sizeof schemas, "%s/schemas", nt_nav_dir());
    ck_assert_int_eq(pipe(out), 0);
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        char log[400];
        int fd;
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive a failed test */
        snprintf(log, sizeof log, "%s/sim.log", g_dir);
        fd = open(log, O_CREAT | O_APPEND | O_WRONLY, 0600);
        dup2(out[1], 1);
        if (fd >= 0)
            dup2(fd, 2);
        close(out[0]);
        execl(g_simexe, g_simexe, "--config", cfg, "--port", "0", "--state", state, "--schemas",
              schemas, (char *)NULL);
        _exit(127);
    }
    close(out[1]);
    f = fdopen(out[0], "r");
    ck_assert_ptr_nonnull(f);
    ck_assert_msg(fgets(line, sizeof line, f) != NULL, "navoi-sim did not start");
    ck_assert_msg(sscanf(line, "navoi-sim listening on http://127.0.0.1:%u", port) == 1, "%s",
                  line);
    fclose(f);
    return pid;
}

static size_t on_body(char *p, size_t sz, size_t n, void *ud)
{
    char *buf = ud;
    size_t have = strlen(buf), add = sz * n;
    if (have + add >= 256)
        add = 255 - have;
    memcpy(buf + have, p, add);
    buf[have + add] = '\0';
    return sz * n;
}

/* POST /admin/ledger: "accepted=N submitted=M ..." */
static int ledger_accepted(CURL *c, unsigned port, const char *number)
{
    char url[256], body[256] = "";
    int accepted = -1;
    snprintf(url, sizeof url, "http://127.0.0.1:%u/admin/ledger?supplier=%s&number=%s", port,
             OBT_TAX, number);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, (void *)body);
    ck_assert_int_eq(curl_easy_perform(c), CURLE_OK);
    ck_assert_msg(sscanf(body, "accepted=%d", &accepted) == 1, "ledger: %s", body);
    return accepted;
}

static pid_t start_worker(void)
{
    char cfg[400], log[400];
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        int fd;
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        snprintf(cfg, sizeof cfg, "%s/worker.conf", g_dir);
        snprintf(log, sizeof log, "%s/worker.log", g_dir);
        fd = open(log, O_CREAT | O_APPEND | O_WRONLY, 0600);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        execl(g_cli, g_cli, "worker", "--config", cfg, "--until-idle", (char *)NULL);
        _exit(127);
    }
    return pid;
}

static void sleep_ms(long ms)
{
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static void show_log(const char *name)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "tail -n 40 %s/%s >&2", g_dir, name);
    if (system(cmd) != 0)
        fprintf(stderr, "(no %s)\n", name);
}

START_TEST(killed_workers_report_exactly_once)
{
    uint64_t seed = obt_seed(4242), rng;
    int n = getenv("NAVOI_CRASH_INVOICES") ? atoi(getenv("NAVOI_CRASH_INVOICES")) : 1000;
    int kills_wanted = getenv("NAVOI_CRASH_KILLS") ? atoi(getenv("NAVOI_CRASH_KILLS")) : 20;
    int kills = 0, rounds = 0, i, status = 0;
    unsigned port = 0;
    pid_t sim, w;
    char text[4096], db[400];
    navoi_client *c;
    navoi_outbox *ob = NULL;
    CURL *curl;
    time_t t_start = time(NULL);

    rng = seed ? seed : 1;
    snprintf(g_dir, sizeof g_dir, "/tmp/navoi-crash-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(g_dir));
    printf("crash test: %d invoices, %d kills, dir %s\n", n, kills_wanted, g_dir);
    fflush(stdout);
    snprintf(text, sizeof text, "[settings]\nselfCheck = false\n%s", obt_sim_config);
    write_file("sim.ini", text, 0600);
    sim = start_sim(&port);

    /* secrets only in 0600 files */
    write_file("password", "Outbox-Jelszo-01\n", 0600);
    write_file("signing.key", "ob-8f5e-215119fa7dd621DLMRHRLH2S\n", 0600);
    write_file("exchange.key", "9febIBBQRLZ348IB\n", 0600);
    snprintf(db, sizeof db, "%s/outbox.db", g_dir);
    snprintf(text, sizeof text,
             "# written by test_outbox_crash\n"
             "base_url = http://127.0.0.1:%u/invoiceService/v3\n"
             "login = outboxuser01\n"
             "tax_number = " OBT_TAX "\n"
             "password_file = %s/password\n"
             "signing_key_file = %s/signing.key\n"
             "exchange_key_file = %s/exchange.key\n"
             "software_id = HU12345676-OUTBOX1\n"
             "software_name = navoi crash test\n"
             "software_operation = local\n"
             "software_main_version = 0.1\n"
             "software_dev_name = navoi\n"
             "software_dev_contact = dev@example.com\n"
             "storage = %s\n"
             "worker_id = crash-worker\n"
             "log_level = info\n"
             "lost_wait_ms = 1500\n"
             "lost_margin_ms = 120000\n"
             "poll_first_ms = 50\n"
             "poll_cap_ms = 400\n"
             "backoff_base_ms = 200\n"
             "backoff_cap_ms = 2000\n"
             "min_interval_ms = 0\n"
             "batch_size = 100\n",
             port, g_dir, g_dir, g_dir, db);
    write_file("worker.conf", text, 0600);

    /* enqueue (no network needed) */
    c = obt_client("http://127.0.0.1:9/invoiceService/v3");
    ck_assert_int_eq(navoi_outbox_open_sqlite(&ob, c, db), NAVOI_OK);
    for (i = 0; i < n; i++) {
        char key[32], num[48];
        navoi_invoice *inv;
        snprintf(key, sizeof key, "crash-%d", i);
        snprintf(num, sizeof num, "CR-%llu-%05d", (unsigned long long)(seed % 1000000), i);
        inv = obt_invoice("demo-create-1.xml", num, NULL, NAVOI_OP_CREATE);
        ck_assert_int_eq(navoi_outbox_enqueue(ob, key, inv, NULL, NULL), NAVOI_OK);
        navoi_invoice_free(inv);
    }
    navoi_outbox_free(ob);
    ob = NULL;

    /* kill workers at random moments */
    while (kills < kills_wanted && rounds < kills_wanted * 10) {
        long delay = 5 + (long)(obt_rand(&rng) % 120);
        pid_t r;
        rounds++;
        w = start_worker();
        sleep_ms(delay);
        r = waitpid(w, &status, WNOHANG);
        if (r == 0) {
            kill(w, SIGKILL);
            ck_assert_int_eq(waitpid(w, &status, 0), w);
            ck_assert(WIFSIGNALED(status));
            kills++;
        } else {
            /* finished on its own: idle already (or an error: shown below) */
            if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                show_log("worker.log");
            ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
            break;
        }
    }
    printf("crash test: %d kills in %d rounds\n", kills, rounds);
    fflush(stdout);

    /* a last worker without interference until idle (bounded) */
    w = start_worker();
    for (i = 0; i < 6000; i++) {
        if (waitpid(w, &status, WNOHANG) == w)
            break;
        sleep_ms(100);
    }
    if (i == 6000) {
        kill(w, SIGKILL);
        waitpid(w, &status, 0);
        show_log("worker.log");
        ck_abort_msg("the last worker did not finish");
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        show_log("worker.log");
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    /* every invoice DONE, accepted exactly once, the database intact */
    ck_assert_int_eq(navoi_outbox_open_sqlite(&ob, c, db), NAVOI_OK);
    {
        int64_t done = 0, backlog = -1;
        ck_assert_int_eq(navoi_outbox_count(ob, NAVOI_ITEM_DONE, &done), NAVOI_OK);
        ck_assert_int_eq(navoi_outbox_backlog(ob, &backlog, NULL), NAVOI_OK);
        ck_assert_int_eq(backlog, 0);
        ck_assert_int_eq(done, n);
    }
    curl = curl_easy_init();
    ck_assert_ptr_nonnull(curl);
    for (i = 0; i < n; i++) {
        char num[48];
        int acc;
        snprintf(num, sizeof num, "CR-%llu-%05d", (unsigned long long)(seed % 1000000), i);
        acc = ledger_accepted(curl, port, num);
        ck_assert_msg(acc == 1, "seed %llu: %s accepted %d times", (unsigned long long)seed, num,
                      acc);
    }
    curl_easy_cleanup(curl);
    navoi_outbox_free(ob);
    {
        sqlite3 *sdb;
        sqlite3_stmt *st;
        ck_assert_int_eq(sqlite3_open(db, &sdb), SQLITE_OK);
        ck_assert_int_eq(sqlite3_prepare_v2(sdb, "PRAGMA integrity_check", -1, &st, NULL),
                         SQLITE_OK);
        ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
        ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), "ok");
        sqlite3_finalize(st);
        sqlite3_close(sdb);
    }
    printf("crash test: %d invoices DONE and accepted once after %d kills (%ld s)\n", n, kills,
           (long)(time(NULL) - t_start));
    ck_assert_int_ge(kills, kills_wanted);
    kill(sim, SIGTERM);
    waitpid(sim, &status, 0);
    navoi_client_free(c);
    if (!getenv("NAVOI_CRASH_KEEP")) {
        char cmd[400];
        snprintf(cmd, sizeof cmd, "rm -rf %s", g_dir);
        if (system(cmd) != 0)
            fprintf(stderr, "cannot remove %s\n", g_dir);
    }
}
END_TEST

int main(int argc, char **argv)
{
    Suite *s;
    TCase *tc;
    if (argc < 3) {
        fprintf(stderr, "usage: %s NAVOI_CLI NAVOI_SIM\n", argv[0]);
        return 2;
    }
    g_cli = argv[1];
    g_simexe = argv[2];
    s = suite_create("outbox-crash");
    tc = tcase_create("crash");
    tcase_set_timeout(tc, 1800);
    tcase_add_test(tc, killed_workers_report_exactly_once);
    suite_add_tcase(s, tc);
    return nt_run(s);
}
