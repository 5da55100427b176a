/*
 * alloc.c - owns the process-wide allocator hooks. They are plain globals
 * because navoi_set_allocator() is documented as "call before anything
 * else, from one thread" (like uv_replace_allocator).
 */
#include "common/alloc.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "navoi/navoi.h"

static navoi_malloc_fn g_malloc = malloc;
static navoi_realloc_fn g_realloc = realloc;
static navoi_free_fn g_free = free;

NAVOI_API int navoi_set_allocator(navoi_malloc_fn m, navoi_realloc_fn r,
                                  navoi_free_fn f)
{
    if (!m || !r || !f)
        return NAVOI_EINVAL;
    g_malloc = m;
    g_realloc = r;
    g_free = f;
    return NAVOI_OK;
}

void *navoi__malloc(size_t n)
{
    return g_malloc(n ? n : 1);
}

void *navoi__calloc(size_t count, size_t size)
{
    void *p;
    if (size && count > (size_t)-1 / size)
        return NULL;
    p = navoi__malloc(count * size);
    if (p)
        memset(p, 0, count * size > 0 ? count * size : 1);
    return p;
}

void *navoi__realloc(void *p, size_t n)
{
    return g_realloc(p, n ? n : 1);
}

void navoi__free(void *p)
{
    if (p)
        g_free(p);
}

char *navoi__strndup(const char *s, size_t n)
{
    char *d = navoi__malloc(n + 1);
    if (!d)
        return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *navoi__strdup(const char *s)
{
    return s ? navoi__strndup(s, strlen(s)) : NULL;
}

void *navoi__memdup(const void *p, size_t n)
{
    void *d = navoi__malloc(n);
    if (d && n)
        memcpy(d, p, n);
    return d;
}

void navoi__cleanse(void *p, size_t n)
{
    if (p && n)
        OPENSSL_cleanse(p, n);
}

void navoi__secret_free(char *s)
{
    if (!s)
        return;
    navoi__cleanse(s, strlen(s));
    navoi__free(s);
}

/* Memory handed to the caller may hold secrets (navoi_secret_file_read), so
 * it is always wiped. Its length is not known here, hence strlen: every
 * char ** output of the API is a NUL-terminated string. */
NAVOI_API void navoi_free(void *ptr)
{
    navoi__secret_free(ptr);
}
