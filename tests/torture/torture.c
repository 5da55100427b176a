/*
 * torture.c - the allocation-failure harness (see torture.h): the counting
 * allocator, the canned-response fake transport and the k loop, one Check
 * test per operation of ops.c.
 *
 * Environment:
 *   NAVOI_TORTURE_FULL=1   every k (default: k = 1..16 plus a seeded sample)
 *   NAVOI_TORTURE_SEED=N   the sample's seed (default 1; printed on failure)
 *   NAVOI_TORTURE_SAMPLE=N sampled k per operation beyond the first 16 (default 24)
 *   NAVOI_TORTURE_OP=name  only this operation
 *   NAVOI_TORTURE_VERBOSE=1     operations print what they did (sync_run)
 */
#include "torture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "core/client.h"
#include "http/transport.h"
#include "testutil.h"

/* ------------------------------------------------------------------ */
/* The counting allocator. Single-threaded by construction: the fake
 * transport runs on the caller's thread. */

static long g_calls;       /* allocation calls since arming */
static long g_fail_at;     /* fail call number g_fail_at (1-based); 0 = never */
static int g_persist;      /* also fail every call after g_fail_at */
static int g_hit;          /* a failure was injected */
static long g_live;        /* blocks allocated and not yet freed */

static int should_fail(void)
{
    g_calls++;
    if (g_fail_at > 0 && (g_calls == g_fail_at || (g_persist && g_calls > g_fail_at))) {
        g_hit = 1;
        return 1;
    }
    return 0;
}

static void *t_malloc(size_t n)
{
    void *p;
    if (should_fail())
        return NULL;
    p = malloc(n);
    if (p)
        g_live++;
    return p;
}

static void *t_realloc(void *old, size_t n)
{
    void *p;
    if (should_fail())
        return NULL;
    p = realloc(old, n);
    if (p && !old)
        g_live++;
    return p;
}

static void t_free(void *p)
{
    if (p)
        g_live--;
    free(p);
}

long tt_live_blocks(void)
{
    return g_live;
}

static void arm(long k, int persist)
{
    g_calls = 0;
    g_fail_at = k;
    g_persist = persist;
    g_hit = 0;
}

static void disarm(void)
{
    g_fail_at = 0;
    g_persist = 0;
}

/* ------------------------------------------------------------------ */
/* Fixtures, read with plain malloc and kept for the process. */

typedef struct cached {
    char *path;
    char *data;
    size_t len;
} cached;

static cached g_cache[64];
static size_t g_ncache;

static const char *cache_get(char *path, size_t *len_out)
{
    size_t i;
    for (i = 0; i < g_ncache; i++) {
        if (strcmp(g_cache[i].path, path) == 0) {
            free(path);
            if (len_out)
                *len_out = g_cache[i].len;
            return g_cache[i].data;
        }
    }
    ck_assert_uint_lt(g_ncache, sizeof g_cache / sizeof g_cache[0]);
    g_cache[g_ncache].path = path;
    g_cache[g_ncache].data = nt_read_file(path, &g_cache[g_ncache].len);
    if (len_out)
        *len_out = g_cache[g_ncache].len;
    return g_cache[g_ncache++].data;
}

const char *tt_fixture(const char *rel, size_t *len_out)
{
    return cache_get(nt_data_path(rel), len_out);
}

const char *tt_nav_file(const char *rel, size_t *len_out)
{
    return cache_get(nt_nav_path(rel), len_out);
}

/* ------------------------------------------------------------------ */
/* The fake transport: answers by path with a canned success response of
 * that operation (tests/data/responses), or with an override. */

static const struct {
    const char *path;
    const char *file;
} g_default_resp[] = {
    {"/tokenExchange", "responses/token_exchange.xml"},
    {"/manageInvoice", "responses/manage_invoice.xml"},
    {"/manageAnnulment", "responses/manage_annulment.xml"},
    {"/queryTransactionStatus", "responses/status_original_gzip.xml"},
    {"/queryTransactionList", "responses/txlist_page1.xml"},
    {"/queryInvoiceCheck", "responses/check_true.xml"},
    {"/queryInvoiceData", "responses/invoice_data_gzip.xml"},
    {"/queryInvoiceDigest", "responses/digest_page1.xml"},
    {"/queryInvoiceChainDigest", "responses/chain_digest.xml"},
    {"/queryTaxpayer", "responses/taxpayer.xml"},
};

static struct {
    char path[64];
    char file[128];
    long status;
} g_override[4];

void tt_fake_override(const char *path, const char *file, long status)
{
    size_t i, free_slot = sizeof g_override / sizeof g_override[0];
    for (i = 0; i < sizeof g_override / sizeof g_override[0]; i++) {
        if (strcmp(g_override[i].path, path) == 0) {
            free_slot = i;
            break;
        }
        if (!g_override[i].path[0] && free_slot == sizeof g_override / sizeof g_override[0])
            free_slot = i;
    }
    ck_assert_uint_lt(free_slot, sizeof g_override / sizeof g_override[0]);
    if (!file) {
        g_override[free_slot].path[0] = '\0';
        return;
    }
    snprintf(g_override[free_slot].path, sizeof g_override[0].path, "%s", path);
    snprintf(g_override[free_slot].file, sizeof g_override[0].file, "%s", file);
    g_override[free_slot].status = status;
}

