/*
 * drv-xml.c: the domain XML of an instance — what Nova's
 * LibvirtDriver._get_guest_config() and its helpers decide, for the guests
 * hvd runs (x86_64, kvm/qemu, and libvirt's test driver).
 *
 * Built with the libxml2 tree API only, so every name, path and command
 * line is escaped by the serialiser. The output is deterministic (no
 * creation time in the metadata, no host probing): the golden files under
 * tests/golden/ pin it byte for byte.
 *
 * Choices where Nova looks at the host or at image objects hvd does not
 * have:
 *  - Disk cache mode: cfg->disk_cachemodes ("file=directsync", "block=none",
 *    an entry may hold several comma-separated pairs, the last one for a
 *    source type wins); otherwise "none" for every disk, cdroms included —
 *    Nova's default when the instances path supports O_DIRECT. "default"
 *    leaves the cache attribute out (libvirt's own default).
 *  - Direct kernel boot when the image has kernel_path. Command line:
 *    os_command_line, else Nova's "root=<root device> console=tty0
 *    console=ttyS0" (+ " no_timer_check" for qemu); the root= part only
 *    when the domain has disks (root device: inst->root_device_name, else
 *    /dev/vda). Rescue: rescue_kernel_path / rescue_initrd_path /
 *    rescue_os_command_line, each falling back to the normal property; the
 *    caller passes the disks in boot order (rescue disk first).
 *  - KVM timers (pit delay, rtc catchup, hpet off) and cpu host-model for
 *    virt_type kvm only, as Nova (_set_clock/_set_kvm_timers): TCG has no
 *    in-kernel PIT for the tick policy to act on.
 *  - Machine type: image property hw_machine_type, else "pc".
 *
 * Internal (drv-priv.h): err is not reset here; the public entry point
 * calling drv_domain_xml did that.
 */
#include <errno.h>
#include <glib.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <libxml/tree.h>
#include <libxml/xmlsave.h>

#include "drv-priv.h"
#include "jsonv.h"

/* The namespace of hvd's <metadata> element (Nova: nova:instance). */
#define HVD_XML_META_NS "https://hvd.example/instance/1"
#define HVD_XML_META_PREFIX "hvd"

#define DEFAULT_CACHE_MODE "none"
#define DEFAULT_ROOT_DEVICE "/dev/vda"
#define DEFAULT_MACHINE "pc"
#define DEFAULT_VIF_MODEL "virtio"
#define DEFAULT_DISK_BUS "virtio"
/* Nova's CONSOLE: the last console= is /dev/console. */
#define DEFAULT_CONSOLE "console=tty0 console=ttyS0"
/* cgroup v1 cpu.shares range, which libvirt accepts for <shares>. */
#define CPU_SHARES_MAX 262144

static void
xml_doc_freep(xmlDocPtr *doc)
{
    if (*doc)
        xmlFreeDoc(*doc);
}
#define XML_AUTO_DOC __attribute__((cleanup(xml_doc_freep))) xmlDocPtr

static const char *
image_prop(const drv_instance *inst, const char *key)
{
    return drv_kv_get(inst->image.properties, inst->image.n_properties, key);
}

/* An image property that is set and non-empty, else NULL. */
static const char *
image_prop_nonempty(const drv_instance *inst, const char *key)
{
    const char *v = image_prop(inst, key);

    return v && *v ? v : NULL;
}

/*
 * Is s fit for the XML: valid UTF-8 of characters XML 1.0 allows, the
 * rule the JSON loaders apply at validation (jv_xml_text_ok), so that an
 * instance that validated never fails here? libxml2 would write anything
 * else into a document libvirt then refuses with a far vaguer message.
 * NULL is fine here: presence is checked where it matters.
 */
