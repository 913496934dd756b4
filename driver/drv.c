/*
 * drv.c: the compute driver — host, query, lifecycle and events over hv.
 *
 * Behaviour follows Nova's libvirt driver (../shared/reference): the same
 * retries, ignored errors, fallbacks and wait loops, with every wait on the
 * hv clock (drv_sleep), so a run on the fake is exact in virtual time.
 */
#include "drv-priv.h"

#include <errno.h>
#include <glib.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <stdarg.h>
#include <string.h>

/* libvirt and QEMU older than these are refused, as by the reference. */
#define MIN_LIBVIRT_VERSION 1002001UL /* 1.2.1 */
#define MIN_QEMU_VERSION 1005003UL    /* 1.5.3 */
/* A STOPPED event waits this long for a following event that cancels it. */
#define LIFECYCLE_DELAY_NS (15 * HV_NS_PER_SEC)
/* The reference's looping-call intervals. */
#define POLL_NS (HV_NS_PER_SEC / 2)
#define DESTROY_ATTEMPTS 3
/* Bound on waiting for RUNNING after a start (the reference waits forever). */
#define WAIT_RUNNING_NS (300 * HV_NS_PER_SEC)

typedef struct delayed_event {
    drv_lifecycle_event ev;
    int64_t due;
} delayed_event;

struct drv {
    drv_config cfg;
    hv_conn *conn;
    char *hostname;
    bool initialized;
    bool host_enabled;
    bool events_registered;
    drv_event_listener listener;
    void *listener_opaque;
    drv_vif_plug_hook vif_hook;
    void *vif_hook_opaque;
    GHashTable *vif_events; /* "uuid/vif" -> "completed" | "failed" */
    GArray *delayed;        /* delayed_event, at most one per uuid */
    GHashTable *unrescue;   /* uuid -> domain XML before rescue */
};

/* ---- errors ---- */

static const char *const kind_names[] = {
    [DRV_OK] = "OK",
    [DRV_ERR_INVALID_CONFIG] = "InvalidConfiguration",
    [DRV_ERR_INVALID_INSTANCE] = "InvalidInstance",
    [DRV_ERR_HYPERVISOR] = "HypervisorError",
    [DRV_ERR_VERSION] = "VersionTooOld",
    [DRV_ERR_HOST_UNAVAILABLE] = "HypervisorUnavailable",
    [DRV_ERR_INSTANCE_NOT_FOUND] = "InstanceNotFound",
    [DRV_ERR_INSTANCE_EXISTS] = "InstanceExists",
    [DRV_ERR_INSTANCE_NOT_RUNNING] = "InstanceNotRunning",
    [DRV_ERR_INSTANCE_POWER_OFF_FAILURE] = "InstancePowerOffFailure",
    [DRV_ERR_INSTANCE_REBOOT_FAILURE] = "InstanceRebootFailure",
    [DRV_ERR_INSTANCE_NOT_RESCUABLE] = "InstanceNotRescuable",
    [DRV_ERR_VIF_CREATE] = "VirtualInterfaceCreateException",
    [DRV_ERR_NMI_NOT_SUPPORTED] = "TriggerCrashDumpNotSupported",
    [DRV_ERR_INVALID_HOSTNAME] = "InvalidHostname",
    [DRV_ERR_NOT_SUPPORTED] = "NotImplementedError",
    [DRV_ERR_DISK_FULL] = "DiskFull",
};

void
drv_error_reset(drv_error *err)
{
    if (!err)
        return;
    err->kind = DRV_OK;
    err->message[0] = '\0';
    hv_error_reset(&err->hv);
}

void
drv_error_set(drv_error *err, drv_error_kind kind, const char *fmt, ...)
{
    va_list ap;

    if (!err || err->kind != DRV_OK)
        return;
    err->kind = kind;
    va_start(ap, fmt);
    g_vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
}

const char *
drv_error_kind_name(drv_error_kind kind)
{
    if ((int)kind < 0 || (size_t)kind >= G_N_ELEMENTS(kind_names) ||
        !kind_names[kind])
        return "Unknown";
    return kind_names[kind];
}

int
drv_error_kind_from_name(const char *name)
{
    for (size_t i = 0; name && i < G_N_ELEMENTS(kind_names); i++)
        if (kind_names[i] && strcmp(kind_names[i], name) == 0)
            return (int)i;
    return -1;
}

/* An hv failure nobody handled: keep the hv error under the driver's. */
static void
set_hv_error(drv_error *err, const hv_error *hv, const char *what,
             const drv_instance *inst)
{
    if (!err || err->kind != DRV_OK)
        return;
    drv_error_set(err, DRV_ERR_HYPERVISOR, "%s%s%s: %s (%s)", what,
                  inst ? " of instance " : "", inst ? inst->uuid : "",
                  hv->message, hv_error_code_name(hv->code));
    err->hv = *hv;
}

static void
set_not_found(drv_error *err, const drv_instance *inst, const hv_error *hv)
{
    drv_error_set(err, DRV_ERR_INSTANCE_NOT_FOUND,
                  "Instance %s could not be found.", inst->uuid);
    if (err && hv)
        err->hv = *hv;
}

/* ---- power states ---- */

int
drv_power_state_from_hv(int hv_state)
{
    switch (hv_state) {
    case HV_STATE_RUNNING:
    case HV_STATE_BLOCKED:
        return DRV_POWER_RUNNING;
    case HV_STATE_PAUSED:
        return DRV_POWER_PAUSED;
    case HV_STATE_SHUTDOWN:
    case HV_STATE_SHUTOFF:
        return DRV_POWER_SHUTDOWN;
    case HV_STATE_CRASHED:
        return DRV_POWER_CRASHED;
    case HV_STATE_PMSUSPENDED:
        return DRV_POWER_SUSPENDED;
    default:
        return DRV_POWER_NOSTATE;
    }
}

const char *
drv_power_state_name(int state)
{
    switch (state) {
    case DRV_POWER_NOSTATE:
        return "NOSTATE";
    case DRV_POWER_RUNNING:
        return "RUNNING";
    case DRV_POWER_PAUSED:
        return "PAUSED";
    case DRV_POWER_SHUTDOWN:
        return "SHUTDOWN";
    case DRV_POWER_CRASHED:
        return "CRASHED";
    case DRV_POWER_SUSPENDED:
        return "SUSPENDED";
    default:
        return "UNKNOWN";
    }
}

const char *
drv_event_name(int transition)
{
    static const char *const names[] = {"STARTED", "STOPPED", "PAUSED",
                                        "RESUMED", "SUSPENDED"};
    if (transition < 0 || (size_t)transition >= G_N_ELEMENTS(names))
        return "UNKNOWN";
    return names[transition];
}

const char *
drv_kv_get(const drv_kv *kv, unsigned int n, const char *key)
{
    for (unsigned int i = 0; i < n; i++)
        if (strcmp(kv[i].key, key) == 0)
            return kv[i].value;
    return NULL;
}

/* ---- driver object ---- */

static char **
strv_copy(char **v)
{
    return v ? g_strdupv(v) : NULL;
}

