/*
 * base64.c - owns RFC 4648 base64 as NAV uses it: encoding on one line (the
 * request signature hashes the text exactly as sent, so no line breaks may
 * appear), strict decoding that only tolerates ASCII whitespace (NAV and
 * XML pretty-printers wrap long values).
 */
#include "crypto/crypto.h"

#include <pthread.h>
#include <string.h>

#include "navoi/navoi.h"

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* The two symbols of every 12-bit value: encoding then takes two lookups
 * per three bytes instead of four, which made it about 1.5x faster than
 * OpenSSL's EVP_EncodeBlock (BENCHMARKS.md). Filled once, read-only after. */
static char g_pairs[4096][2];
static pthread_once_t g_pairs_once = PTHREAD_ONCE_INIT;

static void pairs_init(void)
{
    unsigned i;
    for (i = 0; i < 4096; i++) {
        g_pairs[i][0] = b64_alphabet[i >> 6];
        g_pairs[i][1] = b64_alphabet[i & 63];
    }
}

int navoi__base64_encode(const void *data, size_t len, navoi__buf *out)
{
    const unsigned char *p = data;
    size_t i, olen;
    char *o;
    int rc;

    if (!out || (!data && len))
        return NAVOI_EINVAL;
    if (len / 3 >= ((size_t)-1 - 8) / 4)
        return NAVOI_ENOMEM;
    olen = (len + 2) / 3 * 4;
    rc = navoi__buf_reserve(out, olen);
    if (rc != NAVOI_OK)
        return rc;
    if (pthread_once(&g_pairs_once, pairs_init) != 0)
        return NAVOI_ENOMEM;
    o = out->data + out->len;
    for (i = 0; i + 2 < len; i += 3) {
        unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];
        memcpy(o, g_pairs[v >> 12], 2);
        memcpy(o + 2, g_pairs[v & 4095], 2);
        o += 4;
    }
    if (len - i == 1) {
        unsigned v = (unsigned)p[i] << 16;
        *o++ = b64_alphabet[v >> 18];
        *o++ = b64_alphabet[(v >> 12) & 63];
        *o++ = '=';
        *o++ = '=';
    } else if (len - i == 2) {
        unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8;
        *o++ = b64_alphabet[v >> 18];
        *o++ = b64_alphabet[(v >> 12) & 63];
        *o++ = b64_alphabet[(v >> 6) & 63];
        *o++ = '=';
    }
    out->len += olen;
    out->data[out->len] = '\0';
    return NAVOI_OK;
}

static int is_ascii_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Table-free on purpose: no locale-dependent ctype, no 256-byte table to
 * keep in sync with the alphabet. */
static int b64_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

int navoi__base64_decode(const char *text, size_t len, navoi__buf *out)
{
    size_t i, start_len;
    unsigned quad[4];
    int q = 0, pad = 0, rc;

    if (!out || (!text && len))
        return NAVOI_EINVAL;
    start_len = out->len;
    rc = navoi__buf_reserve(out, len / 4 * 3 + 3);
    if (rc != NAVOI_OK)
        return rc;
    for (i = 0; i < len; i++) {
        char c = text[i];
        int v;

        if (is_ascii_space(c))
            continue;
        if (c == '=') {
            /* Padding only completes the last quantum: "xx==" or "xxx=". */
            if (q < 2)
                goto bad;
            pad++;
            quad[q++] = 0;
        } else {
            if (pad)
                goto bad; /* data after padding */
            v = b64_value(c);
            if (v < 0)
                goto bad;
            quad[q++] = (unsigned)v;
        }
        if (q == 4) {
            unsigned v24 = quad[0] << 18 | quad[1] << 12 | quad[2] << 6 | quad[3];
            char *o = out->data + out->len;

            if (pad == 2 && quad[1] & 0x0f)
                goto bad;
            if (pad == 1 && quad[2] & 0x03)
                goto bad;
            o[0] = (char)(v24 >> 16);
            if (pad < 2)
                o[1] = (char)(v24 >> 8 & 0xff);
            if (pad < 1)
                o[2] = (char)(v24 & 0xff);
            out->len += (size_t)(3 - pad);
            q = 0;
            /* pad stays set: any further symbol, even '=', is an error. */
        }
    }
    /* Unused bits after the last symbol must be zero (checked above): that
     * is the canonical form xs:base64Binary demands, and it keeps one byte
     * string from having several accepted encodings. */
    if (q != 0)
        goto bad;
    out->data[out->len] = '\0';
    return NAVOI_OK;
bad:
    out->len = start_len;
    out->data[out->len] = '\0';
    return NAVOI_EPROTO;
}
