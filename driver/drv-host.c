/*
 * drv-host.c: the host — connecting (version checks, event registration),
 * whether it is enabled, its resources and inventory, uptime, CPU
 * statistics, its node and its traits.
 */
#include "drv-priv.h"

#include <glib.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <string.h>

/* libvirt and QEMU older than these are refused, as by the reference. */
#define MIN_LIBVIRT_VERSION 1002001UL /* 1.2.1 */
#define MIN_QEMU_VERSION 1005003UL    /* 1.5.3 */

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
        drv_set_hv_error(err, &hv, "cannot read the hypervisor versions", NULL);
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
        drv_set_hv_error(err, &hv, "cannot read the hostname", NULL);
        return -1;
    }
    if (drv_register_events(d, &hv) < 0) {
        drv_set_hv_error(err, &hv, "cannot register for events", NULL);
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
        drv_set_hv_error(err, &hv, "cannot list domains", NULL);
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
        drv_set_hv_error(err, &hv, "cannot read host resources", NULL);
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
        drv_set_hv_error(err, &hv, "cannot read the host uptime", NULL);
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
        drv_set_hv_error(err, &hv, "cannot read host CPU statistics", NULL);
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
        drv_set_hv_error(err, &hv, "cannot read the hostname", NULL);
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
        drv_set_hv_error(err, &hv, "cannot read capabilities", NULL);
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
