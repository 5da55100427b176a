/* obtest.c - see obtest.h. */
#include "obtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "testutil.h"

const char *obt_sim_config =
    "[user]\n"
    "login = outboxuser01\n"
    "password = Outbox-Jelszo-01\n"
    "taxNumber = " OBT_TAX "\n"
    "signKey = ob-8f5e-215119fa7dd621DLMRHRLH2S\n"
    "exchangeKey = 9febIBBQRLZ348IB\n";

uint64_t obt_seed(uint64_t dflt)
{
    const char *e = getenv("NAVOI_TEST_SEED");
    uint64_t s = e && *e ? strtoull(e, NULL, 0) : dflt;
    printf("NAVOI_TEST_SEED=%llu\n", (unsigned long long)s);
    fflush(stdout);
    return s;
}

uint64_t obt_rand(uint64_t *x)
{
    /* xorshift64* */
    *x ^= *x >> 12;
    *x ^= *x << 25;
    *x ^= *x >> 27;
    return *x * 2685821657736338717ULL;
}

static int64_t sim_clock(void *ud)
{
    return sim_now_ms((sim_server *)ud);
}

static int rnd(unsigned char *buf, size_t len, void *ud)
{
    obt *t = ud;
    size_t i;
    for (i = 0; i < len; i++)
        buf[i] = (unsigned char)(obt_rand(&t->rng) >> 56);
    return 0;
}

static void on_log(int level, const char *corr, const char *msg, void *ud)
{
    obt *t = ud;
    t->log_lines++;
    /* every pipeline line names a correlation id and the key(s) */
    if (strncmp(msg, "outbox ", 7) == 0) {
        ck_assert_msg(corr && *corr, "log line without correlation id: %s", msg);
        ck_assert_msg(strstr(msg, "key") != NULL, "log line without key: %s", msg);
    }
    /* no secret ever */
    ck_assert_msg(!strstr(msg, "Outbox-Jelszo-01") && !strstr(msg, "9febIBBQRLZ348IB") &&
                      !strstr(msg, "215119fa7dd621DLMRHRLH2S"),
                  "secret in a log line: %s", msg);
    if (getenv("NAVOI_TEST_VERBOSE"))
        fprintf(stderr, "[%d] %s %s\n", level, corr, msg);
}

navoi_client *obt_client(const char *base_url)
{
    navoi_client *c = NULL;
    ck_assert_int_eq(navoi_client_new(&c), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_base_url(c, base_url), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_login(c, "outboxuser01"), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_password(c, "Outbox-Jelszo-01"), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_tax_number(c, OBT_TAX), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_signing_key(c, "ob-8f5e-215119fa7dd621DLMRHRLH2S"),
                     NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_exchange_key(c, "9febIBBQRLZ348IB"), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_software(c, "HU12345676-OUTBOX1", "navoi outbox tests",
                                               NAVOI_SOFTWARE_LOCAL, "0.1", "navoi",
                                               "dev@example.com", "HU", NULL),
                     NAVOI_OK);
    return c;
}

static void open_outbox(obt *t)
{
    int rc = navoi_outbox_open_sqlite(&t->ob, t->client, t->db);
    ck_assert_msg(rc == NAVOI_OK, "open: %s", navoi_client_errmsg(t->client));
    ck_assert_int_eq(navoi_outbox_set_policy_batch(t->ob, 100, 0), NAVOI_OK);
    ck_assert_int_eq(navoi_outbox_set_worker(t->ob, "test-worker", 600000), NAVOI_OK);
}

