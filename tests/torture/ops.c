/*
 * ops.c - the operations the torture harness fails allocations in. Each
 * public operation is one entry of g_torture_ops; the NAV operations run
 * against the fake transport of torture.c, which answers with the canned
 * success responses of tests/data/responses (so request building, signing,
 * sending and response parsing all run under allocation failure).
 *
 * run() must be callable twice on the same context: once with a failing
 * allocation and once more when memory is back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "testutil.h"
#include "torture.h"

#define SAMPLE_INVOICE "invoices/demo-create-1.xml"
#define SAMPLE_INVOICE_2 "invoices/demo-create-2.xml"
#define SAMPLE_SIGN_KEY "ac-ac3a-7f661bff7d342N43CYX4U9FG" /* its XML comment */

/* ---- client setup ---- */

static char *schema_dir(void)
{
    return nt_nav_path("schemas");
}

static int run_client_setup(tt_ctx *t)
{
    char *dir;
    int rc;

    if (!t->client) {
        rc = navoi_client_new(&t->client);
        if (rc != NAVOI_OK)
            return rc;
    }
    if ((rc = navoi_client_set_environment(t->client, NAVOI_ENV_TEST)) != NAVOI_OK ||
        (rc = navoi_client_set_base_url(t->client, "http://127.0.0.1:9/invoiceService/v3/")) ||
        (rc = navoi_client_set_login(t->client, "lwilsmn0uqdxe6u")) ||
        (rc = navoi_client_set_password(t->client, "Teszt-Jelszo-01")) ||
        (rc = navoi_client_set_password_hash(
             t->client, "2ed9cff8c5b0f70fa66bb4f048088257ff37de32f20c0169e0d7105da8891a09"
                        "9329f540988176e7c2532f04319a7fa67a054b4aa96ec77521bdb79b3b138d0e")) ||
        (rc = navoi_client_set_tax_number(t->client, "11111111-2-42")) ||
        (rc = navoi_client_set_signing_key(t->client, "ce-8f5e-215119fa7dd621DLMRHRLH2S")) ||
        (rc = navoi_client_set_exchange_key(t->client, "f424XKR57N62W5NJ")) ||
        (rc = navoi_client_set_software(t->client, "HU11111111-NAVOI01", "navoi torture",
                                        NAVOI_SOFTWARE_ONLINE, "0.1", "navoi", "dev@example.com",
                                        "HU", "11111111-2-42")) ||
        (rc = navoi_client_set_ca_file(t->client, "/etc/ssl/certs/ca-certificates.crt")) ||
        (rc = navoi_client_set_timeouts(t->client, 1000, 2000, 3000)) ||
        (rc = navoi_client_set_max_response(t->client, 1u << 20)) ||
        (rc = navoi_client_set_invoice_hash_mode(t->client, NAVOI_EHASH_DECODED_XML)))
        return rc;
    dir = schema_dir();
    rc = navoi_client_set_schema_dir(t->client, dir);
    free(dir);
    return rc;
}

/* ---- secret files ---- */

static int setup_secret_file(tt_ctx *t)
{
    char *dir = strdup("/tmp/navoi-torture-XXXXXX"), *path;
    FILE *f;

    if (!dir || !mkdtemp(dir))
        return NAVOI_EIO;
    path = malloc(strlen(dir) + 8);
    sprintf(path, "%s/key", dir);
    free(dir);
    f = fopen(path, "w");
    fputs("ce-8f5e-215119fa7dd621DLMRHRLH2S\n", f);
    fclose(f);
    chmod(path, 0600);
    t->extra = path;
    return NAVOI_OK;
}

static int run_secret_file(tt_ctx *t)
{
    return navoi_secret_file_read(t->extra, &t->text);
}

static void teardown_secret_file(tt_ctx *t)
{
    char *path = t->extra;
    unlink(path);
    *strrchr(path, '/') = '\0';
    rmdir(path);
    free(path);
    tt_teardown_default(t);
}

/* ---- invoices ---- */

static int setup_client(tt_ctx *t)
{
    t->client = tt_client();
    return NAVOI_OK;
}

