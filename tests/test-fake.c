/*
 * test-fake.c: what only the fake has — world faults, exact virtual timing,
 * determinism, accounting. (What both backends share is in
 * test-conformance.c.)
 */
#include <errno.h>
#include <glib.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "fake.h"
#include "hv.h"

/* The host's pool: any name, nothing to do with the driver's default. */
#define POOL "images"

typedef struct world {
    sim_world *w;
    fake_host *h;
    hv_conn *conn;
    GString *events;
} world;

static void
record(hv_conn *conn, const hv_event *ev, void *opaque)
{
    world *wd = opaque;

    (void)conn;
    g_string_append_printf(wd->events, "%s:%s/%s@%lld ", ev->name,
                           hv_event_type_name(ev->type),
                           hv_event_detail_name(ev->type, ev->detail),
                           (long long)(ev->time_ns / HV_NS_PER_MS));
}

static world *
world_new(uint64_t seed)
{
    fake_host_spec spec = {.name = "h1", .vcpus = 4, .memory_mib = 1024,
                           .storage_pool = POOL, .disk_gib = 1};
    world *wd = g_new0(world, 1);
    hv_error err;

    wd->w = fake_world_new(seed);
    wd->h = fake_host_add(wd->w, &spec, &err);
    assert_non_null(wd->h);
    wd->conn = fake_conn_open(wd->w, "h1", &err);
    assert_non_null(wd->conn);
    wd->events = g_string_new("");
    assert_int_equal(hv_conn_events_register(wd->conn, record, wd, &err), 0);
    return wd;
}

static void
world_free(world *wd)
{
    hv_conn_close(wd->conn);
    fake_world_free(wd->w);
    g_string_free(wd->events, TRUE);
    g_free(wd);
}

static char *
xml_for(const char *name, bool persistent_uuid)
{
    return g_strdup_printf(
        "<domain type='qemu'><name>%s</name>%s"
        "<memory unit='MiB'>256</memory><vcpu>2</vcpu>"
        "<os><type>hvm</type><cmdline>console=ttyS0</cmdline></os>"
        "<devices/></domain>",
        name,
        persistent_uuid ? "<uuid>11111111-2222-4333-8444-555555555555</uuid>"
                        : "");
}

static hv_domain *
start(world *wd, const char *name, bool persistent)
{
    char *xml = xml_for(name, false);
    hv_error err;
    hv_domain *d;

    if (persistent) {
        d = hv_domain_define(wd->conn, xml, &err);
        assert_non_null(d);
        assert_int_equal(hv_domain_create(d, 0, &err), 0);
    } else {
        d = hv_domain_create_xml(wd->conn, xml, 0, &err);
        assert_non_null(d);
    }
    g_free(xml);
    return d;
}

static int
state_of(hv_domain *d, int *reason, int *id)
{
    hv_domain_info info;
    hv_error err;

    assert_int_equal(hv_domain_get_info(d, &info, &err), 0);
    if (reason)
        *reason = info.reason;
    if (id)
        *id = info.id;
    return info.state;
}

/* ACPI timing is exact in virtual time: boot 3.4 s, then 2.1 s to act. */
static void
test_acpi_timing(void **state)
{
    world *wd = world_new(1);
    fake_guest g;
    hv_domain *d;
    hv_error err;

    (void)state;
    fake_guest_defaults(&g);
    g.boot_ns = 1 * HV_NS_PER_SEC;
    g.acpi_delay_ns = 2 * HV_NS_PER_SEC;
    fake_guest_set(wd->w, "vm", &g);
    d = start(wd, "vm", true);
    assert_int_equal(hv_sleep(wd->conn, HV_NS_PER_SEC, &err), 0);
    assert_int_equal(hv_domain_shutdown(d, 0, &err), 0);
    hv_sleep(wd->conn, 2 * HV_NS_PER_SEC - 1, &err);
    assert_int_equal(state_of(d, NULL, NULL), HV_STATE_RUNNING);
    hv_sleep(wd->conn, 1, &err);
    assert_int_equal(state_of(d, NULL, NULL), HV_STATE_SHUTOFF);
    assert_string_equal(wd->events->str,
                        "vm:DEFINED/ADDED@0 vm:RESUMED/UNPAUSED@0 vm:STARTED/BOOTED@0 "
                        "vm:SHUTDOWN/GUEST@3000 vm:STOPPED/SHUTDOWN@3000 ");
    hv_domain_free(d);
    world_free(wd);
}

