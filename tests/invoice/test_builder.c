/* test_builder.c - public API: the invoice builder. Every supported case
 * builds an invoice that validates against invoiceData.xsd (the client has
 * NAV's schemas, so navoi_invoice_new checks it) and has no finding at
 * all; amounts are compared with values worked out by hand in the
 * comments, never with values the builder printed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "invtest.h"
#include "testutil.h"

static void amount_is(navoi_invoice_builder *b, int32_t line, int which, const char *want)
{
    const char *got = NULL;
    int rc = navoi_invoice_builder_amount(b, line, which, &got);
    ck_assert_msg(rc == NAVOI_OK, "amount %d/%d: %s", (int)line, which, navoi_invoice_builder_errmsg(b));
    ck_assert_msg(strcmp(got, want) == 0, "line %d amount %d: got %s, want %s", (int)line, which, got, want);
}

static void contains(const char *xml, const char *part)
{
    ck_assert_msg(strstr(xml, part) != NULL, "missing %s", part);
}

/* Builds as op, expects no finding at all, returns the XML. */
static char *build_clean(navoi_invoice_builder *b, int op, const char *what)
{
    navoi_client *c = it_client(1);
    static const char *const none[] = {NULL};
    char *xml = it_build_xml(b, c, op);
    navoi_findings *f = it_validate(c, xml, op);
    it_expect(f, none, what);
    navoi_findings_free(f);
    navoi_client_free(c);
    return xml;
}

static void domestic_customer(navoi_invoice_builder *b)
{
    ck_assert_int_eq(navoi_invoice_builder_set_customer_domestic(b, "99887764202", "Beszerző Kft", "HU", "7600",
                                                                 "Pécs", "Északi sugárút 123."),
                     NAVOI_OK);
}

START_TEST(domestic_huf_with_discount)
{
    navoi_invoice_builder *b = NULL;
    int32_t l1 = 0, l2 = 0;
    char *xml;

    ck_assert_int_eq(navoi_invoice_builder_new(&b, "NAVOI-B-1", "2024-05-30", NAVOI_CATEGORY_NORMAL), NAVOI_OK);
    it_supplier(b);
    domestic_customer(b);
    ck_assert_int_eq(navoi_invoice_builder_set_supplier_bank_account(b, "12345678-12345678-12345678"), NAVOI_OK);
    ck_assert_int_eq(navoi_invoice_builder_set_delivery_date(b, "2024-05-28"), NAVOI_OK);
    ck_assert_int_eq(navoi_invoice_builder_set_payment(b, "TRANSFER", "2024-06-15"), NAVOI_OK);
    /* 1500 kg x 400 = 600000 at 5 %: VAT 30000, gross 630000 */
    ck_assert_int_eq(navoi_invoice_builder_add_line(b, "Hűtött házi sertés (fél)", "1500.00", "KILOGRAM",
                                                    "400.00", NULL, &l1),
                     NAVOI_OK);
    ck_assert_int_eq(l1, 1);
    ck_assert_int_eq(navoi_invoice_builder_line_set_vat_rate(b, l1, "0.05"), NAVOI_OK);
    ck_assert_int_eq(navoi_invoice_builder_line_add_product_code(b, l1, "VTSZ", "020312340"), NAVOI_OK);
    ck_assert_int_eq(navoi_invoice_builder_line_set_nature(b, l1, "PRODUCT"), NAVOI_OK);
    /* 3 x 333.33 = 999.99, minus 10.00 discount = 989.99 at 27 %:
     * VAT 989.99 x 0.27 = 267.2973 -> 267.30; gross 1257.29 */
    ck_assert_int_eq(navoi_invoice_builder_add_line(b, "Szalámi", "3", "doboz", "333.33", "10", &l2), NAVOI_OK);
    ck_assert_int_eq(l2, 2);
    ck_assert_int_eq(navoi_invoice_builder_line_set_vat_rate(b, l2, "0.27"), NAVOI_OK);
    amount_is(b, 1, NAVOI_AMOUNT_NET, "600000.00");
    amount_is(b, 1, NAVOI_AMOUNT_VAT, "30000.00");
    amount_is(b, 1, NAVOI_AMOUNT_GROSS, "630000.00");
    amount_is(b, 2, NAVOI_AMOUNT_NET, "989.99");
    amount_is(b, 2, NAVOI_AMOUNT_VAT, "267.30");
    amount_is(b, 2, NAVOI_AMOUNT_GROSS, "1257.29");
    amount_is(b, 2, NAVOI_AMOUNT_VAT_HUF, "267.30");
    /* totals: 600989.99 net, 30267.30 VAT, 631257.29 gross */
    amount_is(b, 0, NAVOI_AMOUNT_NET, "600989.99");
    amount_is(b, 0, NAVOI_AMOUNT_VAT, "30267.30");
    amount_is(b, 0, NAVOI_AMOUNT_GROSS, "631257.29");
    amount_is(b, 0, NAVOI_AMOUNT_GROSS_HUF, "631257.29");
    xml = build_clean(b, NAVOI_OP_CREATE, "domestic HUF");
    contains(xml, "<customerVatStatus>DOMESTIC</customerVatStatus>");
    contains(xml, "<base:taxpayerId>99887764</base:taxpayerId><base:vatCode>2</base:vatCode>"
                  "<base:countyCode>02</base:countyCode>");
    contains(xml, "<unitOfMeasure>OWN</unitOfMeasure><unitOfMeasureOwn>doboz</unitOfMeasureOwn>");
    contains(xml, "<lineDiscountData><discountValue>10.00</discountValue></lineDiscountData>");
    contains(xml, "<productCodeCategory>VTSZ</productCodeCategory><productCodeValue>020312340</productCodeValue>");
    contains(xml, "<paymentMethod>TRANSFER</paymentMethod><paymentDate>2024-06-15</paymentDate>");
    contains(xml, "<invoiceDeliveryDate>2024-05-28</invoiceDeliveryDate>");
    contains(xml, "<vatPercentage>0.05</vatPercentage></vatRate><vatRateNetData><vatRateNetAmount>600000.00<");
    contains(xml, "<invoiceVatAmount>30267.30</invoiceVatAmount>");
    free(xml);
    navoi_invoice_builder_free(b);
}
END_TEST

