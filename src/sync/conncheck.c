/*
 * conncheck.c - owns navoi_check_connection(): runs tokenExchange and
 * queryTaxpayer with the client's configuration and turns whatever fails
 * into a diagnosis a person can act on (which setting, which right, by how
 * much the clock is off). The texts name keys and their lengths, never
 * their content.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/client.h"

NAVOI_API const char *navoi_conn_status_name(int status)
{
    switch (status) {
    case NAVOI_CONN_NO_CONFIG: return "NO_CONFIG";
    case NAVOI_CONN_ACTIVE: return "ACTIVE";
    case NAVOI_CONN_ERROR: return "ERROR";
    default: return "UNKNOWN";
    }
}

NAVOI_API const char *navoi_diagnosis_name(int d)
{
    static const char *const names[] = {
        "NONE",           "MISSING_CONFIG", "KEY_WHITESPACE",    "KEY_LENGTH",
        "WRONG_PASSWORD", "SIGNING_KEY",    "EXCHANGE_KEY",      "PERMISSION",
        "NOT_REGISTERED", "USER_RELATION",  "CLOCK_SKEW",        "WRONG_ENVIRONMENT",
        "TLS",            "NETWORK",        "HTTP",              "MAINTENANCE",
        "OTHER"};
    if (d < 0 || d >= (int)(sizeof names / sizeof names[0]))
        return "UNKNOWN";
    return names[d];
}

typedef struct verdict {
    int status, diag;
} verdict;

static int diagnose(navoi_client *c, verdict *v, int status, int diag, int code, const char *fmt,
                    ...) __attribute__((format(printf, 6, 7)));

/* Records the diagnosis text on the client, keeping the failure's code and
 * NAV errorCode. */
static int diagnose(navoi_client *c, verdict *v, int status, int diag, int code, const char *fmt,
                    ...)
{
    char msg[sizeof c->errmsg];
    int cat = c->category;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    navoi__fail(c, code, "%s", msg);
    if (cat != NAVOI_CAT_NONE)
        c->category = cat;
    v->status = status;
    v->diag = diag;
    return NAVOI_OK;
}

/* Describes a whitespace problem of a secret without showing it; 0 if none. */
static int whitespace_problem(const char *s, char *out, size_t outlen, int anywhere)
{
    size_t n = strlen(s), i;
    if (n && (s[n - 1] == '\n' || s[n - 1] == '\r')) {
        snprintf(out, outlen, "ends with a line break (the file or variable has an extra "
                              "newline after the value)");
        return 1;
    }
    if (n && (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t')) {
        snprintf(out, outlen, "%s with a space or tab", s[0] == ' ' || s[0] == '\t' ? "starts"
                                                                                    : "ends");
        return 1;
    }
    if (anywhere) {
        for (i = 0; i < n; i++) {
            if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
                snprintf(out, outlen, "contains %s at position %zu",
                         s[i] == '\n' || s[i] == '\r' ? "a line break" : "whitespace", i + 1);
                return 1;
            }
        }
    }
    return 0;
}

/* Checks the form of one raw key; 1 when a diagnosis was recorded. */
static int check_key(navoi_client *c, verdict *v, const char *what, const char *key,
                     size_t want_len)
{
    char why[160];
    size_t n = strlen(key);
    if (n == 0) {
        diagnose(c, v, NAVOI_CONN_NO_CONFIG, NAVOI_DIAG_MISSING_CONFIG, NAVOI_ECONFIG,
                 "the %s is empty", what);
        return 1;
    }
    if (whitespace_problem(key, why, sizeof why, want_len != 0)) {
        diagnose(c, v, NAVOI_CONN_ERROR, NAVOI_DIAG_KEY_WHITESPACE, NAVOI_EKEY,
                 "the %s %s: copy it again from NAV's web UI without surrounding whitespace",
                 what, why);
        return 1;
    }
    if (want_len && n != want_len) {
        diagnose(c, v, NAVOI_CONN_ERROR, NAVOI_DIAG_KEY_LENGTH, NAVOI_EKEY,
                 "the %s has %zu characters; NAV issues %ss of exactly %zu: it was cut off, "
                 "has extra characters, or another key was pasted in its place",
                 what, n, what, want_len);
        return 1;
    }
    return 0;
}

