/*
 * drv-devnames.c: guest disk names, as Nova's block-device logic chooses
 * them for the libvirt driver (newton/libvirt-blockinfo.py): a prefix per
 * bus (virtio vd, scsi/sata/usb sd, ide hd, xen xvd, fdc fd, uml ubd), the
 * first letter no disk of the mapping and no name given in a block device
 * mapping holds, the config drive on the last name of its bus; and the
 * contract's default_root_device_name, default_device_names_for_instance
 * and get_device_name_for_instance over it.
 *
 * The mapping built here is also what drv-disk.c names the disks of an
 * instance's domain with, so a name given in a block device mapping and a
 * name the driver generates can never be the same.
 */
#include "drv-priv.h"

#include <string.h>

/* The device types blockinfo knows (SUPPORTED_DEVICE_TYPES). */
static const char *const dev_types[] = {"disk", "cdrom", "floppy", "lun",
                                        NULL};

/* Every bus a prefix is known for, as static strings to point at (lxc,
 * whose disks have no names, is not a bus of hvd's virt types). */
static const char *const known_buses[] = {"ide", "virtio", "xen", "scsi",
                                          "usb", "fdc",    "uml", "sata",
                                          NULL};

static const char *
intern(const char *const *list, const char *s)
{
    for (unsigned int i = 0; s && list[i]; i++)
        if (strcmp(list[i], s) == 0)
            return list[i];
    return NULL;
}

/* ---- the mapping ---- */

void
drv_disk_map_clear(drv_disk_map *m)
{
    if (!m)
        return;
    for (unsigned int i = 0; i < m->n; i++) {
        g_free(m->e[i].key);
        g_free(m->e[i].info.dev);
    }
    g_free(m->e);
    g_strfreev(m->volume_devs);
    g_free(m->volume_buses);
    memset(m, 0, sizeof(*m));
}

const drv_disk_info *
drv_disk_map_get(const drv_disk_map *m, const char *key)
{
    for (unsigned int i = 0; i < m->n; i++)
        if (strcmp(m->e[i].key, key) == 0)
            return &m->e[i].info;
    return NULL;
}

static void
map_put(drv_disk_map *m, const char *key, const drv_disk_info *info)
{
    drv_disk_map_entry *e = NULL;

    for (unsigned int i = 0; i < m->n && !e; i++)
        if (strcmp(m->e[i].key, key) == 0)
            e = &m->e[i];
    if (e) {
        g_free(e->info.dev);
    } else {
        m->e = g_renew(drv_disk_map_entry, m->e, m->n + 1);
        e = &m->e[m->n++];
        e->key = g_strdup(key);
    }
    e->info = *info;
    e->info.dev = g_strdup(info->dev);
}

/* has_disk_dev: does any disk of the mapping have the name dev? */
static bool
map_has_dev(const drv_disk_map *m, const char *dev)
{
    for (unsigned int i = 0; i < m->n; i++)
        if (strcmp(m->e[i].info.dev, dev) == 0)
            return true;
    return false;
}

/* ---- buses and prefixes ---- */

/* "/dev/vdb" -> "vdb" (block_device.strip_dev); NULL stays NULL. */
static const char *
strip_dev(const char *name)
{
    if (name && g_str_has_prefix(name, "/dev/"))
        return name + 5;
    return name;
}

/*
 * get_dev_prefix_for_disk_bus: the configured disk_prefix, else the bus's.
 * *prefix NULL for lxc (no names there). Unknown bus: NovaException.
 */
