/* cliutil.c - see cliutil.h. */
#include "cliutil.h"
#include "storage_open.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

int cli_common_opt(cli_common *co, int argc, char **argv, int *i)
{
    const char *a = argv[*i];
    if (!strcmp(a, "--config")) {
        if (*i + 1 >= argc)
            return -1;
        co->config = argv[++*i];
        return 1;
    }
    if (!strncmp(a, "--config=", 9)) {
        co->config = a + 9;
        return 1;
    }
    if (!strcmp(a, "--json")) {
        co->json = 1;
        return 1;
    }
    return 0;
}

static void on_log(int level, const char *corr, const char *msg, void *ud)
{
    static const char *const names[] = {"?", "ERROR", "WARN", "INFO", "DEBUG", "TRACE"};
    (void)ud;
    fprintf(stderr, "navoi: %s [%s] %s\n", names[level >= 1 && level <= 5 ? level : 0], corr,
            msg);
}

int cli_setup(const cli_common *co, int with_secrets, cli_config **cfg_out,
              navoi_client **client_out)
{
    const char *path = co->config ? co->config : getenv("NAVOI_CONFIG");
    char err[1024];
    int level;
    *cfg_out = NULL;
    *client_out = NULL;
    if (path && !*path)
        path = NULL;
    if (cli_config_load(cfg_out, path, err, sizeof err) != 0) {
        fprintf(stderr, "%s: %s\n", co->cmd, err);
        return EXIT_ERROR;
    }
    level = cli_config_log_level(*cfg_out);
    if (level < 0) {
        fprintf(stderr, "%s: log_level must be error, warn, info, debug or trace\n", co->cmd);
        goto fail;
    }
    if (cli_config_client_ex(*cfg_out, with_secrets, client_out, err, sizeof err) != 0) {
        fprintf(stderr, "%s: %s\n", co->cmd, err);
        goto fail;
    }
    /* one-shot commands are quiet unless asked: warnings and errors only */
    navoi_client_set_log(*client_out, on_log,
                         cli_config_get(*cfg_out, "log_level") ? level : NAVOI_LOG_WARN, NULL);
    return EXIT_OK;
fail:
    cli_config_free(*cfg_out);
    *cfg_out = NULL;
    return EXIT_ERROR;
}

int cli_open_outbox(const cli_common *co, const cli_config *cfg, navoi_client *c,
                    navoi_outbox **out)
{
    const char *storage = cli_config_get(cfg, "storage");
    *out = NULL;
    if (!storage) {
        fprintf(stderr, "%s: no storage configured (storage = FILE or NAVOI_STORAGE)\n", co->cmd);
        return EXIT_ERROR;
    }
    if (cli_storage_open_outbox(out, c, storage) != NAVOI_OK) {
        char shown[512];
        cli_storage_display(storage, shown, sizeof shown);
        fprintf(stderr, "%s: %s: %s\n", co->cmd, shown, navoi_client_errmsg(c));
        return EXIT_ERROR;
    }
    return EXIT_OK;
}

void cli_json_str(FILE *out, const char *s)
{
    if (!s) {
        fputs("null", out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(out, "\\%c", ch);
        else if (ch == '\n')
            fputs("\\n", out);
        else if (ch == '\r')
            fputs("\\r", out);
        else if (ch == '\t')
            fputs("\\t", out);
        else if (ch < 0x20)
            fprintf(out, "\\u%04x", ch);
        else
            fputc(ch, out);
    }
    fputc('"', out);
}

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    int64_t era;
    unsigned yoe, doy, doe;
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned)(y - era * 400);
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

int64_t cli_parse_time(const char *s)
{
    int y, mo, d, h = 0, mi = 0, sec = 0, n = 0;
    size_t len = s ? strlen(s) : 0;
    if (len == 10) {
        if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
            return -1;
    } else if (len == 20) {
        if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 ||
            n != 20)
            return -1;
    } else {
        return -1;
    }
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59)
        return -1;
    return ((days_from_civil(y, (unsigned)mo, (unsigned)d) * 24 + h) * 60 + mi) * 60000 +
           (int64_t)sec * 1000;
}

void cli_fmt_time(int64_t ms, char out[32])
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    if (!gmtime_r(&t, &tm) || tm.tm_year > 8000) {
        snprintf(out, 32, "?");
        return;
    }
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int64_t cli_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
