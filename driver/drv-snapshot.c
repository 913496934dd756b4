/*
 * drv-snapshot.c: snapshot, as the reference's snapshot does it with an
 * image backend that has no direct snapshot (every backend but rbd):
 * the decision between a live and a cold snapshot, the guest saved and
 * restored around a cold one (_prepare_domain_for_snapshot,
 * _snapshot_domain), the root disk extracted into a new flat image
 * (snapshot_extract: qemu-img convert, here libvirt's
 * virStorageVolCreateXMLFrom through hv_vol_create_from), or live
 * (_live_snapshot) through a delta image that a block copy job fills
 * while the domain is transient, and the task-state callbacks in the
 * reference's order. Also the image store the images land in: a volume
 * of the pool and a metadata file (drv.h, "snapshots").
 */
#include "drv-priv.h"

#include <errno.h>
#include <glib.h>
#include <jansson.h>
#include <string.h>

/* The instance-file folder under instances_path holding the images'
 * metadata (the reference's snapshots_directory is
 * $instances_path/snapshots). */
#define SNAPSHOTS_DIR "snapshots"
/* The longest image name: the metadata file adds ".json", a live
 * snapshot's delta ".delta", within a 255-byte file name. */
#define IMAGE_NAME_MAX 250

const char *
drv_task_state_name(int state)
{
    switch (state) {
    case DRV_TASK_IMAGE_PENDING_UPLOAD:
        return "image_pending_upload";
    case DRV_TASK_IMAGE_UPLOADING:
        return "image_uploading";
    }
    return NULL;
}

/* ---- the image store ---- */

static bool
image_name_ok(const char *name)
{
    return hv_instance_name_ok(name) && name[0] != '.' &&
           strlen(name) <= IMAGE_NAME_MAX;
}

static int
check_image_name(const char *name, drv_error *err)
{
    if (image_name_ok(name))
        return 0;
    drv_error_set(err, DRV_ERR_INVALID_IMAGE_REF,
                  "Invalid image href %s%s%s: an image name is one path "
                  "component (no '/'), not starting with '.', 1 to %d "
                  "bytes", name ? "'" : "", name ? name : "(null)",
                  name ? "'" : "", IMAGE_NAME_MAX);
    return -1;
}

static char *
meta_file(const char *name)
{
    return g_strdup_printf("%s.json", name);
}

/* 1 if the store has a metadata file for name, 0 if not, -1 with the hv
 * error. */
static int
meta_exists(drv *d, const char *name, char **json, drv_error *err)
{
    char *file = meta_file(name);
    char *data = NULL;
    size_t len = 0;
    uint64_t skipped = 0;
    hv_error hv;
    int rc;

    rc = hv_instance_file_read(d->conn, d->cfg.instances_path, SNAPSHOTS_DIR,
                               file, 1 << 20, &data, &len, &skipped, &hv);
    g_free(file);
    if (rc == 0) {
        if (json)
            *json = data;
        else
            g_free(data);
        return 1;
    }
    if (hv.code == HV_ERR_SYSTEM_ERROR && hv.sys_errno == ENOENT)
        return 0;
    drv_set_conn_error(d, err, &hv, "reading the image's metadata", NULL);
    return -1;
}

/* 1 if the pool has a volume name, 0 if not, -1 with the hv error. */
static int
volume_exists(drv *d, const char *name, hv_vol_info *vi, drv_error *err)
{
    hv_vol_info tmp;
    hv_error hv;

    if (hv_vol_get_info(d->conn, d->cfg.storage_pool, name, vi ? vi : &tmp,
                        &hv) == 0)
        return 1;
    if (hv.code == HV_ERR_NO_STORAGE_VOL)
        return 0;
    drv_set_conn_error(d, err, &hv, "reading the image's volume", NULL);
    return -1;
}

char *
drv_image_get(drv *d, const char *name, drv_error *err)
{
    char *json = NULL;
    int rc;

    drv_error_reset(err);
    if (check_image_name(name, err) < 0)
        return NULL;
    rc = meta_exists(d, name, &json, err);
    if (rc == 0)
        drv_error_set(err, DRV_ERR_IMAGE_NOT_FOUND,
                      "Image %s could not be found.", name);
    return rc > 0 ? json : NULL;
}