static int setup_client_schemas(tt_ctx *t)
{
    char *dir = schema_dir();
    int rc;
    t->client = tt_client();
    rc = navoi_client_set_schema_dir(t->client, dir);
    free(dir);
    return rc;
}

static int run_invoice_new(tt_ctx *t)
{
    size_t len;
    const char *xml = tt_fixture(SAMPLE_INVOICE, &len);
    return navoi_invoice_new(&t->invoice[0], t->client, xml, len, NAVOI_OP_CREATE);
}

static int setup_gzip_invoice(tt_ctx *t)
{
    size_t len;
    const char *xml = tt_fixture(SAMPLE_INVOICE, &len);
    z_stream z;
    uLong cap = compressBound((uLong)len) + 64;
    unsigned char *out = malloc(cap + sizeof(size_t));

    setup_client(t);
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return NAVOI_EIO;
    z.next_in = (unsigned char *)(uintptr_t)xml;
    z.avail_in = (uInt)len;
    z.next_out = out + sizeof(size_t);
    z.avail_out = (uInt)cap;
    if (deflate(&z, Z_FINISH) != Z_STREAM_END)
        return NAVOI_EIO;
    memcpy(out, &z.total_out, sizeof(size_t));
    deflateEnd(&z);
    t->extra = out;
    return NAVOI_OK;
}

static int run_invoice_gzip(tt_ctx *t)
{
    size_t len;
    memcpy(&len, t->extra, sizeof len);
    return navoi_invoice_new(&t->invoice[0], t->client, (const char *)t->extra + sizeof(size_t),
                             len, NAVOI_OP_MODIFY);
}

static void teardown_extra(tt_ctx *t)
{
    free(t->extra);
    tt_teardown_default(t);
}

static int run_invoice_file(tt_ctx *t)
{
    char *p = nt_data_path(SAMPLE_INVOICE);
    int rc = navoi_invoice_new_from_file(&t->invoice[0], t->client, p, NAVOI_OP_STORNO);
    free(p);
    return rc;
}

/* ---- the ten operations ---- */

static int run_token_exchange(tt_ctx *t)
{
    int64_t to = 0;
    return navoi_token_exchange(t->client, &to);
}

static int setup_invoices(tt_ctx *t)
{
    size_t len;
    const char *xml;

    t->client = tt_client();
    xml = tt_fixture(SAMPLE_INVOICE, &len);
    if (navoi_invoice_new(&t->invoice[0], t->client, xml, len, NAVOI_OP_CREATE) != NAVOI_OK)
        return NAVOI_EXML;
    xml = tt_fixture(SAMPLE_INVOICE_2, &len);
    return navoi_invoice_new(&t->invoice[1], t->client, xml, len, NAVOI_OP_CREATE);
}

static int run_manage_invoice(tt_ctx *t)
{
    return navoi_manage_invoice(t->client, t->invoice, 1, 0, &t->txn);
}

static int run_manage_invoice_gzip(tt_ctx *t)
{
    return navoi_manage_invoice(t->client, t->invoice, 2, NAVOI_MANAGE_COMPRESS, &t->txn);
}

static int setup_electronic_invoice(tt_ctx *t)
{
    size_t len;
    const char *xml;
    char *e;
    const char *at;
    int rc;

    t->client = tt_client();
    xml = tt_fixture(SAMPLE_INVOICE, &len);
    /* completenessIndicator true: the request carries electronicInvoiceHash */
    at = strstr(xml, "<completenessIndicator>false<");
    if (!at)
        return NAVOI_EXML;
    e = malloc(len + 1);
    memcpy(e, xml, len + 1);
    memcpy(e + (at - xml), "<completenessIndicator>true <", 29);
    rc = navoi_invoice_new(&t->invoice[0], t->client, e, len, NAVOI_OP_CREATE);
    free(e);
    return rc;
}

static int run_manage_annulment(tt_ctx *t)
{
    static const char *const refs[] = {"NAVOI-2024-0001", "NAVOI-2024-0002"};
    static const int codes[] = {NAVOI_ANNUL_ERRATIC_DATA, NAVOI_ANNUL_ERRATIC_INVOICE_NUMBER};
    static const char *const reasons[] = {"hibás adat", "hibás sorszám"};
    return navoi_manage_annulment(t->client, refs, codes, reasons, 2, &t->txn);
}

