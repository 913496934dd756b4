/*
 * test-drv-json.c: the driver's configuration and instance descriptions
 * read from JSON — defaults, full valid examples (in tests/data/), and
 * one TAP line per row of bad input: every row must fail with the right
 * error kind, a message that names the source, position and JSON path,
 * and leave the caller's structure as it was (config) or all zero
 * (instance).
 *
 * Rows are written with ' for " to stay readable; the runner swaps them.
 */
#include <glib.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "drv-priv.h"
#include "drv.h"
#include "jsonv.h"

/* ---- helpers ---- */

/* ' -> " (g_free). */
static char *
dq(const char *s)
{
    char *t = g_strdup(s);

    for (char *p = t; *p; p++)
        if (*p == '\'')
            *p = '"';
    return t;
}

/* Contents of tests/data/NAME (g_free); fails the test if unreadable. */
static char *
read_data(const char *name)
{
    g_autofree char *dir = g_path_get_dirname(__FILE__);
    g_autofree char *path = g_build_filename(dir, "data", name, NULL);
    char *text = NULL;
    GError *gerr = NULL;

    if (!g_file_get_contents(path, &text, NULL, &gerr)) {
        print_error("cannot read %s: %s\n", path, gerr->message);
        g_error_free(gerr);
        fail();
    }
    return text;
}

static bool
strv_equal(char **a, char **b)
{
    if (!a || !b)
        return a == b;
    return g_strv_equal((const char *const *)a, (const char *const *)b);
}

static void
assert_config_equal(const drv_config *a, const drv_config *b)
{
    assert_string_equal(a->virt_type, b->virt_type);
    assert_string_equal(a->storage_pool, b->storage_pool);
    assert_string_equal(a->instances_path, b->instances_path);
    assert_int_equal(a->wait_soft_reboot_seconds, b->wait_soft_reboot_seconds);
    assert_int_equal(a->wait_for_running_seconds, b->wait_for_running_seconds);
    assert_int_equal(a->vif_plugging_timeout, b->vif_plugging_timeout);
    assert_int_equal(a->vif_plugging_is_fatal, b->vif_plugging_is_fatal);
    assert_int_equal(a->live_migration_bandwidth, b->live_migration_bandwidth);
    assert_int_equal(a->live_migration_downtime, b->live_migration_downtime);
    assert_int_equal(a->live_migration_downtime_steps,
                     b->live_migration_downtime_steps);
    assert_int_equal(a->live_migration_downtime_delay,
                     b->live_migration_downtime_delay);
    assert_int_equal(a->live_migration_completion_timeout,
                     b->live_migration_completion_timeout);
    assert_int_equal(a->live_migration_progress_timeout,
                     b->live_migration_progress_timeout);
    assert_int_equal(a->live_migration_permit_post_copy,
                     b->live_migration_permit_post_copy);
    assert_int_equal(a->live_migration_permit_auto_converge,
                     b->live_migration_permit_auto_converge);
    assert_int_equal(a->reserved_host_memory_mb, b->reserved_host_memory_mb);
    assert_int_equal(a->reserved_host_disk_mb, b->reserved_host_disk_mb);
    assert_int_equal(a->reserved_host_cpus, b->reserved_host_cpus);
    assert_true(a->cpu_allocation_ratio == b->cpu_allocation_ratio);
    assert_true(a->ram_allocation_ratio == b->ram_allocation_ratio);
    assert_true(a->disk_allocation_ratio == b->disk_allocation_ratio);
    assert_true(strv_equal(a->disk_cachemodes, b->disk_cachemodes));
    assert_true(g_strcmp0(a->my_ip, b->my_ip) == 0);
    assert_true(a->initial_cpu_allocation_ratio ==
                b->initial_cpu_allocation_ratio);
    assert_true(a->initial_ram_allocation_ratio ==
                b->initial_ram_allocation_ratio);
    assert_true(a->initial_disk_allocation_ratio ==
                b->initial_disk_allocation_ratio);
    assert_true(strv_equal(a->image_type_exclude_list,
                           b->image_type_exclude_list));
}

static bool
all_zero(const void *p, size_t n)
{
    const unsigned char *b = p;

    for (size_t i = 0; i < n; i++)
        if (b[i])
            return false;
    return true;
}

/* The message must contain want (and not contain unwanted, if given). */
static void
assert_message(const drv_error *err, const char *want, const char *unwanted)
{
    if (!strstr(err->message, want)) {
        print_error("message: %s\nwanted:  %s\n", err->message, want);
        fail();
    }
    if (unwanted && strstr(err->message, unwanted)) {
        print_error("message: %s\nunwanted: %s\n", err->message, unwanted);
        fail();
    }
}

/* ---- configuration ---- */

static void
test_config_defaults(void **state)
{
    drv_config cfg;

    (void)state;
    drv_config_defaults(&cfg);
    assert_string_equal(cfg.virt_type, "kvm");
    assert_string_equal(cfg.storage_pool, "hvd");
    assert_string_equal(cfg.instances_path, "/var/lib/hvd/instances");
    assert_int_equal(cfg.wait_soft_reboot_seconds, 120);
    assert_int_equal(cfg.wait_for_running_seconds, 300);
    assert_int_equal(cfg.vif_plugging_timeout, 300);
    assert_true(cfg.vif_plugging_is_fatal);
    assert_int_equal(cfg.live_migration_bandwidth, 0);
    assert_int_equal(cfg.live_migration_downtime, 500);
    assert_int_equal(cfg.live_migration_downtime_steps, 10);
    assert_int_equal(cfg.live_migration_downtime_delay, 75);
    assert_int_equal(cfg.live_migration_completion_timeout, 800);
    assert_int_equal(cfg.live_migration_progress_timeout, 150);
    assert_false(cfg.live_migration_permit_post_copy);
    assert_false(cfg.live_migration_permit_auto_converge);
    assert_int_equal(cfg.reserved_host_memory_mb, 512);
    assert_int_equal(cfg.reserved_host_disk_mb, 0);
    assert_int_equal(cfg.reserved_host_cpus, 0);
    assert_true(cfg.cpu_allocation_ratio == 0.0);
    assert_true(cfg.ram_allocation_ratio == 0.0);
    assert_true(cfg.disk_allocation_ratio == 0.0);
    assert_true(cfg.initial_cpu_allocation_ratio == 16.0);
    assert_true(cfg.initial_ram_allocation_ratio == 1.5);
    assert_true(cfg.initial_disk_allocation_ratio == 1.0);
    assert_null(cfg.my_ip);
    assert_null(cfg.image_type_exclude_list);
    assert_true(!cfg.disk_cachemodes || !cfg.disk_cachemodes[0]);
    drv_config_clear(&cfg);
    assert_true(all_zero(&cfg, sizeof(cfg)));
    drv_config_clear(&cfg); /* twice is fine, and NULL too */
    drv_config_clear(NULL);
}