int
drv_image_delete(drv *d, const char *name, drv_error *err)
{
    char *file;
    hv_error hv;
    int meta, vol;

    drv_error_reset(err);
    if (check_image_name(name, err) < 0 ||
        (meta = meta_exists(d, name, NULL, err)) < 0 ||
        (vol = volume_exists(d, name, NULL, err)) < 0)
        return -1;
    if (!meta && !vol) {
        drv_error_set(err, DRV_ERR_IMAGE_NOT_FOUND,
                      "Image %s could not be found.", name);
        return -1;
    }
    /* the metadata first: a half-deleted image is no longer listed */
    if (meta) {
        file = meta_file(name);
        if (hv_instance_file_delete(d->conn, d->cfg.instances_path,
                                    SNAPSHOTS_DIR, file, &hv) < 0 &&
            !(hv.code == HV_ERR_SYSTEM_ERROR && hv.sys_errno == ENOENT)) {
            drv_set_conn_error(d, err, &hv, "deleting the image's metadata",
                               NULL);
            g_free(file);
            return -1;
        }
        g_free(file);
    }
    if (vol && hv_vol_delete(d->conn, d->cfg.storage_pool, name, &hv) < 0 &&
        hv.code != HV_ERR_NO_STORAGE_VOL) {
        drv_set_conn_error(d, err, &hv, "deleting the image's volume", NULL);
        return -1;
    }
    return 0;
}

/* The reference's _create_snapshot_metadata, and what the upload adds
 * (the image's size and where its data is). JSON text, g_free. */
static char *
snapshot_metadata(drv *d, const drv_instance *inst, const char *name,
                  const char *image_format, const hv_vol_info *vi)
{
    const char *container = drv_xml_image_prop(inst, "container_format");
    const char *os_type = drv_xml_image_prop(inst, "os_type");
    const char *kernel = drv_xml_image_prop(inst, "kernel_id");
    const char *ramdisk = drv_xml_image_prop(inst, "ramdisk_id");
    json_t *o = json_object(), *props = json_object();
    char *s, *out;

    json_object_set_new(o, "id", json_string(name));
    json_object_set_new(o, "name", json_string(name));
    json_object_set_new(o, "is_public", json_false());
    json_object_set_new(o, "status", json_string("active"));
    /* Glance forces an ami image's format to stay ami */
    json_object_set_new(o, "disk_format",
                        json_string(inst->image.format &&
                                            strcmp(inst->image.format,
                                                   "ami") == 0
                                        ? "ami"
                                        : image_format));
    json_object_set_new(o, "container_format",
                        json_string(container ? container : "bare"));
    json_object_set_new(o, "size", json_integer((json_int_t)vi->allocation));
    json_object_set_new(o, "virtual_size",
                        json_integer((json_int_t)vi->capacity));
    json_object_set_new(o, "pool", json_string(d->cfg.storage_pool));
    json_object_set_new(o, "volume", json_string(name));
    json_object_set_new(props, "image_location", json_string("snapshot"));
    json_object_set_new(props, "image_state", json_string("available"));
    json_object_set_new(props, "instance_uuid", json_string(inst->uuid));
    if (inst->image.id)
        json_object_set_new(props, "base_image_ref",
                            json_string(inst->image.id));
    json_object_set_new(props, "kernel_id",
                        kernel ? json_string(kernel) : json_null());
    json_object_set_new(props, "ramdisk_id",
                        ramdisk ? json_string(ramdisk) : json_null());
    if (os_type)
        json_object_set_new(props, "os_type", json_string(os_type));
    json_object_set_new(o, "properties", props);
    s = json_dumps(o, JSON_SORT_KEYS | JSON_INDENT(2));
    out = g_strdup(s);
    free(s);
    json_decref(o);
    return out;
}

/* The upload: the metadata that makes the image volume an image. */
static int
upload(drv *d, const drv_instance *inst, const char *name,
       const char *image_format, drv_error *err)
{
    char *file = NULL, *json = NULL;
    hv_vol_info vi;
    hv_error hv;
    int ret = -1;

    if (hv_vol_get_info(d->conn, d->cfg.storage_pool, name, &vi, &hv) < 0) {
        drv_set_conn_error(d, err, &hv, "reading the snapshot's volume",
                           inst);
        goto cleanup;
    }
    json = snapshot_metadata(d, inst, name, image_format, &vi);
    file = meta_file(name);
    if (hv_instance_dir_create(d->conn, d->cfg.instances_path, SNAPSHOTS_DIR,
                               &hv) < 0 ||
        hv_instance_file_write(d->conn, d->cfg.instances_path, SNAPSHOTS_DIR,
                               file, json, strlen(json), 0, &hv) < 0) {
        drv_set_conn_error(d, err, &hv, "uploading the snapshot", inst);
        goto cleanup;
    }
    ret = 0;

cleanup:
    g_free(file);
    g_free(json);
    return ret;
}

