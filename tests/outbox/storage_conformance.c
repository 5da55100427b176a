/* storage_conformance.c - see storage_conformance.h. The contract tested
 * is the one documented at navoi_storage_ops in navoi.h. */
#include "storage_conformance.h"

#include <stdlib.h>
#include <string.h>

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

START_TEST(claim_lease_and_fence)
{
    int64_t f = 0;
    ck_assert_int_eq(ins("k1", 1, 0, 10, NULL, NULL, NULL, "v"), NAVOI_OK);
    ck_assert_int_eq(g_ops.begin(g_ud), NAVOI_OK);
    ck_assert_int_eq(g_ops.claim("k1", 1, "A", 1000, 2000, &f, g_ud), NAVOI_OK);
    ck_assert_int_eq(f, 2);
    /* another owner while the lease runs */
    ck_assert_int_eq(g_ops.claim("k1", 2, "B", 1500, 2500, &f, g_ud), NAVOI_ESTATE);
    /* the holder renews */
    ck_assert_int_eq(g_ops.claim("k1", 2, "A", 1600, 2600, &f, g_ud), NAVOI_OK);
    ck_assert_int_eq(f, 3);
    /* after expiry another owner takes over; the old fence is dead */
    ck_assert_int_eq(g_ops.claim("k1", 3, "B", 2600, 3600, &f, g_ud), NAVOI_OK);
    ck_assert_int_eq(f, 4);
    ck_assert_int_eq(g_ops.update("k1", 3, 2, 0, NULL, "late", 4, 5000, &f, g_ud), NAVOI_ESTATE);
    ck_assert_int_eq(g_ops.claim("k1", 4, "A", 2700, 3700, &f, g_ud), NAVOI_ESTATE);
    /* an update with lease 0 releases it */
    ck_assert_int_eq(g_ops.update("k1", 4, 1, 0, NULL, "free", 4, 0, &f, g_ud), NAVOI_OK);
    ck_assert_int_eq(f, 5);
    ck_assert_int_eq(g_ops.claim("k1", 5, "A", 2800, 3800, &f, g_ud), NAVOI_OK);
    ck_assert_int_eq(g_ops.claim("k1", 5, "A", 2800, 3800, &f, g_ud), NAVOI_ESTATE);
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
    suite_add_tcase(s, tc);
}
