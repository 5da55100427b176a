/*
 * postgres.c - the PostgreSQL storage backend (libpq) behind
 * navoi_outbox_open_postgres(): one database that every worker of an
 * outbox reaches, implementing navoi_storage_ops with its own schema
 * migrations (table navoi_schema, applied under an advisory lock so that
 * workers starting together do not race).
 *
 * Several workers, one rule: the database decides. Every state change is
 * "UPDATE ... WHERE key = $1 AND fence = $2" and increments the fence, so
 * a worker that lost its lease (paused by GC, SIGSTOP, a partition) and
 * comes back with an old fence changes no row; such rejections are counted,
 * logged and written to navoi_fence_rejections once the transaction is over.
 * Leases are timed by the database clock (clock_timestamp()), never by the
 * workers': the backend takes lease_until_ms - now_ms as the duration.
 * claim_due picks due items with FOR UPDATE SKIP LOCKED and skips rows
 * another worker holds an unexpired lease on, so workers spread over the
 * backlog instead of queueing on its head. pace hands out request slots of
 * a counter row (navoi_pace_take()), again on the database clock, so that
 * more workers do not mean more requests per second to NAV.
 *
 * Durability: a commit is reported only after PostgreSQL acknowledged it
 * (synchronous_commit is raised to on if the server default is off). A
 * commit whose answer is lost (connection dropped) is reported as failed,
 * although it may have happened; the outbox is built for that direction:
 * an "about to send" that did commit is found SENDING and reconciled.
 * After a connection loss the next call outside a transaction reconnects.
 *
 * Secrets: the connection string may contain a password. It is kept only
 * to reconnect, wiped on close, and never appears in a message: errors
 * name host, port, database and user, and libpq's messages are scrubbed.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "common/alloc.h"
#include "core/client.h"
#include "outbox/outbox.h"
#include "storage/storage.h"

/* Migrations, applied in order; index i brings navoi_schema.version from i
 * to i+1. Only ever append. */
static const char *const g_migrations[] = {
    /* 0 -> 1: items, history, incoming invoices, named state, pacing, fence audit */
    "CREATE TABLE navoi_items ("
    "  key text PRIMARY KEY,"
    "  seq bigserial NOT NULL,"
    "  state integer NOT NULL,"
    "  due_ms bigint NOT NULL,"
    "  created_ms bigint NOT NULL,"
    "  number text,"
    "  group_id text,"
    "  original_key text,"
    "  fence bigint NOT NULL,"
    "  lease_owner text,"
    "  lease_until timestamptz NOT NULL DEFAULT '-infinity',"
    "  record bytea NOT NULL,"
    "  payload bytea);"
    "CREATE INDEX navoi_items_due ON navoi_items(state, due_ms, created_ms, seq);"
    "CREATE INDEX navoi_items_created ON navoi_items(state, created_ms, seq);"
    "CREATE INDEX navoi_items_number ON navoi_items(number);"
    "CREATE INDEX navoi_items_group ON navoi_items(group_id);"
    "CREATE INDEX navoi_items_original ON navoi_items(original_key);"
    "CREATE TABLE navoi_history ("
    "  id bigserial PRIMARY KEY,"
    "  key text NOT NULL,"
    "  time_ms bigint NOT NULL,"
    "  entry bytea NOT NULL);"
    "CREATE INDEX navoi_history_key ON navoi_history(key, id);"
    "CREATE TABLE navoi_inbound ("
    "  id text PRIMARY KEY,"
    "  ins_ms bigint NOT NULL,"
    "  meta bytea NOT NULL,"
    "  xml bytea);"
    "CREATE INDEX navoi_inbound_ins ON navoi_inbound(ins_ms, id);"
    "CREATE TABLE navoi_state ("
    "  name text PRIMARY KEY,"
    "  value bytea NOT NULL);"
    "CREATE TABLE navoi_pace ("
    "  name text PRIMARY KEY,"
    "  next_at timestamptz NOT NULL);"
    "CREATE TABLE navoi_fence_rejections ("
    "  id bigserial PRIMARY KEY,"
    "  at timestamptz NOT NULL DEFAULT clock_timestamp(),"
    "  owner text,"
    "  key text NOT NULL,"
    "  op text NOT NULL,"
    "  fence bigint NOT NULL,"
    "  stored_fence bigint,"
    "  stored_owner text);"
    /* The slot is decided under the row lock, on the clock read after it. */
    "CREATE FUNCTION navoi_pace_take(p_name text, p_ms bigint) RETURNS bigint"
    " LANGUAGE plpgsql AS $f$"
    " DECLARE n timestamptz; t timestamptz;"
    " BEGIN"
    "  INSERT INTO navoi_pace(name, next_at) VALUES (p_name, '-infinity')"
    "   ON CONFLICT (name) DO NOTHING;"
    "  SELECT next_at INTO n FROM navoi_pace WHERE name = p_name FOR UPDATE;"
    "  t := clock_timestamp();"
    "  IF n > t THEN"
    "   RETURN greatest(1, ceil(extract(epoch FROM (n - t)) * 1000))::bigint;"
    "  END IF;"
    "  UPDATE navoi_pace SET next_at = t + p_ms * interval '1 millisecond'"
    "   WHERE name = p_name;"
    "  RETURN 0;"
    " END $f$;",
};
#define N_MIGRATIONS ((int)(sizeof g_migrations / sizeof g_migrations[0]))

/* Serialises migrations of every navoi database on the server. */
#define MIGRATION_LOCK "7403285101"
#define MAX_REJ 32

typedef struct rej {
    char op[8];
    char key[NAVOI__OB_MAX_KEY + 1];
    char owner[65];
    char stored_owner[65];
    int64_t fence, stored;
} rej;

