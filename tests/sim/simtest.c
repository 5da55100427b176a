/* simtest.c - see simtest.h. */
#include "simtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "common/buf.h"
#include "crypto/crypto.h"
#include "crypto/sign.h"
#include "navoi/navoi.h"
#include "testutil.h"
#include "xml/schema.h"

const st_user st_seller = {"simuser01", "Teszt-Jelszo-01", "99999999",
                           "ce-8f5e-215119fa7dd621DLMRHRLH2S", "9febIBBQRLZ348IB"};

sim_server *st_start(const char *config)
{
    sim_config *cfg = NULL;
    sim_server *s = NULL;
    char err[512];
    ck_assert_msg(sim_config_parse(config, strlen(config), &cfg, err, sizeof err) == 0,
                  "config: %s", err);
    {
        char *schemas = nt_nav_path("schemas");
        ck_assert_int_eq(sim_config_set(cfg, "settings", "schemas", schemas, err, sizeof err), 0);
        free(schemas);
    }
    ck_assert_msg(sim_new(&s, cfg, err, sizeof err) == 0, "sim_new: %s", err);
    ck_assert_msg(sim_start(s, 0) == 0, "sim_start: %s", sim_errmsg(s));
    ck_assert_uint_gt(sim_port(s), 0);
    return s;
}

static size_t on_data(char *p, size_t sz, size_t n, void *ud)
{
    st_resp *r = ud;
    char *nb = realloc(r->body, r->len + sz * n + 1);
    if (!nb)
        return 0;
    r->body = nb;
    memcpy(r->body + r->len, p, sz * n);
    r->len += sz * n;
    r->body[r->len] = '\0';
    return sz * n;
}

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void st_post_ex(sim_server *s, const char *path, const char *ctype, const char *method,
                const char *body, size_t len, long timeout_ms, st_resp *out)
{
    CURL *c = curl_easy_init();
    struct curl_slist *h = NULL;
    char url[512], hdr[128];
    double t0;
    memset(out, 0, sizeof *out);
    ck_assert_ptr_nonnull(c);
    snprintf(url, sizeof url, "http://127.0.0.1:%u%s", (unsigned)sim_port(s), path);
    snprintf(hdr, sizeof hdr, "Content-Type: %s", ctype ? ctype : "application/xml");
    h = curl_slist_append(h, hdr);
    h = curl_slist_append(h, "Accept: application/xml");
    h = curl_slist_append(h, "Expect:");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms > 0 ? timeout_ms : 30000L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
    if (method && strcmp(method, "POST") != 0) {
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    } else {
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body ? body : "");
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    }
    t0 = mono();
    out->cc = curl_easy_perform(c);
    out->secs = mono() - t0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->http);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    if (!out->body)
        out->body = calloc(1, 1);
}

void st_post(sim_server *s, const char *op, const char *body, st_resp *out)
{
    char path[128];
    snprintf(path, sizeof path, "/invoiceService/v3/%s", op);
    st_post_ex(s, path, NULL, "POST", body, strlen(body), 0, out);
}

void st_resp_free(st_resp *r)
{
    free(r->body);
    r->body = NULL;
}

static xmlNodePtr find(xmlNodePtr n, const char *local, int *count)
{
    xmlNodePtr hit = NULL;
    for (; n; n = n->next) {
        xmlNodePtr sub;
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (!strcmp((const char *)n->name, local)) {
            if (count)
                (*count)++;
            if (!hit)
                hit = n;
        }
        sub = find(n->children, local, count);
        if (!hit)
            hit = sub;
    }
    return hit;
}

char *st_text(const char *xml, size_t len, const char *local)
{
    xmlDocPtr d = xmlReadMemory(xml, (int)len, NULL, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR |
                                                               XML_PARSE_NOWARNING);
    xmlNodePtr n;
    char *r = NULL;
    if (!d)
        return NULL;
    n = find(xmlDocGetRootElement(d), local, NULL);
    if (n) {
        xmlChar *t = xmlNodeGetContent(n);
        r = strdup(t ? (const char *)t : "");
        xmlFree(t);
    }
    xmlFreeDoc(d);
    return r;
}

int st_count(const char *xml, size_t len, const char *local)
{
    xmlDocPtr d = xmlReadMemory(xml, (int)len, NULL, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR |
                                                               XML_PARSE_NOWARNING);
    int n = 0;
    if (!d)
        return -1;
    find(xmlDocGetRootElement(d), local, &n);
    xmlFreeDoc(d);
    return n;
}

