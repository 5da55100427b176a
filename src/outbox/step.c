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
 *      or manageAnnulment);
 *   4. follow: one queryTransactionStatus of a DONE annulment that awaits
 *      approval by a primary user on NAV's web UI (VERIFICATION_PENDING),
 *      at a slow doubling pace (1 h to 24 h) for a bounded time (60 days),
 *      until VERIFICATION_DONE or _REJECTED arrives. Last, so that it
 *      never takes a request slot from the work above.
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
 *
 * The shared pieces (claims, pacing, error records, backoff) are in
 * worker.c; the resolution of ambiguous outcomes in reconcile.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "core/client.h"
#include "outbox/outbox.h"

#define SCAN_LIMIT 256

/* ---- small helpers ---- */

static int64_t poll_delay(const navoi_outbox *ob, int32_t polls)
{
    int64_t d = ob->poll_first_ms;
    int32_t k;
    for (k = 0; k < polls && d < ob->poll_cap_ms; k++)
        d *= 2;
    return d > ob->poll_cap_ms ? ob->poll_cap_ms : d;
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

/* ---- annulments awaiting approval (see outbox.h) ---- */

int64_t navoi__ob_due_time(const navoi__ob_item *it)
{
    return NAVOI__OB_FOLLOWED(it) ? it->due + NAVOI__OB_FOLLOW_SHIFT : it->due;
}

/* A final annulmentVerificationStatus: anything but VERIFICATION_PENDING
 * (and "", no annulmentData in the answer: treated as still pending). */
static int annul_decided(const char *status)
{
    return status && *status && strcmp(status, "VERIFICATION_PENDING") != 0;
}

/* The stored due of a DONE annulment still awaiting approval: its next
 * poll after now, shifted (outbox.h); 0 (not followed) once the horizon
 * after the send has passed. The interval is the time since the send,
 * clamped to [first, cap], so that successive intervals double. */
static int64_t follow_due(const navoi_outbox *ob, const navoi__ob_item *it, int64_t now)
{
    int64_t base = it->sent ? it->sent : now, end = base + ob->ann_horizon_ms, d = now - base;
    if (ob->ann_horizon_ms <= 0 || now >= end)
        return 0;
    if (d < (int64_t)ob->ann_first_ms)
        d = ob->ann_first_ms;
    if (d > (int64_t)ob->ann_cap_ms)
        d = ob->ann_cap_ms;
    return (now + d < end ? now + d : end) - NAVOI__OB_FOLLOW_SHIFT;
}

/* One log line for the annulment status of a DONE annulment (date and
 * user of the decision when NAV sent them). */
static void log_annulment(navoi_outbox *ob, const navoi__ob_item *it, const char *txid,
                          int64_t now, const char *date, const char *user)
{
    const char *st = navoi__ob_str(it->astatus);
    char by[160] = "";
    if (date && *date)
        snprintf(by, sizeof by, " on %s%s%s", date, user && *user ? " by " : "",
                 user && *user ? user : "");
    if (!strcmp(st, "VERIFICATION_DONE"))
        navoi__ob_log(ob, NAVOI_LOG_INFO, it->rid, it->key,
                      "annulment of %s approved (VERIFICATION_DONE%s, transaction %s): the "
                      "report is annulled", it->number, by, txid);
    else if (!strcmp(st, "VERIFICATION_REJECTED"))
        navoi__ob_log(ob, NAVOI_LOG_WARN, it->rid, it->key,
                      "annulment of %s REJECTED (VERIFICATION_REJECTED%s, transaction %s): the "
                      "invoice report stays valid", it->number, by, txid);
    else if (!strcmp(st, "NOT_VERIFIABLE"))
        navoi__ob_log(ob, NAVOI_LOG_WARN, it->rid, it->key,
                      "annulment of %s NOT_VERIFIABLE (an index of transaction %s had an "
                      "ERROR): it will not take effect; enqueue it again", it->number ?
                      it->number : "", txid);
    else if (NAVOI__OB_FOLLOWED(it))
        navoi__ob_log(ob, NAVOI_LOG_INFO, it->rid, it->key,
                      "annulment of %s awaits approval by a primary user on NAV's web UI "
                      "(VERIFICATION_PENDING, transaction %s); next status poll in %lld min",
                      it->number, txid,
                      (long long)((navoi__ob_due_time(it) - now) / 60000));
    else if (*st)
        navoi__ob_log(ob, NAVOI_LOG_WARN, it->rid, it->key,
                      "annulment of %s still %s (transaction %s) and not followed "
                      "(any more): check NAV's web UI or 'navoi query transaction-status %s'",
                      it->number, st, txid, txid);
}

/* ---- 1. poll ---- */

/* The status query of a poll unit for the claimed items l, after the
 * pacing (*did stays 0 when the slot is not there yet). *qrc gets the
 * query's result; a CONFIG/SECURITY failure halts (NAVOI_ECONFIG). */
static int query_status(navoi_outbox *ob, const navoi__ob_list *l, const char *txid,
                        int64_t now, int *did, int *qrc, navoi_txn **txn)
{
    int rc = NAVOI_OK, cat;
    *qrc = NAVOI_OK;
    navoi__ob_log_context(ob, l->v[0]->rid, l->v, l->n);
    if (!navoi__ob_pace_ok(ob, now, 1, &rc))
        return rc;
    *qrc = navoi_query_transaction_status(ob->client, txid, 0, txn);
    ob->last_request_ms = now;
    *did = 1;
    cat = *qrc == NAVOI_OK ? NAVOI_CAT_NONE : navoi_client_error_category(ob->client);
    if (cat == NAVOI_CAT_CONFIG || cat == NAVOI_CAT_SECURITY)
        return navoi__ob_halt(ob, ob->log_keys);
    return NAVOI_OK;
}

/* The items of transaction txid in state (and for which keep() holds,
 * when given), claimed for this worker: NAV answers for the transaction as
 * a whole, so they are polled together; items another worker holds are
 * dropped. */
static int claim_txn(navoi_outbox *ob, const char *txid, int state,
                     int (*keep)(const navoi__ob_item *), int64_t now, navoi__ob_list *l)
{
    size_t i, k;
    int rc = navoi__ob_select(ob, NAVOI_STORAGE_BY_GROUP, txid, 0, 0, 0, 1000, l);
    if (rc != NAVOI_OK)
        return rc;
    navoi__ob_filter(l, state, txid, NULL);
    for (i = k = 0; i < l->n; i++) {
        if (!keep || keep(l->v[i]))
            l->v[k++] = l->v[i];
        else
            navoi__ob_item_destroy(l->v[i]);
    }
    l->n = k;
    rc = navoi__ob_claim_all(ob, l->v, &l->n, now);
    if (rc != NAVOI_OK)
        navoi__ob_list_free(l);
    return rc;
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
        rc = navoi__ob_dupcheck(ob, first.v[0], now, did);
        navoi__ob_list_free(&first);
        return rc;
    }
    snprintf(txid, sizeof txid, "%s", first.v[0]->txid);
    navoi__ob_list_free(&first);
    rc = claim_txn(ob, txid, NAVOI_ITEM_SENT, NULL, now, &l);
    if (rc != NAVOI_OK || l.n == 0) {
        navoi__ob_list_free(&l);
        return rc;
    }
    rc = query_status(ob, &l, txid, now, did, &qrc, &txn);
    if (rc != NAVOI_OK || !*did) {
        navoi__ob_list_free(&l);
        return rc;
    }
    if (qrc != NAVOI_OK) {
        rc = navoi__ob_begin(ob);
        for (i = 0; i < l.n && rc == NAVOI_OK; i++) {
            navoi__ob_item *it = l.v[i];
            it->polls++;
            it->due = now + poll_delay(ob, it->polls);
            navoi__ob_client_error(ob, it, qrc);
            rc = navoi__ob_save(ob, it, 1, "poll-failed txid=%s http=%d nav=%s cat=%s", txid,
                                it->ehttp, navoi__ob_str(it->enav), navoi__ob_cat_name(it->ecat));
        }
        navoi__ob_log(ob, NAVOI_LOG_WARN, ob->log_corr, ob->log_keys,
                      "status query of %s failed, retrying: %s", txid, navoi_client_errmsg(c));
        rc = navoi__ob_finish(ob, rc);
        navoi__ob_list_free(&l);
        return rc;
    }
    rc = navoi__ob_begin(ob);
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
            navoi__ob_set_error(it, 0, NAVOI_CAT_DATA, 200, deciding, m);
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
                                navoi__ob_str(deciding), it->nmsgs);
            navoi__ob_log(ob, NAVOI_LOG_WARN, it->rid, it->key, "ABORTED by NAV in %s: %s",
                          txid, navoi__ob_str(deciding));
        } else {
            it->state = NAVOI_ITEM_DONE;
            navoi__ob_clear_error(it);
            if (it->op == NAVOI_OP_ANNUL &&
                (rc = navoi__ob_set_str(&it->astatus, navoi_txn_annulment_status(txn))) !=
                    NAVOI_OK) {
                rc = navoi__ob_fail(ob, rc, "out of memory storing the annulment status of %s",
                                    it->key);
                break;
            }
            if (it->op == NAVOI_OP_ANNUL && !annul_decided(it->astatus))
                it->due = follow_due(ob, it, now);
            rc = navoi__ob_save(ob, it, 0, "done txid=%s index=%d messages=%zu%s%s state=DONE",
                                txid, (int)it->tidx, it->nmsgs,
                                it->astatus ? " annulment=" : "", navoi__ob_str(it->astatus));
            if (rc == NAVOI_OK)
                rc = navoi__ob_wake_dependents(ob, it->key, now);
            navoi__ob_log(ob, NAVOI_LOG_INFO, it->rid, it->key, "DONE (%s index %d)", txid,
                          (int)it->tidx);
            if (it->op == NAVOI_OP_ANNUL)
                log_annulment(ob, it, txid, now, NULL, NULL);
        }
    }
    rc = navoi__ob_finish(ob, rc);
    navoi_txn_free(txn);
    navoi__ob_list_free(&l);
    return rc;
}

