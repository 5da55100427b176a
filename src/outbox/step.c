/*
 * step.c - the worker: navoi_outbox_step() does one bounded unit of work,
 * in this order of priority:
 *   1. poll: one SENT transaction whose next poll is due
 *      (queryTransactionStatus, pacing first_ms doubling to cap_ms), or the
 *      queryInvoiceData check of an INVOICE_NUMBER_NOT_UNIQUE after an
 *      ambiguous attempt;
 *   2. reconcile: one step of the lost-transaction procedure for a SENDING
 *      attempt whose lost-wait has passed (one page of
 *      queryTransactionList, or one queryTransactionStatus with
 *      returnOriginalRequest of an unknown candidate);
 *   3. send: one batch of due PENDING items whose originals are DONE
 *      (tokenExchange, then "about to send" committed, then manageInvoice
 *      or manageAnnulment).
 * Each unit makes at most one request of a kind that can block (the token
 * exchange before a send is the only second one, and it is short).
 *
 * Triage (PROTOCOL.md 7, categories of navoi_client_error_category()):
 *   CONFIG/SECURITY -> nothing changes for the items, sending halts until
 *                      navoi_outbox_resume();
 *   DATA            -> a batch is split into single sends; a single item
 *                      goes to FAILED (a person fixes it);
 *   TRANSIENT       -> back to PENDING with exponential backoff (base
 *                      doubling, capped, jitter) until the horizon after the
 *                      first failure of the streak, then NEEDS_ATTENTION;
 *   AMBIGUOUS       -> stays SENDING and is reconciled after the lost-wait.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "core/client.h"
#include "outbox/outbox.h"

#define SCAN_LIMIT 256
#define MAX_RANGE_MS ((int64_t)35 * 24 * 3600 * 1000 - 1000)

/* ---- small helpers ---- */

void navoi__ob_reconcile_reset(navoi__ob_reconcile *r)
{
    size_t i;
    for (i = 0; i < r->ncands; i++)
        navoi__free(r->cands[i]);
    navoi__free(r->cands);
    memset(r, 0, sizeof *r);
}

int64_t navoi__ob_backoff(const navoi_outbox *ob, int32_t n, double u)
{
    double d = ob->base_ms;
    double j = ob->jitter_pct / 100.0;
    int32_t k;
    for (k = 1; k < n && d < ob->cap_ms; k++)
        d *= 2;
    if (d > ob->cap_ms)
        d = ob->cap_ms;
    d *= 1.0 + j * (2.0 * u - 1.0);
    return d < 1 ? 1 : (int64_t)d;
}

static double unit_random(navoi_outbox *ob)
{
    unsigned char b[4];
    uint32_t v;
    if (navoi__client_random(ob->client, b, sizeof b) != NAVOI_OK)
        return 0.5;
    v = ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | b[3];
    return v / 4294967296.0;
}

static int64_t poll_delay(const navoi_outbox *ob, int32_t polls)
{
    int64_t d = ob->poll_first_ms;
    int32_t k;
    for (k = 0; k < polls && d < ob->poll_cap_ms; k++)
        d *= 2;
    return d > ob->poll_cap_ms ? ob->poll_cap_ms : d;
}

static void set_error(navoi__ob_item *it, int code, int cat, int http, const char *nav,
                      const char *msg)
{
    it->ecode = code;
    it->ecat = cat;
    it->ehttp = http;
    navoi__ob_set_str(&it->enav, nav && *nav ? nav : NULL);
    navoi__ob_set_str(&it->emsg, msg && *msg ? msg : NULL);
}

static void client_error(navoi_outbox *ob, navoi__ob_item *it, int code)
{
    navoi_client *c = ob->client;
    set_error(it, code, navoi_client_error_category(c), navoi_client_http_status(c),
              navoi_client_nav_error_code(c), navoi_client_errmsg(c));
}

static void clear_error(navoi__ob_item *it)
{
    set_error(it, 0, 0, 0, NULL, NULL);
}

static const char *cat_name(int cat)
{
    switch (cat) {
    case NAVOI_CAT_CONFIG: return "CONFIG";
    case NAVOI_CAT_DATA: return "DATA";
    case NAVOI_CAT_TRANSIENT: return "TRANSIENT";
    case NAVOI_CAT_AMBIGUOUS: return "AMBIGUOUS";
    case NAVOI_CAT_SECURITY: return "SECURITY";
    default: return "NONE";
    }
}

/* A transient failure: next try after the backoff, or NEEDS_ATTENTION once
 * the horizon after the first failure of the streak has passed. The last
 * try is placed exactly at the horizon, so nothing gives up early. */
static void transient(navoi_outbox *ob, navoi__ob_item *it, int64_t now, double u)
{
    it->failures++;
    if (!it->ffail)
        it->ffail = now;
    if (now - it->ffail >= ob->horizon_ms) {
        it->state = NAVOI_ITEM_NEEDS_ATTENTION;
        it->due = 0;
        return;
    }
    it->due = now + navoi__ob_backoff(ob, it->failures, u);
    if (it->due > it->ffail + ob->horizon_ms)
        it->due = it->ffail + ob->horizon_ms;
}

static int halt(navoi_outbox *ob, const char *keys)
{
    navoi_client *c = ob->client;
    char msg[1200];
    snprintf(msg, sizeof msg, "%s (category %s%s%s)", navoi_client_errmsg(c),
             cat_name(navoi_client_error_category(c)),
             navoi_client_nav_error_code(c)[0] ? ", NAV " : "", navoi_client_nav_error_code(c));
    navoi__free(ob->halt);
    ob->halt = navoi__strdup(msg);
    navoi__ob_log(ob, NAVOI_LOG_ERROR, ob->log_corr, keys,
                  "sending halted until the configuration is fixed: %s", msg);
    return navoi__ob_fail(ob, NAVOI_ECONFIG, "sending halted: %s", msg);
}

static void log_context(navoi_outbox *ob, const char *corr, navoi__ob_item **v, size_t n)
{
    snprintf(ob->log_corr, sizeof ob->log_corr, "%s", corr ? corr : "");
    if (n == 0)
        ob->log_keys[0] = '\0';
    else if (n == 1)
        snprintf(ob->log_keys, sizeof ob->log_keys, "key=%s", v[0]->key);
    else
        snprintf(ob->log_keys, sizeof ob->log_keys, "keys=%s +%zu more", v[0]->key, n - 1);
}

static void tramp(int level, const char *corr, const char *msg, void *ud)
{
    navoi_outbox *ob = ud;
    char line[2048];
    if (!ob->user_log)
        return;
    snprintf(line, sizeof line, "outbox %s: %s", ob->log_keys[0] ? ob->log_keys : "-", msg);
    ob->user_log(level, ob->log_corr[0] ? ob->log_corr : corr, line, ob->user_log_ud);
}

