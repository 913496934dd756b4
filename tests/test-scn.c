/*
 * test-scn.c: scenario files — a full valid scenario checked field by
 * field, the defaults, derived uuids, names, and one TAP line per bad
 * input: every row must fail with a message naming the source,
 * line:column and JSON path of the problem.
 *
 * Inputs: every tests/data/scenarios/good/NAME.json must load;
 * tests/data/scenarios/bad/NAME.json must fail with a message containing
 * the first line of NAME.err (a new bad case is a new pair of files).
 * Inline rows are written with ' for " to stay readable.
 */
#include <fcntl.h>
#include <glib.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "drv.h"
#include "hv.h"
#include "jsonv.h"
#include "ops.h"
#include "scn.h"

/* ---- helpers ---- */

/* ' -> " (g_free). */
static char *
dq(const char *s)
{
    char *t = g_strdup(s);

    for (char *p = t; *p; p++)
        if (*p == '\'')
            *p = '"';
    return t;
}

/* tests/data/scenarios/SUB (g_free). */
static char *
data_path(const char *sub)
{
    g_autofree char *dir = g_path_get_dirname(__FILE__);

    return g_build_filename(dir, "data", "scenarios", sub, NULL);
}

/* The scenario in tests/data/scenarios/SUB; fails the test if bad. */
static scn *
load_data(const char *sub)
{
    g_autofree char *path = data_path(sub);
    g_autofree char *error = NULL;
    scn *s = scn_load(path, &error);

    if (!s) {
        print_error("%s\n", error);
        fail();
    }
    assert_null(error);
    return s;
}

/* The message must contain want. */
static void
assert_contains(const char *message, const char *want)
{
    if (!message || !strstr(message, want)) {
        print_error("message: %s\nwanted:  %s\n", message, want);
        fail();
    }
}

/* Line of the first occurrence of needle in the file SUB (1-based). */
static int
line_of(const char *sub, const char *needle)
{
    g_autofree char *path = data_path(sub);
    g_autofree char *text = NULL;
    const char *at;
    int line = 1;

    assert_true(g_file_get_contents(path, &text, NULL, NULL));
    at = strstr(text, needle);
    assert_non_null(at);
    for (const char *p = text; p < at; p++)
        line += *p == '\n';
    return line;
}

/* ---- the full scenario ---- */

static void
check_full_top(const scn *s)
{
    /* fake only: it holds every fault kind, some of them fake-only */
    const char *backends[] = {"fake", NULL};

    assert_true(g_str_has_suffix(s->path, "good/full.json"));
    assert_string_equal(s->name, "full-feature_1.0");
    assert_string_equal(s->description,
                        "Every feature of the scenario format, once");
    assert_true(g_strv_equal((const char *const *)s->backends, backends));
    assert_true(scn_runs_on(s, "fake"));
    assert_false(scn_runs_on(s, "libvirt"));
    assert_false(scn_runs_on(s, "xen"));
    assert_int_equal(s->seed, 42);
    /* the embedded configuration, over the defaults */
    assert_string_equal(s->config.virt_type, "qemu");
    assert_int_equal(s->config.vif_plugging_timeout, 30);
    assert_string_equal(s->config.disk_cachemodes[0], "file=none");
    assert_null(s->config.disk_cachemodes[1]);
    assert_string_equal(s->config.storage_pool, "hvd");
    assert_int_equal(s->config.wait_soft_reboot_seconds, 120);
    assert_true(s->vif_plug_delay_s == 0.5);

    assert_int_equal(s->n_hosts, 2);
    assert_string_equal(s->hosts[0].name, "h1");
    assert_int_equal(s->hosts[0].vcpus, 8);
    assert_int_equal(s->hosts[0].memory_mb, 16384);
    assert_int_equal(s->hosts[0].disk_gb, 100);
    assert_string_equal(s->hosts[1].name, "h2");
    assert_int_equal(s->hosts[1].vcpus, 4);
    assert_int_equal(s->hosts[1].memory_mb, 8192);
    assert_int_equal(s->hosts[1].disk_gb, 50);
    assert_ptr_equal(scn_find_host(s, "h2"), &s->hosts[1]);
    assert_null(scn_find_host(s, "h3"));
    assert_null(scn_find_host(s, NULL));

    assert_int_equal(s->n_images, 2);
    assert_string_equal(s->images[0].name, "cirros.qcow2");
    assert_null(s->images[0].host);
    assert_int_equal(s->images[0].size_mb, 64);
    assert_string_equal(s->images[0].format, "qcow2");
    assert_string_equal(s->images[1].name, "big.raw");
    assert_string_equal(s->images[1].host, "h2");
    assert_int_equal(s->images[1].size_mb, 1024);
    assert_string_equal(s->images[1].format, "raw");
}

static void
check_full_instances(const scn *s)
{
    const scn_instance *web = &s->instances[0], *db = &s->instances[1];

    assert_int_equal(s->n_instances, 2);
    assert_ptr_equal(scn_find_instance(s, "db"), db);
    assert_null(scn_find_instance(s, "web2"));

    assert_string_equal(web->name, "web");
    assert_string_equal(web->host, "h1");
    assert_string_equal(web->inst.name, "web");
    /* derived from (42, "web"): see docs/scenarios.md */
    assert_string_equal(web->inst.uuid,
                        "1151155c-eb8d-4e49-a0e4-581b01bd33b0");
    assert_string_equal(web->inst.flavor.name, "m1.tiny");
    assert_int_equal(web->inst.flavor.vcpus, 1);
    assert_int_equal(web->inst.flavor.memory_mb, 128);
    assert_int_equal(web->inst.flavor.root_gb, 1);
    assert_string_equal(web->inst.image.id, "img-1");
    assert_string_equal(web->inst.image.volume, "cirros.qcow2");
    assert_string_equal(web->inst.image.format, "qcow2");
    assert_int_equal(web->inst.n_vifs, 2);
    assert_string_equal(web->inst.vifs[0].id, "vif-a");
    assert_string_equal(web->inst.vifs[0].network, "default");
    assert_string_equal(web->inst.vifs[1].id, "vif-b");
    assert_string_equal(web->inst.vifs[1].mac, "52:54:00:00:00:0b");
    assert_string_equal(web->inst.vifs[1].bridge, "br0");
    /* guest defaults */
    assert_true(web->guest.boot_s == 3.4);
    assert_true(web->guest.acpi);
    assert_true(web->guest.acpi_delay_s == 2.1);
    assert_true(web->guest.crash_after_s == 0);
    assert_int_equal(web->guest.dirty_rate_mib, 0);
    assert_int_equal(web->guest.crash_state, SCN_CRASH_SHUTOFF);
    assert_false(web->guest.restarts_on_shutdown);
    assert_false(web->guest.agent);
    assert_true(web->guest.pm_suspend_after_s == 0);

    assert_string_equal(db->name, "db");
    assert_string_equal(db->host, "h2");
    /* a given uuid is kept, lower-cased */
    assert_string_equal(db->inst.uuid, "6f3c1a2b-0d4e-4f5a-8b6c-7d8e9f0a1b2c");
    assert_null(db->inst.flavor.name);
    assert_int_equal(db->inst.flavor.vcpus, 2);
    assert_int_equal(db->inst.flavor.memory_mb, 256);
    assert_string_equal(db->inst.image.volume, "big.raw");
    assert_string_equal(db->inst.image.format, "raw");
    assert_int_equal(db->inst.n_vifs, 0);
    assert_string_equal(db->inst.root_device_name, "/dev/vda");
    assert_int_equal(db->inst.n_volumes, 1);
    assert_string_equal(db->inst.volumes[0].volume_id, "vol-1");
    assert_string_equal(db->inst.volumes[0].device_path, "/dev/sdb");
    assert_true(db->guest.boot_s == 1.5);
    assert_false(db->guest.acpi);
    assert_true(db->guest.acpi_delay_s == 0.5);
    assert_true(db->guest.crash_after_s == 100);
    assert_int_equal(db->guest.dirty_rate_mib, 20);
    assert_int_equal(db->guest.crash_state, SCN_CRASH_RESTART);
    assert_true(db->guest.restarts_on_shutdown);
    assert_true(db->guest.pm_suspend_after_s == 7.5);
}

static void
check_full_faults(const scn *s)
{
    const scn_fault *f = s->faults;

    assert_int_equal(s->n_faults, 14);

    assert_int_equal(f[0].kind, SCN_FAULT_HV_CALL);
    assert_string_equal(f[0].host, "h1");
    assert_int_equal(f[0].op, HV_OP_DOMAIN_DESTROY);
    assert_string_equal(f[0].target, "web");
    assert_int_equal(f[0].code, HV_ERR_SYSTEM_ERROR);
    assert_int_equal(f[0].sys_errno, EBUSY);
    assert_int_equal(f[0].nth, 2);
    assert_int_equal(f[0].count, 3);
    assert_true(f[0].probability == 0.5);
    assert_true(f[0].stall_s == 0.25);

    /* defaults; VIR_ERR_ prefix accepted */
    assert_int_equal(f[1].op, HV_OP_VOL_CREATE);
    assert_null(f[1].host);
    assert_null(f[1].target);
    assert_int_equal(f[1].code, HV_ERR_OPERATION_TIMEOUT);
    assert_int_equal(f[1].sys_errno, 0);
    assert_int_equal(f[1].nth, 1);
    assert_int_equal(f[1].count, 1);
    assert_true(f[1].probability == 1.0);
    assert_true(f[1].stall_s == 0);

    /* stall only, for ever */
    assert_int_equal(f[2].op, HV_OP_DOMAIN_SHUTDOWN);
    assert_int_equal(f[2].code, 0);
    assert_int_equal(f[2].count, 0);
    assert_true(f[2].stall_s == 2);

    /* errno as a number */
    assert_int_equal(f[3].code, HV_ERR_SYSTEM_ERROR);
    assert_int_equal(f[3].sys_errno, 28);

    assert_int_equal(f[4].kind, SCN_FAULT_GUEST_IGNORES_ACPI);
    assert_string_equal(f[4].instance, "db");
    assert_null(f[4].host);
    assert_int_equal(f[5].kind, SCN_FAULT_GUEST_CRASH);
    assert_string_equal(f[5].instance, "web");
    assert_true(f[5].at_s == 30);
    assert_int_equal(f[6].kind, SCN_FAULT_VIF_NEVER_PLUGGED);
    assert_string_equal(f[6].instance, "web");
    assert_string_equal(f[6].vif, "vif-b");
    assert_int_equal(f[7].kind, SCN_FAULT_VIF_NEVER_PLUGGED);
    assert_null(f[7].vif);
    assert_int_equal(f[8].kind, SCN_FAULT_SLOW_BOOT);
    assert_true(f[8].boot_s == 20);
    assert_int_equal(f[9].kind, SCN_FAULT_DISK_FULL);
    assert_string_equal(f[9].host, "h2");
    assert_true(f[9].at_s == 0);
    assert_int_equal(f[10].kind, SCN_FAULT_CONNECTION_LOST);
    assert_string_equal(f[10].host, "h1");
    assert_true(f[10].at_s == 40);
    assert_true(f[10].for_s == 5);
    assert_int_equal(f[11].kind, SCN_FAULT_HOST_CRASH);
    assert_string_equal(f[11].host, "h2");
    assert_true(f[11].at_s == 90.5);
    assert_int_equal(f[12].kind, SCN_FAULT_GUEST_RESTARTS_ON_SHUTDOWN);
    assert_string_equal(f[12].instance, "db");
}

