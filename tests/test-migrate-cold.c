/*
 * test-migrate-cold.c: cold migration, resize, revert, confirm and
 * evacuate (driver/drv-migrate-cold.c) and the volume copy under them
 * (hv_vol_copy_to), on a fake world with two hosts, h1 (the source) and h2
 * (the destination), one driver each, driven as Newton's compute manager
 * drives them: migrate_disk_and_power_off on h1, finish_migration on h2,
 * then confirm_migration on h1, or destroy on h2 and
 * finish_revert_migration on h1. Every case checks where the instance
 * ends (exactly one host, running or shut off as expected) and that
 * nothing of it is left on the other. The last case runs a cold
 * migration and a revert between two real libvirtd hosts (HVD_REAL=1,
 * HVD_HOST_B_URI from ci/host-b.sh, the tiny guest; skipped otherwise).
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>

#include <cmocka.h>

#include "drv.h"
#include "fake.h"
#include "fault.h"
#include "hv-libvirt.h"
#include "hv.h"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#define UUID "3c4e0000-0000-4000-8000-0000000000d1"
#define NAME "instance-cold"
#define INST_PATH "/var/lib/hvd/instances"
#define GIB (UINT64_C(1) << 30)
#define MIB (UINT64_C(1) << 20)

typedef struct host {
    hv_conn *conn;
    drv *d;
    fault_set *faults;
    fake_host *fh;
} host;

typedef struct env {
    sim_world *w;
    drv_config cfg;
    host h[2]; /* h1, h2 */
    drv_instance inst;
    drv_vif vifs[1];
    /* a crash of h2 armed for the copy of the instance's disks */
    int64_t crash_after_ns;
    int64_t copy_start_ns; /* when that copy began */
    hv_hooks chained;
} env;

static void
ok(int rc, const drv_error *err, const char *what)
{
    if (rc != 0)
        fail_msg("%s: %s: %s", what, drv_error_kind_name(err->kind),
                 err->message);
}

/* Two hosts with the image base.qcow2 on h1 (on h2 too if image_on_h2),
 * a driver on each, the instance: 1 GiB root on the image, 1 GiB
 * ephemeral, one plugged VIF. */
static env *
env_new_with(bool image_on_h2)
{
    env *e = g_new0(env, 1);
    hv_vol_spec base = {.name = "base.qcow2", .capacity = GIB,
                        .allocation = 256 * MIB, .format = "qcow2"};
    const char *names[2] = {"h1", "h2"};
    hv_error hv;
    drv_error err;

    e->w = fake_world_new(11);
    drv_config_defaults(&e->cfg);
    g_free(e->cfg.virt_type);
    e->cfg.virt_type = g_strdup("qemu");
    for (int i = 0; i < 2; i++) {
        fake_host_spec spec = {.name = names[i], .vcpus = 8,
                               .memory_mib = 16384, .disk_gib = 100,
                               .storage_pool = e->cfg.storage_pool};
        host *h = &e->h[i];

        assert_non_null(h->fh = fake_host_add(e->w, &spec, &hv));
        assert_non_null(h->conn = fake_conn_open(e->w, names[i], &hv));
        if (i == 0 || image_on_h2)
            assert_int_equal(hv_vol_create(h->conn, e->cfg.storage_pool,
                                           &base, &hv), 0);
        h->faults = fault_set_new();
        fault_set_attach(h->faults, h->conn);
        assert_non_null(h->d = drv_new(&e->cfg, h->conn, &err));
        ok(drv_init_host(h->d, names[i], &err), &err, "init_host");
    }
    e->vifs[0] = (drv_vif){.id = "vif-1", .mac = "52:54:00:00:00:01",
                           .type = "ethernet", .devname = "tap1",
                           .active = true};
    e->inst = (drv_instance){
        .uuid = UUID,
        .name = NAME,
        .flavor = {.name = "m1.small", .vcpus = 1, .memory_mb = 256,
                   .root_gb = 1, .ephemeral_gb = 1},
        .image = {.id = "img-1", .volume = "base.qcow2", .format = "qcow2"},
        .vifs = e->vifs,
        .n_vifs = 1,
        .root_device_name = "/dev/vda",
    };
    return e;
}

static env *
env_new(void)
{
    return env_new_with(true);
}

static void
env_free(env *e)
{
    for (int i = 0; i < 2; i++) {
        host *h = &e->h[i];

        drv_free(h->d);
        fault_set_detach(h->faults, h->conn);
        fault_set_free(h->faults);
        hv_conn_close(h->conn);
    }
    drv_config_clear(&e->cfg);
    fake_world_free(e->w);
    g_free(e);
}

/* The instance with another flavor (the strings are the test's). */
static drv_instance
with_flavor(const env *e, unsigned int vcpus, uint64_t memory_mb,
            uint64_t root_gb, uint64_t ephemeral_gb)
{
    drv_instance i = e->inst;

    i.flavor.name = "m1.other";
    i.flavor.vcpus = vcpus;
    i.flavor.memory_mb = memory_mb;
    i.flavor.root_gb = root_gb;
    i.flavor.ephemeral_gb = ephemeral_gb;
    return i;
}

/* The instance's power state on host i, -1 if it has no domain there. */
static int
state_on(env *e, int i)
{
    drv_info info;
    drv_error err;

    if (drv_get_info(e->h[i].d, &e->inst, &info, &err) < 0) {
        assert_int_equal(err.kind, DRV_ERR_INSTANCE_NOT_FOUND);
        return -1;
    }
    return info.state;
}

/* How many volumes of the instance host i's pool holds. */
static unsigned int
inst_volumes(env *e, int i)
{
    char **names = NULL;
    hv_error hv;
    unsigned int n = 0;

    assert_int_equal(hv_vol_list(e->h[i].conn, e->cfg.storage_pool, &names,
                                 &hv), 0);
    for (char **p = names; *p; p++)
        if (g_str_has_prefix(*p, UUID))
            n++;
    g_strfreev(names);
    return n;
}

/* Does host i have the folder (or file) path of the instance store? */
static bool
has_path(env *e, int i, const char *suffix)
{
    char **paths = fake_host_instance_paths(e->h[i].fh);
    char *want = g_strconcat(INST_PATH "/", suffix, NULL);
    bool found = false;

    for (char **p = paths; *p; p++)
        if (strcmp(*p, want) == 0)
            found = true;
    g_free(want);
    g_strfreev(paths);
    return found;
}

