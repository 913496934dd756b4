/*
 * ops-names.c: device names and the image cache in scenarios, as the
 * compute manager uses them:
 *
 *   default_device_names   _default_block_device_names for a new
 *                          instance: the root device name (the instance's,
 *                          else default_root_device_name), then
 *                          default_device_names_for_instance over the
 *                          block device mappings the API makes — the
 *                          flavor's ephemeral disk and swap, and the
 *                          instance's volumes (their given names dropped,
 *                          as the reference drops them)
 *   get_device_name_for_instance  the name a new volume would get on the
 *                          instance as it stands (its volumes keep their
 *                          names)
 *   manage_image_cache     the periodic task: the driver's pass over the
 *                          instances the runner believes on the host
 *   cache_image            the contract's call, with the image id "name"
 *
 * Answers are JSON objects the step's "result" is compared with.
 */
#include "ops-names.h"

#include <glib.h>
#include <jansson.h>
#include <string.h>

static json_t *
str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

json_t *
ops_query_default_device_names(drv *d, const drv_instance *inst,
                               const scn_step *st, const char *host,
                               drv_error *err)
{
    unsigned int n = 0, n_max = inst->n_volumes + 2;
    drv_dev_bdm *b = g_new0(drv_dev_bdm, n_max);
    char *root = NULL;
    json_t *eph, *vols, *answer = NULL;
    const char *swap = NULL;

    (void)st;
    (void)host;
    if (inst->root_device_name)
        root = g_strdup(inst->root_device_name);
    else if (drv_default_root_device_name(d, inst, NULL, &root, err) < 0)
        goto cleanup;
    if (inst->flavor.ephemeral_gb > 0)
        b[n++] = (drv_dev_bdm){.kind = DRV_DEV_BDM_EPHEMERAL,
                               .boot_index = -1};
    if (inst->flavor.swap_mb > 0)
        b[n++] = (drv_dev_bdm){.kind = DRV_DEV_BDM_SWAP, .boot_index = -1,
                               .swap_size_mb = inst->flavor.swap_mb};
    for (unsigned int i = 0; i < inst->n_volumes; i++)
        b[n++] = (drv_dev_bdm){
            .kind = DRV_DEV_BDM_VOLUME,
            .device_name = g_strdup(inst->volumes[i].mount_device),
            .boot_index = -1};
    if (drv_default_device_names_for_instance(d, inst, root, b, n, err) < 0)
        goto cleanup;
    eph = json_array();
    vols = json_object();
    for (unsigned int i = 0, v = 0; i < n; i++) {
        if (b[i].kind == DRV_DEV_BDM_EPHEMERAL)
            json_array_append_new(eph, str_or_null(b[i].device_name));
        else if (b[i].kind == DRV_DEV_BDM_SWAP)
            swap = b[i].device_name;
        else
            json_object_set_new(vols, inst->volumes[v++].volume_id,
                                str_or_null(b[i].device_name));
    }
    answer = json_pack("{s:s, s:o, s:o, s:o}", "root_device_name", root,
                       "ephemerals", eph, "swap", str_or_null(swap),
                       "volumes", vols);

cleanup:
    for (unsigned int i = 0; i < n; i++)
        drv_dev_bdm_clear(&b[i]);
    g_free(b);
    g_free(root);
    return answer;
}

json_t *
ops_query_get_device_name_for_instance(drv *d, const drv_instance *inst,
                                       const scn_step *st, const char *host,
                                       drv_error *err)
{
    drv_dev_bdm *b = g_new0(drv_dev_bdm, inst->n_volumes + 1);
    char *name = NULL;
    json_t *answer = NULL;

    (void)st;
    (void)host;
    for (unsigned int i = 0; i < inst->n_volumes; i++)
        b[i] = (drv_dev_bdm){
            .kind = DRV_DEV_BDM_VOLUME,
            .device_name = g_strdup(inst->volumes[i].mount_device),
            .boot_index = -1};
    if (drv_get_device_name_for_instance(d, inst, b, inst->n_volumes, NULL,
                                         &name, err) == 0)
        answer = json_pack("{s:s}", "device_name", name);
    for (unsigned int i = 0; i < inst->n_volumes; i++)
        drv_dev_bdm_clear(&b[i]);
    g_free(b);
    g_free(name);
    return answer;
}

json_t *
ops_query_cache_image(drv *d, const drv_instance *inst, const scn_step *st,
                      const char *host, drv_error *err)
{
    bool fetched = false;

    (void)inst;
    (void)host;
    if (drv_cache_image(d, st->event_name, &fetched, err) < 0)
        return NULL;
    return json_pack("{s:b}", "fetched", fetched);
}

static json_t *
names_array(char **v)
{
    json_t *a = json_array();

    for (unsigned int i = 0; v && v[i]; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

json_t *
ops_host_query_manage_image_cache(drv *d, const drv_instance *const *insts,
                                  unsigned int n, const scn_step *st,
                                  const char *host, drv_error *err)
{
    drv_image_cache_report r;
    json_t *answer;

    (void)st;
    (void)host;
    if (drv_manage_image_cache(d, insts, n, &r, err) < 0)
        return NULL;
    /* the driver sorts every list: the answer is the same run to run */
    answer = json_pack("{s:b, s:o, s:o, s:o, s:o, s:o}", "skipped",
                       r.skipped, "active", names_array(r.active), "removed",
                       names_array(r.removed), "kept", names_array(r.kept),
                       "unknown", names_array(r.unknown), "failed",
                       names_array(r.failed));
    drv_image_cache_report_clear(&r);
    return answer;
}
