/*
 * test-imagecache.c: the image cache manager (drv-imagecache.c) on the
 * fake — which base images are in use (by image id, kernel and ramdisk
 * ids, a root disk's backing file, a flavor's swap), originals and
 * resized copies aged to the virtual second, touching what is kept,
 * remove_unused_base_images off, the hv errors a pass returns and the
 * delete it only reports — cache_image's NotImplementedError, and the two
 * hv operations under it (a volume's mtime and touch) on the fake and, with
 * HVD_REAL=1, on qemu:///system.
 */
#include <glib.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "drv.h"
#include "fake.h"
#include "fault.h"
#include "hv-libvirt.h"
#include "hv.h"

#define SEC HV_NS_PER_SEC
#define DAY (24 * 3600)

/* The SHA-1 of the image ids (hashlib.sha1(id).hexdigest()). */
#define FP_A "be8b5c5405159aa625444a97f723c396b3c604b2" /* img-a */
#define FP_B "31ecd80770592d62bba6ede050e6ac24c69e0f7c" /* img-b */
#define FP_C "a1ba86e6a7468a4f5249d84a292fc30ecf6523f6" /* img-c */
#define FP_K "d0941e68da8f38151ff86a61fc59f7c5cf9fcaa2" /* other */

#define UUID_A "1c000000-0000-4000-8000-0000000000a1"
#define UUID_C "1c000000-0000-4000-8000-0000000000c1"

typedef struct env {
    sim_world *w;
    hv_conn *conn;
    drv_config cfg;
    drv *d;
    fault_set *faults;
    drv_kv props[1];
    drv_instance a, c;
} env;

static void
mkvol(env *e, const char *name, const char *backing)
{
    g_autofree char *path =
        backing ? g_strdup_printf("/var/lib/hvd/images/%s", backing) : NULL;
    hv_vol_spec s = {.name = name, .capacity = 1 << 20, .format = "qcow2",
                     .backing_path = path, .backing_format = "qcow2"};
    hv_error hv;

    if (hv_vol_create(e->conn, "hvd", &s, &hv) < 0)
        fail_msg("create %s: %s", name, hv.message);
}

static bool
exists(env *e, const char *name)
{
    hv_vol_info vi;
    hv_error hv;

    return hv_vol_get_info(e->conn, "hvd", name, &vi, &hv) == 0;
}

static int64_t
mtime_s(env *e, const char *name)
{
    int64_t ns;
    hv_error hv;

    assert_int_equal(hv_vol_get_mtime(e->conn, "hvd", name, &ns, &hv), 0);
    return ns / SEC - FAKE_WALL_EPOCH_S;
}

/* Let s seconds of virtual time pass. */
static void
pass_time(env *e, int64_t s)
{
    hv_error hv;

    assert_int_equal(hv_sleep(e->conn, s * SEC, &hv), 0);
}

/*
 * The pool: A (img-a's original), A_10 (resized), A_sm; B (img-b,
 * unused) and B_20 (resized, unused), B_5 (too short a name to count, as
 * the reference); C (img-c's original, unused by id but backing instance
 * c's root disk); swap_64 (c's flavor swap) and swap_128 (unused); and
 * volumes that are not the cache's: an image under its own name, the
 * instances' disks, a 40-character name that is not hex.
 */
static int
env_setup(void **state)
{
    fake_host_spec spec = {.name = "h1", .vcpus = 8, .memory_mib = 16384,
                           .disk_gib = 100, .storage_pool = "hvd"};
    env *e = g_new0(env, 1);
    drv_error err;
    hv_error hv;

    e->w = fake_world_new(9);
    assert_non_null(fake_host_add(e->w, &spec, &hv));
    e->conn = fake_conn_open(e->w, "h1", &hv);
    assert_non_null(e->conn);
    drv_config_defaults(&e->cfg);
    g_free(e->cfg.virt_type);
    e->cfg.virt_type = g_strdup("qemu");
    e->d = drv_new(&e->cfg, e->conn, &err);
    assert_non_null(e->d);
    e->faults = fault_set_new();
    fault_set_attach(e->faults, e->conn);
    for (const char *const *n = (const char *const[]){
             FP_A, FP_A "_10", FP_A "_sm", FP_B, FP_B "_20", FP_B "_5", FP_C,
             "swap_64", "swap_128", "cirros.qcow2",
             "ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ", NULL};
         *n; n++)
        mkvol(e, *n, NULL);
    mkvol(e, UUID_A "_disk", FP_A);
    mkvol(e, UUID_C "_disk", FP_C);
    e->props[0] = (drv_kv){(char *)"kernel_id", (char *)"other"};
    e->a = (drv_instance){
        .uuid = UUID_A, .name = "a",
        .flavor = {.name = "f", .vcpus = 1, .memory_mb = 64, .root_gb = 1},
        .image = {.id = "img-a", .volume = FP_A, .format = "qcow2"}};
    e->c = (drv_instance){
        .uuid = UUID_C, .name = "c",
        .flavor = {.name = "f", .vcpus = 1, .memory_mb = 64, .root_gb = 1,
                   .swap_mb = 64},
        .image = {.id = "cirros", .volume = FP_C, .format = "qcow2"}};
    *state = e;
    return 0;
}

