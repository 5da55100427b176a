/*
 * rules.c - NAV's business validation rules that can be decided from the
 * invoice alone (PROTOCOL.md 7.3, spec 3.3.2): customer data, line
 * numbering and content, line/summary types, VAT rates and case codes,
 * e-invoice restrictions, invoice number and dates, plus two Annex I
 * warnings. They run once, when an item is received; the findings wait in
 * item->pre and are reported at processing, after the rules that need the
 * ledger (ledger.c), which also decides the UNKNOWN case codes recorded
 * here. One message per code and item; line rules name the first line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "sim_internal.h"
#include "xml/ns.h"
#include "xml/parse.h"

#define NS_DATA NAVOI__NS_DATA
#define NS_BASE NAVOI__NS_BASE
#define SIM_MAX_PRE 32

/* Rates of 3.3.2 #14 and #48-49 (normalised: no trailing zeros). The
 * vatAmountMismatch set follows the spec table (0.0476), not the
 * changelog's 0.0426 (PROTOCOL.md 7.3 note). */
static const char *const k_percent[] = {"0.05", "0.07", "0.12", "0.18", "0.27", NULL};
static const char *const k_percent_old[] = {"0.2", "0.25", NULL};
static const char *const k_content[] = {"0.0476", "0.1525", "0.2126", NULL};
static const char *const k_content_old[] = {"0.1667", "0.2", NULL};
static const char *const k_mismatch_rate[] = {"0.27", "0.18", "0.05", "0.2126", "0.1525", "0.0476",
                                              NULL};
static const char *const k_exemption[] = {"AAM", "TAM", "KBAET", "KBAUK", "EAM", "NAM", NULL};
static const char *const k_out_of_scope[] = {"ATK", "EUFAD37", "EUFADE", "EUE", "HO", NULL};
static const char *const k_mismatch_case[] = {"REFUNDABLE_VAT", "NONREFUNDABLE_VAT", NULL};

/* Old rates stay valid for deliveries before this date (#14). */
#define OLD_RATE_BEFORE "2013-01-01"

#define VAT_DATA_TEXT "The provided VAT percentage or VAT rate is not allowed."

typedef struct rule_ctx {
    sim_server *s;
    sim_item *it;
    int create, storno;
    int batch_index;       /* of the part being checked, 0 = not a batch */
    const char *supplier;  /* taxpayerId of the part's supplier */
} rule_ctx;

void sim_item_pre_free(sim_item *it)
{
    int i;
    for (i = 0; i < it->npre; i++) {
        free(it->pre[i].result);
        free(it->pre[i].code);
        free(it->pre[i].message);
    }
    free(it->pre);
    it->pre = NULL;
    it->npre = 0;
}

/* Records one finding; a code already recorded for this item is not
 * repeated. where (may be NULL) locates it, e.g. "line 3". */
static void pre_add(rule_ctx *c, const char *result, const char *code, const char *text,
                    const char *where)
{
    sim_item *it = c->it;
    sim_msg *m, *nm;
    char msg[512], loc[64] = "";
    int i;
    for (i = 0; i < it->npre; i++)
        if (!strcmp(it->pre[i].code, code))
            return;
    if (it->npre >= SIM_MAX_PRE)
        return;
    nm = realloc(it->pre, (size_t)(it->npre + 1) * sizeof *nm);
    if (!nm)
        return;
    it->pre = nm;
    if (c->batch_index > 0 && where)
        snprintf(loc, sizeof loc, " (batchIndex %d, %s)", c->batch_index, where);
    else if (c->batch_index > 0)
        snprintf(loc, sizeof loc, " (batchIndex %d)", c->batch_index);
    else if (where)
        snprintf(loc, sizeof loc, " (%s)", where);
    snprintf(msg, sizeof msg, "%s%s", text, loc);
    m = &it->pre[it->npre];
    memset(m, 0, sizeof *m);
    m->business = 1;
    m->result = strdup(result);
    m->code = strdup(code);
    m->message = strdup(msg);
    if (!m->result || !m->code || !m->message) {
        free(m->result);
        free(m->code);
        free(m->message);
        return;
    }
    it->npre++;
}

