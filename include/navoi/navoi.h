/*
 * navoi.h - the whole public contract of libnavoi.
 *
 * libnavoi reports Hungarian invoices to NAV Online Számla (REST API v3.0).
 * This header is C89-clean and usable from C++ and from FFI layers
 * (cffi, ctypes, PHP FFI): only opaque handles, integers and strings cross
 * it; there are no varargs, no public structs and no callbacks that the
 * caller must provide.
 *
 * Conventions (see docs/ for the long form):
 *  - Fallible functions return NAVOI_OK (0) or a negative NAVOI_E... code.
 *    Detail (message, NAV errorCode, HTTP status) is kept on the client
 *    handle: navoi_client_errmsg(), navoi_client_nav_error_code(),
 *    navoi_client_http_status().
 *  - NAV business outcomes (ABORTED, validation messages, still processing)
 *    are data on a navoi_txn, never error codes.
 *  - Inputs are copied on entry. Returned const char * are borrowed from the
 *    handle they came from and stay valid until that handle changes or is
 *    freed. Memory returned through a char ** is owned by the caller and is
 *    released with navoi_free().
 *  - Lifecycle: navoi_x_new(&out, ...) sets *out to NULL on failure;
 *    navoi_x_free(NULL) is a no-op.
 *  - Threading: a handle may be used by one thread at a time. Different
 *    handles may be used concurrently. navoi_set_allocator() must be called
 *    before any other function, from one thread.
 *  - Secrets (password, signing key, exchange key, exchange token,
 *    passwordHash) never reach a log line, an error message or a result.
 */
#ifndef NAVOI_NAVOI_H
#define NAVOI_NAVOI_H

#include <stddef.h>
#include <stdint.h>

#include "navoi-version.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(NAVOI_BUILDING) && defined(__GNUC__)
#define NAVOI_API __attribute__((visibility("default")))
#else
#define NAVOI_API
#endif

/* ------------------------------------------------------------------ */
/** @defgroup errors Error codes
 *  Explicit, appended only, never renumbered.
 *  @{ */
#define NAVOI_OK 0          /**< success */
#define NAVOI_EINVAL (-1)   /**< bad argument (NULL, out of range, malformed setting) */
#define NAVOI_ENOMEM (-2)   /**< an allocation failed; nothing was changed */
#define NAVOI_EIO (-3)      /**< a local file could not be read or written */
#define NAVOI_ECONFIG (-4)  /**< a required setting is missing or unusable */
#define NAVOI_EKEY (-5)     /**< a key or password has the wrong form (length, whitespace) */
#define NAVOI_EPERM (-6)    /**< a key file has unsafe mode, owner or is a symlink */
#define NAVOI_EXML (-7)     /**< input XML is not well-formed or has the wrong root */
#define NAVOI_ESCHEMA (-8)  /**< a document failed XSD validation */
#define NAVOI_ENET (-9)     /**< network failure before the request body was sent */
#define NAVOI_ETIMEOUT (-10) /**< no answer in time; see NAVOI_EAMBIGUOUS for manage calls */
#define NAVOI_ETLS (-11)    /**< TLS failure (certificate, host name); never retried */
#define NAVOI_EHTTP (-12)   /**< HTTP error status without a NAV XML body */
#define NAVOI_ENAV (-13)    /**< NAV answered funcCode ERROR; see navoi_client_nav_error_code() */
#define NAVOI_EPROTO (-14)  /**< the response is not a valid NAV response */
#define NAVOI_ETOOBIG (-15) /**< a size limit was exceeded (response, request, items) */
#define NAVOI_ECRYPTO (-16) /**< token decryption failed (wrong exchange key?) */
#define NAVOI_EUSER (-17)   /**< a user callback returned non-zero */
#define NAVOI_ENOTFOUND (-18) /**< the requested item does not exist */
#define NAVOI_ESTATE (-19)  /**< illegal state or state transition */
#define NAVOI_EAMBIGUOUS (-20) /**< a manage request may have reached NAV: outcome unknown */
#define NAVOI_ESIGNATURE (-21) /**< a requestSignature does not match (sign-check) */
/** @} */

/** @defgroup categories Error categories (triage, PROTOCOL.md section 7)
 *  @{ */
#define NAVOI_CAT_NONE 0      /**< no error */
#define NAVOI_CAT_CONFIG 1    /**< configuration or credentials: stop and surface */
#define NAVOI_CAT_DATA 2      /**< request data: a person must fix it, no retry */
#define NAVOI_CAT_TRANSIENT 3 /**< network or NAV outage: retry with backoff */
#define NAVOI_CAT_AMBIGUOUS 4 /**< outcome unknown: reconcile before any resubmission */
#define NAVOI_CAT_SECURITY 5  /**< TLS or key-file safety: never retried */
/** @} */

/** @defgroup enums Enumerations
 *  @{ */
#define NAVOI_ENV_TEST 1        /**< https://api-test.onlineszamla.nav.gov.hu */
#define NAVOI_ENV_PRODUCTION 2  /**< https://api.onlineszamla.nav.gov.hu */

