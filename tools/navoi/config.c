/* config.c - see config.h. Public API only. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FILE 65536
#define MAX_LINE 1024
#define MAX_KEYS 256

struct cli_config {
    size_t n;
    char *keys[MAX_KEYS];
    char *vals[MAX_KEYS];
};

/* Keys that would put a secret into the file itself. */
static const char *const g_secret_keys[] = {"password", "password_hash", "signing_key",
                                            "sign_key", "exchange_key", "token"};

static char *trim(char *s)
{
    char *e;
    while (*s && isspace((unsigned char)*s))
        s++;
    e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

void cli_config_free(cli_config *cfg)
{
    size_t i;
    if (!cfg)
        return;
    for (i = 0; i < cfg->n; i++) {
        free(cfg->keys[i]);
        free(cfg->vals[i]);
    }
    free(cfg);
}

int cli_config_load(cli_config **out, const char *path, char *err, size_t errlen)
{
    cli_config *cfg = calloc(1, sizeof *cfg);
    FILE *f;
    char line[MAX_LINE + 2];
    size_t total = 0;
    int lineno = 0;

    *out = NULL;
    if (!cfg) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (!path) {
        *out = cfg;
        return 0;
    }
    f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        free(cfg);
        return -1;
    }
    while (fgets(line, sizeof line, f)) {
        char *p, *eq, *k, *v;
        size_t i, len = strlen(line);
        lineno++;
        total += len;
        if (total > MAX_FILE || (len == sizeof line - 1 && line[len - 1] != '\n')) {
            snprintf(err, errlen, "%s: line %d: file or line too long", path, lineno);
            goto fail;
        }
        p = trim(line);
        if (!*p || *p == '#' || *p == ';')
            continue;
        eq = strchr(p, '=');
        if (!eq) {
            snprintf(err, errlen, "%s: line %d: expected key = value", path, lineno);
            goto fail;
        }
        *eq = '\0';
        k = trim(p);
        v = trim(eq + 1);
        if (!*k) {
            snprintf(err, errlen, "%s: line %d: empty key", path, lineno);
            goto fail;
        }
        for (i = 0; i < sizeof g_secret_keys / sizeof g_secret_keys[0]; i++) {
            if (!strcmp(k, g_secret_keys[i])) {
                snprintf(err, errlen,
                         "%s: line %d: secrets are not read from the configuration; use %s_file "
                         "(mode 0600) or the environment variable NAVOI_%s",
                         path, lineno, k, !strcmp(k, "password") ? "PASSWORD"
                                          : !strcmp(k, "exchange_key") ? "EXCHANGE_KEY"
                                                                       : "SIGNING_KEY");
                goto fail;
            }
        }
        for (i = 0; i < cfg->n; i++)
            if (!strcmp(cfg->keys[i], k))
                break;
        if (i == cfg->n) {
            if (cfg->n == MAX_KEYS) {
                snprintf(err, errlen, "%s: line %d: too many keys", path, lineno);
                goto fail;
            }
            cfg->keys[i] = strdup(k);
            cfg->vals[i] = NULL;
            cfg->n++;
        }
        free(cfg->vals[i]);
        cfg->vals[i] = strdup(v);
        if (!cfg->keys[i] || !cfg->vals[i]) {
            snprintf(err, errlen, "out of memory");
            goto fail;
        }
    }
    fclose(f);
    *out = cfg;
    return 0;
fail:
    fclose(f);
    cli_config_free(cfg);
    return -1;
}

const char *cli_config_get(const cli_config *cfg, const char *key)
{
    char env[96];
    const char *v;
    size_t i;
    snprintf(env, sizeof env, "NAVOI_%s", key);
    for (i = 6; env[i]; i++)
        env[i] = (char)toupper((unsigned char)env[i]);
    v = getenv(env);
    if (v && *v)
        return v;
    for (i = 0; cfg && i < cfg->n; i++)
        if (!strcmp(cfg->keys[i], key))
            return *cfg->vals[i] ? cfg->vals[i] : NULL;
    return NULL;
}

int cli_config_i64(const cli_config *cfg, const char *key, int64_t dflt, int64_t *out,
                   char *err, size_t errlen)
{
    const char *v = cli_config_get(cfg, key);
    char *end;
    long long x;
    if (!v) {
        *out = dflt;
        return 0;
    }
    errno = 0;
    x = strtoll(v, &end, 10);
    if (errno || *end || end == v) {
        snprintf(err, errlen, "%s: '%s' is not a number", key, v);
        return -1;
    }
    *out = x;
    return 0;
}

int cli_config_u32(const cli_config *cfg, const char *key, uint32_t dflt, uint32_t *out,
                   char *err, size_t errlen)
{
    int64_t v;
    if (cli_config_i64(cfg, key, dflt, &v, err, errlen))
        return -1;
    if (v < 0 || v > 4294967295LL) {
        snprintf(err, errlen, "%s: %lld is out of range", key, (long long)v);
        return -1;
    }
    *out = (uint32_t)v;
    return 0;
}

int cli_config_log_level(const cli_config *cfg)
{
    static const char *const names[] = {"error", "warn", "info", "debug", "trace"};
    const char *v = cli_config_get(cfg, "log_level");
    int i;
    if (!v)
        return NAVOI_LOG_INFO;
    for (i = 0; i < 5; i++)
        if (!strcmp(v, names[i]))
            return i + 1;
    return -1;
}

