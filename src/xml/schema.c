/*
 * schema.c - owns the compiled NAV schemas. NAV's xs:import elements have
 * no schemaLocation, and libxml2 does not look bare namespaces up in a
 * catalogue, so each target is reached through a small wrapper schema,
 * built in memory, that imports common, base and then the target with
 * absolute locations (PROTOCOL.md 9). Order matters: libxml2 reuses an
 * already loaded namespace for a location-less import, so common and base
 * must come first. libxml2 never prints: every diagnostic is captured
 * through structured error handlers and the first one is returned.
 */
#include "xml/schema.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libxml/globals.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>

#include "common/alloc.h"
#include "common/buf.h"
#include "navoi/navoi.h"
#include "xml/ns.h"
#include "xml/parse.h"
#include "xml/writer.h"

struct navoi__schemas {
    xmlSchemaPtr schema[NAVOI__SCHEMA_COUNT];
};

static const struct {
    const char *ns;
    const char *file;
} g_targets[NAVOI__SCHEMA_COUNT] = {
    {NAVOI__NS_API, "invoiceApi.xsd"},
    {NAVOI__NS_DATA, "invoiceData.xsd"},
    {NAVOI__NS_ANNUL, "invoiceAnnulment.xsd"},
};

/* First diagnostic of one load or validation. */
typedef struct capture {
    char msg[512];
    int have;
    int oom;
} capture;

static void capture_error(void *userdata, xmlErrorPtr e)
{
    capture *c = userdata;
    const char *m;
    int len;

    if (!c || !e)
        return;
    if (e->code == XML_ERR_NO_MEMORY)
        c->oom = 1;
    /* Warnings do not make a document invalid; keep the first real error. */
    if (c->have || e->level < XML_ERR_ERROR)
        return;
    m = e->message ? e->message : "unknown error";
    len = (int)strcspn(m, "\n");
    if (e->file && e->line > 0) {
        const char *base = strrchr(e->file, '/');
        snprintf(c->msg, sizeof c->msg, "%s: line %d: %.*s", base ? base + 1 : e->file,
                 e->line, len, m);
    } else if (e->line > 0) {
        snprintf(c->msg, sizeof c->msg, "line %d: %.*s", e->line, len, m);
    } else {
        snprintf(c->msg, sizeof c->msg, "%.*s", len, m);
    }
    c->have = 1;
}

static void silent_generic(void *userdata, const char *msg, ...)
{
    (void)userdata;
    (void)msg;
}

/* The thread's global libxml2 handlers, replaced while navoi works so that
 * errors raised outside our contexts (loading imported files, internal
 * errors) are captured instead of printed, and restored afterwards so the
 * application's own handlers are untouched. */
typedef struct saved_handlers {
    xmlStructuredErrorFunc serror;
    void *sctx;
    xmlGenericErrorFunc gerror;
    void *gctx;
} saved_handlers;

static void handlers_push(saved_handlers *s, capture *c)
{
    s->serror = xmlStructuredError;
    s->sctx = xmlStructuredErrorContext;
    s->gerror = xmlGenericError;
    s->gctx = xmlGenericErrorContext;
    xmlSetStructuredErrorFunc(c, capture_error);
    xmlSetGenericErrorFunc(NULL, silent_generic);
}

static void handlers_pop(const saved_handlers *s)
{
    xmlSetStructuredErrorFunc(s->sctx, s->serror);
    xmlSetGenericErrorFunc(s->gctx, s->gerror);
}

static void set_err(char *errmsg, size_t errlen, const char *what, const char *detail)
{
    if (errmsg && errlen)
        snprintf(errmsg, errlen, "%s%s%s", what, detail && *detail ? ": " : "",
                 detail ? detail : "");
}