#define NAVOI_SOFTWARE_LOCAL 1  /**< softwareOperation LOCAL_SOFTWARE */
#define NAVOI_SOFTWARE_ONLINE 2 /**< softwareOperation ONLINE_SERVICE */

#define NAVOI_OP_CREATE 1 /**< invoiceOperation CREATE */
#define NAVOI_OP_MODIFY 2 /**< invoiceOperation MODIFY */
#define NAVOI_OP_STORNO 3 /**< invoiceOperation STORNO */

#define NAVOI_ANNUL_ERRATIC_DATA 1 /**< annulmentCode ERRATIC_DATA */
#define NAVOI_ANNUL_ERRATIC_INVOICE_NUMBER 2 /**< annulmentCode ERRATIC_INVOICE_NUMBER */
#define NAVOI_ANNUL_ERRATIC_INVOICE_ISSUE_DATE 3 /**< annulmentCode ERRATIC_INVOICE_ISSUE_DATE */
#define NAVOI_ANNUL_ERRATIC_ELECTRONIC_HASH_VALUE 4 /**< annulmentCode ERRATIC_ELECTRONIC_HASH_VALUE */

#define NAVOI_OUTBOUND 1 /**< invoices the caller issued */
#define NAVOI_INBOUND 2  /**< invoices issued to the caller */

#define NAVOI_STATUS_UNKNOWN 0 /**< not yet reported by NAV */
#define NAVOI_STATUS_RECEIVED 1 /**< invoiceStatus RECEIVED */
#define NAVOI_STATUS_PROCESSING 2 /**< invoiceStatus PROCESSING */
#define NAVOI_STATUS_SAVED 3 /**< invoiceStatus SAVED (stored, checks not finished) */
#define NAVOI_STATUS_DONE 4 /**< invoiceStatus DONE (final: reported) */
#define NAVOI_STATUS_ABORTED 5 /**< invoiceStatus ABORTED (final: not reported) */

#define NAVOI_MSG_TECHNICAL 1 /**< technicalValidationMessages */
#define NAVOI_MSG_BUSINESS 2  /**< businessValidationMessages */

#define NAVOI_SEVERITY_INFO 1 /**< validationResultCode INFO */
#define NAVOI_SEVERITY_WARN 2 /**< validationResultCode WARN */
#define NAVOI_SEVERITY_ERROR 3 /**< validationResultCode ERROR */
#define NAVOI_SEVERITY_CRITICAL 4 /**< validationResultCode CRITICAL (reserved by NAV) */

/** electronicInvoiceHash input (PROTOCOL.md 3.5). */
#define NAVOI_EHASH_BASE64_TEXT 1  /**< spec wording: SHA3-512 of the sent base64 text (default) */
#define NAVOI_EHASH_DECODED_XML 2  /**< official sample: SHA3-512 of the invoice XML bytes */

/** Flags of navoi_manage_invoice(). */
#define NAVOI_MANAGE_COMPRESS 1u   /**< gzip -1 every invoice, compressedContent=true */

/** Flags of navoi_query_transaction_status(). */
#define NAVOI_STATUS_RETURN_ORIGINAL 1u /**< returnOriginalRequest=true */

/** Relational query operators (queryInvoiceDigest). */
#define NAVOI_QOP_EQ 1 /**< queryOperator EQ */
#define NAVOI_QOP_GT 2 /**< queryOperator GT */
#define NAVOI_QOP_GTE 3 /**< queryOperator GTE */
#define NAVOI_QOP_LT 4 /**< queryOperator LT */
#define NAVOI_QOP_LTE 5 /**< queryOperator LTE */

/** Log levels; a client logs at its level and below. */
#define NAVOI_LOG_ERROR 1 /**< failures */
#define NAVOI_LOG_WARN 2 /**< problems that were handled */
#define NAVOI_LOG_INFO 3 /**< one line per request */
#define NAVOI_LOG_DEBUG 4 /**< details of requests and answers */
#define NAVOI_LOG_TRACE 5 /**< everything (still without secrets) */
/** @} */

/* ------------------------------------------------------------------ */
/** @defgroup handles Opaque handles
 *  @{ */
typedef struct navoi_client navoi_client;   /**< configuration, credentials, last error */
typedef struct navoi_invoice navoi_invoice; /**< one InvoiceData document to report */
typedef struct navoi_txn navoi_txn;         /**< one manage transaction and its per-index results */
typedef struct navoi_result navoi_result;   /**< parsed records of a query response */
typedef struct navoi_digest_query navoi_digest_query; /**< parameters of queryInvoiceDigest */
/** @} */

/* ------------------------------------------------------------------ */
/** @defgroup hooks Callback types
 *  @{ */

/**
 * Receives one finished log line.
 * @param level NAVOI_LOG_*.
 * @param correlation_id the request id (or caller's correlation id) the line
 *        belongs to; "" when there is none. Never NULL.
 * @param message the finished message, without trailing newline. Never NULL.
 * @param userdata as given to navoi_client_set_log().
 */
