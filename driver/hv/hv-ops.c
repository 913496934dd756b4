/*
 * hv-ops.c: the wrappers, one per operation of HV_OPS (connection, node,
 * domains, migration, storage, instance files); each runs its call
 * through HV_DISPATCH (hv-priv.h), the instance files through
 * FILES_DISPATCH, which also checks their names.
 */
#include "hv-priv.h"

#include <glib.h>
#include <string.h>

/* ---- the connection and the node ---- */

int
hv_conn_get_version(hv_conn *conn, unsigned long *lib_version,
                    unsigned long *hv_version, hv_error *err)
{
    hv_call call = CALL(HV_OP_CONNECT_GET_VERSION, NULL, 0);
    return HV_DISPATCH(conn, &call, err, get_version, conn, lib_version,
                       hv_version, err);
}

char *
hv_conn_get_hostname(hv_conn *conn, hv_error *err)
{
    hv_call call = CALL(HV_OP_CONNECT_GET_HOSTNAME, NULL, 0);
    char *out = NULL;

    if (HV_DISPATCH(conn, &call, err, get_hostname, conn, &out, err) < 0)
        return NULL;
    return out;
}

char *
hv_conn_get_capabilities(hv_conn *conn, hv_error *err)
{
    hv_call call = CALL(HV_OP_CONNECT_GET_CAPABILITIES, NULL, 0);
    char *out = NULL;

    if (HV_DISPATCH(conn, &call, err, get_capabilities, conn, &out, err) < 0)
        return NULL;
    return out;
}

int
hv_conn_is_alive(hv_conn *conn, hv_error *err)
{
    hv_call call = CALL(HV_OP_CONNECT_IS_ALIVE, NULL, 0);
    int alive = 0;

    if (HV_DISPATCH(conn, &call, err, is_alive, conn, &alive, err) < 0)
        return -1;
    return alive ? 1 : 0;
}

int
hv_conn_reconnect(hv_conn *conn, hv_error *err)
{
    hv_call call = CALL(HV_OP_CONNECT_RECONNECT, NULL, 0);
    return HV_DISPATCH(conn, &call, err, reconnect, conn, err);
}

int
hv_conn_events_register(hv_conn *conn, hv_event_cb cb, void *opaque,
                        hv_error *err)
{
    hv_call call = CALL(HV_OP_CONNECT_EVENTS_REGISTER, NULL, 0);

    if (HV_DISPATCH(conn, &call, err, events_register, conn, err) < 0)
        return -1;
    conn->event_cb = cb;
    conn->event_opaque = opaque;
    return 0;
}

void
hv_conn_events_unregister(hv_conn *conn, void *opaque)
{
    if (!conn || conn->event_opaque != opaque)
        return;
    conn->event_cb = NULL;
    conn->event_opaque = NULL;
}

int
hv_node_get_info(hv_conn *conn, hv_node_info *info, hv_error *err)
{
    hv_call call = CALL(HV_OP_NODE_GET_INFO, NULL, 0);
    memset(info, 0, sizeof(*info));
    return HV_DISPATCH(conn, &call, err, node_get_info, conn, info, err);
}

int
hv_node_get_free_memory(hv_conn *conn, uint64_t *bytes, hv_error *err)
{
    hv_call call = CALL(HV_OP_NODE_GET_FREE_MEMORY, NULL, 0);
    return HV_DISPATCH(conn, &call, err, node_get_free_memory, conn, bytes,
                       err);
}

int
hv_node_get_cpu_stats(hv_conn *conn, hv_cpu_stats *stats, hv_error *err)
{
    hv_call call = CALL(HV_OP_NODE_GET_CPU_STATS, NULL, 0);
    memset(stats, 0, sizeof(*stats));
    return HV_DISPATCH(conn, &call, err, node_get_cpu_stats, conn, stats,
                       err);
}

int
hv_node_get_uptime(hv_conn *conn, int64_t *seconds, hv_error *err)
{
    hv_call call = CALL(HV_OP_NODE_GET_UPTIME, NULL, 0);
    return HV_DISPATCH(conn, &call, err, node_get_uptime, conn, seconds, err);
}

int
hv_node_get_memory_stats(hv_conn *conn, hv_node_memory_stats *stats,
                         hv_error *err)
{
    hv_call call = CALL(HV_OP_NODE_GET_MEMORY_STATS, NULL, 0);
    memset(stats, 0, sizeof(*stats));
    return HV_DISPATCH(conn, &call, err, node_get_memory_stats, conn, stats,
                       err);
}

