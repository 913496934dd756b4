/*
 * drv-volume.c: volumes attached to an instance — attach, detach with the
 * guest-driven hot-unplug and its retries, swap by block copy, block
 * statistics and volume usage, the volume connector, and the parts of
 * extend and volume snapshots hvd has (drv.h, section "volumes").
 *
 * The reference reaches a volume through a volume driver chosen by the
 * connection info's driver_volume_type (connect, get_config, disconnect).
 * hvd has one, "local": the volume is a path on this host, nothing is
 * connected or disconnected, and its config is a <disk> whose source is
 * that path (a block device under /dev/, else a file).
 */
#include "drv-priv.h"

#include <glib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "drv-json.h"

/* The reference's detach_device_with_retry arguments. */
#define DETACH_MAX_RETRIES 7
#define DETACH_INC_SLEEP_S 2
#define DETACH_MAX_SLEEP_S 30

/* ---- connection info ---- */

void
drv_connection_info_clear(drv_connection_info *ci)
{
    if (!ci)
        return;
    g_free(ci->driver_volume_type);
    g_free(ci->serial);
    g_free(ci->device_path);
    g_free(ci->format);
    memset(ci, 0, sizeof(*ci));
}

static int
load_data(jv_ctx *c, json_t *obj, drv_connection_info *ci)
{
    static const char *const keys[] = {"device_path", "format",
                                       "logical_block_size",
                                       "physical_block_size", NULL};

    if (jv_check_keys(c, obj, keys) < 0 ||
        jv_get_string(c, obj, "device_path", false, JV_ABSPATH, NULL,
                      &ci->device_path) < 0 ||
        jv_get_string(c, obj, "format", false, JV_NONEMPTY, NULL,
                      &ci->format) < 0)
        return -1;
    ci->has_block_size = json_object_get(obj, "logical_block_size") ||
                         json_object_get(obj, "physical_block_size");
    return 0;
}

static int
connection_info_from_jv(jv_ctx *c, json_t *root, drv_connection_info *ci)
{
    static const char *const keys[] = {"driver_volume_type", "serial",
                                       "data", NULL};
    json_t *data;
    int rc = 0;

    if (!json_is_object(root)) {
        jv_fail(c, false, "expected an object");
        return -1;
    }
    if (jv_check_keys(c, root, keys) < 0 ||
        jv_get_string(c, root, "driver_volume_type", true, JV_NONEMPTY, NULL,
                      &ci->driver_volume_type) < 0 ||
        jv_get_string(c, root, "serial", false, JV_NONEMPTY, NULL,
                      &ci->serial) < 0)
        return -1;
    if ((data = jv_enter_typed(c, root, "data", false, JSON_OBJECT, &rc))) {
        rc = load_data(c, data, ci);
        jv_pop(c);
    }
    return rc;
}

int
drv_connection_info_load_json(const char *json, const char *source,
                              drv_connection_info *ci, drv_error *err)
{
    jv_ctx c;
    json_auto_t *root = NULL;
    int rc;

    if (ci)
        memset(ci, 0, sizeof(*ci));
    root = drv_json_begin(&c, json, source, DRV_ERR_INVALID_CONNECTION_INFO,
                          ci != NULL, err);
    if (!root)
        return -1;
    rc = connection_info_from_jv(&c, root, ci);
    drv_json_finish(&c, DRV_ERR_INVALID_CONNECTION_INFO, err);
    if (rc < 0)
        drv_connection_info_clear(ci);
    return rc;
}

/* ---- helpers ---- */

static bool
instance_ok(const drv_instance *inst, drv_error *err)
{
    if (!inst || !inst->uuid || !*inst->uuid) {
        drv_error_set(err, DRV_ERR_INVALID_INSTANCE,
                      "an instance with a uuid is required");
        return false;
    }
    return true;
}

/* The target of a mountpoint: what follows its last '/' (rpartition). */
static const char *
disk_dev_of(const char *mountpoint)
{
    const char *slash = strrchr(mountpoint, '/');

    return slash ? slash + 1 : mountpoint;
}