typedef void (*navoi_log_fn)(int level, const char *correlation_id,
                             const char *message, void *userdata);

/** Returns the current time in milliseconds since 1970-01-01T00:00:00Z. */
typedef int64_t (*navoi_clock_fn)(void *userdata);

/** Fills buf with len random bytes; returns 0, or non-zero to fail (NAVOI_EUSER). */
typedef int (*navoi_random_fn)(unsigned char *buf, size_t len, void *userdata);

/** Allocator functions for navoi_set_allocator(), with malloc/realloc/free semantics. */
typedef void *(*navoi_malloc_fn)(size_t size);
/** realloc() replacement for navoi_set_allocator(). */
typedef void *(*navoi_realloc_fn)(void *ptr, size_t size);
/** free() replacement for navoi_set_allocator(). */
typedef void (*navoi_free_fn)(void *ptr);
/** @} */

/* ------------------------------------------------------------------ */
/** @defgroup library Library-wide functions
 *  @{ */

/**
 * Returns the runtime version string, e.g. "0.1.0".
 * @return a static string, never NULL.
 * @since 0.1
 */
NAVOI_API const char *navoi_version(void);

/**
 * Returns the runtime version as (major << 16) | (minor << 8) | patch.
 * Compare with NAVOI_VERSION_NUM to detect a header/library mismatch.
 * @since 0.1
 */
NAVOI_API uint32_t navoi_version_num(void);

/**
 * Returns a static English description of an error code.
 * @param code NAVOI_OK or a NAVOI_E... code; unknown codes give a generic text.
 * @return never NULL.
 * @since 0.1
 */
NAVOI_API const char *navoi_strerror(int code);

/**
 * Replaces the allocator navoi uses for its own memory (not that of libcurl,
 * libxml2 or OpenSSL). Call before any other navoi function.
 * @return NAVOI_OK, or NAVOI_EINVAL if any function is NULL.
 * @since 0.1
 */
NAVOI_API int navoi_set_allocator(navoi_malloc_fn malloc_fn,
                                  navoi_realloc_fn realloc_fn,
                                  navoi_free_fn free_fn);

/**
 * Releases memory that navoi returned through a char ** out parameter.
 * NULL-safe. The memory is wiped before release.
 * @since 0.1
 */
NAVOI_API void navoi_free(void *ptr);

/**
 * Returns the name of an item status ("RECEIVED" ... "ABORTED", "UNKNOWN").
 * @since 0.1
 */
NAVOI_API const char *navoi_status_name(int status);

/**
 * Returns the triage category (NAVOI_CAT_*) of an error, following
 * PROTOCOL.md section 7.
 * @param code a NAVOI_E... code.
 * @param nav_error_code NAV's errorCode, or NULL.
 * @param manage non-zero if the failed call was manageInvoice/manageAnnulment.
 * @since 0.1
 */
NAVOI_API int navoi_error_category(int code, const char *nav_error_code,
                                   int manage);

/**
 * Reads a key or password file and returns its content with one trailing
 * line break removed. The file must be a regular file (not a symlink),
 * owned by the calling user, with mode 0600 or 0400.
 * @param path file name.
 * @param out receives the secret; release it with navoi_free() (which wipes it).
 * @return NAVOI_OK, NAVOI_EPERM (unsafe file), NAVOI_EIO, NAVOI_EKEY (empty),
 *         NAVOI_ENOMEM.
 * @since 0.1
 */
NAVOI_API int navoi_secret_file_read(const char *path, char **out);

/**
 * Recomputes the requestSignature of a complete NAV request document (any of
 * the ten operations) with the given signing key.
 * @param xml the request bytes. @param len their length.
 * @param sign_key the technical user's signing key.
 * @param report_out optional; receives a human-readable report: the inputs
 *        (requestId, masked timestamp, per-index hashes) and, on mismatch,
 *        which input differs when that can be determined. Release with navoi_free().
 * @return NAVOI_OK if the signature matches, NAVOI_ESIGNATURE if not,
 *         NAVOI_EXML if the document is not a NAV request, NAVOI_ENOMEM.
 * @since 0.1
 */
NAVOI_API int navoi_sign_check(const char *xml, size_t len, const char *sign_key,
                               char **report_out);
/** @} */

/* ------------------------------------------------------------------ */
/** @defgroup client Client: configuration and credentials
 *  @{ */

/**
 * Creates a client with defaults: test environment, 5 s connect timeout,
 * 10 s query timeout, 70 s manage timeout, 32 MiB response cap, SHA3 of
 * the base64 text for electronicInvoiceHash, system clock and randomness.
 * @param out receives the client, or NULL on failure.
 * @return NAVOI_OK, NAVOI_EINVAL, NAVOI_ENOMEM.
 * @since 0.1
 */
NAVOI_API int navoi_client_new(navoi_client **out);

/** Frees the client and wipes every secret it holds. NULL-safe. @since 0.1 */
NAVOI_API void navoi_client_free(navoi_client *client);

/**
 * Selects NAV's test or production service (NAVOI_ENV_*); clears a base URL.
 * @since 0.1
 */