typedef struct pg {
    PGconn *conn;
    char *conninfo; /* may hold a password: wiped on close */
    char *password; /* the password of conninfo, to scrub it from messages */
    char where[300]; /* host/port/dbname/user for messages */
    navoi_client *client; /* borrowed, for the log hook; may be NULL */
    int in_txn;
    int64_t lease_d; /* duration of the last claim: update extends by it */
    char owner[65];  /* owner of the last claim (for the fence audit) */
    rej rej[MAX_REJ];
    int nrej;
    uint64_t rejections;
    char err[1536];
} pg;

/* ---- messages without secrets ---- */

static void scrub(pg *p, char *s)
{
    size_t n;
    char *hit;
    if (!p->password || !*p->password)
        return;
    n = strlen(p->password);
    while ((hit = strstr(s, p->password)) != NULL)
        memset(hit, '*', n);
}

static void set_errf(pg *p, const char *what, const char *detail)
{
    char d[600];
    size_t n;
    snprintf(d, sizeof d, "%s", detail ? detail : "");
    n = strlen(d);
    while (n > 0 && (d[n - 1] == '\n' || d[n - 1] == ' '))
        d[--n] = '\0';
    for (n = 0; d[n]; n++)
        if (d[n] == '\n')
            d[n] = ' ';
    scrub(p, d);
    snprintf(p->err, sizeof p->err, "postgres (%s): %s: %s", p->where, what, d);
}

/* Reads the non-secret parts of conninfo for messages, and the password to
 * scrub. A conninfo libpq cannot parse is refused without echoing it. */
static int describe(pg *p, const char *conninfo, char *err, size_t errlen)
{
    char *perr = NULL;
    PQconninfoOption *opts = PQconninfoParse(conninfo, &perr), *o;
    const char *host = NULL, *port = NULL, *db = NULL, *user = NULL;
    if (!opts) {
        /* libpq's message can quote the string: give only the kind of problem */
        snprintf(err, errlen, "the PostgreSQL connection string is malformed%s",
                 perr ? " (see the libpq connection string syntax)" : " (out of memory)");
        if (perr)
            PQfreemem(perr);
        return NAVOI_EINVAL;
    }
    for (o = opts; o->keyword; o++) {
        if (!o->val)
            continue;
        if (!strcmp(o->keyword, "host") || (!host && !strcmp(o->keyword, "hostaddr")))
            host = o->val;
        else if (!strcmp(o->keyword, "port"))
            port = o->val;
        else if (!strcmp(o->keyword, "dbname"))
            db = o->val;
        else if (!strcmp(o->keyword, "user"))
            user = o->val;
        else if (!strcmp(o->keyword, "password") && *o->val && !p->password)
            p->password = navoi__strdup(o->val);
    }
    snprintf(p->where, sizeof p->where, "host=%s port=%s dbname=%s user=%s",
             host ? host : "(default)", port ? port : "(default)", db ? db : "(default)",
             user ? user : "(default)");
    PQconninfoFree(opts);
    return NAVOI_OK;
}

