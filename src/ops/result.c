/*
 * result.c - owns struct navoi_result: its construction by the response
 * parser (with the caps of result.h) and the public read-only accessors.
 * Accessors are NULL-safe and range-checked because bindings call them with
 * whatever index a script computed.
 */
#include "ops/result.h"

#include <string.h>

#include "common/alloc.h"
#include "navoi/navoi.h"

static void record_free(navoi__record *rec)
{
    size_t k;

    for (k = 0; k < rec->count; k++) {
        navoi__free(rec->fields[k].name);
        navoi__free(rec->fields[k].value);
    }
    navoi__free(rec->fields);
    rec->fields = NULL;
    rec->count = 0;
    rec->cap = 0;
}

int navoi__result_new(navoi_result **out)
{
    navoi_result *r;

    *out = NULL;
    r = navoi__calloc(1, sizeof *r);
    if (!r)
        return NAVOI_ENOMEM;
    *out = r;
    return NAVOI_OK;
}

NAVOI_API void navoi_result_free(navoi_result *r)
{
    size_t i;

    if (!r)
        return;
    for (i = 0; i < r->count; i++)
        record_free(&r->records[i]);
    navoi__free(r->records);
    record_free(&r->meta);
    navoi__free(r->content);
    navoi__free(r);
}

int navoi__result_add_record(navoi_result *r, size_t *index_out)
{
    if (r->count >= NAVOI__RESULT_MAX_RECORDS)
        return NAVOI_EPROTO;
    if (r->count == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 16;
        navoi__record *p;

        if (cap > NAVOI__RESULT_MAX_RECORDS)
            cap = NAVOI__RESULT_MAX_RECORDS;
        p = navoi__realloc(r->records, cap * sizeof *p);
        if (!p)
            return NAVOI_ENOMEM;
        r->records = p;
        r->cap = cap;
    }
    memset(&r->records[r->count], 0, sizeof r->records[r->count]);
    if (index_out)
        *index_out = r->count;
    r->count++;
    return NAVOI_OK;
}

/* Appends to rec after the caps are checked; both strings are copied. */
static int record_append(navoi_result *r, navoi__record *rec, const char *name,
                         const char *value)
{
    size_t vlen;
    char *n, *v;

    if (!name || !value)
        return NAVOI_EINVAL;
    vlen = strlen(value);
    if (vlen > NAVOI__RESULT_MAX_VALUE || strlen(name) > NAVOI__RESULT_MAX_PATH)
        return NAVOI_EPROTO;
    if (rec->count >= NAVOI__RESULT_MAX_FIELDS ||
        r->total_fields >= NAVOI__RESULT_MAX_TOTAL_FIELDS)
        return NAVOI_EPROTO;
    if (rec->count == rec->cap) {
        size_t cap = rec->cap ? rec->cap * 2 : 8;
        navoi__field *p;

        p = navoi__realloc(rec->fields, cap * sizeof *p);
        if (!p)
            return NAVOI_ENOMEM;
        rec->fields = p;
        rec->cap = cap;
    }
    n = navoi__strdup(name);
    v = navoi__strndup(value, vlen);
    if (!n || !v) {
        navoi__free(n);
        navoi__free(v);
        return NAVOI_ENOMEM;
    }
    rec->fields[rec->count].name = n;
    rec->fields[rec->count].value = v;
    rec->count++;
    r->total_fields++;
    return NAVOI_OK;
}

int navoi__result_add_field(navoi_result *r, size_t i, const char *name,
                            const char *value)
{
    if (!r || i >= r->count)
        return NAVOI_EINVAL;
    return record_append(r, &r->records[i], name, value);
}

int navoi__result_set_meta(navoi_result *r, const char *name, const char *value)
{
    size_t k;

    if (!r || !name || !value)
        return NAVOI_EINVAL;
    for (k = 0; k < r->meta.count; k++) {
        if (strcmp(r->meta.fields[k].name, name) == 0) {
            char *v;

            if (strlen(value) > NAVOI__RESULT_MAX_VALUE)
                return NAVOI_EPROTO;
            v = navoi__strdup(value);
            if (!v)
                return NAVOI_ENOMEM;
            navoi__free(r->meta.fields[k].value);
            r->meta.fields[k].value = v;
            return NAVOI_OK;
        }
    }
    return record_append(r, &r->meta, name, value);
}

void navoi__result_set_content(navoi_result *r, char *data, size_t len)
{
    navoi__free(r->content);
    r->content = data;
    r->content_len = data ? len : 0;
}

/* Compares a stored field name with an asked path. Exact, except that "[1]"
 * in the asked path also matches a name stored without suffix (an element
 * that occurred once), see result.h. Local names never contain '[', so the
 * suffix cannot be confused with name characters. */
static int path_matches(const char *field, const char *asked)
{
    for (;;) {
        if (*field == *asked) {
            if (!*field)
                return 1;
            field++;
            asked++;
            continue;
        }
        if (asked[0] == '[' && asked[1] == '1' && asked[2] == ']' &&
            (*field == '\0' || *field == '/' || *field == '@') &&
            (asked[3] == '\0' || asked[3] == '/' || asked[3] == '@')) {
            asked += 3;
            continue;
        }
        return 0;
    }
}

static const navoi__record *record_at(const navoi_result *r, size_t i)
{
    if (!r || i >= r->count)
        return NULL;
    return &r->records[i];
}

NAVOI_API size_t navoi_result_count(const navoi_result *r)
{
    return r ? r->count : 0;
}

NAVOI_API const char *navoi_result_get(const navoi_result *r, size_t i, const char *path)
{
    const navoi__record *rec = record_at(r, i);
    size_t k;

    if (!rec || !path)
        return NULL;
    /* An exact match wins over the "[1]" leniency. */
    for (k = 0; k < rec->count; k++)
        if (strcmp(rec->fields[k].name, path) == 0)
            return rec->fields[k].value;
    if (!strstr(path, "[1]"))
        return NULL;
    for (k = 0; k < rec->count; k++)
        if (path_matches(rec->fields[k].name, path))
            return rec->fields[k].value;
    return NULL;
}

NAVOI_API size_t navoi_result_field_count(const navoi_result *r, size_t i)
{
    const navoi__record *rec = record_at(r, i);
    return rec ? rec->count : 0;
}

NAVOI_API const char *navoi_result_field_name(const navoi_result *r, size_t i, size_t k)
{
    const navoi__record *rec = record_at(r, i);
    if (!rec || k >= rec->count)
        return NULL;
    return rec->fields[k].name;
}

NAVOI_API const char *navoi_result_field_value(const navoi_result *r, size_t i, size_t k)
{
    const navoi__record *rec = record_at(r, i);
    if (!rec || k >= rec->count)
        return NULL;
    return rec->fields[k].value;
}

NAVOI_API const char *navoi_result_meta(const navoi_result *r, const char *name)
{
    size_t k;

    if (!r || !name)
        return NULL;
    for (k = 0; k < r->meta.count; k++)
        if (strcmp(r->meta.fields[k].name, name) == 0)
            return r->meta.fields[k].value;
    return NULL;
}

NAVOI_API const char *navoi_result_content(const navoi_result *r, size_t *len_out)
{
    if (len_out)
        *len_out = 0;
    if (!r || !r->content)
        return NULL;
    if (len_out)
        *len_out = r->content_len;
    return r->content;
}
