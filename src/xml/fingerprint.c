/*
 * fingerprint.c - a digest of what an XML document says, not of how it is
 * spelt: two serialisations of one infoset (other namespace prefixes,
 * extra or moved namespace declarations, attribute order, indentation)
 * get the same fingerprint.
 *
 * Why: the outbox must tell whether an invoice NAV holds is the one it
 * sent (after an attempt whose answer was lost). NAV may hand an invoice
 * back re-serialised, with extra namespace declarations (PROTOCOL.md 5.6,
 * observed), so comparing bytes would call our own invoice foreign.
 *
 * The canonical stream, hashed with SHA-256: for each element in document
 * order "<" ns " " name, its attributes sorted by (ns, name) as
 * "@" ns " " name "=" value, its direct text (all text and CDATA children
 * joined, surrounding whitespace trimmed, omitted when empty) as "#" text,
 * its element children, then ">". Every string is length-prefixed, so no
 * value can imitate structure. Comments and processing instructions do
 * not count.
 */
#include <string.h>

#include "crypto/crypto.h"
#include "navoi/navoi.h"
#include "xml/fingerprint.h"
#include "xml/parse.h"

/* An invoice element has a handful of attributes; more is not an invoice
 * and would make the sort below quadratic on hostile input. */
#define MAX_ATTRS 64

static void put_str(navoi__buf *b, const char *s, size_t n)
{
    navoi__buf_put_i64(b, (int64_t)n);
    navoi__buf_putc(b, ':');
    navoi__buf_append(b, s, n);
}

static const char *ns_of(const xmlNode *n)
{
    return n->ns && n->ns->href ? (const char *)n->ns->href : "";
}

static const char *attr_ns(const xmlAttr *a)
{
    return a->ns && a->ns->href ? (const char *)a->ns->href : "";
}

static int attr_less(const xmlAttr *a, const xmlAttr *b)
{
    int c = strcmp(attr_ns(a), attr_ns(b));
    return c < 0 || (c == 0 && strcmp((const char *)a->name, (const char *)b->name) < 0);
}

static int put_attrs(navoi__buf *b, const xmlNode *n)
{
    const xmlAttr *v[MAX_ATTRS], *a;
    size_t k = 0, i, j;
    for (a = n->properties; a; a = a->next) {
        if (k == MAX_ATTRS)
            return NAVOI_EXML;
        /* insertion sort by (ns, name) */
        for (j = k++; j > 0 && attr_less(a, v[j - 1]); j--)
            v[j] = v[j - 1];
        v[j] = a;
    }
    for (i = 0; i < k; i++) {
        xmlChar *val = xmlNodeGetContent((const xmlNode *)v[i]);
        const char *ns = attr_ns(v[i]);
        if (!val)
            return NAVOI_ENOMEM;
        navoi__buf_putc(b, '@');
        put_str(b, ns, strlen(ns));
        put_str(b, (const char *)v[i]->name, strlen((const char *)v[i]->name));
        put_str(b, (const char *)val, strlen((const char *)val));
        xmlFree(val);
    }
    return NAVOI_OK;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int put_element(navoi__buf *b, const xmlNode *n, navoi__buf *text)
{
    const xmlNode *c;
    const char *ns = ns_of(n), *s;
    size_t len;
    int rc;

    navoi__buf_putc(b, '<');
    put_str(b, ns, strlen(ns));
    put_str(b, (const char *)n->name, strlen((const char *)n->name));
    if ((rc = put_attrs(b, n)) != NAVOI_OK)
        return rc;
    navoi__buf_reset(text);
    for (c = n->children; c; c = c->next)
        if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content)
            navoi__buf_puts(text, (const char *)c->content);
    if (navoi__buf_status(text) != NAVOI_OK)
        return NAVOI_ENOMEM;
    s = text->data ? text->data : "";
    len = text->len;
    while (len > 0 && is_space(*s)) {
        s++;
        len--;
    }
    while (len > 0 && is_space(s[len - 1]))
        len--;
    if (len > 0) {
        navoi__buf_putc(b, '#');
        put_str(b, s, len);
    }
    for (c = n->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && (rc = put_element(b, c, text)) != NAVOI_OK)
            return rc;
    navoi__buf_putc(b, '>');
    return NAVOI_OK;
}

int navoi__xml_fingerprint(const char *data, size_t len,
                           char out[NAVOI__XML_FINGERPRINT_LEN + 1])
{
    navoi__buf canon = NAVOI__BUF_INIT, text = NAVOI__BUF_INIT;
    xmlDocPtr doc = NULL;
    xmlNodePtr root;
    int rc = navoi__xml_read(data, len, &doc, NULL, 0);

    out[0] = '\0';
    if (rc != NAVOI_OK)
        return rc;
    root = xmlDocGetRootElement(doc);
    rc = root ? put_element(&canon, root, &text) : NAVOI_EXML;
    if (rc == NAVOI_OK && navoi__buf_status(&canon) != NAVOI_OK)
        rc = NAVOI_ENOMEM;
    if (rc == NAVOI_OK)
        rc = navoi__sha256_hex(canon.data, canon.len, out);
    navoi__buf_free(&canon);
    navoi__buf_free(&text);
    xmlFreeDoc(doc);
    return rc;
}