START_TEST(private_person_several_rates)
{
    navoi_invoice_builder *b = NULL;
    int32_t l = 0;
    char *xml;

    ck_assert_int_eq(navoi_invoice_builder_new(&b, "NAVOI-B-2", "2024-05-30", NAVOI_CATEGORY_NORMAL), NAVOI_OK);
    it_supplier(b);
    ck_assert_int_eq(navoi_invoice_builder_set_customer_private_person(b), NAVOI_OK);
    ck_assert_int_eq(navoi_invoice_builder_set_payment(b, "CASH", NULL), NAVOI_OK);
    /* 2 x 150 = 300 at 18 %: VAT 54 */
    navoi_invoice_builder_add_line(b, "Tej", "2", "LITER", "150", NULL, &l);
    navoi_invoice_builder_line_set_vat_rate(b, l, "0.18");
    /* 1 x 99.99 at 27 %: 26.9973 -> 27.00 */
    navoi_invoice_builder_add_line(b, "Elem", "1", "PIECE", "99.99", NULL, &l);
    navoi_invoice_builder_line_set_vat_rate(b, l, "0.27");
    /* 3 x 0.335 = 1.005 -> 1.01 (half away from zero); VAT 0.2727 -> 0.27 */
    navoi_invoice_builder_add_line(b, "Cukorka", "3", "PIECE", "0.335", NULL, &l);
    navoi_invoice_builder_line_set_vat_rate(b, l, "0.27");
    amount_is(b, 3, NAVOI_AMOUNT_NET, "1.01");
    amount_is(b, 3, NAVOI_AMOUNT_VAT, "0.27");
    /* 27 % group: net 99.99 + 1.01 = 101.00, VAT 27.00 + 0.27 = 27.27;
     * totals: net 401.00, VAT 81.27, gross 482.27 */
    amount_is(b, 0, NAVOI_AMOUNT_NET, "401.00");
    amount_is(b, 0, NAVOI_AMOUNT_VAT, "81.27");
    amount_is(b, 0, NAVOI_AMOUNT_GROSS, "482.27");
    xml = build_clean(b, NAVOI_OP_CREATE, "private person");
    contains(xml, "<customerInfo><customerVatStatus>PRIVATE_PERSON</customerVatStatus></customerInfo>");
    contains(xml, "<vatPercentage>0.27</vatPercentage></vatRate><vatRateNetData><vatRateNetAmount>101.00<");
    contains(xml, "<vatRateVatAmount>27.27</vatRateVatAmount>");
    contains(xml, "<unitPrice>0.335</unitPrice>");
    free(xml);
    navoi_invoice_builder_free(b);
}
END_TEST

