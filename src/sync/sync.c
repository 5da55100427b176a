/*
 * sync.c - owns navoi_sync: the INBOUND synchronisation of invoices other
 * suppliers issued to the taxpayer (queryInvoiceDigest by insDate in
 * windows of at most 35 days, every page, then queryInvoiceData per new
 * invoice), the persisted cursor and run position, and the listing and
 * export of what was stored. Storage goes through navoi_storage_ops
 * (version 2) only.
 *
 * Resumability: the run ("from to pos page") is written before the first
 * request and after every page; each invoice is committed on its own as
 * soon as it is fetched. A failure at any point leaves a state from which
 * the next call continues: a page is at worst read again, and invoices
 * already stored are recognised by their id and not fetched again. The
 * cursor moves only when a run is complete.
 *
 * Identity: supplier tax number, invoice number, batchIndex, transactionId
 * and index. NAV lists duplicate valid instances (distinguished by
 * transactionId, PROTOCOL.md 5.7), so they are kept apart; the same
 * instance seen again in an overlapping window maps to the same id.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/alloc.h"
#include "common/buf.h"
#include "core/client.h"
#include "crypto/timefmt.h"
#include "storage/storage.h"

#define DAY_MS ((int64_t)86400000)
/* NAV: insDate ranges of at most 35 days (840 h); bounds are inclusive. */
#define WINDOW_MS (35 * DAY_MS)
#define STAT_N 13
#define MAX_PAGES 100000

static const char KEY_CURSOR[] = "sync.inbound.cursor";
static const char KEY_RUN[] = "sync.inbound.run";

struct navoi_sync {
    navoi_client *client;
    navoi_storage_ops ops;
    void *ud;
    int is_sqlite;
    char errmsg[1024];
    int64_t overlap_ms;
    uint32_t pace_ms;
    int64_t last_req_mono; /* monotonic ms of the last request, 0 = none */
    navoi_sync_progress_fn progress;
    void *progress_ud;
    int64_t stat[STAT_N];
};

typedef struct run_state {
    int64_t from, to, pos;
    int32_t page;
} run_state;

static int sfail(navoi_sync *s, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int sfail(navoi_sync *s, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->errmsg, sizeof s->errmsg, fmt, ap);
    va_end(ap);
    return code;
}

static int storage_fail(navoi_sync *s, int rc, const char *what)
{
    if (rc == NAVOI_ENOMEM)
        return sfail(s, rc, "out of memory");
    if (s->is_sqlite)
        return sfail(s, rc, "storage: %s failed: %s", what, navoi__storage_sqlite_errmsg(s->ud));
    return sfail(s, rc, "storage: %s failed (%s)", what, navoi_strerror(rc));
}

/* ---- lifecycle ---- */

NAVOI_API int navoi_sync_new(navoi_sync **out, navoi_client *client,
                             const navoi_storage_ops *ops, void *userdata)
{
    navoi_sync *s;
    if (!out)
        return NAVOI_EINVAL;
    *out = NULL;
    if (!client || navoi__storage_ops_check_v2(ops) != NAVOI_OK)
        return NAVOI_EINVAL;
    s = navoi__calloc(1, sizeof *s);
    if (!s)
        return NAVOI_ENOMEM;
    s->client = client;
    memcpy(&s->ops, ops, navoi__storage_ops_size(ops->version));
    s->ud = userdata;
    s->overlap_ms = 3 * DAY_MS;
    s->pace_ms = 1000;
    *out = s;
    return NAVOI_OK;
}

/* navoi_sync_new() on an SQLite backend (a navoi__storage_make_fn). */
static int make_sqlite_sync(void *out, navoi_client *client, const navoi_storage_ops *ops,
                            void *ud)
{
    navoi_sync **s = out;
    int rc = navoi_sync_new(s, client, ops, ud);
    if (rc == NAVOI_OK)
        (*s)->is_sqlite = 1;
    return rc;
}

NAVOI_API int navoi_sync_open_sqlite(navoi_sync **out, navoi_client *client, const char *path)
{
    if (!out)
        return NAVOI_EINVAL;
    *out = NULL;
    return navoi__storage_open_handle(out, client, "sync", navoi__storage_sqlite_opener, path,
                                      make_sqlite_sync);
}