static int
env_teardown(void **state)
{
    env *e = *state;

    drv_free(e->d);
    fault_set_detach(e->faults, e->conn);
    fault_set_free(e->faults);
    hv_conn_close(e->conn);
    fake_world_free(e->w);
    drv_config_clear(&e->cfg);
    g_free(e);
    return 0;
}

static void
renew(env *e)
{
    drv_error err;

    drv_free(e->d);
    e->d = drv_new(&e->cfg, e->conn, &err);
    assert_non_null(e->d);
}

/* The report's list as "x y z" (names shortened: a fingerprint to its
 * letter), for short assertions. The lists are sorted by the full names:
 * B (31ec...) < C (a1ba...) < A (be8b...) < K (d094...) < swap_. */
static char *
brief(char **list)
{
    GString *s = g_string_new("");

    for (unsigned int i = 0; list && list[i]; i++) {
        const char *n = list[i];
        const char *tag = g_str_has_prefix(n, FP_A)   ? "A"
                          : g_str_has_prefix(n, FP_B) ? "B"
                          : g_str_has_prefix(n, FP_C) ? "C"
                          : g_str_has_prefix(n, FP_K) ? "K"
                                                      : NULL;

        g_string_append_printf(s, "%s%s%s", i ? " " : "", tag ? tag : n,
                               tag ? n + 40 : "");
    }
    return g_string_free(s, FALSE);
}

static void
expect_list(char **list, const char *want, const char *what)
{
    g_autofree char *got = brief(list);

    if (strcmp(got, want) != 0)
        fail_msg("%s: got \"%s\", want \"%s\"", what, got, want);
}

static void
run_pass(env *e, const drv_instance *const *insts, unsigned int n,
         drv_image_cache_report *r)
{
    drv_error err;

    drv_image_cache_report_clear(r);
    if (drv_manage_image_cache(e->d, insts, n, r, &err) < 0)
        fail_msg("manage_image_cache: %s", err.message);
}

static void
test_cache_name(void **state)
{
    g_autofree char *a = drv_image_cache_name("img-a");

    (void)state;
    assert_string_equal(a, FP_A);
}

/* Aging across virtual days, to the second. */
static void
test_aging(void **state)
{
    env *e = *state;
    const drv_instance *both[] = {&e->a, &e->c};
    drv_image_cache_report r = {0};

    pass_time(e, 100);
    run_pass(e, both, 2, &r);
    assert_false(r.skipped);
    /* in use: img-a's original, _sm and resized copy by id; C as c's
     * backing file; c's swap */
    expect_list(r.active, "C A A_10 A_sm swap_64", "active");
    expect_list(r.unknown, "B B_20", "unknown");
    expect_list(r.kept, "B B_20 swap_128", "kept");
    expect_list(r.removed, "", "removed");
    expect_list(r.failed, "", "failed");
    /* those named by an image's fingerprint are touched; a backing file
     * found only through a disk and the untouched ones are not */
    assert_int_equal(mtime_s(e, FP_A), 100);
    assert_int_equal(mtime_s(e, FP_A "_10"), 100);
    assert_int_equal(mtime_s(e, "swap_64"), 100);
    assert_int_equal(mtime_s(e, FP_C), 0);
    assert_int_equal(mtime_s(e, FP_B), 0);

    /* the resized copy: one second short of an hour, then an hour */
    pass_time(e, 3499);
    run_pass(e, both, 2, &r);
    expect_list(r.removed, "", "removed at 3599 s");
    pass_time(e, 1);
    run_pass(e, both, 2, &r);
    expect_list(r.removed, "B_20", "removed at 3600 s");
    assert_false(exists(e, FP_B "_20"));
    expect_list(r.kept, "B swap_128", "kept at 3600 s");

    /* the original and the unused swap base: a day */
    pass_time(e, DAY - 3600 - 1);
    run_pass(e, both, 2, &r);
    expect_list(r.removed, "", "removed at 86399 s");
    assert_true(exists(e, FP_B));
    pass_time(e, 1);
    run_pass(e, both, 2, &r);
    expect_list(r.removed, "B swap_128", "removed at a day");
    assert_false(exists(e, FP_B));
    assert_false(exists(e, "swap_128"));

    /* what is not the cache's is never looked at */
    assert_true(exists(e, FP_B "_5"));
    assert_true(exists(e, "cirros.qcow2"));
    assert_true(exists(e, "ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ"));
    assert_true(exists(e, UUID_A "_disk"));
    drv_image_cache_report_clear(&r);
}

