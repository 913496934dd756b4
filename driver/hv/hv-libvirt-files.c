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
 * something outside it. Files must be regular and have one name: a FIFO,
 * device or socket is refused (seen before it is opened where possible, and
 * opened non-blocking), and so is a hard link (a second name of a file
 * elsewhere, which a read would disclose and an append would change). A
 * write that replaces a file writes a new file beside it and renames it
 * over the old name, so a failure midway leaves the old content and a
 * second name is replaced, never written through. Reads are bounded (the
 * tail of at most 'max' bytes), and a delete walks each folder once, by
 * descriptor, removing links rather than what they point at.
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
 * Why the entry st (from a stat that does not follow links) cannot be an
 * instance file: 0 if it can (a regular file with one name), else an errno
 * (ELOOP a link, EISDIR a folder, EINVAL a FIFO, device or socket, EMLINK
 * a file with other names).
 */
static int
not_instance_file(const struct stat *st)
{
    if (S_ISLNK(st->st_mode))
        return ELOOP;
    if (S_ISDIR(st->st_mode))
        return EISDIR;
    if (!S_ISREG(st->st_mode))
        return EINVAL;
    if (st->st_nlink > 1)
        return EMLINK;
    return 0;
}

/*
 * Is base/dir/file (dfd the folder) absent (ENOENT) or an instance file
 * (with other names too when any_links: a replace only drops this name)?
 * Looked at before opening, so that a FIFO or device is never opened (an
 * open may have effects); the check on the opened descriptor stays the
 * one that counts. 0, or -1 with err set.
 */
static int
check_entry(int dfd, const char *base, const char *dir, const char *file,
            bool any_links, const char *what, hv_error *err)
{
    struct stat st;
    int e;

    if (fstatat(dfd, file, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return errno == ENOENT ? 0 : sys_fail(err, errno, what, base, dir,
                                              file);
    e = not_instance_file(&st);
    if (e && !(e == EMLINK && any_links))
        return sys_fail(err, e, what, base, dir, file);
    return 0;
}

/*
 * Open base/dir/file with flags (O_NOFOLLOW and O_NONBLOCK added, so a link
 * fails with ELOOP and a FIFO never blocks) and make sure it is an instance
 * file; the descriptor (and its stat in *st) or -1 with err set.
 */
static int
open_file(const char *base, const char *dir, const char *file, int flags,
          struct stat *st, const char *what, hv_error *err)
{
    int dfd, fd, e;

    if ((dfd = open_instance_dir(base, dir, file, what, err)) < 0)
        return -1;
    if (check_entry(dfd, base, dir, file, false, what, err) < 0) {
        close(dfd);
        return -1;
    }
    fd = openat(dfd, file, flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
    e = errno;
    close(dfd);
    if (fd < 0)
        return sys_fail(err, e, what, base, dir, file);
    if (fstat(fd, st) < 0)
        e = errno;
    else
        e = not_instance_file(st);
    if (e) {
        close(fd);
        return sys_fail(err, e, what, base, dir, file);
    }
    return fd;
}

/* Write len bytes of data to fd; 0 or an errno. */
static int
write_all(int fd, const char *data, size_t len)
{
    size_t done = 0;

    while (done < len) {
        ssize_t n = write(fd, data + done, len - done);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n < 0 ? errno : EIO;
        done += (size_t)n;
    }
    return 0;
}

/* Tells this process's temporary files apart (the pid, the others'). */
static gint tmp_counter;

/*
 * Replace base/dir/file with data: a new file beside it (an unused name,
 * created exclusively), written, then renamed over the file. 0, or -1 with
 * err set and the new file gone.
 */
static int
replace_file(const char *base, const char *dir, const char *file,
             const char *data, size_t len, hv_error *err)
{
    char tmp[64];
    int dfd, fd = -1, e = 0;

    if ((dfd = open_instance_dir(base, dir, file, "writing", err)) < 0)
        return -1;
    /* a link, folder or device in its place is refused, not replaced */
    if (check_entry(dfd, base, dir, file, true, "writing", err) < 0) {
        close(dfd);
        return -1;
    }
    for (int tries = 0; fd < 0 && tries < 100; tries++) {
        g_snprintf(tmp, sizeof(tmp), ".hvd-tmp-%ld-%d", (long)getpid(),
                   g_atomic_int_add(&tmp_counter, 1));
        fd = openat(dfd, tmp,
                    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                    0644);
        e = errno;
        if (fd < 0 && e != EEXIST)
            break;
    }
    if (fd < 0) {
        close(dfd);
        return sys_fail(err, e, "writing", base, dir, file);
    }
    e = write_all(fd, data, len);
    if (close(fd) < 0 && !e)
        e = errno;
    if (!e && renameat(dfd, tmp, dfd, file) < 0)
        e = errno;
    if (e)
        unlinkat(dfd, tmp, 0);
    close(dfd);
    return e ? sys_fail(err, e, "writing", base, dir, file) : 0;
}

int
lv_instance_file_write(hv_conn *conn, const char *base, const char *dir,
                       const char *file, const char *data, size_t len,
                       unsigned int flags, hv_error *err)
{
    struct stat st;
    int fd, e;

    (void)conn;
    if (!(flags & HV_FILE_APPEND))
        return replace_file(base, dir, file, data, len, err);
    fd = open_file(base, dir, file, O_WRONLY | O_CREAT | O_APPEND, &st,
                   "writing", err);
    if (fd < 0)
        return -1;
    e = write_all(fd, data, len);
    if (close(fd) < 0 && !e)
        e = errno;
    return e ? sys_fail(err, e, "writing", base, dir, file) : 0;
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
    if ((fd = open_file(base, dir, file, O_RDONLY, &st, "reading", err)) < 0)
        return -1;
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