static int fake_send(navoi__transport *t, const navoi__http_req *req, navoi__http_resp *resp)
{
    const char *path = strrchr(req->url, '/');
    const char *file = NULL, *body;
    long status = 200;
    size_t i, len;

    (void)t;
    navoi__http_resp_init(resp);
    ck_assert_ptr_nonnull(path);
    for (i = 0; i < sizeof g_override / sizeof g_override[0]; i++)
        if (g_override[i].path[0] && strcmp(g_override[i].path, path) == 0) {
            file = g_override[i].file;
            status = g_override[i].status;
        }
    for (i = 0; !file && i < sizeof g_default_resp / sizeof g_default_resp[0]; i++)
        if (strcmp(g_default_resp[i].path, path) == 0)
            file = g_default_resp[i].file;
    /* digest queries page through the two canned pages */
    if (!strcmp(path, "/queryInvoiceDigest") && !strcmp(file, "responses/digest_page1.xml") &&
        strstr(req->body, "page>2<"))
        file = "responses/digest_page2.xml";
    ck_assert_msg(file != NULL, "no canned response for %s", path);
    body = tt_fixture(file, &len);
    resp->status = status;
    /* As curl.c's write callback: a body that cannot be stored is ENOMEM. */
    navoi__buf_append(&resp->body, body, len);
    if (resp->body.oom) {
        snprintf(resp->errmsg, sizeof resp->errmsg, "out of memory");
        return NAVOI_ENOMEM;
    }
    return NAVOI_OK;
}

static void fake_destroy(navoi__transport *t)
{
    free(t);
}

#define FIXTURE_DAY 1732190400000LL /* 2024-11-21T12:00:00Z, the fixtures' day */
static int64_t g_now = FIXTURE_DAY;

static int64_t fixed_clock(void *ud)
{
    (void)ud;
    return g_now;
}

void tt_clock_advance(int64_t ms)
{
    g_now += ms;
}

static int zero_random(unsigned char *buf, size_t len, void *ud)
{
    (void)ud;
    memset(buf, 0, len);
    return 0;
}

static void sink(int level, const char *corr, const char *msg, void *ud)
{
    (void)level;
    (void)corr;
    (void)msg;
    (void)ud;
}

navoi_client *tt_client(void)
{
    navoi_client *c = NULL;
    navoi__transport *f;

    ck_assert_int_eq(navoi_client_new(&c), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_login(c, "lwilsmn0uqdxe6u"), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_password(c, "Teszt-Jelszo-01"), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_tax_number(c, "11111111"), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_signing_key(c, "ce-8f5e-215119fa7dd621DLMRHRLH2S"),
                     NAVOI_OK);
    /* vectors.json token 1: the key of the canned encodedExchangeToken */
    ck_assert_int_eq(navoi_client_set_exchange_key(c, "f424XKR57N62W5NJ"), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_software(c, "HU11111111-NAVOI01", "navoi torture",
                                               NAVOI_SOFTWARE_LOCAL, "0.1", "navoi",
                                               "dev@example.com", "HU", NULL),
                     NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_base_url(c, "http://fake.invalid/invoiceService/v3"),
                     NAVOI_OK);
    navoi_client_set_clock(c, fixed_clock, NULL);
    navoi_client_set_random(c, zero_random, NULL);
    navoi_client_set_log(c, sink, NAVOI_LOG_TRACE, NULL);
    f = calloc(1, sizeof *f);
    ck_assert_ptr_nonnull(f);
    f->send = fake_send;
    f->destroy = fake_destroy;
    navoi__client_set_transport(c, f);
    return c;
}

void tt_teardown_default(tt_ctx *t)
{
    navoi_sync_free(t->sync);
    navoi_outbox_free(t->outbox);
    navoi_result_free(t->result);
    navoi_txn_free(t->txn);
    navoi_invoice_free(t->invoice[0]);
    navoi_invoice_free(t->invoice[1]);
    navoi_digest_query_free(t->query);
    navoi_free(t->text);
    navoi_client_free(t->client);
    memset(t, 0, sizeof *t);
}

/* ------------------------------------------------------------------ */
/* The k loop. */

static unsigned long g_rng;

static unsigned long rng_next(void)
{
    g_rng = g_rng * 6364136223846793005UL + 1442695040888963407UL;
    return g_rng >> 33;
}

static long env_long(const char *name, long dflt)
{
    const char *v = getenv(name);
    return v && *v ? strtol(v, NULL, 10) : dflt;
}

static void clear_overrides(void)
{
    memset(g_override, 0, sizeof g_override);
}

