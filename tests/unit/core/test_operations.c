/*
 * test_operations.c - the operations glue over a fake transport: what is
 * sent (URL, fresh connection for manage calls, exchange token, signature
 * recomputed independently with OpenSSL), how answers and failures map to
 * codes and triage categories, and that no secret reaches a log line.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "common/alloc.h"
#include "core/client.h"
#include "crypto/crypto.h"
#include "http/transport.h"
#include "navoi/navoi.h"
#include "testutil.h"

#define SIGN_KEY "ce-8f5e-215119fa7dd621DLMRHRLH2S"
/* vectors.json exchangeToken[0] */
#define EXCHANGE_KEY "f424XKR57N62W5NJ"
#define TOKEN_PLAIN "b1aca173-d9e8-4561-9237-0511eed99eaa2P0ZHLXBRI2U"
#define TOKEN_ENC "U+M9VRBYlUE31AWiVZDIFGtQsmP4EpNQR4xU2GGqzbLIu/61jVbeUGhjz6cfaX5mAviQJVenLhVBon8+0gmuVg=="
#define PASSWORD "Teszt-Jelszo-01"
#define PASSWORD_HASH                                                                    \
    "2ED9CFF8C5B0F70FA66BB4F048088257FF37DE32F20C0169E0D7105DA8891A099329F540988176E7C2" \
    "532F04319A7FA67A054B4AA96EC77521BDB79B3B138D0E"
/* 2024-01-15T09:30:00.000Z */
#define NOW_MS 1705311000000LL

#define RESP_HEAD(root)                                                                  \
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ns2:" root                              \
    " xmlns=\"http://schemas.nav.gov.hu/NTCA/1.0/common\" "                              \
    "xmlns:ns2=\"http://schemas.nav.gov.hu/OSA/3.0/api\">"                               \
    "<header><requestId>X</requestId><timestamp>2024-01-15T09:30:00.000Z</timestamp>"    \
    "<requestVersion>3.0</requestVersion><headerVersion>1.0</headerVersion></header>"

static const char TOKEN_RESP[] =
    RESP_HEAD("TokenExchangeResponse") "<result><funcCode>OK</funcCode></result>"
    "<ns2:encodedExchangeToken>" TOKEN_ENC "</ns2:encodedExchangeToken>"
    "<ns2:tokenValidityFrom>2024-01-15T09:30:00.000Z</ns2:tokenValidityFrom>"
    "<ns2:tokenValidityTo>2024-01-15T09:35:00.000Z</ns2:tokenValidityTo>"
    "</ns2:TokenExchangeResponse>";

static const char MANAGE_RESP[] =
    RESP_HEAD("ManageInvoiceResponse") "<result><funcCode>OK</funcCode></result>"
    "<ns2:transactionId>2OY7YG4DM3GUR9WZ</ns2:transactionId></ns2:ManageInvoiceResponse>";

static const char STATUS_RECEIVED[] =
    RESP_HEAD("QueryTransactionStatusResponse") "<result><funcCode>OK</funcCode></result>"
    "<ns2:processingResults><ns2:processingResult><ns2:index>1</ns2:index>"
    "<ns2:invoiceStatus>RECEIVED</ns2:invoiceStatus>"
    "<ns2:compressedContentIndicator>false</ns2:compressedContentIndicator>"
    "</ns2:processingResult><ns2:originalRequestVersion>3.0</ns2:originalRequestVersion>"
    "</ns2:processingResults></ns2:QueryTransactionStatusResponse>";

static const char STATUS_DONE[] =
    RESP_HEAD("QueryTransactionStatusResponse") "<result><funcCode>OK</funcCode></result>"
    "<ns2:processingResults><ns2:processingResult><ns2:index>1</ns2:index>"
    "<ns2:invoiceStatus>DONE</ns2:invoiceStatus>"
    "<ns2:businessValidationMessages><ns2:validationResultCode>WARN</ns2:validationResultCode>"
    "<ns2:validationErrorCode>INCORRECT_HEAD_DATA_CUSTOMER_TAX_NUMBER</ns2:validationErrorCode>"
    "<ns2:message>check the customer</ns2:message></ns2:businessValidationMessages>"
    "<ns2:compressedContentIndicator>false</ns2:compressedContentIndicator>"
    "</ns2:processingResult><ns2:originalRequestVersion>3.0</ns2:originalRequestVersion>"
    "</ns2:processingResults></ns2:QueryTransactionStatusResponse>";

