/* simproc.h - the harness of the tests and benchmarks that run real
 * processes in a scratch directory: the navoi-sim program with its state
 * on disk, `navoi worker` processes started from config files there, the
 * simulator's admin endpoint (ledger, faults) over libcurl, and the file
 * and time helpers around them.
 *
 * Nothing here aborts: failures are return values (and a line on stderr),
 * so that the Check suites assert on them and the benchmarks, which do not
 * link Check, can use the same functions.
 *
 * The worker files are those of the outbox suites' simulator user (login
 * outboxuser01, tax number SIMPROC_TAX: the [user] of obtest.h's
 * obt_sim_config). */
#ifndef NAVOI_SIMPROC_H
#define NAVOI_SIMPROC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "navoi/navoi.h"

#define SIMPROC_TAX "12345676"

/* argv of the process tests: NAVOI_CLI NAVOI_SIM. 0, or -1 after printing
 * the usage. */
int simproc_args(int argc, char **argv, const char **cli_out, const char **sim_out);

/* Writes text to dir/name with the given mode. 0, or -1 (errno set). */
int simproc_write_file(const char *dir, const char *name, const char *text, mode_t mode);

/* Writes dir/password, dir/signing.key and dir/exchange.key (0600) with
 * the simulator user's secrets. 0 or -1. */
int simproc_write_secrets(const char *dir);

/* Writes dir/<name>.conf (0600): a `navoi worker` config for the simulator
 * user against the navoi-sim on 127.0.0.1:port, the secrets of
 * simproc_write_secrets(), the suites' timing (lost-transaction wait
 * 1.5 s, polls 50..400 ms, back-off 200..2000 ms, no pacing) and then
 * extra, the caller's own lines (worker_id, storage, batch_size ...).
 * 0 or -1. */
int simproc_write_worker_conf(const char *dir, const char *name, unsigned port,
                              const char *software_name, const char *extra);

/* Writes config_text to dir/sim.ini and starts exe (navoi-sim) on a free
 * port with its state in dir/sim-state.sqlite, XSD validation from
 * schemas and its stderr in dir/sim.log; it dies with this process.
 * Returns its pid and *port_out, or -1 (reason on stderr). */
pid_t simproc_start_sim(const char *exe, const char *dir, const char *schemas,
                        const char *config_text, unsigned *port_out);

/* Starts `cli worker --config dir/<name>.conf [--storage storage]
 * --until-idle` with stdout and stderr appended to dir/<name>.log; it dies
 * with this process. Returns its pid, or -1 when fork failed. */
pid_t simproc_start_worker(const char *cli, const char *dir, const char *name,
                           const char *storage);

/* POSTs (empty body) to path_query ("/admin/...") of the simulator on
 * port and keeps at most len - 1 bytes of the answer in body. 0, or -1
 * when the request failed. */
int simproc_admin(unsigned port, const char *path_query, char *body, size_t len);

/* Makes the invoice to enqueue under number (from the caller's fixture). */
typedef navoi_invoice *(*simproc_invoice_fn)(const char *number);

/* Enqueues n invoices made by make under the keys "<key_prefix>-<i>",
 * numbered "<prefix>-00000" .. "<prefix>-<n - 1>" (the numbers
 * simproc_check_delivered() looks for). 0, or -1 with the reason in why. */
int simproc_enqueue(navoi_outbox *ob, int n, const char *key_prefix, const char *prefix,
                    simproc_invoice_fn make, char *why, size_t whylen);

/* What the workers must have left behind: n items of ob DONE, the backlog
 * empty, and the ledger of the simulator on port showing each of
 * supplier's invoice numbers "<prefix>-00000" .. "<prefix>-<n - 1>"
 * accepted exactly once. 0, or -1 with the first discrepancy in why. */
int simproc_check_delivered(navoi_outbox *ob, int n, unsigned port, const char *supplier,
                            const char *prefix, char *why, size_t whylen);

/* Stops the simulator (SIGTERM, then waits for it) and removes dir unless
 * the environment variable keep_env is set. */
void simproc_finish(pid_t sim, const char *dir, const char *keep_env);

/* Prints the last lines of dir/file to stderr (or that there is none). */
void simproc_show_log(const char *dir, const char *file, int lines);

void simproc_sleep_ms(long ms);
/* Milliseconds on the monotonic clock. */
int64_t simproc_mono_ms(void);

/* "postgresql://user@host:port/db" from a key=value libpq connection
 * string (127.0.0.1, 5432, navoi, navoi where it names none), then
 * query ("?..."; may be NULL or ""). 0, or -1 when conninfo does not parse
 * (out then has the defaults). In simproc_pg.c, which needs libpq. */
int simproc_pg_storage_uri(const char *conninfo, const char *query, char *out, size_t len);

#endif
