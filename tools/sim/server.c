/*
 * server.c - the HTTP side of navoi-sim on libmicrohttpd: routing under
 * /invoiceService/v3, body cap, maintenance, fault injection, traffic
 * restriction, the loopback admin endpoint, and the server lifecycle.
 * One thread per connection, so a hung or rate-delayed request never
 * blocks the others; all state changes happen under sim_server.lock.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libxml/parser.h>
#include <microhttpd.h>

#include "ops/ops.h"
#include "sim_internal.h"

#define CONTEXT_ROOT "/invoiceService/v3/"

typedef struct conn {
    sim_buf body;
    int too_big;
} conn;

int64_t sim_now_locked(sim_server *s)
{
    return sim_wall_ms() + s->cfg->clock_offset_ms + s->admin_offset_ms;
}

/* Sleeps up to ms with the lock held on entry and exit; returns 1 when
 * the server is stopping (hung requests must not delay shutdown). */
static int wait_locked(sim_server *s, int64_t ms)
{
    struct timespec ts;
    int64_t until;
    clock_gettime(CLOCK_REALTIME, &ts);
    until = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + ms;
    ts.tv_sec = (time_t)(until / 1000);
    ts.tv_nsec = (long)(until % 1000) * 1000000L;
    while (!s->stopping) {
        if (pthread_cond_timedwait(&s->cond, &s->lock, &ts) == ETIMEDOUT)
            break;
    }
    return s->stopping;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *ctype,
                             const char *data, size_t len)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, (void *)(uintptr_t)(data ? data : ""),
                                        MHD_RESPMEM_MUST_COPY);
    enum MHD_Result rc;
    if (!r)
        return MHD_NO;
    if (ctype)
        MHD_add_response_header(r, "Content-Type", ctype);
    rc = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result reply_text(struct MHD_Connection *c, unsigned status, const char *text)
{
    return reply(c, status, "text/plain;charset=UTF-8", text, strlen(text));
}

static const char *maintenance_body =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
    "<ns2:GeneralErrorResponse" SIM_XMLNS "><result><funcCode>ERROR</funcCode>"
    "<errorCode>MAINTENANCE_MODE</errorCode><message>The system is under maintenance</message>"
    "</result></ns2:GeneralErrorResponse>";

static const char *gateway_body(int status)
{
    switch (status) {
    case 502: return "<html><body><h1>502 Bad Gateway</h1></body></html>";
    case 503: return "<html><body><h1>503 Service Unavailable</h1></body></html>";
    case 504: return "<html><body><h1>504 Gateway Time-out</h1></body></html>";
    default: return "Generic exception occurred!";
    }
}

static void client_addr(struct MHD_Connection *c, char *out, size_t n, int *loopback)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    *loopback = 0;
    snprintf(out, n, "?");
    if (!ci || !ci->client_addr)
        return;
    if (ci->client_addr->sa_family == AF_INET) {
        const struct sockaddr_in *a = (const struct sockaddr_in *)(const void *)ci->client_addr;
        inet_ntop(AF_INET, &a->sin_addr, out, (socklen_t)n);
        *loopback = (ntohl(a->sin_addr.s_addr) >> 24) == 127;
    } else if (ci->client_addr->sa_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)(const void *)ci->client_addr;
        inet_ntop(AF_INET6, &a->sin6_addr, out, (socklen_t)n);
        *loopback = IN6_IS_ADDR_LOOPBACK(&a->sin6_addr);
    }
}

/* Traffic restriction (PROTOCOL.md 1.7): a request within 1 s of the
 * previous one from the same address waits 4 s longer than the previous
 * delay. Returns the delay; -1 = queued past 60 s, to be dropped. */
static int64_t rate_delay_locked(sim_server *s, const char *addr)
{
    int64_t now = sim_wall_ms(), delay = 0;
    sim_client *cl = NULL;
    int i, oldest = 0;
    for (i = 0; i < SIM_MAX_CLIENTS; i++) {
        if (!strcmp(s->clients[i].addr, addr)) {
            cl = &s->clients[i];
            break;
        }
        if (s->clients[i].last_ms < s->clients[oldest].last_ms)
            oldest = i;
    }
    if (!cl) {
        cl = &s->clients[oldest];
        memset(cl, 0, sizeof *cl);
        snprintf(cl->addr, sizeof cl->addr, "%s", addr);
    } else if (now - cl->last_ms < 1000) {
        delay = cl->delay_ms + 4000;
    }
    cl->last_ms = now;
    cl->delay_ms = delay;
    return delay > 60000 ? -1 : delay;
}

