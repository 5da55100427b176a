/* testutil.c - see testutil.h. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *nt_nav_dir(void)
{
    const char *d = getenv("NAVOI_NAV_DATA");
    return d && *d ? d : "../shared/nav";
}

const char *nt_data_dir(void)
{
    const char *d = getenv("NAVOI_TEST_DATA");
    return d && *d ? d : "tests/data";
}

static char *join(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 2;
    char *p = malloc(n);
    ck_assert_ptr_nonnull(p);
    snprintf(p, n, "%s/%s", a, b);
    return p;
}

char *nt_nav_path(const char *rel)
{
    return join(nt_nav_dir(), rel);
}

char *nt_data_path(const char *rel)
{
    return join(nt_data_dir(), rel);
}

char *nt_read_file(const char *path, size_t *len_out)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    ck_assert_msg(f != NULL, "cannot open %s", path);
    ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    ck_assert_int_ge(n, 0);
    ck_assert_int_eq(fseek(f, 0, SEEK_SET), 0);
    buf = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(buf);
    ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    if (len_out)
        *len_out = (size_t)n;
    return buf;
}

char *nt_read_nav(const char *rel, size_t *len_out)
{
    char *p = nt_nav_path(rel);
    char *d = nt_read_file(p, len_out);
    free(p);
    return d;
}

void nt_remove_sqlite(const char *db)
{
    static const char *const sides[] = {"", "-wal", "-shm", "-journal"};
    char path[4200];
    size_t i;
    for (i = 0; i < sizeof sides / sizeof sides[0]; i++) {
        snprintf(path, sizeof path, "%s%s", db, sides[i]);
        unlink(path);
    }
}

int nt_run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
