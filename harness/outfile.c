/*
 * outfile.c: output files written in place, refusing what is not a
 * regular file (outfile.h).
 */
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

/* What a file type is called in messages: "a FIFO", ... */
static const char *
type_name(mode_t mode)
{
    if (S_ISLNK(mode))
        return "a symbolic link";
    if (S_ISCHR(mode))
        return "a character device";
    if (S_ISBLK(mode))
        return "a block device";
    if (S_ISFIFO(mode))
        return "a FIFO";
    if (S_ISSOCK(mode))
        return "a socket";
    if (S_ISDIR(mode))
        return "a folder";
    return "not a regular file";
}

static void
refuse(char **error, const char *what, const char *path, mode_t mode)
{
    *error = g_strdup_printf("cannot write %s %s: it is %s, and hvd writes "
                             "only to a regular file (which it truncates) or "
                             "a new one", what, path, type_name(mode));
}

static void
failed(char **error, const char *what, const char *path, int err)
{
    *error = g_strdup_printf("cannot write %s %s: %s", what, path,
                             g_strerror(err));
}

int
outfile_check(const char *path, const char *what, char **error)
{
    struct stat st;

    if (lstat(path, &st) < 0) {
        if (errno == ENOENT)
            return OUTFILE_NEW;
        failed(error, what, path, errno);
        return -1;
    }
    if (S_ISREG(st.st_mode))
        return OUTFILE_REGULAR;
    if (S_ISDIR(st.st_mode))
        return OUTFILE_FOLDER;
    /* a link to a folder is written into, never replaced; a link to
     * anything else is refused, whatever it points at */
    if (S_ISLNK(st.st_mode)) {
        struct stat target;

        if (stat(path, &target) == 0 && S_ISDIR(target.st_mode))
            return OUTFILE_FOLDER;
    }
    refuse(error, what, path, st.st_mode);
    return -1;
}

int
outfile_write(const char *path, const char *what, const char *data,
              size_t len, char **error)
{
    struct stat st;
    size_t done = 0;
    bool regular = false;
    int fd, ret = -1;

    /* opening is itself an action on a device or a FIFO: look first */
    if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        refuse(error, what, path, st.st_mode);
        return -1;
    }
    /* no O_TRUNC: nothing is changed before the open file is checked;
     * O_NOFOLLOW: a link put there meanwhile is refused (ELOOP), and
     * O_NONBLOCK: a FIFO put there meanwhile does not block the open */
    fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
                        O_CLOEXEC, 0666);
    if (fd < 0) {
        int err = errno;

        if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode))
            refuse(error, what, path, st.st_mode);
        else
            failed(error, what, path, err);
        return -1;
    }
    if (fstat(fd, &st) < 0) {
        failed(error, what, path, errno);
        goto cleanup;
    }
    if (!S_ISREG(st.st_mode)) {
        refuse(error, what, path, st.st_mode);
        goto cleanup;
    }
    regular = true;
    if (ftruncate(fd, 0) < 0) {
        failed(error, what, path, errno);
        goto cleanup;
    }
    while (done < len) {
        ssize_t n = write(fd, data + done, len - done);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            failed(error, what, path, errno);
            goto cleanup;
        }
        /* a regular file takes at least one byte or says why not */
        if (n == 0) {
            failed(error, what, path, EIO);
            goto cleanup;
        }
        done += (size_t)n;
    }
    ret = 0;

cleanup:
    /* part of a file is worse than none: a failed write leaves it empty */
    if (ret < 0 && regular && ftruncate(fd, 0) < 0)
        g_debug("%s: could not empty it after a failed write", path);
    /* a delayed write error (NFS, a quota) shows at close */
    if (close(fd) < 0 && ret == 0) {
        failed(error, what, path, errno);
        ret = -1;
    }
    return ret;
}
