/*
 * test-devnames.c: guest disk names (drv-devnames.c) as the reference's
 * blockinfo gives them — default_root_device_name,
 * default_device_names_for_instance and get_device_name_for_instance per
 * bus, with given names never generated again — and the domain a spawn
 * defines named from the same mapping (a volume given the name the
 * ephemeral disk would take, the swap stepping around a given name, the
 * config drive on the last IDE name, a root device name without a known
 * prefix refused before anything is created).
 */
#include <glib.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "drv.h"
#include "fake.h"
#include "hv.h"

#define UUID "de000000-0000-4000-8000-00000000de01"

typedef struct env {
    sim_world *w;
    hv_conn *conn;
    drv_config cfg;
    drv *d;
    drv_kv props[4];
    drv_instance inst;
} env;

static int
env_setup(void **state)
{
    fake_host_spec spec = {.name = "h1", .vcpus = 8, .memory_mib = 16384,
                           .disk_gib = 100, .storage_pool = "hvd"};
    hv_vol_spec base = {.name = "base.qcow2", .capacity = UINT64_C(1) << 30,
                        .format = "qcow2"};
    env *e = g_new0(env, 1);
    drv_error err;
    hv_error hv;

    e->w = fake_world_new(3);
    assert_non_null(fake_host_add(e->w, &spec, &hv));
    e->conn = fake_conn_open(e->w, "h1", &hv);
    assert_non_null(e->conn);
    assert_int_equal(hv_vol_create(e->conn, "hvd", &base, &hv), 0);
    drv_config_defaults(&e->cfg);
    g_free(e->cfg.virt_type);
    e->cfg.virt_type = g_strdup("qemu");
    e->d = drv_new(&e->cfg, e->conn, &err);
    assert_non_null(e->d);
    e->inst = (drv_instance){
        .uuid = UUID,
        .name = "devnames",
        .flavor = {.name = "m1", .vcpus = 1, .memory_mb = 128, .root_gb = 1},
        .image = {.id = "img", .volume = "base.qcow2", .format = "qcow2",
                  .properties = e->props},
    };
    *state = e;
    return 0;
}

static int
env_teardown(void **state)
{
    env *e = *state;

    drv_free(e->d);
    hv_conn_close(e->conn);
    fake_world_free(e->w);
    drv_config_clear(&e->cfg);
    g_free(e);
    return 0;
}

/* A new driver over e's connection with e->cfg. */
static void
renew(env *e)
{
    drv_error err;

    drv_free(e->d);
    e->d = drv_new(&e->cfg, e->conn, &err);
    assert_non_null(e->d);
}

static void
set_prop(env *e, const char *key, const char *value)
{
    unsigned int i;

    for (i = 0; i < e->inst.image.n_properties; i++)
        if (strcmp(e->props[i].key, key) == 0)
            break;
    assert_true(i < G_N_ELEMENTS(e->props));
    e->props[i] = (drv_kv){(char *)key, (char *)value};
    if (i == e->inst.image.n_properties)
        e->inst.image.n_properties++;
}

static void
expect_ok(int rc, const drv_error *err, const char *what)
{
    if (rc < 0)
        fail_msg("%s: %s: %s", what, drv_error_kind_name(err->kind),
                 err->message);
}

static drv_dev_bdm
bdm(drv_dev_bdm_kind kind, const char *name, const char *bus,
    const char *type, int boot_index, uint64_t swap_mb)
{
    return (drv_dev_bdm){.kind = kind,
                         .device_name = g_strdup(name),
                         .disk_bus = g_strdup(bus),
                         .device_type = g_strdup(type),
                         .boot_index = boot_index,
                         .swap_size_mb = swap_mb};
}

/* ---- default_root_device_name ---- */

