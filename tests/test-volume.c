/*
 * test-volume.c: volumes (drv-volume.c) on the fake — attach on each
 * power state, detach with the guest's hot-unplug (released after a
 * delay, or never: DeviceDetachFailed at the reference's retry times),
 * swap by block copy and its failure halfway, statistics, the connector,
 * connection info from JSON, and the errors the reference raises.
 */
#include <glib.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "drv.h"
#include "fake.h"
#include "fault.h"
#include "hv.h"

#define UUID "9a1c0000-0000-4000-8000-00000000a001"
#define NAME "instance-0000a001"
#define SEC HV_NS_PER_SEC
#define GIB (UINT64_C(1) << 30)

typedef struct env {
    sim_world *w;
    fake_host *h;
    hv_conn *conn;
    drv_config cfg;
    drv *d;
    drv_instance inst;
    fault_set *faults;
    GString *removed; /* DEVICE_REMOVED events: "alias@ms " */
    char *vol1, *vol2; /* paths of two pool volumes */
} env;

static void
on_event(void *opaque, hv_conn *conn, const hv_event *ev)
{
    env *e = opaque;

    (void)conn;
    if (ev->type == HV_EVENT_DEVICE_REMOVED)
        g_string_append_printf(e->removed, "%s@%lld ", ev->device,
                               (long long)(ev->time_ns / HV_NS_PER_MS));
}

static char *
make_vol(env *e, const char *name)
{
    hv_vol_spec spec = {.name = name, .capacity = GIB, .format = "raw"};
    hv_error hv;
    char *path;

    assert_int_equal(hv_vol_create(e->conn, e->cfg.storage_pool, &spec, &hv),
                     0);
    path = hv_vol_get_path(e->conn, e->cfg.storage_pool, name, &hv);
    assert_non_null(path);
    return path;
}

static env *
env_new(const fake_guest *guest)
{
    fake_host_spec spec = {.name = "h1", .vcpus = 8, .memory_mib = 16384,
                           .disk_gib = 100};
    hv_vol_spec base = {.name = "base.qcow2", .capacity = GIB,
                        .format = "qcow2"};
    hv_hooks hooks = {.event = on_event};
    env *e = g_new0(env, 1);
    drv_error err;
    hv_error hv;

    e->w = fake_world_new(7);
    drv_config_defaults(&e->cfg);
    g_free(e->cfg.virt_type);
    e->cfg.virt_type = g_strdup("qemu");
    spec.storage_pool = e->cfg.storage_pool;
    e->h = fake_host_add(e->w, &spec, &hv);
    if (guest)
        fake_guest_set(e->w, NAME, guest);
    e->conn = fake_conn_open(e->w, "h1", &hv);
    assert_non_null(e->conn);
    assert_int_equal(hv_vol_create(e->conn, e->cfg.storage_pool, &base, &hv),
                     0);
    e->removed = g_string_new("");
    hooks.opaque = e;
    hv_conn_set_hooks(e->conn, &hooks);
    e->faults = fault_set_new();
    fault_set_attach(e->faults, e->conn);
    e->vol1 = make_vol(e, "vol-a001");
    e->vol2 = make_vol(e, "vol-a002");
    e->inst = (drv_instance){
        .uuid = UUID,
        .name = NAME,
        .flavor = {.name = "m1.tiny", .vcpus = 1, .memory_mb = 128,
                   .root_gb = 1},
        .image = {.id = "img-1", .volume = "base.qcow2", .format = "qcow2"},
        .root_device_name = "/dev/vda",
    };
    e->d = drv_new(&e->cfg, e->conn, &err);
    assert_non_null(e->d);
    if (drv_init_host(e->d, "h1", &err) < 0)
        fail_msg("init_host: %s", err.message);
    return e;
}