int st_valid_api(const char *xml, size_t len)
{
    static navoi__schemas *sch;
    char err[512];
    int rc;
    if (!sch) {
        char *dir = nt_nav_path("schemas");
        rc = navoi__schemas_load(dir, &sch, err, sizeof err);
        free(dir);
        ck_assert_msg(rc == NAVOI_OK, "schemas: %s", err);
    }
    rc = navoi__schemas_validate_mem(sch, NAVOI__SCHEMA_API, xml, len, err, sizeof err);
    if (rc != NAVOI_OK)
        fprintf(stderr, "response not valid against invoiceApi.xsd: %s\n%.*s\n", err,
                (int)(len > 2000 ? 2000 : len), xml);
    return rc == NAVOI_OK;
}

static const char *g_version = "3.0";

void st_set_request_version(const char *v)
{
    g_version = v ? v : "3.0";
}

int st_has_message(const char *xml, size_t len, const char *level, const char *code)
{
    xmlDocPtr d = xmlReadMemory(xml, (int)len, NULL, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR |
                                                               XML_PARSE_NOWARNING);
    xmlNodePtr n, m;
    int hits = 0;
    if (!d)
        return 0;
    /* processingResults/processingResult/{technical,business}ValidationMessages */
    for (n = find(xmlDocGetRootElement(d), "processingResult", NULL); n; n = n->next) {
        for (m = n->children; m; m = m->next) {
            xmlChar *lv = NULL, *cd = NULL;
            xmlNodePtr k;
            if (m->type != XML_ELEMENT_NODE || !strstr((const char *)m->name, "ValidationMessages"))
                continue;
            for (k = m->children; k; k = k->next) {
                if (k->type != XML_ELEMENT_NODE)
                    continue;
                if (!strcmp((const char *)k->name, "validationResultCode"))
                    lv = xmlNodeGetContent(k);
                else if (!strcmp((const char *)k->name, "validationErrorCode"))
                    cd = xmlNodeGetContent(k);
            }
            if (lv && cd && (!level || !strcmp((const char *)lv, level)) &&
                (!code || !strcmp((const char *)cd, code)))
                hits++;
            xmlFree(lv);
            xmlFree(cd);
        }
    }
    xmlFreeDoc(d);
    return hits;
}

static void fresh_request_id(char out[31])
{
    static unsigned counter;
    snprintf(out, 31, "RID%ld%u%u", (long)time(NULL), (unsigned)getpid() % 100000, ++counter);
}

static char *envelope(sim_server *s, const st_user *u, const char *root, const char *rid_in,
                      const char *inner, const navoi__sign_item *items, size_t n)
{
    char rid[31], ts[25], pwh[129], sig[129];
    char ms_ts[64];
    int64_t now = sim_now_ms(s);
    time_t secs = (time_t)(now / 1000);
    struct tm tm;
    size_t cap;
    char *out;
    if (rid_in)
        snprintf(rid, sizeof rid, "%s", rid_in);
    else
        fresh_request_id(rid);
    gmtime_r(&secs, &tm);
    snprintf(ms_ts, sizeof ms_ts, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(now % 1000));
    memcpy(ts, ms_ts, 24);
    ts[24] = '\0';
    ck_assert_int_eq(navoi__password_hash(u->password, pwh), NAVOI_OK);
    ck_assert_int_eq(navoi__request_signature(rid, ts, u->sign_key, items, n, sig), NAVOI_OK);
    cap = strlen(inner) + 4096;
    out = malloc(cap);
    ck_assert_ptr_nonnull(out);
    snprintf(out, cap,
             "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
             "<%s xmlns=\"http://schemas.nav.gov.hu/OSA/3.0/api\" "
             "xmlns:common=\"http://schemas.nav.gov.hu/NTCA/1.0/common\">"
             "<common:header><common:requestId>%s</common:requestId>"
             "<common:timestamp>%s</common:timestamp>"
             "<common:requestVersion>%s</common:requestVersion>"
             "<common:headerVersion>1.0</common:headerVersion></common:header>"
             "<common:user><common:login>%s</common:login>"
             "<common:passwordHash cryptoType=\"SHA-512\">%s</common:passwordHash>"
             "<common:taxNumber>%s</common:taxNumber>"
             "<common:requestSignature cryptoType=\"SHA3-512\">%s</common:requestSignature>"
             "</common:user>"
             "<software><softwareId>HU99999999NAVOI001</softwareId>"
             "<softwareName>navoi sim tests</softwareName>"
             "<softwareOperation>LOCAL_SOFTWARE</softwareOperation>"
             "<softwareMainVersion>0.1</softwareMainVersion>"
             "<softwareDevName>navoi</softwareDevName>"
             "<softwareDevContact>dev@example.com</softwareDevContact>"
             "<softwareDevCountryCode>HU</softwareDevCountryCode></software>"
             "%s</%s>",
             root, rid, ts, g_version, u->login, pwh, u->tax, sig, inner, root);
    return out;
}