drv *
drv_new(const drv_config *cfg, hv_conn *conn, drv_error *err)
{
    drv *d;

    drv_error_reset(err);
    if (!cfg || !conn) {
        drv_error_set(err, DRV_ERR_INVALID_CONFIG,
                      "a driver needs a configuration and a connection");
        return NULL;
    }
    d = g_new0(drv, 1);
    d->cfg = *cfg;
    d->cfg.virt_type = g_strdup(cfg->virt_type ? cfg->virt_type : "kvm");
    d->cfg.storage_pool = g_strdup(cfg->storage_pool ? cfg->storage_pool
                                                     : "hvd");
    d->cfg.instances_path = g_strdup(cfg->instances_path
                                         ? cfg->instances_path
                                         : "/var/lib/hvd/instances");
    d->cfg.disk_cachemodes = strv_copy(cfg->disk_cachemodes);
    d->conn = conn;
    d->vif_events = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                          g_free);
    d->delayed = g_array_new(FALSE, FALSE, sizeof(delayed_event));
    d->unrescue = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                        g_free);
    return d;
}

void
drv_free(drv *d)
{
    if (!d)
        return;
    drv_cleanup_host(d);
    drv_config_clear(&d->cfg);
    g_free(d->hostname);
    g_hash_table_destroy(d->vif_events);
    g_array_free(d->delayed, TRUE);
    g_hash_table_destroy(d->unrescue);
    g_free(d);
}

hv_conn *
drv_conn(drv *d)
{
    return d->conn;
}

void
drv_register_event_listener(drv *d, drv_event_listener fn, void *opaque)
{
    d->listener = fn;
    d->listener_opaque = opaque;
}

void
drv_set_vif_plug_hook(drv *d, drv_vif_plug_hook fn, void *opaque)
{
    d->vif_hook = fn;
    d->vif_hook_opaque = opaque;
}

/* ---- lifecycle events ---- */

static void
emit_now(drv *d, const drv_lifecycle_event *ev)
{
    if (d->listener)
        d->listener(d->listener_opaque, ev);
}

/*
 * Any event for an instance cancels its pending STOPPED; a STOPPED waits
 * LIFECYCLE_DELAY_NS before it is emitted (a reboot's STOPPED is followed
 * by a STARTED and never reaches the listener).
 */
static void
emit_delayed(drv *d, const drv_lifecycle_event *ev)
{
    for (guint i = 0; i < d->delayed->len; i++) {
        delayed_event *p = &g_array_index(d->delayed, delayed_event, i);
        if (strcmp(p->ev.uuid, ev->uuid) == 0) {
            g_array_remove_index(d->delayed, i);
            break;
        }
    }
    if (ev->transition == DRV_EVENT_STOPPED) {
        delayed_event p = {.ev = *ev, .due = ev->time_ns + LIFECYCLE_DELAY_NS};
        g_array_append_val(d->delayed, p);
    } else {
        emit_now(d, ev);
    }
}

/* Emit the delayed events that are due, oldest first. */
static void
flush_delayed(drv *d)
{
    int64_t now = hv_now(d->conn);

    for (guint i = 0; i < d->delayed->len;) {
        delayed_event p = g_array_index(d->delayed, delayed_event, i);
        if (p.due <= now) {
            g_array_remove_index(d->delayed, i);
            p.ev.time_ns = p.due;
            emit_now(d, &p.ev);
        } else {
            i++;
        }
    }
}

static void
on_hv_event(hv_conn *conn, const hv_event *ev, void *opaque)
{
    drv *d = opaque;
    drv_lifecycle_event out = {.time_ns = ev->time_ns};

    (void)conn;
    switch (ev->type) {
    case HV_EVENT_STARTED:
        out.transition = DRV_EVENT_STARTED;
        break;
    case HV_EVENT_STOPPED:
        out.transition = DRV_EVENT_STOPPED;
        break;
    case HV_EVENT_SUSPENDED:
        out.transition = DRV_EVENT_PAUSED;
        break;
    case HV_EVENT_RESUMED:
        out.transition = DRV_EVENT_RESUMED;
        break;
    case HV_EVENT_PMSUSPENDED:
        out.transition = DRV_EVENT_SUSPENDED;
        break;
    default:
        return; /* defined, undefined, shutdown, reboot: not lifecycle */
    }
    g_strlcpy(out.uuid, ev->uuid ? ev->uuid : "", sizeof(out.uuid));
    emit_delayed(d, &out);
}

static int
register_events(drv *d, hv_error *hv)
{
    if (hv_conn_events_register(d->conn, on_hv_event, d, hv) < 0)
        return -1;
    d->events_registered = true;
    return 0;
}

/*
 * A lost connection disables the host until a reconnect succeeds; then
 * events are registered again and the host is enabled.
 */
static void
check_connection(drv *d)
{
    hv_error hv;

    if (!d->initialized)
        return;
    if (hv_conn_is_alive(d->conn, &hv) == 1) {
        d->host_enabled = true;
        return;
    }
    d->host_enabled = false;
    if (hv_conn_reconnect(d->conn, &hv) == 0 && register_events(d, &hv) == 0)
        d->host_enabled = true;
}

/*
 * Let ns pass on the hv clock in steps that end at each delayed event's due
 * time, so delayed events are emitted exactly when due.
 */
static int
drv_sleep(drv *d, int64_t ns, drv_error *err)
{
    int64_t now = hv_now(d->conn), end = now + ns;
    hv_error hv;

    do {
        int64_t step = end - now;

        for (guint i = 0; i < d->delayed->len; i++) {
            int64_t due = g_array_index(d->delayed, delayed_event, i).due;
            if (due > now && due - now < step)
                step = due - now;
        }
        if (hv_sleep(d->conn, step, &hv) < 0) {
            set_hv_error(err, &hv, "sleep", NULL);
            return -1;
        }
        flush_delayed(d);
        now = hv_now(d->conn);
    } while (now < end);
    return 0;
}

int
drv_wait(drv *d, int64_t ns, drv_error *err)
{
    drv_error_reset(err);
    if (drv_sleep(d, ns, err) < 0)
        return -1;
    check_connection(d);
    return 0;
}

/* ---- host ---- */

static void
version_string(unsigned long v, char *buf, size_t len)
{
    g_snprintf(buf, len, "%lu.%lu.%lu", v / 1000000, (v / 1000) % 1000,
               v % 1000);
}

static bool
is_qemu_type(const drv *d)
{
    return strcmp(d->cfg.virt_type, "kvm") == 0 ||
           strcmp(d->cfg.virt_type, "qemu") == 0;
}

int
drv_init_host(drv *d, const char *host, drv_error *err)
{
    unsigned long lib = 0, hv_ver = 0;
    char want[32];
    hv_error hv;

    drv_error_reset(err);
    if (host && strchr(host, '/')) {
        drv_error_set(err, DRV_ERR_INVALID_HOSTNAME,
                      "invalid host name '%s'", host);
        return -1;
    }
    if (hv_conn_get_version(d->conn, &lib, &hv_ver, &hv) < 0) {
        set_hv_error(err, &hv, "cannot read the hypervisor versions", NULL);
        return -1;
    }
    if (lib < MIN_LIBVIRT_VERSION) {
        version_string(MIN_LIBVIRT_VERSION, want, sizeof(want));
        drv_error_set(err, DRV_ERR_VERSION,
                      "hvd requires libvirt version %s or greater.", want);
        return -1;
    }
    if (is_qemu_type(d) && hv_ver < MIN_QEMU_VERSION) {
        version_string(MIN_QEMU_VERSION, want, sizeof(want));
        drv_error_set(err, DRV_ERR_VERSION,
                      "hvd requires QEMU version %s or greater.", want);
        return -1;
    }
    g_free(d->hostname);
    if (!(d->hostname = hv_conn_get_hostname(d->conn, &hv))) {
        set_hv_error(err, &hv, "cannot read the hostname", NULL);
        return -1;
    }
    if (register_events(d, &hv) < 0) {
        set_hv_error(err, &hv, "cannot register for events", NULL);
        return -1;
    }
    d->initialized = true;
    d->host_enabled = true;
    return 0;
}

