/* test_storage.c - the SQLite backend: the storage conformance tests, file
 * modes, schema versions, and I/O failures on commit through a faulty VFS
 * (an enqueue either fails and the item is absent after a restart, or
 * succeeds and the item is durable: never in between). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>
#include <sqlite3.h>

#include "navoi/navoi.h"
#include "storage/storage.h"
#include "storage_conformance.h"
#include "testutil.h"

static char g_dir[256];
static char g_db[300];

static void mkdir_tmp(void)
{
    if (g_dir[0])
        return;
    snprintf(g_dir, sizeof g_dir, "/tmp/navoi-storage-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(g_dir));
    snprintf(g_db, sizeof g_db, "%s/store.db", g_dir);
}

static void rm_db(const char *db)
{
    nt_remove_sqlite(db);
}

static void sq_open(navoi_storage_ops *ops, void **ud)
{
    char err[512];
    mkdir_tmp();
    ck_assert_msg(navoi__storage_sqlite_open(g_db, ops, ud, err, sizeof err) == NAVOI_OK, "%s",
                  err);
}

static void sq_wipe(void)
{
    mkdir_tmp();
    rm_db(g_db);
}

static const sc_backend k_sqlite = {"sqlite-conformance", sq_open, sq_wipe, 0};

/* ---- SQLite specifics ---- */

START_TEST(file_modes_and_versions)
{
    navoi_storage_ops ops;
    void *ud = NULL;
    char err[512], wal[400];
    struct stat st;
    sqlite3 *db;
    int fd;

    sq_wipe();
    ck_assert_int_eq(navoi__storage_sqlite_open(g_db, &ops, &ud, err, sizeof err), NAVOI_OK);
    ck_assert_int_eq(ops.begin(ud), NAVOI_OK);
    ck_assert_int_eq(ops.insert("k", 1, 0, 0, NULL, NULL, NULL, "r", 1, NULL, 0, ud), NAVOI_OK);
    ck_assert_int_eq(ops.commit(ud), NAVOI_OK);
    ck_assert_int_eq(stat(g_db, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600);
    snprintf(wal, sizeof wal, "%s-wal", g_db);
    ck_assert_int_eq(stat(wal, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600);
    ops.destroy(ud);

    /* WAL, synchronous=FULL, schema version */
    ck_assert_int_eq(sqlite3_open(g_db, &db), SQLITE_OK);
    {
        sqlite3_stmt *s;
        ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &s, NULL), SQLITE_OK);
        ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
        ck_assert_str_eq((const char *)sqlite3_column_text(s, 0), "wal");
        sqlite3_finalize(s);
        ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL), SQLITE_OK);
        ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
        ck_assert_int_eq(sqlite3_column_int(s, 0), NAVOI__SQLITE_SCHEMA_VERSION);
        sqlite3_finalize(s);
    }
    /* a database from a newer navoi is refused */
    ck_assert_int_eq(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    ck_assert_int_eq(navoi__storage_sqlite_open(g_db, &ops, &ud, err, sizeof err), NAVOI_ECONFIG);
    ck_assert_msg(strstr(err, "schema version 99") != NULL, "%s", err);
    rm_db(g_db);

    /* an existing file readable by others is refused */
    fd = open(g_db, O_CREAT | O_WRONLY, 0644);
    ck_assert_int_ge(fd, 0);
    close(fd);
    chmod(g_db, 0644);
    ck_assert_int_eq(navoi__storage_sqlite_open(g_db, &ops, &ud, err, sizeof err), NAVOI_EPERM);
    ck_assert_ptr_nonnull(strstr(err, "0600"));
    rm_db(g_db);
}
END_TEST

/* ---- a faulty VFS: fails the n-th write or sync of the WAL ---- */

static sqlite3_vfs *g_real;
static int g_fail_sync = -1;  /* fail when this reaches 0 */
static int g_fail_write = -1;
static int g_failures;

typedef struct ffile {
    sqlite3_file base;
    int wal;
    sqlite3_file *real;
} ffile;

#define REAL(f) (((ffile *)(f))->real)

