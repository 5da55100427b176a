/* test_schema.c - NAV's XSDs through the in-memory wrapper: the 30 official
 * invoice samples are valid InvoiceData, the annulment payload of
 * manageAnnulment.xml is a valid InvoiceAnnulment (and so is one we build),
 * the three payloads of manageInvoice.xml are not (pre-release element,
 * PROTOCOL.md 3.4), errors carry a line number, and libxml2 prints nothing. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>
#include <libxml/parser.h>

#include "common/buf.h"
#include "navoi/navoi.h"
#include "reqtest.h"
#include "testutil.h"

static const char *const data_samples[] = {
    "Belfoldi_devizas_szamla.xml",
    "Belfoldi_devizas_vegszamla_tobb_eloleg_tetel.xml",
    "Belfoldi_egyszerusitett_szamla.xml",
    "Belfoldi_elolegszamla.xml",
    "Belfoldi_elolegszamla_egysegar_nelkul.xml",
    "Belfoldi_ertekesites_tobb_AFA_tipus.xml",
    "Belfoldi_termekertekesites.xml",
    "Belfoldi_termekertekesites_AFA_csoportok_kozott.xml",
    "Belfoldi_termekertekesites_maganszemelynek.xml",
    "Belfoldi_termekertekesites_tetelbol_adott_engedmennyel.xml",
    "Belfoldi_vegszamla.xml",
    "Eredeti_szamla_modositasokhoz.xml",
    "Gyujtoszamla_1.xml",
    "Gyujtoszamla_2.xml",
    "Harmadik_orszagbeli_devizas_szamla.xml",
    "Modositas_es_ervenytelenites_1.xml",
    "Modositas_es_ervenytelenites_2.xml",
    "Tagorszagi_devizas_szamla.xml",
    "Termekdijas_szamla.xml",
    "Teteladatok_modositasa.xml",
    "Teves_termek_helyesbitese.xml",
    "Teves_termek_helyesbitese_20.xml",
    "Teves_termek_helyesbitese_21.xml",
    "Tobb_szamla_modositasa_egy_okirattal.xml",
    "Tobb_szamla_modositasa_egy_okirattal_alap_1.xml",
    "Tobb_szamla_modositasa_egy_okirattal_alap_2.xml",
    "Tobb_szamla_modositasa_egy_okirattal_alap_3.xml",
    "Tobbszoros_modositas_1.xml",
    "Tobbszoros_modositas_2.xml",
    "Uj_kozlekedesi_eszkoz_export.xml",
};

START_TEST(data_sample_valid)
{
    char rel[256];
    size_t len;
    char *xml;

    snprintf(rel, sizeof rel, "samples/data/%s", data_samples[_i]);
    xml = nt_read_nav(rel, &len);
    rt_assert_valid(NAVOI__SCHEMA_DATA, xml, len);
    free(xml);
}
END_TEST

/* The list above is complete: samples/data holds exactly these 30. */
START_TEST(data_sample_list_complete)
{
    char *dir = nt_nav_path("samples/data");
    DIR *d = opendir(dir);
    struct dirent *de;
    int n = 0;

    ck_assert_ptr_nonnull(d);
    while ((de = readdir(d)) != NULL) {
        size_t l = strlen(de->d_name);
        if (l > 4 && strcmp(de->d_name + l - 4, ".xml") == 0)
            n++;
    }
    closedir(d);
    free(dir);
    ck_assert_int_eq(n, 30);
    ck_assert_uint_eq(sizeof data_samples / sizeof data_samples[0], 30);
}
END_TEST

/* Decoded payloads of every element `local` in a sample request. */
static int payloads(const char *sample, const char *local, char **out, size_t *lens, int max)
{
    size_t len;
    char *xml = nt_read_nav(sample, &len);
    xmlDocPtr doc = rt_parse(xml, len);
    xmlNodePtr op;
    int n = 0;

    /* annulmentOperations/annulmentOperation or invoiceOperations/invoiceOperation */
    for (op = xmlDocGetRootElement(doc)->children; op; op = op->next) {
        xmlNodePtr item;
        if (op->type != XML_ELEMENT_NODE)
            continue;
        for (item = op->children; item; item = item->next) {
            xmlNodePtr c;
            for (c = item->children; c; c = c->next) {
                if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, local) == 0) {
                    xmlChar *t = xmlNodeGetContent(c);
                    ck_assert_int_lt(n, max);
                    out[n] = rt_b64decode((char *)t, strlen((char *)t), &lens[n]);
                    xmlFree(t);
                    n++;
                }
            }
        }
    }
    xmlFreeDoc(doc);
    free(xml);
    return n;
}