static void err(rule_ctx *c, const char *code, const char *text, const char *where)
{
    pre_add(c, "ERROR", code, text, where);
}

/* Trimmed text of the first child ns:name into buf (cut to its size);
 * NULL when the child is absent. */
static const char *get(const xmlNode *n, const char *ns, const char *name, char *buf, size_t cap)
{
    char *t = sim_child_text(n, ns, name);
    if (!t)
        return NULL;
    snprintf(buf, cap, "%s", t);
    free(t);
    return buf;
}

static xmlNodePtr kid(const xmlNode *n, const char *name)
{
    return navoi__xml_child(n, NS_DATA, name);
}

static int in_set(const char *v, const char *const *set)
{
    for (; v && *set; set++)
        if (!strcmp(v, *set))
            return 1;
    return 0;
}

/* xs:decimal text without sign noise, leading or trailing zeros:
 * "0.270" and ".27" -> "0.27", "1.0" -> "1". */
static void norm_decimal(const char *v, char *out, size_t cap)
{
    const char *dot = strchr(v, '.');
    size_t ilen = dot ? (size_t)(dot - v) : strlen(v), flen = dot ? strlen(dot + 1) : 0;
    const char *ip = v;
    if (*ip == '+') {
        ip++;
        ilen--;
    }
    while (ilen > 1 && *ip == '0') {
        ip++;
        ilen--;
    }
    while (flen > 0 && dot[flen] == '0')
        flen--;
    if (ilen == 0)
        snprintf(out, cap, "0");
    else
        snprintf(out, cap, "%.*s", (int)ilen, ip);
    if (flen > 0)
        snprintf(out + strlen(out), cap - strlen(out), ".%.*s", (int)flen, dot + 1);
}

static int rate_in(const char *v, const char *const *set)
{
    char n[40];
    norm_decimal(v, n, sizeof n);
    return in_set(n, set);
}

/* "YYYY-MM-DD" plus years (29 February becomes the 28th) or days; 0 or -1. */
static int date_add(const char *d, int years, int days, char out[32])
{
    int64_t ms;
    if (sim_parse_date(d, &ms) != 0)
        return -1;
    if (years) {
        int y = atoi(d) + years, m = atoi(d + 5), dd = atoi(d + 8);
        if (m == 2 && dd == 29)
            dd = 28;
        snprintf(out, 32, "%04d-%02d-%02d", y, m, dd);
        return 0;
    }
    sim_fmt_date(ms + (int64_t)days * 86400000, out);
    return 0;
}

/* Checks one VatRateType (line = 1 for lineVatRate) against the allowed
 * sets; old_ok allows the pre-2013 rates. */