static void pg_log(pg *p, int level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void pg_log(pg *p, int level, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    if (!p->client)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    scrub(p, msg);
    navoi__log(p->client, level, "%s", msg);
}

/* ---- parameters and results ---- */

#define MAX_PARAMS 10

typedef struct params {
    int n;
    const char *v[MAX_PARAMS];
    int len[MAX_PARAMS];
    int fmt[MAX_PARAMS];
    char num[MAX_PARAMS][24];
} params;

static void p_text(params *a, const char *s)
{
    a->v[a->n] = s; /* NULL: SQL NULL */
    a->len[a->n] = 0;
    a->fmt[a->n] = 0;
    a->n++;
}

static void p_i64(params *a, int64_t x)
{
    snprintf(a->num[a->n], sizeof a->num[0], "%lld", (long long)x);
    p_text(a, a->num[a->n]);
}

static void p_size(params *a, size_t x)
{
    p_i64(a, x > (size_t)INT64_MAX ? INT64_MAX : (int64_t)x);
}

/* bytea in binary form; NULL data is SQL NULL unless empty is wanted */
static int p_bin(params *a, const char *d, size_t len, int null_if_null)
{
    if (len > (size_t)INT_MAX)
        return NAVOI_ETOOBIG;
    a->v[a->n] = d ? d : (null_if_null ? NULL : "");
    a->len[a->n] = (int)len;
    a->fmt[a->n] = 1;
    a->n++;
    return NAVOI_OK;
}

static int64_t col_i64(const PGresult *r, int row, int col)
{
    const unsigned char *v = (const unsigned char *)PQgetvalue(r, row, col);
    uint64_t x = 0;
    int i, n = PQgetlength(r, row, col);
    if (PQgetisnull(r, row, col))
        return 0;
    if (n == 4) {
        for (i = 0; i < 4; i++)
            x = (x << 8) | v[i];
        return (int64_t)(int32_t)(uint32_t)x;
    }
    if (n != 8)
        return 0;
    for (i = 0; i < 8; i++)
        x = (x << 8) | v[i];
    return (int64_t)x;
}

/* binary results are followed by a zero byte, so text columns are C strings */
static const char *col_str(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

static const char *col_bin(const PGresult *r, int row, int col, size_t *len)
{
    if (PQgetisnull(r, row, col)) {
        *len = 0;
        return NULL;
    }
    *len = (size_t)PQgetlength(r, row, col);
    return PQgetvalue(r, row, col);
}

/* ---- connection ---- */

static int map_state(const char *sqlstate)
{
    if (!sqlstate)
        return NAVOI_EIO;
    if (!strcmp(sqlstate, "23505"))
        return NAVOI_ESTATE; /* unique violation */
    if (!strcmp(sqlstate, "53200"))
        return NAVOI_ENOMEM;
    return NAVOI_EIO;
}

static int fail_res(pg *p, PGresult *r, const char *what)
{
    const char *msg = r ? PQresultErrorMessage(r) : NULL;
    if (!msg || !*msg)
        msg = PQerrorMessage(p->conn);
    set_errf(p, what, msg);
    return r ? map_state(PQresultErrorField(r, PG_DIAG_SQLSTATE)) : NAVOI_EIO;
}

/* Runs sql without parameters (several statements allowed). */
static int run_simple(pg *p, const char *sql, const char *what)
{
    PGresult *r = PQexec(p->conn, sql);
    int rc = NAVOI_OK;
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        rc = fail_res(p, r, what);
    PQclear(r);
    return rc;
}

static int migrate(pg *p)
{
    PGresult *r;
    int v = 0, i, rc;
    char sql[96];

    rc = run_simple(p, "BEGIN", "migration");
    if (rc != NAVOI_OK)
        return rc;
    rc = run_simple(p,
                    "SELECT pg_advisory_xact_lock(" MIGRATION_LOCK ");"
                    "CREATE TABLE IF NOT EXISTS navoi_schema (version integer NOT NULL);",
                    "migration lock");
    if (rc != NAVOI_OK)
        goto fail;
    r = PQexecParams(p->conn, "SELECT version FROM navoi_schema", 0, NULL, NULL, NULL, NULL, 1);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        rc = fail_res(p, r, "reading the schema version");
        PQclear(r);
        goto fail;
    }
    if (PQntuples(r) == 0) {
        PQclear(r);
        rc = run_simple(p, "INSERT INTO navoi_schema(version) VALUES (0)", "migration");
        if (rc != NAVOI_OK)
            goto fail;
    } else {
        v = (int)col_i64(r, 0, 0);
        PQclear(r);
    }
    if (v > N_MIGRATIONS) {
        snprintf(p->err, sizeof p->err,
                 "postgres (%s): the database has schema version %d, this navoi knows up to %d",
                 p->where, v, N_MIGRATIONS);
        run_simple(p, "ROLLBACK", "rollback");
        return NAVOI_ECONFIG;
    }
    for (i = v; i < N_MIGRATIONS; i++) {
        rc = run_simple(p, g_migrations[i], "migration");
        if (rc != NAVOI_OK)
            goto fail;
    }
    if (v < N_MIGRATIONS) {
        snprintf(sql, sizeof sql, "UPDATE navoi_schema SET version = %d", N_MIGRATIONS);
        if ((rc = run_simple(p, sql, "migration")) != NAVOI_OK)
            goto fail;
        pg_log(p, NAVOI_LOG_INFO, "postgres: schema migrated from version %d to %d", v,
               N_MIGRATIONS);
    }
    return run_simple(p, "COMMIT", "migration commit");
fail:
    {
        char keep[sizeof p->err];
        memcpy(keep, p->err, sizeof keep);
        run_simple(p, "ROLLBACK", "rollback");
        memcpy(p->err, keep, sizeof keep);
    }
    return rc == NAVOI_ENOMEM ? rc : NAVOI_EIO;
}

/* Session settings: durable commits, and bounded waits so that a worker
 * stopped inside a transaction cannot hold others' rows for long. The
 * server's or the connection string's own values win when they are set. */
static const char g_session_sql[] =
    "SELECT set_config('synchronous_commit', 'on', false)"
    "  WHERE current_setting('synchronous_commit') = 'off';"
    "SELECT set_config('lock_timeout', '10s', false)"
    "  WHERE current_setting('lock_timeout') = '0';"
    "SELECT set_config('idle_in_transaction_session_timeout', '60s', false)"
    "  WHERE current_setting('idle_in_transaction_session_timeout') = '0';";

/* libpq prints notices on stderr by default; the library never prints. */
static void on_notice(void *arg, const char *message)
{
    pg *p = arg;
    char m[512];
    snprintf(m, sizeof m, "%s", message ? message : "");
    m[strcspn(m, "\n")] = '\0';
    pg_log(p, NAVOI_LOG_DEBUG, "postgres (%s): %s", p->where, m);
}

static int connect_db(pg *p, int do_migrate)
{
    int rc;
    if (p->conn)
        PQfinish(p->conn);
    p->in_txn = 0;
    p->conn = PQconnectdb(p->conninfo);
    if (!p->conn) {
        snprintf(p->err, sizeof p->err, "postgres (%s): out of memory", p->where);
        return NAVOI_ENOMEM;
    }
    if (PQstatus(p->conn) != CONNECTION_OK) {
        set_errf(p, "cannot connect", PQerrorMessage(p->conn));
        PQfinish(p->conn);
        p->conn = NULL;
        return NAVOI_EIO;
    }
    PQsetNoticeProcessor(p->conn, on_notice, p);
    rc = run_simple(p, g_session_sql, "session settings");
    if (rc == NAVOI_OK && do_migrate)
        rc = migrate(p);
    if (rc != NAVOI_OK) {
        PQfinish(p->conn);
        p->conn = NULL;
    }
    return rc;
}

/* Every entry point: a lost connection is replaced, but not inside a
 * transaction (its work is gone: the caller rolls back and starts over). */
static int ready(pg *p)
{
    if (p->conn && PQstatus(p->conn) == CONNECTION_OK)
        return NAVOI_OK;
    if (p->in_txn) {
        snprintf(p->err, sizeof p->err, "postgres (%s): connection lost inside a transaction",
                 p->where);
        return NAVOI_EIO;
    }
    pg_log(p, NAVOI_LOG_WARN, "postgres (%s): reconnecting", p->where);
    return connect_db(p, 0);
}

/* Runs one statement. Outside a transaction a statement that failed because
 * the connection was lost is tried once more on a new connection: each one
 * is safe to repeat (fenced writes refuse a second application). */
static int q(pg *p, const char *what, const char *sql, const params *a, PGresult **out)
{
    PGresult *r;
    ExecStatusType st;
    int rc = ready(p), attempt;
    *out = NULL;
    if (rc != NAVOI_OK)
        return rc;
    for (attempt = 0;; attempt++) {
        r = PQexecParams(p->conn, sql, a ? a->n : 0, NULL, a ? a->v : NULL,
                         a ? a->len : NULL, a ? a->fmt : NULL, 1);
        st = PQresultStatus(r);
        if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
            *out = r;
            return NAVOI_OK;
        }
        rc = fail_res(p, r, what);
        PQclear(r);
        if (attempt > 0 || p->in_txn || PQstatus(p->conn) != CONNECTION_BAD)
            return rc;
        pg_log(p, NAVOI_LOG_WARN, "postgres (%s): connection lost, reconnecting", p->where);
        if ((rc = connect_db(p, 0)) != NAVOI_OK)
            return rc;
    }
}

