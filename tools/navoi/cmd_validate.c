/*
 * cmd_validate.c - `navoi validate FILE...`: runs the pre-submission
 * validator (XSD + NAV's business rules) on InvoiceData files and prints
 * the findings, so data errors show up before a NAV round trip.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "navoi/navoi.h"

void help_validate(FILE *out)
{
    fprintf(out,
            "usage: navoi validate [options] FILE...\n\n"
            "Checks InvoiceData documents (plain or gzip) against invoiceData.xsd and NAV's\n"
            "business rules and prints every finding: severity, NAV validation code, element\n"
            "path and message.\n\n"
            "options:\n"
            "  --schemas DIR        NAV's XSDs (default: $NAVOI_NAV_DATA/schemas if set;\n"
            "                       without schemas the XSD check is skipped with a warning)\n"
            "  --tax-number N       your tax number: the supplier must match it\n"
            "  --operation OP       create, modify or storno (default: modify when the\n"
            "                       document has an invoiceReference, else create)\n"
            "  --lang en|hu         language of the messages (default en)\n"
            "  --json               one JSON document on stdout\n\n"
            "exit codes: 0 no ERROR finding, 1 ERROR findings, 2 bad command line,\n"
            "            3 a file or the schemas could not be read.\n");
}

static void json_str(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c == '\n')
            fputs("\\n", stdout);
        else if (c == '\t')
            fputs("\\t", stdout);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

static int parse_op(const char *s)
{
    if (strcmp(s, "create") == 0 || strcmp(s, "CREATE") == 0)
        return NAVOI_OP_CREATE;
    if (strcmp(s, "modify") == 0 || strcmp(s, "MODIFY") == 0)
        return NAVOI_OP_MODIFY;
    if (strcmp(s, "storno") == 0 || strcmp(s, "STORNO") == 0)
        return NAVOI_OP_STORNO;
    return -1;
}

int cmd_validate(int argc, char **argv)
{
    const char *schemas = NULL, *tax = NULL, *lang = "en";
    const char **files = NULL;
    char envdir[4096];
    int nfiles = 0, json = 0, op = 0, i, status = EXIT_OK, rc;
    navoi_client *c = NULL;

    files = calloc((size_t)argc, sizeof *files);
    if (!files) {
        fprintf(stderr, "navoi validate: out of memory\n");
        return EXIT_ERROR;
    }
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--schemas") == 0 && i + 1 < argc)
            schemas = argv[++i];
        else if (strncmp(a, "--schemas=", 10) == 0)
            schemas = a + 10;
        else if (strcmp(a, "--tax-number") == 0 && i + 1 < argc)
            tax = argv[++i];
        else if (strncmp(a, "--tax-number=", 13) == 0)
            tax = a + 13;
        else if (strcmp(a, "--lang") == 0 && i + 1 < argc)
            lang = argv[++i];
        else if (strncmp(a, "--lang=", 7) == 0)
            lang = a + 7;
        else if (strcmp(a, "--operation") == 0 && i + 1 < argc)
            op = parse_op(argv[++i]);
        else if (strncmp(a, "--operation=", 12) == 0)
            op = parse_op(a + 12);
        else if (strcmp(a, "--json") == 0)
            json = 1;
        else if (a[0] != '-' || strcmp(a, "-") == 0)
            files[nfiles++] = a;
        else {
            fprintf(stderr, "navoi validate: unexpected argument '%s'\n", a);
            help_validate(stderr);
            free(files);
            return EXIT_USAGE;
        }
    }
    if (!nfiles || op < 0 || (strcmp(lang, "en") != 0 && strcmp(lang, "hu") != 0)) {
        if (op < 0)
            fprintf(stderr, "navoi validate: --operation must be create, modify or storno\n");
        else if (nfiles)
            fprintf(stderr, "navoi validate: --lang must be en or hu\n");
        help_validate(stderr);
        free(files);
        return EXIT_USAGE;
    }
    if (!schemas && getenv("NAVOI_NAV_DATA") && *getenv("NAVOI_NAV_DATA")) {
        snprintf(envdir, sizeof envdir, "%s/schemas", getenv("NAVOI_NAV_DATA"));
        schemas = envdir;
    }
    if (navoi_client_new(&c) != NAVOI_OK) {
        fprintf(stderr, "navoi validate: out of memory\n");
        free(files);
        return EXIT_ERROR;
    }
    if (schemas && (rc = navoi_client_set_schema_dir(c, schemas)) != NAVOI_OK) {
        fprintf(stderr, "navoi validate: cannot load schemas from %s: %s\n", schemas,
                navoi_client_errmsg(c));
        status = EXIT_ERROR;
        goto out;
    }
    if (tax && navoi_client_set_tax_number(c, tax) != NAVOI_OK) {
        fprintf(stderr, "navoi validate: bad --tax-number: %s\n", navoi_client_errmsg(c));
        status = EXIT_USAGE;
        goto out;
    }
    if (json)
        printf("[");
    for (i = 0; i < nfiles; i++) {
        size_t len = 0, k, n;
        char *xml = cli_read_file(files[i], &len);
        navoi_findings *f = NULL;

        if (!xml) {
            fprintf(stderr, "navoi validate: cannot read %s: %s\n", files[i], strerror(errno));
            status = EXIT_ERROR;
            continue;
        }
        rc = navoi_validate_xml(c, xml, len, op, &f);
        free(xml);
        if (rc != NAVOI_OK) {
            fprintf(stderr, "navoi validate: %s: %s\n", files[i], navoi_client_errmsg(c));
            status = EXIT_ERROR;
            continue;
        }
        n = navoi_findings_count(f);
        if (navoi_findings_has_errors(f) && status == EXIT_OK)
            status = EXIT_MISMATCH;
        if (json) {
            static int first = 1;
            printf("%s\n {\"file\": ", first ? "" : ",");
            first = 0;
            json_str(files[i]);
            printf(", \"valid\": %s, \"findings\": [", navoi_findings_has_errors(f) ? "false" : "true");
        } else {
            printf("%s: %s\n", files[i],
                   navoi_findings_has_errors(f) ? "INVALID" : n ? "valid, with warnings" : "valid");
        }
        for (k = 0; k < n; k++) {
            const char *code, *path, *en, *hu;
            int sev;
            navoi_findings_get(f, k, &code, &sev, &path, &en, &hu);
            if (json) {
                printf("%s\n  {\"code\": ", k ? "," : "");
                json_str(code);
                printf(", \"severity\": \"%s\", \"path\": ", sev == NAVOI_SEVERITY_ERROR ? "ERROR" : "WARN");
                json_str(path);
                printf(", \"message\": ");
                json_str(strcmp(lang, "hu") == 0 ? hu : en);
                printf("}");
            } else {
                printf("  %-5s %s\n        at %s\n        %s\n", sev == NAVOI_SEVERITY_ERROR ? "ERROR" : "WARN",
                       code, *path ? path : "(document)", strcmp(lang, "hu") == 0 ? hu : en);
            }
        }
        if (json)
            printf("%s]}", n ? "\n " : "");
        navoi_findings_free(f);
    }
    if (json)
        printf("\n]\n");
out:
    navoi_client_free(c);
    free(files);
    return status;
}