START_TEST(eu_customer_in_eur_exempt)
{
    navoi_invoice_builder *b = NULL;
    int32_t l = 0;
    char *xml;

    ck_assert_int_eq(navoi_invoice_builder_new(&b, "NAVOI-B-3", "2024-05-30", NAVOI_CATEGORY_NORMAL), NAVOI_OK);
    it_supplier(b);
    ck_assert_int_eq(navoi_invoice_builder_set_customer_eu(b, "DE123456789", "Käufer GmbH", "DE", "10115",
                                                           "Berlin", "Hauptstraße 1."),
                     NAVOI_OK);
    ck_assert_int_eq(navoi_invoice_builder_set_currency(b, "EUR", "392.45"), NAVOI_OK);
    /* 12.5 x 19.99 = 249.875 -> 249.88 EUR; x 392.45 = 98065.406 -> 98065.41 HUF */
    navoi_invoice_builder_add_line(b, "Szalámi", "12.5", "KILOGRAM", "19.99", NULL, &l);
    ck_assert_int_eq(navoi_invoice_builder_line_set_vat_exemption(b, l, "KBAET", "Áfa tv. 89. §"), NAVOI_OK);
    amount_is(b, 1, NAVOI_AMOUNT_NET, "249.88");
    amount_is(b, 1, NAVOI_AMOUNT_VAT, "0.00");
    amount_is(b, 1, NAVOI_AMOUNT_NET_HUF, "98065.41");
    amount_is(b, 0, NAVOI_AMOUNT_GROSS_HUF, "98065.41");
    xml = build_clean(b, NAVOI_OP_CREATE, "EU customer");
    contains(xml, "<customerVatStatus>OTHER</customerVatStatus><customerVatData><communityVatNumber>"
                  "DE123456789</communityVatNumber></customerVatData>");
    contains(xml, "<currencyCode>EUR</currencyCode><exchangeRate>392.45</exchangeRate>");
    contains(xml, "<vatExemption><case>KBAET</case><reason>Áfa tv. 89. §</reason></vatExemption>");
    /* unit price in HUF: 19.99 x 392.45 = 7845.0755 */
    contains(xml, "<unitPriceHUF>7845.0755</unitPriceHUF>");
    free(xml);
    navoi_invoice_builder_free(b);
}
END_TEST