static void
check_full_op_steps(const scn *s)
{
    const scn_step *st = s->steps;
    static const scn_op simple[] = {
        SCN_OP_POWER_ON, SCN_OP_PAUSE, SCN_OP_UNPAUSE, SCN_OP_SUSPEND,
        SCN_OP_RESUME, SCN_OP_RESCUE, SCN_OP_UNRESCUE, SCN_OP_REBUILD,
        SCN_OP_TRIGGER_CRASH_DUMP, SCN_OP_RESUME_STATE_ON_HOST_BOOT,
        SCN_OP_SOFT_DELETE, SCN_OP_RESTORE, SCN_OP_GET_INFO};

    assert_int_equal(s->n_steps, 58);
    assert_int_equal(st[0].kind, SCN_STEP_OP);
    assert_int_equal(st[0].op, SCN_OP_INIT_HOST);
    assert_string_equal(st[0].host, "h1");
    assert_null(st[0].instance);
    assert_null(st[0].label);
    assert_int_equal(st[0].expect, DRV_OK);
    assert_int_equal(st[0].line, line_of("good/full.json", "{\"op\": "
                                         "\"init_host\", \"host\": \"h1\""));
    assert_string_equal(st[1].label, "the second host");

    assert_int_equal(st[2].op, SCN_OP_SPAWN);
    assert_string_equal(st[2].instance, "web");
    assert_true(st[2].power_on);
    assert_int_equal(st[2].expect, DRV_ERR_VIF_CREATE);
    assert_int_equal(st[2].line, st[1].line + 1);
    assert_false(st[3].power_on);
    assert_int_equal(st[3].line, st[2].line + 2); /* a step of two lines */

    assert_int_equal(st[4].op, SCN_OP_DESTROY);
    assert_false(st[4].destroy_disks);
    assert_int_equal(st[4].expect, DRV_ERR_INSTANCE_NOT_FOUND);
    assert_int_equal(st[5].op, SCN_OP_REBOOT);
    assert_int_equal(st[5].reboot_type, DRV_REBOOT_HARD);
    assert_int_equal(st[6].reboot_type, DRV_REBOOT_SOFT);
    assert_int_equal(st[7].op, SCN_OP_POWER_OFF);
    assert_int_equal(st[7].timeout, 10);
    assert_int_equal(st[7].retry_interval, 2);
    for (size_t i = 0; i < G_N_ELEMENTS(simple); i++) {
        assert_int_equal(st[8 + i].kind, SCN_STEP_OP);
        assert_int_equal(st[8 + i].op, simple[i]);
        assert_string_equal(st[8 + i].instance, "db");
        /* defaults of the op-specific fields */
        assert_true(st[8 + i].power_on);
        assert_true(st[8 + i].destroy_disks);
        assert_int_equal(st[8 + i].reboot_type, DRV_REBOOT_SOFT);
        assert_int_equal(st[8 + i].timeout, 0);
        assert_int_equal(st[8 + i].retry_interval, 0);
    }
    assert_int_equal(st[16].expect, DRV_ERR_NMI_NOT_SUPPORTED);
    assert_int_equal(st[21].op, SCN_OP_GET_RESOURCES);
    assert_string_equal(st[21].host, "h2");
    assert_null(st[21].instance);
}

static void
check_full_other_steps(const scn *s)
{
    const scn_step *st = s->steps;
    const char *all[] = {"STARTED", "STOPPED", "PAUSED", "RESUMED",
                         "SUSPENDED", NULL};

    assert_int_equal(st[22].kind, SCN_STEP_WAIT);
    assert_true(st[22].seconds == 2.5);
    assert_int_equal(st[23].kind, SCN_STEP_WAIT);
    assert_true(st[23].seconds == 0);
    assert_string_equal(st[23].label, "nothing");

    assert_int_equal(st[24].kind, SCN_STEP_CHECK);
    assert_int_equal(st[24].check, SCN_CHECK_STATE);
    assert_string_equal(st[24].instance, "db");
    assert_int_equal(st[24].state, DRV_POWER_RUNNING);
    assert_int_equal(st[25].check, SCN_CHECK_ID_CHANGED);
    assert_true(st[25].changed);
    assert_int_equal(st[26].check, SCN_CHECK_EVENTS);
    assert_true(g_strv_equal((const char *const *)st[26].events, all));
    assert_non_null(st[27].events); /* empty, not absent */
    assert_null(st[27].events[0]);

    assert_int_equal(st[28].check, SCN_CHECK_RESOURCES);
    assert_string_equal(st[28].host, "h2");
    assert_int_equal(st[28].vcpus, 4);
    assert_int_equal(st[28].vcpus_used, 2);
    assert_int_equal(st[28].memory_mb, 8192);
    assert_int_equal(st[28].memory_mb_used, 256);
    assert_int_equal(st[28].local_gb_used, 0);
    assert_int_equal(st[29].vcpus_used, 0);
    assert_int_equal(st[29].vcpus, -1); /* not checked */
    assert_int_equal(st[29].memory_mb, -1);
    assert_int_equal(st[29].memory_mb_used, -1);
    assert_int_equal(st[29].local_gb_used, -1);

    assert_int_equal(st[30].check, SCN_CHECK_CALLS);
    assert_int_equal(st[30].call_op, HV_OP_DOMAIN_CREATE);
    assert_int_equal(st[30].call_min, 2);
    assert_int_equal(st[30].call_max, 2);
    assert_int_equal(st[31].call_op, HV_OP_DOMAIN_DESTROY);
    assert_int_equal(st[31].call_min, 1);
    assert_int_equal(st[31].call_max, INT_MAX);
    assert_int_equal(st[32].call_min, 1);
    assert_int_equal(st[32].call_max, 3);
    assert_int_equal(st[33].call_op, HV_OP_VOL_DELETE);
    assert_int_equal(st[33].call_min, 0);
    assert_int_equal(st[33].call_max, 0);

    assert_int_equal(st[34].check, SCN_CHECK_HOST_ENABLED);
    assert_string_equal(st[34].host, "h1");
    assert_false(st[34].enabled);
    assert_int_equal(st[35].check, SCN_CHECK_EXISTS);
    assert_string_equal(st[35].instance, "web");
    assert_false(st[35].exists);
    assert_int_equal(st[36].state, DRV_POWER_NOSTATE);
    assert_int_equal(st[36].line, line_of("good/full.json", "\"NOSTATE\""));
}

/* What issue 10 added: answers, labels, times, XPath, listings. */
static void
check_full_issue10_steps(const scn *s)
{
    const scn_step *st = s->steps;
    const scn_instance *db = scn_find_instance(s, "db");
    const scn_instance *web = scn_find_instance(s, "web");
    g_autofree char *web_disk = g_strdup_printf("%s_disk", web->inst.uuid);
    const char *exist[] = {"cirros.qcow2", NULL};
    const char *absent[] = {web_disk, NULL};
    json_t *want;

    assert_int_equal(s->faults[13].kind, SCN_FAULT_VIF_PLUG_FAILED);
    assert_string_equal(s->faults[13].vif, "vif-a");

    assert_int_equal(st[37].op, SCN_OP_GET_RESOURCES);
    assert_string_equal(st[37].mark, "res");
    assert_true(st[37].when.given && st[37].when.at_s == 2.5);
    assert_true(st[37].when.has_tolerance && st[37].when.tolerance_s == 0.5);
    want = json_pack("{s:i, s:s}", "vcpus_used", 0, "hypervisor_hostname",
                     "h1");
    assert_true(json_equal(st[37].result, want));
    json_decref(want);
    /* the placeholder is the instance's uuid by now */
    want = json_pack("{s:[s], s:i}", "uuids", db->inst.uuid, "count", 1);
    assert_true(json_equal(st[38].result, want));
    json_decref(want);
    assert_null(st[39].result);
    assert_false(st[39].when.given);
    assert_int_equal(st[38].op, SCN_OP_LIST_INSTANCE_UUIDS);
    assert_int_equal(st[39].op, SCN_OP_LIST_INSTANCES);
    for (int i = 40; i <= 51; i++)
        assert_int_equal(st[i].op, SCN_OP_GET_NUM_INSTANCES + (i - 40));
    assert_string_equal(st[45].nodename, "h1");
    assert_int_equal(st[49].timeout, 60);
    assert_string_equal(st[50].event_name, "network-vif-plugged:failed");
    assert_string_equal(st[50].event_tag, "vif-a");
    assert_string_equal(st[51].host, "h2");

    assert_int_equal(st[52].check, SCN_CHECK_TIME);
    assert_true(st[52].when.given && st[52].when.at_s == 2.5);
    assert_false(st[52].when.has_tolerance);
    assert_true(st[53].when.tolerance_s == 1);
    assert_string_equal(st[53].mark, "t");
    assert_int_equal(st[54].check, SCN_CHECK_EVENTS);
    assert_false(st[54].event_when[0].given);
    assert_true(st[54].event_when[1].at_s == 2);
    assert_true(st[54].event_when[1].tolerance_s == 0.5);
    assert_string_equal(st[54].events[1], "STOPPED");
    assert_string_equal(st[55].since, "res");
    assert_null(st[30].since);

    assert_int_equal(st[56].check, SCN_CHECK_XML);
    assert_true(st[56].inactive);
    assert_int_equal(st[56].n_xpaths, 3);
    assert_string_equal(st[56].xpaths[0].expr, "string(/domain/uuid)");
    assert_string_equal(json_string_value(st[56].xpaths[0].want),
                        db->inst.uuid);
    assert_true(json_integer_value(st[56].xpaths[1].want) == 1);
    assert_true(json_is_false(st[56].xpaths[2].want));

    assert_int_equal(st[57].check, SCN_CHECK_LISTING);
    assert_string_equal(ops_listing_get(st[57].listing)->name, "volumes");
    assert_true(g_strv_equal((const char *const *)st[57].exist, exist));
    assert_true(g_strv_equal((const char *const *)st[57].absent, absent));
}

static void
test_full(void **state)
{
    scn *s = load_data("good/full.json");

    (void)state;
    check_full_top(s);
    check_full_instances(s);
    check_full_faults(s);
    check_full_op_steps(s);
    check_full_other_steps(s);
    check_full_issue10_steps(s);
    scn_free(s);
}

/* ---- defaults, uuids, names ---- */

#define HOSTS "'hosts': [{'name': 'h1'}, {'name': 'h2'}]"
#define VIF "{'id': 'v1', 'address': '52:54:00:00:00:01', " \
            "'type': 'network', 'network': 'n'}"
#define WEB "{'name': 'web', 'host': 'h1', 'flavor': {'vcpus': 1, " \
            "'memory_mb': 64}, 'network_info': [" VIF "]}"
