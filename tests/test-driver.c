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

#include "drv-priv.h"
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
    unsigned int plugged; /* VIFs the driver plugged (hook calls) */
    /* someone else pauses the guest right after each start (a guest that
     * never reaches RUNNING), through this connection of their own */
    hv_conn *pauser;
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

    e->plugged++;
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
    (void)err;
    e->calls[call->op]++;
    if (e->pauser && call->op == HV_OP_DOMAIN_CREATE && rc == 0) {
        hv_error hv;
        hv_domain *dom = hv_domain_lookup_by_name(e->pauser, NAME, &hv);

        assert_non_null(dom);
        assert_int_equal(hv_domain_suspend(dom, &hv), 0);
        hv_domain_free(dom);
    }
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
    if (e->pauser)
        hv_conn_close(e->pauser);
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

/* Every hv failure inside the reference's try of
 * _create_domain_and_network leaves the host as it was; the start failed,
 * so there is no guest to power off (no destroy call). */
static void
test_spawn_failures_leave_nothing(void **state)
{
    static const hv_op ops[] = {HV_OP_DOMAIN_DEFINE, HV_OP_DOMAIN_CREATE,
                                HV_OP_VOL_CREATE};
    (void)state;
    for (size_t i = 0; i < G_N_ELEMENTS(ops); i++) {
        env *e = env_new();
        drv_error err;

        env_driver(e);
        fault(e, ops[i], 1, 1, HV_ERR_INTERNAL_ERROR, 0);
        expect_kind(drv_spawn(e->d, &e->inst, true, &err), &err,
                    DRV_ERR_HYPERVISOR, hv_op_name(ops[i]));
        assert_int_equal(err.hv.code, HV_ERR_INTERNAL_ERROR);
        assert_int_equal(e->calls[HV_OP_DOMAIN_DESTROY], 0);
        expect_gone(e);
        env_free(e);
    }
}

/* A failed start (inactive guest: none to power off) undefines what was
 * defined and deletes the volumes, as the reference's cleanup does. */
static void
test_spawn_start_fails_no_destroy(void **state)
{
    env *e = env_new();
    drv_error err;

    (void)state;
    env_driver(e);
    fault(e, HV_OP_DOMAIN_CREATE, 1, 1, HV_ERR_OPERATION_FAILED, 0);
    expect_kind(drv_spawn(e->d, &e->inst, true, &err), &err,
                DRV_ERR_HYPERVISOR, "spawn, start refused");
    assert_int_equal(err.hv.code, HV_ERR_OPERATION_FAILED);
    assert_int_equal(e->calls[HV_OP_DOMAIN_DESTROY], 0);
    assert_int_equal(e->calls[HV_OP_DOMAIN_UNDEFINE], 1);
    expect_gone(e);
    env_free(e);
}

/* The VIF wait times out with the guest paused (active): it is powered
 * off, then cleaned up; an error of that power-off is what spawn returns,
 * the clean-up done all the same. */
static void
test_spawn_cleanup_power_off_error(void **state)
{
    env *e = env_new();
    drv_error err;

    (void)state;
    e->vif_delay_ns = -1;
    e->cfg.vif_plugging_timeout = 10;
    env_driver(e);
    fault(e, HV_OP_DOMAIN_DESTROY, 1, 1, HV_ERR_INTERNAL_ERROR, 0);
    expect_kind(drv_spawn(e->d, &e->inst, true, &err), &err,
                DRV_ERR_HYPERVISOR, "spawn, power-off of the clean-up fails");
    assert_int_equal(err.hv.code, HV_ERR_INTERNAL_ERROR);
    assert_non_null(strstr(err.message, "power off after a failed start"));
    assert_int_equal(e->calls[HV_OP_DOMAIN_DESTROY], 1);
    assert_int_equal(e->calls[HV_OP_DOMAIN_UNDEFINE], 1);
    /* the volumes went all the same */
    assert_int_equal(fake_host_volume_count(e->h), 1);
    env_free(e);
}

/* An error of the clean-up itself (the undefine, flagged and plain) is
 * the one spawn returns, over the power-off's and the start's: the last
 * exception out of the reference's try/finally. */