/*
 * Instance a goes: its images age from their last touch; the kernel id of
 * an image keeps that image's base; a's root disk is gone, so C is kept
 * only while c is given.
 */
static void
test_unused_after_delete(void **state)
{
    env *e = *state;
    const drv_instance *both[] = {&e->a, &e->c};
    const drv_instance *only_c[] = {&e->c};
    drv_image_cache_report r = {0};
    hv_error hv;

    mkvol(e, FP_K, NULL);
    e->c.image.properties = e->props; /* kernel_id "other" */
    e->c.image.n_properties = 1;
    pass_time(e, 50);
    run_pass(e, both, 2, &r);
    expect_list(r.active, "C A A_10 A_sm K swap_64", "active");
    assert_int_equal(hv_vol_delete(e->conn, "hvd", UUID_A "_disk", &hv), 0);

    pass_time(e, 3600 - 1);
    run_pass(e, only_c, 1, &r);
    /* B_20, made at 0, is past its hour; a's copies, touched at 50, not */
    expect_list(r.kept, "B A A_10 A_sm swap_128", "kept");
    expect_list(r.removed, "B_20", "removed");
    pass_time(e, 1);
    run_pass(e, only_c, 1, &r);
    /* a's resized copies an hour after their last touch */
    expect_list(r.removed, "A_10 A_sm", "removed at an hour");
    pass_time(e, DAY - 3600);
    run_pass(e, only_c, 1, &r);
    /* 50 + a day: B and swap_128 (made at 0) and A (touched at 50) */
    expect_list(r.removed, "B A swap_128", "removed at a day");
    expect_list(r.active, "C K swap_64", "active");
    /* no instance at all: C and K are unknown now, and young */
    run_pass(e, NULL, 0, &r);
    expect_list(r.unknown, "C K", "unknown");
    drv_image_cache_report_clear(&r);
}

/* remove_unused_base_images off: removable base images stay, whatever
 * their age. */
static void
test_remove_disabled(void **state)
{
    env *e = *state;
    drv_image_cache_report r = {0};

    e->cfg.remove_unused_base_images = false;
    renew(e);
    pass_time(e, 10 * DAY);
    run_pass(e, NULL, 0, &r);
    expect_list(r.unknown, "B B_20 C A A_10 A_sm", "unknown");
    expect_list(r.removed, "", "removed");
    expect_list(r.kept, "", "kept");
    assert_true(exists(e, FP_B));
    assert_true(exists(e, "swap_128"));
    drv_image_cache_report_clear(&r);
}

/* Ages of 0: everything unused goes at once. */
static void
test_zero_ages(void **state)
{
    env *e = *state;
    const drv_instance *only_a[] = {&e->a};
    drv_image_cache_report r = {0};

    e->cfg.remove_unused_original_minimum_age_seconds = 0;
    e->cfg.remove_unused_resized_minimum_age_seconds = 0;
    renew(e);
    run_pass(e, only_a, 1, &r);
    expect_list(r.removed, "B B_20 C swap_128 swap_64", "removed");
    expect_list(r.active, "A A_10 A_sm", "active");
    drv_image_cache_report_clear(&r);
}

/* The hv errors a pass returns, the delete it only reports, and no
 * pool: nothing to verify. */
