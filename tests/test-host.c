/*
 * test-host.c: the contract's host calls on the fake — nodes (with the
 * contract's refresh), nodenames by uuid, the host's address,
 * set_host_enabled, host_power_action and host_maintenance_mode,
 * capabilities_as_traits, and update_provider_tree (inventory, reserved
 * amounts, the allocation ratios' precedence, traits, sharing providers,
 * failures leaving the tree as it was), and the provider tree's JSON.
 */
#include <glib.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "drv.h"
#include "fake.h"
#include "fault.h"
#include "hv.h"

#define ROOT_UUID "11111111-2222-4333-8444-555555555555"
#define NFS_UUID "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
#define AGG_UUID "99999999-8888-4777-8666-555555555555"

typedef struct env {
    sim_world *w;
    hv_conn *conn;
    drv_config cfg;
    drv *d;
    fault_set *faults;
    unsigned int calls[HV_OP__COUNT];
} env;

static void
count_after(void *opaque, hv_conn *conn, const hv_call *call, int rc,
            const hv_error *err)
{
    env *e = opaque;

    (void)conn;
    (void)rc;
    (void)err;
    e->calls[call->op]++;
}

/* A world with host h1 (8 vCPUs, 16 GiB, 100 GiB, the default CPU:
 * sse2, sse4.2, x2apic) and a connection; the driver comes later so a
 * test can change cfg first. */
static int
env_setup(void **state)
{
    fake_host_spec spec = {.name = "h1", .vcpus = 8, .memory_mib = 16384,
                           .disk_gib = 100};
    hv_hooks hooks = {.after = count_after};
    env *e = g_new0(env, 1);
    hv_error hv;

    e->w = fake_world_new(3);
    drv_config_defaults(&e->cfg);
    g_free(e->cfg.virt_type);
    e->cfg.virt_type = g_strdup("qemu");
    spec.storage_pool = e->cfg.storage_pool;
    assert_non_null(fake_host_add(e->w, &spec, &hv));
    e->conn = fake_conn_open(e->w, "h1", &hv);
    assert_non_null(e->conn);
    hooks.opaque = e;
    hv_conn_set_hooks(e->conn, &hooks);
    e->faults = fault_set_new();
    fault_set_attach(e->faults, e->conn);
    *state = e;
    return 0;
}

static int
env_teardown(void **state)
{
    env *e = *state;

    drv_free(e->d);
    fault_set_detach(e->faults, e->conn);
    fault_set_free(e->faults);
    hv_conn_close(e->conn);
    fake_world_free(e->w);
    drv_config_clear(&e->cfg);
    g_free(e);
    return 0;
}

/* The driver over cfg, initialised unless init is false. */
static drv *
driver(env *e, bool init)
{
    drv_error err;

    e->d = drv_new(&e->cfg, e->conn, &err);
    assert_non_null(e->d);
    if (init && drv_init_host(e->d, "h1", &err) < 0)
        fail_msg("init_host: %s", err.message);
    return e->d;
}

static void
ok(int rc, const drv_error *err, const char *what)
{
    if (rc < 0)
        fail_msg("%s: %s", what, err->message);
}

/* ---- nodes ---- */

/* get_available_nodes reads the hostname on every call, refresh or not;
 * node_is_available looks twice (the second time refreshed) before it
 * says no, and once when the first look finds the node. */
