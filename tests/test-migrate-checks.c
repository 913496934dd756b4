/*
 * test-migrate-checks.c: the live-migration contract's checks and
 * bookkeeping (driver/drv-migrate.c) on a fake world with two hosts, h1
 * (the source) and h2 (the destination), one driver each: migrate data
 * from and to JSON, check_can_live_migrate_destination / _source with each
 * error the reference raises, the shared-storage test files,
 * get_instance_disk_info's JSON, pre_live_migration, post_live_migration*,
 * rollback at the destination and the public cleanup. None of these waits:
 * each test checks that the virtual clock did not move. The last case runs
 * the checks on qemu:///system with the tiny guest (HVD_REAL=1, as make
 * check-real sets; skipped otherwise): one host is its own destination.
 */
#include <glib.h>
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "drv.h"
#include "fake.h"
#include "fault.h"
#include "hv-libvirt.h"
#include "hv.h"

#define UUID "3c4e0000-0000-4000-8000-0000000000c1"
#define NAME "instance-mcheck"
#define INST_PATH "/var/lib/hvd/instances"
#define POOL_PATH "/var/lib/hvd/images"

typedef struct host {
    hv_conn *conn;
    drv *d;
    fault_set *faults;
    fake_host *fh;
    unsigned int plugged; /* VIF plug hook calls */
} host;

typedef struct env {
    sim_world *w;
    drv_config cfg;
    host h[2]; /* h1, h2 */
    drv_instance inst;
    drv_vif vifs[1];
} env;

static void
plug_hook(void *opaque, drv *d, const char *uuid, const char *vif_id)
{
    host *h = opaque;

    (void)d;
    (void)uuid;
    (void)vif_id;
    h->plugged++;
}

static void
ok(int rc, const drv_error *err, const char *what)
{
    if (rc != 0)
        fail_msg("%s: %s: %s", what, drv_error_kind_name(err->kind),
                 err->message);
}

/* Two hosts (spec2 may change h2: lib_version), a driver on each with
 * virt_type (init_host done), an instance with a 1 GiB root disk backed by
 * base.qcow2 (present on both hosts) and one plugged VIF. */
static env *
env_new_with(const char *virt_type, unsigned long lib_version_h1)
{
    env *e = g_new0(env, 1);
    hv_vol_spec base = {.name = "base.qcow2", .capacity = UINT64_C(1) << 30,
                        .allocation = UINT64_C(1) << 28, .format = "qcow2"};
    const char *names[2] = {"h1", "h2"};
    hv_error hv;
    drv_error err;

    e->w = fake_world_new(7);
    drv_config_defaults(&e->cfg);
    g_free(e->cfg.virt_type);
    e->cfg.virt_type = g_strdup(virt_type);
    for (int i = 0; i < 2; i++) {
        fake_host_spec spec = {.name = names[i], .vcpus = 8,
                               .memory_mib = 16384, .disk_gib = 100,
                               .storage_pool = e->cfg.storage_pool,
                               .lib_version = i == 0 ? lib_version_h1 : 0};
        host *h = &e->h[i];

        assert_non_null(h->fh = fake_host_add(e->w, &spec, &hv));
        assert_non_null(h->conn = fake_conn_open(e->w, names[i], &hv));
        assert_int_equal(hv_vol_create(h->conn, e->cfg.storage_pool, &base,
                                       &hv), 0);
        h->faults = fault_set_new();
        fault_set_attach(h->faults, h->conn);
        assert_non_null(h->d = drv_new(&e->cfg, h->conn, &err));
        drv_set_vif_plug_hook(h->d, plug_hook, h);
        ok(drv_init_host(h->d, names[i], &err), &err, "init_host");
    }
    e->vifs[0] = (drv_vif){.id = "vif-1", .mac = "52:54:00:00:00:01",
                           .type = "ethernet", .devname = "tap1",
                           .active = true};
    e->inst = (drv_instance){
        .uuid = UUID,
        .name = NAME,
        .flavor = {.name = "m1.small", .vcpus = 1, .memory_mb = 256,
                   .root_gb = 1},
        .image = {.id = "img-1", .volume = "base.qcow2", .format = "qcow2"},
        .vifs = e->vifs,
        .n_vifs = 1,
        .root_device_name = "/dev/vda",
    };
    return e;
}

static env *
env_new(void)
{
    return env_new_with("qemu", 0);
}

static void
env_free(env *e)
{
    for (int i = 0; i < 2; i++) {
        host *h = &e->h[i];

        drv_free(h->d);
        fault_set_detach(h->faults, h->conn);
        fault_set_free(h->faults);
        hv_conn_close(h->conn);
    }
    drv_config_clear(&e->cfg);
    fake_world_free(e->w);
    g_free(e);
}

static void
spawn_on(env *e, int i)
{
    drv_error err;

    ok(drv_spawn(e->h[i].d, &e->inst, true, &err), &err, "spawn");
}

/* Does host i hold the file at path (its instance store)? */
static bool
has_file(env *e, int i, const char *path)
{
    char *data = NULL;
    size_t len;
    int got = fake_host_instance_file(e->h[i].fh, path, &data, &len);

    g_free(data);
    return got == 1;
}

static bool
has_volume(env *e, int i, const char *name)
{
    hv_vol_info vi;
    hv_error hv;

    return hv_vol_get_info(e->h[i].conn, e->cfg.storage_pool, name, &vi,
                           &hv) == 0;
}

static void
resources(env *e, int i, drv_resources *res)
{
    drv_error err;

    ok(drv_get_available_resource(e->h[i].d, res, &err), &err, "resources");
}

/* The destination check on h2 with the two hosts' real resources. */
static void
dest_check(env *e, int block_migration, int disk_over_commit,
           drv_migrate_data *md)
{
    drv_resources src, dst;
    drv_error err;

    resources(e, 0, &src);
    resources(e, 1, &dst);
    ok(drv_check_can_live_migrate_destination(e->h[1].d, &e->inst, &src,
                                              &dst, block_migration,
                                              disk_over_commit, md, &err),
       &err, "check destination");
    drv_resources_clear(&src);
    drv_resources_clear(&dst);
}

