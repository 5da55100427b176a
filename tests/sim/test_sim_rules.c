/* test_sim_rules.c - the business validation rules navoi-sim decides from
 * the invoice itself (PROTOCOL.md 7.3 / spec 3.3.2, plus two Annex I
 * warnings) and from the ledger (type, e-invoice reference): each rule is
 * broken by one edit of an otherwise clean fixture (tests/data/sim/rules)
 * and must end ABORTED with its ERROR code (WARN: DONE with the warning),
 * and the fixtures, the boundary cases and every NAV data sample must pass
 * without any message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "simtest.h"
#include "testutil.h"

/* A fixed clock makes the date rules deterministic: "today" is 2024-06-15. */
static const char *k_config =
    "[settings]\n"
    "selfCheck = true\n"
    "clock = 2024-06-15T10:00:00Z\n"
    ST_SELLER_INI
    "[user]\n"
    "login = groupuser01\n"
    "password = Csoport-Jelszo-02\n"
    "taxNumber = 98765432\n"
    "signKey = ac-ac3a-7f661bff7d342N43CYX4U9FG\n"
    "exchangeKey = f424XKR57N62W5NJ\n";

static const st_user k_group = {"groupuser01", "Csoport-Jelszo-02", "98765432",
                                "ac-ac3a-7f661bff7d342N43CYX4U9FG", "f424XKR57N62W5NJ"};

/* ---- one rule per row ---- */

typedef struct rule_case {
    const char *fixture;   /* normal.xml, simplified.xml or modify.xml (RULES-N-001 seeded) */
    const char *op;
    struct {
        const char *from;
        int nth;
        const char *to;
    } e[3];
    const char *level;     /* ERROR (ABORTED), WARN (DONE), NULL = clean */
    const char *codes[3];
} rule_case;

/* in normal.xml and modify.xml the first occurrence is in a line, the
 * second in the summary */
#define LINE_VP1 "<vatPercentage>0.27</vatPercentage>"
#define LINE_VP2 "<vatPercentage>0.05</vatPercentage>"
#define CTN "<customerVatData>..</customerVatData>"
#define CASE(x) "<vatExemption><case>" x "</case><reason>teszt</reason></vatExemption>"
#define OOS(x) "<vatOutOfScope><case>" x "</case><reason>teszt</reason></vatOutOfScope>"
#define MISMATCH(r, c)                                                                       \
    "<vatAmountMismatch><vatRate>" r "</vatRate><case>" c "</case></vatAmountMismatch>"
#define VAT_DATA(x) "<customerVatData>" x "</customerVatData>"
#define CVN VAT_DATA("<communityVatNumber>HU12345676</communityVatNumber>")
#define TST VAT_DATA("<thirdStateTaxId>RS-100200300</thirdStateTaxId>")
#define DELIVERY "<invoiceDeliveryDate>2024-04-30"
#define RC "<vatDomesticReverseCharge>true</vatDomesticReverseCharge>"