/* Claims every item (lease + fence) in one transaction. Items another
 * worker holds are dropped from v. */
static int claim_all(navoi_outbox *ob, navoi__ob_item **v, size_t *n, int64_t now)
{
    size_t i, k = 0;
    int rc = ob->ops.begin(ob->ud);
    if (rc != NAVOI_OK)
        return navoi__ob_fail(ob, rc, "storage: begin failed");
    for (i = 0; i < *n; i++) {
        int64_t nf = 0;
        rc = ob->ops.claim(v[i]->key, v[i]->fence, ob->worker, now, now + ob->lease_ms, &nf,
                           ob->ud);
        if (rc == NAVOI_ESTATE) {
            navoi__ob_item_destroy(v[i]);
            continue;
        }
        if (rc != NAVOI_OK) {
            ob->ops.rollback(ob->ud);
            return navoi__ob_fail(ob, rc, "storage: claim failed");
        }
        v[i]->fence = nf;
        v[k++] = v[i];
    }
    *n = k;
    if (k == 0) {
        ob->ops.rollback(ob->ud);
        return NAVOI_OK;
    }
    return navoi__ob_commit(ob);
}

static int claim_one(navoi_outbox *ob, navoi__ob_item *it, int64_t now)
{
    int64_t nf = 0;
    int rc = ob->ops.begin(ob->ud);
    if (rc != NAVOI_OK)
        return navoi__ob_fail(ob, rc, "storage: begin failed");
    rc = ob->ops.claim(it->key, it->fence, ob->worker, now, now + ob->lease_ms, &nf, ob->ud);
    if (rc != NAVOI_OK) {
        ob->ops.rollback(ob->ud);
        return rc;
    }
    it->fence = nf;
    return navoi__ob_commit(ob);
}

/* Shared pacing (ops.pace, several workers on one storage): before the
 * requests of a unit, a slot of requests x min_interval_ms is taken on the
 * storage's clock, so that more workers do not mean more requests per
 * second to NAV. 1 = go; 0 = wait (items claimed so far stay leased to this
 * worker, which takes them up again when its slot comes). */
static int pace_ok(navoi_outbox *ob, int64_t now, uint32_t requests, int *rc)
{
    int64_t wait = 0;
    *rc = NAVOI_OK;
    if (!ob->ops.pace || !ob->min_interval_ms)
        return 1;
    if (ob->pace_until > now)
        return 0;
    *rc = ob->ops.pace("nav", now, ob->min_interval_ms * requests, &wait, ob->ud);
    if (*rc != NAVOI_OK) {
        *rc = navoi__ob_fail(ob, *rc, "storage: pace failed");
        return 0;
    }
    if (wait > 0) {
        ob->pace_until = now + wait;
        return 0;
    }
    return 1;
}

static int begin(navoi_outbox *ob)
{
    int rc = ob->ops.begin(ob->ud);
    return rc == NAVOI_OK ? rc : navoi__ob_fail(ob, rc, "storage: begin failed");
}

static int finish(navoi_outbox *ob, int rc)
{
    if (rc != NAVOI_OK) {
        ob->ops.rollback(ob->ud);
        return rc;
    }
    return navoi__ob_commit(ob);
}

/* Several workers (ops.claim_due): claim_due hands out items, not the
 * groups that must go together (the items of one request, for the
 * lost-transaction check and a resend with the same requestId), so two
 * workers can hold parts of one group. The group then belongs to whoever
 * holds its first item (lowest position): this claims every item in one
 * transaction (*got = 1), or, failing that, keeps what it could claim if
 * that includes the first item, and otherwise releases its items of the
 * group for the owner. Fences of v are advanced only for claims that stay. */
static int claim_group(navoi_outbox *ob, navoi__ob_item **v, size_t n, int64_t now, int *got)
{
    int64_t old[100], nf;
    unsigned char ok[100];
    size_t i, lead = 0, nok = 0;
    int rc;
    *got = 0;
    if (n == 0 || n > 100)
        return NAVOI_OK;
    for (i = 0; i < n; i++)
        if (v[i]->pos < v[lead]->pos)
            lead = i;
    if ((rc = begin(ob)) != NAVOI_OK)
        return rc;
    for (i = 0; i < n; i++) {
        old[i] = v[i]->fence;
        nf = 0;
        rc = ob->ops.claim(v[i]->key, v[i]->fence, ob->worker, now, now + ob->lease_ms, &nf,
                           ob->ud);
        ok[i] = rc == NAVOI_OK;
        if (rc != NAVOI_OK && rc != NAVOI_ESTATE) {
            ob->ops.rollback(ob->ud);
            for (i = 0; i < n; i++)
                v[i]->fence = old[i];
            return navoi__ob_fail(ob, rc, "storage: claim failed");
        }
        if (ok[i]) {
            v[i]->fence = nf;
            nok++;
        }
    }
    if (nok == n || ok[lead]) {
        *got = nok == n;
        return navoi__ob_commit(ob);
    }
    ob->ops.rollback(ob->ud);
    rc = begin(ob);
    for (i = 0; i < n && rc == NAVOI_OK; i++) {
        v[i]->fence = old[i];
        if (ok[i]) /* ours or free: released for the holder of the first item */
            rc = navoi__ob_save(ob, v[i], 0, NULL);
    }
    return finish(ob, rc);
}

/* Keeps the items of list l that satisfy state (and txid/rid), in position order. */
static void filter(navoi__ob_list *l, int state, const char *txid, const char *rid)
{
    size_t i, k = 0;
    for (i = 0; i < l->n; i++) {
        navoi__ob_item *it = l->v[i];
        int keep = it->state == state && (!txid || (it->txid && !strcmp(it->txid, txid))) &&
                   (!rid || (it->rid && !strcmp(it->rid, rid)));
        if (keep)
            l->v[k++] = it;
        else
            navoi__ob_item_destroy(it);
    }
    l->n = k;
    /* insertion sort by position (<= 100 items) */
    for (i = 1; i < l->n; i++) {
        navoi__ob_item *x = l->v[i];
        size_t j = i;
        while (j > 0 && l->v[j - 1]->pos > x->pos) {
            l->v[j] = l->v[j - 1];
            j--;
        }
        l->v[j] = x;
    }
}

/* ---- 1. poll ---- */

static int wake_dependents(navoi_outbox *ob, const char *key, int64_t now)
{
    navoi__ob_list l;
    size_t i;
    int rc = navoi__ob_select(ob, NAVOI_STORAGE_BY_ORIGINAL, key, 0, 0, 0, 1000, &l);
    if (rc != NAVOI_OK)
        return rc;
    for (i = 0; i < l.n && rc == NAVOI_OK; i++) {
        if (l.v[i]->state == NAVOI_ITEM_PENDING && l.v[i]->due > now) {
            l.v[i]->due = now;
            rc = navoi__ob_save(ob, l.v[i], 0, NULL);
        }
    }
    navoi__ob_list_free(&l);
    return rc;
}

