/* cmd_version.c - `navoi version`. */
#include "cli.h"
#include "navoi/navoi.h"

void help_version(FILE *out)
{
    fprintf(out, "usage: navoi version\n\n"
                 "Prints the version of libnavoi in use and of the header navoi was built with.\n");
}

int cmd_version(int argc, char **argv)
{
    (void)argv;
    if (argc > 1) {
        help_version(stderr);
        return EXIT_USAGE;
    }
    printf("navoi %s (library), built with header %s\n", navoi_version(), NAVOI_VERSION);
    printf("NAV Online Számla API v3.0\n");
    return EXIT_OK;
}