NAVOI_API void navoi_sync_free(navoi_sync *s)
{
    if (!s)
        return;
    if (s->ops.destroy)
        s->ops.destroy(s->ud);
    navoi__free(s);
}

NAVOI_API const char *navoi_sync_errmsg(const navoi_sync *s)
{
    return s ? s->errmsg : "";
}

NAVOI_API int navoi_sync_set_overlap(navoi_sync *s, int64_t overlap_ms)
{
    if (!s || overlap_ms < 0 || overlap_ms > WINDOW_MS)
        return NAVOI_EINVAL;
    s->overlap_ms = overlap_ms;
    return NAVOI_OK;
}

NAVOI_API int navoi_sync_set_pace(navoi_sync *s, uint32_t min_interval_ms)
{
    if (!s || min_interval_ms > 600000)
        return NAVOI_EINVAL;
    s->pace_ms = min_interval_ms;
    return NAVOI_OK;
}

NAVOI_API void navoi_sync_set_progress(navoi_sync *s, navoi_sync_progress_fn fn, void *userdata)
{
    if (!s)
        return;
    s->progress = fn;
    s->progress_ud = userdata;
}

NAVOI_API int64_t navoi_sync_stat(const navoi_sync *s, int which)
{
    if (!s || which < 1 || which >= STAT_N)
        return 0;
    return s->stat[which];
}

/* ---- named state ---- */

typedef struct text_ctx {
    char buf[128];
    int found;
} text_ctx;

static int on_text(int64_t t, const char *data, size_t len, void *ctx)
{
    text_ctx *c = ctx;
    (void)t;
    if (len >= sizeof c->buf)
        len = sizeof c->buf - 1;
    memcpy(c->buf, data ? data : "", data ? len : 0);
    c->buf[data ? len : 0] = '\0';
    c->found = 1;
    return 0;
}

/* Reads a state entry; *found 0 when absent. */
static int state_read(navoi_sync *s, const char *name, text_ctx *c)
{
    int rc;
    memset(c, 0, sizeof *c);
    rc = s->ops.state_get(name, on_text, c, s->ud);
    if (rc == NAVOI_ENOTFOUND)
        return NAVOI_OK;
    return rc == NAVOI_OK ? rc : storage_fail(s, rc, "state read");
}

static int read_cursor(navoi_sync *s, int64_t *cursor)
{
    text_ctx c;
    long long v = 0;
    int rc = state_read(s, KEY_CURSOR, &c);
    *cursor = 0;
    if (rc != NAVOI_OK)
        return rc;
    if (c.found && sscanf(c.buf, "%lld", &v) == 1 && v > 0)
        *cursor = v;
    return NAVOI_OK;
}

static int read_run(navoi_sync *s, run_state *r, int *found)
{
    text_ctx c;
    long long a, b, p;
    int page;
    int rc = state_read(s, KEY_RUN, &c);
    *found = 0;
    if (rc != NAVOI_OK)
        return rc;
    if (c.found && sscanf(c.buf, "%lld %lld %lld %d", &a, &b, &p, &page) == 4 && a > 0 &&
        b >= a && p >= a && page >= 1) {
        r->from = a;
        r->to = b;
        r->pos = p;
        r->page = page;
        *found = 1;
    }
    return NAVOI_OK;
}

/* Writes the run position in its own transaction. */
static int save_run(navoi_sync *s, const run_state *r)
{
    char v[128];
    int rc, n = snprintf(v, sizeof v, "%lld %lld %lld %d", (long long)r->from,
                         (long long)r->to, (long long)r->pos, (int)r->page);
    rc = s->ops.begin(s->ud);
    if (rc != NAVOI_OK)
        return storage_fail(s, rc, "begin");
    rc = s->ops.state_set(KEY_RUN, v, (size_t)n, s->ud);
    if (rc != NAVOI_OK) {
        s->ops.rollback(s->ud);
        return storage_fail(s, rc, "state write");
    }
    rc = s->ops.commit(s->ud);
    return rc == NAVOI_OK ? rc : storage_fail(s, rc, "commit");
}

/* The run is complete: the cursor moves to its end and the run is removed,
 * atomically. */
