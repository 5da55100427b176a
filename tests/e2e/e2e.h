/* e2e.h - harness of the end-to-end suites (issue 3): navoi-sim runs
 * in-process (sim.h) on an ephemeral port of 127.0.0.1, and navoi clients
 * talk to it over real HTTP(S) through libnavoi.so and the public header
 * only.
 *
 * Every client made here logs at NAVOI_LOG_TRACE into a collector that
 * scans each line for the secrets of every client of the test (password,
 * its SHA-512 hex, signing key, exchange key) and for anything shaped like
 * an exchange token; e2e_client_free() fails the test on a hit, and
 * e2e_expect_error() scans the error message the same way. */
#ifndef NAVOI_E2E_H
#define NAVOI_E2E_H

#include <stddef.h>
#include <stdint.h>

#include <check.h>

#include "navoi/navoi.h"
#include "sim.h"

/* A technical user known to the simulator. */
typedef struct e2e_user {
    const char *login;
    const char *password;
    const char *password_hash; /* uppercase SHA-512 hex of password (PROTOCOL.md 3.1) */
    const char *tax;
    const char *sign_key;
    const char *exch_key;
} e2e_user;

/* Supplier 99999999 of NAV's data samples. */
extern const e2e_user e2e_seller;
/* Supplier 98765432 of the VAT-group sample. */
extern const e2e_user e2e_group;
/* Customer 99887764 of NAV's data samples (INBOUND view). */
extern const e2e_user e2e_buyer;

/* Starts a simulator with the three users, the sample taxpayers, NAV's
 * schemas, selfCheck on and processing delays 0. settings: extra
 * "key = value\n" lines for [settings] (pageSize, tlsCert, ...) or NULL. */
sim_server *e2e_sim_start(const char *settings);
/* Same, but returns NULL with the reason in err when sim_new/sim_start
 * fail (used where failing is the point, e.g. TLS set-up). */
sim_server *e2e_sim_try(const char *settings, char *err, size_t errlen);

/* A client for user u against the simulator's base URL; schemas non-zero
 * = validate invoices and built requests with NAV's XSDs. */
navoi_client *e2e_client(const sim_server *s, const e2e_user *u, int schemas);
/* Same with explicit credentials (NULL = u's), for the misconfiguration
 * tests; each given secret is added to the list the logs are scanned for. */
navoi_client *e2e_client_custom(const sim_server *s, const e2e_user *u, const char *password,
                                const char *sign_key, const char *exch_key);
/* Fails the test if a secret reached the log or the error message; frees. */
void e2e_client_free(navoi_client *c);
/* Number of log lines collected so far in this test, and the most verbose
 * level among them. */
size_t e2e_log_lines(void);
int e2e_log_max_level(void);
/* What secret text contains ("a configured secret", "an exchange token")
 * or NULL; the check behind the two functions above and below. */
const char *e2e_find_secret(const char *text);
/* Fails the test if text contains a secret or a token. */
void e2e_assert_no_secret(const char *text, const char *where);

/* Asserts a failed call: return code, navoi_client_error_category and,
 * when nav_code is non-NULL, navoi_client_nav_error_code. */
#define e2e_expect_error(c, rc, code, cat, nav_code)                                  \
    e2e_expect_error_at((c), (rc), (code), (cat), (nav_code), __FILE__, __LINE__)
void e2e_expect_error_at(navoi_client *c, int rc, int code, int cat, const char *nav_code,
                         const char *file, int line);
/* Asserts rc == NAVOI_OK, printing the client's error otherwise. */
#define e2e_ok(c, rc) e2e_ok_at((c), (rc), #rc, __FILE__, __LINE__)
void e2e_ok_at(navoi_client *c, int rc, const char *what, const char *file, int line);

/* An invoice from a file under $NAVOI_NAV_DATA (e.g. "samples/data/X.xml"). */
navoi_invoice *e2e_nav_invoice(navoi_client *c, const char *rel, int op);
/* Polls until every item is DONE or ABORTED (deadline: minutes, never a
 * time assertion). */
void e2e_wait_final(navoi_client *c, navoi_txn *t, unsigned flags);
/* 1 when item i has a message with this validationErrorCode. */
int e2e_txn_has_code(const navoi_txn *t, size_t i, const char *code);
/* Fails the test unless item i is DONE without any ERROR message. */
void e2e_assert_done_clean(const navoi_txn *t, size_t i, const char *what);

/* Polls navoi_query_transaction_list over [from_ms, to_ms] until it lists at
 * least `want` transactions (or the deadline passes); returns the number
 * listed, collecting the ids (malloc'd) into ids_out[0..max). */
size_t e2e_list_transactions(navoi_client *c, int64_t from_ms, int64_t to_ms, size_t want,
                             char **ids_out, size_t max);

/* Monotonic milliseconds and a sleep. */
int64_t e2e_mono_ms(void);
void e2e_sleep_ms(long ms);

/* Uppercase SHA-512 hex computed with OpenSSL directly (not navoi). */
void e2e_sha512_hex(const char *s, char out[129]);

#endif
