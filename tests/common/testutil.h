/* testutil.h - shared helpers for the Check suites: locating NAV's
 * reference data ($NAVOI_NAV_DATA) and our own fixtures ($NAVOI_TEST_DATA),
 * and reading files. */
#ifndef NAVOI_TESTUTIL_H
#define NAVOI_TESTUTIL_H

#include <stddef.h>

#include <check.h>

/* $NAVOI_NAV_DATA or "../shared/nav"; never NULL. */
const char *nt_nav_dir(void);
/* $NAVOI_TEST_DATA or "tests/data"; never NULL. */
const char *nt_data_dir(void);
/* malloc'd "<nav dir>/<rel>" / "<test data dir>/<rel>". */
char *nt_nav_path(const char *rel);
char *nt_data_path(const char *rel);
/* Reads a whole file (malloc'd, NUL-terminated); aborts the test on error. */
char *nt_read_file(const char *path, size_t *len_out);
/* Reads a file under the NAV data dir. */
char *nt_read_nav(const char *rel, size_t *len_out);
/* Removes an SQLite database and its -wal, -shm and -journal files
 * (missing ones are fine). */
void nt_remove_sqlite(const char *db);
/* Runs a suite with CK_ENV fork mode; returns the process exit status. */
int nt_run(Suite *s);

#endif
