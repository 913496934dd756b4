/*
 * test-perf.c: the enabled_perf_events option (the reference's
 * _get_supported_perf_events, _get_guest_config's perf events and
 * pre_live_migration's supported_perf_events) on the fake: which of the
 * configured events a host supports (libvirt's names, libvirt 2.0.0 or
 * later, the CPU flag of the cache and memory-bandwidth events), the
 * <perf> element of a spawned guest, and the migrate data.
 */
#include <glib.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "drv.h"
#include "fake.h"
#include "hv.h"

#define UUID "0e6b6f1c-6a1b-4c1e-9d7e-5e2f0c3b9a01"

typedef struct env {
    sim_world *w;
    hv_conn *conn;
    drv *d;
    drv_config cfg;
} env;

/* A driver on a fake host with these CPU features (NULL: the fake's) and
 * libvirt version (0: the fake's), enabled_perf_events as given. */
static env *
env_new(const char *const *features, unsigned long lib,
        const char *const *events)
{
    env *e = g_new0(env, 1);
    fake_host_spec spec = {.name = "h1", .vcpus = 4, .memory_mib = 4096,
                           .disk_gib = 10, .lib_version = lib,
                           .cpu_features = features};
    drv_error err;
    hv_error hv;

    e->w = fake_world_new(5);
    drv_config_defaults(&e->cfg);
    g_free(e->cfg.virt_type);
    e->cfg.virt_type = g_strdup("qemu");
    e->cfg.enabled_perf_events = events ? g_strdupv((char **)events) : NULL;
    spec.storage_pool = e->cfg.storage_pool;
    assert_non_null(fake_host_add(e->w, &spec, &hv));
    e->conn = fake_conn_open(e->w, "h1", &hv);
    assert_non_null(e->conn);
    e->d = drv_new(&e->cfg, e->conn, &err);
    assert_non_null(e->d);
    if (drv_init_host(e->d, "h1", &err) < 0)
        fail_msg("init_host: %s", err.message);
    return e;
}

static void
env_free(env *e)
{
    drv_free(e->d);
    drv_config_clear(&e->cfg);
    hv_conn_close(e->conn);
    fake_world_free(e->w);
    g_free(e);
}

static const drv_instance inst = {
    .uuid = UUID,
    .name = "perf-vm",
    .flavor = {.name = "t", .vcpus = 1, .memory_mb = 64},
    .image = {.id = "i", .format = "raw"},
};

/* The <perf> events of the spawned guest's XML, "name=enabled ..." */
static char *
perf_of_guest(env *e)
{
    drv_error err;
    hv_error hv;
    hv_domain *dom;
    char *xml, *p, *out;
    GString *s = g_string_new("");

    if (drv_spawn(e->d, &inst, true, &err) < 0)
        fail_msg("spawn: %s", err.message);
    dom = hv_domain_lookup_by_uuid(e->conn, UUID, &hv);
    assert_non_null(dom);
    xml = hv_domain_get_xml(dom, 0, &hv);
    assert_non_null(xml);
    /* the fake's XML writer quotes with ", libvirt's with ' */
    for (char *q = xml; *q; q++)
        if (*q == '"')
            *q = '\'';
    for (p = xml; (p = strstr(p, "<event name='")); p++) {
        const char *n = p + strlen("<event name='");
        const char *q = strchr(n, '\'');
        const char *en = strstr(q, "enabled='");

        g_string_append_printf(s, "%.*s=%.*s ", (int)(q - n), n,
                               en ? (int)strcspn(en + 9, "'") : 0,
                               en ? en + 9 : "");
    }
    g_free(xml);
    hv_domain_free(dom);
    out = g_string_free(s, FALSE);
    return out;
}