/* ---- domains ---- */

int
hv_domain_list(hv_conn *conn, unsigned int flags, hv_domain ***doms,
               hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_LIST, NULL, flags);
    int count = 0;

    *doms = NULL;
    if (HV_DISPATCH(conn, &call, err, domain_list, conn, flags, doms, &count,
                    err) < 0)
        return -1;
    return count;
}

hv_domain *
hv_domain_define(hv_conn *conn, const char *xml, hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_DEFINE, NULL, 0);
    hv_domain *dom = NULL;

    if (HV_DISPATCH(conn, &call, err, domain_define, conn, xml, &dom, err) < 0)
        return NULL;
    return dom;
}

int
hv_domain_undefine(hv_domain *dom, unsigned int flags, hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_UNDEFINE, dom->name, flags);
    return HV_DISPATCH(dom->conn, &call, err, domain_undefine, dom, flags,
                       err);
}

int
hv_domain_create(hv_domain *dom, unsigned int flags, hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_CREATE, dom->name, flags);
    return HV_DISPATCH(dom->conn, &call, err, domain_create, dom, flags, err);
}

hv_domain *
hv_domain_create_xml(hv_conn *conn, const char *xml, unsigned int flags,
                     hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_CREATE_XML, NULL, flags);
    hv_domain *dom = NULL;

    if (HV_DISPATCH(conn, &call, err, domain_create_xml, conn, xml, flags,
                    &dom, err) < 0)
        return NULL;
    return dom;
}

hv_domain *
hv_domain_lookup_by_name(hv_conn *conn, const char *name, hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_LOOKUP_BY_NAME, name, 0);
    hv_domain *dom = NULL;

    if (HV_DISPATCH(conn, &call, err, domain_lookup_by_name, conn, name, &dom,
                    err) < 0)
        return NULL;
    return dom;
}

hv_domain *
hv_domain_lookup_by_uuid(hv_conn *conn, const char *uuid, hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_LOOKUP_BY_UUID, uuid, 0);
    hv_domain *dom = NULL;

    if (HV_DISPATCH(conn, &call, err, domain_lookup_by_uuid, conn, uuid, &dom,
                    err) < 0)
        return NULL;
    return dom;
}

int
hv_domain_get_info(hv_domain *dom, hv_domain_info *info, hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_GET_INFO, dom->name, 0);
    memset(info, 0, sizeof(*info));
    info->id = -1;
    return HV_DISPATCH(dom->conn, &call, err, domain_get_info, dom, info, err);
}

char *
hv_domain_get_xml(hv_domain *dom, unsigned int flags, hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_GET_XML, dom->name, flags);
    char *xml = NULL;

    if (HV_DISPATCH(dom->conn, &call, err, domain_get_xml, dom, flags, &xml,
                    err) < 0)
        return NULL;
    return xml;
}

int
hv_domain_is_persistent(hv_domain *dom, hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_IS_PERSISTENT, dom->name, 0);
    int v = 0;

    if (HV_DISPATCH(dom->conn, &call, err, domain_is_persistent, dom, &v,
                    err) < 0)
        return -1;
    return v ? 1 : 0;
}

int
hv_domain_has_managed_save(hv_domain *dom, hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_HAS_MANAGED_SAVE, dom->name, 0);
    int v = 0;

    if (HV_DISPATCH(dom->conn, &call, err, domain_has_managed_save, dom, &v,
                    err) < 0)
        return -1;
    return v ? 1 : 0;
}

int
hv_domain_shutdown(hv_domain *dom, unsigned int flags, hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_SHUTDOWN, dom->name, flags);
    return HV_DISPATCH(dom->conn, &call, err, domain_shutdown, dom, flags,
                       err);
}

int
hv_domain_reboot(hv_domain *dom, unsigned int flags, hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_REBOOT, dom->name, flags);
    return HV_DISPATCH(dom->conn, &call, err, domain_reboot, dom, flags, err);
}

int
hv_domain_reset(hv_domain *dom, hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_RESET, dom->name, 0);
    return HV_DISPATCH(dom->conn, &call, err, domain_reset, dom, err);
}

