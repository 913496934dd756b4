/*
 * drv.c: the driver object (create, free, its connection), its
 * configuration (the defaults, set here only), the error record and the
 * name tables (error kinds, power states, events).
 *
 * The operations live by concern over drv-priv.h: drv-host.c (host and
 * resources), drv-query.c (instance queries), drv-disk.c (volumes and the
 * disk plan), drv-vif.c (VIFs and Neutron's events), drv-lifecycle.c
 * (spawn, destroy, reboot, power, rescue...), drv-events.c (lifecycle
 * events and the driver's clock), drv-xml*.c (domain XML), drv-console.c
 * (consoles).
 */
#include "drv-priv.h"

#include <glib.h>
#include <stdarg.h>
#include <string.h>

/* ---- errors ---- */

static const char *const kind_names[] = {
    [DRV_OK] = "OK",
    [DRV_ERR_INVALID_CONFIG] = "InvalidConfiguration",
    [DRV_ERR_INVALID_INSTANCE] = "InvalidInstance",
    [DRV_ERR_HYPERVISOR] = "HypervisorError",
    [DRV_ERR_VERSION] = "VersionTooOld",
    [DRV_ERR_HOST_UNAVAILABLE] = "HypervisorUnavailable",
    [DRV_ERR_INSTANCE_NOT_FOUND] = "InstanceNotFound",
    [DRV_ERR_INSTANCE_EXISTS] = "InstanceExists",
    [DRV_ERR_INSTANCE_NOT_RUNNING] = "InstanceNotRunning",
    [DRV_ERR_INSTANCE_POWER_OFF_FAILURE] = "InstancePowerOffFailure",
    [DRV_ERR_INSTANCE_REBOOT_FAILURE] = "InstanceRebootFailure",
    [DRV_ERR_INSTANCE_NOT_RESCUABLE] = "InstanceNotRescuable",
    [DRV_ERR_VIF_CREATE] = "VirtualInterfaceCreateException",
    [DRV_ERR_NMI_NOT_SUPPORTED] = "TriggerCrashDumpNotSupported",
    [DRV_ERR_INVALID_HOSTNAME] = "InvalidHostname",
    [DRV_ERR_NOT_SUPPORTED] = "NotImplementedError",
    [DRV_ERR_DISK_FULL] = "DiskFull",
    [DRV_ERR_CONSOLE_NOT_AVAILABLE] = "ConsoleNotAvailable",
    [DRV_ERR_CONSOLE_TYPE_UNAVAILABLE] = "ConsoleTypeUnavailable",
    [DRV_ERR_INVALID_LOCAL_STORAGE] = "InvalidLocalStorage",
    [DRV_ERR_INVALID_SHARED_STORAGE] = "InvalidSharedStorage",
    [DRV_ERR_MIGRATION_PRECHECK] = "MigrationPreCheckError",
    [DRV_ERR_INVALID_CPU_INFO] = "InvalidCPUInfo",
    [DRV_ERR_DESTINATION_DISK_EXISTS] = "DestinationDiskExists",
    [DRV_ERR_INVALID_MIGRATE_DATA] = "InvalidMigrateData",
    [DRV_ERR_RESIZE] = "ResizeError",
    [DRV_ERR_NO_ACTIVE_MIGRATION] = "NoActiveMigrationForInstance",
    [DRV_ERR_LIVE_MIGRATION_URI_NOT_AVAILABLE] = "LiveMigrationURINotAvailable",
    /* volumes */
    [DRV_ERR_VOLUME_DRIVER_NOT_FOUND] = "VolumeDriverNotFound",
    [DRV_ERR_DISK_NOT_FOUND] = "DiskNotFound",
    [DRV_ERR_DEVICE_DETACH_FAILED] = "DeviceDetachFailed",
    [DRV_ERR_DEVICE_IS_BUSY] = "DeviceIsBusy",
    [DRV_ERR_INVALID_HYPERVISOR_TYPE] = "InvalidHypervisorType",
    [DRV_ERR_INVALID_CONNECTION_INFO] = "InvalidConnectionInfo",
    [DRV_ERR_NOVA] = "NovaException",
    /* interfaces (drv-iface.c) */
    [DRV_ERR_VIF_PLUG] = "VirtualInterfacePlugException",
    [DRV_ERR_INTERFACE_ATTACH_FAILED] = "InterfaceAttachFailed",
    [DRV_ERR_INTERFACE_DETACH_FAILED] = "InterfaceDetachFailed",
    [DRV_ERR_INVALID_IMAGE_REF] = "InvalidImageRef",
    [DRV_ERR_IMAGE_EXISTS] = "ImageExists",
    [DRV_ERR_IMAGE_NOT_FOUND] = "ImageNotFound",
    [DRV_ERR_QUIESCE_NOT_SUPPORTED] = "InstanceQuiesceNotSupported",
    [DRV_ERR_GUEST_AGENT_NOT_ENABLED] = "QemuGuestAgentNotEnabled",
    [DRV_ERR_SET_ADMIN_PASSWD_NOT_SUPPORTED] = "SetAdminPasswdNotSupported",
};
/* a kind added to drv_error_kind without a name here fails to compile */
_Static_assert(G_N_ELEMENTS(kind_names) == DRV__ERR_COUNT,
               "every drv_error_kind has a name");