static int dupcheck(navoi_outbox *ob, navoi__ob_item *it, int64_t now, int *did)
{
    navoi_client *c = ob->client;
    navoi_result *res = NULL;
    int rc, qrc;

    log_context(ob, it->rid, &it, 1);
    rc = claim_one(ob, it, now);
    if (rc != NAVOI_OK)
        return rc == NAVOI_ESTATE ? NAVOI_OK : rc;
    if (!pace_ok(ob, now, 1, &rc))
        return rc;
    qrc = navoi_query_invoice_data(c, it->number, NAVOI_OUTBOUND, 0, NULL, &res);
    ob->last_request_ms = now;
    *did = 1;
    if (qrc != NAVOI_OK && (navoi_client_error_category(c) == NAVOI_CAT_CONFIG ||
                            navoi_client_error_category(c) == NAVOI_CAT_SECURITY))
        return halt(ob, ob->log_keys);
    if ((rc = begin(ob)) != NAVOI_OK) {
        navoi_result_free(res);
        return rc;
    }
    if (qrc == NAVOI_OK && navoi_result_count(res) > 0) {
        const char *t = navoi_result_get(res, 0, "auditData/transactionId");
        it->state = NAVOI_ITEM_DONE;
        it->dupcheck = 0;
        it->due = 0;
        set_error(it, 0, 0, 0, "INVOICE_NUMBER_NOT_UNIQUE", NULL);
        {
            char m[300];
            snprintf(m, sizeof m, "reported by transaction %s (an earlier attempt whose answer "
                                  "was lost); transaction %s was its duplicate",
                     t ? t : "?", it->txid ? it->txid : "?");
            navoi__ob_set_str(&it->emsg, m);
        }
        rc = navoi__ob_save(ob, it, 0, "done reported_by=%s duplicate_txid=%s state=DONE",
                            t ? t : "?", it->txid ? it->txid : "");
        if (rc == NAVOI_OK)
            rc = wake_dependents(ob, it->key, now);
        navoi__ob_log(ob, NAVOI_LOG_WARN, it->rid, ob->log_keys,
                      "INVOICE_NUMBER_NOT_UNIQUE after an ambiguous attempt: NAV already holds "
                      "%s from transaction %s, item DONE", it->number, t ? t : "?");
    } else if (qrc == NAVOI_OK) {
        it->state = NAVOI_ITEM_ABORTED;
        it->dupcheck = 0;
        it->due = 0;
        rc = navoi__ob_save(ob, it, 0, "aborted nav=INVOICE_NUMBER_NOT_UNIQUE checked=absent "
                                        "state=ABORTED");
    } else if (navoi_client_error_category(c) == NAVOI_CAT_DATA) {
        it->state = NAVOI_ITEM_NEEDS_ATTENTION;
        it->dupcheck = 0;
        client_error(ob, it, qrc);
        rc = navoi__ob_save(ob, it, 0, "dupcheck-failed http=%d nav=%s state=NEEDS_ATTENTION",
                            it->ehttp, it->enav ? it->enav : "");
    } else {
        client_error(ob, it, qrc);
        transient(ob, it, now, unit_random(ob));
        rc = navoi__ob_save(ob, it, 1, "dupcheck-failed http=%d nav=%s cat=%s",
                            it->ehttp, it->enav ? it->enav : "", cat_name(it->ecat));
    }
    navoi_result_free(res);
    return finish(ob, rc);
}

