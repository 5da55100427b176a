/*
 * reconcile.c - resolving attempts whose outcome is unknown (AMBIGUOUS:
 * timeout, reset, 5xx after the request may have been stored), never by
 * blind resubmission:
 *
 *  - the lost-transaction check (PROTOCOL.md 7.6), one bounded step per
 *    call: once the lost-wait has passed, list the transactions of the
 *    window (queryTransactionList, page by page, on NAV's clock widened by
 *    the margin and the observed skew); every transaction that is not
 *    already known to the outbox and has the attempt's item count and kind
 *    is a candidate; each candidate is fetched with returnOriginalRequest
 *    and matched on the invoice numbers by position. Found -> the item
 *    adopts the transactionId (SENT); none -> the attempt is resent with
 *    the same requestId (so that an attempt NAV accepted after all shows
 *    up as REQUEST_ID_NOT_UNIQUE instead of a duplicate); absent but NAV
 *    had said REQUEST_ID_NOT_UNIQUE -> NEEDS_ATTENTION, a person decides.
 *  - the duplicate-number check: INVOICE_NUMBER_NOT_UNIQUE for an item
 *    that had an ambiguous attempt is checked with queryInvoiceData; a
 *    valid instance at NAV means the earlier attempt was stored (DONE).
 *
 * Failures of the check itself are triaged like any other request
 * (CONFIG/SECURITY halt, others back off); the check only reads from NAV,
 * so its in-memory progress (ob->rec) may be lost at any time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "core/client.h"
#include "outbox/outbox.h"
#include "xml/fingerprint.h"
#include "xml/parse.h"

/* queryTransactionList accepts at most 35 days per request. */
#define MAX_RANGE_MS ((int64_t)35 * 24 * 3600 * 1000 - 1000)

void navoi__ob_reconcile_reset(navoi__ob_reconcile *r)
{
    size_t i;
    for (i = 0; i < r->ncands; i++)
        navoi__free(r->cands[i]);
    navoi__free(r->cands);
    memset(r, 0, sizeof *r);
}

/* ---- the lost-transaction check ---- */

/* Whether NAV's transaction txid is one the outbox already knows. Items
 * take their transactionId as storage group once NAV gave it (a requestId,
 * the group before that, is 30 characters, a transactionId 16), so any
 * item in group txid means known. */
static int is_known_txid(navoi_outbox *ob, const char *txid, int *known)
{
    navoi__ob_list l;
    int rc = navoi__ob_select(ob, NAVOI_STORAGE_BY_GROUP, txid, 0, 0, 0, 1, &l);
    *known = rc == NAVOI_OK && l.n > 0;
    navoi__ob_list_free(&l);
    return rc;
}

/* The number a document of the attempt carries: the invoice number, or
 * for an annulment its annulmentReference. *num is NULL when the document
 * cannot be read (not ours, then); NAVOI_ENOMEM is the only error. */
static int document_number(int op, const char *xml, size_t len, char **num)
{
    int rc;
    *num = NULL;
    if (op == NAVOI_OP_ANNUL) {
        xmlDocPtr doc = NULL;
        xmlNodePtr ref;
        int oom = 0;
        rc = navoi__xml_read(xml, len, &doc, NULL, 0);
        if (rc != NAVOI_OK)
            return rc == NAVOI_ENOMEM ? rc : NAVOI_OK;
        ref = xmlDocGetRootElement(doc);
        *num = navoi__xml_child_text(ref, NULL, "annulmentReference", &oom);
        xmlFreeDoc(doc);
        return oom ? NAVOI_ENOMEM : NAVOI_OK;
    } else {
        navoi_invoice *inv = NULL;
        rc = navoi_invoice_new(&inv, NULL, xml, len, NAVOI_OP_CREATE);
        if (rc == NAVOI_OK && !(*num = navoi__strdup(navoi_invoice_number(inv))))
            rc = NAVOI_ENOMEM;
        navoi_invoice_free(inv);
        return rc == NAVOI_ENOMEM ? rc : NAVOI_OK;
    }
}

