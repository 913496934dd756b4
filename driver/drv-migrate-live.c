/*
 * drv-migrate-live.c: live migration itself, as the reference's libvirt
 * driver does it (nova-libvirt-driver.py: live_migration,
 * _live_migration, _live_migration_operation, _live_migration_monitor,
 * _live_migration_copy_disk_paths, _live_migration_data_gb,
 * _parse_migration_flags and its helpers, _live_migration_uri,
 * _migrate_uri, live_migration_force_complete, live_migration_abort;
 * newton/libvirt-migration.py: find_job_type, run_tasks,
 * run_recover_tasks, trigger_postcopy_switch, update_downtime).
 *
 * The reference runs the blocking migrateToURI3 on a green thread and
 * monitors it from the caller's; hv gives an asynchronous migration
 * (hv_domain_migrate_start, hv_migration_poll) and the monitor sleeps on
 * the hv clock between polls. The arithmetic of each poll is
 * drv-migrate-plan.c's; this file makes the hv calls it asks for, in the
 * reference's order.
 *
 * Re-entrancy: while the monitor sleeps, other operations may run on the
 * same driver (the lead's cooperative scheduler switches inside
 * hv_sleep): force_complete queues into d->live_migrations, abort aborts
 * the job, other instances spawn. The monitor therefore looks its queue
 * up by uuid at each poll and keeps no pointer into the table across a
 * sleep; what it keeps (the recovery queue, the migration's status, the
 * plan) is its own.
 *
 * docs/reference-differences.md ("Migration", "Live migration") lists
 * where hvd departs from the reference and why.
 */
#include "drv-priv.h"

#include <glib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

/* The reference's MIN_LIBVIRT_BLOCK_LM_WITH_VOLUMES_VERSION (1.2.17). */
#define MIN_LIBVIRT_BLOCK_LM_WITH_VOLUMES 1002017UL

#define TASK_FORCE_COMPLETE "force-complete"
#define TASK_UNPAUSE "unpause"

/* ---- the table of active migrations ---- */

static void
queue_free(gpointer q)
{
    g_queue_free_full(q, g_free);
}

void
drv_live_migrations_free(drv *d)
{
    if (d && d->live_migrations) {
        g_hash_table_destroy(d->live_migrations);
        d->live_migrations = NULL;
    }
}

/* active_migrations[uuid] = deque(): a new, empty queue (replacing one a
 * migration of the same instance left, as the reference's assignment). */
static void
active_add(drv *d, const char *uuid)
{
    if (!d->live_migrations)
        d->live_migrations = g_hash_table_new_full(g_str_hash, g_str_equal,
                                                   g_free, queue_free);
    g_hash_table_replace(d->live_migrations, g_strdup(uuid), g_queue_new());
}

/* The instance's queue, NULL if no migration of it is active. Never kept
 * across a sleep. */
static GQueue *
active_get(drv *d, const char *uuid)
{
    return d->live_migrations ? g_hash_table_lookup(d->live_migrations, uuid)
                              : NULL;
}

/* _clear_empty_migration: del active_migrations[uuid] (missing is only
 * the reference's warning). */
static void
active_clear(drv *d, const char *uuid)
{
    if (d->live_migrations)
        g_hash_table_remove(d->live_migrations, uuid);
}

/* The next queued task of the instance (g_free), NULL when none. */
static char *
active_pop(drv *d, const char *uuid)
{
    GQueue *q = active_get(d, uuid);

    return q ? g_queue_pop_head(q) : NULL;
}

/* ---- flags and URIs ---- */

unsigned int
drv_live_migration_flags(const drv_config *cfg, bool block_migration,
                         unsigned long lib_version, unsigned long hv_version,
                         bool *post_copy_enabled)
{
    /* _prepare_migration_flags: hvd has no xen, so always peer-to-peer;
     * no PERSIST_DEST (post_live_migration_at_destination defines it) */
    unsigned int f = HV_MIGRATE_LIVE | HV_MIGRATE_PEER2PEER |
                     HV_MIGRATE_UNDEFINE_SOURCE;
    bool post_copy_available = lib_version >= DRV_MIN_LIBVIRT_POSTCOPY &&
                               hv_version >= DRV_MIN_QEMU_POSTCOPY;

    if (block_migration)
        f |= HV_MIGRATE_NON_SHARED_INC;
    if (cfg->live_migration_tunnelled)
        f |= HV_MIGRATE_TUNNELLED;
    if (cfg->live_migration_permit_post_copy && post_copy_available)
        f |= HV_MIGRATE_POSTCOPY;
    if (lib_version >= DRV_MIN_LIBVIRT_AUTO_CONVERGE &&
        hv_version >= DRV_MIN_QEMU_AUTO_CONVERGE) {
        /* post-copy in use rules auto-converge out */
        if (!(post_copy_available && (f & HV_MIGRATE_POSTCOPY)) &&
            cfg->live_migration_permit_auto_converge)
            f |= HV_MIGRATE_AUTO_CONVERGE;
    }
    if (post_copy_enabled)
        *post_copy_enabled = post_copy_available &&
                             (f & HV_MIGRATE_POSTCOPY) != 0;
    return f;
}

