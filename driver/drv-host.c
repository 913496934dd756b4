/*
 * drv-host.c: the host — connecting (version checks, event registration),
 * its service record (enabled, or disabled by the driver or an operator)
 * and the connection's loss and return (and the contract's
 * set_host_enabled, host_power_action, host_maintenance_mode), its
 * resources, uptime, CPU statistics, its address, its node and its CPU
 * traits. The provider tree built from them is drv-provider.c's.
 */
#include "drv-priv.h"

#include <glib.h>
#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <string.h>

/* libvirt and QEMU older than these are refused, as by the reference. */
#define MIN_LIBVIRT_VERSION 1002001UL /* 1.2.1 */
#define MIN_QEMU_VERSION 1005003UL    /* 1.5.3 */

static int supported_perf_events(drv *d, unsigned long lib, char ***out,
                                 drv_error *err);

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

/* ---- the service record and the connection ---- */

/*
 * The reference's _set_host_enabled: change the record only if it differs,
 * and then only if the host is enabled or was disabled automatically (its
 * reason carries DRV_DISABLE_PREFIX), so an operator's disable stays.
 */
static void
set_host_enabled(drv *d, bool enabled, const char *reason)
{
    bool disable = !enabled;

    if (d->service_disabled == disable)
        return;
    if (d->service_disabled &&
        !(d->disabled_reason &&
          g_str_has_prefix(d->disabled_reason, DRV_DISABLE_PREFIX)))
        return; /* an operator's disable: not ours to undo */
    d->service_disabled = disable;
    g_free(d->disabled_reason);
    d->disabled_reason =
        disable ? g_strconcat(DRV_DISABLE_PREFIX, reason, NULL) : NULL;
}

/*
 * Register for events on the current connection. As the reference's
 * _get_new_connection, a refusal (a URI without events) is only worth a
 * warning there: the connection stays usable and the host enabled, so it
 * is swallowed here and the driver goes on without events.
 */
static void
register_events(drv *d)
{
    hv_error hv;

    if (drv_register_events(d, &hv) < 0)
        d->events_registered = false;
}

/*
 * The reference's _get_new_connection: connect again; enable the host
 * (if it was disabled automatically) when that works, disable it with
 * "Failed to connect to libvirt" when it does not. Events are registered
 * again on the new connection.
 */
static int
reconnect(drv *d, hv_error *hv)
{
    if (hv_conn_reconnect(d->conn, hv) < 0) {
        set_host_enabled(d, false, "Failed to connect to libvirt");
        return -1;
    }
    d->conn_lost = false;
    set_host_enabled(d, true, NULL);
    register_events(d);
    return 0;
}

void
drv_set_conn_error(drv *d, drv_error *err, const hv_error *hv,
                   const char *what, const drv_instance *inst)
{
    if (!err || err->kind != DRV_OK)
        return;
    if (!hv->conn_lost) {
        drv_set_hv_error(err, hv, what, inst);
        return;
    }
    /* the reference's message, naming the host (hvd: its hostname once
     * known, else the connection's URI), then what failed */
    drv_error_set(err, DRV_ERR_HOST_UNAVAILABLE,
                  "Connection to the hypervisor is broken on host: %s "
                  "(%s%s%s: %s)",
                  d->hostname ? d->hostname : hv_conn_uri(d->conn), what,
                  inst ? " of instance " : "", inst ? inst->uuid : "",
                  hv->message);
    err->hv = *hv;
}