static int q_changes(pg *p, const char *what, const char *sql, const params *a, int *changes)
{
    PGresult *r;
    int rc = q(p, what, sql, a, &r);
    if (rc != NAVOI_OK)
        return rc;
    if (changes)
        *changes = atoi(PQcmdTuples(r));
    PQclear(r);
    return NAVOI_OK;
}

/* ---- fence audit ---- */

/* Writes the rejections of the finished transaction (autocommit). */
static void flush_rejections(pg *p)
{
    int i;
    for (i = 0; i < p->nrej && p->conn && PQstatus(p->conn) == CONNECTION_OK; i++) {
        params a = {0};
        PGresult *r;
        p_text(&a, p->rej[i].owner[0] ? p->rej[i].owner : NULL);
        p_text(&a, p->rej[i].key);
        p_text(&a, p->rej[i].op);
        p_i64(&a, p->rej[i].fence);
        p_i64(&a, p->rej[i].stored);
        p_text(&a, p->rej[i].stored_owner[0] ? p->rej[i].stored_owner : NULL);
        if (q(p, "fence audit",
              "INSERT INTO navoi_fence_rejections(owner, key, op, fence, stored_fence,"
              " stored_owner) VALUES ($1, $2, $3, $4, $5, $6)",
              &a, &r) == NAVOI_OK)
            PQclear(r);
    }
    p->nrej = 0;
}

/* A fenced statement changed no row: find out whether the fence was stale
 * (another worker moved the item on) and keep that for the audit. */
static void rejected(pg *p, const char *op, const char *key, int64_t fence)
{
    params a = {0};
    PGresult *r;
    rej *x;
    p_text(&a, key);
    if (q(p, "fence check", "SELECT fence, lease_owner FROM navoi_items WHERE key = $1", &a,
          &r) != NAVOI_OK)
        return;
    if (PQntuples(r) == 1 && col_i64(r, 0, 0) != fence) {
        const char *so = col_str(r, 0, 1);
        p->rejections++;
        pg_log(p, NAVOI_LOG_WARN,
               "postgres: stale fence: %s of item %s by %s with fence %lld, stored %lld "
               "(held by %s): no row changed",
               op, key, p->owner[0] ? p->owner : "?", (long long)fence,
               (long long)col_i64(r, 0, 0), so ? so : "nobody");
        if (p->nrej < MAX_REJ) {
            x = &p->rej[p->nrej++];
            snprintf(x->op, sizeof x->op, "%s", op);
            snprintf(x->key, sizeof x->key, "%s", key);
            snprintf(x->owner, sizeof x->owner, "%s", p->owner);
            snprintf(x->stored_owner, sizeof x->stored_owner, "%s", so ? so : "");
            x->fence = fence;
            x->stored = col_i64(r, 0, 0);
        }
    }
    PQclear(r);
    if (!p->in_txn)
        flush_rejections(p);
}

/* ---- navoi_storage_ops ---- */

static int pg_begin(void *ud)
{
    pg *p = ud;
    int rc = ready(p);
    if (rc != NAVOI_OK)
        return rc;
    if (p->in_txn) {
        snprintf(p->err, sizeof p->err, "postgres (%s): transaction already open", p->where);
        return NAVOI_ESTATE;
    }
    rc = run_simple(p, "BEGIN", "begin");
    if (rc != NAVOI_OK)
        return rc == NAVOI_ENOMEM ? rc : NAVOI_EIO;
    p->in_txn = 1;
    return NAVOI_OK;
}

static int pg_commit(void *ud)
{
    pg *p = ud;
    PGresult *r;
    int ok;
    if (!p->conn || !p->in_txn) {
        snprintf(p->err, sizeof p->err, "postgres (%s): commit without a transaction", p->where);
        return NAVOI_ESTATE;
    }
    p->in_txn = 0;
    r = PQexec(p->conn, "COMMIT");
    /* COMMIT of a failed transaction "succeeds" as ROLLBACK */
    ok = PQresultStatus(r) == PGRES_COMMAND_OK && !strcmp(PQcmdStatus(r), "COMMIT");
    if (!ok) {
        if (PQresultStatus(r) == PGRES_COMMAND_OK)
            snprintf(p->err, sizeof p->err,
                     "postgres (%s): commit: the transaction had failed and was rolled back",
                     p->where);
        else
            fail_res(p, r, "commit");
    }
    PQclear(r);
    flush_rejections(p);
    return ok ? NAVOI_OK : NAVOI_EIO;
}

static void pg_rollback(void *ud)
{
    pg *p = ud;
    if (!p->in_txn)
        return;
    p->in_txn = 0;
    if (p->conn && PQstatus(p->conn) == CONNECTION_OK) {
        char keep[sizeof p->err];
        memcpy(keep, p->err, sizeof keep);
        run_simple(p, "ROLLBACK", "rollback");
        memcpy(p->err, keep, sizeof keep);
    }
    flush_rejections(p);
}