/* The URI template for cfg: the option, else virt_type's default; NULL if
 * there is none (xen is not among hvd's virt types). */
static const char *
uri_template(const drv_config *cfg)
{
    if (cfg->live_migration_uri)
        return cfg->live_migration_uri;
    if (cfg->virt_type && (strcmp(cfg->virt_type, "kvm") == 0 ||
                           strcmp(cfg->virt_type, "qemu") == 0))
        return "qemu+tcp://%s/system";
    return NULL;
}

/*
 * tmpl % arg as Python formats a str with one argument, for the forms a
 * URI template needs: "%s" exactly once and "%%". Anything else Python
 * would refuse (no "%s": "not all arguments converted"; two: "not enough
 * arguments"; "%" at the end: "incomplete format") is refused, and so are
 * the conversions Python would accept but no URI means ("%r", "%-5s",
 * "%(x)s"...). g_free; NULL with InvalidConfiguration.
 */
static char *
py_format(const char *opt, const char *tmpl, const char *arg, drv_error *err)
{
    GString *out = g_string_new(NULL);
    unsigned int n = 0;

    for (const char *p = tmpl; *p; p++) {
        if (*p != '%') {
            g_string_append_c(out, *p);
            continue;
        }
        if (p[1] == '%') {
            g_string_append_c(out, '%');
            p++;
        } else if (p[1] == 's' && n == 0) {
            g_string_append(out, arg);
            n++;
            p++;
        } else {
            drv_error_set(err, DRV_ERR_INVALID_CONFIG,
                          "%s \"%s\": %s at offset %zu (the template takes "
                          "exactly one \"%%s\", the host, and \"%%%%\" for "
                          "a '%%')",
                          opt, tmpl,
                          !p[1] ? "incomplete format"
                          : p[1] == 's' ? "a second \"%s\""
                                        : "unsupported conversion",
                          (size_t)(p - tmpl));
            g_string_free(out, TRUE);
            return NULL;
        }
    }
    if (n == 0) {
        drv_error_set(err, DRV_ERR_INVALID_CONFIG,
                      "%s \"%s\" has no \"%%s\" for the destination host",
                      opt, tmpl);
        g_string_free(out, TRUE);
        return NULL;
    }
    return g_string_free(out, FALSE);
}

char *
drv_live_migration_uri(const drv_config *cfg, const char *dest,
                       drv_error *err)
{
    const char *tmpl = uri_template(cfg);

    if (!tmpl) {
        drv_error_set(err, DRV_ERR_LIVE_MIGRATION_URI_NOT_AVAILABLE,
                      "No live migration URI configured and no default "
                      "available for \"%s\" hypervisor virtualization type.",
                      cfg->virt_type ? cfg->virt_type : "");
        return NULL;
    }
    return py_format("live_migration_uri", tmpl, dest, err);
}

int
drv_live_migration_check_options(const drv_config *cfg, drv_error *err)
{
    char *uri;

    /* only the option's form: a virt type without a default URI is an
     * error of the migration, not of the configuration */
    if (!cfg->live_migration_uri)
        return 0;
    if (!(uri = py_format("live_migration_uri", cfg->live_migration_uri,
                          "host", err)))
        return -1;
    g_free(uri);
    return 0;
}

/* _migrate_uri: tcp://<dest> for QEMU, else none (g_free; NULL). */
static char *
migrate_uri(const drv_config *cfg, const char *dest)
{
    if (strcmp(cfg->virt_type, "kvm") == 0 ||
        strcmp(cfg->virt_type, "qemu") == 0)
        return g_strdup_printf("tcp://%s", dest);
    return NULL;
}

/* ---- the disks a block migration copies ---- */


