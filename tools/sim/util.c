/* util.c - the simulator's small helpers: growable buffer, XML text output
 * and input, UTC time formatting and parsing (no locale, no TZ). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim_internal.h"
#include "xml/parse.h"

/* ---- buffer ---- */

static int buf_reserve(sim_buf *b, size_t n)
{
    size_t need, cap;
    char *p;
    if (b->oom)
        return -1;
    if (n > ((size_t)1 << 30) || b->len + n + 1 < b->len) {
        b->oom = 1;
        return -1;
    }
    need = b->len + n + 1;
    if (need <= b->cap)
        return 0;
    cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    p = realloc(b->data, cap);
    if (!p) {
        b->oom = 1;
        return -1;
    }
    b->data = p;
    b->cap = cap;
    return 0;
}

void sim_buf_add(sim_buf *b, const void *p, size_t n)
{
    if (buf_reserve(b, n) != 0)
        return;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void sim_buf_puts(sim_buf *b, const char *s)
{
    sim_buf_add(b, s, strlen(s));
}

void sim_buf_printf(sim_buf *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    sim_buf_add(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

void sim_buf_free(sim_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->oom = 0;
}

/* ---- XML output ---- */

void sim_x_open(sim_buf *b, const char *name)
{
    sim_buf_puts(b, "<");
    sim_buf_puts(b, name);
    sim_buf_puts(b, ">");
}

void sim_x_close(sim_buf *b, const char *name)
{
    sim_buf_puts(b, "</");
    sim_buf_puts(b, name);
    sim_buf_puts(b, ">");
}

void sim_x_text(sim_buf *b, const char *t)
{
    const unsigned char *p = (const unsigned char *)t;
    for (; *p; p++) {
        switch (*p) {
        case '&': sim_buf_puts(b, "&amp;"); break;
        case '<': sim_buf_puts(b, "&lt;"); break;
        case '>': sim_buf_puts(b, "&gt;"); break;
        case '"': sim_buf_puts(b, "&quot;"); break;
        default:
            if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
                continue; /* not representable in XML 1.0 */
            sim_buf_add(b, p, 1);
        }
    }
}

void sim_x_elem(sim_buf *b, const char *name, const char *text)
{
    sim_x_open(b, name);
    sim_x_text(b, text ? text : "");
    sim_x_close(b, name);
}

void sim_x_elem_opt(sim_buf *b, const char *name, const char *text)
{
    if (text && *text)
        sim_x_elem(b, name, text);
}

void sim_x_elem_int(sim_buf *b, const char *name, long v)
{
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%ld", v);
    sim_x_elem(b, name, tmp);
}

/* ---- XML input ---- */

static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

char *sim_text(const xmlNode *n)
{
    xmlChar *t;
    const char *s;
    size_t len;
    char *r;
    if (!n)
        return NULL;
    t = xmlNodeGetContent(n);
    s = t ? (const char *)t : "";
    while (*s && is_ws(*s))
        s++;
    len = strlen(s);
    while (len && is_ws(s[len - 1]))
        len--;
    r = malloc(len + 1);
    if (r) {
        memcpy(r, s, len);
        r[len] = '\0';
    }
    if (t)
        xmlFree(t);
    return r;
}

char *sim_child_text(const xmlNode *parent, const char *ns, const char *name)
{
    return sim_text(navoi__xml_child(parent, ns, name));
}

xmlNodePtr sim_path(const xmlNode *n, const char *ns, const char *const *names)
{
    xmlNodePtr cur = (xmlNodePtr)n;
    for (; cur && *names; names++)
        cur = navoi__xml_child(cur, ns, *names);
    return cur;
}

int sim_is_true(const char *s)
{
    return s && (strcmp(s, "true") == 0 || strcmp(s, "1") == 0);
}

/* ---- time ---- */

/* Howard Hinnant's civil-from-days / days-from-civil. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    int64_t era, yoe, doy, doe;
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    int64_t era, doe, yoe, doy, mp, yy;
    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    yy = yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yy + (*m <= 2));
}

static int64_t floordiv(int64_t a, int64_t b)
{
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

void sim_fmt_ts(int64_t ms, char out[25])
{
    int64_t days = floordiv(ms, 86400000);
    int64_t rem = ms - days * 86400000;
    int y, m, d;
    char tmp[80];
    civil_from_days(days, &y, &m, &d);
    snprintf(tmp, sizeof tmp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", y % 10000, m, d,
             (int)(rem / 3600000), (int)(rem / 60000 % 60), (int)(rem / 1000 % 60),
             (int)(rem % 1000));
    memcpy(out, tmp, 24);
    out[24] = '\0';
}

void sim_fmt_date(int64_t ms, char out[11])
{
    int y, m, d;
    char tmp[48];
    civil_from_days(floordiv(ms, 86400000), &y, &m, &d);
    snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", y % 10000, m, d);
    memcpy(out, tmp, 10);
    out[10] = '\0';
}

static int digits(const char *s, int n, int *v)
{
    int i, r = 0;
    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        r = r * 10 + (s[i] - '0');
    }
    *v = r;
    return 0;
}

static int days_in_month(int y, int m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

int sim_parse_date(const char *s, int64_t *ms)
{
    int y, m, d;
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-' || digits(s, 4, &y) ||
        digits(s + 5, 2, &m) || digits(s + 8, 2, &d) || m < 1 || m > 12 || d < 1 ||
        d > days_in_month(y, m))
        return -1;
    *ms = days_from_civil(y, m, d) * 86400000;
    return 0;
}

int sim_parse_ts(const char *s, int64_t *ms)
{
    int64_t day, v;
    int hh, mi, ss, frac = 0, nd = 0, oh, om;
    const char *p;
    if (!s || strlen(s) < 19 || s[10] != 'T' || s[13] != ':' || s[16] != ':')
        return -1;
    {
        char d[11];
        memcpy(d, s, 10);
        d[10] = '\0';
        if (sim_parse_date(d, &day))
            return -1;
    }
    if (digits(s + 11, 2, &hh) || digits(s + 14, 2, &mi) || digits(s + 17, 2, &ss) ||
        hh > 23 || mi > 59 || ss > 59)
        return -1;
    p = s + 19;
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9') {
            if (nd < 3)
                frac = frac * 10 + (*p - '0');
            nd++;
            p++;
        }
        if (nd == 0 || nd > 9)
            return -1;
        while (nd < 3) {
            frac *= 10;
            nd++;
        }
    }
    v = day + (int64_t)hh * 3600000 + (int64_t)mi * 60000 + (int64_t)ss * 1000 + frac;
    if (*p == 'Z' && p[1] == '\0') {
        *ms = v;
        return 0;
    }
    if (*p == '\0') {
        *ms = v;
        return 0;
    }
    if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':' && !digits(p + 1, 2, &oh) &&
        !digits(p + 4, 2, &om) && oh <= 14 && om <= 59) {
        int64_t off = (int64_t)oh * 3600000 + (int64_t)om * 60000;
        *ms = *p == '+' ? v - off : v + off;
        return 0;
    }
    return -1;
}

int64_t sim_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- request versions ---- */

static const struct {
    const char *name;
    int code;
} g_versions[] = {{"1.0", 10}, {"1.1", 11}, {"2.0", 20}, {"3.0", 30}};

int sim_version_code(const char *s)
{
    size_t i;
    for (i = 0; s && i < sizeof g_versions / sizeof g_versions[0]; i++)
        if (!strcmp(g_versions[i].name, s))
            return g_versions[i].code;
    return 0;
}

const char *sim_version_name(int code)
{
    size_t i;
    for (i = 0; i < sizeof g_versions / sizeof g_versions[0]; i++)
        if (g_versions[i].code == code)
            return g_versions[i].name;
    return "3.0";
}

int sim_version_bit(int code)
{
    size_t i;
    for (i = 0; i < sizeof g_versions / sizeof g_versions[0]; i++)
        if (g_versions[i].code == code)
            return 1 << i;
    return 0;
}
