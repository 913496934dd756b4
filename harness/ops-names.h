/*
 * ops-names.h: the device-name and image-cache operations of scenarios
 * (ops-names.c), which ops.c's table points at: default_device_names,
 * get_device_name_for_instance, manage_image_cache (given the instances
 * the runner believes on the host, as the compute manager's periodic task
 * gives them) and cache_image.
 */
#ifndef HVD_OPS_NAMES_H
#define HVD_OPS_NAMES_H

#include "ops.h"

json_t *ops_query_default_device_names(drv *d, const drv_instance *inst,
                                       const scn_step *st, const char *host,
                                       drv_error *err);
json_t *ops_query_get_device_name_for_instance(drv *d,
                                               const drv_instance *inst,
                                               const scn_step *st,
                                               const char *host,
                                               drv_error *err);
json_t *ops_query_cache_image(drv *d, const drv_instance *inst,
                              const scn_step *st, const char *host,
                              drv_error *err);
json_t *ops_host_query_manage_image_cache(drv *d,
                                          const drv_instance *const *insts,
                                          unsigned int n, const scn_step *st,
                                          const char *host, drv_error *err);

#endif /* HVD_OPS_NAMES_H */