static int
dev_prefix(drv *d, const char *bus, const char **prefix, drv_error *err)
{
    static const struct {
        const char *bus, *prefix;
    } tab[] = {{"ide", "hd"},  {"virtio", "vd"}, {"xen", "xvd"},
               {"scsi", "sd"}, {"usb", "sd"},    {"fdc", "fd"},
               {"uml", "ubd"}, {"lxc", NULL},    {"sata", "sd"}};

    if (d->cfg.disk_prefix && *d->cfg.disk_prefix) {
        *prefix = d->cfg.disk_prefix;
        return 0;
    }
    for (unsigned int i = 0; bus && i < G_N_ELEMENTS(tab); i++)
        if (strcmp(tab[i].bus, bus) == 0) {
            *prefix = tab[i].prefix;
            return 0;
        }
    drv_error_set(err, DRV_ERR_NOVA,
                  "Unable to determine disk prefix for %s",
                  bus ? bus : "None");
    return -1;
}

/* get_dev_count_for_disk_bus: IDE has four names, the others 26. */
static unsigned int
dev_count(const char *bus)
{
    return bus && strcmp(bus, "ide") == 0 ? 4 : 26;
}

/*
 * find_disk_dev_for_disk_bus: the first name of bus (or only its last,
 * last_device) that neither the mapping nor assigned (NULL-terminated,
 * may be NULL) holds. *dev g_strdup'ed, NULL for lxc. No free name:
 * NovaException.
 */
static int
find_dev(drv *d, const drv_disk_map *m, const char *bus, bool last_device,
         const char *const *assigned, char **dev, drv_error *err)
{
    const char *prefix;
    unsigned int max;

    *dev = NULL;
    if (dev_prefix(d, bus, &prefix, err) < 0)
        return -1;
    if (!prefix)
        return 0;
    max = dev_count(bus);
    for (unsigned int i = last_device ? max - 1 : 0; i < max; i++) {
        char *name = g_strdup_printf("%s%c", prefix, 'a' + i);

        if (!map_has_dev(m, name) &&
            !(assigned && g_strv_contains(assigned, name))) {
            *dev = name;
            return 0;
        }
        g_free(name);
    }
    drv_error_set(err, DRV_ERR_NOVA,
                  "No free disk device names for prefix '%s'", prefix);
    return -1;
}

/*
 * is_disk_bus_valid_for_virt, for the virt types hvd has: kvm and qemu
 * (test, libvirt's test driver, counts as qemu).
 */
static bool
bus_valid(const char *bus)
{
    static const char *const valid[] = {"virtio", "scsi", "ide", "usb",
                                        "fdc", NULL};

    return intern(valid, bus) != NULL;
}

/* get_disk_bus_for_disk_dev: the likeliest bus of a name on kvm/qemu. */
static int
bus_for_dev(const char *dev, const char **bus, drv_error *err)
{
    static const struct {
        const char *prefix, *bus;
    } tab[] = {{"hd", "ide"}, {"sd", "scsi"}, {"vd", "virtio"},
               {"fd", "fdc"}, {"xvd", "xen"}, {"ubd", "uml"}};

    for (unsigned int i = 0; i < G_N_ELEMENTS(tab); i++)
        if (g_str_has_prefix(dev, tab[i].prefix)) {
            *bus = tab[i].bus;
            return 0;
        }
    drv_error_set(err, DRV_ERR_NOVA, "Unable to determine disk bus for '%.1s'",
                  dev);
    return -1;
}

/* The image's architecture is one whose CD-ROMs sit on SCSI. */
static bool
scsi_cdrom_arch(const drv_instance *inst)
{
    static const char *const archs[] = {"ppc",  "ppc64", "ppcle", "ppc64le",
                                        "s390", "s390x", "aarch64", NULL};
    const char *a = drv_kv_get(inst->image.properties,
                               inst->image.n_properties, "hw_architecture");

    return intern(archs, a) != NULL;
}

/*
 * get_disk_bus_for_device_type on kvm/qemu: the image's hw_disk_bus (for
 * disks) or hw_<type>_bus, else virtio for disks, ide for CD-ROMs (scsi on
 * ppc, s390, aarch64 images), fdc for floppies, none for LUNs. An image
 * bus must be one a prefix is known for (InvalidInstance naming the
 * property otherwise); hvd does not refuse the ones the reference finds
 * unsupported on kvm (docs/reference-differences.md).
 */
