/* test_validate.c - public API: the pre-submission validator.
 * Every official data sample passes without an ERROR finding (except
 * Teteladatok_modositasa.xml, which predates INVALID_LINE_OPERATION and
 * must yield exactly that, PROTOCOL.md 10); for each rule a document that
 * breaks it - one edit of a sample or of a builder-made invoice - yields
 * exactly that finding. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "invtest.h"
#include "testutil.h"

#define BT "Belfoldi_termekertekesites.xml"
#define MOD "Teves_termek_helyesbitese.xml"

/* ---- NAV's samples ---------------------------------------------------- */

START_TEST(samples_have_no_errors)
{
    navoi_client *c = it_client(1), *group = it_client(1);
    char *dir = nt_nav_path("samples/data");
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    ck_assert_int_eq(navoi_client_set_tax_number(group, "98765432"), NAVOI_OK);
    ck_assert_ptr_nonnull(d);
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name), i;
        char *xml;
        navoi_findings *f;

        if (len < 5 || strcmp(e->d_name + len - 4, ".xml") != 0)
            continue;
        n++;
        xml = it_sample(e->d_name);
        /* the VAT-group sample is issued by group 98765432 */
        f = it_validate(strstr(e->d_name, "AFA_csoportok") ? group : c, xml, 0);
        if (strcmp(e->d_name, "Teteladatok_modositasa.xml") == 0) {
            static const char *const want[] = {"INVALID_LINE_OPERATION", NULL};
            it_expect(f, want, e->d_name);
        } else {
            for (i = 0; i < navoi_findings_count(f); i++) {
                const char *code, *path;
                int sev;
                navoi_findings_get(f, i, &code, &sev, &path, NULL, NULL);
                ck_assert_msg(sev == NAVOI_SEVERITY_WARN, "%s: %s at %s", e->d_name, code, path);
                /* The only warnings on NAV's samples: the dummy tax
                 * numbers of the VAT-group sample (PROTOCOL.md 8.6). */
                ck_assert_str_eq(code, "NAVOI_TAX_NUMBER_CHECK_DIGIT");
            }
            ck_assert(!navoi_findings_has_errors(f));
        }
        navoi_findings_free(f);
        free(xml);
    }
    closedir(d);
    free(dir);
    ck_assert_int_eq(n, 30);
    navoi_client_free(group);
    navoi_client_free(c);
}
END_TEST

START_TEST(base_documents_are_clean)
{
    navoi_client *c = it_client(1);
    static const char *const none[] = {NULL};
    char *xml = it_sample(BT);
    navoi_findings *f = it_validate(c, xml, NAVOI_OP_CREATE);
    navoi_invoice_builder *b;

    it_expect(f, none, BT);
    navoi_findings_free(f);
    free(xml);
    xml = it_sample(MOD);
    f = it_validate(c, xml, NAVOI_OP_MODIFY);
    it_expect(f, none, MOD);
    navoi_findings_free(f);
    free(xml);
    b = it_base_builder("T-1");
    xml = it_build_xml(b, c, NAVOI_OP_CREATE);
    f = it_validate(c, xml, NAVOI_OP_CREATE);
    it_expect(f, none, "builder base");
    navoi_findings_free(f);
    free(xml);
    navoi_invoice_builder_free(b);
    navoi_client_free(c);
}
END_TEST

START_TEST(api_contract)
{
    navoi_findings *f = NULL;
    const char *code = NULL, *path = NULL, *en = NULL, *hu = NULL;
    int sev = 0;
    navoi_client *c = it_client(0);
    char *xml = it_sample(BT);

    ck_assert_int_eq(navoi_validate_xml(c, NULL, 0, 0, &f), NAVOI_EINVAL);
    ck_assert_ptr_null(f);
    ck_assert_int_eq(navoi_validate_xml(c, "x", 1, 9, &f), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_validate(c, NULL, &f), NAVOI_EINVAL);
    ck_assert_uint_eq(navoi_findings_count(NULL), 0);
    ck_assert_int_eq(navoi_findings_has_errors(NULL), 0);
    ck_assert_int_eq(navoi_findings_get(NULL, 0, NULL, NULL, NULL, NULL, NULL), NAVOI_EINVAL);
    navoi_findings_free(NULL);
    /* Without schemas: a warning says so, and the rest still runs. */
    f = it_validate(c, xml, 0);
    ck_assert_uint_eq(navoi_findings_count(f), 1);
    ck_assert_int_eq(navoi_findings_get(f, 0, &code, &sev, &path, &en, &hu), NAVOI_OK);
    ck_assert_str_eq(code, "NAVOI_SCHEMA_NOT_CHECKED");
    ck_assert_int_eq(sev, NAVOI_SEVERITY_WARN);
    ck_assert_str_eq(path, "InvoiceData");
    ck_assert_ptr_nonnull(strstr(en, "invoiceData.xsd"));
    ck_assert_ptr_nonnull(strstr(hu, "XSD"));
    ck_assert_int_eq(navoi_findings_get(f, 1, &code, NULL, NULL, NULL, NULL), NAVOI_ENOTFOUND);
    ck_assert(!navoi_findings_has_errors(f));
    navoi_findings_free(f);
    free(xml);
    navoi_client_free(c);
}
END_TEST

