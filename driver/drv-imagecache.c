/*
 * drv-imagecache.c: the image cache manager (newton/libvirt-imagecache.py
 * and the compute manager's list of instances it is given), over the
 * storage pool: base images are volumes of storage_pool named as the
 * reference names the files of its _base folder — the SHA-1 of the image
 * id (an original), that name and "_" and more (a resized copy, or an old
 * "_sm"), or "swap_<MiB>" (a swap base). Other volumes of the pool (the
 * instances' disks, images under other names, attached volumes) are never
 * the cache's.
 *
 * One pass: base images of an image some instance uses (its image, kernel
 * or ramdisk id) and base images an instance's root disk is backed by are
 * active, and those named by fingerprint are touched so that they stay
 * young; every other base image is removable, and removed (with
 * remove_unused_base_images) once it is as old as its kind allows:
 * remove_unused_original_minimum_age_seconds for an original,
 * remove_unused_resized_minimum_age_seconds for the rest; unused swap
 * bases age as originals. Ages come from hv: the wall clock less the
 * volume's mtime (virtual time on the fake).
 *
 * Nothing is kept between passes, and nothing sleeps: another operation on
 * the driver cannot run in the middle of one.
 */
#include "drv-priv.h"

#include <glib.h>
#include <string.h>

#define FP_LEN 40 /* the hex digits of a SHA-1 */

char *
drv_image_cache_name(const char *image_id)
{
    return g_compute_checksum_for_string(G_CHECKSUM_SHA1,
                                         image_id ? image_id : "", -1);
}

void
drv_image_cache_report_clear(drv_image_cache_report *r)
{
    if (!r)
        return;
    g_strfreev(r->active);
    g_strfreev(r->removed);
    g_strfreev(r->kept);
    g_strfreev(r->unknown);
    g_strfreev(r->failed);
    memset(r, 0, sizeof(*r));
}

/* A JSON string: a volume name may hold any byte but NUL and '/'. */
static void
json_str(GString *s, const char *v)
{
    g_string_append_c(s, '"');
    for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
        if (*p == '"' || *p == '\\')
            g_string_append_printf(s, "\\%c", *p);
        else if (*p < 0x20)
            g_string_append_printf(s, "\\u%04x", *p);
        else
            g_string_append_c(s, (char)*p);
    }
    g_string_append_c(s, '"');
}

static void
json_list(GString *s, const char *key, char **list, bool last)
{
    g_string_append_printf(s, "\"%s\": [", key);
    for (unsigned int i = 0; list && list[i]; i++) {
        if (i)
            g_string_append(s, ", ");
        json_str(s, list[i]);
    }
    g_string_append(s, last ? "]" : "], ");
}

char *
drv_image_cache_report_to_json(const drv_image_cache_report *r)
{
    GString *s = g_string_new("{");

    g_string_append_printf(s, "\"skipped\": %s, ",
                           r->skipped ? "true" : "false");
    json_list(s, "active", r->active, false);
    json_list(s, "removed", r->removed, false);
    json_list(s, "kept", r->kept, false);
    json_list(s, "unknown", r->unknown, false);
    json_list(s, "failed", r->failed, true);
    g_string_append(s, "}");
    return g_string_free(s, FALSE);
}

/* ---- one pass ---- */

/* Order of two strings held by pointer (qsort, g_ptr_array_sort). */
static int
cmp_strp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

typedef struct pass {
    drv *d;
    GHashTable *names;     /* every volume of the pool (set) */
    GHashTable *originals; /* names of original base images (set) */
    GPtrArray *unexplained; /* base images nothing explains yet (borrowed) */
    GHashTable *swaps;     /* swap bases of the pool (set) */
    GHashTable *used;      /* image id -> instances using it (count) */
    GHashTable *used_swaps; /* "swap_<MiB>" the instances' flavors use */
    GPtrArray *active, *removable, *removed, *kept, *unknown, *failed;
} pass;

static bool
is_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!g_ascii_isxdigit(s[i]) || g_ascii_isupper(s[i]))
            return false;
    return true;
}

/*
 * _scan_base_images over the pool's names: an original is a fingerprint
 * (40 hex digits), another base image a fingerprint, "_" and at least two
 * more characters (as the reference: "<fp>_5" is too short to count), a
 * swap base "swap_<digits>". hvd asks the fingerprint to be hex, where
 * the reference takes any name of 40 characters: its _base holds only the
 * cache, the pool does not.
 */
