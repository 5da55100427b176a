/*
 * bench_sign.c - build + sign + serialize a manageInvoice request of 100
 * typical invoices (5 to 10 KB each), per invoice, against the floor
 * measured in the same process: OpenSSL's EVP_EncodeBlock plus one
 * SHA3-512 over the base64 text of each invoice. That is the least work
 * any client must do (NAV signs the hash of the base64 text as sent), so
 * the ratio says how much navoi spends on top of it. Target: <= 1.25x.
 *
 * Three measurements, interleaved round by round so that frequency and
 * cache drift hit all of them alike:
 *   floor  EVP_EncodeBlock + SHA3-512 per invoice
 *   core   what navoi_manage_invoice does before sending: base64 of each
 *          invoice, index hashes, requestSignature, the canonical XML
 *          writer (navoi__req_manage_invoice)
 *   api    navoi_manage_invoice itself over an in-process transport that
 *          answers at once: adds the tokenExchange request, token
 *          decryption and parsing both answers
 * The request built is checked with navoi_sign_check once, so a benchmark
 * of a broken pipeline cannot pass unnoticed.
 *
 * Usage: bench_sign [--rounds N] [--invoices N] [--core-only]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "benchutil.h"
#include "common/buf.h"
#include "core/client.h"
#include "crypto/crypto.h"
#include "http/transport.h"
#include "navoi/navoi.h"
#include "ops/request.h"

#define SIGN_KEY "ce-8f5e-215119fa7dd621DLMRHRLH2S"
#define EXCHANGE_KEY "f424XKR57N62W5NJ"
#define TOKEN_PLAIN "b1aca173-d9e8-4561-9237-0511eed99eaa2P0ZHLXBRI2U"
#define NOW_MS 1705311000000LL

#define RESP_HEAD(root)                                                                  \
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ns2:" root                              \
    " xmlns=\"http://schemas.nav.gov.hu/NTCA/1.0/common\" "                              \
    "xmlns:ns2=\"http://schemas.nav.gov.hu/OSA/3.0/api\">"                               \
    "<header><requestId>X</requestId><timestamp>2024-01-15T09:30:00.000Z</timestamp>"    \
    "<requestVersion>3.0</requestVersion><headerVersion>1.0</headerVersion></header>"

static const char MANAGE_RESP[] =
    RESP_HEAD("ManageInvoiceResponse") "<result><funcCode>OK</funcCode></result>"
    "<ns2:transactionId>2OY7YG4DM3GUR9WZ</ns2:transactionId></ns2:ManageInvoiceResponse>";

/* A transport that answers tokenExchange and manageInvoice at once and
 * keeps the last manage body for the signature check. */
typedef struct instant {
    navoi__transport base;
    navoi__buf token_resp;
    navoi__buf last_manage;
    int keep;
} instant;

static int instant_send(navoi__transport *t, const navoi__http_req *req, navoi__http_resp *resp)
{
    instant *s = (instant *)t;
    resp->status = 200;
    if (strstr(req->url, "/tokenExchange")) {
        navoi__buf_append(&resp->body, s->token_resp.data, s->token_resp.len);
    } else {
        navoi__buf_puts(&resp->body, MANAGE_RESP);
        if (s->keep) {
            navoi__buf_reset(&s->last_manage);
            navoi__buf_append(&s->last_manage, req->body, req->body_len);
        }
    }
    return navoi__buf_status(&resp->body);
}

static void instant_destroy(navoi__transport *t)
{
    instant *s = (instant *)t;
    navoi__buf_free(&s->token_resp);
    navoi__buf_free(&s->last_manage);
    free(s);
}

static int64_t fixed_clock(void *ud)
{
    (void)ud;
    return NOW_MS;
}

static navoi_client *make_client(instant **tr_out)
{
    navoi_client *c = NULL;
    instant *tr = calloc(1, sizeof *tr);
    navoi__buf enc = NAVOI__BUF_INIT;

    if (!tr || navoi_client_new(&c) != NAVOI_OK)
        goto fail;
    if (navoi_client_set_login(c, "lwilsmn0uqdxe6u") || navoi_client_set_password(c, "Teszt-Jelszo-01") ||
        navoi_client_set_tax_number(c, "11111111") || navoi_client_set_signing_key(c, SIGN_KEY) ||
        navoi_client_set_exchange_key(c, EXCHANGE_KEY) ||
        navoi_client_set_software(c, "HU11111111-NAVOI01", "navoi bench", NAVOI_SOFTWARE_LOCAL,
                                  "0.1", "navoi", "dev@example.com", "HU", NULL) ||
        navoi_client_set_base_url(c, "http://bench.invalid/invoiceService/v3"))
        goto fail;
    navoi_client_set_clock(c, fixed_clock, NULL);
    if (navoi__token_encrypt(TOKEN_PLAIN, EXCHANGE_KEY, &enc) != NAVOI_OK)
        goto fail;
    navoi__buf_puts(&tr->token_resp, RESP_HEAD("TokenExchangeResponse")
                    "<result><funcCode>OK</funcCode></result><ns2:encodedExchangeToken>");
    navoi__buf_append(&tr->token_resp, enc.data, enc.len);
    navoi__buf_puts(&tr->token_resp,
                    "</ns2:encodedExchangeToken>"
                    "<ns2:tokenValidityFrom>2024-01-15T09:30:00.000Z</ns2:tokenValidityFrom>"
                    "<ns2:tokenValidityTo>2024-01-15T09:35:00.000Z</ns2:tokenValidityTo>"
                    "</ns2:TokenExchangeResponse>");
    navoi__buf_free(&enc);
    tr->base.send = instant_send;
    tr->base.destroy = instant_destroy;
    navoi__client_set_transport(c, &tr->base);
    *tr_out = tr;
    return c;
fail:
    fprintf(stderr, "bench_sign: cannot set up the client: %s\n", c ? navoi_client_errmsg(c) : "");
    navoi__buf_free(&enc);
    free(tr);
    navoi_client_free(c);
    return NULL;
}