/* The test file of md made visible on h1 too: shared instances_path. */
static void
share_test_file(env *e, const drv_migrate_data *md)
{
    hv_error hv;

    if (hv_instance_dir_create(e->h[0].conn, "/var/lib/hvd", "instances",
                               &hv) < 0 ||
        hv_instance_file_write(e->h[0].conn, "/var/lib/hvd", "instances",
                               md->filename, "", 0, 0, &hv) < 0)
        fail_msg("sharing the test file: %s", hv.message);
}

/* ---- migrate data ---- */

static const char full_md[] =
    "{\"is_volume_backed\": false, \"filename\": \"tmpabc\",\n"
    " \"image_type\": \"default\", \"block_migration\": true,\n"
    " \"disk_over_commit\": false, \"disk_available_mb\": -512,\n"
    " \"is_shared_instance_path\": false,\n"
    " \"is_shared_block_storage\": false,\n"
    " \"instance_relative_path\": \"" UUID "\",\n"
    " \"graphics_listen_addr_vnc\": \"127.0.0.1\",\n"
    " \"graphics_listen_addr_spice\": \"127.0.0.2\",\n"
    " \"serial_listen_addr\": \"127.0.0.3\", \"target_connect_addr\": null,\n"
    " \"supported_perf_events\": [\"cmt\"],\n"
    " \"bdms\": [{\"serial\": \"vol-1\", \"bus\": \"virtio\", \"dev\": "
    "\"vdb\", \"type\": \"disk\", \"format\": null, \"boot_index\": 1,\n"
    "   \"connection_info\": {\"driver_volume_type\": \"local\",\n"
    "   \"data\": {\"device_path\": \"/dev/sdb\"}}}]}";

static void
test_migrate_data_json(void **state)
{
    drv_migrate_data md, back;
    drv_error err;
    char *text, *again;

    (void)state;
    ok(drv_migrate_data_load_json(full_md, "md.json", &md, &err), &err,
       "load");
    assert_true(md.has_block_migration && md.block_migration);
    assert_true(md.has_disk_over_commit && !md.disk_over_commit);
    assert_true(md.has_disk_available_mb);
    assert_int_equal(md.disk_available_mb, -512);
    assert_true(md.has_is_shared_instance_path);
    assert_false(md.is_shared_instance_path);
    assert_string_equal(md.filename, "tmpabc");
    assert_string_equal(md.instance_relative_path, UUID);
    assert_string_equal(md.graphics_listen_addr_spice, "127.0.0.2");
    assert_null(md.target_connect_addr);
    assert_string_equal(md.supported_perf_events[0], "cmt");
    assert_null(md.supported_perf_events[1]);
    assert_int_equal(md.n_bdms, 1);
    assert_string_equal(md.bdms[0].serial, "vol-1");
    assert_string_equal(md.bdms[0].dev, "vdb");
    assert_null(md.bdms[0].format);
    assert_int_equal(md.bdms[0].boot_index, 1);
    assert_string_equal(md.bdms[0].device_path, "/dev/sdb");

    /* to JSON and back is the same data */
    text = drv_migrate_data_to_json(&md);
    ok(drv_migrate_data_load_json(text, "again", &back, &err), &err,
       "reload");
    again = drv_migrate_data_to_json(&back);
    assert_string_equal(text, again);
    assert_non_null(strstr(text, "\"disk_available_mb\":-512"));
    assert_null(strstr(text, "target_connect_addr"));
    g_free(text);
    g_free(again);
    drv_migrate_data_clear(&back);
    drv_migrate_data_clear(&md);
    drv_migrate_data_clear(NULL);

    /* an empty object: nothing set */
    ok(drv_migrate_data_load_json("{}", NULL, &md, &err), &err, "empty");
    assert_false(md.has_block_migration);
    assert_false(md.has_is_shared_instance_path);
    text = drv_migrate_data_to_json(&md);
    assert_string_equal(text, "{}");
    g_free(text);
    drv_migrate_data_clear(&md);

    /* errors name the place */
    assert_int_equal(drv_migrate_data_load_json(
                         "{\"filename\": \"a\",\n \"block_migraton\": true}",
                         "md.json", &md, &err), -1);
    assert_int_equal(err.kind, DRV_ERR_INVALID_MIGRATE_DATA);
    assert_non_null(strstr(err.message, "md.json:2:2"));
    assert_non_null(strstr(err.message, "block_migration"));
    assert_int_equal(drv_migrate_data_load_json(
                         "{\"disk_available_mb\": \"lots\"}", "md.json", &md,
                         &err), -1);
    assert_non_null(strstr(err.message, "$.disk_available_mb"));
    assert_int_equal(drv_migrate_data_load_json(
                         "{\"bdms\": [{\"bus\": \"virtio\"}]}", "md.json",
                         &md, &err), -1);
    assert_non_null(strstr(err.message, "$.bdms[0]"));
    assert_non_null(strstr(err.message, "serial"));
    assert_null(md.bdms);
    assert_int_equal(drv_migrate_data_load_json(
                         "{\"filename\": \"a/b\"}", "md.json", &md, &err),
                     -1);
    assert_non_null(strstr(err.message, "$.filename"));
    assert_int_equal(drv_migrate_data_load_json("[1]", "md.json", &md, &err),
                     -1);
    assert_int_equal(err.kind, DRV_ERR_INVALID_MIGRATE_DATA);
    assert_string_equal(drv_error_kind_name(DRV_ERR_INVALID_MIGRATE_DATA),
                        "InvalidMigrateData");
    assert_int_equal(drv_error_kind_from_name("MigrationPreCheckError"),
                     DRV_ERR_MIGRATION_PRECHECK);
}

/* ---- check_can_live_migrate_destination ---- */

