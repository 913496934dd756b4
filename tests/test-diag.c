/*
 * test-diag.c: diagnostics, resources, host identity and connection loss —
 * the hv statistics operations on the fake (exact values at exact virtual
 * times), the driver's get_diagnostics / get_instance_diagnostics /
 * get_available_resource against the reference's keys and swallowed
 * errors, the fake host's CPU and versions as a spec sets them, and the
 * service record through a lost and returning connection. The last case
 * runs the statistics on qemu:///system with the tiny guest (HVD_REAL=1,
 * as make check-real sets; skipped otherwise).
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "drv.h"
#include "fake.h"
#include "fault.h"
#include "hv-libvirt.h"
#include "hv.h"
#include "scn.h"

#define UUID "d1a90000-0000-4000-8000-000000000001"
#define NAME "instance-diag"
#define SEC HV_NS_PER_SEC

typedef struct env {
    sim_world *w;
    fake_host *h;
    hv_conn *conn;
    drv_config cfg;
    drv *d;
    drv_instance inst;
    drv_vif vifs[2];
    drv_kv props[1];
    fault_set *faults;
} env;

/* A fake host h1 (spec may change it), a driver, an instance with 2 vCPUs,
 * 256 MiB and two plugged VIFs (ethernet tap1, bridge without a device). */
static env *
env_new(const fake_host_spec *spec_in)
{
    fake_host_spec spec = {.name = "h1", .vcpus = 8, .memory_mib = 16384,
                           .disk_gib = 100};
    hv_vol_spec base = {.name = "base.qcow2", .capacity = UINT64_C(1) << 30,
                        .allocation = UINT64_C(1) << 28, .format = "qcow2"};
    env *e = g_new0(env, 1);
    hv_error hv;
    drv_error err;

    if (spec_in)
        spec = *spec_in;
    e->w = fake_world_new(11);
    drv_config_defaults(&e->cfg);
    g_free(e->cfg.virt_type);
    e->cfg.virt_type = g_strdup("qemu");
    spec.storage_pool = e->cfg.storage_pool;
    assert_non_null(e->h = fake_host_add(e->w, &spec, &hv));
    assert_non_null(e->conn = fake_conn_open(e->w, "h1", &hv));
    assert_int_equal(hv_vol_create(e->conn, e->cfg.storage_pool, &base, &hv),
                     0);
    e->faults = fault_set_new();
    fault_set_attach(e->faults, e->conn);
    e->vifs[0] = (drv_vif){.id = "vif-1", .mac = "52:54:00:00:00:01",
                           .type = "ethernet", .devname = "tap1",
                           .active = true};
    e->vifs[1] = (drv_vif){.id = "vif-2", .mac = "52:54:00:00:00:02",
                           .type = "bridge", .bridge = "br0",
                           .active = true};
    e->props[0] = (drv_kv){"img_config_drive", "optional"};
    e->inst = (drv_instance){
        .uuid = UUID,
        .name = NAME,
        .flavor = {.name = "m1.small", .vcpus = 2, .memory_mb = 256,
                   .root_gb = 1},
        .image = {.id = "img-1", .volume = "base.qcow2", .format = "qcow2",
                  .properties = e->props, .n_properties = 1},
        .vifs = e->vifs,
        .n_vifs = 2,
        .root_device_name = "/dev/vda",
    };
    assert_non_null(e->d = drv_new(&e->cfg, e->conn, &err));
    return e;
}

static void
env_free(env *e)
{
    drv_free(e->d);
    fault_set_detach(e->faults, e->conn);
    fault_set_free(e->faults);
    hv_conn_close(e->conn);
    drv_config_clear(&e->cfg);
    fake_world_free(e->w);
    g_free(e);
}

/* Drop every fault rule: a fresh set in place of the old one. */
static void
faults_clear(env *e)
{
    fault_set_detach(e->faults, e->conn);
    fault_set_free(e->faults);
    e->faults = fault_set_new();
    fault_set_attach(e->faults, e->conn);
}

static void
ok(int rc, const drv_error *err, const char *what)
{
    if (rc != 0)
        fail_msg("%s: %s: %s", what, drv_error_kind_name(err->kind),
                 err->message);
}

static void
init_and_spawn(env *e)
{
    drv_error err;

    ok(drv_init_host(e->d, "h1", &err), &err, "init_host");
    ok(drv_spawn(e->d, &e->inst, true, &err), &err, "spawn");
}

static int64_t
diag_value(const drv_diagnostics *dg, const char *key)
{
    int64_t v = -12345;

    if (!drv_diagnostics_get(dg, key, &v))
        fail_msg("no key %s", key);
    return v;
}

/* Let virtual time run to absolute second t. */
static void
run_to(env *e, int64_t t)
{
    drv_error err;

    ok(drv_wait(e->d, t * SEC - hv_now(e->conn), &err), &err, "wait");
    assert_int_equal(hv_now(e->conn), t * SEC);
}

/* ---- hv statistics on the fake ---- */

static const char dom_xml[] =
    "<domain type='qemu'><name>vm</name><memory>262144</memory>"
    "<vcpu>2</vcpu><os><type>hvm</type></os><devices>"
    "<disk type='file' device='disk'><source file='/nowhere/a.img'/>"
    "<target dev='vda' bus='virtio'/></disk>"
    "<disk type='file' device='disk'><source file='/nowhere/b.img'/>"
    "<target dev='vdb' bus='virtio'/></disk>"
    "<interface type='network'><mac address='52:54:00:aa:00:01'/>"
    "<source network='default'/></interface>"
    "<interface type='network'><mac address='52:54:00:aa:00:02'/>"
    "<source network='default'/></interface>"
    "<memballoon model='virtio'><stats period='10'/></memballoon>"
    "</devices></domain>";

static const int64_t mem_tag_order[] = {
    HV_MEMSTAT_SWAP_IN,     HV_MEMSTAT_SWAP_OUT,    HV_MEMSTAT_MAJOR_FAULT,
    HV_MEMSTAT_MINOR_FAULT, HV_MEMSTAT_UNUSED,      HV_MEMSTAT_AVAILABLE,
    HV_MEMSTAT_ACTUAL_BALLOON, HV_MEMSTAT_RSS,      HV_MEMSTAT_USABLE,
    HV_MEMSTAT_LAST_UPDATE, HV_MEMSTAT_DISK_CACHES};

