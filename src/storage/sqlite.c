/*
 * sqlite.c - the default storage backend of the outbox: one SQLite
 * database file per outbox, implementing navoi_storage_ops.
 *
 * Durability: WAL journal with synchronous=FULL. NORMAL syncs the WAL only
 * at checkpoints, so a power loss can lose a transaction that COMMIT had
 * already reported; with FULL every commit is fsynced before it returns,
 * which is what "enqueue returns only after the item is durable" needs.
 *
 * A failed commit (SQLITE_IOERR from write or fsync) fails the call and is
 * never retried in place: after an fsync error the kernel may have dropped
 * the dirty pages and a second fsync can "succeed" without the data
 * (PostgreSQL's fsyncgate). The transaction is rolled back, the connection
 * is marked broken and the next call reopens the database, so the state
 * seen afterwards is whatever SQLite recovers from the file: the WAL index
 * was not advanced, so the failed frames are not part of it.
 *
 * Fencing: every row has a counter; update and claim are conditional on
 * it ("UPDATE ... WHERE key=? AND fence=?") and increment it, so a worker
 * that lost its lease cannot overwrite a newer state. A second process
 * works through the same statements; SQLite serialises writers with the
 * database lock (busy timeout), a PostgreSQL backend would use row locks
 * and SKIP LOCKED in select.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "common/alloc.h"
#include "storage/storage.h"

/* Migrations, applied in order; index i brings user_version from i to i+1.
 * Only ever append. */
static const char *const g_migrations[] = {
    /* 0 -> 1 */
    "CREATE TABLE items ("
    "  key TEXT PRIMARY KEY NOT NULL,"
    "  state INTEGER NOT NULL,"
    "  due_ms INTEGER NOT NULL,"
    "  created_ms INTEGER NOT NULL,"
    "  number TEXT,"
    "  group_id TEXT,"
    "  original_key TEXT,"
    "  fence INTEGER NOT NULL,"
    "  lease_owner TEXT,"
    "  lease_until INTEGER NOT NULL DEFAULT 0,"
    "  record BLOB NOT NULL,"
    "  payload BLOB);"
    "CREATE INDEX items_due ON items(state, due_ms, created_ms);"
    "CREATE INDEX items_created ON items(state, created_ms);"
    "CREATE INDEX items_number ON items(number);"
    "CREATE INDEX items_group ON items(group_id);"
    "CREATE INDEX items_original ON items(original_key);"
    "CREATE TABLE history ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  key TEXT NOT NULL,"
    "  time_ms INTEGER NOT NULL,"
    "  entry BLOB NOT NULL);"
    "CREATE INDEX history_key ON history(key, id);",
    /* 1 -> 2: incoming invoices (navoi_sync) and small named state */
    "CREATE TABLE inbound ("
    "  id TEXT PRIMARY KEY NOT NULL,"
    "  ins_ms INTEGER NOT NULL,"
    "  meta BLOB NOT NULL,"
    "  xml BLOB);"
    "CREATE INDEX inbound_ins ON inbound(ins_ms, id);"
    "CREATE TABLE state ("
    "  name TEXT PRIMARY KEY NOT NULL,"
    "  value BLOB NOT NULL);",
    /* 2 -> 3: payloads in their own table. SQLite rewrites a whole row on
     * UPDATE, so with the invoice in items.payload every state change of an
     * item (five per report) wrote the invoice to the WAL again and the
     * checkpoint to the database: 4x the I/O of the payload itself. The
     * column stays (NULL) for older readers of the file. */
    "CREATE TABLE payloads ("
    "  key TEXT PRIMARY KEY NOT NULL,"
    "  payload BLOB NOT NULL);"
    "INSERT INTO payloads(key, payload) SELECT key, payload FROM items"
    "  WHERE payload IS NOT NULL;"
    "UPDATE items SET payload = NULL WHERE payload IS NOT NULL;",
};
#define N_MIGRATIONS (sizeof g_migrations / sizeof g_migrations[0])

enum {
    ST_INSERT,
    ST_UPDATE,
    ST_CLAIM,
    ST_SEL_KEY,
    ST_SEL_STATE,
    ST_SEL_DUE,
    ST_SEL_NUMBER,
    ST_SEL_GROUP,
    ST_SEL_ORIGINAL,
    ST_PAYLOAD,
    ST_COUNT,
    ST_HIST_ADD,
    ST_HIST_LIST,
    ST_REMOVE_ITEM,
    ST_REMOVE_HIST,
    ST_PAYLOAD_INSERT,
    ST_REMOVE_PAYLOAD,
    ST_N
};