static void
test_destination_check(void **state)
{
    env *e = env_new();
    drv_migrate_data md;
    drv_resources dst;
    drv_error err;
    char *path;

    (void)state;
    spawn_on(e, 0);
    int64_t t0 = hv_now(e->h[1].conn);
    dest_check(e, -1, 1, &md);
    assert_int_equal(hv_now(e->h[1].conn), t0);
    /* a tmpXXXXXXXX file in instances_path on h2 only */
    assert_non_null(md.filename);
    assert_int_equal(strlen(md.filename), 11);
    assert_true(g_str_has_prefix(md.filename, "tmp"));
    path = g_build_filename(INST_PATH, md.filename, NULL);
    assert_true(has_file(e, 1, path));
    assert_false(has_file(e, 0, path));
    assert_string_equal(md.image_type, "default");
    assert_false(md.has_block_migration); /* None: left unset */
    assert_true(md.has_disk_over_commit && md.disk_over_commit);
    resources(e, 1, &dst);
    assert_true(md.has_disk_available_mb);
    assert_int_equal(md.disk_available_mb, dst.disk_available_least * 1024);
    drv_resources_clear(&dst);

    ok(drv_cleanup_live_migration_destination_check(e->h[1].d, &md, &err),
       &err, "cleanup destination check");
    assert_false(has_file(e, 1, path));
    /* os.remove of a missing file raises */
    assert_int_equal(drv_cleanup_live_migration_destination_check(
                         e->h[1].d, &md, &err), -1);
    assert_int_equal(err.kind, DRV_ERR_HYPERVISOR);
    assert_int_equal(err.hv.sys_errno, 2);
    drv_migrate_data_clear(&md);
    g_free(path);

    /* reserved_host_disk_mb comes off; block_migration given is set */
    e->cfg.reserved_host_disk_mb = 300;
    drv_free(e->h[1].d);
    assert_non_null(e->h[1].d = drv_new(&e->cfg, e->h[1].conn, &err));
    dest_check(e, 0, -1, &md);
    assert_true(md.has_block_migration && !md.block_migration);
    assert_false(md.has_disk_over_commit);
    resources(e, 1, &dst);
    assert_int_equal(md.disk_available_mb,
                     dst.disk_available_least * 1024 - 300);
    drv_resources_clear(&dst);
    drv_migrate_data_clear(&md);

    /* the test file cannot be made: the hv error, nothing returned */
    fault_rule wr = {.op = HV_OP_INSTANCE_FILE_WRITE,
                     .code = HV_ERR_SYSTEM_ERROR, .sys_errno = 28,
                     .count = 1};
    fault_set_add(e->h[1].faults, &wr);
    drv_resources src;
    resources(e, 0, &src);
    resources(e, 1, &dst);
    assert_int_equal(drv_check_can_live_migrate_destination(
                         e->h[1].d, &e->inst, &src, &dst, 1, 0, &md, &err),
                     -1);
    assert_int_equal(err.kind, DRV_ERR_HYPERVISOR);
    assert_null(md.filename);
    drv_resources_clear(&src);
    drv_resources_clear(&dst);
    env_free(e);
}

/* The source's cpu_info changed by edit (a JSON text with the host's
 * values otherwise). */
static char *
cpu_info(const char *arch, const char *vendor, const char *extra_feature)
{
    return g_strdup_printf(
        "{\"arch\": \"%s\", \"model\": \"qemu64\", \"vendor\": \"%s\", "
        "\"topology\": {\"cells\": 1, \"sockets\": 1, \"cores\": 8, "
        "\"threads\": 1}, \"features\": [\"sse2\"%s%s%s]}",
        arch, vendor, extra_feature ? ", \"" : "",
        extra_feature ? extra_feature : "", extra_feature ? "\"" : "");
}

/* The destination check with src's cpu_info replaced by text. */
static int
cpu_check(env *e, const char *text, drv_error *err)
{
    drv_resources src = {0}, dst = {0};
    drv_migrate_data md;
    int rc;

    src.cpu_info = g_strdup(text);
    dst.disk_available_least = 10;
    rc = drv_check_can_live_migrate_destination(e->h[1].d, &e->inst, &src,
                                                &dst, 1, 0, &md, err);
    drv_migrate_data_clear(&md);
    drv_resources_clear(&src);
    return rc;
}

static void
test_destination_cpu(void **state)
{
    env *e = env_new_with("kvm", 0);
    fault_rule nosup = {.op = HV_OP_CONNECT_GET_CAPABILITIES,
                        .code = HV_ERR_NO_SUPPORT, .count = 1};
    fault_rule fail = {.op = HV_OP_CONNECT_GET_CAPABILITIES,
                       .code = HV_ERR_INTERNAL_ERROR, .count = 1};
    drv_resources src;
    drv_error err;
    char *t;

    (void)state;
    /* the source's own cpu_info (both fake hosts alike): compatible */
    resources(e, 0, &src);
    ok(cpu_check(e, src.cpu_info, &err), &err, "same CPU");
    drv_resources_clear(&src);
    /* a subset of the features: compatible */
    t = cpu_info("x86_64", "AMD", NULL);
    ok(cpu_check(e, t, &err), &err, "fewer features");
    g_free(t);
    /* a feature this host lacks */
    t = cpu_info("x86_64", "AMD", "avx512f");
    assert_int_equal(cpu_check(e, t, &err), -1);
    assert_int_equal(err.kind, DRV_ERR_INVALID_CPU_INFO);
    assert_non_null(strstr(err.message, "CPU doesn't have compatibility"));
    assert_non_null(strstr(err.message, "avx512f"));
    g_free(t);
    /* another architecture, another vendor */
    t = cpu_info("aarch64", "AMD", NULL);
    assert_int_equal(cpu_check(e, t, &err), -1);
    assert_int_equal(err.kind, DRV_ERR_INVALID_CPU_INFO);
    g_free(t);
    t = cpu_info("x86_64", "Intel", NULL);
    assert_int_equal(cpu_check(e, t, &err), -1);
    assert_int_equal(err.kind, DRV_ERR_INVALID_CPU_INFO);
    /* hv cannot compare: the migration proceeds */
    fault_set_add(e->h[1].faults, &nosup);
    ok(cpu_check(e, t, &err), &err, "NO_SUPPORT");
    /* another failure: MigrationPreCheckError */
    fault_set_add(e->h[1].faults, &fail);
    assert_int_equal(cpu_check(e, t, &err), -1);
    assert_int_equal(err.kind, DRV_ERR_MIGRATION_PRECHECK);
    g_free(t);
    /* a source cpu_info that is not one */
    assert_int_equal(cpu_check(e, "not json", &err), -1);
    assert_int_equal(err.kind, DRV_ERR_MIGRATION_PRECHECK);
    assert_int_equal(cpu_check(e, "{\"arch\": \"x86_64\"}", &err), -1);
    assert_int_equal(err.kind, DRV_ERR_MIGRATION_PRECHECK);
    assert_non_null(strstr(err.message, "model"));
    env_free(e);

    /* virt_type qemu: no comparison at all (TCG emulates the CPU) */
    e = env_new();
    t = cpu_info("aarch64", "Intel", "avx512f");
    ok(cpu_check(e, t, &err), &err, "qemu skips the CPU check");
    g_free(t);
    env_free(e);
}