static void
env_free(env *e)
{
    drv_free(e->d);
    fault_set_detach(e->faults, e->conn);
    fault_set_free(e->faults);
    drv_config_clear(&e->cfg);
    hv_conn_close(e->conn);
    fake_world_free(e->w);
    g_string_free(e->removed, TRUE);
    g_free(e->vol1);
    g_free(e->vol2);
    g_free(e);
}

static void
expect_ok(int rc, const drv_error *err, const char *what)
{
    if (rc != 0)
        fail_msg("%s: %s: %s", what, drv_error_kind_name(err->kind),
                 err->message);
}

static void
expect_kind(int rc, const drv_error *err, drv_error_kind kind,
            const char *what)
{
    if (rc == 0 || err->kind != kind)
        fail_msg("%s: want %s, have rc %d %s: %s", what,
                 drv_error_kind_name(kind), rc, drv_error_kind_name(err->kind),
                 err->message);
}

/* Spawn (power_on or not) and let the guest boot. */
static void
spawn(env *e, bool power_on)
{
    drv_error err;

    expect_ok(drv_spawn(e->d, &e->inst, power_on, &err), &err, "spawn");
    assert_int_equal(drv_wait(e->d, 4 * SEC, &err), 0);
}

static drv_connection_info
local(const char *path, const char *serial)
{
    return (drv_connection_info){.driver_volume_type = (char *)"local",
                                 .serial = (char *)serial,
                                 .device_path = (char *)path};
}

/* Does the domain's XML (live, or the definition) have a disk on dev,
 * and with source path if path is not NULL? */
static bool
has_disk(env *e, bool inactive, const char *dev, const char *path)
{
    hv_error hv;
    hv_domain *dom = hv_domain_lookup_by_uuid(e->conn, UUID, &hv);
    char *xml, *want;
    bool found;

    assert_non_null(dom);
    xml = hv_domain_get_xml(dom, inactive ? HV_XML_INACTIVE : 0, &hv);
    assert_non_null(xml);
    want = g_strdup_printf("<target dev=\"%s\"", dev);
    found = strstr(xml, want) != NULL;
    if (found && path) {
        char *src = g_strdup_printf("file=\"%s\"", path);
        found = strstr(xml, src) != NULL;
        g_free(src);
    }
    g_free(want);
    g_free(xml);
    hv_domain_free(dom);
    return found;
}

static int
state_of(env *e)
{
    drv_info info;
    drv_error err;

    expect_ok(drv_get_info(e->d, &e->inst, &info, &err), &err, "get_info");
    return info.state;
}

/* ---- attach and detach on each power state ---- */

static void
test_attach_detach_running(void **state)
{
    env *e = env_new(NULL);
    drv_connection_info ci = local(e->vol1, "vol-a001");
    drv_error err;
    int64_t t0;

    (void)state;
    spawn(e, true);
    expect_ok(drv_attach_volume(e->d, &e->inst, &ci, "/dev/vdb", NULL, NULL,
                                &err),
              &err, "attach");
    assert_true(has_disk(e, false, "vdb", e->vol1));
    assert_true(has_disk(e, true, "vdb", e->vol1));
    t0 = hv_now(e->conn);
    expect_ok(drv_detach_volume(e->d, &e->inst, &ci, "/dev/vdb", &err), &err,
              "detach");
    /* the guest releases it 0.2 s after the request, inside the call */
    assert_int_equal(hv_now(e->conn) - t0, FAKE_DEFAULT_DETACH_DELAY_NS);
    assert_false(has_disk(e, false, "vdb", NULL));
    assert_false(has_disk(e, true, "vdb", NULL));
    assert_int_equal(state_of(e), DRV_POWER_RUNNING);
    /* libvirt's DEVICE_REMOVED, delivered at the next turn of the loop */
    assert_int_equal(drv_wait(e->d, 0, &err), 0);
    assert_string_equal(e->removed->str, "virtio-disk1@4200 ");
    env_free(e);
}

