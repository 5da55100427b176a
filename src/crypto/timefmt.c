/*
 * timefmt.c - owns every conversion between navoi's time value (int64 ms
 * since 1970-01-01T00:00:00Z) and text: NAV timestamps, dates and HTTP
 * Date headers. Pure arithmetic on the proleptic Gregorian calendar, so the
 * result never depends on TZ, the locale or the C library's time functions.
 */
#include "crypto/timefmt.h"

#include <string.h>

#include "navoi/navoi.h"

#define MS_PER_DAY INT64_C(86400000)
/* Four-digit years only: that is all NAV's types and HTTP dates use, and it
 * keeps every intermediate far from int64 overflow. */
#define YEAR_MIN 0
#define YEAR_MAX 9999

/* Howard Hinnant's days_from_civil: exact for any year, no tables. */
int64_t navoi__days_from_civil(int64_t y, unsigned m, unsigned d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (int64_t)(m > 2 ? m - 3 : m + 9) + 2) / 5 + (int64_t)d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y_out, unsigned *m_out, unsigned *d_out)
{
    int64_t era, doe, yoe, doy, mp, y;
    unsigned m;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d_out = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *m_out = m;
    *y_out = y + (m <= 2);
}

static int is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(int64_t y, unsigned m)
{
    static const unsigned dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* Splits ms into a civil date and the ms within that day (floor division,
 * so instants before 1970 land on the right day). */
static int split(int64_t ms, int64_t *y, unsigned *mo, unsigned *d, int64_t *ms_of_day)
{
    int64_t days = ms / MS_PER_DAY, rem = ms % MS_PER_DAY;

    if (rem < 0) {
        rem += MS_PER_DAY;
        days--;
    }
    civil_from_days(days, y, mo, d);
    if (*y < YEAR_MIN || *y > YEAR_MAX)
        return NAVOI_EINVAL;
    *ms_of_day = rem;
    return NAVOI_OK;
}

static void put_num(char *o, int64_t v, int width)
{
    while (width-- > 0) {
        o[width] = (char)('0' + v % 10);
        v /= 10;
    }
}

int navoi__format_timestamp(int64_t ms, char out[25])
{
    int64_t y, rem;
    unsigned mo, d;

    out[0] = '\0';
    if (split(ms, &y, &mo, &d, &rem) != NAVOI_OK)
        return NAVOI_EINVAL;
    memcpy(out, "0000-00-00T00:00:00.000Z", 25);
    put_num(out, y, 4);
    put_num(out + 5, mo, 2);
    put_num(out + 8, d, 2);
    put_num(out + 11, rem / 3600000, 2);
    put_num(out + 14, rem / 60000 % 60, 2);
    put_num(out + 17, rem / 1000 % 60, 2);
    put_num(out + 20, rem % 1000, 3);
    return NAVOI_OK;
}

int navoi__format_date(int64_t ms, char out[11])
{
    int64_t y, rem;
    unsigned mo, d;

    out[0] = '\0';
    if (split(ms, &y, &mo, &d, &rem) != NAVOI_OK)
        return NAVOI_EINVAL;
    memcpy(out, "0000-00-00", 11);
    put_num(out, y, 4);
    put_num(out + 5, mo, 2);
    put_num(out + 8, d, 2);
    return NAVOI_OK;
}

/* Exactly n ASCII digits (no sign, no spaces: strtol would accept both). */
static int digits(const char *s, int n, int64_t *v)
{
    int64_t r = 0;
    int i;

    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        r = r * 10 + (s[i] - '0');
    }
    *v = r;
    return 1;
}

static int date_ok(int64_t y, int64_t m, int64_t d)
{
    return y >= YEAR_MIN && y <= YEAR_MAX && m >= 1 && m <= 12 && d >= 1 &&
           d <= (int64_t)days_in_month(y, (unsigned)m);
}

/* Parses "YYYY-MM-DD" at s; 1 on success. */
static int parse_ymd(const char *s, int64_t *days)
{
    int64_t y, m, d;

    if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &m) || s[7] != '-' ||
        !digits(s + 8, 2, &d) || !date_ok(y, m, d))
        return 0;
    *days = navoi__days_from_civil(y, (unsigned)m, (unsigned)d);
    return 1;
}

int navoi__parse_date(const char *s, int64_t *ms_out)
{
    int64_t days;

    if (!s || !ms_out)
        return NAVOI_EINVAL;
    if (strlen(s) != 10 || !parse_ymd(s, &days))
        return NAVOI_EINVAL;
    *ms_out = days * MS_PER_DAY;
    return NAVOI_OK;
}

