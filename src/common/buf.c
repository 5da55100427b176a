/* buf.c - growable NUL-terminated buffer with a sticky OOM flag. */
#include "common/buf.h"

#include <string.h>

#include "common/alloc.h"
#include "navoi/navoi.h"

void navoi__buf_init(navoi__buf *b)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->oom = 0;
}

int navoi__buf_reserve(navoi__buf *b, size_t n)
{
    size_t need, cap;
    char *p;

    if (b->oom)
        return NAVOI_ENOMEM;
    if (n > (size_t)-1 - b->len - 1) {
        b->oom = 1;
        return NAVOI_ENOMEM;
    }
    need = b->len + n + 1;
    if (need <= b->cap)
        return NAVOI_OK;
    cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap = cap > (size_t)-1 / 2 ? need : cap * 2;
    p = navoi__realloc(b->data, cap);
    if (!p) {
        b->oom = 1;
        return NAVOI_ENOMEM;
    }
    b->data = p;
    b->cap = cap;
    return NAVOI_OK;
}

void navoi__buf_append(navoi__buf *b, const void *data, size_t n)
{
    if (navoi__buf_reserve(b, n) != NAVOI_OK)
        return;
    if (n)
        memcpy(b->data + b->len, data, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void navoi__buf_puts(navoi__buf *b, const char *s)
{
    navoi__buf_append(b, s, strlen(s));
}

void navoi__buf_putc(navoi__buf *b, char c)
{
    navoi__buf_append(b, &c, 1);
}

void navoi__buf_put_i64(navoi__buf *b, int64_t v)
{
    char tmp[24];
    size_t i = sizeof tmp;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

    do {
        tmp[--i] = (char)('0' + (u % 10));
        u /= 10;
    } while (u);
    if (v < 0)
        tmp[--i] = '-';
    navoi__buf_append(b, tmp + i, sizeof tmp - i);
}

int navoi__buf_status(const navoi__buf *b)
{
    return b->oom ? NAVOI_ENOMEM : NAVOI_OK;
}

void navoi__buf_reset(navoi__buf *b)
{
    b->len = 0;
    b->oom = 0;
    if (b->data)
        b->data[0] = '\0';
}

void navoi__buf_free(navoi__buf *b)
{
    navoi__free(b->data);
    navoi__buf_init(b);
}

void navoi__buf_cleanse_free(navoi__buf *b)
{
    navoi__cleanse(b->data, b->cap);
    navoi__buf_free(b);
}

char *navoi__buf_detach(navoi__buf *b, size_t *len_out)
{
    char *d;

    if (b->oom) {
        navoi__buf_free(b);
        return NULL;
    }
    if (!b->data && navoi__buf_reserve(b, 0) != NAVOI_OK)
        return NULL;
    if (b->len == 0)
        b->data[0] = '\0';
    d = b->data;
    if (len_out)
        *len_out = b->len;
    navoi__buf_init(b);
    return d;
}
