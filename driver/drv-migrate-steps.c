/*
 * drv-migrate-steps.c: the steps of a live migration on either host
 * around the migration itself, as the reference's libvirt driver does
 * them (nova-libvirt-driver.py: get_instance_disk_info, pre_live_migration
 * on the destination, post_live_migration, post_live_migration_at_source
 * and _at_destination, rollback_live_migration_at_destination,
 * post_claim_migrate_data, and the contract's cleanup, which the compute
 * manager calls on the source afterwards). The checks before are in
 * drv-migrate.c; the migration and its monitor in drv-migrate-live.c.
 *
 * Every host effect goes through hv: disk.info and console.log are
 * instance files, disk sizes come from the pool's volumes.
 * docs/reference-differences.md ("Migration") lists where hvd departs
 * from the reference and why.
 */
#include "drv-priv.h"

#include <errno.h>
#include <glib.h>
#include <jansson.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#define DISK_INFO_FILE "disk.info"

/* ---- get_instance_disk_info ---- */

char *
drv_migrate_xml_prop(xmlNodePtr n, const char *name)
{
    xmlChar *v = n ? xmlGetProp(n, (const xmlChar *)name) : NULL;
    char *out = v ? g_strdup((const char *)v) : NULL;

    xmlFree(v);
    return out;
}

xmlNodePtr
drv_migrate_xml_child(xmlNodePtr n, const char *name)
{
    for (xmlNodePtr c = n ? n->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE &&
            strcmp((const char *)c->name, name) == 0)
            return c;
    return NULL;
}

bool
drv_migrate_is_volume_target(const drv_instance *inst, const char *target)
{
    for (unsigned int i = 0; target && i < inst->n_volumes; i++) {
        const char *m = inst->volumes[i].mount_device;
        const char *last = m ? strrchr(m, '/') : NULL;

        if (m && strcmp(last ? last + 1 : m, target) == 0)
            return true;
    }
    return false;
}

/*
 * One file disk's sizes: a volume of the pool (its allocation, capacity
 * and backing file), else a file of an instance folder (the config drive:
 * raw, its length). 1 found, 0 neither, -1 hv error.
 */
static int
disk_sizes(drv *d, const char *path, int64_t *dk_size, int64_t *virt_size,
           char **backing, drv_error *err)
{
    char *name = g_path_get_basename(path), *vpath = NULL, *dir = NULL;
    char *file = NULL, *data = NULL;
    hv_vol_info vi;
    hv_error hv;
    size_t len;
    uint64_t skipped;
    int ret = 0;

    *backing = NULL;
    vpath = hv_vol_get_path(d->conn, d->cfg.storage_pool, name, &hv);
    if (vpath && strcmp(vpath, path) == 0) {
        if (hv_vol_get_info(d->conn, d->cfg.storage_pool, name, &vi, &hv) <
            0) {
            drv_set_hv_error(err, &hv, "disk size", NULL);
            ret = -1;
            goto cleanup;
        }
        *dk_size = (int64_t)vi.allocation;
        *virt_size = (int64_t)vi.capacity;
        *backing = vi.backing_path[0] ? g_path_get_basename(vi.backing_path)
                                      : g_strdup("");
        ret = 1;
    } else if (drv_migrate_split_test_path(d, path, &dir, &file)) {
        if (hv_instance_file_read(d->conn, d->cfg.instances_path, dir, file,
                                  0, &data, &len, &skipped, &hv) < 0) {
            drv_set_hv_error(err, &hv, "disk size", NULL);
            ret = -1;
            goto cleanup;
        }
        *dk_size = *virt_size = (int64_t)(skipped + len);
        *backing = g_strdup("");
        ret = 1;
    }

cleanup:
    g_free(name);
    g_free(vpath);
    g_free(dir);
    g_free(file);
    g_free(data);
    return ret;
}