/* Nothing of the instance on host i: no domain, volume or folder. */
static void
assert_clean(env *e, int i)
{
    char **paths = fake_host_instance_paths(e->h[i].fh);

    assert_int_equal(state_on(e, i), -1);
    assert_int_equal(inst_volumes(e, i), 0);
    for (char **p = paths; *p; p++)
        if (strstr(*p, UUID))
            fail_msg("host %d keeps %s", i + 1, *p);
    g_strfreev(paths);
}

static uint64_t
capacity(env *e, int i, const char *suffix)
{
    char *name = g_strconcat(UUID, suffix, NULL);
    hv_vol_info vi;
    hv_error hv;

    assert_int_equal(hv_vol_get_info(e->h[i].conn, e->cfg.storage_pool, name,
                                     &vi, &hv), 0);
    g_free(name);
    return vi.capacity;
}

static char *
domain_xml(env *e, int i)
{
    hv_domain *dom;
    hv_error hv;
    char *xml;

    assert_non_null(dom = hv_domain_lookup_by_uuid(e->h[i].conn, UUID, &hv));
    assert_non_null(xml = hv_domain_get_xml(dom, HV_XML_INACTIVE, &hv));
    hv_domain_free(dom);
    return xml;
}

static void
spawn_on(env *e, int i)
{
    drv_error err;

    ok(drv_spawn(e->h[i].d, &e->inst, true, &err), &err, "spawn");
}

/* migrate_disk_and_power_off h1 -> h2 with flavor; the disk info. */
static char *
migrate_off(env *e, const drv_flavor *flavor)
{
    char *info = NULL;
    drv_error err;

    ok(drv_migrate_disk_and_power_off(e->h[0].d, &e->inst, "h2", flavor, 60,
                                      10, &info, &err),
       &err, "migrate_disk_and_power_off");
    assert_non_null(info);
    return info;
}

/* ---- the copy (hv_vol_copy_to on the fake) ---- */

static void
test_copy_fake(void **state)
{
    env *e = env_new_with(false);
    hv_vol_spec top = {.name = "top", .capacity = 2 * GIB,
                       .allocation = 512 * MIB, .format = "qcow2",
                       .backing_path = "/var/lib/hvd/images/base.qcow2",
                       .backing_format = "qcow2"};
    const char *image[] = {"base.qcow2", NULL};
    const char *both[] = {"top", "base.qcow2", NULL};
    const char *missing[] = {"top", "nope", NULL};
    hv_conn *c = e->h[0].conn;
    const char *pool = e->cfg.storage_pool;
    hv_vol_info vi;
    hv_error hv;
    int64_t t0;

    (void)state;
    assert_int_equal(hv_vol_create(c, pool, &top, &hv), 0);
    /* the backing file must be there first */
    t0 = hv_now(c);
    assert_int_equal(hv_vol_copy_to(c, pool, both + 0, "h2", pool, &hv), -1);
    assert_int_equal(hv.code, HV_ERR_NO_STORAGE_VOL);
    assert_non_null(strstr(hv.message, "base.qcow2"));
    assert_int_equal(hv_now(c), t0);
    /* a name the source lacks: nothing moves */
    assert_int_equal(hv_vol_copy_to(c, pool, missing, "h2", pool, &hv), -1);
    assert_int_equal(hv.code, HV_ERR_NO_STORAGE_VOL);
    assert_int_equal(hv_now(c), t0);
    /* the image: 256 MiB at the default 1024 MiB/s is 250 ms exactly */
    assert_int_equal(hv_vol_copy_to(c, pool, image, "qemu+tcp://h2/system",
                                    pool, &hv), 0);
    assert_int_equal(hv_now(c) - t0, 250 * HV_NS_PER_MS);
    /* again: it is there already */
    assert_int_equal(hv_vol_copy_to(c, pool, image, "h2", pool, &hv), -1);
    assert_int_equal(hv.code, HV_ERR_STORAGE_VOL_EXIST);
    /* at 256 MiB/s the 512 MiB top takes 2 s, backed by h2's image */
    fake_world_set_link_speed(e->w, 256);
    t0 = hv_now(c);
    assert_int_equal(hv_vol_copy_to(c, pool, both, "h2", pool, &hv), -1);
    assert_int_equal(hv.code, HV_ERR_STORAGE_VOL_EXIST); /* base there */
    assert_int_equal(hv_now(c), t0);
    assert_int_equal(hv_vol_copy_to(c, pool, (const char *[]){"top", NULL},
                                    "h2", pool, &hv), 0);
    assert_int_equal(hv_now(c) - t0, 2 * HV_NS_PER_SEC);
    assert_int_equal(hv_vol_get_info(e->h[1].conn, pool, "top", &vi, &hv), 0);
    assert_int_equal(vi.capacity, 2 * GIB);
    assert_int_equal(vi.allocation, 512 * MIB);
    assert_string_equal(vi.format, "qcow2");
    assert_string_equal(vi.backing_path, "/var/lib/hvd/images/base.qcow2");
    /* errors reaching the destination */
    assert_int_equal(hv_vol_copy_to(c, pool, image, "h9", pool, &hv), -1);
    assert_int_equal(hv.code, HV_ERR_NO_CONNECT);
    assert_int_equal(hv_vol_copy_to(c, pool, image, "h2", "other", &hv), -1);
    assert_int_equal(hv.code, HV_ERR_NO_STORAGE_POOL);
    fake_host_daemon_stop(e->h[1].fh);
    assert_int_equal(hv_vol_copy_to(c, pool, image, "h2", pool, &hv), -1);
    assert_int_equal(hv.code, HV_ERR_SYSTEM_ERROR);
    fake_host_daemon_start(e->h[1].fh);
    /* bad arguments, named */
    assert_int_equal(hv_vol_copy_to(c, pool, (const char *[]){NULL}, "h2",
                                    pool, &hv), -1);
    assert_int_equal(hv.code, HV_ERR_INVALID_ARG);
    assert_int_equal(hv_vol_copy_to(c, pool, (const char *[]){"a/b", NULL},
                                    "h2", pool, &hv), -1);
    assert_int_equal(hv.code, HV_ERR_INVALID_ARG);
    assert_non_null(strstr(hv.message, "a/b"));
    env_free(e);
}

