/*
 * test-snapshot.c: snapshots and the guest agent on the fake — the cold
 * snapshot of a running, paused and shut-off instance, the live one, the
 * task states in the reference's order, failures at every step (the
 * instance left as it was, no half image), the image store, quiesce,
 * unquiesce and set_admin_password with and without an agent, and the
 * fake's hv operations underneath, at exact virtual times.
 */
#include <errno.h>
#include <glib.h>
#include <jansson.h>
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

#define UUID "5a9c0000-0000-4000-8000-000000000001"
#define NAME "instance-snap"
#define SEC HV_NS_PER_SEC
#define POOL_PATH "/var/lib/hvd/images"

typedef struct env {
    sim_world *w;
    fake_host *h;
    hv_conn *conn;
    drv_config cfg;
    drv *d;
    drv_instance inst;
    drv_kv props[4];
    unsigned int calls[HV_OP__COUNT];
    fault_set *faults;
    GString *states; /* the task states the callback saw */
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

static void
task_cb(void *opaque, drv_task_state state, int expected)
{
    env *e = opaque;

    g_string_append_printf(e->states, "%s%s<%s", e->states->len ? " " : "",
                           drv_task_state_name(state),
                           expected == DRV_TASK_ANY
                               ? "-"
                               : drv_task_state_name(expected));
}

/* A host, its pool with the image base.qcow2, and the instance (not yet
 * spawned) with image properties props (key, value pairs, NULL-ended). */
static env *
env_new(bool agent, const char *const *props)
{
    fake_host_spec spec = {.name = "h1", .vcpus = 8, .memory_mib = 16384,
                           .disk_gib = 100};
    hv_vol_spec base = {.name = "base.qcow2", .capacity = UINT64_C(1) << 30,
                        .allocation = 20 << 20, .format = "qcow2"};
    hv_hooks hooks = {.after = count_after};
    env *e = g_new0(env, 1);
    fake_guest g;
    hv_error hv;
    unsigned int n = 0;

    e->w = fake_world_new(11);
    drv_config_defaults(&e->cfg);
    g_free(e->cfg.virt_type);
    e->cfg.virt_type = g_strdup("qemu");
    spec.storage_pool = e->cfg.storage_pool;
    e->h = fake_host_add(e->w, &spec, &hv);
    assert_non_null(e->h);
    e->conn = fake_conn_open(e->w, "h1", &hv);
    assert_non_null(e->conn);
    assert_int_equal(hv_vol_create(e->conn, e->cfg.storage_pool, &base, &hv),
                     0);
    hooks.opaque = e;
    hv_conn_set_hooks(e->conn, &hooks);
    e->faults = fault_set_new();
    fault_set_attach(e->faults, e->conn);
    e->states = g_string_new("");
    fake_guest_defaults(&g);
    g.agent = agent;
    fake_guest_set(e->w, NAME, &g);
    for (; props && props[0] && n < G_N_ELEMENTS(e->props); props += 2)
        e->props[n++] = (drv_kv){(char *)props[0], (char *)props[1]};
    e->inst = (drv_instance){
        .uuid = UUID,
        .name = NAME,
        .flavor = {.name = "m1.tiny", .vcpus = 1, .memory_mb = 128,
                   .root_gb = 1},
        .image = {.id = "img-1", .volume = "base.qcow2", .format = "qcow2",
                  .properties = e->props, .n_properties = n},
        .root_device_name = "/dev/vda",
    };
    return e;
}

/* The driver, once the test has tuned e->cfg. */
static void
env_driver(env *e)
{
    drv_error err;

    e->d = drv_new(&e->cfg, e->conn, &err);
    assert_non_null(e->d);
    if (drv_init_host(e->d, "h1", &err) < 0)
        fail_msg("init_host: %s", err.message);
}

/* The driver and the instance spawned (running, its guest booted). */
static void
env_spawned(env *e)
{
    drv_error err;

    env_driver(e);
    if (drv_spawn(e->d, &e->inst, true, &err) < 0)
        fail_msg("spawn: %s", err.message);
    assert_int_equal(drv_sleep(e->d, 5 * SEC, &err), 0);
    memset(e->calls, 0, sizeof(e->calls));
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
    g_string_free(e->states, TRUE);
    g_free(e);
}

static void
fault(env *e, hv_op op, unsigned int nth, int code, int sys_errno)
{
    fault_rule r = {.op = (int)op, .nth = nth, .count = 1, .code = code,
                    .sys_errno = sys_errno};
    fault_set_add(e->faults, &r);
}

static int
power_state(env *e)
{
    drv_info info;
    drv_error err;

    if (drv_get_info(e->d, &e->inst, &info, &err) < 0)
        fail_msg("get_info: %s", err.message);
    return info.state;
}

static bool
has_volume(env *e, const char *name)
{
    hv_vol_info vi;
    hv_error hv;

    return hv_vol_get_info(e->conn, e->cfg.storage_pool, name, &vi, &hv) == 0;
}

/* The image's metadata, parsed (json_decref), or NULL if none. */
static json_t *
image_meta(env *e, const char *name)
{
    drv_error err;
    char *s = drv_image_get(e->d, name, &err);
    json_t *o;

    if (!s) {
        assert_int_equal(err.kind, DRV_ERR_IMAGE_NOT_FOUND);
        return NULL;
    }
    o = json_loads(s, 0, NULL);
    assert_non_null(o);
    g_free(s);
    return o;
}

static const char *
jstr(json_t *o, const char *path1, const char *key)
{
    if (path1)
        o = json_object_get(o, path1);
    return json_string_value(json_object_get(o, key));
}

/* The reference's order with a backend without direct snapshots. */
#define ALL_STATES                                                            \
    "image_pending_upload<- image_uploading<image_pending_upload "            \
    "image_pending_upload<image_uploading "                                   \
    "image_uploading<image_pending_upload"

/* ---- cold snapshots ---- */

static void
test_cold_running(void **state)
{
    env *e = env_new(false, NULL);
    drv_error err;
    hv_vol_info vi;
    hv_error hv;
    int64_t t0;
    json_t *m;

    (void)state;
    env_spawned(e);
    t0 = hv_now(e->conn);
    assert_int_equal(drv_snapshot(e->d, &e->inst, "snap-1", task_cb, e, &err),
                     0);
    /* nothing in the cold path waits: the same virtual instant */
    assert_int_equal(hv_now(e->conn), t0);
    assert_string_equal(e->states->str, ALL_STATES);
    /* saved, copied, started again: running as before */
    assert_int_equal(e->calls[HV_OP_DOMAIN_MANAGED_SAVE], 1);
    assert_int_equal(e->calls[HV_OP_VOL_CREATE_FROM], 1);
    assert_int_equal(e->calls[HV_OP_DOMAIN_CREATE], 1);
    assert_int_equal(e->calls[HV_OP_DOMAIN_BLOCK_REBASE], 0);
    assert_int_equal(power_state(e), DRV_POWER_RUNNING);
    /* the image: flat, the disk's format, the base's data in it */
    assert_int_equal(hv_vol_get_info(e->conn, e->cfg.storage_pool, "snap-1",
                                     &vi, &hv), 0);
    assert_string_equal(vi.format, "qcow2");
    assert_string_equal(vi.backing_path, "");
    assert_int_equal(vi.capacity, UINT64_C(1) << 30);
    assert_true(vi.allocation >= (UINT64_C(20) << 20));
    m = image_meta(e, "snap-1");
    assert_non_null(m);
    assert_string_equal(jstr(m, NULL, "status"), "active");
    assert_string_equal(jstr(m, NULL, "disk_format"), "qcow2");
    assert_string_equal(jstr(m, NULL, "container_format"), "bare");
    assert_string_equal(jstr(m, "properties", "image_location"), "snapshot");
    assert_string_equal(jstr(m, "properties", "instance_uuid"), UUID);
    assert_string_equal(jstr(m, "properties", "base_image_ref"), "img-1");
    json_decref(m);
    /* a second snapshot of the same name is refused before anything */
    memset(e->calls, 0, sizeof(e->calls));
    assert_int_equal(drv_snapshot(e->d, &e->inst, "snap-1", NULL, NULL, &err),
                     -1);
    assert_int_equal(err.kind, DRV_ERR_IMAGE_EXISTS);
    assert_int_equal(e->calls[HV_OP_DOMAIN_MANAGED_SAVE], 0);
    /* the image service's delete */
    assert_int_equal(drv_image_delete(e->d, "snap-1", &err), 0);
    assert_false(has_volume(e, "snap-1"));
    assert_null(image_meta(e, "snap-1"));
    assert_int_equal(drv_image_delete(e->d, "snap-1", &err), -1);
    assert_int_equal(err.kind, DRV_ERR_IMAGE_NOT_FOUND);
    env_free(e);
}

static void
test_cold_paused(void **state)
{
    env *e = env_new(false, NULL);
    drv_error err;

    (void)state;
    env_spawned(e);
    assert_int_equal(drv_pause(e->d, &e->inst, &err), 0);
    assert_int_equal(drv_snapshot(e->d, &e->inst, "snap-p", task_cb, e, &err),
                     0);
    assert_string_equal(e->states->str, ALL_STATES);
    assert_int_equal(e->calls[HV_OP_DOMAIN_MANAGED_SAVE], 1);
    assert_int_equal(e->calls[HV_OP_DOMAIN_CREATE], 1);
    /* started again paused, as it was */
    assert_int_equal(power_state(e), DRV_POWER_PAUSED);
    assert_true(has_volume(e, "snap-p"));
    env_free(e);
}

static void
test_cold_shut_off(void **state)
{
    env *e = env_new(false, NULL);
    drv_error err;
    json_t *m;

    (void)state;
    g_free(e->cfg.snapshot_image_format);
    e->cfg.snapshot_image_format = g_strdup("raw");
    env_spawned(e);
    assert_int_equal(drv_power_off(e->d, &e->inst, 0, 0, &err), 0);
    memset(e->calls, 0, sizeof(e->calls));
    assert_int_equal(drv_snapshot(e->d, &e->inst, "snap-off", task_cb, e,
                                  &err), 0);
    assert_string_equal(e->states->str, ALL_STATES);
    /* an instance that is off is neither saved nor started */
    assert_int_equal(e->calls[HV_OP_DOMAIN_MANAGED_SAVE], 0);
    assert_int_equal(e->calls[HV_OP_DOMAIN_CREATE], 0);
    assert_int_equal(power_state(e), DRV_POWER_SHUTDOWN);
    m = image_meta(e, "snap-off");
    assert_string_equal(jstr(m, NULL, "disk_format"), "raw");
    json_decref(m);
    env_free(e);
}

/* The copy fails: the guest is started again, no image, and the callback
 * saw the states up to the extraction only. */
static void
test_extract_fails(void **state)
{
    env *e = env_new(false, NULL);
    drv_error err;

    (void)state;
    env_spawned(e);
    fault(e, HV_OP_VOL_CREATE_FROM, 1, HV_ERR_INTERNAL_ERROR, 0);
    assert_int_equal(drv_snapshot(e->d, &e->inst, "snap-x", task_cb, e, &err),
                     -1);
    assert_int_equal(err.kind, DRV_ERR_HYPERVISOR);
    assert_int_equal(err.hv.code, HV_ERR_INTERNAL_ERROR);
    assert_string_equal(e->states->str,
                        "image_pending_upload<- "
                        "image_uploading<image_pending_upload "
                        "image_pending_upload<image_uploading");
    assert_int_equal(e->calls[HV_OP_DOMAIN_CREATE], 1);
    assert_int_equal(power_state(e), DRV_POWER_RUNNING);
    assert_false(has_volume(e, "snap-x"));
    assert_null(image_meta(e, "snap-x"));
    env_free(e);
}

/* Starting the guest again fails after a good copy: that error is the
 * snapshot's, and the copy is deleted. */
static void
test_restore_fails(void **state)
{
    env *e = env_new(false, NULL);
    drv_error err;

    (void)state;
    env_spawned(e);
    fault(e, HV_OP_DOMAIN_CREATE, 1, HV_ERR_OPERATION_FAILED, 0);
    assert_int_equal(drv_snapshot(e->d, &e->inst, "snap-r", task_cb, e, &err),
                     -1);
    assert_int_equal(err.kind, DRV_ERR_HYPERVISOR);
    assert_int_equal(err.hv.code, HV_ERR_OPERATION_FAILED);
    assert_non_null(strstr(err.message, "restoring the guest"));
    assert_false(has_volume(e, "snap-r"));
    assert_null(image_meta(e, "snap-r"));
    /* as the reference leaves it: saved (off) for the manager to resume */
    assert_int_equal(power_state(e), DRV_POWER_SHUTDOWN);
    env_free(e);
}

/* Both fail: the restore's error wins, as Python's finally. */
static void
test_extract_and_restore_fail(void **state)
{
    env *e = env_new(false, NULL);
    drv_error err;

    (void)state;
    env_spawned(e);
    fault(e, HV_OP_VOL_CREATE_FROM, 1, HV_ERR_INTERNAL_ERROR, 0);
    fault(e, HV_OP_DOMAIN_CREATE, 1, HV_ERR_OPERATION_FAILED, 0);
    assert_int_equal(drv_snapshot(e->d, &e->inst, "snap-b", NULL, NULL, &err),
                     -1);
    assert_int_equal(err.hv.code, HV_ERR_OPERATION_FAILED);
    assert_false(has_volume(e, "snap-b"));
    env_free(e);
}

/* The upload fails: the image volume goes, the guest runs. */
static void
test_upload_fails(void **state)
{
    env *e = env_new(false, NULL);
    drv_error err;

    (void)state;
    env_spawned(e);
    fault(e, HV_OP_INSTANCE_FILE_WRITE, 1, HV_ERR_SYSTEM_ERROR, ENOSPC);
    assert_int_equal(drv_snapshot(e->d, &e->inst, "snap-u", task_cb, e, &err),
                     -1);
    assert_int_equal(err.hv.sys_errno, ENOSPC);
    assert_string_equal(e->states->str, ALL_STATES);
    assert_false(has_volume(e, "snap-u"));
    assert_null(image_meta(e, "snap-u"));
    assert_int_equal(power_state(e), DRV_POWER_RUNNING);
    env_free(e);
}

/* The save fails (outside the reference's try): nothing else happens. */
static void
test_save_fails(void **state)
{
    env *e = env_new(false, NULL);
    drv_error err;

    (void)state;
    env_spawned(e);
    fault(e, HV_OP_DOMAIN_MANAGED_SAVE, 1, HV_ERR_OPERATION_FAILED, 0);
    assert_int_equal(drv_snapshot(e->d, &e->inst, "snap-s", task_cb, e, &err),
                     -1);
    assert_int_equal(err.hv.code, HV_ERR_OPERATION_FAILED);
    assert_string_equal(e->states->str, "");
    assert_int_equal(e->calls[HV_OP_VOL_CREATE_FROM], 0);
    assert_int_equal(e->calls[HV_OP_DOMAIN_CREATE], 0);
    assert_int_equal(power_state(e), DRV_POWER_RUNNING);
    env_free(e);
}

static void
test_bad_requests(void **state)
{
    env *e = env_new(false, NULL);
    static const char *const bad[] = {"", "a/b", ".", "..", ".hidden"};
    char *longname = g_strnfill(251, 'x');
    drv_error err;

    (void)state;
    env_driver(e);
    /* no domain: InstanceNotRunning, as the reference turns NotFound */
    assert_int_equal(drv_snapshot(e->d, &e->inst, "s", NULL, NULL, &err), -1);
    assert_int_equal(err.kind, DRV_ERR_INSTANCE_NOT_RUNNING);
    assert_int_equal(drv_spawn(e->d, &e->inst, true, &err), 0);
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        assert_int_equal(drv_snapshot(e->d, &e->inst, bad[i], NULL, NULL,
                                      &err), -1);
        assert_int_equal(err.kind, DRV_ERR_INVALID_IMAGE_REF);
    }
    assert_int_equal(drv_snapshot(e->d, &e->inst, NULL, NULL, NULL, &err),
                     -1);
    assert_int_equal(err.kind, DRV_ERR_INVALID_IMAGE_REF);
    assert_int_equal(drv_snapshot(e->d, &e->inst, longname, NULL, NULL, &err),
                     -1);
    assert_int_equal(err.kind, DRV_ERR_INVALID_IMAGE_REF);
    /* a volume of that name: exists */
    assert_int_equal(drv_snapshot(e->d, &e->inst, "base.qcow2", NULL, NULL,
                                  &err), -1);
    assert_int_equal(err.kind, DRV_ERR_IMAGE_EXISTS);
    assert_null(drv_image_get(e->d, "nothing", &err));
    assert_int_equal(err.kind, DRV_ERR_IMAGE_NOT_FOUND);
    assert_int_equal(power_state(e), DRV_POWER_RUNNING);
    g_free(longname);
    env_free(e);
}

