/*
 * test-iface.c: the driver's interface calls on the fake (drv-iface.c):
 * attach_interface and detach_interface with the reference's live and
 * persistent choice and its error handling, plug_vifs and unplug_vifs
 * through the plug hook, inject_network_info and the contract's network
 * hooks, and the <interface> element they hand to the hypervisor. Times
 * are exact virtual times.
 */
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

#define UUID "9a1c0000-0000-4000-8000-00000000f001"
#define NAME "instance-0000f001"
#define SEC HV_NS_PER_SEC
#define MS HV_NS_PER_MS

typedef struct env {
    sim_world *w;
    fake_host *h;
    hv_conn *conn;
    drv_config cfg;
    drv *d;
    drv_instance inst;
    drv_vif vifs[2];
    drv_vif extra;        /* the VIF tests attach */
    GString *plugs;       /* "vif-id " per hook call, in order */
    int64_t answer_ns;    /* when the network answers a plug; < 0 never */
    GPtrArray *pending;   /* answers in flight (owned) */
    unsigned int calls[HV_OP__COUNT];
    fault_set *faults;
} env;

typedef struct answer {
    drv *d;
    char uuid[HV_UUID_STRLEN];
    char vif[64];
} answer;

static void
deliver(sim_world *w, void *a, uint64_t b)
{
    answer *p = a;
    drv_error err;

    (void)w;
    (void)b;
    drv_external_event(p->d, p->uuid, "network-vif-plugged", p->vif, &err);
}