static void
test_attach_detach_shutoff(void **state)
{
    env *e = env_new(NULL);
    drv_connection_info ci = local(e->vol1, "vol-a001");
    drv_error err;
    int64_t t0;

    (void)state;
    spawn(e, false);
    expect_ok(drv_attach_volume(e->d, &e->inst, &ci, "/dev/vdb", NULL, NULL,
                                &err),
              &err, "attach");
    assert_true(has_disk(e, true, "vdb", e->vol1));
    t0 = hv_now(e->conn);
    expect_ok(drv_detach_volume(e->d, &e->inst, &ci, "/dev/vdb", &err), &err,
              "detach");
    assert_int_equal(hv_now(e->conn), t0); /* no guest to wait for */
    assert_false(has_disk(e, true, "vdb", NULL));
    assert_string_equal(e->removed->str, "");
    assert_int_equal(state_of(e), DRV_POWER_SHUTDOWN);
    env_free(e);
}

static void
test_attach_detach_paused(void **state)
{
    env *e = env_new(NULL);
    drv_connection_info ci = local(e->vol1, "vol-a001");
    drv_error err;
    int64_t t0;

    (void)state;
    spawn(e, true);
    expect_ok(drv_pause(e->d, &e->inst, &err), &err, "pause");
    expect_ok(drv_attach_volume(e->d, &e->inst, &ci, "/dev/vdb", NULL, NULL,
                                &err),
              &err, "attach");
    /* paused counts as live for the reference */
    assert_true(has_disk(e, false, "vdb", e->vol1));
    assert_true(has_disk(e, true, "vdb", e->vol1));
    /* measured: a paused guest cannot release it; the reference asks
     * live all the same and ends in DeviceDetachFailed at 101 s (see
     * test_detach_guest_holds_device), the definition without the disk */
    t0 = hv_now(e->conn);
    expect_kind(drv_detach_volume(e->d, &e->inst, &ci, "/dev/vdb", &err),
                &err, DRV_ERR_DEVICE_DETACH_FAILED, "detach");
    assert_int_equal(hv_now(e->conn) - t0, 101 * SEC);
    assert_false(has_disk(e, true, "vdb", NULL));
    assert_true(has_disk(e, false, "vdb", NULL));
    assert_int_equal(state_of(e), DRV_POWER_PAUSED);
    /* once resumed, the guest acts on the request it holds */
    expect_ok(drv_unpause(e->d, &e->inst, &err), &err, "unpause");
    assert_int_equal(drv_wait(e->d, SEC, &err), 0);
    assert_false(has_disk(e, false, "vdb", NULL));
    env_free(e);
}

/* A guest that never releases the device: the first request (5 s inside
 * libvirt), then 8 reads of the live domain with 7 new requests of 5 s
 * each and sleeps of 2, 4, ... 14 s between: DeviceDetachFailed at
 * 5 + 8 x 5 + 56 = 101 s. The definition has lost the disk, the guest
 * has not. */
static void
test_detach_guest_holds_device(void **state)
{
    fake_guest g;
    env *e;
    drv_connection_info ci;
    drv_error err;
    int64_t t0;

    (void)state;
    fake_guest_defaults(&g);
    g.holds_devices = true;
    e = env_new(&g);
    ci = local(e->vol1, "vol-a001");
    spawn(e, true);
    expect_ok(drv_attach_volume(e->d, &e->inst, &ci, "/dev/vdb", NULL, NULL,
                                &err),
              &err, "attach");
    t0 = hv_now(e->conn);
    expect_kind(drv_detach_volume(e->d, &e->inst, &ci, "/dev/vdb", &err),
                &err, DRV_ERR_DEVICE_DETACH_FAILED, "detach");
    assert_int_equal(hv_now(e->conn) - t0, 101 * SEC);
    assert_true(has_disk(e, false, "vdb", NULL));
    assert_false(has_disk(e, true, "vdb", NULL));
    assert_string_equal(e->removed->str, "");
    env_free(e);
}

