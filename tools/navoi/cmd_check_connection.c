/*
 * cmd_check_connection.c - `navoi check-connection`: tells whether the
 * configured credentials work against NAV, and what to change if not.
 * The secrets are read raw (files or environment) so that their form can
 * be diagnosed instead of merely refused; they are never printed.
 */
#include <string.h>

#include "cli.h"
#include "cliutil.h"

void help_check_connection(FILE *out)
{
    fprintf(out,
            "usage: navoi check-connection [--config FILE] [--query-only] [--json]\n\n"
            "Checks the configuration against NAV (tokenExchange and queryTaxpayer) and\n"
            "prints ACTIVE, NO_CONFIG (with the missing settings) or ERROR with a diagnosis:\n"
            "whitespace or a line break in a key or the password, a key of the wrong length,\n"
            "wrong password, wrong signing or exchange key, a missing right of the technical\n"
            "user, an unregistered taxpayer, clock skew (and by how much), credentials of\n"
            "NAV's other environment, TLS or network failures with their reason.\n"
            "--query-only skips tokenExchange (for software that only queries).\n\n"
            "exit: 0 ACTIVE, 1 ERROR, 2 usage, 3 NO_CONFIG or unreadable configuration.\n");
}

int cmd_check_connection(int argc, char **argv)
{
    cli_common co = {NULL, 0, "navoi check-connection"};
    cli_config *cfg = NULL;
    navoi_client *c = NULL;
    cli_secrets sec;
    unsigned flags = 0;
    int i, r, status = 0, diag = 0, ret;
    char err[1024];
    const char *msg;

    for (i = 1; i < argc; i++) {
        if ((r = cli_common_opt(&co, argc, argv, &i)) != 0) {
            if (r < 0)
                goto usage;
        } else if (!strcmp(argv[i], "--query-only")) {
            flags |= NAVOI_CHECK_QUERY_ONLY;
        } else {
            goto usage;
        }
    }
    if (cli_setup(&co, 0, &cfg, &c) != EXIT_OK)
        return EXIT_ERROR;
    if (cli_config_secrets(cfg, &sec, err, sizeof err) != 0) {
        fprintf(stderr, "%s: %s\n", co.cmd, err);
        navoi_client_free(c);
        cli_config_free(cfg);
        return EXIT_ERROR;
    }
    if (!sec.password && sec.password_hash &&
        navoi_client_set_password_hash(c, sec.password_hash) != NAVOI_OK) {
        status = NAVOI_CONN_ERROR;
        diag = NAVOI_DIAG_KEY_LENGTH;
        msg = "the password hash must be 128 hexadecimal digits (SHA-512)";
    } else {
        navoi_check_connection_with(c, flags, sec.password, sec.signing_key, sec.exchange_key,
                                    &status, &diag);
        msg = navoi_client_errmsg(c);
    }
    cli_secrets_wipe(&sec);
    if (co.json) {
        printf("{\"status\": \"%s\", \"diagnosis\": \"%s\", \"message\": ",
               navoi_conn_status_name(status), navoi_diagnosis_name(diag));
        cli_json_str(stdout, msg);
        printf(", \"navErrorCode\": ");
        cli_json_str(stdout, navoi_client_nav_error_code(c)[0] ? navoi_client_nav_error_code(c)
                                                              : NULL);
        printf(", \"httpStatus\": %d, \"serverSkewMs\": %lld}\n", navoi_client_http_status(c),
               (long long)navoi_client_server_skew_ms(c));
    } else if (status == NAVOI_CONN_ACTIVE) {
        printf("ACTIVE: NAV accepted the credentials\n");
    } else {
        printf("%s (%s): %s\n", navoi_conn_status_name(status), navoi_diagnosis_name(diag), msg);
    }
    ret = status == NAVOI_CONN_ACTIVE ? EXIT_OK
          : status == NAVOI_CONN_NO_CONFIG ? EXIT_ERROR
                                           : EXIT_MISMATCH;
    navoi_client_free(c);
    cli_config_free(cfg);
    return ret;
usage:
    help_check_connection(stderr);
    return EXIT_USAGE;
}
