/*
 * hv-libvirt-domain.c: the libvirt backend's domain slots: handles, define,
 * undefine, create, lookup, list, info, XML, power (shutdown, reboot,
 * reset, destroy, suspend, resume), managed save, NMI, devices, jobs.
 *
 * A handle's priv is the virDomainPtr it was looked up with (LV_DOM);
 * hv-libvirt-priv.h explains the backend's design.
 */
#include "hv-libvirt-priv.h"

#include <stdlib.h>
#include <string.h>

/* ---- flags: hv values -> libvirt values ---- */

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

/* ---- handles ---- */

/* Wrap d (ownership moves to the handle) into a new hv_domain. */
static hv_domain *
lv_domain_wrap(hv_conn *conn, virDomainPtr d)
{
    char uuid[VIR_UUID_STRING_BUFLEN] = "";

    if (virDomainGetUUIDString(d, uuid) < 0)
        uuid[0] = '\0'; /* cannot fail for a valid handle */
    return hv_domain_new(conn, virDomainGetName(d), uuid, d);
}

/*
 * The tail of every slot that makes a domain: d, just returned by libvirt,
 * wrapped into *dom, or NULL: -1 with libvirt's error.
 */
static int
lv_check_dom_at(hv_conn *conn, virDomainPtr d, hv_domain **dom,
                hv_error *err, const char *func, int line)
{
    if (!d) {
        lv_error_at(err, func, line);
        return -1;
    }
    *dom = lv_domain_wrap(conn, d);
    return 0;
}
#define lv_check_dom(conn, d, dom, err)                                       \
    lv_check_dom_at((conn), (d), (dom), (err), __func__, __LINE__)

void
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

/* ---- slots ---- */

int
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

int
lv_domain_define(hv_conn *conn, const char *xml, hv_domain **dom,
                 hv_error *err)
{
    virConnectPtr vc = lv_vc(conn, err);

    if (!vc)
        return -1;
    return lv_check_dom(conn, virDomainDefineXML(vc, xml), dom, err);
}

int
lv_domain_undefine(hv_domain *dom, unsigned int flags, hv_error *err)
{
    unsigned int vflags;

    if (lv_map_flags(flags, undefine_flags, &vflags, err) < 0)
        return -1;
    return lv_check(virDomainUndefineFlags(LV_DOM(dom), vflags), err);
}

int
lv_domain_create(hv_domain *dom, unsigned int flags, hv_error *err)
{
    unsigned int vflags;

    if (lv_map_flags(flags, create_flags, &vflags, err) < 0)
        return -1;
    return lv_check(virDomainCreateWithFlags(LV_DOM(dom), vflags), err);
}

int
lv_domain_create_xml(hv_conn *conn, const char *xml, unsigned int flags,
                     hv_domain **dom, hv_error *err)
{
    virConnectPtr vc = lv_vc(conn, err);
    unsigned int vflags;

    if (!vc || lv_map_flags(flags, create_flags, &vflags, err) < 0)
        return -1;
    return lv_check_dom(conn, virDomainCreateXML(vc, xml, vflags), dom, err);
}

int
lv_domain_lookup_by_name(hv_conn *conn, const char *name, hv_domain **dom,
                         hv_error *err)
{
    virConnectPtr vc = lv_vc(conn, err);

    if (!vc)
        return -1;
    return lv_check_dom(conn, virDomainLookupByName(vc, name), dom, err);
}

int
lv_domain_lookup_by_uuid(hv_conn *conn, const char *uuid, hv_domain **dom,
                         hv_error *err)
{
    virConnectPtr vc = lv_vc(conn, err);

    if (!vc)
        return -1;
    return lv_check_dom(conn, virDomainLookupByUUIDString(vc, uuid), dom, err);
}

/*
 * State, reason, sizes, and the current ID. A virDomainPtr keeps the ID it
 * was looked up with, so an active domain is looked up again by UUID (on
 * the handle's own connection) for the ID it has now.
 */
int
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

int
lv_domain_get_xml(hv_domain *dom, unsigned int flags, char **xml,
                  hv_error *err)
{
    unsigned int vflags;

    if (lv_map_flags(flags, xml_flags, &vflags, err) < 0)
        return -1;
    return lv_check_str(virDomainGetXMLDesc(LV_DOM(dom), vflags), xml, err);
}

int
lv_domain_is_persistent(hv_domain *dom, int *persistent, hv_error *err)
{
    return lv_check_int(virDomainIsPersistent(LV_DOM(dom)), persistent, err);
}

