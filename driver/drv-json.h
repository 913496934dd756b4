/*
 * drv-json.h: loading a configuration or an instance that is part of a
 * bigger JSON document (a scenario), through the caller's jv_ctx, so that
 * errors carry the whole document's line:column and JSON path
 * ("$.instances[2].flavor.vcpus").
 *
 * Not installed: it exposes jansson and jsonv.h, which are not part of
 * libhvd's API. A library user loads text with drv_config_load_json and
 * drv_instance_load_json (drv.h); the in-tree harness reads scenarios
 * through these.
 *
 * Both return 0, or -1 with the context's error set (first error wins).
 * obj is borrowed; strings read are copied into the result.
 */
#ifndef HVD_DRV_JSON_H
#define HVD_DRV_JSON_H

#include <jansson.h>
#include <stdbool.h>

#include "drv.h"
#include "jsonv.h"

/* As drv_config_load_json, on the object obj at c's current path; cfg
 * (already holding defaults or earlier values) is changed only on
 * success. */
int drv_config_from_jv(jv_ctx *c, json_t *obj, drv_config *cfg);
/*
 * As drv_instance_load_json, on the object obj at c's current path.
 * extra_keys (NULL-terminated, or NULL): keys the caller handles itself,
 * allowed and ignored here. uuid_optional: an absent "uuid" leaves
 * inst->uuid NULL for the caller to fill. inst is overwritten, not freed
 * first: on success it owns copies of everything (drv_instance_clear), on
 * failure it is all zero.
 */
int drv_instance_from_jv(jv_ctx *c, json_t *obj,
                         const char *const *extra_keys, bool uuid_optional,
                         drv_instance *inst);

/* One entry of network_info ({"id", "address", "type", "network",
 * "bridge", "devname", "active"}) on the object obj at c's current path,
 * as drv_instance_from_jv reads each; vif is overwritten, owns copies on
 * success (drv_vif_clear), all zero on failure. */
int drv_vif_from_jv(jv_ctx *c, json_t *obj, drv_vif *vif);

/* As drv_migrate_data_load_json, on the object obj at c's current path;
 * md is overwritten, all zero on failure. */
/* ---- the frame of the driver's own text loaders (drv-json*.c) ---- */

/* Start: check the arguments, set up c, parse json. The root, or NULL with
 * err set as kind (the context then holds no error). */
json_t *drv_json_begin(jv_ctx *c, const char *json, const char *source,
                       drv_error_kind kind, bool have_out, drv_error *err);
/* The context's error, if any, into err as kind; the context is cleared. */
void drv_json_finish(jv_ctx *c, drv_error_kind kind, drv_error *err);

int drv_migrate_data_from_jv(jv_ctx *c, json_t *obj, drv_migrate_data *md);
/* md as a new JSON object (the fields that are set). */
json_t *drv_migrate_data_to_jv(const drv_migrate_data *md);

/* A jv_str_check for UUIDs: 8-4-4-4-12 hex digits, lower-cased in
 * place. */
const char *drv_json_check_uuid(char *s);

/* As drv_provider_tree_load_json, on the object obj at c's current path;
 * tree (holding nothing) is all zero on failure. */
int drv_provider_tree_from_jv(jv_ctx *c, json_t *obj,
                              drv_provider_tree *tree);
/* tree as a new JSON object (drv.h's rendering). */
json_t *drv_provider_tree_to_jv(const drv_provider_tree *tree);

#endif /* HVD_DRV_JSON_H */