/* Events reach the callback only from hv_sleep, in order. */
static void
test_events_only_from_sleep(void **state)
{
    world *wd = world_new(1);
    hv_domain *d = start(wd, "vm", false);
    hv_error err;

    (void)state;
    assert_string_equal(wd->events->str, "");
    assert_int_equal(hv_dispatch_events(wd->conn, &err), 0);
    assert_string_equal(wd->events->str,
                        "vm:RESUMED/UNPAUSED@0 vm:STARTED/BOOTED@0 ");
    hv_domain_free(d);
    world_free(wd);
}

static void
test_daemon_restart(void **state)
{
    world *wd = world_new(1);
    hv_domain *a = start(wd, "a", true), *b = start(wd, "b", false);
    hv_domain_info info;
    hv_domain *c;
    hv_error err;
    int id;

    (void)state;
    fake_host_daemon_stop(wd->h);
    assert_int_equal(hv_conn_is_alive(wd->conn, &err), 0);
    assert_int_equal(hv_domain_get_info(a, &info, &err), -1);
    assert_int_equal(err.code, HV_ERR_INTERNAL_ERROR);
    assert_null(fake_conn_open(wd->w, "h1", &err));
    assert_int_equal(err.code, HV_ERR_SYSTEM_ERROR);
    assert_int_equal(err.sys_errno, ECONNREFUSED);
    assert_int_equal(hv_conn_reconnect(wd->conn, &err), -1);
    /* time still passes while the daemon is down */
    assert_int_equal(hv_sleep(wd->conn, HV_NS_PER_SEC, &err), 0);

    fake_host_daemon_start(wd->h);
    /* the old connection stays dead until it reconnects */
    assert_int_equal(hv_conn_is_alive(wd->conn, &err), 0);
    assert_int_equal(hv_conn_reconnect(wd->conn, &err), 0);
    assert_int_equal(hv_conn_is_alive(wd->conn, &err), 1);
    assert_int_equal(hv_conn_events_register(wd->conn, record, wd, &err), 0);
    /* domains kept running, and IDs go on from the highest running one */
    assert_int_equal(state_of(a, NULL, NULL), HV_STATE_RUNNING);
    assert_int_equal(state_of(b, NULL, &id), HV_STATE_RUNNING);
    assert_int_equal(id, 2);
    c = start(wd, "c", false);
    state_of(c, NULL, &id);
    assert_int_equal(id, 3);
    g_string_truncate(wd->events, 0);
    assert_int_equal(hv_domain_destroy(c, 0, &err), 0);
    hv_dispatch_events(wd->conn, &err);
    assert_non_null(strstr(wd->events->str, "c:STOPPED/DESTROYED"));
    hv_domain_free(a);
    hv_domain_free(b);
    hv_domain_free(c);
    world_free(wd);
}

static void
test_host_crash_reboot(void **state)
{
    world *wd = world_new(1);
    hv_domain *a = start(wd, "a", true), *b = start(wd, "b", false);
    hv_domain *c;
    hv_error err;
    int reason, id;
    int64_t up;

    (void)state;
    hv_sleep(wd->conn, 100 * HV_NS_PER_SEC, &err);
    fake_host_crash_reboot(wd->h);
    assert_int_equal(hv_conn_is_alive(wd->conn, &err), 0);
    assert_int_equal(hv_conn_reconnect(wd->conn, &err), 0);
    assert_int_equal(state_of(a, &reason, &id), HV_STATE_SHUTOFF);
    assert_int_equal(id, -1);
    assert_null(hv_domain_lookup_by_name(wd->conn, "b", &err));
    assert_int_equal(err.code, HV_ERR_NO_DOMAIN);
    assert_int_equal(hv_node_get_uptime(wd->conn, &up, &err), 0);
    assert_int_equal(up, 0);
    c = start(wd, "c", false);
    state_of(c, NULL, &id);
    assert_int_equal(id, 1);
    hv_domain_free(a);
    hv_domain_free(b);
    hv_domain_free(c);
    world_free(wd);
}