void
drv_error_reset(drv_error *err)
{
    if (!err)
        return;
    err->kind = DRV_OK;
    err->message[0] = '\0';
    hv_error_reset(&err->hv);
}

void
drv_error_set(drv_error *err, drv_error_kind kind, const char *fmt, ...)
{
    va_list ap;

    if (!err || err->kind != DRV_OK)
        return;
    err->kind = kind;
    va_start(ap, fmt);
    g_vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
}

const char *
drv_error_kind_name(drv_error_kind kind)
{
    if ((int)kind < 0 || (size_t)kind >= G_N_ELEMENTS(kind_names) ||
        !kind_names[kind])
        return "Unknown";
    return kind_names[kind];
}

int
drv_error_kind_from_name(const char *name)
{
    for (size_t i = 0; name && i < G_N_ELEMENTS(kind_names); i++)
        if (kind_names[i] && strcmp(kind_names[i], name) == 0)
            return (int)i;
    return -1;
}

/* An hv failure nobody handled: keep the hv error under the driver's. */
void
drv_set_hv_error(drv_error *err, const hv_error *hv, const char *what,
                 const drv_instance *inst)
{
    if (!err || err->kind != DRV_OK)
        return;
    drv_error_set(err, DRV_ERR_HYPERVISOR, "%s%s%s: %s (%s)", what,
                  inst ? " of instance " : "", inst ? inst->uuid : "",
                  hv->message, hv_error_code_name(hv->code));
    err->hv = *hv;
}

void
drv_set_not_found(drv_error *err, const drv_instance *inst, const hv_error *hv)
{
    drv_error_set(err, DRV_ERR_INSTANCE_NOT_FOUND,
                  "Instance %s could not be found.", inst->uuid);
    if (err && hv)
        err->hv = *hv;
}

/* ---- power states ---- */

int
drv_power_state_from_hv(int hv_state)
{
    switch (hv_state) {
    case HV_STATE_RUNNING:
    case HV_STATE_BLOCKED:
        return DRV_POWER_RUNNING;
    case HV_STATE_PAUSED:
        return DRV_POWER_PAUSED;
    case HV_STATE_SHUTDOWN:
    case HV_STATE_SHUTOFF:
        return DRV_POWER_SHUTDOWN;
    case HV_STATE_CRASHED:
        return DRV_POWER_CRASHED;
    case HV_STATE_PMSUSPENDED:
        return DRV_POWER_SUSPENDED;
    default:
        return DRV_POWER_NOSTATE;
    }
}

const char *
drv_power_state_name(int state)
{
    switch (state) {
    case DRV_POWER_NOSTATE:
        return "NOSTATE";
    case DRV_POWER_RUNNING:
        return "RUNNING";
    case DRV_POWER_PAUSED:
        return "PAUSED";
    case DRV_POWER_SHUTDOWN:
        return "SHUTDOWN";
    case DRV_POWER_CRASHED:
        return "CRASHED";
    case DRV_POWER_SUSPENDED:
        return "SUSPENDED";
    default:
        return "UNKNOWN";
    }
}

const char *
drv_event_name(int transition)
{
    static const char *const names[] = {"STARTED", "STOPPED", "PAUSED",
                                        "RESUMED", "SUSPENDED"};
    if (transition < 0 || (size_t)transition >= G_N_ELEMENTS(names))
        return "UNKNOWN";
    return names[transition];
}

const char *
drv_kv_get(const drv_kv *kv, unsigned int n, const char *key)
{
    for (unsigned int i = 0; i < n; i++)
        if (strcmp(kv[i].key, key) == 0)
            return kv[i].value;
    return NULL;
}

/* ---- configuration ---- */

const char *const drv_virt_types[] = {"kvm", "qemu", "test", NULL};
const char *const drv_cache_modes[] = {
    "default", "none", "writethrough", "writeback", "directsync", "unsafe",
    NULL};

/*
 * The reference's defaults (conf-libvirt.py, conf-compute.py), the one
 * place they are set; cfg's old contents are not freed.
 */
