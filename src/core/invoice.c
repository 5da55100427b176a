/*
 * invoice.c - navoi_invoice: one InvoiceData document, checked for
 * well-formedness, root element and (with a schema directory) the XSD,
 * with the few header values the pipeline needs extracted once.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/tree.h>

#include "common/alloc.h"
#include "core/client.h"
#include "core/invoice.h"
#include "xml/ns.h"
#include "xml/parse.h"

/* PROTOCOL.md 1.4: keep an invoice below 15,000,000 bytes uncompressed. */
#define INVOICE_MAX_BYTES 15000000u

static void invoice_free(navoi_invoice *inv)
{
    if (!inv)
        return;
    navoi__free(inv->xml);
    navoi__free(inv->number);
    navoi__free(inv);
}

NAVOI_API void navoi_invoice_free(navoi_invoice *inv)
{
    invoice_free(inv);
}

static int fail(navoi_client *c, int code, const char *msg, const char *detail)
{
    if (c)
        return navoi__fail(c, code, "%s%s%s", msg, detail && *detail ? ": " : "",
                           detail ? detail : "");
    return code;
}

NAVOI_API int navoi_invoice_new(navoi_invoice **out, navoi_client *c, const char *data,
                                size_t len, int operation)
{
    navoi_invoice *inv = NULL;
    navoi__buf plain = NAVOI__BUF_INIT;
    xmlDocPtr doc = NULL;
    xmlNodePtr root;
    char why[512];
    char *date = NULL, *complete = NULL;
    int rc, oom = 0;

    if (out)
        *out = NULL;
    if (!out || !data)
        return fail(c, NAVOI_EINVAL, "invoice data is NULL", NULL);
    if (operation < NAVOI_OP_CREATE || operation > NAVOI_OP_STORNO)
        return fail(c, NAVOI_EINVAL, "operation must be NAVOI_OP_CREATE, _MODIFY or _STORNO", NULL);
    if (navoi__is_gzip(data, len)) {
        rc = navoi__gunzip(data, len, INVOICE_MAX_BYTES, &plain);
        if (rc != NAVOI_OK) {
            navoi__buf_free(&plain);
            return fail(c, rc == NAVOI_EPROTO ? NAVOI_EXML : rc,
                        rc == NAVOI_ETOOBIG ? "invoice is larger than 15,000,000 bytes uncompressed"
                                            : "invoice gzip stream is corrupt",
                        NULL);
        }
        data = plain.data ? plain.data : "";
        len = plain.len;
    }
    if (len > INVOICE_MAX_BYTES) {
        rc = fail(c, NAVOI_ETOOBIG, "invoice is larger than 15,000,000 bytes", NULL);
        goto out;
    }
    rc = navoi__xml_read(data, len, &doc, why, sizeof why);
    if (rc != NAVOI_OK) {
        rc = fail(c, rc, "invoice is not well-formed XML", why);
        goto out;
    }
    root = xmlDocGetRootElement(doc);
    if (!navoi__xml_is(root, NAVOI__NS_DATA, "InvoiceData")) {
        rc = fail(c, NAVOI_EXML, "invoice root must be InvoiceData in namespace " NAVOI__NS_DATA, NULL);
        goto out;
    }
    if (c && c->schemas) {
        rc = navoi__schemas_validate(c->schemas, NAVOI__SCHEMA_DATA, doc, why, sizeof why);
        if (rc != NAVOI_OK) {
            rc = fail(c, rc, "invoice does not validate against invoiceData.xsd", why);
            goto out;
        }
    }
    inv = navoi__calloc(1, sizeof *inv);
    if (!inv)
        goto oom;
    inv->operation = operation;
    inv->number = navoi__xml_child_text(root, NAVOI__NS_DATA, "invoiceNumber", &oom);
    if (oom)
        goto oom;
    if (!inv->number || !*inv->number || strlen(inv->number) > 50) {
        rc = fail(c, NAVOI_EXML, "invoice has no invoiceNumber of 1 to 50 characters", NULL);
        goto out;
    }
    date = navoi__xml_child_text(root, NAVOI__NS_DATA, "invoiceIssueDate", &oom);
    if (oom)
        goto oom;
    if (!date || strlen(date) != 10) {
        rc = fail(c, NAVOI_EXML, "invoice has no invoiceIssueDate (YYYY-MM-DD)", NULL);
        goto out;
    }
    memcpy(inv->issue_date, date, 11);
    complete = navoi__xml_child_text(root, NAVOI__NS_DATA, "completenessIndicator", &oom);
    if (oom)
        goto oom;
    inv->electronic = complete && (strcmp(complete, "true") == 0 || strcmp(complete, "1") == 0);
    /* data holds len bytes, not necessarily a NUL after them. */
    inv->xml = navoi__malloc(len + 1);
    if (!inv->xml)
        goto oom;
    memcpy(inv->xml, data, len);
    inv->xml[len] = '\0';
    inv->len = len;
    *out = inv;
    inv = NULL;
    rc = NAVOI_OK;
    goto out;
oom:
    rc = fail(c, NAVOI_ENOMEM, "out of memory", NULL);
out:
    navoi__free(date);
    navoi__free(complete);
    invoice_free(inv);
    if (doc)
        xmlFreeDoc(doc);
    navoi__buf_free(&plain);
    return rc;
}