int
hv_domain_destroy(hv_domain *dom, unsigned int flags, hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_DESTROY, dom->name, flags);
    return HV_DISPATCH(dom->conn, &call, err, domain_destroy, dom, flags,
                       err);
}

int
hv_domain_suspend(hv_domain *dom, hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_SUSPEND, dom->name, 0);
    return HV_DISPATCH(dom->conn, &call, err, domain_suspend, dom, err);
}

int
hv_domain_resume(hv_domain *dom, hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_RESUME, dom->name, 0);
    return HV_DISPATCH(dom->conn, &call, err, domain_resume, dom, err);
}

int
hv_domain_managed_save(hv_domain *dom, hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_MANAGED_SAVE, dom->name, 0);
    return HV_DISPATCH(dom->conn, &call, err, domain_managed_save, dom, err);
}

int
hv_domain_managed_save_remove(hv_domain *dom, hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_MANAGED_SAVE_REMOVE, dom->name, 0);
    return HV_DISPATCH(dom->conn, &call, err, domain_managed_save_remove, dom,
                       err);
}

int
hv_domain_inject_nmi(hv_domain *dom, hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_INJECT_NMI, dom->name, 0);
    return HV_DISPATCH(dom->conn, &call, err, domain_inject_nmi, dom, err);
}

int
hv_domain_attach_device(hv_domain *dom, const char *xml, unsigned int flags,
                        hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_ATTACH_DEVICE, dom->name, flags);
    return HV_DISPATCH(dom->conn, &call, err, domain_attach_device, dom, xml,
                       flags, err);
}

int
hv_domain_detach_device(hv_domain *dom, const char *xml, unsigned int flags,
                        hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_DETACH_DEVICE, dom->name, flags);
    return HV_DISPATCH(dom->conn, &call, err, domain_detach_device, dom, xml,
                       flags, err);
}

int
hv_domain_update_device(hv_domain *dom, const char *xml, unsigned int flags,
                        hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_UPDATE_DEVICE, dom->name, flags);
    return HV_DISPATCH(dom->conn, &call, err, domain_update_device, dom, xml,
                       flags, err);
}

int
hv_domain_get_job_info(hv_domain *dom, hv_job_info *info, hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_GET_JOB_INFO, dom->name, 0);
    memset(info, 0, sizeof(*info));
    return HV_DISPATCH(dom->conn, &call, err, domain_get_job_info, dom, info,
                       err);
}

int
hv_domain_abort_job(hv_domain *dom, hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_ABORT_JOB, dom->name, 0);
    return HV_DISPATCH(dom->conn, &call, err, domain_abort_job, dom, err);
}

/* ---- statistics ---- */

int
hv_domain_get_vcpus(hv_domain *dom, hv_vcpu_info **vcpus, hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_GET_VCPUS, dom->name, 0);
    int count = 0;

    *vcpus = NULL;
    if (HV_DISPATCH(dom->conn, &call, err, domain_get_vcpus, dom, vcpus,
                    &count, err) < 0) {
        g_clear_pointer(vcpus, g_free);
        return -1;
    }
    return count;
}

int
hv_domain_block_stats(hv_domain *dom, const char *dev, hv_block_stats *stats,
                      hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_BLOCK_STATS, dom->name, 0);
    memset(stats, 0, sizeof(*stats));
    return HV_DISPATCH(dom->conn, &call, err, domain_block_stats, dom, dev,
                       stats, err);
}

int
hv_domain_interface_stats(hv_domain *dom, const char *dev,
                          hv_interface_stats *stats, hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_INTERFACE_STATS, dom->name, 0);
    memset(stats, 0, sizeof(*stats));
    return HV_DISPATCH(dom->conn, &call, err, domain_interface_stats, dom,
                       dev, stats, err);
}

int
hv_domain_memory_stats(hv_domain *dom, hv_memory_stat stats[HV_MEMSTAT_NR],
                       hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_MEMORY_STATS, dom->name, 0);
    int count = 0;

    memset(stats, 0, sizeof(*stats) * HV_MEMSTAT_NR);
    if (HV_DISPATCH(dom->conn, &call, err, domain_memory_stats, dom, stats,
                    &count, err) < 0)
        return -1;
    return count;
}

/* ---- migration ---- */