typedef struct fp_ctx {
    char fp[NAVOI__XML_FINGERPRINT_LEN + 1];
    int rc;
} fp_ctx;

static int on_payload(int64_t t, const char *data, size_t len, void *ctx)
{
    fp_ctx *f = ctx;
    (void)t;
    f->rc = navoi__xml_fingerprint(data, len, f->fp);
    return 0;
}

/* 1 when xml (what NAV holds) says what the item enqueued says, compared
 * by content fingerprint, so that NAV's re-serialisation does not matter.
 * An unreadable document from NAV compares unequal; failing to read our
 * own copy is an error (with the outbox's message set). */
static int same_content(navoi_outbox *ob, const navoi__ob_item *it, const char *xml,
                        size_t len, int *same)
{
    char theirs[NAVOI__XML_FINGERPRINT_LEN + 1];
    fp_ctx ours;
    int rc;
    *same = 0;
    ours.rc = NAVOI_ENOTFOUND;
    ours.fp[0] = '\0';
    rc = navoi__xml_fingerprint(xml, len, theirs);
    if (rc == NAVOI_ENOMEM)
        return navoi__ob_fail(ob, rc, "out of memory");
    if (rc != NAVOI_OK)
        return NAVOI_OK;
    /* Not being able to read our own copy is a failure of this step (the
     * check is repeated), never a verdict on NAV's copy. */
    rc = ob->ops.payload(it->key, on_payload, &ours, ob->ud);
    if (rc == NAVOI_OK && ours.rc == NAVOI_ENOMEM)
        rc = NAVOI_ENOMEM;
    if (rc == NAVOI_ENOMEM)
        return navoi__ob_fail(ob, rc, "out of memory");
    if (rc != NAVOI_OK)
        return navoi__ob_fail(ob, rc, "storage: the invoice of %s could not be read", it->key);
    *same = ours.rc == NAVOI_OK && !strcmp(ours.fp, theirs);
    return NAVOI_OK;
}

enum { MATCH_NONE, MATCH_SAME, MATCH_OTHER };

/* Whether transaction txn is the attempt v[0..n): MATCH_SAME when it
 * carries exactly the attempt's documents, by position, with the same
 * content; MATCH_OTHER when the numbers are ours but some content is not
 * (someone else reported these numbers: a person must look); else
 * MATCH_NONE. An error (out of memory, storage) has the outbox's message set. */
static int matches(navoi_outbox *ob, const navoi_txn *txn, navoi__ob_item **v, size_t n,
                   int *verdict)
{
    size_t i, k, count = navoi_txn_item_count(txn);
    int same_all = 1;
    *verdict = MATCH_NONE;
    /* one processing result per index (PROTOCOL.md 5.3) */
    if (count != n)
        return NAVOI_OK;
    for (i = 0; i < n; i++) {
        const char *orig = NULL;
        size_t olen = 0;
        char *num = NULL;
        int ok, same = 1, rc;
        for (k = 0; k < count && !orig; k++)
            if (navoi_txn_item_index(txn, k) == v[i]->pos)
                orig = navoi_txn_item_original(txn, k, &olen);
        if (!orig)
            return NAVOI_OK;
        if ((rc = document_number(v[i]->op, orig, olen, &num)) != NAVOI_OK)
            return navoi__ob_fail(ob, rc, "out of memory");
        ok = num && !strcmp(num, v[i]->number); /* every item has a number */
        navoi__free(num);
        if (!ok)
            return NAVOI_OK;
        /* An annulment's payload is not a document; its reference, code
         * and reason are what it says, and the reference matched. */
        if (v[i]->op != NAVOI_OP_ANNUL && (rc = same_content(ob, v[i], orig, olen, &same)))
            return rc;
        same_all &= same;
    }
    *verdict = same_all ? MATCH_SAME : MATCH_OTHER;
    return NAVOI_OK;
}