/* ---- live snapshots ---- */

static void
test_live_running(void **state)
{
    env *e = env_new(false, NULL);
    drv_error err;
    hv_domain *dom;
    hv_vol_info vi;
    hv_error hv;
    int64_t t0;

    (void)state;
    e->cfg.disable_libvirt_livesnapshot = false;
    env_spawned(e);
    t0 = hv_now(e->conn);
    assert_int_equal(drv_snapshot(e->d, &e->inst, "snap-live", task_cb, e,
                                  &err), 0);
    assert_string_equal(e->states->str, ALL_STATES);
    /* the copy job is polled every 0.5 s: its first poll sees it running
     * (100 MiB/s of a 196 KiB top image), the second done */
    assert_int_equal(hv_now(e->conn) - t0, SEC / 2);
    assert_int_equal(e->calls[HV_OP_DOMAIN_BLOCK_REBASE], 1);
    assert_int_equal(e->calls[HV_OP_DOMAIN_BLOCK_JOB_INFO], 2);
    /* the probe, the idempotent abort before the copy, the end of it */
    assert_int_equal(e->calls[HV_OP_DOMAIN_BLOCK_JOB_ABORT], 3);
    assert_int_equal(e->calls[HV_OP_DOMAIN_MANAGED_SAVE], 0);
    assert_int_equal(e->calls[HV_OP_DOMAIN_UNDEFINE], 1);
    assert_int_equal(e->calls[HV_OP_DOMAIN_DEFINE], 1);
    /* no agent property: quiescing skipped, no agent call */
    assert_int_equal(e->calls[HV_OP_DOMAIN_FS_FREEZE], 0);
    assert_int_equal(power_state(e), DRV_POWER_RUNNING);
    dom = hv_domain_lookup_by_uuid(e->conn, UUID, &hv);
    assert_int_equal(hv_domain_is_persistent(dom, &hv), 1);
    hv_domain_free(dom);
    /* the delta is gone; the image is flat */
    assert_false(has_volume(e, "snap-live.delta"));
    assert_int_equal(hv_vol_get_info(e->conn, e->cfg.storage_pool,
                                     "snap-live", &vi, &hv), 0);
    assert_string_equal(vi.backing_path, "");
    env_free(e);
}