static int pg_insert(const char *key, int state, int64_t due_ms, int64_t created_ms,
                     const char *number, const char *group_id, const char *original_key,
                     const char *record, size_t record_len, const char *payload,
                     size_t payload_len, void *ud)
{
    pg *p = ud;
    params a = {0};
    int changes = 0, rc;
    if (!key || !record)
        return NAVOI_EINVAL;
    p_text(&a, key);
    p_i64(&a, state);
    p_i64(&a, due_ms);
    p_i64(&a, created_ms);
    p_text(&a, number);
    p_text(&a, group_id);
    p_text(&a, original_key);
    if ((rc = p_bin(&a, record, record_len, 0)) != NAVOI_OK ||
        (rc = p_bin(&a, payload, payload_len, 1)) != NAVOI_OK)
        return rc;
    rc = q_changes(p, "insert",
                   "INSERT INTO navoi_items(key, state, due_ms, created_ms, number, group_id,"
                   " original_key, fence, record, payload)"
                   " VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $9)"
                   " ON CONFLICT (key) DO NOTHING",
                   &a, &changes);
    if (rc == NAVOI_OK && changes != 1) {
        snprintf(p->err, sizeof p->err, "postgres (%s): item %s exists", p->where, key);
        return NAVOI_ESTATE;
    }
    return rc;
}

/* SQL: a row that owner $3 may claim, and a time ms (a bigint
 * parameter) from now on the database clock. */
#define CLAIMABLE_BY_3 \
    "(lease_owner IS NULL OR lease_owner = $3 OR lease_until <= clock_timestamp())"
#define MS_FROM_NOW(ms) "clock_timestamp() + " ms "::bigint * interval '1 millisecond'"

/* Runs a fenced write, op "update" or "claim" of key at fence: one changed
 * row gives the next fence; none means the fence was stale (or, for a
 * claim, another worker holds the lease): NAVOI_ESTATE, and the attempt
 * goes to the fence audit. */
static int fenced_write(pg *p, const char *op, const char *sql, const params *a, const char *key,
                        int64_t fence, int64_t *fence_out)
{
    int changes = 0, rc = q_changes(p, op, sql, a, &changes);
    if (rc != NAVOI_OK)
        return rc;
    if (changes != 1) {
        if (!strcmp(op, "claim"))
            snprintf(p->err, sizeof p->err, "postgres (%s): item %s is leased or changed",
                     p->where, key);
        else
            snprintf(p->err, sizeof p->err,
                     "postgres (%s): item %s changed under us (fence %lld)", p->where, key,
                     (long long)fence);
        rejected(p, op, key, fence);
        return NAVOI_ESTATE;
    }
    if (fence_out)
        *fence_out = fence + 1;
    return NAVOI_OK;
}

static int pg_update(const char *key, int64_t fence, int state, int64_t due_ms,
                     const char *group_id, const char *record, size_t record_len,
                     int64_t lease_until_ms, int64_t *fence_out, void *ud)
{
    pg *p = ud;
    params a = {0};
    int rc;
    if (!key || !record)
        return NAVOI_EINVAL;
    p_text(&a, key);
    p_i64(&a, fence);
    p_i64(&a, state);
    p_i64(&a, due_ms);
    p_text(&a, group_id);
    if ((rc = p_bin(&a, record, record_len, 0)) != NAVOI_OK)
        return rc;
    /* the lease is extended on the database clock by the claimed duration */
    p_i64(&a, lease_until_ms == 0 ? 0 : p->lease_d > 0 ? p->lease_d : 600000);
    return fenced_write(p, "update",
                        "UPDATE navoi_items SET state = $3, due_ms = $4, group_id = $5,"
                        " record = $6, fence = fence + 1,"
                        " lease_until = CASE WHEN $7::bigint = 0 THEN '-infinity'::timestamptz"
                        "  ELSE " MS_FROM_NOW("$7") " END,"
                        " lease_owner = CASE WHEN $7::bigint = 0 THEN NULL ELSE lease_owner END"
                        " WHERE key = $1 AND fence = $2",
                        &a, key, fence, fence_out);
}

/* A claim by owner: its lease runs on the database clock for
 * lease_until_ms - now_ms (kept: update extends by it), and owner is kept
 * for the fence audit. */
static void note_claim(pg *p, const char *owner, int64_t now_ms, int64_t lease_until_ms)
{
    int64_t d = lease_until_ms - now_ms;
    p->lease_d = d < 1 ? 1 : d;
    snprintf(p->owner, sizeof p->owner, "%s", owner);
}

static int pg_claim(const char *key, int64_t fence, const char *owner, int64_t now_ms,
                    int64_t lease_until_ms, int64_t *fence_out, void *ud)
{
    pg *p = ud;
    params a = {0};
    if (!key || !owner)
        return NAVOI_EINVAL;
    note_claim(p, owner, now_ms, lease_until_ms);
    p_text(&a, key);
    p_i64(&a, fence);
    p_text(&a, owner);
    p_i64(&a, p->lease_d);
    return fenced_write(p, "claim",
                        "UPDATE navoi_items SET lease_owner = $3,"
                        " lease_until = " MS_FROM_NOW("$4") ", fence = fence + 1"
                        " WHERE key = $1 AND fence = $2 AND " CLAIMABLE_BY_3,
                        &a, key, fence, fence_out);
}