/* ---- 2. reconcile: reconcile.c ---- */

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
    p->data = navoi__memdup(navoi__ob_str(data), len + 1);
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

/* An annulment of the original (other than it) that NAV has or may have
 * and that is not decided: sent and not final yet, or DONE and followed.
 * NAV aborts a MODIFY, STORNO or second annulment of the original meanwhile
 * (ANNULMENT_IN_PROGRESS, PROTOCOL.md 5.2). *until gets when to look again
 * (the decision also wakes the waiting items). 1 found, 0 none, <0 error. */
static int annulment_pending(navoi_outbox *ob, const navoi__ob_item *it, const char *orig_key,
                             int64_t now, char akey[NAVOI__OB_MAX_KEY + 1], int64_t *until)
{
    navoi__ob_list l;
    size_t i;
    int rc = navoi__ob_select(ob, NAVOI_STORAGE_BY_ORIGINAL, orig_key, 0, 0, 0, 1000, &l);
    if (rc != NAVOI_OK)
        return rc;
    for (i = 0; i < l.n && rc == 0; i++) {
        const navoi__ob_item *a = l.v[i];
        if (a->op != NAVOI_OP_ANNUL || !strcmp(a->key, it->key))
            continue;
        if (a->state == NAVOI_ITEM_SENDING || a->state == NAVOI_ITEM_SENT)
            *until = now + (ob->poll_cap_ms > 1000 ? ob->poll_cap_ms : 1000);
        else if (NAVOI__OB_FOLLOWED(a))
            *until = navoi__ob_due_time(a) > now + 1000 ? navoi__ob_due_time(a) : now + 1000;
        else
            continue;
        snprintf(akey, NAVOI__OB_MAX_KEY + 1, "%s", a->key);
        rc = 1;
    }
    navoi__ob_list_free(&l);
    return rc;
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
        char akey[NAVOI__OB_MAX_KEY + 1], m[400];
        int64_t until = 0;
        int waits = annulment_pending(ob, it, o->key, now, akey, &until);
        if (waits <= 0) {
            *rc_out = waits;
            navoi__ob_item_destroy(o);
            return waits == 0;
        }
        snprintf(m, sizeof m, "waits for the decision on annulment %s of %s (NAV refuses "
                 "amendments and annulments of it meanwhile: ANNULMENT_IN_PROGRESS)", akey,
                 o->key);
        it->due = until;
        if (it->emsg && !strcmp(it->emsg, m)) {
            *rc_out = navoi__ob_save(ob, it, 0, NULL);
        } else {
            navoi__ob_set_error(it, 0, NAVOI_CAT_NONE, 0, NULL, m);
            *rc_out = navoi__ob_save(ob, it, 0, "waiting annulment=%s original=%s", akey,
                                     o->key);
            navoi__ob_log(ob, NAVOI_LOG_INFO, it->rid, it->key, "%s", m);
        }
        navoi__ob_item_destroy(o);
        return 0;
    }
    if (rc == NAVOI_ITEM_ABORTED || rc == NAVOI_ITEM_FAILED) {
        char m[300];
        snprintf(m, sizeof m, "the original %s ended %s: nothing to amend or annul", o->key,
                 navoi_outbox_state_name(rc));
        navoi__ob_set_error(it, NAVOI_ESTATE, NAVOI_CAT_DATA, 0, NULL, m);
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
    double u = navoi__ob_random(ob);
    size_t i;
    int rc;
    if (cat == NAVOI_CAT_CONFIG || cat == NAVOI_CAT_SECURITY)
        return navoi__ob_halt(ob, ob->log_keys);
    rc = navoi__ob_begin(ob);
    for (i = 0; i < n && rc == NAVOI_OK; i++) {
        navoi__ob_client_error(ob, v[i], trc);
        navoi__ob_transient(ob, v[i], now, u);
        rc = navoi__ob_save(ob, v[i], 0, "token-failed http=%d nav=%s cat=%s state=%s",
                            v[i]->ehttp, v[i]->enav ? v[i]->enav : "", navoi__ob_cat_name(v[i]->ecat),
                            navoi_outbox_state_name(v[i]->state));
    }
    navoi__ob_log(ob, NAVOI_LOG_WARN, NULL, ob->log_keys, "tokenExchange failed (%s): %s",
                  navoi__ob_cat_name(cat), navoi_client_errmsg(ob->client));
    return navoi__ob_finish(ob, rc);
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
    rc = navoi__ob_begin(ob);
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
    rc = navoi__ob_finish(ob, rc);
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
        navoi__ob_filter(&grp, NAVOI_ITEM_PENDING, NULL, NULL);
        for (i = 0; i < grp.n && nb < 100; i++)
            if (grp.v[i]->reuse)
                batch[nb++] = grp.v[i];
        if (ob->ops.claim_due) {
            /* the same items in the same positions, or nothing */
            int got = 0;
            rc = navoi__ob_claim_group(ob, batch, nb, now, &got);
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
    navoi__ob_log_context(ob, rid[0] ? rid : NULL, batch, nb);
    if (!navoi__ob_pace_ok(ob, now, 2, &rc)) /* tokenExchange and the manage request */
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
    navoi__ob_log_context(ob, rid, batch, nb);
    /* "about to send": claim, state SENDING, requestId and positions,
     * committed before the request leaves */
    rc = navoi__ob_begin(ob);
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
    rc = navoi__ob_finish(ob, rc);
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
        rc = navoi__ob_begin(ob);
        for (i = 0; i < nb && rc == NAVOI_OK; i++) {
            navoi__ob_item *it = batch[i];
            navoi__ob_client_error(ob, it, src);
            it->state = NAVOI_ITEM_PENDING;
            it->due = now;
            rc = navoi__ob_save(ob, it, 0, "rejected rid=%s http=%d nav=%s cat=%s state=PENDING",
                                rid, it->ehttp, navoi__ob_str(it->enav), navoi__ob_cat_name(cat));
        }
        rc = navoi__ob_finish(ob, rc);
        if (rc == NAVOI_OK)
            rc = navoi__ob_halt(ob, ob->log_keys);
        goto out;
    }
    {
        double u = navoi__ob_random(ob);
        int split = cat == NAVOI_CAT_DATA && nb > 1;
        rc = navoi__ob_begin(ob);
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
                navoi__ob_clear_error(it);
                rc = navoi__ob_save(ob, it, 1, "accepted rid=%s txid=%s index=%d http=200 "
                                    "state=SENT", rid, txid, (int)it->tidx);
                break;
            case NAVOI_CAT_AMBIGUOUS:
                navoi__ob_client_error(ob, it, src);
                it->ambiguous++;
                it->unresolved = 1;
                if (!strcmp(navoi_client_nav_error_code(c), "REQUEST_ID_NOT_UNIQUE") && it->reuse)
                    it->rid_conflicts++;
                it->due = it->sent + ob->lost_wait_ms;
                rc = navoi__ob_save(ob, it, 1, "ambiguous rid=%s http=%d nav=%s code=%d "
                                    "state=SENDING (lost-transaction check after %lld ms)",
                                    rid, it->ehttp, navoi__ob_str(it->enav), src,
                                    (long long)ob->lost_wait_ms);
                break;
            case NAVOI_CAT_DATA:
                navoi__ob_client_error(ob, it, src);
                if (split) {
                    it->state = NAVOI_ITEM_PENDING;
                    it->solo = 1;
                    it->due = now;
                } else {
                    it->state = NAVOI_ITEM_FAILED;
                    it->due = 0;
                }
                rc = navoi__ob_save(ob, it, 0, "rejected rid=%s http=%d nav=%s cat=DATA "
                                    "state=%s%s", rid, it->ehttp, navoi__ob_str(it->enav),
                                    navoi_outbox_state_name(it->state),
                                    split ? " (batch split: resending one by one)" : "");
                break;
            default: /* TRANSIENT */
                navoi__ob_client_error(ob, it, src);
                it->state = NAVOI_ITEM_PENDING;
                navoi__ob_transient(ob, it, now, u);
                rc = navoi__ob_save(ob, it, 0, "rejected rid=%s http=%d nav=%s cat=TRANSIENT "
                                    "state=%s retry_at=%lld", rid, it->ehttp,
                                    navoi__ob_str(it->enav), navoi_outbox_state_name(it->state),
                                    (long long)it->due);
                break;
            }
        }
        rc = navoi__ob_finish(ob, rc);
        if (src != NAVOI_OK)
            navoi__ob_log(ob, cat == NAVOI_CAT_DATA ? NAVOI_LOG_ERROR : NAVOI_LOG_WARN, rid,
                          ob->log_keys, "request %s: %s (%s)", rid, navoi_client_errmsg(c),
                          navoi__ob_cat_name(cat));
    }
