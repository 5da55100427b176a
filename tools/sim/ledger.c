/*
 * ledger.c - asynchronous processing and the invoice ledger. Items are
 * decoded when received; every decision that depends on the ledger
 * (uniqueness, references, annulments) is taken when the transaction's
 * processing delay has elapsed on the server clock, in arrival order, so
 * results are deterministic for a given sequence of requests.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_internal.h"
#include "xml/ns.h"
#include "xml/parse.h"

#define NS_DATA NAVOI__NS_DATA
#define NS_BASE NAVOI__NS_BASE
#define NS_ANNUL NAVOI__NS_ANNUL

const char *sim_status_name(int st)
{
    switch (st) {
    case SIM_STATUS_RECEIVED: return "RECEIVED";
    case SIM_STATUS_PROCESSING: return "PROCESSING";
    case SIM_STATUS_SAVED: return "SAVED";
    case SIM_STATUS_DONE: return "DONE";
    case SIM_STATUS_ABORTED: return "ABORTED";
    default: return "RECEIVED";
    }
}

static void add_msg(sim_item *it, int business, const char *result, const char *code,
                    const char *message)
{
    sim_msg *m;
    if (it->msgs.n >= SIM_MAX_MSGS)
        return;
    m = &it->msgs.m[it->msgs.n++];
    m->business = business;
    m->result = strdup(result);
    m->code = strdup(code);
    m->message = message ? strdup(message) : NULL;
}

static int has_error(const sim_item *it)
{
    int i;
    for (i = 0; i < it->msgs.n; i++)
        if (it->msgs.m[i].result && !strcmp(it->msgs.m[i].result, "ERROR"))
            return 1;
    return 0;
}

/* ---- documents ---- */

static void part_free(sim_part *p)
{
    char **f[] = {&p->supplier, &p->supplier_gm, &p->supplier_name, &p->customer,
                  &p->customer_gm, &p->customer_name, &p->customer_status, &p->category,
                  &p->delivery_date, &p->payment_method, &p->payment_date, &p->appearance,
                  &p->currency, &p->net, &p->net_huf, &p->vat, &p->vat_huf, &p->orig_number};
    size_t i;
    for (i = 0; i < sizeof f / sizeof f[0]; i++)
        free(*f[i]);
    free(p->created);
}

void sim_doc_free(sim_doc *d)
{
    int i;
    if (!d)
        return;
    for (i = 0; i < d->nparts; i++)
        part_free(&d->parts[i]);
    free(d->parts);
    free(d->number);
    free(d->issue_date);
    free(d->annul_ref);
    free(d->annul_code);
    free(d);
}

static char *path_text(const xmlNode *n, const char *const *names, const char *last_ns)
{
    xmlNodePtr cur = (xmlNodePtr)n;
    for (; cur && names[1]; names++)
        cur = navoi__xml_child(cur, NS_DATA, names[0]);
    if (!cur)
        return NULL;
    return sim_child_text(cur, last_ns, names[0]);
}

#define PT(node, ns, ...) path_text((node), (const char *const[]){__VA_ARGS__, NULL}, (ns))

static int to_int(const char *s)
{
    return s ? atoi(s) : 0;
}

static void read_part(const xmlNode *inv, sim_part *p)
{
    xmlNodePtr lines, line, ref;
    char *t;
    ref = navoi__xml_child(inv, NS_DATA, "invoiceReference");
    if (ref) {
        p->has_ref = 1;
        p->orig_number = sim_child_text(ref, NS_DATA, "originalInvoiceNumber");
        t = sim_child_text(ref, NS_DATA, "modifyWithoutMaster");
        p->mwm = sim_is_true(t);
        free(t);
        t = sim_child_text(ref, NS_DATA, "modificationIndex");
        p->mod_index = to_int(t);
        free(t);
    }
    p->supplier = PT(inv, NS_BASE, "invoiceHead", "supplierInfo", "supplierTaxNumber", "taxpayerId");
    p->supplier_gm =
        PT(inv, NS_BASE, "invoiceHead", "supplierInfo", "groupMemberTaxNumber", "taxpayerId");
    p->supplier_name = PT(inv, NS_DATA, "invoiceHead", "supplierInfo", "supplierName");
    p->customer_status = PT(inv, NS_DATA, "invoiceHead", "customerInfo", "customerVatStatus");
    p->customer = PT(inv, NS_BASE, "invoiceHead", "customerInfo", "customerVatData",
                     "customerTaxNumber", "taxpayerId");
    p->customer_gm = PT(inv, NS_BASE, "invoiceHead", "customerInfo", "customerVatData",
                        "customerTaxNumber", "groupMemberTaxNumber", "taxpayerId");
    p->customer_name = PT(inv, NS_DATA, "invoiceHead", "customerInfo", "customerName");
    p->category = PT(inv, NS_DATA, "invoiceHead", "invoiceDetail", "invoiceCategory");
    p->delivery_date = PT(inv, NS_DATA, "invoiceHead", "invoiceDetail", "invoiceDeliveryDate");
    p->payment_method = PT(inv, NS_DATA, "invoiceHead", "invoiceDetail", "paymentMethod");
    p->payment_date = PT(inv, NS_DATA, "invoiceHead", "invoiceDetail", "paymentDate");
    p->appearance = PT(inv, NS_DATA, "invoiceHead", "invoiceDetail", "invoiceAppearance");
    p->currency = PT(inv, NS_DATA, "invoiceHead", "invoiceDetail", "currencyCode");
    p->net = PT(inv, NS_DATA, "invoiceSummary", "summaryNormal", "invoiceNetAmount");
    p->net_huf = PT(inv, NS_DATA, "invoiceSummary", "summaryNormal", "invoiceNetAmountHUF");
    p->vat = PT(inv, NS_DATA, "invoiceSummary", "summaryNormal", "invoiceVatAmount");
    p->vat_huf = PT(inv, NS_DATA, "invoiceSummary", "summaryNormal", "invoiceVatAmountHUF");
    lines = navoi__xml_child(inv, NS_DATA, "invoiceLines");
    for (line = navoi__xml_child(lines, NS_DATA, "line"); line && p->nlines < SIM_MAX_LINES;
         line = navoi__xml_next(line, NS_DATA, "line")) {
        xmlNodePtr lmr = navoi__xml_child(line, NS_DATA, "lineModificationReference");
        int ln;
        t = sim_child_text(line, NS_DATA, "lineNumber");
        ln = to_int(t);
        free(t);
        if (ln > p->max_line)
            p->max_line = ln;
        p->nlines++;
        if (lmr) {
            char *op = sim_child_text(lmr, NS_DATA, "lineOperation");
            char *r = sim_child_text(lmr, NS_DATA, "lineNumberReference");
            int rv = to_int(r), i;
            if (op && !strcmp(op, "MODIFY"))
                p->line_modify = 1;
            if (op && !strcmp(op, "CREATE")) {
                int *nc;
                for (i = 0; i < p->ncreated; i++)
                    if (p->created[i] == rv)
                        p->ref_dup = 1;
                nc = realloc(p->created, (size_t)(p->ncreated + 1) * sizeof *nc);
                if (nc) {
                    p->created = nc;
                    p->created[p->ncreated++] = rv;
                }
            }
            free(op);
            free(r);
        }
    }
}