int
drv_host_check_connection(drv *d)
{
    hv_error hv;

    if (!d->initialized)
        return 0;
    if (hv_conn_is_alive(d->conn, &hv) == 1 && !d->conn_lost)
        return 1;
    if (!d->conn_lost) {
        /* the close callback: libvirt's reason is VIR_CONNECT_CLOSE_REASON_EOF
         * (1), the daemon went away, which the reference prints as is */
        d->conn_lost = true;
        set_host_enabled(d, false, "Connection to libvirt lost: 1");
    }
    return reconnect(d, &hv) == 0 ? 1 : 0;
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
    /* the reference's initialize() connects first: a broken connection
     * is made again (a failure disables the host) before the first call
     * goes through */
    if (hv_conn_get_version(d->conn, &lib, &hv_ver, &hv) < 0 &&
        hv.conn_lost) {
        hv_error again;
        if (reconnect(d, &again) == 0)
            hv_conn_get_version(d->conn, &lib, &hv_ver, &hv);
    }
    if (hv.code != HV_ERR_OK) {
        drv_set_conn_error(d, err, &hv, "cannot read the hypervisor versions", NULL);
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
        drv_set_conn_error(d, err, &hv, "cannot read the hostname", NULL);
        return -1;
    }
    g_strfreev(d->perf_events);
    d->perf_events = NULL;
    if (supported_perf_events(d, lib, &d->perf_events, err) < 0)
        return -1;
    register_events(d);
    d->initialized = true;
    d->conn_lost = false;
    set_host_enabled(d, true, NULL);
    return 0;
}

void
drv_cleanup_host(drv *d)
{
    if (!d)
        return;
    d->initialized = false;
}

bool
drv_host_enabled(drv *d)
{
    return d->initialized && !d->service_disabled;
}

const char *
drv_host_disabled_reason(drv *d)
{
    return d->service_disabled ? d->disabled_reason : NULL;
}

void
drv_set_service_disabled(drv *d, bool disabled, const char *reason)
{
    d->service_disabled = disabled;
    g_free(d->disabled_reason);
    d->disabled_reason = disabled && reason ? g_strdup(reason) : NULL;
}

/* ---- the host's capabilities ---- */

/* What the reference reads from the capabilities XML. */
typedef struct host_caps {
    char *uuid, *arch, *model, *vendor;
    int cells, sockets, cores, threads;
    GPtrArray *features; /* char*, sorted */
    GArray *guests;      /* drv_supported_instance */
} host_caps;

static void
host_caps_clear(host_caps *c)
{
    g_free(c->uuid);
    g_free(c->arch);
    g_free(c->model);
    g_free(c->vendor);
    if (c->features)
        g_ptr_array_free(c->features, TRUE);
    if (c->guests)
        g_array_free(c->guests, TRUE);
    memset(c, 0, sizeof(*c));
}

static char *
xpath_string(xmlXPathContextPtr ctx, const char *expr)
{
    xmlXPathObjectPtr o =
        xmlXPathEvalExpression((const xmlChar *)expr, ctx);
    xmlChar *v = o ? xmlXPathCastToString(o) : NULL;
    char *out = v && *v ? g_strdup((const char *)v) : NULL;

    xmlFree(v);
    xmlXPathFreeObject(o);
    return out;
}

static int
xpath_int(xmlXPathContextPtr ctx, const char *expr)
{
    xmlXPathObjectPtr o =
        xmlXPathEvalExpression((const xmlChar *)expr, ctx);
    double v = o ? xmlXPathCastToNumber(o) : 0;

    xmlXPathFreeObject(o);
    return v == v ? (int)v : 0;
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Nova's canonical names (arch.canonicalize, hv_type.canonicalize,
 * vm_mode.canonicalize): lower case, and their few aliases. */
static void
canonical(char *out, size_t len, const char *name, const char *const *aliases)
{
    char *low = g_ascii_strdown(name ? name : "", -1);

    for (const char *const *a = aliases; a && *a; a += 2)
        if (strcmp(low, a[0]) == 0) {
            g_strlcpy(out, a[1], len);
            g_free(low);
            return;
        }
    g_strlcpy(out, low, len);
    g_free(low);
}

static const char *const arch_aliases[] = {"amd64", "x86_64", "x86_32",
                                           "i686",  "ia32",   "i686", NULL};
static const char *const hv_aliases[] = {"xapi", "xen", NULL};
static const char *const mode_aliases[] = {"baremetal", "hvm", "pv", "xen",
                                           "hv", "hvm", NULL};

