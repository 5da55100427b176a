/*
 * request.c - owns the wire form of the ten requests: the envelope NAV's
 * samples use (default namespace api, "common:" for header and user),
 * elements in XSD sequence order, the requestSignature, and the InvoiceAnnulment
 * payload. Every value is checked against its XSD type before anything is
 * written: a request NAV would reject as a schema violation is refused here
 * with NAVOI_EINVAL, without a network round trip.
 */
#include "ops/request.h"

#include <string.h>

#include "common/alloc.h"
#include "crypto/sign.h"
#include "crypto/timefmt.h"
#include "navoi/navoi.h"
#include "ops/digest_query.h"
#include "xml/ns.h"
#include "xml/writer.h"

/* InvoiceTimestampType / InvoiceDateType minInclusive 2010-01-01(T00:00:00Z). */
#define MIN_MS INT64_C(1262304000000)
/* 10000-01-01T00:00:00Z: the four-digit year patterns end before it. */
#define END_MS INT64_C(253402300800000)
#define DAY_MS INT64_C(86400000)

/* ------------------------------------------------------------------ */
/* XSD value checks */

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_alnum(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

int navoi__req_check_entity_id(const char *s)
{
    size_t i;

    if (!s || !*s)
        return 0;
    for (i = 0; s[i]; i++)
        if (i >= 30 || !(is_alnum(s[i]) || s[i] == '+' || s[i] == '_'))
            return 0;
    return 1;
}

int navoi__req_check_tax_number(const char *s)
{
    size_t i;

    if (!s)
        return 0;
    for (i = 0; i < 8; i++)
        if (!is_digit(s[i]))
            return 0;
    return s[8] == '\0';
}

/* SimpleTextNNNotBlankType: 1..max characters matching .*[^\s].* -- XSD's
 * '.' excludes LF and CR, so a line break anywhere breaks the pattern. */
int navoi__req_check_text(const char *s, size_t max)
{
    size_t len, chars, i;
    int visible = 0;

    if (!s)
        return 0;
    len = strlen(s);
    if (navoi__xw_check_text(s, len, &chars) != NAVOI_OK || chars < 1 || chars > max)
        return 0;
    for (i = 0; i < len; i++) {
        if (s[i] == '\n' || s[i] == '\r')
            return 0;
        if (s[i] != ' ' && s[i] != '\t')
            visible = 1;
    }
    return visible;
}

int navoi__req_check_date(const char *s, int64_t *days_out)
{
    static const unsigned char mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    unsigned y, m, d;
    int64_t days;
    int i;

    if (!s)
        return 0;
    for (i = 0; i < 10; i++) {
        if (i == 4 || i == 7) {
            if (s[i] != '-')
                return 0;
        } else if (!is_digit(s[i])) {
            return 0;
        }
    }
    if (s[10] != '\0')
        return 0;
    y = (unsigned)((s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0'));
    m = (unsigned)((s[5] - '0') * 10 + (s[6] - '0'));
    d = (unsigned)((s[8] - '0') * 10 + (s[9] - '0'));
    if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return 0;
    if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 0;
    days = navoi__days_from_civil((int64_t)y, m, d);
    if (days * DAY_MS < MIN_MS)
        return 0;
    if (days_out)
        *days_out = days;
    return 1;
}

/* MonetaryType: xs:decimal, totalDigits 18, fractionDigits 2. Only the
 * plain form -?digits(.d{1,2})? is accepted, the one NAV prints. */
int navoi__req_check_monetary(const char *s)
{
    size_t i = 0, int_digits = 0, frac_digits = 0;
    int leading = 1;

    if (!s)
        return 0;
    if (s[i] == '-')
        i++;
    if (!is_digit(s[i]))
        return 0;
    for (; is_digit(s[i]); i++) {
        if (leading && s[i] == '0')
            continue;
        leading = 0;
        int_digits++;
    }
    if (s[i] == '.') {
        i++;
        for (; is_digit(s[i]); i++)
            frac_digits++;
        if (frac_digits < 1 || frac_digits > 2)
            return 0;
    }
    return s[i] == '\0' && int_digits + frac_digits <= 18;
}

static int check_login(const char *s)
{
    size_t i;

    if (!s)
        return 0;
    for (i = 0; s[i]; i++)
        if (i >= 15 || !is_alnum(s[i]))
            return 0;
    return i >= 6;
}

static int check_upper_hex(const char *s, size_t len)
{
    size_t i;

    if (!s)
        return 0;
    for (i = 0; i < len; i++)
        if (!(is_digit(s[i]) || (s[i] >= 'A' && s[i] <= 'F')))
            return 0;
    return s[len] == '\0';
}

static int check_software(const navoi__software *sw)
{
    size_t i;

    if (!sw)
        return 0;
    for (i = 0; i < 18; i++)
        if (!(is_digit(sw->id[i]) || (sw->id[i] >= 'A' && sw->id[i] <= 'Z') || sw->id[i] == '-'))
            return 0;
    if (sw->id[18] != '\0')
        return 0;
    if (sw->operation != NAVOI_SOFTWARE_LOCAL && sw->operation != NAVOI_SOFTWARE_ONLINE)
        return 0;
    if (!navoi__req_check_text(sw->name, 50) || !navoi__req_check_text(sw->main_version, 15) ||
        !navoi__req_check_text(sw->dev_name, 512) || !navoi__req_check_text(sw->dev_contact, 200))
        return 0;
    if (sw->dev_country[0] != '\0' &&
        !(sw->dev_country[0] >= 'A' && sw->dev_country[0] <= 'Z' && sw->dev_country[1] >= 'A' &&
          sw->dev_country[1] <= 'Z' && sw->dev_country[2] == '\0'))
        return 0;
    if (sw->dev_tax_number && !navoi__req_check_text(sw->dev_tax_number, 50))
        return 0;
    return 1;
}

static int check_envelope(const navoi__envelope *e)
{
    char mask[15];

    if (!e || !navoi__req_check_entity_id(e->request_id) || !e->timestamp ||
        navoi__timestamp_mask(e->timestamp, mask) != NAVOI_OK || !check_login(e->login) ||
        !check_upper_hex(e->password_hash, NAVOI__HASH_HEX_LEN) ||
        !navoi__req_check_tax_number(e->tax_number) || !e->sign_key || !*e->sign_key ||
        !check_software(e->software))
        return 0;
    return 1;
}

static int check_direction(int direction)
{
    return direction == NAVOI_OUTBOUND || direction == NAVOI_INBOUND;
}

/* ------------------------------------------------------------------ */
/* Writing */

static const char *direction_name(int direction)
{
    return direction == NAVOI_INBOUND ? "INBOUND" : "OUTBOUND";
}

static void write_bool(navoi__xw *w, const char *name, int v)
{
    navoi__xw_elem(w, name, v ? "true" : "false");
}

static void write_crypto(navoi__xw *w, const char *name, const char *crypto, const char *value)
{
    navoi__xw_open(w, name);
    navoi__xw_attr(w, "cryptoType", crypto);
    navoi__xw_text(w, value);
    navoi__xw_close(w);
}

/* Opens the root and writes header, user and software; the caller adds the
 * operation's elements and closes the root. */
static void write_envelope(navoi__xw *w, const char *root, const navoi__envelope *e,
                           const char *signature)
{
    const navoi__software *sw = e->software;

    navoi__xw_declaration(w);
    navoi__xw_open(w, root);
    navoi__xw_attr(w, "xmlns", NAVOI__NS_API);
    navoi__xw_attr(w, "xmlns:common", NAVOI__NS_COMMON);

    navoi__xw_open(w, "common:header");
    navoi__xw_elem(w, "common:requestId", e->request_id);
    navoi__xw_elem(w, "common:timestamp", e->timestamp);
    navoi__xw_elem(w, "common:requestVersion", "3.0");
    /* Optional, but every official sample sends it. */
    navoi__xw_elem(w, "common:headerVersion", "1.0");
    navoi__xw_close(w);

    navoi__xw_open(w, "common:user");
    navoi__xw_elem(w, "common:login", e->login);
    write_crypto(w, "common:passwordHash", "SHA-512", e->password_hash);
    navoi__xw_elem(w, "common:taxNumber", e->tax_number);
    write_crypto(w, "common:requestSignature", "SHA3-512", signature);
    navoi__xw_close(w);

    navoi__xw_open(w, "software");
    navoi__xw_elem(w, "softwareId", sw->id);
    navoi__xw_elem(w, "softwareName", sw->name);
    navoi__xw_elem(w, "softwareOperation",
                   sw->operation == NAVOI_SOFTWARE_ONLINE ? "ONLINE_SERVICE" : "LOCAL_SOFTWARE");
    navoi__xw_elem(w, "softwareMainVersion", sw->main_version);
    navoi__xw_elem(w, "softwareDevName", sw->dev_name);
    navoi__xw_elem(w, "softwareDevContact", sw->dev_contact);
    if (sw->dev_country[0])
        navoi__xw_elem(w, "softwareDevCountryCode", sw->dev_country);
    navoi__xw_elem_opt(w, "softwareDevTaxNumber", sw->dev_tax_number);
    navoi__xw_close(w);
}

/* Builders append to out; on failure out is cut back to where it was so a
 * caller never sees half a request. */
static int finish(navoi__xw *w, navoi__buf *out, size_t start)
{
    int rc = navoi__xw_finish(w);

    if (rc != NAVOI_OK && out->data && !out->oom) {
        out->len = start;
        out->data[start] = '\0';
    }
    return rc;
}

static int simple_signature(const navoi__envelope *e, char sig[NAVOI__HASH_HEX_LEN + 1])
{
    return navoi__request_signature(e->request_id, e->timestamp, e->sign_key, NULL, 0, sig);
}

/* The common start of every request with the simple signature: sign, note
 * where the document starts in out (finish() cuts back to it on failure),
 * and write the envelope. */
static int begin_simple(navoi__xw *w, navoi__buf *out, size_t *start, const char *root,
                        const navoi__envelope *e)
{
    char sig[NAVOI__HASH_HEX_LEN + 1];
    int rc = simple_signature(e, sig);

    if (rc != NAVOI_OK)
        return rc;
    *start = out->len;
    navoi__xw_init(w, out);
    write_envelope(w, root, e, sig);
    return NAVOI_OK;
}

/* ------------------------------------------------------------------ */
/* The ten operations */

int navoi__req_token_exchange(const navoi__envelope *e, navoi__buf *out)
{
    navoi__xw w;
    size_t start;
    int rc;

    if (!out || !check_envelope(e))
        return NAVOI_EINVAL;
    rc = begin_simple(&w, out, &start, "TokenExchangeRequest", e);
    if (rc != NAVOI_OK)
        return rc;
    navoi__xw_close(&w);
    return finish(&w, out, start);
}

static int check_items(const navoi__manage_item *items, size_t n, int annul)
{
    size_t i;

    for (i = 0; i < n; i++) {
        const navoi__manage_item *it = &items[i];
        /* The payload's base64 form is checked by navoi__xw_base64n()
         * while it is written: one pass over up to 10 MB instead of two. */
        if (!it->operation)
            return 0;
        if (annul) {
            if (strcmp(it->operation, "ANNUL") != 0)
                return 0;
            continue;
        }
        if (strcmp(it->operation, "CREATE") != 0 && strcmp(it->operation, "MODIFY") != 0 &&
            strcmp(it->operation, "STORNO") != 0)
            return 0;
        if (it->ehash) {
            /* PROTOCOL.md 3.5: SHA3-512 (required for e-invoices) or SHA-256,
             * upper-case hex as NAV compares it. */
            if (!it->ehash_crypto)
                return 0;
            if (strcmp(it->ehash_crypto, "SHA3-512") == 0) {
                if (!check_upper_hex(it->ehash, 128))
                    return 0;
            } else if (strcmp(it->ehash_crypto, "SHA-256") == 0) {
                if (!check_upper_hex(it->ehash, 64))
                    return 0;
            } else {
                return 0;
            }
        }
    }
    return 1;
}

static int manage_signature(const navoi__envelope *e, const navoi__manage_item *items,
                            size_t n, char sig[NAVOI__HASH_HEX_LEN + 1])
{
    navoi__sign_item *si;
    size_t i;
    int rc;

    si = navoi__calloc(n, sizeof *si);
    if (!si)
        return NAVOI_ENOMEM;
    /* Index order 1..n is array order: the signature depends on it. */
    for (i = 0; i < n; i++) {
        si[i].operation = items[i].operation;
        si[i].data = items[i].data;
        si[i].data_len = items[i].data_len;
    }
    rc = navoi__request_signature(e->request_id, e->timestamp, e->sign_key, si, n, sig);
    navoi__free(si);
    return rc;
}

static int check_manage_args(const navoi__envelope *e, const char *token,
                             const navoi__manage_item *items, size_t n, navoi__buf *out,
                             int annul)
{
    if (n > NAVOI__REQ_MAX_ITEMS)
        return NAVOI_ETOOBIG;
    if (!out || !items || n == 0 || !check_envelope(e) || !navoi__req_check_text(token, 50) ||
        !check_items(items, n, annul))
        return NAVOI_EINVAL;
    return NAVOI_OK;
}

/* Element names of the two manage requests, which differ only in them and
 * in the compressedContent flag that annulments do not have. */
typedef struct manage_shape {
    const char *root, *list, *item, *operation, *data;
    int annul;
} manage_shape;

static const manage_shape g_invoice_shape = {"ManageInvoiceRequest", "invoiceOperations",
                                             "invoiceOperation", "invoiceOperation",
                                             "invoiceData", 0};
static const manage_shape g_annul_shape = {"ManageAnnulmentRequest", "annulmentOperations",
                                           "annulmentOperation", "annulmentOperation",
                                           "invoiceAnnulment", 1};

static int build_manage(const manage_shape *shape, const navoi__envelope *e, const char *token,
                        int compressed, const navoi__manage_item *items, size_t n,
                        navoi__buf *out)
{
    char sig[NAVOI__HASH_HEX_LEN + 1];
    navoi__xw w;
    size_t start, i, payload;
    int rc;

    rc = check_manage_args(e, token, items, n, out, shape->annul);
    if (rc != NAVOI_OK)
        return rc;
    rc = manage_signature(e, items, n, sig);
    if (rc != NAVOI_OK)
        return rc;
    /* One reservation for the whole body (payload plus a generous
     * envelope) instead of a dozen doublings, each a copy of up to 10 MB. */
    for (i = 0, payload = 0; i < n; i++)
        payload += items[i].data_len;
    if (navoi__buf_reserve(out, payload + 4096 + n * 512) != NAVOI_OK)
        return NAVOI_ENOMEM;
    start = out->len;
    navoi__xw_init(&w, out);
    write_envelope(&w, shape->root, e, sig);
    navoi__xw_elem(&w, "exchangeToken", token);
    navoi__xw_open(&w, shape->list);
    if (!shape->annul)
        write_bool(&w, "compressedContent", compressed);
    for (i = 0; i < n; i++) {
        navoi__xw_open(&w, shape->item);
        navoi__xw_elem_i64(&w, "index", (int64_t)(i + 1));
        navoi__xw_elem(&w, shape->operation, items[i].operation);
        navoi__xw_open(&w, shape->data);
        navoi__xw_base64n(&w, items[i].data, items[i].data_len);
        navoi__xw_close(&w);
        if (!shape->annul && items[i].ehash)
            write_crypto(&w, "electronicInvoiceHash", items[i].ehash_crypto, items[i].ehash);
        navoi__xw_close(&w);
    }
    navoi__xw_close(&w);
    navoi__xw_close(&w);
    return finish(&w, out, start);
}

int navoi__req_manage_invoice(const navoi__envelope *e, const char *token, int compressed,
                              const navoi__manage_item *items, size_t n, navoi__buf *out)
{
    return build_manage(&g_invoice_shape, e, token, compressed, items, n, out);
}

int navoi__req_manage_annulment(const navoi__envelope *e, const char *token,
                                const navoi__manage_item *items, size_t n, navoi__buf *out)
{
    return build_manage(&g_annul_shape, e, token, 0, items, n, out);
}

int navoi__req_query_transaction_status(const navoi__envelope *e, const char *transaction_id,
                                        int return_original, navoi__buf *out)
{
    navoi__xw w;
    size_t start;
    int rc;

    if (!out || !check_envelope(e) || !navoi__req_check_entity_id(transaction_id))
        return NAVOI_EINVAL;
    rc = begin_simple(&w, out, &start, "QueryTransactionStatusRequest", e);
    if (rc != NAVOI_OK)
        return rc;
    navoi__xw_elem(&w, "transactionId", transaction_id);
    /* Always explicit, as in NAV's sample, although false is the default. */
    write_bool(&w, "returnOriginalRequest", return_original);
    navoi__xw_close(&w);
    return finish(&w, out, start);
}

static int check_request_status(const char *s)
{
    static const char *const names[] = {"RECEIVED", "PROCESSING", "SAVED", "FINISHED",
                                        "NOTIFIED"};
    size_t i;

    for (i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(s, names[i]) == 0)
            return 1;
    return 0;
}

int navoi__req_check_ins_range(int64_t from_ms, int64_t to_ms)
{
    if (from_ms < MIN_MS || to_ms >= END_MS || from_ms > to_ms)
        return 0;
    return to_ms - from_ms <= NAVOI__REQ_MAX_RANGE_DAYS * DAY_MS;
}

int navoi__req_query_transaction_list(const navoi__envelope *e, int32_t page, int64_t from_ms,
                                      int64_t to_ms, const char *request_status,
                                      navoi__buf *out)
{
    char from[25], to[25];
    navoi__xw w;
    size_t start;
    int rc;

    if (!out || !check_envelope(e) || page < 1 || !navoi__req_check_ins_range(from_ms, to_ms) ||
        (request_status && !check_request_status(request_status)))
        return NAVOI_EINVAL;
    if (navoi__format_timestamp(from_ms, from) != NAVOI_OK ||
        navoi__format_timestamp(to_ms, to) != NAVOI_OK)
        return NAVOI_EINVAL;
    rc = begin_simple(&w, out, &start, "QueryTransactionListRequest", e);
    if (rc != NAVOI_OK)
        return rc;
    navoi__xw_elem_i64(&w, "page", page);
    navoi__xw_open(&w, "insDate");
    navoi__xw_elem(&w, "dateTimeFrom", from);
    navoi__xw_elem(&w, "dateTimeTo", to);
    navoi__xw_close(&w);
    navoi__xw_elem_opt(&w, "requestStatus", request_status);
    navoi__xw_close(&w);
    return finish(&w, out, start);
}

static int number_query(const navoi__envelope *e, const navoi__number_query *q,
                        const char *root, navoi__buf *out)
{
    char sig[NAVOI__HASH_HEX_LEN + 1];
    navoi__xw w;
    size_t start;
    int rc;

    if (!out || !check_envelope(e) || !q || !navoi__req_check_text(q->invoice_number, 50) ||
        !check_direction(q->direction) || q->batch_index < 0 ||
        (q->supplier_tax_number && !navoi__req_check_tax_number(q->supplier_tax_number)))
        return NAVOI_EINVAL;
    rc = simple_signature(e, sig);
    if (rc != NAVOI_OK)
        return rc;
    start = out->len;
    navoi__xw_init(&w, out);
    write_envelope(&w, root, e, sig);
    navoi__xw_open(&w, "invoiceNumberQuery");
    navoi__xw_elem(&w, "invoiceNumber", q->invoice_number);
    navoi__xw_elem(&w, "invoiceDirection", direction_name(q->direction));
    if (q->batch_index > 0)
        navoi__xw_elem_i64(&w, "batchIndex", q->batch_index);
    navoi__xw_elem_opt(&w, "supplierTaxNumber", q->supplier_tax_number);
    navoi__xw_close(&w);
    navoi__xw_close(&w);
    return finish(&w, out, start);
}

int navoi__req_query_invoice_check(const navoi__envelope *e, const navoi__number_query *q,
                                   navoi__buf *out)
{
    return number_query(e, q, "QueryInvoiceCheckRequest", out);
}

int navoi__req_query_invoice_data(const navoi__envelope *e, const navoi__number_query *q,
                                  navoi__buf *out)
{
    return number_query(e, q, "QueryInvoiceDataRequest", out);
}

static const char *const g_op_names[] = {NULL, "CREATE", "MODIFY", "STORNO"};

/* from/to: the insDate bounds, already formatted, for NAVOI__DQ_INS_DATE. */
static void write_query_params(navoi__xw *w, const navoi_digest_query *q, const char *from,
                               const char *to)
{
    int i, k, any;

    navoi__xw_open(w, "invoiceQueryParams");

    navoi__xw_open(w, "mandatoryQueryParams");
    switch (q->criterion) {
    case NAVOI__DQ_ISSUE_DATE:
        navoi__xw_open(w, "invoiceIssueDate");
        navoi__xw_elem(w, "dateFrom", q->date_from);
        navoi__xw_elem(w, "dateTo", q->date_to);
        navoi__xw_close(w);
        break;
    case NAVOI__DQ_INS_DATE:
        navoi__xw_open(w, "insDate");
        navoi__xw_elem(w, "dateTimeFrom", from);
        navoi__xw_elem(w, "dateTimeTo", to);
        navoi__xw_close(w);
        break;
    default:
        navoi__xw_elem(w, "originalInvoiceNumber", q->original_number);
        break;
    }
    navoi__xw_close(w);

    for (i = 0, any = 0; i < NAVOI__DQ_P_COUNT; i++)
        any |= q->params[i] != NULL;
    if (any) {
        navoi__xw_open(w, "additionalQueryParams");
        for (i = 0; i < NAVOI__DQ_P_COUNT; i++)
            navoi__xw_elem_opt(w, navoi__dq_param_names[i], q->params[i]);
        navoi__xw_close(w);
    }

    for (i = 0, any = 0; i < NAVOI__DQ_R_COUNT; i++)
        any |= q->nrel[i] > 0;
    if (any) {
        navoi__xw_open(w, "relationalQueryParams");
        for (i = 0; i < NAVOI__DQ_R_COUNT; i++) {
            for (k = 0; k < q->nrel[i]; k++) {
                navoi__xw_open(w, navoi__dq_rel_names[i]);
                navoi__xw_elem(w, "queryOperator", navoi__dq_op_name(q->rel[i][k].op));
                navoi__xw_elem(w, "queryValue", q->rel[i][k].value);
                navoi__xw_close(w);
            }
        }
        navoi__xw_close(w);
    }

    if (q->transaction_id) {
        navoi__xw_open(w, "transactionQueryParams");
        navoi__xw_elem(w, "transactionId", q->transaction_id);
        if (q->txn_index > 0)
            navoi__xw_elem_i64(w, "index", q->txn_index);
        if (q->txn_operation >= NAVOI_OP_CREATE && q->txn_operation <= NAVOI_OP_STORNO)
            navoi__xw_elem(w, "invoiceOperation", g_op_names[q->txn_operation]);
        navoi__xw_close(w);
    }

    navoi__xw_close(w);
}

int navoi__req_query_invoice_digest(const navoi__envelope *e, const navoi_digest_query *q,
                                    navoi__buf *out)
{
    char from[25] = "", to[25] = "";
    navoi__xw w;
    size_t start;
    int rc;

    if (!out || !check_envelope(e) || !q || q->page < 1 || !check_direction(q->direction))
        return NAVOI_EINVAL;
    if (q->criterion == NAVOI__DQ_NONE)
        return NAVOI_ECONFIG;
    if (q->criterion == NAVOI__DQ_INS_DATE &&
        (navoi__format_timestamp(q->ins_from_ms, from) != NAVOI_OK ||
         navoi__format_timestamp(q->ins_to_ms, to) != NAVOI_OK))
        return NAVOI_EINVAL;
    rc = begin_simple(&w, out, &start, "QueryInvoiceDigestRequest", e);
    if (rc != NAVOI_OK)
        return rc;
    navoi__xw_elem_i64(&w, "page", q->page);
    navoi__xw_elem(&w, "invoiceDirection", direction_name(q->direction));
    write_query_params(&w, q, from, to);
    navoi__xw_close(&w);
    return finish(&w, out, start);
}

int navoi__req_query_invoice_chain_digest(const navoi__envelope *e, const char *invoice_number,
                                          int direction, const char *tax_number, int32_t page,
                                          navoi__buf *out)
{
    navoi__xw w;
    size_t start;
    int rc;

    if (!out || !check_envelope(e) || !navoi__req_check_text(invoice_number, 50) ||
        !check_direction(direction) || page < 1 ||
        (tax_number && !navoi__req_check_tax_number(tax_number)))
        return NAVOI_EINVAL;
    rc = begin_simple(&w, out, &start, "QueryInvoiceChainDigestRequest", e);
    if (rc != NAVOI_OK)
        return rc;
    navoi__xw_elem_i64(&w, "page", page);
    navoi__xw_open(&w, "invoiceChainQuery");
    navoi__xw_elem(&w, "invoiceNumber", invoice_number);
    navoi__xw_elem(&w, "invoiceDirection", direction_name(direction));
    navoi__xw_elem_opt(&w, "taxNumber", tax_number);
    navoi__xw_close(&w);
    navoi__xw_close(&w);
    return finish(&w, out, start);
}

int navoi__req_query_taxpayer(const navoi__envelope *e, const char *tax_number,
                              navoi__buf *out)
{
    navoi__xw w;
    size_t start;
    int rc;

    if (!out || !check_envelope(e) || !navoi__req_check_tax_number(tax_number))
        return NAVOI_EINVAL;
    rc = begin_simple(&w, out, &start, "QueryTaxpayerRequest", e);
    if (rc != NAVOI_OK)
        return rc;
    navoi__xw_elem(&w, "taxNumber", tax_number);
    navoi__xw_close(&w);
    return finish(&w, out, start);
}

/* ------------------------------------------------------------------ */
/* InvoiceAnnulment payload */

int navoi__annulment_payload(const char *reference, int64_t ts_ms, int code,
                             const char *reason, navoi__buf *xml_out)
{
    static const char *const codes[] = {NULL, "ERRATIC_DATA", "ERRATIC_INVOICE_NUMBER",
                                        "ERRATIC_INVOICE_ISSUE_DATE",
                                        "ERRATIC_ELECTRONIC_HASH_VALUE"};
    char ts[25];
    navoi__xw w;
    size_t start;

    if (!xml_out || !navoi__req_check_text(reference, 50) ||
        !navoi__req_check_text(reason, 1024) || code < NAVOI_ANNUL_ERRATIC_DATA ||
        code > NAVOI_ANNUL_ERRATIC_ELECTRONIC_HASH_VALUE || ts_ms < MIN_MS || ts_ms >= END_MS)
        return NAVOI_EINVAL;
    if (navoi__format_timestamp(ts_ms, ts) != NAVOI_OK)
        return NAVOI_EINVAL;
    start = xml_out->len;
    navoi__xw_init(&w, xml_out);
    navoi__xw_declaration(&w);
    navoi__xw_open(&w, "InvoiceAnnulment");
    navoi__xw_attr(&w, "xmlns", NAVOI__NS_ANNUL);
    navoi__xw_elem(&w, "annulmentReference", reference);
    navoi__xw_elem(&w, "annulmentTimestamp", ts);
    navoi__xw_elem(&w, "annulmentCode", codes[code]);
    navoi__xw_elem(&w, "annulmentReason", reason);
    navoi__xw_close(&w);
    return finish(&w, xml_out, start);
}