int navoi__parse_datetime(const char *s, int64_t *ms_out)
{
    int64_t days, hh, mi, ss, frac_ms = 0, off_min = 0, ms;
    const char *p;

    if (!s || !ms_out)
        return NAVOI_EINVAL;
    if (strlen(s) < 19 || !parse_ymd(s, &days) || s[10] != 'T' ||
        !digits(s + 11, 2, &hh) || s[13] != ':' || !digits(s + 14, 2, &mi) ||
        s[16] != ':' || !digits(s + 17, 2, &ss))
        return NAVOI_EINVAL;
    p = s + 19;
    if (*p == '.') {
        int n = 0, all_zero = 1;

        p++;
        /* Keep milliseconds, drop (truncate) finer digits: ms is navoi's unit. */
        for (; *p >= '0' && *p <= '9'; p++, n++) {
            if (n < 3)
                frac_ms = frac_ms * 10 + (*p - '0');
            if (*p != '0')
                all_zero = 0;
        }
        if (n == 0 || n > 9)
            return NAVOI_EINVAL;
        for (; n < 3; n++)
            frac_ms *= 10;
        if (hh == 24 && !all_zero)
            return NAVOI_EINVAL;
    }
    /* xs:dateTime allows 24:00:00 (= next day's midnight), nothing later. */
    if (hh > 24 || mi > 59 || ss > 59 || (hh == 24 && (mi || ss)))
        return NAVOI_EINVAL;
    if (*p == 'Z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int64_t oh, om;

        if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om) || om > 59 ||
            oh * 60 + om > 14 * 60)
            return NAVOI_EINVAL;
        off_min = (oh * 60 + om) * (*p == '-' ? -1 : 1);
        p += 6;
    }
    if (*p != '\0')
        return NAVOI_EINVAL;
    ms = days * MS_PER_DAY + ((hh * 60 + mi) * 60 + ss) * 1000 + frac_ms;
    /* local = UTC + offset, hence UTC = local - offset. */
    *ms_out = ms - off_min * 60000;
    return NAVOI_OK;
}

static int month_from_name(const char *s, int64_t *m)
{
    static const char names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    int i;

    for (i = 0; i < 12; i++)
        if (memcmp(s, names + 3 * i, 3) == 0) {
            *m = i + 1;
            return 1;
        }
    return 0;
}

/* Length of a weekday name at s ("Sun" or "Sunday" depending on long_form),
 * 0 if none matches. HTTP dates are case-sensitive (RFC 7231 7.1.1.1). */
static size_t weekday(const char *s, int long_form)
{
    static const char *const names[7] = {"Monday", "Tuesday", "Wednesday", "Thursday",
                                         "Friday", "Saturday", "Sunday"};
    int i;

    for (i = 0; i < 7; i++) {
        size_t n = long_form ? strlen(names[i]) : 3;
        if (strncmp(s, names[i], n) == 0)
            return n;
    }
    return 0;
}

/* hh:mm:ss at s into seconds of day; 1 on success. */
static int parse_hms(const char *s, int64_t *secs)
{
    int64_t h, m, sec;

    if (!digits(s, 2, &h) || s[2] != ':' || !digits(s + 3, 2, &m) || s[5] != ':' ||
        !digits(s + 6, 2, &sec) || h > 23 || m > 59 || sec > 60)
        return 0;
    /* A leap second (:60) is folded into the next second's start. */
    *secs = (h * 60 + m) * 60 + (sec == 60 ? 59 : sec);
    return 1;
}

/* RFC 7231 7.1.1.1: recipients must accept IMF-fixdate and the two obsolete
 * forms. The weekday is not checked against the date; the value is only used
 * to estimate clock skew, where a wrong name changes nothing. */
int navoi__parse_http_date(const char *s, int64_t *ms_out)
{
    int64_t y, m, d, secs;
    size_t n, len;

    if (!s || !ms_out)
        return NAVOI_EINVAL;
    len = strlen(s);
    if ((n = weekday(s, 0)) != 0 && s[3] == ',') {
        /* IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT" */
        if (len != 29 || s[4] != ' ' || !digits(s + 5, 2, &d) || s[7] != ' ' ||
            !month_from_name(s + 8, &m) || s[11] != ' ' || !digits(s + 12, 4, &y) ||
            s[16] != ' ' || !parse_hms(s + 17, &secs) || strcmp(s + 25, " GMT") != 0)
            return NAVOI_EINVAL;
    } else if ((n = weekday(s, 1)) != 0 && s[n] == ',') {
        /* rfc850-date: "Sunday, 06-Nov-94 08:49:37 GMT" */
        const char *p = s + n + 1;
        if (strlen(p) != 23 || p[0] != ' ' || !digits(p + 1, 2, &d) || p[3] != '-' ||
            !month_from_name(p + 4, &m) || p[7] != '-' || !digits(p + 8, 2, &y) ||
            p[10] != ' ' || !parse_hms(p + 11, &secs) || strcmp(p + 19, " GMT") != 0)
            return NAVOI_EINVAL;
        /* Two-digit year: a fixed pivot instead of "now", so the result
         * does not depend on the clock; 1970..2069. */
        y += y >= 70 ? 1900 : 2000;
    } else if (weekday(s, 0) != 0 && s[3] == ' ') {
        /* asctime-date: "Sun Nov  6 08:49:37 1994" */
        if (len != 24 || !month_from_name(s + 4, &m) || s[7] != ' ')
            return NAVOI_EINVAL;
        if (s[8] == ' ') {
            if (!digits(s + 9, 1, &d))
                return NAVOI_EINVAL;
        } else if (!digits(s + 8, 2, &d)) {
            return NAVOI_EINVAL;
        }
        if (s[10] != ' ' || !parse_hms(s + 11, &secs) || s[19] != ' ' ||
            !digits(s + 20, 4, &y))
            return NAVOI_EINVAL;
    } else {
        return NAVOI_EINVAL;
    }
    if (!date_ok(y, m, d))
        return NAVOI_EINVAL;
    *ms_out = (navoi__days_from_civil(y, (unsigned)m, (unsigned)d) * 86400 + secs) * 1000;
    return NAVOI_OK;
}
