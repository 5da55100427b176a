/*
 * cmd_exec.c - `navoi sim` and `navoi demo` run the navoi-sim and
 * navoi-demo programs installed next to navoi (looked up relative to
 * /proc/self/exe, then the build tree's layout, then PATH): the CLI links
 * only the public API, and these two are programs of their own.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

void help_sim(FILE *out)
{
    fprintf(out,
            "usage: navoi sim [navoi-sim options]\n\n"
            "Runs navoi-sim, the local NAV simulator (see navoi-sim(1)), e.g.\n"
            "  navoi sim --config sim.ini --port 8080\n\n"
            "exit: that of navoi-sim; 3 when navoi-sim cannot be found.\n");
}

void help_demo(FILE *out)
{
    fprintf(out,
            "usage: navoi demo [navoi-demo options]\n\n"
            "Runs navoi-demo: reports demo invoices to an embedded simulator and shows the\n"
            "whole flow offline.\n\n"
            "exit: that of navoi-demo; 3 when navoi-demo cannot be found.\n");
}

static int run_sibling(const char *prog, const char *subdir, int argc, char **argv)
{
    char self[PATH_MAX], path[PATH_MAX + 64], *slash;
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    char **args = calloc((size_t)argc + 1, sizeof *args);
    int i;
    if (!args)
        return EXIT_ERROR;
    args[0] = (char *)prog;
    for (i = 1; i < argc; i++)
        args[i] = argv[i];
    if (n > 0) {
        self[n] = '\0';
        slash = strrchr(self, '/');
        if (slash) {
            *slash = '\0';
            snprintf(path, sizeof path, "%s/%s", self, prog);
            if (access(path, X_OK) == 0)
                execv(path, args);
            /* build tree: tools/navoi/navoi next to tools/sim/navoi-sim */
            snprintf(path, sizeof path, "%s/../%s/%s", self, subdir, prog);
            if (access(path, X_OK) == 0)
                execv(path, args);
        }
    }
    execvp(prog, args);
    fprintf(stderr, "navoi: cannot run %s: %s (install it next to navoi or on PATH)\n", prog,
            strerror(errno));
    free(args);
    return EXIT_ERROR;
}

int cmd_sim(int argc, char **argv)
{
    return run_sibling("navoi-sim", "sim", argc, argv);
}

int cmd_demo(int argc, char **argv)
{
    return run_sibling("navoi-demo", "demo", argc, argv);
}