static int restricted(int op)
{
    return op == NAVOI__OP_TOKEN_EXCHANGE || op == NAVOI__OP_MANAGE_INVOICE ||
           op == NAVOI__OP_QUERY_INVOICE_DATA || op == NAVOI__OP_QUERY_TRANSACTION_STATUS ||
           op == NAVOI__OP_QUERY_TAXPAYER;
}

static int take_fault_locked(sim_server *s, int op, sim_fault *out)
{
    int i;
    for (i = 0; i < s->nfaults; i++) {
        sim_fault *f = &s->faults[i];
        if (f->count <= 0 || (f->op >= 0 && f->op != op))
            continue;
        *out = *f;
        if (--f->count == 0) {
            memmove(f, f + 1, (size_t)(s->nfaults - i - 1) * sizeof *f);
            s->nfaults--;
        }
        return 1;
    }
    return 0;
}

static int content_type_ok(struct MHD_Connection *c)
{
    const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
    size_t n;
    if (!ct)
        return 0;
    n = strcspn(ct, "; \t");
    return (n == 15 && !strncasecmp(ct, "application/xml", 15)) ||
           (n == 8 && !strncasecmp(ct, "text/xml", 8));
}

/* ---- admin endpoint ---- */

static const char *arg(struct MHD_Connection *c, const char *k)
{
    return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, k);
}

static enum MHD_Result admin(sim_server *s, struct MHD_Connection *c, const char *what,
                             conn *cc)
{
    char out[512];
    if (!strcmp(what, "fault")) {
        const char *kind = arg(c, "kind"), *op = arg(c, "op"), *count = arg(c, "count"),
                   *ms = arg(c, "ms");
        int k = kind ? sim_fault_from_name(kind) : -1;
        if (k < 0 || sim_fault_add(s, k, op, count ? atoi(count) : 1, ms ? atoll(ms) : 0))
            return reply_text(c, 400, "bad fault: kind=http500|...&op=NAME&count=N&ms=N\n");
        return reply_text(c, 200, "ok\n");
    }
    if (!strcmp(what, "fault/clear")) {
        sim_fault_clear(s);
        return reply_text(c, 200, "ok\n");
    }
    if (!strcmp(what, "clock")) {
        const char *adv = arg(c, "advanceMs");
        if (!adv)
            return reply_text(c, 400, "advanceMs=N required\n");
        sim_clock_advance(s, atoll(adv));
        snprintf(out, sizeof out, "%lld\n", (long long)sim_now_ms(s));
        return reply_text(c, 200, out);
    }
    if (!strcmp(what, "maintenance")) {
        const char *m = arg(c, "mode");
        if (!m || (strcmp(m, "off") && strcmp(m, "token-freeze") && strcmp(m, "full")))
            return reply_text(c, 400, "mode=off|token-freeze|full required\n");
        sim_set_maintenance(s, !strcmp(m, "off") ? SIM_MAINT_OFF
                               : !strcmp(m, "full") ? SIM_MAINT_FULL
                                                    : SIM_MAINT_TOKEN_FREEZE);
        return reply_text(c, 200, "ok\n");
    }
    if (!strcmp(what, "annulment")) {
        const char *id = arg(c, "transactionId"), *d = arg(c, "decision");
        if (!id || !d || (strcmp(d, "approve") && strcmp(d, "reject")))
            return reply_text(c, 400, "transactionId=ID&decision=approve|reject required\n");
        if (sim_annulment_decide(s, id, !strcmp(d, "approve"), arg(c, "user")))
            return reply_text(c, 404, "no annulment waiting for a decision\n");
        return reply_text(c, 200, "ok\n");
    }
    if (!strcmp(what, "seed")) {
        char err[300];
        if (sim_seed_invoice(s, cc->body.data ? cc->body.data : "", cc->body.len, err,
                             sizeof err)) {
            snprintf(out, sizeof out, "%s\n", err);
            return reply_text(c, 400, out);
        }
        return reply_text(c, 200, "ok\n");
    }
    if (!strcmp(what, "ledger")) {
        const char *sup = arg(c, "supplier"), *num = arg(c, "number");
        sim_ledger_entry e;
        if (!sup || !num)
            return reply_text(c, 400, "supplier=TAX&number=NUMBER required\n");
        sim_ledger_get(s, sup, num, &e);
        snprintf(out, sizeof out, "accepted=%d submitted=%d status=%s annulled=%d\n", e.accepted,
                 e.submitted, e.status ? sim_status_name(e.status) : "NONE", e.annulled);
        return reply_text(c, 200, out);
    }
    if (!strcmp(what, "requests")) {
        snprintf(out, sizeof out, "%ld\n", sim_request_count(s, arg(c, "op")));
        return reply_text(c, 200, out);
    }
    return reply(c, 404, NULL, NULL, 0);
}

