/*
 * ops-iface.h: the interface operations of scenarios (ops-iface.c), which
 * ops.c's table points at. attach_interface and detach_interface are what
 * Newton's compute manager does around the driver: the driver's call, and
 * on success the VIF added to (or dropped from) the instance's
 * network_info, the runner's copy of the instance (so that a later hard
 * reboot, migration or destroy sees it); plug_vifs and unplug_vifs are the
 * driver's calls as they are.
 */
#ifndef HVD_OPS_IFACE_H
#define HVD_OPS_IFACE_H

#include "ops.h"

int ops_flow_attach_interface(ops_flow *f, drv_error *err);
int ops_flow_detach_interface(ops_flow *f, drv_error *err);

/* Free a network_info array a flow made (f->vifs): entries up to the
 * first with a NULL id, then the array. NULL is fine. */
void ops_vifs_free(drv_vif *vifs);

int ops_call_plug_vifs(drv *d, const drv_instance *inst, const scn_step *st,
                       const char *host, drv_error *err);
int ops_call_unplug_vifs(drv *d, const drv_instance *inst,
                         const scn_step *st, const char *host,
                         drv_error *err);

#endif /* HVD_OPS_IFACE_H */
