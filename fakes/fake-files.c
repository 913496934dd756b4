/*
 * fake-files.c: a fake host's instance files — the folders and files a real
 * host keeps under its instances path (console.log, unrescue.xml), held in
 * the world so that they simulate, replay from the seed and fail by
 * injection like every other hv call.
 *
 * The store maps a full path ("<base>/<dir>" for a folder,
 * "<base>/<dir>/<file>" for a file) to an entry. The instances path itself
 * always exists (the real backend creates it with its parents). Files live
 * on the host's disk: they survive a daemon restart and a host crash, and a
 * full disk (fake_host_set_disk_free 0) refuses writes with ENOSPC.
 *
 * A guest writes its serial console into the store as QEMU writes a file
 * serial (the first <serial type='file'> or <console type='file'> of the
 * live XML): a line when it starts and the tiny guest's ready line once it
 * has booted, if the log's folder exists (libvirt would refuse to start
 * without it; the fake is lenient there, see docs/reference-differences.md).
 */
#include "fake-priv.h"

#include <errno.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

/* What the tiny guest prints on its serial console once it is up. */
#define FAKE_READY_LINE "HVD-GUEST-READY\n"

typedef struct fake_fsent {
    bool dir;
    GByteArray *data; /* files only */
} fake_fsent;

static void
fsent_free(fake_fsent *e)
{
    if (!e)
        return;
    if (e->data)
        g_byte_array_unref(e->data);
    g_free(e);
}

void
fake_files_init(fake_host *h)
{
    h->files = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                     (GDestroyNotify)fsent_free);
}

void
fake_files_free(fake_host *h)
{
    if (h->files)
        g_hash_table_destroy(h->files);
    h->files = NULL;
}

static fake_host *
host_of(hv_conn *conn)
{
    return fake_conn_of(conn)->host;
}

static char *
dir_path(const char *base, const char *dir)
{
    /* base without trailing slashes, so "/x/" and "/x" name one folder */
    size_t n = strlen(base);

    while (n > 1 && base[n - 1] == '/')
        n--;
    return g_strdup_printf("%.*s/%s", (int)n, base, dir);
}

static int
fs_fail(hv_error *err, int errnum, const char *what, const char *path)
{
    hv_error_set_errno(err, errnum, "%s %s: %s", what, path,
                       g_strerror(errnum));
    return -1;
}

int
fk_instance_dir_create(hv_conn *conn, const char *base, const char *dir,
                       hv_error *err)
{
    fake_host *h = host_of(conn);
    char *path = dir_path(base, dir);
    fake_fsent *e = g_hash_table_lookup(h->files, path);

    if (e && !e->dir) {
        fs_fail(err, ENOTDIR, "creating", path);
        g_free(path);
        return -1;
    }
    if (!e) {
        e = g_new0(fake_fsent, 1);
        e->dir = true;
        g_hash_table_insert(h->files, path, e);
    } else {
        g_free(path);
    }
    return 0;
}

int
fk_instance_dir_exists(hv_conn *conn, const char *base, const char *dir,
                       int *exists, hv_error *err)
{
    fake_host *h = host_of(conn);
    char *path = dir_path(base, dir);
    fake_fsent *e = g_hash_table_lookup(h->files, path);

    (void)err;
    *exists = e && e->dir;
    g_free(path);
    return 0;
}

/* Every key of h's store that is path or lies below it (g_ptr_array_unref;
 * the strings are the table's). */
static GPtrArray *
keys_under(fake_host *h, const char *path)
{
    GPtrArray *out = g_ptr_array_new();
    size_t n = strlen(path);
    GHashTableIter it;
    gpointer k;

    g_hash_table_iter_init(&it, h->files);
    while (g_hash_table_iter_next(&it, &k, NULL)) {
        const char *s = k;
        if (strncmp(s, path, n) == 0 && (s[n] == '\0' || s[n] == '/'))
            g_ptr_array_add(out, k);
    }
    return out;
}

