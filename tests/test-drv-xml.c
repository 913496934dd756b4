/*
 * test-drv-xml.c: drv_domain_xml against golden files, and the inputs it
 * must refuse.
 *
 * Each golden row builds one instance, formats its domain XML and compares
 * it byte for byte with tests/golden/xml/NAME.xml. HVD_REGEN=1 rewrites the
 * golden files instead (review the diff before committing). Every golden
 * XML is also
 *  - read back by the fake hypervisor's parser (name, uuid, memory, vCPUs,
 *    disk sources),
 *  - validated against libvirt's RelaxNG schema when it is installed,
 *  - defined (type switched to 'test') on libvirt's test:///default.
 * The golden folder: $HVD_GOLDEN_DIR, else tests/golden/xml,
 * ../tests/golden/xml (make check runs from the repo root), else
 * BUILD/../tests/golden/xml.
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/tree.h>

#include "drv-priv.h"
#include "fake-xml.h"
#include "fake.h"
#include "fault.h"
#include "hv-libvirt.h"

#define TEST_UUID "6f1c3b5e-8d2a-4c1f-9b7e-0a1b2c3d4e5f"
#define TEST_IMAGE "0d7e1c55-3f0a-4b8e-a1c2-9e8f7d6c5b4a"
#define TEST_VOLUME "c0ffee00-1234-4abc-8def-0123456789ab"
#define INSTANCES "/var/lib/hvd/instances"
#define IMAGES "/var/lib/hvd/images"
#define LIBVIRT_RNG "/usr/share/libvirt/schemas/domain.rng"

/* Everything one drv_domain_xml call needs; strings are literals. */
typedef struct fixture {
    drv_config cfg;
    drv_instance inst;
    drv_disk disks[4];
    unsigned int n_disks;
    bool rescue;
    drv_xml_facts facts;
    int ports[4];
    drv_kv specs[8];
    drv_kv props[12];
    drv_vif vifs[3];
    char *cachemodes[4];
} fixture;

/*
 * The reference's defaults, as literals (the fixture frees nothing);
 * test_fixture_defaults checks them against drv_config_defaults.
 */
static void
fx_config_defaults(drv_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->virt_type = "kvm";
    cfg->storage_pool = "hvd";
    cfg->instances_path = INSTANCES;
    cfg->sysinfo_serial = "auto";
    cfg->mem_stats_period_seconds = 10;
    cfg->pointer_model = "usbtablet";
    cfg->use_usb_tablet = true;
    cfg->instances_path_direct_io = true;
    cfg->vnc_enabled = true;
    cfg->vnc_keymap = "en-us";
    cfg->vncserver_listen = "127.0.0.1";
    cfg->vncserver_proxyclient_address = "127.0.0.1";
    cfg->spice_agent_enabled = true;
    cfg->spice_keymap = "en-us";
    cfg->spice_server_listen = "127.0.0.1";
    cfg->spice_server_proxyclient_address = "127.0.0.1";
    cfg->serial_console_port_range = "10000:20000";
    cfg->serial_console_proxyclient_address = "127.0.0.1";
}

/* m1.small-like kvm instance: no disks, no VIFs, no properties; the host
 * facts drv_guest_xml would find (a host uuid for the SMBIOS serial). */
static void
fx_base(fixture *f)
{
    memset(f, 0, sizeof(*f));
    fx_config_defaults(&f->cfg);
    f->facts.sysinfo_serial = "2b6e4b4c-7f1a-4d3e-9c55-1a2b3c4d5e6f";
    f->inst.uuid = TEST_UUID;
    f->inst.name = "instance-00000001";
    f->inst.root_device_name = "/dev/vda";
    f->inst.flavor.name = "m1.small";
    f->inst.flavor.vcpus = 1;
    f->inst.flavor.memory_mb = 512;
    f->inst.flavor.root_gb = 1;
    f->inst.flavor.extra_specs = f->specs;
    f->inst.image.id = TEST_IMAGE;
    f->inst.image.format = "qcow2";
    f->inst.image.properties = f->props;
    f->inst.vifs = f->vifs;
}

static void
fx_spec(fixture *f, char *key, char *value)
{
    assert_true(f->inst.flavor.n_extra_specs < G_N_ELEMENTS(f->specs));
    f->specs[f->inst.flavor.n_extra_specs++] = (drv_kv){key, value};
}

static void
fx_prop(fixture *f, char *key, char *value)
{
    assert_true(f->inst.image.n_properties < G_N_ELEMENTS(f->props));
    f->props[f->inst.image.n_properties++] = (drv_kv){key, value};
}

static drv_disk *
fx_disk(fixture *f, const char *path, const char *format, const char *target)
{
    drv_disk *d;

    assert_true(f->n_disks < G_N_ELEMENTS(f->disks));
    d = &f->disks[f->n_disks++];
    *d = (drv_disk){.path = path, .format = format, .target = target,
                    .bus = "virtio", .device = "disk",
                    .source_type = "file"};
    return d;
}

static void
fx_root_disk(fixture *f)
{
    fx_disk(f, IMAGES "/" TEST_UUID "_disk", "qcow2", "vda");
}

static drv_vif *
fx_vif(fixture *f, char *type, char *mac)
{
    drv_vif *v;

    assert_true(f->inst.n_vifs < G_N_ELEMENTS(f->vifs));
    v = &f->vifs[f->inst.n_vifs++];
    memset(v, 0, sizeof(*v));
    v->id = "5a9b1e3c-0000-4000-8000-00000000000a";
    v->type = type;
    v->mac = mac;
    return v;
}

static void
fx_bridge_vif(fixture *f)
{
    fx_vif(f, "bridge", "fa:16:3e:12:34:56")->bridge = "br100";
}

/* ---- golden rows ---- */

static void
gold_minimal(fixture *f)
{
    fx_root_disk(f);
    fx_bridge_vif(f);
}

/* The tiny guest of ../shared/PLATFORM.md, as the driver tests boot it. */
static void
gold_direct_kernel(fixture *f)
{
    f->cfg.virt_type = "qemu";
    f->inst.name = "tiny";
    f->inst.flavor.name = "tiny";
    f->inst.flavor.memory_mb = 96;
    f->inst.flavor.root_gb = 0;
    fx_prop(f, "kernel_path", "/var/cache/hvd/tiny-guest/vmlinuz");
    fx_prop(f, "initrd_path", "/var/cache/hvd/tiny-guest/initrd.gz");
    fx_prop(f, "os_command_line", "console=ttyS0 panic=-1 quiet");
}

/* kernel_path and a root disk but no os_command_line: Nova's command line
 * (root=, consoles, no_timer_check on qemu). */
static void
gold_kernel_default_cmdline(fixture *f)
{
    f->cfg.virt_type = "qemu";
    fx_prop(f, "kernel_path", IMAGES "/kernel");
    fx_root_disk(f);
}

static void
gold_kvm_topology(fixture *f)
{
    f->inst.flavor.name = "m1.large";
    f->inst.flavor.vcpus = 4;
    f->inst.flavor.memory_mb = 8192;
    f->inst.flavor.root_gb = 20;
    fx_spec(f, "hw:cpu_sockets", "2");
    fx_spec(f, "hw:cpu_cores", "2");
    fx_spec(f, "quota:cpu_shares", "2048");
    fx_root_disk(f);
    fx_bridge_vif(f);
}

static void
gold_ephemeral_swap(fixture *f)
{
    f->inst.flavor.ephemeral_gb = 10;
    f->inst.flavor.swap_mb = 512;
    fx_root_disk(f);
    fx_disk(f, IMAGES "/" TEST_UUID "_disk.eph0", "qcow2", "vdb");
    fx_disk(f, IMAGES "/" TEST_UUID "_disk.swap", "raw", "vdc");
}

static void
gold_volume(fixture *f)
{
    drv_disk *d;

    fx_root_disk(f);
    d = fx_disk(f, "/dev/disk/by-id/volume-" TEST_VOLUME, "raw", "vdb");
    d->source_type = "block";
    d->serial = TEST_VOLUME;
    fx_bridge_vif(f);
}

static void
gold_network_ethernet(fixture *f)
{
    fx_prop(f, "hw_vif_model", "e1000");
    fx_root_disk(f);
    fx_vif(f, "network", "fa:16:3e:00:00:01")->network = "default";
    fx_vif(f, "ethernet", "fa:16:3e:00:00:02")->devname = "tap5a9b1e3c-00";
    fx_vif(f, "ethernet", "fa:16:3e:00:00:03"); /* libvirt names the tap */
}

