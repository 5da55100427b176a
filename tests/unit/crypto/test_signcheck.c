/*
 * test_signcheck.c - navoi_sign_check(): every official sample verifies;
 * altering any signed field is caught; the report names the cause for the
 * usual mistakes; documents that are not NAV requests are refused; the
 * signing key never appears in a report.
 *
 * Expected signatures for the mistake cases were computed with Python
 * hashlib.sha3_512 (or sha512) over the stated input, never by navoi:
 *   H = lambda s: hashlib.sha3_512(s.encode()).hexdigest().upper()
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "navoi/navoi.h"
#include "testutil.h"

#define SAMPLE_KEY "ac-ac3a-7f661bff7d342N43CYX4U9FG"
#define SPEC_KEY "ce-8f5e-215119fa7dd621DLMRHRLH2S"

/* ---- helpers ---------------------------------------------------------- */

static char *sample(const char *name)
{
    char rel[256];

    snprintf(rel, sizeof rel, "samples/api/%s", name);
    return nt_read_nav(rel, NULL);
}

/* Replaces the first occurrence of from (which must exist) with to. */
static char *replace(const char *s, const char *from, const char *to)
{
    const char *p = strstr(s, from);
    size_t a, fl = strlen(from), tl = strlen(to), sl = strlen(s);
    char *r;

    ck_assert_msg(p != NULL, "'%.40s' not in document", from);
    a = (size_t)(p - s);
    r = malloc(sl - fl + tl + 1);
    ck_assert_ptr_nonnull(r);
    memcpy(r, s, a);
    memcpy(r + a, to, tl);
    memcpy(r + a + tl, p + fl, sl - a - fl + 1);
    return r;
}

/* Replaces the requestSignature value of a document. */
static char *with_signature(const char *xml, const char *sig)
{
    const char *open = "cryptoType=\"SHA3-512\">";
    const char *p = strstr(xml, "<common:requestSignature");
    char old[129];

    ck_assert_ptr_nonnull(p);
    p = strstr(p, open);
    ck_assert_ptr_nonnull(p);
    memcpy(old, p + strlen(open), 128);
    old[128] = '\0';
    return replace(xml, old, sig);
}

/* Runs the check; asserts the code, that the report exists, and that it
 * never contains a signing key. Returns the report (free with navoi_free). */
static char *run(const char *xml, const char *key, int want)
{
    char *rep = NULL;
    int rc = navoi_sign_check(xml, strlen(xml), key, &rep);

    ck_assert_ptr_nonnull(rep);
    ck_assert_msg(rc == want, "rc %d, want %d; report:\n%s", rc, want, rep);
    ck_assert_msg(strstr(rep, SAMPLE_KEY) == NULL, "key in report:\n%s", rep);
    ck_assert_msg(strstr(rep, SPEC_KEY) == NULL, "key in report:\n%s", rep);
    if (key && strlen(key) >= 8)
        ck_assert_msg(strstr(rep, key) == NULL, "key in report:\n%s", rep);
    return rep;
}

static void expect_in(const char *rep, const char *what)
{
    ck_assert_msg(strstr(rep, what) != NULL, "'%s' not in report:\n%s", what, rep);
}

static void expect_not_in(const char *rep, const char *what)
{
    ck_assert_msg(strstr(rep, what) == NULL, "'%s' in report:\n%s", what, rep);
}

/* The spec's worked example (PROTOCOL.md 3.3) as a manageInvoice request,
 * with each item given as index, operation, data text. */