/* The network: records each plug, answers answer_ns later. */
static void
plug_hook(void *opaque, drv *d, const char *uuid, const char *vif_id)
{
    env *e = opaque;
    answer *p;

    g_string_append_printf(e->plugs, "%s ", vif_id);
    if (e->answer_ns < 0)
        return;
    p = g_new0(answer, 1);
    g_ptr_array_add(e->pending, p);
    p->d = d;
    g_strlcpy(p->uuid, uuid, sizeof(p->uuid));
    g_strlcpy(p->vif, vif_id, sizeof(p->vif));
    sim_schedule(e->w, sim_now(e->w) + e->answer_ns, deliver, p, 0);
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
env_new(void)
{
    fake_host_spec spec = {.name = "h1", .vcpus = 8, .memory_mib = 16384,
                           .disk_gib = 100};
    hv_vol_spec base = {.name = "base.qcow2", .capacity = UINT64_C(1) << 30,
                        .format = "qcow2"};
    hv_hooks hooks = {.after = count_after};
    env *e = g_new0(env, 1);
    drv_error err;
    hv_error hv;

    e->w = fake_world_new(11);
    drv_config_defaults(&e->cfg);
    g_free(e->cfg.virt_type);
    e->cfg.virt_type = g_strdup("qemu");
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
    e->plugs = g_string_new("");
    e->pending = g_ptr_array_new_with_free_func(g_free);
    e->answer_ns = SEC;
    e->vifs[0] = (drv_vif){.id = "vif-a", .mac = "52:54:00:00:f0:0a",
                           .type = "ethernet", .devname = "tap-a",
                           .active = true};
    e->vifs[1] = (drv_vif){.id = "vif-b", .mac = "52:54:00:00:f0:0b",
                           .type = "bridge", .bridge = "br-int",
                           .active = true};
    e->extra = (drv_vif){.id = "vif-x", .mac = "52:54:00:00:f0:1a",
                         .type = "ethernet", .devname = "tap-x",
                         .active = false};
    e->inst = (drv_instance){
        .uuid = UUID,
        .name = NAME,
        .flavor = {.name = "m1.tiny", .vcpus = 1, .memory_mb = 128,
                   .root_gb = 1},
        .image = {.id = "img-1", .volume = "base.qcow2", .format = "qcow2"},
        .vifs = e->vifs,
        .n_vifs = 1,
        .root_device_name = "/dev/vda",
    };
    e->d = drv_new(&e->cfg, e->conn, &err);
    assert_non_null(e->d);
    drv_set_vif_plug_hook(e->d, plug_hook, e);
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
    g_string_free(e->plugs, TRUE);
    g_ptr_array_free(e->pending, TRUE);
    g_free(e);
}

static void
fault(env *e, hv_op op, unsigned int nth, int code)
{
    fault_rule r = {.op = (int)op, .nth = nth, .count = 1, .code = code};

    fault_set_add(e->faults, &r);
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

/* Spawn (running, its VIFs active: no wait) and let the guest boot, so
 * that it answers hot-unplug requests. */
static void
spawn_booted(env *e, bool power_on)
{
    drv_error err;

    expect_ok(drv_spawn(e->d, &e->inst, power_on, &err), &err, "spawn");
    assert_int_equal(drv_wait(e->d, 4 * SEC, &err), 0);
    g_string_truncate(e->plugs, 0);
}

static int
state_of(env *e)
{
    drv_info info;
    drv_error err;

    expect_ok(drv_get_info(e->d, &e->inst, &info, &err), &err, "get_info");
    return info.state;
}

/* How many <interface>s with this MAC the domain's XML (live, or the
 * persistent definition) has. */
static unsigned int
ifaces_with(env *e, const char *mac, bool inactive)
{
    hv_error hv;
    hv_domain *dom = hv_domain_lookup_by_uuid(e->conn, UUID, &hv);
    char *xml, *needle, *p;
    unsigned int n = 0;

    assert_non_null(dom);
    xml = hv_domain_get_xml(dom, inactive ? HV_XML_INACTIVE : 0, &hv);
    assert_non_null(xml);
    needle = g_strdup_printf("<mac address=\"%s\"/>", mac);
    for (p = strstr(xml, needle); p; p = strstr(p + 1, needle))
        n++;
    g_free(needle);
    g_free(xml);
    hv_domain_free(dom);
    return n;
}

/* Has the network's answer for vif been kept (not unplugged since)? */
static bool
answered(env *e, const char *vif)
{
    char *key = g_strdup_printf("%s/%s", UUID, vif);
    bool has = g_hash_table_contains(e->d->vif_events, key);

    g_free(key);
    return has;
}

/* ---- attach_interface ---- */

static void
test_attach_running(void **state)
{
    env *e = env_new();
    drv_error err;
    int64_t t0;

    (void)state;
    spawn_booted(e, true);
    t0 = hv_now(e->conn);
    expect_ok(drv_attach_interface(e->d, &e->inst, &e->extra, &err), &err,
              "attach");
    /* plugged, not waited for: the call returns at the same instant */
    assert_int_equal(hv_now(e->conn), t0);
    assert_string_equal(e->plugs->str, "vif-x ");
    assert_false(answered(e, "vif-x"));
    assert_int_equal(e->calls[HV_OP_DOMAIN_ATTACH_DEVICE], 1);
    assert_int_equal(ifaces_with(e, e->extra.mac, false), 1);
    assert_int_equal(ifaces_with(e, e->extra.mac, true), 1);
    assert_int_equal(state_of(e), DRV_POWER_RUNNING);
    /* the network's answer arrives later and is kept */
    assert_int_equal(drv_wait(e->d, SEC, &err), 0);
    assert_true(answered(e, "vif-x"));
    env_free(e);
}

static void
test_attach_paused_is_live(void **state)
{
    env *e = env_new();
    drv_error err;

    (void)state;
    spawn_booted(e, true);
    expect_ok(drv_pause(e->d, &e->inst, &err), &err, "pause");
    expect_ok(drv_attach_interface(e->d, &e->inst, &e->extra, &err), &err,
              "attach");
    assert_int_equal(ifaces_with(e, e->extra.mac, false), 1);
    assert_int_equal(ifaces_with(e, e->extra.mac, true), 1);
    assert_int_equal(state_of(e), DRV_POWER_PAUSED);
    env_free(e);
}

static void
test_attach_shutoff_is_persistent_only(void **state)
{
    env *e = env_new();
    drv_error err;

    (void)state;
    spawn_booted(e, false);
    assert_int_equal(state_of(e), DRV_POWER_SHUTDOWN);
    expect_ok(drv_attach_interface(e->d, &e->inst, &e->extra, &err), &err,
              "attach");
    assert_int_equal(ifaces_with(e, e->extra.mac, true), 1);
    assert_int_equal(state_of(e), DRV_POWER_SHUTDOWN);
    assert_string_equal(e->plugs->str, "vif-x ");
    env_free(e);
}

static void
test_attach_no_domain(void **state)
{
    env *e = env_new();
    drv_error err;

    (void)state;
    expect_kind(drv_attach_interface(e->d, &e->inst, &e->extra, &err), &err,
                DRV_ERR_INSTANCE_NOT_FOUND, "attach without a domain");
    /* get_guest comes before the plug */
    assert_string_equal(e->plugs->str, "");
    assert_int_equal(e->calls[HV_OP_DOMAIN_ATTACH_DEVICE], 0);
    env_free(e);
}

static void
test_attach_bad_vif(void **state)
{
    env *e = env_new();
    drv_vif odd = e->extra, bare = e->extra, nobridge = e->extra;
    drv_error err;

    (void)state;
    spawn_booted(e, true);
    odd.type = "vhostuser";
    expect_kind(drv_attach_interface(e->d, &e->inst, &odd, &err), &err,
                DRV_ERR_VIF_PLUG, "unknown vif type");
    assert_non_null(strstr(err.message, "unexpected vif_type=vhostuser"));
    odd.type = NULL;
    expect_kind(drv_attach_interface(e->d, &e->inst, &odd, &err), &err,
                DRV_ERR_VIF_PLUG, "no vif type");
    bare.mac = NULL;
    expect_kind(drv_attach_interface(e->d, &e->inst, &bare, &err), &err,
                DRV_ERR_INVALID_INSTANCE, "no address");
    nobridge.type = "bridge";
    expect_kind(drv_attach_interface(e->d, &e->inst, &nobridge, &err), &err,
                DRV_ERR_INVALID_INSTANCE, "bridge without bridge");
    assert_non_null(strstr(err.message, "has no bridge"));
    expect_kind(drv_attach_interface(e->d, &e->inst, NULL, &err), &err,
                DRV_ERR_INVALID_INSTANCE, "no vif");
    /* nothing was plugged or attached */
    assert_string_equal(e->plugs->str, "");
    assert_int_equal(e->calls[HV_OP_DOMAIN_ATTACH_DEVICE], 0);
    env_free(e);
}

static void
test_attach_refused_unplugs(void **state)
{
    env *e = env_new();
    drv_error err;

    (void)state;
    spawn_booted(e, true);
    e->answer_ns = 0; /* the network answers at once */
    fault(e, HV_OP_DOMAIN_ATTACH_DEVICE, 1, HV_ERR_OPERATION_FAILED);
    expect_kind(drv_attach_interface(e->d, &e->inst, &e->extra, &err), &err,
                DRV_ERR_INTERFACE_ATTACH_FAILED, "attach refused");
    assert_int_equal(err.hv.code, HV_ERR_OPERATION_FAILED);
    assert_string_equal(e->plugs->str, "vif-x ");
    assert_false(answered(e, "vif-x"));
    assert_int_equal(ifaces_with(e, e->extra.mac, false), 0);
    assert_int_equal(ifaces_with(e, e->extra.mac, true), 0);
    assert_int_equal(state_of(e), DRV_POWER_RUNNING);
    /* the state read failing is inside the reference's try too */
    fault(e, HV_OP_DOMAIN_GET_INFO, 1, HV_ERR_INTERNAL_ERROR);
    expect_kind(drv_attach_interface(e->d, &e->inst, &e->extra, &err), &err,
                DRV_ERR_INTERFACE_ATTACH_FAILED, "state unreadable");
    assert_int_equal(err.hv.code, HV_ERR_INTERNAL_ERROR);
    assert_int_equal(e->calls[HV_OP_DOMAIN_ATTACH_DEVICE], 1);
    env_free(e);
}

/* libvirt 9 / QEMU take a second interface with a MAC address the guest
 * has (measured on qemu:///system); the fake does as they do, and the
 * detach by that address is then refused as ambiguous. */
static void
test_attach_duplicate_mac(void **state)
{
    env *e = env_new();
    drv_vif twin = e->extra;
    drv_error err;

    (void)state;
    spawn_booted(e, true);
    twin.id = "vif-twin";
    twin.mac = e->vifs[0].mac;
    expect_ok(drv_attach_interface(e->d, &e->inst, &twin, &err), &err,
              "attach a twin");
    assert_int_equal(ifaces_with(e, twin.mac, false), 2);
    expect_kind(drv_detach_interface(e->d, &e->inst, &twin, &err), &err,
                DRV_ERR_INTERFACE_DETACH_FAILED, "ambiguous detach");
    assert_int_equal(err.hv.code, HV_ERR_OPERATION_FAILED);
    assert_non_null(strstr(err.message, "multiple devices"));
    assert_int_equal(ifaces_with(e, twin.mac, true), 2);
    env_free(e);
}

/* ---- detach_interface ---- */

static void
test_detach_running(void **state)
{
    env *e = env_new();
    drv_error err;
    int64_t t0;

    (void)state;
    spawn_booted(e, true);
    expect_ok(drv_attach_interface(e->d, &e->inst, &e->extra, &err), &err,
              "attach");
    assert_int_equal(drv_wait(e->d, 2 * SEC, &err), 0);
    assert_true(answered(e, "vif-x"));
    t0 = hv_now(e->conn);
    expect_ok(drv_detach_interface(e->d, &e->inst, &e->extra, &err), &err,
              "detach");
    /* libvirt waits inside the call for the guest to let go (the fake's
     * guest: 200 ms); the driver adds no wait of its own */
    assert_int_equal(hv_now(e->conn) - t0, FAKE_DEFAULT_DETACH_DELAY_NS);
    assert_false(answered(e, "vif-x"));
    assert_int_equal(ifaces_with(e, e->extra.mac, true), 0);
    assert_int_equal(ifaces_with(e, e->extra.mac, false), 0);
    assert_int_equal(ifaces_with(e, e->vifs[0].mac, false), 1);
    assert_int_equal(state_of(e), DRV_POWER_RUNNING);
    assert_string_equal(e->plugs->str, "vif-x ");
    env_free(e);
}

static void
test_detach_shutoff(void **state)
{
    env *e = env_new();
    drv_error err;
    int64_t t0;

    (void)state;
    spawn_booted(e, false);
    expect_ok(drv_detach_interface(e->d, &e->inst, &e->vifs[0], &err), &err,
              "detach");
    assert_int_equal(ifaces_with(e, e->vifs[0].mac, true), 0);
    assert_int_equal(state_of(e), DRV_POWER_SHUTDOWN);
    /* persistent only: nothing to wait for */
    t0 = hv_now(e->conn);
    expect_ok(drv_attach_interface(e->d, &e->inst, &e->vifs[0], &err), &err,
              "attach back");
    expect_ok(drv_detach_interface(e->d, &e->inst, &e->vifs[0], &err), &err,
              "detach again");
    assert_int_equal(hv_now(e->conn), t0);
    env_free(e);
}

static void
test_detach_unknown_is_forgiven(void **state)
{
    env *e = env_new();
    drv_error err;

    (void)state;
    spawn_booted(e, true);
    expect_ok(drv_detach_interface(e->d, &e->inst, &e->extra, &err), &err,
              "detach of an interface the guest does not have");
    assert_int_equal(e->calls[HV_OP_DOMAIN_DETACH_DEVICE], 1);
    /* the lookup by MAC read the XML after libvirt refused */
    assert_int_equal(e->calls[HV_OP_DOMAIN_GET_XML], 1);
    assert_int_equal(ifaces_with(e, e->vifs[0].mac, false), 1);
    env_free(e);
}

static void
test_detach_refused(void **state)
{
    env *e = env_new();
    drv_vif upper = e->vifs[0];
    drv_error err;

    (void)state;
    spawn_booted(e, true);
    fault(e, HV_OP_DOMAIN_DETACH_DEVICE, 1, HV_ERR_OPERATION_FAILED);
    expect_kind(drv_detach_interface(e->d, &e->inst, &e->vifs[0], &err), &err,
                DRV_ERR_INTERFACE_DETACH_FAILED, "detach refused");
    assert_int_equal(err.hv.code, HV_ERR_OPERATION_FAILED);
    assert_int_equal(ifaces_with(e, e->vifs[0].mac, false), 1);
    assert_int_equal(ifaces_with(e, e->vifs[0].mac, true), 1);
    /* a MAC address in upper case still finds libvirt's lower-case one */
    upper.mac = "52:54:00:00:F0:0A";
    fault(e, HV_OP_DOMAIN_DETACH_DEVICE, 1, HV_ERR_OPERATION_FAILED);
    expect_kind(drv_detach_interface(e->d, &e->inst, &upper, &err), &err,
                DRV_ERR_INTERFACE_DETACH_FAILED, "upper-case MAC");
    env_free(e);
}

static void
test_detach_domain_vanishes(void **state)
{
    env *e = env_new();
    drv_error err;

    (void)state;
    spawn_booted(e, true);
    fault(e, HV_OP_DOMAIN_DETACH_DEVICE, 1, HV_ERR_NO_DOMAIN);
    expect_ok(drv_detach_interface(e->d, &e->inst, &e->vifs[0], &err), &err,
              "NO_DOMAIN during the detach");
    assert_int_equal(e->calls[HV_OP_DOMAIN_GET_XML], 0);
    /* the state read says NO_DOMAIN: the same */
    fault(e, HV_OP_DOMAIN_GET_INFO, 1, HV_ERR_NO_DOMAIN);
    expect_ok(drv_detach_interface(e->d, &e->inst, &e->vifs[0], &err), &err,
              "NO_DOMAIN reading the state");
    env_free(e);
}

static void
test_detach_lookup_fails(void **state)
{
    env *e = env_new();
    drv_error err;

    (void)state;
    spawn_booted(e, true);
    fault(e, HV_OP_DOMAIN_DETACH_DEVICE, 1, HV_ERR_OPERATION_FAILED);
    fault(e, HV_OP_DOMAIN_GET_XML, 1, HV_ERR_INTERNAL_ERROR);
    expect_kind(drv_detach_interface(e->d, &e->inst, &e->vifs[0], &err), &err,
                DRV_ERR_HYPERVISOR, "XML unreadable");
    assert_int_equal(err.hv.code, HV_ERR_INTERNAL_ERROR);
    env_free(e);
}

static void
test_detach_no_domain(void **state)
{
    env *e = env_new();
    drv_error err;

    (void)state;
    expect_kind(drv_detach_interface(e->d, &e->inst, &e->vifs[0], &err), &err,
                DRV_ERR_INSTANCE_NOT_FOUND, "detach without a domain");
    assert_int_equal(e->calls[HV_OP_DOMAIN_DETACH_DEVICE], 0);
    env_free(e);
}

/* ---- plug_vifs, unplug_vifs ---- */

static void
test_plug_vifs_in_order(void **state)
{
    env *e = env_new();
    drv_error err;
    unsigned int before[HV_OP__COUNT];

    (void)state;
    e->inst.n_vifs = 2;
    memcpy(before, e->calls, sizeof(before));
    expect_ok(drv_plug_vifs(e->d, &e->inst, &err), &err, "plug_vifs");
    assert_string_equal(e->plugs->str, "vif-a vif-b ");
    /* no domain needed, no hv call made */
    assert_memory_equal(before, e->calls, sizeof(before));
    assert_int_equal(drv_wait(e->d, SEC, &err), 0);
    assert_true(answered(e, "vif-a"));
    assert_true(answered(e, "vif-b"));
    expect_ok(drv_unplug_vifs(e->d, &e->inst, &err), &err, "unplug_vifs");
    assert_false(answered(e, "vif-a"));
    assert_false(answered(e, "vif-b"));
    env_free(e);
}

static void
test_plug_vifs_bad_plugs_none(void **state)
{
    env *e = env_new();
    drv_instance nouuid;
    drv_error err;

    (void)state;
    e->inst.n_vifs = 2;
    e->vifs[1].type = "midonet";
    expect_kind(drv_plug_vifs(e->d, &e->inst, &err), &err, DRV_ERR_VIF_PLUG,
                "second VIF of an unknown type");
    assert_string_equal(e->plugs->str, "");
    nouuid = e->inst;
    nouuid.uuid = NULL;
    expect_kind(drv_plug_vifs(e->d, &nouuid, &err), &err,
                DRV_ERR_INVALID_INSTANCE, "no uuid");
    expect_kind(drv_unplug_vifs(e->d, &nouuid, &err), &err,
                DRV_ERR_INVALID_INSTANCE, "no uuid");
    e->vifs[1].id = NULL;
    expect_kind(drv_unplug_vifs(e->d, &e->inst, &err), &err,
                DRV_ERR_INVALID_INSTANCE, "a VIF without id");
    env_free(e);
}

/* unplug_vifs forgets the answers: a start then waits for new ones, to
 * the second. */
static void
test_unplug_then_start_waits(void **state)
{
    env *e = env_new();
    drv_error err;
    int64_t t0;

    (void)state;
    e->vifs[0].active = false;
    e->cfg.vif_plugging_timeout = 3;
    drv_free(e->d);
    e->d = drv_new(&e->cfg, e->conn, &err);
    drv_set_vif_plug_hook(e->d, plug_hook, e);
    expect_ok(drv_init_host(e->d, "h1", &err), &err, "init_host");
    expect_ok(drv_plug_vifs(e->d, &e->inst, &err), &err, "plug_vifs");
    assert_int_equal(drv_wait(e->d, SEC, &err), 0);
    t0 = hv_now(e->conn);
    assert_int_equal(drv_wait_for_vifs(e->d, &e->inst, &err), 1);
    assert_int_equal(hv_now(e->conn), t0);
    expect_ok(drv_unplug_vifs(e->d, &e->inst, &err), &err, "unplug_vifs");
    e->answer_ns = -1;
    assert_int_equal(drv_wait_for_vifs(e->d, &e->inst, &err), 0);
    assert_int_equal(hv_now(e->conn) - t0, 3 * SEC);
    env_free(e);
}

/* ---- inject_network_info and the contract's hooks ---- */

static void
test_network_hooks(void **state)
{
    env *e = env_new();
    drv_instance nouuid;
    drv_error err;
    unsigned int before[HV_OP__COUNT];

    (void)state;
    memcpy(before, e->calls, sizeof(before));
    expect_ok(drv_inject_network_info(e->d, &e->inst, &err), &err,
              "inject without a domain");
    expect_ok(drv_prepare_networks_before_block_device_mapping(e->d, &e->inst,
                                                               &err),
              &err, "prepare");
    expect_ok(drv_clean_networks_preparation(e->d, &e->inst, &err), &err,
              "clean");
    assert_memory_equal(before, e->calls, sizeof(before));
    assert_string_equal(e->plugs->str, "");
    spawn_booted(e, true);
    expect_ok(drv_inject_network_info(e->d, &e->inst, &err), &err,
              "inject on a running instance");
    assert_int_equal(state_of(e), DRV_POWER_RUNNING);
    nouuid = e->inst;
    nouuid.uuid = NULL;
    expect_kind(drv_inject_network_info(e->d, &nouuid, &err), &err,
                DRV_ERR_INVALID_INSTANCE, "inject without uuid");
    expect_kind(drv_prepare_networks_before_block_device_mapping(
                    e->d, &nouuid, &err),
                &err, DRV_ERR_INVALID_INSTANCE, "prepare without uuid");
    expect_kind(drv_clean_networks_preparation(e->d, &nouuid, &err), &err,
                DRV_ERR_INVALID_INSTANCE, "clean without uuid");
    assert_string_equal(drv_network_binding_host_id(e->d, &e->inst), "h1");
    assert_false(drv_manages_network_binding_host_id(e->d));
    env_free(e);
}

/* ---- the <interface> element ---- */

static void
test_interface_xml(void **state)
{
    drv_kv props[] = {{"hw_vif_model", "e1000"}};
    drv_instance inst = {.uuid = UUID, .name = NAME};
    drv_vif br = {.id = "b", .mac = "52:54:00:00:00:0b", .type = "bridge",
                  .bridge = "br-int"};
    drv_vif net = {.id = "n", .mac = "52:54:00:00:00:0c", .type = "network",
                   .network = "default"};
    drv_vif eth = {.id = "e", .mac = "52:54:00:00:00:0d", .type = "ethernet",
                   .devname = "tap-e"};
    char *x;

    (void)state;
    x = drv_xml_interface(&inst, &br);
    assert_string_equal(x, "<interface type=\"bridge\">\n"
                           "  <mac address=\"52:54:00:00:00:0b\"/>\n"
                           "  <source bridge=\"br-int\"/>\n"
                           "  <model type=\"virtio\"/>\n"
                           "</interface>\n");
    g_free(x);
    x = drv_xml_interface(&inst, &net);
    assert_non_null(strstr(x, "<source network=\"default\"/>"));
    g_free(x);
    inst.image.properties = props;
    inst.image.n_properties = 1;
    x = drv_xml_interface(&inst, &eth);
    assert_non_null(strstr(x, "<target dev=\"tap-e\"/>"));
    assert_non_null(strstr(x, "<model type=\"e1000\"/>"));
    g_free(x);
}

static void
test_vif_copy_clear(void **state)
{
    drv_vif a = {.id = "a", .mac = "52:54:00:00:00:01", .type = "network",
                 .network = "default", .active = true};
    drv_vif b;

    (void)state;
    drv_vif_copy(&b, &a);
    assert_string_equal(b.network, "default");
    assert_null(b.bridge);
    assert_true(b.active);
    assert_ptr_not_equal(b.id, a.id);
    drv_vif_clear(&b);
    assert_null(b.id);
    drv_vif_clear(NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_attach_running),
        cmocka_unit_test(test_attach_paused_is_live),
        cmocka_unit_test(test_attach_shutoff_is_persistent_only),
        cmocka_unit_test(test_attach_no_domain),
        cmocka_unit_test(test_attach_bad_vif),
        cmocka_unit_test(test_attach_refused_unplugs),
        cmocka_unit_test(test_attach_duplicate_mac),
        cmocka_unit_test(test_detach_running),
        cmocka_unit_test(test_detach_shutoff),
        cmocka_unit_test(test_detach_unknown_is_forgiven),
        cmocka_unit_test(test_detach_refused),
        cmocka_unit_test(test_detach_domain_vanishes),
        cmocka_unit_test(test_detach_lookup_fails),
        cmocka_unit_test(test_detach_no_domain),
        cmocka_unit_test(test_plug_vifs_in_order),
        cmocka_unit_test(test_plug_vifs_bad_plugs_none),
        cmocka_unit_test(test_unplug_then_start_waits),
        cmocka_unit_test(test_network_hooks),
        cmocka_unit_test(test_interface_xml),
        cmocka_unit_test(test_vif_copy_clear),
    };

    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests_name("iface", tests, NULL, NULL);
}
