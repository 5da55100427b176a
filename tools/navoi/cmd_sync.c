/*
 * cmd_sync.c - `navoi sync`: synchronises incoming (INBOUND) invoices into
 * the configured storage, shows where it stands, lists and exports them.
 * Progress goes to a terminal only (stderr), never into pipes or logs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cliutil.h"

void help_sync(FILE *out)
{
    fprintf(out,
            "usage: navoi sync [run] [--from DATE] [--quiet] [--config FILE] [--json]\n"
            "       navoi sync status [--json]\n"
            "       navoi sync list [--from DATE] [--to DATE] [--csv | --json]\n"
            "       navoi sync export DIR [--from DATE] [--to DATE]\n"
            "       navoi sync show ID [--xml]\n\n"
            "Fetches the invoices other suppliers issued to you (INBOUND) from NAV:\n"
            "queryInvoiceDigest over every page, in windows of at most 35 days, then\n"
            "queryInvoiceData for each invoice not yet stored. A run continues from the\n"
            "last synchronised point (minus an overlap that catches late-registered\n"
            "invoices); an interrupted run resumes where it stopped; nothing is stored\n"
            "twice. --from DATE (YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ, UTC) resynchronises\n"
            "everything from that date; the first run needs it (or sync_start).\n\n"
            "On a terminal a progress line shows windows, pages, counts, rate and ETA.\n\n"
            "list prints stored invoices (id, number, supplier, date); --csv and --json give\n"
            "the full summary. export writes DIR/<id>.xml per invoice plus summary.csv and\n"
            "summary.json (files mode 0600). show prints one invoice's digest data, or\n"
            "with --xml its XML.\n\n"
            "Configuration keys besides the client's: sync_storage (default: storage),\n"
            "sync_start, sync_overlap_hours (default 72), sync_pace_ms (default 1000).\n\n"
            "exit: 0 done, 2 usage, 3 error (a failed run resumes at the next call).\n");
}

typedef struct progress {
    int tty;
    int64_t started, last_draw;
} progress;

static int on_progress(const navoi_sync *s, void *ud)
{
    progress *p = ud;
    int64_t now = cli_now_ms(), win, wins, page, pages, fetched, elapsed;
    double frac, rate;
    char eta[32] = "-";
    if (!p->tty || now - p->last_draw < 200)
        return 0;
    p->last_draw = now;
    win = navoi_sync_stat(s, NAVOI_SYNC_STAT_WINDOW);
    wins = navoi_sync_stat(s, NAVOI_SYNC_STAT_WINDOWS);
    page = navoi_sync_stat(s, NAVOI_SYNC_STAT_PAGE);
    pages = navoi_sync_stat(s, NAVOI_SYNC_STAT_PAGES);
    fetched = navoi_sync_stat(s, NAVOI_SYNC_STAT_FETCHED);
    elapsed = now - p->started;
    frac = wins ? ((double)(win - 1) + (pages ? (double)(page - 1) / (double)pages : 0)) /
                      (double)wins
                : 0;
    rate = elapsed > 0 ? (double)fetched * 1000.0 / (double)elapsed : 0;
    if (frac > 0.01) {
        int64_t left = (int64_t)((double)elapsed * (1 - frac) / frac / 1000);
        snprintf(eta, sizeof eta, "%lld:%02lld", (long long)(left / 60), (long long)(left % 60));
    }
    fprintf(stderr,
            "\r\033[Kwindow %lld/%lld  page %lld/%lld  listed %lld  fetched %lld  "
            "stored before %lld  %.1f/s  ETA %s",
            (long long)win, (long long)wins, (long long)page, (long long)pages,
            (long long)navoi_sync_stat(s, NAVOI_SYNC_STAT_SEEN), (long long)fetched,
            (long long)navoi_sync_stat(s, NAVOI_SYNC_STAT_SKIPPED), rate, eta);
    fflush(stderr);
    return 0;
}

static int open_sync(const cli_common *co, const cli_config *cfg, navoi_client *c,
                     navoi_sync **out)
{
    const char *db = cli_config_get(cfg, "sync_storage");
    uint32_t pace, hours;
    char err[256];
    if (!db)
        db = cli_config_get(cfg, "storage");
    *out = NULL;
    if (!db) {
        fprintf(stderr, "%s: no storage configured (sync_storage or storage)\n", co->cmd);
        return EXIT_ERROR;
    }
    if (cli_config_u32(cfg, "sync_pace_ms", 1000, &pace, err, sizeof err) ||
        cli_config_u32(cfg, "sync_overlap_hours", 72, &hours, err, sizeof err)) {
        fprintf(stderr, "%s: %s\n", co->cmd, err);
        return EXIT_ERROR;
    }
    if (navoi_sync_open_sqlite(out, c, db) != NAVOI_OK) {
        fprintf(stderr, "%s: %s: %s\n", co->cmd, db, navoi_client_errmsg(c));
        return EXIT_ERROR;
    }
    if (navoi_sync_set_pace(*out, pace) != NAVOI_OK ||
        navoi_sync_set_overlap(*out, (int64_t)hours * 3600000) != NAVOI_OK) {
        fprintf(stderr, "%s: sync_pace_ms (<= 600000) or sync_overlap_hours (<= 840) invalid\n",
                co->cmd);
        navoi_sync_free(*out);
        *out = NULL;
        return EXIT_ERROR;
    }
    return EXIT_OK;
}

static int do_run(const cli_common *co, const cli_config *cfg, navoi_client *c, navoi_sync *s,
                  const char *from, int quiet)
{
    progress p;
    int64_t from_ms = 0, cursor = 0;
    int interrupted = 0, rc;
    char a[32], b[32];

    if (from && (from_ms = cli_parse_time(from)) < 0) {
        fprintf(stderr, "%s: --from must be YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ\n", co->cmd);
        return EXIT_USAGE;
    }
    if (!from && navoi_sync_cursor(s, &cursor, &interrupted) == NAVOI_OK && !cursor &&
        !interrupted && (from = cli_config_get(cfg, "sync_start"))) {
        if ((from_ms = cli_parse_time(from)) < 0) {
            fprintf(stderr, "%s: sync_start must be YYYY-MM-DD\n", co->cmd);
            return EXIT_ERROR;
        }
    }
    memset(&p, 0, sizeof p);
    p.tty = !quiet && !co->json && isatty(STDERR_FILENO);
    p.started = cli_now_ms();
    navoi_sync_set_progress(s, on_progress, &p);
    rc = navoi_sync_run(s, from_ms);
    if (p.tty)
        fprintf(stderr, "\r\033[K");
    cli_fmt_time(navoi_sync_stat(s, NAVOI_SYNC_STAT_RUN_FROM), a);
    cli_fmt_time(navoi_sync_stat(s, NAVOI_SYNC_STAT_RUN_TO), b);
    if (co->json) {
        printf("{\"ok\": %s, \"resumed\": %s, \"from\": \"%s\", \"to\": \"%s\", \"windows\": %lld, "
               "\"listed\": %lld, \"fetched\": %lld, \"alreadyStored\": %lld, "
               "\"withoutDocument\": %lld, \"requests\": %lld, \"error\": ",
               rc == NAVOI_OK ? "true" : "false",
               navoi_sync_stat(s, NAVOI_SYNC_STAT_RESUMED) ? "true" : "false", a, b,
               (long long)navoi_sync_stat(s, NAVOI_SYNC_STAT_WINDOWS),
               (long long)navoi_sync_stat(s, NAVOI_SYNC_STAT_SEEN),
               (long long)navoi_sync_stat(s, NAVOI_SYNC_STAT_FETCHED),
               (long long)navoi_sync_stat(s, NAVOI_SYNC_STAT_SKIPPED),
               (long long)navoi_sync_stat(s, NAVOI_SYNC_STAT_INCOMPLETE),
               (long long)navoi_sync_stat(s, NAVOI_SYNC_STAT_REQUESTS));
        cli_json_str(stdout, rc == NAVOI_OK ? NULL : navoi_sync_errmsg(s));
        printf("}\n");
    } else if (rc == NAVOI_OK) {
        printf("sync %s: %s .. %s, %lld listed, %lld fetched, %lld already stored, "
               "%lld without document\n",
               navoi_sync_stat(s, NAVOI_SYNC_STAT_RESUMED) ? "resumed and complete" : "complete",
               a, b, (long long)navoi_sync_stat(s, NAVOI_SYNC_STAT_SEEN),
               (long long)navoi_sync_stat(s, NAVOI_SYNC_STAT_FETCHED),
               (long long)navoi_sync_stat(s, NAVOI_SYNC_STAT_SKIPPED),
               (long long)navoi_sync_stat(s, NAVOI_SYNC_STAT_INCOMPLETE));
    }
    (void)c;
    if (rc != NAVOI_OK) {
        fprintf(stderr, "%s: %s\n", co->cmd, navoi_sync_errmsg(s));
        if (rc != NAVOI_ECONFIG)
            fprintf(stderr, "%s: %lld invoices were stored; run navoi sync again to resume\n",
                    co->cmd, (long long)navoi_sync_stat(s, NAVOI_SYNC_STAT_FETCHED));
        return EXIT_ERROR;
    }
    return EXIT_OK;
}

static int do_status(const cli_common *co, navoi_sync *s)
{
    int64_t cursor = 0;
    int interrupted = 0;
    size_t n = 0;
    char *ids = NULL, when[32];
    if (navoi_sync_cursor(s, &cursor, &interrupted) != NAVOI_OK ||
        navoi_sync_list(s, 0, INT64_MAX / 2, 0, 100000, &ids, &n) != NAVOI_OK) {
        fprintf(stderr, "%s: %s\n", co->cmd, navoi_sync_errmsg(s));
        return EXIT_ERROR;
    }
    navoi_free(ids);
    cli_fmt_time(cursor, when);
    if (co->json) {
        printf("{\"cursor\": ");
        cli_json_str(stdout, cursor ? when : NULL);
        printf(", \"interrupted\": %s, \"stored\": %zu}\n", interrupted ? "true" : "false", n);
    } else {
        printf("synchronised up to: %s\n", cursor ? when : "never");
        printf("interrupted run:    %s\n", interrupted ? "yes (the next run resumes it)" : "no");
        printf("stored invoices:    %zu%s\n", n, n >= 100000 ? " or more" : "");
    }
    return EXIT_OK;
}

static int range(const cli_common *co, const char *from, const char *to, int64_t *f, int64_t *t)
{
    *f = from ? cli_parse_time(from) : 0;
    *t = to ? cli_parse_time(to) : INT64_MAX / 2;
    if (*f < 0 || *t < 0) {
        fprintf(stderr, "%s: dates are YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ\n", co->cmd);
        return EXIT_USAGE;
    }
    if (to && strlen(to) == 10)
        *t += 86400000 - 1; /* the whole day */
    return EXIT_OK;
}

