/*
 * instance-load.c: the instance loader (drv_instance_load_json) on
 * arbitrary bytes. Checks: no crash, no leak; a refusal is
 * DRV_ERR_INVALID_INSTANCE with a message starting with the source name;
 * an instance that loaded has a name and a uuid, and every text in it is
 * fit for XML (the loaders' promise, which drv_domain_xml relies on) —
 * but the keys of extra_specs and image properties, which never reach
 * XML.
 */
#include <glib.h>
#include <string.h>

#include "drv.h"
#include "fuzz.h"
#include "jsonv.h"

#define SOURCE "fuzz"

static void
check_text(const char *s, const char *field)
{
    if (s && !jv_xml_text_ok(s, NULL))
        fuzz_fail("instance-load", "%s loaded, but is not fit for XML",
                  field);
}

static void
check_kvs(const drv_kv *kv, unsigned int n, const char *field)
{
    for (unsigned int i = 0; i < n; i++) {
        if (!kv[i].key)
            fuzz_fail("instance-load", "%s[%u] has no key", field, i);
        /* keys pick properties; only values go into the XML */
        check_text(kv[i].value, field);
    }
}

int
fuzz_instance_load(const uint8_t *data, size_t size)
{
    g_autofree char *text = fuzz_text(data, size);
    drv_instance inst;
    drv_error err;

    drv_error_reset(&err);
    if (drv_instance_load_json(text, SOURCE, &inst, &err) < 0) {
        if (err.kind != DRV_ERR_INVALID_INSTANCE ||
            !g_str_has_prefix(err.message, SOURCE))
            fuzz_fail("instance-load", "refused as %s: %s",
                      drv_error_kind_name(err.kind), err.message);
        drv_instance_clear(&inst);
        return 0;
    }
    if (!inst.uuid || !inst.name)
        fuzz_fail("instance-load", "loaded without %s",
                  inst.uuid ? "a name" : "a uuid");
    check_text(inst.uuid, "uuid");
    check_text(inst.name, "name");
    check_text(inst.root_device_name, "root_device_name");
    check_text(inst.flavor.name, "flavor.name");
    check_kvs(inst.flavor.extra_specs, inst.flavor.n_extra_specs,
              "flavor.extra_specs");
    check_text(inst.image.id, "image.id");
    check_text(inst.image.path, "image.path");
    check_text(inst.image.volume, "image.volume");
    check_text(inst.image.format, "image.format");
    check_kvs(inst.image.properties, inst.image.n_properties,
              "image.properties");
    for (unsigned int i = 0; i < inst.n_vifs; i++) {
        const drv_vif *v = &inst.vifs[i];

        check_text(v->id, "network_info[].id");
        check_text(v->mac, "network_info[].address");
        check_text(v->type, "network_info[].type");
        check_text(v->network, "network_info[].network");
        check_text(v->bridge, "network_info[].bridge");
        check_text(v->devname, "network_info[].devname");
    }
    for (unsigned int i = 0; i < inst.n_volumes; i++) {
        const drv_bdm *b = &inst.volumes[i];

        check_text(b->volume_id, "volume_id");
        check_text(b->mount_device, "mount_device");
        check_text(b->device_path, "device_path");
        check_text(b->driver_type, "driver_volume_type");
    }
    drv_instance_clear(&inst);
    return 0;
}
