/*
 * cmd_metrics.c - `navoi metrics`: the outbox's monitoring values in
 * Prometheus text format (the same text `navoi worker --metrics-listen`
 * serves over HTTP).
 */
#include <string.h>

#include "cli.h"
#include "cliutil.h"

void help_metrics(FILE *out)
{
    fprintf(out,
            "usage: navoi metrics [--config FILE]\n\n"
            "Prints the outbox's metrics in Prometheus text format: items per state,\n"
            "backlog and its oldest age, submissions by outcome and the success ratio,\n"
            "processing delay from enqueue to DONE (histogram), NAV error codes and\n"
            "categories, retries, and the time of the last successful submission (alert\n"
            "when it stops moving). `navoi worker --metrics-listen 127.0.0.1:PORT` serves\n"
            "the same text at http://127.0.0.1:PORT/metrics.\n\n"
            "exit: 0 printed, 2 usage, 3 configuration or storage error.\n");
}

int cmd_metrics(int argc, char **argv)
{
    cli_common co = {NULL, 0, "navoi metrics"};
    cli_config *cfg = NULL;
    navoi_client *c = NULL;
    navoi_outbox *ob = NULL;
    char *text = NULL;
    int i, r, ret = EXIT_ERROR;

    for (i = 1; i < argc; i++) {
        if ((r = cli_common_opt(&co, argc, argv, &i)) <= 0 || co.json) {
            help_metrics(stderr);
            return EXIT_USAGE;
        }
    }
    if (cli_setup(&co, 0, &cfg, &c) != EXIT_OK)
        return EXIT_ERROR;
    if (cli_open_outbox(&co, cfg, c, &ob) == EXIT_OK) {
        if (navoi_outbox_metrics_text(ob, &text) == NAVOI_OK) {
            fputs(text, stdout);
            navoi_free(text);
            ret = EXIT_OK;
        } else {
            fprintf(stderr, "%s: %s\n", co.cmd, navoi_outbox_errmsg(ob));
        }
    }
    navoi_outbox_free(ob);
    navoi_client_free(c);
    cli_config_free(cfg);
    return ret;
}
