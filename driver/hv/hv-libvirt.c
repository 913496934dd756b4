/*
 * hv-libvirt.c: the libvirt backend of the hv layer: process-wide set-up,
 * the connection and its liveness, libvirt's event-loop thread and our
 * event callbacks, the clock and node slots, the helpers every file of the
 * backend uses, and the backend table. hv-libvirt-priv.h explains the
 * design (threads, events, error mapping) and which file holds what.
 */
#include "hv-libvirt-priv.h"

#include <errno.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

/* Keepalive like virsh's: a daemon silent for 5 s * (6 + 1) is gone. */
#define LV_KEEPALIVE_INTERVAL 5
#define LV_KEEPALIVE_COUNT 6

/* ---- errors ---- */

void
lv_error_at(hv_error *err, const char *func, int line)
{
    virErrorPtr e = virGetLastError();
    bool fresh;

    if (!e) {
        hv_error_setf(err, HV_ERR_INTERNAL_ERROR, 0, func, line,
                      "libvirt call failed without reporting an error");
        return;
    }
    /* virReportSystemErrorFull puts the errno in int1 */
    fresh = err && err->code == HV_ERR_OK;
    hv_error_setf(err, e->code,
                  e->code == VIR_ERR_SYSTEM_ERROR && e->int1 > 0 ? e->int1 : 0,
                  func, line, "%s",
                  e->message ? e->message : "unknown libvirt error");
    /* what the reference's connection test takes for a broken connection */
    if (fresh &&
        (e->code == VIR_ERR_SYSTEM_ERROR || e->code == VIR_ERR_INTERNAL_ERROR) &&
        (e->domain == VIR_FROM_REMOTE || e->domain == VIR_FROM_RPC))
        err->conn_lost = 1;
}

int
lv_check_at(int rc, hv_error *err, const char *func, int line)
{
    if (rc >= 0)
        return 0;
    lv_error_at(err, func, line);
    return -1;
}

int
lv_check_int_at(int rc, int *out, hv_error *err, const char *func, int line)
{
    if (rc < 0) {
        lv_error_at(err, func, line);
        return -1;
    }
    *out = rc;
    return 0;
}

/* Move a malloc'ed libvirt string into a g_malloc'ed one. */
static char *
lv_gstr(char *s)
{
    char *out = g_strdup(s);

    free(s);
    return out;
}

int
lv_check_str_at(char *s, char **out, hv_error *err, const char *func,
                int line)
{
    if (!s) {
        lv_error_at(err, func, line);
        return -1;
    }
    *out = lv_gstr(s);
    return 0;
}

/* Libvirt's global error handler: errors reach callers via hv_error only. */
static void
lv_ignore_error(void *opaque G_GNUC_UNUSED, virErrorPtr e G_GNUC_UNUSED)
{
}

/* ---- flags: hv values -> libvirt values ---- */

int
lv_map_flags_at(unsigned int flags, const lv_flag *table, size_t n,
                unsigned int *out, hv_error *err, const char *func, int line)
{
    unsigned int left = flags;

    *out = 0;
    for (size_t i = 0; i < n; i++) {
        if (flags & table[i].hv) {
            *out |= table[i].vir;
            left &= ~table[i].hv;
        }
    }
    if (left) {
        hv_error_setf(err, HV_ERR_INVALID_ARG, 0, func, line,
                      "unsupported flags (0x%x) in function %s", left, func);
        return -1;
    }
    return 0;
}

/* ---- process-wide set-up: error handler, event loop thread ---- */

static hv_error lv_init_error; /* written once, under lv_init's GOnce */

/* Run libvirt's default event loop forever (a detached thread). */
static gpointer
lv_event_loop(gpointer data G_GNUC_UNUSED)
{
    for (;;) {
        /* an error here is transient (e.g. EINTR); do not spin on it */
        if (virEventRunDefaultImpl() < 0)
            g_usleep(G_USEC_PER_SEC / 10);
    }
    return NULL;
}