START_TEST(annulment_sample_payload_valid)
{
    char *p[2];
    size_t l[2];
    int n = payloads("samples/api/manageAnnulment.xml", "invoiceAnnulment", p, l, 2);

    ck_assert_int_eq(n, 1);
    rt_assert_valid(NAVOI__SCHEMA_ANNUL, p[0], l[0]);
    free(p[0]);
}
END_TEST

START_TEST(manage_invoice_sample_payloads_invalid)
{
    char *p[4];
    size_t l[4];
    char err[512];
    int n = payloads("samples/api/manageInvoice.xml", "invoiceData", p, l, 4), i;

    ck_assert_int_eq(n, 3);
    for (i = 0; i < n; i++) {
        int rc = navoi__schemas_validate_mem(rt_schemas, NAVOI__SCHEMA_DATA, p[i], l[i], err,
                                             sizeof err);
        ck_assert_int_eq(rc, NAVOI_ESCHEMA);
        /* First error with its line, naming the pre-release element. */
        ck_assert_msg(strncmp(err, "line ", 5) == 0, "%s", err);
        ck_assert_msg(strstr(err, "privatePersonIndicator") != NULL, "%s", err);
        free(p[i]);
    }
}
END_TEST

START_TEST(built_annulment_payload_valid)
{
    navoi__buf b = NAVOI__BUF_INIT;

    ck_assert_int_eq(navoi__annulment_payload("SZLA/2024/0001", rt_ms("2024-03-01T10:00:00.123Z"),
                                              NAVOI_ANNUL_ERRATIC_ELECTRONIC_HASH_VALUE,
                                              "Hib\xC3\xA1s adat & <jav\xC3\xADt\xC3\xA1s>", &b),
                     NAVOI_OK);
    rt_assert_valid(NAVOI__SCHEMA_ANNUL, b.data, b.len);
    navoi__buf_free(&b);
}
END_TEST

/* The same annulment as in manageAnnulment.xml, built from the values in
 * its decoded payload, has the payload's infoset. */
START_TEST(built_annulment_matches_sample)
{
    char *p[2], why[256] = "";
    size_t l[2];
    int n = payloads("samples/api/manageAnnulment.xml", "invoiceAnnulment", p, l, 2);
    navoi__buf b = NAVOI__BUF_INIT;
    xmlDocPtr want, got;

    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(navoi__annulment_payload("22222222", rt_ms("2018-06-18T09:10:45.309Z"),
                                              NAVOI_ANNUL_ERRATIC_DATA, "create szamla annul", &b),
                     NAVOI_OK);
    want = rt_parse(p[0], l[0]);
    got = rt_parse(b.data, b.len);
    ck_assert_msg(rt_infoset_equal(xmlDocGetRootElement(want), xmlDocGetRootElement(got), why,
                                   sizeof why),
                  "%s", why);
    xmlFreeDoc(want);
    xmlFreeDoc(got);
    navoi__buf_free(&b);
    free(p[0]);
}
END_TEST

START_TEST(invalid_document_reports_line)
{
    const char *doc = "<?xml version=\"1.0\"?>\n"
                      "<InvoiceAnnulment xmlns=\"http://schemas.nav.gov.hu/OSA/3.0/annul\">\n"
                      "<annulmentReference>X</annulmentReference>\n"
                      "<annulmentTimestamp>yesterday</annulmentTimestamp>\n"
                      "</InvoiceAnnulment>";
    char err[512];

    ck_assert_int_eq(navoi__schemas_validate_mem(rt_schemas, NAVOI__SCHEMA_ANNUL, doc,
                                                 strlen(doc), err, sizeof err),
                     NAVOI_ESCHEMA);
    ck_assert_msg(strncmp(err, "line 4: ", 8) == 0, "%s", err);
    ck_assert_int_eq(navoi__schemas_validate_mem(rt_schemas, NAVOI__SCHEMA_ANNUL, "<a>", 3, err,
                                                 sizeof err),
                     NAVOI_EXML);
    ck_assert_int_eq(navoi__schemas_validate_mem(rt_schemas, 7, doc, strlen(doc), err,
                                                 sizeof err),
                     NAVOI_EINVAL);
    /* A valid document of the wrong schema. */
    ck_assert_int_eq(navoi__schemas_validate_mem(rt_schemas, NAVOI__SCHEMA_API, doc, strlen(doc),
                                                 err, sizeof err),
                     NAVOI_ESCHEMA);
}
END_TEST

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

