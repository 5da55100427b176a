/*
 * request.c - NAV's synchronous pipeline (PROTOCOL.md 10, steps 2-8):
 * parse, schema, root element, versions and crypto types, timestamp,
 * authentication, taxpayer relation and rights, signature, requestId,
 * then the operation (tokenExchange and the two manage operations here,
 * queries in queries.c). Also owns the response envelope.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ops/ops.h"
#include "sim_internal.h"
#include "xml/ns.h"
#include "xml/parse.h"

#define NS_API NAVOI__NS_API
#define NS_COMMON NAVOI__NS_COMMON

static const struct {
    const char *code, *text;
} g_messages[] = {
    {"INVALID_REQUEST", "Invalid request"},
    {"INVALID_SECURITY_USER", "Invalid security user"},
    {"NOT_REGISTERED_CUSTOMER", "The taxpayer is not registered"},
    {"INVALID_CUSTOMER", "The taxpayer status does not allow this operation"},
    {"INVALID_USER_RELATION", "The user does not belong to the taxpayer or is inactive"},
    {"FORBIDDEN", "The user has no right for this operation"},
    {"REQUEST_ID_NOT_UNIQUE", "The request identifier has already been used"},
    {"INVALID_REQUEST_SIGNATURE", "Invalid request signature"},
    {"INDEX_NOT_SEQUENTIAL", "The indexes are not sequential"},
    {"INVALID_EXCHANGE_TOKEN", "Invalid exchange token"},
    {"REQUEST_VERSION_NOT_ALLOWED", "The request version is no longer allowed"},
    {"MAINTENANCE_MODE", "The system is under maintenance"},
    {"STATUS_QUERY_NOT_ALLOWED", "Status query is not allowed with this request version"},
    {"MULTIPLE_QUERY_RESULT_FOUND", "More than one valid invoice matches the query"},
    {"BAD_QUERY_PARAM_OVERLAP", "The lower bound of the interval is after the upper bound"},
    {"BAD_QUERY_PARAM_RANGE_EXCEEDED", "The queried interval exceeds 35 days"},
    {"BAD_QUERY_PARAM_EQ_NOT_STANDALONE", "The EQ operator must stand alone"},
    {"BAD_QUERY_PARAM_OPERATOR_COLLISION", "Colliding relational operators"},
    {"BAD_QUERY_PARAM_SUPPLIER_NOT_EXPECTED", "supplierTaxNumber is not allowed for OUTBOUND"},
    {"BAD_QUERY_PARAM_SUPPLIER_EXPECTED", "Several suppliers issued this number: give supplierTaxNumber"},
    {"INVALID_TIMESTAMP", "The request timestamp is outside the allowed tolerance"},
    {"INVALID_PASSWORD_HASH_CRYPTO", "Invalid password hash crypto type"},
    {"INVALID_REQUEST_SIGNATURE_HASH_CRYPTO", "Invalid request signature crypto type"},
    {"INVALID_REQUEST_VERSION", "Invalid request version"},
    {"INVALID_HEADER_VERSION", "Invalid header version"},
    {"OPERATION_FAILED", "The operation failed"},
};

static const char *message_for(const char *code)
{
    size_t i;
    for (i = 0; i < sizeof g_messages / sizeof g_messages[0]; i++)
        if (!strcmp(g_messages[i].code, code))
            return g_messages[i].text;
    return code;
}

static const char *const g_header_names[] = {"requestId", "timestamp", "requestVersion",
                                             "headerVersion", NULL};
static const char *const g_software_names[] = {
    "softwareId", "softwareName", "softwareOperation", "softwareMainVersion",
    "softwareDevName", "softwareDevContact", "softwareDevCountryCode", "softwareDevTaxNumber",
    NULL};

static void echo_header(sim_req *q)
{
    int i;
    sim_buf *b = &q->r->body;
    sim_x_open(b, "header");
    for (i = 0; g_header_names[i]; i++) {
        char *t = sim_child_text(q->header, NS_COMMON, g_header_names[i]);
        if (t)
            sim_x_elem(b, g_header_names[i], t);
        free(t);
    }
    sim_x_close(b, "header");
}

static void echo_software(sim_req *q)
{
    int i;
    sim_buf *b = &q->r->body;
    sim_x_open(b, "ns2:software");
    for (i = 0; g_software_names[i]; i++) {
        char *t = sim_child_text(q->software, NS_API, g_software_names[i]);
        char name[64];
        snprintf(name, sizeof name, "ns2:%s", g_software_names[i]);
        if (t)
            sim_x_elem(b, name, t);
        free(t);
    }
    sim_x_close(b, "ns2:software");
}

void sim_resp_begin(sim_req *q, const char *root)
{
    sim_buf *b = &q->r->body;
    b->len = 0;
    q->r->http = 200;
    sim_buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>");
    sim_buf_printf(b, "<ns2:%s" SIM_XMLNS ">", root);
    echo_header(q);
    sim_buf_puts(b, "<result><funcCode>OK</funcCode></result>");
    echo_software(q);
}

void sim_resp_end(sim_req *q, const char *root)
{
    sim_buf_printf(&q->r->body, "</ns2:%s>", root);
}

void sim_resp_error(sim_req *q, int http, const char *code, char **tech, int ntech)
{
    sim_buf *b = &q->r->body;
    int i;
    int with_header = q->header && !(q->s->cfg->omit_error_header && tech);
    b->len = 0;
    q->r->http = http;
    sim_buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>");
    sim_buf_puts(b, "<ns2:GeneralErrorResponse" SIM_XMLNS ">");
    if (with_header)
        echo_header(q);
    sim_buf_puts(b, "<result><funcCode>ERROR</funcCode>");
    sim_x_elem(b, "errorCode", code);
    sim_x_elem(b, "message", message_for(code));
    sim_buf_puts(b, "</result>");
    if (with_header && q->software)
        echo_software(q);
    for (i = 0; i < ntech; i++) {
        sim_buf_puts(b, "<ns2:technicalValidationMessages><validationResultCode>ERROR"
                        "</validationResultCode><validationErrorCode>SCHEMA_VIOLATION"
                        "</validationErrorCode>");
        if (tech[i]) {
            char msg[1025];
            snprintf(msg, sizeof msg, "%s", tech[i]);
            sim_x_elem(b, "message", msg);
        }
        sim_buf_puts(b, "</ns2:technicalValidationMessages>");
    }
    sim_buf_puts(b, "</ns2:GeneralErrorResponse>");
}

static void resp_exception(sim_response *r, int http, const char *code, const char *msg)
{
    sim_buf *b = &r->body;
    b->len = 0;
    r->http = http;
    sim_buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
                    "<GeneralExceptionResponse xmlns=\"http://schemas.nav.gov.hu/NTCA/1.0/common\">"
                    "<funcCode>ERROR</funcCode>");
    sim_x_elem(b, "errorCode", code);
    sim_x_elem(b, "message", msg);
    sim_buf_puts(b, "</GeneralExceptionResponse>");
}

static void schema_error1(sim_req *q, const char *what)
{
    char msg[300];
    char *m = msg;
    snprintf(msg, sizeof msg, "Request body contains error: [%s]", what);
    sim_resp_error(q, 400, "INVALID_REQUEST", &m, 1);
}

/* ---- helpers ---- */