static int unit_poll(navoi_outbox *ob, int64_t now, int *did)
{
    navoi_client *c = ob->client;
    navoi__ob_list first, l;
    navoi_txn *txn = NULL;
    char txid[64];
    size_t i;
    int rc, qrc;

    rc = navoi__ob_due(ob, NAVOI_ITEM_SENT, now, 1, &first);
    if (rc != NAVOI_OK || first.n == 0) {
        navoi__ob_list_free(&first);
        return rc;
    }
    if (first.v[0]->dupcheck || !first.v[0]->txid) {
        rc = dupcheck(ob, first.v[0], now, did);
        navoi__ob_list_free(&first);
        return rc;
    }
    snprintf(txid, sizeof txid, "%s", first.v[0]->txid);
    navoi__ob_list_free(&first);
    rc = navoi__ob_select(ob, NAVOI_STORAGE_BY_GROUP, txid, 0, 0, 0, 1000, &l);
    if (rc != NAVOI_OK)
        return rc;
    filter(&l, NAVOI_ITEM_SENT, txid, NULL);
    rc = claim_all(ob, l.v, &l.n, now);
    if (rc != NAVOI_OK || l.n == 0) {
        navoi__ob_list_free(&l);
        return rc;
    }
    if (!pace_ok(ob, now, 1, &rc)) {
        navoi__ob_list_free(&l);
        return rc;
    }
    log_context(ob, l.v[0]->rid, l.v, l.n);
    qrc = navoi_query_transaction_status(c, txid, 0, &txn);
    ob->last_request_ms = now;
    *did = 1;
    if (qrc != NAVOI_OK) {
        int cat = navoi_client_error_category(c);
        if (cat == NAVOI_CAT_CONFIG || cat == NAVOI_CAT_SECURITY) {
            rc = halt(ob, ob->log_keys);
            navoi__ob_list_free(&l);
            return rc;
        }
        rc = begin(ob);
        for (i = 0; i < l.n && rc == NAVOI_OK; i++) {
            navoi__ob_item *it = l.v[i];
            it->polls++;
            it->due = now + poll_delay(ob, it->polls);
            client_error(ob, it, qrc);
            rc = navoi__ob_save(ob, it, 1, "poll-failed txid=%s http=%d nav=%s cat=%s", txid,
                                it->ehttp, it->enav ? it->enav : "", cat_name(it->ecat));
        }
        navoi__ob_log(ob, NAVOI_LOG_WARN, ob->log_corr, ob->log_keys,
                      "status query of %s failed, retrying: %s", txid, navoi_client_errmsg(c));
        rc = finish(ob, rc);
        navoi__ob_list_free(&l);
        return rc;
    }
    rc = begin(ob);
    for (i = 0; i < l.n && rc == NAVOI_OK; i++) {
        navoi__ob_item *it = l.v[i];
        size_t k, n = navoi_txn_item_count(txn), nres = 0, nfinal = 0, naborted = 0;
        const char *deciding = NULL;
        int not_unique = 0;
        for (k = 0; k < n; k++) {
            int st;
            if (navoi_txn_item_index(txn, k) != it->tidx)
                continue;
            st = navoi_txn_item_status(txn, k);
            nres++;
            if (st == NAVOI_STATUS_DONE || st == NAVOI_STATUS_ABORTED)
                nfinal++;
            if (st == NAVOI_STATUS_ABORTED)
                naborted++;
        }
        if (nres == 0 || nfinal < nres) {
            it->polls++;
            it->due = now + poll_delay(ob, it->polls);
            rc = navoi__ob_save(ob, it, 1, NULL);
            continue;
        }
        for (k = 0, nres = 0; k < n && rc == NAVOI_OK; k++) {
            size_t m, nm;
            if (navoi_txn_item_index(txn, k) != it->tidx)
                continue;
            rc = navoi__ob_copy_messages(it, txn, k, nres++ > 0);
            if (rc != NAVOI_OK) {
                rc = navoi__ob_fail(ob, rc, "out of memory storing the validation messages of %s",
                                    it->key);
                break;
            }
            nm = navoi_txn_message_count(txn, k);
            for (m = 0; m < nm; m++) {
                int sev = 0;
                const char *code = "";
                navoi_txn_message(txn, k, m, NULL, &sev, &code, NULL);
                if (sev >= NAVOI_SEVERITY_ERROR && !deciding)
                    deciding = code;
                if (sev >= NAVOI_SEVERITY_ERROR && !strcmp(code, "INVOICE_NUMBER_NOT_UNIQUE"))
                    not_unique = 1;
            }
        }
        if (rc != NAVOI_OK)
            break;
        it->due = 0;
        if (naborted) {
            char m[600];
            snprintf(m, sizeof m, "NAV aborted the report: %s (see the validation messages)",
                     deciding && *deciding ? deciding : "no error code");
            set_error(it, 0, NAVOI_CAT_DATA, 200, deciding, m);
            if (not_unique && it->ambiguous > 0 && it->op != NAVOI_OP_ANNUL) {
                /* The earlier attempt may be the one NAV holds (7.4). */
                it->dupcheck = 1;
                it->due = now;
                rc = navoi__ob_save(ob, it, 1, "aborted txid=%s index=%d "
                                    "nav=INVOICE_NUMBER_NOT_UNIQUE after an ambiguous attempt: "
                                    "checking NAV", txid, (int)it->tidx);
                continue;
            }
            it->state = NAVOI_ITEM_ABORTED;
            rc = navoi__ob_save(ob, it, 0, "aborted txid=%s index=%d nav=%s messages=%zu "
                                "state=ABORTED", txid, (int)it->tidx,
                                deciding ? deciding : "", it->nmsgs);
            navoi__ob_log(ob, NAVOI_LOG_WARN, it->rid, it->key, "ABORTED by NAV in %s: %s",
                          txid, deciding ? deciding : "");
        } else {
            it->state = NAVOI_ITEM_DONE;
            clear_error(it);
            if (it->op == NAVOI_OP_ANNUL)
                navoi__ob_set_str(&it->astatus, navoi_txn_annulment_status(txn));
            rc = navoi__ob_save(ob, it, 0, "done txid=%s index=%d messages=%zu%s%s state=DONE",
                                txid, (int)it->tidx, it->nmsgs,
                                it->astatus ? " annulment=" : "", it->astatus ? it->astatus : "");
            if (rc == NAVOI_OK)
                rc = wake_dependents(ob, it->key, now);
            navoi__ob_log(ob, NAVOI_LOG_INFO, it->rid, it->key, "DONE (%s index %d)", txid,
                          (int)it->tidx);
        }
    }
    rc = finish(ob, rc);
    navoi_txn_free(txn);
    navoi__ob_list_free(&l);
    return rc;
}

/* ---- 2. reconcile (PROTOCOL.md 7.6) ---- */

static int is_known_txid(navoi_outbox *ob, const char *txid, int *known)
{
    navoi__ob_list l;
    size_t i;
    int rc = navoi__ob_select(ob, NAVOI_STORAGE_BY_GROUP, txid, 0, 0, 0, 1000, &l);
    *known = 0;
    if (rc != NAVOI_OK)
        return rc;
    for (i = 0; i < l.n; i++)
        if (l.v[i]->txid && !strcmp(l.v[i]->txid, txid))
            *known = 1;
    navoi__ob_list_free(&l);
    return NAVOI_OK;
}

/* annulmentReference of an InvoiceAnnulment document, malloc'd. */
static char *annulment_reference(const char *xml, size_t len)
{
    static const char tag[] = "annulmentReference>";
    size_t i;
    for (i = 0; i + sizeof tag - 1 < len; i++) {
        if (memcmp(xml + i, tag, sizeof tag - 1) == 0 && i > 0 && xml[i - 1] != '/') {
            const char *v = xml + i + sizeof tag - 1, *e = v;
            while (e < xml + len && *e != '<')
                e++;
            return navoi__strndup(v, (size_t)(e - v));
        }
    }
    return NULL;
}

/* 1 when the transaction carries exactly the attempt's items, by position. */
static int matches(const navoi_txn *txn, navoi__ob_item **v, size_t n)
{
    size_t i, k, count = navoi_txn_item_count(txn), distinct = 0;
    for (k = 0; k < count; k++) {
        size_t j;
        int seen = 0;
        for (j = 0; j < k; j++)
            if (navoi_txn_item_index(txn, j) == navoi_txn_item_index(txn, k))
                seen = 1;
        distinct += !seen;
    }
    if (distinct != n)
        return 0;
    for (i = 0; i < n; i++) {
        const char *orig = NULL;
        size_t olen = 0;
        char *num = NULL;
        int ok;
        for (k = 0; k < count && !orig; k++)
            if (navoi_txn_item_index(txn, k) == v[i]->pos)
                orig = navoi_txn_item_original(txn, k, &olen);
        if (!orig)
            return 0;
        if (v[i]->op == NAVOI_OP_ANNUL) {
            num = annulment_reference(orig, olen);
        } else {
            navoi_invoice *inv = NULL;
            if (navoi_invoice_new(&inv, NULL, orig, olen, NAVOI_OP_CREATE) == NAVOI_OK)
                num = navoi__strdup(navoi_invoice_number(inv));
            navoi_invoice_free(inv);
        }
        ok = num && v[i]->number && !strcmp(num, v[i]->number);
        navoi__free(num);
        if (!ok)
            return 0;
    }
    return 1;
}

static int reconcile_failed(navoi_outbox *ob, navoi__ob_list *l, int qrc, int64_t now)
{
    int cat = navoi_client_error_category(ob->client);
    double u = unit_random(ob);
    size_t i;
    int rc;
    navoi__ob_reconcile_reset(&ob->rec);
    if (cat == NAVOI_CAT_CONFIG || cat == NAVOI_CAT_SECURITY)
        return halt(ob, ob->log_keys);
    rc = begin(ob);
    for (i = 0; i < l->n && rc == NAVOI_OK; i++) {
        navoi__ob_item *it = l->v[i];
        client_error(ob, it, qrc);
        transient(ob, it, now, u);
        rc = navoi__ob_save(ob, it, it->state == NAVOI_ITEM_SENDING,
                            "reconcile-failed rid=%s http=%d nav=%s cat=%s state=%s", it->rid,
                            it->ehttp, it->enav ? it->enav : "", cat_name(it->ecat),
                            navoi_outbox_state_name(it->state));
    }
    navoi__ob_log(ob, NAVOI_LOG_WARN, ob->log_corr, ob->log_keys,
                  "lost-transaction check failed, retrying later: %s",
                  navoi_client_errmsg(ob->client));
    return finish(ob, rc);
}

