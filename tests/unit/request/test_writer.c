/* test_writer.c - the canonical XML writer: exact bytes, escaping, UTF-8
 * refusal, determinism, structural misuse and depth limit. Expected bytes
 * are written out by hand from the escaping rules in writer.h. */
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <libxml/parser.h>

#include "common/buf.h"
#include "navoi/navoi.h"
#include "testutil.h"
#include "xml/writer.h"

static void build_sample(navoi__buf *b)
{
    navoi__xw w;

    navoi__xw_init(&w, b);
    navoi__xw_declaration(&w);
    navoi__xw_open(&w, "r");
    navoi__xw_attr(&w, "xmlns", "urn:x");
    navoi__xw_attr(&w, "a", "1");
    navoi__xw_elem(&w, "p:x", "t");
    navoi__xw_elem(&w, "empty", "");
    navoi__xw_elem_i64(&w, "n", -9223372036854775807LL - 1);
    navoi__xw_elem_opt(&w, "absent", NULL);
    navoi__xw_elem_opt(&w, "present", "v");
    navoi__xw_close(&w);
    ck_assert_int_eq(navoi__xw_finish(&w), NAVOI_OK);
}

START_TEST(exact_bytes)
{
    navoi__buf b = NAVOI__BUF_INIT;
    const char *want = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                       "<r xmlns=\"urn:x\" a=\"1\"><p:x>t</p:x><empty></empty>"
                       "<n>-9223372036854775808</n><present>v</present></r>";

    build_sample(&b);
    ck_assert_str_eq(b.data, want);
    ck_assert_uint_eq(b.len, strlen(want));
    navoi__buf_free(&b);
}
END_TEST

START_TEST(deterministic)
{
    navoi__buf a = NAVOI__BUF_INIT, b = NAVOI__BUF_INIT;

    build_sample(&a);
    build_sample(&b);
    ck_assert_uint_eq(a.len, b.len);
    ck_assert_int_eq(memcmp(a.data, b.data, a.len), 0);
    navoi__buf_free(&a);
    navoi__buf_free(&b);
}
END_TEST

START_TEST(escaping_text_and_attr)
{
    navoi__buf b = NAVOI__BUF_INIT;
    navoi__xw w;
    const char *in = "a&b<c>d\"e'f\tg\nh\ri\x7F" "j\xC2\x85k";
    const char *esc = "a&amp;b&lt;c&gt;d&quot;e'f&#x9;g&#xA;h&#xD;i&#x7F;j&#x85;k";
    char want[512];

    navoi__xw_init(&w, &b);
    navoi__xw_open(&w, "r");
    navoi__xw_attr(&w, "v", in);
    navoi__xw_text(&w, in);
    navoi__xw_close(&w);
    ck_assert_int_eq(navoi__xw_finish(&w), NAVOI_OK);
    snprintf(want, sizeof want, "<r v=\"%s\">%s</r>", esc, esc);
    ck_assert_str_eq(b.data, want);
    navoi__buf_free(&b);
}
END_TEST

/* What the writer escaped, a parser must read back exactly: references
 * survive attribute normalisation and end-of-line handling. */
START_TEST(escaping_round_trip)
{
    navoi__buf b = NAVOI__BUF_INIT;
    navoi__xw w;
    const char *in = "x&<>\"'\t\n\r\x7F \xC3\xA1rv\xC3\xADzt\xC5\xB1r\xC5\x91 \xF0\x9F\x98\x80 ]]>";
    xmlDocPtr doc;
    xmlNodePtr root;
    xmlChar *attr, *text;

    navoi__xw_init(&w, &b);
    navoi__xw_declaration(&w);
    navoi__xw_open(&w, "r");
    navoi__xw_attr(&w, "v", in);
    navoi__xw_text(&w, in);
    navoi__xw_close(&w);
    ck_assert_int_eq(navoi__xw_finish(&w), NAVOI_OK);
    doc = xmlReadMemory(b.data, (int)b.len, NULL, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR);
    ck_assert_ptr_nonnull(doc);
    root = xmlDocGetRootElement(doc);
    attr = xmlGetProp(root, (const xmlChar *)"v");
    text = xmlNodeGetContent(root);
    ck_assert_str_eq((char *)attr, in);
    ck_assert_str_eq((char *)text, in);
    xmlFree(attr);
    xmlFree(text);
    xmlFreeDoc(doc);
    navoi__buf_free(&b);
}
END_TEST