static char *spec_request(const char *sig, const char *crypto, const char *idx1,
                          const char *op1, const char *data1, const char *idx2,
                          const char *op2, const char *data2)
{
    static const char fmt[] =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<ManageInvoiceRequest xmlns:common=\"http://schemas.nav.gov.hu/NTCA/1.0/common\" "
        "xmlns=\"http://schemas.nav.gov.hu/OSA/3.0/api\">\n"
        " <common:header><common:requestId>TSTKFT1222564</common:requestId>"
        "<common:timestamp>2017-12-30T18:25:45.000Z</common:timestamp>"
        "<common:requestVersion>3.0</common:requestVersion>"
        "<common:headerVersion>1.0</common:headerVersion></common:header>\n"
        " <common:user><common:login>testlogin1</common:login>"
        "<common:requestSignature cryptoType=\"%s\">%s</common:requestSignature>"
        "</common:user>\n"
        " <exchangeToken>b1aca173-d9e8-4561-9237-0511eed99eaa2P0ZHLXBRI2U</exchangeToken>\n"
        " <invoiceOperations><compressedContent>false</compressedContent>\n"
        "  <invoiceOperation><index>%s</index><invoiceOperation>%s</invoiceOperation>"
        "<invoiceData>%s</invoiceData></invoiceOperation>\n"
        "  <invoiceOperation><index>%s</index><invoiceOperation>%s</invoiceOperation>"
        "<invoiceData>%s</invoiceData></invoiceOperation>\n"
        " </invoiceOperations>\n"
        "</ManageInvoiceRequest>\n";
    size_t n = sizeof fmt + strlen(sig) + strlen(crypto) + strlen(data1) + strlen(data2) + 64;
    char *r = malloc(n);

    ck_assert_ptr_nonnull(r);
    snprintf(r, n, fmt, crypto, sig, idx1, op1, data1, idx2, op2, data2);
    return r;
}

/* vectors.json spec-1.5.1-worked-example expected signature. */
#define SPEC_SIG                                                                   \
    "60BC80609EE3B8F42FE904200A49A1921A1DADA08D55319ACD40C59F626514B74EEA49011D37" \
    "2600A10DBCF8199D590DA9C2841D987308F2D83DAE17C2470C42"

/* ---- samples ---------------------------------------------------------- */

START_TEST(test_every_sample_ok)
{
    char *dir = nt_nav_path("samples/api");
    DIR *d = opendir(dir);
    struct dirent *de;
    int count = 0;

    ck_assert_ptr_nonnull(d);
    while ((de = readdir(d)) != NULL) {
        size_t l = strlen(de->d_name);
        char *xml, *rep;

        if (l <= 4 || strcmp(de->d_name + l - 4, ".xml") != 0)
            continue;
        xml = sample(de->d_name);
        rep = run(xml, SAMPLE_KEY, NAVOI_OK);
        expect_in(rep, "result: MATCH");
        expect_in(rep, "signing key: 32 characters (not shown)");
        expect_in(rep, "timestamp mask: ");
        expect_not_in(rep, "diagnosis");
        /* Without a report the answer is the same. */
        ck_assert_int_eq(navoi_sign_check(xml, strlen(xml), SAMPLE_KEY, NULL), NAVOI_OK);
        navoi_free(rep);
        free(xml);
        count++;
    }
    closedir(d);
    free(dir);
    ck_assert_int_eq(count, 11);
}
END_TEST

START_TEST(test_report_lists_inputs)
{
    char *xml = sample("manageInvoice.xml");
    char *rep = run(xml, SAMPLE_KEY, NAVOI_OK);

    expect_in(rep, "operation: manageInvoice");
    expect_in(rep, "requestId: RID181837288942");
    expect_in(rep, "timestamp: 2020-09-11T12:44:55.442Z");
    expect_in(rep, "timestamp mask: 20200911124455");
    expect_in(rep, "items: 3");
    /* Index hashes as given in vectors.json / the sample comments. */
    expect_in(rep, "index 2: CREATE, 27672 base64 characters");
    expect_in(rep, "94F8A2941BCCF88AA3EF6AC323D74146C1C4B243C181CDE373F1937753AE5F93"
                   "61B23C5F41470D9444D5606DBA86241361F69C5DF3AF60A3C2CAF7ADD30E8C11");
    expect_in(rep, "index hash comments: 3 found, 0 differ from the recomputed");
    expect_in(rep, "expected signature: A111DD79CAE8E76EAD02E4E7C2D0C866");
    expect_in(rep, "computed signature: A111DD79CAE8E76EAD02E4E7C2D0C866");
    navoi_free(rep);
    free(xml);
}
END_TEST

/* ---- altered signed fields ---------------------------------------------- */

START_TEST(test_altered_request_id)
{
    char *xml = sample("queryTaxpayer.xml");
    char *bad = replace(xml, "RID215118906689", "RID215118906680");
    char *rep = run(bad, SAMPLE_KEY, NAVOI_ESIGNATURE);

    expect_in(rep, "result: MISMATCH");
    expect_in(rep, "signing key or a signed field differs");
    expect_in(rep, "requestId, timestamp");
    /* The sample's signKey comment equals the key given: the key is fine. */
    expect_in(rep, "the signing key given equals the signKey comment");
    navoi_free(rep);
    free(bad);
    free(xml);
}
END_TEST