/* ---- get_instance_disk_info ---- */

static void
test_disk_info(void **state)
{
    env *e = env_new();
    fault_rule xml = {.op = HV_OP_DOMAIN_GET_XML,
                      .code = HV_ERR_INTERNAL_ERROR, .count = 1};
    json_t *l, *o;
    drv_error err;
    char *text;

    (void)state;
    /* no domain: InstanceNotFound */
    assert_int_equal(drv_get_instance_disk_info(e->h[0].d, &e->inst, &text,
                                                &err), -1);
    assert_int_equal(err.kind, DRV_ERR_INSTANCE_NOT_FOUND);
    assert_null(text);

    e->inst.flavor.ephemeral_gb = 1;
    spawn_on(e, 0);
    ok(drv_get_instance_disk_info(e->h[0].d, &e->inst, &text, &err), &err,
       "disk info");
    /* Python's json.dumps layout, the reference's key order */
    assert_true(g_str_has_prefix(
        text, "[{\"type\": \"qcow2\", \"path\": \"" POOL_PATH "/" UUID
              "_disk\", \"virt_disk_size\": 1073741824, \"backing_file\": "
              "\"base.qcow2\", \"disk_size\": "));
    l = json_loads(text, 0, NULL);
    assert_int_equal(json_array_size(l), 2);
    o = json_array_get(l, 0);
    assert_int_equal(json_integer_value(json_object_get(o,
                                                        "over_committed_disk_size")),
                     1073741824 - json_integer_value(
                                      json_object_get(o, "disk_size")));
    o = json_array_get(l, 1);
    assert_string_equal(json_string_value(json_object_get(o, "path")),
                        POOL_PATH "/" UUID "_disk.eph0");
    json_decref(l);
    g_free(text);

    /* any failure to read the XML is InstanceNotFound */
    fault_set_add(e->h[0].faults, &xml);
    assert_int_equal(drv_get_instance_disk_info(e->h[0].d, &e->inst, &text,
                                                &err), -1);
    assert_int_equal(err.kind, DRV_ERR_INSTANCE_NOT_FOUND);
    env_free(e);
}

/* ---- check_can_live_migrate_source ---- */