/* A guest crash (QEMU dies): SHUTOFF/CRASHED and STOPPED/FAILED. */
static void
test_guest_crash(void **state)
{
    world *wd = world_new(1);
    fake_guest g;
    hv_domain *a, *b;
    hv_error err;
    int reason;

    (void)state;
    fake_guest_defaults(&g);
    g.crash_after_ns = 10 * HV_NS_PER_SEC;
    fake_guest_set(wd->w, "b", &g);
    a = start(wd, "a", true);
    b = start(wd, "b", true);
    assert_int_equal(fake_domain_crash(wd->h, "a", &err), 0);
    assert_int_equal(state_of(a, &reason, NULL), HV_STATE_SHUTOFF);
    assert_int_equal(reason, HV_SHUTOFF_CRASHED);
    assert_int_equal(fake_domain_crash(wd->h, "a", &err), -1);
    hv_sleep(wd->conn, 10 * HV_NS_PER_SEC - 1, &err);
    assert_int_equal(state_of(b, NULL, NULL), HV_STATE_RUNNING);
    hv_sleep(wd->conn, 1, &err);
    assert_int_equal(state_of(b, &reason, NULL), HV_STATE_SHUTOFF);
    assert_int_equal(reason, HV_SHUTOFF_CRASHED);
    assert_non_null(strstr(wd->events->str, "a:STOPPED/FAILED@0"));
    assert_non_null(strstr(wd->events->str, "b:STOPPED/FAILED@10000"));
    /* a restart gets a fresh crash timer; the old one is stale */
    assert_int_equal(hv_domain_create(b, 0, &err), 0);
    hv_sleep(wd->conn, 5 * HV_NS_PER_SEC, &err);
    assert_int_equal(hv_domain_destroy(b, 0, &err), 0);
    assert_int_equal(hv_domain_create(b, 0, &err), 0);
    hv_sleep(wd->conn, 6 * HV_NS_PER_SEC, &err);
    assert_int_equal(state_of(b, NULL, NULL), HV_STATE_RUNNING);
    hv_domain_free(a);
    hv_domain_free(b);
    world_free(wd);
}

static void
test_disk_full(void **state)
{
    world *wd = world_new(1);
    hv_vol_spec raw = {.name = "r.img", .capacity = 600 << 20,
                       .allocation = 600 << 20, .format = "raw"};
    hv_vol_spec q = {.name = "q.qcow2", .capacity = UINT64_C(10) << 30,
                     .format = "qcow2"};
    hv_pool_info pool;
    hv_error err;

    (void)state;
    assert_int_equal(hv_vol_create(wd->conn, POOL, &raw, &err), 0);
    /* a second 600 MiB raw volume does not fit in 1 GiB */
    raw.name = "r2.img";
    assert_int_equal(hv_vol_create(wd->conn, POOL, &raw, &err), -1);
    assert_int_equal(err.code, HV_ERR_SYSTEM_ERROR);
    assert_int_equal(err.sys_errno, ENOSPC);
    /* qcow2 is thin: it fits, whatever its capacity */
    assert_int_equal(hv_vol_create(wd->conn, POOL, &q, &err), 0);
    fake_host_set_disk_free(wd->h, 0);
    assert_int_equal(hv_pool_get_info(wd->conn, POOL, &pool, &err), 0);
    assert_int_equal(pool.available, 0);
    q.name = "q2.qcow2";
    /* qcow2: qemu-img writes the header and libvirt passes its failure on
     * as an internal error, as measured on real libvirt */
    assert_int_equal(hv_vol_create(wd->conn, POOL, &q, &err), -1);
    assert_int_equal(err.code, HV_ERR_INTERNAL_ERROR);
    assert_non_null(strstr(err.message, "Could not write qcow2 header: No "
                                        "space left on device"));
    fake_host_set_disk_free(wd->h, UINT64_MAX);
    assert_int_equal(hv_vol_create(wd->conn, POOL, &q, &err), 0);
    assert_int_equal(hv_vol_resize(wd->conn, POOL, "r.img", 1 << 20, &err),
                     -1);
    assert_int_equal(err.code, HV_ERR_INVALID_ARG);
    assert_int_equal(fake_host_volume_count(wd->h), 3);
    world_free(wd);
}