START_TEST(validate_invoice_handle)
{
    navoi_client *c = it_client(1);
    navoi_invoice *inv = NULL;
    navoi_findings *f = NULL;
    char *path = nt_nav_path("samples/data/Teteladatok_modositasa.xml");
    static const char *const want[] = {"INVALID_LINE_OPERATION", NULL};

    ck_assert_int_eq(navoi_invoice_new_from_file(&inv, c, path, NAVOI_OP_MODIFY), NAVOI_OK);
    ck_assert_int_eq(navoi_validate(c, inv, &f), NAVOI_OK);
    it_expect(f, want, "navoi_validate");
    ck_assert(navoi_findings_has_errors(f));
    navoi_findings_free(f);
    navoi_invoice_free(inv);
    free(path);
    navoi_client_free(c);
}
END_TEST

/* ---- blocking rules on edits of NAV's samples ------------------------- */

START_TEST(schema_violation)
{
    navoi_client *c = it_client(1);
    char *xml = it_sample(BT), *bad = it_replace(xml, "<currencyCode>HUF", "<currencyCode>huf", 1);
    const char *msg = NULL;
    navoi_findings *f;

    it_expect_one(c, bad, 0, "SCHEMA_VIOLATION", "currency huf");
    free(bad);
    /* not well-formed */
    bad = it_replace(xml, "</InvoiceData>", "</InvoiceDat>", 1);
    it_expect_one(c, bad, 0, "SCHEMA_VIOLATION", "not well-formed");
    free(bad);
    /* wrong root */
    it_expect_one(c, "<?xml version=\"1.0\"?><a xmlns=\"urn:x\"/>", 0, "SCHEMA_VIOLATION", "root");
    /* the message names the line */
    bad = it_replace(xml, "<exchangeRate>1</exchangeRate>", "<exchangeRate>-1</exchangeRate>", 1);
    f = it_validate(c, bad, 0);
    navoi_findings_get(f, 0, NULL, NULL, NULL, &msg, NULL);
    ck_assert_ptr_nonnull(strstr(msg, "line "));
    navoi_findings_free(f);
    free(bad);
    free(xml);
    navoi_client_free(c);
}
END_TEST

START_TEST(invoice_number_and_reference)
{
    navoi_client *c = it_client(1);
    char *xml = it_sample(BT), *m = it_sample(MOD), *bad;

    bad = it_replace(xml, "<invoiceNumber>2021/000123<", "<invoiceNumber>2021/000123 <", 1);
    it_expect_one(c, bad, NAVOI_OP_CREATE, "INVALID_INVOICE_NUMBER", "trailing space");
    free(bad);
    bad = it_replace(xml, "<invoice>",
                     "<invoice><invoiceReference><originalInvoiceNumber>X1</originalInvoiceNumber>"
                     "<modifyWithoutMaster>false</modifyWithoutMaster><modificationIndex>1</modificationIndex>"
                     "</invoiceReference>",
                     1);
    it_expect_one(c, bad, NAVOI_OP_CREATE, "INVOICE_REFERENCE_NOT_EXPECTED", "CREATE with reference");
    free(bad);
    bad = it_cut(m, "<invoiceReference>", "</invoiceReference>");
    it_expect_one(c, bad, NAVOI_OP_MODIFY, "INVOICE_REFERENCE_EXPECTED", "MODIFY without reference");
    free(bad);
    free(m);
    free(xml);
    navoi_client_free(c);
}
END_TEST

START_TEST(lines)
{
    navoi_client *c = it_client(1);
    char *xml = it_sample(BT), *m = it_sample(MOD), *bad;

    bad = it_cut(xml, "<invoiceLines>", "</invoiceLines>");
    it_expect_one(c, bad, NAVOI_OP_CREATE, "INVOICE_LINE_MISSING", "no lines");
    free(bad);
    bad = it_replace(xml, "<lineNumber>1</lineNumber>",
                     "<lineNumber>1</lineNumber><lineModificationReference><lineNumberReference>1"
                     "</lineNumberReference><lineOperation>CREATE</lineOperation></lineModificationReference>",
                     1);
    it_expect_one(c, bad, NAVOI_OP_CREATE, "LINE_MODIFICATION_NOT_EXPECTED", "CREATE line reference");
    free(bad);
    bad = it_replace(xml, "<lineNumber>2</lineNumber>", "<lineNumber>5</lineNumber>", 1);
    it_expect_one(c, bad, NAVOI_OP_CREATE, "LINE_NUMBER_NOT_SEQUENTIAL", "line 2 numbered 5");
    free(bad);
    bad = it_replace(xml, "<unitOfMeasure>KILOGRAM</unitOfMeasure>", "", 1);
    it_expect_one(c, bad, NAVOI_OP_CREATE, "MANDATORY_LINE_CONTENT_MISSING", "no unit");
    free(bad);
    bad = it_cut(m, "<lineModificationReference>", "</lineModificationReference>");
    it_expect_one(c, bad, NAVOI_OP_MODIFY, "LINE_MODIFICATION_EXPECTED", "MODIFY line without reference");
    free(bad);
    bad = it_replace(m, "<lineOperation>CREATE</lineOperation>", "<lineOperation>MODIFY</lineOperation>", 1);
    it_expect_one(c, bad, NAVOI_OP_MODIFY, "INVALID_LINE_OPERATION", "lineOperation MODIFY");
    free(bad);
    bad = it_replace(m, "<lineNumberReference>7<", "<lineNumberReference>6<", 1);
    it_expect_one(c, bad, NAVOI_OP_MODIFY, "LINE_NUMBER_REFERENCE_NOT_UNIQUE", "reference 6 twice");
    free(bad);
    free(m);
    free(xml);
    navoi_client_free(c);
}
END_TEST

