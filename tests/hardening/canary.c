/*
 * canary.c - navoi-canary: every public operation of libnavoi, with unique
 * canary credentials, against the simulator running in-process, at
 * NAVOI_LOG_TRACE, so that scripts/canary can scan everything the library
 * wrote (log lines, error messages, reports, temp files) for any form of
 * the secrets. It prints every error message and report on stdout.
 *
 *   navoi-canary --keys DIR [--log FILE] [--wire DIR] [--tokens FILE]
 *                [--invoices DIR] [--schemas DIR]
 *   navoi-canary --wire DIR --invoices DIR        (random credentials)
 *
 * --keys DIR holds password, sign.key and exchange.key (mode 0600), read
 * with navoi_secret_file_read(). --wire records every request and response
 * body as NNN-OP-name.req / .resp (OP = the operation's number): the
 * requests carry the passwordHash and the exchange token by design, and
 * the bodies seed the fuzzers. --tokens receives the decrypted exchange
 * tokens (computed here, independently, from the recorded responses).
 * Exit 0 when every operation behaved as expected.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "core/client.h"
#include "http/transport.h"
#include "navoi/navoi.h"
#include "ops/ops.h"
#include "sim.h"

#define SUPPLIER "12345676" /* the supplier of tests/data/invoices */

static FILE *g_log;
static FILE *g_tokens;
static const char *g_wire;
static const char *g_exchange_key;
static int g_seq;
static int g_failures;

/* ---- the recording transport ---- */

typedef struct rec {
    navoi__transport base;
    navoi__transport *inner;
} rec;

static void dump(const char *kind, int op, const char *data, size_t len)
{
    char path[4096];
    FILE *f;
    const navoi__op_info *info = navoi__op(op);

    snprintf(path, sizeof path, "%s/%03d-%d-%s.%s", g_wire, g_seq, op,
             info ? info->name : "unknown", kind);
    f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "navoi-canary: %s: %s\n", path, strerror(errno));
        return;
    }
    fwrite(data, 1, len, f);
    fclose(f);
}

/* The decrypted token, computed with OpenSSL directly. */
static void note_token(const char *body)
{
    const char *p = strstr(body, "encodedExchangeToken>");
    unsigned char enc[256], dec[256 + 16];
    int n, m = 0;
    size_t len;
    EVP_CIPHER_CTX *ctx;

    if (!p || !g_tokens || !g_exchange_key)
        return;
    p += strlen("encodedExchangeToken>");
    len = strcspn(p, "<");
    if (len == 0 || len > 340)
        return;
    n = EVP_DecodeBlock(enc, (const unsigned char *)p, (int)len);
    if (n <= 0)
        return;
    n -= (p[len - 1] == '=') + (len > 1 && p[len - 2] == '=');
    ctx = EVP_CIPHER_CTX_new();
    if (ctx && EVP_DecryptInit_ex(ctx, EVP_aes_128_ecb(), NULL,
                                  (const unsigned char *)g_exchange_key, NULL) == 1 &&
        EVP_DecryptUpdate(ctx, dec, &m, enc, n) == 1) {
        int t = 0;
        if (EVP_DecryptFinal_ex(ctx, dec + m, &t) == 1) {
            fprintf(g_tokens, "%.*s\n", m + t, (const char *)dec);
            fflush(g_tokens);
        }
    }
    EVP_CIPHER_CTX_free(ctx);
}

static int rec_send(navoi__transport *t, const navoi__http_req *req, navoi__http_resp *resp)
{
    rec *r = (rec *)t;
    const char *path = strrchr(req->url, '/');
    int op = path ? navoi__op_by_path(path) : -1;
    int rc;

    g_seq++;
    if (g_wire)
        dump("req", op, req->body, req->body_len);
    rc = r->inner->send(r->inner, req, resp);
    if (rc == NAVOI_OK && resp->body.data) {
        if (g_wire)
            dump("resp", op, resp->body.data, resp->body.len);
        if (op == NAVOI__OP_TOKEN_EXCHANGE)
            note_token(resp->body.data);
    }
    return rc;
}

static void rec_destroy(navoi__transport *t)
{
    rec *r = (rec *)t;
    r->inner->destroy(r->inner);
    free(r);
}

