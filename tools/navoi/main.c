/* main.c - `navoi` subcommand dispatch and top-level help. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "navoi/navoi.h"

static const cli_command g_commands[] = {
    {"version", "print the library and header versions", cmd_version, help_version},
    {"sign-check", "recompute a request's requestSignature and say what differs",
     cmd_sign_check, help_sign_check},
    /* @@CLI-COMMANDS@@ one line per further subcommand */
    {"sync", "fetch incoming (INBOUND) invoices from NAV; list and export them", cmd_sync, help_sync},
    {"check-connection", "check the configured credentials against NAV and diagnose", cmd_check_connection, help_check_connection},
    {"metrics", "print the outbox metrics in Prometheus text format", cmd_metrics, help_metrics},
    {"failed", "list outbox items that need a person, with what to do", cmd_failed, help_failed},
    {"retry", "re-queue a FAILED, ABORTED or NEEDS_ATTENTION item", cmd_retry, help_retry},
    {"report", "write an HTML report of the outbox for operators", cmd_report, help_report},
    {"query", "NAV queries: taxpayer, invoice data/check, digest, chain digest, transactions", cmd_query, help_query},
    {"enqueue", "store an invoice in the outbox for the worker (CREATE/MODIFY/STORNO)", cmd_enqueue, help_enqueue},
    {"submit", "enqueue an invoice and report it now, waiting for the outcome", cmd_submit, help_submit},
    {"status", "outbox overview, or one item with its outcome and history", cmd_status, help_status},
    {"annul", "enqueue a technical annulment of a reported item", cmd_annul, help_annul},
    {"sim", "run the local NAV simulator (navoi-sim)", cmd_sim, help_sim},
    {"demo", "run the offline demo (navoi-demo)", cmd_demo, help_demo},
    {"worker", "report the outbox's invoices to NAV (exactly once)", cmd_worker, help_worker},
    {"validate", "check InvoiceData files against the XSD and NAV's business rules", cmd_validate, help_validate},
};

#define N_COMMANDS (sizeof g_commands / sizeof g_commands[0])

static void usage(FILE *out)
{
    size_t i;
    fprintf(out, "usage: navoi <command> [options]\n\ncommands:\n");
    for (i = 0; i < N_COMMANDS; i++)
        fprintf(out, "  %-17s %s\n", g_commands[i].name, g_commands[i].summary);
    fprintf(out,
            "\n'navoi <command> --help' describes a command.\n\n"
            "exit codes:\n"
            "  0  success\n"
            "  1  the check ran and failed (e.g. signature mismatch)\n"
            "  2  bad command line\n"
            "  3  the command could not run (unreadable file, unsafe key file, ...)\n");
}

char *cli_read_file(const char *path, size_t *len_out)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t len = 0, cap = 0;

    if (!f)
        return NULL;
    for (;;) {
        size_t n;
        if (cap - len < 65536) {
            char *nb;
            cap = cap ? cap * 2 : 131072;
            if (cap > (size_t)256 * 1024 * 1024) {
                errno = EFBIG;
                goto fail;
            }
            nb = realloc(buf, cap + 1);
            if (!nb)
                goto fail;
            buf = nb;
        }
        n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0) {
            if (ferror(f))
                goto fail;
            break;
        }
    }
    fclose(f);
    buf[len] = '\0';
    if (len_out)
        *len_out = len;
    return buf;
fail:
    free(buf);
    fclose(f);
    return NULL;
}

int main(int argc, char **argv)
{
    size_t i;

    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0)
        return cmd_version(1, argv + 1);
    for (i = 0; i < N_COMMANDS; i++) {
        if (strcmp(argv[1], g_commands[i].name) == 0) {
            int k;
            for (k = 2; k < argc; k++) {
                if (strcmp(argv[k], "--help") == 0 || strcmp(argv[k], "-h") == 0) {
                    g_commands[i].help(stdout);
                    return EXIT_OK;
                }
            }
            return g_commands[i].run(argc - 1, argv + 1);
        }
    }
    fprintf(stderr, "navoi: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return EXIT_USAGE;
}
