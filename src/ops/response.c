/*
 * response.c - owns the reading of NAV's response bodies (response.h): the
 * error envelopes, funcCode on every answer, the values of each of the ten
 * operations, the flattening of query records into navoi_result fields
 * (rule in ops/result.h) and the processingResults of
 * queryTransactionStatus as a fresh navoi_txn.
 *
 * The body is untrusted: it is read with navoi__xml_read (no DTD, bounded
 * depth), elements are matched on namespace URI + local name, and every
 * count and length the body controls is capped (result.h, txn.h); a body
 * beyond a cap is NAVOI_EPROTO, never silently truncated.
 */
#include "ops/response.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "common/alloc.h"
#include "common/buf.h"
#include "crypto/crypto.h"
#include "crypto/timefmt.h"
#include "navoi/navoi.h"
#include "ops/ops.h"
#include "ops/result.h"
#include "ops/txn.h"
#include "state/status.h"
#include "xml/ns.h"
#include "xml/parse.h"

/* Largest decoded invoiceData / originalRequest: NAV's uncompressed
 * invoice limit (PROTOCOL.md 1.4), which also stops gzip bombs. */
#define CONTENT_MAX 15728640u
/* encodedExchangeToken is 88 base64 characters in practice. */
#define TOKEN_TEXT_MAX 1024u
/* How much of technicalValidationMessages goes into res.message. */
#define SUMMARY_MAX_ITEMS 20u
#define SUMMARY_MAX_TEXT 1024u

#if defined(__GNUC__)
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#else
#define PRINTF_LIKE(f, a)
#endif

/* Replaces res.message with an explanation and returns rc. Out of memory
 * while formatting only loses the text, not the code. */
static int fail(navoi__response *out, int rc, const char *fmt, ...) PRINTF_LIKE(3, 4);

static int fail(navoi__response *out, int rc, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;

    if (rc == NAVOI_ENOMEM)
        return rc;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    navoi__free(out->res.message);
    out->res.message = navoi__strdup(tmp);
    return rc;
}

/* Length of s cut to at most max bytes without splitting a UTF-8 sequence. */
static size_t utf8_cut(const char *s, size_t max)
{
    size_t n = strlen(s);

    if (n <= max)
        return n;
    n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

/* Text of the first child ns/name into *txt (NULL when absent).
 * NAVOI_OK or NAVOI_ENOMEM. */
static int child_text(const xmlNode *parent, const char *ns, const char *name, char **txt)
{
    int oom = 0;

    *txt = navoi__xml_child_text(parent, ns, name, &oom);
    return oom ? NAVOI_ENOMEM : NAVOI_OK;
}

/* xs:boolean: 1, 0, or -1 when s is not a boolean. */
static int parse_bool(const char *s)
{
    if (strcmp(s, "true") == 0 || strcmp(s, "1") == 0)
        return 1;
    if (strcmp(s, "false") == 0 || strcmp(s, "0") == 0)
        return 0;
    return -1;
}

/* Non-negative xs:int (optional '+', leading zeros allowed): 0 or -1. */
static int parse_count(const char *s, int32_t *v)
{
    int64_t acc = 0;

    if (*s == '+')
        s++;
    if (!*s)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        acc = acc * 10 + (*s - '0');
        if (acc > 2147483647)
            return -1;
    }
    *v = (int32_t)acc;
    return 0;
}

/* common:EntityIdType [+a-zA-Z0-9_]{1,30}. */
static int entity_id_ok(const char *s)
{
    size_t n = strlen(s), i;

    if (n < 1 || n > 30)
        return 0;
    for (i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '_'))
            return 0;
    }
    return 1;
}

/* Short printable form of an input-controlled string for messages. */
static const char *shown(const char *s)
{
    return s ? s : "(absent)";
}

/* ---- result / error envelopes -------------------------------------- */

/* Reads a BasicResultType (funcCode, errorCode, message) from node n. */
static int read_result(const xmlNode *n, navoi__response *out)
{
    char *func = NULL, *code = NULL, *msg = NULL;
    int rc;

    rc = child_text(n, NAVOI__NS_COMMON, "funcCode", &func);
    if (rc == NAVOI_OK)
        rc = child_text(n, NAVOI__NS_COMMON, "errorCode", &code);
    if (rc == NAVOI_OK)
        rc = child_text(n, NAVOI__NS_COMMON, "message", &msg);
    if (rc != NAVOI_OK)
        goto out;
    if (!func) {
        rc = fail(out, NAVOI_EPROTO, "NAV response without result/funcCode");
        goto out;
    }
    if (strcmp(func, "OK") != 0 && strcmp(func, "ERROR") != 0) {
        rc = fail(out, NAVOI_EPROTO, "unknown funcCode '%.32s'", func);
        goto out;
    }
    memcpy(out->res.func_code, func, strlen(func) + 1);
    if (code) {
        /* Unknown codes are kept verbatim (PROTOCOL.md 7.1); only an
         * out-of-spec length is cut, on a character boundary. */
        size_t n_code = utf8_cut(code, sizeof out->res.error_code - 1);
        memcpy(out->res.error_code, code, n_code);
        out->res.error_code[n_code] = '\0';
    }
    if (msg && *msg) {
        navoi__free(out->res.message);
        out->res.message = msg;
        msg = NULL;
    }
out:
    navoi__free(func);
    navoi__free(code);
    navoi__free(msg);
    return rc;
}