#define INSTS "'instances': [" WEB "]"
#define BASE "'name': 't', " HOSTS ", " INSTS

static void
test_defaults(void **state)
{
    g_autofree char *json = dq("{'name': 'm', 'hosts': [{'name': 'h'}]}");
    g_autofree char *error = NULL;
    scn *s = scn_parse(json, NULL, &error);
    drv_config want;

    (void)state;
    assert_non_null(s);
    assert_null(error);
    assert_string_equal(s->path, "<string>");
    assert_null(s->description);
    assert_string_equal(s->backends[0], "fake");
    assert_null(s->backends[1]);
    assert_true(scn_runs_on(s, "fake"));
    assert_false(scn_runs_on(s, "libvirt"));
    assert_int_equal(s->seed, 1);
    assert_true(s->vif_plug_delay_s == 1.0);
    drv_config_defaults(&want);
    assert_string_equal(s->config.virt_type, want.virt_type);
    assert_string_equal(s->config.storage_pool, want.storage_pool);
    assert_int_equal(s->config.vif_plugging_timeout,
                     want.vif_plugging_timeout);
    drv_config_clear(&want);
    assert_int_equal(s->n_hosts, 1);
    assert_int_equal(s->n_images, 0);
    assert_int_equal(s->n_instances, 0);
    assert_int_equal(s->n_faults, 0);
    assert_int_equal(s->n_steps, 0);
    scn_free(s);
    scn_free(NULL);
}

static void
test_uuid_derivation(void **state)
{
    g_autofree char *a = dq("{'name': 't', 'seed': 1, " HOSTS ", " INSTS
                            "}");
    g_autofree char *b = dq("{'name': 'u', 'seed': 2, " HOSTS ", " INSTS
                            "}");
    g_autofree char *two = dq("{'name': 't', 'seed': 1, " HOSTS ", "
                              "'instances': [" WEB ", {'name': 'db', "
                              "'host': 'h2', 'flavor': {'vcpus': 1, "
                              "'memory_mb': 64}}]}");
    scn *s1 = scn_parse(a, "a", NULL), *s2 = scn_parse(a, "a", NULL);
    scn *s3 = scn_parse(b, "b", NULL), *s4 = scn_parse(two, "c", NULL);
    const char *u;

    (void)state;
    assert_non_null(s1);
    assert_non_null(s3);
    assert_non_null(s4);
    u = s1->instances[0].inst.uuid;
    /* documented in docs/scenarios.md */
    assert_string_equal(u, "2e75b745-8f24-4b8c-a108-e7c5739d6984");
    assert_string_equal(u, s2->instances[0].inst.uuid); /* stable */
    assert_string_not_equal(u, s3->instances[0].inst.uuid); /* seed */
    assert_string_equal(u, s4->instances[0].inst.uuid);
    assert_string_not_equal(u, s4->instances[1].inst.uuid); /* name */
    /* looks like an RFC 4122 version 4 uuid */
    for (scn *s = s3; s; s = s == s3 ? s4 : NULL) {
        for (unsigned int i = 0; i < s->n_instances; i++) {
            u = s->instances[i].inst.uuid;
            assert_int_equal(strlen(u), 36);
            assert_int_equal(u[14], '4');
            assert_non_null(strchr("89ab", u[19]));
            assert_true(g_uuid_string_is_valid(u));
        }
    }
    scn_free(s1);
    scn_free(s2);
    scn_free(s3);
    scn_free(s4);
}

static void
test_names(void **state)
{
    (void)state;
    for (int op = 0; op < SCN__OP_COUNT; op++) {
        assert_non_null(scn_op_name(op));
        assert_int_equal(scn_op_from_name(scn_op_name(op)), op);
    }
    assert_string_equal(scn_op_name(SCN_OP_RESUME_STATE_ON_HOST_BOOT),
                        "resume_state_on_host_boot");
    assert_null(scn_op_name(-1));
    assert_null(scn_op_name(SCN__OP_COUNT));
    assert_int_equal(scn_op_from_name("spwan"), -1);
    assert_int_equal(scn_op_from_name(NULL), -1);
    assert_string_equal(scn_check_name(SCN_CHECK_STATE), "state");
    assert_string_equal(scn_check_name(SCN_CHECK_HOST_ENABLED),
                        "host_enabled");
    assert_string_equal(scn_check_name(SCN_CHECK_EXISTS), "exists");
    assert_string_equal(scn_check_name(SCN_CHECK_TIME), "time");
    assert_string_equal(scn_check_name(SCN_CHECK_XML), "xml");
    assert_string_equal(scn_check_name(SCN_CHECK_LISTING), "listing");
    assert_null(scn_check_name(-1));
    assert_null(scn_check_name(SCN_CHECK_LISTING + 1));
}

/* ---- files and arguments ---- */

static void
test_load_errors(void **state)
{
    g_autofree char *dir = data_path("good");
    g_autofree char *want = g_strdup_printf("%s: not a regular file "
                                            "(a folder)", dir);
    char *error = NULL;

    (void)state;
    assert_null(scn_load("/nonexistent/hvd/s.json", &error));
    assert_string_equal(error, "/nonexistent/hvd/s.json: no such file");
    g_free(error);
    assert_null(scn_load(dir, &error));
    assert_string_equal(error, want);
    g_free(error);
    assert_null(scn_load(NULL, &error));
    assert_string_equal(error, "no scenario file given");
    g_free(error);
    assert_null(scn_parse(NULL, "x.json", &error));
    assert_string_equal(error, "x.json: no scenario text");
    g_free(error);
    /* a NULL error pointer is fine */
    assert_null(scn_load("/nonexistent/hvd/s.json", NULL));
    assert_null(scn_parse("{", NULL, NULL));
    assert_null(scn_parse("{'name': 't'}", NULL, NULL));
}

/* scn_load's error for path must be PATH + tail. */
static void
assert_load_error(const char *path, const char *tail)
{
    g_autofree char *want = g_strconcat(path, tail, NULL);
    g_autofree char *error = NULL;

    assert_null(scn_load(path, &error));
    assert_string_equal(error, want);
}

/*
 * Hostile files: what is not a regular file is refused without reading
 * it (a FIFO without a writer does not block, /dev/zero does not fill the
 * memory), and so is a file over the limit, a symbolic link loop and a
 * NUL byte, each saying which.
 */
static void
test_load_hostile(void **state)
{
    g_autofree char *tmp = g_dir_make_tmp("hvd-scn-XXXXXX", NULL);
    g_autofree char *fifo = g_build_filename(tmp, "fifo.json", NULL);
    g_autofree char *big = g_build_filename(tmp, "big.json", NULL);
    g_autofree char *loop_a = g_build_filename(tmp, "a.json", NULL);
    g_autofree char *loop_b = g_build_filename(tmp, "b.json", NULL);
    g_autofree char *nul = g_build_filename(tmp, "nul.json", NULL);
    g_autofree char *sock = g_build_filename(tmp, "sock.json", NULL);
    g_autofree char *tail = NULL;
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    int fd;

    (void)state;
    assert_non_null(tmp);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    assert_load_error(fifo, ": not a regular file (a FIFO)");
    assert_load_error("/dev/zero", ": not a regular file (a device)");
    /* sparse: nothing is written, nothing is read */
    fd = open(big, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, (off_t)JV_FILE_MAX_BYTES + 1), 0);
    close(fd);
    tail = g_strdup_printf(": %zu bytes is over the limit of %zu",
                           JV_FILE_MAX_BYTES + 1, JV_FILE_MAX_BYTES);
    assert_load_error(big, tail);
    assert_int_equal(symlink("b.json", loop_a), 0);
    assert_int_equal(symlink("a.json", loop_b), 0);
    assert_load_error(loop_a, ": symbolic link loop");
    assert_true(g_file_set_contents(nul, "{\"name\":\n \"t\xc3\xa9\0\"}", 18,
                                    NULL));
    assert_load_error(nul, ":2:5: a NUL byte");
    /* a socket cannot be opened at all (ENXIO): still named */
    g_strlcpy(sa.sun_path, sock, sizeof(sa.sun_path));
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    if (strlen(sock) < sizeof(sa.sun_path) &&
        bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
        assert_load_error(sock, ": not a regular file (a socket)");
    close(fd);

    unlink(fifo);
    unlink(big);
    unlink(loop_a);
    unlink(loop_b);
    unlink(nul);
    unlink(sock);
    assert_int_equal(rmdir(tmp), 0);
}

/*
 * A file that holds more than its size said (it grew; /proc files say 0)
 * is read no further than the limit and one byte.
 */
static void
test_read_grown(void **state)
{
    char *text = NULL, *error = NULL;

    (void)state;
    assert_int_equal(jv_read_file("/proc/self/status", 16, &text, &error),
                     -1);
    assert_null(text);
    assert_string_equal(error, "/proc/self/status: more than 16 bytes is "
                               "over the limit of 16");
    g_free(error);
    assert_int_equal(jv_read_file("/proc/self/status", 1 << 20, &text,
                                  &error), 0);
    assert_null(error);
    assert_true(g_str_has_prefix(text, "Name:"));
    g_free(text);
}

/* Every file in good/ loads. */
static void
test_good_files(void **state)
{
    g_autofree char *dir = data_path("good");
    GDir *d = g_dir_open(dir, 0, NULL);
    const char *name;
    unsigned int n = 0;

    (void)state;
    assert_non_null(d);
    while ((name = g_dir_read_name(d))) {
        g_autofree char *sub = g_build_filename("good", name, NULL);

        if (!g_str_has_suffix(name, ".json"))
            continue;
        scn_free(load_data(sub));
        n++;
    }
    g_dir_close(d);
    assert_true(n >= 1);
}

/* Whole messages, multi-line positions. */
static void
test_positions(void **state)
{
    g_autofree char *error = NULL;
    char *json = dq("{\n  'name': 't',\n  " HOSTS ",\n  " INSTS ",\n"
                    "  'steps': [\n    {'op': 'spawn', 'instance': 'web'},\n"
                    "    {'op': 'spwan', 'instance': 'web'}\n  ]\n}\n");

    (void)state;
    assert_null(scn_parse(json, "s.json", &error));
    assert_string_equal(error, "s.json:7:12: $.steps[1].op: unknown "
                               "operation 'spwan'; did you mean spawn?");
    g_free(json);
    g_free(error);
    /* an embedded instance's error carries the scenario's position */
    json = dq("{'name': 't', " HOSTS ",\n 'instances': [" WEB ",\n"
              "  {'name': 'db', 'host': 'h1',\n"
              "   'flavor': {'vcpus': 0, 'memory_mb': 64}}]}");
    assert_null(scn_parse(json, "s.json", &error));
    assert_string_equal(error, "s.json:4:24: $.instances[1].flavor.vcpus: "
                               "expected an integer >= 1, got 0");
    g_free(json);
}

/* A scenario of n steps, one a line (step i on line i + 2), or all of it
 * on one line; then the step last if not NULL (g_free). */
