/* storage_conformance.c - see storage_conformance.h. The contract tested
 * is the one documented at navoi_storage_ops in navoi.h. */
#include "storage_conformance.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const sc_backend *g_b;
static navoi_storage_ops g_ops;
static void *g_ud;

static void setup(void)
{
    g_b->wipe();
    g_b->open(&g_ops, &g_ud);
}

static void teardown(void)
{
    if (g_ops.destroy)
        g_ops.destroy(g_ud);
    g_ud = NULL;
}

static void reopen(void)
{
    teardown();
    g_b->open(&g_ops, &g_ud);
}

typedef struct rows {
    int n;
    char key[16][64];
    char rec[16][128];
    int64_t fence[16];
} rows;

static int on_row(const char *key, int64_t fence, const char *rec, size_t len, void *ctx)
{
    rows *r = ctx;
    ck_assert_int_lt(r->n, 16);
    strncpy(r->key[r->n], key, 63);
    ck_assert_uint_lt(len, 128);
    memcpy(r->rec[r->n], rec, len);
    r->rec[r->n][len] = '\0';
    r->fence[r->n] = fence;
    r->n++;
    return 0;
}

static int sel(int by, const char *v, int state, int64_t due, size_t off, size_t lim, rows *r)
{
    memset(r, 0, sizeof *r);
    return g_ops.select(by, v, state, due, off, lim, on_row, r, g_ud);
}

static int ins(const char *key, int state, int64_t due, int64_t created, const char *number,
               const char *group, const char *orig, const char *rec)
{
    int rc = g_ops.begin(g_ud);
    ck_assert_int_eq(rc, NAVOI_OK);
    rc = g_ops.insert(key, state, due, created, number, group, orig, rec, strlen(rec), "PAYLOAD",
                      7, g_ud);
    if (rc != NAVOI_OK) {
        g_ops.rollback(g_ud);
        return rc;
    }
    return g_ops.commit(g_ud);
}

typedef struct blob {
    int n;
    char data[8][64];
    int64_t t[8];
} blob;

static int on_data(int64_t t, const char *data, size_t len, void *ctx)
{
    blob *b = ctx;
    ck_assert_int_lt(b->n, 8);
    ck_assert_uint_lt(len, 64);
    memcpy(b->data[b->n], data, len);
    b->data[b->n][len] = '\0';
    b->t[b->n] = t;
    b->n++;
    return 0;
}

START_TEST(insert_select_payload)
{
    rows r;
    blob b;
    memset(&b, 0, sizeof b);
    ck_assert_int_eq(ins("k1", 1, 100, 10, "N-1", NULL, NULL, "rec-1"), NAVOI_OK);
    ck_assert_int_eq(sel(NAVOI_STORAGE_BY_KEY, "k1", 0, 0, 0, 1, &r), NAVOI_OK);
    ck_assert_int_eq(r.n, 1);
    ck_assert_str_eq(r.key[0], "k1");
    ck_assert_str_eq(r.rec[0], "rec-1");
    ck_assert_int_eq(r.fence[0], 1);
    ck_assert_int_eq(g_ops.payload("k1", on_data, &b, g_ud), NAVOI_OK);
    ck_assert_int_eq(b.n, 1);
    ck_assert_str_eq(b.data[0], "PAYLOAD");
    ck_assert_int_eq(g_ops.payload("nope", on_data, &b, g_ud), NAVOI_ENOTFOUND);
    /* a second insert of the key changes nothing */
    ck_assert_int_eq(ins("k1", 2, 5, 5, "N-X", NULL, NULL, "other"), NAVOI_ESTATE);
    ck_assert_int_eq(sel(NAVOI_STORAGE_BY_KEY, "k1", 0, 0, 0, 1, &r), NAVOI_OK);
    ck_assert_str_eq(r.rec[0], "rec-1");
    ck_assert_int_eq(sel(NAVOI_STORAGE_BY_KEY, "absent", 0, 0, 0, 1, &r), NAVOI_OK);
    ck_assert_int_eq(r.n, 0);
}
END_TEST

