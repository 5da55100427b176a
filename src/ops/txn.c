/*
 * txn.c - owns struct navoi_txn: creation, the per-answer builders used by
 * the response parser, the merge of a fresh answer into a caller's handle
 * (navoi__txn_apply) and the public read-only accessors. The merge is
 * all-or-nothing: every status change is checked before anything is
 * copied, and every copy is made before the handle is touched, so a refused
 * regression or an allocation failure leaves the handle as it was.
 */
#include "ops/txn.h"

#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "navoi/navoi.h"
#include "ops/response.h"
#include "state/status.h"

static char *dup_or_empty(const char *s)
{
    return navoi__strdup(s ? s : "");
}

static void msg_free(navoi__txn_msg *m)
{
    navoi__free(m->code);
    navoi__free(m->text);
    navoi__free(m->ptr_tag);
    navoi__free(m->ptr_value);
    navoi__free(m->ptr_line);
    navoi__free(m->ptr_original_invoice_number);
    memset(m, 0, sizeof *m);
}

static void item_free(navoi__txn_item *it)
{
    size_t k;

    for (k = 0; k < it->msg_count; k++)
        msg_free(&it->msgs[k]);
    navoi__free(it->msgs);
    navoi__free(it->original);
    memset(it, 0, sizeof *it);
}

NAVOI_API void navoi_txn_free(navoi_txn *txn)
{
    size_t i;

    if (!txn)
        return;
    for (i = 0; i < txn->count; i++)
        item_free(&txn->items[i]);
    navoi__free(txn->items);
    navoi__free(txn->id);
    navoi__free(txn->request_id);
    navoi__free(txn->original_request_version);
    navoi__free(txn->annulment_status);
    navoi__free(txn->annulment_decision_date);
    navoi__free(txn->annulment_decision_user);
    navoi__free(txn);
}

int navoi__txn_new(navoi_txn **out, const char *transaction_id, const char *request_id)
{
    navoi_txn *t;

    if (!out)
        return NAVOI_EINVAL;
    *out = NULL;
    t = navoi__calloc(1, sizeof *t);
    if (!t)
        return NAVOI_ENOMEM;
    t->id = dup_or_empty(transaction_id);
    t->request_id = dup_or_empty(request_id);
    t->original_request_version = dup_or_empty(NULL);
    t->annulment_status = dup_or_empty(NULL);
    t->annulment_decision_date = dup_or_empty(NULL);
    t->annulment_decision_user = dup_or_empty(NULL);
    if (!t->id || !t->request_id || !t->original_request_version || !t->annulment_status ||
        !t->annulment_decision_date || !t->annulment_decision_user) {
        navoi_txn_free(t);
        return NAVOI_ENOMEM;
    }
    *out = t;
    return NAVOI_OK;
}

static navoi__txn_item *find_item(const navoi_txn *txn, int32_t index, int32_t batch_index)
{
    size_t i;

    for (i = 0; i < txn->count; i++)
        if (txn->items[i].index == index && txn->items[i].batch_index == batch_index)
            return &txn->items[i];
    return NULL;
}

int navoi__txn_add_item(navoi_txn *txn, int32_t index, int32_t batch_index, int status,
                        navoi__txn_item **item_out)
{
    navoi__txn_item *it;

    if (item_out)
        *item_out = NULL;
    if (txn->count >= NAVOI__TXN_MAX_ITEMS)
        return NAVOI_EPROTO;
    /* Two results for one (index, batchIndex) cannot both be true. */
    if (find_item(txn, index, batch_index))
        return NAVOI_EPROTO;
    if (txn->count == txn->cap) {
        size_t cap = txn->cap ? txn->cap * 2 : 8;
        navoi__txn_item *p;

        if (cap > NAVOI__TXN_MAX_ITEMS)
            cap = NAVOI__TXN_MAX_ITEMS;
        p = navoi__realloc(txn->items, cap * sizeof *p);
        if (!p)
            return NAVOI_ENOMEM;
        txn->items = p;
        txn->cap = cap;
    }
    it = &txn->items[txn->count++];
    memset(it, 0, sizeof *it);
    it->index = index;
    it->batch_index = batch_index;
    it->status = status;
    if (item_out)
        *item_out = it;
    return NAVOI_OK;
}

static int text_ok(const char *s)
{
    return !s || strlen(s) <= NAVOI__TXN_MAX_TEXT;
}

