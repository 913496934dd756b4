/*
 * ops-volume.c: the volume operations of scenarios — what the compute
 * manager does around the driver's volume calls, with the volume service
 * stood in for by the scenario's images (ops-volume.h): their connection
 * info is made here from the pool volume's path on the instance's host.
 */
#include "ops-volume.h"

#include <glib.h>
#include <jansson.h>
#include <string.h>

/* The connection info of image name (borrowed strings in ci, the path in
 * *path to g_free). -1 with the hv error of finding the volume. */
static int
connection_of(drv *d, const scn_step *st, const char *name,
              drv_connection_info *ci, char **path, drv_error *err)
{
    hv_error hv;

    memset(ci, 0, sizeof(*ci));
    if (!(*path = hv_vol_get_path(drv_conn(d), st->pool, name, &hv))) {
        drv_error_set(err, DRV_ERR_HYPERVISOR, "volume %s: %s", name,
                      hv.message);
        err->hv = hv;
        return -1;
    }
    ci->driver_volume_type = st->volume_type ? st->volume_type
                                             : (char *)"local";
    ci->serial = (char *)name;
    ci->device_path = *path;
    return 0;
}

int
ops_call_attach_volume(drv *d, const drv_instance *inst, const scn_step *st,
                       const char *host, drv_error *err)
{
    drv_connection_info ci;
    g_autofree char *path = NULL;

    (void)host;
    drv_error_reset(err);
    if (connection_of(d, st, st->volume, &ci, &path, err) < 0)
        return -1;
    return drv_attach_volume(d, inst, &ci, st->mountpoint, st->disk_bus,
                             st->device_type, err);
}

int
ops_call_detach_volume(drv *d, const drv_instance *inst, const scn_step *st,
                       const char *host, drv_error *err)
{
    drv_connection_info ci;
    g_autofree char *path = NULL;

    (void)host;
    drv_error_reset(err);
    if (connection_of(d, st, st->volume, &ci, &path, err) < 0)
        return -1;
    return drv_detach_volume(d, inst, &ci, st->mountpoint, err);
}

int
ops_call_swap_volume(drv *d, const drv_instance *inst, const scn_step *st,
                     const char *host, drv_error *err)
{
    drv_connection_info old, nu;
    g_autofree char *old_path = NULL, *new_path = NULL;

    (void)host;
    drv_error_reset(err);
    if (connection_of(d, st, st->volume, &old, &old_path, err) < 0 ||
        connection_of(d, st, st->new_volume, &nu, &new_path, err) < 0)
        return -1;
    return drv_swap_volume(d, inst, &old, &nu, st->mountpoint, st->resize_to,
                           err);
}

int
ops_call_extend_volume(drv *d, const drv_instance *inst, const scn_step *st,
                       const char *host, drv_error *err)
{
    drv_connection_info ci;
    g_autofree char *path = NULL;

    (void)host;
    drv_error_reset(err);
    if (connection_of(d, st, st->volume, &ci, &path, err) < 0)
        return -1;
    return drv_extend_volume(d, inst, &ci, st->size, err);
}

json_t *
ops_query_block_stats(drv *d, const drv_instance *inst, const scn_step *st,
                      const char *host, drv_error *err)
{
    hv_block_stats bs;
    int rc;

    (void)host;
    rc = drv_block_stats(d, inst, st->disk, &bs, err);
    if (rc < 0)
        return NULL;
    if (rc == 0)
        return json_pack("{s:b}", "found", 0);
    return json_pack("{s:b, s:I, s:I, s:I, s:I}", "found", 1, "rd_req",
                     (json_int_t)bs.rd_req, "rd_bytes",
                     (json_int_t)bs.rd_bytes, "wr_req", (json_int_t)bs.wr_req,
                     "wr_bytes", (json_int_t)bs.wr_bytes);
}

json_t *
ops_query_get_volume_connector(drv *d, const drv_instance *inst,
                               const scn_step *st, const char *host,
                               drv_error *err)
{
    drv_volume_connector c;
    json_t *out;

    (void)st;
    (void)host;
    if (drv_get_volume_connector(d, inst, &c, err) < 0)
        return NULL;
    out = json_pack("{s:s, s:s, s:b, s:s, s:s}", "host", c.host, "ip", c.ip,
                    "multipath", c.multipath, "platform", c.platform,
                    "os_type", c.os_type);
    drv_volume_connector_clear(&c);
    return out;
}