static gpointer
lv_global_init(gpointer data G_GNUC_UNUSED)
{
    struct sigaction sa;

    hv_error_reset(&lv_init_error);
    virSetErrorFunc(NULL, lv_ignore_error);
    xmlInitParser();
    if (virInitialize() < 0 || virEventRegisterDefaultImpl() < 0) {
        lv_error(&lv_init_error);
        return NULL;
    }
    if (sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL) {
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = SIG_IGN;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGPIPE, &sa, NULL);
    }
    g_thread_unref(g_thread_new("hv-libvirt-events", lv_event_loop, NULL));
    return NULL;
}

/* Once per process, before the first virConnectOpen. */
static int
lv_init(hv_error *err)
{
    static GOnce once = G_ONCE_INIT;

    g_once(&once, lv_global_init, NULL);
    if (lv_init_error.code != HV_ERR_OK) {
        hv_error_copy(err, &lv_init_error);
        return -1;
    }
    return 0;
}

/* ---- connection state ---- */

static void
lv_link_unref(void *p)
{
    g_atomic_rc_box_release(p);
}

/* The close callback's virFreeCallback. */
static void
lv_link_lib_release(void *p)
{
    lv_link *link = p;

    g_atomic_int_set(&link->lib_ref, 0);
    lv_link_unref(link);
}

static const int lv_event_ids[3] = {
    VIR_DOMAIN_EVENT_ID_LIFECYCLE,
    VIR_DOMAIN_EVENT_ID_REBOOT,
    VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED,
};

virConnectPtr
lv_vc_at(hv_conn *conn, hv_error *err, const char *func, int line)
{
    lv_conn *lc = conn->priv;

    if (!lc->vc && err && err->code == HV_ERR_OK) {
        hv_error_setf(err, HV_ERR_INVALID_CONN, 0, func, line,
                      "no connection to '%s': the last reconnect failed",
                      conn->uri);
        err->conn_lost = 1;
    }
    return lc->vc;
}

/* ---- event callbacks (event-loop thread: copy and queue, nothing else) ---- */

/* Copy one event into the connection's queue (hv delivers it later). */
static void
lv_events_push(hv_events *q, virDomainPtr d, int type, int detail,
               const char *device)
{
    unsigned int id = virDomainGetID(d);
    char uuid[VIR_UUID_STRING_BUFLEN] = "";
    hv_event ev = {
        .type = type,
        .detail = detail,
        .name = virDomainGetName(d),
        .uuid = uuid,
        .id = id == (unsigned int)-1 ? -1 : (int)id,
        .device = device,
        .time_ns = g_get_monotonic_time() * 1000,
    };

    if (virDomainGetUUIDString(d, uuid) < 0)
        uuid[0] = '\0';
    hv_events_push(q, &ev);
}

static int
lv_on_lifecycle(virConnectPtr vc G_GNUC_UNUSED, virDomainPtr d, int event,
                int detail, void *opaque)
{
    lv_events_push(opaque, d, event, detail, NULL);
    return 0;
}

static void
lv_on_reboot(virConnectPtr vc G_GNUC_UNUSED, virDomainPtr d, void *opaque)
{
    lv_events_push(opaque, d, HV_EVENT_REBOOT, 0, NULL);
}

static void
lv_on_device_removed(virConnectPtr vc G_GNUC_UNUSED, virDomainPtr d,
                     const char *alias, void *opaque)
{
    lv_events_push(opaque, d, HV_EVENT_DEVICE_REMOVED, 0, alias);
}

static void
lv_on_close(virConnectPtr vc G_GNUC_UNUSED, int reason G_GNUC_UNUSED,
            void *opaque)
{
    lv_link *link = opaque;

    g_atomic_int_set(&link->dead, 1);
}

/* Register whichever of our event callbacks vc does not have yet. */
/* libvirt's virFreeCallback for a callback's queue reference. */
static void
lv_events_release(void *opaque)
{
    hv_events_unref(opaque);
}

static int
lv_events_attach(lv_conn *lc, hv_error *err)
{
    const virConnectDomainEventGenericCallback cbs[3] = {
        VIR_DOMAIN_EVENT_CALLBACK(lv_on_lifecycle),
        VIR_DOMAIN_EVENT_CALLBACK(lv_on_reboot),
        VIR_DOMAIN_EVENT_CALLBACK(lv_on_device_removed),
    };

    for (size_t i = 0; i < G_N_ELEMENTS(lv_event_ids); i++) {
        hv_events *ref;

        if (lc->cb_ids[i] >= 0)
            continue;
        ref = hv_events_ref(lc->events);
        lc->cb_ids[i] = virConnectDomainEventRegisterAny(
            lc->vc, NULL, lv_event_ids[i], cbs[i], ref, lv_events_release);
        if (lc->cb_ids[i] < 0) {
            lv_error(err);
            /* libvirt does not call freecb for a failed registration */
            hv_events_unref(ref);
            lc->cb_ids[i] = -1;
            return -1;
        }
    }
    return 0;
}