START_TEST(update_is_fenced)
{
    rows r;
    int64_t f = 0;
    ck_assert_int_eq(ins("k1", 1, 100, 10, "N-1", NULL, NULL, "v1"), NAVOI_OK);
    ck_assert_int_eq(g_ops.begin(g_ud), NAVOI_OK);
    ck_assert_int_eq(g_ops.update("k1", 1, 2, 200, "G", "v2", 2, 0, &f, g_ud), NAVOI_OK);
    ck_assert_int_eq(f, 2);
    /* stale fence: refused, nothing changed */
    ck_assert_int_eq(g_ops.update("k1", 1, 3, 300, "H", "v3", 2, 0, &f, g_ud), NAVOI_ESTATE);
    ck_assert_int_eq(g_ops.commit(g_ud), NAVOI_OK);
    ck_assert_int_eq(sel(NAVOI_STORAGE_BY_KEY, "k1", 0, 0, 0, 1, &r), NAVOI_OK);
    ck_assert_str_eq(r.rec[0], "v2");
    ck_assert_int_eq(r.fence[0], 2);
    ck_assert_int_eq(sel(NAVOI_STORAGE_BY_GROUP, "G", 0, 0, 0, 10, &r), NAVOI_OK);
    ck_assert_int_eq(r.n, 1);
    ck_assert_int_eq(sel(NAVOI_STORAGE_BY_DUE, NULL, 2, 200, 0, 10, &r), NAVOI_OK);
    ck_assert_int_eq(r.n, 1);
    ck_assert_int_eq(sel(NAVOI_STORAGE_BY_DUE, NULL, 2, 199, 0, 10, &r), NAVOI_OK);
    ck_assert_int_eq(r.n, 0);
    ck_assert_int_eq(g_ops.update("nope", 1, 3, 300, NULL, "x", 1, 0, &f, g_ud), NAVOI_ESTATE);
}
END_TEST

/* Wall-clock milliseconds: a backend may time leases on its own clock (the
 * database's), so lease expiry is waited for, never simulated. */
static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void nap_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Claims key for owner, retrying (up to ~20 s) while an expiring lease
 * refuses it; returns the last result. */
static int claim_when_expired(const char *key, int64_t fence, const char *owner, int64_t *f)
{
    int i, rc = NAVOI_ESTATE;
    for (i = 0; i < 1000 && rc == NAVOI_ESTATE; i++) {
        int64_t t = wall_ms();
        rc = g_ops.claim(key, fence, owner, t, t + 60000, f, g_ud);
        if (rc == NAVOI_ESTATE)
            nap_ms(20);
    }
    return rc;
}

START_TEST(claim_lease_and_fence)
{
    int64_t f = 0, t = wall_ms();
    ck_assert_int_eq(ins("k1", 1, 0, 10, NULL, NULL, NULL, "v"), NAVOI_OK);
    ck_assert_int_eq(g_ops.begin(g_ud), NAVOI_OK);
    ck_assert_int_eq(g_ops.claim("k1", 1, "A", t, t + 60000, &f, g_ud), NAVOI_OK);
    ck_assert_int_eq(f, 2);
    /* another owner while the lease runs */
    ck_assert_int_eq(g_ops.claim("k1", 2, "B", t, t + 60000, &f, g_ud), NAVOI_ESTATE);
    /* the holder renews, here with a lease that ends at once */
    ck_assert_int_eq(g_ops.claim("k1", 2, "A", t, t + 100, &f, g_ud), NAVOI_OK);
    ck_assert_int_eq(f, 3);
    /* after expiry another owner takes over; the old fence is dead */
    ck_assert_int_eq(claim_when_expired("k1", 3, "B", &f), NAVOI_OK);
    ck_assert_int_eq(f, 4);
    t = wall_ms();
    ck_assert_int_eq(g_ops.update("k1", 3, 2, 0, NULL, "late", 4, t + 5000, &f, g_ud),
                     NAVOI_ESTATE);
    ck_assert_int_eq(g_ops.claim("k1", 4, "A", t, t + 60000, &f, g_ud), NAVOI_ESTATE);
    /* an update with lease 0 releases it */
    ck_assert_int_eq(g_ops.update("k1", 4, 1, 0, NULL, "free", 4, 0, &f, g_ud), NAVOI_OK);
    ck_assert_int_eq(f, 5);
    ck_assert_int_eq(g_ops.claim("k1", 5, "A", t, t + 60000, &f, g_ud), NAVOI_OK);
    ck_assert_int_eq(g_ops.claim("k1", 5, "A", t, t + 60000, &f, g_ud), NAVOI_ESTATE);
    /* an update that keeps the lease keeps others out */
    ck_assert_int_eq(g_ops.update("k1", 6, 1, 0, NULL, "kept", 4, wall_ms() + 60000, &f, g_ud),
                     NAVOI_OK);
    t = wall_ms();
    ck_assert_int_eq(g_ops.claim("k1", 7, "B", t, t + 60000, &f, g_ud), NAVOI_ESTATE);
    ck_assert_int_eq(g_ops.commit(g_ud), NAVOI_OK);
}
END_TEST