START_TEST(parties)
{
    navoi_client *c = it_client(1), *other;
    char *xml = it_sample(BT), *bad;
    navoi_findings *f;

    other = it_client(1);
    ck_assert_int_eq(navoi_client_set_tax_number(other, "11111111"), NAVOI_OK);
    f = it_validate(other, xml, 0);
    {
        static const char *const want[] = {"SUPPLIER_TAX_NUMBER_MISMATCH", NULL};
        it_expect(f, want, "other user");
    }
    ck_assert(it_has(f, "SUPPLIER_TAX_NUMBER_MISMATCH",
                     "InvoiceData/invoiceMain/invoice/invoiceHead/supplierInfo/supplierTaxNumber/taxpayerId"));
    navoi_findings_free(f);
    navoi_client_free(other);

    bad = it_cut(xml, "<customerInfo>", "</customerInfo>");
    it_expect_one(c, bad, NAVOI_OP_CREATE, "CUSTOMER_INFO_MISSING", "no customer");
    free(bad);
    bad = it_cut(xml, "<customerAddress>", "</customerAddress>");
    it_expect_one(c, bad, 0, "CUSTOMER_DATA_EXPECTED", "no customer address");
    free(bad);
    bad = it_cut(xml, "<customerVatData>", "</customerVatData>");
    it_expect_one(c, bad, 0, "MISSING_CUSTOMER_DOMESTIC_TAXNUMBER", "domestic without tax number");
    free(bad);
    bad = it_replace(xml, "<base:taxpayerId>99887764<", "<base:taxpayerId>99999999<", 1);
    it_expect_one(c, bad, 0, "SUPPLIER_CUSTOMER_MATCH_TAXPAYER", "customer = supplier");
    free(bad);
    /* 99887765: digits 1-7 give check digit 4 (9*9+9*7+8*3+8*1+7*9+7*7+6*3 = 306) */
    bad = it_replace(xml, "<base:taxpayerId>99887764<", "<base:taxpayerId>99887765<", 1);
    it_expect_one(c, bad, 0, "NAVOI_TAX_NUMBER_CHECK_DIGIT", "check digit");
    free(bad);
    bad = it_replace(xml, "<base:countyCode>02<", "<base:countyCode>21<", 1);
    it_expect_one(c, bad, 0, "INCORRECT_COUNTY_CODE_CUSTOMER", "county 21");
    free(bad);
    bad = it_replace(xml, "<base:countyCode>41<", "<base:countyCode>50<", 1);
    it_expect_one(c, bad, 0, "INCORRECT_COUNTY_CODE_SUPPLIER", "county 50");
    free(bad);
    free(xml);
    xml = it_sample("Belfoldi_termekertekesites_maganszemelynek.xml");
    bad = it_replace(xml, "<customerVatStatus>PRIVATE_PERSON</customerVatStatus>",
                     "<customerVatStatus>PRIVATE_PERSON</customerVatStatus><customerName>Kiss Anna</customerName>",
                     1);
    it_expect_one(c, bad, 0, "CUSTOMER_DATA_NOT_EXPECTED", "private person with name");
    free(bad);
    free(xml);
    navoi_client_free(c);
}
END_TEST

START_TEST(dates)
{
    navoi_client *c = it_client(1);
    char *xml = it_sample(BT), *bad;

    /* today is 2024-06-01 (fixed clock): +1 year is 2025-06-01 */
    bad = it_replace(xml, "<invoiceIssueDate>2021-05-15<", "<invoiceIssueDate>2025-06-02<", 1);
    it_expect_one(c, bad, 0, "INVOICE_ISSUE_DATE_LATE", "issue date over a year ahead");
    free(bad);
    bad = it_replace(xml, "<invoiceIssueDate>2021-05-15<", "<invoiceIssueDate>2025-06-01<", 1);
    it_expect_one(c, bad, 0, "INCORRECT_DATE_INVOICE_ISSUE_DATE_LATE", "exactly a year ahead: only the warning");
    free(bad);
    bad = it_replace(xml, "<invoiceIssueDate>2021-05-15<", "<invoiceIssueDate>2024-06-07<", 1);
    it_expect_one(c, bad, 0, "INCORRECT_DATE_INVOICE_ISSUE_DATE_LATE", "6 days ahead");
    free(bad);
    bad = it_replace(xml, "<invoiceIssueDate>2021-05-15<", "<invoiceIssueDate>2024-06-06<", 1);
    {
        static const char *const none[] = {NULL};
        navoi_findings *f = it_validate(c, bad, 0);
        it_expect(f, none, "5 days ahead is tolerated");
        navoi_findings_free(f);
    }
    free(bad);
    /* issue 2021-05-15 + 5 years = 2026-05-15 */
    bad = it_replace(xml, "<invoiceDeliveryDate>2021-05-10<", "<invoiceDeliveryDate>2026-05-16<", 1);
    it_expect_one(c, bad, 0, "INVOICE_DELIVERY_DATE_LATE", "delivery over 5 years after issue");
    free(bad);
    bad = it_replace(xml, "</invoiceDeliveryDate>",
                     "</invoiceDeliveryDate><invoiceDeliveryPeriodStart>2021-05-10</invoiceDeliveryPeriodStart>"
                     "<invoiceDeliveryPeriodEnd>2021-05-01</invoiceDeliveryPeriodEnd>",
                     1);
    it_expect_one(c, bad, 0, "INCORRECT_DATE_INVOICE_DELIVERY_TO_FROM", "period end before start");
    free(bad);
    free(xml);
    navoi_client_free(c);
}
END_TEST