/* A slow guest (12 s): found gone at the read after 5 + 5 + 2 = 12 s. */
static void
test_detach_slow_guest(void **state)
{
    fake_guest g;
    env *e;
    drv_connection_info ci;
    drv_error err;
    int64_t t0;

    (void)state;
    fake_guest_defaults(&g);
    g.detach_delay_ns = 12 * SEC;
    e = env_new(&g);
    ci = local(e->vol1, "vol-a001");
    spawn(e, true);
    expect_ok(drv_attach_volume(e->d, &e->inst, &ci, "/dev/vdb", NULL, NULL,
                                &err),
              &err, "attach");
    t0 = hv_now(e->conn);
    expect_ok(drv_detach_volume(e->d, &e->inst, &ci, "/dev/vdb", &err), &err,
              "detach");
    assert_int_equal(hv_now(e->conn) - t0, 12 * SEC);
    assert_false(has_disk(e, false, "vdb", NULL));
    env_free(e);
}

static void
test_attach_errors(void **state)
{
    env *e = env_new(NULL);
    drv_connection_info ci = local(e->vol1, "vol-a001");
    drv_connection_info iscsi = {.driver_volume_type = (char *)"iscsi"};
    drv_connection_info sized = ci;
    drv_instance other = e->inst;
    drv_error err;

    (void)state;
    other.uuid = (char *)"9a1c0000-0000-4000-8000-00000000a0ff";
    expect_kind(drv_attach_volume(e->d, &other, &ci, "/dev/vdb", NULL, NULL,
                                  &err),
                &err, DRV_ERR_INSTANCE_NOT_FOUND, "no instance");
    spawn(e, true);
    expect_kind(drv_attach_volume(e->d, &e->inst, &iscsi, "/dev/vdb", NULL,
                                  NULL, &err),
                &err, DRV_ERR_VOLUME_DRIVER_NOT_FOUND, "iscsi");
    assert_non_null(strstr(err.message, "iscsi"));
    expect_kind(drv_attach_volume(e->d, &e->inst, &ci, "/dev/qqb", NULL, NULL,
                                  &err),
                &err, DRV_ERR_NOVA, "no bus");
    expect_ok(drv_attach_volume(e->d, &e->inst, &ci, "/dev/vdb", NULL, NULL,
                                &err),
              &err, "attach");
    /* the target is taken: libvirt 9.0 checks the definition first and
     * answers OPERATION_INVALID, which the reference re-raises */
    expect_kind(drv_attach_volume(e->d, &e->inst, &ci, "/dev/vdb", NULL, NULL,
                                  &err),
                &err, DRV_ERR_HYPERVISOR, "again");
    assert_int_equal(err.hv.code, HV_ERR_OPERATION_INVALID);
    /* OPERATION_FAILED is DeviceIsBusy */
    fault_set_add(e->faults,
                  &(fault_rule){.op = HV_OP_DOMAIN_ATTACH_DEVICE, .nth = 1,
                                .count = 1, .code = HV_ERR_OPERATION_FAILED});
    expect_kind(drv_attach_volume(e->d, &e->inst, &ci, "/dev/vdc", NULL, NULL,
                                  &err),
                &err, DRV_ERR_DEVICE_IS_BUSY, "busy");
    assert_false(has_disk(e, true, "vdc", NULL));
    expect_kind(drv_attach_volume(e->d, &e->inst, &ci, "", NULL, NULL, &err),
                &err, DRV_ERR_INVALID_INSTANCE, "no mountpoint");
    /* a block size outside kvm/qemu */
    drv_free(e->d);
    g_free(e->cfg.virt_type);
    e->cfg.virt_type = g_strdup("test");
    e->d = drv_new(&e->cfg, e->conn, &err);
    assert_non_null(e->d);
    sized.has_block_size = true;
    expect_kind(drv_attach_volume(e->d, &e->inst, &sized, "/dev/vdc", NULL,
                                  NULL, &err),
                &err, DRV_ERR_INVALID_HYPERVISOR_TYPE, "block size");
    env_free(e);
}

