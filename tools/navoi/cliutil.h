/* cliutil.h - helpers shared by the subcommands of issue 5 (sync,
 * check-connection, metrics, failed, retry, report, query, enqueue,
 * status, annul, sim, demo): configuration and client set-up, an outbox
 * or sync handle on the configured storage, JSON output and dates.
 * Public API only. */
#ifndef NAVOI_CLIUTIL_H
#define NAVOI_CLIUTIL_H

#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "navoi/navoi.h"

/* Common options: --config FILE (or $NAVOI_CONFIG) and --json. The parser
 * of each command calls cli_common_opt() first; it returns 1 (consumed,
 * *i advanced), 0 (not a common option) or -1 (missing value). */
typedef struct cli_common {
    const char *config;
    int json;
    const char *cmd; /* "navoi sync", for messages */
} cli_common;
int cli_common_opt(cli_common *co, int argc, char **argv, int *i);

/* Loads the configuration (co->config, else $NAVOI_CONFIG, else env only)
 * and creates a client with a stderr log hook at the configured level.
 * with_secrets 0: see cli_config_client_ex(). Prints the error; returns
 * EXIT_OK or EXIT_ERROR. */
int cli_setup(const cli_common *co, int with_secrets, cli_config **cfg_out,
              navoi_client **client_out);
/* Opens the configured outbox (key storage). Prints the error. */
int cli_open_outbox(const cli_common *co, const cli_config *cfg, navoi_client *c,
                    navoi_outbox **out);

/* JSON string (with quotes) of s; NULL prints null. */
void cli_json_str(FILE *out, const char *s);
/* "YYYY-MM-DD" or "YYYY-MM-DDThh:mm:ssZ" -> ms since epoch (UTC); -1 if invalid. */
int64_t cli_parse_time(const char *s);
/* ms -> "YYYY-MM-DDThh:mm:ssZ". */
void cli_fmt_time(int64_t ms, char out[32]);
int64_t cli_now_ms(void);

#endif
