/*
 * record.c - owns the item record: the text form in which an outbox item
 * is kept by a storage backend (opaque to the backend; the indexed
 * columns are passed separately). One "name=value" per line; values escape
 * backslash, line breaks and '|' (the separator of message fields). The
 * record never holds a secret: no token, no password hash, no request
 * body, only the invoice (as payload) and NAV's answers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "outbox/outbox.h"

#define RECORD_VERSION 1

void navoi__ob_item_free(navoi__ob_item *it)
{
    size_t i;
    if (!it)
        return;
    navoi__free(it->key);
    navoi__free(it->number);
    navoi__free(it->orig_key);
    navoi__free(it->hash);
    navoi__free(it->rid);
    navoi__free(it->group);
    navoi__free(it->txid);
    navoi__free(it->enav);
    navoi__free(it->emsg);
    navoi__free(it->annul_reason);
    navoi__free(it->astatus);
    for (i = 0; i < it->nmsgs; i++) {
        navoi__free(it->msgs[i].code);
        navoi__free(it->msgs[i].text);
        navoi__free(it->msgs[i].tag);
        navoi__free(it->msgs[i].value);
        navoi__free(it->msgs[i].line);
    }
    navoi__free(it->msgs);
    memset(it, 0, sizeof *it);
}

void navoi__ob_item_destroy(navoi__ob_item *it)
{
    navoi__ob_item_free(it);
    navoi__free(it);
}

int navoi__ob_set_str(char **dst, const char *src)
{
    char *d = NULL;
    if (src && !(d = navoi__strdup(src)))
        return NAVOI_ENOMEM;
    navoi__free(*dst);
    *dst = d;
    return NAVOI_OK;
}

static void put_esc(navoi__buf *b, const char *s, size_t max)
{
    size_t n = 0;
    for (; s && *s && n < max; s++, n++) {
        switch (*s) {
        case '\\': navoi__buf_puts(b, "\\\\"); break;
        case '\n': navoi__buf_puts(b, "\\n"); break;
        case '\r': navoi__buf_puts(b, "\\r"); break;
        case '|': navoi__buf_puts(b, "\\p"); break;
        default: navoi__buf_putc(b, *s); break;
        }
    }
}

static void put_str(navoi__buf *b, const char *name, const char *v)
{
    if (!v)
        return;
    navoi__buf_puts(b, name);
    navoi__buf_putc(b, '=');
    put_esc(b, v, (size_t)-1);
    navoi__buf_putc(b, '\n');
}

static void put_int(navoi__buf *b, const char *name, int64_t v)
{
    if (!v)
        return;
    navoi__buf_puts(b, name);
    navoi__buf_putc(b, '=');
    navoi__buf_put_i64(b, v);
    navoi__buf_putc(b, '\n');
}

int navoi__ob_record_write(const navoi__ob_item *it, navoi__buf *b)
{
    size_t i;
    put_int(b, "v", RECORD_VERSION);
    put_int(b, "op", it->op);
    put_int(b, "state", it->state);
    put_str(b, "number", it->number);
    put_str(b, "orig", it->orig_key);
    put_str(b, "hash", it->hash);
    put_int(b, "created", it->created);
    put_int(b, "due", it->due);
    put_str(b, "rid", it->rid);
    put_str(b, "group", it->group);
    put_int(b, "pos", it->pos);
    put_int(b, "sent", it->sent);
    put_str(b, "txid", it->txid);
    put_int(b, "tidx", it->tidx);
    put_int(b, "attempts", it->attempts);
    put_int(b, "ambiguous", it->ambiguous);
    put_int(b, "ridc", it->rid_conflicts);
    put_int(b, "polls", it->polls);
    put_int(b, "failures", it->failures);
    put_int(b, "ffail", it->ffail);
    put_int(b, "solo", it->solo);
    put_int(b, "reuse", it->reuse);
    put_int(b, "unresolved", it->unresolved);
    put_int(b, "dupcheck", it->dupcheck);
    put_int(b, "ecode", it->ecode);
    put_int(b, "ecat", it->ecat);
    put_int(b, "ehttp", it->ehttp);
    put_str(b, "enav", it->enav);
    put_str(b, "emsg", it->emsg);
    put_int(b, "acode", it->annul_code);
    put_str(b, "areason", it->annul_reason);
    put_str(b, "astatus", it->astatus);
    for (i = 0; i < it->nmsgs; i++) {
        const navoi__ob_msg *m = &it->msgs[i];
        navoi__buf_puts(b, "msg=");
        navoi__buf_put_i64(b, m->kind);
        navoi__buf_putc(b, '|');
        navoi__buf_put_i64(b, m->severity);
        navoi__buf_putc(b, '|');
        put_esc(b, m->code, NAVOI__OB_MAX_TEXT);
        navoi__buf_putc(b, '|');
        put_esc(b, m->text, NAVOI__OB_MAX_TEXT);
        navoi__buf_putc(b, '|');
        put_esc(b, m->tag, NAVOI__OB_MAX_TEXT);
        navoi__buf_putc(b, '|');
        put_esc(b, m->value, NAVOI__OB_MAX_TEXT);
        navoi__buf_putc(b, '|');
        put_esc(b, m->line, NAVOI__OB_MAX_TEXT);
        navoi__buf_putc(b, '\n');
    }
    return navoi__buf_status(b);
}

/* Unescapes s[0..n) up to an unescaped '|' (when stop_at_bar); returns a
 * new string and advances *used. */
