/*
 * ops-migrate.c: the migration operations of scenarios — what Newton's
 * conductor and compute manager do around the driver's calls, on two
 * hosts' drivers, since the runner stands in for them:
 *
 *   live_migrate   the conductor's checks (check_can_live_migrate_
 *                  destination on the destination, _source on the source,
 *                  the destination check's cleanup whatever happened),
 *                  then _do_live_migration: pre_live_migration on the
 *                  destination (rolled back and raised if it fails), and
 *                  live_migration on the source with the manager's
 *                  _post_live_migration and _rollback_live_migration as
 *                  its callbacks
 *   migrate        resize_instance (migrate_disk_and_power_off on the
 *                  source) then finish_resize (finish_migration on the
 *                  destination, with the new flavor)
 *   confirm_resize confirm_migration on the source
 *   revert_resize  destroy on the destination, finish_revert_migration on
 *                  the source with the old flavor
 *   evacuate       rebuild with recreate on the destination
 *   cleanup_evacuated  _destroy_evacuated_instances: destroy on the host
 *                  the instance was evacuated from, once it is back
 *
 * Each flow says where it left the instance (ops_flow.moved); the runner
 * turns that into its beliefs and its invariants.
 */
#include "ops-migrate.h"

#include <glib.h>
#include <jansson.h>
#include <string.h>

/* ---- live migration ---- */

/* What the manager's callbacks saw while the driver's monitor ran. */
typedef struct live_run {
    ops_flow *f;
    const char *outcome; /* "completed", "failed", "cancelled"; NULL */
    drv_error err;       /* the first error a callback met */
    bool failed;
    /* post_live_migration_at_destination succeeded: the manager has made
     * the destination the instance's host */
    bool moved;
} live_run;

/* _live_migration_cleanup_flags: clean up the source's instance folder
 * unless it is shared; destroy disks unless block storage is shared. */
static void
cleanup_flags(const drv_migrate_data *md, bool *do_cleanup,
              bool *destroy_disks)
{
    *do_cleanup = md->has_is_shared_instance_path
                      ? !md->is_shared_instance_path : false;
    *destroy_disks = md->has_is_shared_block_storage
                         ? !md->is_shared_block_storage : false;
}

/* Record a callback's failure; the first one is what the flow raises. */
static void
live_fail(live_run *lr, const drv_error *e)
{
    if (lr->failed)
        return;
    lr->failed = true;
    lr->err = *e;
}

/* _post_live_migration, on the source (d) once the job completed. */
static void
post_cb(void *opaque, drv *d, const drv_instance *inst, const char *dest,
        bool block_migration, drv_migrate_data *md)
{
    live_run *lr = opaque;
    bool do_cleanup, destroy_disks;
    drv_error e;

    (void)dest;
    lr->outcome = "completed";
    drv_error_reset(&e);
    /* none of these sit in a try in the manager: the first error ends
     * the flow (and the migration's record goes to error) */
    if (drv_post_live_migration(d, inst, md, &e) < 0 ||
        drv_post_live_migration_at_source(d, inst, &e) < 0 ||
        drv_post_live_migration_at_destination(lr->f->there, inst,
                                               block_migration, &e) < 0) {
        live_fail(lr, &e);
        return;
    }
    lr->moved = true;
    cleanup_flags(md, &do_cleanup, &destroy_disks);
    /* libvirt's post_live_migration_at_source unplugged the VIFs:
     * destroy_vifs stays false, as the manager passes it */
    if (do_cleanup &&
        drv_cleanup(d, inst, destroy_disks, md, false, &e) < 0)
        live_fail(lr, &e);
}

/* _rollback_live_migration: the source's rollback, then the
 * destination's unless the instance folder is shared. */
static void
rollback(ops_flow *f, drv_migrate_data *md, drv_error *e)
{
    bool do_cleanup, destroy_disks;

    if (drv_rollback_live_migration_at_source(f->here, f->inst, md, e) < 0)
        return;
    cleanup_flags(md, &do_cleanup, &destroy_disks);
    if (do_cleanup)
        drv_rollback_live_migration_at_destination(f->there, f->inst,
                                                   destroy_disks, md, e);
}

static void
recover_cb(void *opaque, drv *d, const drv_instance *inst, const char *dest,
           bool block_migration, drv_migrate_data *md,
           const char *migration_status)
{
    live_run *lr = opaque;
    drv_error e;

    (void)d;
    (void)inst;
    (void)dest;
    (void)block_migration;
    lr->outcome = migration_status ? migration_status : "failed";
    drv_error_reset(&e);
    rollback(lr->f, md, &e);
    if (e.kind != DRV_OK)
        live_fail(lr, &e);
}

