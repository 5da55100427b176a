/* invtest.h - helpers of the invoice suites (public API only): clients
 * with NAV's schemas and a fixed clock, validation shortcuts, text edits
 * of documents, and a small builder-made base invoice. */
#ifndef NAVOI_INVTEST_H
#define NAVOI_INVTEST_H

#include <stddef.h>

#include <navoi/navoi.h>

/* 2024-06-01T12:00:00Z (date -u -d 2024-06-01T12:00:00Z +%s = 1717243200). */
#define IT_NOW_MS INT64_C(1717243200000)

/* A client with tax number 99999999 (the supplier of NAV's samples), the
 * fixed clock above and, when schemas is non-zero, NAV's XSDs. */
navoi_client *it_client(int schemas);
/* Validates xml; asserts the call succeeds. */
navoi_findings *it_validate(navoi_client *c, const char *xml, int op);
/* Asserts that the findings' codes are exactly `codes` (NULL-terminated,
 * order ignored, repeats counted); prints every finding on mismatch. */
void it_expect(const navoi_findings *f, const char *const *codes, const char *what);
/* Shortcut: validate and expect exactly one finding with this code. */
void it_expect_one(navoi_client *c, const char *xml, int op, const char *code, const char *what);
/* 1 if some finding has this code (and, when path is not NULL, this path). */
int it_has(const navoi_findings *f, const char *code, const char *path);
/* New string with the nth (1-based; 0 = every) occurrence of old replaced;
 * asserts there is one. free() it. */
char *it_replace(const char *s, const char *old, const char *with, int nth);
/* New string without the first from...to span (to included). */
char *it_cut(const char *s, const char *from, const char *to);
/* NAV sample text (samples/data/<name>); free() it. */
char *it_sample(const char *name);
/* XML of a built invoice (malloc'd copy). */
char *it_xml(const navoi_invoice *inv);
/* Supplier 99999999-2-41 "Értékesítő Kft" of NAV's samples on b. */
void it_supplier(navoi_invoice_builder *b);
/* A one-line NORMAL HUF invoice to a domestic customer: 2 x 1000 at 27 %. */
navoi_invoice_builder *it_base_builder(const char *number);
/* Builds b as op with client c (asserting success) and returns its XML. */
char *it_build_xml(navoi_invoice_builder *b, navoi_client *c, int op);

#endif
