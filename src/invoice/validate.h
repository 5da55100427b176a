/*
 * validate.h - the pre-submission validator on an already parsed
 * InvoiceData document (navoi_validate() and navoi_validate_xml() are the
 * public entry points; the outbox can call this one on a document it
 * parsed anyway).
 */
#ifndef NAVOI_INVOICE_VALIDATE_H
#define NAVOI_INVOICE_VALIDATE_H

#include <libxml/tree.h>

#include "navoi/navoi.h"

/* Appends the findings for doc to f. operation 0 = infer (MODIFY when an
 * invoiceReference is present). NAVOI_OK or NAVOI_ENOMEM. */
int navoi__validate_doc(navoi_client *c, xmlDocPtr doc, int operation, navoi_findings *f);

#endif