NAVOI_API int navoi_client_set_environment(navoi_client *client, int env);

/**
 * Uses any base URL instead of NAV's, e.g. the local simulator
 * "http://127.0.0.1:8080/invoiceService/v3". Must be http or https.
 * Plain http is refused for NAV's own host names.
 * @since 0.1
 */
NAVOI_API int navoi_client_set_base_url(navoi_client *client, const char *url);

/** Technical user login ([a-zA-Z0-9]{6,15}). @return NAVOI_OK, NAVOI_EINVAL. @since 0.1 */
NAVOI_API int navoi_client_set_login(navoi_client *client, const char *login);

/**
 * Sets the technical user's password. It is hashed (SHA-512) on entry and
 * the plaintext copy wiped; only the hash is kept.
 * @return NAVOI_OK, NAVOI_EKEY (empty, or leading/trailing whitespace or line
 *         break, the classic paste mistake), NAVOI_ENOMEM.
 * @since 0.1
 */
NAVOI_API int navoi_client_set_password(navoi_client *client, const char *password);

/**
 * Sets the 128-hex-digit SHA-512 passwordHash directly (any case; sent upper-case).
 * @since 0.1
 */
NAVOI_API int navoi_client_set_password_hash(navoi_client *client, const char *hex);

/**
 * Sets the taxpayer's tax number: 8 digits, or the 11-digit form
 * (12345678-1-42 or 12345678142) of which the first 8 are used.
 * @return NAVOI_OK, NAVOI_EINVAL with a message.
 * @since 0.1
 */
NAVOI_API int navoi_client_set_tax_number(navoi_client *client, const char *tax_number);

/**
 * Sets the XML signing key (aláírókulcs). Refused with NAVOI_EKEY when it
 * contains whitespace or a line break, or is not 32 characters long (every
 * key NAV issues has that length; see PROTOCOL.md 4).
 * @since 0.1
 */
NAVOI_API int navoi_client_set_signing_key(navoi_client *client, const char *key);

/**
 * Sets the XML exchange key (cserekulcs). It must be exactly 16 characters
 * (one AES-128 key) without whitespace, else NAVOI_EKEY.
 * @since 0.1
 */
NAVOI_API int navoi_client_set_exchange_key(navoi_client *client, const char *key);

/**
 * Sets the software block sent with every request (NAV uses the contact
 * address to reach the developer about problems).
 * @param client the client.
 * @param id softwareId, exactly 18 characters of [0-9A-Z-].
 * @param name softwareName, 1..50 characters, not blank.
 * @param operation NAVOI_SOFTWARE_LOCAL or NAVOI_SOFTWARE_ONLINE.
 * @param main_version softwareMainVersion, 1..15 characters.
 * @param dev_name softwareDevName, 1..512 characters.
 * @param dev_contact softwareDevContact, an e-mail address, 1..200 characters.
 * @param dev_country softwareDevCountryCode ([A-Z]{2}) or NULL.
 * @param dev_tax_number softwareDevTaxNumber or NULL.
 * @return NAVOI_OK, NAVOI_EINVAL with a message naming the field, NAVOI_ENOMEM.
 * @since 0.1
 */
NAVOI_API int navoi_client_set_software(navoi_client *client, const char *id,
                                        const char *name, int operation,
                                        const char *main_version,
                                        const char *dev_name,
                                        const char *dev_contact,
                                        const char *dev_country,
                                        const char *dev_tax_number);

/** Uses a CA bundle file for TLS verification. Verification is never off. @since 0.1 */
NAVOI_API int navoi_client_set_ca_file(navoi_client *client, const char *path);

/**
 * Sets timeouts in milliseconds. The query timeout is raised to at least
 * 5000 ms (NAV's blocking timeout), the manage timeout to at least 61000 ms
 * (NAV's 60 s edge timeout plus margin), PROTOCOL.md 1.5.
 * @since 0.1
 */
NAVOI_API int navoi_client_set_timeouts(navoi_client *client, uint32_t connect_ms,
                                        uint32_t query_ms, uint32_t manage_ms);

/** Caps the response body size (default 32 MiB, minimum 4096). @since 0.1 */
NAVOI_API int navoi_client_set_max_response(navoi_client *client, uint32_t bytes);

/**
 * Enables XSD validation of invoices and of every built request with NAV's
 * schemas from dir (invoiceApi.xsd, invoiceData.xsd, ...). The schemas are
 * compiled once here and reused.
 * @return NAVOI_OK, NAVOI_EIO (missing file), NAVOI_ESCHEMA (does not compile).
 * @since 0.1
 */
NAVOI_API int navoi_client_set_schema_dir(navoi_client *client, const char *dir);

/** Selects the electronicInvoiceHash input, NAVOI_EHASH_*. @since 0.1 */
NAVOI_API int navoi_client_set_invoice_hash_mode(navoi_client *client, int mode);

/**
 * Sets the log hook and the most verbose level passed to it (default: no
 * hook). Log lines never contain secrets.
 * @since 0.1
 */