/*
 * Drop vc: deregister our callbacks and close it, ignoring errors (it may
 * be dead already). Domain handles taken on it keep the old connection
 * object alive until they are freed; calls on them then fail.
 */
static void
lv_disconnect(lv_conn *lc)
{
    if (lc->vc) {
        for (size_t i = 0; i < G_N_ELEMENTS(lc->cb_ids); i++) {
            if (lc->cb_ids[i] >= 0)
                virConnectDomainEventDeregisterAny(lc->vc, lc->cb_ids[i]);
            lc->cb_ids[i] = -1;
        }
        if (lc->close_cb) {
            virConnectUnregisterCloseCallback(lc->vc, lv_on_close);
            /* the driver never kept it: its reference is ours to drop */
            if (g_atomic_int_compare_and_exchange(&lc->link->lib_ref, 1, 0))
                lv_link_unref(lc->link);
        }
        lc->close_cb = FALSE;
        virConnectClose(lc->vc);
        lc->vc = NULL;
        virResetLastError();
    }
    if (lc->link) {
        lv_link_unref(lc->link);
        lc->link = NULL;
    }
}

/*
 * Open uri into lc->vc with our close callback, keepalive, and (if they
 * were asked for) our event callbacks.
 */
static int
lv_connect(lv_conn *lc, const char *uri, hv_error *err)
{
    lv_link *ref;

    lc->vc = virConnectOpen(uri);
    if (!lc->vc) {
        lv_error(err);
        return -1;
    }
    lc->link = g_atomic_rc_box_new0(lv_link);
    ref = g_atomic_rc_box_acquire(lc->link);
    g_atomic_int_set(&ref->lib_ref, 1);
    if (virConnectRegisterCloseCallback(lc->vc, lv_on_close, ref,
                                        lv_link_lib_release) == 0) {
        lc->close_cb = TRUE;
    } else {
        /* not fatal: virConnectIsAlive still tells a dead connection */
        g_atomic_int_set(&ref->lib_ref, 0);
        lv_link_unref(ref);
        virResetLastError();
    }
    /* returns 1 where keepalive does not apply (local drivers) */
    if (virConnectSetKeepAlive(lc->vc, LV_KEEPALIVE_INTERVAL,
                               LV_KEEPALIVE_COUNT) < 0)
        virResetLastError();
    if (lc->want_events && lv_events_attach(lc, err) < 0)
        return -1;
    return 0;
}

static void
lv_conn_free(lv_conn *lc)
{
    if (!lc)
        return;
    lv_disconnect(lc);
    hv_events_unref(lc->events);
    g_free(lc);
}


/* ---- connection and node slots ---- */

static void
lv_close(hv_conn *conn)
{
    lv_conn_free(conn->priv);
    conn->priv = NULL;
}

static int
lv_get_version(hv_conn *conn, unsigned long *lib_version,
               unsigned long *hv_version, hv_error *err)
{
    virConnectPtr vc = lv_vc(conn, err);
    unsigned long lib = 0, hyp = 0;

    if (!vc)
        return -1;
    if (virConnectGetLibVersion(vc, &lib) < 0 ||
        virConnectGetVersion(vc, &hyp) < 0) {
        lv_error(err);
        return -1;
    }
    if (lib_version)
        *lib_version = lib;
    if (hv_version)
        *hv_version = hyp;
    return 0;
}

static int
lv_get_hostname(hv_conn *conn, char **hostname, hv_error *err)
{
    virConnectPtr vc = lv_vc(conn, err);

    if (!vc)
        return -1;
    return lv_check_str(virConnectGetHostname(vc), hostname, err);
}

static int
lv_get_capabilities(hv_conn *conn, char **xml, hv_error *err)
{
    virConnectPtr vc = lv_vc(conn, err);

    if (!vc)
        return -1;
    return lv_check_str(virConnectGetCapabilities(vc), xml, err);
}