/* Several pairs per entry, the last pair for a type wins, "default" drops
 * the cache attribute. */
static void
gold_cachemodes(fixture *f)
{
    drv_disk *d;

    f->cachemodes[0] = "file=writeback,block=none";
    f->cachemodes[1] = "file=directsync, network=default";
    f->cachemodes[2] = "block=default";
    f->cfg.disk_cachemodes = f->cachemodes;
    fx_root_disk(f);
    d = fx_disk(f, "/dev/disk/by-id/volume-" TEST_VOLUME, "raw", "vdb");
    d->source_type = "block";
    d->serial = TEST_VOLUME;
}

/* Config drive: a cdrom on IDE, image property for the disk bus. */
static void
gold_config_drive(fixture *f)
{
    drv_disk *d;

    fx_prop(f, "hw_disk_bus", "virtio");
    fx_root_disk(f);
    f->disks[0].bus = NULL; /* from hw_disk_bus */
    d = fx_disk(f, INSTANCES "/" TEST_UUID "/disk.config", "raw", "hdd");
    d->device = "cdrom";
    d->bus = "ide";
}

static void
gold_rescue(fixture *f)
{
    f->cfg.virt_type = "qemu";
    f->rescue = true;
    fx_prop(f, "kernel_path", "/var/cache/hvd/tiny-guest/vmlinuz");
    fx_prop(f, "initrd_path", "/var/cache/hvd/tiny-guest/initrd.gz");
    fx_prop(f, "rescue_kernel_path", IMAGES "/rescue-kernel");
    fx_prop(f, "os_command_line", "console=ttyS0 panic=-1 quiet");
    /* the rescue disk first, the instance's own root disk second */
    fx_disk(f, IMAGES "/" TEST_UUID "_disk.rescue", "qcow2", "vda");
    fx_disk(f, IMAGES "/" TEST_UUID "_disk", "qcow2", "vdb");
    fx_bridge_vif(f);
}

static void
gold_test_driver(fixture *f)
{
    f->cfg.virt_type = "test";
    fx_spec(f, "hw:cpu_threads", "2");
    f->inst.flavor.vcpus = 2;
    fx_root_disk(f);
    fx_bridge_vif(f);
}

/* Characters XML must escape, in a name, a path and a command line. */
static void
gold_escaping(fixture *f)
{
    f->cfg.virt_type = "qemu";
    f->inst.name = "a&b<c>\"d'";
    f->inst.flavor.name = "fl&vor";
    fx_prop(f, "kernel_path", IMAGES "/k&<>");
    fx_prop(f, "os_command_line", "console=ttyS0 x=\"a<b&c\" é");
}

/* ---- the reference's options, one golden each ---- */

/* QEMU/TCG with every default: host-model CPU, VNC + cirrus + tablet,
 * file serial log + pty, balloon with stats, cache none. */
static void
gold_tcg_defaults(fixture *f)
{
    f->cfg.virt_type = "qemu";
    fx_root_disk(f);
    fx_bridge_vif(f);
}

static void
gold_cpu_custom(fixture *f)
{
    f->cfg.virt_type = "qemu";
    f->cfg.cpu_mode = "custom";
    f->cfg.cpu_model = "qemu64";
    f->inst.flavor.vcpus = 2;
    fx_root_disk(f);
}

/* cpu_mode none on kvm/qemu: a <cpu> with the topology only. */
static void
gold_cpu_none(fixture *f)
{
    f->cfg.virt_type = "qemu";
    f->cfg.cpu_mode = "none";
    f->inst.flavor.vcpus = 4;
    fx_prop(f, "hw_cpu_sockets", "2");
    fx_prop(f, "hw_cpu_threads", "2");
    fx_root_disk(f);
}

static void
gold_cpu_passthrough(fixture *f)
{
    f->cfg.cpu_mode = "host-passthrough";
    fx_root_disk(f);
}

static void
gold_cputune_quota(fixture *f)
{
    f->inst.flavor.vcpus = 2;
    fx_spec(f, "quota:cpu_period", "20000");
    fx_spec(f, "quota:cpu_quota", "-1");
    fx_root_disk(f);
}

/* SPICE with its agent, VNC off: spicevmc channel, qxl, no tablet. */
static void
gold_spice(fixture *f)
{
    f->cfg.vnc_enabled = false;
    f->cfg.spice_enabled = true;
    f->cfg.spice_keymap = "de";
    f->cfg.spice_server_listen = "0.0.0.0";
    fx_root_disk(f);
}

/* VNC and SPICE without its agent: both graphics and a tablet. */
static void
gold_vnc_spice_no_agent(fixture *f)
{
    f->cfg.spice_enabled = true;
    f->cfg.spice_agent_enabled = false;
    f->cfg.vnc_keymap = "fr";
    f->cfg.vncserver_listen = "192.0.2.10";
    fx_root_disk(f);
}

/* No graphics: no video, the configured tablet dropped. */
static void
gold_no_graphics(fixture *f)
{
    f->cfg.vnc_enabled = false;
    fx_root_disk(f);
}

/* Two TCP serial consoles on the ports drv_guest_xml found free. */
static void
gold_serial_console(fixture *f)
{
    f->cfg.virt_type = "qemu";
    f->cfg.serial_console_enabled = true;
    f->cfg.serial_console_proxyclient_address = "192.0.2.20";
    fx_spec(f, "hw:serial_port_count", "2");
    f->ports[0] = 10000;
    f->ports[1] = 10003;
    f->facts.serial_ports = f->ports;
    f->facts.n_serial_ports = 2;
    fx_root_disk(f);
}

/* No balloon stats, no O_DIRECT (writethrough), no SMBIOS serial. */
static void
gold_balloon_off_writethrough(fixture *f)
{
    f->cfg.mem_stats_period_seconds = 0;
    f->cfg.instances_path_direct_io = false;
    f->cfg.sysinfo_serial = "none";
    f->facts.sysinfo_serial = NULL;
    fx_root_disk(f);
}

/* Machine type from the option's entry for x86_64 (the last one wins). */
static void
gold_machine_config(fixture *f)
{
    static char *machines[] = {"aarch64=virt", "x86_64=pc",
                               "x86_64=q35", NULL};

    f->cfg.hw_machine_type = machines;
    fx_root_disk(f);
}

static void
gold_watchdog_rng(fixture *f)
{
    f->cfg.rng_dev_path = "/dev/urandom";
    fx_spec(f, "hw:watchdog_action", "reset");
    fx_spec(f, "hw_rng:allowed", "True");
    fx_spec(f, "hw_rng:rate_bytes", "1024");
    fx_spec(f, "hw_rng:rate_period", "2");
    fx_prop(f, "hw_watchdog_action", "poweroff"); /* the image wins */
    fx_prop(f, "hw_rng_model", "virtio");
    fx_root_disk(f);
}

static void
gold_agent_bootmenu_video(fixture *f)
{
    fx_prop(f, "hw_qemu_guest_agent", "yes");
    fx_prop(f, "hw_boot_menu", "true");
    fx_prop(f, "hw_video_model", "vga");
    fx_prop(f, "hw_video_ram", "16");
    fx_spec(f, "hw_video:ram_max_mb", "32");
    fx_root_disk(f);
}

static void
gold_windows(fixture *f)
{
    fx_prop(f, "os_type", "windows");
    fx_prop(f, "hw_machine_type", "pc-q35-7.2");
    fx_root_disk(f);
}

typedef struct golden_case {
    const char *name;
    void (*setup)(fixture *f);
} golden_case;