static char *unesc(const char *s, size_t n, int stop_at_bar, size_t *used)
{
    char *d = navoi__malloc(n + 1);
    size_t i = 0, o = 0;
    if (!d)
        return NULL;
    while (i < n) {
        char ch = s[i];
        if (stop_at_bar && ch == '|')
            break;
        if (ch == '\\' && i + 1 < n) {
            char e = s[i + 1];
            d[o++] = e == 'n' ? '\n' : e == 'r' ? '\r' : e == 'p' ? '|' : e;
            i += 2;
            continue;
        }
        d[o++] = ch;
        i++;
    }
    d[o] = '\0';
    if (used)
        *used = i;
    return d;
}

static int parse_msg(navoi__ob_item *it, const char *v, size_t n)
{
    navoi__ob_msg *m, *nm;
    char *fields[7] = {NULL, NULL, NULL, NULL, NULL, NULL, NULL};
    size_t pos = 0, used;
    int k;

    if (it->nmsgs >= NAVOI__OB_MAX_MSGS)
        return NAVOI_OK;
    for (k = 0; k < 7; k++) {
        fields[k] = unesc(v + pos, pos <= n ? n - pos : 0, 1, &used);
        if (!fields[k])
            goto oom;
        pos += used + 1;
    }
    nm = navoi__realloc(it->msgs, (it->nmsgs + 1) * sizeof *nm);
    if (!nm)
        goto oom;
    it->msgs = nm;
    m = &it->msgs[it->nmsgs++];
    m->kind = atoi(fields[0]);
    m->severity = atoi(fields[1]);
    navoi__free(fields[0]);
    navoi__free(fields[1]);
    m->code = fields[2];
    m->text = fields[3];
    m->tag = fields[4];
    m->value = fields[5];
    m->line = fields[6];
    return NAVOI_OK;
oom:
    for (k = 0; k < 7; k++)
        navoi__free(fields[k]);
    return NAVOI_ENOMEM;
}

static int64_t to_i64(const char *v, size_t n)
{
    char tmp[32];
    if (n >= sizeof tmp)
        n = sizeof tmp - 1;
    memcpy(tmp, v, n);
    tmp[n] = '\0';
    return strtoll(tmp, NULL, 10);
}

