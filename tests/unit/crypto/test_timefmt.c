/*
 * test_timefmt.c - src/crypto/timefmt.c: timestamp/date formatting and
 * parsing, offsets, leap years and HTTP dates, under a hostile TZ and
 * locale to prove neither leaks in.
 *
 * Expected instants were computed with Python, e.g.
 *   python3 -c 'from datetime import datetime; print(round(datetime.fromisoformat(
 *     "2024-02-29T23:59:59.999+01:00").timestamp()*1000))'
 * day numbers with (date(y,m,d) - date(1970,1,1)).days and HTTP dates with
 * calendar.timegm(email.utils.parsedate(s)) * 1000.
 */
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/timefmt.h"
#include "navoi/navoi.h"
#include "testutil.h"

/* Every test runs with a far-off zone and a comma-decimal locale (when
 * installed): results must not move. */
static void hostile_env(void)
{
    setenv("TZ", "Pacific/Kiritimati", 1);
    tzset();
    if (!setlocale(LC_ALL, "hu_HU.UTF-8"))
        setlocale(LC_ALL, "de_DE.UTF-8");
}

static void expect_dt(const char *s, int64_t want)
{
    int64_t ms = 12345;

    ck_assert_msg(navoi__parse_datetime(s, &ms) == NAVOI_OK, "rejected %s", s);
    ck_assert_msg(ms == want, "%s: got %lld want %lld", s, (long long)ms, (long long)want);
}

static void reject_dt(const char *s)
{
    int64_t ms = 12345;

    ck_assert_msg(navoi__parse_datetime(s, &ms) == NAVOI_EINVAL, "accepted %s", s);
    ck_assert_msg(ms == 12345, "output touched for %s", s);
}

START_TEST(test_days_from_civil)
{
    ck_assert_int_eq(navoi__days_from_civil(1970, 1, 1), 0);
    ck_assert_int_eq(navoi__days_from_civil(1969, 12, 31), -1);
    ck_assert_int_eq(navoi__days_from_civil(2000, 2, 29), 11016);
    ck_assert_int_eq(navoi__days_from_civil(2000, 3, 1), 11017);
    ck_assert_int_eq(navoi__days_from_civil(1900, 3, 1), -25508);
    ck_assert_int_eq(navoi__days_from_civil(1600, 2, 29), -135081);
    ck_assert_int_eq(navoi__days_from_civil(2100, 3, 1), 47541);
    ck_assert_int_eq(navoi__days_from_civil(1, 1, 1), -719162);
    ck_assert_int_eq(navoi__days_from_civil(9999, 12, 31), 2932896);
}
END_TEST

START_TEST(test_format_timestamp)
{
    char ts[25], d[11];

    hostile_env();
    ck_assert_int_eq(navoi__format_timestamp(0, ts), NAVOI_OK);
    ck_assert_str_eq(ts, "1970-01-01T00:00:00.000Z");
    ck_assert_int_eq(navoi__format_timestamp(INT64_C(1568199331440), ts), NAVOI_OK);
    ck_assert_str_eq(ts, "2019-09-11T10:55:31.440Z"); /* tokenExchange.xml's timestamp */
    ck_assert_int_eq(navoi__format_timestamp(INT64_C(1718000000123), ts), NAVOI_OK);
    ck_assert_str_eq(ts, "2024-06-10T06:13:20.123Z");
    ck_assert_int_eq(navoi__format_timestamp(-1, ts), NAVOI_OK);
    ck_assert_str_eq(ts, "1969-12-31T23:59:59.999Z");
    ck_assert_int_eq(navoi__format_timestamp(INT64_C(-86400001), ts), NAVOI_OK);
    ck_assert_str_eq(ts, "1969-12-30T23:59:59.999Z");
    ck_assert_int_eq(navoi__format_timestamp(INT64_C(1709251199000), ts), NAVOI_OK);
    ck_assert_str_eq(ts, "2024-02-29T23:59:59.000Z");
    ck_assert_int_eq(navoi__format_timestamp(INT64_C(253402300799999), ts), NAVOI_OK);
    ck_assert_str_eq(ts, "9999-12-31T23:59:59.999Z");
    /* Five-digit years and extreme values do not fit the format. */
    ck_assert_int_eq(navoi__format_timestamp(INT64_C(253402300800000), ts), NAVOI_EINVAL);
    ck_assert_int_eq(navoi__format_timestamp(INT64_MAX, ts), NAVOI_EINVAL);
    ck_assert_int_eq(navoi__format_timestamp(INT64_MIN, ts), NAVOI_EINVAL);

    ck_assert_int_eq(navoi__format_date(INT64_C(1709251199000), d), NAVOI_OK);
    ck_assert_str_eq(d, "2024-02-29");
    ck_assert_int_eq(navoi__format_date(-1, d), NAVOI_OK);
    ck_assert_str_eq(d, "1969-12-31");
}
END_TEST