static void record(navoi_client *c)
{
    rec *r = calloc(1, sizeof *r);
    if (!r || navoi__transport_curl_new(&r->inner) != NAVOI_OK) {
        fprintf(stderr, "navoi-canary: no transport\n");
        exit(2);
    }
    r->base.send = rec_send;
    r->base.destroy = rec_destroy;
    navoi__client_set_transport(c, &r->base);
}

/* ---- logging and checking ---- */

static void log_line(int level, const char *corr, const char *msg, void *ud)
{
    (void)ud;
    if (g_log) {
        fprintf(g_log, "%d [%s] %s\n", level, corr, msg);
        fflush(g_log);
    }
}

/* Prints the outcome (and the client's error message) and counts a
 * mismatch with what the operation should give. */
static int expect(navoi_client *c, const char *what, int rc, int want)
{
    printf("%-40s %4d %-10s %s\n", what, rc, rc == want ? "ok" : "UNEXPECTED",
           rc == NAVOI_OK ? "" : navoi_client_errmsg(c));
    if (rc != NAVOI_OK)
        printf("%-40s      nav=%s http=%d category=%d\n", "", navoi_client_nav_error_code(c),
               navoi_client_http_status(c), navoi_client_error_category(c));
    if (rc != want)
        g_failures++;
    return rc;
}

static void random_text(char *out, size_t n, const char *alphabet)
{
    unsigned char rnd[64];
    size_t i, k = strlen(alphabet);
    if (n > sizeof rnd || getrandom(rnd, n, 0) != (ssize_t)n)
        exit(2);
    for (i = 0; i < n; i++)
        out[i] = alphabet[rnd[i] % k];
    out[n] = '\0';
}

static char *read_secret(const char *dir, const char *name)
{
    char path[4096];
    char *s = NULL;
    int rc;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    rc = navoi_secret_file_read(path, &s);
    if (rc != NAVOI_OK) {
        fprintf(stderr, "navoi-canary: %s: %s\n", path, navoi_strerror(rc));
        exit(2);
    }
    return s;
}

/* ---- the run ---- */

typedef struct creds {
    char login[16];
    char *password, *sign_key, *exchange_key;
} creds;

static navoi_client *client(sim_server *s, const creds *k, const char *schemas)
{
    navoi_client *c = NULL;
    if (navoi_client_new(&c) != NAVOI_OK)
        exit(2);
    navoi_client_set_log(c, log_line, NAVOI_LOG_TRACE, NULL);
    expect(c, "set_base_url", navoi_client_set_base_url(c, sim_base_url(s)), NAVOI_OK);
    expect(c, "set_login", navoi_client_set_login(c, k->login), NAVOI_OK);
    expect(c, "set_password", navoi_client_set_password(c, k->password), NAVOI_OK);
    expect(c, "set_tax_number", navoi_client_set_tax_number(c, SUPPLIER "-2-41"), NAVOI_OK);
    expect(c, "set_signing_key", navoi_client_set_signing_key(c, k->sign_key), NAVOI_OK);
    expect(c, "set_exchange_key", navoi_client_set_exchange_key(c, k->exchange_key), NAVOI_OK);
    expect(c, "set_software",
           navoi_client_set_software(c, "HU12345676-CANARY1", "navoi canary", NAVOI_SOFTWARE_LOCAL,
                                     NAVOI_VERSION, "navoi", "navoi@example.com", "HU", NULL),
           NAVOI_OK);
    if (schemas)
        expect(c, "set_schema_dir", navoi_client_set_schema_dir(c, schemas), NAVOI_OK);
    record(c);
    return c;
}

static navoi_invoice *invoice(navoi_client *c, const char *dir, const char *file, int op)
{
    char path[4096];
    navoi_invoice *inv = NULL;
    snprintf(path, sizeof path, "%s/%s", dir, file);
    expect(c, file, navoi_invoice_new_from_file(&inv, c, path, op), NAVOI_OK);
    return inv;
}