/* ---- the snapshot ---- */

/* What one snapshot works with; strings owned. */
typedef struct snap {
    drv *d;
    const drv_instance *inst;
    const char *name;        /* the image's (borrowed) */
    hv_domain *dom;
    char *root;              /* the root disk's volume */
    char *disk_path;         /* and its path */
    hv_vol_info root_info;   /* format, size, backing file */
    const char *image_format;
    int state;               /* power state before the snapshot */
    bool live;
    bool image_made;         /* the image volume exists: delete on error */
    drv_task_state_fn cb;
    void *opaque;
} snap;

static void
task_state(snap *s, drv_task_state state, int expected)
{
    if (s->cb)
        s->cb(s->opaque, state, expected);
}

/*
 * The reference's choice: live when the hypervisor is QEMU and the
 * workaround does not disable it, unless aborting the disk's block job
 * (idempotent, and a probe of the running QEMU) answers
 * CONFIG_UNSUPPORTED; never for a SHUTDOWN instance (a managed save
 * image is in the way).
 */
static bool
choose_live(snap *s)
{
    hv_error hv;
    bool live = false;

    if (drv_xml_kvm_or_qemu(&s->d->cfg) &&
        !s->d->cfg.disable_libvirt_livesnapshot) {
        live = true;
        if (hv_domain_block_job_abort(s->dom, s->disk_path, 0, &hv) < 0 &&
            hv.code == HV_ERR_CONFIG_UNSUPPORTED)
            live = false;
    }
    if (s->state == DRV_POWER_SHUTDOWN)
        live = false;
    return live;
}

/* Extract the disk into the image volume (snapshot_extract, and the
 * reference's extract_snapshot of a live delta): a flat copy. */
static int
extract(snap *s, const char *from, drv_error *err)
{
    hv_vol_spec spec = {.name = s->name, .format = s->image_format};
    hv_error hv;

    if (hv_vol_create_from(s->d->conn, s->d->cfg.storage_pool, &spec, from,
                           &hv) < 0) {
        drv_set_hv_error(err, &hv, "extracting the snapshot", s->inst);
        return -1;
    }
    s->image_made = true;
    return 0;
}

/* _snapshot_domain: a cold snapshot starts the saved guest again, paused
 * if it was paused; nothing for a live one or a guest that was off. */
static int
restore_guest(snap *s, drv_error *err)
{
    hv_error hv;

    if (s->live ||
        (s->state != DRV_POWER_RUNNING && s->state != DRV_POWER_PAUSED))
        return 0;
    if (hv_domain_create(s->dom,
                         s->state == DRV_POWER_PAUSED ? HV_CREATE_START_PAUSED
                                                      : 0,
                         &hv) < 0) {
        drv_set_hv_error(err, &hv, "restoring the guest after a snapshot",
                         s->inst);
        return -1;
    }
    return 0;
}

/* guest.delete_configuration: undefine with the managed save image, or
 * plainly if libvirt refuses the flag. */
static int
delete_configuration(snap *s, drv_error *err)
{
    hv_error hv;

    if (hv_domain_undefine(s->dom, HV_UNDEFINE_MANAGED_SAVE, &hv) == 0)
        return 0;
    if (hv_domain_undefine(s->dom, 0, &hv) == 0)
        return 0;
    drv_set_hv_error(err, &hv, "undefining the domain for a live snapshot",
                     s->inst);
    return -1;
}

/* The block copy: mirror the disk into delta until the copy has caught
 * up (the reference's wait_for_job loop, every 0.5 s), then end the job,
 * which leaves delta holding the disk as of then. */
