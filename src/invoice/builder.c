/*
 * builder.c - owns navoi_invoice_builder: typed setters for the common
 * invoice cases, the amount computation (decimal.h, rounding each amount
 * to 2 decimals half away from zero) and the InvoiceData document written
 * with the canonical XML writer, element order as in invoiceData.xsd.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "common/buf.h"
#include "core/client.h"
#include "core/invoice.h"
#include "invoice/decimal.h"
#include "navoi/navoi.h"
#include "xml/ns.h"
#include "xml/writer.h"

#define MAX_LINES 10000
#define MONEY_DIGITS 18 /* MonetaryType totalDigits */
#define QTY_DIGITS 22   /* QuantityType totalDigits */
#define QTY_FRACTION 10 /* QuantityType fractionDigits */

enum { VAT_NONE = 0, VAT_RATE, VAT_EXEMPT, VAT_OUT_OF_SCOPE, VAT_REVERSE_CHARGE };
enum { CUST_NONE = 0, CUST_DOMESTIC, CUST_PRIVATE, CUST_EU, CUST_THIRD };
enum { A_NET = 0, A_VAT, A_GROSS, A_NET_HUF, A_VAT_HUF, A_GROSS_HUF, A_COUNT };

typedef struct address {
    char *country, *postal, *city, *detail;
} address;

typedef struct pcode {
    char *category, *value;
} pcode;

typedef struct bline {
    char *desc, *unit, *unit_own, *nature;
    navoi__dec qty, price, discount;
    int has_discount;
    int vat_kind;
    navoi__dec vat_rate;
    char *vat_case, *vat_reason;
    pcode *codes;
    size_t ncodes;
    int32_t ref;
    char delivery[11];
    navoi__dec a[A_COUNT]; /* computed */
} bline;

/* One VAT treatment of the summary and its sums. */
typedef struct bsum {
    const bline *first; /* the line whose treatment it is */
    navoi__dec a[A_COUNT];
} bsum;

struct navoi_invoice_builder {
    char *number;
    char issue[11];
    int category;

    int has_supplier;
    char sup_tax[12]; /* 11 digits */
    char *sup_name, *sup_bank;
    address sup_addr;

    int cust_kind;
    char cus_tax[12];
    char *cus_id; /* community VAT number or third-state id */
    char *cus_name;
    address cus_addr;

    char delivery[11];
    char currency[4];
    navoi__dec rate;
    char *pay_method;
    char pay_date[11];
    char *appearance;

    int has_ref;
    char *orig;
    int32_t mod_index, chain_last;
    int mwm;

    bline *lines;
    size_t nlines, caplines;

    bsum *sums;
    size_t nsums;
    navoi__dec tot[A_COUNT];

    char errmsg[256];
    char amount[NAVOI__DEC_STRLEN];
};

/* ---- helpers ---------------------------------------------------------- */