static int finish_run(navoi_sync *s, const run_state *r)
{
    char v[32];
    int n = snprintf(v, sizeof v, "%lld", (long long)r->to);
    int rc = s->ops.begin(s->ud);
    if (rc != NAVOI_OK)
        return storage_fail(s, rc, "begin");
    rc = s->ops.state_set(KEY_CURSOR, v, (size_t)n, s->ud);
    if (rc == NAVOI_OK)
        rc = s->ops.state_set(KEY_RUN, NULL, 0, s->ud);
    if (rc != NAVOI_OK) {
        s->ops.rollback(s->ud);
        return storage_fail(s, rc, "state write");
    }
    rc = s->ops.commit(s->ud);
    return rc == NAVOI_OK ? rc : storage_fail(s, rc, "commit");
}

NAVOI_API int navoi_sync_cursor(navoi_sync *s, int64_t *cursor_ms_out, int *interrupted_out)
{
    run_state r;
    int64_t c = 0;
    int found = 0, rc;
    if (cursor_ms_out)
        *cursor_ms_out = 0;
    if (interrupted_out)
        *interrupted_out = 0;
    if (!s)
        return NAVOI_EINVAL;
    s->errmsg[0] = '\0';
    if ((rc = read_cursor(s, &c)) != NAVOI_OK || (rc = read_run(s, &r, &found)) != NAVOI_OK)
        return rc;
    if (cursor_ms_out)
        *cursor_ms_out = c;
    if (interrupted_out)
        *interrupted_out = found;
    return NAVOI_OK;
}

/* ---- one run ---- */

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* NAV allows one request per second per IP on queryInvoiceData (and a
 * cautious client paces every operation, PROTOCOL.md 1.7). */
static void pace(navoi_sync *s)
{
    if (s->pace_ms && s->last_req_mono) {
        int64_t wait = s->last_req_mono + s->pace_ms - mono_ms();
        if (wait > 0) {
            struct timespec ts;
            ts.tv_sec = (time_t)(wait / 1000);
            ts.tv_nsec = (long)(wait % 1000) * 1000000L;
            while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
                ;
        }
    }
    s->last_req_mono = mono_ms();
    s->stat[NAVOI_SYNC_STAT_REQUESTS]++;
}

static int report(navoi_sync *s)
{
    if (s->progress && s->progress(s, s->progress_ud))
        return sfail(s, NAVOI_EUSER, "sync: stopped by the progress hook (the next run resumes)");
    return NAVOI_OK;
}

/* Copies the client's error into the handle's message. */
static int client_fail(navoi_sync *s, int rc, const char *what)
{
    const char *nav = navoi_client_nav_error_code(s->client);
    return sfail(s, rc, "sync: %s: %s%s%s%s", what, navoi_client_errmsg(s->client),
                 nav[0] ? " [" : "", nav, nav[0] ? "]" : "");
}

static void put_escaped(navoi__buf *b, const char *v)
{
    for (; *v; v++) {
        if (*v == '\\')
            navoi__buf_puts(b, "\\\\");
        else if (*v == '\n')
            navoi__buf_puts(b, "\\n");
        else if (*v == '\r')
            navoi__buf_puts(b, "\\r");
        else
            navoi__buf_putc(b, *v);
    }
}

static void meta_line(navoi__buf *b, const char *name, const char *value)
{
    navoi__buf_puts(b, name);
    navoi__buf_putc(b, '=');
    put_escaped(b, value);
    navoi__buf_putc(b, '\n');
}

static int exists_fn(const char *id, int64_t ins, const char *meta, size_t ml, const char *xml,
                     size_t xl, void *ctx)
{
    (void)id, (void)ins, (void)meta, (void)ml, (void)xml, (void)xl, (void)ctx;
    return 0;
}

static int32_t batch_index(const char *v)
{
    long x = strtol(v, NULL, 10);
    return x > 0 && x < 100000 ? (int32_t)x : 0;
}