static int pattern_ok(const char *s, const char *extra, size_t minl, size_t maxl)
{
    size_t n = strlen(s), i;
    if (n < minl || n > maxl)
        return 0;
    for (i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (extra && strchr(extra, c))))
            return 0;
    }
    return 1;
}

/* GenericTimestampType: \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z */
static int mask_timestamp(const char *ts, char out[15])
{
    static const char shape[] = "dddd-dd-ddTdd:dd:dd";
    size_t i, n = strlen(ts), o = 0;
    if (n < 20)
        return -1;
    for (i = 0; i < 19; i++) {
        if (shape[i] == 'd') {
            if (ts[i] < '0' || ts[i] > '9')
                return -1;
            out[o++] = ts[i];
        } else if (ts[i] != shape[i]) {
            return -1;
        }
    }
    out[o] = '\0';
    if (ts[19] == 'Z')
        return n == 20 ? 0 : -1;
    if (ts[19] != '.' || ts[n - 1] != 'Z' || n < 22 || n > 24)
        return -1;
    for (i = 20; i < n - 1; i++)
        if (ts[i] < '0' || ts[i] > '9')
            return -1;
    return 0;
}

typedef struct manage_items {
    int n;
    int index[SIM_MAX_ITEMS];
    char *op[SIM_MAX_ITEMS];
    char *data[SIM_MAX_ITEMS];
    char *ehash[SIM_MAX_ITEMS];
    char *ehash_crypto[SIM_MAX_ITEMS];
    int compressed;
    int bad; /* structure broken (missing element, > 100 items, bad index) */
} manage_items;