/* Read the host's capabilities; -1 with err set. */
static int
host_caps_read(drv *d, host_caps *c, drv_error *err)
{
    char *xml;
    xmlDocPtr doc;
    xmlXPathContextPtr ctx = NULL;
    xmlXPathObjectPtr o = NULL;
    hv_error hv;

    memset(c, 0, sizeof(*c));
    if (!(xml = hv_conn_get_capabilities(d->conn, &hv))) {
        drv_set_conn_error(d, err, &hv, "cannot read capabilities", NULL);
        return -1;
    }
    doc = xmlReadMemory(xml, (int)strlen(xml), "capabilities.xml", NULL,
                        XML_PARSE_NONET | XML_PARSE_NOERROR |
                            XML_PARSE_NOWARNING);
    g_free(xml);
    if (!doc || !(ctx = xmlXPathNewContext(doc))) {
        xmlFreeDoc(doc);
        drv_error_set(err, DRV_ERR_HYPERVISOR,
                      "the hypervisor's capabilities are not XML");
        return -1;
    }
    c->uuid = xpath_string(ctx, "string(/capabilities/host/uuid)");
    c->arch = xpath_string(ctx, "string(/capabilities/host/cpu/arch)");
    c->model = xpath_string(ctx, "string(/capabilities/host/cpu/model)");
    c->vendor = xpath_string(ctx, "string(/capabilities/host/cpu/vendor)");
    c->sockets = xpath_int(ctx, "number(/capabilities/host/cpu/topology/@sockets)");
    c->cores = xpath_int(ctx, "number(/capabilities/host/cpu/topology/@cores)");
    c->threads = xpath_int(ctx, "number(/capabilities/host/cpu/topology/@threads)");
    /* no NUMA topology in the capabilities counts as one cell */
    c->cells = xpath_int(ctx, "count(/capabilities/host/topology)") == 0
                   ? 1
                   : xpath_int(ctx, "count(/capabilities/host/topology/cells/cell)");
    c->features = g_ptr_array_new_with_free_func(g_free);
    if ((o = xmlXPathEvalExpression(
             (const xmlChar *)"/capabilities/host/cpu/feature/@name", ctx)) &&
        o->nodesetval)
        for (int i = 0; i < o->nodesetval->nodeNr; i++) {
            xmlChar *v = xmlNodeGetContent(o->nodesetval->nodeTab[i]);
            /* a set in the reference: each name once */
            if (v && !g_ptr_array_find_with_equal_func(c->features, v,
                                                       g_str_equal, NULL))
                g_ptr_array_add(c->features, g_strdup((const char *)v));
            xmlFree(v);
        }
    xmlXPathFreeObject(o);
    g_ptr_array_sort(c->features, cmp_str);
    c->guests = g_array_new(FALSE, TRUE, sizeof(drv_supported_instance));
    if ((o = xmlXPathEvalExpression(
             (const xmlChar *)"/capabilities/guest/arch/domain", ctx)) &&
        o->nodesetval)
        for (int i = 0; i < o->nodesetval->nodeNr; i++) {
            xmlNodePtr dom = o->nodesetval->nodeTab[i], arch = dom->parent;
            xmlChar *an = xmlGetProp(arch, (const xmlChar *)"name");
            xmlChar *dt = xmlGetProp(dom, (const xmlChar *)"type");
            xmlChar *os = NULL;
            drv_supported_instance si;

            for (xmlNodePtr n = arch->parent->children; n; n = n->next)
                if (n->type == XML_ELEMENT_NODE &&
                    strcmp((const char *)n->name, "os_type") == 0)
                    os = xmlNodeGetContent(n);
            canonical(si.arch, sizeof(si.arch), (const char *)an,
                      arch_aliases);
            canonical(si.hv_type, sizeof(si.hv_type), (const char *)dt,
                      hv_aliases);
            canonical(si.vm_mode, sizeof(si.vm_mode), (const char *)os,
                      mode_aliases);
            g_array_append_val(c->guests, si);
            xmlFree(an);
            xmlFree(dt);
            xmlFree(os);
        }
    xmlXPathFreeObject(o);
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
    return 0;
}