/* "name=value" of meta, unescaped into out. */
static void meta_get(const char *meta, const char *name, char *out, size_t len)
{
    size_t nl = strlen(name), k = 0;
    const char *p = meta;
    out[0] = '\0';
    while (p && *p) {
        if (!strncmp(p, name, nl) && p[nl] == '=') {
            for (p += nl + 1; *p && *p != '\n' && k + 1 < len; p++) {
                if (*p == '\\' && p[1]) {
                    p++;
                    out[k++] = *p == 'n' ? '\n' : *p == 'r' ? '\r' : *p;
                } else {
                    out[k++] = *p;
                }
            }
            out[k] = '\0';
            return;
        }
        p = strchr(p, '\n');
        if (p)
            p++;
    }
}

static int do_list(const cli_common *co, navoi_sync *s, int64_t f, int64_t t, int csv)
{
    char *text = NULL, *ids = NULL, *line, *save = NULL;
    size_t n = 0;
    if (csv || co->json) {
        if (navoi_sync_summary(s, f, t, csv ? NAVOI_SYNC_CSV : NAVOI_SYNC_JSON, &text) !=
            NAVOI_OK) {
            fprintf(stderr, "%s: %s\n", co->cmd, navoi_sync_errmsg(s));
            return EXIT_ERROR;
        }
        fputs(text, stdout);
        navoi_free(text);
        return EXIT_OK;
    }
    if (navoi_sync_list(s, f, t, 0, 100000, &ids, &n) != NAVOI_OK) {
        fprintf(stderr, "%s: %s\n", co->cmd, navoi_sync_errmsg(s));
        return EXIT_ERROR;
    }
    printf("%-24s %-10s %-10s %-9s %s\n", "invoice number", "issued", "supplier", "operation",
           "supplier name");
    for (line = strtok_r(ids, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *meta = NULL, num[64], date[16], sup[16], op[16], name[80];
        if (navoi_sync_invoice(s, line, &meta, NULL, NULL) != NAVOI_OK)
            continue;
        meta_get(meta, "invoiceNumber", num, sizeof num);
        meta_get(meta, "invoiceIssueDate", date, sizeof date);
        meta_get(meta, "supplierTaxNumber", sup, sizeof sup);
        meta_get(meta, "invoiceOperation", op, sizeof op);
        meta_get(meta, "supplierName", name, sizeof name);
        printf("%-24s %-10s %-10s %-9s %s\n", num, date, sup, op, name);
        navoi_free(meta);
    }
    printf("%zu invoice(s)\n", n);
    navoi_free(ids);
    return EXIT_OK;
}

static int write_file(const char *path, const char *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    size_t off = 0;
    if (fd < 0)
        return -1;
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            close(fd);
            return -1;
        }
        off += (size_t)w;
    }
    return close(fd);
}

