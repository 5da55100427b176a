/* storage_conformance.h - conformance tests for any navoi_storage_ops
 * backend. A backend suite provides a factory that opens the store (again
 * after close = a restart) and one that wipes it; the planned PostgreSQL
 * backend reuses these tests unchanged. */
#ifndef NAVOI_STORAGE_CONFORMANCE_H
#define NAVOI_STORAGE_CONFORMANCE_H

#include <check.h>

#include "navoi/navoi.h"

typedef struct sc_backend {
    const char *name;
    /* opens the store; *ud gets the userdata for ops (ops->destroy closes) */
    void (*open)(navoi_storage_ops *ops, void **ud);
    /* removes every item (between tests) */
    void (*wipe)(void);
} sc_backend;

/* Adds the conformance test case for backend b (kept by pointer). */
void sc_add(Suite *s, const sc_backend *b);

#endif