START_TEST(electronic_invoice)
{
    navoi_client *c = it_client(1);
    char *xml = it_sample(BT), *e, *bad;
    static const char *const merged[] = {"INVOICE_COMPLETENESS_MERGED_ITEM_INDICATOR_MISMATCH", NULL};

    e = it_replace(xml, "<completenessIndicator>false<", "<completenessIndicator>true<", 1);
    it_expect_one(c, e, 0, "INVOICE_APPEARANCE_MISMATCH", "e-invoice on paper");
    bad = it_replace(e, "<invoiceAppearance>PAPER<", "<invoiceAppearance>ELECTRONIC<", 1);
    free(e);
    e = it_replace(bad, "<mergedItemIndicator>false<", "<mergedItemIndicator>true<", 1);
    {
        navoi_findings *f = it_validate(c, e, 0);
        it_expect(f, merged, "merged e-invoice");
        navoi_findings_free(f);
    }
    free(e);
    free(bad);
    free(xml);
    xml = it_sample("Belfoldi_termekertekesites_maganszemelynek.xml");
    e = it_replace(xml, "<completenessIndicator>false<", "<completenessIndicator>true<", 1);
    bad = it_replace(e, "<invoiceAppearance>PAPER<", "<invoiceAppearance>ELECTRONIC<", 1);
    it_expect_one(c, bad, 0, "INVOICE_COMPLETENESS_PRIVATE_PERSON_INDICATOR_MISMATCH", "e-invoice to a person");
    free(bad);
    free(e);
    free(xml);
    navoi_client_free(c);
}
END_TEST

START_TEST(batch)
{
    navoi_client *c = it_client(1);
    char *xml = it_sample("Tobb_szamla_modositasa_egy_okirattal.xml"), *bad;
    static const char *const none[] = {NULL};
    navoi_findings *f = it_validate(c, xml, NAVOI_OP_MODIFY);

    it_expect(f, none, "batch sample");
    navoi_findings_free(f);
    bad = it_replace(xml, "<batchIndex>2<", "<batchIndex>3<", 1);
    it_expect_one(c, bad, NAVOI_OP_MODIFY, "BATCH_INDEX_NOT_SEQUENTIAL", "batch index gap");
    free(bad);
    bad = it_cut(xml, "<batchInvoice>", "</batchInvoice>");
    {
        char *bad2 = it_cut(bad, "<batchInvoice>", "</batchInvoice>");
        char *bad3 = it_replace(bad2, "<batchIndex>3<", "<batchIndex>1<", 1);
        it_expect_one(c, bad3, NAVOI_OP_MODIFY, "BATCH_INVOICE_CARDINALITY_ERROR", "one batch invoice");
        free(bad3);
        free(bad2);
    }
    free(bad);
    free(xml);
    navoi_client_free(c);
}
END_TEST

/* ---- rules on builder-made invoices ----------------------------------- */