/* Runs a query of (key, fence, record) rows and calls fn for each. */
static int q_items(pg *p, const char *what, const char *sql, const params *a,
                   navoi_storage_row_fn fn, void *ctx)
{
    PGresult *r;
    int i, n, rc = q(p, what, sql, a, &r);
    if (rc != NAVOI_OK)
        return rc;
    n = PQntuples(r);
    for (i = 0; i < n && rc == NAVOI_OK; i++) {
        size_t len;
        const char *rec = col_bin(r, i, 2, &len);
        if (fn(col_str(r, i, 0), col_i64(r, i, 1), rec ? rec : "", len, ctx))
            rc = NAVOI_EUSER;
    }
    PQclear(r);
    return rc;
}

/* pg_select()'s query per NAVOI_STORAGE_BY_*: $1 is the value (the state
 * for BY_STATE and BY_DUE), then limit $2, offset $3 and due_max $4. */
#define SELECT_ITEMS "SELECT key, fence, record FROM navoi_items WHERE "
#define IN_CREATED_ORDER " ORDER BY created_ms, seq LIMIT $2 OFFSET $3"
static const char *const g_select_sql[] = {
    [NAVOI_STORAGE_BY_KEY] = SELECT_ITEMS "key = $1",
    [NAVOI_STORAGE_BY_STATE] = SELECT_ITEMS "state = $1" IN_CREATED_ORDER,
    [NAVOI_STORAGE_BY_DUE] = SELECT_ITEMS "state = $1 AND due_ms <= $4"
                                          " ORDER BY due_ms, created_ms, seq LIMIT $2 OFFSET $3",
    [NAVOI_STORAGE_BY_NUMBER] = SELECT_ITEMS "number = $1" IN_CREATED_ORDER,
    [NAVOI_STORAGE_BY_GROUP] = SELECT_ITEMS "group_id = $1" IN_CREATED_ORDER,
    [NAVOI_STORAGE_BY_ORIGINAL] = SELECT_ITEMS "original_key = $1" IN_CREATED_ORDER,
};

static int pg_select(int by, const char *value, int state, int64_t due_max, size_t offset,
                     size_t limit, navoi_storage_row_fn fn, void *ctx, void *ud)
{
    pg *p = ud;
    params a = {0};
    if (!fn || by < NAVOI_STORAGE_BY_KEY || by > NAVOI_STORAGE_BY_ORIGINAL)
        return NAVOI_EINVAL;
    if (by == NAVOI_STORAGE_BY_STATE || by == NAVOI_STORAGE_BY_DUE)
        p_i64(&a, state);
    else
        p_text(&a, value);
    if (by != NAVOI_STORAGE_BY_KEY) {
        p_size(&a, limit);
        p_size(&a, offset);
    }
    if (by == NAVOI_STORAGE_BY_DUE)
        p_i64(&a, due_max);
    return q_items(p, "select", g_select_sql[by], &a, fn, ctx);
}

static int pg_claim_due(int state, int64_t due_max, size_t limit, const char *owner,
                        int64_t now_ms, int64_t lease_until_ms, navoi_storage_row_fn fn,
                        void *ctx, void *ud)
{
    pg *p = ud;
    params a = {0};
    if (!owner || !fn)
        return NAVOI_EINVAL;
    if (limit == 0)
        return NAVOI_OK;
    note_claim(p, owner, now_ms, lease_until_ms);
    p_i64(&a, state);
    p_i64(&a, due_max);
    p_text(&a, owner);
    p_size(&a, limit);
    p_i64(&a, p->lease_d);
    return q_items(p, "claim due",
                   "WITH c AS (SELECT key FROM navoi_items"
                   "  WHERE state = $1 AND due_ms <= $2 AND " CLAIMABLE_BY_3
                   "  ORDER BY due_ms, created_ms, seq LIMIT $4 FOR UPDATE SKIP LOCKED),"
                   " u AS (UPDATE navoi_items i SET lease_owner = $3,"
                   "  lease_until = " MS_FROM_NOW("$5") ","
                   "  fence = i.fence + 1 FROM c WHERE i.key = c.key"
                   "  RETURNING i.key, i.fence, i.record, i.due_ms, i.created_ms, i.seq)"
                   " SELECT key, fence, record FROM u ORDER BY due_ms, created_ms, seq",
                   &a, fn, ctx);
}

static int pg_pace(const char *name, int64_t now_ms, uint32_t interval_ms, int64_t *wait_ms_out,
                   void *ud)
{
    pg *p = ud;
    params a = {0};
    PGresult *r;
    int rc;
    (void)now_ms; /* the database clock decides */
    if (!name || !wait_ms_out)
        return NAVOI_EINVAL;
    *wait_ms_out = 0;
    p_text(&a, name);
    p_i64(&a, interval_ms);
    rc = q(p, "pace", "SELECT navoi_pace_take($1, $2)", &a, &r);
    if (rc != NAVOI_OK)
        return rc;
    if (PQntuples(r) == 1)
        *wait_ms_out = col_i64(r, 0, 0);
    PQclear(r);
    return NAVOI_OK;
}

/* Hands fn the one bytea value sql selects with $1 = key (NULL for SQL
 * NULL); NAVOI_ENOTFOUND when there is no row. */
static int q_value(pg *p, const char *what, const char *sql, const char *key,
                   navoi_storage_data_fn fn, void *ctx)
{
    params a = {0};
    PGresult *r;
    size_t len;
    const char *d;
    int rc;
    p_text(&a, key);
    rc = q(p, what, sql, &a, &r);
    if (rc != NAVOI_OK)
        return rc;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return NAVOI_ENOTFOUND;
    }
    d = col_bin(r, 0, 0, &len);
    rc = fn(0, d, len, ctx) ? NAVOI_EUSER : NAVOI_OK;
    PQclear(r);
    return rc;
}

static int pg_payload(const char *key, navoi_storage_data_fn fn, void *ctx, void *ud)
{
    if (!key || !fn)
        return NAVOI_EINVAL;
    /* an item without a payload hands fn NULL */
    return q_value(ud, "payload", "SELECT payload FROM navoi_items WHERE key = $1", key, fn, ctx);
}

