/*
 * drv-migrate.c: the live-migration contract's checks and bookkeeping, as
 * the reference's libvirt driver does them (nova-libvirt-driver.py:
 * check_can_live_migrate_destination / _source and their helpers,
 * check_instance_shared_storage_*, get_instance_disk_info,
 * pre_live_migration, post_live_migration*, rollback at the destination,
 * cleanup). The migration itself and its monitor live elsewhere.
 *
 * Every host effect goes through hv: the shared-storage test files are
 * instance files (hv_instance_file_*), disk sizes come from the pool's
 * volumes, the CPU check reads this host's capabilities.
 * docs/reference-differences.md ("Migration", "Checks") lists where hvd
 * departs from the reference and why.
 */
#include "drv-priv.h"

#include <errno.h>
#include <glib.h>
#include <jansson.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

/* The reference's MIN_LIBVIRT_BLOCK_LM_WITH_VOLUMES_VERSION (1.2.17). */
#define MIN_LIBVIRT_BLOCK_LM_WITH_VOLUMES 1002017UL
/* CONF.libvirt.images_type's default: hvd's one backend, the pool. */
#define DRV_IMAGES_TYPE "default"
#define DISK_INFO_FILE "disk.info"
#define MIB (UINT64_C(1) << 20)

static bool
inst_ok(const drv_instance *inst, drv_error *err)
{
    if (!inst || !inst->uuid || !hv_instance_name_ok(inst->uuid)) {
        drv_error_set(err, DRV_ERR_INVALID_INSTANCE,
                      "an instance needs a uuid that can name its folder");
        return false;
    }
    return true;
}

static void
set_str(char **dst, const char *v)
{
    g_free(*dst);
    *dst = v ? g_strdup(v) : NULL;
}

/* CONF.host: the name the reference's errors give as the path. */
static const char *
host_name(drv *d)
{
    return d->hostname ? d->hostname : "";
}

/* ---- the shared-storage test file in instances_path ---- */

/*
 * instances_path as hv's instance files see it: its parent as the base
 * and its last component as the folder (the test file sits directly in
 * instances_path, not in an instance's folder). g_free both.
 */
static void
split_instances_path(drv *d, char **base, char **dir)
{
    char *p = g_strdup(d->cfg.instances_path);
    size_t n = strlen(p);

    while (n > 1 && p[n - 1] == '/')
        p[--n] = '\0';
    *base = g_path_get_dirname(p);
    *dir = g_path_get_basename(p);
    g_free(p);
}

/* mkstemp's "tmpXXXXXXXX", its letters from the hv PRNG (g_free). */
static char *
tmp_name(drv *d)
{
    static const char chars[] = "abcdefghijklmnopqrstuvwxyz0123456789_";
    char name[12] = "tmp";

    for (int i = 3; i < 11; i++)
        name[i] = chars[hv_random(d->conn) % (sizeof(chars) - 1)];
    name[11] = '\0';
    return g_strdup(name);
}

/* Create an empty file base/dir/<tmp> that does not exist yet; its name
 * (g_free) or NULL with the hv error. */
static char *
create_tmp_file(drv *d, const char *base, const char *dir, hv_error *hv)
{
    char *name = NULL, *data = NULL;
    size_t len;
    uint64_t skipped;

    /* mkstemp's O_EXCL: a name taken already is drawn again */
    for (int tries = 0; tries < 100; tries++) {
        g_free(name);
        name = tmp_name(d);
        if (hv_instance_file_read(d->conn, base, dir, name, 0, &data, &len,
                                  &skipped, hv) < 0)
            break;
        g_free(data);
        data = NULL;
    }
    if (hv_instance_file_write(d->conn, base, dir, name, "", 0, 0, hv) < 0) {
        g_free(name);
        return NULL;
    }
    return name;
}

/* Does base/dir/file exist (os.path.exists: any failure is "no")? */
static bool
file_exists(drv *d, const char *base, const char *dir, const char *file)
{
    char *data = NULL;
    size_t len;
    uint64_t skipped;
    hv_error hv;

    if (hv_instance_file_read(d->conn, base, dir, file, 0, &data, &len,
                              &skipped, &hv) < 0)
        return false;
    g_free(data);
    return true;
}

