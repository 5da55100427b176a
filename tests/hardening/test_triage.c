/*
 * test_triage.c - every branch of the error triage (navoi_error_category,
 * PROTOCOL.md 7.1) and of the item status machine (state/status.c,
 * PROTOCOL.md 6.1), against tables written out here from PROTOCOL.md rather
 * than derived from the code.
 */
#include <stdio.h>
#include <string.h>

#include "core/client.h"
#include "navoi/navoi.h"
#include "state/status.h"
#include "testutil.h"

/* Category of each code for a query (q) and a manage call (m). */
static const struct {
    int code;
    int q, m;
} g_by_code[] = {
    {NAVOI_OK, NAVOI_CAT_NONE, NAVOI_CAT_NONE},
    {NAVOI_EINVAL, NAVOI_CAT_DATA, NAVOI_CAT_DATA},
    {NAVOI_ENOMEM, NAVOI_CAT_TRANSIENT, NAVOI_CAT_TRANSIENT},
    {NAVOI_EIO, NAVOI_CAT_CONFIG, NAVOI_CAT_CONFIG},
    {NAVOI_ECONFIG, NAVOI_CAT_CONFIG, NAVOI_CAT_CONFIG},
    {NAVOI_EKEY, NAVOI_CAT_CONFIG, NAVOI_CAT_CONFIG},
    {NAVOI_EPERM, NAVOI_CAT_SECURITY, NAVOI_CAT_SECURITY},
    {NAVOI_EXML, NAVOI_CAT_DATA, NAVOI_CAT_DATA},
    {NAVOI_ESCHEMA, NAVOI_CAT_DATA, NAVOI_CAT_DATA},
    {NAVOI_ENET, NAVOI_CAT_TRANSIENT, NAVOI_CAT_TRANSIENT},
    /* no answer to a manage call: NAV may have committed it (1.5, 7.6) */
    {NAVOI_ETIMEOUT, NAVOI_CAT_TRANSIENT, NAVOI_CAT_AMBIGUOUS},
    {NAVOI_ETLS, NAVOI_CAT_SECURITY, NAVOI_CAT_SECURITY},
    {NAVOI_EHTTP, NAVOI_CAT_TRANSIENT, NAVOI_CAT_AMBIGUOUS},
    {NAVOI_ENAV, NAVOI_CAT_DATA, NAVOI_CAT_DATA}, /* without an errorCode */
    {NAVOI_EPROTO, NAVOI_CAT_TRANSIENT, NAVOI_CAT_AMBIGUOUS},
    {NAVOI_ETOOBIG, NAVOI_CAT_DATA, NAVOI_CAT_DATA},
    {NAVOI_ECRYPTO, NAVOI_CAT_CONFIG, NAVOI_CAT_CONFIG},
    {NAVOI_EUSER, NAVOI_CAT_TRANSIENT, NAVOI_CAT_TRANSIENT},
    {NAVOI_ENOTFOUND, NAVOI_CAT_DATA, NAVOI_CAT_DATA},
    {NAVOI_ESTATE, NAVOI_CAT_DATA, NAVOI_CAT_DATA},
    {NAVOI_EAMBIGUOUS, NAVOI_CAT_AMBIGUOUS, NAVOI_CAT_AMBIGUOUS},
    {NAVOI_ESIGNATURE, NAVOI_CAT_CONFIG, NAVOI_CAT_CONFIG},
#ifdef NAVOI_EVALIDATION
    /* the pre-submission validator: a person fixes the invoice */
    {NAVOI_EVALIDATION, NAVOI_CAT_DATA, NAVOI_CAT_DATA},
#endif
    /* codes this version does not know are surfaced, not retried */
    {-40, NAVOI_CAT_DATA, NAVOI_CAT_DATA},
    {-999, NAVOI_CAT_DATA, NAVOI_CAT_DATA},
    {7, NAVOI_CAT_DATA, NAVOI_CAT_DATA},
};

/* PROTOCOL.md 7.1, class column: C config, D data, T transient, I check
 * for the duplicate first (ambiguous for a manage call; a query is simply
 * retried with a new requestId). */