static int
bus_for_type(const drv_instance *inst, const char *type, const char **bus,
             drv_error *err)
{
    g_autofree char *key = strcmp(type, "disk") == 0
                               ? g_strdup("hw_disk_bus")
                               : g_strdup_printf("hw_%s_bus", type);
    const char *v = drv_kv_get(inst->image.properties,
                               inst->image.n_properties, key);

    if (v) {
        if (!(*bus = intern(known_buses, v))) {
            drv_error_set(err, DRV_ERR_INVALID_INSTANCE,
                          "image property %s of instance %s: unknown disk "
                          "bus '%s'", key, inst->uuid, v);
            return -1;
        }
        return 0;
    }
    if (strcmp(type, "cdrom") == 0)
        *bus = scsi_cdrom_arch(inst) ? "scsi" : "ide";
    else if (strcmp(type, "disk") == 0)
        *bus = "virtio";
    else if (strcmp(type, "floppy") == 0)
        *bus = "fdc";
    else
        *bus = NULL;
    return 0;
}

/* ---- block device info ---- */

/* The reference's block_device_info: the root device's name and the
 * ephemeral, swap and volume mappings (borrowed; names updated in place
 * as the reference's update_bdm does). */
typedef struct bdinfo {
    const char *root_device_name;
    drv_dev_bdm **eph;
    unsigned int n_eph;
    drv_dev_bdm *swap;
    drv_dev_bdm **vol;
    unsigned int n_vol;
} bdinfo;

/* swap_is_usable */
static bool
swap_usable(const drv_dev_bdm *s)
{
    return s && s->device_name && s->swap_size_mb > 0;
}

/* volume_in_mapping: is dev a name the block device info gives? */
static bool
in_bdinfo(const bdinfo *bi, const char *dev)
{
    dev = strip_dev(dev);
    for (unsigned int i = 0; i < bi->n_vol; i++)
        if (bi->vol[i]->device_name &&
            strcmp(strip_dev(bi->vol[i]->device_name), dev) == 0)
            return true;
    if (swap_usable(bi->swap) &&
        strcmp(strip_dev(bi->swap->device_name), dev) == 0)
        return true;
    for (unsigned int i = 0; i < bi->n_eph; i++)
        if (bi->eph[i]->device_name &&
            strcmp(strip_dev(bi->eph[i]->device_name), dev) == 0)
            return true;
    return false;
}

/* The names given in the block device info, for the generated ones to
 * avoid (pre_assigned_device_names); g_strfreev. */
static char **
given_names(const bdinfo *bi)
{
    GPtrArray *a = g_ptr_array_new();

    for (unsigned int i = 0; i < bi->n_eph; i++)
        if (bi->eph[i]->device_name)
            g_ptr_array_add(a, g_strdup(strip_dev(bi->eph[i]->device_name)));
    if (bi->swap && bi->swap->device_name)
        g_ptr_array_add(a, g_strdup(strip_dev(bi->swap->device_name)));
    for (unsigned int i = 0; i < bi->n_vol; i++)
        if (bi->vol[i]->device_name)
            g_ptr_array_add(a, g_strdup(strip_dev(bi->vol[i]->device_name)));
    g_ptr_array_add(a, NULL);
    return (char **)g_ptr_array_free(a, FALSE);
}

/* update_bdm: the bdm keeps a name it has; bus and type from info. */
static void
update_bdm(drv_dev_bdm *b, const drv_disk_info *info)
{
    if (!b->device_name && info->dev)
        b->device_name = g_strconcat("/dev/", info->dev, NULL);
    g_free(b->disk_bus);
    b->disk_bus = g_strdup(info->bus);
    g_free(b->device_type);
    b->device_type = g_strdup(info->type);
}