NAVOI_API void navoi_client_set_log(navoi_client *client, navoi_log_fn fn,
                                    int max_level, void *userdata);

/** Sets the clock hook (NULL restores the system clock). @since 0.1 */
NAVOI_API void navoi_client_set_clock(navoi_client *client, navoi_clock_fn fn,
                                      void *userdata);

/** Sets the randomness hook for requestIds (NULL restores OpenSSL's RAND). @since 0.1 */
NAVOI_API void navoi_client_set_random(navoi_client *client, navoi_random_fn fn,
                                       void *userdata);

/**
 * Returns the message of the last failed call on this client ("" if none).
 * Borrowed until the next call on the client. Never NULL.
 * @since 0.1
 */
NAVOI_API const char *navoi_client_errmsg(const navoi_client *client);

/** Returns NAV's errorCode of the last failed call ("" if none). Never NULL. @since 0.1 */
NAVOI_API const char *navoi_client_nav_error_code(const navoi_client *client);

/** Returns the HTTP status of the last response (0 if none). @since 0.1 */
NAVOI_API int navoi_client_http_status(const navoi_client *client);

/** Returns the NAVOI_CAT_* triage category of the last failed call. @since 0.1 */
NAVOI_API int navoi_client_error_category(const navoi_client *client);

/**
 * Returns the server's clock skew seen in the last response's Date header,
 * in ms (server minus local); 0 when unknown.
 * @since 0.1
 */
NAVOI_API int64_t navoi_client_server_skew_ms(const navoi_client *client);
/** @} */

/* ------------------------------------------------------------------ */
/** @defgroup invoice Invoices
 *  @{ */

/**
 * Creates an invoice from InvoiceData XML in memory, plain or gzip. The
 * document must be well-formed and its root must be InvoiceData in
 * namespace http://schemas.nav.gov.hu/OSA/3.0/data. If the client has a
 * schema directory, the invoice is also validated (NAVOI_ESCHEMA).
 * @param out receives the invoice, or NULL on failure.
 * @param client optional; receives the error detail and provides the schemas.
 * @param data the document bytes (copied). @param len their length.
 * @param operation NAVOI_OP_CREATE, _MODIFY or _STORNO.
 * @return NAVOI_OK, NAVOI_EINVAL, NAVOI_EXML, NAVOI_ESCHEMA, NAVOI_ETOOBIG
 *         (over 15,000,000 bytes uncompressed), NAVOI_ENOMEM.
 * @since 0.1
 */
NAVOI_API int navoi_invoice_new(navoi_invoice **out, navoi_client *client,
                                const char *data, size_t len, int operation);

/** Same as navoi_invoice_new(), reading the document from a file. @since 0.1 */
NAVOI_API int navoi_invoice_new_from_file(navoi_invoice **out, navoi_client *client,
                                          const char *path, int operation);

/** Frees an invoice. NULL-safe. @since 0.1 */
NAVOI_API void navoi_invoice_free(navoi_invoice *invoice);

/** Returns invoiceNumber (borrowed, never NULL). @since 0.1 */
NAVOI_API const char *navoi_invoice_number(const navoi_invoice *invoice);

/** Returns invoiceIssueDate as YYYY-MM-DD (borrowed, never NULL). @since 0.1 */
NAVOI_API const char *navoi_invoice_issue_date(const navoi_invoice *invoice);

/** Returns the NAVOI_OP_* operation. @since 0.1 */
NAVOI_API int navoi_invoice_operation(const navoi_invoice *invoice);

/** Returns 1 if completenessIndicator is true (the report is the e-invoice). @since 0.1 */
NAVOI_API int navoi_invoice_is_electronic(const navoi_invoice *invoice);

/** Returns the XML bytes (borrowed) and their length in len_out. @since 0.1 */
NAVOI_API const char *navoi_invoice_xml(const navoi_invoice *invoice, size_t *len_out);
/** @} */

/* ------------------------------------------------------------------ */
/** @defgroup ops NAV operations
 *  Every operation signs its request with the client's credentials, sends it
 *  and parses the answer. On failure the client carries the detail.
 *  @{ */

/**
 * tokenExchange: obtains a single-use exchange token, decrypts it with the
 * exchange key and keeps it (as a secret) for the next manage call.
 * manage calls fetch a token themselves when none is held, so calling this
 * is only needed to check credentials.
 * @param client the client.
 * @param valid_to_ms_out optional; receives tokenValidityTo (ms since epoch, UTC).
 * @return NAVOI_OK, NAVOI_ECONFIG, NAVOI_ENAV, NAVOI_ECRYPTO, transport codes.
 * @since 0.1
 */
NAVOI_API int navoi_token_exchange(navoi_client *client, int64_t *valid_to_ms_out);

