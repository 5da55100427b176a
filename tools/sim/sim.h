/*
 * sim.h - navoi-sim, a local, protocol-faithful NAV Online Számla v3.0
 * server (PROTOCOL.md 10). It answers on 127.0.0.1 under
 * /invoiceService/v3 with NAV's synchronous checks, asynchronous
 * processing, ledger queries and injectable faults, so a NAV client can be
 * tested offline and made to fail on purpose.
 *
 * Threading: every function may be called from any thread while the
 * server runs; state is guarded by one lock inside the server.
 * Errors: functions returning int give 0 on success and -1 on failure;
 * sim_errmsg() then describes the failure.
 */
#ifndef NAVOI_SIM_H
#define NAVOI_SIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sim_config sim_config;
typedef struct sim_server sim_server;

/* ---- configuration (format documented in tools/sim/README.md) ---- */

/* Parses config text. On failure returns -1 and err gets
 * "line N: reason". */
int sim_config_parse(const char *text, size_t len, sim_config **out, char *err, size_t errlen);
int sim_config_load(const char *path, sim_config **out, char *err, size_t errlen);
/* Applies one key as if it appeared in [section] of the file (used for
 * command-line overrides such as --schemas). */
int sim_config_set(sim_config *cfg, const char *section, const char *key, const char *value,
                   char *err, size_t errlen);
void sim_config_free(sim_config *cfg);

/* ---- lifecycle ---- */

/* Creates a server; takes ownership of cfg in every case. Loads the
 * schemas and the SQLite state when configured. */
int sim_new(sim_server **out, sim_config *cfg, char *err, size_t errlen);
/* Listens on 127.0.0.1:port (0 = ephemeral). TLS when the config names a
 * certificate and key. */
int sim_start(sim_server *s, uint16_t port);
/* The bound port after sim_start. */
uint16_t sim_port(const sim_server *s);
/* "http://127.0.0.1:PORT/invoiceService/v3" (or https), valid until free. */
const char *sim_base_url(const sim_server *s);
/* Stops listening; waits for in-flight requests (hung ones are woken). */
void sim_stop(sim_server *s);
void sim_free(sim_server *s);
const char *sim_errmsg(const sim_server *s);

/* ---- clock and processing ---- */

/* Server time in ms since the epoch (wall clock + configured offset +
 * every sim_clock_advance). */
int64_t sim_now_ms(sim_server *s);
/* Moves the server clock; tokens expire and delays elapse accordingly. */
void sim_clock_advance(sim_server *s, int64_t ms);
/* Runs due asynchronous processing now (it also runs on every request). */
void sim_process(sim_server *s);

#define SIM_MAINT_OFF 0
#define SIM_MAINT_TOKEN_FREEZE 1 /* tokenExchange refused, the rest works */
#define SIM_MAINT_FULL 2         /* every operation refused */
void sim_set_maintenance(sim_server *s, int mode);

/* ---- faults ---- */

enum {
    SIM_FAULT_NONE = 0,
    SIM_FAULT_HTTP500,        /* 500 with a non-XML body, before processing */
    SIM_FAULT_HTTP502,
    SIM_FAULT_HTTP503,
    SIM_FAULT_HTTP504,
    SIM_FAULT_MAINTENANCE,    /* 503 GeneralErrorResponse MAINTENANCE_MODE */
    SIM_FAULT_HANG,           /* waits param_ms (default 70 s), then answers normally */
    SIM_FAULT_DROP_AFTER_COMMIT, /* processes and commits, then closes without a response */
    SIM_FAULT_RESET,          /* closes without a response, nothing processed */
    SIM_FAULT_SLOW,           /* answers after param_ms */
    SIM_FAULT_SLOW_PROCESSING, /* accepted transactions stay unfinished param_ms longer */
    SIM_FAULT_TOKEN_REJECT,   /* manage requests get INVALID_EXCHANGE_TOKEN */
    SIM_FAULT_RATE_LIMIT,     /* 1 req/s per client, +4 s per queued request (1.7) */
    SIM_FAULT_COUNT
};
/* Arms a fault for the next `count` requests of operation `op` (its
 * name, e.g. "manageInvoice"; NULL or "" = any operation). param_ms is
 * the delay of HANG/SLOW/SLOW_PROCESSING (0 = default). Several faults
 * may be armed; the first matching one fires. */
int sim_fault_add(sim_server *s, int kind, const char *op, int count, int64_t param_ms);
void sim_fault_clear(sim_server *s);
/* "http500", "http502", "http503", "http504", "maintenance", "hang",
 * "drop", "reset", "slow", "slow-processing", "token-reject",
 * "rate-limit" -> SIM_FAULT_*, or -1. */
int sim_fault_from_name(const char *name);
/* Parses "KIND[:OP[:COUNT[:MS]]]" (the --fault flag) and arms it. */
int sim_fault_add_spec(sim_server *s, const char *spec);

/* ---- ledger and admin ---- */

#define SIM_STATUS_NONE 0
#define SIM_STATUS_RECEIVED 1
#define SIM_STATUS_PROCESSING 2
#define SIM_STATUS_SAVED 3
#define SIM_STATUS_DONE 4
#define SIM_STATUS_ABORTED 5

typedef struct sim_ledger_entry {
    int accepted;   /* how many times (supplier, number) reached DONE */
    int submitted;  /* how many items carried it */
    int status;     /* SIM_STATUS_* of the latest item carrying it */
    int annulled;   /* 1 once an approved technical annulment covers it */
} sim_ledger_entry;

/* Looks up (supplier tax number, invoice number); an unknown pair gives
 * an all-zero entry. Runs due processing first. */
void sim_ledger_get(sim_server *s, const char *supplier, const char *number,
                    sim_ledger_entry *out);
/* Number of transactions received for a taxpayer (NULL = all). */
int sim_transaction_count(sim_server *s, const char *tax_number);
/* Status of one item (index 1..n) of a transaction; SIM_STATUS_NONE if unknown. */
int sim_item_status(sim_server *s, const char *transaction_id, int index);

/* Approves (VERIFICATION_DONE, frees the numbers) or rejects
 * (VERIFICATION_REJECTED) a VERIFICATION_PENDING annulment. */
int sim_annulment_decide(sim_server *s, const char *transaction_id, int approve,
                         const char *user);
/* Stores an invoice (InvoiceData XML) as a DONE report of the supplier
 * named inside it, e.g. an INBOUND invoice of another supplier. */
int sim_seed_invoice(sim_server *s, const char *xml, size_t len, char *err, size_t errlen);

/* Requests received per operation name (NULL = all routed requests). */
long sim_request_count(sim_server *s, const char *op);
/* Success responses that failed the server's own validation against
 * invoiceApi.xsd (selfCheck=true with schemas). Must stay 0. */
long sim_selfcheck_failures(sim_server *s);

#ifdef __cplusplus
}
#endif

#endif