/* A temporary directory with links to NAV's files except `replace`, which
 * gets `text` (NULL: left out). */
static void make_dir(char *dir, const char *replace, const char *text)
{
    static const char *const files[] = {"common.xsd", "invoiceBase.xsd", "invoiceApi.xsd",
                                        "invoiceData.xsd", "invoiceAnnulment.xsd"};
    char p[512];
    size_t i;

    ck_assert_ptr_nonnull(mkdtemp(dir));
    for (i = 0; i < 5; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, files[i]);
        if (strcmp(files[i], replace) == 0) {
            if (text)
                write_file(p, text);
        } else {
            char rel[64], *target;
            snprintf(rel, sizeof rel, "schemas/%s", files[i]);
            target = nt_nav_path(rel);
            if (target[0] != '/') {
                char cwd[512], abs[1024];
                ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
                snprintf(abs, sizeof abs, "%s/%s", cwd, target);
                ck_assert_int_eq(symlink(abs, p), 0);
            } else {
                ck_assert_int_eq(symlink(target, p), 0);
            }
            free(target);
        }
    }
}

static void remove_dir(const char *dir)
{
    static const char *const files[] = {"common.xsd", "invoiceBase.xsd", "invoiceApi.xsd",
                                        "invoiceData.xsd", "invoiceAnnulment.xsd"};
    char p[512];
    size_t i;

    for (i = 0; i < 5; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, files[i]);
        unlink(p);
    }
    rmdir(dir);
}

/* libxml2 must not print: redirect fd 2 to a file while things fail. */
START_TEST(nothing_printed)
{
    char path[] = "/tmp/navoi-stderr-XXXXXX";
    char dir1[] = "/tmp/navoi-xsd-XXXXXX", dir2[] = "/tmp/navoi-xsd-XXXXXX";
    int fd = mkstemp(path), saved;
    navoi__schemas *s = NULL;
    char err[512];
    struct stat st;
    const char *bad = "<InvoiceAnnulment xmlns=\"http://schemas.nav.gov.hu/OSA/3.0/annul\"/>";

    ck_assert_int_ge(fd, 0);
    fflush(stderr);
    saved = dup(2);
    ck_assert_int_ge(saved, 0);
    ck_assert_int_ge(dup2(fd, 2), 0);
    ck_assert_int_eq(navoi__schemas_validate_mem(rt_schemas, NAVOI__SCHEMA_ANNUL, bad,
                                                 strlen(bad), err, sizeof err),
                     NAVOI_ESCHEMA);
    ck_assert_int_eq(navoi__schemas_validate_mem(rt_schemas, NAVOI__SCHEMA_ANNUL, "<a><b></a>",
                                                 10, err, sizeof err),
                     NAVOI_EXML);
    ck_assert_int_eq(navoi__schemas_load("/nonexistent-navoi-dir", &s, err, sizeof err),
                     NAVOI_EIO);
    /* libxml2 itself fails: a schema that does not compile, and one whose
     * own import cannot be resolved. */
    make_dir(dir1, "invoiceApi.xsd",
             "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" "
             "targetNamespace=\"http://schemas.nav.gov.hu/OSA/3.0/api\">\n"
             "<xs:element name=\"x\" type=\"xs:nosuchtype\"/></xs:schema>");
    ck_assert_int_eq(navoi__schemas_load(dir1, &s, err, sizeof err), NAVOI_ESCHEMA);
    remove_dir(dir1);
    make_dir(dir2, "invoiceData.xsd",
             "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" "
             "targetNamespace=\"http://schemas.nav.gov.hu/OSA/3.0/data\">\n"
             "<xs:include schemaLocation=\"/nonexistent-navoi-dir/x.xsd\"/>\n"
             "<xs:element name=\"x\" type=\"xs:string\"/><broken></xs:schema>");
    ck_assert_int_eq(navoi__schemas_load(dir2, &s, err, sizeof err), NAVOI_ESCHEMA);
    remove_dir(dir2);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    ck_assert_int_eq(fstat(fd, &st), 0);
    close(fd);
    unlink(path);
    ck_assert_int_eq((int)st.st_size, 0);
}
END_TEST