static int
lv_is_alive(hv_conn *conn, int *alive, hv_error *err)
{
    lv_conn *lc = conn->priv;

    if (!lc->vc || g_atomic_int_get(&lc->link->dead)) {
        *alive = 0;
        return 0;
    }
    return lv_check_int(virConnectIsAlive(lc->vc), alive, err);
}

/* Close the old connection whatever its state and open the URI again. */
static int
lv_reconnect(hv_conn *conn, hv_error *err)
{
    lv_conn *lc = conn->priv;

    lv_disconnect(lc);
    /* on failure vc is NULL (calls fail with INVALID_CONN, is_alive says 0)
     * or open without events (the next reconnect registers them again) */
    return lv_connect(lc, conn->uri[0] ? conn->uri : NULL, err);
}

static int
lv_events_register(hv_conn *conn, hv_error *err)
{
    lv_conn *lc = conn->priv;

    if (!lv_vc(conn, err))
        return -1;
    lc->want_events = TRUE;
    return lv_events_attach(lc, err);
}

static int
lv_node_get_info(hv_conn *conn, hv_node_info *info, hv_error *err)
{
    virConnectPtr vc = lv_vc(conn, err);
    virNodeInfo ni;

    if (!vc)
        return -1;
    if (virNodeGetInfo(vc, &ni) < 0) {
        lv_error(err);
        return -1;
    }
    memset(info, 0, sizeof(*info));
    g_strlcpy(info->model, ni.model, sizeof(info->model));
    info->memory_kib = ni.memory;
    info->cpus = ni.cpus;
    info->mhz = ni.mhz;
    info->nodes = ni.nodes;
    info->sockets = ni.sockets;
    info->cores = ni.cores;
    info->threads = ni.threads;
    return 0;
}

static int
lv_node_get_free_memory(hv_conn *conn, uint64_t *bytes, hv_error *err)
{
    virConnectPtr vc = lv_vc(conn, err);
    unsigned long long b;

    if (!vc)
        return -1;
    /* 0 is both "no free memory" and the failure value */
    b = virNodeGetFreeMemory(vc);
    if (b == 0 && virGetLastError()) {
        lv_error(err);
        return -1;
    }
    *bytes = b;
    return 0;
}

static int
lv_node_get_cpu_stats(hv_conn *conn, hv_cpu_stats *stats, hv_error *err)
{
    virConnectPtr vc = lv_vc(conn, err);
    virNodeCPUStatsPtr params = NULL;
    int n = 0;
    int ret = -1;

    if (!vc)
        return -1;
    if (virNodeGetCPUStats(vc, VIR_NODE_CPU_STATS_ALL_CPUS, NULL, &n, 0) < 0) {
        lv_error(err);
        goto cleanup;
    }
    if (n <= 0) {
        hv_error_set(err, HV_ERR_NO_SUPPORT,
                     "the host reports no CPU statistics");
        goto cleanup;
    }
    params = g_new0(virNodeCPUStats, n);
    if (virNodeGetCPUStats(vc, VIR_NODE_CPU_STATS_ALL_CPUS, params, &n,
                           0) < 0) {
        lv_error(err);
        goto cleanup;
    }
    memset(stats, 0, sizeof(*stats));
    for (int i = 0; i < n; i++) {
        if (strcmp(params[i].field, VIR_NODE_CPU_STATS_KERNEL) == 0)
            stats->kernel = params[i].value;
        else if (strcmp(params[i].field, VIR_NODE_CPU_STATS_USER) == 0)
            stats->user = params[i].value;
        else if (strcmp(params[i].field, VIR_NODE_CPU_STATS_IDLE) == 0)
            stats->idle = params[i].value;
        else if (strcmp(params[i].field, VIR_NODE_CPU_STATS_IOWAIT) == 0)
            stats->iowait = params[i].value;
    }
    ret = 0;

 cleanup:
    g_free(params);
    return ret;
}

/*
 * Whether the daemon behind vc runs on this machine's kernel: a QEMU URI
 * with no host part (plain or unix-socket transport). Libvirt has no API
 * for host uptime, so that is the only case where we can answer honestly.
 */
