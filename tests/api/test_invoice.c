/* test_invoice.c - public API: invoices load from NAV's 30 official
 * samples (plain and gzip, with and without schema validation) and bad
 * documents are refused with their documented codes. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include <navoi/navoi.h>

#include "testutil.h"

static int is_date(const char *s)
{
    int i;
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return 0;
    return 1;
}

/* Calls fn for every official invoice sample; returns the count. */
static int for_each_sample(void (*fn)(const char *path, navoi_client *c), navoi_client *c)
{
    char *dir = nt_nav_path("samples/data");
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    ck_assert_ptr_nonnull(d);
    while ((e = readdir(d)) != NULL) {
        char path[1024];
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".xml") != 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        fn(path, c);
        n++;
    }
    closedir(d);
    free(dir);
    return n;
}

static void load_one(const char *path, navoi_client *c)
{
    navoi_invoice *inv = NULL;
    size_t len = 0;
    int rc = navoi_invoice_new_from_file(&inv, c, path, NAVOI_OP_MODIFY);
    ck_assert_msg(rc == NAVOI_OK, "%s: %s (%s)", path, navoi_strerror(rc),
                  c ? navoi_client_errmsg(c) : "");
    ck_assert_int_gt(strlen(navoi_invoice_number(inv)), 0);
    ck_assert_msg(is_date(navoi_invoice_issue_date(inv)), "%s", navoi_invoice_issue_date(inv));
    ck_assert_int_eq(navoi_invoice_operation(inv), NAVOI_OP_MODIFY);
    ck_assert_ptr_nonnull(navoi_invoice_xml(inv, &len));
    ck_assert_uint_gt(len, 100);
    navoi_invoice_free(inv);
}

START_TEST(all_samples_load)
{
    ck_assert_int_eq(for_each_sample(load_one, NULL), 30);
}
END_TEST

START_TEST(all_samples_validate)
{
    navoi_client *c = NULL;
    char *schemas = nt_nav_path("schemas");
    ck_assert_int_eq(navoi_client_new(&c), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_schema_dir(c, schemas), NAVOI_OK);
    ck_assert_int_eq(for_each_sample(load_one, c), 30);
    navoi_client_free(c);
    free(schemas);
}
END_TEST

START_TEST(known_values)
{
    /* Read off the sample itself: invoiceNumber and issue date. */
    navoi_invoice *inv = NULL;
    char *p = nt_nav_path("samples/data/Eredeti_szamla_modositasokhoz.xml");
    ck_assert_int_eq(navoi_invoice_new_from_file(&inv, NULL, p, NAVOI_OP_CREATE), NAVOI_OK);
    ck_assert_str_eq(navoi_invoice_number(inv), "ZZZ000001");
    ck_assert_int_eq(navoi_invoice_is_electronic(inv), 0);
    navoi_invoice_free(inv);
    free(p);
}
END_TEST

START_TEST(gzip_input)
{
    navoi_invoice *inv = NULL;
    size_t len;
    char *xml = nt_read_nav("samples/data/Belfoldi_termekertekesites.xml", &len);
    unsigned char *gz = malloc(len + 1024);
    z_stream z;
    size_t gzlen, plen;

    memset(&z, 0, sizeof z);
    ck_assert_int_eq(deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = (unsigned char *)xml;
    z.avail_in = (uInt)len;
    z.next_out = gz;
    z.avail_out = (uInt)(len + 1024);
    ck_assert_int_eq(deflate(&z, Z_FINISH), Z_STREAM_END);
    gzlen = z.total_out;
    deflateEnd(&z);
    ck_assert_int_eq(navoi_invoice_new(&inv, NULL, (const char *)gz, gzlen, NAVOI_OP_CREATE), NAVOI_OK);
    ck_assert_mem_eq(navoi_invoice_xml(inv, &plen), xml, len);
    ck_assert_uint_eq(plen, len);
    navoi_invoice_free(inv);
    /* truncated gzip stream */
    ck_assert_int_eq(navoi_invoice_new(&inv, NULL, (const char *)gz, gzlen / 2, NAVOI_OP_CREATE),
                     NAVOI_EXML);
    ck_assert_ptr_null(inv);
    free(gz);
    free(xml);
}
END_TEST

START_TEST(bad_documents)
{
    navoi_client *c = NULL;
    navoi_invoice *inv = (navoi_invoice *)1;
    char *api, *schemas = nt_nav_path("schemas");
    size_t len;
    static const char laughs[] =
        "<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\">"
        "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;\">]>"
        "<InvoiceData xmlns=\"http://schemas.nav.gov.hu/OSA/3.0/data\">&c;</InvoiceData>";
    static const char no_date[] =
        "<InvoiceData xmlns=\"http://schemas.nav.gov.hu/OSA/3.0/data\">"
        "<invoiceNumber>A1</invoiceNumber></InvoiceData>";
    char *big;

    ck_assert_int_eq(navoi_client_new(&c), NAVOI_OK);
    ck_assert_int_eq(navoi_invoice_new(&inv, c, "<InvoiceData>", 13, NAVOI_OP_CREATE), NAVOI_EXML);
    ck_assert_ptr_null(inv);
    ck_assert_ptr_nonnull(strstr(navoi_client_errmsg(c), "well-formed"));
    api = nt_read_nav("samples/api/tokenExchange.xml", &len);
    ck_assert_int_eq(navoi_invoice_new(&inv, c, api, len, NAVOI_OP_CREATE), NAVOI_EXML);
    ck_assert_ptr_nonnull(strstr(navoi_client_errmsg(c), "InvoiceData"));
    ck_assert_int_eq(navoi_invoice_new(&inv, c, laughs, sizeof laughs - 1, NAVOI_OP_CREATE), NAVOI_EXML);
    ck_assert_int_eq(navoi_invoice_new(&inv, c, no_date, sizeof no_date - 1, NAVOI_OP_CREATE), NAVOI_EXML);
    ck_assert_int_eq(navoi_invoice_new(&inv, c, no_date, sizeof no_date - 1, 0), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_invoice_new(&inv, c, NULL, 0, NAVOI_OP_CREATE), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_client_set_schema_dir(c, schemas), NAVOI_OK);
    ck_assert_int_eq(navoi_invoice_new(&inv, c, no_date, sizeof no_date - 1, NAVOI_OP_CREATE), NAVOI_ESCHEMA);
    ck_assert_ptr_nonnull(strstr(navoi_client_errmsg(c), "invoiceData.xsd"));
    ck_assert_int_eq(navoi_client_set_schema_dir(c, "/nonexistent"), NAVOI_EIO);
    big = calloc(15000001, 1);
    memset(big, ' ', 15000000);
    ck_assert_int_eq(navoi_invoice_new(&inv, c, big, 15000001, NAVOI_OP_CREATE), NAVOI_ETOOBIG);
    ck_assert_int_eq(navoi_invoice_new_from_file(&inv, c, "/nonexistent.xml", NAVOI_OP_CREATE), NAVOI_EIO);
    ck_assert_ptr_null(inv);
    free(big);
    free(api);
    free(schemas);
    navoi_client_free(c);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("api-invoice");
    TCase *tc = tcase_create("invoice");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, all_samples_load);
    tcase_add_test(tc, all_samples_validate);
    tcase_add_test(tc, known_values);
    tcase_add_test(tc, gzip_input);
    tcase_add_test(tc, bad_documents);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return nt_run(suite());
}