static int is_nav_url(const navoi_client *c)
{
    const char *u = navoi__client_base_url(c);
    return strstr(u, "onlineszamla.nav.gov.hu") != NULL;
}

static const char *env_name(const navoi_client *c)
{
    const char *u = navoi__client_base_url(c);
    return strstr(u, "api-test.") ? "test" : "production";
}

static void fmt_duration(int64_t ms, char *out, size_t len)
{
    int64_t a = ms < 0 ? -ms : ms, d, h, m, sec;
    if (a >= 3600000)
        a = (a + 30000) / 60000 * 60000; /* the Date header has 1 s resolution */
    sec = a / 1000;
    d = sec / 86400;
    h = sec % 86400 / 3600;
    m = sec % 3600 / 60;
    sec %= 60;
    if (d)
        snprintf(out, len, "%lld d %lld h %lld min", (long long)d, (long long)h, (long long)m);
    else if (h)
        snprintf(out, len, "%lld h %lld min", (long long)h, (long long)m);
    else
        snprintf(out, len, "%lld min %lld s", (long long)m, (long long)sec);
}

/* Turns a failed operation into a verdict. */
static void judge(navoi_client *c, verdict *v, int rc, const char *op, int manage_side)
{
    char orig[sizeof c->errmsg];
    const char *nav = c->nav_code;
    snprintf(orig, sizeof orig, "%s", c->errmsg);

    switch (rc) {
    case NAVOI_ECONFIG:
        diagnose(c, v, NAVOI_CONN_NO_CONFIG, NAVOI_DIAG_MISSING_CONFIG, rc, "%s", orig);
        return;
    case NAVOI_ETLS:
        diagnose(c, v, NAVOI_CONN_ERROR, NAVOI_DIAG_TLS, rc,
                 "TLS to %s failed: %s. Check the CA bundle (ca_file), the system clock and "
                 "any TLS-intercepting proxy; verification is never switched off",
                 navoi__client_base_url(c), orig);
        return;
    case NAVOI_ENET:
    case NAVOI_ETIMEOUT:
        diagnose(c, v, NAVOI_CONN_ERROR, NAVOI_DIAG_NETWORK, rc,
                 "cannot reach %s: %s. Check the base URL, DNS, firewall and proxy settings",
                 navoi__client_base_url(c), orig);
        return;
    case NAVOI_EHTTP:
        diagnose(c, v, NAVOI_CONN_ERROR, NAVOI_DIAG_HTTP, rc,
                 "%s answered HTTP %d without a NAV response: %s. %s", navoi__client_base_url(c),
                 c->http_status, orig,
                 c->http_status == 404 ? "The base URL is probably wrong (it must end in "
                                         "/invoiceService/v3)"
                 : c->http_status >= 500 ? "NAV may be down or in maintenance: try again later"
                                         : "Check the base URL and any proxy");
        return;
    case NAVOI_ECRYPTO:
        diagnose(c, v, NAVOI_CONN_ERROR,
                 is_nav_url(c) ? NAVOI_DIAG_WRONG_ENVIRONMENT : NAVOI_DIAG_EXCHANGE_KEY, rc,
                 "NAV accepted the login, but the exchange key (cserekulcs) does not decrypt "
                 "the token: the exchange key is wrong%s", is_nav_url(c)
                     ? " or belongs to the technical user of NAV's other environment (test and "
                       "production have separate registrations and keys)"
                     : "");
        return;
    default:
        break;
    }
    if (rc != NAVOI_ENAV) {
        diagnose(c, v, NAVOI_CONN_ERROR, NAVOI_DIAG_OTHER, rc, "%s failed: %s", op, orig);
        return;
    }
    if (!strcmp(nav, "INVALID_SECURITY_USER")) {
        if (is_nav_url(c))
            diagnose(c, v, NAVOI_CONN_ERROR, NAVOI_DIAG_WRONG_ENVIRONMENT, rc,
                     "NAV's %s environment refused login %s (INVALID_SECURITY_USER): the "
                     "password is wrong, the login does not exist, or these credentials belong "
                     "to NAV's other environment (test and production have separate "
                     "registrations, technical users and keys)", env_name(c), c->login);
        else
            diagnose(c, v, NAVOI_CONN_ERROR, NAVOI_DIAG_WRONG_PASSWORD, rc,
                     "NAV refused login %s (INVALID_SECURITY_USER): wrong password (or "
                     "passwordHash) or unknown login. Do not retry: repeated failures can lock "
                     "the technical user", c->login);
    } else if (!strcmp(nav, "INVALID_REQUEST_SIGNATURE")) {
        diagnose(c, v, NAVOI_CONN_ERROR,
                 is_nav_url(c) ? NAVOI_DIAG_WRONG_ENVIRONMENT : NAVOI_DIAG_SIGNING_KEY, rc,
                 "NAV accepted the login but not the request signature "
                 "(INVALID_REQUEST_SIGNATURE): the signing key (alairokulcs) is wrong%s",
                 is_nav_url(c) ? " or belongs to the technical user of NAV's other environment"
                               : "; copy it again from NAV's web UI");
    } else if (!strcmp(nav, "FORBIDDEN")) {
        diagnose(c, v, NAVOI_CONN_ERROR, NAVOI_DIAG_PERMISSION, rc,
                 "technical user %s has no right for %s (FORBIDDEN): a primary user must grant "
                 "it the right to %s on NAV's web UI", c->login, op,
                 manage_side ? "manage (report) invoices" : "query invoices");
    } else if (!strcmp(nav, "NOT_REGISTERED_CUSTOMER") || !strcmp(nav, "INVALID_CUSTOMER")) {
        diagnose(c, v, NAVOI_CONN_ERROR, NAVOI_DIAG_NOT_REGISTERED, rc,
                 "tax number %s is %s at NAV (%s): check tax_number, and that the taxpayer is "
                 "registered in this NAV environment (%s)", c->tax_number,
                 !strcmp(nav, "INVALID_CUSTOMER") ? "not allowed to invoice"
                                                  : "not a registered taxpayer",
                 nav, navoi__client_base_url(c));
    } else if (!strcmp(nav, "INVALID_USER_RELATION")) {
        diagnose(c, v, NAVOI_CONN_ERROR, NAVOI_DIAG_USER_RELATION, rc,
                 "technical user %s does not belong to tax number %s or is inactive "
                 "(INVALID_USER_RELATION): check login and tax_number", c->login,
                 c->tax_number);
    } else if (!strcmp(nav, "INVALID_TIMESTAMP")) {
        int64_t skew = c->skew_ms;
        char d[64];
        if (skew) {
            fmt_duration(skew, d, sizeof d);
            diagnose(c, v, NAVOI_CONN_ERROR, NAVOI_DIAG_CLOCK_SKEW, rc,
                     "the local clock is %s %s NAV's (server Date header); NAV accepts at most "
                     "1 day (INVALID_TIMESTAMP): set the system clock (NTP)", d,
                     skew < 0 ? "ahead of" : "behind");
        } else {
            diagnose(c, v, NAVOI_CONN_ERROR, NAVOI_DIAG_CLOCK_SKEW, rc,
                     "NAV refused the request time (INVALID_TIMESTAMP): the local clock is more "
                     "than 1 day off (the server sent no Date header to say by how much)");
        }
    } else if (!strcmp(nav, "MAINTENANCE_MODE") || !strcmp(nav, "SERVICE_UNAVAILABLE")) {
        diagnose(c, v, NAVOI_CONN_ERROR, NAVOI_DIAG_MAINTENANCE, rc,
                 "NAV is in maintenance (%s): try again later", nav);
    } else {
        diagnose(c, v, NAVOI_CONN_ERROR, NAVOI_DIAG_OTHER, rc, "%s failed: %s", op, orig);
    }
}

