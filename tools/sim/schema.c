/*
 * schema.c - NAV's XSDs compiled for the simulator. NAV's xs:import
 * elements have no schemaLocation, so a wrapper importing common, base and
 * then the target with absolute locations is compiled from memory
 * (PROTOCOL.md 9). Kept local (not xml/schema.h) because the simulator
 * reports every violation with line and column, as NAV does.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlschemas.h>

#include "sim_internal.h"

struct sim_schemas {
    xmlSchemaPtr s[SIM_SCHEMA_COUNT];
};

static const char *const target_ns[SIM_SCHEMA_COUNT] = {
    "http://schemas.nav.gov.hu/OSA/3.0/api",
    "http://schemas.nav.gov.hu/OSA/3.0/data",
    "http://schemas.nav.gov.hu/OSA/3.0/annul",
};
static const char *const target_file[SIM_SCHEMA_COUNT] = {
    "invoiceApi.xsd", "invoiceData.xsd", "invoiceAnnulment.xsd"};

typedef struct collect {
    char **msgs;
    int max, n;
} collect;

static void on_error(void *ctx, xmlErrorPtr e)
{
    collect *c = ctx;
    char line[1200];
    size_t l;
    if (!c || !e || e->level < XML_ERR_ERROR)
        return;
    if (c->n < c->max && c->msgs) {
        snprintf(line, sizeof line,
                 "Request body contains on line: [%d] and column: [%d] error: [%s",
                 e->line, e->int2, e->message ? e->message : "schema violation");
        l = strlen(line);
        while (l && (line[l - 1] == '\n' || line[l - 1] == ' '))
            line[--l] = '\0';
        if (l + 2 < sizeof line) {
            line[l] = ']';
            line[l + 1] = '\0';
        }
        c->msgs[c->n] = strdup(line);
    }
    c->n++;
}

static void silent(void *ctx, xmlErrorPtr e)
{
    (void)ctx;
    (void)e;
}

int sim_schemas_load(const char *dir, sim_schemas **out, char *err, size_t errlen)
{
    char abs[PATH_MAX];
    sim_schemas *s;
    int i;
    *out = NULL;
    if (!realpath(dir, abs)) {
        snprintf(err, errlen, "schema directory %s not found", dir);
        return -1;
    }
    s = calloc(1, sizeof *s);
    if (!s)
        return -1;
    for (i = 0; i < SIM_SCHEMA_COUNT; i++) {
        char wrap[4 * PATH_MAX + 1024];
        xmlSchemaParserCtxtPtr pc;
        int n = snprintf(
            wrap, sizeof wrap,
            "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" "
            "targetNamespace=\"urn:local:navoi-sim-wrapper\">"
            "<xs:import namespace=\"http://schemas.nav.gov.hu/NTCA/1.0/common\" "
            "schemaLocation=\"%s/common.xsd\"/>"
            "<xs:import namespace=\"http://schemas.nav.gov.hu/OSA/3.0/base\" "
            "schemaLocation=\"%s/invoiceBase.xsd\"/>"
            "<xs:import namespace=\"%s\" schemaLocation=\"%s/%s\"/></xs:schema>",
            abs, abs, target_ns[i], abs, target_file[i]);
        if (n < 0 || (size_t)n >= sizeof wrap) {
            snprintf(err, errlen, "schema path too long");
            sim_schemas_free(s);
            return -1;
        }
        pc = xmlSchemaNewMemParserCtxt(wrap, n);
        if (!pc) {
            sim_schemas_free(s);
            return -1;
        }
        xmlSchemaSetParserStructuredErrors(pc, silent, NULL);
        s->s[i] = xmlSchemaParse(pc);
        xmlSchemaFreeParserCtxt(pc);
        if (!s->s[i]) {
            snprintf(err, errlen, "%s/%s does not compile (missing or broken XSD)", abs,
                     target_file[i]);
            sim_schemas_free(s);
            return -1;
        }
    }
    *out = s;
    return 0;
}

void sim_schemas_free(sim_schemas *s)
{
    int i;
    if (!s)
        return;
    for (i = 0; i < SIM_SCHEMA_COUNT; i++)
        if (s->s[i])
            xmlSchemaFree(s->s[i]);
    free(s);
}

int sim_schemas_validate(const sim_schemas *s, int which, xmlDocPtr doc, char **msgs, int max)
{
    collect c;
    xmlSchemaValidCtxtPtr vc;
    int rc;
    c.msgs = msgs;
    c.max = max;
    c.n = 0;
    if (!s || which < 0 || which >= SIM_SCHEMA_COUNT)
        return -1;
    vc = xmlSchemaNewValidCtxt(s->s[which]);
    if (!vc)
        return -1;
    xmlSchemaSetValidStructuredErrors(vc, on_error, &c);
    rc = xmlSchemaValidateDoc(vc, doc);
    xmlSchemaFreeValidCtxt(vc);
    if (rc < 0)
        return -1;
    if (rc > 0 && c.n == 0)
        c.n = 1; /* invalid without a reported message */
    return c.n;
}