static void
test_live_quiesces_with_agent(void **state)
{
    static const char *const props[] = {"hw_qemu_guest_agent", "yes", NULL};
    env *e = env_new(true, props);
    drv_error err;

    (void)state;
    e->cfg.disable_libvirt_livesnapshot = false;
    env_spawned(e);
    assert_int_equal(drv_snapshot(e->d, &e->inst, "snap-q", NULL, NULL, &err),
                     0);
    assert_int_equal(e->calls[HV_OP_DOMAIN_FS_FREEZE], 1);
    assert_int_equal(e->calls[HV_OP_DOMAIN_FS_THAW], 1);
    /* thawed: a quiesce works again */
    assert_int_equal(drv_quiesce(e->d, &e->inst, NULL, &err), 0);
    assert_int_equal(drv_unquiesce(e->d, &e->inst, NULL, &err), 0);
    env_free(e);
}

/* os_require_quiesce without an agent: the snapshot fails before the
 * domain is touched, and the delta is deleted. */
static void
test_live_requires_quiesce(void **state)
{
    static const char *const props[] = {"os_require_quiesce", "true", NULL};
    env *e = env_new(false, props);
    drv_error err;

    (void)state;
    e->cfg.disable_libvirt_livesnapshot = false;
    env_spawned(e);
    assert_int_equal(drv_snapshot(e->d, &e->inst, "snap-rq", task_cb, e,
                                  &err), -1);
    assert_int_equal(err.kind, DRV_ERR_GUEST_AGENT_NOT_ENABLED);
    assert_int_equal(e->calls[HV_OP_DOMAIN_UNDEFINE], 0);
    assert_int_equal(e->calls[HV_OP_DOMAIN_BLOCK_REBASE], 0);
    assert_false(has_volume(e, "snap-rq.delta"));
    assert_false(has_volume(e, "snap-rq"));
    assert_int_equal(power_state(e), DRV_POWER_RUNNING);
    env_free(e);
}

