/*
 * drv-xml-devices.c: the <devices> of an instance's domain XML, in the
 * order Nova's _get_guest_config adds them: disks, interfaces, the serial
 * ports and the pty console (_create_consoles), the pointer, the SPICE
 * agent channel, VNC and SPICE graphics with their video device, the QEMU
 * guest agent channel and the RNG (_set_qemu_guest_agent), the watchdog
 * and the memory balloon.
 *
 * Choices where Nova looks at the host (docs/reference-differences.md):
 *  - Disk cache mode: cfg->disk_cachemodes ("file=directsync", "block=none",
 *    an entry may hold several comma-separated pairs, the last one for a
 *    source type wins); otherwise "none" when instances_path supports
 *    O_DIRECT (cfg->instances_path_direct_io, the recorded result of the
 *    reference's probe), else "writethrough". "default" leaves the cache
 *    attribute out (libvirt's own default).
 *  - RNG: rng_dev_path is used as given; the reference's check that the
 *    file exists would touch a host file, which the driver does not.
 *
 * Internal (drv-priv.h), like drv-xml.c.
 */
#include <glib.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <libxml/tree.h>
#include <libxml/xmlsave.h>

#include "drv-priv.h"

#define DEFAULT_VIF_MODEL "virtio"
#define DEFAULT_DISK_BUS "virtio"
/* LibvirtConfigGuestVideo's type when nothing picks another one */
#define DEFAULT_VIDEO "cirrus"
/* LibvirtConfigGuestWatchdog's model */
#define WATCHDOG_MODEL "i6300esb"
/* the reference's ALLOWED_QEMU_SERIAL_PORTS */
#define MAX_QEMU_SERIAL_PORTS 4
#define QGA_NAME "org.qemu.guest_agent.0"
#define SPICE_AGENT_NAME "com.redhat.spice.0"

static bool
cache_mode_valid(const char *mode)
{
    return g_strv_contains(drv_cache_modes, mode);
}

/*
 * The cache mode for disks of source_type: the last matching
 * cfg->disk_cachemodes pair, else the default _set_cache_mode starts from
 * (none with O_DIRECT, else writethrough). *mode is a g_strdup (g_free);
 * "default" comes back as NULL (no cache attribute).
 * DRV_ERR_INVALID_CONFIG for a malformed entry.
 */
static int
cache_mode_for(const drv_config *cfg, const char *source_type, char **mode,
               drv_error *err)
{
    char *found = g_strdup(cfg->instances_path_direct_io ? "none"
                                                         : "writethrough");

    for (size_t i = 0; cfg->disk_cachemodes && cfg->disk_cachemodes[i]; i++) {
        char **pairs = g_strsplit(cfg->disk_cachemodes[i], ",", -1);

        for (size_t j = 0; pairs[j]; j++) {
            char *pair = g_strstrip(pairs[j]);
            char *eq = strchr(pair, '=');

            if (!*pair)
                continue;
            if (!eq || eq == pair || !cache_mode_valid(eq + 1)) {
                g_autofree char *list =
                    g_strjoinv(", ", (char **)drv_cache_modes);

                drv_error_set(err, DRV_ERR_INVALID_CONFIG,
                              "disk_cachemodes: bad entry '%s' (want "
                              "TYPE=MODE, MODE one of %s)",
                              pair, list);
                g_strfreev(pairs);
                g_free(found);
                return -1;
            }
            *eq = '\0';
            if (strcmp(pair, source_type) == 0) {
                g_free(found);
                found = g_strdup(eq + 1);
            }
        }
        g_strfreev(pairs);
    }
    if (strcmp(found, "default") == 0)
        g_clear_pointer(&found, g_free);
    *mode = found;
    return 0;
}

static int
build_disk(xmlNodePtr devices, const drv_config *cfg,
           const drv_instance *inst, const drv_disk *d, drv_error *err)
{
    const char *stype = d->source_type ? d->source_type : "file";
    const char *bus = d->bus ? d->bus
                             : drv_xml_image_prop(inst, "hw_disk_bus");
    g_autofree char *cache = NULL;
    xmlNodePtr disk, n;

    if (cache_mode_for(cfg, stype, &cache, err) < 0)
        return -1;
    disk = drv_xml_add(devices, "disk");
    drv_xml_set(disk, "type", stype);
    drv_xml_set(disk, "device", d->device ? d->device : "disk");
    n = drv_xml_add(disk, "driver");
    drv_xml_set(n, "name", "qemu");
    drv_xml_set(n, "type", d->format ? d->format : "raw");
    if (cache)
        drv_xml_set(n, "cache", cache);
    n = drv_xml_add(disk, "source");
    drv_xml_set(n, strcmp(stype, "block") == 0 ? "dev" : "file", d->path);
    n = drv_xml_add(disk, "target");
    drv_xml_set(n, "dev", d->target);
    drv_xml_set(n, "bus", bus ? bus : DEFAULT_DISK_BUS);
    if (d->serial && *d->serial)
        drv_xml_add_text(disk, "serial", d->serial);
    return 0;
}

