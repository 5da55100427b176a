/* e2e.c - see e2e.h. */
#include "e2e.h"

#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "testutil.h"

/* Password hashes are the PROTOCOL.md 3.1 vectors, so the simulator checks
 * the client's hashing against independently computed values. Signing
 * keys have the 32-character form of NAV's keys (the first two are the
 * spec example and the samples' key); exchange keys are PROTOCOL.md 4.1's. */
const e2e_user e2e_seller = {
    "e2eseller01", "Teszt-Jelszo-01",
    "2ED9CFF8C5B0F70FA66BB4F048088257FF37DE32F20C0169E0D7105DA8891A099329F540988176E7C2532F04319A7"
    "FA67A054B4AA96EC77521BDB79B3B138D0E",
    "99999999", "ce-8f5e-215119fa7dd621DLMRHRLH2S", "9febIBBQRLZ348IB"};
const e2e_user e2e_group = {
    "e2egroup01", "NAVsim#2024!x",
    "E7480831808C37BD64863EB9CFD0794ABE0823B9669A093C86E096914438CB0777F346503A81C12D9639B046C81AD"
    "75781D1692458235569A9C556F675924FA8",
    "98765432", "ac-ac3a-7f661bff7d342N43CYX4U9FG", "f424XKR57N62W5NJ"};
const e2e_user e2e_buyer = {
    "e2ebuyer01", "correct horse battery staple",
    "BE5EF7679D88AB9A9045F6267E55F5E5784B4B8CD764B5CD855A5244F91C626953CD46C43D7668873FD6EFBD3B2"
    "21249315580031963472A078781FE046E62AE",
    "99887764", "e2e-buyer-sign-key-0123456789ABC", "ce1a3FK178FGW3RR"};

/* ---- simulator ---- */

static const char *k_users =
    "[user]\n"
    "login = e2eseller01\n"
    "passwordHash = 2ED9CFF8C5B0F70FA66BB4F048088257FF37DE32F20C0169E0D7105DA8891A099329F540988"
    "176E7C2532F04319A7FA67A054B4AA96EC77521BDB79B3B138D0E\n"
    "taxNumber = 99999999\n"
    "signKey = ce-8f5e-215119fa7dd621DLMRHRLH2S\n"
    "exchangeKey = 9febIBBQRLZ348IB\n"
    "[user]\n"
    "login = e2egroup01\n"
    "passwordHash = E7480831808C37BD64863EB9CFD0794ABE0823B9669A093C86E096914438CB0777F346503A8"
    "1C12D9639B046C81AD75781D1692458235569A9C556F675924FA8\n"
    "taxNumber = 98765432\n"
    "signKey = ac-ac3a-7f661bff7d342N43CYX4U9FG\n"
    "exchangeKey = f424XKR57N62W5NJ\n"
    "[user]\n"
    "login = e2ebuyer01\n"
    "passwordHash = BE5EF7679D88AB9A9045F6267E55F5E5784B4B8CD764B5CD855A5244F91C626953CD46C43D7"
    "668873FD6EFBD3B221249315580031963472A078781FE046E62AE\n"
    "taxNumber = 99887764\n"
    "signKey = e2e-buyer-sign-key-0123456789ABC\n"
    "exchangeKey = ce1a3FK178FGW3RR\n"
    "rights = query\n"
    /* the parties of NAV's data samples, as their invoices describe them */
    "[taxpayer]\n"
    "taxNumber = 99999999\n"
    "name = Értékesítő Kft\n"
    "vatCode = 2\n"
    "countyCode = 41\n"
    "address = HQ|HU|1234|Budapest|Hármas|utca|1\n"
    "[taxpayer]\n"
    "taxNumber = 99887764\n"
    "name = Beszerző Kft\n"
    "vatCode = 2\n"
    "countyCode = 02\n"
    "incorporation = ORGANIZATION\n"
    "address = HQ|HU|7600|Pécs|Északi|sugárút|123\n";

