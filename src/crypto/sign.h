/*
 * sign.h - NAV's passwordHash and requestSignature (PROTOCOL.md 3.1-3.2):
 *   partial   = requestId + mask(timestamp) + signKey
 *   simple    = SHA3-512(partial)
 *   indexed   = SHA3-512(partial + H(op1 + data1) + ... + H(opN + dataN))
 * with H = upper-case hex SHA3-512 and mask = YYYYMMDDhhmmss of the header
 * timestamp exactly as sent.
 */
#ifndef NAVOI_CRYPTO_SIGN_H
#define NAVOI_CRYPTO_SIGN_H

#include <stddef.h>

#define NAVOI__HASH_HEX_LEN 128

/* mask of a header timestamp matching GenericTimestampType
 * (\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z): 14 digits + NUL.
 * NAVOI_EINVAL when the timestamp does not match the pattern. */
int navoi__timestamp_mask(const char *timestamp, char out[15]);

/* One signed item of a manage request: operation text ("CREATE", "MODIFY",
 * "STORNO", "ANNUL") and the base64 text exactly as sent. */
typedef struct navoi__sign_item {
    const char *operation;
    const char *data;
    size_t data_len;
} navoi__sign_item;

/* H(operation + data) into out. */
int navoi__index_hash(const navoi__sign_item *item, char out[NAVOI__HASH_HEX_LEN + 1]);

/* requestSignature: simple when n == 0 and items == NULL, indexed otherwise.
 * NAVOI_OK, NAVOI_EINVAL (bad timestamp), NAVOI_ENOMEM. The partial string,
 * which contains the signing key, is wiped. */
int navoi__request_signature(const char *request_id, const char *timestamp,
                             const char *sign_key, const navoi__sign_item *items,
                             size_t n, char out[NAVOI__HASH_HEX_LEN + 1]);

/* passwordHash = upper-case hex SHA-512 of the UTF-8 password. */
int navoi__password_hash(const char *password, char out[NAVOI__HASH_HEX_LEN + 1]);

#endif
