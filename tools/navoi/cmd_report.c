/*
 * cmd_report.c - `navoi report --html FILE`: one self-contained HTML page
 * for operators (inline CSS and SVG, no external assets, a CSP that
 * forbids loading any): outcome counts, processing delay and backlog over
 * time, top NAV error codes and the table of items that need a person.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cliutil.h"
#include "failed.h"

void help_report(FILE *out)
{
    fprintf(out,
            "usage: navoi report --html FILE [--config FILE] [--title TEXT]\n\n"
            "Writes a self-contained HTML page (no external assets; opens offline) with the\n"
            "outbox's outcome counts, processing delay and backlog over time as charts, the\n"
            "top NAV error codes and the table of items that need a person (as `navoi\n"
            "failed`). FILE is written with mode 0600; '-' writes to standard output.\n\n"
            "exit: 0 written, 2 usage, 3 configuration, storage or file error.\n");
}

typedef struct point {
    int64_t t;
    double v[4];
} point;

static void esc(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default: fputc(*s, f);
        }
    }
}

/* Parses the timeline CSV into points; column indexes picked by caller. */
static size_t parse_timeline(const char *csv, point **out)
{
    const char *p = strchr(csv, '\n');
    size_t n = 0, cap = 0;
    point *v = NULL;
    while (p && p[1]) {
        long long a[9];
        p++;
        if (sscanf(p, "%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld", &a[0], &a[1], &a[2], &a[3],
                   &a[4], &a[5], &a[6], &a[7], &a[8]) == 9) {
            if (n == cap) {
                point *nv;
                cap = cap ? cap * 2 : 64;
                nv = realloc(v, cap * sizeof *v);
                if (!nv)
                    break;
                v = nv;
            }
            v[n].t = a[0];
            v[n].v[0] = (double)a[6];          /* backlog */
            v[n].v[1] = (double)a[7] / 1000.0; /* delay avg, s */
            v[n].v[2] = (double)a[8] / 1000.0; /* delay max, s */
            v[n].v[3] = (double)a[2];          /* done */
            n++;
        }
        p = strchr(p, '\n');
    }
    *out = v;
    return n;
}

/* A line chart of series si[0..ns) of pts as inline SVG. */
static void chart(FILE *f, const char *id, const char *title, const point *pts, size_t n,
                  const int *si, const char *const *names, const char *const *colors, int ns,
                  const char *unit)
{
    const double W = 760, H = 200, L = 60, T = 10, B = 30;
    double ymax = 0;
    size_t i;
    int k;
    char a[32], b[32];
    for (i = 0; i < n; i++)
        for (k = 0; k < ns; k++)
            if (pts[i].v[si[k]] > ymax)
                ymax = pts[i].v[si[k]];
    if (ymax <= 0)
        ymax = 1;
    fprintf(f, "<h2>");
    esc(f, title);
    fprintf(f, "</h2>\n<svg class=\"chart\" id=\"%s\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" "
               "aria-label=\"", id, W + L, H + T + B);
    esc(f, title);
    fprintf(f, "\">\n<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" class=\"axis\"/>\n"
               "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" class=\"axis\"/>\n",
            L, T, L, T + H, L, T + H, L + W, T + H);
    fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" class=\"lbl\" text-anchor=\"end\">%.1f %s</text>\n",
            L - 4, T + 10, ymax, unit);
    fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" class=\"lbl\" text-anchor=\"end\">0</text>\n", L - 4,
            T + H);
    if (n) {
        cli_fmt_time(pts[0].t, a);
        cli_fmt_time(pts[n - 1].t, b);
        fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" class=\"lbl\">%s</text>\n", L, T + H + 20, a);
        fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" class=\"lbl\" text-anchor=\"end\">%s</text>\n",
                L + W, T + H + 20, b);
    } else {
        fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" class=\"lbl\">no data yet</text>\n", L + 20,
                T + H / 2);
    }
    for (k = 0; k < ns; k++) {
        fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"",
                colors[k]);
        for (i = 0; i < n; i++) {
            double x = L + (n > 1 ? W * (double)i / (double)(n - 1) : W / 2);
            double y = T + H - H * pts[i].v[si[k]] / ymax;
            fprintf(f, "%.1f,%.1f ", x, y);
        }
        fprintf(f, "\"><title>");
        esc(f, names[k]);
        fprintf(f, "</title></polyline>\n");
        fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" class=\"lbl\" fill=\"%s\">", L + 10 + 150 * k,
                T + 14, colors[k]);
        esc(f, names[k]);
        fprintf(f, "</text>\n");
    }
    fprintf(f, "</svg>\n");
}

typedef struct code_row {
    char code[64], cat[16];
    double n;
} code_row;

static int by_count(const void *a, const void *b)
{
    const code_row *x = a, *y = b;
    return x->n < y->n ? 1 : x->n > y->n ? -1 : strcmp(x->code, y->code);
}

