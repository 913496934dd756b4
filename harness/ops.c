/*
 * ops.c: the descriptor table of scenario operations (ops.h) and the one
 * function each entry needs, and the listing checks; the fault kinds'
 * table is in ops-fault.c.
 */
#include "ops.h"

#include <errno.h>
#include <glib.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "fake.h"
#include "hv-libvirt.h"
#include "ops-host.h"
#include "ops-iface.h"
#include "ops-migrate.h"
#include "ops-volume.h"
#include "ops-names.h"
#include "ops-snapshot.h"
#include "ops-result.h"

/* ---- scenario operations: the driver calls ---- */

static int
call_spawn(drv *d, const drv_instance *inst, const scn_step *st,
           const char *host, drv_error *err)
{
    (void)host;
    return drv_spawn(d, inst, st->power_on, err);
}

static int
call_destroy(drv *d, const drv_instance *inst, const scn_step *st,
             const char *host, drv_error *err)
{
    (void)host;
    return drv_destroy(d, inst, st->destroy_disks, err);
}

static int
call_reboot(drv *d, const drv_instance *inst, const scn_step *st,
            const char *host, drv_error *err)
{
    (void)host;
    return drv_reboot(d, inst, st->reboot_type, err);
}

static int
call_power_off(drv *d, const drv_instance *inst, const scn_step *st,
               const char *host, drv_error *err)
{
    (void)host;
    return drv_power_off(d, inst, st->timeout, st->retry_interval, err);
}

static int
call_init_host(drv *d, const drv_instance *inst, const scn_step *st,
               const char *host, drv_error *err)
{
    (void)inst;
    (void)st;
    return drv_init_host(d, host, err);
}

static int
call_cleanup_host(drv *d, const drv_instance *inst, const scn_step *st,
                  const char *host, drv_error *err)
{
    (void)inst;
    (void)st;
    (void)host;
    (void)err;
    drv_cleanup_host(d);
    return 0;
}

static int
call_poll_rebooting_instances(drv *d, const drv_instance *inst,
                              const scn_step *st, const char *host,
                              drv_error *err)
{
    (void)inst;
    (void)host;
    return drv_poll_rebooting_instances(d, st->timeout, err);
}

/* What the network service would send: the step's event, for the
 * instance's uuid. */
static int
call_external_event(drv *d, const drv_instance *inst, const scn_step *st,
                    const char *host, drv_error *err)
{
    (void)host;
    return drv_external_event(d, inst->uuid, st->event_name, st->event_tag,
                              err);
}

/* Operations that take the instance and nothing else. */
#define CALL_INSTANCE(fn)                                                     \
    static int call_##fn(drv *d, const drv_instance *inst,                    \
                         const scn_step *st, const char *host,                \
                         drv_error *err)                                      \
    {                                                                         \
        (void)st;                                                             \
        (void)host;                                                           \
        return drv_##fn(d, inst, err);                                        \
    }

CALL_INSTANCE(power_on)
CALL_INSTANCE(pause)
CALL_INSTANCE(unpause)
CALL_INSTANCE(suspend)
CALL_INSTANCE(resume)
CALL_INSTANCE(unrescue)
CALL_INSTANCE(rebuild)
CALL_INSTANCE(trigger_crash_dump)
CALL_INSTANCE(resume_state_on_host_boot)
CALL_INSTANCE(soft_delete)
CALL_INSTANCE(restore)

#undef CALL_INSTANCE

/* rescue with the configuration's or the instance's rescue image */
static int
call_rescue(drv *d, const drv_instance *inst, const scn_step *st,
            const char *host, drv_error *err)
{
    drv_image img = {
        .id = st->rescue_image,
        .volume = st->rescue_image,
        .format = st->rescue_format,
    };

    (void)host;
    return drv_rescue(d, inst, st->rescue_image ? &img : NULL, err);
}

/* The operator's side of the service record (Nova's os-services API). */
static int
call_set_service_disabled(drv *d, const drv_instance *inst,
                          const scn_step *st, const char *host,
                          drv_error *err)
{
    (void)inst;
    (void)host;
    drv_error_reset(err);
    drv_set_service_disabled(d, st->disabled, st->reason);
    return 0;
}