static const rule_case k_rules[] = {
    /* #51 invoice number */
    {"normal.xml", "CREATE", {{"<invoiceNumber>RULES", 1, "<invoiceNumber> RULES"}}, "ERROR",
     {"INVALID_INVOICE_NUMBER"}},
    {"normal.xml", "CREATE", {{"RULES-N-001<", 1, "RULES-N-001\t<"}}, "ERROR",
     {"INVALID_INVOICE_NUMBER"}},
    /* #3, #4, #13 lines */
    {"normal.xml", "CREATE", {{"<lineNumber>2<", 1, "<lineNumber>3<"}}, "ERROR",
     {"LINE_NUMBER_NOT_SEQUENTIAL"}},
    {"normal.xml", "CREATE", {{"<invoiceLines>..</invoiceLines>", 1, ""}}, "ERROR",
     {"INVOICE_LINE_MISSING"}},
    {"normal.xml", "CREATE", {{"<unitPrice>2500</unitPrice>", 1, ""}}, "ERROR",
     {"MANDATORY_LINE_CONTENT_MISSING"}},
    {"normal.xml", "CREATE", {{"<lineDescription>Szakkönyv</lineDescription>", 1, ""}}, "ERROR",
     {"MANDATORY_LINE_CONTENT_MISSING"}},
    /* false needs only the description */
    {"normal.xml", "CREATE",
     {{"<lineExpressionIndicator>true<", 1, "<lineExpressionIndicator>false<"},
      {"<unitPrice>2500</unitPrice>", 1, ""}},
     NULL, {NULL}},
    /* #14 VAT rates */
    {"normal.xml", "CREATE", {{LINE_VP1, 1, "<vatPercentage>0.25</vatPercentage>"}}, "ERROR",
     {"INVALID_VAT_DATA"}},
    {"normal.xml", "CREATE", {{LINE_VP2, 2, "<vatPercentage>0.1</vatPercentage>"}}, "ERROR",
     {"INVALID_VAT_DATA"}},
    {"simplified.xml", "CREATE", {{"<vatContent>0.2126<", 1, "<vatContent>0.18<"}}, "ERROR",
     {"INVALID_VAT_DATA"}},
    {"simplified.xml", "CREATE", {{"<vatContent>0.2126<", 2, "<vatContent>0<"}}, "ERROR",
     {"INVALID_VAT_DATA"}},
    /* the same rate written differently; old rates before 2013 */
    {"normal.xml", "CREATE",
     {{LINE_VP1, 1, "<vatPercentage>0.270</vatPercentage>"},
      {LINE_VP2, 2, "<vatPercentage>.05</vatPercentage>"}},
     NULL, {NULL}},
    {"normal.xml", "CREATE",
     {{LINE_VP1, 1, "<vatPercentage>0.25</vatPercentage>"},
      {LINE_VP1, 1, "<vatPercentage>0.25</vatPercentage>"},
      {DELIVERY, 1, "<invoiceDeliveryDate>2012-12-31"}},
     NULL, {NULL}},
    {"normal.xml", "CREATE",
     {{LINE_VP1, 1, "<vatPercentage>0.25</vatPercentage>"},
      {DELIVERY, 1, "<invoiceDeliveryDate>2013-01-01"}},
     "ERROR", {"INVALID_VAT_DATA"}},
    /* #41-44 vatContent in normal data, vatPercentage in simplified data */
    {"normal.xml", "CREATE", {{LINE_VP1, 1, "<vatContent>0.2126</vatContent>"}}, "ERROR",
     {"INVALID_LINE_VAT_RATE_NORMAL"}},
    {"normal.xml", "CREATE", {{LINE_VP1, 2, "<vatContent>0.2126</vatContent>"}}, "ERROR",
     {"INVALID_SUMMARY_VAT_RATE_NORMAL"}},
    {"simplified.xml", "CREATE", {{"<vatContent>0.2126</vatContent>", 1, LINE_VP1}}, "ERROR",
     {"INVALID_LINE_VAT_RATE_SIMPLIFIED"}},
    {"simplified.xml", "CREATE", {{"<vatContent>0.2126</vatContent>", 2, LINE_VP1}}, "ERROR",
     {"INVALID_SUMMARY_VAT_RATE_SIMPLIFIED"}},
    /* #56-59 line and summary type against the category */
    {"simplified.xml", "CREATE", {{">SIMPLIFIED<", 1, ">NORMAL<"}}, "ERROR",
     {"LINE_SUMMARY_TYPE_MISMATCH_LINE_SIMPLIFIED",
      "LINE_SUMMARY_TYPE_MISMATCH_SUMMARY_SIMPLIFIED"}},
    {"normal.xml", "CREATE", {{">NORMAL<", 1, ">SIMPLIFIED<"}}, "ERROR",
     {"LINE_SUMMARY_TYPE_MISMATCH_LINE_NORMAL", "LINE_SUMMARY_TYPE_MISMATCH_SUMMARY_NORMAL"}},
    /* #31-34, #36-37, #48-49 case codes and mismatch rates */
    {"normal.xml", "CREATE", {{LINE_VP2, 1, CASE("XYZ")}}, "ERROR",
     {"INVALID_LINE_VAT_EXEMPTION_CODE"}},
    {"normal.xml", "CREATE", {{LINE_VP2, 2, CASE("aam")}}, "ERROR",
     {"INVALID_SUMMARY_VAT_EXEMPTION_CODE"}},
    {"normal.xml", "CREATE", {{LINE_VP2, 1, CASE("KBAET")}, {LINE_VP2, 1, CASE("AAM")}}, NULL,
     {NULL}},
    {"normal.xml", "CREATE", {{LINE_VP2, 1, OOS("THK")}}, "ERROR",
     {"INVALID_LINE_VAT_OUT_OF_SCOPE_CODE"}},
    {"normal.xml", "CREATE", {{LINE_VP2, 2, OOS("EUX")}}, "ERROR",
     {"INVALID_SUMMARY_VAT_OUT_OF_SCOPE_CODE"}},
    {"normal.xml", "CREATE", {{LINE_VP2, 1, OOS("EUFAD37")}, {LINE_VP2, 1, OOS("HO")}}, NULL,
     {NULL}},
    {"normal.xml", "CREATE", {{LINE_VP1, 1, MISMATCH("0.27", "OTHER_VAT")}}, "ERROR",
     {"INVALID_LINE_VAT_AMOUNT_MISMATCH_CODE"}},
    {"normal.xml", "CREATE", {{LINE_VP1, 2, MISMATCH("0.27", "refundable_vat")}}, "ERROR",
     {"INVALID_SUMMARY_VAT_AMOUNT_MISMATCH_CODE"}},
    {"normal.xml", "CREATE", {{LINE_VP1, 1, MISMATCH("0.0426", "REFUNDABLE_VAT")}}, "ERROR",
     {"INVALID_LINE_VAT_AMOUNT_MISMATCH_VAT_RATE"}},
    {"normal.xml", "CREATE", {{LINE_VP1, 2, MISMATCH("0.07", "NONREFUNDABLE_VAT")}}, "ERROR",
     {"INVALID_SUMMARY_VAT_AMOUNT_MISMATCH_VAT_RATE"}},
    {"normal.xml", "CREATE",
     {{LINE_VP1, 1, MISMATCH("0.0476", "REFUNDABLE_VAT")},
      {LINE_VP1, 1, MISMATCH("0.27", "NONREFUNDABLE_VAT")}},
     NULL, {NULL}},
    /* UNKNOWN: never on CREATE, on an amendment only without a 3.0 history */
    {"normal.xml", "CREATE", {{LINE_VP2, 1, CASE("UNKNOWN")}}, "ERROR",
     {"INVALID_LINE_VAT_EXEMPTION_CODE"}},
    {"modify.xml", "MODIFY", {{LINE_VP1, 1, OOS("UNKNOWN")}}, "ERROR",
     {"INVALID_LINE_VAT_OUT_OF_SCOPE_CODE"}},
    {"modify.xml", "MODIFY",
     {{LINE_VP1, 2, MISMATCH("0.27", "UNKNOWN")},
      {">RULES-N-001<", 1, ">RULES-X-001<"},
      {"<modifyWithoutMaster>false", 1, "<modifyWithoutMaster>true"}},
     NULL, {NULL}},
    /* #17, #24, #25, #45-47 customer data */
    {"normal.xml", "CREATE", {{"<customerInfo>..</customerInfo>", 1, ""}}, "ERROR",
     {"CUSTOMER_INFO_MISSING"}},
    {"normal.xml", "CREATE", {{">DOMESTIC<", 1, ">PRIVATE_PERSON<"}}, "ERROR",
     {"CUSTOMER_DATA_NOT_EXPECTED"}},
    {"simplified.xml", "CREATE",
     {{"PRIVATE_PERSON</customerVatStatus>", 1,
       "PRIVATE_PERSON</customerVatStatus><customerName>Kovács Anna</customerName>"}},
     "ERROR", {"CUSTOMER_DATA_NOT_EXPECTED"}},
    {"simplified.xml", "CREATE", {{">PRIVATE_PERSON<", 1, ">OTHER<"}}, "ERROR",
     {"CUSTOMER_DATA_EXPECTED"}},
    {"normal.xml", "CREATE", {{"<customerAddress>..</customerAddress>", 1, ""}}, "ERROR",
     {"CUSTOMER_DATA_EXPECTED"}},
    {"normal.xml", "CREATE", {{CTN, 1, ""}}, "ERROR", {"MISSING_CUSTOMER_DOMESTIC_TAXNUMBER"}},
    /* a seller only VAT-registered in Hungary (county code 51) need not */
    {"normal.xml", "CREATE", {{CTN, 1, ""}, {"<base:countyCode>41<", 1, "<base:countyCode>51<"}},
     NULL, {NULL}},
    {"normal.xml", "CREATE", {{CTN, 1, ""}, {">DOMESTIC<", 1, ">OTHER<"}}, NULL, {NULL}},
    {"normal.xml", "CREATE",
     {{CTN, 1, CVN}},
     "ERROR", {"CUSTOMER_COMMUNITY_TAXNUMBER_NOT_EXPECTED", "MISSING_CUSTOMER_DOMESTIC_TAXNUMBER"}},
    {"normal.xml", "CREATE",
     {{CTN, 1, CVN},
      {">DOMESTIC<", 1, ">OTHER<"}},
     NULL, {NULL}},
    {"normal.xml", "CREATE",
     {{CTN, 1, TST}},
     "ERROR",
     {"CUSTOMER_THIRD_STATE_TAXNUMBER_NOT_EXPECTED", "MISSING_CUSTOMER_DOMESTIC_TAXNUMBER"}},
    /* #50 domestic reverse charge needs the customer's tax number */
    {"normal.xml", "CREATE", {{LINE_VP2, 1, RC}, {CTN, 1, ""}, {">DOMESTIC<", 1, ">OTHER<"}},
     "ERROR", {"DOMESTIC_TAXNUMBER_EXPECTED_REVERSE_CHARGE"}},
    {"normal.xml", "CREATE", {{LINE_VP2, 1, RC}, {LINE_VP2, 1, RC}}, NULL, {NULL}},
    /* ... and then the county-51 exemption of #45 does not apply */
    {"normal.xml", "CREATE",
     {{LINE_VP2, 1, RC}, {CTN, 1, ""}, {"<base:countyCode>41<", 1, "<base:countyCode>51<"}},
     "ERROR",
     {"MISSING_CUSTOMER_DOMESTIC_TAXNUMBER", "DOMESTIC_TAXNUMBER_EXPECTED_REVERSE_CHARGE"}},
    /* #21, #22 line references */
    {"normal.xml", "CREATE",
     {{"<lineNumber>1</lineNumber>", 1,
       "<lineNumber>1</lineNumber><lineModificationReference><lineNumberReference>1"
       "</lineNumberReference><lineOperation>CREATE</lineOperation></lineModificationReference>"}},
     "ERROR", {"LINE_MODIFICATION_NOT_EXPECTED"}},
    {"modify.xml", "MODIFY", {{"<lineModificationReference>..</lineModificationReference>", 1, ""}},
     "ERROR", {"LINE_MODIFICATION_EXPECTED"}},
    /* #29, #38, #39 electronic invoice restrictions (the request has no
     * electronicInvoiceHash, so #26 comes too) */
    {"normal.xml", "CREATE", {{"<completenessIndicator>false", 1, "<completenessIndicator>true"}},
     "ERROR", {"INVOICE_APPEARANCE_MISMATCH", "ELECTRONIC_INVOICE_HASH_EXPECTED"}},
    {"normal.xml", "CREATE",
     {{"<completenessIndicator>false", 1, "<completenessIndicator>true"},
      {">PAPER<", 1, ">ELECTRONIC<"},
      {"<mergedItemIndicator>false", 1, "<mergedItemIndicator>true"}},
     "ERROR",
     {"INVOICE_COMPLETENESS_MERGED_ITEM_INDICATOR_MISMATCH", "ELECTRONIC_INVOICE_HASH_EXPECTED"}},
    {"simplified.xml", "CREATE",
     {{"<completenessIndicator>false", 1, "<completenessIndicator>true"},
      {">PAPER<", 1, ">ELECTRONIC<"}},
     "ERROR",
     {"INVOICE_COMPLETENESS_PRIVATE_PERSON_INDICATOR_MISMATCH",
      "ELECTRONIC_INVOICE_HASH_EXPECTED"}},
    /* #35: an electronic amendment of a paper base */
    {"modify.xml", "MODIFY",
     {{"<completenessIndicator>false", 1, "<completenessIndicator>true"},
      {">PAPER<", 1, ">ELECTRONIC<"}},
     "ERROR", {"INCOMPLETE_ELECTRONIC_INVOICE_REFERENCE", "ELECTRONIC_INVOICE_HASH_EXPECTED"}},
    /* #6 invoice type of the base */
    {"modify.xml", "MODIFY", {{">NORMAL<", 1, ">AGGREGATE<"}}, "ERROR", {"INVOICE_TYPE_MISMATCH"}},
    /* #54, #55 dates; today is 2024-06-15 */
    {"normal.xml", "CREATE", {{DELIVERY, 1, "<invoiceDeliveryDate>2029-05-03"}},
     "ERROR", {"INVOICE_DELIVERY_DATE_LATE"}},
    {"normal.xml", "CREATE", {{DELIVERY, 1, "<invoiceDeliveryDate>2029-05-02"}},
     NULL, {NULL}},
    {"normal.xml", "CREATE", {{"<invoiceIssueDate>2024-05-02", 1, "<invoiceIssueDate>2025-06-16"}},
     "ERROR", {"INVOICE_ISSUE_DATE_LATE"}},
    /* Annex I 310 (WARN): issued more than 5 days ahead */
    {"normal.xml", "CREATE", {{"<invoiceIssueDate>2024-05-02", 1, "<invoiceIssueDate>2025-06-15"}},
     "WARN", {"INCORRECT_DATE_INVOICE_ISSUE_DATE_LATE"}},
    {"normal.xml", "CREATE", {{"<invoiceIssueDate>2024-05-02", 1, "<invoiceIssueDate>2024-06-21"}},
     "WARN", {"INCORRECT_DATE_INVOICE_ISSUE_DATE_LATE"}},
    {"normal.xml", "CREATE", {{"<invoiceIssueDate>2024-05-02", 1, "<invoiceIssueDate>2024-06-20"}},
     NULL, {NULL}},
    /* Annex I 10 (WARN): seller and customer share the tax number */
    {"normal.xml", "CREATE", {{"<base:taxpayerId>12345676<", 1, "<base:taxpayerId>99999999<"}},
     "WARN", {"SUPPLIER_CUSTOMER_MATCH_TAXPAYER"}},
};
#define NRULES ((int)(sizeof k_rules / sizeof k_rules[0]))