void
drv_config_defaults(drv_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->virt_type = g_strdup(DRV_DEFAULT_VIRT_TYPE);
    cfg->storage_pool = g_strdup(DRV_DEFAULT_STORAGE_POOL);
    cfg->instances_path = g_strdup(DRV_DEFAULT_INSTANCES_PATH);
    cfg->wait_soft_reboot_seconds = 120;
    cfg->wait_for_running_seconds = 300;
    cfg->vif_plugging_timeout = 300;
    cfg->vif_plugging_is_fatal = true;
    cfg->live_migration_bandwidth = 0;
    cfg->live_migration_downtime = 500;
    cfg->live_migration_downtime_steps = 10;
    cfg->live_migration_downtime_delay = 75;
    cfg->live_migration_completion_timeout = 800;
    cfg->live_migration_progress_timeout = 150;
    cfg->live_migration_permit_post_copy = false;
    cfg->live_migration_permit_auto_converge = false;
    cfg->cold_migration_uri = g_strdup(DRV_DEFAULT_COLD_MIGRATION_URI);
    cfg->live_migration_uri = NULL;
    cfg->live_migration_inbound_addr = NULL;
    cfg->live_migration_tunnelled = false;
    cfg->reserved_host_memory_mb = 512;
    cfg->reserved_host_disk_mb = 0;
    cfg->reserved_host_cpus = 0;
    /* unset (0.0): Newton's defaults; the initial_* ratios below are
     * later Nova's, taking the place of Newton's fallback to 16, 1.5, 1 */
    cfg->cpu_allocation_ratio = 0.0;
    cfg->ram_allocation_ratio = 0.0;
    cfg->disk_allocation_ratio = 0.0;
    cfg->disk_cachemodes = NULL;
    /* the guest's XML and consoles: Newton's nova/conf/libvirt.py (cpu_mode,
     * cpu_model, hw_machine_type, sysinfo_serial, mem_stats_period_seconds,
     * use_usb_tablet, rng_dev_path), compute.py (pointer_model), vnc.py,
     * spice.py, serial_console.py */
    cfg->cpu_mode = NULL;
    cfg->cpu_model = NULL;
    cfg->hw_machine_type = NULL;
    cfg->enabled_perf_events = NULL;
    cfg->sysinfo_serial = g_strdup("auto");
    cfg->mem_stats_period_seconds = 10;
    cfg->pointer_model = g_strdup("usbtablet");
    cfg->use_usb_tablet = true;
    cfg->rng_dev_path = NULL;
    cfg->instances_path_direct_io = true;
    cfg->vnc_enabled = true;
    cfg->vnc_keymap = g_strdup("en-us");
    cfg->vncserver_listen = g_strdup("127.0.0.1");
    cfg->vncserver_proxyclient_address = g_strdup("127.0.0.1");
    cfg->spice_enabled = false;
    cfg->spice_agent_enabled = true;
    cfg->spice_keymap = g_strdup("en-us");
    cfg->spice_server_listen = g_strdup("127.0.0.1");
    cfg->spice_server_proxyclient_address = g_strdup("127.0.0.1");
    cfg->serial_console_enabled = false;
    cfg->serial_console_port_range = g_strdup("10000:20000");
    cfg->serial_console_proxyclient_address = g_strdup("127.0.0.1");
    cfg->force_config_drive = false;
    /* the host: Nova's my_ip (computed there; hvd's fixed fallback),
     * initial_*_allocation_ratio, image_type_exclude_list */
    cfg->my_ip = NULL;
    cfg->initial_cpu_allocation_ratio = 16.0;
    cfg->initial_ram_allocation_ratio = 1.5;
    cfg->initial_disk_allocation_ratio = 1.0;
    cfg->image_type_exclude_list = NULL;
    /* device names: Newton's [libvirt] disk_prefix; the image cache:
     * nova/virt/imagecache.py's options and [libvirt]
     * remove_unused_resized_minimum_age_seconds */
    cfg->disk_prefix = NULL;
    cfg->remove_unused_base_images = true;
    cfg->remove_unused_original_minimum_age_seconds = 24 * 3600;
    cfg->remove_unused_resized_minimum_age_seconds = 3600;
    /* snapshots: Newton's [libvirt] snapshot_image_format and
     * [workarounds] disable_libvirt_livesnapshot */
    cfg->snapshot_image_format = NULL;
    cfg->disable_libvirt_livesnapshot = true;
}

/* The string options of the guest XML and of live migration, for clear
 * and copy. */