/* A secret from NAVOI_<ENV> or from the file named by <key>_file. */
static int secret(const cli_config *cfg, const char *env, const char *file_key, char **out,
                  char *err, size_t errlen)
{
    const char *v = getenv(env), *path;
    int rc;
    *out = NULL;
    if (v && *v) {
        *out = strdup(v);
        if (!*out) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        return 0;
    }
    path = cli_config_get(cfg, file_key);
    if (!path)
        return 0;
    {
        char *tmp = NULL;
        rc = navoi_secret_file_read(path, &tmp);
        if (rc != NAVOI_OK) {
            snprintf(err, errlen, "%s %s: %s", file_key, path, navoi_strerror(rc));
            return -1;
        }
        *out = strdup(tmp);
        navoi_free(tmp); /* wipes */
    }
    if (!*out) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

static void wipe_free(char *s)
{
    if (s) {
        volatile char *p = s;
        while (*p)
            *p++ = 0;
    }
    free(s);
}

#define CHECK(call, what)                                                                  \
    do {                                                                                   \
        int rc_ = (call);                                                                  \
        if (rc_ != NAVOI_OK) {                                                             \
            snprintf(err, errlen, "%s: %s (%s)", what, navoi_client_errmsg(c)[0]           \
                                                         ? navoi_client_errmsg(c)          \
                                                         : navoi_strerror(rc_),            \
                     navoi_strerror(rc_));                                                 \
            goto fail;                                                                     \
        }                                                                                  \
    } while (0)

int cli_config_client(const cli_config *cfg, navoi_client **out, char *err, size_t errlen)
{
    return cli_config_client_ex(cfg, 1, out, err, errlen);
}

int cli_config_secrets(const cli_config *cfg, cli_secrets *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (secret(cfg, "NAVOI_PASSWORD", "password_file", &out->password, err, errlen) ||
        secret(cfg, "NAVOI_PASSWORD_HASH", "password_hash_file", &out->password_hash, err,
               errlen) ||
        secret(cfg, "NAVOI_SIGNING_KEY", "signing_key_file", &out->signing_key, err, errlen) ||
        secret(cfg, "NAVOI_EXCHANGE_KEY", "exchange_key_file", &out->exchange_key, err, errlen)) {
        cli_secrets_wipe(out);
        return -1;
    }
    return 0;
}

void cli_secrets_wipe(cli_secrets *s)
{
    wipe_free(s->password);
    wipe_free(s->password_hash);
    wipe_free(s->signing_key);
    wipe_free(s->exchange_key);
    memset(s, 0, sizeof *s);
}

int cli_config_client_ex(const cli_config *cfg, int with_secrets, navoi_client **out, char *err,
                         size_t errlen)
{
    navoi_client *c = NULL;
    char *pw = NULL, *pwh = NULL, *sk = NULL, *xk = NULL;
    const char *v;
    int sw_op = NAVOI_SOFTWARE_LOCAL;

    *out = NULL;
    if (navoi_client_new(&c) != NAVOI_OK) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    v = cli_config_get(cfg, "environment");
    if (v && strcmp(v, "test") && strcmp(v, "production")) {
        snprintf(err, errlen, "environment must be test or production");
        goto fail;
    }
    CHECK(navoi_client_set_environment(c, v && !strcmp(v, "production") ? NAVOI_ENV_PRODUCTION
                                                                          : NAVOI_ENV_TEST),
          "environment");
    if ((v = cli_config_get(cfg, "base_url")))
        CHECK(navoi_client_set_base_url(c, v), "base_url");
    if ((v = cli_config_get(cfg, "ca_file")))
        CHECK(navoi_client_set_ca_file(c, v), "ca_file");
    if ((v = cli_config_get(cfg, "schema_dir")))
        CHECK(navoi_client_set_schema_dir(c, v), "schema_dir");
    if ((v = cli_config_get(cfg, "login")))
        CHECK(navoi_client_set_login(c, v), "login");
    if ((v = cli_config_get(cfg, "tax_number")))
        CHECK(navoi_client_set_tax_number(c, v), "tax_number");
    if (with_secrets &&
        (secret(cfg, "NAVOI_PASSWORD", "password_file", &pw, err, errlen) ||
        secret(cfg, "NAVOI_PASSWORD_HASH", "password_hash_file", &pwh, err, errlen) ||
        secret(cfg, "NAVOI_SIGNING_KEY", "signing_key_file", &sk, err, errlen) ||
        secret(cfg, "NAVOI_EXCHANGE_KEY", "exchange_key_file", &xk, err, errlen)))
        goto fail;
    if (pw)
        CHECK(navoi_client_set_password(c, pw), "password");
    else if (pwh)
        CHECK(navoi_client_set_password_hash(c, pwh), "password_hash");
    if (sk)
        CHECK(navoi_client_set_signing_key(c, sk), "signing_key");
    if (xk)
        CHECK(navoi_client_set_exchange_key(c, xk), "exchange_key");
    v = cli_config_get(cfg, "software_operation");
    if (v && !strcmp(v, "online"))
        sw_op = NAVOI_SOFTWARE_ONLINE;
    else if (v && strcmp(v, "local")) {
        snprintf(err, errlen, "software_operation must be local or online");
        goto fail;
    }
    if (cli_config_get(cfg, "software_id"))
        CHECK(navoi_client_set_software(
                  c, cli_config_get(cfg, "software_id"), cli_config_get(cfg, "software_name"),
                  sw_op, cli_config_get(cfg, "software_main_version"),
                  cli_config_get(cfg, "software_dev_name"),
                  cli_config_get(cfg, "software_dev_contact"),
                  cli_config_get(cfg, "software_dev_country"),
                  cli_config_get(cfg, "software_dev_tax_number")),
              "software");
    wipe_free(pw);
    wipe_free(pwh);
    wipe_free(sk);
    wipe_free(xk);
    *out = c;
    return 0;
fail:
    wipe_free(pw);
    wipe_free(pwh);
    wipe_free(sk);
    wipe_free(xk);
    navoi_client_free(c);
    return -1;
}