/* Polls until every item is final (the simulator processes at once). */
static void poll_final(navoi_client *c, navoi_txn *t)
{
    int i;
    for (i = 0; t && i < 20 && !navoi_txn_is_final(t); i++)
        expect(c, "txn_poll", navoi_txn_poll(c, t, 0), NAVOI_OK);
    if (t) {
        size_t k;
        printf("  txn %s final=%d items=%zu\n", navoi_txn_id(t), navoi_txn_is_final(t),
               navoi_txn_item_count(t));
        for (k = 0; k < navoi_txn_item_count(t); k++) {
            size_t m;
            printf("    item %d %s\n", navoi_txn_item_index(t, k),
                   navoi_status_name(navoi_txn_item_status(t, k)));
            for (m = 0; m < navoi_txn_message_count(t, k); m++) {
                const char *code, *text;
                navoi_txn_message(t, k, m, NULL, NULL, &code, &text);
                printf("      %s %s\n", code, text);
            }
        }
    }
}

static void print_result(const navoi_result *r)
{
    size_t i, k;
    for (i = 0; r && i < navoi_result_count(r); i++)
        for (k = 0; k < navoi_result_field_count(r, i); k++)
            printf("    [%zu] %s = %s\n", i, navoi_result_field_name(r, i, k),
                   navoi_result_field_value(r, i, k));
}