static void
test_nodes(void **state)
{
    env *e = *state;
    char **nodes = NULL;
    drv_error err;
    unsigned int before;

    driver(e, true);
    before = e->calls[HV_OP_CONNECT_GET_HOSTNAME];
    ok(drv_get_available_nodes(e->d, false, &nodes, &err), &err, "nodes");
    assert_string_equal(nodes[0], "h1");
    assert_null(nodes[1]);
    g_strfreev(nodes);
    ok(drv_get_available_nodes(e->d, true, &nodes, &err), &err, "refresh");
    assert_string_equal(nodes[0], "h1");
    g_strfreev(nodes);
    assert_int_equal(e->calls[HV_OP_CONNECT_GET_HOSTNAME] - before, 2);

    before = e->calls[HV_OP_CONNECT_GET_HOSTNAME];
    assert_int_equal(drv_node_is_available(e->d, "h1", &err), 1);
    assert_int_equal(e->calls[HV_OP_CONNECT_GET_HOSTNAME] - before, 1);
    before = e->calls[HV_OP_CONNECT_GET_HOSTNAME];
    assert_int_equal(drv_node_is_available(e->d, "h2", &err), 0);
    assert_int_equal(err.kind, DRV_OK);
    assert_int_equal(e->calls[HV_OP_CONNECT_GET_HOSTNAME] - before, 2);
    assert_int_equal(drv_node_is_available(e->d, NULL, &err), 0);
}

/* A failing look is the caller's error (the reference lets it escape),
 * the first look's and the refreshed one's alike. */
static void
test_nodes_errors(void **state)
{
    env *e = *state;
    fault_rule first = {.op = HV_OP_CONNECT_GET_HOSTNAME,
                        .code = HV_ERR_INTERNAL_ERROR, .count = 1};
    fault_rule second = {.op = HV_OP_CONNECT_GET_HOSTNAME, .nth = 2,
                         .count = 1, .code = HV_ERR_INTERNAL_ERROR};
    char **nodes = (char **)1;
    drv_error err;

    driver(e, true);
    fault_set_add(e->faults, &first);
    assert_int_equal(drv_get_available_nodes(e->d, false, &nodes, &err), -1);
    assert_null(nodes);
    assert_int_equal(err.kind, DRV_ERR_HYPERVISOR);
    assert_int_equal(err.hv.code, HV_ERR_INTERNAL_ERROR);
    /* the first look passes, the refreshed one fails */
    fault_set_add(e->faults, &second);
    assert_int_equal(drv_node_is_available(e->d, "elsewhere", &err), -1);
    assert_int_equal(err.kind, DRV_ERR_HYPERVISOR);
    assert_int_equal(drv_node_is_available(e->d, "h1", &err), 1);
}

/* The node's uuid is the host's, the same on every call, with the node's
 * name beside it. */
static void
test_nodenames_by_uuid(void **state)
{
    env *e = *state;
    char **uuids = NULL, **names = NULL, **again = NULL, **names2 = NULL;
    char *caps;
    drv_error err;
    hv_error hv;

    driver(e, true);
    ok(drv_get_nodenames_by_uuid(e->d, false, &uuids, &names, &err), &err,
       "by uuid");
    assert_non_null(uuids[0]);
    assert_null(uuids[1]);
    assert_int_equal(strlen(uuids[0]), 36);
    assert_string_equal(names[0], "h1");
    assert_null(names[1]);
    caps = hv_conn_get_capabilities(e->conn, &hv);
    assert_non_null(strstr(caps, uuids[0]));
    g_free(caps);
    ok(drv_get_nodenames_by_uuid(e->d, true, &again, &names2, &err), &err,
       "by uuid, refreshed");
    assert_string_equal(again[0], uuids[0]);
    g_strfreev(uuids);
    g_strfreev(names);
    g_strfreev(again);
    g_strfreev(names2);
}

/* ---- the host's address and the contract's host calls ---- */

static void
test_host_ip(void **state)
{
    env *e = *state;
    char *ip;

    driver(e, false);
    ip = drv_get_host_ip_addr(e->d);
    assert_string_equal(ip, "127.0.0.1");
    g_free(ip);
    drv_free(e->d);
    e->cfg.my_ip = g_strdup("2001:db8::7");
    driver(e, false);
    ip = drv_get_host_ip_addr(e->d);
    assert_string_equal(ip, "2001:db8::7");
    g_free(ip);
}

/* set_host_enabled writes the service record as an operator does and
 * answers whether the host takes instances now. */