static int do_export(const cli_common *co, navoi_sync *s, const char *dir, int64_t f, int64_t t)
{
    char *ids = NULL, *line, *save = NULL, path[4096], *text = NULL;
    size_t n = 0, written = 0, missing = 0;
    int fmt;
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "%s: cannot create %s: %s\n", co->cmd, dir, strerror(errno));
        return EXIT_ERROR;
    }
    if (navoi_sync_list(s, f, t, 0, 100000, &ids, &n) != NAVOI_OK) {
        fprintf(stderr, "%s: %s\n", co->cmd, navoi_sync_errmsg(s));
        return EXIT_ERROR;
    }
    for (line = strtok_r(ids, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *xml = NULL, name[512];
        size_t len = 0, k;
        if (navoi_sync_invoice(s, line, NULL, &xml, &len) != NAVOI_OK) {
            fprintf(stderr, "%s: %s\n", co->cmd, navoi_sync_errmsg(s));
            navoi_free(ids);
            return EXIT_ERROR;
        }
        if (!xml) {
            missing++;
            continue;
        }
        /* invoice numbers may hold any character: keep file names tame */
        for (k = 0; line[k] && k + 1 < sizeof name; k++) {
            char ch = line[k];
            name[k] = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                              (ch >= '0' && ch <= '9') || ch == '-' || ch == '.'
                          ? ch
                          : '_';
        }
        name[k] = '\0';
        snprintf(path, sizeof path, "%s/%s.xml", dir, name);
        if (write_file(path, xml, len) != 0) {
            fprintf(stderr, "%s: cannot write %s: %s\n", co->cmd, path, strerror(errno));
            navoi_free(xml);
            navoi_free(ids);
            return EXIT_ERROR;
        }
        navoi_free(xml);
        written++;
    }
    navoi_free(ids);
    for (fmt = NAVOI_SYNC_CSV; fmt <= NAVOI_SYNC_JSON; fmt++) {
        if (navoi_sync_summary(s, f, t, fmt, &text) != NAVOI_OK) {
            fprintf(stderr, "%s: %s\n", co->cmd, navoi_sync_errmsg(s));
            return EXIT_ERROR;
        }
        snprintf(path, sizeof path, "%s/summary.%s", dir, fmt == NAVOI_SYNC_CSV ? "csv" : "json");
        if (write_file(path, text, strlen(text)) != 0) {
            fprintf(stderr, "%s: cannot write %s: %s\n", co->cmd, path, strerror(errno));
            navoi_free(text);
            return EXIT_ERROR;
        }
        navoi_free(text);
    }
    if (co->json)
        printf("{\"dir\": \"%s\", \"invoices\": %zu, \"xmlFiles\": %zu, \"withoutDocument\": %zu}\n",
               dir, n, written, missing);
    else
        printf("exported %zu invoice(s) to %s (%zu XML files, %zu without document, "
               "summary.csv, summary.json)\n", n, dir, written, missing);
    return EXIT_OK;
}