static int bfail(navoi_invoice_builder *b, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int bfail(navoi_invoice_builder *b, int code, const char *fmt, ...)
{
    va_list ap;

    if (b) {
        va_start(ap, fmt);
        vsnprintf(b->errmsg, sizeof b->errmsg, fmt, ap);
        va_end(ap);
    }
    return code;
}

static int ok(navoi_invoice_builder *b)
{
    b->errmsg[0] = '\0';
    return NAVOI_OK;
}

/* Text that XML can carry, 1..maxchars characters, not blank. */
static int text_ok(const char *s, size_t maxchars)
{
    size_t n;
    const char *p;

    if (!s || !*s || navoi__xw_check_text(s, strlen(s), &n) != NAVOI_OK || n > maxchars)
        return 0;
    for (p = s; *p; p++)
        if (!strchr(" \t\r\n", *p))
            return 1;
    return 0;
}

static int pattern_ok(const char *s, size_t minlen, size_t maxlen, const char *first,
                      const char *rest)
{
    size_t n, i;
    if (!s)
        return 0;
    n = strlen(s);
    if (n < minlen || n > maxlen)
        return 0;
    for (i = 0; i < n; i++) {
        const char *set = i < strlen(first) ? NULL : rest;
        char c = s[i];
        if (!set) {
            /* first characters: one class letter per position */
            char cls = first[i];
            if ((cls == 'A' && !(c >= 'A' && c <= 'Z')) || (cls == '9' && !(c >= '0' && c <= '9')))
                return 0;
            continue;
        }
        if (!strchr(set, c))
            return 0;
    }
    return 1;
}

#define UPPER "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#define DIGITS "0123456789"

static int date_ok(const char *s)
{
    int i, m, d;
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return 0;
    m = (s[5] - '0') * 10 + (s[6] - '0');
    d = (s[8] - '0') * 10 + (s[9] - '0');
    return m >= 1 && m <= 12 && d >= 1 && d <= 31 && strcmp(s, "2010-01-01") >= 0;
}

/* "12345678-1-42" or "12345678142" -> "12345678142". */
static int tax11(const char *s, char out[12])
{
    size_t i, n = 0;

    if (!s)
        return 0;
    if (strlen(s) == 13 && s[8] == '-' && s[10] == '-') {
        for (i = 0; i < 13; i++)
            if (i != 8 && i != 10)
                out[n++] = s[i];
    } else if (strlen(s) == 11) {
        memcpy(out, s, 11);
        n = 11;
    } else {
        return 0;
    }
    out[11] = '\0';
    for (i = 0; i < 11; i++)
        if (out[i] < '0' || out[i] > '9')
            return 0;
    return out[8] >= '1' && out[8] <= '5';
}

static int set_str(char **dst, const char *src)
{
    char *c = NULL;
    if (src) {
        c = navoi__strdup(src);
        if (!c)
            return NAVOI_ENOMEM;
    }
    navoi__free(*dst);
    *dst = c;
    return NAVOI_OK;
}

static void address_free(address *a)
{
    navoi__free(a->country);
    navoi__free(a->postal);
    navoi__free(a->city);
    navoi__free(a->detail);
    memset(a, 0, sizeof *a);
}

static int address_set(navoi_invoice_builder *b, address *a, const char *who, const char *country,
                       const char *postal, const char *city, const char *detail)
{
    address t;

    if (!pattern_ok(country, 2, 2, "AA", ""))
        return bfail(b, NAVOI_EINVAL, "%s country code must be two capital letters (ISO 3166)", who);
    if (!postal || strlen(postal) < 3 || strlen(postal) > 10 ||
        !pattern_ok(postal, 3, 10, "", UPPER DIGITS " -") || postal[0] == ' ' || postal[0] == '-' ||
        postal[strlen(postal) - 1] == ' ' || postal[strlen(postal) - 1] == '-')
        return bfail(b, NAVOI_EINVAL, "%s postal code must be 3-10 of A-Z, 0-9, space and '-'", who);
    if (!text_ok(city, 255))
        return bfail(b, NAVOI_EINVAL, "%s city must be 1-255 characters, not blank", who);
    if (!text_ok(detail, 255))
        return bfail(b, NAVOI_EINVAL, "%s address detail must be 1-255 characters, not blank", who);
    memset(&t, 0, sizeof t);
    t.country = navoi__strdup(country);
    t.postal = navoi__strdup(postal);
    t.city = navoi__strdup(city);
    t.detail = navoi__strdup(detail);
    if (!t.country || !t.postal || !t.city || !t.detail) {
        address_free(&t);
        return bfail(b, NAVOI_ENOMEM, "out of memory");
    }
    address_free(a);
    *a = t;
    return NAVOI_OK;
}

/* Parses a decimal argument; max_fraction < 0 = any. */
static int dec_arg(navoi_invoice_builder *b, const char *what, const char *s, int max_fraction,
                   navoi__dec *out)
{
    navoi__dec d;
    int rc = navoi__dec_parse(s, &d);

    if (rc != NAVOI_OK)
        return bfail(b, NAVOI_EINVAL, "%s must be a decimal number like \"1234.56\" (no spaces, '.' as separator)",
                     what);
    navoi__dec_normalize(&d);
    if (max_fraction >= 0 && d.scale > max_fraction)
        return bfail(b, NAVOI_EINVAL, "%s has more than %d fraction digits", what, max_fraction);
    *out = d;
    return NAVOI_OK;
}

static void line_free(bline *l)
{
    size_t i;
    navoi__free(l->desc);
    navoi__free(l->unit);
    navoi__free(l->unit_own);
    navoi__free(l->nature);
    navoi__free(l->vat_case);
    navoi__free(l->vat_reason);
    for (i = 0; i < l->ncodes; i++) {
        navoi__free(l->codes[i].category);
        navoi__free(l->codes[i].value);
    }
    navoi__free(l->codes);
}

static bline *get_line(navoi_invoice_builder *b, int32_t line)
{
    if (!b || line < 1 || (size_t)line > b->nlines)
        return NULL;
    return &b->lines[line - 1];
}

/* ---- lifecycle -------------------------------------------------------- */

NAVOI_API int navoi_invoice_builder_new(navoi_invoice_builder **out, const char *invoice_number,
                                        const char *issue_date, int category)
{
    navoi_invoice_builder *b;
    size_t len;

    if (out)
        *out = NULL;
    if (!out || !text_ok(invoice_number, 50) || !date_ok(issue_date) ||
        category < NAVOI_CATEGORY_NORMAL || category > NAVOI_CATEGORY_AGGREGATE)
        return NAVOI_EINVAL;
    len = strlen(invoice_number);
    if (strchr(" \t\r\n", invoice_number[0]) || strchr(" \t\r\n", invoice_number[len - 1]))
        return NAVOI_EINVAL; /* INVALID_INVOICE_NUMBER at NAV */
    b = navoi__calloc(1, sizeof *b);
    if (!b)
        return NAVOI_ENOMEM;
    b->number = navoi__strdup(invoice_number);
    b->appearance = navoi__strdup("PAPER");
    if (!b->number || !b->appearance) {
        navoi_invoice_builder_free(b);
        return NAVOI_ENOMEM;
    }
    memcpy(b->issue, issue_date, 11);
    memcpy(b->delivery, issue_date, 11);
    b->category = category;
    memcpy(b->currency, "HUF", 4);
    navoi__dec_from_int(&b->rate, 1);
    *out = b;
    return NAVOI_OK;
}

NAVOI_API void navoi_invoice_builder_free(navoi_invoice_builder *b)
{
    size_t i;

    if (!b)
        return;
    navoi__free(b->number);
    navoi__free(b->sup_name);
    navoi__free(b->sup_bank);
    address_free(&b->sup_addr);
    navoi__free(b->cus_id);
    navoi__free(b->cus_name);
    address_free(&b->cus_addr);
    navoi__free(b->pay_method);
    navoi__free(b->appearance);
    navoi__free(b->orig);
    for (i = 0; i < b->nlines; i++)
        line_free(&b->lines[i]);
    navoi__free(b->lines);
    navoi__free(b->sums);
    navoi__free(b);
}

NAVOI_API const char *navoi_invoice_builder_errmsg(const navoi_invoice_builder *b)
{
    return b ? b->errmsg : "";
}

/* ---- parties ---------------------------------------------------------- */

NAVOI_API int navoi_invoice_builder_set_supplier(navoi_invoice_builder *b, const char *tax_number,
                                                 const char *name, const char *country_code,
                                                 const char *postal_code, const char *city,
                                                 const char *address_detail)
{
    char tax[12];
    int rc;

    if (!b)
        return NAVOI_EINVAL;
    if (!tax11(tax_number, tax))
        return bfail(b, NAVOI_EINVAL,
                     "supplier tax number must be the 11-digit form 12345678-1-42 (VAT code 1-5)");
    if (!text_ok(name, 512))
        return bfail(b, NAVOI_EINVAL, "supplier name must be 1-512 characters, not blank");
    rc = address_set(b, &b->sup_addr, "supplier", country_code, postal_code, city, address_detail);
    if (rc != NAVOI_OK)
        return rc;
    if (set_str(&b->sup_name, name) != NAVOI_OK)
        return bfail(b, NAVOI_ENOMEM, "out of memory");
    memcpy(b->sup_tax, tax, 12);
    b->has_supplier = 1;
    return ok(b);
}

NAVOI_API int navoi_invoice_builder_set_supplier_bank_account(navoi_invoice_builder *b,
                                                              const char *account)
{
    if (!b)
        return NAVOI_EINVAL;
    if (account && !(pattern_ok(account, 26, 26, "99999999", DIGITS "-") ||
                     pattern_ok(account, 17, 17, "99999999", DIGITS "-") ||
                     pattern_ok(account, 15, 34, "AA99", UPPER DIGITS "abcdefghijklmnopqrstuvwxyz")))
        return bfail(b, NAVOI_EINVAL,
                     "bank account must be 8-8(-8) digits separated by '-' or an IBAN without spaces");
    if (set_str(&b->sup_bank, account) != NAVOI_OK)
        return bfail(b, NAVOI_ENOMEM, "out of memory");
    return ok(b);
}

static int set_customer(navoi_invoice_builder *b, int kind, const char *id, const char *name,
                        const char *country, const char *postal, const char *city,
                        const char *detail)
{
    int rc;

    if (!text_ok(name, 512))
        return bfail(b, NAVOI_EINVAL, "customer name must be 1-512 characters, not blank");
    rc = address_set(b, &b->cus_addr, "customer", country, postal, city, detail);
    if (rc != NAVOI_OK)
        return rc;
    if (set_str(&b->cus_name, name) != NAVOI_OK || set_str(&b->cus_id, id) != NAVOI_OK)
        return bfail(b, NAVOI_ENOMEM, "out of memory");
    b->cust_kind = kind;
    return ok(b);
}

NAVOI_API int navoi_invoice_builder_set_customer_domestic(navoi_invoice_builder *b,
                                                          const char *tax_number, const char *name,
                                                          const char *country_code,
                                                          const char *postal_code, const char *city,
                                                          const char *address_detail)
{
    char tax[12];
    int rc;

    if (!b)
        return NAVOI_EINVAL;
    if (!tax11(tax_number, tax))
        return bfail(b, NAVOI_EINVAL,
                     "customer tax number must be the 11-digit form 12345678-2-41 (VAT code 1-5)");
    rc = set_customer(b, CUST_DOMESTIC, NULL, name, country_code, postal_code, city, address_detail);
    if (rc == NAVOI_OK)
        memcpy(b->cus_tax, tax, 12);
    return rc;
}

NAVOI_API int navoi_invoice_builder_set_customer_private_person(navoi_invoice_builder *b)
{
    if (!b)
        return NAVOI_EINVAL;
    navoi__free(b->cus_id);
    navoi__free(b->cus_name);
    b->cus_id = b->cus_name = NULL;
    address_free(&b->cus_addr);
    b->cust_kind = CUST_PRIVATE;
    return ok(b);
}

NAVOI_API int navoi_invoice_builder_set_customer_eu(navoi_invoice_builder *b,
                                                    const char *community_vat_number,
                                                    const char *name, const char *country_code,
                                                    const char *postal_code, const char *city,
                                                    const char *address_detail)
{
    if (!b)
        return NAVOI_EINVAL;
    if (!pattern_ok(community_vat_number, 4, 15, "AA", UPPER DIGITS))
        return bfail(b, NAVOI_EINVAL,
                     "community VAT number must be a country prefix and 2-13 of A-Z, 0-9 (e.g. DE123456789)");
    if (strncmp(community_vat_number, "HU", 2) == 0)
        return bfail(b, NAVOI_EINVAL,
                     "a HU community VAT number belongs to a domestic customer: use set_customer_domestic");
    return set_customer(b, CUST_EU, community_vat_number, name, country_code, postal_code, city,
                        address_detail);
}

NAVOI_API int navoi_invoice_builder_set_customer_third_country(navoi_invoice_builder *b,
                                                               const char *tax_id, const char *name,
                                                               const char *country_code,
                                                               const char *postal_code,
                                                               const char *city,
                                                               const char *address_detail)
{
    if (!b)
        return NAVOI_EINVAL;
    if (tax_id && !text_ok(tax_id, 50))
        return bfail(b, NAVOI_EINVAL, "third-state tax id must be 1-50 characters, not blank");
    return set_customer(b, CUST_THIRD, tax_id, name, country_code, postal_code, city, address_detail);
}

/* ---- head ------------------------------------------------------------- */

NAVOI_API int navoi_invoice_builder_set_delivery_date(navoi_invoice_builder *b, const char *date)
{
    if (!b)
        return NAVOI_EINVAL;
    if (!date_ok(date))
        return bfail(b, NAVOI_EINVAL, "delivery date must be YYYY-MM-DD, not before 2010-01-01");
    memcpy(b->delivery, date, 11);
    return ok(b);
}

NAVOI_API int navoi_invoice_builder_set_currency(navoi_invoice_builder *b, const char *currency_code,
                                                 const char *exchange_rate)
{
    navoi__dec r, one;
    int rc;

    if (!b)
        return NAVOI_EINVAL;
    if (!pattern_ok(currency_code, 3, 3, "AAA", ""))
        return bfail(b, NAVOI_EINVAL, "currency code must be three capital letters (ISO 4217)");
    rc = dec_arg(b, "exchange rate", exchange_rate, 6, &r);
    if (rc != NAVOI_OK)
        return rc;
    if (r.neg || navoi__dec_is_zero(&r) || navoi__dec_total_digits(&r) > 14)
        return bfail(b, NAVOI_EINVAL, "exchange rate must be above 0 with at most 14 digits");
    navoi__dec_from_int(&one, 1);
    if (strcmp(currency_code, "HUF") == 0 && navoi__dec_cmp(&r, &one) != 0)
        return bfail(b, NAVOI_EINVAL, "the exchange rate of HUF must be 1");
    memcpy(b->currency, currency_code, 4);
    b->rate = r;
    return ok(b);
}

NAVOI_API int navoi_invoice_builder_set_payment(navoi_invoice_builder *b, const char *method,
                                                const char *date)
{
    static const char *const methods[] = {"TRANSFER", "CASH", "CARD", "VOUCHER", "OTHER", NULL};
    const char *const *m;

    if (!b)
        return NAVOI_EINVAL;
    if (method) {
        for (m = methods; *m && strcmp(*m, method) != 0; m++)
            ;
        if (!*m)
            return bfail(b, NAVOI_EINVAL, "payment method must be TRANSFER, CASH, CARD, VOUCHER or OTHER");
    }
    if (date && !date_ok(date))
        return bfail(b, NAVOI_EINVAL, "payment date must be YYYY-MM-DD, not before 2010-01-01");
    if (set_str(&b->pay_method, method) != NAVOI_OK)
        return bfail(b, NAVOI_ENOMEM, "out of memory");
    if (date)
        memcpy(b->pay_date, date, 11);
    else
        b->pay_date[0] = '\0';
    return ok(b);
}

NAVOI_API int navoi_invoice_builder_set_appearance(navoi_invoice_builder *b, const char *appearance)
{
    if (!b)
        return NAVOI_EINVAL;
    if (!appearance || (strcmp(appearance, "PAPER") != 0 && strcmp(appearance, "ELECTRONIC") != 0 &&
                        strcmp(appearance, "EDI") != 0 && strcmp(appearance, "UNKNOWN") != 0))
        return bfail(b, NAVOI_EINVAL, "appearance must be PAPER, ELECTRONIC, EDI or UNKNOWN");
    if (set_str(&b->appearance, appearance) != NAVOI_OK)
        return bfail(b, NAVOI_ENOMEM, "out of memory");
    return ok(b);
}

NAVOI_API int navoi_invoice_builder_set_reference(navoi_invoice_builder *b,
                                                  const char *original_invoice_number,
                                                  int32_t modification_index,
                                                  int modify_without_master, int32_t chain_last_line)
{
    if (!b)
        return NAVOI_EINVAL;
    if (!text_ok(original_invoice_number, 50))
        return bfail(b, NAVOI_EINVAL, "original invoice number must be 1-50 characters, not blank");
    if (modification_index < 1)
        return bfail(b, NAVOI_EINVAL, "modification index must be 1 or more");
    if (chain_last_line < 0)
        return bfail(b, NAVOI_EINVAL, "chain_last_line must not be negative");
    if (set_str(&b->orig, original_invoice_number) != NAVOI_OK)
        return bfail(b, NAVOI_ENOMEM, "out of memory");
    b->mod_index = modification_index;
    b->mwm = modify_without_master != 0;
    b->chain_last = chain_last_line;
    b->has_ref = 1;
    return ok(b);
}

/* ---- lines ------------------------------------------------------------ */

static const char *const g_units[] = {"PIECE", "KILOGRAM", "TON", "KWH", "DAY", "HOUR",
                                      "MINUTE", "MONTH", "LITER", "KILOMETER", "CUBIC_METER",
                                      "METER", "LINEAR_METER", "CARTON", "PACK", NULL};

NAVOI_API int navoi_invoice_builder_add_line(navoi_invoice_builder *b, const char *description,
                                             const char *quantity, const char *unit,
                                             const char *unit_price, const char *discount,
                                             int32_t *line_out)
{
    bline l;
    const char *const *u;
    int rc;

    if (line_out)
        *line_out = 0;
    if (!b)
        return NAVOI_EINVAL;
    if (b->nlines >= MAX_LINES)
        return bfail(b, NAVOI_ETOOBIG, "an invoice built here has at most %d lines", MAX_LINES);
    memset(&l, 0, sizeof l);
    if (!text_ok(description, 512))
        return bfail(b, NAVOI_EINVAL, "line description must be 1-512 characters, not blank");
    if (!text_ok(unit, 50))
        return bfail(b, NAVOI_EINVAL, "unit of measure must be 1-50 characters, not blank");
    if ((rc = dec_arg(b, "quantity", quantity, QTY_FRACTION, &l.qty)) != NAVOI_OK)
        return rc;
    if (navoi__dec_total_digits(&l.qty) > QTY_DIGITS)
        return bfail(b, NAVOI_EINVAL, "quantity has more than %d digits", QTY_DIGITS);
    if ((rc = dec_arg(b, "unit price", unit_price, QTY_FRACTION, &l.price)) != NAVOI_OK)
        return rc;
    if (navoi__dec_total_digits(&l.price) > QTY_DIGITS)
        return bfail(b, NAVOI_EINVAL, "unit price has more than %d digits", QTY_DIGITS);
    if (discount) {
        if ((rc = dec_arg(b, "discount", discount, 2, &l.discount)) != NAVOI_OK)
            return rc;
        if (navoi__dec_total_digits(&l.discount) > MONEY_DIGITS)
            return bfail(b, NAVOI_EINVAL, "discount has more than %d digits", MONEY_DIGITS);
        l.has_discount = 1;
    }
    for (u = g_units; *u && strcmp(*u, unit) != 0; u++)
        ;
    l.desc = navoi__strdup(description);
    l.unit = navoi__strdup(*u ? *u : "OWN");
    l.unit_own = *u ? NULL : navoi__strdup(unit);
    if (!l.desc || !l.unit || (!*u && !l.unit_own)) {
        line_free(&l);
        return bfail(b, NAVOI_ENOMEM, "out of memory");
    }
    if (b->nlines == b->caplines) {
        size_t cap = b->caplines ? b->caplines * 2 : 8;
        bline *nl = navoi__realloc(b->lines, cap * sizeof *nl);
        if (!nl) {
            line_free(&l);
            return bfail(b, NAVOI_ENOMEM, "out of memory");
        }
        b->lines = nl;
        b->caplines = cap;
    }
    b->lines[b->nlines++] = l;
    if (line_out)
        *line_out = (int32_t)b->nlines;
    return ok(b);
}

static int no_line(navoi_invoice_builder *b, int32_t line)
{
    return bfail(b, NAVOI_ENOTFOUND, "there is no line %ld", (long)line);
}

/* The line a line setter works on: NAVOI_EINVAL without a builder,
 * NAVOI_ENOTFOUND (with a message) when there is no such line. */
static int find_line(navoi_invoice_builder *b, int32_t line, bline **out)
{
    *out = get_line(b, line);
    if (!b)
        return NAVOI_EINVAL;
    if (!*out)
        return no_line(b, line);
    return NAVOI_OK;
}

static int set_vat(navoi_invoice_builder *b, bline *l, int kind, const char *c, const char *reason)
{
    char *nc = NULL, *nr = NULL;

    if (c && (!(nc = navoi__strdup(c)) || !(nr = navoi__strdup(reason)))) {
        navoi__free(nc);
        return bfail(b, NAVOI_ENOMEM, "out of memory");
    }
    navoi__free(l->vat_case);
    navoi__free(l->vat_reason);
    l->vat_case = nc;
    l->vat_reason = nr;
    l->vat_kind = kind;
    return ok(b);
}

NAVOI_API int navoi_invoice_builder_line_set_vat_rate(navoi_invoice_builder *b, int32_t line,
                                                      const char *rate)
{
    bline *l;
    navoi__dec r, one;
    int rc;

    if ((rc = find_line(b, line, &l)) != NAVOI_OK)
        return rc;
    if ((rc = dec_arg(b, "VAT rate", rate, 4, &r)) != NAVOI_OK)
        return rc;
    navoi__dec_from_int(&one, 1);
    if (r.neg || navoi__dec_cmp(&r, &one) > 0)
        return bfail(b, NAVOI_EINVAL, "VAT rate must be between 0 and 1 (e.g. \"0.27\")");
    if (b->category == NAVOI_CATEGORY_SIMPLIFIED && navoi__dec_is_zero(&r))
        return bfail(b, NAVOI_EINVAL, "VAT content of a simplified invoice line cannot be 0");
    rc = set_vat(b, l, VAT_RATE, NULL, NULL);
    l->vat_rate = r;
    return rc;
}

static int set_case(navoi_invoice_builder *b, int32_t line, int kind, const char *c,
                    const char *reason, const char *const *cases, const char *what)
{
    bline *l;
    const char *const *k;
    int rc;

    if ((rc = find_line(b, line, &l)) != NAVOI_OK)
        return rc;
    for (k = cases; c && *k && strcmp(*k, c) != 0; k++)
        ;
    if (!c || !*k)
        return bfail(b, NAVOI_EINVAL, "unknown %s case", what);
    if (!text_ok(reason, 200))
        return bfail(b, NAVOI_EINVAL, "%s reason must be 1-200 characters, not blank", what);
    return set_vat(b, l, kind, c, reason);
}

NAVOI_API int navoi_invoice_builder_line_set_vat_exemption(navoi_invoice_builder *b, int32_t line,
                                                           const char *exemption_case,
                                                           const char *reason)
{
    static const char *const cases[] = {"AAM", "TAM", "KBAET", "KBAUK", "EAM", "NAM", NULL};
    return set_case(b, line, VAT_EXEMPT, exemption_case, reason, cases, "VAT exemption");
}

NAVOI_API int navoi_invoice_builder_line_set_vat_out_of_scope(navoi_invoice_builder *b, int32_t line,
                                                              const char *out_of_scope_case,
                                                              const char *reason)
{
    static const char *const cases[] = {"ATK", "EUFAD37", "EUFADE", "EUE", "HO", NULL};
    return set_case(b, line, VAT_OUT_OF_SCOPE, out_of_scope_case, reason, cases, "out-of-scope");
}

NAVOI_API int navoi_invoice_builder_line_set_reverse_charge(navoi_invoice_builder *b, int32_t line)
{
    bline *l;
    int rc;

    if ((rc = find_line(b, line, &l)) != NAVOI_OK)
        return rc;
    return set_vat(b, l, VAT_REVERSE_CHARGE, NULL, NULL);
}

NAVOI_API int navoi_invoice_builder_line_add_product_code(navoi_invoice_builder *b, int32_t line,
                                                          const char *category, const char *value)
{
    static const char *const cats[] = {"VTSZ", "SZJ", "KN", "AHK", "CSK", "KT", "EJ", "TESZOR",
                                       "OWN", "OTHER", NULL};
    bline *l;
    const char *const *c;
    pcode *nc;
    int own, rc;

    if ((rc = find_line(b, line, &l)) != NAVOI_OK)
        return rc;
    for (c = cats; category && *c && strcmp(*c, category) != 0; c++)
        ;
    if (!category || !*c)
        return bfail(b, NAVOI_EINVAL, "product code category must be one of VTSZ, SZJ, KN, AHK, CSK, KT, EJ, TESZOR, OWN, OTHER");
    own = strcmp(category, "OWN") == 0 || strcmp(category, "OTHER") == 0;
    if (own ? !text_ok(value, 255) : !pattern_ok(value, 2, 30, "", UPPER DIGITS))
        return bfail(b, NAVOI_EINVAL, own ? "own product code must be 1-255 characters, not blank"
                                          : "product code value must be 2-30 of A-Z and 0-9");
    nc = navoi__realloc(l->codes, (l->ncodes + 1) * sizeof *nc);
    if (!nc)
        return bfail(b, NAVOI_ENOMEM, "out of memory");
    l->codes = nc;
    nc[l->ncodes].category = navoi__strdup(category);
    nc[l->ncodes].value = navoi__strdup(value);
    if (!nc[l->ncodes].category || !nc[l->ncodes].value) {
        navoi__free(nc[l->ncodes].category);
        navoi__free(nc[l->ncodes].value);
        return bfail(b, NAVOI_ENOMEM, "out of memory");
    }
    l->ncodes++;
    return ok(b);
}

NAVOI_API int navoi_invoice_builder_line_set_nature(navoi_invoice_builder *b, int32_t line,
                                                    const char *nature)
{
    bline *l;
    int rc;

    if ((rc = find_line(b, line, &l)) != NAVOI_OK)
        return rc;
    if (!nature || (strcmp(nature, "PRODUCT") != 0 && strcmp(nature, "SERVICE") != 0 &&
                    strcmp(nature, "OTHER") != 0))
        return bfail(b, NAVOI_EINVAL, "line nature must be PRODUCT, SERVICE or OTHER");
    if (set_str(&l->nature, nature) != NAVOI_OK)
        return bfail(b, NAVOI_ENOMEM, "out of memory");
    return ok(b);
}

NAVOI_API int navoi_invoice_builder_line_set_delivery_date(navoi_invoice_builder *b, int32_t line,
                                                           const char *date)
{
    bline *l;
    int rc;

    if ((rc = find_line(b, line, &l)) != NAVOI_OK)
        return rc;
    if (!date_ok(date))
        return bfail(b, NAVOI_EINVAL, "line delivery date must be YYYY-MM-DD, not before 2010-01-01");
    memcpy(l->delivery, date, 11);
    return ok(b);
}

NAVOI_API int navoi_invoice_builder_line_set_number_reference(navoi_invoice_builder *b, int32_t line,
                                                              int32_t reference)
{
    bline *l;
    int rc;

    if ((rc = find_line(b, line, &l)) != NAVOI_OK)
        return rc;
    if (reference < 1)
        return bfail(b, NAVOI_EINVAL, "line number reference must be 1 or more");
    l->ref = reference;
    return ok(b);
}

/* ---- computation ------------------------------------------------------ */

static int money(const navoi__dec *x, navoi__dec *out)
{
    int rc = navoi__dec_round(x, 2, out);
    if (rc == NAVOI_OK && navoi__dec_total_digits(out) > MONEY_DIGITS)
        rc = NAVOI_ETOOBIG;
    return rc;
}

/* 1 when lines a and b share a VAT treatment (one summary entry). */
static int same_treatment(const bline *a, const bline *b)
{
    if (a->vat_kind != b->vat_kind)
        return 0;
    if (a->vat_kind == VAT_RATE)
        return navoi__dec_cmp(&a->vat_rate, &b->vat_rate) == 0;
    if (a->vat_kind == VAT_EXEMPT || a->vat_kind == VAT_OUT_OF_SCOPE)
        return strcmp(a->vat_case, b->vat_case) == 0;
    return 1;
}

/* The amounts a[] of line l from base (quantity x unit price - discount):
 * the net amount, or on a simplified invoice, whose prices are gross, the
 * gross amount (l->vat_rate is then the VAT content rate, which gives the
 * VAT in it). VAT is that amount (2 decimals) times the rate; the other of
 * net and gross follows from net + VAT = gross. HUF: each currency amount
 * times the exchange rate, the other again from net + VAT = gross, so that
 * it holds in HUF too. */
static int line_amounts(const navoi_invoice_builder *b, const bline *l, const navoi__dec *base,
                        navoi__dec *a)
{
    int gross_based = b->category == NAVOI_CATEGORY_SIMPLIFIED;
    int from = gross_based ? A_GROSS : A_NET, to = gross_based ? A_NET : A_GROSS;
    int from_huf = gross_based ? A_GROSS_HUF : A_NET_HUF;
    int to_huf = gross_based ? A_NET_HUF : A_GROSS_HUF;
    /* gross - VAT = net, net + VAT = gross */
    int (*derive)(const navoi__dec *, const navoi__dec *, navoi__dec *) =
        gross_based ? navoi__dec_sub : navoi__dec_add;
    navoi__dec t;
    int rc;

    if ((rc = money(base, &a[from])) != NAVOI_OK)
        return rc;
    navoi__dec_zero(&t);
    if (l->vat_kind == VAT_RATE && (rc = navoi__dec_mul(&a[from], &l->vat_rate, &t)) != NAVOI_OK)
        return rc;
    if ((rc = money(&t, &a[A_VAT])) != NAVOI_OK ||
        (rc = derive(&a[from], &a[A_VAT], &a[to])) != NAVOI_OK)
        return rc;
    if ((rc = navoi__dec_mul(&a[from], &b->rate, &t)) != NAVOI_OK ||
        (rc = money(&t, &a[from_huf])) != NAVOI_OK)
        return rc;
    if ((rc = navoi__dec_mul(&a[A_VAT], &b->rate, &t)) != NAVOI_OK ||
        (rc = money(&t, &a[A_VAT_HUF])) != NAVOI_OK)
        return rc;
    return derive(&a[from_huf], &a[A_VAT_HUF], &a[to_huf]);
}

static int compute(navoi_invoice_builder *b)
{
    size_t i, j, k;
    int rc = NAVOI_OK;
    bsum *sums;

    for (k = 0; k < A_COUNT; k++)
        navoi__dec_zero(&b->tot[k]);
    b->nsums = 0;
    sums = navoi__realloc(b->sums, (b->nlines ? b->nlines : 1) * sizeof *sums);
    if (!sums)
        return bfail(b, NAVOI_ENOMEM, "out of memory");
    b->sums = sums;
    for (i = 0; i < b->nlines; i++) {
        bline *l = &b->lines[i];
        navoi__dec base;
        navoi__dec *a = l->a;

        if (l->vat_kind == VAT_NONE)
            return bfail(b, NAVOI_EINVAL, "line %lu has no VAT rate, exemption, out-of-scope or reverse-charge marking",
                         (unsigned long)(i + 1));
        /* quantity x unit price - discount, then 2 decimals */
        if ((rc = navoi__dec_mul(&l->qty, &l->price, &base)) != NAVOI_OK)
            goto range;
        if (l->has_discount && (rc = navoi__dec_sub(&base, &l->discount, &base)) != NAVOI_OK)
            goto range;
        if ((rc = line_amounts(b, l, &base, a)) != NAVOI_OK)
            goto range;
        for (j = 0; j < b->nsums; j++)
            if (same_treatment(b->sums[j].first, l))
                break;
        if (j == b->nsums) {
            memset(&b->sums[j], 0, sizeof b->sums[j]);
            b->sums[j].first = l;
            b->nsums++;
        }
        for (k = 0; k < A_COUNT; k++) {
            if ((rc = navoi__dec_add(&b->sums[j].a[k], &a[k], &b->sums[j].a[k])) != NAVOI_OK ||
                (rc = navoi__dec_add(&b->tot[k], &a[k], &b->tot[k])) != NAVOI_OK)
                goto range;
        }
    }
    for (k = 0; k < A_COUNT; k++) {
        if (navoi__dec_total_digits(&b->tot[k]) > MONEY_DIGITS) {
            rc = NAVOI_ETOOBIG;
            goto range;
        }
    }
    return NAVOI_OK;
range:
    if (rc == NAVOI_ETOOBIG)
        return bfail(b, NAVOI_ETOOBIG, "an amount exceeds the 18 digits NAV allows");
    return bfail(b, rc, "amount computation failed");
}

NAVOI_API int navoi_invoice_builder_amount(navoi_invoice_builder *b, int32_t line, int which,
                                           const char **out)
{
    navoi__dec v;
    int rc;

    if (out)
        *out = NULL;
    if (!b || !out)
        return NAVOI_EINVAL;
    if (which < NAVOI_AMOUNT_NET || which > NAVOI_AMOUNT_GROSS_HUF)
        return bfail(b, NAVOI_EINVAL, "which must be one of NAVOI_AMOUNT_*");
    if (line != 0 && !get_line(b, line))
        return no_line(b, line);
    if ((rc = compute(b)) != NAVOI_OK)
        return rc;
    v = line == 0 ? b->tot[which - 1] : b->lines[line - 1].a[which - 1];
    if (navoi__dec_round(&v, 2, &v) != NAVOI_OK)
        return bfail(b, NAVOI_ETOOBIG, "amount too large");
    navoi__dec_format(&v, b->amount, sizeof b->amount);
    *out = b->amount;
    return ok(b);
}

/* ---- XML -------------------------------------------------------------- */

static void w_dec(navoi__xw *w, const char *name, const navoi__dec *d)
{
    char buf[NAVOI__DEC_STRLEN];
    navoi__dec_format(d, buf, sizeof buf);
    navoi__xw_elem(w, name, buf);
}

static void w_money(navoi__xw *w, const char *name, const navoi__dec *d)
{
    navoi__dec r;
    if (navoi__dec_round(d, 2, &r) != NAVOI_OK)
        r = *d;
    w_dec(w, name, &r);
}

static void w_tax(navoi__xw *w, const char *name, const char *tax11_)
{
    char id[9], vat[2], county[3];

    memcpy(id, tax11_, 8);
    id[8] = '\0';
    vat[0] = tax11_[8];
    vat[1] = '\0';
    memcpy(county, tax11_ + 9, 2);
    county[2] = '\0';
    navoi__xw_open(w, name);
    navoi__xw_elem(w, "base:taxpayerId", id);
    navoi__xw_elem(w, "base:vatCode", vat);
    navoi__xw_elem(w, "base:countyCode", county);
    navoi__xw_close(w);
}

static void w_address(navoi__xw *w, const char *name, const address *a)
{
    navoi__xw_open(w, name);
    navoi__xw_open(w, "base:simpleAddress");
    navoi__xw_elem(w, "base:countryCode", a->country);
    navoi__xw_elem(w, "base:postalCode", a->postal);
    navoi__xw_elem(w, "base:city", a->city);
    navoi__xw_elem(w, "base:additionalAddressDetail", a->detail);
    navoi__xw_close(w);
    navoi__xw_close(w);
}

static void w_vat_rate(const navoi_invoice_builder *b, navoi__xw *w, const char *name, const bline *l)
{
    navoi__xw_open(w, name);
    switch (l->vat_kind) {
    case VAT_RATE:
        w_dec(w, b->category == NAVOI_CATEGORY_SIMPLIFIED ? "vatContent" : "vatPercentage", &l->vat_rate);
        break;
    case VAT_EXEMPT:
    case VAT_OUT_OF_SCOPE:
        navoi__xw_open(w, l->vat_kind == VAT_EXEMPT ? "vatExemption" : "vatOutOfScope");
        navoi__xw_elem(w, "case", l->vat_case);
        navoi__xw_elem(w, "reason", l->vat_reason);
        navoi__xw_close(w);
        break;
    default:
        navoi__xw_elem(w, "vatDomesticReverseCharge", "true");
        break;
    }
    navoi__xw_close(w);
}

static void w_line(const navoi_invoice_builder *b, navoi__xw *w, const bline *l, size_t k)
{
    navoi__dec price_huf;
    size_t i;

    navoi__xw_open(w, "line");
    navoi__xw_elem_i64(w, "lineNumber", (int64_t)k);
    if (b->has_ref) {
        navoi__xw_open(w, "lineModificationReference");
        navoi__xw_elem_i64(w, "lineNumberReference", l->ref ? l->ref : (int64_t)b->chain_last + (int64_t)k);
        navoi__xw_elem(w, "lineOperation", "CREATE");
        navoi__xw_close(w);
    }
    if (l->ncodes) {
        navoi__xw_open(w, "productCodes");
        for (i = 0; i < l->ncodes; i++) {
            int own = strcmp(l->codes[i].category, "OWN") == 0 || strcmp(l->codes[i].category, "OTHER") == 0;
            navoi__xw_open(w, "productCode");
            navoi__xw_elem(w, "productCodeCategory", l->codes[i].category);
            navoi__xw_elem(w, own ? "productCodeOwnValue" : "productCodeValue", l->codes[i].value);
            navoi__xw_close(w);
        }
        navoi__xw_close(w);
    }
    navoi__xw_elem(w, "lineExpressionIndicator", "true");
    navoi__xw_elem_opt(w, "lineNatureIndicator", l->nature);
    navoi__xw_elem(w, "lineDescription", l->desc);
    w_dec(w, "quantity", &l->qty);
    navoi__xw_elem(w, "unitOfMeasure", l->unit);
    navoi__xw_elem_opt(w, "unitOfMeasureOwn", l->unit_own);
    w_dec(w, "unitPrice", &l->price);
    /* QuantityType: at most 10 fraction digits. */
    if (navoi__dec_mul(&l->price, &b->rate, &price_huf) == NAVOI_OK &&
        navoi__dec_round(&price_huf, QTY_FRACTION, &price_huf) == NAVOI_OK) {
        navoi__dec_normalize(&price_huf);
        if (navoi__dec_total_digits(&price_huf) <= QTY_DIGITS)
            w_dec(w, "unitPriceHUF", &price_huf);
    }
    if (l->has_discount) {
        navoi__xw_open(w, "lineDiscountData");
        w_money(w, "discountValue", &l->discount);
        navoi__xw_close(w);
    }
    if (b->category == NAVOI_CATEGORY_SIMPLIFIED) {
        navoi__xw_open(w, "lineAmountsSimplified");
        w_vat_rate(b, w, "lineVatRate", l);
        w_money(w, "lineGrossAmountSimplified", &l->a[A_GROSS]);
        w_money(w, "lineGrossAmountSimplifiedHUF", &l->a[A_GROSS_HUF]);
        navoi__xw_close(w);
    } else {
        navoi__xw_open(w, "lineAmountsNormal");
        navoi__xw_open(w, "lineNetAmountData");
        w_money(w, "lineNetAmount", &l->a[A_NET]);
        w_money(w, "lineNetAmountHUF", &l->a[A_NET_HUF]);
        navoi__xw_close(w);
        w_vat_rate(b, w, "lineVatRate", l);
        navoi__xw_open(w, "lineVatData");
        w_money(w, "lineVatAmount", &l->a[A_VAT]);
        w_money(w, "lineVatAmountHUF", &l->a[A_VAT_HUF]);
        navoi__xw_close(w);
        navoi__xw_open(w, "lineGrossAmountData");
        w_money(w, "lineGrossAmountNormal", &l->a[A_GROSS]);
        w_money(w, "lineGrossAmountNormalHUF", &l->a[A_GROSS_HUF]);
        navoi__xw_close(w);
        navoi__xw_close(w);
    }
    if (b->category == NAVOI_CATEGORY_AGGREGATE) {
        navoi__xw_open(w, "aggregateInvoiceLineData");
        navoi__xw_elem(w, "lineDeliveryDate", l->delivery[0] ? l->delivery : b->delivery);
        navoi__xw_close(w);
    }
    navoi__xw_close(w);
}

static void w_document(const navoi_invoice_builder *b, navoi__xw *w)
{
    size_t i;

    navoi__xw_declaration(w);
    navoi__xw_open(w, "InvoiceData");
    navoi__xw_attr(w, "xmlns", NAVOI__NS_DATA);
    navoi__xw_attr(w, "xmlns:common", NAVOI__NS_COMMON);
    navoi__xw_attr(w, "xmlns:base", NAVOI__NS_BASE);
    navoi__xw_elem(w, "invoiceNumber", b->number);
    navoi__xw_elem(w, "invoiceIssueDate", b->issue);
    navoi__xw_elem(w, "completenessIndicator", "false");
    navoi__xw_open(w, "invoiceMain");
    navoi__xw_open(w, "invoice");
    if (b->has_ref) {
        navoi__xw_open(w, "invoiceReference");
        navoi__xw_elem(w, "originalInvoiceNumber", b->orig);
        navoi__xw_elem(w, "modifyWithoutMaster", b->mwm ? "true" : "false");
        navoi__xw_elem_i64(w, "modificationIndex", b->mod_index);
        navoi__xw_close(w);
    }
    navoi__xw_open(w, "invoiceHead");
    navoi__xw_open(w, "supplierInfo");
    w_tax(w, "supplierTaxNumber", b->sup_tax);
    navoi__xw_elem(w, "supplierName", b->sup_name);
    w_address(w, "supplierAddress", &b->sup_addr);
    navoi__xw_elem_opt(w, "supplierBankAccountNumber", b->sup_bank);
    navoi__xw_close(w);
    if (b->cust_kind != CUST_NONE) {
        navoi__xw_open(w, "customerInfo");
        navoi__xw_elem(w, "customerVatStatus",
                       b->cust_kind == CUST_DOMESTIC  ? "DOMESTIC"
                       : b->cust_kind == CUST_PRIVATE ? "PRIVATE_PERSON"
                                                      : "OTHER");
        if (b->cust_kind == CUST_DOMESTIC) {
            navoi__xw_open(w, "customerVatData");
            w_tax(w, "customerTaxNumber", b->cus_tax);
            navoi__xw_close(w);
        } else if (b->cus_id) {
            navoi__xw_open(w, "customerVatData");
            navoi__xw_elem(w, b->cust_kind == CUST_EU ? "communityVatNumber" : "thirdStateTaxId", b->cus_id);
            navoi__xw_close(w);
        }
        if (b->cust_kind != CUST_PRIVATE) {
            navoi__xw_elem(w, "customerName", b->cus_name);
            w_address(w, "customerAddress", &b->cus_addr);
        }
        navoi__xw_close(w);
    }
    navoi__xw_open(w, "invoiceDetail");
    navoi__xw_elem(w, "invoiceCategory",
                   b->category == NAVOI_CATEGORY_NORMAL       ? "NORMAL"
                   : b->category == NAVOI_CATEGORY_SIMPLIFIED ? "SIMPLIFIED"
                                                              : "AGGREGATE");
    navoi__xw_elem(w, "invoiceDeliveryDate", b->delivery);
    navoi__xw_elem(w, "currencyCode", b->currency);
    w_dec(w, "exchangeRate", &b->rate);
    navoi__xw_elem_opt(w, "paymentMethod", b->pay_method);
    if (b->pay_date[0])
        navoi__xw_elem(w, "paymentDate", b->pay_date);
    navoi__xw_elem(w, "invoiceAppearance", b->appearance);
    navoi__xw_close(w); /* invoiceDetail */
    navoi__xw_close(w); /* invoiceHead */

    navoi__xw_open(w, "invoiceLines");
    navoi__xw_elem(w, "mergedItemIndicator", "false");
    for (i = 0; i < b->nlines; i++)
        w_line(b, w, &b->lines[i], i + 1);
    navoi__xw_close(w);

    navoi__xw_open(w, "invoiceSummary");
    if (b->category == NAVOI_CATEGORY_SIMPLIFIED) {
        for (i = 0; i < b->nsums; i++) {
            navoi__xw_open(w, "summarySimplified");
            w_vat_rate(b, w, "vatRate", b->sums[i].first);
            w_money(w, "vatContentGrossAmount", &b->sums[i].a[A_GROSS]);
            w_money(w, "vatContentGrossAmountHUF", &b->sums[i].a[A_GROSS_HUF]);
            navoi__xw_close(w);
        }
    } else {
        navoi__xw_open(w, "summaryNormal");
        for (i = 0; i < b->nsums; i++) {
            const navoi__dec *a = b->sums[i].a;
            navoi__xw_open(w, "summaryByVatRate");
            w_vat_rate(b, w, "vatRate", b->sums[i].first);
            navoi__xw_open(w, "vatRateNetData");
            w_money(w, "vatRateNetAmount", &a[A_NET]);
            w_money(w, "vatRateNetAmountHUF", &a[A_NET_HUF]);
            navoi__xw_close(w);
            navoi__xw_open(w, "vatRateVatData");
            w_money(w, "vatRateVatAmount", &a[A_VAT]);
            w_money(w, "vatRateVatAmountHUF", &a[A_VAT_HUF]);
            navoi__xw_close(w);
            navoi__xw_open(w, "vatRateGrossData");
            w_money(w, "vatRateGrossAmount", &a[A_GROSS]);
            w_money(w, "vatRateGrossAmountHUF", &a[A_GROSS_HUF]);
            navoi__xw_close(w);
            navoi__xw_close(w);
        }
        w_money(w, "invoiceNetAmount", &b->tot[A_NET]);
        w_money(w, "invoiceNetAmountHUF", &b->tot[A_NET_HUF]);
        w_money(w, "invoiceVatAmount", &b->tot[A_VAT]);
        w_money(w, "invoiceVatAmountHUF", &b->tot[A_VAT_HUF]);
        navoi__xw_close(w);
    }
    navoi__xw_open(w, "summaryGrossData");
    w_money(w, "invoiceGrossAmount", &b->tot[A_GROSS]);
    w_money(w, "invoiceGrossAmountHUF", &b->tot[A_GROSS_HUF]);
    navoi__xw_close(w);
    navoi__xw_close(w); /* invoiceSummary */
    navoi__xw_close(w); /* invoice */
    navoi__xw_close(w); /* invoiceMain */
    navoi__xw_close(w); /* InvoiceData */
}

static int bfail_client(navoi_invoice_builder *b, navoi_client *c, int code)
{
    if (c)
        return navoi__fail(c, code, "invoice builder: %s", b->errmsg);
    return code;
}

NAVOI_API int navoi_invoice_builder_build(navoi_invoice_builder *b, navoi_client *client,
                                          int operation, navoi_invoice **out)
{
    navoi__buf buf = NAVOI__BUF_INIT;
    navoi__xw w;
    int rc;

    if (out)
        *out = NULL;
    if (!b || !out)
        return client ? navoi__fail(client, NAVOI_EINVAL, "invoice builder: builder or out is NULL")
                      : NAVOI_EINVAL;
    if (operation < NAVOI_OP_CREATE || operation > NAVOI_OP_STORNO)
        rc = bfail(b, NAVOI_EINVAL, "operation must be NAVOI_OP_CREATE, _MODIFY or _STORNO");
    else if (operation == NAVOI_OP_CREATE && b->has_ref)
        rc = bfail(b, NAVOI_EINVAL, "a CREATE invoice cannot have a reference (INVOICE_REFERENCE_NOT_EXPECTED)");
    else if (operation != NAVOI_OP_CREATE && !b->has_ref)
        rc = bfail(b, NAVOI_EINVAL,
                   "MODIFY and STORNO need navoi_invoice_builder_set_reference() (INVOICE_REFERENCE_EXPECTED)");
    else if (!b->has_supplier)
        rc = bfail(b, NAVOI_EINVAL, "the supplier is not set");
    else if (operation == NAVOI_OP_CREATE && b->cust_kind == CUST_NONE)
        rc = bfail(b, NAVOI_EINVAL, "the customer is not set (CUSTOMER_INFO_MISSING)");
    else if (!b->nlines)
        rc = bfail(b, NAVOI_EINVAL, "the invoice has no lines (INVOICE_LINE_MISSING)");
    else
        rc = compute(b);
    if (rc != NAVOI_OK)
        return bfail_client(b, client, rc);
    navoi__xw_init(&w, &buf);
    w_document(b, &w);
    rc = navoi__xw_finish(&w);
    if (rc != NAVOI_OK) {
        navoi__buf_free(&buf);
        bfail(b, rc, rc == NAVOI_ENOMEM ? "out of memory" : "a text is not valid UTF-8 for XML");
        return bfail_client(b, client, rc);
    }
    rc = navoi_invoice_new(out, client, buf.data, buf.len, operation);
    if (rc != NAVOI_OK)
        bfail(b, rc, "%s", client ? navoi_client_errmsg(client) : navoi_strerror(rc));
    else
        ok(b);
    navoi__buf_free(&buf);
    return rc;
}