/* The reference's _get_cpu_info as JSON text (g_free). */
static char *
cpu_info_json(const host_caps *c)
{
    json_t *o = json_object(), *topo = json_object(), *feat = json_array();
    char *s, *out;

    json_object_set_new(o, "arch", c->arch ? json_string(c->arch) : json_null());
    json_object_set_new(o, "model",
                        c->model ? json_string(c->model) : json_null());
    json_object_set_new(o, "vendor",
                        c->vendor ? json_string(c->vendor) : json_null());
    json_object_set_new(topo, "cells", json_integer(c->cells));
    json_object_set_new(topo, "sockets", json_integer(c->sockets));
    json_object_set_new(topo, "cores", json_integer(c->cores));
    json_object_set_new(topo, "threads", json_integer(c->threads));
    json_object_set_new(o, "topology", topo);
    for (guint i = 0; i < c->features->len; i++)
        json_array_append_new(feat,
                              json_string(g_ptr_array_index(c->features, i)));
    json_object_set_new(o, "features", feat);
    s = json_dumps(o, JSON_SORT_KEYS | JSON_COMPACT);
    out = g_strdup(s);
    free(s);
    json_decref(o);
    return out;
}

/* This host's cpu_info, for the live-migration CPU check. */
char *
drv_host_cpu_info(drv *d, drv_error *err)
{
    host_caps caps;
    char *out;

    if (host_caps_read(d, &caps, err) < 0)
        return NULL;
    out = cpu_info_json(&caps);
    host_caps_clear(&caps);
    return out;
}

/* ---- performance events ---- */

/* The perf events libvirt's API names (VIR_PERF_PARAM_*, all there from
 * 3.2 on; the reference asks its Python binding, which matches the
 * library), and the CPU flag each RDT event needs. */
static const char *const libvirt_perf_events[] = {
    "cmt", "mbmt", "mbml", "cpu_cycles", "instructions", "cache_references",
    "cache_misses", "branch_instructions", "branch_misses", "bus_cycles",
    "stalled_cycles_frontend", "stalled_cycles_backend", "ref_cpu_cycles",
    "cpu_clock", "task_clock", "page_faults", "context_switches",
    "cpu_migrations", "page_faults_min", "page_faults_maj",
    "alignment_faults", "emulation_faults", NULL,
};
static const char *const perf_cpu_flags[][2] = {
    {"cmt", "cmt"}, {"mbml", "mbm_local"}, {"mbmt", "mbm_total"},
};

#define MIN_LIBVIRT_PERF_VERSION 2000000

/*
 * The reference's _get_supported_perf_events: none unless some are
 * configured and libvirt is 2.0.0 or later; else those libvirt knows
 * whose CPU flag, if they need one, the host has. Unknown ones are left
 * out (the reference warns). NULL-terminated (g_strfreev); -1 with err
 * set when the host's CPU cannot be read (an error the reference lets
 * escape from init_host).
 */
static int
supported_perf_events(drv *d, unsigned long lib, char ***out,
                      drv_error *err)
{
    GPtrArray *ok = g_ptr_array_new();
    const char *const *want = (const char *const *)d->cfg.enabled_perf_events;
    host_caps caps = {0};
    bool have_caps = false;

    for (; want && *want && lib >= MIN_LIBVIRT_PERF_VERSION; want++) {
        const char *flag = NULL;

        if (!g_strv_contains(libvirt_perf_events, *want))
            continue;
        for (size_t i = 0; i < G_N_ELEMENTS(perf_cpu_flags); i++)
            if (strcmp(perf_cpu_flags[i][0], *want) == 0)
                flag = perf_cpu_flags[i][1];
        if (flag && !have_caps) {
            if (host_caps_read(d, &caps, err) < 0) {
                g_ptr_array_free(ok, TRUE);
                return -1;
            }
            have_caps = true;
        }
        if (flag) {
            bool has = false;

            for (guint i = 0; i < caps.features->len; i++)
                has |= strcmp(caps.features->pdata[i], flag) == 0;
            if (!has)
                continue;
        }
        g_ptr_array_add(ok, g_strdup(*want));
    }
    if (have_caps)
        host_caps_clear(&caps);
    g_ptr_array_add(ok, NULL);
    *out = (char **)g_ptr_array_free(ok, FALSE);
    return 0;
}

