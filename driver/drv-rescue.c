/*
 * drv-rescue.c: rescue and unrescue — boot a rescue image with the
 * instance's root disk attached, then return to the instance's own
 * definition.
 */
#include "drv-priv.h"

#include <glib.h>

int
drv_rescue(drv *d, const drv_instance *inst, drv_error *err)
{
    char *unrescue_xml = NULL, *xml = NULL, *backing = NULL;
    hv_domain *dom;
    int ret = -1;

    drv_error_reset(err);
    if (!(unrescue_xml = drv_existing_domain_xml(d, inst, err)))
        return -1;
    backing = drv_image_backing_path(d, inst, err);
    if (err->kind != DRV_OK)
        goto cleanup;
    if (!backing && !drv_kv_get(inst->image.properties,
                                inst->image.n_properties, "kernel_path")) {
        drv_error_set(err, DRV_ERR_INSTANCE_NOT_RESCUABLE,
                      "Instance %s cannot be rescued: its image has no disk "
                      "and no kernel to boot", inst->uuid);
        goto cleanup;
    }
    if (backing &&
        drv_create_root_volume(d, inst, DRV_VOL_RESCUE, backing, err) < 0)
        goto cleanup;
    if (!(xml = drv_build_xml(d, inst, true, err)))
        goto cleanup;
    if (drv_destroy_domain(d, inst, 1, err) < 0)
        goto cleanup;
    if (!(dom = drv_create_domain(d, inst, xml, true, false, err)))
        goto cleanup;
    hv_domain_free(dom);
    g_hash_table_replace(d->unrescue, g_strdup(inst->uuid),
                         g_steal_pointer(&unrescue_xml));
    ret = 0;

cleanup:
    if (ret < 0)
        drv_delete_volume(d, inst, DRV_VOL_RESCUE);
    g_free(unrescue_xml);
    g_free(xml);
    g_free(backing);
    return ret;
}

int
drv_unrescue(drv *d, const drv_instance *inst, drv_error *err)
{
    const char *saved = g_hash_table_lookup(d->unrescue, inst->uuid);
    char *xml = NULL;
    hv_domain *dom;
    int ret = -1;

    drv_error_reset(err);
    /* without the saved definition (driver restarted), build it afresh */
    xml = saved ? g_strdup(saved) : drv_build_xml(d, inst, false, err);
    if (!xml)
        return -1;
    if (drv_destroy_domain(d, inst, 1, err) < 0)
        goto cleanup;
    if (!(dom = drv_create_domain(d, inst, xml, true, false, err)))
        goto cleanup;
    hv_domain_free(dom);
    drv_delete_volume(d, inst, DRV_VOL_RESCUE);
    g_hash_table_remove(d->unrescue, inst->uuid);
    ret = 0;

cleanup:
    g_free(xml);
    return ret;
}