static const golden_case golden_cases[] = {
    {"minimal", gold_minimal},
    {"direct-kernel", gold_direct_kernel},
    {"kernel-default-cmdline", gold_kernel_default_cmdline},
    {"kvm-topology", gold_kvm_topology},
    {"ephemeral-swap", gold_ephemeral_swap},
    {"volume", gold_volume},
    {"network-ethernet", gold_network_ethernet},
    {"cachemodes", gold_cachemodes},
    {"config-drive", gold_config_drive},
    {"rescue", gold_rescue},
    {"test-driver", gold_test_driver},
    {"escaping", gold_escaping},
    {"tcg-defaults", gold_tcg_defaults},
    {"cpu-custom", gold_cpu_custom},
    {"cpu-none", gold_cpu_none},
    {"cpu-passthrough", gold_cpu_passthrough},
    {"cputune-quota", gold_cputune_quota},
    {"spice", gold_spice},
    {"vnc-spice-no-agent", gold_vnc_spice_no_agent},
    {"no-graphics", gold_no_graphics},
    {"serial-console", gold_serial_console},
    {"balloon-off-writethrough", gold_balloon_off_writethrough},
    {"machine-config", gold_machine_config},
    {"watchdog-rng", gold_watchdog_rng},
    {"agent-bootmenu-video", gold_agent_bootmenu_video},
    {"windows", gold_windows},
};

/* ---- shared state: golden folder, libvirt schema and test connection */

static char *golden_dir;
static xmlRelaxNGPtr rng_schema;
static virConnectPtr test_conn;

static void
quiet_libvirt(void *opaque, virErrorPtr e)
{
    (void)opaque;
    (void)e;
}