void obt_setup(obt *t, const char *extra_settings, uint64_t seed)
{
    sim_config *cfg = NULL;
    char err[512], *cfgtext, *schemas;
    size_t n;

    memset(t, 0, sizeof *t);
    t->rng = seed ? seed : 1;
    n = strlen(obt_sim_config) + (extra_settings ? strlen(extra_settings) : 0) + 32;
    cfgtext = malloc(n);
    ck_assert_ptr_nonnull(cfgtext);
    snprintf(cfgtext, n, "[settings]\n%s\n%s", extra_settings ? extra_settings : "",
             obt_sim_config);
    ck_assert_msg(sim_config_parse(cfgtext, strlen(cfgtext), &cfg, err, sizeof err) == 0,
                  "config: %s", err);
    free(cfgtext);
    schemas = nt_nav_path("schemas");
    ck_assert_int_eq(sim_config_set(cfg, "settings", "schemas", schemas, err, sizeof err), 0);
    free(schemas);
    ck_assert_msg(sim_new(&t->sim, cfg, err, sizeof err) == 0, "sim_new: %s", err);
    ck_assert_msg(sim_start(t->sim, 0) == 0, "sim_start: %s", sim_errmsg(t->sim));
    t->client = obt_client(sim_base_url(t->sim));
    navoi_client_set_clock(t->client, sim_clock, t->sim);
    navoi_client_set_random(t->client, rnd, t);
    navoi_client_set_log(t->client, on_log, NAVOI_LOG_DEBUG, t);
    snprintf(t->dir, sizeof t->dir, "/tmp/navoi-obtest-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(t->dir));
    snprintf(t->db, sizeof t->db, "%s/outbox.db", t->dir);
    open_outbox(t);
}

void obt_reopen(obt *t)
{
    navoi_outbox_free(t->ob);
    t->ob = NULL;
    open_outbox(t);
}

void obt_teardown(obt *t)
{
    char path[400];
    navoi_outbox_free(t->ob);
    navoi_client_free(t->client);
    sim_free(t->sim);
    snprintf(path, sizeof path, "%s/outbox.db", t->dir);
    nt_remove_sqlite(path);
    rmdir(t->dir);
}

static char *replace_all(const char *s, const char *from, const char *to)
{
    size_t n = 0, fl = strlen(from), tl = strlen(to);
    const char *p;
    char *out, *o;
    for (p = s; (p = strstr(p, from)); p += fl)
        n++;
    out = malloc(strlen(s) + n * (tl + 1) + 1);
    ck_assert_ptr_nonnull(out);
    for (o = out, p = s;;) {
        const char *h = strstr(p, from);
        if (!h) {
            strcpy(o, p);
            break;
        }
        memcpy(o, p, (size_t)(h - p));
        o += h - p;
        memcpy(o, to, tl);
        o += tl;
        p = h + fl;
    }
    return out;
}

navoi_invoice *obt_invoice(const char *fixture, const char *number, const char *orig, int op)
{
    char rel[128], *path, *xml, *a, *b;
    navoi_invoice *inv = NULL;
    snprintf(rel, sizeof rel, "invoices/%s", fixture);
    path = nt_data_path(rel);
    xml = nt_read_file(path, NULL);
    free(path);
    /* the number first: the amendment fixtures' own numbers extend the
     * original's (DEMO-2026-0001-M1) */
    a = replace_all(xml, "<invoiceNumber>DEMO-2026-0001-M1<", "<invoiceNumber>@N@<");
    b = replace_all(a, "<invoiceNumber>DEMO-2026-0002-S1<", "<invoiceNumber>@N@<");
    free(a);
    a = replace_all(b, "<invoiceNumber>DEMO-2026-0001<", "<invoiceNumber>@N@<");
    free(b);
    b = replace_all(a, "<invoiceNumber>DEMO-2026-0002<", "<invoiceNumber>@N@<");
    free(a);
    a = replace_all(b, "@N@", number);
    free(b);
    if (orig) {
        b = replace_all(a, "DEMO-2026-0001", orig);
        free(a);
        a = replace_all(b, "DEMO-2026-0002", orig);
        free(b);
    }
    ck_assert_int_eq(navoi_invoice_new(&inv, NULL, a, strlen(a), op), NAVOI_OK);
    ck_assert_str_eq(navoi_invoice_number(inv), number);
    free(a);
    free(xml);
    return inv;
}

void obt_enqueue(obt *t, const char *key, const char *number)
{
    navoi_invoice *inv = obt_invoice("demo-create-1.xml", number, NULL, NAVOI_OP_CREATE);
    int created = -1;
    ck_assert_msg(navoi_outbox_enqueue(t->ob, key, inv, NULL, &created) == NAVOI_OK, "%s",
                  navoi_outbox_errmsg(t->ob));
    ck_assert_int_eq(created, 1);
    navoi_invoice_free(inv);
}

int obt_run(obt *t, int max_steps)
{
    int steps = 0;
    while (steps < max_steps) {
        int did = 0, rc;
        int64_t backlog = -1, due = 0, now;
        rc = navoi_outbox_step(t->ob, &did);
        ck_assert_msg(rc == NAVOI_OK, "step: %d %s", rc, navoi_outbox_errmsg(t->ob));
        steps++;
        if (did)
            continue;
        ck_assert_int_eq(navoi_outbox_backlog(t->ob, &backlog, NULL), NAVOI_OK);
        if (backlog == 0)
            break;
        ck_assert_int_eq(navoi_outbox_next_due(t->ob, &due), NAVOI_OK);
        now = sim_now_ms(t->sim);
        if (due > now)
            sim_clock_advance(t->sim, due - now);
    }
    return steps;
}

int obt_item_state(obt *t, const char *key)
{
    navoi_outbox_item *it = NULL;
    int st;
    ck_assert_msg(navoi_outbox_item_get(t->ob, key, &it) == NAVOI_OK, "item %s: %s", key,
                  navoi_outbox_errmsg(t->ob));
    st = navoi_outbox_item_state(it);
    navoi_outbox_item_free(it);
    return st;
}

int obt_history_has(obt *t, const char *key, const char *needle, int64_t *time_out)
{
    navoi_outbox_item *it = NULL;
    size_t i;
    int found = 0;
    ck_assert_int_eq(navoi_outbox_item_get(t->ob, key, &it), NAVOI_OK);
    for (i = 0; i < navoi_outbox_item_history_count(it) && !found; i++) {
        int64_t tm;
        const char *h = navoi_outbox_item_history(it, i, &tm);
        if (strstr(h, needle)) {
            found = 1;
            if (time_out)
                *time_out = tm;
        }
    }
    navoi_outbox_item_free(it);
    return found;
}

int obt_accepted(obt *t, const char *number)
{
    sim_ledger_entry e;
    sim_ledger_get(t->sim, OBT_TAX, number, &e);
    return e.accepted;
}
