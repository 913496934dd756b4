/*
 * fake-block.c: block jobs of a fake domain's QEMU, behind the
 * domain_block_* slots — a copy of a disk onto another file that runs in
 * virtual time at FAKE_BLOCK_COPY_MIB_S, stays "ready" (cur == end) once
 * done until it is aborted, and with a pivot switches the disk's source
 * to the copy; a pull that ends by itself; and a disk resize.
 *
 * Errors follow libvirt 9.0's QEMU driver (measured on the tiny guest):
 * OPERATION_INVALID for a domain that is not running, a copy of a
 * persistent domain ("domain is not transient"), a disk with a job
 * already (rebase), or a job not ready to pivot; INVALID_ARG for a disk
 * the domain has not, or an abort without a job; SYSTEM_ERROR/ENOENT for
 * a copy onto a missing pool volume with REUSE_EXT.
 */
#include "fake-priv.h"

#include <errno.h>
#include <string.h>

#include "fake-xml.h"

/* How fast a copy runs, MiB of virtual time per second. */
#define FAKE_BLOCK_COPY_MIB_S 256
/* The size a disk outside the pool is taken to have. */
#define FAKE_BLOCK_DEFAULT_BYTES (UINT64_C(1) << 30)

typedef struct fake_block_job {
    char disk[64];
    char *dest;      /* the copy's file (g_free) */
    int type;        /* HV_BLOCK_JOB_COPY or HV_BLOCK_JOB_PULL */
    int64_t start;   /* virtual time it began */
    uint64_t end;    /* bytes to copy */
} fake_block_job;

static void
job_free(void *p)
{
    fake_block_job *j = p;

    if (j) {
        g_free(j->dest);
        g_free(j);
    }
}

void
fake_block_jobs_clear(fake_dom *d)
{
    g_clear_pointer(&d->block_jobs, g_ptr_array_unref);
}

static fake_dom *
running(hv_domain *dom, hv_error *err)
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

/* The live source of disk dev (a target, or a source path as libvirt
 * takes too) and its target, which keys its job; or -1 with INVALID_ARG
 * as libvirt's "disk not found". */
static int
live_disk(fake_dom *d, const char *dev, char *source, size_t len,
          char target[64], hv_error *err)
{
    if (!fake_xml_disk_source(d->live_xml, dev, source, len) ||
        !fake_xml_disk_target(d->live_xml, dev, target, 64)) {
        hv_error_set(err, HV_ERR_INVALID_ARG,
                     "invalid argument: disk '%s' not found in domain", dev);
        return -1;
    }
    return 0;
}

static fake_block_job *
job_of(fake_dom *d, const char *dev)
{
    for (guint i = 0; d->block_jobs && i < d->block_jobs->len; i++) {
        fake_block_job *j = g_ptr_array_index(d->block_jobs, i);

        if (strcmp(j->disk, dev) == 0)
            return j;
    }
    return NULL;
}

static uint64_t
job_cur(const fake_block_job *j, int64_t now)
{
    uint64_t done = (uint64_t)(now - j->start) / HV_NS_PER_MS *
                    (FAKE_BLOCK_COPY_MIB_S << 20) / 1000;

    return done < j->end ? done : j->end;
}

/* A pull ends by itself once done: libvirt drops it. */
static void
reap_pulls(fake_dom *d, int64_t now)
{
    for (guint i = 0; d->block_jobs && i < d->block_jobs->len;) {
        fake_block_job *j = g_ptr_array_index(d->block_jobs, i);

        if (j->type == HV_BLOCK_JOB_PULL && job_cur(j, now) >= j->end)
            g_ptr_array_remove_index(d->block_jobs, i);
        else
            i++;
    }
}

/* The size of the disk at path: its pool volume's capacity, else 1 GiB. */
static uint64_t
source_bytes(fake_host *h, const char *path)
{
    const char *name = fake_vol_name_of_path(path);
    fake_vol *v = name ? g_hash_table_lookup(h->vols, name) : NULL;

    return v && v->capacity ? v->capacity : FAKE_BLOCK_DEFAULT_BYTES;
}

/* The data a pool volume holds (a file outside the pool: its size). */
static uint64_t
top_bytes(fake_host *h, const char *path)
{
    const char *name = fake_vol_name_of_path(path);
    fake_vol *v = name ? g_hash_table_lookup(h->vols, name) : NULL;

    return v ? v->allocation : source_bytes(h, path);
}