/*
 * get_info_from_bdm: the bdm's type (disk unless a known one), its bus
 * (its own or disk_bus when valid for the virt type, else the one its
 * name suggests, else its type's), and its name, or the first free one
 * avoiding the mapping and assigned. info->dev g_free.
 */
static int
info_from_bdm(drv *d, const drv_instance *inst, const drv_dev_bdm *b,
              const drv_disk_map *m, const char *disk_bus,
              const char *dev_type, const char *const *assigned,
              drv_disk_info *info, drv_error *err)
{
    const char *name = strip_dev(b->device_name);
    const char *type = intern(dev_types, b->device_type);
    const char *bus = b->disk_bus ? b->disk_bus : disk_bus;

    memset(info, 0, sizeof(*info));
    info->boot_index = -1;
    if (!type)
        type = intern(dev_types, dev_type);
    if (!type)
        type = "disk";
    if (bus_valid(bus)) {
        bus = intern(known_buses, bus);
    } else if (name && *name) {
        if (bus_for_dev(name, &bus, err) < 0)
            return -1;
    } else if (bus_for_type(inst, type, &bus, err) < 0) {
        return -1;
    }
    if (name && *name) {
        info->dev = g_strdup(name);
    } else {
        /* the names given elsewhere count as taken */
        drv_disk_map padded = {0};
        int rc;

        for (unsigned int i = 0; assigned && assigned[i]; i++)
            map_put(&padded, assigned[i],
                    &(drv_disk_info){.dev = (char *)assigned[i]});
        for (unsigned int i = 0; i < m->n; i++)
            map_put(&padded, m->e[i].key, &m->e[i].info);
        rc = find_dev(d, &padded, bus, false, NULL, &info->dev, err);
        drv_disk_map_clear(&padded);
        if (rc < 0)
            return -1;
    }
    info->bus = bus;
    info->type = type;
    /* libvirt counts boot order from 1 */
    if (b->boot_index >= 0)
        info->boot_index = b->boot_index + 1;
    return 0;
}

/* get_next_disk_info */
static int
next_info(drv *d, const drv_disk_map *m, const char *bus, const char *type,
          bool last_device, int boot_index, const char *const *assigned,
          drv_disk_info *info, drv_error *err)
{
    memset(info, 0, sizeof(*info));
    if (find_dev(d, m, bus, last_device, assigned, &info->dev, err) < 0)
        return -1;
    info->bus = bus;
    info->type = type;
    info->boot_index = boot_index >= 0 ? boot_index : -1;
    return 0;
}

/* get_root_info. info->dev g_free. */
static int
root_info(drv *d, const drv_instance *inst, const drv_dev_bdm *root_bdm,
          const char *disk_bus, const char *cdrom_bus,
          const char *root_device_name, drv_disk_info *info, drv_error *err)
{
    drv_disk_map empty = {0};

    if (!root_bdm) {
        /* booted from the image: a CD-ROM for an ISO image */
        bool iso = inst->image.format &&
                   strcmp(inst->image.format, "iso") == 0;
        const char *bus = iso ? cdrom_bus : disk_bus;

        memset(info, 0, sizeof(*info));
        if (root_device_name && *root_device_name) {
            if (bus_for_dev(strip_dev(root_device_name), &bus, err) < 0)
                return -1;
            info->dev = g_strdup(strip_dev(root_device_name));
        } else if (find_dev(d, &empty, bus, false, NULL, &info->dev, err) <
                   0) {
            return -1;
        }
        info->bus = bus;
        info->type = iso ? "cdrom" : "disk";
        info->boot_index = 1;
        return 0;
    }
    if (!root_bdm->device_name && root_device_name) {
        drv_dev_bdm copy = *root_bdm;

        copy.device_name = (char *)root_device_name;
        return info_from_bdm(d, inst, &copy, &empty, disk_bus, NULL, NULL,
                             info, err);
    }
    return info_from_bdm(d, inst, root_bdm, &empty, disk_bus, NULL, NULL,
                         info, err);
}