int
ops_flow_live_migrate(ops_flow *f, drv_error *err)
{
    drv_migrate_data md = {0};
    drv_resources src = {0}, dst = {0};
    live_run lr = {.f = f};
    drv_migrate_callbacks cb = {.post = post_cb, .recover = recover_cb,
                                .opaque = &lr};
    drv_error cleanup_err;
    char *disk_info = NULL;
    int ret = -1, rc;

    f->moved = OPS_MOVED_NOT;
    /* the conductor's own refusal (UnableToMigrateToSelf) */
    if (strcmp(f->here_name, f->there_name) == 0) {
        drv_error_set(err, DRV_ERR_MIGRATION_PRECHECK, "live_migrate: %s is "
                      "already on %s: unable to migrate to its own host",
                      f->inst->name, f->there_name);
        return -1;
    }
    /* check_can_live_migrate_destination, on the destination's manager:
     * both hosts' compute records */
    if (drv_get_available_resource(f->here, &src, err) < 0 ||
        drv_get_available_resource(f->there, &dst, err) < 0 ||
        drv_check_can_live_migrate_destination(
            f->there, f->inst, &src, &dst, f->st->block_migration,
            -1, &md, err) < 0)
        goto cleanup;
    rc = drv_check_can_live_migrate_source(f->here, f->inst, &md, err);
    /* the manager's finally: the destination check is cleaned up in any
     * case, and an error there replaces the source's */
    drv_error_reset(&cleanup_err);
    if (drv_cleanup_live_migration_destination_check(f->there, &md,
                                                     &cleanup_err) < 0) {
        drv_error_reset(err);
        *err = cleanup_err;
        goto cleanup;
    }
    if (rc < 0)
        goto cleanup;
    /* _do_live_migration */
    if (md.has_block_migration && md.block_migration &&
        drv_get_instance_disk_info(f->here, f->inst, &disk_info, err) < 0)
        goto rollback;
    if (drv_pre_live_migration(f->there, f->inst, disk_info, &md, err) < 0)
        goto rollback;
    if (drv_live_migration(f->here, f->inst,
                           f->st->dest_hostname ? f->st->dest_hostname
                                                : f->there_name, &cb,
                           md.has_block_migration && md.block_migration,
                           &md, err) < 0) {
        /* the manager re-raises without a rollback ("nothing must be
         * recovered in this version"): what pre_live_migration made on
         * the destination stays there */
        f->moved = OPS_MOVED_REMAINS_THERE;
        goto cleanup;
    }
    if (lr.outcome) {
        json_t *a = json_object();

        json_object_set_new(a, "outcome", json_string(lr.outcome));
        json_object_set_new(a, "block_migration",
                            json_boolean(md.has_block_migration &&
                                         md.block_migration));
        f->answer = a;
    }
    /* a callback that failed half-way leaves the rest undone: the
     * instance is the destination's once post_live_migration_at_
     * destination succeeded (the manager then records its new host),
     * else still the source's, with what the migration made on the
     * destination left there */
    if (lr.moved)
        f->moved = lr.failed ? OPS_MOVED_THERE_REMAINS : OPS_MOVED_THERE;
    else if (lr.failed)
        f->moved = OPS_MOVED_REMAINS_THERE;
    if (lr.failed) {
        *err = lr.err;
        goto cleanup;
    }
    ret = 0;
    goto cleanup;

rollback:
    {
        /* pre_live_migration failed: the manager rolls back, then raises
         * the first error; a rollback that fails too leaves its part */
        drv_error rb;

        drv_error_reset(&rb);
        rollback(f, &md, &rb);
        if (rb.kind != DRV_OK)
            f->moved = OPS_MOVED_REMAINS_THERE;
    }
cleanup:
    g_free(disk_info);
    drv_migrate_data_clear(&md);
    drv_resources_clear(&src);
    drv_resources_clear(&dst);
    return ret;
}

int
ops_call_live_migration_force_complete(drv *d, const drv_instance *inst,
                                       const scn_step *st, const char *host,
                                       drv_error *err)
{
    (void)st;
    (void)host;
    return drv_live_migration_force_complete(d, inst, err);
}

int
ops_call_live_migration_abort(drv *d, const drv_instance *inst,
                              const scn_step *st, const char *host,
                              drv_error *err)
{
    (void)st;
    (void)host;
    return drv_live_migration_abort(d, inst, err);
}

/* ---- cold migration and resize ---- */

/* The flavor a resize step asks for: the instance's, with what the step
 * names replaced. */
static drv_flavor
new_flavor(const drv_flavor *now, const scn_step *st)
{
    drv_flavor fl = *now;

    if (!st->has_flavor)
        return fl;
    if (st->flavor.name)
        fl.name = st->flavor.name;
    if (st->flavor.vcpus)
        fl.vcpus = st->flavor.vcpus;
    if (st->flavor.memory_mb)
        fl.memory_mb = st->flavor.memory_mb;
    if (st->flavor.root_gb != UINT64_MAX)
        fl.root_gb = st->flavor.root_gb;
    if (st->flavor.ephemeral_gb != UINT64_MAX)
        fl.ephemeral_gb = st->flavor.ephemeral_gb;
    if (st->flavor.swap_mb != UINT64_MAX)
        fl.swap_mb = st->flavor.swap_mb;
    return fl;
}

