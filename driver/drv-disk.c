/*
 * drv-disk.c: an instance's disks — the names of its own volumes in the
 * storage pool, creating and deleting them, and the disk plan (the
 * volumes that exist plus the attached ones) that the domain XML is built
 * from.
 */
#include "drv-priv.h"

#include <errno.h>
#include <glib.h>
#include <string.h>

static const char *const vol_suffix[DRV_VOL__COUNT] = {
    "disk", "disk.eph0", "disk.swap", "disk.rescue"};

static char *
vol_name(const drv_instance *inst, drv_vol_kind k)
{
    return g_strdup_printf("%s_%s", inst->uuid, vol_suffix[k]);
}

char *
drv_volume_name(const drv_instance *inst, drv_vol_kind k)
{
    return vol_name(inst, k);
}

/* The path of the image the root disk is backed by, or NULL if none. */
char *
drv_image_backing_path(drv *d, const drv_instance *inst, drv_error *err)
{
    hv_error hv;
    char *path;

    if (inst->image.volume) {
        if (!(path = hv_vol_get_path(d->conn, d->cfg.storage_pool,
                                     inst->image.volume, &hv)))
            drv_set_hv_error(err, &hv, "image volume", inst);
        return path;
    }
    return g_strdup(inst->image.path);
}

/* Delete volume k of inst; one that is not there is no error. */
void
drv_delete_volume(drv *d, const drv_instance *inst, drv_vol_kind k)
{
    char *name = vol_name(inst, k);
    hv_error hv;

    hv_vol_delete(d->conn, d->cfg.storage_pool, name, &hv);
    g_free(name);
}

/* Delete the instance's own volumes, ignoring those that are not there. */
void
drv_delete_instance_volumes(drv *d, const drv_instance *inst)
{
    for (int k = 0; k < DRV_VOL__COUNT; k++)
        drv_delete_volume(d, inst, k);
}

static int
create_volume(drv *d, const drv_instance *inst, drv_vol_kind k,
              uint64_t capacity, const char *backing,
              const char *backing_format, drv_error *err)
{
    char *name = vol_name(inst, k);
    hv_vol_spec spec = {
        .name = name,
        .capacity = capacity,
        .format = "qcow2",
        .backing_path = backing,
        .backing_format = backing_format,
    };
    hv_error hv;
    int rc = hv_vol_create(d->conn, d->cfg.storage_pool, &spec, &hv);

    if (rc < 0) {
        /* a full dir pool: ENOSPC from a preallocation, or (measured on
         * libvirt 9.0) qemu-img's failure as INTERNAL_ERROR quoting it */
        if ((hv.code == HV_ERR_SYSTEM_ERROR && hv.sys_errno == ENOSPC) ||
            (hv.code == HV_ERR_INTERNAL_ERROR &&
             strstr(hv.message, "No space left on device"))) {
            drv_error_set(err, DRV_ERR_DISK_FULL,
                          "no space for disk %s of instance %s: %s", name,
                          inst->uuid, hv.message);
            err->hv = hv;
        } else {
            drv_set_hv_error(err, &hv, "creating a disk", inst);
        }
    }
    g_free(name);
    return rc;
}

/*
 * The root disk's size: the flavor's root_gb, or, for root_gb 0, the
 * image's virtual size, as the reference's image backend takes a size of
 * 0 to mean "the image's own" (a copy-on-write of the base without a
 * resize). An image given as a host path has no hv call that reads its
 * size: 1 GiB stands in for it (docs/reference-differences.md).
 */
static int
root_size(drv *d, const drv_instance *inst, uint64_t *bytes, drv_error *err)
{
    hv_vol_info vi;
    hv_error hv;

    if (inst->flavor.root_gb > 0) {
        *bytes = inst->flavor.root_gb << 30;
        return 0;
    }
    if (!inst->image.volume) {
        *bytes = UINT64_C(1) << 30;
        return 0;
    }
    if (hv_vol_get_info(d->conn, d->cfg.storage_pool, inst->image.volume, &vi,
                        &hv) < 0) {
        drv_set_hv_error(err, &hv, "size of the image volume", inst);
        return -1;
    }
    *bytes = vi.capacity;
    return 0;
}

/* Volume k the size of the flavor's root disk (root_gb 0: the image's
 * size), backed by the image at backing (NULL: none). */
int
drv_create_root_volume(drv *d, const drv_instance *inst, drv_vol_kind k,
                       const char *backing, drv_error *err)
{
    uint64_t bytes;

    if (root_size(d, inst, &bytes, err) < 0)
        return -1;
    return create_volume(d, inst, k, bytes, backing, inst->image.format, err);
}

/* The key of volume k in the disk mapping (drv-devnames.c). */
static const char *const map_key[DRV_VOL__COUNT] = {
    "disk", "disk.local", "disk.swap", "disk.rescue"};

/*
 * Whether the flavor and image give the instance volume k (rescue: no).
 * With a mapping m (may be NULL), a default disk the block device
 * mapping overrides is not planned, as the reference makes and attaches
 * no disk.local when a volume is given the ephemeral disk's name.
 */
