/*
 * queries.c - the query operations, answered from the ledger
 * (PROTOCOL.md 5.3-5.9): transaction status and list, invoice check and
 * data, digest, chain digest and taxpayer.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops/ops.h"
#include "sim_internal.h"
#include "xml/ns.h"
#include "xml/parse.h"

#define NS_API NAVOI__NS_API
#define DAY_MS 86400000LL
#define RANGE_MAX_MS (35 * DAY_MS)

/* Text cut to at most max characters without splitting a UTF-8 sequence. */
static void elem_trunc(sim_buf *b, const char *name, const char *text, size_t max)
{
    size_t i = 0, chars = 0;
    char *tmp;
    while (text[i] && chars < max) {
        i++;
        while (((unsigned char)text[i] & 0xC0) == 0x80)
            i++;
        chars++;
    }
    tmp = malloc(i + 1);
    if (!tmp) {
        b->oom = 1;
        return;
    }
    memcpy(tmp, text, i);
    tmp[i] = '\0';
    sim_x_elem(b, name, tmp);
    free(tmp);
}

static void schema_error(sim_req *q, const char *what)
{
    char msg[300];
    char *m = msg;
    snprintf(msg, sizeof msg, "Request body contains error: [%s]", what);
    sim_resp_error(q, 400, "INVALID_REQUEST", &m, 1);
}

static int read_page(sim_req *q, long *page)
{
    char *t = sim_child_text(q->root, NS_API, "page");
    char *end;
    long v = t ? strtol(t, &end, 10) : 0;
    if (!t || end == t || *end || v < 1 || v > 1000000) {
        free(t);
        schema_error(q, "page must be a positive integer");
        return -1;
    }
    free(t);
    *page = v;
    return 0;
}

static int direction_of(const char *d)
{
    if (d && !strcmp(d, "OUTBOUND"))
        return 1;
    if (d && !strcmp(d, "INBOUND"))
        return 2;
    return 0;
}

static int eq(const char *a, const char *b)
{
    return a && b && !strcmp(a, b);
}

/* Visible to the caller: OUTBOUND = caller is the supplier, INBOUND =
 * caller is the customer (no customer tax number = invisible); a query
 * never sees data reported with a newer major version (1.8). */
static int visible(const sim_record *r, const sim_req *q, int dir)
{
    const char *tax = q->tax;
    if (!r->valid || r->txn->version / 10 > q->version / 10)
        return 0;
    if (dir == 1)
        return !strcmp(sim_rec_supplier(r), tax);
    return eq(r->part->customer, tax);
}

static const char *txn_source(const sim_txn *t)
{
    (void)t;
    return "MGM";
}

/* ---- queryTransactionStatus ---- */

static void write_result_msgs(sim_buf *b, const sim_item *it)
{
    int i;
    for (i = 0; i < it->msgs.n; i++) {
        const sim_msg *m = &it->msgs.m[i];
        if (m->business)
            continue;
        sim_x_open(b, "ns2:technicalValidationMessages");
        sim_x_elem(b, "validationResultCode", m->result);
        sim_x_elem(b, "validationErrorCode", m->code);
        if (m->message)
            elem_trunc(b, "message", m->message, 1024);
        sim_x_close(b, "ns2:technicalValidationMessages");
    }
    for (i = 0; i < it->msgs.n; i++) {
        const sim_msg *m = &it->msgs.m[i];
        if (!m->business)
            continue;
        sim_x_open(b, "ns2:businessValidationMessages");
        sim_x_elem(b, "ns2:validationResultCode", m->result);
        sim_x_elem(b, "ns2:validationErrorCode", m->code);
        if (m->message)
            elem_trunc(b, "ns2:message", m->message, 512);
        sim_x_close(b, "ns2:businessValidationMessages");
    }
}

static const char *annul_status_name(int st)
{
    switch (st) {
    case SIM_ANNUL_NOT_VERIFIABLE: return "NOT_VERIFIABLE";
    case SIM_ANNUL_PENDING: return "VERIFICATION_PENDING";
    case SIM_ANNUL_DONE: return "VERIFICATION_DONE";
    case SIM_ANNUL_REJECTED: return "VERIFICATION_REJECTED";
    default: return NULL;
    }
}