START_TEST(category_and_vat_types)
{
    navoi_client *c = it_client(1);
    navoi_invoice_builder *b = it_base_builder("T-2");
    char *xml = it_build_xml(b, c, NAVOI_OP_CREATE), *bad;
    const char *vp = "<lineVatRate><vatPercentage>0.27</vatPercentage></lineVatRate>";

    bad = it_replace(xml, vp, "<lineVatRate><vatContent>0.2126</vatContent></lineVatRate>", 1);
    it_expect_one(c, bad, 0, "INVALID_LINE_VAT_RATE_NORMAL", "vatContent on a normal line");
    free(bad);
    bad = it_replace(xml, "<vatRate><vatPercentage>0.27</vatPercentage></vatRate>",
                     "<vatRate><vatContent>0.2126</vatContent></vatRate>", 1);
    it_expect_one(c, bad, 0, "INVALID_SUMMARY_VAT_RATE_NORMAL", "vatContent in a normal summary");
    free(bad);
    bad = it_cut(xml, "<summaryNormal>", "</summaryNormal>");
    {
        char *bad2 = it_replace(bad, "<invoiceSummary>",
                                "<invoiceSummary><summarySimplified><vatRate><vatContent>0.2126</vatContent>"
                                "</vatRate><vatContentGrossAmount>2540.00</vatContentGrossAmount>"
                                "<vatContentGrossAmountHUF>2540.00</vatContentGrossAmountHUF></summarySimplified>",
                                1);
        it_expect_one(c, bad2, 0, "LINE_SUMMARY_TYPE_MISMATCH_SUMMARY_SIMPLIFIED", "simplified summary");
        free(bad2);
    }
    free(bad);
    bad = it_cut(xml, "<lineAmountsNormal>", "</lineAmountsNormal>");
    {
        char *bad2 = it_replace(bad, "</unitPriceHUF>",
                                "</unitPriceHUF><lineAmountsSimplified><lineVatRate><vatContent>0.2126"
                                "</vatContent></lineVatRate><lineGrossAmountSimplified>2000.00"
                                "</lineGrossAmountSimplified><lineGrossAmountSimplifiedHUF>2000.00"
                                "</lineGrossAmountSimplifiedHUF></lineAmountsSimplified>",
                                1);
        it_expect_one(c, bad2, 0, "LINE_SUMMARY_TYPE_MISMATCH_LINE_SIMPLIFIED", "simplified line");
        free(bad2);
    }
    free(bad);
    free(xml);
    navoi_invoice_builder_free(b);

    /* simplified invoice: the mirror rules */
    {
        int32_t l = 0;
        navoi_invoice_builder *s = NULL;
        ck_assert_int_eq(navoi_invoice_builder_new(&s, "S-1", "2024-05-30", NAVOI_CATEGORY_SIMPLIFIED),
                         NAVOI_OK);
        it_supplier(s);
        ck_assert_int_eq(navoi_invoice_builder_set_customer_private_person(s), NAVOI_OK);
        ck_assert_int_eq(navoi_invoice_builder_add_line(s, "Kávé", "1", "PIECE", "500", NULL, &l), NAVOI_OK);
        ck_assert_int_eq(navoi_invoice_builder_line_set_vat_rate(s, l, "0.2126"), NAVOI_OK);
        xml = it_build_xml(s, c, NAVOI_OP_CREATE);
        bad = it_replace(xml, "<lineVatRate><vatContent>0.2126</vatContent>",
                         "<lineVatRate><vatPercentage>0.27</vatPercentage>", 1);
        it_expect_one(c, bad, 0, "INVALID_LINE_VAT_RATE_SIMPLIFIED", "vatPercentage on a simplified line");
        free(bad);
        bad = it_replace(xml, "<vatRate><vatContent>0.2126</vatContent>",
                         "<vatRate><vatPercentage>0.27</vatPercentage>", 1);
        it_expect_one(c, bad, 0, "INVALID_SUMMARY_VAT_RATE_SIMPLIFIED", "vatPercentage in a simplified summary");
        free(bad);
        bad = it_replace(xml, "<invoiceCategory>SIMPLIFIED<", "<invoiceCategory>NORMAL<", 1);
        {
            static const char *const want[] = {"LINE_SUMMARY_TYPE_MISMATCH_LINE_SIMPLIFIED",
                                               "LINE_SUMMARY_TYPE_MISMATCH_SUMMARY_SIMPLIFIED", NULL};
            navoi_findings *f = it_validate(c, bad, 0);
            it_expect(f, want, "simplified data on a normal invoice");
            navoi_findings_free(f);
        }
        free(bad);
        free(xml);
        navoi_invoice_builder_free(s);
    }
    /* A MODIFY without lines with a simplified category but normal summary */
    xml = it_sample("Tobbszoros_modositas_2.xml");
    bad = it_replace(xml, "<invoiceCategory>NORMAL<", "<invoiceCategory>SIMPLIFIED<", 1);
    it_expect_one(c, bad, NAVOI_OP_MODIFY, "LINE_SUMMARY_TYPE_MISMATCH_SUMMARY_NORMAL", "normal summary");
    free(bad);
    free(xml);
    navoi_client_free(c);
}
END_TEST

/* Builds a one-line invoice (1 x 10 HUF) with a VAT treatment set by fn. */
static char *one_line(navoi_client *c, int op, int (*fn)(navoi_invoice_builder *, int32_t))
{
    navoi_invoice_builder *b = NULL;
    int32_t l = 0;
    char *xml;

    ck_assert_int_eq(navoi_invoice_builder_new(&b, "V-1", "2024-05-30", NAVOI_CATEGORY_NORMAL), NAVOI_OK);
    it_supplier(b);
    ck_assert_int_eq(navoi_invoice_builder_set_customer_domestic(b, "99887764-2-02", "Beszerző Kft", "HU",
                                                                 "7600", "Pécs", "Északi sugárút 123."),
                     NAVOI_OK);
    ck_assert_int_eq(navoi_invoice_builder_add_line(b, "Tétel", "1", "PIECE", "10", NULL, &l), NAVOI_OK);
    ck_assert_int_eq(fn(b, l), NAVOI_OK);
    if (op != NAVOI_OP_CREATE)
        ck_assert_int_eq(navoi_invoice_builder_set_reference(b, "V-0", 1, 0, 1), NAVOI_OK);
    xml = it_build_xml(b, c, op);
    navoi_invoice_builder_free(b);
    return xml;
}

static int rate_026(navoi_invoice_builder *b, int32_t l)
{
    return navoi_invoice_builder_line_set_vat_rate(b, l, "0.26");
}
static int rate_025(navoi_invoice_builder *b, int32_t l)
{
    return navoi_invoice_builder_line_set_vat_rate(b, l, "0.25");
}
static int exempt_aam(navoi_invoice_builder *b, int32_t l)
{
    return navoi_invoice_builder_line_set_vat_exemption(b, l, "AAM", "Áfa tv. 85. §");
}
static int oos_atk(navoi_invoice_builder *b, int32_t l)
{
    return navoi_invoice_builder_line_set_vat_out_of_scope(b, l, "ATK", "Áfa tv. hatályán kívül");
}
static int reverse(navoi_invoice_builder *b, int32_t l)
{
    return navoi_invoice_builder_line_set_reverse_charge(b, l);
}

