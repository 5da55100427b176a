/*
 * test_conncheck.c - suite 'sync': navoi_check_connection() produces each
 * diagnosis from the misconfiguration that causes it, against the
 * in-process simulator (public API only). The wrong-environment diagnosis
 * needs NAV's own URL and is covered by test_conncheck_unit.c.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "e2e.h"
#include "testutil.h"

static sim_server *g_sim;

static const e2e_user k_manage_only = {"e2emanage01", "Manage-Only-01", NULL, "99999999",
                                       "e2e-manage-sign-key-0123456789AB", "m4nAgeOnly16chrs"};
static const e2e_user k_unregistered = {"e2eunreg01", "Unreg-Pass-01", NULL, "11111111",
                                        "e2e-unreg-sign-key-0123456789ABC", "unregX16charsKey"};
static const e2e_user k_inactive = {"e2einact01", "Inact-Pass-01", NULL, "99999999",
                                    "e2e-inact-sign-key-0123456789ABC", "inactX16charsKey"};

static void setup(void)
{
    g_sim = e2e_sim_start("[user]\n"
                          "login = e2emanage01\npassword = Manage-Only-01\n"
                          "taxNumber = 99999999\n"
                          "signKey = e2e-manage-sign-key-0123456789AB\n"
                          "exchangeKey = m4nAgeOnly16chrs\nrights = manage\n"
                          "[user]\n"
                          "login = e2eunreg01\npassword = Unreg-Pass-01\ntaxNumber = 11111111\n"
                          "signKey = e2e-unreg-sign-key-0123456789ABC\n"
                          "exchangeKey = unregX16charsKey\n"
                          "[taxpayer]\ntaxNumber = 11111111\nname = Nincs Kft\nregistered = false\n"
                          "[user]\n"
                          "login = e2einact01\npassword = Inact-Pass-01\ntaxNumber = 99999999\n"
                          "signKey = e2e-inact-sign-key-0123456789ABC\n"
                          "exchangeKey = inactX16charsKey\nactive = false\n");
}

static void teardown(void)
{
    sim_stop(g_sim);
    sim_free(g_sim);
}

/* Runs the check and asserts status, diagnosis and words of the message. */
static void expect(navoi_client *c, unsigned flags, int status, int diag, const char *w1,
                   const char *w2)
{
    int st = -1, dg = -1;
    const char *msg;
    ck_assert_int_eq(navoi_check_connection(c, flags, &st, &dg), NAVOI_OK);
    msg = navoi_client_errmsg(c);
    ck_assert_msg(st == status && dg == diag, "status %s diagnosis %s, want %s %s: %s",
                  navoi_conn_status_name(st), navoi_diagnosis_name(dg),
                  navoi_conn_status_name(status), navoi_diagnosis_name(diag), msg);
    if (w1)
        ck_assert_msg(strstr(msg, w1) != NULL, "'%s' not in: %s", w1, msg);
    if (w2)
        ck_assert_msg(strstr(msg, w2) != NULL, "'%s' not in: %s", w2, msg);
    e2e_assert_no_secret(msg, "diagnosis");
}

static void expect_with(navoi_client *c, const char *pw, const char *sk, const char *xk,
                        int status, int diag, const char *w1)
{
    int st = -1, dg = -1;
    const char *msg;
    ck_assert_int_eq(navoi_check_connection_with(c, 0, pw, sk, xk, &st, &dg), NAVOI_OK);
    msg = navoi_client_errmsg(c);
    ck_assert_msg(st == status && dg == diag, "status %s diagnosis %s, want %s %s: %s",
                  navoi_conn_status_name(st), navoi_diagnosis_name(dg),
                  navoi_conn_status_name(status), navoi_diagnosis_name(diag), msg);
    if (w1)
        ck_assert_msg(strstr(msg, w1) != NULL, "'%s' not in: %s", w1, msg);
    e2e_assert_no_secret(msg, "diagnosis");
}

START_TEST(active)
{
    navoi_client *c = e2e_client(g_sim, &e2e_seller, 0);
    int st = 0, dg = -1;
    ck_assert_int_eq(navoi_check_connection(c, 0, &st, &dg), NAVOI_OK);
    ck_assert_str_eq(navoi_conn_status_name(st), "ACTIVE");
    ck_assert_int_eq(dg, NAVOI_DIAG_NONE);
    ck_assert_str_eq(navoi_client_errmsg(c), "");
    /* well-formed raw keys are taken */
    expect_with(c, e2e_seller.password, e2e_seller.sign_key, e2e_seller.exch_key,
                NAVOI_CONN_ACTIVE, NAVOI_DIAG_NONE, NULL);
    ck_assert_int_eq(navoi_check_connection(NULL, 0, &st, &dg), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_check_connection(c, 0x80, &st, &dg), NAVOI_EINVAL);
    e2e_client_free(c);
}
END_TEST

