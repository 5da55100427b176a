/*
 * findings.c - owns the navoi_findings handle: an append-only list of
 * (code, severity, path, English and Hungarian message) with the texts
 * taken from the rule table.
 */
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/buf.h"
#include "invoice/rules.h"

static int rule_cmp(const void *key, const void *elem)
{
    return strcmp((const char *)key, ((const navoi__rule *)elem)->code);
}

const navoi__rule *navoi__rule_find(const char *code)
{
    if (!code)
        return NULL;
    return bsearch(code, navoi__rules, navoi__rule_count, sizeof navoi__rules[0], rule_cmp);
}

navoi_findings *navoi__findings_new(void)
{
    return navoi__calloc(1, sizeof(navoi_findings));
}

static char *compose(const char *text, const char *detail)
{
    navoi__buf b = NAVOI__BUF_INIT;

    navoi__buf_puts(&b, text);
    if (detail && *detail) {
        navoi__buf_puts(&b, " (");
        navoi__buf_puts(&b, detail);
        navoi__buf_putc(&b, ')');
    }
    if (navoi__buf_status(&b) != NAVOI_OK) {
        navoi__buf_free(&b);
        return NULL;
    }
    return navoi__buf_detach(&b, NULL);
}

void navoi__findings_add(navoi_findings *f, const char *code, const char *path,
                         const char *detail_en, const char *detail_hu)
{
    const navoi__rule *r = navoi__rule_find(code);
    navoi__finding *x;

    if (!f || f->oom || !r)
        return;
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 16;
        navoi__finding *nv = navoi__realloc(f->v, cap * sizeof *nv);
        if (!nv) {
            f->oom = 1;
            return;
        }
        f->v = nv;
        f->cap = cap;
    }
    x = &f->v[f->n];
    x->code = r->code;
    x->severity = r->severity;
    x->path = navoi__strdup(path ? path : "");
    x->en = compose(r->en, detail_en);
    x->hu = compose(r->hu, detail_hu ? detail_hu : detail_en);
    if (!x->path || !x->en || !x->hu) {
        navoi__free(x->path);
        navoi__free(x->en);
        navoi__free(x->hu);
        f->oom = 1;
        return;
    }
    f->n++;
}

NAVOI_API size_t navoi_findings_count(const navoi_findings *f)
{
    return f ? f->n : 0;
}

NAVOI_API int navoi_findings_has_errors(const navoi_findings *f)
{
    size_t i;

    if (!f)
        return 0;
    for (i = 0; i < f->n; i++)
        if (f->v[i].severity >= NAVOI_SEVERITY_ERROR)
            return 1;
    return 0;
}

NAVOI_API int navoi_findings_get(const navoi_findings *f, size_t i, const char **code_out,
                                 int *severity_out, const char **path_out,
                                 const char **message_en_out, const char **message_hu_out)
{
    const navoi__finding *x;

    if (!f)
        return NAVOI_EINVAL;
    if (i >= f->n)
        return NAVOI_ENOTFOUND;
    x = &f->v[i];
    if (code_out)
        *code_out = x->code;
    if (severity_out)
        *severity_out = x->severity;
    if (path_out)
        *path_out = x->path;
    if (message_en_out)
        *message_en_out = x->en;
    if (message_hu_out)
        *message_hu_out = x->hu;
    return NAVOI_OK;
}

NAVOI_API void navoi_findings_free(navoi_findings *f)
{
    size_t i;

    if (!f)
        return;
    for (i = 0; i < f->n; i++) {
        navoi__free(f->v[i].path);
        navoi__free(f->v[i].en);
        navoi__free(f->v[i].hu);
    }
    navoi__free(f->v);
    navoi__free(f);
}
