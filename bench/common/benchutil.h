/*
 * benchutil.h - what every navoi benchmark shares: a monotonic clock,
 * medians, the machine and build description each benchmark prints with
 * its numbers, RSS readings, and "typical invoices" generated from our own
 * fixtures (tests/data/invoices) by repeating invoice lines until a target
 * size is reached.
 *
 * Benchmarks print numbers; they never decide whether a test passes.
 */
#ifndef NAVOI_BENCH_BENCHUTIL_H
#define NAVOI_BENCH_BENCHUTIL_H

#include <stddef.h>
#include <stdio.h>

typedef struct bench_doc {
    char *data;      /* InvoiceData XML, NUL-terminated */
    size_t len;
    int operation;   /* NAVOI_OP_* of the fixture it came from */
    char number[32]; /* its (unique) invoiceNumber */
} bench_doc;

/* Seconds on the monotonic clock. */
double bench_now(void);
/* Median of v[0..n) (sorts v). */
double bench_median(double *v, size_t n);
double bench_min(const double *v, size_t n);

/* Prints "machine:" and "build:" lines: CPU model, cores, RAM, kernel,
 * compiler, build type and flags, OpenSSL, libxml2 and SQLite versions. */
void bench_print_machine(FILE *f);

/* Current and peak resident set size of this process in KiB (from
 * /proc/self/status VmRSS / VmHWM), -1 when unknown. */
long bench_rss_kib(void);
long bench_peak_rss_kib(void);

/* Directory of our fixtures ($NAVOI_TEST_DATA or the source tree's
 * tests/data) and of NAV's reference data ($NAVOI_NAV_DATA or the
 * configured nav_data). */
const char *bench_test_data_dir(void);
const char *bench_nav_data_dir(void);

/* Makes n invoices of min_bytes..max_bytes (spread evenly, deterministic)
 * from the fixtures: each gets a unique invoiceNumber prefix-NNNNNN and
 * enough copies of its last invoice line (renumbered) to reach its size.
 * They stay valid against invoiceData.xsd. Returns 0 or -1 (message on
 * stderr). */
int bench_make_invoices(size_t n, size_t min_bytes, size_t max_bytes, const char *prefix,
                        bench_doc **out);
void bench_docs_free(bench_doc *docs, size_t n);
/* Prints "inputs: N invoices from tests/data/invoices, A..B bytes (avg C)". */
void bench_print_docs(FILE *f, const bench_doc *docs, size_t n);

/* --name VALUE from argv as an integer, else def. */
long bench_arg_long(int argc, char **argv, const char *name, long def);
/* 1 if --name is present. */
int bench_arg_flag(int argc, char **argv, const char *name);

/* "result: bench=B metric=M value=V unit=U target=T status=met|missed|info"
 * - one machine-readable line per headline number, collected by
 * scripts/bench into its summary. target <= 0 means none (status info). */
void bench_result(const char *bench, const char *metric, double value, const char *unit,
                  const char *cmp, double target);

#endif