void
drv_cleanup_host(drv *d)
{
    if (!d)
        return;
    d->initialized = false;
    d->host_enabled = false;
}

bool
drv_host_enabled(drv *d)
{
    return d->initialized && d->host_enabled;
}

/* Sum over running domains of vCPUs and memory. */
static int
used_by_domains(drv *d, unsigned int *vcpus, uint64_t *mem_kib,
                drv_error *err)
{
    hv_domain **doms = NULL;
    hv_error hv;
    int n = hv_domain_list(d->conn, HV_LIST_ACTIVE, &doms, &hv);

    *vcpus = 0;
    *mem_kib = 0;
    if (n < 0) {
        set_hv_error(err, &hv, "cannot list domains", NULL);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        hv_domain_info info;
        /* a domain that went away meanwhile uses nothing */
        if (hv_domain_get_info(doms[i], &info, &hv) == 0) {
            *vcpus += info.nr_vcpus;
            *mem_kib += info.mem_kib;
        }
    }
    hv_domain_list_free(doms, n);
    return 0;
}

int
drv_get_available_resource(drv *d, drv_resources *res, drv_error *err)
{
    hv_node_info node;
    hv_pool_info pool;
    unsigned long lib = 0, hv_ver = 0;
    uint64_t used_kib;
    hv_error hv;

    drv_error_reset(err);
    memset(res, 0, sizeof(*res));
    if (hv_node_get_info(d->conn, &node, &hv) < 0 ||
        hv_pool_get_info(d->conn, d->cfg.storage_pool, &pool, &hv) < 0 ||
        hv_conn_get_version(d->conn, &lib, &hv_ver, &hv) < 0) {
        set_hv_error(err, &hv, "cannot read host resources", NULL);
        return -1;
    }
    if (used_by_domains(d, &res->vcpus_used, &used_kib, err) < 0)
        return -1;
    res->vcpus = node.cpus;
    res->memory_mb = node.memory_kib / 1024;
    /* like the reference: used memory counts what the host keeps back */
    res->memory_mb_used = used_kib / 1024 +
                          (uint64_t)d->cfg.reserved_host_memory_mb;
    res->local_gb = pool.capacity >> 30;
    res->local_gb_used = pool.allocation >> 30;
    g_strlcpy(res->hypervisor_type,
              is_qemu_type(d) ? "QEMU" : d->cfg.virt_type,
              sizeof(res->hypervisor_type));
    res->hypervisor_version = hv_ver;
    g_strlcpy(res->hypervisor_hostname, d->hostname ? d->hostname : "",
              sizeof(res->hypervisor_hostname));
    return 0;
}

int
drv_get_inventory(drv *d, drv_inventory *inv, drv_error *err)
{
    drv_resources res;

    if (drv_get_available_resource(d, &res, err) < 0)
        return -1;
    memset(inv, 0, sizeof(*inv));
    inv->vcpu = (drv_inventory_class){
        .total = res.vcpus, .reserved = (uint64_t)d->cfg.reserved_host_cpus,
        .min_unit = 1, .max_unit = res.vcpus, .step_size = 1,
        .allocation_ratio = d->cfg.cpu_allocation_ratio};
    inv->memory_mb = (drv_inventory_class){
        .total = res.memory_mb,
        .reserved = (uint64_t)d->cfg.reserved_host_memory_mb, .min_unit = 1,
        .max_unit = res.memory_mb, .step_size = 1,
        .allocation_ratio = d->cfg.ram_allocation_ratio};
    inv->disk_gb = (drv_inventory_class){
        .total = res.local_gb,
        /* reserved disk is configured in MiB and rounded up to GiB */
        .reserved = ((uint64_t)d->cfg.reserved_host_disk_mb + 1023) / 1024,
        .min_unit = 1, .max_unit = res.local_gb, .step_size = 1,
        .allocation_ratio = d->cfg.disk_allocation_ratio};
    return 0;
}

int
drv_get_host_uptime(drv *d, int64_t *seconds, drv_error *err)
{
    hv_error hv;

    drv_error_reset(err);
    if (hv_node_get_uptime(d->conn, seconds, &hv) < 0) {
        set_hv_error(err, &hv, "cannot read the host uptime", NULL);
        return -1;
    }
    return 0;
}

int
drv_get_host_cpu_stats(drv *d, drv_cpu_stats *st, drv_error *err)
{
    hv_cpu_stats cs;
    hv_node_info node;
    hv_error hv;

    drv_error_reset(err);
    if (hv_node_get_cpu_stats(d->conn, &cs, &hv) < 0 ||
        hv_node_get_info(d->conn, &node, &hv) < 0) {
        set_hv_error(err, &hv, "cannot read host CPU statistics", NULL);
        return -1;
    }
    st->kernel = cs.kernel;
    st->idle = cs.idle;
    st->user = cs.user;
    st->iowait = cs.iowait;
    st->frequency = node.mhz;
    return 0;
}

int
drv_get_available_nodes(drv *d, char ***nodes, drv_error *err)
{
    hv_error hv;

    drv_error_reset(err);
    if (!d->hostname && !(d->hostname = hv_conn_get_hostname(d->conn, &hv))) {
        set_hv_error(err, &hv, "cannot read the hostname", NULL);
        return -1;
    }
    *nodes = g_new0(char *, 2);
    (*nodes)[0] = g_strdup(d->hostname);
    return 0;
}

bool
drv_node_is_available(drv *d, const char *nodename)
{
    char **nodes = NULL;
    drv_error err;
    bool yes;

    if (!nodename || drv_get_available_nodes(d, &nodes, &err) < 0)
        return false;
    yes = g_strv_contains((const char *const *)nodes, nodename);
    g_strfreev(nodes);
    return yes;
}

/* CPU feature names of the capabilities XML as traits. */
static const struct {
    const char *feature, *trait;
} cpu_traits[] = {
    {"aes", "HW_CPU_X86_AESNI"},    {"avx", "HW_CPU_X86_AVX"},
    {"avx2", "HW_CPU_X86_AVX2"},    {"sse", "HW_CPU_X86_SSE"},
    {"sse2", "HW_CPU_X86_SSE2"},    {"sse4.1", "HW_CPU_X86_SSE41"},
    {"sse4.2", "HW_CPU_X86_SSE42"}, {"ssse3", "HW_CPU_X86_SSSE3"},
    {"vmx", "HW_CPU_X86_VMX"},      {"svm", "HW_CPU_X86_SVM"},
    {"x2apic", "HW_CPU_X86_X2APIC"},
};

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int
drv_get_traits(drv *d, char ***traits, drv_error *err)
{
    char *caps;
    xmlDocPtr doc;
    xmlXPathContextPtr ctx = NULL;
    xmlXPathObjectPtr res = NULL;
    GPtrArray *out = g_ptr_array_new();
    hv_error hv;

    drv_error_reset(err);
    if (!(caps = hv_conn_get_capabilities(d->conn, &hv))) {
        set_hv_error(err, &hv, "cannot read capabilities", NULL);
        g_ptr_array_free(out, TRUE);
        return -1;
    }
    doc = xmlReadMemory(caps, (int)strlen(caps), "capabilities.xml", NULL,
                        XML_PARSE_NONET | XML_PARSE_NOERROR |
                            XML_PARSE_NOWARNING);
    g_free(caps);
    if (doc && (ctx = xmlXPathNewContext(doc)) &&
        (res = xmlXPathEvalExpression(
             (const xmlChar *)"/capabilities/host/cpu/feature/@name", ctx)) &&
        res->nodesetval) {
        for (int i = 0; i < res->nodesetval->nodeNr; i++) {
            xmlChar *name = xmlNodeGetContent(res->nodesetval->nodeTab[i]);
            for (size_t k = 0; name && k < G_N_ELEMENTS(cpu_traits); k++)
                if (strcmp((const char *)name, cpu_traits[k].feature) == 0)
                    g_ptr_array_add(out, g_strdup(cpu_traits[k].trait));
            xmlFree(name);
        }
    }
    xmlXPathFreeObject(res);
    xmlXPathFreeContext(ctx);
    if (!doc) {
        g_ptr_array_free(out, TRUE);
        drv_error_set(err, DRV_ERR_HYPERVISOR,
                      "the hypervisor's capabilities are not XML");
        return -1;
    }
    xmlFreeDoc(doc);
    g_ptr_array_sort(out, cmp_str);
    g_ptr_array_add(out, NULL);
    *traits = (char **)g_ptr_array_free(out, FALSE);
    return 0;
}

