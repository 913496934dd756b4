/*
 * drv-vif.c: an instance's VIFs — plugging them (the hook standing in for
 * os-vif and Neutron), Neutron's network-vif-plugged events, and waiting
 * for them before a guest may run.
 */
#include "drv-priv.h"

#include <glib.h>
#include <string.h>

void
drv_set_vif_plug_hook(drv *d, drv_vif_plug_hook fn, void *opaque)
{
    d->vif_hook = fn;
    d->vif_hook_opaque = opaque;
}


static char *
vif_key(const char *uuid, const char *vif)
{
    return g_strdup_printf("%s/%s", uuid, vif);
}

void
drv_vif_plug(drv *d, const char *uuid, const drv_vif *vif)
{
    if (d->vif_hook)
        d->vif_hook(d->vif_hook_opaque, d, uuid, vif->id);
}

void
drv_vif_unplug(drv *d, const char *uuid, const drv_vif *vif)
{
    char *key = vif_key(uuid, vif->id);

    g_hash_table_remove(d->vif_events, key);
    g_free(key);
}

void
drv_vifs_plug(drv *d, const drv_instance *inst)
{
    for (unsigned int i = 0; i < inst->n_vifs; i++)
        drv_vif_plug(d, inst->uuid, &inst->vifs[i]);
}

void
drv_vifs_unplug(drv *d, const drv_instance *inst)
{
    for (unsigned int i = 0; i < inst->n_vifs; i++)
        drv_vif_unplug(d, inst->uuid, &inst->vifs[i]);
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
int
drv_wait_for_vifs(drv *d, const drv_instance *inst, drv_error *err)
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
        if (drv_sleep(d, DRV_POLL_NS, err) < 0)
            return -1;
    }
}

bool
drv_vifs_pending(drv *d, const drv_instance *inst)
{
    if (d->cfg.vif_plugging_timeout <= 0)
        return false;
    for (unsigned int i = 0; i < inst->n_vifs; i++)
        if (!inst->vifs[i].active)
            return true;
    return false;
}