/* Hot-unplug: the guest releases the device, then DEVICE_REMOVED. */
static void
test_live_detach(void **state)
{
    static const char disk[] =
        "<disk type='file' device='disk'><source file='/var/lib/hvd/images/"
        "data.img'/><target dev='vdb' bus='virtio'/></disk>";
    world *wd = world_new(1);
    hv_vol_spec v = {.name = "data.img", .capacity = 1 << 20,
                     .format = "raw"};
    hv_domain *d;
    hv_error err;
    char *xml;
    int64_t t0;

    (void)state;
    d = start(wd, "vm", true);
    assert_int_equal(hv_domain_attach_device(d, disk, HV_DEVICE_LIVE, &err),
                     -1);
    assert_int_equal(err.code, HV_ERR_SYSTEM_ERROR); /* no such volume */
    assert_int_equal(hv_vol_create(wd->conn, POOL, &v, &err), 0);
    assert_int_equal(hv_domain_attach_device(d, disk, HV_DEVICE_LIVE, &err),
                     0);
    assert_int_equal(hv_domain_attach_device(d, disk, HV_DEVICE_LIVE, &err),
                     -1);
    assert_int_equal(err.code, HV_ERR_OPERATION_FAILED);
    xml = hv_domain_get_xml(d, 0, &err);
    assert_non_null(strstr(xml, "virtio-disk1"));
    g_free(xml);
    hv_sleep(wd->conn, 4 * HV_NS_PER_SEC, &err); /* boot */
    g_string_truncate(wd->events, 0);
    t0 = hv_now(wd->conn);
    assert_int_equal(hv_domain_detach_device(d, disk, HV_DEVICE_LIVE, &err),
                     0);
    assert_int_equal(hv_now(wd->conn) - t0, FAKE_DEFAULT_DETACH_DELAY_NS);
    xml = hv_domain_get_xml(d, 0, &err);
    assert_null(strstr(xml, "vdb"));
    g_free(xml);
    hv_dispatch_events(wd->conn, &err);
    assert_string_equal(wd->events->str, "vm:DEVICE_REMOVED/NONE@4200 ");
    assert_int_equal(hv_domain_detach_device(d, disk, HV_DEVICE_LIVE, &err),
                     -1);
    assert_int_equal(err.code, HV_ERR_DEVICE_MISSING);
    hv_domain_free(d);
    world_free(wd);
}

static void
test_memory_accounting(void **state)
{
    world *wd = world_new(1);
    uint64_t before, after;
    hv_domain *d;
    hv_error err;

    (void)state;
    assert_int_equal(hv_node_get_free_memory(wd->conn, &before, &err), 0);
    assert_int_equal(before, UINT64_C(1024) << 20);
    d = start(wd, "vm", false);
    hv_node_get_free_memory(wd->conn, &after, &err);
    assert_int_equal(before - after, UINT64_C(256) << 20);
    hv_domain_free(d);
    world_free(wd);
}

/* One seed, one history: uuids, IDs, event times. */
static char *
history(uint64_t seed)
{
    world *wd = world_new(seed);
    hv_domain *d[3];
    hv_error err;
    char *out;

    for (int i = 0; i < 3; i++) {
        char name[8];
        g_snprintf(name, sizeof(name), "vm%d", i);
        d[i] = start(wd, name, i != 1);
        g_string_append_printf(wd->events, "%s ", hv_domain_uuid(d[i]));
    }
    hv_sleep(wd->conn, 4 * HV_NS_PER_SEC, &err);
    hv_domain_shutdown(d[0], 0, &err);
    hv_domain_reboot(d[2], 0, &err);
    hv_domain_destroy(d[1], 0, &err);
    hv_sleep(wd->conn, 10 * HV_NS_PER_SEC, &err);
    out = g_strdup(wd->events->str);
    for (int i = 0; i < 3; i++)
        hv_domain_free(d[i]);
    world_free(wd);
    return out;
}