/* Builds the id of digest record i into out. */
static int record_id(const navoi_result *r, size_t i, navoi__buf *out)
{
    const char *sup = navoi_result_get(r, i, "supplierTaxNumber");
    const char *num = navoi_result_get(r, i, "invoiceNumber");
    const char *bi = navoi_result_get(r, i, "batchIndex");
    const char *tx = navoi_result_get(r, i, "transactionId");
    const char *ix = navoi_result_get(r, i, "index");
    if (!sup || !num || !*num)
        return NAVOI_EPROTO;
    navoi__buf_puts(out, sup);
    navoi__buf_putc(out, '/');
    navoi__buf_puts(out, num);
    navoi__buf_putc(out, '/');
    navoi__buf_puts(out, bi ? bi : "0");
    navoi__buf_putc(out, '/');
    navoi__buf_puts(out, tx ? tx : "-");
    navoi__buf_putc(out, '/');
    navoi__buf_puts(out, ix ? ix : "0");
    return navoi__buf_status(out);
}

/* One digest record: fetch and store unless present. */
static int process_record(navoi_sync *s, const navoi_result *dg, size_t i)
{
    navoi__buf id = NAVOI__BUF_INIT, meta = NAVOI__BUF_INIT;
    navoi_result *data = NULL;
    const char *num, *sup, *bi, *ins, *xml = NULL, *note = NULL;
    size_t k, nf, xml_len = 0;
    int64_t ins_ms = 0;
    int rc, created = 0;
    char notebuf[512];

    s->stat[NAVOI_SYNC_STAT_SEEN]++;
    rc = record_id(dg, i, &id);
    if (rc != NAVOI_OK) {
        navoi__buf_free(&id);
        return rc == NAVOI_ENOMEM ? sfail(s, rc, "out of memory")
                                  : sfail(s, rc, "sync: a digest record has no invoiceNumber "
                                                 "or supplierTaxNumber");
    }
    rc = s->ops.inbound_get(id.data, 0, exists_fn, NULL, s->ud);
    if (rc == NAVOI_OK) {
        s->stat[NAVOI_SYNC_STAT_SKIPPED]++;
        navoi__buf_free(&id);
        return report(s);
    }
    if (rc != NAVOI_ENOTFOUND) {
        navoi__buf_free(&id);
        return storage_fail(s, rc, "lookup");
    }
    num = navoi_result_get(dg, i, "invoiceNumber");
    sup = navoi_result_get(dg, i, "supplierTaxNumber");
    bi = navoi_result_get(dg, i, "batchIndex");
    ins = navoi_result_get(dg, i, "insDate");
    if (!ins || navoi__parse_datetime(ins, &ins_ms) != NAVOI_OK) {
        navoi__buf_free(&id);
        return sfail(s, NAVOI_EPROTO, "sync: digest record %s has no usable insDate", num);
    }
    pace(s);
    rc = navoi_query_invoice_data(s->client, num, NAVOI_INBOUND, bi ? batch_index(bi) : 0,
                                  sup, &data);
    if (rc == NAVOI_OK) {
        if (navoi_result_count(data) == 1)
            xml = navoi_result_content(data, &xml_len);
        if (!xml)
            note = "queryInvoiceData returned no document (annulled or not visible any more)";
    } else if (rc == NAVOI_ENAV &&
               !strcmp(navoi_client_nav_error_code(s->client), "MULTIPLE_QUERY_RESULT_FOUND")) {
        /* several valid instances of the number: the digest lists each of
         * them, but data can only be asked by number. Keep the digest. */
        note = "MULTIPLE_QUERY_RESULT_FOUND: the supplier reported this number more than once";
    } else {
        navoi__buf_free(&id);
        return client_fail(s, rc, "queryInvoiceData");
    }
    nf = navoi_result_field_count(dg, i);
    for (k = 0; k < nf; k++)
        meta_line(&meta, navoi_result_field_name(dg, i, k), navoi_result_field_value(dg, i, k));
    if (xml) {
        const char *v;
        if ((v = navoi_result_get(data, 0, "auditData/insdate")))
            meta_line(&meta, "_dataInsDate", v);
        if ((v = navoi_result_get(data, 0, "compressedContentIndicator")))
            meta_line(&meta, "_compressedContent", v);
        if ((v = navoi_result_get(data, 0, "electronicInvoiceHash")))
            meta_line(&meta, "_electronicInvoiceHash", v);
    }
    meta_line(&meta, "_document", xml ? "stored" : "missing");
    if (note) {
        snprintf(notebuf, sizeof notebuf, "%s", note);
        meta_line(&meta, "_note", notebuf);
    }
    if (navoi__buf_status(&meta) != NAVOI_OK) {
        rc = sfail(s, NAVOI_ENOMEM, "out of memory");
        goto out;
    }
    rc = s->ops.begin(s->ud);
    if (rc != NAVOI_OK) {
        rc = storage_fail(s, rc, "begin");
        goto out;
    }
    rc = s->ops.inbound_put(id.data, ins_ms, meta.data, meta.len, xml, xml_len, &created, s->ud);
    if (rc != NAVOI_OK) {
        s->ops.rollback(s->ud);
        rc = storage_fail(s, rc, "store");
        goto out;
    }
    rc = s->ops.commit(s->ud);
    if (rc != NAVOI_OK) {
        rc = storage_fail(s, rc, "commit");
        goto out;
    }
    if (created) {
        s->stat[NAVOI_SYNC_STAT_FETCHED]++;
        if (!xml)
            s->stat[NAVOI_SYNC_STAT_INCOMPLETE]++;
    } else {
        s->stat[NAVOI_SYNC_STAT_SKIPPED]++;
    }
    navoi__log(s->client, NAVOI_LOG_DEBUG, "sync: %s %s (%s)", created ? "stored" : "had", id.data,
               xml ? "with document" : "digest only");
    rc = report(s);
out:
    navoi_result_free(data);
    navoi__buf_free(&id);
    navoi__buf_free(&meta);
    return rc;
}

