/*
 * errors.c - error texts, the triage table of PROTOCOL.md section 7 and the
 * per-client error and log plumbing.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/client.h"

NAVOI_API const char *navoi_strerror(int code)
{
    switch (code) {
    case NAVOI_OK: return "success";
    case NAVOI_EINVAL: return "invalid argument";
    case NAVOI_ENOMEM: return "out of memory";
    case NAVOI_EIO: return "file input/output error";
    case NAVOI_ECONFIG: return "configuration missing or unusable";
    case NAVOI_EKEY: return "key or password has the wrong form";
    case NAVOI_EPERM: return "unsafe key file (mode, owner or symlink)";
    case NAVOI_EXML: return "XML not well-formed or wrong document";
    case NAVOI_ESCHEMA: return "document does not validate against NAV's schema";
    case NAVOI_ENET: return "network failure before the request was sent";
    case NAVOI_ETIMEOUT: return "timed out waiting for NAV";
    case NAVOI_ETLS: return "TLS failure";
    case NAVOI_EHTTP: return "HTTP error without a NAV response";
    case NAVOI_ENAV: return "NAV reported an error";
    case NAVOI_EPROTO: return "invalid NAV response";
    case NAVOI_ETOOBIG: return "size limit exceeded";
    case NAVOI_ECRYPTO: return "exchange token decryption failed";
    case NAVOI_EUSER: return "aborted by a callback";
    case NAVOI_ENOTFOUND: return "not found";
    case NAVOI_ESTATE: return "illegal state transition";
    case NAVOI_EAMBIGUOUS: return "outcome unknown: the request may have reached NAV";
    case NAVOI_ESIGNATURE: return "requestSignature does not match";
    case NAVOI_EVALIDATION: return "the invoice has ERROR findings of the pre-submission validator";
    default: return "unknown error";
    }
}

struct code_class {
    const char *code;
    int cat;
};

/* PROTOCOL.md 7.1 "Class" column: C -> CONFIG, D -> DATA, T -> TRANSIENT,
 * I -> AMBIGUOUS where the duplicate must be checked before anything else. */
static const struct code_class g_codes[] = {
    {"INVALID_SECURITY_USER", NAVOI_CAT_CONFIG},
    {"NOT_REGISTERED_CUSTOMER", NAVOI_CAT_CONFIG},
    {"INVALID_CUSTOMER", NAVOI_CAT_CONFIG},
    {"INVALID_USER_RELATION", NAVOI_CAT_CONFIG},
    {"FORBIDDEN", NAVOI_CAT_CONFIG},
    {"INVALID_REQUEST_SIGNATURE", NAVOI_CAT_CONFIG},
    {"REQUEST_VERSION_NOT_ALLOWED", NAVOI_CAT_CONFIG},
    {"STATUS_QUERY_NOT_ALLOWED", NAVOI_CAT_CONFIG},
    {"INVALID_TIMESTAMP", NAVOI_CAT_CONFIG},
    {"INVALID_PASSWORD_HASH_CRYPTO", NAVOI_CAT_CONFIG},
    {"INVALID_REQUEST_SIGNATURE_HASH_CRYPTO", NAVOI_CAT_CONFIG},
    {"INVALID_REQUEST_VERSION", NAVOI_CAT_CONFIG},
    {"INVALID_HEADER_VERSION", NAVOI_CAT_CONFIG},
    {"NOT_ALLOWED_EXCEPTION", NAVOI_CAT_CONFIG},
    {"INVALID_OPERATION", NAVOI_CAT_CONFIG},
    {"INVALID_REQUEST", NAVOI_CAT_DATA},
    {"INDEX_NOT_SEQUENTIAL", NAVOI_CAT_DATA},
    {"MULTIPLE_QUERY_RESULT_FOUND", NAVOI_CAT_DATA},
    {"BAD_QUERY_PARAM_OVERLAP", NAVOI_CAT_DATA},
    {"BAD_QUERY_PARAM_RANGE_EXCEEDED", NAVOI_CAT_DATA},
    {"BAD_QUERY_PARAM_EQ_NOT_STANDALONE", NAVOI_CAT_DATA},
    {"BAD_QUERY_PARAM_OPERATOR_COLLISION", NAVOI_CAT_DATA},
    {"BAD_QUERY_PARAM_SUPPLIER_NOT_EXPECTED", NAVOI_CAT_DATA},
    {"BAD_QUERY_PARAM_SUPPLIER_EXPECTED", NAVOI_CAT_DATA},
    {"MAINTENANCE_MODE", NAVOI_CAT_TRANSIENT},
    {"SERVICE_UNAVAILABLE", NAVOI_CAT_TRANSIENT},
    {"ANNULMENT_VERIFICATION_BLOCKED", NAVOI_CAT_TRANSIENT},
    {"INVALID_EXCHANGE_TOKEN", NAVOI_CAT_TRANSIENT},
    {"OPERATION_FAILED", NAVOI_CAT_TRANSIENT},
    {"REQUEST_ID_NOT_UNIQUE", NAVOI_CAT_AMBIGUOUS},
};

