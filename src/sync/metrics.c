/*
 * metrics.c - owns navoi_metrics: the monitoring values of an outbox.
 * Gauges (items per state, backlog, oldest pending age) come from the
 * storage's counts at each refresh; everything about outcomes and time
 * comes from the item histories, which the outbox writes as
 * "event key=value ... state=X" lines (outbox.c, step.c) and which are
 * read incrementally through the version-2 history_scan: a refresh reads
 * only entries added since the previous one.
 *
 * Parsing is deliberately forgiving: an entry this file does not
 * understand only contributes what it carries (state=, nav=, cat=).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/buf.h"
#include "outbox/outbox.h"
#include "storage/storage.h"

#define MINUTE_MS ((int64_t)60000)
#define SCAN_BATCH 5000
#define MAX_CODES 512
#define N_HIST 11

/* Processing delay histogram bounds (seconds). */
static const double g_bounds[N_HIST] = {1, 5, 15, 30, 60, 300, 900, 3600, 21600, 86400, 604800};

enum { OUT_DONE, OUT_ABORTED, OUT_FAILED, OUT_ATTENTION, OUT_N };
static const char *const g_out_names[OUT_N] = {"done", "aborted", "failed", "needs_attention"};
static const char *const g_cat_names[] = {"NONE", "CONFIG", "DATA", "TRANSIENT", "AMBIGUOUS",
                                          "SECURITY"};
#define N_CATS 6

typedef struct minute_bucket {
    int64_t minute; /* time_ms / 60000 */
    int64_t enq, out[OUT_N], requeued;
    int64_t dsum, dmax, dcount;
} minute_bucket;

typedef struct code_count {
    char code[64];
    int cat;
    int64_t n;
} code_count;

/* key -> enqueue time, open addressing with tombstones */
typedef struct pend_slot {
    char *key;   /* NULL = empty; &g_tomb = deleted */
    int64_t t;
} pend_slot;

static char g_tomb[1];

struct navoi_metrics {
    navoi_outbox *ob;
    int64_t last_seq, scanned;
    int64_t enqueued, outcome[OUT_N], resends, operator_retries;
    /* annulment decisions seen while following (approved, rejected) and
     * annulments whose following ended undecided */
    int64_t annul_approved, annul_rejected, annul_unfollowed;
    int64_t errors_by_cat[N_CATS];
    code_count *codes;
    size_t ncodes;
    int64_t hist[N_HIST + 1]; /* last = +Inf overflow */
    double hist_sum;          /* seconds */
    int64_t hist_count;
    int64_t last_success_ms, first_event_ms, last_event_ms;
    pend_slot *pend;
    size_t pend_cap, pend_used;
    minute_bucket *mins;
    size_t nmins, capmins;
    /* gauges of the last refresh */
    int64_t items[NAVOI_ITEM_NEEDS_ATTENTION + 1];
    int64_t backlog, oldest_age_ms, now_ms;
    int oom;
};

/* ---- small containers ---- */

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static pend_slot *pend_find(navoi_metrics *m, const char *key, int for_insert)
{
    size_t i, mask;
    pend_slot *tomb = NULL;
    if (!m->pend_cap)
        return NULL;
    mask = m->pend_cap - 1;
    for (i = (size_t)hash_str(key) & mask;; i = (i + 1) & mask) {
        pend_slot *p = &m->pend[i];
        if (!p->key)
            return for_insert ? (tomb ? tomb : p) : NULL;
        if (p->key == g_tomb) {
            if (!tomb)
                tomb = p;
        } else if (!strcmp(p->key, key)) {
            return p;
        }
    }
}

static int pend_grow(navoi_metrics *m)
{
    size_t nc = m->pend_cap ? m->pend_cap * 2 : 1024, i;
    pend_slot *old = m->pend, *nv = navoi__calloc(nc, sizeof *nv);
    size_t oc = m->pend_cap;
    if (!nv)
        return NAVOI_ENOMEM;
    m->pend = nv;
    m->pend_cap = nc;
    m->pend_used = 0;
    for (i = 0; i < oc; i++) {
        if (old[i].key && old[i].key != g_tomb) {
            pend_slot *p = pend_find(m, old[i].key, 1);
            *p = old[i];
            m->pend_used++;
        }
    }
    navoi__free(old);
    return NAVOI_OK;
}