START_TEST(test_parse_datetime_zones)
{
    hostile_env();
    expect_dt("2019-09-11T10:55:31.440Z", INT64_C(1568199331440));
    expect_dt("1970-01-01T00:00:00Z", 0);
    expect_dt("1969-12-31T23:59:59.999Z", -1);
    /* +01:00 as seen in a live tokenValidityFrom (PROTOCOL.md 4). */
    expect_dt("2024-02-29T23:59:59.999+01:00", INT64_C(1709247599999));
    expect_dt("2021-01-04T00:30:00+01:00", INT64_C(1609716600000));
    expect_dt("2000-02-29T12:00:00-05:30", INT64_C(951845400000));
    expect_dt("2024-03-31T01:59:59+14:00", INT64_C(1711799999000));
    /* No zone: taken as UTC. */
    expect_dt("2019-09-11T10:55:31.44", INT64_C(1568199331440));
    /* Fractions: 1..9 digits, ms kept, the rest truncated. */
    expect_dt("2019-09-11T10:55:31.4Z", INT64_C(1568199331400));
    expect_dt("2019-09-11T10:55:31.440999999Z", INT64_C(1568199331440));
    /* 24:00:00 is the next day's midnight. */
    expect_dt("2024-12-31T24:00:00Z", INT64_C(1735689600000));
    expect_dt("9999-12-31T23:59:59.999Z", INT64_C(253402300799999));
    expect_dt("0001-01-01T00:00:00Z", INT64_C(-62135596800000));
}
END_TEST

START_TEST(test_parse_datetime_rejects)
{
    hostile_env();
    reject_dt("");
    reject_dt("2019-09-11");
    reject_dt("2019-09-11 10:55:31Z");
    reject_dt("2019-09-11T10:55Z");
    reject_dt("2019-9-11T10:55:31Z");
    reject_dt("2019-09-11T10:55:31.Z");
    reject_dt("2019-09-11T10:55:31.1234567890Z");
    reject_dt("2019-09-11T10:55:31,440Z"); /* locale decimal comma */
    reject_dt("2019-09-11T10:55:31zz");
    reject_dt("2019-09-11T10:55:31Z ");
    reject_dt("2019-09-11T10:55:31+0100");
    reject_dt("2019-09-11T10:55:31+01");
    reject_dt("2019-09-11T10:55:31+15:00");
    reject_dt("2019-09-11T10:55:31+01:60");
    reject_dt("2019-13-11T10:55:31Z");
    reject_dt("2019-00-11T10:55:31Z");
    reject_dt("2019-04-31T10:55:31Z");
    reject_dt("2019-09-11T25:00:00Z");
    reject_dt("2019-09-11T24:00:01Z");
    reject_dt("2019-09-11T24:00:00.001Z");
    reject_dt("2019-09-11T10:60:00Z");
    reject_dt("2019-09-11T10:00:60Z");
    reject_dt("+2019-09-11T10:55:31Z");
    reject_dt(" 2019-09-11T10:55:31Z");
    ck_assert_int_eq(navoi__parse_datetime(NULL, NULL), NAVOI_EINVAL);
}
END_TEST

START_TEST(test_leap_years)
{
    int64_t ms;

    hostile_env();
    ck_assert_int_eq(navoi__parse_date("2024-02-29", &ms), NAVOI_OK);
    ck_assert_int_eq(ms, INT64_C(1709164800000));
    ck_assert_int_eq(navoi__parse_date("2000-02-29", &ms), NAVOI_OK); /* 400-year rule */
    ck_assert_int_eq(ms, INT64_C(11016) * 86400000);
    ck_assert_int_eq(navoi__parse_date("1600-02-29", &ms), NAVOI_OK);
    ck_assert_int_eq(ms, INT64_C(-135081) * 86400000);
    ck_assert_int_eq(navoi__parse_date("2023-02-29", &ms), NAVOI_EINVAL);
    ck_assert_int_eq(navoi__parse_date("1900-02-29", &ms), NAVOI_EINVAL); /* century */
    ck_assert_int_eq(navoi__parse_date("2100-02-29", &ms), NAVOI_EINVAL);
    ck_assert_int_eq(navoi__parse_date("2024-02-30", &ms), NAVOI_EINVAL);
    ck_assert_int_eq(navoi__parse_date("2024-12-31", &ms), NAVOI_OK);
    ck_assert_int_eq(navoi__parse_date("2024-12-32", &ms), NAVOI_EINVAL);
    ck_assert_int_eq(navoi__parse_date("2024-06-31", &ms), NAVOI_EINVAL);
    ck_assert_int_eq(navoi__parse_date("2024-06-1", &ms), NAVOI_EINVAL);
    ck_assert_int_eq(navoi__parse_date("2024-06-10Z", &ms), NAVOI_EINVAL);
    ck_assert_int_eq(navoi__parse_date("2024-06-10T00:00:00Z", &ms), NAVOI_EINVAL);
    reject_dt("1900-02-29T00:00:00Z");
    expect_dt("2000-02-29T23:59:59.999+01:00", INT64_C(11016) * 86400000 + 82799999);
}
END_TEST

