/*
 * config-load.c: the configuration loader (drv_config_load_json) on
 * arbitrary bytes. Checks: no crash, no leak; a refusal is
 * DRV_ERR_INVALID_CONFIG with a message starting with the source name; a
 * configuration that loaded holds only texts fit for XML, and never makes
 * drv_domain_xml refuse it (DRV_ERR_INVALID_CONFIG) for a plain instance:
 * what validates must spawn.
 */
#include <glib.h>
#include <string.h>

#include "drv-priv.h"
#include "fuzz.h"
#include "jsonv.h"

#define SOURCE "fuzz"

static void
check_text(const char *s, const char *field)
{
    if (s && !jv_xml_text_ok(s, NULL))
        fuzz_fail("config-load", "%s loaded, but is not fit for XML", field);
}

int
fuzz_config_load(const uint8_t *data, size_t size)
{
    g_autofree char *text = fuzz_text(data, size);
    drv_config cfg;
    drv_error err;
    drv_instance inst = {
        .uuid = "6f1c3b5e-8d2a-4c1f-9b7e-0a1b2c3d4e5f",
        .name = "instance-00000001",
        .flavor = {.name = "m1.tiny", .vcpus = 1, .memory_mb = 64},
    };
    drv_disk disks[2] = {
        {.path = "/var/lib/hvd/instances/x_disk", .format = "qcow2",
         .target = "vda", .source_type = "file"},
        {.path = "/dev/mapper/vg-vol1", .format = "raw", .target = "vdb",
         .source_type = "block", .serial = "vol-1"},
    };
    char *xml;

    drv_config_defaults(&cfg);
    drv_error_reset(&err);
    if (drv_config_load_json(text, SOURCE, &cfg, &err) < 0) {
        if (err.kind != DRV_ERR_INVALID_CONFIG ||
            !g_str_has_prefix(err.message, SOURCE))
            fuzz_fail("config-load", "refused as %s: %s",
                      drv_error_kind_name(err.kind), err.message);
        drv_config_clear(&cfg);
        return 0;
    }
    check_text(cfg.virt_type, "virt_type");
    check_text(cfg.storage_pool, "storage_pool");
    check_text(cfg.instances_path, "instances_path");
    for (char **p = cfg.disk_cachemodes; p && *p; p++)
        check_text(*p, "disk_cachemodes[]");

    drv_error_reset(&err);
    xml = drv_domain_xml(&cfg, NULL, &inst, disks, 2, false, &err);
    if (!xml)
        fuzz_fail("config-load", "loaded, then drv_domain_xml refused it: "
                  "%s: %s", drv_error_kind_name(err.kind), err.message);
    g_free(xml);
    drv_config_clear(&cfg);
    return 0;
}