static int pend_put(navoi_metrics *m, const char *key, int64_t t)
{
    pend_slot *p;
    if ((m->pend_used + 1) * 2 > m->pend_cap && pend_grow(m) != NAVOI_OK)
        return NAVOI_ENOMEM;
    p = pend_find(m, key, 1);
    if (p->key && p->key != g_tomb) {
        p->t = t;
        return NAVOI_OK;
    }
    if (!(p->key = navoi__strdup(key)))
        return NAVOI_ENOMEM;
    p->t = t;
    m->pend_used++;
    return NAVOI_OK;
}

static void pend_del(navoi_metrics *m, pend_slot *p)
{
    navoi__free(p->key);
    p->key = g_tomb; /* stays counted in pend_used until the next grow */
}

static minute_bucket *bucket_at(navoi_metrics *m, int64_t time_ms)
{
    int64_t minute = time_ms / MINUTE_MS;
    size_t lo = 0, hi = m->nmins;
    /* history is written in time order: the last bucket is the usual hit */
    if (m->nmins && m->mins[m->nmins - 1].minute == minute)
        return &m->mins[m->nmins - 1];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (m->mins[mid].minute < minute)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < m->nmins && m->mins[lo].minute == minute)
        return &m->mins[lo];
    if (m->nmins == m->capmins) {
        size_t nc = m->capmins ? m->capmins * 2 : 256;
        minute_bucket *nv = navoi__realloc(m->mins, nc * sizeof *nv);
        if (!nv)
            return NULL;
        m->mins = nv;
        m->capmins = nc;
    }
    memmove(&m->mins[lo + 1], &m->mins[lo], (m->nmins - lo) * sizeof *m->mins);
    memset(&m->mins[lo], 0, sizeof *m->mins);
    m->mins[lo].minute = minute;
    m->nmins++;
    return &m->mins[lo];
}

/* ---- history parsing ---- */

/* Copies the value of " name=" in entry (up to a space) into out. */
static int field(const char *e, size_t len, const char *name, char *out, size_t outlen)
{
    size_t nl = strlen(name), i, k = 0;
    for (i = 0; i + nl + 1 <= len; i++) {
        if ((i == 0 || e[i - 1] == ' ') && !memcmp(e + i, name, nl) && e[i + nl] == '=') {
            const char *v = e + i + nl + 1;
            while (v < e + len && *v != ' ' && k + 1 < outlen)
                out[k++] = *v++;
            out[k] = '\0';
            return 1;
        }
    }
    if (outlen)
        out[0] = '\0';
    return 0;
}

static int cat_index(const char *name)
{
    int i;
    for (i = 0; i < N_CATS; i++)
        if (!strcmp(name, g_cat_names[i]))
            return i;
    return -1;
}

static void count_code(navoi_metrics *m, const char *code, int cat)
{
    size_t i;
    for (i = 0; i < m->ncodes; i++) {
        if (!strcmp(m->codes[i].code, code) && m->codes[i].cat == cat) {
            m->codes[i].n++;
            return;
        }
    }
    if (m->ncodes >= MAX_CODES)
        return; /* NAV has about a hundred codes; anything beyond is noise */
    {
        code_count *nv = navoi__realloc(m->codes, (m->ncodes + 1) * sizeof *nv);
        if (!nv) {
            m->oom = 1;
            return;
        }
        m->codes = nv;
        snprintf(nv[m->ncodes].code, sizeof nv[m->ncodes].code, "%s", code);
        nv[m->ncodes].cat = cat;
        nv[m->ncodes].n = 1;
        m->ncodes++;
    }
}

static int outcome_of(const char *state)
{
    if (!strcmp(state, "DONE"))
        return OUT_DONE;
    if (!strcmp(state, "ABORTED"))
        return OUT_ABORTED;
    if (!strcmp(state, "FAILED"))
        return OUT_FAILED;
    if (!strcmp(state, "NEEDS_ATTENTION"))
        return OUT_ATTENTION;
    return -1;
}