static int f_close(sqlite3_file *f)
{
    int rc = REAL(f)->pMethods ? REAL(f)->pMethods->xClose(REAL(f)) : SQLITE_OK;
    return rc;
}
static int f_read(sqlite3_file *f, void *b, int n, sqlite3_int64 o)
{
    return REAL(f)->pMethods->xRead(REAL(f), b, n, o);
}
static int f_write(sqlite3_file *f, const void *b, int n, sqlite3_int64 o)
{
    if (((ffile *)f)->wal && g_fail_write >= 0 && g_fail_write-- == 0) {
        g_failures++;
        return SQLITE_IOERR_WRITE;
    }
    return REAL(f)->pMethods->xWrite(REAL(f), b, n, o);
}
static int f_truncate(sqlite3_file *f, sqlite3_int64 n)
{
    return REAL(f)->pMethods->xTruncate(REAL(f), n);
}
static int f_sync(sqlite3_file *f, int flags)
{
    if (((ffile *)f)->wal && g_fail_sync >= 0 && g_fail_sync-- == 0) {
        g_failures++;
        return SQLITE_IOERR_FSYNC;
    }
    return REAL(f)->pMethods->xSync(REAL(f), flags);
}
static int f_size(sqlite3_file *f, sqlite3_int64 *s)
{
    return REAL(f)->pMethods->xFileSize(REAL(f), s);
}
static int f_lock(sqlite3_file *f, int l)
{
    return REAL(f)->pMethods->xLock(REAL(f), l);
}
static int f_unlock(sqlite3_file *f, int l)
{
    return REAL(f)->pMethods->xUnlock(REAL(f), l);
}
static int f_check(sqlite3_file *f, int *o)
{
    return REAL(f)->pMethods->xCheckReservedLock(REAL(f), o);
}
static int f_fcntl(sqlite3_file *f, int op, void *a)
{
    return REAL(f)->pMethods->xFileControl(REAL(f), op, a);
}
static int f_sector(sqlite3_file *f)
{
    return REAL(f)->pMethods->xSectorSize(REAL(f));
}
static int f_dev(sqlite3_file *f)
{
    return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}
static int f_shmmap(sqlite3_file *f, int i, int sz, int ext, void volatile **pp)
{
    return REAL(f)->pMethods->xShmMap(REAL(f), i, sz, ext, pp);
}
static int f_shmlock(sqlite3_file *f, int o, int n, int fl)
{
    return REAL(f)->pMethods->xShmLock(REAL(f), o, n, fl);
}
static void f_shmbarrier(sqlite3_file *f)
{
    REAL(f)->pMethods->xShmBarrier(REAL(f));
}
static int f_shmunmap(sqlite3_file *f, int del)
{
    return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}

static const sqlite3_io_methods k_methods = {
    2, f_close, f_read, f_write, f_truncate, f_sync, f_size, f_lock, f_unlock, f_check,
    f_fcntl, f_sector, f_dev, f_shmmap, f_shmlock, f_shmbarrier, f_shmunmap, NULL, NULL};

static int f_open(sqlite3_vfs *v, const char *name, sqlite3_file *file, int flags, int *out)
{
    ffile *p = (ffile *)file;
    int rc;
    (void)v;
    p->real = (sqlite3_file *)(p + 1);
    p->wal = (flags & SQLITE_OPEN_WAL) != 0;
    rc = g_real->xOpen(g_real, name, p->real, flags, out);
    p->base.pMethods = rc == SQLITE_OK ? &k_methods : NULL;
    return rc;
}
static int f_delete(sqlite3_vfs *v, const char *n, int s)
{
    (void)v;
    return g_real->xDelete(g_real, n, s);
}
static int f_access(sqlite3_vfs *v, const char *n, int fl, int *o)
{
    (void)v;
    return g_real->xAccess(g_real, n, fl, o);
}
static int f_full(sqlite3_vfs *v, const char *n, int sz, char *o)
{
    (void)v;
    return g_real->xFullPathname(g_real, n, sz, o);
}
static int f_rand(sqlite3_vfs *v, int n, char *o)
{
    (void)v;
    return g_real->xRandomness(g_real, n, o);
}
static int f_sleep(sqlite3_vfs *v, int us)
{
    (void)v;
    return g_real->xSleep(g_real, us);
}
static int f_time(sqlite3_vfs *v, double *t)
{
    (void)v;
    return g_real->xCurrentTime(g_real, t);
}
static int f_err(sqlite3_vfs *v, int n, char *o)
{
    (void)v;
    return g_real->xGetLastError(g_real, n, o);
}
static int f_time64(sqlite3_vfs *v, sqlite3_int64 *t)
{
    (void)v;
    return g_real->xCurrentTimeInt64(g_real, t);
}

