/* obtest.h - helpers for the outbox suites: an in-process simulator whose
 * clock is also the client's clock (so sim_clock_advance() moves both),
 * a client configured for it, invoices made from the demo fixtures with
 * fresh numbers, temporary databases and a deterministic random hook. */
#ifndef NAVOI_OBTEST_H
#define NAVOI_OBTEST_H

#include <stddef.h>
#include <stdint.h>

#include "navoi/navoi.h"
#include "sim.h"

#define OBT_TAX "12345676"

typedef struct obt {
    sim_server *sim;
    navoi_client *client;
    navoi_outbox *ob;
    char dir[256];
    char db[300];
    uint64_t rng;
    int log_lines;
} obt;

/* Simulator config text of the outbox suites (user OBT_TAX). */
extern const char *obt_sim_config;

/* Seed from $NAVOI_TEST_SEED (printed) or the default. */
uint64_t obt_seed(uint64_t dflt);
uint64_t obt_rand(uint64_t *state);

/* Starts the sim (optional extra config lines), a client on it and an
 * outbox on a fresh SQLite file with pacing off. */
void obt_setup(obt *t, const char *extra_settings, uint64_t seed);
void obt_teardown(obt *t);
/* Reopens the outbox on the same database (a restart). */
void obt_reopen(obt *t);
/* A client for base_url with the test user's credentials. */
navoi_client *obt_client(const char *base_url);

/* An invoice from tests/data/invoices/<fixture> with its number replaced
 * by number (and DEMO-2026-0001/2 in references by orig, if given). */
navoi_invoice *obt_invoice(const char *fixture, const char *number, const char *orig, int op);
/* Enqueues a CREATE with number under key (asserts success). */
void obt_enqueue(obt *t, const char *key, const char *number);

/* Steps until nothing is due; when idle, advances the simulator (and so
 * the client) clock to the next due time. Stops when the backlog is empty
 * or after max_steps; returns the number of steps. */
int obt_run(obt *t, int max_steps);
int obt_item_state(obt *t, const char *key);
/* 1 when a history entry of key contains needle (its time in *time_out,
 * which may be NULL). */
int obt_history_has(obt *t, const char *key, const char *needle, int64_t *time_out);
/* Simulator ledger accepted count for our supplier's number. */
int obt_accepted(obt *t, const char *number);

#endif