START_TEST(vat_values)
{
    navoi_client *c = it_client(1);
    static const char *const twice[] = {"INVALID_VAT_DATA", "INVALID_VAT_DATA", NULL};
    static const char *const none[] = {NULL};
    char *xml, *bad;
    navoi_findings *f;

    /* 26 % is no Hungarian rate: line and summary */
    xml = one_line(c, NAVOI_OP_CREATE, rate_026);
    f = it_validate(c, xml, 0);
    it_expect(f, twice, "26 %");
    navoi_findings_free(f);
    free(xml);
    /* 25 % only for amendments (or deliveries before 2013) */
    xml = one_line(c, NAVOI_OP_CREATE, rate_025);
    f = it_validate(c, xml, 0);
    it_expect(f, twice, "25 % on CREATE");
    navoi_findings_free(f);
    bad = it_replace(xml, "<invoiceDeliveryDate>2024-05-30<", "<invoiceDeliveryDate>2012-12-31<", 1);
    f = it_validate(c, bad, 0);
    it_expect(f, none, "25 % for a 2012 delivery");
    navoi_findings_free(f);
    free(bad);
    free(xml);
    xml = one_line(c, NAVOI_OP_MODIFY, rate_025);
    f = it_validate(c, xml, NAVOI_OP_MODIFY);
    it_expect(f, none, "25 % on MODIFY");
    navoi_findings_free(f);
    free(xml);

    xml = one_line(c, NAVOI_OP_CREATE, exempt_aam);
    bad = it_replace(xml, "<case>AAM</case>", "<case>XYZ</case>", 1);
    it_expect_one(c, bad, 0, "INVALID_LINE_VAT_EXEMPTION_CODE", "line exemption XYZ");
    free(bad);
    bad = it_replace(xml, "<case>AAM</case>", "<case>XYZ</case>", 2);
    it_expect_one(c, bad, 0, "INVALID_SUMMARY_VAT_EXEMPTION_CODE", "summary exemption XYZ");
    free(bad);
    free(xml);
    xml = one_line(c, NAVOI_OP_CREATE, oos_atk);
    bad = it_replace(xml, "<case>ATK</case>", "<case>ABC</case>", 1);
    it_expect_one(c, bad, 0, "INVALID_LINE_VAT_OUT_OF_SCOPE_CODE", "line out of scope ABC");
    free(bad);
    bad = it_replace(xml, "<case>ATK</case>", "<case>ABC</case>", 2);
    it_expect_one(c, bad, 0, "INVALID_SUMMARY_VAT_OUT_OF_SCOPE_CODE", "summary out of scope ABC");
    free(bad);
    /* vatAmountMismatch: wrong case, wrong rate */
    bad = it_replace(xml, "<vatOutOfScope><case>ATK</case><reason>Áfa tv. hatályán kívül</reason></vatOutOfScope>",
                     "<vatAmountMismatch><vatRate>0.27</vatRate><case>OTHER</case></vatAmountMismatch>", 1);
    {
        char *bad2 = it_replace(bad, "<vatOutOfScope><case>ATK</case><reason>Áfa tv. hatályán kívül</reason></vatOutOfScope>",
                                "<vatAmountMismatch><vatRate>0.27</vatRate><case>OTHER</case></vatAmountMismatch>", 1);
        static const char *const want[] = {"INVALID_LINE_VAT_AMOUNT_MISMATCH_CODE", NULL};
        char *bad3 = it_replace(bad2, "<case>OTHER</case>", "<case>REFUNDABLE_VAT</case>", 2);
        f = it_validate(c, bad3, 0);
        it_expect(f, want, "vatAmountMismatch case OTHER on the line");
        navoi_findings_free(f);
        free(bad3);
        bad3 = it_replace(bad2, "<case>OTHER</case>", "<case>REFUNDABLE_VAT</case>", 0);
        {
            char *bad4 = it_replace(bad3, "<vatRate>0.27</vatRate>", "<vatRate>0.26</vatRate>", 1);
            it_expect_one(c, bad4, 0, "INVALID_LINE_VAT_AMOUNT_MISMATCH_VAT_RATE", "vatAmountMismatch rate 0.26");
            free(bad4);
            bad4 = it_replace(bad3, "<case>REFUNDABLE_VAT</case>", "<case>X</case>", 2);
            it_expect_one(c, bad4, 0, "INVALID_SUMMARY_VAT_AMOUNT_MISMATCH_CODE", "summary mismatch case X");
            free(bad4);
            bad4 = it_replace(bad3, "<vatRate>0.27</vatRate>", "<vatRate>0.26</vatRate>", 2);
            it_expect_one(c, bad4, 0, "INVALID_SUMMARY_VAT_AMOUNT_MISMATCH_VAT_RATE", "summary mismatch rate");
            free(bad4);
        }
        free(bad3);
        free(bad2);
    }
    free(bad);
    free(xml);

    /* reverse charge needs the customer's tax number */
    xml = one_line(c, NAVOI_OP_CREATE, reverse);
    f = it_validate(c, xml, 0);
    it_expect(f, none, "reverse charge to a domestic customer");
    navoi_findings_free(f);
    bad = it_cut(xml, "<customerVatData>", "</customerVatData>");
    {
        char *bad2 = it_replace(bad, "<customerVatStatus>DOMESTIC<", "<customerVatStatus>OTHER<", 1);
        it_expect_one(c, bad2, 0, "DOMESTIC_TAXNUMBER_EXPECTED_REVERSE_CHARGE", "reverse charge, no tax number");
        free(bad2);
    }
    free(bad);
    free(xml);
    navoi_client_free(c);
}
END_TEST