static void
quiet_xml(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

static char *
find_golden_dir(void)
{
    const char *env = getenv("HVD_GOLDEN_DIR");
    g_autofree char *srcdir = g_path_get_dirname(__FILE__);
    g_autofree char *here = g_build_filename(srcdir, "golden", "xml", NULL);
    g_autofree char *exe = g_file_read_link("/proc/self/exe", NULL);
    g_autofree char *exedir = exe ? g_path_get_dirname(exe) : NULL;
    /* BUILD/tests/test-drv-xml -> BUILD/../tests/golden */
    g_autofree char *near_exe =
        exedir ? g_build_filename(exedir, "..", "..", "tests", "golden", "xml",
                                  NULL)
               : NULL;
    const char *tries[] = {here, "tests/golden/xml", "../tests/golden/xml",
                           near_exe};

    if (env && *env)
        return g_strdup(env);
    for (size_t i = 0; i < G_N_ELEMENTS(tries); i++) {
        if (tries[i] && g_file_test(tries[i], G_FILE_TEST_IS_DIR))
            return g_strdup(tries[i]);
    }
    return g_strdup("tests/golden/xml"); /* HVD_REGEN creates it */
}

static int
group_setup(void **state)
{
    (void)state;
    golden_dir = find_golden_dir();
    virSetErrorFunc(NULL, quiet_libvirt);
    test_conn = virConnectOpen("test:///default");
    if (g_file_test(LIBVIRT_RNG, G_FILE_TEST_EXISTS)) {
        xmlRelaxNGParserCtxtPtr pc = xmlRelaxNGNewParserCtxt(LIBVIRT_RNG);

        rng_schema = xmlRelaxNGParse(pc);
        xmlRelaxNGFreeParserCtxt(pc);
    }
    print_message("# golden files: %s; libvirt schema: %s; test:///default: "
                  "%s\n", golden_dir, rng_schema ? "yes" : "not installed",
                  test_conn ? "yes" : "unavailable");
    return 0;
}

static int
group_teardown(void **state)
{
    (void)state;
    if (test_conn)
        virConnectClose(test_conn);
    if (rng_schema)
        xmlRelaxNGFree(rng_schema);
    xmlRelaxNGCleanupTypes();
    g_free(golden_dir);
    return 0;
}

/* ---- checks on one golden XML ---- */

/* Print the first line where got and want differ. */
static void
report_diff(const char *path, const char *want, const char *got)
{
    g_auto(GStrv) w = g_strsplit(want, "\n", -1);
    g_auto(GStrv) g = g_strsplit(got, "\n", -1);
    unsigned int i = 0;

    while (w[i] && g[i] && strcmp(w[i], g[i]) == 0)
        i++;
    print_message("# %s differs at line %u (HVD_REGEN=1 rewrites it)\n"
                  "#   want: %s\n#   got:  %s\n",
                  path, i + 1, w[i] ? w[i] : "(end)", g[i] ? g[i] : "(end)");
}

static void
check_fake_parses(const fixture *f, const char *xml)
{
    fake_domdef def;
    hv_error herr;

    if (fake_xml_parse_domain(xml, NULL, &def, &herr) < 0)
        fail_msg("fake parser: %s", herr.message);
    assert_string_equal(def.name, f->inst.name);
    assert_string_equal(def.uuid, f->inst.uuid);
    assert_int_equal(def.mem_kib, f->inst.flavor.memory_mb * 1024);
    assert_int_equal(def.vcpus, f->inst.flavor.vcpus);
    assert_int_equal(def.sources->len, f->n_disks);
    fake_domdef_clear(&def);
}

static void
check_schema(const char *xml)
{
    xmlDocPtr doc;
    xmlRelaxNGValidCtxtPtr vc;
    int rc;

    if (!rng_schema) {
        print_message("# SKIP schema: %s not installed (libvirt-daemon's "
                      "schemas; ci/deps.sh)\n", LIBVIRT_RNG);
        return;
    }
    doc = xmlReadMemory(xml, (int)strlen(xml), "golden.xml", NULL, 0);
    assert_non_null(doc);
    vc = xmlRelaxNGNewValidCtxt(rng_schema);
    xmlRelaxNGSetValidErrors(vc, quiet_xml, quiet_xml, NULL);
    rc = xmlRelaxNGValidateDoc(vc, doc);
    xmlRelaxNGFreeValidCtxt(vc);
    xmlFreeDoc(doc);
    if (rc != 0)
        fail_msg("not valid per %s (virt-xml-validate tells where)",
                 LIBVIRT_RNG);
}

/* Define on test:///default with type='test', then undefine. */
static void
check_test_driver(const char *xml)
{
    xmlDocPtr doc;
    xmlChar *buf = NULL;
    int len = 0;
    virDomainPtr dom;

    if (!test_conn)
        return;
    doc = xmlReadMemory(xml, (int)strlen(xml), "golden.xml", NULL, 0);
    assert_non_null(doc);
    xmlSetProp(xmlDocGetRootElement(doc), BAD_CAST "type", BAD_CAST "test");
    xmlDocDumpMemory(doc, &buf, &len);
    xmlFreeDoc(doc);
    dom = virDomainDefineXML(test_conn, (const char *)buf);
    xmlFree(buf);
    if (!dom)
        fail_msg("test:///default refuses it: %s", virGetLastErrorMessage());
    assert_int_equal(virDomainUndefine(dom), 0);
    virDomainFree(dom);
}

static void
test_golden(void **state)
{
    const golden_case *gc = *state;
    g_autofree char *xml = NULL;
    g_autofree char *path = NULL;
    g_autofree char *want = NULL;
    g_autoptr(GError) gerr = NULL;
    const char *regen = getenv("HVD_REGEN");
    fixture f;
    drv_error err;

    fx_base(&f);
    gc->setup(&f);
    drv_error_reset(&err);
    xml = drv_domain_xml(&f.cfg, &f.facts, &f.inst, f.disks, f.n_disks,
                         f.rescue, &err);
    if (!xml)
        fail_msg("%s: %s", gc->name, err.message);
    assert_int_equal(err.kind, DRV_OK);

    path = g_strdup_printf("%s/%s.xml", golden_dir, gc->name);
    if (regen && strcmp(regen, "1") == 0) {
        g_mkdir_with_parents(golden_dir, 0755);
        if (!g_file_set_contents(path, xml, -1, &gerr))
            fail_msg("write %s: %s", path, gerr->message);
        print_message("# wrote %s\n", path);
    } else {
        if (!g_file_get_contents(path, &want, NULL, &gerr))
            fail_msg("%s (HVD_REGEN=1 writes it)", gerr->message);
        if (strcmp(want, xml) != 0) {
            report_diff(path, want, xml);
            fail();
        }
    }
    check_fake_parses(&f, xml);
    check_schema(xml);
    check_test_driver(xml);
}

/* Same input, same bytes: nothing in the XML depends on time or host. */
static void
test_deterministic(void **state)
{
    g_autofree char *a = NULL, *b = NULL;
    fixture f;
    drv_error err;

    (void)state;
    fx_base(&f);
    gold_kvm_topology(&f);
    drv_error_reset(&err);
    a = drv_domain_xml(&f.cfg, &f.facts, &f.inst, f.disks, f.n_disks, false,
                       &err);
    b = drv_domain_xml(&f.cfg, &f.facts, &f.inst, f.disks, f.n_disks, false,
                       &err);
    assert_non_null(a);
    assert_non_null(b);
    assert_string_equal(a, b);
}

/* The escaped text reads back as given. */
static void
test_escaping_round_trip(void **state)
{
    g_autofree char *xml = NULL;
    fixture f;
    drv_error err;
    xmlDocPtr doc;
    xmlNodePtr root;
    bool seen_name = false, seen_cmdline = false;

    (void)state;
    fx_base(&f);
    gold_escaping(&f);
    drv_error_reset(&err);
    xml = drv_domain_xml(&f.cfg, &f.facts, &f.inst, NULL, 0, false, &err);
    assert_non_null(xml);
    doc = xmlReadMemory(xml, (int)strlen(xml), "x.xml", NULL, 0);
    assert_non_null(doc);
    root = xmlDocGetRootElement(doc);
    for (xmlNodePtr n = root->children; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (xmlStrEqual(n->name, BAD_CAST "name")) {
            xmlChar *s = xmlNodeGetContent(n);

            assert_string_equal((const char *)s, f.inst.name);
            xmlFree(s);
            seen_name = true;
        } else if (xmlStrEqual(n->name, BAD_CAST "os")) {
            for (xmlNodePtr c = n->children; c; c = c->next) {
                xmlChar *s;

                if (!xmlStrEqual(c->name, BAD_CAST "cmdline"))
                    continue;
                s = xmlNodeGetContent(c);
                assert_string_equal((const char *)s,
                                    "console=ttyS0 x=\"a<b&c\" é");
                xmlFree(s);
                seen_cmdline = true;
            }
        }
    }
    xmlFreeDoc(doc);
    assert_true(seen_name);
    assert_true(seen_cmdline);
}

static void
test_console_log_path(void **state)
{
    fixture f;
    g_autofree char *p = NULL, *q = NULL;

    (void)state;
    fx_base(&f);
    p = drv_console_log_path(&f.cfg, &f.inst);
    assert_string_equal(p, INSTANCES "/" TEST_UUID "/console.log");
    f.cfg.instances_path = "/srv/inst/";
    q = drv_console_log_path(&f.cfg, &f.inst);
    assert_string_equal(q, "/srv/inst/" TEST_UUID "/console.log");
    f.inst.uuid = NULL;
    assert_null(drv_console_log_path(&f.cfg, &f.inst));
    f.inst.uuid = TEST_UUID;
    f.cfg.instances_path = NULL;
    assert_null(drv_console_log_path(&f.cfg, &f.inst));
}

/* ---- inputs drv_domain_xml refuses ---- */

static void bad_no_uuid(fixture *f) { f->inst.uuid = NULL; }
static void bad_uuid_form(fixture *f) { f->inst.uuid = "../../etc"; }
static void bad_no_name(fixture *f) { f->inst.name = ""; }
static void bad_name_slash(fixture *f) { f->inst.name = "a/b"; }
static void bad_name_ctrl(fixture *f) { f->inst.name = "a\001b"; }
static void bad_name_fffe(fixture *f) { f->inst.name = "a\xef\xbf\xbe"; }
static void bad_cmdline_ffff(fixture *f)
{
    fx_prop(f, (char *)"os_command_line", (char *)"console=ttyS0 \xef\xbf\xbf");
}
static void bad_vcpus(fixture *f) { f->inst.flavor.vcpus = 0; }
static void bad_memory(fixture *f) { f->inst.flavor.memory_mb = 0; }

static void
bad_topology_product(fixture *f)
{
    f->inst.flavor.vcpus = 4;
    fx_spec(f, "hw:cpu_sockets", "3");
    fx_spec(f, "hw:cpu_cores", "1");
}

static void
bad_topology_uneven(fixture *f)
{
    f->inst.flavor.vcpus = 3;
    fx_spec(f, "hw:cpu_threads", "2"); /* sockets would be 1.5 */
}

static void
bad_topology_word(fixture *f)
{
    f->inst.flavor.vcpus = 2;
    fx_spec(f, "hw:cpu_cores", "two");
}

static void bad_shares_word(fixture *f) { fx_spec(f, "quota:cpu_shares", "lots"); }
static void bad_shares_negative(fixture *f) { fx_spec(f, "quota:cpu_shares", "-5"); }
static void bad_shares_big(fixture *f) { fx_spec(f, "quota:cpu_shares", "99999999"); }

static void
bad_vif_type(fixture *f)
{
    fx_vif(f, "vhostuser", "fa:16:3e:00:00:09");
}

static void
bad_vif_no_bridge(fixture *f)
{
    fx_vif(f, "bridge", "fa:16:3e:00:00:09");
}

static void
bad_vif_no_network(fixture *f)
{
    fx_vif(f, "network", "fa:16:3e:00:00:09");
}

static void
bad_vif_mac(fixture *f)
{
    fx_vif(f, "bridge", "fa:16:3e:00:00")->bridge = "br100";
}

static void
bad_vif_multicast(fixture *f)
{
    fx_vif(f, "bridge", "01:00:5e:00:00:01")->bridge = "br100";
}

static void
bad_disk_no_path(fixture *f)
{
    fx_root_disk(f);
    fx_disk(f, NULL, "raw", "vdb");
}

static void
bad_disk_no_target(fixture *f)
{
    fx_disk(f, IMAGES "/x", "raw", NULL);
}

static void
bad_disk_twice(fixture *f)
{
    fx_root_disk(f);
    fx_disk(f, IMAGES "/x", "raw", "vda");
}

static void
bad_disk_device(fixture *f)
{
    fx_disk(f, IMAGES "/x", "raw", "vda")->device = "floppy";
}

static void
bad_disk_source_type(fixture *f)
{
    fx_disk(f, IMAGES "/x", "raw", "vda")->source_type = "network";
}

static void
bad_cachemode(fixture *f)
{
    f->cachemodes[0] = "file=fast";
    f->cfg.disk_cachemodes = f->cachemodes;
    fx_root_disk(f);
}

static void bad_custom_no_model(fixture *f) { f->cfg.cpu_mode = "custom"; }
static void bad_model_no_custom(fixture *f) { f->cfg.cpu_model = "qemu64"; }
static void
bad_test_cpu_mode(fixture *f)
{
    f->cfg.virt_type = "test";
    f->cfg.cpu_mode = "host-model";
}
static void bad_watchdog(fixture *f) { fx_spec(f, "hw:watchdog_action", "explode"); }
static void bad_video_model(fixture *f) { fx_prop(f, "hw_video_model", "virtio3d"); }
static void
bad_vram(fixture *f)
{
    fx_prop(f, "hw_video_ram", "64");
    fx_spec(f, "hw_video:ram_max_mb", "32");
}
static void
bad_serial_count(fixture *f)
{
    f->cfg.serial_console_enabled = true;
    fx_spec(f, "hw:serial_port_count", "5");
}
static void
bad_serial_image_over_flavor(fixture *f)
{
    f->cfg.serial_console_enabled = true;
    fx_spec(f, "hw:serial_port_count", "1");
    fx_prop(f, "hw_serial_port_count", "2");
}
static void
bad_port_range(fixture *f)
{
    f->cfg.serial_console_enabled = true;
    f->cfg.serial_console_port_range = "20000:10000";
}
static void
bad_machine_entry(fixture *f)
{
    static char *machines[] = {"x86_64", NULL};

    f->cfg.hw_machine_type = machines;
}
static void bad_cpu_period(fixture *f) { fx_spec(f, "quota:cpu_period", "10"); }
static void bad_cpu_quota(fixture *f) { fx_spec(f, "quota:cpu_quota", "-2"); }
static void
bad_image_topology(fixture *f)
{
    f->inst.flavor.vcpus = 4;
    fx_spec(f, "hw:cpu_sockets", "2");
    fx_prop(f, "hw_cpu_sockets", "4");
}
static void bad_pointer(fixture *f) { fx_prop(f, "hw_pointer_model", "joystick"); }
static void
bad_tablet_unusable(fixture *f)
{
    f->cfg.vnc_enabled = false;
    f->cfg.pointer_model = NULL;
    f->cfg.use_usb_tablet = false;
    fx_prop(f, "hw_pointer_model", "usbtablet");
}
static void bad_virt_type(fixture *f) { f->cfg.virt_type = "xen"; }
static void bad_instances_path(fixture *f) { f->cfg.instances_path = NULL; }

static void
bad_kernel_utf8(fixture *f)
{
    fx_prop(f, "kernel_path", "/boot/\xff");
}

typedef struct bad_case {
    const char *name;
    void (*setup)(fixture *f);
    drv_error_kind kind;
    const char *needle; /* the message names the field */
} bad_case;

#define INST DRV_ERR_INVALID_INSTANCE
static const bad_case bad_cases[] = {
    {"bad:no-uuid", bad_no_uuid, INST, "uuid is required"},
    {"bad:uuid-form", bad_uuid_form, INST, "uuid: '../../etc'"},
    {"bad:no-name", bad_no_name, INST, "name is required"},
    {"bad:name-slash", bad_name_slash, INST, "name: 'a/b'"},
    {"bad:name-control", bad_name_ctrl, INST,
     "name: U+0001 is not allowed in XML text"},
    {"bad:name-fffe", bad_name_fffe, INST,
     "name: U+FFFE is not allowed in XML text"},
    {"bad:cmdline-ffff", bad_cmdline_ffff, INST,
     "os_command_line: U+FFFF is not allowed in XML text"},
    {"bad:vcpus", bad_vcpus, INST, "flavor.vcpus"},
    {"bad:memory", bad_memory, INST, "flavor.memory_mb"},
    {"bad:topology-product", bad_topology_product, INST,
     "3*1*1 is not the flavor's 4 vcpus"},
    {"bad:topology-uneven", bad_topology_uneven, INST, "hw:cpu_sockets"},
    {"bad:topology-word", bad_topology_word, INST, "hw:cpu_cores: 'two'"},
    {"bad:shares-word", bad_shares_word, INST, "quota:cpu_shares: 'lots'"},
    {"bad:shares-negative", bad_shares_negative, INST, "quota:cpu_shares"},
    {"bad:shares-big", bad_shares_big, INST, "quota:cpu_shares"},
    {"bad:vif-type", bad_vif_type, INST,
     "network_info[0].type: unknown VIF type 'vhostuser'"},
    {"bad:vif-no-bridge", bad_vif_no_bridge, INST,
     "network_info[0].bridge is required"},
    {"bad:vif-no-network", bad_vif_no_network, INST,
     "network_info[0].network is required"},
    {"bad:vif-mac", bad_vif_mac, INST, "network_info[0].address"},
    {"bad:vif-multicast", bad_vif_multicast, INST, "unicast"},
    {"bad:disk-no-path", bad_disk_no_path, INST, "disks[1].path is required"},
    {"bad:disk-no-target", bad_disk_no_target, INST,
     "disks[0].target is required"},
    {"bad:disk-twice", bad_disk_twice, INST, "disks[1].target: 'vda' used"},
    {"bad:disk-device", bad_disk_device, INST, "disks[0].device"},
    {"bad:disk-source-type", bad_disk_source_type, INST,
     "disks[0].source_type"},
    {"bad:cachemode", bad_cachemode, DRV_ERR_INVALID_CONFIG,
     "disk_cachemodes: bad entry 'file=fast'"},
    {"bad:custom-no-model", bad_custom_no_model, DRV_ERR_INVALID_CONFIG,
     "cpu_mode 'custom' requires cpu_model"},
    {"bad:model-no-custom", bad_model_no_custom, DRV_ERR_INVALID_CONFIG,
     "cpu_model 'qemu64' is set but cpu_mode is 'host-model'"},
    {"bad:test-cpu-mode", bad_test_cpu_mode, DRV_ERR_INVALID_CONFIG,
     "virt_type 'test' does not support selecting CPU models"},
    {"bad:watchdog", bad_watchdog, INST, "watchdog action 'explode'"},
    {"bad:video-model", bad_video_model, INST,
     "hw_video_model: 'virtio3d'"},
    {"bad:vram", bad_vram, INST, "RequestedVRamTooHigh"},
    {"bad:serial-count", bad_serial_count, INST,
     "5 serial ports requested; QEMU allows 4"},
    {"bad:serial-image-over-flavor", bad_serial_image_over_flavor, INST,
     "hw_serial_port_count: 2 exceeds"},
    {"bad:port-range", bad_port_range, DRV_ERR_INVALID_CONFIG,
     "serial_console_port_range: '20000:10000'"},
    {"bad:machine-entry", bad_machine_entry, DRV_ERR_INVALID_CONFIG,
     "hw_machine_type: bad entry 'x86_64'"},
    {"bad:cpu-period", bad_cpu_period, INST, "quota:cpu_period: '10'"},
    {"bad:cpu-quota", bad_cpu_quota, INST, "quota:cpu_quota: '-2'"},
    {"bad:image-topology", bad_image_topology, INST,
     "hw_cpu_sockets: 4 exceeds the flavor's hw:cpu_sockets 2"},
    {"bad:pointer", bad_pointer, INST, "hw_pointer_model: 'joystick'"},
    {"bad:tablet-unusable", bad_tablet_unusable, INST,
     "UnsupportedPointerModelRequested"},
    {"bad:virt-type", bad_virt_type, DRV_ERR_INVALID_CONFIG, "virt_type"},
    {"bad:instances-path", bad_instances_path, DRV_ERR_INVALID_CONFIG,
     "instances_path"},
    {"bad:kernel-utf8", bad_kernel_utf8, INST,
     "image.properties.kernel_path: not valid UTF-8"},
};
#undef INST

static void
test_bad(void **state)
{
    const bad_case *bc = *state;
    fixture f;
    drv_error err;
    char *xml;

    fx_base(&f);
    bc->setup(&f);
    drv_error_reset(&err);
    xml = drv_domain_xml(&f.cfg, &f.facts, &f.inst, f.disks, f.n_disks,
                         f.rescue, &err);
    if (xml) {
        g_free(xml);
        fail_msg("%s: accepted", bc->name);
    }
    assert_int_equal(err.kind, bc->kind);
    if (!strstr(err.message, bc->needle))
        fail_msg("%s: message '%s' lacks '%s'", bc->name, err.message,
                 bc->needle);
}

/* ---- consoles, and drv_guest_xml's host facts, on the fake ---- */

typedef struct console_env {
    sim_world *w;
    fake_host *h;
    hv_conn *conn;
    drv_config cfg;
    drv *d;
} console_env;

static void
cenv_open(console_env *e, bool serial, bool spice)
{
    fake_host_spec spec = {.name = "h1", .vcpus = 8, .memory_mib = 16384,
                           .disk_gib = 100};
    hv_vol_spec base = {.name = "base.qcow2", .capacity = UINT64_C(1) << 30,
                        .format = "qcow2"};
    drv_error err;
    hv_error hv;

    memset(e, 0, sizeof(*e));
    e->w = fake_world_new(3);
    drv_config_defaults(&e->cfg);
    g_free(e->cfg.virt_type);
    e->cfg.virt_type = g_strdup("qemu");
    e->cfg.vif_plugging_timeout = 0;
    e->cfg.serial_console_enabled = serial;
    e->cfg.spice_enabled = spice;
    spec.storage_pool = e->cfg.storage_pool;
    assert_non_null(e->h = fake_host_add(e->w, &spec, &hv));
    assert_non_null(e->conn = fake_conn_open(e->w, "h1", &hv));
    assert_int_equal(hv_vol_create(e->conn, e->cfg.storage_pool, &base, &hv),
                     0);
    assert_non_null(e->d = drv_new(&e->cfg, e->conn, &err));
    assert_int_equal(drv_init_host(e->d, "h1", &err), 0);
}

static void
cenv_close(console_env *e)
{
    drv_free(e->d);
    hv_conn_close(e->conn);
    fake_world_free(e->w);
    drv_config_clear(&e->cfg);
}

static void
cinst(drv_instance *inst, const char *uuid, const char *name)
{
    *inst = (drv_instance){
        .uuid = (char *)uuid,
        .name = (char *)name,
        .flavor = {.name = "m1.tiny", .vcpus = 1, .memory_mb = 128,
                   .root_gb = 1},
        .image = {.id = "img-1", .volume = "base.qcow2", .format = "qcow2"},
        .root_device_name = "/dev/vda",
    };
}

#define UUID_A "11111111-2222-4333-8444-555555555501"
#define UUID_B "11111111-2222-4333-8444-555555555502"

/* VNC: autoport graphics get 5900, 5901 on the fake as on libvirt; the
 * host is the proxy client address; no SPICE, no serial console. */
static void
test_console_vnc(void **state)
{
    console_env e;
    drv_instance a, b;
    drv_console c;
    drv_error err;

    (void)state;
    cenv_open(&e, false, false);
    cinst(&a, UUID_A, "instance-a");
    cinst(&b, UUID_B, "instance-b");
    assert_int_equal(drv_spawn(e.d, &a, true, &err), 0);
    assert_int_equal(drv_spawn(e.d, &b, true, &err), 0);
    assert_int_equal(drv_get_vnc_console(e.d, &a, &c, &err), 0);
    assert_string_equal(c.host, "127.0.0.1");
    assert_int_equal(c.port, 5900);
    assert_int_equal(drv_get_vnc_console(e.d, &b, &c, &err), 0);
    assert_int_equal(c.port, 5901);
    assert_int_equal(drv_get_spice_console(e.d, &a, &c, &err), -1);
    assert_int_equal(err.kind, DRV_ERR_CONSOLE_TYPE_UNAVAILABLE);
    assert_string_equal(drv_error_kind_name(err.kind),
                        "ConsoleTypeUnavailable");
    assert_int_equal(drv_get_serial_console(e.d, &a, &c, &err), -1);
    assert_int_equal(err.kind, DRV_ERR_CONSOLE_TYPE_UNAVAILABLE);
    /* a's port is free again after it stops; a new start takes it */
    assert_int_equal(drv_destroy(e.d, &a, true, &err), 0);
    assert_int_equal(drv_get_vnc_console(e.d, &a, &c, &err), -1);
    assert_int_equal(err.kind, DRV_ERR_INSTANCE_NOT_FOUND);
    assert_int_equal(drv_spawn(e.d, &a, true, &err), 0);
    assert_int_equal(drv_get_vnc_console(e.d, &a, &c, &err), 0);
    assert_int_equal(c.port, 5900);
    cenv_close(&e);
}

/* SPICE (and VNC): each its own port; tlsPort none. */
static void
test_console_spice(void **state)
{
    console_env e;
    drv_instance a;
    drv_console c;
    drv_error err;

    (void)state;
    cenv_open(&e, false, true);
    g_free(e.d->cfg.spice_server_proxyclient_address);
    e.d->cfg.spice_server_proxyclient_address = g_strdup("192.0.2.7");
    cinst(&a, UUID_A, "instance-a");
    assert_int_equal(drv_spawn(e.d, &a, true, &err), 0);
    assert_int_equal(drv_get_vnc_console(e.d, &a, &c, &err), 0);
    assert_int_equal(c.port, 5900);
    assert_int_equal(drv_get_spice_console(e.d, &a, &c, &err), 0);
    assert_string_equal(c.host, "192.0.2.7");
    assert_int_equal(c.port, 5901);
    assert_int_equal(c.tls_port, -1);
    cenv_close(&e);
}

/* Serial consoles: the lowest ports no other domain binds; the SMBIOS
 * serial is the host's uuid from its capabilities. */
static void
test_console_serial(void **state)
{
    console_env e;
    drv_instance a, b;
    drv_console c;
    drv_error err;
    drv_kv spec = {"hw:serial_port_count", "2"};
    g_autofree char *xml = NULL;
    hv_domain *dom;
    hv_error hv;

    (void)state;
    cenv_open(&e, true, false);
    cinst(&a, UUID_A, "instance-a");
    cinst(&b, UUID_B, "instance-b");
    a.flavor.extra_specs = &spec;
    a.flavor.n_extra_specs = 1;
    assert_int_equal(drv_spawn(e.d, &a, true, &err), 0);
    assert_int_equal(drv_spawn(e.d, &b, true, &err), 0);
    assert_int_equal(drv_get_serial_console(e.d, &a, &c, &err), 0);
    assert_string_equal(c.host, "127.0.0.1");
    assert_int_equal(c.port, 10000);
    assert_int_equal(drv_get_serial_console(e.d, &b, &c, &err), 0);
    assert_int_equal(c.port, 10002); /* a binds 10000 and 10001 */
    assert_non_null(dom = hv_domain_lookup_by_uuid(e.conn, UUID_A, &hv));
    assert_non_null(xml = hv_domain_get_xml(dom, 0, &hv));
    hv_domain_free(dom);
    assert_non_null(strstr(xml, "service=\"10001\""));
    assert_non_null(strstr(xml, "<entry name=\"serial\">"));
    cenv_close(&e);
}

/* What QEMU under TCG accepts for the CPU, on the fake: host-model (the
 * default) and custom start; host-passthrough fails at start with
 * CONFIG_UNSUPPORTED and the spawn leaves nothing behind. */
static void
test_tcg_cpu_modes(void **state)
{
    static const struct {
        const char *mode, *model;
        int rc;
    } rows[] = {
        {NULL, NULL, 0},
        {"host-model", NULL, 0},
        {"custom", "qemu64", 0},
        {"none", NULL, 0},
        {"host-passthrough", NULL, -1},
    };

    (void)state;
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
        console_env e;
        drv_instance a;
        drv_error err;

        cenv_open(&e, false, false);
        g_free(e.d->cfg.cpu_mode);
        g_free(e.d->cfg.cpu_model);
        e.d->cfg.cpu_mode = g_strdup(rows[i].mode);
        e.d->cfg.cpu_model = g_strdup(rows[i].model);
        cinst(&a, UUID_A, "instance-a");
        if (drv_spawn(e.d, &a, true, &err) != rows[i].rc)
            fail_msg("cpu_mode %s: %s", rows[i].mode ? rows[i].mode : "-",
                     err.message);
        if (rows[i].rc < 0) {
            assert_int_equal(err.kind, DRV_ERR_HYPERVISOR);
            assert_int_equal(err.hv.code, HV_ERR_CONFIG_UNSUPPORTED);
            assert_int_equal(drv_instance_exists(e.d, &a, &err), 0);
        }
        cenv_close(&e);
    }
}

