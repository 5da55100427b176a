/*
 * test_sign.c - src/crypto/sign.c against NAV's published data: every
 * requestSignature entry of vectors.json (partial string, index hashes,
 * signature; long payloads loaded from the referenced sample and checked by
 * SHA-256 first) and all 11 official request samples, whose inputs are taken
 * from the sample text itself (signKey and index hashes from its comments).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "crypto/crypto.h"
#include "crypto/sign.h"
#include "navoi/navoi.h"
#include "testutil.h"

#define N_SAMPLES 11

/* ---- plain-text extraction (independent of navoi's XML code) ----------- */

/* Text after the first occurrence of open at or after from, up to close,
 * whitespace-trimmed; malloc'd. *next_out (optional) points past close. */
static char *text_between(const char *from, const char *open, const char *close,
                          const char **next_out)
{
    const char *s = strstr(from, open), *e;
    char *r;

    ck_assert_msg(s != NULL, "%s not found", open);
    s += strlen(open);
    e = strstr(s, close);
    ck_assert_msg(e != NULL, "%s not found", close);
    if (next_out)
        *next_out = e + strlen(close);
    while (s < e && strchr(" \t\r\n", *s))
        s++;
    while (e > s && strchr(" \t\r\n", e[-1]))
        e--;
    r = malloc((size_t)(e - s) + 1);
    ck_assert_ptr_nonnull(r);
    memcpy(r, s, (size_t)(e - s));
    r[e - s] = '\0';
    return r;
}

/* Data text of the item with that index: the first <tag> after
 * "<index>N</index>". */
static char *item_text(const char *xml, int index, const char *tag)
{
    char needle[48], open[64], close[64];
    const char *p;

    snprintf(needle, sizeof needle, "<index>%d</index>", index);
    snprintf(open, sizeof open, "<%s>", tag);
    snprintf(close, sizeof close, "</%s>", tag);
    p = strstr(xml, needle);
    ck_assert_msg(p != NULL, "index %d not found", index);
    return text_between(p, open, close, NULL);
}

static json_object *member(json_object *o, const char *name)
{
    json_object *m = NULL;

    ck_assert_msg(json_object_object_get_ex(o, name, &m), "no member %s", name);
    return m;
}

static const char *str_member(json_object *o, const char *name)
{
    return json_object_get_string(member(o, name));
}

/* ---- timestamp mask --------------------------------------------------- */

START_TEST(test_timestamp_mask)
{
    char m[15];

    /* PROTOCOL.md 3.3: 2017-12-30T18:25:45.000Z -> 20171230182545. */
    ck_assert_int_eq(navoi__timestamp_mask("2017-12-30T18:25:45.000Z", m), NAVOI_OK);
    ck_assert_str_eq(m, "20171230182545");
    ck_assert_int_eq(navoi__timestamp_mask("2024-01-15T09:30:00Z", m), NAVOI_OK);
    ck_assert_str_eq(m, "20240115093000");
    ck_assert_int_eq(navoi__timestamp_mask("2019-09-11T10:55:31.4Z", m), NAVOI_OK);
    ck_assert_str_eq(m, "20190911105531");
    ck_assert_int_eq(navoi__timestamp_mask("2019-09-11T10:55:31.44Z", m), NAVOI_OK);
    ck_assert_str_eq(m, "20190911105531");
}
END_TEST

START_TEST(test_timestamp_mask_rejects)
{
    static const char *const bad[] = {
        "2019-09-11T10:55:31.440",        /* no Z */
        "2019-09-11T10:55:31",            /* no Z, no fraction */
        "2019-09-11T10:55:31.440+01:00",  /* offset */
        "2019-09-11T10:55:31+00:00",      /* offset, even a zero one */
        "2019-09-11T10:55:31.4400Z",      /* 4 fraction digits */
        "2019-09-11T10:55:31.Z",          /* empty fraction */
        "2019-09-11T10:55:31.440z",       /* lower-case z */
        "2019-09-11 10:55:31.440Z",       /* space instead of T */
        "2019-09-11T10:55:31.440Z ",      /* trailing space */
        " 2019-09-11T10:55:31.440Z",      /* leading space */
        "2019-9-11T10:55:31.440Z",        /* one-digit month */
        "2019-13-11T10:55:31.440Z",       /* month 13 */
        "2019-02-29T10:55:31.440Z",       /* not a leap year */
        "2019-09-11T24:55:31.440Z",       /* hour 24 with minutes */
        "",
    };
    size_t i;
    char m[15];

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memcpy(m, "XXXXXXXXXXXXXX", 15);
        ck_assert_msg(navoi__timestamp_mask(bad[i], m) == NAVOI_EINVAL, "accepted '%s'",
                      bad[i]);
        ck_assert_int_eq(m[0], '\0');
    }
    ck_assert_int_eq(navoi__timestamp_mask(NULL, m), NAVOI_EINVAL);
}
END_TEST