/**
 * manageInvoice: reports 1 to 100 invoices in one transaction. Uses a held
 * token or fetches a fresh one; the token is consumed either way. Never sent
 * over a reused connection.
 * @param client the client.
 * @param invoices array of n invoices (their own operations are used).
 * @param n number of invoices, 1..100.
 * @param flags NAVOI_MANAGE_COMPRESS or 0.
 * @param out receives the transaction (transactionId, per-index statuses
 *        once polled).
 * @return NAVOI_OK; NAVOI_ETOOBIG (n > 100 or body over 10 MiB); NAVOI_ENAV;
 *         NAVOI_EAMBIGUOUS when the request may have reached NAV without an
 *         answer (run the lost-transaction procedure before resubmitting).
 * @since 0.1
 */
NAVOI_API int navoi_manage_invoice(navoi_client *client,
                                   navoi_invoice *const *invoices, size_t n,
                                   unsigned flags, navoi_txn **out);

/**
 * manageAnnulment: technical annulment of 1 to 100 reports.
 * @param client the client.
 * @param references invoice or amending-document numbers.
 * @param codes NAVOI_ANNUL_* per reference.
 * @param reasons annulmentReason per reference (1..1024 chars).
 * @param n number of annulments, 1..100.
 * @param out receives the transaction.
 * @return as navoi_manage_invoice().
 * @since 0.1
 */
NAVOI_API int navoi_manage_annulment(navoi_client *client,
                                     const char *const *references,
                                     const int *codes, const char *const *reasons,
                                     size_t n, navoi_txn **out);

/**
 * queryTransactionStatus for a transaction id; creates a new txn handle.
 * @param client the client.
 * @param transaction_id the transactionId NAV returned.
 * @param flags NAVOI_STATUS_RETURN_ORIGINAL or 0.
 * @param out receives the transaction.
 * @return NAVOI_OK (an unknown id gives a txn with no items), NAVOI_ENAV, ...
 * @since 0.1
 */
NAVOI_API int navoi_query_transaction_status(navoi_client *client,
                                             const char *transaction_id,
                                             unsigned flags, navoi_txn **out);

/**
 * queryTransactionList: transactions inserted in [from_ms, to_ms] (UTC,
 * at most 35 days), one page.
 * Records have fields insDate, insCusUser, source, transactionId,
 * requestStatus, technicalAnnulment, originalRequestVersion, itemCount.
 * Meta fields: currentPage, availablePage.
 * @param client the client.
 * @param from_ms start of the insDate range (ms since epoch, UTC).
 * @param to_ms end of the range, inclusive.
 * @param page page number, >= 1.
 * @param request_status optional filter (RECEIVED ... NOTIFIED) or NULL.
 * @param out receives the records.
 * @return NAVOI_OK, NAVOI_EINVAL (range over 35 days or reversed), NAVOI_ENAV, ...
 * @since 0.1
 */
NAVOI_API int navoi_query_transaction_list(navoi_client *client, int64_t from_ms,
                                           int64_t to_ms, int32_t page,
                                           const char *request_status,
                                           navoi_result **out);

/**
 * queryInvoiceCheck.
 * @param client the client.
 * @param invoice_number the invoice or amending-document number.
 * @param direction NAVOI_OUTBOUND or NAVOI_INBOUND.
 * @param batch_index 0 for none.
 * @param supplier_tax_number 8 digits or NULL (INBOUND only).
 * @param exists_out receives 1 if exactly one valid instance is visible.
 * @return NAVOI_OK, NAVOI_ENAV (MULTIPLE_QUERY_RESULT_FOUND when several), ...
 * @since 0.1
 */
NAVOI_API int navoi_query_invoice_check(navoi_client *client,
                                        const char *invoice_number, int direction,
                                        int32_t batch_index,
                                        const char *supplier_tax_number,
                                        int *exists_out);

/**
 * queryInvoiceData. The result has no record when NAV found nothing;
 * otherwise one record with fields invoiceNumber... as NAV sent them
 * (auditData/insdate, auditData/transactionId, compressedContentIndicator,
 * electronicInvoiceHash and its cryptoType attribute, ...), and
 * navoi_result_content() gives the decoded (gunzipped if flagged) XML.
 * @since 0.1
 */
NAVOI_API int navoi_query_invoice_data(navoi_client *client,
                                       const char *invoice_number, int direction,
                                       int32_t batch_index,
                                       const char *supplier_tax_number,
                                       navoi_result **out);

/**
 * queryInvoiceDigest with the parameters of q. Records are invoiceDigest
 * elements (fields invoiceNumber, invoiceOperation, supplierTaxNumber, ...,
 * insDate); meta fields currentPage, availablePage.
 * @since 0.1
 */
NAVOI_API int navoi_query_invoice_digest(navoi_client *client,
                                         const navoi_digest_query *q,
                                         navoi_result **out);

/**
 * queryInvoiceChainDigest. Records are invoiceChainElement elements
 * (fields invoiceChainDigest/invoiceNumber, invoiceLines/maxLineNumber,
 * invoiceLines/newCreatedLines[1]/lineNumberIntervalStart, ...,
 * invoiceReferenceData/modificationIndex); meta currentPage, availablePage.
 * @param client the client.
 * @param invoice_number the base invoice number.
 * @param direction NAVOI_OUTBOUND or NAVOI_INBOUND.
 * @param tax_number the other party's tax number or NULL.
 * @param page page number, >= 1.
 * @param out receives the records.
 * @since 0.1
 */