START_TEST(no_config_names_the_missing_settings)
{
    navoi_client *c = NULL;
    ck_assert_int_eq(navoi_client_new(&c), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_base_url(c, sim_base_url(g_sim)), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_login(c, e2e_seller.login), NAVOI_OK);
    expect(c, 0, NAVOI_CONN_NO_CONFIG, NAVOI_DIAG_MISSING_CONFIG, "password", "signing-key");
    ck_assert_ptr_nonnull(strstr(navoi_client_errmsg(c), "exchange-key"));
    ck_assert_ptr_nonnull(strstr(navoi_client_errmsg(c), "tax-number"));
    ck_assert_ptr_nonnull(strstr(navoi_client_errmsg(c), "software"));
    ck_assert_ptr_null(strstr(navoi_client_errmsg(c), "login"));
    /* query-only checks do not need the exchange key */
    expect(c, NAVOI_CHECK_QUERY_ONLY, NAVOI_CONN_NO_CONFIG, NAVOI_DIAG_MISSING_CONFIG,
           "signing-key", NULL);
    ck_assert_ptr_null(strstr(navoi_client_errmsg(c), "exchange-key"));
    navoi_client_free(c);
}
END_TEST

START_TEST(key_form)
{
    navoi_client *c = e2e_client(g_sim, &e2e_seller, 0);
    char sk[64], xk[32];
    /* a trailing line break, a space inside, too short, too long */
    snprintf(sk, sizeof sk, "%s\n", e2e_seller.sign_key);
    expect_with(c, NULL, sk, NULL, NAVOI_CONN_ERROR, NAVOI_DIAG_KEY_WHITESPACE, "line break");
    ck_assert_ptr_nonnull(strstr(navoi_client_errmsg(c), "signing key"));
    snprintf(sk, sizeof sk, "%s", e2e_seller.sign_key);
    sk[10] = ' ';
    expect_with(c, NULL, sk, NULL, NAVOI_CONN_ERROR, NAVOI_DIAG_KEY_WHITESPACE, "position 11");
    snprintf(sk, sizeof sk, "%.31s", e2e_seller.sign_key);
    expect_with(c, NULL, sk, NULL, NAVOI_CONN_ERROR, NAVOI_DIAG_KEY_LENGTH, "31 characters");
    snprintf(xk, sizeof xk, "%sX", e2e_seller.exch_key);
    expect_with(c, NULL, NULL, xk, NAVOI_CONN_ERROR, NAVOI_DIAG_KEY_LENGTH, "17 characters");
    snprintf(xk, sizeof xk, " %s", e2e_seller.exch_key);
    expect_with(c, NULL, NULL, xk, NAVOI_CONN_ERROR, NAVOI_DIAG_KEY_WHITESPACE, "exchange key");
    expect_with(c, "Teszt-Jelszo-01\r\n", NULL, NULL, NAVOI_CONN_ERROR,
                NAVOI_DIAG_KEY_WHITESPACE, "password");
    expect_with(c, "", NULL, NULL, NAVOI_CONN_NO_CONFIG, NAVOI_DIAG_MISSING_CONFIG, "empty");
    e2e_client_free(c);
}
END_TEST

START_TEST(wrong_password_and_keys)
{
    navoi_client *c = e2e_client_custom(g_sim, &e2e_seller, "Wrong-Jelszo-99", NULL, NULL);
    expect(c, 0, NAVOI_CONN_ERROR, NAVOI_DIAG_WRONG_PASSWORD, "INVALID_SECURITY_USER",
           e2e_seller.login);
    ck_assert_str_eq(navoi_client_nav_error_code(c), "INVALID_SECURITY_USER");
    e2e_client_free(c);

    c = e2e_client_custom(g_sim, &e2e_seller, NULL, "zz-8f5e-215119fa7dd621DLMRHRLH2S", NULL);
    expect(c, 0, NAVOI_CONN_ERROR, NAVOI_DIAG_SIGNING_KEY, "signing key", NULL);
    e2e_client_free(c);

    c = e2e_client_custom(g_sim, &e2e_seller, NULL, NULL, "0febIBBQRLZ348IB");
    expect(c, 0, NAVOI_CONN_ERROR, NAVOI_DIAG_EXCHANGE_KEY, "exchange key", NULL);
    /* the exchange key plays no part in a query-only check */
    expect(c, NAVOI_CHECK_QUERY_ONLY, NAVOI_CONN_ACTIVE, NAVOI_DIAG_NONE, NULL, NULL);
    e2e_client_free(c);
}
END_TEST