static void observe_delay(navoi_metrics *m, minute_bucket *b, int64_t ms)
{
    double sec = (double)ms / 1000.0;
    int i;
    if (ms < 0)
        return;
    for (i = 0; i < N_HIST && sec > g_bounds[i]; i++)
        ;
    m->hist[i]++;
    m->hist_sum += sec;
    m->hist_count++;
    b->dsum += ms;
    b->dcount++;
    if (ms > b->dmax)
        b->dmax = ms;
}

static int on_entry(int64_t seq, const char *key, int64_t t, const char *e, size_t len, void *ctx)
{
    navoi_metrics *m = ctx;
    char ev[32], state[64], nav[64], cat[32], attempt[16];
    const char *arrow;
    minute_bucket *b;
    size_t i;
    int out, ci;

    m->last_seq = seq;
    m->scanned++;
    if (!e || !key)
        return 0;
    for (i = 0; i < len && i + 1 < sizeof ev && e[i] != ' '; i++)
        ev[i] = e[i];
    ev[i] = '\0';
    b = bucket_at(m, t);
    if (!b) {
        m->oom = 1;
        return 1;
    }
    if (!m->first_event_ms || t < m->first_event_ms)
        m->first_event_ms = t;
    if (t > m->last_event_ms)
        m->last_event_ms = t;

    if (!strcmp(ev, "enqueued")) {
        m->enqueued++;
        b->enq++;
        if (pend_put(m, key, t) != NAVOI_OK) {
            m->oom = 1;
            return 1;
        }
    }
    if (!strcmp(ev, "send") && field(e, len, "attempt", attempt, sizeof attempt) &&
        atoi(attempt) > 1)
        m->resends++;
    if (!strcmp(ev, "retry")) {
        m->operator_retries++;
        b->requeued++;
    }
    if (!strcmp(ev, "annulment-decided") &&
        field(e, len, "verification", state, sizeof state)) {
        if (!strcmp(state, "VERIFICATION_DONE"))
            m->annul_approved++;
        else if (!strcmp(state, "VERIFICATION_REJECTED"))
            m->annul_rejected++;
    }
    if (!strcmp(ev, "annulment-unfollowed"))
        m->annul_unfollowed++;
    field(e, len, "nav", nav, sizeof nav);
    field(e, len, "cat", cat, sizeof cat);
    ci = cat[0] ? cat_index(cat) : -1;
    if (ci < 0 && !strcmp(ev, "ambiguous"))
        ci = NAVOI_CAT_AMBIGUOUS;
    else if (ci < 0 && nav[0])
        ci = !strcmp(ev, "aborted") ? NAVOI_CAT_DATA
                                    : navoi_error_category(NAVOI_ENAV, nav, 0);
    if (ci > 0 && ci < N_CATS) {
        m->errors_by_cat[ci]++;
        if (nav[0])
            count_code(m, nav, ci);
    }
    if (field(e, len, "state", state, sizeof state)) {
        /* "retry by operator state=FAILED->PENDING": the new state follows "->" */
        arrow = strstr(state, "->");
        out = outcome_of(arrow ? arrow + 2 : state);
        if (out >= 0) {
            m->outcome[out]++;
            b->out[out]++;
            if (out == OUT_DONE) {
                pend_slot *p = pend_find(m, key, 0);
                if (t > m->last_success_ms)
                    m->last_success_ms = t;
                if (p) {
                    observe_delay(m, b, t - p->t);
                    pend_del(m, p);
                }
            }
        }
    }
    return m->oom;
}

/* ---- public ---- */

NAVOI_API int navoi_metrics_new(navoi_metrics **out, navoi_outbox *ob)
{
    navoi_metrics *m;
    if (!out)
        return NAVOI_EINVAL;
    *out = NULL;
    if (!ob)
        return NAVOI_EINVAL;
    if (navoi__storage_ops_check_v2(&ob->ops) != NAVOI_OK)
        return navoi__ob_fail(ob, NAVOI_EINVAL,
                              "metrics need a storage backend of version 2 or later");
    m = navoi__calloc(1, sizeof *m);
    if (!m)
        return NAVOI_ENOMEM;
    m->ob = ob;
    *out = m;
    return NAVOI_OK;
}