START_TEST(selectors_order_and_paging)
{
    rows r;
    ck_assert_int_eq(ins("c", 1, 30, 3, "N-2", "G1", "a", "c"), NAVOI_OK);
    ck_assert_int_eq(ins("a", 1, 50, 1, "N-1", "G1", NULL, "a"), NAVOI_OK);
    ck_assert_int_eq(ins("b", 1, 10, 2, "N-2", "G2", "a", "b"), NAVOI_OK);
    ck_assert_int_eq(ins("d", 4, 0, 0, "N-3", NULL, NULL, "d"), NAVOI_OK);
    ck_assert_int_eq(sel(NAVOI_STORAGE_BY_STATE, NULL, 1, 0, 0, 10, &r), NAVOI_OK);
    ck_assert_int_eq(r.n, 3); /* by created */
    ck_assert_str_eq(r.key[0], "a");
    ck_assert_str_eq(r.key[1], "b");
    ck_assert_str_eq(r.key[2], "c");
    ck_assert_int_eq(sel(NAVOI_STORAGE_BY_STATE, NULL, 1, 0, 1, 1, &r), NAVOI_OK);
    ck_assert_int_eq(r.n, 1);
    ck_assert_str_eq(r.key[0], "b");
    ck_assert_int_eq(sel(NAVOI_STORAGE_BY_DUE, NULL, 1, 40, 0, 10, &r), NAVOI_OK);
    ck_assert_int_eq(r.n, 2); /* by due */
    ck_assert_str_eq(r.key[0], "b");
    ck_assert_str_eq(r.key[1], "c");
    ck_assert_int_eq(sel(NAVOI_STORAGE_BY_NUMBER, "N-2", 0, 0, 0, 10, &r), NAVOI_OK);
    ck_assert_int_eq(r.n, 2);
    ck_assert_int_eq(sel(NAVOI_STORAGE_BY_GROUP, "G1", 0, 0, 0, 10, &r), NAVOI_OK);
    ck_assert_int_eq(r.n, 2);
    ck_assert_int_eq(sel(NAVOI_STORAGE_BY_ORIGINAL, "a", 0, 0, 0, 10, &r), NAVOI_OK);
    ck_assert_int_eq(r.n, 2);
    ck_assert_int_eq(sel(99, NULL, 0, 0, 0, 10, &r), NAVOI_EINVAL);
    {
        int64_t n = 0, oldest = 0;
        ck_assert_int_eq(g_ops.count(1, &n, &oldest, g_ud), NAVOI_OK);
        ck_assert_int_eq(n, 3);
        ck_assert_int_eq(oldest, 1);
        ck_assert_int_eq(g_ops.count(7, &n, &oldest, g_ud), NAVOI_OK);
        ck_assert_int_eq(n, 0);
        ck_assert_int_eq(oldest, 0);
    }
}
END_TEST

START_TEST(history_and_remove)
{
    blob b;
    rows r;
    memset(&b, 0, sizeof b);
    ck_assert_int_eq(ins("k1", 1, 0, 1, NULL, NULL, NULL, "v"), NAVOI_OK);
    ck_assert_int_eq(g_ops.begin(g_ud), NAVOI_OK);
    ck_assert_int_eq(g_ops.history_add("k1", 5, "first", 5, g_ud), NAVOI_OK);
    ck_assert_int_eq(g_ops.history_add("k1", 3, "second", 6, g_ud), NAVOI_OK);
    ck_assert_int_eq(g_ops.history_add("k2", 3, "other", 5, g_ud), NAVOI_OK);
    ck_assert_int_eq(g_ops.commit(g_ud), NAVOI_OK);
    ck_assert_int_eq(g_ops.history_list("k1", on_data, &b, g_ud), NAVOI_OK);
    ck_assert_int_eq(b.n, 2); /* insertion order, not time order */
    ck_assert_str_eq(b.data[0], "first");
    ck_assert_int_eq(b.t[0], 5);
    ck_assert_str_eq(b.data[1], "second");
    ck_assert_int_eq(g_ops.begin(g_ud), NAVOI_OK);
    ck_assert_int_eq(g_ops.remove("k1", g_ud), NAVOI_OK);
    ck_assert_int_eq(g_ops.remove("absent", g_ud), NAVOI_OK);
    ck_assert_int_eq(g_ops.commit(g_ud), NAVOI_OK);
    ck_assert_int_eq(sel(NAVOI_STORAGE_BY_KEY, "k1", 0, 0, 0, 1, &r), NAVOI_OK);
    ck_assert_int_eq(r.n, 0);
    memset(&b, 0, sizeof b);
    ck_assert_int_eq(g_ops.history_list("k1", on_data, &b, g_ud), NAVOI_OK);
    ck_assert_int_eq(b.n, 0);
}
END_TEST

