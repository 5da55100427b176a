/*
 * persist.c - optional SQLite state, so a restarted simulator keeps its
 * ledger: transactions with their items (raw payloads, status, messages),
 * spent requestIds and tokens. Stored documents are rebuilt on load by
 * decoding the items again, so the schema is only the raw facts. Every
 * write happens under sim_server.lock.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_internal.h"

#ifdef SIM_HAVE_SQLITE
#include <sqlite3.h>

static const char *k_schema =
    "PRAGMA journal_mode=WAL;"
    "CREATE TABLE IF NOT EXISTS txn(id TEXT PRIMARY KEY, seq INTEGER, tax TEXT, user TEXT,"
    " ins_ms INTEGER, extra_ms INTEGER, annulment INTEGER, compressed INTEGER, seeded INTEGER,"
    " notified INTEGER, finished INTEGER, annul_status INTEGER, annul_decision_ms INTEGER,"
    " annul_user TEXT);"
    "CREATE TABLE IF NOT EXISTS item(txn_id TEXT, idx INTEGER, op TEXT, data TEXT, ehash TEXT,"
    " ehash_crypto TEXT, status INTEGER, msgs TEXT, PRIMARY KEY(txn_id, idx));"
    "CREATE TABLE IF NOT EXISTS reqid(tax TEXT, id TEXT, ms INTEGER, PRIMARY KEY(tax, id));"
    "CREATE TABLE IF NOT EXISTS token(token TEXT PRIMARY KEY, tax TEXT, to_ms INTEGER,"
    " used INTEGER);";

/* Columns added later: a state file written before them gets them here
 * (the error for a column that is already there is expected and ignored);
 * rows from before read as 3.0. */
static const char *const k_added_columns[] = {
    "ALTER TABLE txn ADD COLUMN version INTEGER NOT NULL DEFAULT 30",
    "ALTER TABLE token ADD COLUMN version INTEGER NOT NULL DEFAULT 30",
};

static void db_warn(sim_server *s, const char *what)
{
    fprintf(stderr, "navoi-sim: state %s: %s\n", what, sqlite3_errmsg(s->db));
}

/* Messages as lines "business TAB result TAB code TAB message". */
static void msgs_encode(const sim_msgs *m, sim_buf *out)
{
    int i;
    for (i = 0; i < m->n; i++) {
        const char *p;
        sim_buf_printf(out, "%d\t%s\t%s\t", m->m[i].business, m->m[i].result, m->m[i].code);
        for (p = m->m[i].message ? m->m[i].message : ""; *p; p++)
            sim_buf_add(out, (*p == '\t' || *p == '\n') ? " " : p, 1);
        sim_buf_puts(out, "\n");
    }
    if (!out->data)
        sim_buf_puts(out, "");
}

static char *dup_n(const char *p, size_t n)
{
    char *r = malloc(n + 1);
    if (r) {
        memcpy(r, p, n);
        r[n] = '\0';
    }
    return r;
}

static void msgs_decode(const char *text, sim_msgs *m)
{
    const char *line = text;
    while (line && *line && m->n < SIM_MAX_MSGS) {
        const char *end = strchr(line, '\n'), *f[4];
        int k;
        sim_msg *x = &m->m[m->n];
        if (!end)
            end = line + strlen(line);
        f[0] = line;
        for (k = 1; k < 4; k++) {
            const char *t = memchr(f[k - 1], '\t', (size_t)(end - f[k - 1]));
            if (!t)
                break;
            f[k] = t + 1;
        }
        if (k == 4) {
            x->business = atoi(f[0]);
            x->result = dup_n(f[1], (size_t)(f[2] - f[1] - 1));
            x->code = dup_n(f[2], (size_t)(f[3] - f[2] - 1));
            x->message = end > f[3] ? dup_n(f[3], (size_t)(end - f[3])) : NULL;
            m->n++;
        }
        line = *end ? end + 1 : NULL;
    }
}

static const char *col(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : "";
}