static int reconcile_failed(navoi_outbox *ob, navoi__ob_list *l, int qrc, int64_t now)
{
    int cat = navoi_client_error_category(ob->client);
    double u = navoi__ob_random(ob);
    size_t i;
    int rc;
    navoi__ob_reconcile_reset(&ob->rec);
    if (cat == NAVOI_CAT_CONFIG || cat == NAVOI_CAT_SECURITY)
        return navoi__ob_halt(ob, ob->log_keys);
    rc = navoi__ob_begin(ob);
    for (i = 0; i < l->n && rc == NAVOI_OK; i++) {
        navoi__ob_item *it = l->v[i];
        navoi__ob_client_error(ob, it, qrc);
        navoi__ob_transient(ob, it, now, u);
        rc = navoi__ob_save(ob, it, it->state == NAVOI_ITEM_SENDING,
                            "reconcile-failed rid=%s http=%d nav=%s cat=%s state=%s", it->rid,
                            it->ehttp, navoi__ob_str(it->enav), navoi__ob_cat_name(it->ecat),
                            navoi_outbox_state_name(it->state));
    }
    navoi__ob_log(ob, NAVOI_LOG_WARN, ob->log_corr, ob->log_keys,
                  "lost-transaction check failed, retrying later: %s",
                  navoi_client_errmsg(ob->client));
    return navoi__ob_finish(ob, rc);
}

static int reconcile_verdict(navoi_outbox *ob, navoi__ob_list *l, const char *found,
                             int64_t now)
{
    size_t i;
    int rc = navoi__ob_begin(ob), conflict = 0;
    char why[400];
    for (i = 0; i < l->n; i++)
        if (l->v[i]->rid_conflicts > 0)
            conflict = 1;
    if (ob->rec.other[0]) {
        conflict = 1;
        snprintf(why, sizeof why, "NAV's transaction %s carries these invoice numbers with "
                 "other content (reported by another system?), and none carries this "
                 "content: check on NAV's web UI", ob->rec.other);
    } else {
        snprintf(why, sizeof why, "NAV says the requestId was used by an accepted request, "
                 "but no transaction with these invoices was found: check on NAV's web UI");
    }
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
            navoi__ob_clear_error(it);
            if (rc == NAVOI_OK)
                rc = navoi__ob_save(ob, it, 1, "reconciled rid=%s found txid=%s index=%d "
                                    "state=SENT", it->rid, found, (int)it->tidx);
        } else if (conflict) {
            it->state = NAVOI_ITEM_NEEDS_ATTENTION;
            it->due = 0;
            navoi__ob_set_error(it, NAVOI_EAMBIGUOUS, NAVOI_CAT_AMBIGUOUS, 0,
                                ob->rec.other[0] ? NULL : "REQUEST_ID_NOT_UNIQUE", why);
            rc = navoi__ob_save(ob, it, 0, "reconciled rid=%s verdict=conflicting%s%s "
                                "state=NEEDS_ATTENTION", it->rid,
                                ob->rec.other[0] ? " other_content_txid=" : "", ob->rec.other);
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
    return navoi__ob_finish(ob, rc);
}

