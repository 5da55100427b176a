/*
 * fingerprint.h - a digest of an XML document's content that does not
 * depend on its serialisation (namespace prefixes and declarations,
 * attribute order, indentation); see fingerprint.c.
 */
#ifndef NAVOI_XML_FINGERPRINT_H
#define NAVOI_XML_FINGERPRINT_H

#include <stddef.h>

#define NAVOI__XML_FINGERPRINT_LEN 64 /* upper-case hex SHA-256 */

/* Parses data (hardened, see parse.h) and writes its fingerprint to out.
 * NAVOI_OK, NAVOI_EXML (not well-formed, or an element with more than 64
 * attributes), NAVOI_ETOOBIG, NAVOI_ENOMEM. */
int navoi__xml_fingerprint(const char *data, size_t len,
                           char out[NAVOI__XML_FINGERPRINT_LEN + 1]);

#endif