static void
test_config_full(void **state)
{
    g_autofree char *text = read_data("config-full.json");
    drv_config cfg;
    drv_error err;
    const char *modes[] = {"file=directsync", "block=none",
                           "network=writeback", NULL};
    const char *excluded[] = {"iso", "raw", NULL};

    (void)state;
    drv_config_defaults(&cfg);
    assert_int_equal(drv_config_load_json(text, "config-full.json", &cfg,
                                          &err), 0);
    assert_int_equal(err.kind, DRV_OK);
    assert_string_equal(cfg.virt_type, "qemu");
    assert_string_equal(cfg.storage_pool, "default");
    assert_string_equal(cfg.instances_path, "/srv/hvd/instances");
    assert_int_equal(cfg.wait_soft_reboot_seconds, 30);
    assert_int_equal(cfg.vif_plugging_timeout, 0);
    assert_false(cfg.vif_plugging_is_fatal);
    assert_int_equal(cfg.live_migration_bandwidth, 100);
    assert_int_equal(cfg.live_migration_downtime, 250);
    assert_int_equal(cfg.live_migration_downtime_steps, 5);
    assert_int_equal(cfg.live_migration_downtime_delay, 10);
    assert_int_equal(cfg.live_migration_completion_timeout, 0);
    assert_int_equal(cfg.live_migration_progress_timeout, 60);
    assert_true(cfg.live_migration_permit_post_copy);
    assert_true(cfg.live_migration_permit_auto_converge);
    assert_int_equal(cfg.reserved_host_memory_mb, 1024);
    assert_int_equal(cfg.reserved_host_disk_mb, 2048);
    assert_int_equal(cfg.reserved_host_cpus, 1);
    assert_true(cfg.cpu_allocation_ratio == 4.0); /* an integer is fine */
    assert_true(cfg.ram_allocation_ratio == 1.0);
    assert_true(cfg.disk_allocation_ratio == 0.5);
    assert_true(strv_equal(cfg.disk_cachemodes, (char **)modes));
    assert_string_equal(cfg.my_ip, "192.0.2.10");
    assert_true(cfg.initial_cpu_allocation_ratio == 8.0);
    assert_true(cfg.initial_ram_allocation_ratio == 1.25);
    assert_true(cfg.initial_disk_allocation_ratio == 2.0);
    assert_true(strv_equal(cfg.image_type_exclude_list, (char **)excluded));
    drv_config_clear(&cfg);
}

/* Missing keys keep what cfg had; an empty object changes nothing. */
static void
test_config_partial(void **state)
{
    drv_config cfg, want;
    drv_error err;

    (void)state;
    drv_config_defaults(&cfg);
    drv_config_defaults(&want);
    assert_int_equal(drv_config_load_json("{}", NULL, &cfg, &err), 0);
    assert_config_equal(&cfg, &want);
    assert_int_equal(drv_config_load_json(
                         "{\"virt_type\": \"test\", \"disk_cachemodes\": []}",
                         NULL, &cfg, &err), 0);
    assert_string_equal(cfg.virt_type, "test");
    assert_non_null(cfg.disk_cachemodes);
    assert_null(cfg.disk_cachemodes[0]);
    assert_int_equal(cfg.vif_plugging_timeout, 300);
    /* a later load replaces the list */
    assert_int_equal(drv_config_load_json(
                         "{\"disk_cachemodes\": [\"block=unsafe\"]}", NULL,
                         &cfg, &err), 0);
    assert_string_equal(cfg.disk_cachemodes[0], "block=unsafe");
    assert_null(cfg.disk_cachemodes[1]);
    drv_config_clear(&cfg);
    drv_config_clear(&want);
}

/* A failure after some good keys leaves a non-default cfg as it was. */
static void
test_config_failure_unchanged(void **state)
{
    g_autofree char *text = read_data("config-full.json");
    drv_config cfg, want;
    drv_error err;

    (void)state;
    drv_config_defaults(&cfg);
    drv_config_defaults(&want);
    assert_int_equal(drv_config_load_json(text, NULL, &cfg, &err), 0);
    assert_int_equal(drv_config_load_json(text, NULL, &want, &err), 0);
    assert_int_equal(drv_config_load_json(
                         "{\"virt_type\": \"kvm\", \"storage_pool\": \"x\","
                         " \"disk_cachemodes\": [\"file=none\"],"
                         " \"cpu_allocation_ratio\": -1}",
                         "c.json", &cfg, &err), -1);
    assert_int_equal(err.kind, DRV_ERR_INVALID_CONFIG);
    assert_config_equal(&cfg, &want);
    drv_config_clear(&cfg);
    drv_config_clear(&want);
}

/* The whole message, position included, for a key and a nested value. */
static void
test_config_positions(void **state)
{
    drv_config cfg;
    drv_error err;

    (void)state;
    drv_config_defaults(&cfg);
    assert_int_equal(drv_config_load_json(
                         "{\n  \"virt_type\": \"qemu\",\n"
                         "    \"vif_plugin_timeout\": 3\n}\n",
                         "cfg.json", &cfg, &err), -1);
    assert_string_equal(err.message,
                        "cfg.json:3:5: $.vif_plugin_timeout: unknown option; "
                        "did you mean vif_plugging_timeout?");
    assert_int_equal(drv_config_load_json(
                         "{\"disk_cachemodes\": [\"file=none\",\n"
                         "  \"block=fast\"]}",
                         "cfg.json", &cfg, &err), -1);
    assert_string_equal(err.message,
                        "cfg.json:2:3: $.disk_cachemodes[1]: unknown cache "
                        "mode \"fast\" (expected default, none, writethrough, "
                        "writeback, directsync, unsafe)");
    /* columns count characters, like jansson's */
    assert_int_equal(drv_config_load_json(
                         "{\"\xc3\xa9t\xc3\xa9\": 1}", "u.json", &cfg, &err),
                     -1);
    assert_string_equal(err.message,
                        "u.json:1:2: $[\"\\303\\251t\\303\\251\"]: "
                        "unknown option");
    assert_int_equal(drv_config_load_json("{\"virt_type\": \"kvm\",}", NULL,
                                          &cfg, &err), -1);
    assert_string_equal(err.message,
                        "<string>:1:21: string or '}' expected near '}': "
                        "expected a key in double quotes, or '}' to end the "
                        "object (a comma after the last member? a key "
                        "without double quotes?)");
    drv_config_clear(&cfg);
}