static volatile unsigned char g_sink;

/* The floor: OpenSSL base64 + SHA3-512 of the base64 text, per invoice. */
static double run_floor(const bench_doc *docs, size_t n, unsigned char *scratch)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    double t0 = bench_now();
    size_t i;

    for (i = 0; i < n; i++) {
        int olen = EVP_EncodeBlock(scratch, (const unsigned char *)docs[i].data, (int)docs[i].len);
        if (EVP_Digest(scratch, (size_t)olen, md, &mdlen, EVP_sha3_512(), NULL) != 1)
            abort();
        g_sink ^= md[0];
    }
    return bench_now() - t0;
}

static const char *op_text(int op)
{
    return op == NAVOI_OP_MODIFY ? "MODIFY" : op == NAVOI_OP_STORNO ? "STORNO" : "CREATE";
}

/* What navoi_manage_invoice does before the transport: fresh base64
 * buffers, the signed request, the body wiped and freed. */
static double run_core(const navoi__envelope *env, const bench_doc *docs, size_t n,
                       size_t *req_len)
{
    navoi__buf b64[NAVOI__REQ_MAX_ITEMS];
    navoi__manage_item items[NAVOI__REQ_MAX_ITEMS];
    navoi__buf body = NAVOI__BUF_INIT;
    double t0 = bench_now();
    size_t i;

    for (i = 0; i < n; i++) {
        navoi__buf_init(&b64[i]);
        if (navoi__base64_encode(docs[i].data, docs[i].len, &b64[i]) != NAVOI_OK)
            abort();
        memset(&items[i], 0, sizeof items[i]);
        items[i].operation = op_text(docs[i].operation);
        items[i].data = b64[i].data;
        items[i].data_len = b64[i].len;
    }
    if (navoi__req_manage_invoice(env, TOKEN_PLAIN, 0, items, n, &body) != NAVOI_OK)
        abort();
    *req_len = body.len;
    navoi__buf_cleanse_free(&body);
    for (i = 0; i < n; i++)
        navoi__buf_free(&b64[i]);
    return bench_now() - t0;
}

static double run_api(navoi_client *c, navoi_invoice *const *invs, size_t n)
{
    navoi_txn *txn = NULL;
    double t0 = bench_now();

    if (navoi_manage_invoice(c, invs, n, 0, &txn) != NAVOI_OK) {
        fprintf(stderr, "bench_sign: navoi_manage_invoice: %s\n", navoi_client_errmsg(c));
        exit(1);
    }
    navoi_txn_free(txn);
    return bench_now() - t0;
}