static void
test_source_check(void **state)
{
    env *e = env_new();
    drv_migrate_data md;
    drv_error err;

    (void)state;
    spawn_on(e, 0);

    /* nothing shared, block migration not given: block migration */
    dest_check(e, -1, 0, &md);
    int64_t t0 = hv_now(e->h[0].conn);
    ok(drv_check_can_live_migrate_source(e->h[0].d, &e->inst, &md, &err),
       &err, "source check");
    assert_int_equal(hv_now(e->h[0].conn), t0);
    assert_true(md.has_is_shared_instance_path);
    assert_false(md.is_shared_instance_path);
    assert_true(md.has_is_shared_block_storage);
    assert_false(md.is_shared_block_storage);
    assert_true(md.has_block_migration && md.block_migration);
    assert_string_equal(md.instance_relative_path, UUID);
    drv_migrate_data_clear(&md);

    /* block migration with too little disk on the destination */
    dest_check(e, 1, 1, &md);
    /* disk_over_commit counts the disks' allocation: a thin new disk */
    char *text, *need;
    json_t *l;
    ok(drv_get_instance_disk_info(e->h[0].d, &e->inst, &text, &err), &err,
       "disk info");
    l = json_loads(text, 0, NULL);
    need = g_strdup_printf(" < need:%" JSON_INTEGER_FORMAT ")",
                           json_integer_value(json_object_get(
                               json_array_get(l, 0), "disk_size")));
    json_decref(l);
    g_free(text);
    md.disk_available_mb = -1; /* disk_available_least may be < 0 */
    assert_int_equal(drv_check_can_live_migrate_source(e->h[0].d, &e->inst,
                                                       &md, &err), -1);
    assert_int_equal(err.kind, DRV_ERR_MIGRATION_PRECHECK);
    assert_non_null(strstr(err.message, "Disk of instance is too large"));
    assert_non_null(strstr(err.message, "available on destination "
                                        "host:-1048576 < need:"));
    assert_non_null(strstr(err.message, need));
    g_free(need);
    /* disk_available_mb 0 is the reference's "nothing available" */
    md.disk_available_mb = 0;
    md.disk_over_commit = false;
    assert_int_equal(drv_check_can_live_migrate_source(e->h[0].d, &e->inst,
                                                       &md, &err), -1);
    assert_non_null(strstr(err.message, "host:0 < need:1073741824)"));
    /* disk_over_commit false counts the virtual size: 1 GiB root */
    md.disk_over_commit = false;
    md.disk_available_mb = 1024;
    ok(drv_check_can_live_migrate_source(e->h[0].d, &e->inst, &md, &err),
       &err, "exactly enough");
    md.disk_available_mb = 1023;
    assert_int_equal(drv_check_can_live_migrate_source(e->h[0].d, &e->inst,
                                                       &md, &err), -1);
    assert_int_equal(err.kind, DRV_ERR_MIGRATION_PRECHECK);
    assert_non_null(strstr(err.message, "< need:1073741824)"));
    /* no disk_over_commit: the disk is not checked */
    md.has_disk_over_commit = false;
    ok(drv_check_can_live_migrate_source(e->h[0].d, &e->inst, &md, &err),
       &err, "no disk check");
    drv_migrate_data_clear(&md);

    /* no block migration and nothing shared: InvalidSharedStorage */
    dest_check(e, 0, 0, &md);
    assert_int_equal(drv_check_can_live_migrate_source(e->h[0].d, &e->inst,
                                                       &md, &err), -1);
    assert_int_equal(err.kind, DRV_ERR_INVALID_SHARED_STORAGE);
    assert_string_equal(drv_error_kind_name(err.kind),
                        "InvalidSharedStorage");
    assert_true(g_str_has_prefix(err.message,
                                 "h1 is not on shared storage: Live "
                                 "migration can not be used"));
    drv_migrate_data_clear(&md);

    /* a shared instances_path: live migration without block migration */
    dest_check(e, 0, 0, &md);
    share_test_file(e, &md);
    ok(drv_check_can_live_migrate_source(e->h[0].d, &e->inst, &md, &err),
       &err, "shared path");
    assert_true(md.is_shared_instance_path);
    assert_false(md.is_shared_block_storage);
    drv_migrate_data_clear(&md);
    /* ... unset block migration follows the storage: none */
    dest_check(e, -1, 0, &md);
    share_test_file(e, &md);
    ok(drv_check_can_live_migrate_source(e->h[0].d, &e->inst, &md, &err),
       &err, "shared path, block migration unset");
    assert_true(md.has_block_migration && !md.block_migration);
    drv_migrate_data_clear(&md);
    /* ... and block migration onto it is refused */
    dest_check(e, 1, 0, &md);
    share_test_file(e, &md);
    assert_int_equal(drv_check_can_live_migrate_source(e->h[0].d, &e->inst,
                                                       &md, &err), -1);
    assert_int_equal(err.kind, DRV_ERR_INVALID_LOCAL_STORAGE);
    assert_string_equal(err.message,
                        "h1 is not on local storage: Block migration can "
                        "not be used with shared storage.");
    drv_migrate_data_clear(&md);

    /* migrate data without the destination's test file */
    assert_int_equal(drv_check_can_live_migrate_source(
                         e->h[0].d, &e->inst, &(drv_migrate_data){0}, &err),
                     -1);
    assert_int_equal(err.kind, DRV_ERR_INVALID_MIGRATE_DATA);

    /* an instance h1 does not have: InstanceNotFound (disk info) */
    dest_check(e, 1, 0, &md);
    drv_instance other = e->inst;
    other.uuid = "3c4e0000-0000-4000-8000-0000000000c2";
    assert_int_equal(drv_check_can_live_migrate_source(e->h[0].d, &other,
                                                       &md, &err), -1);
    assert_int_equal(err.kind, DRV_ERR_INSTANCE_NOT_FOUND);
    drv_migrate_data_clear(&md);
    env_free(e);
}

static void
test_source_check_volumes(void **state)
{
    env *e = env_new_with("qemu", 1002016UL);
    drv_bdm vol = {.volume_id = "vol-1", .mount_device = "/dev/vdb",
                   .device_path = POOL_PATH "/vol-1", .driver_type = "local"};
    hv_vol_spec vs = {.name = "vol-1", .capacity = UINT64_C(1) << 30,
                      .format = "raw"};
    drv_migrate_data md;
    drv_error err;
    hv_error hv;

    (void)state;
    assert_int_equal(hv_vol_create(e->h[0].conn, e->cfg.storage_pool, &vs,
                                   &hv), 0);
    e->inst.volumes = &vol;
    e->inst.n_volumes = 1;
    spawn_on(e, 0);
    /* the volume is no disk of the instance's own */
    char *text;
    ok(drv_get_instance_disk_info(e->h[0].d, &e->inst, &text, &err), &err,
       "disk info");
    assert_null(strstr(text, "vol-1"));
    g_free(text);
    /* libvirt 1.2.16 cannot block migrate with volumes */
    dest_check(e, 1, -1, &md);
    assert_int_equal(drv_check_can_live_migrate_source(e->h[0].d, &e->inst,
                                                       &md, &err), -1);
    assert_int_equal(err.kind, DRV_ERR_MIGRATION_PRECHECK);
    assert_non_null(strstr(err.message, "requires libvirt version 1.2.17"));
    drv_migrate_data_clear(&md);
    env_free(e);
}

/* ---- check_instance_shared_storage_* ---- */

static void
test_instance_shared_storage(void **state)
{
    env *e = env_new();
    drv_error err;
    char *file, *none;

    (void)state;
    /* no folder on h2: None */
    ok(drv_check_instance_shared_storage_local(e->h[1].d, &e->inst, &none,
                                               &err), &err, "local h2");
    assert_null(none);
    spawn_on(e, 0);
    ok(drv_check_instance_shared_storage_local(e->h[0].d, &e->inst, &file,
                                               &err), &err, "local h1");
    assert_true(g_str_has_prefix(file, INST_PATH "/" UUID "/tmp"));
    assert_true(has_file(e, 0, file));
    /* h2 does not see it (not shared), h1 does */
    assert_int_equal(drv_check_instance_shared_storage_remote(e->h[1].d,
                                                              file, &err), 0);
    assert_int_equal(drv_check_instance_shared_storage_remote(e->h[0].d,
                                                              file, &err), 1);
    /* a path hv cannot reach is not there */
    assert_int_equal(drv_check_instance_shared_storage_remote(
                         e->h[0].d, "/etc/passwd", &err), 0);
    ok(drv_check_instance_shared_storage_cleanup(e->h[0].d, file, &err),
       &err, "cleanup");
    assert_false(has_file(e, 0, file));
    /* delete_if_exists: gone already is fine */
    ok(drv_check_instance_shared_storage_cleanup(e->h[0].d, file, &err),
       &err, "cleanup again");
    g_free(file);
    env_free(e);
}

