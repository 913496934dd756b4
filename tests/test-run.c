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
#include <jansson.h>

#include "fake.h"
#include "hv.h"
#include "ops-result.h"
#include "run.h"
#include "scn.h"
#include "sim.h"

#define HEAD HEAD_HOSTS("{\"name\": \"h1\"}")
#define HEAD_HOSTS(hosts)                                                     \
    "{\"name\": \"t\", \"seed\": 3,"                                          \
    " \"config\": {\"virt_type\": \"qemu\", \"wait_soft_reboot_seconds\": 5},"\
    " \"hosts\": [" hosts "],"                                                 \
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

/* A background operation runs while later steps do, and its outcome is
 * checked at its join: at the instant it returned, with its task named in
 * the trace lines it wrote. */
static void
test_background_joined(void **state)
{
    run_result res = run_text(
        HEAD " \"steps\": ["
        "  {\"op\": \"spawn\", \"instance\": \"vm1\", \"background\": \"s\","
        "   \"returns_at_s\": 1},"
        "  {\"check\": \"time\", \"at_s\": 0},"
        "  {\"wait\": 0.25},"
        "  {\"check\": \"exists\", \"instance\": \"vm1\", \"exists\": true},"
        "  {\"join\": \"s\"},"
        "  {\"check\": \"time\", \"at_s\": 1},"
        "  {\"check\": \"state\", \"instance\": \"vm1\", \"state\": \"RUNNING\"}"
        "]}");

    (void)state;
    if (!res.passed)
        fail_msg("%s", res.message);
    /* the spawn's calls ran in task s, before the wait's end */
    assert_non_null(strstr(res.trace, "\"call\":\"domain_define\","
                                      "\"task\":\"s\""));
    assert_non_null(strstr(res.trace, "\"t\":1000000000,\"step\":0,\"op\":"
                                      "\"spawn\",\"instance\":\"vm1\","
                                      "\"background\":\"s\",\"result\":\"ok\""));
    run_result_clear(&res);
}

/* A background operation that does not end as its step says fails the
 * run at the join step, naming the operation's step. */
static void
test_background_outcome_checked_at_join(void **state)
{
    run_result res = run_text(
        HEAD " \"faults\": [{\"kind\": \"vif_never_plugged\","
        "                    \"instance\": \"vm1\"}],"
        " \"steps\": [{\"op\": \"spawn\", \"instance\": \"vm1\","
        "               \"background\": \"s\"},"
        "              {\"wait\": 1}, {\"join\": \"s\"}]}");

    (void)state;
    assert_false(res.passed);
    assert_int_equal(res.failed_step, 2);
    assert_non_null(strstr(res.message, "step 0 (line 1) spawn vm1: expected "
                                        "ok, got VirtualInterfaceCreateException"));
    run_result_clear(&res);
}

/* A run that fails while an operation runs in the background ends it
 * before the teardown: nothing outlives the run. (The check lets the
 * spawn run up to its wait for the VIF: the guest is PAUSED then.) */
static void
test_background_ended_on_failure(void **state)
{
    run_result res = run_text(
        HEAD " \"steps\": ["
        "  {\"op\": \"spawn\", \"instance\": \"vm1\", \"background\": \"s\"},"
        "  {\"check\": \"state\", \"instance\": \"vm1\", \"state\": \"RUNNING\"},"
        "  {\"join\": \"s\"}"
        "]}");

    (void)state;
    assert_false(res.passed);
    assert_int_equal(res.failed_step, 1);
    assert_int_equal(res.steps_run, 2);
    assert_non_null(strstr(res.message, "expected RUNNING, is PAUSED"));
    run_result_clear(&res);
}

/* On libvirt, a migration between two scenario hosts that are one libvirt
 * host is skipped, with what to give instead (nothing is connected). */
static void
test_migration_needs_two_real_hosts(void **state)
{
    char *error = NULL;
    char *uris[] = {"*=test:///default", NULL};
    scn *s = scn_parse(
        HEAD_HOSTS("{\"name\": \"h1\"}, {\"name\": \"h2\"}")
        " \"backends\": [\"fake\", \"libvirt\"],"
        " \"steps\": [{\"op\": \"spawn\", \"instance\": \"vm1\"},"
        "  {\"op\": \"live_migrate\", \"instance\": \"vm1\", \"dest\": \"h2\"}]}",
        "inline.json", &error);
    run_options opt = {.backend = "libvirt", .host_uris = uris};
    run_result res;

    (void)state;
    if (!s)
        fail_msg("parse: %s", error);
    assert_int_equal(run_scenario(s, &opt, &res), 0);
    assert_true(res.skipped);
    assert_non_null(strstr(res.message, "hosts h1 and h2 are one libvirt "
                                        "host (test:///default)"));
    run_result_clear(&res);
    scn_free(s);
}

