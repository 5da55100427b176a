/* test_decimal.c - src/invoice/decimal.c: parsing, exact arithmetic,
 * rounding half away from zero and overflow detection. Every expected
 * value is worked out by hand in the comment next to it. */
#include <string.h>

#include <check.h>

#include "invoice/decimal.h"
#include "navoi/navoi.h"
#include "testutil.h"

static navoi__dec D(const char *s)
{
    navoi__dec d;
    ck_assert_msg(navoi__dec_parse(s, &d) == NAVOI_OK, "parse %s", s);
    return d;
}

static void expect(const navoi__dec *d, const char *want)
{
    char buf[NAVOI__DEC_STRLEN];
    navoi__dec_format(d, buf, sizeof buf);
    ck_assert_str_eq(buf, want);
}

START_TEST(parse_format)
{
    static const struct {
        const char *in, *out;
    } v[] = {
        {"0", "0"},         {"1500.00", "1500.00"}, {"-300.00", "-300.00"}, {"+7", "7"},
        {".5", "0.5"},      {"5.", "5"},            {"0.05", "0.05"},       {"-0.000", "0.000"},
        {"007.10", "7.10"}, {"123456789012345678.99", "123456789012345678.99"},
        {"-0.0000000001", "-0.0000000001"},
    };
    static const char *const bad[] = {"", "-", ".", "1,5", "1.2.3", "1e5", " 1", "1 ", "abc", "--1", NULL};
    navoi__dec d;
    size_t i;

    for (i = 0; i < sizeof v / sizeof v[0]; i++) {
        d = D(v[i].in);
        expect(&d, v[i].out);
    }
    for (i = 0; bad[i]; i++)
        ck_assert_msg(navoi__dec_parse(bad[i], &d) == NAVOI_EINVAL, "'%s' accepted", bad[i]);
    ck_assert_int_eq(navoi__dec_parse(NULL, &d), NAVOI_EINVAL);
    /* 55 digits do not fit in 54 */
    ck_assert_int_eq(navoi__dec_parse("1234567890123456789012345678901234567890123456789012345", &d),
                     NAVOI_ETOOBIG);
    /* 54 nines do */
    ck_assert_int_eq(navoi__dec_parse("999999999999999999999999999999999999999999999999999999", &d),
                     NAVOI_OK);
}
END_TEST

START_TEST(add_sub)
{
    navoi__dec a = D("600000.00"), b = D("-480000"), r;

    /* 600000.00 + (-480000) = 120000.00 (scale of the finer operand) */
    ck_assert_int_eq(navoi__dec_add(&a, &b, &r), NAVOI_OK);
    expect(&r, "120000.00");
    /* -480000 - 600000.00 = -1080000.00 */
    ck_assert_int_eq(navoi__dec_sub(&b, &a, &r), NAVOI_OK);
    expect(&r, "-1080000.00");
    /* 0.1 + 0.2 = 0.3 exactly (the classic binary floating point failure) */
    a = D("0.1");
    b = D("0.2");
    navoi__dec_add(&a, &b, &r);
    expect(&r, "0.3");
    /* x - x = 0, never "-0" */
    a = D("-12.34");
    navoi__dec_sub(&a, &a, &r);
    expect(&r, "0.00");
    ck_assert(navoi__dec_is_zero(&r));
    /* carry across a limb: 999999999 + 1 = 1000000000 */
    a = D("999999999");
    b = D("1");
    navoi__dec_add(&a, &b, &r);
    expect(&r, "1000000000");
    /* borrow across a limb: 1000000000 - 0.01 = 999999999.99 */
    a = D("1000000000");
    b = D("0.01");
    navoi__dec_sub(&a, &b, &r);
    expect(&r, "999999999.99");
}
END_TEST