static void
test_spawn_cleanup_error_wins(void **state)
{
    env *e = env_new();
    drv_error err;

    (void)state;
    e->vif_delay_ns = -1;
    e->cfg.vif_plugging_timeout = 10;
    env_driver(e);
    fault(e, HV_OP_DOMAIN_DESTROY, 1, 1, HV_ERR_INTERNAL_ERROR, 0);
    fault(e, HV_OP_DOMAIN_UNDEFINE, 1, 2, HV_ERR_OPERATION_DENIED, 0);
    expect_kind(drv_spawn(e->d, &e->inst, true, &err), &err,
                DRV_ERR_HYPERVISOR, "spawn, clean-up fails");
    assert_int_equal(err.hv.code, HV_ERR_OPERATION_DENIED);
    assert_non_null(strstr(err.message, "undefine"));
    assert_int_equal(e->calls[HV_OP_DOMAIN_UNDEFINE], 2);
    assert_int_equal(fake_host_volume_count(e->h), 1); /* deleted first */
    env_free(e);
}

/* Without a fault the timed-out guest is powered off once, then gone; a
 * failed isActive read is returned the same way. */
static void
test_spawn_cleanup_powers_off_active(void **state)
{
    env *e = env_new();
    drv_error err;

    (void)state;
    e->vif_delay_ns = -1;
    e->cfg.vif_plugging_timeout = 10;
    env_driver(e);
    expect_kind(drv_spawn(e->d, &e->inst, true, &err), &err,
                DRV_ERR_VIF_CREATE, "spawn, VIF timeout");
    assert_int_equal(e->calls[HV_OP_DOMAIN_DESTROY], 1);
    expect_gone(e);
    env_free(e);

    e = env_new();
    e->vif_delay_ns = -1;
    e->cfg.vif_plugging_timeout = 10;
    env_driver(e);
    /* the only domain_get_info of the spawn is the clean-up's isActive */
    fault(e, HV_OP_DOMAIN_GET_INFO, 1, 1, HV_ERR_INTERNAL_ERROR, 0);
    expect_kind(drv_spawn(e->d, &e->inst, true, &err), &err,
                DRV_ERR_HYPERVISOR, "spawn, isActive fails");
    assert_non_null(strstr(err.message, "is_active"));
    assert_int_equal(e->calls[HV_OP_DOMAIN_DESTROY], 0);
    /* not powered off, so the undefine leaves it running (transient), as
     * the reference would; the volumes went */
    assert_int_equal(e->calls[HV_OP_DOMAIN_UNDEFINE], 1);
    assert_int_equal(drv_instance_exists(e->d, &e->inst, &err), 1);
    assert_int_equal(fake_host_volume_count(e->h), 1);
    expect_ok(drv_destroy(e->d, &e->inst, true, &err), &err, "destroy");
    expect_gone(e);
    env_free(e);
}

/* The resume after the VIF wait sits outside the reference's try: its
 * error is returned as it is and nothing is cleaned up (the compute
 * manager destroys the instance); then destroy leaves nothing. */
static void
test_spawn_resume_fails_no_cleanup(void **state)
{
    env *e = env_new();
    drv_error err;

    (void)state;
    env_driver(e);
    fault(e, HV_OP_DOMAIN_RESUME, 1, 1, HV_ERR_INTERNAL_ERROR, 0);
    expect_kind(drv_spawn(e->d, &e->inst, true, &err), &err,
                DRV_ERR_HYPERVISOR, "spawn, resume fails");
    assert_int_equal(err.hv.code, HV_ERR_INTERNAL_ERROR);
    assert_non_null(strstr(err.message, "resume"));
    assert_int_equal(e->calls[HV_OP_DOMAIN_DESTROY], 0);
    assert_int_equal(e->calls[HV_OP_DOMAIN_UNDEFINE], 0);
    assert_int_equal(info_of(e).state, DRV_POWER_PAUSED);
    assert_int_equal(fake_host_volume_count(e->h), 2);
    expect_ok(drv_destroy(e->d, &e->inst, true, &err), &err, "destroy");
    expect_gone(e);
    env_free(e);
}

/* A guest that never gets RUNNING: the wait ends at exactly
 * wait_for_running_seconds with InstanceNotRunning (hvd's bound; the
 * reference waits for ever), the guest left for the caller's destroy. */
static void
test_spawn_wait_for_running_bound(void **state)
{
    env *e = env_new();
    hv_error hv;
    drv_error err;
    int64_t t0;

    (void)state;
    e->vif.active = true;
    e->cfg.wait_for_running_seconds = 10;
    e->pauser = fake_conn_open(e->w, "h1", &hv);
    env_driver(e);
    t0 = hv_now(e->conn);
    expect_kind(drv_spawn(e->d, &e->inst, true, &err), &err,
                DRV_ERR_INSTANCE_NOT_RUNNING, "spawn, never running");
    assert_int_equal(hv_now(e->conn) - t0, 10 * SEC);
    assert_non_null(strstr(err.message, "wait_for_running_seconds"));
    assert_int_equal(info_of(e).state, DRV_POWER_PAUSED);
    assert_int_equal(e->calls[HV_OP_DOMAIN_DESTROY], 0);
    expect_ok(drv_destroy(e->d, &e->inst, true, &err), &err, "destroy");
    expect_gone(e);
    env_free(e);
}