/* ---- pre_live_migration ---- */

static void
test_pre_live_migration(void **state)
{
    env *e = env_new();
    drv_migrate_data md, bad = {0};
    drv_error err;
    char *disk_info, *data = NULL;
    size_t len;

    (void)state;
    spawn_on(e, 0);
    dest_check(e, -1, 0, &md);
    ok(drv_check_can_live_migrate_source(e->h[0].d, &e->inst, &md, &err),
       &err, "source check");
    ok(drv_get_instance_disk_info(e->h[0].d, &e->inst, &disk_info, &err),
       &err, "disk info");
    assert_false(has_volume(e, 1, UUID "_disk"));
    int64_t t0 = hv_now(e->h[1].conn);
    ok(drv_pre_live_migration(e->h[1].d, &e->inst, disk_info, &md, &err),
       &err, "pre_live_migration");
    assert_int_equal(hv_now(e->h[1].conn), t0);
    /* the folder, disk.info, the root disk made here; block migration:
     * no console.log */
    assert_int_equal(fake_host_instance_file(
                         e->h[1].fh, INST_PATH "/" UUID "/disk.info", &data,
                         &len), 1);
    assert_string_equal(data, "{\"" INST_PATH "/" UUID "/" UUID
                              "_disk\": \"qcow2\"}");
    g_free(data);
    assert_true(has_volume(e, 1, UUID "_disk"));
    assert_false(has_file(e, 1, INST_PATH "/" UUID "/console.log"));
    assert_int_equal(e->h[1].plugged, 1);
    assert_string_equal(md.graphics_listen_addr_vnc, "127.0.0.1");
    assert_string_equal(md.graphics_listen_addr_spice, "127.0.0.1");
    assert_string_equal(md.serial_listen_addr, "127.0.0.1");
    assert_null(md.target_connect_addr);
    assert_true(md.has_bdms);
    assert_int_equal(md.n_bdms, 0);
    assert_true(md.has_supported_perf_events);
    assert_null(md.supported_perf_events[0]);

    /* again: the folder is there */
    assert_int_equal(drv_pre_live_migration(e->h[1].d, &e->inst, disk_info,
                                            &md, &err), -1);
    assert_int_equal(err.kind, DRV_ERR_DESTINATION_DISK_EXISTS);
    assert_string_equal(drv_error_kind_name(err.kind),
                        "DestinationDiskExists");

    /* rollback at the destination: domain (none), disks, folder gone */
    ok(drv_rollback_live_migration_at_destination(e->h[1].d, &e->inst, true,
                                                  &md, &err), &err,
       "rollback");
    assert_false(has_volume(e, 1, UUID "_disk"));
    assert_false(has_file(e, 1, INST_PATH "/" UUID "/disk.info"));

    /* not a block migration: console.log made */
    md.block_migration = false;
    ok(drv_pre_live_migration(e->h[1].d, &e->inst, disk_info, &md, &err),
       &err, "pre_live_migration, live");
    assert_true(has_file(e, 1, INST_PATH "/" UUID "/console.log"));
    /* rollback keeping disks, path not shared: the folder still goes */
    ok(drv_rollback_live_migration_at_destination(e->h[1].d, &e->inst,
                                                  false, &md, &err), &err,
       "rollback keeping disks");
    assert_true(has_volume(e, 1, UUID "_disk"));
    assert_false(has_file(e, 1, INST_PATH "/" UUID "/console.log"));

    /* a shared instance path: no folder made, VIFs plugged */
    md.is_shared_instance_path = true;
    ok(drv_pre_live_migration(e->h[1].d, &e->inst, NULL, &md, &err), &err,
       "pre_live_migration, shared");
    assert_false(has_file(e, 1, INST_PATH "/" UUID "/disk.info"));
    assert_int_equal(e->h[1].plugged, 3);

    /* incomplete migrate data, bad disk info */
    assert_int_equal(drv_pre_live_migration(e->h[1].d, &e->inst, NULL, &bad,
                                            &err), -1);
    assert_int_equal(err.kind, DRV_ERR_INVALID_MIGRATE_DATA);
    assert_int_equal(drv_pre_live_migration(e->h[1].d, &e->inst, "{", &md,
                                            &err), -1);
    assert_int_equal(err.kind, DRV_ERR_INVALID_MIGRATE_DATA);
    g_free(disk_info);
    drv_migrate_data_clear(&md);
    env_free(e);
}

static void
test_pre_live_migration_volumes(void **state)
{
    env *e = env_new();
    drv_bdm vol = {.volume_id = "vol-1", .mount_device = "/dev/vdb",
                   .device_path = POOL_PATH "/vol-1", .driver_type = "local"};
    drv_migrate_data md = {.has_is_shared_instance_path = true,
                           .is_shared_instance_path = true,
                           .has_is_shared_block_storage = true,
                           .has_block_migration = true};
    drv_error err;

    (void)state;
    e->inst.volumes = &vol;
    e->inst.n_volumes = 1;
    ok(drv_pre_live_migration(e->h[1].d, &e->inst, NULL, &md, &err), &err,
       "pre_live_migration");
    assert_int_equal(md.n_bdms, 1);
    assert_string_equal(md.bdms[0].serial, "vol-1");
    assert_string_equal(md.bdms[0].bus, "virtio");
    assert_string_equal(md.bdms[0].dev, "vdb");
    assert_string_equal(md.bdms[0].type, "disk");
    assert_null(md.bdms[0].format);
    assert_int_equal(md.bdms[0].boot_index, -1);
    assert_string_equal(md.bdms[0].device_path, POOL_PATH "/vol-1");
    /* again: the list is made anew */
    ok(drv_pre_live_migration(e->h[1].d, &e->inst, NULL, &md, &err), &err,
       "pre_live_migration again");
    assert_int_equal(md.n_bdms, 1);
    drv_migrate_data_clear(&md);
    env_free(e);
}

/* ---- post_live_migration*, post_claim, cleanup ---- */