static int do_show(const cli_common *co, navoi_sync *s, const char *id, int xml)
{
    char *meta = NULL, *doc = NULL;
    size_t len = 0;
    if (navoi_sync_invoice(s, id, &meta, xml ? &doc : NULL, &len) != NAVOI_OK) {
        fprintf(stderr, "%s: %s\n", co->cmd, navoi_sync_errmsg(s));
        return EXIT_ERROR;
    }
    if (xml) {
        if (!doc) {
            fprintf(stderr, "%s: only the digest of %s is stored\n", co->cmd, id);
            navoi_free(meta);
            return EXIT_ERROR;
        }
        fwrite(doc, 1, len, stdout);
    } else if (co->json) {
        char *p = meta, *eol;
        int first = 1;
        printf("{\"id\": ");
        cli_json_str(stdout, id);
        while (p && *p) {
            char name[128], val[2048];
            eol = strchr(p, '=');
            if (!eol)
                break;
            snprintf(name, sizeof name, "%.*s", (int)(eol - p), p);
            meta_get(p, name, val, sizeof val);
            printf(",%s", first ? " " : " ");
            first = 0;
            cli_json_str(stdout, name);
            printf(": ");
            cli_json_str(stdout, val);
            p = strchr(p, '\n');
            if (p)
                p++;
        }
        printf("}\n");
    } else {
        fputs(meta, stdout);
    }
    navoi_free(meta);
    navoi_free(doc);
    return EXIT_OK;
}