START_TEST(test_signature_argument_errors)
{
    char out[129];
    navoi__sign_item it = {"CREATE", "QQ==", 4};

    ck_assert_int_eq(navoi__request_signature("RID", "2019-09-11T10:55:31+01:00", "k", NULL,
                                              0, out),
                     NAVOI_EINVAL);
    ck_assert_int_eq(navoi__request_signature(NULL, "2019-09-11T10:55:31Z", "k", NULL, 0, out),
                     NAVOI_EINVAL);
    ck_assert_int_eq(navoi__request_signature("RID", "2019-09-11T10:55:31Z", NULL, NULL, 0, out),
                     NAVOI_EINVAL);
    ck_assert_int_eq(navoi__request_signature("RID", "2019-09-11T10:55:31Z", "k", NULL, 1, out),
                     NAVOI_EINVAL);
    ck_assert_int_eq(navoi__index_hash(NULL, out), NAVOI_EINVAL);
    it.operation = NULL;
    ck_assert_int_eq(navoi__index_hash(&it, out), NAVOI_EINVAL);
}
END_TEST

/* ---- vectors.json requestSignature ------------------------------------ */

/* Loads an item's data: inline "data", or "dataRef" into a sample file,
 * verified against "dataSha256" and "dataLength" before use. */
static char *vector_item_data(json_object *item)
{
    json_object *m = NULL;
    char file[128], tag[64], sha[65];
    int index;
    char *xml, *data;
    const char *ref;

    if (json_object_object_get_ex(item, "data", &m))
        return strdup(json_object_get_string(m));
    ref = str_member(item, "dataRef");
    /* "samples/api/manageInvoice.xml: invoiceOperation[index=1]/invoiceData (...)" */
    ck_assert_msg(sscanf(ref, "%127[^:]: %*[^[][index=%d]/%63[A-Za-z]", file, &index, tag) == 3,
                  "unexpected dataRef %s", ref);
    xml = nt_read_nav(file, NULL);
    data = item_text(xml, index, tag);
    free(xml);
    ck_assert_uint_eq(strlen(data), (size_t)json_object_get_int(member(item, "dataLength")));
    ck_assert_int_eq(navoi__sha256_hex(data, strlen(data), sha), NAVOI_OK);
    ck_assert_msg(strcasecmp(sha, str_member(item, "dataSha256")) == 0,
                  "SHA-256 of %s differs", ref);
    return data;
}