static void
build_interface(xmlNodePtr devices, const drv_instance *inst,
                const drv_vif *v)
{
    const char *model = drv_xml_image_prop(inst, "hw_vif_model");
    xmlNodePtr iface = drv_xml_add(devices, "interface");

    drv_xml_set(iface, "type", v->type);
    drv_xml_set(drv_xml_add(iface, "mac"), "address", v->mac);
    if (strcmp(v->type, "bridge") == 0) {
        drv_xml_set(drv_xml_add(iface, "source"), "bridge", v->bridge);
    } else if (strcmp(v->type, "network") == 0) {
        drv_xml_set(drv_xml_add(iface, "source"), "network", v->network);
    } else if (v->devname && *v->devname) { /* ethernet */
        drv_xml_set(drv_xml_add(iface, "target"), "dev", v->devname);
    }
    drv_xml_set(drv_xml_add(iface, "model"), "type",
                model ? model : DEFAULT_VIF_MODEL);
}

/*
 * One VIF's <interface> on its own, as attach_interface and
 * detach_interface hand it to the hypervisor: the element the domain XML
 * holds for it (build_interface), so what is attached is what a spawn
 * would have defined. g_free; the VIF's type is known (checked by the
 * caller).
 */
char *
drv_xml_interface(const drv_instance *inst, const drv_vif *v)
{
    xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
    xmlNodePtr devices = xmlNewNode(NULL, BAD_CAST "devices");
    xmlNodePtr iface;
    xmlBufferPtr buf = xmlBufferCreate();
    xmlSaveCtxtPtr save;
    char *out;

    if (!doc || !devices || !buf)
        g_error("drv-xml: out of memory");
    xmlDocSetRootElement(doc, devices);
    build_interface(devices, inst, v);
    iface = devices->children;
    xmlUnlinkNode(iface);
    xmlFreeNode(xmlDocSetRootElement(doc, iface));
    save = xmlSaveToBuffer(buf, "UTF-8", XML_SAVE_FORMAT | XML_SAVE_NO_DECL);
    if (!save)
        g_error("drv-xml: out of memory");
    xmlSaveDoc(save, doc);
    xmlSaveClose(save);
    out = g_strndup((const char *)xmlBufferContent(buf),
                    (gsize)xmlBufferLength(buf));
    xmlBufferFree(buf);
    xmlFreeDoc(doc);
    return out;
}

int
drv_xml_serial_port_count(const drv_instance *inst, unsigned int *n,
                          drv_error *err)
{
    const char *fs = drv_xml_flavor_spec(inst, "hw:serial_port_count");
    const char *is = drv_xml_image_prop(inst, "hw_serial_port_count");
    uint64_t fv = 0, iv = 0;

    if (fs && drv_xml_parse_uint(fs, 0, 64, &fv) < 0) {
        drv_error_set(err, DRV_ERR_INVALID_INSTANCE,
                      "flavor.extra_specs hw:serial_port_count: '%s' is not "
                      "a number of serial ports", fs);
        return -1;
    }
    if (is && drv_xml_parse_uint(is, 0, 64, &iv) < 0) {
        drv_error_set(err, DRV_ERR_INVALID_INSTANCE,
                      "image.properties.hw_serial_port_count: '%s' is not "
                      "a number of serial ports", is);
        return -1;
    }
    /* hardware.get_number_of_serial_ports: the flavor caps the image */
    if (fs && is && iv > fv) {
        drv_error_set(err, DRV_ERR_INVALID_INSTANCE,
                      "image.properties.hw_serial_port_count: %" PRIu64
                      " exceeds the flavor's hw:serial_port_count %" PRIu64,
                      iv, fv);
        return -1;
    }
    *n = (unsigned int)(is ? iv : fs ? fv : 1);
    if (*n > MAX_QEMU_SERIAL_PORTS) {
        drv_error_set(err, DRV_ERR_INVALID_INSTANCE,
                      "%u serial ports requested; QEMU allows %d",
                      *n, MAX_QEMU_SERIAL_PORTS);
        return -1;
    }
    return 0;
}