static void
scan(pass *p, char **vols)
{
    for (unsigned int i = 0; vols[i]; i++) {
        const char *v = vols[i];
        size_t n = strlen(v);

        g_hash_table_add(p->names, vols[i]);
        if (n == FP_LEN && is_hex(v, FP_LEN)) {
            g_ptr_array_add(p->unexplained, vols[i]);
            g_hash_table_add(p->originals, vols[i]);
        } else if (n > FP_LEN + 2 && v[FP_LEN] == '_' && is_hex(v, FP_LEN)) {
            g_ptr_array_add(p->unexplained, vols[i]);
        } else if (g_str_has_prefix(v, "swap_") && v[5] &&
                   strspn(v + 5, "0123456789") == n - 5) {
            g_hash_table_add(p->swaps, vols[i]);
        }
    }
}

static void
use_image(pass *p, const char *id)
{
    if (!id || !*id)
        return;
    g_hash_table_replace(
        p->used, (gpointer)id,
        GUINT_TO_POINTER(GPOINTER_TO_UINT(g_hash_table_lookup(p->used, id)) +
                         1));
}

/* The compute manager's _list_running_instances: the images (image,
 * kernel, ramdisk ids) and swap bases the given instances use. */
static void
list_instances(pass *p, const drv_instance *const *insts, unsigned int n)
{
    for (unsigned int i = 0; i < n; i++) {
        const drv_image *im = &insts[i]->image;

        use_image(p, im->id);
        use_image(p, drv_kv_get(im->properties, im->n_properties,
                                "kernel_id"));
        use_image(p, drv_kv_get(im->properties, im->n_properties,
                                "ramdisk_id"));
        if (insts[i]->flavor.swap_mb > 0)
            g_hash_table_add(p->used_swaps,
                             g_strdup_printf("swap_%" G_GUINT64_FORMAT,
                                             insts[i]->flavor.swap_mb));
    }
}

static bool
unexplain(pass *p, const char *name)
{
    for (guint i = 0; i < p->unexplained->len; i++)
        if (strcmp(g_ptr_array_index(p->unexplained, i), name) == 0) {
            g_ptr_array_remove_index(p->unexplained, i);
            return true;
        }
    return false;
}

static bool
in_list(GPtrArray *a, const char *name)
{
    for (guint i = 0; i < a->len; i++)
        if (strcmp(g_ptr_array_index(a, i), name) == 0)
            return true;
    return false;
}

/* libvirt_utils.update_mtime on a base image kept: one that went away
 * since the listing is skipped (the reference checks it exists first). */
static int
touch(pass *p, const char *name, drv_error *err)
{
    hv_error hv;

    if (hv_vol_touch(p->d->conn, p->d->cfg.storage_pool, name, &hv) < 0 &&
        hv.code != HV_ERR_NO_STORAGE_VOL) {
        drv_set_hv_error(err, &hv, "touching base image", NULL);
        return -1;
    }
    return 0;
}

/*
 * _handle_base_image for an image in use (the reference only calls it for
 * those): the base image is active and touched.
 */
static int
handle_base(pass *p, const char *name, drv_error *err)
{
    unexplain(p, name);
    if (!in_list(p->active, name))
        g_ptr_array_add(p->active, g_strdup(name));
    return touch(p, name, err);
}

/* _find_base_file for each image in use: its original, its "_sm" and its
 * resized copies ("<fp>_<digits>" among the unexplained). */
static int
verify_used(pass *p, drv_error *err)
{
    g_autofree gpointer *ids = NULL;
    guint n = 0;

    ids = g_hash_table_get_keys_as_array(p->used, &n);
    /* a fixed order: traces are the same from run to run */
    qsort(ids, n, sizeof(*ids), cmp_strp);
    for (guint i = 0; i < n; i++) {
        g_autofree char *fp = drv_image_cache_name(ids[i]);
        g_autofree char *sm = g_strconcat(fp, "_sm", NULL);
        GPtrArray *resized = g_ptr_array_new_with_free_func(g_free);
        int rc = 0;

        for (guint j = 0; j < p->unexplained->len; j++) {
            const char *u = g_ptr_array_index(p->unexplained, j);

            if (g_str_has_prefix(u, fp) && u[FP_LEN] == '_' && u[FP_LEN + 1] &&
                strspn(u + FP_LEN + 1, "0123456789") ==
                    strlen(u + FP_LEN + 1))
                g_ptr_array_add(resized, g_strdup(u));
        }
        if (g_hash_table_contains(p->names, fp))
            rc = handle_base(p, fp, err);
        if (rc == 0 && g_hash_table_contains(p->names, sm))
            rc = handle_base(p, sm, err);
        for (guint j = 0; rc == 0 && j < resized->len; j++)
            rc = handle_base(p, g_ptr_array_index(resized, j), err);
        g_ptr_array_free(resized, TRUE);
        if (rc < 0)
            return -1;
    }
    return 0;
}

