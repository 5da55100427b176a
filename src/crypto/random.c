/*
 * random.c - owns the default randomness source (OpenSSL's CSPRNG). Request
 * ids and anything else unpredictable come from here unless a client
 * installs its own random hook for deterministic tests.
 */
#include "crypto/crypto.h"

#include <limits.h>

#include <openssl/rand.h>

#include "navoi/navoi.h"

int navoi__random_bytes(unsigned char *buf, size_t len)
{
    if (!buf && len)
        return NAVOI_EINVAL;
    while (len) {
        int n = len > INT_MAX ? INT_MAX : (int)len;
        /* RAND_bytes fails only when the CSPRNG cannot be seeded; there is
         * no safe fallback, so the caller gets an error, never weak bytes. */
        if (RAND_bytes(buf, n) != 1)
            return NAVOI_ECRYPTO;
        buf += n;
        len -= (size_t)n;
    }
    return NAVOI_OK;
}