/* ---- request dispatch ---- */

static enum MHD_Result dispatch(sim_server *s, struct MHD_Connection *c, const char *url,
                                const char *method, conn *cc)
{
    char addr[64];
    int loopback, op, drop = 0;
    sim_fault f;
    sim_response r;
    enum MHD_Result rc;

    client_addr(c, addr, sizeof addr, &loopback);
    if (!strncmp(url, "/admin/", 7)) {
        if (!loopback)
            return reply(c, 403, NULL, NULL, 0);
        if (strcmp(method, "POST") != 0)
            return reply_text(c, 405, "POST only\n");
        return admin(s, c, url + 7, cc);
    }
    if (strncmp(url, CONTEXT_ROOT, strlen(CONTEXT_ROOT)) != 0 ||
        (op = navoi__op_by_path(url + strlen(CONTEXT_ROOT) - 1)) < 0 ||
        strcmp(url + strlen(CONTEXT_ROOT) - 1, navoi__op(op)->path) != 0)
        return reply(c, 404, NULL, NULL, 0);
    if (strcmp(method, "POST") != 0)
        return reply_text(c, 500, "Generic exception occurred!");

    memset(&r, 0, sizeof r);
    memset(&f, 0, sizeof f);
    pthread_mutex_lock(&s->lock);
    s->req_count[op]++;
    s->req_total++;
    if (take_fault_locked(s, op, &f)) {
        int64_t ms = f.ms;
        switch (f.kind) {
        case SIM_FAULT_HTTP500:
        case SIM_FAULT_HTTP502:
        case SIM_FAULT_HTTP503:
        case SIM_FAULT_HTTP504: {
            static const unsigned codes[] = {500, 502, 503, 504};
            unsigned st = codes[f.kind - SIM_FAULT_HTTP500];
            pthread_mutex_unlock(&s->lock);
            return reply(c, st, "text/html", gateway_body((int)st), strlen(gateway_body((int)st)));
        }
        case SIM_FAULT_MAINTENANCE:
            pthread_mutex_unlock(&s->lock);
            return reply(c, 503, "application/xml;charset=UTF-8", maintenance_body,
                         strlen(maintenance_body));
        case SIM_FAULT_RESET:
            pthread_mutex_unlock(&s->lock);
            return MHD_NO;
        case SIM_FAULT_HANG:
        case SIM_FAULT_SLOW:
            if (wait_locked(s, ms > 0 ? ms : (f.kind == SIM_FAULT_HANG ? s->cfg->hang_ms : 2000))) {
                pthread_mutex_unlock(&s->lock);
                return MHD_NO;
            }
            break;
        case SIM_FAULT_DROP_AFTER_COMMIT:
            drop = 1;
            break;
        case SIM_FAULT_SLOW_PROCESSING:
            r.extra_processing_ms = ms > 0 ? ms : 5000;
            break;
        case SIM_FAULT_TOKEN_REJECT:
            r.token_reject = 1;
            break;
        case SIM_FAULT_RATE_LIMIT:
            break;
        default:
            break;
        }
    }
    if ((f.kind == SIM_FAULT_RATE_LIMIT) || (s->cfg->rate_limit && restricted(op))) {
        int64_t d = rate_delay_locked(s, addr);
        if (d < 0 || (d > 0 && wait_locked(s, d))) {
            pthread_mutex_unlock(&s->lock);
            return MHD_NO; /* queued too long: dropped after receipt */
        }
    }
    if (s->maintenance == SIM_MAINT_FULL ||
        (s->maintenance == SIM_MAINT_TOKEN_FREEZE && op == NAVOI__OP_TOKEN_EXCHANGE)) {
        pthread_mutex_unlock(&s->lock);
        return reply(c, 503, "application/xml;charset=UTF-8", maintenance_body,
                     strlen(maintenance_body));
    }
    if (cc->too_big) {
        pthread_mutex_unlock(&s->lock);
        return reply_text(c, 413, "Request Entity Too Large");
    }
    if (!content_type_ok(c)) {
        pthread_mutex_unlock(&s->lock);
        return reply_text(c, 415, "Unsupported Media Type");
    }
    sim_handle(s, op, cc->body.data ? cc->body.data : "", cc->body.len, addr, &r);
    pthread_mutex_unlock(&s->lock);
    if (drop) {
        sim_buf_free(&r.body);
        return MHD_NO; /* committed, now lose the answer */
    }
    if (r.http == 0 || r.body.oom)
        rc = reply_text(c, 500, "Generic exception occurred!");
    else
        rc = reply(c, (unsigned)r.http, "application/xml;charset=UTF-8", r.body.data,
                   r.body.len);
    sim_buf_free(&r.body);
    return rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    sim_server *s = cls;
    conn *cc = *con_cls;
    (void)version;
    if (!cc) {
        cc = calloc(1, sizeof *cc);
        if (!cc)
            return MHD_NO;
        *con_cls = cc;
        return MHD_YES;
    }
    if (*upload_size) {
        if (!cc->too_big) {
            if (cc->body.len + *upload_size >= SIM_MAX_BODY) {
                cc->too_big = 1;
                sim_buf_free(&cc->body);
            } else {
                sim_buf_add(&cc->body, upload, *upload_size);
            }
        }
        *upload_size = 0;
        return MHD_YES;
    }
    return dispatch(s, c, url, method, cc);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    conn *cc = *con_cls;
    (void)cls;
    (void)c;
    (void)toe;
    if (cc) {
        sim_buf_free(&cc->body);
        free(cc);
        *con_cls = NULL;
    }
}

