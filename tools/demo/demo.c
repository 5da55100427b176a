/*
 * demo.c - navoi-demo, the main job end to end on one machine: starts the
 * embedded NAV simulator on a free loopback port with a freshly generated
 * technical user, reports a handful of invoices (CREATE, MODIFY, STORNO and
 * a deliberate duplicate) through the public libnavoi API, follows every
 * transaction to DONE or ABORTED and prints the outcome per invoice.
 *
 * The client side uses only include/navoi/navoi.h; sim.h is used only to
 * run the simulator in-process and to read its ledger at the end.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <navoi/navoi.h>

#include "sim.h"

#define SUPPLIER_TAX "12345676" /* the supplier in tests/data/invoices */

typedef struct demo_invoice {
    const char *file;
    int operation;
    const char *what;
} demo_invoice;

static const demo_invoice g_first[] = {
    {"demo-create-1.xml", NAVOI_OP_CREATE, "new invoice, two VAT rates"},
    {"demo-create-2.xml", NAVOI_OP_CREATE, "new invoice"},
};
static const demo_invoice g_second[] = {
    {"demo-modify-1.xml", NAVOI_OP_MODIFY, "modifies DEMO-2026-0001 (adds a line)"},
    {"demo-storno-2.xml", NAVOI_OP_STORNO, "cancels DEMO-2026-0002"},
};
static const demo_invoice g_third[] = {
    {"demo-create-1.xml", NAVOI_OP_CREATE, "the same invoice again (a mistake NAV catches)"},
};

static void random_text(char *out, size_t n, const char *alphabet)
{
    unsigned char rnd[64];
    size_t i, k = strlen(alphabet);
    if (getrandom(rnd, n, 0) != (ssize_t)n) {
        fprintf(stderr, "navoi-demo: no randomness: %s\n", strerror(errno));
        exit(1);
    }
    for (i = 0; i < n; i++)
        out[i] = alphabet[rnd[i] % k];
    out[n] = '\0';
}

static void sleep_ms(long ms)
{
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    nanosleep(&ts, NULL);
}

static int fail(navoi_client *c, const char *what)
{
    fprintf(stderr, "navoi-demo: %s failed: %s\n  NAV errorCode: %s, HTTP %d\n", what,
            navoi_client_errmsg(c), navoi_client_nav_error_code(c), navoi_client_http_status(c));
    return 1;
}

/* Polls until every item is DONE or ABORTED. NAV asks clients to pace
 * status queries (about 1 per second); the local simulator is fast, so the
 * demo polls every 200 ms. */
static int follow(navoi_client *c, navoi_txn *t)
{
    int i;
    for (i = 0; i < 300; i++) {
        if (navoi_txn_poll(c, t, 0) != NAVOI_OK)
            return fail(c, "queryTransactionStatus");
        if (navoi_txn_is_final(t))
            return 0;
        sleep_ms(200);
    }
    fprintf(stderr, "navoi-demo: transaction %s did not finish\n", navoi_txn_id(t));
    return 1;
}

static void print_outcome(const navoi_txn *t, navoi_invoice *const *inv, const demo_invoice *d,
                          size_t n)
{
    size_t i, k;
    for (i = 0; i < navoi_txn_item_count(t) && i < n; i++) {
        int idx = navoi_txn_item_index(t, i);
        size_t j = idx >= 1 && (size_t)idx <= n ? (size_t)idx - 1 : i;
        int status = navoi_txn_item_status(t, i);
        printf("  %-20s %-7s %s index %d  %-8s %s\n", navoi_invoice_number(inv[j]),
               d[j].operation == NAVOI_OP_CREATE   ? "CREATE"
               : d[j].operation == NAVOI_OP_MODIFY ? "MODIFY"
                                                   : "STORNO",
               navoi_txn_id(t), idx, navoi_status_name(status), d[j].what);
        for (k = 0; k < navoi_txn_message_count(t, i); k++) {
            const char *code = "", *text = "";
            int sev = 0;
            navoi_txn_message(t, i, k, NULL, &sev, &code, &text);
            printf("      %s %s: %s\n",
                   sev == NAVOI_SEVERITY_ERROR  ? "ERROR"
                   : sev == NAVOI_SEVERITY_WARN ? "WARN"
                                                : "INFO",
                   code, text);
        }
    }
}