static void
test_config_bad_args(void **state)
{
    drv_config cfg;
    drv_error err;

    (void)state;
    drv_config_defaults(&cfg);
    assert_int_equal(drv_config_load_json(NULL, "x", &cfg, &err), -1);
    assert_int_equal(err.kind, DRV_ERR_INVALID_CONFIG);
    assert_int_equal(drv_config_load_json("{}", "x", NULL, &err), -1);
    assert_int_equal(err.kind, DRV_ERR_INVALID_CONFIG);
    /* a NULL error record is allowed */
    assert_int_equal(drv_config_load_json("[", "x", &cfg, NULL), -1);
    drv_config_clear(&cfg);
}

typedef struct bad_row {
    const char *name;
    const char *json;     /* ' stands for " */
    const char *want;     /* substring of the message */
    const char *unwanted; /* must not appear, or NULL */
} bad_row;

static const bad_row bad_configs[] = {
    {"syntax error has line:column", "{'virt_type': 'kvm',}",
     "t.json:1:21: string or '}' expected", NULL},
    {"syntax error on a later line", "{\n  'virt_type': ,\n}",
     "t.json:2:16: unexpected token", NULL},
    {"empty text", "", "t.json", NULL},
    {"trailing garbage", "{} x", "end of file expected", NULL},
    {"U+FFFE in instances_path", "{'instances_path': '/var/\\uFFFE'}",
     "t.json:1:20: $.instances_path: U+FFFE is not allowed in XML text",
     NULL},
    {"a control character in storage_pool", "{'storage_pool': 'p\\u001f'}",
     "$.storage_pool: U+001F is not allowed in XML text", NULL},
    {"invalid UTF-8", "{'virt_type': '\xff'}", "unable to decode byte", NULL},
    {"root is an array", "[1]", "t.json:1:1: $: expected an object, got array",
     NULL},
    {"root is a string", "'kvm'", "$: expected an object, got string", NULL},
    {"duplicate key", "{'virt_type': 'kvm', 'virt_type': 'qemu'}",
     "duplicate object key", NULL},
    {"unknown key with suggestion", "{'vif_plugin_timeout': 3}",
     "$.vif_plugin_timeout: unknown option; did you mean "
     "vif_plugging_timeout?", NULL},
    {"unknown key, nothing close", "{'colour': 'blue'}",
     "t.json:1:2: $.colour: unknown option", "did you mean"},
    {"unknown key after good ones",
     "{'virt_type': 'qemu', 'storage_pool': 'x', 'bogus': 1}",
     "$.bogus: unknown option", NULL},
    {"integer as string", "{'wait_soft_reboot_seconds': '120'}",
     "$.wait_soft_reboot_seconds: expected an integer, got string", NULL},
    {"integer as real", "{'vif_plugging_timeout': 1.5}",
     "$.vif_plugging_timeout: expected an integer, got real", NULL},
    {"integer as null", "{'reserved_host_memory_mb': null}",
     "expected an integer, got null", NULL},
    {"negative timeout", "{'vif_plugging_timeout': -1}",
     "$.vif_plugging_timeout: expected an integer >= 0, got -1", NULL},
    {"negative running wait", "{'wait_for_running_seconds': -5}",
     "$.wait_for_running_seconds: expected an integer >= 0, got -5", NULL},
    {"negative reserved disk", "{'reserved_host_disk_mb': -5}",
     "expected an integer >= 0, got -5", NULL},
    {"integer beyond int", "{'reserved_host_cpus': 3000000000}",
     "expected an integer <= 2147483647, got 3000000000", NULL},
    {"downtime below Nova's minimum", "{'live_migration_downtime': 50}",
     "$.live_migration_downtime: expected an integer >= 100, got 50", NULL},
    {"downtime steps below minimum", "{'live_migration_downtime_steps': 2}",
     "expected an integer >= 3, got 2", NULL},
    {"boolean as integer", "{'vif_plugging_is_fatal': 1}",
     "$.vif_plugging_is_fatal: expected true or false, got integer", NULL},
    {"boolean as string", "{'live_migration_permit_post_copy': 'true'}",
     "expected true or false, got string", NULL},
    {"initial ratio zero", "{'initial_cpu_allocation_ratio': 0}",
     "$.initial_cpu_allocation_ratio: expected a number > 0, got 0", NULL},
    {"ratio negative", "{'ram_allocation_ratio': -1.5}",
     "$.ram_allocation_ratio: expected a number >= 0, got -1.5", NULL},
    {"my_ip not an address", "{'my_ip': 'host.example'}",
     "my_ip: 'host.example' is not an IP address", NULL},
    {"my_ip empty", "{'my_ip': ''}", "$.my_ip: expected a non-empty string",
     NULL},
    {"image type unknown", "{'image_type_exclude_list': ['qcow3']}",
     "image_type_exclude_list: unknown image type 'qcow3' (one of aki, ami, "
     "ari, iso, qcow2, raw, vdi, vhd, vhdx, vmdk, ploop)", NULL},
    {"ratio as string", "{'disk_allocation_ratio': '1.0'}",
     "expected a number, got string", NULL},
    {"virt_type unknown", "{'virt_type': 'xen'}",
     "$.virt_type: expected one of kvm, qemu, test, got \"xen\"",
     "did you mean"},
    {"virt_type misspelt", "{'virt_type': 'kvn'}", "did you mean kvm?", NULL},
    {"virt_type in capitals", "{'virt_type': 'QEMU'}", "did you mean qemu?",
     NULL},
    {"virt_type null", "{'virt_type': null}", "expected a string, got null",
     NULL},
    {"instances_path relative", "{'instances_path': 'var/lib'}",
     "$.instances_path: expected an absolute path, got \"var/lib\"", NULL},
    {"storage_pool empty", "{'storage_pool': ''}",
     "$.storage_pool: expected a non-empty string", NULL},
    {"storage_pool with slash", "{'storage_pool': 'a/b'}",
     "expected a name without '/'", NULL},
    {"cachemodes not an array", "{'disk_cachemodes': 'file=none'}",
     "$.disk_cachemodes: expected an array", NULL},
    {"cachemode not a string", "{'disk_cachemodes': [1]}",
     "$.disk_cachemodes[0]: expected a \"TYPE=MODE\" string, got integer",
     NULL},
    {"cachemode without =", "{'disk_cachemodes': ['none']}",
     "$.disk_cachemodes[0]: expected TYPE=MODE, got \"none\"", NULL},
    {"cachemode bad type", "{'disk_cachemodes': ['disk=none']}",
     "$.disk_cachemodes[0]: unknown disk type \"disk\"", NULL},
    {"cachemode bad mode", "{'disk_cachemodes': ['file=none', 'block=fast']}",
     "t.json:1:35: $.disk_cachemodes[1]: unknown cache mode \"fast\"", NULL},
    {"cachemode type twice",
     "{'disk_cachemodes': ['file=none', 'block=none', 'file=unsafe']}",
     "$.disk_cachemodes[2]: cache mode for file already given at [0]", NULL},
};