/*
 * _create_consoles: on kvm/qemu the serial ports — TCP ports bound on the
 * proxy client address when serial consoles are enabled, else a file
 * serial port logging to console.log — then a pty serial port; other virt
 * types a pty console only.
 */
static int
build_consoles(xmlNodePtr devices, const drv_config *cfg,
               const drv_xml_facts *facts, const drv_instance *inst,
               drv_error *err)
{
    xmlNodePtr n;

    if (!drv_xml_kvm_or_qemu(cfg)) {
        drv_xml_set(drv_xml_add(devices, "console"), "type", "pty");
        return 0;
    }
    if (cfg->serial_console_enabled) {
        unsigned int count;
        int lo, hi;

        if (drv_xml_serial_port_count(inst, &count, err) < 0 ||
            drv_console_port_range(cfg, &lo, &hi, err) < 0)
            return -1;
        for (unsigned int i = 0; i < count; i++) {
            int port = facts && i < facts->n_serial_ports
                           ? facts->serial_ports[i]
                           : lo + (int)i;
            xmlNodePtr serial = drv_xml_add(devices, "serial");
            xmlNodePtr src;

            if (port > hi) {
                drv_error_set(err, DRV_ERR_INVALID_CONFIG,
                              "serial_console_port_range %s: no free port "
                              "left", cfg->serial_console_port_range);
                return -1;
            }
            drv_xml_set(serial, "type", "tcp");
            src = drv_xml_add(serial, "source");
            drv_xml_set(src, "mode", "bind");
            drv_xml_set(src, "host",
                        cfg->serial_console_proxyclient_address);
            drv_xml_set_u64(src, "service", (uint64_t)port);
            drv_xml_set(drv_xml_add(serial, "protocol"), "type", "raw");
            drv_xml_set_u64(drv_xml_add(serial, "target"), "port", i);
        }
    } else {
        g_autofree char *log = drv_console_log_path(cfg, inst);

        n = drv_xml_add(devices, "serial");
        drv_xml_set(n, "type", "file");
        drv_xml_set(drv_xml_add(n, "source"), "path", log);
    }
    drv_xml_set(drv_xml_add(devices, "serial"), "type", "pty");
    return 0;
}

/*
 * _get_guest_pointer_model: the image's hw_pointer_model, else the
 * pointer_model option, else (use_usb_tablet) usbtablet. A USB tablet
 * needs VNC, or SPICE without its agent; without them a host-configured
 * one is dropped and an image's request refused.
 */
static int
build_pointer(xmlNodePtr devices, const drv_config *cfg,
              const drv_instance *inst, drv_error *err)
{
    const char *model = drv_xml_image_prop(inst, "hw_pointer_model");
    xmlNodePtr n;

    if (model && strcmp(model, "usbtablet") != 0 &&
        strcmp(model, "ps2mouse") != 0) {
        drv_error_set(err, DRV_ERR_INVALID_INSTANCE,
                      "image.properties.hw_pointer_model: '%s' is not "
                      "usbtablet or ps2mouse", model);
        return -1;
    }
    if (!model)
        model = cfg->pointer_model;
    if (!model && cfg->use_usb_tablet)
        model = "usbtablet";
    if (!model || strcmp(model, "usbtablet") != 0)
        return 0;
    if (cfg->vnc_enabled ||
        (cfg->spice_enabled && !cfg->spice_agent_enabled)) {
        n = drv_xml_add(devices, "input");
        drv_xml_set(n, "type", "tablet");
        drv_xml_set(n, "bus", "usb");
        return 0;
    }
    if (cfg->pointer_model || cfg->use_usb_tablet)
        return 0; /* the reference only warns */
    drv_error_set(err, DRV_ERR_INVALID_INSTANCE,
                  "image.properties.hw_pointer_model: usbtablet needs VNC, "
                  "or SPICE without its agent (UnsupportedPointerModel"
                  "Requested)");
    return -1;
}

static void
build_graphics(xmlNodePtr devices, const char *type, const char *keymap,
               const char *listen)
{
    xmlNodePtr g = drv_xml_add(devices, "graphics");

    drv_xml_set(g, "type", type);
    drv_xml_set(g, "autoport", "yes");
    if (keymap)
        drv_xml_set(g, "keymap", keymap);
    if (listen)
        drv_xml_set(g, "listen", listen);
}