static void
test_set_host_enabled(void **state)
{
    env *e = *state;
    const char *status = NULL;
    drv_error err;

    driver(e, false);
    /* before init_host the host takes nothing, whatever the record says */
    ok(drv_set_host_enabled(e->d, true, &status, &err), &err, "enable");
    assert_string_equal(status, "disabled");
    ok(drv_init_host(e->d, "h1", &err), &err, "init_host");
    assert_true(drv_host_enabled(e->d));
    ok(drv_set_host_enabled(e->d, false, &status, &err), &err, "disable");
    assert_string_equal(status, "disabled");
    assert_false(drv_host_enabled(e->d));
    assert_null(drv_host_disabled_reason(e->d));
    /* an operator's disable: the driver's reconnect must not undo it */
    fake_host_daemon_stop(fake_host_find(e->w, "h1"));
    drv_wait(e->d, HV_NS_PER_SEC, &err);
    fake_host_daemon_start(fake_host_find(e->w, "h1"));
    drv_wait(e->d, HV_NS_PER_SEC, &err);
    assert_false(drv_host_enabled(e->d));
    ok(drv_set_host_enabled(e->d, true, &status, &err), &err, "enable");
    assert_string_equal(status, "enabled");
    assert_true(drv_host_enabled(e->d));
}

static void
test_power_and_maintenance(void **state)
{
    env *e = *state;
    const char *actions[] = {"startup", "shutdown", "reboot"};
    const char *result = NULL;
    drv_error err;
    unsigned int calls = 0, c;

    driver(e, true);
    for (int op = 0; op < HV_OP__COUNT; op++)
        calls += e->calls[op];
    for (size_t i = 0; i < G_N_ELEMENTS(actions); i++) {
        assert_int_equal(drv_host_power_action(e->d, actions[i], &result,
                                               &err), -1);
        assert_int_equal(err.kind, DRV_ERR_NOT_SUPPORTED);
        assert_non_null(strstr(err.message, actions[i]));
    }
    assert_int_equal(drv_host_maintenance_mode(e->d, "h1", true, &result,
                                               &err), -1);
    assert_int_equal(err.kind, DRV_ERR_NOT_SUPPORTED);
    assert_non_null(strstr(err.message, "enter"));
    assert_int_equal(drv_host_maintenance_mode(e->d, "h1", false, &result,
                                               &err), -1);
    assert_non_null(strstr(err.message, "leave"));
    assert_null(result);
    /* nothing reached the hypervisor, and the host is as it was */
    c = 0;
    for (int op = 0; op < HV_OP__COUNT; op++)
        c += e->calls[op];
    assert_int_equal(c, calls);
    assert_true(drv_host_enabled(e->d));
}

static void
test_fs_formats(void **state)
{
    (void)state;
    assert_true(drv_is_supported_fs_format("ext2"));
    assert_true(drv_is_supported_fs_format("ext3"));
    assert_true(drv_is_supported_fs_format("ext4"));
    assert_true(drv_is_supported_fs_format("xfs"));
    assert_false(drv_is_supported_fs_format("vfat"));
    assert_false(drv_is_supported_fs_format("btrfs"));
    assert_false(drv_is_supported_fs_format("EXT4"));
    assert_false(drv_is_supported_fs_format(""));
    assert_false(drv_is_supported_fs_format(NULL));
}

/* ---- capabilities ---- */

static const drv_trait_flag *
flag(const drv_trait_flag *f, unsigned int n, const char *trait)
{
    for (unsigned int i = 0; i < n; i++)
        if (strcmp(f[i].trait, trait) == 0)
            return &f[i];
    return NULL;
}