START_TEST(mul)
{
    navoi__dec a, b, r;

    /* 1500.00 kg x 400.00 HUF = 600000.0000 (scale 2 + 2) */
    a = D("1500.00");
    b = D("400.00");
    ck_assert_int_eq(navoi__dec_mul(&a, &b, &r), NAVOI_OK);
    expect(&r, "600000.0000");
    /* 4800000.00 x 0.27 = 1296000.0000 (Belfoldi_termekertekesites.xml line 2) */
    a = D("4800000.00");
    b = D("0.27");
    navoi__dec_mul(&a, &b, &r);
    expect(&r, "1296000.0000");
    /* signs: -3 x 0.5 = -1.5; -3 x -0.5 = 1.5 */
    a = D("-3");
    b = D("0.5");
    navoi__dec_mul(&a, &b, &r);
    expect(&r, "-1.5");
    b = D("-0.5");
    navoi__dec_mul(&a, &b, &r);
    expect(&r, "1.5");
    /* 123456789 x 987654321 = 121932631112635269 (crosses a limb) */
    a = D("123456789");
    b = D("987654321");
    navoi__dec_mul(&a, &b, &r);
    expect(&r, "121932631112635269");
    /* 22-digit quantity x 22-digit price: 44 digits still fit */
    a = D("9999999999999999999999");
    b = D("9999999999999999999999");
    ck_assert_int_eq(navoi__dec_mul(&a, &b, &r), NAVOI_OK);
    /* (10^22 - 1)^2 = 10^44 - 2*10^22 + 1 */
    expect(&r, "99999999999999999999980000000000000000000001");
    /* 30 digits x 30 digits = 59/60 digits: overflow, reported */
    a = D("999999999999999999999999999999");
    ck_assert_int_eq(navoi__dec_mul(&a, &a, &r), NAVOI_ETOOBIG);
}
END_TEST

START_TEST(rounding)
{
    static const struct {
        const char *in;
        int scale;
        const char *out;
    } v[] = {
        /* half away from zero: the first dropped digit decides */
        {"2.345", 2, "2.35"},   {"-2.345", 2, "-2.35"}, {"2.3449999", 2, "2.34"},
        {"0.005", 2, "0.01"},   {"-0.005", 2, "-0.01"}, {"0.00499", 2, "0.00"},
        {"1.995", 2, "2.00"},   {"-1.995", 2, "-2.00"}, {"999.995", 2, "1000.00"},
        {"1.5", 0, "2"},        {"2.5", 0, "3"},        {"-2.5", 0, "-3"},
        {"7", 2, "7.00"},       {"1.2", 4, "1.2000"},   {"-0.001", 2, "0.00"},
        /* 1000.00 x 0.27 = 270.0000 -> 270.00 */
        {"270.0000", 2, "270.00"},
        /* 1.01 x 0.27 = 0.2727 -> 0.27 */
        {"0.2727", 2, "0.27"},
        /* 3 x 0.335 = 1.005 -> 1.01 (banker's rounding would give 1.00) */
        {"1.005", 2, "1.01"},
    };
    navoi__dec r, d;
    size_t i;

    for (i = 0; i < sizeof v / sizeof v[0]; i++) {
        d = D(v[i].in);
        ck_assert_int_eq(navoi__dec_round(&d, v[i].scale, &r), NAVOI_OK);
        expect(&r, v[i].out);
    }
    d = D("1");
    ck_assert_int_eq(navoi__dec_round(&d, -1, &r), NAVOI_EINVAL);
}
END_TEST

START_TEST(compare_digits)
{
    navoi__dec a = D("1.50"), b = D("1.5"), c = D("-2"), z = D("-0.00");

    ck_assert_int_eq(navoi__dec_cmp(&a, &b), 0);
    ck_assert_int_eq(navoi__dec_cmp(&c, &a), -1);
    ck_assert_int_eq(navoi__dec_cmp(&a, &c), 1);
    ck_assert_int_eq(navoi__dec_cmp_abs(&c, &a), 1);
    ck_assert_int_eq(navoi__dec_cmp(&z, &(navoi__dec){{0}, 0, 0}), 0);
    /* totalDigits as XSD counts them: 0.05 -> 1, 100 -> 3, 1500.00 -> 4 */
    a = D("0.05");
    ck_assert_int_eq(navoi__dec_total_digits(&a), 1);
    a = D("100");
    ck_assert_int_eq(navoi__dec_total_digits(&a), 3);
    a = D("1500.00");
    ck_assert_int_eq(navoi__dec_total_digits(&a), 4);
    navoi__dec_normalize(&a);
    expect(&a, "1500");
    a = D("0.2126");
    ck_assert_int_eq(navoi__dec_total_digits(&a), 4);
    navoi__dec_negate(&a);
    expect(&a, "-0.2126");
    navoi__dec_abs(&a);
    expect(&a, "0.2126");
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("decimal");
    TCase *t = tcase_create("core");
    tcase_add_test(t, parse_format);
    tcase_add_test(t, add_sub);
    tcase_add_test(t, mul);
    tcase_add_test(t, rounding);
    tcase_add_test(t, compare_digits);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    return nt_run(suite());
}