/* Loads a group of invoices, reports them in one manageInvoice and follows
 * the transaction to its end. */
static int report(navoi_client *c, const char *dir, const char *title, const demo_invoice *d,
                  size_t n, int expect_status)
{
    navoi_invoice *inv[8] = {NULL};
    navoi_txn *t = NULL;
    size_t i;
    int rc = 1;

    printf("\n%s\n", title);
    for (i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, d[i].file);
        if (navoi_invoice_new_from_file(&inv[i], c, path, d[i].operation) != NAVOI_OK) {
            fail(c, path);
            goto out;
        }
    }
    if (navoi_manage_invoice(c, inv, n, NAVOI_MANAGE_COMPRESS, &t) != NAVOI_OK) {
        fail(c, "manageInvoice");
        goto out;
    }
    printf("  accepted by NAV as transaction %s (%zu invoice%s, gzip -1), polling...\n",
           navoi_txn_id(t), n, n == 1 ? "" : "s");
    if (follow(c, t) != 0)
        goto out;
    print_outcome(t, inv, d, n);
    rc = 0;
    for (i = 0; i < navoi_txn_item_count(t); i++)
        if (navoi_txn_item_status(t, i) != expect_status)
            rc = 1;
    if (rc)
        fprintf(stderr, "navoi-demo: unexpected outcome in %s\n", navoi_txn_id(t));
out:
    navoi_txn_free(t);
    for (i = 0; i < n; i++)
        navoi_invoice_free(inv[i]);
    return rc;
}

static void print_chain(navoi_client *c, const char *number)
{
    navoi_result *r = NULL;
    size_t i;
    if (navoi_query_invoice_chain_digest(c, number, NAVOI_OUTBOUND, NULL, 1, &r) != NAVOI_OK) {
        fail(c, "queryInvoiceChainDigest");
        return;
    }
    printf("  chain of %s at NAV:\n", number);
    for (i = 0; i < navoi_result_count(r); i++) {
        const char *num = navoi_result_get(r, i, "invoiceChainDigest/invoiceNumber");
        const char *op = navoi_result_get(r, i, "invoiceChainDigest/invoiceOperation");
        const char *mi = navoi_result_get(r, i, "invoiceReferenceData/modificationIndex");
        printf("    %-20s %-7s%s%s\n", num ? num : "?", op ? op : "?",
               mi ? " modificationIndex " : "", mi ? mi : "");
    }
    navoi_result_free(r);
}