static const char *const g_sql[ST_N] = {
    "INSERT INTO items(key, state, due_ms, created_ms, number, group_id, original_key, fence,"
    " record) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, 1, ?8)",
    "UPDATE items SET state = ?3, due_ms = ?4, group_id = ?5, record = ?6, fence = fence + 1,"
    " lease_until = CASE WHEN ?7 = 0 THEN 0 ELSE ?7 END,"
    " lease_owner = CASE WHEN ?7 = 0 THEN NULL ELSE lease_owner END"
    " WHERE key = ?1 AND fence = ?2",
    "UPDATE items SET lease_owner = ?3, lease_until = ?5, fence = fence + 1"
    " WHERE key = ?1 AND fence = ?2"
    " AND (lease_owner IS NULL OR lease_owner = ?3 OR lease_until <= ?4)",
    "SELECT key, fence, record FROM items WHERE key = ?1",
    "SELECT key, fence, record FROM items WHERE state = ?2"
    " ORDER BY created_ms, rowid LIMIT ?4 OFFSET ?5",
    "SELECT key, fence, record FROM items WHERE state = ?2 AND due_ms <= ?3"
    " ORDER BY due_ms, created_ms, rowid LIMIT ?4 OFFSET ?5",
    "SELECT key, fence, record FROM items WHERE number = ?1"
    " ORDER BY created_ms, rowid LIMIT ?4 OFFSET ?5",
    "SELECT key, fence, record FROM items WHERE group_id = ?1"
    " ORDER BY created_ms, rowid LIMIT ?4 OFFSET ?5",
    "SELECT key, fence, record FROM items WHERE original_key = ?1"
    " ORDER BY created_ms, rowid LIMIT ?4 OFFSET ?5",
    "SELECT coalesce(p.payload, i.payload) FROM items i LEFT JOIN payloads p ON p.key = i.key"
    " WHERE i.key = ?1",
    "SELECT count(*), coalesce(min(created_ms), 0) FROM items WHERE state = ?1",
    "INSERT INTO history(key, time_ms, entry) VALUES(?1, ?2, ?3)",
    "SELECT time_ms, entry FROM history WHERE key = ?1 ORDER BY id",
    "DELETE FROM items WHERE key = ?1",
    "DELETE FROM history WHERE key = ?1",
    "INSERT INTO payloads(key, payload) VALUES(?1, ?2)",
    "DELETE FROM payloads WHERE key = ?1",
};

typedef struct sq {
    sqlite3 *db;
    sqlite3_stmt *st[ST_N];
    char *path;
    int broken;     /* a commit failed: reopen before the next call */
    int in_txn;
    char err[512];
} sq;

static void set_err(sq *s, const char *what)
{
    snprintf(s->err, sizeof s->err, "sqlite: %s: %s", what,
             s->db ? sqlite3_errmsg(s->db) : "no database");
}

static int map_rc(sq *s, int rc, const char *what)
{
    set_err(s, what);
    switch (rc & 0xff) {
    case SQLITE_NOMEM:
        return NAVOI_ENOMEM;
    case SQLITE_CONSTRAINT:
        return NAVOI_ESTATE;
    default:
        return NAVOI_EIO;
    }
}

static void close_db(sq *s)
{
    int i;
    for (i = 0; i < ST_N; i++) {
        sqlite3_finalize(s->st[i]);
        s->st[i] = NULL;
    }
    if (s->db)
        sqlite3_close(s->db);
    s->db = NULL;
    s->in_txn = 0;
}

static int exec(sq *s, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(s->db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        snprintf(s->err, sizeof s->err, "sqlite: %s", msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
        return rc;
    }
    return SQLITE_OK;
}

static int user_version(sq *s, int *v)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            *v = sqlite3_column_int(st, 0);
            rc = SQLITE_OK;
        }
    }
    sqlite3_finalize(st);
    return rc;
}