static int load(sim_server *s, char *err, size_t errlen)
{
    sqlite3 *db = s->db;
    sqlite3_stmt *st = NULL, *it = NULL;
    int rc;
    if (sqlite3_prepare_v2(db, "SELECT token, tax, to_ms, used, version FROM token", -1, &st, NULL))
        goto fail;
    while (sqlite3_step(st) == SQLITE_ROW) {
        sim_token *t = calloc(1, sizeof *t);
        if (!t)
            break;
        snprintf(t->token, sizeof t->token, "%s", col(st, 0));
        snprintf(t->tax, sizeof t->tax, "%s", col(st, 1));
        t->to_ms = sqlite3_column_int64(st, 2);
        t->used = sqlite3_column_int(st, 3);
        t->version = sqlite3_column_int(st, 4);
        t->next = s->tokens;
        s->tokens = t;
    }
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(db, "SELECT tax, id, ms FROM reqid", -1, &st, NULL))
        goto fail;
    while (sqlite3_step(st) == SQLITE_ROW) {
        sim_reqid *r = calloc(1, sizeof *r);
        if (!r)
            break;
        snprintf(r->tax, sizeof r->tax, "%s", col(st, 0));
        snprintf(r->id, sizeof r->id, "%s", col(st, 1));
        r->ms = sqlite3_column_int64(st, 2);
        r->next = s->reqids;
        s->reqids = r;
    }
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(db,
                           "SELECT id, seq, tax, user, ins_ms, extra_ms, annulment, compressed,"
                           " seeded, notified, finished, annul_status, annul_decision_ms,"
                           " annul_user, version FROM txn ORDER BY seq",
                           -1, &st, NULL) ||
        sqlite3_prepare_v2(db,
                           "SELECT idx, op, data, ehash, ehash_crypto, status, msgs FROM item"
                           " WHERE txn_id = ? ORDER BY idx",
                           -1, &it, NULL))
        goto fail;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && s->ntxns < SIM_MAX_TXNS) {
        sim_txn *t = calloc(1, sizeof *t);
        int n = 0;
        long seq;
        if (!t)
            break;
        snprintf(t->id, sizeof t->id, "%s", col(st, 0));
        seq = (long)sqlite3_column_int64(st, 1);
        snprintf(t->tax, sizeof t->tax, "%s", col(st, 2));
        snprintf(t->user, sizeof t->user, "%s", col(st, 3));
        t->ins_ms = sqlite3_column_int64(st, 4);
        t->extra_ms = sqlite3_column_int64(st, 5);
        t->annulment = sqlite3_column_int(st, 6);
        t->compressed = sqlite3_column_int(st, 7);
        t->seeded = sqlite3_column_int(st, 8);
        t->notified = sqlite3_column_int(st, 9);
        t->finished = sqlite3_column_int(st, 10);
        t->annul_status = sqlite3_column_int(st, 11);
        t->annul_decision_ms = sqlite3_column_int64(st, 12);
        snprintf(t->annul_user, sizeof t->annul_user, "%s", col(st, 13));
        t->version = sqlite3_column_int(st, 14);
        t->items = calloc(SIM_MAX_ITEMS, sizeof *t->items);
        if (!t->items) {
            free(t);
            break;
        }
        sqlite3_reset(it);
        sqlite3_bind_text(it, 1, t->id, -1, SQLITE_STATIC);
        while (sqlite3_step(it) == SQLITE_ROW && n < SIM_MAX_ITEMS) {
            sim_item *x = &t->items[n++];
            x->index = sqlite3_column_int(it, 0);
            snprintf(x->op, sizeof x->op, "%s", col(it, 1));
            x->data = strdup(col(it, 2));
            x->data_len = strlen(x->data ? x->data : "");
            if (sqlite3_column_type(it, 3) != SQLITE_NULL) {
                x->ehash = strdup(col(it, 3));
                x->ehash_crypto = strdup(col(it, 4));
            }
            x->status = sqlite3_column_int(it, 5);
            msgs_decode(col(it, 6), &x->msgs);
            if (x->data)
                sim_item_prepare(s, t, x);
        }
        t->nitems = n;
        sim_txn_append(s, t);
        t->seq = seq;
        if (seq > s->seq)
            s->seq = seq;
        sim_txn_restore_records(s, t);
    }
    sqlite3_finalize(st);
    sqlite3_finalize(it);
    return 0;
fail:
    snprintf(err, errlen, "state: %s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    sqlite3_finalize(it);
    return -1;
}

int sim_db_open(sim_server *s, const char *path, char *err, size_t errlen)
{
    sqlite3 *db = NULL;
    char *msg = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "cannot open state %s: %s", path, db ? sqlite3_errmsg(db) : "?");
        sqlite3_close(db);
        return -1;
    }
    sqlite3_busy_timeout(db, 5000);
    if (sqlite3_exec(db, k_schema, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, errlen, "state %s: %s", path, msg ? msg : "?");
        sqlite3_free(msg);
        sqlite3_close(db);
        return -1;
    }
    {
        size_t i;
        for (i = 0; i < sizeof k_added_columns / sizeof k_added_columns[0]; i++)
            sqlite3_exec(db, k_added_columns[i], NULL, NULL, NULL);
    }
    s->db = db;
    if (load(s, err, errlen)) {
        sqlite3_close(db);
        s->db = NULL;
        return -1;
    }
    return 0;
}

