/*
 * fake-iso.c: config drive images on a fake host. The image is a file of
 * the host's instance store (fake-files.c), as genisoimage's output is a
 * file in the instance folder: it shows in listings, is renamed and
 * deleted with the folder. Its content is the sorted list of the files it
 * holds, one path per line (what a test asks about). A host whose disk a scenario set (nearly) full
 * (fake_host_set_disk_free) has no room for the image: the build fails as
 * genisoimage does there. The image takes no room in the pool: it lives
 * beside it, in the instances path.
 */
#include <stdlib.h>
#include <string.h>

#include "fake-priv.h"

/* what an ISO 9660 image of a few small files takes: its system area,
 * descriptors and directory records round it up to this */
#define ISO_MIN_BYTES (UINT64_C(360) * 1024)

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int
fk_instance_iso_build(hv_conn *conn, const char *base, const char *dir,
                      const char *file, const char *label,
                      const char *publisher, const hv_iso_file *files,
                      unsigned int n_files, hv_error *err)
{
    fake_conn *c = fake_conn_of(conn);
    char **names;
    GString *listing;
    int rc;

    (void)label;
    (void)publisher;
    if (fake_conn_check(c, err) < 0)
        return -1;
    if (c->host->disk_free_override < ISO_MIN_BYTES) {
        hv_error_set(err, HV_ERR_OPERATION_FAILED,
                     "genisoimage failed building '%s/%s/%s': No space left "
                     "on device", base, dir, file);
        return -1;
    }
    names = g_new0(char *, (gsize)n_files + 1);
    for (unsigned int i = 0; i < n_files; i++)
        names[i] = g_strdup(files[i].path);
    qsort(names, n_files, sizeof(char *), cmp_str);
    listing = g_string_new(NULL);
    for (unsigned int i = 0; i < n_files; i++)
        g_string_append_printf(listing, "%s\n", names[i]);
    g_strfreev(names);
    /* genisoimage -o makes the folder's file; the real backend creates
     * the folder first */
    rc = fk_instance_dir_create(conn, base, dir, err) < 0 ||
                 fk_instance_file_write(conn, base, dir, file, listing->str,
                                        listing->len, 0, err) < 0
             ? -1
             : 0;
    g_string_free(listing, TRUE);
    return rc;
}

char **
fake_host_iso_files(const fake_host *h, const char *path)
{
    char *data = NULL;
    size_t len = 0;
    char **names;

    if (!h || !path || !fake_host_instance_file(h, path, &data, &len)) {
        g_free(data);
        return NULL;
    }
    names = g_strsplit(data, "\n", -1);
    g_free(data);
    /* the last line's newline leaves an empty string at the end */
    for (guint n = g_strv_length(names); n > 0 && !*names[n - 1]; n--) {
        g_free(names[n - 1]);
        names[n - 1] = NULL;
    }
    return names;
}
