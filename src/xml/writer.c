/*
 * writer.c - the canonical XML builder behind every request and payload
 * navoi sends. It owns the byte-level form: one declaration, no
 * indentation, attributes in call order, empty elements as <a></a> (the
 * C14N form), and the escaping rules below. Errors are sticky so the
 * request builders can write a whole document and check once.
 */
#include "xml/writer.h"

#include <string.h>

#include "navoi/navoi.h"

static void fail(navoi__xw *w, int code)
{
    if (!w->err)
        w->err = code;
}

static int usable(const navoi__xw *w)
{
    return w->err == 0 && !w->out->oom;
}

/* Names come from builder code, never from callers' data, but a bad one
 * would silently produce broken markup, so they are checked against a
 * conservative ASCII subset of the XML Name production. */
static int valid_name(const char *name)
{
    const char *p;

    if (!name || !*name)
        return 0;
    if (!((*name >= 'A' && *name <= 'Z') || (*name >= 'a' && *name <= 'z') || *name == '_'))
        return 0;
    for (p = name + 1; *p; p++) {
        char c = *p;
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.' || c == ':'))
            return 0;
    }
    return 1;
}

/* Decodes one UTF-8 sequence at s (n bytes left). Returns its length and
 * the code point in *cp, or 0 for anything RFC 3629 forbids: overlong
 * forms, surrogates, values above U+10FFFF, truncated sequences. */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    uint32_t c = s[0];
    size_t len, i;
    uint32_t min;

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        c &= 0x1F;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        c &= 0x0F;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        c &= 0x07;
        min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return len;
}

/* XML 1.0 Char production: what a document may carry at all, even as a
 * character reference. */
static int xml_char(uint32_t c)
{
    if (c < 0x20)
        return c == 0x9 || c == 0xA || c == 0xD;
    if (c >= 0xD800 && c <= 0xDFFF)
        return 0;
    return c != 0xFFFE && c != 0xFFFF;
}

int navoi__xw_check_text(const char *text, size_t len, size_t *nchars_out)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0, chars = 0;

    if (!text && len)
        return NAVOI_EINVAL;
    while (i < len) {
        uint32_t cp;
        size_t k = utf8_decode(s + i, len - i, &cp);
        if (!k || !xml_char(cp))
            return NAVOI_EINVAL;
        i += k;
        chars++;
    }
    if (nchars_out)
        *nchars_out = chars;
    return NAVOI_OK;
}

static void put_hex_ref(navoi__buf *b, uint32_t cp)
{
    static const char hex[] = "0123456789ABCDEF";
    char tmp[8];
    size_t i = sizeof tmp;

    do {
        tmp[--i] = hex[cp & 0xF];
        cp >>= 4;
    } while (cp);
    navoi__buf_puts(b, "&#x");
    navoi__buf_append(b, tmp + i, sizeof tmp - i);
    navoi__buf_putc(b, ';');
}

/* The same escaping for text and attribute values keeps the output
 * independent of context: tab, LF and CR become references so that
 * neither attribute-value normalisation nor end-of-line handling can
 * change them on the receiving side, and DEL and the C1 controls are
 * written as references so the bytes stay printable. Characters that XML
 * 1.0 cannot carry at all are refused. The text is checked completely
 * before anything is written so a refused value leaves no partial output. */
static void put_escaped(navoi__xw *w, const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0, run = 0;

    if (navoi__xw_check_text(text, len, NULL) != NAVOI_OK) {
        fail(w, NAVOI_EINVAL);
        return;
    }
    while (i < len) {
        uint32_t cp;
        size_t k = utf8_decode(s + i, len - i, &cp);
        const char *rep = NULL;

        switch (cp) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        default:
            break;
        }
        if (rep || cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) {
            navoi__buf_append(w->out, text + run, i - run);
            if (rep)
                navoi__buf_puts(w->out, rep);
            else
                put_hex_ref(w->out, cp);
            run = i + k;
        }
        i += k;
    }
    navoi__buf_append(w->out, text + run, len - run);
}