static const struct {
    const char *nav;
    int q, m;
} g_by_nav[] = {
    {"INVALID_SECURITY_USER", NAVOI_CAT_CONFIG, NAVOI_CAT_CONFIG},
    {"NOT_REGISTERED_CUSTOMER", NAVOI_CAT_CONFIG, NAVOI_CAT_CONFIG},
    {"INVALID_CUSTOMER", NAVOI_CAT_CONFIG, NAVOI_CAT_CONFIG},
    {"INVALID_USER_RELATION", NAVOI_CAT_CONFIG, NAVOI_CAT_CONFIG},
    {"FORBIDDEN", NAVOI_CAT_CONFIG, NAVOI_CAT_CONFIG},
    {"INVALID_REQUEST_SIGNATURE", NAVOI_CAT_CONFIG, NAVOI_CAT_CONFIG},
    {"REQUEST_VERSION_NOT_ALLOWED", NAVOI_CAT_CONFIG, NAVOI_CAT_CONFIG},
    {"STATUS_QUERY_NOT_ALLOWED", NAVOI_CAT_CONFIG, NAVOI_CAT_CONFIG},
    {"INVALID_TIMESTAMP", NAVOI_CAT_CONFIG, NAVOI_CAT_CONFIG},
    {"INVALID_PASSWORD_HASH_CRYPTO", NAVOI_CAT_CONFIG, NAVOI_CAT_CONFIG},
    {"INVALID_REQUEST_SIGNATURE_HASH_CRYPTO", NAVOI_CAT_CONFIG, NAVOI_CAT_CONFIG},
    {"INVALID_REQUEST_VERSION", NAVOI_CAT_CONFIG, NAVOI_CAT_CONFIG},
    {"INVALID_HEADER_VERSION", NAVOI_CAT_CONFIG, NAVOI_CAT_CONFIG},
    {"NOT_ALLOWED_EXCEPTION", NAVOI_CAT_CONFIG, NAVOI_CAT_CONFIG},
    {"INVALID_OPERATION", NAVOI_CAT_CONFIG, NAVOI_CAT_CONFIG},
    {"INVALID_REQUEST", NAVOI_CAT_DATA, NAVOI_CAT_DATA},
    {"INDEX_NOT_SEQUENTIAL", NAVOI_CAT_DATA, NAVOI_CAT_DATA},
    {"MULTIPLE_QUERY_RESULT_FOUND", NAVOI_CAT_DATA, NAVOI_CAT_DATA},
    {"BAD_QUERY_PARAM_OVERLAP", NAVOI_CAT_DATA, NAVOI_CAT_DATA},
    {"BAD_QUERY_PARAM_RANGE_EXCEEDED", NAVOI_CAT_DATA, NAVOI_CAT_DATA},
    {"BAD_QUERY_PARAM_EQ_NOT_STANDALONE", NAVOI_CAT_DATA, NAVOI_CAT_DATA},
    {"BAD_QUERY_PARAM_OPERATOR_COLLISION", NAVOI_CAT_DATA, NAVOI_CAT_DATA},
    {"BAD_QUERY_PARAM_SUPPLIER_NOT_EXPECTED", NAVOI_CAT_DATA, NAVOI_CAT_DATA},
    {"BAD_QUERY_PARAM_SUPPLIER_EXPECTED", NAVOI_CAT_DATA, NAVOI_CAT_DATA},
    {"MAINTENANCE_MODE", NAVOI_CAT_TRANSIENT, NAVOI_CAT_TRANSIENT},
    {"SERVICE_UNAVAILABLE", NAVOI_CAT_TRANSIENT, NAVOI_CAT_TRANSIENT},
    {"ANNULMENT_VERIFICATION_BLOCKED", NAVOI_CAT_TRANSIENT, NAVOI_CAT_TRANSIENT},
    {"INVALID_EXCHANGE_TOKEN", NAVOI_CAT_TRANSIENT, NAVOI_CAT_TRANSIENT},
    /* T, but a manage call that failed this way may have been committed */
    {"OPERATION_FAILED", NAVOI_CAT_TRANSIENT, NAVOI_CAT_AMBIGUOUS},
    {"REQUEST_ID_NOT_UNIQUE", NAVOI_CAT_TRANSIENT, NAVOI_CAT_AMBIGUOUS},
    /* unknown codes go to a person */
    {"SOMETHING_NAV_ADDS_LATER", NAVOI_CAT_DATA, NAVOI_CAT_DATA},
    {"", NAVOI_CAT_DATA, NAVOI_CAT_DATA},
    {"invalid_security_user", NAVOI_CAT_DATA, NAVOI_CAT_DATA},
};

