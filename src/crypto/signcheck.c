/*
 * signcheck.c - owns navoi_sign_check(): recomputing the requestSignature of
 * a complete NAV request and, when it does not match, finding out which
 * input differs by trying the usual mistakes one at a time (whitespace in the
 * key, milliseconds in the mask, document order, SHA-512, ...). The signing
 * key never reaches the report; only its length does.
 */
#include <stdarg.h>
#include <string.h>

#include <libxml/tree.h>

#include "common/alloc.h"
#include "common/buf.h"
#include "crypto/crypto.h"
#include "crypto/sign.h"
#include "crypto/timefmt.h"
#include "navoi/navoi.h"
#include "ops/ops.h"
#include "xml/ns.h"
#include "xml/parse.h"

/* NAV accepts at most 100 operations per manage request (InvoiceIndexType). */
#define MAX_ITEMS 100
/* Longest piece of request text copied into the report. */
#define REPORT_FIELD_MAX 200

typedef struct sc_item {
    long index;
    size_t doc_pos;       /* 1-based position in the document */
    char *op;             /* operation text, trimmed */
    xmlChar *raw;         /* data element content exactly as in the document */
    const char *data;     /* raw without surrounding whitespace */
    size_t data_len;
    size_t raw_len;
    char hash[NAVOI__HASH_HEX_LEN + 1];
} sc_item;

typedef struct sc_ctx {
    xmlDocPtr doc;
    int op;
    const navoi__op_info *info;
    char *request_id;
    char *timestamp;
    char *expected;    /* requestSignature text */
    xmlChar *crypto_type;
    char mask[15];
    const char *key;
    sc_item *items;    /* in document order */
    size_t n;
    size_t *order;     /* indices into items, ascending by index */
    char *comment_hash[MAX_ITEMS + 1]; /* from <!--<firstIndexHash>..--> */
    char *comment_key; /* from <!--<signKey>..-->; a secret */
    char computed[NAVOI__HASH_HEX_LEN + 1];
    navoi__buf rep;
    int found;         /* diagnoses found so far */
} sc_ctx;

/* ---- report text ---------------------------------------------------- */

/* Appends NULL-terminated strings. */
static void cat(navoi__buf *b, const char *s, ...)
{
    va_list ap;

    va_start(ap, s);
    for (; s; s = va_arg(ap, const char *))
        navoi__buf_puts(b, s);
    va_end(ap);
}

/* Request text is untrusted: keep the report one line per field and short. */
static void put_field(navoi__buf *b, const char *s)
{
    size_t i;

    if (!s) {
        navoi__buf_puts(b, "(missing)");
        return;
    }
    for (i = 0; s[i] && i < REPORT_FIELD_MAX; i++) {
        unsigned char c = (unsigned char)s[i];
        navoi__buf_putc(b, c < 0x20 || c == 0x7f ? '?' : (char)c);
    }
    if (s[i])
        navoi__buf_puts(b, "...");
}

static void put_size(navoi__buf *b, size_t v)
{
    navoi__buf_put_i64(b, (int64_t)v);
}

/* Starts one diagnosis line. */
static void diag(sc_ctx *c)
{
    if (c->found++ == 0)
        navoi__buf_puts(&c->rep, "diagnosis:\n");
    navoi__buf_puts(&c->rep, "  - ");
}

/* ---- small helpers ---------------------------------------------------- */