/* The reference's _get_instance_disk_info over xml, as a JSON array. */
static json_t *
disk_info_from_xml(drv *d, const drv_instance *inst, const char *xml,
                   drv_error *err)
{
    xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "domain.xml", NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR |
                                      XML_PARSE_NOWARNING);
    xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
    xmlNodePtr devs = drv_migrate_xml_child(root, "devices");
    json_t *list = json_array();

    if (!root) {
        drv_error_set(err, DRV_ERR_HYPERVISOR,
                      "the domain XML of instance %s does not parse",
                      inst->uuid);
        goto fail;
    }
    for (xmlNodePtr n = devs ? devs->children : NULL; n; n = n->next) {
        char *type = NULL, *path = NULL, *target = NULL, *fmt = NULL;
        char *backing = NULL;
        int64_t dk = 0, virt = 0;
        int got = 0;

        if (n->type != XML_ELEMENT_NODE ||
            strcmp((const char *)n->name, "disk") != 0)
            continue;
        type = drv_migrate_xml_prop(n, "type");
        path = drv_migrate_xml_prop(drv_migrate_xml_child(n, "source"), "file");
        if (!path)
            path = drv_migrate_xml_prop(drv_migrate_xml_child(n, "source"), "dev");
        target = drv_migrate_xml_prop(drv_migrate_xml_child(n, "target"), "dev");
        fmt = drv_migrate_xml_prop(drv_migrate_xml_child(n, "driver"), "type");
        /* skipped: no path, not a file or block disk, an attached volume,
         * a block device (hv cannot size one) */
        if (path && *path && type && strcmp(type, "file") == 0 &&
            !drv_migrate_is_volume_target(inst, target)) {
            got = disk_sizes(d, path, &dk, &virt, &backing, err);
            if (got == 0)
                drv_error_set(err, DRV_ERR_HYPERVISOR,
                              "cannot find the size of disk %s of instance "
                              "%s: neither a volume of pool %s nor an "
                              "instance file",
                              path, inst->uuid, d->cfg.storage_pool);
        }
        if (got == 1) {
            json_t *o = json_object();
            bool qcow2 = fmt && (strcmp(fmt, "qcow2") == 0 ||
                                 strcmp(fmt, "ploop") == 0);

            json_object_set_new(o, "type", fmt ? json_string(fmt)
                                               : json_null());
            json_object_set_new(o, "path", json_string(path));
            json_object_set_new(o, "virt_disk_size",
                                json_integer(qcow2 ? virt : dk));
            json_object_set_new(o, "backing_file",
                                json_string(qcow2 ? backing : ""));
            json_object_set_new(o, "disk_size", json_integer(dk));
            json_object_set_new(o, "over_committed_disk_size",
                                json_integer(qcow2 ? virt - dk : 0));
            json_array_append_new(list, o);
        }
        g_free(type);
        g_free(path);
        g_free(target);
        g_free(fmt);
        g_free(backing);
        if (got < 0 || err->kind != DRV_OK)
            goto fail;
    }
    xmlFreeDoc(doc);
    return list;

fail:
    xmlFreeDoc(doc);
    json_decref(list);
    return NULL;
}

int
drv_get_instance_disk_info(drv *d, const drv_instance *inst, char **json,
                           drv_error *err)
{
    hv_domain *dom = NULL;
    char *xml = NULL, *s;
    json_t *list = NULL;
    drv_error lookup;
    hv_error hv;
    int ret = -1;

    drv_error_reset(err);
    if (json)
        *json = NULL;
    if (!d || !json || !drv_inst_folder_ok(inst, err)) {
        drv_error_set(err, DRV_ERR_INVALID_INSTANCE,
                      "get_instance_disk_info needs a driver and a result");
        return -1;
    }
    /* any libvirt error getting the guest or its XML is InstanceNotFound */
    drv_error_reset(&lookup);
    if (!(dom = drv_get_guest(d, inst, &lookup))) {
        drv_set_not_found(err, inst, &lookup.hv);
        goto cleanup;
    }
    if (!(xml = hv_domain_get_xml(dom, 0, &hv))) {
        drv_set_not_found(err, inst, &hv);
        goto cleanup;
    }
    if (!(list = disk_info_from_xml(d, inst, xml, err)))
        goto cleanup;
    /* Python's json.dumps: ", " and ": " separators, keys in order */
    s = json_dumps(list, JSON_PRESERVE_ORDER);
    *json = g_strdup(s);
    free(s);
    ret = 0;

cleanup:
    json_decref(list);
    g_free(xml);
    hv_domain_free(dom);
    return ret;
}