/* _live_migration_copy_disk_paths (drv-priv.h). */
int
drv_live_migration_copy_disks(const drv_instance *inst, const char *xml,
                              bool skip_volumes, char ***paths, char ***devs,
                              drv_error *err)
{
    xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "domain.xml", NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR |
                                      XML_PARSE_NOWARNING);
    xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
    GPtrArray *p = g_ptr_array_new(), *n = g_ptr_array_new();

    if (!root) {
        drv_error_set(err, DRV_ERR_HYPERVISOR,
                      "the domain XML of instance %s does not parse",
                      inst->uuid);
        g_ptr_array_free(p, TRUE);
        g_ptr_array_free(n, TRUE);
        return -1;
    }
    for (xmlNodePtr c = drv_migrate_xml_child(root, "devices") ? drv_migrate_xml_child(root, "devices")->children
                                                : NULL;
         c; c = c->next) {
        char *type, *path, *target;
        xmlNodePtr src;

        if (c->type != XML_ELEMENT_NODE ||
            strcmp((const char *)c->name, "disk") != 0 ||
            drv_migrate_xml_child(c, "readonly") || drv_migrate_xml_child(c, "shareable"))
            continue;
        type = drv_migrate_xml_prop(c, "type");
        src = drv_migrate_xml_child(c, "source");
        path = drv_migrate_xml_prop(src, type && strcmp(type, "block") == 0 ? "dev" : "file");
        target = drv_migrate_xml_prop(drv_migrate_xml_child(c, "target"), "dev");
        if (type && (strcmp(type, "file") == 0 ||
                     strcmp(type, "block") == 0) &&
            !(skip_volumes && drv_migrate_is_volume_target(inst, target))) {
            /* the reference appends source_path even when it is None */
            g_ptr_array_add(p, path ? path : g_strdup(""));
            g_ptr_array_add(n, target ? target : g_strdup(""));
            path = target = NULL;
        }
        g_free(type);
        g_free(path);
        g_free(target);
    }
    xmlFreeDoc(doc);
    g_ptr_array_add(p, NULL);
    g_ptr_array_add(n, NULL);
    *paths = (char **)g_ptr_array_free(p, FALSE);
    *devs = (char **)g_ptr_array_free(n, FALSE);
    return 0;
}

/*
 * os.stat(path).st_size through hv: a volume of the pool (raw: its
 * capacity, a sparse file's length; other formats: its allocation, the
 * file's), a file of an instance folder (its length); -1 for anything
 * else or a failure (the reference logs its OSError and leaves the disk
 * out).
 */
static int64_t
disk_file_size(drv *d, const char *path)
{
    g_autofree char *name = g_path_get_basename(path);
    g_autofree char *vpath = NULL;
    const char *ip = d->cfg.instances_path;
    size_t il = ip ? strlen(ip) : 0;
    hv_vol_info vi;
    hv_error hv;

    if (!*path)
        return -1;
    vpath = hv_vol_get_path(d->conn, d->cfg.storage_pool, name, &hv);
    if (vpath && strcmp(vpath, path) == 0) {
        if (hv_vol_get_info(d->conn, d->cfg.storage_pool, name, &vi, &hv) < 0)
            return -1;
        return (int64_t)(strcmp(vi.format, "raw") == 0 ? vi.capacity
                                                       : vi.allocation);
    }
    /* instances_path/<folder>/<file> */
    if (il > 0 && strncmp(path, ip, il) == 0 && path[il] == '/') {
        const char *rest = path + il + 1, *slash = strchr(rest, '/');
        g_autofree char *dir = NULL, *data = NULL;
        size_t len;
        uint64_t skipped;

        if (!slash || slash == rest || strchr(slash + 1, '/') || !slash[1])
            return -1;
        dir = g_strndup(rest, (size_t)(slash - rest));
        if (hv_instance_file_read(d->conn, ip, dir, slash + 1, 1, &data, &len,
                                  &skipped, &hv) < 0)
            return -1;
        return (int64_t)(skipped + len);
    }
    return -1;
}

/* _live_migration_data_gb over disk_paths (NULL: none). */
static double
data_gb(drv *d, const drv_instance *inst, char **disk_paths)
{
    guint n = disk_paths ? g_strv_length(disk_paths) : 0;
    g_autofree int64_t *sizes = g_new0(int64_t, n + 1);

    for (guint i = 0; i < n; i++)
        sizes[i] = disk_file_size(d, disk_paths[i]);
    return drv_migrate_data_gb(inst->flavor.memory_mb, sizes, n);
}

