/* timefmt.h - locale-independent UTC timestamp and date handling. Never
 * uses the host time zone or locale (no localtime, no strftime %c). */
#ifndef NAVOI_CRYPTO_TIMEFMT_H
#define NAVOI_CRYPTO_TIMEFMT_H

#include <stdint.h>

/* "YYYY-MM-DDThh:mm:ss.mmmZ" (24 chars + NUL) for ms since epoch. */
int navoi__format_timestamp(int64_t ms, char out[25]);
/* "YYYY-MM-DD" (UTC) for ms since epoch. */
int navoi__format_date(int64_t ms, char out[11]);
/* Parses xs:dateTime with 'Z', a +hh:mm/-hh:mm offset, or none (taken as
 * UTC), 0-9 fraction digits (ms kept), into ms since epoch. NAVOI_OK or
 * NAVOI_EINVAL. */
int navoi__parse_datetime(const char *s, int64_t *ms_out);
/* Parses "YYYY-MM-DD" (valid calendar date) to ms at 00:00 UTC. */
int navoi__parse_date(const char *s, int64_t *ms_out);
/* Parses an RFC 7231 HTTP Date header ("Sun, 06 Nov 1994 08:49:37 GMT"). */
int navoi__parse_http_date(const char *s, int64_t *ms_out);
/* Days since epoch <-> civil date, proleptic Gregorian. */
int64_t navoi__days_from_civil(int64_t y, unsigned m, unsigned d);

#endif