static int
mountpoint_ok(const char *mountpoint, drv_error *err)
{
    if (!mountpoint || !*disk_dev_of(mountpoint)) {
        drv_error_set(err, DRV_ERR_INVALID_INSTANCE,
                      "mountpoint '%s': no device name after its last '/'",
                      mountpoint ? mountpoint : "(null)");
        return -1;
    }
    return 0;
}

/* _get_volume_driver: the one volume driver hvd has. */
static int
volume_driver(const drv_connection_info *ci, drv_error *err)
{
    if (!ci || !ci->driver_volume_type) {
        drv_error_set(err, DRV_ERR_INVALID_CONNECTION_INFO,
                      "connection info without a driver_volume_type");
        return -1;
    }
    if (strcmp(ci->driver_volume_type, "local") != 0) {
        drv_error_set(err, DRV_ERR_VOLUME_DRIVER_NOT_FOUND,
                      "Could not find a handler for %s volume.",
                      ci->driver_volume_type);
        return -1;
    }
    return 0;
}

/* blockinfo.is_disk_bus_valid_for_virt for the virt types hvd runs. */
static bool
bus_valid(const char *bus)
{
    static const char *const kvm_qemu[] = {"virtio", "scsi", "ide", "usb",
                                           "fdc", "sata", NULL};

    return bus && g_strv_contains(kvm_qemu, bus);
}

/* blockinfo.get_disk_bus_for_disk_dev for kvm and qemu. */
static const char *
bus_for_dev(const char *dev, drv_error *err)
{
    if (g_str_has_prefix(dev, "hd"))
        return "ide";
    if (g_str_has_prefix(dev, "sd"))
        return "scsi";
    if (g_str_has_prefix(dev, "vd"))
        return "virtio";
    if (g_str_has_prefix(dev, "fd"))
        return "fdc";
    if (g_str_has_prefix(dev, "xvd"))
        return "xen";
    if (g_str_has_prefix(dev, "ubd"))
        return "uml";
    drv_error_set(err, DRV_ERR_NOVA, "Unable to determine disk bus for '%c'",
                  dev[0]);
    return NULL;
}

/* The volume's <disk> (g_free): the "local" driver's get_config. */
static char *
volume_config(drv *d, const drv_instance *inst, const drv_connection_info *ci,
              const char *dev, const char *bus, const char *device_type,
              drv_error *err)
{
    const char *path = ci->device_path ? ci->device_path : "";
    drv_disk disk = {
        .path = path,
        .format = ci->format ? ci->format : "raw",
        .target = dev,
        .bus = bus,
        .device = device_type,
        .source_type = g_str_has_prefix(path, "/dev/") ? "block" : "file",
        .serial = ci->serial,
    };

    return drv_xml_disk_device(&d->cfg, inst, &disk, err);
}

/*
 * Guest.get_disk: the <disk> of the domain's XML (live when running, else
 * the definition, as XMLDesc(0)) whose target is dev, serialized (g_free);
 * NULL if there is none or the XML cannot be read (as the reference).
 */
static char *
guest_disk(hv_domain *dom, const char *dev)
{
    hv_error hv;
    char *xml = hv_domain_get_xml(dom, 0, &hv);
    xmlDocPtr doc = NULL;
    xmlNodePtr root, devices = NULL;
    char *out = NULL;

    if (!xml)
        return NULL;
    doc = xmlReadMemory(xml, (int)strlen(xml), "domain.xml", NULL,
                        XML_PARSE_NONET | XML_PARSE_NOERROR |
                            XML_PARSE_NOWARNING);
    g_free(xml);
    if (!doc || !(root = xmlDocGetRootElement(doc)))
        goto cleanup;
    for (xmlNodePtr n = root->children; n; n = n->next)
        if (n->type == XML_ELEMENT_NODE &&
            strcmp((const char *)n->name, "devices") == 0)
            devices = n;
    for (xmlNodePtr n = devices ? devices->children : NULL; n && !out;
         n = n->next) {
        if (n->type != XML_ELEMENT_NODE ||
            strcmp((const char *)n->name, "disk") != 0)
            continue;
        for (xmlNodePtr t = n->children; t; t = t->next) {
            xmlChar *v;

            if (t->type != XML_ELEMENT_NODE ||
                strcmp((const char *)t->name, "target") != 0)
                continue;
            v = xmlGetProp(t, (const xmlChar *)"dev");
            if (v && strcmp((const char *)v, dev) == 0) {
                xmlBufferPtr buf = xmlBufferCreate();

                if (!buf)
                    g_error("drv-volume: out of memory");
                xmlNodeDump(buf, doc, n, 0, 0);
                out = g_strndup((const char *)xmlBufferContent(buf),
                                (gsize)xmlBufferLength(buf));
                xmlBufferFree(buf);
            }
            xmlFree(v);
        }
    }

cleanup:
    xmlFreeDoc(doc);
    return out;
}