/* Extracts the fields the ledger and the queries need from InvoiceData. */
static sim_doc *read_invoice(xmlNodePtr root)
{
    sim_doc *d = calloc(1, sizeof *d);
    xmlNodePtr main_, inv, b;
    char *t;
    if (!d)
        return NULL;
    d->number = sim_child_text(root, NS_DATA, "invoiceNumber");
    d->issue_date = sim_child_text(root, NS_DATA, "invoiceIssueDate");
    t = sim_child_text(root, NS_DATA, "completenessIndicator");
    d->completeness = sim_is_true(t);
    free(t);
    main_ = navoi__xml_child(root, NS_DATA, "invoiceMain");
    inv = navoi__xml_child(main_, NS_DATA, "invoice");
    if (inv) {
        d->parts = calloc(1, sizeof *d->parts);
        if (d->parts) {
            d->nparts = 1;
            read_part(inv, &d->parts[0]);
        }
    } else {
        d->batch = 1;
        for (b = navoi__xml_child(main_, NS_DATA, "batchInvoice"); b && d->nparts < SIM_MAX_BATCH;
             b = navoi__xml_next(b, NS_DATA, "batchInvoice")) {
            sim_part *np = realloc(d->parts, (size_t)(d->nparts + 1) * sizeof *np);
            if (!np)
                break;
            d->parts = np;
            memset(&np[d->nparts], 0, sizeof *np);
            t = sim_child_text(b, NS_DATA, "batchIndex");
            np[d->nparts].batch_index = to_int(t);
            free(t);
            read_part(navoi__xml_child(b, NS_DATA, "invoice"), &np[d->nparts]);
            d->nparts++;
        }
    }
    if (!d->number || d->nparts == 0) {
        sim_doc_free(d);
        return NULL;
    }
    return d;
}

static void tech_fail(sim_item *it, const char *code, const char *msg)
{
    it->tech_code = strdup(code);
    if (msg)
        it->tech_msg[0] = strdup(msg);
}