/* The destination's pool fills up: the copy fails once what was free is
 * sent, and leaves nothing there. */
static void
test_copy_fake_disk_full(void **state)
{
    env *e = env_new_with(false);
    const char *image[] = {"base.qcow2", NULL};
    const char *pool = e->cfg.storage_pool;
    hv_conn *c = e->h[0].conn;
    hv_error hv;
    int64_t t0;

    (void)state;
    fake_host_set_disk_free(e->h[1].fh, 64 * MIB);
    t0 = hv_now(c);
    assert_int_equal(hv_vol_copy_to(c, pool, image, "h2", pool, &hv), -1);
    assert_int_equal(hv.code, HV_ERR_SYSTEM_ERROR);
    assert_int_equal(hv.sys_errno, ENOSPC);
    /* 64 MiB at 1024 MiB/s */
    assert_int_equal(hv_now(c) - t0, 62500 * 1000);
    assert_int_equal(fake_host_volume_count(e->h[1].fh), 0);
    env_free(e);
}

static void
stop_daemon(sim_world *w, void *a, uint64_t b)
{
    (void)w;
    (void)b;
    fake_host_daemon_stop(a);
}

/* The source's daemon stops 100 ms into a 250 ms copy: the caller's
 * connection is lost then, and nothing reaches h2. */
static void
test_copy_fake_source_lost(void **state)
{
    env *e = env_new_with(false);
    const char *image[] = {"base.qcow2", NULL};
    const char *pool = e->cfg.storage_pool;
    hv_conn *c = e->h[0].conn;
    hv_error hv;
    int64_t t0 = hv_now(c);

    (void)state;
    sim_schedule(e->w, t0 + 100 * HV_NS_PER_MS, stop_daemon, e->h[0].fh, 0);
    assert_int_equal(hv_vol_copy_to(c, pool, image, "h2", pool, &hv), -1);
    assert_true(hv.conn_lost);
    assert_int_equal(sim_now(e->w) - t0, 100 * HV_NS_PER_MS);
    assert_int_equal(fake_host_volume_count(e->h[1].fh), 0);
    fake_host_daemon_start(e->h[0].fh);
    env_free(e);
}

/* ---- cold migration on the fake ---- */

/* Migrate to h2, finish there, confirm on h1: running on h2 only. */
static void
test_migrate_confirm(void **state)
{
    env *e = env_new();
    char *info;
    drv_error err;
    int64_t t0;

    (void)state;
    spawn_on(e, 0);
    /* the guest's OS is up (it boots in 3.4 s) and acts on ACPI */
    ok(drv_wait(e->h[0].d, 5 * HV_NS_PER_SEC, &err), &err, "wait");
    t0 = hv_now(e->h[0].conn);
    info = migrate_off(e, &e->inst.flavor);
    /* power_off: ACPI at 0, acted on at 2.1 s, seen by the poll at 3 s;
     * then the two qcow2 headers (2 x 196 KiB) at 1024 MiB/s, rounded
     * up: 373841 ns (the image is on h2 already: no time) */
    assert_int_equal(hv_now(e->h[0].conn) - t0,
                     3 * HV_NS_PER_SEC + 373841);
    /* the source is off, its folder aside, its volumes still there */
    assert_int_equal(state_on(e, 0), DRV_POWER_SHUTDOWN);
    assert_true(has_path(e, 0, UUID "_resize/"));
    assert_false(has_path(e, 0, UUID "/"));
    assert_int_equal(inst_volumes(e, 0), 2);
    assert_int_equal(inst_volumes(e, 1), 2);
    assert_non_null(strstr(info, UUID "_disk"));
    ok(drv_finish_migration(e->h[1].d, &e->inst, info, false, true, &err),
       &err, "finish_migration");
    assert_int_equal(state_on(e, 1), DRV_POWER_RUNNING);
    assert_true(has_path(e, 1, UUID "/"));
    assert_true(has_path(e, 1, UUID "/console.log"));
    ok(drv_confirm_migration(e->h[0].d, &e->inst, &err), &err, "confirm");
    assert_clean(e, 0);
    assert_int_equal(state_on(e, 1), DRV_POWER_RUNNING);
    assert_int_equal(inst_volumes(e, 1), 2);
    /* a second confirm finds nothing to do */
    ok(drv_confirm_migration(e->h[0].d, &e->inst, &err), &err, "confirm");
    g_free(info);
    env_free(e);
}

/* Resize up onto h2: bigger disks, the new vCPUs and memory. */
static void
test_resize_up(void **state)
{
    env *e = env_new();
    drv_instance big = with_flavor(e, 2, 512, 3, 2);
    char *info, *xml;
    drv_error err;

    (void)state;
    e->inst.flavor.swap_mb = 0;
    spawn_on(e, 0);
    info = migrate_off(e, &big.flavor);
    ok(drv_finish_migration(e->h[1].d, &big, info, true, true, &err), &err,
       "finish_migration");
    assert_int_equal(capacity(e, 1, "_disk"), 3 * GIB);
    assert_int_equal(capacity(e, 1, "_disk.eph0"), 2 * GIB);
    xml = domain_xml(e, 1);
    assert_non_null(strstr(xml, ">524288</memory>"));
    assert_non_null(strstr(xml, ">2</vcpu>"));
    g_free(xml);
    /* the source's disks are as they were until confirm */
    assert_int_equal(capacity(e, 0, "_disk"), GIB);
    ok(drv_confirm_migration(e->h[0].d, &big, &err), &err, "confirm");
    assert_clean(e, 0);
    g_free(info);
    env_free(e);
}

/* A new swap size: the swap volume is not copied, finish makes it. */
static void
test_resize_swap(void **state)
{
    env *e = env_new();
    drv_instance swap = with_flavor(e, 1, 256, 1, 1);
    char *info;
    drv_error err;

    (void)state;
    e->inst.flavor.swap_mb = 256;
    spawn_on(e, 0);
    assert_int_equal(inst_volumes(e, 0), 3);
    swap.flavor.swap_mb = 512;
    info = migrate_off(e, &swap.flavor);
    assert_int_equal(inst_volumes(e, 1), 2);
    ok(drv_finish_migration(e->h[1].d, &swap, info, true, true, &err), &err,
       "finish_migration");
    assert_int_equal(capacity(e, 1, "_disk.swap"), 512 * MIB);
    g_free(info);
    env_free(e);
}

