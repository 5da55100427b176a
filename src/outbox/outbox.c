/*
 * outbox.c - owns the navoi_outbox handle: creation on a storage backend,
 * policies, enqueue (the durable hand-over), operator queries, item
 * snapshots and the storage helpers the pipeline (step.c) uses. The
 * exactly-once design is described in outbox.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "core/client.h"
#include "crypto/crypto.h"
#include "outbox/outbox.h"
#include "storage/storage.h"

struct navoi_outbox_item {
    navoi__ob_item *it;
    size_t nhist;
    char **hist;
    int64_t *hist_ms;
};

/* ---- errors, log, time ---- */

int navoi__ob_fail(navoi_outbox *ob, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ob->errmsg, sizeof ob->errmsg, fmt, ap);
    va_end(ap);
    return code;
}

static int storage_fail(navoi_outbox *ob, int rc, const char *what)
{
    if (ob->is_sqlite)
        return navoi__ob_fail(ob, rc, "storage: %s failed: %s", what,
                              navoi__storage_sqlite_errmsg(ob->ud));
    if (ob->backend_errmsg)
        return navoi__ob_fail(ob, rc, "storage: %s failed: %s", what, ob->backend_errmsg(ob->ud));
    return navoi__ob_fail(ob, rc, "storage: %s failed (%s)", what, navoi_strerror(rc));
}

void navoi__ob_log(navoi_outbox *ob, int level, const char *corr, const char *keys,
                   const char *fmt, ...)
{
    navoi_client *c = ob->client;
    navoi_log_fn fn = ob->user_log ? ob->user_log : c->log_fn;
    void *ud = ob->user_log ? ob->user_log_ud : c->log_ud;
    char msg[1536], line[2048];
    va_list ap;

    if (!fn || level > c->log_level)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (keys && (!strncmp(keys, "key=", 4) || !strncmp(keys, "keys=", 5)))
        snprintf(line, sizeof line, "outbox %s: %s", keys, msg);
    else
        snprintf(line, sizeof line, "outbox key=%s: %s", keys ? keys : "-", msg);
    fn(level, corr && *corr ? corr : navoi__ob_str(keys), line, ud);
}

int64_t navoi__ob_now(const navoi_outbox *ob)
{
    return navoi__now_ms(ob->client);
}

NAVOI_API const char *navoi_outbox_state_name(int state)
{
    switch (state) {
    case NAVOI_ITEM_PENDING: return "PENDING";
    case NAVOI_ITEM_SENDING: return "SENDING";
    case NAVOI_ITEM_SENT: return "SENT";
    case NAVOI_ITEM_DONE: return "DONE";
    case NAVOI_ITEM_ABORTED: return "ABORTED";
    case NAVOI_ITEM_FAILED: return "FAILED";
    case NAVOI_ITEM_NEEDS_ATTENTION: return "NEEDS_ATTENTION";
    default: return "UNKNOWN";
    }
}

/* ---- lifecycle ---- */

static void set_defaults(navoi_outbox *ob)
{
    ob->lease_ms = 600000;
    ob->base_ms = 30000;
    ob->cap_ms = 300000;
    ob->jitter_pct = 20;
    ob->horizon_ms = (int64_t)24 * 3600 * 1000;
    ob->poll_first_ms = 1000;
    ob->poll_cap_ms = 60000;
    ob->lost_wait_ms = 300000;
    ob->lost_margin_ms = 600000;
    ob->rec_max_cands = 10000;
    ob->rec_max_pages = 1000;
    ob->batch_max = 100;
    ob->validation = NAVOI_OUTBOX_VALIDATE_REFUSE;
    ob->min_interval_ms = 1000;
    ob->ann_first_ms = 3600000;
    ob->ann_cap_ms = 86400000;
    ob->ann_horizon_ms = (int64_t)60 * 24 * 3600 * 1000;
}

static int init_worker_id(navoi_outbox *ob)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char rnd[8];
    int i;
    if (navoi__client_random(ob->client, rnd, sizeof rnd) != NAVOI_OK)
        return NAVOI_EUSER;
    memcpy(ob->worker, "worker-", 7);
    for (i = 0; i < 8; i++) {
        ob->worker[7 + 2 * i] = hex[rnd[i] >> 4];
        ob->worker[8 + 2 * i] = hex[rnd[i] & 15];
    }
    ob->worker[23] = '\0';
    return NAVOI_OK;
}

NAVOI_API int navoi_outbox_new(navoi_outbox **out, navoi_client *client,
                               const navoi_storage_ops *ops, void *userdata)
{
    navoi_outbox *ob;

    if (!out)
        return NAVOI_EINVAL;
    *out = NULL;
    if (!client || navoi__storage_ops_check(ops) != NAVOI_OK)
        return NAVOI_EINVAL;
    ob = navoi__calloc(1, sizeof *ob);
    if (!ob)
        return NAVOI_ENOMEM;
    ob->client = client;
    /* a table filled for an older version is shorter; the rest stays NULL */
    memcpy(&ob->ops, ops, navoi__storage_ops_size(ops->version));
    ob->ud = userdata;
    set_defaults(ob);
    if (init_worker_id(ob) != NAVOI_OK) {
        navoi__free(ob);
        return NAVOI_EUSER;
    }
    *out = ob;
    return NAVOI_OK;
}

/* navoi_outbox_new() on an SQLite backend (a navoi__storage_make_fn). */
static int make_sqlite_outbox(void *out, navoi_client *client, const navoi_storage_ops *ops,
                              void *ud)
{
    navoi_outbox **ob = out;
    int rc = navoi_outbox_new(ob, client, ops, ud);
    if (rc == NAVOI_OK)
        (*ob)->is_sqlite = 1;
    return rc;
}

NAVOI_API int navoi_outbox_open_sqlite(navoi_outbox **out, navoi_client *client,
                                       const char *path)
{
    if (!out)
        return NAVOI_EINVAL;
    *out = NULL;
    return navoi__storage_open_handle(out, client, "outbox", navoi__storage_sqlite_opener, path,
                                      make_sqlite_outbox);
}

NAVOI_API void navoi_outbox_free(navoi_outbox *ob)
{
    if (!ob)
        return;
    if (ob->ops.destroy)
        ob->ops.destroy(ob->ud);
    navoi__ob_reconcile_reset(&ob->rec);
    navoi__free(ob->halt);
    navoi__free(ob);
}

NAVOI_API const char *navoi_outbox_errmsg(const navoi_outbox *ob)
{
    return ob ? ob->errmsg : "";
}

/* ---- policies ---- */

NAVOI_API int navoi_outbox_set_policy_retry(navoi_outbox *ob, uint32_t base_ms, uint32_t cap_ms,
                                            uint32_t jitter_percent, int64_t horizon_ms)
{
    if (!ob || base_ms < 1 || cap_ms < base_ms || jitter_percent > 100 || horizon_ms < 0)
        return NAVOI_EINVAL;
    ob->base_ms = base_ms;
    ob->cap_ms = cap_ms;
    ob->jitter_pct = jitter_percent;
    ob->horizon_ms = horizon_ms;
    return NAVOI_OK;
}

NAVOI_API int navoi_outbox_set_policy_poll(navoi_outbox *ob, uint32_t first_ms, uint32_t cap_ms)
{
    if (!ob || cap_ms < first_ms)
        return NAVOI_EINVAL;
    ob->poll_first_ms = first_ms;
    ob->poll_cap_ms = cap_ms;
    return NAVOI_OK;
}