static void manage_items_free(manage_items *m)
{
    int i;
    for (i = 0; i < m->n; i++) {
        free(m->op[i]);
        free(m->data[i]);
        free(m->ehash[i]);
        free(m->ehash_crypto[i]);
    }
    m->n = 0;
}

static void manage_items_read(sim_req *q, manage_items *m)
{
    int annul = q->op == NAVOI__OP_MANAGE_ANNULMENT;
    xmlNodePtr list = navoi__xml_child(q->root, NS_API,
                                       annul ? "annulmentOperations" : "invoiceOperations");
    xmlNodePtr it;
    memset(m, 0, sizeof *m);
    if (!list) {
        m->bad = 1;
        return;
    }
    if (!annul) {
        char *c = sim_child_text(list, NS_API, "compressedContent");
        if (!c)
            m->bad = 1;
        m->compressed = sim_is_true(c);
        free(c);
    }
    for (it = navoi__xml_child(list, NS_API, annul ? "annulmentOperation" : "invoiceOperation");
         it; it = navoi__xml_next(it, NS_API, annul ? "annulmentOperation" : "invoiceOperation")) {
        char *idx;
        char *end;
        long v;
        xmlNodePtr eh;
        if (m->n >= SIM_MAX_ITEMS) {
            m->bad = 1;
            return;
        }
        idx = sim_child_text(it, NS_API, "index");
        v = idx ? strtol(idx, &end, 10) : 0;
        if (!idx || end == idx || *end || v < 1 || v > SIM_MAX_ITEMS)
            m->bad = 1;
        free(idx);
        m->index[m->n] = (int)v;
        m->op[m->n] = sim_child_text(it, NS_API, annul ? "annulmentOperation" : "invoiceOperation");
        m->data[m->n] = sim_child_text(it, NS_API, annul ? "invoiceAnnulment" : "invoiceData");
        eh = navoi__xml_child(it, NS_API, "electronicInvoiceHash");
        if (eh) {
            xmlChar *ct = xmlGetProp(eh, (const xmlChar *)"cryptoType");
            m->ehash[m->n] = sim_text(eh);
            m->ehash_crypto[m->n] = strdup(ct ? (const char *)ct : "");
            if (ct)
                xmlFree(ct);
        }
        if (!m->op[m->n] || !m->data[m->n])
            m->bad = 1;
        m->n++;
    }
    if (m->n == 0)
        m->bad = 1;
}

static int verify_signature(sim_req *q, const char *rid, const char *ts, const manage_items *m)
{
    sim_buf partial = {0};
    char mask[15], h[129];
    char *sig;
    int i, k, ok = 0;
    if (mask_timestamp(ts, mask))
        return 0;
    sim_buf_puts(&partial, rid);
    sim_buf_puts(&partial, mask);
    sim_buf_puts(&partial, q->u->sign_key);
    if (m) {
        /* ascending index order; equal indices keep document order */
        for (k = 1; k <= SIM_MAX_ITEMS; k++) {
            for (i = 0; i < m->n; i++) {
                sim_buf one = {0};
                if (m->index[i] != k)
                    continue;
                sim_buf_puts(&one, m->op[i]);
                sim_buf_puts(&one, m->data[i]);
                if (one.oom || sim_sha3_512_hex(one.data, one.len, h)) {
                    sim_buf_free(&one);
                    goto out;
                }
                sim_buf_free(&one);
                sim_buf_puts(&partial, h);
            }
        }
    }
    if (partial.oom || sim_sha3_512_hex(partial.data, partial.len, h))
        goto out;
    sig = sim_child_text(q->user, NS_COMMON, "requestSignature");
    ok = sig && strcmp(sig, h) == 0;
    free(sig);
out:
    if (partial.data)
        OPENSSL_cleanse(partial.data, partial.cap);
    sim_buf_free(&partial);
    return ok;
}

