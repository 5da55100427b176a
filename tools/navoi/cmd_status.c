/*
 * cmd_status.c - `navoi status [KEY]`: the outbox at a glance (items per
 * state, backlog) or one item with its NAV outcome and history.
 */
#include <string.h>

#include "cli.h"
#include "cliutil.h"

void help_status(FILE *out)
{
    fprintf(out,
            "usage: navoi status [KEY] [--config FILE] [--json]\n\n"
            "Without KEY: items per state, backlog and the age of its oldest item.\n"
            "With KEY: the item's state, invoice number, transactionId, attempts,\n"
            "annulment status (annulments: VERIFICATION_PENDING until a primary user\n"
            "decides on NAV's web UI), last error, NAV's validation messages and its\n"
            "history.\n\n"
            "exit: 0 printed, 2 usage, 3 unknown key or storage error.\n");
}

static int overview(const cli_common *co, navoi_outbox *ob)
{
    int64_t n, backlog = 0, age = 0;
    int st;
    if (navoi_outbox_backlog(ob, &backlog, &age) != NAVOI_OK)
        return -1;
    if (co->json)
        printf("{\"states\": {");
    for (st = NAVOI_ITEM_PENDING; st <= NAVOI_ITEM_NEEDS_ATTENTION; st++) {
        if (navoi_outbox_count(ob, st, &n) != NAVOI_OK)
            return -1;
        if (co->json)
            printf("%s\"%s\": %lld", st > 1 ? ", " : "", navoi_outbox_state_name(st),
                   (long long)n);
        else
            printf("%-16s %lld\n", navoi_outbox_state_name(st), (long long)n);
    }
    if (co->json)
        printf("}, \"backlog\": %lld, \"oldestPendingAgeMs\": %lld}\n", (long long)backlog,
               (long long)age);
    else
        printf("backlog          %lld (oldest %lld s)\n", (long long)backlog,
               (long long)(age / 1000));
    return 0;
}

static void item(const cli_common *co, const navoi_outbox_item *it)
{
    const char *nav = "", *msg, *ann = navoi_outbox_item_annulment_status(it);
    int32_t idx = 0;
    int64_t enq = 0, due = 0, t;
    size_t k, nm = navoi_outbox_item_message_count(it), nh = navoi_outbox_item_history_count(it);
    char when[32];
    msg = navoi_outbox_item_error(it, NULL, NULL, NULL, &nav);
    navoi_outbox_item_times(it, &enq, &due);
    cli_fmt_time(enq, when);
    if (co->json) {
        printf("{\"key\": ");
        cli_json_str(stdout, navoi_outbox_item_key(it));
        printf(", \"state\": \"%s\", \"invoiceNumber\": ",
               navoi_outbox_state_name(navoi_outbox_item_state(it)));
        cli_json_str(stdout, navoi_outbox_item_invoice_number(it));
        printf(", \"transactionId\": ");
        cli_json_str(stdout, navoi_outbox_item_transaction_id(it, &idx));
        printf(", \"index\": %d, \"requestId\": ", (int)idx);
        cli_json_str(stdout, navoi_outbox_item_request_id(it));
        printf(", \"attempts\": %d, \"enqueued\": \"%s\", \"annulmentStatus\": ",
               (int)navoi_outbox_item_attempts(it), when);
        cli_json_str(stdout, ann[0] ? ann : NULL);
        printf(", \"error\": ");
        cli_json_str(stdout, msg);
        printf(", \"navErrorCode\": ");
        cli_json_str(stdout, nav[0] ? nav : NULL);
        printf(", \"messages\": [");
        for (k = 0; k < nm; k++) {
            const char *mc, *mt;
            navoi_outbox_item_message(it, k, NULL, NULL, &mc, &mt, NULL, NULL, NULL);
            printf("%s{\"code\": ", k ? ", " : "");
            cli_json_str(stdout, mc);
            printf(", \"message\": ");
            cli_json_str(stdout, mt);
            printf("}");
        }
        printf("], \"history\": [");
        for (k = 0; k < nh; k++) {
            const char *h = navoi_outbox_item_history(it, k, &t);
            cli_fmt_time(t, when);
            printf("%s{\"time\": \"%s\", \"entry\": ", k ? ", " : "", when);
            cli_json_str(stdout, h);
            printf("}");
        }
        printf("]}\n");
        return;
    }
    printf("key:            %s\n", navoi_outbox_item_key(it));
    printf("state:          %s\n", navoi_outbox_state_name(navoi_outbox_item_state(it)));
    printf("invoice number: %s\n", navoi_outbox_item_invoice_number(it));
    printf("enqueued:       %s\n", when);
    printf("transactionId:  %s (index %d)\n", navoi_outbox_item_transaction_id(it, &idx), (int)idx);
    printf("attempts:       %d\n", (int)navoi_outbox_item_attempts(it));
    if (ann[0])
        printf("annulment:      %s\n", ann);
    if (msg[0] || nav[0])
        printf("last error:     %s%s%s%s\n", msg, nav[0] ? " [" : "", nav, nav[0] ? "]" : "");
    for (k = 0; k < nm; k++) {
        const char *mc, *mt;
        navoi_outbox_item_message(it, k, NULL, NULL, &mc, &mt, NULL, NULL, NULL);
        printf("message:        %s %s\n", mc, mt);
    }
    for (k = 0; k < nh; k++) {
        const char *h = navoi_outbox_item_history(it, k, &t);
        cli_fmt_time(t, when);
        printf("  %s  %s\n", when, h);
    }
}

int cmd_status(int argc, char **argv)
{
    cli_common co = {NULL, 0, "navoi status"};
    const char *key = NULL;
    cli_config *cfg = NULL;
    navoi_client *c = NULL;
    navoi_outbox *ob = NULL;
    navoi_outbox_item *it = NULL;
    int i, r, ret = EXIT_ERROR;
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
    if (cli_setup(&co, 0, &cfg, &c) != EXIT_OK)
        return EXIT_ERROR;
    if (cli_open_outbox(&co, cfg, c, &ob) == EXIT_OK) {
        if (!key) {
            if (overview(&co, ob) == 0)
                ret = EXIT_OK;
            else
                fprintf(stderr, "%s: %s\n", co.cmd, navoi_outbox_errmsg(ob));
        } else if (navoi_outbox_item_get(ob, key, &it) == NAVOI_OK) {
            item(&co, it);
            navoi_outbox_item_free(it);
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
    help_status(stderr);
    return EXIT_USAGE;
}
