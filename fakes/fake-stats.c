/*
 * fake-stats.c: the fake's statistics — the host's memory counters, and a
 * running domain's vCPU times, disk and interface counters and balloon
 * statistics.
 *
 * Every value is a function of the domain's model and virtual time, so a
 * trace replays bit for bit. A domain's activity is its CPU time since its
 * QEMU started (fake_dom.start_cpu_ns: counters start again with every
 * start, as QEMU's do), which grows only while it runs: a paused guest's
 * counters stand still. Errors are those libvirt 9.0 + QEMU 7.2 give.
 */
#include "fake-priv.h"

#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <string.h>

/* ---- the host ---- */

uint64_t
fake_host_running_mem_kib(fake_host *h)
{
    GHashTableIter it;
    gpointer v;
    uint64_t total = 0;

    g_hash_table_iter_init(&it, h->by_uuid);
    while (g_hash_table_iter_next(&it, NULL, &v))
        if (fake_dom_active(v))
            total += ((fake_dom *)v)->mem_kib;
    return total;
}

/*
 * /proc/meminfo of the fake host: its system uses os_memory_mib, running
 * guests their memory; of the rest a quarter is page cache and a
 * thirty-second buffers, so total - free - buffers - cached is exactly
 * what the system and the guests use.
 */
int
fk_node_get_memory_stats(hv_conn *conn, hv_node_memory_stats *st,
                         hv_error *err)
{
    fake_conn *c = fake_conn_of(conn);
    uint64_t total, used, rest;

    if (fake_conn_check(c, err) < 0)
        return -1;
    total = c->host->memory_mib * 1024;
    used = c->host->os_memory_mib * 1024 + fake_host_running_mem_kib(c->host);
    rest = used >= total ? 0 : total - used;
    st->total_kib = total;
    st->cached_kib = rest / 4;
    st->buffers_kib = rest / 32;
    st->free_kib = rest - st->cached_kib - st->buffers_kib;
    return 0;
}

/* ---- a domain ---- */

/* The running domain of a handle, or NULL (NO_DOMAIN, OPERATION_INVALID). */
static fake_dom *
running_dom(hv_domain *dom, hv_error *err)
{
    fake_dom *d = fake_dom_of(dom, err);

    if (d && !fake_dom_active(d)) {
        hv_error_set(err, HV_ERR_OPERATION_INVALID,
                     "Requested operation is not valid: domain is not "
                     "running");
        return NULL;
    }
    return d;
}

/* CPU time the domain used since its QEMU started, ns. */
static uint64_t
life_cpu_ns(hv_domain *dom, const fake_dom *d)
{
    uint64_t cpu = d->cpu_ns;

    if (d->running_since >= 0)
        cpu += (uint64_t)(sim_now(fake_conn_of(dom->conn)->w) -
                          d->running_since) / 10;
    return cpu - d->start_cpu_ns;
}

/* Milliseconds the guest has run since it started (an idle guest's CPU
 * time is a tenth of its run time: fake_dom_account_cpu). */
static uint64_t
life_run_ms(hv_domain *dom, const fake_dom *d)
{
    return life_cpu_ns(dom, d) * 10 / (uint64_t)HV_NS_PER_MS;
}

int
fk_domain_get_vcpus(hv_domain *dom, hv_vcpu_info **vcpus, int *count,
                    hv_error *err)
{
    fake_dom *d = running_dom(dom, err);
    uint64_t cpu;
    unsigned int n, host_cpus;

    if (!d)
        return -1;
    n = d->vcpus ? d->vcpus : 1;
    host_cpus = fake_conn_of(dom->conn)->host->vcpus;
    cpu = life_cpu_ns(dom, d);
    *vcpus = g_new0(hv_vcpu_info, n);
    for (unsigned int i = 0; i < n; i++) {
        (*vcpus)[i].number = i;
        (*vcpus)[i].state = HV_VCPU_RUNNING;
        /* the first vCPU does the odd nanoseconds */
        (*vcpus)[i].cpu_time_ns = cpu / n + (i == 0 ? cpu % n : 0);
        (*vcpus)[i].cpu = (int)(i % host_cpus);
    }
    *count = (int)n;
    return 0;
}

/*
 * The index of the device whose target dev is 'dev' among the domain's
 * live disks or interfaces (xpath selects their target/@dev), -1 if none.
 */
static int
live_device_index(const fake_dom *d, const char *xpath, const char *dev)
{
    xmlDocPtr doc;
    xmlXPathContextPtr ctx = NULL;
    xmlXPathObjectPtr res = NULL;
    int found = -1;

    if (!d->live_xml || !dev)
        return -1;
    doc = xmlReadMemory(d->live_xml, (int)strlen(d->live_xml), "live.xml",
                        NULL, XML_PARSE_NONET | XML_PARSE_NOERROR |
                                  XML_PARSE_NOWARNING);
    if (doc && (ctx = xmlXPathNewContext(doc)) &&
        (res = xmlXPathEvalExpression((const xmlChar *)xpath, ctx)) &&
        res->nodesetval) {
        for (int i = 0; i < res->nodesetval->nodeNr && found < 0; i++) {
            xmlChar *v = xmlNodeGetContent(res->nodesetval->nodeTab[i]);
            if (v && strcmp((const char *)v, dev) == 0)
                found = i;
            xmlFree(v);
        }
    }
    xmlXPathFreeObject(res);
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
    return found;
}