static int migrate(sq *s)
{
    int v = 0, rc;
    char sql[64];
    size_t i;

    rc = exec(s, "BEGIN IMMEDIATE");
    if (rc != SQLITE_OK)
        return NAVOI_EIO;
    rc = user_version(s, &v);
    if (rc != SQLITE_OK) {
        set_err(s, "reading the schema version");
        goto fail;
    }
    if (v > (int)N_MIGRATIONS) {
        snprintf(s->err, sizeof s->err,
                 "sqlite: the database has schema version %d, this navoi knows up to %d", v,
                 (int)N_MIGRATIONS);
        exec(s, "ROLLBACK");
        return NAVOI_ECONFIG;
    }
    for (i = (size_t)v; i < N_MIGRATIONS; i++) {
        rc = exec(s, g_migrations[i]);
        if (rc != SQLITE_OK)
            goto fail;
    }
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d", (int)N_MIGRATIONS);
    if (exec(s, sql) != SQLITE_OK || exec(s, "COMMIT") != SQLITE_OK)
        goto fail;
    return NAVOI_OK;
fail:
    if (!sqlite3_get_autocommit(s->db))
        exec(s, "ROLLBACK");
    return NAVOI_EIO;
}

/* Creates the file with mode 0600 before SQLite sees it (SQLite would use
 * 0644 under the usual umask, and gives the -wal/-shm files the database
 * file's mode). An existing file readable by others is refused. */
static int prepare_file(sq *s, const char *path)
{
    struct stat st;
    int fd;

    if (strncmp(path, "file:", 5) == 0)
        return NAVOI_OK;
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        snprintf(s->err, sizeof s->err, "cannot open %s: %s", path, strerror(errno));
        return errno == ELOOP ? NAVOI_EPERM : NAVOI_EIO;
    }
    if (fstat(fd, &st) != 0) {
        snprintf(s->err, sizeof s->err, "cannot stat %s: %s", path, strerror(errno));
        close(fd);
        return NAVOI_EIO;
    }
    close(fd);
    if (!S_ISREG(st.st_mode)) {
        snprintf(s->err, sizeof s->err, "%s is not a regular file", path);
        return NAVOI_EINVAL;
    }
    if (st.st_mode & 077) {
        snprintf(s->err, sizeof s->err,
                 "%s has mode %03o: the outbox holds invoices, use mode 0600", path,
                 (unsigned)(st.st_mode & 0777));
        return NAVOI_EPERM;
    }
    return NAVOI_OK;
}

static int open_db(sq *s)
{
    int rc;
    sqlite3_stmt *st = NULL;
    const char *mode;

    rc = sqlite3_open_v2(s->path, &s->db,
                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI |
                             SQLITE_OPEN_NOMUTEX,
                         NULL);
    if (rc != SQLITE_OK) {
        set_err(s, "open");
        close_db(s);
        return rc == SQLITE_NOMEM ? NAVOI_ENOMEM : NAVOI_EIO;
    }
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, 10000);
    rc = sqlite3_prepare_v2(s->db, "PRAGMA journal_mode=WAL", -1, &st, NULL);
    if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
        mode = (const char *)sqlite3_column_text(st, 0);
        if (!mode || strcmp(mode, "wal") != 0) {
            snprintf(s->err, sizeof s->err, "sqlite: cannot switch to WAL mode (got %s)",
                     mode ? mode : "nothing");
            sqlite3_finalize(st);
            close_db(s);
            return NAVOI_EIO;
        }
    } else {
        set_err(s, "journal_mode");
        sqlite3_finalize(st);
        close_db(s);
        return NAVOI_EIO;
    }
    sqlite3_finalize(st);
    if (exec(s, "PRAGMA synchronous=FULL") != SQLITE_OK ||
        exec(s, "PRAGMA foreign_keys=OFF") != SQLITE_OK) {
        close_db(s);
        return NAVOI_EIO;
    }
    rc = migrate(s);
    if (rc != NAVOI_OK) {
        close_db(s);
        return rc;
    }
    s->broken = 0;
    return NAVOI_OK;
}

/* Every entry point: a connection that saw a failed commit is replaced. */
static int ready(sq *s)
{
    if (!s->broken && s->db)
        return NAVOI_OK;
    close_db(s);
    return open_db(s);
}

static int stmt(sq *s, int which, sqlite3_stmt **out)
{
    int rc;
    if (!s->st[which]) {
        rc = sqlite3_prepare_v2(s->db, g_sql[which], -1, &s->st[which], NULL);
        if (rc != SQLITE_OK)
            return map_rc(s, rc, "prepare");
    } else {
        sqlite3_reset(s->st[which]);
        sqlite3_clear_bindings(s->st[which]);
    }
    *out = s->st[which];
    return NAVOI_OK;
}