int
lv_domain_has_managed_save(hv_domain *dom, int *has, hv_error *err)
{
    return lv_check_int(virDomainHasManagedSaveImage(LV_DOM(dom), 0), has,
                        err);
}

int
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

int
lv_domain_reboot(hv_domain *dom, unsigned int flags, hv_error *err)
{
    unsigned int vflags;

    if (lv_map_flags(flags, reboot_flags, &vflags, err) < 0)
        return -1;
    return lv_check(virDomainReboot(LV_DOM(dom), vflags), err);
}

int
lv_domain_reset(hv_domain *dom, hv_error *err)
{
    return lv_check(virDomainReset(LV_DOM(dom), 0), err);
}

int
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

int
lv_domain_suspend(hv_domain *dom, hv_error *err)
{
    return lv_check(virDomainSuspend(LV_DOM(dom)), err);
}

int
lv_domain_resume(hv_domain *dom, hv_error *err)
{
    return lv_check(virDomainResume(LV_DOM(dom)), err);
}

int
lv_domain_managed_save(hv_domain *dom, hv_error *err)
{
    return lv_check(virDomainManagedSave(LV_DOM(dom), 0), err);
}

int
lv_domain_managed_save_remove(hv_domain *dom, hv_error *err)
{
    return lv_check(virDomainManagedSaveRemove(LV_DOM(dom), 0), err);
}

int
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

int
lv_domain_attach_device(hv_domain *dom, const char *xml, unsigned int flags,
                        hv_error *err)
{
    return lv_device_call(dom, xml, flags, virDomainAttachDeviceFlags, err);
}

int
lv_domain_detach_device(hv_domain *dom, const char *xml, unsigned int flags,
                        hv_error *err)
{
    return lv_device_call(dom, xml, flags, virDomainDetachDeviceFlags, err);
}

int
lv_domain_update_device(hv_domain *dom, const char *xml, unsigned int flags,
                        hv_error *err)
{
    return lv_device_call(dom, xml, flags, virDomainUpdateDeviceFlags, err);
}

/* virDomainGetJobStats' fields into info; -1 with libvirt's error set. */
static int
lv_job_stats(virDomainPtr d, hv_job_info *info)
{
    static const struct {
        const char *name;
        size_t offset;
    } fields[] = {
        {VIR_DOMAIN_JOB_TIME_ELAPSED, offsetof(hv_job_info, time_elapsed_ms)},
        {VIR_DOMAIN_JOB_DATA_TOTAL, offsetof(hv_job_info, data_total)},
        {VIR_DOMAIN_JOB_DATA_PROCESSED, offsetof(hv_job_info, data_processed)},
        {VIR_DOMAIN_JOB_DATA_REMAINING, offsetof(hv_job_info, data_remaining)},
        {VIR_DOMAIN_JOB_MEMORY_TOTAL, offsetof(hv_job_info, mem_total)},
        {VIR_DOMAIN_JOB_MEMORY_PROCESSED, offsetof(hv_job_info, mem_processed)},
        {VIR_DOMAIN_JOB_MEMORY_REMAINING, offsetof(hv_job_info, mem_remaining)},
        {VIR_DOMAIN_JOB_MEMORY_ITERATION, offsetof(hv_job_info, mem_iteration)},
    };
    virTypedParameterPtr params = NULL;
    int n = 0, type = 0;

    if (virDomainGetJobStats(d, &type, &params, &n, 0) < 0)
        return -1;
    info->type = type;
    for (size_t i = 0; i < G_N_ELEMENTS(fields); i++) {
        unsigned long long v;

        if (virTypedParamsGetULLong(params, n, fields[i].name, &v) == 1)
            *(uint64_t *)((char *)info + fields[i].offset) = v;
    }
    virTypedParamsFree(params, n);
    return 0;
}

/*
 * Job statistics as the reference reads them (jobStats: with the memory
 * iteration), and virDomainGetJobInfo where a driver lacks them.
 */
int
lv_domain_get_job_info(hv_domain *dom, hv_job_info *info, hv_error *err)
{
    virDomainJobInfo ji;

    if (lv_job_stats(LV_DOM(dom), info) == 0)
        return 0;
    if (virGetLastErrorCode() != VIR_ERR_NO_SUPPORT) {
        lv_error(err);
        return -1;
    }
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

int
lv_domain_abort_job(hv_domain *dom, hv_error *err)
{
    return lv_check(virDomainAbortJob(LV_DOM(dom)), err);
}