static void
test_config_bad_row(void **state)
{
    const bad_row *row = *state;
    g_autofree char *json = dq(row->json);
    drv_config cfg, want;
    drv_error err;

    drv_config_defaults(&cfg);
    drv_config_defaults(&want);
    assert_int_equal(drv_config_load_json(json, "t.json", &cfg, &err), -1);
    assert_int_equal(err.kind, DRV_ERR_INVALID_CONFIG);
    assert_true(g_str_has_prefix(err.message, "t.json"));
    assert_message(&err, row->want, row->unwanted);
    assert_config_equal(&cfg, &want);
    drv_config_clear(&cfg);
    drv_config_clear(&want);
}

/* ---- instance ---- */

static void
test_instance_full(void **state)
{
    g_autofree char *text = read_data("instance-full.json");
    drv_instance inst;
    drv_error err;
    const drv_flavor *f = &inst.flavor;
    const drv_image *im = &inst.image;

    (void)state;
    assert_int_equal(drv_instance_load_json(text, "instance-full.json",
                                            &inst, &err), 0);
    assert_int_equal(err.kind, DRV_OK);
    /* UUID and MACs are lower-cased */
    assert_string_equal(inst.uuid, "6f3c1a2b-0d4e-4f5a-8b6c-7d8e9f0a1b2c");
    assert_string_equal(inst.name, "instance-00000001");

    assert_string_equal(f->name, "m1.tiny");
    assert_int_equal(f->vcpus, 2);
    assert_int_equal(f->memory_mb, 96);
    assert_int_equal(f->root_gb, 1);
    assert_int_equal(f->ephemeral_gb, 2);
    assert_int_equal(f->swap_mb, 16);
    assert_int_equal(f->n_extra_specs, 2);
    assert_string_equal(f->extra_specs[0].key, "hw:cpu_policy"); /* in order */
    assert_string_equal(drv_kv_get(f->extra_specs, f->n_extra_specs,
                                   "quota:disk_read_iops_sec"), "100");

    assert_string_equal(im->id, "0b1c2d3e-4f50-4617-a829-3a4b5c6d7e8f");
    assert_null(im->path);
    assert_string_equal(im->volume, "base.qcow2");
    assert_string_equal(im->format, "qcow2");
    assert_int_equal(im->n_properties, 4);
    assert_string_equal(drv_kv_get(im->properties, im->n_properties,
                                   "kernel_path"),
                        "/var/lib/hvd/images/vmlinuz");
    assert_string_equal(drv_kv_get(im->properties, im->n_properties,
                                   "os_command_line"),
                        "console=ttyS0 quiet");
    assert_null(drv_kv_get(im->properties, im->n_properties, "hw_vif_model"));

    assert_int_equal(inst.n_vifs, 3);
    assert_string_equal(inst.vifs[0].id,
                        "a1b2c3d4-0000-4000-8000-000000000001");
    assert_string_equal(inst.vifs[0].mac, "52:54:00:ab:cd:01");
    assert_string_equal(inst.vifs[0].type, "bridge");
    assert_string_equal(inst.vifs[0].bridge, "br0");
    assert_string_equal(inst.vifs[0].devname, "tapa1b2c3d4-00");
    assert_null(inst.vifs[0].network);
    assert_false(inst.vifs[0].active);
    assert_string_equal(inst.vifs[1].type, "network");
    assert_string_equal(inst.vifs[1].network, "default");
    assert_null(inst.vifs[1].devname);
    assert_true(inst.vifs[1].active);
    assert_string_equal(inst.vifs[2].type, "ethernet");
    assert_string_equal(inst.vifs[2].devname, "tap3");
    /* no "active": up already, the reference's vif.get('active', True) */
    assert_true(inst.vifs[2].active);
    assert_string_equal(inst.vifs[2].mac, "fa:16:3e:00:00:03");

    assert_string_equal(inst.root_device_name, "/dev/vda");
    assert_int_equal(inst.n_volumes, 2);
    assert_string_equal(inst.volumes[0].volume_id, "vol-1");
    assert_string_equal(inst.volumes[0].mount_device, "/dev/vdb");
    assert_string_equal(inst.volumes[0].driver_type, "local");
    assert_string_equal(inst.volumes[0].device_path, "/dev/mapper/vg-vol1");
    assert_string_equal(inst.volumes[1].mount_device, "/dev/vdc");
    assert_string_equal(inst.volumes[1].device_path,
                        "/var/lib/hvd/volumes/vol-2.img");

    drv_instance_clear(&inst);
    assert_true(all_zero(&inst, sizeof(inst)));
    drv_instance_clear(&inst);
    drv_instance_clear(NULL);
}

#define UUID "'uuid': '6f3c1a2b-0d4e-4f5a-8b6c-7d8e9f0a1b2c'"
#define NAME "'name': 'i-1'"
#define FLAVOR "'flavor': {'vcpus': 1, 'memory_mb': 64}"
#define BASE UUID ", " NAME ", " FLAVOR
#define VIF(mac) \
    "{'id': 'v-" mac "', 'address': '" mac "', 'type': 'network', " \
    "'network': 'default'}"
#define BDM(dev)                                                   \
    "{'volume_id': 'vol-" dev "', 'mount_device': '/dev/" dev "', " \
    "'connection_info': {'driver_volume_type': 'local', "          \
    "'data': {'device_path': '/dev/sd" dev "'}}}"