static const struct root_case {
    const char *what;
    const char *disk_bus, *cdrom_bus, *format, *prefix;
    const char *bdm_name, *bdm_bus; /* a root bdm when bdm_name or bdm_bus */
    const char *want;               /* NULL: the error below */
    const char *error_kind, *error_text;
} root_cases[] = {
    {"image on the default bus", NULL, NULL, NULL, NULL, NULL, NULL,
     "/dev/vda", NULL, NULL},
    {"image on scsi", "scsi", NULL, NULL, NULL, NULL, NULL, "/dev/sda", NULL,
     NULL},
    {"image on sata", "sata", NULL, NULL, NULL, NULL, NULL, "/dev/sda", NULL,
     NULL},
    {"image on ide", "ide", NULL, NULL, NULL, NULL, NULL, "/dev/hda", NULL,
     NULL},
    {"image on xen", "xen", NULL, NULL, NULL, NULL, NULL, "/dev/xvda", NULL,
     NULL},
    {"image on usb", "usb", NULL, NULL, NULL, NULL, NULL, "/dev/sda", NULL,
     NULL},
    {"an ISO image boots from the CD-ROM bus", NULL, NULL, "iso", NULL, NULL,
     NULL, "/dev/hda", NULL, NULL},
    {"an ISO image, CD-ROMs on scsi", NULL, "scsi", "iso", NULL, NULL, NULL,
     "/dev/sda", NULL, NULL},
    {"disk_prefix for every bus", "scsi", NULL, NULL, "xvd", NULL, NULL,
     "/dev/xvda", NULL, NULL},
    {"a volume's own name", NULL, NULL, NULL, NULL, "/dev/sdc", NULL,
     "/dev/sdc", NULL, NULL},
    {"a volume on its own valid bus", NULL, NULL, NULL, NULL, NULL, "ide",
     "/dev/hda", NULL, NULL},
    {"a volume on a bus kvm refuses: the instance's", NULL, NULL, NULL, NULL,
     NULL, "sata", "/dev/vda", NULL, NULL},
    {"an unknown image bus", "nvme", NULL, NULL, NULL, NULL, NULL, NULL,
     "InvalidInstance", "unknown disk bus 'nvme'"},
};

static void
test_root_device_name(void **state)
{
    env *e = *state;

    for (size_t i = 0; i < G_N_ELEMENTS(root_cases); i++) {
        const struct root_case *c = &root_cases[i];
        drv_dev_bdm root = bdm(DRV_DEV_BDM_VOLUME, c->bdm_name, c->bdm_bus,
                               NULL, 0, 0);
        bool has_root = c->bdm_name || c->bdm_bus;
        drv_error err;
        char *name = NULL;
        int rc;

        e->inst.image.n_properties = 0;
        if (c->disk_bus)
            set_prop(e, "hw_disk_bus", c->disk_bus);
        if (c->cdrom_bus)
            set_prop(e, "hw_cdrom_bus", c->cdrom_bus);
        e->inst.image.format = (char *)(c->format ? c->format : "qcow2");
        g_free(e->cfg.disk_prefix);
        e->cfg.disk_prefix = g_strdup(c->prefix);
        renew(e);
        rc = drv_default_root_device_name(e->d, &e->inst,
                                          has_root ? &root : NULL, &name,
                                          &err);
        if (c->want) {
            if (rc < 0)
                fail_msg("%s: %s", c->what, err.message);
            if (strcmp(name, c->want) != 0)
                fail_msg("%s: got %s, want %s", c->what, name, c->want);
        } else {
            assert_int_equal(rc, -1);
            assert_null(name);
            assert_string_equal(drv_error_kind_name(err.kind), c->error_kind);
            if (!strstr(err.message, c->error_text))
                fail_msg("%s: message %s", c->what, err.message);
        }
        g_free(name);
        drv_dev_bdm_clear(&root);
    }
}

/* ---- default_device_names_for_instance ---- */

/* Given names are dropped and all chosen again, in the reference's
 * order: root, ephemerals, swap, volumes. */
static void
test_default_names_virtio(void **state)
{
    env *e = *state;
    drv_dev_bdm b[5];
    drv_error err;

    e->inst.flavor.ephemeral_gb = 1; /* an ephemeral mapping replaces it */
    e->inst.flavor.swap_mb = 64;
    b[0] = bdm(DRV_DEV_BDM_VOLUME, "/dev/vdq", NULL, NULL, -1, 0);
    b[1] = bdm(DRV_DEV_BDM_EPHEMERAL, "/dev/vdz", NULL, NULL, -1, 0);
    b[2] = bdm(DRV_DEV_BDM_SWAP, NULL, NULL, NULL, -1, 64);
    b[3] = bdm(DRV_DEV_BDM_VOLUME, NULL, "scsi", NULL, -1, 0);
    b[4] = bdm(DRV_DEV_BDM_VOLUME, NULL, NULL, "cdrom", -1, 0);
    expect_ok(drv_default_device_names_for_instance(e->d, &e->inst, NULL, b,
                                                    5, &err),
              &err, "default names");
    assert_string_equal(b[1].device_name, "/dev/vdb");
    assert_string_equal(b[2].device_name, "/dev/vdc");
    assert_string_equal(b[0].device_name, "/dev/vdd");
    assert_string_equal(b[0].disk_bus, "virtio");
    assert_string_equal(b[0].device_type, "disk");
    assert_string_equal(b[3].device_name, "/dev/sda");
    assert_string_equal(b[3].disk_bus, "scsi");
    assert_string_equal(b[4].device_name, "/dev/hda");
    assert_string_equal(b[4].disk_bus, "ide");
    assert_string_equal(b[4].device_type, "cdrom");
    for (int i = 0; i < 5; i++)
        drv_dev_bdm_clear(&b[i]);
}