START_TEST(foreign_numbers_on_domestic_customer)
{
    navoi_client *c = it_client(1);
    navoi_invoice_builder *b = it_base_builder("T-3");
    char *xml, *bad;

    ck_assert_int_eq(navoi_invoice_builder_set_customer_eu(b, "DE123456789", "Käufer GmbH", "DE", "10115",
                                                           "Berlin", "Hauptstraße 1."),
                     NAVOI_OK);
    xml = it_build_xml(b, c, NAVOI_OP_CREATE);
    bad = it_replace(xml, "<customerVatStatus>OTHER<", "<customerVatStatus>DOMESTIC<", 1);
    it_expect_one(c, bad, 0, "CUSTOMER_COMMUNITY_TAXNUMBER_NOT_EXPECTED", "EU number, DOMESTIC");
    free(bad);
    free(xml);
    ck_assert_int_eq(navoi_invoice_builder_set_customer_third_country(b, "123-45-6789", "Buyer Inc", "US",
                                                                      "10001", "New York", "5th Avenue 1."),
                     NAVOI_OK);
    xml = it_build_xml(b, c, NAVOI_OP_CREATE);
    bad = it_replace(xml, "<customerVatStatus>OTHER<", "<customerVatStatus>DOMESTIC<", 1);
    it_expect_one(c, bad, 0, "CUSTOMER_THIRD_STATE_TAXNUMBER_NOT_EXPECTED", "third-state id, DOMESTIC");
    free(bad);
    free(xml);
    navoi_invoice_builder_free(b);
    navoi_client_free(c);
}
END_TEST

/* ---- Annex I calculation warnings ------------------------------------- */

/* The base invoice: 2 x 1000 HUF at 27 %: net 2000, VAT 540, gross 2540. */
START_TEST(calculation_warnings)
{
    navoi_client *c = it_client(1);
    navoi_invoice_builder *b = it_base_builder("T-4");
    char *xml = it_build_xml(b, c, NAVOI_OP_CREATE), *bad;
    navoi_findings *f;
    const char *msg = NULL;

    /* 3 x 1000 = 3000, not 2000 (tolerance 1 % of 3000 = 30) */
    bad = it_replace(xml, "<quantity>2</quantity>", "<quantity>3</quantity>", 1);
    it_expect_one(c, bad, 0, "INCORRECT_LINE_CALCULATION_NET_AMOUNT", "quantity 3");
    f = it_validate(c, bad, 0);
    navoi_findings_get(f, 0, NULL, NULL, NULL, &msg, NULL);
    ck_assert_ptr_nonnull(strstr(msg, "found 2000.00, calculated 3000.00"));
    navoi_findings_free(f);
    free(bad);
    /* 2 x 1010 = 2020: 20 HUF off is within 1 % (20.20): no warning */
    bad = it_replace(xml, "<unitPrice>1000</unitPrice>", "<unitPrice>1010</unitPrice>", 1);
    f = it_validate(c, bad, 0);
    ck_assert_uint_eq(navoi_findings_count(f), 0);
    navoi_findings_free(f);
    free(bad);
    /* 2 x 1011 = 2022: 22 HUF off exceeds 20.22 */
    bad = it_replace(xml, "<unitPrice>1000</unitPrice>", "<unitPrice>1011</unitPrice>", 1);
    it_expect_one(c, bad, 0, "INCORRECT_LINE_CALCULATION_NET_AMOUNT", "unit price 1011");
    free(bad);
    /* discount: 2 x 1000 - 100 = 1900 */
    bad = it_replace(xml, "</unitPriceHUF>",
                     "</unitPriceHUF><lineDiscountData><discountValue>100.00</discountValue></lineDiscountData>", 1);
    it_expect_one(c, bad, 0, "INCORRECT_LINE_CALCULATION_NET_AMOUNT", "discount not deducted");
    free(bad);
    /* summary VAT: 2000 x 0.27 = 540, 600 is off (tolerance 5.40) - and
     * the invoice VAT (540) no longer is the sum of the rates (600) */
    bad = it_replace(xml, "<vatRateVatAmount>540.00<", "<vatRateVatAmount>600.00<", 1);
    {
        static const char *const want[] = {"INCORRECT_SUMMARY_CALCULATION_VAT_RATE_VAT_AMOUNT_SUMMARY",
                                           "INCORRECT_SUMMARY_CALCULATION_INVOICE_VAT_AMOUNT_SUMMARY", NULL};
        f = it_validate(c, bad, 0);
        it_expect(f, want, "rate VAT 600");
        ck_assert(!navoi_findings_has_errors(f));
        navoi_findings_free(f);
    }
    free(bad);
    /* per-rate net vs lines */
    bad = it_replace(xml, "<vatRateNetAmount>2000.00<", "<vatRateNetAmount>2100.00<", 1);
    f = it_validate(c, bad, 0);
    ck_assert(it_has(f, "INCORRECT_SUMMARY_CALCULATION_VAT_RATE_NET_AMOUNT_LINE",
                     "InvoiceData/invoiceMain/invoice/invoiceSummary/summaryNormal/summaryByVatRate[1]/"
                     "vatRateNetData/vatRateNetAmount"));
    ck_assert(it_has(f, "INCORRECT_SUMMARY_CALCULATION_INVOICE_NET_AMOUNT", NULL));
    ck_assert(!navoi_findings_has_errors(f));
    navoi_findings_free(f);
    free(bad);
    /* gross = net + VAT */
    bad = it_replace(xml, "<invoiceGrossAmount>2540.00<", "<invoiceGrossAmount>2640.00<", 1);
    it_expect_one(c, bad, 0, "INCORRECT_SUMMARY_CALCULATION_INVOICE_GROSS_AMOUNT_SUMMARY", "gross 2640");
    free(bad);
    bad = it_replace(xml, "<invoiceGrossAmountHUF>2540.00<", "<invoiceGrossAmountHUF>2640.00<", 1);
    it_expect_one(c, bad, 0, "INCORRECT_SUMMARY_CALCULATION_INVOICE_GROSS_AMOUNT_HUF_SUMMARY", "gross HUF 2640");
    free(bad);
    /* line HUF values: exchange rate 1 */
    bad = it_replace(xml, "<lineVatAmountHUF>540.00<", "<lineVatAmountHUF>500.00<", 1);
    f = it_validate(c, bad, 0);
    ck_assert(it_has(f, "INCORRECT_LINE_CALCULATION_LINE_VAT_AMOUNT_HUF", NULL));
    ck_assert(it_has(f, "INCORRECT_LINE_CALCULATION_LINE_GROSS_AMOUNT_NORMAL_SUM", NULL));
    ck_assert(!navoi_findings_has_errors(f));
    navoi_findings_free(f);
    free(bad);
    /* HUF with a rate other than 1 */
    bad = it_replace(xml, "<exchangeRate>1<", "<exchangeRate>1.5<", 1);
    f = it_validate(c, bad, 0);
    ck_assert(it_has(f, "NAVOI_HUF_EXCHANGE_RATE", "InvoiceData/invoiceMain/invoice/invoiceHead/invoiceDetail/exchangeRate"));
    ck_assert(it_has(f, "INCORRECT_LINE_CALCULATION_LINE_NET_AMOUNT_HUF", NULL));
    ck_assert(!navoi_findings_has_errors(f));
    navoi_findings_free(f);
    free(bad);
    free(xml);
    navoi_invoice_builder_free(b);
    navoi_client_free(c);
}
END_TEST

