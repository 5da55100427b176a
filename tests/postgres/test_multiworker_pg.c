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
#include <libpq-fe.h>

#include "navoi/navoi.h"
#include "obtest.h"
#include "pgtest.h"
#include "testutil.h"

#define MAX_WORKERS 32

static const char *g_cli, *g_simexe;
static char g_dir[256];
static char g_storage[600];

static int env_int(const char *name, int dflt)
{
    const char *v = getenv(name);
    return v && *v ? atoi(v) : dflt;
}

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
        prctl(PR_SET_PDEATHSIG, SIGKILL);
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

static pid_t start_worker(int k)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        char cfg[400], log[400];
        int fd;
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        snprintf(cfg, sizeof cfg, "%s/w%d.conf", g_dir, k);
        snprintf(log, sizeof log, "%s/w%d.log", g_dir, k);
        fd = open(log, O_CREAT | O_APPEND | O_WRONLY, 0600);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        execl(g_cli, g_cli, "worker", "--config", cfg, "--storage", g_storage, "--until-idle",
              (char *)NULL);
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

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void show_log(int k)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "tail -n 30 %s/w%d.log >&2", g_dir, k);
    if (system(cmd) != 0)
        fprintf(stderr, "(no log of w%d)\n", k);
}

/* postgresql://user@host:port/db from the test server's connection string,
 * with a short idle-in-transaction timeout: a worker stopped inside a
 * transaction must not hold the others' rows for long. */
