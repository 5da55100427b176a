/* reqtest.c - see reqtest.h. */
#include "reqtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <libxml/parser.h>
#include <openssl/evp.h>

#include "navoi/navoi.h"
#include "testutil.h"

navoi__schemas *rt_schemas;

void rt_load_schemas(void)
{
    char err[512];
    char *dir = nt_nav_path("schemas");
    int rc = navoi__schemas_load(dir, &rt_schemas, err, sizeof err);

    if (rc != NAVOI_OK) {
        fprintf(stderr, "cannot load schemas from %s: %d %s\n", dir, rc, err);
        exit(1);
    }
    free(dir);
}

void rt_free_schemas(void)
{
    navoi__schemas_free(rt_schemas);
    rt_schemas = NULL;
}

void rt_assert_valid(int which, const char *xml, size_t len)
{
    char err[512];
    int rc = navoi__schemas_validate_mem(rt_schemas, which, xml, len, err, sizeof err);

    ck_assert_msg(rc == NAVOI_OK, "not valid (%d): %s\n%.*s", rc, err,
                  (int)(len > 3000 ? 3000 : len), xml);
}

xmlDocPtr rt_parse(const char *data, size_t len)
{
    xmlDocPtr doc = xmlReadMemory(data, (int)len, NULL, NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    ck_assert_msg(doc != NULL, "not well-formed: %.*s", (int)(len > 500 ? 500 : len), data);
    return doc;
}

static int blank(const xmlChar *s)
{
    if (!s)
        return 1;
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
            return 0;
    return 1;
}

static int ignorable(const xmlNode *n)
{
    if (n->type == XML_COMMENT_NODE || n->type == XML_PI_NODE)
        return 1;
    return n->type == XML_TEXT_NODE && blank(n->content);
}

static const xmlNode *next_significant(const xmlNode *n)
{
    while (n && ignorable(n))
        n = n->next;
    return n;
}

static const char *ns_of(const xmlNode *n)
{
    return n->ns && n->ns->href ? (const char *)n->ns->href : "";
}

static const char *attr_ns(const xmlAttr *a)
{
    return a->ns && a->ns->href ? (const char *)a->ns->href : "";
}

static int attrs_equal(const xmlNode *a, const xmlNode *b, char *why, size_t whylen)
{
    const xmlAttr *x, *y;
    int na = 0, nb = 0;

    for (x = a->properties; x; x = x->next)
        na++;
    for (y = b->properties; y; y = y->next)
        nb++;
    if (na != nb) {
        snprintf(why, whylen, "<%s>: %d attributes vs %d", a->name, na, nb);
        return 0;
    }
    for (x = a->properties; x; x = x->next) {
        xmlChar *va, *vb;
        int same;
        for (y = b->properties; y; y = y->next)
            if (strcmp((const char *)x->name, (const char *)y->name) == 0 &&
                strcmp(attr_ns(x), attr_ns(y)) == 0)
                break;
        if (!y) {
            snprintf(why, whylen, "<%s>: attribute %s missing", a->name, x->name);
            return 0;
        }
        va = xmlNodeListGetString(a->doc, x->children, 1);
        vb = xmlNodeListGetString(b->doc, y->children, 1);
        same = strcmp(va ? (char *)va : "", vb ? (char *)vb : "") == 0;
        if (!same)
            snprintf(why, whylen, "<%s>: attribute %s '%s' vs '%s'", a->name, x->name,
                     va ? (char *)va : "", vb ? (char *)vb : "");
        xmlFree(va);
        xmlFree(vb);
        if (!same)
            return 0;
    }
    return 1;
}

int rt_infoset_equal(const xmlNode *a, const xmlNode *b, char *why, size_t whylen)
{
    const xmlNode *ca, *cb;

    if (a->type == XML_CDATA_SECTION_NODE || a->type == XML_TEXT_NODE) {
        if (b->type != XML_CDATA_SECTION_NODE && b->type != XML_TEXT_NODE) {
            snprintf(why, whylen, "text vs node <%s>", b->name);
            return 0;
        }
        if (strcmp((const char *)a->content, (const char *)b->content) != 0) {
            snprintf(why, whylen, "text '%.60s' vs '%.60s'", a->content, b->content);
            return 0;
        }
        return 1;
    }
    if (a->type != XML_ELEMENT_NODE || b->type != XML_ELEMENT_NODE) {
        snprintf(why, whylen, "node types %d vs %d", a->type, b->type);
        return 0;
    }
    if (strcmp((const char *)a->name, (const char *)b->name) != 0 ||
        strcmp(ns_of(a), ns_of(b)) != 0) {
        snprintf(why, whylen, "{%s}%s vs {%s}%s", ns_of(a), a->name, ns_of(b), b->name);
        return 0;
    }
    if (!attrs_equal(a, b, why, whylen))
        return 0;
    ca = next_significant(a->children);
    cb = next_significant(b->children);
    while (ca && cb) {
        if (!rt_infoset_equal(ca, cb, why, whylen))
            return 0;
        ca = next_significant(ca->next);
        cb = next_significant(cb->next);
    }
    if (ca || cb) {
        snprintf(why, whylen, "<%s>: extra child %s on the %s side", a->name,
                 ca ? (const char *)ca->name : (const char *)cb->name, ca ? "first" : "second");
        return 0;
    }
    return 1;
}

char *rt_b64decode(const char *s, size_t len, size_t *out_len)
{
    unsigned char *out;
    char *clean = malloc(len + 1);
    size_t n = 0, i, pad = 0;
    int r;

    ck_assert_ptr_nonnull(clean);
    for (i = 0; i < len; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
            clean[n++] = s[i];
    clean[n] = '\0';
    ck_assert_uint_eq(n % 4, 0);
    if (n >= 1 && clean[n - 1] == '=')
        pad++;
    if (n >= 2 && clean[n - 2] == '=')
        pad++;
    out = malloc(n / 4 * 3 + 1);
    ck_assert_ptr_nonnull(out);
    r = EVP_DecodeBlock(out, (const unsigned char *)clean, (int)n);
    ck_assert_int_ge(r, 0);
    free(clean);
    out[(size_t)r - pad] = '\0';
    if (out_len)
        *out_len = (size_t)r - pad;
    return (char *)out;
}

char *rt_b64encode(const void *data, size_t len)
{
    unsigned char *out = malloc((len + 2) / 3 * 4 + 1);

    ck_assert_ptr_nonnull(out);
    EVP_EncodeBlock(out, data, (int)len);
    return (char *)out;
}

static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
    /* H. Hinnant's algorithm, written out here independently of src/crypto. */
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int64_t rt_ms(const char *iso)
{
    int y, mo, d, h, mi, s, ms = 0, n = 0;
    const char *frac;

    ck_assert_int_eq(sscanf(iso, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &n), 6);
    frac = iso + n;
    if (*frac == '.') {
        int digits = 0;
        frac++;
        while (*frac >= '0' && *frac <= '9') {
            if (digits < 3) {
                ms = ms * 10 + (*frac - '0');
                digits++;
            }
            frac++;
        }
        while (digits++ < 3)
            ms *= 10;
    }
    ck_assert_int_eq(*frac, 'Z');
    return ((days_from_civil(y, mo, d) * 24 + h) * 60 + mi) * INT64_C(60000) + s * 1000 + ms;
}

void rt_sha3_hex(const void *data, size_t len, char out[129])
{
    static const char hex[] = "0123456789ABCDEF";
    unsigned char md[64];
    unsigned int mdlen = 0;
    unsigned int i;

    ck_assert_int_eq(EVP_Digest(data, len, md, &mdlen, EVP_sha3_512(), NULL), 1);
    ck_assert_uint_eq(mdlen, 64);
    for (i = 0; i < 64; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[128] = '\0';
}

void rt_software(navoi__software *sw)
{
    memset(sw, 0, sizeof *sw);
    memcpy(sw->id, "123456789123456789", 19);
    sw->name = "string";
    sw->operation = NAVOI_SOFTWARE_LOCAL;
    sw->main_version = "string";
    sw->dev_name = "string";
    sw->dev_contact = "string";
    memcpy(sw->dev_country, "HU", 3);
    sw->dev_tax_number = "string";
}

void rt_envelope(navoi__envelope *e, const navoi__software *sw)
{
    memset(e, 0, sizeof *e);
    e->request_id = "RID181837288942";
    e->timestamp = "2020-09-11T12:44:55.442Z";
    e->login = "lwilsmn0uqdxe6u";
    e->password_hash = "2F43840A882CFDB7DB0FEC07D419D030D864B47B6B541DC280EF81B937B7A176E33C05"
                       "2B0D26638CC18A7A2C08D8D311733078A774BF43F6CA57FE8CD74DC28E";
    e->tax_number = "11111111";
    e->sign_key = "ac-ac3a-7f661bff7d342N43CYX4U9FG";
    e->software = sw;
}

static const xmlNode *find(const xmlNode *n, const char *local)
{
    for (; n; n = n->next) {
        const xmlNode *r;
        if (n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, local) == 0)
            return n;
        if (n->type == XML_ELEMENT_NODE && (r = find(n->children, local)) != NULL)
            return r;
    }
    return NULL;
}

char *rt_find_text(const xmlNode *root, const char *local)
{
    const xmlNode *n = find(root, local);
    xmlChar *t;
    char *r;
    size_t a = 0, len;

    if (!n)
        return NULL;
    t = xmlNodeGetContent(n);
    len = strlen((char *)t);
    while (a < len && strchr(" \t\r\n", t[a]))
        a++;
    while (len > a && strchr(" \t\r\n", t[len - 1]))
        len--;
    r = strndup((char *)t + a, len - a);
    xmlFree(t);
    return r;
}