static void check_rate(rule_ctx *c, const xmlNode *vr, int line, int old_ok, const char *where,
                       sim_part *p)
{
    char v[64];
    xmlNodePtr n;
    if (get(vr, NS_DATA, "vatPercentage", v, sizeof v) &&
        !rate_in(v, k_percent) && !(old_ok && rate_in(v, k_percent_old)))
        err(c, "INVALID_VAT_DATA", VAT_DATA_TEXT, where);
    /* vatContent 0 is outside the set too (CHANGELOG 2.5) */
    if (get(vr, NS_DATA, "vatContent", v, sizeof v) && !rate_in(v, k_content) &&
        !(old_ok && rate_in(v, k_content_old)))
        err(c, "INVALID_VAT_DATA", VAT_DATA_TEXT, where);
    if ((n = kid(vr, "vatExemption")) && get(n, NS_DATA, "case", v, sizeof v) &&
        !in_set(v, k_exemption)) {
        if (!strcmp(v, "UNKNOWN"))
            p->unknown_cases |= line ? SIM_UNKNOWN_LINE_EXEMPTION : SIM_UNKNOWN_SUMMARY_EXEMPTION;
        else
            err(c, line ? "INVALID_LINE_VAT_EXEMPTION_CODE" : "INVALID_SUMMARY_VAT_EXEMPTION_CODE",
                "Invalid tax exemption code.", where);
    }
    if ((n = kid(vr, "vatOutOfScope")) && get(n, NS_DATA, "case", v, sizeof v) &&
        !in_set(v, k_out_of_scope)) {
        if (!strcmp(v, "UNKNOWN"))
            p->unknown_cases |=
                line ? SIM_UNKNOWN_LINE_OUT_OF_SCOPE : SIM_UNKNOWN_SUMMARY_OUT_OF_SCOPE;
        else
            err(c,
                line ? "INVALID_LINE_VAT_OUT_OF_SCOPE_CODE"
                     : "INVALID_SUMMARY_VAT_OUT_OF_SCOPE_CODE",
                "Invalid VAT exemption code.", where);
    }
    if ((n = kid(vr, "vatAmountMismatch"))) {
        if (get(n, NS_DATA, "vatRate", v, sizeof v) && !rate_in(v, k_mismatch_rate))
            err(c,
                line ? "INVALID_LINE_VAT_AMOUNT_MISMATCH_VAT_RATE"
                     : "INVALID_SUMMARY_VAT_AMOUNT_MISMATCH_VAT_RATE",
                "Invalid tax base and charged tax difference indicator tax rate, VAT content!",
                where);
        if (get(n, NS_DATA, "case", v, sizeof v) && !in_set(v, k_mismatch_case)) {
            if (!strcmp(v, "UNKNOWN"))
                p->unknown_cases |= line ? SIM_UNKNOWN_LINE_MISMATCH : SIM_UNKNOWN_SUMMARY_MISMATCH;
            else
                err(c,
                    line ? "INVALID_LINE_VAT_AMOUNT_MISMATCH_CODE"
                         : "INVALID_SUMMARY_VAT_AMOUNT_MISMATCH_CODE",
                    "Invalid tax base and charged tax difference indicator code!", where);
        }
    }
}

typedef struct lines_info {
    int n;
    int reverse_charge;     /* some line is vatDomesticReverseCharge */
    char min_date[16];      /* earliest lineDeliveryDate, "" if none */
} lines_info;

static void check_lines(rule_ctx *c, const xmlNode *inv, const char *category,
                        const char *delivery, sim_part *p, lines_info *li)
{
    int simplified = !strcmp(category, "SIMPLIFIED");
    xmlNodePtr line;
    for (line = navoi__xml_child(kid(inv, "invoiceLines"), NS_DATA, "line");
         line && li->n < SIM_MAX_LINES; line = navoi__xml_next(line, NS_DATA, "line")) {
        char where[80], v[64], ld[16];
        const char *date = delivery;
        xmlNodePtr lan = kid(line, "lineAmountsNormal"), las = kid(line, "lineAmountsSimplified");
        xmlNodePtr vr = kid(lan ? lan : las, "lineVatRate");
        const char *ln = get(line, NS_DATA, "lineNumber", v, sizeof v);
        li->n++;
        snprintf(where, sizeof where, "line %s", ln ? ln : "?");
        if (!ln || atoi(ln) != li->n)
            err(c, "LINE_NUMBER_NOT_SEQUENTIAL",
                "The numbering of line items in the invoice is not strictly ascending.", where);
        if (kid(line, "lineModificationReference") && c->create)
            err(c, "LINE_MODIFICATION_NOT_EXPECTED",
                "Line reference cannot be provided in the original invoice.", where);
        if (!kid(line, "lineModificationReference") && !c->create)
            err(c, "LINE_MODIFICATION_EXPECTED",
                "Line reference must be provided if a modification document contains a line.",
                where);
        if (get(line, NS_DATA, "lineExpressionIndicator", v, sizeof v)) {
            int natural = sim_is_true(v), missing = !kid(line, "lineDescription");
            if (natural)
                missing |= !kid(line, "quantity") || !kid(line, "unitOfMeasure") ||
                           !kid(line, "unitPrice");
            if (missing)
                err(c, "MANDATORY_LINE_CONTENT_MISSING",
                    "At least one of the mandatory elements of the invoice line is missing.",
                    where);
        }
        if (!simplified && las)
            err(c, "LINE_SUMMARY_TYPE_MISMATCH_LINE_SIMPLIFIED",
                "Incorrect invoice summary. Regular or aggregate invoice containing simplified "
                "invoice items.",
                where);
        if (simplified && lan)
            err(c, "LINE_SUMMARY_TYPE_MISMATCH_LINE_NORMAL",
                "Incorrect invoice summary. Simplified invoice containing regular invoice items.",
                where);
        if (lan && kid(vr, "vatContent"))
            err(c, "INVALID_LINE_VAT_RATE_NORMAL",
                "VAT content cannot be specified as non-simplified item value data!", where);
        if (las && kid(vr, "vatPercentage"))
            err(c, "INVALID_LINE_VAT_RATE_SIMPLIFIED",
                "VAT percentage cannot be specified as simplified item value data!", where);
        if (kid(vr, "vatDomesticReverseCharge"))
            li->reverse_charge = 1;
        if (get(kid(line, "aggregateInvoiceLineData"), NS_DATA, "lineDeliveryDate", ld,
                sizeof ld)) {
            date = ld;
            if (!li->min_date[0] || strcmp(ld, li->min_date) < 0)
                snprintf(li->min_date, sizeof li->min_date, "%s", ld);
        }
        if (vr)
            check_rate(c, vr, 1, !c->create || (date && strcmp(date, OLD_RATE_BEFORE) < 0), where,
                       p);
    }
}