/* ---- the monitor ---- */

/* What a monitor keeps of its own for one migration. */
typedef struct live_mon {
    drv *d;
    const drv_instance *inst;
    hv_domain *dom;
    bool post_copy_enabled;
    bool post_copy; /* migration.status == 'running (post-copy)' */
    GQueue recover;  /* on_migration_failure: task names (static) */
} live_mon;

/* trigger_postcopy_switch: a failure is only the reference's warning. */
static void
postcopy_switch(live_mon *m)
{
    hv_error hv;

    if (hv_domain_migrate_start_post_copy(m->dom, &hv) == 0)
        m->post_copy = true;
}

/* run_tasks: the operator's queued requests, oldest first. */
static void
run_tasks(live_mon *m)
{
    char *task;

    /* popped one at a time: a call below may let other operations run,
     * and the queue is looked up again */
    while ((task = active_pop(m->d, m->inst->uuid))) {
        if (strcmp(task, TASK_FORCE_COMPLETE) == 0) {
            if (m->post_copy) {
                /* already switched: the reference's warning */
            } else if (m->post_copy_enabled) {
                postcopy_switch(m);
            } else {
                hv_error hv;

                /* pause, and resume again if the migration fails; a
                 * failure to pause is only logged by the reference */
                if (hv_domain_suspend(m->dom, &hv) == 0)
                    g_queue_push_tail(&m->recover, (gpointer)TASK_UNPAUSE);
            }
        }
        /* other tasks: "Unknown migration task", ignored */
        g_free(task);
    }
}

/* run_recover_tasks: resume a guest the monitor paused if it is still
 * paused; every failure is only logged by the reference. */
static void
run_recover_tasks(live_mon *m)
{
    const char *task;

    while ((task = g_queue_pop_head(&m->recover))) {
        hv_domain_info info;
        hv_error hv;

        if (strcmp(task, TASK_UNPAUSE) != 0)
            continue;
        if (hv_domain_get_info(m->dom, &info, &hv) == 0 &&
            drv_power_state_from_hv(info.state) == DRV_POWER_PAUSED)
            hv_domain_resume(m->dom, &hv);
    }
}

/* find_job_type: the job reads NONE and the migration operation has
 * returned: still running here is a failure, gone a completion. */
static int
find_job_type(live_mon *m)
{
    hv_domain_info info;
    hv_error hv;

    if (hv_domain_get_info(m->dom, &info, &hv) < 0)
        return hv.code == HV_ERR_NO_DOMAIN ? HV_JOB_COMPLETED : HV_JOB_FAILED;
    /* virDomainIsActive: a domain with a running process has an ID */
    return info.id != -1 ? HV_JOB_FAILED : HV_JOB_COMPLETED;
}

/*
 * Guest.get_job_info: the domain gone (NO_DOMAIN) or no longer running
 * (OPERATION_INVALID) after a transient guest finished migrating reads
 * as COMPLETED; any other error is the caller's.
 */
static int
job_info(live_mon *m, hv_job_info *ji, drv_error *err)
{
    hv_error hv;

    memset(ji, 0, sizeof(*ji));
    if (hv_domain_get_job_info(m->dom, ji, &hv) == 0)
        return 0;
    if (hv.code == HV_ERR_NO_DOMAIN || hv.code == HV_ERR_OPERATION_INVALID) {
        memset(ji, 0, sizeof(*ji));
        ji->type = HV_JOB_COMPLETED;
        return 0;
    }
    drv_set_hv_error(err, &hv, "live migration job info", m->inst);
    return -1;
}

/* Has the migration operation returned (the reference's finish_event)? */
static bool
operation_finished(hv_migration *mig)
{
    hv_error hv;

    /* a failed start never ran: finished at once, as the reference's
     * thread that raised */
    return !mig || hv_migration_poll(mig, &hv) != 0;
}

/*
 * _live_migration_operation's check before migrating when the destination
 * gave no graphics listen addresses: graphics listening on a non-local
 * address, or a serial console, cannot be migrated (MigrationError, which
 * fails the migration in the reference's thread): false.
 */