START_TEST(rule_case_result)
{
    const rule_case *rc = &k_rules[_i];
    sim_server *s = st_start(k_config);
    char *xml = st_fixture(rc->fixture), *body;
    int k;

    if (!strcmp(rc->fixture, "modify.xml")) {
        char *base = st_fixture("normal.xml");
        st_seed(s, base);
        free(base);
    }
    for (k = 0; k < 3 && rc->e[k].from; k++)
        xml = st_edit(xml, rc->e[k].from, rc->e[k].nth, rc->e[k].to);
    body = st_run(s, &st_seller, rc->op, xml);
    if (!rc->level) {
        st_assert_clean(body, "negative case");
    } else {
        st_assert_status(body, strcmp(rc->level, "ERROR") ? "DONE" : "ABORTED");
        for (k = 0; k < 3 && rc->codes[k]; k++)
            ck_assert_msg(st_has_message(body, strlen(body), rc->level, rc->codes[k]) == 1,
                          "case %d: no %s %s in %s", _i, rc->level, rc->codes[k], body);
        /* nothing else is wrong with the fixture */
        ck_assert_msg(st_has_message(body, strlen(body), NULL, NULL) == k,
                      "case %d: extra messages: %s", _i, body);
    }
    ck_assert_int_eq(sim_selfcheck_failures(s), 0);
    free(body);
    free(xml);
    sim_free(s);
}
END_TEST