/* #43, #44: the rate element each kind of summary may not use */
static const struct {
    int normal;
    const char *node, *wrong, *code, *text;
} k_summary_rates[2] = {
    {1, "summaryByVatRate", "vatContent", "INVALID_SUMMARY_VAT_RATE_NORMAL",
     "VAT content cannot be entered as non-simplified summary value data!"},
    {0, "summarySimplified", "vatPercentage", "INVALID_SUMMARY_VAT_RATE_SIMPLIFIED",
     "VAT percentage cannot be entered as simplified summary value data!"},
};

static void check_summary(rule_ctx *c, const xmlNode *inv, const char *category, int old_ok,
                          sim_part *p)
{
    int simplified = !strcmp(category, "SIMPLIFIED"), k;
    xmlNodePtr sum = kid(inv, "invoiceSummary"), sn = kid(sum, "summaryNormal"), n;
    if (!simplified && kid(sum, "summarySimplified"))
        err(c, "LINE_SUMMARY_TYPE_MISMATCH_SUMMARY_SIMPLIFIED",
            "Incorrect invoice summary. Regular or aggregate invoice with a simplified invoice "
            "summary.",
            "invoiceSummary");
    if (simplified && sn)
        err(c, "LINE_SUMMARY_TYPE_MISMATCH_SUMMARY_NORMAL",
            "Incorrect invoice summary. Simplified invoice with a regular invoice summary.",
            "invoiceSummary");
    for (k = 0; k < 2; k++) {
        const xmlNode *list = k_summary_rates[k].normal ? sn : sum;
        const char *name = k_summary_rates[k].node;
        for (n = kid(list, name); n; n = navoi__xml_next(n, NS_DATA, name)) {
            xmlNodePtr vr = kid(n, "vatRate");
            if (kid(vr, k_summary_rates[k].wrong))
                err(c, k_summary_rates[k].code, k_summary_rates[k].text, name);
            check_rate(c, vr, 0, old_ok, name, p);
        }
    }
}

/* The seller is "only VAT-registered" in Hungary (a foreign taxable
 * person), the one case where a DOMESTIC customer's tax number may be
 * missing (#45, CHANGELOG 2.8.3). Such tax numbers carry county code 51
 * (spec 4.1); taken from the invoice or the configured taxpayer. */
static int vat_registered_only(rule_ctx *c, const xmlNode *supplier_tn)
{
    char v[8];
    const sim_taxpayer *tp = c->supplier ? sim_find_taxpayer(c->s->cfg, c->supplier) : NULL;
    if (get(supplier_tn, NS_BASE, "countyCode", v, sizeof v) && !strcmp(v, "51"))
        return 1;
    return tp && !strcmp(tp->county, "51");
}