/* Ends an unterminated start tag before content is added. */
static void end_start_tag(navoi__xw *w)
{
    if (w->open_tag) {
        navoi__buf_putc(w->out, '>');
        w->open_tag = 0;
    }
}

void navoi__xw_init(navoi__xw *w, navoi__buf *out)
{
    memset(w, 0, sizeof *w);
    w->out = out;
}

void navoi__xw_declaration(navoi__xw *w)
{
    if (!usable(w))
        return;
    /* Only before the root element: stack[0] stays set once a root opened. */
    if (w->depth != 0 || w->stack[0] != NULL) {
        fail(w, NAVOI_EINVAL);
        return;
    }
    navoi__buf_puts(w->out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
}

void navoi__xw_open(navoi__xw *w, const char *name)
{
    if (!usable(w))
        return;
    if (!valid_name(name)) {
        fail(w, NAVOI_EINVAL);
        return;
    }
    /* One root only: stack[0] keeps the (never dereferenced) pointer of a
     * closed root, which tells a second root apart from the first. */
    if (w->depth == 0 && w->stack[0] != NULL) {
        fail(w, NAVOI_EINVAL);
        return;
    }
    if (w->depth >= NAVOI__XW_MAX_DEPTH) {
        fail(w, NAVOI_EINVAL);
        return;
    }
    end_start_tag(w);
    navoi__buf_putc(w->out, '<');
    navoi__buf_puts(w->out, name);
    w->stack[w->depth++] = name;
    w->open_tag = 1;
}

void navoi__xw_attr(navoi__xw *w, const char *name, const char *value)
{
    if (!usable(w))
        return;
    if (!w->open_tag || !valid_name(name) || !value) {
        fail(w, NAVOI_EINVAL);
        return;
    }
    navoi__buf_putc(w->out, ' ');
    navoi__buf_puts(w->out, name);
    navoi__buf_puts(w->out, "=\"");
    put_escaped(w, value, strlen(value));
    navoi__buf_putc(w->out, '"');
}

void navoi__xw_close(navoi__xw *w)
{
    if (!usable(w))
        return;
    if (w->depth == 0) {
        fail(w, NAVOI_EINVAL);
        return;
    }
    end_start_tag(w);
    w->depth--;
    navoi__buf_puts(w->out, "</");
    navoi__buf_puts(w->out, w->stack[w->depth]);
    navoi__buf_putc(w->out, '>');
}

void navoi__xw_textn(navoi__xw *w, const char *text, size_t len)
{
    if (!usable(w))
        return;
    if (w->depth == 0 || (!text && len)) {
        fail(w, NAVOI_EINVAL);
        return;
    }
    end_start_tag(w);
    put_escaped(w, text, len);
}

void navoi__xw_text(navoi__xw *w, const char *text)
{
    if (!text) {
        fail(w, NAVOI_EINVAL);
        return;
    }
    navoi__xw_textn(w, text, strlen(text));
}

void navoi__xw_elem(navoi__xw *w, const char *name, const char *text)
{
    if (!text) {
        fail(w, NAVOI_EINVAL);
        return;
    }
    navoi__xw_open(w, name);
    navoi__xw_text(w, text);
    navoi__xw_close(w);
}

void navoi__xw_elem_i64(navoi__xw *w, const char *name, int64_t v)
{
    navoi__xw_open(w, name);
    if (usable(w)) {
        end_start_tag(w);
        navoi__buf_put_i64(w->out, v);
    }
    navoi__xw_close(w);
}

void navoi__xw_elem_opt(navoi__xw *w, const char *name, const char *text)
{
    if (text)
        navoi__xw_elem(w, name, text);
}

int navoi__xw_status(const navoi__xw *w)
{
    if (w->err)
        return w->err;
    return navoi__buf_status(w->out);
}

int navoi__xw_finish(const navoi__xw *w)
{
    int rc = navoi__xw_status(w);

    if (rc != NAVOI_OK)
        return rc;
    /* A document is complete only once its root has been opened and closed. */
    if (w->depth != 0 || w->stack[0] == NULL)
        return NAVOI_EINVAL;
    return NAVOI_OK;
}
