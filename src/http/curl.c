/*
 * curl.c - the libcurl transport. Security stance (curl's
 * libcurl-security.md): peer and host verification always on, no
 * redirects, http/https only, no verbose output (it would print the
 * passwordHash and the token), a hard cap on the response size.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "common/alloc.h"
#include "crypto/timefmt.h"
#include "http/transport.h"
#include "navoi/navoi.h"

typedef struct curl_transport {
    navoi__transport base;
    CURL *easy;          /* kept across query calls for connection reuse */
} curl_transport;

typedef struct sink {
    navoi__http_resp *resp;
    size_t max;
    int too_big;
} sink;

static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static CURLcode g_init_rc = CURLE_OK;

static void global_init(void)
{
    g_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

void navoi__http_resp_init(navoi__http_resp *r)
{
    memset(r, 0, sizeof *r);
    navoi__buf_init(&r->body);
}

void navoi__http_resp_clear(navoi__http_resp *r)
{
    navoi__buf_free(&r->body);
    navoi__http_resp_init(r);
}

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *ud)
{
    sink *s = ud;
    size_t n = size * nmemb;

    if (s->resp->body.len + n > s->max) {
        s->too_big = 1;
        return 0; /* makes curl fail with CURLE_WRITE_ERROR */
    }
    navoi__buf_append(&s->resp->body, ptr, n);
    return s->resp->body.oom ? 0 : n;
}

static size_t on_header(char *ptr, size_t size, size_t nmemb, void *ud)
{
    sink *s = ud;
    size_t n = size * nmemb;
    char line[128];

    if (n > 5 && n < sizeof line && strncasecmp(ptr, "date:", 5) == 0) {
        size_t i = 5, len;
        while (i < n && (ptr[i] == ' ' || ptr[i] == '\t'))
            i++;
        len = n - i;
        while (len && (ptr[i + len - 1] == '\r' || ptr[i + len - 1] == '\n'))
            len--;
        memcpy(line, ptr + i, len);
        line[len] = '\0';
        if (navoi__parse_http_date(line, &s->resp->date_ms) != NAVOI_OK)
            s->resp->date_ms = 0;
    }
    return n;
}

static int is_tls_error(CURLcode rc)
{
    switch (rc) {
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_USE_SSL_FAILED:
        return 1;
    default:
        return 0;
    }
}

/* Failures that happen before a single byte of the request could have been
 * written: the server cannot have acted on the request. */
static int is_before_send(CURLcode rc)
{
    switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
        return 1;
    default:
        return is_tls_error(rc);
    }
}