START_TEST(rollback_discards_commit_survives_restart)
{
    rows r;
    int64_t f = 0;
    ck_assert_int_eq(ins("k1", 1, 0, 1, NULL, NULL, NULL, "v1"), NAVOI_OK);
    ck_assert_int_eq(g_ops.begin(g_ud), NAVOI_OK);
    ck_assert_int_eq(g_ops.update("k1", 1, 2, 0, NULL, "v2", 2, 0, &f, g_ud), NAVOI_OK);
    ck_assert_int_eq(g_ops.insert("k2", 1, 0, 1, NULL, NULL, NULL, "x", 1, NULL, 0, g_ud),
                     NAVOI_OK);
    g_ops.rollback(g_ud);
    ck_assert_int_eq(sel(NAVOI_STORAGE_BY_KEY, "k1", 0, 0, 0, 1, &r), NAVOI_OK);
    ck_assert_str_eq(r.rec[0], "v1");
    ck_assert_int_eq(sel(NAVOI_STORAGE_BY_KEY, "k2", 0, 0, 0, 1, &r), NAVOI_OK);
    ck_assert_int_eq(r.n, 0);
    reopen();
    ck_assert_int_eq(sel(NAVOI_STORAGE_BY_KEY, "k1", 0, 0, 0, 1, &r), NAVOI_OK);
    ck_assert_int_eq(r.n, 1);
    ck_assert_str_eq(r.rec[0], "v1");
    ck_assert_int_eq(r.fence[0], 1);
    /* a callback that stops the listing */
}
END_TEST

static int stop_row(const char *key, int64_t fence, const char *rec, size_t len, void *ctx)
{
    (void)key;
    (void)fence;
    (void)rec;
    (void)len;
    (*(int *)ctx)++;
    return 1;
}

START_TEST(callback_stops)
{
    int calls = 0;
    ck_assert_int_eq(ins("a", 1, 0, 1, NULL, NULL, NULL, "a"), NAVOI_OK);
    ck_assert_int_eq(ins("b", 1, 0, 2, NULL, NULL, NULL, "b"), NAVOI_OK);
    ck_assert_int_eq(g_ops.select(NAVOI_STORAGE_BY_STATE, NULL, 1, 0, 0, 10, stop_row, &calls,
                                  g_ud),
                     NAVOI_EUSER);
    ck_assert_int_eq(calls, 1);
}
END_TEST

typedef struct scan_rows {
    int n;
    int64_t seq[8];
    char key[8][16], entry[8][16];
} scan_rows;

static int scan_row(int64_t seq, const char *key, int64_t time_ms, const char *entry, size_t len,
                    void *ctx)
{
    scan_rows *r = ctx;
    (void)time_ms;
    ck_assert_int_lt(r->n, 8);
    ck_assert_uint_lt(len, 16);
    r->seq[r->n] = seq;
    snprintf(r->key[r->n], sizeof r->key[0], "%s", key);
    memcpy(r->entry[r->n], entry, len);
    r->entry[r->n][len] = '\0';
    r->n++;
    return 0;
}

/* ---- version 2: incoming invoices, named state, history scan ---- */

typedef struct inb {
    int n;
    char id[8][64];
    int64_t ins[8];
    char meta[8][64];
    int has_xml[8];
    char xml[8][64];
} inb;

static int on_inb(const char *id, int64_t ins_ms, const char *meta, size_t meta_len,
                  const char *xml, size_t xml_len, void *ctx)
{
    inb *b = ctx;
    ck_assert_int_lt(b->n, 8);
    ck_assert_uint_lt(meta_len, 64);
    ck_assert_uint_lt(xml_len, 64);
    snprintf(b->id[b->n], sizeof b->id[0], "%s", id);
    b->ins[b->n] = ins_ms;
    memcpy(b->meta[b->n], meta, meta_len);
    b->meta[b->n][meta_len] = '\0';
    b->has_xml[b->n] = xml != NULL;
    if (xml) {
        memcpy(b->xml[b->n], xml, xml_len);
        b->xml[b->n][xml_len] = '\0';
    }
    b->n++;
    return 0;
}

