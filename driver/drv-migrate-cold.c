/*
 * drv-migrate-cold.c: cold migration and resize (migrate_disk_and_power_off,
 * finish_migration, confirm_migration, finish_revert_migration) and
 * evacuate (rebuild with recreate), as the reference's libvirt driver and
 * Newton's compute manager do them (nova-libvirt-driver.py 6970-7380 and
 * _cleanup_resize).
 *
 * Where the reference moves files, hvd moves what stands for them: the
 * instance's folder is an hv instance folder ("<uuid>" renamed to
 * "<uuid>_resize" on the source while the resize is pending), the disks
 * are volumes of storage_pool named from the uuid, copied to the
 * destination's pool with hv_vol_copy_to (the reference's copy_image over
 * ssh). Those volumes stay in the source's pool (not in "<uuid>_resize"):
 * confirm deletes them, revert boots from them again. The source writes
 * what confirm needs to know (the destination, shared or not) into
 * "<uuid>_resize" so that a restarted driver still knows it.
 * docs/reference-differences.md (Migration / Cold migration) lists where
 * hvd departs from the reference and why.
 */
#include "drv-priv.h"

#include <errno.h>
#include <glib.h>
#include <jansson.h>
#include <string.h>

#define RESIZE_SUFFIX "_resize"
/* what migrate_disk_and_power_off leaves in "<uuid>_resize" for confirm */
#define RESIZE_RECORD "hvd-resize.json"
/* the reference's rm -rf of _cleanup_resize: attempts=5, delay_on_retry */
#define CLEANUP_ATTEMPTS 5

static char *
resize_dir(const drv_instance *inst)
{
    return g_strconcat(inst->uuid, RESIZE_SUFFIX, NULL);
}

/* The libvirt URI of dest: cold_migration_uri with dest for its "%s"
 * (pasted, never a format), or as it is without one (g_free). */
static char *
dest_uri(drv *d, const char *dest)
{
    const char *t = d->cfg.cold_migration_uri ? d->cfg.cold_migration_uri
                                              : DRV_DEFAULT_COLD_MIGRATION_URI;
    const char *p = strstr(t, "%s");

    if (!p)
        return g_strdup(t);
    return g_strdup_printf("%.*s%s%s", (int)(p - t), t, dest, p + 2);
}

/*
 * The reference's _is_storage_shared_with, its first test: the
 * destination is this host (CONF.host, or the hypervisor's hostname).
 * Its second test, a file created over ssh in the destination's
 * instance path, has no hv call: hvd's hosts do not share storage
 * otherwise (docs/reference-differences.md).
 */
static bool
shared_with(drv *d, const char *dest)
{
    char *host;
    hv_error hv;
    bool same;

    if (d->hostname && strcmp(d->hostname, dest) == 0)
        return true;
    if (!(host = hv_conn_get_hostname(d->conn, &hv)))
        return false;
    same = strcmp(host, dest) == 0;
    g_free(host);
    return same;
}

/* The volume name of a disk path of get_instance_disk_info if it is a
 * volume of the pool (g_free), else NULL (the config drive, a file). */
static char *
disk_volume(drv *d, const char *path)
{
    char *name = g_path_get_basename(path);
    char *vpath;
    hv_error hv;
    bool vol;

    vpath = hv_vol_get_path(d->conn, d->cfg.storage_pool, name, &hv);
    vol = vpath && strcmp(vpath, path) == 0;
    g_free(vpath);
    if (!vol) {
        g_free(name);
        return NULL;
    }
    return name;
}

/* A hv_vol_copy_to failure as the driver's error: DiskFull for no
 * space, else the hv error. */
static void
set_copy_error(drv_error *err, const hv_error *hv, const char *what,
               const drv_instance *inst)
{
    if (hv->code == HV_ERR_SYSTEM_ERROR && hv->sys_errno == ENOSPC) {
        drv_error_set(err, DRV_ERR_DISK_FULL,
                      "no space on the destination for %s of instance %s: "
                      "%s", what, inst->uuid, hv->message);
        err->hv = *hv;
    } else {
        drv_set_hv_error(err, hv, what, inst);
    }
}

/* ---- migrate_disk_and_power_off ---- */

