/*
 * sign.c - owns NAV's request authentication values (PROTOCOL.md 3.1-3.2):
 * the timestamp mask, index hashes, requestSignature and passwordHash. The
 * partial string contains the signing key, so it is only ever built in a
 * navoi__buf that is wiped before release.
 */
#include "crypto/sign.h"

#include <string.h>

#include "common/alloc.h"
#include "common/buf.h"
#include "crypto/crypto.h"
#include "crypto/timefmt.h"
#include "navoi/navoi.h"

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

int navoi__timestamp_mask(const char *timestamp, char out[15])
{
    /* Shape of GenericTimestampType: D = digit, other characters literal. */
    static const char shape[] = "DDDD-DD-DDTDD:DD:DD";
    const char *p;
    int64_t ms;
    size_t i, o = 0, nfrac = 0;

    out[0] = '\0';
    if (!timestamp)
        return NAVOI_EINVAL;
    for (i = 0; i < sizeof shape - 1; i++) {
        char c = timestamp[i];
        if (shape[i] == 'D' ? !is_digit(c) : c != shape[i])
            goto bad;
        if (shape[i] == 'D')
            out[o++] = c;
    }
    p = timestamp + i;
    if (*p == '.') {
        for (p++; is_digit(*p); p++)
            nfrac++;
        if (nfrac < 1 || nfrac > 3)
            goto bad;
    }
    if (p[0] != 'Z' || p[1] != '\0')
        goto bad;
    /* The pattern restricts xs:dateTime, so the value must also be a real
     * instant (no month 13, no 25 o'clock). */
    if (navoi__parse_datetime(timestamp, &ms) != NAVOI_OK)
        goto bad;
    out[o] = '\0';
    return NAVOI_OK;
bad:
    out[0] = '\0';
    return NAVOI_EINVAL;
}

int navoi__index_hash(const navoi__sign_item *item, char out[NAVOI__HASH_HEX_LEN + 1])
{
    out[0] = '\0';
    if (!item || !item->operation || (!item->data && item->data_len))
        return NAVOI_EINVAL;
    /* Hashed in two parts: no copy of the (up to 10 MB) payload. */
    return navoi__sha3_512_hex2(item->operation, strlen(item->operation), item->data,
                                item->data_len, out);
}

int navoi__request_signature(const char *request_id, const char *timestamp,
                             const char *sign_key, const navoi__sign_item *items,
                             size_t n, char out[NAVOI__HASH_HEX_LEN + 1])
{
    navoi__buf partial = NAVOI__BUF_INIT;
    char mask[15];
    char ih[NAVOI__HASH_HEX_LEN + 1];
    size_t i;
    int rc;

    out[0] = '\0';
    if (!request_id || !sign_key || (n && !items))
        return NAVOI_EINVAL;
    if (n > ((size_t)-1 / 2) / NAVOI__HASH_HEX_LEN)
        return NAVOI_ENOMEM;
    rc = navoi__timestamp_mask(timestamp, mask);
    if (rc != NAVOI_OK)
        return rc;
    /* One reservation up front: a realloc would leave an unwiped copy of
     * the signing key in freed memory. */
    rc = navoi__buf_reserve(&partial, strlen(request_id) + 14 + strlen(sign_key) +
                                          n * NAVOI__HASH_HEX_LEN);
    if (rc != NAVOI_OK)
        goto out;
    navoi__buf_puts(&partial, request_id);
    navoi__buf_puts(&partial, mask);
    navoi__buf_puts(&partial, sign_key);
    for (i = 0; i < n; i++) {
        rc = navoi__index_hash(&items[i], ih);
        if (rc != NAVOI_OK)
            goto out;
        navoi__buf_append(&partial, ih, NAVOI__HASH_HEX_LEN);
    }
    rc = navoi__buf_status(&partial);
    if (rc == NAVOI_OK)
        rc = navoi__sha3_512_hex(partial.data, partial.len, out);
out:
    navoi__buf_cleanse_free(&partial);
    return rc;
}

int navoi__password_hash(const char *password, char out[NAVOI__HASH_HEX_LEN + 1])
{
    out[0] = '\0';
    if (!password)
        return NAVOI_EINVAL;
    return navoi__sha512_hex(password, strlen(password), out);
}
