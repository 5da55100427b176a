/*
 * rules.h - the validator's rule table (catalog.c, generated from NAV's
 * i18n catalogues) and the navoi_findings handle the validator fills.
 */
#ifndef NAVOI_INVOICE_RULES_H
#define NAVOI_INVOICE_RULES_H

#include <stddef.h>

#include "navoi/navoi.h"

typedef struct navoi__rule {
    const char *code;
    int severity; /* NAVOI_SEVERITY_ERROR or _WARN */
    const char *en;
    const char *hu;
} navoi__rule;

extern const navoi__rule navoi__rules[];
extern const size_t navoi__rule_count;

/* The rule of a code, or NULL. */
const navoi__rule *navoi__rule_find(const char *code);

typedef struct navoi__finding {
    const char *code; /* static (rule table) */
    int severity;
    char *path;
    char *en;
    char *hu;
} navoi__finding;

struct navoi_findings {
    navoi__finding *v;
    size_t n, cap;
    int oom; /* sticky: an append failed */
};

navoi_findings *navoi__findings_new(void);
/* Appends a finding for `code` (must be in the table) at path, with the
 * catalogue texts followed by the optional details (" (detail)"). Failures
 * set f->oom. */
void navoi__findings_add(navoi_findings *f, const char *code, const char *path,
                         const char *detail_en, const char *detail_hu);

#endif