static void
test_determinism(void **state)
{
    char *a = history(5), *b = history(5), *c = history(6);

    (void)state;
    assert_string_equal(a, b);
    assert_string_not_equal(a, c);
    assert_non_null(strstr(a, "vm0:STOPPED/SHUTDOWN@6100"));
    assert_non_null(strstr(a, "vm2:REBOOT/NONE@6100"));
    g_free(a);
    g_free(b);
    g_free(c);
}

static void
test_bad_hosts(void **state)
{
    sim_world *w = fake_world_new(1);
    fake_host_spec spec = {.name = "h", .vcpus = 1, .memory_mib = 1};
    fake_host_spec bad = {.name = "", .vcpus = 1, .memory_mib = 1};
    hv_error err;

    (void)state;
    assert_non_null(fake_host_add(w, &spec, &err));
    assert_null(fake_host_add(w, &spec, &err));
    assert_int_equal(err.code, HV_ERR_OPERATION_FAILED);
    hv_error_reset(&err);
    assert_null(fake_host_add(w, &bad, &err));
    assert_int_equal(err.code, HV_ERR_INVALID_ARG);
    assert_null(fake_conn_open(w, "nope", &err));
    assert_int_equal(fake_host_count(w), 1);
    fake_world_free(w);
}

/*
 * A guest that restarts on shutdown: it stops when it acts on the ACPI
 * request and is started again at the same instant with a new ID, then
 * boots again (an ACPI request before it is up is lost).
 */
static void
test_restart_on_shutdown(void **state)
{
    world *wd = world_new(1);
    fake_guest g;
    hv_domain *d;
    hv_error err;
    int reason, id;

    (void)state;
    fake_guest_defaults(&g);
    g.boot_ns = 1 * HV_NS_PER_SEC;
    g.acpi_delay_ns = 2 * HV_NS_PER_SEC;
    g.restarts_on_shutdown = true;
    fake_guest_set(wd->w, "vm", &g);
    d = start(wd, "vm", true);
    assert_int_equal(state_of(d, NULL, &id), HV_STATE_RUNNING);
    assert_int_equal(id, 1);
    hv_sleep(wd->conn, HV_NS_PER_SEC, &err);
    assert_int_equal(hv_domain_shutdown(d, 0, &err), 0);
    hv_sleep(wd->conn, 2 * HV_NS_PER_SEC - 1, &err);
    assert_int_equal(state_of(d, NULL, &id), HV_STATE_RUNNING);
    assert_int_equal(id, 1);
    hv_sleep(wd->conn, 1, &err); /* t = 3 s: acted on, and back */
    assert_int_equal(state_of(d, &reason, &id), HV_STATE_RUNNING);
    assert_int_equal(reason, HV_RUNNING_BOOTED);
    assert_int_equal(id, 2);
    assert_string_equal(wd->events->str,
                        "vm:DEFINED/ADDED@0 vm:RESUMED/UNPAUSED@0 vm:STARTED/BOOTED@0 "
                        "vm:SHUTDOWN/GUEST@3000 vm:STOPPED/SHUTDOWN@3000 "
                        "vm:RESUMED/UNPAUSED@3000 vm:STARTED/BOOTED@3000 ");
    /* booting again: a request before 4 s is lost */
    g_string_truncate(wd->events, 0);
    assert_int_equal(hv_domain_shutdown(d, 0, &err), 0);
    hv_sleep(wd->conn, HV_NS_PER_SEC, &err); /* t = 4 s: up again */
    assert_int_equal(wd->events->len, 0);
    assert_int_equal(hv_domain_shutdown(d, 0, &err), 0);
    hv_sleep(wd->conn, 2 * HV_NS_PER_SEC, &err); /* acts at 6 s */
    assert_int_equal(state_of(d, NULL, &id), HV_STATE_RUNNING);
    assert_int_equal(id, 3);
    assert_string_equal(wd->events->str,
                        "vm:SHUTDOWN/GUEST@6000 vm:STOPPED/SHUTDOWN@6000 "
                        "vm:RESUMED/UNPAUSED@6000 vm:STARTED/BOOTED@6000 ");
    /* destroy is not a shutdown the guest acts on: it stays off */
    g_string_truncate(wd->events, 0);
    assert_int_equal(hv_domain_destroy(d, 0, &err), 0);
    hv_sleep(wd->conn, 10 * HV_NS_PER_SEC, &err);
    assert_int_equal(state_of(d, NULL, &id), HV_STATE_SHUTOFF);
    assert_int_equal(id, -1);
    hv_domain_free(d);
    world_free(wd);
}