NAVOI_API int navoi_query_invoice_chain_digest(navoi_client *client,
                                               const char *invoice_number,
                                               int direction,
                                               const char *tax_number,
                                               int32_t page, navoi_result **out);

/**
 * queryTaxpayer. Meta fields infoDate, taxpayerValidity; one record with the
 * taxpayerData fields (taxpayerName, taxNumberDetail/vatCode, incorporation,
 * taxpayerAddressList/taxpayerAddressItem[1]/taxpayerAddress/city, ...) when
 * NAV knows the taxpayer, else none.
 * @param client the client.
 * @param tax_number 8 digits (or the 11-digit form).
 * @param out receives the result.
 * @since 0.1
 */
NAVOI_API int navoi_query_taxpayer(navoi_client *client, const char *tax_number,
                                   navoi_result **out);
/** @} */

/* ------------------------------------------------------------------ */
/** @defgroup digest queryInvoiceDigest parameters
 *  @{ */

/**
 * Creates query parameters. Exactly one mandatory criterion must be set
 * before use: issue date range, insert date range or original invoice number.
 * @param out receives the parameters.
 * @param direction NAVOI_OUTBOUND or NAVOI_INBOUND.
 * @param page page number, >= 1.
 * @since 0.1
 */
NAVOI_API int navoi_digest_query_new(navoi_digest_query **out, int direction,
                                     int32_t page);
/** Frees query parameters. NULL-safe. @since 0.1 */
NAVOI_API void navoi_digest_query_free(navoi_digest_query *q);
/** Sets the page (>= 1). @since 0.1 */
NAVOI_API int navoi_digest_query_set_page(navoi_digest_query *q, int32_t page);
/** Mandatory criterion: invoiceIssueDate from..to (YYYY-MM-DD). @since 0.1 */
NAVOI_API int navoi_digest_query_set_issue_date(navoi_digest_query *q,
                                                const char *date_from,
                                                const char *date_to);
/** Mandatory criterion: insDate from..to (ms since epoch, UTC). @since 0.1 */
NAVOI_API int navoi_digest_query_set_ins_date(navoi_digest_query *q,
                                              int64_t from_ms, int64_t to_ms);
/** Mandatory criterion: the chain of an original invoice number. @since 0.1 */
NAVOI_API int navoi_digest_query_set_original_invoice_number(navoi_digest_query *q,
                                                             const char *number);
/**
 * Additional criterion by XSD name: taxNumber, groupMemberTaxNumber, name,
 * invoiceCategory, paymentMethod, invoiceAppearance, source, currency.
 * Setting a name twice replaces the value; NULL value removes it.
 * @since 0.1
 */
NAVOI_API int navoi_digest_query_set_param(navoi_digest_query *q, const char *name,
                                           const char *value);
/**
 * Relational criterion: field is invoiceDelivery, paymentDate (value
 * YYYY-MM-DD) or invoiceNetAmount, invoiceNetAmountHUF, invoiceVatAmount,
 * invoiceVatAmountHUF (decimal value); op NAVOI_QOP_*. At most two per field.
 * @since 0.1
 */
NAVOI_API int navoi_digest_query_add_relation(navoi_digest_query *q,
                                              const char *field, int op,
                                              const char *value);
/**
 * Transaction criterion. index 0 = none; operation 0 = none or NAVOI_OP_*.
 * @since 0.1
 */
NAVOI_API int navoi_digest_query_set_transaction(navoi_digest_query *q,
                                                 const char *transaction_id,
                                                 int32_t index, int operation);
/** @} */

/* ------------------------------------------------------------------ */
/** @defgroup result Query results
 *  @{ */

/** Number of records. @since 0.1 */
NAVOI_API size_t navoi_result_count(const navoi_result *r);

/**
 * Value of a field of record i by its path, e.g. "invoiceNumber" or
 * "auditData/insdate". Nested elements are joined with '/'; repeated
 * siblings get "[n]" (1-based); attributes are "path@name".
 * @return borrowed string or NULL when absent.
 * @since 0.1
 */
NAVOI_API const char *navoi_result_get(const navoi_result *r, size_t i,
                                       const char *path);

/** Number of fields of record i (0 if out of range). @since 0.1 */
NAVOI_API size_t navoi_result_field_count(const navoi_result *r, size_t i);

/** Path of field k of record i, in document order; NULL if out of range. @since 0.1 */
NAVOI_API const char *navoi_result_field_name(const navoi_result *r, size_t i,
                                              size_t k);

/** Value of field k of record i; NULL if out of range. @since 0.1 */
NAVOI_API const char *navoi_result_field_value(const navoi_result *r, size_t i,
                                               size_t k);

/**
 * Response-level value outside the records, e.g. "currentPage",
 * "availablePage", "invoiceCheckResult", "taxpayerValidity", "infoDate".
 * @return borrowed string or NULL.
 * @since 0.1
 */