/* ---- query ---- */

/* The instance's domain; NULL with InstanceNotFound or the hv error. */
static hv_domain *
get_guest(drv *d, const drv_instance *inst, drv_error *err)
{
    hv_error hv;
    hv_domain *dom = hv_domain_lookup_by_uuid(d->conn, inst->uuid, &hv);

    if (!dom) {
        if (hv.code == HV_ERR_NO_DOMAIN)
            set_not_found(err, inst, &hv);
        else
            set_hv_error(err, &hv, "lookup", inst);
    }
    return dom;
}

/* Power state and ID of a domain; -1 with an error (NO_DOMAIN → not found). */
static int
guest_state(drv *d, const drv_instance *inst, hv_domain *dom, int *id,
            drv_error *err)
{
    hv_domain_info info;
    hv_error hv;

    (void)d;
    if (hv_domain_get_info(dom, &info, &hv) < 0) {
        if (hv.code == HV_ERR_NO_DOMAIN)
            set_not_found(err, inst, &hv);
        else
            set_hv_error(err, &hv, "get_info", inst);
        return -1;
    }
    if (id)
        *id = info.id;
    return drv_power_state_from_hv(info.state);
}

int
drv_get_info(drv *d, const drv_instance *inst, drv_info *out, drv_error *err)
{
    hv_domain *dom;
    hv_domain_info info;
    hv_error hv;
    int ret = -1;

    drv_error_reset(err);
    if (!(dom = get_guest(d, inst, err)))
        return -1;
    if (hv_domain_get_info(dom, &info, &hv) < 0) {
        if (hv.code == HV_ERR_NO_DOMAIN)
            set_not_found(err, inst, &hv);
        else
            set_hv_error(err, &hv, "get_info", inst);
        goto cleanup;
    }
    out->state = drv_power_state_from_hv(info.state);
    out->id = info.id;
    out->max_mem_kb = info.max_mem_kib;
    out->mem_kb = info.mem_kib;
    out->num_cpu = info.nr_vcpus;
    out->cpu_time_ns = info.cpu_time_ns;
    ret = 0;

cleanup:
    hv_domain_free(dom);
    return ret;
}

int
drv_instance_exists(drv *d, const drv_instance *inst, drv_error *err)
{
    hv_domain *dom;

    drv_error_reset(err);
    if ((dom = get_guest(d, inst, err))) {
        hv_domain_free(dom);
        return 1;
    }
    if (err->kind == DRV_ERR_INSTANCE_NOT_FOUND) {
        drv_error_reset(err);
        return 0;
    }
    return -1;
}

/* Names or uuids of every domain. */
static int
list_domains(drv *d, bool uuids, char ***out, drv_error *err)
{
    hv_domain **doms = NULL;
    hv_error hv;
    int n;

    drv_error_reset(err);
    if ((n = hv_domain_list(d->conn, HV_LIST_ALL, &doms, &hv)) < 0) {
        set_hv_error(err, &hv, "cannot list domains", NULL);
        return -1;
    }
    *out = g_new0(char *, (size_t)n + 1);
    for (int i = 0; i < n; i++)
        (*out)[i] = g_strdup(uuids ? hv_domain_uuid(doms[i])
                                   : hv_domain_name(doms[i]));
    hv_domain_list_free(doms, n);
    return n;
}

int
drv_list_instances(drv *d, char ***names, drv_error *err)
{
    return list_domains(d, false, names, err) < 0 ? -1 : 0;
}

int
drv_list_instance_uuids(drv *d, char ***uuids, drv_error *err)
{
    return list_domains(d, true, uuids, err) < 0 ? -1 : 0;
}

int
drv_get_num_instances(drv *d, drv_error *err)
{
    char **names = NULL;
    int n = list_domains(d, false, &names, err);

    g_strfreev(names);
    return n;
}

int
drv_get_diagnostics(drv *d, const drv_instance *inst, drv_diagnostics *diag,
                    drv_error *err)
{
    drv_info info;
    hv_domain *dom;
    char *xml;
    hv_error hv;

    if (drv_get_info(d, inst, &info, err) < 0)
        return -1;
    memset(diag, 0, sizeof(*diag));
    diag->state = info.state;
    diag->cpu_time_ns = info.cpu_time_ns;
    diag->memory_kb = info.mem_kb;
    diag->num_cpus = info.num_cpu;
    diag->uptime_s = -1;
    if (!(dom = get_guest(d, inst, err)))
        return -1;
    if ((xml = hv_domain_get_xml(dom, 0, &hv))) {
        for (const char *p = xml; (p = strstr(p, "<disk ")); p++)
            diag->num_disks++;
        for (const char *p = xml; (p = strstr(p, "<interface ")); p++)
            diag->num_nics++;
        g_free(xml);
    }
    hv_domain_free(dom);
    return 0;
}

/* ---- disks ---- */

/* The names of an instance's own volumes in the pool. */
typedef enum { VOL_ROOT, VOL_EPHEMERAL, VOL_SWAP, VOL_RESCUE, VOL__COUNT }
    vol_kind;
static const char *const vol_suffix[VOL__COUNT] = {
    "disk", "disk.eph0", "disk.swap", "disk.rescue"};

static char *
vol_name(const drv_instance *inst, vol_kind k)
{
    return g_strdup_printf("%s_%s", inst->uuid, vol_suffix[k]);
}

/* The path of the image the root disk is backed by, or NULL if none. */
static char *
image_backing_path(drv *d, const drv_instance *inst, drv_error *err)
{
    hv_error hv;
    char *path;

    if (inst->image.volume) {
        if (!(path = hv_vol_get_path(d->conn, d->cfg.storage_pool,
                                     inst->image.volume, &hv)))
            set_hv_error(err, &hv, "image volume", inst);
        return path;
    }
    return g_strdup(inst->image.path);
}

/* Delete the instance's own volumes, ignoring those that are not there. */
static void
delete_instance_volumes(drv *d, const drv_instance *inst)
{
    for (int k = 0; k < VOL__COUNT; k++) {
        char *name = vol_name(inst, k);
        hv_error hv;
        hv_vol_delete(d->conn, d->cfg.storage_pool, name, &hv);
        g_free(name);
    }
}