START_TEST(third_country_usd_and_out_of_scope)
{
    navoi_invoice_builder *b = NULL;
    int32_t l = 0;
    char *xml;

    ck_assert_int_eq(navoi_invoice_builder_new(&b, "NAVOI-B-4", "2024-05-30", NAVOI_CATEGORY_NORMAL), NAVOI_OK);
    it_supplier(b);
    ck_assert_int_eq(navoi_invoice_builder_set_customer_third_country(b, NULL, "Buyer Inc", "US", "10001",
                                                                      "New York", "5th Avenue 1."),
                     NAVOI_OK);
    ck_assert_int_eq(navoi_invoice_builder_set_currency(b, "USD", "361.123456"), NAVOI_OK);
    /* 1 x 1000 USD export (EAM): HUF 361123.456 -> 361123.46 */
    navoi_invoice_builder_add_line(b, "Gép", "1", "PIECE", "1000", NULL, &l);
    navoi_invoice_builder_line_set_vat_exemption(b, l, "EAM", "Áfa tv. 98. §");
    /* 2 x 50 USD out of scope (HO): 100 USD = 36112.3456 -> 36112.35 HUF */
    navoi_invoice_builder_add_line(b, "Szolgáltatás", "2", "HOUR", "50", NULL, &l);
    ck_assert_int_eq(navoi_invoice_builder_line_set_vat_out_of_scope(b, l, "HO", "Harmadik országban teljesített"),
                     NAVOI_OK);
    amount_is(b, 1, NAVOI_AMOUNT_NET_HUF, "361123.46");
    amount_is(b, 2, NAVOI_AMOUNT_NET_HUF, "36112.35");
    amount_is(b, 0, NAVOI_AMOUNT_NET_HUF, "397235.81");
    xml = build_clean(b, NAVOI_OP_CREATE, "third country");
    contains(xml, "<customerVatStatus>OTHER</customerVatStatus><customerName>Buyer Inc</customerName>");
    contains(xml, "<vatOutOfScope><case>HO</case>");
    free(xml);
    navoi_invoice_builder_free(b);
}
END_TEST

START_TEST(simplified)
{
    navoi_invoice_builder *b = NULL;
    int32_t l = 0;
    char *xml;

    ck_assert_int_eq(navoi_invoice_builder_new(&b, "NAVOI-B-5", "2024-05-30", NAVOI_CATEGORY_SIMPLIFIED), NAVOI_OK);
    it_supplier(b);
    domestic_customer(b);
    /* gross 3 x 127 = 381 at VAT content 0.2126: VAT 81.0006 -> 81.00, net 300.00 */
    navoi_invoice_builder_add_line(b, "Kávé", "3", "PIECE", "127", NULL, &l);
    navoi_invoice_builder_line_set_vat_rate(b, l, "0.2126");
    /* gross 2 x 52.50 = 105 at 0.0476: VAT 4.998 -> 5.00 */
    navoi_invoice_builder_add_line(b, "Kenyér", "2", "PIECE", "52.50", NULL, &l);
    navoi_invoice_builder_line_set_vat_rate(b, l, "0.0476");
    amount_is(b, 1, NAVOI_AMOUNT_GROSS, "381.00");
    amount_is(b, 1, NAVOI_AMOUNT_VAT, "81.00");
    amount_is(b, 1, NAVOI_AMOUNT_NET, "300.00");
    amount_is(b, 2, NAVOI_AMOUNT_VAT, "5.00");
    amount_is(b, 0, NAVOI_AMOUNT_GROSS, "486.00");
    xml = build_clean(b, NAVOI_OP_CREATE, "simplified");
    contains(xml, "<lineAmountsSimplified><lineVatRate><vatContent>0.2126</vatContent></lineVatRate>"
                  "<lineGrossAmountSimplified>381.00</lineGrossAmountSimplified>");
    contains(xml, "<summarySimplified><vatRate><vatContent>0.0476</vatContent></vatRate>"
                  "<vatContentGrossAmount>105.00</vatContentGrossAmount>");
    contains(xml, "<summaryGrossData><invoiceGrossAmount>486.00</invoiceGrossAmount>");
    free(xml);
    navoi_invoice_builder_free(b);
}
END_TEST

START_TEST(aggregate_and_reverse_charge)
{
    navoi_invoice_builder *b = NULL;
    int32_t l = 0;
    char *xml;

    ck_assert_int_eq(navoi_invoice_builder_new(&b, "NAVOI-B-6", "2024-05-30", NAVOI_CATEGORY_AGGREGATE), NAVOI_OK);
    it_supplier(b);
    domestic_customer(b);
    navoi_invoice_builder_add_line(b, "Szállítás 1", "1", "PIECE", "100", NULL, &l);
    navoi_invoice_builder_line_set_vat_rate(b, l, "0.27");
    ck_assert_int_eq(navoi_invoice_builder_line_set_delivery_date(b, l, "2024-05-02"), NAVOI_OK);
    navoi_invoice_builder_add_line(b, "Hulladék", "10", "KILOGRAM", "20", NULL, &l);
    ck_assert_int_eq(navoi_invoice_builder_line_set_reverse_charge(b, l), NAVOI_OK);
    xml = build_clean(b, NAVOI_OP_CREATE, "aggregate");
    contains(xml, "<aggregateInvoiceLineData><lineDeliveryDate>2024-05-02</lineDeliveryDate>");
    contains(xml, "<aggregateInvoiceLineData><lineDeliveryDate>2024-05-30</lineDeliveryDate>");
    contains(xml, "<vatDomesticReverseCharge>true</vatDomesticReverseCharge>");
    free(xml);
    navoi_invoice_builder_free(b);
}
END_TEST

