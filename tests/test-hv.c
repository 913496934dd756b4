/*
 * test-hv.c: the hv layer itself — error record, names, the dispatch path
 * with its hooks, and the fault-injecting wrapper (on the fake).
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

/* A backend with only the mandatory slots: every other call is NO_SUPPORT. */
static int64_t
bare_now(hv_conn *c)
{
    (void)c;
    return 7;
}

static int
bare_wait(hv_conn *c, int64_t until, hv_error *e)
{
    (void)c;
    (void)until;
    (void)e;
    return 0;
}

static uint64_t
bare_random(hv_conn *c)
{
    (void)c;
    return 4;
}

static int
bare_fail(hv_conn *c, int *alive, hv_error *e)
{
    (void)c;
    (void)alive;
    (void)e;
    return -1; /* a buggy backend that forgets the error */
}

static const hv_backend bare = {
    .name = "bare",
    .clock_now = bare_now,
    .clock_wait = bare_wait,
    .clock_random = bare_random,
    .is_alive = bare_fail,
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
    hv_conn *conn = hv_conn_new(&bare, NULL, "bare://");
    hook_log log = {.veto_op = HV_OP_NODE_GET_FREE_MEMORY};
    hv_hooks hooks = {.before = log_before, .after = log_after,
                      .opaque = &log};
    hv_node_info info;
    uint64_t bytes;
    hv_error err;

    (void)state;
    assert_int_equal(hv_now(conn), 7);
    assert_int_equal(hv_random(conn), 4);
    assert_int_equal(hv_node_get_info(conn, &info, &err), -1);
    assert_int_equal(err.code, HV_ERR_NO_SUPPORT);
    assert_null(hv_domain_lookup_by_name(conn, "x", &err));
    assert_int_equal(err.code, HV_ERR_NO_SUPPORT);

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

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error_first_wins),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_dispatch_and_hooks),
        cmocka_unit_test(test_fault_nth_count),
        cmocka_unit_test(test_fault_target_and_stall),
        cmocka_unit_test(test_fault_probability_replays),
    };

    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests_name("hv", tests, NULL, NULL);
}
