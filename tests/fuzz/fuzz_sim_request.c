/*
 * fuzz_sim_request.c - the simulator's request pipeline (sim_handle): the
 * first byte selects the operation, the rest is the request body. One
 * server (tests/data/sim/sim.ini) serves the whole run; only requests that
 * pass every check change its state, so the state stays small.
 */
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops/ops.h"
#include "sim.h"
#include "sim_internal.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static sim_server *g_sim;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *dir = getenv("NAVOI_TEST_DATA");
    char path[4096], err[256];
    sim_config *cfg = NULL;

    (void)argc;
    (void)argv;
    snprintf(path, sizeof path, "%s/sim/sim.ini", dir ? dir : "tests/data");
    if (sim_config_load(path, &cfg, err, sizeof err) != 0 ||
        sim_new(&g_sim, cfg, err, sizeof err) != 0) {
        fprintf(stderr, "fuzz_sim_request: %s: %s\n", path, err);
        abort();
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sim_response r;

    if (size < 1)
        return 0;
    memset(&r, 0, sizeof r);
    pthread_mutex_lock(&g_sim->lock);
    sim_handle(g_sim, data[0] % NAVOI__OP_COUNT, (const char *)data + 1, size - 1, "127.0.0.1",
               &r);
    pthread_mutex_unlock(&g_sim->lock);
    sim_buf_free(&r.body);
    return 0;
}
