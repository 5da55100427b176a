/*
 * decimal.c - owns navoi's fixed-point decimal arithmetic (decimal.h):
 * magnitudes as base-10^9 limbs, explicit scales, overflow reported rather
 * than wrapped, rounding half away from zero.
 */
#include "invoice/decimal.h"

#include <string.h>

#include "navoi/navoi.h"

#define BASE 1000000000u
#define N NAVOI__DEC_LIMBS

static int mag_is_zero(const uint32_t *d)
{
    int i;
    for (i = 0; i < N; i++)
        if (d[i])
            return 0;
    return 1;
}

static int mag_cmp(const uint32_t *a, const uint32_t *b)
{
    int i;
    for (i = N - 1; i >= 0; i--) {
        if (a[i] != b[i])
            return a[i] < b[i] ? -1 : 1;
    }
    return 0;
}

/* d = d * m + add, m and add below 10^9. NAVOI_ETOOBIG on overflow. */
static int mag_mul_small(uint32_t *d, uint32_t m, uint32_t add)
{
    uint64_t carry = add;
    int i;
    for (i = 0; i < N; i++) {
        uint64_t cur = (uint64_t)d[i] * m + carry;
        d[i] = (uint32_t)(cur % BASE);
        carry = cur / BASE;
    }
    return carry ? NAVOI_ETOOBIG : NAVOI_OK;
}

static int mag_mul_pow10(uint32_t *d, int k)
{
    static const uint32_t p10[10] = {1u,      10u,      100u,      1000u,      10000u,
                                     100000u, 1000000u, 10000000u, 100000000u, 1000000000u};
    while (k > 0) {
        int c = k > 8 ? 8 : k;
        if (mag_mul_small(d, p10[c], 0) != NAVOI_OK)
            return NAVOI_ETOOBIG;
        k -= c;
    }
    return NAVOI_OK;
}

/* d = d / 10; returns the remainder digit. */
static unsigned mag_div10(uint32_t *d)
{
    uint64_t r = 0;
    int i;
    for (i = N - 1; i >= 0; i--) {
        uint64_t cur = r * BASE + d[i];
        d[i] = (uint32_t)(cur / 10);
        r = cur % 10;
    }
    return (unsigned)r;
}

static int mag_add(uint32_t *out, const uint32_t *a, const uint32_t *b)
{
    uint32_t carry = 0;
    int i;
    for (i = 0; i < N; i++) {
        uint32_t s = a[i] + b[i] + carry; /* < 2 * 10^9 + 1, fits */
        carry = s >= BASE;
        out[i] = carry ? s - BASE : s;
    }
    return carry ? NAVOI_ETOOBIG : NAVOI_OK;
}

/* out = a - b with a >= b. */
static void mag_sub(uint32_t *out, const uint32_t *a, const uint32_t *b)
{
    uint32_t borrow = 0;
    int i;
    for (i = 0; i < N; i++) {
        uint32_t sub = b[i] + borrow;
        if (a[i] >= sub) {
            out[i] = a[i] - sub;
            borrow = 0;
        } else {
            out[i] = a[i] + BASE - sub;
            borrow = 1;
        }
    }
}

void navoi__dec_zero(navoi__dec *a)
{
    memset(a, 0, sizeof *a);
}

void navoi__dec_from_int(navoi__dec *a, int32_t v)
{
    navoi__dec_zero(a);
    if (v < 0) {
        a->neg = 1;
        a->d[0] = (uint32_t)(-(int64_t)v);
    } else {
        a->d[0] = (uint32_t)v;
    }
}

int navoi__dec_is_zero(const navoi__dec *a)
{
    return mag_is_zero(a->d);
}

static void fix_sign(navoi__dec *a)
{
    if (mag_is_zero(a->d))
        a->neg = 0;
}