/* live: the guest is running or paused (the reference's test). */
static int
guest_live(drv *d, const drv_instance *inst, hv_domain *dom, bool *live,
           drv_error *err)
{
    int state = drv_guest_state(d, inst, dom, NULL, err);

    if (state < 0)
        return -1;
    *live = state == DRV_POWER_RUNNING || state == DRV_POWER_PAUSED;
    return 0;
}

/* ---- attach ---- */

int
drv_attach_volume(drv *d, const drv_instance *inst,
                  const drv_connection_info *ci, const char *mountpoint,
                  const char *disk_bus, const char *device_type,
                  drv_error *err)
{
    static const char *const types[] = {"disk", "cdrom", "floppy", "lun",
                                        NULL};
    hv_domain *dom = NULL;
    const char *dev, *bus;
    char *conf = NULL;
    bool live;
    hv_error hv;
    int ret = -1;

    drv_error_reset(err);
    if (!instance_ok(inst, err) || mountpoint_ok(mountpoint, err) < 0)
        return -1;
    if (!ci) {
        drv_error_set(err, DRV_ERR_INVALID_CONNECTION_INFO,
                      "attach_volume needs connection info");
        return -1;
    }
    if (!(dom = drv_get_guest(d, inst, err)))
        return -1;
    dev = disk_dev_of(mountpoint);
    if (ci->has_block_size && !drv_xml_kvm_or_qemu(&d->cfg)) {
        drv_error_set(err, DRV_ERR_INVALID_HYPERVISOR_TYPE,
                      "Volume sets block size, but the current libvirt "
                      "hypervisor '%s' does not support custom block size",
                      d->cfg.virt_type);
        goto cleanup;
    }
    /* blockinfo.get_info_from_bdm with the mountpoint's name */
    if (!device_type || !g_strv_contains(types, device_type))
        device_type = "disk";
    bus = bus_valid(disk_bus) ? disk_bus : bus_for_dev(dev, err);
    if (!bus)
        goto cleanup;
    /* _connect_volume: outside the reference's try, nothing to undo */
    if (volume_driver(ci, err) < 0)
        goto cleanup;
    if (!(conf = volume_config(d, inst, ci, dev, bus, device_type, err)))
        goto cleanup;
    if (guest_live(d, inst, dom, &live, err) < 0)
        goto cleanup;
    if (hv_domain_attach_device(dom, conf,
                                HV_DEVICE_CONFIG | (live ? HV_DEVICE_LIVE : 0),
                                &hv) < 0) {
        /* the reference disconnects (nothing here) and re-raises;
         * OPERATION_FAILED (the target is taken) is DeviceIsBusy */
        if (hv.code == HV_ERR_OPERATION_FAILED) {
            drv_error_set(err, DRV_ERR_DEVICE_IS_BUSY,
                          "The supplied device (%s) is busy.", dev);
            err->hv = hv;
        } else {
            drv_set_hv_error(err, &hv, "attaching a volume", inst);
        }
        goto cleanup;
    }
    ret = 0;

cleanup:
    g_free(conf);
    hv_domain_free(dom);
    return ret;
}

/* ---- detach ---- */

