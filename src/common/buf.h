/*
 * buf.h - a growable byte buffer, always NUL-terminated, with a sticky
 * out-of-memory flag so builders can append freely and check once.
 */
#ifndef NAVOI_COMMON_BUF_H
#define NAVOI_COMMON_BUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct navoi__buf {
    char *data;   /* NUL-terminated when len > 0 or after any append */
    size_t len;
    size_t cap;
    int oom;      /* set when an append failed; further appends are no-ops */
} navoi__buf;

#define NAVOI__BUF_INIT {NULL, 0, 0, 0}

void navoi__buf_init(navoi__buf *b);
/* Ensures room for n more bytes (+NUL). Returns NAVOI_OK or NAVOI_ENOMEM. */
int navoi__buf_reserve(navoi__buf *b, size_t n);
void navoi__buf_append(navoi__buf *b, const void *data, size_t n);
void navoi__buf_puts(navoi__buf *b, const char *s);
void navoi__buf_putc(navoi__buf *b, char c);
/* Locale-independent decimal integer. */
void navoi__buf_put_i64(navoi__buf *b, int64_t v);
/* NAVOI_OK, or NAVOI_ENOMEM if any append failed. */
int navoi__buf_status(const navoi__buf *b);
void navoi__buf_reset(navoi__buf *b); /* len = 0, keeps memory, clears oom */
void navoi__buf_free(navoi__buf *b);
/* Wipes the content (secrets), then frees. */
void navoi__buf_cleanse_free(navoi__buf *b);
/* Hands the data to the caller (NUL-terminated, never NULL on success);
 * the buffer is left empty. Returns NULL on oom. */
char *navoi__buf_detach(navoi__buf *b, size_t *len_out);

#endif