static const char *attr_eq(xmlNodePtr n, const char *name, const char *want)
{
    xmlChar *v = n ? xmlGetProp(n, (const xmlChar *)name) : NULL;
    const char *r = v && !strcmp((const char *)v, want) ? "ok" : NULL;
    if (v)
        xmlFree(v);
    return r;
}

/* ---- tokenExchange ---- */

static void purge_tokens(sim_server *s, int64_t now)
{
    sim_token **pp = &s->tokens;
    int n = 0;
    while (*pp) {
        sim_token *t = *pp;
        /* expired tokens are kept one extra TTL so that a late use still
         * finds them (and is rejected as expired, not unknown); the list is
         * capped so a token-exchange loop cannot exhaust memory */
        if (t->to_ms + s->cfg->token_ttl_ms < now || n > 100000) {
            *pp = t->next;
            OPENSSL_cleanse(t, sizeof *t);
            free(t);
            continue;
        }
        n++;
        pp = &t->next;
    }
}

static void op_token_exchange(sim_req *q)
{
    sim_server *s = q->s;
    sim_token *t = calloc(1, sizeof *t);
    char uuid[37], tail[13], from[25], to[25];
    sim_buf enc = {0};
    if (!t) {
        sim_resp_error(q, 500, "OPERATION_FAILED", NULL, 0);
        return;
    }
    purge_tokens(s, q->now);
    sim_uuid(uuid);
    sim_random_alnum(tail, 12);
    snprintf(t->token, sizeof t->token, "%s%s", uuid, tail);
    memcpy(t->tax, q->tax, sizeof t->tax);
    t->to_ms = q->now + s->cfg->token_ttl_ms;
    t->version = q->version;
    if (sim_token_encrypt(t->token, q->u->exch_key, &enc)) {
        free(t);
        sim_buf_free(&enc);
        sim_resp_error(q, 500, "OPERATION_FAILED", NULL, 0);
        return;
    }
    t->next = s->tokens;
    s->tokens = t;
    sim_db_save_token(s, t);
    sim_fmt_ts(q->now, from);
    sim_fmt_ts(t->to_ms, to);
    sim_resp_begin(q, "TokenExchangeResponse");
    sim_x_elem(&q->r->body, "ns2:encodedExchangeToken", enc.data);
    sim_x_elem(&q->r->body, "ns2:tokenValidityFrom", from);
    sim_x_elem(&q->r->body, "ns2:tokenValidityTo", to);
    sim_resp_end(q, "TokenExchangeResponse");
    sim_buf_free(&enc);
    q->r->commit = 1;
}

/* ---- manageInvoice / manageAnnulment ---- */