/* The root named by the call; a volume booted from keeps the root name. */
static void
test_default_names_root(void **state)
{
    env *e = *state;
    drv_dev_bdm b[2];
    drv_error err;

    b[0] = bdm(DRV_DEV_BDM_VOLUME, "/dev/vdx", NULL, NULL, 0, 0);
    b[1] = bdm(DRV_DEV_BDM_VOLUME, NULL, NULL, NULL, -1, 0);
    expect_ok(drv_default_device_names_for_instance(e->d, &e->inst,
                                                    "/dev/sda", b, 2, &err),
              &err, "default names");
    assert_string_equal(b[0].device_name, "/dev/sda");
    /* the bdm had no bus: the instance's, whatever the name says */
    assert_string_equal(b[0].disk_bus, "virtio");
    /* the instance's disk bus for the next: virtio */
    assert_string_equal(b[1].device_name, "/dev/vda");
    for (int i = 0; i < 2; i++)
        drv_dev_bdm_clear(&b[i]);
}

/* IDE has four names and the config drive takes the last. */
static void
test_default_names_ide_full(void **state)
{
    env *e = *state;
    drv_dev_bdm b[3];
    drv_error err;

    set_prop(e, "hw_disk_bus", "ide");
    e->inst.config_drive = true;
    b[0] = bdm(DRV_DEV_BDM_VOLUME, NULL, NULL, NULL, -1, 0);
    b[1] = bdm(DRV_DEV_BDM_VOLUME, NULL, NULL, NULL, -1, 0);
    expect_ok(drv_default_device_names_for_instance(e->d, &e->inst, NULL, b,
                                                    2, &err),
              &err, "two volumes");
    assert_string_equal(b[0].device_name, "/dev/hdb");
    assert_string_equal(b[1].device_name, "/dev/hdc");
    for (int i = 0; i < 2; i++)
        drv_dev_bdm_clear(&b[i]);

    /* a third volume takes hdd, and the config drive finds no name */
    for (int i = 0; i < 3; i++)
        b[i] = bdm(DRV_DEV_BDM_VOLUME, NULL, NULL, NULL, -1, 0);
    assert_int_equal(drv_default_device_names_for_instance(e->d, &e->inst,
                                                           NULL, b, 3, &err),
                     -1);
    assert_int_equal(err.kind, DRV_ERR_NOVA);
    assert_string_equal(err.message,
                        "No free disk device names for prefix 'hd'");
    for (int i = 0; i < 3; i++)
        drv_dev_bdm_clear(&b[i]);
}

/* ---- get_device_name_for_instance ---- */