START_TEST(category_by_code)
{
    size_t i;
    for (i = 0; i < sizeof g_by_code / sizeof g_by_code[0]; i++) {
        ck_assert_msg(navoi_error_category(g_by_code[i].code, NULL, 0) == g_by_code[i].q,
                      "code %d, query", g_by_code[i].code);
        ck_assert_msg(navoi_error_category(g_by_code[i].code, NULL, 1) == g_by_code[i].m,
                      "code %d, manage", g_by_code[i].code);
    }
    /* an errorCode beside a non-NAV code changes nothing */
    ck_assert_int_eq(navoi_error_category(NAVOI_ENET, "INVALID_SECURITY_USER", 1),
                     NAVOI_CAT_TRANSIENT);
    ck_assert_int_eq(navoi_error_category(NAVOI_ETLS, "MAINTENANCE_MODE", 0), NAVOI_CAT_SECURITY);
}
END_TEST

START_TEST(every_code_has_a_text)
{
    size_t i;
    for (i = 0; i < sizeof g_by_code / sizeof g_by_code[0]; i++) {
        int code = g_by_code[i].code;
        const char *t = navoi_strerror(code);
        ck_assert_ptr_nonnull(t);
        /* the table lists every known code, then unknown ones */
        if (code <= 0 && code > -30)
            ck_assert_msg(strcmp(t, "unknown error") != 0, "code %d has no text", code);
        else
            ck_assert_str_eq(t, "unknown error");
    }
}
END_TEST

START_TEST(category_by_nav_code)
{
    size_t i;
    for (i = 0; i < sizeof g_by_nav / sizeof g_by_nav[0]; i++) {
        ck_assert_msg(navoi_error_category(NAVOI_ENAV, g_by_nav[i].nav, 0) == g_by_nav[i].q,
                      "%s, query", g_by_nav[i].nav);
        ck_assert_msg(navoi_error_category(NAVOI_ENAV, g_by_nav[i].nav, 1) == g_by_nav[i].m,
                      "%s, manage", g_by_nav[i].nav);
    }
}
END_TEST

START_TEST(status_names)
{
    static const char *const names[] = {"UNKNOWN", "RECEIVED", "PROCESSING", "SAVED", "DONE",
                                        "ABORTED"};
    int s;
    for (s = 0; s < 6; s++) {
        ck_assert_str_eq(navoi_status_name(s), names[s]);
        ck_assert_int_eq(navoi__status_from_name(names[s]), s);
    }
    ck_assert_str_eq(navoi_status_name(-1), "UNKNOWN");
    ck_assert_str_eq(navoi_status_name(6), "UNKNOWN");
    ck_assert_int_eq(navoi__status_from_name(NULL), NAVOI_STATUS_UNKNOWN);
    ck_assert_int_eq(navoi__status_from_name("done"), NAVOI_STATUS_UNKNOWN);
    ck_assert_int_eq(navoi__status_from_name("DONE "), NAVOI_STATUS_UNKNOWN);
    ck_assert_int_eq(navoi__status_from_name(""), NAVOI_STATUS_UNKNOWN);
    for (s = -1; s <= 6; s++)
        ck_assert_int_eq(navoi__status_is_final(s),
                         s == NAVOI_STATUS_DONE || s == NAVOI_STATUS_ABORTED);
}
END_TEST

/* PROTOCOL.md 6.1: RECEIVED -> PROCESSING -> SAVED -> DONE, ABORTED from
 * any non-final state, intermediate states may be missed, a repeated poll
 * repeats the state, nothing leaves DONE or ABORTED, nothing is known
 * before the first poll. Rows: from; columns: to. */
static const int g_legal[6][6] = {
    /*             U  R  P  S  D  A */
    /* UNKNOWN */ {1, 1, 1, 1, 1, 1},
    /* RECEIVED */ {0, 1, 1, 1, 1, 1},
    /* PROCESSING */ {0, 0, 1, 1, 1, 1},
    /* SAVED */ {0, 0, 0, 1, 1, 1},
    /* DONE */ {0, 0, 0, 0, 1, 0},
    /* ABORTED */ {0, 0, 0, 0, 0, 1},
};