#define DRV_XML_STRING_OPTS(X) \
    X(cpu_mode) X(cpu_model) X(sysinfo_serial) X(pointer_model) \
    X(rng_dev_path) X(vnc_keymap) X(vncserver_listen) \
    X(vncserver_proxyclient_address) X(spice_keymap) \
    X(spice_server_listen) X(spice_server_proxyclient_address) \
    X(serial_console_port_range) X(serial_console_proxyclient_address) \
    X(live_migration_uri) X(live_migration_inbound_addr) X(disk_prefix) \
    X(snapshot_image_format)

/* Frees cfg's strings and zeroes it. NULL is fine. */
void
drv_config_clear(drv_config *cfg)
{
    if (!cfg)
        return;
    g_free(cfg->virt_type);
    g_free(cfg->storage_pool);
    g_free(cfg->instances_path);
    g_strfreev(cfg->disk_cachemodes);
    g_free(cfg->rescue_image_id);
    g_free(cfg->rescue_kernel_id);
    g_free(cfg->rescue_ramdisk_id);
    g_free(cfg->cold_migration_uri);
#define FREE_OPT_(f) g_free(cfg->f);
    DRV_XML_STRING_OPTS(FREE_OPT_)
#undef FREE_OPT_
    g_strfreev(cfg->hw_machine_type);
    g_strfreev(cfg->enabled_perf_events);
    g_free(cfg->my_ip);
    g_strfreev(cfg->image_type_exclude_list);
    memset(cfg, 0, sizeof(*cfg));
}

/* A deep copy of src into dst (which holds nothing). */
void
drv_config_copy(drv_config *dst, const drv_config *src)
{
    *dst = *src;
    dst->virt_type = g_strdup(src->virt_type);
    dst->storage_pool = g_strdup(src->storage_pool);
    dst->instances_path = g_strdup(src->instances_path);
    dst->disk_cachemodes = src->disk_cachemodes
                               ? g_strdupv(src->disk_cachemodes)
                               : NULL;
    dst->rescue_image_id = g_strdup(src->rescue_image_id);
    dst->rescue_kernel_id = g_strdup(src->rescue_kernel_id);
    dst->rescue_ramdisk_id = g_strdup(src->rescue_ramdisk_id);
    dst->cold_migration_uri = g_strdup(src->cold_migration_uri);
#define COPY_OPT_(f) dst->f = g_strdup(src->f);
    DRV_XML_STRING_OPTS(COPY_OPT_)
#undef COPY_OPT_
    dst->enabled_perf_events = src->enabled_perf_events
                                   ? g_strdupv(src->enabled_perf_events)
                                   : NULL;
    dst->hw_machine_type = src->hw_machine_type
                               ? g_strdupv(src->hw_machine_type)
                               : NULL;
    dst->my_ip = g_strdup(src->my_ip);
    dst->image_type_exclude_list =
        src->image_type_exclude_list
            ? g_strdupv(src->image_type_exclude_list)
            : NULL;
}

/* ---- driver object ---- */

drv *
drv_new(const drv_config *cfg, hv_conn *conn, drv_error *err)
{
    drv *d;

    drv_error_reset(err);
    if (!cfg || !conn) {
        drv_error_set(err, DRV_ERR_INVALID_CONFIG,
                      "a driver needs a configuration and a connection");
        return NULL;
    }
    d = g_new0(drv, 1);
    drv_config_copy(&d->cfg, cfg);
    /* a configuration built by hand may leave strings out */
    if (!d->cfg.virt_type)
        d->cfg.virt_type = g_strdup(DRV_DEFAULT_VIRT_TYPE);
    if (!d->cfg.storage_pool)
        d->cfg.storage_pool = g_strdup(DRV_DEFAULT_STORAGE_POOL);
    if (!d->cfg.instances_path)
        d->cfg.instances_path = g_strdup(DRV_DEFAULT_INSTANCES_PATH);
    d->conn = conn;
    d->vif_events = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                          g_free);
    d->delayed = g_array_new(FALSE, FALSE, sizeof(drv_delayed_event));
    d->cleaned = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                       g_free);
    return d;
}

void
drv_free(drv *d)
{
    if (!d)
        return;
    drv_cleanup_host(d);
    /* the connection outlives the driver: no event may reach it after */
    hv_conn_events_unregister(d->conn, d);
    drv_config_clear(&d->cfg);
    g_free(d->hostname);
    g_free(d->disabled_reason);
    g_hash_table_destroy(d->vif_events);
    g_array_free(d->delayed, TRUE);
    g_hash_table_destroy(d->cleaned);
    drv_live_migrations_free(d);
    g_free(d->sysinfo_serial);
    g_strfreev(d->perf_events);
    g_free(d);
}

hv_conn *
drv_conn(drv *d)
{
    return d->conn;
}