START_TEST(modify_and_storno)
{
    navoi_invoice_builder *b = NULL;
    int32_t l = 0;
    char *xml;

    /* MODIFY of NAVOI-B-1 (2 lines): a reduction, lines continue at 3 */
    ck_assert_int_eq(navoi_invoice_builder_new(&b, "NAVOI-B-1/M1", "2024-06-01", NAVOI_CATEGORY_NORMAL), NAVOI_OK);
    it_supplier(b);
    domestic_customer(b);
    ck_assert_int_eq(navoi_invoice_builder_set_reference(b, "NAVOI-B-1", 1, 0, 2), NAVOI_OK);
    navoi_invoice_builder_add_line(b, "Hűtött házi sertés (fél) visszáru", "-100", "KILOGRAM", "400", NULL, &l);
    navoi_invoice_builder_line_set_vat_rate(b, l, "0.05");
    navoi_invoice_builder_add_line(b, "Árkorrekció", "1", "PIECE", "-50", NULL, &l);
    navoi_invoice_builder_line_set_vat_rate(b, l, "0.27");
    ck_assert_int_eq(navoi_invoice_builder_line_set_number_reference(b, l, 9), NAVOI_OK);
    /* -100 x 400 = -40000, VAT -2000; -50 VAT -13.50: totals -40050 / -2013.50 */
    amount_is(b, 0, NAVOI_AMOUNT_NET, "-40050.00");
    amount_is(b, 0, NAVOI_AMOUNT_VAT, "-2013.50");
    xml = build_clean(b, NAVOI_OP_MODIFY, "modify");
    contains(xml, "<invoiceReference><originalInvoiceNumber>NAVOI-B-1</originalInvoiceNumber>"
                  "<modifyWithoutMaster>false</modifyWithoutMaster><modificationIndex>1</modificationIndex>"
                  "</invoiceReference>");
    contains(xml, "<lineNumber>1</lineNumber><lineModificationReference><lineNumberReference>3"
                  "</lineNumberReference><lineOperation>CREATE</lineOperation>");
    contains(xml, "<lineNumber>2</lineNumber><lineModificationReference><lineNumberReference>9<");
    free(xml);
    ck_assert_int_eq(navoi_invoice_builder_build(b, NULL, NAVOI_OP_CREATE, &(navoi_invoice *){NULL}),
                     NAVOI_EINVAL);
    ck_assert_ptr_nonnull(strstr(navoi_invoice_builder_errmsg(b), "INVOICE_REFERENCE_NOT_EXPECTED"));
    navoi_invoice_builder_free(b);

    /* STORNO of a one-line invoice never reported (modifyWithoutMaster) */
    ck_assert_int_eq(navoi_invoice_builder_new(&b, "NAVOI-B-7/S", "2024-06-01", NAVOI_CATEGORY_NORMAL), NAVOI_OK);
    it_supplier(b);
    domestic_customer(b);
    ck_assert_int_eq(navoi_invoice_builder_set_reference(b, "OLD-2012-7", 1, 1, 1), NAVOI_OK);
    navoi_invoice_builder_add_line(b, "Szék", "-2", "PIECE", "1000", NULL, &l);
    navoi_invoice_builder_line_set_vat_rate(b, l, "0.27");
    amount_is(b, 0, NAVOI_AMOUNT_GROSS, "-2540.00");
    xml = build_clean(b, NAVOI_OP_STORNO, "storno");
    contains(xml, "<modifyWithoutMaster>true</modifyWithoutMaster>");
    contains(xml, "<lineNumberReference>2</lineNumberReference>");
    free(xml);
    navoi_invoice_builder_free(b);
}
END_TEST