int navoi__dec_parse(const char *s, navoi__dec *out)
{
    navoi__dec v;
    int digits = 0, point = 0;

    navoi__dec_zero(out);
    if (!s)
        return NAVOI_EINVAL;
    navoi__dec_zero(&v);
    if (*s == '+' || *s == '-') {
        v.neg = *s == '-';
        s++;
    }
    for (; *s; s++) {
        if (*s >= '0' && *s <= '9') {
            if (mag_mul_small(v.d, 10, (uint32_t)(*s - '0')) != NAVOI_OK)
                return NAVOI_ETOOBIG;
            digits++;
            if (point && ++v.scale > NAVOI__DEC_MAX_SCALE)
                return NAVOI_ETOOBIG;
        } else if (*s == '.' && !point) {
            point = 1;
        } else {
            return NAVOI_EINVAL;
        }
    }
    if (!digits)
        return NAVOI_EINVAL;
    fix_sign(&v);
    *out = v;
    return NAVOI_OK;
}

/* Brings a to the larger scale `scale` (>= a->scale). */
static int rescale_up(navoi__dec *a, int scale)
{
    if (scale > NAVOI__DEC_MAX_SCALE)
        return NAVOI_ETOOBIG;
    if (mag_mul_pow10(a->d, scale - a->scale) != NAVOI_OK)
        return NAVOI_ETOOBIG;
    a->scale = scale;
    return NAVOI_OK;
}

int navoi__dec_add(const navoi__dec *a, const navoi__dec *b, navoi__dec *out)
{
    navoi__dec x = *a, y = *b, r;
    int scale = x.scale > y.scale ? x.scale : y.scale;

    if (rescale_up(&x, scale) != NAVOI_OK || rescale_up(&y, scale) != NAVOI_OK)
        return NAVOI_ETOOBIG;
    navoi__dec_zero(&r);
    r.scale = scale;
    if (x.neg == y.neg) {
        if (mag_add(r.d, x.d, y.d) != NAVOI_OK)
            return NAVOI_ETOOBIG;
        r.neg = x.neg;
    } else if (mag_cmp(x.d, y.d) >= 0) {
        mag_sub(r.d, x.d, y.d);
        r.neg = x.neg;
    } else {
        mag_sub(r.d, y.d, x.d);
        r.neg = y.neg;
    }
    fix_sign(&r);
    *out = r;
    return NAVOI_OK;
}

int navoi__dec_sub(const navoi__dec *a, const navoi__dec *b, navoi__dec *out)
{
    navoi__dec nb = *b;
    navoi__dec_negate(&nb);
    return navoi__dec_add(a, &nb, out);
}

int navoi__dec_mul(const navoi__dec *a, const navoi__dec *b, navoi__dec *out)
{
    uint64_t t[2 * N];
    navoi__dec r;
    int i, j;

    if (a->scale + b->scale > NAVOI__DEC_MAX_SCALE)
        return NAVOI_ETOOBIG;
    memset(t, 0, sizeof t);
    for (i = 0; i < N; i++) {
        uint64_t carry = 0;
        if (!a->d[i])
            continue;
        for (j = 0; j < N; j++) {
            /* < 10^9 + (10^9-1)^2 + carry: below 2^64 */
            uint64_t cur = t[i + j] + (uint64_t)a->d[i] * b->d[j] + carry;
            t[i + j] = cur % BASE;
            carry = cur / BASE;
        }
        t[i + N] += carry;
    }
    for (i = N; i < 2 * N; i++)
        if (t[i])
            return NAVOI_ETOOBIG;
    navoi__dec_zero(&r);
    for (i = 0; i < N; i++)
        r.d[i] = (uint32_t)t[i];
    r.scale = a->scale + b->scale;
    r.neg = a->neg != b->neg;
    fix_sign(&r);
    *out = r;
    return NAVOI_OK;
}

int navoi__dec_round(const navoi__dec *a, int scale, navoi__dec *out)
{
    navoi__dec r = *a;
    unsigned last = 0;

    if (scale < 0)
        return NAVOI_EINVAL;
    if (r.scale <= scale) {
        if (rescale_up(&r, scale) != NAVOI_OK)
            return NAVOI_ETOOBIG;
        *out = r;
        return NAVOI_OK;
    }
    /* Half away from zero only looks at the most significant dropped
     * digit: the magnitude goes up iff that digit is 5 or more. */
    while (r.scale > scale) {
        last = mag_div10(r.d);
        r.scale--;
    }
    if (last >= 5 && mag_mul_small(r.d, 1, 1) != NAVOI_OK)
        return NAVOI_ETOOBIG;
    fix_sign(&r);
    *out = r;
    return NAVOI_OK;
}