/* ---- lifecycle ---- */

static char *read_pem(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    char *p;
    size_t n;
    if (!f) {
        snprintf(err, errlen, "cannot open %s", path);
        return NULL;
    }
    p = malloc(65537);
    n = p ? fread(p, 1, 65536, f) : 0;
    fclose(f);
    if (!p || n == 0 || n >= 65536) {
        snprintf(err, errlen, "%s is empty or larger than 64 KiB", path);
        free(p);
        return NULL;
    }
    p[n] = '\0';
    return p;
}

int sim_new(sim_server **out, sim_config *cfg, char *err, size_t errlen)
{
    sim_server *s;
    int i;
    *out = NULL;
    if (!cfg) {
        snprintf(err, errlen, "no configuration");
        return -1;
    }
    xmlInitParser();
    s = calloc(1, sizeof *s);
    if (!s) {
        sim_config_free(cfg);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    s->cfg = cfg;
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->cond, NULL);
    s->maintenance = cfg->maintenance;
    /* a user's own taxpayer is registered and valid unless configured */
    for (i = 0; i < cfg->nusers; i++) {
        if (!sim_find_taxpayer(cfg, cfg->users[i].tax)) {
            sim_taxpayer *nt = realloc(cfg->tps, (size_t)(cfg->ntps + 1) * sizeof *nt);
            char name[64];
            if (!nt)
                goto fail_oom;
            cfg->tps = nt;
            memset(&nt[cfg->ntps], 0, sizeof *nt);
            memcpy(nt[cfg->ntps].tax, cfg->users[i].tax, 9);
            snprintf(name, sizeof name, "Taxpayer %s", cfg->users[i].tax);
            nt[cfg->ntps].name = strdup(name);
            nt[cfg->ntps].registered = nt[cfg->ntps].valid = 1;
            strcpy(nt[cfg->ntps].incorporation, "ORGANIZATION");
            cfg->ntps++;
        }
    }
    if (cfg->schemas_dir && sim_schemas_load(cfg->schemas_dir, &s->schemas, err, errlen)) {
        sim_free(s);
        return -1;
    }
    if ((cfg->tls_cert != NULL) != (cfg->tls_key != NULL)) {
        snprintf(err, errlen, "TLS needs both a certificate and a key");
        sim_free(s);
        return -1;
    }
    if (cfg->tls_cert) {
        if (!(s->tls_cert_pem = read_pem(cfg->tls_cert, err, errlen)) ||
            !(s->tls_key_pem = read_pem(cfg->tls_key, err, errlen))) {
            sim_free(s);
            return -1;
        }
    }
    if (cfg->state_file && sim_db_open(s, cfg->state_file, err, errlen)) {
        sim_free(s);
        return -1;
    }
    *out = s;
    return 0;
fail_oom:
    snprintf(err, errlen, "out of memory");
    sim_free(s);
    return -1;
}