static int64_t windows_between(int64_t from, int64_t to)
{
    return from > to ? 0 : (to - from) / (WINDOW_MS + 1) + 1;
}

/* Reads every page of one window from r->page on. */
static int run_window(navoi_sync *s, run_state *r, int64_t wto)
{
    navoi_digest_query *q = NULL;
    int rc = navoi_digest_query_new(&q, NAVOI_INBOUND, r->page);
    if (rc != NAVOI_OK)
        return sfail(s, rc, "out of memory");
    rc = navoi_digest_query_set_ins_date(q, r->pos, wto);
    if (rc != NAVOI_OK) {
        navoi_digest_query_free(q);
        return sfail(s, rc, "sync: unusable insDate window");
    }
    for (;;) {
        navoi_result *res = NULL;
        const char *ap;
        long pages = 0;
        size_t i, n;

        navoi_digest_query_set_page(q, r->page);
        s->stat[NAVOI_SYNC_STAT_PAGE] = r->page;
        pace(s);
        rc = navoi_query_invoice_digest(s->client, q, &res);
        if (rc != NAVOI_OK) {
            rc = client_fail(s, rc, "queryInvoiceDigest");
            break;
        }
        ap = navoi_result_meta(res, "availablePage");
        if (ap)
            pages = strtol(ap, NULL, 10);
        if (pages < 0 || pages > MAX_PAGES) {
            navoi_result_free(res);
            rc = sfail(s, NAVOI_EPROTO, "sync: availablePage %ld is out of range", pages);
            break;
        }
        s->stat[NAVOI_SYNC_STAT_PAGES] = pages;
        n = navoi_result_count(res);
        for (i = 0; i < n && rc == NAVOI_OK; i++)
            rc = process_record(s, res, i);
        navoi_result_free(res);
        if (rc != NAVOI_OK)
            break;
        if (r->page >= pages) {
            rc = NAVOI_OK;
            break;
        }
        r->page++;
        rc = save_run(s, r);
        if (rc == NAVOI_OK)
            rc = report(s);
        if (rc != NAVOI_OK)
            break;
    }
    navoi_digest_query_free(q);
    return rc;
}