char *st_request(sim_server *s, const st_user *u, const char *root, const char *request_id,
                 const char *inner)
{
    return envelope(s, u, root, request_id, inner, NULL, 0);
}

char *st_manage(sim_server *s, const st_user *u, int annul, const char *token, int compressed,
                const st_item *items, size_t n)
{
    navoi__sign_item si[100];
    navoi__buf inner = NAVOI__BUF_INIT;
    char *out;
    size_t i;
    ck_assert_uint_le(n, 100);
    navoi__buf_puts(&inner, "<exchangeToken>");
    navoi__buf_puts(&inner, token);
    navoi__buf_puts(&inner, "</exchangeToken>");
    navoi__buf_puts(&inner, annul ? "<annulmentOperations>" : "<invoiceOperations>");
    if (!annul)
        navoi__buf_puts(&inner, compressed ? "<compressedContent>true</compressedContent>"
                                           : "<compressedContent>false</compressedContent>");
    for (i = 0; i < n; i++) {
        char idx[64];
        si[i].operation = items[i].op;
        si[i].data = items[i].data;
        si[i].data_len = strlen(items[i].data);
        snprintf(idx, sizeof idx, "<index>%u</index>", (unsigned)(i + 1));
        navoi__buf_puts(&inner, annul ? "<annulmentOperation>" : "<invoiceOperation>");
        navoi__buf_puts(&inner, idx);
        navoi__buf_puts(&inner, annul ? "<annulmentOperation>" : "<invoiceOperation>");
        navoi__buf_puts(&inner, items[i].op);
        navoi__buf_puts(&inner, annul ? "</annulmentOperation>" : "</invoiceOperation>");
        navoi__buf_puts(&inner, annul ? "<invoiceAnnulment>" : "<invoiceData>");
        navoi__buf_puts(&inner, items[i].data);
        navoi__buf_puts(&inner, annul ? "</invoiceAnnulment>" : "</invoiceData>");
        navoi__buf_puts(&inner, annul ? "</annulmentOperation>" : "</invoiceOperation>");
    }
    navoi__buf_puts(&inner, annul ? "</annulmentOperations>" : "</invoiceOperations>");
    ck_assert_int_eq(navoi__buf_status(&inner), NAVOI_OK);
    out = envelope(s, u, annul ? "ManageAnnulmentRequest" : "ManageInvoiceRequest", NULL,
                   inner.data, si, n);
    navoi__buf_free(&inner);
    return out;
}

char *st_token(sim_server *s, const st_user *u)
{
    char *req = st_request(s, u, "TokenExchangeRequest", NULL, "");
    st_resp r;
    char *enc;
    char tok[NAVOI__TOKEN_MAX + 1];
    st_post(s, "tokenExchange", req, &r);
    free(req);
    ck_assert_msg(r.http == 200, "tokenExchange HTTP %ld: %s", r.http, r.body);
    ck_assert(st_valid_api(r.body, r.len));
    enc = st_text(r.body, r.len, "encodedExchangeToken");
    ck_assert_ptr_nonnull(enc);
    ck_assert_int_eq(navoi__token_decrypt(enc, strlen(enc), u->exch_key, tok), NAVOI_OK);
    ck_assert_uint_eq(strlen(tok), 48);
    free(enc);
    st_resp_free(&r);
    return strdup(tok);
}

char *st_b64(const char *data, size_t len, int gzip)
{
    navoi__buf z = NAVOI__BUF_INIT, b = NAVOI__BUF_INIT;
    char *out;
    if (gzip) {
        ck_assert_int_eq(navoi__gzip(data, len, &z), NAVOI_OK);
        data = z.data;
        len = z.len;
    }
    ck_assert_int_eq(navoi__base64_encode(data, len, &b), NAVOI_OK);
    out = strdup(b.data);
    navoi__buf_free(&z);
    navoi__buf_free(&b);
    return out;
}

