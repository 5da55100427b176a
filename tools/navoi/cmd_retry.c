/*
 * cmd_retry.c - `navoi retry KEY`: re-queues an item in FAILED, ABORTED or
 * NEEDS_ATTENTION after a person fixed the cause. An item whose earlier
 * send may have reached NAV goes back to the lost-transaction check first.
 */
#include <string.h>

#include "cli.h"
#include "cliutil.h"

void help_retry(FILE *out)
{
    fprintf(out,
            "usage: navoi retry [--config FILE] [--json] KEY\n\n"
            "Re-queues the outbox item KEY (FAILED, ABORTED or NEEDS_ATTENTION) after\n"
            "the data or configuration was fixed; the worker then sends it again (or,\n"
            "when an earlier attempt may have reached NAV, checks NAV first).\n\n"
            "exit: 0 re-queued, 1 the item is not in such a state, 2 usage,\n"
            "      3 unknown key or storage error.\n");
}

int cmd_retry(int argc, char **argv)
{
    cli_common co = {NULL, 0, "navoi retry"};
    cli_config *cfg = NULL;
    navoi_client *c = NULL;
    navoi_outbox *ob = NULL;
    const char *key = NULL;
    int i, r, rc, ret = EXIT_ERROR;

    for (i = 1; i < argc; i++) {
        if ((r = cli_common_opt(&co, argc, argv, &i)) != 0) {
            if (r < 0)
                goto usage;
        } else if (argv[i][0] != '-' && !key) {
            key = argv[i];
        } else {
            goto usage;
        }
    }
    if (!key)
        goto usage;
    if (cli_setup(&co, 0, &cfg, &c) != EXIT_OK)
        return EXIT_ERROR;
    if (cli_open_outbox(&co, cfg, c, &ob) == EXIT_OK) {
        rc = navoi_outbox_retry(ob, key);
        if (co.json) {
            printf("{\"key\": ");
            cli_json_str(stdout, key);
            printf(", \"requeued\": %s, \"error\": ", rc == NAVOI_OK ? "true" : "false");
            cli_json_str(stdout, rc == NAVOI_OK ? NULL : navoi_outbox_errmsg(ob));
            printf("}\n");
        } else if (rc == NAVOI_OK) {
            printf("%s re-queued; the worker picks it up\n", key);
        }
        if (rc != NAVOI_OK && !co.json)
            fprintf(stderr, "%s: %s\n", co.cmd, navoi_outbox_errmsg(ob));
        ret = rc == NAVOI_OK ? EXIT_OK : rc == NAVOI_ESTATE ? EXIT_MISMATCH : EXIT_ERROR;
    }
    navoi_outbox_free(ob);
    navoi_client_free(c);
    cli_config_free(cfg);
    return ret;
usage:
    help_retry(stderr);
    return EXIT_USAGE;
}
