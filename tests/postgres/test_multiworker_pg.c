/* test_multiworker_pg.c - several `navoi worker --storage postgresql://...`
 * processes share one PostgreSQL outbox against a navoi-sim process. While
 * they work, workers are SIGSTOPped past their lease and resumed (stale
 * workers), and SIGKILLed and restarted. Afterwards every invoice is DONE,
 * the simulator's ledger shows each accepted exactly once, and every
 * transition a stale worker attempted was refused by its fence: the
 * backend's audit (navoi_fence_rejections) lists each such attempt with the
 * newer fence that was stored, and the items' state is the new holder's.
 *
 * usage: test_multiworker_pg NAVOI_CLI NAVOI_SIM
 * environment (defaults = the size):
 *   NAVOI_MW_INVOICES (5000), NAVOI_MW_WORKERS (8), NAVOI_MW_STOPS (12),
 *   NAVOI_MW_KILLS (12), NAVOI_MW_LEASE_MS (3000), NAVOI_MW_BATCH (25 invoices
 *   per request), NAVOI_MW_SLOW_MS (150: the simulator answers every request
 *   after this long, like NAV, so that stops land inside requests),
 *   NAVOI_TEST_SEED.
 * CI runs a smaller seeded instance (see tests/postgres/meson.build). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <check.h>
#include <libpq-fe.h>

#include "navoi/navoi.h"
#include "obtest.h"
#include "pgtest.h"
#include "simproc.h"
#include "testutil.h"

#define MAX_WORKERS 32

static const char *g_cli, *g_simexe;
static char g_dir[256];
static char g_storage[600];

/* A worker stopped inside a transaction must not hold the others' rows for
 * long: a short idle-in-transaction timeout for the workers' sessions. */
#define STORAGE_QUERY "?options=-c%20idle_in_transaction_session_timeout%3D5000"

static int env_int(const char *name, int dflt)
{
    const char *v = getenv(name);
    return v && *v ? atoi(v) : dflt;
}

static navoi_invoice *demo_invoice(const char *number)
{
    return obt_invoice("demo-create-1.xml", number, NULL, NAVOI_OP_CREATE);
}

static pid_t start_worker(int k)
{
    char name[32];
    pid_t pid;
    snprintf(name, sizeof name, "w%d", k);
    pid = simproc_start_worker(g_cli, g_dir, name, g_storage);
    ck_assert_int_ge(pid, 0);
    return pid;
}

static void show_log(int k)
{
    char name[32];
    snprintf(name, sizeof name, "w%d.log", k);
    simproc_show_log(g_dir, name, 30);
}