static void
test_errors(void **state)
{
    env *e = *state;
    const drv_instance *both[] = {&e->a, &e->c};
    drv_image_cache_report r = {0};
    drv_error err;
    fault_rule rule = {.code = HV_ERR_INTERNAL_ERROR, .count = 1};
    static const int ops[] = {HV_OP_VOL_LIST, HV_OP_VOL_TOUCH,
                              HV_OP_VOL_GET_INFO, HV_OP_VOL_GET_MTIME};

    for (size_t i = 0; i < G_N_ELEMENTS(ops); i++) {
        rule.op = ops[i];
        fault_set_add(e->faults, &rule);
        assert_int_equal(drv_manage_image_cache(e->d, both, 2, &r, &err), -1);
        assert_int_equal(err.kind, DRV_ERR_HYPERVISOR);
        assert_int_equal(err.hv.code, HV_ERR_INTERNAL_ERROR);
        assert_null(r.active);
    }
    /* a failed delete: reported, the pass goes on */
    e->cfg.remove_unused_original_minimum_age_seconds = 0;
    e->cfg.remove_unused_resized_minimum_age_seconds = 0;
    renew(e);
    fault_set_detach(e->faults, e->conn);
    fault_set_free(e->faults);
    e->faults = fault_set_new();
    fault_set_attach(e->faults, e->conn);
    rule = (fault_rule){.op = HV_OP_VOL_DELETE, .target = "hvd/" FP_B,
                        .code = HV_ERR_OPERATION_FAILED};
    fault_set_add(e->faults, &rule);
    run_pass(e, both, 2, &r);
    expect_list(r.failed, "B", "failed");
    expect_list(r.removed, "B_20 swap_128", "removed");
    assert_true(exists(e, FP_B));

    /* a pool that is not there */
    g_free(e->cfg.storage_pool);
    e->cfg.storage_pool = g_strdup("nopool");
    renew(e);
    run_pass(e, both, 2, &r);
    assert_true(r.skipped);
    assert_null(r.active);
    {
        g_autofree char *json = drv_image_cache_report_to_json(&r);

        assert_string_equal(json, "{\"skipped\": true, \"active\": [], "
                                  "\"removed\": [], \"kept\": [], "
                                  "\"unknown\": [], \"failed\": []}");
    }
    /* an instance without a uuid */
    {
        drv_instance bad = {0};
        const drv_instance *one[] = {&bad};

        assert_int_equal(drv_manage_image_cache(e->d, one, 1, NULL, &err),
                         -1);
        assert_int_equal(err.kind, DRV_ERR_INVALID_INSTANCE);
    }
    drv_image_cache_report_clear(&r);
}

/* The report as JSON: names escaped. */
static void
test_report_json(void **state)
{
    char *active[] = {(char *)"a\"b\\c", (char *)"tab\there", NULL};
    drv_image_cache_report r = {.active = active};
    g_autofree char *json = drv_image_cache_report_to_json(&r);

    (void)state;
    assert_string_equal(json, "{\"skipped\": false, \"active\": "
                              "[\"a\\\"b\\\\c\", \"tab\\u0009here\"], "
                              "\"removed\": [], \"kept\": [], "
                              "\"unknown\": [], \"failed\": []}");
}

static void
test_cache_image(void **state)
{
    env *e = *state;
    drv_error err;
    bool fetched = true;

    assert_int_equal(drv_cache_image(e->d, "img-a", &fetched, &err), -1);
    assert_int_equal(err.kind, DRV_ERR_NOT_SUPPORTED);
    assert_string_equal(drv_error_kind_name(err.kind), "NotImplementedError");
    assert_false(fetched);
}

/* The options: defaults, loading, a negative age refused. */
static void
test_config(void **state)
{
    drv_config cfg;
    drv_error err;

    (void)state;
    drv_config_defaults(&cfg);
    assert_true(cfg.remove_unused_base_images);
    assert_int_equal(cfg.remove_unused_original_minimum_age_seconds, 86400);
    assert_int_equal(cfg.remove_unused_resized_minimum_age_seconds, 3600);
    assert_int_equal(
        drv_config_load_json("{\"remove_unused_base_images\": false, "
                             "\"remove_unused_original_minimum_age_seconds\":"
                             " 10, \"remove_unused_resized_minimum_age_"
                             "seconds\": 5}",
                             "t", &cfg, &err),
        0);
    assert_false(cfg.remove_unused_base_images);
    assert_int_equal(cfg.remove_unused_original_minimum_age_seconds, 10);
    assert_int_equal(cfg.remove_unused_resized_minimum_age_seconds, 5);
    assert_int_equal(
        drv_config_load_json("{\"remove_unused_resized_minimum_age_seconds\":"
                             " -1}",
                             "t", &cfg, &err),
        -1);
    assert_non_null(strstr(err.message,
                           "remove_unused_resized_minimum_age_seconds"));
    drv_config_clear(&cfg);
}

