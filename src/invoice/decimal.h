/*
 * decimal.h - exact decimal arithmetic for invoice amounts. Money never
 * passes through binary floating point: a value is a sign, a magnitude of
 * up to 54 decimal digits (six base-10^9 limbs) and a scale (digits after
 * the point). That covers every xs:decimal NAV allows (QuantityType has 22
 * digits, so a quantity times a unit price has at most 44) with room for
 * one more rate factor. Operations that would exceed it fail with
 * NAVOI_ETOOBIG instead of wrapping.
 */
#ifndef NAVOI_INVOICE_DECIMAL_H
#define NAVOI_INVOICE_DECIMAL_H

#include <stddef.h>
#include <stdint.h>

#define NAVOI__DEC_LIMBS 6
#define NAVOI__DEC_MAX_SCALE 40
/* Longest text navoi__dec_format() writes, with sign, point and NUL. */
#define NAVOI__DEC_STRLEN (9 * NAVOI__DEC_LIMBS + 4)

typedef struct navoi__dec {
    uint32_t d[NAVOI__DEC_LIMBS]; /* magnitude, little-endian limbs of 10^9 */
    int neg;                      /* 1 if negative (never for zero) */
    int scale;                    /* digits after the decimal point */
} navoi__dec;

void navoi__dec_zero(navoi__dec *a);
/* Small integer value (|v| < 10^9) at scale 0. */
void navoi__dec_from_int(navoi__dec *a, int32_t v);
/* Parses the xs:decimal lexical form: optional sign, digits, optional point
 * and digits, at least one digit; no spaces, no exponent. The scale is the
 * number of fraction digits written ("1.50" has scale 2). NAVOI_OK,
 * NAVOI_EINVAL (not a decimal), NAVOI_ETOOBIG (too many digits). */
int navoi__dec_parse(const char *s, navoi__dec *out);
/* Exact sum, difference and product. NAVOI_OK or NAVOI_ETOOBIG. */
int navoi__dec_add(const navoi__dec *a, const navoi__dec *b, navoi__dec *out);
int navoi__dec_sub(const navoi__dec *a, const navoi__dec *b, navoi__dec *out);
int navoi__dec_mul(const navoi__dec *a, const navoi__dec *b, navoi__dec *out);
/* Rounds to `scale` fraction digits, half away from zero (2.345 -> 2.35,
 * -2.345 -> -2.35); a value with fewer digits is extended with zeros. */
int navoi__dec_round(const navoi__dec *a, int scale, navoi__dec *out);
/* -1, 0, 1 by value (scales may differ). */
int navoi__dec_cmp(const navoi__dec *a, const navoi__dec *b);
int navoi__dec_cmp_abs(const navoi__dec *a, const navoi__dec *b);
int navoi__dec_is_zero(const navoi__dec *a);
void navoi__dec_abs(navoi__dec *a);
void navoi__dec_negate(navoi__dec *a);
/* Removes trailing fraction zeros ("1.500" -> "1.5", "2.00" -> "2"). */
void navoi__dec_normalize(navoi__dec *a);
/* Number of significant integer digits plus fraction digits (the XSD
 * totalDigits count after normalisation of a copy). */
int navoi__dec_total_digits(const navoi__dec *a);
/* Writes the plain form with exactly a->scale fraction digits, '-' for
 * negatives, no exponent, locale-independent. buf needs NAVOI__DEC_STRLEN. */
void navoi__dec_format(const navoi__dec *a, char *buf, size_t len);

#endif