START_TEST(test_vectors_request_signature)
{
    char *path = nt_nav_path("vectors.json");
    json_object *v = json_object_from_file(path);
    json_object *list;
    size_t i, n, checked_indexed = 0, checked_simple = 0;

    ck_assert_ptr_nonnull(v);
    free(path);
    list = member(v, "requestSignature");
    n = json_object_array_length(list);
    ck_assert_uint_eq(n, 14);
    for (i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(list, i);
        json_object *items = member(e, "items"), *hashes = member(e, "indexHashes");
        json_object *comments = NULL;
        const char *id = str_member(e, "id");
        const char *op = str_member(e, "operation");
        const char *rid = str_member(e, "requestId"), *ts = str_member(e, "timestamp");
        const char *key = str_member(e, "signKey");
        size_t k, ni = json_object_array_length(items);
        int indexed = strcmp(op, "manageInvoice") == 0 || strcmp(op, "manageAnnulment") == 0;
        navoi__sign_item si[8];
        char *data[8];
        char mask[15], partial[256], out[129], ih[129];

        ck_assert_msg(ni <= 8, "%s", id);
        ck_assert_str_eq(str_member(e, "signatureForm"), indexed ? "indexed" : "simple");
        ck_assert_uint_eq(json_object_array_length(hashes), ni);
        ck_assert(json_object_get_boolean(member(e, "verified")));
        /* The partial string, byte for byte. */
        ck_assert_int_eq(navoi__timestamp_mask(ts, mask), NAVOI_OK);
        snprintf(partial, sizeof partial, "%s%s%s", rid, mask, key);
        ck_assert_msg(strcmp(partial, str_member(e, "partialAuthentication")) == 0, "%s", id);
        json_object_object_get_ex(e, "indexHashesInSampleComments", &comments);
        for (k = 0; k < ni; k++) {
            json_object *it = json_object_array_get_idx(items, k), *ihm = NULL;
            /* Items are listed by index 1..n. */
            ck_assert_int_eq(json_object_get_int(member(it, "index")), (int)k + 1);
            data[k] = vector_item_data(it);
            si[k].operation = str_member(it, "operation");
            si[k].data = data[k];
            si[k].data_len = strlen(data[k]);
            ck_assert_int_eq(navoi__index_hash(&si[k], ih), NAVOI_OK);
            ck_assert_msg(strcmp(ih, json_object_get_string(
                                         json_object_array_get_idx(hashes, k))) == 0,
                          "%s index %zu", id, k + 1);
            if (json_object_object_get_ex(it, "indexHash", &ihm))
                ck_assert_str_eq(ih, json_object_get_string(ihm));
            if (comments)
                ck_assert_str_eq(ih, json_object_get_string(
                                         json_object_array_get_idx(comments, k)));
        }
        ck_assert_int_eq(navoi__request_signature(rid, ts, key, indexed ? si : NULL, ni, out),
                         NAVOI_OK);
        ck_assert_msg(strcmp(out, str_member(e, "expected")) == 0, "%s: %s", id, out);
        ck_assert_str_eq(out, str_member(e, "computed"));
        if (!indexed) {
            /* Simple form = H(partial). */
            ck_assert_int_eq(navoi__sha3_512_hex(partial, strlen(partial), ih), NAVOI_OK);
            ck_assert_str_eq(ih, out);
            checked_simple++;
        } else {
            checked_indexed++;
        }
        for (k = 0; k < ni; k++)
            free(data[k]);
    }
    ck_assert_uint_eq(checked_indexed, 4);
    ck_assert_uint_eq(checked_simple, 10);
    json_object_put(v);
}
END_TEST

/* ---- official samples --------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The request samples: every *.xml in samples/api (application.wadl is
 * not a request). */
static size_t list_samples(char **names, size_t max)
{
    char *dir = nt_nav_path("samples/api");
    DIR *d = opendir(dir);
    struct dirent *de;
    size_t n = 0;

    ck_assert_msg(d != NULL, "cannot open %s", dir);
    while ((de = readdir(d)) != NULL) {
        size_t l = strlen(de->d_name);
        if (l > 4 && strcmp(de->d_name + l - 4, ".xml") == 0) {
            ck_assert_uint_lt(n, max);
            names[n++] = strdup(de->d_name);
        }
    }
    closedir(d);
    free(dir);
    qsort(names, n, sizeof *names, cmp_str);
    return n;
}

static const char *const ordinal[] = {"first", "second", "third", "fourth", "fifth"};

static void check_sample(const char *name)
{
    char rel[256];
    char *xml, *rid, *ts, *key, *expected;
    navoi__sign_item si[5];
    char *ops[5], *data[5];
    char out[129];
    size_t n = 0, k;
    int manage_inv = strcmp(name, "manageInvoice.xml") == 0;
    int manage_ann = strcmp(name, "manageAnnulment.xml") == 0;

    snprintf(rel, sizeof rel, "samples/api/%s", name);
    xml = nt_read_nav(rel, NULL);
    rid = text_between(xml, "<common:requestId>", "</common:requestId>", NULL);
    ts = text_between(xml, "<common:timestamp>", "</common:timestamp>", NULL);
    key = text_between(xml, "<!--<signKey>", "</signKey>-->", NULL);
    expected = text_between(xml, "<common:requestSignature cryptoType=\"SHA3-512\">",
                            "</common:requestSignature>", NULL);
    ck_assert_uint_eq(strlen(key), 32);
    ck_assert_uint_eq(strlen(expected), 128);
    if (manage_inv || manage_ann) {
        const char *op_tag = manage_inv ? "invoiceOperation" : "annulmentOperation";
        const char *data_tag = manage_inv ? "invoiceData" : "invoiceAnnulment";

        /* Items in ascending index order, as they must be signed. */
        for (n = 0; n < 5; n++) {
            snprintf(rel, sizeof rel, "<index>%zu</index>", n + 1);
            if (!strstr(xml, rel))
                break;
            ops[n] = item_text(xml, (int)n + 1, op_tag);
            data[n] = item_text(xml, (int)n + 1, data_tag);
            si[n].operation = ops[n];
            si[n].data = data[n];
            si[n].data_len = strlen(data[n]);
        }
        ck_assert_uint_eq(n, manage_inv ? 3 : 1);
        /* The sample's own comments give each index hash. */
        for (k = 0; k < n; k++) {
            char open[64], close[64], ih[129];
            char *c;

            snprintf(open, sizeof open, "<!--<%sIndexHash>", ordinal[k]);
            snprintf(close, sizeof close, "</%sIndexHash>-->", ordinal[k]);
            c = text_between(xml, open, close, NULL);
            ck_assert_int_eq(navoi__index_hash(&si[k], ih), NAVOI_OK);
            ck_assert_msg(strcmp(ih, c) == 0, "%s index %zu", name, k + 1);
            free(c);
        }
    } else {
        ck_assert_ptr_null(strstr(xml, "IndexHash>"));
    }
    ck_assert_int_eq(navoi__request_signature(rid, ts, key, n ? si : NULL, n, out), NAVOI_OK);
    ck_assert_msg(strcmp(out, expected) == 0, "%s: computed %s", name, out);
    for (k = 0; k < n; k++) {
        free(ops[k]);
        free(data[k]);
    }
    free(rid);
    free(ts);
    free(key);
    free(expected);
    free(xml);
}