hv_migration *
hv_domain_migrate_start(hv_domain *dom, const hv_migrate_params *params,
                        unsigned int flags, hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_MIGRATE_START, dom->name, flags);
    hv_migration *mig = g_new0(hv_migration, 1);

    mig->conn = dom->conn;
    mig->name = g_strdup(dom->name);
    if (HV_DISPATCH(dom->conn, &call, err, domain_migrate_start, dom, params,
                    flags, mig, err) < 0) {
        g_free(mig->name);
        g_free(mig);
        return NULL;
    }
    return mig;
}

int
hv_migration_poll(hv_migration *mig, hv_error *err)
{
    hv_call call = CALL(HV_OP_MIGRATION_POLL, mig->name, 0);
    int done = 0;

    if (HV_DISPATCH(mig->conn, &call, err, migration_poll, mig, &done, err) < 0)
        return -1;
    return done ? 1 : 0;
}

void
hv_migration_free(hv_migration *mig)
{
    if (!mig)
        return;
    if (mig->conn->backend->migration_release)
        mig->conn->backend->migration_release(mig);
    g_free(mig->name);
    g_free(mig);
}

int
hv_domain_migrate_set_max_downtime(hv_domain *dom, uint64_t ms, hv_error *err)
{
    hv_call call = {.op = HV_OP_DOMAIN_MIGRATE_SET_MAX_DOWNTIME,
                    .target = dom->name, .arg = (int64_t)ms};
    return HV_DISPATCH(dom->conn, &call, err, domain_migrate_set_max_downtime,
                       dom, ms, err);
}

int
hv_domain_migrate_set_max_speed(hv_domain *dom, uint64_t mib_per_s,
                                hv_error *err)
{
    hv_call call = {.op = HV_OP_DOMAIN_MIGRATE_SET_MAX_SPEED,
                    .target = dom->name, .arg = (int64_t)mib_per_s};
    return HV_DISPATCH(dom->conn, &call, err, domain_migrate_set_max_speed,
                       dom, mib_per_s, err);
}

int
hv_domain_migrate_start_post_copy(hv_domain *dom, hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_MIGRATE_START_POST_COPY, dom->name, 0);
    return HV_DISPATCH(dom->conn, &call, err, domain_migrate_start_post_copy,
                       dom, err);
}

/* ---- volumes: block jobs ---- */

/* A disk target, and a base for a rebase: set and not empty. */
static int
block_args_ok(const char *disk, const char *base, bool need_base,
              hv_error *err)
{
    if (!disk || !*disk) {
        hv_error_set(err, HV_ERR_INVALID_ARG,
                     "invalid argument: a block job needs a disk target");
        return -1;
    }
    if (need_base && (!base || !*base)) {
        hv_error_set(err, HV_ERR_INVALID_ARG,
                     "invalid argument: a block copy of '%s' needs a "
                     "destination", disk);
        return -1;
    }
    return 0;
}

int
hv_domain_block_rebase(hv_domain *dom, const char *disk, const char *base,
                       unsigned int flags, hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_BLOCK_REBASE, dom->name, flags);

    return hv_end(dom->conn, &call,
                  hv_begin(dom->conn, &call, err) < 0 ? -1
                  : !dom->conn->backend->domain_block_rebase
                      ? hv_no_support(dom->conn, &call, err)
                  : block_args_ok(disk, base, flags & HV_BLOCK_REBASE_COPY,
                                  err) < 0
                      ? -1
                      : dom->conn->backend->domain_block_rebase(
                            dom, disk, base, flags, err),
                  err);
}

int
hv_domain_block_job_info(hv_domain *dom, const char *disk,
                         hv_block_job_info *info, hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_BLOCK_JOB_INFO, dom->name, 0);
    int has_job = 0;

    memset(info, 0, sizeof(*info));
    if (hv_end(dom->conn, &call,
               hv_begin(dom->conn, &call, err) < 0 ? -1
               : !dom->conn->backend->domain_block_job_info
                   ? hv_no_support(dom->conn, &call, err)
               : block_args_ok(disk, NULL, false, err) < 0
                   ? -1
                   : dom->conn->backend->domain_block_job_info(
                         dom, disk, info, &has_job, err),
               err) < 0)
        return -1;
    if (!has_job)
        memset(info, 0, sizeof(*info));
    return has_job ? 1 : 0;
}

