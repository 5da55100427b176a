/* test_sim_samples.c - NAV's 11 official signed requests replayed to the
 * simulator: every one passes the signature check (PROTOCOL.md 3.4), and
 * altering any signed field gives INVALID_REQUEST_SIGNATURE (HTTP 400). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "simtest.h"
#include "testutil.h"

/* Samples span 2019-09 to 2020-09: centre the clock and widen the
 * tolerance so every sample timestamp is "now". */
static const char *k_config =
    "[settings]\n"
    "clock = 2020-03-01T00:00:00Z\n"
    "timestampTolerance = 31622400\n"
    "selfCheck = true\n"
    "[user]\n"
    "login = lwilsmn0uqdxe6u\n"
    "passwordHash = 2F43840A882CFDB7DB0FEC07D419D030D864B47B6B541DC280EF81B937B7A176E33C052B0D2"
    "6638CC18A7A2C08D8D311733078A774BF43F6CA57FE8CD74DC28E\n"
    "taxNumber = 11111111\n"
    "signKey = ac-ac3a-7f661bff7d342N43CYX4U9FG\n"
    "exchangeKey = f424XKR57N62W5NJ\n";

static const struct {
    const char *file, *op;
    long http;
    const char *code; /* expected errorCode, NULL = OK */
} k_samples[] = {
    {"manageAnnulment.xml", "manageAnnulment", 400, "INVALID_EXCHANGE_TOKEN"},
    {"manageInvoice.xml", "manageInvoice", 400, "INVALID_EXCHANGE_TOKEN"},
    {"queryInvoiceChainDigest.xml", "queryInvoiceChainDigest", 200, NULL},
    /* OUTBOUND + supplierTaxNumber: schema-valid, refused after the
     * signature check (PROTOCOL.md 3.4 caveat) */
    {"queryInvoiceCheck.xml", "queryInvoiceCheck", 400, "BAD_QUERY_PARAM_SUPPLIER_NOT_EXPECTED"},
    {"queryInvoiceData.xml", "queryInvoiceData", 400, "BAD_QUERY_PARAM_SUPPLIER_NOT_EXPECTED"},
    {"queryInvoiceDigest_inbound_invoice_chain.xml", "queryInvoiceDigest", 200, NULL},
    {"queryInvoiceDigest_outbound_query_params.xml", "queryInvoiceDigest", 200, NULL},
    {"queryTaxpayer.xml", "queryTaxpayer", 200, NULL},
    {"queryTransactionList.xml", "queryTransactionList", 200, NULL},
    {"queryTransactionStatus.xml", "queryTransactionStatus", 200, NULL},
    {"tokenExchange.xml", "tokenExchange", 200, NULL},
};
#define NSAMPLES ((int)(sizeof k_samples / sizeof k_samples[0]))

static char *read_sample(int i)
{
    char rel[256];
    snprintf(rel, sizeof rel, "samples/api/%s", k_samples[i].file);
    return nt_read_nav(rel, NULL);
}

static void expect(sim_server *s, const char *op, const char *body, long http, const char *code)
{
    st_resp r;
    char *ec;
    st_post(s, op, body, &r);
    ck_assert_int_eq(r.cc, CURLE_OK);
    ck_assert_msg(r.http == http, "%s: HTTP %ld, want %ld: %s", op, r.http, http, r.body);
    ec = st_text(r.body, r.len, "errorCode");
    if (code) {
        ck_assert_msg(ec && !strcmp(ec, code), "%s: errorCode %s, want %s", op, ec ? ec : "-",
                      code);
    } else {
        ck_assert_msg(ec == NULL, "%s: unexpected errorCode %s", op, ec);
        ck_assert(st_valid_api(r.body, r.len));
    }
    free(ec);
    st_resp_free(&r);
}

START_TEST(sample_accepted)
{
    sim_server *s = st_start(k_config);
    char *body = read_sample(_i);
    expect(s, k_samples[_i].op, body, k_samples[_i].http, k_samples[_i].code);
    ck_assert_int_eq(sim_request_count(s, k_samples[_i].op), 1);
    ck_assert_int_eq(sim_selfcheck_failures(s), 0);
    free(body);
    sim_free(s);
}
END_TEST

/* Replaces the first occurrence of `from` after marker with `to`. */
static int mutate(char *body, const char *marker, size_t offset_in_value, char to)
{
    char *p = strstr(body, marker);
    if (!p)
        return 0;
    p += strlen(marker) + offset_in_value;
    if (*p == to)
        to = to == 'B' ? 'C' : 'B';
    *p = to;
    return 1;
}

