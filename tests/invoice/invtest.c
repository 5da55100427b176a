/* invtest.c - see invtest.h. */
#include "invtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "testutil.h"

static int64_t fixed_clock(void *ud)
{
    (void)ud;
    return IT_NOW_MS;
}

navoi_client *it_client(int schemas)
{
    navoi_client *c = NULL;
    ck_assert_int_eq(navoi_client_new(&c), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_tax_number(c, "99999999"), NAVOI_OK);
    navoi_client_set_clock(c, fixed_clock, NULL);
    if (schemas) {
        char *dir = nt_nav_path("schemas");
        ck_assert_msg(navoi_client_set_schema_dir(c, dir) == NAVOI_OK, "%s", navoi_client_errmsg(c));
        free(dir);
    }
    return c;
}

navoi_findings *it_validate(navoi_client *c, const char *xml, int op)
{
    navoi_findings *f = NULL;
    int rc = navoi_validate_xml(c, xml, strlen(xml), op, &f);
    ck_assert_msg(rc == NAVOI_OK, "navoi_validate_xml: %s", navoi_strerror(rc));
    ck_assert_ptr_nonnull(f);
    return f;
}

static void dump(const navoi_findings *f)
{
    size_t i;
    for (i = 0; i < navoi_findings_count(f); i++) {
        const char *code, *path, *en;
        int sev;
        navoi_findings_get(f, i, &code, &sev, &path, &en, NULL);
        fprintf(stderr, "    %s %s at %s: %s\n", sev == NAVOI_SEVERITY_ERROR ? "ERROR" : "WARN", code,
                path, en);
    }
}

void it_expect(const navoi_findings *f, const char *const *codes, const char *what)
{
    size_t n = 0, i, j, count = navoi_findings_count(f);
    char used[256];
    int okay = 1;

    while (codes[n])
        n++;
    ck_assert_uint_lt(count, sizeof used);
    memset(used, 0, sizeof used);
    if (n != count)
        okay = 0;
    for (j = 0; okay && j < n; j++) {
        for (i = 0; i < count; i++) {
            const char *code;
            navoi_findings_get(f, i, &code, NULL, NULL, NULL, NULL);
            if (!used[i] && strcmp(code, codes[j]) == 0) {
                used[i] = 1;
                break;
            }
        }
        if (i == count)
            okay = 0;
    }
    if (!okay) {
        fprintf(stderr, "%s: expected", what);
        for (j = 0; j < n; j++)
            fprintf(stderr, " %s", codes[j]);
        fprintf(stderr, "%s, got:\n", n ? "" : " nothing");
        dump(f);
    }
    ck_assert_msg(okay, "%s: findings differ (see stderr)", what);
}

void it_expect_one(navoi_client *c, const char *xml, int op, const char *code, const char *what)
{
    const char *codes[2];
    navoi_findings *f = it_validate(c, xml, op);
    codes[0] = code;
    codes[1] = NULL;
    it_expect(f, codes, what);
    navoi_findings_free(f);
}

int it_has(const navoi_findings *f, const char *code, const char *path)
{
    size_t i;
    for (i = 0; i < navoi_findings_count(f); i++) {
        const char *c, *p;
        navoi_findings_get(f, i, &c, NULL, &p, NULL, NULL);
        if (strcmp(c, code) == 0 && (!path || strcmp(p, path) == 0))
            return 1;
    }
    return 0;
}

char *it_replace(const char *s, const char *old, const char *with, int nth)
{
    size_t ol = strlen(old), wl = strlen(with), cap = strlen(s) * 2 + wl * 64 + 1, n = 0;
    char *out = malloc(cap);
    const char *p = s, *q;
    int k = 0, done = 0;

    ck_assert_ptr_nonnull(out);
    while ((q = strstr(p, old)) != NULL) {
        k++;
        memcpy(out + n, p, (size_t)(q - p));
        n += (size_t)(q - p);
        if (nth == 0 || k == nth) {
            ck_assert_uint_lt(n + wl, cap);
            memcpy(out + n, with, wl);
            n += wl;
            done++;
        } else {
            memcpy(out + n, old, ol);
            n += ol;
        }
        p = q + ol;
    }
    strcpy(out + n, p);
    ck_assert_msg(done > 0, "'%s' (occurrence %d) not found", old, nth);
    return out;
}

char *it_cut(const char *s, const char *from, const char *to)
{
    const char *a = strstr(s, from), *b;
    char *out;

    ck_assert_msg(a != NULL, "'%s' not found", from);
    b = strstr(a, to);
    ck_assert_msg(b != NULL, "'%s' not found", to);
    b += strlen(to);
    out = malloc(strlen(s) + 1);
    ck_assert_ptr_nonnull(out);
    memcpy(out, s, (size_t)(a - s));
    strcpy(out + (a - s), b);
    return out;
}

char *it_sample(const char *name)
{
    char rel[256];
    snprintf(rel, sizeof rel, "samples/data/%s", name);
    return nt_read_nav(rel, NULL);
}

char *it_xml(const navoi_invoice *inv)
{
    size_t len = 0;
    const char *x = navoi_invoice_xml(inv, &len);
    char *copy = malloc(len + 1);
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, x, len);
    copy[len] = '\0';
    return copy;
}

void it_supplier(navoi_invoice_builder *b)
{
    ck_assert_int_eq(navoi_invoice_builder_set_supplier(b, "99999999-2-41", "Értékesítő Kft", "HU",
                                                        "1234", "Budapest", "Hármas utca 1."),
                     NAVOI_OK);
}

navoi_invoice_builder *it_base_builder(const char *number)
{
    navoi_invoice_builder *b = NULL;
    int32_t line = 0;

    ck_assert_int_eq(navoi_invoice_builder_new(&b, number, "2024-05-30", NAVOI_CATEGORY_NORMAL), NAVOI_OK);
    it_supplier(b);
    ck_assert_int_eq(navoi_invoice_builder_set_customer_domestic(b, "99887764-2-02", "Beszerző Kft", "HU",
                                                                 "7600", "Pécs", "Északi sugárút 123."),
                     NAVOI_OK);
    ck_assert_int_eq(navoi_invoice_builder_add_line(b, "Szék", "2", "PIECE", "1000", NULL, &line), NAVOI_OK);
    ck_assert_int_eq(navoi_invoice_builder_line_set_vat_rate(b, line, "0.27"), NAVOI_OK);
    return b;
}

char *it_build_xml(navoi_invoice_builder *b, navoi_client *c, int op)
{
    navoi_invoice *inv = NULL;
    char *x;
    int rc = navoi_invoice_builder_build(b, c, op, &inv);
    ck_assert_msg(rc == NAVOI_OK, "build: %s: %s", navoi_strerror(rc), navoi_invoice_builder_errmsg(b));
    x = it_xml(inv);
    navoi_invoice_free(inv);
    return x;
}
