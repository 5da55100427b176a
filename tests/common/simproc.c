/* simproc.c - see simproc.h. */
#include "simproc.h"

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

#include <curl/curl.h>

int simproc_args(int argc, char **argv, const char **cli_out, const char **sim_out)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s NAVOI_CLI NAVOI_SIM\n", argv[0]);
        return -1;
    }
    *cli_out = argv[1];
    *sim_out = argv[2];
    return 0;
}

int simproc_write_file(const char *dir, const char *name, const char *text, mode_t mode)
{
    char path[1024];
    size_t n = strlen(text);
    int fd;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, mode);
    if (fd < 0)
        return -1;
    if (write(fd, text, n) != (ssize_t)n) {
        close(fd);
        return -1;
    }
    fchmod(fd, mode);
    close(fd);
    return 0;
}

int simproc_write_secrets(const char *dir)
{
    if (simproc_write_file(dir, "password", "Outbox-Jelszo-01\n", 0600) != 0 ||
        simproc_write_file(dir, "signing.key", "ob-8f5e-215119fa7dd621DLMRHRLH2S\n", 0600) != 0 ||
        simproc_write_file(dir, "exchange.key", "9febIBBQRLZ348IB\n", 0600) != 0)
        return -1;
    return 0;
}

int simproc_write_worker_conf(const char *dir, const char *name, unsigned port,
                              const char *software_name, const char *extra)
{
    char text[4096], file[300];
    snprintf(text, sizeof text,
             "# written by %s\n"
             "base_url = http://127.0.0.1:%u/invoiceService/v3\n"
             "login = outboxuser01\n"
             "tax_number = " SIMPROC_TAX "\n"
             "password_file = %s/password\n"
             "signing_key_file = %s/signing.key\n"
             "exchange_key_file = %s/exchange.key\n"
             "software_id = HU12345676-OUTBOX1\n"
             "software_name = %s\n"
             "software_operation = local\n"
             "software_main_version = 0.1\n"
             "software_dev_name = navoi\n"
             "software_dev_contact = dev@example.com\n"
             "log_level = info\n"
             "lost_wait_ms = 1500\n"
             "lost_margin_ms = 120000\n"
             "poll_first_ms = 50\n"
             "poll_cap_ms = 400\n"
             "backoff_base_ms = 200\n"
             "backoff_cap_ms = 2000\n"
             "min_interval_ms = 0\n"
             "%s",
             software_name, port, dir, dir, dir, software_name, extra ? extra : "");
    snprintf(file, sizeof file, "%s.conf", name);
    return simproc_write_file(dir, file, text, 0600);
}

pid_t simproc_start_sim(const char *exe, const char *dir, const char *schemas,
                        const char *config_text, unsigned *port_out)
{
    int out[2];
    pid_t pid;
    char cfg[1024], state[1024], line[512];
    FILE *f;
    if (simproc_write_file(dir, "sim.ini", config_text, 0600) != 0) {
        fprintf(stderr, "simproc: cannot write %s/sim.ini\n", dir);
        return -1;
    }
    snprintf(cfg, sizeof cfg, "%s/sim.ini", dir);
    snprintf(state, sizeof state, "%s/sim-state.sqlite", dir);
    if (pipe(out) != 0)
        return -1;
    pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        char log[1024];
        int fd;
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive a failed test */
        snprintf(log, sizeof log, "%s/sim.log", dir);
        fd = open(log, O_CREAT | O_APPEND | O_WRONLY, 0600);
        dup2(out[1], 1);
        if (fd >= 0)
            dup2(fd, 2);
        close(out[0]);
        execl(exe, exe, "--config", cfg, "--port", "0", "--state", state, "--schemas", schemas,
              (char *)NULL);
        _exit(127);
    }
    close(out[1]);
    f = fdopen(out[0], "r");
    if (!f)
        return -1;
    if (!fgets(line, sizeof line, f)) {
        fprintf(stderr, "simproc: navoi-sim did not start (see %s/sim.log)\n", dir);
        fclose(f);
        return -1;
    }
    fclose(f);
    if (sscanf(line, "navoi-sim listening on http://127.0.0.1:%u", port_out) != 1) {
        fprintf(stderr, "simproc: navoi-sim said: %s", line);
        return -1;
    }
    return pid;
}

pid_t simproc_start_worker(const char *cli, const char *dir, const char *name,
                           const char *storage)
{
    pid_t pid = fork();
    if (pid == 0) {
        char cfg[1024], log[1024];
        int fd;
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        snprintf(cfg, sizeof cfg, "%s/%s.conf", dir, name);
        snprintf(log, sizeof log, "%s/%s.log", dir, name);
        fd = open(log, O_CREAT | O_APPEND | O_WRONLY, 0600);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        if (storage)
            execl(cli, cli, "worker", "--config", cfg, "--storage", storage, "--until-idle",
                  (char *)NULL);
        else
            execl(cli, cli, "worker", "--config", cfg, "--until-idle", (char *)NULL);
        _exit(127);
    }
    return pid;
}