START_TEST(sample_tampered)
{
    sim_server *s = st_start(k_config);
    char *orig = read_sample(_i);
    const char *op = k_samples[_i].op;
    char *b;

    /* requestId: one character changed, still pattern-valid */
    b = strdup(orig);
    ck_assert(mutate(b, "<common:requestId>RID", 0, '9'));
    expect(s, op, b, 400, "INVALID_REQUEST_SIGNATURE");
    free(b);

    /* timestamp: the seconds change (inside the mask) */
    b = strdup(orig);
    {
        char *p = strstr(b, "<common:timestamp>");
        ck_assert_ptr_nonnull(p);
        p += strlen("<common:timestamp>") + 18; /* second digit of ss */
        *p = *p == '0' ? '1' : '0';
    }
    expect(s, op, b, 400, "INVALID_REQUEST_SIGNATURE");
    free(b);

    if (!strncmp(op, "manage", 6)) {
        const char *tag = !strcmp(op, "manageInvoice") ? "<invoiceData>" : "<invoiceAnnulment>";
        /* one base64 character of the payload */
        b = strdup(orig);
        ck_assert(mutate(b, tag, 100, 'B'));
        expect(s, op, b, 400, "INVALID_REQUEST_SIGNATURE");
        free(b);
        /* the operation of item 1 */
        if (!strcmp(op, "manageInvoice")) {
            char *p;
            b = strdup(orig);
            p = strstr(b, "<invoiceOperation>CREATE");
            ck_assert_ptr_nonnull(p);
            memcpy(p + strlen("<invoiceOperation>"), "MODIFY", 6);
            expect(s, op, b, 400, "INVALID_REQUEST_SIGNATURE");
            free(b);
        }
    }
    /* the signature itself */
    b = strdup(orig);
    ck_assert(mutate(b, "<common:requestSignature cryptoType=\"SHA3-512\">", 5, '0'));
    expect(s, op, b, 400, "INVALID_REQUEST_SIGNATURE");
    free(b);
    /* none of the rejected requests consumed the requestId: the original
     * still passes */
    expect(s, op, orig, k_samples[_i].http, k_samples[_i].code);
    free(orig);
    sim_free(s);
}
END_TEST

START_TEST(sample_millis_not_signed)
{
    /* milliseconds are outside the mask (PROTOCOL.md 3.2), so changing
     * them keeps the signature valid */
    sim_server *s = st_start(k_config);
    char *b = read_sample(10);
    char *p = strstr(b, "2019-09-11T10:55:31.440Z");
    ck_assert_ptr_nonnull(p);
    memcpy(p + 20, "999", 3);
    expect(s, "tokenExchange", b, 200, NULL);
    /* and the same requestId is now used */
    expect(s, "tokenExchange", b, 400, "REQUEST_ID_NOT_UNIQUE");
    free(b);
    sim_free(s);
}
END_TEST

START_TEST(sample_wrong_user_data)
{
    sim_server *s = st_start(k_config);
    char *b = read_sample(7), *p;
    /* password hash: one hex digit */
    p = strstr(b, "cryptoType=\"SHA-512\">2F43");
    ck_assert_ptr_nonnull(p);
    p[strlen("cryptoType=\"SHA-512\">")] = '3';
    expect(s, "queryTaxpayer", b, 401, "INVALID_SECURITY_USER");
    free(b);
    /* a taxpayer the user does not belong to */
    b = read_sample(7);
    p = strstr(b, "<common:taxNumber>11111111");
    ck_assert_ptr_nonnull(p);
    memcpy(p + strlen("<common:taxNumber>"), "22222222", 8);
    expect(s, "queryTaxpayer", b, 500, "NOT_REGISTERED_CUSTOMER");
    free(b);
    /* sent to the wrong operation */
    b = read_sample(7);
    expect(s, "queryTransactionStatus", b, 500, "OPERATION_FAILED");
    free(b);
    sim_free(s);
}
END_TEST

START_TEST(sample_timestamp_tolerance)
{
    /* the default tolerance (1 day) refuses a 2019 request on today's clock */
    static const char *cfg =
        "[user]\nlogin = lwilsmn0uqdxe6u\n"
        "passwordHash = 2F43840A882CFDB7DB0FEC07D419D030D864B47B6B541DC280EF81B937B7A176E33C052B0D2"
        "6638CC18A7A2C08D8D311733078A774BF43F6CA57FE8CD74DC28E\n"
        "taxNumber = 11111111\nsignKey = ac-ac3a-7f661bff7d342N43CYX4U9FG\n"
        "exchangeKey = f424XKR57N62W5NJ\n";
    sim_server *s = st_start(cfg);
    char *b = read_sample(10);
    expect(s, "tokenExchange", b, 400, "INVALID_TIMESTAMP");
    free(b);
    sim_free(s);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("sim-samples");
    TCase *tc = tcase_create("samples");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, sample_accepted, 0, NSAMPLES);
    tcase_add_loop_test(tc, sample_tampered, 0, NSAMPLES);
    tcase_add_test(tc, sample_millis_not_signed);
    tcase_add_test(tc, sample_wrong_user_data);
    tcase_add_test(tc, sample_timestamp_tolerance);
    suite_add_tcase(su, tc);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    return nt_run(su);
}
