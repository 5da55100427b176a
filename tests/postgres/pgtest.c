/* pgtest.c - see pgtest.h. */
#include "pgtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>
#include <libpq-fe.h>

static char g_conninfo[512];
static char g_dir[512];
static pid_t g_owner;

static void stop_server(void)
{
    char cmd[1200];
    const char *script = getenv("NAVOI_PG_SCRIPT");
    if (getpid() != g_owner || !g_dir[0] || !script)
        return; /* forked test children must not stop the parent's server */
    snprintf(cmd, sizeof cmd, "'%s' stop '%s' >/dev/null 2>&1", script, g_dir);
    if (system(cmd) != 0)
        fprintf(stderr, "pgtest: could not stop the server in %s\n", g_dir);
}

const char *pgt_conninfo(void)
{
    const char *env = getenv("NAVOI_TEST_PG"), *script = getenv("NAVOI_PG_SCRIPT");
    const char *base = getenv("NAVOI_PG_DIR");
    char cmd[1200];
    FILE *f;
    int st;
    if (g_conninfo[0])
        return g_conninfo;
    if (env && *env) {
        snprintf(g_conninfo, sizeof g_conninfo, "%s", env);
        return g_conninfo;
    }
    if (!script || access(script, X_OK) != 0)
        return NULL;
    snprintf(g_dir, sizeof g_dir, "%s/pg-%ld", base && *base ? base : "/tmp", (long)getpid());
    /* the script's watchdog stops the server if this process dies */
    snprintf(cmd, sizeof cmd, "'%s' start '%s' %ld", script, g_dir, (long)getpid());
    fprintf(stderr, "pgtest: starting PostgreSQL in %s\n", g_dir);
    f = popen(cmd, "r");
    if (!f)
        return NULL;
    if (!fgets(g_conninfo, sizeof g_conninfo, f))
        g_conninfo[0] = '\0';
    st = pclose(f);
    g_conninfo[strcspn(g_conninfo, "\n")] = '\0';
    g_owner = getpid();
    atexit(stop_server);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 || !g_conninfo[0]) {
        g_conninfo[0] = '\0';
        return NULL;
    }
    /* the children of this process (workers, tests) find it too */
    setenv("NAVOI_TEST_PG", g_conninfo, 1);
    return g_conninfo;
}

static PGconn *conn(void)
{
    PGconn *c = PQconnectdb(pgt_conninfo());
    ck_assert_msg(PQstatus(c) == CONNECTION_OK, "pgtest: %s", PQerrorMessage(c));
    return c;
}

void pgt_exec(const char *sql)
{
    PGconn *c = conn();
    PGresult *r = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(r);
    ck_assert_msg(st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK, "pgtest: %s: %s", sql,
                  PQresultErrorMessage(r));
    PQclear(r);
    PQfinish(c);
}

int64_t pgt_scalar(const char *sql)
{
    PGconn *c = conn();
    PGresult *r = PQexec(c, sql);
    int64_t v = 0;
    ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK, "pgtest: %s: %s", sql,
                  PQresultErrorMessage(r));
    if (PQntuples(r) > 0 && !PQgetisnull(r, 0, 0))
        v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    PQfinish(c);
    return v;
}

void pgt_drop_all(void)
{
    pgt_exec("DROP TABLE IF EXISTS navoi_items, navoi_history, navoi_inbound, navoi_state,"
             " navoi_pace, navoi_fence_rejections, navoi_schema CASCADE;"
             "DROP FUNCTION IF EXISTS navoi_pace_take(text, bigint);");
}

void pgt_truncate_all(void)
{
    pgt_exec("DO $$ BEGIN IF to_regclass('navoi_items') IS NOT NULL THEN"
             " TRUNCATE navoi_items, navoi_history, navoi_inbound, navoi_state, navoi_pace,"
             " navoi_fence_rejections; END IF; END $$;");
}