static int pg_count(int state, int64_t *count_out, int64_t *oldest_out, void *ud)
{
    pg *p = ud;
    params a = {0};
    PGresult *r;
    int rc;
    p_i64(&a, state);
    rc = q(p, "count",
           "SELECT count(*)::bigint, coalesce(min(created_ms), 0)::bigint FROM navoi_items"
           " WHERE state = $1",
           &a, &r);
    if (rc != NAVOI_OK)
        return rc;
    if (count_out)
        *count_out = col_i64(r, 0, 0);
    if (oldest_out)
        *oldest_out = col_i64(r, 0, 1);
    PQclear(r);
    return NAVOI_OK;
}

static int pg_history_add(const char *key, int64_t time_ms, const char *entry, size_t len,
                          void *ud)
{
    pg *p = ud;
    params a = {0};
    int rc;
    if (!key)
        return NAVOI_EINVAL;
    p_text(&a, key);
    p_i64(&a, time_ms);
    if ((rc = p_bin(&a, entry, len, 0)) != NAVOI_OK)
        return rc;
    return q_changes(p, "history",
                     "INSERT INTO navoi_history(key, time_ms, entry) VALUES ($1, $2, $3)", &a,
                     NULL);
}

static int pg_history_list(const char *key, navoi_storage_data_fn fn, void *ctx, void *ud)
{
    pg *p = ud;
    params a = {0};
    PGresult *r;
    int rc, i, n;
    if (!key || !fn)
        return NAVOI_EINVAL;
    p_text(&a, key);
    rc = q(p, "history",
           "SELECT time_ms, entry FROM navoi_history WHERE key = $1 ORDER BY id", &a, &r);
    if (rc != NAVOI_OK)
        return rc;
    n = PQntuples(r);
    for (i = 0; i < n && rc == NAVOI_OK; i++) {
        size_t len;
        const char *d = col_bin(r, i, 1, &len);
        if (fn(col_i64(r, i, 0), d ? d : "", len, ctx))
            rc = NAVOI_EUSER;
    }
    PQclear(r);
    return rc;
}

static int pg_remove(const char *key, void *ud)
{
    pg *p = ud;
    params a = {0};
    int rc;
    if (!key)
        return NAVOI_EINVAL;
    p_text(&a, key);
    rc = q_changes(p, "remove", "DELETE FROM navoi_history WHERE key = $1", &a, NULL);
    if (rc == NAVOI_OK)
        rc = q_changes(p, "remove", "DELETE FROM navoi_items WHERE key = $1", &a, NULL);
    return rc;
}

/* ---- version 2: incoming invoices, named state, history scan ---- */

static int pg_inbound_put(const char *id, int64_t ins_ms, const char *meta, size_t meta_len,
                          const char *xml, size_t xml_len, int *created_out, void *ud)
{
    pg *p = ud;
    params a = {0};
    int rc, changes = 0;
    if (created_out)
        *created_out = 0;
    if (!id)
        return NAVOI_EINVAL;
    p_text(&a, id);
    p_i64(&a, ins_ms);
    if ((rc = p_bin(&a, meta ? meta : "", meta ? meta_len : 0, 0)) != NAVOI_OK ||
        (rc = p_bin(&a, xml, xml_len, 1)) != NAVOI_OK)
        return rc;
    rc = q_changes(p, "inbound insert",
                   "INSERT INTO navoi_inbound(id, ins_ms, meta, xml) VALUES ($1, $2, $3, $4)"
                   " ON CONFLICT (id) DO NOTHING",
                   &a, &changes);
    if (rc == NAVOI_OK && created_out)
        *created_out = changes == 1;
    return rc;
}

/* Runs a query of (id, ins_ms, meta[, xml]) rows of navoi_inbound and
 * calls fn for each; by_id: the lookup of one id, NAVOI_ENOTFOUND without
 * a row. */
static int q_inbound(pg *p, const char *sql, const params *a, int with_xml, int by_id,
                     navoi_storage_inbound_fn fn, void *ctx)
{
    PGresult *r;
    int i, n, rc = q(p, "inbound select", sql, a, &r);
    if (rc != NAVOI_OK)
        return rc;
    n = PQntuples(r);
    if (by_id && n == 0)
        rc = NAVOI_ENOTFOUND;
    for (i = 0; i < n && rc == NAVOI_OK; i++) {
        size_t mlen, xlen = 0;
        const char *meta = col_bin(r, i, 2, &mlen), *xml = NULL;
        if (with_xml)
            xml = col_bin(r, i, 3, &xlen);
        if (fn(col_str(r, i, 0), col_i64(r, i, 1), meta ? meta : "", mlen, xml, xlen, ctx))
            rc = NAVOI_EUSER;
    }
    PQclear(r);
    return rc;
}

static int pg_inbound_get(const char *id, int want_xml, navoi_storage_inbound_fn fn, void *ctx,
                          void *ud)
{
    params a = {0};
    if (!id || !fn)
        return NAVOI_EINVAL;
    p_text(&a, id);
    return q_inbound(ud,
                     want_xml ? "SELECT id, ins_ms, meta, xml FROM navoi_inbound WHERE id = $1"
                              : "SELECT id, ins_ms, meta FROM navoi_inbound WHERE id = $1",
                     &a, want_xml, 1, fn, ctx);
}

static int pg_inbound_list(int64_t from_ms, int64_t to_ms, size_t offset, size_t limit,
                           navoi_storage_inbound_fn fn, void *ctx, void *ud)
{
    params a = {0};
    if (!fn)
        return NAVOI_EINVAL;
    p_i64(&a, from_ms);
    p_i64(&a, to_ms);
    p_size(&a, limit);
    p_size(&a, offset);
    return q_inbound(ud,
                     "SELECT id, ins_ms, meta FROM navoi_inbound WHERE ins_ms >= $1"
                     " AND ins_ms <= $2 ORDER BY ins_ms, id LIMIT $3 OFFSET $4",
                     &a, 0, 0, fn, ctx);
}

