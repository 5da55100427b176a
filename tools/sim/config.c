/*
 * config.c - the simulator's INI-like configuration (README.md in this
 * folder documents it). Parsed without a dependency; every line and the
 * number of lines are capped, and errors name the line.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "sim_internal.h"

enum { SEC_NONE = 0, SEC_SETTINGS, SEC_USER, SEC_TAXPAYER };

static int fail(char *err, size_t errlen, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errlen, int line, const char *fmt, ...)
{
    char tmp[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (line > 0)
        snprintf(err, errlen, "line %d: %s", line, tmp);
    else
        snprintf(err, errlen, "%s", tmp);
    return -1;
}

static int match(const char *s, const char *set, size_t minl, size_t maxl)
{
    size_t n = strlen(s), i;
    if (n < minl || n > maxl)
        return 0;
    for (i = 0; i < n; i++) {
        char c = s[i];
        int ok = 0;
        if (strchr(set, 'd') && c >= '0' && c <= '9')
            ok = 1;
        if (strchr(set, 'U') && c >= 'A' && c <= 'Z')
            ok = 1;
        if (strchr(set, 'l') && c >= 'a' && c <= 'z')
            ok = 1;
        if (!ok)
            return 0;
    }
    return 1;
}

static int parse_bool(const char *v, int *out)
{
    if (!strcmp(v, "true") || !strcmp(v, "on") || !strcmp(v, "yes") || !strcmp(v, "1"))
        *out = 1;
    else if (!strcmp(v, "false") || !strcmp(v, "off") || !strcmp(v, "no") || !strcmp(v, "0"))
        *out = 0;
    else
        return -1;
    return 0;
}

static int parse_i64(const char *v, int64_t lo, int64_t hi, int64_t *out)
{
    char *end;
    long long x;
    errno = 0;
    x = strtoll(v, &end, 10);
    if (errno || end == v || *end || x < lo || x > hi)
        return -1;
    *out = x;
    return 0;
}

static int copy(char *dst, size_t cap, const char *v)
{
    if (strlen(v) >= cap)
        return -1;
    memcpy(dst, v, strlen(v) + 1);
    return 0;
}

static char *trim(char *s)
{
    char *e;
    while (*s == ' ' || *s == '\t')
        s++;
    e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
        *--e = '\0';
    return s;
}

#define DAY_S 86400LL
#define MAX_S (3650LL * DAY_S)

/* Appends a comma/space separated list of 8-digit tax numbers to a list
 * (a key may repeat, each line adds). */