static int text_status(const char *s, size_t len)
{
    navoi__buf b = NAVOI__BUF_INIT;
    navoi__xw w;
    size_t before;
    int rc;

    navoi__xw_init(&w, &b);
    navoi__xw_open(&w, "r");
    before = b.len;
    navoi__xw_textn(&w, s, len);
    rc = navoi__xw_status(&w);
    if (rc != NAVOI_OK) {
        /* A refused value leaves nothing behind (not even the '>' would
         * matter, but no byte of the value may be written). */
        ck_assert_uint_le(b.len, before + 1);
    }
    navoi__buf_free(&b);
    return rc;
}

START_TEST(invalid_utf8_refused)
{
    static const struct {
        const char *s;
        size_t len;
    } bad[] = {
        {"\xC3\x28", 2},         /* bad continuation */
        {"\xC0\xAF", 2},         /* overlong '/' */
        {"\xE0\x80\xAF", 3},     /* overlong */
        {"\xED\xA0\x80", 3},     /* surrogate U+D800 */
        {"\xF4\x90\x80\x80", 4}, /* above U+10FFFF */
        {"\xE2\x82", 2},         /* truncated */
        {"\x80", 1},             /* lone continuation */
        {"\xFF", 1},
        {"\xEF\xBF\xBE", 3},     /* U+FFFE: not an XML Char */
        {"a\x01" "b", 3},        /* C0 control: not an XML 1.0 Char */
        {"a\0b", 3},             /* NUL inside a counted string */
        {"\x1F", 1},
    };
    size_t i;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(text_status(bad[i].s, bad[i].len) == NAVOI_EINVAL, "case %zu accepted", i);
    ck_assert_int_eq(text_status("\xE2\x82\xAC \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF", 13), NAVOI_OK);
}
END_TEST

START_TEST(invalid_utf8_in_attribute)
{
    navoi__buf b = NAVOI__BUF_INIT;
    navoi__xw w;

    navoi__xw_init(&w, &b);
    navoi__xw_open(&w, "r");
    navoi__xw_attr(&w, "a", "\xC3");
    ck_assert_int_eq(navoi__xw_status(&w), NAVOI_EINVAL);
    navoi__buf_free(&b);
}
END_TEST