int navoi__txn_add_message(navoi_txn *txn, navoi__txn_item *item, int kind, int severity,
                           const char *code, const char *text, const char *ptr_tag,
                           const char *ptr_value, const char *ptr_line,
                           const char *ptr_original_invoice_number)
{
    navoi__txn_msg m;

    if (item->msg_count >= NAVOI__TXN_MAX_MESSAGES ||
        txn->total_msgs >= NAVOI__TXN_MAX_TOTAL_MESSAGES)
        return NAVOI_EPROTO;
    if (!text_ok(code) || !text_ok(text) || !text_ok(ptr_tag) || !text_ok(ptr_value) ||
        !text_ok(ptr_line) || !text_ok(ptr_original_invoice_number))
        return NAVOI_EPROTO;
    if (item->msg_count == item->msg_cap) {
        size_t cap = item->msg_cap ? item->msg_cap * 2 : 4;
        navoi__txn_msg *p = navoi__realloc(item->msgs, cap * sizeof *p);

        if (!p)
            return NAVOI_ENOMEM;
        item->msgs = p;
        item->msg_cap = cap;
    }
    memset(&m, 0, sizeof m);
    m.kind = kind;
    m.severity = severity;
    m.code = dup_or_empty(code);
    m.text = dup_or_empty(text);
    m.ptr_tag = dup_or_empty(ptr_tag);
    m.ptr_value = dup_or_empty(ptr_value);
    m.ptr_line = dup_or_empty(ptr_line);
    m.ptr_original_invoice_number = dup_or_empty(ptr_original_invoice_number);
    if (!m.code || !m.text || !m.ptr_tag || !m.ptr_value || !m.ptr_line ||
        !m.ptr_original_invoice_number) {
        msg_free(&m);
        return NAVOI_ENOMEM;
    }
    item->msgs[item->msg_count++] = m;
    txn->total_msgs++;
    return NAVOI_OK;
}

void navoi__txn_item_set_original(navoi__txn_item *item, char *data, size_t len)
{
    navoi__free(item->original);
    item->original = data;
    item->original_len = data ? len : 0;
}

/* Replaces *slot with a copy of value; on failure *slot is untouched. */
static int replace_str(char **slot, const char *value)
{
    char *c = dup_or_empty(value);

    if (!c)
        return NAVOI_ENOMEM;
    navoi__free(*slot);
    *slot = c;
    return NAVOI_OK;
}

int navoi__txn_set_request_version(navoi_txn *txn, const char *version)
{
    return replace_str(&txn->original_request_version, version);
}

int navoi__txn_set_annulment(navoi_txn *txn, const char *status, const char *decision_date,
                             const char *decision_user)
{
    char *s = dup_or_empty(status);
    char *d = dup_or_empty(decision_date);
    char *u = dup_or_empty(decision_user);

    if (!s || !d || !u) {
        navoi__free(s);
        navoi__free(d);
        navoi__free(u);
        return NAVOI_ENOMEM;
    }
    navoi__free(txn->annulment_status);
    navoi__free(txn->annulment_decision_date);
    navoi__free(txn->annulment_decision_user);
    txn->annulment_status = s;
    txn->annulment_decision_date = d;
    txn->annulment_decision_user = u;
    return NAVOI_OK;
}

const char *navoi__txn_request_version(const navoi_txn *txn)
{
    return txn ? txn->original_request_version : "";
}

const char *navoi__txn_annulment_decision_date(const navoi_txn *txn)
{
    return txn ? txn->annulment_decision_date : "";
}

const char *navoi__txn_annulment_decision_user(const navoi_txn *txn)
{
    return txn ? txn->annulment_decision_user : "";
}

/* Deep copy of an item (messages and original request). */
static int item_copy(navoi__txn_item *dst, const navoi__txn_item *src)
{
    size_t k;

    memset(dst, 0, sizeof *dst);
    dst->index = src->index;
    dst->batch_index = src->batch_index;
    dst->status = src->status;
    dst->compressed = src->compressed;
    if (src->msg_count) {
        dst->msgs = navoi__calloc(src->msg_count, sizeof *dst->msgs);
        if (!dst->msgs)
            goto oom;
        dst->msg_cap = src->msg_count;
        for (k = 0; k < src->msg_count; k++) {
            const navoi__txn_msg *s = &src->msgs[k];
            navoi__txn_msg *d = &dst->msgs[k];

            d->kind = s->kind;
            d->severity = s->severity;
            d->code = navoi__strdup(s->code);
            d->text = navoi__strdup(s->text);
            d->ptr_tag = navoi__strdup(s->ptr_tag);
            d->ptr_value = navoi__strdup(s->ptr_value);
            d->ptr_line = navoi__strdup(s->ptr_line);
            d->ptr_original_invoice_number = navoi__strdup(s->ptr_original_invoice_number);
            /* Counted before the check so item_free() releases a partly
             * filled message too. */
            dst->msg_count = k + 1;
            if (!d->code || !d->text || !d->ptr_tag || !d->ptr_value || !d->ptr_line ||
                !d->ptr_original_invoice_number)
                goto oom;
        }
    }
    if (src->original) {
        dst->original = navoi__memdup(src->original, src->original_len + 1);
        if (!dst->original)
            goto oom;
        dst->original_len = src->original_len;
    }
    return NAVOI_OK;
oom:
    item_free(dst);
    return NAVOI_ENOMEM;
}