static int run_transaction_status(tt_ctx *t)
{
    return navoi_query_transaction_status(t->client, "4Q2KFQ0JW24SBP0A",
                                          NAVOI_STATUS_RETURN_ORIGINAL, &t->txn);
}

static int setup_txn(tt_ctx *t)
{
    t->client = tt_client();
    tt_fake_override("/queryTransactionStatus", "responses/status_early.xml", 200);
    if (navoi_query_transaction_status(t->client, "4Q2KFQ0JW24SBP0A", 0, &t->txn) != NAVOI_OK)
        return NAVOI_EPROTO;
    tt_fake_override("/queryTransactionStatus", "responses/status_items.xml", 200);
    return NAVOI_OK;
}

static int run_txn_poll(tt_ctx *t)
{
    return navoi_txn_poll(t->client, t->txn, 0);
}

static int run_transaction_list(tt_ctx *t)
{
    return navoi_query_transaction_list(t->client, 1732060800000LL, 1732190400000LL, 1, "RECEIVED",
                                        &t->result);
}

static int run_invoice_check(tt_ctx *t)
{
    int exists = 0;
    int rc = navoi_query_invoice_check(t->client, "NAVOI-2024-0001", NAVOI_INBOUND, 0, "99887764",
                                       &exists);
    return rc == NAVOI_OK && !exists ? NAVOI_EPROTO : rc;
}

static int run_invoice_data(tt_ctx *t)
{
    size_t len = 0;
    int rc = navoi_query_invoice_data(t->client, "NAVOI-2024-0001", NAVOI_OUTBOUND, 0, NULL,
                                      &t->result);
    if (rc == NAVOI_OK && !navoi_result_content(t->result, &len))
        return NAVOI_EPROTO;
    return rc;
}

static int setup_digest(tt_ctx *t)
{
    t->client = tt_client();
    if (navoi_digest_query_new(&t->query, NAVOI_OUTBOUND, 1) != NAVOI_OK)
        return NAVOI_ENOMEM;
    if (navoi_digest_query_set_issue_date(t->query, "2024-11-01", "2024-11-30") != NAVOI_OK)
        return NAVOI_EINVAL;
    if (navoi_digest_query_set_param(t->query, "currency", "HUF") != NAVOI_OK)
        return NAVOI_EINVAL;
    return navoi_digest_query_add_relation(t->query, "invoiceNetAmount", NAVOI_QOP_GTE, "1000");
}

static int run_invoice_digest(tt_ctx *t)
{
    return navoi_query_invoice_digest(t->client, t->query, &t->result);
}

static int run_chain_digest(tt_ctx *t)
{
    return navoi_query_invoice_chain_digest(t->client, "NAVOI-2024-0001", NAVOI_OUTBOUND, NULL, 1,
                                            &t->result);
}

static int run_taxpayer(tt_ctx *t)
{
    return navoi_query_taxpayer(t->client, "99887764-2-02", &t->result);
}

/* ---- NAV errors: parsed under allocation failure as well ---- */

static int setup_error_401(tt_ctx *t)
{
    t->client = tt_client();
    tt_fake_override("/queryTaxpayer", "responses/error_security_user.xml", 401);
    return NAVOI_OK;
}

static int setup_exception(tt_ctx *t)
{
    t->client = tt_client();
    tt_fake_override("/queryTaxpayer", "responses/exception.xml", 500);
    return NAVOI_OK;
}

static int setup_schema_error(tt_ctx *t)
{
    tt_fake_override("/manageInvoice", "responses/error_schema_violation.xml", 400);
    return setup_invoices(t);
}

static int setup_func_error(tt_ctx *t)
{
    t->client = tt_client();
    tt_fake_override("/queryTransactionStatus", "responses/ok200_func_error.xml", 200);
    return NAVOI_OK;
}

static int setup_wrong_exchange_key(tt_ctx *t)
{
    t->client = tt_client();
    return navoi_client_set_exchange_key(t->client, "9febIBBQRLZ348IB");
}