sim_server *e2e_sim_try(const char *settings, char *err, size_t errlen)
{
    sim_config *cfg = NULL;
    sim_server *s = NULL;
    char *text, *schemas;
    size_t n;

    /* delays 0: tests poll instead of waiting, and nothing depends on how
     * fast the machine is */
    n = strlen(k_users) + (settings ? strlen(settings) : 0) + 256;
    text = malloc(n);
    ck_assert_ptr_nonnull(text);
    snprintf(text, n,
             "[settings]\nselfCheck = true\nreceivedDelayMs = 0\nprocessingDelayMs = 0\n%s%s",
             settings ? settings : "", k_users);
    if (sim_config_parse(text, strlen(text), &cfg, err, errlen) != 0) {
        free(text);
        return NULL;
    }
    free(text);
    schemas = nt_nav_path("schemas");
    ck_assert_int_eq(sim_config_set(cfg, "settings", "schemas", schemas, err, errlen), 0);
    free(schemas);
    if (sim_new(&s, cfg, err, errlen) != 0)
        return NULL;
    if (sim_start(s, 0) != 0) {
        snprintf(err, errlen, "%s", sim_errmsg(s));
        sim_free(s);
        return NULL;
    }
    return s;
}

sim_server *e2e_sim_start(const char *settings)
{
    char err[512];
    sim_server *s = e2e_sim_try(settings, err, sizeof err);
    ck_assert_msg(s != NULL, "simulator: %s", err);
    ck_assert_uint_gt(sim_port(s), 0);
    return s;
}

/* ---- secrets and the log collector ---- */

#define MAX_SECRETS 64

static char *g_secrets[MAX_SECRETS];
static size_t g_nsecrets;
static size_t g_lines;
static int g_max_level;
static char g_leak[512]; /* first offending line, "" if none */
static regex_t g_token_re;
static int g_token_re_ready;

static void add_secret(const char *s)
{
    size_t i;
    if (!s || !*s)
        return;
    for (i = 0; i < g_nsecrets; i++)
        if (!strcmp(g_secrets[i], s))
            return;
    ck_assert_uint_lt(g_nsecrets, MAX_SECRETS);
    g_secrets[g_nsecrets] = strdup(s);
    ck_assert_ptr_nonnull(g_secrets[g_nsecrets]);
    g_nsecrets++;
}

static void add_password(const char *pw)
{
    char hex[129];
    add_secret(pw);
    e2e_sha512_hex(pw, hex);
    add_secret(hex);
}

static int contains_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle), i;
    for (; *hay; hay++) {
        for (i = 0; i < n && hay[i]; i++)
            if (tolower((unsigned char)hay[i]) != tolower((unsigned char)needle[i]))
                break;
        if (i == n)
            return 1;
    }
    return 0;
}

/* NAV's (and the simulator's) exchange tokens are a UUID followed by 12
 * [0-9A-Z] (PROTOCOL.md 4). The decrypted token never leaves the client,
 * so the scan looks for that shape: nothing else navoi logs contains a
 * UUID. */
static void token_re_init(void)
{
    if (g_token_re_ready)
        return;
    ck_assert_int_eq(regcomp(&g_token_re,
                             "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                             "[0-9a-fA-F]{12}",
                             REG_EXTENDED | REG_NOSUB),
                     0);
    g_token_re_ready = 1;
}

const char *e2e_find_secret(const char *text)
{
    size_t i;
    if (!text)
        return NULL;
    for (i = 0; i < g_nsecrets; i++)
        if (contains_ci(text, g_secrets[i]))
            return "a configured secret";
    token_re_init();
    if (regexec(&g_token_re, text, 0, NULL, 0) == 0)
        return "an exchange token";
    return NULL;
}

void e2e_assert_no_secret(const char *text, const char *where)
{
    const char *what = e2e_find_secret(text);
    ck_assert_msg(what == NULL, "%s contains %s: %s", where, what, text);
}

/* Problems are recorded, not asserted: the hook runs inside a library
 * call, and e2e_client_free() reports them. */
