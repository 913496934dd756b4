/*
 * test-hv.c: the hv layer itself — error record, names, the dispatch path
 * with its hooks, the fault-injecting wrapper (on the fake), and the one
 * operation list: mandatory slots, and what each backend leaves out.
 */
#include <glib.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "fake.h"
#include "fault.h"
#include "hv-backend.h"
#include "hv-libvirt.h"
#include "hv.h"

static void
test_error_first_wins(void **state)
{
    hv_error err;

    (void)state;
    hv_error_reset(&err);
    assert_int_equal(err.code, HV_ERR_OK);
    hv_error_set(&err, HV_ERR_NO_DOMAIN, "first %d", 1);
    hv_error_set(&err, HV_ERR_INTERNAL_ERROR, "second");
    assert_int_equal(err.code, HV_ERR_NO_DOMAIN);
    assert_string_equal(err.message, "first 1");
    assert_non_null(err.func);
    hv_error_reset(&err);
    hv_error_set_errno(&err, 16, "busy");
    assert_int_equal(err.code, HV_ERR_SYSTEM_ERROR);
    assert_int_equal(err.sys_errno, 16);
}

static void
test_names(void **state)
{
    (void)state;
    assert_string_equal(hv_error_code_name(HV_ERR_OPERATION_INVALID),
                        "OPERATION_INVALID");
    assert_int_equal(hv_error_code_from_name("VIR_ERR_NO_DOMAIN"),
                     HV_ERR_NO_DOMAIN);
    assert_int_equal(hv_error_code_from_name("system_error"),
                     HV_ERR_SYSTEM_ERROR);
    assert_int_equal(hv_error_code_from_name("nonsense"), -1);
    assert_string_equal(hv_state_name(HV_STATE_SHUTOFF), "SHUTOFF");
    assert_string_equal(hv_state_name(42), "UNKNOWN");
    assert_string_equal(hv_state_reason_name(HV_STATE_SHUTOFF,
                                             HV_SHUTOFF_DESTROYED),
                        "DESTROYED");
    assert_string_equal(hv_event_type_name(HV_EVENT_REBOOT), "REBOOT");
    assert_string_equal(hv_event_detail_name(HV_EVENT_STOPPED,
                                             HV_EV_STOPPED_SAVED),
                        "SAVED");
    for (int op = 0; op < HV_OP__COUNT; op++) {
        assert_non_null(hv_op_name(op));
        assert_int_equal(hv_op_from_name(hv_op_name(op)), op);
    }
    assert_null(hv_op_name(HV_OP__COUNT));
}

/*
 * A backend with only the mandatory slots (stubs that do nothing): every
 * other call is NO_SUPPORT.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
static void bare_close(hv_conn *c) {}
static int bare_version(hv_conn *c, unsigned long *l, unsigned long *h,
                        hv_error *e) { return 0; }
static int bare_hostname(hv_conn *c, char **s, hv_error *e)
{ *s = g_strdup("bare"); return 0; }
static int bare_events(hv_conn *c, hv_error *e) { return 0; }
static int bare_node(hv_conn *c, hv_node_info *i, hv_error *e) { return 0; }
static int bare_list(hv_conn *c, unsigned int f, hv_domain ***d, int *n,
                     hv_error *e) { return 0; }
static int bare_define(hv_conn *c, const char *x, hv_domain **d, hv_error *e)
{ return -1; }
static int bare_dom_flags(hv_domain *d, unsigned int f, hv_error *e)
{ return 0; }
static int bare_lookup(hv_conn *c, const char *n, hv_domain **d, hv_error *e)
{ hv_error_set(e, HV_ERR_NO_DOMAIN, "none"); return -1; }
static int bare_info(hv_domain *d, hv_domain_info *i, hv_error *e)
{ return 0; }
static int bare_xml(hv_domain *d, unsigned int f, char **x, hv_error *e)
{ return 0; }
static int64_t bare_now(hv_conn *c) { return 7; }
static int bare_wait(hv_conn *c, int64_t until, hv_error *e) { return 0; }
static uint64_t bare_random(hv_conn *c) { return 4; }
static int bare_fail(hv_conn *c, int *alive, hv_error *e)
{ return -1; /* a buggy backend that forgets the error */ }
#pragma GCC diagnostic pop