static int run_check(navoi_client *c, unsigned flags, verdict *v)
{
    navoi_result *r = NULL;
    int rc;
    if (!(flags & NAVOI_CHECK_QUERY_ONLY)) {
        rc = navoi_token_exchange(c, NULL);
        if (rc == NAVOI_ENOMEM) /* says nothing about the connection */
            return rc;
        if (rc != NAVOI_OK) {
            judge(c, v, rc, "tokenExchange", 1);
            return NAVOI_OK;
        }
    }
    rc = navoi_query_taxpayer(c, c->tax_number[0] ? c->tax_number : "00000000", &r);
    navoi_result_free(r);
    if (rc == NAVOI_ENOMEM)
        return rc;
    if (rc != NAVOI_OK) {
        judge(c, v, rc, "queryTaxpayer", 0);
        return NAVOI_OK;
    }
    navoi__clear_error(c);
    v->status = NAVOI_CONN_ACTIVE;
    v->diag = NAVOI_DIAG_NONE;
    navoi__log(c, NAVOI_LOG_INFO, "connection check: ACTIVE (login %s, tax number %s)", c->login,
               c->tax_number);
    return NAVOI_OK;
}

static int finish(navoi_client *c, const verdict *v, int *status_out, int *diagnosis_out)
{
    *status_out = v->status;
    if (diagnosis_out)
        *diagnosis_out = v->diag;
    if (v->status != NAVOI_CONN_ACTIVE)
        navoi__log(c, NAVOI_LOG_WARN, "connection check: %s (%s): %s",
                   navoi_conn_status_name(v->status), navoi_diagnosis_name(v->diag), c->errmsg);
    return NAVOI_OK;
}