static void
test_capabilities_as_traits(void **state)
{
    env *e = *state;
    const drv_capability *caps;
    drv_trait_flag *f;
    unsigned int n, ncaps;

    driver(e, false);
    caps = drv_capabilities(&ncaps);
    assert_int_equal(ncaps, 31);
    for (unsigned int i = 1; i < ncaps; i++)
        assert_true(strcmp(caps[i - 1].name, caps[i].name) < 0);
    drv_capabilities_as_traits(e->d, &f, &n);
    /* every capability but has_imagecache, supports_evacuate,
     * supports_pcpus and supports_vtpm has a trait */
    assert_int_equal(n, ncaps - 4);
    for (unsigned int i = 1; i < n; i++)
        assert_true(strcmp(f[i - 1].trait, f[i].trait) < 0);
    assert_true(flag(f, n, "COMPUTE_NET_ATTACH_INTERFACE")->supported);
    assert_false(flag(f, n, "COMPUTE_DEVICE_TAGGING")->supported);
    assert_false(flag(f, n, "COMPUTE_SAME_HOST_COLD_MIGRATE")->supported);
    assert_true(flag(f, n, "COMPUTE_IMAGE_TYPE_QCOW2")->supported);
    assert_true(flag(f, n, "COMPUTE_IMAGE_TYPE_RAW")->supported);
    assert_false(flag(f, n, "COMPUTE_IMAGE_TYPE_ISO")->supported);
    assert_null(flag(f, n, "COMPUTE_VTPM"));
    g_free(f);

    /* an excluded image type is unsupported; an excluded type that was
     * unsupported anyway stays so; other capabilities are not touched */
    drv_free(e->d);
    e->cfg.image_type_exclude_list = g_strsplit("raw,vmdk", ",", -1);
    driver(e, false);
    drv_capabilities_as_traits(e->d, &f, &n);
    assert_false(flag(f, n, "COMPUTE_IMAGE_TYPE_RAW")->supported);
    assert_false(flag(f, n, "COMPUTE_IMAGE_TYPE_VMDK")->supported);
    assert_true(flag(f, n, "COMPUTE_IMAGE_TYPE_QCOW2")->supported);
    assert_true(flag(f, n, "COMPUTE_NET_ATTACH_INTERFACE")->supported);
    g_free(f);
}

/* ---- update_provider_tree ---- */

static void
load_tree(const char *json, drv_provider_tree *tree)
{
    drv_error err;

    if (drv_provider_tree_load_json(json, "tree.json", tree, &err) < 0)
        fail_msg("load: %s", err.message);
}

static const drv_inventory_class *
inv(drv_provider_tree *tree, const char *name, const char *rc)
{
    drv_provider *p = drv_provider_tree_find(tree, name);

    assert_non_null(p);
    return drv_provider_inventory(p, rc);
}

/* A new root: the host's amounts, max_unit = total, units of 1, the
 * configured reserved amounts (disk in GiB rounded up) and the initial
 * ratios. */
static void
test_tree_new_root(void **state)
{
    env *e = *state;
    drv_provider_tree tree = {0};
    const drv_inventory_class *c;
    drv_error err;

    e->cfg.reserved_host_cpus = 2;
    e->cfg.reserved_host_memory_mb = 1024;
    e->cfg.reserved_host_disk_mb = 1025;
    driver(e, true);
    drv_provider_tree_ensure_root(&tree, ROOT_UUID, "h1");
    ok(drv_update_provider_tree(e->d, &tree, "h1", &err), &err, "update");
    assert_int_equal(tree.n_providers, 1);
    assert_int_equal(tree.providers[0].n_inventory, 3);
    c = inv(&tree, "h1", "VCPU");
    assert_int_equal(c->total, 8);
    assert_int_equal(c->reserved, 2);
    assert_int_equal(c->min_unit, 1);
    assert_int_equal(c->max_unit, 8);
    assert_int_equal(c->step_size, 1);
    assert_true(c->allocation_ratio == 16.0);
    c = inv(&tree, "h1", "MEMORY_MB");
    assert_int_equal(c->total, 16384);
    assert_int_equal(c->reserved, 1024);
    assert_int_equal(c->max_unit, 16384);
    assert_true(c->allocation_ratio == 1.5);
    c = inv(&tree, "h1", "DISK_GB");
    assert_int_equal(c->total, 100);
    assert_int_equal(c->reserved, 2);
    assert_int_equal(c->max_unit, 100);
    assert_true(c->allocation_ratio == 1.0);
    drv_provider_tree_clear(&tree);
}

