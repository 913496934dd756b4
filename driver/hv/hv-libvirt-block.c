/*
 * hv-libvirt-block.c: the libvirt backend's block-job slots — a disk
 * copied onto another file and pivoted to it (virDomainBlockRebase with
 * VIR_DOMAIN_BLOCK_REBASE_COPY, virDomainBlockJobAbort with PIVOT), the
 * job's progress, and growing a disk of a running domain
 * (virDomainBlockResize). The driver's swap_volume is built on them.
 */
#include "hv-libvirt-priv.h"

#include <string.h>

int
lv_domain_block_rebase(hv_domain *dom, const char *disk, const char *base,
                       unsigned int flags, hv_error *err)
{
    unsigned int lf = 0;

    if (flags & HV_BLOCK_REBASE_SHALLOW)
        lf |= VIR_DOMAIN_BLOCK_REBASE_SHALLOW;
    if (flags & HV_BLOCK_REBASE_REUSE_EXT)
        lf |= VIR_DOMAIN_BLOCK_REBASE_REUSE_EXT;
    if (flags & HV_BLOCK_REBASE_COPY)
        lf |= VIR_DOMAIN_BLOCK_REBASE_COPY;
    if (flags & HV_BLOCK_REBASE_RELATIVE)
        lf |= VIR_DOMAIN_BLOCK_REBASE_RELATIVE;
    /* bandwidth 0: unlimited, as the reference's REBASE_DEFAULT_BANDWIDTH */
    if (virDomainBlockRebase(LV_DOM(dom), disk, base, 0, lf) < 0) {
        lv_error(err);
        return -1;
    }
    return 0;
}

int
lv_domain_block_job_info(hv_domain *dom, const char *disk,
                         hv_block_job_info *info, int *has_job,
                         hv_error *err)
{
    virDomainBlockJobInfo bi;
    int rc;

    memset(&bi, 0, sizeof(bi));
    rc = virDomainGetBlockJobInfo(LV_DOM(dom), disk, &bi, 0);
    if (rc < 0) {
        lv_error(err);
        return -1;
    }
    *has_job = rc > 0;
    if (rc > 0) {
        info->type = bi.type;
        info->bandwidth = bi.bandwidth;
        info->cur = bi.cur;
        info->end = bi.end;
    }
    return 0;
}

int
lv_domain_block_job_abort(hv_domain *dom, const char *disk,
                          unsigned int flags, hv_error *err)
{
    unsigned int lf = 0;

    if (flags & HV_BLOCK_JOB_ABORT_ASYNC)
        lf |= VIR_DOMAIN_BLOCK_JOB_ABORT_ASYNC;
    if (flags & HV_BLOCK_JOB_ABORT_PIVOT)
        lf |= VIR_DOMAIN_BLOCK_JOB_ABORT_PIVOT;
    if (virDomainBlockJobAbort(LV_DOM(dom), disk, lf) < 0) {
        lv_error(err);
        return -1;
    }
    return 0;
}

int
lv_domain_block_resize(hv_domain *dom, const char *disk, uint64_t size_kib,
                       hv_error *err)
{
    /* flags 0: the size is in KiB */
    if (virDomainBlockResize(LV_DOM(dom), disk, size_kib, 0) < 0) {
        lv_error(err);
        return -1;
    }
    return 0;
}
