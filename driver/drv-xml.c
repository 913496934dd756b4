/*
 * drv-xml.c: the domain XML of an instance — what Nova's
 * LibvirtDriver._get_guest_config() and its helpers decide, for the guests
 * hvd runs (x86_64, kvm/qemu, and libvirt's test driver): the checks on
 * what goes in, the domain's top level (metadata, memory, vCPUs, OS and
 * SMBIOS, features, clock). The CPU and cputune are built in
 * drv-xml-cpu.c, the devices in drv-xml-devices.c.
 *
 * Built with the libxml2 tree API only, so every name, path and command
 * line is escaped by the serialiser. The output is deterministic (no
 * creation time in the metadata, no host probing: what the reference
 * learns from the host comes in as drv_xml_facts): the golden files under
 * tests/golden/xml/ pin it byte for byte.
 *
 * Choices where Nova looks at the host or at image objects hvd does not
 * have (docs/reference-differences.md, "Domain XML and consoles"):
 *  - Direct kernel boot when the image has kernel_path. Command line:
 *    os_command_line, else Nova's "root=<root device> console=tty0
 *    console=ttyS0" (+ " no_timer_check" for qemu); the root= part only
 *    when the domain has disks (root device: inst->root_device_name, else
 *    /dev/vda). Rescue: rescue_kernel_path / rescue_initrd_path /
 *    rescue_os_command_line, each falling back to the normal property; the
 *    caller passes the disks in boot order (rescue disk first).
 *  - The guest's OS type (Nova's instance.os_type) is the image property
 *    os_type; "windows" gives a localtime clock and Hyper-V features.
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

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlsave.h>
#include <libxml/xpath.h>

#include "drv-priv.h"
#include "jsonv.h"

/* The namespace of hvd's <metadata> element (Nova: nova:instance). */
#define HVD_XML_META_NS "https://hvd.example/instance/1"
#define HVD_XML_META_PREFIX "hvd"

#define DEFAULT_ROOT_DEVICE "/dev/vda"
/* the one architecture hvd's guests have (hw_machine_type mappings) */
#define HOST_ARCH "x86_64"
/* Nova's CONSOLE: the last console= is /dev/console. */
#define DEFAULT_CONSOLE "console=tty0 console=ttyS0"
/* What the SMBIOS system block says (Nova: version.vendor_string() ...). */
#define SYSINFO_MANUFACTURER "hvd"
#define SYSINFO_PRODUCT "hvd compute"
#define SYSINFO_FAMILY "Virtual Machine"

static void
xml_doc_freep(xmlDocPtr *doc)
{
    if (*doc)
        xmlFreeDoc(*doc);
}
#define XML_AUTO_DOC __attribute__((cleanup(xml_doc_freep))) xmlDocPtr

const char *
drv_xml_image_prop(const drv_instance *inst, const char *key)
{
    const char *v = drv_kv_get(inst->image.properties,
                               inst->image.n_properties, key);

    return v && *v ? v : NULL;
}

const char *
drv_xml_flavor_spec(const drv_instance *inst, const char *key)
{
    const char *v = drv_kv_get(inst->flavor.extra_specs,
                               inst->flavor.n_extra_specs, key);

    return v && *v ? v : NULL;
}

bool
drv_xml_bool(const char *s)
{
    static const char *const yes[] = {"1", "t", "true", "on", "y", "yes"};

    for (size_t i = 0; s && i < G_N_ELEMENTS(yes); i++)
        if (g_ascii_strcasecmp(s, yes[i]) == 0)
            return true;
    return false;
}

bool
drv_xml_kvm_or_qemu(const drv_config *cfg)
{
    return strcmp(cfg->virt_type, "kvm") == 0 ||
           strcmp(cfg->virt_type, "qemu") == 0;
}

/*
 * Is s fit for the XML: valid UTF-8 of characters XML 1.0 allows, the
 * rule the JSON loaders apply at validation (jv_xml_text_ok), so that an
 * instance that validated never fails here? libxml2 would write anything
 * else into a document libvirt then refuses with a far vaguer message.
 * NULL is fine here: presence is checked where it matters.
 */