/* _add_video_driver (x86, hvm guests). */
static int
build_video(xmlNodePtr devices, const drv_config *cfg,
            const drv_instance *inst, drv_error *err)
{
    static const char *const valid[] = {"vga", "cirrus", "vmvga", "xen",
                                        "qxl", NULL};
    const char *type = cfg->spice_enabled ? "qxl" : DEFAULT_VIDEO;
    const char *prop = drv_xml_image_prop(inst, "hw_video_model");
    const char *ram_s = drv_xml_image_prop(inst, "hw_video_ram");
    const char *max_s = drv_xml_flavor_spec(inst, "hw_video:ram_max_mb");
    uint64_t ram = 0, max = 0;
    xmlNodePtr model;

    if (prop) {
        if (!g_strv_contains(valid, prop)) {
            drv_error_set(err, DRV_ERR_INVALID_INSTANCE,
                          "image.properties.hw_video_model: '%s' is not a "
                          "valid video model (InvalidVideoMode)", prop);
            return -1;
        }
        type = prop;
    }
    if (ram_s && drv_xml_parse_uint(ram_s, 0, UINT32_MAX, &ram) < 0) {
        drv_error_set(err, DRV_ERR_INVALID_INSTANCE,
                      "image.properties.hw_video_ram: '%s' is not a number "
                      "of MiB", ram_s);
        return -1;
    }
    if (max_s && drv_xml_parse_uint(max_s, 0, UINT32_MAX, &max) < 0) {
        drv_error_set(err, DRV_ERR_INVALID_INSTANCE,
                      "flavor.extra_specs hw_video:ram_max_mb: '%s' is not "
                      "a number of MiB", max_s);
        return -1;
    }
    if (ram > max) {
        drv_error_set(err, DRV_ERR_INVALID_INSTANCE,
                      "image.properties.hw_video_ram: %" PRIu64 " MiB is "
                      "more than the flavor's hw_video:ram_max_mb %" PRIu64
                      " (RequestedVRamTooHigh)", ram, max);
        return -1;
    }
    model = drv_xml_add(drv_xml_add(devices, "video"), "model");
    drv_xml_set(model, "type", type);
    if (ram && max)
        drv_xml_set_u64(model, "vram", ram * 1024);
    return 0;
}

/* A virtio channel: spicevmc (the SPICE agent) or a unix socket. */
static void
build_channel(xmlNodePtr devices, const char *type, const char *path,
              const char *name)
{
    xmlNodePtr ch = drv_xml_add(devices, "channel");
    xmlNodePtr n;

    drv_xml_set(ch, "type", type);
    if (path) {
        n = drv_xml_add(ch, "source");
        drv_xml_set(n, "mode", "bind");
        drv_xml_set(n, "path", path);
    }
    n = drv_xml_add(ch, "target");
    drv_xml_set(n, "type", "virtio");
    drv_xml_set(n, "name", name);
}

/* _add_rng_device: the flavor's rate limit, the configured source. */
static int
build_rng(xmlNodePtr devices, const drv_config *cfg,
          const drv_instance *inst, drv_error *err)
{
    const char *bytes_s = drv_xml_flavor_spec(inst, "hw_rng:rate_bytes");
    const char *period_s = drv_xml_flavor_spec(inst, "hw_rng:rate_period");
    uint64_t bytes = 0, period = 0;
    xmlNodePtr rng, n;

    if ((bytes_s && drv_xml_parse_uint(bytes_s, 0, UINT32_MAX, &bytes) < 0) ||
        (period_s &&
         drv_xml_parse_uint(period_s, 0, UINT32_MAX, &period) < 0)) {
        drv_error_set(err, DRV_ERR_INVALID_INSTANCE,
                      "flavor.extra_specs hw_rng:rate_bytes/rate_period: "
                      "'%s'/'%s' are not numbers", bytes_s ? bytes_s : "",
                      period_s ? period_s : "");
        return -1;
    }
    rng = drv_xml_add(devices, "rng");
    drv_xml_set(rng, "model", "virtio");
    /* LibvirtConfigGuestRng writes a rate only with both values set */
    if (bytes && period) {
        n = drv_xml_add(rng, "rate");
        drv_xml_set_u64(n, "period", period);
        drv_xml_set_u64(n, "bytes", bytes);
    }
    n = cfg->rng_dev_path ? drv_xml_add_text(rng, "backend", cfg->rng_dev_path)
                          : drv_xml_add(rng, "backend");
    drv_xml_set(n, "model", "random");
    return 0;
}

/* The watchdog action: image hw_watchdog_action over the flavor's
 * hw_watchdog_action / hw:watchdog_action, default disabled. */