static int pg_state_get(const char *name, navoi_storage_data_fn fn, void *ctx, void *ud)
{
    if (!name || !fn)
        return NAVOI_EINVAL;
    /* navoi_state.value is NOT NULL: fn always gets data */
    return q_value(ud, "state", "SELECT value FROM navoi_state WHERE name = $1", name, fn, ctx);
}

static int pg_state_set(const char *name, const char *value, size_t len, void *ud)
{
    pg *p = ud;
    params a = {0};
    int rc;
    if (!name)
        return NAVOI_EINVAL;
    p_text(&a, name);
    if (!value)
        return q_changes(p, "state", "DELETE FROM navoi_state WHERE name = $1", &a, NULL);
    if ((rc = p_bin(&a, value, len, 0)) != NAVOI_OK)
        return rc;
    return q_changes(p, "state",
                     "INSERT INTO navoi_state(name, value) VALUES ($1, $2)"
                     " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                     &a, NULL);
}

static int pg_history_scan(int64_t after_seq, size_t limit, navoi_storage_scan_fn fn, void *ctx,
                           void *ud)
{
    pg *p = ud;
    params a = {0};
    PGresult *r;
    int rc, i, n;
    if (!fn)
        return NAVOI_EINVAL;
    p_i64(&a, after_seq);
    p_size(&a, limit);
    rc = q(p, "history scan",
           "SELECT id, key, time_ms, entry FROM navoi_history WHERE id > $1 ORDER BY id"
           " LIMIT $2",
           &a, &r);
    if (rc != NAVOI_OK)
        return rc;
    n = PQntuples(r);
    for (i = 0; i < n && rc == NAVOI_OK; i++) {
        size_t len;
        const char *d = col_bin(r, i, 3, &len);
        if (fn(col_i64(r, i, 0), col_str(r, i, 1), col_i64(r, i, 2), d ? d : "", len, ctx))
            rc = NAVOI_EUSER;
    }
    PQclear(r);
    return rc;
}

static void pg_destroy(void *ud)
{
    pg *p = ud;
    if (!p)
        return;
    if (p->conn) {
        if (p->in_txn)
            pg_rollback(p);
        PQfinish(p->conn);
    }
    if (p->conninfo) {
        navoi__cleanse(p->conninfo, strlen(p->conninfo));
        navoi__free(p->conninfo);
    }
    if (p->password) {
        navoi__cleanse(p->password, strlen(p->password));
        navoi__free(p->password);
    }
    navoi__free(p);
}

const char *navoi__storage_pg_errmsg(void *ud)
{
    pg *p = ud;
    return p ? p->err : "";
}

uint64_t navoi__storage_pg_rejections(void *ud)
{
    pg *p = ud;
    return p ? p->rejections : 0;
}

int navoi__storage_pg_open(const char *conninfo, navoi_client *client, navoi_storage_ops *ops,
                           void **userdata_out, char *err, size_t errlen)
{
    pg *p;
    int rc;

    *userdata_out = NULL;
    if (!conninfo || !*conninfo || !ops) {
        snprintf(err, errlen, "no PostgreSQL connection string");
        return NAVOI_EINVAL;
    }
    p = navoi__calloc(1, sizeof *p);
    if (!p || !(p->conninfo = navoi__strdup(conninfo))) {
        navoi__free(p);
        snprintf(err, errlen, "out of memory");
        return NAVOI_ENOMEM;
    }
    p->client = client;
    p->lease_d = 600000;
    rc = describe(p, conninfo, err, errlen);
    if (rc == NAVOI_OK) {
        rc = connect_db(p, 1);
        if (rc != NAVOI_OK)
            snprintf(err, errlen, "%s", p->err);
    }
    if (rc != NAVOI_OK) {
        pg_destroy(p);
        return rc;
    }
    navoi_storage_ops_init(ops, NAVOI_STORAGE_OPS_VERSION);
    ops->begin = pg_begin;
    ops->commit = pg_commit;
    ops->rollback = pg_rollback;
    ops->insert = pg_insert;
    ops->update = pg_update;
    ops->claim = pg_claim;
    ops->select = pg_select;
    ops->payload = pg_payload;
    ops->count = pg_count;
    ops->history_add = pg_history_add;
    ops->history_list = pg_history_list;
    ops->remove = pg_remove;
    ops->inbound_put = pg_inbound_put;
    ops->inbound_get = pg_inbound_get;
    ops->inbound_list = pg_inbound_list;
    ops->state_get = pg_state_get;
    ops->state_set = pg_state_set;
    ops->history_scan = pg_history_scan;
    ops->claim_due = pg_claim_due;
    ops->pace = pg_pace;
    ops->destroy = pg_destroy;
    *userdata_out = p;
    return NAVOI_OK;
}

/* navoi_outbox_new() on this backend (a navoi__storage_make_fn). */
static int make_pg_outbox(void *out, navoi_client *client, const navoi_storage_ops *ops,
                          void *ud)
{
    navoi_outbox **ob = out;
    int rc = navoi_outbox_new(ob, client, ops, ud);
    if (rc == NAVOI_OK)
        (*ob)->backend_errmsg = navoi__storage_pg_errmsg;
    return rc;
}

NAVOI_API int navoi_outbox_open_postgres(navoi_outbox **out, navoi_client *client,
                                         const char *conninfo)
{
    if (!out)
        return NAVOI_EINVAL;
    *out = NULL;
    return navoi__storage_open_handle(out, client, "outbox", navoi__storage_pg_open, conninfo,
                                      make_pg_outbox);
}