static void bind_text(sqlite3_stmt *st, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

/* Runs a statement that returns no rows; changes_out gets the row count. */
static int run(sq *s, sqlite3_stmt *st, const char *what, int *changes_out)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return map_rc(s, rc, what);
    if (changes_out)
        *changes_out = sqlite3_changes(s->db);
    return NAVOI_OK;
}

/* ---- navoi_storage_ops ---- */

static int sq_begin(void *ud)
{
    sq *s = ud;
    int rc = ready(s);
    if (rc != NAVOI_OK)
        return rc;
    if (s->in_txn) {
        snprintf(s->err, sizeof s->err, "sqlite: transaction already open");
        return NAVOI_ESTATE;
    }
    if (exec(s, "BEGIN IMMEDIATE") != SQLITE_OK)
        return NAVOI_EIO;
    s->in_txn = 1;
    return NAVOI_OK;
}

static int sq_commit(void *ud)
{
    sq *s = ud;
    int rc;
    if (!s->db || !s->in_txn) {
        snprintf(s->err, sizeof s->err, "sqlite: commit without a transaction");
        return NAVOI_ESTATE;
    }
    s->in_txn = 0;
    rc = exec(s, "COMMIT");
    if (rc == SQLITE_OK)
        return NAVOI_OK;
    /* Not retried: roll back what is left and start over on a new
     * connection at the next call. */
    if (!sqlite3_get_autocommit(s->db)) {
        char keep[sizeof s->err];
        memcpy(keep, s->err, sizeof keep);
        exec(s, "ROLLBACK");
        memcpy(s->err, keep, sizeof keep);
    }
    s->broken = 1;
    return (rc & 0xff) == SQLITE_NOMEM ? NAVOI_ENOMEM : NAVOI_EIO;
}

static void sq_rollback(void *ud)
{
    sq *s = ud;
    if (!s->db)
        return;
    s->in_txn = 0;
    if (!sqlite3_get_autocommit(s->db))
        exec(s, "ROLLBACK");
}

static int sq_insert(const char *key, int state, int64_t due_ms, int64_t created_ms,
                     const char *number, const char *group_id, const char *original_key,
                     const char *record, size_t record_len, const char *payload,
                     size_t payload_len, void *ud)
{
    sq *s = ud;
    sqlite3_stmt *st;
    int rc = ready(s);
    if (rc != NAVOI_OK || (rc = stmt(s, ST_INSERT, &st)) != NAVOI_OK)
        return rc;
    bind_text(st, 1, key);
    sqlite3_bind_int(st, 2, state);
    sqlite3_bind_int64(st, 3, due_ms);
    sqlite3_bind_int64(st, 4, created_ms);
    bind_text(st, 5, number);
    bind_text(st, 6, group_id);
    bind_text(st, 7, original_key);
    sqlite3_bind_blob64(st, 8, record, record_len, SQLITE_STATIC);
    if (!payload)
        return run(s, st, "insert", NULL);
    /* item and payload together, also outside a transaction */
    if (exec(s, "SAVEPOINT navoi_insert") != SQLITE_OK)
        return NAVOI_EIO;
    rc = run(s, st, "insert", NULL);
    if (rc == NAVOI_OK && (rc = stmt(s, ST_PAYLOAD_INSERT, &st)) == NAVOI_OK) {
        bind_text(st, 1, key);
        sqlite3_bind_blob64(st, 2, payload, payload_len, SQLITE_STATIC);
        rc = run(s, st, "insert", NULL);
    }
    if (rc != NAVOI_OK) {
        char keep[sizeof s->err];
        memcpy(keep, s->err, sizeof keep);
        exec(s, "ROLLBACK TO navoi_insert");
        exec(s, "RELEASE navoi_insert");
        memcpy(s->err, keep, sizeof keep);
        return rc;
    }
    return exec(s, "RELEASE navoi_insert") == SQLITE_OK ? NAVOI_OK : NAVOI_EIO;
}