static void
test_next_name(void **state)
{
    env *e = *state;
    drv_dev_bdm have[1], nb;
    drv_error err;
    char *name = NULL;

    /* root vda, ephemeral vdb, the swap steps around the volume's vdc */
    e->inst.root_device_name = "/dev/vda";
    e->inst.flavor.ephemeral_gb = 1;
    e->inst.flavor.swap_mb = 64;
    have[0] = bdm(DRV_DEV_BDM_VOLUME, "/dev/vdc", NULL, NULL, -1, 0);
    nb = bdm(DRV_DEV_BDM_VOLUME, "/dev/vdb", NULL, NULL, -1, 0);
    expect_ok(drv_get_device_name_for_instance(e->d, &e->inst, have, 1, &nb,
                                               &name, &err),
              &err, "next");
    /* vdb suggested, taken: ignored; vdd is the swap's */
    assert_string_equal(name, "/dev/vde");
    g_free(name);
    /* the caller's bdms are left as they were */
    assert_string_equal(have[0].device_name, "/dev/vdc");
    assert_null(have[0].disk_bus);
    drv_dev_bdm_clear(&nb);

    nb = bdm(DRV_DEV_BDM_VOLUME, NULL, "scsi", NULL, -1, 0);
    expect_ok(drv_get_device_name_for_instance(e->d, &e->inst, have, 1, &nb,
                                               &name, &err),
              &err, "scsi");
    assert_string_equal(name, "/dev/sda");
    g_free(name);
    drv_dev_bdm_clear(&nb);

    /* a CD-ROM goes to IDE, after the config drive's hdd is taken */
    e->inst.config_drive = true;
    nb = bdm(DRV_DEV_BDM_VOLUME, NULL, NULL, "cdrom", -1, 0);
    expect_ok(drv_get_device_name_for_instance(e->d, &e->inst, have, 1, &nb,
                                               &name, &err),
              &err, "cdrom");
    assert_string_equal(name, "/dev/hda");
    g_free(name);
    drv_dev_bdm_clear(&nb);

    /* without a new bdm: a disk on the instance's bus */
    expect_ok(drv_get_device_name_for_instance(e->d, &e->inst, have, 1, NULL,
                                               &name, &err),
              &err, "none");
    assert_string_equal(name, "/dev/vde");
    g_free(name);
    drv_dev_bdm_clear(&have[0]);
}

/* Every virtio name taken: NovaException. */
static void
test_next_name_full(void **state)
{
    env *e = *state;
    drv_dev_bdm have[25];
    drv_error err;
    char *name = NULL;

    for (int i = 0; i < 25; i++) {
        g_autofree char *n = g_strdup_printf("/dev/vd%c", 'b' + i);

        have[i] = bdm(DRV_DEV_BDM_VOLUME, n, NULL, NULL, -1, 0);
    }
    assert_int_equal(drv_get_device_name_for_instance(e->d, &e->inst, have,
                                                      25, NULL, &name, &err),
                     -1);
    assert_null(name);
    assert_int_equal(err.kind, DRV_ERR_NOVA);
    assert_string_equal(err.message,
                        "No free disk device names for prefix 'vd'");
    /* one fewer: vdz is the last */
    expect_ok(drv_get_device_name_for_instance(e->d, &e->inst, have, 24, NULL,
                                               &name, &err),
              &err, "24");
    assert_string_equal(name, "/dev/vdz");
    g_free(name);
    for (int i = 0; i < 25; i++)
        drv_dev_bdm_clear(&have[i]);
}

/* A name without a known prefix. */
static void
test_unknown_names(void **state)
{
    env *e = *state;
    drv_dev_bdm b = bdm(DRV_DEV_BDM_VOLUME, "/dev/zdb", NULL, NULL, -1, 0);
    drv_error err;
    char *name = NULL;

    assert_int_equal(drv_get_device_name_for_instance(e->d, &e->inst, &b, 1,
                                                      NULL, &name, &err),
                     -1);
    assert_int_equal(err.kind, DRV_ERR_NOVA);
    assert_string_equal(err.message, "Unable to determine disk bus for 'z'");
    drv_dev_bdm_clear(&b);
    /* a LUN without a bus has no prefix */
    b = bdm(DRV_DEV_BDM_VOLUME, NULL, NULL, "lun", -1, 0);
    assert_int_equal(drv_get_device_name_for_instance(e->d, &e->inst, NULL, 0,
                                                      &b, &name, &err),
                     -1);
    assert_string_equal(err.message, "Unable to determine disk prefix for None");
    drv_dev_bdm_clear(&b);
}

/* ---- the domain a spawn defines ---- */

static char *
spawn_xml(env *e)
{
    hv_error hv;
    drv_error err;
    hv_domain *dom;
    char *xml;

    expect_ok(drv_spawn(e->d, &e->inst, false, &err), &err, "spawn");
    dom = hv_domain_lookup_by_uuid(e->conn, UUID, &hv);
    assert_non_null(dom);
    xml = hv_domain_get_xml(dom, true, &hv);
    assert_non_null(xml);
    hv_domain_free(dom);
    return xml;
}