START_TEST(simplified_warnings)
{
    navoi_client *c = it_client(1);
    char *xml = it_sample("Belfoldi_egyszerusitett_szamla.xml"), *bad;
    navoi_findings *f;

    bad = it_replace(xml, "<invoiceGrossAmount>", "<invoiceGrossAmount>9", 1);
    f = it_validate(c, bad, 0);
    ck_assert(it_has(f, "INCORRECT_SUMMARY_CALCULATION_INVOICE_VAT_AMOUNT",
                     "InvoiceData/invoiceMain/invoice/invoiceSummary/summaryGrossData/invoiceGrossAmount"));
    ck_assert_uint_eq(navoi_findings_count(f), 1);
    navoi_findings_free(f);
    free(bad);
    bad = it_replace(xml, "<vatContentGrossAmount>", "<vatContentGrossAmount>9", 1);
    f = it_validate(c, bad, 0);
    ck_assert(it_has(f, "INCORRECT_SUMMARY_CALCULATION_VAT_CONTENT_GROSS_AMOUNT_SUMMARY_SIMPLIFIED", NULL));
    ck_assert(!navoi_findings_has_errors(f));
    navoi_findings_free(f);
    free(bad);
    bad = it_replace(xml, "<lineGrossAmountSimplified>", "<lineGrossAmountSimplified>9", 1);
    f = it_validate(c, bad, 0);
    ck_assert(it_has(f, "INCORRECT_LINE_CALCULATION_GROSS_AMOUNT",
                     "InvoiceData/invoiceMain/invoice/invoiceLines/line[1]/lineAmountsSimplified/lineGrossAmountSimplified"));
    ck_assert(!navoi_findings_has_errors(f));
    navoi_findings_free(f);
    free(bad);
    free(xml);
    navoi_client_free(c);
}
END_TEST

START_TEST(gzip_and_operation_inference)
{
    navoi_client *c = it_client(1);
    char *m = it_sample(MOD);
    navoi_findings *f;
    static const char *const create_errors[] = {"INVOICE_REFERENCE_NOT_EXPECTED", "LINE_MODIFICATION_NOT_EXPECTED",
                                                "LINE_MODIFICATION_NOT_EXPECTED", NULL};
    static const char *const none[] = {NULL};

    f = it_validate(c, m, 0); /* inferred MODIFY */
    it_expect(f, none, "inferred MODIFY");
    navoi_findings_free(f);
    f = it_validate(c, m, NAVOI_OP_CREATE);
    it_expect(f, create_errors, "amendment sent as CREATE");
    navoi_findings_free(f);
    /* an empty or broken gzip stream is a finding, not a failure */
    ck_assert_int_eq(navoi_validate_xml(c, "\x1f\x8b\x08\x00garbage", 12, 0, &f), NAVOI_OK);
    {
        static const char *const sv[] = {"SCHEMA_VIOLATION", NULL};
        it_expect(f, sv, "corrupt gzip");
    }
    navoi_findings_free(f);
    free(m);
    navoi_client_free(c);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("validate");
    TCase *t = tcase_create("samples");
    tcase_set_timeout(t, 120);
    tcase_add_test(t, samples_have_no_errors);
    tcase_add_test(t, base_documents_are_clean);
    tcase_add_test(t, api_contract);
    tcase_add_test(t, validate_invoice_handle);
    suite_add_tcase(s, t);
    t = tcase_create("rules");
    tcase_set_timeout(t, 120);
    tcase_add_test(t, schema_violation);
    tcase_add_test(t, invoice_number_and_reference);
    tcase_add_test(t, lines);
    tcase_add_test(t, parties);
    tcase_add_test(t, dates);
    tcase_add_test(t, electronic_invoice);
    tcase_add_test(t, batch);
    tcase_add_test(t, category_and_vat_types);
    tcase_add_test(t, vat_values);
    tcase_add_test(t, foreign_numbers_on_domestic_customer);
    tcase_add_test(t, calculation_warnings);
    tcase_add_test(t, simplified_warnings);
    tcase_add_test(t, gzip_and_operation_inference);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    return nt_run(suite());
}