/* Only what is required; everything else absent or empty. */
static void
test_instance_minimal(void **state)
{
    static const char *const texts[] = {
        "{" BASE "}",
        "{" BASE ", 'image': {}, 'network_info': [], "
        "'block_device_info': {}}",
        "{" BASE ", 'image': {'id': 'x', 'format': 'raw'}, "
        "'block_device_info': {'block_device_mapping': []}}",
    };

    (void)state;
    for (size_t i = 0; i < G_N_ELEMENTS(texts); i++) {
        g_autofree char *json = dq(texts[i]);
        drv_instance inst;
        drv_error err;

        assert_int_equal(drv_instance_load_json(json, "m.json", &inst, &err),
                         0);
        assert_string_equal(inst.uuid,
                            "6f3c1a2b-0d4e-4f5a-8b6c-7d8e9f0a1b2c");
        assert_string_equal(inst.name, "i-1");
        assert_null(inst.flavor.name);
        assert_int_equal(inst.flavor.vcpus, 1);
        assert_int_equal(inst.flavor.memory_mb, 64);
        assert_int_equal(inst.flavor.root_gb, 0);
        assert_int_equal(inst.flavor.n_extra_specs, 0);
        assert_null(inst.image.path);
        assert_null(inst.image.volume);
        assert_int_equal(inst.image.n_properties, 0);
        assert_int_equal(inst.n_vifs, 0);
        assert_null(inst.root_device_name);
        assert_int_equal(inst.n_volumes, 0);
        assert_null(drv_kv_get(inst.image.properties, inst.image.n_properties,
                               "kernel_path"));
        drv_instance_clear(&inst);
    }
}

/* Messages in full: nested path, array index, line:column. */
static void
test_instance_positions(void **state)
{
    g_autofree char *json = dq("{" BASE ",\n"
                               " 'network_info': [" VIF("52:54:00:00:00:01")
                               ",\n   {'id': 'x', 'address': 'nope'}]}");
    g_autofree char *json2 = dq("{" UUID ", " NAME ",\n 'flavor': {'vcpus': "
                                "0, 'memory_mb': 1}}");
    drv_instance inst;
    drv_error err;

    (void)state;
    assert_int_equal(drv_instance_load_json(json, "i.json", &inst, &err), -1);
    assert_string_equal(err.message,
                        "i.json:3:27: $.network_info[1].address: expected a "
                        "MAC address (six hex pairs), got \"nope\"");
    assert_int_equal(drv_instance_load_json(json2, "i.json", &inst, &err), -1);
    assert_string_equal(err.message,
                        "i.json:2:22: $.flavor.vcpus: expected an integer "
                        ">= 1, got 0");
    assert_int_equal(drv_instance_load_json(NULL, NULL, &inst, &err), -1);
    assert_int_equal(err.kind, DRV_ERR_INVALID_INSTANCE);
    assert_int_equal(drv_instance_load_json("{}", NULL, NULL, &err), -1);
    assert_int_equal(err.kind, DRV_ERR_INVALID_INSTANCE);
}

