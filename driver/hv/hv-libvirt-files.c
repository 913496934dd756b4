/*
 * hv-libvirt-files.c: the instance files of the real backend — folders and
 * files under the instances path on the local file system, where libvirt
 * writes a guest's serial log and the driver keeps unrescue.xml.
 *
 * The instances path (base) is the operator's configuration and is opened
 * as given (it may be a link, e.g. to another disk). Below it nothing is
 * followed: every folder and file is opened with O_NOFOLLOW relative to
 * its parent's descriptor, so a link planted in an instance folder (by a
 * guest's owner, or a race) never turns a write, a read or a delete on
 * something outside it. Files must be regular: a FIFO is opened
 * non-blocking and refused, as are devices and sockets. Reads are bounded
 * (the tail of at most 'max' bytes), and a delete walks each folder once,
 * by descriptor, removing links rather than what they point at.
 *
 * These calls touch the process's own file system: right for local URIs
 * (qemu:///system, test:///default), not for a remote host.
 */
#include "hv-libvirt-priv.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Folders nested deeper than this in an instance folder are not walked. */
#define FILES_MAX_DEPTH 32

static int
sys_fail(hv_error *err, int errnum, const char *what, const char *base,
         const char *dir, const char *file)
{
    hv_error_set_errno(err, errnum, "%s %s/%s%s%s: %s", what, base, dir,
                       file ? "/" : "", file ? file : "",
                       g_strerror(errnum));
    return -1;
}