void sim_db_close(sim_server *s)
{
    if (s->db)
        sqlite3_close(s->db);
    s->db = NULL;
}

void sim_db_save_txn(sim_server *s, const sim_txn *t)
{
    sqlite3_stmt *st = NULL;
    int i;
    if (!s->db)
        return;
    sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL);
    if (sqlite3_prepare_v2(s->db,
                           "INSERT OR REPLACE INTO txn(id, seq, tax, user, ins_ms, extra_ms,"
                           " annulment, compressed, seeded, notified, finished, annul_status,"
                           " annul_decision_ms, annul_user, version)"
                           " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                           -1,
                           &st, NULL) != SQLITE_OK) {
        db_warn(s, "write");
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return;
    }
    sqlite3_bind_text(st, 1, t->id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, t->seq);
    sqlite3_bind_text(st, 3, t->tax, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, t->user, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, t->ins_ms);
    sqlite3_bind_int64(st, 6, t->extra_ms);
    sqlite3_bind_int(st, 7, t->annulment);
    sqlite3_bind_int(st, 8, t->compressed);
    sqlite3_bind_int(st, 9, t->seeded);
    sqlite3_bind_int(st, 10, t->notified);
    sqlite3_bind_int(st, 11, t->finished);
    sqlite3_bind_int(st, 12, t->annul_status);
    sqlite3_bind_int64(st, 13, t->annul_decision_ms);
    sqlite3_bind_text(st, 14, t->annul_user, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 15, t->version);
    if (sqlite3_step(st) != SQLITE_DONE)
        db_warn(s, "write");
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO item VALUES(?,?,?,?,?,?,?,?)", -1, &st,
                           NULL) == SQLITE_OK) {
        for (i = 0; i < t->nitems; i++) {
            const sim_item *x = &t->items[i];
            sim_buf m = {0};
            msgs_encode(&x->msgs, &m);
            sqlite3_reset(st);
            sqlite3_bind_text(st, 1, t->id, -1, SQLITE_STATIC);
            sqlite3_bind_int(st, 2, x->index);
            sqlite3_bind_text(st, 3, x->op, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 4, x->data, (int)x->data_len, SQLITE_STATIC);
            if (x->ehash) {
                sqlite3_bind_text(st, 5, x->ehash, -1, SQLITE_STATIC);
                sqlite3_bind_text(st, 6, x->ehash_crypto, -1, SQLITE_STATIC);
            } else {
                sqlite3_bind_null(st, 5);
                sqlite3_bind_null(st, 6);
            }
            sqlite3_bind_int(st, 7, x->status);
            sqlite3_bind_text(st, 8, m.data ? m.data : "", -1, SQLITE_TRANSIENT);
            if (sqlite3_step(st) != SQLITE_DONE)
                db_warn(s, "write");
            sim_buf_free(&m);
        }
        sqlite3_finalize(st);
    }
    sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
}

void sim_db_save_reqid(sim_server *s, const sim_reqid *r)
{
    sqlite3_stmt *st = NULL;
    if (!s->db)
        return;
    if (sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO reqid VALUES(?,?,?)", -1, &st, NULL))
        return;
    sqlite3_bind_text(st, 1, r->tax, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, r->id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, r->ms);
    if (sqlite3_step(st) != SQLITE_DONE)
        db_warn(s, "write");
    sqlite3_finalize(st);
}

void sim_db_save_token(sim_server *s, const sim_token *t)
{
    sqlite3_stmt *st = NULL;
    if (!s->db)
        return;
    if (sqlite3_prepare_v2(s->db,
                           "INSERT OR REPLACE INTO token(token, tax, to_ms, used, version)"
                           " VALUES(?,?,?,?,?)",
                           -1, &st, NULL))
        return;
    sqlite3_bind_text(st, 1, t->token, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, t->tax, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, t->to_ms);
    sqlite3_bind_int(st, 4, t->used);
    sqlite3_bind_int(st, 5, t->version);
    if (sqlite3_step(st) != SQLITE_DONE)
        db_warn(s, "write");
    sqlite3_finalize(st);
}

#else /* !SIM_HAVE_SQLITE */

int sim_db_open(sim_server *s, const char *path, char *err, size_t errlen)
{
    (void)s;
    snprintf(err, errlen, "cannot use state %s: navoi-sim was built without SQLite", path);
    return -1;
}
void sim_db_close(sim_server *s)
{
    (void)s;
}
void sim_db_save_txn(sim_server *s, const sim_txn *t)
{
    (void)s;
    (void)t;
}
void sim_db_save_reqid(sim_server *s, const sim_reqid *r)
{
    (void)s;
    (void)r;
}
void sim_db_save_token(sim_server *s, const sim_token *t)
{
    (void)s;
    (void)t;
}

#endif