START_TEST(status_transitions)
{
    int from, to;
    for (from = -1; from <= 6; from++) {
        for (to = -1; to <= 6; to++) {
            int want = from >= 0 && from < 6 && to >= 0 && to < 6 ? g_legal[from][to] : 0;
            ck_assert_msg(navoi__status_transition_ok(from, to) == want, "%d -> %d", from, to);
        }
    }
}
END_TEST

static int g_lines;
static char g_last[256];

static void count_line(int level, const char *corr, const char *msg, void *ud)
{
    (void)level;
    (void)corr;
    (void)ud;
    g_lines++;
    snprintf(g_last, sizeof g_last, "%s", msg);
}

/* The per-client plumbing of errors.c: the triage result lands on the
 * client, the log hook gets exactly the enabled levels, and every accessor
 * is NULL-safe. */
START_TEST(error_plumbing)
{
    navoi_client *c = NULL;

    ck_assert_int_eq(navoi__fail(NULL, NAVOI_ETLS, "no client"), NAVOI_ETLS);
    navoi__log(NULL, NAVOI_LOG_ERROR, "no client");
    ck_assert_int_eq(navoi_client_new(&c), NAVOI_OK);
    navoi__log(c, NAVOI_LOG_ERROR, "no hook");
    navoi_client_set_log(c, count_line, NAVOI_LOG_WARN, NULL);
    navoi__log(c, NAVOI_LOG_INFO, "above the level");
    ck_assert_int_eq(g_lines, 0);
    navoi__log(c, NAVOI_LOG_WARN, "at the level %d", 2);
    ck_assert_int_eq(g_lines, 1);
    ck_assert_str_eq(g_last, "at the level 2");

    /* ENAV keeps NAV's code and triages by it; other codes clear it */
    snprintf(c->nav_code, sizeof c->nav_code, "MAINTENANCE_MODE");
    ck_assert_int_eq(navoi__fail(c, NAVOI_ENAV, "nav said %s", "no"), NAVOI_ENAV);
    ck_assert_int_eq(navoi_client_error_category(c), NAVOI_CAT_TRANSIENT);
    ck_assert_str_eq(navoi_client_nav_error_code(c), "MAINTENANCE_MODE");
    ck_assert_str_eq(navoi_client_errmsg(c), "nav said no");
    ck_assert_int_eq(navoi__fail(c, NAVOI_EPERM, "unsafe"), NAVOI_EPERM);
    ck_assert_str_eq(navoi_client_nav_error_code(c), "");
    ck_assert_int_eq(navoi_client_error_category(c), NAVOI_CAT_SECURITY);
    navoi_client_set_log(c, count_line, NAVOI_LOG_DEBUG, NULL);
    ck_assert_int_eq(navoi__fail(c, NAVOI_ENAV, "no code"), NAVOI_ENAV);
    ck_assert_int_eq(navoi_client_error_category(c), NAVOI_CAT_DATA);
    ck_assert_int_eq(g_lines, 2); /* failures are logged at DEBUG */
    c->http_status = 503;
    c->skew_ms = -1500;
    ck_assert_int_eq(navoi_client_http_status(c), 503);
    ck_assert(navoi_client_server_skew_ms(c) == -1500);
    navoi__clear_error(c);
    ck_assert_str_eq(navoi_client_errmsg(c), "");
    ck_assert_int_eq(navoi_client_error_category(c), NAVOI_CAT_NONE);
    ck_assert_int_eq(navoi_client_http_status(c), 0);
    navoi_client_free(c);

    ck_assert_str_eq(navoi_client_errmsg(NULL), "");
    ck_assert_str_eq(navoi_client_nav_error_code(NULL), "");
    ck_assert_int_eq(navoi_client_http_status(NULL), 0);
    ck_assert_int_eq(navoi_client_error_category(NULL), NAVOI_CAT_NONE);
    ck_assert(navoi_client_server_skew_ms(NULL) == 0);
    ck_assert_str_eq(navoi_version(), NAVOI_VERSION);
    ck_assert_uint_eq(navoi_version_num(), (uint32_t)NAVOI_VERSION_NUM);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("triage");
    TCase *tc = tcase_create("triage");
    tcase_add_test(tc, category_by_code);
    tcase_add_test(tc, every_code_has_a_text);
    tcase_add_test(tc, category_by_nav_code);
    tcase_add_test(tc, status_names);
    tcase_add_test(tc, status_transitions);
    tcase_add_test(tc, error_plumbing);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return nt_run(suite());
}
