/*
 * validate.c - owns the pre-submission validator (PROTOCOL.md 8.6): the
 * XSD check, NAV's blocking business rules (spec 3.3.2, severity ERROR)
 * and the Annex I calculation warnings (severity WARN), on one
 * InvoiceData document. Every amount is compared in exact decimals with
 * NAV's tolerance (1 % of the calculated value in HUF, at least 1 HUF or
 * 0.01 currency units). The checks never trust the document: every
 * element may be missing when no schema directory is configured.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <libxml/tree.h>

#include "common/alloc.h"
#include "core/client.h"
#include "core/invoice.h"
#include "crypto/crypto.h"
#include "invoice/decimal.h"
#include "invoice/rules.h"
#include "invoice/validate.h"
#include "xml/ns.h"
#include "xml/parse.h"
#include "xml/schema.h"

#define VALIDATE_MAX_BYTES 15000000u
#define PATH_MAX_LEN 320

/* One VAT treatment ("vatPercentage=0.27", "vatExemption=AAM", ...) and
 * the sums of the lines that carry it. */
typedef struct vatsum {
    char key[96];
    navoi__dec net, net_huf, vat, vat_huf, gross, gross_huf;
    int in_summary;
} vatsum;

typedef struct vctx {
    navoi_findings *f;
    int op;
    const char *client_tax; /* 8 digits or NULL */
    char today[11];
    long today_days;
    /* arena of texts taken from the document */
    char **texts;
    size_t ntexts, captexts;
    int oom;
    /* per invoice */
    char base[128];
    int category;
    navoi__dec rate; /* exchangeRate, 1 when absent or bad */
    char delivery[11];
    int mwm;
    int has_customer_info, customer_has_tax_number;
    int line_bad; /* a line's amounts type or VAT treatment is in error */
    vatsum *sums;
    size_t nsums, capsums;
} vctx;

/* ---- small helpers ---------------------------------------------------- */

static void add(vctx *v, const char *code, const char *path, const char *en, const char *hu)
{
    navoi__findings_add(v->f, code, path, en, hu);
}