/* The contract's precedence, class by class: a configured ratio wins
 * over placement's; unset, placement's stays; no record, the initial. */
static void
test_tree_ratio_precedence(void **state)
{
    env *e = *state;
    drv_provider_tree tree;
    drv_error err;

    e->cfg.cpu_allocation_ratio = 2.0;
    e->cfg.initial_ram_allocation_ratio = 2.5;
    driver(e, true);
    load_tree("{\"h1\": {\"uuid\": \"" ROOT_UUID "\", \"inventory\": {"
              "\"VCPU\": {\"total\": 4, \"allocation_ratio\": 3.0},"
              "\"DISK_GB\": {\"total\": 10, \"allocation_ratio\": 0.75}}}}",
              &tree);
    ok(drv_update_provider_tree(e->d, &tree, "h1", &err), &err, "update");
    assert_true(inv(&tree, "h1", "VCPU")->allocation_ratio == 2.0);
    assert_true(inv(&tree, "h1", "MEMORY_MB")->allocation_ratio == 2.5);
    assert_true(inv(&tree, "h1", "DISK_GB")->allocation_ratio == 0.75);
    /* the amounts are the host's whatever placement had */
    assert_int_equal(inv(&tree, "h1", "VCPU")->total, 8);
    assert_int_equal(inv(&tree, "h1", "DISK_GB")->total, 100);
    /* a second update keeps what the first set */
    ok(drv_update_provider_tree(e->d, &tree, "h1", &err), &err, "again");
    assert_true(inv(&tree, "h1", "MEMORY_MB")->allocation_ratio == 2.5);
    assert_true(inv(&tree, "h1", "DISK_GB")->allocation_ratio == 0.75);
    drv_provider_tree_clear(&tree);
}

/* Traits the driver controls follow the host; the others stay. */
static void
test_tree_traits(void **state)
{
    env *e = *state;
    drv_provider_tree tree;
    drv_provider *p;
    drv_error err;
    char *json;

    driver(e, true);
    load_tree("{\"h1\": {\"uuid\": \"" ROOT_UUID "\", \"traits\": ["
              "\"CUSTOM_GOLD\", \"HW_CPU_X86_AVX2\", \"COMPUTE_DEVICE_TAGGING\","
              "\"HW_CPU_X86_SSE2\", \"HW_GPU_API_VULKAN\"]}}",
              &tree);
    ok(drv_update_provider_tree(e->d, &tree, "h1", &err), &err, "update");
    p = drv_provider_tree_find(&tree, "h1");
    json = g_strjoinv(",", p->traits);
    assert_string_equal(json,
                        "COMPUTE_IMAGE_TYPE_QCOW2,COMPUTE_IMAGE_TYPE_RAW,"
                        "COMPUTE_NET_ATTACH_INTERFACE,CUSTOM_GOLD,"
                        "HW_CPU_X86_SSE2,HW_CPU_X86_SSE42,HW_CPU_X86_X2APIC,"
                        "HW_GPU_API_VULKAN");
    g_free(json);
    drv_provider_tree_clear(&tree);
}

/* A sharing provider of DISK_GB takes the disk off the compute node;
 * other providers are not touched. */
