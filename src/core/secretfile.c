/*
 * secretfile.c - reading key and password files the way OpenSSH and libpq
 * do: refuse symlinks, files of other users and files others can read.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/alloc.h"
#include "navoi/navoi.h"

#define SECRET_FILE_MAX 4096

NAVOI_API int navoi_secret_file_read(const char *path, char **out)
{
    struct stat st;
    char buf[SECRET_FILE_MAX + 1];
    size_t n = 0;
    int fd, rc = NAVOI_OK;
    mode_t mode;

    if (!out)
        return NAVOI_EINVAL;
    *out = NULL;
    if (!path)
        return NAVOI_EINVAL;
    /* O_NOFOLLOW: a symlink could point at a file the owner check below
     * would not describe. */
    fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return errno == ELOOP ? NAVOI_EPERM : NAVOI_EIO;
    if (fstat(fd, &st) != 0) {
        rc = NAVOI_EIO;
        goto out;
    }
    mode = st.st_mode & 07777;
    if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() || (mode != 0600 && mode != 0400)) {
        rc = NAVOI_EPERM;
        goto out;
    }
    while (n < SECRET_FILE_MAX + 1) {
        ssize_t r = read(fd, buf + n, SECRET_FILE_MAX + 1 - n);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            rc = NAVOI_EIO;
            goto out;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    if (n > SECRET_FILE_MAX) {
        rc = NAVOI_ETOOBIG;
        goto out;
    }
    /* One trailing line break is what editors add; anything else is kept
     * so that the key setters can diagnose it. */
    if (n > 0 && buf[n - 1] == '\n')
        n--;
    if (n > 0 && buf[n - 1] == '\r')
        n--;
    if (n == 0 || memchr(buf, '\0', n)) {
        rc = NAVOI_EKEY;
        goto out;
    }
    *out = navoi__strndup(buf, n);
    if (!*out)
        rc = NAVOI_ENOMEM;
out:
    navoi__cleanse(buf, sizeof buf);
    close(fd);
    return rc;
}