int main(int argc, char **argv)
{
    long rounds = bench_arg_long(argc, argv, "--rounds", 200);
    size_t n = (size_t)bench_arg_long(argc, argv, "--invoices", 100);
    int core_only = bench_arg_flag(argc, argv, "--core-only");
    const long warmup = 5;
    bench_doc *docs = NULL;
    navoi_invoice *invs[NAVOI__REQ_MAX_ITEMS];
    navoi_client *c;
    instant *tr = NULL;
    navoi__software sw;
    navoi__envelope env;
    unsigned char *scratch;
    double *tf, *tc, *ta, *rc_, *ra_;
    size_t i, maxlen = 0, req_len = 0;
    double mf, mc, ma, rcm, ram;
    long r;

    if (n < 1 || n > NAVOI__REQ_MAX_ITEMS || rounds < 1) {
        fprintf(stderr, "usage: bench_sign [--rounds N] [--invoices 1..100] [--core-only]\n");
        return 2;
    }
    if (bench_make_invoices(n, 5000, 10000, "BENCH", &docs) != 0)
        return 1;
    c = make_client(&tr);
    if (!c)
        return 1;
    for (i = 0; i < n; i++) {
        if (navoi_invoice_new(&invs[i], c, docs[i].data, docs[i].len, docs[i].operation) != NAVOI_OK) {
            fprintf(stderr, "bench_sign: invoice %zu: %s\n", i, navoi_client_errmsg(c));
            return 1;
        }
        if (docs[i].len > maxlen)
            maxlen = docs[i].len;
    }

    /* The envelope navoi_manage_invoice would build (fixed request id). */
    memset(&sw, 0, sizeof sw);
    snprintf(sw.id, sizeof sw.id, "HU11111111-NAVOI01");
    sw.name = "navoi bench";
    sw.operation = NAVOI_SOFTWARE_LOCAL;
    sw.main_version = "0.1";
    sw.dev_name = "navoi";
    sw.dev_contact = "dev@example.com";
    snprintf(sw.dev_country, sizeof sw.dev_country, "HU");
    memset(&env, 0, sizeof env);
    env.request_id = "NBENCH00000000000000000000001";
    env.timestamp = "2024-01-15T09:30:00.000Z";
    env.login = "lwilsmn0uqdxe6u";
    env.password_hash = c->password_hash;
    env.tax_number = "11111111";
    env.sign_key = SIGN_KEY;
    env.software = &sw;

    scratch = malloc(maxlen / 3 * 4 + 8);
    tf = calloc((size_t)rounds, sizeof *tf);
    tc = calloc((size_t)rounds, sizeof *tc);
    ta = calloc((size_t)rounds, sizeof *ta);
    rc_ = calloc((size_t)rounds, sizeof *rc_);
    ra_ = calloc((size_t)rounds, sizeof *ra_);
    if (!scratch || !tf || !tc || !ta || !rc_ || !ra_)
        return 1;

    /* Correctness first: the request navoi sends verifies with the key. */
    tr->keep = 1;
    run_api(c, invs, n);
    tr->keep = 0;
    if (navoi_sign_check(tr->last_manage.data, tr->last_manage.len, SIGN_KEY, NULL) != NAVOI_OK) {
        fprintf(stderr, "bench_sign: the built request does not verify\n");
        return 1;
    }

    for (r = 0; r < warmup; r++) {
        run_floor(docs, n, scratch);
        run_core(&env, docs, n, &req_len);
        if (!core_only)
            run_api(c, invs, n);
    }
    for (r = 0; r < rounds; r++) {
        tf[r] = run_floor(docs, n, scratch);
        tc[r] = run_core(&env, docs, n, &req_len);
        ta[r] = core_only ? 0 : run_api(c, invs, n);
    }

    printf("bench_sign: build + sign + serialize a manageInvoice request\n");
    bench_print_machine(stdout);
    bench_print_docs(stdout, docs, n);
    printf("request: %zu invoices, %zu bytes (uncompressed, no electronicInvoiceHash); "
           "%ld rounds after %ld warm-up;\n"
           "times are per invoice, ratio = median over rounds of (navoi / floor of the same round)\n",
           n, req_len, rounds, warmup);
    /* Ratios per round: floor and navoi ran back to back, so a noisy
     * neighbour or a frequency change affects both sides of a pair. */
    for (r = 0; r < rounds; r++) {
        rc_[r] = tc[r] / tf[r];
        ra_[r] = core_only ? 0 : ta[r] / tf[r];
    }
    rcm = bench_median(rc_, (size_t)rounds);
    ram = bench_median(ra_, (size_t)rounds);
    mf = bench_median(tf, (size_t)rounds);
    mc = bench_median(tc, (size_t)rounds);
    ma = core_only ? 0 : bench_median(ta, (size_t)rounds);
    printf("floor  EVP_EncodeBlock + SHA3-512 of the base64     min %8.2f  median %8.2f us/invoice\n",
           bench_min(tf, (size_t)rounds) / (double)n * 1e6, mf / (double)n * 1e6);
    printf("core   base64 + sign + XML writer (request.c)       min %8.2f  median %8.2f us/invoice"
           "  ratio %.3f\n",
           bench_min(tc, (size_t)rounds) / (double)n * 1e6, mc / (double)n * 1e6, rcm);
    if (!core_only)
        printf("api    navoi_manage_invoice, instant transport     min %8.2f  median %8.2f us/invoice"
               "  ratio %.3f\n",
               bench_min(ta, (size_t)rounds) / (double)n * 1e6, ma / (double)n * 1e6, ram);
    bench_result("sign", "floor_us_per_invoice", mf / (double)n * 1e6, "us", "", 0);
    bench_result("sign", "core_us_per_invoice", mc / (double)n * 1e6, "us", "", 0);
    bench_result("sign", "core_ratio_to_floor", rcm, "x", "<=", 1.25);
    if (!core_only) {
        bench_result("sign", "api_us_per_invoice", ma / (double)n * 1e6, "us", "", 0);
        bench_result("sign", "api_ratio_to_floor", ram, "x", "<=", 1.25);
    }
    printf("(sink %u)\n", (unsigned)g_sink);

    for (i = 0; i < n; i++)
        navoi_invoice_free(invs[i]);
    navoi_client_free(c);
    bench_docs_free(docs, n);
    free(scratch);
    free(tf);
    free(tc);
    free(ta);
    free(rc_);
    free(ra_);
    return 0;
}
