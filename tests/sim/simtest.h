/* simtest.h - helpers for the simulator suites: start navoi-sim in-process
 * on an ephemeral port, POST with libcurl, build signed requests from text
 * templates (signed with src/crypto/sign.h, a separate implementation from
 * the simulator's verifier) and pick values out of responses. */
#ifndef NAVOI_SIMTEST_H
#define NAVOI_SIMTEST_H

#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>

#include "sim.h"

typedef struct st_resp {
    long http;
    CURLcode cc;
    char *body;
    size_t len;
    double secs;
} st_resp;

/* Parses the config text, creates and starts a server (asserts on failure). */
sim_server *st_start(const char *config);
/* POST body to <base>/<op>; timeout_ms 0 = 30 s. ctype NULL = application/xml. */
void st_post_ex(sim_server *s, const char *path, const char *ctype, const char *method,
                const char *body, size_t len, long timeout_ms, st_resp *out);
void st_post(sim_server *s, const char *op, const char *body, st_resp *out);
void st_resp_free(st_resp *r);

/* Text of the first element with this local name (malloc'd) or NULL. */
char *st_text(const char *xml, size_t len, const char *local);
/* Number of elements with this local name. */
int st_count(const char *xml, size_t len, const char *local);
/* 1 if the document validates against invoiceApi.xsd (via xml/schema.h). */
int st_valid_api(const char *xml, size_t len);

typedef struct st_user {
    const char *login, *password, *tax, *sign_key, *exch_key;
} st_user;

typedef struct st_item {
    const char *op;   /* CREATE / MODIFY / STORNO / ANNUL */
    const char *data; /* base64 */
} st_item;

/* A signed request: root element, inner XML after <software>, optional
 * manage items (compressed flag for manageInvoice). request_id NULL = a
 * fresh one; the timestamp is the simulator's clock. */
char *st_request(sim_server *s, const st_user *u, const char *root, const char *request_id,
                 const char *inner);
char *st_manage(sim_server *s, const st_user *u, int annul, const char *token, int compressed,
                const st_item *items, size_t n);
/* tokenExchange + decrypt; returns the token (malloc'd). */
char *st_token(sim_server *s, const st_user *u);
/* base64 of the file under $NAVOI_NAV_DATA (optionally gzipped). */
char *st_b64_file(const char *rel, int gzip);
char *st_b64(const char *data, size_t len, int gzip);
/* Polls queryTransactionStatus until every item is final; returns the
 * last response body (malloc'd). */
char *st_wait_final(sim_server *s, const st_user *u, const char *txid);

#endif