START_TEST(v2_inbound)
{
    inb b;
    int created = -1;
    if (g_ops.version < 2 || !g_ops.inbound_put)
        return;
    ck_assert_int_eq(g_ops.inbound_put("i2", 200, "m2", 2, "<x2/>", 5, &created, g_ud), NAVOI_OK);
    ck_assert_int_eq(created, 1);
    ck_assert_int_eq(g_ops.inbound_put("i1", 100, "m1", 2, NULL, 0, &created, g_ud), NAVOI_OK);
    ck_assert_int_eq(g_ops.inbound_put("i3", 200, "m3", 2, "<x3/>", 5, &created, g_ud), NAVOI_OK);
    /* an existing id changes nothing */
    ck_assert_int_eq(g_ops.inbound_put("i2", 999, "zz", 2, NULL, 0, &created, g_ud), NAVOI_OK);
    ck_assert_int_eq(created, 0);
    memset(&b, 0, sizeof b);
    ck_assert_int_eq(g_ops.inbound_get("i2", 1, on_inb, &b, g_ud), NAVOI_OK);
    ck_assert_int_eq(b.n, 1);
    ck_assert_int_eq(b.ins[0], 200);
    ck_assert_str_eq(b.meta[0], "m2");
    ck_assert(b.has_xml[0]);
    ck_assert_str_eq(b.xml[0], "<x2/>");
    memset(&b, 0, sizeof b);
    ck_assert_int_eq(g_ops.inbound_get("i2", 0, on_inb, &b, g_ud), NAVOI_OK);
    ck_assert(!b.has_xml[0]);
    memset(&b, 0, sizeof b);
    ck_assert_int_eq(g_ops.inbound_get("i1", 1, on_inb, &b, g_ud), NAVOI_OK);
    ck_assert(!b.has_xml[0]); /* stored without XML */
    ck_assert_int_eq(g_ops.inbound_get("nope", 1, on_inb, &b, g_ud), NAVOI_ENOTFOUND);
    /* listing: by (ins_ms, id), range inclusive, paging */
    memset(&b, 0, sizeof b);
    ck_assert_int_eq(g_ops.inbound_list(100, 200, 0, 10, on_inb, &b, g_ud), NAVOI_OK);
    ck_assert_int_eq(b.n, 3);
    ck_assert_str_eq(b.id[0], "i1");
    ck_assert_str_eq(b.id[1], "i2");
    ck_assert_str_eq(b.id[2], "i3");
    ck_assert(!b.has_xml[1]);
    memset(&b, 0, sizeof b);
    ck_assert_int_eq(g_ops.inbound_list(101, 300, 1, 1, on_inb, &b, g_ud), NAVOI_OK);
    ck_assert_int_eq(b.n, 1);
    ck_assert_str_eq(b.id[0], "i3");
}
END_TEST