/* The message of the handle the operation reports on. */
static const char *errmsg_of(const tt_ctx *t)
{
    if (t->sync)
        return navoi_sync_errmsg(t->sync);
    if (t->outbox)
        return navoi_outbox_errmsg(t->outbox);
    return t->client ? navoi_client_errmsg(t->client) : "";
}

/* One run with the k-th allocation failing. Returns 1 if k was reached. */
static int run_k(const tt_op *op, long k, int persist, unsigned long seed)
{
    tt_ctx t;
    long live0 = g_live;
    int rc, hit;

    memset(&t, 0, sizeof t);
    clear_overrides();
    disarm();
    g_now = FIXTURE_DAY;
    if (op->setup)
        ck_assert_msg(op->setup(&t) == NAVOI_OK, "%s: setup failed", op->name);
    arm(k, persist);
    rc = op->run(&t);
    hit = g_hit;
    disarm();
    if (!hit) {
        ck_assert_msg(rc == op->expect, "%s: without a failure: %d (%s), expected %d", op->name,
                      rc, navoi_strerror(rc), op->expect);
    } else {
        ck_assert_msg(rc == op->expect || rc == NAVOI_ENOMEM,
                      "%s: allocation %ld failed%s (seed %lu): got %d (%s) %s", op->name, k,
                      persist ? " and every one after" : "", seed, rc, navoi_strerror(rc),
                      errmsg_of(&t));
        /* Every failure is explained on its handle. */
        if (rc == NAVOI_ENOMEM && op->expect == NAVOI_OK && !t.msg_elsewhere &&
            (t.sync || t.client))
            ck_assert_msg(errmsg_of(&t)[0] != '\0', "%s: allocation %ld: ENOMEM without a message",
                          op->name, k);
        if (rc == NAVOI_ENOMEM) {
            /* Memory is back: the same call on the same handles succeeds. */
            rc = op->run(&t);
            ck_assert_msg(rc == op->expect, "%s: after allocation %ld failed, the retry gave %d (%s) %s",
                          op->name, k, rc, navoi_strerror(rc),
                          errmsg_of(&t));
        }
    }
    (op->teardown ? op->teardown : tt_teardown_default)(&t);
    ck_assert_msg(g_live == live0, "%s: allocation %ld failed%s: %ld block(s) leaked", op->name,
                  k, persist ? " (persistent)" : "", g_live - live0);
    return hit;
}

static long count_allocations(const tt_op *op)
{
    tt_ctx t;
    long n;

    memset(&t, 0, sizeof t);
    clear_overrides();
    disarm();
    g_now = FIXTURE_DAY;
    if (op->setup)
        ck_assert_msg(op->setup(&t) == NAVOI_OK, "%s: setup failed", op->name);
    arm(0, 0);
    ck_assert_int_eq(op->run(&t), op->expect);
    n = g_calls;
    (op->teardown ? op->teardown : tt_teardown_default)(&t);
    return n;
}

START_TEST(torture_op)
{
    const tt_op *op = &g_torture_ops[_i];
    const char *only = getenv("NAVOI_TORTURE_OP");
    int full = env_long("NAVOI_TORTURE_FULL", 0) != 0;
    unsigned long seed = (unsigned long)env_long("NAVOI_TORTURE_SEED", 1);
    long sample = env_long("NAVOI_TORTURE_SAMPLE", 24);
    long n, k, runs = 0;

    if (only && *only && strcmp(only, op->name) != 0)
        return;
    n = count_allocations(op);
    if (full) {
        /* Every k until the operation completes without reaching it, in
         * both modes: only the k-th allocation fails, and every one from
         * the k-th on (error paths that allocate). */
        for (k = 1; run_k(op, k, 0, seed); k++)
            runs++;
        for (k = 1; run_k(op, k, 1, seed); k++)
            runs++;
    } else {
        g_rng = seed ^ (unsigned long)(_i + 1) * 0x9E3779B97F4A7C15UL;
        for (k = 1; k <= n && k <= 16; k++, runs++)
            run_k(op, k, 0, seed);
        if (n > 16) {
            long i;
            for (i = 0; i < sample; i++, runs++)
                run_k(op, 17 + (long)(rng_next() % (unsigned long)(n - 16)), (int)(i & 1), seed);
        }
        run_k(op, n + 1, 0, seed); /* past the end: plain success */
    }
    printf("torture %-28s %5ld allocations, %5ld failing runs%s\n", op->name, n, runs,
           full ? " (full)" : "");
    fflush(stdout);
}
END_TEST

int main(void)
{
    Suite *s;
    TCase *tc;

    /* Before any other navoi call: the allocator is process-wide. */
    if (navoi_set_allocator(t_malloc, t_realloc, t_free) != NAVOI_OK)
        return 1;
    s = suite_create("torture");
    tc = tcase_create("allocation-failure");
    tcase_set_timeout(tc, 1800);
    tcase_add_loop_test(tc, torture_op, 0, (int)g_torture_op_count);
    suite_add_tcase(s, tc);
    return nt_run(s);
}