static bool
has_target(const char *xml, const char *dev, const char *bus)
{
    g_autofree char *a = g_strdup_printf("<target dev=\"%s\" bus=\"%s\"/>",
                                         dev, bus);
    return strstr(xml, a) != NULL;
}

static unsigned int
count(const char *xml, const char *what)
{
    unsigned int n = 0;

    for (const char *p = xml; (p = strstr(p, what)); p++)
        n++;
    return n;
}

static bool
vol_exists(env *e, const char *suffix)
{
    g_autofree char *name = g_strdup_printf("%s_%s", UUID, suffix);
    hv_vol_info vi;
    hv_error hv;

    return hv_vol_get_info(e->conn, "hvd", name, &vi, &hv) == 0;
}

/*
 * A volume given /dev/vdb: before, the ephemeral disk was named vdb too
 * (two disks of one name). As the reference: the volume takes vdb, the
 * flavor's ephemeral disk is neither created nor attached, the swap gets
 * vdc.
 */
static void
test_spawn_volume_takes_ephemeral_name(void **state)
{
    env *e = *state;
    drv_bdm vol = {.volume_id = "vol-1", .mount_device = "/dev/vdb",
                   .device_path = "/var/lib/hvd/images/base.qcow2",
                   .driver_type = "local"};
    char *xml;

    e->inst.root_device_name = "/dev/vda";
    e->inst.flavor.ephemeral_gb = 1;
    e->inst.flavor.swap_mb = 64;
    e->inst.volumes = &vol;
    e->inst.n_volumes = 1;
    xml = spawn_xml(e);
    assert_true(has_target(xml, "vda", "virtio"));
    assert_true(has_target(xml, "vdb", "virtio"));
    assert_true(has_target(xml, "vdc", "virtio"));
    assert_int_equal(count(xml, "dev=\"vdb\""), 1);
    assert_int_equal(count(xml, "<disk "), 3);
    assert_true(strstr(xml, "_disk.swap") != NULL);
    assert_false(vol_exists(e, "disk.eph0"));
    assert_true(vol_exists(e, "disk.swap"));
    g_free(xml);
}

/*
 * A volume given /dev/vdc, which the swap took before: the ephemeral disk
 * keeps vdb, the swap steps to vdd, a config drive sits on hdd; the
 * volume's bus follows its name (sdX: scsi).
 */
static void
test_spawn_swap_steps_around(void **state)
{
    env *e = *state;
    drv_bdm vols[2] = {
        {.volume_id = "vol-1", .mount_device = "/dev/vdc",
         .device_path = "/var/lib/hvd/images/base.qcow2",
         .driver_type = "local"},
        {.volume_id = "vol-2", .mount_device = "/dev/sdb",
         .device_path = "/dev/sdz", .driver_type = "local"},
    };
    char *xml;

    e->inst.flavor.ephemeral_gb = 1;
    e->inst.flavor.swap_mb = 64;
    e->inst.volumes = vols;
    e->inst.n_volumes = 2;
    e->inst.config_drive = true;
    xml = spawn_xml(e);
    assert_true(has_target(xml, "vda", "virtio"));
    assert_true(has_target(xml, "vdb", "virtio"));
    assert_true(has_target(xml, "vdc", "virtio"));
    assert_true(has_target(xml, "vdd", "virtio"));
    assert_true(has_target(xml, "sdb", "scsi"));
    assert_true(has_target(xml, "hdd", "ide"));
    assert_int_equal(count(xml, "<disk "), 6);
    assert_true(vol_exists(e, "disk.eph0"));
    g_free(xml);
}

/* The root device name decides the root disk's name and bus. */
static void
test_spawn_root_device_name(void **state)
{
    env *e = *state;
    char *xml;

    e->inst.root_device_name = "/dev/sda";
    e->inst.flavor.swap_mb = 64;
    xml = spawn_xml(e);
    assert_true(has_target(xml, "sda", "scsi"));
    /* the other disks on the image's bus, from its first free name */
    assert_true(has_target(xml, "vda", "virtio"));
    g_free(xml);
}

/* A root device name without a known prefix fails before anything is
 * made: no volume, no domain. */