/* ---- sign-check, digest parameters, accessors ---- */

static int run_sign_check(tt_ctx *t)
{
    size_t len;
    const char *xml = tt_nav_file("samples/api/manageInvoice.xml", &len);
    navoi_free(t->text);
    t->text = NULL;
    return navoi_sign_check(xml, len, SAMPLE_SIGN_KEY, &t->text);
}

static int run_sign_check_mismatch(tt_ctx *t)
{
    size_t len;
    const char *xml = tt_nav_file("samples/api/manageAnnulment.xml", &len);
    navoi_free(t->text);
    t->text = NULL;
    return navoi_sign_check(xml, len, "ac-ac3a-7f661bff7d342N43CYX4U9FQ", &t->text);
}

static int run_digest_query(tt_ctx *t)
{
    int rc;

    navoi_digest_query_free(t->query);
    t->query = NULL;
    if ((rc = navoi_digest_query_new(&t->query, NAVOI_INBOUND, 2)) != NAVOI_OK)
        return rc;
    if ((rc = navoi_digest_query_set_page(t->query, 3)) ||
        (rc = navoi_digest_query_set_ins_date(t->query, 1732060800000LL, 1732190400000LL)) ||
        (rc = navoi_digest_query_set_issue_date(t->query, "2024-11-01", "2024-11-30")) ||
        (rc = navoi_digest_query_set_original_invoice_number(t->query, "NAVOI-2024-0001")) ||
        (rc = navoi_digest_query_set_param(t->query, "taxNumber", "99887764")) ||
        (rc = navoi_digest_query_set_param(t->query, "name", "Beszerző")) ||
        (rc = navoi_digest_query_set_param(t->query, "name", "Beszerző Kft")) ||
        (rc = navoi_digest_query_set_param(t->query, "currency", "EUR")) ||
        (rc = navoi_digest_query_set_param(t->query, "currency", NULL)) ||
        (rc = navoi_digest_query_add_relation(t->query, "paymentDate", NAVOI_QOP_GT,
                                              "2024-11-01")) ||
        (rc = navoi_digest_query_add_relation(t->query, "paymentDate", NAVOI_QOP_LTE,
                                              "2024-12-01")) ||
        (rc = navoi_digest_query_add_relation(t->query, "invoiceVatAmountHUF", NAVOI_QOP_EQ,
                                              "27000.00")) ||
        (rc = navoi_digest_query_set_transaction(t->query, "4Q2KFQ0JW24SBP0A", 1,
                                                 NAVOI_OP_CREATE)))
        return rc;
    return NAVOI_OK;
}

static int setup_accessors(tt_ctx *t)
{
    t->client = tt_client();
    if (navoi_query_transaction_status(t->client, "4Q2KFQ0JW24SBP0A",
                                       NAVOI_STATUS_RETURN_ORIGINAL, &t->txn) != NAVOI_OK)
        return NAVOI_EPROTO;
    return navoi_query_taxpayer(t->client, "99887764", &t->result);
}

static int run_accessors(tt_ctx *t)
{
    const char *code, *text, *tag, *value, *line, *orig, *date, *user;
    size_t i, k, n, len;
    int kind, sev;

    navoi_txn_id(t->txn);
    navoi_txn_request_id(t->txn);
    navoi_txn_is_final(t->txn);
    navoi_txn_annulment_status(t->txn);
    navoi_txn_original_request_version(t->txn);
    navoi_txn_annulment_decision(t->txn, &date, &user);
    n = navoi_txn_item_count(t->txn);
    for (i = 0; i <= n; i++) {
        navoi_txn_item_index(t->txn, i);
        navoi_txn_item_batch_index(t->txn, i);
        navoi_status_name(navoi_txn_item_status(t->txn, i));
        navoi_txn_item_original(t->txn, i, &len);
        for (k = 0; k <= navoi_txn_message_count(t->txn, i); k++) {
            navoi_txn_message(t->txn, i, k, &kind, &sev, &code, &text);
            navoi_txn_message_pointer(t->txn, i, k, &tag, &value, &line, &orig);
        }
    }
    for (i = 0; i <= navoi_result_count(t->result); i++) {
        for (k = 0; k <= navoi_result_field_count(t->result, i); k++) {
            const char *name = navoi_result_field_name(t->result, i, k);
            navoi_result_field_value(t->result, i, k);
            if (name)
                navoi_result_get(t->result, i, name);
        }
        navoi_result_get(t->result, i, "taxpayerAddressList/taxpayerAddressItem[1]/"
                                       "taxpayerAddress/city");
    }
    navoi_result_meta(t->result, "infoDate");
    navoi_result_content(t->result, &len);
    navoi_client_errmsg(t->client);
    navoi_client_nav_error_code(t->client);
    navoi_client_http_status(t->client);
    navoi_client_error_category(t->client);
    navoi_client_server_skew_ms(t->client);
    return NAVOI_OK;
}

