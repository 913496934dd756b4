/*
 * test-driver-real.c: the driver on qemu:///system with the tiny guest —
 * the same code path the fake tests exercise, on real QEMU: spawn, soft
 * reboot honoured and ignored, power off/on, pause, suspend/resume,
 * destroy; missing disks made again by a hard reboot, a root disk of the
 * image's size. Runs under make check-real (HVD_REAL=1); exit 77 otherwise.
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "drv.h"
#include "hv-libvirt.h"
#include "hv.h"

#define LOGS "/var/cache/hvd/instances"

typedef struct real {
    hv_conn *conn;
    drv_config cfg;
    drv *d;
    drv_instance inst;
    drv_kv props[3];
    char uuid[HV_UUID_STRLEN];
    char name[64];
} real;

static real *
real_new(const char *tag, bool noacpi)
{
    real *r = g_new0(real, 1);
    hv_error hv;
    drv_error err;
    uint64_t x;
    char *dir;

    r->conn = hv_libvirt_open("qemu:///system", &hv);
    if (!r->conn)
        fail_msg("qemu:///system: %s", hv.message);
    x = hv_random(r->conn);
    g_snprintf(r->uuid, sizeof(r->uuid), "%08x-0000-4000-8000-%012llx",
               (unsigned int)(x >> 32),
               (unsigned long long)(x & UINT64_C(0xffffffffffff)));
    g_snprintf(r->name, sizeof(r->name), "hvd-real-%s-%d", tag,
               (int)getpid() % 100000);
    drv_config_defaults(&r->cfg);
    g_free(r->cfg.virt_type);
    r->cfg.virt_type = g_strdup(getenv("HVD_VIRT_TYPE") ? getenv("HVD_VIRT_TYPE")
                                                        : "qemu");
    g_free(r->cfg.instances_path);
    r->cfg.instances_path = g_strdup(LOGS);
    r->cfg.wait_soft_reboot_seconds = 8;
    /* the console log's folder: the compute agent's job, done here */
    dir = g_strdup_printf("%s/%s", LOGS, r->uuid);
    g_mkdir_with_parents(dir, 0755);
    g_free(dir);

    r->props[0] = (drv_kv){"kernel_path", getenv("HVD_GUEST_KERNEL")};
    r->props[1] = (drv_kv){"initrd_path", getenv("HVD_GUEST_INITRD")};
    r->props[2] = (drv_kv){"os_command_line",
                           noacpi ? "console=ttyS0 panic=-1 quiet hvd.noacpi"
                                  : "console=ttyS0 panic=-1 quiet"};
    r->inst = (drv_instance){
        .uuid = r->uuid,
        .name = r->name,
        .flavor = {.name = "tiny", .vcpus = 1, .memory_mb = 96},
        .image = {.id = "tiny-guest", .format = "raw", .properties = r->props,
                  .n_properties = 3},
    };
    r->d = drv_new(&r->cfg, r->conn, &err);
    assert_non_null(r->d);
    if (drv_init_host(r->d, NULL, &err) < 0)
        fail_msg("init_host: %s", err.message);
    return r;
}

static void
real_free(real *r)
{
    drv_error err;
    char *log = g_strdup_printf("%s/%s/console.log", LOGS, r->uuid);
    char *dir = g_path_get_dirname(log);

    drv_destroy(r->d, &r->inst, true, &err);
    drv_free(r->d);
    drv_config_clear(&r->cfg);
    hv_conn_close(r->conn);
    g_unlink(log);
    g_rmdir(dir);
    g_free(log);
    g_free(dir);
    g_free(r);
}

static void
ok(int rc, const drv_error *err, const char *what)
{
    if (rc != 0)
        fail_msg("%s: %s: %s", what, drv_error_kind_name(err->kind),
                 err->message);
}

static drv_info
info_of(real *r)
{
    drv_info info;
    drv_error err;

    ok(drv_get_info(r->d, &r->inst, &info, &err), &err, "get_info");
    return info;
}