NAVOI_API int navoi_sync_run(navoi_sync *s, int64_t from_ms)
{
    run_state r;
    int64_t cursor = 0, now;
    int found = 0, rc;

    if (!s)
        return NAVOI_EINVAL;
    s->errmsg[0] = '\0';
    memset(s->stat, 0, sizeof s->stat);
    if (from_ms < 0)
        return sfail(s, NAVOI_EINVAL, "sync: from_ms must be 0 or a time");
    now = navoi__now_ms(s->client);
    if ((rc = read_cursor(s, &cursor)) != NAVOI_OK || (rc = read_run(s, &r, &found)) != NAVOI_OK)
        return rc;
    if (from_ms > 0) {
        if (from_ms > now)
            return sfail(s, NAVOI_EINVAL, "sync: the start lies in the future");
        r.from = r.pos = from_ms;
        r.to = now;
        r.page = 1;
    } else if (found) {
        s->stat[NAVOI_SYNC_STAT_RESUMED] = 1;
    } else if (!cursor) {
        return sfail(s, NAVOI_ECONFIG,
                     "sync: no earlier run to continue from: give the date to start at");
    } else {
        r.from = cursor - s->overlap_ms;
        if (r.from < 1)
            r.from = 1;
        if (r.from > now)
            r.from = now;
        r.pos = r.from;
        r.to = now;
        r.page = 1;
    }
    s->stat[NAVOI_SYNC_STAT_RUN_FROM] = r.from;
    s->stat[NAVOI_SYNC_STAT_RUN_TO] = r.to;
    s->stat[NAVOI_SYNC_STAT_WINDOWS] = windows_between(r.from, r.to);
    rc = save_run(s, &r);
    if (rc != NAVOI_OK)
        return rc;
    navoi__log(s->client, NAVOI_LOG_INFO, "sync: INBOUND %s, insDate window start %lld .. %lld",
               s->stat[NAVOI_SYNC_STAT_RESUMED] ? "resumed" : "started", (long long)r.pos,
               (long long)r.to);
    while (r.pos <= r.to) {
        int64_t wto = r.to - r.pos > WINDOW_MS ? r.pos + WINDOW_MS : r.to;
        /* windows start at from + k * (WINDOW_MS + 1), also after a resume */
        s->stat[NAVOI_SYNC_STAT_WINDOW] = (r.pos - r.from) / (WINDOW_MS + 1) + 1;
        s->stat[NAVOI_SYNC_STAT_PAGES] = 0;
        rc = run_window(s, &r, wto);
        if (rc != NAVOI_OK)
            goto failed;
        if (wto == r.to)
            break;
        r.pos = wto + 1;
        r.page = 1;
        rc = save_run(s, &r);
        if (rc != NAVOI_OK)
            goto failed;
    }
    rc = finish_run(s, &r);
    if (rc != NAVOI_OK)
        goto failed;
    navoi__log(s->client, NAVOI_LOG_INFO,
               "sync: INBOUND complete: %lld listed, %lld fetched, %lld already stored, "
               "%lld without document, %lld requests",
               (long long)s->stat[NAVOI_SYNC_STAT_SEEN], (long long)s->stat[NAVOI_SYNC_STAT_FETCHED],
               (long long)s->stat[NAVOI_SYNC_STAT_SKIPPED],
               (long long)s->stat[NAVOI_SYNC_STAT_INCOMPLETE],
               (long long)s->stat[NAVOI_SYNC_STAT_REQUESTS]);
    return NAVOI_OK;
failed:
    navoi__log(s->client, NAVOI_LOG_WARN, "%s", s->errmsg);
    return rc;
}

/* ---- listing and export ---- */

typedef struct list_ctx {
    navoi__buf *b;
    size_t n;
    int format; /* 0 ids, CSV, JSON */
} list_ctx;

/* Value of name in meta ("name=value\n" lines, escaped), unescaped into out. */
static void meta_value(const char *meta, size_t len, const char *name, navoi__buf *out)
{
    size_t nl = strlen(name);
    const char *p = meta, *end = meta + len;
    navoi__buf_reset(out);
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        if ((size_t)(eol - p) > nl && !memcmp(p, name, nl) && p[nl] == '=') {
            const char *v;
            for (v = p + nl + 1; v < eol; v++) {
                if (*v == '\\' && v + 1 < eol) {
                    v++;
                    navoi__buf_putc(out, *v == 'n' ? '\n' : *v == 'r' ? '\r' : *v);
                } else {
                    navoi__buf_putc(out, *v);
                }
            }
            break;
        }
        p = eol + 1;
    }
    navoi__buf_reserve(out, 1);
    if (out->data)
        out->data[out->len] = '\0';
}

static const char *const g_cols[] = {
    "invoiceNumber",       "invoiceOperation", "invoiceIssueDate",    "supplierTaxNumber",
    "supplierName",        "currency",         "invoiceNetAmount",    "invoiceVatAmount",
    "invoiceNetAmountHUF", "invoiceVatAmountHUF", "insDate"};
#define N_COLS (sizeof g_cols / sizeof g_cols[0])