char *st_b64_file(const char *rel, int gzip)
{
    size_t len;
    char *d = nt_read_nav(rel, &len);
    char *out = st_b64(d, len, gzip);
    free(d);
    return out;
}

char *st_wait_final(sim_server *s, const st_user *u, const char *txid)
{
    int i;
    char inner[256];
    snprintf(inner, sizeof inner, "<transactionId>%s</transactionId>", txid);
    /* generous: processing delay is 0 in tests, a loaded machine is slow */
    for (i = 0; i < 600; i++) {
        char *req = st_request(s, u, "QueryTransactionStatusRequest", NULL, inner);
        st_resp r;
        int pending;
        st_post(s, "queryTransactionStatus", req, &r);
        free(req);
        ck_assert_msg(r.http == 200, "status HTTP %ld: %s", r.http, r.body);
        ck_assert(st_valid_api(r.body, r.len));
        pending = strstr(r.body, ">RECEIVED<") || strstr(r.body, ">PROCESSING<") ||
                  strstr(r.body, ">SAVED<");
        if (!pending && st_count(r.body, r.len, "processingResult") > 0)
            return r.body;
        st_resp_free(&r);
        usleep(50000);
    }
    ck_abort_msg("transaction %s did not finish", txid);
    return NULL;
}

char *st_fixture(const char *name)
{
    char rel[128], *path, *xml;
    snprintf(rel, sizeof rel, "sim/rules/%s", name);
    path = nt_data_path(rel);
    xml = nt_read_file(path, NULL);
    free(path);
    return xml;
}

char *st_edit(char *xml, const char *from, int nth, const char *to)
{
    char a[256], *p, *end, *out, *dots = strstr(from, "..");
    size_t alen, n;
    snprintf(a, sizeof a, "%.*s", dots ? (int)(dots - from) : (int)strlen(from), from);
    alen = strlen(a);
    for (p = strstr(xml, a); p && nth > 1; nth--)
        p = strstr(p + 1, a);
    ck_assert_msg(p != NULL, "fixture has no '%s'", a);
    end = p + alen;
    if (dots) {
        end = strstr(p, dots + 2);
        ck_assert_msg(end != NULL, "fixture has no '%s'", dots + 2);
        end += strlen(dots + 2);
    }
    n = strlen(xml) - (size_t)(end - p) + strlen(to) + 1;
    out = malloc(n);
    ck_assert_ptr_nonnull(out);
    snprintf(out, n, "%.*s%s%s", (int)(p - xml), xml, to, end);
    free(xml);
    return out;
}

char *st_submit(sim_server *s, const st_user *u, int annul, const st_item *it)
{
    char *tok = st_token(s, u), *req, *id;
    st_resp r;
    req = st_manage(s, u, annul, tok, 0, it, 1);
    st_post(s, annul ? "manageAnnulment" : "manageInvoice", req, &r);
    ck_assert_msg(r.http == 200, "manage HTTP %ld: %s", r.http, r.body);
    id = st_text(r.body, r.len, "transactionId");
    ck_assert_ptr_nonnull(id);
    st_resp_free(&r);
    free(req);
    free(tok);
    return id;
}

char *st_run(sim_server *s, const st_user *u, const char *op, const char *xml)
{
    char *b64 = st_b64(xml, strlen(xml), 0), *id, *body;
    st_item it = {op, b64};
    id = st_submit(s, u, !strcmp(op, "ANNUL"), &it);
    body = st_wait_final(s, u, id);
    free(id);
    free(b64);
    return body;
}

void st_remove_state(const char *dir, const char *path)
{
    nt_remove_sqlite(path);
    rmdir(dir);
}

void st_assert_status(const char *body, const char *want)
{
    char *st = st_text(body, strlen(body), "invoiceStatus");
    ck_assert_msg(st && !strcmp(st, want), "status %s, want %s: %s", st ? st : "-", want, body);
    free(st);
}

void st_assert_clean(const char *body, const char *what)
{
    ck_assert_msg(st_has_message(body, strlen(body), NULL, NULL) == 0, "%s: messages in %s", what,
                  body);
    st_assert_status(body, "DONE");
}

void st_seed(sim_server *s, const char *xml)
{
    char err[256];
    ck_assert_msg(sim_seed_invoice(s, xml, strlen(xml), err, sizeof err) == 0, "seed: %s", err);
}