START_TEST(v2_state_and_history_scan)
{
    blob b;
    if (g_ops.version < 2 || !g_ops.state_get)
        return;
    memset(&b, 0, sizeof b);
    ck_assert_int_eq(g_ops.state_get("cursor", on_data, &b, g_ud), NAVOI_ENOTFOUND);
    ck_assert_int_eq(g_ops.state_set("cursor", "one", 3, g_ud), NAVOI_OK);
    ck_assert_int_eq(g_ops.state_set("cursor", "two", 3, g_ud), NAVOI_OK);
    ck_assert_int_eq(g_ops.state_get("cursor", on_data, &b, g_ud), NAVOI_OK);
    ck_assert_int_eq(b.n, 1);
    ck_assert_str_eq(b.data[0], "two");
    ck_assert_int_eq(g_ops.state_set("cursor", NULL, 0, g_ud), NAVOI_OK);
    ck_assert_int_eq(g_ops.state_get("cursor", on_data, &b, g_ud), NAVOI_ENOTFOUND);
    reopen(); /* named state survives a restart */
    ck_assert_int_eq(g_ops.state_set("kept", "v", 1, g_ud), NAVOI_OK);
    reopen();
    memset(&b, 0, sizeof b);
    ck_assert_int_eq(g_ops.state_get("kept", on_data, &b, g_ud), NAVOI_OK);
    ck_assert_str_eq(b.data[0], "v");
    {
        scan_rows r;
        int64_t first;
        ck_assert_int_eq(g_ops.history_add("a", 1, "e1", 2, g_ud), NAVOI_OK);
        ck_assert_int_eq(g_ops.history_add("b", 1, "e2", 2, g_ud), NAVOI_OK);
        ck_assert_int_eq(g_ops.history_add("a", 1, "e3", 2, g_ud), NAVOI_OK);
        memset(&r, 0, sizeof r);
        ck_assert_int_eq(g_ops.history_scan(0, 10, scan_row, &r, g_ud), NAVOI_OK);
        ck_assert_int_eq(r.n, 3);
        ck_assert_int_gt(r.seq[0], 0);
        ck_assert_int_lt(r.seq[0], r.seq[1]);
        ck_assert_int_lt(r.seq[1], r.seq[2]);
        ck_assert_str_eq(r.key[1], "b");
        ck_assert_str_eq(r.entry[2], "e3");
        first = r.seq[0];
        memset(&r, 0, sizeof r);
        ck_assert_int_eq(g_ops.history_scan(first, 1, scan_row, &r, g_ud), NAVOI_OK);
        ck_assert_int_eq(r.n, 1);
        ck_assert_str_eq(r.entry[0], "e2");
    }
}
END_TEST

/* ---- version 3: claim_due and pace (optional) ---- */

START_TEST(v3_claim_due_skips_leased)
{
    rows r;
    int64_t t = wall_ms(), f = 0;
    if (g_ops.version < 3 || !g_ops.claim_due)
        return;
    ck_assert_int_eq(ins("a", 1, 10, 1, NULL, NULL, NULL, "a"), NAVOI_OK);
    ck_assert_int_eq(ins("b", 1, 20, 2, NULL, NULL, NULL, "b"), NAVOI_OK);
    ck_assert_int_eq(ins("c", 1, 30, 3, NULL, NULL, NULL, "c"), NAVOI_OK);
    ck_assert_int_eq(ins("d", 2, 5, 4, NULL, NULL, NULL, "d"), NAVOI_OK);
    memset(&r, 0, sizeof r);
    ck_assert_int_eq(g_ops.claim_due(1, 25, 10, "A", t, t + 60000, on_row, &r, g_ud), NAVOI_OK);
    ck_assert_int_eq(r.n, 2); /* state and due_max respected, BY_DUE order */
    ck_assert_str_eq(r.key[0], "a");
    ck_assert_str_eq(r.key[1], "b");
    ck_assert_int_eq(r.fence[0], 2);
    /* another owner skips what A holds */
    memset(&r, 0, sizeof r);
    ck_assert_int_eq(g_ops.claim_due(1, 25, 10, "B", t, t + 60000, on_row, &r, g_ud), NAVOI_OK);
    ck_assert_int_eq(r.n, 0);
    memset(&r, 0, sizeof r);
    ck_assert_int_eq(g_ops.claim_due(1, 100, 10, "B", t, t + 60000, on_row, &r, g_ud), NAVOI_OK);
    ck_assert_int_eq(r.n, 1);
    ck_assert_str_eq(r.key[0], "c");
    /* the holder claims its own again (renewal), limit respected */
    memset(&r, 0, sizeof r);
    ck_assert_int_eq(g_ops.claim_due(1, 100, 1, "A", t, t + 60000, on_row, &r, g_ud), NAVOI_OK);
    ck_assert_int_eq(r.n, 1);
    ck_assert_str_eq(r.key[0], "a");
    ck_assert_int_eq(r.fence[0], 3);
    /* the fence handed out is the one that works; the previous is dead */
    ck_assert_int_eq(g_ops.begin(g_ud), NAVOI_OK);
    ck_assert_int_eq(g_ops.update("a", 2, 1, 10, NULL, "x", 1, 0, &f, g_ud), NAVOI_ESTATE);
    ck_assert_int_eq(g_ops.update("a", 3, 1, 10, NULL, "a2", 2, 0, &f, g_ud), NAVOI_OK);
    ck_assert_int_eq(g_ops.commit(g_ud), NAVOI_OK);
    /* released: B may take it now; an expired lease is no obstacle either */
    memset(&r, 0, sizeof r);
    ck_assert_int_eq(g_ops.claim_due(1, 10, 10, "B", t, t + 60000, on_row, &r, g_ud), NAVOI_OK);
    ck_assert_int_eq(r.n, 1);
    ck_assert_str_eq(r.rec[0], "a2");
    ck_assert_int_eq(r.fence[0], 5);
}
END_TEST