static bool
planned(const drv_instance *inst, const drv_disk_map *m, drv_vol_kind k,
        bool has_backing)
{
    bool flavor;

    switch (k) {
    case DRV_VOL_ROOT:
        flavor = has_backing || inst->flavor.root_gb > 0;
        break;
    case DRV_VOL_EPHEMERAL:
        flavor = inst->flavor.ephemeral_gb > 0;
        break;
    case DRV_VOL_SWAP:
        flavor = inst->flavor.swap_mb > 0;
        break;
    default:
        return false;
    }
    return flavor && (!m || drv_disk_map_get(m, map_key[k]) != NULL);
}

/* Volume k of the flavor (root: backed by backing). */
static int
create_planned(drv *d, const drv_instance *inst, drv_vol_kind k,
               const char *backing, drv_error *err)
{
    const drv_flavor *f = &inst->flavor;

    switch (k) {
    case DRV_VOL_ROOT:
        return drv_create_root_volume(d, inst, DRV_VOL_ROOT, backing, err);
    case DRV_VOL_EPHEMERAL:
        return create_volume(d, inst, k, f->ephemeral_gb << 30, NULL, NULL,
                             err);
    case DRV_VOL_SWAP:
        return create_volume(d, inst, k, f->swap_mb << 20, NULL, NULL, err);
    default:
        return 0;
    }
}

/* Root (backed by the image), ephemeral and swap volumes; all or none. */
int
drv_create_disks(drv *d, const drv_instance *inst, drv_error *err)
{
    drv_disk_map m;
    char *backing;
    int rc = 0;

    /* the names first: a mapping that cannot be made creates nothing */
    if (drv_instance_disk_map(d, inst, &m, err) < 0)
        return -1;
    backing = drv_image_backing_path(d, inst, err);
    if (err->kind != DRV_OK) {
        drv_disk_map_clear(&m);
        return -1;
    }
    for (int k = DRV_VOL_ROOT; rc == 0 && k <= DRV_VOL_SWAP; k++)
        if (planned(inst, &m, k, backing != NULL))
            rc = create_planned(d, inst, k, backing, err);
    g_free(backing);
    drv_disk_map_clear(&m);
    if (rc < 0)
        drv_delete_instance_volumes(d, inst);
    return rc;
}

/*
 * The reference's _create_images_and_backing before a hard reboot: every
 * volume the flavor gives the instance that is missing is made again
 * (the root on the image, which must be there: hvd has no image service
 * to fetch it from). Volumes that exist are left as they are.
 */
int
drv_ensure_disks(drv *d, const drv_instance *inst, drv_error *err)
{
    drv_disk_map m;
    char *backing;
    int rc = 0;

    if (drv_instance_disk_map(d, inst, &m, err) < 0)
        return -1;
    backing = drv_image_backing_path(d, inst, err);
    if (err->kind != DRV_OK) {
        drv_disk_map_clear(&m);
        return -1;
    }
    for (int k = DRV_VOL_ROOT; rc == 0 && k <= DRV_VOL_SWAP; k++) {
        char *name;
        hv_vol_info vi;
        hv_error hv;

        if (!planned(inst, &m, k, backing != NULL))
            continue;
        name = vol_name(inst, k);
        if (hv_vol_get_info(d->conn, d->cfg.storage_pool, name, &vi, &hv) <
            0) {
            if (hv.code == HV_ERR_NO_STORAGE_VOL)
                rc = create_planned(d, inst, k, backing, err);
            else {
                drv_set_hv_error(err, &hv, "looking up a disk", inst);
                rc = -1;
            }
        }
        g_free(name);
    }
    g_free(backing);
    drv_disk_map_clear(&m);
    return rc;
}

/* The disks of the domain as they stand: planned from the volumes that
 * exist, then the attached volumes. Strings live in 'keep'. */
typedef struct disk_plan {
    drv_disk disks[8 + 16];
    unsigned int n;
    GPtrArray *keep;
} disk_plan;

static void
plan_clear(disk_plan *p)
{
    if (p->keep)
        g_ptr_array_free(p->keep, TRUE);
    memset(p, 0, sizeof(*p));
}

static const char *
plan_keep(disk_plan *p, char *s)
{
    g_ptr_array_add(p->keep, s);
    return s;
}

/*
 * Add volume k to the plan. A volume the flavor gives the instance
 * (required) must be there: one that is missing fails the plan with a
 * clear error, never a domain booted without it; an optional one (the
 * rescue disk of a kernel-only rescue) is left out when absent.
 */
