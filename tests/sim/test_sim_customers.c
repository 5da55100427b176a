/* test_sim_customers.c - conditions that depend on NAV's taxpayer
 * database and user administration, injected through the configuration:
 * invalidCustomers and [taxpayer] valid = false give 500 INVALID_CUSTOMER
 * (spec 3.2 #7), a technical user restricted with customers = ... gets
 * CUSTOMER_NOT_ASSIGNED (3.3.2 #10) for any other or missing customer
 * tax number. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "simtest.h"
#include "testutil.h"

static const char *k_config =
    "[settings]\n"
    "selfCheck = true\n"
    "clock = 2024-06-15T10:00:00Z\n"
    "invalidCustomers = 11111111\n"
    ST_SELLER_INI
    "[user]\n"
    "login = restricted01\n"
    "password = Korlatozott-03\n"
    "taxNumber = 99999999\n"
    "signKey = restricted-sign-key-0123456789AB\n"
    "exchangeKey = R3str1ct3dK3y016\n"
    "customers = 12345676\n"
    "customers = 24681353, 13579135\n"
    "[user]\n"
    "login = barreduser1\n"
    "password = Tiltott-Jelszo-04\n"
    "taxNumber = 11111111\n"
    "signKey = barred-sign-key-0123456789ABCDEF\n"
    "exchangeKey = B4rr3dK3y0123456\n"
    "[user]\n"
    "login = lapseduser1\n"
    "password = Megszunt-Jelszo-05\n"
    "taxNumber = 22222222\n"
    "signKey = lapsed-sign-key-0123456789ABCDEF\n"
    "exchangeKey = L4ps3dK3y0123456\n"
    "[taxpayer]\n"
    "taxNumber = 22222222\n"
    "name = Megszűnt Kft\n"
    "valid = false\n";

static const st_user k_restricted = {"restricted01", "Korlatozott-03", "99999999",
                                     "restricted-sign-key-0123456789AB", "R3str1ct3dK3y016"};
static const st_user k_barred = {"barreduser1", "Tiltott-Jelszo-04", "11111111",
                                 "barred-sign-key-0123456789ABCDEF", "B4rr3dK3y0123456"};
static const st_user k_lapsed = {"lapseduser1", "Megszunt-Jelszo-05", "22222222",
                                 "lapsed-sign-key-0123456789ABCDEF", "L4ps3dK3y0123456"};

static void expect_invalid_customer(sim_server *s, const st_user *u, const char *op,
                                    const char *root, const char *inner)
{
    char *req = st_request(s, u, root, NULL, inner), *code;
    st_resp r;
    st_post(s, op, req, &r);
    ck_assert_msg(r.http == 500, "%s: HTTP %ld: %s", op, r.http, r.body);
    ck_assert(st_valid_api(r.body, r.len));
    code = st_text(r.body, r.len, "errorCode");
    ck_assert_str_eq(code, "INVALID_CUSTOMER");
    free(code);
    st_resp_free(&r);
    free(req);
}

static char *taxpayer_validity(sim_server *s, const char *tax)
{
    char inner[64], *req, *v;
    st_resp r;
    snprintf(inner, sizeof inner, "<taxNumber>%s</taxNumber>", tax);
    req = st_request(s, &st_seller, "QueryTaxpayerRequest", NULL, inner);
    st_post(s, "queryTaxpayer", req, &r);
    ck_assert_int_eq(r.http, 200);
    v = st_text(r.body, r.len, "taxpayerValidity");
    st_resp_free(&r);
    free(req);
    return v;
}

START_TEST(invalid_customer)
{
    sim_server *s = st_start(k_config);
    char *v, *tok;
    /* listed in invalidCustomers: every operation */
    expect_invalid_customer(s, &k_barred, "tokenExchange", "TokenExchangeRequest", "");
    expect_invalid_customer(s, &k_barred, "queryTaxpayer", "QueryTaxpayerRequest",
                            "<taxNumber>99999999</taxNumber>");
    /* a taxpayer configured as not valid */
    expect_invalid_customer(s, &k_lapsed, "tokenExchange", "TokenExchangeRequest", "");
    /* and both look invalid to others, while the seller works */
    tok = st_token(s, &st_seller);
    free(tok);
    v = taxpayer_validity(s, "11111111");
    ck_assert_str_eq(v, "false");
    free(v);
    v = taxpayer_validity(s, "22222222");
    ck_assert_str_eq(v, "false");
    free(v);
    v = taxpayer_validity(s, "99999999");
    ck_assert_str_eq(v, "true");
    free(v);
    sim_free(s);
}
END_TEST

static void expect_not_assigned(const char *body)
{
    st_assert_status(body, "ABORTED");
    ck_assert_msg(st_has_message(body, strlen(body), "ERROR", "CUSTOMER_NOT_ASSIGNED") == 1, "%s",
                  body);
    ck_assert_int_eq(st_has_message(body, strlen(body), NULL, NULL), 1);
}

START_TEST(customer_not_assigned)
{
    sim_server *s = st_start(k_config);
    char *xml = st_fixture("normal.xml"), *other, *body;

    /* an allowed customer */
    body = st_run(s, &k_restricted, "CREATE", xml);
    st_assert_clean(body, "allowed customer");
    free(body);
    /* another one, listed on the second customers line */
    other = st_edit(st_edit(strdup(xml), ">RULES-N-001<", 1, ">RULES-N-011<"),
                    "<base:taxpayerId>12345676<", 1, "<base:taxpayerId>13579135<");
    body = st_run(s, &k_restricted, "CREATE", other);
    st_assert_clean(body, "customer from the second list line");
    free(body);
    free(other);
    /* a customer outside the list */
    other = st_edit(st_edit(strdup(xml), ">RULES-N-001<", 1, ">RULES-N-012<"),
                    "<base:taxpayerId>12345676<", 1, "<base:taxpayerId>87654320<");
    body = st_run(s, &k_restricted, "CREATE", other);
    expect_not_assigned(body);
    free(body);
    /* ... which an unrestricted user of the same taxpayer may invoice */
    body = st_run(s, &st_seller, "CREATE", other);
    st_assert_clean(body, "unrestricted user");
    free(body);
    free(other);
    /* no customer tax number at all (a private person) */
    other = st_fixture("simplified.xml");
    body = st_run(s, &k_restricted, "CREATE", other);
    expect_not_assigned(body);
    free(body);
    free(other);
    /* an amendment without customer data has no customer tax number */
    other = st_fixture("modify.xml");
    body = st_run(s, &k_restricted, "MODIFY", other);
    expect_not_assigned(body);
    free(body);
    free(other);
    free(xml);
    sim_free(s);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("sim-customers");
    TCase *tc = tcase_create("customers");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, invalid_customer);
    tcase_add_test(tc, customer_not_assigned);
    suite_add_tcase(su, tc);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    return nt_run(su);
}