/* sd gives scsi, a given valid bus wins, a block device is type block. */
static void
test_attach_bus_and_source(void **state)
{
    env *e = env_new(NULL);
    drv_connection_info ci = local(e->vol1, "vol-a001");
    drv_connection_info blk = local("/dev/hvd-test-blk", "vol-blk");
    hv_error hv;
    hv_domain *dom;
    char *xml;
    drv_error err;

    (void)state;
    spawn(e, false);
    expect_ok(drv_attach_volume(e->d, &e->inst, &ci, "/dev/sdb", NULL, NULL,
                                &err),
              &err, "sdb");
    expect_ok(drv_attach_volume(e->d, &e->inst, &blk, "/dev/vdc", "sata",
                                "bogus", &err),
              &err, "vdc");
    dom = hv_domain_lookup_by_uuid(e->conn, UUID, &hv);
    xml = hv_domain_get_xml(dom, HV_XML_INACTIVE, &hv);
    assert_non_null(strstr(xml, "<target dev=\"sdb\" bus=\"scsi\"/>"));
    assert_non_null(strstr(xml, "<target dev=\"vdc\" bus=\"sata\"/>"));
    assert_non_null(strstr(xml, "<source dev=\"/dev/hvd-test-blk\"/>"));
    assert_non_null(strstr(xml, "<serial>vol-a001</serial>"));
    g_free(xml);
    hv_domain_free(dom);
    env_free(e);
}

static void
test_detach_errors(void **state)
{
    env *e = env_new(NULL);
    drv_connection_info ci = local(e->vol1, "vol-a001");
    drv_connection_info iscsi = {.driver_volume_type = (char *)"iscsi"};
    drv_error err;

    (void)state;
    /* the instance disappeared: only the disconnect, no error */
    expect_ok(drv_detach_volume(e->d, &e->inst, &ci, "/dev/vdb", &err), &err,
              "gone");
    expect_kind(drv_detach_volume(e->d, &e->inst, &iscsi, "/dev/vdb", &err),
                &err, DRV_ERR_VOLUME_DRIVER_NOT_FOUND, "gone, iscsi");
    spawn(e, true);
    expect_kind(drv_detach_volume(e->d, &e->inst, &ci, "/dev/vdz", &err),
                &err, DRV_ERR_DISK_NOT_FOUND, "no disk");
    /* the first request fails: the hv error */
    expect_ok(drv_attach_volume(e->d, &e->inst, &ci, "/dev/vdb", NULL, NULL,
                                &err),
              &err, "attach");
    fault_set_add(e->faults,
                  &(fault_rule){.op = HV_OP_DOMAIN_DETACH_DEVICE, .nth = 1,
                                .count = 1, .code = HV_ERR_INTERNAL_ERROR});
    expect_kind(drv_detach_volume(e->d, &e->inst, &ci, "/dev/vdb", &err),
                &err, DRV_ERR_HYPERVISOR, "detach fails");
    assert_true(has_disk(e, true, "vdb", NULL));
    env_free(e);
}

/* ---- swap ---- */

static void
expect_persistent(env *e)
{
    hv_error hv;
    hv_domain *dom = hv_domain_lookup_by_uuid(e->conn, UUID, &hv);

    assert_non_null(dom);
    assert_int_equal(hv_domain_is_persistent(dom, &hv), 1);
    hv_domain_free(dom);
}