START_TEST(test_altered_timestamp)
{
    char *xml = sample("queryTaxpayer.xml");
    char *bad = replace(xml, "2019-09-11T11:11:08.579Z", "2019-09-11T11:11:09.579Z");
    char *ms = replace(xml, "2019-09-11T11:11:08.579Z", "2019-09-11T11:11:08.999Z");
    char *rep = run(bad, SAMPLE_KEY, NAVOI_ESIGNATURE);

    expect_in(rep, "signing key or a signed field differs");
    navoi_free(rep);
    /* Milliseconds are not signed: changing them changes nothing. */
    rep = run(ms, SAMPLE_KEY, NAVOI_OK);
    navoi_free(rep);
    free(ms);
    free(bad);
    free(xml);
}
END_TEST

START_TEST(test_altered_base64_char_invoice)
{
    char *xml = sample("manageInvoice.xml");
    /* The 2nd item's invoiceData starts like the others; change a character
     * deep inside it: find the second <invoiceData> and flip its 1000th. */
    char *bad = strdup(xml), *p, *rep;

    ck_assert_ptr_nonnull(bad);
    p = strstr(bad, "<invoiceData>");
    p = strstr(p + 1, "<invoiceData>");
    ck_assert_ptr_nonnull(p);
    p += strlen("<invoiceData>") + 1000;
    *p = *p == 'A' ? 'B' : 'A';
    rep = run(bad, SAMPLE_KEY, NAVOI_ESIGNATURE);
    expect_in(rep, "index 2: the secondIndexHash comment in the request differs");
    expect_not_in(rep, "index 1: the first");
    expect_not_in(rep, "index 3: the third");
    expect_in(rep, "index hash comments: 3 found, 1 differ from the recomputed");
    expect_in(rep, "an item was changed after signing");
    expect_not_in(rep, "signing key or a signed field differs");
    navoi_free(rep);
    free(bad);
    free(xml);
}
END_TEST

START_TEST(test_altered_base64_char_annulment)
{
    char *xml = sample("manageAnnulment.xml");
    char *bad = strdup(xml), *p, *rep;

    ck_assert_ptr_nonnull(bad);
    p = strstr(bad, "<invoiceAnnulment>");
    ck_assert_ptr_nonnull(p);
    p += strlen("<invoiceAnnulment>") + 20;
    *p = *p == 'A' ? 'B' : 'A';
    rep = run(bad, SAMPLE_KEY, NAVOI_ESIGNATURE);
    expect_in(rep, "operation: manageAnnulment");
    expect_in(rep, "index 1: the firstIndexHash comment in the request differs");
    navoi_free(rep);
    free(bad);
    free(xml);
}
END_TEST

START_TEST(test_swapped_operation)
{
    char *xml = sample("manageInvoice.xml");
    char *bad = replace(xml, "<invoiceOperation>CREATE</invoiceOperation>",
                        "<invoiceOperation>MODIFY</invoiceOperation>");
    char *rep = run(bad, SAMPLE_KEY, NAVOI_ESIGNATURE);

    expect_in(rep, "index 1 was signed with invoiceOperation CREATE but the request says "
                   "MODIFY");
    expect_in(rep, "index 1: the firstIndexHash comment");
    navoi_free(rep);
    free(bad);
    free(xml);
}
END_TEST

START_TEST(test_wrong_key)
{
    char *xml = sample("queryInvoiceData.xml");
    const char *wrong = "ac-ac3a-7f661bff7d342N43CYX4U9FH";
    char *rep = run(xml, wrong, NAVOI_ESIGNATURE);
    char *nocomment;

    /* The sample documents its key in a comment: the report says the key
     * given is not that one, without printing either. */
    expect_in(rep, "matches the signKey given in the request's XML comment");
    navoi_free(rep);
    /* Without the comment nothing more specific can be said. */
    nocomment = replace(xml, "<!--<signKey>" SAMPLE_KEY "</signKey>-->", "");
    rep = run(nocomment, wrong, NAVOI_ESIGNATURE);
    expect_in(rep, "signing key or a signed field differs");
    navoi_free(rep);
    free(nocomment);
    free(xml);
}
END_TEST

/* ---- named causes ------------------------------------------------------- */