static int
check_text(const char *s, const char *field, drv_error *err)
{
    uint32_t bad;

    if (!s || jv_xml_text_ok(s, &bad))
        return 0;
    if (bad == UINT32_MAX)
        drv_error_set(err, DRV_ERR_INVALID_INSTANCE, "%s: not valid UTF-8",
                      field);
    else
        drv_error_set(err, DRV_ERR_INVALID_INSTANCE,
                      "%s: U+%04X is not allowed in XML text", field,
                      (unsigned int)bad);
    return -1;
}

/* Present, non-empty and fit for the XML. */
static int
check_required(const char *s, const char *field, drv_error *err)
{
    if (!s || !*s) {
        drv_error_set(err, DRV_ERR_INVALID_INSTANCE, "%s is required", field);
        return -1;
    }
    return check_text(s, field, err);
}

/* "52:54:00:12:34:56": six hex pairs, unicast (libvirt refuses multicast). */
static bool
mac_valid(const char *mac)
{
    unsigned int first;

    if (strlen(mac) != 17)
        return false;
    for (int i = 0; i < 17; i++) {
        if (i % 3 == 2 ? mac[i] != ':' : !g_ascii_isxdigit(mac[i]))
            return false;
    }
    first = (unsigned int)(g_ascii_xdigit_value(mac[0]) * 16 +
                           g_ascii_xdigit_value(mac[1]));
    return (first & 1) == 0;
}

/* Strict decimal in [min, max] (no sign, no spaces, no trailing bytes). */
static int
parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    guint64 v;

    if (!s || !g_ascii_isdigit(s[0]))
        return -1;
    if (!g_ascii_string_to_unsigned(s, 10, min, max, &v, NULL))
        return -1;
    *out = v;
    return 0;
}

static bool
cache_mode_valid(const char *mode)
{
    return g_strv_contains(drv_cache_modes, mode);
}

/*
 * The cache mode for disks of source_type: the last matching
 * cfg->disk_cachemodes pair, else DEFAULT_CACHE_MODE. *mode is a g_strdup
 * (g_free); "default" comes back as NULL (no cache attribute).
 * DRV_ERR_INVALID_CONFIG for a malformed entry.
 */