void sim_item_prepare(sim_server *s, sim_txn *t, sim_item *it)
{
    sim_buf raw = {0}, xml = {0};
    sim_buf *src = &raw;
    xmlDocPtr doc = NULL;
    xmlNodePtr root;
    char err[256];
    int n;
    if (sim_base64_decode(it->data, it->data_len, &raw) != 0) {
        tech_fail(it, "SCHEMA_VIOLATION", "The payload is not valid base64");
        goto out;
    }
    if (!t->annulment && t->compressed) {
        int rc = sim_gunzip(raw.data, raw.len, SIM_MAX_INVOICE, &xml);
        if (rc == -2) {
            tech_fail(it, "COMPRESSION_TOLERANCE_EXCEEDED",
                      "The uncompressed invoice exceeds the size limit");
            goto out;
        }
        if (rc != 0) {
            tech_fail(it, "DECOMPRESSION_ERROR", "The payload could not be decompressed");
            goto out;
        }
        src = &xml;
    }
    if (!src->data)
        sim_buf_add(src, "", 0);
    sim_sha3_512_hex(src->data, src->len, it->decoded_sha3);
    if (navoi__xml_read(src->data, src->len, &doc, err, sizeof err) != 0) {
        char msg[320];
        snprintf(msg, sizeof msg, "The payload is not well-formed XML: %s", err);
        tech_fail(it, "SCHEMA_VIOLATION", msg);
        goto out;
    }
    root = xmlDocGetRootElement(doc);
    if (s->schemas) {
        n = sim_schemas_validate(s->schemas, t->annulment ? SIM_SCHEMA_ANNUL : SIM_SCHEMA_DATA,
                                 doc, it->tech_msg, 8);
        if (n != 0) {
            it->tech_code = strdup("SCHEMA_VIOLATION");
            goto out;
        }
    }
    if (t->annulment) {
        if (!navoi__xml_is(root, NS_ANNUL, "InvoiceAnnulment")) {
            tech_fail(it, "SCHEMA_VIOLATION", "The payload is not an InvoiceAnnulment");
            goto out;
        }
        it->doc = calloc(1, sizeof *it->doc);
        if (it->doc) {
            it->doc->annul_ref = sim_child_text(root, NS_ANNUL, "annulmentReference");
            it->doc->annul_code = sim_child_text(root, NS_ANNUL, "annulmentCode");
            if (!it->doc->annul_ref) {
                sim_doc_free(it->doc);
                it->doc = NULL;
                tech_fail(it, "SCHEMA_VIOLATION", "annulmentReference is missing");
            }
        }
        goto out;
    }
    if (!navoi__xml_is(root, NS_DATA, "InvoiceData") || !(it->doc = read_invoice(root))) {
        tech_fail(it, "SCHEMA_VIOLATION", "The payload is not a valid InvoiceData");
        goto out;
    }
    /* a finished transaction loaded from the state already has its results */
    if (!t->finished && !t->seeded)
        sim_rules_invoice(s, t, it, root);
out:
    if (it->tech_code && !it->tech_msg[0])
        it->tech_msg[0] = strdup("Schema violation");
    if (doc)
        xmlFreeDoc(doc);
    sim_buf_free(&raw);
    sim_buf_free(&xml);
}

/* ---- transactions ---- */

void sim_txn_free(sim_txn *t)
{
    int i, j;
    if (!t)
        return;
    for (i = 0; i < t->nitems; i++) {
        sim_item *it = &t->items[i];
        free(it->data);
        free(it->ehash);
        free(it->ehash_crypto);
        free(it->tech_code);
        for (j = 0; j < 8; j++)
            free(it->tech_msg[j]);
        for (j = 0; j < it->msgs.n; j++) {
            free(it->msgs.m[j].result);
            free(it->msgs.m[j].code);
            free(it->msgs.m[j].message);
        }
        sim_item_pre_free(it);
        sim_doc_free(it->doc);
    }
    free(t->items);
    free(t);
}

/* ---- indexes (see struct sim_server) ---- */

static size_t str_hash(const char *a, const char *b)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; a && *a; a++)
        h = (h ^ (unsigned char)*a) * 1099511628211ULL;
    if (b) {
        h = (h ^ 0xff) * 1099511628211ULL;
        for (; *b; b++)
            h = (h ^ (unsigned char)*b) * 1099511628211ULL;
    }
    return (size_t)(h ^ (h >> 29));
}

/* (Re)builds an index with at least 2n buckets from a list; 0 or -1. */
#define SIM_INDEX_BUILD(type, idx, nb, cnt, list, keyexpr)                          \
    do {                                                                          \
        size_t want_ = 1024, i_;                                                  \
        type **v_;                                                                \
        type *e_;                                                                 \
        while (want_ < 2 * (cnt) + 2)                                             \
            want_ *= 2;                                                           \
        v_ = calloc(want_, sizeof *v_);                                           \
        if (!v_)                                                                  \
            break;                                                                \
        free(idx);                                                                \
        (idx) = v_;                                                               \
        (nb) = want_;                                                             \
        (cnt) = 0;                                                                \
        for (e_ = (list); e_; e_ = e_->next) {                                    \
            i_ = keyexpr & ((nb) - 1);                                            \
            e_->hnext = (idx)[i_];                                                \
            (idx)[i_] = e_;                                                       \
            (cnt)++;                                                              \
        }                                                                         \
    } while (0)

#define REC_KEY(r) str_hash((r)->doc->number, NULL)
#define TXN_KEY(t) str_hash((t)->id, NULL)

static int rec_index(sim_server *s)
{
    if (!s->rec_idx || s->rec_n >= s->rec_nb)
        SIM_INDEX_BUILD(sim_record, s->rec_idx, s->rec_nb, s->rec_n, s->records, REC_KEY(e_));
    return s->rec_idx ? 0 : -1;
}

static int txn_index(sim_server *s)
{
    if (!s->txn_idx || s->txn_n >= s->txn_nb)
        SIM_INDEX_BUILD(sim_txn, s->txn_idx, s->txn_nb, s->txn_n, s->txns, TXN_KEY(e_));
    return s->txn_idx ? 0 : -1;
}

sim_record *sim_records_by_number(sim_server *s, const char *number)
{
    if (rec_index(s) != 0) {
        /* out of memory: the index cannot help; callers then see nothing,
         * which only happens when the process is failing anyway */
        return NULL;
    }
    return s->rec_idx[str_hash(number, NULL) & (s->rec_nb - 1)];
}

static int reqid_expired(const sim_server *s, const sim_reqid *r, int64_t now)
{
    return r->ms + s->cfg->reqid_retention_ms < now;
}

