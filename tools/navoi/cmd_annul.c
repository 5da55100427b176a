/*
 * cmd_annul.c - `navoi annul KEY`: enqueues a technical annulment of the
 * report of an outbox item; the worker sends it once that item is DONE.
 */
#include <string.h>

#include "cli.h"
#include "cliutil.h"

void help_annul(FILE *out)
{
    fprintf(out,
            "usage: navoi annul KEY --code CODE --reason TEXT [--annul-key K]\n"
            "                   [--config FILE] [--json]\n\n"
            "Enqueues a technical annulment (manageAnnulment) of the report of outbox item\n"
            "KEY. CODE is ERRATIC_DATA, ERRATIC_INVOICE_NUMBER, ERRATIC_INVOICE_ISSUE_DATE\n"
            "or ERRATIC_ELECTRONIC_HASH_VALUE; TEXT is 1..1024 characters. A primary user\n"
            "must approve the annulment on NAV's web UI. --annul-key is the annulment's own\n"
            "key (default KEY-annul).\n\n"
            "exit: 0 enqueued, 2 usage, 3 unknown key or storage error.\n");
}

int cmd_annul(int argc, char **argv)
{
    static const char *const codes[] = {"ERRATIC_DATA", "ERRATIC_INVOICE_NUMBER",
                                        "ERRATIC_INVOICE_ISSUE_DATE",
                                        "ERRATIC_ELECTRONIC_HASH_VALUE"};
    cli_common co = {NULL, 0, "navoi annul"};
    const char *key = NULL, *codename = NULL, *reason = NULL, *akey = NULL;
    char keybuf[160];
    cli_config *cfg = NULL;
    navoi_client *c = NULL;
    navoi_outbox *ob = NULL;
    int i, r, code = 0, created = 0, ret = EXIT_ERROR;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if ((r = cli_common_opt(&co, argc, argv, &i)) != 0) {
            if (r < 0)
                goto usage;
        } else if (i + 1 < argc && !strcmp(a, "--code")) {
            codename = argv[++i];
        } else if (i + 1 < argc && !strcmp(a, "--reason")) {
            reason = argv[++i];
        } else if (i + 1 < argc && !strcmp(a, "--annul-key")) {
            akey = argv[++i];
        } else if (a[0] != '-' && !key) {
            key = a;
        } else {
            goto usage;
        }
    }
    if (!key || !codename || !reason)
        goto usage;
    for (i = 0; i < 4; i++)
        if (!strcmp(codename, codes[i]))
            code = i + 1;
    if (!code)
        goto usage;
    if (!akey) {
        snprintf(keybuf, sizeof keybuf, "%.120s-annul", key);
        akey = keybuf;
    }
    if (cli_setup(&co, 0, &cfg, &c) != EXIT_OK)
        return EXIT_ERROR;
    if (cli_open_outbox(&co, cfg, c, &ob) == EXIT_OK) {
        if (navoi_outbox_enqueue_annulment(ob, akey, key, code, reason, &created) == NAVOI_OK) {
            if (co.json) {
                printf("{\"key\": ");
                cli_json_str(stdout, akey);
                printf(", \"original\": ");
                cli_json_str(stdout, key);
                printf(", \"created\": %s}\n", created ? "true" : "false");
            } else {
                printf("annulment %s of %s %s\n", akey, key,
                       created ? "enqueued" : "was already enqueued");
            }
            ret = EXIT_OK;
        } else {
            fprintf(stderr, "%s: %s\n", co.cmd, navoi_outbox_errmsg(ob));
        }
    }
    navoi_outbox_free(ob);
    navoi_client_free(c);
    cli_config_free(cfg);
    return ret;
usage:
    help_annul(stderr);
    return EXIT_USAGE;
}