/*
 * The reference's _cleanup_remote_migration: if "<uuid>_resize" is there,
 * remove "<uuid>" and rename "<uuid>_resize" back. Every failure is
 * swallowed, as the reference's except: pass. The destination keeps
 * nothing of the instance: hv_vol_copy_to is all or none, and hvd never
 * made a folder there.
 */
static void
cleanup_remote_migration(drv *d, const drv_instance *inst)
{
    const char *base = d->cfg.instances_path;
    char *rdir = resize_dir(inst);
    hv_error hv;

    if (hv_instance_dir_exists(d->conn, base, rdir, &hv) == 1) {
        if (hv_instance_dir_exists(d->conn, base, inst->uuid, &hv) == 1)
            hv_instance_dir_delete(d->conn, base, inst->uuid, &hv);
        if (hv_instance_dir_rename(d->conn, base, rdir, inst->uuid, &hv) ==
            0)
            hv_instance_file_delete(d->conn, base, inst->uuid, RESIZE_RECORD,
                                    &hv);
    }
    g_free(rdir);
}

/* The volumes of disks to copy: each disk that is a volume of the pool,
 * but not the swap volume when the swap size changes (NULL-terminated,
 * g_strfreev). */
static char **
volumes_to_copy(drv *d, const drv_instance *inst, const drv_flavor *flavor,
                json_t *disks)
{
    GPtrArray *names = g_ptr_array_new();
    char *swap = drv_volume_name(inst, DRV_VOL_SWAP);
    size_t i;
    json_t *v;

    json_array_foreach(disks, i, v) {
        const char *path = json_string_value(json_object_get(v, "path"));
        char *name = path ? disk_volume(d, path) : NULL;

        if (!name)
            continue;
        /* finish_migration makes a swap disk of the new size */
        if (strcmp(name, swap) == 0 &&
            inst->flavor.swap_mb != flavor->swap_mb) {
            g_free(name);
            continue;
        }
        g_ptr_array_add(names, name);
    }
    g_ptr_array_add(names, NULL);
    g_free(swap);
    return (char **)g_ptr_array_free(names, FALSE);
}

/* The record confirm_migration reads: where the instance went. */
static int
write_record(drv *d, const drv_instance *inst, const char *rdir,
             const char *dest, bool shared, drv_error *err)
{
    json_t *o = json_pack("{s:s, s:b}", "dest", dest, "shared", shared);
    char *text = json_dumps(o, JSON_SORT_KEYS);
    hv_error hv;
    int ret = 0;

    if (hv_instance_file_write(d->conn, d->cfg.instances_path, rdir,
                               RESIZE_RECORD, text, strlen(text), 0,
                               &hv) < 0) {
        drv_set_hv_error(err, &hv, "recording the resize", inst);
        ret = -1;
    }
    free(text);
    json_decref(o);
    return ret;
}

/*
 * Without shared storage the destination needs the image the root disk
 * is backed by: the reference's finish_migration fetches it there
 * (_create_image, fallback_from_host); hvd has no image service, so the
 * source copies its image volume now, before anything changes. One the
 * destination has already is fine.
 */
static int
copy_image(drv *d, const drv_instance *inst, const char *uri,
           drv_error *err)
{
    const char *names[] = {inst->image.volume, NULL};
    hv_error hv;

    if (!inst->image.volume)
        return 0;
    if (hv_vol_copy_to(d->conn, d->cfg.storage_pool, names, uri,
                       d->cfg.storage_pool, &hv) < 0 &&
        hv.code != HV_ERR_STORAGE_VOL_EXIST) {
        drv_error_set(err, DRV_ERR_RESIZE,
                      "Resize error: not able to copy image %s of instance "
                      "%s to %s: %s (InstanceFaultRollback: the instance is "
                      "unchanged)",
                      inst->image.volume, inst->uuid, uri, hv.message);
        err->hv = hv;
        return -1;
    }
    return 0;
}

