/* metrics_http.h - `navoi worker --metrics-listen ADDR:PORT`: a tiny HTTP
 * server (libmicrohttpd) answering GET /metrics with the outbox metrics in
 * Prometheus text format. The worker thread refreshes the text (the
 * outbox is single-threaded); the server thread only serves the copy. */
#ifndef NAVOI_CLI_METRICS_HTTP_H
#define NAVOI_CLI_METRICS_HTTP_H

#include <stddef.h>

#include "navoi/navoi.h"

typedef struct worker_metrics worker_metrics;

/* Starts serving on listen ("127.0.0.1:9464", "[::1]:9464"); NULL with err
 * on failure (bad address, port in use, built without libmicrohttpd). */
worker_metrics *worker_metrics_start(navoi_outbox *ob, const char *listen, char *err,
                                     size_t errlen);
/* Refreshes the served text (at most once a second). */
void worker_metrics_tick(worker_metrics *wm);
void worker_metrics_stop(worker_metrics *wm);

#endif