/* ---- pre_live_migration and after ---- */

/* The instance's folder at the destination: instance_relative_path, else
 * its uuid (get_instance_path_at_destination). Borrowed. */
static const char *
dest_dir(const drv_instance *inst, const drv_migrate_data *md)
{
    return md && md->instance_relative_path ? md->instance_relative_path
                                            : inst->uuid;
}

/* disk.info in the new folder: each disk's file name there and its
 * format, from the source's disk info. */
static int
write_disk_info(drv *d, const drv_instance *inst, const char *dir,
                json_t *disks, drv_error *err)
{
    json_t *o = json_object(), *v;
    char *text;
    hv_error hv;
    size_t i;
    int ret = 0;

    json_array_foreach(disks, i, v) {
        const char *path = json_string_value(json_object_get(v, "path"));
        char *name, *key;

        if (!path)
            continue;
        name = g_path_get_basename(path);
        key = g_build_filename(d->cfg.instances_path, dir, name, NULL);
        json_object_set(o, key, json_object_get(v, "type"));
        g_free(name);
        g_free(key);
    }
    text = json_dumps(o, JSON_PRESERVE_ORDER);
    if (hv_instance_file_write(d->conn, d->cfg.instances_path, dir,
                               DISK_INFO_FILE, text, strlen(text), 0,
                               &hv) < 0) {
        drv_set_hv_error(err, &hv, "writing disk.info", inst);
        ret = -1;
    }
    free(text);
    json_decref(o);
    return ret;
}

/* migrate_data.bdms: one LibvirtLiveMigrateBDMInfo per attached volume,
 * with the name and bus the domain XML gives it (the disk mapping's,
 * drv-devnames.c; the image's bus if there is none). */
static void
fill_bdms(drv *d, const drv_instance *inst, drv_migrate_data *md)
{
    const char *bus = drv_kv_get(inst->image.properties,
                                 inst->image.n_properties, "hw_disk_bus");
    drv_disk_map map = {0};
    drv_error merr;

    drv_error_reset(&merr);
    if (drv_instance_disk_map(d, inst, &map, &merr) < 0)
        memset(&map, 0, sizeof(map));

    for (unsigned int i = 0; i < md->n_bdms; i++) {
        drv_migrate_bdm *b = &md->bdms[i];

        g_free(b->serial);
        g_free(b->bus);
        g_free(b->dev);
        g_free(b->type);
        g_free(b->format);
        g_free(b->driver_volume_type);
        g_free(b->device_path);
    }
    g_free(md->bdms);
    md->has_bdms = true;
    md->bdms = g_new0(drv_migrate_bdm, inst->n_volumes + 1);
    md->n_bdms = 0;
    for (unsigned int i = 0; i < inst->n_volumes; i++) {
        const drv_bdm *v = &inst->volumes[i];
        drv_migrate_bdm *b = &md->bdms[md->n_bdms];
        const char *dev = v->mount_device ? v->mount_device : "";

        /* only a connection_info with a serial is reported */
        if (!v->volume_id)
            continue;
        if (g_str_has_prefix(dev, "/dev/"))
            dev += 5;
        b->serial = g_strdup(v->volume_id);
        b->bus = g_strdup(map.volume_buses && map.volume_buses[i]
                              ? map.volume_buses[i]
                              : bus ? bus : "virtio");
        b->dev = g_strdup(dev);
        b->type = g_strdup("disk");
        b->boot_index = -1;
        b->driver_volume_type = g_strdup(v->driver_type);
        b->device_path = g_strdup(v->device_path);
        md->n_bdms++;
    }
    drv_disk_map_clear(&map);
}

