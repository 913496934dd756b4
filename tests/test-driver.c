/*
 * test-driver.c: the compute driver on the fake, every operation and error
 * path, with the exact timings the reference implies (virtual time).
 */
#include <errno.h>
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

#define UUID "9a1c0000-0000-4000-8000-000000000001"
#define NAME "instance-00000001"
#define SEC HV_NS_PER_SEC

typedef struct env {
    sim_world *w;
    fake_host *h;
    hv_conn *conn;
    drv_config cfg;
    drv *d;
    drv_instance inst;
    drv_vif vif;
    GString *events;      /* lifecycle events seen by the listener */
    int64_t vif_delay_ns; /* when Neutron answers; < 0 never */
    unsigned int calls[HV_OP__COUNT]; /* hv calls seen by the 'after' hook */
    fault_set *faults;
    GPtrArray *plugs; /* pending_plug*, freed with the env */
} env;

static env *E; /* the current test's environment, for timer callbacks */

static void
listener(void *opaque, const drv_lifecycle_event *ev)
{
    env *e = opaque;

    g_string_append_printf(e->events, "%s@%lld ", drv_event_name(ev->transition),
                           (long long)(ev->time_ns / HV_NS_PER_MS));
}

/* The stand-in for Neutron: answer a plug after vif_delay_ns. */
typedef struct pending_plug {
    drv *d;
    char uuid[HV_UUID_STRLEN];
    char vif[64];
} pending_plug;

static void
deliver_plug(sim_world *w, void *a, uint64_t b)
{
    pending_plug *p = a;
    drv_error err;

    (void)w;
    (void)b;
    drv_external_event(p->d, p->uuid, "network-vif-plugged", p->vif, &err);
}

static void
vif_hook(void *opaque, drv *d, const char *uuid, const char *vif_id)
{
    env *e = opaque;
    pending_plug *p;

    if (e->vif_delay_ns < 0)
        return;
    p = g_new0(pending_plug, 1);
    g_ptr_array_add(e->plugs, p); /* timers borrow; the env owns */
    p->d = d;
    g_strlcpy(p->uuid, uuid, sizeof(p->uuid));
    g_strlcpy(p->vif, vif_id, sizeof(p->vif));
    sim_schedule(e->w, sim_now(e->w) + e->vif_delay_ns, deliver_plug, p, 0);
}

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

static env *
env_new_with(unsigned long lib_version)
{
    fake_host_spec spec = {.name = "h1", .vcpus = 8, .memory_mib = 16384,
                           .disk_gib = 100, .lib_version = lib_version};
    hv_vol_spec base = {.name = "base.qcow2", .capacity = UINT64_C(1) << 30,
                        .format = "qcow2"};
    hv_hooks hooks = {.after = count_after};
    env *e = g_new0(env, 1);
    hv_error hv;

    E = e;
    e->w = fake_world_new(7);
    drv_config_defaults(&e->cfg);
    spec.storage_pool = e->cfg.storage_pool;
    e->h = fake_host_add(e->w, &spec, &hv);
    e->conn = fake_conn_open(e->w, "h1", &hv);
    assert_non_null(e->conn);
    assert_int_equal(hv_vol_create(e->conn, e->cfg.storage_pool, &base, &hv),
                     0);
    hooks.opaque = e;
    hv_conn_set_hooks(e->conn, &hooks);
    e->faults = fault_set_new();
    fault_set_attach(e->faults, e->conn);
    g_free(e->cfg.virt_type);
    e->cfg.virt_type = g_strdup("qemu");
    e->events = g_string_new("");
    e->plugs = g_ptr_array_new_with_free_func(g_free);

    e->vif = (drv_vif){.id = "vif-1", .mac = "52:54:00:00:00:01",
                       .type = "ethernet", .devname = "tap1",
                       .active = false};
    e->inst = (drv_instance){
        .uuid = UUID,
        .name = NAME,
        .flavor = {.name = "m1.tiny", .vcpus = 1, .memory_mb = 128,
                   .root_gb = 1},
        .image = {.id = "img-1", .volume = "base.qcow2", .format = "qcow2"},
        .vifs = &e->vif,
        .n_vifs = 1,
        .root_device_name = "/dev/vda",
    };
    e->vif_delay_ns = SEC;
    return e;
}

/* The driver, created after a test has tuned e->cfg. */
static drv *
env_driver(env *e)
{
    drv_error err;

    e->d = drv_new(&e->cfg, e->conn, &err);
    assert_non_null(e->d);
    drv_register_event_listener(e->d, listener, e);
    drv_set_vif_plug_hook(e->d, vif_hook, e);
    if (drv_init_host(e->d, "h1", &err) < 0)
        fail_msg("init_host: %s", err.message);
    return e->d;
}