/* ---- invoice builder and validator ---- */

static int run_builder(tt_ctx *t)
{
    navoi_invoice_builder *b = NULL;
    int32_t line = 0;
    int rc;

    navoi_invoice_free(t->invoice[0]);
    t->invoice[0] = NULL;
    t->msg_elsewhere = 1; /* navoi_invoice_builder_errmsg() */
    if ((rc = navoi_invoice_builder_new(&b, "TORTURE-1", "2024-05-30", NAVOI_CATEGORY_NORMAL)))
        return rc;
    if (!(rc = navoi_invoice_builder_set_supplier(b, "99999999-2-41", "Értékesítő Kft", "HU",
                                                  "1234", "Budapest", "Hármas utca 1.")) &&
        !(rc = navoi_invoice_builder_set_customer_domestic(b, "99887764-2-02", "Beszerző Kft",
                                                           "HU", "7600", "Pécs",
                                                           "Északi sugárút 123.")) &&
        !(rc = navoi_invoice_builder_add_line(b, "Szék", "2", "PIECE", "1000", NULL, &line)) &&
        !(rc = navoi_invoice_builder_line_set_vat_rate(b, line, "0.27")) &&
        !(rc = navoi_invoice_builder_add_line(b, "Asztal", "1.5", "PIECE", "2000.50", "10",
                                              &line)) &&
        !(rc = navoi_invoice_builder_line_set_vat_rate(b, line, "0.05")))
        rc = navoi_invoice_builder_build(b, t->client, NAVOI_OP_CREATE, &t->invoice[0]);
    navoi_invoice_builder_free(b);
    return rc;
}

static int run_validate(tt_ctx *t)
{
    navoi_findings *f = NULL;
    int rc = navoi_validate(t->client, t->invoice[0], &f);
    navoi_findings_free(f);
    return rc;
}

static int run_validate_xml(tt_ctx *t)
{
    navoi_findings *f = NULL;
    size_t len;
    const char *xml = tt_fixture(SAMPLE_INVOICE, &len);
    int rc = navoi_validate_xml(t->client, xml, len, NAVOI_OP_CREATE, &f);
    navoi_findings_free(f);
    return rc;
}

/* ---- the durable outbox (SQLite in a private directory) ---- */

static int setup_outbox(tt_ctx *t)
{
    char *dir = strdup("/tmp/navoi-torture-XXXXXX"), *path;
    int rc;

    if (!dir || !mkdtemp(dir))
        return NAVOI_EIO;
    path = malloc(strlen(dir) + 16);
    sprintf(path, "%s/outbox.sqlite", dir);
    free(dir);
    t->extra = path;
    /* the days of tests/data/invoices: enqueue refuses invoices issued later */
    tt_clock_advance(730LL * 86400000LL);
    rc = setup_invoices(t);
    /* the supplier of tests/data/invoices: enqueue validates against it */
    if (rc == NAVOI_OK)
        rc = navoi_client_set_tax_number(t->client, "12345676");
    if (rc == NAVOI_OK)
        rc = navoi_outbox_open_sqlite(&t->outbox, t->client, path);
    if (rc == NAVOI_OK)
        rc = navoi_outbox_set_policy_batch(t->outbox, 100, 0);
    if (rc == NAVOI_OK)
        rc = navoi_outbox_set_policy_poll(t->outbox, 1000, 1000);
    return rc;
}

