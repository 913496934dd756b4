/*
 * test-run.c: the runner — passing and failing scenarios, the invariants
 * catching a driver that misbehaves, traces that replay byte for byte.
 */
#include <glib.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "run.h"
#include "scn.h"

#define HEAD                                                                  \
    "{\"name\": \"t\", \"seed\": 3,"                                          \
    " \"config\": {\"virt_type\": \"qemu\", \"wait_soft_reboot_seconds\": 5},"\
    " \"hosts\": [{\"name\": \"h1\"}],"                                       \
    " \"images\": [{\"name\": \"base.qcow2\"}],"                              \
    " \"instances\": [{\"name\": \"vm1\", \"host\": \"h1\","                  \
    "   \"flavor\": {\"name\": \"tiny\", \"vcpus\": 1, \"memory_mb\": 128,"   \
    "              \"root_gb\": 1},"                                          \
    "   \"image\": {\"id\": \"i\", \"volume\": \"base.qcow2\","               \
    "             \"format\": \"qcow2\"},"                                    \
    "   \"network_info\": [{\"id\": \"vif-1\", \"address\":"                  \
    "      \"52:54:00:00:00:01\", \"type\": \"ethernet\", \"devname\":"       \
    "      \"tap1\", \"active\": false}]}],"

static run_result
run_text(const char *text)
{
    char *error = NULL;
    scn *s = scn_parse(text, "inline.json", &error);
    run_options opt = {.backend = "fake"};
    run_result res;

    if (!s)
        fail_msg("parse: %s", error);
    assert_int_equal(run_scenario(s, &opt, &res), 0);
    scn_free(s);
    return res;
}

static void
test_passing(void **state)
{
    run_result res = run_text(
        HEAD " \"steps\": ["
        "  {\"op\": \"spawn\", \"instance\": \"vm1\"},"
        "  {\"check\": \"state\", \"instance\": \"vm1\", \"state\": \"RUNNING\"},"
        "  {\"wait\": 4},"
        "  {\"op\": \"reboot\", \"instance\": \"vm1\", \"type\": \"soft\"},"
        "  {\"check\": \"id_changed\", \"instance\": \"vm1\", \"changed\": true},"
        "  {\"check\": \"calls\", \"op\": \"domain_shutdown\", \"count\": 1},"
        "  {\"op\": \"destroy\", \"instance\": \"vm1\"},"
        "  {\"check\": \"exists\", \"instance\": \"vm1\", \"exists\": false}"
        "]}");

    (void)state;
    if (!res.passed)
        fail_msg("%s", res.message);
    assert_int_equal(res.steps_run, 8);
    assert_non_null(strstr(res.trace, "\"call\":\"domain_shutdown\""));
    assert_non_null(strstr(res.trace, "\"op\":\"spawn\""));
    run_result_clear(&res);
}

static void
test_failing_check(void **state)
{
    run_result res = run_text(
        HEAD " \"steps\": ["
        "  {\"op\": \"spawn\", \"instance\": \"vm1\"},"
        "  {\"check\": \"state\", \"instance\": \"vm1\", \"state\": \"PAUSED\"},"
        "  {\"op\": \"destroy\", \"instance\": \"vm1\"}"
        "]}");

    (void)state;
    assert_false(res.passed);
    assert_int_equal(res.failed_step, 1);
    assert_non_null(strstr(res.message, "expected PAUSED, is RUNNING"));
    assert_int_equal(res.steps_run, 2); /* stops at the failure */
    run_result_clear(&res);
}

static void
test_unexpected_outcome(void **state)
{
    run_result res = run_text(
        HEAD " \"faults\": [{\"kind\": \"vif_never_plugged\","
        "                    \"instance\": \"vm1\"}],"
        " \"steps\": [{\"op\": \"spawn\", \"instance\": \"vm1\"}]}");

    (void)state;
    assert_false(res.passed);
    assert_non_null(strstr(res.message,
                           "expected ok, got VirtualInterfaceCreateException"));
    run_result_clear(&res);
}

/* A leak at the end is caught: an instance never destroyed is fine, but a
 * domain the runner believes gone is not. */
static void
test_invariant_gone_means_gone(void **state)
{
    run_result res = run_text(
        HEAD " \"faults\": [{\"kind\": \"hv_call\", \"op\": \"domain_undefine\","
        "   \"error\": \"INTERNAL_ERROR\", \"count\": 0},"
        "  {\"kind\": \"hv_call\", \"op\": \"vol_delete\","
        "   \"error\": \"INTERNAL_ERROR\", \"count\": 0}],"
        " \"steps\": ["
        "  {\"op\": \"spawn\", \"instance\": \"vm1\"},"
        "  {\"op\": \"destroy\", \"instance\": \"vm1\", "
        "   \"expect\": \"HypervisorError\"}"
        "]}");

    (void)state;
    /* destroy failed as expected, the instance stays alive: passes */
    if (!res.passed)
        fail_msg("%s", res.message);
    run_result_clear(&res);
}

static void
test_determinism(void **state)
{
    static const char text[] =
        HEAD " \"faults\": [{\"kind\": \"hv_call\", \"op\": \"domain_get_info\","
        "   \"error\": \"RPC\", \"probability\": 0.2, \"count\": 0}],"
        " \"steps\": ["
        "  {\"op\": \"spawn\", \"instance\": \"vm1\", \"expect\": \"HypervisorError\"},"
        "  {\"wait\": 30}"
        "]}";
    run_result a = run_text(text), b = run_text(text);

    (void)state;
    assert_string_equal(a.hash, b.hash);
    assert_string_equal(a.trace, b.trace);
    run_result_clear(&a);
    run_result_clear(&b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_passing),
        cmocka_unit_test(test_failing_check),
        cmocka_unit_test(test_unexpected_outcome),
        cmocka_unit_test(test_invariant_gone_means_gone),
        cmocka_unit_test(test_determinism),
    };

    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests_name("run", tests, NULL, NULL);
}