/* ---- resources ---- */

/*
 * The reference's _get_vcpu_used: the vCPUs of every running domain, as
 * many as the hypervisor lists for it; a domain that fails is skipped.
 */
static int
vcpus_used(drv *d, hv_domain **doms, int n)
{
    int total = 0;

    for (int i = 0; i < n; i++) {
        hv_vcpu_info *v = NULL;
        hv_error hv;
        int k = hv_domain_get_vcpus(doms[i], &v, &hv);

        (void)d;
        if (k > 0)
            total += k;
        g_free(v);
    }
    return total;
}

/*
 * The reference's get_memory_mb_used: the node's memory less what the
 * host could hand out (free + buffers + cached). A backend without memory
 * counters (libvirt's test driver) counts the memory of running domains.
 */
static int
memory_mb_used(drv *d, const hv_node_info *node, hv_domain **doms, int n,
               uint64_t *used, drv_error *err)
{
    hv_node_memory_stats ms;
    uint64_t total_mb = node->memory_kib / 1024, avail_mb, dom_kib = 0;
    hv_error hv;

    if (hv_node_get_memory_stats(d->conn, &ms, &hv) == 0) {
        avail_mb = (ms.free_kib + ms.buffers_kib + ms.cached_kib) / 1024;
        *used = avail_mb >= total_mb ? 0 : total_mb - avail_mb;
        return 0;
    }
    if (hv.code != HV_ERR_NO_SUPPORT) {
        drv_set_conn_error(d, err, &hv, "cannot read the host's memory", NULL);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        hv_domain_info info;
        if (hv_domain_get_info(doms[i], &info, &hv) == 0)
            dom_kib += info.mem_kib;
    }
    *used = dom_kib / 1024;
    return 0;
}

/*
 * The reference's _get_disk_over_committed_size_total, on hv: for every
 * disk of every running domain that is a qcow2 volume of the driver's
 * pool, its virtual size less what it has allocated. A domain or disk
 * whose XML or volume cannot be read is skipped, as the reference skips
 * libvirt errors and vanished files.
 */
static uint64_t
over_committed_bytes(drv *d, hv_domain **doms, int n)
{
    uint64_t total = 0;

    for (int i = 0; i < n; i++) {
        hv_error hv;
        char *xml = hv_domain_get_xml(doms[i], 0, &hv);
        xmlDocPtr doc;
        xmlXPathContextPtr ctx = NULL;
        xmlXPathObjectPtr o = NULL;

        if (!xml)
            continue;
        doc = xmlReadMemory(xml, (int)strlen(xml), "domain.xml", NULL,
                            XML_PARSE_NONET | XML_PARSE_NOERROR |
                                XML_PARSE_NOWARNING);
        g_free(xml);
        if (doc && (ctx = xmlXPathNewContext(doc)) &&
            (o = xmlXPathEvalExpression(
                 (const xmlChar *)"/domain/devices/disk[@type='file' or "
                                  "@type='block']/source/@file | "
                                  "/domain/devices/disk[@type='file' or "
                                  "@type='block']/source/@dev",
                 ctx)) &&
            o->nodesetval) {
            for (int k = 0; k < o->nodesetval->nodeNr; k++) {
                xmlChar *path = xmlNodeGetContent(o->nodesetval->nodeTab[k]);
                char *base = path ? g_path_get_basename((char *)path) : NULL;
                char *vpath = base ? hv_vol_get_path(d->conn, d->cfg.storage_pool,
                                                     base, &hv)
                                   : NULL;
                hv_vol_info vi;

                /* only the pool's own volumes: other files hvd cannot see */
                if (vpath && strcmp(vpath, (const char *)path) == 0 &&
                    hv_vol_get_info(d->conn, d->cfg.storage_pool, base, &vi,
                                    &hv) == 0 &&
                    strcmp(vi.format, "qcow2") == 0 &&
                    vi.capacity > vi.allocation)
                    total += vi.capacity - vi.allocation;
                g_free(vpath);
                g_free(base);
                xmlFree(path);
            }
        }
        xmlXPathFreeObject(o);
        xmlXPathFreeContext(ctx);
        xmlFreeDoc(doc);
    }
    return total;
}