/* What pre_live_migration offers the source, "a b " */
static char *
perf_of_migrate_data(env *e)
{
    drv_migrate_data md = {
        .has_is_shared_instance_path = true, .is_shared_instance_path = true,
        .has_is_shared_block_storage = true, .is_shared_block_storage = true,
        .has_block_migration = true, .block_migration = false,
    };
    drv_error err;
    GString *s = g_string_new("");

    if (drv_pre_live_migration(e->d, &inst, NULL, &md, &err) < 0)
        fail_msg("pre_live_migration: %s", err.message);
    assert_true(md.has_supported_perf_events);
    for (char **p = md.supported_perf_events; p && *p; p++)
        g_string_append_printf(s, "%s ", *p);
    drv_migrate_data_clear(&md);
    return g_string_free(s, FALSE);
}

/* Nothing configured: no <perf>, an empty list offered. */
static void
test_none(void **state)
{
    env *e = env_new(NULL, 0, NULL);
    char *xml = perf_of_guest(e), *md = perf_of_migrate_data(e);

    (void)state;
    assert_string_equal(xml, "");
    assert_string_equal(md, "");
    g_free(xml);
    g_free(md);
    env_free(e);
}

/* A host without the RDT flags: cmt and mbml are left out, an unknown
 * name too; cpu_cycles is enabled. */
static void
test_without_rdt(void **state)
{
    static const char *const want[] = {"cmt", "cpu_cycles", "no_such",
                                       "mbml", NULL};
    static const char *const feats[] = {"sse2", "vmx", NULL};
    env *e = env_new(feats, 0, want);
    char *xml = perf_of_guest(e), *md = perf_of_migrate_data(e);

    (void)state;
    assert_string_equal(xml, "cpu_cycles=yes ");
    assert_string_equal(md, "cpu_cycles ");
    g_free(xml);
    g_free(md);
    env_free(e);
}

/* A host with cmt and mbm_local: the RDT events it has are enabled, in
 * the configured order; mbmt needs mbm_total, which it lacks. */
static void
test_with_rdt(void **state)
{
    static const char *const want[] = {"mbmt", "cmt", "cpu_cycles", "mbml",
                                       NULL};
    static const char *const feats[] = {"cmt", "mbm_local", "sse2", NULL};
    env *e = env_new(feats, 0, want);
    char *xml = perf_of_guest(e), *md = perf_of_migrate_data(e);

    (void)state;
    assert_string_equal(xml, "cmt=yes cpu_cycles=yes mbml=yes ");
    assert_string_equal(md, "cmt cpu_cycles mbml ");
    g_free(xml);
    g_free(md);
    env_free(e);
}

/* libvirt older than 2.0.0: none, whatever is configured. */
static void
test_old_libvirt(void **state)
{
    static const char *const want[] = {"cpu_cycles", NULL};
    env *e = env_new(NULL, 1003005, want);
    char *xml = perf_of_guest(e), *md = perf_of_migrate_data(e);

    (void)state;
    assert_string_equal(xml, "");
    assert_string_equal(md, "");
    g_free(xml);
    g_free(md);
    env_free(e);
}

/* The option from the configuration's JSON: a list of strings. */
static void
test_json(void **state)
{
    drv_config cfg;
    drv_error err;

    (void)state;
    drv_config_defaults(&cfg);
    assert_int_equal(drv_config_load_json("{\"enabled_perf_events\": "
                                          "[\"cmt\", \"cpu_cycles\"]}",
                                          "c.json", &cfg, &err),
                     0);
    assert_non_null(cfg.enabled_perf_events);
    assert_string_equal(cfg.enabled_perf_events[0], "cmt");
    assert_string_equal(cfg.enabled_perf_events[1], "cpu_cycles");
    assert_null(cfg.enabled_perf_events[2]);
    drv_config_clear(&cfg);
    drv_config_defaults(&cfg);
    assert_int_equal(drv_config_load_json("{\"enabled_perf_events\": "
                                          "\"cmt\"}", "c.json", &cfg, &err),
                     -1);
    assert_non_null(strstr(err.message, "enabled_perf_events"));
    drv_config_clear(&cfg);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_none),
        cmocka_unit_test(test_without_rdt),
        cmocka_unit_test(test_with_rdt),
        cmocka_unit_test(test_old_libvirt),
        cmocka_unit_test(test_json),
    };

    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