static int sq_update(const char *key, int64_t fence, int state, int64_t due_ms,
                     const char *group_id, const char *record, size_t record_len,
                     int64_t lease_until_ms, int64_t *fence_out, void *ud)
{
    sq *s = ud;
    sqlite3_stmt *st;
    int changes = 0;
    int rc = ready(s);
    if (rc != NAVOI_OK || (rc = stmt(s, ST_UPDATE, &st)) != NAVOI_OK)
        return rc;
    bind_text(st, 1, key);
    sqlite3_bind_int64(st, 2, fence);
    sqlite3_bind_int(st, 3, state);
    sqlite3_bind_int64(st, 4, due_ms);
    bind_text(st, 5, group_id);
    sqlite3_bind_blob64(st, 6, record, record_len, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, lease_until_ms);
    rc = run(s, st, "update", &changes);
    if (rc != NAVOI_OK)
        return rc;
    if (changes != 1) {
        snprintf(s->err, sizeof s->err, "sqlite: item %s changed under us (fence %lld)", key,
                 (long long)fence);
        return NAVOI_ESTATE;
    }
    if (fence_out)
        *fence_out = fence + 1;
    return NAVOI_OK;
}

static int sq_claim(const char *key, int64_t fence, const char *owner, int64_t now_ms,
                    int64_t lease_until_ms, int64_t *fence_out, void *ud)
{
    sq *s = ud;
    sqlite3_stmt *st;
    int changes = 0;
    int rc = ready(s);
    if (rc != NAVOI_OK || (rc = stmt(s, ST_CLAIM, &st)) != NAVOI_OK)
        return rc;
    bind_text(st, 1, key);
    sqlite3_bind_int64(st, 2, fence);
    bind_text(st, 3, owner);
    sqlite3_bind_int64(st, 4, now_ms);
    sqlite3_bind_int64(st, 5, lease_until_ms);
    rc = run(s, st, "claim", &changes);
    if (rc != NAVOI_OK)
        return rc;
    if (changes != 1) {
        snprintf(s->err, sizeof s->err, "sqlite: item %s is leased or changed", key);
        return NAVOI_ESTATE;
    }
    if (fence_out)
        *fence_out = fence + 1;
    return NAVOI_OK;
}

static int sq_select(int by, const char *value, int state, int64_t due_max, size_t offset,
                     size_t limit, navoi_storage_row_fn fn, void *ctx, void *ud)
{
    sq *s = ud;
    sqlite3_stmt *st;
    int which, rc;

    switch (by) {
    case NAVOI_STORAGE_BY_KEY: which = ST_SEL_KEY; break;
    case NAVOI_STORAGE_BY_STATE: which = ST_SEL_STATE; break;
    case NAVOI_STORAGE_BY_DUE: which = ST_SEL_DUE; break;
    case NAVOI_STORAGE_BY_NUMBER: which = ST_SEL_NUMBER; break;
    case NAVOI_STORAGE_BY_GROUP: which = ST_SEL_GROUP; break;
    case NAVOI_STORAGE_BY_ORIGINAL: which = ST_SEL_ORIGINAL; break;
    default: return NAVOI_EINVAL;
    }
    if (!fn)
        return NAVOI_EINVAL;
    rc = ready(s);
    if (rc != NAVOI_OK || (rc = stmt(s, which, &st)) != NAVOI_OK)
        return rc;
    bind_text(st, 1, value);
    sqlite3_bind_int(st, 2, state);
    sqlite3_bind_int64(st, 3, due_max);
    if (which != ST_SEL_KEY) {
        sqlite3_bind_int64(st, 4, limit > (size_t)INT64_MAX ? INT64_MAX : (int64_t)limit);
        sqlite3_bind_int64(st, 5, (int64_t)offset);
    }
    for (;;) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
            break;
        if (rc != SQLITE_ROW) {
            rc = map_rc(s, rc, "select");
            sqlite3_reset(st);
            return rc;
        }
        if (fn((const char *)sqlite3_column_text(st, 0), sqlite3_column_int64(st, 1),
               (const char *)sqlite3_column_blob(st, 2), (size_t)sqlite3_column_bytes(st, 2),
               ctx)) {
            sqlite3_reset(st);
            return NAVOI_EUSER;
        }
    }
    sqlite3_reset(st);
    return NAVOI_OK;
}