/* Shrinking the root or the ephemeral disk: ResizeError, nothing
 * changed, the instance running on h1 and nothing on h2. */
static void
test_shrink_refused(void **state)
{
    env *e = env_new();
    drv_instance small_root = with_flavor(e, 1, 256, 0, 1);
    drv_instance small_eph = with_flavor(e, 1, 256, 1, 0);
    const drv_instance *cases[] = {&small_root, &small_eph};
    char *info = NULL;
    drv_error err;

    (void)state;
    spawn_on(e, 0);
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        assert_int_equal(drv_migrate_disk_and_power_off(
                             e->h[0].d, &e->inst, "h2", &cases[i]->flavor, 60,
                             10, &info, &err),
                         -1);
        assert_int_equal(err.kind, DRV_ERR_RESIZE);
        assert_string_equal(drv_error_kind_name(err.kind), "ResizeError");
        assert_non_null(strstr(err.message, "Unable to resize disk down."));
        assert_non_null(strstr(err.message, "InstanceFaultRollback"));
        assert_null(info);
        assert_int_equal(state_on(e, 0), DRV_POWER_RUNNING);
        assert_true(has_path(e, 0, UUID "/"));
        assert_false(has_path(e, 0, UUID "_resize/"));
        assert_int_equal(inst_volumes(e, 0), 2);
        assert_clean(e, 1);
    }
    env_free(e);
}

/* A bad destination never reaches a URI; bad disk info is refused. */
static void
test_bad_input(void **state)
{
    env *e = env_new();
    char *info = NULL;
    drv_error err;

    (void)state;
    spawn_on(e, 0);
    assert_int_equal(drv_migrate_disk_and_power_off(e->h[0].d, &e->inst,
                                                    "h2/?x=1",
                                                    &e->inst.flavor, 60, 10,
                                                    &info, &err),
                     -1);
    assert_int_equal(err.kind, DRV_ERR_INVALID_HOSTNAME);
    assert_int_equal(drv_migrate_disk_and_power_off(e->h[0].d, &e->inst, "h2",
                                                    NULL, 60, 10, &info,
                                                    &err),
                     -1);
    assert_int_equal(err.kind, DRV_ERR_INVALID_INSTANCE);
    assert_int_equal(drv_finish_migration(e->h[1].d, &e->inst, "{", false,
                                          true, &err),
                     -1);
    assert_int_equal(err.kind, DRV_ERR_INVALID_MIGRATE_DATA);
    assert_non_null(strstr(err.message, UUID));
    assert_int_equal(drv_finish_migration(e->h[1].d, &e->inst, NULL, false,
                                          true, &err),
                     -1);
    assert_int_equal(err.kind, DRV_ERR_INVALID_MIGRATE_DATA);
    assert_int_equal(state_on(e, 0), DRV_POWER_RUNNING);
    assert_clean(e, 1);
    env_free(e);
}

/* Revert: h2 destroyed by the manager, h1 back, running, old flavor. */
static void
test_revert(void **state)
{
    env *e = env_new();
    drv_instance big = with_flavor(e, 2, 512, 2, 1);
    char *info, *xml;
    drv_error err;

    (void)state;
    spawn_on(e, 0);
    info = migrate_off(e, &big.flavor);
    ok(drv_finish_migration(e->h[1].d, &big, info, true, true, &err), &err,
       "finish_migration");
    ok(drv_destroy(e->h[1].d, &big, true, &err), &err, "destroy on h2");
    assert_clean(e, 1);
    ok(drv_finish_revert_migration(e->h[0].d, &e->inst, true, &err), &err,
       "finish_revert_migration");
    assert_int_equal(state_on(e, 0), DRV_POWER_RUNNING);
    assert_true(has_path(e, 0, UUID "/"));
    assert_false(has_path(e, 0, UUID "_resize/"));
    assert_false(has_path(e, 0, UUID "/hvd-resize.json"));
    assert_int_equal(capacity(e, 0, "_disk"), GIB);
    xml = domain_xml(e, 0);
    assert_non_null(strstr(xml, ">262144</memory>"));
    assert_non_null(strstr(xml, ">1</vcpu>"));
    g_free(xml);
    assert_clean(e, 1);
    /* a confirm after the revert has nothing to remove */
    ok(drv_confirm_migration(e->h[0].d, &e->inst, &err), &err, "confirm");
    assert_int_equal(state_on(e, 0), DRV_POWER_RUNNING);
    assert_int_equal(inst_volumes(e, 0), 2);
    g_free(info);
    env_free(e);
}

/* finish_migration with power_on false: defined, shut off. */
static void
test_power_on_false(void **state)
{
    env *e = env_new();
    char *info;
    drv_error err;
    int64_t t0;

    (void)state;
    spawn_on(e, 0);
    info = migrate_off(e, &e->inst.flavor);
    t0 = hv_now(e->h[1].conn);
    ok(drv_finish_migration(e->h[1].d, &e->inst, info, false, false, &err),
       &err, "finish_migration");
    /* nothing to wait for */
    assert_int_equal(hv_now(e->h[1].conn), t0);
    assert_int_equal(state_on(e, 1), DRV_POWER_SHUTDOWN);
    ok(drv_confirm_migration(e->h[0].d, &e->inst, &err), &err, "confirm");
    assert_clean(e, 0);
    /* revert with power_on false too */
    ok(drv_destroy(e->h[1].d, &e->inst, true, &err), &err, "destroy");
    g_free(info);
    env_free(e);
}

/* The instance as migrate_disk_and_power_off leaves it after a failed
 * copy: the folder back, its disks, off, nothing on h2. */
static void
assert_restored(env *e)
{
    assert_int_equal(state_on(e, 0), DRV_POWER_SHUTDOWN);
    assert_true(has_path(e, 0, UUID "/"));
    assert_false(has_path(e, 0, UUID "_resize/"));
    assert_false(has_path(e, 0, UUID "/hvd-resize.json"));
    assert_int_equal(inst_volumes(e, 0), 2);
    assert_int_equal(inst_volumes(e, 1), 0);
    assert_false(has_path(e, 1, UUID "/"));
}

