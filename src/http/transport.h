/*
 * transport.h - the seam between the operations and the network. The real
 * implementation is libcurl (curl.c); unit tests plug a replaying fake to
 * check exact request bytes and feed canned responses.
 */
#ifndef NAVOI_HTTP_TRANSPORT_H
#define NAVOI_HTTP_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

typedef struct navoi__http_req {
    const char *url;
    const char *body;
    size_t body_len;
    /* 1 for manageInvoice/manageAnnulment: a new connection that is closed
     * afterwards. libcurl re-sends a POST on its own when a reused
     * connection turns out dead, which for a manage call could report an
     * invoice twice. */
    int fresh_connection;
    uint32_t connect_timeout_ms;
    uint32_t timeout_ms;
    size_t max_response;
    const char *ca_file;       /* NULL = system store */
} navoi__http_req;

typedef struct navoi__http_resp {
    long status;               /* HTTP status, 0 if none arrived */
    navoi__buf body;
    int64_t date_ms;           /* server Date header, 0 if absent */
    /* 1 when the failure happened after (part of) the body may have left
     * this host: the server may have acted on the request. */
    int maybe_sent;
    char errmsg[256];          /* transport-level reason, "" on success */
} navoi__http_resp;

typedef struct navoi__transport navoi__transport;
struct navoi__transport {
    /* NAVOI_OK when an HTTP response (any status) arrived; otherwise
     * NAVOI_ENET, NAVOI_ETIMEOUT, NAVOI_ETLS, NAVOI_ETOOBIG, NAVOI_ENOMEM
     * with resp->errmsg and resp->maybe_sent set. */
    int (*send)(navoi__transport *t, const navoi__http_req *req, navoi__http_resp *resp);
    void (*destroy)(navoi__transport *t);
};

void navoi__http_resp_init(navoi__http_resp *r);
void navoi__http_resp_clear(navoi__http_resp *r);

int navoi__transport_curl_new(navoi__transport **out);

#endif