/*
 * The function detach_device_with_retry returns, run to its end: the
 * disk read from the live domain; while it is there, the live detach
 * asked again and DeviceDetachFailed raised, retried by the
 * RetryDecorator (sleeping 2, 4, ... s) up to DETACH_MAX_RETRIES times.
 * 0 once the disk is gone; -1 with DiskNotFound (the device "not found"),
 * DeviceDetachFailed, or the hv error in *hv (code set, err untouched).
 */
static int
wait_for_detach(drv *d, hv_domain *dom, const char *dev, bool live,
                hv_error *hv, drv_error *err)
{
    int sleep_s = 0;

    for (int retry = 0;; retry++) {
        char *conf = guest_disk(dom, dev);
        int rc;

        if (!conf)
            return 0;
        rc = hv_domain_detach_device(dom, conf, live ? HV_DEVICE_LIVE : 0,
                                     hv);
        g_free(conf);
        if (rc < 0) {
            if (hv->code == HV_ERR_OPERATION_FAILED &&
                strstr(hv->message, "not found")) {
                drv_error_set(err, DRV_ERR_DISK_NOT_FOUND,
                              "No disk at %s", dev);
                err->hv = *hv;
                hv->code = 0;
            }
            return -1;
        }
        if (retry >= DETACH_MAX_RETRIES) {
            drv_error_set(err, DRV_ERR_DEVICE_DETACH_FAILED,
                          "Device detach failed for %s: Unable to detach "
                          "from guest transient domain.", dev);
            return -1;
        }
        sleep_s += DETACH_INC_SLEEP_S;
        if (sleep_s > DETACH_MAX_SLEEP_S)
            sleep_s = DETACH_MAX_SLEEP_S;
        if (drv_sleep(d, (int64_t)sleep_s * HV_NS_PER_SEC, err) < 0)
            return -1;
    }
}

int
drv_detach_volume(drv *d, const drv_instance *inst,
                  const drv_connection_info *ci, const char *mountpoint,
                  drv_error *err)
{
    hv_domain *dom = NULL;
    const char *dev;
    char *conf = NULL;
    bool live;
    hv_error hv;
    int ret = -1;

    drv_error_reset(err);
    if (!instance_ok(inst, err) || mountpoint_ok(mountpoint, err) < 0)
        return -1;
    dev = disk_dev_of(mountpoint);
    hv_error_reset(&hv);
    if (!(dom = drv_get_guest(d, inst, err))) {
        /* "During detach_volume, instance disappeared.": still
         * disconnect */
        if (err->kind != DRV_ERR_INSTANCE_NOT_FOUND)
            return -1;
        drv_error_reset(err);
        return volume_driver(ci, err);
    }
    if (guest_live(d, inst, dom, &live, err) < 0) {
        if (err->kind == DRV_ERR_INSTANCE_NOT_FOUND) {
            drv_error_reset(err);
            ret = volume_driver(ci, err);
        }
        goto cleanup;
    }
    /* detach_device_with_retry: the device's config, or DeviceNotFound
     * (which detach_volume turns into DiskNotFound) */
    if (!(conf = guest_disk(dom, dev))) {
        drv_error_set(err, DRV_ERR_DISK_NOT_FOUND, "No disk at %s", dev);
        goto cleanup;
    }
    if (hv_domain_detach_device(dom, conf,
                                HV_DEVICE_CONFIG | (live ? HV_DEVICE_LIVE : 0),
                                &hv) < 0 ||
        wait_for_detach(d, dom, dev, live, &hv, err) < 0) {
        if (err->kind != DRV_OK)
            goto cleanup;
        if (hv.code == HV_ERR_NO_DOMAIN) {
            /* the instance went away meanwhile: no error */
            drv_error_reset(err);
            ret = volume_driver(ci, err);
            goto cleanup;
        }
        drv_set_hv_error(err, &hv, "detaching a volume", inst);
        goto cleanup;
    }
    /* _disconnect_volume: only the driver's lookup can fail */
    ret = volume_driver(ci, err);

cleanup:
    g_free(conf);
    hv_domain_free(dom);
    return ret;
}

/* ---- swap ---- */