int
drv_migrate_disk_and_power_off(drv *d, const drv_instance *inst,
                               const char *dest, const drv_flavor *flavor,
                               int timeout, int retry_interval,
                               char **disk_info, drv_error *err)
{
    const char *base;
    char *text = NULL, *uri = NULL, *rdir = NULL, **names = NULL;
    json_t *disks = NULL;
    bool root_down, eph_down, from_volume, shared, renamed = false;
    hv_error hv;
    int ret = -1;

    drv_error_reset(err);
    if (disk_info)
        *disk_info = NULL;
    if (!d || !flavor || !disk_info) {
        drv_error_set(err, DRV_ERR_INVALID_INSTANCE,
                      "migrate_disk_and_power_off needs a driver, the new "
                      "flavor and a result");
        return -1;
    }
    if (!drv_inst_folder_ok(inst, err) || drv_migrate_check_hostname(dest, err) < 0)
        return -1;
    base = d->cfg.instances_path;

    /* hvd's instances have no ephemeral block device mappings: the
     * flavor's ephemeral size is the one to compare */
    root_down = flavor->root_gb < inst->flavor.root_gb;
    eph_down = flavor->ephemeral_gb < inst->flavor.ephemeral_gb;
    if (drv_get_instance_disk_info(d, inst, &text, err) < 0)
        goto cleanup;
    /* _is_booted_from_volume over the JSON text, as the reference calls
     * it: no image, or no "disk" anywhere in the text */
    from_volume = !(inst->image.id || inst->image.path ||
                    inst->image.volume) ||
                  !strstr(text, "disk");
    if ((root_down && !from_volume) || eph_down) {
        drv_error_set(err, DRV_ERR_RESIZE,
                      "Resize error: Unable to resize disk down. "
                      "(InstanceFaultRollback: instance %s is unchanged)",
                      inst->uuid);
        goto cleanup;
    }
    disks = json_loads(text, 0, NULL);
    shared = shared_with(d, dest);
    uri = dest_uri(d, dest);
    /* the reference makes the destination's folder here, a failure being
     * a ResizeError before the power-off; hvd's first touch of the
     * destination is the image */
    if (!shared && copy_image(d, inst, uri, err) < 0)
        goto cleanup;

    if (drv_power_off(d, inst, timeout, retry_interval, err) < 0)
        goto cleanup;
    /* attached volumes are host paths: nothing to disconnect */

    rdir = resize_dir(inst);
    if (hv_instance_dir_rename(d->conn, base, inst->uuid, rdir, &hv) < 0) {
        drv_set_hv_error(err, &hv, "moving the instance folder aside", inst);
        goto undo;
    }
    renamed = true;
    if (write_record(d, inst, rdir, dest, shared, err) < 0)
        goto undo;
    if (shared) {
        if (hv_instance_dir_create(d->conn, base, inst->uuid, &hv) < 0) {
            drv_set_hv_error(err, &hv, "creating the instance folder", inst);
            goto undo;
        }
    } else {
        names = volumes_to_copy(d, inst, flavor, disks);
        if (names[0] &&
            hv_vol_copy_to(d->conn, d->cfg.storage_pool,
                           (const char *const *)names, uri,
                           d->cfg.storage_pool, &hv) < 0) {
            set_copy_error(err, &hv, "copying the disks", inst);
            goto undo;
        }
    }
    *disk_info = text;
    text = NULL;
    ret = 0;
    goto cleanup;

undo:
    if (renamed)
        cleanup_remote_migration(d, inst);

cleanup:
    g_strfreev(names);
    json_decref(disks);
    g_free(text);
    g_free(uri);
    g_free(rdir);
    return ret;
}

/* ---- finish_migration ---- */

/*
 * The new size of a disk of the source (_disk_size_from_instance, with
 * hvd's one ephemeral volume standing for the reference's disk.local):
 * bytes, 0 for any other disk.
 */
static uint64_t
new_size(const drv_instance *inst, const char *name)
{
    char *root = drv_volume_name(inst, DRV_VOL_ROOT);
    char *eph = drv_volume_name(inst, DRV_VOL_EPHEMERAL);
    uint64_t size = 0;

    if (strcmp(name, root) == 0)
        size = inst->flavor.root_gb << 30;
    else if (strcmp(name, eph) == 0)
        size = inst->flavor.ephemeral_gb << 30;
    g_free(root);
    g_free(eph);
    return size;
}