/*
 * _list_backing_images: the base image each given instance's root disk
 * is backed by is active (whatever its name, if it is a volume of the
 * pool). A disk that is not there is skipped; any other failure to read
 * it is returned, as the reference lets qemu-img's failure escape.
 */
static int
verify_backing(pass *p, const drv_instance *const *insts, unsigned int n,
               drv_error *err)
{
    for (unsigned int i = 0; i < n; i++) {
        g_autofree char *disk = drv_volume_name(insts[i], DRV_VOL_ROOT);
        g_autofree char *base = NULL;
        hv_vol_info vi;
        hv_error hv;

        if (hv_vol_get_info(p->d->conn, p->d->cfg.storage_pool, disk, &vi,
                            &hv) < 0) {
            if (hv.code == HV_ERR_NO_STORAGE_VOL)
                continue;
            drv_set_hv_error(err, &hv, "reading the root disk", insts[i]);
            return -1;
        }
        if (!vi.backing_path[0])
            continue;
        base = g_path_get_basename(vi.backing_path);
        unexplain(p, base);
        if (g_hash_table_contains(p->names, base) &&
            !in_list(p->active, base))
            g_ptr_array_add(p->active, g_strdup(base));
    }
    return 0;
}

/*
 * _remove_old_enough_file: remove name if it is at least maxage seconds
 * old. One that is gone is nothing to do; a failure to read its age is
 * returned (the reference's getmtime raises), a failure to delete it is
 * recorded in failed and the pass goes on (the reference logs it).
 */
static int
remove_if_old(pass *p, const char *name, int maxage, drv_error *err)
{
    int64_t mtime, age;
    hv_error hv;

    if (hv_vol_get_mtime(p->d->conn, p->d->cfg.storage_pool, name, &mtime,
                         &hv) < 0) {
        if (hv.code == HV_ERR_NO_STORAGE_VOL)
            return 0;
        drv_set_hv_error(err, &hv, "reading the age of base image", NULL);
        return -1;
    }
    age = hv_wall_now(p->d->conn) - mtime;
    if (age < (int64_t)maxage * HV_NS_PER_SEC) {
        g_ptr_array_add(p->kept, g_strdup(name));
        return 0;
    }
    if (hv_vol_delete(p->d->conn, p->d->cfg.storage_pool, name, &hv) < 0 &&
        hv.code != HV_ERR_NO_STORAGE_VOL)
        g_ptr_array_add(p->failed, g_strdup(name));
    else
        g_ptr_array_add(p->removed, g_strdup(name));
    return 0;
}

/* _age_and_verify_cached_images, after the images in use and the
 * backing files: the rest is unknown and removable. */
static int
age_cached(pass *p, drv_error *err)
{
    for (guint i = 0; i < p->unexplained->len; i++) {
        const char *u = g_ptr_array_index(p->unexplained, i);

        g_ptr_array_add(p->unknown, g_strdup(u));
        g_ptr_array_add(p->removable, g_strdup(u));
    }
    if (!p->d->cfg.remove_unused_base_images)
        return 0;
    for (guint i = 0; i < p->removable->len; i++) {
        const char *name = g_ptr_array_index(p->removable, i);
        int maxage = g_hash_table_contains(p->originals, name)
                         ? p->d->cfg.remove_unused_original_minimum_age_seconds
                         : p->d->cfg.remove_unused_resized_minimum_age_seconds;

        if (remove_if_old(p, name, maxage, err) < 0)
            return -1;
    }
    return 0;
}

/* _age_and_verify_swap_images: a swap base in use is touched, an unused
 * one ages as an original. */