static int sq_payload(const char *key, navoi_storage_data_fn fn, void *ctx, void *ud)
{
    sq *s = ud;
    sqlite3_stmt *st;
    int rc = ready(s);
    if (rc != NAVOI_OK || (rc = stmt(s, ST_PAYLOAD, &st)) != NAVOI_OK)
        return rc;
    bind_text(st, 1, key);
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(st);
        return NAVOI_ENOTFOUND;
    }
    if (rc != SQLITE_ROW) {
        rc = map_rc(s, rc, "payload");
        sqlite3_reset(st);
        return rc;
    }
    rc = fn(0, (const char *)sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0), ctx)
             ? NAVOI_EUSER
             : NAVOI_OK;
    sqlite3_reset(st);
    return rc;
}

static int sq_count(int state, int64_t *count_out, int64_t *oldest_out, void *ud)
{
    sq *s = ud;
    sqlite3_stmt *st;
    int rc = ready(s);
    if (rc != NAVOI_OK || (rc = stmt(s, ST_COUNT, &st)) != NAVOI_OK)
        return rc;
    sqlite3_bind_int(st, 1, state);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        rc = map_rc(s, rc, "count");
        sqlite3_reset(st);
        return rc;
    }
    if (count_out)
        *count_out = sqlite3_column_int64(st, 0);
    if (oldest_out)
        *oldest_out = sqlite3_column_int64(st, 1);
    sqlite3_reset(st);
    return NAVOI_OK;
}

static int sq_history_add(const char *key, int64_t time_ms, const char *entry, size_t len,
                          void *ud)
{
    sq *s = ud;
    sqlite3_stmt *st;
    int rc = ready(s);
    if (rc != NAVOI_OK || (rc = stmt(s, ST_HIST_ADD, &st)) != NAVOI_OK)
        return rc;
    bind_text(st, 1, key);
    sqlite3_bind_int64(st, 2, time_ms);
    sqlite3_bind_blob64(st, 3, entry, len, SQLITE_STATIC);
    return run(s, st, "history", NULL);
}

static int sq_history_list(const char *key, navoi_storage_data_fn fn, void *ctx, void *ud)
{
    sq *s = ud;
    sqlite3_stmt *st;
    int rc = ready(s);
    if (rc != NAVOI_OK || (rc = stmt(s, ST_HIST_LIST, &st)) != NAVOI_OK)
        return rc;
    bind_text(st, 1, key);
    for (;;) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
            break;
        if (rc != SQLITE_ROW) {
            rc = map_rc(s, rc, "history");
            sqlite3_reset(st);
            return rc;
        }
        if (fn(sqlite3_column_int64(st, 0), (const char *)sqlite3_column_blob(st, 1),
               (size_t)sqlite3_column_bytes(st, 1), ctx)) {
            sqlite3_reset(st);
            return NAVOI_EUSER;
        }
    }
    sqlite3_reset(st);
    return NAVOI_OK;
}

static int sq_remove(const char *key, void *ud)
{
    sq *s = ud;
    sqlite3_stmt *st;
    int rc = ready(s);
    if (rc != NAVOI_OK || (rc = stmt(s, ST_REMOVE_HIST, &st)) != NAVOI_OK)
        return rc;
    bind_text(st, 1, key);
    rc = run(s, st, "remove", NULL);
    if (rc != NAVOI_OK || (rc = stmt(s, ST_REMOVE_PAYLOAD, &st)) != NAVOI_OK)
        return rc;
    bind_text(st, 1, key);
    rc = run(s, st, "remove", NULL);
    if (rc != NAVOI_OK || (rc = stmt(s, ST_REMOVE_ITEM, &st)) != NAVOI_OK)
        return rc;
    bind_text(st, 1, key);
    return run(s, st, "remove", NULL);
}

/* ---- version 2: incoming invoices, named state, history scan ----
 * Statements are prepared per call: these run once per fetched invoice or
 * per metrics refresh, next to an HTTP request, so caching buys nothing. */

static int prep(sq *s, const char *sql, sqlite3_stmt **out)
{
    int rc = ready(s);
    if (rc != NAVOI_OK)
        return rc;
    rc = sqlite3_prepare_v2(s->db, sql, -1, out, NULL);
    if (rc != SQLITE_OK) {
        *out = NULL;
        return map_rc(s, rc, "prepare");
    }
    return NAVOI_OK;
}

