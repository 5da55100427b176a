/*
 * test_conncheck_unit.c - suite 'sync': the diagnoses that need NAV's own
 * URL (credentials of the other environment) or failures a local server
 * cannot produce on demand, over a fake transport (internal seam).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/client.h"
#include "http/transport.h"
#include "navoi/navoi.h"
#include "testutil.h"

#define ERR(code)                                                                            \
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ns2:GeneralErrorResponse "                    \
    "xmlns=\"http://schemas.nav.gov.hu/NTCA/1.0/common\" "                                   \
    "xmlns:ns2=\"http://schemas.nav.gov.hu/OSA/3.0/api\"><result><funcCode>ERROR</funcCode>" \
    "<errorCode>" code "</errorCode><message>x</message></result></ns2:GeneralErrorResponse>"

typedef struct fake {
    navoi__transport base;
    int rc;
    long status;
    const char *body;
    char url[256];
} fake;

static int fake_send(navoi__transport *t, const navoi__http_req *req, navoi__http_resp *resp)
{
    fake *f = (fake *)t;
    navoi__http_resp_init(resp);
    snprintf(f->url, sizeof f->url, "%s", req->url);
    resp->status = f->status;
    if (f->body)
        navoi__buf_puts(&resp->body, f->body);
    if (f->rc != NAVOI_OK)
        snprintf(resp->errmsg, sizeof resp->errmsg, "SSL certificate problem: unable to get "
                                                    "local issuer certificate");
    return f->rc;
}

static void fake_destroy(navoi__transport *t)
{
    free(t);
}

static navoi_client *client(int env, const char *base_url, int rc, long status, const char *body)
{
    navoi_client *c = NULL;
    fake *f = calloc(1, sizeof *f);
    ck_assert_ptr_nonnull(f);
    f->base.send = fake_send;
    f->base.destroy = fake_destroy;
    f->rc = rc;
    f->status = status;
    f->body = body;
    ck_assert_int_eq(navoi_client_new(&c), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_environment(c, env), NAVOI_OK);
    if (base_url)
        ck_assert_int_eq(navoi_client_set_base_url(c, base_url), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_login(c, "unitlogin01"), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_password(c, "Unit-Password-1"), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_tax_number(c, "12345676"), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_signing_key(c, "unit-sign-key-0123456789ABCDEFGH"), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_exchange_key(c, "unitX16charsKey0"), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_software(c, "HU12345676-UNIT001", "navoi unit", 1, "0.1",
                                               "navoi", "dev@navoi.example", "HU", NULL),
                     NAVOI_OK);
    navoi__client_set_transport(c, &f->base);
    return c;
}

static void expect(navoi_client *c, int status, int diag, const char *w1, const char *w2)
{
    int st = -1, dg = -1;
    const char *msg;
    ck_assert_int_eq(navoi_check_connection(c, 0, &st, &dg), NAVOI_OK);
    msg = navoi_client_errmsg(c);
    ck_assert_msg(st == status && dg == diag, "got %s/%s: %s", navoi_conn_status_name(st),
                  navoi_diagnosis_name(dg), msg);
    if (w1)
        ck_assert_msg(strstr(msg, w1) != NULL, "'%s' not in: %s", w1, msg);
    if (w2)
        ck_assert_msg(strstr(msg, w2) != NULL, "'%s' not in: %s", w2, msg);
    ck_assert_ptr_null(strstr(msg, "Unit-Password-1"));
    ck_assert_ptr_null(strstr(msg, "unit-sign-key"));
    ck_assert_ptr_null(strstr(msg, "unitX16charsKey0"));
}

START_TEST(test_keys_against_production)
{
    navoi_client *c = client(NAVOI_ENV_PRODUCTION, NULL, NAVOI_OK, 401,
                             ERR("INVALID_SECURITY_USER"));
    expect(c, NAVOI_CONN_ERROR, NAVOI_DIAG_WRONG_ENVIRONMENT, "production environment",
           "other environment");
    ck_assert_str_eq(navoi_client_nav_error_code(c), "INVALID_SECURITY_USER");
    navoi_client_free(c);
}
END_TEST

START_TEST(production_keys_against_test)
{
    navoi_client *c = client(NAVOI_ENV_TEST, NULL, NAVOI_OK, 400,
                             ERR("INVALID_REQUEST_SIGNATURE"));
    expect(c, NAVOI_CONN_ERROR, NAVOI_DIAG_WRONG_ENVIRONMENT, "other environment", NULL);
    navoi_client_free(c);
    c = client(NAVOI_ENV_TEST, NULL, NAVOI_OK, 401, ERR("INVALID_SECURITY_USER"));
    expect(c, NAVOI_CONN_ERROR, NAVOI_DIAG_WRONG_ENVIRONMENT, "test environment", NULL);
    navoi_client_free(c);
}
END_TEST

START_TEST(same_codes_elsewhere_mean_wrong_credentials)
{
    navoi_client *c = client(NAVOI_ENV_TEST, "http://127.0.0.1:9/invoiceService/v3", NAVOI_OK,
                             401, ERR("INVALID_SECURITY_USER"));
    expect(c, NAVOI_CONN_ERROR, NAVOI_DIAG_WRONG_PASSWORD, "unitlogin01", "password");
    navoi_client_free(c);
}
END_TEST

START_TEST(tls_reason_and_maintenance)
{
    navoi_client *c = client(NAVOI_ENV_PRODUCTION, NULL, NAVOI_ETLS, 0, NULL);
    expect(c, NAVOI_CONN_ERROR, NAVOI_DIAG_TLS, "unable to get local issuer certificate",
           "api.onlineszamla.nav.gov.hu");
    navoi_client_free(c);
    c = client(NAVOI_ENV_TEST, NULL, NAVOI_OK, 503, ERR("MAINTENANCE_MODE"));
    expect(c, NAVOI_CONN_ERROR, NAVOI_DIAG_MAINTENANCE, "maintenance", NULL);
    navoi_client_free(c);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("conncheck-unit");
    TCase *tc = tcase_create("conncheck-unit");
    tcase_add_test(tc, test_keys_against_production);
    tcase_add_test(tc, production_keys_against_test);
    tcase_add_test(tc, same_codes_elsewhere_mean_wrong_credentials);
    tcase_add_test(tc, tls_reason_and_maintenance);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return nt_run(suite());
}