void sim_q_transaction_status(sim_req *q)
{
    char *id = sim_child_text(q->root, NS_API, "transactionId");
    char *ro = sim_child_text(q->root, NS_API, "returnOriginalRequest");
    int ret = sim_is_true(ro);
    sim_txn *t = id ? sim_txn_find(q->s, id) : NULL;
    sim_buf *b = &q->r->body;
    int i, k;
    free(ro);
    if (!id) {
        schema_error(q, "transactionId is mandatory");
        return;
    }
    free(id);
    if (t && !t->seeded && !strcmp(t->tax, q->tax) && q->version < t->version) {
        /* 1.8: only a requestVersion at least the submission's may ask;
         * the transaction is not marked as queried */
        sim_resp_error(q, 500, "STATUS_QUERY_NOT_ALLOWED", NULL, 0);
        return;
    }
    sim_resp_begin(q, "QueryTransactionStatusResponse");
    if (t && !t->seeded && !strcmp(t->tax, q->tax)) {
        sim_x_open(b, "ns2:processingResults");
        for (i = 0; i < t->nitems; i++) {
            const sim_item *it = &t->items[i];
            int nparts = it->doc && it->doc->batch ? it->doc->nparts : 1;
            for (k = 0; k < nparts; k++) {
                sim_x_open(b, "ns2:processingResult");
                sim_x_elem_int(b, "ns2:index", it->index);
                if (it->doc && it->doc->batch && it->doc->parts[k].batch_index > 0)
                    sim_x_elem_int(b, "ns2:batchIndex", it->doc->parts[k].batch_index);
                sim_x_elem(b, "ns2:invoiceStatus", sim_status_name(it->status));
                write_result_msgs(b, it);
                sim_x_elem(b, "ns2:compressedContentIndicator", t->compressed ? "true" : "false");
                if (ret)
                    sim_x_elem(b, "ns2:originalRequest", it->data);
                sim_x_close(b, "ns2:processingResult");
            }
        }
        sim_x_elem(b, "ns2:originalRequestVersion", sim_version_name(t->version));
        if (t->annulment && annul_status_name(t->annul_status)) {
            sim_x_open(b, "ns2:annulmentData");
            sim_x_elem(b, "ns2:annulmentVerificationStatus", annul_status_name(t->annul_status));
            if (t->annul_decision_ms) {
                char ts[25];
                sim_fmt_ts(t->annul_decision_ms, ts);
                sim_x_elem(b, "ns2:annulmentDecisionDate", ts);
                sim_x_elem(b, "ns2:annulmentDecisionUser", t->annul_user);
            }
            sim_x_close(b, "ns2:annulmentData");
        }
        sim_x_close(b, "ns2:processingResults");
        if (t->finished && !t->notified) {
            t->notified = 1;
            sim_db_save_txn(q->s, t);
        }
    }
    sim_resp_end(q, "QueryTransactionStatusResponse");
}

/* ---- queryTransactionList ---- */

static const char *txn_request_status(const sim_txn *t)
{
    int i;
    if (t->finished)
        return t->notified ? "NOTIFIED" : "FINISHED";
    for (i = 0; i < t->nitems; i++)
        if (t->items[i].status == SIM_STATUS_RECEIVED)
            return "RECEIVED";
    return "PROCESSING";
}

/* Reads an interval; 0 ok, -1 answered with an error. */
static int read_interval(sim_req *q, xmlNodePtr n, int dates, int64_t *from, int64_t *to)
{
    char *a = sim_child_text(n, NS_API, dates ? "dateFrom" : "dateTimeFrom");
    char *b = sim_child_text(n, NS_API, dates ? "dateTo" : "dateTimeTo");
    int bad = !a || !b ||
              (dates ? sim_parse_date(a, from) || sim_parse_date(b, to)
                     : sim_parse_ts(a, from) || sim_parse_ts(b, to));
    free(a);
    free(b);
    if (bad) {
        schema_error(q, "invalid interval");
        return -1;
    }
    if (*from > *to) {
        sim_resp_error(q, 400, "BAD_QUERY_PARAM_OVERLAP", NULL, 0);
        return -1;
    }
    /* dates are whole days: equal from/to is that day */
    if (dates)
        *to += DAY_MS - 1;
    if (*to - *from > RANGE_MAX_MS + (dates ? DAY_MS - 1 : 0)) {
        sim_resp_error(q, 400, "BAD_QUERY_PARAM_RANGE_EXCEEDED", NULL, 0);
        return -1;
    }
    return 0;
}

static long available_pages(long n, int ps)
{
    return n == 0 ? 0 : (n + ps - 1) / ps;
}