START_TEST(load_errors)
{
    char dir1[] = "/tmp/navoi-xsd-XXXXXX", dir2[] = "/tmp/navoi-xsd-XXXXXX";
    navoi__schemas *s = (navoi__schemas *)1;
    char err[512];

    make_dir(dir1, "invoiceData.xsd", NULL);
    ck_assert_int_eq(navoi__schemas_load(dir1, &s, err, sizeof err), NAVOI_EIO);
    ck_assert_ptr_null(s);
    ck_assert_msg(strstr(err, "invoiceData.xsd") != NULL, "%s", err);
    remove_dir(dir1);

    make_dir(dir2, "invoiceApi.xsd",
             "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" "
             "targetNamespace=\"http://schemas.nav.gov.hu/OSA/3.0/api\">\n"
             "<xs:element name=\"x\" type=\"xs:nosuchtype\"/></xs:schema>");
    s = (navoi__schemas *)1;
    ck_assert_int_eq(navoi__schemas_load(dir2, &s, err, sizeof err), NAVOI_ESCHEMA);
    ck_assert_ptr_null(s);
    ck_assert_msg(strstr(err, "invoiceApi.xsd") != NULL, "%s", err);
    remove_dir(dir2);

    ck_assert_int_eq(navoi__schemas_load(NULL, &s, err, sizeof err), NAVOI_EINVAL);
    navoi__schemas_free(NULL);
}
END_TEST

/* Loading twice gives independent objects; both work and free cleanly. */
START_TEST(load_twice)
{
    char *dir = nt_nav_path("schemas");
    navoi__schemas *s = NULL;
    char err[512];
    const char *ok = "<InvoiceAnnulment xmlns=\"http://schemas.nav.gov.hu/OSA/3.0/annul\">"
                     "<annulmentReference>A</annulmentReference>"
                     "<annulmentTimestamp>2020-01-01T00:00:00Z</annulmentTimestamp>"
                     "<annulmentCode>ERRATIC_DATA</annulmentCode>"
                     "<annulmentReason>r</annulmentReason></InvoiceAnnulment>";

    ck_assert_int_eq(navoi__schemas_load(dir, &s, err, sizeof err), NAVOI_OK);
    ck_assert_int_eq(navoi__schemas_validate_mem(s, NAVOI__SCHEMA_ANNUL, ok, strlen(ok), err,
                                                 sizeof err),
                     NAVOI_OK);
    ck_assert_int_eq(navoi__schemas_validate_mem(rt_schemas, NAVOI__SCHEMA_ANNUL, ok, strlen(ok),
                                                 err, sizeof err),
                     NAVOI_OK);
    navoi__schemas_free(s);
    free(dir);
}
END_TEST

static Suite *schema_suite(void)
{
    Suite *s = suite_create("schema");
    TCase *tc = tcase_create("samples");
    TCase *te = tcase_create("errors");

    tcase_add_unchecked_fixture(tc, rt_load_schemas, rt_free_schemas);
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, data_sample_valid, 0, 30);
    tcase_add_test(tc, data_sample_list_complete);
    tcase_add_test(tc, annulment_sample_payload_valid);
    tcase_add_test(tc, manage_invoice_sample_payloads_invalid);
    tcase_add_test(tc, built_annulment_payload_valid);
    tcase_add_test(tc, built_annulment_matches_sample);
    suite_add_tcase(s, tc);

    tcase_add_unchecked_fixture(te, rt_load_schemas, rt_free_schemas);
    tcase_set_timeout(te, 120);
    tcase_add_test(te, invalid_document_reports_line);
    tcase_add_test(te, nothing_printed);
    tcase_add_test(te, load_errors);
    tcase_add_test(te, load_twice);
    suite_add_tcase(s, te);
    return s;
}

int main(void)
{
    int rc = nt_run(schema_suite());
    xmlCleanupParser();
    return rc;
}