static void run_all(sim_server *s, navoi_client *c, const creds *k, const char *dir)
{
    navoi_invoice *inv[2];
    navoi_txn *t = NULL, *t2 = NULL;
    navoi_result *r = NULL;
    navoi_digest_query *q = NULL;
    int64_t now = (int64_t)time(NULL) * 1000, to = 0;
    int exists = 0;
    char *report = NULL;
    static const char *const refs[] = {"DEMO-2026-0002-S1"};
    static const int codes[] = {NAVOI_ANNUL_ERRATIC_DATA};
    static const char *const reasons[] = {"canary run"};

    expect(c, "query_taxpayer own", navoi_query_taxpayer(c, SUPPLIER, &r), NAVOI_OK);
    print_result(r);
    navoi_result_free(r);
    expect(c, "query_taxpayer customer", navoi_query_taxpayer(c, "22222222", &r), NAVOI_OK);
    navoi_result_free(r);
    expect(c, "token_exchange", navoi_token_exchange(c, &to), NAVOI_OK);

    inv[0] = invoice(c, dir, "demo-create-1.xml", NAVOI_OP_CREATE);
    inv[1] = invoice(c, dir, "demo-create-2.xml", NAVOI_OP_CREATE);
    expect(c, "manage_invoice", navoi_manage_invoice(c, inv, 2, 0, &t), NAVOI_OK);
    poll_final(c, t);
    navoi_invoice_free(inv[0]);
    navoi_invoice_free(inv[1]);

    inv[0] = invoice(c, dir, "demo-modify-1.xml", NAVOI_OP_MODIFY);
    inv[1] = invoice(c, dir, "demo-storno-2.xml", NAVOI_OP_STORNO);
    expect(c, "manage_invoice compressed",
           navoi_manage_invoice(c, inv, 2, NAVOI_MANAGE_COMPRESS, &t2), NAVOI_OK);
    poll_final(c, t2);
    navoi_invoice_free(inv[0]);
    navoi_invoice_free(inv[1]);

    if (t) {
        navoi_txn *o = NULL;
        size_t len = 0;
        expect(c, "query_transaction_status original",
               navoi_query_transaction_status(c, navoi_txn_id(t), NAVOI_STATUS_RETURN_ORIGINAL,
                                              &o),
               NAVOI_OK);
        if (o && navoi_txn_item_count(o))
            printf("  original request of item 1: %zu bytes\n",
                   navoi_txn_item_original(o, 0, &len) ? len : 0);
        navoi_txn_free(o);
    }
    expect(c, "query_transaction_list",
           navoi_query_transaction_list(c, now - 86400000, now + 60000, 1, NULL, &r), NAVOI_OK);
    print_result(r);
    navoi_result_free(r);
    expect(c, "query_invoice_check",
           navoi_query_invoice_check(c, "DEMO-2026-0001", NAVOI_OUTBOUND, 0, NULL, &exists),
           NAVOI_OK);
    printf("  exists=%d\n", exists);
    expect(c, "query_invoice_data",
           navoi_query_invoice_data(c, "DEMO-2026-0001", NAVOI_OUTBOUND, 0, NULL, &r), NAVOI_OK);
    navoi_result_free(r);
    if (navoi_digest_query_new(&q, NAVOI_OUTBOUND, 1) == NAVOI_OK &&
        navoi_digest_query_set_issue_date(q, "2026-11-01", "2026-11-30") == NAVOI_OK)
        expect(c, "query_invoice_digest", navoi_query_invoice_digest(c, q, &r), NAVOI_OK);
    print_result(r);
    navoi_result_free(r);
    navoi_digest_query_free(q);
    expect(c, "query_invoice_chain_digest",
           navoi_query_invoice_chain_digest(c, "DEMO-2026-0001", NAVOI_OUTBOUND, NULL, 1, &r),
           NAVOI_OK);
    navoi_result_free(r);

    navoi_txn_free(t2);
    t2 = NULL;
    expect(c, "manage_annulment", navoi_manage_annulment(c, refs, codes, reasons, 1, &t2),
           NAVOI_OK);
    if (t2) {
        expect(c, "txn_poll annulment", navoi_txn_poll(c, t2, 0), NAVOI_OK);
        sim_annulment_decide(s, navoi_txn_id(t2), 1, k->login);
        expect(c, "txn_poll annulment decided", navoi_txn_poll(c, t2, 0), NAVOI_OK);
        printf("  annulment %s\n", navoi_txn_annulment_status(t2));
    }

    /* the same invoice again: ABORTED with validation messages */
    navoi_txn_free(t);
    t = NULL;
    inv[0] = invoice(c, dir, "demo-create-1.xml", NAVOI_OP_CREATE);
    expect(c, "manage_invoice duplicate", navoi_manage_invoice(c, inv, 1, 0, &t), NAVOI_OK);
    poll_final(c, t);
    navoi_txn_free(t);
    t = NULL;

    /* the connection check and the incoming sync */
    {
        int status = 0, diag = 0;
        char db[4096];
        const char *tmp = getenv("TMPDIR");
        navoi_sync *sy = NULL;
        expect(c, "check_connection", navoi_check_connection(c, 0, &status, &diag), NAVOI_OK);
        printf("  %s %s %s\n", navoi_conn_status_name(status), navoi_diagnosis_name(diag),
               navoi_client_errmsg(c));
        snprintf(db, sizeof db, "%s/navoi-canary-sync.sqlite", tmp && *tmp ? tmp : "/tmp");
        unlink(db);
        if (expect(c, "sync_open_sqlite", navoi_sync_open_sqlite(&sy, c, db), NAVOI_OK) ==
            NAVOI_OK) {
            navoi_sync_set_pace(sy, 0);
            expect(c, "sync_run", navoi_sync_run(sy, now - 40LL * 86400000), NAVOI_OK);
            printf("  %s\n", navoi_sync_errmsg(sy));
            navoi_sync_free(sy);
        }
    }

    /* faults: every failure path writes its message */
    sim_fault_add(s, SIM_FAULT_TOKEN_REJECT, "manageInvoice", 1, 0);
    expect(c, "manage_invoice token rejected", navoi_manage_invoice(c, inv, 1, 0, &t), NAVOI_ENAV);
    sim_fault_add(s, SIM_FAULT_MAINTENANCE, "queryTaxpayer", 1, 0);
    expect(c, "query_taxpayer maintenance", navoi_query_taxpayer(c, SUPPLIER, &r), NAVOI_ENAV);
    sim_fault_add(s, SIM_FAULT_HTTP500, "queryTaxpayer", 1, 0);
    expect(c, "query_taxpayer http500", navoi_query_taxpayer(c, SUPPLIER, &r), NAVOI_EHTTP);
    sim_fault_add(s, SIM_FAULT_DROP_AFTER_COMMIT, "manageInvoice", 1, 0);
    expect(c, "manage_invoice dropped", navoi_manage_invoice(c, inv, 1, 0, &t), NAVOI_EAMBIGUOUS);
    sim_fault_clear(s);
    navoi_invoice_free(inv[0]);

    /* sign-check of a request this run sent, right key and wrong key */
    if (g_wire) {
        char path[4096];
        FILE *f;
        snprintf(path, sizeof path, "%s/%03d-%d-%s.req", g_wire, 2, NAVOI__OP_QUERY_TAXPAYER,
                 "queryTaxpayer");
        f = fopen(path, "rb");
        if (f) {
            char buf[65536];
            size_t n = fread(buf, 1, sizeof buf, f);
            char wrong[33];
            fclose(f);
            expect(c, "sign_check", navoi_sign_check(buf, n, k->sign_key, &report), NAVOI_OK);
            printf("%s\n", report ? report : "");
            navoi_free(report);
            report = NULL;
            snprintf(wrong, sizeof wrong, "%s", k->sign_key);
            wrong[31] = wrong[31] == 'Q' ? 'R' : 'Q';
            expect(c, "sign_check wrong key", navoi_sign_check(buf, n, wrong, &report),
                   NAVOI_ESIGNATURE);
            printf("%s\n", report ? report : "");
            navoi_free(report);
        }
    }
}

