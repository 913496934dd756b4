/*
 * hv-libvirt-stats.c: the libvirt backend's statistics slots — per-vCPU
 * times, disk and interface counters and memory statistics of a domain
 * (what the driver's diagnostics read), and the host's memory counters
 * (what its resources read).
 */
#include "hv-libvirt-priv.h"

#include <string.h>

int
lv_node_get_memory_stats(hv_conn *conn, hv_node_memory_stats *stats,
                         hv_error *err)
{
    virConnectPtr vc = lv_vc(conn, err);
    virNodeMemoryStatsPtr params = NULL;
    int n = 0;
    int ret = -1;

    if (!vc)
        return -1;
    if (virNodeGetMemoryStats(vc, VIR_NODE_MEMORY_STATS_ALL_CELLS, NULL, &n,
                              0) < 0) {
        lv_error(err);
        goto cleanup;
    }
    if (n <= 0) {
        hv_error_set(err, HV_ERR_NO_SUPPORT,
                     "the host reports no memory statistics");
        goto cleanup;
    }
    params = g_new0(virNodeMemoryStats, n);
    if (virNodeGetMemoryStats(vc, VIR_NODE_MEMORY_STATS_ALL_CELLS, params, &n,
                              0) < 0) {
        lv_error(err);
        goto cleanup;
    }
    for (int i = 0; i < n; i++) {
        if (strcmp(params[i].field, VIR_NODE_MEMORY_STATS_TOTAL) == 0)
            stats->total_kib = params[i].value;
        else if (strcmp(params[i].field, VIR_NODE_MEMORY_STATS_FREE) == 0)
            stats->free_kib = params[i].value;
        else if (strcmp(params[i].field, VIR_NODE_MEMORY_STATS_BUFFERS) == 0)
            stats->buffers_kib = params[i].value;
        else if (strcmp(params[i].field, VIR_NODE_MEMORY_STATS_CACHED) == 0)
            stats->cached_kib = params[i].value;
    }
    ret = 0;

cleanup:
    g_free(params);
    return ret;
}

int
lv_domain_get_vcpus(hv_domain *dom, hv_vcpu_info **vcpus, int *count,
                    hv_error *err)
{
    virDomainPtr d = LV_DOM(dom);
    virDomainInfo di;
    virVcpuInfoPtr vi = NULL;
    int n, ret = -1;

    if (virDomainGetInfo(d, &di) < 0) {
        lv_error(err);
        return -1;
    }
    vi = g_new0(virVcpuInfo, di.nrVirtCpu ? di.nrVirtCpu : 1);
    /* no CPU maps: the reference reads only the numbers and times */
    if ((n = virDomainGetVcpus(d, vi, (int)di.nrVirtCpu, NULL, 0)) < 0) {
        lv_error(err);
        goto cleanup;
    }
    *vcpus = n ? g_new0(hv_vcpu_info, n) : NULL;
    for (int i = 0; i < n; i++) {
        (*vcpus)[i].number = vi[i].number;
        (*vcpus)[i].state = vi[i].state;
        (*vcpus)[i].cpu_time_ns = vi[i].cpuTime;
        (*vcpus)[i].cpu = vi[i].cpu;
    }
    *count = n;
    ret = 0;

cleanup:
    g_free(vi);
    return ret;
}

int
lv_domain_block_stats(hv_domain *dom, const char *dev, hv_block_stats *stats,
                      hv_error *err)
{
    virDomainBlockStatsStruct bs;

    if (virDomainBlockStats(LV_DOM(dom), dev, &bs, sizeof(bs)) < 0) {
        lv_error(err);
        return -1;
    }
    stats->rd_req = bs.rd_req;
    stats->rd_bytes = bs.rd_bytes;
    stats->wr_req = bs.wr_req;
    stats->wr_bytes = bs.wr_bytes;
    stats->errs = bs.errs;
    return 0;
}

int
lv_domain_interface_stats(hv_domain *dom, const char *dev,
                          hv_interface_stats *stats, hv_error *err)
{
    virDomainInterfaceStatsStruct is;

    if (virDomainInterfaceStats(LV_DOM(dom), dev, &is, sizeof(is)) < 0) {
        lv_error(err);
        return -1;
    }
    stats->rx_bytes = is.rx_bytes;
    stats->rx_packets = is.rx_packets;
    stats->rx_errs = is.rx_errs;
    stats->rx_drop = is.rx_drop;
    stats->tx_bytes = is.tx_bytes;
    stats->tx_packets = is.tx_packets;
    stats->tx_errs = is.tx_errs;
    stats->tx_drop = is.tx_drop;
    return 0;
}

int
lv_domain_memory_stats(hv_domain *dom, hv_memory_stat *stats, int *count,
                       hv_error *err)
{
    virDomainMemoryStatStruct ms[VIR_DOMAIN_MEMORY_STAT_NR];
    int n, k = 0;

    if ((n = virDomainMemoryStats(LV_DOM(dom), ms, VIR_DOMAIN_MEMORY_STAT_NR,
                                  0)) < 0) {
        lv_error(err);
        return -1;
    }
    /* tags this libvirt knows and hv does not are left out */
    for (int i = 0; i < n && k < HV_MEMSTAT_NR; i++) {
        if (ms[i].tag < 0 || ms[i].tag >= HV_MEMSTAT_NR)
            continue;
        stats[k].tag = ms[i].tag;
        stats[k].val = ms[i].val;
        k++;
    }
    *count = k;
    return 0;
}
