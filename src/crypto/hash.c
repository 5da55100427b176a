/*
 * hash.c - owns the digest primitives (SHA-512, SHA3-512, SHA-256 as
 * upper-case hex) and the taxpayer-id check digit. Everything else in navoi
 * that needs a digest comes through here, so the EVP plumbing lives in one
 * place.
 */
#include "crypto/crypto.h"

#include <openssl/evp.h>

#include "common/alloc.h"
#include "navoi/navoi.h"

/* NAV compares hex digests case-sensitively and always sends upper case. */
static void to_hex_upper(const unsigned char *d, size_t n, char *out)
{
    static const char digits[] = "0123456789ABCDEF";
    size_t i;

    for (i = 0; i < n; i++) {
        out[2 * i] = digits[d[i] >> 4];
        out[2 * i + 1] = digits[d[i] & 0x0f];
    }
    out[2 * n] = '\0';
}

static int digest_hex(const EVP_MD *md, size_t want, const void *data, size_t len,
                      char *out)
{
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int dlen = 0;
    int rc = NAVOI_ENOMEM;

    out[0] = '\0';
    /* EVP_Digest only fails when OpenSSL cannot allocate its context (or
     * the algorithm is unavailable, which the build does not allow). */
    if (!md || EVP_Digest(data ? data : "", len, d, &dlen, md, NULL) != 1)
        goto out;
    if (dlen != want)
        goto out;
    to_hex_upper(d, dlen, out);
    rc = NAVOI_OK;
out:
    /* The input can be a secret (partial string with the signing key,
     * password); its digest is not, but wiping the stack copy is free. */
    navoi__cleanse(d, sizeof d);
    return rc;
}

int navoi__sha3_512_hex2(const void *a, size_t alen, const void *b, size_t blen,
                         char out[NAVOI__SHA3_512_HEX_LEN + 1])
{
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int dlen = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int rc = NAVOI_ENOMEM;

    out[0] = '\0';
    if (!ctx)
        return NAVOI_ENOMEM;
    if (EVP_DigestInit_ex(ctx, EVP_sha3_512(), NULL) != 1 ||
        EVP_DigestUpdate(ctx, a ? a : "", alen) != 1 ||
        EVP_DigestUpdate(ctx, b ? b : "", blen) != 1 ||
        EVP_DigestFinal_ex(ctx, d, &dlen) != 1 || dlen != NAVOI__SHA3_512_HEX_LEN / 2)
        goto out;
    to_hex_upper(d, dlen, out);
    rc = NAVOI_OK;
out:
    EVP_MD_CTX_free(ctx);
    navoi__cleanse(d, sizeof d);
    return rc;
}

int navoi__sha512_hex(const void *data, size_t len, char out[NAVOI__SHA512_HEX_LEN + 1])
{
    return digest_hex(EVP_sha512(), NAVOI__SHA512_HEX_LEN / 2, data, len, out);
}

int navoi__sha3_512_hex(const void *data, size_t len, char out[NAVOI__SHA3_512_HEX_LEN + 1])
{
    return digest_hex(EVP_sha3_512(), NAVOI__SHA3_512_HEX_LEN / 2, data, len, out);
}

int navoi__sha256_hex(const void *data, size_t len, char out[NAVOI__SHA256_HEX_LEN + 1])
{
    return digest_hex(EVP_sha256(), NAVOI__SHA256_HEX_LEN / 2, data, len, out);
}

/* The weights are not in NAV's specification (see vectors.json
 * taxpayerIdCheckDigit); callers treat a failure as a warning only. */
int navoi__taxpayer_check_digit_ok(const char *eight_digits)
{
    static const int weights[7] = {9, 7, 3, 1, 9, 7, 3};
    int i, sum = 0;

    if (!eight_digits)
        return 0;
    for (i = 0; i < 8; i++)
        if (eight_digits[i] < '0' || eight_digits[i] > '9')
            return 0;
    if (eight_digits[8] != '\0')
        return 0;
    for (i = 0; i < 7; i++)
        sum += (eight_digits[i] - '0') * weights[i];
    return (10 - sum % 10) % 10 == eight_digits[7] - '0';
}