void sim_q_transaction_list(sim_req *q)
{
    long page, n = 0, idx = 0;
    int64_t from, to;
    char *rs = sim_child_text(q->root, NS_API, "requestStatus");
    xmlNodePtr ins = navoi__xml_child(q->root, NS_API, "insDate");
    int ps = q->s->cfg->page_size;
    sim_txn *t;
    sim_buf *b = &q->r->body;
    if (read_page(q, &page)) {
        free(rs);
        return;
    }
    if (!ins) {
        schema_error(q, "insDate is mandatory");
        free(rs);
        return;
    }
    if (read_interval(q, ins, 0, &from, &to)) {
        free(rs);
        return;
    }
    for (t = q->s->txns; t; t = t->next)
        if (!t->seeded && !strcmp(t->tax, q->tax) && t->ins_ms >= from && t->ins_ms <= to &&
            (!rs || !strcmp(rs, txn_request_status(t))))
            n++;
    sim_resp_begin(q, "QueryTransactionListResponse");
    sim_x_open(b, "ns2:transactionListResult");
    sim_x_elem_int(b, "ns2:currentPage", page);
    sim_x_elem_int(b, "ns2:availablePage", available_pages(n, ps));
    for (t = q->s->txns; t; t = t->next) {
        char ts[25];
        if (t->seeded || strcmp(t->tax, q->tax) || t->ins_ms < from || t->ins_ms > to ||
            (rs && strcmp(rs, txn_request_status(t))))
            continue;
        idx++;
        if (idx <= (page - 1) * ps || idx > page * ps)
            continue;
        sim_x_open(b, "ns2:transaction");
        sim_fmt_ts(t->ins_ms, ts);
        sim_x_elem(b, "ns2:insDate", ts);
        sim_x_elem(b, "ns2:insCusUser", t->user);
        sim_x_elem(b, "ns2:source", txn_source(t));
        sim_x_elem(b, "ns2:transactionId", t->id);
        sim_x_elem(b, "ns2:requestStatus", txn_request_status(t));
        sim_x_elem(b, "ns2:technicalAnnulment", t->annulment ? "true" : "false");
        sim_x_elem(b, "ns2:originalRequestVersion", sim_version_name(t->version));
        sim_x_elem_int(b, "ns2:itemCount", t->nitems);
        sim_x_close(b, "ns2:transaction");
    }
    sim_x_close(b, "ns2:transactionListResult");
    sim_resp_end(q, "QueryTransactionListResponse");
    free(rs);
}

/* ---- queryInvoiceCheck / queryInvoiceData ---- */

static void write_crypto(sim_buf *b, const char *name, const char *crypto, const char *value)
{
    sim_buf_printf(b, "<%s cryptoType=\"", name);
    sim_x_text(b, crypto);
    sim_buf_puts(b, "\">");
    sim_x_text(b, value);
    sim_x_close(b, name);
}

void sim_q_invoice_check(sim_req *q, int data)
{
    xmlNodePtr nq = navoi__xml_child(q->root, NS_API, "invoiceNumberQuery");
    char *num = sim_child_text(nq, NS_API, "invoiceNumber");
    char *dirs = sim_child_text(nq, NS_API, "invoiceDirection");
    char *bis = sim_child_text(nq, NS_API, "batchIndex");
    char *sup = sim_child_text(nq, NS_API, "supplierTaxNumber");
    int dir = direction_of(dirs), bi = bis ? atoi(bis) : 0;
    const char *root = data ? "QueryInvoiceDataResponse" : "QueryInvoiceCheckResponse";
    sim_record *r, *hit = NULL;
    const sim_item *items[2] = {NULL, NULL};
    const char *first_sup = NULL;
    int ninst = 0, multi_sup = 0;
    sim_buf *b = &q->r->body;

    if (!nq || !num || !dir) {
        schema_error(q, "invoiceNumberQuery needs invoiceNumber and invoiceDirection");
        goto out;
    }
    if (dir == 1 && sup) {
        sim_resp_error(q, 400, "BAD_QUERY_PARAM_SUPPLIER_NOT_EXPECTED", NULL, 0);
        goto out;
    }
    for (r = sim_records_by_number(q->s, num); r; r = r->hnext) {
        if (!visible(r, q, dir) || strcmp(r->doc->number, num))
            continue;
        if (sup && strcmp(sim_rec_supplier(r), sup))
            continue;
        if (bi && r->part->batch_index != bi)
            continue;
        if (!first_sup)
            first_sup = sim_rec_supplier(r);
        else if (strcmp(first_sup, sim_rec_supplier(r)))
            multi_sup = 1;
        /* one instance per reported item, whatever its batch size */
        if (r->item != items[0] && r->item != items[1]) {
            if (ninst < 2)
                items[ninst] = r->item;
            ninst++;
        }
        if (!hit)
            hit = r;
    }
    if (dir == 2 && !sup && multi_sup) {
        sim_resp_error(q, 400, "BAD_QUERY_PARAM_SUPPLIER_EXPECTED", NULL, 0);
        goto out;
    }
    if (ninst > 1) {
        sim_resp_error(q, 400, "MULTIPLE_QUERY_RESULT_FOUND", NULL, 0);
        goto out;
    }
    sim_resp_begin(q, root);
    if (!data) {
        sim_x_elem(b, "ns2:invoiceCheckResult", ninst == 1 ? "true" : "false");
    } else if (hit) {
        char ts[25];
        sim_x_open(b, "ns2:invoiceDataResult");
        sim_x_elem(b, "ns2:invoiceData", hit->item->data);
        sim_x_open(b, "ns2:auditData");
        sim_fmt_ts(hit->txn->ins_ms, ts);
        sim_x_elem(b, "ns2:insdate", ts);
        sim_x_elem(b, "ns2:insCusUser", hit->txn->user);
        sim_x_elem(b, "ns2:source", txn_source(hit->txn));
        sim_x_elem(b, "ns2:transactionId", hit->txn->id);
        sim_x_elem_int(b, "ns2:index", hit->item->index);
        if (bi)
            sim_x_elem_int(b, "ns2:batchIndex", bi);
        sim_x_elem(b, "ns2:originalRequestVersion", sim_version_name(hit->txn->version));
        sim_x_close(b, "ns2:auditData");
        sim_x_elem(b, "ns2:compressedContentIndicator", hit->txn->compressed ? "true" : "false");
        if (hit->item->ehash && hit->item->ehash_crypto && *hit->item->ehash_crypto)
            write_crypto(b, "ns2:electronicInvoiceHash", hit->item->ehash_crypto,
                         hit->item->ehash);
        sim_x_close(b, "ns2:invoiceDataResult");
    }
    sim_resp_end(q, root);
out:
    free(num);
    free(dirs);
    free(bis);
    free(sup);
}