int
hv_domain_block_job_abort(hv_domain *dom, const char *disk,
                          unsigned int flags, hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_BLOCK_JOB_ABORT, dom->name, flags);

    return hv_end(dom->conn, &call,
                  hv_begin(dom->conn, &call, err) < 0 ? -1
                  : !dom->conn->backend->domain_block_job_abort
                      ? hv_no_support(dom->conn, &call, err)
                  : block_args_ok(disk, NULL, false, err) < 0
                      ? -1
                      : dom->conn->backend->domain_block_job_abort(
                            dom, disk, flags, err),
                  err);
}

int
hv_domain_block_resize(hv_domain *dom, const char *disk, uint64_t size_kib,
                       hv_error *err)
{
    hv_call call = {.op = HV_OP_DOMAIN_BLOCK_RESIZE, .target = dom->name,
                    .arg = (int64_t)size_kib};

    return hv_end(dom->conn, &call,
                  hv_begin(dom->conn, &call, err) < 0 ? -1
                  : !dom->conn->backend->domain_block_resize
                      ? hv_no_support(dom->conn, &call, err)
                  : block_args_ok(disk, NULL, false, err) < 0
                      ? -1
                      : dom->conn->backend->domain_block_resize(
                            dom, disk, size_kib, err),
                  err);
}

/* ---- storage ---- */

/* "pool/name" for traces, in a caller's buffer. */
static const char *
vol_target(char *buf, size_t len, const char *pool, const char *name)
{
    g_snprintf(buf, len, "%s/%s", pool ? pool : "", name ? name : "");
    return buf;
}

int
hv_pool_get_info(hv_conn *conn, const char *pool, hv_pool_info *info,
                 hv_error *err)
{
    hv_call call = CALL(HV_OP_POOL_GET_INFO, pool, 0);
    memset(info, 0, sizeof(*info));
    return HV_DISPATCH(conn, &call, err, pool_get_info, conn, pool, info, err);
}

int
hv_vol_create(hv_conn *conn, const char *pool, const hv_vol_spec *spec,
              hv_error *err)
{
    char tgt[256];
    hv_call call = {.op = HV_OP_VOL_CREATE,
                    .target = vol_target(tgt, sizeof(tgt), pool, spec->name),
                    .arg = (int64_t)spec->capacity};
    return HV_DISPATCH(conn, &call, err, vol_create, conn, pool, spec, err);
}

int
hv_vol_delete(hv_conn *conn, const char *pool, const char *name,
              hv_error *err)
{
    char tgt[256];
    hv_call call = CALL(HV_OP_VOL_DELETE,
                        vol_target(tgt, sizeof(tgt), pool, name), 0);
    return HV_DISPATCH(conn, &call, err, vol_delete, conn, pool, name, err);
}

int
hv_vol_get_info(hv_conn *conn, const char *pool, const char *name,
                hv_vol_info *info, hv_error *err)
{
    char tgt[256];
    hv_call call = CALL(HV_OP_VOL_GET_INFO,
                        vol_target(tgt, sizeof(tgt), pool, name), 0);
    memset(info, 0, sizeof(*info));
    return HV_DISPATCH(conn, &call, err, vol_get_info, conn, pool, name, info,
                       err);
}

int
hv_vol_resize(hv_conn *conn, const char *pool, const char *name,
              uint64_t capacity, hv_error *err)
{
    char tgt[256];
    hv_call call = {.op = HV_OP_VOL_RESIZE,
                    .target = vol_target(tgt, sizeof(tgt), pool, name),
                    .arg = (int64_t)capacity};
    return HV_DISPATCH(conn, &call, err, vol_resize, conn, pool, name,
                       capacity, err);
}

char *
hv_vol_get_path(hv_conn *conn, const char *pool, const char *name,
                hv_error *err)
{
    char tgt[256];
    hv_call call = CALL(HV_OP_VOL_GET_PATH,
                        vol_target(tgt, sizeof(tgt), pool, name), 0);
    char *path = NULL;

    if (HV_DISPATCH(conn, &call, err, vol_get_path, conn, pool, name, &path,
                    err) < 0)
        return NULL;
    return path;
}

int
hv_vol_list(hv_conn *conn, const char *pool, char ***names, hv_error *err)
{
    hv_call call = CALL(HV_OP_VOL_LIST, pool, 0);

    *names = NULL;
    return HV_DISPATCH(conn, &call, err, vol_list, conn, pool, names, err);
}

/* ---- the image cache (names) ---- */