static char *
many_steps(unsigned int n, bool one_line, const char *last)
{
    const char *sep = one_line ? " " : "\n";
    GString *s = g_string_new("");
    char *json;

    g_string_append_printf(s, "{" BASE ", 'steps': [");
    for (unsigned int i = 0; i < n; i++) {
        g_string_append_printf(s, "%s%s", i ? "," : "", sep);
        g_string_append(s, i % 2 ? "{'wait': 1, 'description': '\xc3\xa9'}"
                                 : "{'check': 'exists', 'instance': 'web', "
                                   "'exists': false}");
    }
    if (last)
        g_string_append_printf(s, ",%s%s", sep, last);
    g_string_append_printf(s, "%s]}", sep);
    json = dq(s->str);
    g_string_free(s, TRUE);
    return json;
}

/* Bytes the locator walks to load an n-step scenario; checks each step's
 * line on the way. */
static size_t
bytes_to_load(unsigned int n, bool one_line)
{
    g_autofree char *json = many_steps(n, one_line, NULL);
    g_autofree char *error = NULL;
    size_t before = jv_scanned_bytes();
    scn *s = scn_parse(json, "s.json", &error);
    size_t walked = jv_scanned_bytes() - before;

    assert_non_null(s);
    assert_int_equal(s->n_steps, n);
    for (unsigned int i = 0; i < n; i++)
        assert_int_equal(s->steps[i].line, one_line ? 1 : (int)i + 2);
    scn_free(s);
    return walked;
}

/*
 * Locating the steps is linear in their number: twice the steps, about
 * twice the bytes walked (a walk from the start of the text for each step
 * made it four times; 10^6 steps never loaded). Counted, not timed.
 */
static void
test_positions_linear(void **state)
{
    (void)state;
    for (int one_line = 0; one_line <= 1; one_line++) {
        size_t n1 = bytes_to_load(2000, one_line);
        size_t n2 = bytes_to_load(4000, one_line);

        if (!(n1 > 0 && (double)n2 < 2.5 * (double)n1)) {
            print_error("%s: %zu bytes walked for 2000 steps, %zu for "
                        "4000\n", one_line ? "one line" : "a step a line",
                        n1, n2);
            fail();
        }
    }
}

/* An error at the last of many steps, all on one line: its column. */
static void
test_positions_far(void **state)
{
    g_autofree char *json = many_steps(2999, true, "{'wait': -1}");
    g_autofree char *error = NULL;
    g_autofree char *want = NULL;
    const char *bad = strstr(json, "-1}");
    long column = 1;

    (void)state;
    for (const char *p = json; p < bad; p++)
        column += ((unsigned char)*p & 0xC0) != 0x80;
    want = g_strdup_printf("s.json:1:%ld: $.steps[2999].wait: expected a "
                           "number >= 0, got -1", column);
    assert_null(scn_parse(json, "s.json", &error));
    assert_string_equal(error, want);
}

/* ---- bad input ---- */

typedef struct bad_row {
    const char *name;
    const char *json; /* ' stands for " */
    const char *want; /* substring of the message */
} bad_row;