/* ---- queryInvoiceDigest ---- */

enum { REL_DELIVERY, REL_PAYMENT, REL_NET, REL_NET_HUF, REL_VAT, REL_VAT_HUF, REL_COUNT };
static const char *const g_rel_names[REL_COUNT] = {"invoiceDelivery", "paymentDate",
                                                   "invoiceNetAmount", "invoiceNetAmountHUF",
                                                   "invoiceVatAmount", "invoiceVatAmountHUF"};

typedef struct rel_cond {
    int n;
    char op[2][4];
    char *val[2];
} rel_cond;

typedef struct digest_q {
    int dir;
    int mode; /* 1 issue date, 2 insDate, 3 originalInvoiceNumber */
    int64_t from, to;
    char *orig;
    char *tax, *gm, *name, *category, *pay_method, *appearance, *source, *currency;
    rel_cond rel[REL_COUNT];
    char *txid, *txop;
    int txindex;
} digest_q;

static void digest_q_free(digest_q *d)
{
    int i, k;
    char **f[] = {&d->orig, &d->tax, &d->gm, &d->name, &d->category, &d->pay_method,
                  &d->appearance, &d->source, &d->currency, &d->txid, &d->txop};
    for (i = 0; i < (int)(sizeof f / sizeof f[0]); i++)
        free(*f[i]);
    for (i = 0; i < REL_COUNT; i++)
        for (k = 0; k < d->rel[i].n; k++)
            free(d->rel[i].val[k]);
}

static int is_lower(const char *op)
{
    return !strcmp(op, "GT") || !strcmp(op, "GTE");
}

static int is_upper(const char *op)
{
    return !strcmp(op, "LT") || !strcmp(op, "LTE");
}

/* Returns 0, or -1 after answering with an error. */
static int read_relational(sim_req *q, xmlNodePtr rel, digest_q *d)
{
    int i;
    for (i = 0; i < REL_COUNT; i++) {
        xmlNodePtr n;
        rel_cond *c = &d->rel[i];
        for (n = navoi__xml_child(rel, NS_API, g_rel_names[i]); n;
             n = navoi__xml_next(n, NS_API, g_rel_names[i])) {
            char *op = sim_child_text(n, NS_API, "queryOperator");
            char *v = sim_child_text(n, NS_API, "queryValue");
            if (c->n >= 2 || !op || !v || strlen(op) > 3 ||
                (strcmp(op, "EQ") && !is_lower(op) && !is_upper(op))) {
                free(op);
                free(v);
                schema_error(q, "invalid relational query parameter");
                return -1;
            }
            snprintf(c->op[c->n], sizeof c->op[0], "%s", op);
            c->val[c->n++] = v;
            free(op);
        }
        if (c->n == 2) {
            if (!strcmp(c->op[0], "EQ") || !strcmp(c->op[1], "EQ")) {
                sim_resp_error(q, 400, "BAD_QUERY_PARAM_EQ_NOT_STANDALONE", NULL, 0);
                return -1;
            }
            if ((is_lower(c->op[0]) && is_lower(c->op[1])) ||
                (is_upper(c->op[0]) && is_upper(c->op[1]))) {
                sim_resp_error(q, 400, "BAD_QUERY_PARAM_OPERATOR_COLLISION", NULL, 0);
                return -1;
            }
        }
    }
    return 0;
}

