/*
 * cmd_failed.c - `navoi failed`: the items a person must look at
 * (FAILED, ABORTED, NEEDS_ATTENTION) with invoice number, reason, NAV codes
 * and messages, and what to do; `navoi retry KEY` re-queues one.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cliutil.h"
#include "failed.h"

void help_failed(FILE *out)
{
    fprintf(out,
            "usage: navoi failed [--config FILE] [--json] [--limit N]\n\n"
            "Lists the outbox items that need a person: FAILED (data or configuration\n"
            "refused), ABORTED (NAV rejected the invoice) and NEEDS_ATTENTION (retries\n"
            "exhausted or conflicting evidence), with key, invoice number, reason, NAV\n"
            "error and validation codes with their messages, and what to do. After the\n"
            "data was fixed, `navoi retry KEY` re-queues an item.\n\n"
            "exit: 0 nothing needs attention, 1 items listed, 2 usage, 3 error.\n");
}

static const int g_states[] = {NAVOI_ITEM_FAILED, NAVOI_ITEM_ABORTED, NAVOI_ITEM_NEEDS_ATTENTION};

int cli_failed_each(navoi_outbox *ob, uint32_t limit, cli_failed_fn fn, void *ud)
{
    size_t s, n;
    for (s = 0; s < 3; s++) {
        char *keys = NULL, *line, *save = NULL;
        n = 0;
        if (navoi_outbox_list(ob, g_states[s], 0, limit, &keys, &n) != NAVOI_OK)
            return -1;
        for (line = strtok_r(keys, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
            navoi_outbox_item *it = NULL;
            if (navoi_outbox_item_get(ob, line, &it) != NAVOI_OK) {
                navoi_free(keys);
                return -1;
            }
            fn(it, ud);
            navoi_outbox_item_free(it);
        }
        navoi_free(keys);
    }
    return 0;
}

typedef struct out_ctx {
    int json;
    size_t n;
} out_ctx;

static const char *op_name(int op)
{
    switch (op) {
    case NAVOI_OP_CREATE: return "CREATE";
    case NAVOI_OP_MODIFY: return "MODIFY";
    case NAVOI_OP_STORNO: return "STORNO";
    case NAVOI_OP_ANNUL: return "ANNUL";
    default: return "?";
    }
}

static void print_item(const navoi_outbox_item *it, void *ud)
{
    out_ctx *o = ud;
    const char *nav = "", *msg;
    int code = 0, cat = 0, http = 0;
    size_t k, nm = navoi_outbox_item_message_count(it);
    int64_t enq = 0;
    char when[32];
    msg = navoi_outbox_item_error(it, &code, &cat, &http, &nav);
    navoi_outbox_item_times(it, &enq, NULL);
    cli_fmt_time(enq, when);
    if (o->json) {
        printf("%s\n {\"key\": ", o->n ? "," : "");
        cli_json_str(stdout, navoi_outbox_item_key(it));
        printf(", \"state\": \"%s\", \"operation\": \"%s\", \"invoiceNumber\": ",
               navoi_outbox_state_name(navoi_outbox_item_state(it)),
               op_name(navoi_outbox_item_operation(it)));
        cli_json_str(stdout, navoi_outbox_item_invoice_number(it));
        printf(", \"enqueued\": \"%s\", \"transactionId\": ", when);
        cli_json_str(stdout, navoi_outbox_item_transaction_id(it, NULL));
        printf(", \"attempts\": %d, \"reason\": ", (int)navoi_outbox_item_attempts(it));
        cli_json_str(stdout, msg);
        printf(", \"navErrorCode\": ");
        cli_json_str(stdout, nav[0] ? nav : NULL);
        printf(", \"httpStatus\": %d, \"messages\": [", http);
        for (k = 0; k < nm; k++) {
            const char *mc, *mt, *tag, *val, *ln;
            int kind, sev;
            navoi_outbox_item_message(it, k, &kind, &sev, &mc, &mt, &tag, &val, &ln);
            printf("%s{\"code\": ", k ? ", " : "");
            cli_json_str(stdout, mc);
            printf(", \"severity\": \"%s\", \"message\": ",
                   sev == NAVOI_SEVERITY_ERROR ? "ERROR" : sev == NAVOI_SEVERITY_WARN ? "WARN"
                                                                                       : "INFO");
            cli_json_str(stdout, mt);
            printf(", \"line\": ");
            cli_json_str(stdout, ln[0] ? ln : NULL);
            printf("}");
        }
        printf("], \"advice\": ");
        cli_json_str(stdout, navoi_outbox_item_advice(it));
        printf("}");
    } else {
        printf("%s  %s  %s %s  (enqueued %s, %d attempt(s))\n", navoi_outbox_item_key(it),
               navoi_outbox_state_name(navoi_outbox_item_state(it)),
               op_name(navoi_outbox_item_operation(it)), navoi_outbox_item_invoice_number(it),
               when, (int)navoi_outbox_item_attempts(it));
        if (msg[0] || nav[0])
            printf("  reason: %s%s%s%s\n", msg, nav[0] ? " [" : "", nav, nav[0] ? "]" : "");
        for (k = 0; k < nm; k++) {
            const char *mc, *mt, *tag, *val, *ln;
            int kind, sev;
            navoi_outbox_item_message(it, k, &kind, &sev, &mc, &mt, &tag, &val, &ln);
            printf("  %s %s: %s%s%s\n",
                   sev == NAVOI_SEVERITY_ERROR ? "ERROR" : sev == NAVOI_SEVERITY_WARN ? "WARN"
                                                                                       : "INFO",
                   mc, mt, ln[0] ? " (line " : "", ln[0] ? ln : "");
            if (ln[0])
                printf(")\n");
        }
        printf("  to do: %s\n\n", navoi_outbox_item_advice(it));
    }
    o->n++;
}

int cmd_failed(int argc, char **argv)
{
    cli_common co = {NULL, 0, "navoi failed"};
    cli_config *cfg = NULL;
    navoi_client *c = NULL;
    navoi_outbox *ob = NULL;
    out_ctx o = {0, 0};
    long limit = 1000;
    int i, r, ret = EXIT_ERROR;

    for (i = 1; i < argc; i++) {
        if ((r = cli_common_opt(&co, argc, argv, &i)) != 0) {
            if (r < 0)
                goto usage;
        } else if (!strcmp(argv[i], "--limit") && i + 1 < argc) {
            limit = strtol(argv[++i], NULL, 10);
            if (limit < 1 || limit > 10000)
                goto usage;
        } else {
            goto usage;
        }
    }
    o.json = co.json;
    if (cli_setup(&co, 0, &cfg, &c) != EXIT_OK)
        return EXIT_ERROR;
    if (cli_open_outbox(&co, cfg, c, &ob) == EXIT_OK) {
        if (o.json)
            printf("[");
        if (cli_failed_each(ob, (uint32_t)limit, print_item, &o) != 0) {
            fprintf(stderr, "%s: %s\n", co.cmd, navoi_outbox_errmsg(ob));
        } else {
            if (o.json)
                printf("%s]\n", o.n ? "\n" : "");
            else if (!o.n)
                printf("nothing needs attention\n");
            ret = o.n ? EXIT_MISMATCH : EXIT_OK;
        }
    }
    navoi_outbox_free(ob);
    navoi_client_free(c);
    cli_config_free(cfg);
    return ret;
usage:
    help_failed(stderr);
    return EXIT_USAGE;
}