/* The copy fails: the definition is restored all the same. */
static void
test_live_copy_fails(void **state)
{
    env *e = env_new(false, NULL);
    drv_error err;
    hv_domain *dom;
    hv_error hv;

    (void)state;
    e->cfg.disable_libvirt_livesnapshot = false;
    env_spawned(e);
    fault(e, HV_OP_DOMAIN_BLOCK_REBASE, 1, HV_ERR_OPERATION_FAILED, 0);
    assert_int_equal(drv_snapshot(e->d, &e->inst, "snap-lf", NULL, NULL,
                                  &err), -1);
    assert_int_equal(err.hv.code, HV_ERR_OPERATION_FAILED);
    assert_int_equal(e->calls[HV_OP_DOMAIN_DEFINE], 1);
    dom = hv_domain_lookup_by_uuid(e->conn, UUID, &hv);
    assert_int_equal(hv_domain_is_persistent(dom, &hv), 1);
    hv_domain_free(dom);
    assert_false(has_volume(e, "snap-lf.delta"));
    assert_false(has_volume(e, "snap-lf"));
    assert_int_equal(power_state(e), DRV_POWER_RUNNING);
    env_free(e);
}

/* The probe answers CONFIG_UNSUPPORTED: cold after all; a shut-off
 * instance is cold too. */
