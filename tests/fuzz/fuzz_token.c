/*
 * fuzz_token.c - encodedExchangeToken decryption (base64, AES-128-ECB,
 * PKCS#7 padding, printable-ASCII check). The first 16 bytes are the
 * exchange key, the rest is the base64 text NAV would send.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "crypto/crypto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char key[17];
    char out[NAVOI__TOKEN_MAX + 1];

    if (size < 16)
        return 0;
    memcpy(key, data, 16);
    key[16] = '\0';
    (void)navoi__token_decrypt((const char *)data + 16, size - 16, key, out);
    return 0;
}