NAVOI_API void navoi_metrics_free(navoi_metrics *m)
{
    size_t i;
    if (!m)
        return;
    for (i = 0; i < m->pend_cap; i++)
        if (m->pend[i].key && m->pend[i].key != g_tomb)
            navoi__free(m->pend[i].key);
    navoi__free(m->pend);
    navoi__free(m->mins);
    navoi__free(m->codes);
    navoi__free(m);
}

static int storage_err(navoi_metrics *m, int rc, const char *what)
{
    if (rc == NAVOI_ENOMEM)
        return navoi__ob_fail(m->ob, rc, "out of memory");
    if (m->ob->is_sqlite)
        return navoi__ob_fail(m->ob, rc, "metrics: %s failed: %s", what,
                              navoi__storage_sqlite_errmsg(m->ob->ud));
    return navoi__ob_fail(m->ob, rc, "metrics: %s failed (%s)", what, navoi_strerror(rc));
}

NAVOI_API int navoi_metrics_refresh(navoi_metrics *m)
{
    navoi_outbox *ob;
    int64_t before, oldest = 0, total = 0;
    int st, rc;
    if (!m)
        return NAVOI_EINVAL;
    ob = m->ob;
    ob->errmsg[0] = '\0';
    do {
        before = m->scanned;
        rc = ob->ops.history_scan(m->last_seq, SCAN_BATCH, on_entry, m, ob->ud);
        if (rc == NAVOI_EUSER || m->oom) {
            m->oom = 0;
            return navoi__ob_fail(ob, NAVOI_ENOMEM, "out of memory");
        }
        if (rc != NAVOI_OK)
            return storage_err(m, rc, "history scan");
    } while (m->scanned - before == SCAN_BATCH);
    m->now_ms = navoi__ob_now(ob);
    for (st = NAVOI_ITEM_PENDING; st <= NAVOI_ITEM_NEEDS_ATTENTION; st++) {
        int64_t n = 0, o = 0;
        rc = ob->ops.count(st, &n, &o, ob->ud);
        if (rc != NAVOI_OK)
            return storage_err(m, rc, "count");
        m->items[st] = n;
        if (st <= NAVOI_ITEM_SENT) {
            total += n;
            if (n > 0 && (!oldest || o < oldest))
                oldest = o;
        }
    }
    m->backlog = total;
    m->oldest_age_ms = oldest && m->now_ms > oldest ? m->now_ms - oldest : 0;
    return NAVOI_OK;
}

/* Locale-independent number: integers exactly, others with 3 decimals. */
static void put_num(navoi__buf *b, double v)
{
    char tmp[64];
    if (v > -9e15 && v < 9e15 && (double)(int64_t)v == v) {
        navoi__buf_put_i64(b, (int64_t)v);
        return;
    }
    {
        int64_t scaled = (int64_t)(v * 1000.0 + (v < 0 ? -0.5 : 0.5));
        int64_t ip = scaled / 1000, fp = scaled % 1000;
        if (fp < 0)
            fp = -fp;
        snprintf(tmp, sizeof tmp, "%s%lld.%03lld", scaled < 0 && ip == 0 ? "-" : "",
                 (long long)ip, (long long)fp);
        navoi__buf_puts(b, tmp);
    }
}

static void head(navoi__buf *b, const char *name, const char *type, const char *help)
{
    navoi__buf_puts(b, "# HELP ");
    navoi__buf_puts(b, name);
    navoi__buf_putc(b, ' ');
    navoi__buf_puts(b, help);
    navoi__buf_puts(b, "\n# TYPE ");
    navoi__buf_puts(b, name);
    navoi__buf_putc(b, ' ');
    navoi__buf_puts(b, type);
    navoi__buf_putc(b, '\n');
}

static void series(navoi__buf *b, const char *name, const char *labels, double v)
{
    navoi__buf_puts(b, name);
    if (labels && *labels) {
        navoi__buf_putc(b, '{');
        navoi__buf_puts(b, labels);
        navoi__buf_putc(b, '}');
    }
    navoi__buf_putc(b, ' ');
    put_num(b, v);
    navoi__buf_putc(b, '\n');
}

