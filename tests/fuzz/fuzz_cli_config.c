/*
 * fuzz_cli_config.c - the navoi CLI's configuration file (tools/navoi/
 * config.c: key = value lines, then the client they describe). The input
 * is handed over as a memfd so the real file-reading code runs.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config.h"
#include "navoi/navoi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cli_config *cfg = NULL;
    navoi_client *c = NULL;
    char path[64], err[512];
    int64_t i64;
    uint32_t u32;
    int fd = memfd_create("navoi-fuzz-config", 0);

    if (fd < 0)
        return 0;
    if (write(fd, data, size) == (ssize_t)size) {
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        if (cli_config_load(&cfg, path, err, sizeof err) == 0) {
            (void)cli_config_log_level(cfg);
            (void)cli_config_i64(cfg, "poll_ms", 5, &i64, err, sizeof err);
            (void)cli_config_u32(cfg, "batch", 5, &u32, err, sizeof err);
            if (cli_config_client(cfg, &c, err, sizeof err) == 0)
                navoi_client_free(c);
            cli_config_free(cfg);
        }
    }
    close(fd);
    return 0;
}
