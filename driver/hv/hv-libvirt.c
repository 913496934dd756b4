/*
 * hv-libvirt.c: the hv layer on the libvirt C API.
 *
 * Each slot makes the libvirt call(s) it stands for and, on failure, copies
 * libvirt's thread-local error (code, errno for system errors, message) into
 * the hv_error. hv flags never share values with libvirt's: every slot maps
 * them through a table and refuses bits it does not know.
 *
 * Threads: the caller's thread makes every call; one process-wide thread
 * runs libvirt's default event loop, where our callbacks only copy events
 * into the hv connection's event queue (hv_events_push; hv delivers them
 * from hv_sleep) and mark a connection dead; a migration runs its blocking
 * libvirt call on a thread of its own. Each callback holds a reference on
 * the event queue, and the "dead" flag is reference counted too, because
 * libvirt may run a callback, or free its opaque, after we have
 * deregistered it (even after the hv_conn is closed).
 *
 * This file is the one place in driver/ that may touch the host directly
 * (the monotonic clock, randomness, /proc/uptime for a local daemon).
 */
#include "hv-libvirt.h"

#include "hv-backend.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

G_STATIC_ASSERT(VIR_UUID_STRING_BUFLEN == HV_UUID_STRLEN);

/* Keepalive like virsh's: a daemon silent for 5 s * (6 + 1) is gone. */
#define LV_KEEPALIVE_INTERVAL 5
#define LV_KEEPALIVE_COUNT 6

/* ---- errors ---- */

/*
 * Copy libvirt's last error of this thread into err (first error wins).
 * Called right after the failing libvirt call, before any other one: every
 * public libvirt function resets the thread's error on entry.
 */
static void
lv_error_at(hv_error *err, const char *func, int line)
{
    virErrorPtr e = virGetLastError();

    if (!e) {
        hv_error_setf(err, HV_ERR_INTERNAL_ERROR, 0, func, line,
                      "libvirt call failed without reporting an error");
        return;
    }
    /* virReportSystemErrorFull puts the errno in int1 */
    hv_error_setf(err, e->code,
                  e->code == VIR_ERR_SYSTEM_ERROR && e->int1 > 0 ? e->int1 : 0,
                  func, line, "%s",
                  e->message ? e->message : "unknown libvirt error");
}
#define lv_error(err) lv_error_at((err), __func__, __LINE__)

/* 0, or -1 with libvirt's error when rc says the call failed. */
static int
lv_check_at(int rc, hv_error *err, const char *func, int line)
{
    if (rc >= 0)
        return 0;
    lv_error_at(err, func, line);
    return -1;
}
#define lv_check(rc, err) lv_check_at((rc), (err), __func__, __LINE__)

/* Libvirt's global error handler: errors reach callers via hv_error only. */
static void
lv_ignore_error(void *opaque G_GNUC_UNUSED, virErrorPtr e G_GNUC_UNUSED)
{
}

/* ---- flags: hv values -> libvirt values ---- */

typedef struct lv_flag {
    unsigned int hv;
    unsigned int vir;
} lv_flag;

/* Map flags through table into *out; unknown bits fail with INVALID_ARG. */
static int
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
#define lv_map_flags(flags, table, out, err)                                  \
    lv_map_flags_at((flags), (table), G_N_ELEMENTS(table), (out), (err),      \
                    __func__, __LINE__)