static void
test_fake_domain_stats(void **state)
{
    sim_world *w = fake_world_new(1);
    fake_host_spec spec = {.name = "h", .vcpus = 4, .memory_mib = 4096,
                           .disk_gib = 10};
    hv_conn *conn;
    hv_domain *dom;
    hv_vcpu_info *v = NULL;
    hv_block_stats bs;
    hv_interface_stats is;
    hv_memory_stat ms[HV_MEMSTAT_NR];
    hv_error err;
    char *xml;
    int n;

    (void)state;
    assert_non_null(fake_host_add(w, &spec, &err));
    assert_non_null(conn = fake_conn_open(w, "h", &err));
    assert_non_null(dom = hv_domain_define(conn, dom_xml, &err));
    /* not running: libvirt's OPERATION_INVALID for every statistic */
    assert_int_equal(hv_domain_get_vcpus(dom, &v, &err), -1);
    assert_int_equal(err.code, HV_ERR_OPERATION_INVALID);
    assert_null(v);
    assert_int_equal(hv_domain_block_stats(dom, "vda", &bs, &err), -1);
    assert_int_equal(err.code, HV_ERR_OPERATION_INVALID);
    assert_int_equal(hv_domain_interface_stats(dom, "vnet0", &is, &err), -1);
    assert_int_equal(err.code, HV_ERR_OPERATION_INVALID);
    assert_int_equal(hv_domain_memory_stats(dom, ms, &err), -1);
    assert_int_equal(err.code, HV_ERR_OPERATION_INVALID);

    assert_int_equal(hv_domain_create(dom, 0, &err), 0);
    /* the taps, daemon-wide like libvirt's */
    assert_non_null(xml = hv_domain_get_xml(dom, 0, &err));
    assert_non_null(strstr(xml, "<target dev=\"vnet0\"/>"));
    assert_non_null(strstr(xml, "<target dev=\"vnet1\"/>"));
    g_free(xml);
    /* before boot (3.4 s) the guest reports no balloon statistics */
    assert_int_equal(hv_sleep(conn, 2 * SEC, &err), 0);
    assert_int_equal(hv_domain_memory_stats(dom, ms, &err), 2);
    assert_int_equal(ms[0].tag, HV_MEMSTAT_ACTUAL_BALLOON);
    assert_int_equal(ms[0].val, 262144);
    assert_int_equal(ms[1].tag, HV_MEMSTAT_RSS);

    /* at 20 s: 20 s run, 2 s of CPU (an idle guest: a tenth) */
    assert_int_equal(hv_sleep(conn, 18 * SEC, &err), 0);
    assert_int_equal(n = hv_domain_get_vcpus(dom, &v, &err), 2);
    assert_int_equal(v[0].number, 0);
    assert_int_equal(v[1].number, 1);
    assert_int_equal(v[0].state, HV_VCPU_RUNNING);
    assert_int_equal(v[0].cpu_time_ns + v[1].cpu_time_ns, 2 * SEC);
    assert_int_equal(v[1].cpu_time_ns, SEC);
    g_free(v);
    assert_int_equal(hv_domain_block_stats(dom, "vda", &bs, &err), 0);
    assert_int_equal(bs.rd_req, 1500 + 20000 / 100);
    assert_int_equal(bs.rd_bytes, (1500 + 200) * 4096);
    assert_int_equal(bs.wr_req, 20000 / 500);
    assert_int_equal(bs.wr_bytes, 40 * 8192);
    assert_int_equal(bs.errs, -1);
    assert_int_equal(hv_domain_block_stats(dom, "vdb", &bs, &err), 0);
    assert_int_equal(bs.rd_req, 20 + 20);
    assert_int_equal(bs.wr_req, 0);
    assert_int_equal(hv_domain_block_stats(dom, "vdz", &bs, &err), -1);
    assert_int_equal(err.code, HV_ERR_INVALID_ARG);
    assert_string_equal(err.message, "invalid argument: invalid path: vdz");
    assert_int_equal(hv_domain_interface_stats(dom, "vnet1", &is, &err), 0);
    assert_int_equal(is.rx_packets, 10 + 20000 / 200);
    assert_int_equal(is.rx_bytes, 110 * 600);
    assert_int_equal(is.tx_packets, 5 + 20000 / 500);
    assert_int_equal(is.tx_bytes, 45 * 400);
    assert_int_equal(is.rx_errs + is.rx_drop + is.tx_errs + is.tx_drop, 0);
    assert_int_equal(hv_domain_interface_stats(dom, "tap9", &is, &err), -1);
    assert_int_equal(err.code, HV_ERR_INVALID_ARG);
    /* booted, with a statistics period: the guest's own statistics */
    assert_int_equal(n = hv_domain_memory_stats(dom, ms, &err), 11);
    for (int i = 0; i < n; i++)
        assert_int_equal(ms[i].tag, mem_tag_order[i]);
    assert_int_equal(ms[9].val, FAKE_WALL_EPOCH_S * 0 + 20); /* last_update */
    assert_string_equal(hv_memory_stat_name(ms[6].tag), "actual");
    assert_null(hv_memory_stat_name(HV_MEMSTAT_NR));

    /* paused: the counters stand still */
    assert_int_equal(hv_domain_suspend(dom, &err), 0);
    assert_int_equal(hv_sleep(conn, 30 * SEC, &err), 0);
    assert_int_equal(hv_domain_block_stats(dom, "vda", &bs, &err), 0);
    assert_int_equal(bs.rd_req, 1700);
    /* a new QEMU process counts from zero */
    assert_int_equal(hv_domain_destroy(dom, 0, &err), 0);
    assert_int_equal(hv_domain_create(dom, 0, &err), 0);
    assert_int_equal(hv_domain_block_stats(dom, "vda", &bs, &err), 0);
    assert_int_equal(bs.rd_req, 1500);
    assert_non_null(xml = hv_domain_get_xml(dom, 0, &err));
    assert_non_null(strstr(xml, "<target dev=\"vnet2\"/>"));
    g_free(xml);
    hv_domain_free(dom);
    hv_conn_close(conn);
    fake_world_free(w);
}