static void
test_swap(void **state)
{
    env *e = env_new(NULL);
    drv_connection_info old = local(e->vol1, "vol-a001");
    drv_connection_info nu = local(e->vol2, "vol-a002");
    drv_error err;
    hv_vol_info vi;
    hv_error hv;
    int64_t t0;

    (void)state;
    spawn(e, true);
    expect_ok(drv_attach_volume(e->d, &e->inst, &old, "/dev/vdb", NULL, NULL,
                                &err),
              &err, "attach");
    t0 = hv_now(e->conn);
    expect_ok(drv_swap_volume(e->d, &e->inst, &old, &nu, "/dev/vdb", 2, &err),
              &err, "swap");
    /* 1 GiB at 256 MiB/s: ready at 4 s, seen at the poll of 4.0 s */
    assert_int_equal(hv_now(e->conn) - t0, 4 * SEC);
    assert_true(has_disk(e, false, "vdb", e->vol2));
    /* the reference defines the definition it kept before the copy */
    assert_true(has_disk(e, true, "vdb", e->vol1));
    expect_persistent(e);
    assert_int_equal(hv_vol_get_info(e->conn, e->cfg.storage_pool,
                                     "vol-a002", &vi, &hv),
                     0);
    assert_int_equal(vi.capacity, 2 * GIB);
    assert_int_equal(state_of(e), DRV_POWER_RUNNING);
    env_free(e);
}

/* The pivot fails halfway: the guest keeps the old volume, the
 * definition is back. */
static void
test_swap_fails_halfway(void **state)
{
    env *e = env_new(NULL);
    drv_connection_info old = local(e->vol1, "vol-a001");
    drv_connection_info nu = local(e->vol2, "vol-a002");
    drv_error err;

    (void)state;
    spawn(e, true);
    expect_ok(drv_attach_volume(e->d, &e->inst, &old, "/dev/vdb", NULL, NULL,
                                &err),
              &err, "attach");
    /* the first abort (the idempotent one) is let through */
    fault_set_add(e->faults,
                  &(fault_rule){.op = HV_OP_DOMAIN_BLOCK_JOB_ABORT, .nth = 2,
                                .count = 1, .code = HV_ERR_OPERATION_FAILED});
    expect_kind(drv_swap_volume(e->d, &e->inst, &old, &nu, "/dev/vdb", 0,
                                &err),
                &err, DRV_ERR_HYPERVISOR, "swap");
    assert_true(has_disk(e, false, "vdb", e->vol1));
    assert_true(has_disk(e, true, "vdb", e->vol1));
    expect_persistent(e);
    env_free(e);
}

static void
test_swap_errors(void **state)
{
    env *e = env_new(NULL);
    drv_connection_info old = local(e->vol1, "vol-a001");
    drv_connection_info nu = local(e->vol2, "vol-a002");
    drv_connection_info nopath = {.driver_volume_type = (char *)"local"};
    drv_connection_info missing = local("/var/lib/hvd/images/nope", "x");
    drv_error err;

    (void)state;
    expect_kind(drv_swap_volume(e->d, &e->inst, &old, &nu, "/dev/vdb", 0,
                                &err),
                &err, DRV_ERR_INSTANCE_NOT_FOUND, "no instance");
    spawn(e, false);
    expect_kind(drv_swap_volume(e->d, &e->inst, &old, &nu, "/dev/vdb", 0,
                                &err),
                &err, DRV_ERR_DISK_NOT_FOUND, "no disk");
    expect_ok(drv_attach_volume(e->d, &e->inst, &old, "/dev/vdb", NULL, NULL,
                                &err),
              &err, "attach");
    expect_kind(drv_swap_volume(e->d, &e->inst, &old, &nopath, "/dev/vdb", 0,
                                &err),
                &err, DRV_ERR_NOT_SUPPORTED, "no path");
    /* shut off: undefining the definition removes the domain, so the
     * copy finds none; the definition is defined again */
    expect_kind(drv_swap_volume(e->d, &e->inst, &old, &nu, "/dev/vdb", 0,
                                &err),
                &err, DRV_ERR_HYPERVISOR, "shut off");
    assert_int_equal(err.hv.code, HV_ERR_NO_DOMAIN);
    assert_true(has_disk(e, true, "vdb", e->vol1));
    expect_persistent(e);
    /* power on regenerates the XML from the instance's own volumes (the
     * reference's hard reboot): attach again */
    expect_ok(drv_power_on(e->d, &e->inst, &err), &err, "power on");
    expect_ok(drv_attach_volume(e->d, &e->inst, &old, "/dev/vdb", NULL, NULL,
                                &err),
              &err, "attach again");
    expect_kind(drv_swap_volume(e->d, &e->inst, &old, &missing, "/dev/vdb", 0,
                                &err),
                &err, DRV_ERR_HYPERVISOR, "missing");
    assert_true(has_disk(e, false, "vdb", e->vol1));
    expect_persistent(e);
    env_free(e);
}