static int cmp_values(int field, const char *a, const char *b)
{
    if (field <= REL_PAYMENT)
        return strcmp(a, b);
    {
        double x = strtod(a, NULL), y = strtod(b, NULL);
        return x < y ? -1 : x > y ? 1 : 0;
    }
}

static int rel_match(const rel_cond *c, int field, const char *value)
{
    int k;
    if (c->n == 0)
        return 1;
    if (!value)
        return 0;
    for (k = 0; k < c->n; k++) {
        int r = cmp_values(field, value, c->val[k]);
        const char *op = c->op[k];
        if ((!strcmp(op, "EQ") && r != 0) || (!strcmp(op, "GT") && r <= 0) ||
            (!strcmp(op, "GTE") && r < 0) || (!strcmp(op, "LT") && r >= 0) ||
            (!strcmp(op, "LTE") && r > 0))
            return 0;
    }
    return 1;
}

static int prefix_ci(const char *s, const char *prefix)
{
    if (!s)
        return 0;
    for (; *prefix; prefix++, s++)
        if (toupper((unsigned char)*s) != toupper((unsigned char)*prefix))
            return 0;
    return 1;
}

static int opt_eq(const char *want, const char *have)
{
    return !want || eq(want, have);
}

static int digest_match(const sim_record *r, const digest_q *d, const sim_req *q)
{
    const sim_part *p = r->part;
    const char *other_tax = d->dir == 1 ? p->customer : sim_rec_supplier(r);
    const char *other_gm = d->dir == 1 ? p->customer_gm : p->supplier_gm;
    const char *other_name = d->dir == 1 ? p->customer_name : p->supplier_name;
    if (!visible(r, q, d->dir))
        return 0;
    switch (d->mode) {
    case 1: {
        int64_t ms;
        if (!r->doc->issue_date || sim_parse_date(r->doc->issue_date, &ms) || ms < d->from ||
            ms > d->to)
            return 0;
        break;
    }
    case 2:
        if (r->txn->ins_ms < d->from || r->txn->ins_ms > d->to)
            return 0;
        break;
    default:
        if (!((!p->has_ref && !strcmp(r->doc->number, d->orig)) ||
              (p->has_ref && eq(p->orig_number, d->orig))))
            return 0;
    }
    if (!opt_eq(d->tax, other_tax) || !opt_eq(d->gm, other_gm) ||
        (d->name && !prefix_ci(other_name, d->name)) || !opt_eq(d->category, p->category) ||
        !opt_eq(d->pay_method, p->payment_method) || !opt_eq(d->appearance, p->appearance) ||
        !opt_eq(d->source, txn_source(r->txn)) || !opt_eq(d->currency, p->currency))
        return 0;
    if (!rel_match(&d->rel[REL_DELIVERY], REL_DELIVERY, p->delivery_date) ||
        !rel_match(&d->rel[REL_PAYMENT], REL_PAYMENT, p->payment_date) ||
        !rel_match(&d->rel[REL_NET], REL_NET, p->net) ||
        !rel_match(&d->rel[REL_NET_HUF], REL_NET_HUF, p->net_huf) ||
        !rel_match(&d->rel[REL_VAT], REL_VAT, p->vat) ||
        !rel_match(&d->rel[REL_VAT_HUF], REL_VAT_HUF, p->vat_huf))
        return 0;
    if (d->txid && (strcmp(d->txid, r->txn->id) || (d->txindex && d->txindex != r->item->index) ||
                    (d->txop && strcmp(d->txop, r->item->op))))
        return 0;
    return 1;
}

