/* benchutil.c - shared benchmark plumbing (see benchutil.h). */
#include "benchutil.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <libxml/xmlversion.h>
#include <openssl/crypto.h>

#include "navoi/navoi.h"

#ifndef BENCH_BUILD_DESC
#define BENCH_BUILD_DESC "unknown"
#endif
#ifndef BENCH_TEST_DATA
#define BENCH_TEST_DATA "tests/data"
#endif
#ifndef BENCH_NAV_DATA
#define BENCH_NAV_DATA "../shared/nav"
#endif

double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double bench_median(double *v, size_t n)
{
    if (n == 0)
        return 0.0;
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

double bench_min(const double *v, size_t n)
{
    double m = n ? v[0] : 0.0;
    size_t i;
    for (i = 1; i < n; i++)
        if (v[i] < m)
            m = v[i];
    return m;
}

/* First line of /proc/cpuinfo (or a /proc status file) starting with key. */
static int proc_field(const char *path, const char *key, char *out, size_t outlen)
{
    char line[512];
    size_t klen = strlen(key);
    FILE *f = fopen(path, "r");
    int found = 0;

    if (!f)
        return 0;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, key, klen) == 0) {
            char *v = line + klen;
            while (*v == ' ' || *v == '\t' || *v == ':')
                v++;
            v[strcspn(v, "\n")] = '\0';
            snprintf(out, outlen, "%s", v);
            found = 1;
            break;
        }
    }
    fclose(f);
    return found;
}

void bench_print_machine(FILE *f)
{
    char model[256] = "unknown CPU";
    struct utsname u;
    long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
    double ram_gib = pages > 0 && psz > 0 ? (double)pages * (double)psz / (1024.0 * 1024 * 1024) : 0;

    proc_field("/proc/cpuinfo", "model name", model, sizeof model);
    if (uname(&u) != 0)
        snprintf(u.release, sizeof u.release, "?");
    fprintf(f, "machine: %s, %ld online cores, %.1f GiB RAM, %s %s\n", model,
            sysconf(_SC_NPROCESSORS_ONLN), ram_gib, u.sysname, u.release);
#ifdef __VERSION__
    fprintf(f, "build: cc %s, %s\n", __VERSION__, BENCH_BUILD_DESC);
#else
    fprintf(f, "build: %s\n", BENCH_BUILD_DESC);
#endif
    fprintf(f, "libraries: navoi %s, %s, libxml2 %s\n", navoi_version(),
            OpenSSL_version(OPENSSL_VERSION), LIBXML_DOTTED_VERSION);
}

static long status_kib(const char *key)
{
    char v[64];
    if (!proc_field("/proc/self/status", key, v, sizeof v))
        return -1;
    return strtol(v, NULL, 10);
}

long bench_rss_kib(void)
{
    return status_kib("VmRSS:");
}

long bench_peak_rss_kib(void)
{
    return status_kib("VmHWM:");
}

const char *bench_test_data_dir(void)
{
    const char *e = getenv("NAVOI_TEST_DATA");
    return e && *e ? e : BENCH_TEST_DATA;
}

const char *bench_nav_data_dir(void)
{
    const char *e = getenv("NAVOI_NAV_DATA");
    return e && *e ? e : BENCH_NAV_DATA;
}

static char *read_all(const char *path, size_t *len_out)
{
    FILE *f = fopen(path, "rb");
    char *p = NULL;
    long n;

    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        p = malloc((size_t)n + 1);
        if (p && fread(p, 1, (size_t)n, f) != (size_t)n) {
            free(p);
            p = NULL;
        }
        if (p) {
            p[n] = '\0';
            *len_out = (size_t)n;
        }
    }
    fclose(f);
    return p;
}

typedef struct fixture {
    const char *file;
    int operation;
    char *data;
    size_t len;
} fixture;

/* Appends s[0..n) to a growing string. */
static int put(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
    /* Lengths come from pointer differences; a wrapped one is a bug. */
    if (n > ((size_t)1 << 30) || *len > ((size_t)1 << 30))
        return -1;
    if (*len + n + 1 > *cap) {
        size_t c = *cap ? *cap : 4096;
        char *p;
        while (c < *len + n + 1)
            c *= 2;
        p = realloc(*buf, c);
        if (!p)
            return -1;
        *buf = p;
        *cap = c;
    }
    memcpy(*buf + *len, s, n);
    *len += n;
    (*buf)[*len] = '\0';
    return 0;
}

/* One generated invoice: the fixture with its invoiceNumber replaced and
 * its last <line> block repeated (with increasing lineNumber) until the
 * document reaches target bytes without going past max. */
