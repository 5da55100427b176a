/* test_storage_pg.c - the PostgreSQL backend: the storage conformance kit
 * (the same tests as SQLite), then what is PostgreSQL's own: schema
 * migrations (also by several processes at once), leases on the database
 * clock, the audit of stale fences, reconnection, and connection strings
 * whose password must never show in a message. Skips (77) without a server. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <check.h>

#include "navoi/navoi.h"
#include "pgtest.h"
#include "storage/storage.h"
#include "storage_conformance.h"
#include "testutil.h"

static void pg_open(navoi_storage_ops *ops, void **ud)
{
    char err[800];
    ck_assert_msg(navoi__storage_pg_open(pgt_conninfo(), NULL, ops, ud, err, sizeof err) ==
                      NAVOI_OK,
                  "%s", err);
}

static void pg_wipe(void)
{
    pgt_truncate_all();
}

static const sc_backend k_pg = {"postgres-conformance", pg_open, pg_wipe, 1};

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int insert1(navoi_storage_ops *ops, void *ud, const char *key)
{
    int rc = ops->begin(ud);
    if (rc == NAVOI_OK)
        rc = ops->insert(key, 1, 0, 1, NULL, NULL, NULL, "r", 1, "p", 1, ud);
    if (rc == NAVOI_OK)
        return ops->commit(ud);
    ops->rollback(ud);
    return rc;
}

START_TEST(migrations_and_versions)
{
    navoi_storage_ops ops;
    void *ud = NULL;
    char err[800];
    pgt_drop_all();
    pg_open(&ops, &ud);
    ck_assert_int_eq(pgt_scalar("SELECT version FROM navoi_schema"), 1);
    ck_assert_int_eq(insert1(&ops, ud, "k"), NAVOI_OK);
    ops.destroy(ud);
    /* opening again keeps the data and the version */
    pg_open(&ops, &ud);
    ck_assert_int_eq(pgt_scalar("SELECT count(*) FROM navoi_items"), 1);
    ck_assert_int_eq(pgt_scalar("SELECT count(*) FROM navoi_schema"), 1);
    ops.destroy(ud);
    /* a database from a newer navoi is refused, not touched */
    pgt_exec("UPDATE navoi_schema SET version = 99");
    ck_assert_int_eq(navoi__storage_pg_open(pgt_conninfo(), NULL, &ops, &ud, err, sizeof err),
                     NAVOI_ECONFIG);
    ck_assert_ptr_nonnull(strstr(err, "schema version 99"));
    ck_assert_ptr_null(ud);
    pgt_drop_all();
}
END_TEST

