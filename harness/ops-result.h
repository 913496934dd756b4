/*
 * ops-result.h: the query operations of ops.c's table — each calls the
 * driver and renders its answer as a JSON object (ops.h, ops_query_fn),
 * which a step's "result" is compared with and the trace records.
 *
 * Internal to the harness: ops.c's table is the one place an operation is
 * defined; these are only its query functions. Each returns a new
 * reference (json_decref), or NULL with err set.
 */
#ifndef HVD_OPS_RESULT_H
#define HVD_OPS_RESULT_H

#include <jansson.h>

#include "drv.h"
#include "scn.h"

#define OPS_QUERY(fn)                                                         \
    json_t *ops_query_##fn(drv *d, const drv_instance *inst,                  \
                           const scn_step *st, const char *host,              \
                           drv_error *err)

OPS_QUERY(get_info);
OPS_QUERY(get_resources);
OPS_QUERY(list_instances);
OPS_QUERY(list_instance_uuids);
OPS_QUERY(get_num_instances);
OPS_QUERY(instance_exists);
OPS_QUERY(get_host_uptime);
OPS_QUERY(get_host_cpu_stats);
OPS_QUERY(get_available_nodes);
OPS_QUERY(node_is_available);
OPS_QUERY(get_traits);
OPS_QUERY(get_diagnostics);
OPS_QUERY(get_instance_diagnostics);
OPS_QUERY(get_console_output);
OPS_QUERY(instance_on_disk);
OPS_QUERY(delete_instance_files);
OPS_QUERY(get_vnc_console);
OPS_QUERY(get_spice_console);
OPS_QUERY(get_serial_console);
OPS_QUERY(get_service);
OPS_QUERY(get_inventory);

/*
 * Is got what want says? want is a subset of got: each key of a want
 * object must be in got with an equal value (objects recursively, arrays
 * whole, numbers by value: 2 equals 2.0). NULL if so, else "PATH:
 * expected X, got Y" (g_free), PATH starting with prefix ("result").
 */
char *ops_result_mismatch(const char *prefix, const json_t *want,
                          const json_t *got);

#endif /* HVD_OPS_RESULT_H */
