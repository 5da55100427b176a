/*
 * worker.c - the pieces the worker's units (step.c: poll, send;
 * reconcile.c: lost-transaction check, duplicate-number check) share:
 * claiming items (lease + fencing counter), shared pacing, storage
 * transactions, the error recorded on an item and the transient backoff.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "core/client.h"
#include "outbox/outbox.h"

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

double navoi__ob_random(navoi_outbox *ob)
{
    unsigned char b[4];
    uint32_t v;
    if (navoi__client_random(ob->client, b, sizeof b) != NAVOI_OK)
        return 0.5;
    v = ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | b[3];
    return v / 4294967296.0;
}

void navoi__ob_set_error(navoi__ob_item *it, int code, int cat, int http, const char *nav,
                      const char *msg)
{
    it->ecode = code;
    it->ecat = cat;
    it->ehttp = http;
    navoi__ob_set_str(&it->enav, nav && *nav ? nav : NULL);
    navoi__ob_set_str(&it->emsg, msg && *msg ? msg : NULL);
}

void navoi__ob_client_error(navoi_outbox *ob, navoi__ob_item *it, int code)
{
    navoi_client *c = ob->client;
    navoi__ob_set_error(it, code, navoi_client_error_category(c), navoi_client_http_status(c),
              navoi_client_nav_error_code(c), navoi_client_errmsg(c));
}

void navoi__ob_clear_error(navoi__ob_item *it)
{
    navoi__ob_set_error(it, 0, 0, 0, NULL, NULL);
}

const char *navoi__ob_cat_name(int cat)
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
void navoi__ob_transient(navoi_outbox *ob, navoi__ob_item *it, int64_t now, double u)
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

int navoi__ob_halt(navoi_outbox *ob, const char *keys)
{
    navoi_client *c = ob->client;
    char msg[1200];
    snprintf(msg, sizeof msg, "%s (category %s%s%s)", navoi_client_errmsg(c),
             navoi__ob_cat_name(navoi_client_error_category(c)),
             navoi_client_nav_error_code(c)[0] ? ", NAV " : "", navoi_client_nav_error_code(c));
    navoi__free(ob->halt);
    ob->halt = navoi__strdup(msg);
    navoi__ob_log(ob, NAVOI_LOG_ERROR, ob->log_corr, keys,
                  "sending halted until the configuration is fixed: %s", msg);
    return navoi__ob_fail(ob, NAVOI_ECONFIG, "sending halted: %s", msg);
}

void navoi__ob_log_context(navoi_outbox *ob, const char *corr, navoi__ob_item **v, size_t n)
{
    snprintf(ob->log_corr, sizeof ob->log_corr, "%s", navoi__ob_str(corr));
    if (n == 0)
        ob->log_keys[0] = '\0';
    else if (n == 1)
        snprintf(ob->log_keys, sizeof ob->log_keys, "key=%s", v[0]->key);
    else
        snprintf(ob->log_keys, sizeof ob->log_keys, "keys=%s +%zu more", v[0]->key, n - 1);
}

/* Claims every item (lease + fence) in one transaction. Items another
 * worker holds are dropped from v. */
int navoi__ob_claim_all(navoi_outbox *ob, navoi__ob_item **v, size_t *n, int64_t now)
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

int navoi__ob_claim_one(navoi_outbox *ob, navoi__ob_item *it, int64_t now)
{
    int64_t nf = 0;
    int rc = ob->ops.begin(ob->ud);
    if (rc != NAVOI_OK)
        return navoi__ob_fail(ob, rc, "storage: begin failed");
    rc = ob->ops.claim(it->key, it->fence, ob->worker, now, now + ob->lease_ms, &nf, ob->ud);
    if (rc != NAVOI_OK) {
        ob->ops.rollback(ob->ud);
        /* NAVOI_ESTATE: another worker holds it, not a failure */
        return rc == NAVOI_ESTATE ? rc : navoi__ob_fail(ob, rc, "storage: claim failed");
    }
    it->fence = nf;
    return navoi__ob_commit(ob);
}

/* Shared pacing (ops.pace, several workers on one storage): before the
 * requests of a unit, a slot of requests x min_interval_ms is taken on the
 * storage's clock, so that more workers do not mean more requests per
 * second to NAV. 1 = go; 0 = wait (items claimed so far stay leased to this
 * worker, which takes them up again when its slot comes). */
int navoi__ob_pace_ok(navoi_outbox *ob, int64_t now, uint32_t requests, int *rc)
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

int navoi__ob_begin(navoi_outbox *ob)
{
    int rc = ob->ops.begin(ob->ud);
    return rc == NAVOI_OK ? rc : navoi__ob_fail(ob, rc, "storage: begin failed");
}

int navoi__ob_finish(navoi_outbox *ob, int rc)
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
int navoi__ob_claim_group(navoi_outbox *ob, navoi__ob_item **v, size_t n, int64_t now, int *got)
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
    if ((rc = navoi__ob_begin(ob)) != NAVOI_OK)
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
    rc = navoi__ob_begin(ob);
    for (i = 0; i < n && rc == NAVOI_OK; i++) {
        v[i]->fence = old[i];
        if (ok[i]) /* ours or free: released for the holder of the first item */
            rc = navoi__ob_save(ob, v[i], 0, NULL);
    }
    return navoi__ob_finish(ob, rc);
}

/* Keeps the items of list l that satisfy state (and txid/rid), in position order. */
void navoi__ob_filter(navoi__ob_list *l, int state, const char *txid, const char *rid)
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

int navoi__ob_wake_dependents(navoi_outbox *ob, const char *key, int64_t now)
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

const char *navoi__ob_str(const char *s)
{
    return navoi__ob_str_or(s, "");
}

const char *navoi__ob_str_or(const char *s, const char *dflt)
{
    return s ? s : dflt;
}