static const hv_backend bare = {
    .name = "bare",
    .close = bare_close,
    .get_version = bare_version,
    .get_hostname = bare_hostname,
    .is_alive = bare_fail,
    .events_register = bare_events,
    .node_get_info = bare_node,
    .domain_list = bare_list,
    .domain_define = bare_define,
    .domain_undefine = bare_dom_flags,
    .domain_create = bare_dom_flags,
    .domain_lookup_by_name = bare_lookup,
    .domain_lookup_by_uuid = bare_lookup,
    .domain_get_info = bare_info,
    .domain_get_xml = bare_xml,
    .domain_destroy = bare_dom_flags,
    .clock_now = bare_now,
    .clock_wait = bare_wait,
    .clock_random = bare_random,
};

typedef struct hook_log {
    int before, after, veto_op;
    int last_rc, last_code;
} hook_log;

static int
log_before(void *opaque, hv_conn *conn, const hv_call *call, hv_error *err)
{
    hook_log *l = opaque;

    (void)conn;
    l->before++;
    if ((int)call->op == l->veto_op) {
        hv_error_set(err, HV_ERR_OPERATION_TIMEOUT, "vetoed");
        return -1;
    }
    return 0;
}

static void
log_after(void *opaque, hv_conn *conn, const hv_call *call, int rc,
          const hv_error *err)
{
    hook_log *l = opaque;

    (void)conn;
    (void)call;
    l->after++;
    l->last_rc = rc;
    l->last_code = err->code;
}

static void
test_dispatch_and_hooks(void **state)
{
    hv_error err;
    hv_conn *conn = hv_conn_new(&bare, NULL, "bare://", &err);
    hook_log log = {.veto_op = HV_OP_NODE_GET_FREE_MEMORY};
    hv_hooks hooks = {.before = log_before, .after = log_after,
                      .opaque = &log};
    hv_cpu_stats stats;
    uint64_t bytes;
    char **names = NULL;

    (void)state;
    assert_non_null(conn);
    assert_int_equal(hv_now(conn), 7);
    assert_int_equal(hv_random(conn), 4);
    assert_int_equal(hv_node_get_cpu_stats(conn, &stats, &err), -1);
    assert_int_equal(err.code, HV_ERR_NO_SUPPORT);
    assert_int_equal(hv_vol_list(conn, "p", &names, &err), -1);
    assert_int_equal(err.code, HV_ERR_NO_SUPPORT);
    assert_null(names);

    /* a failure without an error still gets one */
    assert_int_equal(hv_conn_is_alive(conn, &err), -1);
    assert_int_equal(err.code, HV_ERR_INTERNAL_ERROR);

    hv_conn_set_hooks(conn, &hooks);
    assert_int_equal(hv_node_get_free_memory(conn, &bytes, &err), -1);
    assert_int_equal(err.code, HV_ERR_OPERATION_TIMEOUT);
    assert_int_equal(log.before, 1);
    assert_int_equal(log.after, 1);
    assert_int_equal(log.last_code, HV_ERR_OPERATION_TIMEOUT);
    assert_int_equal(hv_sleep(conn, 10, &err), 0);
    assert_int_equal(log.after, 2);
    assert_int_equal(log.last_rc, 0);
    /* the error is reset on entry */
    assert_int_equal(err.code, HV_ERR_OK);
    hv_conn_set_hooks(conn, NULL);
    hv_conn_close(conn);
}

static hv_conn *
fake_one(sim_world **w)
{
    fake_host_spec spec = {.name = "h", .vcpus = 4, .memory_mib = 4096,
                           .disk_gib = 10};
    hv_error err;

    *w = fake_world_new(3);
    assert_non_null(fake_host_add(*w, &spec, &err));
    return fake_conn_open(*w, "h", &err);
}

static const char dom_xml[] =
    "<domain type='qemu'><name>vm</name><memory unit='MiB'>128</memory>"
    "<os><type>hvm</type></os></domain>";

static void
count_event(hv_conn *conn, const hv_event *ev, void *opaque)
{
    (void)conn;
    (void)ev;
    (*(int *)opaque)++;
}

/* Unregistering stops the callback (only its own registration), so the
 * callback's owner can be freed while the connection lives on. */