int sim_reqid_used_locked(sim_server *s, const char *tax, const char *id, int64_t now)
{
    sim_reqid *r;
    /* every 4096 lookups (and at first use): drop expired entries, rebuild */
    if (!s->rid_idx || ++s->rid_ops % 4096 == 0 || s->rid_n >= s->rid_nb) {
        sim_reqid **pp = &s->reqids;
        while (*pp) {
            r = *pp;
            if (reqid_expired(s, r, now)) {
                *pp = r->next;
                free(r);
                continue;
            }
            pp = &r->next;
        }
        SIM_INDEX_BUILD(sim_reqid, s->rid_idx, s->rid_nb, s->rid_n, s->reqids,
                        str_hash(e_->tax, e_->id));
        if (!s->rid_idx) { /* out of memory: scan the list */
            for (r = s->reqids; r; r = r->next)
                if (!strcmp(r->tax, tax) && !strcmp(r->id, id))
                    return 1;
            return 0;
        }
    }
    for (r = s->rid_idx[str_hash(tax, id) & (s->rid_nb - 1)]; r; r = r->hnext)
        if (!reqid_expired(s, r, now) && !strcmp(r->tax, tax) && !strcmp(r->id, id))
            return 1;
    return 0;
}

void sim_reqid_add_locked(sim_server *s, sim_reqid *r)
{
    r->next = s->reqids;
    s->reqids = r;
    if (s->rid_idx) {
        size_t i = str_hash(r->tax, r->id) & (s->rid_nb - 1);
        r->hnext = s->rid_idx[i];
        s->rid_idx[i] = r;
        s->rid_n++;
    }
}

void sim_indexes_free(sim_server *s)
{
    free(s->rec_idx);
    free(s->txn_idx);
    free(s->rid_idx);
    s->rec_idx = NULL;
    s->txn_idx = NULL;
    s->rid_idx = NULL;
}

void sim_txn_append(sim_server *s, sim_txn *t)
{
    t->seq = ++s->seq;
    if (s->txns_tail)
        s->txns_tail->next = t;
    else
        s->txns = t;
    s->txns_tail = t;
    s->ntxns++;
    if (s->txn_idx) {
        size_t i = TXN_KEY(t) & (s->txn_nb - 1);
        t->hnext = s->txn_idx[i];
        s->txn_idx[i] = t;
        s->txn_n++;
    }
}

sim_txn *sim_txn_find(sim_server *s, const char *id)
{
    sim_txn *t;
    if (txn_index(s) != 0) {
        for (t = s->txns; t; t = t->next)
            if (!strcmp(t->id, id))
                return t;
        return NULL;
    }
    for (t = s->txn_idx[str_hash(id, NULL) & (s->txn_nb - 1)]; t; t = t->hnext)
        if (!strcmp(t->id, id))
            return t;
    return NULL;
}

static void add_records(sim_server *s, sim_txn *t, sim_item *it)
{
    int i;
    for (i = 0; i < it->doc->nparts; i++) {
        sim_record *r = calloc(1, sizeof *r);
        if (!r)
            return;
        r->txn = t;
        r->item = it;
        r->doc = it->doc;
        r->part = &it->doc->parts[i];
        r->valid = 1;
        if (s->records_tail)
            s->records_tail->next = r;
        else
            s->records = r;
        s->records_tail = r;
        if (s->rec_idx) {
            size_t k = REC_KEY(r) & (s->rec_nb - 1);
            r->hnext = s->rec_idx[k];
            s->rec_idx[k] = r;
            s->rec_n++;
        }
    }
}

const char *sim_rec_supplier(const sim_record *r)
{
    return r->part->supplier ? r->part->supplier : r->txn->tax;
}

/* A technical annulment of `number` is waiting for approval. */
static int annul_pending(sim_server *s, const char *supplier, const char *number)
{
    sim_txn *t;
    int i;
    for (t = s->txns; t; t = t->next) {
        if (!t->annulment || t->annul_status != SIM_ANNUL_PENDING || strcmp(t->tax, supplier))
            continue;
        for (i = 0; i < t->nitems; i++)
            if (t->items[i].doc && t->items[i].doc->annul_ref &&
                !strcmp(t->items[i].doc->annul_ref, number))
                return 1;
    }
    return 0;
}

/* Does the chain of base invoice `orig` already hold line number ln? */
static int chain_has_line(sim_server *s, const char *supplier, const char *orig, int ln)
{
    sim_record *r;
    int i;
    for (r = s->records; r; r = r->next) {
        if (!r->valid || strcmp(sim_rec_supplier(r), supplier))
            continue;
        if (!r->part->has_ref && !strcmp(r->doc->number, orig) && ln >= 1 &&
            ln <= r->part->max_line)
            return 1;
        if (r->part->has_ref && r->part->orig_number && !strcmp(r->part->orig_number, orig))
            for (i = 0; i < r->part->ncreated; i++)
                if (r->part->created[i] == ln)
                    return 1;
    }
    return 0;
}

/* Lowest requestVersion in the chain of base invoice `orig` (base and
 * amendments); 0 when the chain is empty. */
static int chain_min_version(sim_server *s, const char *supplier, const char *orig)
{
    sim_record *r;
    int v = 0;
    for (r = s->records; r; r = r->next)
        if (r->valid && !strcmp(sim_rec_supplier(r), supplier) &&
            ((!r->part->has_ref && !strcmp(r->doc->number, orig)) ||
             (r->part->has_ref && r->part->orig_number && !strcmp(r->part->orig_number, orig))) &&
            (!v || r->txn->version < v))
            v = r->txn->version;
    return v;
}

