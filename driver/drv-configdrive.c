/*
 * drv-configdrive.c: the config drive, as the reference's spawn makes it
 * when configdrive.required_by(instance): an ISO 9660 image labelled
 * "config-2" at instances_path/<uuid>/disk.config holding the instance's
 * metadata in the OpenStack layout, attached as a cdrom (drv-disk.c's
 * plan). The image is built on the host through hv (genisoimage on the
 * real backend), so the driver itself writes no file.
 *
 * Only "openstack/latest" is written, with what hvd knows of the instance
 * (uuid, name, its VIFs); the reference also writes dated versions, EC2
 * metadata, user data, keys and injected files
 * (docs/reference-differences.md).
 */
#include <glib.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "drv-priv.h"

#define CONFIG_DRIVE_FILE "disk.config"
#define CONFIG_DRIVE_LABEL "config-2"
#define CONFIG_DRIVE_PUBLISHER "hvd"

bool
drv_config_drive_required(drv *d, const drv_instance *inst)
{
    const char *img = drv_xml_image_prop(inst, "img_config_drive");

    return inst->config_drive || d->cfg.force_config_drive ||
           (img && strcmp(img, "mandatory") == 0);
}

char *
drv_config_drive_path(const drv_config *cfg, const drv_instance *inst)
{
    return g_build_filename(cfg->instances_path, inst->uuid,
                            CONFIG_DRIVE_FILE, NULL);
}

/* A JSON text (g_free) of obj, which it consumes; keys sorted. */
static char *
dump(json_t *obj)
{
    char *s = json_dumps(obj, JSON_SORT_KEYS | JSON_COMPACT);
    char *out;

    json_decref(obj);
    if (!s)
        g_error("drv-configdrive: out of memory");
    out = g_strdup(s);
    free(s);
    return out;
}

static char *
meta_data(const drv_instance *inst)
{
    json_t *o = json_object();

    json_object_set_new(o, "uuid", json_string(inst->uuid));
    json_object_set_new(o, "name", json_string(inst->name));
    json_object_set_new(o, "hostname", json_string(inst->name));
    json_object_set_new(o, "launch_index", json_integer(0));
    json_object_set_new(o, "availability_zone", json_null());
    json_object_set_new(o, "meta", json_object());
    json_object_set_new(o, "public_keys", json_object());
    json_object_set_new(o, "files", json_array());
    return dump(o);
}

/* network_data.json: one link per VIF (what the guest needs to find its
 * NICs by MAC); no networks or services, which hvd does not know. */
static char *
network_data(const drv_instance *inst)
{
    json_t *o = json_object(), *links = json_array();

    for (unsigned int i = 0; i < inst->n_vifs; i++) {
        const drv_vif *v = &inst->vifs[i];
        json_t *l = json_object();
        g_autofree char *id = g_strdup_printf("tap%u", i);

        json_object_set_new(l, "id", json_string(id));
        json_object_set_new(l, "vif_id", v->id ? json_string(v->id)
                                                : json_null());
        json_object_set_new(l, "type", json_string(v->type));
        json_object_set_new(l, "ethernet_mac_address", json_string(v->mac));
        json_object_set_new(l, "mtu", json_null());
        json_array_append_new(links, l);
    }
    json_object_set_new(o, "links", links);
    json_object_set_new(o, "networks", json_array());
    json_object_set_new(o, "services", json_array());
    return dump(o);
}

int
drv_config_drive_build(drv *d, const drv_instance *inst, drv_error *err)
{
    g_autofree char *meta = NULL, *net = NULL;
    hv_iso_file files[3];
    hv_error hv;

    if (!drv_config_drive_required(d, inst))
        return 0;
    meta = meta_data(inst);
    net = network_data(inst);
    files[0] = (hv_iso_file){"openstack/latest/meta_data.json", meta,
                             strlen(meta)};
    files[1] = (hv_iso_file){"openstack/latest/network_data.json", net,
                             strlen(net)};
    files[2] = (hv_iso_file){"openstack/latest/vendor_data.json", "{}", 2};
    if (hv_instance_iso_build(d->conn, d->cfg.instances_path, inst->uuid,
                              CONFIG_DRIVE_FILE, CONFIG_DRIVE_LABEL,
                              CONFIG_DRIVE_PUBLISHER, files,
                              G_N_ELEMENTS(files), &hv) < 0) {
        drv_set_hv_error(err, &hv, "cannot build the config drive", inst);
        return -1;
    }
    return 0;
}