/* ---- every golden's options on qemu:///system (HVD_REAL=1) ---- */

/* Replace key's value, or add it. */
static void
fx_prop_set(fixture *f, char *key, char *value)
{
    for (unsigned int i = 0; i < f->inst.image.n_properties; i++) {
        if (strcmp(f->props[i].key, key) == 0) {
            f->props[i].value = value;
            return;
        }
    }
    fx_prop(f, key, value);
}

#define REAL_INSTANCES "/var/lib/hvd/xml-real"

/*
 * One golden's XML, made runnable here: the tiny guest's kernel instead
 * of disks and VIFs (their files and bridges do not exist), virt type
 * qemu (TCG: no KVM here), addresses this host has. 1 started (and
 * cleaned up), 0 refused at start as expected, -1 failed.
 */
static int
real_case(hv_conn *conn, const golden_case *gc, unsigned int idx)
{
    const char *kernel = getenv("HVD_GUEST_KERNEL");
    const char *initrd = getenv("HVD_GUEST_INITRD");
    g_autofree char *name = g_strdup_printf("xml-%s", gc->name);
    g_autofree char *uuid = g_strdup_printf(
        "6f1c3b5e-8d2a-4c1f-9b7e-0a1b2c3d4e%02x", idx);
    g_autofree char *dir = g_build_filename(REAL_INSTANCES, uuid, NULL);
    g_autofree char *xml = NULL;
    bool expect_refusal;
    hv_domain *dom = NULL;
    drv_console c;
    drv_error err;
    hv_error hv;
    drv *d = NULL;
    fixture f;
    int ret = -1;

    fx_base(&f);
    gc->setup(&f);
    if (strcmp(f.cfg.virt_type, "test") == 0)
        return 1; /* test:///default covers it */
    f.cfg.virt_type = "qemu";
    f.cfg.instances_path = REAL_INSTANCES;
    f.cfg.vncserver_listen = "127.0.0.1";
    f.cfg.spice_server_listen = "127.0.0.1";
    f.cfg.serial_console_proxyclient_address = "127.0.0.1";
    f.ports[0] = 10100;
    f.ports[1] = 10103;
    f.inst.name = name;
    f.inst.uuid = uuid;
    f.n_disks = 0;
    f.inst.n_vifs = 0;
    f.rescue = false;
    fx_prop_set(&f, "kernel_path", (char *)kernel);
    fx_prop_set(&f, "initrd_path", (char *)initrd);
    fx_prop_set(&f, "os_command_line", "console=ttyS0 panic=-1 quiet");
    expect_refusal = f.cfg.cpu_mode &&
                     strcmp(f.cfg.cpu_mode, "host-passthrough") == 0;
    drv_error_reset(&err);
    if (!(xml = drv_domain_xml(&f.cfg, &f.facts, &f.inst, NULL, 0, false,
                               &err))) {
        print_message("# %s: %s\n", gc->name, err.message);
        return -1;
    }
    g_mkdir_with_parents(dir, 0755);
    if (!(dom = hv_domain_define(conn, xml, &hv))) {
        print_message("# %s: define: %s\n", gc->name, hv.message);
        goto cleanup;
    }
    if (hv_domain_create(dom, 0, &hv) < 0) {
        print_message("# %s: start: %s (%s)\n", gc->name, hv.message,
                      hv_error_code_name(hv.code));
        if (expect_refusal && hv.code == HV_ERR_CONFIG_UNSUPPORTED)
            ret = 0;
        goto cleanup;
    }
    if (expect_refusal) {
        print_message("# %s: started, the fake refuses it\n", gc->name);
        goto cleanup;
    }
    /* the consoles the guest got, read back as the driver reads them */
    if (!(d = drv_new(&f.cfg, conn, &err)))
        goto cleanup;
    if (f.cfg.vnc_enabled &&
        (drv_get_vnc_console(d, &f.inst, &c, &err) < 0 || c.port < 5900)) {
        print_message("# %s: vnc console: %s port %d\n", gc->name,
                      err.message, c.port);
        goto cleanup;
    }
    if (f.cfg.spice_enabled &&
        (drv_get_spice_console(d, &f.inst, &c, &err) < 0 || c.port < 5900)) {
        print_message("# %s: spice console: %s\n", gc->name, err.message);
        goto cleanup;
    }
    if (f.cfg.serial_console_enabled &&
        (drv_get_serial_console(d, &f.inst, &c, &err) < 0 ||
         c.port != 10100 || strcmp(c.host, "127.0.0.1") != 0)) {
        print_message("# %s: serial console: %s\n", gc->name, err.message);
        goto cleanup;
    }
    if (!f.cfg.serial_console_enabled &&
        drv_get_serial_console(d, &f.inst, &c, &err) != -1) {
        print_message("# %s: a serial console without TCP ports\n",
                      gc->name);
        goto cleanup;
    }
    print_message("# %s: started on qemu:///system\n", gc->name);
    ret = 1;

cleanup:
    drv_free(d);
    if (dom) {
        hv_domain_destroy(dom, 0, &hv);
        hv_domain_undefine(dom, 0, &hv);
        hv_domain_free(dom);
    }
    {
        g_autofree char *log = g_build_filename(dir, "console.log", NULL);

        g_remove(log);
        g_rmdir(dir);
    }
    return ret;
}