static int is_space(char c)
{
    /* The whitespace XML text trimming removes (same set as parse.c). */
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int has_lower(const char *s)
{
    for (; *s; s++)
        if (*s >= 'a' && *s <= 'z')
            return 1;
    return 0;
}

static int ascii_casecmp(const char *a, const char *b)
{
    for (;; a++, b++) {
        char x = *a >= 'a' && *a <= 'z' ? (char)(*a - 32) : *a;
        char y = *b >= 'a' && *b <= 'z' ? (char)(*b - 32) : *b;
        if (x != y || !x)
            return x != y;
    }
}

/* Signature over arbitrary (already masked) pieces, for the variants; the
 * partial string contains a key, so it is wiped. hashes may be NULL when
 * n == 0. */
static int sig_of(const char *rid, const char *mask, const char *key, size_t key_len,
                  const char *const *hashes, size_t n, int sha512,
                  char out[NAVOI__HASH_HEX_LEN + 1])
{
    navoi__buf b = NAVOI__BUF_INIT;
    size_t i;
    int rc;

    rc = navoi__buf_reserve(&b, strlen(rid) + strlen(mask) + key_len +
                                    n * NAVOI__HASH_HEX_LEN);
    if (rc != NAVOI_OK)
        goto out;
    navoi__buf_puts(&b, rid);
    navoi__buf_puts(&b, mask);
    navoi__buf_append(&b, key, key_len);
    for (i = 0; i < n; i++)
        navoi__buf_puts(&b, hashes[i]);
    rc = navoi__buf_status(&b);
    if (rc != NAVOI_OK)
        goto out;
    rc = sha512 ? navoi__sha512_hex(b.data, b.len, out)
                : navoi__sha3_512_hex(b.data, b.len, out);
out:
    navoi__buf_cleanse_free(&b);
    return rc;
}

/* 1 if the variant signature equals the one in the request, 0 if not,
 * NAVOI_ENOMEM. */
static int variant_matches(const sc_ctx *c, const char *mask, const char *key,
                           size_t key_len, const char *const *hashes, size_t n, int sha512)
{
    char sig[NAVOI__HASH_HEX_LEN + 1];
    int rc = sig_of(c->request_id, mask, key, key_len, hashes, n, sha512, sig);

    if (rc != NAVOI_OK)
        return rc;
    return strcmp(sig, c->expected) == 0;
}

/* ---- reading the request ------------------------------------------------ */

static const char *const ordinals[] = {
    "first",      "second",     "third",      "fourth",       "fifth",
    "sixth",      "seventh",    "eighth",     "ninth",        "tenth",
    "eleventh",   "twelfth",    "thirteenth", "fourteenth",   "fifteenth",
    "sixteenth",  "seventeenth", "eighteenth", "nineteenth",  "twentieth"};

/* Index that an "<ordinal>IndexHash" tag name stands for, 0 if none. */
static size_t ordinal_index(const char *name, size_t len)
{
    static const char suffix[] = "IndexHash";
    size_t i, slen = sizeof suffix - 1;

    if (len <= slen || memcmp(name + len - slen, suffix, slen) != 0)
        return 0;
    for (i = 0; i < sizeof ordinals / sizeof ordinals[0]; i++) {
        const char *o = ordinals[i];
        if (strlen(o) == len - slen &&
            (name[0] == o[0] || name[0] == (char)(o[0] - 32)) &&
            memcmp(name + 1, o + 1, len - slen - 1) == 0)
            return i + 1;
    }
    return 0;
}

/* NAV's samples document their inputs in comments such as
 * "<signKey>...</signKey>" and "<firstIndexHash>...</firstIndexHash>".
 * Returns NAVOI_OK or NAVOI_ENOMEM; anything unrecognised is ignored. */
static int read_comment(sc_ctx *c, const char *s)
{
    const char *name, *val, *end;
    size_t nlen, vlen, idx;
    char **slot;

    while (is_space(*s))
        s++;
    if (*s++ != '<')
        return NAVOI_OK;
    name = s;
    while ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z'))
        s++;
    nlen = (size_t)(s - name);
    if (nlen == 0 || *s != '>')
        return NAVOI_OK;
    val = s + 1;
    end = strstr(val, "</");
    if (!end || strncmp(end + 2, name, nlen) != 0 || end[2 + nlen] != '>')
        return NAVOI_OK;
    for (s = end + 3 + nlen; *s; s++)
        if (!is_space(*s))
            return NAVOI_OK;
    while (val < end && is_space(*val))
        val++;
    vlen = (size_t)(end - val);
    while (vlen && is_space(val[vlen - 1]))
        vlen--;
    if (nlen == 7 && memcmp(name, "signKey", 7) == 0) {
        slot = &c->comment_key;
    } else {
        idx = ordinal_index(name, nlen);
        if (idx == 0)
            return NAVOI_OK;
        slot = &c->comment_hash[idx];
    }
    if (*slot)
        return NAVOI_OK; /* the first one counts */
    *slot = navoi__strndup(val, vlen);
    return *slot ? NAVOI_OK : NAVOI_ENOMEM;
}

static int scan_comments(sc_ctx *c, const xmlNode *n)
{
    int rc;

    /* Depth is bounded by navoi__xml_read (NAVOI__XML_MAX_DEPTH). */
    for (; n; n = n->next) {
        if (n->type == XML_COMMENT_NODE && n->content) {
            rc = read_comment(c, (const char *)n->content);
            if (rc != NAVOI_OK)
                return rc;
        } else if (n->type == XML_ELEMENT_NODE && n->children) {
            rc = scan_comments(c, n->children);
            if (rc != NAVOI_OK)
                return rc;
        }
    }
    return NAVOI_OK;
}

/* Text of a required child; NAVOI_EXML (with a report line) when absent. */
static int need_text(sc_ctx *c, const xmlNode *parent, const char *ns, const char *name,
                     char **out)
{
    int oom = 0;

    *out = navoi__xml_child_text(parent, ns, name, &oom);
    if (*out)
        return NAVOI_OK;
    if (oom)
        return NAVOI_ENOMEM;
    cat(&c->rep, "error: element ", name, " is missing\n", NULL);
    return NAVOI_EXML;
}

static int read_items(sc_ctx *c, const xmlNode *root)
{
    const int invoice = c->op == NAVOI__OP_MANAGE_INVOICE;
    const char *list = invoice ? "invoiceOperations" : "annulmentOperations";
    const char *each = invoice ? "invoiceOperation" : "annulmentOperation";
    const char *data_name = invoice ? "invoiceData" : "invoiceAnnulment";
    xmlNodePtr ops, it, dn;
    size_t n = 0, i, j;
    int rc;

    ops = navoi__xml_child(root, NAVOI__NS_API, list);
    if (!ops) {
        cat(&c->rep, "error: element ", list, " is missing\n", NULL);
        return NAVOI_EXML;
    }
    for (it = navoi__xml_child(ops, NAVOI__NS_API, each); it;
         it = navoi__xml_next(it, NAVOI__NS_API, each))
        n++;
    if (n == 0) {
        cat(&c->rep, "error: no ", each, " element\n", NULL);
        return NAVOI_EXML;
    }
    if (n > MAX_ITEMS) {
        navoi__buf_puts(&c->rep, "error: more than 100 operations\n");
        return NAVOI_ETOOBIG;
    }
    c->items = navoi__calloc(n, sizeof *c->items);
    c->order = navoi__calloc(n, sizeof *c->order);
    if (!c->items || !c->order)
        return NAVOI_ENOMEM;
    for (it = navoi__xml_child(ops, NAVOI__NS_API, each); it;
         it = navoi__xml_next(it, NAVOI__NS_API, each)) {
        sc_item *x = &c->items[c->n];
        char *idx_text = NULL;
        const char *p;
        size_t len;

        c->n++;
        x->doc_pos = c->n;
        rc = need_text(c, it, NAVOI__NS_API, "index", &idx_text);
        if (rc != NAVOI_OK)
            return rc;
        x->index = 0;
        for (p = idx_text; is_digit(*p) && x->index <= MAX_ITEMS; p++)
            x->index = x->index * 10 + (*p - '0');
        rc = *p || p == idx_text || x->index < 1 || x->index > MAX_ITEMS ? NAVOI_EXML
                                                                          : NAVOI_OK;
        if (rc != NAVOI_OK) {
            navoi__buf_puts(&c->rep, "error: index '");
            put_field(&c->rep, idx_text);
            navoi__buf_puts(&c->rep, "' is not an integer 1..100\n");
        }
        navoi__free(idx_text);
        if (rc != NAVOI_OK)
            return rc;
        rc = need_text(c, it, NAVOI__NS_API, each, &x->op);
        if (rc != NAVOI_OK)
            return rc;
        dn = navoi__xml_child(it, NAVOI__NS_API, data_name);
        if (!dn) {
            cat(&c->rep, "error: element ", data_name, " is missing\n", NULL);
            return NAVOI_EXML;
        }
        x->raw = xmlNodeGetContent(dn);
        if (!x->raw)
            return NAVOI_ENOMEM;
        x->raw_len = strlen((const char *)x->raw);
        p = (const char *)x->raw;
        len = x->raw_len;
        while (len && is_space(*p)) {
            p++;
            len--;
        }
        while (len && is_space(p[len - 1]))
            len--;
        x->data = p;
        x->data_len = len;
    }
    /* NAV signs in ascending index order, whatever the document order;
     * insertion sort is stable and n <= 100. */
    for (i = 0; i < c->n; i++) {
        for (j = i; j > 0 && c->items[c->order[j - 1]].index > c->items[i].index; j--)
            c->order[j] = c->order[j - 1];
        c->order[j] = i;
    }
    return NAVOI_OK;
}

static int read_request(sc_ctx *c, const char *xml, size_t len)
{
    char err[160];
    xmlNodePtr root, header, user, sig;
    int rc;

    rc = navoi__xml_read(xml, len, &c->doc, err, sizeof err);
    if (rc != NAVOI_OK) {
        cat(&c->rep, "error: not a well-formed XML document: ", NULL);
        put_field(&c->rep, err);
        navoi__buf_putc(&c->rep, '\n');
        return rc;
    }
    root = xmlDocGetRootElement(c->doc);
    c->op = navoi__xml_is(root, NAVOI__NS_API, NULL)
                ? navoi__op_by_request_root((const char *)root->name)
                : -1;
    if (c->op < 0) {
        navoi__buf_puts(&c->rep, "error: root element ");
        put_field(&c->rep, (const char *)root->name);
        cat(&c->rep, " is not a NAV request in namespace ", NAVOI__NS_API, "\n", NULL);
        return NAVOI_EXML;
    }
    c->info = navoi__op(c->op);
    cat(&c->rep, "operation: ", c->info->name, " (", c->info->request_root, ")\n", NULL);
    header = navoi__xml_child(root, NAVOI__NS_COMMON, "header");
    user = navoi__xml_child(root, NAVOI__NS_COMMON, "user");
    if (!header || !user) {
        cat(&c->rep, "error: common:header or common:user is missing\n", NULL);
        return NAVOI_EXML;
    }
    rc = need_text(c, header, NAVOI__NS_COMMON, "requestId", &c->request_id);
    if (rc == NAVOI_OK)
        rc = need_text(c, header, NAVOI__NS_COMMON, "timestamp", &c->timestamp);
    if (rc == NAVOI_OK)
        rc = need_text(c, user, NAVOI__NS_COMMON, "requestSignature", &c->expected);
    if (rc != NAVOI_OK)
        return rc;
    sig = navoi__xml_child(user, NAVOI__NS_COMMON, "requestSignature");
    c->crypto_type = xmlGetNoNsProp(sig, (const xmlChar *)"cryptoType");
    if (c->info->manage) {
        rc = read_items(c, root);
        if (rc != NAVOI_OK)
            return rc;
    }
    return scan_comments(c, c->doc->children);
}

/* ---- diagnosis ------------------------------------------------------ */

/* Index hashes in signing (ascending index) or document order. */
static void hash_list(const sc_ctx *c, int doc_order, const char **out)
{
    size_t i;

    for (i = 0; i < c->n; i++)
        out[i] = c->items[doc_order ? i : c->order[i]].hash;
}

static int try_key_variants(sc_ctx *c, const char *const *hashes)
{
    static const struct {
        const char *suffix;
        const char *what;
    } extra[] = {{"\n", "a trailing line feed"},
                 {"\r\n", "a trailing CR LF"},
                 {" ", "a trailing space"}};
    const char *k = c->key;
    size_t klen = strlen(k), lead = 0, tlen = klen, i;
    navoi__buf kb = NAVOI__BUF_INIT;
    int m, rc = NAVOI_OK;

    while (lead < klen && is_space(k[lead]))
        lead++;
    while (tlen > lead && is_space(k[tlen - 1]))
        tlen--;
    if (lead || tlen != klen) {
        m = variant_matches(c, c->mask, k + lead, tlen - lead, hashes, c->n, 0);
        if (m < 0)
            return m;
        if (m) {
            diag(c);
            navoi__buf_puts(&c->rep, "the signing key given has leading/trailing whitespace (");
            put_size(&c->rep, klen);
            navoi__buf_puts(&c->rep, " characters); the request was signed with the trimmed key (");
            put_size(&c->rep, tlen - lead);
            navoi__buf_puts(&c->rep, " characters)\n");
        }
    }
    for (i = 0; i < sizeof extra / sizeof extra[0]; i++) {
        navoi__buf_reset(&kb);
        rc = navoi__buf_reserve(&kb, klen + 2);
        if (rc != NAVOI_OK)
            goto out;
        navoi__buf_puts(&kb, k);
        navoi__buf_puts(&kb, extra[i].suffix);
        m = variant_matches(c, c->mask, kb.data, kb.len, hashes, c->n, 0);
        if (m < 0) {
            rc = m;
            goto out;
        }
        if (m) {
            diag(c);
            cat(&c->rep, "the request was signed with the signing key followed by ",
                extra[i].what, " (a key read from a file without stripping the line end?)\n",
                NULL);
        }
    }
    if (c->comment_key && strcmp(c->comment_key, k) != 0) {
        m = variant_matches(c, c->mask, c->comment_key, strlen(c->comment_key), hashes,
                            c->n, 0);
        if (m < 0) {
            rc = m;
            goto out;
        }
        if (m) {
            diag(c);
            navoi__buf_puts(&c->rep, "the signature matches the signKey given in the "
                                     "request's XML comment (");
            put_size(&c->rep, strlen(c->comment_key));
            navoi__buf_puts(&c->rep, " characters), not the signing key given (");
            put_size(&c->rep, klen);
            navoi__buf_puts(&c->rep, " characters): wrong signing key\n");
        }
    }
out:
    navoi__buf_cleanse_free(&kb);
    return rc;
}

static int try_mask_variants(sc_ctx *c, const char *const *hashes)
{
    char full[40];
    const char *t = c->timestamp;
    size_t o = 0;
    int m, d;

    /* Every digit of the timestamp, fraction included. */
    for (; *t && o < sizeof full - 1; t++)
        if (is_digit(*t))
            full[o++] = *t;
    full[o] = '\0';
    if (o > 14) {
        m = variant_matches(c, full, c->key, strlen(c->key), hashes, c->n, 0);
        if (m < 0)
            return m;
        if (m) {
            diag(c);
            cat(&c->rep, "the timestamp mask was built with the milliseconds (", full,
                " instead of ", c->mask,
                "); NAV's mask is YYYYMMDDhhmmss, the fraction is dropped\n", NULL);
        }
    }
    m = variant_matches(c, c->timestamp, c->key, strlen(c->key), hashes, c->n, 0);
    if (m < 0)
        return m;
    if (m) {
        diag(c);
        navoi__buf_puts(&c->rep, "the timestamp was signed as sent (");
        put_field(&c->rep, c->timestamp);
        cat(&c->rep, ") instead of its mask ", c->mask, "\n", NULL);
    }
    /* A mask built from Hungarian local time (CET/CEST) while the header
     * carries UTC: try whole-hour shifts of the mask. */
    for (d = -2; d <= 2; d++) {
        char shifted[25], smask[15];
        int64_t ms;

        if (d == 0 || navoi__parse_datetime(c->timestamp, &ms) != NAVOI_OK)
            continue;
        if (navoi__format_timestamp(ms + (int64_t)d * 3600000, shifted) != NAVOI_OK ||
            navoi__timestamp_mask(shifted, smask) != NAVOI_OK)
            continue;
        m = variant_matches(c, smask, c->key, strlen(c->key), hashes, c->n, 0);
        if (m < 0)
            return m;
        if (m) {
            diag(c);
            cat(&c->rep, "the timestamp mask was built from a different clock value (",
                smask, ", ", d > 0 ? "+" : "-", d == 1 || d == -1 ? "1" : "2",
                " h: local time instead of UTC?) than the timestamp sent (", c->mask, ")\n",
                NULL);
        }
    }
    return NAVOI_OK;
}

static int try_item_variants(sc_ctx *c)
{
    static const char *const invoice_ops[] = {"CREATE", "MODIFY", "STORNO"};
    size_t i, k, moved = 0, untrimmed = 0;
    char alt[MAX_ITEMS][NAVOI__HASH_HEX_LEN + 1];
    const char *alt_list[MAX_ITEMS];
    int m, rc;

    if (c->n == 0)
        return NAVOI_OK;
    /* Forgetting the index hashes altogether. */
    m = variant_matches(c, c->mask, c->key, strlen(c->key), NULL, 0, 0);
    if (m < 0)
        return m;
    if (m) {
        diag(c);
        cat(&c->rep, "the request was signed without the index hashes (the simple "
                     "form); ", c->info->name, " needs partial + indexHash[1..n]\n", NULL);
    }
    for (i = 0; i < c->n; i++)
        moved += c->order[i] != i;
    if (moved) {
        hash_list(c, 1, alt_list);
        m = variant_matches(c, c->mask, c->key, strlen(c->key), alt_list, c->n, 0);
        if (m < 0)
            return m;
        if (m) {
            diag(c);
            navoi__buf_puts(&c->rep, "the index hashes were concatenated in document order; "
                                     "NAV signs them in ascending index order\n");
        }
    }
    for (i = 0; i < c->n; i++)
        untrimmed += c->items[i].raw_len != c->items[i].data_len;
    if (untrimmed) {
        for (i = 0; i < c->n; i++) {
            const sc_item *x = &c->items[c->order[i]];
            navoi__sign_item si;

            si.operation = x->op;
            si.data = (const char *)x->raw;
            si.data_len = x->raw_len;
            rc = navoi__index_hash(&si, alt[i]);
            if (rc != NAVOI_OK)
                return rc;
            alt_list[i] = alt[i];
        }
        m = variant_matches(c, c->mask, c->key, strlen(c->key), alt_list, c->n, 0);
        if (m < 0)
            return m;
        if (m) {
            diag(c);
            navoi__buf_puts(&c->rep, "the base64 text was hashed with its surrounding "
                                     "whitespace; NAV hashes the trimmed text\n");
        }
    }
    /* One item with another operation (CREATE signed, MODIFY sent, ...). */
    if (c->op != NAVOI__OP_MANAGE_INVOICE)
        return NAVOI_OK;
    hash_list(c, 0, alt_list);
    for (i = 0; i < c->n; i++) {
        const sc_item *x = &c->items[c->order[i]];
        char h[NAVOI__HASH_HEX_LEN + 1];

        for (k = 0; k < sizeof invoice_ops / sizeof invoice_ops[0]; k++) {
            navoi__sign_item si;

            if (strcmp(invoice_ops[k], x->op) == 0)
                continue;
            si.operation = invoice_ops[k];
            si.data = x->data;
            si.data_len = x->data_len;
            rc = navoi__index_hash(&si, h);
            if (rc != NAVOI_OK)
                return rc;
            alt_list[i] = h;
            m = variant_matches(c, c->mask, c->key, strlen(c->key), alt_list, c->n, 0);
            alt_list[i] = x->hash;
            if (m < 0)
                return m;
            if (m) {
                diag(c);
                navoi__buf_puts(&c->rep, "index ");
                navoi__buf_put_i64(&c->rep, x->index);
                cat(&c->rep, " was signed with invoiceOperation ", invoice_ops[k],
                    " but the request says ", NULL);
                put_field(&c->rep, x->op);
                navoi__buf_putc(&c->rep, '\n');
            }
        }
    }
    return NAVOI_OK;
}

/* The index hash a sample-style comment documents for x, or NULL. Only
 * ordinal names exist, so only the first 20 indices can have one. */
static const char *comment_hash_of(const sc_ctx *c, const sc_item *x)
{
    if ((size_t)x->index > sizeof ordinals / sizeof ordinals[0])
        return NULL;
    return c->comment_hash[x->index];
}

static void comment_summary(sc_ctx *c)
{
    size_t i, present = 0, differ = 0;

    for (i = 0; i < c->n; i++) {
        const char *ch = comment_hash_of(c, &c->items[i]);
        if (ch) {
            present++;
            differ += strcmp(ch, c->items[i].hash) != 0;
        }
    }
    if (!present)
        return;
    navoi__buf_puts(&c->rep, "index hash comments: ");
    put_size(&c->rep, present);
    navoi__buf_puts(&c->rep, " found, ");
    put_size(&c->rep, differ);
    navoi__buf_puts(&c->rep, " differ from the recomputed index hashes\n");
}

/* Names each index whose documented hash differs from the recomputed one:
 * as a diagnosis on mismatch, as a warning when the signature matches. */
static int check_comment_hashes(sc_ctx *c, int mismatch)
{
    const char *list[MAX_ITEMS];
    size_t i, present = 0, differ = 0;
    int m;

    for (i = 0; i < c->n; i++) {
        const sc_item *x = &c->items[c->order[i]];
        const char *ch = comment_hash_of(c, x);

        list[i] = ch ? ch : x->hash;
        if (!ch)
            continue;
        present++;
        if (strcmp(ch, x->hash) == 0)
            continue;
        differ++;
        if (mismatch)
            diag(c);
        else
            navoi__buf_puts(&c->rep, "warning: ");
        navoi__buf_puts(&c->rep, "index ");
        navoi__buf_put_i64(&c->rep, x->index);
        cat(&c->rep, ": the ", ordinals[x->index - 1],
            "IndexHash comment in the request differs from the recomputed index hash: "
            "invoiceOperation or data of index ", NULL);
        navoi__buf_put_i64(&c->rep, x->index);
        navoi__buf_puts(&c->rep, " is not what was signed\n    comment:    ");
        put_field(&c->rep, ch);
        cat(&c->rep, "\n    recomputed: ", x->hash, "\n", NULL);
    }
    if (mismatch && differ && present == c->n) {
        m = variant_matches(c, c->mask, c->key, strlen(c->key), list, c->n, 0);
        if (m < 0)
            return m;
        if (m) {
            diag(c);
            navoi__buf_puts(&c->rep, "the signature matches the index hashes of the "
                                     "comments: the signing key, requestId and timestamp are "
                                     "right, an item was changed after signing\n");
        }
    }
    return NAVOI_OK;
}

static int diagnose(sc_ctx *c)
{
    const char *hashes[MAX_ITEMS];
    /* A cryptoType remark does not explain a wrong value. */
    int m, rc, before = c->found;

    hash_list(c, 0, hashes);
    rc = check_comment_hashes(c, 1);
    if (rc != NAVOI_OK)
        return rc;
    if (has_lower(c->expected) && ascii_casecmp(c->expected, c->computed) == 0) {
        diag(c);
        navoi__buf_puts(&c->rep, "the signature is right but written in lower-case hex; "
                                 "NAV compares upper-case hex\n");
    }
    m = variant_matches(c, c->mask, c->key, strlen(c->key), hashes, c->n, 1);
    if (m < 0)
        return m;
    if (m) {
        diag(c);
        navoi__buf_puts(&c->rep, "the request was signed with SHA-512 (the API 1.x/2.0 "
                                 "algorithm) instead of SHA3-512\n");
    }
    rc = try_key_variants(c, hashes);
    if (rc == NAVOI_OK)
        rc = try_mask_variants(c, hashes);
    if (rc == NAVOI_OK)
        rc = try_item_variants(c);
    if (rc != NAVOI_OK)
        return rc;
    if (c->found == before) {
        size_t i;

        diag(c);
        navoi__buf_puts(&c->rep, "signing key or a signed field differs; the signed fields "
                                 "are: requestId, timestamp (as its mask), the signing key");
        for (i = 0; i < c->n; i++) {
            const sc_item *x = &c->items[c->order[i]];
            navoi__buf_puts(&c->rep, c->op == NAVOI__OP_MANAGE_INVOICE
                                         ? ", invoiceOperation + invoiceData of index "
                                         : ", annulmentOperation + invoiceAnnulment of index ");
            navoi__buf_put_i64(&c->rep, x->index);
        }
        navoi__buf_putc(&c->rep, '\n');
        if (c->comment_key && strcmp(c->comment_key, c->key) == 0)
            navoi__buf_puts(&c->rep, "    the signing key given equals the signKey comment of "
                                     "the request, so requestId or timestamp (or an item) "
                                     "were most likely changed after signing\n");
    }
    return NAVOI_OK;
}

/* ---- entry point ------------------------------------------------------ */

static void report_inputs(sc_ctx *c)
{
    size_t i;
    long want = 1;
    int sequential = 1;

    navoi__buf_puts(&c->rep, "requestId: ");
    put_field(&c->rep, c->request_id);
    navoi__buf_puts(&c->rep, "\ntimestamp: ");
    put_field(&c->rep, c->timestamp);
    cat(&c->rep, "\ntimestamp mask: ", c->mask, "\nsigning key: ", NULL);
    put_size(&c->rep, strlen(c->key));
    navoi__buf_puts(&c->rep, " characters (not shown)\ncryptoType: ");
    put_field(&c->rep, (const char *)c->crypto_type);
    navoi__buf_putc(&c->rep, '\n');
    if (!c->info->manage) {
        navoi__buf_puts(&c->rep, "items: 0 (simple signature)\n");
        return;
    }
    navoi__buf_puts(&c->rep, "items: ");
    put_size(&c->rep, c->n);
    navoi__buf_puts(&c->rep, " (signed in ascending index order)\n");
    for (i = 0; i < c->n; i++) {
        const sc_item *x = &c->items[c->order[i]];

        navoi__buf_puts(&c->rep, "  index ");
        navoi__buf_put_i64(&c->rep, x->index);
        navoi__buf_puts(&c->rep, ": ");
        put_field(&c->rep, x->op);
        navoi__buf_puts(&c->rep, ", ");
        put_size(&c->rep, x->data_len);
        navoi__buf_puts(&c->rep, " base64 characters, document position ");
        put_size(&c->rep, x->doc_pos);
        cat(&c->rep, "\n    indexHash: ", x->hash, "\n", NULL);
        /* NAV wants 1..n in document order too (INDEX_NOT_SEQUENTIAL). */
        if (c->items[i].index != want++)
            sequential = 0;
    }
    comment_summary(c);
    if (!sequential)
        navoi__buf_puts(&c->rep, "warning: the indices are not 1..n, ascending in document "
                                 "order without gaps (NAV answers INDEX_NOT_SEQUENTIAL)\n");
}

static int check(sc_ctx *c, const char *xml, size_t len, int want_report)
{
    navoi__sign_item *si = NULL;
    size_t i;
    int rc, crypto_ok;

    rc = read_request(c, xml, len);
    if (rc != NAVOI_OK)
        goto out;
    if (navoi__timestamp_mask(c->timestamp, c->mask) != NAVOI_OK) {
        navoi__buf_puts(&c->rep, "error: timestamp '");
        put_field(&c->rep, c->timestamp);
        navoi__buf_puts(&c->rep, "' does not match GenericTimestampType "
                                 "(YYYY-MM-DDThh:mm:ss[.sss]Z, UTC); NAV rejects the request "
                                 "before it looks at the signature\n");
        rc = NAVOI_EXML;
        goto out;
    }
    if (c->n) {
        si = navoi__calloc(c->n, sizeof *si);
        if (!si) {
            rc = NAVOI_ENOMEM;
            goto out;
        }
    }
    for (i = 0; i < c->n; i++) {
        sc_item *x = &c->items[c->order[i]];

        si[i].operation = x->op;
        si[i].data = x->data;
        si[i].data_len = x->data_len;
        rc = navoi__index_hash(&si[i], x->hash);
        if (rc != NAVOI_OK)
            goto out;
    }
    rc = navoi__request_signature(c->request_id, c->timestamp, c->key, si, c->n,
                                  c->computed);
    if (rc != NAVOI_OK)
        goto out;
    if (want_report)
        report_inputs(c);
    crypto_ok = c->crypto_type && strcmp((const char *)c->crypto_type, "SHA3-512") == 0;
    if (want_report) {
        navoi__buf_puts(&c->rep, "expected signature: ");
        put_field(&c->rep, c->expected);
        cat(&c->rep, "\ncomputed signature: ", c->computed, "\n", NULL);
    }
    if (strcmp(c->expected, c->computed) == 0) {
        rc = crypto_ok ? NAVOI_OK : NAVOI_ESIGNATURE;
        if (want_report) {
            if (crypto_ok) {
                navoi__buf_puts(&c->rep, "result: MATCH\n");
                rc = check_comment_hashes(c, 0);
            } else {
                navoi__buf_puts(&c->rep, "result: MISMATCH\n");
                diag(c);
                navoi__buf_puts(&c->rep, "the signature value is right but the cryptoType "
                                         "attribute is ");
                put_field(&c->rep, (const char *)c->crypto_type);
                navoi__buf_puts(&c->rep, " instead of SHA3-512\n");
            }
        }
        goto out;
    }
    rc = NAVOI_ESIGNATURE;
    if (want_report) {
        int drc;

        navoi__buf_puts(&c->rep, "result: MISMATCH\n");
        if (!crypto_ok) {
            diag(c);
            navoi__buf_puts(&c->rep, "the cryptoType attribute is ");
            put_field(&c->rep, (const char *)c->crypto_type);
            navoi__buf_puts(&c->rep, " instead of SHA3-512\n");
        }
        drc = diagnose(c);
        if (drc != NAVOI_OK)
            rc = drc;
    }
out:
    navoi__free(si);
    return rc;
}

NAVOI_API int navoi_sign_check(const char *xml, size_t len, const char *sign_key,
                               char **report_out)
{
    sc_ctx c;
    size_t i;
    int rc;

    if (report_out)
        *report_out = NULL;
    if (!xml || !sign_key)
        return NAVOI_EINVAL;
    memset(&c, 0, sizeof c);
    c.op = -1;
    c.key = sign_key;
    navoi__buf_init(&c.rep);
    navoi__buf_puts(&c.rep, "navoi sign-check\n");
    rc = check(&c, xml, len, report_out != NULL);
    if (rc == NAVOI_ENOMEM || navoi__buf_status(&c.rep) != NAVOI_OK) {
        rc = NAVOI_ENOMEM;
    } else if (report_out) {
        *report_out = navoi__buf_detach(&c.rep, NULL);
        if (!*report_out)
            rc = NAVOI_ENOMEM;
    }
    navoi__buf_free(&c.rep);
    for (i = 0; i < c.n; i++) {
        navoi__free(c.items[i].op);
        xmlFree(c.items[i].raw);
    }
    navoi__free(c.items);
    navoi__free(c.order);
    for (i = 0; i <= MAX_ITEMS; i++)
        navoi__free(c.comment_hash[i]);
    navoi__secret_free(c.comment_key);
    navoi__free(c.request_id);
    navoi__free(c.timestamp);
    navoi__free(c.expected);
    xmlFree(c.crypto_type);
    if (c.doc)
        xmlFreeDoc(c.doc);
    return rc;
}