/* 3.3.2 #11: an amendment or annulment may not use a lower requestVersion
 * than the chain (for a mixed chain, its lowest). Not run for 1.0. */
static void check_version_reference(sim_server *s, sim_txn *t, sim_item *it, const char *orig)
{
    int v = chain_min_version(s, t->tax, orig);
    if (t->version > 10 && v && t->version < v)
        add_msg(it, 1, "ERROR", "REQUEST_VERSION_REFERENCE_ERROR",
                "The requested operation is not applicable with the current request version on "
                "the referenced invoice.");
}

/* Case code UNKNOWN (recorded by rules.c) is only for amendments without a
 * 3.0 history: modifyWithoutMaster or a base reported before 3.0. */
static void check_unknown_cases(sim_item *it, const sim_part *p, int allowed)
{
    static const struct {
        int bit;
        const char *code, *text;
    } k[] = {
        {SIM_UNKNOWN_LINE_EXEMPTION, "INVALID_LINE_VAT_EXEMPTION_CODE",
         "Invalid tax exemption code."},
        {SIM_UNKNOWN_SUMMARY_EXEMPTION, "INVALID_SUMMARY_VAT_EXEMPTION_CODE",
         "Invalid tax exemption code."},
        {SIM_UNKNOWN_LINE_OUT_OF_SCOPE, "INVALID_LINE_VAT_OUT_OF_SCOPE_CODE",
         "Invalid VAT exemption code."},
        {SIM_UNKNOWN_SUMMARY_OUT_OF_SCOPE, "INVALID_SUMMARY_VAT_OUT_OF_SCOPE_CODE",
         "Invalid VAT exemption code."},
        {SIM_UNKNOWN_LINE_MISMATCH, "INVALID_LINE_VAT_AMOUNT_MISMATCH_CODE",
         "Invalid tax base and charged tax difference indicator code!"},
        {SIM_UNKNOWN_SUMMARY_MISMATCH, "INVALID_SUMMARY_VAT_AMOUNT_MISMATCH_CODE",
         "Invalid tax base and charged tax difference indicator code!"},
    };
    size_t i;
    if (allowed)
        return;
    for (i = 0; i < sizeof k / sizeof k[0]; i++)
        if (p->unknown_cases & k[i].bit)
            add_msg(it, 1, "ERROR", k[i].code, k[i].text);
}

static void check_part(sim_server *s, sim_txn *t, sim_item *it, const sim_part *p)
{
    sim_record *r;
    int is_create = !strcmp(it->op, "CREATE");
    const sim_user *u = sim_find_user(s->cfg, t->user);
    if (!p->supplier || strcmp(p->supplier, t->tax) != 0)
        add_msg(it, 1, "ERROR", "SUPPLIER_TAX_NUMBER_MISMATCH",
                "The supplier tax number differs from the tax number of the user");
    /* #10: a technical user restricted to some customers (config) */
    if (u && !sim_user_allows_customer(u, p->customer))
        add_msg(it, 1, "ERROR", "CUSTOMER_NOT_ASSIGNED", "Not authorized customer tax number.");
    if (is_create) {
        if (p->has_ref)
            add_msg(it, 1, "ERROR", "INVOICE_REFERENCE_NOT_EXPECTED",
                    "invoiceReference is not allowed for CREATE");
        check_unknown_cases(it, p, 0);
        return;
    }
    if (!p->has_ref || !p->orig_number) {
        add_msg(it, 1, "ERROR", "INVOICE_REFERENCE_EXPECTED",
                "invoiceReference is mandatory for MODIFY and STORNO");
        return;
    }
    {
        int bases = 0, i, base_version = 0, type_mismatch = 0, base_einv = 1;
        for (r = sim_records_by_number(s, p->orig_number); r; r = r->hnext)
            if (r->valid && !r->part->has_ref && !strcmp(sim_rec_supplier(r), t->tax) &&
                !strcmp(r->doc->number, p->orig_number)) {
                bases++;
                if (!base_version || r->txn->version < base_version)
                    base_version = r->txn->version;
                if (!r->part->category || !p->category || strcmp(r->part->category, p->category))
                    type_mismatch = 1;
                base_einv &= r->doc->completeness;
            }
        if (bases > 0 && !p->mwm && type_mismatch)
            add_msg(it, 1, "ERROR", "INVOICE_TYPE_MISMATCH",
                    "The type of invoice designated in the modification/annulment does not match "
                    "the base invoice type.");
        if (bases > 0 && it->doc->completeness && !base_einv)
            add_msg(it, 1, "ERROR", "INCOMPLETE_ELECTRONIC_INVOICE_REFERENCE",
                    "The original document is not a data report accepted as electronic invoice.");
        check_version_reference(s, t, it, p->orig_number);
        check_unknown_cases(it, p, p->mwm || (bases > 0 && base_version < 30));
        if (bases == 0 && !p->mwm)
            add_msg(it, 1, "ERROR", "INVALID_INVOICE_REFERENCE",
                    "The referenced original invoice does not exist");
        if (bases > 0 && p->mwm)
            add_msg(it, 1, "ERROR", "MODIFY_WITHOUT_MASTER_MISMATCH",
                    "modifyWithoutMaster is true but the original invoice exists");
        if (bases > 1)
            add_msg(it, 1, "ERROR", "MULTIPLE_INVOICES_FOUND",
                    "The original invoice has several valid instances");
        if (annul_pending(s, t->tax, p->orig_number))
            add_msg(it, 1, "ERROR", "ANNULMENT_IN_PROGRESS",
                    "A technical annulment of the chain is waiting for approval");
        for (r = s->records; r; r = r->next)
            if (r->valid && r->part->has_ref && r->part->orig_number &&
                !strcmp(sim_rec_supplier(r), t->tax) && !strcmp(r->part->orig_number, p->orig_number) &&
                r->part->mod_index == p->mod_index) {
                add_msg(it, 1, "ERROR", "MODIFICATION_INDEX_NOT_UNIQUE",
                        "The modificationIndex is already used for this original invoice");
                break;
            }
        if (p->line_modify)
            add_msg(it, 1, "ERROR", "INVALID_LINE_OPERATION",
                    "lineOperation MODIFY is not allowed; use CREATE");
        if (p->ref_dup)
            add_msg(it, 1, "ERROR", "LINE_NUMBER_REFERENCE_NOT_UNIQUE",
                    "A lineNumberReference repeats within the document");
        for (i = 0; i < p->ncreated; i++)
            if (chain_has_line(s, t->tax, p->orig_number, p->created[i])) {
                add_msg(it, 1, "ERROR", "INVOICE_LINE_ALREADY_EXISTS",
                        "A line created by lineNumberReference already exists in the chain");
                break;
            }
    }
}