int
drv_get_available_resource(drv *d, drv_resources *res, drv_error *err)
{
    hv_node_info node;
    hv_pool_info pool;
    host_caps caps;
    unsigned long lib = 0, hv_ver = 0;
    hv_domain **doms = NULL;
    int n = 0, ret = -1;
    int64_t free_bytes;
    hv_error hv;

    drv_error_reset(err);
    memset(res, 0, sizeof(*res));
    memset(&caps, 0, sizeof(caps));
    /* the reference reads the capabilities first (a libvirt quirk) */
    if (host_caps_read(d, &caps, err) < 0)
        goto cleanup;
    if (hv_node_get_info(d->conn, &node, &hv) < 0 ||
        hv_pool_get_info(d->conn, d->cfg.storage_pool, &pool, &hv) < 0 ||
        hv_conn_get_version(d->conn, &lib, &hv_ver, &hv) < 0) {
        drv_set_conn_error(d, err, &hv, "cannot read host resources", NULL);
        goto cleanup;
    }
    if ((n = hv_domain_list(d->conn, HV_LIST_ACTIVE, &doms, &hv)) < 0) {
        n = 0;
        drv_set_conn_error(d, err, &hv, "cannot list domains", NULL);
        goto cleanup;
    }
    if (memory_mb_used(d, &node, doms, n, &res->memory_mb_used, err) < 0)
        goto cleanup;
    res->vcpus = node.cpus;
    res->vcpus_used = (unsigned int)vcpus_used(d, doms, n);
    res->memory_mb = node.memory_kib / 1024;
    res->local_gb = pool.capacity >> 30;
    res->local_gb_used = pool.allocation >> 30;
    g_strlcpy(res->hypervisor_type,
              is_qemu_type(d) ? "QEMU" : d->cfg.virt_type,
              sizeof(res->hypervisor_type));
    res->hypervisor_version = hv_ver;
    g_strlcpy(res->hypervisor_hostname, d->hostname ? d->hostname : "",
              sizeof(res->hypervisor_hostname));
    res->cpu_info = cpu_info_json(&caps);
    /* whole GiB free, less the over-commitment, in whole GiB rounded
     * down (Python 2's integer division, negative values included) */
    free_bytes = (int64_t)(pool.available >> 30 << 30) -
                 (int64_t)over_committed_bytes(d, doms, n);
    res->disk_available_least =
        free_bytes >= 0 ? free_bytes / (INT64_C(1) << 30)
                        : -((-free_bytes + (INT64_C(1) << 30) - 1) /
                            (INT64_C(1) << 30));
    res->n_supported_instances = caps.guests->len;
    res->supported_instances = (drv_supported_instance *)g_array_free(
        g_steal_pointer(&caps.guests), FALSE);
    res->pci_passthrough_devices = g_strdup("[]");
    res->numa_topology = NULL;
    ret = 0;

cleanup:
    hv_domain_list_free(doms, n);
    host_caps_clear(&caps);
    if (ret < 0)
        drv_resources_clear(res);
    return ret;
}

void
drv_resources_clear(drv_resources *res)
{
    if (!res)
        return;
    g_free(res->cpu_info);
    g_free(res->supported_instances);
    g_free(res->pci_passthrough_devices);
    g_free(res->numa_topology);
    memset(res, 0, sizeof(*res));
}