static int
age_swaps(pass *p, drv_error *err)
{
    g_autofree gpointer *swaps = NULL;
    guint n = 0;

    swaps = g_hash_table_get_keys_as_array(p->swaps, &n);
    qsort(swaps, n, sizeof(*swaps), cmp_strp);
    for (guint i = 0; i < n; i++) {
        const char *s = swaps[i];

        if (g_hash_table_contains(p->used_swaps, s)) {
            if (!in_list(p->active, s))
                g_ptr_array_add(p->active, g_strdup(s));
            if (touch(p, s, err) < 0)
                return -1;
        } else if (p->d->cfg.remove_unused_base_images &&
                   remove_if_old(
                       p, s,
                       p->d->cfg.remove_unused_original_minimum_age_seconds,
                       err) < 0) {
            return -1;
        }
    }
    return 0;
}

static char **
sorted_strv(GPtrArray *a)
{
    g_ptr_array_sort(a, cmp_strp);
    g_ptr_array_add(a, NULL);
    return (char **)g_ptr_array_free(a, FALSE);
}

int
drv_manage_image_cache(drv *d, const drv_instance *const *all_instances,
                       unsigned int n_instances,
                       drv_image_cache_report *report, drv_error *err)
{
    char **vols = NULL;
    hv_error hv;
    pass p = {.d = d};
    int ret = -1;

    drv_error_reset(err);
    if (report)
        memset(report, 0, sizeof(*report));
    for (unsigned int i = 0; i < n_instances; i++)
        if (!all_instances[i] || !all_instances[i]->uuid) {
            drv_error_set(err, DRV_ERR_INVALID_INSTANCE,
                          "manage_image_cache: instance %u has no uuid", i);
            return -1;
        }
    if (hv_vol_list(d->conn, d->cfg.storage_pool, &vols, &hv) < 0) {
        /* no base folder: nothing to verify, as the reference */
        if (hv.code == HV_ERR_NO_STORAGE_POOL) {
            if (report)
                report->skipped = true;
            return 0;
        }
        drv_set_hv_error(err, &hv, "listing the base images", NULL);
        return -1;
    }
    p.names = g_hash_table_new(g_str_hash, g_str_equal);
    p.originals = g_hash_table_new(g_str_hash, g_str_equal);
    p.swaps = g_hash_table_new(g_str_hash, g_str_equal);
    p.unexplained = g_ptr_array_new();
    p.used = g_hash_table_new(g_str_hash, g_str_equal);
    p.used_swaps = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                         NULL);
    p.active = g_ptr_array_new_with_free_func(g_free);
    p.removable = g_ptr_array_new_with_free_func(g_free);
    p.removed = g_ptr_array_new_with_free_func(g_free);
    p.kept = g_ptr_array_new_with_free_func(g_free);
    p.unknown = g_ptr_array_new_with_free_func(g_free);
    p.failed = g_ptr_array_new_with_free_func(g_free);

    scan(&p, vols);
    list_instances(&p, all_instances, n_instances);
    if (verify_used(&p, err) < 0 ||
        verify_backing(&p, all_instances, n_instances, err) < 0 ||
        age_cached(&p, err) < 0 || age_swaps(&p, err) < 0)
        goto cleanup;
    if (report) {
        report->active = sorted_strv(p.active);
        report->removed = sorted_strv(p.removed);
        report->kept = sorted_strv(p.kept);
        report->unknown = sorted_strv(p.unknown);
        report->failed = sorted_strv(p.failed);
        p.active = p.removed = p.kept = p.unknown = p.failed = NULL;
    }
    ret = 0;

cleanup:
    g_hash_table_destroy(p.names);
    g_hash_table_destroy(p.originals);
    g_hash_table_destroy(p.swaps);
    g_ptr_array_free(p.unexplained, TRUE);
    g_hash_table_destroy(p.used);
    g_hash_table_destroy(p.used_swaps);
    if (p.active)
        g_ptr_array_free(p.active, TRUE);
    g_ptr_array_free(p.removable, TRUE);
    if (p.removed)
        g_ptr_array_free(p.removed, TRUE);
    if (p.kept)
        g_ptr_array_free(p.kept, TRUE);
    if (p.unknown)
        g_ptr_array_free(p.unknown, TRUE);
    if (p.failed)
        g_ptr_array_free(p.failed, TRUE);
    g_strfreev(vols);
    return ret;
}

int
drv_cache_image(drv *d, const char *image_id, bool *fetched, drv_error *err)
{
    (void)d;
    drv_error_reset(err);
    if (fetched)
        *fetched = false;
    /* Newton's libvirt driver keeps the contract's default */
    drv_error_set(err, DRV_ERR_NOT_SUPPORTED,
                  "cache_image of %s: not implemented by the libvirt driver",
                  image_id ? image_id : "(none)");
    return -1;
}
