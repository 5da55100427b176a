/*
 * bench_enqueue.c - durable enqueue into the SQLite outbox (WAL,
 * synchronous=FULL): invoices per second, each navoi_outbox_enqueue() a
 * committed (fsynced) transaction. The reference measured in the same run
 * is the raw cost of one durable commit on the same file system: an
 * fdatasync of a 4 KiB write, which bounds what any durable single enqueue
 * can reach.
 *
 * Batched: the same invoices again under new keys through
 * navoi_outbox_enqueue_batch() (one transaction, one commit per batch), in
 * batches of 10, 100 and 1000 (--batch B adds another size).
 *
 * Usage: bench_enqueue [--invoices N] [--batch B] [--dir DIR]   (DIR: where the
 * database is created, default $TMPDIR or /tmp; use the disk you deploy on)
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "benchutil.h"
#include "navoi/navoi.h"

static const char *arg_str(int argc, char **argv, const char *name, const char *def)
{
    int i;
    for (i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return argv[i + 1];
    return def;
}

/* The floor: one 4 KiB write + fdatasync per invoice in a file next to
 * the database. */
static double fsync_floor(const char *dir, long n)
{
    char path[4096], block[4096];
    double t0;
    long i;
    int fd;

    snprintf(path, sizeof path, "%s/navoi-bench-fsync.tmp", dir);
    fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
    if (fd < 0)
        return -1;
    memset(block, 'x', sizeof block);
    t0 = bench_now();
    for (i = 0; i < n; i++) {
        if (pwrite(fd, block, sizeof block, (off_t)((i % 256) * 4096)) != (ssize_t)sizeof block ||
            fdatasync(fd) != 0) {
            close(fd);
            unlink(path);
            return -1;
        }
    }
    t0 = bench_now() - t0;
    close(fd);
    unlink(path);
    return t0;
}

int main(int argc, char **argv)
{
    long n = bench_arg_long(argc, argv, "--invoices", 1000);
    const char *tmp = getenv("TMPDIR");
    const char *dir = arg_str(argc, argv, "--dir", tmp && *tmp ? tmp : "/tmp");
    char db[4096], side[4200];
    navoi_client *c = NULL;
    navoi_outbox *ob = NULL;
    navoi_invoice **invs;
    bench_doc *docs = NULL;
    double t, tf, tb[4];
    long bs[4] = {10, 100, 1000, 0}, nbs = 3;
    long i, j, k;
    long rss0;

    if (n < 1) {
        fprintf(stderr, "usage: bench_enqueue [--invoices N] [--dir DIR]\n");
        return 2;
    }
    snprintf(db, sizeof db, "%s/navoi-bench-enqueue-%ld.sqlite", dir, (long)getpid());
    if (bench_make_invoices((size_t)n, 5000, 10000, "ENQ", &docs) != 0)
        return 1;
    invs = calloc((size_t)n, sizeof *invs);
    if (!invs || navoi_client_new(&c) != NAVOI_OK)
        return 1;
    for (i = 0; i < n; i++)
        if (navoi_invoice_new(&invs[i], c, docs[i].data, docs[i].len, docs[i].operation) != NAVOI_OK) {
            fprintf(stderr, "bench_enqueue: invoice %ld: %s\n", i, navoi_client_errmsg(c));
            return 1;
        }
    if (navoi_outbox_open_sqlite(&ob, c, db) != NAVOI_OK) {
        fprintf(stderr, "bench_enqueue: cannot open %s\n", db);
        return 1;
    }
    /* storage only: the validator's cost is bench_xsd's and navoi_validate()'s */
    navoi_outbox_set_validation(ob, NAVOI_OUTBOX_VALIDATE_OFF);
    rss0 = bench_rss_kib();
    t = bench_now();
    for (i = 0; i < n; i++) {
        char key[32];
        snprintf(key, sizeof key, "erp-%08ld", i);
        if (navoi_outbox_enqueue(ob, key, invs[i], NULL, NULL) != NAVOI_OK) {
            fprintf(stderr, "bench_enqueue: enqueue %ld: %s\n", i, navoi_outbox_errmsg(ob));
            return 1;
        }
    }
    t = bench_now() - t;
    if (bench_arg_long(argc, argv, "--batch", 0) > 0)
        bs[nbs++] = bench_arg_long(argc, argv, "--batch", 0);
    for (j = 0; j < nbs; j++) {
        const char **keys = calloc((size_t)bs[j], sizeof *keys);
        char (*kb)[32] = calloc((size_t)bs[j], sizeof *kb);
        if (!keys || !kb)
            return 1;
        tb[j] = bench_now();
        for (i = 0; i < n; i += bs[j]) {
            long m = n - i < bs[j] ? n - i : bs[j];
            for (k = 0; k < m; k++) {
                snprintf(kb[k], sizeof kb[k], "b%ld-%08ld", bs[j], i + k);
                keys[k] = kb[k];
            }
            if (navoi_outbox_enqueue_batch(ob, keys, (const navoi_invoice *const *)invs + i,
                                           (size_t)m, NULL) != NAVOI_OK) {
                fprintf(stderr, "bench_enqueue: batch at %ld: %s\n", i, navoi_outbox_errmsg(ob));
                return 1;
            }
        }
        tb[j] = bench_now() - tb[j];
        free(keys);
        free(kb);
    }
    tf = fsync_floor(dir, n);

    printf("bench_enqueue: durable enqueue into the SQLite outbox (WAL, synchronous=FULL)\n");
    bench_print_machine(stdout);
    printf("sqlite: %s; database %s; validation at enqueue off\n", sqlite3_libversion(), db);
    bench_print_docs(stdout, docs, (size_t)n);
    printf("single   one navoi_outbox_enqueue per invoice   %10.1f invoices/s  (%.1f us each)\n",
           (double)n / t, t / (double)n * 1e6);
    if (tf > 0)
        printf("floor    4 KiB pwrite + fdatasync, same dir     %10.1f per s      ratio %.2f\n",
               (double)n / tf, t / tf);
    for (j = 0; j < nbs; j++) {
        char metric[64];
        printf("batched  navoi_outbox_enqueue_batch of %-5ld            %10.1f invoices/s  (%.1f us "
               "each, %.1fx single)\n",
               bs[j], (double)n / tb[j], tb[j] / (double)n * 1e6, t / tb[j]);
        snprintf(metric, sizeof metric, "batch%ld_invoices_per_s", bs[j]);
        bench_result("enqueue", metric, (double)n / tb[j], "1/s", "", 0);
    }
    printf("rss: %ld KiB before the loop, %ld KiB after, peak %ld KiB\n", rss0, bench_rss_kib(),
           bench_peak_rss_kib());
    bench_result("enqueue", "single_invoices_per_s", (double)n / t, "1/s", "", 0);
    if (tf > 0)
        bench_result("enqueue", "single_ratio_to_fdatasync", t / tf, "x", "", 0);

    navoi_outbox_free(ob);
    for (i = 0; i < n; i++)
        navoi_invoice_free(invs[i]);
    free(invs);
    navoi_client_free(c);
    bench_docs_free(docs, (size_t)n);
    unlink(db);
    snprintf(side, sizeof side, "%s-wal", db);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", db);
    unlink(side);
    return 0;
}