/* The buses of the instance's disks and CD-ROMs (get_disk_info). */
static int
instance_buses(const drv_instance *inst, const char **disk_bus,
               const char **cdrom_bus, drv_error *err)
{
    if (bus_for_type(inst, "disk", disk_bus, err) < 0 ||
        bus_for_type(inst, "cdrom", cdrom_bus, err) < 0)
        return -1;
    return 0;
}

/* get_root_bdm: the volume with boot index 0. */
static drv_dev_bdm *
root_bdm_of(const bdinfo *bi)
{
    for (unsigned int i = 0; i < bi->n_vol; i++)
        if (bi->vol[i]->boot_index == 0)
            return bi->vol[i];
    return NULL;
}

/*
 * get_disk_mapping (not rescue): the root, the flavor's ephemeral disk
 * (disk.local) unless ephemeral mappings are given or a volume holds its
 * name, the ephemerals, the swap, the volumes, and the config drive on
 * the last name of its bus. The bdms of bi get their names, buses and
 * types (update_bdm).
 */
static int
disk_mapping(drv *d, const drv_instance *inst, const bdinfo *bi,
             drv_disk_map *m, drv_error *err)
{
    g_auto(GStrv) assigned = given_names(bi);
    const char *const *as = (const char *const *)assigned;
    drv_dev_bdm *root_bdm = root_bdm_of(bi);
    drv_disk_info info = {0};
    int ret = -1;

    memset(m, 0, sizeof(*m));
    if (instance_buses(inst, &m->disk_bus, &m->cdrom_bus, err) < 0)
        goto cleanup;
    if (root_info(d, inst, root_bdm, m->disk_bus, m->cdrom_bus,
                  strip_dev(bi->root_device_name), &info, err) < 0)
        goto cleanup;
    map_put(m, "root", &info);
    if (!root_bdm && !in_bdinfo(bi, info.dev))
        map_put(m, "disk", &info);
    else if (root_bdm)
        update_bdm(root_bdm, &info);
    g_clear_pointer(&info.dev, g_free);

    if (inst->flavor.ephemeral_gb > 0 && bi->n_eph == 0) {
        if (next_info(d, m, m->disk_bus, "disk", false, -1, NULL, &info,
                      err) < 0)
            goto cleanup;
        /* a volume given this name takes the ephemeral disk's place */
        if (!in_bdinfo(bi, info.dev))
            map_put(m, "disk.local", &info);
        g_clear_pointer(&info.dev, g_free);
    }
    for (unsigned int i = 0; i < bi->n_eph; i++) {
        g_autofree char *key = g_strdup_printf("disk.eph%u", i);

        if (info_from_bdm(d, inst, bi->eph[i], m, m->disk_bus, NULL, as,
                          &info, err) < 0)
            goto cleanup;
        map_put(m, key, &info);
        update_bdm(bi->eph[i], &info);
        g_clear_pointer(&info.dev, g_free);
    }
    if (bi->swap && bi->swap->swap_size_mb > 0) {
        if (info_from_bdm(d, inst, bi->swap, m, m->disk_bus, NULL, NULL,
                          &info, err) < 0)
            goto cleanup;
        map_put(m, "disk.swap", &info);
        update_bdm(bi->swap, &info);
        g_clear_pointer(&info.dev, g_free);
    } else if (inst->flavor.swap_mb > 0) {
        if (next_info(d, m, m->disk_bus, "disk", false, -1, as, &info,
                      err) < 0)
            goto cleanup;
        if (!in_bdinfo(bi, info.dev))
            map_put(m, "disk.swap", &info);
        g_clear_pointer(&info.dev, g_free);
    }
    for (unsigned int i = 0; i < bi->n_vol; i++) {
        g_autofree char *key = NULL;

        if (info_from_bdm(d, inst, bi->vol[i], m, NULL, NULL, as, &info,
                          err) < 0)
            goto cleanup;
        key = g_strconcat("/dev/", info.dev, NULL);
        map_put(m, key, &info);
        update_bdm(bi->vol[i], &info);
        g_clear_pointer(&info.dev, g_free);
    }
    if (drv_config_drive_required(d, inst)) {
        const char *bus;

        /* config_drive_format iso9660, the reference's default */
        if (bus_for_type(inst, "cdrom", &bus, err) < 0 ||
            next_info(d, m, bus, "cdrom", true, -1, NULL, &info, err) < 0)
            goto cleanup;
        map_put(m, "disk.config", &info);
        g_clear_pointer(&info.dev, g_free);
    }
    ret = 0;

cleanup:
    g_free(info.dev);
    if (ret < 0)
        drv_disk_map_clear(m);
    return ret;
}