/* The worker (index) that holds a lease on an item in flight, or -1. */
static int busy_worker(int nworkers)
{
    char id[64] = "";
    PGconn *c = PQconnectdb(pgt_conninfo());
    PGresult *r;
    int k = -1;
    if (PQstatus(c) != CONNECTION_OK) {
        PQfinish(c);
        return -1;
    }
    /* preferably one inside a manage request (its items are SENDING) */
    r = PQexec(c, "SELECT lease_owner FROM navoi_items WHERE lease_until > clock_timestamp()"
                  " AND state IN (1, 2, 3) AND lease_owner IS NOT NULL"
                  " ORDER BY state = 2 DESC, random() LIMIT 1");
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
        snprintf(id, sizeof id, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    PQfinish(c);
    if (sscanf(id, "mw-%d", &k) != 1 || k < 0 || k >= nworkers)
        return -1;
    return k;
}

/* Stops a worker that is inside a manage request (its items are SENDING
 * under its lease, and stay so after the stop: it has not saved the answer
 * yet) and returns its index, or -1 when none was found. The caller keeps
 * it stopped until its lease and the lost-transaction wait have passed, so
 * that another worker takes the items over, then resumes it. */
static int stop_mid_request(const pid_t *pids, const int64_t *stopped, int nw)
{
    char q[300], owner[64] = "", key[160] = "";
    long long fence = 0;
    int k = -1, tries;
    for (tries = 0; tries < 400 && k < 0; tries++) {
        PGconn *c = PQconnectdb(pgt_conninfo());
        PGresult *r = PQexec(c, "SELECT lease_owner, key, fence FROM navoi_items WHERE state = 2"
                                " AND lease_until > clock_timestamp() AND lease_owner IS NOT"
                                " NULL ORDER BY random() LIMIT 1");
        if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) {
            snprintf(owner, sizeof owner, "%s", PQgetvalue(r, 0, 0));
            snprintf(key, sizeof key, "%s", PQgetvalue(r, 0, 1));
            fence = atoll(PQgetvalue(r, 0, 2));
            if (sscanf(owner, "mw-%d", &k) != 1 || k < 0 || k >= nw || pids[k] <= 0 ||
                stopped[k])
                k = -1;
        }
        PQclear(r);
        PQfinish(c);
        if (k < 0) {
            simproc_sleep_ms(20);
            continue;
        }
        kill(pids[k], SIGSTOP);
        snprintf(q, sizeof q,
                 "SELECT count(*) FROM navoi_items WHERE key = '%s' AND fence = %lld"
                 " AND state = 2",
                 key, fence);
        if (pgt_scalar(q) != 1) {
            kill(pids[k], SIGCONT); /* it had moved on already */
            k = -1;
        }
    }
    if (k >= 0) {
        printf("multi-worker test: stopped %s inside a request (item %s)\n", owner, key);
        fflush(stdout);
    }
    return k;
}