int
fk_instance_dir_rename(hv_conn *conn, const char *base, const char *from,
                       const char *to, hv_error *err)
{
    fake_host *h = host_of(conn);
    char *src = dir_path(base, from), *dst = dir_path(base, to);
    fake_fsent *se = g_hash_table_lookup(h->files, src);
    fake_fsent *de = g_hash_table_lookup(h->files, dst);
    GPtrArray *moving = NULL, *there = NULL;
    int ret = -1;

    if (!se) {
        fs_fail(err, ENOENT, "renaming", src);
        goto cleanup;
    }
    if (strcmp(src, dst) == 0) {
        ret = 0;
        goto cleanup;
    }
    there = keys_under(h, dst);
    /* rename(2): a folder replaces only an empty folder */
    if (de && (!de->dir || !se->dir || there->len > 1)) {
        fs_fail(err, !de->dir ? ENOTDIR : there->len > 1 ? ENOTEMPTY : EISDIR,
                "renaming", dst);
        goto cleanup;
    }
    if (de)
        g_hash_table_remove(h->files, dst);
    moving = keys_under(h, src);
    for (guint i = 0; i < moving->len; i++) {
        const char *k = g_ptr_array_index(moving, i);
        char *nk = g_strconcat(dst, k + strlen(src), NULL);
        gpointer oldk, v;

        g_hash_table_steal_extended(h->files, k, &oldk, &v);
        g_free(oldk);
        g_hash_table_insert(h->files, nk, v);
    }
    ret = 0;

cleanup:
    if (moving)
        g_ptr_array_unref(moving);
    if (there)
        g_ptr_array_unref(there);
    g_free(src);
    g_free(dst);
    return ret;
}

int
fk_instance_dir_delete(hv_conn *conn, const char *base, const char *dir,
                       hv_error *err)
{
    fake_host *h = host_of(conn);
    char *path = dir_path(base, dir);
    GPtrArray *keys;
    int ret = 0;

    if (!g_hash_table_contains(h->files, path)) {
        ret = fs_fail(err, ENOENT, "deleting", path);
    } else {
        keys = keys_under(h, path);
        /* copies: removing frees the table's keys */
        for (guint i = 0; i < keys->len; i++)
            keys->pdata[i] = g_strdup(keys->pdata[i]);
        for (guint i = 0; i < keys->len; i++) {
            g_hash_table_remove(h->files, keys->pdata[i]);
            g_free(keys->pdata[i]);
        }
        g_ptr_array_unref(keys);
    }
    g_free(path);
    return ret;
}

/*
 * The file entry base/dir/file: with create, made if the folder exists.
 * NULL with err set (ENOENT: no folder or no file; EISDIR).
 */
static fake_fsent *
file_entry(fake_host *h, const char *dpath, const char *file, bool create,
           const char *what, hv_error *err)
{
    fake_fsent *d = g_hash_table_lookup(h->files, dpath);
    char *path = g_strdup_printf("%s/%s", dpath, file);
    fake_fsent *e = NULL;

    if (!d || !d->dir) {
        fs_fail(err, d ? ENOTDIR : ENOENT, what, path);
        goto cleanup;
    }
    e = g_hash_table_lookup(h->files, path);
    if (e && e->dir) {
        fs_fail(err, EISDIR, what, path);
        e = NULL;
    } else if (!e && create) {
        e = g_new0(fake_fsent, 1);
        e->data = g_byte_array_new();
        g_hash_table_insert(h->files, g_steal_pointer(&path), e);
    } else if (!e) {
        fs_fail(err, ENOENT, what, path);
    }

cleanup:
    g_free(path);
    return e;
}

int
fk_instance_file_write(hv_conn *conn, const char *base, const char *dir,
                       const char *file, const char *data, size_t len,
                       unsigned int flags, hv_error *err)
{
    fake_host *h = host_of(conn);
    char *dpath = dir_path(base, dir);
    fake_fsent *e = NULL;

    if (len > 0 && h->disk_free_override == 0) {
        char *path = g_strdup_printf("%s/%s", dpath, file);
        fs_fail(err, ENOSPC, "writing", path);
        g_free(path);
    } else {
        e = file_entry(h, dpath, file, true, "writing", err);
    }
    g_free(dpath);
    if (!e)
        return -1;
    if (!(flags & HV_FILE_APPEND))
        g_byte_array_set_size(e->data, 0);
    if (len > 0)
        g_byte_array_append(e->data, (const guint8 *)data, (guint)len);
    return 0;
}

int
fk_instance_file_read(hv_conn *conn, const char *base, const char *dir,
                      const char *file, size_t max, char **data, size_t *len,
                      uint64_t *skipped, hv_error *err)
{
    fake_host *h = host_of(conn);
    char *dpath = dir_path(base, dir);
    fake_fsent *e = file_entry(h, dpath, file, false, "reading", err);
    size_t size, start;

    g_free(dpath);
    if (!e)
        return -1;
    size = e->data->len;
    start = size > max ? size - max : 0;
    *len = size - start;
    *data = g_malloc(*len + 1);
    if (*len > 0) /* an empty GByteArray has no data pointer */
        memcpy(*data, e->data->data + start, *len);
    (*data)[*len] = '\0';
    *skipped = start;
    return 0;
}