static void
test_real_goldens(void **state)
{
    const char *realv = getenv("HVD_REAL");
    unsigned int failed = 0;
    hv_conn *conn;
    hv_error hv;

    (void)state;
    if (!realv || strcmp(realv, "1") != 0 || !getenv("HVD_GUEST_KERNEL") ||
        !getenv("HVD_GUEST_INITRD")) {
        print_message("# real goldens: make check-real (HVD_REAL=1 and the "
                      "tiny guest) runs them\n");
        skip();
    }
    if (!(conn = hv_libvirt_open("qemu:///system", &hv)))
        fail_msg("qemu:///system: %s", hv.message);
    for (size_t i = 0; i < G_N_ELEMENTS(golden_cases); i++) {
        if (real_case(conn, &golden_cases[i], (unsigned int)i) < 0)
            failed++;
    }
    hv_conn_close(conn);
    assert_int_equal(failed, 0);
}

/* Config drive on the fake: built through hv with the OpenStack layout
 * when the instance asks (or force_config_drive), attached as an IDE
 * cdrom; a build that fails (full disk) fails the spawn cleanly. */
static void
test_config_drive_fake(void **state)
{
    static const char *const want[] = {
        "openstack/latest/meta_data.json",
        "openstack/latest/network_data.json",
        "openstack/latest/vendor_data.json", NULL,
    };
    const char *iso_a = "/var/lib/hvd/instances/" UUID_A "/disk.config";
    const char *iso_b = "/var/lib/hvd/instances/" UUID_B "/disk.config";
    g_auto(GStrv) files = NULL, none = NULL;
    g_autofree char *xml = NULL;
    console_env e;
    drv_instance a, b;
    drv_error err;
    hv_domain *dom;
    hv_error hv;

    (void)state;
    cenv_open(&e, false, false);
    cinst(&a, UUID_A, "instance-a");
    cinst(&b, UUID_B, "instance-b");
    a.config_drive = true;
    assert_int_equal(drv_spawn(e.d, &a, true, &err), 0);
    assert_int_equal(drv_spawn(e.d, &b, true, &err), 0);
    files = fake_host_iso_files(e.h, iso_a);
    assert_non_null(files);
    assert_true(g_strv_equal((const char *const *)files, want));
    none = fake_host_iso_files(e.h, iso_b);
    assert_null(none); /* b did not ask */
    assert_non_null(dom = hv_domain_lookup_by_uuid(e.conn, UUID_A, &hv));
    assert_non_null(xml = hv_domain_get_xml(dom, 0, &hv));
    hv_domain_free(dom);
    assert_non_null(strstr(xml, "disk.config"));
    assert_non_null(strstr(xml, "device=\"cdrom\""));
    assert_non_null(strstr(xml, "dev=\"hdd\" bus=\"ide\""));
    cenv_close(&e);

    /* force_config_drive; then a build that fails (genisoimage's error,
     * injected): the spawn fails with it and leaves no domain and no
     * volume behind */
    cenv_open(&e, false, false);
    e.d->cfg.force_config_drive = true;
    cinst(&b, UUID_B, "instance-b");
    assert_int_equal(drv_spawn(e.d, &b, true, &err), 0);
    g_strfreev(files);
    assert_non_null(files = fake_host_iso_files(e.h, iso_b));
    assert_int_equal(drv_destroy(e.d, &b, true, &err), 0);
    {
        fault_set *fs = fault_set_new();
        fault_rule rule = {.op = HV_OP_INSTANCE_ISO_BUILD,
                           .code = HV_ERR_OPERATION_FAILED};

        fault_set_add(fs, &rule);
        fault_set_attach(fs, e.conn);
        assert_int_equal(drv_spawn(e.d, &b, true, &err), -1);
        assert_int_equal(err.kind, DRV_ERR_HYPERVISOR);
        assert_int_equal(err.hv.code, HV_ERR_OPERATION_FAILED);
        assert_non_null(strstr(err.message, "config drive"));
        assert_int_equal(fake_host_domain_count(e.h), 0);
        assert_int_equal(fake_host_volume_count(e.h), 1); /* the image */
        fault_set_detach(fs, e.conn);
        fault_set_free(fs);
    }
    cenv_close(&e);

    /* a full disk: the fake's genisoimage has no room either */
    cenv_open(&e, false, false);
    fake_host_set_disk_free(e.h, 0);
    {
        hv_iso_file f1 = {"a/b.json", "{}", 2};

        assert_int_equal(hv_instance_iso_build(e.conn, "/srv", "x", "y",
                                               "config-2", NULL, &f1, 1,
                                               &hv), -1);
        assert_int_equal(hv.code, HV_ERR_OPERATION_FAILED);
        assert_non_null(strstr(hv.message, "No space left"));
        /* paths that would leave the image's folder are refused */
        f1.path = "../x";
        assert_int_equal(hv_instance_iso_build(e.conn, "/srv", "x", "y",
                                               "config-2", NULL, &f1, 1,
                                               &hv), -1);
        assert_int_equal(hv.code, HV_ERR_INVALID_ARG);
        assert_int_equal(hv_instance_iso_build(e.conn, "/srv", "..", "y",
                                               "config-2", NULL, NULL, 0,
                                               &hv), -1);
        assert_int_equal(hv.code, HV_ERR_INVALID_ARG);
    }
    cenv_close(&e);
}

