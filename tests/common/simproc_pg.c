/* simproc_pg.c - the part of simproc.h that needs libpq: the storage URI
 * `navoi worker --storage` takes, from a test server's connection string. */
#include "simproc.h"

#include <stdio.h>
#include <string.h>

#include <libpq-fe.h>

int simproc_pg_storage_uri(const char *conninfo, const char *query, char *out, size_t len)
{
    PQconninfoOption *opts = PQconninfoParse(conninfo, NULL), *o;
    const char *host = "127.0.0.1", *port = "5432", *db = "navoi", *user = "navoi";
    int rc = opts ? 0 : -1;
    for (o = opts; o && o->keyword; o++) {
        if (!o->val)
            continue;
        if (!strcmp(o->keyword, "host"))
            host = o->val;
        else if (!strcmp(o->keyword, "port"))
            port = o->val;
        else if (!strcmp(o->keyword, "dbname"))
            db = o->val;
        else if (!strcmp(o->keyword, "user"))
            user = o->val;
    }
    snprintf(out, len, "postgresql://%s@%s:%s/%s%s", user, host, port, db, query ? query : "");
    PQconninfoFree(opts);
    return rc;
}
