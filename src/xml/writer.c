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
        size_t k;

        /* Printable ASCII needs no decoding (most of every document). */
        if (s[i] >= 0x20 && s[i] < 0x80) {
            i++;
            chars++;
            continue;
        }
        k = utf8_decode(s + i, len - i, &cp);
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

/* Byte classes of put_escaped(): P copied as is, E an entity (& < > "),
 * R a character reference (tab, LF, CR, DEL), X refused (the other C0
 * controls), U the lead or continuation byte of a UTF-8 sequence. */
enum { P = 0, E, R, X, U };
static const unsigned char g_byte_class[256] = {
    X, X, X, X, X, X, X, X, X, R, R, X, X, R, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    P, P, E, P, P, P, E, P, P, P, P, P, P, P, P, P,
    P, P, P, P, P, P, P, P, P, P, P, P, E, P, E, P,
    P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P,
    P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P,
    P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P,
    P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, R,
    U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, U,
    U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, U,
    U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, U,
    U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, U,
    U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, U,
    U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, U,
    U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, U,
    U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, U,
};

/* 1 when none of the eight bytes at p needs more than copying (class P),
 * tested a word at a time with the bit tricks of "Bit Twiddling Hacks"
 * (haszero/hasless/hasmore), which are exact about whether any byte
 * matches. A 0 only sends the caller to the byte-by-byte path. */
static int plain8(const unsigned char *p)
{
    const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
    uint64_t x, q, a, l, g, bad;

    memcpy(&x, p, 8);
    bad = (x - ones * 0x20) & ~x;              /* a byte below 0x20 */
    bad |= (x + ones * (0x7F - 0x7E)) | x;     /* a byte above 0x7E */
    q = x ^ (ones * '"');
    a = x ^ (ones * '&');
    l = x ^ (ones * '<');
    g = x ^ (ones * '>');
    bad |= (q - ones) & ~q;
    bad |= (a - ones) & ~a;
    bad |= (l - ones) & ~l;
    bad |= (g - ones) & ~g;
    return (bad & high) == 0;
}

static const char *entity(unsigned char c)
{
    switch (c) {
    case '&': return "&amp;";
    case '<': return "&lt;";
    case '>': return "&gt;";
    default: return "&quot;";
    }
}

/* The same escaping for text and attribute values keeps the output
 * independent of context: tab, LF and CR become references so that
 * neither attribute-value normalisation nor end-of-line handling can
 * change them on the receiving side, and DEL and the C1 controls are
 * written as references so the bytes stay printable. Characters that XML
 * 1.0 cannot carry at all are refused, and a refused value leaves no
 * partial output: the buffer is cut back to where the value began.
 * One pass, copying runs of plain bytes at once: request bodies are
 * mostly base64 payload, which never needs escaping (BENCHMARKS.md). */
static void put_escaped(navoi__xw *w, const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text;
    navoi__buf *out = w->out;
    size_t start = out->len, i = 0, run = 0;

    if (navoi__buf_reserve(out, len) != NAVOI_OK)
        return; /* sticky: navoi__xw_status() reports NAVOI_ENOMEM */
    while (i < len) {
        unsigned char c;
        uint32_t cp;
        size_t k = 1;

        while (len - i >= 8 && plain8(s + i))
            i += 8;
        if (i == len)
            break;
        c = s[i];
        cp = c;
        switch (g_byte_class[c]) {
        case P:
            i++;
            continue;
        case E:
        case R:
            break;
        case U:
            k = utf8_decode(s + i, len - i, &cp);
            if (!k || !xml_char(cp))
                goto refuse;
            if (cp > 0x9F) { /* not a C1 control: copied as is */
                i += k;
                continue;
            }
            break;
        default:
            goto refuse;
        }
        navoi__buf_append(out, text + run, i - run);
        if (g_byte_class[c] == E)
            navoi__buf_puts(out, entity(c));
        else
            put_hex_ref(out, cp);
        i += k;
        run = i;
    }
    navoi__buf_append(out, text + run, len - run);
    return;
refuse:
    if (out->data && !out->oom) {
        out->len = start;
        out->data[start] = '\0';
    }
    fail(w, NAVOI_EINVAL);
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

/* 1 for the 64 symbols of the base64 alphabet. A table: a manage request
 * carries about a megabyte of base64 (BENCHMARKS.md). */
static const unsigned char g_b64_symbol[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0,
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

/* xs:base64Binary as NAV hashes it: one line, no whitespace, padded, the
 * length a multiple of four. */
static int canonical_base64(const unsigned char *s, size_t len)
{
    size_t i, body;

    if (!s || len == 0 || len % 4 != 0)
        return 0;
    /* Padding can only be the last one or two characters. */
    body = len;
    if (s[body - 1] == '=')
        body--;
    if (s[body - 1] == '=')
        body--;
    /* Branch-free over blocks of 16, so the common (valid) case runs at
     * table-lookup speed; an invalid symbol zeroes the block's product. */
    for (i = 0; i + 16 <= body; i += 16) {
        unsigned ok = 1;
        size_t k;
        for (k = 0; k < 16; k++)
            ok &= g_b64_symbol[s[i + k]];
        if (!ok)
            return 0;
    }
    for (; i < body; i++)
        if (!g_b64_symbol[s[i]])
            return 0;
    return 1;
}

void navoi__xw_base64n(navoi__xw *w, const char *text, size_t len)
{
    if (!usable(w))
        return;
    if (w->depth == 0 || !canonical_base64((const unsigned char *)text, len)) {
        fail(w, NAVOI_EINVAL);
        return;
    }
    end_start_tag(w);
    /* The alphabet needs no escaping: copied as is. */
    navoi__buf_append(w->out, text, len);
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