static void
test_live_falls_back_to_cold(void **state)
{
    env *e = env_new(false, NULL);
    drv_error err;

    (void)state;
    e->cfg.disable_libvirt_livesnapshot = false;
    env_spawned(e);
    fault(e, HV_OP_DOMAIN_BLOCK_JOB_ABORT, 1, HV_ERR_CONFIG_UNSUPPORTED, 0);
    assert_int_equal(drv_snapshot(e->d, &e->inst, "snap-c", NULL, NULL, &err),
                     0);
    assert_int_equal(e->calls[HV_OP_DOMAIN_MANAGED_SAVE], 1);
    assert_int_equal(e->calls[HV_OP_DOMAIN_BLOCK_REBASE], 0);
    assert_int_equal(drv_power_off(e->d, &e->inst, 0, 0, &err), 0);
    memset(e->calls, 0, sizeof(e->calls));
    assert_int_equal(drv_snapshot(e->d, &e->inst, "snap-c2", NULL, NULL,
                                  &err), 0);
    assert_int_equal(e->calls[HV_OP_DOMAIN_BLOCK_REBASE], 0);
    assert_int_equal(e->calls[HV_OP_DOMAIN_MANAGED_SAVE], 0);
    env_free(e);
}

/* ---- the guest agent ---- */

