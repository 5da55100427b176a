/*
 * alloc.h - navoi's allocator indirection (navoi_set_allocator) and helpers
 * for secret memory. Every allocation of the library goes through here so
 * the torture tests can fail the k-th one.
 */
#ifndef NAVOI_COMMON_ALLOC_H
#define NAVOI_COMMON_ALLOC_H

#include <stddef.h>

void *navoi__malloc(size_t n);
void *navoi__calloc(size_t count, size_t size);
void *navoi__realloc(void *p, size_t n);
void navoi__free(void *p);
char *navoi__strdup(const char *s);
char *navoi__strndup(const char *s, size_t n);
void *navoi__memdup(const void *p, size_t n);

/* Wipes n bytes with OPENSSL_cleanse (not optimised away). NULL-safe. */
void navoi__cleanse(void *p, size_t n);
/* Wipes a NUL-terminated string and frees it. NULL-safe. */
void navoi__secret_free(char *s);

#endif