NAVOI_API const char *navoi_result_meta(const navoi_result *r, const char *name);

/**
 * Decoded document content (queryInvoiceData), or NULL.
 * @since 0.1
 */
NAVOI_API const char *navoi_result_content(const navoi_result *r, size_t *len_out);

/** Frees a result. NULL-safe. @since 0.1 */
NAVOI_API void navoi_result_free(navoi_result *r);
/** @} */

/* ------------------------------------------------------------------ */
/** @defgroup txn Transactions
 *  @{ */

/** transactionId (borrowed, never NULL). @since 0.1 */
NAVOI_API const char *navoi_txn_id(const navoi_txn *txn);

/** requestId of the manage request that created it ("" if not known). @since 0.1 */
NAVOI_API const char *navoi_txn_request_id(const navoi_txn *txn);

/**
 * Polls queryTransactionStatus once and updates the per-index results.
 * Illegal status regressions reported by the server (e.g. DONE back to
 * PROCESSING) are refused with NAVOI_ESTATE and the txn keeps its state.
 * @since 0.1
 */
NAVOI_API int navoi_txn_poll(navoi_client *client, navoi_txn *txn, unsigned flags);

/** 1 when every item is DONE or ABORTED (and there is at least one). @since 0.1 */
NAVOI_API int navoi_txn_is_final(const navoi_txn *txn);

/** Number of processing results (0 before the first poll). @since 0.1 */
NAVOI_API size_t navoi_txn_item_count(const navoi_txn *txn);

/** index of item i (1..100), 0 if out of range. @since 0.1 */
NAVOI_API int32_t navoi_txn_item_index(const navoi_txn *txn, size_t i);

/** batchIndex of item i, 0 when none. @since 0.1 */
NAVOI_API int32_t navoi_txn_item_batch_index(const navoi_txn *txn, size_t i);

/** NAVOI_STATUS_* of item i. @since 0.1 */
NAVOI_API int navoi_txn_item_status(const navoi_txn *txn, size_t i);

/**
 * Decoded (and gunzipped when flagged) originalRequest of item i, present
 * after a poll with NAVOI_STATUS_RETURN_ORIGINAL; NULL otherwise.
 * @since 0.1
 */
NAVOI_API const char *navoi_txn_item_original(const navoi_txn *txn, size_t i,
                                              size_t *len_out);

/** Number of validation messages of item i. @since 0.1 */
NAVOI_API size_t navoi_txn_message_count(const navoi_txn *txn, size_t i);

/**
 * Validation message k of item i. Every out parameter is optional.
 * @param txn the transaction. @param i item number (0-based). @param k message number (0-based).
 * @param kind_out NAVOI_MSG_TECHNICAL or NAVOI_MSG_BUSINESS.
 * @param severity_out NAVOI_SEVERITY_*.
 * @param code_out validationErrorCode ("" if none).
 * @param text_out message ("" if none).
 * @return NAVOI_OK or NAVOI_ENOTFOUND.
 * @since 0.1
 */
NAVOI_API int navoi_txn_message(const navoi_txn *txn, size_t i, size_t k,
                                int *kind_out, int *severity_out,
                                const char **code_out, const char **text_out);

/**
 * pointer of message k of item i; each out optional, "" when absent.
 * @since 0.1
 */
NAVOI_API int navoi_txn_message_pointer(const navoi_txn *txn, size_t i, size_t k,
                                        const char **tag_out, const char **value_out,
                                        const char **line_out,
                                        const char **original_invoice_number_out);

/**
 * annulmentVerificationStatus (manageAnnulment transactions), "" if none.
 * @since 0.1
 */
NAVOI_API const char *navoi_txn_annulment_status(const navoi_txn *txn);

/**
 * originalRequestVersion reported by NAV ("3.0", ...), "" before a poll.
 * @since 0.1
 */
NAVOI_API const char *navoi_txn_original_request_version(const navoi_txn *txn);

/**
 * Decision on a technical annulment once a primary user approved or
 * rejected it on NAV's web UI. Each out parameter is optional and gets ""
 * while undecided.
 * @param txn the transaction.
 * @param date_out annulmentDecisionDate. @param user_out annulmentDecisionUser.
 * @return NAVOI_OK, or NAVOI_ENOTFOUND when NAV sent no decision.
 * @since 0.1
 */
NAVOI_API int navoi_txn_annulment_decision(const navoi_txn *txn, const char **date_out,
                                           const char **user_out);

/** Frees a transaction handle. NULL-safe. @since 0.1 */
NAVOI_API void navoi_txn_free(navoi_txn *txn);
/** @} */

/* ------------------------------------------------------------------ */
/* @@OUTBOX-SECTION@@ (storage ops table, outbox, worker: appended here) */

/* ------------------------------------------------------------------ */
/* @@BUILDER-SECTION@@ (invoice builder and validator: appended here) */

/* ------------------------------------------------------------------ */
/* @@SYNC-SECTION@@ (incoming sync, connection check, metrics: appended here) */

#ifdef __cplusplus
}
#endif

#endif /* NAVOI_NAVOI_H */