/* The migration flows and calls (ops-migrate.c). */
#define OPS_FLOW(name) ops_flow_##name
#define OPS_CALL(name) ops_call_##name

/* ---- scenario operations: the table ---- */

#define KEYS(...) ((const char *const[]){__VA_ARGS__, NULL})
/* Keys every operation step may hold besides its own. */
#define COMMON_KEYS "op", "expect", "description", "label", "returns_at_s",  \
                    "tolerance_s", "background"
#define INSTANCE_KEYS KEYS(COMMON_KEYS, "instance")
#define HOST_KEYS KEYS(COMMON_KEYS, "host")
#define QUERY_INSTANCE_KEYS KEYS(COMMON_KEYS, "instance", "result")
#define QUERY_HOST_KEYS KEYS(COMMON_KEYS, "host", "result")

static const ops_op op_table[SCN__OP_COUNT] = {
    [SCN_OP_SPAWN] = {
        .name = "spawn",
        .keys = KEYS(COMMON_KEYS, "instance", "power_on"),
        .call = call_spawn,
        .after = OPS_AFTER_BY_POWER_ON,
        .on_ok = OPS_BELIEF_ALIVE,
        .on_error = OPS_BELIEF_GONE_UNLESS_ALIVE,
        .id_baseline = true,
    },
    [SCN_OP_DESTROY] = {
        .name = "destroy",
        .keys = KEYS(COMMON_KEYS, "instance", "destroy_disks"),
        .call = call_destroy,
        .on_ok = OPS_BELIEF_GONE,
    },
    [SCN_OP_REBOOT] = {
        .name = "reboot",
        .keys = KEYS(COMMON_KEYS, "instance", "type"),
        .call = call_reboot,
        .after = OPS_AFTER_STATE, .state = DRV_POWER_RUNNING,
    },
    [SCN_OP_POWER_OFF] = {
        .name = "power_off",
        .keys = KEYS(COMMON_KEYS, "instance", "timeout", "retry_interval"),
        .call = call_power_off,
        .after = OPS_AFTER_STATE, .state = DRV_POWER_SHUTDOWN,
    },
    [SCN_OP_POWER_ON] = {
        .name = "power_on", .keys = INSTANCE_KEYS, .call = call_power_on,
        .after = OPS_AFTER_STATE, .state = DRV_POWER_RUNNING,
    },
    [SCN_OP_PAUSE] = {
        .name = "pause", .keys = INSTANCE_KEYS, .call = call_pause,
        .after = OPS_AFTER_STATE, .state = DRV_POWER_PAUSED,
    },
    [SCN_OP_UNPAUSE] = {
        .name = "unpause", .keys = INSTANCE_KEYS, .call = call_unpause,
        .after = OPS_AFTER_STATE, .state = DRV_POWER_RUNNING,
    },
    [SCN_OP_SUSPEND] = {
        .name = "suspend", .keys = INSTANCE_KEYS, .call = call_suspend,
        .after = OPS_AFTER_STATE, .state = DRV_POWER_SHUTDOWN,
    },
    [SCN_OP_RESUME] = {
        .name = "resume", .keys = INSTANCE_KEYS, .call = call_resume,
        .after = OPS_AFTER_STATE, .state = DRV_POWER_RUNNING,
    },
    [SCN_OP_RESCUE] = {
        .name = "rescue", .keys = KEYS(COMMON_KEYS, "instance", "rescue_image"),
        .call = call_rescue,
        .after = OPS_AFTER_STATE, .state = DRV_POWER_RUNNING,
    },
    [SCN_OP_UNRESCUE] = {
        .name = "unrescue", .keys = INSTANCE_KEYS, .call = call_unrescue,
        .after = OPS_AFTER_STATE, .state = DRV_POWER_RUNNING,
    },
    [SCN_OP_REBUILD] = {
        .name = "rebuild", .keys = INSTANCE_KEYS, .call = call_rebuild,
        .after = OPS_AFTER_STATE, .state = DRV_POWER_RUNNING,
        .on_ok = OPS_BELIEF_ALIVE,
    },
    [SCN_OP_TRIGGER_CRASH_DUMP] = {
        .name = "trigger_crash_dump", .keys = INSTANCE_KEYS,
        .call = call_trigger_crash_dump,
    },
    [SCN_OP_RESUME_STATE_ON_HOST_BOOT] = {
        .name = "resume_state_on_host_boot", .keys = INSTANCE_KEYS,
        .call = call_resume_state_on_host_boot,
        .after = OPS_AFTER_RUNNING_OR_AS_WAS,
    },
    [SCN_OP_SOFT_DELETE] = {
        .name = "soft_delete", .keys = INSTANCE_KEYS,
        .call = call_soft_delete,
    },
    [SCN_OP_RESTORE] = {
        .name = "restore", .keys = INSTANCE_KEYS, .call = call_restore,
    },
    [SCN_OP_GET_INFO] = {
        .name = "get_info", .keys = QUERY_INSTANCE_KEYS,
        .query = ops_query_get_info,
        .result_keys = KEYS("state", "id", "max_mem_kb", "mem_kb", "num_cpu",
                            "cpu_time_ns"),
    },
    [SCN_OP_GET_RESOURCES] = {
        .name = "get_resources", .keys = QUERY_HOST_KEYS,
        .target = OPS_TARGET_HOST,
        .query = ops_query_get_resources,
        .result_keys = KEYS("vcpus", "vcpus_used", "memory_mb",
                            "memory_mb_used", "local_gb", "local_gb_used",
                            "hypervisor_type", "hypervisor_version",
                            "hypervisor_hostname", "cpu_info",
                            "disk_available_least", "supported_instances",
                            "pci_passthrough_devices", "numa_topology"),
    },
    [SCN_OP_INIT_HOST] = {
        .name = "init_host", .keys = HOST_KEYS,
        .target = OPS_TARGET_HOST,
        .call = call_init_host,
    },
    [SCN_OP_LIST_INSTANCES] = {
        .name = "list_instances", .keys = QUERY_HOST_KEYS,
        .target = OPS_TARGET_HOST,
        .query = ops_query_list_instances,
        .result_keys = KEYS("count", "names"),
    },
    [SCN_OP_LIST_INSTANCE_UUIDS] = {
        .name = "list_instance_uuids", .keys = QUERY_HOST_KEYS,
        .target = OPS_TARGET_HOST,
        .query = ops_query_list_instance_uuids,
        .result_keys = KEYS("count", "uuids"),
    },
    [SCN_OP_GET_NUM_INSTANCES] = {
        .name = "get_num_instances", .keys = QUERY_HOST_KEYS,
        .target = OPS_TARGET_HOST,
        .query = ops_query_get_num_instances,
        .result_keys = KEYS("count"),
    },
    [SCN_OP_INSTANCE_EXISTS] = {
        .name = "instance_exists", .keys = QUERY_INSTANCE_KEYS,
        .query = ops_query_instance_exists,
        .result_keys = KEYS("exists"),
    },
    [SCN_OP_GET_HOST_UPTIME] = {
        .name = "get_host_uptime", .keys = QUERY_HOST_KEYS,
        .target = OPS_TARGET_HOST,
        .query = ops_query_get_host_uptime,
        .result_keys = KEYS("seconds"),
    },
    [SCN_OP_GET_HOST_CPU_STATS] = {
        .name = "get_host_cpu_stats", .keys = QUERY_HOST_KEYS,
        .target = OPS_TARGET_HOST,
        .query = ops_query_get_host_cpu_stats,
        .result_keys = KEYS("kernel", "idle", "user", "iowait", "frequency"),
    },
    [SCN_OP_GET_AVAILABLE_NODES] = {
        .name = "get_available_nodes",
        .keys = KEYS(COMMON_KEYS, "host", "result", "refresh"),
        .target = OPS_TARGET_HOST,
        .query = ops_query_get_available_nodes,
        .result_keys = KEYS("nodes"),
    },
    [SCN_OP_NODE_IS_AVAILABLE] = {
        .name = "node_is_available",
        .keys = KEYS(COMMON_KEYS, "host", "result", "nodename"),
        .target = OPS_TARGET_HOST,
        .query = ops_query_node_is_available,
        .result_keys = KEYS("nodename", "available"),
    },
    [SCN_OP_GET_TRAITS] = {
        .name = "get_traits", .keys = QUERY_HOST_KEYS,
        .target = OPS_TARGET_HOST,
        .query = ops_query_get_traits,
        .result_keys = KEYS("traits"),
    },
    [SCN_OP_GET_DIAGNOSTICS] = {
        .name = "get_diagnostics", .keys = QUERY_INSTANCE_KEYS,
        .query = ops_query_get_diagnostics,
        /* the reference's flat dict: its keys name the guest's devices
         * (cpu0_time, vda_read, vnet0_rx, memory-actual...) */
        .result_keys = NULL,
    },
    [SCN_OP_GET_INSTANCE_DIAGNOSTICS] = {
        .name = "get_instance_diagnostics", .keys = QUERY_INSTANCE_KEYS,
        .query = ops_query_get_instance_diagnostics,
        .result_keys = KEYS("version", "state", "driver", "hypervisor_os",
                            "uptime", "config_drive", "num_cpus", "num_nics",
                            "num_disks", "cpu_details", "nic_details",
                            "disk_details", "memory_details"),
    },
    [SCN_OP_GET_CONSOLE_OUTPUT] = {
        .name = "get_console_output", .keys = QUERY_INSTANCE_KEYS,
        .query = ops_query_get_console_output,
        .result_keys = KEYS("bytes", "last_line"),
    },
    [SCN_OP_INSTANCE_ON_DISK] = {
        .name = "instance_on_disk", .keys = QUERY_INSTANCE_KEYS,
        .query = ops_query_instance_on_disk,
        .result_keys = KEYS("on_disk"),
    },
    [SCN_OP_DELETE_INSTANCE_FILES] = {
        .name = "delete_instance_files", .keys = QUERY_INSTANCE_KEYS,
        .query = ops_query_delete_instance_files,
        .result_keys = KEYS("cleaned"),
    },
    [SCN_OP_GET_VNC_CONSOLE] = {
        .name = "get_vnc_console", .keys = QUERY_INSTANCE_KEYS,
        .query = ops_query_get_vnc_console,
        .result_keys = KEYS("host", "port"),
    },
    [SCN_OP_GET_SPICE_CONSOLE] = {
        .name = "get_spice_console", .keys = QUERY_INSTANCE_KEYS,
        .query = ops_query_get_spice_console,
        .result_keys = KEYS("host", "port", "tls_port"),
    },
    [SCN_OP_GET_SERIAL_CONSOLE] = {
        .name = "get_serial_console", .keys = QUERY_INSTANCE_KEYS,
        .query = ops_query_get_serial_console,
        .result_keys = KEYS("host", "port"),
    },
    [SCN_OP_GET_SERVICE] = {
        .name = "get_service", .keys = QUERY_HOST_KEYS,
        .target = OPS_TARGET_HOST,
        .query = ops_query_get_service,
        .result_keys = KEYS("enabled", "disabled_reason"),
    },
    [SCN_OP_SET_SERVICE_DISABLED] = {
        .name = "set_service_disabled",
        .keys = KEYS(COMMON_KEYS, "host", "disabled", "reason"),
        .target = OPS_TARGET_HOST,
        .call = call_set_service_disabled,
    },
    [SCN_OP_GET_INVENTORY] = {
        .name = "get_inventory", .keys = QUERY_HOST_KEYS,
        .target = OPS_TARGET_HOST,
        .query = ops_query_get_inventory,
        .result_keys = KEYS("VCPU", "MEMORY_MB", "DISK_GB"),
    },
    [SCN_OP_POLL_REBOOTING_INSTANCES] = {
        .name = "poll_rebooting_instances",
        .keys = KEYS(COMMON_KEYS, "host", "timeout"),
        .target = OPS_TARGET_HOST,
        .call = call_poll_rebooting_instances,
    },
    [SCN_OP_EXTERNAL_EVENT] = {
        .name = "external_event",
        .keys = KEYS(COMMON_KEYS, "instance", "name", "tag"),
        .call = call_external_event,
    },
    [SCN_OP_CLEANUP_HOST] = {
        .name = "cleanup_host", .keys = HOST_KEYS,
        .target = OPS_TARGET_HOST,
        .call = call_cleanup_host,
    },
    /* migration: the compute manager's flows (ops-migrate.c) */
    [SCN_OP_LIVE_MIGRATE] = {
        .name = "live_migrate",
        .keys = KEYS(COMMON_KEYS, "instance", "dest", "dest_hostname",
                     "block_migration", "result"),
        .flow = OPS_FLOW(live_migrate), .there = OPS_THERE_DEST,
        .result_keys = KEYS("outcome", "block_migration"),
    },
    [SCN_OP_LIVE_MIGRATION_FORCE_COMPLETE] = {
        .name = "live_migration_force_complete", .keys = INSTANCE_KEYS,
        .call = OPS_CALL(live_migration_force_complete),
    },
    [SCN_OP_LIVE_MIGRATION_ABORT] = {
        .name = "live_migration_abort", .keys = INSTANCE_KEYS,
        .call = OPS_CALL(live_migration_abort),
    },
    [SCN_OP_MIGRATE] = {
        .name = "migrate",
        .keys = KEYS(COMMON_KEYS, "instance", "dest", "flavor", "power_on",
                     "timeout", "retry_interval"),
        .flow = OPS_FLOW(migrate), .there = OPS_THERE_DEST,
        .after = OPS_AFTER_BY_POWER_ON,
    },
    [SCN_OP_CONFIRM_RESIZE] = {
        .name = "confirm_resize", .keys = INSTANCE_KEYS,
        .flow = OPS_FLOW(confirm_resize), .there = OPS_THERE_REMAINS,
    },
    [SCN_OP_REVERT_RESIZE] = {
        .name = "revert_resize", .keys = KEYS(COMMON_KEYS, "instance",
                                              "power_on"),
        .flow = OPS_FLOW(revert_resize), .there = OPS_THERE_REMAINS,
        .after = OPS_AFTER_BY_POWER_ON,
    },
    [SCN_OP_EVACUATE] = {
        .name = "evacuate", .keys = KEYS(COMMON_KEYS, "instance", "dest"),
        .flow = OPS_FLOW(evacuate), .there = OPS_THERE_DEST,
        .after = OPS_AFTER_STATE, .state = DRV_POWER_RUNNING,
        .on_ok = OPS_BELIEF_ALIVE,
    },
    [SCN_OP_CLEANUP_EVACUATED] = {
        .name = "cleanup_evacuated", .keys = INSTANCE_KEYS,
        .flow = OPS_FLOW(cleanup_evacuated), .there = OPS_THERE_REMAINS,
    },
    /* volumes (ops-volume.c): the power state stays as it was */
    [SCN_OP_ATTACH_VOLUME] = {
        .name = "attach_volume",
        .keys = KEYS(COMMON_KEYS, "instance", "volume", "volume_type",
                     "mountpoint", "disk_bus", "device_type"),
        .call = OPS_CALL(attach_volume),
    },
    [SCN_OP_DETACH_VOLUME] = {
        .name = "detach_volume",
        .keys = KEYS(COMMON_KEYS, "instance", "volume", "volume_type",
                     "mountpoint"),
        .call = OPS_CALL(detach_volume),
    },
    [SCN_OP_SWAP_VOLUME] = {
        .name = "swap_volume",
        .keys = KEYS(COMMON_KEYS, "instance", "volume", "new_volume",
                     "volume_type", "mountpoint", "resize_to"),
        .call = OPS_CALL(swap_volume),
    },
    [SCN_OP_EXTEND_VOLUME] = {
        .name = "extend_volume",
        .keys = KEYS(COMMON_KEYS, "instance", "volume", "volume_type",
                     "size"),
        .call = OPS_CALL(extend_volume),
    },
    [SCN_OP_BLOCK_STATS] = {
        .name = "block_stats",
        .keys = KEYS(COMMON_KEYS, "instance", "disk", "result"),
        .query = ops_query_block_stats,
        .result_keys = KEYS("found", "rd_req", "rd_bytes", "wr_req",
                            "wr_bytes"),
    },
    [SCN_OP_GET_VOLUME_CONNECTOR] = {
        .name = "get_volume_connector", .keys = QUERY_INSTANCE_KEYS,
        .query = ops_query_get_volume_connector,
        .result_keys = KEYS("host", "ip", "multipath", "platform",
                            "os_type"),
    },
    /* the host family (ops-host.c) */
    [SCN_OP_GET_HOST_IP_ADDR] = {
        .name = "get_host_ip_addr", .keys = QUERY_HOST_KEYS,
        .target = OPS_TARGET_HOST,
        .query = ops_query_get_host_ip_addr,
        .result_keys = KEYS("ip"),
    },
    [SCN_OP_SET_HOST_ENABLED] = {
        .name = "set_host_enabled",
        .keys = KEYS(COMMON_KEYS, "host", "result", "enabled"),
        .target = OPS_TARGET_HOST,
        .query = ops_query_set_host_enabled,
        .result_keys = KEYS("status"),
    },
    [SCN_OP_HOST_POWER_ACTION] = {
        .name = "host_power_action",
        .keys = KEYS(COMMON_KEYS, "host", "result", "action"),
        .target = OPS_TARGET_HOST,
        .query = ops_query_host_power_action,
        .result_keys = KEYS("result"),
    },
    [SCN_OP_HOST_MAINTENANCE_MODE] = {
        .name = "host_maintenance_mode",
        .keys = KEYS(COMMON_KEYS, "host", "result", "mode"),
        .target = OPS_TARGET_HOST,
        .query = ops_query_host_maintenance_mode,
        .result_keys = KEYS("result"),
    },
    [SCN_OP_CAPABILITIES_AS_TRAITS] = {
        .name = "capabilities_as_traits", .keys = QUERY_HOST_KEYS,
        .target = OPS_TARGET_HOST,
        .query = ops_query_capabilities_as_traits,
        .result_keys = KEYS("traits"),
    },
    [SCN_OP_UPDATE_PROVIDER_TREE] = {
        .name = "update_provider_tree",
        .keys = KEYS(COMMON_KEYS, "host", "result", "provider_tree",
                     "nodename"),
        .target = OPS_TARGET_HOST,
        .query = ops_query_update_provider_tree,
        .result_keys = KEYS("providers"),
    },
    [SCN_OP_GET_NODENAMES_BY_UUID] = {
        .name = "get_nodenames_by_uuid",
        .keys = KEYS(COMMON_KEYS, "host", "result", "refresh"),
        .target = OPS_TARGET_HOST,
        .query = ops_query_get_nodenames_by_uuid,
        .result_keys = KEYS("nodes", "nodenames"),
    },
    /* device names and the image cache (ops-names.c) */
    [SCN_OP_DEFAULT_DEVICE_NAMES] = {
        .name = "default_device_names", .keys = QUERY_INSTANCE_KEYS,
        .query = ops_query_default_device_names,
        .result_keys = KEYS("root_device_name", "ephemerals", "swap",
                            "volumes"),
    },
    [SCN_OP_GET_DEVICE_NAME_FOR_INSTANCE] = {
        .name = "get_device_name_for_instance", .keys = QUERY_INSTANCE_KEYS,
        .query = ops_query_get_device_name_for_instance,
        .result_keys = KEYS("device_name"),
    },
    [SCN_OP_MANAGE_IMAGE_CACHE] = {
        .name = "manage_image_cache", .keys = QUERY_HOST_KEYS,
        .target = OPS_TARGET_HOST,
        .host_query = ops_host_query_manage_image_cache,
        .result_keys = KEYS("skipped", "active", "removed", "kept",
                            "unknown", "failed"),
    },
    [SCN_OP_CACHE_IMAGE] = {
        .name = "cache_image", .keys = KEYS(COMMON_KEYS, "host", "name",
                                            "result"),
        .target = OPS_TARGET_HOST,
        .query = ops_query_cache_image,
        .result_keys = KEYS("fetched"),
    },
    /* interfaces (ops-iface.c): the manager's calls; a success leaves the
     * power state as it was */
    [SCN_OP_ATTACH_INTERFACE] = {
        .name = "attach_interface",
        .keys = KEYS(COMMON_KEYS, "instance", "vif"),
        .flow = OPS_FLOW(attach_interface),
    },
    [SCN_OP_DETACH_INTERFACE] = {
        .name = "detach_interface",
        .keys = KEYS(COMMON_KEYS, "instance", "vif"),
        .flow = OPS_FLOW(detach_interface),
    },
    [SCN_OP_PLUG_VIFS] = {
        .name = "plug_vifs", .keys = INSTANCE_KEYS,
        .call = OPS_CALL(plug_vifs),
    },
    [SCN_OP_UNPLUG_VIFS] = {
        .name = "unplug_vifs", .keys = INSTANCE_KEYS,
        .call = OPS_CALL(unplug_vifs),
    },
    /* snapshots and the guest agent (ops-snapshot.c) */
    [SCN_OP_SNAPSHOT] = {
        .name = "snapshot", .keys = KEYS(COMMON_KEYS, "instance", "image",
                                         "result"),
        .query = ops_query_snapshot,
        .result_keys = KEYS("image", "task_states", "disk_format", "status"),
    },
    [SCN_OP_QUIESCE] = {
        .name = "quiesce", .keys = INSTANCE_KEYS,
        .call = OPS_CALL(quiesce),
    },
    [SCN_OP_UNQUIESCE] = {
        .name = "unquiesce", .keys = INSTANCE_KEYS,
        .call = OPS_CALL(unquiesce),
    },
    [SCN_OP_SET_ADMIN_PASSWORD] = {
        .name = "set_admin_password", .keys = KEYS(COMMON_KEYS, "instance",
                                                   "password"),
        .call = OPS_CALL(set_admin_password),
    },
};