static env *
env_new(void)
{
    return env_new_with(0);
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
    g_string_free(e->events, TRUE);
    g_ptr_array_free(e->plugs, TRUE);
    g_free(e);
    E = NULL;
}

static void
fault(env *e, hv_op op, unsigned int nth, unsigned int count, int code,
      int sys_errno)
{
    fault_rule r = {.op = (int)op, .nth = nth, .count = count, .code = code,
                    .sys_errno = sys_errno};
    fault_set_add(e->faults, &r);
}

static drv_info
info_of(env *e)
{
    drv_info info;
    drv_error err;

    if (drv_get_info(e->d, &e->inst, &info, &err) < 0)
        fail_msg("get_info: %s", err.message);
    return info;
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

static void
spawn_ok(env *e)
{
    drv_error err;

    expect_ok(drv_spawn(e->d, &e->inst, true, &err), &err, "spawn");
    assert_int_equal(info_of(e).state, DRV_POWER_RUNNING);
}

/* Spawn, then let the guest boot so that it handles ACPI. */
static void
spawn_booted(env *e)
{
    drv_error err;

    spawn_ok(e);
    assert_int_equal(drv_wait(e->d, 4 * SEC, &err), 0);
}

/* Nothing of the instance is left on the host: no domain, no volumes. */
static void
expect_gone(env *e)
{
    drv_error err;

    assert_int_equal(drv_instance_exists(e->d, &e->inst, &err), 0);
    assert_int_equal(fake_host_domain_count(e->h), 0);
    assert_int_equal(fake_host_volume_count(e->h), 1); /* base image */
}

/* ---- the driver's life ---- */

/* drv_free leaves the borrowed connection without a callback into the
 * freed driver: events after it (here the guest's shutdown and the
 * destroy's) reach only the hooks. ASan and valgrind see the difference. */
static void
test_free_then_events(void **state)
{
    env *e = env_new();
    hv_domain *dom;
    hv_error hv;

    (void)state;
    env_driver(e);
    spawn_booted(e);
    dom = hv_domain_lookup_by_uuid(e->conn, UUID, &hv);
    assert_non_null(dom);
    drv_free(e->d);
    e->d = NULL;
    assert_int_equal(hv_domain_destroy(dom, 0, &hv), 0);
    assert_int_equal(hv_sleep(e->conn, 20 * SEC, &hv), 0);
    hv_domain_free(dom);
    env_free(e);
}

/* ---- spawn ---- */

static void
test_spawn_waits_for_vifs(void **state)
{
    env *e = env_new();
    int64_t t0;

    (void)state;
    e->vif_delay_ns = 2 * SEC;
    env_driver(e);
    t0 = hv_now(e->conn);
    spawn_ok(e);
    /* started paused, resumed at the first 0.5 s poll after the plug */
    assert_int_equal(hv_now(e->conn) - t0, 2 * SEC);
    assert_int_equal(e->calls[HV_OP_DOMAIN_RESUME], 1);
    assert_true(info_of(e).id > 0);
    assert_int_equal(fake_host_volume_count(e->h), 2);
    env_free(e);
}

static void
test_spawn_active_vifs_no_wait(void **state)
{
    env *e = env_new();
    int64_t t0;

    (void)state;
    e->vif.active = true;
    e->vif_delay_ns = -1;
    env_driver(e);
    t0 = hv_now(e->conn);
    spawn_ok(e);
    assert_int_equal(hv_now(e->conn) - t0, 0);
    assert_int_equal(e->calls[HV_OP_DOMAIN_RESUME], 0);
    env_free(e);
}

static void
test_spawn_vif_timeout_fatal(void **state)
{
    env *e = env_new();
    drv_error err;
    int64_t t0;

    (void)state;
    e->vif_delay_ns = -1;
    e->cfg.vif_plugging_timeout = 10;
    env_driver(e);
    t0 = hv_now(e->conn);
    expect_kind(drv_spawn(e->d, &e->inst, true, &err), &err,
                DRV_ERR_VIF_CREATE, "spawn without plug");
    assert_int_equal(hv_now(e->conn) - t0, 10 * SEC);
    expect_gone(e);
    env_free(e);
}

static void
test_spawn_vif_timeout_not_fatal(void **state)
{
    env *e = env_new();

    (void)state;
    e->vif_delay_ns = -1;
    e->cfg.vif_plugging_timeout = 10;
    e->cfg.vif_plugging_is_fatal = false;
    env_driver(e);
    spawn_ok(e);
    env_free(e);
}

static void
test_spawn_vif_failed(void **state)
{
    env *e = env_new();
    drv_error err;

    (void)state;
    e->vif_delay_ns = -1;
    env_driver(e);
    drv_external_event(e->d, UUID, "network-vif-plugged:failed", "vif-1",
                       &err);
    expect_kind(drv_spawn(e->d, &e->inst, true, &err), &err,
                DRV_ERR_VIF_CREATE, "spawn with a failed VIF");
    expect_gone(e);
    env_free(e);
}

static void
test_spawn_power_off(void **state)
{
    env *e = env_new();
    drv_error err;

    (void)state;
    env_driver(e);
    expect_ok(drv_spawn(e->d, &e->inst, false, &err), &err, "spawn off");
    assert_int_equal(info_of(e).state, DRV_POWER_SHUTDOWN);
    assert_int_equal(info_of(e).id, -1);
    env_free(e);
}

static void
test_spawn_disk_full(void **state)
{
    env *e = env_new();
    drv_error err;

    (void)state;
    env_driver(e);
    fake_host_set_disk_free(e->h, 0);
    expect_kind(drv_spawn(e->d, &e->inst, true, &err), &err,
                DRV_ERR_DISK_FULL, "spawn on a full disk");
    /* the root disk is qcow2: qemu-img's failure, as real libvirt gives it */
    assert_int_equal(err.hv.code, HV_ERR_INTERNAL_ERROR);
    expect_gone(e);
    env_free(e);
}

/* Every hv failure along spawn leaves the host as it was. */
static void
test_spawn_failures_leave_nothing(void **state)
{
    static const hv_op ops[] = {HV_OP_DOMAIN_DEFINE, HV_OP_DOMAIN_CREATE,
                                HV_OP_DOMAIN_RESUME, HV_OP_VOL_CREATE};
    (void)state;
    for (size_t i = 0; i < G_N_ELEMENTS(ops); i++) {
        env *e = env_new();
        drv_error err;

        env_driver(e);
        fault(e, ops[i], 1, 1, HV_ERR_INTERNAL_ERROR, 0);
        expect_kind(drv_spawn(e->d, &e->inst, true, &err), &err,
                    DRV_ERR_HYPERVISOR, hv_op_name(ops[i]));
        expect_gone(e);
        env_free(e);
    }
}

static void
test_spawn_exists(void **state)
{
    env *e = env_new();
    drv_error err;
    int id;

    (void)state;
    env_driver(e);
    spawn_ok(e);
    id = info_of(e).id;
    expect_kind(drv_spawn(e->d, &e->inst, true, &err), &err,
                DRV_ERR_INSTANCE_EXISTS, "spawn twice");
    assert_int_equal(info_of(e).id, id);
    env_free(e);
}

/* ---- destroy ---- */

static void
test_destroy(void **state)
{
    env *e = env_new();
    drv_error err;

    (void)state;
    env_driver(e);
    spawn_ok(e);
    expect_ok(drv_destroy(e->d, &e->inst, true, &err), &err, "destroy");
    expect_gone(e);
    /* already gone: still fine */
    expect_ok(drv_destroy(e->d, &e->inst, true, &err), &err, "destroy again");
    expect_kind(drv_get_info(e->d, &e->inst, &(drv_info){0}, &err), &err,
                DRV_ERR_INSTANCE_NOT_FOUND, "get_info after destroy");
    env_free(e);
}

static void
test_destroy_shut_off(void **state)
{
    env *e = env_new();
    drv_error err;

    (void)state;
    env_driver(e);
    expect_ok(drv_spawn(e->d, &e->inst, false, &err), &err, "spawn off");
    /* OPERATION_INVALID from a shut-off domain is fine */
    expect_ok(drv_destroy(e->d, &e->inst, true, &err), &err, "destroy off");
    expect_gone(e);
    env_free(e);
}

static void
test_destroy_ebusy_retried(void **state)
{
    env *e = env_new();
    drv_error err;

    (void)state;
    env_driver(e);
    spawn_ok(e);
    fault(e, HV_OP_DOMAIN_DESTROY, 1, 2, HV_ERR_SYSTEM_ERROR, EBUSY);
    expect_ok(drv_destroy(e->d, &e->inst, true, &err), &err,
              "destroy after two EBUSY");
    assert_int_equal(e->calls[HV_OP_DOMAIN_DESTROY], 3);
    expect_gone(e);
    env_free(e);
}

static void
test_destroy_ebusy_gives_up(void **state)
{
    env *e = env_new();
    drv_error err;

    (void)state;
    env_driver(e);
    spawn_ok(e);
    fault(e, HV_OP_DOMAIN_DESTROY, 1, 3, HV_ERR_SYSTEM_ERROR, EBUSY);
    expect_kind(drv_destroy(e->d, &e->inst, true, &err), &err,
                DRV_ERR_HYPERVISOR, "destroy after three EBUSY");
    assert_int_equal(err.hv.sys_errno, EBUSY);
    assert_int_equal(e->calls[HV_OP_DOMAIN_DESTROY], 3);
    assert_int_equal(info_of(e).state, DRV_POWER_RUNNING);
    env_free(e);
}

static void
test_destroy_timeout_and_other_errors(void **state)
{
    env *e = env_new();
    drv_error err;

    (void)state;
    env_driver(e);
    spawn_ok(e);
    fault(e, HV_OP_DOMAIN_DESTROY, 1, 1, HV_ERR_OPERATION_TIMEOUT, 0);
    expect_kind(drv_destroy(e->d, &e->inst, true, &err), &err,
                DRV_ERR_INSTANCE_POWER_OFF_FAILURE, "destroy timeout");
    fault(e, HV_OP_DOMAIN_DESTROY, 1, 1, HV_ERR_INTERNAL_ERROR, 0);
    expect_kind(drv_destroy(e->d, &e->inst, true, &err), &err,
                DRV_ERR_HYPERVISOR, "destroy internal error");
    /* NO_DOMAIN from destroy is fine */
    fault(e, HV_OP_DOMAIN_DESTROY, 1, 1, HV_ERR_NO_DOMAIN, 0);
    fault(e, HV_OP_DOMAIN_GET_INFO, 1, 0, HV_ERR_NO_DOMAIN, 0);
    expect_ok(drv_destroy(e->d, &e->inst, false, &err), &err,
              "destroy NO_DOMAIN");
    env_free(e);
}

/* Undefine with the managed-save/NVRAM flags fails: plain undefine. */
static void
test_destroy_undefine_fallback(void **state)
{
    env *e = env_new();
    drv_error err;

    (void)state;
    env_driver(e);
    spawn_ok(e);
    fault(e, HV_OP_DOMAIN_UNDEFINE, 1, 1, HV_ERR_INVALID_ARG, 0);
    expect_ok(drv_destroy(e->d, &e->inst, true, &err), &err,
              "destroy with the flagged undefine refused");
    assert_int_equal(e->calls[HV_OP_DOMAIN_UNDEFINE], 2);
    expect_gone(e);
    env_free(e);
}

/* Someone starts the domain again right after our destroy. */
static hv_conn *other_conn;

static void
restart_after_destroy(void *opaque, hv_conn *conn, const hv_call *call,
                      int rc, const hv_error *err)
{
    static bool done;
    hv_error hv;
    hv_domain *dom;

    (void)opaque;
    (void)conn;
    (void)err;
    if (call->op != HV_OP_DOMAIN_DESTROY || rc != 0 || done)
        return;
    done = true;
    dom = hv_domain_lookup_by_name(other_conn, NAME, &hv);
    hv_domain_create(dom, 0, &hv);
    hv_domain_free(dom);
}

static void
test_destroy_restarted_meanwhile(void **state)
{
    env *e = env_new();
    hv_hooks hooks = {.after = restart_after_destroy};
    drv_error err;
    hv_error hv;

    (void)state;
    env_driver(e);
    spawn_ok(e);
    other_conn = fake_conn_open(e->w, "h1", &hv);
    fault_set_detach(e->faults, e->conn);
    hv_conn_set_hooks(e->conn, &hooks);
    expect_ok(drv_destroy(e->d, &e->inst, true, &err), &err,
              "destroy a domain restarted meanwhile");
    expect_gone(e);
    hv_conn_set_hooks(e->conn, NULL);
    fault_set_attach(e->faults, e->conn);
    hv_conn_close(other_conn);
    env_free(e);
}

/* ---- reboot ---- */

static void
test_soft_reboot_honoured(void **state)
{
    env *e = env_new();
    drv_error err;
    int id;
    int64_t t0;

    (void)state;
    env_driver(e);
    spawn_booted(e);
    id = info_of(e).id;
    t0 = hv_now(e->conn);
    expect_ok(drv_reboot(e->d, &e->inst, DRV_REBOOT_SOFT, &err), &err,
              "soft reboot");
    /* off 2.1 s after the request, noticed at the 3 s check, started */
    assert_int_equal(hv_now(e->conn) - t0, 3 * SEC);
    assert_int_equal(info_of(e).state, DRV_POWER_RUNNING);
    assert_true(info_of(e).id > id);
    assert_int_equal(e->calls[HV_OP_DOMAIN_SHUTDOWN], 1);
    assert_int_equal(e->calls[HV_OP_DOMAIN_UNDEFINE], 0); /* not hard */
    env_free(e);
}

static void
test_soft_reboot_ignored_falls_back(void **state)
{
    env *e = env_new();
    fake_guest g;
    drv_error err;
    int id;
    int64_t t0;

    (void)state;
    fake_guest_defaults(&g);
    g.honours_acpi = false;
    fake_guest_set(e->w, NAME, &g);
    e->cfg.wait_soft_reboot_seconds = 5;
    env_driver(e);
    spawn_booted(e);
    id = info_of(e).id;
    t0 = hv_now(e->conn);
    expect_ok(drv_reboot(e->d, &e->inst, DRV_REBOOT_SOFT, &err), &err,
              "soft reboot, ignored");
    assert_int_equal(hv_now(e->conn) - t0, 5 * SEC);
    assert_int_equal(e->calls[HV_OP_DOMAIN_UNDEFINE], 1); /* hard */
    assert_int_equal(info_of(e).state, DRV_POWER_RUNNING);
    assert_true(info_of(e).id > id);
    env_free(e);
}

static void
test_reboot_paused_and_off(void **state)
{
    env *e = env_new();
    drv_error err;

    (void)state;
    e->cfg.wait_soft_reboot_seconds = 3;
    env_driver(e);
    spawn_booted(e);
    expect_ok(drv_pause(e->d, &e->inst, &err), &err, "pause");
    expect_ok(drv_reboot(e->d, &e->inst, DRV_REBOOT_SOFT, &err), &err,
              "soft reboot paused");
    assert_int_equal(e->calls[HV_OP_DOMAIN_SHUTDOWN], 0);
    assert_int_equal(info_of(e).state, DRV_POWER_RUNNING);
    expect_ok(drv_power_off(e->d, &e->inst, 0, 0, &err), &err, "power off");
    expect_ok(drv_reboot(e->d, &e->inst, DRV_REBOOT_HARD, &err), &err,
              "hard reboot of a shut-off instance");
    assert_int_equal(info_of(e).state, DRV_POWER_RUNNING);
    env_free(e);
}

/* ---- power ---- */

/* The table: timeout 5, retry 3; the guest acts after N s. */
static void
power_off_case(int64_t acts_after, unsigned int want_requests,
               unsigned int want_destroys)
{
    env *e = env_new();
    fake_guest g;
    drv_error err;

    fake_guest_defaults(&g);
    g.acpi_delay_ns = acts_after;
    fake_guest_set(e->w, NAME, &g);
    env_driver(e);
    spawn_booted(e);
    expect_ok(drv_power_off(e->d, &e->inst, 5, 3, &err), &err, "power off");
    assert_int_equal(e->calls[HV_OP_DOMAIN_SHUTDOWN], want_requests);
    assert_int_equal(e->calls[HV_OP_DOMAIN_DESTROY], want_destroys);
    assert_int_equal(info_of(e).state, DRV_POWER_SHUTDOWN);
    env_free(e);
}

static void
test_power_off_schedule(void **state)
{
    (void)state;
    /* destroy is still called once (the reference always calls it); on a
     * domain that is already off it answers OPERATION_INVALID, which is
     * fine */
    power_off_case(2 * SEC, 1, 1);
    power_off_case(4 * SEC, 2, 1);
    power_off_case(6 * SEC, 2, 1);
}

static void
test_power_off_on(void **state)
{
    env *e = env_new();
    drv_error err;

    (void)state;
    env_driver(e);
    spawn_ok(e);
    expect_ok(drv_power_off(e->d, &e->inst, 0, 0, &err), &err, "power off");
    assert_int_equal(info_of(e).state, DRV_POWER_SHUTDOWN);
    expect_ok(drv_power_on(e->d, &e->inst, &err), &err, "power on");
    assert_int_equal(info_of(e).state, DRV_POWER_RUNNING);
    env_free(e);
}

static void
test_pause_suspend(void **state)
{
    env *e = env_new();
    drv_error err;

    (void)state;
    env_driver(e);
    spawn_ok(e);
    expect_ok(drv_pause(e->d, &e->inst, &err), &err, "pause");
    assert_int_equal(info_of(e).state, DRV_POWER_PAUSED);
    expect_ok(drv_unpause(e->d, &e->inst, &err), &err, "unpause");
    assert_int_equal(info_of(e).state, DRV_POWER_RUNNING);
    expect_kind(drv_unpause(e->d, &e->inst, &err), &err, DRV_ERR_HYPERVISOR,
                "unpause running");
    assert_int_equal(err.hv.code, HV_ERR_OPERATION_INVALID);
    expect_ok(drv_suspend(e->d, &e->inst, &err), &err, "suspend");
    assert_int_equal(info_of(e).state, DRV_POWER_SHUTDOWN);
    expect_ok(drv_resume(e->d, &e->inst, &err), &err, "resume");
    assert_int_equal(info_of(e).state, DRV_POWER_RUNNING);
    env_free(e);
}

static void
test_crash_dump(void **state)
{
    env *e = env_new();
    drv_error err;

    (void)state;
    env_driver(e);
    spawn_ok(e);
    expect_ok(drv_trigger_crash_dump(e->d, &e->inst, &err), &err, "nmi");
    fault(e, HV_OP_DOMAIN_INJECT_NMI, 1, 1, HV_ERR_NO_SUPPORT, 0);
    expect_kind(drv_trigger_crash_dump(e->d, &e->inst, &err), &err,
                DRV_ERR_NMI_NOT_SUPPORTED, "nmi unsupported");
    expect_ok(drv_power_off(e->d, &e->inst, 0, 0, &err), &err, "power off");
    expect_kind(drv_trigger_crash_dump(e->d, &e->inst, &err), &err,
                DRV_ERR_INSTANCE_NOT_RUNNING, "nmi shut off");
    expect_kind(drv_soft_delete(e->d, &e->inst, &err), &err,
                DRV_ERR_NOT_SUPPORTED, "soft delete");
    expect_kind(drv_restore(e->d, &e->inst, &err), &err,
                DRV_ERR_NOT_SUPPORTED, "restore");
    env_free(e);
}

static void
test_rescue_unrescue(void **state)
{
    env *e = env_new();
    drv_error err;

    (void)state;
    env_driver(e);
    spawn_ok(e);
    expect_ok(drv_rescue(e->d, &e->inst, NULL, &err), &err, "rescue");
    assert_int_equal(info_of(e).state, DRV_POWER_RUNNING);
    assert_int_equal(fake_host_volume_count(e->h), 3);
    expect_ok(drv_unrescue(e->d, &e->inst, &err), &err, "unrescue");
    assert_int_equal(info_of(e).state, DRV_POWER_RUNNING);
    assert_int_equal(fake_host_volume_count(e->h), 2);
    env_free(e);
}

static void
test_rebuild(void **state)
{
    env *e = env_new();
    drv_error err;
    int id;

    (void)state;
    env_driver(e);
    spawn_ok(e);
    id = info_of(e).id;
    expect_ok(drv_rebuild(e->d, &e->inst, &err), &err, "rebuild");
    assert_true(info_of(e).id > id);
    assert_int_equal(fake_host_volume_count(e->h), 2);
    env_free(e);
}

static void
test_resume_state_on_host_boot(void **state)
{
    env *e = env_new();
    drv_error err;

    (void)state;
    env_driver(e);
    spawn_ok(e);
    expect_ok(drv_resume_state_on_host_boot(e->d, &e->inst, &err), &err,
              "running: nothing to do");
    assert_int_equal(e->calls[HV_OP_DOMAIN_UNDEFINE], 0);
    fake_host_crash_reboot(e->h);
    assert_int_equal(drv_wait(e->d, SEC, &err), 0);
    assert_true(drv_host_enabled(e->d));
    assert_int_equal(info_of(e).state, DRV_POWER_SHUTDOWN);
    expect_ok(drv_resume_state_on_host_boot(e->d, &e->inst, &err), &err,
              "after host reboot");
    assert_int_equal(info_of(e).state, DRV_POWER_RUNNING);
    env_free(e);
}

/* ---- events ---- */

static void
test_events_delay_stopped(void **state)
{
    env *e = env_new();
    drv_error err;

    (void)state;
    e->vif.active = true;
    env_driver(e);
    spawn_ok(e);
    assert_int_equal(drv_wait(e->d, 0, &err), 0);
    /* a hard reboot's STOPPED is cancelled by the STARTED that follows */
    g_string_truncate(e->events, 0);
    expect_ok(drv_reboot(e->d, &e->inst, DRV_REBOOT_HARD, &err), &err,
              "hard reboot");
    assert_int_equal(drv_wait(e->d, 20 * SEC, &err), 0);
    assert_null(strstr(e->events->str, "STOPPED"));
    assert_non_null(strstr(e->events->str, "STARTED"));
    /* a power-off's STOPPED reaches the listener 15 s later, exactly */
    g_string_truncate(e->events, 0);
    {
        int64_t t0 = hv_now(e->conn) / HV_NS_PER_MS;
        char want[64];

        expect_ok(drv_power_off(e->d, &e->inst, 0, 0, &err), &err, "off");
        assert_int_equal(drv_wait(e->d, 14 * SEC, &err), 0);
        assert_string_equal(e->events->str, "");
        assert_int_equal(drv_wait(e->d, 2 * SEC, &err), 0);
        g_snprintf(want, sizeof(want), "STOPPED@%lld ", (long long)t0 + 15000);
        assert_string_equal(e->events->str, want);
    }
    env_free(e);
}

/* ---- host ---- */

static void
test_host_resources(void **state)
{
    env *e = env_new();
    drv_resources res;
    drv_inventory inv;
    drv_cpu_stats cs;
    drv_error err;
    char **nodes = NULL, **traits = NULL;
    int64_t up, up0;

    (void)state;
    e->cfg.reserved_host_disk_mb = 1500;
    env_driver(e);
    spawn_ok(e);
    expect_ok(drv_get_available_resource(e->d, &res, &err), &err, "resources");
    assert_int_equal(res.vcpus, 8);
    assert_int_equal(res.vcpus_used, 1);
    assert_int_equal(res.memory_mb, 16384);
    assert_int_equal(res.memory_mb_used, 128 + 512);
    assert_int_equal(res.local_gb, 100);
    assert_string_equal(res.hypervisor_type, "QEMU");
    assert_int_equal(res.hypervisor_version, 7002000);
    assert_string_equal(res.hypervisor_hostname, "h1");
    expect_ok(drv_get_inventory(e->d, &inv, &err), &err, "inventory");
    assert_int_equal(inv.vcpu.total, 8);
    assert_true(inv.vcpu.allocation_ratio == 16.0);
    assert_int_equal(inv.memory_mb.reserved, 512);
    assert_true(inv.memory_mb.allocation_ratio == 1.5);
    assert_int_equal(inv.disk_gb.reserved, 2);
    drv_resources_clear(&res);
    expect_ok(drv_get_available_nodes(e->d, &nodes, &err), &err, "nodes");
    assert_string_equal(nodes[0], "h1");
    assert_true(drv_node_is_available(e->d, "h1"));
    assert_false(drv_node_is_available(e->d, "h2"));
    expect_ok(drv_get_traits(e->d, &traits, &err), &err, "traits");
    assert_true(g_strv_contains((const char *const *)traits,
                                "HW_CPU_X86_SSE42"));
    expect_ok(drv_get_host_uptime(e->d, &up0, &err), &err, "uptime");
    drv_wait(e->d, 100 * SEC, &err);
    expect_ok(drv_get_host_uptime(e->d, &up, &err), &err, "uptime");
    assert_int_equal(up - up0, 100);
    expect_ok(drv_get_host_cpu_stats(e->d, &cs, &err), &err, "cpu stats");
    assert_int_equal(cs.frequency, 2000);
    assert_true(cs.idle > 0);
    assert_int_equal(drv_get_num_instances(e->d, &err), 1);
    g_strfreev(nodes);
    g_strfreev(traits);
    env_free(e);
}

/* A configuration built by hand without its strings: drv_new fills in
 * the DRV_DEFAULT_* values (the pool the disks go to, the console path). */
static void
test_config_string_defaults(void **state)
{
    env *e = env_new();
    drv_resources res;
    hv_domain *dom;
    char *xml, *console;
    drv_error err;
    hv_error hv;

    (void)state;
    g_clear_pointer(&e->cfg.virt_type, g_free);
    g_clear_pointer(&e->cfg.storage_pool, g_free);
    g_clear_pointer(&e->cfg.instances_path, g_free);
    e->vif.active = true;
    env_driver(e);
    assert_int_equal(drv_spawn(e->d, &e->inst, true, &err), 0);
    assert_int_equal(drv_get_available_resource(e->d, &res, &err), 0);
    assert_string_equal(res.hypervisor_type, "QEMU"); /* kvm */
    drv_resources_clear(&res);
    assert_non_null(dom = hv_domain_lookup_by_uuid(e->conn, UUID, &hv));
    assert_non_null(xml = hv_domain_get_xml(dom, 0, &hv));
    console = g_strdup_printf("%s/%s/console.log", DRV_DEFAULT_INSTANCES_PATH,
                              UUID);
    assert_non_null(strstr(xml, console));
    assert_non_null(strstr(xml, "<domain type=\"kvm\""));
    g_free(console);
    g_free(xml);
    hv_domain_free(dom);
    env_free(e);
}

static void
test_version_check(void **state)
{
    env *e = env_new_with(1002000); /* libvirt 1.2.0 */
    drv_error err;

    (void)state;
    e->d = drv_new(&e->cfg, e->conn, &err);
    expect_kind(drv_init_host(e->d, "h1", &err), &err, DRV_ERR_VERSION,
                "old libvirt");
    assert_string_equal(err.message,
                        "hvd requires libvirt version 1.2.1 or greater.");
    env_free(e);
}

static void
test_lost_connection(void **state)
{
    env *e = env_new();
    drv_error err;

    (void)state;
    e->vif.active = true;
    env_driver(e);
    assert_true(drv_host_enabled(e->d));
    fake_host_daemon_stop(e->h);
    assert_int_equal(drv_wait(e->d, SEC, &err), 0);
    assert_false(drv_host_enabled(e->d));
    expect_kind(drv_spawn(e->d, &e->inst, true, &err), &err,
                DRV_ERR_HOST_UNAVAILABLE, "spawn without a daemon");
    fake_host_daemon_start(e->h);
    assert_int_equal(drv_wait(e->d, SEC, &err), 0);
    assert_true(drv_host_enabled(e->d));
    /* events flow again after the reconnect */
    g_string_truncate(e->events, 0);
    spawn_ok(e);
    drv_wait(e->d, 0, &err);
    assert_non_null(strstr(e->events->str, "STARTED"));
    env_free(e);
}

static void
test_query(void **state)
{
    env *e = env_new();
    drv_diagnostics diag;
    drv_error err;
    char **names = NULL, **uuids = NULL;

    (void)state;
    env_driver(e);
    assert_int_equal(drv_instance_exists(e->d, &e->inst, &err), 0);
    expect_kind(drv_get_info(e->d, &e->inst, &(drv_info){0}, &err), &err,
                DRV_ERR_INSTANCE_NOT_FOUND, "get_info unknown");
    spawn_ok(e);
    assert_int_equal(drv_instance_exists(e->d, &e->inst, &err), 1);
    expect_ok(drv_list_instances(e->d, &names, &err), &err, "list");
    assert_string_equal(names[0], NAME);
    expect_ok(drv_list_instance_uuids(e->d, &uuids, &err), &err, "uuids");
    assert_string_equal(uuids[0], UUID);
    assert_int_equal(info_of(e).mem_kb, 128 * 1024);
    expect_ok(drv_get_diagnostics(e->d, &e->inst, &diag, &err), &err, "diag");
    assert_true(drv_diagnostics_get(&diag, "vda_read_req", NULL));
    assert_true(drv_diagnostics_get(&diag, "tap1_rx", NULL));
    drv_diagnostics_clear(&diag);
    expect_ok(drv_poll_rebooting_instances(e->d, 60, &err), &err, "poll");
    g_strfreev(names);
    g_strfreev(uuids);
    env_free(e);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_free_then_events),
        cmocka_unit_test(test_spawn_waits_for_vifs),
        cmocka_unit_test(test_spawn_active_vifs_no_wait),
        cmocka_unit_test(test_spawn_vif_timeout_fatal),
        cmocka_unit_test(test_spawn_vif_timeout_not_fatal),
        cmocka_unit_test(test_spawn_vif_failed),
        cmocka_unit_test(test_spawn_power_off),
        cmocka_unit_test(test_spawn_disk_full),
        cmocka_unit_test(test_spawn_failures_leave_nothing),
        cmocka_unit_test(test_spawn_exists),
        cmocka_unit_test(test_destroy),
        cmocka_unit_test(test_destroy_shut_off),
        cmocka_unit_test(test_destroy_ebusy_retried),
        cmocka_unit_test(test_destroy_ebusy_gives_up),
        cmocka_unit_test(test_destroy_timeout_and_other_errors),
        cmocka_unit_test(test_destroy_restarted_meanwhile),
        cmocka_unit_test(test_destroy_undefine_fallback),
        cmocka_unit_test(test_soft_reboot_honoured),
        cmocka_unit_test(test_soft_reboot_ignored_falls_back),
        cmocka_unit_test(test_reboot_paused_and_off),
        cmocka_unit_test(test_power_off_schedule),
        cmocka_unit_test(test_power_off_on),
        cmocka_unit_test(test_pause_suspend),
        cmocka_unit_test(test_crash_dump),
        cmocka_unit_test(test_rescue_unrescue),
        cmocka_unit_test(test_rebuild),
        cmocka_unit_test(test_resume_state_on_host_boot),
        cmocka_unit_test(test_events_delay_stopped),
        cmocka_unit_test(test_host_resources),
        cmocka_unit_test(test_config_string_defaults),
        cmocka_unit_test(test_version_check),
        cmocka_unit_test(test_lost_connection),
        cmocka_unit_test(test_query),
    };

    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests_name("driver", tests, NULL, NULL);
}
