/*
 * walk.c: the scenario files of the paths given to run, validate and
 * list: folders walked recursively, each once (by device and inode).
 */
#include <errno.h>
#include <glib.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd-priv.h"

static int
cmp_paths(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A folder walked, by device and inode (the key of walker.seen). */
typedef struct folder_id {
    dev_t dev;
    ino_t ino;
} folder_id;

static guint
folder_id_hash(gconstpointer p)
{
    const folder_id *f = p;

    return g_int64_hash(&(gint64){(gint64)f->ino}) ^
           g_int64_hash(&(gint64){(gint64)f->dev});
}

static gboolean
folder_id_equal(gconstpointer a, gconstpointer b)
{
    const folder_id *x = a, *y = b;

    return x->dev == y->dev && x->ino == y->ino;
}

/*
 * The walk of the paths given to run and validate: every folder is walked
 * once, however many paths lead to it. A symbolic link to a folder is
 * followed only after the real folders of its path (so that a scenario is
 * named by its real path when it has one) and never to a folder already
 * walked: a link back up the tree would otherwise make the walk endless.
 */
typedef struct walker {
    GHashTable *seen;     /* folder_id walked (owned) */
    GPtrArray *links;     /* links to folders still to follow (g_free) */
    GPtrArray *out;       /* scenario files found (g_free) */
    int *bad;             /* problems reported */
} walker;

/* Report that 'path' cannot be looked at: errno 'err' from stat. */
static void
walk_error(walker *w, const char *path, int err)
{
    struct stat st;

    if (err == ELOOP)
        fprintf(stderr, "hvd: %s: symbolic link loop\n", path);
    else if (err == ENOENT && lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
        fprintf(stderr, "hvd: %s: symbolic link to nothing (no such file "
                        "or folder)\n", path);
    else if (err == ENOENT)
        fprintf(stderr, "hvd: %s: no such file or folder\n", path);
    else
        fprintf(stderr, "hvd: %s: %s\n", path, g_strerror(err));
    (*w->bad)++;
}

/* Walk the folder 'path' (st its stat) unless it was walked already. */
static void
walk_folder(walker *w, const char *path, const struct stat *st)
{
    folder_id id = {.dev = st->st_dev, .ino = st->st_ino};
    GError *gerr = NULL;
    GPtrArray *names;
    const char *n;
    GDir *dir;

    if (g_hash_table_contains(w->seen, &id))
        return;
    g_hash_table_add(w->seen, g_memdup2(&id, sizeof(id)));
    if (!(dir = g_dir_open(path, 0, &gerr))) {
        fprintf(stderr, "hvd: %s: cannot read the folder: %s\n", path,
                gerr->message);
        g_error_free(gerr);
        (*w->bad)++;
        return;
    }
    names = g_ptr_array_new_with_free_func(g_free);
    while ((n = g_dir_read_name(dir)))
        g_ptr_array_add(names, g_build_filename(path, n, NULL));
    g_dir_close(dir);
    g_ptr_array_sort(names, cmp_paths);
    for (guint i = 0; i < names->len; i++) {
        char *p = g_ptr_array_index(names, i);
        bool json = g_str_has_suffix(p, ".json");
        struct stat lst, tst;

        if (lstat(p, &lst) < 0) {
            if (json)
                walk_error(w, p, errno);
            continue;
        }
        if (S_ISDIR(lst.st_mode)) {
            walk_folder(w, p, &lst);
            continue;
        }
        if (S_ISLNK(lst.st_mode)) {
            /* a *.json is reported whatever it is (a loop of links, a
             * link to nothing); anything else only when it is a folder */
            if (stat(p, &tst) < 0) {
                if (json)
                    walk_error(w, p, errno);
                continue;
            }
            if (S_ISDIR(tst.st_mode)) {
                g_ptr_array_add(w->links, g_strdup(p));
                continue;
            }
        }
        if (json)
            g_ptr_array_add(w->out, g_strdup(p));
    }
    g_ptr_array_free(names, TRUE);
}

/* Scenario files under the path 'path' given by the user. */
static void
walk(walker *w, const char *path)
{
    struct stat st;

    if (stat(path, &st) < 0) {
        walk_error(w, path, errno);
        return;
    }
    if (!S_ISDIR(st.st_mode)) {
        g_ptr_array_add(w->out, g_strdup(path));
        return;
    }
    walk_folder(w, path, &st);
    /* then the links to folders, in the order met; following one may
     * find more */
    for (guint i = 0; i < w->links->len; i++) {
        const char *link = g_ptr_array_index(w->links, i);

        if (stat(link, &st) == 0 && S_ISDIR(st.st_mode))
            walk_folder(w, link, &st);
    }
    g_ptr_array_set_size(w->links, 0);
}

/* The scenario files of every path, each path's sorted; problems are
 * printed and counted in *bad, a path with no scenario in it among them. */
GPtrArray *
walk_collect_all(char **paths, int n, int *bad)
{
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
    walker w = {.seen = g_hash_table_new_full(folder_id_hash, folder_id_equal,
                                              g_free, NULL),
                .links = g_ptr_array_new_with_free_func(g_free),
                .bad = bad};

    for (int i = 0; i < n; i++) {
        int before = *bad;
        bool again = false;
        struct stat st;

        /* a folder met already under an earlier path is no empty path */
        if (stat(paths[i], &st) == 0 && S_ISDIR(st.st_mode))
            again = g_hash_table_contains(
                w.seen, &(folder_id){.dev = st.st_dev, .ino = st.st_ino});
        w.out = g_ptr_array_new_with_free_func(g_free);
        walk(&w, paths[i]);
        if (w.out->len == 0 && *bad == before && !again) {
            fprintf(stderr, "hvd: %s: no scenarios in it (no *.json file "
                            "in the folder or below)\n", paths[i]);
            (*bad)++;
        }
        g_ptr_array_sort(w.out, cmp_paths);
        for (guint k = 0; k < w.out->len; k++)
            g_ptr_array_add(out, g_strdup(g_ptr_array_index(w.out, k)));
        g_ptr_array_free(w.out, TRUE);
    }
    g_ptr_array_free(w.links, TRUE);
    g_hash_table_destroy(w.seen);
    return out;
}