/* _disk_resize: extend only (disk_api.extend leaves a disk at least as
 * big as asked alone). */
static int
resize_disk(drv *d, const drv_instance *inst, const char *name,
            uint64_t size, drv_error *err)
{
    hv_vol_info vi;
    hv_error hv;

    if (size == 0)
        return 0;
    if (hv_vol_get_info(d->conn, d->cfg.storage_pool, name, &vi, &hv) < 0) {
        drv_set_hv_error(err, &hv, "looking up a disk to resize", inst);
        return -1;
    }
    if (vi.capacity >= size)
        return 0;
    if (hv_vol_resize(d->conn, d->cfg.storage_pool, name, size, &hv) < 0) {
        if (hv.code == HV_ERR_SYSTEM_ERROR && hv.sys_errno == ENOSPC) {
            drv_error_set(err, DRV_ERR_DISK_FULL,
                          "no space to resize disk %s of instance %s: %s",
                          name, inst->uuid, hv.message);
            err->hv = hv;
        } else {
            drv_set_hv_error(err, &hv, "resizing a disk", inst);
        }
        return -1;
    }
    return 0;
}

int
drv_finish_migration(drv *d, const drv_instance *inst, const char *disk_info,
                     bool resize_instance, bool power_on, drv_error *err)
{
    json_t *disks = NULL, *v;
    char *xml = NULL;
    size_t i;
    int ret = -1;

    drv_error_reset(err);
    if (!d || !drv_inst_folder_ok(inst, err))
        return -1;
    disks = disk_info ? json_loads(disk_info, 0, NULL) : NULL;
    if (!json_is_array(disks)) {
        drv_error_set(err, DRV_ERR_INVALID_MIGRATE_DATA,
                      "disk_info of instance %s is not a JSON list",
                      inst->uuid);
        goto cleanup;
    }
    /* _create_image: the folder, and what of the new flavor is missing
     * (the root disk came from the source) */
    if (drv_create_instance_dir(d, inst, err) < 0 ||
        drv_ensure_disks(d, inst, err) < 0 ||
        drv_ensure_console_log(d, inst, err) < 0)
        goto cleanup;
    json_array_foreach(disks, i, v) {
        const char *path = json_string_value(json_object_get(v, "path"));
        char *name;
        int rc;

        if (!resize_instance || !path)
            continue;
        name = g_path_get_basename(path);
        rc = resize_disk(d, inst, name, new_size(inst, name), err);
        g_free(name);
        if (rc < 0)
            goto cleanup;
    }
    /* hvd's volumes are qcow2 already: no raw-to-qcow2 conversion */
    if (drv_config_drive_build(d, inst, err) < 0 ||
        !(xml = drv_build_xml(d, inst, NULL, err)))
        goto cleanup;
    /* VIFs taken as plugged: Neutron may never see them unplugged */
    if (drv_start_guest(d, inst, xml, power_on, true, false, err) < 0)
        goto cleanup;
    if (power_on && drv_wait_running(d, inst, err) < 0)
        goto cleanup;
    ret = 0;

cleanup:
    g_free(xml);
    json_decref(disks);
    return ret;
}

/* ---- confirm_migration ---- */

/* The record in "<uuid>_resize": 1 with *dest (g_free) and *shared, 0 if
 * there is none (or it does not parse). */
static int
read_record(drv *d, const char *rdir, char **dest, bool *shared)
{
    char *data = NULL;
    size_t len;
    uint64_t skipped;
    json_t *o;
    hv_error hv;
    const char *s;
    int ret = 0;

    *dest = NULL;
    *shared = false;
    if (hv_instance_file_read(d->conn, d->cfg.instances_path, rdir,
                              RESIZE_RECORD, 4096, &data, &len, &skipped,
                              &hv) < 0)
        return 0;
    o = json_loads(data, 0, NULL);
    if ((s = json_string_value(json_object_get(o, "dest")))) {
        *dest = g_strdup(s);
        *shared = json_is_true(json_object_get(o, "shared"));
        ret = 1;
    }
    json_decref(o);
    g_free(data);
    return ret;
}

/* rm -rf with attempts=5 and delay_on_retry: a random 0.2-2 s between
 * attempts on the hv clock; the last failure is returned. */