/*
 * The config drive on qemu:///system: drv_config_drive_build runs
 * genisoimage through the libvirt backend; the image is ISO 9660
 * labelled config-2, and a guest with it as its IDE cdrom starts.
 */
static void
test_real_config_drive(void **state)
{
    const char *realv = getenv("HVD_REAL");
    const char *uuid = "6f1c3b5e-8d2a-4c1f-9b7e-0a1b2c3d4ecd";
    g_autofree char *iso = NULL, *contents = NULL, *xml = NULL;
    g_autofree char *dir = NULL; /* after the skip: it longjmps */
    gsize len = 0;
    hv_domain *dom = NULL;
    drv_disk *cd;
    drv_error err;
    hv_error hv;
    hv_conn *conn;
    fixture f;
    drv *d;

    (void)state;
    if (!realv || strcmp(realv, "1") != 0 || !getenv("HVD_GUEST_KERNEL")) {
        print_message("# real config drive: make check-real runs it\n");
        skip();
    }
    if (!(conn = hv_libvirt_open("qemu:///system", &hv)))
        fail_msg("qemu:///system: %s", hv.message);
    dir = g_build_filename(REAL_INSTANCES, uuid, NULL);
    fx_base(&f);
    f.cfg.virt_type = "qemu";
    f.cfg.instances_path = REAL_INSTANCES;
    f.inst.uuid = (char *)uuid;
    f.inst.name = "xml-config-drive-real";
    f.inst.config_drive = true;
    fx_bridge_vif(&f);
    fx_prop(&f, "kernel_path", getenv("HVD_GUEST_KERNEL"));
    fx_prop(&f, "initrd_path", getenv("HVD_GUEST_INITRD"));
    fx_prop(&f, "os_command_line", "console=ttyS0 panic=-1 quiet");
    assert_non_null(d = drv_new(&f.cfg, conn, &err));
    drv_error_reset(&err);
    if (drv_config_drive_build(d, &f.inst, &err) < 0)
        fail_msg("config drive: %s", err.message);
    iso = drv_config_drive_path(&f.cfg, &f.inst);
    assert_true(g_file_get_contents(iso, &contents, &len, NULL));
    /* the primary volume descriptor: "CD001" and the volume label */
    assert_true(len > 32808 + 8);
    assert_memory_equal(contents + 32769, "CD001", 5);
    assert_memory_equal(contents + 32808, "config-2", 8);
    f.inst.n_vifs = 0; /* no bridge here; the drive is what matters */
    cd = fx_disk(&f, iso, "raw", "hdd");
    cd->device = "cdrom";
    cd->bus = "ide";
    xml = drv_domain_xml(&f.cfg, &f.facts, &f.inst, f.disks, f.n_disks,
                         false, &err);
    assert_non_null(xml);
    if (!(dom = hv_domain_define(conn, xml, &hv)) ||
        hv_domain_create(dom, 0, &hv) < 0)
        print_message("# config drive guest: %s\n", hv.message);
    else
        print_message("# config drive guest started on qemu:///system\n");
    assert_int_equal(hv.code, HV_ERR_OK);
    if (dom) {
        hv_domain_destroy(dom, 0, &hv);
        hv_domain_undefine(dom, 0, &hv);
        hv_domain_free(dom);
    }
    drv_free(d);
    hv_conn_close(conn);
    g_remove(iso);
    {
        g_autofree char *log = g_build_filename(dir, "console.log", NULL);

        g_remove(log);
    }
    g_rmdir(dir);
}