START_TEST(test_cause_millisecond_mask)
{
    /* H("RID215118906689" + "20190911111108579" + SAMPLE_KEY) */
    char *xml = sample("queryTaxpayer.xml");
    char *bad = with_signature(xml, "8096A6A4BFB9F23F45E8CDD6FEA80E2515E9A706722D0E5F97373E3A0"
                                    "4BC27606247A169B01287D63BF68F9153204FAB0FBC304BD3F061B615"
                                    "098997EED943AF");
    char *rep = run(bad, SAMPLE_KEY, NAVOI_ESIGNATURE);

    expect_in(rep, "the timestamp mask was built with the milliseconds (20190911111108579");
    expect_not_in(rep, "signing key or a signed field differs");
    navoi_free(rep);
    free(bad);
    free(xml);
}
END_TEST

START_TEST(test_cause_whitespace_key_given)
{
    char *xml = sample("queryTransactionStatus.xml");
    char *rep = run(xml, SAMPLE_KEY "\n", NAVOI_ESIGNATURE);

    expect_in(rep, "signing key: 33 characters");
    expect_in(rep, "the signing key given has leading/trailing whitespace (33 characters); the "
                   "request was signed with the trimmed key (32 characters)");
    navoi_free(rep);
    rep = run(xml, "  " SAMPLE_KEY, NAVOI_ESIGNATURE);
    expect_in(rep, "leading/trailing whitespace");
    navoi_free(rep);
    free(xml);
}
END_TEST

START_TEST(test_cause_request_signed_with_line_feed)
{
    /* H("RID215118906689" + "20190911111108" + SAMPLE_KEY + "\n") */
    char *xml = sample("queryTaxpayer.xml");
    char *bad = with_signature(xml, "CF15064962D7015DFE39B14E5A3BAAC54CB99BAA0891986B40F9625C4"
                                    "923E573D35E07E27552C226C19A21540338EBA9BBD89624EEC84CCE67"
                                    "58F5CBCC98CA4B");
    char *rep = run(bad, SAMPLE_KEY, NAVOI_ESIGNATURE);

    expect_in(rep, "signed with the signing key followed by a trailing line feed");
    navoi_free(rep);
    free(bad);
    free(xml);
}
END_TEST

START_TEST(test_cause_sha512)
{
    /* hashlib.sha512(("RID215118906689" + "20190911111108" + SAMPLE_KEY).encode()) */
    char *xml = sample("queryTaxpayer.xml");
    char *bad = with_signature(xml, "0AF9815B143104E4684965BC3F5B179516716749A8431DFC3A561CDDE"
                                    "947C516E0F28890AC4068C57610D45A88446DECEFC425D22EB4FCC56C"
                                    "40B99940439D07");
    char *rep = run(bad, SAMPLE_KEY, NAVOI_ESIGNATURE);

    expect_in(rep, "signed with SHA-512");
    navoi_free(rep);
    free(bad);
    free(xml);
}
END_TEST

START_TEST(test_cause_lower_case_and_crypto_type)
{
    char *xml = sample("tokenExchange.xml");
    const char *sig = "B4B5E0F197BFFD3DF69BCC98D3BE775F65FD5445EEF95C9D6B6C59425F2B81C4"
                      "F6DA1FD563B0C7E7D98AF1E1725E5C63C2803B5D3A93D1C02ED354AC92F2CC94";
    char lower[129], *bad, *ct, *rep;
    size_t i;

    for (i = 0; i < 128; i++)
        lower[i] = sig[i] >= 'A' && sig[i] <= 'F' ? (char)(sig[i] + 32) : sig[i];
    lower[128] = '\0';
    bad = replace(xml, sig, lower);
    rep = run(bad, SAMPLE_KEY, NAVOI_ESIGNATURE);
    expect_in(rep, "lower-case hex");
    navoi_free(rep);
    ct = replace(xml, "<common:requestSignature cryptoType=\"SHA3-512\">",
                 "<common:requestSignature cryptoType=\"SHA-512\">");
    rep = run(ct, SAMPLE_KEY, NAVOI_ESIGNATURE);
    expect_in(rep, "the signature value is right but the cryptoType attribute is SHA-512");
    expect_not_in(rep, "signing key or a signed field differs");
    navoi_free(rep);
    free(ct);
    /* Wrong attribute and a wrong value: both are reported. */
    ct = replace(bad, "<common:requestSignature cryptoType=\"SHA3-512\">",
                 "<common:requestSignature>");
    free(bad);
    bad = replace(ct, "RID896801578348", "RID896801578349");
    rep = run(bad, SAMPLE_KEY, NAVOI_ESIGNATURE);
    expect_in(rep, "cryptoType: (missing)");
    expect_in(rep, "the cryptoType attribute is (missing) instead of SHA3-512");
    expect_in(rep, "signing key or a signed field differs");
    navoi_free(rep);
    free(ct);
    free(bad);
    free(xml);
}
END_TEST

