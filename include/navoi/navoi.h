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
#define NAVOI_EVALIDATION (-22) /**< the pre-submission validator found ERROR findings */
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
 *  Hooks are called synchronously, on the thread that is inside the navoi
 *  call, never later and never from a thread of navoi's own (it has none).
 *  They must not call into the client they were set on. A function shared by
 *  several clients on several threads must be thread-safe itself; userdata
 *  is passed through untouched and stays the caller's.
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
 *  Thread safety: every function here may be called from any thread at any
 *  time, except navoi_set_allocator() (once, first, single-threaded).
 *  @{ */

/**
 * Returns the runtime version string, e.g. "0.1.0".
 * Thread-safe.
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
 * Thread-safe; the string is static (never freed).
 * @param code NAVOI_OK or a NAVOI_E... code; unknown codes give a generic text.
 * @return never NULL.
 * @since 0.1
 */
NAVOI_API const char *navoi_strerror(int code);

/**
 * Replaces the allocator navoi uses for its own memory (not that of libcurl,
 * libxml2 or OpenSSL). Call before any other navoi function.
 * Not thread-safe: call it once, while no other thread uses navoi. The
 * functions must themselves be thread-safe if navoi is used from several
 * threads, and must stay valid for the life of the process.
 * @return NAVOI_OK, or NAVOI_EINVAL if any function is NULL.
 * @since 0.1
 */
NAVOI_API int navoi_set_allocator(navoi_malloc_fn malloc_fn,
                                  navoi_realloc_fn realloc_fn,
                                  navoi_free_fn free_fn);

/**
 * Releases memory that navoi returned through a char ** out parameter.
 * NULL-safe. The memory is wiped before release. Thread-safe (each block
 * is released once, by its owner).
 * @since 0.1
 */
NAVOI_API void navoi_free(void *ptr);

/**
 * Returns the name of an item status ("RECEIVED" ... "ABORTED", "UNKNOWN").
 * Thread-safe; the string is static.
 * @since 0.1
 */
NAVOI_API const char *navoi_status_name(int status);

/**
 * Returns the triage category (NAVOI_CAT_*) of an error, following
 * PROTOCOL.md section 7. Thread-safe (a pure function).
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
 * owned by the calling user, with mode 0600 or 0400. Thread-safe.
 * @param path file name.
 * @param out receives the secret; release it with navoi_free() (which wipes it).
 * @return NAVOI_OK, NAVOI_EPERM (unsafe file), NAVOI_EIO, NAVOI_EKEY (empty),
 *         NAVOI_ENOMEM.
 * @since 0.1
 */
NAVOI_API int navoi_secret_file_read(const char *path, char **out);

/**
 * Recomputes the requestSignature of a complete NAV request document (any of
 * the ten operations) with the given signing key. Thread-safe (no handle);
 * the inputs are only read, the key is not kept.
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
 *  Thread safety: a client is used by one thread at a time: its setters,
 *  its operations and its last-error getters alike (the last error belongs
 *  to the handle, so read it on the thread that made the failing call).
 *  Different clients may be used concurrently. See @ref threading.
 *
 *  Ownership: setters copy their string arguments (secrets into memory
 *  that is wiped on change and on navoi_client_free()); the caller may
 *  free or overwrite its copies when the setter returns. Strings returned
 *  by getters are borrowed from the client and valid until the next call
 *  on it.
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
 *  Thread safety: an invoice does not change after navoi_invoice_new():
 *  its getters may run concurrently, and several clients may send the same
 *  invoice at once. It must not be freed while another thread uses it.
 *  navoi_invoice_new() uses the client (when given) like any call on it.
 *
 *  Ownership: the document bytes are copied on creation; returned strings
 *  and the XML are borrowed from the invoice until navoi_invoice_free().
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
 *
 *  Thread safety: an operation uses its client exclusively for its whole
 *  duration (one thread per client at a time); operations on different
 *  clients run in parallel. Each blocks for at most one HTTP exchange,
 *  bounded by the client's timeouts (navoi_client_set_timeouts()).
 *
 *  Ownership: arguments are only read during the call. A navoi_txn or
 *  navoi_result returned through out belongs to the caller, who releases
 *  it with navoi_txn_free() or navoi_result_free(); *out is NULL on failure.
 *  Errors: every operation may also return the transport codes NAVOI_ENET,
 *  NAVOI_ETIMEOUT, NAVOI_ETLS, NAVOI_EHTTP, NAVOI_EPROTO, NAVOI_ETOOBIG,
 *  NAVOI_ECONFIG (missing settings, named in the message) and NAVOI_ENOMEM;
 *  navoi_client_error_category() says what to do about each (@ref errors).
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
 *  Thread safety: one thread at a time per navoi_digest_query; a finished
 *  query may be read by navoi_query_invoice_digest() on several clients at
 *  once. Ownership: setters copy their strings; the query belongs to the
 *  caller until navoi_digest_query_free(). Setters return NAVOI_OK,
 *  NAVOI_EINVAL (a value outside NAV's schema) or NAVOI_ENOMEM.
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
 *  Thread safety: a result never changes after it is returned; its getters
 *  may run concurrently. Ownership: the result belongs to the caller until
 *  navoi_result_free(); every string it returns is borrowed from it and
 *  valid until then.
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
 *  Thread safety: the getters only read and may run concurrently with each
 *  other; navoi_txn_poll() changes the transaction and needs it (and its
 *  client) exclusively. Ownership: the txn belongs to the caller until
 *  navoi_txn_free(); strings it returns are borrowed from it and valid until
 *  the next navoi_txn_poll() on it or navoi_txn_free().
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
/** @defgroup outbox Durable outbox and submission pipeline
 *  Every invoice accepted by navoi_outbox_enqueue() is reported to NAV
 *  exactly once, through outages, network failures, crashes and restarts.
 *  Storage is pluggable through a versioned ops table (navoi_storage_ops);
 *  the default backend is SQLite (navoi_outbox_open_sqlite()).
 *  @{ */

/** Item states, as returned by navoi_outbox_item_state(). */
#define NAVOI_ITEM_PENDING 1 /**< stored, waiting to be sent (maybe for a backoff or its original) */
#define NAVOI_ITEM_SENDING 2 /**< a manage request is (or may have been) on its way; no transactionId yet */
#define NAVOI_ITEM_SENT 3    /**< NAV returned a transactionId; polling for the outcome */
#define NAVOI_ITEM_DONE 4    /**< final: NAV reports DONE (the report happened; an annulment may still await approval, see navoi_outbox_item_annulment_status()) */
#define NAVOI_ITEM_ABORTED 5 /**< final: NAV reports ABORTED; see the validation messages */
#define NAVOI_ITEM_FAILED 6  /**< a person must fix the data; never retried automatically */
#define NAVOI_ITEM_NEEDS_ATTENTION 7 /**< retries exhausted or evidence conflicting; a person decides */

/** Operation of a technical annulment item (navoi_outbox_item_operation()). */
#define NAVOI_OP_ANNUL 4

/** Version of navoi_storage_ops this header describes (2 added the incoming-invoice,
 *  named-state and history-scan functions, 3 the optional claim_due and pace for
 *  several workers on one storage; tables filled for older versions stay valid). */
#define NAVOI_STORAGE_OPS_VERSION 3

/** Selectors of navoi_storage_ops.select. */
#define NAVOI_STORAGE_BY_KEY 1      /**< value = key */
#define NAVOI_STORAGE_BY_STATE 2    /**< items in state, ordered by (created_ms, insertion) */
#define NAVOI_STORAGE_BY_DUE 3      /**< items in state with due_ms <= due_max, ordered by (due_ms, created_ms, insertion) */
#define NAVOI_STORAGE_BY_NUMBER 4   /**< value = invoice number (or annulment reference) */
#define NAVOI_STORAGE_BY_GROUP 5    /**< value = group id (requestId of the attempt, later the transactionId) */
#define NAVOI_STORAGE_BY_ORIGINAL 6 /**< value = original key (amendments and annulments of an item) */

/**
 * Receives one item row from a storage backend.
 * @param key the item's key.
 * @param fence the item's fencing counter.
 * @param record the item record (opaque to the backend), record_len bytes.
 * @param record_len length of record.
 * @param ctx as passed to the backend by navoi.
 * @return 0 to continue, non-zero to stop (the backend returns NAVOI_EUSER).
 */
typedef int (*navoi_storage_row_fn)(const char *key, int64_t fence, const char *record,
                                    size_t record_len, void *ctx);

/**
 * Receives one payload or history entry from a storage backend.
 * @param time_ms time of a history entry (0 for a payload).
 * @param data the bytes. @param len their length.
 * @param ctx as passed to the backend by navoi.
 * @return 0 to continue, non-zero to stop (the backend returns NAVOI_EUSER).
 */
typedef int (*navoi_storage_data_fn)(int64_t time_ms, const char *data, size_t len, void *ctx);

/**
 * Receives one incoming invoice from a storage backend (version 2).
 * @param id the invoice's identity (see navoi_sync_invoice()).
 * @param ins_ms NAV's insDate of the invoice (ms since epoch, UTC).
 * @param meta the digest metadata, meta_len bytes. @param meta_len its length.
 * @param xml the invoice XML or NULL when not requested or not stored.
 * @param xml_len its length.
 * @param ctx as passed to the backend by navoi.
 * @return 0 to continue, non-zero to stop (the backend returns NAVOI_EUSER).
 */
typedef int (*navoi_storage_inbound_fn)(const char *id, int64_t ins_ms, const char *meta,
                                        size_t meta_len, const char *xml, size_t xml_len,
                                        void *ctx);

/**
 * Receives one history entry of any item, in insertion order (version 2).
 * @param seq the entry's position (strictly increasing, > 0).
 * @param key the item's key. @param time_ms the entry's time.
 * @param entry the text. @param len its length.
 * @param ctx as passed to the backend by navoi.
 * @return 0 to continue, non-zero to stop (the backend returns NAVOI_EUSER).
 */
typedef int (*navoi_storage_scan_fn)(int64_t seq, const char *key, int64_t time_ms,
                                     const char *entry, size_t len, void *ctx);

/**
 * Storage backend of an outbox: the only way the pipeline touches storage.
 * Initialise with navoi_storage_ops_init() and fill every function pointer.
 * Fields are only ever appended; version tells which fields exist.
 *
 * Contract (a multi-process backend such as PostgreSQL must keep it):
 *  - Every function returns NAVOI_OK or a negative NAVOI_E... code;
 *    NAVOI_EIO for a storage failure. A failed commit (fsync) fails the
 *    call and the transaction is rolled back; the backend never retries a
 *    failed fsync in place.
 *  - begin/commit/rollback group calls into one atomic, durable unit; after
 *    commit returned NAVOI_OK the changes survive a crash or power loss.
 *  - Each item has a fencing counter: insert sets it to 1; claim and
 *    update succeed only if the caller's fence equals the stored one, and
 *    increment it (NAVOI_ESTATE otherwise, nothing changed).
 *  - claim additionally refuses (NAVOI_ESTATE) while another owner holds
 *    an unexpired lease. A backend shared by several machines may time
 *    leases on its own clock (PostgreSQL: the database's): it then takes
 *    lease_until_ms - now_ms as the duration of the lease.
 *  - String arguments may be NULL meaning "none" (SQL NULL).
 */
typedef struct navoi_storage_ops {
    /** NAVOI_STORAGE_OPS_VERSION the table was filled for. */
    int version;
    /** Starts a transaction. */
    int (*begin)(void *userdata);
    /** Commits durably; on failure the transaction is rolled back and NAVOI_EIO returned. */
    int (*commit)(void *userdata);
    /** Discards the open transaction (no-op without one). */
    void (*rollback)(void *userdata);
    /** Inserts an item with fence 1 and no lease; NAVOI_ESTATE (nothing changed) if the key exists. */
    int (*insert)(const char *key, int state, int64_t due_ms, int64_t created_ms,
                  const char *number, const char *group_id, const char *original_key,
                  const char *record, size_t record_len, const char *payload,
                  size_t payload_len, void *userdata);
    /** Replaces the indexed fields and the record if fence matches; *fence_out gets the new fence.
     *  lease_until_ms 0 releases the lease, otherwise extends it for the holder. */
    int (*update)(const char *key, int64_t fence, int state, int64_t due_ms,
                  const char *group_id, const char *record, size_t record_len,
                  int64_t lease_until_ms, int64_t *fence_out, void *userdata);
    /** Takes the lease for owner until lease_until_ms if fence matches and no other owner
     *  holds a lease later than now_ms; *fence_out gets the new fence. */
    int (*claim)(const char *key, int64_t fence, const char *owner, int64_t now_ms,
                 int64_t lease_until_ms, int64_t *fence_out, void *userdata);
    /** Calls fn for matching items (NAVOI_STORAGE_BY_*), skipping offset, at most limit rows. */
    int (*select)(int by, const char *value, int state, int64_t due_max, size_t offset,
                  size_t limit, navoi_storage_row_fn fn, void *ctx, void *userdata);
    /** Calls fn once with the payload of key; NAVOI_ENOTFOUND if there is no such item. */
    int (*payload)(const char *key, navoi_storage_data_fn fn, void *ctx, void *userdata);
    /** Counts items in state; *oldest_created_ms_out gets the smallest created_ms (0 if none). */
    int (*count)(int state, int64_t *count_out, int64_t *oldest_created_ms_out,
                 void *userdata);
    /** Appends an entry to the item's history. */
    int (*history_add)(const char *key, int64_t time_ms, const char *entry, size_t len,
                       void *userdata);
    /** Calls fn for every history entry of key, oldest first. */
    int (*history_list)(const char *key, navoi_storage_data_fn fn, void *ctx, void *userdata);
    /** Removes an item and its history (NAVOI_OK if absent). */
    int (*remove)(const char *key, void *userdata);
    /** Releases the backend; called by navoi_outbox_free(). May be NULL. */
    void (*destroy)(void *userdata);
    /* ---- version 2 ---- */
    /** Stores an incoming invoice unless id exists; *created_out gets 1 if stored, 0 if it
     *  existed (nothing changed). xml may be NULL (digest data only). */
    int (*inbound_put)(const char *id, int64_t ins_ms, const char *meta, size_t meta_len,
                       const char *xml, size_t xml_len, int *created_out, void *userdata);
    /** Calls fn once for id (with the XML when want_xml); NAVOI_ENOTFOUND if absent. */
    int (*inbound_get)(const char *id, int want_xml, navoi_storage_inbound_fn fn, void *ctx,
                       void *userdata);
    /** Calls fn (without XML) for invoices with from_ms <= ins_ms <= to_ms, ordered by
     *  (ins_ms, id), skipping offset, at most limit rows. */
    int (*inbound_list)(int64_t from_ms, int64_t to_ms, size_t offset, size_t limit,
                        navoi_storage_inbound_fn fn, void *ctx, void *userdata);
    /** Calls fn once with the value of a named state entry; NAVOI_ENOTFOUND if absent. */
    int (*state_get)(const char *name, navoi_storage_data_fn fn, void *ctx, void *userdata);
    /** Sets a named state entry (value NULL removes it). */
    int (*state_set)(const char *name, const char *value, size_t len, void *userdata);
    /** Calls fn for history entries of every item with seq > after_seq, in seq order,
     *  at most limit entries. */
    int (*history_scan)(int64_t after_seq, size_t limit, navoi_storage_scan_fn fn, void *ctx,
                        void *userdata);
    /* ---- version 3 (both optional: may be NULL) ---- */
    /** Claims in one atomic step up to limit items in state with due_ms <= due_max, in
     *  BY_DUE order, skipping items another owner holds an unexpired lease on and items
     *  another transaction is changing (PostgreSQL: FOR UPDATE SKIP LOCKED). Each gets the
     *  lease as with claim and fence + 1; fn receives it with the new fence. Lets several
     *  workers share a storage without contending for the same items. NULL: the outbox
     *  selects and claims separately. */
    int (*claim_due)(int state, int64_t due_max, size_t limit, const char *owner,
                     int64_t now_ms, int64_t lease_until_ms, navoi_storage_row_fn fn,
                     void *ctx, void *userdata);
    /** Takes a slot of a request-pacing counter shared by every worker of the storage:
     *  when the last slot of name has ended, starts one of interval_ms and sets
     *  *wait_ms_out to 0, otherwise changes nothing and sets *wait_ms_out to the time
     *  left. now_ms is the caller's clock; a backend may use its own (PostgreSQL: the
     *  database's). NULL: each outbox paces only its own requests. */
    int (*pace)(const char *name, int64_t now_ms, uint32_t interval_ms, int64_t *wait_ms_out,
                void *userdata);
} navoi_storage_ops;

typedef struct navoi_outbox navoi_outbox;           /**< durable outbox and its worker */
typedef struct navoi_outbox_item navoi_outbox_item; /**< snapshot of one outbox item */

/**
 * Zeroes ops and sets its version.
 * @param ops the table to initialise.
 * @param version NAVOI_STORAGE_OPS_VERSION (older versions are accepted).
 * @return NAVOI_OK, NAVOI_EINVAL (NULL or unknown version).
 * @since 0.1
 */
NAVOI_API int navoi_storage_ops_init(navoi_storage_ops *ops, int version);

/**
 * Opens (creating it with mode 0600 if needed) an SQLite outbox database
 * in WAL mode with synchronous=FULL, migrating its schema when needed.
 * The client is borrowed: it must outlive the outbox and is used for
 * every NAV request, its clock, randomness and log hooks.
 * @param out receives the outbox, or NULL on failure.
 * @param client configured client (credentials, software, base URL).
 * @param path database file name ("file:" URIs are passed to SQLite).
 * @return NAVOI_OK, NAVOI_EINVAL, NAVOI_EPERM (existing file readable by
 *         others), NAVOI_EIO, NAVOI_ECONFIG (database from a newer navoi),
 *         NAVOI_ENOMEM.
 * @since 0.1
 */
NAVOI_API int navoi_outbox_open_sqlite(navoi_outbox **out, navoi_client *client,
                                       const char *path);

/**
 * Creates an outbox on a user-supplied storage backend.
 * @param out receives the outbox, or NULL on failure.
 * @param client configured client (borrowed, must outlive the outbox).
 * @param ops the backend's functions (copied).
 * @param userdata passed to every function of ops.
 * @return NAVOI_OK, NAVOI_EINVAL (missing function, unknown version), NAVOI_ENOMEM.
 * @since 0.1
 */
NAVOI_API int navoi_outbox_new(navoi_outbox **out, navoi_client *client,
                               const navoi_storage_ops *ops, void *userdata);

/**
 * Frees the outbox (calling ops->destroy). Items stay in storage. NULL-safe.
 * @param ob the outbox.
 * @since 0.1
 */
NAVOI_API void navoi_outbox_free(navoi_outbox *ob);

/**
 * Message of the last failed call on the outbox ("" if none). Never NULL.
 * @param ob the outbox.
 * @return borrowed until the next call on the outbox.
 * @since 0.1
 */
NAVOI_API const char *navoi_outbox_errmsg(const navoi_outbox *ob);

/**
 * Stores an invoice durably for reporting; returns only after the commit.
 * Enqueuing the same key again with the same invoice is a no-op.
 * @param ob the outbox.
 * @param key the caller's idempotency key (e.g. the ERP's invoice id):
 *        1..128 printable ASCII characters.
 * @param invoice the invoice; its operation (CREATE/MODIFY/STORNO) is used.
 * @param original_key for MODIFY/STORNO, the key of the original item in
 *        this outbox, or NULL to find it by originalInvoiceNumber (none
 *        found: the original was reported elsewhere). The amendment waits
 *        until its original is DONE.
 * @param created_out optional; 1 if the item was created, 0 if it existed.
 * @return NAVOI_OK, NAVOI_EINVAL, NAVOI_ENOTFOUND (original_key unknown),
 *         NAVOI_ESTATE (key exists with a different invoice), NAVOI_EIO
 *         (not stored: the item is absent), NAVOI_ENOMEM.
 * @since 0.1
 */
NAVOI_API int navoi_outbox_enqueue(navoi_outbox *ob, const char *key,
                                   const navoi_invoice *invoice, const char *original_key,
                                   int *created_out);

/**
 * Stores a technical annulment (manageAnnulment) of the report of another
 * item; it is sent once that item is DONE.
 * @param ob the outbox.
 * @param key the caller's idempotency key for the annulment.
 * @param original_key key of the item to annul.
 * @param code NAVOI_ANNUL_*.
 * @param reason annulmentReason, 1..1024 characters.
 * @param created_out optional; 1 if the item was created, 0 if it existed.
 * @return as navoi_outbox_enqueue().
 * @since 0.1
 */
NAVOI_API int navoi_outbox_enqueue_annulment(navoi_outbox *ob, const char *key,
                                             const char *original_key, int code,
                                             const char *reason, int *created_out);

/**
 * Does one bounded unit of work: one poll, one lost-transaction check or
 * one batch submission, in this order of priority; only when none is due,
 * one poll of an annulment awaiting approval
 * (navoi_outbox_set_policy_annulment()). Never waits longer than one HTTP
 * exchange.
 * @param ob the outbox.
 * @param did_work_out optional; 1 if something was done, 0 if nothing is
 *        due (see navoi_outbox_next_due()).
 * @return NAVOI_OK (also when NAV rejected something: that is item data),
 *         NAVOI_ECONFIG when sending is halted (navoi_outbox_halt_reason()),
 *         NAVOI_EIO and other codes for storage failures.
 * @since 0.1
 */
NAVOI_API int navoi_outbox_step(navoi_outbox *ob, int *did_work_out);

/**
 * Time at which the next unit of work becomes due (including the next
 * poll of an annulment awaiting approval).
 * @param ob the outbox.
 * @param due_ms_out receives the time (ms since epoch, client clock);
 *        0 when nothing is waiting.
 * @return NAVOI_OK or a storage error.
 * @since 0.1
 */
NAVOI_API int navoi_outbox_next_due(navoi_outbox *ob, int64_t *due_ms_out);

/**
 * Why sending is halted after a configuration or credential error, or
 * NULL when it is not. Polling and reconciliation stop as well.
 * @param ob the outbox.
 * @return borrowed string or NULL.
 * @since 0.1
 */
NAVOI_API const char *navoi_outbox_halt_reason(const navoi_outbox *ob);

/**
 * Resumes after a halt (call once the configuration is fixed).
 * @param ob the outbox.
 * @since 0.1
 */
NAVOI_API void navoi_outbox_resume(navoi_outbox *ob);

/**
 * Retry policy for transient failures: delay base * 2^(n-1), capped, with
 * +-jitter, until horizon after the first failure of the streak, then
 * NEEDS_ATTENTION. Defaults 30 s, 5 min, 20 %, 24 h.
 * @param ob the outbox.
 * @param base_ms first delay (>= 1).
 * @param cap_ms largest delay (>= base_ms).
 * @param jitter_percent 0..100.
 * @param horizon_ms how long to keep retrying (>= 0).
 * @return NAVOI_OK or NAVOI_EINVAL.
 * @since 0.1
 */
NAVOI_API int navoi_outbox_set_policy_retry(navoi_outbox *ob, uint32_t base_ms,
                                            uint32_t cap_ms, uint32_t jitter_percent,
                                            int64_t horizon_ms);

/**
 * Status polling pace: first poll first_ms after acceptance, then doubling
 * up to cap_ms. Defaults 1 s and 60 s (PROTOCOL.md 6.1).
 * @param ob the outbox.
 * @param first_ms first delay. @param cap_ms largest delay (>= first_ms).
 * @return NAVOI_OK or NAVOI_EINVAL.
 * @since 0.1
 */
NAVOI_API int navoi_outbox_set_policy_poll(navoi_outbox *ob, uint32_t first_ms,
                                           uint32_t cap_ms);

/**
 * Lost-transaction procedure (PROTOCOL.md 7.6): how long after an
 * ambiguous send to wait before queryTransactionList (default 5 min; NAV
 * allows itself 5 min to commit, so shorter values suit simulators only)
 * and the extra margin of the listed window (default 10 min, widened by
 * the observed server clock skew).
 * @param ob the outbox.
 * @param wait_ms wait after the send. @param margin_ms window margin.
 * @return NAVOI_OK or NAVOI_EINVAL.
 * @since 0.1
 */
NAVOI_API int navoi_outbox_set_policy_lost(navoi_outbox *ob, uint32_t wait_ms,
                                           uint32_t margin_ms);

/**
 * Batching and pacing: at most max_items (1..100, default 100) per manage
 * request, at least min_interval_ms between requests (default 1000,
 * NAV's 1 request/s, PROTOCOL.md 1.7; 0 for simulators).
 * @param ob the outbox.
 * @param max_items items per request. @param min_interval_ms request spacing.
 * @return NAVOI_OK or NAVOI_EINVAL.
 * @since 0.1
 */
NAVOI_API int navoi_outbox_set_policy_batch(navoi_outbox *ob, uint32_t max_items,
                                            uint32_t min_interval_ms);

/** Outbox validation modes (navoi_outbox_set_validation()). */
#define NAVOI_OUTBOX_VALIDATE_OFF 0    /**< enqueue without running the validator */
#define NAVOI_OUTBOX_VALIDATE_FLAG 1   /**< enqueue, record ERROR findings in the item history */
#define NAVOI_OUTBOX_VALIDATE_REFUSE 2 /**< refuse invoices with ERROR findings (default) */

/**
 * Chooses what enqueue does with the pre-submission validator
 * (navoi_validate()): most invoices NAV aborts have data errors a program
 * can see, and refusing them at enqueue saves a NAV round trip and a
 * person's time. The schemas are used when the client has a schema
 * directory. Re-enqueuing a key that is already stored never re-validates.
 * @param ob the outbox.
 * @param mode NAVOI_OUTBOX_VALIDATE_OFF, _FLAG or _REFUSE (the default).
 * @return NAVOI_OK or NAVOI_EINVAL.
 * @since 0.1
 */
NAVOI_API int navoi_outbox_set_validation(navoi_outbox *ob, int mode);

/**
 * Identifies this worker in leases (default: a random id per handle).
 * A worker restarted with the same id takes over its own leases at once;
 * other workers wait lease_ms (default 10 min) after the last update.
 * @param ob the outbox.
 * @param worker_id 1..64 printable characters.
 * @param lease_ms lease duration (>= 1000).
 * @return NAVOI_OK or NAVOI_EINVAL.
 * @since 0.1
 */
NAVOI_API int navoi_outbox_set_worker(navoi_outbox *ob, const char *worker_id,
                                      uint32_t lease_ms);

/**
 * Re-queues an item in FAILED, ABORTED or NEEDS_ATTENTION after a person
 * looked at it. An item whose earlier send may have reached NAV goes back
 * to the lost-transaction check, never straight to a resubmission.
 * @param ob the outbox.
 * @param key the item.
 * @return NAVOI_OK, NAVOI_ENOTFOUND, NAVOI_ESTATE (item not in such a state), NAVOI_EIO.
 * @since 0.1
 */
NAVOI_API int navoi_outbox_retry(navoi_outbox *ob, const char *key);

/**
 * Number of items in a state.
 * @param ob the outbox.
 * @param state NAVOI_ITEM_*.
 * @param count_out receives the count.
 * @return NAVOI_OK, NAVOI_EINVAL or a storage error.
 * @since 0.1
 */
NAVOI_API int navoi_outbox_count(navoi_outbox *ob, int state, int64_t *count_out);

/**
 * Backlog: items not yet final (PENDING, SENDING, SENT) and the age of the
 * oldest of them.
 * @param ob the outbox.
 * @param count_out optional; receives the number of items.
 * @param oldest_age_ms_out optional; now minus the enqueue time of the
 *        oldest (0 when there is none).
 * @return NAVOI_OK or a storage error.
 * @since 0.1
 */
NAVOI_API int navoi_outbox_backlog(navoi_outbox *ob, int64_t *count_out,
                                   int64_t *oldest_age_ms_out);

/**
 * Keys of items in a state, oldest first, one per line ("k1\nk2\n").
 * @param ob the outbox.
 * @param state NAVOI_ITEM_*.
 * @param offset rows to skip. @param limit at most this many (1..10000).
 * @param keys_out receives the list; release with navoi_free().
 * @param count_out optional; receives the number of keys.
 * @return NAVOI_OK, NAVOI_EINVAL, NAVOI_ENOMEM or a storage error.
 * @since 0.1
 */
NAVOI_API int navoi_outbox_list(navoi_outbox *ob, int state, uint32_t offset, uint32_t limit,
                                char **keys_out, size_t *count_out);

/**
 * Keys of the amendments and annulments that reference an item, one per line.
 * @param ob the outbox.
 * @param original_key the original item.
 * @param keys_out receives the list; release with navoi_free().
 * @param count_out optional; receives the number of keys.
 * @return NAVOI_OK, NAVOI_EINVAL, NAVOI_ENOMEM or a storage error.
 * @since 0.1
 */
NAVOI_API int navoi_outbox_list_amendments(navoi_outbox *ob, const char *original_key,
                                           char **keys_out, size_t *count_out);

/**
 * Finds the item that carries an invoice number (the newest if several).
 * @param ob the outbox.
 * @param invoice_number invoice or amending-document number.
 * @param key_out receives the key; release with navoi_free().
 * @return NAVOI_OK, NAVOI_ENOTFOUND, NAVOI_EINVAL, NAVOI_ENOMEM, storage errors.
 * @since 0.1
 */
NAVOI_API int navoi_outbox_find_by_number(navoi_outbox *ob, const char *invoice_number,
                                          char **key_out);

/**
 * Finds the item reported as index of a NAV transaction.
 * @param ob the outbox.
 * @param transaction_id NAV's transactionId.
 * @param index the item's index in the request (1..100).
 * @param key_out receives the key; release with navoi_free().
 * @return NAVOI_OK, NAVOI_ENOTFOUND, NAVOI_EINVAL, NAVOI_ENOMEM, storage errors.
 * @since 0.1
 */
NAVOI_API int navoi_outbox_find_by_transaction(navoi_outbox *ob, const char *transaction_id,
                                               int32_t index, char **key_out);

/**
 * Loads a snapshot of an item with its validation messages and history.
 * @param ob the outbox.
 * @param key the item's key.
 * @param out receives the snapshot; free with navoi_outbox_item_free().
 * @return NAVOI_OK, NAVOI_ENOTFOUND, NAVOI_EINVAL, NAVOI_ENOMEM, storage errors.
 * @since 0.1
 */
NAVOI_API int navoi_outbox_item_get(navoi_outbox *ob, const char *key,
                                    navoi_outbox_item **out);

/**
 * Frees a snapshot. NULL-safe.
 * @param it the snapshot.
 * @since 0.1
 */
NAVOI_API void navoi_outbox_item_free(navoi_outbox_item *it);

/**
 * The item's key.
 * @param it the snapshot.
 * @return borrowed, never NULL.
 * @since 0.1
 */
NAVOI_API const char *navoi_outbox_item_key(const navoi_outbox_item *it);

/**
 * The item's state.
 * @param it the snapshot.
 * @return NAVOI_ITEM_*.
 * @since 0.1
 */
NAVOI_API int navoi_outbox_item_state(const navoi_outbox_item *it);

/**
 * The item's operation.
 * @param it the snapshot.
 * @return NAVOI_OP_CREATE, _MODIFY, _STORNO or NAVOI_OP_ANNUL.
 * @since 0.1
 */
NAVOI_API int navoi_outbox_item_operation(const navoi_outbox_item *it);

/**
 * Invoice number (for an annulment: the annulled number).
 * @param it the snapshot.
 * @return borrowed, never NULL.
 * @since 0.1
 */
NAVOI_API const char *navoi_outbox_item_invoice_number(const navoi_outbox_item *it);

/**
 * Key of the original item (amendments, annulments), "" if none.
 * @param it the snapshot.
 * @return borrowed, never NULL.
 * @since 0.1
 */
NAVOI_API const char *navoi_outbox_item_original_key(const navoi_outbox_item *it);

/**
 * NAV's transactionId ("" until NAV returned one) and the item's index.
 * @param it the snapshot.
 * @param index_out optional; receives the index (0 if none).
 * @return borrowed, never NULL.
 * @since 0.1
 */
NAVOI_API const char *navoi_outbox_item_transaction_id(const navoi_outbox_item *it,
                                                       int32_t *index_out);

/**
 * requestId of the latest manage request that carried the item ("" if none).
 * @param it the snapshot.
 * @return borrowed, never NULL.
 * @since 0.1
 */
NAVOI_API const char *navoi_outbox_item_request_id(const navoi_outbox_item *it);

/**
 * Number of manage requests that carried the item.
 * @param it the snapshot.
 * @return the count.
 * @since 0.1
 */
NAVOI_API int32_t navoi_outbox_item_attempts(const navoi_outbox_item *it);

/**
 * Enqueue time and the time the next action is due (ms since epoch; for a
 * DONE annulment awaiting approval its next status poll; 0 when none).
 * @param it the snapshot.
 * @param enqueued_ms_out optional. @param due_ms_out optional.
 * @return NAVOI_OK or NAVOI_EINVAL.
 * @since 0.1
 */
NAVOI_API int navoi_outbox_item_times(const navoi_outbox_item *it, int64_t *enqueued_ms_out,
                                      int64_t *due_ms_out);

/**
 * Last error of the item (all outputs optional).
 * @param it the snapshot.
 * @param code_out NAVOI_E... code (NAVOI_OK if none).
 * @param category_out NAVOI_CAT_*.
 * @param http_status_out HTTP status (0 if none).
 * @param nav_code_out NAV errorCode or the deciding validationErrorCode ("" if none).
 * @return the message ("" if none), borrowed, never NULL.
 * @since 0.1
 */
NAVOI_API const char *navoi_outbox_item_error(const navoi_outbox_item *it, int *code_out,
                                              int *category_out, int *http_status_out,
                                              const char **nav_code_out);

/**
 * Number of validation messages NAV reported for the item.
 * @param it the snapshot.
 * @return the count.
 * @since 0.1
 */
NAVOI_API size_t navoi_outbox_item_message_count(const navoi_outbox_item *it);

/**
 * Validation message k (all outputs optional, "" when absent).
 * @param it the snapshot. @param k message number (0-based).
 * @param kind_out NAVOI_MSG_*. @param severity_out NAVOI_SEVERITY_*.
 * @param code_out validationErrorCode. @param text_out message.
 * @param tag_out pointer/tag. @param value_out pointer/value.
 * @param line_out pointer/line.
 * @return NAVOI_OK or NAVOI_ENOTFOUND.
 * @since 0.1
 */
NAVOI_API int navoi_outbox_item_message(const navoi_outbox_item *it, size_t k, int *kind_out,
                                        int *severity_out, const char **code_out,
                                        const char **text_out, const char **tag_out,
                                        const char **value_out, const char **line_out);

/**
 * annulmentVerificationStatus of an annulment item ("" if none).
 * A DONE annulment starts as VERIFICATION_PENDING: NAV processed it and a
 * primary user must approve or reject it on NAV's web UI. The worker keeps
 * polling it (navoi_outbox_set_policy_annulment()) and stores the decision
 * here when it arrives: VERIFICATION_DONE (approved: the report is
 * annulled) or VERIFICATION_REJECTED (nothing changed: the invoice report
 * stays valid, logged at NAVOI_LOG_WARN). NOT_VERIFIABLE: an index of the
 * request had an ERROR, the annulment will never take effect (WARN as
 * well). The item stays DONE in every case; each change is a history entry
 * "annulment-decided ..." (or "annulment-unfollowed ..." when the follow
 * horizon ran out without a decision).
 * @param it the snapshot.
 * @return borrowed, never NULL.
 * @since 0.1
 */
NAVOI_API const char *navoi_outbox_item_annulment_status(const navoi_outbox_item *it);

/**
 * Number of history entries (attempts, outcomes, state changes).
 * @param it the snapshot.
 * @return the count.
 * @since 0.1
 */
NAVOI_API size_t navoi_outbox_item_history_count(const navoi_outbox_item *it);

/**
 * History entry k, oldest first: "event key=value ..." text naming the
 * requestId, HTTP status, NAV codes, transactionId and state as relevant.
 * @param it the snapshot. @param k entry number (0-based).
 * @param time_ms_out optional; receives the entry's time.
 * @return borrowed text, or NULL if k is out of range.
 * @since 0.1
 */
NAVOI_API const char *navoi_outbox_item_history(const navoi_outbox_item *it, size_t k,
                                                int64_t *time_ms_out);

/**
 * Name of an item state ("PENDING" ... "NEEDS_ATTENTION", "UNKNOWN").
 * @param state NAVOI_ITEM_*.
 * @return a static string, never NULL.
 * @since 0.1
 */
NAVOI_API const char *navoi_outbox_state_name(int state);

/**
 * Opens an outbox on a PostgreSQL database (libpq), creating or migrating
 * navoi's tables (prefix navoi_) when needed. Several worker processes, on
 * one machine or many, may open the same database: claims skip items that
 * another worker is changing or holds an unexpired lease on (FOR UPDATE
 * SKIP LOCKED), leases are timed by the database clock, every state change
 * is conditional on the item's fencing counter (a worker paused past its
 * lease changes nothing afterwards), and request pacing
 * (navoi_outbox_set_policy_batch()) is shared by all workers of the
 * database. Give each worker its own id (navoi_outbox_set_worker()) with a
 * lease longer than the HTTP timeout (NAV's 60 s plus margin). The handle
 * uses one connection and is for one thread at a time; after a lost
 * connection the next call reconnects. See the deployment page.
 * @param out receives the outbox, or NULL on failure.
 * @param client configured client (borrowed, must outlive the outbox); its
 *        log hook also receives the backend's lines.
 * @param conninfo libpq connection string or URI ("host=db dbname=navoi
 *        user=navoi", "postgresql://navoi@db/navoi"). Prefer a password
 *        file (PGPASSFILE, ~/.pgpass) to a password in the string; it is
 *        never logged nor put into an error message.
 * @return NAVOI_OK, NAVOI_EINVAL (NULL argument, malformed conninfo),
 *         NAVOI_EIO (cannot connect, or the migration failed; see
 *         navoi_client_errmsg()), NAVOI_ECONFIG (database from a newer
 *         navoi, or navoi built without PostgreSQL support), NAVOI_ENOMEM.
 * @since 0.1
 */
NAVOI_API int navoi_outbox_open_postgres(navoi_outbox **out, navoi_client *client,
                                         const char *conninfo);

/**
 * Stores several invoices durably in one storage transaction (one commit,
 * one fsync for the whole batch); returns only after the commit. All or
 * nothing: when any invoice is refused (invalid key or invoice, validator
 * errors in NAVOI_OUTBOX_VALIDATE_REFUSE mode, a key holding a different
 * invoice) or the commit fails, none of the batch is stored. Each item is
 * treated as navoi_outbox_enqueue() with original_key NULL: a key already
 * holding the same invoice is a no-op, and an amendment finds its original
 * by originalInvoiceNumber, also among the earlier items of the batch.
 * @param ob the outbox.
 * @param keys n idempotency keys (1..128 printable ASCII characters each).
 * @param invoices the n invoices (CREATE/MODIFY/STORNO).
 * @param n number of items, 1..10000.
 * @param created_out optional array of n; element i gets 1 if item i was
 *        created, 0 if it existed (all 0 on failure).
 * @return NAVOI_OK, NAVOI_EINVAL, NAVOI_EVALIDATION, NAVOI_ESTATE (a key
 *         exists with a different invoice), NAVOI_EIO (not stored: no item of
 *         the batch is present), NAVOI_ENOMEM; the message names the item.
 * @since 0.1
 */
NAVOI_API int navoi_outbox_enqueue_batch(navoi_outbox *ob, const char *const *keys,
                                         const navoi_invoice *const *invoices, size_t n,
                                         int *created_out);

/**
 * Following of annulment approvals (PROTOCOL.md 5.2): a DONE annulment
 * whose status is VERIFICATION_PENDING is polled again with
 * queryTransactionStatus first_ms after it became DONE, then at doubling
 * intervals (the time since the send, at least first_ms) up to cap_ms,
 * until the decision arrives or horizon_ms after the send; then following
 * stops with a NAVOI_LOG_WARN line and a history entry. These polls come
 * after every other unit of work (navoi_outbox_step() makes one only when
 * nothing else is due) and obey the same pacing. While an annulment of an
 * item is on its way (SENDING, SENT) or followed, MODIFY, STORNO and further
 * annulments of the same item wait in PENDING instead of being sent (NAV
 * would abort them with ANNULMENT_IN_PROGRESS); the decision releases them.
 * Defaults 1 h, 24 h and 60 days. Annulments stored as DONE by an earlier
 * navoi are not followed.
 * @param ob the outbox.
 * @param first_ms first delay (>= 1). @param cap_ms largest delay (>= first_ms).
 * @param horizon_ms how long after the send to follow (>= 0; 0: never follow).
 * @return NAVOI_OK or NAVOI_EINVAL.
 * @since 0.1
 */
NAVOI_API int navoi_outbox_set_policy_annulment(navoi_outbox *ob, uint32_t first_ms,
                                                uint32_t cap_ms, int64_t horizon_ms);
/** @} */

/* ------------------------------------------------------------------ */
/* @@BUILDER-SECTION@@ (invoice builder and validator: appended here) */
/** @defgroup builder Invoice builder
 *  Builds InvoiceData documents for the common cases without writing XML:
 *  a supplier, one customer (domestic VAT subject, private person, EU or
 *  third-country), the invoice head and lines. The builder computes every
 *  amount NAV expects (line net, VAT and gross amounts, their HUF values,
 *  per-rate summaries and invoice totals) in exact decimal arithmetic:
 *  amounts go in and come out as decimal strings ("1234.5", "-3"), never
 *  as binary floating point. Each computed amount is rounded to 2 decimals
 *  half away from zero (MonetaryType has 2 fraction digits):
 *  line net = quantity x unit price - discount; line VAT = net x rate;
 *  gross = net + VAT; each HUF value = the currency value x exchange rate;
 *  summaries and totals are sums of the rounded line values.
 *  Simplified invoices (NAVOI_CATEGORY_SIMPLIFIED) take gross unit prices
 *  and a VAT content rate instead.
 *
 *  Setters copy their inputs and return NAVOI_EINVAL (with
 *  navoi_invoice_builder_errmsg() naming the field) for malformed values.
 *  A builder may be used by one thread at a time.
 *  @{ */

#define NAVOI_CATEGORY_NORMAL 1     /**< invoiceCategory NORMAL */
#define NAVOI_CATEGORY_SIMPLIFIED 2 /**< invoiceCategory SIMPLIFIED (gross prices, vatContent) */
#define NAVOI_CATEGORY_AGGREGATE 3  /**< invoiceCategory AGGREGATE (per-line delivery dates) */

#define NAVOI_AMOUNT_NET 1       /**< net amount in the invoice currency */
#define NAVOI_AMOUNT_VAT 2       /**< VAT amount (VAT content for simplified invoices) */
#define NAVOI_AMOUNT_GROSS 3     /**< gross amount */
#define NAVOI_AMOUNT_NET_HUF 4   /**< net amount in HUF */
#define NAVOI_AMOUNT_VAT_HUF 5   /**< VAT amount in HUF */
#define NAVOI_AMOUNT_GROSS_HUF 6 /**< gross amount in HUF */

typedef struct navoi_invoice_builder navoi_invoice_builder; /**< an invoice being built */
typedef struct navoi_findings navoi_findings; /**< validation findings of one invoice */

/**
 * Starts an invoice. Defaults: delivery date = issue date, currency HUF
 * with exchange rate 1, appearance PAPER, no payment data.
 * @param out receives the builder, or NULL on failure.
 * @param invoice_number invoiceNumber (1..50 characters, no leading or
 *        trailing whitespace); for MODIFY/STORNO the amending document's own number.
 * @param issue_date invoiceIssueDate, YYYY-MM-DD.
 * @param category NAVOI_CATEGORY_NORMAL, _SIMPLIFIED or _AGGREGATE.
 * @return NAVOI_OK, NAVOI_EINVAL, NAVOI_ENOMEM.
 * @since 0.1
 */
NAVOI_API int navoi_invoice_builder_new(navoi_invoice_builder **out,
                                        const char *invoice_number,
                                        const char *issue_date, int category);

/**
 * Frees a builder. NULL-safe.
 * @param b the builder.
 * @since 0.1
 */
NAVOI_API void navoi_invoice_builder_free(navoi_invoice_builder *b);

/**
 * Message of the last failed call on the builder.
 * @param b the builder.
 * @return "" if none; borrowed until the next call on b; never NULL.
 * @since 0.1
 */
NAVOI_API const char *navoi_invoice_builder_errmsg(const navoi_invoice_builder *b);

/**
 * Sets the supplier (supplierInfo) with a simple address.
 * @param b the builder.
 * @param tax_number the 11-digit form: "12345678-1-42" or "12345678142".
 * @param name supplierName (1..512 characters).
 * @param country_code ISO 3166 alpha-2, e.g. "HU".
 * @param postal_code postal code.
 * @param city city.
 * @param address_detail street, number and the rest (additionalAddressDetail).
 * @return NAVOI_OK, NAVOI_EINVAL, NAVOI_ENOMEM.
 * @since 0.1
 */
NAVOI_API int navoi_invoice_builder_set_supplier(navoi_invoice_builder *b,
                                                 const char *tax_number,
                                                 const char *name,
                                                 const char *country_code,
                                                 const char *postal_code,
                                                 const char *city,
                                                 const char *address_detail);

/**
 * Sets or clears the supplier's bank account number.
 * @param b the builder.
 * @param account supplierBankAccountNumber (e.g. "11111111-22222222-33333333"), or NULL.
 * @return NAVOI_OK, NAVOI_EINVAL, NAVOI_ENOMEM.
 * @since 0.1
 */
NAVOI_API int navoi_invoice_builder_set_supplier_bank_account(navoi_invoice_builder *b,
                                                              const char *account);

/**
 * Customer: a Hungarian VAT subject (customerVatStatus DOMESTIC).
 * @param b the builder.
 * @param tax_number the 11-digit form ("12345678-2-41" or "12345678241").
 * @param name customerName.
 * @param country_code country of the address, normally "HU".
 * @param postal_code postal code.
 * @param city city.
 * @param address_detail street, number and the rest.
 * @return NAVOI_OK, NAVOI_EINVAL, NAVOI_ENOMEM.
 * @since 0.1
 */
NAVOI_API int navoi_invoice_builder_set_customer_domestic(navoi_invoice_builder *b,
                                                          const char *tax_number,
                                                          const char *name,
                                                          const char *country_code,
                                                          const char *postal_code,
                                                          const char *city,
                                                          const char *address_detail);

/**
 * Customer: a private person (customerVatStatus PRIVATE_PERSON). NAV
 * forbids name, address and tax number for private persons, so none are
 * sent.
 * @param b the builder.
 * @return NAVOI_OK, NAVOI_EINVAL.
 * @since 0.1
 */
NAVOI_API int navoi_invoice_builder_set_customer_private_person(navoi_invoice_builder *b);

/**
 * Customer: a business in another EU member state (customerVatStatus
 * OTHER with communityVatNumber).
 * @param b the builder.
 * @param community_vat_number e.g. "DE123456789" ([A-Z]{2}[0-9A-Z]{2,13}).
 * @param name customerName.
 * @param country_code country of the address.
 * @param postal_code postal code.
 * @param city city.
 * @param address_detail street, number and the rest.
 * @return NAVOI_OK, NAVOI_EINVAL, NAVOI_ENOMEM.
 * @since 0.1
 */
NAVOI_API int navoi_invoice_builder_set_customer_eu(navoi_invoice_builder *b,
                                                    const char *community_vat_number,
                                                    const char *name,
                                                    const char *country_code,
                                                    const char *postal_code,
                                                    const char *city,
                                                    const char *address_detail);

/**
 * Customer: a business outside the EU, or any other non-private customer
 * without a Hungarian or EU VAT number (customerVatStatus OTHER).
 * @param b the builder.
 * @param tax_id thirdStateTaxId, or NULL when there is none.
 * @param name customerName.
 * @param country_code country of the address.
 * @param postal_code postal code.
 * @param city city.
 * @param address_detail street, number and the rest.
 * @return NAVOI_OK, NAVOI_EINVAL, NAVOI_ENOMEM.
 * @since 0.1
 */
NAVOI_API int navoi_invoice_builder_set_customer_third_country(navoi_invoice_builder *b,
                                                               const char *tax_id,
                                                               const char *name,
                                                               const char *country_code,
                                                               const char *postal_code,
                                                               const char *city,
                                                               const char *address_detail);

/**
 * Sets invoiceDeliveryDate (default: the issue date).
 * @param b the builder.
 * @param date YYYY-MM-DD.
 * @return NAVOI_OK, NAVOI_EINVAL.
 * @since 0.1
 */
NAVOI_API int navoi_invoice_builder_set_delivery_date(navoi_invoice_builder *b,
                                                      const char *date);

/**
 * Sets the invoice currency and its exchange rate to HUF.
 * @param b the builder.
 * @param currency_code ISO 4217 code, e.g. "EUR".
 * @param exchange_rate HUF per unit as a decimal string (> 0, at most 6
 *        fraction digits, 14 digits in all), e.g. "392.45"; must be "1" for HUF.
 * @return NAVOI_OK, NAVOI_EINVAL, NAVOI_ENOMEM.
 * @since 0.1
 */
NAVOI_API int navoi_invoice_builder_set_currency(navoi_invoice_builder *b,
                                                 const char *currency_code,
                                                 const char *exchange_rate);

/**
 * Sets payment data; each argument may be NULL to leave it out.
 * @param b the builder.
 * @param method paymentMethod: "TRANSFER", "CASH", "CARD", "VOUCHER" or "OTHER".
 * @param date paymentDate, YYYY-MM-DD.
 * @return NAVOI_OK, NAVOI_EINVAL, NAVOI_ENOMEM.
 * @since 0.1
 */
NAVOI_API int navoi_invoice_builder_set_payment(navoi_invoice_builder *b,
                                                const char *method, const char *date);

/**
 * Sets invoiceAppearance (default "PAPER").
 * @param b the builder.
 * @param appearance "PAPER", "ELECTRONIC", "EDI" or "UNKNOWN".
 * @return NAVOI_OK, NAVOI_EINVAL, NAVOI_ENOMEM.
 * @since 0.1
 */
NAVOI_API int navoi_invoice_builder_set_appearance(navoi_invoice_builder *b,
                                                   const char *appearance);

/**
 * Makes the document an amending (MODIFY) or cancelling (STORNO) one:
 * sets invoiceReference and numbers the lines' lineNumberReference after
 * the chain's existing lines.
 * @param b the builder.
 * @param original_invoice_number the number of the original (CREATE)
 *        invoice, even for the second and later amendments.
 * @param modification_index 1 for the first amendment of that invoice, then +1.
 * @param modify_without_master non-zero only when the original was never
 *        reported to NAV (see PROTOCOL.md 8.3).
 * @param chain_last_line the highest line number already in the chain (the
 *        original's line count plus lines created by earlier amendments);
 *        line k of this document gets lineNumberReference
 *        chain_last_line + k unless set with
 *        navoi_invoice_builder_line_set_number_reference().
 * @return NAVOI_OK, NAVOI_EINVAL, NAVOI_ENOMEM.
 * @since 0.1
 */
NAVOI_API int navoi_invoice_builder_set_reference(navoi_invoice_builder *b,
                                                  const char *original_invoice_number,
                                                  int32_t modification_index,
                                                  int modify_without_master,
                                                  int32_t chain_last_line);

/**
 * Adds a line. For NORMAL and AGGREGATE invoices the unit price is net,
 * for SIMPLIFIED invoices gross. Give a VAT treatment with one of the
 * navoi_invoice_builder_line_set_vat_* setters afterwards. For a STORNO
 * or a reducing MODIFY give negative quantities.
 * @param b the builder.
 * @param description lineDescription (1..512 characters).
 * @param quantity decimal string, e.g. "1.5".
 * @param unit unitOfMeasure ("PIECE", "KILOGRAM", "HOUR", ...); any other
 *        text is sent as OWN with that text in unitOfMeasureOwn.
 * @param unit_price decimal string in the invoice currency.
 * @param discount discount amount (discountValue) deducted from
 *        quantity x unit price, decimal string, or NULL for none.
 * @param line_out optional; receives the line number (1, 2, ...).
 * @return NAVOI_OK, NAVOI_EINVAL, NAVOI_ETOOBIG (more than 10,000 lines), NAVOI_ENOMEM.
 * @since 0.1
 */
NAVOI_API int navoi_invoice_builder_add_line(navoi_invoice_builder *b,
                                             const char *description,
                                             const char *quantity, const char *unit,
                                             const char *unit_price,
                                             const char *discount, int32_t *line_out);

/**
 * Taxes a line at a rate: vatPercentage (e.g. "0.27", "0.18", "0.05") on
 * NORMAL and AGGREGATE invoices, vatContent (e.g. "0.2126") on SIMPLIFIED ones.
 * @param b the builder.
 * @param line the line number from navoi_invoice_builder_add_line().
 * @param rate decimal string between 0 and 1.
 * @return NAVOI_OK, NAVOI_EINVAL, NAVOI_ENOTFOUND (no such line), NAVOI_ENOMEM.
 * @since 0.1
 */
NAVOI_API int navoi_invoice_builder_line_set_vat_rate(navoi_invoice_builder *b,
                                                      int32_t line, const char *rate);

/**
 * Marks a line VAT-exempt (vatExemption).
 * @param b the builder.
 * @param line the line number.
 * @param exemption_case "AAM", "TAM", "KBAET", "KBAUK", "EAM" or "NAM".
 * @param reason the legal reason, 1..200 characters.
 * @return NAVOI_OK, NAVOI_EINVAL, NAVOI_ENOTFOUND, NAVOI_ENOMEM.
 * @since 0.1
 */
NAVOI_API int navoi_invoice_builder_line_set_vat_exemption(navoi_invoice_builder *b,
                                                           int32_t line,
                                                           const char *exemption_case,
                                                           const char *reason);

/**
 * Marks a line out of the scope of the VAT Act (vatOutOfScope).
 * @param b the builder.
 * @param line the line number.
 * @param out_of_scope_case "ATK", "EUFAD37", "EUFADE", "EUE" or "HO".
 * @param reason the reason, 1..200 characters.
 * @return NAVOI_OK, NAVOI_EINVAL, NAVOI_ENOTFOUND, NAVOI_ENOMEM.
 * @since 0.1
 */
NAVOI_API int navoi_invoice_builder_line_set_vat_out_of_scope(navoi_invoice_builder *b,
                                                              int32_t line,
                                                              const char *out_of_scope_case,
                                                              const char *reason);

/**
 * Marks a line as domestic reverse charge (vatDomesticReverseCharge); the
 * customer must then be a domestic VAT subject.
 * @param b the builder.
 * @param line the line number.
 * @return NAVOI_OK, NAVOI_ENOTFOUND.
 * @since 0.1
 */
NAVOI_API int navoi_invoice_builder_line_set_reverse_charge(navoi_invoice_builder *b,
                                                            int32_t line);

/**
 * Adds a product code to a line (productCodes/productCode, in call order).
 * @param b the builder.
 * @param line the line number.
 * @param category productCodeCategory, e.g. "VTSZ", "SZJ", "KN", "TESZOR", "OWN".
 * @param value productCodeValue; for "OWN" the productCodeOwnValue.
 * @return NAVOI_OK, NAVOI_EINVAL, NAVOI_ENOTFOUND, NAVOI_ENOMEM.
 * @since 0.1
 */
NAVOI_API int navoi_invoice_builder_line_add_product_code(navoi_invoice_builder *b,
                                                          int32_t line,
                                                          const char *category,
                                                          const char *value);

/**
 * Sets lineNatureIndicator.
 * @param b the builder.
 * @param line the line number.
 * @param nature "PRODUCT", "SERVICE" or "OTHER".
 * @return NAVOI_OK, NAVOI_EINVAL, NAVOI_ENOTFOUND, NAVOI_ENOMEM.
 * @since 0.1
 */
NAVOI_API int navoi_invoice_builder_line_set_nature(navoi_invoice_builder *b, int32_t line,
                                                    const char *nature);

/**
 * Sets a line's delivery date (aggregateInvoiceLineData/lineDeliveryDate),
 * required on AGGREGATE invoices; the default is the invoice delivery date.
 * @param b the builder.
 * @param line the line number.
 * @param date YYYY-MM-DD.
 * @return NAVOI_OK, NAVOI_EINVAL, NAVOI_ENOTFOUND.
 * @since 0.1
 */
NAVOI_API int navoi_invoice_builder_line_set_delivery_date(navoi_invoice_builder *b,
                                                           int32_t line, const char *date);

/**
 * Sets a line's lineNumberReference explicitly (MODIFY/STORNO).
 * @param b the builder.
 * @param line the line number.
 * @param reference the chain line number this line creates (>= 1).
 * @return NAVOI_OK, NAVOI_EINVAL, NAVOI_ENOTFOUND.
 * @since 0.1
 */
NAVOI_API int navoi_invoice_builder_line_set_number_reference(navoi_invoice_builder *b,
                                                              int32_t line,
                                                              int32_t reference);

/**
 * Computes and returns one amount of a line or of the invoice.
 * @param b the builder.
 * @param line a line number, or 0 for the invoice totals.
 * @param which NAVOI_AMOUNT_*.
 * @param out receives the amount as a decimal string with 2 fraction
 *        digits ("-1234.50"); borrowed until the next call on b.
 * @return NAVOI_OK, NAVOI_EINVAL (no VAT treatment on a line, bad which),
 *         NAVOI_ENOTFOUND, NAVOI_ETOOBIG (an amount exceeds 18 digits).
 * @since 0.1
 */
NAVOI_API int navoi_invoice_builder_amount(navoi_invoice_builder *b, int32_t line,
                                           int which, const char **out);

/**
 * Produces the InvoiceData document and wraps it in a navoi_invoice. The
 * builder stays usable (e.g. to build again after a fix).
 * @param b the builder.
 * @param client optional; receives the error detail, and when it has a
 *        schema directory the document is also validated against
 *        invoiceData.xsd (NAVOI_ESCHEMA).
 * @param operation NAVOI_OP_CREATE (no reference allowed), NAVOI_OP_MODIFY
 *        or NAVOI_OP_STORNO (navoi_invoice_builder_set_reference() required).
 * @param out receives the invoice, or NULL on failure.
 * @return NAVOI_OK, NAVOI_EINVAL (missing supplier, customer, lines or VAT
 *         treatment, or operation and reference disagree; the message says
 *         which), NAVOI_ETOOBIG, NAVOI_ESCHEMA, NAVOI_ENOMEM.
 * @since 0.1
 */
NAVOI_API int navoi_invoice_builder_build(navoi_invoice_builder *b, navoi_client *client,
                                          int operation, navoi_invoice **out);
/** @} */

/** @defgroup validate Pre-submission validation
 *  Runs invoiceData.xsd (when the client has a schema directory) and the
 *  business rules of PROTOCOL.md 8.6 on an InvoiceData document, so that
 *  data errors are found before they cost a NAV round trip. Findings carry
 *  NAV's own validation codes where NAV has one (the blocking codes of spec
 *  3.3.2 with severity ERROR, Annex I warnings with severity WARN) and
 *  NAVOI_-prefixed codes otherwise, with NAV's English and Hungarian texts.
 *  A schema violation stops the checks, as at NAV.
 *  @{ */

/**
 * Validates an invoice.
 * @param client optional: its schema directory enables the XSD check, its
 *        tax number the SUPPLIER_TAX_NUMBER_MISMATCH check, its clock the
 *        date checks. Without a schema directory a NAVOI_SCHEMA_NOT_CHECKED
 *        warning is reported.
 * @param invoice the invoice; its operation selects the rules.
 * @param out receives the findings (possibly none); free with navoi_findings_free().
 * @return NAVOI_OK (whatever was found), NAVOI_EINVAL, NAVOI_ENOMEM.
 * @since 0.1
 */
NAVOI_API int navoi_validate(navoi_client *client, const navoi_invoice *invoice,
                             navoi_findings **out);

/**
 * Validates InvoiceData XML that may not even be well-formed (a document
 * that is not gives one SCHEMA_VIOLATION finding).
 * @param client optional, as for navoi_validate().
 * @param data the document (plain or gzip). @param len its length.
 * @param operation NAVOI_OP_*, or 0 to infer it: MODIFY when the document
 *        has an invoiceReference, else CREATE.
 * @param out receives the findings; free with navoi_findings_free().
 * @return NAVOI_OK, NAVOI_EINVAL, NAVOI_ETOOBIG (over 15,000,000 bytes), NAVOI_ENOMEM.
 * @since 0.1
 */
NAVOI_API int navoi_validate_xml(navoi_client *client, const char *data, size_t len,
                                 int operation, navoi_findings **out);

/**
 * Number of findings.
 * @param f the findings (NULL gives 0).
 * @return the count.
 * @since 0.1
 */
NAVOI_API size_t navoi_findings_count(const navoi_findings *f);

/**
 * 1 if any finding has severity NAVOI_SEVERITY_ERROR (NAV would answer
 * ABORTED), else 0.
 * @param f the findings (NULL gives 0).
 * @return 1 or 0.
 * @since 0.1
 */
NAVOI_API int navoi_findings_has_errors(const navoi_findings *f);

/**
 * Finding i. Every out parameter is optional; the strings are borrowed
 * until navoi_findings_free().
 * @param f the findings.
 * @param i index, 0-based.
 * @param code_out the validation code, e.g. "INCORRECT_LINE_CALCULATION_NET_AMOUNT".
 * @param severity_out NAVOI_SEVERITY_ERROR or NAVOI_SEVERITY_WARN.
 * @param path_out the element, e.g.
 *        "InvoiceData/invoiceMain/invoice/invoiceLines/line[2]/lineAmountsNormal/lineNetAmountData/lineNetAmount".
 * @param message_en_out English text (NAV's catalogue text plus details).
 * @param message_hu_out Hungarian text (NAV's catalogue text plus details).
 * @return NAVOI_OK, NAVOI_ENOTFOUND (i out of range), NAVOI_EINVAL (f NULL).
 * @since 0.1
 */
NAVOI_API int navoi_findings_get(const navoi_findings *f, size_t i, const char **code_out,
                                 int *severity_out, const char **path_out,
                                 const char **message_en_out,
                                 const char **message_hu_out);

/**
 * Frees findings. NULL-safe.
 * @param f the findings.
 * @since 0.1
 */
NAVOI_API void navoi_findings_free(navoi_findings *f);
/** @} */

/* ------------------------------------------------------------------ */
/* @@SYNC-SECTION@@ (incoming sync, connection check, metrics: appended here) */
/** @defgroup sync Incoming invoices
 *  Synchronises the invoices other suppliers issued to the taxpayer
 *  (INBOUND) into storage, for bookkeeping: queryInvoiceDigest by insDate
 *  over every page, in windows of at most 35 days (NAV's limit), then
 *  queryInvoiceData for each invoice not yet stored (gzip decoded). Each
 *  invoice is committed with its digest metadata as soon as it is fetched,
 *  and the position of the run after every page, so an interrupted run
 *  continues where it stopped and nothing is stored twice.
 *
 *  Incremental runs start at the cursor (the end of the last complete run)
 *  minus an overlap (default 3 days), which catches invoices whose insDate
 *  lies before the previous run's end but that NAV only listed later.
 *
 *  The state lives in a storage backend of version 2 or later (the same
 *  SQLite file as the outbox may be used). A navoi_sync is used by one
 *  thread at a time; its client must not be used elsewhere meanwhile.
 *  @{ */

typedef struct navoi_sync navoi_sync; /**< incoming-invoice synchronisation */

#define NAVOI_SYNC_STAT_RUN_FROM 1    /**< start of the run's insDate range (ms) */
#define NAVOI_SYNC_STAT_RUN_TO 2      /**< end of the run's insDate range (ms) */
#define NAVOI_SYNC_STAT_WINDOWS 3     /**< number of date windows of the run */
#define NAVOI_SYNC_STAT_WINDOW 4      /**< current window, 1-based */
#define NAVOI_SYNC_STAT_PAGE 5        /**< current digest page of the window, 1-based */
#define NAVOI_SYNC_STAT_PAGES 6       /**< pages of the current window (availablePage) */
#define NAVOI_SYNC_STAT_SEEN 7        /**< digest records read by this call */
#define NAVOI_SYNC_STAT_FETCHED 8     /**< invoices fetched and stored by this call */
#define NAVOI_SYNC_STAT_SKIPPED 9     /**< digest records that were already stored */
#define NAVOI_SYNC_STAT_INCOMPLETE 10 /**< stored without XML (queryInvoiceData had no single hit) */
#define NAVOI_SYNC_STAT_REQUESTS 11   /**< NAV requests made by this call */
#define NAVOI_SYNC_STAT_RESUMED 12    /**< 1 if this call continued an interrupted run */

#define NAVOI_SYNC_CSV 1  /**< navoi_sync_summary(): CSV with a header line */
#define NAVOI_SYNC_JSON 2 /**< navoi_sync_summary(): a JSON array of objects */

/**
 * Progress hook of navoi_sync_run(), called after every page and every
 * stored invoice. It may read the counters with navoi_sync_stat().
 * @param sync the running synchronisation (only navoi_sync_stat() may be called).
 * @param userdata as given to navoi_sync_set_progress().
 * @return 0 to continue; non-zero stops the run with NAVOI_EUSER (resumable).
 */
typedef int (*navoi_sync_progress_fn)(const navoi_sync *sync, void *userdata);

/**
 * Opens (creating it with mode 0600 if needed) an SQLite database for the
 * synchronisation; it may be the outbox's database.
 * @param out receives the handle, or NULL on failure.
 * @param client configured client (borrowed; must outlive the handle).
 * @param path database file name.
 * @return NAVOI_OK, NAVOI_EINVAL, NAVOI_EPERM, NAVOI_EIO, NAVOI_ECONFIG
 *         (database from a newer navoi), NAVOI_ENOMEM; the detail is on the client.
 * @since 0.1
 */
NAVOI_API int navoi_sync_open_sqlite(navoi_sync **out, navoi_client *client, const char *path);

/**
 * Creates a synchronisation on a user-supplied storage backend.
 * @param out receives the handle, or NULL on failure.
 * @param client configured client (borrowed).
 * @param ops the backend (copied); version 2 or later with every function set.
 * @param userdata passed to every function of ops.
 * @return NAVOI_OK, NAVOI_EINVAL (version 1 table, missing function), NAVOI_ENOMEM.
 * @since 0.1
 */
NAVOI_API int navoi_sync_new(navoi_sync **out, navoi_client *client,
                             const navoi_storage_ops *ops, void *userdata);

/**
 * Frees the handle (calling ops->destroy). NULL-safe.
 * @param sync the handle.
 * @since 0.1
 */
NAVOI_API void navoi_sync_free(navoi_sync *sync);

/**
 * Message of the last failed call ("" if none). Never NULL.
 * @param sync the handle.
 * @return borrowed until the next call on the handle.
 * @since 0.1
 */
NAVOI_API const char *navoi_sync_errmsg(const navoi_sync *sync);

/**
 * Sets how far an incremental run reaches back before the cursor.
 * @param sync the handle.
 * @param overlap_ms 0 .. 35 days (default 3 days).
 * @return NAVOI_OK or NAVOI_EINVAL.
 * @since 0.1
 */
NAVOI_API int navoi_sync_set_overlap(navoi_sync *sync, int64_t overlap_ms);

/**
 * Sets the minimum spacing of NAV requests (default 1000 ms: NAV allows
 * one request per second, PROTOCOL.md 1.7; 0 for simulators).
 * @param sync the handle.
 * @param min_interval_ms the spacing.
 * @return NAVOI_OK or NAVOI_EINVAL.
 * @since 0.1
 */
NAVOI_API int navoi_sync_set_pace(navoi_sync *sync, uint32_t min_interval_ms);

/**
 * Sets the progress hook (NULL removes it).
 * @param sync the handle.
 * @param fn the hook.
 * @param userdata passed to fn.
 * @since 0.1
 */
NAVOI_API void navoi_sync_set_progress(navoi_sync *sync, navoi_sync_progress_fn fn,
                                       void *userdata);

/**
 * Runs the synchronisation up to now (client clock).
 * With from_ms 0: continues an interrupted run if there is one, else
 * synchronises from the cursor minus the overlap. With from_ms > 0: a full
 * resynchronisation from that time (already stored invoices are skipped,
 * not fetched again). Blocks for the whole run (pacing included).
 * @param sync the handle.
 * @param from_ms 0, or the start of a full resynchronisation (ms since epoch).
 * @return NAVOI_OK; NAVOI_ECONFIG when there is neither a cursor nor from_ms
 *         (the first run needs a start); NAVOI_EUSER (stopped by the hook);
 *         a client error (NAVOI_ENAV, NAVOI_ENET, ..., detail in the message and on
 *         the client) or a storage error. After any failure the next call resumes.
 * @since 0.1
 */
NAVOI_API int navoi_sync_run(navoi_sync *sync, int64_t from_ms);

/**
 * A counter of the current or last run.
 * @param sync the handle.
 * @param which NAVOI_SYNC_STAT_*.
 * @return the value; 0 for an unknown selector.
 * @since 0.1
 */
NAVOI_API int64_t navoi_sync_stat(const navoi_sync *sync, int which);

/**
 * Where the synchronisation stands.
 * @param sync the handle.
 * @param cursor_ms_out optional; end of the last complete run (0: never ran).
 * @param interrupted_out optional; 1 when a run was interrupted and will be continued.
 * @return NAVOI_OK or a storage error.
 * @since 0.1
 */
NAVOI_API int navoi_sync_cursor(navoi_sync *sync, int64_t *cursor_ms_out, int *interrupted_out);

/**
 * Ids of stored invoices with insDate in [from_ms, to_ms], oldest first,
 * one per line.
 * @param sync the handle.
 * @param from_ms range start (ms). @param to_ms range end, inclusive.
 * @param offset rows to skip. @param limit at most this many (1..100000).
 * @param ids_out receives the list; release with navoi_free().
 * @param count_out optional; receives the number of ids.
 * @return NAVOI_OK, NAVOI_EINVAL, NAVOI_ENOMEM or a storage error.
 * @since 0.1
 */
NAVOI_API int navoi_sync_list(navoi_sync *sync, int64_t from_ms, int64_t to_ms, uint32_t offset,
                              uint32_t limit, char **ids_out, size_t *count_out);

/**
 * One stored invoice. Its id is "SUPPLIERTAX/NUMBER/BATCHINDEX/TRANSACTIONID/INDEX".
 * @param sync the handle.
 * @param id the id from navoi_sync_list().
 * @param meta_out optional; receives the digest fields as "name=value" lines
 *        (NAV's element names; backslash and line breaks in values escaped as
 *        \\\\ and \\n); release with navoi_free().
 * @param xml_out optional; receives the invoice XML (NULL when only the digest
 *        is stored); release with navoi_free().
 * @param xml_len_out optional; receives the XML length.
 * @return NAVOI_OK, NAVOI_ENOTFOUND, NAVOI_EINVAL, NAVOI_ENOMEM, storage errors.
 * @since 0.1
 */
NAVOI_API int navoi_sync_invoice(navoi_sync *sync, const char *id, char **meta_out,
                                 char **xml_out, size_t *xml_len_out);

/**
 * Summary of the stored invoices with insDate in [from_ms, to_ms]: id,
 * invoiceNumber, invoiceOperation, invoiceIssueDate, supplierTaxNumber,
 * supplierName, currency, invoiceNetAmount, invoiceVatAmount,
 * invoiceNetAmountHUF, invoiceVatAmountHUF, insDate, hasXml.
 * @param sync the handle.
 * @param from_ms range start. @param to_ms range end, inclusive.
 * @param format NAVOI_SYNC_CSV or NAVOI_SYNC_JSON.
 * @param text_out receives the text; release with navoi_free().
 * @return NAVOI_OK, NAVOI_EINVAL, NAVOI_ENOMEM or a storage error.
 * @since 0.1
 */
NAVOI_API int navoi_sync_summary(navoi_sync *sync, int64_t from_ms, int64_t to_ms, int format,
                                 char **text_out);
/** @} */

/** @defgroup conncheck Connection check
 *  One call that tells whether the configured credentials work against
 *  NAV, and if not, what a person has to change.
 *  @{ */

#define NAVOI_CONN_NO_CONFIG 1 /**< required settings are missing (named in the message) */
#define NAVOI_CONN_ACTIVE 2    /**< NAV accepted the credentials */
#define NAVOI_CONN_ERROR 3     /**< the check failed; see the diagnosis */

#define NAVOI_DIAG_NONE 0              /**< nothing to report */
#define NAVOI_DIAG_MISSING_CONFIG 1    /**< settings missing */
#define NAVOI_DIAG_KEY_WHITESPACE 2    /**< a key or the password has whitespace or a line break */
#define NAVOI_DIAG_KEY_LENGTH 3        /**< a key has the wrong length */
#define NAVOI_DIAG_WRONG_PASSWORD 4    /**< INVALID_SECURITY_USER: login or password wrong */
#define NAVOI_DIAG_SIGNING_KEY 5       /**< INVALID_REQUEST_SIGNATURE: signing key wrong */
#define NAVOI_DIAG_EXCHANGE_KEY 6      /**< the exchange key does not decrypt the token */
#define NAVOI_DIAG_PERMISSION 7        /**< FORBIDDEN: the user lacks the right for an operation */
#define NAVOI_DIAG_NOT_REGISTERED 8    /**< NOT_REGISTERED_CUSTOMER / INVALID_CUSTOMER */
#define NAVOI_DIAG_USER_RELATION 9     /**< INVALID_USER_RELATION: user not of this taxpayer or inactive */
#define NAVOI_DIAG_CLOCK_SKEW 10       /**< INVALID_TIMESTAMP: local clock off by more than a day */
#define NAVOI_DIAG_WRONG_ENVIRONMENT 11 /**< credentials probably of NAV's other environment */
#define NAVOI_DIAG_TLS 12              /**< TLS failure (certificate, host name) */
#define NAVOI_DIAG_NETWORK 13          /**< network failure or timeout */
#define NAVOI_DIAG_HTTP 14             /**< HTTP error without a NAV answer (wrong URL?) */
#define NAVOI_DIAG_MAINTENANCE 15      /**< NAV is in maintenance */
#define NAVOI_DIAG_OTHER 16            /**< another error; see the message */

/** Flags of navoi_check_connection(). */
#define NAVOI_CHECK_QUERY_ONLY 1u /**< skip tokenExchange: check the query side only (no exchange key needed) */

/**
 * Checks the client's configuration against NAV: tokenExchange (login,
 * password, taxpayer, signing key, manage right, exchange key) and
 * queryTaxpayer of the own tax number (query right). The diagnosis text is
 * in navoi_client_errmsg() (never containing a secret); for clock skew it
 * says by how much the local clock differs from the server's Date header.
 * @param client the client.
 * @param flags 0 or NAVOI_CHECK_QUERY_ONLY.
 * @param status_out receives NAVOI_CONN_*.
 * @param diagnosis_out optional; receives NAVOI_DIAG_*.
 * @return NAVOI_OK when the check ran (whatever its outcome), NAVOI_EINVAL, NAVOI_ENOMEM.
 * @since 0.1
 */
NAVOI_API int navoi_check_connection(navoi_client *client, unsigned flags, int *status_out,
                                     int *diagnosis_out);

/**
 * Same as navoi_check_connection(), with the secrets given as they were
 * read from their files or environment variables: their form is diagnosed
 * first (whitespace, line breaks, length: what the setters would refuse),
 * then they are set on the client and the check runs.
 * @param client the client.
 * @param flags 0 or NAVOI_CHECK_QUERY_ONLY.
 * @param password the password, or NULL to keep the client's.
 * @param signing_key the signing key, or NULL to keep the client's.
 * @param exchange_key the exchange key, or NULL to keep the client's.
 * @param status_out receives NAVOI_CONN_*.
 * @param diagnosis_out optional; receives NAVOI_DIAG_*.
 * @return as navoi_check_connection().
 * @since 0.1
 */
NAVOI_API int navoi_check_connection_with(navoi_client *client, unsigned flags,
                                          const char *password, const char *signing_key,
                                          const char *exchange_key, int *status_out,
                                          int *diagnosis_out);

/**
 * Name of a connection status ("NO_CONFIG", "ACTIVE", "ERROR").
 * @param status NAVOI_CONN_*.
 * @return a static string, never NULL ("UNKNOWN" for other values).
 * @since 0.1
 */
NAVOI_API const char *navoi_conn_status_name(int status);

/**
 * Name of a diagnosis ("WRONG_PASSWORD", "CLOCK_SKEW", ...).
 * @param diagnosis NAVOI_DIAG_*.
 * @return a static string, never NULL ("UNKNOWN" for other values).
 * @since 0.1
 */
NAVOI_API const char *navoi_diagnosis_name(int diagnosis);
/** @} */

/** @defgroup metrics Metrics
 *  Monitoring values of an outbox, computed from its storage: items per
 *  state, backlog and its oldest age, and from the item histories the
 *  outcomes of submissions, the processing delay from enqueue to DONE
 *  (histogram), NAV error codes and categories, retries and the time of the
 *  last successful submission. A navoi_metrics reads the histories
 *  incrementally (only new entries on each refresh); it needs a storage
 *  backend of version 2 or later and is used on the outbox's thread.
 *  @{ */

typedef struct navoi_metrics navoi_metrics; /**< metrics of one outbox */

/**
 * Creates a metrics reader for an outbox.
 * @param out receives the handle, or NULL on failure.
 * @param ob the outbox (borrowed; must outlive the handle).
 * @return NAVOI_OK, NAVOI_EINVAL (storage backend older than version 2), NAVOI_ENOMEM.
 * @since 0.1
 */
NAVOI_API int navoi_metrics_new(navoi_metrics **out, navoi_outbox *ob);

/**
 * Frees the handle. NULL-safe.
 * @param m the handle.
 * @since 0.1
 */
NAVOI_API void navoi_metrics_free(navoi_metrics *m);

/**
 * Reads the history entries added since the last refresh and the current
 * counts. The other functions use the values of the last refresh.
 * @param m the handle.
 * @return NAVOI_OK, NAVOI_ENOMEM or a storage error (message in navoi_outbox_errmsg()).
 * @since 0.1
 */
NAVOI_API int navoi_metrics_refresh(navoi_metrics *m);

/**
 * The metrics in Prometheus text exposition format (version 0.0.4).
 * @param m the handle.
 * @param text_out receives the text; release with navoi_free().
 * @return NAVOI_OK, NAVOI_EINVAL, NAVOI_ENOMEM.
 * @since 0.1
 */
NAVOI_API int navoi_metrics_text(navoi_metrics *m, char **text_out);

/**
 * The value of one series, named as in the text format, e.g.
 * "navoi_outbox_items{state=\"DONE\"}" or "navoi_outbox_backlog_items".
 * @param m the handle.
 * @param series the series name with its labels.
 * @param value_out receives the value.
 * @return NAVOI_OK, NAVOI_ENOTFOUND, NAVOI_EINVAL, NAVOI_ENOMEM.
 * @since 0.1
 */
NAVOI_API int navoi_metrics_value(navoi_metrics *m, const char *series, double *value_out);

/**
 * Activity over time, as CSV with the header line
 * "time_ms,enqueued,done,aborted,failed,needs_attention,backlog,delay_avg_ms,delay_max_ms":
 * one line per bucket from the first to the last event (backlog at the
 * bucket's end; delays of the items that became DONE in the bucket).
 * @param m the handle.
 * @param bucket_ms bucket width, 60000 or more (a multiple of 60000 is used).
 * @param csv_out receives the text; release with navoi_free().
 * @return NAVOI_OK, NAVOI_EINVAL, NAVOI_ETOOBIG (more than 100000 buckets), NAVOI_ENOMEM.
 * @since 0.1
 */
NAVOI_API int navoi_metrics_timeline(navoi_metrics *m, int64_t bucket_ms, char **csv_out);

/**
 * One-shot: refreshes a temporary metrics reader and returns its text.
 * @param ob the outbox.
 * @param text_out receives the Prometheus text; release with navoi_free().
 * @return as navoi_metrics_new() and navoi_metrics_refresh().
 * @since 0.1
 */
NAVOI_API int navoi_outbox_metrics_text(navoi_outbox *ob, char **text_out);

/**
 * What a person should do about an item that needs one (FAILED, ABORTED,
 * NEEDS_ATTENTION), judged from its state, error category and NAV codes.
 * @param it the snapshot.
 * @return a static English sentence, never NULL ("" for other states).
 * @since 0.1
 */
NAVOI_API const char *navoi_outbox_item_advice(const navoi_outbox_item *it);
/** @} */

#ifdef __cplusplus
}
#endif

#endif /* NAVOI_NAVOI_H */
