/*
 * torture.h - allocation-failure ("torture") tests, after curl's torture
 * mode and SQLite's malloc tests. A counting allocator is installed with
 * navoi_set_allocator() before any other navoi call; for every public
 * operation in the table (ops.c) the k-th allocation of the operation is
 * failed, for k = 1, 2, ... until the operation completes without reaching
 * k. Each run must return the operation's normal result or NAVOI_ENOMEM,
 * must not crash, must leave no navoi allocation behind once the handles
 * are freed, and the same call must succeed when memory is available again.
 *
 * The hook sees navoi's own allocations only: libxml2, OpenSSL and libcurl
 * allocate through their own allocators (and LeakSanitizer / valgrind watch
 * those).
 *
 * Adding an operation is one entry in g_torture_ops (ops.c): a setup that
 * builds what the operation needs (allocations never fail there), the
 * operation itself, a teardown that frees everything, and the result a run
 * with enough memory gives.
 */
#ifndef NAVOI_TORTURE_H
#define NAVOI_TORTURE_H

#include <stddef.h>
#include <stdint.h>

#include <navoi/navoi.h>

/* Everything an operation may need; setup fills, teardown empties. */
typedef struct tt_ctx {
    navoi_client *client;
    navoi_invoice *invoice[2];
    navoi_txn *txn;
    navoi_result *result;
    navoi_digest_query *query;
    navoi_outbox *outbox;
    navoi_sync *sync;
    char *text;          /* navoi_free()d output (report, secret) */
    int flag;            /* operation-specific */
    int msg_elsewhere;   /* run(): failures are described on another handle */
    void *extra;         /* operation-specific, freed by its teardown */
} tt_ctx;

typedef struct tt_op {
    const char *name;
    int (*setup)(tt_ctx *t);    /* NULL = nothing; must return NAVOI_OK */
    int (*run)(tt_ctx *t);      /* the operation under test */
    void (*teardown)(tt_ctx *t); /* NULL = tt_teardown_default */
    int expect;                 /* what run() returns with enough memory */
} tt_op;

extern const tt_op g_torture_ops[];
extern const size_t g_torture_op_count;

/* Frees every handle in t (client last). */
void tt_teardown_default(tt_ctx *t);

/* ---- helpers for ops.c ---- */
/* A client with complete credentials, a fixed clock (2024-11-21T12:00Z),
 * zero randomness, a trace-level log hook and the canned-response fake
 * transport installed. */
navoi_client *tt_client(void);
/* Answers the next requests to path ("/queryTaxpayer") with this fixture
 * (tests/data/responses/<file>) and HTTP status, instead of the default
 * success response of that operation. NULL file restores the default. */
void tt_fake_override(const char *path, const char *file, long status);
/* A fixture file's bytes, read once and cached (plain malloc, outside the
 * counted allocator). */
const char *tt_fixture(const char *rel, size_t *len_out);
const char *tt_nav_file(const char *rel, size_t *len_out);
/* Moves the clock of tt_client() clients forward. */
void tt_clock_advance(int64_t ms);
/* Allocation accounting of the counting allocator. */
long tt_live_blocks(void);

#endif