/* The durable outbox: its SQLite files (in $TMPDIR, scanned afterwards)
 * hold invoices and NAV's answers, never a secret. */
static void run_outbox(navoi_client *c, const char *dir)
{
    char db[4096];
    const char *tmp = getenv("TMPDIR");
    navoi_outbox *ob = NULL;
    navoi_invoice *inv[2];
    navoi_outbox_item *it = NULL;
    int64_t done = 0;
    int i, did = 0, created = 0;

    snprintf(db, sizeof db, "%s/navoi-canary-outbox.sqlite", tmp && *tmp ? tmp : "/tmp");
    unlink(db);
    if (expect(c, "outbox_open_sqlite", navoi_outbox_open_sqlite(&ob, c, db), NAVOI_OK) !=
        NAVOI_OK)
        return;
    expect(c, "outbox_set_policy_batch", navoi_outbox_set_policy_batch(ob, 100, 0), NAVOI_OK);
    expect(c, "outbox_set_policy_poll", navoi_outbox_set_policy_poll(ob, 1, 1), NAVOI_OK);
    inv[0] = invoice(c, dir, "demo-create-1.xml", NAVOI_OP_CREATE);
    inv[1] = invoice(c, dir, "demo-create-2.xml", NAVOI_OP_CREATE);
    expect(c, "outbox_enqueue 1", navoi_outbox_enqueue(ob, "erp-1", inv[0], NULL, &created),
           NAVOI_OK);
    expect(c, "outbox_enqueue 2", navoi_outbox_enqueue(ob, "erp-2", inv[1], NULL, &created),
           NAVOI_OK);
    expect(c, "outbox_enqueue again", navoi_outbox_enqueue(ob, "erp-1", inv[0], NULL, &created),
           NAVOI_OK);
    expect(c, "outbox_enqueue other invoice",
           navoi_outbox_enqueue(ob, "erp-1", inv[1], NULL, &created), NAVOI_ESTATE);
    printf("  %s\n", navoi_outbox_errmsg(ob));
    navoi_invoice_free(inv[0]);
    navoi_invoice_free(inv[1]);
    for (i = 0; i < 50 && done < 2; i++) {
        struct timespec ts = {0, 2000000};
        if (expect(c, "outbox_step", navoi_outbox_step(ob, &did), NAVOI_OK) != NAVOI_OK)
            printf("  %s\n", navoi_outbox_errmsg(ob));
        navoi_outbox_count(ob, NAVOI_ITEM_DONE, &done);
        if (!did)
            nanosleep(&ts, NULL);
    }
    printf("  outbox: %lld item(s) DONE after %d step(s)\n", (long long)done, i);
    if (done != 2)
        g_failures++;
    {
        char *metrics = NULL;
        expect(c, "outbox_metrics_text", navoi_outbox_metrics_text(ob, &metrics), NAVOI_OK);
        printf("%s\n", metrics ? metrics : "");
        navoi_free(metrics);
    }
    if (navoi_outbox_item_get(ob, "erp-1", &it) == NAVOI_OK) {
        size_t k;
        printf("  erp-1 %s %s\n", navoi_outbox_state_name(navoi_outbox_item_state(it)),
               navoi_outbox_item_invoice_number(it));
        for (k = 0; k < navoi_outbox_item_history_count(it); k++)
            printf("    %s\n", navoi_outbox_item_history(it, k, NULL));
        navoi_outbox_item_free(it);
    }
    navoi_outbox_free(ob);
}

