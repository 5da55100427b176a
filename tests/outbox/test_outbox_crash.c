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
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>

#include <check.h>
#include <sqlite3.h>

#include "navoi/navoi.h"
#include "obtest.h"
#include "simproc.h"
#include "testutil.h"

static const char *g_cli, *g_simexe;
static char g_dir[256];

static navoi_invoice *demo_invoice(const char *number)
{
    return obt_invoice("demo-create-1.xml", number, NULL, NAVOI_OP_CREATE);
}

static void show_log(void)
{
    simproc_show_log(g_dir, "worker.log", 40);
}

START_TEST(killed_workers_report_exactly_once)
{
    uint64_t seed = obt_seed(4242), rng;
    int n = getenv("NAVOI_CRASH_INVOICES") ? atoi(getenv("NAVOI_CRASH_INVOICES")) : 1000;
    int kills_wanted = getenv("NAVOI_CRASH_KILLS") ? atoi(getenv("NAVOI_CRASH_KILLS")) : 20;
    int kills = 0, rounds = 0, i, status = 0;
    unsigned port = 0;
    pid_t sim, w;
    char text[4096], db[400], schemas[400], prefix[32], why[300];
    navoi_client *c;
    navoi_outbox *ob = NULL;
    time_t t_start = time(NULL);

    rng = seed ? seed : 1;
    snprintf(g_dir, sizeof g_dir, "/tmp/navoi-crash-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(g_dir));
    printf("crash test: %d invoices, %d kills, dir %s\n", n, kills_wanted, g_dir);
    fflush(stdout);
    snprintf(text, sizeof text, "[settings]\nselfCheck = false\n%s", obt_sim_config);
    snprintf(schemas, sizeof schemas, "%s/schemas", nt_nav_dir());
    sim = simproc_start_sim(g_simexe, g_dir, schemas, text, &port);
    ck_assert_msg(sim > 0, "navoi-sim did not start");

    /* secrets only in 0600 files */
    ck_assert_int_eq(simproc_write_secrets(g_dir), 0);
    snprintf(db, sizeof db, "%s/outbox.db", g_dir);
    snprintf(text, sizeof text,
             "storage = %s\n"
             "worker_id = crash-worker\n"
             "batch_size = 100\n",
             db);
    ck_assert_int_eq(simproc_write_worker_conf(g_dir, "worker", port, "navoi crash test", text), 0);

    /* enqueue (no network needed) */
    c = obt_client("http://127.0.0.1:9/invoiceService/v3");
    ck_assert_int_eq(navoi_outbox_open_sqlite(&ob, c, db), NAVOI_OK);
    snprintf(prefix, sizeof prefix, "CR-%llu", (unsigned long long)(seed % 1000000));
    ck_assert_msg(simproc_enqueue(ob, n, "crash", prefix, demo_invoice, why, sizeof why) == 0,
                  "%s", why);
    navoi_outbox_free(ob);
    ob = NULL;

    /* kill workers at random moments */
    while (kills < kills_wanted && rounds < kills_wanted * 10) {
        long delay = 5 + (long)(obt_rand(&rng) % 120);
        pid_t r;
        rounds++;
        w = simproc_start_worker(g_cli, g_dir, "worker", NULL);
        ck_assert_int_ge(w, 0);
        simproc_sleep_ms(delay);
        r = waitpid(w, &status, WNOHANG);
        if (r == 0) {
            kill(w, SIGKILL);
            ck_assert_int_eq(waitpid(w, &status, 0), w);
            ck_assert(WIFSIGNALED(status));
            kills++;
        } else {
            /* finished on its own: idle already (or an error: shown below) */
            if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                show_log();
            ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
            break;
        }
    }
    printf("crash test: %d kills in %d rounds\n", kills, rounds);
    fflush(stdout);

    /* a last worker without interference until idle (bounded) */
    w = simproc_start_worker(g_cli, g_dir, "worker", NULL);
    ck_assert_int_ge(w, 0);
    for (i = 0; i < 6000; i++) {
        if (waitpid(w, &status, WNOHANG) == w)
            break;
        simproc_sleep_ms(100);
    }
    if (i == 6000) {
        kill(w, SIGKILL);
        waitpid(w, &status, 0);
        show_log();
        ck_abort_msg("the last worker did not finish");
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        show_log();
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    /* every invoice DONE, accepted exactly once, the database intact */
    ck_assert_int_eq(navoi_outbox_open_sqlite(&ob, c, db), NAVOI_OK);
    ck_assert_msg(simproc_check_delivered(ob, n, port, OBT_TAX, prefix, why, sizeof why) == 0,
                  "seed %llu: %s", (unsigned long long)seed, why);
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
    simproc_finish(sim, g_dir, "NAVOI_CRASH_KEEP");
    navoi_client_free(c);
}
END_TEST

int main(int argc, char **argv)
{
    Suite *s;
    TCase *tc;
    if (simproc_args(argc, argv, &g_cli, &g_simexe) != 0)
        return 2;
    s = suite_create("outbox-crash");
    tc = tcase_create("crash");
    tcase_set_timeout(tc, 1800);
    tcase_add_test(tc, killed_workers_report_exactly_once);
    suite_add_tcase(s, tc);
    return nt_run(s);
}