/* ---- the CPU check ---- */

/* The string member key of o, NULL if absent or not a string. */
static const char *
json_str(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/*
 * The cpu_info the reference builds its LibvirtConfigCPU from: an object
 * with arch, model, vendor, topology {sockets, cores, threads} and a list
 * of feature names (a missing one is its KeyError). NULL with
 * MigrationPreCheckError naming what is wrong.
 */
static json_t *
parse_cpu_info(const char *text, const char *whose, drv_error *err)
{
    static const char *const keys[] = {"arch", "model", "vendor", "topology",
                                       "features"};
    static const char *const topo[] = {"sockets", "cores", "threads"};
    json_error_t je;
    json_t *o = text ? json_loads(text, 0, &je) : NULL;
    json_t *t, *f, *v;
    size_t i;

    if (!json_is_object(o)) {
        drv_error_set(err, DRV_ERR_MIGRATION_PRECHECK,
                      "Migration pre-check error: the cpu_info of %s is not "
                      "a JSON object", whose);
        goto fail;
    }
    for (i = 0; i < G_N_ELEMENTS(keys); i++)
        if (!json_object_get(o, keys[i])) {
            drv_error_set(err, DRV_ERR_MIGRATION_PRECHECK,
                          "Migration pre-check error: the cpu_info of %s "
                          "has no \"%s\"", whose, keys[i]);
            goto fail;
        }
    t = json_object_get(o, "topology");
    for (i = 0; i < G_N_ELEMENTS(topo); i++)
        if (!json_is_object(t) || !json_object_get(t, topo[i])) {
            drv_error_set(err, DRV_ERR_MIGRATION_PRECHECK,
                          "Migration pre-check error: the cpu_info of %s "
                          "has no \"topology\".\"%s\"", whose, topo[i]);
            goto fail;
        }
    f = json_object_get(o, "features");
    json_array_foreach(f, i, v) if (!json_is_string(v)) f = NULL;
    if (!json_is_array(f)) {
        drv_error_set(err, DRV_ERR_MIGRATION_PRECHECK,
                      "Migration pre-check error: the \"features\" of the "
                      "cpu_info of %s are not a list of names", whose);
        goto fail;
    }
    return o;

fail:
    json_decref(o);
    return NULL;
}

/* Two optional names differ (both given and not equal). */
static bool
differ(const char *a, const char *b)
{
    return a && b && strcmp(a, b) != 0;
}

/*
 * The reference's _compare_cpu with the source's cpu_info, on this host:
 * skipped unless virt_type is "kvm"; capabilities hv cannot give
 * (NO_SUPPORT) let the migration proceed, any other failure is
 * MigrationPreCheckError; incompatible CPUs are InvalidCPUInfo. hv has no
 * virConnectCompareCPU: compatible as far as hv can tell means the same
 * architecture and vendor, and every feature of the source present here
 * (the model is not compared: that needs libvirt's CPU map).
 */
static int
compare_cpu(drv *d, const drv_instance *inst, const char *src_cpu_info,
            drv_error *err)
{
    static const char *const refer =
        "http://libvirt.org/html/libvirt-libvirt-host.html#virCPUCompareResult";
    json_t *src = NULL, *host = NULL, *hf, *v;
    drv_error herr;
    char *host_text = NULL;
    const char *why = NULL;
    size_t i;
    int ret = -1;

    if (strcmp(d->cfg.virt_type, "kvm") != 0)
        return 0;
    if (!(src = parse_cpu_info(src_cpu_info, "the source", err)))
        goto cleanup;
    drv_error_reset(&herr);
    if (!(host_text = drv_host_cpu_info(d, &herr))) {
        if (herr.hv.code == HV_ERR_NO_SUPPORT) {
            ret = 0;
            goto cleanup;
        }
        drv_error_set(err, DRV_ERR_MIGRATION_PRECHECK,
                      "CPU doesn't have compatibility.\n\n%s\n\nRefer to %s",
                      herr.message, refer);
        err->hv = herr.hv;
        goto cleanup;
    }
    if (!(host = parse_cpu_info(host_text, "this host", err)))
        goto cleanup;
    if (differ(json_str(src, "arch"), json_str(host, "arch")))
        why = "architecture";
    else if (differ(json_str(src, "vendor"), json_str(host, "vendor")))
        why = "vendor";
    hf = json_object_get(host, "features");
    json_array_foreach(json_object_get(src, "features"), i, v) {
        bool found = false;
        size_t j;
        json_t *w;

        json_array_foreach(hf, j, w) if (json_equal(v, w)) found = true;
        if (!found && !why)
            why = json_string_value(v);
    }
    if (why) {
        /* the reference's ret <= 0: INCOMPATIBLE (0) */
        drv_error_set(err, DRV_ERR_INVALID_CPU_INFO,
                      "CPU doesn't have compatibility.\n\n0 (%s of instance "
                      "%s's source host)\n\nRefer to %s",
                      why, inst->uuid, refer);
        goto cleanup;
    }
    ret = 0;

cleanup:
    g_free(host_text);
    json_decref(src);
    json_decref(host);
    return ret;
}

/* ---- check_can_live_migrate_destination / _source ---- */

int
drv_check_can_live_migrate_destination(drv *d, const drv_instance *inst,
                                       const drv_resources *src,
                                       const drv_resources *dst,
                                       int block_migration,
                                       int disk_over_commit,
                                       drv_migrate_data *out, drv_error *err)
{
    drv_migrate_data md = {0};
    char *base = NULL, *dir = NULL, *name = NULL;
    hv_error hv;
    int ret = -1;

    drv_error_reset(err);
    if (out)
        memset(out, 0, sizeof(*out));
    if (!d || !out || !src || !dst) {
        drv_error_set(err, DRV_ERR_INVALID_INSTANCE,
                      "check_can_live_migrate_destination needs a driver, "
                      "both hosts' resources and migrate data to fill");
        return -1;
    }
    if (!inst_ok(inst, err))
        return -1;
    /* the instance has no vcpu_model of its own: the source's CPU is
     * compared */
    if (compare_cpu(d, inst, src->cpu_info, err) < 0)
        goto cleanup;
    split_instances_path(d, &base, &dir);
    /* instances_path is there on any host that ran an instance; a fresh
     * one (a new fake host) gets it, where the reference's mkstemp would
     * fail */
    if (hv_instance_dir_create(d->conn, base, dir, &hv) < 0 ||
        !(name = create_tmp_file(d, base, dir, &hv))) {
        drv_set_hv_error(err, &hv,
                         "creating the shared storage test file", inst);
        goto cleanup;
    }
    md.filename = name;
    name = NULL;
    md.image_type = g_strdup(DRV_IMAGES_TYPE);
    if (block_migration >= 0) {
        md.has_block_migration = true;
        md.block_migration = block_migration != 0;
    }
    if (disk_over_commit >= 0) {
        md.has_disk_over_commit = true;
        md.disk_over_commit = disk_over_commit != 0;
    }
    md.has_disk_available_mb = true;
    md.disk_available_mb =
        dst->disk_available_least * 1024 - d->cfg.reserved_host_disk_mb;
    *out = md;
    memset(&md, 0, sizeof(md));
    ret = 0;

cleanup:
    drv_migrate_data_clear(&md);
    g_free(name);
    g_free(base);
    g_free(dir);
    return ret;
}

int
drv_cleanup_live_migration_destination_check(drv *d,
                                             const drv_migrate_data *md,
                                             drv_error *err)
{
    char *base = NULL, *dir = NULL;
    hv_error hv;
    int ret = -1;

    drv_error_reset(err);
    if (!d || !md || !md->filename) {
        drv_error_set(err, DRV_ERR_INVALID_MIGRATE_DATA,
                      "migrate data without a filename");
        return -1;
    }
    split_instances_path(d, &base, &dir);
    if (hv_instance_file_delete(d->conn, base, dir, md->filename, &hv) < 0) {
        drv_set_hv_error(err, &hv, "removing the shared storage test file",
                         NULL);
        goto cleanup;
    }
    ret = 0;

cleanup:
    g_free(base);
    g_free(dir);
    return ret;
}

/* The disks of a get_instance_disk_info JSON (a new reference). */
static json_t *
disk_info_list(const char *text)
{
    json_t *l = json_loads(text, 0, NULL);

    if (!json_is_array(l)) {
        json_decref(l);
        l = json_array();
    }
    return l;
}

/* The reference's _has_local_disk: an ephemeral disk, swap or a config
 * drive among the disks (hvd's ephemeral volumes are disk.eph<N>, the
 * reference's disk.local). */
static bool
has_local_disk(json_t *disks)
{
    static const char *const local[] = {"disk.local", "disk.eph",
                                        "disk.swap", "disk.config"};
    size_t i;
    json_t *v;

    json_array_foreach(disks, i, v) {
        const char *path = json_str(v, "path");

        for (size_t k = 0; path && k < G_N_ELEMENTS(local); k++)
            if (strstr(path, local[k]))
                return true;
    }
    return false;
}

/* The reference's _assert_dest_node_has_enough_disk. */
static int
assert_enough_disk(const drv_instance *inst, const drv_migrate_data *md,
                   json_t *disks, drv_error *err)
{
    /* a disk_available_mb of 0 (or unset) counts as nothing available */
    int64_t available = md->has_disk_available_mb
                            ? md->disk_available_mb * (int64_t)MIB
                            : 0;
    int64_t necessary = 0;
    size_t i;
    json_t *v;

    json_array_foreach(disks, i, v) necessary += json_integer_value(
        json_object_get(v, md->disk_over_commit ? "disk_size"
                                                : "virt_disk_size"));
    if (available - necessary < 0) {
        drv_error_set(err, DRV_ERR_MIGRATION_PRECHECK,
                      "Migration pre-check error: Unable to migrate %s: "
                      "Disk of instance is too large(available on "
                      "destination host:%" G_GINT64_FORMAT
                      " < need:%" G_GINT64_FORMAT ")",
                      inst->uuid, available, necessary);
        return -1;
    }
    return 0;
}

int
drv_check_can_live_migrate_source(drv *d, const drv_instance *inst,
                                  drv_migrate_data *md, drv_error *err)
{
    char *base = NULL, *dir = NULL, *text = NULL;
    json_t *disks = NULL;
    bool shared, booted_from_volume, local;
    unsigned long lib = 0, hv_ver = 0;
    hv_error hv;
    int ret = -1;

    drv_error_reset(err);
    if (!d || !inst_ok(inst, err))
        return -1;
    if (!md || !md->filename) {
        drv_error_set(err, DRV_ERR_INVALID_MIGRATE_DATA,
                      "migrate data without the destination check's "
                      "filename");
        return -1;
    }
    split_instances_path(d, &base, &dir);
    md->has_is_shared_instance_path = true;
    md->is_shared_instance_path = file_exists(d, base, dir, md->filename);

    if (drv_get_instance_disk_info(d, inst, &text, err) < 0)
        goto cleanup;
    disks = disk_info_list(text);
    /*
     * _is_shared_block_storage: hvd's pool is neither a shared block
     * backend (RBD) nor files in the instance path, so only a volume-backed
     * instance without local disks shares its block storage.
     */
    md->has_is_shared_block_storage = true;
    md->is_shared_block_storage =
        md->is_volume_backed && json_array_size(disks) == 0;

    booted_from_volume = !(inst->image.id || inst->image.path ||
                           inst->image.volume) ||
                         json_array_size(disks) == 0;
    local = has_local_disk(disks);
    shared = md->is_shared_block_storage || md->is_shared_instance_path;
    if (!md->has_block_migration) {
        md->has_block_migration = true;
        md->block_migration = !shared;
    }
    if (md->block_migration) {
        if (shared) {
            drv_error_set(err, DRV_ERR_INVALID_LOCAL_STORAGE,
                          "%s is not on local storage: Block migration can "
                          "not be used with shared storage.",
                          host_name(d));
            goto cleanup;
        }
        if (md->has_disk_over_commit &&
            assert_enough_disk(inst, md, disks, err) < 0)
            goto cleanup;
        if (inst->n_volumes > 0) {
            if (hv_conn_get_version(d->conn, &lib, &hv_ver, &hv) < 0) {
                drv_set_conn_error(d, err, &hv, "get version", inst);
                goto cleanup;
            }
            if (lib < MIN_LIBVIRT_BLOCK_LM_WITH_VOLUMES) {
                drv_error_set(err, DRV_ERR_MIGRATION_PRECHECK,
                              "Migration pre-check error: Cannot block "
                              "migrate instance %s with mapped volumes. "
                              "Selective block device migration feature "
                              "requires libvirt version 1.2.17",
                              inst->uuid);
                goto cleanup;
            }
            /* selective disk migration does not work tunnelled */
            if (drv_live_migration_flags(&d->cfg, true, lib, hv_ver, NULL) &
                HV_MIGRATE_TUNNELLED) {
                drv_error_set(err, DRV_ERR_MIGRATION_PRECHECK,
                              "Migration pre-check error: Cannot block "
                              "migrate instance %s with mapped volumes. "
                              "Selective block device migration is not "
                              "supported with tunnelled block migrations.",
                              inst->uuid);
                goto cleanup;
            }
        }
    } else if (!(shared || (booted_from_volume && !local))) {
        drv_error_set(err, DRV_ERR_INVALID_SHARED_STORAGE,
                      "%s is not on shared storage: Live migration can not "
                      "be used without shared storage except a booted from "
                      "volume VM which does not have a local disk.",
                      host_name(d));
        goto cleanup;
    }
    set_str(&md->instance_relative_path, inst->uuid);
    ret = 0;

cleanup:
    json_decref(disks);
    g_free(text);
    g_free(base);
    g_free(dir);
    return ret;
}

/* ---- check_instance_shared_storage_* ---- */

int
drv_check_instance_shared_storage_local(drv *d, const drv_instance *inst,
                                        char **filename, drv_error *err)
{
    char *name;
    hv_error hv;
    int got;

    drv_error_reset(err);
    if (filename)
        *filename = NULL;
    if (!d || !filename || !inst_ok(inst, err)) {
        drv_error_set(err, DRV_ERR_INVALID_INSTANCE,
                      "check_instance_shared_storage_local needs a driver "
                      "and a result");
        return -1;
    }
    /* os.path.exists: a folder hv cannot reach is not there */
    got = hv_instance_dir_exists(d->conn, d->cfg.instances_path, inst->uuid,
                                 &hv);
    if (got != 1)
        return 0;
    if (!(name = create_tmp_file(d, d->cfg.instances_path, inst->uuid,
                                 &hv))) {
        drv_set_hv_error(err, &hv, "creating the shared storage test file",
                         inst);
        return -1;
    }
    *filename = g_build_filename(d->cfg.instances_path, inst->uuid, name,
                                 NULL);
    g_free(name);
    return 0;
}

/*
 * The folder and file of a path the local check gave:
 * instances_path/<dir>/<file>. false if path is not of that form (hv
 * reaches no other file).
 */
static bool
split_test_path(drv *d, const char *path, char **dir, char **file)
{
    const char *base = d->cfg.instances_path;
    size_t n = strlen(base);
    const char *rest, *slash;

    while (n > 1 && base[n - 1] == '/')
        n--;
    if (strncmp(path, base, n) != 0 || path[n] != '/')
        return false;
    rest = path + n + 1;
    if (!(slash = strchr(rest, '/')))
        return false;
    *dir = g_strndup(rest, (size_t)(slash - rest));
    *file = g_strdup(slash + 1);
    if (!hv_instance_name_ok(*dir) || !hv_instance_name_ok(*file)) {
        g_free(*dir);
        g_free(*file);
        return false;
    }
    return true;
}

int
drv_check_instance_shared_storage_remote(drv *d, const char *filename,
                                         drv_error *err)
{
    char *dir = NULL, *file = NULL;
    bool found;

    drv_error_reset(err);
    if (!d || !filename) {
        drv_error_set(err, DRV_ERR_INVALID_MIGRATE_DATA,
                      "check_instance_shared_storage_remote needs a "
                      "filename");
        return -1;
    }
    if (!split_test_path(d, filename, &dir, &file))
        return 0;
    found = file_exists(d, d->cfg.instances_path, dir, file);
    g_free(dir);
    g_free(file);
    return found ? 1 : 0;
}

int
drv_check_instance_shared_storage_cleanup(drv *d, const char *filename,
                                          drv_error *err)
{
    char *dir = NULL, *file = NULL;
    hv_error hv;
    int ret = 0;

    drv_error_reset(err);
    if (!d || !filename) {
        drv_error_set(err, DRV_ERR_INVALID_MIGRATE_DATA,
                      "check_instance_shared_storage_cleanup needs a "
                      "filename");
        return -1;
    }
    if (!split_test_path(d, filename, &dir, &file))
        return 0;
    /* fileutils.delete_if_exists: only a missing file is fine */
    if (hv_instance_file_delete(d->conn, d->cfg.instances_path, dir, file,
                                &hv) < 0 &&
        !(hv.code == HV_ERR_SYSTEM_ERROR && hv.sys_errno == ENOENT)) {
        drv_set_hv_error(err, &hv, "removing the shared storage test file",
                         NULL);
        ret = -1;
    }
    g_free(dir);
    g_free(file);
    return ret;
}

/* ---- get_instance_disk_info ---- */

static char *
prop(xmlNodePtr n, const char *name)
{
    xmlChar *v = n ? xmlGetProp(n, (const xmlChar *)name) : NULL;
    char *out = v ? g_strdup((const char *)v) : NULL;

    xmlFree(v);
    return out;
}

static xmlNodePtr
child(xmlNodePtr n, const char *name)
{
    for (xmlNodePtr c = n ? n->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE &&
            strcmp((const char *)c->name, name) == 0)
            return c;
    return NULL;
}

/* Is target one of the instance's attached volumes (mount_device's last
 * component)? */
static bool
is_volume_target(const drv_instance *inst, const char *target)
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
    } else if (split_test_path(d, path, &dir, &file)) {
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
    xmlNodePtr devs = child(root, "devices");
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
        type = prop(n, "type");
        path = prop(child(n, "source"), "file");
        if (!path)
            path = prop(child(n, "source"), "dev");
        target = prop(child(n, "target"), "dev");
        fmt = prop(child(n, "driver"), "type");
        /* skipped: no path, not a file or block disk, an attached volume,
         * a block device (hv cannot size one) */
        if (path && *path && type && strcmp(type, "file") == 0 &&
            !is_volume_target(inst, target)) {
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
    if (!d || !json || !inst_ok(inst, err)) {
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
        const char *path = json_str(v, "path");
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
 * with the bus the domain XML gives it. */
static void
fill_bdms(const drv_instance *inst, drv_migrate_data *md)
{
    const char *bus = drv_kv_get(inst->image.properties,
                                 inst->image.n_properties, "hw_disk_bus");

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
        b->bus = g_strdup(bus ? bus : "virtio");
        b->dev = g_strdup(dev);
        b->type = g_strdup("disk");
        b->boot_index = -1;
        b->driver_volume_type = g_strdup(v->driver_type);
        b->device_path = g_strdup(v->device_path);
        md->n_bdms++;
    }
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
    if (!d || !inst_ok(inst, err))
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

    fill_bdms(inst, md);
    set_str(&md->graphics_listen_addr_vnc, d->cfg.vncserver_listen);
    set_str(&md->graphics_listen_addr_spice, d->cfg.spice_server_listen);
    set_str(&md->serial_listen_addr,
            d->cfg.serial_console_proxyclient_address);
    set_str(&md->target_connect_addr, d->cfg.live_migration_inbound_addr);
    g_strfreev(md->supported_perf_events);
    md->has_supported_perf_events = true;
    md->supported_perf_events = g_new0(char *, 1);
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
    if (!d || !inst_ok(inst, err))
        return -1;
    return 0;
}

int
drv_post_live_migration_at_source(drv *d, const drv_instance *inst,
                                  drv_error *err)
{
    drv_error_reset(err);
    if (!d || !inst_ok(inst, err))
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
    if (!d || !inst_ok(inst, err))
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
    if (!d || !inst_ok(inst, err))
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
    if (!d || !md || !inst_ok(inst, err)) {
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
    if (!d || !inst_ok(inst, err))
        return -1;
    return drv_cleanup_instance(d, inst, destroy_disks, shared_block,
                                destroy_vifs, err);
}