static int curl_send(navoi__transport *t, const navoi__http_req *req, navoi__http_resp *resp)
{
    curl_transport *ct = (curl_transport *)t;
    struct curl_slist *headers = NULL, *h;
    char errbuf[CURL_ERROR_SIZE];
    sink s;
    CURLcode rc;
    curl_off_t uploaded = 0;
    int result = NAVOI_OK;

    navoi__http_resp_init(resp);
    s.resp = resp;
    s.max = req->max_response;
    s.too_big = 0;
    errbuf[0] = '\0';

    if (!ct->easy) {
        ct->easy = curl_easy_init();
        if (!ct->easy) {
            snprintf(resp->errmsg, sizeof resp->errmsg, "cannot create a libcurl handle");
            return NAVOI_ENOMEM;
        }
    }
    curl_easy_reset(ct->easy);
    headers = curl_slist_append(NULL, "Content-Type: application/xml");
    h = headers ? curl_slist_append(headers, "Accept: application/xml") : NULL;
    /* No "Expect: 100-continue": it adds a round trip and a state in
     * which it is unclear whether the body was sent. */
    h = h ? curl_slist_append(h, "Expect:") : NULL;
    if (!h) {
        curl_slist_free_all(headers);
        snprintf(resp->errmsg, sizeof resp->errmsg, "out of memory");
        return NAVOI_ENOMEM;
    }
    headers = h;

    curl_easy_setopt(ct->easy, CURLOPT_URL, req->url);
    curl_easy_setopt(ct->easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(ct->easy, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(ct->easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(ct->easy, CURLOPT_VERBOSE, 0L);
    curl_easy_setopt(ct->easy, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(ct->easy, CURLOPT_SSL_VERIFYHOST, 2L);
    if (req->ca_file)
        curl_easy_setopt(ct->easy, CURLOPT_CAINFO, req->ca_file);
    curl_easy_setopt(ct->easy, CURLOPT_POST, 1L);
    curl_easy_setopt(ct->easy, CURLOPT_POSTFIELDS, req->body);
    curl_easy_setopt(ct->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
    curl_easy_setopt(ct->easy, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(ct->easy, CURLOPT_CONNECTTIMEOUT_MS, (long)req->connect_timeout_ms);
    curl_easy_setopt(ct->easy, CURLOPT_TIMEOUT_MS, (long)req->timeout_ms);
    curl_easy_setopt(ct->easy, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)req->max_response);
    curl_easy_setopt(ct->easy, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(ct->easy, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(ct->easy, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(ct->easy, CURLOPT_HEADERDATA, &s);
    curl_easy_setopt(ct->easy, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(ct->easy, CURLOPT_USERAGENT, "navoi/" NAVOI_VERSION);
    if (req->fresh_connection) {
        curl_easy_setopt(ct->easy, CURLOPT_FRESH_CONNECT, 1L);
        curl_easy_setopt(ct->easy, CURLOPT_FORBID_REUSE, 1L);
    }

    rc = curl_easy_perform(ct->easy);
    curl_easy_getinfo(ct->easy, CURLINFO_RESPONSE_CODE, &resp->status);
    curl_easy_getinfo(ct->easy, CURLINFO_SIZE_UPLOAD_T, &uploaded);
    curl_slist_free_all(headers);

    if (rc == CURLE_OK)
        return NAVOI_OK;

    resp->maybe_sent = !is_before_send(rc) && (uploaded > 0 || rc == CURLE_OPERATION_TIMEDOUT ||
                                                rc == CURLE_GOT_NOTHING || rc == CURLE_RECV_ERROR ||
                                                rc == CURLE_SEND_ERROR || resp->status > 0);
    snprintf(resp->errmsg, sizeof resp->errmsg, "%s%s%s", curl_easy_strerror(rc),
             errbuf[0] ? ": " : "", errbuf);
    if (s.too_big || rc == CURLE_FILESIZE_EXCEEDED) {
        snprintf(resp->errmsg, sizeof resp->errmsg, "response larger than %zu bytes", req->max_response);
        result = NAVOI_ETOOBIG;
    } else if (resp->body.oom) {
        result = NAVOI_ENOMEM;
    } else if (is_tls_error(rc)) {
        result = NAVOI_ETLS;
    } else if (rc == CURLE_OPERATION_TIMEDOUT) {
        result = NAVOI_ETIMEOUT;
    } else {
        result = NAVOI_ENET;
    }
    /* A timed-out or dropped request keeps the connection out of the pool. */
    curl_easy_cleanup(ct->easy);
    ct->easy = NULL;
    return result;
}

static void curl_destroy(navoi__transport *t)
{
    curl_transport *ct = (curl_transport *)t;
    if (ct->easy)
        curl_easy_cleanup(ct->easy);
    navoi__free(ct);
}

int navoi__transport_curl_new(navoi__transport **out)
{
    curl_transport *ct;

    *out = NULL;
    pthread_once(&g_once, global_init);
    if (g_init_rc != CURLE_OK)
        return NAVOI_ENET;
    ct = navoi__calloc(1, sizeof *ct);
    if (!ct)
        return NAVOI_ENOMEM;
    ct->base.send = curl_send;
    ct->base.destroy = curl_destroy;
    *out = &ct->base;
    return NAVOI_OK;
}