int
hv_vol_get_mtime(hv_conn *conn, const char *pool, const char *name,
                 int64_t *mtime_ns, hv_error *err)
{
    char tgt[256];
    hv_call call = CALL(HV_OP_VOL_GET_MTIME,
                        vol_target(tgt, sizeof(tgt), pool, name), 0);

    *mtime_ns = 0;
    return HV_DISPATCH(conn, &call, err, vol_get_mtime, conn, pool, name,
                       mtime_ns, err);
}

int
hv_vol_touch(hv_conn *conn, const char *pool, const char *name,
             hv_error *err)
{
    char tgt[256];
    hv_call call = CALL(HV_OP_VOL_TOUCH,
                        vol_target(tgt, sizeof(tgt), pool, name), 0);

    return HV_DISPATCH(conn, &call, err, vol_touch, conn, pool, name, err);
}

/* The arguments of a copy, checked once here for every backend. */
static int
copy_args_ok(const char *pool, const char *const *names, const char *dest_uri,
             const char *dest_pool, hv_error *err)
{
    if (!pool || !dest_uri || !*dest_uri || !dest_pool || !names ||
        !names[0]) {
        hv_error_set(err, HV_ERR_INVALID_ARG,
                     "invalid argument: a volume copy needs a pool, at least "
                     "one volume, a destination URI and its pool");
        return -1;
    }
    for (const char *const *n = names; *n; n++)
        if (!**n || strchr(*n, '/')) {
            hv_error_set(err, HV_ERR_INVALID_ARG,
                         "invalid argument: volume name '%s' to copy", *n);
            return -1;
        }
    return 0;
}

int
hv_vol_copy_to(hv_conn *conn, const char *pool, const char *const *names,
               const char *dest_uri, const char *dest_pool, hv_error *err)
{
    char tgt[256];
    hv_call call = {.op = HV_OP_VOL_COPY_TO,
                    .target = vol_target(tgt, sizeof(tgt), pool,
                                         names ? names[0] : NULL)};

    return hv_end(conn, &call,
                  hv_begin(conn, &call, err) < 0 ? -1
                  : !conn->backend->vol_copy_to
                      ? hv_no_support(conn, &call, err)
                  : copy_args_ok(pool, names, dest_uri, dest_pool, err) < 0
                      ? -1
                      : conn->backend->vol_copy_to(conn, pool, names,
                                                   dest_uri, dest_pool, err),
                  err);
}

/* ---- instance files ---- */

int
hv_instance_name_ok(const char *name)
{
    size_t n;

    if (!name)
        return 0;
    n = strlen(name);
    if (n == 0 || n > 255 || strchr(name, '/') || strcmp(name, ".") == 0 ||
        strcmp(name, "..") == 0)
        return 0;
    return 1;
}

/*
 * Check the instances path and the names of a call before the backend sees
 * them: base absolute, each name one component. 0, or -1 with err set.
 */
static int
files_args_ok(const char *base, const char *dir, const char *file,
              hv_error *err)
{
    if (!base || base[0] != '/') {
        hv_error_set(err, HV_ERR_INVALID_ARG,
                     "instances path '%s' is not an absolute path",
                     base ? base : "(null)");
        return -1;
    }
    if (!hv_instance_name_ok(dir)) {
        hv_error_set(err, HV_ERR_INVALID_ARG,
                     "instance folder name '%.64s' in %s is not one path "
                     "component", dir ? dir : "(null)", base);
        return -1;
    }
    if (file != (const char *)-1 && !hv_instance_name_ok(file)) {
        hv_error_set(err, HV_ERR_INVALID_ARG,
                     "instance file name '%.64s' in %s/%s is not one path "
                     "component", file ? file : "(null)", base, dir);
        return -1;
    }
    return 0;
}

/* No file name to check. */
#define NO_FILE ((const char *)-1)

/*
 * HV_DISPATCH with the arguments checked after the 'before' hook (so a
 * trace shows the refused call) and before the backend sees them.
 */
#define FILES_DISPATCH(conn, callp, err, base, dir, file, slot, ...)          \
    hv_end((conn), (callp),                                                   \
           hv_begin((conn), (callp), (err)) < 0   ? -1                        \
           : !(conn)->backend->slot ? hv_no_support((conn), (callp), (err))   \
           : files_args_ok((base), (dir), (file), (err)) < 0                  \
               ? -1                                                           \
               : (conn)->backend->slot(__VA_ARGS__),                          \
           (err))