/* ---- statistics, connector, the rest ---- */

static void
test_stats_and_usage(void **state)
{
    env *e = env_new(NULL);
    drv_connection_info ci = local(e->vol1, "vol-a001");
    drv_bdm bdm = {.volume_id = (char *)"vol-a001",
                   .mount_device = (char *)"/dev/vdb"};
    drv_bdm gone = {.volume_id = (char *)"vol-a0ff",
                    .mount_device = (char *)"/dev/vdz"};
    drv_bdm both[2] = {bdm, gone};
    const drv_instance *list[1];
    drv_volume_usage *u = NULL;
    unsigned int n = 9;
    hv_block_stats st;
    drv_error err;

    (void)state;
    assert_int_equal(drv_block_stats(e->d, &e->inst, "vdb", &st, &err), 0);
    spawn(e, true);
    expect_ok(drv_attach_volume(e->d, &e->inst, &ci, "/dev/vdb", NULL, NULL,
                                &err),
              &err, "attach");
    assert_int_equal(drv_block_stats(e->d, &e->inst, "vdb", &st, &err), 1);
    assert_true(st.rd_req > 0);
    assert_int_equal(drv_block_stats(e->d, &e->inst, "vdz", &st, &err), 0);
    assert_int_equal(drv_block_stats(e->d, &e->inst, NULL, &st, &err), -1);
    e->inst.volumes = both;
    e->inst.n_volumes = 2;
    list[0] = &e->inst;
    expect_ok(drv_get_all_volume_usage(e->d, list, 1, &u, &n, &err), &err,
              "usage");
    assert_int_equal(n, 1);
    assert_string_equal(u[0].volume_id, "vol-a001");
    assert_string_equal(u[0].instance_uuid, UUID);
    assert_true(u[0].rd_bytes > 0);
    drv_volume_usage_free(u, n);
    e->inst.volumes = NULL;
    e->inst.n_volumes = 0;
    env_free(e);
}

static void
test_connector_extend_snapshots(void **state)
{
    env *e = env_new(NULL);
    drv_connection_info ci = local(e->vol1, "vol-a001");
    drv_volume_connector c;
    drv_snapshot_create_info ok = {.snapshot_id = "s1", .type = "qcow2",
                                   .new_file = "new.qcow2"};
    drv_snapshot_create_info raw = {.snapshot_id = "s1", .type = "raw"};
    drv_snapshot_create_info noid = {.type = "qcow2"};
    drv_snapshot_delete_info del = {.type = "qcow2", .file_to_merge = "a"};
    drv_snapshot_delete_info delraw = {.type = "raw"};
    drv_error err;

    (void)state;
    expect_ok(drv_get_volume_connector(e->d, &e->inst, &c, &err), &err,
              "connector");
    assert_string_equal(c.host, "h1");
    assert_string_equal(c.ip, "h1");
    assert_false(c.multipath);
    drv_volume_connector_clear(&c);
    expect_kind(drv_extend_volume(e->d, &e->inst, &ci, GIB, &err), &err,
                DRV_ERR_NOT_SUPPORTED, "extend");
    expect_kind(drv_volume_snapshot_create(e->d, &e->inst, "v", &ok, &err),
                &err, DRV_ERR_INSTANCE_NOT_RUNNING, "snapshot, no domain");
    expect_kind(drv_volume_snapshot_delete(e->d, &e->inst, "v", "s", &delraw,
                                           &err),
                &err, DRV_ERR_NOVA, "delete, raw before the lookup");
    spawn(e, true);
    expect_kind(drv_volume_snapshot_create(e->d, &e->inst, "v", &raw, &err),
                &err, DRV_ERR_NOVA, "raw");
    assert_string_equal(err.message, "Unknown type: raw");
    expect_kind(drv_volume_snapshot_create(e->d, &e->inst, "v", &noid, &err),
                &err, DRV_ERR_NOVA, "no id");
    expect_kind(drv_volume_snapshot_create(e->d, &e->inst, "v", &ok, &err),
                &err, DRV_ERR_NOT_SUPPORTED, "create");
    expect_kind(drv_volume_snapshot_delete(e->d, &e->inst, "v", "s", &del,
                                           &err),
                &err, DRV_ERR_NOT_SUPPORTED, "delete");
    env_free(e);
}