static void
test_spawn_bad_root_name(void **state)
{
    env *e = *state;
    drv_error err;
    char **names = NULL;
    hv_error hv;

    e->inst.root_device_name = "/dev/zda";
    e->inst.flavor.swap_mb = 64;
    assert_int_equal(drv_spawn(e->d, &e->inst, true, &err), -1);
    assert_int_equal(err.kind, DRV_ERR_NOVA);
    assert_string_equal(err.message, "Unable to determine disk bus for 'z'");
    assert_int_equal(hv_vol_list(e->conn, "hvd", &names, &hv), 0);
    assert_int_equal(g_strv_length(names), 1); /* the image */
    g_strfreev(names);
    assert_int_equal(drv_instance_exists(e->d, &e->inst, &err), 0);
}

/* pre_live_migration reports each volume with the mapping's bus: a
 * volume given /dev/sdb is on scsi, whatever the image's bus. */
static void
test_migrate_bdms_bus(void **state)
{
    env *e = *state;
    drv_bdm vols[2] = {
        {.volume_id = "vol-s", .mount_device = "/dev/sdb",
         .device_path = "/dev/sdz", .driver_type = "local"},
        {.volume_id = "vol-v", .mount_device = "/dev/vdc",
         .device_path = "/dev/sdy", .driver_type = "local"},
    };
    drv_migrate_data md = {
        .has_is_shared_instance_path = true, .is_shared_instance_path = true,
        .has_is_shared_block_storage = true, .is_shared_block_storage = true,
        .has_block_migration = true, .block_migration = false};
    drv_error err;

    e->inst.volumes = vols;
    e->inst.n_volumes = 2;
    expect_ok(drv_pre_live_migration(e->d, &e->inst, NULL, &md, &err), &err,
              "pre_live_migration");
    assert_int_equal(md.n_bdms, 2);
    assert_string_equal(md.bdms[0].dev, "sdb");
    assert_string_equal(md.bdms[0].bus, "scsi");
    assert_string_equal(md.bdms[1].dev, "vdc");
    assert_string_equal(md.bdms[1].bus, "virtio");
    drv_migrate_data_clear(&md);
}

/* disk_prefix: 1-8 lower-case letters, named in the error. */
static void
test_config_disk_prefix(void **state)
{
    drv_config cfg;
    drv_error err;

    (void)state;
    drv_config_defaults(&cfg);
    assert_null(cfg.disk_prefix);
    assert_int_equal(drv_config_load_json("{\"disk_prefix\": \"sd\"}", "t",
                                          &cfg, &err), 0);
    assert_string_equal(cfg.disk_prefix, "sd");
    assert_int_equal(drv_config_load_json("{\"disk_prefix\": \"SD1\"}", "t",
                                          &cfg, &err), -1);
    assert_int_equal(err.kind, DRV_ERR_INVALID_CONFIG);
    assert_non_null(strstr(err.message, "disk_prefix"));
    assert_non_null(strstr(err.message, "expected 1 to 8 lower-case letters"));
    assert_int_equal(drv_config_load_json("{\"disk_prefix\": null}", "t",
                                          &cfg, &err), 0);
    assert_null(cfg.disk_prefix);
    drv_config_clear(&cfg);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_root_device_name, env_setup,
                                        env_teardown),
        cmocka_unit_test_setup_teardown(test_default_names_virtio, env_setup,
                                        env_teardown),
        cmocka_unit_test_setup_teardown(test_default_names_root, env_setup,
                                        env_teardown),
        cmocka_unit_test_setup_teardown(test_default_names_ide_full,
                                        env_setup, env_teardown),
        cmocka_unit_test_setup_teardown(test_next_name, env_setup,
                                        env_teardown),
        cmocka_unit_test_setup_teardown(test_next_name_full, env_setup,
                                        env_teardown),
        cmocka_unit_test_setup_teardown(test_unknown_names, env_setup,
                                        env_teardown),
        cmocka_unit_test_setup_teardown(test_spawn_volume_takes_ephemeral_name,
                                        env_setup, env_teardown),
        cmocka_unit_test_setup_teardown(test_spawn_swap_steps_around,
                                        env_setup, env_teardown),
        cmocka_unit_test_setup_teardown(test_spawn_root_device_name,
                                        env_setup, env_teardown),
        cmocka_unit_test_setup_teardown(test_spawn_bad_root_name, env_setup,
                                        env_teardown),
        cmocka_unit_test_setup_teardown(test_migrate_bdms_bus, env_setup,
                                        env_teardown),
        cmocka_unit_test(test_config_disk_prefix),
    };

    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests_name("devnames", tests, NULL, NULL);
}