static int
create_volume(drv *d, const drv_instance *inst, vol_kind k,
              uint64_t capacity, const char *backing,
              const char *backing_format, drv_error *err)
{
    char *name = vol_name(inst, k);
    hv_vol_spec spec = {
        .name = name,
        .capacity = capacity,
        .format = "qcow2",
        .backing_path = backing,
        .backing_format = backing_format,
    };
    hv_error hv;
    int rc = hv_vol_create(d->conn, d->cfg.storage_pool, &spec, &hv);

    if (rc < 0) {
        if (hv.code == HV_ERR_SYSTEM_ERROR && hv.sys_errno == ENOSPC) {
            drv_error_set(err, DRV_ERR_DISK_FULL,
                          "no space for disk %s of instance %s: %s", name,
                          inst->uuid, hv.message);
            err->hv = hv;
        } else {
            set_hv_error(err, &hv, "creating a disk", inst);
        }
    }
    g_free(name);
    return rc;
}

/* Root (backed by the image), ephemeral and swap volumes; all or none. */
static int
create_disks(drv *d, const drv_instance *inst, drv_error *err)
{
    const drv_flavor *f = &inst->flavor;
    char *backing = image_backing_path(d, inst, err);
    int rc = 0;

    if (err->kind != DRV_OK)
        return -1;
    if (backing || f->root_gb > 0)
        rc = create_volume(d, inst, VOL_ROOT, (f->root_gb ? f->root_gb : 1)
                                                  << 30,
                           backing, inst->image.format, err);
    if (rc == 0 && f->ephemeral_gb > 0)
        rc = create_volume(d, inst, VOL_EPHEMERAL, f->ephemeral_gb << 30,
                           NULL, NULL, err);
    if (rc == 0 && f->swap_mb > 0)
        rc = create_volume(d, inst, VOL_SWAP, f->swap_mb << 20, NULL, NULL,
                           err);
    g_free(backing);
    if (rc < 0)
        delete_instance_volumes(d, inst);
    return rc;
}

/* The disks of the domain as they stand: planned from the volumes that
 * exist, then the attached volumes. Strings live in 'keep'. */
typedef struct disk_plan {
    drv_disk disks[8 + 16];
    unsigned int n;
    GPtrArray *keep;
} disk_plan;

static void
plan_clear(disk_plan *p)
{
    if (p->keep)
        g_ptr_array_free(p->keep, TRUE);
    memset(p, 0, sizeof(*p));
}

static const char *
plan_keep(disk_plan *p, char *s)
{
    g_ptr_array_add(p->keep, s);
    return s;
}

static void
plan_add_vol(drv *d, const drv_instance *inst, disk_plan *p, vol_kind k,
             const char *bus)
{
    static const char letters[] = "abcdefghijklmnopqrstuvwxyz";
    char *name = vol_name(inst, k);
    char *path;
    hv_error hv;
    const char *prefix = strcmp(bus, "virtio") == 0 ? "vd" : "sd";

    path = hv_vol_get_path(d->conn, d->cfg.storage_pool, name, &hv);
    g_free(name);
    if (!path || p->n >= 8)
        return;
    p->disks[p->n] = (drv_disk){
        .path = plan_keep(p, path),
        .format = "qcow2",
        .target = plan_keep(p, g_strdup_printf("%s%c", prefix, letters[p->n])),
        .bus = bus,
        .device = "disk",
        .source_type = "file",
    };
    p->n++;
}

static void
plan_disks(drv *d, const drv_instance *inst, bool rescue, disk_plan *p)
{
    const char *bus = drv_kv_get(inst->image.properties,
                                 inst->image.n_properties, "hw_disk_bus");

    memset(p, 0, sizeof(*p));
    p->keep = g_ptr_array_new_with_free_func(g_free);
    if (!bus)
        bus = "virtio";
    if (rescue)
        plan_add_vol(d, inst, p, VOL_RESCUE, bus);
    plan_add_vol(d, inst, p, VOL_ROOT, bus);
    plan_add_vol(d, inst, p, VOL_EPHEMERAL, bus);
    plan_add_vol(d, inst, p, VOL_SWAP, bus);
    for (unsigned int i = 0; i < inst->n_volumes && p->n < G_N_ELEMENTS(p->disks);
         i++) {
        const drv_bdm *b = &inst->volumes[i];
        const char *dev = b->mount_device ? b->mount_device : "";

        if (g_str_has_prefix(dev, "/dev/"))
            dev += 5;
        p->disks[p->n++] = (drv_disk){
            .path = b->device_path,
            .format = "raw",
            .target = dev,
            .bus = bus,
            .device = "disk",
            .source_type = g_str_has_prefix(b->device_path ? b->device_path
                                                            : "",
                                            "/dev/")
                               ? "block"
                               : "file",
            .serial = b->volume_id,
        };
    }
}

static char *
build_xml(drv *d, const drv_instance *inst, bool rescue, drv_error *err)
{
    disk_plan plan;
    char *xml;

    plan_disks(d, inst, rescue, &plan);
    xml = drv_domain_xml(&d->cfg, inst, plan.disks, plan.n, rescue, err);
    plan_clear(&plan);
    return xml;
}

/* ---- VIFs ---- */

static char *
vif_key(const char *uuid, const char *vif)
{
    return g_strdup_printf("%s/%s", uuid, vif);
}

static void
plug_vifs(drv *d, const drv_instance *inst)
{
    for (unsigned int i = 0; i < inst->n_vifs; i++)
        if (d->vif_hook)
            d->vif_hook(d->vif_hook_opaque, d, inst->uuid, inst->vifs[i].id);
}

static void
unplug_vifs(drv *d, const drv_instance *inst)
{
    for (unsigned int i = 0; i < inst->n_vifs; i++) {
        char *key = vif_key(inst->uuid, inst->vifs[i].id);
        g_hash_table_remove(d->vif_events, key);
        g_free(key);
    }
}

int
drv_external_event(drv *d, const char *uuid, const char *name,
                   const char *tag, drv_error *err)
{
    const char *status;

    drv_error_reset(err);
    if (!uuid || !name || !tag) {
        drv_error_set(err, DRV_ERR_INVALID_INSTANCE,
                      "an external event needs an instance, a name and a tag");
        return -1;
    }
    if (strcmp(name, "network-vif-plugged") == 0)
        status = "completed";
    else if (strcmp(name, "network-vif-plugged:failed") == 0)
        status = "failed";
    else {
        drv_error_set(err, DRV_ERR_NOT_SUPPORTED,
                      "unknown external event '%s'", name);
        return -1;
    }
    g_hash_table_replace(d->vif_events, vif_key(uuid, tag), g_strdup(status));
    return 0;
}

/*
 * Wait for network-vif-plugged of every inactive VIF, up to the
 * configured timeout. Returns 1 all plugged, 0 timed out, -1 a VIF failed
 * (with err set when that is fatal).
 */
static int
wait_for_vifs(drv *d, const drv_instance *inst, drv_error *err)
{
    int64_t deadline = hv_now(d->conn) +
                       (int64_t)d->cfg.vif_plugging_timeout * HV_NS_PER_SEC;

    for (;;) {
        bool all = true;

        for (unsigned int i = 0; i < inst->n_vifs; i++) {
            char *key;
            const char *st;

            if (inst->vifs[i].active)
                continue;
            key = vif_key(inst->uuid, inst->vifs[i].id);
            st = g_hash_table_lookup(d->vif_events, key);
            g_free(key);
            if (st && strcmp(st, "failed") == 0 && d->cfg.vif_plugging_is_fatal) {
                drv_error_set(err, DRV_ERR_VIF_CREATE,
                              "Virtual Interface creation failed: VIF %s of "
                              "instance %s failed to plug",
                              inst->vifs[i].id, inst->uuid);
                return -1;
            }
            if (!st)
                all = false;
        }
        if (all)
            return 1;
        if (hv_now(d->conn) >= deadline)
            return 0;
        if (drv_sleep(d, POLL_NS, err) < 0)
            return -1;
    }
}