static void
test_events_unregister(void **state)
{
    sim_world *w;
    hv_conn *conn = fake_one(&w);
    hv_domain *dom = NULL;
    hv_error err;
    int mine = 0, other = 0;

    (void)state;
    assert_int_equal(hv_conn_events_register(conn, count_event, &mine, &err),
                     0);
    dom = hv_domain_define(conn, dom_xml, &err);
    assert_non_null(dom);
    assert_int_equal(hv_domain_create(dom, 0, &err), 0);
    assert_int_equal(hv_dispatch_events(conn, &err), 0);
    assert_true(mine > 0);

    /* someone else's opaque: nothing changes */
    mine = 0;
    hv_conn_events_unregister(conn, &other);
    assert_int_equal(hv_domain_destroy(dom, 0, &err), 0);
    assert_int_equal(hv_dispatch_events(conn, &err), 0);
    assert_true(mine > 0);

    /* its own: events still flow (hooks) but never reach it */
    mine = 0;
    hv_conn_events_unregister(conn, &mine);
    assert_int_equal(hv_domain_create(dom, 0, &err), 0);
    assert_int_equal(hv_sleep(conn, HV_NS_PER_SEC, &err), 0);
    assert_int_equal(mine, 0);
    assert_int_equal(other, 0);
    hv_domain_free(dom);
    hv_conn_close(conn);
    fake_world_free(w);
}

static void
test_fault_nth_count(void **state)
{
    sim_world *w;
    hv_conn *conn = fake_one(&w);
    fault_set *fs = fault_set_new();
    fault_rule r = {.op = HV_OP_DOMAIN_DESTROY, .nth = 2, .count = 2,
                    .code = HV_ERR_SYSTEM_ERROR, .sys_errno = 16};
    hv_domain *d;
    hv_domain_info info;
    hv_error err;

    (void)state;
    fault_set_add(fs, &r);
    fault_set_attach(fs, conn);
    d = hv_domain_define(conn, dom_xml, &err);
    assert_non_null(d);
    assert_int_equal(hv_domain_create(d, 0, &err), 0);
    assert_int_equal(hv_domain_destroy(d, 0, &err), 0); /* call 1 */
    assert_int_equal(hv_domain_create(d, 0, &err), 0);
    for (int call = 2; call <= 3; call++) {
        assert_int_equal(hv_domain_destroy(d, 0, &err), -1);
        assert_int_equal(err.code, HV_ERR_SYSTEM_ERROR);
        assert_int_equal(err.sys_errno, 16);
        /* the injected failure never reached the domain */
        assert_int_equal(hv_domain_get_info(d, &info, &err), 0);
        assert_int_equal(info.state, HV_STATE_RUNNING);
    }
    assert_int_equal(hv_domain_destroy(d, 0, &err), 0); /* call 4 */
    assert_int_equal(fault_set_fired(fs, 0), 2);
    fault_set_detach(fs, conn);
    fault_set_free(fs);
    hv_domain_free(d);
    hv_conn_close(conn);
    fake_world_free(w);
}

static void
test_fault_target_and_stall(void **state)
{
    sim_world *w;
    hv_conn *conn = fake_one(&w);
    fault_set *fs = fault_set_new();
    fault_rule stall = {.op = HV_OP_DOMAIN_GET_INFO, .target = "vm",
                        .stall_ns = 5 * HV_NS_PER_SEC};
    fault_rule other = {.op = -1, .target = "nobody",
                        .code = HV_ERR_INTERNAL_ERROR};
    hv_domain *d;
    hv_domain_info info;
    hv_error err;
    int64_t t0;

    (void)state;
    fault_set_add(fs, &stall);
    fault_set_add(fs, &other);
    fault_set_attach(fs, conn);
    d = hv_domain_define(conn, dom_xml, &err);
    t0 = hv_now(conn);
    assert_int_equal(hv_domain_get_info(d, &info, &err), 0);
    assert_int_equal(hv_now(conn) - t0, 5 * HV_NS_PER_SEC);
    assert_int_equal(fault_set_fired(fs, 1), 0);
    fault_set_detach(fs, conn);
    fault_set_free(fs);
    hv_domain_free(d);
    hv_conn_close(conn);
    fake_world_free(w);
}

