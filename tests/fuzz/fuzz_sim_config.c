/*
 * fuzz_sim_config.c - the simulator's INI configuration parser
 * (tools/sim/README.md), then sim_new() on what it accepted.
 */
#include <stddef.h>
#include <stdint.h>

#include "sim.h"
#include "sim_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sim_config *cfg = NULL;
    sim_server *s = NULL;
    char err[256];

    if (sim_config_parse((const char *)data, size, &cfg, err, sizeof err) != 0)
        return 0;
    /* Files named by the config (schemas, state, TLS) are not opened. */
    if (cfg->schemas_dir || cfg->state_file || cfg->tls_cert || cfg->tls_key) {
        sim_config_free(cfg);
        return 0;
    }
    if (sim_new(&s, cfg, err, sizeof err) == 0)
        sim_free(s);
    return 0;
}