/* Label value: NAV codes are [A-Z_0-9], but escape anyway. */
static void label(char *out, size_t len, const char *name, const char *v)
{
    size_t k = 0;
    k += (size_t)snprintf(out, len, "%s=\"", name);
    for (; *v && k + 3 < len; v++) {
        if (*v == '"' || *v == '\\' || *v == '\n') {
            out[k++] = '\\';
            out[k++] = *v == '\n' ? 'n' : *v;
        } else {
            out[k++] = *v;
        }
    }
    if (k + 2 <= len) {
        out[k++] = '"';
        out[k] = '\0';
    }
}

static void render(const navoi_metrics *m, navoi__buf *b)
{
    char lab[160], lab2[96];
    int i;
    size_t k;
    int64_t finished = 0, cum = 0;

    head(b, "navoi_outbox_items", "gauge", "Items per state.");
    for (i = NAVOI_ITEM_PENDING; i <= NAVOI_ITEM_NEEDS_ATTENTION; i++) {
        label(lab, sizeof lab, "state", navoi_outbox_state_name(i));
        series(b, "navoi_outbox_items", lab, (double)m->items[i]);
    }
    head(b, "navoi_outbox_backlog_items", "gauge", "Items not yet final (PENDING, SENDING, SENT).");
    series(b, "navoi_outbox_backlog_items", NULL, (double)m->backlog);
    head(b, "navoi_outbox_backlog_oldest_age_seconds", "gauge",
         "Age of the oldest item not yet final.");
    series(b, "navoi_outbox_backlog_oldest_age_seconds", NULL, (double)m->oldest_age_ms / 1000.0);
    head(b, "navoi_outbox_enqueued_total", "counter", "Items enqueued.");
    series(b, "navoi_outbox_enqueued_total", NULL, (double)m->enqueued);
    head(b, "navoi_outbox_submissions_total", "counter",
         "Items that reached a final or attention state, by outcome.");
    for (i = 0; i < OUT_N; i++) {
        label(lab, sizeof lab, "outcome", g_out_names[i]);
        series(b, "navoi_outbox_submissions_total", lab, (double)m->outcome[i]);
        finished += m->outcome[i];
    }
    head(b, "navoi_outbox_success_ratio", "gauge",
         "DONE outcomes divided by all outcomes (1 when there is none).");
    series(b, "navoi_outbox_success_ratio", NULL,
           finished ? (double)m->outcome[OUT_DONE] / (double)finished : 1.0);
    head(b, "navoi_outbox_processing_delay_seconds", "histogram",
         "Time from enqueue to DONE.");
    for (i = 0; i < N_HIST; i++) {
        char le[32];
        navoi__buf tmp = NAVOI__BUF_INIT;
        cum += m->hist[i];
        put_num(&tmp, g_bounds[i]);
        snprintf(le, sizeof le, "%s", tmp.data ? tmp.data : "0");
        navoi__buf_free(&tmp);
        label(lab, sizeof lab, "le", le);
        series(b, "navoi_outbox_processing_delay_seconds_bucket", lab, (double)cum);
    }
    series(b, "navoi_outbox_processing_delay_seconds_bucket", "le=\"+Inf\"",
           (double)(cum + m->hist[N_HIST]));
    series(b, "navoi_outbox_processing_delay_seconds_sum", NULL, m->hist_sum);
    series(b, "navoi_outbox_processing_delay_seconds_count", NULL, (double)m->hist_count);
    head(b, "navoi_outbox_errors_total", "counter", "Failed attempts and outcomes by category.");
    for (i = 1; i < N_CATS; i++) {
        label(lab, sizeof lab, "category", g_cat_names[i]);
        series(b, "navoi_outbox_errors_total", lab, (double)m->errors_by_cat[i]);
    }
    head(b, "navoi_outbox_nav_errors_total", "counter",
         "NAV error and validation codes seen, by code and category.");
    for (k = 0; k < m->ncodes; k++) {
        label(lab, sizeof lab, "code", m->codes[k].code);
        label(lab2, sizeof lab2, "category", g_cat_names[m->codes[k].cat]);
        strncat(lab, ",", sizeof lab - strlen(lab) - 1);
        strncat(lab, lab2, sizeof lab - strlen(lab) - 1);
        series(b, "navoi_outbox_nav_errors_total", lab, (double)m->codes[k].n);
    }
    head(b, "navoi_outbox_retries_total", "counter",
         "Manage requests that carried an item again (automatic retries).");
    series(b, "navoi_outbox_retries_total", NULL, (double)m->resends);
    head(b, "navoi_outbox_operator_retries_total", "counter", "Items re-queued by a person.");
    series(b, "navoi_outbox_operator_retries_total", NULL, (double)m->operator_retries);
    head(b, "navoi_outbox_annulment_decisions_total", "counter",
         "Annulment decisions made on NAV's web UI, seen while following annulments.");
    series(b, "navoi_outbox_annulment_decisions_total", "verification=\"VERIFICATION_DONE\"",
           (double)m->annul_approved);
    series(b, "navoi_outbox_annulment_decisions_total",
           "verification=\"VERIFICATION_REJECTED\"", (double)m->annul_rejected);
    head(b, "navoi_outbox_annulments_unfollowed_total", "counter",
         "Annulments still undecided when following them ended: check NAV's web UI.");
    series(b, "navoi_outbox_annulments_unfollowed_total", NULL, (double)m->annul_unfollowed);
    head(b, "navoi_outbox_last_success_timestamp_seconds", "gauge",
         "Time of the last item that became DONE (0: never); alert when it stops moving.");
    series(b, "navoi_outbox_last_success_timestamp_seconds", NULL,
           (double)(m->last_success_ms / 1000));
}