char *
drv_resources_to_json(const drv_resources *res)
{
    json_t *o = json_object(), *si = json_array();
    char *s, *out;

    json_object_set_new(o, "vcpus", json_integer(res->vcpus));
    json_object_set_new(o, "memory_mb", json_integer((json_int_t)res->memory_mb));
    json_object_set_new(o, "local_gb", json_integer((json_int_t)res->local_gb));
    json_object_set_new(o, "vcpus_used", json_integer(res->vcpus_used));
    json_object_set_new(o, "memory_mb_used",
                        json_integer((json_int_t)res->memory_mb_used));
    json_object_set_new(o, "local_gb_used",
                        json_integer((json_int_t)res->local_gb_used));
    json_object_set_new(o, "hypervisor_type",
                        json_string(res->hypervisor_type));
    json_object_set_new(o, "hypervisor_version",
                        json_integer((json_int_t)res->hypervisor_version));
    json_object_set_new(o, "hypervisor_hostname",
                        json_string(res->hypervisor_hostname));
    json_object_set_new(o, "cpu_info", res->cpu_info
                                           ? json_string(res->cpu_info)
                                           : json_null());
    json_object_set_new(o, "disk_available_least",
                        json_integer(res->disk_available_least));
    for (unsigned int i = 0; i < res->n_supported_instances; i++)
        json_array_append_new(
            si, json_pack("[sss]", res->supported_instances[i].arch,
                          res->supported_instances[i].hv_type,
                          res->supported_instances[i].vm_mode));
    json_object_set_new(o, "supported_instances", si);
    json_object_set_new(o, "pci_passthrough_devices",
                        json_string(res->pci_passthrough_devices
                                        ? res->pci_passthrough_devices
                                        : "[]"));
    json_object_set_new(o, "numa_topology",
                        res->numa_topology ? json_string(res->numa_topology)
                                           : json_null());
    s = json_dumps(o, JSON_SORT_KEYS | JSON_COMPACT);
    out = g_strdup(s);
    free(s);
    json_decref(o);
    return out;
}

