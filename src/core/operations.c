/*
 * operations.c - the ten NAV operations as public functions: check the
 * configuration, build and sign the request, send it through the transport
 * seam, parse the answer and leave precise error detail on the client.
 *
 * Request bodies carry the passwordHash (and, for manage calls, the
 * exchange token), so every body buffer is wiped after use.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "core/client.h"
#include "core/invoice.h"
#include "core/manage.h"
#include "crypto/timefmt.h"
#include "ops/digest_query.h"
#include "ops/ops.h"
#include "ops/request.h"
#include "ops/response.h"

/* PROTOCOL.md 1.4: bodies must stay below 10,485,760 bytes. */
#define MAX_REQUEST_BYTES 10485759u
#define MAX_ITEMS 100
/* A held token is used only while it has this much validity left. */
#define TOKEN_MARGIN_MS 30000

typedef struct call {
    char request_id[31];
    char timestamp[25];
    navoi__envelope env;
} call;

static int op_fail(navoi_client *c, int op, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int op_fail(navoi_client *c, int op, int code, const char *fmt, ...)
{
    char msg[sizeof c->errmsg];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    navoi__fail(c, code, "%s: %s", navoi__op(op)->name, msg);
    c->category = navoi_error_category(code, c->nav_code[0] ? c->nav_code : NULL,
                                       navoi__op(op)->manage);
    return code;
}

/* The start of every public operation: without a client NAVOI_EINVAL (there
 * is no handle to put a message on); else the client's last error is
 * cleared and, unless args_ok, the call fails with NAVOI_EINVAL and why. */
static int enter(navoi_client *c, int op, int args_ok, const char *why)
{
    if (!c)
        return NAVOI_EINVAL;
    navoi__clear_error(c);
    if (!args_ok)
        return op_fail(c, op, NAVOI_EINVAL, "%s", why);
    return NAVOI_OK;
}

/* enter() for an operation whose answer is a navoi_result in *out, which
 * is NULL until then (and a NULL out is a bad argument). */
static int enter_result(navoi_client *c, int op, navoi_result **out, int args_ok,
                        const char *why)
{
    if (out)
        *out = NULL;
    return enter(c, op, out && args_ok, why);
}

/* Names every missing setting at once, so a person fixes them in one go. */
static int check_config(navoi_client *c, int op)
{
    char missing[256] = "";
    int manage = navoi__op(op)->manage || op == NAVOI__OP_TOKEN_EXCHANGE;

    if (!c->login[0])
        strcat(missing, " login");
    if (!c->password_hash[0])
        strcat(missing, " password");
    if (!c->tax_number[0])
        strcat(missing, " tax-number");
    if (!c->sign_key[0])
        strcat(missing, " signing-key");
    if (manage && !c->exchange_key[0])
        strcat(missing, " exchange-key");
    if (!c->has_software)
        strcat(missing, " software");
    if (missing[0])
        return op_fail(c, op, NAVOI_ECONFIG, "missing settings:%s", missing);
    return NAVOI_OK;
}

static int ensure_transport(navoi_client *c, int op)
{
    int rc;
    if (c->transport)
        return NAVOI_OK;
    rc = navoi__transport_curl_new(&c->transport);
    if (rc != NAVOI_OK)
        return op_fail(c, op, rc, "cannot initialise libcurl");
    return NAVOI_OK;
}

/* requestId: 'N' + 29 characters of [0-9A-Z] from the random hook, which
 * keeps requests reproducible in tests and unique in production. */
static int begin(navoi_client *c, int op, call *k)
{
    static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUV";
    unsigned char rnd[29];
    int rc, i;

    navoi__clear_error(c);
    rc = check_config(c, op);
    if (rc != NAVOI_OK)
        return rc;
    rc = ensure_transport(c, op);
    if (rc != NAVOI_OK)
        return rc;
    rc = navoi__client_random(c, rnd, sizeof rnd);
    if (rc != NAVOI_OK)
        return op_fail(c, op, rc, "the random hook failed");
    k->request_id[0] = 'N';
    for (i = 0; i < 29; i++)
        k->request_id[i + 1] = alphabet[rnd[i] & 31];
    k->request_id[30] = '\0';
    rc = navoi__format_timestamp(navoi__now_ms(c), k->timestamp);
    if (rc != NAVOI_OK)
        return op_fail(c, op, NAVOI_EINVAL, "the clock hook gave an unusable time");
    memcpy(c->request_id, k->request_id, sizeof k->request_id);
    k->env.request_id = k->request_id;
    k->env.timestamp = k->timestamp;
    k->env.login = c->login;
    k->env.password_hash = c->password_hash;
    k->env.tax_number = c->tax_number;
    k->env.sign_key = c->sign_key;
    k->env.software = &c->sw;
    return NAVOI_OK;
}

static int build_failed(navoi_client *c, int op, int rc)
{
    if (rc == NAVOI_ENOMEM)
        return op_fail(c, op, rc, "out of memory while building the request");
    if (rc == NAVOI_ECONFIG)
        return op_fail(c, op, rc, "the query has no mandatory criterion");
    return op_fail(c, op, rc, "a parameter does not match NAV's schema");
}

/* Sends a built request and parses the answer into *resp. */
static int exchange(navoi_client *c, int op, navoi__buf *body, navoi__response *resp)
{
    const navoi__op_info *info = navoi__op(op);
    navoi__http_req req;
    navoi__http_resp hr;
    navoi__buf url = NAVOI__BUF_INIT;
    char why[512];
    int rc;

    memset(resp, 0, sizeof *resp);
    if (body->len > MAX_REQUEST_BYTES)
        return op_fail(c, op, NAVOI_ETOOBIG, "request of %zu bytes is over NAV's 10 MiB limit",
                       body->len);
    if (c->schemas) {
        rc = navoi__schemas_validate_mem(c->schemas, NAVOI__SCHEMA_API, body->data, body->len,
                                         why, sizeof why);
        if (rc != NAVOI_OK)
            return op_fail(c, op, rc, "built request does not validate against invoiceApi.xsd: %s",
                           why);
    }
    navoi__buf_puts(&url, navoi__client_base_url(c));
    navoi__buf_puts(&url, info->path);
    if (url.oom) {
        navoi__buf_free(&url);
        return op_fail(c, op, NAVOI_ENOMEM, "out of memory");
    }
    memset(&req, 0, sizeof req);
    req.url = url.data;
    req.body = body->data;
    req.body_len = body->len;
    req.fresh_connection = info->manage;
    req.connect_timeout_ms = c->connect_ms;
    req.timeout_ms = info->manage ? c->manage_ms : c->query_ms;
    req.max_response = c->max_response;
    req.ca_file = c->ca_file;

    navoi__log(c, NAVOI_LOG_INFO, "POST %s (%zu bytes)", url.data, body->len);
    navoi__http_resp_init(&hr);
    rc = c->transport->send(c->transport, &req, &hr);
    c->http_status = (int)hr.status;
    if (hr.date_ms)
        c->skew_ms = hr.date_ms - navoi__now_ms(c);
    navoi__buf_free(&url);
    if (rc != NAVOI_OK) {
        if (info->manage && hr.maybe_sent && rc != NAVOI_ETLS)
            rc = op_fail(c, op, NAVOI_EAMBIGUOUS,
                         "%s after the request was sent; NAV may have received it: run the "
                         "lost-transaction check before resubmitting",
                         hr.errmsg);
        else
            rc = op_fail(c, op, rc, "%s", hr.errmsg);
        navoi__log(c, NAVOI_LOG_WARN, "%s", c->errmsg);
        navoi__http_resp_clear(&hr);
        return rc;
    }
    navoi__log(c, NAVOI_LOG_DEBUG, "HTTP %ld, %zu bytes", hr.status, hr.body.len);
    rc = navoi__response_parse(op, hr.body.data ? hr.body.data : "", hr.body.len, resp);
    if (rc == NAVOI_ENAV) {
        snprintf(c->nav_code, sizeof c->nav_code, "%s", resp->res.error_code);
        rc = op_fail(c, op, NAVOI_ENAV, "NAV error %s (HTTP %ld): %s",
                     resp->res.error_code[0] ? resp->res.error_code : "(none)", hr.status,
                     resp->res.message ? resp->res.message : "");
        snprintf(c->nav_code, sizeof c->nav_code, "%s", resp->res.error_code);
        c->category = navoi_error_category(NAVOI_ENAV, c->nav_code[0] ? c->nav_code : NULL,
                                           info->manage);
    } else if (rc == NAVOI_EPROTO && hr.status != 200) {
        rc = op_fail(c, op, NAVOI_EHTTP, "HTTP %ld without a NAV response%s", hr.status,
                     hr.status == 404 ? " (wrong base URL?)" : "");
        if (hr.status == 404 || hr.status == 405)
            c->category = NAVOI_CAT_CONFIG;
    } else if (rc == NAVOI_EPROTO) {
        rc = op_fail(c, op, NAVOI_EPROTO, "HTTP 200 with an invalid response: %s",
                     resp->res.message ? resp->res.message : "not a NAV document");
    } else if (rc != NAVOI_OK) {
        rc = op_fail(c, op, rc, "cannot parse the response");
    }
    if (rc != NAVOI_OK) {
        navoi__log(c, NAVOI_LOG_WARN, "%s", c->errmsg);
        navoi__response_clear(resp);
    }
    navoi__http_resp_clear(&hr);
    return rc;
}

/* Fetches and decrypts a token into c->token. */
static int fetch_token(navoi_client *c, int64_t *valid_to_ms_out)
{
    const int op = NAVOI__OP_TOKEN_EXCHANGE;
    navoi__buf body = NAVOI__BUF_INIT;
    navoi__response resp;
    call k;
    int rc;

    navoi__cleanse(c->token, sizeof c->token);
    rc = begin(c, op, &k);
    if (rc != NAVOI_OK)
        return rc;
    rc = navoi__req_token_exchange(&k.env, &body);
    if (rc != NAVOI_OK) {
        navoi__buf_cleanse_free(&body);
        return build_failed(c, op, rc);
    }
    rc = exchange(c, op, &body, &resp);
    navoi__buf_cleanse_free(&body);
    if (rc != NAVOI_OK)
        return rc;
    rc = navoi__token_decrypt(resp.encoded_token, strlen(resp.encoded_token), c->exchange_key,
                              c->token);
    if (rc != NAVOI_OK) {
        navoi__cleanse(c->token, sizeof c->token);
        navoi__response_clear(&resp);
        if (rc == NAVOI_ENOMEM)
            return op_fail(c, op, rc, "out of memory");
        return op_fail(c, op, NAVOI_ECRYPTO,
                       "cannot decrypt the exchange token: the exchange key does not belong to "
                       "this technical user (or was mistyped)");
    }
    c->token_valid_to = resp.token_to_ms;
    if (valid_to_ms_out)
        *valid_to_ms_out = resp.token_to_ms;
    navoi__log(c, NAVOI_LOG_INFO, "exchange token obtained");
    navoi__response_clear(&resp);
    return NAVOI_OK;
}

NAVOI_API int navoi_token_exchange(navoi_client *c, int64_t *valid_to_ms_out)
{
    if (!c)
        return NAVOI_EINVAL;
    return fetch_token(c, valid_to_ms_out);
}

/* Ensures a usable token is held. Validity is judged by NAV's clock, so the
 * skew seen in the last Date header is taken into account. */
int navoi__manage_need_token(navoi_client *c)
{
    int64_t server_now = navoi__now_ms(c) + c->skew_ms;
    if (c->token[0] && server_now + TOKEN_MARGIN_MS < c->token_valid_to)
        return NAVOI_OK;
    return fetch_token(c, NULL);
}

static const char *op_name(int op)
{
    switch (op) {
    case NAVOI_OP_CREATE: return "CREATE";
    case NAVOI_OP_MODIFY: return "MODIFY";
    case NAVOI_OP_STORNO: return "STORNO";
    default: return NULL;
    }
}

navoi__manage_batch *navoi__manage_batch_new(int annul, int compressed)
{
    navoi__manage_batch *b = navoi__calloc(1, sizeof *b);
    if (b) {
        b->annul = annul;
        b->compressed = compressed && !annul;
    }
    return b;
}

void navoi__manage_batch_free(navoi__manage_batch *b)
{
    size_t i;
    if (!b)
        return;
    for (i = 0; i < b->n; i++)
        navoi__buf_free(&b->data[i]);
    navoi__free(b);
}

static int batch_op(const navoi__manage_batch *b)
{
    return b->annul ? NAVOI__OP_MANAGE_ANNULMENT : NAVOI__OP_MANAGE_INVOICE;
}

int navoi__manage_batch_add_invoice(navoi_client *c, navoi__manage_batch *b, const char *xml,
                                    size_t len, int operation, int electronic,
                                    const char *label)
{
    const int op = NAVOI__OP_MANAGE_INVOICE;
    navoi__buf gz = NAVOI__BUF_INIT;
    const char *payload = xml;
    size_t plen = len, i = b->n;
    int rc;

    if (b->annul || i >= NAVOI__MANAGE_MAX)
        return op_fail(c, op, NAVOI_ETOOBIG, "a request carries 1 to 100 invoices");
    if (!op_name(operation))
        return op_fail(c, op, NAVOI_EINVAL, "invoice %zu has no operation", i + 1);
    if (b->compressed) {
        rc = navoi__gzip(xml, len, &gz);
        if (rc != NAVOI_OK) {
            navoi__buf_free(&gz);
            return op_fail(c, op, rc, "cannot compress invoice %s", label);
        }
        payload = gz.data;
        plen = gz.len;
    }
    navoi__buf_init(&b->data[i]);
    rc = navoi__base64_encode(payload, plen, &b->data[i]);
    navoi__buf_free(&gz);
    if (rc != NAVOI_OK) {
        navoi__buf_free(&b->data[i]);
        return op_fail(c, op, rc, "out of memory");
    }
    b->items[i].operation = op_name(operation);
    b->items[i].data = b->data[i].data;
    b->items[i].data_len = b->data[i].len;
    b->label[i] = label;
    b->n = i + 1;
    if (electronic) {
        /* PROTOCOL.md 3.5: the spec hashes the sent base64 text; NAV's own
         * sample hashes the XML bytes. Selectable per client. */
        if (c->ehash_mode == NAVOI_EHASH_DECODED_XML)
            rc = navoi__sha3_512_hex(xml, len, b->hash[i]);
        else
            rc = navoi__sha3_512_hex(b->data[i].data, b->data[i].len, b->hash[i]);
        if (rc != NAVOI_OK)
            return op_fail(c, op, rc, "out of memory");
        b->items[i].ehash = b->hash[i];
        b->items[i].ehash_crypto = "SHA3-512";
    }
    return NAVOI_OK;
}

int navoi__manage_batch_add_annulment(navoi_client *c, navoi__manage_batch *b,
                                      const char *reference, int code, const char *reason)
{
    const int op = NAVOI__OP_MANAGE_ANNULMENT;
    navoi__buf xml = NAVOI__BUF_INIT;
    size_t i = b->n;
    int rc;

    if (!b->annul || i >= NAVOI__MANAGE_MAX)
        return op_fail(c, op, NAVOI_ETOOBIG, "a request carries 1 to 100 annulments");
    if (!reference || !reason)
        return op_fail(c, op, NAVOI_EINVAL, "annulment %zu has no reference or reason", i + 1);
    rc = navoi__annulment_payload(reference, navoi__now_ms(c), code, reason, &xml);
    if (rc != NAVOI_OK) {
        navoi__buf_free(&xml);
        return op_fail(c, op, rc,
                       rc == NAVOI_ENOMEM ? "out of memory"
                                          : "annulment %zu: reference must be 1-50 characters, "
                                            "reason 1-1024, code a NAVOI_ANNUL_* value",
                       i + 1);
    }
    navoi__buf_init(&b->data[i]);
    rc = navoi__base64_encode(xml.data, xml.len, &b->data[i]);
    navoi__buf_free(&xml);
    if (rc != NAVOI_OK) {
        navoi__buf_free(&b->data[i]);
        return op_fail(c, op, rc, "out of memory");
    }
    b->items[i].operation = "ANNUL";
    b->items[i].data = b->data[i].data;
    b->items[i].data_len = b->data[i].len;
    b->label[i] = reference;
    b->n = i + 1;
    return NAVOI_OK;
}

int navoi__manage_send(navoi_client *c, navoi__manage_batch *b, const char *request_id,
                       char txid_out[32])
{
    const int op = batch_op(b);
    navoi__buf body = NAVOI__BUF_INIT;
    navoi__response resp;
    call k;
    size_t i;
    int rc;

    txid_out[0] = '\0';
    if (!c->token[0]) {
        rc = op_fail(c, op, NAVOI_ECONFIG, "no exchange token held");
        goto out;
    }
    rc = begin(c, op, &k);
    if (rc != NAVOI_OK)
        goto out;
    if (request_id) {
        snprintf(k.request_id, sizeof k.request_id, "%s", request_id);
        memcpy(c->request_id, k.request_id, sizeof k.request_id);
    }
    if (b->annul)
        rc = navoi__req_manage_annulment(&k.env, c->token, b->items, b->n, &body);
    else
        rc = navoi__req_manage_invoice(&k.env, c->token, b->compressed, b->items, b->n, &body);
    if (rc != NAVOI_OK) {
        rc = build_failed(c, op, rc);
        goto out;
    }
    /* Logged after begin() so the lines carry this request's id. */
    for (i = 0; i < b->n; i++)
        navoi__log(c, NAVOI_LOG_DEBUG, "index %zu: %s %s", i + 1, b->items[i].operation,
                   b->label[i] ? b->label[i] : "");
    /* The token is single-use: whatever happens next, it is spent. */
    navoi__cleanse(c->token, sizeof c->token);
    rc = exchange(c, op, &body, &resp);
    if (rc != NAVOI_OK)
        goto out;
    snprintf(txid_out, 32, "%s", resp.transaction_id);
    navoi__response_clear(&resp);
    navoi__log(c, NAVOI_LOG_INFO, "accepted as transaction %s with %zu item(s)", txid_out, b->n);
out:
    navoi__cleanse(c->token, sizeof c->token);
    navoi__buf_cleanse_free(&body);
    return rc;
}

/* Token, request, transactionId, txn handle. */
static int send_public(navoi_client *c, navoi__manage_batch *b, navoi_txn **out)
{
    char txid[32];
    int rc = navoi__manage_need_token(c);

    if (rc == NAVOI_OK)
        rc = navoi__manage_send(c, b, NULL, txid);
    if (rc != NAVOI_OK)
        return rc;
    rc = navoi__txn_new(out, txid, c->request_id);
    if (rc != NAVOI_OK)
        return op_fail(c, batch_op(b), rc, "out of memory after NAV accepted transaction %s",
                       txid);
    return NAVOI_OK;
}

NAVOI_API int navoi_manage_invoice(navoi_client *c, navoi_invoice *const *invoices, size_t n,
                                   unsigned flags, navoi_txn **out)
{
    const int op = NAVOI__OP_MANAGE_INVOICE;
    navoi__manage_batch *b;
    size_t i;
    int rc = NAVOI_OK;

    if (out)
        *out = NULL;
    rc = enter(c, op, out && invoices, "invoices or out is NULL");
    if (rc != NAVOI_OK)
        return rc;
    if (n == 0 || n > MAX_ITEMS)
        return op_fail(c, op, NAVOI_ETOOBIG, "a request carries 1 to 100 invoices, got %zu", n);
    if (flags & ~(unsigned)NAVOI_MANAGE_COMPRESS)
        return op_fail(c, op, NAVOI_EINVAL, "unknown flags 0x%x", flags);
    b = navoi__manage_batch_new(0, (flags & NAVOI_MANAGE_COMPRESS) != 0);
    if (!b)
        return op_fail(c, op, NAVOI_ENOMEM, "out of memory");
    for (i = 0; i < n && rc == NAVOI_OK; i++) {
        const navoi_invoice *inv = invoices[i];
        if (!inv)
            rc = op_fail(c, op, NAVOI_EINVAL, "invoice %zu is NULL", i + 1);
        else
            rc = navoi__manage_batch_add_invoice(c, b, inv->xml, inv->len, inv->operation,
                                                 inv->electronic, inv->number);
    }
    if (rc == NAVOI_OK)
        rc = send_public(c, b, out);
    navoi__manage_batch_free(b);
    return rc;
}

NAVOI_API int navoi_manage_annulment(navoi_client *c, const char *const *references,
                                     const int *codes, const char *const *reasons, size_t n,
                                     navoi_txn **out)
{
    const int op = NAVOI__OP_MANAGE_ANNULMENT;
    navoi__manage_batch *b;
    size_t i;
    int rc = NAVOI_OK;

    if (out)
        *out = NULL;
    rc = enter(c, op, out && references && codes && reasons, "an argument is NULL");
    if (rc != NAVOI_OK)
        return rc;
    if (n == 0 || n > MAX_ITEMS)
        return op_fail(c, op, NAVOI_ETOOBIG, "a request carries 1 to 100 annulments, got %zu", n);
    b = navoi__manage_batch_new(1, 0);
    if (!b)
        return op_fail(c, op, NAVOI_ENOMEM, "out of memory");
    for (i = 0; i < n && rc == NAVOI_OK; i++)
        rc = navoi__manage_batch_add_annulment(c, b, references[i], codes[i], reasons[i]);
    if (rc == NAVOI_OK)
        rc = send_public(c, b, out);
    navoi__manage_batch_free(b);
    return rc;
}

/* Runs one query: begin, build (by the caller's function), exchange. */
#define RUN_QUERY(c, op, resp, build_expr)                                   \
    do {                                                                     \
        navoi__buf body_ = NAVOI__BUF_INIT;                                  \
        call k_;                                                             \
        int rc_ = begin((c), (op), &k_);                                     \
        if (rc_ != NAVOI_OK)                                                 \
            return rc_;                                                      \
        {                                                                    \
            const navoi__envelope *env = &k_.env;                            \
            navoi__buf *body = &body_;                                       \
            rc_ = (build_expr);                                              \
        }                                                                    \
        if (rc_ != NAVOI_OK) {                                               \
            navoi__buf_cleanse_free(&body_);                                 \
            return build_failed((c), (op), rc_);                             \
        }                                                                    \
        rc_ = exchange((c), (op), &body_, (resp));                           \
        navoi__buf_cleanse_free(&body_);                                     \
        if (rc_ != NAVOI_OK)                                                 \
            return rc_;                                                      \
    } while (0)

static int status_query(navoi_client *c, const char *txid, unsigned flags, navoi_txn *txn)
{
    const int op = NAVOI__OP_QUERY_TRANSACTION_STATUS;
    navoi__response resp;
    int rc;

    if (flags & ~(unsigned)NAVOI_STATUS_RETURN_ORIGINAL)
        return op_fail(c, op, NAVOI_EINVAL, "unknown flags 0x%x", flags);
    RUN_QUERY(c, op, &resp,
              navoi__req_query_transaction_status(env, txid,
                                                  (flags & NAVOI_STATUS_RETURN_ORIGINAL) != 0,
                                                  body));
    rc = resp.status ? navoi__txn_apply(txn, resp.status) : NAVOI_OK;
    navoi__response_clear(&resp);
    if (rc == NAVOI_ESTATE)
        return op_fail(c, op, rc, "NAV reported a status that moves an item backwards; kept the "
                                  "previous state");
    if (rc != NAVOI_OK)
        return op_fail(c, op, rc, "out of memory");
    return NAVOI_OK;
}

NAVOI_API int navoi_query_transaction_status(navoi_client *c, const char *transaction_id,
                                             unsigned flags, navoi_txn **out)
{
    navoi_txn *t = NULL;
    int rc;

    if (out)
        *out = NULL;
    rc = enter(c, NAVOI__OP_QUERY_TRANSACTION_STATUS, out && transaction_id,
               "transaction id or out is NULL");
    if (rc != NAVOI_OK)
        return rc;
    rc = navoi__txn_new(&t, transaction_id, "");
    if (rc != NAVOI_OK)
        return op_fail(c, NAVOI__OP_QUERY_TRANSACTION_STATUS, rc, "out of memory");
    rc = status_query(c, transaction_id, flags, t);
    if (rc != NAVOI_OK) {
        navoi_txn_free(t);
        return rc;
    }
    *out = t;
    return NAVOI_OK;
}

NAVOI_API int navoi_txn_poll(navoi_client *c, navoi_txn *txn, unsigned flags)
{
    int rc = enter(c, NAVOI__OP_QUERY_TRANSACTION_STATUS, txn != NULL, "txn is NULL");
    if (rc != NAVOI_OK)
        return rc;
    return status_query(c, navoi_txn_id(txn), flags, txn);
}

static int take_result(navoi__response *resp, navoi_result **out)
{
    *out = resp->result;
    resp->result = NULL;
    navoi__response_clear(resp);
    return NAVOI_OK;
}

NAVOI_API int navoi_query_transaction_list(navoi_client *c, int64_t from_ms, int64_t to_ms,
                                           int32_t page, const char *request_status,
                                           navoi_result **out)
{
    navoi__response resp;
    int rc = enter_result(c, NAVOI__OP_QUERY_TRANSACTION_LIST, out, 1, "out is NULL");

    if (rc != NAVOI_OK)
        return rc;
    RUN_QUERY(c, NAVOI__OP_QUERY_TRANSACTION_LIST, &resp,
              navoi__req_query_transaction_list(env, page, from_ms, to_ms, request_status, body));
    return take_result(&resp, out);
}

static int number_query(navoi_client *c, int op, const char *number, int direction,
                        int32_t batch_index, const char *supplier, navoi__response *resp)
{
    navoi__number_query q;

    if (!number)
        return op_fail(c, op, NAVOI_EINVAL, "invoice number is NULL");
    if (direction != NAVOI_OUTBOUND && direction != NAVOI_INBOUND)
        return op_fail(c, op, NAVOI_EINVAL, "direction must be NAVOI_OUTBOUND or NAVOI_INBOUND");
    if (supplier && direction == NAVOI_OUTBOUND)
        return op_fail(c, op, NAVOI_EINVAL,
                       "supplierTaxNumber is only allowed with NAVOI_INBOUND "
                       "(NAV answers BAD_QUERY_PARAM_SUPPLIER_NOT_EXPECTED)");
    q.invoice_number = number;
    q.direction = direction;
    q.batch_index = batch_index;
    q.supplier_tax_number = supplier;
    if (op == NAVOI__OP_QUERY_INVOICE_CHECK)
        RUN_QUERY(c, op, resp, navoi__req_query_invoice_check(env, &q, body));
    else
        RUN_QUERY(c, op, resp, navoi__req_query_invoice_data(env, &q, body));
    return NAVOI_OK;
}

NAVOI_API int navoi_query_invoice_check(navoi_client *c, const char *invoice_number, int direction,
                                        int32_t batch_index, const char *supplier_tax_number,
                                        int *exists_out)
{
    navoi__response resp;
    const char *v;
    int rc;

    if (exists_out)
        *exists_out = 0;
    rc = enter(c, NAVOI__OP_QUERY_INVOICE_CHECK, exists_out != NULL, "exists_out is NULL");
    if (rc == NAVOI_OK)
        rc = number_query(c, NAVOI__OP_QUERY_INVOICE_CHECK, invoice_number, direction,
                          batch_index, supplier_tax_number, &resp);
    if (rc != NAVOI_OK)
        return rc;
    v = resp.result ? navoi_result_meta(resp.result, "invoiceCheckResult") : NULL;
    *exists_out = v && strcmp(v, "true") == 0;
    navoi__response_clear(&resp);
    return NAVOI_OK;
}

NAVOI_API int navoi_query_invoice_data(navoi_client *c, const char *invoice_number, int direction,
                                       int32_t batch_index, const char *supplier_tax_number,
                                       navoi_result **out)
{
    navoi__response resp;
    int rc = enter_result(c, NAVOI__OP_QUERY_INVOICE_DATA, out, 1, "out is NULL");

    if (rc == NAVOI_OK)
        rc = number_query(c, NAVOI__OP_QUERY_INVOICE_DATA, invoice_number, direction,
                          batch_index, supplier_tax_number, &resp);
    if (rc != NAVOI_OK)
        return rc;
    return take_result(&resp, out);
}

NAVOI_API int navoi_query_invoice_digest(navoi_client *c, const navoi_digest_query *q,
                                         navoi_result **out)
{
    navoi__response resp;
    int rc = enter_result(c, NAVOI__OP_QUERY_INVOICE_DIGEST, out, q != NULL,
                          "query or out is NULL");

    if (rc != NAVOI_OK)
        return rc;
    RUN_QUERY(c, NAVOI__OP_QUERY_INVOICE_DIGEST, &resp,
              navoi__req_query_invoice_digest(env, q, body));
    return take_result(&resp, out);
}

NAVOI_API int navoi_query_invoice_chain_digest(navoi_client *c, const char *invoice_number,
                                               int direction, const char *tax_number,
                                               int32_t page, navoi_result **out)
{
    navoi__response resp;
    int rc = enter_result(c, NAVOI__OP_QUERY_INVOICE_CHAIN_DIGEST, out, invoice_number != NULL,
                          "invoice number or out is NULL");

    if (rc != NAVOI_OK)
        return rc;
    RUN_QUERY(c, NAVOI__OP_QUERY_INVOICE_CHAIN_DIGEST, &resp,
              navoi__req_query_invoice_chain_digest(env, invoice_number, direction, tax_number,
                                                    page, body));
    return take_result(&resp, out);
}

NAVOI_API int navoi_query_taxpayer(navoi_client *c, const char *tax_number, navoi_result **out)
{
    navoi__response resp;
    char tax[9];
    int rc = enter_result(c, NAVOI__OP_QUERY_TAXPAYER, out,
                          tax_number && navoi__tax_number_normalize(tax_number, tax) == NAVOI_OK,
                          "tax number must be 8 digits or the 11-digit form");

    if (rc != NAVOI_OK)
        return rc;
    RUN_QUERY(c, NAVOI__OP_QUERY_TAXPAYER, &resp, navoi__req_query_taxpayer(env, tax, body));
    return take_result(&resp, out);
}