int main(int argc, char **argv)
{
    static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    static const char lower[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    const char *dir = "tests/data/invoices", *schemas = NULL;
    char login[16], password[21], sign_key[33], exchange_key[17], cfg_text[2048], err[512];
    sim_config *cfg = NULL;
    sim_server *sim = NULL;
    navoi_client *c = NULL;
    navoi_result *tp = NULL;
    sim_ledger_entry e;
    int i, rc = 1;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--invoices") == 0 && i + 1 < argc)
            dir = argv[++i];
        else if (strcmp(argv[i], "--schemas") == 0 && i + 1 < argc)
            schemas = argv[++i];
        else {
            fprintf(stderr, "usage: navoi-demo [--invoices DIR] [--schemas NAV_XSD_DIR]\n");
            return 2;
        }
    }

    /* A technical user made up for this run: nothing real is needed. */
    random_text(login, 15, lower);
    random_text(password, 20, alnum);
    random_text(sign_key, 32, alnum);
    random_text(exchange_key, 16, alnum);
    snprintf(cfg_text, sizeof cfg_text,
             "[user]\nlogin = %s\npassword = %s\ntaxNumber = %s\nsignKey = %s\n"
             "exchangeKey = %s\n"
             "[taxpayer]\ntaxNumber = %s\nname = Navoi Demo Kft.\nvatCode = 2\ncountyCode = 41\n"
             "[taxpayer]\ntaxNumber = 22222222\nname = Vevo Bt.\n",
             login, password, SUPPLIER_TAX, sign_key, exchange_key, SUPPLIER_TAX);
    if (sim_config_parse(cfg_text, strlen(cfg_text), &cfg, err, sizeof err) != 0 ||
        (schemas && sim_config_set(cfg, "settings", "schemas", schemas, err, sizeof err) != 0)) {
        fprintf(stderr, "navoi-demo: simulator configuration: %s\n", err);
        sim_config_free(cfg);
        return 1;
    }
    if (sim_new(&sim, cfg, err, sizeof err) != 0) {
        fprintf(stderr, "navoi-demo: simulator: %s\n", err);
        return 1;
    }
    if (sim_start(sim, 0) != 0) {
        fprintf(stderr, "navoi-demo: simulator: %s\n", sim_errmsg(sim));
        goto out;
    }
    printf("navoi %s demo\n", navoi_version());
    printf("local NAV simulator listening on %s\n", sim_base_url(sim));
    printf("technical user %s of taxpayer %s (credentials generated for this run)\n", login,
           SUPPLIER_TAX);

    if (navoi_client_new(&c) != NAVOI_OK)
        goto out;
    if (navoi_client_set_base_url(c, sim_base_url(sim)) != NAVOI_OK ||
        navoi_client_set_login(c, login) != NAVOI_OK ||
        navoi_client_set_password(c, password) != NAVOI_OK ||
        navoi_client_set_tax_number(c, SUPPLIER_TAX "-2-41") != NAVOI_OK ||
        navoi_client_set_signing_key(c, sign_key) != NAVOI_OK ||
        navoi_client_set_exchange_key(c, exchange_key) != NAVOI_OK ||
        navoi_client_set_software(c, "HU12345676-DEMO001", "navoi demo", NAVOI_SOFTWARE_LOCAL,
                                  NAVOI_VERSION, "navoi", "navoi@example.com", "HU", NULL) != NAVOI_OK ||
        (schemas && navoi_client_set_schema_dir(c, schemas) != NAVOI_OK)) {
        fail(c, "configuration");
        goto out;
    }

    if (navoi_query_taxpayer(c, SUPPLIER_TAX, &tp) != NAVOI_OK) {
        fail(c, "queryTaxpayer");
        goto out;
    }
    printf("queryTaxpayer %s: valid=%s name=%s\n", SUPPLIER_TAX,
           navoi_result_meta(tp, "taxpayerValidity") ? navoi_result_meta(tp, "taxpayerValidity") : "?",
           navoi_result_count(tp) && navoi_result_get(tp, 0, "taxpayerName")
               ? navoi_result_get(tp, 0, "taxpayerName")
               : "?");
    navoi_result_free(tp);

    if (report(c, dir, "1. two new invoices in one manageInvoice", g_first, 2, NAVOI_STATUS_DONE) ||
        report(c, dir, "2. a modification and a storno, once the originals are DONE", g_second, 2,
               NAVOI_STATUS_DONE) ||
        report(c, dir, "3. reporting DEMO-2026-0001 a second time", g_third, 1,
               NAVOI_STATUS_ABORTED))
        goto out;

    printf("\n4. what NAV holds now\n");
    print_chain(c, "DEMO-2026-0001");
    print_chain(c, "DEMO-2026-0002");
    printf("  simulator ledger (times each invoice number was accepted):\n");
    {
        static const char *numbers[] = {"DEMO-2026-0001", "DEMO-2026-0002", "DEMO-2026-0001-M1",
                                        "DEMO-2026-0002-S1"};
        size_t k;
        rc = 0;
        for (k = 0; k < 4; k++) {
            sim_ledger_get(sim, SUPPLIER_TAX, numbers[k], &e);
            printf("    %-20s accepted %d time%s\n", numbers[k], e.accepted,
                   e.accepted == 1 ? "" : "s");
            if (e.accepted != 1)
                rc = 1;
        }
    }
    printf("\n%s\n", rc == 0 ? "demo finished: every invoice reported exactly once"
                             : "demo finished with unexpected results");
out:
    navoi_client_free(c);
    if (sim) {
        sim_stop(sim);
        sim_free(sim);
    }
    return rc;
}
