/*
 * crypto.h - hashing, base64, exchange-token AES and gzip, all on OpenSSL
 * EVP and zlib. Hex digests are upper-case, as NAV sends and compares them.
 */
#ifndef NAVOI_CRYPTO_CRYPTO_H
#define NAVOI_CRYPTO_CRYPTO_H

#include <stddef.h>

#include "common/buf.h"

#define NAVOI__SHA512_HEX_LEN 128
#define NAVOI__SHA3_512_HEX_LEN 128
#define NAVOI__SHA256_HEX_LEN 64
/* Largest decrypted token accepted: SimpleText50NotBlankType. */
#define NAVOI__TOKEN_MAX 50

/* out receives HEX_LEN upper-case hex digits and a NUL. NAVOI_OK/NAVOI_ENOMEM. */
int navoi__sha512_hex(const void *data, size_t len, char out[NAVOI__SHA512_HEX_LEN + 1]);
int navoi__sha3_512_hex(const void *data, size_t len, char out[NAVOI__SHA3_512_HEX_LEN + 1]);
int navoi__sha256_hex(const void *data, size_t len, char out[NAVOI__SHA256_HEX_LEN + 1]);
/* SHA3-512 of a followed by b, without joining them in memory first (the
 * index hash of a manage item covers its whole base64 payload). */
int navoi__sha3_512_hex2(const void *a, size_t alen, const void *b, size_t blen,
                         char out[NAVOI__SHA3_512_HEX_LEN + 1]);

/* 1 when eight_digits is exactly 8 ASCII digits whose last one is the
 * check digit of the first seven (weights 9,7,3,1,9,7,3; vectors.json
 * taxpayerIdCheckDigit). Not in NAV's specification: a failure is a
 * warning, never a reason to refuse a request. */
int navoi__taxpayer_check_digit_ok(const char *eight_digits);

/* Standard base64 with padding, on one line (no line breaks), appended to out. */
int navoi__base64_encode(const void *data, size_t len, navoi__buf *out);
/* Strict decode appended to out; ASCII whitespace is skipped. NAVOI_OK,
 * NAVOI_EPROTO (invalid character or length), NAVOI_ENOMEM. */
int navoi__base64_decode(const char *text, size_t len, navoi__buf *out);

/* Decrypts NAV's encodedExchangeToken (base64 of AES-128-ECB, PKCS#7) with
 * the 16-byte exchange key into out (NUL-terminated, <= NAVOI__TOKEN_MAX).
 * NAVOI_OK, NAVOI_ECRYPTO (bad base64, length, padding, or a plaintext that
 * is not printable ASCII: the usual sign of a wrong key), NAVOI_ENOMEM.
 * Every intermediate buffer is wiped. */
int navoi__token_decrypt(const char *b64, size_t b64_len, const char *key16,
                         char out[NAVOI__TOKEN_MAX + 1]);
/* The inverse (for the simulator and tests): base64(AES-128-ECB(token)). */
int navoi__token_encrypt(const char *token, const char *key16, navoi__buf *b64_out);

/* 1 if data starts with the gzip magic bytes 1f 8b. */
int navoi__is_gzip(const void *data, size_t len);
/* gzip at level 1 (PROTOCOL.md 1.4: XFL byte 0x04), appended to out. */
int navoi__gzip(const void *data, size_t len, navoi__buf *out);
/* gunzip into out; NAVOI_ETOOBIG if the output would exceed max_out bytes
 * (decompression bombs stop there), NAVOI_EPROTO on a corrupt stream. */
int navoi__gunzip(const void *data, size_t len, size_t max_out, navoi__buf *out);

/* Cryptographically random bytes (OpenSSL RAND_bytes). */
int navoi__random_bytes(unsigned char *buf, size_t len);

#endif
