/*
 * ops-volume.h: the volume operations of scenarios (ops-volume.c), which
 * ops.c's table points at. A step's "volume" (and "new_volume") names one
 * of the scenario's images, a volume of the storage pool on the
 * instance's host: it is handed to the driver as the connection info the
 * volume service would give for it ({"driver_volume_type": "local" or
 * the step's "volume_type", "serial": its name, "data": {"device_path":
 * its path}}), as the compute manager does.
 */
#ifndef HVD_OPS_VOLUME_H
#define HVD_OPS_VOLUME_H

#include "ops.h"

int ops_call_attach_volume(drv *d, const drv_instance *inst,
                           const scn_step *st, const char *host,
                           drv_error *err);
int ops_call_detach_volume(drv *d, const drv_instance *inst,
                           const scn_step *st, const char *host,
                           drv_error *err);
int ops_call_swap_volume(drv *d, const drv_instance *inst, const scn_step *st,
                         const char *host, drv_error *err);
int ops_call_extend_volume(drv *d, const drv_instance *inst,
                           const scn_step *st, const char *host,
                           drv_error *err);
/* {"found": bool, "rd_req", "rd_bytes", "wr_req", "wr_bytes"} (the
 * counters only when found) */
json_t *ops_query_block_stats(drv *d, const drv_instance *inst,
                              const scn_step *st, const char *host,
                              drv_error *err);
/* {"host", "ip", "multipath", "platform", "os_type"} */
json_t *ops_query_get_volume_connector(drv *d, const drv_instance *inst,
                                       const scn_step *st, const char *host,
                                       drv_error *err);

#endif /* HVD_OPS_VOLUME_H */