static void check_customer(rule_ctx *c, const xmlNode *head, int completeness,
                           const lines_info *li)
{
    xmlNodePtr ci = kid(head, "customerInfo"), vd, ctn;
    xmlNodePtr stn = kid(kid(head, "supplierInfo"), "supplierTaxNumber");
    char status[32], v[16];
    int priv, domestic;
    if (!ci) {
        if (c->create)
            err(c, "CUSTOMER_INFO_MISSING", "Customer information must be provided.", NULL);
        return;
    }
    if (!get(ci, NS_DATA, "customerVatStatus", status, sizeof status))
        return;
    priv = !strcmp(status, "PRIVATE_PERSON");
    domestic = !strcmp(status, "DOMESTIC");
    vd = kid(ci, "customerVatData");
    ctn = kid(vd, "customerTaxNumber");
    if (priv && (vd || kid(ci, "customerName") || kid(ci, "customerAddress")))
        err(c, "CUSTOMER_DATA_NOT_EXPECTED",
            "Private individual customer's data may not be supplied.", "customerInfo");
    if (!priv && (!kid(ci, "customerName") || !kid(ci, "customerAddress")))
        err(c, "CUSTOMER_DATA_EXPECTED",
            "Supplying customer data is mandatory provided the customer is not a private "
            "individual.",
            "customerInfo");
    if (domestic && kid(vd, "communityVatNumber"))
        err(c, "CUSTOMER_COMMUNITY_TAXNUMBER_NOT_EXPECTED",
            "Customer's community tax number may not be supplied.", "customerVatData");
    if (domestic && kid(vd, "thirdStateTaxId"))
        err(c, "CUSTOMER_THIRD_STATE_TAXNUMBER_NOT_EXPECTED",
            "Customer's Third state tax identification number may not be supplied.",
            "customerVatData");
    if (domestic && !ctn && !(vat_registered_only(c, stn) && !li->reverse_charge))
        err(c, "MISSING_CUSTOMER_DOMESTIC_TAXNUMBER", "Missing customer's domestic tax number.",
            "customerVatData");
    /* #50 is CREATE/MODIFY only */
    if (li->reverse_charge && !ctn && !c->storno)
        err(c, "DOMESTIC_TAXNUMBER_EXPECTED_REVERSE_CHARGE",
            "Customer's domestic tax number is missing (domestic reverse charging).",
            "customerVatData");
    if (completeness && priv)
        err(c, "INVOICE_COMPLETENESS_PRIVATE_PERSON_INDICATOR_MISMATCH",
            "The data report of an invoice issued to an individual cannot be an electronic "
            "invoice!",
            NULL);
    /* Annex I #10 (WARN): same first eight digits for seller and customer */
    if (ctn && c->supplier && get(ctn, NS_BASE, "taxpayerId", v, sizeof v) &&
        !strcmp(v, c->supplier))
        pre_add(c, "WARN", "SUPPLIER_CUSTOMER_MATCH_TAXPAYER",
                "The seller's and customer's tax numbers cannot be identical.",
                "customerTaxNumber");
}

