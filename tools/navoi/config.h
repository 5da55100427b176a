/* config.h - configuration of the navoi CLI commands: a key=value file
 * plus environment variables, and the client it describes. Secrets
 * (password, signing key, exchange key) never come from the file's values
 * or from argv: only from files named in the config (mode 0600/0400, read
 * with navoi_secret_file_read) or from environment variables.
 *
 * File format: "key = value" lines, '#' or ';' start a comment, at most
 * 64 KiB and 1024 bytes per line. Every key may be overridden by the
 * environment variable NAVOI_<KEY> (upper case), e.g. NAVOI_STORAGE.
 *
 * Keys understood by cli_config_client():
 *   environment      test | production (default test)
 *   base_url         any base URL instead (e.g. the simulator)
 *   ca_file, schema_dir
 *   login, tax_number
 *   password_file | password_hash_file   (or env NAVOI_PASSWORD)
 *   signing_key_file                     (or env NAVOI_SIGNING_KEY)
 *   exchange_key_file                    (or env NAVOI_EXCHANGE_KEY)
 *   software_id, software_name, software_operation (local|online),
 *   software_main_version, software_dev_name, software_dev_contact,
 *   software_dev_country, software_dev_tax_number
 *   log_level        error|warn|info|debug|trace (default info)
 * Commands read further keys of their own (the worker: storage, ...).
 */
#ifndef NAVOI_CLI_CONFIG_H
#define NAVOI_CLI_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "navoi/navoi.h"

typedef struct cli_config cli_config;

/* Loads path (NULL: environment only). On failure err says why (with the
 * line number) and -1 is returned. */
int cli_config_load(cli_config **out, const char *path, char *err, size_t errlen);
void cli_config_free(cli_config *cfg);

/* Value of key: NAVOI_<KEY> from the environment, else the file, else NULL. */
const char *cli_config_get(const cli_config *cfg, const char *key);
/* Unsigned / signed integer with a default; -1 and err on a bad value. */
int cli_config_u32(const cli_config *cfg, const char *key, uint32_t dflt, uint32_t *out,
                   char *err, size_t errlen);
int cli_config_i64(const cli_config *cfg, const char *key, int64_t dflt, int64_t *out,
                   char *err, size_t errlen);

/* Creates a client from the configuration (environment, credentials,
 * software). -1 with err naming the key on failure. */
int cli_config_client(const cli_config *cfg, navoi_client **out, char *err, size_t errlen);
/* Same; with_secrets 0 leaves password and keys unset (navoi check-connection
 * reads them itself with cli_config_secrets() to diagnose their form). */
int cli_config_client_ex(const cli_config *cfg, int with_secrets, navoi_client **out, char *err,
                         size_t errlen);

/* The secrets as read from their files or environment variables (NULL when
 * not configured), unchecked. Release with cli_secrets_wipe(). */
typedef struct cli_secrets {
    char *password, *password_hash, *signing_key, *exchange_key;
} cli_secrets;
int cli_config_secrets(const cli_config *cfg, cli_secrets *out, char *err, size_t errlen);
void cli_secrets_wipe(cli_secrets *s);

/* NAVOI_LOG_* of log_level (default NAVOI_LOG_INFO), -1 if invalid. */
int cli_config_log_level(const cli_config *cfg);

#endif
