/*
 * crypto.c - hashes, base64, exchange-token AES and gzip for the
 * simulator. Written directly on OpenSSL EVP and zlib rather than on the
 * library's crypto module on purpose: the simulator is the oracle the
 * client is tested against, so it must not share the client's code.
 */
#include <pthread.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <zlib.h>

#include "sim_internal.h"

static int hash_hex(const EVP_MD *md, const void *p, size_t n, char out[129])
{
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int dl = 0, i;
    static const char hx[] = "0123456789ABCDEF";
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    int ok = c && EVP_DigestInit_ex(c, md, NULL) && EVP_DigestUpdate(c, p, n) &&
             EVP_DigestFinal_ex(c, d, &dl);
    EVP_MD_CTX_free(c);
    if (!ok)
        return -1;
    for (i = 0; i < dl; i++) {
        out[2 * i] = hx[d[i] >> 4];
        out[2 * i + 1] = hx[d[i] & 15];
    }
    out[2 * dl] = '\0';
    return 0;
}

int sim_sha3_512_hex(const void *p, size_t n, char out[129])
{
    return hash_hex(EVP_sha3_512(), p, n, out);
}

int sim_sha512_hex(const void *p, size_t n, char out[129])
{
    return hash_hex(EVP_sha512(), p, n, out);
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void sim_base64_encode(const void *p, size_t n, sim_buf *out)
{
    const unsigned char *s = p;
    size_t i;
    char q[4];
    for (i = 0; i + 2 < n; i += 3) {
        q[0] = b64[s[i] >> 2];
        q[1] = b64[((s[i] & 3) << 4) | (s[i + 1] >> 4)];
        q[2] = b64[((s[i + 1] & 15) << 2) | (s[i + 2] >> 6)];
        q[3] = b64[s[i + 2] & 63];
        sim_buf_add(out, q, 4);
    }
    if (n - i == 1) {
        q[0] = b64[s[i] >> 2];
        q[1] = b64[(s[i] & 3) << 4];
        q[2] = q[3] = '=';
        sim_buf_add(out, q, 4);
    } else if (n - i == 2) {
        q[0] = b64[s[i] >> 2];
        q[1] = b64[((s[i] & 3) << 4) | (s[i + 1] >> 4)];
        q[2] = b64[(s[i + 1] & 15) << 2];
        q[3] = '=';
        sim_buf_add(out, q, 4);
    }
}

/* Decoding table: 0..63, 64 for whitespace, 65 for '=', 255 otherwise
 * (a per-byte strchr() was the simulator's largest cost on big batches). */
static unsigned char g_b64dec[256];
static pthread_once_t g_b64once = PTHREAD_ONCE_INIT;

static void b64dec_init(void)
{
    int i;
    memset(g_b64dec, 255, sizeof g_b64dec);
    for (i = 0; i < 64; i++)
        g_b64dec[(unsigned char)b64[i]] = (unsigned char)i;
    g_b64dec[' '] = g_b64dec['\t'] = g_b64dec['\r'] = g_b64dec['\n'] = 64;
    g_b64dec['='] = 65;
}

int sim_base64_decode(const char *text, size_t n, sim_buf *out)
{
    unsigned char chunk[4096];
    size_t i, count = 0, k = 0;
    unsigned v = 0;
    int bits = 0, pad = 0;
    pthread_once(&g_b64once, b64dec_init);
    for (i = 0; i < n; i++) {
        unsigned d = g_b64dec[(unsigned char)text[i]];
        if (d == 64)
            continue;
        count++;
        if (d == 65) {
            pad++;
            continue;
        }
        if (pad || d > 63)
            return -1; /* data after padding, or not base64 */
        v = (v << 6) | d;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            chunk[k++] = (unsigned char)(v >> bits);
            if (k == sizeof chunk) {
                sim_buf_add(out, chunk, k);
                k = 0;
            }
        }
    }
    if (k)
        sim_buf_add(out, chunk, k);
    if (count % 4 != 0 || pad > 2)
        return -1;
    return out->oom ? -1 : 0;
}