static bool
vifs_pending(drv *d, const drv_instance *inst)
{
    if (d->cfg.vif_plugging_timeout <= 0)
        return false;
    for (unsigned int i = 0; i < inst->n_vifs; i++)
        if (!inst->vifs[i].active)
            return true;
    return false;
}

/* ---- starting and waiting ---- */

/* Poll every 0.5 s until the instance is RUNNING (bounded). */
static int
wait_for_running(drv *d, const drv_instance *inst, drv_error *err)
{
    int64_t deadline = hv_now(d->conn) + WAIT_RUNNING_NS;
    drv_info info;

    for (;;) {
        if (drv_get_info(d, inst, &info, err) < 0)
            return -1;
        if (info.state == DRV_POWER_RUNNING)
            return 0;
        if (hv_now(d->conn) >= deadline) {
            drv_error_set(err, DRV_ERR_HYPERVISOR,
                          "instance %s did not reach RUNNING (state %s)",
                          inst->uuid, drv_power_state_name(info.state));
            return -1;
        }
        if (drv_sleep(d, POLL_NS, err) < 0)
            return -1;
    }
}

/* Define the domain from xml and, if asked, start it (paused or not). */
static hv_domain *
create_domain(drv *d, const drv_instance *inst, const char *xml,
              bool power_on, bool paused, drv_error *err)
{
    hv_error hv;
    hv_domain *dom = hv_domain_define(d->conn, xml, &hv);

    if (!dom) {
        set_hv_error(err, &hv, "define", inst);
        return NULL;
    }
    if (power_on &&
        hv_domain_create(dom, paused ? HV_CREATE_START_PAUSED : 0, &hv) < 0) {
        set_hv_error(err, &hv, "start", inst);
        hv_domain_free(dom);
        return NULL;
    }
    return dom;
}

/* Undo a failed start: no domain left (volumes are the caller's). */
static void
cleanup_failed_start(drv *d, const drv_instance *inst)
{
    hv_error hv;
    hv_domain *dom = hv_domain_lookup_by_uuid(d->conn, inst->uuid, &hv);

    if (!dom)
        return;
    hv_domain_destroy(dom, 0, &hv);
    if (hv_domain_undefine(dom, HV_UNDEFINE_MANAGED_SAVE | HV_UNDEFINE_NVRAM,
                           &hv) < 0)
        hv_domain_undefine(dom, 0, &hv);
    hv_domain_free(dom);
}

/*
 * Plug VIFs, define and start the domain (paused while VIFs are pending),
 * wait for the plugged notifications, resume. vifs_plugged: skip waiting.
 */
static int
create_domain_and_network(drv *d, const drv_instance *inst, const char *xml,
                          bool power_on, bool vifs_plugged, drv_error *err)
{
    bool wait = power_on && !vifs_plugged && vifs_pending(d, inst);
    hv_domain *dom;
    hv_error hv;
    int got;

    if (!vifs_plugged)
        plug_vifs(d, inst);
    if (!(dom = create_domain(d, inst, xml, power_on, wait, err)))
        goto error;
    if (wait) {
        got = wait_for_vifs(d, inst, err);
        if (got < 0)
            goto error;
        if (got == 0 && d->cfg.vif_plugging_is_fatal) {
            drv_error_set(err, DRV_ERR_VIF_CREATE,
                          "Virtual Interface creation failed: timed out "
                          "after %d s waiting for network-vif-plugged of "
                          "instance %s",
                          d->cfg.vif_plugging_timeout, inst->uuid);
            goto error;
        }
        if (hv_domain_resume(dom, &hv) < 0) {
            set_hv_error(err, &hv, "resume", inst);
            goto error;
        }
    }
    hv_domain_free(dom);
    return 0;

error:
    hv_domain_free(dom);
    cleanup_failed_start(d, inst);
    return -1;
}

/* ---- spawn ---- */

static int
check_instance(const drv_instance *inst, drv_error *err)
{
    if (!inst || !inst->uuid || !inst->name || inst->flavor.vcpus == 0 ||
        inst->flavor.memory_mb == 0) {
        drv_error_set(err, DRV_ERR_INVALID_INSTANCE,
                      "an instance needs a uuid, a name, vCPUs and memory");
        return -1;
    }
    return 0;
}

int
drv_spawn(drv *d, const drv_instance *inst, bool power_on, drv_error *err)
{
    char *xml = NULL;
    int exists;

    drv_error_reset(err);
    if (check_instance(inst, err) < 0)
        return -1;
    if ((exists = drv_instance_exists(d, inst, err)) != 0) {
        if (exists > 0)
            drv_error_set(err, DRV_ERR_INSTANCE_EXISTS,
                          "Instance %s already exists.", inst->name);
        return -1;
    }
    if (create_disks(d, inst, err) < 0)
        return -1;
    if (!(xml = build_xml(d, inst, false, err)))
        goto error;
    if (create_domain_and_network(d, inst, xml, power_on, false, err) < 0)
        goto error;
    if (power_on && wait_for_running(d, inst, err) < 0) {
        cleanup_failed_start(d, inst);
        goto error;
    }
    g_free(xml);
    return 0;

error:
    g_free(xml);
    unplug_vifs(d, inst);
    delete_instance_volumes(d, inst);
    return -1;
}

/* ---- destroy ---- */

/*
 * Power the domain off, as the reference's _destroy: NO_DOMAIN is fine,
 * OPERATION_INVALID is fine if it is already shut off, OPERATION_TIMEOUT is
 * a power-off failure, SYSTEM_ERROR/EBUSY is tried up to three times; then
 * wait until it is off, and destroy again if it was started meanwhile.
 */
static int
destroy_domain(drv *d, const drv_instance *inst, int attempt, drv_error *err)
{
    hv_domain *dom;
    hv_error hv;
    int old_id = -1;

    dom = get_guest(d, inst, err);
    if (!dom) {
        if (err->kind != DRV_ERR_INSTANCE_NOT_FOUND)
            return -1;
        drv_error_reset(err);
    } else {
        int state = guest_state(d, inst, dom, &old_id, err);

        if (state < 0 && err->kind != DRV_ERR_INSTANCE_NOT_FOUND)
            goto fail;
        drv_error_reset(err);
        if (hv_domain_destroy(dom, 0, &hv) < 0) {
            bool okay = false;

            if (hv.code == HV_ERR_NO_DOMAIN) {
                okay = true;
            } else if (hv.code == HV_ERR_OPERATION_INVALID) {
                okay = guest_state(d, inst, dom, NULL, err) ==
                       DRV_POWER_SHUTDOWN;
                drv_error_reset(err);
            } else if (hv.code == HV_ERR_OPERATION_TIMEOUT) {
                drv_error_set(err, DRV_ERR_INSTANCE_POWER_OFF_FAILURE,
                              "Failed to power off instance: operation time "
                              "out");
                err->hv = hv;
                goto fail;
            } else if (hv.code == HV_ERR_SYSTEM_ERROR &&
                       hv.sys_errno == EBUSY && attempt < DESTROY_ATTEMPTS) {
                hv_domain_free(dom);
                return destroy_domain(d, inst, attempt + 1, err);
            }
            if (!okay) {
                set_hv_error(err, &hv, "destroy", inst);
                goto fail;
            }
        }
        hv_domain_free(dom);
        dom = NULL;
    }

    for (;;) {
        drv_info info;

        if (drv_get_info(d, inst, &info, err) < 0) {
            if (err->kind == DRV_ERR_INSTANCE_NOT_FOUND) {
                drv_error_reset(err); /* it vanished: fine */
                return 0;
            }
            return -1;
        }
        if (info.state == DRV_POWER_SHUTDOWN)
            return 0;
        if (info.id != old_id) /* started again meanwhile */
            return destroy_domain(d, inst, 1, err);
        if (drv_sleep(d, POLL_NS, err) < 0)
            return -1;
    }

fail:
    hv_domain_free(dom);
    return -1;
}