START_TEST(test_official_samples)
{
    char *names[32];
    size_t n = list_samples(names, 32), i;

    ck_assert_uint_eq(n, N_SAMPLES);
    for (i = 0; i < n; i++) {
        check_sample(names[i]);
        free(names[i]);
    }
}
END_TEST

START_TEST(test_signature_order_and_whitespace_matter)
{
    /* The spec example with items swapped, a trailing space in the key, or
     * a whitespace-padded payload must all give a different signature. */
    const char *rid = "TSTKFT1222564", *ts = "2017-12-30T18:25:45.000Z";
    const char *key = "ce-8f5e-215119fa7dd621DLMRHRLH2S";
    const char *good = "60BC80609EE3B8F42FE904200A49A1921A1DADA08D55319ACD40C59F626514B7"
                       "4EEA49011D372600A10DBCF8199D590DA9C2841D987308F2D83DAE17C2470C42";
    navoi__sign_item fwd[2] = {{"CREATE", "QWJjZDEyMzQ=", 12}, {"MODIFY", "RGNiYTQzMjE=", 12}};
    navoi__sign_item rev[2] = {{"MODIFY", "RGNiYTQzMjE=", 12}, {"CREATE", "QWJjZDEyMzQ=", 12}};
    navoi__sign_item ws[2] = {{"CREATE", " QWJjZDEyMzQ=", 13}, {"MODIFY", "RGNiYTQzMjE=", 12}};
    char out[129];

    ck_assert_int_eq(navoi__request_signature(rid, ts, key, fwd, 2, out), NAVOI_OK);
    ck_assert_str_eq(out, good);
    ck_assert_int_eq(navoi__request_signature(rid, ts, key, rev, 2, out), NAVOI_OK);
    /* python3: sha3_512(partial + H(MODIFY..) + H(CREATE..)) */
    ck_assert_str_eq(out, "BAB47C151207E585874547FBF456ECD41EA39FB2B0A55FF34DC0F0BE6E9C8CAF"
                          "14DF0259196E5E1DB48C3089F3BFF13DB04DBE341A0F3F6EE9354F40D9405495");
    ck_assert_int_eq(navoi__request_signature(rid, ts, "ce-8f5e-215119fa7dd621DLMRHRLH2S ",
                                              fwd, 2, out),
                     NAVOI_OK);
    ck_assert_str_ne(out, good);
    ck_assert_int_eq(navoi__request_signature(rid, ts, key, ws, 2, out), NAVOI_OK);
    ck_assert_str_ne(out, good);
    /* Milliseconds never enter the signature. */
    ck_assert_int_eq(navoi__request_signature(rid, "2017-12-30T18:25:45.999Z", key, fwd, 2, out),
                     NAVOI_OK);
    ck_assert_str_eq(out, good);
    ck_assert_int_eq(navoi__request_signature(rid, "2017-12-30T18:25:45Z", key, fwd, 2, out),
                     NAVOI_OK);
    ck_assert_str_eq(out, good);
}
END_TEST

static Suite *sign_suite(void)
{
    Suite *s = suite_create("sign");
    TCase *tc = tcase_create("core");

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_timestamp_mask);
    tcase_add_test(tc, test_timestamp_mask_rejects);
    tcase_add_test(tc, test_signature_argument_errors);
    tcase_add_test(tc, test_vectors_request_signature);
    tcase_add_test(tc, test_official_samples);
    tcase_add_test(tc, test_signature_order_and_whitespace_matter);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return nt_run(sign_suite());
}