static int
build_watchdog(xmlNodePtr devices, const drv_instance *inst, drv_error *err)
{
    static const char *const actions[] = {"disabled", "reset", "poweroff",
                                          "pause", "none", NULL};
    const char *action = drv_xml_flavor_spec(inst, "hw_watchdog_action");
    const char *img = drv_xml_image_prop(inst, "hw_watchdog_action");
    xmlNodePtr n;

    if (!action)
        action = drv_xml_flavor_spec(inst, "hw:watchdog_action");
    if (img)
        action = img;
    if (!action || strcmp(action, "disabled") == 0)
        return 0;
    if (!g_strv_contains(actions, action)) {
        drv_error_set(err, DRV_ERR_INVALID_INSTANCE,
                      "watchdog action '%s' is not one of disabled, reset, "
                      "poweroff, pause, none (InvalidWatchdogAction)",
                      action);
        return -1;
    }
    n = drv_xml_add(devices, "watchdog");
    drv_xml_set(n, "model", WATCHDOG_MODEL);
    drv_xml_set(n, "action", action);
    return 0;
}

int
drv_xml_build_devices(xmlNodePtr domain, const drv_config *cfg,
                      const drv_xml_facts *facts, const drv_instance *inst,
                      const drv_disk *disks, unsigned int n_disks,
                      drv_error *err)
{
    bool kq = drv_xml_kvm_or_qemu(cfg);
    bool video = false;
    xmlNodePtr devices = drv_xml_add(domain, "devices");

    for (unsigned int i = 0; i < n_disks; i++) {
        if (build_disk(devices, cfg, inst, &disks[i], err) < 0)
            return -1;
    }
    for (unsigned int i = 0; i < inst->n_vifs; i++)
        build_interface(devices, inst, &inst->vifs[i]);
    if (build_consoles(devices, cfg, facts, inst, err) < 0 ||
        build_pointer(devices, cfg, inst, err) < 0)
        return -1;
    if (cfg->spice_enabled && cfg->spice_agent_enabled)
        build_channel(devices, "spicevmc", NULL, SPICE_AGENT_NAME);
    if (cfg->vnc_enabled) {
        build_graphics(devices, "vnc", cfg->vnc_keymap,
                       cfg->vncserver_listen);
        video = true;
    }
    if (cfg->spice_enabled) {
        build_graphics(devices, "spice", cfg->spice_keymap,
                       cfg->spice_server_listen);
        video = true;
    }
    if (video && build_video(devices, cfg, inst, err) < 0)
        return -1;
    if (kq) {
        const char *rng = drv_xml_image_prop(inst, "hw_rng_model");

        if (drv_xml_bool(drv_xml_image_prop(inst, "hw_qemu_guest_agent"))) {
            g_autofree char *path = g_strdup_printf(
                "/var/lib/libvirt/qemu/%s.%s.sock", QGA_NAME, inst->name);

            build_channel(devices, "unix", path, QGA_NAME);
        }
        if (rng && strcmp(rng, "virtio") == 0 &&
            drv_xml_bool(drv_xml_flavor_spec(inst, "hw_rng:allowed")) &&
            build_rng(devices, cfg, inst, err) < 0)
            return -1;
    }
    if (build_watchdog(devices, inst, err) < 0)
        return -1;
    if (kq && cfg->mem_stats_period_seconds > 0) {
        xmlNodePtr b = drv_xml_add(devices, "memballoon");

        drv_xml_set(b, "model", "virtio");
        drv_xml_set_u64(drv_xml_add(b, "stats"), "period",
                        (uint64_t)cfg->mem_stats_period_seconds);
    }
    return 0;
}

char *
drv_xml_disk_device(const drv_config *cfg, const drv_instance *inst,
                    const drv_disk *disk, drv_error *err)
{
    xmlDocPtr doc = xmlNewDoc((const xmlChar *)"1.0");
    xmlNodePtr holder = xmlNewNode(NULL, (const xmlChar *)"devices");
    xmlBufferPtr buf = NULL;
    char *out = NULL;

    xmlDocSetRootElement(doc, holder);
    if (build_disk(holder, cfg, inst, disk, err) < 0)
        goto cleanup;
    buf = xmlBufferCreate();
    if (!buf)
        g_error("drv-xml: out of memory");
    xmlNodeDump(buf, doc, holder->children, 0, 1);
    out = g_strndup((const char *)xmlBufferContent(buf),
                    (gsize)xmlBufferLength(buf));

cleanup:
    if (buf)
        xmlBufferFree(buf);
    xmlFreeDoc(doc);
    return out;
}