static void
test_connection_info_json(void **state)
{
    drv_connection_info ci;
    drv_error err;

    (void)state;
    expect_ok(drv_connection_info_load_json(
                  "{\"driver_volume_type\": \"local\", \"serial\": \"v1\", "
                  "\"data\": {\"device_path\": \"/dev/sdb\", \"format\": "
                  "\"qcow2\", \"logical_block_size\": \"512\"}}",
                  "ci.json", &ci, &err),
              &err, "load");
    assert_string_equal(ci.driver_volume_type, "local");
    assert_string_equal(ci.serial, "v1");
    assert_string_equal(ci.device_path, "/dev/sdb");
    assert_string_equal(ci.format, "qcow2");
    assert_true(ci.has_block_size);
    drv_connection_info_clear(&ci);
    expect_kind(drv_connection_info_load_json(
                    "{\"driver_volume_type\": \"local\",\n \"data\": "
                    "{\"device_path\": \"rel/path\"}}",
                    "ci.json", &ci, &err),
                &err, DRV_ERR_INVALID_CONNECTION_INFO, "relative");
    assert_non_null(strstr(err.message, "ci.json:2:"));
    assert_non_null(strstr(err.message, "$.data.device_path"));
    assert_null(ci.driver_volume_type);
    expect_kind(drv_connection_info_load_json("{\"serial\": \"v\"}", "ci.json",
                                              &ci, &err),
                &err, DRV_ERR_INVALID_CONNECTION_INFO, "no type");
    assert_non_null(strstr(err.message, "driver_volume_type"));
    expect_kind(drv_connection_info_load_json(
                    "{\"driver_volume_type\": \"local\", \"bogus\": 1}",
                    "ci.json", &ci, &err),
                &err, DRV_ERR_INVALID_CONNECTION_INFO, "unknown key");
    assert_non_null(strstr(err.message, "bogus"));
    expect_kind(drv_connection_info_load_json("[1", "ci.json", &ci, &err),
                &err, DRV_ERR_INVALID_CONNECTION_INFO, "not JSON");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_attach_detach_running),
        cmocka_unit_test(test_attach_detach_shutoff),
        cmocka_unit_test(test_attach_detach_paused),
        cmocka_unit_test(test_detach_guest_holds_device),
        cmocka_unit_test(test_detach_slow_guest),
        cmocka_unit_test(test_attach_errors),
        cmocka_unit_test(test_attach_bus_and_source),
        cmocka_unit_test(test_detach_errors),
        cmocka_unit_test(test_swap),
        cmocka_unit_test(test_swap_fails_halfway),
        cmocka_unit_test(test_swap_errors),
        cmocka_unit_test(test_stats_and_usage),
        cmocka_unit_test(test_connector_extend_snapshots),
        cmocka_unit_test(test_connection_info_json),
    };

    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests_name("volume", tests, NULL, NULL);
}