static int reconcile_verdict(navoi_outbox *ob, navoi__ob_list *l, const char *found,
                             int64_t now)
{
    size_t i;
    int rc = begin(ob), conflict = 0;
    for (i = 0; i < l->n; i++)
        if (l->v[i]->rid_conflicts > 0)
            conflict = 1;
    for (i = 0; i < l->n && rc == NAVOI_OK; i++) {
        navoi__ob_item *it = l->v[i];
        it->failures = 0;
        it->ffail = 0;
        if (found) {
            it->state = NAVOI_ITEM_SENT;
            rc = navoi__ob_set_str(&it->txid, found);
            if (rc == NAVOI_OK)
                rc = navoi__ob_set_str(&it->group, found);
            it->tidx = it->pos;
            it->unresolved = 0;
            it->reuse = 0;
            it->polls = 0;
            it->due = now;
            clear_error(it);
            if (rc == NAVOI_OK)
                rc = navoi__ob_save(ob, it, 1, "reconciled rid=%s found txid=%s index=%d "
                                    "state=SENT", it->rid, found, (int)it->tidx);
        } else if (conflict) {
            it->state = NAVOI_ITEM_NEEDS_ATTENTION;
            it->due = 0;
            set_error(it, NAVOI_EAMBIGUOUS, NAVOI_CAT_AMBIGUOUS, 0, "REQUEST_ID_NOT_UNIQUE",
                      "NAV says the requestId was used by an accepted request, but no "
                      "transaction with these invoices was found: check on NAV's web UI");
            rc = navoi__ob_save(ob, it, 0, "reconciled rid=%s verdict=conflicting "
                                "state=NEEDS_ATTENTION", it->rid);
        } else {
            it->state = NAVOI_ITEM_PENDING;
            it->unresolved = 0;
            it->reuse = 1; /* resend with the same requestId (7.5) */
            it->due = now;
            rc = navoi__ob_save(ob, it, 0, "reconciled rid=%s verdict=absent checked=%zu "
                                "state=PENDING (resubmit with the same requestId)", it->rid,
                                ob->rec.ncands);
        }
    }
    navoi__ob_log(ob, found ? NAVOI_LOG_INFO : NAVOI_LOG_WARN, ob->log_corr, ob->log_keys,
                  found ? "lost transaction found: %s" : "lost-transaction check: %s",
                  found ? found : conflict ? "conflicting evidence, needs attention"
                                           : "NAV does not have the request, resubmitting");
    navoi__ob_reconcile_reset(&ob->rec);
    return finish(ob, rc);
}

static int unit_reconcile(navoi_outbox *ob, int64_t now, int *did)
{
    navoi_client *c = ob->client;
    navoi__ob_list first, l;
    char rid[32];
    int rc, qrc;
    size_t i;

    rc = navoi__ob_due(ob, NAVOI_ITEM_SENDING, now, 1, &first);
    if (rc != NAVOI_OK || first.n == 0) {
        navoi__ob_list_free(&first);
        return rc;
    }
    if (!first.v[0]->rid) {
        /* cannot happen through this code; surface rather than guess */
        navoi__ob_item *it = first.v[0];
        it->state = NAVOI_ITEM_NEEDS_ATTENTION;
        it->due = 0;
        rc = begin(ob);
        if (rc == NAVOI_OK)
            rc = finish(ob, navoi__ob_save(ob, it, 0, "sending without requestId "
                                           "state=NEEDS_ATTENTION"));
        *did = 1;
        navoi__ob_list_free(&first);
        return rc;
    }
    snprintf(rid, sizeof rid, "%s", first.v[0]->rid);
    navoi__ob_list_free(&first);
    rc = navoi__ob_select(ob, NAVOI_STORAGE_BY_GROUP, rid, 0, 0, 0, 1000, &l);
    if (rc != NAVOI_OK)
        return rc;
    filter(&l, NAVOI_ITEM_SENDING, NULL, rid);
    if (ob->ops.claim_due) {
        /* the check needs the whole attempt (matching is by position) */
        int got = 0;
        rc = claim_group(ob, l.v, l.n, now, &got);
        if (rc == NAVOI_OK && !got) {
            navoi__ob_list_free(&l);
            return NAVOI_OK;
        }
    } else {
        rc = claim_all(ob, l.v, &l.n, now);
    }
    if (rc != NAVOI_OK || l.n == 0 || !pace_ok(ob, now, 1, &rc)) {
        navoi__ob_list_free(&l);
        return rc;
    }
    *did = 1;
    log_context(ob, rid, l.v, l.n);
    if (strcmp(ob->rec.rid, rid) != 0 || ob->rec.phase == 0) {
        int64_t sent = 0, skew = navoi_client_server_skew_ms(c);
        navoi__ob_reconcile_reset(&ob->rec);
        snprintf(ob->rec.rid, sizeof ob->rec.rid, "%s", rid);
        for (i = 0; i < l.n; i++)
            if (!sent || (l.v[i]->sent && l.v[i]->sent < sent))
                sent = l.v[i]->sent;
        if (skew < 0)
            skew = -skew;
        /* insDate is NAV's clock: widen by the margin and the seen skew */
        ob->rec.from_ms = (sent ? sent : now) - ob->lost_margin_ms - skew;
        ob->rec.to_ms = now + ob->lost_margin_ms + skew;
        if (ob->rec.to_ms - ob->rec.from_ms > MAX_RANGE_MS)
            ob->rec.from_ms = ob->rec.to_ms - MAX_RANGE_MS;
        ob->rec.phase = 1;
        ob->rec.page = 1;
        navoi__ob_log(ob, NAVOI_LOG_INFO, rid, ob->log_keys,
                      "outcome of request %s unknown: running the lost-transaction check", rid);
    }
    if (ob->rec.phase == 1) {
        navoi_result *res = NULL;
        const char *avail;
        size_t n;
        qrc = navoi_query_transaction_list(c, ob->rec.from_ms, ob->rec.to_ms, ob->rec.page, NULL,
                                           &res);
        ob->last_request_ms = now;
        if (qrc != NAVOI_OK) {
            rc = reconcile_failed(ob, &l, qrc, now);
            navoi__ob_list_free(&l);
            return rc;
        }
        n = navoi_result_count(res);
        for (i = 0; i < n && rc == NAVOI_OK; i++) {
            const char *t = navoi_result_get(res, i, "transactionId");
            const char *cnt = navoi_result_get(res, i, "itemCount");
            const char *ta = navoi_result_get(res, i, "technicalAnnulment");
            int known = 0, annul_txn = ta && !strcmp(ta, "true");
            char **nc;
            if (!t || (cnt && (size_t)atoi(cnt) != l.n) ||
                annul_txn != (l.v[0]->op == NAVOI_OP_ANNUL))
                continue;
            rc = is_known_txid(ob, t, &known);
            if (rc != NAVOI_OK || known || ob->rec.ncands >= 10000)
                continue;
            nc = navoi__realloc(ob->rec.cands, (ob->rec.ncands + 1) * sizeof *nc);
            if (!nc || !(nc[ob->rec.ncands] = navoi__strdup(t))) {
                if (nc)
                    ob->rec.cands = nc;
                rc = navoi__ob_fail(ob, NAVOI_ENOMEM, "out of memory");
                break;
            }
            ob->rec.cands = nc;
            ob->rec.ncands++;
        }
        avail = navoi_result_meta(res, "availablePage");
        if (rc == NAVOI_OK && avail && atoi(avail) > ob->rec.page && ob->rec.page < 1000) {
            ob->rec.page++;
        } else if (rc == NAVOI_OK) {
            ob->rec.phase = 2;
            ob->rec.icand = 0;
        }
        navoi_result_free(res);
        if (rc != NAVOI_OK) {
            navoi__ob_reconcile_reset(&ob->rec);
            navoi__ob_list_free(&l);
            return rc;
        }
        if (ob->rec.phase == 2 && ob->rec.ncands == 0)
            rc = reconcile_verdict(ob, &l, NULL, now);
        navoi__ob_list_free(&l);
        return rc;
    }
    /* phase 2: one candidate per step */
    {
        navoi_txn *txn = NULL;
        const char *cand = ob->rec.cands[ob->rec.icand];
        qrc = navoi_query_transaction_status(c, cand, NAVOI_STATUS_RETURN_ORIGINAL, &txn);
        ob->last_request_ms = now;
        if (qrc != NAVOI_OK) {
            rc = reconcile_failed(ob, &l, qrc, now);
        } else if (matches(txn, l.v, l.n)) {
            char found[64];
            snprintf(found, sizeof found, "%s", cand);
            rc = reconcile_verdict(ob, &l, found, now);
        } else if (++ob->rec.icand >= ob->rec.ncands) {
            rc = reconcile_verdict(ob, &l, NULL, now);
        }
        navoi_txn_free(txn);
    }
    navoi__ob_list_free(&l);
    return rc;
}

