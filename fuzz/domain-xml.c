/*
 * domain-xml.c: the domain-XML builder (drv_domain_xml) on instances the
 * instance loader accepts.
 *
 * Input: one byte of options, then an instance's JSON. The options pick
 * the configuration (bits 0-1: virt_type kvm/qemu/test/kvm; bit 3: disk
 * cache modes set; bit 4: an instances_path with markup in it), bit 2
 * rescue, bit 5 a root disk; the instance's attached volumes become disks
 * the way the driver plans them (drv-disk.c: path, target without /dev/,
 * serial = volume id).
 *
 * Checks, when the builder accepts the instance: the XML parses with
 * libxml2, and every text of the instance that goes in comes back out
 * equal — name, uuid, metadata (name, flavor name, image id), memory,
 * vCPUs, machine, kernel/initrd/command line, each disk's source, target,
 * bus and serial, each interface's MAC, source, tap and model, the console
 * log path. A refusal must be INVALID_INSTANCE or INVALID_CONFIG.
 */
#include <glib.h>
#include <inttypes.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "drv-priv.h"
#include "fuzz.h"

#define T "domain-xml"

/* The n-th element child of parent named name (any namespace), or NULL. */
static xmlNodePtr
child(xmlNodePtr parent, const char *name, unsigned int n)
{
    for (xmlNodePtr c = parent ? parent->children : NULL; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE &&
            strcmp((const char *)c->name, name) == 0 && n-- == 0)
            return c;
    }
    return NULL;
}

static unsigned int
count(xmlNodePtr parent, const char *name)
{
    unsigned int n = 0;

    while (child(parent, name, n))
        n++;
    return n;
}

/* got (xmlFree'd here) must equal want; both NULL is equal. */
static void
expect(const char *what, xmlChar *got, const char *want)
{
    bool same = got && want ? strcmp((const char *)got, want) == 0
                            : !got && !want;

    if (!same) {
        g_autofree char *g = got ? g_strescape((const char *)got, NULL)
                                 : g_strdup("(none)");
        g_autofree char *w = want ? g_strescape(want, NULL)
                                  : g_strdup("(none)");

        xmlFree(got);
        fuzz_fail(T, "%s: the XML says \"%s\", the instance \"%s\"", what,
                  g, w);
    }
    xmlFree(got);
}

static xmlChar *
text_of(xmlNodePtr n)
{
    return n ? xmlNodeGetContent(n) : NULL;
}

static xmlChar *
attr_of(xmlNodePtr n, const char *name)
{
    return n ? xmlGetProp(n, BAD_CAST name) : NULL;
}

static const char *
prop(const drv_instance *inst, const char *key)
{
    const char *v = drv_kv_get(inst->image.properties,
                               inst->image.n_properties, key);

    return v && *v ? v : NULL;
}

static const char *
nonempty(const char *s)
{
    return s && *s ? s : NULL;
}