static bool
graphics_serial_ok(drv *d, const drv_migrate_data *md)
{
    static const char *const local[] = {"0.0.0.0", "127.0.0.1", "::", "::1"};
    bool local_vnc = false, local_spice = false;

    if (md->graphics_listen_addr_vnc || md->graphics_listen_addr_spice)
        return true;
    for (size_t i = 0; i < G_N_ELEMENTS(local); i++) {
        if (d->cfg.vncserver_listen &&
            strcmp(d->cfg.vncserver_listen, local[i]) == 0)
            local_vnc = true;
        if (d->cfg.spice_server_listen &&
            strcmp(d->cfg.spice_server_listen, local[i]) == 0)
            local_spice = true;
    }
    if ((d->cfg.vnc_enabled && !local_vnc) ||
        (d->cfg.spice_enabled && !local_spice))
        return false;
    return !d->cfg.serial_console_enabled;
}

int
drv_live_migration(drv *d, const drv_instance *inst, const char *dest,
                   const drv_migrate_callbacks *cb, bool block_migration,
                   drv_migrate_data *md, drv_error *err)
{
    live_mon m = {0};
    drv_migrate_monitor mon;
    hv_migration *mig = NULL;
    hv_migrate_params params = {0};
    char **disk_paths = NULL, **device_names = NULL;
    char *xml = NULL, *uri = NULL, *data_uri = NULL;
    const char *conn_dest = dest;
    double gb;
    unsigned long lib = 0, hvv = 0;
    unsigned int flags;
    bool registered = false;
    hv_error hv;
    int ret = -1;

    drv_error_reset(err);
    if (!d || !md || !inst || !inst->uuid) {
        drv_error_set(err, DRV_ERR_INVALID_INSTANCE,
                      "live_migration needs a driver, an instance with a "
                      "uuid and migrate data");
        return -1;
    }
    /* dest goes into a URI: checked before anything else */
    if (drv_migrate_check_hostname(dest, err) < 0)
        return -1;
    if (!(m.dom = drv_get_guest(d, inst, err)))
        return -1;
    m.d = d;
    m.inst = inst;
    g_queue_init(&m.recover);

    /* the reference makes the flags at init_host from the versions */
    if (hv_conn_get_version(d->conn, &lib, &hvv, &hv) < 0) {
        drv_set_conn_error(d, err, &hv, "get version", inst);
        goto cleanup;
    }
    flags = drv_live_migration_flags(&d->cfg, md->block_migration, lib, hvv,
                                     &m.post_copy_enabled);
    if (md->block_migration) {
        /* the block migration flags decide whether volumes are skipped */
        unsigned int bf = drv_live_migration_flags(&d->cfg, true, lib, hvv,
                                                   NULL);

        if (!(xml = hv_domain_get_xml(m.dom, 0, &hv))) {
            drv_set_hv_error(err, &hv, "get_xml", inst);
            goto cleanup;
        }
        if (drv_live_migration_copy_disks(inst, xml,
                            !(bf & HV_MIGRATE_TUNNELLED) &&
                                lib >= MIN_LIBVIRT_BLOCK_LM_WITH_VOLUMES,
                                          &disk_paths, &device_names,
                                          err) < 0)
            goto cleanup;
    }
    /* the URI and the plan before anything starts: an error here leaves
     * nothing to monitor (the reference's thread or monitor would raise
     * them with the migration started) */
    if (md->target_connect_addr)
        conn_dest = md->target_connect_addr;
    if (!(uri = drv_live_migration_uri(&d->cfg, conn_dest, err)))
        goto cleanup;
    if (md->target_connect_addr && !(flags & HV_MIGRATE_TUNNELLED))
        data_uri = migrate_uri(&d->cfg, conn_dest);
    gb = data_gb(d, inst, disk_paths);
    if (drv_migrate_monitor_start(&mon, &d->cfg, gb, m.post_copy_enabled, 0,
                                  err) < 0)
        goto cleanup;

    active_add(d, inst->uuid);
    registered = true;
    params.dest_uri = uri;
    params.migrate_uri = data_uri;
    params.bandwidth_mib = d->cfg.live_migration_bandwidth > 0
                               ? (uint64_t)d->cfg.live_migration_bandwidth
                               : 0;
    /* the selected disks, unless tunnelled (selective block migration
     * does not work tunnelled) or libvirt is older than 1.2.17 */
    if (device_names && !(flags & HV_MIGRATE_TUNNELLED) &&
        lib >= MIN_LIBVIRT_BLOCK_LM_WITH_VOLUMES)
        params.migrate_disks = (const char *const *)device_names;
    /* an error of the operation only ends it: the monitor decides what
     * happened from the job and the domain */
    if (graphics_serial_ok(d, md))
        mig = hv_domain_migrate_start(m.dom, &params, flags, &hv);

    /* the monitor's clock starts now; the same options cannot fail twice */
    drv_migrate_monitor_start(&mon, &d->cfg, gb, m.post_copy_enabled,
                              hv_now(d->conn), err);
    for (;;) {
        hv_job_info ji;

        if (job_info(&m, &ji, err) < 0)
            goto cleanup;
        if (ji.type == HV_JOB_NONE && operation_finished(mig))
            ji.type = find_job_type(&m);

        if (ji.type == HV_JOB_UNBOUNDED) {
            drv_migrate_poll p;
            int64_t now;

            run_tasks(&m);
            now = hv_now(d->conn);
            drv_migrate_monitor_poll(&mon, ji.data_remaining,
                                     ji.mem_iteration, m.post_copy, now, &p);
            if (p.abort && hv_domain_abort_job(m.dom, &hv) < 0) {
                drv_set_hv_error(err, &hv, "aborting the live migration",
                                 inst);
                goto cleanup;
            }
            if (p.postcopy)
                postcopy_switch(&m);
            /* a failure to set it is only the reference's warning */
            if (p.downtime_ms >= 0)
                hv_domain_migrate_set_max_downtime(m.dom,
                                                   (uint64_t)p.downtime_ms,
                                                   &hv);
        } else if (ji.type == HV_JOB_COMPLETED) {
            if (cb && cb->post)
                cb->post(cb->opaque, d, inst, dest, block_migration, md);
            break;
        } else if (ji.type == HV_JOB_FAILED) {
            run_recover_tasks(&m);
            if (cb && cb->recover)
                cb->recover(cb->opaque, d, inst, dest, block_migration, md,
                            NULL);
            break;
        } else if (ji.type == HV_JOB_CANCELLED) {
            run_recover_tasks(&m);
            if (cb && cb->recover)
                cb->recover(cb->opaque, d, inst, dest, block_migration, md,
                            "cancelled");
            break;
        }
        /* NONE: not started yet; another type: unexpected, polled again */
        if (drv_sleep(d, DRV_POLL_NS, err) < 0)
            goto cleanup;
    }
    ret = 0;

cleanup:
    if (registered)
        active_clear(d, inst->uuid);
    hv_migration_free(mig);
    g_queue_clear(&m.recover);
    hv_domain_free(m.dom);
    g_strfreev(disk_paths);
    g_strfreev(device_names);
    g_free(xml);
    g_free(uri);
    g_free(data_uri);
    return ret;
}

