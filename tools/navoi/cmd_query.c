/*
 * cmd_query.c - `navoi query KIND ...`: the seven NAV queries, printed as
 * "field: value" lines or, with --json, one JSON object per call.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cliutil.h"

void help_query(FILE *out)
{
    fprintf(out,
            "usage: navoi query KIND [options] [--config FILE] [--json]\n\n"
            "kinds:\n"
            "  taxpayer TAXNUMBER\n"
            "  invoice-data NUMBER [--inbound --supplier TAX] [--batch N] [--xml]\n"
            "  invoice-check NUMBER [--inbound --supplier TAX] [--batch N]\n"
            "  digest --from DATE --to DATE [--inbound] [--ins-date] [--page N]\n"
            "         [--param NAME=VALUE]...   (issue date range unless --ins-date)\n"
            "  chain-digest NUMBER [--inbound] [--tax-number TAX] [--page N]\n"
            "  transaction-list --from TIME --to TIME [--page N] [--status S]\n"
            "  transaction-status TRANSACTIONID [--original]\n\n"
            "Dates are YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ (UTC); ranges at most 35 days.\n"
            "--xml prints the decoded invoice of invoice-data. --json prints one JSON\n"
            "object: {\"meta\": {...}, \"records\": [{...}]} (transaction-status:\n"
            "{\"transactionId\", \"items\": [...]}).\n\n"
            "exit: 0 answered (also when nothing was found), 1 invoice-check: not found,\n"
            "      2 usage, 3 error (NAV's errorCode is printed).\n");
}

static const char *const g_meta[] = {"currentPage", "availablePage", "infoDate",
                                     "taxpayerValidity", "invoiceCheckResult"};

static void print_result(const navoi_result *r, int json)
{
    size_t i, k, n = navoi_result_count(r);
    size_t m;
    int first = 1;
    if (json) {
        printf("{\"meta\": {");
        for (m = 0; m < sizeof g_meta / sizeof g_meta[0]; m++) {
            const char *v = navoi_result_meta(r, g_meta[m]);
            if (!v)
                continue;
            printf("%s\"%s\": ", first ? "" : ", ", g_meta[m]);
            cli_json_str(stdout, v);
            first = 0;
        }
        printf("}, \"records\": [");
        for (i = 0; i < n; i++) {
            printf("%s\n {", i ? "," : "");
            for (k = 0; k < navoi_result_field_count(r, i); k++) {
                printf("%s", k ? ", " : "");
                cli_json_str(stdout, navoi_result_field_name(r, i, k));
                printf(": ");
                cli_json_str(stdout, navoi_result_field_value(r, i, k));
            }
            printf("}");
        }
        printf("%s]}\n", n ? "\n" : "");
        return;
    }
    for (m = 0; m < sizeof g_meta / sizeof g_meta[0]; m++) {
        const char *v = navoi_result_meta(r, g_meta[m]);
        if (v)
            printf("%s: %s\n", g_meta[m], v);
    }
    for (i = 0; i < n; i++) {
        printf("--- record %zu\n", i + 1);
        for (k = 0; k < navoi_result_field_count(r, i); k++)
            printf("%s: %s\n", navoi_result_field_name(r, i, k), navoi_result_field_value(r, i, k));
    }
    if (!n)
        printf("(no records)\n");
}

static void print_txn(const navoi_txn *t, int json)
{
    size_t i, k, n = navoi_txn_item_count(t);
    if (json) {
        printf("{\"transactionId\": ");
        cli_json_str(stdout, navoi_txn_id(t));
        printf(", \"originalRequestVersion\": ");
        cli_json_str(stdout, navoi_txn_original_request_version(t));
        printf(", \"annulmentStatus\": ");
        cli_json_str(stdout, navoi_txn_annulment_status(t)[0] ? navoi_txn_annulment_status(t)
                                                              : NULL);
        printf(", \"items\": [");
    } else {
        printf("transactionId: %s\n", navoi_txn_id(t));
    }
    for (i = 0; i < n; i++) {
        size_t nm = navoi_txn_message_count(t, i);
        if (json) {
            printf("%s\n {\"index\": %d, \"batchIndex\": %d, \"status\": \"%s\", \"messages\": [",
                   i ? "," : "", (int)navoi_txn_item_index(t, i),
                   (int)navoi_txn_item_batch_index(t, i),
                   navoi_status_name(navoi_txn_item_status(t, i)));
        } else {
            printf("index %d: %s\n", (int)navoi_txn_item_index(t, i),
                   navoi_status_name(navoi_txn_item_status(t, i)));
        }
        for (k = 0; k < nm; k++) {
            const char *code, *text;
            int kind, sev;
            navoi_txn_message(t, i, k, &kind, &sev, &code, &text);
            if (json) {
                printf("%s{\"kind\": \"%s\", \"severity\": %d, \"code\": ", k ? ", " : "",
                       kind == NAVOI_MSG_TECHNICAL ? "technical" : "business", sev);
                cli_json_str(stdout, code);
                printf(", \"message\": ");
                cli_json_str(stdout, text);
                printf("}");
            } else {
                printf("  %s %s: %s\n", kind == NAVOI_MSG_TECHNICAL ? "technical" : "business",
                       code, text);
            }
        }
        if (json)
            printf("]}");
    }
    if (json)
        printf("%s]}\n", n ? "\n" : "");
}

static int fail(const cli_common *co, navoi_client *c, int rc)
{
    const char *nav = navoi_client_nav_error_code(c);
    if (co->json) {
        printf("{\"error\": ");
        cli_json_str(stdout, navoi_client_errmsg(c));
        printf(", \"code\": \"%s\", \"navErrorCode\": ", navoi_strerror(rc));
        cli_json_str(stdout, nav[0] ? nav : NULL);
        printf(", \"httpStatus\": %d}\n", navoi_client_http_status(c));
    }
    fprintf(stderr, "%s: %s%s%s%s\n", co->cmd, navoi_client_errmsg(c), nav[0] ? " [" : "", nav,
            nav[0] ? "]" : "");
    return EXIT_ERROR;
}

int cmd_query(int argc, char **argv)
{
    cli_common co = {NULL, 0, "navoi query"};
    const char *kind = NULL, *arg = NULL, *from = NULL, *to = NULL, *supplier = NULL;
    const char *taxnum = NULL, *status = NULL;
    const char *params[32];
    int nparams = 0, inbound = 0, ins = 0, xml = 0, original = 0, i, r, rc = NAVOI_OK;
    long page = 1, batch = 0;
    cli_config *cfg = NULL;
    navoi_client *c = NULL;
    navoi_result *res = NULL;
    int ret = EXIT_OK;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if ((r = cli_common_opt(&co, argc, argv, &i)) != 0) {
            if (r < 0)
                goto usage;
        } else if (!strcmp(a, "--inbound")) {
            inbound = 1;
        } else if (!strcmp(a, "--ins-date")) {
            ins = 1;
        } else if (!strcmp(a, "--xml")) {
            xml = 1;
        } else if (!strcmp(a, "--original")) {
            original = 1;
        } else if (i + 1 < argc && !strcmp(a, "--from")) {
            from = argv[++i];
        } else if (i + 1 < argc && !strcmp(a, "--to")) {
            to = argv[++i];
        } else if (i + 1 < argc && !strcmp(a, "--supplier")) {
            supplier = argv[++i];
        } else if (i + 1 < argc && !strcmp(a, "--tax-number")) {
            taxnum = argv[++i];
        } else if (i + 1 < argc && !strcmp(a, "--status")) {
            status = argv[++i];
        } else if (i + 1 < argc && !strcmp(a, "--page")) {
            page = strtol(argv[++i], NULL, 10);
        } else if (i + 1 < argc && !strcmp(a, "--batch")) {
            batch = strtol(argv[++i], NULL, 10);
        } else if (i + 1 < argc && !strcmp(a, "--param") && nparams < 32) {
            params[nparams++] = argv[++i];
        } else if (a[0] != '-' && !kind) {
            kind = a;
        } else if (a[0] != '-' && !arg) {
            arg = a;
        } else {
            goto usage;
        }
    }
    if (!kind || page < 1 || page > 1000000 || batch < 0 || batch > 100000)
        goto usage;
    if ((!strcmp(kind, "taxpayer") || !strcmp(kind, "invoice-data") ||
         !strcmp(kind, "invoice-check") || !strcmp(kind, "chain-digest") ||
         !strcmp(kind, "transaction-status")) != (arg != NULL))
        goto usage;
    if ((!strcmp(kind, "digest") || !strcmp(kind, "transaction-list")) && (!from || !to))
        goto usage;
    if (cli_setup(&co, 1, &cfg, &c) != EXIT_OK)
        return EXIT_ERROR;

    if (!strcmp(kind, "taxpayer")) {
        rc = navoi_query_taxpayer(c, arg, &res);
    } else if (!strcmp(kind, "invoice-data")) {
        rc = navoi_query_invoice_data(c, arg, inbound ? NAVOI_INBOUND : NAVOI_OUTBOUND,
                                      (int32_t)batch, supplier, &res);
        if (rc == NAVOI_OK && xml) {
            size_t len = 0;
            const char *doc = navoi_result_content(res, &len);
            if (!doc) {
                fprintf(stderr, "%s: NAV has no such invoice\n", co.cmd);
                ret = EXIT_MISMATCH;
            } else {
                fwrite(doc, 1, len, stdout);
            }
            goto out;
        }
    } else if (!strcmp(kind, "invoice-check")) {
        int exists = 0;
        rc = navoi_query_invoice_check(c, arg, inbound ? NAVOI_INBOUND : NAVOI_OUTBOUND,
                                       (int32_t)batch, supplier, &exists);
        if (rc == NAVOI_OK) {
            if (co.json)
                printf("{\"invoiceNumber\": \"%s\", \"exists\": %s}\n", arg,
                       exists ? "true" : "false");
            else
                printf("%s: %s\n", arg, exists ? "exists (one valid instance)" : "not found");
            ret = exists ? EXIT_OK : EXIT_MISMATCH;
            goto out;
        }
    } else if (!strcmp(kind, "digest")) {
        navoi_digest_query *q = NULL;
        int64_t f = cli_parse_time(from), t = cli_parse_time(to);
        if (f < 0 || t < 0) {
            fprintf(stderr, "%s: bad --from/--to\n", co.cmd);
            ret = EXIT_USAGE;
            goto out;
        }
        rc = navoi_digest_query_new(&q, inbound ? NAVOI_INBOUND : NAVOI_OUTBOUND, (int32_t)page);
        if (rc == NAVOI_OK) {
            if (ins) {
                rc = navoi_digest_query_set_ins_date(q, f, strlen(to) == 10 ? t + 86399999 : t);
            } else {
                char df[11], dt[11];
                snprintf(df, sizeof df, "%.10s", from);
                snprintf(dt, sizeof dt, "%.10s", to);
                rc = navoi_digest_query_set_issue_date(q, df, dt);
            }
        }
        for (i = 0; rc == NAVOI_OK && i < nparams; i++) {
            char name[64];
            const char *eq = strchr(params[i], '=');
            if (!eq || eq - params[i] >= (long)sizeof name) {
                rc = NAVOI_EINVAL;
                break;
            }
            snprintf(name, sizeof name, "%.*s", (int)(eq - params[i]), params[i]);
            rc = navoi_digest_query_set_param(q, name, eq + 1);
        }
        if (rc != NAVOI_OK) {
            fprintf(stderr, "%s: the digest parameters do not match NAV's schema (range > 35 "
                            "days? unknown --param?)\n", co.cmd);
            navoi_digest_query_free(q);
            ret = EXIT_USAGE;
            goto out;
        }
        rc = navoi_query_invoice_digest(c, q, &res);
        navoi_digest_query_free(q);
    } else if (!strcmp(kind, "chain-digest")) {
        rc = navoi_query_invoice_chain_digest(c, arg, inbound ? NAVOI_INBOUND : NAVOI_OUTBOUND,
                                              taxnum, (int32_t)page, &res);
    } else if (!strcmp(kind, "transaction-list")) {
        int64_t f = cli_parse_time(from), t = cli_parse_time(to);
        if (f < 0 || t < 0) {
            fprintf(stderr, "%s: bad --from/--to\n", co.cmd);
            ret = EXIT_USAGE;
            goto out;
        }
        rc = navoi_query_transaction_list(c, f, strlen(to) == 10 ? t + 86399999 : t,
                                          (int32_t)page, status, &res);
    } else if (!strcmp(kind, "transaction-status")) {
        navoi_txn *t = NULL;
        rc = navoi_query_transaction_status(c, arg, original ? NAVOI_STATUS_RETURN_ORIGINAL : 0,
                                            &t);
        if (rc == NAVOI_OK)
            print_txn(t, co.json);
        navoi_txn_free(t);
        if (rc == NAVOI_OK)
            goto out;
    } else {
        navoi_client_free(c);
        cli_config_free(cfg);
        goto usage;
    }
    if (rc != NAVOI_OK)
        ret = fail(&co, c, rc);
    else
        print_result(res, co.json);
out:
    navoi_result_free(res);
    navoi_client_free(c);
    cli_config_free(cfg);
    return ret;
usage:
    help_query(stderr);
    return EXIT_USAGE;
}