START_TEST(fixtures_clean)
{
    sim_server *s = st_start(k_config);
    const char *const names[] = {"normal.xml", "simplified.xml", "modify.xml"};
    size_t i;
    for (i = 0; i < 3; i++) {
        char *xml = st_fixture(names[i]), *body;
        body = st_run(s, &st_seller, i == 2 ? "MODIFY" : "CREATE", xml);
        st_assert_clean(body, names[i]);
        free(body);
        free(xml);
    }
    sim_free(s);
}
END_TEST

/* #23: the documents of a batch modification have one customer. */
static char *batch_of(const char *cust1, const char *cust2)
{
    char *m = st_fixture("modify.xml"), *a, *b, *out;
    const char *s1 = strstr(m, "<invoice>"), *e1 = strstr(m, "</invoice>");
    char part[2][8192];
    const char *cust[2] = {cust1, cust2};
    size_t n;
    int k;
    ck_assert(s1 && e1 && (size_t)(e1 - s1) < 6000);
    for (k = 0; k < 2; k++) {
        char *p = malloc((size_t)(e1 - s1) + 32);
        char info[700];
        snprintf(p, (size_t)(e1 - s1) + 32, "%.*s</invoice>", (int)(e1 - s1), s1);
        snprintf(info, sizeof info,
                 "</supplierInfo><customerInfo><customerVatStatus>DOMESTIC</customerVatStatus>"
                 "<customerVatData><customerTaxNumber><base:taxpayerId>%s</base:taxpayerId>"
                 "</customerTaxNumber></customerVatData><customerName>Vevő %d</customerName>"
                 "<customerAddress><base:simpleAddress><base:countryCode>HU</base:countryCode>"
                 "<base:postalCode>2000</base:postalCode><base:city>Szentendre</base:city>"
                 "<base:additionalAddressDetail>Minta köz %d.</base:additionalAddressDetail>"
                 "</base:simpleAddress></customerAddress></customerInfo>",
                 cust[k], k + 1, k + 1);
        p = st_edit(p, "</supplierInfo>", 1, info);
        if (k == 1) {
            p = st_edit(p, "<modificationIndex>1<", 1, "<modificationIndex>2<");
            p = st_edit(p, "<lineNumberReference>3<", 1, "<lineNumberReference>4<");
        }
        snprintf(part[k], sizeof part[k],
                 "<batchInvoice><batchIndex>%d</batchIndex>%s</batchInvoice>", k + 1, p);
        free(p);
    }
    a = strstr(m, "<invoiceMain>") + strlen("<invoiceMain>");
    b = strstr(m, "</invoiceMain>");
    n = (size_t)(a - m) + strlen(part[0]) + strlen(part[1]) + strlen(b) + 1;
    out = malloc(n);
    ck_assert_ptr_nonnull(out);
    snprintf(out, n, "%.*s%s%s%s", (int)(a - m), m, part[0], part[1], b);
    free(m);
    return out;
}