/* /proc/meminfo of a fake host: its system, its guests, cache, buffers. */
static void
test_fake_node_memory(void **state)
{
    env *e;
    fake_host_spec spec = {.name = "h1", .vcpus = 8, .memory_mib = 16384,
                           .disk_gib = 100, .os_memory_mib = 1000};
    hv_node_memory_stats ms;
    hv_error hv;

    (void)state;
    e = env_new(&spec);
    init_and_spawn(e);
    assert_int_equal(hv_node_get_memory_stats(e->conn, &ms, &hv), 0);
    assert_int_equal(ms.total_kib, 16384 * 1024);
    /* what is neither free, nor buffers, nor cache: system + guest */
    assert_int_equal(ms.total_kib - ms.free_kib - ms.buffers_kib -
                         ms.cached_kib,
                     (1000 + 256) * 1024);
    assert_int_equal(ms.cached_kib, (16384 - 1256) * 1024 / 4);
    assert_int_equal(ms.buffers_kib, (16384 - 1256) * 1024 / 32);
    env_free(e);
}

/* ---- get_diagnostics: the flat dict ---- */

static void
test_diagnostics_flat(void **state)
{
    env *e = env_new(NULL);
    drv_diagnostics dg;
    drv_error err;
    char *json;
    json_t *o;

    (void)state;
    init_and_spawn(e);
    run_to(e, 30);
    ok(drv_get_diagnostics(e->d, &e->inst, &dg, &err), &err, "diagnostics");
    /* 30 s run, 3 s CPU over two vCPUs */
    assert_int_equal(diag_value(&dg, "cpu0_time"), 1500 * HV_NS_PER_MS);
    assert_int_equal(diag_value(&dg, "cpu1_time"), 1500 * HV_NS_PER_MS);
    assert_int_equal(diag_value(&dg, "vda_read_req"), 1500 + 300);
    assert_int_equal(diag_value(&dg, "vda_read"), 1800 * 4096);
    assert_int_equal(diag_value(&dg, "vda_write_req"), 60);
    assert_int_equal(diag_value(&dg, "vda_write"), 60 * 8192);
    assert_int_equal(diag_value(&dg, "vda_errors"), -1);
    assert_int_equal(diag_value(&dg, "tap1_rx"), (10 + 150) * 600);
    assert_int_equal(diag_value(&dg, "tap1_rx_packets"), 160);
    assert_int_equal(diag_value(&dg, "tap1_rx_errors"), 0);
    assert_int_equal(diag_value(&dg, "tap1_rx_drop"), 0);
    assert_int_equal(diag_value(&dg, "tap1_tx"), (5 + 60) * 400);
    assert_int_equal(diag_value(&dg, "tap1_tx_packets"), 65);
    assert_int_equal(diag_value(&dg, "tap1_tx_errors"), 0);
    assert_int_equal(diag_value(&dg, "tap1_tx_drop"), 0);
    /* the bridge's tap, named by the hypervisor */
    assert_int_equal(diag_value(&dg, "vnet0_rx_packets"), 160);
    assert_int_equal(diag_value(&dg, "memory"), 256 * 1024);
    assert_true(drv_diagnostics_get(&dg, "memory-rss", NULL));
    /* 5 disk + 2 x 8 NIC + 2 CPU + memory + what the balloon reports */
    assert_int_equal(dg.items[0].key[0], 'c'); /* the reference's order */
    assert_string_equal(dg.items[2].key, "vda_read_req");
    json = drv_diagnostics_to_json(&dg);
    assert_non_null(o = json_loads(json, 0, NULL));
    assert_int_equal(json_integer_value(json_object_get(o, "memory")),
                     256 * 1024);
    assert_int_equal(json_object_size(o), dg.n_items);
    json_decref(o);
    g_free(json);
    drv_diagnostics_clear(&dg);
    drv_diagnostics_clear(&dg); /* cleared twice is fine */
    env_free(e);
}

/* The reference swallows a refused statistic; the XML and info propagate. */
static void
test_diagnostics_errors(void **state)
{
    env *e = env_new(NULL);
    fault_rule blk = {.op = HV_OP_DOMAIN_BLOCK_STATS,
                      .code = HV_ERR_NO_SUPPORT, .count = 1000};
    fault_rule vcpu = {.op = HV_OP_DOMAIN_GET_VCPUS,
                       .code = HV_ERR_OPERATION_FAILED, .count = 1000};
    fault_rule mem = {.op = HV_OP_DOMAIN_MEMORY_STATS,
                      .code = HV_ERR_NO_SUPPORT, .count = 1000};
    fault_rule nic = {.op = HV_OP_DOMAIN_INTERFACE_STATS,
                      .code = HV_ERR_INVALID_ARG, .nth = 1, .count = 1};
    fault_rule xml = {.op = HV_OP_DOMAIN_GET_XML,
                      .code = HV_ERR_INTERNAL_ERROR, .count = 1};
    fault_rule info = {.op = HV_OP_DOMAIN_GET_INFO,
                       .code = HV_ERR_OPERATION_FAILED, .count = 1};
    drv_diagnostics dg;
    drv_instance_diagnostics id;
    drv_instance other;
    drv_error err;

    (void)state;
    init_and_spawn(e);
    fault_set_add(e->faults, &blk);
    fault_set_add(e->faults, &vcpu);
    fault_set_add(e->faults, &mem);
    fault_set_add(e->faults, &nic);
    ok(drv_get_diagnostics(e->d, &e->inst, &dg, &err), &err, "swallowed");
    assert_false(drv_diagnostics_get(&dg, "cpu0_time", NULL));
    assert_false(drv_diagnostics_get(&dg, "vda_read", NULL));
    assert_false(drv_diagnostics_get(&dg, "memory-rss", NULL));
    /* the first interface refused, the second reported */
    assert_false(drv_diagnostics_get(&dg, "tap1_rx", NULL));
    assert_true(drv_diagnostics_get(&dg, "vnet0_rx", NULL));
    assert_true(drv_diagnostics_get(&dg, "memory", NULL));
    assert_int_equal(dg.n_items, 8 + 1);
    drv_diagnostics_clear(&dg);
    /* the same for the Diagnostics object; the one NIC gets the first MAC */
    ok(drv_get_instance_diagnostics(e->d, &e->inst, &id, &err), &err,
       "swallowed");
    assert_int_equal(id.n_cpus, 0);
    assert_int_equal(id.n_disks, 0);
    assert_int_equal(id.n_nics, 2);
    drv_instance_diagnostics_clear(&id);
    faults_clear(e);

    fault_set_add(e->faults, &xml);
    assert_int_equal(drv_get_diagnostics(e->d, &e->inst, &dg, &err), -1);
    assert_int_equal(err.kind, DRV_ERR_HYPERVISOR);
    assert_int_equal(err.hv.code, HV_ERR_INTERNAL_ERROR);
    assert_int_equal(dg.n_items, 0);
    fault_set_add(e->faults, &info);
    assert_int_equal(drv_get_instance_diagnostics(e->d, &e->inst, &id, &err),
                     -1);
    assert_int_equal(err.kind, DRV_ERR_HYPERVISOR);
    assert_int_equal(err.hv.code, HV_ERR_OPERATION_FAILED);
    other = e->inst;
    other.uuid = "d1a90000-0000-4000-8000-0000000000ff";
    assert_int_equal(drv_get_diagnostics(e->d, &other, &dg, &err), -1);
    assert_int_equal(err.kind, DRV_ERR_INSTANCE_NOT_FOUND);
    assert_int_equal(drv_get_instance_diagnostics(e->d, &other, &id, &err),
                     -1);
    assert_int_equal(err.kind, DRV_ERR_INSTANCE_NOT_FOUND);
    env_free(e);
}