/* The number an XPath expression gives on the live XML (NaN: -1). */
static double
live_number(const fake_dom *d, const char *xpath)
{
    xmlDocPtr doc;
    xmlXPathContextPtr ctx = NULL;
    xmlXPathObjectPtr res = NULL;
    double v = -1;

    if (!d->live_xml)
        return -1;
    doc = xmlReadMemory(d->live_xml, (int)strlen(d->live_xml), "live.xml",
                        NULL, XML_PARSE_NONET | XML_PARSE_NOERROR |
                                  XML_PARSE_NOWARNING);
    if (doc && (ctx = xmlXPathNewContext(doc)) &&
        (res = xmlXPathEvalExpression((const xmlChar *)xpath, ctx))) {
        v = xmlXPathCastToNumber(res);
        if (v != v)
            v = -1;
    }
    xmlXPathFreeObject(res);
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
    return v;
}

int
fk_domain_block_stats(hv_domain *dom, const char *dev, hv_block_stats *st,
                      hv_error *err)
{
    fake_dom *d = running_dom(dom, err);
    uint64_t ms;
    int k;

    if (!d)
        return -1;
    if ((k = live_device_index(d, "/domain/devices/disk/target/@dev",
                               dev)) < 0) {
        hv_error_set(err, HV_ERR_INVALID_ARG,
                     "invalid argument: invalid path: %s", dev ? dev : "");
        return -1;
    }
    ms = life_run_ms(dom, d);
    /* the first disk boots the guest: most of the reads, all the writes */
    if (k == 0) {
        st->rd_req = 1500 + (int64_t)(ms / 100);
        st->wr_req = (int64_t)(ms / 500);
    } else {
        st->rd_req = 20 + (int64_t)(ms / 1000);
        st->wr_req = 0;
    }
    st->rd_bytes = st->rd_req * 4096;
    st->wr_bytes = st->wr_req * 8192;
    /* QEMU does not count errors: libvirt reports -1 */
    st->errs = -1;
    return 0;
}

int
fk_domain_interface_stats(hv_domain *dom, const char *dev,
                          hv_interface_stats *st, hv_error *err)
{
    fake_dom *d = running_dom(dom, err);
    uint64_t ms;

    if (!d)
        return -1;
    if (live_device_index(d, "/domain/devices/interface/target/@dev",
                          dev) < 0) {
        hv_error_set(err, HV_ERR_INVALID_ARG,
                     "invalid argument: invalid path, '%s' is not a known "
                     "interface", dev ? dev : "");
        return -1;
    }
    ms = life_run_ms(dom, d);
    st->rx_packets = 10 + (int64_t)(ms / 200);
    st->rx_bytes = st->rx_packets * 600;
    st->tx_packets = 5 + (int64_t)(ms / 500);
    st->tx_bytes = st->tx_packets * 400;
    st->rx_errs = st->rx_drop = st->tx_errs = st->tx_drop = 0;
    return 0;
}

/*
 * What QEMU reports: rss always; the balloon's size (actual) when the
 * domain has a balloon (libvirt adds a virtio one when the XML has none);
 * the guest's own statistics only when the balloon has a statistics
 * period and the guest has booted (its driver reports them).
 */
int
fk_domain_memory_stats(hv_domain *dom, hv_memory_stat *stats, int *count,
                       hv_error *err)
{
    fake_dom *d = running_dom(dom, err);
    uint64_t mem, ms, rss, caches;
    bool balloon, guest;
    int n = 0;

    if (!d)
        return -1;
    mem = d->mem_kib;
    ms = life_run_ms(dom, d);
    balloon = live_number(d, "count(/domain/devices/memballoon"
                             "[@model='none'])") == 0;
    guest = balloon && d->os_up &&
            live_number(d, "number(/domain/devices/memballoon/stats/"
                           "@period)") > 0;
    rss = mem / 4 + ms * 4;
    if (rss > mem)
        rss = mem;
    caches = mem / 16;
#define PUT(t, v)                                                             \
    do {                                                                      \
        stats[n].tag = (t);                                                   \
        stats[n].val = (v);                                                   \
        n++;                                                                  \
    } while (0)
    if (guest) {
        PUT(HV_MEMSTAT_SWAP_IN, 0);
        PUT(HV_MEMSTAT_SWAP_OUT, 0);
        PUT(HV_MEMSTAT_MAJOR_FAULT, 120 + ms / 10000);
        PUT(HV_MEMSTAT_MINOR_FAULT, 40000 + ms / 10);
        PUT(HV_MEMSTAT_UNUSED, mem - rss / 2 - caches);
        PUT(HV_MEMSTAT_AVAILABLE, mem - mem / 32);
    }
    if (balloon)
        PUT(HV_MEMSTAT_ACTUAL_BALLOON, mem);
    PUT(HV_MEMSTAT_RSS, rss);
    if (guest) {
        PUT(HV_MEMSTAT_USABLE, mem - rss / 2);
        PUT(HV_MEMSTAT_LAST_UPDATE,
            (uint64_t)(sim_now(fake_conn_of(dom->conn)->w) / HV_NS_PER_SEC));
        PUT(HV_MEMSTAT_DISK_CACHES, caches);
    }
#undef PUT
    *count = n;
    return 0;
}