START_TEST(check_text_counts_characters)
{
    size_t n = 0;

    ck_assert_int_eq(navoi__xw_check_text("\xC3\xA1\xC3\xA9" "x\xF0\x9F\x98\x80", 9, &n), NAVOI_OK);
    ck_assert_uint_eq(n, 4);
    ck_assert_int_eq(navoi__xw_check_text("", 0, &n), NAVOI_OK);
    ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(sticky_error)
{
    navoi__buf b = NAVOI__BUF_INIT;
    navoi__xw w;
    size_t len;

    navoi__xw_init(&w, &b);
    navoi__xw_open(&w, "r");
    navoi__xw_text(&w, "\xFF");
    ck_assert_int_eq(navoi__xw_status(&w), NAVOI_EINVAL);
    len = b.len;
    navoi__xw_elem(&w, "x", "fine");
    navoi__xw_close(&w);
    ck_assert_uint_eq(b.len, len);
    ck_assert_int_eq(navoi__xw_status(&w), NAVOI_EINVAL);
    ck_assert_int_eq(navoi__xw_finish(&w), NAVOI_EINVAL);
    navoi__buf_free(&b);
}
END_TEST

START_TEST(depth_limit)
{
    navoi__buf b = NAVOI__BUF_INIT;
    navoi__xw w;
    int i;

    navoi__xw_init(&w, &b);
    for (i = 0; i < NAVOI__XW_MAX_DEPTH; i++)
        navoi__xw_open(&w, "d");
    ck_assert_int_eq(navoi__xw_status(&w), NAVOI_OK);
    navoi__xw_open(&w, "d");
    ck_assert_int_eq(navoi__xw_status(&w), NAVOI_EINVAL);
    navoi__buf_free(&b);

    /* Exactly at the limit a complete document is fine. */
    navoi__xw_init(&w, &b);
    for (i = 0; i < NAVOI__XW_MAX_DEPTH; i++)
        navoi__xw_open(&w, "d");
    for (i = 0; i < NAVOI__XW_MAX_DEPTH; i++)
        navoi__xw_close(&w);
    ck_assert_int_eq(navoi__xw_finish(&w), NAVOI_OK);
    navoi__buf_free(&b);
}
END_TEST

START_TEST(misuse)
{
    navoi__buf b = NAVOI__BUF_INIT;
    navoi__xw w;

    /* close without open */
    navoi__xw_init(&w, &b);
    navoi__xw_close(&w);
    ck_assert_int_eq(navoi__xw_status(&w), NAVOI_EINVAL);
    navoi__buf_reset(&b);

    /* attribute after content */
    navoi__xw_init(&w, &b);
    navoi__xw_open(&w, "r");
    navoi__xw_text(&w, "x");
    navoi__xw_attr(&w, "a", "b");
    ck_assert_int_eq(navoi__xw_status(&w), NAVOI_EINVAL);
    navoi__buf_reset(&b);

    /* text outside the root */
    navoi__xw_init(&w, &b);
    navoi__xw_text(&w, "x");
    ck_assert_int_eq(navoi__xw_status(&w), NAVOI_EINVAL);
    navoi__buf_reset(&b);

    /* second root, declaration after the root */
    navoi__xw_init(&w, &b);
    navoi__xw_elem(&w, "r", "");
    ck_assert_int_eq(navoi__xw_finish(&w), NAVOI_OK);
    navoi__xw_open(&w, "s");
    ck_assert_int_eq(navoi__xw_status(&w), NAVOI_EINVAL);
    navoi__buf_reset(&b);
    navoi__xw_init(&w, &b);
    navoi__xw_elem(&w, "r", "");
    navoi__xw_declaration(&w);
    ck_assert_int_eq(navoi__xw_status(&w), NAVOI_EINVAL);
    navoi__buf_reset(&b);

    /* bad names, NULL text */
    navoi__xw_init(&w, &b);
    navoi__xw_open(&w, "a b");
    ck_assert_int_eq(navoi__xw_status(&w), NAVOI_EINVAL);
    navoi__buf_reset(&b);
    navoi__xw_init(&w, &b);
    navoi__xw_open(&w, "r");
    navoi__xw_attr(&w, "x=\"1\" y", "v");
    ck_assert_int_eq(navoi__xw_status(&w), NAVOI_EINVAL);
    navoi__buf_reset(&b);
    navoi__xw_init(&w, &b);
    navoi__xw_open(&w, "r");
    navoi__xw_elem(&w, "x", NULL);
    ck_assert_int_eq(navoi__xw_status(&w), NAVOI_EINVAL);
    navoi__buf_reset(&b);

    /* unfinished document */
    navoi__xw_init(&w, &b);
    navoi__xw_open(&w, "r");
    ck_assert_int_eq(navoi__xw_status(&w), NAVOI_OK);
    ck_assert_int_eq(navoi__xw_finish(&w), NAVOI_EINVAL);
    navoi__buf_reset(&b);
    navoi__xw_init(&w, &b);
    ck_assert_int_eq(navoi__xw_finish(&w), NAVOI_EINVAL);
    navoi__buf_free(&b);
}
END_TEST

static Suite *writer_suite(void)
{
    Suite *s = suite_create("writer");
    TCase *tc = tcase_create("writer");

    tcase_add_test(tc, exact_bytes);
    tcase_add_test(tc, deterministic);
    tcase_add_test(tc, escaping_text_and_attr);
    tcase_add_test(tc, escaping_round_trip);
    tcase_add_test(tc, invalid_utf8_refused);
    tcase_add_test(tc, invalid_utf8_in_attribute);
    tcase_add_test(tc, check_text_counts_characters);
    tcase_add_test(tc, sticky_error);
    tcase_add_test(tc, depth_limit);
    tcase_add_test(tc, misuse);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    int rc = nt_run(writer_suite());
    xmlCleanupParser();
    return rc;
}
