/*
 * ops-snapshot.h: the snapshot and guest-agent operations of scenarios
 * (ops-snapshot.c), which ops.c's table points at: snapshot (a query: its
 * answer is the new image and the task states the compute manager was
 * told of, in order), quiesce, unquiesce and set_admin_password (calls);
 * and what the runner needs to know of the images snapshot steps make
 * (they belong to the image store, not to an instance).
 */
#ifndef HVD_OPS_SNAPSHOT_H
#define HVD_OPS_SNAPSHOT_H

#include <stdbool.h>

#include "ops-result.h"
#include "ops.h"

OPS_QUERY(snapshot);
int ops_call_quiesce(drv *d, const drv_instance *inst, const scn_step *st,
                     const char *host, drv_error *err);
int ops_call_unquiesce(drv *d, const drv_instance *inst, const scn_step *st,
                       const char *host, drv_error *err);
int ops_call_set_admin_password(drv *d, const drv_instance *inst,
                                const scn_step *st, const char *host,
                                drv_error *err);

/* Is vol an image some snapshot step of s names (the image store's, not
 * a leak)? */
bool ops_snapshot_image_of(const scn *s, const char *vol);
/* Delete from d's image store every image a snapshot step of s names
 * (a real run's teardown); missing ones are fine. */
void ops_snapshot_cleanup(const scn *s, drv *d);

#endif /* HVD_OPS_SNAPSHOT_H */