static const bad_row bad_rows[] = {
    /* syntax and top level */
    {"syntax error", "{'name': 't',}",
     "t.json:1:14: string or '}' expected near '}'"},
    {"syntax error on line 3", "{'name': 't',\n " HOSTS ",\n 'seed' 1}",
     "t.json:3:9: ':' expected near '1'"},
    {"root is an array", "[]", "t.json:1:1: $: expected an object, got array"},
    {"duplicate key", "{'name': 't', 'name': 'u'}",
     "t.json:1:20: duplicate object key near '\"name\"'"},
    {"unknown top-level key", "{" BASE ", 'step': []}",
     "t.json:1:244: $.step: unknown key; did you mean steps?"},
    {"missing name", "{" HOSTS "}",
     "t.json:1:1: $: missing required key \"name\""},
    {"name with a space", "{'name': 'my test', " HOSTS "}",
     "t.json:1:10: $.name: expected a name of letters, digits, '_', '.' "
     "and '-', got \"my test\""},
    {"name not a string", "{'name': 5, " HOSTS "}",
     "t.json:1:10: $.name: expected a string, got integer"},
    {"description not a string", "{" BASE ", 'description': ['x']}",
     "t.json:1:259: $.description: expected a string, got array"},
    {"unknown backend", "{" BASE ", 'backends': ['fake', 'qemu']}",
     "t.json:1:265: $.backends[1]: expected one of fake, libvirt, got "
     "\"qemu\""},
    {"duplicate backend", "{" BASE ", 'backends': ['fake', 'fake']}",
     "t.json:1:265: $.backends[1]: duplicate backend, also at [0]"},
    {"no backend", "{" BASE ", 'backends': []}",
     "t.json:1:256: $.backends: expected at least one backend"},
    {"negative seed", "{" BASE ", 'seed': -1}",
     "t.json:1:252: $.seed: expected an integer >= 0, got -1"},
    {"config option misspelt", "{" BASE ", 'config': {'virt_typ': 'qemu'}}",
     "t.json:1:255: $.config.virt_typ: unknown option; did you mean "
     "virt_type?"},
    {"config value out of range",
     "{" BASE ", 'config': {'vif_plugging_timeout': -1}}",
     "t.json:1:279: $.config.vif_plugging_timeout: expected an integer >= 0, "
     "got -1"},
    {"network delay negative",
     "{" BASE ", 'network': {'vif_plug_delay_s': -0.5}}",
     "t.json:1:276: $.network.vif_plug_delay_s: expected a number >= 0, got "
     "-0.5"},
    {"network key misspelt", "{" BASE ", 'network': {'vif_plug_delay': 1}}",
     "t.json:1:256: $.network.vif_plug_delay: unknown key; did you mean "
     "vif_plug_delay_s?"},
    /* hosts */
    {"missing hosts", "{'name': 't'}",
     "t.json:1:1: $: missing required key \"hosts\""},
    {"no host", "{'name': 't', 'hosts': []}",
     "t.json:1:24: $.hosts: expected at least one host"},
    {"host not an object", "{'name': 't', 'hosts': [{'name': 'h1'}, 'h2']}",
     "t.json:1:41: $.hosts[1]: expected an object, got string"},
    {"host without name", "{'name': 't', 'hosts': [{'vcpus': 2}]}",
     "t.json:1:25: $.hosts[0]: missing required key \"name\""},
    {"duplicate host", "{'name': 't', 'hosts': [{'name': 'h1'}, "
     "{'name': 'h1'}]}",
     "t.json:1:50: $.hosts[1].name: duplicate host name 'h1', also at [0]"},
    {"host vcpus as string", "{'name': 't', 'hosts': [{'name': 'h1', "
     "'vcpus': '8'}]}",
     "t.json:1:49: $.hosts[0].vcpus: expected an integer, got string"},
    {"host memory zero", "{'name': 't', 'hosts': [{'name': 'h1', "
     "'memory_mb': 0}]}",
     "t.json:1:53: $.hosts[0].memory_mb: expected an integer >= 1, got 0"},
    {"host key misspelt", "{'name': 't', 'hosts': [{'name': 'h1', "
     "'disk_bg': 10}]}",
     "t.json:1:40: $.hosts[0].disk_bg: unknown key; did you mean disk_gb?"},
    {"host libvirt version not a version", "{'name': 't', 'hosts': "
     "[{'name': 'h1', 'libvirt_version': '9.x'}]}", "t.json:1:59: $.hosts[0].libvirt_version: expected a version "
     "MAJOR.MINOR[.MICRO], each 0..999, got \"9.x\""},
    {"host qemu version a number", "{'name': 't', 'hosts': "
     "[{'name': 'h1', 'qemu_version': 7002000}]}", "t.json:1:56: $.hosts[0].qemu_version: expected a string, got integer"},
    {"host qemu version part too big", "{'name': 't', 'hosts': "
     "[{'name': 'h1', 'qemu_version': '7.2000.0'}]}", "t.json:1:56: $.hosts[0].qemu_version: expected a version "
     "MAJOR.MINOR[.MICRO], each 0..999, got \"7.2000.0\""},
    {"host cpu feature not a name", "{'name': 't', 'hosts': "
     "[{'name': 'h1', 'cpu_features': ['sse2', 'avx 2']}]}", "t.json:1:65: $.hosts[0].cpu_features[1]: expected a CPU feature name "
     "([A-Za-z0-9._-]+), got \"avx 2\""},
    {"host cpu features not a list", "{'name': 't', 'hosts': "
     "[{'name': 'h1', 'cpu_features': 'sse2'}]}", "t.json:1:56: $.hosts[0].cpu_features: expected an array, got string"},
    {"host arch empty", "{'name': 't', 'hosts': "
     "[{'name': 'h1', 'arch': ''}]}", "t.json:1:48: $.hosts[0].arch: expected a non-empty string, got \"\""},
    /* images */
    {"image on an unknown host", "{" BASE ", 'images': [{'name': 'i', "
     "'host': 'h3'}]}",
     "t.json:1:277: $.images[0].host: unknown host 'h3'; did you mean h1?"},
    {"image format unknown", "{" BASE ", 'images': [{'name': 'i', "
     "'format': 'vmdk'}]}",
     "t.json:1:279: $.images[0].format: expected one of qcow2, raw, got "
     "\"vmdk\""},
    {"duplicate image", "{" BASE ", 'images': [{'name': 'i', 'host': "
     "'h1'}, {'name': 'i'}]}",
     "t.json:1:293: $.images[1].name: duplicate image 'i' on every host, "
     "also at [0]"},
    {"image size zero", "{" BASE ", 'images': [{'name': 'i', "
     "'size_mb': 0}]}",
     "t.json:1:280: $.images[0].size_mb: expected an integer >= 1, got 0"},
    /* instances */
    {"instance on an unknown host", "{'name': 't', " HOSTS ", 'instances': "
     "[{'name': 'a', 'host': 'h9', 'flavor': {'vcpus': 1, 'memory_mb': 1}}]}",
     "t.json:1:94: $.instances[0].host: unknown host 'h9'"},
    {"instance without host", "{'name': 't', " HOSTS ", 'instances': "
     "[{'name': 'a', 'flavor': {'vcpus': 1, 'memory_mb': 1}}]}",
     "t.json:1:72: $.instances[0]: missing required key \"host\""},
    {"instance key misspelt", "{'name': 't', " HOSTS ", 'instances': "
     "[{'name': 'a', 'host': 'h1', 'gest': {}, 'flavor': {'vcpus': 1, "
     "'memory_mb': 1}}]}",
     "t.json:1:100: $.instances[0].gest: unknown key; did you mean guest?"},
    {"instance flavor error", "{'name': 't', " HOSTS ", 'instances': "
     "[{'name': 'a', 'host': 'h1', 'flavor': {'vcpus': 1}}]}",
     "t.json:1:110: $.instances[0].flavor: missing required key "
     "\"memory_mb\""},
    {"instance uuid malformed", "{'name': 't', " HOSTS ", 'instances': "
     "[{'name': 'a', 'host': 'h1', 'uuid': '1234', 'flavor': {'vcpus': 1, "
     "'memory_mb': 1}}]}",
     "t.json:1:108: $.instances[0].uuid: expected a UUID (8-4-4-4-12 hex "
     "digits), got \"1234\""},
    {"duplicate instance name", "{'name': 't', " HOSTS ", 'instances': ["
     WEB ", " WEB "]}",
     "t.json:1:252: $.instances[1].name: duplicate instance name 'web', "
     "also at [0]"},
    {"duplicate uuid", "{'name': 't', " HOSTS ", 'instances': ["
     "{'name': 'a', 'host': 'h1', 'uuid': '6f3c1a2b-0d4e-4f5a-8b6c-"
     "7d8e9f0a1b2c', 'flavor': {'vcpus': 1, 'memory_mb': 1}}, "
     "{'name': 'b', 'host': 'h2', 'uuid': '6F3C1A2B-0D4E-4F5A-8B6C-"
     "7D8E9F0A1B2C', 'flavor': {'vcpus': 1, 'memory_mb': 1}}]}",
     "t.json:1:225: $.instances[1].uuid: duplicate uuid "
     "6f3c1a2b-0d4e-4f5a-8b6c-7d8e9f0a1b2c, also at [0]"},
    {"instance image not among the images", "{'name': 't', " HOSTS ", "
     "'images': [{'name': 'cirros.qcow2'}], 'instances': [{'name': 'a', "
     "'host': 'h1', 'image': {'volume': 'cirros.qcow', 'format': 'qcow2'}, "
     "'flavor': {'vcpus': 1, 'memory_mb': 1}}]}",
     "t.json:1:158: $.instances[0].image.volume: unknown image "
     "'cirros.qcow'; did you mean cirros.qcow2?"},
    {"instance image on another host", "{'name': 't', " HOSTS ", "
     "'images': [{'name': 'c', 'host': 'h2'}], 'instances': [{'name': 'a', "
     "'host': 'h1', 'image': {'volume': 'c', 'format': 'qcow2'}, "
     "'flavor': {'vcpus': 1, 'memory_mb': 1}}]}",
     "t.json:1:161: $.instances[0].image.volume: image 'c' is not on host "
     "'h1'"},
    {"guest boot negative", "{'name': 't', " HOSTS ", 'instances': ["
     "{'name': 'a', 'host': 'h1', 'guest': {'boot_s': -1}, 'flavor': "
     "{'vcpus': 1, 'memory_mb': 1}}]}",
     "t.json:1:120: $.instances[0].guest.boot_s: expected a number >= 0, "
     "got -1"},
    {"guest acpi not a boolean", "{'name': 't', " HOSTS ", 'instances': ["
     "{'name': 'a', 'host': 'h1', 'guest': {'acpi': 'no'}, 'flavor': "
     "{'vcpus': 1, 'memory_mb': 1}}]}",
     "t.json:1:118: $.instances[0].guest.acpi: expected true or false, got "
     "string"},
    /* faults */
    {"fault kind misspelt", "{" BASE ", 'faults': [{'kind': 'guest_crsh', "
     "'instance': 'web', 'at_s': 1}]}",
     "t.json:1:264: $.faults[0].kind: expected one of hv_call, "
     "guest_ignores_acpi, guest_crash, vif_never_plugged, slow_boot, "
     "disk_full, connection_lost, host_crash, guest_restarts_on_shutdown, "
     "vif_plug_failed, migration_fails, migration_connection_lost, "
     "guest_holds_device, "
     "got \"guest_crsh\"; did you "
     "mean guest_crash?"},
    {"fault without kind", "{" BASE ", 'faults': [{'instance': 'web'}]}",
     "t.json:1:255: $.faults[0]: missing required key \"kind\""},
    {"fault hv op misspelt", "{" BASE ", 'faults': [{'kind': 'hv_call', "
     "'op': 'domain_destory', 'error': 'INTERNAL_ERROR'}]}",
     "t.json:1:281: $.faults[0].op: unknown hv operation 'domain_destory'; "
     "did you mean domain_destroy?"},
    {"fault error code misspelt", "{" BASE ", 'faults': [{'kind': "
     "'hv_call', 'op': 'domain_create', 'error': 'SYSTEM_EROR'}]}",
     "t.json:1:307: $.faults[0].error: unknown hv error code 'SYSTEM_EROR'; "
     "did you mean SYSTEM_ERROR?"},
    {"fake-only fault on libvirt", "{" BASE ", 'backends': ['fake', "
     "'libvirt'], 'faults': [{'kind': 'slow_boot', 'instance': 'vm1', "
     "'boot_s': 9}]}",
     "$.faults[0].kind: \"slow_boot\" acts only on the fake backend, but "
     "the scenario's \"backends\" include \"libvirt\""},
    {"fake-only guest_holds_device on libvirt", "{" BASE ", 'backends': "
     "['fake', 'libvirt'], 'faults': [{'kind': 'guest_holds_device', "
     "'instance': 'web'}]}",
     "$.faults[0].kind: \"guest_holds_device\" acts only on the fake "
     "backend, but the scenario's \"backends\" include \"libvirt\""},
    {"volume not an image", "{" BASE ", 'steps': [{'op': 'attach_volume', "
     "'instance': 'web', 'volume': 'nope', 'mountpoint': '/dev/vdb'}]}",
     "$.steps[0].volume: no image 'nope' on the instance's host"},
    {"attach without mountpoint", "{" BASE ", 'images': [{'name': 'v'}], "
     "'steps': [{'op': 'attach_volume', 'instance': 'web', 'volume': 'v'}]}",
     "$.steps[0]: missing required key \"mountpoint\""},
    {"swap without new_volume", "{" BASE ", 'images': [{'name': 'v'}], "
     "'steps': [{'op': 'swap_volume', 'instance': 'web', 'volume': 'v', "
     "'mountpoint': '/dev/vdb'}]}",
     "$.steps[0]: missing required key \"new_volume\""},
    {"detach_delay_s negative", "{'name': 't', " HOSTS ", 'instances': "
     "[{'name': 'web', 'host': 'h1', 'flavor': {'vcpus': 1, 'memory_mb': "
     "64}, 'guest': {'detach_delay_s': -1}}]}",
     "$.instances[0].guest.detach_delay_s: expected"},
    {"fault error code OK", "{" BASE ", 'faults': [{'kind': 'hv_call', "
     "'op': 'domain_create', 'error': 'OK'}]}",
     "t.json:1:307: $.faults[0].error: unknown hv error code 'OK'"},
    {"fault errno misspelt", "{" BASE ", 'faults': [{'kind': 'hv_call', "
     "'op': 'domain_create', 'error': 'SYSTEM_ERROR', 'errno': 'EBUSSY'}]}",
     "t.json:1:332: $.faults[0].errno: unknown errno 'EBUSSY'; did you "
     "mean EBUSY?"},
    {"fault errno unknown", "{" BASE ", 'faults': [{'kind': 'hv_call', "
     "'op': 'domain_create', 'error': 'SYSTEM_ERROR', 'errno': 'EWHATEVER'}]}",
     "t.json:1:332: $.faults[0].errno: unknown errno 'EWHATEVER' (expected "
     "an integer or one of EBUSY, ENOSPC, EIO"},
    {"fault errno negative", "{" BASE ", 'faults': [{'kind': 'hv_call', "
     "'op': 'domain_create', 'error': 'SYSTEM_ERROR', 'errno': -5}]}",
     "t.json:1:332: $.faults[0].errno: expected an integer >= 1, got -5"},
    {"fault errno without SYSTEM_ERROR", "{" BASE ", 'faults': [{'kind': "
     "'hv_call', 'op': 'domain_create', 'error': 'OPERATION_FAILED', "
     "'errno': 'EIO'}]}",
     "t.json:1:327: $.faults[0].errno: errno goes with \"error\": "
     "\"SYSTEM_ERROR\""},
    {"fault that does nothing", "{" BASE ", 'faults': [{'kind': 'hv_call', "
     "'op': 'domain_create'}]}",
     "t.json:1:255: $.faults[0]: an hv_call fault needs \"error\" or "
     "\"stall_s\""},
    {"fault probability above 1", "{" BASE ", 'faults': [{'kind': "
     "'hv_call', 'op': 'domain_create', 'stall_s': 1, 'probability': 1.5}]}",
     "t.json:1:327: $.faults[0].probability: expected a number <= 1, got "
     "1.5"},
    {"fault nth zero", "{" BASE ", 'faults': [{'kind': 'hv_call', "
     "'op': 'domain_create', 'stall_s': 1, 'nth': 0}]}",
     "t.json:1:319: $.faults[0].nth: expected an integer >= 1, got 0"},
    {"fault on an unknown host", "{" BASE ", 'faults': [{'kind': "
     "'disk_full', 'host': 'h3'}]}",
     "t.json:1:285: $.faults[0].host: unknown host 'h3'; did you mean h1?"},
    {"fault on an unknown instance", "{" BASE ", 'faults': [{'kind': "
     "'guest_crash', 'instance': 'wbe', 'at_s': 3}]}",
     "t.json:1:291: $.faults[0].instance: unknown instance 'wbe'; did you "
     "mean web?"},
    {"fault key of another kind", "{" BASE ", 'faults': [{'kind': "
     "'guest_crash', 'instance': 'web', 'host': 'h1', 'at_s': 3}]}",
     "t.json:1:298: $.faults[0].host: unknown key"},
    {"fault without at_s", "{" BASE ", 'faults': [{'kind': "
     "'guest_crash', 'instance': 'web'}]}",
     "t.json:1:255: $.faults[0]: missing required key \"at_s\""},
    {"fault on an unknown VIF", "{" BASE ", 'faults': [{'kind': "
     "'vif_never_plugged', 'instance': 'web', 'vif': 'v2'}]}",
     "t.json:1:311: $.faults[0].vif: unknown VIF 'v2'; did you mean v1?"},
    {"connection lost without for_s", "{" BASE ", 'faults': [{'kind': "
     "'connection_lost', 'host': 'h1', 'at_s': 1}]}",
     "t.json:1:255: $.faults[0]: missing required key \"for_s\""},
    {"faults not an array", "{" BASE ", 'faults': {}}",
     "t.json:1:254: $.faults: expected an array, got object"},
    /* steps */
    {"unknown operation", "{" BASE ", 'steps': [{'op': 'spwan', "
     "'instance': 'web'}]}",
     "t.json:1:261: $.steps[0].op: unknown operation 'spwan'; did you mean "
     "spawn?"},
    {"operation not a string", "{" BASE ", 'steps': [{'op': 1}]}",
     "t.json:1:261: $.steps[0].op: expected a string, got integer"},
    {"step on an unknown instance", "{" BASE ", 'steps': [{'op': 'spawn', "
     "'instance': 'db'}]}",
     "t.json:1:282: $.steps[0].instance: unknown instance 'db'"},
    {"step without instance", "{" BASE ", 'steps': [{'op': 'pause'}]}",
     "t.json:1:254: $.steps[0]: missing required key \"instance\""},
    {"init_host on an unknown host", "{" BASE ", 'steps': [{'op': "
     "'init_host', 'host': 'h3'}]}",
     "t.json:1:282: $.steps[0].host: unknown host 'h3'; did you mean h1?"},
    {"key of another operation", "{" BASE ", 'steps': [{'op': 'spawn', "
     "'instance': 'web', 'type': 'hard'}]}",
     "t.json:1:289: $.steps[0].type: unknown key"},
    {"key misspelt", "{" BASE ", 'steps': [{'op': 'spawn', "
     "'instance': 'web', 'pwer_on': false}]}",
     "t.json:1:289: $.steps[0].pwer_on: unknown key; did you mean "
     "power_on?"},
    {"reboot type unknown", "{" BASE ", 'steps': [{'op': 'reboot', "
     "'instance': 'web', 'type': 'medium'}]}",
     "t.json:1:298: $.steps[0].type: expected one of soft, hard, got "
     "\"medium\""},
    {"power_off timeout negative", "{" BASE ", 'steps': [{'op': "
     "'power_off', 'instance': 'web', 'timeout': -1}]}",
     "t.json:1:304: $.steps[0].timeout: expected an integer >= 0, got -1"},
    {"expect misspelt", "{" BASE ", 'steps': [{'op': 'destroy', "
     "'instance': 'web', 'expect': 'InstanceNotFund'}]}",
     "t.json:1:301: $.steps[0].expect: unknown error kind "
     "'InstanceNotFund'; did you mean InstanceNotFound?"},
    {"expect OK in capitals", "{" BASE ", 'steps': [{'op': 'destroy', "
     "'instance': 'web', 'expect': 'OK'}]}",
     "t.json:1:301: $.steps[0].expect: unknown error kind 'OK'; did you "
     "mean ok?"},
    {"expect not a string", "{" BASE ", 'steps': [{'op': 'destroy', "
     "'instance': 'web', 'expect': false}]}",
     "t.json:1:301: $.steps[0].expect: expected \"ok\" or an error kind "
     "name, got boolean"},
    {"negative wait", "{" BASE ", 'steps': [{'wait': -1}]}",
     "t.json:1:263: $.steps[0].wait: expected a number >= 0, got -1"},
    {"wait as a string", "{" BASE ", 'steps': [{'wait': '5s'}]}",
     "t.json:1:263: $.steps[0].wait: expected a number, got string"},
    {"wait too long", "{" BASE ", 'steps': [{'wait': 1e7}]}",
     "t.json:1:263: $.steps[0].wait: expected a number <= 1e+06, got 1e+07"},
    {"wait and op together", "{" BASE ", 'steps': [{'op': 'pause', "
     "'instance': 'web', 'wait': 1}]}",
     "t.json:1:289: $.steps[0].wait: a step is one of \"op\", \"wait\", "
     "\"check\" or \"join\", not several"},
    {"background task named twice", "{" BASE ", 'steps': ["
     "{'op': 'spawn', 'instance': 'web', 'background': 'a'},"
     "{'op': 'reboot', 'instance': 'web', 'background': 'a'},"
     "{'join': 'a'}]}",
     "t.json:1:344: $.steps[1].background: task 'a' is already the "
     "background of steps[0]"},
    {"join of an unknown task", "{" BASE ", 'steps': [{'join': 'm'}]}",
     "t.json:1:255: $.steps[0].join: no earlier step runs 'm' in "
     "the background (\"background\": \"m\" on an operation)"},
    {"join before its start", "{" BASE ", 'steps': [{'join': 'a'},"
     "{'op': 'spawn', 'instance': 'web', 'background': 'a'}]}",
     "t.json:1:255: $.steps[0].join: no earlier step runs 'a' in "
     "the background (\"background\": \"a\" on an operation)"},
    {"join twice", "{" BASE ", 'steps': ["
     "{'op': 'spawn', 'instance': 'web', 'background': 'a'},"
     "{'join': 'a'}, {'join': 'a'}]}",
     "t.json:1:324: $.steps[2].join: task 'a' is joined already"},
    {"background never joined", "{" BASE ", 'steps': ["
     "{'op': 'spawn', 'instance': 'web', 'background': 'a'}]}",
     "t.json:1:289: $.steps[0].background: task 'a' is never joined "
     "(a later step {\"join\": \"a\"} waits for it and checks its "
     "outcome)"},
    {"join with an op", "{" BASE ", 'steps': ["
     "{'op': 'spawn', 'instance': 'web', 'join': 'a'}]}",
     "t.json:1:289: $.steps[0].join: a step is one of \"op\", "
     "\"wait\", \"check\" or \"join\", not several"},
    {"migration without dest", "{" BASE ", 'steps': ["
     "{'op': 'live_migrate', 'instance': 'web'}]}",
     "t.json:1:254: $.steps[0]: missing required key \"dest\""},
    {"migration to an unknown host", "{" BASE ", 'steps': ["
     "{'op': 'evacuate', 'instance': 'web', 'dest': 'h9'}]}",
     "t.json:1:300: $.steps[0].dest: unknown host 'h9'; did you "
     "mean h1?"},
    {"resize flavor with a bad size", "{" BASE ", 'steps': ["
     "{'op': 'migrate', 'instance': 'web', 'dest': 'h1', "
     "'flavor': {'root_gb': -1}}]}",
     "t.json:1:327: $.steps[0].flavor.root_gb: expected an integer "
     ">= 0, got -1"},
    {"resize flavor with an unknown key", "{" BASE ", 'steps': ["
     "{'op': 'migrate', 'instance': 'web', 'dest': 'h1', "
     "'flavor': {'disk': 1}}]}",
     "t.json:1:316: $.steps[0].flavor.disk: unknown key; expected "
     "one of name, vcpus, memory_mb, root_gb, ephemeral_gb, swap_mb"},
    {"block_migration not a boolean", "{" BASE ", 'steps': ["
     "{'op': 'live_migrate', 'instance': 'web', 'dest': 'h1', "
     "'block_migration': 1}]}",
     "t.json:1:329: $.steps[0].block_migration: expected true or "
     "false, got integer"},
    /* snapshots and the guest agent */
    {"snapshot without an image", "{" BASE ", 'steps': ["
     "{'op': 'snapshot', 'instance': 'web'}]}",
     "$.steps[0]: missing required key \"image\""},
    {"snapshot image with a slash", "{" BASE ", 'steps': ["
     "{'op': 'snapshot', 'instance': 'web', 'image': 'a/b'}]}",
     "$.steps[0].image: expected a name without '/', got \"a/b\""},
    {"snapshot result key unknown", "{" BASE ", 'steps': ["
     "{'op': 'snapshot', 'instance': 'web', 'image': 'i', "
     "'result': {'nope': 1}}]}",
     "$.steps[0].result.nope: unknown key; expected one of image, "
     "task_states, disk_format, status"},
    {"set_admin_password without a password", "{" BASE ", 'steps': ["
     "{'op': 'set_admin_password', 'instance': 'web'}]}",
     "$.steps[0]: missing required key \"password\""},
    {"quiesce with a password", "{" BASE ", 'steps': ["
     "{'op': 'quiesce', 'instance': 'web', 'password': 'x'}]}",
     "$.steps[0].password: unknown key"},
    {"guest agent on libvirt", "{'name': 't', 'backends': ['fake', "
     "'libvirt'], " HOSTS ", 'instances': [{'name': 'web', 'host': 'h1', "
     "'flavor': {'vcpus': 1, 'memory_mb': 64}, 'guest': {'agent': true}}]}",
     "$.instances[0].guest.agent: acts only on the fake"},
    {"guest agent not a boolean", "{'name': 't', " HOSTS ", 'instances': "
     "[{'name': 'web', 'host': 'h1', 'flavor': {'vcpus': 1, "
     "'memory_mb': 64}, 'guest': {'agent': 'yes'}}]}",
     "$.instances[0].guest.agent: expected true or false, got string"},
    {"step of nothing", "{" BASE ", 'steps': [{'description': 'x'}]}",
     "t.json:1:254: $.steps[0]: a step needs \"op\", \"wait\", \"check\" or "
     "\"join\""},
    {"step not an object", "{" BASE ", 'steps': ['spawn']}",
     "t.json:1:254: $.steps[0]: expected an object, got string"},
    {"steps not an array", "{" BASE ", 'steps': {'op': 'spawn'}}",
     "t.json:1:253: $.steps: expected an array, got object"},
    {"check misspelt", "{" BASE ", 'steps': [{'check': 'stat', "
     "'instance': 'web', 'state': 'RUNNING'}]}",
     "t.json:1:264: $.steps[0].check: expected one of state, id_changed, "
     "events, resources, calls, host_enabled, exists, time, xml, volumes, "
     "files, got \"stat\"; did you mean state?"},
    {"state misspelt", "{" BASE ", 'steps': [{'check': 'state', "
     "'instance': 'web', 'state': 'RUNING'}]}",
     "t.json:1:301: $.steps[0].state: expected one of RUNNING, SHUTDOWN, "
     "PAUSED, CRASHED, SUSPENDED, NOSTATE, got \"RUNING\"; did you mean "
     "RUNNING?"},
    {"state check on an unknown instance", "{" BASE ", 'steps': [{'check': "
     "'state', 'instance': 'wbe', 'state': 'RUNNING'}]}",
     "t.json:1:285: $.steps[0].instance: unknown instance 'wbe'; did you "
     "mean web?"},
    {"event misspelt", "{" BASE ", 'steps': [{'check': 'events', "
     "'instance': 'web', 'events': ['STARTED', 'STOPED']}]}",
     "t.json:1:315: $.steps[0].events[1]: expected one of STARTED, STOPPED, "
     "PAUSED, RESUMED, SUSPENDED, got \"STOPED\"; did you mean STOPPED?"},
    {"events not an array", "{" BASE ", 'steps': [{'check': 'events', "
     "'instance': 'web', 'events': 'STARTED'}]}",
     "t.json:1:303: $.steps[0].events: expected an array, got string"},
    {"id_changed without changed", "{" BASE ", 'steps': [{'check': "
     "'id_changed', 'instance': 'web'}]}",
     "t.json:1:254: $.steps[0]: missing required key \"changed\""},
    {"exists not a boolean", "{" BASE ", 'steps': [{'check': 'exists', "
     "'instance': 'web', 'exists': 1}]}",
     "t.json:1:303: $.steps[0].exists: expected true or false, got integer"},
    {"host_enabled on an unknown host", "{" BASE ", 'steps': [{'check': "
     "'host_enabled', 'host': 'hx', 'enabled': true}]}",
     "t.json:1:288: $.steps[0].host: unknown host 'hx'"},
    {"resources without a value", "{" BASE ", 'steps': [{'check': "
     "'resources', 'host': 'h1'}]}",
     "t.json:1:254: $.steps[0]: a resources check needs at least one of "
     "vcpus, vcpus_used, memory_mb, memory_mb_used, local_gb_used"},
    {"resources negative", "{" BASE ", 'steps': [{'check': 'resources', "
     "'host': 'h1', 'vcpus_used': -2}]}",
     "t.json:1:305: $.steps[0].vcpus_used: expected an integer >= 0, got -2"},
    {"calls with an unknown hv op", "{" BASE ", 'steps': [{'check': "
     "'calls', 'op': 'domain_creat', 'count': 1}]}",
     "t.json:1:279: $.steps[0].op: unknown hv operation 'domain_creat'; did "
     "you mean domain_create?"},
    {"calls with count and min", "{" BASE ", 'steps': [{'check': 'calls', "
     "'op': 'domain_create', 'count': 1, 'min': 1}]}",
     "t.json:1:308: $.steps[0].min: give \"count\" or \"min\"/\"max\", not "
     "both"},
    {"calls without a count", "{" BASE ", 'steps': [{'check': 'calls', "
     "'op': 'domain_create'}]}",
     "t.json:1:254: $.steps[0]: a calls check needs \"count\", or \"min\" "
     "and/or \"max\""},
    {"calls max below min", "{" BASE ", 'steps': [{'check': 'calls', "
     "'op': 'domain_create', 'min': 3, 'max': 1}]}",
     "t.json:1:313: $.steps[0].max: expected max >= min (3), got 1"},
    {"op key in a state check", "{" BASE ", 'steps': [{'check': 'state', "
     "'instance': 'web', 'state': 'RUNNING', 'op': 'spawn'}]}",
     "t.json:1:312: $.steps[0].op: unknown key"},
    /* texts reach the domain XML and the JUnit report: XML's characters */
    {"U+FFFE in an instance name", "{'name': 't', " HOSTS ", 'instances': "
     "[{'name': 'w\\uFFFE', 'host': 'h1', 'flavor': {'vcpus': 1, "
     "'memory_mb': 64}}]}",
     "t.json:1:81: $.instances[0].name: U+FFFE is not allowed in XML text"},
    {"U+FFFF in a host name, as UTF-8",
     "{'name': 't', 'hosts': [{'name': 'h\xef\xbf\xbf'}]}",
     "$.hosts[0].name: U+FFFF is not allowed in XML text"},
    {"a control character in the description",
     "{" BASE ", 'description': 'bell \\u0007'}",
     "$.description: U+0007 is not allowed in XML text"},
    {"U+FFFF in a step description", "{" BASE ", 'steps': [{'wait': 1, "
     "'description': 'w\\uFFFF'}]}",
     "$.steps[0].description: U+FFFF is not allowed in XML text"},
    {"U+FFFE in an image path", "{'name': 't', " HOSTS ", 'instances': "
     "[{'name': 'w', "
     "'host': 'h1', 'flavor': {'vcpus': 1, 'memory_mb': 64}, 'image': "
     "{'path': '/i\\uFFFE', 'format': 'raw'}}]}",
     "$.instances[0].image.path: U+FFFE is not allowed in XML text"},
    {"U+FFFE in an image's name", "{" BASE ", 'images': [{'name': "
     "'\\uFFFE'}]}", "$.images[0].name: U+FFFE is not allowed in XML text"},
    /* issue 10: answers, times, XPath, listings, labels, guest keys */
    {"result key misspelt", "{" BASE
     ", 'steps': [{'op': 'get_resources', 'host': 'h1', 'result': "
     "{'vcpu_used': 1}}]}",
     "t.json:1:303: $.steps[0].result.vcpu_used: unknown key; did you "
     "mean vcpus_used?"},
    {"result on an operation without an answer", "{" BASE
     ", 'steps': [{'op': 'pause', 'instance': 'web', 'result': {}}]}",
     "t.json:1:289: $.steps[0].result: unknown key; expected one of "
     "op, expect, description, label, returns_at_s, tolerance_s, "
     "background, instance"},
    {"result not an object", "{" BASE
     ", 'steps': [{'op': 'get_info', 'instance': 'web', 'result': "
     "'RUNNING'}]}",
     "t.json:1:302: $.steps[0].result: expected an object, got string"},
    {"result with an expected failure", "{" BASE
     ", 'steps': [{'op': 'get_info', 'instance': 'web', 'expect': "
     "'InstanceNotFound', 'result': {'id': 1}}]}",
     "t.json:1:322: $.steps[0].result: a \"result\" needs the "
     "operation to succeed (\"expect\": \"ok\")"},
    {"uuid placeholder of an unknown instance", "{" BASE
     ", 'steps': [{'op': 'list_instance_uuids', 'host': 'h1', "
     "'result': {'uuids': ['{uuid:wbe}']}}]}",
     "t.json:1:319: $.steps[0].result.uuids[0]: {uuid:wbe}: unknown "
     "instance 'wbe'; did you mean web?"},
    {"uuid placeholder not closed", "{" BASE
     ", 'steps': [{'check': 'volumes', 'host': 'h1', 'exist': "
     "['{uuid:web']}]}",
     "t.json:1:299: $.steps[0].exist[0]: \"{uuid:\" without its '}'"},
    {"returns_at_s negative", "{" BASE
     ", 'steps': [{'op': 'spawn', 'instance': 'web', 'returns_at_s': " "-1}]}"
     ,
     "t.json:1:305: $.steps[0].returns_at_s: expected a number >= 0, got -1"},
    {"tolerance_s without returns_at_s", "{" BASE
     ", 'steps': [{'op': 'spawn', 'instance': 'web', 'tolerance_s': " "1}]}",
     "t.json:1:289: $.steps[0].tolerance_s: \"tolerance_s\" without "
     "\"returns_at_s\""},
    {"time check without at_s", "{" BASE ", 'steps': [{'check': 'time'}]}",
     "t.json:1:254: $.steps[0]: missing required key \"at_s\""},
    {"time check tolerance not a number", "{" BASE
     ", 'steps': [{'check': 'time', 'at_s': 1, 'tolerance_s': 'x'}]}",
     "t.json:1:298: $.steps[0].tolerance_s: expected a number, got string"},
    {"event time unknown key", "{" BASE
     ", 'steps': [{'check': 'events', 'instance': 'web', 'events': "
     "[{'event': 'STARTED', 'at': 1}]}]}",
     "t.json:1:325: $.steps[0].events[0].at: unknown key; expected "
     "one of event, at_s, tolerance_s"},
    {"event time without event", "{" BASE
     ", 'steps': [{'check': 'events', 'instance': 'web', 'events': "
     "[{'at_s': 1}]}]}",
     "t.json:1:304: $.steps[0].events[0]: missing required key \"event\""},
    {"event time event misspelt", "{" BASE
     ", 'steps': [{'check': 'events', 'instance': 'web', 'events': "
     "[{'event': 'STARTD', 'at_s': 1}]}]}",
     "t.json:1:314: $.steps[0].events[0].event: expected one of "
     "STARTED, STOPPED, PAUSED, RESUMED, SUSPENDED, got \"STARTD\"; "
     "did you mean STARTED?"},
    {"bad XPath", "{" BASE
     ", 'steps': [{'check': 'xml', 'instance': 'web', 'xpath': "
     "{'count(/domain/devices/disk': 1}}]}",
     "t.json:1:300: $.steps[0].xpath[\"count(/domain/devices/disk\"]: "
     "invalid XPath expression 'count(/domain/devices/disk'"},
    {"XPath value an array", "{" BASE
     ", 'steps': [{'check': 'xml', 'instance': 'web', 'xpath': "
     "{'/domain/name': ['web']}}]}",
     "t.json:1:316: $.steps[0].xpath[\"/domain/name\"]: expected a "
     "string, a number or a boolean, got array"},
    {"XPath empty", "{" BASE
     ", 'steps': [{'check': 'xml', 'instance': 'web', 'xpath': {}}]}",
     "t.json:1:299: $.steps[0].xpath: expected at least one XPath expression"},
    /* the host family's arguments (ops-host.c) */
    {"power action unknown", "{" BASE
     ", 'steps': [{'op': 'host_power_action', 'host': 'h1', "
     "'action': 'hibernate'}]}",
     "t.json:1:306: $.steps[0].action: expected one of startup, shutdown, "
     "reboot, got \"hibernate\""},
    {"set_host_enabled without enabled", "{" BASE
     ", 'steps': [{'op': 'set_host_enabled', 'host': 'h1'}]}",
     "t.json:1:254: $.steps[0]: missing required key \"enabled\""},
    {"maintenance mode not a bool", "{" BASE
     ", 'steps': [{'op': 'host_maintenance_mode', 'host': 'h1', "
     "'mode': 'on'}]}",
     "t.json:1:308: $.steps[0].mode: expected true or false, got string"},
    {"refresh on an op without it", "{" BASE
     ", 'steps': [{'op': 'get_traits', 'host': 'h1', 'refresh': true}]}",
     "t.json:1:289: $.steps[0].refresh: unknown key"},
    {"provider tree reserved above total", "{" BASE
     ", 'steps': [{'op': 'update_provider_tree', 'host': 'h1', "
     "'provider_tree': {'h1': {'uuid': '0d0d0000-0000-4000-8000-"
     "000000000001', 'inventory': {'VCPU': {'total': 2, 'reserved': 5}}}}}]}",
     "t.json:1:419: $.steps[0].provider_tree.h1.inventory.VCPU.reserved: "
     "reserved (5) is more than total (2)"},
    {"provider tree without uuid", "{" BASE
     ", 'steps': [{'op': 'update_provider_tree', 'host': 'h1', "
     "'provider_tree': {'h1': {'traits': ['CUSTOM_A']}}}]}",
     "t.json:1:323: $.steps[0].provider_tree.h1: missing required key "
     "\"uuid\""},
    {"xml without instance", "{" BASE
     ", 'steps': [{'check': 'xml', 'xpath': {'/domain': 'x'}}]}",
     "t.json:1:254: $.steps[0]: missing required key \"instance\""},
    {"xml inactive not a bool", "{" BASE
     ", 'steps': [{'check': 'xml', 'instance': 'web', 'inactive': 1, "
     "'xpath': {'/domain': 'x'}}]}",
     "t.json:1:302: $.steps[0].inactive: expected true or false, got integer"},
    {"volumes without names", "{" BASE
     ", 'steps': [{'check': 'volumes', 'host': 'h1'}]}",
     "t.json:1:254: $.steps[0]: a volumes check needs \"exist\" "
     "and/or \"absent\""},
    {"volumes on an unknown host", "{" BASE
     ", 'steps': [{'check': 'volumes', 'host': 'h3', 'exist': ['a']}]}",
     "t.json:1:283: $.steps[0].host: unknown host 'h3'; did you mean h1?"},
    {"volumes name empty", "{" BASE
     ", 'steps': [{'check': 'volumes', 'host': 'h1', 'absent': ['']}]}",
     "t.json:1:300: $.steps[0].absent[0]: expected a non-empty "
     "string, got \"\""},
    {"since an unknown label", "{" BASE
     ", 'steps': [{'op': 'spawn', 'instance': 'web', 'label': "
     "'boot'}, {'check': 'calls', 'op': 'domain_create', 'count': 1, "
     "'since': 'bot'}]}",
     "t.json:1:370: $.steps[1].since: no earlier step is labelled "
     "'bot'; did you mean boot?"},
    {"since a later label", "{" BASE
     ", 'steps': [{'check': 'calls', 'op': 'domain_create', 'count': "
     "1, 'since': 'boot'}, {'op': 'spawn', 'instance': 'web', "
     "'label': 'boot'}]}",
     "t.json:1:317: $.steps[0].since: no earlier step is labelled 'boot'"},
    {"duplicate label", "{" BASE
     ", 'steps': [{'wait': 1, 'label': 'a'}, {'wait': 2, 'label': " "'a'}]}",
     "t.json:1:302: $.steps[1].label: duplicate label 'a', also at steps[0]"},
    {"external_event without tag", "{" BASE
     ", 'steps': [{'op': 'external_event', 'instance': 'web', 'name': "
     "'network-vif-plugged'}]}",
     "t.json:1:254: $.steps[0]: missing required key \"tag\""},
    {"node_is_available nodename empty", "{" BASE
     ", 'steps': [{'op': 'node_is_available', 'host': 'h1', "
     "'nodename': ''}]}",
     "t.json:1:308: $.steps[0].nodename: expected a non-empty string, "
     "got \"\""},
    {"rescue_image not an image", "{" BASE
     ", 'steps': [{'op': 'rescue', 'instance': 'web', "
     "'rescue_image': 'nope.qcow2'}]}",
     "t.json:1:290: $.steps[0].rescue_image: no image 'nope.qcow2' on "
     "the instance's host"},
    {"set_service_disabled without disabled", "{" BASE
     ", 'steps': [{'op': 'set_service_disabled', 'host': 'h1'}]}",
     "t.json:1:254: $.steps[0]: missing required key \"disabled\""},
    {"get_vnc_console result key unknown", "{" BASE
     ", 'steps': [{'op': 'get_vnc_console', 'instance': 'web', "
     "'result': {'address': 'x'}}]}",
     "t.json:1:310: $.steps[0].result.address: unknown key; expected one "
     "of host, port"},
    {"crash_state unknown", "{'name': 't', " HOSTS
     ", 'instances': [{'name': 'web', 'host': 'h1', 'flavor': "
     "{'vcpus': 1, 'memory_mb': 64}, 'guest': {'crash_state': "
     "'panicked'}}]}",
     "t.json:1:168: $.instances[0].guest.crash_state: expected one of "
     "shutoff, crashed, restart, got \"panicked\""},
    {"crash_state on libvirt",
     "{'name': 't', 'backends': ['fake', 'libvirt'], " HOSTS
     ", 'instances': [{'name': 'web', 'host': 'h1', 'flavor': "
     "{'vcpus': 1, 'memory_mb': 64}, 'guest': {'crash_state': "
     "'crashed'}}]}",
     "t.json:1:186: $.instances[0].guest.crash_state: acts only on "
     "the fake: remove \"libvirt\" from the scenario's backends"},
    {"pm_suspend_after_s negative", "{'name': 't', " HOSTS
     ", 'instances': [{'name': 'web', 'host': 'h1', 'flavor': "
     "{'vcpus': 1, 'memory_mb': 64}, 'guest': {'pm_suspend_after_s': "
     "-2}}]}",
     "t.json:1:175: $.instances[0].guest.pm_suspend_after_s: expected "
     "a number >= 0, got -2"},
    {"vif_plug_failed of an unknown VIF", "{" BASE
     ", 'faults': [{'kind': 'vif_plug_failed', 'instance': 'web', "
     "'vif': 'v2'}]}",
     "t.json:1:309: $.faults[0].vif: unknown VIF 'v2'; did you mean v1?"},
};