/* A probability rule draws from the world: same seed, same failures. */
static unsigned int
failures_with_seed(uint64_t seed, char *pattern)
{
    fake_host_spec spec = {.name = "h", .vcpus = 4, .memory_mib = 4096,
                           .disk_gib = 10};
    sim_world *w = fake_world_new(seed);
    hv_error err;
    hv_conn *conn;
    fault_set *fs = fault_set_new();
    fault_rule r = {.op = HV_OP_NODE_GET_FREE_MEMORY, .probability = 0.3,
                    .code = HV_ERR_RPC};
    unsigned int fails = 0;

    fake_host_add(w, &spec, &err);
    conn = fake_conn_open(w, "h", &err);
    fault_set_add(fs, &r);
    fault_set_attach(fs, conn);
    for (int i = 0; i < 64; i++) {
        uint64_t b;
        int rc = hv_node_get_free_memory(conn, &b, &err);
        pattern[i] = rc < 0 ? 'x' : '.';
        fails += rc < 0;
    }
    pattern[64] = '\0';
    fault_set_detach(fs, conn);
    fault_set_free(fs);
    hv_conn_close(conn);
    fake_world_free(w);
    return fails;
}

static void
test_fault_probability_replays(void **state)
{
    char a[65], b[65], c[65];
    unsigned int fa = failures_with_seed(11, a);

    (void)state;
    assert_int_equal(failures_with_seed(11, b), fa);
    assert_string_equal(a, b);
    assert_true(fa > 5 && fa < 40);
    failures_with_seed(12, c);
    assert_string_not_equal(a, c);
}

static void
test_shared_helpers(void **state)
{
    uint64_t s = 0;
    char uuid[HV_UUID_STRLEN];
    int prev = 0, n = 0;

    (void)state;
    /* the published splitmix64 sequence from state 0 */
    assert_true(hv_splitmix64(&s) == UINT64_C(0xe220a8397b1dcdaf));
    assert_true(hv_splitmix64(&s) == UINT64_C(0x6e789e6aa1b965f4));
    hv_uuid_format(UINT64_C(0x0123456789abcdef), UINT64_C(0xfedcba9876543210),
                   uuid);
    assert_string_equal(uuid, "01234567-89ab-cdef-fedc-ba9876543210");
    hv_uuid_format_v4(UINT64_MAX, UINT64_MAX, uuid);
    assert_string_equal(uuid, "ffffffff-ffff-4fff-bfff-ffffffffffff");
    hv_uuid_format_v4(0, 0, uuid);
    assert_string_equal(uuid, "00000000-0000-4000-8000-000000000000");

    /* the enumeration gives exactly the codes that have names, ascending */
    for (int i = 0; i < hv_error_code_count(); i++) {
        int code = hv_error_code_at(i);
        assert_true(code > prev);
        assert_string_not_equal(hv_error_code_name(code), "UNKNOWN");
        prev = code;
    }
    assert_int_equal(hv_error_code_at(-1), -1);
    assert_int_equal(hv_error_code_at(hv_error_code_count()), -1);
    for (int code = 1; code < 1024; code++)
        if (strcmp(hv_error_code_name(code), "UNKNOWN") != 0)
            n++;
    assert_int_equal(n, hv_error_code_count());
}

/* ---- the operation list: mandatory slots, deliberate gaps ---- */

static void
test_mandatory_slots(void **state)
{
    hv_backend lacking = bare;
    hv_error err;
    hv_conn *conn;

    (void)state;
    conn = hv_conn_new(&bare, NULL, "bare://", &err);
    assert_non_null(conn);
    hv_conn_close(conn);

    lacking.domain_get_info = NULL;
    lacking.clock_now = NULL;
    assert_null(hv_conn_new(&lacking, NULL, "bare://", &err));
    assert_int_equal(err.code, HV_ERR_INTERNAL_ERROR);
    assert_non_null(strstr(err.message, "bare backend"));
    assert_non_null(strstr(err.message, " domain_get_info"));
    assert_non_null(strstr(err.message, " clock_now"));
    /* an optional slot may stay empty */
    lacking = bare;
    lacking.vol_list = NULL;
    conn = hv_conn_new(&lacking, NULL, "bare://", &err);
    assert_non_null(conn);
    hv_conn_close(conn);
}

/*
 * Call operation op through its hv wrapper with harmless arguments (dom is
 * an inactive domain of conn). Every operation but connect_close, which
 * would end the connection, is here: a new operation that is missing
 * fails to compile (-Wswitch).
 */