/* A bdinfo over bdms (its pointer arrays g_free'd by the caller). */
static void
bdinfo_of(bdinfo *bi, const char *root_device_name, drv_dev_bdm *bdms,
          unsigned int n)
{
    memset(bi, 0, sizeof(*bi));
    bi->root_device_name = root_device_name;
    bi->eph = g_new0(drv_dev_bdm *, n + 1);
    bi->vol = g_new0(drv_dev_bdm *, n + 1);
    for (unsigned int i = 0; i < n; i++) {
        switch (bdms[i].kind) {
        case DRV_DEV_BDM_EPHEMERAL:
            bi->eph[bi->n_eph++] = &bdms[i];
            break;
        case DRV_DEV_BDM_SWAP:
            /* the reference keeps one swap: the last given */
            bi->swap = &bdms[i];
            break;
        default:
            bi->vol[bi->n_vol++] = &bdms[i];
            break;
        }
    }
}

static void
bdinfo_free(bdinfo *bi)
{
    g_free(bi->eph);
    g_free(bi->vol);
}

int
drv_instance_disk_map(drv *d, const drv_instance *inst, drv_disk_map *m,
                      drv_error *err)
{
    drv_dev_bdm *vols = g_new0(drv_dev_bdm, inst->n_volumes + 1);
    bdinfo bi;
    int rc;

    /* the instance's volumes are attached ones, never its root */
    for (unsigned int i = 0; i < inst->n_volumes; i++) {
        vols[i].kind = DRV_DEV_BDM_VOLUME;
        vols[i].device_name = g_strdup(inst->volumes[i].mount_device);
        vols[i].boot_index = -1;
    }
    bdinfo_of(&bi, inst->root_device_name, vols, inst->n_volumes);
    rc = disk_mapping(d, inst, &bi, m, err);
    if (rc == 0) {
        m->volume_devs = g_new0(char *, inst->n_volumes + 1);
        m->volume_buses = g_new0(const char *, inst->n_volumes + 1);
        for (unsigned int i = 0; i < inst->n_volumes; i++) {
            m->volume_devs[i] = g_strdup(strip_dev(vols[i].device_name));
            m->volume_buses[i] = intern(known_buses, vols[i].disk_bus);
        }
    }
    bdinfo_free(&bi);
    for (unsigned int i = 0; i < inst->n_volumes; i++)
        drv_dev_bdm_clear(&vols[i]);
    g_free(vols);
    return rc;
}

/* ---- the contract ---- */

void
drv_dev_bdm_clear(drv_dev_bdm *b)
{
    if (!b)
        return;
    g_free(b->device_name);
    g_free(b->disk_bus);
    g_free(b->device_type);
    memset(b, 0, sizeof(*b));
    b->boot_index = -1;
}

static int
check_inst(const drv_instance *inst, drv_error *err)
{
    if (!inst || !inst->uuid) {
        drv_error_set(err, DRV_ERR_INVALID_INSTANCE,
                      "device names: an instance with a uuid is required");
        return -1;
    }
    return 0;
}

