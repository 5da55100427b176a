/*
 * schema.h - NAV's XSDs compiled once and reused. NAV's xs:import elements
 * carry no schemaLocation, so a wrapper schema importing common, base and
 * then the target (api, data or annul) with absolute locations is compiled
 * from memory (PROTOCOL.md 9).
 */
#ifndef NAVOI_XML_SCHEMA_H
#define NAVOI_XML_SCHEMA_H

#include <stddef.h>

#include <libxml/tree.h>

enum { NAVOI__SCHEMA_API = 0, NAVOI__SCHEMA_DATA, NAVOI__SCHEMA_ANNUL, NAVOI__SCHEMA_COUNT };

typedef struct navoi__schemas navoi__schemas;

/* Loads and compiles the three schemas from dir. NAVOI_OK, NAVOI_EIO
 * (missing file), NAVOI_ESCHEMA (does not compile), NAVOI_ENOMEM.
 * errmsg gets a short reason. */
int navoi__schemas_load(const char *dir, navoi__schemas **out, char *errmsg, size_t errlen);
void navoi__schemas_free(navoi__schemas *s);
/* Validates doc against schema `which`. NAVOI_OK or NAVOI_ESCHEMA with the
 * first error "line N: message" in errmsg. Thread-safe per call (a new
 * validation context each time). */
int navoi__schemas_validate(const navoi__schemas *s, int which, xmlDocPtr doc,
                            char *errmsg, size_t errlen);
/* Same, for raw bytes (parsed with navoi__xml_read). */
int navoi__schemas_validate_mem(const navoi__schemas *s, int which, const char *data,
                                size_t len, char *errmsg, size_t errlen);

#endif
