/* test_fingerprint.c - the XML content fingerprint (src/xml/fingerprint.c)
 * by its defining properties: one infoset spelt differently (prefixes,
 * namespace declarations, attribute order, indentation, CDATA) has one
 * fingerprint; any change of what the document says (a value, a name, a
 * namespace, an attribute, the order of elements) changes it. No golden
 * hash values: the properties are the specification. */
#include <stdio.h>
#include <string.h>

#include <check.h>

#include "navoi/navoi.h"
#include "testutil.h"
#include "xml/fingerprint.h"

static const char k_base[] =
    "<InvoiceData xmlns=\"http://schemas.nav.gov.hu/OSA/3.0/data\" "
    "xmlns:base=\"http://schemas.nav.gov.hu/OSA/3.0/base\">"
    "<invoiceNumber>A-1</invoiceNumber>"
    "<line base:kind=\"x\" n=\"1\"><amount>10.00</amount></line>"
    "<base:note>a &amp; b</base:note>"
    "</InvoiceData>";

static void fp(const char *xml, char out[NAVOI__XML_FINGERPRINT_LEN + 1])
{
    int rc = navoi__xml_fingerprint(xml, strlen(xml), out);
    ck_assert_msg(rc == NAVOI_OK, "fingerprint failed (%d) for %s", rc, xml);
    ck_assert_uint_eq(strlen(out), NAVOI__XML_FINGERPRINT_LEN);
}

/* Re-serialisations of k_base: the same fingerprint. */
static const char *const k_same[] = {
    /* other prefixes, an extra unused declaration (PROTOCOL.md 5.6) */
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<ns2:InvoiceData xmlns:ns2=\"http://schemas.nav.gov.hu/OSA/3.0/data\" "
    "xmlns:ns3=\"http://schemas.nav.gov.hu/OSA/3.0/base\" "
    "xmlns:unused=\"http://example.com/unused\">\n"
    "  <ns2:invoiceNumber>A-1</ns2:invoiceNumber>\n"
    "  <ns2:line n=\"1\" ns3:kind=\"x\">\n    <ns2:amount>10.00</ns2:amount>\n  </ns2:line>\n"
    "  <ns3:note><![CDATA[a & b]]></ns3:note>\n"
    "</ns2:InvoiceData>\n",
    /* declarations moved down to where they are used */
    "<InvoiceData xmlns=\"http://schemas.nav.gov.hu/OSA/3.0/data\">"
    "<invoiceNumber> A-1 </invoiceNumber>"
    "<line xmlns:b=\"http://schemas.nav.gov.hu/OSA/3.0/base\" b:kind=\"x\" n=\"1\">"
    "<amount>10.00</amount><!-- a comment --></line>"
    "<b:note xmlns:b=\"http://schemas.nav.gov.hu/OSA/3.0/base\">a &#38; b</b:note>"
    "</InvoiceData>",
};

