/*
 * main.c - the navoi-sim program: a local NAV Online Számla v3.0 server
 * for development and CI. See README.md in this folder.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim.h"

static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: navoi-sim --config FILE [--port N] [--tls-cert F --tls-key F]\n"
               "                 [--state FILE.sqlite] [--schemas DIR] [--processing-delay-ms N]\n"
               "                 [--fault KIND[:OP[:COUNT[:MS]]]]...\n"
               "faults: http500 http502 http503 http504 maintenance hang drop reset slow\n"
               "        slow-processing token-reject rate-limit\n");
}

int main(int argc, char **argv)
{
    const char *config = NULL, *faults[32];
    const char *sets[8][2];
    int nfaults = 0, nsets = 0, i;
    long port = 0;
    char err[512];
    sim_config *cfg;
    sim_server *s;
    struct sigaction sa;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        }
        if (!v) {
            usage(stderr);
            return 2;
        }
        i++;
        if (!strcmp(a, "--config")) {
            config = v;
        } else if (!strcmp(a, "--port")) {
            char *end;
            port = strtol(v, &end, 10);
            if (*end || port < 0 || port > 65535) {
                fprintf(stderr, "navoi-sim: bad port %s\n", v);
                return 2;
            }
        } else if (!strcmp(a, "--fault") && nfaults < 32) {
            faults[nfaults++] = v;
        } else if (nsets < 8 && (!strcmp(a, "--tls-cert") || !strcmp(a, "--tls-key") ||
                                 !strcmp(a, "--state") || !strcmp(a, "--schemas") ||
                                 !strcmp(a, "--processing-delay-ms"))) {
            sets[nsets][0] = !strcmp(a, "--tls-cert")  ? "tlsCert"
                             : !strcmp(a, "--tls-key") ? "tlsKey"
                             : !strcmp(a, "--state")   ? "state"
                             : !strcmp(a, "--schemas") ? "schemas"
                                                       : "processingDelayMs";
            sets[nsets++][1] = v;
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (!config) {
        usage(stderr);
        return 2;
    }
    if (sim_config_load(config, &cfg, err, sizeof err)) {
        fprintf(stderr, "navoi-sim: %s: %s\n", config, err);
        return 1;
    }
    for (i = 0; i < nsets; i++)
        if (sim_config_set(cfg, "settings", sets[i][0], sets[i][1], err, sizeof err)) {
            fprintf(stderr, "navoi-sim: %s\n", err);
            sim_config_free(cfg);
            return 2;
        }
    if (sim_new(&s, cfg, err, sizeof err)) {
        fprintf(stderr, "navoi-sim: %s\n", err);
        return 1;
    }
    for (i = 0; i < nfaults; i++)
        if (sim_fault_add_spec(s, faults[i])) {
            fprintf(stderr, "navoi-sim: --fault %s: %s\n", faults[i], sim_errmsg(s));
            sim_free(s);
            return 2;
        }
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (sim_start(s, (uint16_t)port)) {
        fprintf(stderr, "navoi-sim: %s\n", sim_errmsg(s));
        sim_free(s);
        return 1;
    }
    printf("navoi-sim listening on %s\n", sim_base_url(s));
    fflush(stdout);
    while (!g_stop)
        pause();
    sim_free(s);
    return 0;
}