/* Compares magnitudes at a common scale; scales that cannot be aligned
 * (overflow) are compared by their integer parts first. */
int navoi__dec_cmp_abs(const navoi__dec *a, const navoi__dec *b)
{
    navoi__dec x = *a, y = *b;
    int scale = x.scale > y.scale ? x.scale : y.scale;

    if (rescale_up(&x, scale) != NAVOI_OK || rescale_up(&y, scale) != NAVOI_OK) {
        /* One side is huge: it has more integer digits than fit. */
        navoi__dec_round(a, 0, &x);
        navoi__dec_round(b, 0, &y);
        return mag_cmp(x.d, y.d);
    }
    return mag_cmp(x.d, y.d);
}

int navoi__dec_cmp(const navoi__dec *a, const navoi__dec *b)
{
    int az = mag_is_zero(a->d), bz = mag_is_zero(b->d);
    int an = !az && a->neg, bn = !bz && b->neg;

    if (an != bn)
        return an ? -1 : 1;
    if (az && bz)
        return 0;
    return an ? -navoi__dec_cmp_abs(a, b) : navoi__dec_cmp_abs(a, b);
}

void navoi__dec_abs(navoi__dec *a)
{
    a->neg = 0;
}

void navoi__dec_negate(navoi__dec *a)
{
    a->neg = !a->neg;
    fix_sign(a);
}

void navoi__dec_normalize(navoi__dec *a)
{
    while (a->scale > 0) {
        navoi__dec t = *a;
        if (mag_div10(t.d) != 0)
            break;
        *a = t;
        a->scale--;
    }
}

/* Digits of the magnitude, most significant first, no leading zeros ("0"
 * for zero). buf needs 9 * N + 1 bytes. Returns the count. */
static int mag_digits(const uint32_t *d, char *buf)
{
    int top = N - 1, n = 0, i, k;

    while (top > 0 && !d[top])
        top--;
    for (i = top; i >= 0; i--) {
        char tmp[9];
        uint32_t v = d[i];
        for (k = 8; k >= 0; k--) {
            tmp[k] = (char)('0' + v % 10);
            v /= 10;
        }
        if (i == top) {
            k = 0;
            while (k < 8 && tmp[k] == '0')
                k++;
            memcpy(buf + n, tmp + k, (size_t)(9 - k));
            n += 9 - k;
        } else {
            memcpy(buf + n, tmp, 9);
            n += 9;
        }
    }
    buf[n] = '\0';
    return n;
}

int navoi__dec_total_digits(const navoi__dec *a)
{
    navoi__dec t = *a;
    char buf[9 * N + 1];

    navoi__dec_normalize(&t);
    return mag_digits(t.d, buf);
}

void navoi__dec_format(const navoi__dec *a, char *buf, size_t len)
{
    char digits[9 * N + 1];
    char out[NAVOI__DEC_STRLEN + NAVOI__DEC_MAX_SCALE];
    int n = mag_digits(a->d, digits), o = 0, i;
    int intlen = n - a->scale;

    if (!buf || !len)
        return;
    if (a->neg && !mag_is_zero(a->d))
        out[o++] = '-';
    if (intlen <= 0) {
        out[o++] = '0';
    } else {
        memcpy(out + o, digits, (size_t)intlen);
        o += intlen;
    }
    if (a->scale > 0) {
        out[o++] = '.';
        for (i = intlen; i < 0; i++)
            out[o++] = '0';
        i = intlen < 0 ? 0 : intlen;
        memcpy(out + o, digits + i, (size_t)(n - i));
        o += n - i;
    }
    out[o] = '\0';
    if ((size_t)o >= len)
        o = (int)len - 1;
    memcpy(buf, out, (size_t)o);
    buf[o] = '\0';
}