/* Wait for the n-th ready line of the guest on its console. */
static void
wait_ready(real *r, int n)
{
    char *log = g_strdup_printf("%s/%s/console.log", LOGS, r->uuid);
    drv_error err;

    for (int i = 0; i < 300; i++) {
        char *text = NULL;
        int seen = 0;

        if (g_file_get_contents(log, &text, NULL, NULL))
            for (char *p = text; (p = strstr(p, "HVD-GUEST-READY")); p++)
                seen++;
        g_free(text);
        if (seen >= n) {
            g_free(log);
            drv_wait(r->d, 300 * HV_NS_PER_MS, &err);
            return;
        }
        drv_wait(r->d, 100 * HV_NS_PER_MS, &err);
    }
    fail_msg("no ready line %d in %s", n, log);
}

static void
test_spawn_power_pause_destroy(void **state)
{
    real *r = real_new("life", false);
    drv_error err;
    int id;

    (void)state;
    ok(drv_spawn(r->d, &r->inst, true, &err), &err, "spawn");
    assert_int_equal(info_of(r).state, DRV_POWER_RUNNING);
    id = info_of(r).id;
    assert_true(id > 0);
    wait_ready(r, 1);
    ok(drv_pause(r->d, &r->inst, &err), &err, "pause");
    assert_int_equal(info_of(r).state, DRV_POWER_PAUSED);
    ok(drv_unpause(r->d, &r->inst, &err), &err, "unpause");
    assert_int_equal(info_of(r).state, DRV_POWER_RUNNING);
    /* a clean shutdown the guest honours */
    ok(drv_power_off(r->d, &r->inst, 20, 5, &err), &err, "power off");
    assert_int_equal(info_of(r).state, DRV_POWER_SHUTDOWN);
    ok(drv_power_on(r->d, &r->inst, &err), &err, "power on");
    assert_int_equal(info_of(r).state, DRV_POWER_RUNNING);
    assert_true(info_of(r).id > id);
    ok(drv_destroy(r->d, &r->inst, true, &err), &err, "destroy");
    assert_int_equal(drv_instance_exists(r->d, &r->inst, &err), 0);
    real_free(r);
}

static void
test_soft_reboot_honoured(void **state)
{
    real *r = real_new("soft", false);
    drv_error err;
    int id;

    (void)state;
    ok(drv_spawn(r->d, &r->inst, true, &err), &err, "spawn");
    wait_ready(r, 1);
    id = info_of(r).id;
    ok(drv_reboot(r->d, &r->inst, DRV_REBOOT_SOFT, &err), &err,
       "soft reboot");
    assert_int_equal(info_of(r).state, DRV_POWER_RUNNING);
    /* shut down by the guest and started again: a new ID */
    assert_true(info_of(r).id > id);
    real_free(r);
}

static void
test_soft_reboot_ignored(void **state)
{
    real *r = real_new("noacpi", true);
    drv_error err;
    int id;
    int64_t t0;

    (void)state;
    ok(drv_spawn(r->d, &r->inst, true, &err), &err, "spawn");
    wait_ready(r, 1);
    id = info_of(r).id;
    t0 = hv_now(r->conn);
    ok(drv_reboot(r->d, &r->inst, DRV_REBOOT_SOFT, &err), &err,
       "soft reboot, ignored");
    /* waited out wait_soft_reboot_seconds, then rebooted hard */
    assert_true(hv_now(r->conn) - t0 >= 8 * HV_NS_PER_SEC);
    assert_int_equal(info_of(r).state, DRV_POWER_RUNNING);
    assert_true(info_of(r).id > id);
    real_free(r);
}

static void
test_suspend_resume(void **state)
{
    real *r = real_new("suspend", false);
    drv_error err;

    (void)state;
    ok(drv_spawn(r->d, &r->inst, true, &err), &err, "spawn");
    wait_ready(r, 1);
    ok(drv_suspend(r->d, &r->inst, &err), &err, "suspend");
    assert_int_equal(info_of(r).state, DRV_POWER_SHUTDOWN);
    ok(drv_resume(r->d, &r->inst, &err), &err, "resume");
    assert_int_equal(info_of(r).state, DRV_POWER_RUNNING);
    /* the restored guest still answers ACPI */
    ok(drv_power_off(r->d, &r->inst, 20, 5, &err), &err, "power off");
    assert_int_equal(info_of(r).state, DRV_POWER_SHUTDOWN);
    real_free(r);
}