static int add_tax_list(char (**list)[9], int *n, const char *k, const char *v, int line,
                        char *err, size_t errlen)
{
    char tmp[SIM_CFG_MAX_LINE];
    char *tok, *save = NULL;
    snprintf(tmp, sizeof tmp, "%s", v);
    for (tok = strtok_r(tmp, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
        char(*nl)[9];
        if (!match(tok, "d", 8, 8))
            return fail(err, errlen, line, "%s: '%s' is not an 8-digit tax number", k, tok);
        if (*n >= SIM_CFG_MAX_TAXLIST)
            return fail(err, errlen, line, "%s: too many tax numbers", k);
        nl = realloc(*list, (size_t)(*n + 1) * sizeof *nl);
        if (!nl)
            return fail(err, errlen, line, "out of memory");
        *list = nl;
        memcpy(nl[*n], tok, 9);
        (*n)++;
    }
    return 0;
}

static int in_tax_list(char (*list)[9], int n, const char *tax)
{
    int i;
    for (i = 0; tax && i < n; i++)
        if (!strcmp(list[i], tax))
            return 1;
    return 0;
}

static int set_versions(sim_config *c, const char *v, int line, char *err, size_t errlen)
{
    char tmp[SIM_CFG_MAX_LINE];
    char *tok, *save = NULL;
    int mask = 0;
    snprintf(tmp, sizeof tmp, "%s", v);
    for (tok = strtok_r(tmp, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
        int bit = sim_version_bit(sim_version_code(tok));
        if (!bit)
            return fail(err, errlen, line, "requestVersions: '%s' is not 1.0, 1.1, 2.0 or 3.0",
                        tok);
        mask |= bit;
    }
    if (!(mask & sim_version_bit(30)))
        return fail(err, errlen, line, "requestVersions must include 3.0");
    c->versions = mask;
    return 0;
}

static int set_settings(sim_config *c, const char *k, const char *v, int line, char *err,
                        size_t errlen)
{
    int64_t x;
    if (!strcmp(k, "clockOffset")) {
        if (parse_i64(v, -100 * 365 * DAY_S, 100 * 365 * DAY_S, &x))
            return fail(err, errlen, line, "clockOffset must be signed seconds");
        c->clock_offset_ms = x * 1000;
    } else if (!strcmp(k, "clock")) {
        if (sim_parse_ts(v, &x))
            return fail(err, errlen, line, "clock must be an xs:dateTime such as 2020-03-01T00:00:00Z");
        c->clock_offset_ms = x - sim_wall_ms();
    } else if (!strcmp(k, "timestampTolerance")) {
        if (parse_i64(v, 0, 100 * 365 * DAY_S, &x))
            return fail(err, errlen, line, "timestampTolerance must be seconds");
        c->ts_tolerance_ms = x * 1000;
    } else if (!strcmp(k, "tokenTtl")) {
        if (parse_i64(v, 1, MAX_S, &x))
            return fail(err, errlen, line, "tokenTtl must be 1.. seconds");
        c->token_ttl_ms = x * 1000;
    } else if (!strcmp(k, "receivedDelayMs")) {
        if (parse_i64(v, 0, MAX_S * 1000, &c->delay_received_ms))
            return fail(err, errlen, line, "receivedDelayMs must be >= 0");
    } else if (!strcmp(k, "processingDelayMs")) {
        if (parse_i64(v, 0, MAX_S * 1000, &c->delay_processing_ms))
            return fail(err, errlen, line, "processingDelayMs must be >= 0");
    } else if (!strcmp(k, "hangMs")) {
        if (parse_i64(v, 0, 3600000, &c->hang_ms))
            return fail(err, errlen, line, "hangMs must be 0..3600000");
    } else if (!strcmp(k, "requestIdRetention")) {
        if (parse_i64(v, 0, MAX_S, &x))
            return fail(err, errlen, line, "requestIdRetention must be seconds");
        c->reqid_retention_ms = x * 1000;
    } else if (!strcmp(k, "maintenance")) {
        if (!strcmp(v, "off"))
            c->maintenance = SIM_MAINT_OFF;
        else if (!strcmp(v, "token-freeze"))
            c->maintenance = SIM_MAINT_TOKEN_FREEZE;
        else if (!strcmp(v, "full"))
            c->maintenance = SIM_MAINT_FULL;
        else
            return fail(err, errlen, line, "maintenance must be off, token-freeze or full");
    } else if (!strcmp(k, "rateLimit")) {
        if (parse_bool(v, &c->rate_limit))
            return fail(err, errlen, line, "rateLimit must be on or off");
    } else if (!strcmp(k, "selfCheck")) {
        if (parse_bool(v, &c->self_check))
            return fail(err, errlen, line, "selfCheck must be true or false");
    } else if (!strcmp(k, "ehashDecoded")) {
        if (parse_bool(v, &c->ehash_decoded))
            return fail(err, errlen, line, "ehashDecoded must be true or false");
    } else if (!strcmp(k, "omitErrorHeader")) {
        if (parse_bool(v, &c->omit_error_header))
            return fail(err, errlen, line, "omitErrorHeader must be true or false");
    } else if (!strcmp(k, "requestVersions")) {
        return set_versions(c, v, line, err, errlen);
    } else if (!strcmp(k, "invalidCustomers")) {
        return add_tax_list(&c->invalid_tax, &c->ninvalid_tax, k, v, line, err, errlen);
    } else if (!strcmp(k, "pageSize")) {
        if (parse_i64(v, 1, 100, &x))
            return fail(err, errlen, line, "pageSize must be 1..100");
        c->page_size = (int)x;
    } else if (!strcmp(k, "schemas") || !strcmp(k, "state") || !strcmp(k, "tlsCert") ||
               !strcmp(k, "tlsKey")) {
        char **dst = !strcmp(k, "schemas") ? &c->schemas_dir
                     : !strcmp(k, "state") ? &c->state_file
                     : !strcmp(k, "tlsCert") ? &c->tls_cert
                                             : &c->tls_key;
        free(*dst);
        *dst = strdup(v);
        if (!*dst)
            return fail(err, errlen, line, "out of memory");
    } else {
        return fail(err, errlen, line, "unknown key '%s' in [settings]", k);
    }
    return 0;
}

static int set_user(sim_user *u, const char *k, const char *v, int line, char *err, size_t errlen)
{
    if (!strcmp(k, "login")) {
        if (!match(v, "dUl", 6, 15) || copy(u->login, sizeof u->login, v))
            return fail(err, errlen, line, "login must be 6-15 letters or digits");
    } else if (!strcmp(k, "password")) {
        if (!*v || sim_sha512_hex(v, strlen(v), u->pwhash))
            return fail(err, errlen, line, "password must not be empty");
    } else if (!strcmp(k, "passwordHash")) {
        char up[129];
        size_t i;
        if (strlen(v) != 128)
            return fail(err, errlen, line, "passwordHash must be 128 hex digits");
        for (i = 0; i < 128; i++) {
            if (!isxdigit((unsigned char)v[i]))
                return fail(err, errlen, line, "passwordHash must be 128 hex digits");
            up[i] = (char)toupper((unsigned char)v[i]);
        }
        up[128] = '\0';
        memcpy(u->pwhash, up, sizeof up);
    } else if (!strcmp(k, "taxNumber")) {
        if (!match(v, "d", 8, 8) || copy(u->tax, sizeof u->tax, v))
            return fail(err, errlen, line, "taxNumber must be 8 digits");
    } else if (!strcmp(k, "signKey")) {
        if (!*v || copy(u->sign_key, sizeof u->sign_key, v))
            return fail(err, errlen, line, "signKey must be 1-64 characters");
    } else if (!strcmp(k, "exchangeKey")) {
        if (strlen(v) != 16 || copy(u->exch_key, sizeof u->exch_key, v))
            return fail(err, errlen, line, "exchangeKey must be exactly 16 characters");
    } else if (!strcmp(k, "rights")) {
        char tmp[SIM_CFG_MAX_LINE];
        char *tok, *save = NULL;
        u->right_manage = u->right_query = 0;
        snprintf(tmp, sizeof tmp, "%s", v);
        for (tok = strtok_r(tmp, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
            if (!strcmp(tok, "manage"))
                u->right_manage = 1;
            else if (!strcmp(tok, "query"))
                u->right_query = 1;
            else
                return fail(err, errlen, line, "unknown right '%s' (manage, query)", tok);
        }
    } else if (!strcmp(k, "language")) {
        if (strcmp(v, "HU") && strcmp(v, "EN") && strcmp(v, "DE"))
            return fail(err, errlen, line, "language must be HU, EN or DE");
        copy(u->lang, sizeof u->lang, v);
    } else if (!strcmp(k, "active")) {
        if (parse_bool(v, &u->active))
            return fail(err, errlen, line, "active must be true or false");
    } else if (!strcmp(k, "customers")) {
        return add_tax_list(&u->customers, &u->ncustomers, k, v, line, err, errlen);
    } else {
        return fail(err, errlen, line, "unknown key '%s' in [user]", k);
    }
    return 0;
}

/* Frees the fields of a refused address (it is not counted in naddr, so
 * sim_config_free would never see them). */
static int address_refuse(sim_address *a, int rc)
{
    size_t i;
    for (i = 0; i < sizeof a->f / sizeof a->f[0]; i++) {
        free(a->f[i]);
        a->f[i] = NULL;
    }
    return rc;
}

static int set_address(sim_address *a, const char *v, int line, char *err, size_t errlen)
{
    /* TYPE|country|postalCode|city|streetName|publicPlaceCategory[|number
     * [|building[|staircase[|floor[|door]]]]]; region is never used. */
    static const int map[] = {0, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    char tmp[SIM_CFG_MAX_LINE];
    char *p, *f[12];
    int n = 0, i;
    snprintf(tmp, sizeof tmp, "%s", v);
    for (p = tmp; n < 12;) {
        f[n++] = p;
        p = strchr(p, '|');
        if (!p)
            break;
        *p++ = '\0';
    }
    if (n < 6 || n > 11)
        return fail(err, errlen, line,
                    "address is TYPE|country|postalCode|city|street|category[|number|building|"
                    "staircase|floor|door]");
    if (strcmp(f[0], "HQ") && strcmp(f[0], "SITE") && strcmp(f[0], "BRANCH"))
        return fail(err, errlen, line, "address type must be HQ, SITE or BRANCH");
    copy(a->type, sizeof a->type, f[0]);
    for (i = 1; i < n; i++) {
        char *t = trim(f[i]);
        if (!*t)
            continue;
        a->f[map[i - 1]] = strdup(t);
        if (!a->f[map[i - 1]])
            return address_refuse(a, fail(err, errlen, line, "out of memory"));
    }
    if (!a->f[0] || !a->f[2] || !a->f[3] || !a->f[4] || !a->f[5])
        return address_refuse(
            a, fail(err, errlen, line, "address needs country, postalCode, city, street, category"));
    return 0;
}

static int set_taxpayer(sim_taxpayer *t, const char *k, const char *v, int line, char *err,
                        size_t errlen)
{
    if (!strcmp(k, "taxNumber")) {
        if (!match(v, "d", 8, 8) || copy(t->tax, sizeof t->tax, v))
            return fail(err, errlen, line, "taxNumber must be 8 digits");
    } else if (!strcmp(k, "name") || !strcmp(k, "shortName")) {
        char **dst = !strcmp(k, "name") ? &t->name : &t->short_name;
        if (!*v || strlen(v) > 512)
            return fail(err, errlen, line, "%s must be 1-512 characters", k);
        free(*dst);
        *dst = strdup(v);
    } else if (!strcmp(k, "registered")) {
        if (parse_bool(v, &t->registered))
            return fail(err, errlen, line, "registered must be true or false");
    } else if (!strcmp(k, "valid")) {
        if (parse_bool(v, &t->valid))
            return fail(err, errlen, line, "valid must be true or false");
    } else if (!strcmp(k, "incorporation")) {
        if (strcmp(v, "ORGANIZATION") && strcmp(v, "SELF_EMPLOYED") && strcmp(v, "TAXABLE_PERSON"))
            return fail(err, errlen, line,
                        "incorporation must be ORGANIZATION, SELF_EMPLOYED or TAXABLE_PERSON");
        copy(t->incorporation, sizeof t->incorporation, v);
    } else if (!strcmp(k, "vatCode")) {
        if (strlen(v) != 1 || v[0] < '1' || v[0] > '5')
            return fail(err, errlen, line, "vatCode must be 1-5");
        copy(t->vat_code, sizeof t->vat_code, v);
    } else if (!strcmp(k, "countyCode")) {
        if (!match(v, "d", 2, 2))
            return fail(err, errlen, line, "countyCode must be 2 digits");
        copy(t->county, sizeof t->county, v);
    } else if (!strcmp(k, "vatGroup")) {
        if (!match(v, "d", 8, 8))
            return fail(err, errlen, line, "vatGroup must be 8 digits");
        copy(t->vat_group, sizeof t->vat_group, v);
    } else if (!strcmp(k, "infoDate")) {
        int64_t x;
        if (sim_parse_ts(v, &x) || copy(t->info_date, sizeof t->info_date, v))
            return fail(err, errlen, line, "infoDate must be an xs:dateTime");
    } else if (!strcmp(k, "address")) {
        if (t->naddr >= SIM_MAX_ADDR)
            return fail(err, errlen, line, "too many addresses");
        if (set_address(&t->addr[t->naddr], v, line, err, errlen))
            return -1;
        t->naddr++;
    } else {
        return fail(err, errlen, line, "unknown key '%s' in [taxpayer]", k);
    }
    return 0;
}

static int check_user(const sim_user *u, int line, char *err, size_t errlen)
{
    if (!u->login[0] || !u->pwhash[0] || !u->tax[0] || !u->sign_key[0] || !u->exch_key[0])
        return fail(err, errlen, line,
                    "[user] needs login, password or passwordHash, taxNumber, signKey, exchangeKey");
    return 0;
}

static sim_config *config_new(void)
{
    sim_config *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->token_ttl_ms = 300000;
    c->ts_tolerance_ms = DAY_S * 1000;
    c->reqid_retention_ms = 2 * DAY_S * 1000;
    c->hang_ms = 70000;
    c->page_size = 100;
    c->versions = sim_version_bit(30);
    return c;
}

static int finish_section(sim_config *c, int line, char *err, size_t errlen)
{
    if (c->section == SEC_USER)
        return check_user(&c->users[c->nusers - 1], line, err, errlen);
    if (c->section == SEC_TAXPAYER) {
        sim_taxpayer *t = &c->tps[c->ntps - 1];
        if (!t->tax[0] || !t->name)
            return fail(err, errlen, line, "[taxpayer] needs taxNumber and name");
    }
    return 0;
}

static int apply_line(sim_config *c, char *s, int line, int *sec_line, char *err, size_t errlen)
{
    char *eq, *k, *v;
    s = trim(s);
    if (!*s || *s == '#' || *s == ';')
        return 0;
    if (*s == '[') {
        size_t n = strlen(s);
        if (s[n - 1] != ']')
            return fail(err, errlen, line, "section header must end with ']'");
        s[n - 1] = '\0';
        if (finish_section(c, *sec_line, err, errlen))
            return -1;
        *sec_line = line;
        if (!strcmp(s + 1, "settings")) {
            c->section = SEC_SETTINGS;
        } else if (!strcmp(s + 1, "user")) {
            sim_user *nu;
            if (c->nusers >= SIM_CFG_MAX_USERS)
                return fail(err, errlen, line, "too many [user] sections");
            nu = realloc(c->users, (size_t)(c->nusers + 1) * sizeof *nu);
            if (!nu)
                return fail(err, errlen, line, "out of memory");
            c->users = nu;
            memset(&nu[c->nusers], 0, sizeof *nu);
            nu[c->nusers].right_manage = nu[c->nusers].right_query = 1;
            nu[c->nusers].active = 1;
            strcpy(nu[c->nusers].lang, "HU");
            c->nusers++;
            c->section = SEC_USER;
        } else if (!strcmp(s + 1, "taxpayer")) {
            sim_taxpayer *nt;
            if (c->ntps >= SIM_CFG_MAX_TAXPAYERS)
                return fail(err, errlen, line, "too many [taxpayer] sections");
            nt = realloc(c->tps, (size_t)(c->ntps + 1) * sizeof *nt);
            if (!nt)
                return fail(err, errlen, line, "out of memory");
            c->tps = nt;
            memset(&nt[c->ntps], 0, sizeof *nt);
            nt[c->ntps].registered = nt[c->ntps].valid = 1;
            strcpy(nt[c->ntps].incorporation, "ORGANIZATION");
            c->ntps++;
            c->section = SEC_TAXPAYER;
        } else {
            return fail(err, errlen, line, "unknown section [%s]", s + 1);
        }
        return 0;
    }
    eq = strchr(s, '=');
    if (!eq)
        return fail(err, errlen, line, "expected 'key = value'");
    *eq = '\0';
    k = trim(s);
    v = trim(eq + 1);
    if (!*k)
        return fail(err, errlen, line, "empty key");
    switch (c->section) {
    case SEC_SETTINGS:
        return set_settings(c, k, v, line, err, errlen);
    case SEC_USER:
        return set_user(&c->users[c->nusers - 1], k, v, line, err, errlen);
    case SEC_TAXPAYER:
        return set_taxpayer(&c->tps[c->ntps - 1], k, v, line, err, errlen);
    default:
        return fail(err, errlen, line, "key outside a section");
    }
}

int sim_config_parse(const char *text, size_t len, sim_config **out, char *err, size_t errlen)
{
    sim_config *c;
    size_t pos = 0;
    int line = 0, sec_line = 0;
    *out = NULL;
    c = config_new();
    if (!c)
        return fail(err, errlen, 0, "out of memory");
    while (pos < len) {
        char buf[SIM_CFG_MAX_LINE + 2];
        size_t n = 0;
        line++;
        if (line > SIM_CFG_MAX_LINES) {
            sim_config_free(c);
            return fail(err, errlen, line, "too many lines (max %s)", "10000");
        }
        while (pos < len && text[pos] != '\n') {
            if (text[pos] == '\0') {
                sim_config_free(c);
                return fail(err, errlen, line, "NUL byte in configuration");
            }
            if (n > SIM_CFG_MAX_LINE) {
                sim_config_free(c);
                return fail(err, errlen, line, "line longer than %s bytes", "1024");
            }
            buf[n++] = text[pos++];
        }
        if (n > SIM_CFG_MAX_LINE) {
            sim_config_free(c);
            return fail(err, errlen, line, "line longer than %s bytes", "1024");
        }
        buf[n] = '\0';
        pos++;
        if (apply_line(c, buf, line, &sec_line, err, errlen)) {
            sim_config_free(c);
            return -1;
        }
    }
    if (finish_section(c, sec_line, err, errlen)) {
        sim_config_free(c);
        return -1;
    }
    c->section = SEC_NONE;
    *out = c;
    return 0;
}

int sim_config_load(const char *path, sim_config **out, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    char *data;
    size_t n;
    int rc;
    *out = NULL;
    if (!f)
        return fail(err, errlen, 0, "cannot open %s", path);
    data = malloc(SIM_CFG_MAX_LINE * 64 + 1);
    if (!data) {
        fclose(f);
        return fail(err, errlen, 0, "out of memory");
    }
    n = fread(data, 1, SIM_CFG_MAX_LINE * 64 + 1, f);
    fclose(f);
    if (n > SIM_CFG_MAX_LINE * 64) {
        free(data);
        return fail(err, errlen, 0, "configuration larger than %s bytes", "65536");
    }
    rc = sim_config_parse(data, n, out, err, errlen);
    free(data);
    return rc;
}

int sim_config_set(sim_config *c, const char *section, const char *key, const char *value,
                   char *err, size_t errlen)
{
    if (!c || !section || !key || !value)
        return fail(err, errlen, 0, "bad argument");
    if (!strcmp(section, "settings"))
        return set_settings(c, key, value, 0, err, errlen);
    if (!strcmp(section, "user") && c->nusers > 0)
        return set_user(&c->users[c->nusers - 1], key, value, 0, err, errlen);
    if (!strcmp(section, "taxpayer") && c->ntps > 0)
        return set_taxpayer(&c->tps[c->ntps - 1], key, value, 0, err, errlen);
    return fail(err, errlen, 0, "no [%s] section to set", section);
}

void sim_config_free(sim_config *c)
{
    int i, j, k;
    if (!c)
        return;
    if (c->users) {
        for (i = 0; i < c->nusers; i++) {
            OPENSSL_cleanse(c->users[i].sign_key, sizeof c->users[i].sign_key);
            OPENSSL_cleanse(c->users[i].exch_key, sizeof c->users[i].exch_key);
            free(c->users[i].customers);
        }
        free(c->users);
    }
    for (i = 0; i < c->ntps; i++) {
        free(c->tps[i].name);
        free(c->tps[i].short_name);
        for (j = 0; j < c->tps[i].naddr; j++)
            for (k = 0; k < 11; k++)
                free(c->tps[i].addr[j].f[k]);
    }
    free(c->tps);
    free(c->invalid_tax);
    free(c->schemas_dir);
    free(c->state_file);
    free(c->tls_cert);
    free(c->tls_key);
    free(c);
}

const sim_user *sim_find_user(const sim_config *c, const char *login)
{
    int i;
    for (i = 0; i < c->nusers; i++)
        if (!strcmp(c->users[i].login, login))
            return &c->users[i];
    return NULL;
}

const sim_taxpayer *sim_find_taxpayer(const sim_config *c, const char *tax)
{
    int i;
    for (i = 0; i < c->ntps; i++)
        if (!strcmp(c->tps[i].tax, tax))
            return &c->tps[i];
    return NULL;
}

int sim_tax_invalid(const sim_config *c, const char *tax)
{
    return in_tax_list(c->invalid_tax, c->ninvalid_tax, tax);
}

int sim_user_allows_customer(const sim_user *u, const char *customer)
{
    return !u->customers || in_tax_list(u->customers, u->ncustomers, customer);
}