int
drv_pre_live_migration(drv *d, const drv_instance *inst,
                       const char *disk_info, drv_migrate_data *md,
                       drv_error *err)
{
    json_t *disks = NULL;
    const char *dir;
    hv_error hv;
    int got, ret = -1;

    drv_error_reset(err);
    if (!d || !drv_inst_folder_ok(inst, err))
        return -1;
    if (!md || !md->has_is_shared_instance_path ||
        !md->has_is_shared_block_storage || !md->has_block_migration) {
        drv_error_set(err, DRV_ERR_INVALID_MIGRATE_DATA,
                      "pre_live_migration needs migrate data with "
                      "is_shared_instance_path, is_shared_block_storage "
                      "and block_migration");
        return -1;
    }
    if (disk_info) {
        disks = json_loads(disk_info, 0, NULL);
        if (!json_is_array(disks)) {
            drv_error_set(err, DRV_ERR_INVALID_MIGRATE_DATA,
                          "disk_info of instance %s is not a JSON list",
                          inst->uuid);
            goto cleanup;
        }
    }
    dir = dest_dir(inst, md);
    if (!md->is_shared_instance_path) {
        got = hv_instance_dir_exists(d->conn, d->cfg.instances_path, dir,
                                     &hv);
        if (got == 1) {
            drv_error_set(err, DRV_ERR_DESTINATION_DISK_EXISTS,
                          "The supplied disk path (%s/%s) already exists, "
                          "it is expected not to exist.",
                          d->cfg.instances_path, dir);
            goto cleanup;
        }
        if (hv_instance_dir_create(d->conn, d->cfg.instances_path, dir,
                                   &hv) < 0) {
            drv_set_hv_error(err, &hv, "creating the instance folder", inst);
            goto cleanup;
        }
        if (json_array_size(disks) > 0 &&
            write_disk_info(d, inst, dir, disks, err) < 0)
            goto cleanup;
        if (!md->is_shared_block_storage) {
            /* _create_images_and_backing: the flavor's volumes, backed by
             * the image; then the config drive, made again here */
            if (drv_ensure_disks(d, inst, err) < 0 ||
                drv_config_drive_build(d, inst, err) < 0)
                goto cleanup;
        }
        if (!md->block_migration &&
            drv_ensure_console_log(d, inst, err) < 0)
            goto cleanup;
    }
    /* volumes are host paths: nothing to connect; the VIFs (the hook
     * cannot fail, so the reference's retries never run) */
    drv_vifs_plug(d, inst);

    fill_bdms(d, inst, md);
    drv_migrate_set_str(&md->graphics_listen_addr_vnc, d->cfg.vncserver_listen);
    drv_migrate_set_str(&md->graphics_listen_addr_spice, d->cfg.spice_server_listen);
    drv_migrate_set_str(&md->serial_listen_addr,
            d->cfg.serial_console_proxyclient_address);
    drv_migrate_set_str(&md->target_connect_addr, d->cfg.live_migration_inbound_addr);
    g_strfreev(md->supported_perf_events);
    md->has_supported_perf_events = true;
    md->supported_perf_events = d->perf_events ? g_strdupv(d->perf_events)
                                               : g_new0(char *, 1);
    ret = 0;

cleanup:
    json_decref(disks);
    return ret;
}

int
drv_post_live_migration(drv *d, const drv_instance *inst,
                        const drv_migrate_data *md, drv_error *err)
{
    (void)md;
    drv_error_reset(err);
    if (!d || !drv_inst_folder_ok(inst, err))
        return -1;
    return 0;
}