int sim_start(sim_server *s, uint16_t port)
{
    struct sockaddr_in sa;
    struct MHD_Daemon *d;
    const union MHD_DaemonInfo *di;
    unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC;
    if (s->mhd) {
        snprintf(s->err, sizeof s->err, "already started");
        return -1;
    }
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    s->stopping = 0;
    if (s->tls_cert_pem) {
        if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
            snprintf(s->err, sizeof s->err, "libmicrohttpd was built without TLS");
            return -1;
        }
        d = MHD_start_daemon(flags | MHD_USE_TLS, port, NULL, NULL, on_request, s,
                             MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                             MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
                             MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)300,
                             MHD_OPTION_CONNECTION_LIMIT, (unsigned)256,
                             MHD_OPTION_HTTPS_MEM_CERT, s->tls_cert_pem,
                             MHD_OPTION_HTTPS_MEM_KEY, s->tls_key_pem, MHD_OPTION_END);
    } else {
        d = MHD_start_daemon(flags, port, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR,
                             (struct sockaddr *)&sa, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
                             s, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)300,
                             MHD_OPTION_CONNECTION_LIMIT, (unsigned)256, MHD_OPTION_END);
    }
    if (!d) {
        snprintf(s->err, sizeof s->err, "cannot listen on 127.0.0.1:%u", (unsigned)port);
        return -1;
    }
    di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di ? di->port : port;
    s->mhd = d;
    snprintf(s->url, sizeof s->url, "%s://127.0.0.1:%u/invoiceService/v3",
             s->tls_cert_pem ? "https" : "http", (unsigned)s->port);
    return 0;
}

uint16_t sim_port(const sim_server *s)
{
    return s->port;
}

const char *sim_base_url(const sim_server *s)
{
    return s->url;
}

const char *sim_errmsg(const sim_server *s)
{
    return s ? s->err : "no server";
}

void sim_stop(sim_server *s)
{
    if (!s || !s->mhd)
        return;
    pthread_mutex_lock(&s->lock);
    s->stopping = 1;
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->lock);
    MHD_stop_daemon(s->mhd);
    s->mhd = NULL;
}

void sim_free(sim_server *s)
{
    sim_txn *t, *tn;
    sim_record *r, *rn;
    sim_token *k, *kn;
    sim_reqid *q, *qn;
    if (!s)
        return;
    sim_stop(s);
    sim_db_close(s);
    for (t = s->txns; t; t = tn) {
        tn = t->next;
        sim_txn_free(t);
    }
    for (r = s->records; r; r = rn) {
        rn = r->next;
        free(r);
    }
    for (k = s->tokens; k; k = kn) {
        kn = k->next;
        free(k);
    }
    for (q = s->reqids; q; q = qn) {
        qn = q->next;
        free(q);
    }
    sim_indexes_free(s);
    sim_schemas_free(s->schemas);
    sim_config_free(s->cfg);
    free(s->tls_cert_pem);
    free(s->tls_key_pem);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->cond);
    free(s);
}

