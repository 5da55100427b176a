/* reqtest.h - helpers shared by the request suites: the compiled schemas
 * (loaded once per test case in the parent process), a namespace-aware
 * infoset comparison, an independent base64 decoder and timestamp
 * converter, and a ready-made envelope. */
#ifndef NAVOI_REQTEST_H
#define NAVOI_REQTEST_H

#include <stddef.h>
#include <stdint.h>

#include <libxml/tree.h>

#include "ops/request.h"
#include "xml/schema.h"

extern navoi__schemas *rt_schemas;

/* Unchecked fixture pair: compile NAV's schemas once before the forks. */
void rt_load_schemas(void);
void rt_free_schemas(void);

/* Asserts that xml validates against schema `which` (message on failure). */
void rt_assert_valid(int which, const char *xml, size_t len);

/* Parses without network or entity expansion; aborts the test on error. */
xmlDocPtr rt_parse(const char *data, size_t len);

/* 1 when both subtrees have the same infoset: namespace URI + local name
 * of elements, attributes (excluding namespace declarations) by URI +
 * name + value, child order, text; comments, processing instructions and
 * whitespace-only text nodes are ignored. why gets the first difference. */
int rt_infoset_equal(const xmlNode *a, const xmlNode *b, char *why, size_t whylen);

/* Base64 decode with OpenSSL's EVP_DecodeBlock (not navoi's code);
 * malloc'd, NUL-terminated. */
char *rt_b64decode(const char *s, size_t len, size_t *out_len);
/* Base64 encode with EVP_EncodeBlock; malloc'd. */
char *rt_b64encode(const void *data, size_t len);

/* "YYYY-MM-DDThh:mm:ss(.mmm)Z" -> ms since epoch, computed here. */
int64_t rt_ms(const char *iso);

/* Upper-case hex SHA3-512 with OpenSSL EVP (independent of src/crypto). */
void rt_sha3_hex(const void *data, size_t len, char out[129]);

/* Software block of NAV's samples and an envelope using it. */
void rt_software(navoi__software *sw);
void rt_envelope(navoi__envelope *e, const navoi__software *sw);

/* Text of the first descendant element with that local name in the api
 * or common namespace, trimmed; malloc'd or NULL. */
char *rt_find_text(const xmlNode *root, const char *local);

#endif