static int item_cmp(const void *a, const void *b)
{
    const navoi__txn_item *x = a, *y = b;

    if (x->index != y->index)
        return x->index < y->index ? -1 : 1;
    if (x->batch_index != y->batch_index)
        return x->batch_index < y->batch_index ? -1 : 1;
    return 0;
}

int navoi__txn_apply(navoi_txn *txn, const navoi_txn *fresh)
{
    navoi__txn_item *items = NULL;
    char *version = NULL, *ann_s = NULL, *ann_d = NULL, *ann_u = NULL;
    size_t i, n = 0, unmatched = 0, total_msgs = 0;
    int rc = NAVOI_OK;

    if (!txn || !fresh || txn == fresh)
        return NAVOI_EINVAL;

    /* 1. Every status change must be legal before anything is touched. */
    for (i = 0; i < fresh->count; i++) {
        const navoi__txn_item *f = &fresh->items[i];
        const navoi__txn_item *old = find_item(txn, f->index, f->batch_index);

        if (old && !navoi__status_transition_ok(old->status, f->status))
            return NAVOI_ESTATE;
    }
    for (i = 0; i < txn->count; i++)
        if (!find_item(fresh, txn->items[i].index, txn->items[i].batch_index))
            unmatched++;

    /* 2. Copy everything that is new. */
    if (fresh->count + unmatched) {
        items = navoi__calloc(fresh->count + unmatched, sizeof *items);
        if (!items)
            return NAVOI_ENOMEM;
    }
    for (i = 0; i < fresh->count; i++) {
        rc = item_copy(&items[n], &fresh->items[i]);
        if (rc != NAVOI_OK)
            goto out;
        n++;
    }
    if (fresh->original_request_version[0]) {
        version = navoi__strdup(fresh->original_request_version);
        if (!version) {
            rc = NAVOI_ENOMEM;
            goto out;
        }
    }
    if (fresh->annulment_status[0]) {
        ann_s = navoi__strdup(fresh->annulment_status);
        ann_d = navoi__strdup(fresh->annulment_decision_date);
        ann_u = navoi__strdup(fresh->annulment_decision_user);
        if (!ann_s || !ann_d || !ann_u) {
            rc = NAVOI_ENOMEM;
            goto out;
        }
    }

    /* 3. Commit; nothing below can fail. An answer without originalRequest
     * (a poll without NAVOI_STATUS_RETURN_ORIGINAL) keeps the one fetched
     * earlier: the submitted bytes of an item never change. */
    for (i = 0; i < n; i++) {
        navoi__txn_item *old = find_item(txn, items[i].index, items[i].batch_index);

        if (old && !items[i].original && old->original) {
            items[i].original = old->original;
            items[i].original_len = old->original_len;
            old->original = NULL;
            old->original_len = 0;
        }
    }
    for (i = 0; i < txn->count; i++) {
        navoi__txn_item *old = &txn->items[i];

        if (find_item(fresh, old->index, old->batch_index))
            item_free(old);
        else
            items[n++] = *old; /* moved: an item NAV did not mention is kept */
    }
    navoi__free(txn->items);
    txn->items = items;
    txn->count = n;
    txn->cap = fresh->count + unmatched;
    items = NULL;
    n = 0;
    if (txn->count > 1)
        qsort(txn->items, txn->count, sizeof *txn->items, item_cmp);
    for (i = 0; i < txn->count; i++)
        total_msgs += txn->items[i].msg_count;
    txn->total_msgs = total_msgs;
    if (version) {
        navoi__free(txn->original_request_version);
        txn->original_request_version = version;
        version = NULL;
    }
    if (ann_s) {
        navoi__free(txn->annulment_status);
        navoi__free(txn->annulment_decision_date);
        navoi__free(txn->annulment_decision_user);
        txn->annulment_status = ann_s;
        txn->annulment_decision_date = ann_d;
        txn->annulment_decision_user = ann_u;
        ann_s = ann_d = ann_u = NULL;
    }
out:
    for (i = 0; i < n; i++)
        item_free(&items[i]);
    navoi__free(items);
    navoi__free(version);
    navoi__free(ann_s);
    navoi__free(ann_d);
    navoi__free(ann_u);
    return rc;
}

