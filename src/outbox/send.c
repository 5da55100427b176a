/*
 * send.c - one manageInvoice / manageAnnulment request for the outbox.
 *
 * The public navoi_manage_invoice() draws its requestId inside the call,
 * but the outbox must persist the requestId (and the exact batch) before
 * the request leaves, and must be able to send the same requestId again
 * after a lost-transaction check (PROTOCOL.md 7.5: an attempt NAV did
 * accept then answers REQUEST_ID_NOT_UNIQUE instead of creating a
 * duplicate). So this file builds and sends the request itself from the
 * same internals as src/core/operations.c: the token the caller fetched
 * with navoi_token_exchange() (consumed and wiped here whatever happens),
 * a fresh connection that is never reused (libcurl would silently re-send
 * a POST on a dead reused connection), and the same error detail on the
 * client (message, NAV errorCode, HTTP status, category with manage=1).
 */
#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "core/client.h"
#include "core/invoice.h"
#include "crypto/crypto.h"
#include "crypto/timefmt.h"
#include "ops/ops.h"
#include "ops/request.h"
#include "ops/response.h"
#include "outbox/outbox.h"

#define MAX_REQUEST_BYTES 10485759u

static int fail(navoi_client *c, int op, int code, const char *msg)
{
    navoi__fail(c, code, "%s: %s", navoi__op(op)->name, msg);
    c->category = navoi_error_category(code, c->nav_code[0] ? c->nav_code : NULL, 1);
    return code;
}

static const char *op_text(int op)
{
    switch (op) {
    case NAVOI_OP_CREATE: return "CREATE";
    case NAVOI_OP_MODIFY: return "MODIFY";
    case NAVOI_OP_STORNO: return "STORNO";
    default: return "ANNUL";
    }
}

/* Sends body and parses the answer; detail goes onto the client. */
static int exchange(navoi_client *c, int op, navoi__buf *body, char txid_out[32])
{
    const navoi__op_info *info = navoi__op(op);
    navoi__http_req req;
    navoi__http_resp hr;
    navoi__response resp;
    navoi__buf url = NAVOI__BUF_INIT;
    char msg[768];
    int rc;

    if (body->len > MAX_REQUEST_BYTES)
        return fail(c, op, NAVOI_ETOOBIG, "request is over NAV's 10 MiB limit");
    if (c->schemas) {
        char why[512];
        rc = navoi__schemas_validate_mem(c->schemas, NAVOI__SCHEMA_API, body->data, body->len,
                                         why, sizeof why);
        if (rc != NAVOI_OK) {
            snprintf(msg, sizeof msg, "built request does not validate: %s", why);
            return fail(c, op, rc, msg);
        }
    }
    if (!c->transport && navoi__transport_curl_new(&c->transport) != NAVOI_OK)
        return fail(c, op, NAVOI_ENOMEM, "cannot initialise libcurl");
    navoi__buf_puts(&url, navoi__client_base_url(c));
    navoi__buf_puts(&url, info->path);
    if (url.oom) {
        navoi__buf_free(&url);
        return fail(c, op, NAVOI_ENOMEM, "out of memory");
    }
    memset(&req, 0, sizeof req);
    req.url = url.data;
    req.body = body->data;
    req.body_len = body->len;
    req.fresh_connection = 1;
    req.connect_timeout_ms = c->connect_ms;
    req.timeout_ms = c->manage_ms;
    req.max_response = c->max_response;
    req.ca_file = c->ca_file;
    navoi__log(c, NAVOI_LOG_INFO, "POST %s (%zu bytes)", url.data, body->len);
    navoi__http_resp_init(&hr);
    rc = c->transport->send(c->transport, &req, &hr);
    navoi__buf_free(&url);
    c->http_status = (int)hr.status;
    if (hr.date_ms)
        c->skew_ms = hr.date_ms - navoi__now_ms(c);
    if (rc != NAVOI_OK) {
        if (hr.maybe_sent && rc != NAVOI_ETLS) {
            snprintf(msg, sizeof msg,
                     "%s after the request was sent; NAV may have received it", hr.errmsg);
            rc = fail(c, op, NAVOI_EAMBIGUOUS, msg);
        } else {
            rc = fail(c, op, rc, hr.errmsg);
        }
        navoi__log(c, NAVOI_LOG_WARN, "%s", c->errmsg);
        navoi__http_resp_clear(&hr);
        return rc;
    }
    rc = navoi__response_parse(op, hr.body.data ? hr.body.data : "", hr.body.len, &resp);
    if (rc == NAVOI_OK) {
        snprintf(txid_out, 32, "%s", resp.transaction_id);
        navoi__log(c, NAVOI_LOG_INFO, "accepted as transaction %s", txid_out);
    } else if (rc == NAVOI_ENAV) {
        snprintf(c->nav_code, sizeof c->nav_code, "%s", resp.res.error_code);
        snprintf(msg, sizeof msg, "NAV error %s (HTTP %ld): %s",
                 resp.res.error_code[0] ? resp.res.error_code : "(none)", hr.status,
                 resp.res.message ? resp.res.message : "");
        rc = fail(c, op, NAVOI_ENAV, msg);
        snprintf(c->nav_code, sizeof c->nav_code, "%s", resp.res.error_code);
        c->category = navoi_error_category(NAVOI_ENAV, c->nav_code[0] ? c->nav_code : NULL, 1);
    } else if (rc == NAVOI_EPROTO && hr.status != 200) {
        snprintf(msg, sizeof msg, "HTTP %ld without a NAV response", hr.status);
        rc = fail(c, op, NAVOI_EHTTP, msg);
        if (hr.status == 404 || hr.status == 405)
            c->category = NAVOI_CAT_CONFIG;
    } else if (rc == NAVOI_EPROTO) {
        rc = fail(c, op, NAVOI_EPROTO, "HTTP 200 with an invalid response");
    } else {
        rc = fail(c, op, rc, "cannot parse the response");
    }
    if (rc != NAVOI_OK)
        navoi__log(c, NAVOI_LOG_WARN, "%s", c->errmsg);
    navoi__response_clear(&resp);
    navoi__http_resp_clear(&hr);
    return rc;
}