/* ---- the operator's requests ---- */

int
drv_live_migration_force_complete(drv *d, const drv_instance *inst,
                                  drv_error *err)
{
    GQueue *q;

    drv_error_reset(err);
    if (!d || !inst || !inst->uuid) {
        drv_error_set(err, DRV_ERR_INVALID_INSTANCE,
                      "live_migration_force_complete needs a driver and an "
                      "instance with a uuid");
        return -1;
    }
    if (!(q = active_get(d, inst->uuid))) {
        drv_error_set(err, DRV_ERR_NO_ACTIVE_MIGRATION,
                      "Instance %s is not in migrating state or no active "
                      "migration found for it", inst->uuid);
        return -1;
    }
    g_queue_push_tail(q, g_strdup(TASK_FORCE_COMPLETE));
    return 0;
}

int
drv_live_migration_abort(drv *d, const drv_instance *inst, drv_error *err)
{
    hv_domain *dom;
    hv_error hv;
    int ret = -1;

    drv_error_reset(err);
    if (!d || !inst || !inst->uuid) {
        drv_error_set(err, DRV_ERR_INVALID_INSTANCE,
                      "live_migration_abort needs a driver and an instance "
                      "with a uuid");
        return -1;
    }
    if (!(dom = drv_get_guest(d, inst, err)))
        return -1;
    if (hv_domain_abort_job(dom, &hv) < 0) {
        drv_set_hv_error(err, &hv, "Failed to cancel migration", inst);
        goto cleanup;
    }
    ret = 0;

cleanup:
    hv_domain_free(dom);
    return ret;
}

int
drv_rollback_live_migration_at_source(drv *d, const drv_instance *inst,
                                      const drv_migrate_data *md,
                                      drv_error *err)
{
    (void)d;
    (void)inst;
    (void)md;
    drv_error_reset(err);
    return 0;
}