/* Changes of content: each a different fingerprint. */
static const char *const k_other[] = {
    /* a value */
    "<InvoiceData xmlns=\"http://schemas.nav.gov.hu/OSA/3.0/data\" "
    "xmlns:base=\"http://schemas.nav.gov.hu/OSA/3.0/base\">"
    "<invoiceNumber>A-1</invoiceNumber>"
    "<line base:kind=\"x\" n=\"1\"><amount>10.0</amount></line>"
    "<base:note>a &amp; b</base:note></InvoiceData>",
    /* an attribute value */
    "<InvoiceData xmlns=\"http://schemas.nav.gov.hu/OSA/3.0/data\" "
    "xmlns:base=\"http://schemas.nav.gov.hu/OSA/3.0/base\">"
    "<invoiceNumber>A-1</invoiceNumber>"
    "<line base:kind=\"y\" n=\"1\"><amount>10.00</amount></line>"
    "<base:note>a &amp; b</base:note></InvoiceData>",
    /* an attribute's namespace */
    "<InvoiceData xmlns=\"http://schemas.nav.gov.hu/OSA/3.0/data\" "
    "xmlns:base=\"http://schemas.nav.gov.hu/OSA/3.0/base\">"
    "<invoiceNumber>A-1</invoiceNumber>"
    "<line kind=\"x\" n=\"1\"><amount>10.00</amount></line>"
    "<base:note>a &amp; b</base:note></InvoiceData>",
    /* an element's namespace */
    "<InvoiceData xmlns=\"http://schemas.nav.gov.hu/OSA/3.0/data\" "
    "xmlns:base=\"http://schemas.nav.gov.hu/OSA/3.0/base\">"
    "<invoiceNumber>A-1</invoiceNumber>"
    "<line base:kind=\"x\" n=\"1\"><amount>10.00</amount></line>"
    "<note>a &amp; b</note></InvoiceData>",
    /* the order of elements */
    "<InvoiceData xmlns=\"http://schemas.nav.gov.hu/OSA/3.0/data\" "
    "xmlns:base=\"http://schemas.nav.gov.hu/OSA/3.0/base\">"
    "<line base:kind=\"x\" n=\"1\"><amount>10.00</amount></line>"
    "<invoiceNumber>A-1</invoiceNumber>"
    "<base:note>a &amp; b</base:note></InvoiceData>",
    /* text moved across an element boundary */
    "<InvoiceData xmlns=\"http://schemas.nav.gov.hu/OSA/3.0/data\" "
    "xmlns:base=\"http://schemas.nav.gov.hu/OSA/3.0/base\">"
    "<invoiceNumber>A-</invoiceNumber>"
    "<line base:kind=\"x\" n=\"1\"><amount>110.00</amount></line>"
    "<base:note>a &amp; b</base:note></InvoiceData>",
    /* an element more */
    "<InvoiceData xmlns=\"http://schemas.nav.gov.hu/OSA/3.0/data\" "
    "xmlns:base=\"http://schemas.nav.gov.hu/OSA/3.0/base\">"
    "<invoiceNumber>A-1</invoiceNumber>"
    "<line base:kind=\"x\" n=\"1\"><amount>10.00</amount></line><line/>"
    "<base:note>a &amp; b</base:note></InvoiceData>",
};

START_TEST(same_infoset_same_fingerprint)
{
    char a[NAVOI__XML_FINGERPRINT_LEN + 1], b[NAVOI__XML_FINGERPRINT_LEN + 1];
    fp(k_base, a);
    fp(k_same[_i], b);
    ck_assert_str_eq(a, b);
}
END_TEST

START_TEST(other_content_other_fingerprint)
{
    char a[NAVOI__XML_FINGERPRINT_LEN + 1], b[NAVOI__XML_FINGERPRINT_LEN + 1];
    fp(k_base, a);
    fp(k_other[_i], b);
    ck_assert_str_ne(a, b);
}
END_TEST

START_TEST(bad_input_is_refused)
{
    char out[NAVOI__XML_FINGERPRINT_LEN + 1];
    char many[4096];
    size_t i;
    ck_assert_int_eq(navoi__xml_fingerprint("not xml <", 9, out), NAVOI_EXML);
    ck_assert_str_eq(out, "");
    ck_assert_int_eq(navoi__xml_fingerprint("", 0, out), NAVOI_EXML);
    /* a DOCTYPE (entity expansion) is refused by the hardened reader */
    ck_assert_int_eq(navoi__xml_fingerprint("<!DOCTYPE a [<!ENTITY e \"x\">]><a>&e;</a>", 40,
                                            out),
                     NAVOI_EXML);
    /* more attributes on one element than an invoice ever has */
    strcpy(many, "<a");
    for (i = 0; i < 65; i++)
        sprintf(many + strlen(many), " a%zu=\"1\"", i);
    strcat(many, "/>");
    ck_assert_int_eq(navoi__xml_fingerprint(many, strlen(many), out), NAVOI_EXML);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("fingerprint");
    TCase *tc = tcase_create("fingerprint");
    tcase_add_loop_test(tc, same_infoset_same_fingerprint, 0,
                        (int)(sizeof k_same / sizeof k_same[0]));
    tcase_add_loop_test(tc, other_content_other_fingerprint, 0,
                        (int)(sizeof k_other / sizeof k_other[0]));
    tcase_add_test(tc, bad_input_is_refused);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return nt_run(suite());
}