static int sq_inbound_put(const char *id, int64_t ins_ms, const char *meta, size_t meta_len,
                          const char *xml, size_t xml_len, int *created_out, void *ud)
{
    sq *s = ud;
    sqlite3_stmt *st;
    int rc, changes = 0;
    if (created_out)
        *created_out = 0;
    if (!id)
        return NAVOI_EINVAL;
    rc = prep(s, "INSERT OR IGNORE INTO inbound(id, ins_ms, meta, xml) VALUES(?1, ?2, ?3, ?4)",
              &st);
    if (rc != NAVOI_OK)
        return rc;
    bind_text(st, 1, id);
    sqlite3_bind_int64(st, 2, ins_ms);
    sqlite3_bind_blob64(st, 3, meta ? meta : "", meta ? meta_len : 0, SQLITE_STATIC);
    if (xml)
        sqlite3_bind_blob64(st, 4, xml, xml_len, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 4);
    rc = run(s, st, "inbound insert", &changes);
    sqlite3_finalize(st);
    if (rc == NAVOI_OK && created_out)
        *created_out = changes == 1;
    return rc;
}

/* Steps st and calls fn for each row (id, ins_ms, meta[, xml]). */
static int inbound_rows(sq *s, sqlite3_stmt *st, int with_xml, navoi_storage_inbound_fn fn,
                        void *ctx, int *rows)
{
    int rc;
    for (;;) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
            return NAVOI_OK;
        if (rc != SQLITE_ROW)
            return map_rc(s, rc, "inbound select");
        (*rows)++;
        if (fn((const char *)sqlite3_column_text(st, 0), sqlite3_column_int64(st, 1),
               (const char *)sqlite3_column_blob(st, 2), (size_t)sqlite3_column_bytes(st, 2),
               with_xml && sqlite3_column_type(st, 3) != SQLITE_NULL
                   ? (const char *)sqlite3_column_blob(st, 3)
                   : NULL,
               with_xml ? (size_t)sqlite3_column_bytes(st, 3) : 0, ctx))
            return NAVOI_EUSER;
    }
}

static int sq_inbound_get(const char *id, int want_xml, navoi_storage_inbound_fn fn, void *ctx,
                          void *ud)
{
    sq *s = ud;
    sqlite3_stmt *st;
    int rc, rows = 0;
    if (!id || !fn)
        return NAVOI_EINVAL;
    rc = prep(s,
              want_xml ? "SELECT id, ins_ms, meta, xml FROM inbound WHERE id = ?1"
                       : "SELECT id, ins_ms, meta FROM inbound WHERE id = ?1",
              &st);
    if (rc != NAVOI_OK)
        return rc;
    bind_text(st, 1, id);
    rc = inbound_rows(s, st, want_xml, fn, ctx, &rows);
    sqlite3_finalize(st);
    return rc == NAVOI_OK && rows == 0 ? NAVOI_ENOTFOUND : rc;
}

static int sq_inbound_list(int64_t from_ms, int64_t to_ms, size_t offset, size_t limit,
                           navoi_storage_inbound_fn fn, void *ctx, void *ud)
{
    sq *s = ud;
    sqlite3_stmt *st;
    int rc, rows = 0;
    if (!fn)
        return NAVOI_EINVAL;
    rc = prep(s,
              "SELECT id, ins_ms, meta FROM inbound WHERE ins_ms >= ?1 AND ins_ms <= ?2"
              " ORDER BY ins_ms, id LIMIT ?3 OFFSET ?4",
              &st);
    if (rc != NAVOI_OK)
        return rc;
    sqlite3_bind_int64(st, 1, from_ms);
    sqlite3_bind_int64(st, 2, to_ms);
    sqlite3_bind_int64(st, 3, limit > (size_t)INT64_MAX ? INT64_MAX : (int64_t)limit);
    sqlite3_bind_int64(st, 4, (int64_t)offset);
    rc = inbound_rows(s, st, 0, fn, ctx, &rows);
    sqlite3_finalize(st);
    return rc;
}

static int sq_state_get(const char *name, navoi_storage_data_fn fn, void *ctx, void *ud)
{
    sq *s = ud;
    sqlite3_stmt *st;
    int rc;
    if (!name || !fn)
        return NAVOI_EINVAL;
    rc = prep(s, "SELECT value FROM state WHERE name = ?1", &st);
    if (rc != NAVOI_OK)
        return rc;
    bind_text(st, 1, name);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        rc = fn(0, (const char *)sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0),
                ctx)
                 ? NAVOI_EUSER
                 : NAVOI_OK;
    else if (rc == SQLITE_DONE)
        rc = NAVOI_ENOTFOUND;
    else
        rc = map_rc(s, rc, "state");
    sqlite3_finalize(st);
    return rc;
}