/* A hard reboot makes the disks that went missing again (the reference's
 * _create_images_and_backing) and boots with all of them. */
static void
test_hard_reboot_recreates_disks(void **state)
{
    real *r = real_new("life-disks", false);
    char *eph = g_strdup_printf("%s_disk.eph0", r->uuid);
    hv_domain *dom;
    hv_vol_info vi;
    drv_error err;
    hv_error hv;
    char *xml;

    (void)state;
    r->inst.flavor.root_gb = 1;
    r->inst.flavor.ephemeral_gb = 1;
    ok(drv_spawn(r->d, &r->inst, true, &err), &err, "spawn");
    ok(drv_power_off(r->d, &r->inst, 0, 0, &err), &err, "power off");
    assert_int_equal(hv_vol_delete(r->conn, r->cfg.storage_pool, eph, &hv),
                     0);
    ok(drv_reboot(r->d, &r->inst, DRV_REBOOT_HARD, &err), &err,
       "hard reboot with the ephemeral disk missing");
    assert_int_equal(info_of(r).state, DRV_POWER_RUNNING);
    assert_int_equal(hv_vol_get_info(r->conn, r->cfg.storage_pool, eph, &vi,
                                     &hv), 0);
    assert_int_equal(vi.capacity, UINT64_C(1) << 30);
    assert_non_null(dom = hv_domain_lookup_by_uuid(r->conn, r->uuid, &hv));
    assert_non_null(xml = hv_domain_get_xml(dom, 0, &hv));
    assert_non_null(strstr(xml, eph));
    g_free(xml);
    hv_domain_free(dom);
    g_free(eph);
    real_free(r);
}

/* root_gb 0: the root disk takes the image volume's virtual size. */
static void
test_root_gb_zero_image_size(void **state)
{
    real *r = real_new("life-size", false);
    char *img = g_strdup_printf("hvd-life-img-%d.qcow2", (int)getpid());
    char *root = g_strdup_printf("%s_disk", r->uuid);
    hv_vol_spec spec = {.name = img, .capacity = UINT64_C(3) << 30,
                        .format = "qcow2"};
    hv_vol_info vi;
    drv_error err;
    hv_error hv;

    (void)state;
    assert_int_equal(hv_vol_create(r->conn, r->cfg.storage_pool, &spec, &hv),
                     0);
    r->inst.image.volume = img;
    r->inst.image.format = "qcow2";
    r->inst.flavor.root_gb = 0;
    ok(drv_spawn(r->d, &r->inst, true, &err), &err, "spawn");
    assert_int_equal(hv_vol_get_info(r->conn, r->cfg.storage_pool, root, &vi,
                                     &hv), 0);
    assert_int_equal(vi.capacity, UINT64_C(3) << 30);
    assert_string_equal(vi.backing_format, "qcow2");
    real_free(r);
    {
        hv_conn *c = hv_libvirt_open("qemu:///system", &hv);

        assert_non_null(c);
        hv_vol_delete(c, DRV_DEFAULT_STORAGE_POOL, img, &hv);
        hv_conn_close(c);
    }
    g_free(root);
    g_free(img);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spawn_power_pause_destroy),
        cmocka_unit_test(test_soft_reboot_honoured),
        cmocka_unit_test(test_soft_reboot_ignored),
        cmocka_unit_test(test_suspend_resume),
        cmocka_unit_test(test_hard_reboot_recreates_disks),
        cmocka_unit_test(test_root_gb_zero_image_size),
    };
    const char *realv = getenv("HVD_REAL");

    if (!realv || strcmp(realv, "1") != 0 || !getenv("HVD_GUEST_KERNEL")) {
        printf("# test-driver-real: runs under make check-real (HVD_REAL=1)\n");
        return 77;
    }
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests_name("driver on qemu:///system", tests,
                                       NULL, NULL);
}