NAVOI_API int navoi_metrics_text(navoi_metrics *m, char **text_out)
{
    navoi__buf b = NAVOI__BUF_INIT;
    if (text_out)
        *text_out = NULL;
    if (!m || !text_out)
        return NAVOI_EINVAL;
    render(m, &b);
    if (navoi__buf_status(&b) != NAVOI_OK || !(*text_out = navoi__buf_detach(&b, NULL))) {
        navoi__buf_free(&b);
        return navoi__ob_fail(m->ob, NAVOI_ENOMEM, "out of memory");
    }
    return NAVOI_OK;
}

NAVOI_API int navoi_metrics_value(navoi_metrics *m, const char *name, double *value_out)
{
    navoi__buf b = NAVOI__BUF_INIT;
    size_t nl;
    const char *p;
    int rc = NAVOI_ENOTFOUND;
    if (value_out)
        *value_out = 0;
    if (!m || !name || !*name || !value_out)
        return NAVOI_EINVAL;
    render(m, &b);
    if (navoi__buf_status(&b) != NAVOI_OK) {
        navoi__buf_free(&b);
        return NAVOI_ENOMEM;
    }
    nl = strlen(name);
    for (p = b.data; p && *p;) {
        const char *eol = strchr(p, '\n');
        if (*p != '#' && !strncmp(p, name, nl) && p[nl] == ' ') {
            /* locale-independent parse of what put_num wrote */
            const char *v = p + nl + 1;
            int neg = *v == '-';
            double x = 0, div = 1;
            int frac = 0;
            if (neg)
                v++;
            for (; *v && *v != '\n'; v++) {
                if (*v == '.') {
                    frac = 1;
                } else {
                    x = x * 10 + (*v - '0');
                    if (frac)
                        div *= 10;
                }
            }
            *value_out = (neg ? -x : x) / div;
            rc = NAVOI_OK;
            break;
        }
        p = eol ? eol + 1 : NULL;
    }
    navoi__buf_free(&b);
    return rc;
}