START_TEST(test_cause_document_order)
{
    /* Items in the document as index 2, index 1. Signed over
     * H(partial + H("MODIFY" + d2) + H("CREATE" + d1)) (document order). */
    char *doc = spec_request("BAB47C151207E585874547FBF456ECD41EA39FB2B0A55FF34DC0F0BE6E9C8CA"
                             "F14DF0259196E5E1DB48C3089F3BFF13DB04DBE341A0F3F6EE9354F40D9405"
                             "495",
                             "SHA3-512", "2", "MODIFY", "RGNiYTQzMjE=", "1", "CREATE",
                             "QWJjZDEyMzQ=");
    char *idx = spec_request(SPEC_SIG, "SHA3-512", "2", "MODIFY", "RGNiYTQzMjE=", "1", "CREATE",
                             "QWJjZDEyMzQ=");
    char *rep = run(doc, SPEC_KEY, NAVOI_ESIGNATURE);

    expect_in(rep, "concatenated in document order");
    expect_in(rep, "INDEX_NOT_SEQUENTIAL");
    navoi_free(rep);
    /* Signed in index order: the signature is right (NAV would still
     * refuse the order, which the report warns about). */
    rep = run(idx, SPEC_KEY, NAVOI_OK);
    expect_in(rep, "INDEX_NOT_SEQUENTIAL");
    navoi_free(rep);
    free(idx);
    free(doc);
}
END_TEST

START_TEST(test_cause_untrimmed_base64)
{
    /* Signed over H("CREATE" + "\n  QWJjZDEyMzQ=\n") for index 1. */
    char *doc = spec_request("64489E69BACE806925B825054F0F41E7DB93226FA82B0F4B3C73BEEDA8138B2"
                             "B2D48302F6077A18C4D225F4AA3F1BC6D47E5001448FD4E9BD90C3D88A0BFB8"
                             "0B",
                             "SHA3-512", "1", "CREATE", "\n  QWJjZDEyMzQ=\n", "2", "MODIFY",
                             "RGNiYTQzMjE=");
    char *ok = spec_request(SPEC_SIG, "SHA3-512", "1", "CREATE", "\n  QWJjZDEyMzQ=\n", "2",
                            "MODIFY", "RGNiYTQzMjE=");
    char *rep = run(doc, SPEC_KEY, NAVOI_ESIGNATURE);

    expect_in(rep, "hashed with its surrounding whitespace");
    navoi_free(rep);
    /* The trimmed text is what counts. */
    rep = run(ok, SPEC_KEY, NAVOI_OK);
    expect_not_in(rep, "INDEX_NOT_SEQUENTIAL");
    navoi_free(rep);
    free(ok);
    free(doc);
}
END_TEST