/* ---- get_instance_diagnostics: the Diagnostics object ---- */

static void
test_instance_diagnostics(void **state)
{
    env *e = env_new(NULL);
    drv_instance_diagnostics id;
    drv_error err;
    json_t *o, *nic;
    char *json;

    (void)state;
    /* launched 5 s after the world's epoch: at 65 s it has been up 60 s */
    e->inst.launched_at = FAKE_WALL_EPOCH_S + 5;
    e->props[0].value = "mandatory";
    init_and_spawn(e);
    run_to(e, 65);
    ok(drv_get_instance_diagnostics(e->d, &e->inst, &id, &err), &err,
       "instance diagnostics");
    assert_int_equal(id.state, DRV_POWER_RUNNING);
    assert_string_equal(id.driver, "libvirt");
    assert_string_equal(id.hypervisor_os, "linux");
    assert_int_equal(id.uptime, 60);
    assert_true(id.config_drive);
    assert_int_equal(id.n_cpus, 2);
    assert_int_equal(id.cpu_details[0].time + id.cpu_details[1].time,
                     6500 * HV_NS_PER_MS);
    /* the root disk and the config drive's cdrom (img_config_drive) */
    assert_int_equal(id.n_disks, 2);
    assert_int_equal(id.disk_details[0].read_requests, 1500 + 650);
    assert_int_equal(id.disk_details[0].read_bytes, 2150 * 4096);
    assert_int_equal(id.disk_details[0].write_requests, 130);
    assert_int_equal(id.disk_details[0].errors_count, 0);
    assert_int_equal(id.n_nics, 2);
    assert_string_equal(id.nic_details[0].mac_address, "52:54:00:00:00:01");
    assert_string_equal(id.nic_details[1].mac_address, "52:54:00:00:00:02");
    assert_int_equal(id.nic_details[0].rx_packets, 10 + 325);
    assert_int_equal(id.nic_details[0].rx_rate, -1);
    assert_int_equal(id.memory_maximum, 256);
    assert_int_equal(id.memory_used, 256);
    json = drv_instance_diagnostics_to_json(&id);
    assert_non_null(o = json_loads(json, 0, NULL));
    assert_string_equal(json_string_value(json_object_get(o, "version")),
                        "1.0");
    assert_string_equal(json_string_value(json_object_get(o, "state")),
                        "running");
    assert_int_equal(json_integer_value(json_object_get(o, "uptime")), 60);
    assert_true(json_is_true(json_object_get(o, "config_drive")));
    assert_int_equal(json_integer_value(json_object_get(o, "num_cpus")), 2);
    assert_int_equal(json_integer_value(json_object_get(o, "num_disks")), 2);
    assert_int_equal(json_integer_value(json_object_get(o, "num_nics")), 2);
    nic = json_array_get(json_object_get(o, "nic_details"), 1);
    assert_string_equal(
        json_string_value(json_object_get(nic, "mac_address")),
        "52:54:00:00:00:02");
    assert_true(json_is_null(json_object_get(nic, "tx_rate")));
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(o, "memory_details"), "maximum")),
                     256);
    assert_int_equal(json_object_size(o), 13);
    json_decref(o);
    g_free(json);
    drv_instance_diagnostics_clear(&id);

    /* paused: its state; a launch time not known: uptime None */
    ok(drv_pause(e->d, &e->inst, &err), &err, "pause");
    e->inst.launched_at = 0;
    e->props[0].value = "optional";
    ok(drv_get_instance_diagnostics(e->d, &e->inst, &id, &err), &err,
       "paused");
    assert_int_equal(id.state, DRV_POWER_PAUSED);
    assert_int_equal(id.uptime, -1);
    assert_false(id.config_drive);
    json = drv_instance_diagnostics_to_json(&id);
    assert_non_null(o = json_loads(json, 0, NULL));
    assert_true(json_is_null(json_object_get(o, "uptime")));
    assert_string_equal(json_string_value(json_object_get(o, "state")),
                        "paused");
    json_decref(o);
    g_free(json);
    drv_instance_diagnostics_clear(&id);
    env_free(e);
}

/* The instance description's launched_at: ISO 8601 or epoch seconds. */
static void
test_launched_at_json(void **state)
{
    static const char *const good[][2] = {
        {"\"2026-01-01T00:01:00Z\"", "1767225660"},
        {"\"2026-01-01T01:01:00+01:00\"", "1767225660"},
        {"\"2026-01-01T00:01:00\"", "1767225660"}, /* UTC when none */
        {"1767225660", "1767225660"},
    };
    static const char *const bad[][2] = {
        {"\"yesterday\"", "$.launched_at: expected an ISO 8601 date"},
        {"0", "$.launched_at"},
        {"true", "expected an ISO 8601 time or seconds since the epoch, got "
                 "boolean"},
        {"\"1969-12-31T23:59:59Z\"", "after 1970"},
    };
    drv_instance inst;
    drv_error err;

    (void)state;
    for (size_t i = 0; i < G_N_ELEMENTS(good); i++) {
        char *text = g_strdup_printf(
            "{\"uuid\": \"" UUID "\", \"name\": \"x\", \"flavor\": "
            "{\"name\": \"f\", \"vcpus\": 1, \"memory_mb\": 64, \"root_gb\": "
            "1}, \"launched_at\": %s, \"config_drive\": true}",
            good[i][0]);
        ok(drv_instance_load_json(text, "inst.json", &inst, &err), &err,
           good[i][0]);
        assert_int_equal(inst.launched_at, g_ascii_strtoll(good[i][1], NULL,
                                                           10));
        assert_true(inst.config_drive);
        drv_instance_clear(&inst);
        g_free(text);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        char *text = g_strdup_printf(
            "{\"uuid\": \"" UUID "\", \"name\": \"x\", \"flavor\": "
            "{\"name\": \"f\", \"vcpus\": 1, \"memory_mb\": 64, \"root_gb\": "
            "1},\n \"launched_at\": %s}",
            bad[i][0]);
        assert_int_equal(drv_instance_load_json(text, "inst.json", &inst,
                                                &err),
                         -1);
        assert_int_equal(err.kind, DRV_ERR_INVALID_INSTANCE);
        if (!strstr(err.message, bad[i][1]) ||
            !strstr(err.message, "inst.json:2:"))
            fail_msg("%s: %s", bad[i][0], err.message);
        g_free(text);
    }
}

