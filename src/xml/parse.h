/*
 * parse.h - the one way navoi reads untrusted XML: no network, no DTD
 * loading, no entity expansion (documents with a DOCTYPE are refused
 * outright, which also stops billion-laughs), bounded size and depth.
 * Helpers match elements by namespace URI and local name.
 */
#ifndef NAVOI_XML_PARSE_H
#define NAVOI_XML_PARSE_H

#include <stddef.h>

#include <libxml/tree.h>

#define NAVOI__XML_MAX_DEPTH 64
#define NAVOI__XML_MAX_BYTES (64u * 1024u * 1024u)

/* Parses data into *out. NAVOI_OK, NAVOI_EXML (not well-formed, DOCTYPE,
 * too deep), NAVOI_ETOOBIG, NAVOI_ENOMEM. When errmsg is not NULL it gets a
 * short description with the line number. */
int navoi__xml_read(const char *data, size_t len, xmlDocPtr *out, char *errmsg,
                    size_t errlen);

/* 1 if n is an element with that namespace (NULL = any) and local name. */
int navoi__xml_is(const xmlNode *n, const char *ns, const char *name);
/* First element child of parent matching ns/name (name NULL = any element). */
xmlNodePtr navoi__xml_child(const xmlNode *parent, const char *ns, const char *name);
/* Next element sibling after n matching ns/name (name NULL = any element). */
xmlNodePtr navoi__xml_next(const xmlNode *n, const char *ns, const char *name);
/* Text content, whitespace-trimmed, allocated with navoi__malloc; NULL on OOM.
 * A NULL node gives NULL. */
char *navoi__xml_text(const xmlNode *n);
/* Text of the first child matching ns/name, or NULL if absent or OOM;
 * *oom_out (optional) tells the two apart. */
char *navoi__xml_child_text(const xmlNode *parent, const char *ns, const char *name,
                            int *oom_out);

#endif