static void teardown_outbox(tt_ctx *t)
{
    char *path = t->extra;

    navoi_outbox_free(t->outbox);
    t->outbox = NULL;
    nt_remove_sqlite(path);
    *strrchr(path, '/') = '\0';
    rmdir(path);
    free(path);
    tt_teardown_default(t);
}

static int run_outbox_enqueue(tt_ctx *t)
{
    int created = 0;
    return navoi_outbox_enqueue(t->outbox, "erp-1", t->invoice[0], NULL, &created);
}

static int setup_outbox_queued(tt_ctx *t)
{
    int rc = setup_outbox(t);
    if (rc == NAVOI_OK)
        rc = navoi_outbox_enqueue(t->outbox, "erp-1", t->invoice[0], NULL, NULL);
    if (rc == NAVOI_OK)
        rc = navoi_outbox_enqueue(t->outbox, "erp-2", t->invoice[1], NULL, NULL);
    if (rc != NAVOI_OK)
        fprintf(stderr, "outbox setup: %s\n", navoi_outbox_errmsg(t->outbox));
    return rc;
}

/* One step. (After a failure the step may rightly find nothing due: an
 * item whose request may have left waits for the lost-transaction check.) */
static int run_outbox_step(tt_ctx *t)
{
    int did = 0;
    return navoi_outbox_step(t->outbox, &did);
}

static int setup_outbox_sent(tt_ctx *t)
{
    int did = 0, rc = setup_outbox_queued(t);
    if (rc == NAVOI_OK)
        rc = navoi_outbox_step(t->outbox, &did);
    tt_clock_advance(2000); /* the first poll is due */
    return rc == NAVOI_OK && !did ? NAVOI_ESTATE : rc;
}

/* ---- connection check ---- */

static int run_check_connection(tt_ctx *t)
{
    int status = 0, diag = 0;
    int rc = navoi_check_connection(t->client, 0, &status, &diag);
    return rc == NAVOI_OK && status != NAVOI_CONN_ACTIVE ? NAVOI_EPROTO : rc;
}

static int run_check_connection_with(tt_ctx *t)
{
    int status = 0, diag = 0;
    int rc = navoi_check_connection_with(t->client, 0, "Teszt-Jelszo-01",
                                         "ce-8f5e-215119fa7dd621DLMRHRLH2S", "f424XKR57N62W5NJ",
                                         &status, &diag);
    return rc == NAVOI_OK && status != NAVOI_CONN_ACTIVE ? NAVOI_EPROTO : rc;
}

/* ---- incoming sync (SQLite in a private directory) ---- */

static int setup_sync(tt_ctx *t)
{
    char *dir = strdup("/tmp/navoi-torture-XXXXXX"), *path;
    int rc;

    if (!dir || !mkdtemp(dir))
        return NAVOI_EIO;
    path = malloc(strlen(dir) + 16);
    sprintf(path, "%s/outbox.sqlite", dir);
    free(dir);
    t->extra = path;
    t->client = tt_client();
    rc = navoi_sync_open_sqlite(&t->sync, t->client, path);
    if (rc == NAVOI_OK)
        rc = navoi_sync_set_pace(t->sync, 0);
    return rc;
}

static void teardown_sync(tt_ctx *t)
{
    navoi_sync_free(t->sync);
    t->sync = NULL;
    teardown_outbox(t);
}

static int run_sync(tt_ctx *t)
{
    /* 2024-11-01: one 35-day window, two digest pages, three invoices */
    int rc = navoi_sync_run(t->sync, 1730419200000LL);
    if (getenv("NAVOI_TORTURE_VERBOSE"))
        fprintf(stderr, "sync: rc %d seen %lld fetched %lld skipped %lld incomplete %lld\n", rc,
                (long long)navoi_sync_stat(t->sync, NAVOI_SYNC_STAT_SEEN),
                (long long)navoi_sync_stat(t->sync, NAVOI_SYNC_STAT_FETCHED),
                (long long)navoi_sync_stat(t->sync, NAVOI_SYNC_STAT_SKIPPED),
                (long long)navoi_sync_stat(t->sync, NAVOI_SYNC_STAT_INCOMPLETE));
    return rc;
}