/* ---- get_available_resource: every key ---- */

static void
test_resources_every_key(void **state)
{
    static const char *const features[] = {"aes", "avx2", "sse4.2", "aes",
                                           NULL};
    fake_host_spec spec = {.name = "h1", .vcpus = 8, .memory_mib = 16384,
                           .disk_gib = 100, .arch = "x86_64",
                           .cpu_model = "Skylake-Client-IBRS",
                           .cpu_vendor = "Intel", .cpu_features = features,
                           .os_memory_mib = 700};
    env *e = env_new(&spec);
    drv_resources res;
    hv_vol_info vi;
    hv_pool_info pi;
    drv_error err;
    hv_error hv;
    char *json, *vol;
    json_t *o;
    int64_t want_least;

    (void)state;
    init_and_spawn(e);
    ok(drv_get_available_resource(e->d, &res, &err), &err, "resources");
    assert_int_equal(res.vcpus, 8);
    assert_int_equal(res.vcpus_used, 2);
    assert_int_equal(res.memory_mb, 16384);
    /* total - free - buffers - cached: the host's system and the guest */
    assert_int_equal(res.memory_mb_used, 700 + 256);
    assert_int_equal(res.local_gb, 100);
    assert_string_equal(res.hypervisor_type, "QEMU");
    assert_int_equal(res.hypervisor_version, 7002000);
    assert_string_equal(res.hypervisor_hostname, "h1");
    assert_string_equal(res.cpu_info,
                        "{\"arch\":\"x86_64\",\"features\":[\"aes\",\"avx2\","
                        "\"sse4.2\"],\"model\":\"Skylake-Client-IBRS\","
                        "\"topology\":{\"cells\":1,\"cores\":8,\"sockets\":1,"
                        "\"threads\":1},\"vendor\":\"Intel\"}");
    assert_int_equal(res.n_supported_instances, 2);
    assert_string_equal(res.supported_instances[0].arch, "x86_64");
    assert_string_equal(res.supported_instances[0].hv_type, "qemu");
    assert_string_equal(res.supported_instances[0].vm_mode, "hvm");
    assert_string_equal(res.supported_instances[1].hv_type, "kvm");
    assert_string_equal(res.pci_passthrough_devices, "[]");
    assert_null(res.numa_topology);
    /* free GiB less what the running guest's qcow2 root may still grow */
    vol = g_strdup_printf("%s_disk", UUID);
    assert_int_equal(hv_vol_get_info(e->conn, "hvd", vol, &vi, &hv), 0);
    assert_int_equal(hv_pool_get_info(e->conn, "hvd", &pi, &hv), 0);
    want_least = ((int64_t)(pi.available >> 30 << 30) -
                  (int64_t)(vi.capacity - vi.allocation)) >> 30;
    assert_int_equal(res.disk_available_least, want_least);
    assert_true(vi.capacity > vi.allocation);
    g_free(vol);

    json = drv_resources_to_json(&res);
    assert_non_null(o = json_loads(json, 0, NULL));
    assert_int_equal(json_object_size(o), 14);
    assert_true(json_is_null(json_object_get(o, "numa_topology")));
    assert_string_equal(json_string_value(json_object_get(o, "cpu_info")),
                        res.cpu_info);
    assert_string_equal(
        json_string_value(json_array_get(
            json_array_get(json_object_get(o, "supported_instances"), 1), 1)),
        "kvm");
    assert_int_equal(json_integer_value(json_object_get(o, "memory_mb_used")),
                     956);
    json_decref(o);
    g_free(json);
    drv_resources_clear(&res);
    drv_resources_clear(&res);

    /* the guest off: it holds no memory and no vCPUs, and its disk is not
     * counted (the reference lists running domains only) */
    ok(drv_power_off(e->d, &e->inst, 0, 0, &err), &err, "power off");
    ok(drv_get_available_resource(e->d, &res, &err), &err, "resources");
    assert_int_equal(res.memory_mb_used, 700);
    assert_int_equal(res.vcpus_used, 0);
    assert_int_equal(res.disk_available_least,
                     (int64_t)(pi.available >> 30));
    drv_resources_clear(&res);
    env_free(e);
}

/* A per-domain failure is skipped; the node's and the pool's propagate. */
static void
test_resources_errors(void **state)
{
    env *e = env_new(NULL);
    fault_rule vcpus = {.op = HV_OP_DOMAIN_GET_VCPUS,
                        .code = HV_ERR_OPERATION_FAILED, .count = 1};
    fault_rule node = {.op = HV_OP_NODE_GET_INFO,
                       .code = HV_ERR_INTERNAL_ERROR, .count = 1};
    fault_rule caps = {.op = HV_OP_CONNECT_GET_CAPABILITIES,
                       .code = HV_ERR_INTERNAL_ERROR, .count = 1};
    fault_rule mem = {.op = HV_OP_NODE_GET_MEMORY_STATS,
                      .code = HV_ERR_NO_SUPPORT, .count = 1};
    fault_rule mem2 = {.op = HV_OP_NODE_GET_MEMORY_STATS,
                       .code = HV_ERR_OPERATION_FAILED, .count = 1};
    drv_resources res;
    drv_error err;

    (void)state;
    init_and_spawn(e);
    fault_set_add(e->faults, &vcpus);
    ok(drv_get_available_resource(e->d, &res, &err), &err, "vcpus refused");
    assert_int_equal(res.vcpus_used, 0);
    drv_resources_clear(&res);
    faults_clear(e);
    fault_set_add(e->faults, &node);
    assert_int_equal(drv_get_available_resource(e->d, &res, &err), -1);
    assert_int_equal(err.kind, DRV_ERR_HYPERVISOR);
    assert_null(res.cpu_info);
    faults_clear(e);
    fault_set_add(e->faults, &caps);
    assert_int_equal(drv_get_available_resource(e->d, &res, &err), -1);
    assert_int_equal(err.hv.code, HV_ERR_INTERNAL_ERROR);
    /* no memory counters (libvirt's test driver): the guests' memory */
    faults_clear(e);
    fault_set_add(e->faults, &mem);
    ok(drv_get_available_resource(e->d, &res, &err), &err, "no counters");
    assert_int_equal(res.memory_mb_used, 256);
    drv_resources_clear(&res);
    faults_clear(e);
    fault_set_add(e->faults, &mem2);
    assert_int_equal(drv_get_available_resource(e->d, &res, &err), -1);
    assert_int_equal(err.hv.code, HV_ERR_OPERATION_FAILED);
    env_free(e);
}