static void on_log(int level, const char *corr, const char *msg, void *ud)
{
    const char *what;
    (void)ud;
    if (!corr || !msg || level < NAVOI_LOG_ERROR || level > NAVOI_LOG_TRACE) {
        if (!g_leak[0])
            snprintf(g_leak, sizeof g_leak, "log hook called with level %d, %s, %s", level,
                     corr ? "id" : "NULL id", msg ? msg : "NULL message");
        return;
    }
    g_lines++;
    if (level > g_max_level)
        g_max_level = level;
    if (!g_leak[0] &&
        ((what = e2e_find_secret(msg)) != NULL || (what = e2e_find_secret(corr)) != NULL))
        snprintf(g_leak, sizeof g_leak, "log line with %s: [%s] %s", what, corr, msg);
    if (getenv("NAVOI_E2E_VERBOSE"))
        fprintf(stderr, "navoi[%d] %s: %s\n", level, corr, msg);
}

size_t e2e_log_lines(void)
{
    return g_lines;
}

int e2e_log_max_level(void)
{
    return g_max_level;
}

/* ---- clients ---- */

navoi_client *e2e_client_custom(const sim_server *s, const e2e_user *u, const char *password,
                                const char *sign_key, const char *exch_key)
{
    navoi_client *c = NULL;
    password = password ? password : u->password;
    sign_key = sign_key ? sign_key : u->sign_key;
    exch_key = exch_key ? exch_key : u->exch_key;
    add_password(password);
    add_secret(sign_key);
    add_secret(exch_key);
    token_re_init();
    ck_assert_int_eq(navoi_client_new(&c), NAVOI_OK);
    navoi_client_set_log(c, on_log, NAVOI_LOG_TRACE, NULL);
    ck_assert_int_eq(navoi_client_set_base_url(c, sim_base_url(s)), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_login(c, u->login), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_password(c, password), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_tax_number(c, u->tax), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_signing_key(c, sign_key), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_exchange_key(c, exch_key), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_software(c, "HU99999999-E2E0001", "navoi e2e tests",
                                               NAVOI_SOFTWARE_LOCAL, "0.1", "navoi developers",
                                               "navoi-tests@example.com", "HU", NULL),
                     NAVOI_OK);
    return c;
}

navoi_client *e2e_client(const sim_server *s, const e2e_user *u, int schemas)
{
    navoi_client *c = e2e_client_custom(s, u, NULL, NULL, NULL);
    if (schemas) {
        char *dir = nt_nav_path("schemas");
        ck_assert_int_eq(navoi_client_set_schema_dir(c, dir), NAVOI_OK);
        free(dir);
    }
    return c;
}

void e2e_client_free(navoi_client *c)
{
    if (!c)
        return;
    e2e_assert_no_secret(navoi_client_errmsg(c), "navoi_client_errmsg");
    navoi_client_free(c);
    ck_assert_msg(g_leak[0] == '\0', "%s", g_leak);
}

void e2e_expect_error_at(navoi_client *c, int rc, int code, int cat, const char *nav_code,
                         const char *file, int line)
{
    const char *msg = navoi_client_errmsg(c);
    ck_assert_msg(rc == code, "%s:%d: rc %d (%s), want %d (%s); message: %s", file, line, rc,
                  navoi_strerror(rc), code, navoi_strerror(code), msg);
    ck_assert_msg(navoi_client_error_category(c) == cat, "%s:%d: category %d, want %d; message: %s",
                  file, line, navoi_client_error_category(c), cat, msg);
    if (nav_code)
        ck_assert_msg(!strcmp(navoi_client_nav_error_code(c), nav_code),
                      "%s:%d: NAV code '%s', want %s; message: %s", file, line,
                      navoi_client_nav_error_code(c), nav_code, msg);
    ck_assert_msg(msg[0] != '\0', "%s:%d: failure without a message", file, line);
    e2e_assert_no_secret(msg, "error message");
}

void e2e_ok_at(navoi_client *c, int rc, const char *what, const char *file, int line)
{
    ck_assert_msg(rc == NAVOI_OK, "%s:%d: %s = %d (%s): %s [NAV %s, HTTP %d]", file, line, what,
                  rc, navoi_strerror(rc), navoi_client_errmsg(c), navoi_client_nav_error_code(c),
                  navoi_client_http_status(c));
}

/* ---- invoices and transactions ---- */