START_TEST(test_roundtrip_every_day)
{
    /* Formatting then parsing every day of 1968..2104 (both leap-year rules,
     * the epoch and 2100) at a moment with all fields non-zero. */
    int64_t day, first = navoi__days_from_civil(1968, 1, 1),
                 last = navoi__days_from_civil(2104, 12, 31);
    char ts[25], d[11];

    hostile_env();
    for (day = first; day <= last; day++) {
        int64_t ms = day * 86400000 + 45296789, back = 0, dback = 0;
        ck_assert_int_eq(navoi__format_timestamp(ms, ts), NAVOI_OK);
        ck_assert_int_eq(navoi__parse_datetime(ts, &back), NAVOI_OK);
        ck_assert_int_eq(back, ms);
        ck_assert_str_eq(ts + 10, "T12:34:56.789Z");
        ck_assert_int_eq(navoi__format_date(ms, d), NAVOI_OK);
        ck_assert(strncmp(ts, d, 10) == 0);
        ck_assert_int_eq(navoi__parse_date(d, &dback), NAVOI_OK);
        ck_assert_int_eq(dback, day * 86400000);
    }
}
END_TEST

START_TEST(test_http_dates)
{
    int64_t ms = 0;

    hostile_env();
    /* RFC 7231 7.1.1.1: the three forms of the same instant. */
    ck_assert_int_eq(navoi__parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT", &ms), NAVOI_OK);
    ck_assert_int_eq(ms, INT64_C(784111777000));
    ms = 0;
    ck_assert_int_eq(navoi__parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT", &ms), NAVOI_OK);
    ck_assert_int_eq(ms, INT64_C(784111777000));
    ms = 0;
    ck_assert_int_eq(navoi__parse_http_date("Sun Nov  6 08:49:37 1994", &ms), NAVOI_OK);
    ck_assert_int_eq(ms, INT64_C(784111777000));
    ck_assert_int_eq(navoi__parse_http_date("Thu, 29 Feb 2024 23:59:59 GMT", &ms), NAVOI_OK);
    ck_assert_int_eq(ms, INT64_C(1709251199000));
    ck_assert_int_eq(navoi__parse_http_date("Wed, 11 Sep 2019 10:55:31 GMT", &ms), NAVOI_OK);
    ck_assert_int_eq(ms, INT64_C(1568199331000));

    ck_assert_int_eq(navoi__parse_http_date("Wed, 29 Feb 2023 23:59:59 GMT", &ms),
                     NAVOI_EINVAL);
    ck_assert_int_eq(navoi__parse_http_date("Sun, 06 Nov 1994 08:49:37 UTC", &ms),
                     NAVOI_EINVAL);
    ck_assert_int_eq(navoi__parse_http_date("Sun, 06 Nov 1994 08:49:37 +0000", &ms),
                     NAVOI_EINVAL);
    ck_assert_int_eq(navoi__parse_http_date("Sun, 6 Nov 1994 08:49:37 GMT", &ms),
                     NAVOI_EINVAL);
    ck_assert_int_eq(navoi__parse_http_date("sun, 06 nov 1994 08:49:37 GMT", &ms),
                     NAVOI_EINVAL);
    ck_assert_int_eq(navoi__parse_http_date("Sun, 06 Foo 1994 08:49:37 GMT", &ms),
                     NAVOI_EINVAL);
    ck_assert_int_eq(navoi__parse_http_date("Sun, 06 Nov 1994 24:49:37 GMT", &ms),
                     NAVOI_EINVAL);
    ck_assert_int_eq(navoi__parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT ", &ms),
                     NAVOI_EINVAL);
    ck_assert_int_eq(navoi__parse_http_date("1994-11-06T08:49:37Z", &ms), NAVOI_EINVAL);
    ck_assert_int_eq(navoi__parse_http_date("", &ms), NAVOI_EINVAL);
    ck_assert_int_eq(navoi__parse_http_date("Sun", &ms), NAVOI_EINVAL);
    ck_assert_int_eq(navoi__parse_http_date(NULL, &ms), NAVOI_EINVAL);
}
END_TEST

static Suite *timefmt_suite(void)
{
    Suite *s = suite_create("timefmt");
    TCase *tc = tcase_create("core");

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_days_from_civil);
    tcase_add_test(tc, test_format_timestamp);
    tcase_add_test(tc, test_parse_datetime_zones);
    tcase_add_test(tc, test_parse_datetime_rejects);
    tcase_add_test(tc, test_leap_years);
    tcase_add_test(tc, test_roundtrip_every_day);
    tcase_add_test(tc, test_http_dates);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return nt_run(timefmt_suite());
}