/* ---- host identity ---- */

static void
test_host_identity(void **state)
{
    static const char *const none[] = {NULL};
    static const char *const some[] = {"vmx", "avx2", "aes", "pdpe1gb", NULL};
    fake_host_spec spec = {.name = "h1", .vcpus = 4, .memory_mib = 8192,
                           .disk_gib = 100, .arch = "aarch64",
                           .cpu_model = "cortex-a57", .cpu_vendor = "ARM",
                           .cpu_features = none,
                           .lib_version = 10000000, .hv_version = 8002001};
    env *e = env_new(&spec);
    drv_resources res;
    drv_error err;
    char **traits = NULL;
    char *caps;
    hv_error hv;
    unsigned long lib, ver;

    (void)state;
    ok(drv_init_host(e->d, "h1", &err), &err, "init_host");
    assert_int_equal(hv_conn_get_version(e->conn, &lib, &ver, &hv), 0);
    assert_int_equal(lib, 10000000);
    assert_int_equal(ver, 8002001);
    assert_non_null(caps = hv_conn_get_capabilities(e->conn, &hv));
    assert_non_null(strstr(caps, "<arch>aarch64</arch>"));
    assert_non_null(strstr(caps, "<model>cortex-a57</model>"));
    assert_non_null(strstr(caps, "<vendor>ARM</vendor>"));
    assert_non_null(strstr(caps, "<arch name='aarch64'>"));
    assert_null(strstr(caps, "<feature name"));
    g_free(caps);
    ok(drv_get_traits(e->d, &traits, &err), &err, "traits");
    assert_null(traits[0]);
    g_strfreev(traits);
    ok(drv_get_available_resource(e->d, &res, &err), &err, "resources");
    assert_string_equal(res.supported_instances[0].arch, "aarch64");
    assert_non_null(strstr(res.cpu_info, "\"features\":[]"));
    assert_int_equal(res.hypervisor_version, 8002001);
    drv_resources_clear(&res);
    env_free(e);

    spec = (fake_host_spec){.name = "h1", .vcpus = 4, .memory_mib = 8192,
                            .disk_gib = 100, .cpu_features = some};
    e = env_new(&spec);
    ok(drv_get_traits(e->d, &traits, &err), &err, "traits");
    assert_string_equal(traits[0], "HW_CPU_X86_AESNI");
    assert_string_equal(traits[1], "HW_CPU_X86_AVX2");
    assert_string_equal(traits[2], "HW_CPU_X86_VMX");
    assert_null(traits[3]);
    g_strfreev(traits);
    env_free(e);

    /* QEMU older than the reference's minimum (libvirt new enough) */
    spec = (fake_host_spec){.name = "h1", .vcpus = 4, .memory_mib = 8192,
                            .disk_gib = 100, .hv_version = 1005002};
    e = env_new(&spec);
    assert_int_equal(drv_init_host(e->d, "h1", &err), -1);
    assert_int_equal(err.kind, DRV_ERR_VERSION);
    assert_string_equal(err.message,
                        "hvd requires QEMU version 1.5.3 or greater.");
    env_free(e);
}

/* The scenario keys of a host's identity reach the fake host. */
static void
test_scenario_host_identity(void **state)
{
    char *why = NULL;
    scn *s = scn_parse(
        "{\"name\": \"t\", \"hosts\": [{\"name\": \"h1\", "
        "\"libvirt_version\": \"9.0\", \"qemu_version\": \"7.2.1\", "
        "\"arch\": \"x86_64\", \"cpu_model\": \"Haswell\", "
        "\"cpu_vendor\": \"Intel\", \"cpu_features\": [\"avx2\"]}, "
        "{\"name\": \"h2\", \"cpu_features\": []}]}",
        "t.json", &why);

    (void)state;
    if (!s)
        fail_msg("%s", why);
    assert_int_equal(s->hosts[0].libvirt_version, 9000000);
    assert_int_equal(s->hosts[0].qemu_version, 7002001);
    assert_string_equal(s->hosts[0].arch, "x86_64");
    assert_string_equal(s->hosts[0].cpu_model, "Haswell");
    assert_string_equal(s->hosts[0].cpu_vendor, "Intel");
    assert_string_equal(s->hosts[0].cpu_features[0], "avx2");
    assert_null(s->hosts[0].cpu_features[1]);
    /* unset: the fake's defaults; an empty list: no features */
    assert_int_equal(s->hosts[1].libvirt_version, 0);
    assert_null(s->hosts[1].arch);
    assert_non_null(s->hosts[1].cpu_features);
    assert_null(s->hosts[1].cpu_features[0]);
    scn_free(s);
}

/* ---- connection loss and the service record ---- */