/* ------------------------------------------------------------------ */
/* One entry per public operation. The outbox (enqueue, worker step) and
 * sync operations are appended here as they land. */
const tt_op g_torture_ops[] = {
    {"client_setup", NULL, run_client_setup, NULL, NAVOI_OK},
    {"secret_file_read", setup_secret_file, run_secret_file, teardown_secret_file, NAVOI_OK},
    {"invoice_new", setup_client, run_invoice_new, NULL, NAVOI_OK},
    {"invoice_new_gzip", setup_gzip_invoice, run_invoice_gzip, teardown_extra, NAVOI_OK},
    {"invoice_new_from_file", setup_client, run_invoice_file, NULL, NAVOI_OK},
    {"invoice_new_validated", setup_client_schemas, run_invoice_new, NULL, NAVOI_OK},
    {"token_exchange", setup_client, run_token_exchange, NULL, NAVOI_OK},
    {"manage_invoice", setup_invoices, run_manage_invoice, NULL, NAVOI_OK},
    {"manage_invoice_gzip", setup_invoices, run_manage_invoice_gzip, NULL, NAVOI_OK},
    {"manage_invoice_electronic", setup_electronic_invoice, run_manage_invoice, NULL, NAVOI_OK},
    {"manage_annulment", setup_client, run_manage_annulment, NULL, NAVOI_OK},
    {"query_transaction_status", setup_client, run_transaction_status, NULL, NAVOI_OK},
    {"txn_poll", setup_txn, run_txn_poll, NULL, NAVOI_OK},
    {"query_transaction_list", setup_client, run_transaction_list, NULL, NAVOI_OK},
    {"query_invoice_check", setup_client, run_invoice_check, NULL, NAVOI_OK},
    {"query_invoice_data", setup_client, run_invoice_data, NULL, NAVOI_OK},
    {"query_invoice_digest", setup_digest, run_invoice_digest, NULL, NAVOI_OK},
    {"query_invoice_chain_digest", setup_client, run_chain_digest, NULL, NAVOI_OK},
    {"query_taxpayer", setup_client, run_taxpayer, NULL, NAVOI_OK},
    {"general_error_401", setup_error_401, run_taxpayer, NULL, NAVOI_ENAV},
    {"general_exception", setup_exception, run_taxpayer, NULL, NAVOI_ENAV},
    {"schema_violation_error", setup_schema_error, run_manage_invoice, NULL, NAVOI_ENAV},
    {"func_error_in_200", setup_func_error, run_transaction_status, NULL, NAVOI_ENAV},
    {"wrong_exchange_key", setup_wrong_exchange_key, run_token_exchange, NULL, NAVOI_ECRYPTO},
    {"sign_check", NULL, run_sign_check, NULL, NAVOI_OK},
    {"sign_check_mismatch", NULL, run_sign_check_mismatch, NULL, NAVOI_ESIGNATURE},
    {"digest_query_build", NULL, run_digest_query, NULL, NAVOI_OK},
    {"accessors", setup_accessors, run_accessors, NULL, NAVOI_OK},
    {"invoice_builder", setup_client, run_builder, NULL, NAVOI_OK},
    {"validate", setup_invoices, run_validate, NULL, NAVOI_OK},
    {"validate_xml", setup_client, run_validate_xml, NULL, NAVOI_OK},
    {"outbox_enqueue", setup_outbox, run_outbox_enqueue, teardown_outbox, NAVOI_OK},
    {"outbox_step_send", setup_outbox_queued, run_outbox_step, teardown_outbox, NAVOI_OK},
    {"outbox_step_poll", setup_outbox_sent, run_outbox_step, teardown_outbox, NAVOI_OK},
    {"sync_run", setup_sync, run_sync, teardown_sync, NAVOI_OK},
    {"check_connection", setup_client, run_check_connection, NULL, NAVOI_OK},
    {"check_connection_with", setup_client, run_check_connection_with, NULL, NAVOI_OK},
    /* @@TORTURE-OPS@@ one line per further operation */
};

const size_t g_torture_op_count = sizeof g_torture_ops / sizeof g_torture_ops[0];