static void
test_post_and_cleanup(void **state)
{
    env *e = env_new();
    drv_migrate_data md = {0};
    hv_domain *dom;
    drv_error err;
    hv_error hv;
    char *xml;

    (void)state;
    /* at the destination the migrated domain is transient until
     * post_live_migration_at_destination defines it */
    assert_int_equal(drv_post_live_migration_at_destination(
                         e->h[1].d, &e->inst, false, &err), -1);
    assert_int_equal(err.kind, DRV_ERR_INSTANCE_NOT_FOUND);
    spawn_on(e, 0);
    dom = hv_domain_lookup_by_uuid(e->h[0].conn, UUID, &hv);
    assert_non_null(xml = hv_domain_get_xml(dom, 0, &hv));
    hv_domain_free(dom);
    /* the disks at the destination, as pre_live_migration makes them */
    md.has_is_shared_instance_path = md.has_is_shared_block_storage = true;
    md.has_block_migration = true;
    ok(drv_pre_live_migration(e->h[1].d, &e->inst, NULL, &md, &err), &err,
       "pre_live_migration");
    assert_non_null(dom = hv_domain_create_xml(e->h[1].conn, xml, 0, &hv));
    assert_int_equal(hv_domain_is_persistent(dom, &hv), 0);
    ok(drv_post_live_migration_at_destination(e->h[1].d, &e->inst, false,
                                              &err), &err, "post at dest");
    assert_int_equal(hv_domain_is_persistent(dom, &hv), 1);
    hv_domain_free(dom);
    g_free(xml);

    ok(drv_post_live_migration(e->h[0].d, &e->inst, &md, &err), &err,
       "post_live_migration");
    ok(drv_post_live_migration_at_source(e->h[0].d, &e->inst, &err), &err,
       "post at source");
    ok(drv_post_claim_migrate_data(e->h[1].d, &e->inst, &md, &err), &err,
       "post_claim");

    /* the source's cleanup after a migration: the domain off already
     * (destroyed here), volumes kept without destroy_disks */
    dom = hv_domain_lookup_by_uuid(e->h[0].conn, UUID, &hv);
    assert_int_equal(hv_domain_destroy(dom, 0, &hv), 0);
    hv_domain_free(dom);
    md.has_is_shared_block_storage = true;
    md.is_shared_block_storage = true;
    ok(drv_cleanup(e->h[0].d, &e->inst, false, &md, true, &err), &err,
       "cleanup");
    assert_true(has_volume(e, 0, UUID "_disk"));
    /* shared block storage: the instance's files went */
    assert_false(has_file(e, 0, INST_PATH "/" UUID "/console.log"));
    assert_int_equal(drv_instance_exists(e->h[0].d, &e->inst, &err), 0);
    /* and with destroy_disks the volumes go too */
    ok(drv_cleanup(e->h[0].d, &e->inst, true, NULL, false, &err), &err,
       "cleanup with disks");
    assert_false(has_volume(e, 0, UUID "_disk"));
    drv_migrate_data_clear(&md);
    env_free(e);
}

/* The folder's failure in the rollback is returned; a failed define at
 * the destination is the hv error. */
static void
test_rollback_and_define_errors(void **state)
{
    env *e = env_new();
    drv_migrate_data md = {.has_is_shared_instance_path = true,
                           .has_is_shared_block_storage = true,
                           .has_block_migration = true,
                           .block_migration = true};
    fault_rule del = {.op = HV_OP_INSTANCE_DIR_DELETE,
                      .code = HV_ERR_SYSTEM_ERROR, .sys_errno = 16,
                      .count = 1};
    fault_rule def = {.op = HV_OP_DOMAIN_DEFINE,
                      .code = HV_ERR_INTERNAL_ERROR, .count = 1};
    drv_error err;

    (void)state;
    ok(drv_pre_live_migration(e->h[1].d, &e->inst, NULL, &md, &err), &err,
       "pre_live_migration");
    /* destroy_disks false: the folder is left to the rollback's own
     * removal (with destroy_disks, delete_instance_files takes it) */
    fault_set_add(e->h[1].faults, &del);
    assert_int_equal(drv_rollback_live_migration_at_destination(
                         e->h[1].d, &e->inst, false, &md, &err), -1);
    assert_int_equal(err.kind, DRV_ERR_HYPERVISOR);
    assert_int_equal(err.hv.sys_errno, 16);
    assert_non_null(strstr(err.message, "removing the instance folder"));
    /* a shared path (or no migrate data) keeps the folder */
    md.is_shared_instance_path = true;
    ok(drv_rollback_live_migration_at_destination(e->h[1].d, &e->inst,
                                                  false, &md, &err), &err,
       "rollback, shared");
    ok(drv_rollback_live_migration_at_destination(e->h[1].d, &e->inst,
                                                  false, NULL, &err), &err,
       "rollback, no migrate data");
    assert_int_equal(fault_set_fired(e->h[1].faults, 0), 1);
    ok(drv_cleanup(e->h[1].d, &e->inst, true, NULL, true, &err), &err,
       "cleanup");
    assert_false(has_volume(e, 1, UUID "_disk"));

    spawn_on(e, 1);
    fault_set_add(e->h[1].faults, &def);
    assert_int_equal(drv_post_live_migration_at_destination(
                         e->h[1].d, &e->inst, true, &err), -1);
    assert_int_equal(err.kind, DRV_ERR_HYPERVISOR);
    assert_int_equal(err.hv.code, HV_ERR_INTERNAL_ERROR);
    drv_migrate_data_clear(&md);
    env_free(e);
}

/* ---- qemu:///system ---- */

#define REAL_INSTANCES "/var/cache/hvd/instances"

static struct {
    drv *d;
    const drv_instance *inst;
} real_made;

static int
real_teardown(void **state)
{
    drv_error err;

    (void)state;
    if (real_made.d && real_made.inst)
        drv_destroy(real_made.d, real_made.inst, true, &err);
    memset(&real_made, 0, sizeof(real_made));
    return 0;
}