static void failed_row(const navoi_outbox_item *it, void *ud)
{
    FILE *f = ud;
    const char *nav = "", *msg;
    size_t k, nm = navoi_outbox_item_message_count(it);
    msg = navoi_outbox_item_error(it, NULL, NULL, NULL, &nav);
    fprintf(f, "<tr><td>");
    esc(f, navoi_outbox_item_key(it));
    fprintf(f, "</td><td class=\"st\">%s</td><td>",
            navoi_outbox_state_name(navoi_outbox_item_state(it)));
    esc(f, navoi_outbox_item_invoice_number(it));
    fprintf(f, "</td><td>");
    esc(f, msg);
    fprintf(f, "</td><td>");
    esc(f, nav);
    for (k = 0; k < nm && k < 20; k++) {
        const char *mc, *mt;
        navoi_outbox_item_message(it, k, NULL, NULL, &mc, &mt, NULL, NULL, NULL);
        fprintf(f, "<br><b>");
        esc(f, mc);
        fprintf(f, "</b> ");
        esc(f, mt);
    }
    fprintf(f, "</td><td>");
    esc(f, navoi_outbox_item_advice(it));
    fprintf(f, "</td></tr>\n");
}

static double val(navoi_metrics *m, const char *series)
{
    double v = 0;
    navoi_metrics_value(m, series, &v);
    return v;
}

static int write_report(FILE *f, navoi_outbox *ob, navoi_metrics *m, const char *title)
{
    static const char *const states[] = {"DONE", "ABORTED", "FAILED", "NEEDS_ATTENTION",
                                         "PENDING", "SENDING", "SENT"};
    char *text = NULL, *csv = NULL, now[32], last[32], series[96];
    point *pts = NULL;
    size_t n = 0, i, ncodes = 0;
    code_row codes[64];
    int64_t first_t = 0, last_t = 0, bucket;
    const char *p;

    if (navoi_metrics_text(m, &text) != NAVOI_OK)
        return -1;
    /* pick a bucket giving at most ~120 points: first the span per day */
    if (navoi_metrics_timeline(m, 86400000, &csv) != NAVOI_OK) {
        navoi_free(text);
        return -1;
    }
    n = parse_timeline(csv, &pts);
    if (n) {
        first_t = pts[0].t;
        last_t = pts[n - 1].t + 86400000;
    }
    free(pts);
    pts = NULL;
    navoi_free(csv);
    bucket = (last_t - first_t) / 120;
    bucket = bucket < 60000 ? 60000 : (bucket + 59999) / 60000 * 60000;
    if (navoi_metrics_timeline(m, bucket, &csv) != NAVOI_OK) {
        navoi_free(text);
        return -1;
    }
    n = parse_timeline(csv, &pts);
    navoi_free(csv);

    for (p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        static const char pre[] = "navoi_outbox_nav_errors_total{code=\"";
        if (!strncmp(p, pre, sizeof pre - 1) && ncodes < sizeof codes / sizeof codes[0]) {
            code_row *r = &codes[ncodes];
            if (sscanf(p + sizeof pre - 1, "%63[^\"]\",category=\"%15[^\"]\"} %lf", r->code,
                       r->cat, &r->n) == 3)
                ncodes++;
        }
    }
    qsort(codes, ncodes, sizeof codes[0], by_count);
    navoi_free(text);

    cli_fmt_time(cli_now_ms(), now);
    cli_fmt_time((int64_t)val(m, "navoi_outbox_last_success_timestamp_seconds") * 1000, last);
    fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
               "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
               "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n"
               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
    esc(f, title);
    fprintf(f, "</title>\n<style>\n"
               "body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:1100px}\n"
               ".cards{display:flex;flex-wrap:wrap;gap:12px}\n"
               ".card{border:1px solid #ccc;border-radius:6px;padding:10px 16px;min-width:120px}\n"
               ".card b{display:block;font-size:1.6em}\n"
               ".bad b{color:#b00020}.good b{color:#1b7f3b}\n"
               "svg.chart{width:100%%;max-width:820px;height:auto;border:1px solid #eee}\n"
               ".axis{stroke:#888}.lbl{font-size:11px;fill:#444}\n"
               "table{border-collapse:collapse;width:100%%}td,th{border:1px solid #ddd;"
               "padding:4px 8px;text-align:left;vertical-align:top;font-size:.9em}\n"
               "th{background:#f4f4f4}.st{font-weight:bold}\n"
               "</style></head><body>\n<h1>");
    esc(f, title);
    fprintf(f, "</h1>\n<p>Generated %s. Last successful submission: %s.</p>\n<div "
               "class=\"cards\" id=\"outcomes\">\n",
            now, val(m, "navoi_outbox_last_success_timestamp_seconds") > 0 ? last : "never");
    for (i = 0; i < sizeof states / sizeof states[0]; i++) {
        snprintf(series, sizeof series, "navoi_outbox_items{state=\"%s\"}", states[i]);
        fprintf(f, "<div class=\"card%s\"><b>%.0f</b>%s</div>\n",
                i == 0 ? " good" : i < 4 && val(m, series) > 0 ? " bad" : "", val(m, series),
                states[i]);
    }
    fprintf(f, "<div class=\"card\"><b>%.1f%%</b>success ratio</div>\n",
            100.0 * val(m, "navoi_outbox_success_ratio"));
    fprintf(f, "<div class=\"card\"><b>%.0f</b>backlog</div>\n",
            val(m, "navoi_outbox_backlog_items"));
    fprintf(f, "<div class=\"card\"><b>%.0f s</b>oldest pending</div>\n",
            val(m, "navoi_outbox_backlog_oldest_age_seconds"));
    fprintf(f, "<div class=\"card\"><b>%.0f</b>retries</div>\n</div>\n",
            val(m, "navoi_outbox_retries_total"));
    {
        static const int s1[] = {1, 2};
        static const char *const n1[] = {"average delay", "maximum delay"};
        static const char *const c1[] = {"#1f5fbf", "#d07000"};
        static const int s2[] = {0};
        static const char *const n2[] = {"backlog (items)"};
        static const char *const c2[] = {"#7a1fbf"};
        chart(f, "chart-delay", "Processing delay (enqueue to DONE)", pts, n, s1, n1, c1, 2, "s");
        chart(f, "chart-backlog", "Backlog over time", pts, n, s2, n2, c2, 1, "items");
    }
    free(pts);
    fprintf(f, "<h2>Top NAV error codes</h2>\n<table id=\"codes\"><tr><th>code</th>"
               "<th>category</th><th>count</th></tr>\n");
    for (i = 0; i < ncodes && i < 15; i++) {
        fprintf(f, "<tr><td>");
        esc(f, codes[i].code);
        fprintf(f, "</td><td>");
        esc(f, codes[i].cat);
        fprintf(f, "</td><td>%.0f</td></tr>\n", codes[i].n);
    }
    if (!ncodes)
        fprintf(f, "<tr><td colspan=\"3\">none</td></tr>\n");
    fprintf(f, "</table>\n<h2>Items that need a person</h2>\n<table id=\"failed\"><tr>"
               "<th>key</th><th>state</th><th>invoice</th><th>reason</th><th>NAV codes and "
               "messages</th><th>what to do</th></tr>\n");
    if (cli_failed_each(ob, 1000, failed_row, f) != 0)
        return -1;
    fprintf(f, "</table>\n"
               "<script>\n"
               "(function(){var ok=document.querySelectorAll('svg.chart').length===2&&"
               "document.getElementById('failed')!==null;var d=document.createElement('div');"
               "d.id=ok?'navoi-report-ok':'navoi-report-broken';d.hidden=true;"
               "document.body.appendChild(d);})();\n"
               "</script>\n</body></html>\n");
    return ferror(f) ? -1 : 0;
}