static const lv_flag list_flags[] = {
    {HV_LIST_ACTIVE, VIR_CONNECT_LIST_DOMAINS_ACTIVE},
    {HV_LIST_INACTIVE, VIR_CONNECT_LIST_DOMAINS_INACTIVE},
};
static const lv_flag undefine_flags[] = {
    {HV_UNDEFINE_MANAGED_SAVE, VIR_DOMAIN_UNDEFINE_MANAGED_SAVE},
    {HV_UNDEFINE_SNAPSHOTS_METADATA, VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA},
    {HV_UNDEFINE_NVRAM, VIR_DOMAIN_UNDEFINE_NVRAM},
};
static const lv_flag create_flags[] = {
    {HV_CREATE_START_PAUSED, VIR_DOMAIN_START_PAUSED},
};
static const lv_flag shutdown_flags[] = {
    {HV_SHUTDOWN_ACPI, VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN},
};
/* reboot flags */
static const lv_flag reboot_flags[] = {
    {HV_REBOOT_ACPI, VIR_DOMAIN_REBOOT_ACPI_POWER_BTN},
};
static const lv_flag destroy_flags[] = {
    {HV_DESTROY_GRACEFUL, VIR_DOMAIN_DESTROY_GRACEFUL},
};
static const lv_flag device_flags[] = {
    {HV_DEVICE_LIVE, VIR_DOMAIN_AFFECT_LIVE},
    {HV_DEVICE_CONFIG, VIR_DOMAIN_AFFECT_CONFIG},
};
static const lv_flag xml_flags[] = {
    {HV_XML_INACTIVE, VIR_DOMAIN_XML_INACTIVE},
};
static const lv_flag migrate_flags[] = {
    {HV_MIGRATE_LIVE, VIR_MIGRATE_LIVE},
    {HV_MIGRATE_PEER2PEER, VIR_MIGRATE_PEER2PEER},
    {HV_MIGRATE_PERSIST_DEST, VIR_MIGRATE_PERSIST_DEST},
    {HV_MIGRATE_UNDEFINE_SOURCE, VIR_MIGRATE_UNDEFINE_SOURCE},
    {HV_MIGRATE_AUTO_CONVERGE, VIR_MIGRATE_AUTO_CONVERGE},
    {HV_MIGRATE_POSTCOPY, VIR_MIGRATE_POSTCOPY},
    {HV_MIGRATE_NON_SHARED_DISK, VIR_MIGRATE_NON_SHARED_DISK},
    {HV_MIGRATE_TUNNELLED, VIR_MIGRATE_TUNNELLED},
};

/* ---- process-wide set-up: error handler, event loop thread ---- */

static hv_error lv_init_error; /* written once, under lv_once */

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

/*
 * Liveness of one virConnectPtr: set by libvirt's close callback. A new one
 * per (re)connection, so a late close callback of an old connection cannot
 * mark the new one dead.
 *
 * libvirt holds one reference while the callback is registered. Drivers
 * without a close notion (test://) accept the registration yet drop it
 * without ever calling freecb, so lib_ref records whether libvirt has
 * released its reference; the remote driver does so synchronously inside
 * virConnectUnregisterCloseCallback.
 */
typedef struct lv_link {
    gint dead;
    gint lib_ref; /* 1 while libvirt owes us a freecb */
} lv_link;

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

/* hv_conn->priv */
typedef struct lv_conn {
    virConnectPtr vc;      /* NULL after a failed reconnect */
    lv_link *link;         /* liveness of vc (a reference), NULL with vc */
    gboolean close_cb;     /* our close callback is registered on vc */
    hv_events *events;     /* the hv_conn's queue (a reference) */
    gboolean want_events;  /* events_register was called */
    int cb_ids[3];         /* libvirt callback IDs on vc, -1 when none */
} lv_conn;

static const int lv_event_ids[3] = {
    VIR_DOMAIN_EVENT_ID_LIFECYCLE,
    VIR_DOMAIN_EVENT_ID_REBOOT,
    VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED,
};

/* The connection's virConnectPtr, or NULL + error after a failed reconnect. */
static virConnectPtr
lv_vc_at(hv_conn *conn, hv_error *err, const char *func, int line)
{
    lv_conn *lc = conn->priv;

    if (!lc->vc)
        hv_error_setf(err, HV_ERR_INVALID_CONN, 0, func, line,
                      "no connection to '%s': the last reconnect failed",
                      conn->uri);
    return lc->vc;
}
#define lv_vc(conn, err) lv_vc_at((conn), (err), __func__, __LINE__)

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
            lc->vc, NULL, lv_event_ids[i], cbs[i], ref, hv_events_unref);
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


/* ---- connection slots ---- */

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

/* Move a malloc'ed libvirt string into a g_malloc'ed one. */
static char *
lv_gstr(char *s)
{
    char *out = g_strdup(s);

    free(s);
    return out;
}

static int
lv_get_hostname(hv_conn *conn, char **hostname, hv_error *err)
{
    virConnectPtr vc = lv_vc(conn, err);
    char *s;

    if (!vc)
        return -1;
    if (!(s = virConnectGetHostname(vc))) {
        lv_error(err);
        return -1;
    }
    *hostname = lv_gstr(s);
    return 0;
}

static int
lv_get_capabilities(hv_conn *conn, char **xml, hv_error *err)
{
    virConnectPtr vc = lv_vc(conn, err);
    char *s;

    if (!vc)
        return -1;
    if (!(s = virConnectGetCapabilities(vc))) {
        lv_error(err);
        return -1;
    }
    *xml = lv_gstr(s);
    return 0;
}