START_TEST(workers_share_postgres_exactly_once)
{
    uint64_t seed = obt_seed(1010), rng;
    int n = env_int("NAVOI_MW_INVOICES", 5000);
    int nw = env_int("NAVOI_MW_WORKERS", 8);
    int stops_wanted = env_int("NAVOI_MW_STOPS", 12);
    int kills_wanted = env_int("NAVOI_MW_KILLS", 12);
    int lease = env_int("NAVOI_MW_LEASE_MS", 3000);
    int batch = env_int("NAVOI_MW_BATCH", 25);
    int slow = env_int("NAVOI_MW_SLOW_MS", 150);
    int stops = 0, kills = 0, i, k, status, restarts = 0, targeted = 0, protect = -1;
    pid_t pids[MAX_WORKERS], sim;
    int64_t stopped_until[MAX_WORKERS], t0 = simproc_mono_ms(), t_enq, t_work;
    unsigned port = 0;
    char text[4096], schemas[400], prefix[32], why[300];
    navoi_client *c;
    navoi_outbox *ob = NULL;

    ck_assert_int_ge(nw, 1);
    ck_assert_int_le(nw, MAX_WORKERS);
    rng = seed ? seed : 1;
    snprintf(g_dir, sizeof g_dir, "/tmp/navoi-mw-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(g_dir));
    printf("multi-worker test: %d invoices, %d workers, %d stops, %d kills, lease %d ms, dir %s\n",
           n, nw, stops_wanted, kills_wanted, lease, g_dir);
    fflush(stdout);
    pgt_drop_all();
    ck_assert_int_eq(simproc_pg_storage_uri(pgt_conninfo(), STORAGE_QUERY, g_storage,
                                            sizeof g_storage),
                     0);
    snprintf(text, sizeof text, "[settings]\nselfCheck = false\n%s", obt_sim_config);
    snprintf(schemas, sizeof schemas, "%s/schemas", nt_nav_dir());
    sim = simproc_start_sim(g_simexe, g_dir, schemas, text, &port);
    ck_assert_msg(sim > 0, "navoi-sim did not start");
    ck_assert_int_eq(simproc_write_secrets(g_dir), 0);
    for (k = 0; k < nw; k++) {
        char name[32];
        snprintf(text, sizeof text,
                 "worker_id = mw-%d\n"
                 "lease_ms = %d\n"
                 "batch_size = %d\n",
                 k, lease, batch);
        snprintf(name, sizeof name, "w%d", k);
        ck_assert_int_eq(
            simproc_write_worker_conf(g_dir, name, port, "navoi multi-worker test", text), 0);
    }

    /* enqueue through the public constructor */
    c = obt_client("http://127.0.0.1:9/invoiceService/v3");
    ck_assert_int_eq(navoi_outbox_open_postgres(&ob, c, pgt_conninfo()), NAVOI_OK);
    ck_assert_int_eq(navoi_outbox_set_validation(ob, NAVOI_OUTBOX_VALIDATE_OFF), NAVOI_OK);
    snprintf(prefix, sizeof prefix, "MW-%llu", (unsigned long long)(seed % 1000000));
    ck_assert_msg(simproc_enqueue(ob, n, "mw", prefix, demo_invoice, why, sizeof why) == 0, "%s",
                  why);
    navoi_outbox_free(ob);
    ob = NULL;
    t_enq = simproc_mono_ms();
    /* every answer of the simulator takes a while, as NAV's do: workers
     * spend their time inside requests, where a stop hits them mid-unit */
    if (slow > 0) {
        char path[128], body[256];
        snprintf(path, sizeof path, "/admin/fault?kind=slow&count=100000000&ms=%d", slow);
        ck_assert_int_eq(simproc_admin(port, path, body, sizeof body), 0);
    }

    for (k = 0; k < nw; k++) {
        pids[k] = start_worker(k);
        stopped_until[k] = 0;
    }
    /* first a stop that surely lands inside a request: the resumed worker
     * must find its transition refused; it is not killed meanwhile */
    protect = stop_mid_request(pids, stopped_until, nw);
    if (protect >= 0) {
        targeted = 1;
        stopped_until[protect] = simproc_mono_ms() + lease + 1500 + 2000;
        stops++;
    }
    /* chaos while they work: stop a worker past its lease (preferably one
     * that holds items in flight), resume it later; kill and restart */
    while (stops < stops_wanted || kills < kills_wanted) {
        int64_t now = simproc_mono_ms();
        int alive = 0, nstopped = 0;
        simproc_sleep_ms(100 + (long)(obt_rand(&rng) % 300));
        now = simproc_mono_ms();
        for (k = 0; k < nw; k++) {
            if (stopped_until[k] && now >= stopped_until[k]) {
                kill(pids[k], SIGCONT);
                stopped_until[k] = 0;
                if (k == protect)
                    protect = -1;
            }
            nstopped += stopped_until[k] != 0;
            if (pids[k] > 0 && waitpid(pids[k], &status, WNOHANG) == pids[k]) {
                if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                    show_log(k);
                ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                              "worker %d failed (seed %llu)", k, (unsigned long long)seed);
                pids[k] = 0; /* idle: the backlog is empty */
            }
            alive += pids[k] > 0;
        }
        if (alive == 0)
            break;
        if (stops < stops_wanted && nstopped < (nw + 1) / 2 && (obt_rand(&rng) & 1)) {
            k = busy_worker(nw);
            if (k < 0 || pids[k] <= 0 || stopped_until[k])
                k = (int)(obt_rand(&rng) % (uint64_t)nw);
            if (pids[k] > 0 && !stopped_until[k]) {
                kill(pids[k], SIGSTOP);
                stopped_until[k] = now + lease + 500 + (int64_t)(obt_rand(&rng) % 1500);
                stops++;
            }
        } else if (kills < kills_wanted) {
            k = (int)(obt_rand(&rng) % (uint64_t)nw);
            if (pids[k] > 0 && k != protect) {
                kill(pids[k], SIGKILL);
                ck_assert_int_eq(waitpid(pids[k], &status, 0), pids[k]);
                stopped_until[k] = 0;
                kills++;
                pids[k] = start_worker(k);
                restarts++;
            }
        }
    }
    for (k = 0; k < nw; k++)
        if (stopped_until[k]) {
            /* let the lease run out before resuming, as intended */
            while (simproc_mono_ms() < stopped_until[k])
                simproc_sleep_ms(50);
            kill(pids[k], SIGCONT);
            stopped_until[k] = 0;
        }
    printf("multi-worker test: %d stops, %d kills done; waiting for the workers\n", stops, kills);
    fflush(stdout);
    /* every worker exits by itself once the backlog is empty (bounded) */
    for (i = 0; i < 12000; i++) {
        int alive = 0;
        for (k = 0; k < nw; k++) {
            if (pids[k] > 0 && waitpid(pids[k], &status, WNOHANG) == pids[k]) {
                if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                    show_log(k);
                ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                              "worker %d failed (seed %llu)", k, (unsigned long long)seed);
                pids[k] = 0;
            }
            alive += pids[k] > 0;
        }
        if (!alive)
            break;
        simproc_sleep_ms(50);
    }
    if (i == 12000) {
        for (k = 0; k < nw; k++)
            if (pids[k] > 0) {
                kill(pids[k], SIGKILL);
                waitpid(pids[k], &status, 0);
                show_log(k);
            }
        ck_abort_msg("the workers did not finish (seed %llu)", (unsigned long long)seed);
    }
    t_work = simproc_mono_ms();

    /* every invoice DONE, accepted exactly once */
    ck_assert_int_eq(navoi_outbox_open_postgres(&ob, c, pgt_conninfo()), NAVOI_OK);
    ck_assert_msg(simproc_check_delivered(ob, n, port, OBT_TAX, prefix, why, sizeof why) == 0,
                  "seed %llu: %s", (unsigned long long)seed, why);
    navoi_outbox_free(ob);

    /* stale workers changed nothing: each refused transition met a newer
     * fence written by another holder, and none of them is the state that
     * stayed (the stored fence moved past it) */
    {
        int64_t upd = pgt_scalar("SELECT count(*) FROM navoi_fence_rejections WHERE op = 'update'");
        int64_t all = pgt_scalar("SELECT count(*) FROM navoi_fence_rejections");
        int64_t bad = pgt_scalar("SELECT count(*) FROM navoi_fence_rejections"
                                 " WHERE stored_fence IS NULL OR stored_fence <= fence");
        int64_t fenced = pgt_scalar("SELECT count(*) FROM navoi_items i WHERE EXISTS (SELECT 1"
                                    " FROM navoi_fence_rejections r WHERE r.key = i.key AND"
                                    " r.fence >= i.fence)");
        printf("multi-worker test: %lld stale transitions refused (%lld fenced writes in all), "
               "%d restarts\n",
               (long long)upd, (long long)all, restarts);
        ck_assert_int_eq(bad, 0);
        ck_assert_int_eq(fenced, 0);
        ck_assert_msg(targeted, "no worker could be stopped inside a request");
        ck_assert_msg(upd > 0, "seed %llu: a worker stopped inside a request past its lease "
                               "attempted no transition afterwards",
                      (unsigned long long)seed);
    }
    printf("multi-worker test: %d invoices DONE and accepted once; enqueue %.1f s, work %.1f s "
           "(%d workers, %d stops, %d kills)\n",
           n, (t_enq - t0) / 1000.0, (t_work - t_enq) / 1000.0, nw, stops, kills);
    simproc_finish(sim, g_dir, "NAVOI_MW_KEEP");
    navoi_client_free(c);
}
END_TEST

int main(int argc, char **argv)
{
    Suite *s;
    TCase *tc;
    if (simproc_args(argc, argv, &g_cli, &g_simexe) != 0)
        return 2;
    if (!pgt_conninfo()) {
        fprintf(stderr, "postgres-multiworker: no PostgreSQL server: skipped\n");
        return 77;
    }
    s = suite_create("postgres-multiworker");
    tc = tcase_create("multiworker");
    tcase_set_timeout(tc, 3600);
    tcase_add_test(tc, workers_share_postgres_exactly_once);
    suite_add_tcase(s, tc);
    return nt_run(s);
}