static sqlite3_vfs g_vfs;

static void register_vfs(void)
{
    if (g_real)
        return;
    g_real = sqlite3_vfs_find(NULL);
    ck_assert_ptr_nonnull(g_real);
    memset(&g_vfs, 0, sizeof g_vfs);
    g_vfs.iVersion = 2;
    g_vfs.szOsFile = (int)sizeof(ffile) + g_real->szOsFile;
    g_vfs.mxPathname = g_real->mxPathname;
    g_vfs.zName = "navoi-faulty";
    g_vfs.xOpen = f_open;
    g_vfs.xDelete = f_delete;
    g_vfs.xAccess = f_access;
    g_vfs.xFullPathname = f_full;
    g_vfs.xRandomness = f_rand;
    g_vfs.xSleep = f_sleep;
    g_vfs.xCurrentTime = f_time;
    g_vfs.xGetLastError = f_err;
    g_vfs.xCurrentTimeInt64 = f_time64;
    ck_assert_int_eq(sqlite3_vfs_register(&g_vfs, 0), SQLITE_OK);
}

static navoi_invoice *invoice(const char *number)
{
    char *path = nt_data_path("invoices/demo-create-1.xml"), *xml, *p;
    navoi_invoice *inv = NULL;
    xml = nt_read_file(path, NULL);
    free(path);
    p = strstr(xml, "DEMO-2026-0001");
    ck_assert_ptr_nonnull(p);
    ck_assert_uint_eq(strlen(number), 14);
    memcpy(p, number, 14);
    ck_assert_int_eq(navoi_invoice_new(&inv, NULL, xml, strlen(xml), NAVOI_OP_CREATE), NAVOI_OK);
    free(xml);
    return inv;
}

static int present(navoi_client *c, const char *key)
{
    navoi_outbox *ob = NULL;
    navoi_outbox_item *it = NULL;
    int rc;
    ck_assert_int_eq(navoi_outbox_open_sqlite(&ob, c, g_db), NAVOI_OK);
    rc = navoi_outbox_item_get(ob, key, &it);
    navoi_outbox_item_free(it);
    navoi_outbox_free(ob);
    ck_assert(rc == NAVOI_OK || rc == NAVOI_ENOTFOUND);
    return rc == NAVOI_OK;
}