/* "dir/file" (or "dir") for traces, in a caller's buffer. */
static const char *
file_target(char *buf, size_t len, const char *dir, const char *file)
{
    if (file)
        g_snprintf(buf, len, "%s/%s", dir ? dir : "", file);
    else
        g_snprintf(buf, len, "%s", dir ? dir : "");
    return buf;
}

int
hv_instance_dir_create(hv_conn *conn, const char *base, const char *dir,
                       hv_error *err)
{
    char tgt[256];
    hv_call call = CALL(HV_OP_INSTANCE_DIR_CREATE,
                        file_target(tgt, sizeof(tgt), dir, NULL), 0);
    return FILES_DISPATCH(conn, &call, err, base, dir, NO_FILE,
                          instance_dir_create, conn, base, dir, err);
}

int
hv_instance_dir_exists(hv_conn *conn, const char *base, const char *dir,
                       hv_error *err)
{
    char tgt[256];
    hv_call call = CALL(HV_OP_INSTANCE_DIR_EXISTS,
                        file_target(tgt, sizeof(tgt), dir, NULL), 0);
    int exists = 0;

    if (FILES_DISPATCH(conn, &call, err, base, dir, NO_FILE,
                       instance_dir_exists, conn, base, dir, &exists,
                       err) < 0)
        return -1;
    return exists ? 1 : 0;
}

int
hv_instance_dir_rename(hv_conn *conn, const char *base, const char *from,
                       const char *to, hv_error *err)
{
    char tgt[256];
    hv_call call = CALL(HV_OP_INSTANCE_DIR_RENAME,
                        file_target(tgt, sizeof(tgt), from, NULL), 0);
    /* 'to' is a folder name too: checked as the "file" */
    return FILES_DISPATCH(conn, &call, err, base, from, to,
                          instance_dir_rename, conn, base, from, to, err);
}

int
hv_instance_dir_delete(hv_conn *conn, const char *base, const char *dir,
                       hv_error *err)
{
    char tgt[256];
    hv_call call = CALL(HV_OP_INSTANCE_DIR_DELETE,
                        file_target(tgt, sizeof(tgt), dir, NULL), 0);
    return FILES_DISPATCH(conn, &call, err, base, dir, NO_FILE,
                          instance_dir_delete, conn, base, dir, err);
}

int
hv_instance_file_write(hv_conn *conn, const char *base, const char *dir,
                       const char *file, const char *data, size_t len,
                       unsigned int flags, hv_error *err)
{
    char tgt[256];
    hv_call call = {.op = HV_OP_INSTANCE_FILE_WRITE,
                    .target = file_target(tgt, sizeof(tgt), dir, file),
                    .flags = flags,
                    .arg = (int64_t)len};

    if (len > 0 && !data)
        len = 0;
    return FILES_DISPATCH(conn, &call, err, base, dir, file,
                          instance_file_write, conn, base, dir, file,
                          data ? data : "", len, flags, err);
}

int
hv_instance_file_read(hv_conn *conn, const char *base, const char *dir,
                      const char *file, size_t max, char **data, size_t *len,
                      uint64_t *skipped, hv_error *err)
{
    char tgt[256];
    hv_call call = {.op = HV_OP_INSTANCE_FILE_READ,
                    .target = file_target(tgt, sizeof(tgt), dir, file),
                    .arg = (int64_t)max};
    int rc;

    *data = NULL;
    *len = 0;
    *skipped = 0;
    rc = FILES_DISPATCH(conn, &call, err, base, dir, file,
                        instance_file_read, conn, base, dir, file, max, data,
                        len, skipped, err);
    if (rc < 0) {
        g_clear_pointer(data, g_free);
        *len = 0;
        *skipped = 0;
    }
    return rc;
}

int
hv_instance_file_delete(hv_conn *conn, const char *base, const char *dir,
                        const char *file, hv_error *err)
{
    char tgt[256];
    hv_call call = CALL(HV_OP_INSTANCE_FILE_DELETE,
                        file_target(tgt, sizeof(tgt), dir, file), 0);
    return FILES_DISPATCH(conn, &call, err, base, dir, file,
                          instance_file_delete, conn, base, dir, file, err);
}

/* ---- config drives ---- */