static void pathf(char *buf, const vctx *v, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void pathf(char *buf, const vctx *v, const char *fmt, ...)
{
    va_list ap;
    int n = snprintf(buf, PATH_MAX_LEN, "%s", v->base);

    if (n < 0 || n >= PATH_MAX_LEN)
        return;
    va_start(ap, fmt);
    vsnprintf(buf + n, (size_t)(PATH_MAX_LEN - n), fmt, ap);
    va_end(ap);
}

static xmlNodePtr ch(const xmlNode *p, const char *name)
{
    return p ? navoi__xml_child(p, NAVOI__NS_DATA, name) : NULL;
}

static xmlNodePtr bch(const xmlNode *p, const char *name)
{
    return p ? navoi__xml_child(p, NAVOI__NS_BASE, name) : NULL;
}

static xmlNodePtr nx(const xmlNode *n, const char *name)
{
    return navoi__xml_next(n, NAVOI__NS_DATA, name);
}

/* Trimmed text of n kept until the end of the validation; NULL when n is
 * NULL (or on OOM, which is recorded). */
static const char *T(vctx *v, const xmlNode *n)
{
    char *s;

    if (!n)
        return NULL;
    s = navoi__xml_text(n);
    if (!s) {
        v->oom = 1;
        return NULL;
    }
    if (v->ntexts == v->captexts) {
        size_t cap = v->captexts ? v->captexts * 2 : 64;
        char **nt = navoi__realloc(v->texts, cap * sizeof *nt);
        if (!nt) {
            navoi__free(s);
            v->oom = 1;
            return NULL;
        }
        v->texts = nt;
        v->captexts = cap;
    }
    v->texts[v->ntexts++] = s;
    return s;
}

static int is_true(const char *s)
{
    return s && (strcmp(s, "true") == 0 || strcmp(s, "1") == 0);
}

/* Decimal value of child `name` of p: 1 if present and parsable. */
static int D(vctx *v, const xmlNode *p, const char *name, navoi__dec *out)
{
    const char *s = T(v, ch(p, name));
    return s && navoi__dec_parse(s, out) == NAVOI_OK;
}

static void fmt(const navoi__dec *d, char *buf)
{
    navoi__dec_format(d, buf, NAVOI__DEC_STRLEN);
}

/* Days since 1970-01-01 of a YYYY-MM-DD date, or -1000000 if malformed. */
static long civil_days(const char *s)
{
    int y, m, d, i;
    long era, yoe, doy, doe;

    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return -1000000;
    for (i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return -1000000;
    y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    m = (s[5] - '0') * 10 + (s[6] - '0');
    d = (s[8] - '0') * 10 + (s[9] - '0');
    if (m < 1 || m > 12 || d < 1 || d > 31)
        return -1000000;
    /* H. Hinnant's days_from_civil */
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int valid_date(const char *s)
{
    return civil_days(s) != -1000000;
}

/* date + n years as text (n >= 0), for the "later than X years" rules. */
static void add_years(const char *date, int n, char out[11])
{
    int y = (date[0] - '0') * 1000 + (date[1] - '0') * 100 + (date[2] - '0') * 10 +
            (date[3] - '0') + n;
    y %= 10000;
    memcpy(out, date, 11);
    out[0] = (char)('0' + y / 1000);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
}

static void civil_from_days(long z, char out[11])
{
    long era, doe, yoe, y, doy, mp, d, m;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp + (mp < 10 ? 3 : -9);
    y += m <= 2;
    y = y < 0 ? 0 : y % 10000;
    out[0] = (char)('0' + y / 1000);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + d / 10);
    out[9] = (char)('0' + d % 10);
    out[10] = '\0';
}

/* ---- amounts ---------------------------------------------------------- */

/* 1 when |actual - calc| is within NAV's rounding tolerance (Annex I): 1 %
 * of the calculated value expressed in HUF, but at least 1 HUF or 0.01
 * units of the invoice currency, whichever is greater. huf says whether
 * the two values are HUF amounts already. Arithmetic overflow counts as
 * "close" (no warning rather than a wrong one). */
static int close_enough(const vctx *v, const navoi__dec *actual, const navoi__dec *calc, int huf)
{
    navoi__dec diff, c, tol, one, cent, t;

    if (navoi__dec_sub(actual, calc, &diff) != NAVOI_OK)
        return 1;
    navoi__dec_abs(&diff);
    c = *calc;
    navoi__dec_abs(&c);
    if (!huf) {
        if (navoi__dec_mul(&diff, &v->rate, &diff) != NAVOI_OK ||
            navoi__dec_mul(&c, &v->rate, &c) != NAVOI_OK)
            return 1;
    }
    navoi__dec_parse("0.01", &cent);
    if (navoi__dec_mul(&c, &cent, &tol) != NAVOI_OK)
        return 1;
    navoi__dec_from_int(&one, 1);
    if (navoi__dec_cmp(&tol, &one) < 0)
        tol = one;
    if (navoi__dec_mul(&v->rate, &cent, &t) != NAVOI_OK)
        return 1;
    if (navoi__dec_cmp(&tol, &t) < 0)
        tol = t;
    return navoi__dec_cmp(&diff, &tol) <= 0;
}

/* Reports code at path unless actual is close to calc. */
static void compare(vctx *v, const char *code, const char *path, const navoi__dec *actual,
                    const navoi__dec *calc, int huf)
{
    char a[NAVOI__DEC_STRLEN], c[NAVOI__DEC_STRLEN], en[160], hu[160];
    navoi__dec r;

    if (close_enough(v, actual, calc, huf))
        return;
    if (navoi__dec_round(calc, 2, &r) != NAVOI_OK)
        r = *calc;
    fmt(actual, a);
    fmt(&r, c);
    snprintf(en, sizeof en, "found %s, calculated %s", a, c);
    snprintf(hu, sizeof hu, "megadott érték: %s, számított érték: %s", a, c);
    add(v, code, path, en, hu);
}

/* a * b, or 0 on overflow (the later comparison then usually reports). */
static navoi__dec mul(const navoi__dec *a, const navoi__dec *b)
{
    navoi__dec r;
    if (navoi__dec_mul(a, b, &r) != NAVOI_OK)
        navoi__dec_zero(&r);
    return r;
}

static void acc(navoi__dec *sum, const navoi__dec *x)
{
    navoi__dec r;
    if (navoi__dec_add(sum, x, &r) == NAVOI_OK)
        *sum = r;
}

/* ---- VAT treatments --------------------------------------------------- */

static int dec_in(const navoi__dec *x, const char *const *set)
{
    navoi__dec d;
    for (; *set; set++) {
        navoi__dec_parse(*set, &d);
        if (navoi__dec_cmp(x, &d) == 0)
            return 1;
    }
    return 0;
}

static int str_in(const char *s, const char *const *set)
{
    for (; s && *set; set++)
        if (strcmp(s, *set) == 0)
            return 1;
    return 0;
}

/* The 20 % / 25 % (and matching VAT content) rates of the past remain
 * usable for amendments and for supplies before 2013-01-01 (3.3.2 #14). */
static int old_rates_allowed(const vctx *v)
{
    return v->op != NAVOI_OP_CREATE || (v->delivery[0] && strcmp(v->delivery, "2013-01-01") < 0);
}

/* Checks one VatRateType element and writes its key. normal: the element
 * sits in normal (lineAmountsNormal / summaryNormal) rather than
 * simplified data. line: a line's rate rather than a summary's. */
static int check_vat_rate(vctx *v, const xmlNode *vr, int normal, int line, const char *path,
                          char *key, size_t keylen)
{
    size_t before = v->f->n;

    static const char *const pct_ok[] = {"0.05", "0.07", "0.12", "0.18", "0.27", NULL};
    static const char *const pct_old[] = {"0.2", "0.25", NULL};
    static const char *const cont_ok[] = {"0.0476", "0.1525", "0.2126", NULL};
    static const char *const cont_old[] = {"0.1667", "0.2", NULL};
    static const char *const exempt[] = {"AAM", "TAM", "KBAET", "KBAUK", "EAM", "NAM", NULL};
    static const char *const oos[] = {"ATK", "EUFAD37", "EUFADE", "EUE", "HO", NULL};
    static const char *const mismatch_rates[] = {"0.27", "0.18", "0.05", "0.2126", "0.1525",
                                                 "0.0476", NULL};
    static const char *const mismatch_cases[] = {"REFUNDABLE_VAT", "NONREFUNDABLE_VAT", NULL};
    char p[PATH_MAX_LEN], num[NAVOI__DEC_STRLEN], en[200], hu[200];
    xmlNodePtr n;
    navoi__dec d;
    const char *s;

    snprintf(key, keylen, "?");
    if (!vr)
        return v->f->n != before;
    if ((n = ch(vr, "vatPercentage")) || (n = ch(vr, "vatContent"))) {
        int is_pct = navoi__xml_is(n, NAVOI__NS_DATA, "vatPercentage");
        snprintf(p, sizeof p, "%s/%s", path, is_pct ? "vatPercentage" : "vatContent");
        s = T(v, n);
        if (!s || navoi__dec_parse(s, &d) != NAVOI_OK)
            return v->f->n != before;
        navoi__dec_normalize(&d);
        fmt(&d, num);
        snprintf(key, keylen, "%s=%s", is_pct ? "vatPercentage" : "vatContent", num);
        if (normal && !is_pct) {
            add(v, line ? "INVALID_LINE_VAT_RATE_NORMAL" : "INVALID_SUMMARY_VAT_RATE_NORMAL", p,
                NULL, NULL);
            return v->f->n != before;
        }
        if (!normal && is_pct) {
            add(v, line ? "INVALID_LINE_VAT_RATE_SIMPLIFIED" : "INVALID_SUMMARY_VAT_RATE_SIMPLIFIED",
                p, NULL, NULL);
            return v->f->n != before;
        }
        if (!(dec_in(&d, is_pct ? pct_ok : cont_ok) ||
              (old_rates_allowed(v) && dec_in(&d, is_pct ? pct_old : cont_old)))) {
            snprintf(en, sizeof en, "%s %s", is_pct ? "vatPercentage" : "vatContent", num);
            add(v, "INVALID_VAT_DATA", p, en, NULL);
        }
        return v->f->n != before;
    }
    if ((n = ch(vr, "vatExemption")) || (n = ch(vr, "vatOutOfScope"))) {
        int ex = navoi__xml_is(n, NAVOI__NS_DATA, "vatExemption");
        const char *c = T(v, ch(n, "case"));
        snprintf(key, keylen, "%s=%s", ex ? "vatExemption" : "vatOutOfScope", c ? c : "");
        snprintf(p, sizeof p, "%s/%s/case", path, ex ? "vatExemption" : "vatOutOfScope");
        if (c && !str_in(c, ex ? exempt : oos) &&
            !(strcmp(c, "UNKNOWN") == 0 && v->op != NAVOI_OP_CREATE)) {
            snprintf(en, sizeof en, "case %s", c);
            snprintf(hu, sizeof hu, "eset: %s", c);
            if (ex)
                add(v, line ? "INVALID_LINE_VAT_EXEMPTION_CODE" : "INVALID_SUMMARY_VAT_EXEMPTION_CODE",
                    p, en, hu);
            else
                add(v, line ? "INVALID_LINE_VAT_OUT_OF_SCOPE_CODE"
                            : "INVALID_SUMMARY_VAT_OUT_OF_SCOPE_CODE",
                    p, en, hu);
        }
        return v->f->n != before;
    }
    if ((n = ch(vr, "vatAmountMismatch"))) {
        const char *c = T(v, ch(n, "case"));
        const char *r = T(v, ch(n, "vatRate"));
        snprintf(key, keylen, "vatAmountMismatch=%s/%s", r ? r : "", c ? c : "");
        if (r && navoi__dec_parse(r, &d) == NAVOI_OK && !dec_in(&d, mismatch_rates)) {
            snprintf(p, sizeof p, "%s/vatAmountMismatch/vatRate", path);
            snprintf(en, sizeof en, "vatRate %s", r);
            add(v, line ? "INVALID_LINE_VAT_AMOUNT_MISMATCH_VAT_RATE"
                        : "INVALID_SUMMARY_VAT_AMOUNT_MISMATCH_VAT_RATE",
                p, en, NULL);
        }
        if (c && !str_in(c, mismatch_cases) &&
            !(strcmp(c, "UNKNOWN") == 0 && v->op != NAVOI_OP_CREATE)) {
            snprintf(p, sizeof p, "%s/vatAmountMismatch/case", path);
            snprintf(en, sizeof en, "case %s", c);
            snprintf(hu, sizeof hu, "eset: %s", c);
            add(v, line ? "INVALID_LINE_VAT_AMOUNT_MISMATCH_CODE"
                        : "INVALID_SUMMARY_VAT_AMOUNT_MISMATCH_CODE",
                p, en, hu);
        }
        return v->f->n != before;
    }
    if ((n = ch(vr, "vatDomesticReverseCharge"))) {
        snprintf(key, keylen, "vatDomesticReverseCharge");
        return v->f->n != before;
    }
    if ((n = ch(vr, "marginSchemeIndicator"))) {
        s = T(v, n);
        snprintf(key, keylen, "marginSchemeIndicator=%s", s ? s : "");
        return v->f->n != before;
    }
    if ((n = ch(vr, "noVatCharge"))) {
        snprintf(key, keylen, "noVatCharge");
        return v->f->n != before;
    }
    return v->f->n != before;
}

/* Expected VAT of a treatment for a net amount: net x rate for a
 * percentage, 0 for exemption, out of scope, reverse charge and no VAT
 * charge; 0 return = not checkable (margin scheme, amount mismatch). */
static int expected_vat(const char *key, const navoi__dec *net, navoi__dec *out)
{
    navoi__dec r;

    if (strncmp(key, "vatPercentage=", 14) == 0) {
        if (navoi__dec_parse(key + 14, &r) != NAVOI_OK || navoi__dec_mul(net, &r, out) != NAVOI_OK)
            return 0;
        return 1;
    }
    if (strncmp(key, "vatExemption=", 13) == 0 || strncmp(key, "vatOutOfScope=", 14) == 0 ||
        strcmp(key, "vatDomesticReverseCharge") == 0 || strcmp(key, "noVatCharge") == 0) {
        navoi__dec_zero(out);
        return 1;
    }
    return 0;
}

static vatsum *sum_for(vctx *v, const char *key)
{
    size_t i;

    for (i = 0; i < v->nsums; i++)
        if (strcmp(v->sums[i].key, key) == 0)
            return &v->sums[i];
    if (v->nsums == v->capsums) {
        size_t cap = v->capsums ? v->capsums * 2 : 8;
        vatsum *ns = navoi__realloc(v->sums, cap * sizeof *ns);
        if (!ns) {
            v->oom = 1;
            return NULL;
        }
        v->sums = ns;
        v->capsums = cap;
    }
    memset(&v->sums[v->nsums], 0, sizeof v->sums[0]);
    snprintf(v->sums[v->nsums].key, sizeof v->sums[0].key, "%s", key);
    return &v->sums[v->nsums++];
}

/* ---- tax numbers ------------------------------------------------------ */

/* The widely used check-digit rule for the 8-digit taxpayerId (PROTOCOL.md
 * 8.6): weights 9,7,3,1,9,7,3 on digits 1-7. */
static int tax_check_digit_ok(const char *id)
{
    static const int w[7] = {9, 7, 3, 1, 9, 7, 3};
    int i, sum = 0;

    if (!id || strlen(id) != 8)
        return 1;
    for (i = 0; i < 8; i++)
        if (id[i] < '0' || id[i] > '9')
            return 1;
    for (i = 0; i < 7; i++)
        sum += (id[i] - '0') * w[i];
    return (10 - sum % 10) % 10 == id[7] - '0';
}

/* County codes of spec 4.1: 02-20, 22-44, 51. */
static int county_ok(const char *c)
{
    int n;

    if (!c || strlen(c) != 2 || c[0] < '0' || c[0] > '9' || c[1] < '0' || c[1] > '9')
        return 0;
    n = (c[0] - '0') * 10 + (c[1] - '0');
    return (n >= 2 && n <= 20) || (n >= 22 && n <= 44) || n == 51;
}

static void check_tax_number(vctx *v, const xmlNode *tn, const char *path, const char *county_code)
{
    char p[PATH_MAX_LEN];
    const char *id, *county;

    if (!tn)
        return;
    id = T(v, bch(tn, "taxpayerId"));
    county = T(v, bch(tn, "countyCode"));
    if (id && !tax_check_digit_ok(id)) {
        snprintf(p, sizeof p, "%s/taxpayerId", path);
        add(v, "NAVOI_TAX_NUMBER_CHECK_DIGIT", p, id, NULL);
    }
    if (county && !county_ok(county)) {
        snprintf(p, sizeof p, "%s/countyCode", path);
        add(v, county_code, p, county, NULL);
    }
}

/* ---- invoice head ----------------------------------------------------- */

static void check_head(vctx *v, const xmlNode *head)
{
    char p[PATH_MAX_LEN], en[200], hu[200];
    xmlNodePtr sup = ch(head, "supplierInfo"), cus = ch(head, "customerInfo");
    xmlNodePtr det = ch(head, "invoiceDetail");
    xmlNodePtr stn = ch(sup, "supplierTaxNumber");
    const char *sup_id = T(v, bch(stn, "taxpayerId"));
    const char *s, *cat, *cur, *start, *end;
    char rate_txt[NAVOI__DEC_STRLEN];

    /* supplier */
    if (sup_id && v->client_tax && strcmp(sup_id, v->client_tax) != 0) {
        pathf(p, v, "/invoiceHead/supplierInfo/supplierTaxNumber/taxpayerId");
        snprintf(en, sizeof en, "supplier %s, authenticated user %s", sup_id, v->client_tax);
        snprintf(hu, sizeof hu, "eladó: %s, hitelesített felhasználó: %s", sup_id, v->client_tax);
        add(v, "SUPPLIER_TAX_NUMBER_MISMATCH", p, en, hu);
    }
    pathf(p, v, "/invoiceHead/supplierInfo/supplierTaxNumber");
    check_tax_number(v, stn, p, "INCORRECT_COUNTY_CODE_SUPPLIER");

    /* customer (8.5) */
    v->has_customer_info = cus != NULL;
    v->customer_has_tax_number = 0;
    if (cus) {
        const char *status = T(v, ch(cus, "customerVatStatus"));
        xmlNodePtr vat = ch(cus, "customerVatData");
        xmlNodePtr ctn = ch(vat, "customerTaxNumber");
        int has_name = ch(cus, "customerName") != NULL, has_addr = ch(cus, "customerAddress") != NULL;

        v->customer_has_tax_number = ctn != NULL;
        if (status && strcmp(status, "PRIVATE_PERSON") == 0) {
            if (vat || has_name || has_addr) {
                pathf(p, v, "/invoiceHead/customerInfo/%s",
                      vat ? "customerVatData" : has_name ? "customerName" : "customerAddress");
                add(v, "CUSTOMER_DATA_NOT_EXPECTED", p, NULL, NULL);
            }
        } else if (status) {
            if (!has_name || !has_addr) {
                pathf(p, v, "/invoiceHead/customerInfo/%s",
                      !has_name ? "customerName" : "customerAddress");
                add(v, "CUSTOMER_DATA_EXPECTED", p, NULL, NULL);
            }
            if (strcmp(status, "DOMESTIC") == 0) {
                if (ch(vat, "communityVatNumber")) {
                    pathf(p, v, "/invoiceHead/customerInfo/customerVatData/communityVatNumber");
                    add(v, "CUSTOMER_COMMUNITY_TAXNUMBER_NOT_EXPECTED", p, NULL, NULL);
                } else if (ch(vat, "thirdStateTaxId")) {
                    pathf(p, v, "/invoiceHead/customerInfo/customerVatData/thirdStateTaxId");
                    add(v, "CUSTOMER_THIRD_STATE_TAXNUMBER_NOT_EXPECTED", p, NULL, NULL);
                } else if (!ctn) {
                    pathf(p, v, "/invoiceHead/customerInfo/customerVatData");
                    add(v, "MISSING_CUSTOMER_DOMESTIC_TAXNUMBER", p, NULL, NULL);
                }
            }
        }
        if (ctn) {
            const char *cid = T(v, bch(ctn, "taxpayerId"));
            if (cid && sup_id && strcmp(cid, sup_id) == 0) {
                pathf(p, v, "/invoiceHead/supplierInfo/supplierTaxNumber/taxpayerId");
                add(v, "SUPPLIER_CUSTOMER_MATCH_TAXPAYER", p, cid, NULL);
            }
            pathf(p, v, "/invoiceHead/customerInfo/customerVatData/customerTaxNumber");
            check_tax_number(v, ctn, p, "INCORRECT_COUNTY_CODE_CUSTOMER");
        }
    } else if (v->op == NAVOI_OP_CREATE) {
        pathf(p, v, "/invoiceHead/customerInfo");
        add(v, "CUSTOMER_INFO_MISSING", p, NULL, NULL);
    }

    /* invoice detail */
    cat = T(v, ch(det, "invoiceCategory"));
    v->category = !cat ? 0
                  : strcmp(cat, "NORMAL") == 0     ? NAVOI_CATEGORY_NORMAL
                  : strcmp(cat, "SIMPLIFIED") == 0 ? NAVOI_CATEGORY_SIMPLIFIED
                  : strcmp(cat, "AGGREGATE") == 0  ? NAVOI_CATEGORY_AGGREGATE
                                                   : 0;
    s = T(v, ch(det, "invoiceDeliveryDate"));
    if (s && valid_date(s))
        snprintf(v->delivery, sizeof v->delivery, "%s", s);
    if (!D(v, det, "exchangeRate", &v->rate) || v->rate.neg || navoi__dec_is_zero(&v->rate))
        navoi__dec_from_int(&v->rate, 1);
    cur = T(v, ch(det, "currencyCode"));
    if (cur && strcmp(cur, "HUF") == 0) {
        navoi__dec one;
        navoi__dec_from_int(&one, 1);
        if (navoi__dec_cmp(&v->rate, &one) != 0) {
            pathf(p, v, "/invoiceHead/invoiceDetail/exchangeRate");
            fmt(&v->rate, rate_txt);
            add(v, "NAVOI_HUF_EXCHANGE_RATE", p, rate_txt, NULL);
        }
    }
    start = T(v, ch(det, "invoiceDeliveryPeriodStart"));
    end = T(v, ch(det, "invoiceDeliveryPeriodEnd"));
    if (start && end && valid_date(start) && valid_date(end) && strcmp(end, start) < 0) {
        pathf(p, v, "/invoiceHead/invoiceDetail/invoiceDeliveryPeriodEnd");
        snprintf(en, sizeof en, "%s < %s", end, start);
        add(v, "INCORRECT_DATE_INVOICE_DELIVERY_TO_FROM", p, en, NULL);
    }
}

/* ---- lines ------------------------------------------------------------ */

static void check_line_amounts(vctx *v, const xmlNode *line, int k, int calc_net)
{
    char p[PATH_MAX_LEN], key[96];
    xmlNodePtr ln = ch(line, "lineAmountsNormal"), ls = ch(line, "lineAmountsSimplified");
    navoi__dec qty, price, calc, dv, dr, x, x_huf, y, y_huf, g, g_huf, t;
    int have_calc = 0;
    vatsum *s;
    xmlNodePtr disc = ch(line, "lineDiscountData");

    if (calc_net && D(v, line, "quantity", &qty) && D(v, line, "unitPrice", &price)) {
        calc = mul(&qty, &price);
        if (D(v, disc, "discountValue", &dv)) {
            navoi__dec_sub(&calc, &dv, &calc);
        } else if (D(v, disc, "discountRate", &dr)) {
            t = mul(&calc, &dr);
            navoi__dec_sub(&calc, &t, &calc);
        }
        have_calc = 1;
    }
    if (v->category == NAVOI_CATEGORY_SIMPLIFIED && ln) {
        pathf(p, v, "/invoiceLines/line[%d]/lineAmountsNormal", k);
        add(v, "LINE_SUMMARY_TYPE_MISMATCH_LINE_NORMAL", p, NULL, NULL);
        v->line_bad = 1;
        return;
    }
    if ((v->category == NAVOI_CATEGORY_NORMAL || v->category == NAVOI_CATEGORY_AGGREGATE) && ls) {
        pathf(p, v, "/invoiceLines/line[%d]/lineAmountsSimplified", k);
        add(v, "LINE_SUMMARY_TYPE_MISMATCH_LINE_SIMPLIFIED", p, NULL, NULL);
        v->line_bad = 1;
        return;
    }
    if (ln) {
        xmlNodePtr nd = ch(ln, "lineNetAmountData"), vd = ch(ln, "lineVatData");
        xmlNodePtr gd = ch(ln, "lineGrossAmountData");
        int have_net = D(v, nd, "lineNetAmount", &x), have_net_huf = D(v, nd, "lineNetAmountHUF", &x_huf);
        int have_vat = D(v, vd, "lineVatAmount", &y), have_vat_huf = D(v, vd, "lineVatAmountHUF", &y_huf);
        int have_g = D(v, gd, "lineGrossAmountNormal", &g);
        int have_g_huf = D(v, gd, "lineGrossAmountNormalHUF", &g_huf);
        navoi__dec saved_rate = v->rate, lr;
        int aggregate = 0;

        pathf(p, v, "/invoiceLines/line[%d]/lineAmountsNormal/lineVatRate", k);
        if (check_vat_rate(v, ch(ln, "lineVatRate"), 1, 1, p, key, sizeof key))
            v->line_bad = 1;
        if (have_calc && have_net) {
            pathf(p, v, "/invoiceLines/line[%d]/lineAmountsNormal/lineNetAmountData/lineNetAmount", k);
            compare(v, "INCORRECT_LINE_CALCULATION_NET_AMOUNT", p, &x, &calc, 0);
        }
        /* An aggregate invoice line may carry its own exchange rate
         * (its HUF checks are Annex I's AGGREGATE_* warnings, which
         * navoi does not emit: only the NORMAL ones are checked). */
        if (v->category == NAVOI_CATEGORY_AGGREGATE) {
            aggregate = 1;
            if (D(v, ch(line, "aggregateInvoiceLineData"), "lineExchangeRate", &lr))
                v->rate = lr;
        }
        if (!aggregate) {
            if (have_net && have_net_huf) {
                pathf(p, v, "/invoiceLines/line[%d]/lineAmountsNormal/lineNetAmountData/lineNetAmountHUF", k);
                t = mul(&x, &v->rate);
                compare(v, "INCORRECT_LINE_CALCULATION_LINE_NET_AMOUNT_HUF", p, &x_huf, &t, 1);
            }
            if (have_vat && have_vat_huf) {
                pathf(p, v, "/invoiceLines/line[%d]/lineAmountsNormal/lineVatData/lineVatAmountHUF", k);
                t = mul(&y, &v->rate);
                compare(v, "INCORRECT_LINE_CALCULATION_LINE_VAT_AMOUNT_HUF", p, &y_huf, &t, 1);
            }
            if (have_g && have_g_huf) {
                pathf(p, v,
                      "/invoiceLines/line[%d]/lineAmountsNormal/lineGrossAmountData/lineGrossAmountNormalHUF",
                      k);
                t = mul(&g, &v->rate);
                compare(v, "INCORRECT_LINE_CALCULATION_LINE_GROSS_AMOUNT_NORMAL_HUF", p, &g_huf, &t, 1);
            }
        }
        if (have_g_huf && have_net_huf && have_vat_huf) {
            pathf(p, v,
                  "/invoiceLines/line[%d]/lineAmountsNormal/lineGrossAmountData/lineGrossAmountNormalHUF",
                  k);
            navoi__dec_add(&x_huf, &y_huf, &t);
            compare(v, "INCORRECT_LINE_CALCULATION_LINE_GROSS_AMOUNT_NORMAL_SUM", p, &g_huf, &t, 1);
        }
        v->rate = saved_rate;
        if ((s = sum_for(v, key))) {
            if (have_net)
                acc(&s->net, &x);
            if (have_net_huf)
                acc(&s->net_huf, &x_huf);
            if (have_vat)
                acc(&s->vat, &y);
            if (have_vat_huf)
                acc(&s->vat_huf, &y_huf);
        }
    } else if (ls) {
        int have_g = D(v, ls, "lineGrossAmountSimplified", &g);
        int have_g_huf = D(v, ls, "lineGrossAmountSimplifiedHUF", &g_huf);

        pathf(p, v, "/invoiceLines/line[%d]/lineAmountsSimplified/lineVatRate", k);
        if (check_vat_rate(v, ch(ls, "lineVatRate"), 0, 1, p, key, sizeof key))
            v->line_bad = 1;
        if (have_calc && have_g) {
            pathf(p, v, "/invoiceLines/line[%d]/lineAmountsSimplified/lineGrossAmountSimplified", k);
            compare(v, "INCORRECT_LINE_CALCULATION_GROSS_AMOUNT", p, &g, &calc, 0);
        }
        if (have_g && have_g_huf) {
            pathf(p, v, "/invoiceLines/line[%d]/lineAmountsSimplified/lineGrossAmountSimplifiedHUF", k);
            t = mul(&g, &v->rate);
            compare(v, "INCORRECT_LINE_CALCULATION_LINE_GROSS_AMOUNT_SIMPLIFIED_HUF", p, &g_huf, &t, 1);
        }
        if ((s = sum_for(v, key))) {
            if (have_g)
                acc(&s->gross, &g);
            if (have_g_huf)
                acc(&s->gross_huf, &g_huf);
        }
    }
}

/* Returns the number of lines. */
static int check_lines(vctx *v, const xmlNode *lines)
{
    char p[PATH_MAX_LEN], en[200], hu[200];
    xmlNodePtr line;
    int k = 0, seq_reported = 0;
    long *refs = NULL;
    size_t nrefs = 0, caprefs = 0, i;

    for (line = ch(lines, "line"); line; line = nx(line, "line")) {
        const char *num = T(v, ch(line, "lineNumber"));
        xmlNodePtr lmr = ch(line, "lineModificationReference");
        const char *expr = T(v, ch(line, "lineExpressionIndicator"));
        const char *lop = NULL;
        int calc_net;

        k++;
        if (num && !seq_reported) {
            char want[16];
            snprintf(want, sizeof want, "%d", k);
            if (strcmp(num, want) != 0) {
                pathf(p, v, "/invoiceLines/line[%d]/lineNumber", k);
                snprintf(en, sizeof en, "found %s, expected %d", num, k);
                snprintf(hu, sizeof hu, "megadott érték: %s, elvárt érték: %d", num, k);
                add(v, "LINE_NUMBER_NOT_SEQUENTIAL", p, en, hu);
                seq_reported = 1;
            }
        }
        if (v->op == NAVOI_OP_CREATE && lmr) {
            pathf(p, v, "/invoiceLines/line[%d]/lineModificationReference", k);
            add(v, "LINE_MODIFICATION_NOT_EXPECTED", p, NULL, NULL);
        } else if (v->op != NAVOI_OP_CREATE && !lmr) {
            pathf(p, v, "/invoiceLines/line[%d]", k);
            add(v, "LINE_MODIFICATION_EXPECTED", p, NULL, NULL);
        }
        if (lmr) {
            const char *ref = T(v, ch(lmr, "lineNumberReference"));
            lop = T(v, ch(lmr, "lineOperation"));
            if (lop && strcmp(lop, "CREATE") != 0 && v->op != NAVOI_OP_CREATE) {
                pathf(p, v, "/invoiceLines/line[%d]/lineModificationReference/lineOperation", k);
                add(v, "INVALID_LINE_OPERATION", p, lop, NULL);
            }
            if (ref) {
                long r = 0;
                const char *q;
                for (q = ref; *q >= '0' && *q <= '9' && r < 100000000L; q++)
                    r = r * 10 + (*q - '0');
                for (i = 0; i < nrefs; i++)
                    if (refs[i] == r)
                        break;
                if (i < nrefs && v->op != NAVOI_OP_CREATE) {
                    pathf(p, v, "/invoiceLines/line[%d]/lineModificationReference/lineNumberReference", k);
                    add(v, "LINE_NUMBER_REFERENCE_NOT_UNIQUE", p, ref, NULL);
                } else if (i == nrefs) {
                    if (nrefs == caprefs) {
                        size_t cap = caprefs ? caprefs * 2 : 32;
                        long *nr = navoi__realloc(refs, cap * sizeof *nr);
                        if (!nr) {
                            v->oom = 1;
                            break;
                        }
                        refs = nr;
                        caprefs = cap;
                    }
                    refs[nrefs++] = r;
                }
            }
        }
        /* 3.3.2 #13 */
        if (expr) {
            const char *missing = NULL;
            if (!ch(line, "lineDescription"))
                missing = "lineDescription";
            else if (is_true(expr) && !ch(line, "quantity"))
                missing = "quantity";
            else if (is_true(expr) && !ch(line, "unitOfMeasure"))
                missing = "unitOfMeasure";
            else if (is_true(expr) && !ch(line, "unitPrice"))
                missing = "unitPrice";
            if (missing) {
                pathf(p, v, "/invoiceLines/line[%d]/%s", k, missing);
                add(v, "MANDATORY_LINE_CONTENT_MISSING", p, missing, NULL);
            }
        }
        /* 3.3.2 #50: reverse charge needs the customer's tax number. */
        if (v->op != NAVOI_OP_STORNO && v->has_customer_info && !v->customer_has_tax_number) {
            xmlNodePtr vr = ch(ch(line, "lineAmountsNormal"), "lineVatRate");
            if (!vr)
                vr = ch(ch(line, "lineAmountsSimplified"), "lineVatRate");
            if (is_true(T(v, ch(vr, "vatDomesticReverseCharge")))) {
                pathf(p, v, "/invoiceHead/customerInfo/customerVatData");
                add(v, "DOMESTIC_TAXNUMBER_EXPECTED_REVERSE_CHARGE", p, NULL, NULL);
            }
        }
        /* Annex I: amendment lines are checked only when created. */
        calc_net = v->op == NAVOI_OP_CREATE || !lop || strcmp(lop, "CREATE") == 0;
        check_line_amounts(v, line, k, calc_net);
    }
    navoi__free(refs);
    return k;
}

/* ---- summary ---------------------------------------------------------- */

static void check_summary_normal(vctx *v, const xmlNode *sn, int have_lines, const xmlNode *gross)
{
    char p[PATH_MAX_LEN], key[96];
    xmlNodePtr r;
    navoi__dec tn, tn_huf, tv, tv_huf, x, y, t, t2;
    int k = 0, mismatch_reported = 0, bad, any_bad = 0;
    size_t i;

    /* Lines whose VAT data is already in error cannot be summed. */
    if (v->line_bad)
        have_lines = 0;
    navoi__dec_zero(&tn);
    navoi__dec_zero(&tn_huf);
    navoi__dec_zero(&tv);
    navoi__dec_zero(&tv_huf);
    for (r = ch(sn, "summaryByVatRate"); r; r = nx(r, "summaryByVatRate")) {
        xmlNodePtr nd = ch(r, "vatRateNetData"), vd = ch(r, "vatRateVatData");
        int hn = D(v, nd, "vatRateNetAmount", &x), hnh, hv, hvh;
        navoi__dec xh, yv, yh;
        vatsum *s = NULL;

        k++;
        hnh = D(v, nd, "vatRateNetAmountHUF", &xh);
        hv = D(v, vd, "vatRateVatAmount", &yv);
        hvh = D(v, vd, "vatRateVatAmountHUF", &yh);
        pathf(p, v, "/invoiceSummary/summaryNormal/summaryByVatRate[%d]/vatRate", k);
        bad = check_vat_rate(v, ch(r, "vatRate"), 1, 0, p, key, sizeof key);
        any_bad |= bad;
        if (hn)
            acc(&tn, &x);
        if (hnh)
            acc(&tn_huf, &xh);
        if (hv)
            acc(&tv, &yv);
        if (hvh)
            acc(&tv_huf, &yh);
        if (have_lines && !bad) {
            for (i = 0; i < v->nsums; i++)
                if (strcmp(v->sums[i].key, key) == 0)
                    s = &v->sums[i];
            if (!s) {
                if (!mismatch_reported) {
                    pathf(p, v, "/invoiceSummary/summaryNormal/summaryByVatRate[%d]/vatRate", k);
                    add(v, "INCORRECT_SUMMARY_DATA_VAT_PERCENTAGE", p, key, NULL);
                    mismatch_reported = 1;
                }
            } else {
                s->in_summary = 1;
                if (hn) {
                    pathf(p, v,
                          "/invoiceSummary/summaryNormal/summaryByVatRate[%d]/vatRateNetData/vatRateNetAmount",
                          k);
                    compare(v, "INCORRECT_SUMMARY_CALCULATION_VAT_RATE_NET_AMOUNT_LINE", p, &x, &s->net, 0);
                }
                if (hnh) {
                    pathf(p, v,
                          "/invoiceSummary/summaryNormal/summaryByVatRate[%d]/vatRateNetData/vatRateNetAmountHUF",
                          k);
                    compare(v, "INCORRECT_SUMMARY_CALCULATION_VAT_RATE_NET_AMOUNT_HUF_LINE", p, &xh,
                            &s->net_huf, 1);
                }
            }
        }
        /* Annex I: only when the VAT base is not zero. */
        if (hn && hv && !navoi__dec_is_zero(&x) && expected_vat(key, &x, &t)) {
            pathf(p, v, "/invoiceSummary/summaryNormal/summaryByVatRate[%d]/vatRateVatData/vatRateVatAmount",
                  k);
            compare(v, "INCORRECT_SUMMARY_CALCULATION_VAT_RATE_VAT_AMOUNT_SUMMARY", p, &yv, &t, 0);
        }
        if (hnh && hvh && !navoi__dec_is_zero(&xh) && expected_vat(key, &xh, &t)) {
            pathf(p, v,
                  "/invoiceSummary/summaryNormal/summaryByVatRate[%d]/vatRateVatData/vatRateVatAmountHUF", k);
            compare(v, "INCORRECT_SUMMARY_CALCULATION_VAT_RATE_VAT_AMOUNT_HUF_SUMMARY", p, &yh, &t, 1);
        }
    }
    if (have_lines && !mismatch_reported && !any_bad) {
        for (i = 0; i < v->nsums; i++) {
            if (!v->sums[i].in_summary) {
                pathf(p, v, "/invoiceSummary/summaryNormal");
                add(v, "INCORRECT_SUMMARY_DATA_VAT_PERCENTAGE", p, v->sums[i].key, NULL);
                break;
            }
        }
    }
    if (D(v, sn, "invoiceNetAmount", &x)) {
        pathf(p, v, "/invoiceSummary/summaryNormal/invoiceNetAmount");
        compare(v, "INCORRECT_SUMMARY_CALCULATION_INVOICE_NET_AMOUNT", p, &x, &tn, 0);
    }
    if (D(v, sn, "invoiceNetAmountHUF", &x)) {
        pathf(p, v, "/invoiceSummary/summaryNormal/invoiceNetAmountHUF");
        compare(v, "INCORRECT_SUMMARY_CALCULATION_INVOICE_NET_AMOUNT_HUF", p, &x, &tn_huf, 1);
    }
    if (D(v, sn, "invoiceVatAmount", &x)) {
        pathf(p, v, "/invoiceSummary/summaryNormal/invoiceVatAmount");
        compare(v, "INCORRECT_SUMMARY_CALCULATION_INVOICE_VAT_AMOUNT_SUMMARY", p, &x, &tv, 0);
    }
    if (D(v, sn, "invoiceVatAmountHUF", &x)) {
        pathf(p, v, "/invoiceSummary/summaryNormal/invoiceVatAmountHUF");
        compare(v, "INCORRECT_SUMMARY_CALCULATION_INVOICE_VAT_AMOUNT_HUF_SUMMARY", p, &x, &tv_huf, 1);
    }
    if (gross && D(v, sn, "invoiceNetAmount", &x) && D(v, sn, "invoiceVatAmount", &y) &&
        D(v, gross, "invoiceGrossAmount", &t2)) {
        navoi__dec_add(&x, &y, &t);
        pathf(p, v, "/invoiceSummary/summaryGrossData/invoiceGrossAmount");
        compare(v, "INCORRECT_SUMMARY_CALCULATION_INVOICE_GROSS_AMOUNT_SUMMARY", p, &t2, &t, 0);
    }
    if (gross && D(v, sn, "invoiceNetAmountHUF", &x) && D(v, sn, "invoiceVatAmountHUF", &y) &&
        D(v, gross, "invoiceGrossAmountHUF", &t2)) {
        navoi__dec_add(&x, &y, &t);
        pathf(p, v, "/invoiceSummary/summaryGrossData/invoiceGrossAmountHUF");
        compare(v, "INCORRECT_SUMMARY_CALCULATION_INVOICE_GROSS_AMOUNT_HUF_SUMMARY", p, &t2, &t, 1);
    }
}

static void check_summary_simplified(vctx *v, const xmlNode *summary, int have_lines,
                                     const xmlNode *gross)
{
    char p[PATH_MAX_LEN], key[96];
    xmlNodePtr r;
    navoi__dec tg, tg_huf, x, xh;
    int k = 0, mismatch_reported = 0, any_bad = 0;
    size_t i;

    if (v->line_bad)
        have_lines = 0;
    navoi__dec_zero(&tg);
    navoi__dec_zero(&tg_huf);
    for (r = ch(summary, "summarySimplified"); r; r = nx(r, "summarySimplified")) {
        int hg = D(v, r, "vatContentGrossAmount", &x), hgh = D(v, r, "vatContentGrossAmountHUF", &xh);
        vatsum *s = NULL;

        k++;
        pathf(p, v, "/invoiceSummary/summarySimplified[%d]/vatRate", k);
        if (hg)
            acc(&tg, &x);
        if (hgh)
            acc(&tg_huf, &xh);
        if (check_vat_rate(v, ch(r, "vatRate"), 0, 0, p, key, sizeof key)) {
            any_bad = 1;
            continue;
        }
        if (!have_lines)
            continue;
        for (i = 0; i < v->nsums; i++)
            if (strcmp(v->sums[i].key, key) == 0)
                s = &v->sums[i];
        if (!s) {
            if (!mismatch_reported) {
                add(v, "INCORRECT_SUMMARY_DATA_VAT_PERCENTAGE", p, key, NULL);
                mismatch_reported = 1;
            }
            continue;
        }
        s->in_summary = 1;
        if (hg) {
            pathf(p, v, "/invoiceSummary/summarySimplified[%d]/vatContentGrossAmount", k);
            compare(v, "INCORRECT_SUMMARY_CALCULATION_VAT_CONTENT_GROSS_AMOUNT_SUMMARY_SIMPLIFIED", p, &x,
                    &s->gross, 0);
        }
        if (hgh) {
            pathf(p, v, "/invoiceSummary/summarySimplified[%d]/vatContentGrossAmountHUF", k);
            compare(v, "INCORRECT_SUMMARY_CALCULATION_VAT_CONTENT_GROSS_AMOUNT_HUF_SUMMARY_SIMPLIFIED", p,
                    &xh, &s->gross_huf, 1);
        }
    }
    if (have_lines && !mismatch_reported && !any_bad) {
        for (i = 0; i < v->nsums; i++) {
            if (!v->sums[i].in_summary) {
                pathf(p, v, "/invoiceSummary");
                add(v, "INCORRECT_SUMMARY_DATA_VAT_PERCENTAGE", p, v->sums[i].key, NULL);
                break;
            }
        }
    }
    if (gross && D(v, gross, "invoiceGrossAmount", &x)) {
        pathf(p, v, "/invoiceSummary/summaryGrossData/invoiceGrossAmount");
        compare(v, "INCORRECT_SUMMARY_CALCULATION_INVOICE_VAT_AMOUNT", p, &x, &tg, 0);
    }
    if (gross && D(v, gross, "invoiceGrossAmountHUF", &x)) {
        pathf(p, v, "/invoiceSummary/summaryGrossData/invoiceGrossAmountHUF");
        compare(v, "INCORRECT_SUMMARY_CALCULATION_INVOICE_VAT_AMOUNT_HUF", p, &x, &tg_huf, 1);
    }
}

/* ---- one invoice ------------------------------------------------------ */

static void check_invoice(vctx *v, const xmlNode *inv)
{
    char p[PATH_MAX_LEN];
    xmlNodePtr ref = ch(inv, "invoiceReference"), lines = ch(inv, "invoiceLines");
    xmlNodePtr summary = ch(inv, "invoiceSummary");
    xmlNodePtr sn = ch(summary, "summaryNormal"), ss = ch(summary, "summarySimplified");
    xmlNodePtr gross = ch(summary, "summaryGrossData");
    int nlines = 0;

    v->nsums = 0;
    v->line_bad = 0;
    v->category = 0;
    v->delivery[0] = '\0';
    navoi__dec_from_int(&v->rate, 1);
    v->mwm = ref ? is_true(T(v, ch(ref, "modifyWithoutMaster"))) : 0;
    if (v->op == NAVOI_OP_CREATE && ref) {
        pathf(p, v, "/invoiceReference");
        add(v, "INVOICE_REFERENCE_NOT_EXPECTED", p, NULL, NULL);
    } else if (v->op != NAVOI_OP_CREATE && !ref) {
        pathf(p, v, "%s", "");
        add(v, "INVOICE_REFERENCE_EXPECTED", p, NULL, NULL);
    }
    check_head(v, ch(inv, "invoiceHead"));
    if (lines)
        nlines = check_lines(v, lines);
    if (nlines == 0 && v->op != NAVOI_OP_MODIFY) {
        pathf(p, v, "/invoiceLines");
        add(v, "INVOICE_LINE_MISSING", p, NULL, NULL);
    }
    if (sn && v->category == NAVOI_CATEGORY_SIMPLIFIED) {
        pathf(p, v, "/invoiceSummary/summaryNormal");
        add(v, "LINE_SUMMARY_TYPE_MISMATCH_SUMMARY_NORMAL", p, NULL, NULL);
    } else if (ss && (v->category == NAVOI_CATEGORY_NORMAL || v->category == NAVOI_CATEGORY_AGGREGATE)) {
        pathf(p, v, "/invoiceSummary/summarySimplified");
        add(v, "LINE_SUMMARY_TYPE_MISMATCH_SUMMARY_SIMPLIFIED", p, NULL, NULL);
    } else if (sn) {
        check_summary_normal(v, sn, v->nsums > 0, gross);
    } else if (ss) {
        check_summary_simplified(v, summary, v->nsums > 0, gross);
    }
}

/* ---- document --------------------------------------------------------- */

/* Raw (untrimmed) text of an element. */
static char *raw_text(const xmlNode *n)
{
    xmlChar *c = n ? xmlNodeGetContent(n) : NULL;
    char *s;

    if (!c)
        return NULL;
    s = navoi__strdup((const char *)c);
    xmlFree(c);
    return s;
}

static void check_document(vctx *v, const xmlNode *root)
{
    char p[PATH_MAX_LEN], en[200], hu[200], limit[11];
    xmlNodePtr main_ = ch(root, "invoiceMain"), inv, batch;
    xmlNodePtr numn = ch(root, "invoiceNumber");
    char *num = raw_text(numn);
    const char *issue = T(v, ch(root, "invoiceIssueDate"));
    int electronic = is_true(T(v, ch(root, "completenessIndicator")));

    if (numn && !num)
        v->oom = 1;
    if (num && *num) {
        size_t len = strlen(num);
        if (strchr(" \t\r\n", num[0]) || strchr(" \t\r\n", num[len - 1]))
            add(v, "INVALID_INVOICE_NUMBER", "InvoiceData/invoiceNumber",
                "leading or trailing space, tab or line break",
                "kezdő vagy záró szóköz, tabulátor vagy sortörés");
    }
    navoi__free(num);

    if (issue && valid_date(issue)) {
        long days = civil_days(issue);
        add_years(v->today, 1, limit);
        if (strcmp(issue, limit) > 0) {
            snprintf(en, sizeof en, "issue date %s, reported on %s", issue, v->today);
            snprintf(hu, sizeof hu, "számla kelte: %s, adatszolgáltatás napja: %s", issue, v->today);
            add(v, "INVOICE_ISSUE_DATE_LATE", "InvoiceData/invoiceIssueDate", en, hu);
        } else if (days > v->today_days + 5) {
            snprintf(en, sizeof en, "issue date %s, reported on %s", issue, v->today);
            snprintf(hu, sizeof hu, "számla kelte: %s, adatszolgáltatás napja: %s", issue, v->today);
            add(v, "INCORRECT_DATE_INVOICE_ISSUE_DATE_LATE", "InvoiceData/invoiceIssueDate", en, hu);
        }
    }

    inv = ch(main_, "invoice");
    batch = ch(main_, "batchInvoice");
    if (inv) {
        snprintf(v->base, sizeof v->base, "InvoiceData/invoiceMain/invoice");
        check_invoice(v, inv);
        if (issue && v->delivery[0] && valid_date(issue)) {
            add_years(issue, 5, limit);
            if (strcmp(v->delivery, limit) > 0) {
                snprintf(en, sizeof en, "delivery %s, issue date %s", v->delivery, issue);
                snprintf(hu, sizeof hu, "teljesítés: %s, számla kelte: %s", v->delivery, issue);
                add(v, "INVOICE_DELIVERY_DATE_LATE",
                    "InvoiceData/invoiceMain/invoice/invoiceHead/invoiceDetail/invoiceDeliveryDate", en, hu);
            }
        }
    } else if (batch) {
        int k = 0, seq_reported = 0;
        char first_customer[16] = "";
        typedef struct refkey {
            const char *orig, *idx;
        } refkey;
        refkey seen[128];
        size_t nseen = 0, i;
        int dup_reported = 0, cust_reported = 0;

        if (v->op == NAVOI_OP_CREATE)
            add(v, "CREATE_WITH_BATCH_INVOICE_FOUND", "InvoiceData/invoiceMain/batchInvoice", NULL, NULL);
        for (; batch; batch = nx(batch, "batchInvoice")) {
            const char *bi = T(v, ch(batch, "batchIndex"));
            xmlNodePtr binv = ch(batch, "invoice");
            xmlNodePtr bref = ch(binv, "invoiceReference");
            xmlNodePtr ctn = ch(ch(ch(ch(binv, "invoiceHead"), "customerInfo"), "customerVatData"),
                                "customerTaxNumber");
            const char *cid = T(v, bch(ctn, "taxpayerId"));
            char want[16];

            k++;
            snprintf(want, sizeof want, "%d", k);
            if (bi && strcmp(bi, want) != 0 && !seq_reported) {
                snprintf(p, sizeof p, "InvoiceData/invoiceMain/batchInvoice[%d]/batchIndex", k);
                add(v, "BATCH_INDEX_NOT_SEQUENTIAL", p, bi, NULL);
                seq_reported = 1;
            }
            if (bref) {
                const char *o = T(v, ch(bref, "originalInvoiceNumber"));
                const char *ix = T(v, ch(bref, "modificationIndex"));
                for (i = 0; o && ix && i < nseen; i++) {
                    if (strcmp(seen[i].orig, o) == 0 && strcmp(seen[i].idx, ix) == 0 && !dup_reported) {
                        snprintf(p, sizeof p, "InvoiceData/invoiceMain/batchInvoice[%d]/invoice/invoiceReference",
                                 k);
                        add(v, "DUPLICATE_IN_INVOICE_REFERENCE", p, o, NULL);
                        dup_reported = 1;
                    }
                }
                if (o && ix && nseen < sizeof seen / sizeof seen[0]) {
                    seen[nseen].orig = o;
                    seen[nseen].idx = ix;
                    nseen++;
                }
            }
            if (cid) {
                if (!first_customer[0]) {
                    snprintf(first_customer, sizeof first_customer, "%s", cid);
                } else if (strcmp(first_customer, cid) != 0 && !cust_reported) {
                    snprintf(p, sizeof p,
                             "InvoiceData/invoiceMain/batchInvoice[%d]/invoice/invoiceHead/customerInfo", k);
                    add(v, "CUSTOMER_NOT_IDENTICAL", p, cid, NULL);
                    cust_reported = 1;
                }
            }
            snprintf(v->base, sizeof v->base, "InvoiceData/invoiceMain/batchInvoice[%d]/invoice", k);
            check_invoice(v, binv);
        }
        if (k < 2)
            add(v, "BATCH_INVOICE_CARDINALITY_ERROR", "InvoiceData/invoiceMain", NULL, NULL);
    }

    /* 3.5: e-invoice restrictions */
    if (electronic) {
        xmlNodePtr first = inv ? inv : ch(ch(main_, "batchInvoice"), "invoice");
        xmlNodePtr head = ch(first, "invoiceHead");
        const char *app = T(v, ch(ch(head, "invoiceDetail"), "invoiceAppearance"));
        const char *status = T(v, ch(ch(head, "customerInfo"), "customerVatStatus"));
        const char *merged = T(v, ch(ch(first, "invoiceLines"), "mergedItemIndicator"));
        snprintf(v->base, sizeof v->base, "InvoiceData/invoiceMain/%s", inv ? "invoice" : "batchInvoice[1]/invoice");
        if (app && strcmp(app, "ELECTRONIC") != 0) {
            pathf(p, v, "/invoiceHead/invoiceDetail/invoiceAppearance");
            add(v, "INVOICE_APPEARANCE_MISMATCH", p, app, NULL);
        }
        if (is_true(merged)) {
            pathf(p, v, "/invoiceLines/mergedItemIndicator");
            add(v, "INVOICE_COMPLETENESS_MERGED_ITEM_INDICATOR_MISMATCH", p, NULL, NULL);
        }
        if (status && strcmp(status, "PRIVATE_PERSON") == 0) {
            pathf(p, v, "/invoiceHead/customerInfo/customerVatStatus");
            add(v, "INVOICE_COMPLETENESS_PRIVATE_PERSON_INDICATOR_MISMATCH", p, NULL, NULL);
        }
    }
}

/* ---- entry points ----------------------------------------------------- */

static int infer_operation(const xmlNode *root)
{
    xmlNodePtr main_ = ch(root, "invoiceMain");
    xmlNodePtr inv = ch(main_, "invoice");

    if (!inv)
        inv = ch(ch(main_, "batchInvoice"), "invoice");
    return ch(inv, "invoiceReference") ? NAVOI_OP_MODIFY : NAVOI_OP_CREATE;
}

static void vctx_free(vctx *v)
{
    size_t i;
    for (i = 0; i < v->ntexts; i++)
        navoi__free(v->texts[i]);
    navoi__free(v->texts);
    navoi__free(v->sums);
}

int navoi__validate_doc(navoi_client *c, xmlDocPtr doc, int operation, navoi_findings *f)
{
    vctx v;
    xmlNodePtr root = xmlDocGetRootElement(doc);
    char why[512];
    int64_t now = navoi__now_ms(c);

    memset(&v, 0, sizeof v);
    v.f = f;
    if (!navoi__xml_is(root, NAVOI__NS_DATA, "InvoiceData")) {
        navoi__findings_add(f, "SCHEMA_VIOLATION", "", "the root element is not InvoiceData in namespace " NAVOI__NS_DATA,
                            "a gyökérelem nem InvoiceData (" NAVOI__NS_DATA ")");
        return f->oom ? NAVOI_ENOMEM : NAVOI_OK;
    }
    if (c && c->schemas) {
        int rc = navoi__schemas_validate(c->schemas, NAVOI__SCHEMA_DATA, doc, why, sizeof why);
        if (rc == NAVOI_ENOMEM)
            return NAVOI_ENOMEM;
        if (rc != NAVOI_OK) {
            navoi__findings_add(f, "SCHEMA_VIOLATION", "InvoiceData", why, why);
            return f->oom ? NAVOI_ENOMEM : NAVOI_OK;
        }
    } else {
        navoi__findings_add(f, "NAVOI_SCHEMA_NOT_CHECKED", "InvoiceData", NULL, NULL);
    }
    v.op = operation ? operation : infer_operation(root);
    v.client_tax = c && c->tax_number[0] ? c->tax_number : NULL;
    v.today_days = (long)((now >= 0 ? now : 0) / 86400000);
    civil_from_days(v.today_days, v.today);
    check_document(&v, root);
    vctx_free(&v);
    if (v.oom || f->oom)
        return NAVOI_ENOMEM;
    return NAVOI_OK;
}

static int vfail(navoi_client *c, int code, const char *msg)
{
    if (c)
        return navoi__fail(c, code, "%s", msg);
    return code;
}

NAVOI_API int navoi_validate_xml(navoi_client *c, const char *data, size_t len, int operation,
                                 navoi_findings **out)
{
    navoi_findings *f;
    navoi__buf plain = NAVOI__BUF_INIT;
    xmlDocPtr doc = NULL;
    char why[512];
    int rc;

    if (out)
        *out = NULL;
    if (!out || !data)
        return vfail(c, NAVOI_EINVAL, "navoi_validate_xml: data or out is NULL");
    if (operation < 0 || operation > NAVOI_OP_STORNO)
        return vfail(c, NAVOI_EINVAL, "navoi_validate_xml: operation must be 0 or NAVOI_OP_*");
    if (navoi__is_gzip(data, len)) {
        rc = navoi__gunzip(data, len, VALIDATE_MAX_BYTES, &plain);
        if (rc == NAVOI_ENOMEM || rc == NAVOI_ETOOBIG) {
            navoi__buf_free(&plain);
            return vfail(c, rc, rc == NAVOI_ETOOBIG ? "invoice is larger than 15,000,000 bytes uncompressed"
                                                    : "out of memory");
        }
        data = plain.data ? plain.data : "";
        len = rc == NAVOI_OK ? plain.len : 0;
    }
    if (len > VALIDATE_MAX_BYTES) {
        navoi__buf_free(&plain);
        return vfail(c, NAVOI_ETOOBIG, "invoice is larger than 15,000,000 bytes");
    }
    f = navoi__findings_new();
    if (!f) {
        navoi__buf_free(&plain);
        return vfail(c, NAVOI_ENOMEM, "out of memory");
    }
    rc = len ? navoi__xml_read(data, len, &doc, why, sizeof why) : NAVOI_EXML;
    if (rc == NAVOI_ENOMEM)
        goto out;
    if (rc != NAVOI_OK) {
        if (!len)
            snprintf(why, sizeof why, "empty document or corrupt gzip stream");
        navoi__findings_add(f, "SCHEMA_VIOLATION", "", why, why);
        rc = f->oom ? NAVOI_ENOMEM : NAVOI_OK;
        goto out;
    }
    rc = navoi__validate_doc(c, doc, operation, f);
out:
    if (doc)
        xmlFreeDoc(doc);
    navoi__buf_free(&plain);
    if (rc != NAVOI_OK) {
        navoi_findings_free(f);
        return vfail(c, rc, rc == NAVOI_ENOMEM ? "out of memory" : "validation failed");
    }
    *out = f;
    return NAVOI_OK;
}

NAVOI_API int navoi_validate(navoi_client *c, const navoi_invoice *invoice, navoi_findings **out)
{
    if (out)
        *out = NULL;
    if (!invoice || !out)
        return vfail(c, NAVOI_EINVAL, "navoi_validate: invoice or out is NULL");
    return navoi_validate_xml(c, invoice->xml, invoice->len, invoice->operation, out);
}