START_TEST(concurrent_first_open)
{
    pid_t kids[6];
    int i, status;
    pgt_drop_all();
    for (i = 0; i < 6; i++) {
        kids[i] = fork();
        ck_assert_int_ge(kids[i], 0);
        if (kids[i] == 0) {
            navoi_storage_ops ops;
            void *ud = NULL;
            char err[800];
            int rc = navoi__storage_pg_open(pgt_conninfo(), NULL, &ops, &ud, err, sizeof err);
            if (rc == NAVOI_OK) {
                char key[16];
                snprintf(key, sizeof key, "k%d", i);
                rc = insert1(&ops, ud, key);
                ops.destroy(ud);
            } else {
                fprintf(stderr, "child %d: %s\n", i, err);
            }
            _exit(rc == NAVOI_OK ? 0 : 1);
        }
    }
    for (i = 0; i < 6; i++) {
        ck_assert_int_eq(waitpid(kids[i], &status, 0), kids[i]);
        ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    ck_assert_int_eq(pgt_scalar("SELECT count(*) FROM navoi_items"), 6);
    ck_assert_int_eq(pgt_scalar("SELECT version FROM navoi_schema"), 1);
}
END_TEST

/* A worker whose clock is far off cannot take a lease early: the database
 * clock decides (with SQLite the caller's now_ms would). */
START_TEST(leases_use_the_database_clock)
{
    navoi_storage_ops ops;
    void *ud = NULL;
    int64_t f = 0, t = wall_ms();
    pgt_truncate_all();
    pg_open(&ops, &ud);
    ck_assert_int_eq(insert1(&ops, ud, "k"), NAVOI_OK);
    /* A's clock is ten days behind: its 60 s lease still lasts 60 s */
    ck_assert_int_eq(ops.claim("k", 1, "A", t - 864000000, t - 864000000 + 60000, &f, ud),
                     NAVOI_OK);
    /* B's clock is a day ahead: for B the lease looks long gone, yet it holds */
    ck_assert_int_eq(ops.claim("k", 2, "B", t + 86400000, t + 86400000 + 60000, &f, ud),
                     NAVOI_ESTATE);
    ck_assert_int_eq(
        pgt_scalar("SELECT (lease_until > clock_timestamp() + interval '50 seconds'"
                   " AND lease_until < clock_timestamp() + interval '61 seconds')::int"
                   " FROM navoi_items WHERE key = 'k'"),
        1);
    /* an update that keeps the lease extends it by the claimed duration */
    ck_assert_int_eq(ops.update("k", 2, 2, 0, NULL, "r2", 2, 1, &f, ud), NAVOI_OK);
    ck_assert_int_eq(
        pgt_scalar("SELECT (lease_until > clock_timestamp() + interval '50 seconds')::int"
                   " FROM navoi_items WHERE key = 'k' AND lease_owner = 'A'"),
        1);
    ops.destroy(ud);
}
END_TEST

START_TEST(stale_fences_are_audited)
{
    navoi_storage_ops a_ops, b_ops;
    void *a = NULL, *b = NULL;
    int64_t f = 0, t = wall_ms();
    int i, rc = NAVOI_ESTATE;
    pgt_truncate_all();
    pg_open(&a_ops, &a);
    pg_open(&b_ops, &b);
    ck_assert_int_eq(insert1(&a_ops, a, "k"), NAVOI_OK);
    ck_assert_int_eq(a_ops.claim("k", 1, "worker-A", t, t + 50, &f, a), NAVOI_OK);
    /* A "pauses"; its lease runs out and B takes over */
    for (i = 0; i < 500 && rc != NAVOI_OK; i++) {
        t = wall_ms();
        rc = b_ops.claim("k", 2, "worker-B", t, t + 60000, &f, b);
        if (rc != NAVOI_OK)
            usleep(10000);
    }
    ck_assert_int_eq(rc, NAVOI_OK);
    ck_assert_int_eq(navoi__storage_pg_rejections(b), 0); /* waiting is not staleness */
    /* A resumes and tries its transition: no row changes */
    ck_assert_int_eq(a_ops.begin(a), NAVOI_OK);
    ck_assert_int_eq(a_ops.update("k", 2, 3, 0, "G", "stale", 5, 0, &f, a), NAVOI_ESTATE);
    ck_assert_ptr_nonnull(strstr(navoi__storage_pg_errmsg(a), "changed under us"));
    a_ops.rollback(a);
    ck_assert_int_eq(navoi__storage_pg_rejections(a), 1);
    ck_assert_int_eq(pgt_scalar("SELECT count(*) FROM navoi_fence_rejections WHERE"
                                " owner = 'worker-A' AND key = 'k' AND op = 'update' AND"
                                " fence = 2 AND stored_fence = 3 AND stored_owner = 'worker-B'"),
                     1);
    ck_assert_int_eq(pgt_scalar("SELECT count(*) FROM navoi_items WHERE key = 'k' AND"
                                " fence = 3 AND state = 1 AND group_id IS NULL"),
                     1);
    a_ops.destroy(a);
    b_ops.destroy(b);
}
END_TEST

START_TEST(reconnects_after_a_lost_connection)
{
    navoi_storage_ops ops;
    void *ud = NULL;
    char ci[700], err[800];
    int64_t n = -1, f = 0;
    pgt_truncate_all();
    snprintf(ci, sizeof ci, "%s application_name=navoi-reconnect", pgt_conninfo());
    ck_assert_int_eq(navoi__storage_pg_open(ci, NULL, &ops, &ud, err, sizeof err), NAVOI_OK);
    ck_assert_int_eq(insert1(&ops, ud, "k"), NAVOI_OK);
    pgt_exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
             " WHERE application_name = 'navoi-reconnect'");
    /* outside a transaction: reconnect and carry on */
    ck_assert_int_eq(ops.count(1, &n, NULL, ud), NAVOI_OK);
    ck_assert_int_eq(n, 1);
    /* inside one: its work is gone, the caller rolls back and starts over */
    ck_assert_int_eq(ops.begin(ud), NAVOI_OK);
    pgt_exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
             " WHERE application_name = 'navoi-reconnect'");
    ck_assert_int_eq(ops.update("k", 1, 2, 0, NULL, "x", 1, 0, &f, ud), NAVOI_EIO);
    ops.rollback(ud);
    ck_assert_int_eq(ops.begin(ud), NAVOI_OK);
    ck_assert_int_eq(ops.update("k", 1, 2, 0, NULL, "x", 1, 0, &f, ud), NAVOI_OK);
    ck_assert_int_eq(ops.commit(ud), NAVOI_OK);
    ops.destroy(ud);
}
END_TEST