static int
call_op(hv_conn *conn, hv_domain *dom, hv_op op, hv_error *err)
{
    hv_migration mig = {.conn = conn, .name = (char *)"vm"};
    hv_migrate_params mp = {.dest_uri = "nowhere"};
    hv_vol_spec vs = {.name = "v", .capacity = 1};
    union {
        hv_node_info node;
        hv_cpu_stats cpu;
        hv_domain_info dom;
        hv_job_info job;
        hv_pool_info pool;
        hv_vol_info vol;
        hv_node_memory_stats mem;
        hv_block_stats blk;
        hv_block_job_info bj;
        hv_interface_stats nic;
        hv_memory_stat memstats[HV_MEMSTAT_NR];
    } out;
    hv_vcpu_info *vcpus = NULL;
    unsigned long l1, l2;
    uint64_t u64;
    int64_t i64;
    hv_domain **doms = NULL;
    hv_domain *d = NULL;
    hv_migration *m = NULL;
    char *s = NULL;
    char **names = NULL;
    int rc = -1;

    switch (op) {
    case HV_OP_CONNECT_CLOSE:
    case HV_OP__COUNT:
        fail_msg("call_op cannot call %s", hv_op_name(op));
        break;
    case HV_OP_CONNECT_GET_VERSION:
        rc = hv_conn_get_version(conn, &l1, &l2, err);
        break;
    case HV_OP_CONNECT_GET_HOSTNAME:
        rc = (s = hv_conn_get_hostname(conn, err)) ? 0 : -1;
        break;
    case HV_OP_CONNECT_GET_CAPABILITIES:
        rc = (s = hv_conn_get_capabilities(conn, err)) ? 0 : -1;
        break;
    case HV_OP_CONNECT_IS_ALIVE:
        rc = hv_conn_is_alive(conn, err) < 0 ? -1 : 0;
        break;
    case HV_OP_CONNECT_RECONNECT:
        rc = hv_conn_reconnect(conn, err);
        break;
    case HV_OP_CONNECT_EVENTS_REGISTER:
        rc = hv_conn_events_register(conn, NULL, NULL, err);
        break;
    case HV_OP_NODE_GET_INFO:
        rc = hv_node_get_info(conn, &out.node, err);
        break;
    case HV_OP_NODE_GET_FREE_MEMORY:
        rc = hv_node_get_free_memory(conn, &u64, err);
        break;
    case HV_OP_NODE_GET_CPU_STATS:
        rc = hv_node_get_cpu_stats(conn, &out.cpu, err);
        break;
    case HV_OP_NODE_GET_UPTIME:
        rc = hv_node_get_uptime(conn, &i64, err);
        break;
    case HV_OP_NODE_GET_MEMORY_STATS:
        rc = hv_node_get_memory_stats(conn, &out.mem, err);
        break;
    case HV_OP_DOMAIN_LIST:
        rc = hv_domain_list(conn, HV_LIST_ALL, &doms, err);
        hv_domain_list_free(doms, rc);
        break;
    case HV_OP_DOMAIN_DEFINE:
        rc = (d = hv_domain_define(conn, "<bad/>", err)) ? 0 : -1;
        break;
    case HV_OP_DOMAIN_UNDEFINE:
        rc = hv_domain_undefine(dom, HV_UNDEFINE_MANAGED_SAVE, err);
        break;
    case HV_OP_DOMAIN_CREATE:
        rc = hv_domain_create(dom, 0, err);
        break;
    case HV_OP_DOMAIN_CREATE_XML:
        rc = (d = hv_domain_create_xml(conn, "<bad/>", 0, err)) ? 0 : -1;
        break;
    case HV_OP_DOMAIN_LOOKUP_BY_NAME:
        rc = (d = hv_domain_lookup_by_name(conn, "vm", err)) ? 0 : -1;
        break;
    case HV_OP_DOMAIN_LOOKUP_BY_UUID:
        rc = (d = hv_domain_lookup_by_uuid(conn, hv_domain_uuid(dom), err))
                 ? 0 : -1;
        break;
    case HV_OP_DOMAIN_GET_INFO:
        rc = hv_domain_get_info(dom, &out.dom, err);
        break;
    case HV_OP_DOMAIN_GET_XML:
        rc = (s = hv_domain_get_xml(dom, 0, err)) ? 0 : -1;
        break;
    case HV_OP_DOMAIN_IS_PERSISTENT:
        rc = hv_domain_is_persistent(dom, err) < 0 ? -1 : 0;
        break;
    case HV_OP_DOMAIN_HAS_MANAGED_SAVE:
        rc = hv_domain_has_managed_save(dom, err) < 0 ? -1 : 0;
        break;
    case HV_OP_DOMAIN_SHUTDOWN:
        rc = hv_domain_shutdown(dom, 0, err);
        break;
    case HV_OP_DOMAIN_REBOOT:
        rc = hv_domain_reboot(dom, 0, err);
        break;
    case HV_OP_DOMAIN_RESET:
        rc = hv_domain_reset(dom, err);
        break;
    case HV_OP_DOMAIN_DESTROY:
        rc = hv_domain_destroy(dom, 0, err);
        break;
    case HV_OP_DOMAIN_SUSPEND:
        rc = hv_domain_suspend(dom, err);
        break;
    case HV_OP_DOMAIN_RESUME:
        rc = hv_domain_resume(dom, err);
        break;
    case HV_OP_DOMAIN_MANAGED_SAVE:
        rc = hv_domain_managed_save(dom, err);
        break;
    case HV_OP_DOMAIN_MANAGED_SAVE_REMOVE:
        rc = hv_domain_managed_save_remove(dom, err);
        break;
    case HV_OP_DOMAIN_INJECT_NMI:
        rc = hv_domain_inject_nmi(dom, err);
        break;
    case HV_OP_DOMAIN_ATTACH_DEVICE:
        rc = hv_domain_attach_device(dom, "<bad/>", HV_DEVICE_CONFIG, err);
        break;
    case HV_OP_DOMAIN_DETACH_DEVICE:
        rc = hv_domain_detach_device(dom, "<bad/>", HV_DEVICE_CONFIG, err);
        break;
    case HV_OP_DOMAIN_UPDATE_DEVICE:
        rc = hv_domain_update_device(dom, "<bad/>", HV_DEVICE_CONFIG, err);
        break;
    case HV_OP_DOMAIN_GET_JOB_INFO:
        rc = hv_domain_get_job_info(dom, &out.job, err);
        break;
    case HV_OP_DOMAIN_ABORT_JOB:
        rc = hv_domain_abort_job(dom, err);
        break;
    case HV_OP_DOMAIN_GET_VCPUS:
        rc = hv_domain_get_vcpus(dom, &vcpus, err) < 0 ? -1 : 0;
        g_free(vcpus);
        break;
    case HV_OP_DOMAIN_BLOCK_STATS:
        rc = hv_domain_block_stats(dom, "vda", &out.blk, err);
        break;
    case HV_OP_DOMAIN_INTERFACE_STATS:
        rc = hv_domain_interface_stats(dom, "vnet0", &out.nic, err);
        break;
    case HV_OP_DOMAIN_MEMORY_STATS:
        rc = hv_domain_memory_stats(dom, out.memstats, err) < 0 ? -1 : 0;
        break;
    case HV_OP_DOMAIN_MIGRATE_START:
        rc = (m = hv_domain_migrate_start(dom, &mp, 0, err)) ? 0 : -1;
        break;
    case HV_OP_MIGRATION_POLL:
        /* a handle made here, never started: only the wrapper runs */
        rc = hv_migration_poll(&mig, err) < 0 ? -1 : 0;
        break;
    case HV_OP_DOMAIN_MIGRATE_SET_MAX_DOWNTIME:
        rc = hv_domain_migrate_set_max_downtime(dom, 100, err);
        break;
    case HV_OP_DOMAIN_MIGRATE_SET_MAX_SPEED:
        rc = hv_domain_migrate_set_max_speed(dom, 100, err);
        break;
    case HV_OP_DOMAIN_MIGRATE_START_POST_COPY:
        rc = hv_domain_migrate_start_post_copy(dom, err);
        break;
    case HV_OP_DOMAIN_BLOCK_REBASE:
        rc = hv_domain_block_rebase(dom, "vda", "/nonexistent-hvd/copy",
                                    HV_BLOCK_REBASE_COPY, err);
        break;
    case HV_OP_DOMAIN_BLOCK_JOB_INFO:
        rc = hv_domain_block_job_info(dom, "vda", &out.bj, err) < 0 ? -1 : 0;
        break;
    case HV_OP_DOMAIN_BLOCK_JOB_ABORT:
        rc = hv_domain_block_job_abort(dom, "vda", 0, err);
        break;
    case HV_OP_DOMAIN_BLOCK_RESIZE:
        rc = hv_domain_block_resize(dom, "vda", 1024, err);
        break;
    case HV_OP_POOL_GET_INFO:
        rc = hv_pool_get_info(conn, "no-such-pool", &out.pool, err);
        break;
    case HV_OP_VOL_CREATE:
        rc = hv_vol_create(conn, "no-such-pool", &vs, err);
        break;
    case HV_OP_VOL_DELETE:
        rc = hv_vol_delete(conn, "no-such-pool", "v", err);
        break;
    case HV_OP_VOL_GET_INFO:
        rc = hv_vol_get_info(conn, "no-such-pool", "v", &out.vol, err);
        break;
    case HV_OP_VOL_RESIZE:
        rc = hv_vol_resize(conn, "no-such-pool", "v", 2, err);
        break;
    case HV_OP_VOL_GET_PATH:
        rc = (s = hv_vol_get_path(conn, "no-such-pool", "v", err)) ? 0 : -1;
        break;
    case HV_OP_VOL_LIST:
        rc = hv_vol_list(conn, "no-such-pool", &names, err);
        break;
    case HV_OP_VOL_COPY_TO: {
        static const char *const one[] = {"v", NULL};
        rc = hv_vol_copy_to(conn, "no-such-pool", one, "nowhere",
                            "no-such-pool", err);
        break;
    }
    case HV_OP_VOL_GET_MTIME: {
        int64_t mtime;
        rc = hv_vol_get_mtime(conn, "no-such-pool", "v", &mtime, err);
        break;
    }
    case HV_OP_VOL_TOUCH:
        rc = hv_vol_touch(conn, "no-such-pool", "v", err);
        break;
    case HV_OP_INSTANCE_DIR_CREATE:
        rc = hv_instance_dir_create(conn, "/nonexistent-hvd", "d", err);
        break;
    case HV_OP_INSTANCE_DIR_EXISTS:
        rc = hv_instance_dir_exists(conn, "/nonexistent-hvd", "d", err);
        break;
    case HV_OP_INSTANCE_DIR_RENAME:
        rc = hv_instance_dir_rename(conn, "/nonexistent-hvd", "x", "y", err);
        break;
    case HV_OP_INSTANCE_DIR_DELETE:
        rc = hv_instance_dir_delete(conn, "/nonexistent-hvd", "x", err);
        break;
    case HV_OP_INSTANCE_FILE_WRITE:
        rc = hv_instance_file_write(conn, "/nonexistent-hvd", "x", "f", "",
                                    0, 0, err);
        break;
    case HV_OP_INSTANCE_FILE_READ: {
        size_t len;
        rc = hv_instance_file_read(conn, "/nonexistent-hvd", "x", "f", 16, &s,
                                   &len, &u64, err);
        break;
    }
    case HV_OP_INSTANCE_FILE_DELETE:
        rc = hv_instance_file_delete(conn, "/nonexistent-hvd", "x", "f", err);
        break;
    case HV_OP_INSTANCE_ISO_BUILD:
        /* /proc refuses the folder: the real backend fails before
         * running anything; the fake records the image */
        rc = hv_instance_iso_build(conn, "/proc/hvd-test", "d", "f",
                                   "config-2", NULL, NULL, 0, err);
        break;
    case HV_OP_SLEEP:
        rc = hv_sleep(conn, 0, err);
        break;
    case HV_OP_VOL_CREATE_FROM:
        rc = hv_vol_create_from(conn, "no-such-pool", &vs, "v", err);
        break;
    case HV_OP_DOMAIN_FS_FREEZE:
        rc = hv_domain_fs_freeze(dom, err) < 0 ? -1 : 0;
        break;
    case HV_OP_DOMAIN_FS_THAW:
        rc = hv_domain_fs_thaw(dom, err) < 0 ? -1 : 0;
        break;
    case HV_OP_DOMAIN_SET_USER_PASSWORD:
        rc = hv_domain_set_user_password(dom, "root", "x", 0, err);
        break;
    }
    hv_domain_free(d);
    hv_migration_free(m);
    g_free(s);
    g_strfreev(names);
    return rc;
}

