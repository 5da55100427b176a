/*
 * fuzz_signcheck.c - navoi_sign_check(): any of the ten request documents,
 * with the diagnosis report (which parses indices, operations and
 * timestamps out of the document).
 */
#include <stddef.h>
#include <stdint.h>

#include "navoi/navoi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *report = NULL;

    (void)navoi_sign_check((const char *)data, size, "ac-ac3a-7f661bff7d342N43CYX4U9FG",
                           &report);
    navoi_free(report);
    return 0;
}