START_TEST(test_cause_no_index_hashes_and_clock)
{
    /* vectors.json own-header-only-of-spec-example: H(partial) alone. */
    char *simple = spec_request("0493F2F0247A2DF076775631FFDFA8B6D39D051F4928D26426CD29895EED"
                                "B24960A23E4C6443A54806EA8B0E126A7B97940169FEADE6EE42FC99E3BE"
                                "6F74AB04",
                                "SHA3-512", "1", "CREATE", "QWJjZDEyMzQ=", "2", "MODIFY",
                                "RGNiYTQzMjE=");
    /* Mask 20171230192545 (one hour ahead of the header timestamp). */
    char *local = spec_request("4EC85C99818B1FBFDAD7CEA44BFD7A01B690776CE687F78761BA60152392"
                               "27A3E638BAF4EE4880150596B10848621746206C448DA50D36B69BCBDBDB"
                               "27631B48",
                               "SHA3-512", "1", "CREATE", "QWJjZDEyMzQ=", "2", "MODIFY",
                               "RGNiYTQzMjE=");
    /* The raw timestamp "2017-12-30T18:25:45.000Z" instead of the mask. */
    char *raw = spec_request("257D21DC2179076BBAF793EAFD3B65B09F72A09CF76D01831062C80F8D3ED9"
                             "E477591C8D6A682089CAC0E1CF3CC2B64B791A6AD90672F046423F959857EB"
                             "9DDB",
                             "SHA3-512", "1", "CREATE", "QWJjZDEyMzQ=", "2", "MODIFY",
                             "RGNiYTQzMjE=");
    char *good = spec_request(SPEC_SIG, "SHA3-512", "1", "CREATE", "QWJjZDEyMzQ=", "2",
                              "MODIFY", "RGNiYTQzMjE=");
    char *rep;

    rep = run(simple, SPEC_KEY, NAVOI_ESIGNATURE);
    expect_in(rep, "signed without the index hashes");
    navoi_free(rep);
    rep = run(local, SPEC_KEY, NAVOI_ESIGNATURE);
    expect_in(rep, "different clock value (20171230192545, +1 h");
    navoi_free(rep);
    rep = run(raw, SPEC_KEY, NAVOI_ESIGNATURE);
    expect_in(rep, "the timestamp was signed as sent");
    navoi_free(rep);
    rep = run(good, SPEC_KEY, NAVOI_OK);
    expect_in(rep, "result: MATCH");
    navoi_free(rep);
    free(good);
    free(raw);
    free(local);
    free(simple);
}
END_TEST

/* ---- not a NAV request -------------------------------------------------- */

START_TEST(test_not_a_request)
{
    char *xml = sample("queryTaxpayer.xml"), *rep = NULL, *bad;
    static const char *const junk[] = {
        "",
        "not xml",
        "<QueryTaxpayerRequest/>",
        "<a xmlns=\"http://schemas.nav.gov.hu/OSA/3.0/api\"/>",
        "<QueryTaxpayerResponse xmlns=\"http://schemas.nav.gov.hu/OSA/3.0/api\"/>",
        "<!DOCTYPE x [<!ENTITY a \"b\">]><QueryTaxpayerRequest "
        "xmlns=\"http://schemas.nav.gov.hu/OSA/3.0/api\"/>",
        "<QueryTaxpayerRequest xmlns=\"http://schemas.nav.gov.hu/OSA/3.0/api\"/>",
    };
    size_t i;

    for (i = 0; i < sizeof junk / sizeof junk[0]; i++) {
        ck_assert_msg(navoi_sign_check(junk[i], strlen(junk[i]), SAMPLE_KEY, &rep) == NAVOI_EXML,
                      "accepted %s", junk[i]);
        ck_assert_ptr_nonnull(rep);
        expect_in(rep, "error: ");
        navoi_free(rep);
        rep = NULL;
    }
    /* Root in the wrong namespace. */
    bad = replace(xml, "xmlns=\"http://schemas.nav.gov.hu/OSA/3.0/api\"",
                  "xmlns=\"http://schemas.nav.gov.hu/OSA/2.0/api\"");
    rep = run(bad, SAMPLE_KEY, NAVOI_EXML);
    navoi_free(rep);
    free(bad);
    /* No requestSignature. */
    bad = replace(xml, "common:requestSignature cryptoType", "common:requestSignatur cryptoType");
    {
        char *bad2 = replace(bad, "</common:requestSignature>", "</common:requestSignatur>");
        rep = run(bad2, SAMPLE_KEY, NAVOI_EXML);
        expect_in(rep, "requestSignature is missing");
        navoi_free(rep);
        free(bad2);
    }
    free(bad);
    /* A timestamp with an offset is not GenericTimestampType. */
    bad = replace(xml, "2019-09-11T11:11:08.579Z", "2019-09-11T12:11:08.579+01:00");
    rep = run(bad, SAMPLE_KEY, NAVOI_EXML);
    expect_in(rep, "does not match GenericTimestampType");
    navoi_free(rep);
    free(bad);
    free(xml);
    /* A manage request with a broken index. */
    bad = spec_request(SPEC_SIG, "SHA3-512", "1", "CREATE", "QWJjZDEyMzQ=", "x2", "MODIFY",
                       "RGNiYTQzMjE=");
    rep = run(bad, SPEC_KEY, NAVOI_EXML);
    expect_in(rep, "is not an integer 1..100");
    navoi_free(rep);
    free(bad);
    bad = spec_request(SPEC_SIG, "SHA3-512", "1", "CREATE", "QWJjZDEyMzQ=", "101", "MODIFY",
                       "RGNiYTQzMjE=");
    rep = run(bad, SPEC_KEY, NAVOI_EXML);
    navoi_free(rep);
    free(bad);
    /* Bad arguments. */
    ck_assert_int_eq(navoi_sign_check(NULL, 0, SAMPLE_KEY, &rep), NAVOI_EINVAL);
    ck_assert_ptr_null(rep);
    ck_assert_int_eq(navoi_sign_check("<a/>", 4, NULL, &rep), NAVOI_EINVAL);
    ck_assert_ptr_null(rep);
}
END_TEST

