/* cmd_worker.c - `navoi worker`: runs the outbox pipeline (public API only)
 * until stopped, until the backlog is empty, or for one step. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "config.h"
#include "storage_open.h"
#include "metrics_http.h"
#include "navoi/navoi.h"

static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

void help_worker(FILE *out)
{
    fprintf(out,
            "usage: navoi worker --config FILE [--until-idle | --once] [--max-steps N]\n"
            "                    [--metrics-listen ADDRESS:PORT] [--storage STORAGE]\n\n"
            "Reports every invoice of the outbox to NAV exactly once: sends batches,\n"
            "polls their status, runs the lost-transaction check after ambiguous sends\n"
            "and retries transient failures. Runs until SIGINT/SIGTERM, or with\n"
            "--until-idle until nothing is left to do, or with --once for one step.\n"
            "--metrics-listen 127.0.0.1:9464 serves the metrics (as `navoi metrics`) at\n"
            "http://127.0.0.1:9464/metrics while the worker runs.\n\n"
            "Configuration (key = value; see tools/navoi/config.h), besides the client keys:\n"
            "  storage            the outbox: an SQLite file, or a PostgreSQL database\n"
            "                     (postgresql://user@host/db, or postgres:host=... dbname=...)\n"
            "                     that several workers share; --storage overrides it.\n"
            "                     Keep the PostgreSQL password in PGPASSFILE, not here.\n"
            "  worker_id, lease_ms            lease owner id and duration\n"
            "  backoff_base_ms, backoff_cap_ms, jitter_percent, horizon_ms\n"
            "  poll_first_ms, poll_cap_ms, lost_wait_ms, lost_margin_ms\n"
            "  batch_size, min_interval_ms\n"
            "  annul_poll_first_ms, annul_poll_cap_ms, annul_follow_ms\n"
            "                     following of annulments awaiting approval (1 h, 24 h, 60 d)\n"
            "Secrets come from *_file keys (mode 0600) or NAVOI_PASSWORD,\n"
            "NAVOI_SIGNING_KEY, NAVOI_EXCHANGE_KEY, never from the command line.\n\n"
            "exit: 0 stopped or idle, 2 usage, 3 configuration/storage error or\n"
            "      sending halted (the reason is printed).\n");
}

static void on_log(int level, const char *corr, const char *msg, void *ud)
{
    static const char *const names[] = {"?", "ERROR", "WARN", "INFO", "DEBUG", "TRACE"};
    struct timespec ts;
    struct tm tm;
    char when[32];
    (void)ud;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
    fprintf(stderr, "%s.%03ldZ %s [%s] %s\n", when, ts.tv_nsec / 1000000,
            names[level >= 1 && level <= 5 ? level : 0], corr, msg);
}

static void sleep_ms(int64_t ms)
{
    struct timespec ts;
    if (ms <= 0)
        return;
    ts.tv_sec = (time_t)(ms / 1000);
    ts.tv_nsec = (long)(ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR && !g_stop)
        ;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int apply_policies(navoi_outbox *ob, const cli_config *cfg, char *err, size_t errlen)
{
    uint32_t base, cap, jit, pf, pc, lw, lm, bs, mi, lease, af, ac;
    int64_t horizon, afollow;
    const char *wid = cli_config_get(cfg, "worker_id");
    if (cli_config_u32(cfg, "backoff_base_ms", 30000, &base, err, errlen) ||
        cli_config_u32(cfg, "backoff_cap_ms", 300000, &cap, err, errlen) ||
        cli_config_u32(cfg, "jitter_percent", 20, &jit, err, errlen) ||
        cli_config_i64(cfg, "horizon_ms", 86400000, &horizon, err, errlen) ||
        cli_config_u32(cfg, "poll_first_ms", 1000, &pf, err, errlen) ||
        cli_config_u32(cfg, "poll_cap_ms", 60000, &pc, err, errlen) ||
        cli_config_u32(cfg, "lost_wait_ms", 300000, &lw, err, errlen) ||
        cli_config_u32(cfg, "lost_margin_ms", 600000, &lm, err, errlen) ||
        cli_config_u32(cfg, "batch_size", 100, &bs, err, errlen) ||
        cli_config_u32(cfg, "min_interval_ms", 1000, &mi, err, errlen) ||
        cli_config_u32(cfg, "lease_ms", 600000, &lease, err, errlen) ||
        cli_config_u32(cfg, "annul_poll_first_ms", 3600000, &af, err, errlen) ||
        cli_config_u32(cfg, "annul_poll_cap_ms", 86400000, &ac, err, errlen) ||
        cli_config_i64(cfg, "annul_follow_ms", (int64_t)60 * 86400000, &afollow, err, errlen))
        return -1;
    if (navoi_outbox_set_policy_retry(ob, base, cap, jit, horizon) != NAVOI_OK) {
        snprintf(err, errlen, "backoff_base_ms/backoff_cap_ms/jitter_percent/horizon_ms invalid");
        return -1;
    }
    if (navoi_outbox_set_policy_poll(ob, pf, pc) != NAVOI_OK) {
        snprintf(err, errlen, "poll_first_ms/poll_cap_ms invalid");
        return -1;
    }
    if (navoi_outbox_set_policy_lost(ob, lw, lm) != NAVOI_OK ||
        navoi_outbox_set_policy_batch(ob, bs, mi) != NAVOI_OK) {
        snprintf(err, errlen, "lost_wait_ms/batch_size/min_interval_ms invalid");
        return -1;
    }
    if (navoi_outbox_set_policy_annulment(ob, af, ac, afollow) != NAVOI_OK) {
        snprintf(err, errlen, "annul_poll_first_ms/annul_poll_cap_ms/annul_follow_ms invalid");
        return -1;
    }
    if (wid && navoi_outbox_set_worker(ob, wid, lease) != NAVOI_OK) {
        snprintf(err, errlen, "worker_id (1..64 printable characters) or lease_ms invalid");
        return -1;
    }
    return 0;
}

int cmd_worker(int argc, char **argv)
{
    const char *cfg_path = NULL, *storage, *metrics_listen = NULL, *storage_opt = NULL;
    char shown[512];
    int shared = 0;
    worker_metrics *wm = NULL;
    cli_config *cfg = NULL;
    navoi_client *client = NULL;
    navoi_outbox *ob = NULL;
    char err[1024];
    long max_steps = -1, steps = 0;
    int once = 0, until_idle = 0, level, rc, ret = EXIT_ERROR, i;
    struct sigaction sa;

    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--config") && i + 1 < argc)
            cfg_path = argv[++i];
        else if (!strcmp(argv[i], "--once"))
            once = 1;
        else if (!strcmp(argv[i], "--until-idle"))
            until_idle = 1;
        else if (!strcmp(argv[i], "--max-steps") && i + 1 < argc)
            max_steps = atol(argv[++i]);
        else if (!strcmp(argv[i], "--metrics-listen") && i + 1 < argc)
            metrics_listen = argv[++i];
        else if (!strcmp(argv[i], "--storage") && i + 1 < argc)
            storage_opt = argv[++i];
        else {
            help_worker(stderr);
            return EXIT_USAGE;
        }
    }
    if (cli_config_load(&cfg, cfg_path, err, sizeof err) != 0) {
        fprintf(stderr, "navoi worker: %s\n", err);
        return EXIT_ERROR;
    }
    storage = storage_opt ? storage_opt : cli_config_get(cfg, "storage");
    level = cli_config_log_level(cfg);
    if (!storage || level < 0) {
        fprintf(stderr, "navoi worker: %s\n",
                !storage ? "no storage configured (storage = FILE or NAVOI_STORAGE)"
                         : "log_level must be error, warn, info, debug or trace");
        goto out;
    }
    if (cli_config_client(cfg, &client, err, sizeof err) != 0) {
        fprintf(stderr, "navoi worker: %s\n", err);
        goto out;
    }
    navoi_client_set_log(client, on_log, level, NULL);
    cli_storage_display(storage, shown, sizeof shown);
    shared = cli_storage_is_postgres(storage);
    rc = cli_storage_open_outbox(&ob, client, storage);
    if (rc != NAVOI_OK) {
        fprintf(stderr, "navoi worker: %s: %s\n", shown, navoi_client_errmsg(client));
        goto out;
    }
    if (apply_policies(ob, cfg, err, sizeof err) != 0) {
        fprintf(stderr, "navoi worker: %s\n", err);
        goto out;
    }
    if (metrics_listen && !(wm = worker_metrics_start(ob, metrics_listen, err, sizeof err))) {
        fprintf(stderr, "navoi worker: %s\n", err);
        goto out;
    }
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    while (!g_stop) {
        int did = 0;
        int64_t due = 0, backlog = 0, wait;
        rc = navoi_outbox_step(ob, &did);
        steps++;
        worker_metrics_tick(wm);
        if (rc == NAVOI_ECONFIG) {
            fprintf(stderr, "navoi worker: sending halted: %s\n",
                    navoi_outbox_halt_reason(ob) ? navoi_outbox_halt_reason(ob) : "");
            goto out;
        }
        if (rc == NAVOI_EIO && shared && !once) {
            /* a shared database may be restarting or failing over: the
             * transaction was rolled back, try again */
            fprintf(stderr, "navoi worker: %s (%s), retrying in 1 s\n", navoi_outbox_errmsg(ob),
                    navoi_strerror(rc));
            sleep_ms(1000);
            continue;
        }
        if (rc != NAVOI_OK) {
            fprintf(stderr, "navoi worker: %s (%s)\n", navoi_outbox_errmsg(ob),
                    navoi_strerror(rc));
            goto out;
        }
        if (once || (max_steps >= 0 && steps >= max_steps))
            break;
        if (did)
            continue;
        if (navoi_outbox_backlog(ob, &backlog, NULL) != NAVOI_OK ||
            navoi_outbox_next_due(ob, &due) != NAVOI_OK) {
            fprintf(stderr, "navoi worker: %s\n", navoi_outbox_errmsg(ob));
            if (shared) {
                sleep_ms(1000);
                continue;
            }
            goto out;
        }
        if (until_idle && backlog == 0)
            break;
        wait = due ? due - now_ms() : 1000;
        sleep_ms(wait < 10 ? 10 : wait > 1000 ? 1000 : wait);
    }
    ret = EXIT_OK;
out:
    worker_metrics_stop(wm);
    navoi_outbox_free(ob);
    navoi_client_free(client);
    cli_config_free(cfg);
    return ret;
}