static bool
flavor_differs(const drv_flavor *a, const drv_flavor *b)
{
    return a->vcpus != b->vcpus || a->memory_mb != b->memory_mb ||
           a->root_gb != b->root_gb || a->ephemeral_gb != b->ephemeral_gb ||
           a->swap_mb != b->swap_mb ||
           g_strcmp0(a->name, b->name) != 0;
}

int
ops_flow_migrate(ops_flow *f, drv_error *err)
{
    drv_flavor fl = new_flavor(&f->inst->flavor, f->st);
    drv_flavor old = f->inst->flavor;
    bool resize = flavor_differs(&fl, &old);
    char *disk_info = NULL;
    int ret = -1;

    f->moved = OPS_MOVED_NOT;
    /* resize_instance, on the source */
    if (drv_migrate_disk_and_power_off(f->here, f->inst, f->there_name, &fl,
                                       f->st->timeout, f->st->retry_interval,
                                       &disk_info, err) < 0)
        goto cleanup;
    /* finish_resize, on the destination: the instance takes the new
     * flavor first, and gets the old one back if finishing fails */
    *f->saved = old;
    f->inst->flavor = fl;
    if (drv_finish_migration(f->there, f->inst, disk_info, resize,
                             f->st->power_on, err) < 0) {
        f->inst->flavor = old;
        /* where the disks went is the manager's error state to sort out:
         * the source keeps its remains, the destination may hold some */
        f->moved = OPS_MOVED_THERE_REMAINS;
        goto cleanup;
    }
    f->moved = OPS_MOVED_THERE_REMAINS;
    ret = 0;
cleanup:
    g_free(disk_info);
    return ret;
}

/* confirm_resize: the source (the remains' host) drops what it kept. */
int
ops_flow_confirm_resize(ops_flow *f, drv_error *err)
{
    f->moved = OPS_MOVED_NOT;
    if (drv_confirm_migration(f->there, f->inst, err) < 0)
        return -1;
    f->moved = OPS_MOVED_REMAINS_GONE;
    return 0;
}

/*
 * _is_instance_storage_shared, as revert_resize asks it: a test file in
 * the instance's folder here, looked for on the other host. Any failure
 * counts as not shared, as the manager's.
 */
static bool
storage_shared(drv *here, drv *there, const drv_instance *inst)
{
    char *file = NULL;
    drv_error e;
    bool shared = false;

    drv_error_reset(&e);
    if (drv_check_instance_shared_storage_local(here, inst, &file, &e) < 0 ||
        !file)
        return false;
    shared = drv_check_instance_shared_storage_remote(there, file, &e) == 1;
    drv_check_instance_shared_storage_cleanup(here, file, &e);
    g_free(file);
    return shared;
}

/* revert_resize: destroy on the destination (here), then
 * finish_revert_migration on the source (there) with the old flavor. */
int
ops_flow_revert_resize(ops_flow *f, drv_error *err)
{
    bool destroy_disks = !storage_shared(f->here, f->there, f->inst);

    f->moved = OPS_MOVED_NOT;
    if (drv_destroy(f->here, f->inst, destroy_disks, err) < 0)
        return -1;
    f->inst->flavor = *f->saved;
    f->moved = OPS_MOVED_BACK;
    return drv_finish_revert_migration(f->there, f->inst, f->st->power_on,
                                       err);
}

/* ---- evacuate ---- */

int
ops_flow_evacuate(ops_flow *f, drv_error *err)
{
    f->moved = OPS_MOVED_NOT;
    if (strcmp(f->here_name, f->there_name) == 0) {
        drv_error_set(err, DRV_ERR_INVALID_INSTANCE, "evacuate: %s is "
                      "already on %s", f->inst->name, f->there_name);
        return -1;
    }
    if (drv_rebuild_recreate(f->there, f->inst, err) < 0)
        return -1;
    f->moved = OPS_MOVED_THERE_REMAINS;
    return 0;
}

/* _destroy_evacuated_instances, on the host it left (storage is not
 * shared between hvd's hosts: its disks go too). */
int
ops_flow_cleanup_evacuated(ops_flow *f, drv_error *err)
{
    bool destroy_disks = !storage_shared(f->there, f->here, f->inst);

    f->moved = OPS_MOVED_NOT;
    if (drv_destroy(f->there, f->inst, destroy_disks, err) < 0)
        return -1;
    f->moved = OPS_MOVED_REMAINS_GONE;
    return 0;
}