static gboolean
lv_is_local_qemu(const char *uri)
{
    GUri *u = g_uri_parse(uri, G_URI_FLAGS_NONE, NULL);
    gboolean local = FALSE;

    if (u) {
        const char *scheme = g_uri_get_scheme(u);
        const char *host = g_uri_get_host(u);

        local = (!host || !*host) && scheme &&
                (g_ascii_strcasecmp(scheme, "qemu") == 0 ||
                 g_ascii_strcasecmp(scheme, "qemu+unix") == 0);
        g_uri_unref(u);
    }
    return local;
}

static int
lv_node_get_uptime(hv_conn *conn, int64_t *seconds, hv_error *err)
{
    virConnectPtr vc = lv_vc(conn, err);
    char *uri = NULL;
    FILE *f = NULL;
    char buf[64];
    char *end = NULL;
    gint64 s;
    int ret = -1;

    if (!vc)
        return -1;
    if (!(uri = virConnectGetURI(vc))) {
        lv_error(err);
        goto cleanup;
    }
    if (!lv_is_local_qemu(uri)) {
        hv_error_set(err, HV_ERR_NO_SUPPORT,
                     "host uptime is not available for '%s'", uri);
        goto cleanup;
    }
    if (!(f = fopen("/proc/uptime", "re"))) {
        int e = errno;
        hv_error_set_errno(err, e, "cannot open /proc/uptime: %s",
                           g_strerror(e));
        goto cleanup;
    }
    if (!fgets(buf, sizeof(buf), f)) {
        hv_error_set_errno(err, EIO, "cannot read /proc/uptime");
        goto cleanup;
    }
    s = g_ascii_strtoll(buf, &end, 10);
    if (end == buf || s < 0) {
        hv_error_set(err, HV_ERR_INTERNAL_ERROR,
                     "cannot parse /proc/uptime: '%s'", buf);
        goto cleanup;
    }
    *seconds = s;
    ret = 0;

 cleanup:
    if (f)
        fclose(f);
    free(uri);
    return ret;
}

/* ---- clock, randomness, event delivery ---- */

static int64_t
lv_now(hv_conn *conn G_GNUC_UNUSED)
{
    return g_get_monotonic_time() * 1000;
}

static int64_t
lv_wall(hv_conn *conn G_GNUC_UNUSED)
{
    return g_get_real_time() * 1000;
}

/*
 * Wait until an event is queued or 'until' passes (hv delivers events on
 * the caller's thread between calls). The wall time passes even when the
 * connection is dead, so that retry loops stay paced; liveness is
 * hv_conn_is_alive's business.
 */
static int
lv_wait(hv_conn *conn, int64_t until, hv_error *err G_GNUC_UNUSED)
{
    if (lv_now(conn) >= until)
        return 0;
    hv_events_wait(hv_conn_events(conn), until / 1000);
    return 1;
}

static uint64_t
lv_random(hv_conn *conn G_GNUC_UNUSED)
{
    return ((uint64_t)g_random_int() << 32) | g_random_int();
}

/* ---- the table ---- */

/* The domain, migration and storage slots come from the other files of the
 * backend, through hv-libvirt-priv.h. */