static const bad_row bad_instances[] = {
    {"syntax error has line:column", "{" BASE ",\n 'image' 'x'}",
     "t.json:2:12: ':' expected", NULL},
    {"duplicate key", "{" BASE ", 'uuid': '6f3c1a2b-0d4e-4f5a-8b6c-"
     "7d8e9f0a1b2c'}", "duplicate object key", NULL},
    {"root is an array", "[{" BASE "}]", "$: expected an object, got array",
     NULL},
    {"unknown top-level key", "{" BASE ", 'flavour': {}}",
     "$.flavour: unknown key; did you mean flavor?", NULL},
    {"missing uuid", "{" NAME ", " FLAVOR "}",
     "t.json:1:1: $: missing required key \"uuid\"", NULL},
    {"uuid too short", "{'uuid': '6f3c1a2b-0d4e', " NAME ", " FLAVOR "}",
     "$.uuid: expected a UUID (8-4-4-4-12 hex digits), got \"6f3c1a2b-0d4e\"",
     NULL},
    {"uuid not hex",
     "{'uuid': '6f3c1a2b-0d4e-4f5a-8b6c-7d8e9f0a1b2g', " NAME ", " FLAVOR "}",
     "$.uuid: expected a UUID", NULL},
    {"uuid dashes misplaced",
     "{'uuid': '6f3c1a2b0-d4e-4f5a-8b6c-7d8e9f0a1b2c', " NAME ", " FLAVOR
     "}", "$.uuid: expected a UUID", NULL},
    {"uuid not a string", "{'uuid': 5, " NAME ", " FLAVOR "}",
     "$.uuid: expected a string, got integer", NULL},
    {"missing name", "{" UUID ", " FLAVOR "}",
     "$: missing required key \"name\"", NULL},
    {"empty name", "{" UUID ", 'name': '', " FLAVOR "}",
     "$.name: expected a non-empty string", NULL},
    {"name with slash", "{" UUID ", 'name': 'a/b', " FLAVOR "}",
     "$.name: expected a name without '/'", NULL},
    {"missing flavor", "{" UUID ", " NAME "}",
     "$: missing required key \"flavor\"", NULL},
    {"flavor not an object", "{" UUID ", " NAME ", 'flavor': []}",
     "$.flavor: expected an object, got array", NULL},
    {"vcpus zero", "{" UUID ", " NAME ", 'flavor': {'vcpus': 0, "
     "'memory_mb': 1}}", "$.flavor.vcpus: expected an integer >= 1, got 0",
     NULL},
    {"vcpus as string", "{" UUID ", " NAME ", 'flavor': {'vcpus': '1', "
     "'memory_mb': 1}}", "$.flavor.vcpus: expected an integer, got string",
     NULL},
    {"memory_mb missing", "{" UUID ", " NAME ", 'flavor': {'vcpus': 1}}",
     "$.flavor: missing required key \"memory_mb\"", NULL},
    {"memory_mb absurd", "{" UUID ", " NAME ", 'flavor': {'vcpus': 1, "
     "'memory_mb': 2000000000000}}",
     "$.flavor.memory_mb: expected an integer <= 1099511627776", NULL},
    {"root_gb negative", "{" UUID ", " NAME ", 'flavor': {'vcpus': 1, "
     "'memory_mb': 1, 'root_gb': -1}}",
     "$.flavor.root_gb: expected an integer >= 0, got -1", NULL},
    {"flavor key misspelt", "{" UUID ", " NAME ", 'flavor': {'vcpu': 1, "
     "'memory_mb': 1}}", "$.flavor.vcpu: unknown key; did you mean vcpus?",
     NULL},
    {"extra_spec not a string", "{" UUID ", " NAME ", 'flavor': {'vcpus': 1, "
     "'memory_mb': 1, 'extra_specs': {'hw:cpu_policy': 2}}}",
     "$.flavor.extra_specs[\"hw:cpu_policy\"]: expected a string, got "
     "integer", NULL},
    {"extra_specs not an object", "{" UUID ", " NAME ", 'flavor': "
     "{'vcpus': 1, 'memory_mb': 1, 'extra_specs': ['a']}}",
     "$.flavor.extra_specs: expected an object of strings, got array", NULL},
    {"image path relative", "{" BASE ", 'image': {'path': 'base.img', "
     "'format': 'raw'}}", "$.image.path: expected an absolute path", NULL},
    {"image format missing", "{" BASE ", 'image': {'path': '/b.img'}}",
     "$.image: missing required key \"format\"", NULL},
    {"image format unknown", "{" BASE ", 'image': {'volume': 'b', "
     "'format': 'vmdk'}}",
     "$.image.format: expected one of raw, qcow2, got \"vmdk\"", NULL},
    {"image path and volume", "{" BASE ", 'image': {'path': '/b.img', "
     "'volume': 'b', 'format': 'raw'}}",
     "$.image: give \"path\" or \"volume\", not both", NULL},
    {"image volume with slash", "{" BASE ", 'image': {'volume': 'p/b', "
     "'format': 'raw'}}", "$.image.volume: expected a name without '/'",
     NULL},
    {"image property not a string", "{" BASE ", 'image': {'properties': "
     "{'hw_disk_bus': true}}}",
     "$.image.properties.hw_disk_bus: expected a string, got boolean", NULL},
    {"image property at top of image", "{" BASE ", 'image': "
     "{'kernel_path': '/k'}}", "$.image.kernel_path: unknown key", NULL},
    {"network_info not an array", "{" BASE ", 'network_info': {}}",
     "$.network_info: expected an array, got object", NULL},
    {"vif not an object", "{" BASE ", 'network_info': ['tap0']}",
     "$.network_info[0]: expected an object, got string", NULL},
    {"MAC with a bad digit", "{" BASE ", 'network_info': ["
     VIF("52:54:00:zz:00:01") "]}",
     "$.network_info[0].address: expected a MAC address (six hex pairs), got "
     "\"52:54:00:zz:00:01\"", NULL},
    {"MAC too short", "{" BASE ", 'network_info': [" VIF("52:54:00:00:01")
     "]}", "$.network_info[0].address: expected a MAC address", NULL},
    {"MAC with dashes", "{" BASE ", 'network_info': [" VIF("52-54-00-00-00-01")
     "]}", "$.network_info[0].address: expected a MAC address", NULL},
    {"MAC multicast", "{" BASE ", 'network_info': [" VIF("01:00:5e:00:00:01")
     "]}", "$.network_info[0].address: expected a unicast MAC address", NULL},
    {"vif type unknown", "{" BASE ", 'network_info': [{'id': 'v', "
     "'address': '52:54:00:00:00:01', 'type': 'ovs'}]}",
     "$.network_info[0].type: expected one of bridge, ethernet, network, got "
     "\"ovs\"", NULL},
    {"vif without address", "{" BASE ", 'network_info': [{'id': 'v', "
     "'type': 'bridge', 'bridge': 'br0'}]}",
     "$.network_info[0]: missing required key \"address\"", NULL},
    {"bridge vif without bridge", "{" BASE ", 'network_info': [{'id': 'v', "
     "'address': '52:54:00:00:00:01', 'type': 'bridge'}]}",
     "$.network_info[0]: missing required key \"bridge\"", NULL},
    {"ethernet vif without devname", "{" BASE ", 'network_info': [{'id': "
     "'v', 'address': '52:54:00:00:00:01', 'type': 'ethernet'}]}",
     "$.network_info[0]: missing required key \"devname\"", NULL},
    {"devname too long", "{" BASE ", 'network_info': [{'id': 'v', "
     "'address': '52:54:00:00:00:01', 'type': 'ethernet', "
     "'devname': 'tap0123456789abcdef'}]}",
     "$.network_info[0].devname: expected an interface name of at most 15",
     NULL},
    {"vif active not boolean", "{" BASE ", 'network_info': [{'id': 'v', "
     "'address': '52:54:00:00:00:01', 'type': 'network', 'network': 'n', "
     "'active': 'yes'}]}",
     "$.network_info[0].active: expected true or false, got string", NULL},
    {"vif key misspelt", "{" BASE ", 'network_info': [{'id': 'v', "
     "'mac': '52:54:00:00:00:01', 'type': 'network', 'network': 'n'}]}",
     "$.network_info[0].mac: unknown key", NULL},
    {"duplicate MAC", "{" BASE ", 'network_info': [" VIF("52:54:00:00:00:01")
     ", {'id': 'w', 'address': '52:54:00:00:00:01', 'type': 'network', "
     "'network': 'n'}]}",
     "$.network_info[1].address: duplicate MAC address, also at [0]", NULL},
    {"duplicate VIF id", "{" BASE ", 'network_info': [" VIF("52:54:00:00:00:01")
     ", {'id': 'v-52:54:00:00:00:01', 'address': '52:54:00:00:00:02', "
     "'type': 'network', 'network': 'n'}]}",
     "$.network_info[1].id: duplicate VIF id, also at [0]", NULL},
    {"block_device_info not an object", "{" BASE ", 'block_device_info': []}",
     "$.block_device_info: expected an object, got array", NULL},
    {"root_device_name upper case", "{" BASE ", 'block_device_info': "
     "{'root_device_name': '/dev/VDA'}}",
     "$.block_device_info.root_device_name: expected /dev/ and a lower-case "
     "disk name", NULL},
    {"mappings not an array", "{" BASE ", 'block_device_info': "
     "{'block_device_mapping': {}}}",
     "$.block_device_info.block_device_mapping: expected an array, got object",
     NULL},
    {"mount_device without /dev/", "{" BASE ", 'block_device_info': "
     "{'block_device_mapping': [{'volume_id': 'v', 'mount_device': 'vdb'}]}}",
     "$.block_device_info.block_device_mapping[0].mount_device: expected "
     "/dev/", NULL},
    {"mount_device with a digit", "{" BASE ", 'block_device_info': "
     "{'block_device_mapping': [" BDM("vd1") "]}}",
     "block_device_mapping[0].mount_device: expected /dev/", NULL},
    {"mapping without connection_info", "{" BASE ", 'block_device_info': "
     "{'block_device_mapping': [{'volume_id': 'v', 'mount_device': "
     "'/dev/vdb'}]}}",
     "block_device_mapping[0]: missing required key \"connection_info\"",
     NULL},
    {"mapping without device_path", "{" BASE ", 'block_device_info': "
     "{'block_device_mapping': [{'volume_id': 'v', 'mount_device': "
     "'/dev/vdb', 'connection_info': {'driver_volume_type': 'local', "
     "'data': {}}}]}}",
     "block_device_mapping[0].connection_info.data: missing required key "
     "\"device_path\"", NULL},
    {"mapping data with unknown key", "{" BASE ", 'block_device_info': "
     "{'block_device_mapping': [{'volume_id': 'v', 'mount_device': "
     "'/dev/vdb', 'connection_info': {'driver_volume_type': 'local', "
     "'data': {'device_path': '/dev/sdb', 'target_lun': 1}}}]}}",
     "connection_info.data.target_lun: unknown key", NULL},
    {"mapping on the root device", "{" BASE ", 'block_device_info': "
     "{'root_device_name': '/dev/vdb', 'block_device_mapping': [" BDM("vdb")
     "]}}", "block_device_mapping[0].mount_device: /dev/vdb is the root "
     "device", NULL},
    {"two mappings on one device", "{" BASE ", 'block_device_info': "
     "{'block_device_mapping': [" BDM("vdb") ", " BDM("vdc") ", " BDM("vdb")
     "]}}", "block_device_mapping[2].mount_device: /dev/vdb already used at "
     "[0]", NULL},
    /* texts reach the domain XML: XML 1.0's characters only */
    {"U+FFFE in the name", "{" UUID ", 'name': 'i\\uFFFE', " FLAVOR "}",
     "t.json:1:58: $.name: U+FFFE is not allowed in XML text", NULL},
    {"U+FFFF in the name, as UTF-8", "{" UUID ", 'name': 'i\xef\xbf\xbf', "
     FLAVOR "}", "t.json:1:58: $.name: U+FFFF is not allowed in XML text",
     NULL},
    {"a control character in the flavor name", "{" UUID ", " NAME ", "
     "'flavor': {'name': 'm1\\u0001', 'vcpus': 1, 'memory_mb': 64}}",
     "$.flavor.name: U+0001 is not allowed in XML text", NULL},
    {"U+FFFF in os_command_line", "{" BASE ", 'image': {'properties': "
     "{'os_command_line': 'console=ttyS0 \\uFFFF'}}}",
     "$.image.properties.os_command_line: U+FFFF is not allowed in XML text",
     NULL},
    {"escape in a bridge name", "{" BASE ", 'network_info': [{'id': 'v', "
     "'address': '52:54:00:00:00:01', 'type': 'bridge', 'bridge': "
     "'br\\u001b'}]}",
     "$.network_info[0].bridge: U+001B is not allowed in XML text", NULL},
    {"U+FFFE in a choice", "{" BASE ", 'network_info': [{'id': 'v', "
     "'address': '52:54:00:00:00:01', 'type': 'bridge\\uFFFE'}]}",
     "$.network_info[0].type: U+FFFE is not allowed in XML text", NULL},
    {"U+FFFE in the uuid", "{'uuid': '\\uFFFE', " NAME ", " FLAVOR "}",
     "$.uuid: U+FFFE is not allowed in XML text", NULL},
    {"a control character in a device path", "{" BASE ", "
     "'block_device_info': {'block_device_mapping': [{'volume_id': 'v', "
     "'mount_device': '/dev/vdb', 'connection_info': {'driver_volume_type': "
     "'local', 'data': {'device_path': '/dev/sd\\u0008'}}}]}}",
     "connection_info.data.device_path: U+0008 is not allowed in XML text",
     NULL},
};