/* h2's disk is full: DiskFull, the source restored
 * (_cleanup_remote_migration); a revert then starts it again. */
static void
test_disk_full(void **state)
{
    env *e = env_new();
    char *info = NULL;
    drv_error err;

    (void)state;
    spawn_on(e, 0);
    fake_host_set_disk_free(e->h[1].fh, 0);
    assert_int_equal(drv_migrate_disk_and_power_off(e->h[0].d, &e->inst,
                                                    "h2", &e->inst.flavor, 60,
                                                    10, &info, &err),
                     -1);
    assert_int_equal(err.kind, DRV_ERR_DISK_FULL);
    assert_int_equal(err.hv.sys_errno, ENOSPC);
    assert_null(info);
    assert_restored(e);
    ok(drv_finish_revert_migration(e->h[0].d, &e->inst, true, &err), &err,
       "finish_revert_migration");
    assert_int_equal(state_on(e, 0), DRV_POWER_RUNNING);
    env_free(e);
}

static void
crash_h2(sim_world *w, void *a, uint64_t b)
{
    (void)w;
    (void)b;
    fake_host_crash_reboot(a);
}

/* Arms h2's crash crash_after_ns into the copy of the instance's disks. */
static int
arm_crash(void *opaque, hv_conn *conn, const hv_call *call, hv_error *err)
{
    env *e = opaque;

    if (call->op == HV_OP_VOL_COPY_TO && call->target &&
        strstr(call->target, UUID) && e->crash_after_ns > 0) {
        e->copy_start_ns = sim_now(e->w);
        sim_schedule(e->w, sim_now(e->w) + e->crash_after_ns, crash_h2,
                     e->h[1].fh, 0);
        e->crash_after_ns = 0;
    }
    return e->chained.before ? e->chained.before(e->chained.opaque, conn,
                                                 call, err)
                             : 0;
}

static void
chain_after(void *opaque, hv_conn *conn, const hv_call *call, int rc,
            const hv_error *err)
{
    env *e = opaque;

    if (e->chained.after)
        e->chained.after(e->chained.opaque, conn, call, rc, err);
}

static void
chain_event(void *opaque, hv_conn *conn, const hv_event *ev)
{
    env *e = opaque;

    if (e->chained.event)
        e->chained.event(e->chained.opaque, conn, ev);
}

/* h2 crashes while the disks are copied: the copy fails, the source is
 * restored, nothing of the instance on h2. */
static void
test_dest_crash(void **state)
{
    env *e = env_new();
    hv_hooks hooks;
    char *info = NULL;
    drv_error err;

    (void)state;
    spawn_on(e, 0);
    /* 1 MiB/s: the two qcow2 headers (2 x 196 KiB) take 392 ms */
    fake_world_set_link_speed(e->w, 1);
    e->chained = hv_conn_get_hooks(e->h[0].conn);
    hooks = (hv_hooks){.before = arm_crash, .after = chain_after,
                       .event = chain_event, .opaque = e};
    hv_conn_set_hooks(e->h[0].conn, &hooks);
    e->crash_after_ns = 100 * HV_NS_PER_MS;
    assert_int_equal(drv_migrate_disk_and_power_off(e->h[0].d, &e->inst,
                                                    "h2", &e->inst.flavor, 60,
                                                    10, &info, &err),
                     -1);
    /* the copy ended when h2 went, 100 ms in, not at its 392 ms end */
    assert_int_equal(hv_now(e->h[0].conn), e->copy_start_ns +
                                               100 * HV_NS_PER_MS);
    assert_int_equal(err.kind, DRV_ERR_HYPERVISOR);
    assert_int_equal(err.hv.code, HV_ERR_OPERATION_FAILED);
    assert_non_null(strstr(err.message, "Lost connection"));
    hv_conn_set_hooks(e->h[0].conn, &e->chained);
    /* h2 rebooted: its connection is new (the lost one is not) */
    assert_int_equal(hv_conn_reconnect(e->h[1].conn, &err.hv), 0);
    assert_restored(e);
    env_free(e);
}

/* An injected failure of the copy (the fault wrapper sees the op). */
static void
test_copy_fault(void **state)
{
    env *e = env_new();
    fault_rule r = {.op = HV_OP_VOL_COPY_TO, .code = HV_ERR_OPERATION_FAILED,
                    .message = "injected: link down"};
    char *info = NULL;
    drv_error err;

    (void)state;
    spawn_on(e, 0);
    fault_set_add(e->h[0].faults, &r);
    assert_int_equal(drv_migrate_disk_and_power_off(e->h[0].d, &e->inst,
                                                    "h2", &e->inst.flavor, 60,
                                                    10, &info, &err),
                     -1);
    /* the image copy is the first: refused before anything changed */
    assert_int_equal(err.kind, DRV_ERR_RESIZE);
    assert_non_null(strstr(err.message, "link down"));
    assert_int_equal(state_on(e, 0), DRV_POWER_RUNNING);
    assert_false(has_path(e, 0, UUID "_resize/"));
    assert_clean(e, 1);
    env_free(e);
}

/* h2 has no image: it is copied first, then the disks over it. */
static void
test_image_copied(void **state)
{
    env *e = env_new_with(false);
    char *info;
    drv_error err;
    hv_vol_info vi;
    hv_error hv;

    (void)state;
    spawn_on(e, 0);
    info = migrate_off(e, &e->inst.flavor);
    assert_int_equal(hv_vol_get_info(e->h[1].conn, e->cfg.storage_pool,
                                     "base.qcow2", &vi, &hv), 0);
    ok(drv_finish_migration(e->h[1].d, &e->inst, info, false, true, &err),
       &err, "finish_migration");
    assert_int_equal(state_on(e, 1), DRV_POWER_RUNNING);
    g_free(info);
    env_free(e);
}

/* Resize on the same host (shared storage): nothing copied, one set of
 * volumes, the domain redefined; confirm keeps everything. */
