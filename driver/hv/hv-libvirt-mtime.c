/*
 * hv-libvirt-mtime.c: a volume's modification time for the image cache —
 * read with stat and bumped as "touch -c" does, on the file libvirt gives
 * as the volume's path. Like the instance files (hv-libvirt-files.c),
 * these calls work on the process's own file system: right for local URIs,
 * not for a remote host. A link is not followed when touching.
 */
#include "hv-libvirt-priv.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <string.h>
#include <sys/stat.h>

int
lv_vol_get_mtime(hv_conn *conn, const char *pool, const char *name,
                 int64_t *mtime_ns, hv_error *err)
{
    char *path = NULL;
    struct stat st;
    int ret = -1;

    if (lv_vol_get_path(conn, pool, name, &path, err) < 0)
        return -1;
    if (stat(path, &st) < 0) {
        int e = errno;

        hv_error_set_errno(err, e, "cannot stat volume '%s' (%s): %s", name,
                           path, g_strerror(e));
        goto cleanup;
    }
    *mtime_ns = (int64_t)st.st_mtim.tv_sec * HV_NS_PER_SEC +
                st.st_mtim.tv_nsec;
    ret = 0;

cleanup:
    g_free(path);
    return ret;
}

int
lv_vol_touch(hv_conn *conn, const char *pool, const char *name,
             hv_error *err)
{
    char *path = NULL;
    int ret = -1;

    if (lv_vol_get_path(conn, pool, name, &path, err) < 0)
        return -1;
    /* times NULL: both to now, as touch */
    if (utimensat(AT_FDCWD, path, NULL, AT_SYMLINK_NOFOLLOW) < 0) {
        int e = errno;

        hv_error_set_errno(err, e, "cannot touch volume '%s' (%s): %s", name,
                           path, g_strerror(e));
        goto cleanup;
    }
    ret = 0;

cleanup:
    g_free(path);
    return ret;
}