static void op_manage(sim_req *q, manage_items *m)
{
    sim_server *s = q->s;
    int annul = q->op == NAVOI__OP_MANAGE_ANNULMENT;
    char *tok = sim_child_text(q->root, NS_API, "exchangeToken");
    sim_token *t;
    sim_txn *x;
    int i;
    for (t = s->tokens; t && tok; t = t->next)
        if (!strcmp(t->token, tok))
            break;
    free(tok);
    /* tokens of different major versions are not interchangeable (1.8) */
    if (q->r->token_reject || !t || strcmp(t->tax, q->tax) != 0 || q->now > t->to_ms || t->used ||
        t->version / 10 != q->version / 10) {
        sim_resp_error(q, 400, "INVALID_EXCHANGE_TOKEN", NULL, 0);
        return;
    }
    for (i = 0; i < m->n; i++) {
        if (m->index[i] != i + 1) {
            sim_resp_error(q, 400, "INDEX_NOT_SEQUENTIAL", NULL, 0);
            return;
        }
        if (annul ? strcmp(m->op[i], "ANNUL") != 0
                  : (strcmp(m->op[i], "CREATE") && strcmp(m->op[i], "MODIFY") &&
                     strcmp(m->op[i], "STORNO"))) {
            schema_error1(q, "invalid operation value");
            return;
        }
    }
    if (s->ntxns >= SIM_MAX_TXNS) {
        sim_resp_error(q, 500, "OPERATION_FAILED", NULL, 0);
        return;
    }
    x = calloc(1, sizeof *x);
    if (!x || !(x->items = calloc((size_t)m->n, sizeof *x->items))) {
        free(x);
        sim_resp_error(q, 500, "OPERATION_FAILED", NULL, 0);
        return;
    }
    do {
        sim_random_alnum(x->id, 16);
    } while (sim_txn_find(s, x->id));
    memcpy(x->tax, q->tax, sizeof x->tax);
    snprintf(x->user, sizeof x->user, "%s", q->u->login);
    x->version = q->version;
    x->ins_ms = q->now;
    x->extra_ms = q->r->extra_processing_ms;
    x->annulment = annul;
    x->compressed = m->compressed;
    x->nitems = m->n;
    for (i = 0; i < m->n; i++) {
        sim_item *it = &x->items[i];
        it->index = i + 1;
        snprintf(it->op, sizeof it->op, "%s", m->op[i]);
        it->data = m->data[i];
        it->data_len = strlen(m->data[i]);
        m->data[i] = NULL;
        it->ehash = m->ehash[i];
        it->ehash_crypto = m->ehash_crypto[i];
        m->ehash[i] = m->ehash_crypto[i] = NULL;
        it->status = SIM_STATUS_RECEIVED;
        sim_item_prepare(s, x, it);
    }
    t->used = 1;
    sim_db_save_token(s, t);
    sim_txn_append(s, x);
    sim_db_save_txn(s, x);
    sim_resp_begin(q, annul ? "ManageAnnulmentResponse" : "ManageInvoiceResponse");
    sim_x_elem(&q->r->body, "ns2:transactionId", x->id);
    sim_resp_end(q, annul ? "ManageAnnulmentResponse" : "ManageInvoiceResponse");
    q->r->commit = 1;
}

/* ---- pipeline ---- */

static int reqid_used(sim_server *s, const char *tax, const char *rid, int64_t now)
{
    return sim_reqid_used_locked(s, tax, rid, now);
}

static void reqid_remember(sim_server *s, const char *tax, const char *rid, int64_t now)
{
    sim_reqid *r = calloc(1, sizeof *r);
    if (!r)
        return;
    snprintf(r->tax, sizeof r->tax, "%s", tax);
    snprintf(r->id, sizeof r->id, "%s", rid);
    r->ms = now;
    sim_reqid_add_locked(s, r);
    sim_db_save_reqid(s, r);
}

static int op_needs_manage(int op)
{
    return op == NAVOI__OP_TOKEN_EXCHANGE || op == NAVOI__OP_MANAGE_INVOICE ||
           op == NAVOI__OP_MANAGE_ANNULMENT;
}

static void self_check(sim_req *q)
{
    sim_server *s = q->s;
    xmlDocPtr d = NULL;
    char err[256];
    char *msgs[4] = {NULL, NULL, NULL, NULL};
    int n, i;
    if (!s->cfg->self_check || !s->schemas || q->r->http != 200)
        return;
    if (navoi__xml_read(q->r->body.data, q->r->body.len, &d, err, sizeof err) != 0) {
        s->selfcheck_failures++;
        fprintf(stderr, "navoi-sim: self-check: response not well-formed: %s\n", err);
        return;
    }
    n = sim_schemas_validate(s->schemas, SIM_SCHEMA_API, d, msgs, 4);
    if (n != 0) {
        s->selfcheck_failures++;
        fprintf(stderr, "navoi-sim: self-check: %s response invalid: %s\n",
                navoi__op(q->op)->response_root, msgs[0] ? msgs[0] : "?");
    }
    for (i = 0; i < 4; i++)
        free(msgs[i]);
    xmlFreeDoc(d);
}