static void
test_same_host(void **state)
{
    env *e = env_new();
    drv_instance big = with_flavor(e, 2, 512, 2, 1);
    char *info = NULL, *xml;
    drv_error err;

    (void)state;
    spawn_on(e, 0);
    ok(drv_migrate_disk_and_power_off(e->h[0].d, &e->inst, "h1", &big.flavor,
                                      60, 10, &info, &err),
       &err, "migrate_disk_and_power_off");
    assert_true(has_path(e, 0, UUID "_resize/"));
    assert_true(has_path(e, 0, UUID "/"));
    assert_clean(e, 1);
    ok(drv_finish_migration(e->h[0].d, &big, info, true, true, &err), &err,
       "finish_migration");
    assert_int_equal(capacity(e, 0, "_disk"), 2 * GIB);
    ok(drv_confirm_migration(e->h[0].d, &big, &err), &err, "confirm");
    assert_int_equal(state_on(e, 0), DRV_POWER_RUNNING);
    assert_int_equal(inst_volumes(e, 0), 2);
    assert_false(has_path(e, 0, UUID "_resize/"));
    xml = domain_xml(e, 0);
    assert_non_null(strstr(xml, ">2</vcpu>"));
    g_free(xml);
    g_free(info);
    env_free(e);
}

/* Evacuate: h1 crashes, rebuild_recreate on h2; h1 back, destroy there
 * (destroy_disks) removes its leftovers. */
static void
test_evacuate(void **state)
{
    env *e = env_new();
    drv_error err;

    (void)state;
    spawn_on(e, 0);
    fake_host_crash_reboot(e->h[0].fh);
    ok(drv_rebuild_recreate(e->h[1].d, &e->inst, &err), &err,
       "rebuild_recreate");
    assert_int_equal(state_on(e, 1), DRV_POWER_RUNNING);
    assert_int_equal(inst_volumes(e, 1), 2);
    /* twice: the instance is there now */
    assert_int_equal(drv_rebuild_recreate(e->h[1].d, &e->inst, &err), -1);
    assert_int_equal(err.kind, DRV_ERR_INSTANCE_EXISTS);
    /* h1 is back: the driver reconnects, finds the shut-off leftovers */
    ok(drv_wait(e->h[0].d, HV_NS_PER_SEC, &err), &err, "wait");
    assert_int_equal(state_on(e, 0), DRV_POWER_SHUTDOWN);
    assert_int_equal(inst_volumes(e, 0), 2);
    ok(drv_destroy(e->h[0].d, &e->inst, true, &err), &err, "destroy on h1");
    assert_clean(e, 0);
    assert_int_equal(state_on(e, 1), DRV_POWER_RUNNING);
    env_free(e);
}

/* ---- real: two libvirtd hosts (gated) ---- */

/* ---- real: two libvirtd hosts (gated) ----
 *
 * A is qemu:///system, B the daemon of ci/host-b.sh. Each gets a transient
 * dir pool of this run's own ("hvd-cold-PID", at /var/lib/hvd/cold-PID-a
 * and -b), so the copy really crosses pools; the instance store is the
 * same folder for both (B's mount namespace keeps /var/lib/hvd and
 * /var/cache/hvd), which the drivers never notice: the source's folder is
 * "<uuid>_resize" while the destination's is "<uuid>". The destination
 * names ("host-b", "host-a") differ from the hostname the two daemons
 * share, so storage counts as not shared and cold_migration_uri gives
 * each driver the other's URI.
 */

#define REAL_INSTANCES "/var/cache/hvd/instances"

typedef struct real_host {
    const char *uri;
    hv_conn *conn;
    drv *d;
    virConnectPtr vc;
    virStoragePoolPtr pool;
    char *dir;
} real_host;

typedef struct real_env {
    real_host h[2];
    drv_config cfg;
    char pool[64], uuid[HV_UUID_STRLEN], name[64];
    drv_kv props[3];
    drv_instance inst;
} real_env;

static real_env *real_made;

/* A transient dir pool called name at dir on vc. */
static virStoragePoolPtr
real_pool(virConnectPtr vc, const char *name, const char *dir)
{
    char *xml = g_strdup_printf("<pool type='dir'><name>%s</name><target>"
                                "<path>%s</path></target></pool>",
                                name, dir);
    virStoragePoolPtr p;

    g_mkdir_with_parents(dir, 0755);
    p = virStoragePoolCreateXML(vc, xml, 0);
    g_free(xml);
    if (!p)
        fail_msg("pool %s at %s: %s", name, dir, virGetLastErrorMessage());
    return p;
}

/* Everything the case made, on both hosts, whatever state it is in. */
static int
real_teardown(void **state)
{
    real_env *r = real_made;
    hv_error hv;

    (void)state;
    if (!r)
        return 0;
    for (int i = 0; i < 2; i++) {
        real_host *h = &r->h[i];
        hv_domain *dom;

        if (h->conn &&
            (dom = hv_domain_lookup_by_uuid(h->conn, r->uuid, &hv))) {
            hv_domain_destroy(dom, 0, &hv);
            hv_domain_undefine(dom, HV_UNDEFINE_MANAGED_SAVE |
                                        HV_UNDEFINE_NVRAM, &hv);
            hv_domain_free(dom);
        }
        if (h->pool) {
            virStorageVolPtr *vols = NULL;
            int n = virStoragePoolListAllVolumes(h->pool, &vols, 0);

            for (int k = 0; k < n; k++) {
                virStorageVolDelete(vols[k], 0);
                virStorageVolFree(vols[k]);
            }
            free(vols);
            virStoragePoolDestroy(h->pool);
            virStoragePoolFree(h->pool);
        }
        if (h->dir)
            g_rmdir(h->dir);
        if (h->conn) {
            char *rdir = g_strconcat(r->uuid, "_resize", NULL);

            hv_instance_dir_delete(h->conn, REAL_INSTANCES, r->uuid, &hv);
            hv_instance_dir_delete(h->conn, REAL_INSTANCES, rdir, &hv);
            g_free(rdir);
        }
        drv_free(h->d);
        hv_conn_close(h->conn);
        if (h->vc)
            virConnectClose(h->vc);
        g_free(h->dir);
    }
    drv_config_clear(&r->cfg);
    g_free(r);
    real_made = NULL;
    return 0;
}