static void
test_tree_sharing(void **state)
{
    env *e = *state;
    const char *nfs = "\"nfs\": {\"uuid\": \"" NFS_UUID "\", "
                      "\"traits\": [\"MISC_SHARES_VIA_AGGREGATE\"], "
                      "\"aggregates\": [\"" AGG_UUID "\"], "
                      "\"inventory\": {\"DISK_GB\": {\"total\": 2000, "
                      "\"reserved\": 10, \"allocation_ratio\": 1.0}}}";
    drv_provider_tree tree;
    drv_provider *p;
    drv_error err;
    char *text;

    driver(e, true);
    text = g_strdup_printf("{\"h1\": {\"uuid\": \"" ROOT_UUID "\", "
                           "\"aggregates\": [\"" AGG_UUID "\"], "
                           "\"inventory\": {\"DISK_GB\": {\"total\": 50}}}, "
                           "%s}",
                           nfs);
    load_tree(text, &tree);
    g_free(text);
    ok(drv_update_provider_tree(e->d, &tree, "h1", &err), &err, "update");
    assert_non_null(inv(&tree, "h1", "VCPU"));
    assert_non_null(inv(&tree, "h1", "MEMORY_MB"));
    assert_null(inv(&tree, "h1", "DISK_GB"));
    assert_int_equal(drv_provider_tree_find(&tree, "h1")->n_inventory, 2);
    /* nfs as given */
    p = drv_provider_tree_find(&tree, "nfs");
    assert_int_equal(p->n_inventory, 1);
    assert_int_equal(inv(&tree, "nfs", "DISK_GB")->total, 2000);
    assert_int_equal(inv(&tree, "nfs", "DISK_GB")->reserved, 10);
    assert_string_equal(p->traits[0], "MISC_SHARES_VIA_AGGREGATE");
    assert_null(p->traits[1]);
    assert_string_equal(p->aggregates[0], AGG_UUID);
    drv_provider_tree_clear(&tree);
}

/* Failures name the problem and leave the tree as it was. */
static void
test_tree_errors(void **state)
{
    env *e = *state;
    fault_rule info = {.op = HV_OP_NODE_GET_INFO,
                       .code = HV_ERR_INTERNAL_ERROR, .count = 1};
    drv_provider_tree tree;
    drv_error err;
    char *before, *after;

    driver(e, true);
    load_tree("{\"h1\": {\"uuid\": \"" ROOT_UUID "\", \"traits\": "
              "[\"HW_CPU_X86_AVX2\"], \"inventory\": {\"VCPU\": "
              "{\"total\": 2}}}, \"h2\": {\"uuid\": \"" NFS_UUID "\"}}",
              &tree);
    before = drv_provider_tree_to_json(&tree);

    assert_int_equal(drv_update_provider_tree(e->d, &tree, "h3", &err), -1);
    assert_int_equal(err.kind, DRV_ERR_INVALID_CONFIG);
    assert_string_equal(err.message,
                        "the provider tree has no provider named 'h3'");
    assert_int_equal(drv_update_provider_tree(e->d, &tree, "h2", &err), -1);
    assert_int_equal(err.kind, DRV_ERR_INVALID_CONFIG);
    assert_string_equal(err.message, "'h2' is not this driver's node (h1)");
    fault_set_add(e->faults, &info);
    assert_int_equal(drv_update_provider_tree(e->d, &tree, "h1", &err), -1);
    assert_int_equal(err.kind, DRV_ERR_HYPERVISOR);
    after = drv_provider_tree_to_json(&tree);
    assert_string_equal(before, after);
    g_free(after);
    /* and the next one goes through */
    ok(drv_update_provider_tree(e->d, &tree, "h1", &err), &err, "update");
    after = drv_provider_tree_to_json(&tree);
    assert_string_not_equal(before, after);
    g_free(after);
    g_free(before);
    drv_provider_tree_clear(&tree);
}

/* ---- the tree's JSON ---- */