/* The instances path as a folder descriptor, or -1 with errno. */
static int
open_base(const char *base)
{
    return open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* A folder below dfd, never through a link; -1 with errno (ELOOP: a link,
 * ENOTDIR: something else). */
static int
open_sub(int dfd, const char *name)
{
    return openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

/* base/dir as a descriptor, or -1 with err set. */
static int
open_instance_dir(const char *base, const char *dir, const char *file,
                  const char *what, hv_error *err)
{
    int bfd = open_base(base), dfd, e;

    if (bfd < 0)
        return sys_fail(err, errno, what, base, dir, file);
    dfd = open_sub(bfd, dir);
    e = errno;
    close(bfd);
    if (dfd < 0)
        return sys_fail(err, e, what, base, dir, file);
    return dfd;
}

int
lv_instance_dir_create(hv_conn *conn, const char *base, const char *dir,
                       hv_error *err)
{
    struct stat st;
    int bfd, rc = -1;

    (void)conn;
    if (g_mkdir_with_parents(base, 0755) < 0)
        return sys_fail(err, errno, "creating", base, dir, NULL);
    if ((bfd = open_base(base)) < 0)
        return sys_fail(err, errno, "creating", base, dir, NULL);
    if (mkdirat(bfd, dir, 0755) == 0) {
        rc = 0;
    } else if (errno != EEXIST) {
        sys_fail(err, errno, "creating", base, dir, NULL);
    } else if (fstatat(bfd, dir, &st, AT_SYMLINK_NOFOLLOW) < 0) {
        sys_fail(err, errno, "creating", base, dir, NULL);
    } else if (!S_ISDIR(st.st_mode)) {
        /* a link or a file in the folder's place: never use it */
        sys_fail(err, S_ISLNK(st.st_mode) ? EEXIST : ENOTDIR, "creating",
                 base, dir, NULL);
    } else {
        rc = 0;
    }
    close(bfd);
    return rc;
}

int
lv_instance_dir_exists(hv_conn *conn, const char *base, const char *dir,
                       int *exists, hv_error *err)
{
    struct stat st;
    int bfd;

    (void)conn;
    (void)err;
    *exists = 0;
    /* like os.access: any failure to reach it means "not there" */
    if ((bfd = open_base(base)) < 0)
        return 0;
    if (fstatat(bfd, dir, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
        S_ISDIR(st.st_mode) && faccessat(bfd, dir, W_OK, 0) == 0)
        *exists = 1;
    close(bfd);
    return 0;
}

int
lv_instance_dir_rename(hv_conn *conn, const char *base, const char *from,
                       const char *to, hv_error *err)
{
    int bfd, rc = 0;

    (void)conn;
    if ((bfd = open_base(base)) < 0)
        return sys_fail(err, errno, "renaming", base, from, NULL);
    if (renameat(bfd, from, bfd, to) < 0) {
        int e = errno;

        hv_error_set_errno(err, e, "renaming %s/%s to %s: %s", base, from, to,
                           g_strerror(e));
        rc = -1;
    }
    close(bfd);
    return rc;
}

/*
 * Empty the folder dfd (which this call owns and closes): each entry once,
 * sub-folders opened by descriptor without following links. The first
 * failure is kept in *e and the walk goes on, so as much as possible goes.
 */
static void
empty_dir(int dfd, int depth, int *e)
{
    DIR *d = fdopendir(dfd);
    struct dirent *ent;

    if (!d) {
        if (!*e)
            *e = errno;
        close(dfd);
        return;
    }
    while ((errno = 0, ent = readdir(d))) {
        struct stat st;
        const char *n = ent->d_name;
        int sub;

        if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0)
            continue;
        if (fstatat(dirfd(d), n, &st, AT_SYMLINK_NOFOLLOW) < 0) {
            if (errno != ENOENT && !*e)
                *e = errno;
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            if (depth >= FILES_MAX_DEPTH) {
                if (!*e)
                    *e = ELOOP;
                continue;
            }
            if ((sub = open_sub(dirfd(d), n)) < 0) {
                if (!*e)
                    *e = errno;
                continue;
            }
            empty_dir(sub, depth + 1, e);
            if (unlinkat(dirfd(d), n, AT_REMOVEDIR) < 0 && !*e)
                *e = errno;
        } else if (unlinkat(dirfd(d), n, 0) < 0 && errno != ENOENT && !*e) {
            *e = errno;
        }
    }
    if (errno && !*e)
        *e = errno;
    closedir(d);
}

int
lv_instance_dir_delete(hv_conn *conn, const char *base, const char *dir,
                       hv_error *err)
{
    int bfd, dfd, e = 0;

    (void)conn;
    if ((bfd = open_base(base)) < 0)
        return sys_fail(err, errno, "deleting", base, dir, NULL);
    if ((dfd = open_sub(bfd, dir)) < 0) {
        e = errno;
        /* a link or a file where the folder should be: remove that entry
         * itself (never what a link points at) */
        if ((e == ELOOP || e == ENOTDIR) && unlinkat(bfd, dir, 0) == 0)
            e = 0;
        else if (e == ELOOP || e == ENOTDIR)
            e = errno;
    } else {
        empty_dir(dfd, 1, &e);
        if (!e && unlinkat(bfd, dir, AT_REMOVEDIR) < 0)
            e = errno;
    }
    close(bfd);
    if (e)
        return sys_fail(err, e, "deleting", base, dir, NULL);
    return 0;
}

/*
 * Open base/dir/file with flags (O_NOFOLLOW and O_NONBLOCK added, so a link
 * fails with ELOOP and a FIFO never blocks) and make sure it is a regular
 * file; the descriptor or -1 with err set.
 */
static int
open_file(const char *base, const char *dir, const char *file, int flags,
          const char *what, hv_error *err)
{
    struct stat st;
    int dfd, fd, e;

    if ((dfd = open_instance_dir(base, dir, file, what, err)) < 0)
        return -1;
    fd = openat(dfd, file, flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
    e = errno;
    close(dfd);
    if (fd < 0)
        return sys_fail(err, e, what, base, dir, file);
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        e = errno;
        close(fd);
        if (e == 0 || !S_ISREG(st.st_mode))
            e = EINVAL; /* a FIFO, device or socket: not an instance file */
        return sys_fail(err, e, what, base, dir, file);
    }
    return fd;
}

int
lv_instance_file_write(hv_conn *conn, const char *base, const char *dir,
                       const char *file, const char *data, size_t len,
                       unsigned int flags, hv_error *err)
{
    bool append = flags & HV_FILE_APPEND;
    size_t done = 0;
    int fd, rc = 0;

    (void)conn;
    fd = open_file(base, dir, file,
                   O_WRONLY | O_CREAT | (append ? O_APPEND : 0), "writing",
                   err);
    if (fd < 0)
        return -1;
    /* truncate only once it is known to be a regular file */
    if (!append && ftruncate(fd, 0) < 0)
        rc = sys_fail(err, errno, "writing", base, dir, file);
    while (rc == 0 && done < len) {
        ssize_t n = write(fd, data + done, len - done);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            rc = sys_fail(err, n < 0 ? errno : EIO, "writing", base, dir,
                          file);
        else
            done += (size_t)n;
    }
    if (close(fd) < 0 && rc == 0)
        rc = sys_fail(err, errno, "writing", base, dir, file);
    return rc;
}

int
lv_instance_file_read(hv_conn *conn, const char *base, const char *dir,
                      const char *file, size_t max, char **data, size_t *len,
                      uint64_t *skipped, hv_error *err)
{
    struct stat st;
    uint64_t size, start;
    size_t want, got = 0;
    char *buf;
    int fd;

    (void)conn;
    if ((fd = open_file(base, dir, file, O_RDONLY, "reading", err)) < 0)
        return -1;
    if (fstat(fd, &st) < 0) {
        int e = errno;
        close(fd);
        return sys_fail(err, e, "reading", base, dir, file);
    }
    size = (uint64_t)st.st_size;
    start = size > max ? size - max : 0;
    want = (size_t)(size - start);
    if (start > 0 && lseek(fd, (off_t)start, SEEK_SET) < 0) {
        int e = errno;
        close(fd);
        return sys_fail(err, e, "reading", base, dir, file);
    }
    buf = g_malloc(want + 1);
    /* the file may shrink meanwhile (never read past want: it may grow) */
    while (got < want) {
        ssize_t n = read(fd, buf + got, want - got);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            g_free(buf);
            close(fd);
            return sys_fail(err, e, "reading", base, dir, file);
        }
        if (n == 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    buf[got] = '\0';
    *data = buf;
    *len = got;
    *skipped = start;
    return 0;
}

int
lv_instance_file_delete(hv_conn *conn, const char *base, const char *dir,
                        const char *file, hv_error *err)
{
    int dfd, rc = 0;

    (void)conn;
    if ((dfd = open_instance_dir(base, dir, file, "deleting", err)) < 0)
        return -1;
    if (unlinkat(dfd, file, 0) < 0)
        rc = sys_fail(err, errno, "deleting", base, dir, file);
    close(dfd);
    return rc;
}
