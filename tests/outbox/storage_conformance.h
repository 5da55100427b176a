/* storage_conformance.h - conformance tests for any navoi_storage_ops
 * backend. A backend suite provides a factory that opens the store (again
 * after close = a restart) and one that wipes it. The SQLite and the
 * PostgreSQL backends run the same tests (tests/outbox/test_storage.c,
 * test_storage_pg.c); a third backend is checked the same way. Leases are
 * tested on the wall clock with waits (never asserting a duration), so a
 * backend may time them on its own clock as the contract allows. Tests of
 * the version-2 and version-3 functions run when the table has them. */
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
    /* 1 when two handles may hold write transactions at once (row locks,
     * as PostgreSQL): then claim_due must skip rows the other is changing */
    int concurrent_writers;
} sc_backend;

/* Adds the conformance test case for backend b (kept by pointer). */
void sc_add(Suite *s, const sc_backend *b);

#endif
