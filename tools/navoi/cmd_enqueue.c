/*
 * cmd_enqueue.c - `navoi enqueue` stores an invoice in the outbox for the
 * worker; `navoi submit` does the same and then drives the outbox until
 * that invoice is final (DONE, ABORTED, FAILED or NEEDS_ATTENTION).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "cliutil.h"

static void help_common(FILE *out, const char *name)
{
    fprintf(out,
            "usage: navoi %s [--operation create|modify|storno] [--key KEY]\n"
            "                 [--original KEY] [--config FILE] [--json] FILE|-\n\n", name);
}

void help_enqueue(FILE *out)
{
    help_common(out, "enqueue");
    fprintf(out,
            "Stores an InvoiceData document (file, or - for standard input; plain or gzip)\n"
            "durably in the outbox; `navoi worker` reports it to NAV exactly once.\n"
            "--operation defaults to modify when the document has an invoiceReference,\n"
            "else create. --key is the idempotency key (default: the invoice number);\n"
            "enqueuing the same key and document again is a no-op. --original names the\n"
            "item an amendment refers to (default: found by originalInvoiceNumber).\n\n"
            "exit: 0 stored (or already stored), 2 usage, 3 error (invalid document,\n"
            "      key in use with another document, storage).\n");
}

void help_submit(FILE *out)
{
    help_common(out, "submit");
    fprintf(out,
            "Like enqueue, then runs the outbox (as `navoi worker`) until this invoice is\n"
            "final, and prints its outcome (with --timeout SECONDS, default 600).\n\n"
            "exit: 0 DONE, 1 ABORTED, FAILED or NEEDS_ATTENTION, 2 usage, 3 error or\n"
            "      timeout (the invoice stays in the outbox; the worker continues it).\n");
}

static int has_reference(const char *xml, size_t len)
{
    const char *p;
    for (p = xml; p + 17 <= xml + len; p++)
        if (*p == 'i' && !memcmp(p, "invoiceReference>", 17))
            return 1;
    return 0;
}

static void sleep_ms(long ms)
{
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    nanosleep(&ts, NULL);
}

static int enqueue_main(int argc, char **argv, int submit)
{
    cli_common co = {NULL, 0, submit ? "navoi submit" : "navoi enqueue"};
    const char *file = NULL, *key = NULL, *orig = NULL, *opname = NULL;
    cli_config *cfg = NULL;
    navoi_client *c = NULL;
    navoi_outbox *ob = NULL;
    navoi_invoice *inv = NULL;
    char *xml = NULL;
    size_t len = 0;
    long timeout = 600;
    int i, r, op = 0, created = 0, ret = EXIT_ERROR, rc;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if ((r = cli_common_opt(&co, argc, argv, &i)) != 0) {
            if (r < 0)
                goto usage;
        } else if (i + 1 < argc && !strcmp(a, "--operation")) {
            opname = argv[++i];
        } else if (i + 1 < argc && !strcmp(a, "--key")) {
            key = argv[++i];
        } else if (i + 1 < argc && !strcmp(a, "--original")) {
            orig = argv[++i];
        } else if (submit && i + 1 < argc && !strcmp(a, "--timeout")) {
            timeout = strtol(argv[++i], NULL, 10);
        } else if ((a[0] != '-' || !strcmp(a, "-")) && !file) {
            file = a;
        } else {
            goto usage;
        }
    }
    if (!file || timeout < 1)
        goto usage;
    if (opname) {
        op = !strcasecmp(opname, "create")   ? NAVOI_OP_CREATE
             : !strcasecmp(opname, "modify") ? NAVOI_OP_MODIFY
             : !strcasecmp(opname, "storno") ? NAVOI_OP_STORNO
                                             : -1;
        if (op < 0)
            goto usage;
    }
    xml = cli_read_file(!strcmp(file, "-") ? "/dev/stdin" : file, &len);
    if (!xml) {
        fprintf(stderr, "%s: cannot read %s: %s\n", co.cmd, file, strerror(errno));
        return EXIT_ERROR;
    }
    if (!op)
        op = has_reference(xml, len) ? NAVOI_OP_MODIFY : NAVOI_OP_CREATE;
    if (cli_setup(&co, submit, &cfg, &c) != EXIT_OK) {
        free(xml);
        return EXIT_ERROR;
    }
    if (navoi_invoice_new(&inv, c, xml, len, op) != NAVOI_OK) {
        fprintf(stderr, "%s: %s: %s\n", co.cmd, file, navoi_client_errmsg(c));
        goto out;
    }
    if (!key)
        key = navoi_invoice_number(inv);
    if (cli_open_outbox(&co, cfg, c, &ob) != EXIT_OK)
        goto out;
    if (navoi_outbox_enqueue(ob, key, inv, orig, &created) != NAVOI_OK) {
        fprintf(stderr, "%s: %s\n", co.cmd, navoi_outbox_errmsg(ob));
        goto out;
    }
    ret = EXIT_OK;
    if (submit) {
        time_t deadline = time(NULL) + timeout;
        navoi_outbox_item *it = NULL;
        int state = 0;
        uint32_t mi = 1000;
        char err[256];
        if (cli_config_u32(cfg, "min_interval_ms", 1000, &mi, err, sizeof err) == 0)
            navoi_outbox_set_policy_batch(ob, 100, mi);
        for (;;) {
            int did = 0;
            if (navoi_outbox_item_get(ob, key, &it) != NAVOI_OK) {
                fprintf(stderr, "%s: %s\n", co.cmd, navoi_outbox_errmsg(ob));
                ret = EXIT_ERROR;
                break;
            }
            state = navoi_outbox_item_state(it);
            navoi_outbox_item_free(it);
            it = NULL;
            if (state >= NAVOI_ITEM_DONE)
                break;
            if (time(NULL) > deadline) {
                fprintf(stderr, "%s: %s is still %s; `navoi worker` continues it\n", co.cmd, key,
                        navoi_outbox_state_name(state));
                ret = EXIT_ERROR;
                break;
            }
            rc = navoi_outbox_step(ob, &did);
            if (rc != NAVOI_OK) {
                fprintf(stderr, "%s: %s\n", co.cmd,
                        navoi_outbox_halt_reason(ob) ? navoi_outbox_halt_reason(ob)
                                                     : navoi_outbox_errmsg(ob));
                ret = EXIT_ERROR;
                break;
            }
            if (!did)
                sleep_ms(200);
        }
        if (ret == EXIT_OK) {
            ret = state == NAVOI_ITEM_DONE ? EXIT_OK : EXIT_MISMATCH;
            if (co.json)
                printf("{\"key\": \"%s\", \"created\": %s, \"state\": \"%s\"}\n", key,
                       created ? "true" : "false", navoi_outbox_state_name(state));
            else
                printf("%s: %s%s\n", key, navoi_outbox_state_name(state),
                       state == NAVOI_ITEM_DONE ? "" : " (see navoi status KEY or navoi failed)");
        }
    } else if (co.json) {
        printf("{\"key\": ");
        cli_json_str(stdout, key);
        printf(", \"created\": %s}\n", created ? "true" : "false");
    } else {
        printf("%s %s\n", key, created ? "enqueued" : "was already enqueued");
    }
out:
    navoi_invoice_free(inv);
    navoi_outbox_free(ob);
    navoi_client_free(c);
    cli_config_free(cfg);
    free(xml);
    return ret;
usage:
    (submit ? help_submit : help_enqueue)(stderr);
    return EXIT_USAGE;
}

int cmd_enqueue(int argc, char **argv)
{
    return enqueue_main(argc, argv, 0);
}

int cmd_submit(int argc, char **argv)
{
    return enqueue_main(argc, argv, 1);
}