/* The defaults fx_config_defaults writes as literals are the driver's. */
static void
test_fixture_defaults(void **state)
{
    drv_config want, got;

    (void)state;
    drv_config_defaults(&got);
    fx_config_defaults(&want);
    assert_string_equal(got.sysinfo_serial, want.sysinfo_serial);
    assert_int_equal(got.mem_stats_period_seconds,
                     want.mem_stats_period_seconds);
    assert_string_equal(got.pointer_model, want.pointer_model);
    assert_true(got.use_usb_tablet == want.use_usb_tablet);
    assert_true(got.instances_path_direct_io == want.instances_path_direct_io);
    assert_true(got.vnc_enabled == want.vnc_enabled);
    assert_string_equal(got.vnc_keymap, want.vnc_keymap);
    assert_string_equal(got.vncserver_listen, want.vncserver_listen);
    assert_string_equal(got.vncserver_proxyclient_address,
                        want.vncserver_proxyclient_address);
    assert_true(got.spice_enabled == want.spice_enabled);
    assert_true(got.spice_agent_enabled == want.spice_agent_enabled);
    assert_string_equal(got.spice_keymap, want.spice_keymap);
    assert_string_equal(got.spice_server_listen, want.spice_server_listen);
    assert_true(got.serial_console_enabled == want.serial_console_enabled);
    assert_string_equal(got.serial_console_port_range,
                        want.serial_console_port_range);
    assert_null(got.cpu_mode);
    assert_null(got.cpu_model);
    assert_null(got.hw_machine_type);
    assert_null(got.rng_dev_path);
    drv_config_clear(&got);
}

/* The loader reads the options and refuses combinations that could not
 * build, naming them. */
static void
test_config_json(void **state)
{
    drv_config cfg;
    drv_error err;

    (void)state;
    drv_config_defaults(&cfg);
    assert_int_equal(drv_config_load_json(
                         "{\"cpu_mode\": \"custom\", \"cpu_model\": "
                         "\"qemu64\", \"hw_machine_type\": "
                         "[\"x86_64=q35\"], \"vnc_enabled\": false, "
                         "\"mem_stats_period_seconds\": -1, "
                         "\"pointer_model\": null}", "c.json", &cfg, &err),
                     0);
    assert_string_equal(cfg.cpu_mode, "custom");
    assert_string_equal(cfg.hw_machine_type[0], "x86_64=q35");
    assert_false(cfg.vnc_enabled);
    assert_int_equal(cfg.mem_stats_period_seconds, -1);
    assert_null(cfg.pointer_model);
    assert_int_equal(drv_config_load_json("{\"cpu_model\": null}", "c.json",
                                          &cfg, &err), -1);
    assert_int_equal(err.kind, DRV_ERR_INVALID_CONFIG);
    assert_non_null(strstr(err.message, "cpu_mode 'custom' requires"));
    assert_int_equal(drv_config_load_json("{\"cpu_mode\": \"fast\"}",
                                          "c.json", &cfg, &err), -1);
    assert_non_null(strstr(err.message, "cpu_mode"));
    assert_int_equal(drv_config_load_json(
                         "{\"serial_console_enabled\": true, "
                         "\"serial_console_port_range\": \"1-2\"}",
                         "c.json", &cfg, &err), -1);
    assert_non_null(strstr(err.message, "serial_console_port_range"));
    drv_config_clear(&cfg);
}

int
main(void)
{
    const size_t n_gold = G_N_ELEMENTS(golden_cases);
    const size_t n_bad = G_N_ELEMENTS(bad_cases);
    const struct CMUnitTest fixed[] = {
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_escaping_round_trip),
        cmocka_unit_test(test_console_log_path),
        cmocka_unit_test(test_fixture_defaults),
        cmocka_unit_test(test_config_json),
        cmocka_unit_test(test_console_vnc),
        cmocka_unit_test(test_console_spice),
        cmocka_unit_test(test_console_serial),
        cmocka_unit_test(test_tcg_cpu_modes),
        cmocka_unit_test(test_config_drive_fake),
        cmocka_unit_test(test_real_goldens),
        cmocka_unit_test(test_real_config_drive),
    };
    const size_t n = G_N_ELEMENTS(fixed) + n_gold + n_bad;
    struct CMUnitTest *tests = g_new0(struct CMUnitTest, n);
    size_t k = 0;
    int rc;

    for (size_t i = 0; i < G_N_ELEMENTS(fixed); i++)
        tests[k++] = fixed[i];
    for (size_t i = 0; i < n_gold; i++)
        tests[k++] = (struct CMUnitTest){
            .name = golden_cases[i].name, .test_func = test_golden,
            .initial_state = (void *)&golden_cases[i]};
    for (size_t i = 0; i < n_bad; i++)
        tests[k++] = (struct CMUnitTest){
            .name = bad_cases[i].name, .test_func = test_bad,
            .initial_state = (void *)&bad_cases[i]};

    cmocka_set_message_output(CM_OUTPUT_TAP);
    rc = _cmocka_run_group_tests("drv-xml", tests, n, group_setup,
                                 group_teardown);
    g_free(tests);
    return rc;
}