START_TEST(errors)
{
    navoi_invoice_builder *b = NULL;
    navoi_invoice *inv = NULL;
    navoi_client *c = it_client(0);
    const char *s = NULL;
    int32_t l = 0;

    ck_assert_int_eq(navoi_invoice_builder_new(&b, " X", "2024-05-30", NAVOI_CATEGORY_NORMAL), NAVOI_EINVAL);
    ck_assert_ptr_null(b);
    ck_assert_int_eq(navoi_invoice_builder_new(&b, "X", "2024-13-01", NAVOI_CATEGORY_NORMAL), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_invoice_builder_new(&b, "X", "2009-12-31", NAVOI_CATEGORY_NORMAL), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_invoice_builder_new(&b, "X", "2024-05-30", 9), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_invoice_builder_new(NULL, "X", "2024-05-30", 1), NAVOI_EINVAL);
    navoi_invoice_builder_free(NULL);
    ck_assert_str_eq(navoi_invoice_builder_errmsg(NULL), "");
    ck_assert_int_eq(navoi_invoice_builder_new(&b, "X-1", "2024-05-30", NAVOI_CATEGORY_NORMAL), NAVOI_OK);
    ck_assert_str_eq(navoi_invoice_builder_errmsg(b), "");
    /* build refuses what is missing, saying what */
    ck_assert_int_eq(navoi_invoice_builder_build(b, c, NAVOI_OP_CREATE, &inv), NAVOI_EINVAL);
    ck_assert_ptr_null(inv);
    ck_assert_ptr_nonnull(strstr(navoi_client_errmsg(c), "supplier"));
    ck_assert_int_eq(navoi_invoice_builder_set_supplier(b, "99999999-2", "A", "HU", "1234", "B", "C"), NAVOI_EINVAL);
    ck_assert_ptr_nonnull(strstr(navoi_invoice_builder_errmsg(b), "11-digit"));
    ck_assert_int_eq(navoi_invoice_builder_set_supplier(b, "99999999-9-41", "A", "HU", "1234", "B", "C"), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_invoice_builder_set_supplier(b, "99999999-2-41", " ", "HU", "1234", "B", "C"), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_invoice_builder_set_supplier(b, "99999999-2-41", "A", "hu", "1234", "B", "C"), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_invoice_builder_set_supplier(b, "99999999-2-41", "A", "HU", "12", "B", "C"), NAVOI_EINVAL);
    it_supplier(b);
    ck_assert_int_eq(navoi_invoice_builder_build(b, c, NAVOI_OP_CREATE, &inv), NAVOI_EINVAL);
    ck_assert_ptr_nonnull(strstr(navoi_invoice_builder_errmsg(b), "CUSTOMER_INFO_MISSING"));
    ck_assert_int_eq(navoi_invoice_builder_set_customer_eu(b, "HU99887764", "A", "HU", "1234", "B", "C"),
                     NAVOI_EINVAL);
    ck_assert_int_eq(navoi_invoice_builder_set_customer_eu(b, "D", "A", "DE", "1234", "B", "C"), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_invoice_builder_set_customer_private_person(b), NAVOI_OK);
    ck_assert_int_eq(navoi_invoice_builder_build(b, c, NAVOI_OP_CREATE, &inv), NAVOI_EINVAL);
    ck_assert_ptr_nonnull(strstr(navoi_invoice_builder_errmsg(b), "INVOICE_LINE_MISSING"));
    /* decimals: never floats, never commas or exponents */
    ck_assert_int_eq(navoi_invoice_builder_add_line(b, "A", "1,5", "PIECE", "1", NULL, &l), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_invoice_builder_add_line(b, "A", "1e3", "PIECE", "1", NULL, &l), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_invoice_builder_add_line(b, "A", "1", "PIECE", "1", "0.001", &l), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_invoice_builder_add_line(b, "A", "1", "PIECE", "0.00000000001", NULL, &l), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_invoice_builder_add_line(b, "", "1", "PIECE", "1", NULL, &l), NAVOI_EINVAL);
    ck_assert_int_eq(l, 0);
    ck_assert_int_eq(navoi_invoice_builder_add_line(b, "A", "1", "PIECE", "1", NULL, &l), NAVOI_OK);
    ck_assert_int_eq(navoi_invoice_builder_build(b, c, NAVOI_OP_CREATE, &inv), NAVOI_EINVAL);
    ck_assert_ptr_nonnull(strstr(navoi_invoice_builder_errmsg(b), "no VAT rate"));
    ck_assert_int_eq(navoi_invoice_builder_amount(b, 0, NAVOI_AMOUNT_NET, &s), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_invoice_builder_line_set_vat_rate(b, 2, "0.27"), NAVOI_ENOTFOUND);
    ck_assert_int_eq(navoi_invoice_builder_line_set_vat_rate(b, 1, "1.5"), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_invoice_builder_line_set_vat_rate(b, 1, "0.27"), NAVOI_OK);
    ck_assert_int_eq(navoi_invoice_builder_line_set_vat_exemption(b, 1, "XXX", "r"), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_invoice_builder_line_set_vat_out_of_scope(b, 1, "ATK", ""), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_invoice_builder_line_add_product_code(b, 1, "VTSZ", "a b"), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_invoice_builder_line_set_nature(b, 1, "THING"), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_invoice_builder_line_set_number_reference(b, 1, 0), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_invoice_builder_amount(b, 0, 7, &s), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_invoice_builder_amount(b, 5, NAVOI_AMOUNT_NET, &s), NAVOI_ENOTFOUND);
    ck_assert_int_eq(navoi_invoice_builder_set_currency(b, "HUF", "2"), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_invoice_builder_set_currency(b, "EUR", "0"), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_invoice_builder_set_currency(b, "EUR", "400.1234567"), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_invoice_builder_set_payment(b, "CHEQUE", NULL), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_invoice_builder_set_appearance(b, "PAPYRUS"), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_invoice_builder_set_reference(b, "X-0", 0, 0, 0), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_invoice_builder_build(b, c, NAVOI_OP_MODIFY, &inv), NAVOI_EINVAL);
    ck_assert_ptr_nonnull(strstr(navoi_invoice_builder_errmsg(b), "INVOICE_REFERENCE_EXPECTED"));
    ck_assert_int_eq(navoi_invoice_builder_build(b, c, NAVOI_OP_CREATE, &inv), NAVOI_OK);
    ck_assert_ptr_nonnull(inv);
    ck_assert_str_eq(navoi_invoice_number(inv), "X-1");
    ck_assert_int_eq(navoi_invoice_operation(inv), NAVOI_OP_CREATE);
    navoi_invoice_free(inv);
    /* an amount beyond MonetaryType's 18 digits */
    ck_assert_int_eq(navoi_invoice_builder_add_line(b, "B", "9999999999", "PIECE", "99999999999", NULL, &l), NAVOI_OK);
    ck_assert_int_eq(navoi_invoice_builder_line_set_vat_rate(b, l, "0.27"), NAVOI_OK);
    ck_assert_int_eq(navoi_invoice_builder_amount(b, 0, NAVOI_AMOUNT_NET, &s), NAVOI_ETOOBIG);
    navoi_invoice_builder_free(b);
    navoi_client_free(c);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("builder");
    TCase *t = tcase_create("cases");
    tcase_set_timeout(t, 120);
    tcase_add_test(t, domestic_huf_with_discount);
    tcase_add_test(t, private_person_several_rates);
    tcase_add_test(t, eu_customer_in_eur_exempt);
    tcase_add_test(t, third_country_usd_and_out_of_scope);
    tcase_add_test(t, simplified);
    tcase_add_test(t, aggregate_and_reverse_charge);
    tcase_add_test(t, modify_and_storno);
    tcase_add_test(t, errors);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    return nt_run(suite());
}
