/* metrics_http.c - see metrics_http.h. */
#include "metrics_http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#ifdef NAVOI_CLI_HAVE_MHD
#include <microhttpd.h>
#endif

struct worker_metrics {
    navoi_outbox *ob;
    navoi_metrics *m;
    pthread_mutex_t lock;
    char *text; /* malloc'd copy served to clients */
    long long last_ms;
#ifdef NAVOI_CLI_HAVE_MHD
    struct MHD_Daemon *d;
#endif
};

static long long mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void worker_metrics_tick(worker_metrics *wm)
{
    char *t = NULL, *copy;
    if (!wm || (wm->last_ms && mono_ms() - wm->last_ms < 1000))
        return;
    wm->last_ms = mono_ms();
    if (navoi_metrics_refresh(wm->m) != NAVOI_OK || navoi_metrics_text(wm->m, &t) != NAVOI_OK) {
        fprintf(stderr, "navoi worker: metrics: %s\n", navoi_outbox_errmsg(wm->ob));
        return;
    }
    copy = strdup(t);
    navoi_free(t);
    if (!copy)
        return;
    pthread_mutex_lock(&wm->lock);
    free(wm->text);
    wm->text = copy;
    pthread_mutex_unlock(&wm->lock);
}

#ifdef NAVOI_CLI_HAVE_MHD
#if MHD_VERSION >= 0x00097002
typedef enum MHD_Result mhd_result;
#else
typedef int mhd_result;
#endif

static mhd_result answer(void *cls, struct MHD_Connection *conn, const char *url,
                         const char *method, const char *version, const char *upload,
                         size_t *upload_size, void **con_cls)
{
    worker_metrics *wm = cls;
    struct MHD_Response *r;
    mhd_result ret;
    unsigned status = MHD_HTTP_OK;
    char *body;
    (void)version, (void)upload, (void)upload_size, (void)con_cls;
    if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
        body = strdup("only GET\n");
        status = MHD_HTTP_METHOD_NOT_ALLOWED;
    } else if (strcmp(url, "/metrics")) {
        body = strdup("see /metrics\n");
        status = MHD_HTTP_NOT_FOUND;
    } else {
        pthread_mutex_lock(&wm->lock);
        body = strdup(wm->text ? wm->text : "");
        pthread_mutex_unlock(&wm->lock);
    }
    if (!body)
        return MHD_NO;
    r = MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", status == MHD_HTTP_OK
                                                  ? "text/plain; version=0.0.4; charset=utf-8"
                                                  : "text/plain");
    ret = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return ret;
}
#endif

worker_metrics *worker_metrics_start(navoi_outbox *ob, const char *listen, char *err,
                                     size_t errlen)
{
#ifdef NAVOI_CLI_HAVE_MHD
    worker_metrics *wm;
    struct sockaddr_storage ss;
    char host[128];
    const char *colon = strrchr(listen, ':');
    char *end;
    long port;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD;
    memset(&ss, 0, sizeof ss);
    if (!colon || colon == listen || (size_t)(colon - listen) >= sizeof host) {
        snprintf(err, errlen, "--metrics-listen wants ADDRESS:PORT, e.g. 127.0.0.1:9464");
        return NULL;
    }
    port = strtol(colon + 1, &end, 10);
    if (*end || port < 1 || port > 65535) {
        snprintf(err, errlen, "--metrics-listen: bad port '%s'", colon + 1);
        return NULL;
    }
    snprintf(host, sizeof host, "%.*s", (int)(colon - listen), listen);
    if (host[0] == '[' && host[strlen(host) - 1] == ']') {
        struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
        host[strlen(host) - 1] = '\0';
        if (inet_pton(AF_INET6, host + 1, &a6->sin6_addr) != 1) {
            snprintf(err, errlen, "--metrics-listen: bad IPv6 address '%s'", host + 1);
            return NULL;
        }
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        flags |= MHD_USE_IPv6;
    } else {
        struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
        if (inet_pton(AF_INET, host, &a4->sin_addr) != 1) {
            snprintf(err, errlen, "--metrics-listen: bad IPv4 address '%s'", host);
            return NULL;
        }
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)port);
    }
    wm = calloc(1, sizeof *wm);
    if (!wm) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    wm->ob = ob;
    pthread_mutex_init(&wm->lock, NULL);
    if (navoi_metrics_new(&wm->m, ob) != NAVOI_OK) {
        snprintf(err, errlen, "metrics: %s", navoi_outbox_errmsg(ob));
        worker_metrics_stop(wm);
        return NULL;
    }
    worker_metrics_tick(wm);
    wm->d = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, answer, wm,
                             MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
                             MHD_OPTION_CONNECTION_LIMIT, (unsigned)16,
                             MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10, MHD_OPTION_END);
    if (!wm->d) {
        snprintf(err, errlen, "--metrics-listen: cannot listen on %s (in use or not local?)",
                 listen);
        worker_metrics_stop(wm);
        return NULL;
    }
    return wm;
#else
    (void)ob, (void)listen;
    snprintf(err, errlen, "--metrics-listen: this navoi was built without libmicrohttpd");
    return NULL;
#endif
}

void worker_metrics_stop(worker_metrics *wm)
{
    if (!wm)
        return;
#ifdef NAVOI_CLI_HAVE_MHD
    if (wm->d)
        MHD_stop_daemon(wm->d);
#endif
    navoi_metrics_free(wm->m);
    pthread_mutex_destroy(&wm->lock);
    free(wm->text);
    free(wm);
}
