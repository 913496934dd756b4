/*
 * drv-migrate.c: the live-migration contract's checks and bookkeeping, as
 * the reference's libvirt driver does them (nova-libvirt-driver.py:
 * check_can_live_migrate_destination / _source and their helpers,
 * check_instance_shared_storage_*). The steps on either host around the
 * migration (get_instance_disk_info, pre_live_migration, post_*, rollback
 * at the destination, cleanup) are in drv-migrate-steps.c; the migration
 * itself and its monitor in drv-migrate-live.c.
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

void
drv_migrate_set_str(char **dst, const char *v)
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
    if (!drv_inst_folder_ok(inst, err))
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
    if (!d || !drv_inst_folder_ok(inst, err))
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
    drv_migrate_set_str(&md->instance_relative_path, inst->uuid);
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
    if (!d || !filename || !drv_inst_folder_ok(inst, err)) {
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
bool
drv_migrate_split_test_path(drv *d, const char *path, char **dir,
                            char **file)
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
    if (!drv_migrate_split_test_path(d, filename, &dir, &file))
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
    if (!drv_migrate_split_test_path(d, filename, &dir, &file))
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