/*
 * A destroy that fails as its step expects leaves the instance alive: the
 * runner keeps believing it alive (not gone), so the domain and disk it
 * still has are neither an invariant breach nor a leak, and the run
 * passes. The breach itself (a gone instance that left something) is
 * caught in test_invariant_destroyed_means_gone and
 * test_invariant_failed_spawn_leaves_nothing.
 */
static void
test_failed_destroy_keeps_it_alive(void **state)
{
    run_result res = run_text(
        HEAD " \"faults\": [{\"kind\": \"hv_call\", \"op\": \"domain_undefine\","
        "   \"error\": \"INTERNAL_ERROR\", \"count\": 0},"
        "  {\"kind\": \"hv_call\", \"op\": \"vol_delete\","
        "   \"error\": \"INTERNAL_ERROR\", \"count\": 0}],"
        " \"steps\": ["
        "  {\"op\": \"spawn\", \"instance\": \"vm1\"},"
        "  {\"op\": \"destroy\", \"instance\": \"vm1\", "
        "   \"expect\": \"HypervisorError\"},"
        "  {\"check\": \"exists\", \"instance\": \"vm1\", \"exists\": true}"
        "]}");

    (void)state;
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

/* ---- the runner's own checks must be seen to fail ---- */

/* What a test does to the world behind the driver's back, and when. */
typedef struct breaker {
    const scn *s;
    unsigned int step;  /* after this step's action */
    void (*act)(struct breaker *b, sim_world *w);
    char *xml;          /* saved by save_xml */
} breaker;

static void
on_step(void *opaque, sim_world *w, unsigned int step)
{
    breaker *b = opaque;

    if (step == b->step)
        b->act(b, w);
}

/* An untraced connection of the test's own to host (fake.h). */
static hv_conn *
conn_to(sim_world *w, const char *host)
{
    hv_error hv;
    hv_conn *c = fake_conn_open(w, host, &hv);

    if (!c)
        fail_msg("open %s: %s", host, hv.message);
    return c;
}

static hv_domain *
vm1_on(hv_conn *c, const breaker *b)
{
    hv_error hv;
    hv_domain *d = hv_domain_lookup_by_uuid(c, b->s->instances[0].inst.uuid,
                                            &hv);
    if (!d)
        fail_msg("vm1: %s", hv.message);
    return d;
}

/* Run text with b breaking the world; the run must fail with want. */
static void
expect_failure(const char *text, breaker *b, const char *want)
{
    char *error = NULL;
    scn *s = scn_parse(text, "inline.json", &error);
    run_options opt = {.backend = "fake"};
    run_result res;

    if (!s)
        fail_msg("parse: %s", error);
    if (b) {
        b->s = s;
        opt.test_after_step = on_step;
        opt.test_opaque = b;
    }
    assert_int_equal(run_scenario(s, &opt, &res), 0);
    if (res.passed)
        fail_msg("passed; expected a failure with '%s'", want);
    if (!strstr(res.message, want))
        fail_msg("'%s' not in '%s'", want, res.message);
    run_result_clear(&res);
    scn_free(s);
    if (b)
        g_free(b->xml);
}

static void
undefine_vm1(breaker *b, sim_world *w)
{
    hv_conn *c = conn_to(w, "h1");
    hv_domain *d = vm1_on(c, b);
    hv_error hv;

    assert_int_equal(hv_domain_destroy(d, 0, &hv), 0);
    assert_int_equal(hv_domain_undefine(d, 0, &hv), 0);
    hv_domain_free(d);
    hv_conn_close(c);
}

/* An alive instance on no host at all (its domain vanished). */
static void
test_invariant_on_no_host(void **state)
{
    breaker b = {.step = 0, .act = undefine_vm1};

    (void)state;
    expect_failure(HEAD " \"steps\": [{\"op\": \"spawn\", \"instance\": "
                   "\"vm1\"}, {\"wait\": 1}]}", &b,
                   "invariant: instance vm1 should be on exactly one host, "
                   "h1, is on 0 (not there)");
}

static void
copy_vm1_to_h2(breaker *b, sim_world *w)
{
    hv_conn *c1 = conn_to(w, "h1"), *c2 = conn_to(w, "h2");
    hv_domain *d = vm1_on(c1, b), *copy;
    hv_error hv;
    char *xml = hv_domain_get_xml(d, 0, &hv);

    assert_non_null(xml);
    copy = hv_domain_define(c2, xml, &hv);
    if (!copy)
        fail_msg("define on h2: %s", hv.message);
    hv_domain_free(copy);
    hv_domain_free(d);
    g_free(xml);
    hv_conn_close(c1);
    hv_conn_close(c2);
}

/* An alive instance on two hosts at once. */
static void
test_invariant_on_two_hosts(void **state)
{
    breaker b = {.step = 0, .act = copy_vm1_to_h2};

    (void)state;
    expect_failure(HEAD_HOSTS("{\"name\": \"h1\"}, {\"name\": \"h2\"}")
                   " \"steps\": [{\"op\": \"spawn\", \"instance\": \"vm1\"},"
                   " {\"wait\": 1}]}", &b,
                   "invariant: instance vm1 should be on exactly one host, "
                   "h1, is on 2, and left something on h2");
}

static void
leave_volume(breaker *b, sim_world *w)
{
    hv_conn *c = conn_to(w, "h1");
    g_autofree char *name = g_strdup_printf("%s_disk",
                                            b->s->instances[0].inst.uuid);
    hv_vol_spec spec = {.name = name, .capacity = 1 << 20, .format = "raw"};
    hv_error hv;

    if (hv_vol_create(c, b->s->config.storage_pool, &spec, &hv) < 0)
        fail_msg("vol: %s", hv.message);
    hv_conn_close(c);
}

/* After a cold migration the source may keep the instance's disk until
 * the resize is confirmed, and not after: a disk on h1 once confirmed is
 * an instance in two places. */
static void
test_invariant_remains_until_confirmed(void **state)
{
    breaker b = {.step = 2, .act = leave_volume};
    const char *text =
        HEAD_HOSTS("{\"name\": \"h1\"}, {\"name\": \"h2\"}")
        " \"steps\": [{\"op\": \"spawn\", \"instance\": \"vm1\"},"
        "  {\"op\": \"migrate\", \"instance\": \"vm1\", \"dest\": \"h2\"},"
        "  {\"op\": \"confirm_resize\", \"instance\": \"vm1\"}]}";
    run_result res = run_text(text);

    (void)state;
    /* unbroken, it passes: h1's disk was allowed until the confirmation */
    if (!res.passed)
        fail_msg("%s", res.message);
    run_result_clear(&res);
    expect_failure(text, &b,
                   "invariant: instance vm1 should be on exactly one host, "
                   "h2, is on 1, and left something on h1");
}

/* A failed spawn must leave nothing behind: here it leaves a disk. */
static void
test_invariant_failed_spawn_leaves_nothing(void **state)
{
    breaker b = {.step = 0, .act = leave_volume};

    (void)state;
    expect_failure(HEAD " \"faults\": [{\"kind\": \"vif_never_plugged\","
                   " \"instance\": \"vm1\"}],"
                   " \"steps\": [{\"op\": \"spawn\", \"instance\": \"vm1\","
                   " \"expect\": \"VirtualInterfaceCreateException\"}]}", &b,
                   "invariant: instance vm1 is gone but left 0 domain(s) "
                   "and 1 volume(s)");
}

static void
save_xml(breaker *b, sim_world *w)
{
    hv_conn *c = conn_to(w, "h1");
    hv_domain *d = vm1_on(c, b);
    hv_error hv;

    b->xml = hv_domain_get_xml(d, 0, &hv);
    assert_non_null(b->xml);
    hv_domain_free(d);
    hv_conn_close(c);
}

static void
redefine_after_destroy(breaker *b, sim_world *w)
{
    hv_conn *c = conn_to(w, "h1");
    hv_domain *d;
    hv_error hv;

    if (!b->xml) { /* step 0: remember vm1; step 1: bring it back */
        save_xml(b, w);
        b->step = 1;
    } else {
        assert_non_null(d = hv_domain_define(c, b->xml, &hv));
        hv_domain_free(d);
    }
    hv_conn_close(c);
}

/* A destroyed instance must have no domain and no volume. */
static void
test_invariant_destroyed_means_gone(void **state)
{
    breaker b = {.step = 0, .act = redefine_after_destroy};

    (void)state;
    expect_failure(HEAD " \"steps\": [{\"op\": \"spawn\", \"instance\": "
                   "\"vm1\"}, {\"op\": \"destroy\", \"instance\": \"vm1\"}]}",
                   &b, "invariant: instance vm1 is gone but left 1 domain(s) "
                       "and 0 volume(s)");
}

static void
resume_vm1(breaker *b, sim_world *w)
{
    hv_conn *c = conn_to(w, "h1");
    hv_domain *d = vm1_on(c, b);
    hv_error hv;

    assert_int_equal(hv_domain_resume(d, &hv), 0);
    hv_domain_free(d);
    hv_conn_close(c);
}

/* A successful operation must leave the state the contract says. */
static void
test_invariant_state_after_op(void **state)
{
    breaker b = {.step = 1, .act = resume_vm1};

    (void)state;
    expect_failure(HEAD " \"steps\": [{\"op\": \"spawn\", \"instance\": "
                   "\"vm1\"}, {\"op\": \"pause\", \"instance\": \"vm1\"}]}",
                   &b, "step 1 (line 1) pause vm1: the contract leaves it "
                       "PAUSED, it is RUNNING");
}

static void
stop_vm1(breaker *b, sim_world *w)
{
    hv_conn *c = conn_to(w, "h1");
    hv_domain *d = vm1_on(c, b);
    hv_error hv;

    assert_int_equal(hv_domain_destroy(d, 0, &hv), 0);
    hv_domain_free(d);
    hv_conn_close(c);
}

/* resume_state_on_host_boot: RUNNING, or paused/suspended as it was. */
static void
test_invariant_state_after_host_boot(void **state)
{
    breaker b = {.step = 1, .act = stop_vm1};

    (void)state;
    expect_failure(HEAD " \"steps\": [{\"op\": \"spawn\", \"instance\": "
                   "\"vm1\"}, {\"op\": \"resume_state_on_host_boot\", "
                   "\"instance\": \"vm1\"}]}",
                   &b, "resume_state_on_host_boot vm1: the contract leaves "
                       "it RUNNING (or as it was, paused or suspended), it "
                       "is SHUTDOWN");
}

static void
stray_domain(breaker *b, sim_world *w)
{
    hv_conn *c = conn_to(w, "h1");
    hv_domain *d;
    hv_error hv;

    (void)b;
    d = hv_domain_define(c, "<domain type='qemu'><name>stray</name>"
                            "<uuid>0badc0de-0000-4000-8000-000000000001</uuid>"
                            "<memory unit='KiB'>65536</memory><vcpu>1</vcpu>"
                            "<os><type>hvm</type></os></domain>", &hv);
    if (!d)
        fail_msg("define: %s", hv.message);
    hv_domain_free(d);
    hv_conn_close(c);
}

static void
stray_volume(breaker *b, sim_world *w)
{
    hv_conn *c = conn_to(w, "h1");
    hv_vol_spec spec = {.name = "stray.qcow2", .capacity = 1 << 20,
                        .format = "qcow2"};
    hv_error hv;

    if (hv_vol_create(c, b->s->config.storage_pool, &spec, &hv) < 0)
        fail_msg("vol: %s", hv.message);
    hv_conn_close(c);
}

/* Nothing may be left at the end that no live instance owns. */
static void
test_leaks(void **state)
{
    breaker dom = {.step = 0, .act = stray_domain};
    breaker vol = {.step = 0, .act = stray_volume};
    static const char text[] = HEAD " \"steps\": [{\"wait\": 1}]}";

    (void)state;
    expect_failure(text, &dom, "leak: domain stray on host h1 belongs to no "
                               "live instance");
    expect_failure(text, &vol, "leak: volume stray.qcow2 on host h1 belongs "
                               "to no live instance");
}

/* Volumes a destroy kept on purpose (destroy_disks false) are neither an
 * invariant breach nor a leak; the destroy_disks flag is the reference's
 * destroy(..., destroy_disks) and the driver keeps them. */
static void
test_destroy_keeping_disks_passes(void **state)
{
    run_result res = run_text(
        HEAD " \"steps\": ["
        "  {\"op\": \"spawn\", \"instance\": \"vm1\"},"
        "  {\"op\": \"destroy\", \"instance\": \"vm1\","
        "   \"destroy_disks\": false},"
        "  {\"check\": \"exists\", \"instance\": \"vm1\", \"exists\": false},"
        "  {\"wait\": 1}"
        "]}");

    (void)state;
    if (!res.passed)
        fail_msg("%s", res.message);
    run_result_clear(&res);
}

/* ...but what the kept disks do not explain still fails: a volume of no
 * instance, a domain left behind. */
static void
test_kept_disks_still_checked(void **state)
{
    static const char keep[] =
        HEAD " \"steps\": [{\"op\": \"spawn\", \"instance\": \"vm1\"},"
        " {\"op\": \"destroy\", \"instance\": \"vm1\","
        "  \"destroy_disks\": false}, {\"wait\": 1}]}";
    breaker vol = {.step = 1, .act = stray_volume};
    breaker dom = {.step = 0, .act = redefine_after_destroy};

    (void)state;
    expect_failure(keep, &vol, "leak: volume stray.qcow2 on host h1 belongs "
                               "to no live instance");
    expect_failure(keep, &dom, "invariant: instance vm1 is gone but left 1 "
                               "domain(s) and 0 volume(s)");
}

/* Each kind of check fails when its expectation is wrong. */
static void
test_checks_fail(void **state)
{
    static const struct {
        const char *steps;
        const char *want;
    } cases[] = {
        {"{\"check\": \"id_changed\", \"instance\": \"vm1\", \"changed\": true}",
         "check id_changed vm1: expected the ID to change"},
        {"{\"check\": \"events\", \"instance\": \"vm1\", \"events\": []}",
         "check events vm1: expected [], saw [STARTED"},
        {"{\"check\": \"resources\", \"host\": \"h1\", \"vcpus_used\": 2}",
         "check resources h1: expected vcpus_used 2, reported 1"},
        {"{\"check\": \"calls\", \"op\": \"domain_create\", \"count\": 0}",
         "check calls domain_create: expected 0..0, counted 1"},
        {"{\"check\": \"host_enabled\", \"host\": \"h1\", \"enabled\": false}",
         "check host_enabled h1: expected disabled"},
        {"{\"check\": \"exists\", \"instance\": \"vm1\", \"exists\": false}",
         "check exists vm1: expected it to be gone"},
        {"{\"check\": \"state\", \"instance\": \"vm1\", \"state\": \"SHUTDOWN\"}",
         "check state vm1: expected SHUTDOWN, is RUNNING"},
        {"{\"op\": \"get_info\", \"instance\": \"vm1\", \"expect\": "
         "\"InstanceNotFound\"}",
         "get_info vm1: expected InstanceNotFound, got ok"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        g_autofree char *text = g_strdup_printf(
            "%s \"steps\": [{\"op\": \"spawn\", \"instance\": \"vm1\"}, %s]}",
            HEAD, cases[i].steps);
        expect_failure(text, NULL, cases[i].want);
    }
}

/* Issue 10's checks each fail when what they state is not so: answers,
 * return times, times, event times, calls since a label, XPath, volumes.
 * The spawn returns at 1 s (the VIF is confirmed after 1 s). */
static void
test_issue10_checks_fail(void **state)
{
    static const struct {
        const char *steps;
        const char *want;
    } cases[] = {
        {"{\"op\": \"get_resources\", \"host\": \"h1\", \"result\": "
         "{\"vcpus_used\": 2}}",
         "step 1 (line 1) get_resources h1: result.vcpus_used: expected 2, "
         "got 1"},
        {"{\"op\": \"get_inventory\", \"host\": \"h1\", \"result\": "
         "{\"VCPU\": {\"total\": 9}}}",
         "get_inventory h1: result.VCPU.total: expected 9, got 8"},
        {"{\"op\": \"list_instances\", \"host\": \"h1\", \"result\": "
         "{\"names\": [\"vm1\", \"vm2\"]}}",
         "list_instances h1: result.names: expected [\"vm1\",\"vm2\"], got "
         "[\"vm1\"]"},
        {"{\"op\": \"get_info\", \"instance\": \"vm1\", \"result\": "
         "{\"state\": \"PAUSED\"}}",
         "get_info vm1: result.state: expected \"PAUSED\", got \"RUNNING\""},
        {"{\"op\": \"instance_exists\", \"instance\": \"vm1\", \"result\": "
         "{\"exists\": false}}",
         "instance_exists vm1: result.exists: expected false, got true"},
        {"{\"op\": \"get_info\", \"instance\": \"vm1\", \"returns_at_s\": 2}",
         "step 1 (line 1) get_info vm1: returned at 1 s, expected 2 s +- "
         "0 s"},
        {"{\"check\": \"time\", \"at_s\": 1.000000001}",
         "step 1 (line 1) check time: at 1 s, expected 1.000000001 s +- "
         "0 s"},
        {"{\"wait\": 3}, {\"check\": \"time\", \"at_s\": 3, "
         "\"tolerance_s\": 0.5}",
         "check time: at 4 s, expected 3 s +- 0.5 s"},
        {"{\"wait\": 1}, {\"check\": \"events\", \"instance\": \"vm1\", "
         "\"events\": [\"STARTED\", \"PAUSED\", "
         "{\"event\": \"RESUMED\", \"at_s\": 0.5}]}",
         "check events vm1: RESUMED (event 2) arrived at 1 s, expected "
         "0.5 s +- 0 s"},
        {"{\"op\": \"reboot\", \"instance\": \"vm1\", \"type\": \"hard\", "
         "\"label\": \"r\"}, {\"check\": \"calls\", \"op\": "
         "\"domain_create\", \"count\": 2, \"since\": \"r\"}",
         "check calls domain_create: expected 2..2, counted 1 since step r"},
        {"{\"check\": \"xml\", \"instance\": \"vm1\", \"xpath\": "
         "{\"string(/domain/name)\": \"vm2\"}}",
         "check xml vm1: string(/domain/name): expected \"vm2\", got \"vm1\""},
        {"{\"check\": \"xml\", \"instance\": \"vm1\", \"xpath\": "
         "{\"count(/domain/devices/disk)\": 2}}",
         "check xml vm1: count(/domain/devices/disk): expected 2, got 1"},
        {"{\"check\": \"xml\", \"instance\": \"vm1\", \"inactive\": true, "
         "\"xpath\": {\"boolean(/domain/@id)\": true}}",
         "check xml vm1: boolean(/domain/@id): expected true, got false"},
        {"{\"check\": \"xml\", \"instance\": \"vm1\", \"xpath\": "
         "{\"frob(/domain)\": 1}}",
         "check xml vm1: frob(/domain): expected 1, got an error evaluating "
         "it"},
        {"{\"op\": \"destroy\", \"instance\": \"vm1\"}, {\"check\": \"xml\", "
         "\"instance\": \"vm1\", \"xpath\": {\"/domain\": \"\"}}",
         "check xml vm1: no domain"},
        {"{\"check\": \"volumes\", \"host\": \"h1\", \"exist\": "
         "[\"base.qcow2\", \"nope.qcow2\"]}",
         "check volumes h1: expected volume nope.qcow2 to exist, it does "
         "not"},
        {"{\"check\": \"volumes\", \"host\": \"h1\", \"absent\": "
         "[\"{uuid:vm1}_disk\"]}",
         "_disk to be absent, it exists"},
        {"{\"check\": \"files\", \"host\": \"h1\", \"exist\": "
         "[\"{uuid:vm1}/\", \"{uuid:vm1}/unrescue.xml\"]}",
         "check files h1: expected instance file "},
        {"{\"check\": \"files\", \"host\": \"h1\", \"exist\": "
         "[\"{uuid:vm1}/unrescue.xml\"]}",
         "/unrescue.xml to exist, it does not"},
        {"{\"check\": \"files\", \"host\": \"h1\", \"absent\": "
         "[\"{uuid:vm1}/console.log\"]}",
         "/console.log to be absent, it exists"},
        {"{\"op\": \"destroy\", \"instance\": \"vm1\"}, "
         "{\"check\": \"files\", \"host\": \"h1\", \"exist\": "
         "[\"{uuid:vm1}/\"]}",
         "/ to exist, it does not"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        g_autofree char *text = g_strdup_printf(
            "%s \"steps\": [{\"op\": \"spawn\", \"instance\": \"vm1\"}, %s]}",
            HEAD, cases[i].steps);
        expect_failure(text, NULL, cases[i].want);
    }
}

/* The same checks pass at exactly the stated values, to the nanosecond on
 * the fake, and the trace records each query's answer. */
static void
test_issue10_checks_pass(void **state)
{
    run_result res = run_text(
        HEAD " \"steps\": ["
        "  {\"op\": \"spawn\", \"instance\": \"vm1\", \"returns_at_s\": 1,"
        "   \"label\": \"spawn\"},"
        "  {\"check\": \"time\", \"at_s\": 1},"
        "  {\"check\": \"time\", \"at_s\": 1.5, \"tolerance_s\": 0.5},"
        "  {\"op\": \"get_resources\", \"host\": \"h1\", \"result\":"
        "   {\"vcpus_used\": 1, \"memory_mb_used\": 640.0}},"
        "  {\"op\": \"list_instance_uuids\", \"host\": \"h1\", \"result\":"
        "   {\"uuids\": [\"{uuid:vm1}\"]}},"
        "  {\"check\": \"events\", \"instance\": \"vm1\", \"events\": ["
        "   {\"event\": \"STARTED\", \"at_s\": 0},"
        "   {\"event\": \"PAUSED\", \"at_s\": 0},"
        "   {\"event\": \"RESUMED\", \"at_s\": 1}]},"
        "  {\"check\": \"calls\", \"op\": \"domain_create_xml\", \"count\": 0,"
        "   \"since\": \"spawn\"},"
        "  {\"check\": \"calls\", \"op\": \"domain_define\", \"count\": 1,"
        "   \"since\": \"spawn\"},"
        "  {\"check\": \"xml\", \"instance\": \"vm1\", \"xpath\": {"
        "   \"string(/domain/uuid)\": \"{uuid:vm1}\","
        "   \"count(/domain/devices/interface)\": 1,"
        "   \"boolean(/domain/@id)\": true}},"
        "  {\"check\": \"volumes\", \"host\": \"h1\","
        "   \"exist\": [\"base.qcow2\", \"{uuid:vm1}_disk\"]},"
        "  {\"op\": \"destroy\", \"instance\": \"vm1\"},"
        "  {\"check\": \"volumes\", \"host\": \"h1\","
        "   \"absent\": [\"{uuid:vm1}_disk\"]}"
        "]}");

    (void)state;
    if (!res.passed)
        fail_msg("%s", res.message);
    {
        const char *line = strstr(res.trace, "\"op\":\"get_resources\","
                                             "\"result\":\"ok\","
                                             "\"pass\":true,\"answer\":{");
        const char *vcpus = line ? strstr(line, "\"vcpus\":8,") : NULL;

        assert_non_null(line);
        assert_non_null(vcpus);
        assert_null(memchr(line, '\n', (size_t)(vcpus - line)));
    }
    assert_non_null(strstr(res.trace, "\"check\":\"volumes\""));
    run_result_clear(&res);
}

/* The network's failed answer fails the spawn (vif_plugging_is_fatal);
 * guests that panic or suspend themselves leave the states they should. */
static void
test_issue10_world(void **state)
{
    static const char guest[] =
        "{\"name\": \"t\", \"hosts\": [{\"name\": \"h1\"}],"
        " \"instances\": [{\"name\": \"vm1\", \"host\": \"h1\","
        "   \"flavor\": {\"vcpus\": 1, \"memory_mb\": 64},"
        "   \"guest\": {%s}}],"
        " \"steps\": [{\"op\": \"spawn\", \"instance\": \"vm1\"},"
        "   {\"wait\": 6}, {\"check\": \"state\", \"instance\": \"vm1\","
        "   \"state\": \"%s\"}]}";
    g_autofree char *crashed = g_strdup_printf(
        guest, "\"crash_after_s\": 5, \"crash_state\": \"crashed\"",
        "SHUTDOWN");
    g_autofree char *restart = g_strdup_printf(
        guest, "\"crash_after_s\": 5, \"crash_state\": \"restart\"",
        "SHUTDOWN");
    g_autofree char *pm = g_strdup_printf(
        guest, "\"pm_suspend_after_s\": 5", "RUNNING");
    g_autofree char *ok = g_strdup_printf(
        guest, "\"crash_after_s\": 5, \"crash_state\": \"crashed\"",
        "CRASHED");
    run_result res;

    (void)state;
    expect_failure(HEAD " \"faults\": [{\"kind\": \"vif_plug_failed\","
                   " \"instance\": \"vm1\"}],"
                   " \"steps\": [{\"op\": \"spawn\", \"instance\": \"vm1\"}]}",
                   NULL, "spawn vm1: expected ok, got "
                         "VirtualInterfaceCreateException");
    expect_failure(crashed, NULL, "expected SHUTDOWN, is CRASHED");
    expect_failure(restart, NULL, "expected SHUTDOWN, is RUNNING");
    expect_failure(pm, NULL, "expected RUNNING, is SUSPENDED");
    res = run_text(ok);
    if (!res.passed)
        fail_msg("%s", res.message);
    assert_non_null(strstr(res.trace, "\"event\":\"CRASHED/PANICKED\""));
    run_result_clear(&res);
}

/* A step's "result" is a subset of the answer: keys recursively, arrays
 * whole, numbers by value. */
static void
test_result_mismatch(void **state)
{
    json_t *got = json_pack("{s:i, s:f, s:[i,i], s:{s:i, s:s}}", "a", 2,
                            "b", 1.5, "c", 1, 2, "d", "x", 1, "y", "z");
    static const struct {
        const char *want;
        const char *why; /* NULL: matches */
    } cases[] = {
        {"{}", NULL},
        {"{\"a\": 2.0, \"b\": 1.5}", NULL},
        {"{\"c\": [1, 2], \"d\": {\"y\": \"z\"}}", NULL},
        {"{\"a\": 3}", "result.a: expected 3, got 2"},
        {"{\"c\": [1]}", "result.c: expected [1], got [1,2]"},
        {"{\"c\": [2, 1]}", "result.c: expected [2,1], got [1,2]"},
        {"{\"d\": {\"x\": \"1\"}}", "result.d.x: expected \"1\", got 1"},
        {"{\"d\": {\"w\": 1}}", "result.d.w: expected 1, got no such key"},
        {"{\"d\": 1}", "result.d: expected 1, got {\"x\":1,\"y\":\"z\"}"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_t *want = json_loads(cases[i].want, 0, NULL);
        char *why = ops_result_mismatch("result", want, got);

        if (cases[i].why)
            assert_string_equal(why, cases[i].why);
        else if (why)
            fail_msg("%s: %s", cases[i].want, why);
        g_free(why);
        json_decref(want);
    }
    json_decref(got);
}

/* One field dropped from one line of a real trace changes the hash. */
static void
test_hash_notices_a_dropped_field(void **state)
{
    run_result res = run_text(
        HEAD " \"steps\": [{\"op\": \"spawn\", \"instance\": \"vm1\"}]}");
    char hash[TRACE_HASH_LEN + 1];
    char *at = strstr(res.trace, ",\"target\":\"");
    char *end;
    GString *cut;

    (void)state;
    assert_non_null(at);
    end = strchr(at + 11, '"') + 1;
    cut = g_string_new_len(res.trace, at - res.trace);
    g_string_append(cut, end);
    trace_hash(cut->str, hash);
    assert_string_not_equal(hash, res.hash);
    trace_hash(res.trace, hash);
    assert_string_equal(hash, res.hash);
    g_string_free(cut, TRUE);
    run_result_clear(&res);
}

/* The perturbation hook makes a run differ from an unperturbed one. */
static void
test_perturb_differs(void **state)
{
    static const char text[] =
        HEAD " \"steps\": [{\"op\": \"spawn\", \"instance\": \"vm1\"}]}";
    char *error = NULL;
    scn *s = scn_parse(text, "inline.json", &error);
    run_options opt = {.backend = "fake"}, perturbed = {.backend = "fake",
                                                         .test_perturb = true};
    run_result a, b;

    (void)state;
    assert_non_null(s);
    assert_int_equal(run_scenario(s, &opt, &a), 0);
    assert_int_equal(run_scenario(s, &perturbed, &b), 0);
    assert_true(a.passed && b.passed);
    assert_string_not_equal(a.hash, b.hash);
    assert_true(trace_first_difference(a.trace, b.trace, NULL, NULL) > 0);
    run_result_clear(&a);
    run_result_clear(&b);
    scn_free(s);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_passing),
        cmocka_unit_test(test_failing_check),
        cmocka_unit_test(test_unexpected_outcome),
        cmocka_unit_test(test_background_joined),
        cmocka_unit_test(test_background_outcome_checked_at_join),
        cmocka_unit_test(test_background_ended_on_failure),
        cmocka_unit_test(test_migration_needs_two_real_hosts),
        cmocka_unit_test(test_invariant_remains_until_confirmed),
        cmocka_unit_test(test_failed_destroy_keeps_it_alive),
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_invariant_on_no_host),
        cmocka_unit_test(test_invariant_on_two_hosts),
        cmocka_unit_test(test_invariant_failed_spawn_leaves_nothing),
        cmocka_unit_test(test_invariant_destroyed_means_gone),
        cmocka_unit_test(test_invariant_state_after_op),
        cmocka_unit_test(test_invariant_state_after_host_boot),
        cmocka_unit_test(test_leaks),
        cmocka_unit_test(test_destroy_keeping_disks_passes),
        cmocka_unit_test(test_kept_disks_still_checked),
        cmocka_unit_test(test_checks_fail),
        cmocka_unit_test(test_issue10_checks_fail),
        cmocka_unit_test(test_issue10_checks_pass),
        cmocka_unit_test(test_issue10_world),
        cmocka_unit_test(test_result_mismatch),
        cmocka_unit_test(test_hash_notices_a_dropped_field),
        cmocka_unit_test(test_perturb_differs),
    };

    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests_name("run", tests, NULL, NULL);
}