/* ---- public accessors ---------------------------------------------- */

static const navoi__txn_item *item_at(const navoi_txn *txn, size_t i)
{
    if (!txn || i >= txn->count)
        return NULL;
    return &txn->items[i];
}

static const navoi__txn_msg *msg_at(const navoi_txn *txn, size_t i, size_t k)
{
    const navoi__txn_item *it = item_at(txn, i);

    if (!it || k >= it->msg_count)
        return NULL;
    return &it->msgs[k];
}

NAVOI_API const char *navoi_txn_id(const navoi_txn *txn)
{
    return txn ? txn->id : "";
}

NAVOI_API const char *navoi_txn_request_id(const navoi_txn *txn)
{
    return txn ? txn->request_id : "";
}

NAVOI_API int navoi_txn_is_final(const navoi_txn *txn)
{
    size_t i;

    if (!txn || txn->count == 0)
        return 0;
    for (i = 0; i < txn->count; i++)
        if (!navoi__status_is_final(txn->items[i].status))
            return 0;
    return 1;
}

NAVOI_API size_t navoi_txn_item_count(const navoi_txn *txn)
{
    return txn ? txn->count : 0;
}

NAVOI_API int32_t navoi_txn_item_index(const navoi_txn *txn, size_t i)
{
    const navoi__txn_item *it = item_at(txn, i);
    return it ? it->index : 0;
}

NAVOI_API int32_t navoi_txn_item_batch_index(const navoi_txn *txn, size_t i)
{
    const navoi__txn_item *it = item_at(txn, i);
    return it ? it->batch_index : 0;
}

NAVOI_API int navoi_txn_item_status(const navoi_txn *txn, size_t i)
{
    const navoi__txn_item *it = item_at(txn, i);
    return it ? it->status : NAVOI_STATUS_UNKNOWN;
}

NAVOI_API const char *navoi_txn_item_original(const navoi_txn *txn, size_t i,
                                              size_t *len_out)
{
    const navoi__txn_item *it = item_at(txn, i);

    if (len_out)
        *len_out = 0;
    if (!it || !it->original)
        return NULL;
    if (len_out)
        *len_out = it->original_len;
    return it->original;
}

NAVOI_API size_t navoi_txn_message_count(const navoi_txn *txn, size_t i)
{
    const navoi__txn_item *it = item_at(txn, i);
    return it ? it->msg_count : 0;
}

NAVOI_API int navoi_txn_message(const navoi_txn *txn, size_t i, size_t k, int *kind_out,
                                int *severity_out, const char **code_out,
                                const char **text_out)
{
    const navoi__txn_msg *m = msg_at(txn, i, k);

    /* Outputs get harmless values even on failure, so a binding that
     * ignores the return code never reads garbage. */
    if (kind_out)
        *kind_out = m ? m->kind : 0;
    if (severity_out)
        *severity_out = m ? m->severity : 0;
    if (code_out)
        *code_out = m ? m->code : "";
    if (text_out)
        *text_out = m ? m->text : "";
    return m ? NAVOI_OK : NAVOI_ENOTFOUND;
}

NAVOI_API int navoi_txn_message_pointer(const navoi_txn *txn, size_t i, size_t k,
                                        const char **tag_out, const char **value_out,
                                        const char **line_out,
                                        const char **original_invoice_number_out)
{
    const navoi__txn_msg *m = msg_at(txn, i, k);

    if (tag_out)
        *tag_out = m ? m->ptr_tag : "";
    if (value_out)
        *value_out = m ? m->ptr_value : "";
    if (line_out)
        *line_out = m ? m->ptr_line : "";
    if (original_invoice_number_out)
        *original_invoice_number_out = m ? m->ptr_original_invoice_number : "";
    return m ? NAVOI_OK : NAVOI_ENOTFOUND;
}

NAVOI_API const char *navoi_txn_annulment_status(const navoi_txn *txn)
{
    return txn ? txn->annulment_status : "";
}

NAVOI_API const char *navoi_txn_original_request_version(const navoi_txn *txn)
{
    return navoi__txn_request_version(txn);
}

NAVOI_API int navoi_txn_annulment_decision(const navoi_txn *txn, const char **date_out,
                                           const char **user_out)
{
    const char *date = navoi__txn_annulment_decision_date(txn);
    const char *user = navoi__txn_annulment_decision_user(txn);

    if (date_out)
        *date_out = date ? date : "";
    if (user_out)
        *user_out = user ? user : "";
    return date && *date ? NAVOI_OK : NAVOI_ENOTFOUND;
}