const ops_op *
ops_op_get(int op)
{
    if (op < 0 || op >= SCN__OP_COUNT || !op_table[op].name)
        return NULL;
    return &op_table[op];
}

/* ---- listings ---- */

/* The volumes of the scenario's storage pool. */
static int
list_volumes(hv_conn *conn, const scn *s, char ***names, hv_error *err)
{
    return hv_vol_list(conn, s->config.storage_pool, names, err);
}

/* The instance files a host's store may hold for an instance: hv has no
 * folder listing (the driver never needs one), so the check asks for the
 * folders the reference names and the files it writes. */
static const char *const instance_dir_suffixes[] = {"", "_del", "_resize"};
static const char *const instance_file_names[] = {
    "console.log", "unrescue.xml", "disk.config", "disk.info", "libvirt.xml",
};

/* "UUID/" for each of the scenario's instances' folders on the host (and
 * its _del/_resize twins), "UUID/FILE" for each known file in them. */
static int
list_files(hv_conn *conn, const scn *s, char ***names, hv_error *err)
{
    const char *base = s->config.instances_path;
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
    int ret = -1;

    for (unsigned int i = 0; i < s->n_instances; i++) {
        for (size_t k = 0; k < G_N_ELEMENTS(instance_dir_suffixes); k++) {
            g_autofree char *dir = g_strconcat(
                s->instances[i].inst.uuid, instance_dir_suffixes[k], NULL);
            int rc = hv_instance_dir_exists(conn, base, dir, err);

            if (rc < 0)
                goto cleanup;
            if (rc == 0)
                continue;
            g_ptr_array_add(out, g_strconcat(dir, "/", NULL));
            for (size_t f = 0; f < G_N_ELEMENTS(instance_file_names); f++) {
                char *data = NULL;
                size_t len = 0;
                uint64_t skipped = 0;

                if (hv_instance_file_read(conn, base, dir,
                                          instance_file_names[f], 0, &data,
                                          &len, &skipped, err) < 0) {
                    if (err->code == HV_ERR_SYSTEM_ERROR &&
                        err->sys_errno == ENOENT) {
                        hv_error_reset(err);
                        continue;
                    }
                    goto cleanup;
                }
                g_free(data);
                g_ptr_array_add(out, g_strconcat(dir, "/",
                                                 instance_file_names[f],
                                                 NULL));
            }
        }
    }
    g_ptr_array_add(out, NULL);
    *names = (char **)g_ptr_array_free(g_steal_pointer(&out), FALSE);
    ret = 0;

cleanup:
    if (out)
        g_ptr_array_free(out, TRUE);
    return ret;
}

static const ops_listing listing_table[] = {
    {.name = "volumes", .what = "volume", .list = list_volumes},
    {.name = "files", .what = "instance file", .list = list_files},
};

const ops_listing *
ops_listing_get(int i)
{
    if (i < 0 || (size_t)i >= G_N_ELEMENTS(listing_table))
        return NULL;
    return &listing_table[i];
}