/* Names of the operations conn's backend leaves empty, space-separated. */
static char *
unsupported_ops(hv_conn *conn)
{
    GString *s = g_string_new(NULL);

    for (int op = 0; op < HV_OP__COUNT; op++)
        if (!hv_conn_supports(conn, op))
            g_string_append_printf(s, "%s%s", s->len ? " " : "",
                                   hv_op_name(op));
    return g_string_free(s, FALSE);
}

/*
 * What each backend deliberately leaves unsupported. A backend that gains
 * or loses an operation changes this list on purpose, with its test.
 */
#define FAKE_UNSUPPORTED ""
#define LIBVIRT_UNSUPPORTED ""
/* the fault wrapper sits in the 'before' hook, which close never runs */
#define FAULT_UNINJECTABLE "connect_close"

static void
test_unsupported_fake(void **state)
{
    sim_world *w;
    hv_conn *conn = fake_one(&w);
    hv_domain *dom;
    hv_error err;
    char *gaps = unsupported_ops(conn);

    (void)state;
    assert_string_equal(gaps, FAKE_UNSUPPORTED);
    /* the slot table agrees with what the calls do */
    dom = hv_domain_define(conn, dom_xml, &err);
    assert_non_null(dom);
    for (int op = 0; op < HV_OP__COUNT; op++) {
        if (op == HV_OP_CONNECT_CLOSE)
            continue;
        call_op(conn, dom, op, &err);
        if (hv_conn_supports(conn, op))
            assert_int_not_equal(err.code, HV_ERR_NO_SUPPORT);
        else
            assert_int_equal(err.code, HV_ERR_NO_SUPPORT);
    }
    g_free(gaps);
    hv_domain_free(dom);
    hv_conn_close(conn);
    fake_world_free(w);
}