static int
block_copy(snap *s, const char *delta_path, drv_error *err)
{
    hv_block_job_info job;
    hv_error hv;
    int has;

    if (hv_domain_block_rebase(s->dom, s->disk_path, delta_path,
                               HV_BLOCK_REBASE_COPY |
                                   HV_BLOCK_REBASE_REUSE_EXT |
                                   HV_BLOCK_REBASE_SHALLOW,
                               &hv) < 0) {
        drv_set_hv_error(err, &hv, "block copy for a live snapshot", s->inst);
        return -1;
    }
    for (;;) {
        if ((has = hv_domain_block_job_info(s->dom, s->disk_path, &job,
                                            &hv)) < 0) {
            drv_set_hv_error(err, &hv, "block job info", s->inst);
            return -1;
        }
        /* no job, or cur == end: done (the reference's wait_for_job) */
        if (!has || job.cur == job.end)
            break;
        if (drv_sleep(s->d, DRV_POLL_NS, err) < 0)
            return -1;
    }
    if (hv_domain_block_job_abort(s->dom, s->disk_path, 0, &hv) < 0) {
        drv_set_hv_error(err, &hv, "ending the block copy", s->inst);
        return -1;
    }
    return 0;
}

/*
 * _live_snapshot: the delta (a qcow2 over the disk's backing file, the
 * disk's size), quiesce if the guest can (required only by the image
 * property os_require_quiesce), the domain made transient, the block
 * copy, then — whatever that gave — the definition restored and the
 * guest thawed; then the delta extracted into the image. The delta, the
 * reference's file in a temporary folder, is deleted in every case.
 */
static int
live_snapshot(snap *s, drv_error *err)
{
    drv *d = s->d;
    char *xml = NULL, *delta = g_strdup_printf("%s.delta", s->name);
    char *delta_path = NULL;
    hv_vol_spec spec = {
        .name = delta,
        .capacity = s->root_info.capacity,
        .format = "qcow2",
        .backing_path = s->root_info.backing_path[0]
                            ? s->root_info.backing_path : NULL,
        .backing_format = s->root_info.backing_format[0]
                              ? s->root_info.backing_format : NULL,
    };
    drv_error qerr, fin;
    bool quiesced = false, delta_made = false;
    hv_domain *dom;
    hv_error hv;
    int persistent, ret = -1;

    if (!(xml = hv_domain_get_xml(s->dom, HV_XML_INACTIVE, &hv))) {
        drv_set_hv_error(err, &hv, "get_xml", s->inst);
        goto cleanup;
    }
    /* any failed job of the disk ended first (errors ignored) */
    hv_domain_block_job_abort(s->dom, s->disk_path, 0, &hv);
    if (hv_vol_create(d->conn, d->cfg.storage_pool, &spec, &hv) < 0) {
        drv_set_hv_error(err, &hv, "creating the snapshot's delta", s->inst);
        goto cleanup;
    }
    delta_made = true;
    if (!(delta_path = hv_vol_get_path(d->conn, d->cfg.storage_pool, delta,
                                       &hv))) {
        drv_set_hv_error(err, &hv, "the snapshot's delta", s->inst);
        goto cleanup;
    }
    drv_error_reset(&qerr);
    if (drv_set_quiesced(d, s->inst, NULL, true, &qerr) == 0) {
        quiesced = true;
    } else if (drv_xml_bool(drv_xml_image_prop(s->inst,
                                               "os_require_quiesce"))) {
        *err = qerr;
        goto cleanup;
    }
    /* the try of the reference: a failure still reaches the finally */
    persistent = hv_domain_is_persistent(s->dom, &hv);
    if (persistent < 0)
        drv_set_hv_error(err, &hv, "is_persistent", s->inst);
    else if (persistent == 0 || delete_configuration(s, err) == 0)
        block_copy(s, delta_path, err);
    /* the finally: the definition back, the guest thawed; an error here
     * replaces the try's, as Python's finally does */
    drv_error_reset(&fin);
    if (!(dom = hv_domain_define(d->conn, xml, &hv)))
        drv_set_hv_error(&fin, &hv, "restoring the domain's definition",
                         s->inst);
    hv_domain_free(dom);
    if (quiesced)
        drv_set_quiesced(d, s->inst, NULL, false, &fin);
    if (fin.kind != DRV_OK)
        *err = fin;
    if (err->kind != DRV_OK)
        goto cleanup;
    if (extract(s, delta, err) < 0)
        goto cleanup;
    ret = 0;

cleanup:
    if (delta_made)
        hv_vol_delete(d->conn, d->cfg.storage_pool, delta, &hv);
    g_free(delta_path);
    g_free(delta);
    g_free(xml);
    return ret;
}

/* Everything up to the reference's first update_task_state: the guest,
 * the image's name, the root disk, the format, the state, live or cold. */