NAVOI_API int navoi_check_connection(navoi_client *c, unsigned flags, int *status_out,
                                     int *diagnosis_out)
{
    verdict v = {NAVOI_CONN_ERROR, NAVOI_DIAG_OTHER};
    if (status_out)
        *status_out = 0;
    if (diagnosis_out)
        *diagnosis_out = 0;
    if (!c || !status_out || (flags & ~NAVOI_CHECK_QUERY_ONLY))
        return NAVOI_EINVAL;
    if (run_check(c, flags, &v) == NAVOI_ENOMEM)
        return NAVOI_ENOMEM;
    return finish(c, &v, status_out, diagnosis_out);
}

NAVOI_API int navoi_check_connection_with(navoi_client *c, unsigned flags, const char *password,
                                          const char *signing_key, const char *exchange_key,
                                          int *status_out, int *diagnosis_out)
{
    verdict v = {NAVOI_CONN_ERROR, NAVOI_DIAG_OTHER};
    int rc;
    if (status_out)
        *status_out = 0;
    if (diagnosis_out)
        *diagnosis_out = 0;
    if (!c || !status_out || (flags & ~NAVOI_CHECK_QUERY_ONLY))
        return NAVOI_EINVAL;
    navoi__clear_error(c);
    if ((password && check_key(c, &v, "password", password, 0)) ||
        (signing_key && check_key(c, &v, "signing key", signing_key, NAVOI__SIGN_KEY_LEN)) ||
        (exchange_key && !(flags & NAVOI_CHECK_QUERY_ONLY) &&
         check_key(c, &v, "exchange key", exchange_key, NAVOI__EXCHANGE_KEY_LEN)))
        return finish(c, &v, status_out, diagnosis_out);
    /* the form is right: the setters take them (and refuse what is left) */
    if ((password && (rc = navoi_client_set_password(c, password)) != NAVOI_OK) ||
        (signing_key && (rc = navoi_client_set_signing_key(c, signing_key)) != NAVOI_OK) ||
        (exchange_key && !(flags & NAVOI_CHECK_QUERY_ONLY) &&
         (rc = navoi_client_set_exchange_key(c, exchange_key)) != NAVOI_OK)) {
        if (rc == NAVOI_ENOMEM)
            return rc;
        diagnose(c, &v, NAVOI_CONN_ERROR, NAVOI_DIAG_KEY_LENGTH, rc, "%s", c->errmsg);
        return finish(c, &v, status_out, diagnosis_out);
    }
    if (run_check(c, flags, &v) == NAVOI_ENOMEM)
        return NAVOI_ENOMEM;
    return finish(c, &v, status_out, diagnosis_out);
}