NAVOI_API int navoi_metrics_timeline(navoi_metrics *m, int64_t bucket_ms, char **csv_out)
{
    navoi__buf b = NAVOI__BUF_INIT;
    int64_t per, first, last, slot, backlog = 0;
    size_t k = 0;
    char line[256];
    if (csv_out)
        *csv_out = NULL;
    if (!m || !csv_out || bucket_ms < MINUTE_MS)
        return NAVOI_EINVAL;
    per = bucket_ms / MINUTE_MS;
    navoi__buf_puts(&b, "time_ms,enqueued,done,aborted,failed,needs_attention,backlog,"
                        "delay_avg_ms,delay_max_ms\n");
    if (m->nmins) {
        first = m->mins[0].minute / per;
        last = m->mins[m->nmins - 1].minute / per;
        if (last - first >= 100000) {
            navoi__buf_free(&b);
            return navoi__ob_fail(m->ob, NAVOI_ETOOBIG,
                                  "metrics: %lld buckets; choose a wider bucket",
                                  (long long)(last - first + 1));
        }
        for (slot = first; slot <= last; slot++) {
            int64_t enq = 0, out[OUT_N] = {0, 0, 0, 0}, dsum = 0, dmax = 0, dcount = 0;
            int i;
            for (; k < m->nmins && m->mins[k].minute / per == slot; k++) {
                const minute_bucket *mb = &m->mins[k];
                enq += mb->enq;
                for (i = 0; i < OUT_N; i++)
                    out[i] += mb->out[i];
                backlog += mb->enq + mb->requeued;
                for (i = 0; i < OUT_N; i++)
                    backlog -= mb->out[i];
                dsum += mb->dsum;
                dcount += mb->dcount;
                if (mb->dmax > dmax)
                    dmax = mb->dmax;
            }
            snprintf(line, sizeof line, "%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld\n",
                     (long long)(slot * per * MINUTE_MS), (long long)enq, (long long)out[0],
                     (long long)out[1], (long long)out[2], (long long)out[3],
                     (long long)(backlog < 0 ? 0 : backlog),
                     (long long)(dcount ? dsum / dcount : 0), (long long)dmax);
            navoi__buf_puts(&b, line);
        }
    }
    if (navoi__buf_status(&b) != NAVOI_OK || !(*csv_out = navoi__buf_detach(&b, NULL))) {
        navoi__buf_free(&b);
        return navoi__ob_fail(m->ob, NAVOI_ENOMEM, "out of memory");
    }
    return NAVOI_OK;
}

NAVOI_API int navoi_outbox_metrics_text(navoi_outbox *ob, char **text_out)
{
    navoi_metrics *m = NULL;
    int rc;
    if (text_out)
        *text_out = NULL;
    if (!ob || !text_out)
        return NAVOI_EINVAL;
    rc = navoi_metrics_new(&m, ob);
    if (rc == NAVOI_OK)
        rc = navoi_metrics_refresh(m);
    if (rc == NAVOI_OK)
        rc = navoi_metrics_text(m, text_out);
    navoi_metrics_free(m);
    return rc;
}

NAVOI_API const char *navoi_outbox_item_advice(const navoi_outbox_item *it)
{
    const char *nav = "";
    int code = 0, cat = 0;
    int state = navoi_outbox_item_state(it);
    if (!it)
        return "";
    navoi_outbox_item_error(it, &code, &cat, NULL, &nav);
    switch (state) {
    case NAVOI_ITEM_ABORTED:
        if (!strcmp(nav, "INVOICE_NUMBER_NOT_UNIQUE"))
            return "NAV already holds an invoice with this number: check with 'navoi query "
                   "invoice-data' whether it is this one; if it is, nothing is to be done, "
                   "otherwise fix the number and retry";
        if (!strcmp(nav, "ANNULMENT_IN_PROGRESS"))
            return "a technical annulment of this chain waits for approval on NAV's web UI: "
                   "approve or reject it there, then retry";
        if (!strcmp(nav, "INVALID_INVOICE_REFERENCE"))
            return "the original invoice is not (yet) at NAV: report the original first, or "
                   "set modifyWithoutMaster if it was never reported, then retry";
        return "NAV rejected the invoice data: fix the fields named in the validation "
               "messages (navoi validate helps), enqueue the corrected document under the "
               "same key's successor or retry after fixing the source data";
    case NAVOI_ITEM_FAILED:
        if (cat == NAVOI_CAT_CONFIG)
            return "a configuration or credential error: run 'navoi check-connection', fix "
                   "the configuration, then retry";
        return "the request data was refused: fix the data named in the error, then retry";
    case NAVOI_ITEM_NEEDS_ATTENTION:
        if (cat == NAVOI_CAT_AMBIGUOUS || cat == NAVOI_CAT_TRANSIENT)
            return "retries were exhausted or NAV's answer stayed unclear: check NAV's web UI "
                   "or 'navoi query transaction-list' for the invoice, then retry (an item "
                   "that may have reached NAV is checked again before any resubmission)";
        return "the evidence about this item conflicts: compare the history with NAV's "
               "records, then retry or annul";
    default:
        return "";
    }
}