int
fk_domain_block_rebase(hv_domain *dom, const char *disk, const char *base,
                       unsigned int flags, hv_error *err)
{
    fake_conn *c = fake_conn_of(dom->conn);
    fake_dom *d = running(dom, err);
    char source[512], tgt[64];
    fake_block_job *j;

    if (!d || live_disk(d, disk, source, sizeof(source), tgt, err) < 0)
        return -1;
    reap_pulls(d, sim_now(c->w));
    if (job_of(d, tgt)) {
        hv_error_set(err, HV_ERR_OPERATION_INVALID,
                     "Requested operation is not valid: disk '%s' already "
                     "in active block job", disk);
        return -1;
    }
    /* measured: libvirt keeps copies off persistent domains */
    if ((flags & HV_BLOCK_REBASE_COPY) && d->persistent) {
        hv_error_set(err, HV_ERR_OPERATION_INVALID,
                     "Requested operation is not valid: domain is not "
                     "transient");
        return -1;
    }
    if ((flags & HV_BLOCK_REBASE_COPY) &&
        (flags & HV_BLOCK_REBASE_REUSE_EXT)) {
        const char *vol = fake_vol_name_of_path(base);

        if (vol && !g_hash_table_contains(c->host->vols, vol)) {
            hv_error_set_errno(err, ENOENT,
                               "Cannot access storage file '%s': No such "
                               "file or directory", base);
            return -1;
        }
    }
    j = g_new0(fake_block_job, 1);
    g_strlcpy(j->disk, tgt, sizeof(j->disk));
    j->dest = g_strdup(base);
    j->type = (flags & HV_BLOCK_REBASE_COPY) ? HV_BLOCK_JOB_COPY
                                             : HV_BLOCK_JOB_PULL;
    j->start = sim_now(c->w);
    /* a shallow copy moves the top image's data only (a live snapshot's
     * delta); a full one the disk as the guest sees it */
    j->end = (flags & HV_BLOCK_REBASE_SHALLOW)
                 ? top_bytes(c->host, source)
                 : source_bytes(c->host, source);
    if (!d->block_jobs)
        d->block_jobs = g_ptr_array_new_with_free_func(job_free);
    g_ptr_array_add(d->block_jobs, j);
    return 0;
}

int
fk_domain_block_job_info(hv_domain *dom, const char *disk,
                         hv_block_job_info *info, int *has_job,
                         hv_error *err)
{
    fake_conn *c = fake_conn_of(dom->conn);
    fake_dom *d = running(dom, err);
    char source[512], tgt[64];
    fake_block_job *j;
    int64_t now = sim_now(c->w);

    if (!d || live_disk(d, disk, source, sizeof(source), tgt, err) < 0)
        return -1;
    reap_pulls(d, now);
    if (!(j = job_of(d, tgt))) {
        *has_job = 0;
        return 0;
    }
    *has_job = 1;
    info->type = j->type;
    info->bandwidth = 0;
    info->cur = job_cur(j, now);
    info->end = j->end;
    return 0;
}

int
fk_domain_block_job_abort(hv_domain *dom, const char *disk,
                          unsigned int flags, hv_error *err)
{
    fake_conn *c = fake_conn_of(dom->conn);
    fake_dom *d = running(dom, err);
    char source[512], tgt[64];
    fake_block_job *j;
    int64_t now = sim_now(c->w);

    if (!d || live_disk(d, disk, source, sizeof(source), tgt, err) < 0)
        return -1;
    reap_pulls(d, now);
    if (!(j = job_of(d, tgt))) {
        hv_error_set(err, HV_ERR_INVALID_ARG,
                     "invalid argument: disk %s does not have an active "
                     "block job", disk);
        return -1;
    }
    if (flags & HV_BLOCK_JOB_ABORT_PIVOT) {
        char *xml;

        if (j->type != HV_BLOCK_JOB_COPY || job_cur(j, now) < j->end) {
            hv_error_set(err, HV_ERR_OPERATION_INVALID,
                         "Requested operation is not valid: block job '%s' "
                         "not ready for pivot yet", disk);
            return -1;
        }
        if (!(xml = fake_xml_set_disk_source(d->live_xml, tgt, j->dest,
                                             err)))
            return -1;
        g_free(d->live_xml);
        d->live_xml = xml;
    }
    /* the copy's file holds what was copied by now, pivot or not */
    if (j->type == HV_BLOCK_JOB_COPY) {
        const char *name = fake_vol_name_of_path(j->dest);
        fake_vol *v = name ? g_hash_table_lookup(c->host->vols, name) : NULL;

        if (v)
            v->allocation += job_cur(j, now);
    }
    g_ptr_array_remove(d->block_jobs, j);
    return 0;
}

int
fk_domain_block_resize(hv_domain *dom, const char *disk, uint64_t size_kib,
                       hv_error *err)
{
    fake_conn *c = fake_conn_of(dom->conn);
    fake_dom *d = running(dom, err);
    char source[512], tgt[64];
    const char *name;
    fake_vol *v;

    if (!d || live_disk(d, disk, source, sizeof(source), tgt, err) < 0)
        return -1;
    /* QEMU grows the image file: a pool volume's capacity follows */
    name = fake_vol_name_of_path(source);
    if (name && (v = g_hash_table_lookup(c->host->vols, name)))
        v->capacity = size_kib << 10;
    return 0;
}