static void
test_tree_json_roundtrip(void **state)
{
    const char *text =
        "{\"h1\": {\"uuid\": \"" ROOT_UUID "\", \"traits\": [\"B\", \"A\", "
        "\"A\"], \"inventory\": {\"VCPU\": {\"total\": 8, \"reserved\": 1, "
        "\"min_unit\": 1, \"max_unit\": 4, \"step_size\": 2, "
        "\"allocation_ratio\": 4.5}}},"
        " \"gpu\": {\"uuid\": \"" NFS_UUID "\", \"parent_uuid\": \""
        ROOT_UUID "\", \"inventory\": {\"VGPU\": {\"total\": 4}}}}";
    drv_provider_tree a, b;
    char *ja, *jb;

    (void)state;
    load_tree(text, &a);
    ja = drv_provider_tree_to_json(&a);
    assert_string_equal(
        ja,
        "{\"gpu\":{\"aggregates\":[],\"inventory\":{\"VGPU\":{"
        "\"allocation_ratio\":1.0,\"max_unit\":4,\"min_unit\":1,"
        "\"reserved\":0,\"step_size\":1,\"total\":4}},\"parent_uuid\":\""
        ROOT_UUID "\",\"traits\":[],\"uuid\":\"" NFS_UUID "\"},"
        "\"h1\":{\"aggregates\":[],\"inventory\":{\"VCPU\":{"
        "\"allocation_ratio\":4.5,\"max_unit\":4,\"min_unit\":1,"
        "\"reserved\":1,\"step_size\":2,\"total\":8}},\"parent_uuid\":null,"
        "\"traits\":[\"A\",\"B\"],\"uuid\":\"" ROOT_UUID "\"}}");
    load_tree(ja, &b);
    jb = drv_provider_tree_to_json(&b);
    assert_string_equal(ja, jb);
    g_free(ja);
    g_free(jb);
    drv_provider_tree_clear(&a);
    drv_provider_tree_clear(&b);
}

typedef struct bad_tree {
    const char *what, *json, *want;
} bad_tree;

static const bad_tree bad_trees[] = {
    {"not an object", "[]", "expected an object, got array"},
    {"provider not an object", "{\"h1\": 3}",
     "tree.json:1:8: $.h1: expected an object, got integer"},
    {"no uuid", "{\"h1\": {}}", "$.h1: missing required key \"uuid\""},
    {"bad uuid", "{\"h1\": {\"uuid\": \"nope\"}}",
     "$.h1.uuid: expected a UUID"},
    {"unknown key", "{\"h1\": {\"uuid\": \"" ROOT_UUID "\", \"colour\": 1}}",
     "$.h1.colour: unknown key"},
    {"uuid twice",
     "{\"a\": {\"uuid\": \"" ROOT_UUID "\"}, \"b\": {\"uuid\": \"" ROOT_UUID
     "\"}}",
     "$.b.uuid: uuid " ROOT_UUID " is another provider's"},
    {"missing parent",
     "{\"a\": {\"uuid\": \"" ROOT_UUID "\", \"parent_uuid\": \"" NFS_UUID
     "\"}}",
     "$.a.parent_uuid: parent " NFS_UUID ": not in the tree"},
    {"parent cycle",
     "{\"a\": {\"uuid\": \"" ROOT_UUID "\", \"parent_uuid\": \"" NFS_UUID
     "\"}, \"b\": {\"uuid\": \"" NFS_UUID "\", \"parent_uuid\": \""
     ROOT_UUID "\"}}",
     "parents never reach a root"},
    {"trait in lower case",
     "{\"h1\": {\"uuid\": \"" ROOT_UUID "\", \"traits\": [\"gold\"]}}",
     "$.h1.traits[0]: expected a name of A-Z, 0-9 and _"},
    {"aggregate not a uuid",
     "{\"h1\": {\"uuid\": \"" ROOT_UUID "\", \"aggregates\": [\"x\"]}}",
     "$.h1.aggregates[0]: expected a UUID"},
    {"resource class in lower case",
     "{\"h1\": {\"uuid\": \"" ROOT_UUID "\", \"inventory\": {\"vcpu\": "
     "{\"total\": 1}}}}",
     "$.h1.inventory.vcpu: expected a name of A-Z, 0-9 and _"},
    {"no total",
     "{\"h1\": {\"uuid\": \"" ROOT_UUID "\", \"inventory\": {\"VCPU\": {}}}}",
     "$.h1.inventory.VCPU: missing required key \"total\""},
    {"total zero",
     "{\"h1\": {\"uuid\": \"" ROOT_UUID "\", \"inventory\": {\"VCPU\": "
     "{\"total\": 0}}}}",
     "$.h1.inventory.VCPU.total: expected an integer >= 1, got 0"},
    {"reserved above total",
     "{\"h1\": {\"uuid\": \"" ROOT_UUID "\", \"inventory\": {\"VCPU\": "
     "{\"total\": 2, \"reserved\": 3}}}}",
     "$.h1.inventory.VCPU.reserved: reserved (3) is more than total (2)"},
    {"min_unit above max_unit",
     "{\"h1\": {\"uuid\": \"" ROOT_UUID "\", \"inventory\": {\"VCPU\": "
     "{\"total\": 8, \"min_unit\": 4, \"max_unit\": 2}}}}",
     "$.h1.inventory.VCPU.max_unit: expected min_unit (4) <= max_unit (2) "
     "<= total (8)"},
    {"ratio zero",
     "{\"h1\": {\"uuid\": \"" ROOT_UUID "\", \"inventory\": {\"VCPU\": "
     "{\"total\": 8, \"allocation_ratio\": 0}}}}",
     "$.h1.inventory.VCPU.allocation_ratio: expected a number > 0, got 0"},
    {"amount as string",
     "{\"h1\": {\"uuid\": \"" ROOT_UUID "\", \"inventory\": {\"VCPU\": "
     "{\"total\": \"8\"}}}}",
     "$.h1.inventory.VCPU.total: expected an integer, got string"},
    {"syntax", "{\"h1\": ", "tree.json:1:"},
};