out:
    for (i = 0; i < 100; i++)
        navoi__free(pay[i].data);
    /* batch[] points into cands or grp */
    navoi__ob_list_free(&grp);
    navoi__ob_list_free(&cands);
    return rc;
}

/* ---- 4. follow annulments awaiting approval ---- */

/* Applies the status NAV gave (status NULL: the query failed) to a
 * followed annulment, inside the step's transaction. *wake is set when
 * the item stopped being followed (decided, or the horizon passed). */
static int follow_apply(navoi_outbox *ob, navoi__ob_item *it, const char *status,
                        const char *date, const char *user, int64_t now, int *wake)
{
    const char *txid = navoi__ob_str(it->txid);
    navoi_client *c = ob->client;
    int rc;
    it->polls++;
    if (annul_decided(status)) {
        if ((rc = navoi__ob_set_str(&it->astatus, status)) != NAVOI_OK)
            return navoi__ob_fail(ob, rc, "out of memory storing the annulment status of %s",
                                  it->key);
        it->due = 0;
        *wake = 1;
        return navoi__ob_save(ob, it, 0, "annulment-decided txid=%s verification=%s date=%s "
                              "user=%s polls=%d", txid, status, navoi__ob_str(date),
                              navoi__ob_str(user), (int)it->polls);
    }
    it->due = follow_due(ob, it, now);
    if (!it->due) {
        *wake = 1;
        return navoi__ob_save(ob, it, 0, "annulment-unfollowed txid=%s verification=%s "
                              "polls=%d (no decision within %lld days of the send)", txid,
                              navoi__ob_str(it->astatus), (int)it->polls,
                              (long long)(ob->ann_horizon_ms / 86400000));
    }
    if (status)
        return navoi__ob_save(ob, it, 0, NULL);
    return navoi__ob_save(ob, it, 0, "annulment-poll-failed txid=%s http=%d nav=%s cat=%s", txid,
                          navoi_client_http_status(c), navoi_client_nav_error_code(c),
                          navoi__ob_cat_name(navoi_client_error_category(c)));
}