int cmd_sync(int argc, char **argv)
{
    cli_common co = {NULL, 0, "navoi sync"};
    const char *sub = "run", *from = NULL, *to = NULL, *arg = NULL;
    cli_config *cfg = NULL;
    navoi_client *c = NULL;
    navoi_sync *s = NULL;
    int i, quiet = 0, csv = 0, xml = 0, ret, r;
    int64_t f, t;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if ((r = cli_common_opt(&co, argc, argv, &i)) != 0) {
            if (r < 0)
                goto usage;
        } else if (!strcmp(a, "--from") && i + 1 < argc) {
            from = argv[++i];
        } else if (!strcmp(a, "--to") && i + 1 < argc) {
            to = argv[++i];
        } else if (!strcmp(a, "--quiet")) {
            quiet = 1;
        } else if (!strcmp(a, "--csv")) {
            csv = 1;
        } else if (!strcmp(a, "--xml")) {
            xml = 1;
        } else if (a[0] != '-' && i == 1 && (!strcmp(a, "run") || !strcmp(a, "status") ||
                                             !strcmp(a, "list") || !strcmp(a, "export") ||
                                             !strcmp(a, "show"))) {
            sub = a;
        } else if (a[0] != '-' && !arg && (!strcmp(sub, "export") || !strcmp(sub, "show"))) {
            arg = a;
        } else {
            goto usage;
        }
    }
    if ((!strcmp(sub, "export") || !strcmp(sub, "show")) && !arg)
        goto usage;
    if ((ret = range(&co, from, to, &f, &t)) != EXIT_OK)
        return ret;
    if (cli_setup(&co, !strcmp(sub, "run"), &cfg, &c) != EXIT_OK)
        return EXIT_ERROR;
    ret = open_sync(&co, cfg, c, &s);
    if (ret == EXIT_OK) {
        if (!strcmp(sub, "run"))
            ret = do_run(&co, cfg, c, s, from, quiet);
        else if (!strcmp(sub, "status"))
            ret = do_status(&co, s);
        else if (!strcmp(sub, "list"))
            ret = do_list(&co, s, f, t, csv);
        else if (!strcmp(sub, "export"))
            ret = do_export(&co, s, arg, f, t);
        else
            ret = do_show(&co, s, arg, xml);
    }
    navoi_sync_free(s);
    navoi_client_free(c);
    cli_config_free(cfg);
    return ret;
usage:
    help_sync(stderr);
    return EXIT_USAGE;
}