static void assert_no_secret(const char *conninfo, int want_rc)
{
    navoi_storage_ops ops;
    navoi_client *c = NULL;
    navoi_outbox *ob = (navoi_outbox *)1;
    void *ud = NULL;
    char err[800];
    ck_assert_int_eq(navoi__storage_pg_open(conninfo, NULL, &ops, &ud, err, sizeof err), want_rc);
    ck_assert_msg(!strstr(err, "Sekret"), "password in: %s", err);
    ck_assert_int_eq(navoi_client_new(&c), NAVOI_OK);
    ck_assert_int_eq(navoi_outbox_open_postgres(&ob, c, conninfo), want_rc);
    ck_assert_ptr_null(ob);
    ck_assert_msg(!strstr(navoi_client_errmsg(c), "Sekret"), "password in: %s",
                  navoi_client_errmsg(c));
    ck_assert_str_ne(navoi_client_errmsg(c), "");
    navoi_client_free(c);
}

START_TEST(passwords_never_in_messages)
{
    assert_no_secret("host=127.0.0.1 port=1 dbname=x user=u password=Sekret-PW-1"
                     " connect_timeout=5",
                     NAVOI_EIO);
    assert_no_secret("postgresql://u:Sekret-PW-2@127.0.0.1:1/x?connect_timeout=5", NAVOI_EIO);
    assert_no_secret("host=127.0.0.1 password='Sekret-PW-3", NAVOI_EINVAL);
    assert_no_secret("postgresql://u:Sekret-PW-4@127.0.0.1:1/x?nosuchoption=1", NAVOI_EINVAL);
}
END_TEST

START_TEST(public_constructor)
{
    navoi_client *c = NULL;
    navoi_outbox *ob = NULL;
    int64_t n = -1;
    pgt_truncate_all();
    ck_assert_int_eq(navoi_client_new(&c), NAVOI_OK);
    ck_assert_int_eq(navoi_outbox_open_postgres(NULL, c, pgt_conninfo()), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_outbox_open_postgres(&ob, NULL, pgt_conninfo()), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_outbox_open_postgres(&ob, c, NULL), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_outbox_open_postgres(&ob, c, pgt_conninfo()), NAVOI_OK);
    ck_assert_int_eq(navoi_outbox_count(ob, NAVOI_ITEM_PENDING, &n), NAVOI_OK);
    ck_assert_int_eq(n, 0);
    ck_assert_int_eq(navoi_outbox_retry(ob, "absent"), NAVOI_ENOTFOUND);
    navoi_outbox_free(ob);
    navoi_client_free(c);
}
END_TEST

int main(void)
{
    Suite *s;
    TCase *tc;
    if (!pgt_conninfo()) {
        fprintf(stderr, "postgres-storage: no PostgreSQL server (NAVOI_TEST_PG unset and "
                        "scripts/pg-test-server could not start one): skipped\n");
        return 77;
    }
    s = suite_create("postgres-storage");
    sc_add(s, &k_pg);
    tc = tcase_create("postgres");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, migrations_and_versions);
    tcase_add_test(tc, concurrent_first_open);
    tcase_add_test(tc, leases_use_the_database_clock);
    tcase_add_test(tc, stale_fences_are_audited);
    tcase_add_test(tc, reconnects_after_a_lost_connection);
    tcase_add_test(tc, passwords_never_in_messages);
    tcase_add_test(tc, public_constructor);
    suite_add_tcase(s, tc);
    return nt_run(s);
}