int cmd_report(int argc, char **argv)
{
    cli_common co = {NULL, 0, "navoi report"};
    cli_config *cfg = NULL;
    navoi_client *c = NULL;
    navoi_outbox *ob = NULL;
    navoi_metrics *m = NULL;
    const char *html = NULL, *title = "navoi outbox report";
    FILE *f = NULL;
    int i, r, ret = EXIT_ERROR;

    for (i = 1; i < argc; i++) {
        if ((r = cli_common_opt(&co, argc, argv, &i)) != 0) {
            if (r < 0 || co.json)
                goto usage;
        } else if (!strcmp(argv[i], "--html") && i + 1 < argc) {
            html = argv[++i];
        } else if (!strcmp(argv[i], "--title") && i + 1 < argc) {
            title = argv[++i];
        } else {
            goto usage;
        }
    }
    if (!html)
        goto usage;
    if (cli_setup(&co, 0, &cfg, &c) != EXIT_OK)
        return EXIT_ERROR;
    if (cli_open_outbox(&co, cfg, c, &ob) != EXIT_OK)
        goto out;
    if (navoi_metrics_new(&m, ob) != NAVOI_OK || navoi_metrics_refresh(m) != NAVOI_OK) {
        fprintf(stderr, "%s: %s\n", co.cmd, navoi_outbox_errmsg(ob));
        goto out;
    }
    if (!strcmp(html, "-")) {
        f = stdout;
    } else {
        int fd = open(html, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0 || !(f = fdopen(fd, "w"))) {
            fprintf(stderr, "%s: cannot write %s: %s\n", co.cmd, html, strerror(errno));
            if (fd >= 0)
                close(fd);
            goto out;
        }
    }
    if (write_report(f, ob, m, title) != 0) {
        fprintf(stderr, "%s: %s\n", co.cmd,
                navoi_outbox_errmsg(ob)[0] ? navoi_outbox_errmsg(ob) : "write failed");
    } else {
        ret = EXIT_OK;
    }
    if (f != stdout && fclose(f) != 0)
        ret = EXIT_ERROR;
out:
    navoi_metrics_free(m);
    navoi_outbox_free(ob);
    navoi_client_free(c);
    cli_config_free(cfg);
    return ret;
usage:
    help_report(stderr);
    return EXIT_USAGE;
}