/* ---- clock, faults, counters ---- */

int64_t sim_now_ms(sim_server *s)
{
    int64_t v;
    pthread_mutex_lock(&s->lock);
    v = sim_now_locked(s);
    pthread_mutex_unlock(&s->lock);
    return v;
}

void sim_clock_advance(sim_server *s, int64_t ms)
{
    pthread_mutex_lock(&s->lock);
    s->admin_offset_ms += ms;
    pthread_mutex_unlock(&s->lock);
}

void sim_process(sim_server *s)
{
    pthread_mutex_lock(&s->lock);
    sim_advance_locked(s);
    pthread_mutex_unlock(&s->lock);
}

void sim_set_maintenance(sim_server *s, int mode)
{
    pthread_mutex_lock(&s->lock);
    s->maintenance = mode;
    pthread_mutex_unlock(&s->lock);
}

static const char *const g_fault_names[SIM_FAULT_COUNT] = {
    "none", "http500", "http502", "http503", "http504", "maintenance", "hang", "drop",
    "reset", "slow", "slow-processing", "token-reject", "rate-limit"};

int sim_fault_from_name(const char *name)
{
    int i;
    for (i = 1; i < SIM_FAULT_COUNT; i++)
        if (!strcmp(g_fault_names[i], name))
            return i;
    return -1;
}

int sim_fault_add(sim_server *s, int kind, const char *op, int count, int64_t ms)
{
    int opi = -1;
    if (kind <= SIM_FAULT_NONE || kind >= SIM_FAULT_COUNT || count < 1 || count > 1000000 ||
        ms < 0 || ms > 3600000) {
        snprintf(s->err, sizeof s->err, "bad fault arguments");
        return -1;
    }
    if (op && *op && (opi = navoi__op_by_path(op)) < 0) {
        snprintf(s->err, sizeof s->err, "unknown operation %s", op);
        return -1;
    }
    pthread_mutex_lock(&s->lock);
    if (s->nfaults >= SIM_MAX_FAULTS) {
        pthread_mutex_unlock(&s->lock);
        snprintf(s->err, sizeof s->err, "too many faults armed");
        return -1;
    }
    s->faults[s->nfaults].kind = kind;
    s->faults[s->nfaults].op = opi;
    s->faults[s->nfaults].count = count;
    s->faults[s->nfaults].ms = ms;
    s->nfaults++;
    pthread_mutex_unlock(&s->lock);
    return 0;
}

int sim_fault_add_spec(sim_server *s, const char *spec)
{
    char tmp[128], *parts[4] = {NULL, NULL, NULL, NULL}, *p;
    int n = 0, kind;
    snprintf(tmp, sizeof tmp, "%s", spec);
    for (p = tmp; p && n < 4; n++) {
        parts[n] = p;
        p = strchr(p, ':');
        if (p)
            *p++ = '\0';
    }
    kind = sim_fault_from_name(parts[0]);
    if (kind < 0) {
        snprintf(s->err, sizeof s->err, "unknown fault '%s'", parts[0]);
        return -1;
    }
    return sim_fault_add(s, kind, parts[1], parts[2] && *parts[2] ? atoi(parts[2]) : 1,
                         parts[3] ? atoll(parts[3]) : 0);
}

void sim_fault_clear(sim_server *s)
{
    pthread_mutex_lock(&s->lock);
    s->nfaults = 0;
    pthread_mutex_unlock(&s->lock);
}

long sim_request_count(sim_server *s, const char *op)
{
    long v;
    int i = op && *op ? navoi__op_by_path(op) : -1;
    pthread_mutex_lock(&s->lock);
    v = i >= 0 ? s->req_count[i] : (op && *op ? 0 : s->req_total);
    pthread_mutex_unlock(&s->lock);
    return v;
}

long sim_selfcheck_failures(sim_server *s)
{
    long v;
    pthread_mutex_lock(&s->lock);
    v = s->selfcheck_failures;
    pthread_mutex_unlock(&s->lock);
    return v;
}
