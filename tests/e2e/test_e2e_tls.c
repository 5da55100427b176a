/* test_e2e_tls.c - the navoi client against navoi-sim over HTTPS (issue 3).
 *
 * A test CA and server certificates are made at run time with the openssl
 * command-line tool in a temporary directory: one for 127.0.0.1/localhost,
 * one for a wrong host name, one that expired years ago, and a second,
 * unrelated CA. With the right CA the client reports an invoice to DONE;
 * with the wrong CA, the wrong host or the expired certificate it fails
 * closed at the first attempt with NAVOI_ETLS / NAVOI_CAT_SECURITY, and
 * the simulator's request counter shows that nothing reached its handler.
 *
 * Exit 77 (skip) when the openssl tool is missing or libmicrohttpd was
 * built without TLS. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <microhttpd.h>

#include "e2e.h"
#include "testutil.h"

static char g_dir[64];          /* temporary directory with the PEM files */
static int g_have_expired;

static char *pem(const char *name)
{
    size_t n = strlen(g_dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (!p)
        abort(); /* also called from main(), outside any Check test */
    snprintf(p, n, "%s/%s", g_dir, name);
    return p;
}

/* Runs a shell command inside g_dir; its output goes to openssl.log there. */
static int run(const char *cmd)
{
    char line[2048];
    snprintf(line, sizeof line, "cd '%s' && { %s ; } >>openssl.log 2>&1", g_dir, cmd);
    return system(line) == 0 ? 0 : -1;
}

#define EC_KEY "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"

static int make_pki(void)
{
    static const char *ext =
        "[req]\n"
        "distinguished_name = dn\n"
        "[dn]\n"
        "[ca]\n"
        "basicConstraints = critical, CA:TRUE\n"
        "keyUsage = critical, keyCertSign, cRLSign\n"
        "subjectKeyIdentifier = hash\n"
        "[srv]\n"
        "basicConstraints = critical, CA:FALSE\n"
        "keyUsage = critical, digitalSignature\n"
        "extendedKeyUsage = serverAuth\n"
        "subjectAltName = IP:127.0.0.1, DNS:localhost\n"
        "authorityKeyIdentifier = keyid\n"
        "[wrong]\n"
        "basicConstraints = critical, CA:FALSE\n"
        "keyUsage = critical, digitalSignature\n"
        "extendedKeyUsage = serverAuth\n"
        "subjectAltName = DNS:wrong-host.invalid\n"
        "authorityKeyIdentifier = keyid\n";
    /* openssl ca is the only way the 3.0 tool takes explicit validity
     * dates, which an expired certificate needs */
    static const char *ca_cnf =
        "[ca]\n"
        "default_ca = e2e\n"
        "[e2e]\n"
        "dir = .\n"
        "database = index.txt\n"
        "new_certs_dir = .\n"
        "serial = serial.txt\n"
        "default_md = sha256\n"
        "policy = any\n"
        "unique_subject = no\n"
        "email_in_dn = no\n"
        "[any]\n"
        "commonName = supplied\n";
    FILE *f;
    char *p;

    p = pem("ext.cnf");
    f = fopen(p, "w");
    free(p);
    if (!f || fputs(ext, f) < 0 || fclose(f) != 0)
        return -1;
    p = pem("ca.cnf");
    f = fopen(p, "w");
    free(p);
    if (!f || fputs(ca_cnf, f) < 0 || fclose(f) != 0)
        return -1;
    if (run("openssl req -x509 " EC_KEY " -keyout ca.key -out ca.pem -days 2"
            " -subj '/CN=navoi e2e test CA' -config ext.cnf -extensions ca") ||
        run("openssl req -x509 " EC_KEY " -keyout other-ca.key -out other-ca.pem -days 2"
            " -subj '/CN=navoi e2e unrelated CA' -config ext.cnf -extensions ca") ||
        run("openssl req -new " EC_KEY " -keyout srv.key -out srv.csr -subj '/CN=127.0.0.1'"
            " -config ext.cnf") ||
        run("openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -set_serial 2 -days 2"
            " -out srv.pem -extfile ext.cnf -extensions srv") ||
        run("openssl req -new " EC_KEY " -keyout wrong.key -out wrong.csr"
            " -subj '/CN=wrong-host.invalid' -config ext.cnf") ||
        run("openssl x509 -req -in wrong.csr -CA ca.pem -CAkey ca.key -set_serial 3 -days 2"
            " -out wrong.pem -extfile ext.cnf -extensions wrong"))
        return -1;
    /* expired in 2020, for 127.0.0.1: only the dates are wrong */
    g_have_expired =
        run(": >index.txt && echo 04 >serial.txt && "
            "openssl req -new " EC_KEY " -keyout expired.key -out expired.csr"
            " -subj '/CN=127.0.0.1' -config ext.cnf && "
            "openssl ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key -in expired.csr"
            " -out expired.pem -startdate 20200101000000Z -enddate 20200201000000Z"
            " -extfile ext.cnf -extensions srv -notext") == 0;
    return 0;
}

static sim_server *tls_sim(const char *cert, const char *key)
{
    char settings[512];
    snprintf(settings, sizeof settings, "tlsCert = %s/%s\ntlsKey = %s/%s\n", g_dir, cert, g_dir,
             key);
    return e2e_sim_start(settings);
}

static navoi_client *tls_client(sim_server *s, const char *ca)
{
    navoi_client *c = e2e_client(s, &e2e_seller, 1);
    if (ca) {
        char *p = pem(ca);
        ck_assert_int_eq(navoi_client_set_ca_file(c, p), NAVOI_OK);
        free(p);
    }
    return c;
}

START_TEST(https_manage_to_done)
{
    sim_server *s = tls_sim("srv.pem", "srv.key");
    navoi_client *c = tls_client(s, "ca.pem");
    navoi_invoice *inv;
    navoi_txn *t = NULL;
    navoi_result *r = NULL;

    ck_assert_int_eq(strncmp(sim_base_url(s), "https://127.0.0.1:", 18), 0);
    inv = e2e_nav_invoice(c, "samples/data/Eredeti_szamla_modositasokhoz.xml", NAVOI_OP_CREATE);
    e2e_ok(c, navoi_manage_invoice(c, &inv, 1, NAVOI_MANAGE_COMPRESS, &t));
    navoi_invoice_free(inv);
    e2e_wait_final(c, t, NAVOI_STATUS_RETURN_ORIGINAL);
    e2e_assert_done_clean(t, 0, "over HTTPS");
    ck_assert_ptr_nonnull(navoi_txn_item_original(t, 0, NULL));
    navoi_txn_free(t);
    /* queries reuse the verified connection */
    e2e_ok(c, navoi_query_taxpayer(c, "99887764", &r));
    ck_assert_uint_eq(navoi_result_count(r), 1);
    navoi_result_free(r);
    ck_assert_int_eq(sim_transaction_count(s, "99999999"), 1);
    ck_assert_int_eq(sim_selfcheck_failures(s), 0);
    e2e_client_free(c);
    sim_free(s);
}
END_TEST

/* Every call of c must fail with NAVOI_ETLS before the simulator's
 * handler sees a request. */
static void assert_fails_closed(sim_server *s, navoi_client *c)
{
    navoi_invoice *inv;
    navoi_txn *t = NULL;
    navoi_result *r = NULL;
    int rc;

    inv = e2e_nav_invoice(c, "samples/data/Eredeti_szamla_modositasokhoz.xml", NAVOI_OP_CREATE);
    rc = navoi_manage_invoice(c, &inv, 1, 0, &t);
    navoi_invoice_free(inv);
    e2e_expect_error(c, rc, NAVOI_ETLS, NAVOI_CAT_SECURITY, NULL);
    ck_assert_ptr_null(t);
    ck_assert_int_eq(sim_request_count(s, NULL), 0);
    /* the category table agrees: a TLS failure is never retried */
    ck_assert_int_eq(navoi_error_category(NAVOI_ETLS, NULL, 1), NAVOI_CAT_SECURITY);

    rc = navoi_query_taxpayer(c, "99887764", &r);
    e2e_expect_error(c, rc, NAVOI_ETLS, NAVOI_CAT_SECURITY, NULL);
    ck_assert_ptr_null(r);
    rc = navoi_token_exchange(c, NULL);
    e2e_expect_error(c, rc, NAVOI_ETLS, NAVOI_CAT_SECURITY, NULL);
    ck_assert_int_eq(navoi_client_http_status(c), 0);
    ck_assert_int_eq(sim_request_count(s, NULL), 0);
    ck_assert_int_eq(sim_transaction_count(s, NULL), 0);
}

START_TEST(https_wrong_ca)
{
    sim_server *s = tls_sim("srv.pem", "srv.key");
    navoi_client *c = tls_client(s, "other-ca.pem");
    assert_fails_closed(s, c);
    e2e_client_free(c);
    /* nor does the system store know the test CA */
    c = tls_client(s, NULL);
    assert_fails_closed(s, c);
    e2e_client_free(c);
    /* the right CA still works against the same server */
    c = tls_client(s, "ca.pem");
    {
        int64_t to = 0;
        e2e_ok(c, navoi_token_exchange(c, &to));
    }
    ck_assert_int_eq(sim_request_count(s, NULL), 1);
    e2e_client_free(c);
    sim_free(s);
}
END_TEST

START_TEST(https_wrong_host)
{
    /* signed by the trusted CA, but for wrong-host.invalid only */
    sim_server *s = tls_sim("wrong.pem", "wrong.key");
    navoi_client *c = tls_client(s, "ca.pem");
    assert_fails_closed(s, c);
    e2e_client_free(c);
    sim_free(s);
}
END_TEST

START_TEST(https_expired)
{
    /* signed by the trusted CA for 127.0.0.1, valid only in January 2020 */
    sim_server *s = tls_sim("expired.pem", "expired.key");
    navoi_client *c = tls_client(s, "ca.pem");
    assert_fails_closed(s, c);
    e2e_client_free(c);
    sim_free(s);
}
END_TEST

START_TEST(https_url_on_plain_port)
{
    /* an https URL pointed at a plain-HTTP server: the handshake fails and
     * the client never falls back to plain text */
    sim_server *s = e2e_sim_start(NULL);
    navoi_client *c = tls_client(s, "ca.pem");
    char url[128];
    ck_assert_int_eq(strncmp(sim_base_url(s), "http://", 7), 0);
    snprintf(url, sizeof url, "https://%s", sim_base_url(s) + 7);
    ck_assert_int_eq(navoi_client_set_base_url(c, url), NAVOI_OK);
    {
        navoi_result *r = NULL;
        int rc = navoi_query_taxpayer(c, "99887764", &r);
        e2e_expect_error(c, rc, NAVOI_ETLS, NAVOI_CAT_SECURITY, NULL);
    }
    ck_assert_int_eq(sim_request_count(s, NULL), 0);
    e2e_client_free(c);
    sim_free(s);
}
END_TEST

int main(void)
{
    Suite *su;
    TCase *tc;
    int rc;
    char cmd[128];

    if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
        fprintf(stderr, "libmicrohttpd has no TLS: skipped\n");
        return 77;
    }
    if (system("openssl version >/dev/null 2>&1") != 0) {
        fprintf(stderr, "no openssl command-line tool: skipped\n");
        return 77;
    }
    snprintf(g_dir, sizeof g_dir, "/tmp/navoi-e2e-tls-XXXXXX");
    if (!mkdtemp(g_dir)) {
        perror("mkdtemp");
        return 1;
    }
    if (make_pki() != 0) {
        fprintf(stderr, "openssl could not make the test certificates; see %s/openssl.log\n",
                g_dir);
        return 1;
    }
    su = suite_create("e2e-tls");
    tc = tcase_create("https");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, https_manage_to_done);
    tcase_add_test(tc, https_wrong_ca);
    tcase_add_test(tc, https_wrong_host);
    if (g_have_expired)
        tcase_add_test(tc, https_expired);
    else
        fprintf(stderr, "openssl ca could not back-date a certificate: expired case skipped\n");
    tcase_add_test(tc, https_url_on_plain_port);
    suite_add_tcase(su, tc);
    rc = nt_run(su);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", g_dir);
    return rc;
}
