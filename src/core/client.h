/*
 * client.h - the navoi_client handle: configuration, credentials (the
 * secrets live only here, wiped on free), hooks, the transport seam, the
 * held exchange token and the last-error detail.
 */
#ifndef NAVOI_CORE_CLIENT_H
#define NAVOI_CORE_CLIENT_H

#include <stdint.h>

#include "crypto/crypto.h"
#include "http/transport.h"
#include "navoi/navoi.h"
#include "ops/request.h"
#include "xml/schema.h"

#define NAVOI__SIGN_KEY_LEN 32
#define NAVOI__EXCHANGE_KEY_LEN 16

struct navoi_client {
    int env;
    char *base_url;              /* NULL: the environment's NAV URL */
    char login[16];
    char password_hash[129];     /* secret; "" when unset */
    char tax_number[9];
    char sign_key[NAVOI__SIGN_KEY_LEN + 1];          /* secret */
    char exchange_key[NAVOI__EXCHANGE_KEY_LEN + 1];  /* secret */
    navoi__software sw;
    int has_software;
    char *ca_file;
    char *schema_dir;
    uint32_t connect_ms, query_ms, manage_ms;
    uint32_t max_response;
    navoi__schemas *schemas;
    int ehash_mode;

    navoi_log_fn log_fn;
    int log_level;
    void *log_ud;
    navoi_clock_fn clock_fn;
    void *clock_ud;
    navoi_random_fn random_fn;
    void *random_ud;

    navoi__transport *transport;

    char token[NAVOI__TOKEN_MAX + 1]; /* secret; "" when none held */
    int64_t token_valid_to;

    int last_code;
    int category;
    char errmsg[1024];
    char nav_code[64];
    int http_status;
    int64_t skew_ms;
    char request_id[31];          /* of the request in flight / last sent */
};

/* Records a failure on the client and returns code. The message must never
 * contain a secret. */
int navoi__fail(navoi_client *c, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void navoi__clear_error(navoi_client *c);
/* Formats and hands a line to the log hook when level is enabled. */
void navoi__log(const navoi_client *c, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int64_t navoi__now_ms(const navoi_client *c);
/* Fills out with n random bytes through the hook; NAVOI_EUSER on refusal. */
int navoi__client_random(navoi_client *c, unsigned char *out, size_t n);
/* Base URL without trailing slash. */
const char *navoi__client_base_url(const navoi_client *c);
/* 8-digit törzsszám of an 8- or 11-digit tax number (12345678-1-42). */
int navoi__tax_number_normalize(const char *tax, char out[9]);
/* Replaces the transport (takes ownership; NULL restores libcurl lazily). */
void navoi__client_set_transport(navoi_client *c, navoi__transport *t);

#endif
