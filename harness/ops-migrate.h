/*
 * ops-migrate.h: the migration operations of scenarios (ops-migrate.c),
 * which ops.c's table points at: flows over two hosts' drivers
 * (ops_flow_fn) and the operator's calls on a migrating instance
 * (ops_call_fn). Each follows what Newton's conductor and compute manager
 * do around the driver; ops-migrate.c says how, flow by flow.
 */
#ifndef HVD_OPS_MIGRATE_H
#define HVD_OPS_MIGRATE_H

#include "ops.h"

int ops_flow_live_migrate(ops_flow *f, drv_error *err);
int ops_flow_migrate(ops_flow *f, drv_error *err);
int ops_flow_confirm_resize(ops_flow *f, drv_error *err);
int ops_flow_revert_resize(ops_flow *f, drv_error *err);
int ops_flow_evacuate(ops_flow *f, drv_error *err);
int ops_flow_cleanup_evacuated(ops_flow *f, drv_error *err);

int ops_call_live_migration_force_complete(drv *d, const drv_instance *inst,
                                           const scn_step *st,
                                           const char *host, drv_error *err);
int ops_call_live_migration_abort(drv *d, const drv_instance *inst,
                                  const scn_step *st, const char *host,
                                  drv_error *err);

#endif /* HVD_OPS_MIGRATE_H */