/* Configuration mistakes: each message must name the problem without the
 * secret. */
static void bad_settings(sim_server *s, const creds *k)
{
    navoi_client *c = NULL;
    navoi_result *r = NULL;
    char buf[128];

    if (navoi_client_new(&c) != NAVOI_OK)
        exit(2);
    navoi_client_set_log(c, log_line, NAVOI_LOG_TRACE, NULL);
    snprintf(buf, sizeof buf, "%s\n", k->password);
    expect(c, "set_password newline", navoi_client_set_password(c, buf), NAVOI_EKEY);
    snprintf(buf, sizeof buf, " %s", k->password);
    expect(c, "set_password space", navoi_client_set_password(c, buf), NAVOI_EKEY);
    snprintf(buf, sizeof buf, "%s\n", k->sign_key);
    expect(c, "set_signing_key newline", navoi_client_set_signing_key(c, buf), NAVOI_EKEY);
    snprintf(buf, sizeof buf, "%sX", k->sign_key);
    expect(c, "set_signing_key long", navoi_client_set_signing_key(c, buf), NAVOI_EKEY);
    snprintf(buf, sizeof buf, "%.15s", k->exchange_key);
    expect(c, "set_exchange_key short", navoi_client_set_exchange_key(c, buf), NAVOI_EKEY);
    snprintf(buf, sizeof buf, "%s ", k->exchange_key);
    expect(c, "set_exchange_key space", navoi_client_set_exchange_key(c, buf), NAVOI_EKEY);
    snprintf(buf, sizeof buf, "%s", k->password);
    expect(c, "set_password_hash not hex", navoi_client_set_password_hash(c, buf), NAVOI_EKEY);
    expect(c, "query missing settings", navoi_query_taxpayer(c, SUPPLIER, &r), NAVOI_ECONFIG);
    navoi_client_free(c);

    /* the connection check diagnoses malformed secrets without echoing them */
    {
        int status = 0, diag = 0;
        char pw[128], sk[128], xk[128];
        c = client(s, k, NULL);
        snprintf(pw, sizeof pw, "%s\n", k->password);
        snprintf(sk, sizeof sk, " %s", k->sign_key);
        snprintf(xk, sizeof xk, "%s\r\n", k->exchange_key);
        expect(c, "check_connection_with bad password",
               navoi_check_connection_with(c, 0, pw, NULL, NULL, &status, &diag), NAVOI_OK);
        printf("  %s %s\n", navoi_diagnosis_name(diag), navoi_client_errmsg(c));
        expect(c, "check_connection_with bad signing key",
               navoi_check_connection_with(c, 0, NULL, sk, NULL, &status, &diag), NAVOI_OK);
        printf("  %s %s\n", navoi_diagnosis_name(diag), navoi_client_errmsg(c));
        expect(c, "check_connection_with bad exchange key",
               navoi_check_connection_with(c, 0, NULL, NULL, xk, &status, &diag), NAVOI_OK);
        printf("  %s %s\n", navoi_diagnosis_name(diag), navoi_client_errmsg(c));
        sk[1 + 31] = sk[1 + 31] == 'Q' ? 'R' : 'Q';
        expect(c, "check_connection_with wrong signing key",
               navoi_check_connection_with(c, 0, NULL, sk + 1, NULL, &status, &diag), NAVOI_OK);
        printf("  %s %s\n", navoi_diagnosis_name(diag), navoi_client_errmsg(c));
        navoi_client_free(c);
    }

    /* a wrong signing key, a wrong exchange key, an unknown login */
    {
        creds w = *k;
        char key[33], xkey[17];
        snprintf(key, sizeof key, "%s", k->sign_key);
        key[31] = key[31] == 'Q' ? 'R' : 'Q';
        w.sign_key = key;
        c = client(s, &w, NULL);
        expect(c, "wrong signing key", navoi_query_taxpayer(c, SUPPLIER, &r), NAVOI_ENAV);
        navoi_client_free(c);
        w = *k;
        snprintf(xkey, sizeof xkey, "%s", k->exchange_key);
        xkey[15] = xkey[15] == 'Q' ? 'R' : 'Q';
        w.exchange_key = xkey;
        c = client(s, &w, NULL);
        expect(c, "wrong exchange key", navoi_token_exchange(c, NULL), NAVOI_ECRYPTO);
        navoi_client_free(c);
        w = *k;
        snprintf(w.login, sizeof w.login, "unknownuser01");
        c = client(s, &w, NULL);
        expect(c, "unknown login", navoi_query_taxpayer(c, SUPPLIER, &r), NAVOI_ENAV);
        navoi_client_free(c);
    }
}