/* ---- 3. send ---- */

static int new_request_id(navoi_outbox *ob, char out[31])
{
    static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUV";
    unsigned char rnd[29];
    int i;
    if (navoi__client_random(ob->client, rnd, sizeof rnd) != NAVOI_OK)
        return navoi__ob_fail(ob, NAVOI_EUSER, "the random hook failed");
    out[0] = 'O';
    for (i = 0; i < 29; i++)
        out[i + 1] = alphabet[rnd[i] & 31];
    out[30] = '\0';
    return NAVOI_OK;
}

typedef struct payload_ctx {
    char *data;
    size_t len;
} payload_ctx;

static int on_payload(int64_t t, const char *data, size_t len, void *ctx)
{
    payload_ctx *p = ctx;
    (void)t;
    p->data = navoi__memdup(data ? data : "", len + 1);
    if (!p->data)
        return 1;
    p->data[len] = '\0';
    p->len = len;
    return 0;
}

static int is_batch_invoice(const char *xml, size_t len)
{
    static const char tag[] = "batchInvoice>";
    size_t i;
    for (i = 0; i + sizeof tag - 1 <= len; i++)
        if (xml[i] == 'b' && memcmp(xml + i, tag, sizeof tag - 1) == 0)
            return 1;
    return 0;
}

/* Checks the original of an amendment/annulment: 1 ready, 0 wait, -1 the
 * original failed (the item is marked FAILED and saved). */
static int dependency(navoi_outbox *ob, navoi__ob_item *it, int64_t now, int *rc_out)
{
    navoi__ob_item *o = NULL;
    int rc;
    *rc_out = NAVOI_OK;
    if (it->op == NAVOI_OP_CREATE || !it->orig_key)
        return 1;
    rc = navoi__ob_load(ob, it->orig_key, &o);
    if (rc == NAVOI_ENOTFOUND)
        return 1; /* removed: reported elsewhere */
    if (rc != NAVOI_OK) {
        *rc_out = rc;
        return 0;
    }
    rc = o->state;
    if (rc == NAVOI_ITEM_DONE) {
        navoi__ob_item_destroy(o);
        return 1;
    }
    if (rc == NAVOI_ITEM_ABORTED || rc == NAVOI_ITEM_FAILED) {
        char m[300];
        snprintf(m, sizeof m, "the original %s ended %s: nothing to amend or annul", o->key,
                 navoi_outbox_state_name(rc));
        set_error(it, NAVOI_ESTATE, NAVOI_CAT_DATA, 0, NULL, m);
        it->state = NAVOI_ITEM_FAILED;
        it->due = 0;
        *rc_out = navoi__ob_save(ob, it, 0, "failed original=%s original_state=%s state=FAILED",
                                 o->key, navoi_outbox_state_name(rc));
        navoi__ob_item_destroy(o);
        return -1;
    }
    /* wait; woken up when the original is DONE */
    it->due = now + (ob->poll_cap_ms > 1000 ? ob->poll_cap_ms : 1000);
    *rc_out = navoi__ob_save(ob, it, 0, NULL);
    navoi__ob_item_destroy(o);
    return 0;
}

static int send_token_failed(navoi_outbox *ob, navoi__ob_item **v, size_t n, int trc,
                             int64_t now)
{
    int cat = navoi_client_error_category(ob->client);
    double u = unit_random(ob);
    size_t i;
    int rc;
    if (cat == NAVOI_CAT_CONFIG || cat == NAVOI_CAT_SECURITY)
        return halt(ob, ob->log_keys);
    rc = begin(ob);
    for (i = 0; i < n && rc == NAVOI_OK; i++) {
        client_error(ob, v[i], trc);
        transient(ob, v[i], now, u);
        rc = navoi__ob_save(ob, v[i], 0, "token-failed http=%d nav=%s cat=%s state=%s",
                            v[i]->ehttp, v[i]->enav ? v[i]->enav : "", cat_name(v[i]->ecat),
                            navoi_outbox_state_name(v[i]->state));
    }
    navoi__ob_log(ob, NAVOI_LOG_WARN, NULL, ob->log_keys, "tokenExchange failed (%s): %s",
                  cat_name(cat), navoi_client_errmsg(ob->client));
    return finish(ob, rc);
}