static int
plan_add_vol(drv *d, const drv_instance *inst, disk_plan *p, drv_vol_kind k,
             const drv_disk_info *info, bool required, drv_error *err)
{
    char *name = vol_name(inst, k);
    char *path;
    hv_error hv;

    path = hv_vol_get_path(d->conn, d->cfg.storage_pool, name, &hv);
    if (!path) {
        int rc = 0;

        if (hv.code != HV_ERR_NO_STORAGE_VOL) {
            drv_set_hv_error(err, &hv, "looking up a disk", inst);
            rc = -1;
        } else if (required) {
            /* what libvirt answers when a start finds no disk file */
            drv_error_set(err, DRV_ERR_HYPERVISOR,
                          "disk %s of instance %s is missing from storage "
                          "pool %s: the domain would boot without it",
                          name, inst->uuid, d->cfg.storage_pool);
            err->hv = hv;
            rc = -1;
        }
        g_free(name);
        return rc;
    }
    g_free(name);
    p->disks[p->n] = (drv_disk){
        .path = plan_keep(p, path),
        .format = "qcow2",
        .target = plan_keep(p, g_strdup(info->dev)),
        .bus = info->bus,
        .device = info->type,
        .source_type = "file",
    };
    p->n++;
    return 0;
}

/* Volume k on the next letter of prefix. */
static int
plan_next(drv *d, const drv_instance *inst, disk_plan *p, drv_vol_kind k,
          const char *prefix, const char *bus, bool required, drv_error *err)
{
    g_autofree char *dev = g_strdup_printf("%s%c", prefix, 'a' + p->n);
    drv_disk_info info = {.dev = dev, .bus = bus, .type = "disk"};

    return plan_add_vol(d, inst, p, k, &info, required, err);
}

/*
 * The rescue disks (blockinfo's rescue mapping): the rescue disk and the
 * root disk, each the next name on the image's bus, no ephemeral, swap or
 * attached volumes. Whether there is a root disk is the rescued
 * instance's matter: inst's image is the rescue image, which says nothing
 * about it.
 */
static int
plan_rescue(drv *d, const drv_instance *inst, const drv_instance *rescued,
            disk_plan *p, drv_error *err)
{
    const char *bus = drv_kv_get(inst->image.properties,
                                 inst->image.n_properties, "hw_disk_bus");
    bool has_root = planned(rescued, NULL, DRV_VOL_ROOT,
                            rescued->image.volume || rescued->image.path);
    const char *prefix;

    if (!bus)
        bus = "virtio";
    prefix = d->cfg.disk_prefix ? d->cfg.disk_prefix
             : strcmp(bus, "virtio") == 0 ? "vd"
             : strcmp(bus, "ide") == 0    ? "hd"
                                          : "sd";
    /* the rescue disk may be absent (a kernel-only rescue) */
    if (plan_next(d, inst, p, DRV_VOL_RESCUE, prefix, bus, false, err) < 0 ||
        (has_root &&
         plan_next(d, inst, p, DRV_VOL_ROOT, prefix, bus, true, err) < 0))
        return -1;
    return 0;
}

static int
plan_disks(drv *d, const drv_instance *inst, const drv_instance *rescued,
           disk_plan *p, drv_error *err)
{
    bool has_backing = inst->image.volume || inst->image.path;
    const drv_disk_info *cd;
    drv_disk_map m;
    int ret = -1;

    memset(p, 0, sizeof(*p));
    p->keep = g_ptr_array_new_with_free_func(g_free);
    if (rescued)
        return plan_rescue(d, inst, rescued, p, err);
    /* every name from the one mapping: a generated name never takes one
     * a block device mapping gives */
    if (drv_instance_disk_map(d, inst, &m, err) < 0)
        return -1;
    for (int k = DRV_VOL_ROOT; k <= DRV_VOL_SWAP; k++)
        if (planned(inst, &m, k, has_backing) &&
            plan_add_vol(d, inst, p, k, drv_disk_map_get(&m, map_key[k]),
                         true, err) < 0)
            goto cleanup;
    if ((cd = drv_disk_map_get(&m, "disk.config")) && p->n < 8) {
        /* the ISO drv_config_drive_build made */
        p->disks[p->n++] = (drv_disk){
            .path = plan_keep(p, drv_config_drive_path(&d->cfg, inst)),
            .format = "raw",
            .target = plan_keep(p, g_strdup(cd->dev)),
            .bus = cd->bus,
            .device = cd->type,
            .source_type = "file",
        };
    }
    for (unsigned int i = 0;
         i < inst->n_volumes && p->n < G_N_ELEMENTS(p->disks); i++) {
        const drv_bdm *b = &inst->volumes[i];

        p->disks[p->n++] = (drv_disk){
            .path = b->device_path,
            .format = "raw",
            .target = plan_keep(p, g_strdup(m.volume_devs[i])),
            .bus = m.volume_buses[i],
            .device = "disk",
            .source_type = g_str_has_prefix(b->device_path ? b->device_path
                                                            : "",
                                            "/dev/")
                               ? "block"
                               : "file",
            .serial = b->volume_id,
        };
    }
    ret = 0;

cleanup:
    drv_disk_map_clear(&m);
    return ret;
}

char *
drv_build_xml(drv *d, const drv_instance *inst, const drv_instance *rescued,
              drv_error *err)
{
    disk_plan plan;
    char *xml;

    xml = plan_disks(d, inst, rescued, &plan, err) < 0
              ? NULL
              : drv_guest_xml(d, inst, plan.disks, plan.n, rescued != NULL,
                              err);
    plan_clear(&plan);
    return xml;
}