static int
lv_is_alive(hv_conn *conn, int *alive, hv_error *err)
{
    lv_conn *lc = conn->priv;
    int rc;

    if (!lc->vc || g_atomic_int_get(&lc->link->dead)) {
        *alive = 0;
        return 0;
    }
    if ((rc = virConnectIsAlive(lc->vc)) < 0) {
        lv_error(err);
        return -1;
    }
    *alive = rc;
    return 0;
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

/* ---- domains ---- */

#define LV_DOM(dom) ((virDomainPtr)(dom)->priv)

/* Wrap d (ownership moves to the handle) into a new hv_domain. */
static hv_domain *
lv_domain_wrap(hv_conn *conn, virDomainPtr d)
{
    char uuid[VIR_UUID_STRING_BUFLEN] = "";

    if (virDomainGetUUIDString(d, uuid) < 0)
        uuid[0] = '\0'; /* cannot fail for a valid handle */
    return hv_domain_new(conn, virDomainGetName(d), uuid, d);
}

static void
lv_domain_release(hv_domain *dom)
{
    if (dom->priv)
        virDomainFree(dom->priv);
    dom->priv = NULL;
}

static int
lv_domain_cmp(const void *a, const void *b)
{
    const hv_domain *const *x = a;
    const hv_domain *const *y = b;

    return strcmp((*x)->name, (*y)->name);
}

static int
lv_domain_list(hv_conn *conn, unsigned int flags, hv_domain ***doms,
               int *count, hv_error *err)
{
    virConnectPtr vc = lv_vc(conn, err);
    virDomainPtr *list = NULL;
    unsigned int vflags;
    hv_domain **out;
    int n;

    if (!vc || lv_map_flags(flags, list_flags, &vflags, err) < 0)
        return -1;
    if ((n = virConnectListAllDomains(vc, &list, vflags)) < 0) {
        lv_error(err);
        return -1;
    }
    out = g_new0(hv_domain *, n + 1);
    for (int i = 0; i < n; i++)
        out[i] = lv_domain_wrap(conn, list[i]);
    free(list);
    qsort(out, n, sizeof(*out), lv_domain_cmp);
    *doms = out;
    *count = n;
    return 0;
}

static int
lv_domain_define(hv_conn *conn, const char *xml, hv_domain **dom,
                 hv_error *err)
{
    virConnectPtr vc = lv_vc(conn, err);
    virDomainPtr d;

    if (!vc)
        return -1;
    if (!(d = virDomainDefineXML(vc, xml))) {
        lv_error(err);
        return -1;
    }
    *dom = lv_domain_wrap(conn, d);
    return 0;
}

static int
lv_domain_undefine(hv_domain *dom, unsigned int flags, hv_error *err)
{
    unsigned int vflags;

    if (lv_map_flags(flags, undefine_flags, &vflags, err) < 0)
        return -1;
    return lv_check(virDomainUndefineFlags(LV_DOM(dom), vflags), err);
}

static int
lv_domain_create(hv_domain *dom, unsigned int flags, hv_error *err)
{
    unsigned int vflags;

    if (lv_map_flags(flags, create_flags, &vflags, err) < 0)
        return -1;
    return lv_check(virDomainCreateWithFlags(LV_DOM(dom), vflags), err);
}

static int
lv_domain_create_xml(hv_conn *conn, const char *xml, unsigned int flags,
                     hv_domain **dom, hv_error *err)
{
    virConnectPtr vc = lv_vc(conn, err);
    unsigned int vflags;
    virDomainPtr d;

    if (!vc || lv_map_flags(flags, create_flags, &vflags, err) < 0)
        return -1;
    if (!(d = virDomainCreateXML(vc, xml, vflags))) {
        lv_error(err);
        return -1;
    }
    *dom = lv_domain_wrap(conn, d);
    return 0;
}

static int
lv_domain_lookup_by_name(hv_conn *conn, const char *name, hv_domain **dom,
                         hv_error *err)
{
    virConnectPtr vc = lv_vc(conn, err);
    virDomainPtr d;

    if (!vc)
        return -1;
    if (!(d = virDomainLookupByName(vc, name))) {
        lv_error(err);
        return -1;
    }
    *dom = lv_domain_wrap(conn, d);
    return 0;
}

static int
lv_domain_lookup_by_uuid(hv_conn *conn, const char *uuid, hv_domain **dom,
                         hv_error *err)
{
    virConnectPtr vc = lv_vc(conn, err);
    virDomainPtr d;

    if (!vc)
        return -1;
    if (!(d = virDomainLookupByUUIDString(vc, uuid))) {
        lv_error(err);
        return -1;
    }
    *dom = lv_domain_wrap(conn, d);
    return 0;
}

/*
 * State, reason, sizes, and the current ID. A virDomainPtr keeps the ID it
 * was looked up with, so an active domain is looked up again by UUID (on
 * the handle's own connection) for the ID it has now.
 */
static int
lv_domain_get_info(hv_domain *dom, hv_domain_info *info, hv_error *err)
{
    virDomainPtr d = LV_DOM(dom);
    virDomainPtr cur;
    virDomainInfo vi;
    int state = 0, reason = 0;
    unsigned int id;

    if (virDomainGetState(d, &state, &reason, 0) < 0 ||
        virDomainGetInfo(d, &vi) < 0) {
        lv_error(err);
        return -1;
    }
    info->state = state;
    info->reason = reason;
    info->max_mem_kib = vi.maxMem;
    info->mem_kib = vi.memory;
    info->nr_vcpus = vi.nrVirtCpu;
    info->cpu_time_ns = vi.cpuTime;
    info->id = -1;
    if (state != VIR_DOMAIN_SHUTOFF) {
        cur = virDomainLookupByUUIDString(virDomainGetConnect(d), dom->uuid);
        if (!cur) {
            lv_error(err);
            return -1;
        }
        id = virDomainGetID(cur);
        info->id = id == (unsigned int)-1 ? -1 : (int)id;
        virDomainFree(cur);
    }
    return 0;
}

static int
lv_domain_get_xml(hv_domain *dom, unsigned int flags, char **xml,
                  hv_error *err)
{
    unsigned int vflags;
    char *s;

    if (lv_map_flags(flags, xml_flags, &vflags, err) < 0)
        return -1;
    if (!(s = virDomainGetXMLDesc(LV_DOM(dom), vflags))) {
        lv_error(err);
        return -1;
    }
    *xml = lv_gstr(s);
    return 0;
}

static int
lv_domain_is_persistent(hv_domain *dom, int *persistent, hv_error *err)
{
    int rc = virDomainIsPersistent(LV_DOM(dom));

    if (rc < 0) {
        lv_error(err);
        return -1;
    }
    *persistent = rc;
    return 0;
}

static int
lv_domain_has_managed_save(hv_domain *dom, int *has, hv_error *err)
{
    int rc = virDomainHasManagedSaveImage(LV_DOM(dom), 0);

    if (rc < 0) {
        lv_error(err);
        return -1;
    }
    *has = rc;
    return 0;
}

static int
lv_domain_shutdown(hv_domain *dom, unsigned int flags, hv_error *err)
{
    unsigned int vflags;
    int rc;

    if (lv_map_flags(flags, shutdown_flags, &vflags, err) < 0)
        return -1;
    rc = vflags ? virDomainShutdownFlags(LV_DOM(dom), vflags)
                : virDomainShutdown(LV_DOM(dom));
    return lv_check(rc, err);
}

static int
lv_domain_reboot(hv_domain *dom, unsigned int flags, hv_error *err)
{
    unsigned int vflags;

    if (lv_map_flags(flags, reboot_flags, &vflags, err) < 0)
        return -1;
    return lv_check(virDomainReboot(LV_DOM(dom), vflags), err);
}

static int
lv_domain_reset(hv_domain *dom, hv_error *err)
{
    return lv_check(virDomainReset(LV_DOM(dom), 0), err);
}

static int
lv_domain_destroy(hv_domain *dom, unsigned int flags, hv_error *err)
{
    unsigned int vflags;
    int rc;

    if (lv_map_flags(flags, destroy_flags, &vflags, err) < 0)
        return -1;
    rc = vflags ? virDomainDestroyFlags(LV_DOM(dom), vflags)
                : virDomainDestroy(LV_DOM(dom));
    return lv_check(rc, err);
}

static int
lv_domain_suspend(hv_domain *dom, hv_error *err)
{
    return lv_check(virDomainSuspend(LV_DOM(dom)), err);
}

static int
lv_domain_resume(hv_domain *dom, hv_error *err)
{
    return lv_check(virDomainResume(LV_DOM(dom)), err);
}

static int
lv_domain_managed_save(hv_domain *dom, hv_error *err)
{
    return lv_check(virDomainManagedSave(LV_DOM(dom), 0), err);
}

static int
lv_domain_managed_save_remove(hv_domain *dom, hv_error *err)
{
    return lv_check(virDomainManagedSaveRemove(LV_DOM(dom), 0), err);
}

static int
lv_domain_inject_nmi(hv_domain *dom, hv_error *err)
{
    return lv_check(virDomainInjectNMI(LV_DOM(dom), 0), err);
}

/* The three device calls share their shape: map flags, call, map error. */
static int
lv_device_call(hv_domain *dom, const char *xml, unsigned int flags,
               int (*call)(virDomainPtr, const char *, unsigned int),
               hv_error *err)
{
    unsigned int vflags;

    if (lv_map_flags(flags, device_flags, &vflags, err) < 0)
        return -1;
    return lv_check(call(LV_DOM(dom), xml, vflags), err);
}

static int
lv_domain_attach_device(hv_domain *dom, const char *xml, unsigned int flags,
                        hv_error *err)
{
    return lv_device_call(dom, xml, flags, virDomainAttachDeviceFlags, err);
}

static int
lv_domain_detach_device(hv_domain *dom, const char *xml, unsigned int flags,
                        hv_error *err)
{
    return lv_device_call(dom, xml, flags, virDomainDetachDeviceFlags, err);
}

static int
lv_domain_update_device(hv_domain *dom, const char *xml, unsigned int flags,
                        hv_error *err)
{
    return lv_device_call(dom, xml, flags, virDomainUpdateDeviceFlags, err);
}

static int
lv_domain_get_job_info(hv_domain *dom, hv_job_info *info, hv_error *err)
{
    virDomainJobInfo ji;

    if (virDomainGetJobInfo(LV_DOM(dom), &ji) < 0) {
        lv_error(err);
        return -1;
    }
    info->type = ji.type;
    info->time_elapsed_ms = ji.timeElapsed;
    info->data_total = ji.dataTotal;
    info->data_processed = ji.dataProcessed;
    info->data_remaining = ji.dataRemaining;
    info->mem_total = ji.memTotal;
    info->mem_processed = ji.memProcessed;
    info->mem_remaining = ji.memRemaining;
    return 0;
}

static int
lv_domain_abort_job(hv_domain *dom, hv_error *err)
{
    return lv_check(virDomainAbortJob(LV_DOM(dom)), err);
}

/* ---- migration ---- */

/* hv_migration->priv: one migration running on its own thread. */
typedef struct lv_migration {
    virDomainPtr dom;  /* our own reference to the source domain */
    char *dest_uri;
    gboolean p2p;
    unsigned int vflags;
    virTypedParameterPtr params;
    int nparams;
    GThread *thread;   /* joined by migration_release */
    gint done;         /* set last, after rc and error */
    int rc;
    hv_error error;    /* the migration's error, captured on its thread */
} lv_migration;

/*
 * The migration thread. Libvirt errors are thread-local, so the error is
 * captured here, before any other libvirt call could reset it.
 */
static gpointer
lv_migration_run(gpointer data)
{
    lv_migration *m = data;
    int rc = -1;

    if (m->p2p) {
        rc = virDomainMigrateToURI3(m->dom, m->dest_uri, m->params,
                                    m->nparams, m->vflags);
        if (rc < 0)
            lv_error(&m->error);
    } else {
        virConnectPtr dconn = virConnectOpen(m->dest_uri);
        virDomainPtr dd = NULL;

        if (!dconn) {
            lv_error(&m->error);
        } else {
            dd = virDomainMigrate3(m->dom, dconn, m->params, m->nparams,
                                   m->vflags);
            if (dd) {
                rc = 0;
                virDomainFree(dd);
            } else {
                lv_error(&m->error);
            }
            virConnectClose(dconn);
        }
    }
    m->rc = rc;
    g_atomic_int_set(&m->done, 1);
    return NULL;
}

static void
lv_migration_free(lv_migration *m)
{
    if (!m)
        return;
    if (m->thread)
        g_thread_join(m->thread);
    if (m->dom)
        virDomainFree(m->dom);
    virTypedParamsFree(m->params, m->nparams);
    g_free(m->dest_uri);
    g_free(m);
}

static int
lv_domain_migrate_start(hv_domain *dom, const hv_migrate_params *p,
                        unsigned int flags, hv_migration *mig, hv_error *err)
{
    lv_migration *m = NULL;
    int maxparams = 0;
    int ret = -1;

    if (!p || !p->dest_uri || !*p->dest_uri) {
        hv_error_set(err, HV_ERR_INVALID_ARG,
                     "migration needs a destination URI");
        return -1;
    }
    m = g_new0(lv_migration, 1);
    hv_error_reset(&m->error);
    if (lv_map_flags(flags, migrate_flags, &m->vflags, err) < 0)
        goto cleanup;
    m->p2p = (flags & HV_MIGRATE_PEER2PEER) != 0;
    m->dest_uri = g_strdup(p->dest_uri);
    if ((p->migrate_uri &&
         virTypedParamsAddString(&m->params, &m->nparams, &maxparams,
                                 VIR_MIGRATE_PARAM_URI, p->migrate_uri) < 0) ||
        (p->dest_xml &&
         virTypedParamsAddString(&m->params, &m->nparams, &maxparams,
                                 VIR_MIGRATE_PARAM_DEST_XML,
                                 p->dest_xml) < 0) ||
        (p->bandwidth_mib &&
         virTypedParamsAddULLong(&m->params, &m->nparams, &maxparams,
                                 VIR_MIGRATE_PARAM_BANDWIDTH,
                                 p->bandwidth_mib) < 0)) {
        lv_error(err);
        goto cleanup;
    }
    if (virDomainRef(LV_DOM(dom)) < 0) {
        lv_error(err);
        goto cleanup;
    }
    m->dom = LV_DOM(dom);
    m->thread = g_thread_new("hv-libvirt-migrate", lv_migration_run, m);
    mig->priv = g_steal_pointer(&m);
    ret = 0;

 cleanup:
    lv_migration_free(m);
    return ret;
}

static int
lv_migration_poll(hv_migration *mig, int *done, hv_error *err)
{
    lv_migration *m = mig->priv;

    if (!g_atomic_int_get(&m->done)) {
        *done = 0;
        return 0;
    }
    *done = 1;
    if (m->rc < 0) {
        hv_error_copy(err, &m->error);
        return -1;
    }
    return 0;
}

static void
lv_migration_release(hv_migration *mig)
{
    lv_migration_free(mig->priv);
    mig->priv = NULL;
}

static int
lv_domain_migrate_set_max_downtime(hv_domain *dom, uint64_t ms,
                                   hv_error *err)
{
    return lv_check(virDomainMigrateSetMaxDowntime(LV_DOM(dom), ms, 0), err);
}

static int
lv_domain_migrate_set_max_speed(hv_domain *dom, uint64_t mib, hv_error *err)
{
    if (mib > G_MAXULONG) {
        hv_error_set(err, HV_ERR_INVALID_ARG,
                     "bandwidth %" G_GUINT64_FORMAT " MiB/s is too large",
                     mib);
        return -1;
    }
    return lv_check(virDomainMigrateSetMaxSpeed(LV_DOM(dom), (unsigned long)mib, 0), err);
}

static int
lv_domain_migrate_start_post_copy(hv_domain *dom, hv_error *err)
{
    return lv_check(virDomainMigrateStartPostCopy(LV_DOM(dom), 0), err);
}

/* ---- storage ---- */

static virStoragePoolPtr
lv_pool(hv_conn *conn, const char *pool, hv_error *err)
{
    virConnectPtr vc = lv_vc(conn, err);
    virStoragePoolPtr p;

    if (!vc)
        return NULL;
    if (!(p = virStoragePoolLookupByName(vc, pool)))
        lv_error(err);
    return p;
}

static virStorageVolPtr
lv_vol(hv_conn *conn, const char *pool, const char *name, hv_error *err)
{
    virStoragePoolPtr p = lv_pool(conn, pool, err);
    virStorageVolPtr v = NULL;

    if (!p)
        return NULL;
    if (!(v = virStorageVolLookupByName(p, name)))
        lv_error(err);
    virStoragePoolFree(p);
    return v;
}

static int
lv_pool_get_info(hv_conn *conn, const char *pool, hv_pool_info *info,
                 hv_error *err)
{
    virStoragePoolPtr p = lv_pool(conn, pool, err);
    virStoragePoolInfo pi;
    int ret = -1;

    if (!p)
        return -1;
    /* best effort: stale numbers beat none (an inactive pool fails here) */
    if (virStoragePoolRefresh(p, 0) < 0)
        virResetLastError();
    if (virStoragePoolGetInfo(p, &pi) < 0) {
        lv_error(err);
        goto cleanup;
    }
    info->capacity = pi.capacity;
    info->allocation = pi.allocation;
    info->available = pi.available;
    ret = 0;

 cleanup:
    virStoragePoolFree(p);
    return ret;
}

/* <child>text</child> under parent, text escaped by libxml2. */
static xmlNodePtr
lv_xml_text(xmlNodePtr parent, const char *child, const char *text)
{
    return xmlNewTextChild(parent, NULL, BAD_CAST child, BAD_CAST text);
}

/* <format type='fmt'/> under parent. */
static void
lv_xml_format(xmlNodePtr parent, const char *fmt)
{
    xmlNodePtr n = xmlNewChild(parent, NULL, BAD_CAST "format", NULL);

    xmlNewProp(n, BAD_CAST "type", BAD_CAST fmt);
}

/*
 * The volume XML for spec, built as a tree so that no user string can
 * change its structure. Allocation 0: sparse, like qemu-img create.
 */
static char *
lv_vol_xml(const hv_vol_spec *spec)
{
    xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
    xmlNodePtr root = xmlNewDocNode(doc, NULL, BAD_CAST "volume", NULL);
    xmlNodePtr n;
    xmlChar *buf = NULL;
    int len = 0;
    char num[32];
    char *out;

    xmlDocSetRootElement(doc, root);
    lv_xml_text(root, "name", spec->name);
    g_snprintf(num, sizeof(num), "%" G_GUINT64_FORMAT, spec->capacity);
    n = lv_xml_text(root, "capacity", num);
    xmlNewProp(n, BAD_CAST "unit", BAD_CAST "bytes");
    g_snprintf(num, sizeof(num), "%" G_GUINT64_FORMAT, spec->allocation);
    n = lv_xml_text(root, "allocation", num);
    xmlNewProp(n, BAD_CAST "unit", BAD_CAST "bytes");
    if (spec->format && *spec->format) {
        n = xmlNewChild(root, NULL, BAD_CAST "target", NULL);
        lv_xml_format(n, spec->format);
    }
    if (spec->backing_path && *spec->backing_path) {
        n = xmlNewChild(root, NULL, BAD_CAST "backingStore", NULL);
        lv_xml_text(n, "path", spec->backing_path);
        if (spec->backing_format && *spec->backing_format)
            lv_xml_format(n, spec->backing_format);
    }
    xmlDocDumpMemory(doc, &buf, &len);
    out = g_strndup((const char *)buf, len > 0 ? (gsize)len : 0);
    xmlFree(buf);
    xmlFreeDoc(doc);
    return out;
}

static int
lv_vol_create(hv_conn *conn, const char *pool, const hv_vol_spec *spec,
              hv_error *err)
{
    virStoragePoolPtr p = NULL;
    virStorageVolPtr v = NULL;
    char *xml = NULL;
    int ret = -1;

    if (!spec || !spec->name || !*spec->name) {
        hv_error_set(err, HV_ERR_INVALID_ARG, "volume needs a name");
        return -1;
    }
    if (!(p = lv_pool(conn, pool, err)))
        goto cleanup;
    xml = lv_vol_xml(spec);
    if (!(v = virStorageVolCreateXML(p, xml, 0))) {
        lv_error(err);
        goto cleanup;
    }
    ret = 0;

 cleanup:
    if (v)
        virStorageVolFree(v);
    if (p)
        virStoragePoolFree(p);
    g_free(xml);
    return ret;
}

static int
lv_vol_delete(hv_conn *conn, const char *pool, const char *name,
              hv_error *err)
{
    virStorageVolPtr v = lv_vol(conn, pool, name, err);
    int ret = -1;

    if (!v)
        return -1;
    if (virStorageVolDelete(v, 0) < 0) {
        lv_error(err);
        goto cleanup;
    }
    ret = 0;

 cleanup:
    virStorageVolFree(v);
    return ret;
}

/* The string value of an XPath expression, or NULL if empty. g_free it. */
static char *
lv_xpath_string(xmlXPathContextPtr ctx, const char *expr)
{
    xmlXPathObjectPtr obj = xmlXPathEvalExpression(BAD_CAST expr, ctx);
    char *s = NULL;

    if (obj && obj->type == XPATH_STRING && obj->stringval &&
        obj->stringval[0])
        s = g_strdup((const char *)obj->stringval);
    xmlXPathFreeObject(obj);
    return s;
}

/* Copy src into a fixed field of hv_vol_info, refusing to truncate. */
static int
lv_copy_field(char *dst, size_t len, const char *src, const char *what,
              hv_error *err)
{
    if (g_strlcpy(dst, src ? src : "", len) >= len) {
        hv_error_set(err, HV_ERR_INTERNAL_ERROR,
                     "volume %s longer than %zu bytes: '%s'", what, len - 1,
                     src);
        return -1;
    }
    return 0;
}

static int
lv_vol_get_info(hv_conn *conn, const char *pool, const char *name,
                hv_vol_info *info, hv_error *err)
{
    virStorageVolPtr v = lv_vol(conn, pool, name, err);
    virStorageVolInfo vi;
    char *xml = NULL;
    xmlDocPtr doc = NULL;
    xmlXPathContextPtr ctx = NULL;
    char *format = NULL;
    char *backing = NULL;
    char *backing_format = NULL;
    int ret = -1;

    if (!v)
        return -1;
    if (virStorageVolGetInfo(v, &vi) < 0 ||
        !(xml = virStorageVolGetXMLDesc(v, 0))) {
        lv_error(err);
        goto cleanup;
    }
    doc = xmlReadMemory(xml, (int)strlen(xml), "volume.xml", NULL,
                        XML_PARSE_NONET | XML_PARSE_NOERROR |
                            XML_PARSE_NOWARNING);
    if (!doc || !(ctx = xmlXPathNewContext(doc))) {
        hv_error_set(err, HV_ERR_XML_ERROR,
                     "cannot parse the XML of volume '%s/%s'", pool, name);
        goto cleanup;
    }
    format = lv_xpath_string(ctx, "string(/volume/target/format/@type)");
    backing = lv_xpath_string(ctx, "string(/volume/backingStore/path)");
    backing_format = lv_xpath_string(ctx,
                                     "string(/volume/backingStore/format/@type)");
    info->capacity = vi.capacity;
    info->allocation = vi.allocation;
    if (lv_copy_field(info->format, sizeof(info->format), format, "format",
                      err) < 0 ||
        lv_copy_field(info->backing_path, sizeof(info->backing_path), backing,
                      "backing path", err) < 0 ||
        lv_copy_field(info->backing_format, sizeof(info->backing_format),
                      backing_format, "backing format", err) < 0)
        goto cleanup;
    ret = 0;

 cleanup:
    g_free(format);
    g_free(backing);
    g_free(backing_format);
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
    free(xml);
    virStorageVolFree(v);
    return ret;
}

static int
lv_vol_resize(hv_conn *conn, const char *pool, const char *name,
              uint64_t capacity, hv_error *err)
{
    virStorageVolPtr v = lv_vol(conn, pool, name, err);
    int ret = -1;

    if (!v)
        return -1;
    if (virStorageVolResize(v, capacity, 0) < 0) {
        lv_error(err);
        goto cleanup;
    }
    ret = 0;

 cleanup:
    virStorageVolFree(v);
    return ret;
}

static int
lv_vol_get_path(hv_conn *conn, const char *pool, const char *name,
                char **path, hv_error *err)
{
    virStorageVolPtr v = lv_vol(conn, pool, name, err);
    char *s;
    int ret = -1;

    if (!v)
        return -1;
    if (!(s = virStorageVolGetPath(v))) {
        lv_error(err);
        goto cleanup;
    }
    *path = lv_gstr(s);
    ret = 0;

 cleanup:
    virStorageVolFree(v);
    return ret;
}

static int
lv_strcmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
lv_vol_list(hv_conn *conn, const char *pool, char ***names, hv_error *err)
{
    virStoragePoolPtr p = lv_pool(conn, pool, err);
    virStorageVolPtr *vols = NULL;
    char **out;
    int n;
    int ret = -1;

    if (!p)
        return -1;
    if ((n = virStoragePoolListAllVolumes(p, &vols, 0)) < 0) {
        lv_error(err);
        goto cleanup;
    }
    out = g_new0(char *, n + 1);
    for (int i = 0; i < n; i++) {
        out[i] = g_strdup(virStorageVolGetName(vols[i]));
        virStorageVolFree(vols[i]);
    }
    free(vols);
    qsort(out, n, sizeof(*out), lv_strcmp);
    *names = out;
    ret = 0;

 cleanup:
    virStoragePoolFree(p);
    return ret;
}

/* ---- the table ---- */

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

    .clock_now = lv_now,
    .clock_wait = lv_wait,
    .clock_random = lv_random,

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