/* A relative path of usable components. */
static int
iso_path_ok(const char *path)
{
    g_auto(GStrv) parts = NULL;

    if (!path || !*path || path[0] == '/')
        return 0;
    parts = g_strsplit(path, "/", -1);
    for (size_t i = 0; parts[i]; i++)
        if (!hv_instance_name_ok(parts[i]))
            return 0;
    return 1;
}

int
hv_instance_iso_build(hv_conn *conn, const char *base, const char *dir,
                      const char *file, const char *label,
                      const char *publisher, const hv_iso_file *files,
                      unsigned int n_files, hv_error *err)
{
    char tgt[512];
    hv_call call;

    g_snprintf(tgt, sizeof(tgt), "%s/%s/%s", base ? base : "",
               dir ? dir : "", file ? file : "");
    call = (hv_call){.op = HV_OP_INSTANCE_ISO_BUILD, .target = tgt,
                     .arg = (int64_t)n_files};
    if (!base || base[0] != '/' || !hv_instance_name_ok(dir) ||
        !hv_instance_name_ok(file) || !label || !*label ||
        (n_files && !files)) {
        hv_error_reset(err);
        hv_error_set(err, HV_ERR_INVALID_ARG,
                     "invalid argument: ISO image '%s'", tgt);
        return -1;
    }
    for (unsigned int i = 0; i < n_files; i++) {
        if (!iso_path_ok(files[i].path) || (files[i].len && !files[i].data)) {
            hv_error_reset(err);
            hv_error_set(err, HV_ERR_INVALID_ARG,
                         "invalid argument: file '%s' of ISO image '%s'",
                         files[i].path ? files[i].path : "(null)", tgt);
            return -1;
        }
    }
    return HV_DISPATCH(conn, &call, err, instance_iso_build, conn, base, dir,
                       file, label, publisher, files, n_files, err);
}

/* ---- snapshots and the guest agent ---- */

int
hv_vol_create_from(hv_conn *conn, const char *pool, const hv_vol_spec *spec,
                   const char *src, hv_error *err)
{
    char tgt[256];
    hv_call call = CALL(HV_OP_VOL_CREATE_FROM,
                        vol_target(tgt, sizeof(tgt), pool,
                                   spec ? spec->name : NULL), 0);
    int rc = hv_begin(conn, &call, err);

    if (rc == 0 && !conn->backend->vol_create_from)
        rc = hv_no_support(conn, &call, err);
    else if (rc == 0 && (!pool || !spec || !spec->name || !src || !*src ||
                         strchr(src, '/'))) {
        hv_error_set(err, HV_ERR_INVALID_ARG,
                     "invalid argument: a volume made from another needs a "
                     "pool, a name and a source volume of the pool");
        rc = -1;
    } else if (rc == 0) {
        rc = conn->backend->vol_create_from(conn, pool, spec, src, err);
    }
    return hv_end(conn, &call, rc, err);
}

int
hv_domain_fs_freeze(hv_domain *dom, hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_FS_FREEZE, dom->name, 0);
    int n = 0;

    if (HV_DISPATCH(dom->conn, &call, err, domain_fs_freeze, dom, &n, err) < 0)
        return -1;
    return n;
}

int
hv_domain_fs_thaw(hv_domain *dom, hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_FS_THAW, dom->name, 0);
    int n = 0;

    if (HV_DISPATCH(dom->conn, &call, err, domain_fs_thaw, dom, &n, err) < 0)
        return -1;
    return n;
}

/* The password never reaches a hook or a trace: only the domain's name. */
int
hv_domain_set_user_password(hv_domain *dom, const char *user,
                            const char *password, unsigned int flags,
                            hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_SET_USER_PASSWORD, dom->name, flags);
    int rc = hv_begin(dom->conn, &call, err);

    if (rc == 0 && !dom->conn->backend->domain_set_user_password)
        rc = hv_no_support(dom->conn, &call, err);
    else if (rc == 0 && (!user || !*user || !password)) {
        hv_error_set(err, HV_ERR_INVALID_ARG,
                     "invalid argument: a password needs a user name and a "
                     "password");
        rc = -1;
    } else if (rc == 0) {
        rc = dom->conn->backend->domain_set_user_password(dom, user, password,
                                                          flags, err);
    }
    return hv_end(dom->conn, &call, rc, err);
}