static const hv_backend libvirt_backend = {
    .name = "libvirt",

    .close = lv_close,
    .get_version = lv_get_version,
    .get_hostname = lv_get_hostname,
    .get_capabilities = lv_get_capabilities,
    .is_alive = lv_is_alive,
    .reconnect = lv_reconnect,
    .events_register = lv_events_register,
    .node_get_info = lv_node_get_info,
    .node_get_free_memory = lv_node_get_free_memory,
    .node_get_cpu_stats = lv_node_get_cpu_stats,
    .node_get_uptime = lv_node_get_uptime,
    .node_get_memory_stats = lv_node_get_memory_stats,

    .clock_now = lv_now,
    .clock_wait = lv_wait,
    .clock_random = lv_random,
    .clock_wall = lv_wall,

    .domain_release = lv_domain_release,
    .domain_list = lv_domain_list,
    .domain_define = lv_domain_define,
    .domain_undefine = lv_domain_undefine,
    .domain_create = lv_domain_create,
    .domain_create_xml = lv_domain_create_xml,
    .domain_lookup_by_name = lv_domain_lookup_by_name,
    .domain_lookup_by_uuid = lv_domain_lookup_by_uuid,
    .domain_get_info = lv_domain_get_info,
    .domain_get_xml = lv_domain_get_xml,
    .domain_is_persistent = lv_domain_is_persistent,
    .domain_has_managed_save = lv_domain_has_managed_save,
    .domain_shutdown = lv_domain_shutdown,
    .domain_reboot = lv_domain_reboot,
    .domain_reset = lv_domain_reset,
    .domain_destroy = lv_domain_destroy,
    .domain_suspend = lv_domain_suspend,
    .domain_resume = lv_domain_resume,
    .domain_managed_save = lv_domain_managed_save,
    .domain_managed_save_remove = lv_domain_managed_save_remove,
    .domain_inject_nmi = lv_domain_inject_nmi,
    .domain_attach_device = lv_domain_attach_device,
    .domain_detach_device = lv_domain_detach_device,
    .domain_update_device = lv_domain_update_device,
    .domain_get_job_info = lv_domain_get_job_info,
    .domain_abort_job = lv_domain_abort_job,
    .domain_get_vcpus = lv_domain_get_vcpus,
    .domain_block_stats = lv_domain_block_stats,
    .domain_block_rebase = lv_domain_block_rebase,
    .domain_block_job_info = lv_domain_block_job_info,
    .domain_block_job_abort = lv_domain_block_job_abort,
    .domain_block_resize = lv_domain_block_resize,
    .domain_interface_stats = lv_domain_interface_stats,
    .domain_memory_stats = lv_domain_memory_stats,

    .domain_migrate_start = lv_domain_migrate_start,
    .migration_poll = lv_migration_poll,
    .migration_release = lv_migration_release,
    .domain_migrate_set_max_downtime = lv_domain_migrate_set_max_downtime,
    .domain_migrate_set_max_speed = lv_domain_migrate_set_max_speed,
    .domain_migrate_start_post_copy = lv_domain_migrate_start_post_copy,

    .pool_get_info = lv_pool_get_info,
    .vol_create = lv_vol_create,
    .vol_delete = lv_vol_delete,
    .vol_get_info = lv_vol_get_info,
    .vol_resize = lv_vol_resize,
    .vol_get_path = lv_vol_get_path,
    .vol_list = lv_vol_list,
    .vol_copy_to = lv_vol_copy_to,
    .vol_get_mtime = lv_vol_get_mtime,
    .vol_touch = lv_vol_touch,

    .instance_dir_create = lv_instance_dir_create,
    .instance_dir_exists = lv_instance_dir_exists,
    .instance_dir_rename = lv_instance_dir_rename,
    .instance_dir_delete = lv_instance_dir_delete,
    .instance_file_write = lv_instance_file_write,
    .instance_file_read = lv_instance_file_read,
    .instance_file_delete = lv_instance_file_delete,
    .instance_iso_build = lv_instance_iso_build,
    /* snapshots and the guest agent */
    .vol_create_from = lv_vol_create_from,
    .domain_fs_freeze = lv_domain_fs_freeze,
    .domain_fs_thaw = lv_domain_fs_thaw,
    .domain_set_user_password = lv_domain_set_user_password,
};

/* ---- public ---- */

hv_conn *
hv_libvirt_open(const char *uri, hv_error *err)
{
    lv_conn *lc = NULL;
    char *canon = NULL;
    hv_conn *conn = NULL;

    hv_error_reset(err);
    if (lv_init(err) < 0)
        return NULL;
    lc = g_new0(lv_conn, 1);
    for (size_t i = 0; i < G_N_ELEMENTS(lc->cb_ids); i++)
        lc->cb_ids[i] = -1;
    if (lv_connect(lc, uri, err) < 0) {
        lv_conn_free(lc);
        return NULL;
    }
    /* name the connection by the URI libvirt settled on if none was given */
    if (!uri || !*uri)
        canon = virConnectGetURI(lc->vc);
    conn = hv_conn_new(&libvirt_backend, lc, canon ? canon : uri, err);
    free(canon);
    if (!conn) {
        lv_conn_free(lc);
        return NULL;
    }
    lc->events = hv_events_ref(hv_conn_events(conn));
    return conn;
}