static void csv_field(navoi__buf *b, const char *v)
{
    if (strpbrk(v, ",\"\r\n")) {
        navoi__buf_putc(b, '"');
        for (; *v; v++) {
            if (*v == '"')
                navoi__buf_putc(b, '"');
            navoi__buf_putc(b, *v);
        }
        navoi__buf_putc(b, '"');
    } else {
        navoi__buf_puts(b, v);
    }
}

static void json_string(navoi__buf *b, const char *v)
{
    static const char hex[] = "0123456789abcdef";
    navoi__buf_putc(b, '"');
    for (; *v; v++) {
        unsigned char c = (unsigned char)*v;
        if (c == '"' || c == '\\') {
            navoi__buf_putc(b, '\\');
            navoi__buf_putc(b, (char)c);
        } else if (c == '\n') {
            navoi__buf_puts(b, "\\n");
        } else if (c == '\r') {
            navoi__buf_puts(b, "\\r");
        } else if (c == '\t') {
            navoi__buf_puts(b, "\\t");
        } else if (c < 0x20) {
            navoi__buf_puts(b, "\\u00");
            navoi__buf_putc(b, hex[c >> 4]);
            navoi__buf_putc(b, hex[c & 15]);
        } else {
            navoi__buf_putc(b, (char)c);
        }
    }
    navoi__buf_putc(b, '"');
}

static int on_list(const char *id, int64_t ins, const char *meta, size_t ml, const char *xml,
                   size_t xl, void *ctx)
{
    list_ctx *c = ctx;
    navoi__buf v = NAVOI__BUF_INIT;
    size_t k;
    (void)ins, (void)xml, (void)xl;
    if (c->format == 0) {
        navoi__buf_puts(c->b, id);
        navoi__buf_putc(c->b, '\n');
    } else if (c->format == NAVOI_SYNC_CSV) {
        csv_field(c->b, id);
        for (k = 0; k < N_COLS; k++) {
            navoi__buf_putc(c->b, ',');
            meta_value(meta, ml, g_cols[k], &v);
            csv_field(c->b, v.data ? v.data : "");
        }
        meta_value(meta, ml, "_document", &v);
        navoi__buf_puts(c->b, v.data && !strcmp(v.data, "stored") ? ",true\n" : ",false\n");
    } else {
        navoi__buf_puts(c->b, c->n ? ",\n {\"id\": " : "\n {\"id\": ");
        json_string(c->b, id);
        for (k = 0; k < N_COLS; k++) {
            meta_value(meta, ml, g_cols[k], &v);
            navoi__buf_puts(c->b, ", \"");
            navoi__buf_puts(c->b, g_cols[k]);
            navoi__buf_puts(c->b, "\": ");
            if (v.len)
                json_string(c->b, v.data);
            else
                navoi__buf_puts(c->b, "null");
        }
        meta_value(meta, ml, "_document", &v);
        navoi__buf_puts(c->b, v.data && !strcmp(v.data, "stored") ? ", \"hasXml\": true}"
                                                                    : ", \"hasXml\": false}");
    }
    navoi__buf_free(&v);
    c->n++;
    return navoi__buf_status(c->b) != NAVOI_OK;
}

static int list_into(navoi_sync *s, int64_t from, int64_t to, size_t offset, size_t limit,
                     list_ctx *c)
{
    int rc = s->ops.inbound_list(from, to, offset, limit, on_list, c, s->ud);
    if (rc == NAVOI_EUSER)
        return sfail(s, NAVOI_ENOMEM, "out of memory");
    return rc == NAVOI_OK ? rc : storage_fail(s, rc, "list");
}

NAVOI_API int navoi_sync_list(navoi_sync *s, int64_t from_ms, int64_t to_ms, uint32_t offset,
                              uint32_t limit, char **ids_out, size_t *count_out)
{
    navoi__buf b = NAVOI__BUF_INIT;
    list_ctx c;
    int rc;
    if (ids_out)
        *ids_out = NULL;
    if (count_out)
        *count_out = 0;
    if (!s || !ids_out || limit < 1 || limit > 100000 || from_ms > to_ms)
        return NAVOI_EINVAL;
    s->errmsg[0] = '\0';
    memset(&c, 0, sizeof c);
    c.b = &b;
    rc = list_into(s, from_ms, to_ms, offset, limit, &c);
    if (rc == NAVOI_OK) {
        navoi__buf_reserve(&b, 1);
        if (navoi__buf_status(&b) != NAVOI_OK || !(*ids_out = navoi__buf_detach(&b, NULL)))
            rc = sfail(s, NAVOI_ENOMEM, "out of memory");
    }
    navoi__buf_free(&b);
    if (rc == NAVOI_OK && count_out)
        *count_out = c.n;
    return rc;
}