static void check_ehash(sim_server *s, sim_item *it)
{
    char h[129];
    int ok;
    if (!it->doc->completeness) {
        if (it->ehash && strcmp(it->ehash_crypto, "SHA-256") && strcmp(it->ehash_crypto, "SHA3-512"))
            add_msg(it, 1, "ERROR", "INVALID_INVOICE_HASH_CRYPTO",
                    "electronicInvoiceHash must be SHA-256 or SHA3-512");
        return;
    }
    if (!it->ehash) {
        add_msg(it, 1, "ERROR", "ELECTRONIC_INVOICE_HASH_EXPECTED",
                "electronicInvoiceHash is mandatory for an electronic invoice");
        return;
    }
    if (strcmp(it->ehash_crypto, "SHA3-512") != 0) {
        add_msg(it, 1, "ERROR", "INVALID_INVOICE_HASH_CRYPTO",
                "electronicInvoiceHash must be SHA3-512 for an electronic invoice");
        return;
    }
    ok = sim_sha3_512_hex(it->data, it->data_len, h) == 0 && !strcmp(h, it->ehash);
    if (!ok && s->cfg->ehash_decoded && !strcmp(it->decoded_sha3, it->ehash))
        ok = 1;
    if (!ok)
        add_msg(it, 1, "ERROR", "INVALID_INVOICE_HASH", "electronicInvoiceHash does not match");
}

static void finalize_invoice_txn(sim_server *s, sim_txn *t)
{
    int i, j, k;
    for (i = 0; i < t->nitems; i++) {
        sim_item *it = &t->items[i];
        if (it->tech_code)
            for (k = 0; k < 8 && it->tech_msg[k]; k++)
                add_msg(it, 0, "ERROR", it->tech_code, it->tech_msg[k]);
    }
    for (i = 0; i < t->nitems; i++)
        for (j = i + 1; j < t->nitems; j++) {
            sim_item *a = &t->items[i], *b = &t->items[j];
            if (a->doc && b->doc && !strcmp(a->doc->number, b->doc->number)) {
                if (!has_error(a))
                    add_msg(a, 0, "ERROR", "DUPLICATE_IN_REQUEST",
                            "The invoice number occurs more than once in the request");
                if (!has_error(b))
                    add_msg(b, 0, "ERROR", "DUPLICATE_IN_REQUEST",
                            "The invoice number occurs more than once in the request");
            }
        }
    for (i = 0; i < t->nitems; i++) {
        sim_item *it = &t->items[i];
        if (!it->doc || !it->doc->batch || has_error(it))
            continue;
        if (!strcmp(it->op, "CREATE"))
            add_msg(it, 0, "ERROR", "CREATE_WITH_BATCH_INVOICE_FOUND",
                    "batchInvoice is not allowed with CREATE");
        else if (t->nitems > 1)
            add_msg(it, 0, "ERROR", "MULTIPLE_INDICES_WITH_BATCH_INVOICE_FOUND",
                    "A batch invoice must be the only item of the request");
        else if (it->doc->nparts < 2)
            add_msg(it, 0, "ERROR", "BATCH_INVOICE_CARDINALITY_ERROR",
                    "A batch invoice needs at least two documents");
        else
            for (k = 0; k < it->doc->nparts; k++)
                if (it->doc->parts[k].batch_index != k + 1) {
                    add_msg(it, 0, "ERROR", "BATCH_INDEX_NOT_SEQUENTIAL",
                            "batchIndex values are not sequential");
                    break;
                }
    }
    for (i = 0; i < t->nitems; i++) {
        sim_item *it = &t->items[i];
        sim_record *r;
        if (!has_error(it) && it->doc) {
            const char *sup = it->doc->parts[0].supplier ? it->doc->parts[0].supplier : t->tax;
            for (r = sim_records_by_number(s, it->doc->number); r; r = r->hnext)
                if (r->valid && !strcmp(sim_rec_supplier(r), sup) &&
                    !strcmp(r->doc->number, it->doc->number)) {
                    add_msg(it, 1, "ERROR", "INVOICE_NUMBER_NOT_UNIQUE",
                            "The invoice number has already been reported");
                    break;
                }
            if (annul_pending(s, t->tax, it->doc->number))
                add_msg(it, 1, "ERROR", "ANNULMENT_IN_PROGRESS",
                        "A technical annulment of this number is waiting for approval");
            for (k = 0; k < it->doc->nparts; k++)
                check_part(s, t, it, &it->doc->parts[k]);
            check_ehash(s, it);
            for (k = 0; k < it->npre; k++)
                add_msg(it, 1, it->pre[k].result, it->pre[k].code, it->pre[k].message);
        }
        sim_item_pre_free(it);
        if (has_error(it) || !it->doc) {
            it->status = SIM_STATUS_ABORTED;
        } else {
            it->status = SIM_STATUS_DONE;
            add_records(s, t, it);
        }
    }
}