static void write_digest(sim_buf *b, const sim_record *r)
{
    const sim_part *p = r->part;
    char ts[25];
    sim_x_open(b, "ns2:invoiceDigest");
    sim_x_elem(b, "ns2:invoiceNumber", r->doc->number);
    if (p->batch_index > 0)
        sim_x_elem_int(b, "ns2:batchIndex", p->batch_index);
    sim_x_elem(b, "ns2:invoiceOperation", r->item->op);
    sim_x_elem(b, "ns2:invoiceCategory", p->category ? p->category : "NORMAL");
    sim_x_elem(b, "ns2:invoiceIssueDate", r->doc->issue_date ? r->doc->issue_date : "2010-01-01");
    sim_x_elem(b, "ns2:supplierTaxNumber", sim_rec_supplier(r));
    sim_x_elem_opt(b, "ns2:supplierGroupMemberTaxNumber", p->supplier_gm);
    elem_trunc(b, "ns2:supplierName", p->supplier_name ? p->supplier_name : "-", 512);
    sim_x_elem_opt(b, "ns2:customerTaxNumber", p->customer);
    sim_x_elem_opt(b, "ns2:customerGroupMemberTaxNumber", p->customer_gm);
    if (p->customer_name && *p->customer_name)
        elem_trunc(b, "ns2:customerName", p->customer_name, 512);
    sim_x_elem_opt(b, "ns2:paymentMethod", p->payment_method);
    sim_x_elem_opt(b, "ns2:paymentDate", p->payment_date);
    sim_x_elem_opt(b, "ns2:invoiceAppearance", p->appearance);
    sim_x_elem(b, "ns2:source", txn_source(r->txn));
    sim_x_elem_opt(b, "ns2:invoiceDeliveryDate", p->delivery_date);
    sim_x_elem_opt(b, "ns2:currency", p->currency);
    sim_x_elem_opt(b, "ns2:invoiceNetAmount", p->net);
    sim_x_elem_opt(b, "ns2:invoiceNetAmountHUF", p->net_huf);
    sim_x_elem_opt(b, "ns2:invoiceVatAmount", p->vat);
    sim_x_elem_opt(b, "ns2:invoiceVatAmountHUF", p->vat_huf);
    sim_x_elem(b, "ns2:transactionId", r->txn->id);
    sim_x_elem_int(b, "ns2:index", r->item->index);
    if (p->has_ref) {
        sim_x_elem_opt(b, "ns2:originalInvoiceNumber", p->orig_number);
        if (p->mod_index > 0)
            sim_x_elem_int(b, "ns2:modificationIndex", p->mod_index);
    }
    sim_fmt_ts(r->txn->ins_ms, ts);
    sim_x_elem(b, "ns2:insDate", ts);
    sim_x_elem(b, "ns2:completenessIndicator", r->doc->completeness ? "true" : "false");
    sim_x_close(b, "ns2:invoiceDigest");
}

void sim_q_invoice_digest(sim_req *q)
{
    digest_q d;
    long page, n = 0, idx = 0;
    int ps = q->s->cfg->page_size;
    char *dirs = sim_child_text(q->root, NS_API, "invoiceDirection");
    xmlNodePtr qp = navoi__xml_child(q->root, NS_API, "invoiceQueryParams");
    xmlNodePtr mqp = navoi__xml_child(qp, NS_API, "mandatoryQueryParams");
    xmlNodePtr aqp = navoi__xml_child(qp, NS_API, "additionalQueryParams");
    xmlNodePtr rqp = navoi__xml_child(qp, NS_API, "relationalQueryParams");
    xmlNodePtr tqp = navoi__xml_child(qp, NS_API, "transactionQueryParams");
    xmlNodePtr m;
    sim_record *r;
    sim_buf *b = &q->r->body;
    memset(&d, 0, sizeof d);
    d.dir = direction_of(dirs);
    free(dirs);
    if (read_page(q, &page))
        goto out;
    if (!d.dir || !mqp) {
        schema_error(q, "invoiceDirection and mandatoryQueryParams are mandatory");
        goto out;
    }
    if ((m = navoi__xml_child(mqp, NS_API, "invoiceIssueDate"))) {
        d.mode = 1;
        if (read_interval(q, m, 1, &d.from, &d.to))
            goto out;
    } else if ((m = navoi__xml_child(mqp, NS_API, "insDate"))) {
        d.mode = 2;
        if (read_interval(q, m, 0, &d.from, &d.to))
            goto out;
    } else if ((d.orig = sim_child_text(mqp, NS_API, "originalInvoiceNumber"))) {
        d.mode = 3;
    } else {
        schema_error(q, "mandatoryQueryParams needs one criterion");
        goto out;
    }
    if (aqp) {
        d.tax = sim_child_text(aqp, NS_API, "taxNumber");
        d.gm = sim_child_text(aqp, NS_API, "groupMemberTaxNumber");
        d.name = sim_child_text(aqp, NS_API, "name");
        d.category = sim_child_text(aqp, NS_API, "invoiceCategory");
        d.pay_method = sim_child_text(aqp, NS_API, "paymentMethod");
        d.appearance = sim_child_text(aqp, NS_API, "invoiceAppearance");
        d.source = sim_child_text(aqp, NS_API, "source");
        d.currency = sim_child_text(aqp, NS_API, "currency");
        if (d.name && strlen(d.name) < 5) {
            schema_error(q, "name must have at least 5 characters");
            goto out;
        }
    }
    if (rqp && read_relational(q, rqp, &d))
        goto out;
    if (tqp) {
        char *ix = sim_child_text(tqp, NS_API, "index");
        d.txid = sim_child_text(tqp, NS_API, "transactionId");
        d.txop = sim_child_text(tqp, NS_API, "invoiceOperation");
        d.txindex = ix ? atoi(ix) : 0;
        free(ix);
        if (!d.txid) {
            schema_error(q, "transactionQueryParams needs transactionId");
            goto out;
        }
    }
    for (r = q->s->records; r; r = r->next)
        if (digest_match(r, &d, q))
            n++;
    sim_resp_begin(q, "QueryInvoiceDigestResponse");
    sim_x_open(b, "ns2:invoiceDigestResult");
    sim_x_elem_int(b, "ns2:currentPage", page);
    sim_x_elem_int(b, "ns2:availablePage", available_pages(n, ps));
    for (r = q->s->records; r; r = r->next) {
        if (!digest_match(r, &d, q))
            continue;
        idx++;
        if (idx > (page - 1) * ps && idx <= page * ps)
            write_digest(b, r);
    }
    sim_x_close(b, "ns2:invoiceDigestResult");
    sim_resp_end(q, "QueryInvoiceDigestResponse");
out:
    digest_q_free(&d);
}