NAVOI_API int navoi_sync_summary(navoi_sync *s, int64_t from_ms, int64_t to_ms, int format,
                                 char **text_out)
{
    navoi__buf b = NAVOI__BUF_INIT;
    list_ctx c;
    size_t k, page = 10000;
    int rc = NAVOI_OK;
    if (text_out)
        *text_out = NULL;
    if (!s || !text_out || from_ms > to_ms ||
        (format != NAVOI_SYNC_CSV && format != NAVOI_SYNC_JSON))
        return NAVOI_EINVAL;
    s->errmsg[0] = '\0';
    memset(&c, 0, sizeof c);
    c.b = &b;
    c.format = format;
    if (format == NAVOI_SYNC_CSV) {
        navoi__buf_puts(&b, "id");
        for (k = 0; k < N_COLS; k++) {
            navoi__buf_putc(&b, ',');
            navoi__buf_puts(&b, g_cols[k]);
        }
        navoi__buf_puts(&b, ",hasXml\n");
    } else {
        navoi__buf_putc(&b, '[');
    }
    /* in pages, so a backend never has to hold one huge cursor open */
    for (;;) {
        size_t before = c.n;
        rc = list_into(s, from_ms, to_ms, c.n, page, &c);
        if (rc != NAVOI_OK || c.n - before < page)
            break;
    }
    if (format == NAVOI_SYNC_JSON)
        navoi__buf_puts(&b, c.n ? "\n]\n" : "]\n");
    if (rc == NAVOI_OK &&
        (navoi__buf_status(&b) != NAVOI_OK || !(*text_out = navoi__buf_detach(&b, NULL))))
        rc = sfail(s, NAVOI_ENOMEM, "out of memory");
    navoi__buf_free(&b);
    return rc;
}

typedef struct get_ctx {
    char *meta, *xml;
    size_t xml_len;
    int want_meta, want_xml, oom;
} get_ctx;

static int on_get(const char *id, int64_t ins, const char *meta, size_t ml, const char *xml,
                  size_t xl, void *ctx)
{
    get_ctx *g = ctx;
    (void)id, (void)ins;
    if (g->want_meta && !(g->meta = navoi__strndup(meta ? meta : "", meta ? ml : 0)))
        g->oom = 1;
    if (g->want_xml && xml) {
        if (!(g->xml = navoi__strndup(xml, xl)))
            g->oom = 1;
        g->xml_len = xl;
    }
    return g->oom;
}

NAVOI_API int navoi_sync_invoice(navoi_sync *s, const char *id, char **meta_out, char **xml_out,
                                 size_t *xml_len_out)
{
    get_ctx g;
    int rc;
    if (meta_out)
        *meta_out = NULL;
    if (xml_out)
        *xml_out = NULL;
    if (xml_len_out)
        *xml_len_out = 0;
    if (!s || !id)
        return NAVOI_EINVAL;
    s->errmsg[0] = '\0';
    memset(&g, 0, sizeof g);
    g.want_meta = meta_out != NULL;
    g.want_xml = xml_out != NULL;
    rc = s->ops.inbound_get(id, g.want_xml, on_get, &g, s->ud);
    if (rc == NAVOI_EUSER || g.oom) {
        navoi__free(g.meta);
        navoi__free(g.xml);
        return sfail(s, NAVOI_ENOMEM, "out of memory");
    }
    if (rc == NAVOI_ENOTFOUND)
        return sfail(s, rc, "sync: no stored invoice %s", id);
    if (rc != NAVOI_OK)
        return storage_fail(s, rc, "read");
    if (meta_out)
        *meta_out = g.meta;
    if (xml_out)
        *xml_out = g.xml;
    if (xml_len_out)
        *xml_len_out = g.xml_len;
    return NAVOI_OK;
}
