/* pgtest.h - the PostgreSQL server of the 'postgres' suite: $NAVOI_TEST_PG
 * when set, else one started with scripts/pg-test-server for this process
 * (stopped at exit). Tests skip (exit 77) when neither is available. */
#ifndef NAVOI_PGTEST_H
#define NAVOI_PGTEST_H

#include <stdint.h>

/* The connection string, or NULL when no server can be had. */
const char *pgt_conninfo(void);
/* Runs sql (several statements allowed) on a connection of its own;
 * aborts the test on failure. */
void pgt_exec(const char *sql);
/* First column of the first row of sql as an integer (0 if no row). */
int64_t pgt_scalar(const char *sql);
/* Drops navoi's tables (the next open migrates from scratch). */
void pgt_drop_all(void);
/* Empties navoi's tables if they exist. */
void pgt_truncate_all(void);

#endif
