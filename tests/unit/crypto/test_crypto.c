/*
 * test_crypto.c - src/crypto primitives: digests (passwordHash and
 * electronicInvoiceHash vectors), base64, the exchange-token cipher, gzip,
 * randomness and the taxpayer check digit.
 *
 * Golden values come from ../shared/nav/vectors.json and samples, or were
 * computed outside navoi with the command quoted next to them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "common/alloc.h"
#include "common/buf.h"
#include "crypto/crypto.h"
#include "crypto/sign.h"
#include "navoi/navoi.h"
#include "testutil.h"

/* ---- helpers ---------------------------------------------------------- */

static json_object *load_vectors(void)
{
    char *path = nt_nav_path("vectors.json");
    json_object *v = json_object_from_file(path);

    ck_assert_msg(v != NULL, "cannot parse %s", path);
    free(path);
    return v;
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

/* Text content of the n-th (1-based) <tag>...</tag> of a sample file, with
 * surrounding whitespace removed. Plain string search, independent of the
 * XML code under test. Returns malloc'd text. */
static char *nth_element_text(const char *xml, const char *tag, int n)
{
    char open[64], close[64];
    const char *p = xml, *s, *e;
    char *r;

    snprintf(open, sizeof open, "<%s>", tag);
    snprintf(close, sizeof close, "</%s>", tag);
    for (;;) {
        p = strstr(p, open);
        ck_assert_msg(p != NULL, "element %s #%d not found", tag, n);
        p += strlen(open);
        if (--n == 0)
            break;
    }
    e = strstr(p, close);
    ck_assert_ptr_nonnull(e);
    s = p;
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

/* Text between the n-th occurrence of the literal open (a start tag with
 * attributes) and the next '<'. Returns malloc'd text. */
static char *nth_text_after(const char *xml, const char *open, int n)
{
    const char *p = xml, *e;
    char *r;

    for (;;) {
        p = strstr(p, open);
        ck_assert_msg(p != NULL, "%s #%d not found", open, n);
        p += strlen(open);
        if (--n == 0)
            break;
    }
    e = strchr(p, '<');
    ck_assert_ptr_nonnull(e);
    r = malloc((size_t)(e - p) + 1);
    ck_assert_ptr_nonnull(r);
    memcpy(r, p, (size_t)(e - p));
    r[e - p] = '\0';
    return r;
}

/* ---- digests ---------------------------------------------------------- */

START_TEST(test_digest_known_answers)
{
    char h[129];

    /* FIPS 180-4 / FIPS 202 values for "" and "abc", reproduced with
     * python3 -c 'import hashlib; print(hashlib.sha256(b"abc").hexdigest().upper())'
     * (and sha512, sha3_512). */
    ck_assert_int_eq(navoi__sha256_hex("abc", 3, h), NAVOI_OK);
    ck_assert_str_eq(h, "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD");
    ck_assert_int_eq(navoi__sha256_hex("", 0, h), NAVOI_OK);
    ck_assert_str_eq(h, "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855");
    ck_assert_int_eq(navoi__sha512_hex("abc", 3, h), NAVOI_OK);
    ck_assert_str_eq(h, "DDAF35A193617ABACC417349AE20413112E6FA4E89A97EA20A9EEEE64B55D39A"
                        "2192992A274FC1A836BA3C23A3FEEBBD454D4423643CE80E2A9AC94FA54CA49F");
    ck_assert_int_eq(navoi__sha512_hex(NULL, 0, h), NAVOI_OK);
    ck_assert_str_eq(h, "CF83E1357EEFB8BDF1542850D66D8007D620E4050B5715DC83F4A921D36CE9CE"
                        "47D0D13C5D85F2B0FF8318D2877EEC2F63B931BD47417A81A538327AF927DA3E");
    ck_assert_int_eq(navoi__sha3_512_hex("abc", 3, h), NAVOI_OK);
    ck_assert_str_eq(h, "B751850B1A57168A5693CD924B6B096E08F621827444F70D884F5D0240D2712E"
                        "10E116E9192AF3C91A7EC57647E3934057340B4CF408D5A56592F8274EEC53F0");
    ck_assert_int_eq(navoi__sha3_512_hex("", 0, h), NAVOI_OK);
    ck_assert_str_eq(h, "A69F73CCA23A9AC5C8B567DC185A756E97C982164FE25859E0D1DCC1475C80A6"
                        "15B2123AF1F5F94C11E3E9402C3AC558F500199D95B6D3E301758586281DCD26");
}
END_TEST

START_TEST(test_password_hash_vectors)
{
    json_object *v = load_vectors(), *list = member(v, "passwordHash");
    size_t i, n = json_object_array_length(list);
    char h[129];

    ck_assert_uint_eq(n, 3);
    for (i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(list, i);
        ck_assert_str_eq(str_member(e, "cryptoType"), "SHA-512");
        ck_assert_int_eq(navoi__password_hash(str_member(e, "password"), h), NAVOI_OK);
        ck_assert_str_eq(h, str_member(e, "expected"));
    }
    ck_assert_int_eq(navoi__password_hash(NULL, h), NAVOI_EINVAL);
    json_object_put(v);
}
END_TEST

/* Both electronicInvoiceHash variants (PROTOCOL.md 3.5) for every entry:
 * the three sample payloads are read from manageInvoice.xml. */
START_TEST(test_electronic_invoice_hash_vectors)
{
    json_object *v = load_vectors(), *list = member(v, "electronicInvoiceHash");
    size_t i, n = json_object_array_length(list);
    char *xml = nt_read_nav("samples/api/manageInvoice.xml", NULL);
    char h[129];

    ck_assert_uint_eq(n, 4);
    for (i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(list, i), *m = NULL;
        navoi__buf dec = NAVOI__BUF_INIT;
        char *b64;

        if (json_object_object_get_ex(e, "invoiceDataBase64", &m)) {
            b64 = strdup(json_object_get_string(m));
        } else {
            int idx;
            const char *src = str_member(e, "source");
            ck_assert_msg(sscanf(src, "samples/api/manageInvoice.xml index %d", &idx) == 1,
                          "unexpected source %s", src);
            b64 = nth_element_text(xml, "invoiceData", idx);
            /* The value the sample itself carries is the decoded-bytes
             * variant (PROTOCOL.md 3.5 [conflict]). */
            {
                char *inst = nth_text_after(
                    xml, "<electronicInvoiceHash cryptoType=\"SHA3-512\">", idx);
                ck_assert_str_eq(inst, str_member(e, "valueInSample"));
                free(inst);
            }
            ck_assert_str_eq(str_member(e, "valueInSample"),
                             str_member(e, "sha3_512_of_decoded_xml_bytes"));
        }
        ck_assert_int_eq(navoi__sha256_hex(b64, strlen(b64), h), NAVOI_OK);
        ck_assert_str_eq(h, str_member(e, "sha256_of_base64_text"));
        ck_assert_int_eq(navoi__sha3_512_hex(b64, strlen(b64), h), NAVOI_OK);
        ck_assert_str_eq(h, str_member(e, "sha3_512_of_base64_text"));
        ck_assert_int_eq(navoi__base64_decode(b64, strlen(b64), &dec), NAVOI_OK);
        ck_assert_int_eq(navoi__sha3_512_hex(dec.data, dec.len, h), NAVOI_OK);
        ck_assert_str_eq(h, str_member(e, "sha3_512_of_decoded_xml_bytes"));
        navoi__buf_free(&dec);
        free(b64);
    }
    free(xml);
    json_object_put(v);
}
END_TEST

START_TEST(test_taxpayer_check_digit_vectors)
{
    json_object *v = load_vectors(), *list = member(v, "taxpayerIdCheckDigit");
    size_t i, n = json_object_array_length(list);

    ck_assert_uint_eq(n, 8);
    for (i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(list, i);
        const char *id = str_member(e, "taxpayerId");
        int passes = json_object_get_boolean(member(e, "passes"));
        char fixed[9];

        ck_assert_msg(navoi__taxpayer_check_digit_ok(id) == passes, "%s", id);
        /* The computed digit makes every id pass. */
        memcpy(fixed, id, 9);
        fixed[7] = (char)('0' + json_object_get_int(member(e, "computedCheckDigit")));
        ck_assert_msg(navoi__taxpayer_check_digit_ok(fixed), "%s", fixed);
    }
    ck_assert(!navoi__taxpayer_check_digit_ok("1111111"));
    ck_assert(!navoi__taxpayer_check_digit_ok("111111111"));
    ck_assert(!navoi__taxpayer_check_digit_ok("1111111a"));
    ck_assert(!navoi__taxpayer_check_digit_ok(NULL));
    json_object_put(v);
}
END_TEST

/* ---- base64 ----------------------------------------------------------- */

START_TEST(test_base64_rfc4648)
{
    /* RFC 4648 section 10 test vectors. */
    static const char *const plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *const enc[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=",
                                      "Zm9vYmFy"};
    size_t i;

    for (i = 0; i < sizeof plain / sizeof plain[0]; i++) {
        navoi__buf b = NAVOI__BUF_INIT;
        ck_assert_int_eq(navoi__base64_encode(plain[i], strlen(plain[i]), &b), NAVOI_OK);
        ck_assert_str_eq(b.len ? b.data : "", enc[i]);
        navoi__buf_reset(&b);
        ck_assert_int_eq(navoi__base64_decode(enc[i], strlen(enc[i]), &b), NAVOI_OK);
        ck_assert_uint_eq(b.len, strlen(plain[i]));
        ck_assert(memcmp(b.data, plain[i], b.len) == 0);
        navoi__buf_free(&b);
    }
}
END_TEST

START_TEST(test_base64_one_line_and_binary)
{
    unsigned char bin[300];
    navoi__buf b = NAVOI__BUF_INIT, d = NAVOI__BUF_INIT;
    size_t i;

    for (i = 0; i < sizeof bin; i++)
        bin[i] = (unsigned char)(i * 7 + 3);
    navoi__buf_puts(&b, "prefix:");
    ck_assert_int_eq(navoi__base64_encode(bin, sizeof bin, &b), NAVOI_OK);
    /* Appended, one line, 400 symbols for 300 bytes. */
    ck_assert_uint_eq(b.len, 7 + 400);
    ck_assert(strncmp(b.data, "prefix:", 7) == 0);
    ck_assert_ptr_null(strchr(b.data, '\n'));
    ck_assert_int_eq(navoi__base64_decode(b.data + 7, b.len - 7, &d), NAVOI_OK);
    ck_assert_uint_eq(d.len, sizeof bin);
    ck_assert(memcmp(d.data, bin, sizeof bin) == 0);
    navoi__buf_free(&b);
    navoi__buf_free(&d);
}
END_TEST

START_TEST(test_base64_whitespace_skipped)
{
    navoi__buf d = NAVOI__BUF_INIT;
    const char *t = " QW\tJj\r\nZD\fEy\vMzQ= \n";

    ck_assert_int_eq(navoi__base64_decode(t, strlen(t), &d), NAVOI_OK);
    ck_assert_str_eq(d.data, "Abcd1234");
    navoi__buf_free(&d);
}
END_TEST

START_TEST(test_base64_rejects)
{
    static const char *const bad[] = {
        "QWJjZA=",       /* length not a multiple of 4 */
        "QWJ",           /* truncated */
        "QWJj!A==",      /* invalid character */
        "QW=jZA==",      /* padding in the middle */
        "QWJjZA==QQ==",  /* data after padding */
        "QWJjZA===",     /* too much padding */
        "Q===",          /* padding after one symbol */
        "QR==",          /* non-zero unused bits (not canonical) */
        "QWJ=",          /* 'J' leaves non-zero bits before one '=' */
        "QWJjZA-_",      /* base64url alphabet */
        "QWJj\x80ZA==",  /* non-ASCII */
    };
    size_t i;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        navoi__buf d = NAVOI__BUF_INIT;
        navoi__buf_puts(&d, "keep");
        ck_assert_msg(navoi__base64_decode(bad[i], strlen(bad[i]), &d) == NAVOI_EPROTO,
                      "accepted %s", bad[i]);
        /* A failed decode leaves what was there before. */
        ck_assert_str_eq(d.data, "keep");
        navoi__buf_free(&d);
    }
    {
        navoi__buf d = NAVOI__BUF_INIT;
        /* Embedded NUL inside the given length is not whitespace. */
        ck_assert_int_eq(navoi__base64_decode("QQ\0=", 4, &d), NAVOI_EPROTO);
        ck_assert_int_eq(navoi__base64_decode(NULL, 1, &d), NAVOI_EINVAL);
        navoi__buf_free(&d);
    }
}
END_TEST

/* ---- exchange token --------------------------------------------------- */

START_TEST(test_token_vectors_decrypt_encrypt)
{
    json_object *v = load_vectors(), *list = member(v, "exchangeToken");
    size_t i, n = json_object_array_length(list);

    ck_assert_uint_eq(n, 3);
    for (i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(list, i);
        const char *key = str_member(e, "exchangeKey");
        const char *b64 = str_member(e, "encodedExchangeToken");
        const char *plain = str_member(e, "plaintextToken");
        char tok[NAVOI__TOKEN_MAX + 1];
        navoi__buf enc = NAVOI__BUF_INIT;

        ck_assert_str_eq(str_member(e, "cipher"), "AES-128-ECB");
        ck_assert_int_eq(navoi__token_decrypt(b64, strlen(b64), key, tok), NAVOI_OK);
        ck_assert_str_eq(tok, plain);
        ck_assert_str_eq(tok, str_member(e, "decryptedWithOpenssl"));
        ck_assert_int_eq(navoi__token_encrypt(plain, key, &enc), NAVOI_OK);
        ck_assert_str_eq(enc.data, b64);
        navoi__buf_free(&enc);
    }
    json_object_put(v);
}
END_TEST

START_TEST(test_token_wrapped_base64)
{
    /* vectors.json exchangeToken[0], wrapped as a pretty-printer would. */
    const char *b64 = "U+M9VRBYlUE31AWiVZDIFGtQsmP4EpNQR4xU2GGqzbLI\n"
                      "  u/61jVbeUGhjz6cfaX5mAviQJVenLhVBon8+0gmuVg==\n";
    char tok[NAVOI__TOKEN_MAX + 1];

    ck_assert_int_eq(navoi__token_decrypt(b64, strlen(b64), "f424XKR57N62W5NJ", tok),
                     NAVOI_OK);
    ck_assert_str_eq(tok, "b1aca173-d9e8-4561-9237-0511eed99eaa2P0ZHLXBRI2U");
}
END_TEST

static void expect_token_error(const char *b64, const char *key, int want)
{
    char tok[NAVOI__TOKEN_MAX + 1];

    memset(tok, 'x', sizeof tok);
    ck_assert_int_eq(navoi__token_decrypt(b64, b64 ? strlen(b64) : 0, key, tok), want);
    /* Nothing of a failed decryption is left in the output. */
    ck_assert_int_eq(tok[0], '\0');
}

START_TEST(test_token_rejects)
{
    const char *k1 = "f424XKR57N62W5NJ";
    const char *v1 = "U+M9VRBYlUE31AWiVZDIFGtQsmP4EpNQR4xU2GGqzbLIu/61jVbeUGhjz6cfaX5mAviQ"
                     "JVenLhVBon8+0gmuVg==";

    /* Wrong key: vector 1 under vector 2's key ('openssl enc -d' reports
     * "bad decrypt" for it). */
    expect_token_error(v1, "9febIBBQRLZ348IB", NAVOI_ECRYPTO);
    /* Bad base64. */
    expect_token_error("U+M9VRBY!UE31AWi", k1, NAVOI_ECRYPTO);
    /* Not a whole number of blocks (60 bytes). */
    expect_token_error("U+M9VRBYlUE31AWiVZDIFGtQsmP4EpNQR4xU2GGqzbLIu/61jVbeUGhjz6cfaX5mAviQ"
                       "JVenLhVB",
                       k1, NAVOI_ECRYPTO);
    expect_token_error("", k1, NAVOI_ECRYPTO);
    /* Last pad byte 0x11 (> 16):
     * printf 'ABCDEFGHIJKLMNO\021' | openssl enc -aes-128-ecb -nopad -K <hex of k1> | base64 */
    expect_token_error("k9C3OMn0xMMKldyYX3uPtQ==", k1, NAVOI_ECRYPTO);
    /* Last pad byte 0x00: same command with '\000'. */
    expect_token_error("X0FXuKkyPbQD6mY4PPCECg==", k1, NAVOI_ECRYPTO);
    /* Valid padding, control character in the plaintext:
     * printf 'abc\001def' | openssl enc -aes-128-ecb -K <hex of k1> -base64 -A */
    expect_token_error("zzu6KnIo6mgM1bemy1y+9Q==", k1, NAVOI_ECRYPTO);
    /* Valid padding, 51 characters (> SimpleText50):
     * printf 'A%.0s' {1..51} | openssl enc -aes-128-ecb -K <hex of k1> -base64 -A */
    expect_token_error("Cru/fYNXr13anky9GBZefQq7v32DV69d2p5MvRgWXn0Ku799g1evXdqeTL0YFl59vM6H"
                       "ToApT+wNlRWWZwUA9A==",
                       k1, NAVOI_ECRYPTO);
    /* 80 bytes of ciphertext (65 'A'): longer than any token can be. */
    expect_token_error("Cru/fYNXr13anky9GBZefQq7v32DV69d2p5MvRgWXn0Ku799g1evXdqeTL0YFl59Cru/"
                       "fYNXr13anky9GBZefR9FUMofUJLoOp76IXyRvYE=",
                       k1, NAVOI_ECRYPTO);
    /* Key of the wrong length and missing arguments are caller errors. */
    expect_token_error(v1, "f424XKR57N62W5N", NAVOI_EINVAL);
    expect_token_error(v1, "f424XKR57N62W5NJX", NAVOI_EINVAL);
    expect_token_error(v1, NULL, NAVOI_EINVAL);
    expect_token_error(NULL, k1, NAVOI_EINVAL);
}
END_TEST

START_TEST(test_token_50_chars_boundary)
{
    char tok[NAVOI__TOKEN_MAX + 1];
    const char *k1 = "f424XKR57N62W5NJ";
    /* 50 'A': printf 'A%.0s' {1..50} | openssl enc -aes-128-ecb -K <hex of k1> -base64 -A */
    const char *b64 = "Cru/fYNXr13anky9GBZefQq7v32DV69d2p5MvRgWXn0Ku799g1evXdqeTL0YFl593elt"
                      "D92sEaLpy6VH77jX5Q==";
    navoi__buf enc = NAVOI__BUF_INIT;
    char fifty[51], fifty_one[52];

    memset(fifty, 'A', 50);
    fifty[50] = '\0';
    memset(fifty_one, 'A', 51);
    fifty_one[51] = '\0';
    ck_assert_int_eq(navoi__token_decrypt(b64, strlen(b64), k1, tok), NAVOI_OK);
    ck_assert_str_eq(tok, fifty);
    ck_assert_int_eq(navoi__token_encrypt(fifty, k1, &enc), NAVOI_OK);
    ck_assert_str_eq(enc.data, b64);
    navoi__buf_reset(&enc);
    ck_assert_int_eq(navoi__token_encrypt(fifty_one, k1, &enc), NAVOI_EINVAL);
    ck_assert_int_eq(navoi__token_encrypt("", k1, &enc), NAVOI_EINVAL);
    ck_assert_int_eq(navoi__token_encrypt(fifty, "short", &enc), NAVOI_EINVAL);
    navoi__buf_free(&enc);
}
END_TEST

/* ---- gzip ------------------------------------------------------------- */

/* python3 -c 'import gzip,base64; print(base64.b64encode(gzip.compress(
 *   b"<InvoiceData>hello NAV</InvoiceData>", 1, mtime=0)).decode())' */
#define PY_GZ "H4sIAAAAAAAEA7PxzCvLz0xOdUksSbTLSM3JyVfwcwyz0UcWBgDMhZkJJAAAAA=="
#define PY_PLAIN "<InvoiceData>hello NAV</InvoiceData>"

static void b64dec(const char *t, navoi__buf *out)
{
    ck_assert_int_eq(navoi__base64_decode(t, strlen(t), out), NAVOI_OK);
}

START_TEST(test_gunzip_python_stream)
{
    navoi__buf gz = NAVOI__BUF_INIT, out = NAVOI__BUF_INIT;

    b64dec(PY_GZ, &gz);
    ck_assert(navoi__is_gzip(gz.data, gz.len));
    ck_assert_int_eq(navoi__gunzip(gz.data, gz.len, 1024, &out), NAVOI_OK);
    ck_assert_str_eq(out.data, PY_PLAIN);
    /* The cap is inclusive: exactly the output size is fine. */
    navoi__buf_reset(&out);
    ck_assert_int_eq(navoi__gunzip(gz.data, gz.len, strlen(PY_PLAIN), &out), NAVOI_OK);
    ck_assert_str_eq(out.data, PY_PLAIN);
    navoi__buf_reset(&out);
    navoi__buf_puts(&out, "keep");
    ck_assert_int_eq(navoi__gunzip(gz.data, gz.len, strlen(PY_PLAIN) - 1, &out),
                     NAVOI_ETOOBIG);
    ck_assert_str_eq(out.data, "keep");
    navoi__buf_free(&gz);
    navoi__buf_free(&out);
}
END_TEST

START_TEST(test_gunzip_multi_member)
{
    /* python3 -c 'import gzip,base64; print(base64.b64encode(gzip.compress(b"first-",9,
     *   mtime=0)+gzip.compress(b"second",9,mtime=0)).decode())' */
    navoi__buf gz = NAVOI__BUF_INIT, out = NAVOI__BUF_INIT;

    b64dec("H4sIAAAAAAACA0vLLCou0QUAQQZAYgYAAAAfiwgAAAAAAAIDK05Nzs9LAQBpER+2BgAAAA==", &gz);
    ck_assert_int_eq(navoi__gunzip(gz.data, gz.len, 100, &out), NAVOI_OK);
    ck_assert_str_eq(out.data, "first-second");
    navoi__buf_free(&gz);
    navoi__buf_free(&out);
}
END_TEST

START_TEST(test_gzip_level1_roundtrip)
{
    navoi__buf gz = NAVOI__BUF_INIT, out = NAVOI__BUF_INIT;
    size_t n = 300000, i;
    char *plain = malloc(n);

    ck_assert_ptr_nonnull(plain);
    for (i = 0; i < n; i++)
        plain[i] = "<Invoice>0123456789</Invoice>\n"[i % 30] + (char)(i / 7919 % 3);
    ck_assert_int_eq(navoi__gzip(plain, n, &gz), NAVOI_OK);
    /* RFC 1952 header: magic, CM=8 (deflate), FLG=0, then XFL=4 at offset 8,
     * which zlib writes only for level 1 ("fastest"). */
    ck_assert_uint_ge(gz.len, 18);
    ck_assert_int_eq((unsigned char)gz.data[0], 0x1f);
    ck_assert_int_eq((unsigned char)gz.data[1], 0x8b);
    ck_assert_int_eq((unsigned char)gz.data[2], 8);
    ck_assert_int_eq((unsigned char)gz.data[3], 0);
    ck_assert_int_eq((unsigned char)gz.data[8], 4);
    ck_assert_uint_lt(gz.len, n);
    ck_assert_int_eq(navoi__gunzip(gz.data, gz.len, n, &out), NAVOI_OK);
    ck_assert_uint_eq(out.len, n);
    ck_assert(memcmp(out.data, plain, n) == 0);
    /* Empty input still makes a valid gzip member. */
    navoi__buf_reset(&gz);
    navoi__buf_reset(&out);
    ck_assert_int_eq(navoi__gzip("", 0, &gz), NAVOI_OK);
    ck_assert_int_eq(navoi__gunzip(gz.data, gz.len, 0, &out), NAVOI_OK);
    ck_assert_uint_eq(out.len, 0);
    free(plain);
    navoi__buf_free(&gz);
    navoi__buf_free(&out);
}
END_TEST

START_TEST(test_gunzip_truncated_and_corrupt)
{
    navoi__buf gz = NAVOI__BUF_INIT, out = NAVOI__BUF_INIT, z = NAVOI__BUF_INIT;
    size_t cut;

    b64dec(PY_GZ, &gz);
    /* Every proper prefix is truncated: header, deflate data or trailer. */
    for (cut = 0; cut < gz.len; cut++) {
        navoi__buf_reset(&out);
        ck_assert_msg(navoi__gunzip(gz.data, cut, 1024, &out) == NAVOI_EPROTO, "cut %zu",
                      cut);
        ck_assert_uint_eq(out.len, 0);
    }
    /* Flipped CRC32 byte in the trailer. */
    gz.data[gz.len - 8] ^= 1;
    navoi__buf_reset(&out);
    ck_assert_int_eq(navoi__gunzip(gz.data, gz.len, 1024, &out), NAVOI_EPROTO);
    gz.data[gz.len - 8] ^= 1;
    /* Trailing garbage after the member. */
    navoi__buf_append(&gz, "xyz", 3);
    navoi__buf_reset(&out);
    ck_assert_int_eq(navoi__gunzip(gz.data, gz.len, 1024, &out), NAVOI_EPROTO);
    /* A zlib (not gzip) stream: python3 -c 'import zlib,base64;
     * print(base64.b64encode(zlib.compress(b"<InvoiceData>hello NAV</InvoiceData>")))' */
    b64dec("eJyz8cwry89MTnVJLEm0y0jNyclX8HMMs9FHFgYA7rkMyw==", &z);
    ck_assert(!navoi__is_gzip(z.data, z.len));
    navoi__buf_reset(&out);
    ck_assert_int_eq(navoi__gunzip(z.data, z.len, 1024, &out), NAVOI_EPROTO);
    ck_assert_int_eq(navoi__gunzip("", 0, 1024, &out), NAVOI_EPROTO);
    navoi__buf_free(&gz);
    navoi__buf_free(&out);
    navoi__buf_free(&z);
}
END_TEST

START_TEST(test_gunzip_bomb_capped)
{
    size_t n = 16u * 1024u * 1024u, cap = 1024u * 1024u;
    char *zeros = calloc(1, n);
    navoi__buf gz = NAVOI__BUF_INIT, out = NAVOI__BUF_INIT;

    ck_assert_ptr_nonnull(zeros);
    ck_assert_int_eq(navoi__gzip(zeros, n, &gz), NAVOI_OK);
    free(zeros);
    /* 16 MiB of zeros shrink to a few dozen KiB: a decompression bomb. */
    ck_assert_uint_lt(gz.len, n / 100);
    ck_assert_int_eq(navoi__gunzip(gz.data, gz.len, cap, &out), NAVOI_ETOOBIG);
    ck_assert_uint_eq(out.len, 0);
    /* It stopped at the cap instead of inflating everything first. */
    ck_assert_uint_le(out.cap, 2 * cap + 128 * 1024);
    navoi__buf_free(&gz);
    navoi__buf_free(&out);
}
END_TEST

/* ---- randomness --------------------------------------------------------- */

START_TEST(test_random_bytes)
{
    unsigned char a[32], b[32];

    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    ck_assert_int_eq(navoi__random_bytes(a, sizeof a), NAVOI_OK);
    ck_assert_int_eq(navoi__random_bytes(b, sizeof b), NAVOI_OK);
    /* Two 256-bit draws collide with probability 2^-256. */
    ck_assert(memcmp(a, b, sizeof a) != 0);
    ck_assert_int_eq(navoi__random_bytes(NULL, 0), NAVOI_OK);
    ck_assert_int_eq(navoi__random_bytes(NULL, 1), NAVOI_EINVAL);
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

/* One operation under test; returns its code. out is freed by the caller. */
typedef int (*op_fn)(navoi__buf *out);

static int op_gzip(navoi__buf *out)
{
    static char data[100000];
    size_t i;

    for (i = 0; i < sizeof data; i++)
        data[i] = (char)('a' + i % 13);
    return navoi__gzip(data, sizeof data, out);
}

static int op_gunzip(navoi__buf *out)
{
    navoi__buf gz = NAVOI__BUF_INIT;
    int rc = navoi__base64_decode(PY_GZ, strlen(PY_GZ), &gz);

    if (rc == NAVOI_OK)
        rc = navoi__gunzip(gz.data, gz.len, 1024, out);
    navoi__buf_free(&gz);
    return rc;
}

static int op_token(navoi__buf *out)
{
    const char *b64 = "U+M9VRBYlUE31AWiVZDIFGtQsmP4EpNQR4xU2GGqzbLIu/61jVbeUGhjz6cfaX5mAv"
                      "iQJVenLhVBon8+0gmuVg==";
    char tok[NAVOI__TOKEN_MAX + 1];
    int rc = navoi__token_decrypt(b64, strlen(b64), "f424XKR57N62W5NJ", tok);

    if (rc == NAVOI_OK)
        rc = navoi__token_encrypt(tok, "f424XKR57N62W5NJ", out);
    return rc;
}

static int op_signature(navoi__buf *out)
{
    navoi__sign_item it[2] = {{"CREATE", "QWJjZDEyMzQ=", 12}, {"MODIFY", "RGNiYTQzMjE=", 12}};
    char sig[NAVOI__HASH_HEX_LEN + 1];
    int rc = navoi__request_signature("TSTKFT1222564", "2017-12-30T18:25:45.000Z",
                                      "ce-8f5e-215119fa7dd621DLMRHRLH2S", it, 2, sig);

    if (rc == NAVOI_OK)
        navoi__buf_puts(out, sig);
    return rc == NAVOI_OK ? navoi__buf_status(out) : rc;
}

/* Fails the k-th navoi allocation for k = 1, 2, ... until a run completes;
 * each injected failure must give NAVOI_ENOMEM (leaks: valgrind/ASan). */
static void torture(op_fn op, const char *want_prefix)
{
    long k;

    ck_assert_int_eq(navoi_set_allocator(failing_malloc, failing_realloc, free), NAVOI_OK);
    for (k = 1;; k++) {
        navoi__buf out = NAVOI__BUF_INIT;
        int rc;

        alloc_count = 0;
        alloc_fail_at = k;
        rc = op(&out);
        alloc_fail_at = 0;
        if (alloc_count < k) {
            ck_assert_int_eq(rc, NAVOI_OK);
            ck_assert(strncmp(out.data, want_prefix, strlen(want_prefix)) == 0);
            navoi__buf_free(&out);
            break;
        }
        ck_assert_msg(rc == NAVOI_ENOMEM, "allocation %ld failed, rc %d", k, rc);
        navoi__buf_free(&out);
    }
    ck_assert_int_gt(k, 1);
}

START_TEST(test_alloc_failures)
{
    torture(op_gzip, "\x1f\x8b");
    torture(op_gunzip, PY_PLAIN);
    torture(op_token, "U+M9VRBYlUE31AWiVZDIFGtQsmP4EpNQR4xU2GGqzbLI");
    torture(op_signature, "60BC80609EE3B8F42FE904200A49A1921A1DADA08D55319ACD40C59F626514B7");
}
END_TEST

static Suite *crypto_suite(void)
{
    Suite *s = suite_create("crypto");
    TCase *tc = tcase_create("core");

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_digest_known_answers);
    tcase_add_test(tc, test_password_hash_vectors);
    tcase_add_test(tc, test_electronic_invoice_hash_vectors);
    tcase_add_test(tc, test_taxpayer_check_digit_vectors);
    tcase_add_test(tc, test_base64_rfc4648);
    tcase_add_test(tc, test_base64_one_line_and_binary);
    tcase_add_test(tc, test_base64_whitespace_skipped);
    tcase_add_test(tc, test_base64_rejects);
    tcase_add_test(tc, test_token_vectors_decrypt_encrypt);
    tcase_add_test(tc, test_token_wrapped_base64);
    tcase_add_test(tc, test_token_rejects);
    tcase_add_test(tc, test_token_50_chars_boundary);
    tcase_add_test(tc, test_gunzip_python_stream);
    tcase_add_test(tc, test_gunzip_multi_member);
    tcase_add_test(tc, test_gzip_level1_roundtrip);
    tcase_add_test(tc, test_gunzip_truncated_and_corrupt);
    tcase_add_test(tc, test_gunzip_bomb_capped);
    tcase_add_test(tc, test_random_bytes);
    tcase_add_test(tc, test_alloc_failures);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return nt_run(crypto_suite());
}