int
drv_get_host_uptime(drv *d, int64_t *seconds, drv_error *err)
{
    hv_error hv;

    drv_error_reset(err);
    if (hv_node_get_uptime(d->conn, seconds, &hv) < 0) {
        drv_set_conn_error(d, err, &hv, "cannot read the host uptime", NULL);
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
        drv_set_conn_error(d, err, &hv, "cannot read host CPU statistics", NULL);
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
drv_get_available_nodes(drv *d, bool refresh, char ***nodes, drv_error *err)
{
    char *now;
    hv_error hv;

    /* the reference ignores refresh: every call asks the hypervisor */
    (void)refresh;
    drv_error_reset(err);
    *nodes = NULL;
    if (!(now = hv_conn_get_hostname(d->conn, &hv))) {
        drv_set_conn_error(d, err, &hv, "cannot read the hostname", NULL);
        return -1;
    }
    /* the first hostname stays the node's name: a host renamed later
     * needs a restart of the service (the reference only logs it) */
    if (!d->hostname)
        d->hostname = g_steal_pointer(&now);
    g_free(now);
    *nodes = g_new0(char *, 2);
    (*nodes)[0] = g_strdup(d->hostname);
    return 0;
}

int
drv_node_is_available(drv *d, const char *nodename, drv_error *err)
{
    char **nodes = NULL;
    bool yes;

    drv_error_reset(err);
    if (!nodename)
        return 0;
    /* the contract's two looks: as known, then refreshed */
    for (int refresh = 0; refresh <= 1; refresh++) {
        if (drv_get_available_nodes(d, refresh, &nodes, err) < 0)
            return -1;
        yes = g_strv_contains((const char *const *)nodes, nodename);
        g_clear_pointer(&nodes, g_strfreev);
        if (yes)
            return 1;
    }
    return 0;
}

char *
drv_host_uuid(drv *d, drv_error *err)
{
    host_caps caps;
    char *out;

    if (host_caps_read(d, &caps, err) < 0)
        return NULL;
    if (!caps.uuid) {
        host_caps_clear(&caps);
        drv_error_set(err, DRV_ERR_HYPERVISOR,
                      "the hypervisor's capabilities name no host uuid");
        return NULL;
    }
    out = g_steal_pointer(&caps.uuid);
    host_caps_clear(&caps);
    return out;
}

int
drv_get_nodenames_by_uuid(drv *d, bool refresh, char ***uuids,
                          char ***names, drv_error *err)
{
    char **nodes = NULL, *uuid;

    *uuids = *names = NULL;
    if (drv_get_available_nodes(d, refresh, &nodes, err) < 0)
        return -1;
    if (!(uuid = drv_host_uuid(d, err))) {
        g_strfreev(nodes);
        return -1;
    }
    *uuids = g_new0(char *, 2);
    (*uuids)[0] = uuid;
    *names = nodes;
    return 0;
}

/* ---- the contract's host calls ---- */

char *
drv_get_host_ip_addr(drv *d)
{
    return g_strdup(d->cfg.my_ip ? d->cfg.my_ip : "127.0.0.1");
}

int
drv_set_host_enabled(drv *d, bool enabled, const char **status,
                     drv_error *err)
{
    drv_error_reset(err);
    drv_set_service_disabled(d, !enabled, NULL);
    *status = drv_host_enabled(d) ? "enabled" : "disabled";
    return 0;
}

int
drv_host_power_action(drv *d, const char *action, const char **result,
                      drv_error *err)
{
    (void)d;
    (void)result;
    drv_error_reset(err);
    drv_error_set(err, DRV_ERR_NOT_SUPPORTED,
                  "host_power_action (%s) is not implemented by the libvirt "
                  "driver",
                  action ? action : "no action");
    return -1;
}

int
drv_host_maintenance_mode(drv *d, const char *host, bool mode,
                          const char **result, drv_error *err)
{
    (void)d;
    (void)result;
    drv_error_reset(err);
    drv_error_set(err, DRV_ERR_NOT_SUPPORTED,
                  "host_maintenance_mode (%s of host %s) is not implemented "
                  "by the libvirt driver",
                  mode ? "enter" : "leave", host ? host : "(none)");
    return -1;
}

bool
drv_is_supported_fs_format(const char *fs_type)
{
    static const char *const formats[] = {"ext2", "ext3", "ext4", "xfs",
                                          NULL};

    return fs_type && g_strv_contains(formats, fs_type);
}

int
drv_host_check_options(const drv_config *cfg, drv_error *err)
{
    if (cfg->my_ip && !g_hostname_is_ip_address(cfg->my_ip)) {
        drv_error_set(err, DRV_ERR_INVALID_CONFIG,
                      "my_ip: '%s' is not an IP address", cfg->my_ip);
        return -1;
    }
    for (char **t = cfg->image_type_exclude_list; t && *t; t++)
        if (!g_strv_contains((const char *const *)drv_image_types, *t)) {
            char *known = g_strjoinv(", ", (char **)drv_image_types);

            drv_error_set(err, DRV_ERR_INVALID_CONFIG,
                          "image_type_exclude_list: unknown image type "
                          "'%s' (one of %s)",
                          *t, known);
            g_free(known);
            return -1;
        }
    return 0;
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

int
drv_host_cpu_traits(drv *d, drv_trait_flag **flags, unsigned int *n,
                    drv_error *err)
{
    host_caps caps;

    *flags = NULL;
    *n = 0;
    if (host_caps_read(d, &caps, err) < 0)
        return -1;
    *flags = g_new0(drv_trait_flag, G_N_ELEMENTS(cpu_traits));
    for (size_t k = 0; k < G_N_ELEMENTS(cpu_traits); k++) {
        (*flags)[k].trait = cpu_traits[k].trait;
        (*flags)[k].supported = g_ptr_array_find_with_equal_func(
            caps.features, cpu_traits[k].feature, g_str_equal, NULL);
    }
    *n = G_N_ELEMENTS(cpu_traits);
    host_caps_clear(&caps);
    return 0;
}

int
drv_get_traits(drv *d, char ***traits, drv_error *err)
{
    drv_trait_flag *flags;
    unsigned int n;
    GPtrArray *out;

    drv_error_reset(err);
    if (drv_host_cpu_traits(d, &flags, &n, err) < 0)
        return -1;
    out = g_ptr_array_new();
    for (unsigned int i = 0; i < n; i++)
        if (flags[i].supported)
            g_ptr_array_add(out, g_strdup(flags[i].trait));
    g_free(flags);
    g_ptr_array_sort(out, cmp_str);
    g_ptr_array_add(out, NULL);
    *traits = (char **)g_ptr_array_free(out, FALSE);
    return 0;
}