static int
cache_mode_for(const drv_config *cfg, const char *source_type, char **mode,
               drv_error *err)
{
    char *found = g_strdup(DEFAULT_CACHE_MODE);

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

/* ---- validation: everything drv_domain_xml trusts afterwards ---- */

static int
check_config(const drv_config *cfg, drv_error *err)
{
    if (!cfg->virt_type || !g_strv_contains(drv_virt_types, cfg->virt_type)) {
        drv_error_set(err, DRV_ERR_INVALID_CONFIG,
                      "virt_type: '%s' is not kvm, qemu or test",
                      cfg->virt_type ? cfg->virt_type : "(null)");
        return -1;
    }
    if (!cfg->instances_path || !*cfg->instances_path ||
        !g_utf8_validate(cfg->instances_path, -1, NULL)) {
        drv_error_set(err, DRV_ERR_INVALID_CONFIG,
                      "instances_path is required (valid UTF-8)");
        return -1;
    }
    return 0;
}

static int
check_instance(const drv_instance *inst, drv_error *err)
{
    /* The properties that end up in the XML. */
    static const char *const props[] = {
        "kernel_path", "initrd_path", "os_command_line",
        "rescue_kernel_path", "rescue_initrd_path", "rescue_os_command_line",
        "hw_machine_type", "hw_vif_model", "hw_disk_bus",
    };

    if (check_required(inst->name, "name", err) < 0)
        return -1;
    if (strchr(inst->name, '/')) {
        /* libvirt's rule: the name becomes file names under /etc, /run */
        drv_error_set(err, DRV_ERR_INVALID_INSTANCE,
                      "name: '%s' contains '/'", inst->name);
        return -1;
    }
    if (check_required(inst->uuid, "uuid", err) < 0)
        return -1;
    /* Canonical form only: it also names the console log's folder. */
    if (!g_uuid_string_is_valid(inst->uuid)) {
        drv_error_set(err, DRV_ERR_INVALID_INSTANCE,
                      "uuid: '%s' is not a UUID", inst->uuid);
        return -1;
    }
    if (inst->flavor.vcpus < 1) {
        drv_error_set(err, DRV_ERR_INVALID_INSTANCE,
                      "flavor.vcpus must be at least 1");
        return -1;
    }
    if (inst->flavor.memory_mb < 1 ||
        inst->flavor.memory_mb > UINT64_MAX / 1024) {
        drv_error_set(err, DRV_ERR_INVALID_INSTANCE,
                      "flavor.memory_mb: %" PRIu64 " out of range",
                      inst->flavor.memory_mb);
        return -1;
    }
    if (check_text(inst->flavor.name, "flavor.name", err) < 0 ||
        check_text(inst->image.id, "image.id", err) < 0 ||
        check_text(inst->root_device_name, "root_device_name", err) < 0)
        return -1;
    for (size_t i = 0; i < G_N_ELEMENTS(props); i++) {
        g_autofree char *field = g_strdup_printf("image.properties.%s",
                                                 props[i]);

        if (check_text(image_prop(inst, props[i]), field, err) < 0)
            return -1;
    }
    return 0;
}

static int
check_disks(const drv_disk *disks, unsigned int n_disks, drv_error *err)
{
    for (unsigned int i = 0; i < n_disks; i++) {
        const drv_disk *d = &disks[i];
        char field[64];

        g_snprintf(field, sizeof(field), "disks[%u].path", i);
        if (check_required(d->path, field, err) < 0)
            return -1;
        g_snprintf(field, sizeof(field), "disks[%u].target", i);
        if (check_required(d->target, field, err) < 0)
            return -1;
        if (d->device && strcmp(d->device, "disk") != 0 &&
            strcmp(d->device, "cdrom") != 0) {
            drv_error_set(err, DRV_ERR_INVALID_INSTANCE,
                          "disks[%u].device: '%s' is not disk or cdrom",
                          i, d->device);
            return -1;
        }
        if (d->source_type && strcmp(d->source_type, "file") != 0 &&
            strcmp(d->source_type, "block") != 0) {
            drv_error_set(err, DRV_ERR_INVALID_INSTANCE,
                          "disks[%u].source_type: '%s' is not file or block",
                          i, d->source_type);
            return -1;
        }
        g_snprintf(field, sizeof(field), "disks[%u].format", i);
        if (check_text(d->format, field, err) < 0)
            return -1;
        g_snprintf(field, sizeof(field), "disks[%u].bus", i);
        if (check_text(d->bus, field, err) < 0)
            return -1;
        g_snprintf(field, sizeof(field), "disks[%u].serial", i);
        if (check_text(d->serial, field, err) < 0)
            return -1;
        for (unsigned int j = 0; j < i; j++) {
            if (strcmp(disks[j].target, d->target) == 0) {
                drv_error_set(err, DRV_ERR_INVALID_INSTANCE,
                              "disks[%u].target: '%s' used twice", i,
                              d->target);
                return -1;
            }
        }
    }
    return 0;
}

static int
check_vifs(const drv_instance *inst, drv_error *err)
{
    for (unsigned int i = 0; i < inst->n_vifs; i++) {
        const drv_vif *v = &inst->vifs[i];
        char field[64];

        g_snprintf(field, sizeof(field), "network_info[%u].address", i);
        if (check_required(v->mac, field, err) < 0)
            return -1;
        if (!mac_valid(v->mac)) {
            drv_error_set(err, DRV_ERR_INVALID_INSTANCE,
                          "%s: '%s' is not a unicast MAC address", field,
                          v->mac);
            return -1;
        }
        g_snprintf(field, sizeof(field), "network_info[%u].type", i);
        if (check_required(v->type, field, err) < 0)
            return -1;
        if (strcmp(v->type, "bridge") == 0) {
            g_snprintf(field, sizeof(field), "network_info[%u].bridge", i);
            if (check_required(v->bridge, field, err) < 0)
                return -1;
        } else if (strcmp(v->type, "network") == 0) {
            g_snprintf(field, sizeof(field), "network_info[%u].network", i);
            if (check_required(v->network, field, err) < 0)
                return -1;
        } else if (strcmp(v->type, "ethernet") == 0) {
            /* no devname: libvirt names the tap vnetN itself */
            g_snprintf(field, sizeof(field), "network_info[%u].devname", i);
            if (check_text(v->devname, field, err) < 0)
                return -1;
        } else {
            drv_error_set(err, DRV_ERR_INVALID_INSTANCE,
                          "%s: unknown VIF type '%s' (bridge, network, "
                          "ethernet)", field, v->type);
            return -1;
        }
    }
    return 0;
}

/* ---- building ---- */

static xmlNodePtr
add_elem(xmlNodePtr parent, const char *name)
{
    return xmlNewChild(parent, NULL, BAD_CAST name, NULL);
}

/* Text content is escaped (xmlNewTextChild, unlike xmlNewChild). */
static xmlNodePtr
add_text(xmlNodePtr parent, const char *name, const char *text)
{
    return xmlNewTextChild(parent, NULL, BAD_CAST name, BAD_CAST text);
}

static xmlNodePtr
add_u64(xmlNodePtr parent, xmlNsPtr ns, const char *name, uint64_t v)
{
    char buf[24];

    g_snprintf(buf, sizeof(buf), "%" PRIu64, v);
    return xmlNewTextChild(parent, ns, BAD_CAST name, BAD_CAST buf);
}

static void
set_prop(xmlNodePtr node, const char *name, const char *value)
{
    xmlNewProp(node, BAD_CAST name, BAD_CAST value);
}

static void
set_prop_u64(xmlNodePtr node, const char *name, uint64_t v)
{
    char buf[24];

    g_snprintf(buf, sizeof(buf), "%" PRIu64, v);
    set_prop(node, name, buf);
}

/* Nova's nova:instance metadata, minus package/owner/creationTime. */
static void
build_metadata(xmlNodePtr domain, const drv_instance *inst)
{
    const drv_flavor *f = &inst->flavor;
    xmlNodePtr meta = add_elem(domain, "metadata");
    xmlNodePtr top = add_elem(meta, "instance");
    xmlNsPtr ns = xmlNewNs(top, BAD_CAST HVD_XML_META_NS,
                           BAD_CAST HVD_XML_META_PREFIX);
    xmlNodePtr flavor;

    xmlSetNs(top, ns);
    xmlNewTextChild(top, ns, BAD_CAST "name", BAD_CAST inst->name);
    flavor = xmlNewChild(top, ns, BAD_CAST "flavor", NULL);
    if (f->name)
        set_prop(flavor, "name", f->name);
    add_u64(flavor, ns, "memory", f->memory_mb);
    add_u64(flavor, ns, "disk", f->root_gb);
    add_u64(flavor, ns, "swap", f->swap_mb);
    add_u64(flavor, ns, "ephemeral", f->ephemeral_gb);
    add_u64(flavor, ns, "vcpus", f->vcpus);
    if (inst->image.id && *inst->image.id) {
        xmlNodePtr root = xmlNewChild(top, ns, BAD_CAST "root", NULL);

        set_prop(root, "type", "image");
        set_prop(root, "uuid", inst->image.id);
    }
}

static void
build_os(xmlNodePtr domain, const drv_config *cfg, const drv_instance *inst,
         unsigned int n_disks, bool rescue)
{
    const char *machine = image_prop_nonempty(inst, "hw_machine_type");
    const char *kernel = NULL, *initrd = NULL, *cmdline = NULL;
    xmlNodePtr os = add_elem(domain, "os");
    xmlNodePtr type = add_text(os, "type", "hvm");

    set_prop(type, "arch", "x86_64");
    set_prop(type, "machine", machine ? machine : DEFAULT_MACHINE);

    if (rescue) {
        kernel = image_prop_nonempty(inst, "rescue_kernel_path");
        initrd = image_prop_nonempty(inst, "rescue_initrd_path");
        cmdline = image_prop_nonempty(inst, "rescue_os_command_line");
    }
    if (!kernel)
        kernel = image_prop_nonempty(inst, "kernel_path");
    if (!initrd)
        initrd = image_prop_nonempty(inst, "initrd_path");
    if (!cmdline)
        cmdline = image_prop_nonempty(inst, "os_command_line");

    if (!kernel) {
        xmlNodePtr boot = add_elem(os, "boot");

        set_prop(boot, "dev", "hd");
        return;
    }
    add_text(os, "kernel", kernel);
    if (initrd)
        add_text(os, "initrd", initrd);
    if (cmdline) {
        add_text(os, "cmdline", cmdline);
    } else {
        const char *root = inst->root_device_name && *inst->root_device_name
                               ? inst->root_device_name
                               : DEFAULT_ROOT_DEVICE;
        g_autofree char *dflt = g_strdup_printf(
            "%s%s%s%s", n_disks ? "root=" : "", n_disks ? root : "",
            n_disks ? " " : "", DEFAULT_CONSOLE);
        g_autofree char *full = strcmp(cfg->virt_type, "qemu") == 0
                                    ? g_strconcat(dflt, " no_timer_check",
                                                  NULL)
                                    : g_strdup(dflt);

        add_text(os, "cmdline", full);
    }
}

/*
 * <cpu>: host-model on kvm; a <topology> from the hw:cpu_* extra specs.
 * Missing values: threads 1, then cores/sockets fill up vcpus. The product
 * must be the flavor's vcpus.
 */
static int
build_cpu(xmlNodePtr domain, const drv_config *cfg, const drv_instance *inst,
          drv_error *err)
{
    static const char *const keys[3] = {
        "hw:cpu_sockets", "hw:cpu_cores", "hw:cpu_threads",
    };
    const drv_flavor *f = &inst->flavor;
    uint64_t v[3] = {0, 0, 0}; /* sockets, cores, threads; 0 = unset */
    bool topo = false, kvm = strcmp(cfg->virt_type, "kvm") == 0;
    xmlNodePtr cpu;

    for (int i = 0; i < 3; i++) {
        const char *s = drv_kv_get(f->extra_specs, f->n_extra_specs, keys[i]);

        if (!s)
            continue;
        if (parse_uint(s, 1, f->vcpus, &v[i]) < 0) {
            drv_error_set(err, DRV_ERR_INVALID_INSTANCE,
                          "flavor.extra_specs %s: '%s' is not a number "
                          "from 1 to %u (the flavor's vcpus)", keys[i], s,
                          f->vcpus);
            return -1;
        }
        topo = true;
    }
    if (topo) {
        if (!v[2])
            v[2] = 1;
        if (!v[0] && !v[1])
            v[1] = 1;
        if (!v[0])
            v[0] = f->vcpus / (v[1] * v[2]);
        if (!v[1])
            v[1] = f->vcpus / (v[0] * v[2]);
        if (v[0] * v[1] * v[2] != f->vcpus) {
            drv_error_set(err, DRV_ERR_INVALID_INSTANCE,
                          "flavor.extra_specs hw:cpu_sockets/cores/threads: "
                          "%" PRIu64 "*%" PRIu64 "*%" PRIu64 " is not the "
                          "flavor's %u vcpus", v[0], v[1], v[2], f->vcpus);
            return -1;
        }
    }
    if (!kvm && !topo)
        return 0;
    cpu = add_elem(domain, "cpu");
    if (kvm)
        set_prop(cpu, "mode", "host-model");
    if (topo) {
        xmlNodePtr t = add_elem(cpu, "topology");

        set_prop_u64(t, "sockets", v[0]);
        set_prop_u64(t, "cores", v[1]);
        set_prop_u64(t, "threads", v[2]);
    }
    return 0;
}

static int
build_cputune(xmlNodePtr domain, const drv_instance *inst, drv_error *err)
{
    const drv_flavor *f = &inst->flavor;
    const char *s = drv_kv_get(f->extra_specs, f->n_extra_specs,
                              "quota:cpu_shares");
    uint64_t shares;

    if (!s)
        return 0;
    if (parse_uint(s, 1, CPU_SHARES_MAX, &shares) < 0) {
        drv_error_set(err, DRV_ERR_INVALID_INSTANCE,
                      "flavor.extra_specs quota:cpu_shares: '%s' is not a "
                      "number from 1 to %d", s, CPU_SHARES_MAX);
        return -1;
    }
    add_u64(add_elem(domain, "cputune"), NULL, "shares", shares);
    return 0;
}

static void
build_clock(xmlNodePtr domain, const drv_config *cfg)
{
    static const struct {
        const char *name, *attr, *value;
    } kvm_timers[] = {
        {"pit", "tickpolicy", "delay"},
        {"rtc", "tickpolicy", "catchup"},
        {"hpet", "present", "no"},
    };
    xmlNodePtr clock = add_elem(domain, "clock");

    set_prop(clock, "offset", "utc");
    if (strcmp(cfg->virt_type, "kvm") != 0)
        return;
    for (size_t i = 0; i < G_N_ELEMENTS(kvm_timers); i++) {
        xmlNodePtr t = add_elem(clock, "timer");

        set_prop(t, "name", kvm_timers[i].name);
        set_prop(t, kvm_timers[i].attr, kvm_timers[i].value);
    }
}

static int
build_disk(xmlNodePtr devices, const drv_config *cfg,
           const drv_instance *inst, const drv_disk *d, drv_error *err)
{
    const char *stype = d->source_type ? d->source_type : "file";
    const char *bus = d->bus ? d->bus : image_prop_nonempty(inst,
                                                            "hw_disk_bus");
    g_autofree char *cache = NULL;
    xmlNodePtr disk, n;

    if (cache_mode_for(cfg, stype, &cache, err) < 0)
        return -1;
    disk = add_elem(devices, "disk");
    set_prop(disk, "type", stype);
    set_prop(disk, "device", d->device ? d->device : "disk");
    n = add_elem(disk, "driver");
    set_prop(n, "name", "qemu");
    set_prop(n, "type", d->format ? d->format : "raw");
    if (cache)
        set_prop(n, "cache", cache);
    n = add_elem(disk, "source");
    set_prop(n, strcmp(stype, "block") == 0 ? "dev" : "file", d->path);
    n = add_elem(disk, "target");
    set_prop(n, "dev", d->target);
    set_prop(n, "bus", bus ? bus : DEFAULT_DISK_BUS);
    if (d->serial && *d->serial)
        add_text(disk, "serial", d->serial);
    return 0;
}

static void
build_interface(xmlNodePtr devices, const drv_instance *inst,
                const drv_vif *v)
{
    const char *model = image_prop_nonempty(inst, "hw_vif_model");
    xmlNodePtr iface = add_elem(devices, "interface");
    xmlNodePtr n;

    set_prop(iface, "type", v->type);
    set_prop(add_elem(iface, "mac"), "address", v->mac);
    if (strcmp(v->type, "bridge") == 0) {
        set_prop(add_elem(iface, "source"), "bridge", v->bridge);
    } else if (strcmp(v->type, "network") == 0) {
        set_prop(add_elem(iface, "source"), "network", v->network);
    } else if (v->devname && *v->devname) { /* ethernet */
        set_prop(add_elem(iface, "target"), "dev", v->devname);
    }
    n = add_elem(iface, "model");
    set_prop(n, "type", model ? model : DEFAULT_VIF_MODEL);
}

static void
build_consoles(xmlNodePtr devices, const char *log)
{
    xmlNodePtr serial = add_elem(devices, "serial");
    xmlNodePtr console = add_elem(devices, "console");
    xmlNodePtr t;

    set_prop(serial, "type", "file");
    set_prop(add_elem(serial, "source"), "path", log);
    set_prop(add_elem(serial, "target"), "port", "0");

    set_prop(console, "type", "file");
    set_prop(add_elem(console, "source"), "path", log);
    t = add_elem(console, "target");
    set_prop(t, "type", "serial");
    set_prop(t, "port", "0");
}

/* The document as a g_malloc'ed string: UTF-8, 2-space indent, no XML
 * declaration (like libvirt's own output), ending in a newline. */
static char *
doc_format(xmlDocPtr doc)
{
    xmlBufferPtr buf = xmlBufferCreate();
    xmlSaveCtxtPtr save;
    char *out = NULL;

    if (!buf)
        g_error("drv-xml: out of memory");
    save = xmlSaveToBuffer(buf, "UTF-8", XML_SAVE_FORMAT | XML_SAVE_NO_DECL);
    if (!save)
        g_error("drv-xml: out of memory");
    xmlSaveDoc(save, doc);
    xmlSaveClose(save);
    out = g_strndup((const char *)xmlBufferContent(buf),
                    (gsize)xmlBufferLength(buf));
    xmlBufferFree(buf);
    return out;
}

char *
drv_domain_xml(const drv_config *cfg, const drv_instance *inst,
               const drv_disk *disks, unsigned int n_disks, bool rescue,
               drv_error *err)
{
    XML_AUTO_DOC doc = NULL;
    g_autofree char *log = NULL;
    xmlNodePtr domain, devices, n;

    if (!cfg || !inst || (n_disks && !disks)) {
        drv_error_set(err, DRV_ERR_INVALID_INSTANCE,
                      "drv_domain_xml: missing %s",
                      !cfg ? "config" : !inst ? "instance" : "disks");
        return NULL;
    }
    if (check_config(cfg, err) < 0 || check_instance(inst, err) < 0 ||
        check_disks(disks, n_disks, err) < 0 || check_vifs(inst, err) < 0)
        return NULL;

    doc = xmlNewDoc(BAD_CAST "1.0");
    domain = xmlNewDocNode(doc, NULL, BAD_CAST "domain", NULL);
    if (!doc || !domain)
        g_error("drv-xml: out of memory");
    xmlDocSetRootElement(doc, domain);
    set_prop(domain, "type", cfg->virt_type);
    add_text(domain, "name", inst->name);
    add_text(domain, "uuid", inst->uuid);
    build_metadata(domain, inst);
    n = add_u64(domain, NULL, "memory", inst->flavor.memory_mb * 1024);
    set_prop(n, "unit", "KiB");
    add_u64(domain, NULL, "vcpu", inst->flavor.vcpus);
    if (build_cputune(domain, inst, err) < 0)
        return NULL;
    build_os(domain, cfg, inst, n_disks, rescue);
    n = add_elem(domain, "features");
    add_elem(n, "acpi");
    add_elem(n, "apic");
    if (build_cpu(domain, cfg, inst, err) < 0)
        return NULL;
    build_clock(domain, cfg);
    add_text(domain, "on_poweroff", "destroy");
    add_text(domain, "on_reboot", "restart");
    add_text(domain, "on_crash", "destroy");

    devices = add_elem(domain, "devices");
    for (unsigned int i = 0; i < n_disks; i++) {
        if (build_disk(devices, cfg, inst, &disks[i], err) < 0)
            return NULL;
    }
    for (unsigned int i = 0; i < inst->n_vifs; i++)
        build_interface(devices, inst, &inst->vifs[i]);
    log = drv_console_log_path(cfg, inst);
    build_consoles(devices, log);
    n = add_elem(devices, "controller");
    set_prop(n, "type", "usb");
    set_prop(n, "model", "none");
    set_prop(add_elem(devices, "memballoon"), "model", "none");

    return doc_format(doc);
}

char *
drv_console_log_path(const drv_config *cfg, const drv_instance *inst)
{
    if (!cfg || !cfg->instances_path || !*cfg->instances_path || !inst ||
        !inst->uuid || !*inst->uuid)
        return NULL;
    return g_build_filename(cfg->instances_path, inst->uuid, "console.log",
                            NULL);
}