/* ---- queryInvoiceChainDigest ---- */

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return x < y ? -1 : x > y;
}

static void write_chain_element(sim_buf *b, const sim_record *r)
{
    const sim_part *p = r->part;
    char ts[25];
    sim_x_open(b, "ns2:invoiceChainElement");
    sim_x_open(b, "ns2:invoiceChainDigest");
    sim_x_elem(b, "ns2:invoiceNumber", r->doc->number);
    if (p->batch_index > 0)
        sim_x_elem_int(b, "ns2:batchIndex", p->batch_index);
    sim_x_elem(b, "ns2:invoiceOperation", r->item->op);
    sim_x_elem(b, "ns2:supplierTaxNumber", sim_rec_supplier(r));
    sim_x_elem_opt(b, "ns2:customerTaxNumber", p->customer);
    sim_fmt_ts(r->txn->ins_ms, ts);
    sim_x_elem(b, "ns2:insDate", ts);
    sim_x_elem(b, "ns2:originalRequestVersion", sim_version_name(r->txn->version));
    sim_x_close(b, "ns2:invoiceChainDigest");
    if (p->max_line >= 1) {
        sim_x_open(b, "ns2:invoiceLines");
        sim_x_elem_int(b, "ns2:maxLineNumber", p->max_line);
        if (p->has_ref && p->ncreated > 0) {
            int *v = malloc((size_t)p->ncreated * sizeof *v);
            int i, start;
            if (v) {
                memcpy(v, p->created, (size_t)p->ncreated * sizeof *v);
                qsort(v, (size_t)p->ncreated, sizeof *v, cmp_int);
                for (i = 0; i < p->ncreated;) {
                    start = i;
                    while (i + 1 < p->ncreated && v[i + 1] <= v[i] + 1)
                        i++;
                    if (v[start] >= 1) {
                        sim_x_open(b, "ns2:newCreatedLines");
                        sim_x_elem_int(b, "ns2:lineNumberIntervalStart", v[start]);
                        sim_x_elem_int(b, "ns2:lineNumberIntervalEnd", v[i]);
                        sim_x_close(b, "ns2:newCreatedLines");
                    }
                    i++;
                }
                free(v);
            }
        }
        sim_x_close(b, "ns2:invoiceLines");
    }
    if (p->has_ref && p->orig_number) {
        sim_x_open(b, "ns2:invoiceReferenceData");
        sim_x_elem(b, "ns2:originalInvoiceNumber", p->orig_number);
        sim_x_elem(b, "ns2:modifyWithoutMaster", p->mwm ? "true" : "false");
        sim_x_elem_int(b, "ns2:modificationIndex", p->mod_index > 0 ? p->mod_index : 1);
        sim_x_close(b, "ns2:invoiceReferenceData");
    }
    sim_x_close(b, "ns2:invoiceChainElement");
}

static int chain_match(const sim_record *r, const char *num, int dir, const sim_req *q,
                       const char *other)
{
    const sim_part *p = r->part;
    if (!visible(r, q, dir))
        return 0;
    if (!((!p->has_ref && !strcmp(r->doc->number, num)) || (p->has_ref && eq(p->orig_number, num))))
        return 0;
    if (other && !eq(other, dir == 1 ? p->customer : sim_rec_supplier(r)))
        return 0;
    return 1;
}

