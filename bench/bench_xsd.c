/*
 * bench_xsd.c - XSD validation of typical invoices (5 to 10 KB) against
 * NAV's invoiceData.xsd, compiled once and reused, per invoice. Target:
 * validation under 150 us for a typical invoice on this machine.
 *
 * Measured round by round, interleaved:
 *   parse     navoi__xml_read + free (the hardened parse; the reference)
 *   validate  navoi__schemas_validate on an already parsed document
 *   both      navoi__schemas_validate_mem (parse + validate), which is what
 *             a client with a schema directory does for every invoice
 *   invoice   navoi_invoice_new with and without a schema directory:
 *             the difference is what validation adds to the public call
 *
 * Usage: bench_xsd [--rounds N] [--invoices N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "benchutil.h"
#include "navoi/navoi.h"
#include "xml/parse.h"
#include "xml/schema.h"

static double run_parse(const bench_doc *docs, size_t n)
{
    double t0 = bench_now();
    size_t i;
    for (i = 0; i < n; i++) {
        xmlDocPtr d = NULL;
        if (navoi__xml_read(docs[i].data, docs[i].len, &d, NULL, 0) != NAVOI_OK)
            abort();
        xmlFreeDoc(d);
    }
    return bench_now() - t0;
}

static double run_validate(const navoi__schemas *s, xmlDocPtr *parsed, size_t n)
{
    char why[256];
    double t0 = bench_now();
    size_t i;
    for (i = 0; i < n; i++)
        if (navoi__schemas_validate(s, NAVOI__SCHEMA_DATA, parsed[i], why, sizeof why) != NAVOI_OK) {
            fprintf(stderr, "bench_xsd: invoice %zu does not validate: %s\n", i, why);
            exit(1);
        }
    return bench_now() - t0;
}

static double run_both(const navoi__schemas *s, const bench_doc *docs, size_t n)
{
    char why[256];
    double t0 = bench_now();
    size_t i;
    for (i = 0; i < n; i++)
        if (navoi__schemas_validate_mem(s, NAVOI__SCHEMA_DATA, docs[i].data, docs[i].len, why,
                                        sizeof why) != NAVOI_OK)
            abort();
    return bench_now() - t0;
}

static double run_invoice(navoi_client *c, const bench_doc *docs, size_t n)
{
    double t0 = bench_now();
    size_t i;
    for (i = 0; i < n; i++) {
        navoi_invoice *inv = NULL;
        if (navoi_invoice_new(&inv, c, docs[i].data, docs[i].len, docs[i].operation) != NAVOI_OK) {
            fprintf(stderr, "bench_xsd: navoi_invoice_new: %s\n", navoi_client_errmsg(c));
            exit(1);
        }
        navoi_invoice_free(inv);
    }
    return bench_now() - t0;
}

int main(int argc, char **argv)
{
    long rounds = bench_arg_long(argc, argv, "--rounds", 30);
    size_t n = (size_t)bench_arg_long(argc, argv, "--invoices", 100);
    const long warmup = 2;
    char dir[4096], err[512];
    navoi__schemas *s = NULL;
    navoi_client *plain = NULL, *checked = NULL;
    bench_doc *docs = NULL;
    xmlDocPtr *parsed;
    double *tp, *tv, *tb, *ti0, *ti1;
    double mp, mv, mb, mi0, mi1, t_load;
    size_t i;
    long r;

    if (n < 1 || rounds < 1) {
        fprintf(stderr, "usage: bench_xsd [--rounds N] [--invoices N]\n");
        return 2;
    }
    snprintf(dir, sizeof dir, "%s/schemas", bench_nav_data_dir());
    if (bench_make_invoices(n, 5000, 10000, "XSD", &docs) != 0)
        return 1;
    t_load = bench_now();
    if (navoi__schemas_load(dir, &s, err, sizeof err) != NAVOI_OK) {
        fprintf(stderr, "bench_xsd: cannot load NAV's schemas from %s: %s (set NAVOI_NAV_DATA)\n",
                dir, err);
        return 1;
    }
    t_load = bench_now() - t_load;
    if (navoi_client_new(&plain) != NAVOI_OK || navoi_client_new(&checked) != NAVOI_OK ||
        navoi_client_set_schema_dir(checked, dir) != NAVOI_OK) {
        fprintf(stderr, "bench_xsd: client setup failed\n");
        return 1;
    }
    parsed = calloc(n, sizeof *parsed);
    tp = calloc((size_t)rounds, sizeof *tp);
    tv = calloc((size_t)rounds, sizeof *tv);
    tb = calloc((size_t)rounds, sizeof *tb);
    ti0 = calloc((size_t)rounds, sizeof *ti0);
    ti1 = calloc((size_t)rounds, sizeof *ti1);
    if (!parsed || !tp || !tv || !tb || !ti0 || !ti1)
        return 1;
    for (i = 0; i < n; i++)
        if (navoi__xml_read(docs[i].data, docs[i].len, &parsed[i], err, sizeof err) != NAVOI_OK) {
            fprintf(stderr, "bench_xsd: invoice %zu: %s\n", i, err);
            return 1;
        }

    for (r = 0; r < warmup; r++) {
        run_parse(docs, n);
        run_validate(s, parsed, n);
        run_both(s, docs, n);
        run_invoice(plain, docs, n);
        run_invoice(checked, docs, n);
    }
    for (r = 0; r < rounds; r++) {
        tp[r] = run_parse(docs, n);
        tv[r] = run_validate(s, parsed, n);
        tb[r] = run_both(s, docs, n);
        ti0[r] = run_invoice(plain, docs, n);
        ti1[r] = run_invoice(checked, docs, n);
    }
    mp = bench_median(tp, (size_t)rounds) / (double)n * 1e6;
    mv = bench_median(tv, (size_t)rounds) / (double)n * 1e6;
    mb = bench_median(tb, (size_t)rounds) / (double)n * 1e6;
    mi0 = bench_median(ti0, (size_t)rounds) / (double)n * 1e6;
    mi1 = bench_median(ti1, (size_t)rounds) / (double)n * 1e6;

    printf("bench_xsd: XSD validation of an invoice, compiled schema reused\n");
    bench_print_machine(stdout);
    bench_print_docs(stdout, docs, n);
    printf("schemas: %s (invoiceData.xsd with common and base), compiled once in %.1f ms\n", dir,
           t_load * 1e3);
    printf("%ld rounds of %zu invoices after %ld warm-up, medians per invoice\n", rounds, n, warmup);
    printf("parse     navoi__xml_read (reference)                 %8.2f us\n", mp);
    printf("validate  navoi__schemas_validate, parsed document    %8.2f us  ratio to parse %.2f\n",
           mv, mv / mp);
    printf("both      navoi__schemas_validate_mem                 %8.2f us  ratio to parse %.2f\n",
           mb, mb / mp);
    printf("invoice   navoi_invoice_new without schemas           %8.2f us\n", mi0);
    printf("invoice   navoi_invoice_new with schemas              %8.2f us  validation adds %.2f us\n",
           mi1, mi1 - mi0);
    bench_result("xsd", "parse_us_per_invoice", mp, "us", "", 0);
    bench_result("xsd", "validate_us_per_invoice", mv, "us", "<", 150.0);
    bench_result("xsd", "parse_and_validate_us_per_invoice", mb, "us", "<", 150.0);
    bench_result("xsd", "invoice_new_validation_adds_us", mi1 - mi0, "us", "<", 150.0);

    for (i = 0; i < n; i++)
        xmlFreeDoc(parsed[i]);
    free(parsed);
    free(tp);
    free(tv);
    free(tb);
    free(ti0);
    free(ti1);
    navoi__schemas_free(s);
    navoi_client_free(plain);
    navoi_client_free(checked);
    bench_docs_free(docs, n);
    return 0;
}