static void
test_unsupported_libvirt(void **state)
{
    hv_error err;
    hv_conn *conn = hv_libvirt_open("test:///default", &err);
    char *gaps;

    (void)state;
    if (!conn) {
        print_message("# skipped: test:///default does not open: %s\n",
                      err.message);
        skip();
    }
    gaps = unsupported_ops(conn);
    assert_string_equal(gaps, LIBVIRT_UNSUPPORTED);
    g_free(gaps);
    hv_conn_close(conn);
}

static void
test_fault_covers_ops(void **state)
{
    sim_world *w;
    hv_conn *conn = fake_one(&w);
    hv_conn *other;
    hv_domain *dom;
    hv_error err;
    GString *gaps = g_string_new(NULL);

    (void)state;
    dom = hv_domain_define(conn, dom_xml, &err);
    assert_non_null(dom);
    for (int op = 0; op < HV_OP__COUNT; op++) {
        fault_set *fs = fault_set_new();
        fault_rule r = {.op = op, .code = HV_ERR_OPERATION_FAILED};
        unsigned int fired;

        fault_set_add(fs, &r);
        if (op == HV_OP_CONNECT_CLOSE) {
            other = fake_conn_open(w, "h", &err);
            assert_non_null(other);
            fault_set_attach(fs, other);
            hv_conn_close(other);
        } else {
            fault_set_attach(fs, conn);
            call_op(conn, dom, op, &err);
            fault_set_detach(fs, conn);
            if (fault_set_fired(fs, 0) > 0)
                assert_int_equal(err.code, HV_ERR_OPERATION_FAILED);
        }
        fired = fault_set_fired(fs, 0);
        if (fired == 0)
            g_string_append_printf(gaps, "%s%s", gaps->len ? " " : "",
                                   hv_op_name(op));
        fault_set_free(fs);
    }
    assert_string_equal(gaps->str, FAULT_UNINJECTABLE);
    g_string_free(gaps, TRUE);
    hv_domain_free(dom);
    hv_conn_close(conn);
    fake_world_free(w);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error_first_wins),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_dispatch_and_hooks),
        cmocka_unit_test(test_events_unregister),
        cmocka_unit_test(test_fault_nth_count),
        cmocka_unit_test(test_fault_target_and_stall),
        cmocka_unit_test(test_fault_probability_replays),
        cmocka_unit_test(test_shared_helpers),
        cmocka_unit_test(test_mandatory_slots),
        cmocka_unit_test(test_unsupported_fake),
        cmocka_unit_test(test_unsupported_libvirt),
        cmocka_unit_test(test_fault_covers_ops),
    };

    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests_name("hv", tests, NULL, NULL);
}