static void
test_quiesce_checks(void **state)
{
    static const char *const props[] = {"hw_qemu_guest_agent", "yes", NULL};
    env *e = env_new(false, NULL);
    drv_error err;

    (void)state;
    env_spawned(e);
    /* no hw_qemu_guest_agent */
    assert_int_equal(drv_quiesce(e->d, &e->inst, NULL, &err), -1);
    assert_int_equal(err.kind, DRV_ERR_GUEST_AGENT_NOT_ENABLED);
    assert_int_equal(drv_set_admin_password(e->d, &e->inst, "pw", &err), -1);
    assert_int_equal(err.kind, DRV_ERR_GUEST_AGENT_NOT_ENABLED);
    assert_int_equal(e->calls[HV_OP_DOMAIN_FS_FREEZE], 0);
    /* the caller's image metadata is what the checks read */
    {
        drv_kv kv = {(char *)props[0], (char *)props[1]};
        drv_image meta = {.id = "img-1", .properties = &kv,
                          .n_properties = 1};

        assert_int_equal(drv_quiesce(e->d, &e->inst, &meta, &err), -1);
        assert_int_equal(err.kind, DRV_ERR_NOVA);
        assert_int_equal(err.hv.code, HV_ERR_ARGUMENT_UNSUPPORTED);
        assert_int_equal(drv_unquiesce(e->d, &e->inst, &meta, &err), -1);
        assert_int_equal(err.kind, DRV_ERR_NOVA);
    }
    /* the property, but a domain defined without the channel: libvirt's
     * ARGUMENT_UNSUPPORTED inside a NovaException */
    e->props[0] = (drv_kv){(char *)props[0], (char *)props[1]};
    e->inst.image.n_properties = 1;
    assert_int_equal(drv_quiesce(e->d, &e->inst, NULL, &err), -1);
    assert_int_equal(err.kind, DRV_ERR_NOVA);
    assert_int_equal(err.hv.code, HV_ERR_ARGUMENT_UNSUPPORTED);
    assert_non_null(strstr(err.message, "Error from libvirt while quiescing "
                                        NAME ": [Error Code 74]"));
    drv_free(e->d);
    /* virt type test: not supported */
    g_free(e->cfg.virt_type);
    e->cfg.virt_type = g_strdup("test");
    env_driver(e);
    assert_int_equal(drv_quiesce(e->d, &e->inst, NULL, &err), -1);
    assert_int_equal(err.kind, DRV_ERR_QUIESCE_NOT_SUPPORTED);
    assert_int_equal(drv_set_admin_password(e->d, &e->inst, "pw", &err), -1);
    assert_int_equal(err.kind, DRV_ERR_SET_ADMIN_PASSWD_NOT_SUPPORTED);
    env_free(e);
}

/* libvirt older than the reference's minimums */
static void
test_agent_old_libvirt(void **state)
{
    static const char *const props[] = {"hw_qemu_guest_agent", "yes", NULL};
    sim_world *w = fake_world_new(1);
    fake_host_spec spec = {.name = "old", .vcpus = 4, .memory_mib = 4096,
                           .disk_gib = 10, .storage_pool = "hvd",
                           .lib_version = 1002015};
    drv_instance inst = {.uuid = UUID, .name = NAME};
    drv_kv kv = {(char *)props[0], (char *)props[1]};
    drv_config cfg;
    drv_error err;
    hv_error hv;
    hv_conn *conn;
    drv *d;

    (void)state;
    inst.image.properties = &kv;
    inst.image.n_properties = 1;
    assert_non_null(fake_host_add(w, &spec, &hv));
    conn = fake_conn_open(w, "old", &hv);
    drv_config_defaults(&cfg);
    g_free(cfg.virt_type);
    cfg.virt_type = g_strdup("qemu");
    d = drv_new(&cfg, conn, &err);
    /* 1.2.15: freeze is there (1.2.5), passwords not yet (1.2.16) */
    assert_int_equal(drv_set_admin_password(d, &inst, "pw", &err), -1);
    assert_int_equal(err.kind, DRV_ERR_SET_ADMIN_PASSWD_NOT_SUPPORTED);
    assert_int_equal(drv_quiesce(d, &inst, NULL, &err), -1);
    assert_int_equal(err.kind, DRV_ERR_INSTANCE_NOT_FOUND);
    drv_free(d);
    drv_config_clear(&cfg);
    hv_conn_close(conn);
    fake_world_free(w);
}