static int
check_text_kind(const char *s, const char *field, drv_error_kind kind,
                drv_error *err)
{
    uint32_t bad;

    if (!s || jv_xml_text_ok(s, &bad))
        return 0;
    if (bad == UINT32_MAX)
        drv_error_set(err, kind, "%s: not valid UTF-8", field);
    else
        drv_error_set(err, kind, "%s: U+%04X is not allowed in XML text",
                      field, (unsigned int)bad);
    return -1;
}

static int
check_text(const char *s, const char *field, drv_error *err)
{
    return check_text_kind(s, field, DRV_ERR_INVALID_INSTANCE, err);
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

int
drv_xml_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    guint64 v;

    if (!s || !g_ascii_isdigit(s[0]))
        return -1;
    if (!g_ascii_string_to_unsigned(s, 10, min, max, &v, NULL))
        return -1;
    *out = v;
    return 0;
}

/* ---- validation: everything drv_domain_xml trusts afterwards ---- */

static int
check_config(const drv_config *cfg, drv_error *err)
{
    /* the configured strings that end up in the XML */
    const struct {
        const char *name, *value;
    } texts[] = {
        {"cpu_model", cfg->cpu_model},
        {"vnc_keymap", cfg->vnc_keymap},
        {"vncserver_listen", cfg->vncserver_listen},
        {"spice_keymap", cfg->spice_keymap},
        {"spice_server_listen", cfg->spice_server_listen},
        {"serial_console_proxyclient_address",
         cfg->serial_console_proxyclient_address},
        {"rng_dev_path", cfg->rng_dev_path},
    };

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
    for (size_t i = 0; i < G_N_ELEMENTS(texts); i++) {
        if (check_text_kind(texts[i].value, texts[i].name,
                            DRV_ERR_INVALID_CONFIG, err) < 0)
            return -1;
    }
    for (size_t i = 0; cfg->hw_machine_type && cfg->hw_machine_type[i];
         i++) {
        const char *m = cfg->hw_machine_type[i];
        const char *eq = strchr(m, '=');

        if (!eq || eq == m || !eq[1] ||
            check_text_kind(m, "hw_machine_type", DRV_ERR_INVALID_CONFIG,
                            err) < 0) {
            drv_error_set(err, DRV_ERR_INVALID_CONFIG,
                          "hw_machine_type: bad entry '%s' (want "
                          "ARCH=MACHINE, e.g. x86_64=pc-q35-7.2)", m);
            return -1;
        }
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

        if (check_text(drv_xml_image_prop(inst, props[i]), field, err) < 0)
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

xmlNodePtr
drv_xml_add(xmlNodePtr parent, const char *name)
{
    return xmlNewChild(parent, NULL, BAD_CAST name, NULL);
}

xmlNodePtr
drv_xml_add_text(xmlNodePtr parent, const char *name, const char *text)
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

void
drv_xml_set(xmlNodePtr node, const char *name, const char *value)
{
    xmlNewProp(node, BAD_CAST name, BAD_CAST value);
}

void
drv_xml_set_u64(xmlNodePtr node, const char *name, uint64_t v)
{
    char buf[24];

    g_snprintf(buf, sizeof(buf), "%" PRIu64, v);
    drv_xml_set(node, name, buf);
}

/* Nova's nova:instance metadata, minus package/owner/creationTime. */
static void
build_metadata(xmlNodePtr domain, const drv_instance *inst)
{
    const drv_flavor *f = &inst->flavor;
    xmlNodePtr meta = drv_xml_add(domain, "metadata");
    xmlNodePtr top = drv_xml_add(meta, "instance");
    xmlNsPtr ns = xmlNewNs(top, BAD_CAST HVD_XML_META_NS,
                           BAD_CAST HVD_XML_META_PREFIX);
    xmlNodePtr flavor;

    xmlSetNs(top, ns);
    xmlNewTextChild(top, ns, BAD_CAST "name", BAD_CAST inst->name);
    flavor = xmlNewChild(top, ns, BAD_CAST "flavor", NULL);
    if (f->name)
        drv_xml_set(flavor, "name", f->name);
    add_u64(flavor, ns, "memory", f->memory_mb);
    add_u64(flavor, ns, "disk", f->root_gb);
    add_u64(flavor, ns, "swap", f->swap_mb);
    add_u64(flavor, ns, "ephemeral", f->ephemeral_gb);
    add_u64(flavor, ns, "vcpus", f->vcpus);
    if (inst->image.id && *inst->image.id) {
        xmlNodePtr root = xmlNewChild(top, ns, BAD_CAST "root", NULL);

        drv_xml_set(root, "type", "image");
        drv_xml_set(root, "uuid", inst->image.id);
    }
}

/*
 * The machine type as the reference's _get_machine_type picks it: the
 * image's hw_machine_type, else — when the option is set — the entry for
 * the host's architecture (none for it: libvirt's default), else libvirt's
 * default. NULL: no machine attribute.
 */
static const char *
machine_type(const drv_config *cfg, const drv_instance *inst)
{
    const char *m = drv_xml_image_prop(inst, "hw_machine_type");
    const char *found = NULL;

    if (m)
        return m;
    for (size_t i = 0; cfg->hw_machine_type && cfg->hw_machine_type[i];
         i++) {
        const char *e = cfg->hw_machine_type[i];
        size_t n = strlen(HOST_ARCH);

        /* Nova builds a dict: the last entry for an arch wins */
        if (strncmp(e, HOST_ARCH, n) == 0 && e[n] == '=')
            found = e + n + 1;
    }
    return found;
}

/* Boot menu: the image's hw_boot_menu, else the flavor's hw:boot_menu. */
static bool
boot_menu(const drv_instance *inst)
{
    const char *v = drv_kv_get(inst->image.properties,
                               inst->image.n_properties, "hw_boot_menu");

    if (!v)
        v = drv_kv_get(inst->flavor.extra_specs, inst->flavor.n_extra_specs,
                       "hw:boot_menu");
    return drv_xml_bool(v);
}

static void
build_os(xmlNodePtr domain, const drv_config *cfg, const drv_instance *inst,
         unsigned int n_disks, bool rescue)
{
    bool kq = drv_xml_kvm_or_qemu(cfg);
    const char *machine = kq ? machine_type(cfg, inst) : NULL;
    const char *kernel = NULL, *initrd = NULL, *cmdline = NULL;
    xmlNodePtr os = drv_xml_add(domain, "os");
    xmlNodePtr type = drv_xml_add_text(os, "type", "hvm");

    drv_xml_set(type, "arch", HOST_ARCH);
    if (machine)
        drv_xml_set(type, "machine", machine);

    if (rescue) {
        kernel = drv_xml_image_prop(inst, "rescue_kernel_path");
        initrd = drv_xml_image_prop(inst, "rescue_initrd_path");
        cmdline = drv_xml_image_prop(inst, "rescue_os_command_line");
    }
    if (!kernel)
        kernel = drv_xml_image_prop(inst, "kernel_path");
    if (!initrd)
        initrd = drv_xml_image_prop(inst, "initrd_path");
    if (!cmdline)
        cmdline = drv_xml_image_prop(inst, "os_command_line");

    if (!kernel) {
        drv_xml_set(drv_xml_add(os, "boot"), "dev", "hd");
    } else {
        drv_xml_add_text(os, "kernel", kernel);
        if (initrd)
            drv_xml_add_text(os, "initrd", initrd);
        if (cmdline) {
            drv_xml_add_text(os, "cmdline", cmdline);
        } else {
            const char *root =
                inst->root_device_name && *inst->root_device_name
                    ? inst->root_device_name
                    : DEFAULT_ROOT_DEVICE;
            g_autofree char *dflt = g_strdup_printf(
                "%s%s%s%s", n_disks ? "root=" : "", n_disks ? root : "",
                n_disks ? " " : "", DEFAULT_CONSOLE);
            g_autofree char *full =
                strcmp(cfg->virt_type, "qemu") == 0
                    ? g_strconcat(dflt, " no_timer_check", NULL)
                    : g_strdup(dflt);

            drv_xml_add_text(os, "cmdline", full);
        }
    }
    /* _configure_guest_by_virt_type: kvm/qemu on x86 only */
    if (kq && boot_menu(inst))
        drv_xml_set(drv_xml_add(os, "bootmenu"), "enable", "yes");
    if (kq)
        drv_xml_set(drv_xml_add(os, "smbios"), "mode", "sysinfo");
}

/* _get_guest_config_sysinfo: what the guest's DMI tables say. */
static void
build_sysinfo(xmlNodePtr domain, const drv_instance *inst,
              const drv_xml_facts *facts)
{
    const struct {
        const char *name, *value;
    } entries[] = {
        {"manufacturer", SYSINFO_MANUFACTURER},
        {"product", SYSINFO_PRODUCT},
        {"serial", facts ? facts->sysinfo_serial : NULL},
        {"uuid", inst->uuid},
        {"family", SYSINFO_FAMILY},
    };
    xmlNodePtr sysinfo = drv_xml_add(domain, "sysinfo");
    xmlNodePtr system;

    drv_xml_set(sysinfo, "type", "smbios");
    system = drv_xml_add(sysinfo, "system");
    for (size_t i = 0; i < G_N_ELEMENTS(entries); i++) {
        if (!entries[i].value)
            continue;
        drv_xml_set(drv_xml_add_text(system, "entry", entries[i].value),
                    "name", entries[i].name);
    }
}

static bool
is_windows(const drv_instance *inst)
{
    const char *os = drv_xml_image_prop(inst, "os_type");

    return os && strcmp(os, "windows") == 0;
}

/* _set_features: ACPI and APIC; Hyper-V enlightenments for Windows. */
static void
build_features(xmlNodePtr domain, const drv_config *cfg,
               const drv_instance *inst)
{
    xmlNodePtr features = drv_xml_add(domain, "features");
    xmlNodePtr hv, n;

    drv_xml_add(features, "acpi");
    drv_xml_add(features, "apic");
    if (!drv_xml_kvm_or_qemu(cfg) || !is_windows(inst))
        return;
    hv = drv_xml_add(features, "hyperv");
    drv_xml_set(drv_xml_add(hv, "relaxed"), "state", "on");
    drv_xml_set(drv_xml_add(hv, "vapic"), "state", "on");
    n = drv_xml_add(hv, "spinlocks");
    drv_xml_set(n, "state", "on");
    drv_xml_set(n, "retries", "8191");
}

/* _set_clock and _set_kvm_timers (kvm only: TCG has no in-kernel PIT for
 * the tick policy to act on). */
static void
build_clock(xmlNodePtr domain, const drv_config *cfg,
            const drv_instance *inst)
{
    static const struct {
        const char *name, *attr, *value;
    } kvm_timers[] = {
        {"pit", "tickpolicy", "delay"},
        {"rtc", "tickpolicy", "catchup"},
        {"hpet", "present", "no"},
    };
    xmlNodePtr clock = drv_xml_add(domain, "clock");
    bool windows = is_windows(inst);

    drv_xml_set(clock, "offset", windows ? "localtime" : "utc");
    if (strcmp(cfg->virt_type, "kvm") != 0)
        return;
    for (size_t i = 0; i < G_N_ELEMENTS(kvm_timers); i++) {
        xmlNodePtr t = drv_xml_add(clock, "timer");

        drv_xml_set(t, "name", kvm_timers[i].name);
        drv_xml_set(t, kvm_timers[i].attr, kvm_timers[i].value);
    }
    /* the reference adds it with new enough libvirt/QEMU, which every
     * version hvd accepts is */
    if (windows) {
        xmlNodePtr t = drv_xml_add(clock, "timer");

        drv_xml_set(t, "name", "hypervclock");
        drv_xml_set(t, "present", "yes");
    }
}

int
drv_xml_check_options(const drv_config *cfg, drv_error *err)
{
    const char *mode, *model;
    int lo, hi;

    if (check_config(cfg, err) < 0 ||
        drv_xml_cpu_model_config(cfg, &mode, &model, err) < 0)
        return -1;
    if (cfg->serial_console_enabled &&
        drv_console_port_range(cfg, &lo, &hi, err) < 0)
        return -1;
    return 0;
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
drv_domain_xml(const drv_config *cfg, const drv_xml_facts *facts,
               const drv_instance *inst, const drv_disk *disks,
               unsigned int n_disks, bool rescue, drv_error *err)
{
    XML_AUTO_DOC doc = NULL;
    xmlNodePtr domain, n;

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
    drv_xml_set(domain, "type", cfg->virt_type);
    drv_xml_add_text(domain, "name", inst->name);
    drv_xml_add_text(domain, "uuid", inst->uuid);
    build_metadata(domain, inst);
    n = add_u64(domain, NULL, "memory", inst->flavor.memory_mb * 1024);
    drv_xml_set(n, "unit", "KiB");
    add_u64(domain, NULL, "vcpu", inst->flavor.vcpus);
    if (drv_xml_build_cputune(domain, cfg, inst, err) < 0)
        return NULL;
    if (drv_xml_kvm_or_qemu(cfg))
        build_sysinfo(domain, inst, facts);
    build_os(domain, cfg, inst, n_disks, rescue);
    build_features(domain, cfg, inst);
    if (drv_xml_build_cpu(domain, cfg, inst, err) < 0)
        return NULL;
    build_clock(domain, cfg, inst);
    drv_xml_add_text(domain, "on_poweroff", "destroy");
    drv_xml_add_text(domain, "on_reboot", "restart");
    drv_xml_add_text(domain, "on_crash", "destroy");
    if (drv_xml_build_devices(domain, cfg, facts, inst, disks, n_disks,
                              err) < 0)
        return NULL;
    /* the host's supported perf events, each enabled */
    if (facts && facts->perf_events && facts->perf_events[0]) {
        xmlNodePtr perf = drv_xml_add(domain, "perf");

        for (const char *const *e = facts->perf_events; *e; e++) {
            xmlNodePtr ev = drv_xml_add(perf, "event");

            drv_xml_set(ev, "name", *e);
            drv_xml_set(ev, "enabled", "yes");
        }
    }
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

/* The host's uuid from its capabilities (g_free), as the reference's
 * _get_host_sysinfo_serial_hardware reads it. */
static char *
host_uuid(drv *d, drv_error *err)
{
    g_autofree char *caps = NULL;
    XML_AUTO_DOC doc = NULL;
    xmlXPathContextPtr ctx = NULL;
    xmlXPathObjectPtr obj = NULL;
    char *out = NULL;
    hv_error hv;

    if (!(caps = hv_conn_get_capabilities(d->conn, &hv))) {
        drv_set_hv_error(err, &hv, "cannot read capabilities", NULL);
        return NULL;
    }
    doc = xmlReadMemory(caps, (int)strlen(caps), "capabilities.xml", NULL,
                        XML_PARSE_NONET | XML_PARSE_NOERROR |
                            XML_PARSE_NOWARNING);
    if (doc && (ctx = xmlXPathNewContext(doc)) &&
        (obj = xmlXPathEvalExpression(
             BAD_CAST "string(/capabilities/host/uuid)", ctx)) &&
        obj->stringval && *obj->stringval)
        out = g_strstrip(g_strdup((const char *)obj->stringval));
    xmlXPathFreeObject(obj);
    xmlXPathFreeContext(ctx);
    if (!out)
        drv_error_set(err, DRV_ERR_HYPERVISOR,
                      "the hypervisor's capabilities name no host uuid");
    return out;
}

char *
drv_guest_xml(drv *d, const drv_instance *inst, const drv_disk *disks,
              unsigned int n_disks, bool rescue, drv_error *err)
{
    drv_xml_facts facts = {0};
    g_autofree int *ports = NULL;
    unsigned int n_ports = 0;

    if (drv_xml_kvm_or_qemu(&d->cfg) && d->cfg.sysinfo_serial &&
        strcmp(d->cfg.sysinfo_serial, "none") != 0) {
        /* like the reference's Host, read the capabilities once */
        if (!d->sysinfo_serial && !(d->sysinfo_serial = host_uuid(d, err)))
            return NULL;
        facts.sysinfo_serial = d->sysinfo_serial;
    }
    facts.perf_events = (const char *const *)d->perf_events;
    if (drv_xml_kvm_or_qemu(&d->cfg) && d->cfg.serial_console_enabled) {
        if (drv_console_acquire_ports(d, inst, &ports, &n_ports, err) < 0)
            return NULL;
        facts.serial_ports = ports;
        facts.n_serial_ports = n_ports;
    }
    return drv_domain_xml(&d->cfg, &facts, inst, disks, n_disks, rescue,
                          err);
}
