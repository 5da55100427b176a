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

/* The seller of most tests: technical user simuser01 of taxpayer 99999999
 * (NAV's sample supplier), as an [user] section and as a client. */
#define ST_SELLER_INI                                                                        \
    "[user]\n"                                                                               \
    "login = simuser01\n"                                                                    \
    "password = Teszt-Jelszo-01\n"                                                           \
    "taxNumber = 99999999\n"                                                                 \
    "signKey = ce-8f5e-215119fa7dd621DLMRHRLH2S\n"                                           \
    "exchangeKey = 9febIBBQRLZ348IB\n"
extern const st_user st_seller;

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
/* requestVersion of the requests built from now on (NULL = "3.0"). */
void st_set_request_version(const char *v);
/* Number of validation messages (technical or business) in a
 * queryTransactionStatus response with this validationResultCode and
 * validationErrorCode (NULL = any). */
int st_has_message(const char *xml, size_t len, const char *level, const char *code);
/* tokenExchange + decrypt; returns the token (malloc'd). */
char *st_token(sim_server *s, const st_user *u);
/* base64 of the file under $NAVOI_NAV_DATA (optionally gzipped). */
char *st_b64_file(const char *rel, int gzip);
char *st_b64(const char *data, size_t len, int gzip);
/* Polls queryTransactionStatus until every item is final; returns the
 * last response body (malloc'd). */
char *st_wait_final(sim_server *s, const st_user *u, const char *txid);

/* Own fixture tests/data/sim/rules/<name> (malloc'd). */
char *st_fixture(const char *name);
/* Replaces the nth (1-based) occurrence of `from` in xml with `to`; a
 * `from` of the form "A..B" replaces everything from A to the end of the
 * next B. Frees xml, returns the new text; asserts that `from` is there. */
char *st_edit(char *xml, const char *from, int nth, const char *to);
/* tokenExchange + manageInvoice (annul: manageAnnulment) of one
 * uncompressed item; asserts HTTP 200, returns the transactionId. */
char *st_submit(sim_server *s, const st_user *u, int annul, const st_item *it);
/* st_submit of one payload (op ANNUL: an InvoiceAnnulment) by u, then
 * polls; returns the final queryTransactionStatus response (malloc'd). */
char *st_run(sim_server *s, const st_user *u, const char *op, const char *xml);
/* First invoiceStatus of a status response is `want`. */
void st_assert_status(const char *body, const char *want);
/* DONE without a single validation message. */
void st_assert_clean(const char *body, const char *what);
/* sim_seed_invoice, asserting success. */
void st_seed(sim_server *s, const char *xml);
/* Deletes a state file (with its WAL files) and its temporary folder. */
void st_remove_state(const char *dir, const char *path);

#endif