static void
check_xml(const char *xml, const drv_config *cfg, const drv_instance *inst,
          const drv_disk *disks, unsigned int n_disks, bool rescue)
{
    xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "domain.xml", NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR |
                                      XML_PARSE_NOWARNING);
    xmlNodePtr dom, meta, os, devs, n;
    const char *kernel = NULL, *initrd = NULL, *cmdline = NULL;
    g_autofree char *log = drv_console_log_path(cfg, inst);
    char buf[32];

    if (!doc)
        fuzz_fail(T, "the domain XML does not parse:\n%s", xml);
    dom = xmlDocGetRootElement(doc);
    expect("domain@type", attr_of(dom, "type"), cfg->virt_type);
    expect("name", text_of(child(dom, "name", 0)), inst->name);
    expect("uuid", text_of(child(dom, "uuid", 0)), inst->uuid);
    meta = child(child(dom, "metadata", 0), "instance", 0);
    expect("metadata name", text_of(child(meta, "name", 0)), inst->name);
    expect("metadata flavor@name", attr_of(child(meta, "flavor", 0), "name"),
           inst->flavor.name);
    expect("metadata root@uuid", attr_of(child(meta, "root", 0), "uuid"),
           nonempty(inst->image.id));
    g_snprintf(buf, sizeof(buf), "%" PRIu64, inst->flavor.memory_mb * 1024);
    expect("memory", text_of(child(dom, "memory", 0)), buf);
    g_snprintf(buf, sizeof(buf), "%u", inst->flavor.vcpus);
    expect("vcpu", text_of(child(dom, "vcpu", 0)), buf);

    os = child(dom, "os", 0);
    /* no machine type: libvirt's default, as the reference leaves it */
    expect("os/type@machine", attr_of(child(os, "type", 0), "machine"),
           strcmp(cfg->virt_type, "test") != 0 ? prop(inst, "hw_machine_type")
                                               : NULL);
    if (rescue) {
        kernel = prop(inst, "rescue_kernel_path");
        initrd = prop(inst, "rescue_initrd_path");
        cmdline = prop(inst, "rescue_os_command_line");
    }
    kernel = kernel ? kernel : prop(inst, "kernel_path");
    initrd = initrd ? initrd : prop(inst, "initrd_path");
    cmdline = cmdline ? cmdline : prop(inst, "os_command_line");
    expect("os/kernel", text_of(child(os, "kernel", 0)), kernel);
    if (kernel) {
        expect("os/initrd", text_of(child(os, "initrd", 0)), initrd);
        if (cmdline)
            expect("os/cmdline", text_of(child(os, "cmdline", 0)), cmdline);
    }

    devs = child(dom, "devices", 0);
    if (count(devs, "disk") != n_disks)
        fuzz_fail(T, "%u disks in, %u in the XML", n_disks,
                  count(devs, "disk"));
    for (unsigned int i = 0; i < n_disks; i++) {
        const drv_disk *d = &disks[i];
        const char *bus = d->bus ? d->bus : prop(inst, "hw_disk_bus");
        bool block = d->source_type && strcmp(d->source_type, "block") == 0;

        n = child(devs, "disk", i);
        expect("disk source", attr_of(child(n, "source", 0),
                                      block ? "dev" : "file"), d->path);
        expect("disk target@dev", attr_of(child(n, "target", 0), "dev"),
               d->target);
        expect("disk target@bus", attr_of(child(n, "target", 0), "bus"),
               bus ? bus : "virtio");
        expect("disk serial", text_of(child(n, "serial", 0)),
               nonempty(d->serial));
    }
    if (count(devs, "interface") != inst->n_vifs)
        fuzz_fail(T, "%u VIFs in, %u interfaces in the XML", inst->n_vifs,
                  count(devs, "interface"));
    for (unsigned int i = 0; i < inst->n_vifs; i++) {
        const drv_vif *v = &inst->vifs[i];
        bool bridge = strcmp(v->type, "bridge") == 0;
        bool network = strcmp(v->type, "network") == 0;

        n = child(devs, "interface", i);
        expect("interface@type", attr_of(n, "type"), v->type);
        expect("interface mac", attr_of(child(n, "mac", 0), "address"),
               v->mac);
        expect("interface source@bridge",
               attr_of(child(n, "source", 0), "bridge"),
               bridge ? v->bridge : NULL);
        expect("interface source@network",
               attr_of(child(n, "source", 0), "network"),
               network ? v->network : NULL);
        expect("interface target@dev", attr_of(child(n, "target", 0), "dev"),
               bridge || network ? NULL : nonempty(v->devname));
        expect("interface model", attr_of(child(n, "model", 0), "type"),
               prop(inst, "hw_vif_model") ? prop(inst, "hw_vif_model")
                                          : "virtio");
    }
    /* kvm/qemu: the file serial port logs; test: a pty console only */
    expect("serial source@path",
           attr_of(child(child(devs, "serial", 0), "source", 0), "path"),
           strcmp(cfg->virt_type, "test") != 0 ? log : NULL);
    xmlFreeDoc(doc);
}

int
fuzz_domain_xml(const uint8_t *data, size_t size)
{
    static const char *const virt[] = {"kvm", "qemu", "test", "kvm"};
    static char *modes[] = {"file=directsync", "block=writeback", NULL};
    g_autofree char *text = NULL;
    g_autofree char *root_path = NULL;
    g_autofree char *xml = NULL;
    drv_config cfg = {0};
    drv_instance inst;
    drv_error err;
    drv_disk disks[1 + 16];
    unsigned int n_disks = 0;
    const char *bus;
    uint8_t opt;
    bool rescue;

    if (size < 1)
        return 0;
    opt = data[0];
    rescue = opt & 4;
    text = fuzz_text(data + 1, size - 1);
    drv_error_reset(&err);
    if (drv_instance_load_json(text, "fuzz", &inst, &err) < 0) {
        drv_instance_clear(&inst);
        return 0;
    }
    cfg.virt_type = (char *)virt[opt & 3];
    cfg.storage_pool = "hvd";
    cfg.instances_path = opt & 16 ? "/srv/<hvd> & \"instances\"/'x'"
                                  : "/var/lib/hvd/instances";
    cfg.disk_cachemodes = opt & 8 ? modes : NULL;

    bus = drv_kv_get(inst.image.properties, inst.image.n_properties,
                     "hw_disk_bus");
    bus = bus ? bus : "virtio";
    if (opt & 32) {
        root_path = g_strdup_printf("%s/%s_disk", cfg.instances_path,
                                    inst.uuid);
        disks[n_disks++] = (drv_disk){
            .path = root_path, .format = "qcow2", .target = "vda",
            .bus = bus, .device = "disk", .source_type = "file",
        };
    }
    for (unsigned int i = 0; i < inst.n_volumes && i < 16; i++) {
        const drv_bdm *b = &inst.volumes[i];
        const char *dev = b->mount_device ? b->mount_device : "";

        if (g_str_has_prefix(dev, "/dev/"))
            dev += 5;
        disks[n_disks++] = (drv_disk){
            .path = b->device_path, .format = "raw", .target = dev,
            .bus = bus, .device = "disk",
            .source_type = g_str_has_prefix(b->device_path ? b->device_path
                                                            : "", "/dev/")
                               ? "block" : "file",
            .serial = b->volume_id,
        };
    }

    xml = drv_domain_xml(&cfg, NULL, &inst, disks, n_disks, rescue, &err);
    if (!xml) {
        if (err.kind != DRV_ERR_INVALID_INSTANCE &&
            err.kind != DRV_ERR_INVALID_CONFIG)
            fuzz_fail(T, "refused as %s: %s", drv_error_kind_name(err.kind),
                      err.message);
    } else {
        check_xml(xml, &cfg, &inst, disks, n_disks, rescue);
    }
    drv_instance_clear(&inst);
    return 0;
}