static void pipeline(sim_req *q, const char *body, size_t len)
{
    sim_server *s = q->s;
    const navoi__op_info *info = navoi__op(q->op);
    char err[256];
    char *rid = NULL, *ts = NULL, *rv = NULL, *hv = NULL, *login = NULL, *pwh = NULL,
         *tax = NULL;
    manage_items m;
    int64_t tsms;
    const sim_taxpayer *tp;
    int manage = info->manage;

    memset(&m, 0, sizeof m);
    if (navoi__xml_read(body, len, &q->doc, err, sizeof err) != 0) {
        resp_exception(q->r, 400, "INVALID_REQUEST", "Request body is not well-formed XML");
        return;
    }
    q->root = xmlDocGetRootElement(q->doc);
    if (!navoi__xml_is(q->root, NS_API, NULL)) {
        resp_exception(q->r, 400, "INVALID_REQUEST", "Invalid namespace of the request root");
        return;
    }
    q->header = navoi__xml_child(q->root, NS_COMMON, "header");
    q->user = navoi__xml_child(q->root, NS_COMMON, "user");
    q->software = navoi__xml_child(q->root, NS_API, "software");
    if (s->schemas) {
        char *msgs[SIM_MAX_MSGS];
        int n, i;
        memset(msgs, 0, sizeof msgs);
        n = sim_schemas_validate(s->schemas, SIM_SCHEMA_API, q->doc, msgs, SIM_MAX_MSGS);
        if (n != 0) {
            sim_resp_error(q, 400, "INVALID_REQUEST", msgs, n < 0 ? 1 : (n > SIM_MAX_MSGS ? SIM_MAX_MSGS : n));
            for (i = 0; i < SIM_MAX_MSGS; i++)
                free(msgs[i]);
            return;
        }
    }
    if (strcmp((const char *)q->root->name, info->request_root) != 0) {
        sim_resp_error(q, 500, "OPERATION_FAILED", NULL, 0);
        return;
    }
    /* without schemas, the checks the XSD would have made on what we read */
    if (!q->header || !q->user || !q->software) {
        schema_error1(q, "header, user and software are mandatory");
        return;
    }
    rid = sim_child_text(q->header, NS_COMMON, "requestId");
    ts = sim_child_text(q->header, NS_COMMON, "timestamp");
    rv = sim_child_text(q->header, NS_COMMON, "requestVersion");
    hv = sim_child_text(q->header, NS_COMMON, "headerVersion");
    login = sim_child_text(q->user, NS_COMMON, "login");
    pwh = sim_child_text(q->user, NS_COMMON, "passwordHash");
    tax = sim_child_text(q->user, NS_COMMON, "taxNumber");
    if (!rid || !ts || !rv || !login || !pwh || !tax ||
        !navoi__xml_child(q->user, NS_COMMON, "requestSignature")) {
        schema_error1(q, "a mandatory header or user element is missing");
        goto out;
    }
    if (!pattern_ok(rid, "+_", 1, 30)) {
        schema_error1(q, "requestId does not match [+a-zA-Z0-9_]{1,30}");
        goto out;
    }
    if (manage) {
        manage_items_read(q, &m);
        if (m.bad) {
            schema_error1(q, "invalid operation list");
            goto out;
        }
    }
    /* older versions are retired unless requestVersions accepts them */
    q->version = sim_version_code(rv);
    if (!(s->cfg->versions & sim_version_bit(q->version))) {
        sim_resp_error(q, 400,
                       q->version ? "REQUEST_VERSION_NOT_ALLOWED" : "INVALID_REQUEST_VERSION",
                       NULL, 0);
        goto out;
    }
    if (hv && strcmp(hv, "1.0") != 0) {
        sim_resp_error(q, 400, "INVALID_HEADER_VERSION", NULL, 0);
        goto out;
    }
    if (!attr_eq(navoi__xml_child(q->user, NS_COMMON, "passwordHash"), "cryptoType", "SHA-512")) {
        sim_resp_error(q, 400, "INVALID_PASSWORD_HASH_CRYPTO", NULL, 0);
        goto out;
    }
    if (!attr_eq(navoi__xml_child(q->user, NS_COMMON, "requestSignature"), "cryptoType",
                 "SHA3-512")) {
        sim_resp_error(q, 400, "INVALID_REQUEST_SIGNATURE_HASH_CRYPTO", NULL, 0);
        goto out;
    }
    {
        char mask[15];
        if (mask_timestamp(ts, mask) || sim_parse_ts(ts, &tsms) ||
            (tsms > q->now ? tsms - q->now : q->now - tsms) > s->cfg->ts_tolerance_ms) {
            sim_resp_error(q, 400, "INVALID_TIMESTAMP", NULL, 0);
            goto out;
        }
    }
    q->u = sim_find_user(s->cfg, login);
    if (!q->u || strcmp(q->u->pwhash, pwh) != 0) {
        sim_resp_error(q, 401, "INVALID_SECURITY_USER", NULL, 0);
        goto out;
    }
    /* unknown to NAV's taxpayer database or barred from invoicing: the
     * database is not simulated, so invalidCustomers names them */
    if (sim_tax_invalid(s->cfg, tax)) {
        sim_resp_error(q, 500, "INVALID_CUSTOMER", NULL, 0);
        goto out;
    }
    tp = sim_find_taxpayer(s->cfg, tax);
    if (!tp || !tp->registered) {
        sim_resp_error(q, 500, "NOT_REGISTERED_CUSTOMER", NULL, 0);
        goto out;
    }
    if (!tp->valid) {
        sim_resp_error(q, 500, "INVALID_CUSTOMER", NULL, 0);
        goto out;
    }
    if (strcmp(q->u->tax, tax) != 0 || !q->u->active) {
        sim_resp_error(q, 500, "INVALID_USER_RELATION", NULL, 0);
        goto out;
    }
    if ((op_needs_manage(q->op) && !q->u->right_manage) ||
        ((q->op >= NAVOI__OP_QUERY_INVOICE_CHECK) && !q->u->right_query) ||
        (!q->u->right_manage && !q->u->right_query)) {
        sim_resp_error(q, 500, "FORBIDDEN", NULL, 0);
        goto out;
    }
    memcpy(q->tax, tax, 9);
    if (!verify_signature(q, rid, ts, manage ? &m : NULL)) {
        sim_resp_error(q, 400, "INVALID_REQUEST_SIGNATURE", NULL, 0);
        goto out;
    }
    if (reqid_used(s, q->tax, rid, q->now)) {
        sim_resp_error(q, 400, "REQUEST_ID_NOT_UNIQUE", NULL, 0);
        goto out;
    }
    switch (q->op) {
    case NAVOI__OP_TOKEN_EXCHANGE:
        op_token_exchange(q);
        break;
    case NAVOI__OP_MANAGE_INVOICE:
    case NAVOI__OP_MANAGE_ANNULMENT:
        op_manage(q, &m);
        break;
    case NAVOI__OP_QUERY_TRANSACTION_STATUS:
        sim_q_transaction_status(q);
        break;
    case NAVOI__OP_QUERY_TRANSACTION_LIST:
        sim_q_transaction_list(q);
        break;
    case NAVOI__OP_QUERY_INVOICE_CHECK:
        sim_q_invoice_check(q, 0);
        break;
    case NAVOI__OP_QUERY_INVOICE_DATA:
        sim_q_invoice_check(q, 1);
        break;
    case NAVOI__OP_QUERY_INVOICE_DIGEST:
        sim_q_invoice_digest(q);
        break;
    case NAVOI__OP_QUERY_INVOICE_CHAIN_DIGEST:
        sim_q_chain_digest(q);
        break;
    case NAVOI__OP_QUERY_TAXPAYER:
        sim_q_taxpayer(q);
        break;
    default:
        sim_resp_error(q, 500, "OPERATION_FAILED", NULL, 0);
    }
    if (q->r->http == 200) {
        reqid_remember(s, q->tax, rid, q->now);
        q->r->commit = 1;
    }
out:
    manage_items_free(&m);
    free(rid);
    free(ts);
    free(rv);
    free(hv);
    free(login);
    free(pwh);
    free(tax);
}

void sim_handle(sim_server *s, int op, const char *body, size_t len, const char *client,
                sim_response *r)
{
    sim_req q;
    (void)client;
    memset(&q, 0, sizeof q);
    q.s = s;
    q.op = op;
    q.r = r;
    q.now = sim_now_locked(s);
    sim_advance_locked(s);
    pipeline(&q, body, len);
    if (r->body.oom) {
        r->body.len = 0;
        r->http = 500;
    }
    self_check(&q);
    if (q.doc)
        xmlFreeDoc(q.doc);
}