int
drv_post_live_migration_at_source(drv *d, const drv_instance *inst,
                                  drv_error *err)
{
    drv_error_reset(err);
    if (!d || !drv_inst_folder_ok(inst, err))
        return -1;
    drv_vifs_unplug(d, inst);
    return 0;
}

int
drv_post_live_migration_at_destination(drv *d, const drv_instance *inst,
                                       bool block_migration, drv_error *err)
{
    hv_domain *dom = NULL, *def = NULL;
    char *xml = NULL;
    hv_error hv;
    int ret = -1;

    (void)block_migration;
    drv_error_reset(err);
    if (!d || !drv_inst_folder_ok(inst, err))
        return -1;
    if (!(dom = drv_get_guest(d, inst, err)))
        return -1;
    if (!(xml = hv_domain_get_xml(dom, 0, &hv))) {
        if (hv.code == HV_ERR_NO_DOMAIN)
            drv_set_not_found(err, inst, &hv);
        else
            drv_set_hv_error(err, &hv, "get_xml_desc", inst);
        goto cleanup;
    }
    /* write_instance_config: the live definition made persistent */
    if (!(def = hv_domain_define(d->conn, xml, &hv))) {
        drv_set_conn_error(d, err, &hv, "define", inst);
        goto cleanup;
    }
    ret = 0;

cleanup:
    hv_domain_free(def);
    hv_domain_free(dom);
    g_free(xml);
    return ret;
}

int
drv_rollback_live_migration_at_destination(drv *d, const drv_instance *inst,
                                           bool destroy_disks,
                                           const drv_migrate_data *md,
                                           drv_error *err)
{
    bool shared_block = md && md->has_is_shared_block_storage &&
                        md->is_shared_block_storage;
    /* no migrate data, or none saying otherwise: a shared path */
    bool shared_path = !md || !md->has_is_shared_instance_path ||
                       md->is_shared_instance_path;
    drv_error dir_err;
    const char *dir;
    hv_error hv;
    int ret = 0;

    drv_error_reset(err);
    if (!d || !drv_inst_folder_ok(inst, err))
        return -1;
    if (drv_destroy_domain(d, inst, 1, err) < 0 ||
        drv_cleanup_instance(d, inst, destroy_disks, shared_block, true,
                             err) < 0)
        ret = -1;
    /* the reference's finally: a failed block migration may leave the
     * folder here; its error replaces destroy's */
    if (!shared_path) {
        dir = dest_dir(inst, md);
        drv_error_reset(&dir_err);
        if (hv_instance_dir_exists(d->conn, d->cfg.instances_path, dir,
                                   &hv) == 1 &&
            hv_instance_dir_delete(d->conn, d->cfg.instances_path, dir,
                                   &hv) < 0) {
            drv_set_hv_error(&dir_err, &hv, "removing the instance folder",
                             inst);
            *err = dir_err;
            ret = -1;
        }
    }
    return ret;
}

int
drv_post_claim_migrate_data(drv *d, const drv_instance *inst,
                            drv_migrate_data *md, drv_error *err)
{
    drv_error_reset(err);
    if (!d || !md || !drv_inst_folder_ok(inst, err)) {
        drv_error_set(err, DRV_ERR_INVALID_MIGRATE_DATA,
                      "post_claim_migrate_data needs migrate data");
        return -1;
    }
    return 0;
}

int
drv_cleanup(drv *d, const drv_instance *inst, bool destroy_disks,
            const drv_migrate_data *md, bool destroy_vifs, drv_error *err)
{
    bool shared_block = md && md->has_is_shared_block_storage &&
                        md->is_shared_block_storage;

    drv_error_reset(err);
    if (!d || !drv_inst_folder_ok(inst, err))
        return -1;
    return drv_cleanup_instance(d, inst, destroy_disks, shared_block,
                                destroy_vifs, err);
}