/* Appends "ERROR SCHEMA_VIOLATION: text" for every technicalValidationMessages
 * child of a GeneralErrorResponse to res.message, as
 * "<message> [ERROR SCHEMA_VIOLATION: ...; ...]". */
static int summarize_technical(const xmlNode *root, navoi__response *out)
{
    navoi__buf b = NAVOI__BUF_INIT;
    xmlNodePtr t;
    size_t shown_n = 0, total = 0;
    int rc = NAVOI_OK;

    for (t = navoi__xml_child(root, NAVOI__NS_API, "technicalValidationMessages"); t;
         t = navoi__xml_next(t, NAVOI__NS_API, "technicalValidationMessages")) {
        char *res = NULL, *code = NULL, *msg = NULL;

        total++;
        if (shown_n >= SUMMARY_MAX_ITEMS)
            continue;
        rc = child_text(t, NAVOI__NS_COMMON, "validationResultCode", &res);
        if (rc == NAVOI_OK)
            rc = child_text(t, NAVOI__NS_COMMON, "validationErrorCode", &code);
        if (rc == NAVOI_OK)
            rc = child_text(t, NAVOI__NS_COMMON, "message", &msg);
        if (rc == NAVOI_OK) {
            if (shown_n == 0) {
                if (out->res.message) {
                    navoi__buf_puts(&b, out->res.message);
                    navoi__buf_putc(&b, ' ');
                }
                navoi__buf_putc(&b, '[');
            } else {
                navoi__buf_puts(&b, "; ");
            }
            navoi__buf_append(&b, res ? res : "?", utf8_cut(res ? res : "?", 16));
            if (code && *code) {
                navoi__buf_putc(&b, ' ');
                navoi__buf_append(&b, code, utf8_cut(code, 100));
            }
            if (msg && *msg) {
                navoi__buf_puts(&b, ": ");
                navoi__buf_append(&b, msg, utf8_cut(msg, SUMMARY_MAX_TEXT));
            }
            shown_n++;
        }
        navoi__free(res);
        navoi__free(code);
        navoi__free(msg);
        if (rc != NAVOI_OK)
            goto out;
    }
    if (shown_n == 0)
        goto out;
    if (total > shown_n) {
        navoi__buf_puts(&b, "; and ");
        navoi__buf_put_i64(&b, (int64_t)(total - shown_n));
        navoi__buf_puts(&b, " more");
    }
    navoi__buf_putc(&b, ']');
    if (navoi__buf_status(&b) != NAVOI_OK) {
        rc = NAVOI_ENOMEM;
        goto out;
    }
    navoi__free(out->res.message);
    out->res.message = navoi__buf_detach(&b, NULL);
    if (!out->res.message)
        rc = NAVOI_ENOMEM;
out:
    navoi__buf_free(&b);
    return rc;
}

/* ---- payloads -------------------------------------------------------- */

/* base64 text -> bytes, gunzipped when compressed; *data_out is
 * NUL-terminated. what names the element in messages. */
static int decode_payload(navoi__response *out, const char *what, const char *b64,
                          int compressed, char **data_out, size_t *len_out)
{
    navoi__buf raw = NAVOI__BUF_INIT, plain = NAVOI__BUF_INIT;
    navoi__buf *res = &raw;
    int rc;

    *data_out = NULL;
    *len_out = 0;
    rc = navoi__base64_decode(b64, strlen(b64), &raw);
    if (rc != NAVOI_OK) {
        if (rc != NAVOI_ENOMEM)
            rc = fail(out, NAVOI_EPROTO, "%s is not valid base64", what);
        goto out;
    }
    if (compressed) {
        rc = navoi__gunzip(raw.data, raw.len, CONTENT_MAX, &plain);
        if (rc == NAVOI_ETOOBIG) {
            rc = fail(out, NAVOI_EPROTO, "%s exceeds %u bytes when decompressed", what,
                      CONTENT_MAX);
            goto out;
        }
        if (rc != NAVOI_OK) {
            if (rc != NAVOI_ENOMEM)
                rc = fail(out, NAVOI_EPROTO,
                          "%s is flagged compressed but is not valid gzip", what);
            goto out;
        }
        res = &plain;
    } else if (raw.len > CONTENT_MAX) {
        rc = fail(out, NAVOI_EPROTO, "%s exceeds %u bytes", what, CONTENT_MAX);
        goto out;
    }
    *data_out = navoi__buf_detach(res, len_out);
    if (!*data_out)
        rc = NAVOI_ENOMEM;
out:
    navoi__buf_free(&raw);
    navoi__buf_free(&plain);
    return rc;
}