/* Base invoice number of the chain that `number` belongs to. */
static const char *annul_chain(sim_server *s, const char *supplier, const char *number)
{
    sim_record *r;
    for (r = sim_records_by_number(s, number); r; r = r->hnext)
        if (r->valid && !strcmp(sim_rec_supplier(r), supplier) && !strcmp(r->doc->number, number) &&
            r->part->has_ref && r->part->orig_number)
            return r->part->orig_number;
    return number;
}

static void finalize_annulment_txn(sim_server *s, sim_txn *t)
{
    int i, k, all_ok = 1;
    for (i = 0; i < t->nitems; i++) {
        sim_item *it = &t->items[i];
        if (it->tech_code)
            for (k = 0; k < 8 && it->tech_msg[k]; k++)
                add_msg(it, 0, "ERROR", it->tech_code, it->tech_msg[k]);
        if (!has_error(it) && it->doc) {
            sim_record *r;
            int found = 0, einv = 0;
            for (r = sim_records_by_number(s, it->doc->annul_ref); r; r = r->hnext)
                if (r->valid && !strcmp(sim_rec_supplier(r), t->tax) &&
                    !strcmp(r->doc->number, it->doc->annul_ref)) {
                    found = 1;
                    einv |= r->doc->completeness;
                }
            if (!found)
                add_msg(it, 1, "ERROR", "INVALID_ANNULMENT_REFERENCE",
                        "The annulled invoice number is unknown");
            else if (einv)
                add_msg(it, 1, "ERROR", "ELECTRONIC_INVOICE_ANNULMENT_NOT_ALLOWED",
                        "An electronic invoice report cannot be annulled");
            else if (annul_pending(s, t->tax, it->doc->annul_ref))
                add_msg(it, 1, "ERROR", "ANNULMENT_IN_PROGRESS",
                        "An annulment of this number is already waiting for approval");
            if (found)
                check_version_reference(s, t, it, annul_chain(s, t->tax, it->doc->annul_ref));
        }
        it->status = has_error(it) || !it->doc ? SIM_STATUS_ABORTED : SIM_STATUS_DONE;
        if (it->status != SIM_STATUS_DONE)
            all_ok = 0;
    }
    t->annul_status = all_ok ? SIM_ANNUL_PENDING : SIM_ANNUL_NOT_VERIFIABLE;
}

void sim_advance_locked(sim_server *s)
{
    int64_t now = sim_now_locked(s);
    sim_txn *t;
    /* skip the prefix of the list that is finished (it only grows) */
    t = s->adv_done ? s->adv_done->next : s->txns;
    while (t && t->finished) {
        s->adv_done = t;
        t = t->next;
    }
    for (; t; t = t->next) {
        int64_t t_proc, t_fin;
        int i;
        if (t->finished)
            continue;
        t_proc = t->ins_ms + s->cfg->delay_received_ms;
        t_fin = t_proc + s->cfg->delay_processing_ms + t->extra_ms;
        if (now >= t_fin) {
            if (t->annulment)
                finalize_annulment_txn(s, t);
            else
                finalize_invoice_txn(s, t);
            t->finished = 1;
            sim_db_save_txn(s, t);
        } else if (now >= t_proc) {
            for (i = 0; i < t->nitems; i++)
                if (t->items[i].status == SIM_STATUS_RECEIVED)
                    t->items[i].status = SIM_STATUS_PROCESSING;
        }
    }
}

/* Applies an approved annulment: the numbers become free again and
 * annulling a base invoice also annuls its amendments (2.4.1). */
static void apply_annulment(sim_server *s, sim_txn *t)
{
    int i;
    sim_record *r;
    for (i = 0; i < t->nitems; i++) {
        const char *ref = t->items[i].doc ? t->items[i].doc->annul_ref : NULL;
        int base = 0;
        if (!ref)
            continue;
        for (r = sim_records_by_number(s, ref); r; r = r->hnext)
            if (r->valid && !strcmp(sim_rec_supplier(r), t->tax) && !strcmp(r->doc->number, ref)) {
                r->valid = 0;
                if (!r->part->has_ref)
                    base = 1;
            }
        if (base)
            for (r = s->records; r; r = r->next)
                if (r->valid && r->part->has_ref && r->part->orig_number &&
                    !strcmp(sim_rec_supplier(r), t->tax) && !strcmp(r->part->orig_number, ref))
                    r->valid = 0;
    }
}

