/*
 * client.c - creating, configuring and freeing navoi_client. Every setter
 * validates its input against NAV's patterns so that configuration
 * mistakes (pasted line breaks, wrong key lengths, 11-digit tax numbers)
 * surface here with a clear message instead of as INVALID_SECURITY_USER or
 * INVALID_REQUEST_SIGNATURE from NAV later.
 */
#include <string.h>
#include <strings.h>

#include "common/alloc.h"
#include "core/client.h"
#include "crypto/sign.h"

#define NAV_TEST_URL "https://api-test.onlineszamla.nav.gov.hu/invoiceService/v3"
#define NAV_PROD_URL "https://api.onlineszamla.nav.gov.hu/invoiceService/v3"

static int is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == '\v' || ch == '\f';
}

static int has_space(const char *s)
{
    for (; *s; s++)
        if (is_space(*s))
            return 1;
    return 0;
}

static int is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

static int is_alnum(char ch)
{
    return is_digit(ch) || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

NAVOI_API int navoi_client_new(navoi_client **out)
{
    navoi_client *c;

    if (!out)
        return NAVOI_EINVAL;
    *out = NULL;
    c = navoi__calloc(1, sizeof *c);
    if (!c)
        return NAVOI_ENOMEM;
    c->env = NAVOI_ENV_TEST;
    c->connect_ms = 5000;
    c->query_ms = 10000;
    c->manage_ms = 70000;
    c->max_response = 32u * 1024u * 1024u;
    c->ehash_mode = NAVOI_EHASH_BASE64_TEXT;
    c->log_level = NAVOI_LOG_INFO;
    *out = c;
    return NAVOI_OK;
}

static void software_clear(navoi__software *sw)
{
    navoi__free(sw->name);
    navoi__free(sw->main_version);
    navoi__free(sw->dev_name);
    navoi__free(sw->dev_contact);
    navoi__free(sw->dev_tax_number);
    memset(sw, 0, sizeof *sw);
}

NAVOI_API void navoi_client_free(navoi_client *c)
{
    if (!c)
        return;
    software_clear(&c->sw);
    navoi__free(c->base_url);
    navoi__free(c->ca_file);
    navoi__free(c->schema_dir);
    navoi__schemas_free(c->schemas);
    if (c->transport)
        c->transport->destroy(c->transport);
    /* Wipes password hash, keys and any held token with the rest. */
    navoi__cleanse(c, sizeof *c);
    navoi__free(c);
}

NAVOI_API int navoi_client_set_environment(navoi_client *c, int env)
{
    if (!c)
        return NAVOI_EINVAL;
    if (env != NAVOI_ENV_TEST && env != NAVOI_ENV_PRODUCTION)
        return navoi__fail(c, NAVOI_EINVAL, "environment must be NAVOI_ENV_TEST or NAVOI_ENV_PRODUCTION");
    c->env = env;
    navoi__free(c->base_url);
    c->base_url = NULL;
    return NAVOI_OK;
}

/* NAV's own hosts are never spoken to in plain HTTP: the request carries the
 * passwordHash and the exchange token. */
static int is_nav_host(const char *url)
{
    const char *host = strstr(url, "://");
    const char *end, *at;
    size_t n;

    if (!host)
        return 0;
    host += 3;
    /* user:password@ comes before the host */
    end = host + strcspn(host, "/?#");
    for (at = host; at < end; at++)
        if (*at == '@')
            host = at + 1;
    end = host + strcspn(host, ":/?#");
    /* a fully qualified name may end in a dot */
    if (end > host && end[-1] == '.')
        end--;
    n = (size_t)(end - host);
    /* host names are case-insensitive */
    return n >= 11 && strncasecmp(end - 11, ".nav.gov.hu", 11) == 0;
}

NAVOI_API int navoi_client_set_base_url(navoi_client *c, const char *url)
{
    char *copy;
    size_t n;

    if (!c || !url)
        return c ? navoi__fail(c, NAVOI_EINVAL, "base URL is NULL") : NAVOI_EINVAL;
    if (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0)
        return navoi__fail(c, NAVOI_EINVAL, "base URL must start with http:// or https://");
    if (has_space(url))
        return navoi__fail(c, NAVOI_EINVAL, "base URL contains whitespace");
    if (strncmp(url, "http://", 7) == 0 && is_nav_host(url))
        return navoi__fail(c, NAVOI_ETLS, "plain http to NAV's servers is refused; use https");
    n = strlen(url);
    while (n > 0 && url[n - 1] == '/')
        n--;
    copy = navoi__strndup(url, n);
    if (!copy)
        return navoi__fail(c, NAVOI_ENOMEM, "out of memory");
    navoi__free(c->base_url);
    c->base_url = copy;
    return NAVOI_OK;
}

const char *navoi__client_base_url(const navoi_client *c)
{
    if (c->base_url)
        return c->base_url;
    return c->env == NAVOI_ENV_PRODUCTION ? NAV_PROD_URL : NAV_TEST_URL;
}

NAVOI_API int navoi_client_set_login(navoi_client *c, const char *login)
{
    size_t n, i;

    if (!c || !login)
        return c ? navoi__fail(c, NAVOI_EINVAL, "login is NULL") : NAVOI_EINVAL;
    n = strlen(login);
    if (has_space(login))
        return navoi__fail(c, NAVOI_EINVAL, "login contains whitespace or a line break");
    if (n < 6 || n > 15)
        return navoi__fail(c, NAVOI_EINVAL, "login must be 6 to 15 letters or digits, got %zu characters", n);
    for (i = 0; i < n; i++)
        if (!is_alnum(login[i]))
            return navoi__fail(c, NAVOI_EINVAL, "login may contain only letters and digits");
    memcpy(c->login, login, n + 1);
    return NAVOI_OK;
}

NAVOI_API int navoi_client_set_password(navoi_client *c, const char *password)
{
    size_t n;
    int rc;

    if (!c || !password)
        return c ? navoi__fail(c, NAVOI_EINVAL, "password is NULL") : NAVOI_EINVAL;
    n = strlen(password);
    if (n == 0)
        return navoi__fail(c, NAVOI_EKEY, "password is empty");
    if (strchr(password, '\n') || strchr(password, '\r'))
        return navoi__fail(c, NAVOI_EKEY, "password contains a line break (pasted with its newline?)");
    if (is_space(password[0]) || is_space(password[n - 1]))
        return navoi__fail(c, NAVOI_EKEY, "password starts or ends with whitespace (pasted by mistake?)");
    rc = navoi__password_hash(password, c->password_hash);
    if (rc != NAVOI_OK) {
        navoi__cleanse(c->password_hash, sizeof c->password_hash);
        return navoi__fail(c, rc, "cannot hash the password");
    }
    return NAVOI_OK;
}

NAVOI_API int navoi_client_set_password_hash(navoi_client *c, const char *hex)
{
    size_t i;

    if (!c || !hex)
        return c ? navoi__fail(c, NAVOI_EINVAL, "password hash is NULL") : NAVOI_EINVAL;
    if (strlen(hex) != 128)
        return navoi__fail(c, NAVOI_EKEY, "password hash must be 128 hex digits (SHA-512)");
    for (i = 0; i < 128; i++) {
        char ch = hex[i];
        if (is_digit(ch) || (ch >= 'A' && ch <= 'F'))
            c->password_hash[i] = ch;
        else if (ch >= 'a' && ch <= 'f')
            c->password_hash[i] = (char)(ch - 'a' + 'A');
        else {
            navoi__cleanse(c->password_hash, sizeof c->password_hash);
            return navoi__fail(c, NAVOI_EKEY, "password hash must be 128 hex digits (SHA-512)");
        }
    }
    c->password_hash[128] = '\0';
    return NAVOI_OK;
}

int navoi__tax_number_normalize(const char *tax, char out[9])
{
    char digits[12];
    size_t n = 0;
    const char *p;

    /* Accept 12345678, 12345678142 and 12345678-1-42; nothing else. */
    for (p = tax; *p; p++) {
        if (is_digit(*p)) {
            if (n >= 11)
                return NAVOI_EINVAL;
            digits[n++] = *p;
        } else if (*p != '-') {
            return NAVOI_EINVAL;
        }
    }
    if (n != 8 && n != 11)
        return NAVOI_EINVAL;
    if (strchr(tax, '-') && !(strlen(tax) == 13 && tax[8] == '-' && tax[10] == '-'))
        return NAVOI_EINVAL;
    memcpy(out, digits, 8);
    out[8] = '\0';
    return NAVOI_OK;
}

NAVOI_API int navoi_client_set_tax_number(navoi_client *c, const char *tax)
{
    if (!c || !tax)
        return c ? navoi__fail(c, NAVOI_EINVAL, "tax number is NULL") : NAVOI_EINVAL;
    if (navoi__tax_number_normalize(tax, c->tax_number) != NAVOI_OK)
        return navoi__fail(c, NAVOI_EINVAL,
                           "tax number must be 8 digits (törzsszám) or the 11-digit form "
                           "12345678-1-42");
    return NAVOI_OK;
}

static int set_key(navoi_client *c, const char *key, char *dst, size_t want, const char *what)
{
    size_t n;

    if (!key)
        return navoi__fail(c, NAVOI_EINVAL, "%s is NULL", what);
    n = strlen(key);
    if (has_space(key))
        return navoi__fail(c, NAVOI_EKEY,
                           "%s contains whitespace or a line break (copied with extra "
                           "characters from NAV's web page?)", what);
    if (n != want)
        return navoi__fail(c, NAVOI_EKEY, "%s must be %zu characters, got %zu", what, want, n);
    memcpy(dst, key, n + 1);
    return NAVOI_OK;
}

NAVOI_API int navoi_client_set_signing_key(navoi_client *c, const char *key)
{
    if (!c)
        return NAVOI_EINVAL;
    return set_key(c, key, c->sign_key, NAVOI__SIGN_KEY_LEN, "signing key");
}

NAVOI_API int navoi_client_set_exchange_key(navoi_client *c, const char *key)
{
    if (!c)
        return NAVOI_EINVAL;
    /* A held token was decrypted with the old key. */
    navoi__cleanse(c->token, sizeof c->token);
    return set_key(c, key, c->exchange_key, NAVOI__EXCHANGE_KEY_LEN, "exchange key");
}

static int not_blank(const char *s, size_t max)
{
    size_t n;
    if (!s)
        return 0;
    n = strlen(s);
    if (n == 0 || n > max)
        return 0;
    for (; *s; s++)
        if (!is_space(*s))
            return 1;
    return 0;
}

NAVOI_API int navoi_client_set_software(navoi_client *c, const char *id, const char *name,
                                        int operation, const char *main_version,
                                        const char *dev_name, const char *dev_contact,
                                        const char *dev_country, const char *dev_tax_number)
{
    navoi__software sw;
    size_t i;

    if (!c)
        return NAVOI_EINVAL;
    if (!id || strlen(id) != 18)
        return navoi__fail(c, NAVOI_EINVAL, "softwareId must be exactly 18 characters of [0-9A-Z-]");
    for (i = 0; i < 18; i++)
        if (!(is_digit(id[i]) || (id[i] >= 'A' && id[i] <= 'Z') || id[i] == '-'))
            return navoi__fail(c, NAVOI_EINVAL, "softwareId must be exactly 18 characters of [0-9A-Z-]");
    if (!not_blank(name, 50))
        return navoi__fail(c, NAVOI_EINVAL, "softwareName must be 1 to 50 characters, not blank");
    if (operation != NAVOI_SOFTWARE_LOCAL && operation != NAVOI_SOFTWARE_ONLINE)
        return navoi__fail(c, NAVOI_EINVAL, "softwareOperation must be NAVOI_SOFTWARE_LOCAL or _ONLINE");
    if (!not_blank(main_version, 15))
        return navoi__fail(c, NAVOI_EINVAL, "softwareMainVersion must be 1 to 15 characters, not blank");
    if (!not_blank(dev_name, 512))
        return navoi__fail(c, NAVOI_EINVAL, "softwareDevName must be 1 to 512 characters, not blank");
    if (!not_blank(dev_contact, 200))
        return navoi__fail(c, NAVOI_EINVAL, "softwareDevContact must be 1 to 200 characters, not blank");
    if (dev_country && !(strlen(dev_country) == 2 && dev_country[0] >= 'A' && dev_country[0] <= 'Z' &&
                         dev_country[1] >= 'A' && dev_country[1] <= 'Z'))
        return navoi__fail(c, NAVOI_EINVAL, "softwareDevCountryCode must be two capital letters");
    if (dev_tax_number && !not_blank(dev_tax_number, 50))
        return navoi__fail(c, NAVOI_EINVAL, "softwareDevTaxNumber must be 1 to 50 characters, not blank");

    memset(&sw, 0, sizeof sw);
    memcpy(sw.id, id, 19);
    sw.operation = operation;
    sw.name = navoi__strdup(name);
    sw.main_version = navoi__strdup(main_version);
    sw.dev_name = navoi__strdup(dev_name);
    sw.dev_contact = navoi__strdup(dev_contact);
    sw.dev_tax_number = dev_tax_number ? navoi__strdup(dev_tax_number) : NULL;
    if (dev_country)
        memcpy(sw.dev_country, dev_country, 3);
    if (!sw.name || !sw.main_version || !sw.dev_name || !sw.dev_contact ||
        (dev_tax_number && !sw.dev_tax_number)) {
        software_clear(&sw);
        return navoi__fail(c, NAVOI_ENOMEM, "out of memory");
    }
    software_clear(&c->sw);
    c->sw = sw;
    c->has_software = 1;
    return NAVOI_OK;
}

NAVOI_API int navoi_client_set_ca_file(navoi_client *c, const char *path)
{
    char *copy;

    if (!c || !path)
        return c ? navoi__fail(c, NAVOI_EINVAL, "CA file is NULL") : NAVOI_EINVAL;
    copy = navoi__strdup(path);
    if (!copy)
        return navoi__fail(c, NAVOI_ENOMEM, "out of memory");
    navoi__free(c->ca_file);
    c->ca_file = copy;
    return NAVOI_OK;
}

NAVOI_API int navoi_client_set_timeouts(navoi_client *c, uint32_t connect_ms, uint32_t query_ms,
                                        uint32_t manage_ms)
{
    if (!c)
        return NAVOI_EINVAL;
    if (connect_ms == 0)
        return navoi__fail(c, NAVOI_EINVAL, "connect timeout must be positive");
    /* NAV's synchronous blocking timeout is 5 s and its edge gives up at
     * 60 s: a client that gives up earlier turns slow successes into
     * ambiguous outcomes (PROTOCOL.md 1.5). */
    c->connect_ms = connect_ms;
    c->query_ms = query_ms < 5000 ? 5000 : query_ms;
    c->manage_ms = manage_ms < 61000 ? 61000 : manage_ms;
    return NAVOI_OK;
}

NAVOI_API int navoi_client_set_max_response(navoi_client *c, uint32_t bytes)
{
    if (!c)
        return NAVOI_EINVAL;
    if (bytes < 4096)
        return navoi__fail(c, NAVOI_EINVAL, "response cap must be at least 4096 bytes");
    c->max_response = bytes;
    return NAVOI_OK;
}

NAVOI_API int navoi_client_set_schema_dir(navoi_client *c, const char *dir)
{
    navoi__schemas *s = NULL;
    char why[512];
    int rc;

    if (!c || !dir)
        return c ? navoi__fail(c, NAVOI_EINVAL, "schema directory is NULL") : NAVOI_EINVAL;
    rc = navoi__schemas_load(dir, &s, why, sizeof why);
    if (rc != NAVOI_OK)
        return navoi__fail(c, rc, "cannot load NAV schemas from %s: %s", dir, why);
    navoi__schemas_free(c->schemas);
    c->schemas = s;
    return NAVOI_OK;
}

NAVOI_API int navoi_client_set_invoice_hash_mode(navoi_client *c, int mode)
{
    if (!c)
        return NAVOI_EINVAL;
    if (mode != NAVOI_EHASH_BASE64_TEXT && mode != NAVOI_EHASH_DECODED_XML)
        return navoi__fail(c, NAVOI_EINVAL, "hash mode must be NAVOI_EHASH_BASE64_TEXT or _DECODED_XML");
    c->ehash_mode = mode;
    return NAVOI_OK;
}

NAVOI_API void navoi_client_set_log(navoi_client *c, navoi_log_fn fn, int max_level, void *userdata)
{
    if (!c)
        return;
    c->log_fn = fn;
    c->log_level = max_level;
    c->log_ud = userdata;
}

NAVOI_API void navoi_client_set_clock(navoi_client *c, navoi_clock_fn fn, void *userdata)
{
    if (!c)
        return;
    c->clock_fn = fn;
    c->clock_ud = userdata;
}

NAVOI_API void navoi_client_set_random(navoi_client *c, navoi_random_fn fn, void *userdata)
{
    if (!c)
        return;
    c->random_fn = fn;
    c->random_ud = userdata;
}

void navoi__client_set_transport(navoi_client *c, navoi__transport *t)
{
    if (c->transport)
        c->transport->destroy(c->transport);
    c->transport = t;
}