static int
delete_with_retries(drv *d, const drv_instance *inst, const char *dir,
                    drv_error *err)
{
    hv_error hv;

    for (int attempt = 1;; attempt++) {
        if (hv_instance_dir_delete(d->conn, d->cfg.instances_path, dir,
                                   &hv) == 0 ||
            (hv.code == HV_ERR_SYSTEM_ERROR && hv.sys_errno == ENOENT))
            return 0;
        if (attempt == CLEANUP_ATTEMPTS) {
            drv_set_hv_error(err, &hv, "removing the resize folder", inst);
            return -1;
        }
        /* random.randint(20, 200) / 100.0 seconds */
        if (drv_sleep(d,
                      (int64_t)(20 + hv_random(d->conn) % 181) *
                          (HV_NS_PER_SEC / 100),
                      err) < 0)
            return -1;
    }
}

int
drv_confirm_migration(drv *d, const drv_instance *inst, drv_error *err)
{
    char *rdir = NULL, *dest = NULL;
    bool shared = false, recorded = false;
    hv_error hv;
    int ret = -1;

    drv_error_reset(err);
    if (!d || !drv_inst_folder_ok(inst, err))
        return -1;
    rdir = resize_dir(inst);
    if (hv_instance_dir_exists(d->conn, d->cfg.instances_path, rdir, &hv) ==
        1) {
        recorded = read_record(d, rdir, &dest, &shared) == 1;
        if (delete_with_retries(d, inst, rdir, err) < 0)
            goto cleanup;
    }
    /* instance.host != CONF.host: the instance runs elsewhere now */
    if (recorded && !shared) {
        /* the source's disks: what the reference's rm -rf of the
         * _resize folder removed */
        drv_delete_instance_volumes(d, inst);
        if (drv_undefine_guest(d, inst, err) < 0)
            goto cleanup;
        drv_vifs_unplug(d, inst);
    }
    ret = 0;

cleanup:
    g_free(rdir);
    g_free(dest);
    return ret;
}

/* ---- finish_revert_migration ---- */

int
drv_finish_revert_migration(drv *d, const drv_instance *inst, bool power_on,
                            drv_error *err)
{
    const char *base;
    char *rdir = NULL, *xml = NULL;
    hv_error hv;
    int ret = -1;

    drv_error_reset(err);
    if (!d || !drv_inst_folder_ok(inst, err))
        return -1;
    base = d->cfg.instances_path;
    rdir = resize_dir(inst);
    if (hv_instance_dir_exists(d->conn, base, rdir, &hv) == 1) {
        /* _cleanup_failed_migration: a missing folder is fine, any other
         * failure is raised */
        if (hv_instance_dir_delete(d->conn, base, inst->uuid, &hv) < 0 &&
            !(hv.code == HV_ERR_SYSTEM_ERROR && hv.sys_errno == ENOENT)) {
            drv_set_hv_error(err, &hv, "removing the instance folder", inst);
            goto cleanup;
        }
        if (hv_instance_dir_rename(d->conn, base, rdir, inst->uuid, &hv) <
            0) {
            drv_set_hv_error(err, &hv, "moving the instance folder back",
                             inst);
            goto cleanup;
        }
        hv_instance_file_delete(d->conn, base, inst->uuid, RESIZE_RECORD,
                                &hv);
    }
    /* no resize snapshot to roll back: hvd's disks have none */
    if (!(xml = drv_build_xml(d, inst, NULL, err)))
        goto cleanup;
    if (drv_start_guest(d, inst, xml, power_on, true, false, err) < 0)
        goto cleanup;
    if (power_on && drv_wait_running(d, inst, err) < 0)
        goto cleanup;
    ret = 0;

cleanup:
    g_free(xml);
    g_free(rdir);
    return ret;
}

/* ---- evacuate ---- */

int
drv_rebuild_recreate(drv *d, const drv_instance *inst, drv_error *err)
{
    drv_error_reset(err);
    if (!d || !drv_inst_folder_ok(inst, err))
        return -1;
    /* _rebuild_default_impl with recreate: nothing here to destroy or
     * detach; spawn on this host */
    return drv_spawn(d, inst, true, err);
}
