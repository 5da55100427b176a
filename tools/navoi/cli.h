/* cli.h - shared pieces of the navoi command-line program. The CLI uses
 * only the public header: anything it needs from the library must be
 * public API. */
#ifndef NAVOI_CLI_H
#define NAVOI_CLI_H

#include <stdio.h>

/* Documented exit codes (navoi --help). */
#define EXIT_OK 0
#define EXIT_MISMATCH 1   /* a check ran and failed (sign-check: signature differs) */
#define EXIT_USAGE 2      /* bad command line */
#define EXIT_ERROR 3      /* the command could not run (file, permissions, ...) */

typedef struct cli_command {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
    void (*help)(FILE *out);
} cli_command;

int cmd_version(int argc, char **argv);
void help_version(FILE *out);
int cmd_sign_check(int argc, char **argv);
void help_sign_check(FILE *out);
/* @@CLI-DECLARATIONS@@ cmd_<name>/help_<name> pairs of further subcommands */
int cmd_sync(int argc, char **argv);
void help_sync(FILE *out);
int cmd_check_connection(int argc, char **argv);
void help_check_connection(FILE *out);
int cmd_metrics(int argc, char **argv);
void help_metrics(FILE *out);
int cmd_failed(int argc, char **argv);
void help_failed(FILE *out);
int cmd_retry(int argc, char **argv);
void help_retry(FILE *out);
int cmd_report(int argc, char **argv);
void help_report(FILE *out);
int cmd_query(int argc, char **argv);
void help_query(FILE *out);
int cmd_enqueue(int argc, char **argv);
void help_enqueue(FILE *out);
int cmd_submit(int argc, char **argv);
void help_submit(FILE *out);
int cmd_status(int argc, char **argv);
void help_status(FILE *out);
int cmd_annul(int argc, char **argv);
void help_annul(FILE *out);
int cmd_sim(int argc, char **argv);
void help_sim(FILE *out);
int cmd_demo(int argc, char **argv);
void help_demo(FILE *out);
int cmd_worker(int argc, char **argv);
void help_worker(FILE *out);
int cmd_validate(int argc, char **argv);
void help_validate(FILE *out);

/* Reads a whole file (malloc'd, NUL-terminated) or returns NULL with errno. */
char *cli_read_file(const char *path, size_t *len_out);

#endif
