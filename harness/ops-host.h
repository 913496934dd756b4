/*
 * ops-host.h: the host family of scenario operations (ops-host.c), which
 * ops.c's table points at: the contract's host calls (get_host_ip_addr,
 * set_host_enabled, host_power_action, host_maintenance_mode,
 * capabilities_as_traits, update_provider_tree, get_nodenames_by_uuid),
 * each answering as a query (ops_query_fn: a new JSON object, or NULL
 * with err set).
 */
#ifndef HVD_OPS_HOST_H
#define HVD_OPS_HOST_H

#include "ops-result.h"

OPS_QUERY(get_host_ip_addr);
OPS_QUERY(set_host_enabled);
OPS_QUERY(host_power_action);
OPS_QUERY(host_maintenance_mode);
OPS_QUERY(capabilities_as_traits);
OPS_QUERY(update_provider_tree);
OPS_QUERY(get_nodenames_by_uuid);

/*
 * What the compute manager's resource tracker does around the driver's
 * update_provider_tree: the tree placement knows (tree_json, the
 * step's "provider_tree", may be NULL: none yet) is read, the compute
 * node's root provider added if missing (named after the driver's node,
 * with the node's uuid), the driver called for that node (nodename NULL:
 * the driver's own). *tree holds the result (drv_provider_tree_clear).
 * 0, or -1 with err set and *tree empty.
 */
int ops_host_provider_tree(drv *d, const json_t *tree_json,
                           const char *nodename, drv_provider_tree *tree,
                           drv_error *err);

#endif /* HVD_OPS_HOST_H */