/* A transient guest cannot be started again: it is gone once stopped. */
static void
test_restart_on_shutdown_transient(void **state)
{
    world *wd = world_new(1);
    fake_guest g;
    hv_domain *d;
    hv_error err;

    (void)state;
    fake_guest_defaults(&g);
    g.boot_ns = 1 * HV_NS_PER_SEC;
    g.restarts_on_shutdown = true;
    fake_guest_set(wd->w, "tvm", &g);
    d = start(wd, "tvm", false);
    hv_sleep(wd->conn, HV_NS_PER_SEC, &err);
    assert_int_equal(hv_domain_shutdown(d, 0, &err), 0);
    hv_sleep(wd->conn, 10 * HV_NS_PER_SEC, &err);
    assert_int_equal(fake_host_domain_count(wd->h), 0);
    hv_domain_free(d);
    world_free(wd);
}

/* The pool is the one the host spec names; no name gives "default". */
static void
test_pool_name(void **state)
{
    sim_world *w = fake_world_new(1);
    fake_host_spec named = {.name = "a", .vcpus = 1, .memory_mib = 1,
                            .storage_pool = "tank", .disk_gib = 1};
    fake_host_spec unnamed = {.name = "b", .vcpus = 1, .memory_mib = 1,
                              .disk_gib = 1};
    hv_pool_info info;
    hv_error err;
    hv_conn *a, *b;

    (void)state;
    assert_non_null(fake_host_add(w, &named, &err));
    assert_non_null(fake_host_add(w, &unnamed, &err));
    a = fake_conn_open(w, "a", &err);
    b = fake_conn_open(w, "b", &err);
    assert_int_equal(hv_pool_get_info(a, "tank", &info, &err), 0);
    assert_true(info.capacity == UINT64_C(1) << 30);
    assert_int_equal(hv_pool_get_info(a, "hvd", &info, &err), -1);
    assert_int_equal(err.code, HV_ERR_NO_STORAGE_POOL);
    assert_int_equal(hv_pool_get_info(b, FAKE_DEFAULT_POOL, &info, &err), 0);
    assert_int_equal(hv_pool_get_info(b, "tank", &info, &err), -1);
    assert_int_equal(err.code, HV_ERR_NO_STORAGE_POOL);
    hv_conn_close(a);
    hv_conn_close(b);
    fake_world_free(w);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_acpi_timing),
        cmocka_unit_test(test_events_only_from_sleep),
        cmocka_unit_test(test_daemon_restart),
        cmocka_unit_test(test_host_crash_reboot),
        cmocka_unit_test(test_guest_crash),
        cmocka_unit_test(test_disk_full),
        cmocka_unit_test(test_live_detach),
        cmocka_unit_test(test_memory_accounting),
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_bad_hosts),
        cmocka_unit_test(test_pool_name),
        cmocka_unit_test(test_restart_on_shutdown),
        cmocka_unit_test(test_restart_on_shutdown_transient),
    };

    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests_name("fake", tests, NULL, NULL);
}