int navoi__ob_send(navoi_client *c, int annul, const char *request_id,
                   const navoi__ob_send_item *items, size_t n, char txid_out[32])
{
    const int op = annul ? NAVOI__OP_MANAGE_ANNULMENT : NAVOI__OP_MANAGE_INVOICE;
    navoi__manage_item *mi = NULL;
    navoi__buf *data = NULL;
    char (*hash)[129] = NULL;
    navoi__buf body = NAVOI__BUF_INIT, xml = NAVOI__BUF_INIT;
    navoi__envelope env;
    char ts[25];
    size_t i;
    int rc;

    txid_out[0] = '\0';
    navoi__clear_error(c);
    snprintf(c->request_id, sizeof c->request_id, "%s", request_id);
    if (n == 0 || n > NAVOI__REQ_MAX_ITEMS) {
        rc = fail(c, op, NAVOI_ETOOBIG, "a request carries 1 to 100 items");
        goto out;
    }
    if (!c->token[0]) {
        rc = fail(c, op, NAVOI_ECONFIG, "no exchange token held");
        goto out;
    }
    mi = navoi__calloc(n, sizeof *mi);
    data = navoi__calloc(n, sizeof *data);
    hash = navoi__calloc(n, sizeof *hash);
    if (!mi || !data || !hash) {
        rc = fail(c, op, NAVOI_ENOMEM, "out of memory");
        goto out;
    }
    for (i = 0; i < n; i++) {
        const navoi__ob_send_item *it = &items[i];
        navoi__buf_init(&data[i]);
        if (annul) {
            navoi__buf_reset(&xml);
            rc = navoi__annulment_payload(it->reference, navoi__now_ms(c), it->annul_code,
                                          it->reason, &xml);
            if (rc == NAVOI_OK)
                rc = navoi__base64_encode(xml.data, xml.len, &data[i]);
        } else {
            rc = navoi__base64_encode(it->xml, it->len, &data[i]);
        }
        if (rc != NAVOI_OK) {
            rc = fail(c, op, rc,
                      rc == NAVOI_ENOMEM ? "out of memory" : "an annulment has bad parameters");
            goto out;
        }
        mi[i].operation = op_text(it->op);
        mi[i].data = data[i].data;
        mi[i].data_len = data[i].len;
        if (!annul) {
            /* electronicInvoiceHash for e-invoices, as navoi_manage_invoice(). */
            navoi_invoice *inv = NULL;
            if (navoi_invoice_new(&inv, NULL, it->xml, it->len, it->op) == NAVOI_OK &&
                inv->electronic) {
                if (c->ehash_mode == NAVOI_EHASH_DECODED_XML)
                    rc = navoi__sha3_512_hex(it->xml, it->len, hash[i]);
                else
                    rc = navoi__sha3_512_hex(data[i].data, data[i].len, hash[i]);
                if (rc == NAVOI_OK) {
                    mi[i].ehash = hash[i];
                    mi[i].ehash_crypto = "SHA3-512";
                }
            }
            navoi_invoice_free(inv);
        }
    }
    rc = navoi__format_timestamp(navoi__now_ms(c), ts);
    if (rc != NAVOI_OK) {
        rc = fail(c, op, NAVOI_EINVAL, "the clock hook gave an unusable time");
        goto out;
    }
    env.request_id = request_id;
    env.timestamp = ts;
    env.login = c->login;
    env.password_hash = c->password_hash;
    env.tax_number = c->tax_number;
    env.sign_key = c->sign_key;
    env.software = &c->sw;
    if (annul)
        rc = navoi__req_manage_annulment(&env, c->token, mi, n, &body);
    else
        rc = navoi__req_manage_invoice(&env, c->token, 0, mi, n, &body);
    /* The token is single-use: spent from here on whatever happens. */
    navoi__cleanse(c->token, sizeof c->token);
    if (rc != NAVOI_OK) {
        rc = fail(c, op, rc,
                  rc == NAVOI_ENOMEM ? "out of memory" : "a value does not match NAV's schema");
        goto out;
    }
    rc = exchange(c, op, &body, txid_out);
out:
    navoi__cleanse(c->token, sizeof c->token);
    navoi__buf_cleanse_free(&body);
    navoi__buf_free(&xml);
    if (data)
        for (i = 0; i < n; i++)
            navoi__buf_free(&data[i]);
    navoi__free(data);
    navoi__free(mi);
    navoi__free(hash);
    return rc;
}