/* Undefine with the managed-save and NVRAM flags, else plainly. */
static int
undefine_domain(drv *d, const drv_instance *inst, drv_error *err)
{
    hv_domain *dom = get_guest(d, inst, err);
    hv_error hv;
    int ret = 0;

    if (!dom) {
        if (err->kind != DRV_ERR_INSTANCE_NOT_FOUND)
            return -1;
        drv_error_reset(err);
        return 0;
    }
    if (hv_domain_undefine(dom, HV_UNDEFINE_MANAGED_SAVE | HV_UNDEFINE_NVRAM,
                           &hv) < 0 &&
        hv.code != HV_ERR_NO_DOMAIN &&
        hv_domain_undefine(dom, 0, &hv) < 0 && hv.code != HV_ERR_NO_DOMAIN) {
        set_hv_error(err, &hv, "undefine", inst);
        ret = -1;
    }
    hv_domain_free(dom);
    return ret;
}

/* After the domain is off: VIFs, volumes, definition. */
static int
cleanup_instance(drv *d, const drv_instance *inst, bool destroy_disks,
                 drv_error *err)
{
    unplug_vifs(d, inst);
    if (undefine_domain(d, inst, err) < 0)
        return -1;
    if (destroy_disks)
        delete_instance_volumes(d, inst);
    g_hash_table_remove(d->unrescue, inst->uuid);
    return 0;
}

int
drv_destroy(drv *d, const drv_instance *inst, bool destroy_disks,
            drv_error *err)
{
    drv_error_reset(err);
    if (destroy_domain(d, inst, 1, err) < 0)
        return -1;
    return cleanup_instance(d, inst, destroy_disks, err);
}

/* ---- reboot ---- */

/*
 * Hard reboot: destroy, undefine, define from fresh XML, start (VIFs are
 * plugged already), wait for RUNNING.
 */
static int
hard_reboot(drv *d, const drv_instance *inst, drv_error *err)
{
    char *xml;
    int rc;

    if (destroy_domain(d, inst, 1, err) < 0 ||
        undefine_domain(d, inst, err) < 0)
        return -1;
    if (!(xml = build_xml(d, inst, false, err)))
        return -1;
    rc = create_domain_and_network(d, inst, xml, true, true, err);
    g_free(xml);
    if (rc < 0)
        return -1;
    return wait_for_running(d, inst, err);
}

/*
 * Soft reboot: ACPI shutdown, then watch for up to wait_soft_reboot_seconds
 * for a new domain ID; off (or crashed) → start it again; running with a
 * new ID → the guest rebooted by itself. 1 done, 0 fall back to hard.
 */
static int
soft_reboot(drv *d, const drv_instance *inst, drv_error *err)
{
    hv_domain *dom = get_guest(d, inst, err);
    hv_error hv;
    int state, old_id = -1, new_id = -1, ret = -1;

    if (!dom)
        return -1;
    if ((state = guest_state(d, inst, dom, &old_id, err)) < 0)
        goto cleanup;
    if (state == DRV_POWER_RUNNING && hv_domain_shutdown(dom, 0, &hv) < 0) {
        ret = 0; /* a libvirt error here means: try hard */
        goto cleanup;
    }
    for (int x = 0; x < d->cfg.wait_soft_reboot_seconds; x++) {
        hv_domain_free(dom);
        if (!(dom = get_guest(d, inst, err)))
            return -1;
        if ((state = guest_state(d, inst, dom, &new_id, err)) < 0)
            goto cleanup;
        if (old_id != new_id) {
            if (state == DRV_POWER_SHUTDOWN || state == DRV_POWER_CRASHED) {
                if (hv_domain_create(dom, 0, &hv) < 0) {
                    ret = 0;
                    goto cleanup;
                }
                ret = wait_for_running(d, inst, err) < 0 ? -1 : 1;
            } else {
                ret = 1; /* it rebooted by itself meanwhile */
            }
            goto cleanup;
        }
        if (drv_sleep(d, HV_NS_PER_SEC, err) < 0)
            goto cleanup;
    }
    ret = 0;

cleanup:
    hv_domain_free(dom);
    return ret;
}

int
drv_reboot(drv *d, const drv_instance *inst, drv_reboot_type type,
           drv_error *err)
{
    drv_error_reset(err);
    if (type == DRV_REBOOT_SOFT) {
        int rc = soft_reboot(d, inst, err);
        if (rc == 1)
            return 0;
        if (rc < 0 && err->kind != DRV_ERR_HYPERVISOR)
            return -1;
        drv_error_reset(err); /* soft failed: hard reboot */
    }
    return hard_reboot(d, inst, err);
}

/* ---- power ---- */

/*
 * ACPI shutdown, checked every second for timeout seconds and re-sent
 * every retry_interval seconds. true if the instance shut down.
 */
static bool
clean_shutdown(drv *d, const drv_instance *inst, int timeout,
               int retry_interval, drv_error *err)
{
    hv_domain *dom = get_guest(d, inst, err);
    hv_error hv;
    int state, countdown = retry_interval;
    bool done = false;

    if (!dom) {
        drv_error_reset(err); /* gone: nothing to wait for */
        return true;
    }
    state = guest_state(d, inst, dom, NULL, err);
    if (state == DRV_POWER_SHUTDOWN || state == DRV_POWER_CRASHED) {
        hv_domain_free(dom);
        return true;
    }
    drv_error_reset(err);
    hv_domain_shutdown(dom, 0, &hv);
    for (int sec = 0; sec < timeout; sec++) {
        state = guest_state(d, inst, dom, NULL, err);
        drv_error_reset(err);
        if (state == DRV_POWER_SHUTDOWN || state == DRV_POWER_CRASHED ||
            state < 0) {
            done = true;
            break;
        }
        if (countdown == 0) {
            countdown = retry_interval;
            /* the guest may have just gone off: an error here is fine */
            if (hv_domain_shutdown(dom, 0, &hv) < 0)
                continue;
        } else {
            countdown--;
        }
        if (drv_sleep(d, HV_NS_PER_SEC, err) < 0)
            break;
    }
    hv_domain_free(dom);
    return done;
}

int
drv_power_off(drv *d, const drv_instance *inst, int timeout,
              int retry_interval, drv_error *err)
{
    drv_error_reset(err);
    if (timeout > 0)
        clean_shutdown(d, inst, timeout, retry_interval, err);
    drv_error_reset(err);
    return destroy_domain(d, inst, 1, err);
}

int
drv_power_on(drv *d, const drv_instance *inst, drv_error *err)
{
    drv_error_reset(err);
    return hard_reboot(d, inst, err);
}