typedef struct sink {
    char *buf;
    size_t len, have;
} sink;

static size_t on_body(char *p, size_t sz, size_t n, void *ud)
{
    sink *s = ud;
    size_t add = sz * n;
    if (s->have + add >= s->len)
        add = s->len - 1 - s->have;
    memcpy(s->buf + s->have, p, add);
    s->have += add;
    s->buf[s->have] = '\0';
    return sz * n;
}

static int post(CURL *c, unsigned port, const char *path_query, char *body, size_t len)
{
    char url[512];
    sink s;
    s.buf = body;
    s.len = len;
    s.have = 0;
    body[0] = '\0';
    snprintf(url, sizeof url, "http://127.0.0.1:%u%s", port, path_query);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, (void *)&s);
    return curl_easy_perform(c) == CURLE_OK ? 0 : -1;
}

int simproc_admin(unsigned port, const char *path_query, char *body, size_t len)
{
    CURL *c = curl_easy_init();
    int rc;
    if (!c)
        return -1;
    rc = post(c, port, path_query, body, len);
    curl_easy_cleanup(c);
    return rc;
}

/* The ledger answers "accepted=N submitted=M ...". */
static int ledger_accepted(CURL *c, unsigned port, const char *supplier, const char *number,
                           char *why, size_t whylen)
{
    char path[256], body[256];
    int accepted = -1;
    snprintf(path, sizeof path, "/admin/ledger?supplier=%s&number=%s", supplier, number);
    if (post(c, port, path, body, sizeof body) != 0)
        snprintf(why, whylen, "ledger request for %s failed", number);
    else if (sscanf(body, "accepted=%d", &accepted) != 1)
        snprintf(why, whylen, "ledger: %s", body);
    else if (accepted != 1)
        snprintf(why, whylen, "%s accepted %d times", number, accepted);
    return accepted == 1 ? 0 : -1;
}

int simproc_enqueue(navoi_outbox *ob, int n, const char *key_prefix, const char *prefix,
                    simproc_invoice_fn make, char *why, size_t whylen)
{
    int i, rc;
    for (i = 0; i < n; i++) {
        char key[64], number[64];
        navoi_invoice *inv;
        snprintf(key, sizeof key, "%s-%d", key_prefix, i);
        snprintf(number, sizeof number, "%s-%05d", prefix, i);
        inv = make(number);
        if (!inv) {
            snprintf(why, whylen, "no invoice %s", number);
            return -1;
        }
        rc = navoi_outbox_enqueue(ob, key, inv, NULL, NULL);
        navoi_invoice_free(inv);
        if (rc != NAVOI_OK) {
            snprintf(why, whylen, "enqueue %s: %s", key, navoi_outbox_errmsg(ob));
            return -1;
        }
    }
    return 0;
}

int simproc_check_delivered(navoi_outbox *ob, int n, unsigned port, const char *supplier,
                            const char *prefix, char *why, size_t whylen)
{
    int64_t done = 0, backlog = -1;
    CURL *c;
    int i, rc = 0;
    if (navoi_outbox_count(ob, NAVOI_ITEM_DONE, &done) != NAVOI_OK ||
        navoi_outbox_backlog(ob, &backlog, NULL) != NAVOI_OK) {
        snprintf(why, whylen, "outbox: %s", navoi_outbox_errmsg(ob));
        return -1;
    }
    if (backlog != 0 || done != n) {
        snprintf(why, whylen, "%lld of %d items DONE, backlog %lld", (long long)done, n,
                 (long long)backlog);
        return -1;
    }
    c = curl_easy_init();
    if (!c) {
        snprintf(why, whylen, "curl_easy_init failed");
        return -1;
    }
    for (i = 0; i < n && rc == 0; i++) {
        char number[64];
        snprintf(number, sizeof number, "%s-%05d", prefix, i);
        rc = ledger_accepted(c, port, supplier, number, why, whylen);
    }
    curl_easy_cleanup(c);
    return rc;
}

void simproc_finish(pid_t sim, const char *dir, const char *keep_env)
{
    char cmd[1200];
    kill(sim, SIGTERM);
    waitpid(sim, NULL, 0);
    if (getenv(keep_env))
        return;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", dir);
}

void simproc_show_log(const char *dir, const char *file, int lines)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "tail -n %d '%s/%s' >&2", lines, dir, file);
    if (system(cmd) != 0)
        fprintf(stderr, "(no %s)\n", file);
}

void simproc_sleep_ms(long ms)
{
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

int64_t simproc_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