static void
test_instance_bad_row(void **state)
{
    const bad_row *row = *state;
    g_autofree char *json = dq(row->json);
    drv_instance inst;
    drv_error err;

    memset(&inst, 0xa5, sizeof(inst)); /* not read, zeroed on failure */
    assert_int_equal(drv_instance_load_json(json, "t.json", &inst, &err), -1);
    assert_int_equal(err.kind, DRV_ERR_INVALID_INSTANCE);
    assert_true(g_str_has_prefix(err.message, "t.json"));
    assert_message(&err, row->want, row->unwanted);
    assert_true(all_zero(&inst, sizeof(inst)));
}

/* ---- texts bound for XML ---- */

/* XML 1.0's Char production, at its edges. */
static void
test_xml_text(void **state)
{
    static const struct {
        const char *s;
        uint32_t bad; /* 0: allowed */
    } rows[] = {
        {"", 0},
        {"tab\there, LF\nand CR\r", 0},
        {"\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac", 0}, /* é 日本 */
        {"\x7f", 0},                            /* DEL is allowed */
        {"\xed\x9f\xbf", 0},                    /* U+D7FF */
        {"\xee\x80\x80", 0},                    /* U+E000 */
        {"\xef\xbf\xbd", 0},                    /* U+FFFD */
        {"\xf0\x90\x80\x80", 0},                /* U+10000 */
        {"\xf4\x8f\xbf\xbf", 0},                /* U+10FFFF */
        {"a\x01", 0x1},
        {"\x1f", 0x1f},
        {"\x0b", 0xb},
        {"ok \xef\xbf\xbe", 0xfffe},
        {"\xef\xbf\xbf", 0xffff},
        {"\xed\xa0\x80", UINT32_MAX}, /* a surrogate is not UTF-8 */
        {"\xff", UINT32_MAX},
    };

    (void)state;
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
        uint32_t bad = 0;
        bool ok = jv_xml_text_ok(rows[i].s, &bad);

        if (ok != (rows[i].bad == 0) || (!ok && bad != rows[i].bad)) {
            print_error("row %zu: ok %d, bad U+%04X\n", i, ok, bad);
            fail();
        }
    }
    assert_true(jv_xml_text_ok("x", NULL));
    assert_false(jv_xml_text_ok("\x02", NULL));
}

/* Non-ASCII text is fine everywhere: only what XML forbids is refused. */
static void
test_instance_non_ascii(void **state)
{
    g_autofree char *json = dq(
        "{" UUID ", 'name': 'caf\xc3\xa9-\xe6\x97\xa5\xe6\x9c\xac', "
        "'flavor': {'name': '\xe6\x97\xa5\\u00e9', 'vcpus': 1, "
        "'memory_mb': 64}, 'image': {'properties': {'os_command_line': "
        "'console=ttyS0\\tquiet \xc3\xa9'}}}");
    drv_instance inst;
    drv_error err;

    (void)state;
    assert_int_equal(drv_instance_load_json(json, "i.json", &inst, &err), 0);
    assert_string_equal(inst.name, "caf\xc3\xa9-\xe6\x97\xa5\xe6\x9c\xac");
    assert_string_equal(inst.flavor.name, "\xe6\x97\xa5\xc3\xa9");
    assert_string_equal(drv_kv_get(inst.image.properties,
                                   inst.image.n_properties,
                                   "os_command_line"),
                        "console=ttyS0\tquiet \xc3\xa9");
    drv_instance_clear(&inst);
}