int navoi__ob_unit_reconcile(navoi_outbox *ob, int64_t now, int *did)
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
        rc = navoi__ob_begin(ob);
        if (rc == NAVOI_OK)
            rc = navoi__ob_finish(ob, navoi__ob_save(ob, it, 0, "sending without requestId "
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
    navoi__ob_filter(&l, NAVOI_ITEM_SENDING, NULL, rid);
    if (ob->ops.claim_due) {
        /* the check needs the whole attempt (matching is by position) */
        int got = 0;
        rc = navoi__ob_claim_group(ob, l.v, l.n, now, &got);
        if (rc == NAVOI_OK && !got) {
            navoi__ob_list_free(&l);
            return NAVOI_OK;
        }
    } else {
        rc = navoi__ob_claim_all(ob, l.v, &l.n, now);
    }
    if (rc != NAVOI_OK || l.n == 0 || !navoi__ob_pace_ok(ob, now, 1, &rc)) {
        navoi__ob_list_free(&l);
        return rc;
    }
    *did = 1;
    navoi__ob_log_context(ob, rid, l.v, l.n);
    /* a new check (the progress of another attempt's check is dropped;
     * a reset leaves rec.rid empty) */
    if (strcmp(ob->rec.rid, rid) != 0) {
        int64_t skew = navoi_client_server_skew_ms(c);
        navoi__ob_reconcile_reset(&ob->rec);
        snprintf(ob->rec.rid, sizeof ob->rec.rid, "%s", rid);
        if (skew < 0)
            skew = -skew;
        /* insDate is NAV's clock: widen by the margin and the seen skew.
         * The items of one attempt were recorded as about to be sent in
         * one commit, with one time. */
        ob->rec.from_ms = l.v[0]->sent - ob->lost_margin_ms - skew;
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
            int known = 0, annul_txn = !strcmp(navoi__ob_str(ta), "true");
            char **nc;
            if (!t || (cnt && (size_t)atoi(cnt) != l.n) ||
                annul_txn != (l.v[0]->op == NAVOI_OP_ANNUL))
                continue;
            rc = is_known_txid(ob, t, &known);
            if (rc != NAVOI_OK || known || ob->rec.ncands >= ob->rec_max_cands)
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
        if (rc == NAVOI_OK && atoi(navoi__ob_str(avail)) > ob->rec.page &&
            ob->rec.page < ob->rec_max_pages) {
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
        int m = MATCH_NONE;
        if (qrc != NAVOI_OK) {
            rc = reconcile_failed(ob, &l, qrc, now);
        } else if ((rc = matches(ob, txn, l.v, l.n, &m)) != NAVOI_OK) {
            navoi__ob_reconcile_reset(&ob->rec);
        } else if (m == MATCH_SAME) {
            char found[64];
            snprintf(found, sizeof found, "%s", cand);
            rc = reconcile_verdict(ob, &l, found, now);
        } else {
            if (m == MATCH_OTHER && !ob->rec.other[0])
                snprintf(ob->rec.other, sizeof ob->rec.other, "%s", cand);
            if (++ob->rec.icand >= ob->rec.ncands)
                rc = reconcile_verdict(ob, &l, NULL, now);
        }
        navoi_txn_free(txn);
    }
    navoi__ob_list_free(&l);
    return rc;
}

/* ---- the duplicate-number check ---- */

int navoi__ob_dupcheck(navoi_outbox *ob, navoi__ob_item *it, int64_t now, int *did)
{
    navoi_client *c = ob->client;
    navoi_result *res = NULL;
    int rc, qrc, same = 0;

    navoi__ob_log_context(ob, it->rid, &it, 1);
    rc = navoi__ob_claim_one(ob, it, now);
    if (rc != NAVOI_OK)
        return rc == NAVOI_ESTATE ? NAVOI_OK : rc;
    if (!navoi__ob_pace_ok(ob, now, 1, &rc))
        return rc;
    qrc = navoi_query_invoice_data(c, it->number, NAVOI_OUTBOUND, 0, NULL, &res);
    ob->last_request_ms = now;
    *did = 1;
    if (qrc != NAVOI_OK && (navoi_client_error_category(c) == NAVOI_CAT_CONFIG ||
                            navoi_client_error_category(c) == NAVOI_CAT_SECURITY))
        return navoi__ob_halt(ob, ob->log_keys);
    if (qrc == NAVOI_OK && navoi_result_count(res) > 0) {
        size_t clen = 0;
        const char *content = navoi_result_content(res, &clen);
        rc = same_content(ob, it, navoi__ob_str(content), clen, &same);
        if (rc != NAVOI_OK) {
            navoi_result_free(res);
            return rc;
        }
    }
    if ((rc = navoi__ob_begin(ob)) != NAVOI_OK) {
        navoi_result_free(res);
        return rc;
    }
    if (qrc == NAVOI_OK && navoi_result_count(res) > 0 && !same) {
        const char *t = navoi__ob_str_or(navoi_result_get(res, 0, "auditData/transactionId"), "?");
        char m[400];
        it->state = NAVOI_ITEM_NEEDS_ATTENTION;
        it->dupcheck = 0;
        it->due = 0;
        snprintf(m, sizeof m, "NAV holds invoice %s from transaction %s with other content than "
                 "this item (reported by another system?): check on NAV's web UI",
                 it->number, t);
        navoi__ob_set_error(it, NAVOI_EAMBIGUOUS, NAVOI_CAT_AMBIGUOUS, 0,
                            "INVOICE_NUMBER_NOT_UNIQUE", m);
        rc = navoi__ob_save(ob, it, 0, "dupcheck other_content_txid=%s state=NEEDS_ATTENTION",
                            t);
        navoi__ob_log(ob, NAVOI_LOG_WARN, it->rid, ob->log_keys, "%s", m);
    } else if (qrc == NAVOI_OK && navoi_result_count(res) > 0) {
        const char *t = navoi__ob_str_or(navoi_result_get(res, 0, "auditData/transactionId"), "?");
        const char *dup = navoi__ob_str_or(it->txid, "?");
        it->state = NAVOI_ITEM_DONE;
        it->dupcheck = 0;
        it->due = 0;
        navoi__ob_set_error(it, 0, 0, 0, "INVOICE_NUMBER_NOT_UNIQUE", NULL);
        {
            char m[300];
            snprintf(m, sizeof m, "reported by transaction %s (an earlier attempt whose answer "
                                  "was lost); transaction %s was its duplicate",
                     t, dup);
            navoi__ob_set_str(&it->emsg, m);
        }
        rc = navoi__ob_save(ob, it, 0, "done reported_by=%s duplicate_txid=%s state=DONE", t,
                            dup);
        if (rc == NAVOI_OK)
            rc = navoi__ob_wake_dependents(ob, it->key, now);
        navoi__ob_log(ob, NAVOI_LOG_WARN, it->rid, ob->log_keys,
                      "INVOICE_NUMBER_NOT_UNIQUE after an ambiguous attempt: NAV already holds "
                      "%s from transaction %s, item DONE", it->number, t);
    } else if (qrc == NAVOI_OK) {
        it->state = NAVOI_ITEM_ABORTED;
        it->dupcheck = 0;
        it->due = 0;
        rc = navoi__ob_save(ob, it, 0, "aborted nav=INVOICE_NUMBER_NOT_UNIQUE checked=absent "
                                        "state=ABORTED");
    } else if (navoi_client_error_category(c) == NAVOI_CAT_DATA) {
        it->state = NAVOI_ITEM_NEEDS_ATTENTION;
        it->dupcheck = 0;
        navoi__ob_client_error(ob, it, qrc);
        rc = navoi__ob_save(ob, it, 0, "dupcheck-failed http=%d nav=%s state=NEEDS_ATTENTION",
                            it->ehttp, navoi__ob_str(it->enav));
    } else {
        navoi__ob_client_error(ob, it, qrc);
        navoi__ob_transient(ob, it, now, navoi__ob_random(ob));
        rc = navoi__ob_save(ob, it, 1, "dupcheck-failed http=%d nav=%s cat=%s",
                            it->ehttp, navoi__ob_str(it->enav), navoi__ob_cat_name(it->ecat));
    }
    navoi_result_free(res);
    return navoi__ob_finish(ob, rc);
}
