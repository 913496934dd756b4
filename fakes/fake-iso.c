/*
 * fake-iso.c: config drive images on a fake host. The fake records which
 * files an image holds (what a test or an invariant asks about) under the
 * image's path. A host whose disk a scenario set (nearly) full
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
    char *path;

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
    path = g_strdup_printf("%s/%s/%s", base, dir, file);
    g_hash_table_replace(c->host->isos, path, names);
    return 0;
}

char **
fake_host_iso_files(const fake_host *h, const char *path)
{
    char **names = h && path ? g_hash_table_lookup(h->isos, path) : NULL;

    return names ? g_strdupv(names) : NULL;
}