static int unit_send(navoi_outbox *ob, int64_t now, int *did)
{
    navoi_client *c = ob->client;
    navoi__ob_list cands, grp;
    navoi__ob_item *batch[100];
    payload_ctx pay[100];
    navoi__ob_send_item sitems[100];
    size_t nb = 0, i, bytes = 0;
    char rid[32], txid[32];
    int rc, src, cat, annul = 0, dep_changes = 0;
    navoi__ob_item *lead = NULL;

    memset(pay, 0, sizeof pay);
    memset(&grp, 0, sizeof grp);
    /* with claim_due, claim only what one batch can carry: other workers
     * take the rest */
    rc = navoi__ob_due(ob, NAVOI_ITEM_PENDING, now, ob->ops.claim_due ? ob->batch_max : SCAN_LIMIT,
                       &cands);
    if (rc != NAVOI_OK || cands.n == 0) {
        navoi__ob_list_free(&cands);
        return rc;
    }
    /* readiness (originals DONE), in one transaction for the waiting ones */
    rc = begin(ob);
    if (rc != NAVOI_OK) {
        navoi__ob_list_free(&cands);
        return rc;
    }
    for (i = 0; i < cands.n && rc == NAVOI_OK; i++) {
        navoi__ob_item *it = cands.v[i];
        int ready = dependency(ob, it, now, &rc);
        if (ready != 1) {
            dep_changes = 1;
            cands.v[i] = NULL;
            navoi__ob_item_destroy(it);
        }
    }
    rc = finish(ob, rc);
    if (rc != NAVOI_OK) {
        navoi__ob_list_free(&cands);
        return rc;
    }
    if (dep_changes)
        *did = 1;
    for (i = 0; i < cands.n && !lead; i++)
        lead = cands.v[i];
    if (!lead) {
        navoi__ob_list_free(&cands);
        return NAVOI_OK;
    }
    annul = lead->op == NAVOI_OP_ANNUL;
    if (lead->reuse && lead->group) {
        /* a resend after the lost-transaction check: the same items, the
         * same positions, the same requestId */
        snprintf(rid, sizeof rid, "%s", lead->group);
        rc = navoi__ob_select(ob, NAVOI_STORAGE_BY_GROUP, rid, 0, 0, 0, 1000, &grp);
        if (rc != NAVOI_OK) {
            navoi__ob_list_free(&cands);
            return rc;
        }
        filter(&grp, NAVOI_ITEM_PENDING, NULL, NULL);
        for (i = 0; i < grp.n && nb < 100; i++)
            if (grp.v[i]->reuse)
                batch[nb++] = grp.v[i];
        if (ob->ops.claim_due) {
            /* the same items in the same positions, or nothing */
            int got = 0;
            rc = claim_group(ob, batch, nb, now, &got);
            if (rc != NAVOI_OK || !got) {
                nb = 0;
                goto out;
            }
        }
    } else {
        rid[0] = '\0';
        for (i = 0; i < cands.n && nb < ob->batch_max; i++) {
            navoi__ob_item *it = cands.v[i];
            size_t k;
            int dup = 0;
            if (!it || (it->op == NAVOI_OP_ANNUL) != annul || (it->reuse && it->group))
                continue;
            if (nb > 0 && (it->solo || lead->solo))
                break;
            for (k = 0; k < nb; k++)
                if (batch[k]->number && it->number && !strcmp(batch[k]->number, it->number))
                    dup = 1;
            if (dup)
                continue; /* DUPLICATE_IN_REQUEST would reject both copies */
            batch[nb++] = it;
        }
    }
    /* payloads; batchInvoice documents and the byte budget */
    for (i = 0; i < nb; i++) {
        navoi__ob_item *it = batch[i];
        memset(&sitems[i], 0, sizeof sitems[i]);
        sitems[i].op = it->op;
        if (annul) {
            sitems[i].reference = it->number;
            sitems[i].annul_code = it->annul_code;
            sitems[i].reason = it->annul_reason;
            continue;
        }
        rc = ob->ops.payload(it->key, on_payload, &pay[i], ob->ud);
        if (rc != NAVOI_OK) {
            rc = rc == NAVOI_EUSER ? navoi__ob_fail(ob, NAVOI_ENOMEM, "out of memory")
                                   : navoi__ob_fail(ob, rc, "storage: payload of %s failed",
                                                    it->key);
            goto out;
        }
        if (!rid[0] && i > 0 &&
            (bytes + pay[i].len / 3 * 4 + 4096 > NAVOI__OB_MAX_BATCH_BYTES ||
             is_batch_invoice(pay[i].data, pay[i].len))) {
            navoi__free(pay[i].data);
            pay[i].data = NULL;
            nb = i;
            break;
        }
        if (!rid[0] && i == 0 && is_batch_invoice(pay[i].data, pay[i].len))
            nb = 1;
        bytes += pay[i].len / 3 * 4 + 4096;
        sitems[i].xml = pay[i].data;
        sitems[i].len = pay[i].len;
    }
    if (nb == 0)
        goto out;
    log_context(ob, rid[0] ? rid : NULL, batch, nb);
    if (!pace_ok(ob, now, 2, &rc)) /* tokenExchange and the manage request */
        goto out;
    /* a fresh single-use token before anything is recorded */
    src = navoi_token_exchange(c, NULL);
    ob->last_request_ms = now;
    *did = 1;
    if (src != NAVOI_OK) {
        rc = send_token_failed(ob, batch, nb, src, now);
        goto out;
    }
    if (!rid[0] && (rc = new_request_id(ob, rid)) != NAVOI_OK)
        goto out;
    log_context(ob, rid, batch, nb);
    /* "about to send": claim, state SENDING, requestId and positions,
     * committed before the request leaves */
    rc = begin(ob);
    for (i = 0; i < nb && rc == NAVOI_OK; i++) {
        navoi__ob_item *it = batch[i];
        int64_t nf = 0;
        rc = ob->ops.claim(it->key, it->fence, ob->worker, now, now + ob->lease_ms, &nf, ob->ud);
        if (rc != NAVOI_OK) {
            rc = navoi__ob_fail(ob, rc, "storage: claim of %s failed", it->key);
            break;
        }
        it->fence = nf;
        it->state = NAVOI_ITEM_SENDING;
        if ((rc = navoi__ob_set_str(&it->rid, rid)) != NAVOI_OK ||
            (rc = navoi__ob_set_str(&it->group, rid)) != NAVOI_OK) {
            rc = navoi__ob_fail(ob, rc, "out of memory recording request %s", rid);
            break;
        }
        it->pos = (int32_t)(i + 1);
        it->sent = now;
        it->attempts++;
        it->due = now + ob->lost_wait_ms;
        rc = navoi__ob_save(ob, it, 1, "send rid=%s pos=%d/%zu attempt=%d op=%s", rid,
                            (int)it->pos, nb, (int)it->attempts,
                            annul ? "manageAnnulment" : "manageInvoice");
    }
    rc = finish(ob, rc);
    if (rc != NAVOI_OK) {
        navoi__cleanse(c->token, sizeof c->token);
        if (rc == NAVOI_ESTATE) /* another worker took an item: try again later */
            rc = NAVOI_OK;
        goto out;
    }
    navoi__ob_log(ob, NAVOI_LOG_INFO, rid, ob->log_keys, "sending %zu item(s) as request %s", nb,
                  rid);
    src = navoi__ob_send(c, annul, rid, sitems, nb, txid);
    cat = src == NAVOI_OK ? NAVOI_CAT_NONE : navoi_client_error_category(c);
    if (cat == NAVOI_CAT_CONFIG || cat == NAVOI_CAT_SECURITY) {
        /* rejected synchronously: nothing stored at NAV */
        rc = begin(ob);
        for (i = 0; i < nb && rc == NAVOI_OK; i++) {
            navoi__ob_item *it = batch[i];
            client_error(ob, it, src);
            it->state = NAVOI_ITEM_PENDING;
            it->due = now;
            rc = navoi__ob_save(ob, it, 0, "rejected rid=%s http=%d nav=%s cat=%s state=PENDING",
                                rid, it->ehttp, it->enav ? it->enav : "", cat_name(cat));
        }
        rc = finish(ob, rc);
        if (rc == NAVOI_OK)
            rc = halt(ob, ob->log_keys);
        goto out;
    }
    {
        double u = unit_random(ob);
        int split = cat == NAVOI_CAT_DATA && nb > 1;
        rc = begin(ob);
        for (i = 0; i < nb && rc == NAVOI_OK; i++) {
            navoi__ob_item *it = batch[i];
            switch (cat) {
            case NAVOI_CAT_NONE:
                it->state = NAVOI_ITEM_SENT;
                if ((rc = navoi__ob_set_str(&it->txid, txid)) != NAVOI_OK ||
                    (rc = navoi__ob_set_str(&it->group, txid)) != NAVOI_OK)
                    break;
                it->tidx = it->pos;
                it->polls = 0;
                it->failures = 0;
                it->ffail = 0;
                it->reuse = 0;
                it->unresolved = 0;
                it->rid_conflicts = 0;
                it->due = now + ob->poll_first_ms;
                clear_error(it);
                rc = navoi__ob_save(ob, it, 1, "accepted rid=%s txid=%s index=%d http=200 "
                                    "state=SENT", rid, txid, (int)it->tidx);
                break;
            case NAVOI_CAT_AMBIGUOUS:
                client_error(ob, it, src);
                it->ambiguous++;
                it->unresolved = 1;
                if (!strcmp(navoi_client_nav_error_code(c), "REQUEST_ID_NOT_UNIQUE") && it->reuse)
                    it->rid_conflicts++;
                it->due = it->sent + ob->lost_wait_ms;
                rc = navoi__ob_save(ob, it, 1, "ambiguous rid=%s http=%d nav=%s code=%d "
                                    "state=SENDING (lost-transaction check after %lld ms)",
                                    rid, it->ehttp, it->enav ? it->enav : "", src,
                                    (long long)ob->lost_wait_ms);
                break;
            case NAVOI_CAT_DATA:
                client_error(ob, it, src);
                if (split) {
                    it->state = NAVOI_ITEM_PENDING;
                    it->solo = 1;
                    it->due = now;
                } else {
                    it->state = NAVOI_ITEM_FAILED;
                    it->due = 0;
                }
                rc = navoi__ob_save(ob, it, 0, "rejected rid=%s http=%d nav=%s cat=DATA "
                                    "state=%s%s", rid, it->ehttp, it->enav ? it->enav : "",
                                    navoi_outbox_state_name(it->state),
                                    split ? " (batch split: resending one by one)" : "");
                break;
            default: /* TRANSIENT */
                client_error(ob, it, src);
                it->state = NAVOI_ITEM_PENDING;
                transient(ob, it, now, u);
                rc = navoi__ob_save(ob, it, 0, "rejected rid=%s http=%d nav=%s cat=TRANSIENT "
                                    "state=%s retry_at=%lld", rid, it->ehttp,
                                    it->enav ? it->enav : "", navoi_outbox_state_name(it->state),
                                    (long long)it->due);
                break;
            }
        }
        rc = finish(ob, rc);
        if (src != NAVOI_OK)
            navoi__ob_log(ob, cat == NAVOI_CAT_DATA ? NAVOI_LOG_ERROR : NAVOI_LOG_WARN, rid,
                          ob->log_keys, "request %s: %s (%s)", rid, navoi_client_errmsg(c),
                          cat_name(cat));
    }
out:
    for (i = 0; i < 100; i++)
        navoi__free(pay[i].data);
    /* batch[] points into cands or grp */
    navoi__ob_list_free(&grp);
    navoi__ob_list_free(&cands);
    return rc;
}