static void
test_connection_loss(void **state)
{
    env *e = env_new(NULL);
    drv_info info;
    drv_resources res;
    drv_error err;
    hv_domain *dom;
    hv_error hv;

    (void)state;
    init_and_spawn(e);
    assert_true(drv_host_enabled(e->d));
    assert_null(drv_host_disabled_reason(e->d));

    /* a lost connection: the calls say so, the host is disabled at the
     * driver's next turn, with the automatic prefix */
    fake_host_daemon_stop(e->h);
    assert_null(dom = hv_domain_lookup_by_uuid(e->conn, UUID, &hv));
    assert_int_equal(hv.conn_lost, 1);
    ok(drv_wait(e->d, SEC, &err), &err, "wait");
    assert_false(drv_host_enabled(e->d));
    assert_string_equal(drv_host_disabled_reason(e->d),
                        DRV_DISABLE_PREFIX "Connection to libvirt lost: 1");
    assert_int_equal(drv_get_info(e->d, &e->inst, &info, &err), -1);
    assert_int_equal(err.kind, DRV_ERR_HOST_UNAVAILABLE);
    assert_string_equal(drv_error_kind_name(err.kind),
                        "HypervisorUnavailable");
    assert_non_null(strstr(err.message,
                           "Connection to the hypervisor is broken on host: "
                           "h1"));
    assert_int_equal(drv_get_available_resource(e->d, &res, &err), -1);
    assert_int_equal(err.kind, DRV_ERR_HOST_UNAVAILABLE);
    assert_int_equal(drv_spawn(e->d, &e->inst, true, &err), -1);
    assert_int_equal(err.kind, DRV_ERR_HOST_UNAVAILABLE);
    /* the failed reconnects keep the first reason */
    ok(drv_wait(e->d, SEC, &err), &err, "wait");
    assert_string_equal(drv_host_disabled_reason(e->d),
                        DRV_DISABLE_PREFIX "Connection to libvirt lost: 1");

    /* back: reconnected and enabled at the next turn */
    fake_host_daemon_start(e->h);
    ok(drv_wait(e->d, SEC, &err), &err, "wait");
    assert_true(drv_host_enabled(e->d));
    assert_null(drv_host_disabled_reason(e->d));
    ok(drv_get_info(e->d, &e->inst, &info, &err), &err, "get_info");
    assert_int_equal(info.state, DRV_POWER_RUNNING);

    /* a restart between two turns: the next lookup reconnects by itself
     * (the reference's get_connection) and the call goes through */
    fake_host_daemon_stop(e->h);
    fake_host_daemon_start(e->h);
    ok(drv_get_info(e->d, &e->inst, &info, &err), &err, "get_info");
    assert_true(drv_host_enabled(e->d));
    assert_null(drv_host_disabled_reason(e->d));
    env_free(e);
}

static void
test_operator_disable_stays(void **state)
{
    env *e = env_new(NULL);
    drv_error err;

    (void)state;
    init_and_spawn(e);
    drv_set_service_disabled(e->d, true, "maintenance window");
    assert_false(drv_host_enabled(e->d));
    assert_string_equal(drv_host_disabled_reason(e->d), "maintenance window");
    /* lost and back: the driver neither overrides nor lifts it */
    fake_host_daemon_stop(e->h);
    ok(drv_wait(e->d, SEC, &err), &err, "wait");
    assert_string_equal(drv_host_disabled_reason(e->d), "maintenance window");
    fake_host_daemon_start(e->h);
    ok(drv_wait(e->d, SEC, &err), &err, "wait");
    assert_false(drv_host_enabled(e->d));
    assert_string_equal(drv_host_disabled_reason(e->d), "maintenance window");
    /* a restart of the driver (init_host) does not lift it either */
    drv_cleanup_host(e->d);
    ok(drv_init_host(e->d, "h1", &err), &err, "init_host");
    assert_false(drv_host_enabled(e->d));
    /* the operator lifts it */
    drv_set_service_disabled(e->d, false, NULL);
    assert_true(drv_host_enabled(e->d));
    assert_null(drv_host_disabled_reason(e->d));
    /* an operator's disable without a reason stays as well */
    drv_set_service_disabled(e->d, true, NULL);
    assert_null(drv_host_disabled_reason(e->d));
    fake_host_daemon_stop(e->h);
    fake_host_daemon_start(e->h);
    ok(drv_wait(e->d, SEC, &err), &err, "wait");
    assert_false(drv_host_enabled(e->d));
    env_free(e);
}

/* init_host on a dead connection: HypervisorUnavailable, disabled
 * "Failed to connect"; it comes back with the daemon. */
static void
test_init_host_unavailable(void **state)
{
    env *e = env_new(NULL);
    drv_error err;

    (void)state;
    fake_host_daemon_stop(e->h);
    assert_int_equal(drv_init_host(e->d, "h1", &err), -1);
    assert_int_equal(err.kind, DRV_ERR_HOST_UNAVAILABLE);
    assert_false(drv_host_enabled(e->d));
    assert_string_equal(drv_host_disabled_reason(e->d),
                        DRV_DISABLE_PREFIX "Failed to connect to libvirt");
    fake_host_daemon_start(e->h);
    ok(drv_init_host(e->d, "h1", &err), &err, "init_host");
    assert_true(drv_host_enabled(e->d));
    assert_null(drv_host_disabled_reason(e->d));
    env_free(e);
}

/*
 * The reference registers for events inside _get_new_connection and only
 * warns when that fails: the connection is made and the host enabled all
 * the same, at init_host and on a reconnect.
 */
static void
test_events_register_fails(void **state)
{
    env *e = env_new(NULL);
    fault_rule reg = {.op = HV_OP_CONNECT_EVENTS_REGISTER,
                      .code = HV_ERR_NO_SUPPORT, .count = 1};
    drv_info info;
    drv_error err;

    (void)state;
    fault_set_add(e->faults, &reg);
    ok(drv_init_host(e->d, "h1", &err), &err, "init_host");
    assert_int_equal(fault_set_fired(e->faults, 0), 1);
    assert_true(drv_host_enabled(e->d));
    assert_null(drv_host_disabled_reason(e->d));
    ok(drv_spawn(e->d, &e->inst, true, &err), &err, "spawn");

    /* lost, then back with the registration refused once more */
    fake_host_daemon_stop(e->h);
    ok(drv_wait(e->d, SEC, &err), &err, "wait");
    assert_string_equal(drv_host_disabled_reason(e->d),
                        DRV_DISABLE_PREFIX "Connection to libvirt lost: 1");
    fake_host_daemon_start(e->h);
    fault_set_add(e->faults, &reg);
    ok(drv_wait(e->d, SEC, &err), &err, "wait");
    assert_int_equal(fault_set_fired(e->faults, 1), 1);
    assert_true(drv_host_enabled(e->d));
    assert_null(drv_host_disabled_reason(e->d));
    ok(drv_get_info(e->d, &e->inst, &info, &err), &err, "get_info");
    assert_int_equal(info.state, DRV_POWER_RUNNING);
    env_free(e);
}

/* ---- on qemu:///system ---- */

#define REAL_LOGS "/var/cache/hvd/instances"

/* What the real case made, for its teardown to remove even after a
 * failed assertion. */
static struct {
    drv *d;
    drv_instance *inst;
    char *dir;
} real_made;