static void
test_agent_present(void **state)
{
    static const char *const props[] = {"hw_qemu_guest_agent", "yes", NULL};
    env *e = env_new(true, props);
    drv_error err;

    (void)state;
    env_driver(e);
    assert_int_equal(drv_spawn(e->d, &e->inst, true, &err), 0);
    /* running, but the guest has not booted: its agent is not there yet */
    assert_int_equal(drv_quiesce(e->d, &e->inst, NULL, &err), -1);
    assert_int_equal(err.kind, DRV_ERR_NOVA);
    assert_int_equal(err.hv.code, HV_ERR_AGENT_UNRESPONSIVE);
    assert_int_equal(drv_sleep(e->d, 4 * SEC, &err), 0);
    assert_int_equal(drv_quiesce(e->d, &e->inst, NULL, &err), 0);
    /* frozen: a second freeze and a password are the agent's refusals */
    assert_int_equal(drv_quiesce(e->d, &e->inst, NULL, &err), -1);
    assert_int_equal(err.kind, DRV_ERR_NOVA);
    assert_int_equal(err.hv.code, HV_ERR_INTERNAL_ERROR);
    assert_int_equal(drv_set_admin_password(e->d, &e->inst, "pw", &err), -1);
    assert_int_equal(err.hv.code, HV_ERR_INTERNAL_ERROR);
    assert_non_null(strstr(err.message, "username \"root\""));
    assert_int_equal(drv_unquiesce(e->d, &e->inst, NULL, &err), 0);
    assert_int_equal(drv_unquiesce(e->d, &e->inst, NULL, &err), 0);
    assert_int_equal(drv_set_admin_password(e->d, &e->inst, "pw", &err), 0);
    /* paused: not running, for the agent */
    assert_int_equal(drv_pause(e->d, &e->inst, &err), 0);
    assert_int_equal(drv_quiesce(e->d, &e->inst, NULL, &err), -1);
    assert_int_equal(err.hv.code, HV_ERR_OPERATION_INVALID);
    assert_int_equal(drv_unpause(e->d, &e->inst, &err), 0);
    /* a freeze lasts only for the guest's life: a hard reboot thaws */
    assert_int_equal(drv_quiesce(e->d, &e->inst, NULL, &err), 0);
    assert_int_equal(drv_reboot(e->d, &e->inst, DRV_REBOOT_HARD, &err), 0);
    assert_int_equal(drv_sleep(e->d, 4 * SEC, &err), 0);
    assert_int_equal(drv_quiesce(e->d, &e->inst, NULL, &err), 0);
    /* gone: InstanceNotFound escapes as it is */
    assert_int_equal(drv_destroy(e->d, &e->inst, true, &err), 0);
    assert_int_equal(drv_quiesce(e->d, &e->inst, NULL, &err), -1);
    assert_int_equal(err.kind, DRV_ERR_INSTANCE_NOT_FOUND);
    env_free(e);
}

/* The user set_admin_password names: os_admin_user, else Administrator
 * for windows, else root (seen in the agent-less refusal's message). */
static void
test_admin_password_user(void **state)
{
    static const char *const props[] = {"hw_qemu_guest_agent", "yes",
                                        "os_type", "windows", NULL};
    env *e = env_new(false, props);
    drv_error err;

    (void)state;
    env_spawned(e);
    assert_int_equal(drv_set_admin_password(e->d, &e->inst, "pw", &err), -1);
    assert_int_equal(err.kind, DRV_ERR_NOVA);
    assert_int_equal(err.hv.code, HV_ERR_AGENT_UNRESPONSIVE);
    assert_non_null(strstr(err.message, "username \"Administrator\": "
                                        "[Error Code 86]"));
    assert_null(strstr(err.message, "pw"));
    e->props[1] = (drv_kv){"os_admin_user", "ops"};
    assert_int_equal(drv_set_admin_password(e->d, &e->inst, "pw", &err), -1);
    assert_non_null(strstr(err.message, "username \"ops\""));
    assert_int_equal(drv_set_admin_password(e->d, &e->inst, NULL, &err), -1);
    assert_int_equal(err.kind, DRV_ERR_INVALID_INSTANCE);
    env_free(e);
}

/* ---- the fake's operations ---- */

static void
test_fake_vol_create_from(void **state)
{
    env *e = env_new(false, NULL);
    hv_vol_spec over = {.name = "over", .capacity = UINT64_C(2) << 30,
                        .format = "qcow2",
                        .backing_path = POOL_PATH "/base.qcow2",
                        .backing_format = "qcow2"};
    hv_vol_spec copy = {.name = "flat", .format = "raw"};
    hv_vol_info vi;
    hv_error hv;

    (void)state;
    assert_int_equal(hv_vol_create(e->conn, "hvd", &over, &hv), 0);
    assert_int_equal(hv_vol_create_from(e->conn, "hvd", &copy, "over", &hv),
                     0);
    assert_int_equal(hv_vol_get_info(e->conn, "hvd", "flat", &vi, &hv), 0);
    assert_string_equal(vi.format, "raw");
    assert_string_equal(vi.backing_path, "");
    assert_int_equal(vi.capacity, UINT64_C(2) << 30);
    /* the base's 20 MiB and the overlay's header */
    assert_int_equal(vi.allocation, (UINT64_C(20) << 20) + 196 * 1024);
    assert_int_equal(hv_vol_create_from(e->conn, "hvd", &copy, "over", &hv),
                     -1);
    assert_int_equal(hv.code, HV_ERR_INTERNAL_ERROR);
    assert_non_null(strstr(hv.message, "already in use"));
    copy.name = "other";
    assert_int_equal(hv_vol_create_from(e->conn, "hvd", &copy, "none", &hv),
                     -1);
    assert_int_equal(hv.code, HV_ERR_NO_STORAGE_VOL);
    assert_int_equal(hv_vol_create_from(e->conn, "nopool", &copy, "over",
                                        &hv), -1);
    assert_int_equal(hv.code, HV_ERR_NO_STORAGE_POOL);
    assert_int_equal(hv_vol_create_from(e->conn, "hvd", &copy, "a/b", &hv),
                     -1);
    assert_int_equal(hv.code, HV_ERR_INVALID_ARG);
    /* a full pool: qemu-img's failure, and no volume */
    fake_host_set_disk_free(e->h, 1 << 20);
    assert_int_equal(hv_vol_create_from(e->conn, "hvd", &copy, "over", &hv),
                     -1);
    assert_int_equal(hv.code, HV_ERR_INTERNAL_ERROR);
    assert_non_null(strstr(hv.message, "No space left on device"));
    assert_int_equal(hv_vol_get_info(e->conn, "hvd", "other", &vi, &hv), -1);
    env_free(e);
}