int
fk_instance_file_delete(hv_conn *conn, const char *base, const char *dir,
                        const char *file, hv_error *err)
{
    fake_host *h = host_of(conn);
    char *dpath = dir_path(base, dir);
    char *path = g_strdup_printf("%s/%s", dpath, file);
    fake_fsent *e = file_entry(h, dpath, file, false, "deleting", err);

    if (e)
        g_hash_table_remove(h->files, path);
    g_free(path);
    g_free(dpath);
    return e ? 0 : -1;
}

/* ---- the guest's serial console ---- */

/* The path of the first file-backed serial or console of xml, or NULL. */
static char *
console_log_path(const char *xml)
{
    static const char *const kinds[] = {"serial", "console"};
    xmlDocPtr doc;
    xmlNodePtr devs = NULL;
    char *out = NULL;

    if (!xml)
        return NULL;
    doc = xmlReadMemory(xml, (int)strlen(xml), "domain.xml", NULL,
                        XML_PARSE_NONET | XML_PARSE_NOERROR |
                            XML_PARSE_NOWARNING);
    if (!doc)
        return NULL;
    for (xmlNodePtr n = xmlDocGetRootElement(doc)->children; n; n = n->next)
        if (n->type == XML_ELEMENT_NODE &&
            xmlStrcmp(n->name, BAD_CAST "devices") == 0)
            devs = n;
    for (size_t k = 0; devs && !out && k < G_N_ELEMENTS(kinds); k++) {
        for (xmlNodePtr n = devs->children; n && !out; n = n->next) {
            xmlChar *type;

            if (n->type != XML_ELEMENT_NODE ||
                xmlStrcmp(n->name, BAD_CAST kinds[k]) != 0)
                continue;
            type = xmlGetProp(n, BAD_CAST "type");
            if (type && xmlStrcmp(type, BAD_CAST "file") == 0) {
                for (xmlNodePtr s = n->children; s && !out; s = s->next) {
                    xmlChar *p;

                    if (s->type != XML_ELEMENT_NODE ||
                        xmlStrcmp(s->name, BAD_CAST "source") != 0)
                        continue;
                    p = xmlGetProp(s, BAD_CAST "path");
                    if (p && *p)
                        out = g_strdup((const char *)p);
                    xmlFree(p);
                }
            }
            xmlFree(type);
        }
    }
    xmlFreeDoc(doc);
    return out;
}

void
fake_files_console_write(fake_host *h, const fake_dom *d, const char *line)
{
    char *path = console_log_path(d->live_xml);
    char *parent;
    fake_fsent *pe, *e;

    if (!path)
        return;
    parent = g_path_get_dirname(path);
    pe = g_hash_table_lookup(h->files, parent);
    if (pe && pe->dir && h->disk_free_override != 0) {
        e = g_hash_table_lookup(h->files, path);
        if (!e) {
            e = g_new0(fake_fsent, 1);
            e->data = g_byte_array_new();
            g_hash_table_insert(h->files, g_strdup(path), e);
        }
        if (!e->dir)
            g_byte_array_append(e->data, (const guint8 *)line,
                                (guint)strlen(line));
    }
    g_free(parent);
    g_free(path);
}

void
fake_files_guest_started(fake_host *h, const fake_dom *d)
{
    char *line = g_strdup_printf("hvd fake guest %s: booting (domain id %d)\n",
                                 d->name, d->id);

    fake_files_console_write(h, d, line);
    g_free(line);
}

void
fake_files_guest_ready(fake_host *h, const fake_dom *d)
{
    fake_files_console_write(h, d, FAKE_READY_LINE);
}

/* ---- inspection ---- */

static gint
cmp_paths(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

char **
fake_host_instance_paths(const fake_host *h)
{
    GPtrArray *out = g_ptr_array_new();
    GHashTableIter it;
    gpointer k, v;

    g_hash_table_iter_init(&it, h->files);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        const fake_fsent *e = v;
        g_ptr_array_add(out, e->dir ? g_strconcat(k, "/", NULL)
                                    : g_strdup(k));
    }
    g_ptr_array_sort(out, cmp_paths);
    g_ptr_array_add(out, NULL);
    return (char **)g_ptr_array_free(out, FALSE);
}

int
fake_host_instance_file(const fake_host *h, const char *path, char **data,
                        size_t *len)
{
    const fake_fsent *e = g_hash_table_lookup(h->files, path);

    *data = NULL;
    *len = 0;
    if (!e || e->dir)
        return 0;
    *len = e->data->len;
    *data = g_malloc(*len + 1);
    if (*len > 0)
        memcpy(*data, e->data->data, *len);
    (*data)[*len] = '\0';
    return 1;
}