static void
test_bad_row(void **state)
{
    const bad_row *row = *state;
    g_autofree char *json = dq(row->json);
    char *error = (char *)"untouched";
    scn *s = scn_parse(json, "t.json", &error);

    assert_null(s);
    assert_non_null(error);
    assert_true(g_str_has_prefix(error, "t.json:"));
    assert_contains(error, row->want);
    g_free(error);
}

/* tests/data/scenarios/bad/NAME.json against the first line of NAME.err. */
static void
test_bad_file(void **state)
{
    const char *json_path = *state;
    g_autofree char *base = g_strndup(json_path, strlen(json_path) - 5);
    g_autofree char *err_path = g_strconcat(base, ".err", NULL);
    g_autofree char *want = NULL;
    g_autofree char *error = NULL;

    if (!g_file_get_contents(err_path, &want, NULL, NULL)) {
        print_error("no %s\n", err_path);
        fail();
    }
    g_strchomp(want);
    assert_null(scn_load(json_path, &error));
    assert_true(g_str_has_prefix(error, json_path));
    assert_contains(error, want);
}

/* For g_ptr_array_sort, which passes pointers to the elements. */
static gint
compare_paths(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every key list holds what its target and the runner need. */
static bool
has_key(const char *const *keys, const char *key)
{
    for (; keys && *keys; keys++)
        if (strcmp(*keys, key) == 0)
            return true;
    return false;
}

/* The descriptor tables are complete: every operation and fault kind has
 * a name, its keys, and the behaviour its schedule needs. */
static void
test_tables(void **state)
{
    (void)state;
    assert_null(ops_op_get(-1));
    assert_null(ops_op_get(SCN__OP_COUNT));
    for (int i = 0; i < SCN__OP_COUNT; i++) {
        const ops_op *d = ops_op_get(i);

        assert_non_null(d);
        assert_non_null(d->name);
        /* a call, a query whose answer a "result" may name keys of (of
         * an instance or a host, or of a host given its instances), or a
         * flow over two hosts */
        assert_int_equal((d->call != NULL) + (d->query != NULL) +
                         (d->host_query != NULL) + (d->flow != NULL), 1);
        assert_true(!d->host_query ||
                    (d->target == OPS_TARGET_HOST && d->result_keys));
        /* only a flow names a second host; a flow over one host (the
         * interface operations) changes the runner's instance */
        assert_true(d->flow || d->there == OPS_THERE_NONE);
        /* get_diagnostics' keys name the guest's devices: any may be named */
        assert_true(!d->query || d->result_keys ||
                    i == SCN_OP_GET_DIAGNOSTICS);
        assert_true(has_key(d->keys, "result") ==
                    (d->query != NULL || d->result_keys != NULL));
        assert_true(has_key(d->keys, "dest") == (d->there == OPS_THERE_DEST));
        assert_true(has_key(d->keys, "label"));
        assert_true(has_key(d->keys, "returns_at_s"));
        assert_int_equal(scn_op_from_name(d->name), i);
        assert_true(has_key(d->keys, "op"));
        assert_true(has_key(d->keys, "expect"));
        assert_true(has_key(d->keys, "description"));
        assert_true(has_key(d->keys, d->target == OPS_TARGET_HOST
                                         ? "host" : "instance"));
        /* host operations have no instance to believe things of */
        if (d->target == OPS_TARGET_HOST)
            assert_true(d->after == OPS_AFTER_UNCHECKED &&
                        d->on_ok == OPS_BELIEF_KEEP &&
                        d->on_error == OPS_BELIEF_KEEP);
    }
    assert_null(ops_fault_get(SCN__FAULT_COUNT));
    for (int i = 0; i < SCN__FAULT_COUNT; i++) {
        const ops_fault *d = ops_fault_get(i);

        assert_non_null(d);
        assert_non_null(d->name);
        assert_true(d->schedule != OPS_FAULT_ON_GUEST || d->guest);
        assert_true(d->schedule != OPS_FAULT_AT_TIME || d->at);
        assert_true(d->schedule == OPS_FAULT_AT_TIME || !d->at);
        assert_true(d->args[OPS_MAX_ARGS - 1].kind == OPS_ARG_NONE);
        for (const ops_arg *a = d->args; a->kind != OPS_ARG_NONE; a++)
            assert_non_null(ops_arg_key(a->kind));
        /* a kind that ends at at_s + for_s reads both */
        if (d->end) {
            bool at = false, dur = false;
            for (const ops_arg *a = d->args; a->kind != OPS_ARG_NONE; a++) {
                at |= a->kind == OPS_ARG_AT_S;
                dur |= a->kind == OPS_ARG_FOR_S;
            }
            assert_true(at && dur);
        }
    }
}

/* Seconds to nanoseconds, rounded to the nearest (not truncated: 2.01 s
 * times 1e9 is 2009999999.9999998 in binary). */
static void
test_ns(void **state)
{
    (void)state;
    assert_true(scn_ns(0) == 0);
    assert_true(scn_ns(1.5) == INT64_C(1500000000));
    assert_true(scn_ns(3.4) == INT64_C(3400000000));
    assert_true(scn_ns(2.01) == INT64_C(2010000000));
    assert_true(scn_ns(6e-10) == 1);
    assert_true(scn_ns(4e-10) == 0);
}

int
main(void)
{
    const struct CMUnitTest fixed[] = {
        cmocka_unit_test(test_ns),
        cmocka_unit_test(test_full),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_uuid_derivation),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_load_hostile),
        cmocka_unit_test(test_read_grown),
        cmocka_unit_test(test_good_files),
        cmocka_unit_test(test_positions),
        cmocka_unit_test(test_positions_linear),
        cmocka_unit_test(test_positions_far),
        cmocka_unit_test(test_tables),
    };
    g_autofree char *bad_dir = data_path("bad");
    GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    GDir *d = g_dir_open(bad_dir, 0, NULL);
    struct CMUnitTest *tests;
    size_t n = 0;
    int rc;

    for (const char *f; d && (f = g_dir_read_name(d));)
        if (g_str_has_suffix(f, ".json"))
            g_ptr_array_add(files, g_build_filename(bad_dir, f, NULL));
    if (d)
        g_dir_close(d);
    g_ptr_array_sort(files, compare_paths);

    tests = g_new0(struct CMUnitTest, G_N_ELEMENTS(fixed) +
                                          G_N_ELEMENTS(bad_rows) + files->len);
    for (size_t i = 0; i < G_N_ELEMENTS(fixed); i++)
        tests[n++] = fixed[i];
    for (size_t i = 0; i < G_N_ELEMENTS(bad_rows); i++) {
        char *name = g_strdup_printf("bad: %s", bad_rows[i].name);

        g_ptr_array_add(names, name);
        tests[n++] = (struct CMUnitTest){.name = name,
                                         .test_func = test_bad_row,
                                         .initial_state =
                                             (void *)&bad_rows[i]};
    }
    for (guint i = 0; i < files->len; i++) {
        const char *path = g_ptr_array_index(files, i);
        g_autofree char *b = g_path_get_basename(path);
        char *name = g_strdup_printf("bad file: %s", b);

        g_ptr_array_add(names, name);
        tests[n++] = (struct CMUnitTest){.name = name,
                                         .test_func = test_bad_file,
                                         .initial_state = (void *)path};
    }

    cmocka_set_message_output(CM_OUTPUT_TAP);
    rc = _cmocka_run_group_tests("scn", tests, n, NULL, NULL);
    g_ptr_array_free(names, TRUE);
    g_ptr_array_free(files, TRUE);
    g_free(tests);
    return rc;
}