START_TEST(batch_customer_not_identical)
{
    sim_server *s = st_start(k_config);
    char *base = st_fixture("normal.xml"), *xml, *body;
    st_seed(s, base);
    free(base);
    xml = batch_of("12345676", "87654320");
    body = st_run(s, &st_seller, "MODIFY", xml);
    st_assert_status(body, "ABORTED");
    ck_assert_msg(st_has_message(body, strlen(body), "ERROR", "CUSTOMER_NOT_IDENTICAL") >= 1, "%s",
                  body);
    free(body);
    free(xml);
    xml = batch_of("12345676", "12345676");
    body = st_run(s, &st_seller, "MODIFY", xml);
    st_assert_clean(body, "batch with one customer");
    free(body);
    free(xml);
    sim_free(s);
}
END_TEST

/* Every NAV data sample, alone in a fresh ledger as its own supplier and
 * after its base invoices, draws no message at all - except
 * Teteladatok_modositasa.xml (lineOperation MODIFY, PROTOCOL.md 10). */
static const char *const k_nav_samples[] = {
    "Belfoldi_devizas_szamla.xml", "Belfoldi_devizas_vegszamla_tobb_eloleg_tetel.xml",
    "Belfoldi_egyszerusitett_szamla.xml", "Belfoldi_elolegszamla.xml",
    "Belfoldi_elolegszamla_egysegar_nelkul.xml", "Belfoldi_ertekesites_tobb_AFA_tipus.xml",
    "Belfoldi_termekertekesites.xml", "Belfoldi_termekertekesites_AFA_csoportok_kozott.xml",
    "Belfoldi_termekertekesites_maganszemelynek.xml",
    "Belfoldi_termekertekesites_tetelbol_adott_engedmennyel.xml", "Belfoldi_vegszamla.xml",
    "Eredeti_szamla_modositasokhoz.xml", "Gyujtoszamla_1.xml", "Gyujtoszamla_2.xml",
    "Harmadik_orszagbeli_devizas_szamla.xml", "Modositas_es_ervenytelenites_1.xml",
    "Modositas_es_ervenytelenites_2.xml", "Tagorszagi_devizas_szamla.xml",
    "Termekdijas_szamla.xml", "Teteladatok_modositasa.xml", "Teves_termek_helyesbitese.xml",
    "Teves_termek_helyesbitese_20.xml", "Teves_termek_helyesbitese_21.xml",
    "Tobb_szamla_modositasa_egy_okirattal.xml", "Tobb_szamla_modositasa_egy_okirattal_alap_1.xml",
    "Tobb_szamla_modositasa_egy_okirattal_alap_2.xml",
    "Tobb_szamla_modositasa_egy_okirattal_alap_3.xml", "Tobbszoros_modositas_1.xml",
    "Tobbszoros_modositas_2.xml", "Uj_kozlekedesi_eszkoz_export.xml",
};
#define NNAV ((int)(sizeof k_nav_samples / sizeof k_nav_samples[0]))

