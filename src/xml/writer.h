/*
 * writer.h - the canonical XML builder. Output is deterministic: no
 * indentation or insignificant whitespace, attributes in call order,
 * UTF-8, declaration <?xml version="1.0" encoding="UTF-8"?>, text and
 * attribute values escaped (& < > " and control characters as &#xN;).
 * "Control characters" are tab, LF, CR, DEL and U+0080..U+009F; the other
 * C0 controls cannot appear in an XML 1.0 document even as references and
 * are refused with NAVOI_EINVAL, like invalid UTF-8.
 * Errors are sticky: check navoi__xw_status() once at the end.
 */
#ifndef NAVOI_XML_WRITER_H
#define NAVOI_XML_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

#define NAVOI__XW_MAX_DEPTH 32

typedef struct navoi__xw {
    navoi__buf *out;
    const char *stack[NAVOI__XW_MAX_DEPTH]; /* open element names (borrowed) */
    int depth;
    int open_tag;  /* 1 while the start tag is unterminated (attributes allowed) */
    int err;       /* first error: NAVOI_ENOMEM or NAVOI_EINVAL */
} navoi__xw;

void navoi__xw_init(navoi__xw *w, navoi__buf *out);
void navoi__xw_declaration(navoi__xw *w);
/* Opens <name>; name may carry a prefix ("common:header") and must stay
 * valid until the matching close. */
void navoi__xw_open(navoi__xw *w, const char *name);
/* Adds an attribute to the element just opened. */
void navoi__xw_attr(navoi__xw *w, const char *name, const char *value);
void navoi__xw_close(navoi__xw *w);
/* Escaped text inside the current element. Invalid UTF-8 -> NAVOI_EINVAL. */
void navoi__xw_text(navoi__xw *w, const char *text);
void navoi__xw_textn(navoi__xw *w, const char *text, size_t len);
/* xs:base64Binary text in the one-line form NAV hashes (alphabet A-Z a-z
 * 0-9 + /, padding only at the end, length a multiple of 4, not empty),
 * copied without escaping; anything else is NAVOI_EINVAL. */
void navoi__xw_base64n(navoi__xw *w, const char *text, size_t len);
/* <name>text</name> */
void navoi__xw_elem(navoi__xw *w, const char *name, const char *text);
void navoi__xw_elem_i64(navoi__xw *w, const char *name, int64_t v);
/* <name>text</name> only when text is not NULL. */
void navoi__xw_elem_opt(navoi__xw *w, const char *name, const char *text);
int navoi__xw_status(const navoi__xw *w);
/* Status for a finished document: as navoi__xw_status(), and
 * NAVOI_EINVAL unless exactly one root element was opened and closed. */
int navoi__xw_finish(const navoi__xw *w);
/* NAVOI_OK if text[0..len) is valid UTF-8 (RFC 3629: no overlongs,
 * surrogates or values above U+10FFFF) made only of characters XML 1.0 can
 * carry (so no C0 controls other than tab, LF, CR, and no U+FFFE/U+FFFF),
 * else NAVOI_EINVAL. nchars_out (optional) receives the number of
 * characters, which is what XSD length facets count. */
int navoi__xw_check_text(const char *text, size_t len, size_t *nchars_out);

#endif