/* wait_for_running_seconds 0: as the reference, no bound (here the guest
 * is unpaused 600 s later, and the spawn returns then). */
static void
unpause_later(sim_world *w, void *a, uint64_t b)
{
    env *e = a;
    hv_error hv;
    hv_domain *dom = hv_domain_lookup_by_name(e->pauser, NAME, &hv);

    (void)w;
    (void)b;
    assert_non_null(dom);
    assert_int_equal(hv_domain_resume(dom, &hv), 0);
    hv_domain_free(dom);
}

static void
test_spawn_wait_for_running_unbounded(void **state)
{
    env *e = env_new();
    hv_error hv;
    drv_error err;
    int64_t t0;

    (void)state;
    e->vif.active = true;
    e->cfg.wait_for_running_seconds = 0;
    e->pauser = fake_conn_open(e->w, "h1", &hv);
    env_driver(e);
    t0 = hv_now(e->conn);
    sim_schedule(e->w, t0 + 600 * SEC, unpause_later, e, 0);
    expect_ok(drv_spawn(e->d, &e->inst, true, &err), &err, "spawn");
    assert_int_equal(hv_now(e->conn) - t0, 600 * SEC);
    env_free(e);
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
    drv_provider_tree tree = {0};
    const drv_inventory_class *ic;
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
    drv_provider_tree_ensure_root(&tree, "00000000-0000-0000-0000-000000000001",
                                  "h1");
    expect_ok(drv_update_provider_tree(e->d, &tree, "h1", &err), &err,
              "inventory");
    ic = drv_provider_inventory(&tree.providers[0], "VCPU");
    assert_int_equal(ic->total, 8);
    assert_true(ic->allocation_ratio == 16.0);
    ic = drv_provider_inventory(&tree.providers[0], "MEMORY_MB");
    assert_int_equal(ic->reserved, 512);
    assert_true(ic->allocation_ratio == 1.5);
    ic = drv_provider_inventory(&tree.providers[0], "DISK_GB");
    assert_int_equal(ic->reserved, 2);
    drv_provider_tree_clear(&tree);
    drv_resources_clear(&res);
    expect_ok(drv_get_available_nodes(e->d, false, &nodes, &err), &err,
              "nodes");
    assert_string_equal(nodes[0], "h1");
    assert_int_equal(drv_node_is_available(e->d, "h1", &err), 1);
    assert_int_equal(drv_node_is_available(e->d, "h2", &err), 0);
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

/* ---- issue 10: lifecycle decisions as the reference makes them ---- */

/* destroy does not need the ID: a failed info read still powers off. */
static void
test_destroy_info_fails(void **state)
{
    env *e = env_new();
    drv_error err;

    (void)state;
    env_driver(e);
    spawn_ok(e);
    e->calls[HV_OP_DOMAIN_DESTROY] = 0;
    fault(e, HV_OP_DOMAIN_GET_INFO, 1, 1, HV_ERR_INTERNAL_ERROR, 0);
    expect_ok(drv_destroy(e->d, &e->inst, true, &err), &err,
              "destroy with a failing info read");
    assert_int_equal(e->calls[HV_OP_DOMAIN_DESTROY], 1);
    expect_gone(e);
    env_free(e);
}

/* destroy_disks false: the domain goes, the volumes stay. */
static void
test_destroy_keeps_disks(void **state)
{
    env *e = env_new();
    drv_error err;

    (void)state;
    e->inst.flavor.ephemeral_gb = 1;
    env_driver(e);
    spawn_ok(e);
    assert_int_equal(fake_host_volume_count(e->h), 3);
    expect_ok(drv_destroy(e->d, &e->inst, false, &err), &err,
              "destroy, disks kept");
    assert_int_equal(fake_host_domain_count(e->h), 0);
    assert_int_equal(fake_host_volume_count(e->h), 3);
    env_free(e);
}

/* power_off: the first ACPI request fails: its error, no destroy. */
static void
test_power_off_first_request_fails(void **state)
{
    env *e = env_new();
    drv_error err;

    (void)state;
    env_driver(e);
    spawn_booted(e);
    fault(e, HV_OP_DOMAIN_SHUTDOWN, 1, 1, HV_ERR_OPERATION_FAILED, 0);
    expect_kind(drv_power_off(e->d, &e->inst, 5, 3, &err), &err,
                DRV_ERR_HYPERVISOR, "power off, shutdown refused");
    assert_int_equal(err.hv.code, HV_ERR_OPERATION_FAILED);
    assert_int_equal(e->calls[HV_OP_DOMAIN_DESTROY], 0);
    assert_int_equal(info_of(e).state, DRV_POWER_RUNNING);
    env_free(e);
}

/* power_off: a state read fails while waiting (after 2 s): its error at
 * that second, the running guest not destroyed. */
static void
test_power_off_state_read_fails(void **state)
{
    env *e = env_new();
    fake_guest g;
    drv_error err;
    int64_t t0;

    (void)state;
    fake_guest_defaults(&g);
    g.honours_acpi = false;
    fake_guest_set(e->w, NAME, &g);
    env_driver(e);
    spawn_booted(e);
    t0 = hv_now(e->conn);
    /* reads: before the request, then at 0 s, 1 s, 2 s */
    fault(e, HV_OP_DOMAIN_GET_INFO, 4, 1, HV_ERR_INTERNAL_ERROR, 0);
    expect_kind(drv_power_off(e->d, &e->inst, 5, 3, &err), &err,
                DRV_ERR_HYPERVISOR, "power off, state read fails");
    assert_int_equal(hv_now(e->conn) - t0, 2 * SEC);
    assert_int_equal(err.hv.code, HV_ERR_INTERNAL_ERROR);
    assert_int_equal(e->calls[HV_OP_DOMAIN_DESTROY], 0);
    assert_int_equal(info_of(e).state, DRV_POWER_RUNNING);
    /* a lookup that fails while waiting: the same */
    t0 = hv_now(e->conn);
    fault(e, HV_OP_DOMAIN_LOOKUP_BY_UUID, 3, 1, HV_ERR_INTERNAL_ERROR, 0);
    expect_kind(drv_power_off(e->d, &e->inst, 5, 3, &err), &err,
                DRV_ERR_HYPERVISOR, "power off, lookup fails");
    assert_int_equal(hv_now(e->conn) - t0, SEC);
    assert_int_equal(e->calls[HV_OP_DOMAIN_DESTROY], 0);
    assert_int_equal(info_of(e).state, DRV_POWER_RUNNING);
    env_free(e);
}

/* power_off: a re-sent request that fails is ignored and the loop looks
 * again at once, without the second's sleep: timeout 5, retry 2 on a
 * guest that ignores ACPI ends after 4 s instead of 5, then destroys. */
static void
power_off_resend(bool fail_resend, int64_t want_ns)
{
    env *e = env_new();
    fake_guest g;
    drv_error err;
    int64_t t0;

    fake_guest_defaults(&g);
    g.honours_acpi = false;
    fake_guest_set(e->w, NAME, &g);
    env_driver(e);
    spawn_booted(e);
    if (fail_resend)
        fault(e, HV_OP_DOMAIN_SHUTDOWN, 2, 1, HV_ERR_OPERATION_INVALID, 0);
    t0 = hv_now(e->conn);
    expect_ok(drv_power_off(e->d, &e->inst, 5, 2, &err), &err, "power off");
    assert_int_equal(hv_now(e->conn) - t0, want_ns);
    assert_int_equal(e->calls[HV_OP_DOMAIN_SHUTDOWN], 2);
    assert_int_equal(e->calls[HV_OP_DOMAIN_DESTROY], 1);
    assert_int_equal(info_of(e).state, DRV_POWER_SHUTDOWN);
    env_free(e);
}

static void
test_power_off_resend_fails(void **state)
{
    (void)state;
    power_off_resend(false, 5 * SEC);
    power_off_resend(true, 4 * SEC);
}

/* A hard reboot, power on, resume and resume_state_on_host_boot plug the
 * VIFs again (the reference's _create_domain_and_network always does),
 * without waiting for events (vifs_already_plugged). */
static void
test_restarts_plug_vifs(void **state)
{
    env *e = env_new();
    drv_error err;
    int64_t t0;

    (void)state;
    env_driver(e);
    spawn_ok(e);
    assert_int_equal(e->plugged, 1);
    e->vif_delay_ns = -1; /* Neutron answers no more: nothing may wait */
    t0 = hv_now(e->conn);
    expect_ok(drv_reboot(e->d, &e->inst, DRV_REBOOT_HARD, &err), &err,
              "hard reboot");
    assert_int_equal(e->plugged, 2);
    expect_ok(drv_power_off(e->d, &e->inst, 0, 0, &err), &err, "off");
    expect_ok(drv_power_on(e->d, &e->inst, &err), &err, "power on");
    assert_int_equal(e->plugged, 3);
    expect_ok(drv_suspend(e->d, &e->inst, &err), &err, "suspend");
    expect_ok(drv_resume(e->d, &e->inst, &err), &err, "resume");
    assert_int_equal(e->plugged, 4);
    expect_ok(drv_power_off(e->d, &e->inst, 0, 0, &err), &err, "off");
    expect_ok(drv_resume_state_on_host_boot(e->d, &e->inst, &err), &err,
              "resume state on host boot");
    assert_int_equal(e->plugged, 5);
    assert_int_equal(e->calls[HV_OP_DOMAIN_RESUME], 1); /* spawn's only */
    assert_int_equal(hv_now(e->conn) - t0, 0);
    env_free(e);
}

/* A hard reboot makes the missing disks again (the reference's
 * _create_images_and_backing), and boots with every one of them. */
static void
test_hard_reboot_recreates_disks(void **state)
{
    env *e = env_new();
    hv_domain *dom;
    hv_vol_info vi;
    drv_error err;
    hv_error hv;
    char *xml;

    (void)state;
    e->inst.flavor.ephemeral_gb = 2;
    e->inst.flavor.swap_mb = 512;
    env_driver(e);
    spawn_ok(e);
    assert_int_equal(fake_host_volume_count(e->h), 4);
    assert_int_equal(hv_vol_delete(e->conn, e->cfg.storage_pool,
                                   UUID "_disk", &hv), 0);
    assert_int_equal(hv_vol_delete(e->conn, e->cfg.storage_pool,
                                   UUID "_disk.eph0", &hv), 0);
    e->calls[HV_OP_VOL_CREATE] = 0;
    expect_ok(drv_reboot(e->d, &e->inst, DRV_REBOOT_HARD, &err), &err,
              "hard reboot with missing disks");
    assert_int_equal(e->calls[HV_OP_VOL_CREATE], 2);
    assert_int_equal(fake_host_volume_count(e->h), 4);
    assert_int_equal(hv_vol_get_info(e->conn, e->cfg.storage_pool,
                                     UUID "_disk", &vi, &hv), 0);
    assert_true(g_str_has_suffix(vi.backing_path, "base.qcow2"));
    assert_int_equal(hv_vol_get_info(e->conn, e->cfg.storage_pool,
                                     UUID "_disk.eph0", &vi, &hv), 0);
    assert_int_equal(vi.capacity, UINT64_C(2) << 30);
    assert_non_null(dom = hv_domain_lookup_by_uuid(e->conn, UUID, &hv));
    assert_non_null(xml = hv_domain_get_xml(dom, 0, &hv));
    assert_non_null(strstr(xml, UUID "_disk\""));
    assert_non_null(strstr(xml, UUID "_disk.eph0\""));
    assert_non_null(strstr(xml, UUID "_disk.swap\""));
    g_free(xml);
    hv_domain_free(dom);
    assert_int_equal(info_of(e).state, DRV_POWER_RUNNING);
    env_free(e);
}

/* A disk that is missing where a domain is built without a re-creation
 * (rescue) fails the build with a clear error; the guest is left as it
 * was, never rebuilt without the disk. */
static void
test_missing_disk_never_left_out(void **state)
{
    env *e = env_new();
    drv_error err;
    hv_error hv;
    int id;

    (void)state;
    e->inst.flavor.swap_mb = 256;
    env_driver(e);
    spawn_ok(e);
    id = info_of(e).id;
    assert_int_equal(hv_vol_delete(e->conn, e->cfg.storage_pool,
                                   UUID "_disk", &hv), 0);
    /* a rescue domain has the rescue disk and the root disk only (the
     * blockinfo rescue mapping): the root disk must be there */
    expect_kind(drv_rescue(e->d, &e->inst, NULL, &err), &err,
                DRV_ERR_HYPERVISOR, "rescue without the root disk");
    assert_int_equal(err.hv.code, HV_ERR_NO_STORAGE_VOL);
    assert_non_null(strstr(err.message, UUID "_disk of instance"));
    assert_int_equal(info_of(e).id, id);
    /* any other failure to find a disk is returned too */
    expect_ok(drv_reboot(e->d, &e->inst, DRV_REBOOT_HARD, &err), &err,
              "hard reboot makes it again");
    fault(e, HV_OP_VOL_GET_PATH, 2, 1, HV_ERR_INTERNAL_ERROR, 0);
    expect_kind(drv_rescue(e->d, &e->inst, NULL, &err), &err,
                DRV_ERR_HYPERVISOR, "rescue, a disk lookup fails");
    assert_int_equal(err.hv.code, HV_ERR_INTERNAL_ERROR);
    env_free(e);
}

/* Whether a rescue domain has a root disk is the rescued instance's
 * matter, not the rescue image's: an instance booted from a kernel with no
 * root disk (no image disk, root_gb 0) rescued from an image boots the
 * rescue disk alone, and one with a root disk keeps it second whatever the
 * rescue image. (The rescue image once decided, so such an instance could
 * never be rescued from an image.) */
static void
test_rescue_root_disk_is_the_instances(void **state)
{
    env *e = env_new();
    drv_kv props[] = {{(char *)"kernel_path", (char *)"/boot/vmlinuz"}};
    drv_image rescue_img = {.id = "resc", .volume = "base.qcow2",
                            .format = "qcow2"};
    hv_domain *dom;
    drv_error err;
    hv_error hv;
    char *xml;

    (void)state;
    e->inst.image = (drv_image){.id = "kernel-only", .format = "raw",
                                .properties = props, .n_properties = 1};
    e->inst.flavor.root_gb = 0;
    e->inst.n_vifs = 0;
    env_driver(e);
    spawn_ok(e);
    assert_int_equal(fake_host_volume_count(e->h), 1); /* base.qcow2 only */
    expect_ok(drv_rescue(e->d, &e->inst, &rescue_img, &err), &err,
              "rescue of an instance without a root disk");
    assert_non_null(dom = hv_domain_lookup_by_uuid(e->conn, UUID, &hv));
    assert_non_null(xml = hv_domain_get_xml(dom, 0, &hv));
    assert_non_null(strstr(xml, UUID "_disk.rescue\""));
    assert_null(strstr(xml, UUID "_disk\""));
    g_free(xml);
    hv_domain_free(dom);
    expect_ok(drv_unrescue(e->d, &e->inst, &err), &err, "unrescue");
    assert_int_equal(fake_host_volume_count(e->h), 1);
    expect_ok(drv_destroy(e->d, &e->inst, true, &err), &err, "destroy");
    /* an instance with a root disk, rescued from a kernel alone (no
     * disk in the rescue image): the root disk is still there */
    e->inst.flavor.root_gb = 1;
    spawn_ok(e);
    rescue_img = (drv_image){.id = "resc-kernel", .format = "raw",
                             .properties = props, .n_properties = 1};
    expect_ok(drv_rescue(e->d, &e->inst, &rescue_img, &err), &err,
              "rescue from a kernel");
    assert_non_null(dom = hv_domain_lookup_by_uuid(e->conn, UUID, &hv));
    assert_non_null(xml = hv_domain_get_xml(dom, 0, &hv));
    assert_null(strstr(xml, UUID "_disk.rescue\""));
    assert_non_null(strstr(xml, UUID "_disk\""));
    g_free(xml);
    hv_domain_free(dom);
    env_free(e);
}

/* root_gb 0: the root disk (and the rescue disk) take the image's virtual
 * size, as the reference's image backend does for size 0. */
static void
test_root_gb_zero_image_size(void **state)
{
    env *e = env_new();
    hv_vol_spec big = {.name = "big.qcow2", .capacity = UINT64_C(3) << 30,
                       .format = "qcow2"};
    hv_vol_info vi;
    drv_error err;
    hv_error hv;

    (void)state;
    assert_int_equal(hv_vol_create(e->conn, e->cfg.storage_pool, &big, &hv),
                     0);
    e->inst.image.volume = "big.qcow2";
    e->inst.flavor.root_gb = 0;
    env_driver(e);
    spawn_ok(e);
    assert_int_equal(hv_vol_get_info(e->conn, e->cfg.storage_pool,
                                     UUID "_disk", &vi, &hv), 0);
    assert_int_equal(vi.capacity, UINT64_C(3) << 30);
    expect_ok(drv_rescue(e->d, &e->inst, NULL, &err), &err, "rescue");
    assert_int_equal(hv_vol_get_info(e->conn, e->cfg.storage_pool,
                                     UUID "_disk.rescue", &vi, &hv), 0);
    assert_int_equal(vi.capacity, UINT64_C(3) << 30);
    /* the flavor's size, when it gives one */
    expect_ok(drv_destroy(e->d, &e->inst, true, &err), &err, "destroy");
    e->inst.flavor.root_gb = 5;
    spawn_ok(e);
    assert_int_equal(hv_vol_get_info(e->conn, e->cfg.storage_pool,
                                     UUID "_disk", &vi, &hv), 0);
    assert_int_equal(vi.capacity, UINT64_C(5) << 30);
    /* the image's size cannot be read: spawn fails, nothing left */
    expect_ok(drv_destroy(e->d, &e->inst, true, &err), &err, "destroy");
    e->inst.flavor.root_gb = 0;
    fault(e, HV_OP_VOL_GET_INFO, 1, 1, HV_ERR_INTERNAL_ERROR, 0);
    expect_kind(drv_spawn(e->d, &e->inst, true, &err), &err,
                DRV_ERR_HYPERVISOR, "spawn, image size unreadable");
    assert_int_equal(fake_host_domain_count(e->h), 0);
    assert_int_equal(fake_host_volume_count(e->h), 2); /* the two images */
    env_free(e);
}

/* Soft reboot falls back to hard only on hypervisor errors of the
 * shutdown or the start; a failing lookup or state read (Nova exceptions
 * in the reference) and the driver's own wait limit are returned. */
static void
test_soft_reboot_fallback_only_on_hv_errors(void **state)
{
    env *e = env_new();
    drv_error err;
    hv_error hv;
    int64_t t0;

    (void)state;
    e->cfg.wait_soft_reboot_seconds = 5;
    e->cfg.wait_for_running_seconds = 10;
    env_driver(e);
    spawn_booted(e);
    /* the shutdown request fails: hard reboot */
    fault(e, HV_OP_DOMAIN_SHUTDOWN, 1, 1, HV_ERR_OPERATION_FAILED, 0);
    expect_ok(drv_reboot(e->d, &e->inst, DRV_REBOOT_SOFT, &err), &err,
              "soft reboot, shutdown refused");
    assert_int_equal(e->calls[HV_OP_DOMAIN_UNDEFINE], 1);
    drv_wait(e->d, 4 * SEC, &err);
    /* the start after the guest went off fails: hard reboot */
    fault(e, HV_OP_DOMAIN_CREATE, 1, 1, HV_ERR_OPERATION_FAILED, 0);
    expect_ok(drv_reboot(e->d, &e->inst, DRV_REBOOT_SOFT, &err), &err,
              "soft reboot, start refused");
    assert_int_equal(e->calls[HV_OP_DOMAIN_UNDEFINE], 2);
    drv_wait(e->d, 4 * SEC, &err);
    /* a state read fails in the loop: returned, no hard reboot */
    fault(e, HV_OP_DOMAIN_GET_INFO, 3, 1, HV_ERR_INTERNAL_ERROR, 0);
    expect_kind(drv_reboot(e->d, &e->inst, DRV_REBOOT_SOFT, &err), &err,
                DRV_ERR_HYPERVISOR, "soft reboot, state read fails");
    assert_int_equal(err.hv.code, HV_ERR_INTERNAL_ERROR);
    assert_int_equal(e->calls[HV_OP_DOMAIN_UNDEFINE], 2);
    drv_wait(e->d, 10 * SEC, &err);
    expect_ok(drv_power_on(e->d, &e->inst, &err), &err, "power on");
    drv_wait(e->d, 4 * SEC, &err);
    assert_int_equal(e->calls[HV_OP_DOMAIN_UNDEFINE], 3);
    /* a lookup fails in the loop: the same */
    fault(e, HV_OP_DOMAIN_LOOKUP_BY_UUID, 2, 1, HV_ERR_INTERNAL_ERROR, 0);
    expect_kind(drv_reboot(e->d, &e->inst, DRV_REBOOT_SOFT, &err), &err,
                DRV_ERR_HYPERVISOR, "soft reboot, lookup fails");
    assert_int_equal(e->calls[HV_OP_DOMAIN_UNDEFINE], 3);
    drv_wait(e->d, 10 * SEC, &err);
    expect_ok(drv_power_on(e->d, &e->inst, &err), &err, "power on");
    drv_wait(e->d, 4 * SEC, &err);
    /* the guest never gets RUNNING after the soft reboot's start: the
     * wait limit is returned at its second, no hard reboot */
    e->pauser = fake_conn_open(e->w, "h1", &hv);
    t0 = hv_now(e->conn);
    expect_kind(drv_reboot(e->d, &e->inst, DRV_REBOOT_SOFT, &err), &err,
                DRV_ERR_INSTANCE_NOT_RUNNING, "soft reboot, never running");
    /* off 2.1 s after the request, seen at 3 s, started, 10 s of waiting */
    assert_int_equal(hv_now(e->conn) - t0, 13 * SEC);
    assert_int_equal(e->calls[HV_OP_DOMAIN_UNDEFINE], 4);
    env_free(e);
}

/* Lifecycle events as the reference's _event_lifecycle_callback maps
 * them: STOPPED, STARTED, SUSPENDED (any detail: PAUSED) and RESUMED (any
 * detail); PMSUSPENDED, CRASHED, SHUTDOWN, DEFINED, UNDEFINED, reboot and
 * device removal reach no listener. */
static void
test_events_mapping(void **state)
{
    static const struct {
        int type, detail, want;
    } evs[] = {
        {HV_EVENT_PMSUSPENDED, 0, -1},
        {HV_EVENT_PMSUSPENDED, 1, -1},
        {HV_EVENT_CRASHED, HV_EV_CRASHED_PANICKED, -1},
        {HV_EVENT_SHUTDOWN, HV_EV_SHUTDOWN_GUEST, -1},
        {HV_EVENT_SHUTDOWN, HV_EV_SHUTDOWN_HOST, -1},
        {HV_EVENT_DEFINED, HV_EV_DEFINED_ADDED, -1},
        {HV_EVENT_UNDEFINED, HV_EV_UNDEFINED_REMOVED, -1},
        {HV_EVENT_REBOOT, 0, -1},
        {HV_EVENT_DEVICE_REMOVED, 0, -1},
        {HV_EVENT_SUSPENDED, HV_EV_SUSPENDED_PAUSED, DRV_EVENT_PAUSED},
        {HV_EVENT_SUSPENDED, HV_EV_SUSPENDED_MIGRATED, DRV_EVENT_PAUSED},
        {HV_EVENT_SUSPENDED, HV_EV_SUSPENDED_IOERROR, DRV_EVENT_PAUSED},
        {HV_EVENT_SUSPENDED, HV_EV_SUSPENDED_POSTCOPY, DRV_EVENT_PAUSED},
        {HV_EVENT_RESUMED, HV_EV_RESUMED_UNPAUSED, DRV_EVENT_RESUMED},
        {HV_EVENT_RESUMED, HV_EV_RESUMED_MIGRATED, DRV_EVENT_RESUMED},
        {HV_EVENT_RESUMED, HV_EV_RESUMED_POSTCOPY, DRV_EVENT_RESUMED},
        {HV_EVENT_STARTED, HV_EV_STARTED_BOOTED, DRV_EVENT_STARTED},
        {HV_EVENT_STARTED, HV_EV_STARTED_RESTORED, DRV_EVENT_STARTED},
        {HV_EVENT_STOPPED, HV_EV_STOPPED_SHUTDOWN, DRV_EVENT_STOPPED},
        {HV_EVENT_STOPPED, HV_EV_STOPPED_CRASHED, DRV_EVENT_STOPPED},
        {HV_EVENT_STOPPED, HV_EV_STOPPED_MIGRATED, DRV_EVENT_STOPPED},
    };

    (void)state;
    for (size_t i = 0; i < G_N_ELEMENTS(evs); i++)
        if (drv_lifecycle_transition(evs[i].type, evs[i].detail) !=
            evs[i].want)
            fail_msg("%s/%s: want %d, have %d",
                     hv_event_type_name(evs[i].type),
                     hv_event_detail_name(evs[i].type, evs[i].detail),
                     evs[i].want,
                     drv_lifecycle_transition(evs[i].type, evs[i].detail));
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
        cmocka_unit_test(test_spawn_start_fails_no_destroy),
        cmocka_unit_test(test_spawn_cleanup_power_off_error),
        cmocka_unit_test(test_spawn_cleanup_powers_off_active),
        cmocka_unit_test(test_spawn_cleanup_error_wins),
        cmocka_unit_test(test_spawn_resume_fails_no_cleanup),
        cmocka_unit_test(test_spawn_wait_for_running_bound),
        cmocka_unit_test(test_spawn_wait_for_running_unbounded),
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
        cmocka_unit_test(test_destroy_info_fails),
        cmocka_unit_test(test_destroy_keeps_disks),
        cmocka_unit_test(test_power_off_first_request_fails),
        cmocka_unit_test(test_power_off_state_read_fails),
        cmocka_unit_test(test_power_off_resend_fails),
        cmocka_unit_test(test_restarts_plug_vifs),
        cmocka_unit_test(test_hard_reboot_recreates_disks),
        cmocka_unit_test(test_missing_disk_never_left_out),
        cmocka_unit_test(test_root_gb_zero_image_size),
        cmocka_unit_test(test_rescue_root_disk_is_the_instances),
        cmocka_unit_test(test_soft_reboot_fallback_only_on_hv_errors),
        cmocka_unit_test(test_events_mapping),
    };

    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests_name("driver", tests, NULL, NULL);
}