/*
 * BlockDevice.wait_for_job: true while the job runs. A copy is done once
 * cur reaches a non-zero end; with clean, once the job is gone (type 0).
 * hvd's difference: a disk with no job at all is done (the reference
 * reads libvirt's empty answer as end 0 and polls for ever).
 */
static int
job_running(hv_domain *dom, const char *dev, bool clean, bool *running,
            hv_error *hv)
{
    hv_block_job_info bj;
    int rc = hv_domain_block_job_info(dom, dev, &bj, hv);

    if (rc < 0)
        return -1;
    if (rc == 0)
        *running = false;
    else if (clean)
        *running = bj.type != 0;
    else
        *running = !(bj.end != 0 && bj.cur == bj.end);
    return 0;
}

/* _swap_volume: copy dev onto new_path, pivot, resize; the persistent
 * definition put back whatever happens. */
static int
swap_disk(drv *d, const drv_instance *inst, hv_domain *dom, const char *dev,
          const char *new_path, uint64_t resize_to_gb, drv_error *err)
{
    hv_error hv, ignored;
    char *xml;
    bool running = true;
    int persistent;
    int ret = -1;

    if (!(xml = hv_domain_get_xml(dom, HV_XML_INACTIVE, &hv))) {
        drv_set_hv_error(err, &hv, "reading the definition", inst);
        return -1;
    }
    /* abort is idempotent: a job that failed earlier is ended */
    hv_domain_block_job_abort(dom, dev, 0, &ignored);
    hv_error_reset(&hv);
    /* a copy cannot run on a persistent domain: undefine it for now */
    persistent = hv_domain_is_persistent(dom, &hv);
    if (persistent < 0)
        goto fail;
    if (persistent == 1 &&
        hv_domain_undefine(dom, HV_UNDEFINE_MANAGED_SAVE, &ignored) < 0 &&
        hv_domain_undefine(dom, 0, &hv) < 0)
        goto fail;
    if (hv_domain_block_rebase(dom, dev, new_path,
                               HV_BLOCK_REBASE_COPY |
                                   HV_BLOCK_REBASE_REUSE_EXT,
                               &hv) < 0)
        goto fail;
    while (job_running(dom, dev, false, &running, &hv) == 0 && running)
        if (drv_sleep(d, DRV_POLL_NS, err) < 0)
            goto finally;
    if (hv.code || hv_domain_block_job_abort(dom, dev,
                                             HV_BLOCK_JOB_ABORT_PIVOT,
                                             &hv) < 0)
        goto fail;
    if (resize_to_gb) {
        /* the pivot ends asynchronously (libvirt bug 1119173): wait for
         * the job to be gone before resizing */
        running = true;
        while (job_running(dom, dev, true, &running, &hv) == 0 && running)
            if (drv_sleep(d, DRV_POLL_NS, err) < 0)
                goto finally;
        if (hv.code || hv_domain_block_resize(dom, dev,
                                              resize_to_gb << 20, &hv) < 0)
            goto fail;
    }
    ret = 0;
    goto finally;

fail:
    drv_set_hv_error(err, &hv, "swapping a volume", inst);
finally: {
    /* write_instance_config: its error, if any, replaces the try's, as
     * an exception raised in a finally does */
    hv_error def;
    hv_domain *again = hv_domain_define(d->conn, xml, &def);

    if (!again) {
        drv_error_reset(err);
        drv_set_hv_error(err, &def, "defining the domain again", inst);
        ret = -1;
    }
    hv_domain_free(again);
}
    g_free(xml);
    return ret;
}