NAVOI_API int navoi_outbox_set_policy_lost(navoi_outbox *ob, uint32_t wait_ms, uint32_t margin_ms)
{
    if (!ob)
        return NAVOI_EINVAL;
    ob->lost_wait_ms = wait_ms;
    ob->lost_margin_ms = margin_ms;
    return NAVOI_OK;
}

NAVOI_API int navoi_outbox_set_policy_annulment(navoi_outbox *ob, uint32_t first_ms,
                                                uint32_t cap_ms, int64_t horizon_ms)
{
    if (!ob || first_ms < 1 || cap_ms < first_ms || horizon_ms < 0)
        return NAVOI_EINVAL;
    ob->ann_first_ms = first_ms;
    ob->ann_cap_ms = cap_ms;
    ob->ann_horizon_ms = horizon_ms;
    return NAVOI_OK;
}

NAVOI_API int navoi_outbox_set_policy_batch(navoi_outbox *ob, uint32_t max_items,
                                            uint32_t min_interval_ms)
{
    if (!ob || max_items < 1 || max_items > 100)
        return NAVOI_EINVAL;
    ob->batch_max = max_items;
    ob->min_interval_ms = min_interval_ms;
    return NAVOI_OK;
}

static int printable(const char *s, size_t max)
{
    size_t n = 0;
    if (!s || !*s)
        return 0;
    for (; *s; s++, n++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e || n >= max)
            return 0;
    return 1;
}

NAVOI_API int navoi_outbox_set_worker(navoi_outbox *ob, const char *worker_id, uint32_t lease_ms)
{
    if (!ob || !printable(worker_id, 64) || lease_ms < 1000)
        return NAVOI_EINVAL;
    snprintf(ob->worker, sizeof ob->worker, "%s", worker_id);
    ob->lease_ms = lease_ms;
    return NAVOI_OK;
}

NAVOI_API const char *navoi_outbox_halt_reason(const navoi_outbox *ob)
{
    return ob ? ob->halt : NULL;
}

NAVOI_API void navoi_outbox_resume(navoi_outbox *ob)
{
    if (!ob)
        return;
    navoi__free(ob->halt);
    ob->halt = NULL;
}

/* ---- storage helpers ---- */

static int on_row(const char *key, int64_t fence, const char *rec, size_t len, void *ctx)
{
    navoi__ob_list *l = ctx;
    navoi__ob_item *it;
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 8;
        navoi__ob_item **nv = navoi__realloc(l->v, nc * sizeof *nv);
        if (!nv) {
            l->rc = NAVOI_ENOMEM;
            return 1;
        }
        l->v = nv;
        l->cap = nc;
    }
    l->rc = navoi__ob_record_read(key, fence, rec, len, &it);
    if (l->rc != NAVOI_OK)
        return 1;
    l->v[l->n++] = it;
    return 0;
}

void navoi__ob_list_free(navoi__ob_list *l)
{
    size_t i;
    for (i = 0; i < l->n; i++)
        navoi__ob_item_destroy(l->v[i]);
    navoi__free(l->v);
    memset(l, 0, sizeof *l);
}

int navoi__ob_select(navoi_outbox *ob, int by, const char *value, int state, int64_t due_max,
                     size_t offset, size_t limit, navoi__ob_list *out)
{
    int rc;
    memset(out, 0, sizeof *out);
    rc = ob->ops.select(by, value, state, due_max, offset, limit, on_row, out, ob->ud);
    if (rc == NAVOI_EUSER)
        rc = out->rc;
    if (rc != NAVOI_OK) {
        navoi__ob_list_free(out);
        return rc == NAVOI_ENOMEM ? navoi__ob_fail(ob, rc, "out of memory")
                                  : storage_fail(ob, rc, "select");
    }
    return NAVOI_OK;
}

int navoi__ob_due(navoi_outbox *ob, int state, int64_t now, size_t limit, navoi__ob_list *out)
{
    int rc;
    if (!ob->ops.claim_due)
        return navoi__ob_select(ob, NAVOI_STORAGE_BY_DUE, NULL, state, now, 0, limit, out);
    memset(out, 0, sizeof *out);
    rc = ob->ops.claim_due(state, now, limit, ob->worker, now, now + ob->lease_ms, on_row, out,
                           ob->ud);
    if (rc == NAVOI_EUSER)
        rc = out->rc;
    if (rc != NAVOI_OK) {
        navoi__ob_list_free(out);
        return rc == NAVOI_ENOMEM ? navoi__ob_fail(ob, rc, "out of memory")
                                  : storage_fail(ob, rc, "claim");
    }
    return NAVOI_OK;
}

int navoi__ob_load(navoi_outbox *ob, const char *key, navoi__ob_item **out)
{
    navoi__ob_list l;
    int rc;
    *out = NULL;
    rc = navoi__ob_select(ob, NAVOI_STORAGE_BY_KEY, key, 0, 0, 0, 1, &l);
    if (rc != NAVOI_OK)
        return rc;
    if (l.n == 0) {
        navoi__ob_list_free(&l);
        return navoi__ob_fail(ob, NAVOI_ENOTFOUND, "no item with key %s", key);
    }
    *out = l.v[0];
    l.v[0] = NULL;
    l.n = 0;
    navoi__ob_list_free(&l);
    return NAVOI_OK;
}

static int history_v(navoi_outbox *ob, const char *key, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

static int history_v(navoi_outbox *ob, const char *key, const char *fmt, va_list ap)
{
    char entry[2048];
    int rc;
    vsnprintf(entry, sizeof entry, fmt, ap);
    rc = ob->ops.history_add(key, navoi__ob_now(ob), entry, strlen(entry), ob->ud);
    return rc == NAVOI_OK ? rc : storage_fail(ob, rc, "history");
}

int navoi__ob_history(navoi_outbox *ob, const char *key, const char *fmt, ...)
{
    va_list ap;
    int rc;
    va_start(ap, fmt);
    rc = history_v(ob, key, fmt, ap);
    va_end(ap);
    return rc;
}

int navoi__ob_save(navoi_outbox *ob, navoi__ob_item *it, int lease, const char *fmt, ...)
{
    navoi__buf rec = NAVOI__BUF_INIT;
    int64_t nf = 0;
    int rc;

    rc = navoi__ob_record_write(it, &rec);
    if (rc != NAVOI_OK) {
        navoi__buf_free(&rec);
        return navoi__ob_fail(ob, rc, "out of memory");
    }
    rc = ob->ops.update(it->key, it->fence, it->state, it->due, it->group,
                        navoi__ob_str(rec.data), rec.len,
                        lease ? navoi__ob_now(ob) + ob->lease_ms : 0, &nf, ob->ud);
    navoi__buf_free(&rec);
    if (rc != NAVOI_OK)
        return storage_fail(ob, rc, "update");
    it->fence = nf;
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        rc = history_v(ob, it->key, fmt, ap);
        va_end(ap);
    }
    return rc;
}

int navoi__ob_commit(navoi_outbox *ob)
{
    int rc = ob->ops.commit(ob->ud);
    return rc == NAVOI_OK ? rc : storage_fail(ob, rc, "commit");
}

