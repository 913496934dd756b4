/*
 * hv-libvirt-migrate.c: the libvirt backend's migration slots.
 *
 * domain_migrate_start hands the blocking libvirt call (virDomainMigrate3,
 * or virDomainMigrateToURI3 for peer-to-peer) to a thread of its own and
 * returns at once; migration_poll reads the outcome the thread left, and
 * migration_release joins it. Tuning (max downtime, max speed, post-copy)
 * is made on the caller's thread while the migration runs. The handle's
 * state is lv_migration (hv-libvirt-priv.h).
 */
#include "hv-libvirt-priv.h"

static const lv_flag migrate_flags[] = {
    {HV_MIGRATE_LIVE, VIR_MIGRATE_LIVE},
    {HV_MIGRATE_PEER2PEER, VIR_MIGRATE_PEER2PEER},
    {HV_MIGRATE_PERSIST_DEST, VIR_MIGRATE_PERSIST_DEST},
    {HV_MIGRATE_UNDEFINE_SOURCE, VIR_MIGRATE_UNDEFINE_SOURCE},
    {HV_MIGRATE_AUTO_CONVERGE, VIR_MIGRATE_AUTO_CONVERGE},
    {HV_MIGRATE_POSTCOPY, VIR_MIGRATE_POSTCOPY},
    {HV_MIGRATE_NON_SHARED_DISK, VIR_MIGRATE_NON_SHARED_DISK},
    {HV_MIGRATE_TUNNELLED, VIR_MIGRATE_TUNNELLED},
    {HV_MIGRATE_NON_SHARED_INC, VIR_MIGRATE_NON_SHARED_INC},
};

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

int
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
    for (size_t i = 0; p->migrate_disks && p->migrate_disks[i]; i++)
        if (virTypedParamsAddString(&m->params, &m->nparams, &maxparams,
                                    VIR_MIGRATE_PARAM_MIGRATE_DISKS,
                                    p->migrate_disks[i]) < 0) {
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

int
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

void
lv_migration_release(hv_migration *mig)
{
    lv_migration_free(mig->priv);
    mig->priv = NULL;
}

int
lv_domain_migrate_set_max_downtime(hv_domain *dom, uint64_t ms,
                                   hv_error *err)
{
    return lv_check(virDomainMigrateSetMaxDowntime(LV_DOM(dom), ms, 0), err);
}

int
lv_domain_migrate_set_max_speed(hv_domain *dom, uint64_t mib, hv_error *err)
{
    if (mib > G_MAXULONG) {
        hv_error_set(err, HV_ERR_INVALID_ARG,
                     "bandwidth %" G_GUINT64_FORMAT " MiB/s is too large",
                     mib);
        return -1;
    }
    return lv_check(virDomainMigrateSetMaxSpeed(LV_DOM(dom), (unsigned long)mib,
                                                0),
                    err);
}

int
lv_domain_migrate_start_post_copy(hv_domain *dom, hv_error *err)
{
    return lv_check(virDomainMigrateStartPostCopy(LV_DOM(dom), 0), err);
}