/* Reads a whole file, up to max bytes. */
int navoi__read_file(const char *path, size_t max, navoi__buf *out)
{
    char chunk[65536];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    int rc = NAVOI_OK;

    if (fd < 0)
        return NAVOI_EIO;
    for (;;) {
        ssize_t r = read(fd, chunk, sizeof chunk);
        if (r < 0) {
            rc = NAVOI_EIO;
            break;
        }
        if (r == 0)
            break;
        if (out->len + (size_t)r > max) {
            rc = NAVOI_ETOOBIG;
            break;
        }
        navoi__buf_append(out, chunk, (size_t)r);
        if (out->oom) {
            rc = NAVOI_ENOMEM;
            break;
        }
    }
    close(fd);
    return rc;
}

NAVOI_API int navoi_invoice_new_from_file(navoi_invoice **out, navoi_client *c, const char *path,
                                          int operation)
{
    navoi__buf b = NAVOI__BUF_INIT;
    int rc;

    if (out)
        *out = NULL;
    if (!out || !path)
        return fail(c, NAVOI_EINVAL, "invoice path is NULL", NULL);
    rc = navoi__read_file(path, INVOICE_MAX_BYTES, &b);
    if (rc != NAVOI_OK) {
        navoi__buf_free(&b);
        if (rc == NAVOI_ETOOBIG)
            return fail(c, rc, "invoice file is larger than 15,000,000 bytes", path);
        return fail(c, rc, "cannot read invoice file", path);
    }
    rc = navoi_invoice_new(out, c, b.data ? b.data : "", b.len, operation);
    navoi__buf_free(&b);
    return rc;
}

NAVOI_API const char *navoi_invoice_number(const navoi_invoice *inv)
{
    return inv && inv->number ? inv->number : "";
}

NAVOI_API const char *navoi_invoice_issue_date(const navoi_invoice *inv)
{
    return inv ? inv->issue_date : "";
}

NAVOI_API int navoi_invoice_operation(const navoi_invoice *inv)
{
    return inv ? inv->operation : 0;
}

NAVOI_API int navoi_invoice_is_electronic(const navoi_invoice *inv)
{
    return inv ? inv->electronic : 0;
}

NAVOI_API const char *navoi_invoice_xml(const navoi_invoice *inv, size_t *len_out)
{
    if (len_out)
        *len_out = inv ? inv->len : 0;
    return inv ? inv->xml : NULL;
}