int navoi__ob_step(navoi_outbox *ob, int *did)
{
    navoi_client *c = ob->client;
    int64_t now = navoi__ob_now(ob);
    int rc;

    *did = 0;
    if (ob->halt)
        return navoi__ob_fail(ob, NAVOI_ECONFIG, "sending halted: %s", ob->halt);
    if (ob->min_interval_ms && ob->last_request_ms &&
        now < ob->last_request_ms + (int64_t)ob->min_interval_ms)
        return NAVOI_OK;
    if (c->log_fn) {
        ob->user_log = c->log_fn;
        ob->user_log_ud = c->log_ud;
        c->log_fn = tramp;
        c->log_ud = ob;
    }
    ob->log_corr[0] = ob->log_keys[0] = '\0';
    rc = unit_poll(ob, now, did);
    if (rc == NAVOI_OK && !*did)
        rc = unit_reconcile(ob, now, did);
    if (rc == NAVOI_OK && !*did)
        rc = unit_send(ob, now, did);
    if (rc == NAVOI_ESTATE) {
        /* A fenced write was refused: another worker took the item(s) over
         * after this one's lease ran out. The transaction was rolled back,
         * nothing changed; the new holder carries on. */
        navoi__ob_log(ob, NAVOI_LOG_WARN, ob->log_corr, ob->log_keys,
                      "another worker took over (this worker's lease had expired): nothing "
                      "was changed by this worker");
        navoi__ob_reconcile_reset(&ob->rec);
        *did = 1;
        rc = NAVOI_OK;
    }
    /* Several workers: due items may all be held by others; do not spin. */
    ob->idle_until = rc == NAVOI_OK && !*did && ob->ops.claim_due ? now + 250 : 0;
    if (ob->user_log) {
        c->log_fn = ob->user_log;
        c->log_ud = ob->user_log_ud;
        ob->user_log = NULL;
        ob->user_log_ud = NULL;
    }
    return rc;
}