static char *nav_sample(const char *name)
{
    char rel[160];
    snprintf(rel, sizeof rel, "samples/data/%s", name);
    return nt_read_nav(rel, NULL);
}

START_TEST(nav_sample_clean)
{
    static const char *cfg = "[settings]\nselfCheck = true\n"
                             "[user]\nlogin = simuser01\npassword = Teszt-Jelszo-01\n"
                             "taxNumber = 99999999\nsignKey = ce-8f5e-215119fa7dd621DLMRHRLH2S\n"
                             "exchangeKey = 9febIBBQRLZ348IB\n"
                             "[user]\nlogin = groupuser01\npassword = Csoport-Jelszo-02\n"
                             "taxNumber = 98765432\nsignKey = ac-ac3a-7f661bff7d342N43CYX4U9FG\n"
                             "exchangeKey = f424XKR57N62W5NJ\n";
    const char *name = k_nav_samples[_i];
    sim_server *s = st_start(cfg);
    char *xml = nav_sample(name), *body;
    const char *op = strstr(xml, "<invoiceReference>") ? "MODIFY" : "CREATE";
    const st_user *u = strstr(xml, "<base:taxpayerId>98765432<") ? &k_group : &st_seller;

    if (strstr(xml, "<originalInvoiceNumber>ZZZ000001<")) {
        char *b = nav_sample("Eredeti_szamla_modositasokhoz.xml");
        st_seed(s, b);
        free(b);
    }
    if (strstr(xml, "<batchInvoice>")) {
        int k;
        for (k = 1; k <= 3; k++) {
            char n[80], *b;
            snprintf(n, sizeof n, "Tobb_szamla_modositasa_egy_okirattal_alap_%d.xml", k);
            b = nav_sample(n);
            st_seed(s, b);
            free(b);
        }
    }
    body = st_run(s, u, op, xml);
    if (!strcmp(name, "Teteladatok_modositasa.xml")) {
        st_assert_status(body, "ABORTED");
        ck_assert_int_eq(st_has_message(body, strlen(body), "ERROR", "INVALID_LINE_OPERATION"), 1);
        ck_assert_int_eq(st_has_message(body, strlen(body), NULL, NULL), 1);
    } else {
        st_assert_clean(body, name);
    }
    free(body);
    free(xml);
    sim_free(s);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("sim-rules");
    TCase *tc = tcase_create("rules");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, fixtures_clean);
    tcase_add_loop_test(tc, rule_case_result, 0, NRULES);
    tcase_add_test(tc, batch_customer_not_identical);
    tcase_add_loop_test(tc, nav_sample_clean, 0, NNAV);
    suite_add_tcase(su, tc);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    return nt_run(su);
}