/* ---- flattening (rule in ops/result.h) ------------------------------- */

typedef struct sib {
    const xmlNode *node;
    size_t pos;  /* document order */
    size_t occ;  /* 1-based occurrence of its name */
    size_t tot;  /* occurrences of its name among the siblings */
} sib;

static int sib_by_name(const void *a, const void *b)
{
    const sib *x = a, *y = b;
    int c = strcmp((const char *)x->node->name, (const char *)y->node->name);

    if (c)
        return c;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static int sib_by_pos(const void *a, const void *b)
{
    const sib *x = a, *y = b;

    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static int has_element_child(const xmlNode *n)
{
    const xmlNode *c;

    for (c = n->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            return 1;
    return 0;
}

static int add_field(navoi__response *out, navoi_result *r, size_t rec, const char *path,
                     const char *value)
{
    int rc = navoi__result_add_field(r, rec, path, value);

    if (rc == NAVOI_EPROTO)
        return fail(out, rc,
                    "record %zu: field '%.64s' exceeds a limit (%u fields, %u bytes each)",
                    rec + 1, path, NAVOI__RESULT_MAX_FIELDS, NAVOI__RESULT_MAX_VALUE);
    return rc;
}

static int add_attributes(navoi__response *out, navoi_result *r, size_t rec,
                          const xmlNode *n, navoi__buf *path)
{
    const xmlAttr *a;
    size_t base = path->len;
    int rc = NAVOI_OK;

    for (a = n->properties; a; a = a->next) {
        xmlChar *v = NULL;

        if (a->children) {
            v = xmlNodeListGetString(n->doc, a->children, 1);
            if (!v)
                return NAVOI_ENOMEM;
        }
        navoi__buf_putc(path, '@');
        navoi__buf_puts(path, (const char *)a->name);
        if (navoi__buf_status(path) != NAVOI_OK)
            rc = NAVOI_ENOMEM;
        else if (path->len > NAVOI__RESULT_MAX_PATH)
            rc = fail(out, NAVOI_EPROTO, "field path longer than %u bytes",
                      NAVOI__RESULT_MAX_PATH);
        else
            rc = add_field(out, r, rec, path->data, v ? (const char *)v : "");
        xmlFree(v);
        path->len = base;
        path->data[base] = '\0';
        if (rc != NAVOI_OK)
            return rc;
    }
    return NAVOI_OK;
}

/* Adds the fields below parent to record rec; path holds parent's path
 * ("" for the record element). skip: a child local name left out at this
 * level (invoiceData, which becomes the content instead). */
static int flatten(navoi__response *out, navoi_result *r, size_t rec, const xmlNode *parent,
                   navoi__buf *path, const char *skip)
{
    const xmlNode *c;
    sib *s = NULL;
    size_t n = 0, i, base = path->len;
    int rc = NAVOI_OK;

    for (c = parent->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            n++;
    if (n == 0)
        return NAVOI_OK;
    /* Every element yields at least one field, so more children than the
     * field cap can be refused before any work. */
    if (n > NAVOI__RESULT_MAX_FIELDS)
        return fail(out, NAVOI_EPROTO, "record %zu has more than %u fields", rec + 1,
                    NAVOI__RESULT_MAX_FIELDS);
    s = navoi__calloc(n, sizeof *s);
    if (!s)
        return NAVOI_ENOMEM;
    for (i = 0, c = parent->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE) {
            s[i].node = c;
            s[i].pos = i;
            i++;
        }
    /* Occurrence numbers by sorting on (name, position): O(n log n) even for
     * a hostile record with thousands of same-named siblings. */
    qsort(s, n, sizeof *s, sib_by_name);
    for (i = 0; i < n;) {
        size_t j = i, k;

        while (j < n && strcmp((const char *)s[j].node->name, (const char *)s[i].node->name) == 0)
            j++;
        for (k = i; k < j; k++) {
            s[k].occ = k - i + 1;
            s[k].tot = j - i;
        }
        i = j;
    }
    qsort(s, n, sizeof *s, sib_by_pos);

    for (i = 0; i < n; i++) {
        const xmlNode *e = s[i].node;

        if (skip && strcmp((const char *)e->name, skip) == 0)
            continue;
        if (base)
            navoi__buf_putc(path, '/');
        navoi__buf_puts(path, (const char *)e->name);
        if (s[i].tot > 1) {
            navoi__buf_putc(path, '[');
            navoi__buf_put_i64(path, (int64_t)s[i].occ);
            navoi__buf_putc(path, ']');
        }
        if (navoi__buf_status(path) != NAVOI_OK) {
            rc = NAVOI_ENOMEM;
            goto out;
        }
        if (path->len > NAVOI__RESULT_MAX_PATH) {
            rc = fail(out, NAVOI_EPROTO, "field path longer than %u bytes",
                      NAVOI__RESULT_MAX_PATH);
            goto out;
        }
        if (has_element_child(e)) {
            rc = add_attributes(out, r, rec, e, path);
            if (rc == NAVOI_OK)
                rc = flatten(out, r, rec, e, path, NULL);
        } else {
            char *v = navoi__xml_text(e);

            if (!v) {
                rc = NAVOI_ENOMEM;
                goto out;
            }
            rc = add_field(out, r, rec, path->data, v);
            navoi__free(v);
            if (rc == NAVOI_OK)
                rc = add_attributes(out, r, rec, e, path);
        }
        path->len = base;
        path->data[base] = '\0';
        if (rc != NAVOI_OK)
            goto out;
    }
out:
    navoi__free(s);
    return rc;
}

/* One record from element n. */
static int add_record(navoi__response *out, navoi_result *r, const xmlNode *n, const char *skip)
{
    navoi__buf path = NAVOI__BUF_INIT;
    size_t rec;
    int rc;

    rc = navoi__result_add_record(r, &rec);
    if (rc == NAVOI_EPROTO)
        return fail(out, rc, "more than %u records in one response", NAVOI__RESULT_MAX_RECORDS);
    if (rc != NAVOI_OK)
        return rc;
    rc = navoi__buf_reserve(&path, 64);
    if (rc == NAVOI_OK) {
        path.data[0] = '\0';
        rc = flatten(out, r, rec, n, &path, skip);
    }
    navoi__buf_free(&path);
    return rc;
}

/* ---- operation bodies ------------------------------------------------ */

static int new_result(navoi__response *out)
{
    return navoi__result_new(&out->result);
}

static int set_meta(navoi__response *out, const char *name, const char *value)
{
    int rc = navoi__result_set_meta(out->result, name, value);

    if (rc == NAVOI_EPROTO)
        return fail(out, rc, "%s longer than %u bytes", name, NAVOI__RESULT_MAX_VALUE);
    return rc;
}

/* Meta field from a mandatory (or optional) api child that must be a
 * non-negative integer (pages). */
static int meta_count(navoi__response *out, const xmlNode *parent, const char *name)
{
    char *t = NULL;
    int32_t v;
    int rc = child_text(parent, NAVOI__NS_API, name, &t);

    if (rc != NAVOI_OK)
        return rc;
    if (!t)
        rc = fail(out, NAVOI_EPROTO, "%s missing", name);
    else if (parse_count(t, &v) != 0)
        rc = fail(out, NAVOI_EPROTO, "%s '%.32s' is not a page number", name, t);
    else
        rc = set_meta(out, name, t);
    navoi__free(t);
    return rc;
}

/* Meta field from an xs:boolean child, normalised to "true"/"false". */
static int meta_bool(navoi__response *out, const xmlNode *parent, const char *name,
                     int mandatory)
{
    char *t = NULL;
    int b, rc = child_text(parent, NAVOI__NS_API, name, &t);

    if (rc != NAVOI_OK)
        return rc;
    if (!t) {
        if (mandatory)
            rc = fail(out, NAVOI_EPROTO, "%s missing", name);
    } else if ((b = parse_bool(t)) < 0) {
        rc = fail(out, NAVOI_EPROTO, "%s '%.32s' is not a boolean", name, t);
    } else {
        rc = set_meta(out, name, b ? "true" : "false");
    }
    navoi__free(t);
    return rc;
}

static int parse_token(const xmlNode *root, navoi__response *out)
{
    char *from = NULL, *to = NULL;
    int rc;

    rc = child_text(root, NAVOI__NS_API, "encodedExchangeToken", &out->encoded_token);
    if (rc == NAVOI_OK)
        rc = child_text(root, NAVOI__NS_API, "tokenValidityFrom", &from);
    if (rc == NAVOI_OK)
        rc = child_text(root, NAVOI__NS_API, "tokenValidityTo", &to);
    if (rc != NAVOI_OK)
        goto out;
    if (!out->encoded_token || !*out->encoded_token) {
        rc = fail(out, NAVOI_EPROTO, "encodedExchangeToken missing");
        goto out;
    }
    if (strlen(out->encoded_token) > TOKEN_TEXT_MAX) {
        rc = fail(out, NAVOI_EPROTO, "encodedExchangeToken longer than %u characters",
                  TOKEN_TEXT_MAX);
        goto out;
    }
    /* Any xs:dateTime offset is accepted: NAV has sent +01:00 although the
     * XSD demands Z (PROTOCOL.md 4). */
    if (!from || navoi__parse_datetime(from, &out->token_from_ms) != NAVOI_OK) {
        rc = fail(out, NAVOI_EPROTO, "tokenValidityFrom '%.40s' is not a timestamp",
                  shown(from));
        goto out;
    }
    if (!to || navoi__parse_datetime(to, &out->token_to_ms) != NAVOI_OK) {
        rc = fail(out, NAVOI_EPROTO, "tokenValidityTo '%.40s' is not a timestamp", shown(to));
        goto out;
    }
out:
    navoi__free(from);
    navoi__free(to);
    return rc;
}

static int parse_transaction_id(const xmlNode *root, navoi__response *out)
{
    char *id = NULL;
    int rc = child_text(root, NAVOI__NS_API, "transactionId", &id);

    if (rc != NAVOI_OK)
        return rc;
    if (!id)
        rc = fail(out, NAVOI_EPROTO, "transactionId missing");
    else if (!entity_id_ok(id))
        rc = fail(out, NAVOI_EPROTO, "transactionId '%.40s' is not an EntityIdType", id);
    else
        memcpy(out->transaction_id, id, strlen(id) + 1);
    navoi__free(id);
    return rc;
}

/* currentPage, availablePage and one record per record_name child. */
static int parse_paged(const xmlNode *root, navoi__response *out, const char *result_name,
                       const char *record_name)
{
    const xmlNode *res = navoi__xml_child(root, NAVOI__NS_API, result_name);
    const xmlNode *e;
    int rc;

    if (!res)
        return fail(out, NAVOI_EPROTO, "%s missing", result_name);
    rc = new_result(out);
    if (rc == NAVOI_OK)
        rc = meta_count(out, res, "currentPage");
    if (rc == NAVOI_OK)
        rc = meta_count(out, res, "availablePage");
    for (e = navoi__xml_child(res, NAVOI__NS_API, record_name); e && rc == NAVOI_OK;
         e = navoi__xml_next(e, NAVOI__NS_API, record_name))
        rc = add_record(out, out->result, e, NULL);
    return rc;
}

static int parse_check(const xmlNode *root, navoi__response *out)
{
    int rc = new_result(out);

    if (rc == NAVOI_OK)
        rc = meta_bool(out, root, "invoiceCheckResult", 1);
    return rc;
}

static int parse_invoice_data(const xmlNode *root, navoi__response *out)
{
    const xmlNode *res;
    char *flag = NULL, *b64 = NULL, *content = NULL;
    size_t content_len = 0;
    int compressed = 0, rc;

    rc = new_result(out);
    if (rc != NAVOI_OK)
        return rc;
    /* No hit is an OK answer without invoiceDataResult (PROTOCOL.md 5.6). */
    res = navoi__xml_child(root, NAVOI__NS_API, "invoiceDataResult");
    if (!res)
        return NAVOI_OK;
    rc = child_text(res, NAVOI__NS_API, "compressedContentIndicator", &flag);
    if (rc == NAVOI_OK)
        rc = child_text(res, NAVOI__NS_API, "invoiceData", &b64);
    if (rc != NAVOI_OK)
        goto out;
    if (!flag || (compressed = parse_bool(flag)) < 0) {
        rc = fail(out, NAVOI_EPROTO, "invoiceDataResult/compressedContentIndicator '%.32s' "
                                     "is not a boolean", shown(flag));
        goto out;
    }
    if (!b64) {
        rc = fail(out, NAVOI_EPROTO, "invoiceDataResult without invoiceData");
        goto out;
    }
    rc = decode_payload(out, "invoiceData", b64, compressed, &content, &content_len);
    if (rc != NAVOI_OK)
        goto out;
    rc = add_record(out, out->result, res, "invoiceData");
    if (rc != NAVOI_OK)
        goto out;
    navoi__result_set_content(out->result, content, content_len);
    content = NULL;
out:
    navoi__free(flag);
    navoi__free(b64);
    navoi__free(content);
    return rc;
}

static int parse_taxpayer(const xmlNode *root, navoi__response *out)
{
    const xmlNode *data;
    char *info = NULL;
    int rc;

    rc = new_result(out);
    if (rc == NAVOI_OK)
        rc = child_text(root, NAVOI__NS_API, "infoDate", &info);
    if (rc == NAVOI_OK && info)
        rc = set_meta(out, "infoDate", info);
    navoi__free(info);
    if (rc == NAVOI_OK)
        rc = meta_bool(out, root, "taxpayerValidity", 0);
    if (rc != NAVOI_OK)
        return rc;
    data = navoi__xml_child(root, NAVOI__NS_API, "taxpayerData");
    if (data)
        rc = add_record(out, out->result, data, NULL);
    return rc;
}

/* ---- queryTransactionStatus ----------------------------------------- */

/* NAV's validationResultCode. An unknown value counts as ERROR: a result
 * code NAV adds later should stop a caller, not be overlooked. */
static int severity_of(const char *s)
{
    if (strcmp(s, "INFO") == 0)
        return NAVOI_SEVERITY_INFO;
    if (strcmp(s, "WARN") == 0)
        return NAVOI_SEVERITY_WARN;
    if (strcmp(s, "CRITICAL") == 0)
        return NAVOI_SEVERITY_CRITICAL;
    return NAVOI_SEVERITY_ERROR;
}

/* One technicalValidationMessages (children in the common namespace) or
 * businessValidationMessages (children and pointer in the api namespace). */
static int read_message(navoi__response *out, navoi_txn *t, navoi__txn_item *it,
                        const xmlNode *m, int kind)
{
    const char *ns = kind == NAVOI_MSG_TECHNICAL ? NAVOI__NS_COMMON : NAVOI__NS_API;
    const xmlNode *ptr = NULL;
    char *res = NULL, *code = NULL, *text = NULL;
    char *tag = NULL, *value = NULL, *line = NULL, *oin = NULL;
    int rc;

    rc = child_text(m, ns, "validationResultCode", &res);
    if (rc == NAVOI_OK)
        rc = child_text(m, ns, "validationErrorCode", &code);
    if (rc == NAVOI_OK)
        rc = child_text(m, ns, "message", &text);
    if (rc == NAVOI_OK && kind == NAVOI_MSG_BUSINESS &&
        (ptr = navoi__xml_child(m, NAVOI__NS_API, "pointer")) != NULL) {
        rc = child_text(ptr, NAVOI__NS_API, "tag", &tag);
        if (rc == NAVOI_OK)
            rc = child_text(ptr, NAVOI__NS_API, "value", &value);
        if (rc == NAVOI_OK)
            rc = child_text(ptr, NAVOI__NS_API, "line", &line);
        if (rc == NAVOI_OK)
            rc = child_text(ptr, NAVOI__NS_API, "originalInvoiceNumber", &oin);
    }
    if (rc != NAVOI_OK)
        goto out;
    if (!res) {
        rc = fail(out, NAVOI_EPROTO, "item %d: validation message without "
                                     "validationResultCode", (int)it->index);
        goto out;
    }
    rc = navoi__txn_add_message(t, it, kind, severity_of(res), code, text, tag, value, line,
                                oin);
    if (rc == NAVOI_EPROTO)
        rc = fail(out, rc, "item %d: validation messages exceed a limit (%u per item, "
                           "%u bytes each)", (int)it->index, NAVOI__TXN_MAX_MESSAGES,
                  NAVOI__TXN_MAX_TEXT);
out:
    navoi__free(res);
    navoi__free(code);
    navoi__free(text);
    navoi__free(tag);
    navoi__free(value);
    navoi__free(line);
    navoi__free(oin);
    return rc;
}

static int read_processing_result(navoi__response *out, navoi_txn *t, const xmlNode *pr)
{
    char *idx = NULL, *bidx = NULL, *st = NULL, *flag = NULL, *orig = NULL;
    const xmlNode *c;
    navoi__txn_item *it = NULL;
    int32_t index = 0, batch = 0;
    int status, compressed = 0, rc;

    rc = child_text(pr, NAVOI__NS_API, "index", &idx);
    if (rc == NAVOI_OK)
        rc = child_text(pr, NAVOI__NS_API, "batchIndex", &bidx);
    if (rc == NAVOI_OK)
        rc = child_text(pr, NAVOI__NS_API, "invoiceStatus", &st);
    if (rc == NAVOI_OK)
        rc = child_text(pr, NAVOI__NS_API, "compressedContentIndicator", &flag);
    if (rc == NAVOI_OK)
        rc = child_text(pr, NAVOI__NS_API, "originalRequest", &orig);
    if (rc != NAVOI_OK)
        goto out;
    if (!idx || parse_count(idx, &index) != 0 || index < 1) {
        rc = fail(out, NAVOI_EPROTO, "processingResult index '%.32s' is not an index",
                  shown(idx));
        goto out;
    }
    if (bidx && (parse_count(bidx, &batch) != 0 || batch < 1)) {
        rc = fail(out, NAVOI_EPROTO, "item %d: batchIndex '%.32s' is not an index",
                  (int)index, bidx);
        goto out;
    }
    status = navoi__status_from_name(st);
    if (status == NAVOI_STATUS_UNKNOWN) {
        rc = fail(out, NAVOI_EPROTO, "item %d: unknown invoiceStatus '%.32s'", (int)index,
                  shown(st));
        goto out;
    }
    /* Mandatory in the XSD; a missing flag is read as "not compressed" so
     * the status itself still gets through. */
    if (flag && (compressed = parse_bool(flag)) < 0) {
        rc = fail(out, NAVOI_EPROTO, "item %d: compressedContentIndicator '%.32s' is not a "
                                     "boolean", (int)index, flag);
        goto out;
    }
    rc = navoi__txn_add_item(t, index, batch, status, &it);
    if (rc == NAVOI_EPROTO) {
        rc = fail(out, rc, "item %d/%d reported twice, or more than %u items", (int)index,
                  (int)batch, NAVOI__TXN_MAX_ITEMS);
        goto out;
    }
    if (rc != NAVOI_OK)
        goto out;
    it->compressed = compressed;
    for (c = pr->children; c && rc == NAVOI_OK; c = c->next) {
        if (navoi__xml_is(c, NAVOI__NS_API, "technicalValidationMessages"))
            rc = read_message(out, t, it, c, NAVOI_MSG_TECHNICAL);
        else if (navoi__xml_is(c, NAVOI__NS_API, "businessValidationMessages"))
            rc = read_message(out, t, it, c, NAVOI_MSG_BUSINESS);
    }
    if (rc != NAVOI_OK)
        goto out;
    if (orig) {
        char *data = NULL;
        size_t len = 0;

        rc = decode_payload(out, "originalRequest", orig, compressed, &data, &len);
        if (rc != NAVOI_OK)
            goto out;
        navoi__txn_item_set_original(it, data, len);
    }
out:
    navoi__free(idx);
    navoi__free(bidx);
    navoi__free(st);
    navoi__free(flag);
    navoi__free(orig);
    return rc;
}

static int parse_status(const xmlNode *root, navoi__response *out)
{
    const xmlNode *prs, *pr, *ann;
    char *ver = NULL, *as = NULL, *ad = NULL, *au = NULL;
    navoi_txn *t = NULL;
    int rc;

    /* The transaction id is not echoed; the caller's handle carries it. */
    rc = navoi__txn_new(&t, "", "");
    if (rc != NAVOI_OK)
        return rc;
    /* An unknown transaction id is funcCode OK without processingResults. */
    prs = navoi__xml_child(root, NAVOI__NS_API, "processingResults");
    if (!prs)
        goto out;
    for (pr = navoi__xml_child(prs, NAVOI__NS_API, "processingResult"); pr && rc == NAVOI_OK;
         pr = navoi__xml_next(pr, NAVOI__NS_API, "processingResult"))
        rc = read_processing_result(out, t, pr);
    if (rc != NAVOI_OK)
        goto out;
    rc = child_text(prs, NAVOI__NS_API, "originalRequestVersion", &ver);
    if (rc == NAVOI_OK && ver)
        rc = navoi__txn_set_request_version(t, ver);
    if (rc != NAVOI_OK)
        goto out;
    ann = navoi__xml_child(prs, NAVOI__NS_API, "annulmentData");
    if (ann) {
        rc = child_text(ann, NAVOI__NS_API, "annulmentVerificationStatus", &as);
        if (rc == NAVOI_OK)
            rc = child_text(ann, NAVOI__NS_API, "annulmentDecisionDate", &ad);
        if (rc == NAVOI_OK)
            rc = child_text(ann, NAVOI__NS_API, "annulmentDecisionUser", &au);
        if (rc != NAVOI_OK)
            goto out;
        if (!as || !*as || strlen(as) > 64) {
            rc = fail(out, NAVOI_EPROTO, "annulmentData without a valid "
                                         "annulmentVerificationStatus");
            goto out;
        }
        if ((ad && strlen(ad) > 64) || (au && strlen(au) > 64)) {
            rc = fail(out, NAVOI_EPROTO, "annulmentData decision date or user too long");
            goto out;
        }
        rc = navoi__txn_set_annulment(t, as, ad, au);
    }
out:
    navoi__free(ver);
    navoi__free(as);
    navoi__free(ad);
    navoi__free(au);
    if (rc == NAVOI_OK)
        out->status = t;
    else
        navoi_txn_free(t);
    return rc;
}

/* ---- entry points ---------------------------------------------------- */

static int parse_body(int op, const xmlNode *root, navoi__response *out)
{
    switch (op) {
    case NAVOI__OP_TOKEN_EXCHANGE:
        return parse_token(root, out);
    case NAVOI__OP_MANAGE_INVOICE:
    case NAVOI__OP_MANAGE_ANNULMENT:
        return parse_transaction_id(root, out);
    case NAVOI__OP_QUERY_TRANSACTION_STATUS:
        return parse_status(root, out);
    case NAVOI__OP_QUERY_TRANSACTION_LIST:
        return parse_paged(root, out, "transactionListResult", "transaction");
    case NAVOI__OP_QUERY_INVOICE_CHECK:
        return parse_check(root, out);
    case NAVOI__OP_QUERY_INVOICE_DATA:
        return parse_invoice_data(root, out);
    case NAVOI__OP_QUERY_INVOICE_DIGEST:
        return parse_paged(root, out, "invoiceDigestResult", "invoiceDigest");
    case NAVOI__OP_QUERY_INVOICE_CHAIN_DIGEST:
        return parse_paged(root, out, "invoiceChainDigestResult", "invoiceChainElement");
    case NAVOI__OP_QUERY_TAXPAYER:
        return parse_taxpayer(root, out);
    default:
        return NAVOI_EINVAL;
    }
}

int navoi__response_parse(int op, const char *body, size_t len, navoi__response *out)
{
    const navoi__op_info *info = navoi__op(op);
    xmlDocPtr doc = NULL;
    const xmlNode *root, *res;
    char err[256];
    int rc, error_root = 0;

    if (!out)
        return NAVOI_EINVAL;
    memset(out, 0, sizeof *out);
    if (!info)
        return fail(out, NAVOI_EINVAL, "unknown operation %d", op);
    if (!body || len == 0)
        return fail(out, NAVOI_EPROTO, "empty response body");

    rc = navoi__xml_read(body, len, &doc, err, sizeof err);
    if (rc == NAVOI_ENOMEM)
        goto out;
    if (rc == NAVOI_ETOOBIG) {
        rc = fail(out, NAVOI_EPROTO, "response body too large");
        goto out;
    }
    if (rc != NAVOI_OK) {
        rc = fail(out, NAVOI_EPROTO, "response is not usable XML: %s", err);
        goto out;
    }
    root = xmlDocGetRootElement(doc);

    if (navoi__xml_is(root, NAVOI__NS_COMMON, "GeneralExceptionResponse")) {
        /* A bare BasicResultType: funcCode, errorCode, message at top level. */
        error_root = 1;
        rc = read_result(root, out);
    } else if (navoi__xml_is(root, NAVOI__NS_API, "GeneralErrorResponse") ||
               navoi__xml_is(root, NAVOI__NS_COMMON, "GeneralErrorHeaderResponse")) {
        /* header and software may be missing (PROTOCOL.md 1.3): only result
         * is needed. */
        error_root = 1;
        res = navoi__xml_child(root, NAVOI__NS_COMMON, "result");
        if (!res)
            rc = fail(out, NAVOI_EPROTO, "%s without result", (const char *)root->name);
        else
            rc = read_result(res, out);
        if (rc == NAVOI_OK)
            rc = summarize_technical(root, out);
    } else if (navoi__xml_is(root, NAVOI__NS_API, info->response_root)) {
        res = navoi__xml_child(root, NAVOI__NS_COMMON, "result");
        if (!res)
            rc = fail(out, NAVOI_EPROTO, "%s without result", info->response_root);
        else
            rc = read_result(res, out);
    } else {
        rc = fail(out, NAVOI_EPROTO, "unexpected response root '%.64s' in namespace '%.80s' "
                                     "(expected %s)",
                  (const char *)root->name,
                  root->ns && root->ns->href ? (const char *)root->ns->href : "",
                  info->response_root);
    }
    if (rc != NAVOI_OK)
        goto out;

    /* funcCode decides, whatever the HTTP status or root was. */
    if (strcmp(out->res.func_code, "ERROR") == 0) {
        rc = NAVOI_ENAV;
        goto out;
    }
    if (error_root) {
        rc = fail(out, NAVOI_EPROTO, "%s with funcCode OK", (const char *)root->name);
        goto out;
    }
    rc = parse_body(op, root, out);
out:
    if (doc)
        xmlFreeDoc(doc);
    if (rc != NAVOI_OK && rc != NAVOI_ENAV) {
        /* Half-parsed values must not be mistaken for an answer; res stays
         * for the explanation. */
        navoi_result_free(out->result);
        out->result = NULL;
        navoi_txn_free(out->status);
        out->status = NULL;
        navoi__secret_free(out->encoded_token);
        out->encoded_token = NULL;
        out->transaction_id[0] = '\0';
    }
    return rc;
}

void navoi__response_clear(navoi__response *r)
{
    if (!r)
        return;
    navoi__free(r->res.message);
    /* Not the token itself, but together with the exchange key it is. */
    navoi__secret_free(r->encoded_token);
    navoi_result_free(r->result);
    navoi_txn_free(r->status);
    memset(r, 0, sizeof *r);
}