int sim_token_encrypt(const char *token, const char *key16, sim_buf *out)
{
    unsigned char ct[128];
    int l1 = 0, l2 = 0, ok;
    size_t tl = strlen(token);
    EVP_CIPHER_CTX *c;
    if (tl > 64 || strlen(key16) != 16)
        return -1;
    c = EVP_CIPHER_CTX_new();
    ok = c && EVP_EncryptInit_ex(c, EVP_aes_128_ecb(), NULL, (const unsigned char *)key16, NULL) &&
         EVP_EncryptUpdate(c, ct, &l1, (const unsigned char *)token, (int)tl) &&
         EVP_EncryptFinal_ex(c, ct + l1, &l2);
    EVP_CIPHER_CTX_free(c);
    if (!ok)
        return -1;
    sim_base64_encode(ct, (size_t)(l1 + l2), out);
    OPENSSL_cleanse(ct, sizeof ct);
    return out->oom ? -1 : 0;
}

int sim_token_decrypt(const char *b64text, const char *key16, char *out, size_t outlen)
{
    sim_buf ct = {0};
    unsigned char pt[160];
    int l1 = 0, l2 = 0, ok;
    EVP_CIPHER_CTX *c;
    if (sim_base64_decode(b64text, strlen(b64text), &ct) != 0 || ct.len == 0 || ct.len > 128 ||
        strlen(key16) != 16) {
        sim_buf_free(&ct);
        return -1;
    }
    c = EVP_CIPHER_CTX_new();
    ok = c && EVP_DecryptInit_ex(c, EVP_aes_128_ecb(), NULL, (const unsigned char *)key16, NULL) &&
         EVP_DecryptUpdate(c, pt, &l1, (const unsigned char *)ct.data, (int)ct.len) &&
         EVP_DecryptFinal_ex(c, pt + l1, &l2);
    EVP_CIPHER_CTX_free(c);
    sim_buf_free(&ct);
    if (!ok || (size_t)(l1 + l2) >= outlen) {
        OPENSSL_cleanse(pt, sizeof pt);
        return -1;
    }
    memcpy(out, pt, (size_t)(l1 + l2));
    out[l1 + l2] = '\0';
    OPENSSL_cleanse(pt, sizeof pt);
    return 0;
}

int sim_gunzip(const void *p, size_t n, size_t max, sim_buf *out)
{
    z_stream z;
    unsigned char tmp[16384];
    int rc;
    memset(&z, 0, sizeof z);
    if (n < 18 || ((const unsigned char *)p)[0] != 0x1f || ((const unsigned char *)p)[1] != 0x8b)
        return -1;
    if (inflateInit2(&z, 15 + 16) != Z_OK)
        return -1;
    z.next_in = (Bytef *)(uintptr_t)p;
    z.avail_in = (uInt)n;
    do {
        z.next_out = tmp;
        z.avail_out = sizeof tmp;
        rc = inflate(&z, Z_NO_FLUSH);
        if (rc != Z_OK && rc != Z_STREAM_END) {
            inflateEnd(&z);
            return -1;
        }
        sim_buf_add(out, tmp, sizeof tmp - z.avail_out);
        if (out->len > max) {
            inflateEnd(&z);
            return -2;
        }
        if (rc == Z_OK && z.avail_in == 0 && z.avail_out != 0) {
            inflateEnd(&z); /* truncated stream */
            return -1;
        }
    } while (rc != Z_STREAM_END);
    inflateEnd(&z);
    return out->oom ? -1 : 0;
}

int sim_gzip(const void *p, size_t n, sim_buf *out)
{
    z_stream z;
    unsigned char tmp[16384];
    int rc;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return -1;
    z.next_in = (Bytef *)(uintptr_t)p;
    z.avail_in = (uInt)n;
    do {
        z.next_out = tmp;
        z.avail_out = sizeof tmp;
        rc = deflate(&z, Z_FINISH);
        sim_buf_add(out, tmp, sizeof tmp - z.avail_out);
    } while (rc == Z_OK);
    deflateEnd(&z);
    return rc == Z_STREAM_END && !out->oom ? 0 : -1;
}

void sim_random_alnum(char *out, size_t n)
{
    static const char al[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    size_t i;
    for (i = 0; i < n; i++) {
        unsigned char b;
        do {
            if (RAND_bytes(&b, 1) != 1)
                b = (unsigned char)(i * 7 + 3);
        } while (b >= 252); /* 252 = 7 * 36: no modulo bias */
        out[i] = al[b % 36];
    }
    out[n] = '\0';
}

void sim_uuid(char out[37])
{
    unsigned char r[16];
    static const char hx[] = "0123456789abcdef";
    int i, o = 0;
    if (RAND_bytes(r, sizeof r) != 1)
        memset(r, 0x5a, sizeof r);
    r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);
    r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
    for (i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hx[r[i] >> 4];
        out[o++] = hx[r[i] & 15];
    }
    out[o] = '\0';
}