/* ---- enqueue ---- */

static int check_key(navoi_outbox *ob, const char *key, const char *what)
{
    if (!printable(key, NAVOI__OB_MAX_KEY))
        return navoi__ob_fail(ob, NAVOI_EINVAL,
                              "%s must be 1..%d printable ASCII characters", what,
                              NAVOI__OB_MAX_KEY);
    return NAVOI_OK;
}

/* originalInvoiceNumber of an amendment, by local name (any prefix). */
static char *original_number(const char *xml, size_t len)
{
    static const char tag[] = "originalInvoiceNumber>";
    const char *p = xml, *end = xml + len;
    while (p < end) {
        const char *hit = NULL, *q;
        size_t rest = (size_t)(end - p);
        for (q = p; q + sizeof tag - 1 <= p + rest; q++) {
            if (*q == 'o' && memcmp(q, tag, sizeof tag - 1) == 0) {
                hit = q;
                break;
            }
        }
        if (!hit)
            return NULL;
        /* an opening tag: "<originalInvoiceNumber>" or "<x:originalInvoiceNumber>" */
        for (q = hit; q > xml && q[-1] != '<' && q[-1] != '/' && q[-1] != '>'; q--)
            ;
        if (q > xml && q[-1] == '<') {
            const char *v = hit + sizeof tag - 1, *e = v;
            while (e < end && *e != '<')
                e++;
            if (e - v > 0 && e - v <= 50) {
                navoi__buf b = NAVOI__BUF_INIT;
                const char *s;
                for (s = v; s < e; s++) {
                    if (*s == '&') {
                        static const struct { const char *ent; char ch; } ents[] = {
                            {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'},
                            {"&quot;", '"'}, {"&apos;", '\''}};
                        size_t k;
                        for (k = 0; k < 5; k++) {
                            size_t el = strlen(ents[k].ent);
                            if ((size_t)(e - s) >= el && memcmp(s, ents[k].ent, el) == 0) {
                                navoi__buf_putc(&b, ents[k].ch);
                                s += el - 1;
                                break;
                            }
                        }
                        if (k < 5)
                            continue;
                    }
                    navoi__buf_putc(&b, *s);
                }
                if (navoi__buf_status(&b) != NAVOI_OK) {
                    navoi__buf_free(&b);
                    return NULL;
                }
                return navoi__buf_detach(&b, NULL);
            }
            return NULL;
        }
        p = hit + sizeof tag - 1;
    }
    return NULL;
}

/* The original of an amendment: the newest item carrying the number that
 * did not end in ABORTED/FAILED (else the newest at all). */
static int find_original(navoi_outbox *ob, const char *number, char **key_out)
{
    navoi__ob_list l;
    size_t i;
    int rc;
    *key_out = NULL;
    rc = navoi__ob_select(ob, NAVOI_STORAGE_BY_NUMBER, number, 0, 0, 0, 1000, &l);
    if (rc != NAVOI_OK)
        return rc;
    for (i = l.n; i-- > 0;) {
        navoi__ob_item *it = l.v[i];
        if (it->op == NAVOI_OP_ANNUL)
            continue;
        if (!*key_out || (it->state != NAVOI_ITEM_ABORTED && it->state != NAVOI_ITEM_FAILED)) {
            navoi__free(*key_out);
            *key_out = navoi__strdup(it->key);
            if (!*key_out) {
                navoi__ob_list_free(&l);
                return navoi__ob_fail(ob, NAVOI_ENOMEM, "out of memory");
            }
            if (it->state != NAVOI_ITEM_ABORTED && it->state != NAVOI_ITEM_FAILED)
                break;
        }
    }
    navoi__ob_list_free(&l);
    return NAVOI_OK;
}

/* Inserts it (+ payload) durably. A failed commit is never left "maybe
 * stored": the item is looked up on the (reopened) storage and removed if
 * the failed transaction became visible after all, so NAVOI_EIO always
 * means "absent". */
static int insert_item(navoi_outbox *ob, navoi__ob_item *it, const char *payload, size_t plen,
                       int *created_out)
{
    navoi__buf rec = NAVOI__BUF_INIT;
    navoi__ob_item *old = NULL;
    int rc;

    rc = navoi__ob_record_write(it, &rec);
    if (rc != NAVOI_OK) {
        navoi__buf_free(&rec);
        return navoi__ob_fail(ob, rc, "out of memory");
    }
    rc = ob->ops.begin(ob->ud);
    if (rc != NAVOI_OK) {
        navoi__buf_free(&rec);
        return storage_fail(ob, rc, "begin");
    }
    rc = ob->ops.insert(it->key, it->state, it->due, it->created, it->number, NULL,
                        it->orig_key, rec.data, rec.len, payload, plen, ob->ud);
    navoi__buf_free(&rec);
    if (rc == NAVOI_ESTATE) {
        ob->ops.rollback(ob->ud);
        rc = navoi__ob_load(ob, it->key, &old);
        if (rc != NAVOI_OK)
            return rc;
        if (!old->hash || !it->hash || strcmp(old->hash, it->hash) != 0) {
            navoi__ob_item_destroy(old);
            return navoi__ob_fail(ob, NAVOI_ESTATE,
                                  "key %s already holds a different document", it->key);
        }
        navoi__ob_item_destroy(old);
        if (created_out)
            *created_out = 0;
        navoi__ob_log(ob, NAVOI_LOG_DEBUG, NULL, it->key, "already enqueued");
        return NAVOI_OK;
    }
    if (rc != NAVOI_OK) {
        ob->ops.rollback(ob->ud);
        return storage_fail(ob, rc, "insert");
    }
    rc = navoi__ob_history(ob, it->key, "enqueued op=%s number=%s%s%s",
                           it->op == NAVOI_OP_ANNUL ? "ANNUL"
                           : it->op == NAVOI_OP_MODIFY ? "MODIFY"
                           : it->op == NAVOI_OP_STORNO ? "STORNO" : "CREATE",
                           it->number, it->orig_key ? " original=" : "",
                           navoi__ob_str(it->orig_key));
    if (rc != NAVOI_OK) {
        ob->ops.rollback(ob->ud);
        return rc;
    }
    rc = ob->ops.commit(ob->ud);
    if (rc != NAVOI_OK) {
        char keep[sizeof ob->errmsg];
        storage_fail(ob, rc, "commit");
        memcpy(keep, ob->errmsg, sizeof keep);
        if (navoi__ob_load(ob, it->key, &old) == NAVOI_OK) {
            navoi__ob_item_destroy(old);
            if (ob->ops.begin(ob->ud) != NAVOI_OK || ob->ops.remove(it->key, ob->ud) != NAVOI_OK ||
                ob->ops.commit(ob->ud) != NAVOI_OK) {
                ob->ops.rollback(ob->ud);
                navoi__ob_log(ob, NAVOI_LOG_ERROR, NULL, it->key,
                              "commit failed and the item could not be removed again: the "
                              "storage is unreliable, stop and check it");
            }
        }
        memcpy(ob->errmsg, keep, sizeof keep);
        navoi__ob_log(ob, NAVOI_LOG_ERROR, NULL, it->key, "not enqueued: %s", ob->errmsg);
        return rc == NAVOI_ENOMEM ? NAVOI_ENOMEM : NAVOI_EIO;
    }
    if (created_out)
        *created_out = 1;
    navoi__ob_log(ob, NAVOI_LOG_INFO, NULL, it->key, "enqueued %s", it->number);
    return NAVOI_OK;
}

NAVOI_API int navoi_outbox_set_validation(navoi_outbox *ob, int mode)
{
    if (!ob)
        return NAVOI_EINVAL;
    if (mode != NAVOI_OUTBOX_VALIDATE_OFF && mode != NAVOI_OUTBOX_VALIDATE_FLAG &&
        mode != NAVOI_OUTBOX_VALIDATE_REFUSE)
        return navoi__ob_fail(ob, NAVOI_EINVAL, "unknown validation mode %d", mode);
    ob->validation = mode;
    return NAVOI_OK;
}

/* Runs the validator; summary gets "CODE at path; ..." of the ERROR
 * findings (empty when there are none). */
static int validate_invoice(navoi_outbox *ob, const navoi_invoice *invoice, char *summary,
                            size_t cap, int *errors_out)
{
    navoi_findings *f = NULL;
    size_t i, n, shown = 0, more = 0, used = 0;
    int rc;

    *errors_out = 0;
    summary[0] = '\0';
    rc = navoi_validate(ob->client, invoice, &f);
    if (rc != NAVOI_OK) {
        navoi_findings_free(f);
        return navoi__ob_fail(ob, rc, "validator failed: %s", navoi_strerror(rc));
    }
    n = navoi_findings_count(f);
    for (i = 0; i < n; i++) {
        const char *code = "", *path = "";
        int sev = 0;
        if (navoi_findings_get(f, i, &code, &sev, &path, NULL, NULL) != NAVOI_OK ||
            sev != NAVOI_SEVERITY_ERROR)
            continue;
        (*errors_out)++;
        if (shown < 3 && used < cap) {
            int w = snprintf(summary + used, cap - used, "%s%s at %s", shown ? "; " : "", code,
                             path);
            used += w > 0 ? (size_t)w : 0;
            shown++;
        } else {
            more++;
        }
    }
    if (more && used < cap)
        snprintf(summary + used, cap - used, " (+%zu more)", more);
    navoi_findings_free(f);
    return NAVOI_OK;
}

NAVOI_API int navoi_outbox_enqueue(navoi_outbox *ob, const char *key,
                                   const navoi_invoice *invoice, const char *original_key,
                                   int *created_out)
{
    navoi__ob_item it;
    navoi__ob_item *orig = NULL;
    char hash[NAVOI__SHA256_HEX_LEN + 1];
    char findings[600];
    const char *xml;
    size_t len = 0;
    int rc, errors = 0, created = 0;

    if (created_out)
        *created_out = 0;
    if (!ob)
        return NAVOI_EINVAL;
    ob->errmsg[0] = '\0';
    if (!invoice)
        return navoi__ob_fail(ob, NAVOI_EINVAL, "invoice is NULL");
    rc = check_key(ob, key, "key");
    if (rc != NAVOI_OK)
        return rc;
    if (original_key && (rc = check_key(ob, original_key, "original_key")) != NAVOI_OK)
        return rc;
    xml = navoi_invoice_xml(invoice, &len);
    memset(&it, 0, sizeof it);
    it.op = navoi_invoice_operation(invoice);
    if (it.op < NAVOI_OP_CREATE || it.op > NAVOI_OP_STORNO || !xml || !len)
        return navoi__ob_fail(ob, NAVOI_EINVAL, "invoice has no operation or no content");
    if (navoi__sha256_hex(xml, len, hash) != NAVOI_OK)
        return navoi__ob_fail(ob, NAVOI_ENOMEM, "out of memory");
    /* Validate new items only: a repeated enqueue of a stored key stays a
     * no-op even if a date rule would judge it differently today. */
    if (ob->validation != NAVOI_OUTBOX_VALIDATE_OFF) {
        navoi__ob_item *known = NULL;
        rc = navoi__ob_load(ob, key, &known);
        navoi__ob_item_destroy(known);
        if (rc == NAVOI_ENOTFOUND) {
            rc = validate_invoice(ob, invoice, findings, sizeof findings, &errors);
            if (rc != NAVOI_OK)
                return rc;
            if (errors && ob->validation == NAVOI_OUTBOX_VALIDATE_REFUSE) {
                navoi__ob_log(ob, NAVOI_LOG_WARN, NULL, key, "refused %s: %s",
                              navoi_invoice_number(invoice), findings);
                return navoi__ob_fail(ob, NAVOI_EVALIDATION,
                                      "invoice %s not enqueued, the validator found %d error%s: %s",
                                      navoi_invoice_number(invoice), errors,
                                      errors == 1 ? "" : "s", findings);
            }
        } else if (rc != NAVOI_OK) {
            return rc;
        }
    }
    it.key = (char *)key;
    it.number = (char *)navoi_invoice_number(invoice);
    it.hash = hash;
    it.state = NAVOI_ITEM_PENDING;
    it.created = it.due = navoi__ob_now(ob);
    if (it.op != NAVOI_OP_CREATE) {
        if (original_key) {
            rc = navoi__ob_load(ob, original_key, &orig);
            if (rc != NAVOI_OK)
                return rc == NAVOI_ENOTFOUND
                           ? navoi__ob_fail(ob, rc, "original %s is not in the outbox",
                                            original_key)
                           : rc;
            it.orig_key = navoi__strdup(original_key);
            navoi__ob_item_destroy(orig);
        } else {
            char *onum = original_number(xml, len);
            if (onum) {
                rc = find_original(ob, onum, &it.orig_key);
                navoi__free(onum);
                if (rc != NAVOI_OK)
                    return rc;
            }
        }
        if (original_key && !it.orig_key)
            return navoi__ob_fail(ob, NAVOI_ENOMEM, "out of memory");
    }
    rc = insert_item(ob, &it, xml, len, &created);
    navoi__free(it.orig_key);
    if (created_out)
        *created_out = created;
    if (rc == NAVOI_OK && created && errors) {
        /* FLAG mode: the item is durable already; the note is best effort. */
        navoi__ob_log(ob, NAVOI_LOG_WARN, NULL, key, "enqueued with validator errors: %s",
                      findings);
        if (ob->ops.begin(ob->ud) != NAVOI_OK ||
            navoi__ob_history(ob, key, "validator: %d error%s: %s", errors,
                              errors == 1 ? "" : "s", findings) != NAVOI_OK ||
            ob->ops.commit(ob->ud) != NAVOI_OK)
            ob->ops.rollback(ob->ud);
    }
    return rc;
}

/* ---- batched enqueue ---- */

#define ENQ_BATCH_MAX 10000

/* Undoes a batch whose commit failed: any of its created items that became
 * visible anyway is removed again, so NAVOI_EIO always means "absent". */
static void batch_undo(navoi_outbox *ob, const char *const *keys, const int *created, size_t n)
{
    size_t i;
    int rc = NAVOI_OK, any = 0;
    for (i = 0; i < n && rc == NAVOI_OK; i++) {
        navoi__ob_item *old = NULL;
        if (!created[i] || navoi__ob_load(ob, keys[i], &old) != NAVOI_OK)
            continue;
        navoi__ob_item_destroy(old);
        if (!any && (rc = ob->ops.begin(ob->ud)) != NAVOI_OK)
            break;
        any = 1;
        rc = ob->ops.remove(keys[i], ob->ud);
    }
    if (any && rc == NAVOI_OK)
        rc = ob->ops.commit(ob->ud);
    if (rc != NAVOI_OK) {
        ob->ops.rollback(ob->ud);
        navoi__ob_log(ob, NAVOI_LOG_ERROR, NULL, keys[0],
                      "batch commit failed and its items could not be removed again: the "
                      "storage is unreliable, stop and check it");
    }
}

NAVOI_API int navoi_outbox_enqueue_batch(navoi_outbox *ob, const char *const *keys,
                                         const navoi_invoice *const *invoices, size_t n,
                                         int *created_out)
{
    char (*hashes)[NAVOI__SHA256_HEX_LEN + 1] = NULL;
    char findings[600];
    int *created = NULL, *errs = NULL;
    size_t i;
    int rc = NAVOI_OK;

    if (created_out && n <= ENQ_BATCH_MAX)
        for (i = 0; i < n; i++)
            created_out[i] = 0;
    if (!ob)
        return NAVOI_EINVAL;
    ob->errmsg[0] = '\0';
    if (!keys || !invoices || n < 1 || n > ENQ_BATCH_MAX)
        return navoi__ob_fail(ob, NAVOI_EINVAL, "a batch holds 1..%d keys and invoices",
                              ENQ_BATCH_MAX);
    hashes = navoi__calloc(n, sizeof *hashes);
    created = navoi__calloc(n, sizeof *created);
    errs = navoi__calloc(n, sizeof *errs);
    if (!hashes || !created || !errs) {
        rc = navoi__ob_fail(ob, NAVOI_ENOMEM, "out of memory");
        goto out;
    }
    /* 1. everything that needs no storage write, before the transaction */
    for (i = 0; i < n && rc == NAVOI_OK; i++) {
        const char *xml;
        size_t len = 0;
        int op;
        if (!invoices[i]) {
            rc = navoi__ob_fail(ob, NAVOI_EINVAL, "batch item %zu: invoice is NULL", i);
            break;
        }
        if ((rc = check_key(ob, keys[i], "key")) != NAVOI_OK) {
            char m[sizeof ob->errmsg];
            snprintf(m, sizeof m, "%s", ob->errmsg);
            rc = navoi__ob_fail(ob, rc, "batch item %zu: %s", i, m);
            break;
        }
        xml = navoi_invoice_xml(invoices[i], &len);
        op = navoi_invoice_operation(invoices[i]);
        if (op < NAVOI_OP_CREATE || op > NAVOI_OP_STORNO || !xml || !len) {
            rc = navoi__ob_fail(ob, NAVOI_EINVAL,
                                "batch item %zu: invoice has no operation or no content", i);
            break;
        }
        if (navoi__sha256_hex(xml, len, hashes[i]) != NAVOI_OK) {
            rc = navoi__ob_fail(ob, NAVOI_ENOMEM, "out of memory");
            break;
        }
        if (ob->validation != NAVOI_OUTBOX_VALIDATE_OFF) {
            navoi__ob_item *known = NULL;
            rc = navoi__ob_load(ob, keys[i], &known);
            navoi__ob_item_destroy(known);
            if (rc == NAVOI_ENOTFOUND) {
                rc = validate_invoice(ob, invoices[i], findings, sizeof findings, &errs[i]);
                if (rc == NAVOI_OK && errs[i] && ob->validation == NAVOI_OUTBOX_VALIDATE_REFUSE) {
                    navoi__ob_log(ob, NAVOI_LOG_WARN, NULL, keys[i], "refused %s: %s",
                                  navoi_invoice_number(invoices[i]), findings);
                    rc = navoi__ob_fail(ob, NAVOI_EVALIDATION,
                                        "batch item %zu: invoice %s not enqueued (nor the rest "
                                        "of the batch), the validator found %d error%s: %s",
                                        i, navoi_invoice_number(invoices[i]), errs[i],
                                        errs[i] == 1 ? "" : "s", findings);
                }
            }
        }
    }
    if (rc != NAVOI_OK)
        goto out;
    /* 2. one transaction: existing keys are compared, new ones inserted */
    rc = ob->ops.begin(ob->ud);
    if (rc != NAVOI_OK) {
        rc = storage_fail(ob, rc, "begin");
        goto out;
    }
    for (i = 0; i < n && rc == NAVOI_OK; i++) {
        navoi__buf rec = NAVOI__BUF_INIT;
        navoi__ob_item it, *old = NULL;
        const char *xml;
        size_t len = 0;

        rc = navoi__ob_load(ob, keys[i], &old);
        if (rc == NAVOI_OK) {
            rc = old->hash && !strcmp(old->hash, hashes[i])
                     ? NAVOI_OK
                     : navoi__ob_fail(ob, NAVOI_ESTATE,
                                      "batch item %zu: key %s already holds a different "
                                      "document", i, keys[i]);
            navoi__ob_item_destroy(old);
            continue;
        }
        if (rc != NAVOI_ENOTFOUND)
            break;
        xml = navoi_invoice_xml(invoices[i], &len);
        memset(&it, 0, sizeof it);
        it.op = navoi_invoice_operation(invoices[i]);
        it.key = (char *)keys[i];
        it.number = (char *)navoi_invoice_number(invoices[i]);
        it.hash = hashes[i];
        it.state = NAVOI_ITEM_PENDING;
        it.created = it.due = navoi__ob_now(ob);
        rc = NAVOI_OK;
        if (it.op != NAVOI_OP_CREATE) {
            /* inside the transaction: an original earlier in the batch counts */
            char *onum = original_number(xml, len);
            if (onum) {
                rc = find_original(ob, onum, &it.orig_key);
                navoi__free(onum);
            }
        }
        if (rc == NAVOI_OK && (rc = navoi__ob_record_write(&it, &rec)) != NAVOI_OK)
            rc = navoi__ob_fail(ob, rc, "out of memory");
        if (rc == NAVOI_OK) {
            rc = ob->ops.insert(it.key, it.state, it.due, it.created, it.number, NULL,
                                it.orig_key, rec.data, rec.len, xml, len, ob->ud);
            rc = rc == NAVOI_OK ? rc : storage_fail(ob, rc, "insert");
        }
        navoi__buf_free(&rec);
        if (rc == NAVOI_OK)
            rc = navoi__ob_history(ob, it.key, "enqueued op=%s number=%s%s%s batch=%zu/%zu",
                                   it.op == NAVOI_OP_MODIFY   ? "MODIFY"
                                   : it.op == NAVOI_OP_STORNO ? "STORNO"
                                                              : "CREATE",
                                   it.number, it.orig_key ? " original=" : "",
                                   navoi__ob_str(it.orig_key), i + 1, n);
        if (rc == NAVOI_OK && errs[i]) {
            /* FLAG mode (rare): the findings again, for the history */
            int again = 0;
            rc = validate_invoice(ob, invoices[i], findings, sizeof findings, &again);
            if (rc == NAVOI_OK)
                rc = navoi__ob_history(ob, it.key, "validator: %d error%s: %s", errs[i],
                                       errs[i] == 1 ? "" : "s", findings);
        }
        navoi__free(it.orig_key);
        created[i] = rc == NAVOI_OK;
    }
    if (rc != NAVOI_OK) {
        ob->ops.rollback(ob->ud);
        memset(created, 0, n * sizeof *created);
        goto out;
    }
    rc = ob->ops.commit(ob->ud);
    if (rc != NAVOI_OK) {
        char keep[sizeof ob->errmsg];
        storage_fail(ob, rc, "commit");
        memcpy(keep, ob->errmsg, sizeof keep);
        batch_undo(ob, keys, created, n);
        memcpy(ob->errmsg, keep, sizeof keep);
        navoi__ob_log(ob, NAVOI_LOG_ERROR, NULL, keys[0], "batch of %zu not enqueued: %s", n,
                      ob->errmsg);
        memset(created, 0, n * sizeof *created);
        rc = rc == NAVOI_ENOMEM ? NAVOI_ENOMEM : NAVOI_EIO;
        goto out;
    }
    for (i = 0; i < n; i++) {
        if (created[i])
            navoi__ob_log(ob, NAVOI_LOG_INFO, NULL, keys[i], "enqueued %s (batch of %zu)",
                          navoi_invoice_number(invoices[i]), n);
        if (created_out)
            created_out[i] = created[i];
    }
out:
    navoi__free(hashes);
    navoi__free(created);
    navoi__free(errs);
    return rc;
}

NAVOI_API int navoi_outbox_enqueue_annulment(navoi_outbox *ob, const char *key,
                                             const char *original_key, int code,
                                             const char *reason, int *created_out)
{
    navoi__ob_item it;
    navoi__ob_item *orig = NULL;
    navoi__buf h = NAVOI__BUF_INIT;
    char hash[NAVOI__SHA256_HEX_LEN + 1];
    size_t rlen;
    int rc;

    if (created_out)
        *created_out = 0;
    if (!ob)
        return NAVOI_EINVAL;
    ob->errmsg[0] = '\0';
    if ((rc = check_key(ob, key, "key")) != NAVOI_OK ||
        (rc = check_key(ob, original_key, "original_key")) != NAVOI_OK)
        return rc;
    rlen = reason ? strlen(reason) : 0;
    if (rlen < 1 || rlen > NAVOI__OB_MAX_REASON || code < NAVOI_ANNUL_ERRATIC_DATA ||
        code > NAVOI_ANNUL_ERRATIC_ELECTRONIC_HASH_VALUE)
        return navoi__ob_fail(ob, NAVOI_EINVAL,
                              "annulment needs a NAVOI_ANNUL_* code and a reason of 1..1024 "
                              "characters");
    rc = navoi__ob_load(ob, original_key, &orig);
    if (rc != NAVOI_OK)
        return rc == NAVOI_ENOTFOUND
                   ? navoi__ob_fail(ob, rc, "original %s is not in the outbox", original_key)
                   : rc;
    if (orig->op == NAVOI_OP_ANNUL) {
        navoi__ob_item_destroy(orig);
        return navoi__ob_fail(ob, NAVOI_EINVAL, "%s is an annulment itself", original_key);
    }
    navoi__buf_puts(&h, "ANNUL\n");
    navoi__buf_puts(&h, original_key);
    navoi__buf_putc(&h, '\n');
    navoi__buf_put_i64(&h, code);
    navoi__buf_putc(&h, '\n');
    navoi__buf_puts(&h, reason);
    if (navoi__buf_status(&h) != NAVOI_OK || navoi__sha256_hex(h.data, h.len, hash) != NAVOI_OK) {
        navoi__buf_free(&h);
        navoi__ob_item_destroy(orig);
        return navoi__ob_fail(ob, NAVOI_ENOMEM, "out of memory");
    }
    navoi__buf_free(&h);
    memset(&it, 0, sizeof it);
    it.op = NAVOI_OP_ANNUL;
    it.key = (char *)key;
    it.number = orig->number;
    it.orig_key = (char *)original_key;
    it.hash = hash;
    it.state = NAVOI_ITEM_PENDING;
    it.created = it.due = navoi__ob_now(ob);
    it.annul_code = code;
    it.annul_reason = (char *)reason;
    rc = insert_item(ob, &it, NULL, 0, created_out);
    navoi__ob_item_destroy(orig);
    return rc;
}

/* ---- operator queries ---- */

NAVOI_API int navoi_outbox_count(navoi_outbox *ob, int state, int64_t *count_out)
{
    int rc;
    if (count_out)
        *count_out = 0;
    if (!ob || !count_out || state < NAVOI_ITEM_PENDING || state > NAVOI_ITEM_NEEDS_ATTENTION)
        return NAVOI_EINVAL;
    rc = ob->ops.count(state, count_out, NULL, ob->ud);
    return rc == NAVOI_OK ? rc : storage_fail(ob, rc, "count");
}

NAVOI_API int navoi_outbox_backlog(navoi_outbox *ob, int64_t *count_out,
                                   int64_t *oldest_age_ms_out)
{
    static const int states[] = {NAVOI_ITEM_PENDING, NAVOI_ITEM_SENDING, NAVOI_ITEM_SENT};
    int64_t total = 0, oldest = 0;
    size_t i;

    if (count_out)
        *count_out = 0;
    if (oldest_age_ms_out)
        *oldest_age_ms_out = 0;
    if (!ob)
        return NAVOI_EINVAL;
    for (i = 0; i < 3; i++) {
        int64_t n = 0, o = 0;
        int rc = ob->ops.count(states[i], &n, &o, ob->ud);
        if (rc != NAVOI_OK)
            return storage_fail(ob, rc, "count");
        total += n;
        if (n > 0 && (oldest == 0 || o < oldest))
            oldest = o;
    }
    if (count_out)
        *count_out = total;
    if (oldest_age_ms_out && oldest) {
        int64_t age = navoi__ob_now(ob) - oldest;
        *oldest_age_ms_out = age > 0 ? age : 0;
    }
    return NAVOI_OK;
}

static int keys_out_of(navoi_outbox *ob, navoi__ob_list *l, char **keys_out, size_t *count_out)
{
    navoi__buf b = NAVOI__BUF_INIT;
    size_t i;
    for (i = 0; i < l->n; i++) {
        navoi__buf_puts(&b, l->v[i]->key);
        navoi__buf_putc(&b, '\n');
    }
    navoi__buf_reserve(&b, 1);
    if (navoi__buf_status(&b) != NAVOI_OK || !(*keys_out = navoi__buf_detach(&b, NULL))) {
        navoi__buf_free(&b);
        navoi__ob_list_free(l);
        return navoi__ob_fail(ob, NAVOI_ENOMEM, "out of memory");
    }
    if (count_out)
        *count_out = l->n;
    navoi__ob_list_free(l);
    return NAVOI_OK;
}

NAVOI_API int navoi_outbox_list(navoi_outbox *ob, int state, uint32_t offset, uint32_t limit,
                                char **keys_out, size_t *count_out)
{
    navoi__ob_list l;
    int rc;
    if (keys_out)
        *keys_out = NULL;
    if (count_out)
        *count_out = 0;
    if (!ob || !keys_out || state < NAVOI_ITEM_PENDING || state > NAVOI_ITEM_NEEDS_ATTENTION ||
        limit < 1 || limit > 10000)
        return NAVOI_EINVAL;
    rc = navoi__ob_select(ob, NAVOI_STORAGE_BY_STATE, NULL, state, 0, offset, limit, &l);
    if (rc != NAVOI_OK)
        return rc;
    return keys_out_of(ob, &l, keys_out, count_out);
}

NAVOI_API int navoi_outbox_list_amendments(navoi_outbox *ob, const char *original_key,
                                           char **keys_out, size_t *count_out)
{
    navoi__ob_list l;
    int rc;
    if (keys_out)
        *keys_out = NULL;
    if (count_out)
        *count_out = 0;
    if (!ob || !keys_out || !original_key)
        return NAVOI_EINVAL;
    rc = navoi__ob_select(ob, NAVOI_STORAGE_BY_ORIGINAL, original_key, 0, 0, 0, 10000, &l);
    if (rc != NAVOI_OK)
        return rc;
    return keys_out_of(ob, &l, keys_out, count_out);
}

NAVOI_API int navoi_outbox_find_by_number(navoi_outbox *ob, const char *invoice_number,
                                          char **key_out)
{
    navoi__ob_list l;
    size_t i;
    int rc;
    if (key_out)
        *key_out = NULL;
    if (!ob || !key_out || !invoice_number)
        return NAVOI_EINVAL;
    rc = navoi__ob_select(ob, NAVOI_STORAGE_BY_NUMBER, invoice_number, 0, 0, 0, 1000, &l);
    if (rc != NAVOI_OK)
        return rc;
    for (i = l.n; i-- > 0;) {
        if (l.v[i]->op != NAVOI_OP_ANNUL) {
            *key_out = navoi__strdup(l.v[i]->key);
            navoi__ob_list_free(&l);
            return *key_out ? NAVOI_OK : navoi__ob_fail(ob, NAVOI_ENOMEM, "out of memory");
        }
    }
    navoi__ob_list_free(&l);
    return navoi__ob_fail(ob, NAVOI_ENOTFOUND, "no item carries invoice number %s",
                          invoice_number);
}

NAVOI_API int navoi_outbox_find_by_transaction(navoi_outbox *ob, const char *transaction_id,
                                               int32_t index, char **key_out)
{
    navoi__ob_list l;
    size_t i;
    int rc;
    if (key_out)
        *key_out = NULL;
    if (!ob || !key_out || !transaction_id || index < 1 || index > 100)
        return NAVOI_EINVAL;
    rc = navoi__ob_select(ob, NAVOI_STORAGE_BY_GROUP, transaction_id, 0, 0, 0, 1000, &l);
    if (rc != NAVOI_OK)
        return rc;
    for (i = 0; i < l.n; i++) {
        if (l.v[i]->txid && strcmp(l.v[i]->txid, transaction_id) == 0 && l.v[i]->tidx == index) {
            *key_out = navoi__strdup(l.v[i]->key);
            navoi__ob_list_free(&l);
            return *key_out ? NAVOI_OK : navoi__ob_fail(ob, NAVOI_ENOMEM, "out of memory");
        }
    }
    navoi__ob_list_free(&l);
    return navoi__ob_fail(ob, NAVOI_ENOTFOUND, "no item is index %d of transaction %s",
                          (int)index, transaction_id);
}

NAVOI_API int navoi_outbox_next_due(navoi_outbox *ob, int64_t *due_ms_out)
{
    static const int states[] = {NAVOI_ITEM_SENT, NAVOI_ITEM_SENDING, NAVOI_ITEM_PENDING};
    int64_t best = 0;
    size_t i;
    if (due_ms_out)
        *due_ms_out = 0;
    if (!ob || !due_ms_out)
        return NAVOI_EINVAL;
    for (i = 0; i < 3; i++) {
        navoi__ob_list l;
        int rc = navoi__ob_select(ob, NAVOI_STORAGE_BY_DUE, NULL, states[i], INT64_MAX, 0, 1, &l);
        if (rc != NAVOI_OK)
            return rc;
        if (l.n && (best == 0 || l.v[0]->due < best))
            best = l.v[0]->due;
        navoi__ob_list_free(&l);
    }
    {
        /* the next poll of a DONE annulment awaiting approval (outbox.h) */
        navoi__ob_list l;
        int rc = navoi__ob_select(ob, NAVOI_STORAGE_BY_DUE, NULL, NAVOI_ITEM_DONE, -1, 0, 1, &l);
        if (rc != NAVOI_OK)
            return rc;
        if (l.n && (best == 0 || navoi__ob_due_time(l.v[0]) < best))
            best = navoi__ob_due_time(l.v[0]);
        navoi__ob_list_free(&l);
    }
    if (best && ob->last_request_ms && best < ob->last_request_ms + ob->min_interval_ms)
        best = ob->last_request_ms + ob->min_interval_ms;
    if (best && best < ob->pace_until)
        best = ob->pace_until;
    if (best && best < ob->idle_until)
        best = ob->idle_until;
    *due_ms_out = best;
    return NAVOI_OK;
}

/* ---- item snapshots ---- */

static int on_hist(int64_t time_ms, const char *data, size_t len, void *ctx)
{
    navoi_outbox_item *s = ctx;
    char **nh;
    int64_t *nm;
    char *e;
    if (s->nhist >= 100000)
        return 0;
    nh = navoi__realloc(s->hist, (s->nhist + 1) * sizeof *nh);
    if (!nh)
        return 1;
    s->hist = nh;
    nm = navoi__realloc(s->hist_ms, (s->nhist + 1) * sizeof *nm);
    if (!nm)
        return 1;
    s->hist_ms = nm;
    e = navoi__strndup(navoi__ob_str(data), data ? len : 0);
    if (!e)
        return 1;
    s->hist[s->nhist] = e;
    s->hist_ms[s->nhist] = time_ms;
    s->nhist++;
    return 0;
}

NAVOI_API int navoi_outbox_item_get(navoi_outbox *ob, const char *key, navoi_outbox_item **out)
{
    navoi_outbox_item *s;
    int rc;
    if (out)
        *out = NULL;
    if (!ob || !key || !out)
        return NAVOI_EINVAL;
    s = navoi__calloc(1, sizeof *s);
    if (!s)
        return navoi__ob_fail(ob, NAVOI_ENOMEM, "out of memory");
    rc = navoi__ob_load(ob, key, &s->it);
    if (rc == NAVOI_OK) {
        rc = ob->ops.history_list(key, on_hist, s, ob->ud);
        if (rc == NAVOI_EUSER)
            rc = navoi__ob_fail(ob, NAVOI_ENOMEM, "out of memory");
        else if (rc != NAVOI_OK)
            rc = storage_fail(ob, rc, "history");
    }
    if (rc != NAVOI_OK) {
        navoi_outbox_item_free(s);
        return rc;
    }
    *out = s;
    return NAVOI_OK;
}

NAVOI_API void navoi_outbox_item_free(navoi_outbox_item *s)
{
    size_t i;
    if (!s)
        return;
    if (s->it)
        navoi__ob_item_destroy(s->it);
    for (i = 0; i < s->nhist; i++)
        navoi__free(s->hist[i]);
    navoi__free(s->hist);
    navoi__free(s->hist_ms);
    navoi__free(s);
}

NAVOI_API const char *navoi_outbox_item_key(const navoi_outbox_item *s)
{
    return s ? s->it->key : "";
}

NAVOI_API int navoi_outbox_item_state(const navoi_outbox_item *s)
{
    return s ? s->it->state : 0;
}

NAVOI_API int navoi_outbox_item_operation(const navoi_outbox_item *s)
{
    return s ? s->it->op : 0;
}

NAVOI_API const char *navoi_outbox_item_invoice_number(const navoi_outbox_item *s)
{
    return s ? navoi__ob_str(s->it->number) : "";
}

NAVOI_API const char *navoi_outbox_item_original_key(const navoi_outbox_item *s)
{
    return s ? navoi__ob_str(s->it->orig_key) : "";
}

NAVOI_API const char *navoi_outbox_item_transaction_id(const navoi_outbox_item *s,
                                                       int32_t *index_out)
{
    if (index_out)
        *index_out = s && s->it->txid ? s->it->tidx : 0;
    return s ? navoi__ob_str(s->it->txid) : "";
}

NAVOI_API const char *navoi_outbox_item_request_id(const navoi_outbox_item *s)
{
    return s ? navoi__ob_str(s->it->rid) : "";
}

NAVOI_API int32_t navoi_outbox_item_attempts(const navoi_outbox_item *s)
{
    return s ? s->it->attempts : 0;
}

NAVOI_API int navoi_outbox_item_times(const navoi_outbox_item *s, int64_t *enqueued_ms_out,
                                      int64_t *due_ms_out)
{
    if (!s)
        return NAVOI_EINVAL;
    if (enqueued_ms_out)
        *enqueued_ms_out = s->it->created;
    if (due_ms_out)
        *due_ms_out = navoi__ob_due_time(s->it);
    return NAVOI_OK;
}

NAVOI_API const char *navoi_outbox_item_error(const navoi_outbox_item *s, int *code_out,
                                              int *category_out, int *http_status_out,
                                              const char **nav_code_out)
{
    if (code_out)
        *code_out = s ? s->it->ecode : 0;
    if (category_out)
        *category_out = s ? s->it->ecat : 0;
    if (http_status_out)
        *http_status_out = s ? s->it->ehttp : 0;
    if (nav_code_out)
        *nav_code_out = s ? navoi__ob_str(s->it->enav) : "";
    return s ? navoi__ob_str(s->it->emsg) : "";
}

NAVOI_API size_t navoi_outbox_item_message_count(const navoi_outbox_item *s)
{
    return s ? s->it->nmsgs : 0;
}

NAVOI_API int navoi_outbox_item_message(const navoi_outbox_item *s, size_t k, int *kind_out,
                                        int *severity_out, const char **code_out,
                                        const char **text_out, const char **tag_out,
                                        const char **value_out, const char **line_out)
{
    const navoi__ob_msg *m;
    if (!s || k >= s->it->nmsgs)
        return NAVOI_ENOTFOUND;
    m = &s->it->msgs[k];
    if (kind_out)
        *kind_out = m->kind;
    if (severity_out)
        *severity_out = m->severity;
    if (code_out)
        *code_out = navoi__ob_str(m->code);
    if (text_out)
        *text_out = navoi__ob_str(m->text);
    if (tag_out)
        *tag_out = navoi__ob_str(m->tag);
    if (value_out)
        *value_out = navoi__ob_str(m->value);
    if (line_out)
        *line_out = navoi__ob_str(m->line);
    return NAVOI_OK;
}

NAVOI_API const char *navoi_outbox_item_annulment_status(const navoi_outbox_item *s)
{
    return s ? navoi__ob_str(s->it->astatus) : "";
}

NAVOI_API size_t navoi_outbox_item_history_count(const navoi_outbox_item *s)
{
    return s ? s->nhist : 0;
}

NAVOI_API const char *navoi_outbox_item_history(const navoi_outbox_item *s, size_t k,
                                                int64_t *time_ms_out)
{
    if (time_ms_out)
        *time_ms_out = 0;
    if (!s || k >= s->nhist)
        return NULL;
    if (time_ms_out)
        *time_ms_out = s->hist_ms[k];
    return s->hist[k];
}

/* ---- operator actions ---- */

NAVOI_API int navoi_outbox_retry(navoi_outbox *ob, const char *key)
{
    navoi__ob_item *it = NULL;
    int rc, old;
    if (!ob || !key)
        return NAVOI_EINVAL;
    ob->errmsg[0] = '\0';
    rc = ob->ops.begin(ob->ud);
    if (rc != NAVOI_OK)
        return storage_fail(ob, rc, "begin");
    rc = navoi__ob_load(ob, key, &it);
    if (rc != NAVOI_OK)
        goto fail;
    old = it->state;
    if (old != NAVOI_ITEM_FAILED && old != NAVOI_ITEM_ABORTED &&
        old != NAVOI_ITEM_NEEDS_ATTENTION) {
        rc = navoi__ob_fail(ob, NAVOI_ESTATE, "item %s is %s, not FAILED, ABORTED or "
                            "NEEDS_ATTENTION", key, navoi_outbox_state_name(old));
        goto fail;
    }
    it->failures = 0;
    it->ffail = 0;
    it->rid_conflicts = 0;
    it->due = navoi__ob_now(ob);
    if (it->unresolved) {
        /* NAV may hold it: back to the lost-transaction check, not to a resend. */
        it->state = NAVOI_ITEM_SENDING;
    } else if (it->txid && old == NAVOI_ITEM_NEEDS_ATTENTION) {
        it->state = NAVOI_ITEM_SENT;
    } else {
        /* ABORTED/FAILED: the report did not happen; send it again. */
        it->state = NAVOI_ITEM_PENDING;
        navoi__free(it->txid);
        it->txid = NULL;
        it->tidx = 0;
        it->solo = 0;
        it->dupcheck = 0;
        if (!it->reuse) {
            navoi__free(it->group);
            it->group = NULL;
        }
    }
    rc = navoi__ob_save(ob, it, 0, "retry by operator state=%s->%s",
                        navoi_outbox_state_name(old), navoi_outbox_state_name(it->state));
    if (rc != NAVOI_OK)
        goto fail;
    rc = navoi__ob_commit(ob);
    if (rc == NAVOI_OK)
        navoi__ob_log(ob, NAVOI_LOG_INFO, it->rid, key, "re-queued by operator (%s -> %s)",
                      navoi_outbox_state_name(old), navoi_outbox_state_name(it->state));
    navoi__ob_item_destroy(it);
    return rc;
fail:
    ob->ops.rollback(ob->ud);
    navoi__ob_item_destroy(it);
    return rc;
}

NAVOI_API int navoi_outbox_step(navoi_outbox *ob, int *did_work_out)
{
    int did = 0, rc;
    if (did_work_out)
        *did_work_out = 0;
    if (!ob)
        return NAVOI_EINVAL;
    ob->errmsg[0] = '\0';
    rc = navoi__ob_step(ob, &did);
    if (did_work_out)
        *did_work_out = did;
    /* Every storage change of a step is one transaction, rolled back on
     * failure, so an allocation failure deep inside (after NAV answered,
     * say) leaves the items as they were stored: a SENDING item is then
     * resolved by the lost-transaction check, never resent blindly. Say so
     * when the failing spot did not explain itself. */
    if (rc == NAVOI_ENOMEM && !ob->errmsg[0])
        navoi__ob_fail(ob, rc, "out of memory during a worker step; the stored items are "
                               "unchanged and the step can be repeated");
    return rc;
}