static void import(navoi__xw *w, const char *ns, const char *dir, const char *file,
                   navoi__buf *path)
{
    navoi__buf_reset(path);
    navoi__buf_puts(path, dir);
    navoi__buf_putc(path, '/');
    navoi__buf_puts(path, file);
    /* The next reset clears the buffer's oom flag: record it in the
     * writer, or a failed allocation becomes an empty schemaLocation and
     * then a misleading NAVOI_ESCHEMA. */
    if (navoi__buf_status(path) != NAVOI_OK && !w->err)
        w->err = NAVOI_ENOMEM;
    navoi__xw_open(w, "xs:import");
    navoi__xw_attr(w, "namespace", ns);
    navoi__xw_attr(w, "schemaLocation", path->data ? path->data : "");
    navoi__xw_close(w);
}

/* The wrapper document; the directory path is escaped like any attribute
 * value, so unusual characters in it cannot break the markup. */
static int build_wrapper(const char *dir, int which, navoi__buf *out)
{
    navoi__xw w;
    navoi__buf path = NAVOI__BUF_INIT;
    int rc;

    navoi__xw_init(&w, out);
    navoi__xw_declaration(&w);
    navoi__xw_open(&w, "xs:schema");
    navoi__xw_attr(&w, "xmlns:xs", "http://www.w3.org/2001/XMLSchema");
    navoi__xw_attr(&w, "targetNamespace", "urn:navoi:local:nav-wrapper");
    import(&w, NAVOI__NS_COMMON, dir, "common.xsd", &path);
    import(&w, NAVOI__NS_BASE, dir, "invoiceBase.xsd", &path);
    import(&w, g_targets[which].ns, dir, g_targets[which].file, &path);
    navoi__xw_close(&w);
    rc = navoi__xw_finish(&w);
    if (rc == NAVOI_OK)
        rc = navoi__buf_status(&path);
    navoi__buf_free(&path);
    return rc;
}

static int compile_one(const char *dir, int which, xmlSchemaPtr *out, char *errmsg,
                       size_t errlen)
{
    navoi__buf wrapper = NAVOI__BUF_INIT;
    xmlSchemaParserCtxtPtr pctx = NULL;
    xmlSchemaPtr schema = NULL;
    capture cap;
    saved_handlers saved;
    int rc;

    memset(&cap, 0, sizeof cap);
    *out = NULL;
    rc = build_wrapper(dir, which, &wrapper);
    if (rc != NAVOI_OK) {
        set_err(errmsg, errlen, "cannot build the wrapper schema", NULL);
        goto out;
    }
    if (wrapper.len > (size_t)INT_MAX) {
        rc = NAVOI_ETOOBIG;
        goto out;
    }
    handlers_push(&saved, &cap);
    pctx = xmlSchemaNewMemParserCtxt(wrapper.data, (int)wrapper.len);
    if (pctx) {
        xmlSchemaSetParserStructuredErrors(pctx, capture_error, &cap);
        schema = xmlSchemaParse(pctx);
    }
    handlers_pop(&saved);
    if (!pctx) {
        rc = NAVOI_ENOMEM;
        goto out;
    }
    if (!schema) {
        rc = cap.oom ? NAVOI_ENOMEM : NAVOI_ESCHEMA;
        set_err(errmsg, errlen, g_targets[which].file, cap.have ? cap.msg : "does not compile");
        goto out;
    }
    *out = schema;
    schema = NULL;
out:
    if (schema)
        xmlSchemaFree(schema);
    if (pctx)
        xmlSchemaFreeParserCtxt(pctx);
    navoi__buf_free(&wrapper);
    return rc;
}

static int file_present(const char *dir, const char *file, navoi__buf *tmp)
{
    struct stat st;

    navoi__buf_reset(tmp);
    navoi__buf_puts(tmp, dir);
    navoi__buf_putc(tmp, '/');
    navoi__buf_puts(tmp, file);
    if (navoi__buf_status(tmp) != NAVOI_OK)
        return NAVOI_ENOMEM;
    if (stat(tmp->data, &st) != 0 || !S_ISREG(st.st_mode))
        return NAVOI_EIO;
    return NAVOI_OK;
}