int
drv_swap_volume(drv *d, const drv_instance *inst,
                const drv_connection_info *old_ci,
                const drv_connection_info *new_ci, const char *mountpoint,
                uint64_t resize_to_gb, drv_error *err)
{
    hv_domain *dom = NULL;
    const char *dev;
    char *conf = NULL;
    int ret = -1;

    drv_error_reset(err);
    if (!instance_ok(inst, err) || mountpoint_ok(mountpoint, err) < 0)
        return -1;
    if (!old_ci || !new_ci) {
        drv_error_set(err, DRV_ERR_INVALID_CONNECTION_INFO,
                      "swap_volume needs the old and the new connection "
                      "info");
        return -1;
    }
    if (!(dom = drv_get_guest(d, inst, err)))
        return -1;
    dev = disk_dev_of(mountpoint);
    if (!(conf = guest_disk(dom, dev))) {
        drv_error_set(err, DRV_ERR_DISK_NOT_FOUND, "No disk at %s", dev);
        goto cleanup;
    }
    /* the new volume's bus follows its target's prefix */
    if (!bus_for_dev(dev, err) || volume_driver(new_ci, err) < 0)
        goto cleanup;
    if (!new_ci->device_path) {
        drv_error_set(err, DRV_ERR_NOT_SUPPORTED,
                      "Swap only supports host devices");
        goto cleanup;
    }
    if (swap_disk(d, inst, dom, dev, new_ci->device_path, resize_to_gb,
                  err) < 0)
        goto cleanup;
    /* _disconnect_volume of the old volume */
    ret = volume_driver(old_ci, err);

cleanup:
    g_free(conf);
    hv_domain_free(dom);
    return ret;
}

int
drv_extend_volume(drv *d, const drv_instance *inst,
                  const drv_connection_info *ci, uint64_t requested_size,
                  drv_error *err)
{
    (void)d;
    (void)inst;
    (void)ci;
    (void)requested_size;
    drv_error_reset(err);
    drv_error_set(err, DRV_ERR_NOT_SUPPORTED,
                  "extend_volume is not implemented by this driver (the "
                  "contract's default)");
    return -1;
}

/* ---- connector, statistics ---- */

void
drv_volume_connector_clear(drv_volume_connector *c)
{
    if (!c)
        return;
    g_free(c->ip);
    g_free(c->host);
    g_free(c->platform);
    g_free(c->os_type);
    memset(c, 0, sizeof(*c));
}

int
drv_get_volume_connector(drv *d, const drv_instance *inst,
                         drv_volume_connector *out, drv_error *err)
{
    hv_error hv;
    char *host;

    (void)inst;
    drv_error_reset(err);
    memset(out, 0, sizeof(*out));
    if (!(host = hv_conn_get_hostname(d->conn, &hv))) {
        drv_set_conn_error(d, err, &hv, "cannot read the hostname", NULL);
        return -1;
    }
    out->ip = g_strdup(host);
    out->host = host;
    out->multipath = false;
    out->platform = g_strdup("x86_64");
    out->os_type = g_strdup("linux2");
    return 0;
}

int
drv_block_stats(drv *d, const drv_instance *inst, const char *disk_id,
                hv_block_stats *stats, drv_error *err)
{
    hv_domain *dom;
    hv_error hv;
    int rc;

    drv_error_reset(err);
    memset(stats, 0, sizeof(*stats));
    if (!instance_ok(inst, err))
        return -1;
    if (!disk_id || !*disk_id) {
        drv_error_set(err, DRV_ERR_INVALID_INSTANCE,
                      "block_stats needs a disk id");
        return -1;
    }
    if (!(dom = drv_get_guest(d, inst, err))) {
        /* "Could not find domain in libvirt ...": None. A failure of the
         * connection is the reference's HypervisorUnavailable, raised. */
        if (err->kind == DRV_ERR_HOST_UNAVAILABLE)
            return -1;
        drv_error_reset(err);
        return 0;
    }
    /* "Getting block stats failed, device might have been detached" */
    rc = hv_domain_block_stats(dom, disk_id, stats, &hv) < 0 ? 0 : 1;
    if (!rc)
        memset(stats, 0, sizeof(*stats));
    hv_domain_free(dom);
    return rc;
}

void
drv_volume_usage_free(drv_volume_usage *u, unsigned int n)
{
    for (unsigned int i = 0; u && i < n; i++) {
        g_free(u[i].volume_id);
        g_free(u[i].instance_uuid);
    }
    g_free(u);
}