static int sq_state_set(const char *name, const char *value, size_t len, void *ud)
{
    sq *s = ud;
    sqlite3_stmt *st;
    int rc;
    if (!name)
        return NAVOI_EINVAL;
    rc = prep(s,
              value ? "INSERT INTO state(name, value) VALUES(?1, ?2)"
                      " ON CONFLICT(name) DO UPDATE SET value = excluded.value"
                    : "DELETE FROM state WHERE name = ?1",
              &st);
    if (rc != NAVOI_OK)
        return rc;
    bind_text(st, 1, name);
    if (value)
        sqlite3_bind_blob64(st, 2, value, len, SQLITE_STATIC);
    rc = run(s, st, "state", NULL);
    sqlite3_finalize(st);
    return rc;
}

static int sq_history_scan(int64_t after_seq, size_t limit, navoi_storage_scan_fn fn, void *ctx,
                           void *ud)
{
    sq *s = ud;
    sqlite3_stmt *st;
    int rc;
    if (!fn)
        return NAVOI_EINVAL;
    rc = prep(s, "SELECT id, key, time_ms, entry FROM history WHERE id > ?1 ORDER BY id LIMIT ?2",
              &st);
    if (rc != NAVOI_OK)
        return rc;
    sqlite3_bind_int64(st, 1, after_seq);
    sqlite3_bind_int64(st, 2, limit > (size_t)INT64_MAX ? INT64_MAX : (int64_t)limit);
    for (;;) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE) {
            rc = NAVOI_OK;
            break;
        }
        if (rc != SQLITE_ROW) {
            rc = map_rc(s, rc, "history scan");
            break;
        }
        if (fn(sqlite3_column_int64(st, 0), (const char *)sqlite3_column_text(st, 1),
               sqlite3_column_int64(st, 2), (const char *)sqlite3_column_blob(st, 3),
               (size_t)sqlite3_column_bytes(st, 3), ctx)) {
            rc = NAVOI_EUSER;
            break;
        }
    }
    sqlite3_finalize(st);
    return rc;
}

static void sq_destroy(void *ud)
{
    sq *s = ud;
    if (!s)
        return;
    close_db(s);
    navoi__free(s->path);
    navoi__free(s);
}

int navoi__storage_sqlite_opener(const char *path, navoi_client *client, navoi_storage_ops *ops,
                                 void **userdata_out, char *err, size_t errlen)
{
    (void)client;
    return navoi__storage_sqlite_open(path, ops, userdata_out, err, errlen);
}

const char *navoi__storage_sqlite_errmsg(void *ud)
{
    sq *s = ud;
    return s ? s->err : "";
}

int navoi__storage_sqlite_open(const char *path, navoi_storage_ops *ops, void **userdata_out,
                               char *err, size_t errlen)
{
    sq *s;
    int rc;

    *userdata_out = NULL;
    if (!path || !*path || !ops) {
        snprintf(err, errlen, "no database path");
        return NAVOI_EINVAL;
    }
    s = navoi__calloc(1, sizeof *s);
    if (!s || !(s->path = navoi__strdup(path))) {
        navoi__free(s);
        snprintf(err, errlen, "out of memory");
        return NAVOI_ENOMEM;
    }
    rc = prepare_file(s, path);
    if (rc == NAVOI_OK)
        rc = open_db(s);
    if (rc != NAVOI_OK) {
        snprintf(err, errlen, "%s", s->err);
        sq_destroy(s);
        return rc;
    }
    navoi_storage_ops_init(ops, NAVOI_STORAGE_OPS_VERSION);
    ops->begin = sq_begin;
    ops->commit = sq_commit;
    ops->rollback = sq_rollback;
    ops->insert = sq_insert;
    ops->update = sq_update;
    ops->claim = sq_claim;
    ops->select = sq_select;
    ops->payload = sq_payload;
    ops->count = sq_count;
    ops->history_add = sq_history_add;
    ops->history_list = sq_history_list;
    ops->remove = sq_remove;
    ops->inbound_put = sq_inbound_put;
    ops->inbound_get = sq_inbound_get;
    ops->inbound_list = sq_inbound_list;
    ops->state_get = sq_state_get;
    ops->state_set = sq_state_set;
    ops->history_scan = sq_history_scan;
    ops->destroy = sq_destroy;
    *userdata_out = s;
    return NAVOI_OK;
}