/* Run one domain call on the instance's domain. */
static int
guest_call(drv *d, const drv_instance *inst,
           int (*call)(hv_domain *, hv_error *), const char *what,
           drv_error *err)
{
    hv_domain *dom;
    hv_error hv;
    int rc;

    drv_error_reset(err);
    if (!(dom = get_guest(d, inst, err)))
        return -1;
    if ((rc = call(dom, &hv)) < 0)
        set_hv_error(err, &hv, what, inst);
    hv_domain_free(dom);
    return rc;
}

int
drv_pause(drv *d, const drv_instance *inst, drv_error *err)
{
    return guest_call(d, inst, hv_domain_suspend, "pause", err);
}

int
drv_unpause(drv *d, const drv_instance *inst, drv_error *err)
{
    return guest_call(d, inst, hv_domain_resume, "unpause", err);
}

int
drv_suspend(drv *d, const drv_instance *inst, drv_error *err)
{
    return guest_call(d, inst, hv_domain_managed_save, "suspend", err);
}

/* The domain's current XML, or fresh XML if it has no domain. */
static char *
existing_domain_xml(drv *d, const drv_instance *inst, drv_error *err)
{
    hv_domain *dom = get_guest(d, inst, err);
    hv_error hv;
    char *xml;

    if (!dom) {
        if (err->kind != DRV_ERR_INSTANCE_NOT_FOUND)
            return NULL;
        drv_error_reset(err);
        return build_xml(d, inst, false, err);
    }
    if (!(xml = hv_domain_get_xml(dom, HV_XML_INACTIVE, &hv)))
        set_hv_error(err, &hv, "get_xml", inst);
    hv_domain_free(dom);
    return xml;
}

int
drv_resume(drv *d, const drv_instance *inst, drv_error *err)
{
    char *xml;
    int rc;

    drv_error_reset(err);
    if (!(xml = existing_domain_xml(d, inst, err)))
        return -1;
    rc = create_domain_and_network(d, inst, xml, true, true, err);
    g_free(xml);
    if (rc < 0)
        return -1;
    return wait_for_running(d, inst, err);
}

int
drv_resume_state_on_host_boot(drv *d, const drv_instance *inst,
                              drv_error *err)
{
    hv_domain *dom;
    int state;

    drv_error_reset(err);
    if ((dom = get_guest(d, inst, err))) {
        state = guest_state(d, inst, dom, NULL, err);
        hv_domain_free(dom);
        if (state == DRV_POWER_RUNNING || state == DRV_POWER_SUSPENDED ||
            state == DRV_POWER_NOSTATE || state == DRV_POWER_PAUSED)
            return 0;
    }
    /* not up, or in an unknown state: make it run, as absolutely as can be */
    drv_error_reset(err);
    return hard_reboot(d, inst, err);
}

int
drv_trigger_crash_dump(drv *d, const drv_instance *inst, drv_error *err)
{
    hv_domain *dom;
    hv_error hv;
    int rc;

    drv_error_reset(err);
    if (!(dom = get_guest(d, inst, err)))
        return -1;
    rc = hv_domain_inject_nmi(dom, &hv);
    hv_domain_free(dom);
    if (rc == 0)
        return 0;
    if (hv.code == HV_ERR_NO_SUPPORT)
        drv_error_set(err, DRV_ERR_NMI_NOT_SUPPORTED,
                      "Triggering crash dump is not supported");
    else if (hv.code == HV_ERR_OPERATION_INVALID)
        drv_error_set(err, DRV_ERR_INSTANCE_NOT_RUNNING,
                      "Instance %s is not running.", inst->uuid);
    else
        set_hv_error(err, &hv, "Error from libvirt while injecting an NMI",
                     inst);
    err->hv = hv;
    return -1;
}

/* What the reference libvirt driver leaves to the contract's default. */
static int
not_implemented(const drv_instance *inst, const char *what, drv_error *err)
{
    drv_error_reset(err);
    drv_error_set(err, DRV_ERR_NOT_SUPPORTED,
                  "%s is not implemented by the libvirt driver (instance %s)",
                  what, inst ? inst->uuid : "?");
    return -1;
}

int
drv_soft_delete(drv *d, const drv_instance *inst, drv_error *err)
{
    (void)d;
    return not_implemented(inst, "soft_delete", err);
}

int
drv_restore(drv *d, const drv_instance *inst, drv_error *err)
{
    (void)d;
    return not_implemented(inst, "restore", err);
}

/* ---- rescue ---- */

int
drv_rescue(drv *d, const drv_instance *inst, drv_error *err)
{
    char *unrescue_xml = NULL, *xml = NULL, *backing = NULL;
    hv_domain *dom;
    int ret = -1;

    drv_error_reset(err);
    if (!(unrescue_xml = existing_domain_xml(d, inst, err)))
        return -1;
    backing = image_backing_path(d, inst, err);
    if (err->kind != DRV_OK)
        goto cleanup;
    if (!backing && !drv_kv_get(inst->image.properties,
                                inst->image.n_properties, "kernel_path")) {
        drv_error_set(err, DRV_ERR_INSTANCE_NOT_RESCUABLE,
                      "Instance %s cannot be rescued: its image has no disk "
                      "and no kernel to boot", inst->uuid);
        goto cleanup;
    }
    if (backing && create_volume(d, inst, VOL_RESCUE,
                                 (inst->flavor.root_gb ? inst->flavor.root_gb
                                                       : 1) << 30,
                                 backing, inst->image.format, err) < 0)
        goto cleanup;
    if (!(xml = build_xml(d, inst, true, err)))
        goto cleanup;
    if (destroy_domain(d, inst, 1, err) < 0)
        goto cleanup;
    if (!(dom = create_domain(d, inst, xml, true, false, err)))
        goto cleanup;
    hv_domain_free(dom);
    g_hash_table_replace(d->unrescue, g_strdup(inst->uuid),
                         g_steal_pointer(&unrescue_xml));
    ret = 0;

cleanup:
    if (ret < 0) {
        char *name = vol_name(inst, VOL_RESCUE);
        hv_error hv;
        hv_vol_delete(d->conn, d->cfg.storage_pool, name, &hv);
        g_free(name);
    }
    g_free(unrescue_xml);
    g_free(xml);
    g_free(backing);
    return ret;
}

int
drv_unrescue(drv *d, const drv_instance *inst, drv_error *err)
{
    const char *saved = g_hash_table_lookup(d->unrescue, inst->uuid);
    char *xml = NULL, *name;
    hv_domain *dom;
    hv_error hv;
    int ret = -1;

    drv_error_reset(err);
    /* without the saved definition (driver restarted), build it afresh */
    xml = saved ? g_strdup(saved) : build_xml(d, inst, false, err);
    if (!xml)
        return -1;
    if (destroy_domain(d, inst, 1, err) < 0)
        goto cleanup;
    if (!(dom = create_domain(d, inst, xml, true, false, err)))
        goto cleanup;
    hv_domain_free(dom);
    name = vol_name(inst, VOL_RESCUE);
    hv_vol_delete(d->conn, d->cfg.storage_pool, name, &hv);
    g_free(name);
    g_hash_table_remove(d->unrescue, inst->uuid);
    ret = 0;

cleanup:
    g_free(xml);
    return ret;
}

int
drv_rebuild(drv *d, const drv_instance *inst, drv_error *err)
{
    drv_error_reset(err);
    /* attached volumes are the user's: only the instance's own disks go */
    if (drv_destroy(d, inst, true, err) < 0)
        return -1;
    return drv_spawn(d, inst, true, err);
}

int
drv_poll_rebooting_instances(drv *d, int timeout, drv_error *err)
{
    (void)d;
    (void)timeout;
    drv_error_reset(err);
    return 0;
}