static void make_storage_uri(const char *conninfo)
{
    PQconninfoOption *opts = PQconninfoParse(conninfo, NULL), *o;
    const char *host = "127.0.0.1", *port = "5432", *db = "navoi", *user = "navoi";
    ck_assert_ptr_nonnull(opts);
    for (o = opts; o->keyword; o++) {
        if (!o->val)
            continue;
        if (!strcmp(o->keyword, "host"))
            host = o->val;
        else if (!strcmp(o->keyword, "port"))
            port = o->val;
        else if (!strcmp(o->keyword, "dbname"))
            db = o->val;
        else if (!strcmp(o->keyword, "user"))
            user = o->val;
    }
    snprintf(g_storage, sizeof g_storage,
             "postgresql://%s@%s:%s/%s?options=-c%%20idle_in_transaction_session_timeout%%3D5000",
             user, host, port, db);
    PQconninfoFree(opts);
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
            sleep_ms(20);
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
    int64_t stopped_until[MAX_WORKERS], t0 = mono_ms(), t_enq, t_work;
    unsigned port = 0;
    char text[4096];
    navoi_client *c;
    navoi_outbox *ob = NULL;
    CURL *curl;

    ck_assert_int_ge(nw, 1);
    ck_assert_int_le(nw, MAX_WORKERS);
    rng = seed ? seed : 1;
    snprintf(g_dir, sizeof g_dir, "/tmp/navoi-mw-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(g_dir));
    printf("multi-worker test: %d invoices, %d workers, %d stops, %d kills, lease %d ms, dir %s\n",
           n, nw, stops_wanted, kills_wanted, lease, g_dir);
    fflush(stdout);
    pgt_drop_all();
    make_storage_uri(pgt_conninfo());
    snprintf(text, sizeof text, "[settings]\nselfCheck = false\n%s", obt_sim_config);
    write_file("sim.ini", text, 0600);
    sim = start_sim(&port);
    write_file("password", "Outbox-Jelszo-01\n", 0600);
    write_file("signing.key", "ob-8f5e-215119fa7dd621DLMRHRLH2S\n", 0600);
    write_file("exchange.key", "9febIBBQRLZ348IB\n", 0600);
    for (k = 0; k < nw; k++) {
        char name[32];
        snprintf(text, sizeof text,
                 "# written by test_multiworker_pg\n"
                 "base_url = http://127.0.0.1:%u/invoiceService/v3\n"
                 "login = outboxuser01\n"
                 "tax_number = " OBT_TAX "\n"
                 "password_file = %s/password\n"
                 "signing_key_file = %s/signing.key\n"
                 "exchange_key_file = %s/exchange.key\n"
                 "software_id = HU12345676-OUTBOX1\n"
                 "software_name = navoi multi-worker test\n"
                 "software_operation = local\n"
                 "software_main_version = 0.1\n"
                 "software_dev_name = navoi\n"
                 "software_dev_contact = dev@example.com\n"
                 "worker_id = mw-%d\n"
                 "lease_ms = %d\n"
                 "log_level = info\n"
                 "lost_wait_ms = 1500\n"
                 "lost_margin_ms = 120000\n"
                 "poll_first_ms = 50\n"
                 "poll_cap_ms = 400\n"
                 "backoff_base_ms = 200\n"
                 "backoff_cap_ms = 2000\n"
                 "min_interval_ms = 0\n"
                 "batch_size = %d\n",
                 port, g_dir, g_dir, g_dir, k, lease, batch);
        snprintf(name, sizeof name, "w%d.conf", k);
        write_file(name, text, 0600);
    }

    /* enqueue through the public constructor */
    c = obt_client("http://127.0.0.1:9/invoiceService/v3");
    ck_assert_int_eq(navoi_outbox_open_postgres(&ob, c, pgt_conninfo()), NAVOI_OK);
    ck_assert_int_eq(navoi_outbox_set_validation(ob, NAVOI_OUTBOX_VALIDATE_OFF), NAVOI_OK);
    for (i = 0; i < n; i++) {
        char key[32], num[48];
        navoi_invoice *inv;
        snprintf(key, sizeof key, "mw-%d", i);
        snprintf(num, sizeof num, "MW-%llu-%05d", (unsigned long long)(seed % 1000000), i);
        inv = obt_invoice("demo-create-1.xml", num, NULL, NAVOI_OP_CREATE);
        ck_assert_int_eq(navoi_outbox_enqueue(ob, key, inv, NULL, NULL), NAVOI_OK);
        navoi_invoice_free(inv);
    }
    navoi_outbox_free(ob);
    ob = NULL;
    t_enq = mono_ms();
    /* every answer of the simulator takes a while, as NAV's do: workers
     * spend their time inside requests, where a stop hits them mid-unit */
    if (slow > 0) {
        char url[256], body[256] = "";
        curl = curl_easy_init();
        ck_assert_ptr_nonnull(curl);
        snprintf(url, sizeof url,
                 "http://127.0.0.1:%u/admin/fault?kind=slow&count=100000000&ms=%d", port, slow);
        curl_easy_setopt(curl, CURLOPT_URL, url);
        curl_easy_setopt(curl, CURLOPT_POST, 1L);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, "");
        curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(curl, CURLOPT_WRITEDATA, (void *)body);
        ck_assert_int_eq(curl_easy_perform(curl), CURLE_OK);
        curl_easy_cleanup(curl);
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
        stopped_until[protect] = mono_ms() + lease + 1500 + 2000;
        stops++;
    }
    /* chaos while they work: stop a worker past its lease (preferably one
     * that holds items in flight), resume it later; kill and restart */
    while (stops < stops_wanted || kills < kills_wanted) {
        int64_t now = mono_ms();
        int alive = 0, nstopped = 0;
        sleep_ms(100 + (long)(obt_rand(&rng) % 300));
        now = mono_ms();
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
            while (mono_ms() < stopped_until[k])
                sleep_ms(50);
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
        sleep_ms(50);
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
    t_work = mono_ms();

    /* every invoice DONE, accepted exactly once */
    ck_assert_int_eq(navoi_outbox_open_postgres(&ob, c, pgt_conninfo()), NAVOI_OK);
    {
        int64_t done = 0, backlog = -1;
        ck_assert_int_eq(navoi_outbox_count(ob, NAVOI_ITEM_DONE, &done), NAVOI_OK);
        ck_assert_int_eq(navoi_outbox_backlog(ob, &backlog, NULL), NAVOI_OK);
        ck_assert_int_eq(backlog, 0);
        ck_assert_int_eq(done, n);
    }
    navoi_outbox_free(ob);
    curl = curl_easy_init();
    ck_assert_ptr_nonnull(curl);
    for (i = 0; i < n; i++) {
        char num[48];
        int acc;
        snprintf(num, sizeof num, "MW-%llu-%05d", (unsigned long long)(seed % 1000000), i);
        acc = ledger_accepted(curl, port, num);
        ck_assert_msg(acc == 1, "seed %llu: %s accepted %d times", (unsigned long long)seed, num,
                      acc);
    }
    curl_easy_cleanup(curl);

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
    kill(sim, SIGTERM);
    waitpid(sim, &status, 0);
    navoi_client_free(c);
    if (!getenv("NAVOI_MW_KEEP")) {
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