static void
test_fake_block_job(void **state)
{
    env *e = env_new(false, NULL);
    hv_vol_spec delta = {.name = "d", .capacity = UINT64_C(1) << 30,
                         .format = "qcow2"};
    const char *disk = POOL_PATH "/" UUID "_disk";
    unsigned int copy = HV_BLOCK_REBASE_COPY | HV_BLOCK_REBASE_REUSE_EXT |
                        HV_BLOCK_REBASE_SHALLOW;
    hv_block_job_info bj;
    hv_domain *dom;
    hv_error hv;

    (void)state;
    env_spawned(e);
    assert_int_equal(hv_vol_create(e->conn, "hvd", &delta, &hv), 0);
    dom = hv_domain_lookup_by_uuid(e->conn, UUID, &hv);
    /* no job yet: none to read, none to abort */
    assert_int_equal(hv_domain_block_job_info(dom, disk, &bj, &hv), 0);
    assert_int_equal(hv_domain_block_job_abort(dom, "vda", 0, &hv), -1);
    assert_int_equal(hv.code, HV_ERR_INVALID_ARG);
    assert_int_equal(hv_domain_block_job_info(dom, "vdz", &bj, &hv), -1);
    assert_int_equal(hv.code, HV_ERR_INVALID_ARG);
    /* a persistent domain refuses a copy */
    assert_int_equal(hv_domain_block_rebase(dom, disk, POOL_PATH "/d", copy,
                                            &hv), -1);
    assert_int_equal(hv.code, HV_ERR_OPERATION_INVALID);
    assert_non_null(strstr(hv.message, "not transient"));
    assert_int_equal(hv_domain_undefine(dom, 0, &hv), 0);
    assert_int_equal(hv_domain_block_rebase(dom, disk, POOL_PATH "/none",
                                            copy, &hv), -1);
    assert_int_equal(hv.code, HV_ERR_SYSTEM_ERROR);
    assert_int_equal(hv_domain_block_rebase(dom, "vda", POOL_PATH "/d", copy,
                                            &hv), 0);
    assert_int_equal(hv_domain_block_rebase(dom, disk, POOL_PATH "/d", copy,
                                            &hv), -1);
    assert_int_equal(hv.code, HV_ERR_OPERATION_INVALID);
    /* a shallow copy moves the top image's 196 KiB, at 256 MiB/s of
     * virtual time (fake-block.c): done within the first millisecond */
    assert_int_equal(hv_domain_block_job_info(dom, disk, &bj, &hv), 1);
    assert_int_equal(bj.type, HV_BLOCK_JOB_COPY);
    assert_int_equal(bj.cur, 0);
    assert_int_equal(bj.end, 196 * 1024);
    assert_int_equal(hv_sleep(e->conn, HV_NS_PER_MS, &hv), 0);
    assert_int_equal(hv_domain_block_job_info(dom, disk, &bj, &hv), 1);
    assert_int_equal(bj.cur, bj.end);
    assert_int_equal(hv_domain_block_job_abort(dom, disk, 0, &hv), 0);
    assert_int_equal(hv_domain_block_job_info(dom, disk, &bj, &hv), 0);
    hv_domain_free(dom);
    env_free(e);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cold_running),
        cmocka_unit_test(test_cold_paused),
        cmocka_unit_test(test_cold_shut_off),
        cmocka_unit_test(test_extract_fails),
        cmocka_unit_test(test_restore_fails),
        cmocka_unit_test(test_extract_and_restore_fail),
        cmocka_unit_test(test_upload_fails),
        cmocka_unit_test(test_save_fails),
        cmocka_unit_test(test_bad_requests),
        cmocka_unit_test(test_live_running),
        cmocka_unit_test(test_live_quiesces_with_agent),
        cmocka_unit_test(test_live_requires_quiesce),
        cmocka_unit_test(test_live_copy_fails),
        cmocka_unit_test(test_live_falls_back_to_cold),
        cmocka_unit_test(test_quiesce_checks),
        cmocka_unit_test(test_agent_old_libvirt),
        cmocka_unit_test(test_agent_present),
        cmocka_unit_test(test_admin_password_user),
        cmocka_unit_test(test_fake_vol_create_from),
        cmocka_unit_test(test_fake_block_job),
    };

    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests_name("snapshot", tests, NULL, NULL);
}