int main(int argc, char **argv)
{
    const char *keys = NULL, *log = NULL, *tokens = NULL, *dir = "tests/data/invoices";
    const char *schemas = NULL;
    static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    char cfg[2048], err[512], gen_pw[21], gen_sk[33], gen_xk[17];
    sim_config *sc = NULL;
    sim_server *s = NULL;
    navoi_client *c;
    creds k;
    int i;

    for (i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--keys"))
            keys = argv[i + 1];
        else if (!strcmp(argv[i], "--log"))
            log = argv[i + 1];
        else if (!strcmp(argv[i], "--wire"))
            g_wire = argv[i + 1];
        else if (!strcmp(argv[i], "--tokens"))
            tokens = argv[i + 1];
        else if (!strcmp(argv[i], "--invoices"))
            dir = argv[i + 1];
        else if (!strcmp(argv[i], "--schemas"))
            schemas = argv[i + 1];
        else
            break;
    }
    if (i != argc) {
        fprintf(stderr, "usage: navoi-canary [--keys DIR] [--log FILE] [--wire DIR] "
                        "[--tokens FILE] [--invoices DIR] [--schemas DIR]\n");
        return 2;
    }
    memset(&k, 0, sizeof k);
    random_text(k.login, 15, "abcdefghijklmnopqrstuvwxyz0123456789");
    if (keys) {
        k.password = read_secret(keys, "password");
        k.sign_key = read_secret(keys, "sign.key");
        k.exchange_key = read_secret(keys, "exchange.key");
    } else {
        random_text(gen_pw, 20, alnum);
        random_text(gen_sk, 32, alnum);
        random_text(gen_xk, 16, alnum);
        k.password = gen_pw;
        k.sign_key = gen_sk;
        k.exchange_key = gen_xk;
    }
    g_exchange_key = k.exchange_key;
    if (log && !(g_log = fopen(log, "w")))
        return 2;
    if (tokens && !(g_tokens = fopen(tokens, "w")))
        return 2;
    snprintf(cfg, sizeof cfg,
             "[settings]\nselfCheck = false\n"
             "[user]\nlogin = %s\npassword = %s\ntaxNumber = %s\nsignKey = %s\n"
             "exchangeKey = %s\n"
             "[taxpayer]\ntaxNumber = %s\nname = Canary Kft.\nvatCode = 2\ncountyCode = 41\n"
             "[taxpayer]\ntaxNumber = 22222222\nname = Vevo Bt.\n",
             k.login, k.password, SUPPLIER, k.sign_key, k.exchange_key, SUPPLIER);
    if (sim_config_parse(cfg, strlen(cfg), &sc, err, sizeof err) != 0 ||
        sim_new(&s, sc, err, sizeof err) != 0 || sim_start(s, 0) != 0) {
        fprintf(stderr, "navoi-canary: simulator: %s\n", s ? sim_errmsg(s) : err);
        return 2;
    }
    memset(cfg, 0, sizeof cfg);

    c = client(s, &k, schemas);
    run_outbox(c, dir);
    run_all(s, c, &k, dir);
    navoi_client_free(c);
    bad_settings(s, &k);

    sim_stop(s);
    sim_free(s);
    if (keys) {
        navoi_free(k.password);
        navoi_free(k.sign_key);
        navoi_free(k.exchange_key);
    }
    if (g_log)
        fclose(g_log);
    if (g_tokens)
        fclose(g_tokens);
    printf("navoi-canary: %d unexpected result(s)\n", g_failures);
    return g_failures ? 1 : 0;
}
