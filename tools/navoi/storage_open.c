/* storage_open.c - see storage_open.h (public API only). */
#include "storage_open.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *pg_conninfo(const char *storage)
{
    if (!strncmp(storage, "postgresql://", 13) || !strncmp(storage, "postgres://", 11))
        return storage; /* libpq takes the URI as it is */
    if (!strncmp(storage, "postgres:", 9))
        return storage + 9;
    return NULL;
}

int cli_storage_is_postgres(const char *storage)
{
    return storage && pg_conninfo(storage) != NULL;
}

int cli_storage_open_outbox(navoi_outbox **out, navoi_client *c, const char *storage)
{
    const char *ci = storage ? pg_conninfo(storage) : NULL;
    if (ci)
        return navoi_outbox_open_postgres(out, c, ci);
    return navoi_outbox_open_sqlite(out, c, storage);
}

/* Appends s[0..n) to out (bounded). */
static void put(char *out, size_t outlen, size_t *k, const char *s, size_t n)
{
    while (n-- > 0 && *k + 1 < outlen)
        out[(*k)++] = *s++;
    out[*k] = '\0';
}

void cli_storage_display(const char *storage, char *out, size_t outlen)
{
    const char *p, *ci;
    size_t k = 0;
    if (!outlen)
        return;
    out[0] = '\0';
    if (!storage)
        return;
    ci = pg_conninfo(storage);
    if (!ci) {
        snprintf(out, outlen, "%s", storage);
        return;
    }
    p = storage;
    if (ci == storage) {
        /* URI: user:password@ in the authority */
        const char *auth = strstr(p, "://") + 3, *end = auth, *at = NULL, *colon = NULL;
        while (*end && *end != '/' && *end != '?')
            end++;
        for (const char *q = auth; q < end; q++)
            if (*q == '@')
                at = q;
        if (at)
            for (const char *q = auth; q < at && !colon; q++)
                if (*q == ':')
                    colon = q;
        if (colon) {
            put(out, outlen, &k, p, (size_t)(colon + 1 - p));
            put(out, outlen, &k, "***", 3);
            p = at;
        }
    }
    /* password=value (key=value strings and URI parameters) */
    while (*p) {
        if (!strncasecmp(p, "password", 8) && (p == storage || !isalnum((unsigned char)p[-1]))) {
            const char *q = p + 8;
            while (*q == ' ')
                q++;
            if (*q == '=') {
                q++;
                while (*q == ' ')
                    q++;
                put(out, outlen, &k, p, (size_t)(q - p));
                put(out, outlen, &k, "***", 3);
                if (*q == '\'') {
                    for (q++; *q && *q != '\''; q++)
                        if (*q == '\\' && q[1])
                            q++;
                    if (*q)
                        q++;
                } else {
                    while (*q && *q != ' ' && *q != '&')
                        q++;
                }
                p = q;
                continue;
            }
        }
        put(out, outlen, &k, p, 1);
        p++;
    }
}