START_TEST(v3_claim_due_skips_locked)
{
    navoi_storage_ops ops2;
    void *ud2 = NULL;
    rows r;
    int64_t t = wall_ms(), f = 0;
    if (g_ops.version < 3 || !g_ops.claim_due || !g_b->concurrent_writers)
        return;
    ck_assert_int_eq(ins("a", 1, 10, 1, NULL, NULL, NULL, "a"), NAVOI_OK);
    ck_assert_int_eq(ins("b", 1, 20, 2, NULL, NULL, NULL, "b"), NAVOI_OK);
    g_b->open(&ops2, &ud2);
    /* handle 1 is changing a (uncommitted): handle 2 neither waits nor takes it */
    ck_assert_int_eq(g_ops.begin(g_ud), NAVOI_OK);
    ck_assert_int_eq(g_ops.update("a", 1, 1, 10, NULL, "a1", 2, 0, &f, g_ud), NAVOI_OK);
    memset(&r, 0, sizeof r);
    ck_assert_int_eq(ops2.claim_due(1, 100, 10, "B", t, t + 60000, on_row, &r, ud2), NAVOI_OK);
    ck_assert_int_eq(r.n, 1);
    ck_assert_str_eq(r.key[0], "b");
    ck_assert_int_eq(g_ops.commit(g_ud), NAVOI_OK);
    memset(&r, 0, sizeof r);
    ck_assert_int_eq(ops2.claim_due(1, 100, 10, "B", t, t + 60000, on_row, &r, ud2), NAVOI_OK);
    ck_assert_int_eq(r.n, 2);
    ck_assert_str_eq(r.rec[0], "a1");
    ops2.destroy(ud2);
}
END_TEST

START_TEST(v3_pace_shared)
{
    navoi_storage_ops ops2;
    void *ud2 = NULL;
    int64_t w = -1;
    int i;
    if (g_ops.version < 3 || !g_ops.pace)
        return;
    ck_assert_int_eq(g_ops.pace("nav", wall_ms(), 60000, &w, g_ud), NAVOI_OK);
    ck_assert_int_eq(w, 0);
    ck_assert_int_eq(g_ops.pace("nav", wall_ms(), 60000, &w, g_ud), NAVOI_OK);
    ck_assert_int_gt(w, 0);
    ck_assert_int_le(w, 60000);
    /* a second handle (another worker) sees the same slot */
    g_b->open(&ops2, &ud2);
    ck_assert_int_eq(ops2.pace("nav", wall_ms(), 60000, &w, ud2), NAVOI_OK);
    ck_assert_int_gt(w, 0);
    /* other names are independent */
    ck_assert_int_eq(ops2.pace("other", wall_ms(), 50, &w, ud2), NAVOI_OK);
    ck_assert_int_eq(w, 0);
    /* a slot ends: retried until free (the time is not asserted) */
    for (i = 0, w = 1; i < 1000 && w > 0; i++) {
        ck_assert_int_eq(ops2.pace("other", wall_ms(), 50, &w, ud2), NAVOI_OK);
        if (w > 0)
            nap_ms(w > 100 ? 100 : (long)w);
    }
    ck_assert_int_eq(w, 0);
    ops2.destroy(ud2);
}
END_TEST

void sc_add(Suite *s, const sc_backend *b)
{
    TCase *tc = tcase_create(b->name);
    g_b = b;
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, insert_select_payload);
    tcase_add_test(tc, update_is_fenced);
    tcase_add_test(tc, claim_lease_and_fence);
    tcase_add_test(tc, selectors_order_and_paging);
    tcase_add_test(tc, history_and_remove);
    tcase_add_test(tc, rollback_discards_commit_survives_restart);
    tcase_add_test(tc, callback_stops);
    tcase_add_test(tc, v2_inbound);
    tcase_add_test(tc, v2_state_and_history_scan);
    tcase_add_test(tc, v3_claim_due_skips_leased);
    tcase_add_test(tc, v3_claim_due_skips_locked);
    tcase_add_test(tc, v3_pace_shared);
    suite_add_tcase(s, tc);
}