/* Host i's driver: the other host's URI for the copy. */
static void
real_host_open(real_env *r, int i, const char *uri, const char *other_uri)
{
    real_host *h = &r->h[i];
    drv_config cfg;
    hv_error hv;
    drv_error err;

    h->uri = uri;
    h->dir = g_strdup_printf("/var/lib/hvd/cold-%d-%c", (int)getpid(),
                             i == 0 ? 'a' : 'b');
    if (!(h->vc = virConnectOpen(uri)))
        fail_msg("host %d (%s): %s", i, uri, virGetLastErrorMessage());
    h->pool = real_pool(h->vc, r->pool, h->dir);
    if (!(h->conn = hv_libvirt_open(uri, &hv)))
        fail_msg("host %d (%s): %s", i, uri, hv.message);
    drv_config_defaults(&cfg);
    g_free(cfg.virt_type);
    cfg.virt_type = g_strdup(r->cfg.virt_type);
    g_free(cfg.instances_path);
    cfg.instances_path = g_strdup(r->cfg.instances_path);
    g_free(cfg.storage_pool);
    cfg.storage_pool = g_strdup(r->cfg.storage_pool);
    g_free(cfg.cold_migration_uri);
    cfg.cold_migration_uri = g_strdup(other_uri);
    assert_non_null(h->d = drv_new(&cfg, h->conn, &err));
    drv_config_clear(&cfg);
    ok(drv_init_host(h->d, NULL, &err), &err, "init_host");
}

static int
real_state(real_env *r, int i)
{
    drv_info info;
    drv_error err;

    if (drv_get_info(r->h[i].d, &r->inst, &info, &err) < 0)
        return -1;
    return info.state;
}

static unsigned int
real_volumes(real_env *r, int i)
{
    char **names = NULL;
    hv_error hv;
    unsigned int n = 0;

    virStoragePoolRefresh(r->h[i].pool, 0);
    assert_int_equal(hv_vol_list(r->h[i].conn, r->pool, &names, &hv), 0);
    for (char **p = names; *p; p++)
        n += g_str_has_prefix(*p, r->uuid);
    g_strfreev(names);
    return n;
}

static double
secs_since(gint64 t0)
{
    return (double)(g_get_monotonic_time() - t0) / 1e6;
}