static int followed_annulment(const navoi__ob_item *it)
{
    return it->op == NAVOI_OP_ANNUL && NAVOI__OB_FOLLOWED(it);
}

static int unit_follow(navoi_outbox *ob, int64_t now, int *did)
{
    navoi_client *c = ob->client;
    navoi__ob_list first, l;
    navoi_txn *txn = NULL;
    const char *status = NULL, *date = NULL, *user = NULL;
    char txid[64];
    size_t i;
    int rc, qrc, *wake = NULL;

    rc = navoi__ob_due(ob, NAVOI_ITEM_DONE, now - NAVOI__OB_FOLLOW_SHIFT, 1, &first);
    if (rc != NAVOI_OK || first.n == 0) {
        navoi__ob_list_free(&first);
        return rc;
    }
    if (first.v[0]->op != NAVOI_OP_ANNUL || !first.v[0]->txid) {
        /* not an annulment with a transaction (a foreign write): stop following */
        first.v[0]->due = 0;
        *did = 1;
        rc = navoi__ob_begin(ob);
        if (rc == NAVOI_OK)
            rc = navoi__ob_finish(ob, navoi__ob_save(ob, first.v[0], 0, NULL));
        navoi__ob_list_free(&first);
        return rc;
    }
    snprintf(txid, sizeof txid, "%s", first.v[0]->txid);
    navoi__ob_list_free(&first);
    /* NAV decides on the transaction as a whole: every followed item of it */
    rc = claim_txn(ob, txid, NAVOI_ITEM_DONE, followed_annulment, now, &l);
    if (rc != NAVOI_OK || l.n == 0 || !(wake = navoi__calloc(l.n, sizeof *wake))) {
        rc = rc == NAVOI_OK && l.n ? navoi__ob_fail(ob, NAVOI_ENOMEM, "out of memory") : rc;
        navoi__ob_list_free(&l);
        return rc;
    }
    rc = query_status(ob, &l, txid, now, did, &qrc, &txn);
    if (rc != NAVOI_OK || !*did)
        goto out;
    if (qrc != NAVOI_OK) {
        navoi__ob_log(ob, NAVOI_LOG_WARN, ob->log_corr, ob->log_keys,
                      "annulment status query of %s failed, retrying later: %s", txid,
                      navoi_client_errmsg(c));
    } else {
        status = navoi_txn_annulment_status(txn);
        if (navoi_txn_annulment_decision(txn, &date, &user) != NAVOI_OK)
            date = user = NULL;
    }
    rc = navoi__ob_begin(ob);
    for (i = 0; i < l.n && rc == NAVOI_OK; i++)
        rc = follow_apply(ob, l.v[i], status, date, user, now, &wake[i]);
    for (i = 0; i < l.n && rc == NAVOI_OK; i++)
        if (wake[i] && l.v[i]->orig_key)
            rc = navoi__ob_wake_dependents(ob, l.v[i]->orig_key, now);
    rc = navoi__ob_finish(ob, rc);
    for (i = 0; i < l.n && rc == NAVOI_OK; i++)
        if (wake[i])
            log_annulment(ob, l.v[i], txid, now, date, user);
out:
    navoi__free(wake);
    navoi_txn_free(txn);
    navoi__ob_list_free(&l);
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
        rc = navoi__ob_unit_reconcile(ob, now, did);
    if (rc == NAVOI_OK && !*did)
        rc = unit_send(ob, now, did);
    if (rc == NAVOI_OK && !*did)
        rc = unit_follow(ob, now, did);
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