int navoi__schemas_load(const char *dir, navoi__schemas **out, char *errmsg, size_t errlen)
{
    static const char *const files[] = {"common.xsd", "invoiceBase.xsd", "invoiceApi.xsd",
                                        "invoiceData.xsd", "invoiceAnnulment.xsd"};
    char abs[PATH_MAX];
    navoi__schemas *s = NULL;
    navoi__buf tmp = NAVOI__BUF_INIT;
    size_t i;
    int rc = NAVOI_OK, k;

    if (errmsg && errlen)
        errmsg[0] = '\0';
    if (!out)
        return NAVOI_EINVAL;
    *out = NULL;
    if (!dir || !*dir) {
        set_err(errmsg, errlen, "no schema directory", NULL);
        return NAVOI_EINVAL;
    }
    /* The wrapper lives in memory and has no base URI, so its locations
     * must be absolute. */
    if (!realpath(dir, abs)) {
        set_err(errmsg, errlen, "schema directory not found", dir);
        return NAVOI_EIO;
    }
    for (i = 0; i < sizeof files / sizeof files[0]; i++) {
        rc = file_present(abs, files[i], &tmp);
        if (rc != NAVOI_OK) {
            set_err(errmsg, errlen, "missing schema file", files[i]);
            goto out;
        }
    }
    s = navoi__calloc(1, sizeof *s);
    if (!s) {
        rc = NAVOI_ENOMEM;
        goto out;
    }
    for (k = 0; k < NAVOI__SCHEMA_COUNT; k++) {
        rc = compile_one(abs, k, &s->schema[k], errmsg, errlen);
        if (rc != NAVOI_OK)
            goto out;
    }
    *out = s;
    s = NULL;
out:
    navoi__schemas_free(s);
    navoi__buf_free(&tmp);
    return rc;
}

void navoi__schemas_free(navoi__schemas *s)
{
    int k;

    if (!s)
        return;
    for (k = 0; k < NAVOI__SCHEMA_COUNT; k++)
        if (s->schema[k])
            xmlSchemaFree(s->schema[k]);
    navoi__free(s);
}

int navoi__schemas_validate(const navoi__schemas *s, int which, xmlDocPtr doc, char *errmsg,
                            size_t errlen)
{
    xmlSchemaValidCtxtPtr vctx;
    capture cap;
    saved_handlers saved;
    int r;

    if (errmsg && errlen)
        errmsg[0] = '\0';
    if (!s || !doc || which < 0 || which >= NAVOI__SCHEMA_COUNT || !s->schema[which])
        return NAVOI_EINVAL;
    memset(&cap, 0, sizeof cap);
    /* A fresh context per call: the compiled schema is read-only during
     * validation and may be shared between threads, contexts may not. */
    vctx = xmlSchemaNewValidCtxt(s->schema[which]);
    if (!vctx)
        return NAVOI_ENOMEM;
    xmlSchemaSetValidStructuredErrors(vctx, capture_error, &cap);
    handlers_push(&saved, &cap);
    r = xmlSchemaValidateDoc(vctx, doc);
    handlers_pop(&saved);
    xmlSchemaFreeValidCtxt(vctx);
    if (r == 0)
        return NAVOI_OK;
    if (cap.oom)
        return NAVOI_ENOMEM;
    set_err(errmsg, errlen, cap.have ? cap.msg : "document is not valid", NULL);
    return NAVOI_ESCHEMA;
}

int navoi__schemas_validate_mem(const navoi__schemas *s, int which, const char *data,
                                size_t len, char *errmsg, size_t errlen)
{
    xmlDocPtr doc = NULL;
    int rc;

    if (errmsg && errlen)
        errmsg[0] = '\0';
    if (!s || !data || which < 0 || which >= NAVOI__SCHEMA_COUNT)
        return NAVOI_EINVAL;
    rc = navoi__xml_read(data, len, &doc, errmsg, errlen);
    if (rc != NAVOI_OK)
        return rc;
    rc = navoi__schemas_validate(s, which, doc, errmsg, errlen);
    xmlFreeDoc(doc);
    return rc;
}