static int make_one(const fixture *fx, const char *number, size_t target, size_t max,
                    bench_doc *d)
{
    const char *x = fx->data;
    const char *num_open = strstr(x, "<invoiceNumber>");
    const char *num_close = num_open ? strstr(num_open, "</invoiceNumber>") : NULL;
    const char *lines_end = strstr(x, "</invoiceLines>");
    const char *last_close = NULL, *p, *blk_start, *blk_end, *ln;
    char *out = NULL;
    size_t len = 0, cap = 0, blk_len;
    long next_no;

    if (!num_open || !num_close || !lines_end)
        return -1;
    for (p = x; (p = strstr(p, "</line>")) && p < lines_end; p++)
        last_close = p;
    if (!last_close)
        return -1;
    blk_end = last_close + strlen("</line>");
    if (*blk_end == '\n')
        blk_end++;
    for (blk_start = last_close; blk_start > x && strncmp(blk_start, "<line>", 6) != 0;
         blk_start--)
        ;
    while (blk_start > x && (blk_start[-1] == '\t' || blk_start[-1] == ' '))
        blk_start--;
    blk_len = (size_t)(blk_end - blk_start);
    ln = strstr(blk_start, "<lineNumber>");
    if (!ln || ln > blk_end)
        return -1;
    next_no = strtol(ln + strlen("<lineNumber>"), NULL, 10) + 1;

    num_open += strlen("<invoiceNumber>");
    if (put(&out, &len, &cap, x, (size_t)(num_open - x)) ||
        put(&out, &len, &cap, number, strlen(number)) ||
        put(&out, &len, &cap, num_close, (size_t)(blk_end - num_close)))
        goto fail;
    /* Grow to at least target, never past max. */
    while (len + (fx->len - (size_t)(blk_end - x)) < target &&
           len + blk_len + 8 + (fx->len - (size_t)(blk_end - x)) <= max) {
        /* the block with its lineNumber replaced */
        char no[24];
        const char *after = strstr(ln, "</lineNumber>");
        int k = snprintf(no, sizeof no, "%ld", next_no++);
        if (put(&out, &len, &cap, blk_start, (size_t)(ln + strlen("<lineNumber>") - blk_start)) ||
            put(&out, &len, &cap, no, (size_t)k) ||
            put(&out, &len, &cap, after, (size_t)(blk_end - after)))
            goto fail;
    }
    if (put(&out, &len, &cap, blk_end, fx->len - (size_t)(blk_end - x)))
        goto fail;
    d->data = out;
    d->len = len;
    d->operation = fx->operation;
    snprintf(d->number, sizeof d->number, "%s", number);
    return 0;
fail:
    free(out);
    return -1;
}

int bench_make_invoices(size_t n, size_t min_bytes, size_t max_bytes, const char *prefix,
                        bench_doc **out)
{
    fixture fx[] = {
        {"demo-create-1.xml", NAVOI_OP_CREATE, NULL, 0},
        {"demo-create-2.xml", NAVOI_OP_CREATE, NULL, 0},
        {"demo-modify-1.xml", NAVOI_OP_MODIFY, NULL, 0},
        {"demo-storno-2.xml", NAVOI_OP_STORNO, NULL, 0},
    };
    const size_t nfx = sizeof fx / sizeof fx[0];
    bench_doc *docs;
    size_t i;
    int rc = -1;

    *out = NULL;
    docs = calloc(n ? n : 1, sizeof *docs);
    if (!docs)
        return -1;
    for (i = 0; i < nfx; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/invoices/%s", bench_test_data_dir(), fx[i].file);
        fx[i].data = read_all(path, &fx[i].len);
        if (!fx[i].data) {
            fprintf(stderr, "bench: cannot read fixture %s (set NAVOI_TEST_DATA)\n", path);
            goto done;
        }
    }
    for (i = 0; i < n; i++) {
        char number[32];
        size_t target = n > 1 ? min_bytes + (max_bytes - min_bytes) * i / (n - 1) : max_bytes;
        snprintf(number, sizeof number, "%s-%06zu", prefix, i + 1);
        if (make_one(&fx[i % nfx], number, target, max_bytes, &docs[i]) != 0) {
            fprintf(stderr, "bench: cannot generate invoice %zu from %s\n", i, fx[i % nfx].file);
            bench_docs_free(docs, n);
            docs = NULL;
            goto done;
        }
    }
    *out = docs;
    rc = 0;
done:
    for (i = 0; i < nfx; i++)
        free(fx[i].data);
    return rc;
}

void bench_docs_free(bench_doc *docs, size_t n)
{
    size_t i;
    if (!docs)
        return;
    for (i = 0; i < n; i++)
        free(docs[i].data);
    free(docs);
}

void bench_print_docs(FILE *f, const bench_doc *docs, size_t n)
{
    size_t i, lo = (size_t)-1, hi = 0, sum = 0;
    for (i = 0; i < n; i++) {
        if (docs[i].len < lo)
            lo = docs[i].len;
        if (docs[i].len > hi)
            hi = docs[i].len;
        sum += docs[i].len;
    }
    fprintf(f,
            "inputs: %zu invoices generated from tests/data/invoices/demo-*.xml "
            "(lines repeated), %zu..%zu bytes (avg %zu)\n",
            n, n ? lo : 0, hi, n ? sum / n : 0);
}

long bench_arg_long(int argc, char **argv, const char *name, long def)
{
    int i;
    for (i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return strtol(argv[i + 1], NULL, 10);
    return def;
}

int bench_arg_flag(int argc, char **argv, const char *name)
{
    int i;
    for (i = 1; i < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return 1;
    return 0;
}

void bench_result(const char *bench, const char *metric, double value, const char *unit,
                  const char *cmp, double target)
{
    const char *status = "info";
    if (target > 0)
        status = (strcmp(cmp, "<=") == 0 ? value <= target : value < target) ? "met" : "missed";
    printf("result: bench=%s metric=%s value=%.3f unit=%s", bench, metric, value, unit);
    if (target > 0)
        printf(" target=%s%.3f", cmp, target);
    printf(" status=%s\n", status);
}