static void
test_real_cold(void **state)
{
    const char *realv = getenv("HVD_REAL"), *b_uri = getenv("HVD_HOST_B_URI");
    real_env *r;
    drv_instance big;
    char *info = NULL;
    drv_error err;
    hv_error hv;
    hv_conn *probe;
    gint64 t0;
    uint64_t x;

    (void)state;
    if (!realv || strcmp(realv, "1") != 0 || !b_uri ||
        !getenv("HVD_GUEST_KERNEL")) {
        print_message("# skipped: runs with HVD_REAL=1, HVD_HOST_B_URI "
                      "(ci/host-b.sh up) and the tiny guest\n");
        skip();
    }
    r = real_made = g_new0(real_env, 1);
    assert_non_null(probe = hv_libvirt_open("qemu:///system", &hv));
    x = hv_random(probe);
    hv_conn_close(probe);
    /* "c01d" in the uuid, "hvd-cold" in the name and pool: this helper's */
    g_snprintf(r->uuid, sizeof(r->uuid), "c01d%04x-0000-4000-8000-%012llx",
               (unsigned int)(x >> 48) & 0xffff,
               (unsigned long long)(x & UINT64_C(0xffffffffffff)));
    g_snprintf(r->name, sizeof(r->name), "hvd-cold-%d", (int)getpid());
    g_snprintf(r->pool, sizeof(r->pool), "hvd-cold-%d", (int)getpid());
    drv_config_defaults(&r->cfg);
    g_free(r->cfg.virt_type);
    r->cfg.virt_type = g_strdup(getenv("HVD_VIRT_TYPE")
                                    ? getenv("HVD_VIRT_TYPE")
                                    : "qemu");
    g_free(r->cfg.instances_path);
    r->cfg.instances_path = g_strdup(REAL_INSTANCES);
    g_free(r->cfg.storage_pool);
    r->cfg.storage_pool = g_strdup(r->pool);
    real_host_open(r, 0, "qemu:///system", b_uri);
    real_host_open(r, 1, b_uri, "qemu:///system");
    r->props[0] = (drv_kv){"kernel_path", getenv("HVD_GUEST_KERNEL")};
    r->props[1] = (drv_kv){"initrd_path", getenv("HVD_GUEST_INITRD")};
    r->props[2] = (drv_kv){"os_command_line", "console=ttyS0 panic=-1 quiet"};
    /* a kernel-booted guest with an empty 1 GiB root volume to carry */
    r->inst = (drv_instance){
        .uuid = r->uuid,
        .name = r->name,
        .flavor = {.name = "tiny", .vcpus = 1, .memory_mb = 96,
                   .root_gb = 1},
        .image = {.id = "tiny-guest", .format = "raw",
                  .properties = r->props, .n_properties = 3},
    };
    big = r->inst;
    big.flavor.name = "tiny.big";
    big.flavor.memory_mb = 128;
    big.flavor.root_gb = 2;

    /* the copy alone: 64 MiB of raw volume from A's pool to B's */
    {
        char *vname = g_strconcat(r->uuid, "_copytest", NULL);
        const char *names[] = {vname, NULL};
        hv_vol_spec vs = {.name = vname, .capacity = 64 * MIB,
                          .allocation = 64 * MIB, .format = "raw"};
        hv_vol_info vi;

        assert_int_equal(hv_vol_create(r->h[0].conn, r->pool, &vs, &hv), 0);
        t0 = g_get_monotonic_time();
        if (hv_vol_copy_to(r->h[0].conn, r->pool, names, b_uri, r->pool,
                           &hv) < 0)
            fail_msg("copy: %s", hv.message);
        print_message("# real hv_vol_copy_to of 64 MiB raw A->B: %.2f s\n",
                      secs_since(t0));
        virStoragePoolRefresh(r->h[1].pool, 0);
        assert_int_equal(hv_vol_get_info(r->h[1].conn, r->pool, vname, &vi,
                                         &hv), 0);
        assert_int_equal(vi.capacity, 64 * MIB);
        assert_string_equal(vi.format, "raw");
        /* there already; a pool B lacks: nothing made */
        assert_int_equal(hv_vol_copy_to(r->h[0].conn, r->pool, names, b_uri,
                                        r->pool, &hv), -1);
        assert_int_equal(hv.code, HV_ERR_STORAGE_VOL_EXIST);
        assert_int_equal(hv_vol_copy_to(r->h[0].conn, r->pool, names, b_uri,
                                        "hvd-cold-no-such-pool", &hv), -1);
        assert_int_equal(hv.code, HV_ERR_NO_STORAGE_POOL);
        assert_int_equal(hv_vol_delete(r->h[1].conn, r->pool, vname, &hv), 0);
        /* all or none: the second volume's backing image is not on B, so
         * the first, copied already, is deleted there again */
        {
            char *bname = g_strconcat(r->uuid, "_copyimg", NULL);
            char *tname = g_strconcat(r->uuid, "_copytop", NULL);
            char *bpath;
            const char *two[] = {vname, tname, NULL};
            hv_vol_spec bs = {.name = bname, .capacity = MIB,
                              .format = "raw"};
            hv_vol_spec ts = {.name = tname, .capacity = MIB,
                              .format = "qcow2", .backing_format = "raw"};

            assert_int_equal(hv_vol_create(r->h[0].conn, r->pool, &bs, &hv),
                             0);
            assert_non_null(bpath = hv_vol_get_path(r->h[0].conn, r->pool,
                                                    bname, &hv));
            ts.backing_path = bpath;
            assert_int_equal(hv_vol_create(r->h[0].conn, r->pool, &ts, &hv),
                             0);
            assert_int_equal(hv_vol_copy_to(r->h[0].conn, r->pool, two,
                                            b_uri, r->pool, &hv), -1);
            assert_int_equal(hv.code, HV_ERR_NO_STORAGE_VOL);
            assert_non_null(strstr(hv.message, bname));
            assert_int_equal(real_volumes(r, 1), 0);
            hv_vol_delete(r->h[0].conn, r->pool, tname, &hv);
            hv_vol_delete(r->h[0].conn, r->pool, bname, &hv);
            g_free(bpath);
            g_free(bname);
            g_free(tname);
        }
        assert_int_equal(hv_vol_delete(r->h[0].conn, r->pool, vname, &hv), 0);
        g_free(vname);
    }

    ok(drv_spawn(r->h[0].d, &r->inst, true, &err), &err, "spawn on A");
    /* the guest's acpid is up a few seconds after the start */
    ok(drv_wait(r->h[0].d, 8 * HV_NS_PER_SEC, &err), &err, "wait");

    /* resize A -> B, confirmed */
    t0 = g_get_monotonic_time();
    ok(drv_migrate_disk_and_power_off(r->h[0].d, &r->inst, "host-b",
                                      &big.flavor, 60, 10, &info, &err),
       &err, "migrate_disk_and_power_off A->B");
    print_message("# real A->B migrate_disk_and_power_off: %.2f s\n",
                  secs_since(t0));
    assert_int_equal(real_state(r, 0), DRV_POWER_SHUTDOWN);
    assert_int_equal(real_volumes(r, 1), 1);
    t0 = g_get_monotonic_time();
    ok(drv_finish_migration(r->h[1].d, &big, info, true, true, &err), &err,
       "finish_migration on B");
    print_message("# real finish_migration on B: %.2f s\n", secs_since(t0));
    g_free(info);
    info = NULL;
    assert_int_equal(real_state(r, 1), DRV_POWER_RUNNING);
    t0 = g_get_monotonic_time();
    ok(drv_confirm_migration(r->h[0].d, &r->inst, &err), &err,
       "confirm_migration on A");
    print_message("# real confirm_migration on A: %.2f s\n", secs_since(t0));
    assert_int_equal(real_state(r, 0), -1);
    assert_int_equal(real_volumes(r, 0), 0);
    assert_int_equal(real_state(r, 1), DRV_POWER_RUNNING);

    /* B -> A with the old flavor, reverted: back on B, running */
    ok(drv_wait(r->h[1].d, 8 * HV_NS_PER_SEC, &err), &err, "wait");
    t0 = g_get_monotonic_time();
    ok(drv_migrate_disk_and_power_off(r->h[1].d, &big, "host-a", &big.flavor,
                                      60, 10, &info, &err),
       &err, "migrate_disk_and_power_off B->A");
    print_message("# real B->A migrate_disk_and_power_off: %.2f s\n",
                  secs_since(t0));
    ok(drv_finish_migration(r->h[0].d, &big, info, false, true, &err), &err,
       "finish_migration on A");
    assert_int_equal(real_state(r, 0), DRV_POWER_RUNNING);
    t0 = g_get_monotonic_time();
    ok(drv_destroy(r->h[0].d, &big, true, &err), &err, "destroy on A");
    ok(drv_finish_revert_migration(r->h[1].d, &big, true, &err), &err,
       "finish_revert_migration on B");
    print_message("# real revert (destroy on A, finish_revert on B): "
                  "%.2f s\n", secs_since(t0));
    g_free(info);
    assert_int_equal(real_state(r, 1), DRV_POWER_RUNNING);
    assert_int_equal(real_state(r, 0), -1);
    assert_int_equal(real_volumes(r, 0), 0);
    assert_int_equal(real_volumes(r, 1), 1);
    ok(drv_destroy(r->h[1].d, &big, true, &err), &err, "destroy on B");
    assert_int_equal(real_volumes(r, 1), 0);
}

#define REAL_TESTS cmocka_unit_test_teardown(test_real_cold, real_teardown),

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_copy_fake),
        cmocka_unit_test(test_copy_fake_disk_full),
        cmocka_unit_test(test_copy_fake_source_lost),
        cmocka_unit_test(test_migrate_confirm),
        cmocka_unit_test(test_resize_up),
        cmocka_unit_test(test_resize_swap),
        cmocka_unit_test(test_shrink_refused),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_revert),
        cmocka_unit_test(test_power_on_false),
        cmocka_unit_test(test_disk_full),
        cmocka_unit_test(test_dest_crash),
        cmocka_unit_test(test_copy_fault),
        cmocka_unit_test(test_image_copied),
        cmocka_unit_test(test_same_host),
        cmocka_unit_test(test_evacuate),
        REAL_TESTS
    };

    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
