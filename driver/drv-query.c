/*
 * drv-query.c: questions about instances — their domain and power state
 * (the helpers every operation on an instance starts with), info,
 * existence, the lists of instances (diagnostics are in drv-diag.c).
 * Nothing here changes the host.
 */
#include "drv-priv.h"

#include <glib.h>
#include <string.h>

/* The instance's domain; NULL with InstanceNotFound or the hv error. */
hv_domain *
drv_get_guest(drv *d, const drv_instance *inst, drv_error *err)
{
    hv_error hv;
    hv_domain *dom = hv_domain_lookup_by_uuid(d->conn, inst->uuid, &hv);

    /* like the reference's get_connection: a broken connection is made
     * again before the call goes through; if that fails the call fails */
    if (!dom && hv.conn_lost && drv_host_check_connection(d) == 1)
        dom = hv_domain_lookup_by_uuid(d->conn, inst->uuid, &hv);
    if (!dom) {
        if (hv.code == HV_ERR_NO_DOMAIN)
            drv_set_not_found(err, inst, &hv);
        else
            drv_set_conn_error(d, err, &hv, "lookup", inst);
    }
    return dom;
}

/* The domain's info; -1 with an error (NO_DOMAIN: not found). */
static int
guest_info(const drv_instance *inst, hv_domain *dom, hv_domain_info *info,
           drv_error *err)
{
    hv_error hv;

    if (hv_domain_get_info(dom, info, &hv) < 0) {
        if (hv.code == HV_ERR_NO_DOMAIN)
            drv_set_not_found(err, inst, &hv);
        else
            drv_set_hv_error(err, &hv, "get_info", inst);
        return -1;
    }
    return 0;
}

/* Power state and ID of a domain; -1 with an error (NO_DOMAIN: not found). */
int
drv_guest_state(drv *d, const drv_instance *inst, hv_domain *dom, int *id,
                drv_error *err)
{
    hv_domain_info info;

    (void)d;
    if (guest_info(inst, dom, &info, err) < 0)
        return -1;
    if (id)
        *id = info.id;
    return drv_power_state_from_hv(info.state);
}

int
drv_get_info(drv *d, const drv_instance *inst, drv_info *out, drv_error *err)
{
    hv_domain *dom;
    hv_domain_info info;
    int ret = -1;

    drv_error_reset(err);
    if (!(dom = drv_get_guest(d, inst, err)))
        return -1;
    if (guest_info(inst, dom, &info, err) < 0)
        goto cleanup;
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
    if ((dom = drv_get_guest(d, inst, err))) {
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
        drv_set_conn_error(d, err, &hv, "cannot list domains", NULL);
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