int sim_annul_decide_locked(sim_server *s, const char *txid, int approve, const char *user)
{
    sim_txn *t = sim_txn_find(s, txid);
    if (!t || !t->annulment || t->annul_status != SIM_ANNUL_PENDING)
        return -1;
    t->annul_status = approve ? SIM_ANNUL_DONE : SIM_ANNUL_REJECTED;
    t->annul_decision_ms = sim_now_locked(s);
    snprintf(t->annul_user, sizeof t->annul_user, "%s", user && *user ? user : "navoisimadmin");
    if (approve)
        apply_annulment(s, t);
    sim_db_save_txn(s, t);
    return 0;
}

void sim_txn_restore_records(sim_server *s, sim_txn *t)
{
    int i;
    if (!t->finished)
        return;
    if (t->annulment) {
        if (t->annul_status == SIM_ANNUL_DONE)
            apply_annulment(s, t);
        return;
    }
    for (i = 0; i < t->nitems; i++)
        if (t->items[i].status == SIM_STATUS_DONE && t->items[i].doc)
            add_records(s, t, &t->items[i]);
}

/* ---- public ledger/admin API ---- */

void sim_ledger_get(sim_server *s, const char *supplier, const char *number,
                    sim_ledger_entry *out)
{
    sim_txn *t;
    sim_record *r;
    int i;
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&s->lock);
    sim_advance_locked(s);
    for (t = s->txns; t; t = t->next) {
        if (t->annulment)
            continue;
        for (i = 0; i < t->nitems; i++) {
            sim_item *it = &t->items[i];
            const char *sup;
            if (!it->doc || strcmp(it->doc->number, number))
                continue;
            sup = it->doc->parts[0].supplier ? it->doc->parts[0].supplier : t->tax;
            if (strcmp(sup, supplier))
                continue;
            out->submitted++;
            out->status = it->status;
            if (it->status == SIM_STATUS_DONE)
                out->accepted++;
        }
    }
    for (r = sim_records_by_number(s, number); r; r = r->hnext)
        if (!r->valid && !strcmp(sim_rec_supplier(r), supplier) && !strcmp(r->doc->number, number))
            out->annulled = 1;
    pthread_mutex_unlock(&s->lock);
}

int sim_transaction_count(sim_server *s, const char *tax)
{
    sim_txn *t;
    int n = 0;
    pthread_mutex_lock(&s->lock);
    for (t = s->txns; t; t = t->next)
        if (!t->seeded && (!tax || !strcmp(t->tax, tax)))
            n++;
    pthread_mutex_unlock(&s->lock);
    return n;
}

int sim_item_status(sim_server *s, const char *id, int index)
{
    sim_txn *t;
    int st = SIM_STATUS_NONE;
    pthread_mutex_lock(&s->lock);
    sim_advance_locked(s);
    t = sim_txn_find(s, id);
    if (t && index >= 1 && index <= t->nitems)
        st = t->items[index - 1].status;
    pthread_mutex_unlock(&s->lock);
    return st;
}

int sim_annulment_decide(sim_server *s, const char *id, int approve, const char *user)
{
    int rc;
    pthread_mutex_lock(&s->lock);
    sim_advance_locked(s);
    rc = sim_annul_decide_locked(s, id, approve, user);
    if (rc)
        snprintf(s->err, sizeof s->err, "no annulment %s waiting for a decision", id);
    pthread_mutex_unlock(&s->lock);
    return rc;
}

int sim_seed_invoice(sim_server *s, const char *xml, size_t len, char *err, size_t errlen)
{
    sim_txn *t;
    sim_item *it;
    sim_buf b64 = {0};
    int rc = -1;
    if (len > SIM_MAX_BODY) {
        snprintf(err, errlen, "invoice too large");
        return -1;
    }
    t = calloc(1, sizeof *t);
    it = calloc(1, sizeof *it);
    sim_base64_encode(xml, len, &b64);
    if (!t || !it || b64.oom) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    t->items = it;
    t->nitems = 1;
    t->seeded = 1;
    t->version = 30;
    t->finished = 1;
    t->notified = 1;
    snprintf(t->user, sizeof t->user, "navoisimseed");
    it->index = 1;
    snprintf(it->op, sizeof it->op, "CREATE");
    it->data = b64.data;
    it->data_len = b64.len;
    b64.data = NULL;
    pthread_mutex_lock(&s->lock);
    sim_item_prepare(s, t, it);
    if (!it->doc || it->tech_code) {
        pthread_mutex_unlock(&s->lock);
        snprintf(err, errlen, "invoice rejected: %s",
                 it->tech_msg[0] ? it->tech_msg[0] : "not an InvoiceData");
        goto fail;
    }
    if (it->doc->parts[0].has_ref)
        snprintf(it->op, sizeof it->op, "MODIFY");
    snprintf(t->tax, sizeof t->tax, "%s",
             it->doc->parts[0].supplier ? it->doc->parts[0].supplier : "00000000");
    do {
        sim_random_alnum(t->id, 16);
    } while (sim_txn_find(s, t->id));
    t->ins_ms = sim_now_locked(s);
    it->status = SIM_STATUS_DONE;
    sim_txn_append(s, t);
    add_records(s, t, it);
    sim_db_save_txn(s, t);
    pthread_mutex_unlock(&s->lock);
    return 0;
fail:
    sim_buf_free(&b64);
    if (t && !t->items)
        free(it);
    sim_txn_free(t);
    return rc;
}
