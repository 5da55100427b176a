/* parse.c - hardened libxml2 reading and namespace-aware lookups. */
#include "xml/parse.h"

#include <stdio.h>
#include <string.h>

#include <libxml/parser.h>

#include "common/alloc.h"
#include "navoi/navoi.h"

static int too_deep(const xmlNode *n, int depth)
{
    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (depth > NAVOI__XML_MAX_DEPTH)
            return 1;
        if (n->children && too_deep(n->children, depth + 1))
            return 1;
    }
    return 0;
}

int navoi__xml_read(const char *data, size_t len, xmlDocPtr *out, char *errmsg,
                    size_t errlen)
{
    xmlParserCtxtPtr ctx;
    xmlDocPtr doc;
    int rc = NAVOI_OK;

    *out = NULL;
    if (errmsg && errlen)
        errmsg[0] = '\0';
    if (len > NAVOI__XML_MAX_BYTES)
        return NAVOI_ETOOBIG;
    if (len > (size_t)2147483647)
        return NAVOI_ETOOBIG;
    ctx = xmlNewParserCtxt();
    if (!ctx)
        return NAVOI_ENOMEM;
    /* NONET: never fetch; no NOENT/DTDLOAD/DTDATTR: entities stay
     * unexpanded and no external subset is read; NOBLANKS is not used so
     * text is preserved exactly; XML_PARSE_HUGE is never set, keeping
     * libxml2's own limits on text node size and nesting. */
    doc = xmlCtxtReadMemory(ctx, data, (int)len, NULL, NULL,
                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                                XML_PARSE_NOCDATA);
    if (!doc || !ctx->wellFormed) {
        if (errmsg && errlen) {
            const xmlError *e = xmlCtxtGetLastError(ctx);
            if (e && e->message)
                snprintf(errmsg, errlen, "line %d: %.*s", e->line,
                         (int)strcspn(e->message, "\n"), e->message);
            else
                snprintf(errmsg, errlen, "not well-formed XML");
        }
        rc = ctx->errNo == XML_ERR_NO_MEMORY ? NAVOI_ENOMEM : NAVOI_EXML;
        goto out;
    }
    if (doc->intSubset || doc->extSubset) {
        if (errmsg && errlen)
            snprintf(errmsg, errlen, "document type declarations are not accepted");
        rc = NAVOI_EXML;
        goto out;
    }
    if (!xmlDocGetRootElement(doc)) {
        if (errmsg && errlen)
            snprintf(errmsg, errlen, "no root element");
        rc = NAVOI_EXML;
        goto out;
    }
    if (too_deep(xmlDocGetRootElement(doc), 1)) {
        if (errmsg && errlen)
            snprintf(errmsg, errlen, "element nesting deeper than %d", NAVOI__XML_MAX_DEPTH);
        rc = NAVOI_EXML;
        goto out;
    }
    *out = doc;
    doc = NULL;
out:
    if (doc)
        xmlFreeDoc(doc);
    xmlFreeParserCtxt(ctx);
    return rc;
}

int navoi__xml_is(const xmlNode *n, const char *ns, const char *name)
{
    if (!n || n->type != XML_ELEMENT_NODE)
        return 0;
    if (name && strcmp((const char *)n->name, name) != 0)
        return 0;
    if (ns) {
        if (!n->ns || !n->ns->href || strcmp((const char *)n->ns->href, ns) != 0)
            return 0;
    }
    return 1;
}

xmlNodePtr navoi__xml_child(const xmlNode *parent, const char *ns, const char *name)
{
    xmlNodePtr c;
    if (!parent)
        return NULL;
    for (c = parent->children; c; c = c->next)
        if (navoi__xml_is(c, ns, name))
            return c;
    return NULL;
}

xmlNodePtr navoi__xml_next(const xmlNode *n, const char *ns, const char *name)
{
    xmlNodePtr c;
    if (!n)
        return NULL;
    for (c = n->next; c; c = c->next)
        if (navoi__xml_is(c, ns, name))
            return c;
    return NULL;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

char *navoi__xml_text(const xmlNode *n)
{
    xmlChar *t;
    const char *s;
    size_t len;
    char *r;

    if (!n)
        return NULL;
    t = xmlNodeGetContent(n);
    if (!t)
        return navoi__strdup("");
    s = (const char *)t;
    while (*s && is_space(*s))
        s++;
    len = strlen(s);
    while (len && is_space(s[len - 1]))
        len--;
    r = navoi__strndup(s, len);
    xmlFree(t);
    return r;
}

char *navoi__xml_child_text(const xmlNode *parent, const char *ns, const char *name,
                            int *oom_out)
{
    xmlNodePtr c = navoi__xml_child(parent, ns, name);
    char *t;
    if (oom_out)
        *oom_out = 0;
    if (!c)
        return NULL;
    t = navoi__xml_text(c);
    if (!t && oom_out)
        *oom_out = 1;
    return t;
}