static void check_part(rule_ctx *c, const xmlNode *inv, const char *issue, int completeness,
                       sim_part *p)
{
    xmlNodePtr head = kid(inv, "invoiceHead"), detail = kid(head, "invoiceDetail");
    char category[32] = "NORMAL", delivery[16], v[64], limit[32];
    const char *dd = get(detail, NS_DATA, "invoiceDeliveryDate", delivery, sizeof delivery);
    lines_info li;
    int old_ok;
    memset(&li, 0, sizeof li);
    get(detail, NS_DATA, "invoiceCategory", category, sizeof category);
    c->supplier = p->supplier;
    check_lines(c, inv, category, dd, p, &li);
    if (li.n == 0 && (c->create || c->storno))
        err(c, "INVOICE_LINE_MISSING", "The invoice contains no line items.", NULL);
    old_ok = !c->create || (dd && strcmp(dd, OLD_RATE_BEFORE) < 0) ||
             (li.min_date[0] && strcmp(li.min_date, OLD_RATE_BEFORE) < 0);
    check_summary(c, inv, category, old_ok, p);
    check_customer(c, head, completeness, &li);
    if (completeness && get(detail, NS_DATA, "invoiceAppearance", v, sizeof v) &&
        strcmp(v, "ELECTRONIC") != 0)
        err(c, "INVOICE_APPEARANCE_MISMATCH",
            "Data report about a non-electronic form invoice shall not be handled as an "
            "electronic invoice.",
            "invoiceAppearance");
    if (completeness &&
        get(kid(inv, "invoiceLines"), NS_DATA, "mergedItemIndicator", v, sizeof v) &&
        sim_is_true(v))
        err(c, "INVOICE_COMPLETENESS_MERGED_ITEM_INDICATOR_MISMATCH",
            "Reporting an invoice containing merged items cannot be an electronic invoice!",
            "mergedItemIndicator");
    if (dd && issue && date_add(issue, 5, 0, limit) == 0 && strcmp(dd, limit) > 0)
        err(c, "INVOICE_DELIVERY_DATE_LATE",
            "The delivery date cannot be later than the issue date + 5 years.",
            "invoiceDeliveryDate");
}

void sim_rules_invoice(sim_server *s, const sim_txn *t, sim_item *it, xmlNodePtr root)
{
    rule_ctx c;
    xmlNodePtr main_ = kid(root, "invoiceMain"), inv = kid(main_, "invoice"), b;
    xmlNodePtr num = kid(root, "invoiceNumber");
    xmlChar *raw = num ? xmlNodeGetContent(num) : NULL;
    char issue[16], today[11], limit[32];
    const char *id = get(root, NS_DATA, "invoiceIssueDate", issue, sizeof issue);
    int k = 0;

    memset(&c, 0, sizeof c);
    c.s = s;
    c.it = it;
    c.create = !strcmp(it->op, "CREATE");
    c.storno = !strcmp(it->op, "STORNO");
    if (raw && raw[0]) {
        const char *r = (const char *)raw;
        size_t n = strlen(r);
        if (strchr(" \t\r\n", r[0]) || strchr(" \t\r\n", r[n - 1]))
            err(&c, "INVALID_INVOICE_NUMBER", "Invalid invoice number!", "invoiceNumber");
    }
    if (raw)
        xmlFree(raw);
    sim_fmt_date(t->ins_ms, today);
    if (id && date_add(today, 1, 0, limit) == 0 && strcmp(id, limit) > 0)
        err(&c, "INVOICE_ISSUE_DATE_LATE",
            "The issue date cannot be later than the submission date + 1 year.",
            "invoiceIssueDate");
    else if (id && date_add(today, 0, 5, limit) == 0 && strcmp(id, limit) > 0)
        pre_add(&c, "WARN", "INCORRECT_DATE_INVOICE_ISSUE_DATE_LATE",
                "Date of invoice is a future date.", "invoiceIssueDate");
    if (inv) {
        if (it->doc->nparts > 0)
            check_part(&c, inv, id, it->doc->completeness, &it->doc->parts[0]);
        return;
    }
    for (b = kid(main_, "batchInvoice"); b && k < it->doc->nparts;
         b = navoi__xml_next(b, NS_DATA, "batchInvoice"), k++) {
        c.batch_index = it->doc->parts[k].batch_index;
        check_part(&c, kid(b, "invoice"), id, it->doc->completeness, &it->doc->parts[k]);
    }
    /* #23: customer tax numbers, where given, agree across the batch */
    c.batch_index = 0;
    for (k = 1; k < it->doc->nparts; k++) {
        const char *a = it->doc->parts[0].customer, *x = it->doc->parts[k].customer;
        int i;
        for (i = 0; !a && i < k; i++)
            a = it->doc->parts[i].customer;
        if (a && x && strcmp(a, x) != 0) {
            err(&c, "CUSTOMER_NOT_IDENTICAL",
                "Batch invoice cannot contain invoices for different customers.", NULL);
            break;
        }
    }
}