static void
test_real_checks(void **state)
{
    const char *realv = getenv("HVD_REAL");
    drv_kv props[3];
    drv_config cfg, kvm_cfg;
    drv_instance inst;
    drv_resources res;
    drv_migrate_data md;
    hv_conn *conn;
    hv_domain *dom;
    hv_error hv;
    drv_error err;
    drv *d, *dk;
    char uuid[HV_UUID_STRLEN], name[64], *text, *file, *path;
    uint64_t x;

    (void)state;
    if (!realv || strcmp(realv, "1") != 0 || !getenv("HVD_GUEST_KERNEL")) {
        print_message("# skipped: runs with HVD_REAL=1 and the tiny guest\n");
        skip();
    }
    assert_non_null(conn = hv_libvirt_open("qemu:///system", &hv));
    x = hv_random(conn);
    /* "3c4e" ... "mcheck" would not be hex: the tag is in the name */
    g_snprintf(uuid, sizeof(uuid), "3c4e%04x-0000-4000-8000-%012llx",
               (unsigned int)(x >> 48) & 0xffff,
               (unsigned long long)(x & UINT64_C(0xffffffffffff)));
    g_snprintf(name, sizeof(name), "hvd-mcheck-%d", (int)getpid() % 100000);
    drv_config_defaults(&cfg);
    g_free(cfg.virt_type);
    cfg.virt_type = g_strdup(getenv("HVD_VIRT_TYPE") ? getenv("HVD_VIRT_TYPE")
                                                     : "qemu");
    g_free(cfg.instances_path);
    cfg.instances_path = g_strdup(REAL_INSTANCES);
    props[0] = (drv_kv){"kernel_path", getenv("HVD_GUEST_KERNEL")};
    props[1] = (drv_kv){"initrd_path", getenv("HVD_GUEST_INITRD")};
    props[2] = (drv_kv){"os_command_line", "console=ttyS0 panic=-1 quiet"};
    inst = (drv_instance){
        .uuid = uuid,
        .name = name,
        .flavor = {.name = "tiny", .vcpus = 1, .memory_mb = 96},
        .image = {.id = "tiny-guest", .format = "raw", .properties = props,
                  .n_properties = 3},
    };
    assert_non_null(d = drv_new(&cfg, conn, &err));
    real_made.d = d;
    real_made.inst = &inst;
    ok(drv_init_host(d, NULL, &err), &err, "init_host");
    ok(drv_spawn(d, &inst, true, &err), &err, "spawn");

    /* a kernel-booted guest without disks: the reference's "[]" */
    ok(drv_get_instance_disk_info(d, &inst, &text, &err), &err, "disk info");
    print_message("# real disk info: %s\n", text);
    assert_string_equal(text, "[]");
    g_free(text);

    /* the host against itself: the CPU check with virt_type kvm passes */
    ok(drv_get_available_resource(d, &res, &err), &err, "resources");
    drv_config_defaults(&kvm_cfg);
    g_free(kvm_cfg.virt_type);
    kvm_cfg.virt_type = g_strdup("kvm");
    g_free(kvm_cfg.instances_path);
    kvm_cfg.instances_path = g_strdup(REAL_INSTANCES);
    assert_non_null(dk = drv_new(&kvm_cfg, conn, &err));
    ok(drv_check_can_live_migrate_destination(dk, &inst, &res, &res, -1, 0,
                                              &md, &err), &err,
       "destination check, kvm");
    /* the test file is a real file in instances_path */
    path = g_build_filename(REAL_INSTANCES, md.filename, NULL);
    assert_true(g_file_test(path, G_FILE_TEST_IS_REGULAR));
    /* one host is its own shared storage; booted without a disk */
    md.has_is_volume_backed = md.is_volume_backed = true;
    ok(drv_check_can_live_migrate_source(d, &inst, &md, &err), &err,
       "source check");
    assert_true(md.is_shared_instance_path);
    assert_true(md.is_shared_block_storage);
    assert_true(md.has_block_migration && !md.block_migration);
    ok(drv_cleanup_live_migration_destination_check(d, &md, &err), &err,
       "cleanup destination check");
    assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
    g_free(path);
    drv_migrate_data_clear(&md);
    drv_resources_clear(&res);
    drv_free(dk);
    drv_config_clear(&kvm_cfg);

    /* the instance's own test file */
    ok(drv_check_instance_shared_storage_local(d, &inst, &file, &err), &err,
       "shared storage local");
    assert_non_null(file);
    assert_true(g_file_test(file, G_FILE_TEST_IS_REGULAR));
    assert_int_equal(drv_check_instance_shared_storage_remote(d, file, &err),
                     1);
    ok(drv_check_instance_shared_storage_cleanup(d, file, &err), &err,
       "shared storage cleanup");
    assert_false(g_file_test(file, G_FILE_TEST_EXISTS));
    assert_int_equal(drv_check_instance_shared_storage_remote(d, file, &err),
                     0);
    g_free(file);

    /* the live XML defined again: still persistent, still running */
    ok(drv_post_live_migration_at_destination(d, &inst, false, &err), &err,
       "post at destination");
    assert_non_null(dom = hv_domain_lookup_by_uuid(conn, uuid, &hv));
    assert_int_equal(hv_domain_is_persistent(dom, &hv), 1);
    hv_domain_free(dom);

    real_teardown(NULL);
    drv_free(d);
    drv_config_clear(&cfg);
    hv_conn_close(conn);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_migrate_data_json),
        cmocka_unit_test(test_destination_check),
        cmocka_unit_test(test_destination_cpu),
        cmocka_unit_test(test_disk_info),
        cmocka_unit_test(test_source_check),
        cmocka_unit_test(test_source_check_volumes),
        cmocka_unit_test(test_instance_shared_storage),
        cmocka_unit_test(test_pre_live_migration),
        cmocka_unit_test(test_pre_live_migration_volumes),
        cmocka_unit_test(test_post_and_cleanup),
        cmocka_unit_test(test_rollback_and_define_errors),
        cmocka_unit_test_teardown(test_real_checks, real_teardown),
    };

    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests_name("migrate-checks", tests, NULL, NULL);
}