int
drv_get_all_volume_usage(drv *d, const drv_instance *const *insts,
                         unsigned int n_insts, drv_volume_usage **out,
                         unsigned int *n_out, drv_error *err)
{
    GArray *list = g_array_new(FALSE, TRUE, sizeof(drv_volume_usage));

    drv_error_reset(err);
    *out = NULL;
    *n_out = 0;
    for (unsigned int i = 0; i < n_insts; i++) {
        const drv_instance *inst = insts[i];

        for (unsigned int v = 0; inst && v < inst->n_volumes; v++) {
            const drv_bdm *b = &inst->volumes[v];
            const char *dev = b->mount_device ? b->mount_device : "";
            hv_block_stats st;
            int rc;

            if (g_str_has_prefix(dev, "/dev/"))
                dev += 5;
            rc = drv_block_stats(d, inst, dev, &st, err);
            if (rc < 0) {
                guint len = list->len;

                drv_volume_usage_free((drv_volume_usage *)(void *)
                                          g_array_free(list, FALSE),
                                      len);
                return -1;
            }
            if (rc == 1) {
                drv_volume_usage u = {
                    .volume_id = g_strdup(b->volume_id),
                    .instance_uuid = g_strdup(inst->uuid),
                    .rd_req = st.rd_req,
                    .rd_bytes = st.rd_bytes,
                    .wr_req = st.wr_req,
                    .wr_bytes = st.wr_bytes,
                };
                g_array_append_val(list, u);
            }
        }
    }
    *n_out = list->len;
    *out = (drv_volume_usage *)(void *)g_array_free(list, FALSE);
    return 0;
}

/* ---- volume snapshots ---- */

/* The reference's get_guest turned InstanceNotRunning. */
static int
snapshot_guest(drv *d, const drv_instance *inst, drv_error *err)
{
    hv_domain *dom = drv_get_guest(d, inst, err);

    if (!dom) {
        if (err->kind == DRV_ERR_INSTANCE_NOT_FOUND) {
            drv_error_reset(err);
            drv_error_set(err, DRV_ERR_INSTANCE_NOT_RUNNING,
                          "Instance %s is not running.", inst->uuid);
        }
        return -1;
    }
    hv_domain_free(dom);
    return 0;
}

int
drv_volume_snapshot_create(drv *d, const drv_instance *inst,
                           const char *volume_id,
                           const drv_snapshot_create_info *info,
                           drv_error *err)
{
    drv_error_reset(err);
    if (!instance_ok(inst, err) || snapshot_guest(d, inst, err) < 0)
        return -1;
    if (!info || !info->type || strcmp(info->type, "qcow2") != 0) {
        drv_error_set(err, DRV_ERR_NOVA, "Unknown type: %s",
                      info && info->type ? info->type : "None");
        return -1;
    }
    if (!info->snapshot_id) {
        drv_error_set(err, DRV_ERR_NOVA, "snapshot_id required in create_info");
        return -1;
    }
    drv_error_set(err, DRV_ERR_NOT_SUPPORTED,
                  "volume_snapshot_create of volume %s: disk-only domain "
                  "snapshots are not in hvd's hv layer",
                  volume_id ? volume_id : "(null)");
    return -1;
}

int
drv_volume_snapshot_delete(drv *d, const drv_instance *inst,
                           const char *volume_id, const char *snapshot_id,
                           const drv_snapshot_delete_info *info,
                           drv_error *err)
{
    drv_error_reset(err);
    if (!instance_ok(inst, err))
        return -1;
    if (!info || !info->type || strcmp(info->type, "qcow2") != 0) {
        drv_error_set(err, DRV_ERR_NOVA, "Unknown delete_info type %s",
                      info && info->type ? info->type : "None");
        return -1;
    }
    if (snapshot_guest(d, inst, err) < 0)
        return -1;
    drv_error_set(err, DRV_ERR_NOT_SUPPORTED,
                  "volume_snapshot_delete of snapshot %s of volume %s: block "
                  "commit is not in hvd's hv layer",
                  snapshot_id ? snapshot_id : "(null)",
                  volume_id ? volume_id : "(null)");
    return -1;
}
