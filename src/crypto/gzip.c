/*
 * gzip.c - owns gzip compression of invoice payloads (level 1, as NAV's
 * compressedContent examples use) and capped decompression of what NAV
 * sends back. zlib allocates through navoi's allocator so that the
 * fault-injection tests reach it too.
 */
#include "crypto/crypto.h"

#include <limits.h>
#include <string.h>

#include <zlib.h>

#include "common/alloc.h"
#include "navoi/navoi.h"

#define CHUNK ((size_t)64 * 1024)
#define GZIP_WINDOW (15 + 16) /* 32 KiB window, gzip wrapper only */

static voidpf z_alloc(voidpf opaque, uInt items, uInt size)
{
    (void)opaque;
    return navoi__calloc(items, size);
}

static void z_free(voidpf opaque, voidpf p)
{
    (void)opaque;
    navoi__free(p);
}

int navoi__is_gzip(const void *data, size_t len)
{
    const unsigned char *p = data;
    return p && len >= 2 && p[0] == 0x1f && p[1] == 0x8b;
}

int navoi__gzip(const void *data, size_t len, navoi__buf *out)
{
    z_stream zs;
    const unsigned char *in = data;
    size_t start_len, left = len;
    int rc, zrc, flush;

    if (!out || (!data && len))
        return NAVOI_EINVAL;
    start_len = out->len;
    memset(&zs, 0, sizeof zs);
    zs.zalloc = z_alloc;
    zs.zfree = z_free;
    /* Level 1 makes zlib write XFL = 4 ("fastest") in the header. */
    zrc = deflateInit2(&zs, 1, Z_DEFLATED, GZIP_WINDOW, 8, Z_DEFAULT_STRATEGY);
    if (zrc != Z_OK)
        return zrc == Z_MEM_ERROR ? NAVOI_ENOMEM : NAVOI_EINVAL;
    zs.next_in = (Bytef *)(uintptr_t)in; /* zlib's API is not const-correct */
    do {
        /* size_t can exceed uInt: feed the input in slices. */
        if (zs.avail_in == 0 && left) {
            zs.avail_in = left > UINT_MAX ? UINT_MAX : (uInt)left;
            left -= zs.avail_in;
        }
        flush = left == 0 ? Z_FINISH : Z_NO_FLUSH;
        rc = navoi__buf_reserve(out, CHUNK);
        if (rc != NAVOI_OK)
            goto out;
        zs.next_out = (Bytef *)out->data + out->len;
        zs.avail_out = (uInt)CHUNK;
        zrc = deflate(&zs, flush);
        out->len += CHUNK - zs.avail_out;
        if (zrc == Z_STREAM_ERROR) {
            rc = NAVOI_EINVAL;
            goto out;
        }
    } while (zrc != Z_STREAM_END);
    out->data[out->len] = '\0';
    rc = NAVOI_OK;
out:
    deflateEnd(&zs);
    if (rc != NAVOI_OK && out->data) {
        out->len = start_len;
        out->data[out->len] = '\0';
    }
    return rc;
}

int navoi__gunzip(const void *data, size_t len, size_t max_out, navoi__buf *out)
{
    z_stream zs;
    size_t start_len, left = len, produced = 0;
    int rc, zrc;

    if (!out || (!data && len))
        return NAVOI_EINVAL;
    if (!navoi__is_gzip(data, len))
        return NAVOI_EPROTO;
    start_len = out->len;
    memset(&zs, 0, sizeof zs);
    zs.zalloc = z_alloc;
    zs.zfree = z_free;
    /* gzip wrapper only: NAV's compressedContent is gzip, and accepting raw
     * zlib as well would only hide a peer's mistake. */
    zrc = inflateInit2(&zs, GZIP_WINDOW);
    if (zrc != Z_OK)
        return zrc == Z_MEM_ERROR ? NAVOI_ENOMEM : NAVOI_EPROTO;
    zs.next_in = (Bytef *)(uintptr_t)data;
    for (;;) {
        /* Give zlib at most one byte more room than the cap allows, so a
         * bomb is detected after max_out + 1 bytes, never fully inflated. */
        size_t room = max_out - produced < CHUNK ? max_out - produced + 1 : CHUNK;

        if (zs.avail_in == 0 && left) {
            zs.avail_in = left > UINT_MAX ? UINT_MAX : (uInt)left;
            left -= zs.avail_in;
        }
        rc = navoi__buf_reserve(out, room);
        if (rc != NAVOI_OK)
            goto out;
        zs.next_out = (Bytef *)out->data + out->len;
        zs.avail_out = (uInt)room;
        zrc = inflate(&zs, Z_NO_FLUSH);
        produced += room - zs.avail_out;
        out->len += room - zs.avail_out;
        if (produced > max_out) {
            rc = NAVOI_ETOOBIG;
            goto out;
        }
        if (zrc == Z_STREAM_END) {
            if (zs.avail_in == 0 && left == 0)
                break;
            /* RFC 1952 allows several members back to back (gzip -c a b);
             * anything else after a member is corruption and fails below. */
            if (inflateReset(&zs) != Z_OK) {
                rc = NAVOI_EPROTO;
                goto out;
            }
            continue;
        }
        if (zrc == Z_OK)
            continue;
        if (zrc == Z_MEM_ERROR) {
            rc = NAVOI_ENOMEM;
            goto out;
        }
        /* Z_BUF_ERROR with output room left means the input ended before
         * the stream did (truncated); Z_DATA_ERROR, Z_NEED_DICT and
         * Z_STREAM_ERROR mean a corrupt stream. */
        rc = NAVOI_EPROTO;
        goto out;
    }
    out->data[out->len] = '\0';
    rc = NAVOI_OK;
out:
    inflateEnd(&zs);
    if (rc != NAVOI_OK && out->data) {
        out->len = start_len;
        out->data[out->len] = '\0';
    }
    return rc;
}