static const char ERROR_401[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ns2:GeneralErrorResponse "
    "xmlns=\"http://schemas.nav.gov.hu/NTCA/1.0/common\" "
    "xmlns:ns2=\"http://schemas.nav.gov.hu/OSA/3.0/api\"><result><funcCode>ERROR</funcCode>"
    "<errorCode>INVALID_SECURITY_USER</errorCode><message>Helytelen authentikációs adatok!"
    "</message></result></ns2:GeneralErrorResponse>";

typedef struct step {
    int rc;
    long status;
    const char *body;
    int maybe_sent;
} step;

typedef struct fake {
    navoi__transport base;
    step steps[8];
    int n, pos;
    char *bodies[8];
    char urls[8][256];
    int fresh[8];
} fake;

static fake *g_fake;

static int fake_send(navoi__transport *t, const navoi__http_req *req, navoi__http_resp *resp)
{
    fake *f = (fake *)t;
    step *s;
    navoi__http_resp_init(resp);
    ck_assert_int_lt(f->pos, f->n);
    s = &f->steps[f->pos];
    f->bodies[f->pos] = strndup(req->body, req->body_len);
    snprintf(f->urls[f->pos], sizeof f->urls[0], "%s", req->url);
    f->fresh[f->pos] = req->fresh_connection;
    f->pos++;
    resp->status = s->status;
    resp->maybe_sent = s->maybe_sent;
    if (s->body)
        navoi__buf_puts(&resp->body, s->body);
    if (s->rc != NAVOI_OK)
        snprintf(resp->errmsg, sizeof resp->errmsg, "injected failure");
    return s->rc;
}

static void fake_destroy(navoi__transport *t)
{
    fake *f = (fake *)t;
    int i;
    for (i = 0; i < f->pos; i++)
        free(f->bodies[i]);
    free(f);
    g_fake = NULL;
}

static void script(navoi_client *c, const step *steps, int n)
{
    fake *f = calloc(1, sizeof *f);
    f->base.send = fake_send;
    f->base.destroy = fake_destroy;
    memcpy(f->steps, steps, (size_t)n * sizeof *steps);
    f->n = n;
    g_fake = f;
    navoi__client_set_transport(c, &f->base);
}

static int64_t fixed_clock(void *ud)
{
    (void)ud;
    return NOW_MS;
}

static int zero_random(unsigned char *buf, size_t len, void *ud)
{
    (void)ud;
    memset(buf, 0, len);
    return 0;
}

static char g_log[1 << 16];

static void collect(int level, const char *corr, const char *msg, void *ud)
{
    size_t n = strlen(g_log);
    (void)ud;
    snprintf(g_log + n, sizeof g_log - n, "%d [%s] %s\n", level, corr, msg);
}

static navoi_client *client(void)
{
    navoi_client *c = NULL;
    ck_assert_int_eq(navoi_client_new(&c), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_login(c, "lwilsmn0uqdxe6u"), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_password(c, PASSWORD), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_tax_number(c, "11111111"), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_signing_key(c, SIGN_KEY), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_exchange_key(c, EXCHANGE_KEY), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_software(c, "HU11111111-NAVOI01", "navoi tests",
                                               NAVOI_SOFTWARE_LOCAL, "0.1", "navoi",
                                               "dev@example.com", "HU", NULL),
                     NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_base_url(c, "http://sim.invalid/invoiceService/v3"), NAVOI_OK);
    navoi_client_set_clock(c, fixed_clock, NULL);
    navoi_client_set_random(c, zero_random, NULL);
    g_log[0] = '\0';
    navoi_client_set_log(c, collect, NAVOI_LOG_TRACE, NULL);
    return c;
}

/* Text of the first element named tag (any prefix, any attributes). */
static char *elem(const char *xml, const char *tag)
{
    const char *p = xml, *e;
    size_t n = strlen(tag);
    for (;;) {
        p = strstr(p, tag);
        ck_assert_msg(p != NULL, "no <%s> in request", tag);
        if ((p[-1] == '<' || p[-1] == ':') && (p[n] == '>' || p[n] == ' ') &&
            !(p[-1] == ':' && p[-2] == '/') && p[-2] != '/')
            break;
        p += n;
    }
    p = strchr(p, '>') + 1;
    e = strchr(p, '<');
    return strndup(p, (size_t)(e - p));
}

/* Independent SHA3-512 (OpenSSL directly), upper-case hex. */
static void sha3(const char *s, size_t n, char out[129])
{
    unsigned char md[64];
    unsigned int len = 0;
    int i;
    ck_assert_int_eq(EVP_Digest(s, n, md, &len, EVP_sha3_512(), NULL), 1);
    for (i = 0; i < 64; i++)
        sprintf(out + 2 * i, "%02X", md[i]);
}

static void assert_no_secret(const char *text)
{
    ck_assert_ptr_null(strstr(text, PASSWORD));
    ck_assert_ptr_null(strstr(text, PASSWORD_HASH));
    ck_assert_ptr_null(strstr(text, SIGN_KEY));
    ck_assert_ptr_null(strstr(text, EXCHANGE_KEY));
    ck_assert_ptr_null(strstr(text, TOKEN_PLAIN));
    ck_assert_ptr_null(strstr(text, TOKEN_ENC));
}

static navoi_invoice *sample_invoice(navoi_client *c, int op)
{
    navoi_invoice *inv = NULL;
    char *p = nt_nav_path("samples/data/Belfoldi_termekertekesites.xml");
    ck_assert_int_eq(navoi_invoice_new_from_file(&inv, c, p, op), NAVOI_OK);
    free(p);
    return inv;
}

START_TEST(token_then_manage_then_poll)
{
    static const step steps[] = {
        {NAVOI_OK, 200, TOKEN_RESP, 0},
        {NAVOI_OK, 200, MANAGE_RESP, 0},
        {NAVOI_OK, 200, STATUS_RECEIVED, 0},
        {NAVOI_OK, 200, STATUS_DONE, 0},
    };
    navoi_client *c = client();
    navoi_invoice *inv = sample_invoice(c, NAVOI_OP_CREATE);
    navoi_txn *t = NULL;
    char *rid, *ts, *sig, *data, *tok;
    char partial[256], idx[129], expect[129], all[512];
    const char *code, *text;
    int kind, sev;

    script(c, steps, 4);
    ck_assert_int_eq(navoi_manage_invoice(c, &inv, 1, 0, &t), NAVOI_OK);
    ck_assert_str_eq(navoi_txn_id(t), "2OY7YG4DM3GUR9WZ");
    ck_assert_str_eq(g_fake->urls[0], "http://sim.invalid/invoiceService/v3/tokenExchange");
    ck_assert_str_eq(g_fake->urls[1], "http://sim.invalid/invoiceService/v3/manageInvoice");
    ck_assert_int_eq(g_fake->fresh[0], 0);
    ck_assert_int_eq(g_fake->fresh[1], 1); /* never over a reused connection */

    /* The manage request carries the decrypted token and a signature that
     * an independent SHA3-512 computation (PROTOCOL.md 3.2) reproduces. */
    tok = elem(g_fake->bodies[1], "exchangeToken");
    ck_assert_str_eq(tok, TOKEN_PLAIN);
    rid = elem(g_fake->bodies[1], "requestId");
    ck_assert_str_eq(rid, "N00000000000000000000000000000");
    ts = elem(g_fake->bodies[1], "timestamp");
    ck_assert_str_eq(ts, "2024-01-15T09:30:00.000Z");
    data = elem(g_fake->bodies[1], "invoiceData");
    sig = elem(g_fake->bodies[1], "requestSignature");
    snprintf(all, sizeof all, "CREATE");
    {
        size_t n = strlen(data) + 7;
        char *opdata = malloc(n);
        snprintf(opdata, n, "CREATE%s", data);
        sha3(opdata, strlen(opdata), idx);
        free(opdata);
    }
    snprintf(partial, sizeof partial, "%s%s%s%s", rid, "20240115093000", SIGN_KEY, idx);
    sha3(partial, strlen(partial), expect);
    ck_assert_str_eq(sig, expect);
    ck_assert_int_eq(navoi_sign_check(g_fake->bodies[1], strlen(g_fake->bodies[1]), SIGN_KEY, NULL),
                     NAVOI_OK);
    {
        char *ph = elem(g_fake->bodies[1], "passwordHash");
        ck_assert_str_eq(ph, PASSWORD_HASH);
        free(ph);
    }

    ck_assert_int_eq(navoi_txn_poll(c, t, 0), NAVOI_OK);
    ck_assert_int_eq(navoi_txn_item_status(t, 0), NAVOI_STATUS_RECEIVED);
    ck_assert_int_eq(navoi_txn_is_final(t), 0);
    ck_assert_int_eq(navoi_txn_poll(c, t, 0), NAVOI_OK);
    ck_assert_int_eq(navoi_txn_item_status(t, 0), NAVOI_STATUS_DONE);
    ck_assert_int_eq(navoi_txn_is_final(t), 1);
    ck_assert_uint_eq(navoi_txn_message_count(t, 0), 1);
    ck_assert_int_eq(navoi_txn_message(t, 0, 0, &kind, &sev, &code, &text), NAVOI_OK);
    ck_assert_int_eq(kind, NAVOI_MSG_BUSINESS);
    ck_assert_int_eq(sev, NAVOI_SEVERITY_WARN);
    ck_assert_str_eq(code, "INCORRECT_HEAD_DATA_CUSTOMER_TAX_NUMBER");
    ck_assert_str_eq(navoi_txn_id(t), "2OY7YG4DM3GUR9WZ");
    ck_assert_ptr_nonnull(strstr(g_fake->bodies[3], "2OY7YG4DM3GUR9WZ"));

    assert_no_secret(g_log);
    assert_no_secret(navoi_client_errmsg(c));
    ck_assert_ptr_nonnull(strstr(g_log, "[N00000000000000000000000000000]"));
    free(tok); free(rid); free(ts); free(data); free(sig);
    navoi_txn_free(t);
    navoi_invoice_free(inv);
    navoi_client_free(c);
}
END_TEST

START_TEST(held_token_is_single_use)
{
    static const step steps[] = {
        {NAVOI_OK, 200, TOKEN_RESP, 0},
        {NAVOI_OK, 200, MANAGE_RESP, 0},
        {NAVOI_OK, 200, TOKEN_RESP, 0},
        {NAVOI_OK, 200, MANAGE_RESP, 0},
    };
    navoi_client *c = client();
    navoi_invoice *inv = sample_invoice(c, NAVOI_OP_CREATE);
    navoi_txn *t = NULL;
    int64_t to = 0;

    script(c, steps, 4);
    ck_assert_int_eq(navoi_token_exchange(c, &to), NAVOI_OK);
    ck_assert(to == NOW_MS + 300000);
    ck_assert_int_eq(navoi_manage_invoice(c, &inv, 1, 0, &t), NAVOI_OK); /* uses held token */
    ck_assert_int_eq(g_fake->pos, 2);
    navoi_txn_free(t);
    ck_assert_int_eq(navoi_manage_invoice(c, &inv, 1, 0, &t), NAVOI_OK); /* fetches a new one */
    ck_assert_int_eq(g_fake->pos, 4);
    ck_assert_ptr_nonnull(strstr(g_fake->urls[2], "/tokenExchange"));
    navoi_txn_free(t);
    navoi_invoice_free(inv);
    navoi_client_free(c);
}
END_TEST

START_TEST(wrong_exchange_key_is_crypto_error)
{
    static const step steps[] = {{NAVOI_OK, 200, TOKEN_RESP, 0}};
    navoi_client *c = client();
    ck_assert_int_eq(navoi_client_set_exchange_key(c, "9febIBBQRLZ348IB"), NAVOI_OK);
    script(c, steps, 1);
    ck_assert_int_eq(navoi_token_exchange(c, NULL), NAVOI_ECRYPTO);
    ck_assert_int_eq(navoi_client_error_category(c), NAVOI_CAT_CONFIG);
    ck_assert_ptr_nonnull(strstr(navoi_client_errmsg(c), "exchange key"));
    assert_no_secret(navoi_client_errmsg(c));
    navoi_client_free(c);
}
END_TEST

START_TEST(failure_after_send_is_ambiguous)
{
    static const step steps[] = {
        {NAVOI_OK, 200, TOKEN_RESP, 0},
        {NAVOI_ETIMEOUT, 0, NULL, 1},
    };
    navoi_client *c = client();
    navoi_invoice *inv = sample_invoice(c, NAVOI_OP_CREATE);
    navoi_txn *t = NULL;

    script(c, steps, 2);
    ck_assert_int_eq(navoi_manage_invoice(c, &inv, 1, 0, &t), NAVOI_EAMBIGUOUS);
    ck_assert_ptr_null(t);
    ck_assert_int_eq(navoi_client_error_category(c), NAVOI_CAT_AMBIGUOUS);
    ck_assert_ptr_nonnull(strstr(navoi_client_errmsg(c), "lost-transaction"));
    navoi_invoice_free(inv);
    navoi_client_free(c);
}
END_TEST

START_TEST(failure_before_send_is_transient)
{
    static const step steps[] = {
        {NAVOI_OK, 200, TOKEN_RESP, 0},
        {NAVOI_ENET, 0, NULL, 0},
    };
    navoi_client *c = client();
    navoi_invoice *inv = sample_invoice(c, NAVOI_OP_CREATE);
    navoi_txn *t = NULL;

    script(c, steps, 2);
    ck_assert_int_eq(navoi_manage_invoice(c, &inv, 1, 0, &t), NAVOI_ENET);
    ck_assert_int_eq(navoi_client_error_category(c), NAVOI_CAT_TRANSIENT);
    navoi_invoice_free(inv);
    navoi_client_free(c);
}
END_TEST

START_TEST(nav_error_and_bare_http_status)
{
    static const step steps[] = {
        {NAVOI_OK, 401, ERROR_401, 0},
        {NAVOI_OK, 503, "<html>Service Unavailable</html>", 0},
        {NAVOI_OK, 404, "", 0},
        {NAVOI_OK, 200, "<not-nav/>", 0},
    };
    navoi_client *c = client();
    navoi_result *r = NULL;

    script(c, steps, 4);
    ck_assert_int_eq(navoi_query_taxpayer(c, "11111111", &r), NAVOI_ENAV);
    ck_assert_str_eq(navoi_client_nav_error_code(c), "INVALID_SECURITY_USER");
    ck_assert_int_eq(navoi_client_http_status(c), 401);
    ck_assert_int_eq(navoi_client_error_category(c), NAVOI_CAT_CONFIG);
    ck_assert_ptr_nonnull(strstr(navoi_client_errmsg(c), "Helytelen"));
    ck_assert_int_eq(navoi_query_taxpayer(c, "11111111", &r), NAVOI_EHTTP);
    ck_assert_int_eq(navoi_client_http_status(c), 503);
    ck_assert_int_eq(navoi_client_error_category(c), NAVOI_CAT_TRANSIENT);
    ck_assert_str_eq(navoi_client_nav_error_code(c), "");
    ck_assert_int_eq(navoi_query_taxpayer(c, "11111111", &r), NAVOI_EHTTP);
    ck_assert_int_eq(navoi_client_error_category(c), NAVOI_CAT_CONFIG);
    ck_assert_int_eq(navoi_query_taxpayer(c, "11111111", &r), NAVOI_EPROTO);
    ck_assert_ptr_null(r);
    navoi_client_free(c);
}
END_TEST

START_TEST(compressed_and_electronic_hash_modes)
{
    static const step steps[] = {
        {NAVOI_OK, 200, TOKEN_RESP, 0}, {NAVOI_OK, 200, MANAGE_RESP, 0},
        {NAVOI_OK, 200, TOKEN_RESP, 0}, {NAVOI_OK, 200, MANAGE_RESP, 0},
    };
    static const char einvoice[] =
        "<InvoiceData xmlns=\"http://schemas.nav.gov.hu/OSA/3.0/data\">"
        "<invoiceNumber>E-1</invoiceNumber><invoiceIssueDate>2024-01-10</invoiceIssueDate>"
        "<completenessIndicator>true</completenessIndicator></InvoiceData>";
    navoi_client *c = client();
    navoi_invoice *inv = NULL;
    navoi_txn *t = NULL;
    navoi__buf raw = NAVOI__BUF_INIT, plain = NAVOI__BUF_INIT;
    char *data, *hash, expect[129];

    ck_assert_int_eq(navoi_invoice_new(&inv, c, einvoice, sizeof einvoice - 1, NAVOI_OP_CREATE),
                     NAVOI_OK);
    ck_assert_int_eq(navoi_invoice_is_electronic(inv), 1);
    script(c, steps, 4);
    ck_assert_int_eq(navoi_manage_invoice(c, &inv, 1, NAVOI_MANAGE_COMPRESS, &t), NAVOI_OK);
    navoi_txn_free(t);
    ck_assert_ptr_nonnull(strstr(g_fake->bodies[1], "compressedContent>true<"));
    data = elem(g_fake->bodies[1], "invoiceData");
    ck_assert_int_eq(navoi__base64_decode(data, strlen(data), &raw), NAVOI_OK);
    ck_assert_int_eq((unsigned char)raw.data[0], 0x1f);
    ck_assert_int_eq((unsigned char)raw.data[8], 0x04); /* gzip -1 (PROTOCOL.md 1.4) */
    ck_assert_int_eq(navoi__gunzip(raw.data, raw.len, 1 << 20, &plain), NAVOI_OK);
    ck_assert_str_eq(plain.data, einvoice);
    /* Spec mode: SHA3-512 of the sent base64 text. */
    hash = elem(g_fake->bodies[1], "electronicInvoiceHash");
    sha3(data, strlen(data), expect);
    ck_assert_str_eq(hash, expect);
    ck_assert_ptr_nonnull(strstr(g_fake->bodies[1], "cryptoType=\"SHA3-512\">"));
    free(hash);
    free(data);
    /* Sample mode: SHA3-512 of the XML bytes. */
    ck_assert_int_eq(navoi_client_set_invoice_hash_mode(c, NAVOI_EHASH_DECODED_XML), NAVOI_OK);
    ck_assert_int_eq(navoi_manage_invoice(c, &inv, 1, 0, &t), NAVOI_OK);
    navoi_txn_free(t);
    hash = elem(g_fake->bodies[3], "electronicInvoiceHash");
    sha3(einvoice, sizeof einvoice - 1, expect);
    ck_assert_str_eq(hash, expect);
    free(hash);
    navoi__buf_free(&raw);
    navoi__buf_free(&plain);
    navoi_invoice_free(inv);
    navoi_client_free(c);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("operations");
    TCase *tc = tcase_create("operations");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, token_then_manage_then_poll);
    tcase_add_test(tc, held_token_is_single_use);
    tcase_add_test(tc, wrong_exchange_key_is_crypto_error);
    tcase_add_test(tc, failure_after_send_is_ambiguous);
    tcase_add_test(tc, failure_before_send_is_transient);
    tcase_add_test(tc, nav_error_and_bare_http_status);
    tcase_add_test(tc, compressed_and_electronic_hash_modes);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return nt_run(suite());
}
