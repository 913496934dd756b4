/*
 * hv-libvirt-iso.c: config drive images for the libvirt backend, built
 * the way the reference's configdrive module builds them: the files are
 * written into a private temporary folder, then genisoimage (Debian's
 * mkisofs) makes the image, with the reference's options (ISO level with
 * dots and lowercase allowed, Joliet, Rock Ridge, the label), run with an
 * argv (no shell, so no name is ever interpreted) on the local host.
 */
#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "hv-libvirt-priv.h"

/* The tool, overridable for tests and other distributions. */
#define ISO_TOOL "genisoimage"

/* Remove the temporary tree: only what lv_instance_iso_build wrote. */
static void
remove_tree(const char *path)
{
    GDir *d = g_dir_open(path, 0, NULL);
    const char *name;

    while (d && (name = g_dir_read_name(d))) {
        g_autofree char *p = g_build_filename(path, name, NULL);

        if (g_file_test(p, G_FILE_TEST_IS_DIR) &&
            !g_file_test(p, G_FILE_TEST_IS_SYMLINK))
            remove_tree(p);
        else
            g_unlink(p);
    }
    if (d)
        g_dir_close(d);
    g_rmdir(path);
}

int
lv_instance_iso_build(hv_conn *conn, const char *base, const char *dir,
                      const char *file, const char *label,
                      const char *publisher, const hv_iso_file *files,
                      unsigned int n_files, hv_error *err)
{
    g_autofree char *folder = g_build_filename(base, dir, NULL);
    g_autofree char *out = g_build_filename(folder, file, NULL);
    g_autofree char *tmp = NULL;
    g_autofree char *std_err = NULL;
    g_autoptr(GError) gerr = NULL;
    int status = 0, ret = -1;

    (void)conn;
    if (g_mkdir_with_parents(folder, 0755) < 0) {
        hv_error_set_errno(err, errno, "cannot create '%s': %s", folder,
                           g_strerror(errno));
        return -1;
    }
    if (!(tmp = g_dir_make_tmp("hvd-configdrive-XXXXXX", &gerr))) {
        hv_error_set(err, HV_ERR_OPERATION_FAILED,
                     "cannot make a temporary folder: %s", gerr->message);
        return -1;
    }
    for (unsigned int i = 0; i < n_files; i++) {
        g_autofree char *p = g_build_filename(tmp, files[i].path, NULL);
        g_autofree char *parent = g_path_get_dirname(p);

        /* the wrapper checked the path: relative, no "." or ".." */
        if (g_mkdir_with_parents(parent, 0755) < 0 ||
            !g_file_set_contents(p, files[i].data ? files[i].data : "",
                                 (gssize)files[i].len, &gerr)) {
            hv_error_set(err, HV_ERR_OPERATION_FAILED,
                         "cannot write '%s' for the config drive: %s",
                         files[i].path,
                         gerr ? gerr->message : g_strerror(errno));
            goto cleanup;
        }
    }
    {
        const char *argv[] = {
            ISO_TOOL, "-o", out, "-ldots", "-allow-lowercase",
            "-allow-multidot", "-l", "-publisher",
            publisher && *publisher ? publisher : "hvd", "-quiet", "-J",
            "-r", "-V", label, tmp, NULL,
        };

        if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH |
                              G_SPAWN_STDOUT_TO_DEV_NULL,
                          NULL, NULL, NULL, &std_err, &status, &gerr)) {
            hv_error_set(err, HV_ERR_OPERATION_FAILED,
                         "cannot run %s: %s", ISO_TOOL, gerr->message);
            goto cleanup;
        }
        if (!g_spawn_check_wait_status(status, NULL)) {
            hv_error_set(err, HV_ERR_OPERATION_FAILED,
                         "%s failed building '%s': %s", ISO_TOOL, out,
                         std_err ? g_strstrip(std_err) : "");
            goto cleanup;
        }
    }
    ret = 0;

cleanup:
    remove_tree(tmp);
    return ret;
}
