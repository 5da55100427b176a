/*
 * token.c - owns the exchange-token cipher (PROTOCOL.md 4): AES-128-ECB with
 * PKCS#7 padding, the 16 ASCII characters of the exchange key used directly
 * as key bytes. The decrypted token is a secret, so every buffer that held
 * it or the key is wiped before it is released, on every path.
 */
#include "crypto/crypto.h"

#include <string.h>

#include <openssl/evp.h>

#include "common/alloc.h"
#include "navoi/navoi.h"

#define AES_BLOCK 16
/* A token of at most NAVOI__TOKEN_MAX bytes pads to at most this much
 * ciphertext; anything longer cannot be a NAV token. */
#define TOKEN_CT_MAX ((NAVOI__TOKEN_MAX / AES_BLOCK + 1) * AES_BLOCK)

static int key_ok(const char *key16)
{
    return key16 && strlen(key16) == AES_BLOCK;
}

int navoi__token_decrypt(const char *b64, size_t b64_len, const char *key16,
                         char out[NAVOI__TOKEN_MAX + 1])
{
    navoi__buf ct = NAVOI__BUF_INIT;
    unsigned char pt[TOKEN_CT_MAX + AES_BLOCK];
    EVP_CIPHER_CTX *ctx = NULL;
    int n1 = 0, n2 = 0, rc, i;

    if (out)
        out[0] = '\0';
    if (!b64 || !out || !key_ok(key16))
        return NAVOI_EINVAL;
    rc = navoi__base64_decode(b64, b64_len, &ct);
    if (rc == NAVOI_EPROTO) {
        rc = NAVOI_ECRYPTO;
        goto out;
    }
    if (rc != NAVOI_OK)
        goto out;
    rc = NAVOI_ECRYPTO;
    if (ct.len == 0 || ct.len % AES_BLOCK != 0 || ct.len > TOKEN_CT_MAX)
        goto out;
    ctx = EVP_CIPHER_CTX_new();
    if (!ctx) {
        rc = NAVOI_ENOMEM;
        goto out;
    }
    /* ECB takes no IV; padding stays on, so DecryptFinal checks PKCS#7
     * (pad byte 1..16, all pad bytes equal) for us. */
    if (EVP_DecryptInit_ex(ctx, EVP_aes_128_ecb(), NULL, (const unsigned char *)key16,
                           NULL) != 1)
        goto out;
    if (EVP_DecryptUpdate(ctx, pt, &n1, (const unsigned char *)ct.data, (int)ct.len) != 1)
        goto out;
    if (EVP_DecryptFinal_ex(ctx, pt + n1, &n2) != 1)
        goto out; /* bad padding: almost always a wrong exchange key */
    if (n1 + n2 <= 0 || n1 + n2 > NAVOI__TOKEN_MAX)
        goto out;
    /* A wrong key passes the padding check about once in 256 tries; the
     * garbage it yields is then caught here, since NAV tokens are plain
     * printable ASCII. */
    for (i = 0; i < n1 + n2; i++)
        if (pt[i] < 0x20 || pt[i] > 0x7e)
            goto out;
    memcpy(out, pt, (size_t)(n1 + n2));
    out[n1 + n2] = '\0';
    rc = NAVOI_OK;
out:
    EVP_CIPHER_CTX_free(ctx); /* cleanses the expanded key schedule */
    navoi__cleanse(pt, sizeof pt);
    navoi__buf_cleanse_free(&ct);
    if (rc != NAVOI_OK)
        navoi__cleanse(out, NAVOI__TOKEN_MAX + 1);
    return rc;
}

int navoi__token_encrypt(const char *token, const char *key16, navoi__buf *b64_out)
{
    unsigned char ct[TOKEN_CT_MAX + AES_BLOCK];
    EVP_CIPHER_CTX *ctx = NULL;
    size_t tlen;
    int n1 = 0, n2 = 0, rc = NAVOI_ECRYPTO;

    if (!token || !b64_out || !key_ok(key16))
        return NAVOI_EINVAL;
    tlen = strlen(token);
    if (tlen == 0 || tlen > NAVOI__TOKEN_MAX)
        return NAVOI_EINVAL;
    ctx = EVP_CIPHER_CTX_new();
    if (!ctx)
        return NAVOI_ENOMEM;
    if (EVP_EncryptInit_ex(ctx, EVP_aes_128_ecb(), NULL, (const unsigned char *)key16,
                           NULL) != 1)
        goto out;
    if (EVP_EncryptUpdate(ctx, ct, &n1, (const unsigned char *)token, (int)tlen) != 1)
        goto out;
    if (EVP_EncryptFinal_ex(ctx, ct + n1, &n2) != 1)
        goto out;
    rc = navoi__base64_encode(ct, (size_t)(n1 + n2), b64_out);
out:
    EVP_CIPHER_CTX_free(ctx);
    navoi__cleanse(ct, sizeof ct);
    return rc;
}