int
drv_default_root_device_name(drv *d, const drv_instance *inst,
                             const drv_dev_bdm *root_bdm, char **name,
                             drv_error *err)
{
    const char *disk_bus, *cdrom_bus;
    drv_disk_info info = {0};

    drv_error_reset(err);
    *name = NULL;
    if (check_inst(inst, err) < 0 ||
        instance_buses(inst, &disk_bus, &cdrom_bus, err) < 0 ||
        root_info(d, inst, root_bdm, disk_bus, cdrom_bus, NULL, &info, err) <
            0)
        return -1;
    if (!info.dev) {
        drv_error_set(err, DRV_ERR_NOVA,
                      "Unable to determine disk prefix for %s", info.bus);
        return -1;
    }
    *name = g_strconcat("/dev/", info.dev, NULL);
    g_free(info.dev);
    return 0;
}

int
drv_default_device_names_for_instance(drv *d, const drv_instance *inst,
                                      const char *root_device_name,
                                      drv_dev_bdm *bdms, unsigned int n_bdms,
                                      drv_error *err)
{
    drv_disk_map m;
    bdinfo bi;
    int rc;

    drv_error_reset(err);
    if (check_inst(inst, err) < 0)
        return -1;
    /* libvirt cannot honour names a user gives: all are chosen again */
    for (unsigned int i = 0; i < n_bdms; i++)
        g_clear_pointer(&bdms[i].device_name, g_free);
    bdinfo_of(&bi, root_device_name ? root_device_name
                                    : inst->root_device_name,
              bdms, n_bdms);
    rc = disk_mapping(d, inst, &bi, &m, err);
    bdinfo_free(&bi);
    drv_disk_map_clear(&m);
    return rc;
}

int
drv_get_device_name_for_instance(drv *d, const drv_instance *inst,
                                 const drv_dev_bdm *bdms, unsigned int n_bdms,
                                 const drv_dev_bdm *new_bdm, char **name,
                                 drv_error *err)
{
    drv_dev_bdm *copy = NULL, nb;
    drv_disk_map m = {0};
    drv_disk_info info = {0};
    bdinfo bi;
    int ret = -1;

    drv_error_reset(err);
    *name = NULL;
    if (check_inst(inst, err) < 0)
        return -1;
    /* the mapping is worked out on copies: the caller's bdms stay */
    copy = g_new0(drv_dev_bdm, n_bdms + 1);
    for (unsigned int i = 0; i < n_bdms; i++) {
        copy[i] = bdms[i];
        copy[i].device_name = g_strdup(bdms[i].device_name);
        copy[i].disk_bus = g_strdup(bdms[i].disk_bus);
        copy[i].device_type = g_strdup(bdms[i].device_type);
    }
    bdinfo_of(&bi, inst->root_device_name, copy, n_bdms);
    if (disk_mapping(d, inst, &bi, &m, err) < 0)
        goto cleanup;
    /* a name the caller suggests is ignored, as by the reference */
    nb = new_bdm ? *new_bdm : (drv_dev_bdm){.boot_index = -1};
    nb.device_name = NULL;
    if (info_from_bdm(d, inst, &nb, &m, NULL, NULL, NULL, &info, err) < 0)
        goto cleanup;
    if (!info.dev) {
        drv_error_set(err, DRV_ERR_NOVA,
                      "Unable to determine disk prefix for %s", info.bus);
        goto cleanup;
    }
    *name = g_strconcat("/dev/", info.dev, NULL);
    ret = 0;

cleanup:
    g_free(info.dev);
    drv_disk_map_clear(&m);
    bdinfo_free(&bi);
    for (unsigned int i = 0; i < n_bdms; i++)
        drv_dev_bdm_clear(&copy[i]);
    g_free(copy);
    return ret;
}