int navoi__ob_record_read(const char *key, int64_t fence, const char *rec, size_t len,
                          navoi__ob_item **out)
{
    navoi__ob_item *it;
    size_t i = 0;
    int rc = NAVOI_OK;

    *out = NULL;
    it = navoi__calloc(1, sizeof *it);
    if (!it || !(it->key = navoi__strdup(key))) {
        navoi__free(it);
        return NAVOI_ENOMEM;
    }
    it->fence = fence;
    while (i < len && rc == NAVOI_OK) {
        const char *line = rec + i, *eq, *nl = memchr(rec + i, '\n', len - i);
        size_t ll = nl ? (size_t)(nl - line) : len - i, nlen, vlen;
        const char *v;
        char **sp = NULL;
        i += ll + 1;
        eq = memchr(line, '=', ll);
        if (!eq)
            continue;
        nlen = (size_t)(eq - line);
        v = eq + 1;
        vlen = ll - nlen - 1;
#define IS(n) (nlen == sizeof(n) - 1 && memcmp(line, n, nlen) == 0)
        if (IS("msg")) {
            rc = parse_msg(it, v, vlen);
            continue;
        }
        if (IS("number")) sp = &it->number;
        else if (IS("orig")) sp = &it->orig_key;
        else if (IS("hash")) sp = &it->hash;
        else if (IS("rid")) sp = &it->rid;
        else if (IS("group")) sp = &it->group;
        else if (IS("txid")) sp = &it->txid;
        else if (IS("enav")) sp = &it->enav;
        else if (IS("emsg")) sp = &it->emsg;
        else if (IS("areason")) sp = &it->annul_reason;
        else if (IS("astatus")) sp = &it->astatus;
        if (sp) {
            char *s = unesc(v, vlen, 0, NULL);
            if (!s) {
                rc = NAVOI_ENOMEM;
                break;
            }
            navoi__free(*sp);
            *sp = s;
            continue;
        }
        {
            int64_t x = to_i64(v, vlen);
            if (IS("op")) it->op = (int)x;
            else if (IS("state")) it->state = (int)x;
            else if (IS("created")) it->created = x;
            else if (IS("due")) it->due = x;
            else if (IS("pos")) it->pos = (int32_t)x;
            else if (IS("sent")) it->sent = x;
            else if (IS("tidx")) it->tidx = (int32_t)x;
            else if (IS("attempts")) it->attempts = (int32_t)x;
            else if (IS("ambiguous")) it->ambiguous = (int32_t)x;
            else if (IS("ridc")) it->rid_conflicts = (int32_t)x;
            else if (IS("polls")) it->polls = (int32_t)x;
            else if (IS("failures")) it->failures = (int32_t)x;
            else if (IS("ffail")) it->ffail = x;
            else if (IS("solo")) it->solo = (int)x;
            else if (IS("reuse")) it->reuse = (int)x;
            else if (IS("unresolved")) it->unresolved = (int)x;
            else if (IS("dupcheck")) it->dupcheck = (int)x;
            else if (IS("ecode")) it->ecode = (int)x;
            else if (IS("ecat")) it->ecat = (int)x;
            else if (IS("ehttp")) it->ehttp = (int)x;
            else if (IS("acode")) it->annul_code = (int)x;
            /* unknown names come from a newer navoi: ignored */
        }
#undef IS
    }
    /* the pipeline compares and logs numbers: never NULL, if empty */
    if (rc == NAVOI_OK && !it->number && !(it->number = navoi__strdup("")))
        rc = NAVOI_ENOMEM;
    if (rc != NAVOI_OK) {
        navoi__ob_item_destroy(it);
        return rc;
    }
    *out = it;
    return NAVOI_OK;
}

static char *dup_cap(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    return navoi__strndup(s ? s : "", n > NAVOI__OB_MAX_TEXT ? NAVOI__OB_MAX_TEXT : n);
}

int navoi__ob_copy_messages(navoi__ob_item *it, const navoi_txn *txn, size_t i, int append)
{
    size_t n = navoi_txn_message_count(txn, i), k, keep = append ? it->nmsgs : 0;
    navoi__ob_msg *v;

    if (keep > NAVOI__OB_MAX_MSGS)
        keep = NAVOI__OB_MAX_MSGS;
    if (n > NAVOI__OB_MAX_MSGS - keep)
        n = NAVOI__OB_MAX_MSGS - keep;
    v = navoi__calloc(n + keep ? n + keep : 1, sizeof *v);
    if (!v)
        return NAVOI_ENOMEM;
    for (k = 0; k < n; k++) {
        const char *code = "", *text = "", *tag = "", *value = "", *line = "";
        navoi__ob_msg *m = &v[keep + k];
        navoi_txn_message(txn, i, k, &m->kind, &m->severity, &code, &text);
        navoi_txn_message_pointer(txn, i, k, &tag, &value, &line, NULL);
        m->code = dup_cap(code);
        m->text = dup_cap(text);
        m->tag = dup_cap(tag);
        m->value = dup_cap(value);
        m->line = dup_cap(line);
        if (!m->code || !m->text || !m->tag || !m->value || !m->line) {
            size_t j;
            for (j = keep; j <= keep + k; j++) {
                navoi__free(v[j].code);
                navoi__free(v[j].text);
                navoi__free(v[j].tag);
                navoi__free(v[j].value);
                navoi__free(v[j].line);
            }
            navoi__free(v);
            return NAVOI_ENOMEM;
        }
    }
    if (keep)
        memcpy(v, it->msgs, keep * sizeof *v);
    for (k = keep; k < it->nmsgs; k++) {
        navoi__free(it->msgs[k].code);
        navoi__free(it->msgs[k].text);
        navoi__free(it->msgs[k].tag);
        navoi__free(it->msgs[k].value);
        navoi__free(it->msgs[k].line);
    }
    navoi__free(it->msgs);
    it->msgs = v;
    it->nmsgs = keep + n;
    return NAVOI_OK;
}