/* ---- allocation failures ------------------------------------------------ */

static long alloc_count, alloc_fail_at;

static void *failing_malloc(size_t n)
{
    return ++alloc_count == alloc_fail_at ? NULL : malloc(n);
}

static void *failing_realloc(void *p, size_t n)
{
    return ++alloc_count == alloc_fail_at ? NULL : realloc(p, n);
}

/* Fails the k-th navoi allocation for k = 1, 2, ... until a run completes:
 * every injected failure must surface as NAVOI_ENOMEM with no report (and,
 * under valgrind/ASan, no leak). Returns how many allocations a full run
 * makes. */
static long torture(const char *xml, const char *key, int final_rc)
{
    long k;

    ck_assert_int_eq(navoi_set_allocator(failing_malloc, failing_realloc, free), NAVOI_OK);
    for (k = 1;; k++) {
        char *rep = NULL;
        int rc;

        alloc_count = 0;
        alloc_fail_at = k;
        rc = navoi_sign_check(xml, strlen(xml), key, &rep);
        if (alloc_count < k) {
            /* No failure was injected: the run is complete. */
            ck_assert_int_eq(rc, final_rc);
            ck_assert_ptr_nonnull(rep);
            navoi_free(rep);
            break;
        }
        ck_assert_msg(rc == NAVOI_ENOMEM, "allocation %ld failed, rc %d", k, rc);
        ck_assert_ptr_null(rep);
    }
    alloc_fail_at = 0;
    return k - 1;
}

START_TEST(test_alloc_failures)
{
    char *xml = sample("manageInvoice.xml");
    char *bad = replace(xml, "<invoiceOperation>CREATE</invoiceOperation>",
                        "<invoiceOperation>STORNO</invoiceOperation>");
    char *q = sample("queryTaxpayer.xml");

    ck_assert_int_gt(torture(xml, SAMPLE_KEY, NAVOI_OK), 5);
    /* The mismatch path runs every diagnosis variant. */
    ck_assert_int_gt(torture(bad, SAMPLE_KEY, NAVOI_ESIGNATURE), 5);
    ck_assert_int_gt(torture(q, SAMPLE_KEY "\n", NAVOI_ESIGNATURE), 5);
    free(q);
    free(bad);
    free(xml);
}
END_TEST

static Suite *signcheck_suite(void)
{
    Suite *s = suite_create("signcheck");
    TCase *tc = tcase_create("core");

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_every_sample_ok);
    tcase_add_test(tc, test_report_lists_inputs);
    tcase_add_test(tc, test_altered_request_id);
    tcase_add_test(tc, test_altered_timestamp);
    tcase_add_test(tc, test_altered_base64_char_invoice);
    tcase_add_test(tc, test_altered_base64_char_annulment);
    tcase_add_test(tc, test_swapped_operation);
    tcase_add_test(tc, test_wrong_key);
    tcase_add_test(tc, test_cause_millisecond_mask);
    tcase_add_test(tc, test_cause_whitespace_key_given);
    tcase_add_test(tc, test_cause_request_signed_with_line_feed);
    tcase_add_test(tc, test_cause_sha512);
    tcase_add_test(tc, test_cause_lower_case_and_crypto_type);
    tcase_add_test(tc, test_cause_document_order);
    tcase_add_test(tc, test_cause_untrimmed_base64);
    tcase_add_test(tc, test_cause_no_index_hashes_and_clock);
    tcase_add_test(tc, test_not_a_request);
    tcase_add_test(tc, test_alloc_failures);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return nt_run(signcheck_suite());
}
