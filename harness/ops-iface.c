/*
 * ops-iface.c: the interface operations of scenarios (ops-iface.h).
 *
 * The compute manager's attach_interface allocates the port, calls the
 * driver and, once it succeeded, keeps the VIF in the instance's network
 * info cache; detach_interface calls the driver and then drops the VIF
 * from the cache. The runner's instance is that cache here: it changes
 * only when the driver succeeded.
 */
#include "ops-iface.h"

#include <glib.h>
#include <string.h>

void
ops_vifs_free(drv_vif *vifs)
{
    for (drv_vif *v = vifs; v && v->id; v++)
        drv_vif_clear(v);
    g_free(vifs);
}

/*
 * inst's VIFs as a new array the runner owns, with room for extra more
 * (zeroed entries after the copies, and one more that ends the array);
 * it replaces inst->vifs and the array the flow owned before.
 */
static void
own_vifs(ops_flow *f, unsigned int extra)
{
    drv_instance *inst = f->inst;
    drv_vif *v = g_new0(drv_vif, inst->n_vifs + extra + 1);

    for (unsigned int i = 0; i < inst->n_vifs; i++)
        drv_vif_copy(&v[i], &inst->vifs[i]);
    ops_vifs_free(*f->vifs);
    *f->vifs = v;
    inst->vifs = v;
}

int
ops_flow_attach_interface(ops_flow *f, drv_error *err)
{
    drv_instance *inst = f->inst;

    if (drv_attach_interface(f->here, inst, &f->st->vif, err) < 0)
        return -1;
    own_vifs(f, 1);
    drv_vif_copy(&inst->vifs[inst->n_vifs++], &f->st->vif);
    return 0;
}

int
ops_flow_detach_interface(ops_flow *f, drv_error *err)
{
    drv_instance *inst = f->inst;

    if (drv_detach_interface(f->here, inst, &f->st->vif, err) < 0)
        return -1;
    /* the manager drops the port it detached (a VIF the instance never
     * had leaves its network_info as it was) */
    for (unsigned int i = 0; i < inst->n_vifs; i++) {
        if (strcmp(inst->vifs[i].id, f->st->vif.id) != 0)
            continue;
        own_vifs(f, 0);
        drv_vif_clear(&inst->vifs[i]);
        memmove(&inst->vifs[i], &inst->vifs[i + 1],
                (inst->n_vifs - i) * sizeof(drv_vif));
        inst->n_vifs--;
        break;
    }
    return 0;
}

int
ops_call_plug_vifs(drv *d, const drv_instance *inst, const scn_step *st,
                   const char *host, drv_error *err)
{
    (void)st;
    (void)host;
    return drv_plug_vifs(d, inst, err);
}

int
ops_call_unplug_vifs(drv *d, const drv_instance *inst, const scn_step *st,
                     const char *host, drv_error *err)
{
    (void)st;
    (void)host;
    return drv_unplug_vifs(d, inst, err);
}