void sim_q_chain_digest(sim_req *q)
{
    long page, n = 0, idx = 0;
    int ps = q->s->cfg->page_size;
    xmlNodePtr cq = navoi__xml_child(q->root, NS_API, "invoiceChainQuery");
    char *num = sim_child_text(cq, NS_API, "invoiceNumber");
    char *dirs = sim_child_text(cq, NS_API, "invoiceDirection");
    char *other = sim_child_text(cq, NS_API, "taxNumber");
    int dir = direction_of(dirs);
    sim_record *r;
    sim_buf *b = &q->r->body;
    if (read_page(q, &page))
        goto out;
    if (!num || !dir) {
        schema_error(q, "invoiceChainQuery needs invoiceNumber and invoiceDirection");
        goto out;
    }
    for (r = q->s->records; r; r = r->next)
        if (chain_match(r, num, dir, q, other))
            n++;
    sim_resp_begin(q, "QueryInvoiceChainDigestResponse");
    sim_x_open(b, "ns2:invoiceChainDigestResult");
    sim_x_elem_int(b, "ns2:currentPage", page);
    sim_x_elem_int(b, "ns2:availablePage", available_pages(n, ps));
    for (r = q->s->records; r; r = r->next) {
        if (!chain_match(r, num, dir, q, other))
            continue;
        idx++;
        if (idx > (page - 1) * ps && idx <= page * ps)
            write_chain_element(b, r);
    }
    sim_x_close(b, "ns2:invoiceChainDigestResult");
    sim_resp_end(q, "QueryInvoiceChainDigestResponse");
out:
    free(num);
    free(dirs);
    free(other);
}

/* ---- queryTaxpayer ---- */

void sim_q_taxpayer(sim_req *q)
{
    static const char *const addr_names[11] = {
        "ns3:countryCode", "ns3:region", "ns3:postalCode", "ns3:city", "ns3:streetName",
        "ns3:publicPlaceCategory", "ns3:number", "ns3:building", "ns3:staircase", "ns3:floor",
        "ns3:door"};
    char *tax = sim_child_text(q->root, NS_API, "taxNumber");
    const sim_taxpayer *tp;
    sim_buf *b = &q->r->body;
    int i, k;
    if (!tax) {
        schema_error(q, "taxNumber is mandatory");
        return;
    }
    tp = sim_find_taxpayer(q->s->cfg, tax);
    free(tax);
    sim_resp_begin(q, "QueryTaxpayerResponse");
    if (tp && tp->registered) {
        sim_x_elem(b, "ns2:infoDate", tp->info_date[0] ? tp->info_date : "2019-01-01T00:00:00.000Z");
        sim_x_elem(b, "ns2:taxpayerValidity",
                   tp->valid && !sim_tax_invalid(q->s->cfg, tp->tax) ? "true" : "false");
        sim_x_open(b, "ns2:taxpayerData");
        elem_trunc(b, "ns2:taxpayerName", tp->name, 512);
        if (tp->short_name)
            elem_trunc(b, "ns2:taxpayerShortName", tp->short_name, 200);
        sim_x_open(b, "ns2:taxNumberDetail");
        sim_x_elem(b, "ns3:taxpayerId", tp->tax);
        sim_x_elem_opt(b, "ns3:vatCode", tp->vat_code);
        sim_x_elem_opt(b, "ns3:countyCode", tp->county);
        sim_x_close(b, "ns2:taxNumberDetail");
        sim_x_elem(b, "ns2:incorporation", tp->incorporation);
        sim_x_elem_opt(b, "ns2:vatGroupMembership", tp->vat_group);
        if (tp->naddr > 0) {
            sim_x_open(b, "ns2:taxpayerAddressList");
            for (i = 0; i < tp->naddr; i++) {
                sim_x_open(b, "ns2:taxpayerAddressItem");
                sim_x_elem(b, "ns2:taxpayerAddressType", tp->addr[i].type);
                sim_x_open(b, "ns2:taxpayerAddress");
                for (k = 0; k < 11; k++)
                    sim_x_elem_opt(b, addr_names[k], tp->addr[i].f[k]);
                sim_x_close(b, "ns2:taxpayerAddress");
                sim_x_close(b, "ns2:taxpayerAddressItem");
            }
            sim_x_close(b, "ns2:taxpayerAddressList");
        }
        sim_x_close(b, "ns2:taxpayerData");
    } else {
        sim_x_elem(b, "ns2:taxpayerValidity", "false");
    }
    sim_resp_end(q, "QueryTaxpayerResponse");
}