static void
test_tree_json_bad(void **state)
{
    (void)state;
    for (size_t i = 0; i < G_N_ELEMENTS(bad_trees); i++) {
        drv_provider_tree tree;
        drv_error err;

        if (drv_provider_tree_load_json(bad_trees[i].json, "tree.json",
                                        &tree, &err) == 0)
            fail_msg("%s: accepted", bad_trees[i].what);
        assert_int_equal(err.kind, DRV_ERR_INVALID_CONFIG);
        assert_int_equal(tree.n_providers, 0);
        assert_null(tree.providers);
        if (!strstr(err.message, bad_trees[i].want))
            fail_msg("%s: got \"%s\", want \"%s\"", bad_trees[i].what,
                     err.message, bad_trees[i].want);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_nodes, env_setup, env_teardown),
        cmocka_unit_test_setup_teardown(test_nodes_errors, env_setup,
                                        env_teardown),
        cmocka_unit_test_setup_teardown(test_nodenames_by_uuid, env_setup,
                                        env_teardown),
        cmocka_unit_test_setup_teardown(test_host_ip, env_setup,
                                        env_teardown),
        cmocka_unit_test_setup_teardown(test_set_host_enabled, env_setup,
                                        env_teardown),
        cmocka_unit_test_setup_teardown(test_power_and_maintenance,
                                        env_setup, env_teardown),
        cmocka_unit_test(test_fs_formats),
        cmocka_unit_test_setup_teardown(test_capabilities_as_traits,
                                        env_setup, env_teardown),
        cmocka_unit_test_setup_teardown(test_tree_new_root, env_setup,
                                        env_teardown),
        cmocka_unit_test_setup_teardown(test_tree_ratio_precedence,
                                        env_setup, env_teardown),
        cmocka_unit_test_setup_teardown(test_tree_traits, env_setup,
                                        env_teardown),
        cmocka_unit_test_setup_teardown(test_tree_sharing, env_setup,
                                        env_teardown),
        cmocka_unit_test_setup_teardown(test_tree_errors, env_setup,
                                        env_teardown),
        cmocka_unit_test(test_tree_json_roundtrip),
        cmocka_unit_test(test_tree_json_bad),
    };

    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests_name("host", tests, NULL, NULL);
}
