/*
 * cmd_sign_check.c - `navoi sign-check`: INVALID_REQUEST_SIGNATURE is the
 * most common support problem of NAV integrations; this recomputes the
 * signature of a saved request and says which input differs.
 * The signing key comes from a file (never the command line, where other
 * users could read it in the process list).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "navoi/navoi.h"

void help_sign_check(FILE *out)
{
    fprintf(out,
            "usage: navoi sign-check REQUEST.xml --sign-key-file FILE\n\n"
            "Recomputes the requestSignature of a NAV request (any of the ten operations)\n"
            "with the signing key in FILE and prints 'signature OK' (exit 0), or the\n"
            "inputs and which of them differs (exit 1).\n\n"
            "FILE must be a regular file owned by you with mode 0600 or 0400.\n"
            "Exit 2: bad command line; exit 3: unreadable request or unsafe key file.\n");
}

int cmd_sign_check(int argc, char **argv)
{
    const char *request = NULL, *key_file = NULL;
    char *xml = NULL, *key = NULL, *report = NULL;
    size_t len = 0;
    int i, rc, status = EXIT_ERROR;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--sign-key-file") == 0 && i + 1 < argc)
            key_file = argv[++i];
        else if (strncmp(argv[i], "--sign-key-file=", 16) == 0)
            key_file = argv[i] + 16;
        else if (argv[i][0] != '-' && !request)
            request = argv[i];
        else {
            fprintf(stderr, "navoi sign-check: unexpected argument '%s'\n", argv[i]);
            help_sign_check(stderr);
            return EXIT_USAGE;
        }
    }
    if (!request || !key_file) {
        help_sign_check(stderr);
        return EXIT_USAGE;
    }
    rc = navoi_secret_file_read(key_file, &key);
    if (rc != NAVOI_OK) {
        if (rc == NAVOI_EPERM)
            fprintf(stderr,
                    "navoi sign-check: refusing key file %s: it must be a regular file (not a "
                    "symlink) owned by you with mode 0600 or 0400 (chmod 600 %s)\n",
                    key_file, key_file);
        else
            fprintf(stderr, "navoi sign-check: cannot read key file %s: %s\n", key_file,
                    navoi_strerror(rc));
        goto out;
    }
    xml = cli_read_file(request, &len);
    if (!xml) {
        fprintf(stderr, "navoi sign-check: cannot read %s: %s\n", request, strerror(errno));
        goto out;
    }
    rc = navoi_sign_check(xml, len, key, &report);
    if (report)
        fputs(report, stdout);
    if (rc == NAVOI_OK) {
        printf("signature OK\n");
        status = EXIT_OK;
    } else if (rc == NAVOI_ESIGNATURE) {
        printf("signature MISMATCH\n");
        status = EXIT_MISMATCH;
    } else {
        fprintf(stderr, "navoi sign-check: %s: %s\n", request, navoi_strerror(rc));
    }
out:
    navoi_free(report);
    navoi_free(key);
    free(xml);
    return status;
}