/* ---- kv ---- */

static void
test_kv_get(void **state)
{
    drv_kv kv[] = {{"a", "1"}, {"b", "2"}, {"a", "3"}};

    (void)state;
    assert_null(drv_kv_get(NULL, 0, "a"));
    assert_string_equal(drv_kv_get(kv, 3, "a"), "1"); /* first wins */
    assert_string_equal(drv_kv_get(kv, 3, "b"), "2");
    assert_null(drv_kv_get(kv, 1, "b")); /* only n entries */
    assert_null(drv_kv_get(kv, 3, "c"));
}

/* ---- positions ---- */

/* A path: keys, "#N" for index N, up to 5 steps, NULL-terminated. */
static void
set_path(jv_ctx *c, const char *const *path)
{
    c->depth = 0;
    for (; *path; path++)
        if ((*path)[0] == '#')
            jv_push_index(c, (size_t)g_ascii_strtoull(*path + 1, NULL, 10));
        else
            jv_push_key(c, *path);
}

/*
 * One context answering lookups forward, backward and sideways (it
 * remembers where it found things) gives what a fresh context walking
 * from the start gives, every time.
 */
static void
test_positions_any_order(void **state)
{
    static const char text[] =
        "{\n"
        "  \"a\": [10, [20, 21], {\"k\\\"ey\": 1, \"b\": [true, {\"c\": "
        "\"\xc3\xa9\"}]}],\n"
        "  \"\xc3\xa9\": {\"x\": 1,\n   \"y\": [1, 2, 3]},\n"
        "  \"z\": 2\n"
        "}\n";
    static const struct {
        const char *path[6];
        bool at_key;
        int line, column; /* 0 = not in the text */
    } rows[] = {
        {{"a", "#2", "b", "#1", "c", NULL}, false, 2, 54},
        {{"a", "#1", "#1", NULL}, false, 2, 18},
        {{"a", "#2", "k\"ey", NULL}, true, 2, 24},
        {{"\xc3\xa9", "y", "#2", NULL}, false, 4, 16},
        {{"\xc3\xa9", "y", "#0", NULL}, false, 4, 10},
        {{"a", "#0", NULL}, false, 2, 9},
        {{"a", "#2", "b", "#1", "c", NULL}, true, 2, 49},
        {{"z", NULL}, true, 5, 3},
        {{"a", "#5", NULL}, false, 0, 0},
        {{"\xc3\xa9", "y", "#3", NULL}, false, 0, 0},
        {{"\xc3\xa9", "x", NULL}, false, 3, 14},
        {{"a", "#2", "b", "#0", NULL}, false, 2, 42},
        {{"a", "#2", "nope", NULL}, true, 0, 0},
        {{"a", "#2", "b", NULL}, true, 2, 36},
        {{NULL}, false, 1, 1},
    };
    jv_ctx c;

    (void)state;
    jv_init(&c, text, "t.json");
    for (int round = 0; round < 2; round++) {
        for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
            size_t r = round ? G_N_ELEMENTS(rows) - 1 - i : i;
            jv_ctx fresh;
            int line = 0, column = 0, fl = 0, fc = 0;
            int rc, frc;

            jv_init(&fresh, text, "t.json");
            set_path(&c, rows[r].path);
            set_path(&fresh, rows[r].path);
            rc = jv_position(&c, rows[r].at_key, &line, &column);
            frc = jv_position(&fresh, rows[r].at_key, &fl, &fc);
            if (rows[r].line == 0) {
                assert_int_equal(rc, -1);
                assert_int_equal(frc, -1);
                continue;
            }
            assert_int_equal(rc, 0);
            assert_int_equal(frc, 0);
            if (line != rows[r].line || column != rows[r].column ||
                fl != line || fc != column) {
                print_error("row %zu: %d:%d, fresh %d:%d, wanted %d:%d\n", r,
                            line, column, fl, fc, rows[r].line,
                            rows[r].column);
                fail();
            }
        }
    }
    jv_clear(&c);
}

/* One cmocka test per table row, named after the row. */
static void
add_rows(struct CMUnitTest *tests, size_t *n, const char *prefix,
         const bad_row *rows, size_t n_rows, CMUnitTestFunction fn,
         GPtrArray *names)
{
    for (size_t i = 0; i < n_rows; i++) {
        char *name = g_strdup_printf("%s: %s", prefix, rows[i].name);

        g_ptr_array_add(names, name);
        tests[*n] = (struct CMUnitTest){.name = name, .test_func = fn,
                                        .initial_state = (void *)&rows[i]};
        (*n)++;
    }
}

int
main(void)
{
    const struct CMUnitTest fixed[] = {
        cmocka_unit_test(test_config_defaults),
        cmocka_unit_test(test_config_full),
        cmocka_unit_test(test_config_partial),
        cmocka_unit_test(test_config_failure_unchanged),
        cmocka_unit_test(test_config_positions),
        cmocka_unit_test(test_config_bad_args),
        cmocka_unit_test(test_instance_full),
        cmocka_unit_test(test_instance_minimal),
        cmocka_unit_test(test_instance_positions),
        cmocka_unit_test(test_kv_get),
        cmocka_unit_test(test_positions_any_order),
        cmocka_unit_test(test_xml_text),
        cmocka_unit_test(test_instance_non_ascii),
    };
    size_t total = G_N_ELEMENTS(fixed) + G_N_ELEMENTS(bad_configs) +
                   G_N_ELEMENTS(bad_instances);
    struct CMUnitTest *tests = g_new0(struct CMUnitTest, total);
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    size_t n = 0;
    int rc;

    for (size_t i = 0; i < G_N_ELEMENTS(fixed); i++)
        tests[n++] = fixed[i];
    add_rows(tests, &n, "bad config", bad_configs, G_N_ELEMENTS(bad_configs),
             test_config_bad_row, names);
    add_rows(tests, &n, "bad instance", bad_instances,
             G_N_ELEMENTS(bad_instances), test_instance_bad_row, names);

    cmocka_set_message_output(CM_OUTPUT_TAP);
    rc = _cmocka_run_group_tests("drv-json", tests, n, NULL, NULL);
    g_ptr_array_free(names, TRUE);
    g_free(tests);
    return rc;
}