START_TEST(missing_permission)
{
    /* e2e_buyer may only query: no tokenExchange */
    navoi_client *c = e2e_client(g_sim, &e2e_buyer, 0);
    expect(c, 0, NAVOI_CONN_ERROR, NAVOI_DIAG_PERMISSION, "manage", "tokenExchange");
    expect(c, NAVOI_CHECK_QUERY_ONLY, NAVOI_CONN_ACTIVE, NAVOI_DIAG_NONE, NULL, NULL);
    e2e_client_free(c);
    /* a user that may only report cannot query */
    c = e2e_client(g_sim, &k_manage_only, 0);
    expect(c, 0, NAVOI_CONN_ERROR, NAVOI_DIAG_PERMISSION, "query", "queryTaxpayer");
    e2e_client_free(c);
}
END_TEST

START_TEST(unregistered_taxpayer_and_inactive_user)
{
    navoi_client *c = e2e_client(g_sim, &k_unregistered, 0);
    expect(c, 0, NAVOI_CONN_ERROR, NAVOI_DIAG_NOT_REGISTERED, "11111111",
           "NOT_REGISTERED_CUSTOMER");
    e2e_client_free(c);
    c = e2e_client(g_sim, &k_inactive, 0);
    expect(c, 0, NAVOI_CONN_ERROR, NAVOI_DIAG_USER_RELATION, "INVALID_USER_RELATION", NULL);
    e2e_client_free(c);
}
END_TEST

static int64_t skewed_clock(void *ud)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + *(int64_t *)ud;
}

START_TEST(clock_skew_says_by_how_much)
{
    static int64_t ahead = (int64_t)(2 * 24 + 5) * 3600 * 1000; /* 2 d 5 h */
    static int64_t behind = -(int64_t)(3 * 24) * 3600 * 1000;
    navoi_client *c = e2e_client(g_sim, &e2e_seller, 0);
    navoi_client_set_clock(c, skewed_clock, &ahead);
    expect(c, 0, NAVOI_CONN_ERROR, NAVOI_DIAG_CLOCK_SKEW, "2 d 5 h", "ahead of");
    ck_assert_str_eq(navoi_client_nav_error_code(c), "INVALID_TIMESTAMP");
    navoi_client_set_clock(c, skewed_clock, &behind);
    expect(c, 0, NAVOI_CONN_ERROR, NAVOI_DIAG_CLOCK_SKEW, "3 d 0 h", "behind");
    e2e_client_free(c);
}
END_TEST

START_TEST(network_tls_and_http)
{
    navoi_client *c = e2e_client(g_sim, &e2e_seller, 0);
    char url[256];
    ck_assert_int_eq(navoi_client_set_base_url(c, "http://127.0.0.1:1/invoiceService/v3"),
                     NAVOI_OK);
    expect(c, 0, NAVOI_CONN_ERROR, NAVOI_DIAG_NETWORK, "cannot reach", "127.0.0.1:1");
    /* TLS to a server that speaks plain HTTP: the handshake fails */
    snprintf(url, sizeof url, "https://127.0.0.1:%u/invoiceService/v3", (unsigned)sim_port(g_sim));
    ck_assert_int_eq(navoi_client_set_base_url(c, url), NAVOI_OK);
    expect(c, 0, NAVOI_CONN_ERROR, NAVOI_DIAG_TLS, "TLS", NULL);
    snprintf(url, sizeof url, "http://127.0.0.1:%u/wrongService/v3", (unsigned)sim_port(g_sim));
    ck_assert_int_eq(navoi_client_set_base_url(c, url), NAVOI_OK);
    expect(c, 0, NAVOI_CONN_ERROR, NAVOI_DIAG_HTTP, "404", "base URL");
    e2e_client_free(c);
}
END_TEST

START_TEST(names)
{
    int d;
    ck_assert_str_eq(navoi_diagnosis_name(NAVOI_DIAG_CLOCK_SKEW), "CLOCK_SKEW");
    ck_assert_str_eq(navoi_diagnosis_name(NAVOI_DIAG_WRONG_ENVIRONMENT), "WRONG_ENVIRONMENT");
    ck_assert_str_eq(navoi_diagnosis_name(99), "UNKNOWN");
    ck_assert_str_eq(navoi_conn_status_name(NAVOI_CONN_NO_CONFIG), "NO_CONFIG");
    ck_assert_str_eq(navoi_conn_status_name(0), "UNKNOWN");
    for (d = NAVOI_DIAG_NONE; d <= NAVOI_DIAG_OTHER; d++)
        ck_assert_str_ne(navoi_diagnosis_name(d), "UNKNOWN");
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("conncheck");
    TCase *tc = tcase_create("conncheck");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, active);
    tcase_add_test(tc, no_config_names_the_missing_settings);
    tcase_add_test(tc, key_form);
    tcase_add_test(tc, wrong_password_and_keys);
    tcase_add_test(tc, missing_permission);
    tcase_add_test(tc, unregistered_taxpayer_and_inactive_user);
    tcase_add_test(tc, clock_skew_says_by_how_much);
    tcase_add_test(tc, network_tls_and_http);
    tcase_add_test(tc, names);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return nt_run(suite());
}