static int
prepare(snap *s, drv_error *err)
{
    drv *d = s->d;
    hv_error hv;
    int rc;

    if (!(s->dom = drv_get_guest(d, s->inst, err))) {
        if (err->kind == DRV_ERR_INSTANCE_NOT_FOUND) {
            drv_error_reset(err);
            drv_error_set(err, DRV_ERR_INSTANCE_NOT_RUNNING,
                          "Instance %s is not running.", s->inst->uuid);
        }
        return -1;
    }
    /* the image must be new to the store (the reference gets it from the
     * image service, queued and empty) */
    if (check_image_name(s->name, err) < 0 ||
        (rc = meta_exists(d, s->name, NULL, err)) < 0 ||
        (!rc && (rc = volume_exists(d, s->name, NULL, err)) < 0))
        return -1;
    if (rc) {
        drv_error_set(err, DRV_ERR_IMAGE_EXISTS,
                      "Image %s exists already in the image store.", s->name);
        return -1;
    }
    /* find_disk: the root disk, a volume named from the uuid */
    s->root = drv_volume_name(s->inst, DRV_VOL_ROOT);
    if (hv_vol_get_info(d->conn, d->cfg.storage_pool, s->root, &s->root_info,
                        &hv) < 0 ||
        !(s->disk_path = hv_vol_get_path(d->conn, d->cfg.storage_pool,
                                         s->root, &hv))) {
        drv_set_hv_error(err, &hv, "the root disk", s->inst);
        return -1;
    }
    s->image_format = d->cfg.snapshot_image_format
                          ? d->cfg.snapshot_image_format
                          : s->root_info.format;
    if ((s->state = drv_guest_state(d, s->inst, s->dom, NULL, err)) < 0)
        return -1;
    s->live = choose_live(s);
    return 0;
}

int
drv_snapshot(drv *d, const drv_instance *inst, const char *image_name,
             drv_task_state_fn update_task_state, void *opaque,
             drv_error *err)
{
    snap s = {.d = d, .inst = inst, .name = image_name,
              .cb = update_task_state, .opaque = opaque};
    drv_error fin;
    hv_error hv;
    int ret = -1;

    drv_error_reset(err);
    if (!inst || !inst->uuid || !inst->name) {
        drv_error_set(err, DRV_ERR_INVALID_INSTANCE,
                      "snapshot needs an instance with a uuid and a name");
        return -1;
    }
    if (prepare(&s, err) < 0)
        goto cleanup;
    /* _prepare_domain_for_snapshot: the reference's suspend, outside its
     * try: a failure leaves everything as it was */
    if (!s.live &&
        (s.state == DRV_POWER_RUNNING || s.state == DRV_POWER_PAUSED) &&
        hv_domain_managed_save(s.dom, &hv) < 0) {
        drv_set_hv_error(err, &hv, "suspend", inst);
        goto cleanup;
    }
    task_state(&s, DRV_TASK_IMAGE_PENDING_UPLOAD, DRV_TASK_ANY);
    task_state(&s, DRV_TASK_IMAGE_UPLOADING, DRV_TASK_IMAGE_PENDING_UPLOAD);
    /* direct_snapshot is not implemented for this image backend: the
     * reference falls back to the standard snapshot */
    task_state(&s, DRV_TASK_IMAGE_PENDING_UPLOAD, DRV_TASK_IMAGE_UPLOADING);
    if (s.live)
        live_snapshot(&s, err);
    else
        extract(&s, s.root, err);
    /* the finally around the extraction */
    drv_error_reset(&fin);
    if (restore_guest(&s, &fin) < 0) {
        *err = fin;
        goto cleanup;
    }
    if (err->kind != DRV_OK)
        goto cleanup;
    task_state(&s, DRV_TASK_IMAGE_UPLOADING, DRV_TASK_IMAGE_PENDING_UPLOAD);
    if (upload(d, inst, image_name, s.image_format, err) < 0)
        goto cleanup;
    ret = 0;

cleanup:
    /* the compute manager deletes the image of a failed snapshot; hvd's
     * image store lives here, so the driver does */
    if (ret < 0 && s.image_made)
        hv_vol_delete(d->conn, d->cfg.storage_pool, image_name, &hv);
    hv_domain_free(s.dom);
    g_free(s.root);
    g_free(s.disk_path);
    return ret;
}