navoi_invoice *e2e_nav_invoice(navoi_client *c, const char *rel, int op)
{
    navoi_invoice *inv = NULL;
    char *path = nt_nav_path(rel);
    int rc = navoi_invoice_new_from_file(&inv, c, path, op);
    ck_assert_msg(rc == NAVOI_OK, "%s: %s", rel, navoi_client_errmsg(c));
    free(path);
    return inv;
}

void e2e_wait_final(navoi_client *c, navoi_txn *t, unsigned flags)
{
    /* processing delay is 0, so the first poll normally sees the end; the
     * deadline only guards against a hang on a starved machine */
    int64_t deadline = e2e_mono_ms() + 120000;
    for (;;) {
        e2e_ok(c, navoi_txn_poll(c, t, flags));
        if (navoi_txn_is_final(t))
            return;
        ck_assert_msg(e2e_mono_ms() < deadline, "transaction %s never became final",
                      navoi_txn_id(t));
        e2e_sleep_ms(50);
    }
}

int e2e_txn_has_code(const navoi_txn *t, size_t i, const char *code)
{
    size_t k, n = navoi_txn_message_count(t, i);
    for (k = 0; k < n; k++) {
        const char *mc = NULL;
        if (navoi_txn_message(t, i, k, NULL, NULL, &mc, NULL) == NAVOI_OK && mc &&
            !strcmp(mc, code))
            return 1;
    }
    return 0;
}

void e2e_assert_done_clean(const navoi_txn *t, size_t i, const char *what)
{
    size_t k, n = navoi_txn_message_count(t, i);
    for (k = 0; k < n; k++) {
        int sev = 0;
        const char *code = "", *text = "";
        ck_assert_int_eq(navoi_txn_message(t, i, k, NULL, &sev, &code, &text), NAVOI_OK);
        ck_assert_msg(sev != NAVOI_SEVERITY_ERROR && sev != NAVOI_SEVERITY_CRITICAL,
                      "%s: item %zu has error %s: %s", what, i, code, text);
    }
    ck_assert_msg(navoi_txn_item_status(t, i) == NAVOI_STATUS_DONE, "%s: item %zu is %s", what,
                  i, navoi_status_name(navoi_txn_item_status(t, i)));
}

size_t e2e_list_transactions(navoi_client *c, int64_t from_ms, int64_t to_ms, size_t want,
                             char **ids_out, size_t max)
{
    int64_t deadline = e2e_mono_ms() + 120000;
    size_t got;
    for (;;) {
        int32_t page = 1, pages = 1;
        got = 0;
        while (page <= pages) {
            navoi_result *r = NULL;
            const char *ap;
            size_t i;
            e2e_ok(c, navoi_query_transaction_list(c, from_ms, to_ms, page, NULL, &r));
            ap = navoi_result_meta(r, "availablePage");
            ck_assert_ptr_nonnull(ap);
            pages = (int32_t)atoi(ap);
            {
                char cur[16];
                snprintf(cur, sizeof cur, "%d", (int)page);
                ck_assert_str_eq(navoi_result_meta(r, "currentPage"), cur);
            }
            for (i = 0; i < navoi_result_count(r); i++) {
                const char *id = navoi_result_get(r, i, "transactionId");
                ck_assert_ptr_nonnull(id);
                if (got < max && ids_out) {
                    free(ids_out[got]);
                    ids_out[got] = strdup(id);
                }
                got++;
            }
            navoi_result_free(r);
            page++;
        }
        if (got >= want || e2e_mono_ms() > deadline)
            return got;
        e2e_sleep_ms(100);
    }
}

/* ---- time and hashing ---- */

int64_t e2e_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void e2e_sleep_ms(long ms)
{
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) != 0)
        ;
}

void e2e_sha512_hex(const char *s, char out[129])
{
    static const char hexd[] = "0123456789ABCDEF";
    unsigned char md[64];
    unsigned int n = 0, i;
    ck_assert_int_eq(EVP_Digest(s, strlen(s), md, &n, EVP_sha512(), NULL), 1);
    ck_assert_uint_eq(n, 64);
    for (i = 0; i < n; i++) {
        out[2 * i] = hexd[md[i] >> 4];
        out[2 * i + 1] = hexd[md[i] & 15];
    }
    out[128] = '\0';
}