/* ---- the hv operations ---- */

/* What every backend does: mtime now at creation, touch bumps it, a
 * missing volume is NO_STORAGE_VOL for both. slack_s: how far a real
 * clock may move meanwhile. */
static void
check_mtime_ops(hv_conn *conn, const char *pool, const char *name,
                int64_t slack_s)
{
    hv_vol_spec s = {.name = name, .capacity = 1 << 20, .format = "qcow2"};
    int64_t before = hv_wall_now(conn), m1, m2;
    hv_error hv;

    assert_int_equal(hv_vol_create(conn, pool, &s, &hv), 0);
    assert_int_equal(hv_vol_get_mtime(conn, pool, name, &m1, &hv), 0);
    assert_true(m1 / SEC >= before / SEC - 1);
    assert_true(m1 / SEC <= hv_wall_now(conn) / SEC + 1);
    assert_int_equal(hv_sleep(conn, 2 * SEC, &hv), 0);
    assert_int_equal(hv_vol_touch(conn, pool, name, &hv), 0);
    assert_int_equal(hv_vol_get_mtime(conn, pool, name, &m2, &hv), 0);
    assert_true(m2 - m1 >= 2 * SEC - SEC / 10);
    assert_true(m2 - m1 <= (2 + slack_s) * SEC);
    assert_int_equal(hv_vol_delete(conn, pool, name, &hv), 0);
    assert_int_equal(hv_vol_get_mtime(conn, pool, name, &m1, &hv), -1);
    assert_int_equal(hv.code, HV_ERR_NO_STORAGE_VOL);
    assert_int_equal(hv_vol_touch(conn, pool, name, &hv), -1);
    assert_int_equal(hv.code, HV_ERR_NO_STORAGE_VOL);
}

static void
test_mtime_fake(void **state)
{
    env *e = *state;
    int64_t m;
    hv_error hv;

    check_mtime_ops(e->conn, "hvd", "mtime-test", 0);
    /* exactly the world's clock; a resize changes the volume */
    pass_time(e, 7);
    assert_int_equal(hv_vol_resize(e->conn, "hvd", FP_B, 2 << 20, &hv), 0);
    assert_int_equal(hv_vol_get_mtime(e->conn, "hvd", FP_B, &m, &hv), 0);
    assert_int_equal(m, (FAKE_WALL_EPOCH_S + 9) * SEC);
}

/* On qemu:///system (HVD_REAL=1): the pool "hvd", a volume tagged
 * "names". */
static void
test_mtime_real(void **state)
{
    hv_conn *conn;
    hv_error hv;
    char name[64];

    (void)state;
    if (!getenv("HVD_REAL")) {
        print_message("# skipped: needs HVD_REAL=1 (make check-real)\n");
        skip();
    }
    conn = hv_libvirt_open("qemu:///system", &hv);
    if (!conn)
        fail_msg("qemu:///system: %s", hv.message);
    g_snprintf(name, sizeof(name), "hvd-names-mtime-%016llx",
               (unsigned long long)hv_random(conn));
    check_mtime_ops(conn, "hvd", name, 3);
    hv_conn_close(conn);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cache_name),
        cmocka_unit_test_setup_teardown(test_aging, env_setup, env_teardown),
        cmocka_unit_test_setup_teardown(test_unused_after_delete, env_setup,
                                        env_teardown),
        cmocka_unit_test_setup_teardown(test_remove_disabled, env_setup,
                                        env_teardown),
        cmocka_unit_test_setup_teardown(test_zero_ages, env_setup,
                                        env_teardown),
        cmocka_unit_test_setup_teardown(test_errors, env_setup, env_teardown),
        cmocka_unit_test(test_report_json),
        cmocka_unit_test_setup_teardown(test_cache_image, env_setup,
                                        env_teardown),
        cmocka_unit_test(test_config),
        cmocka_unit_test_setup_teardown(test_mtime_fake, env_setup,
                                        env_teardown),
        cmocka_unit_test(test_mtime_real),
    };

    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests_name("imagecache", tests, NULL, NULL);
}