static void integrity_ok(void)
{
    sqlite3 *db;
    sqlite3_stmt *s;
    ck_assert_int_eq(sqlite3_open(g_db, &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
    ck_assert_str_eq((const char *)sqlite3_column_text(s, 0), "ok");
    sqlite3_finalize(s);
    sqlite3_close(db);
}

START_TEST(io_failure_on_commit_is_all_or_nothing)
{
    navoi_client *c = NULL;
    navoi_outbox *ob = NULL;
    char uri[400], key[32], num[32];
    int round, kind;

    register_vfs();
    sq_wipe();
    /* create the file (mode 0600) and schema with the normal VFS first */
    ck_assert_int_eq(navoi_client_new(&c), NAVOI_OK);
    ck_assert_int_eq(navoi_outbox_open_sqlite(&ob, c, g_db), NAVOI_OK);
    navoi_outbox_free(ob);
    snprintf(uri, sizeof uri, "file:%s?vfs=navoi-faulty", g_db);
    for (round = 0; round < 12; round++) {
        for (kind = 0; kind < 2; kind++) {
            navoi_invoice *inv;
            int rc, created = -1;
            snprintf(key, sizeof key, "io-%d-%d", round, kind);
            snprintf(num, sizeof num, "IOTEST-%03d-%03d", round, kind);
            inv = invoice(num);
            ck_assert_int_eq(navoi_outbox_open_sqlite(&ob, c, uri), NAVOI_OK);
            /* fail the (round % 3)-th WAL sync/write of this enqueue */
            g_failures = 0;
            if (kind == 0)
                g_fail_sync = round % 3;
            else
                g_fail_write = round % 3;
            rc = navoi_outbox_enqueue(ob, key, inv, NULL, &created);
            g_fail_sync = g_fail_write = -1;
            navoi_outbox_free(ob);
            if (rc == NAVOI_OK) {
                /* success: durable across a restart */
                ck_assert_int_eq(created, 1);
                ck_assert(present(c, key));
            } else {
                /* failure: absent after a restart, and the key is free */
                ck_assert_int_eq(rc, NAVOI_EIO);
                ck_assert_int_gt(g_failures, 0);
                ck_assert(!present(c, key));
                ck_assert_int_eq(navoi_outbox_open_sqlite(&ob, c, g_db), NAVOI_OK);
                ck_assert_int_eq(navoi_outbox_enqueue(ob, key, inv, NULL, &created), NAVOI_OK);
                ck_assert_int_eq(created, 1);
                navoi_outbox_free(ob);
                ck_assert(present(c, key));
            }
            navoi_invoice_free(inv);
        }
    }
    /* the first sync of an enqueue's commit always fails it */
    {
        navoi_invoice *inv = invoice("IOTEST-999-999");
        ck_assert_int_eq(navoi_outbox_open_sqlite(&ob, c, uri), NAVOI_OK);
        g_fail_sync = 0;
        ck_assert_int_eq(navoi_outbox_enqueue(ob, "io-last", inv, NULL, NULL), NAVOI_EIO);
        g_fail_sync = -1;
        ck_assert_ptr_nonnull(strstr(navoi_outbox_errmsg(ob), "commit"));
        /* the same handle keeps working on a fresh connection */
        ck_assert_int_eq(navoi_outbox_enqueue(ob, "io-last", inv, NULL, NULL), NAVOI_OK);
        navoi_outbox_free(ob);
        ck_assert(present(c, "io-last"));
        navoi_invoice_free(inv);
    }
    integrity_ok();
    navoi_client_free(c);
    rm_db(g_db);
}
END_TEST

/* navoi_outbox_enqueue_batch(): one transaction for the whole batch, so
 * an I/O failure at any write or sync of its commit leaves none of it, a
 * success all of it (across a restart); a refused item refuses the batch. */
START_TEST(batch_enqueue_is_all_or_nothing)
{
    enum { NB = 5 };
    navoi_client *c = NULL;
    navoi_outbox *ob = NULL;
    navoi_invoice *inv[NB];
    char uri[400], keys[NB][32], num[32];
    const char *kp[NB];
    int created[NB], round, kind, i, rc, nfailed = 0, nstored = 0;

    register_vfs();
    sq_wipe();
    ck_assert_int_eq(navoi_client_new(&c), NAVOI_OK);
    ck_assert_int_eq(navoi_outbox_open_sqlite(&ob, c, g_db), NAVOI_OK);
    navoi_outbox_free(ob);
    snprintf(uri, sizeof uri, "file:%s?vfs=navoi-faulty", g_db);
    for (round = 0; round < 8; round++) {
        for (kind = 0; kind < 2; kind++) {
            for (i = 0; i < NB; i++) {
                snprintf(keys[i], sizeof keys[i], "b-%d-%d-%d", round, kind, i);
                kp[i] = keys[i];
                snprintf(num, sizeof num, "BATCH-%02d%d-%04d", round, kind, i);
                inv[i] = invoice(num);
            }
            ck_assert_int_eq(navoi_outbox_open_sqlite(&ob, c, uri), NAVOI_OK);
            g_failures = 0;
            if (kind == 0)
                g_fail_sync = round % 4;
            else
                g_fail_write = round % 4;
            rc = navoi_outbox_enqueue_batch(ob, kp, (const navoi_invoice *const *)inv, NB,
                                            created);
            g_fail_sync = g_fail_write = -1;
            navoi_outbox_free(ob);
            if (rc == NAVOI_OK) {
                nstored++;
                for (i = 0; i < NB; i++) {
                    ck_assert_int_eq(created[i], 1);
                    ck_assert(present(c, keys[i]));
                }
            } else {
                ck_assert_int_eq(rc, NAVOI_EIO);
                ck_assert_int_gt(g_failures, 0);
                nfailed++;
                for (i = 0; i < NB; i++) {
                    ck_assert_int_eq(created[i], 0);
                    ck_assert(!present(c, keys[i]));
                }
                /* the keys are free: the same batch goes in on a healthy file */
                ck_assert_int_eq(navoi_outbox_open_sqlite(&ob, c, g_db), NAVOI_OK);
                ck_assert_int_eq(navoi_outbox_enqueue_batch(
                                     ob, kp, (const navoi_invoice *const *)inv, NB, created),
                                 NAVOI_OK);
                navoi_outbox_free(ob);
                for (i = 0; i < NB; i++)
                    ck_assert(present(c, keys[i]));
            }
            /* repeating a stored batch is a no-op */
            ck_assert_int_eq(navoi_outbox_open_sqlite(&ob, c, g_db), NAVOI_OK);
            ck_assert_int_eq(navoi_outbox_enqueue_batch(ob, kp, (const navoi_invoice *const *)inv,
                                                        NB, created),
                             NAVOI_OK);
            for (i = 0; i < NB; i++)
                ck_assert_int_eq(created[i], 0);
            navoi_outbox_free(ob);
            for (i = 0; i < NB; i++)
                navoi_invoice_free(inv[i]);
        }
    }
    /* both outcomes were exercised */
    ck_assert_int_gt(nfailed, 0);
    ck_assert_int_gt(nstored, 0);
    /* a refused item refuses the whole batch: new keys stay absent */
    ck_assert_int_eq(navoi_outbox_open_sqlite(&ob, c, g_db), NAVOI_OK);
    for (i = 0; i < NB; i++) {
        snprintf(keys[i], sizeof keys[i], "r-%d", i);
        kp[i] = keys[i];
        snprintf(num, sizeof num, "BATCH-REF-%04d", i + 1000);
        inv[i] = invoice(num);
    }
    kp[3] = "b-0-0-1"; /* stored above with a different invoice */
    ck_assert_int_eq(navoi_outbox_enqueue_batch(ob, kp, (const navoi_invoice *const *)inv, NB,
                                                created),
                     NAVOI_ESTATE);
    ck_assert_ptr_nonnull(strstr(navoi_outbox_errmsg(ob), "batch item 3"));
    kp[3] = "bad key\x01";
    ck_assert_int_eq(navoi_outbox_enqueue_batch(ob, kp, (const navoi_invoice *const *)inv, NB,
                                                created),
                     NAVOI_EINVAL);
    ck_assert_int_eq(navoi_outbox_enqueue_batch(ob, kp, (const navoi_invoice *const *)inv, 0,
                                                created),
                     NAVOI_EINVAL);
    navoi_outbox_free(ob);
    for (i = 0; i < NB; i++) {
        ck_assert_int_eq(created[i], 0);
        if (i != 3)
            ck_assert(!present(c, keys[i]));
        navoi_invoice_free(inv[i]);
    }
    integrity_ok();
    navoi_client_free(c);
    rm_db(g_db);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("storage");
    TCase *tc = tcase_create("sqlite");
    sc_add(s, &k_sqlite);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, file_modes_and_versions);
    tcase_add_test(tc, io_failure_on_commit_is_all_or_nothing);
    tcase_add_test(tc, batch_enqueue_is_all_or_nothing);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    int rc = nt_run(suite());
    if (g_dir[0]) {
        rm_db(g_db);
        rmdir(g_dir);
    }
    return rc;
}