static int
real_teardown(void **state)
{
    drv_error err;

    (void)state;
    if (real_made.d && real_made.inst)
        drv_destroy(real_made.d, real_made.inst, true, &err);
    if (real_made.dir) {
        char *log = g_strdup_printf("%s/console.log", real_made.dir);
        g_unlink(log);
        g_free(log);
        g_rmdir(real_made.dir);
    }
    memset(&real_made, 0, sizeof(real_made));
    return 0;
}

static void
test_real_stats(void **state)
{
    const char *realv = getenv("HVD_REAL");
    drv_kv props[3];
    drv_config cfg;
    drv_instance inst;
    drv_diagnostics dg;
    drv_instance_diagnostics id;
    drv_resources res;
    hv_conn *conn;
    hv_domain *dom;
    hv_vcpu_info *v = NULL;
    hv_block_stats bs;
    hv_memory_stat ms[HV_MEMSTAT_NR];
    hv_node_memory_stats nm;
    hv_error hv;
    drv_error err;
    drv *d;
    char uuid[HV_UUID_STRLEN], name[64], *dir;
    uint64_t x;
    int n;

    (void)state;
    if (!realv || strcmp(realv, "1") != 0 || !getenv("HVD_GUEST_KERNEL")) {
        print_message("# skipped: runs with HVD_REAL=1 and the tiny guest\n");
        skip();
    }
    assert_non_null(conn = hv_libvirt_open("qemu:///system", &hv));
    x = hv_random(conn);
    g_snprintf(uuid, sizeof(uuid), "d1a9%04x-0000-4000-8000-%012llx",
               (unsigned int)(x >> 48) & 0xffff,
               (unsigned long long)(x & UINT64_C(0xffffffffffff)));
    g_snprintf(name, sizeof(name), "hvd-diag-%d", (int)getpid() % 100000);
    drv_config_defaults(&cfg);
    g_free(cfg.virt_type);
    cfg.virt_type = g_strdup(getenv("HVD_VIRT_TYPE") ? getenv("HVD_VIRT_TYPE")
                                                     : "qemu");
    g_free(cfg.instances_path);
    cfg.instances_path = g_strdup(REAL_LOGS);
    dir = g_strdup_printf("%s/%s", REAL_LOGS, uuid);
    g_mkdir_with_parents(dir, 0755);
    props[0] = (drv_kv){"kernel_path", getenv("HVD_GUEST_KERNEL")};
    props[1] = (drv_kv){"initrd_path", getenv("HVD_GUEST_INITRD")};
    props[2] = (drv_kv){"os_command_line", "console=ttyS0 panic=-1 quiet"};
    inst = (drv_instance){
        .uuid = uuid,
        .name = name,
        .flavor = {.name = "tiny", .vcpus = 2, .memory_mb = 96},
        .image = {.id = "tiny-guest", .format = "raw", .properties = props,
                  .n_properties = 3},
    };
    assert_non_null(d = drv_new(&cfg, conn, &err));
    real_made.d = d;
    real_made.inst = &inst;
    real_made.dir = dir;
    ok(drv_init_host(d, NULL, &err), &err, "init_host");
    ok(drv_spawn(d, &inst, true, &err), &err, "spawn");
    inst.launched_at = hv_wall_now(conn) / SEC - 2;
    ok(drv_wait(d, 3 * SEC, &err), &err, "wait");

    assert_non_null(dom = hv_domain_lookup_by_uuid(conn, uuid, &hv));
    assert_int_equal(n = hv_domain_get_vcpus(dom, &v, &hv), 2);
    assert_true(v[0].cpu_time_ns + v[1].cpu_time_ns > 0);
    g_free(v);
    assert_int_equal(hv_domain_block_stats(dom, "vdz", &bs, &hv), -1);
    assert_int_equal(hv.code, HV_ERR_INVALID_ARG);
    assert_true((n = hv_domain_memory_stats(dom, ms, &hv)) >= 1);
    assert_int_equal(hv_node_get_memory_stats(conn, &nm, &hv), 0);
    assert_true(nm.total_kib > nm.free_kib && nm.cached_kib > 0);

    ok(drv_get_diagnostics(d, &inst, &dg, &err), &err, "diagnostics");
    {
        char *j = drv_diagnostics_to_json(&dg);
        print_message("# real diagnostics: %s\n", j);
        g_free(j);
    }
    assert_true(drv_diagnostics_get(&dg, "cpu0_time", NULL));
    assert_true(drv_diagnostics_get(&dg, "cpu1_time", NULL));
    assert_int_equal(diag_value(&dg, "memory"), 96 * 1024);
    assert_true(drv_diagnostics_get(&dg, "memory-rss", NULL));
    drv_diagnostics_clear(&dg);
    ok(drv_get_instance_diagnostics(d, &inst, &id, &err), &err,
       "instance diagnostics");
    assert_int_equal(id.state, DRV_POWER_RUNNING);
    assert_int_equal(id.n_cpus, 2);
    assert_true(id.uptime >= 4 && id.uptime < 60);
    assert_int_equal(id.memory_maximum, 96);
    drv_instance_diagnostics_clear(&id);
    ok(drv_get_available_resource(d, &res, &err), &err, "resources");
    /* in a container the node's size (its cgroup) can be less than what
     * /proc/meminfo has free: used is then 0, never wrapped around */
    assert_true(res.memory_mb_used <= res.memory_mb);
    assert_true(res.vcpus_used >= 2);
    assert_non_null(strstr(res.cpu_info, "\"topology\""));
    assert_true(res.n_supported_instances > 0);
    drv_resources_clear(&res);

    hv_domain_free(dom);
    ok(drv_destroy(d, &inst, true, &err), &err, "destroy");
    real_teardown(NULL);
    drv_free(d);
    drv_config_clear(&cfg);
    hv_conn_close(conn);
    g_free(dir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fake_domain_stats),
        cmocka_unit_test(test_fake_node_memory),
        cmocka_unit_test(test_diagnostics_flat),
        cmocka_unit_test(test_diagnostics_errors),
        cmocka_unit_test(test_instance_diagnostics),
        cmocka_unit_test(test_launched_at_json),
        cmocka_unit_test(test_resources_every_key),
        cmocka_unit_test(test_resources_errors),
        cmocka_unit_test(test_host_identity),
        cmocka_unit_test(test_scenario_host_identity),
        cmocka_unit_test(test_connection_loss),
        cmocka_unit_test(test_operator_disable_stays),
        cmocka_unit_test(test_init_host_unavailable),
        cmocka_unit_test(test_events_register_fails),
        cmocka_unit_test_teardown(test_real_stats, real_teardown),
    };

    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests_name("diag", tests, NULL, NULL);
}