NAVOI_API int navoi_error_category(int code, const char *nav_error_code, int manage)
{
    size_t i;

    switch (code) {
    case NAVOI_OK:
        return NAVOI_CAT_NONE;
    case NAVOI_EINVAL:
    case NAVOI_EXML:
    case NAVOI_ESCHEMA:
    case NAVOI_ETOOBIG:
    case NAVOI_ENOTFOUND:
    case NAVOI_ESTATE:
    case NAVOI_EVALIDATION:
        return NAVOI_CAT_DATA;
    case NAVOI_ECONFIG:
    case NAVOI_EKEY:
    case NAVOI_ECRYPTO:
    case NAVOI_EIO:
    case NAVOI_ESIGNATURE:
        return NAVOI_CAT_CONFIG;
    case NAVOI_EPERM:
    case NAVOI_ETLS:
        return NAVOI_CAT_SECURITY;
    case NAVOI_EAMBIGUOUS:
        return NAVOI_CAT_AMBIGUOUS;
    case NAVOI_ENET:
    case NAVOI_ENOMEM:
    case NAVOI_EUSER:
        return NAVOI_CAT_TRANSIENT;
    case NAVOI_ETIMEOUT:
    case NAVOI_EHTTP:
    case NAVOI_EPROTO:
        /* A manage request that got no usable answer may still have been
         * committed by NAV (PROTOCOL.md 1.5, 7.6). */
        return manage ? NAVOI_CAT_AMBIGUOUS : NAVOI_CAT_TRANSIENT;
    case NAVOI_ENAV:
        if (!nav_error_code)
            return NAVOI_CAT_DATA;
        for (i = 0; i < sizeof g_codes / sizeof g_codes[0]; i++) {
            if (strcmp(g_codes[i].code, nav_error_code) == 0) {
                if (g_codes[i].cat == NAVOI_CAT_AMBIGUOUS && !manage)
                    return NAVOI_CAT_TRANSIENT; /* a query: just retry with a new id */
                if (manage && strcmp(nav_error_code, "OPERATION_FAILED") == 0)
                    return NAVOI_CAT_AMBIGUOUS;
                return g_codes[i].cat;
            }
        }
        /* Unknown codes are surfaced to a person rather than retried. */
        return NAVOI_CAT_DATA;
    default:
        return NAVOI_CAT_DATA;
    }
}

int navoi__fail(navoi_client *c, int code, const char *fmt, ...)
{
    va_list ap;

    if (!c)
        return code;
    c->last_code = code;
    va_start(ap, fmt);
    vsnprintf(c->errmsg, sizeof c->errmsg, fmt, ap);
    va_end(ap);
    if (code != NAVOI_ENAV)
        c->nav_code[0] = '\0';
    c->category = navoi_error_category(code, c->nav_code[0] ? c->nav_code : NULL, 0);
    navoi__log(c, NAVOI_LOG_DEBUG, "error %d (%s): %s", code, navoi_strerror(code), c->errmsg);
    return code;
}

void navoi__clear_error(navoi_client *c)
{
    c->last_code = NAVOI_OK;
    c->category = NAVOI_CAT_NONE;
    c->errmsg[0] = '\0';
    c->nav_code[0] = '\0';
    c->http_status = 0;
}

void navoi__log(const navoi_client *c, int level, const char *fmt, ...)
{
    char line[2048];
    va_list ap;

    if (!c || !c->log_fn || level > c->log_level)
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    c->log_fn(level, c->request_id, line, c->log_ud);
}

NAVOI_API const char *navoi_client_errmsg(const navoi_client *c)
{
    return c ? c->errmsg : "";
}

NAVOI_API const char *navoi_client_nav_error_code(const navoi_client *c)
{
    return c ? c->nav_code : "";
}

NAVOI_API int navoi_client_http_status(const navoi_client *c)
{
    return c ? c->http_status : 0;
}

NAVOI_API int navoi_client_error_category(const navoi_client *c)
{
    return c ? c->category : NAVOI_CAT_NONE;
}

NAVOI_API int64_t navoi_client_server_skew_ms(const navoi_client *c)
{
    return c ? c->skew_ms : 0;
}

NAVOI_API const char *navoi_version(void)
{
    return NAVOI_VERSION;
}

NAVOI_API uint32_t navoi_version_num(void)
{
    return (uint32_t)NAVOI_VERSION_NUM;
}
