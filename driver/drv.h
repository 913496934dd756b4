/*
 * drv.h: libhvd, the compute driver — the contract of Nova's ComputeDriver
 * (../shared/reference/nova-virt-driver.py) done the way Nova's libvirt
 * driver does it, over the hv layer only, so one code path runs on real
 * libvirt and on the fake.
 *
 * A compute agent (or the harness standing in for one) creates a driver
 * from a configuration and an hv connection, and calls operations with an
 * instance description. Every operation returns 0 or -1 and fills a
 * drv_error whose kind names the contract's exception.
 *
 * Ownership: the driver borrows its hv connection (the caller closes it
 * after drv_free). Instance descriptions are owned by the caller; the
 * driver copies what it keeps.
 */
#ifndef HVD_DRV_H
#define HVD_DRV_H

#include <stdbool.h>
#include <stdint.h>

#include "hv.h"

/* ---- errors: the contract's exceptions ---- */

typedef enum {
    DRV_OK = 0,
    DRV_ERR_INVALID_CONFIG,        /* bad configuration */
    DRV_ERR_INVALID_INSTANCE,      /* bad instance description */
    DRV_ERR_HYPERVISOR,            /* an hv error nobody handled (libvirtError) */
    DRV_ERR_VERSION,               /* libvirt/QEMU older than required (NovaException) */
    DRV_ERR_HOST_UNAVAILABLE,      /* connection lost, not yet back (HypervisorUnavailable) */
    DRV_ERR_INSTANCE_NOT_FOUND,    /* InstanceNotFound */
    DRV_ERR_INSTANCE_EXISTS,       /* InstanceExists */
    DRV_ERR_INSTANCE_NOT_RUNNING,  /* InstanceNotRunning */
    DRV_ERR_INSTANCE_POWER_OFF_FAILURE, /* InstancePowerOffFailure */
    DRV_ERR_INSTANCE_REBOOT_FAILURE,    /* InstanceRebootFailure */
    DRV_ERR_INSTANCE_NOT_RESCUABLE,     /* InstanceNotRescuable */
    DRV_ERR_VIF_CREATE,            /* VirtualInterfaceCreateException */
    DRV_ERR_NMI_NOT_SUPPORTED,     /* TriggerCrashDumpNotSupported */
    DRV_ERR_INVALID_HOSTNAME,      /* InvalidHostname */
    DRV_ERR_NOT_SUPPORTED,         /* NotImplementedError */
    DRV_ERR_DISK_FULL,             /* no space for the instance's disks */
    DRV_ERR_CONSOLE_TYPE_UNAVAILABLE, /* ConsoleTypeUnavailable */
    DRV__ERR_COUNT                 /* how many kinds, DRV_OK included */
} drv_error_kind;

typedef struct drv_error {
    drv_error_kind kind;
    char message[512];
    hv_error hv; /* the hv error behind it, code 0 if none */
} drv_error;

void drv_error_reset(drv_error *err);
/* First error wins, like hv_error. */
void drv_error_set(drv_error *err, drv_error_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* "InstanceNotFound"... the contract's name for a kind. */
const char *drv_error_kind_name(drv_error_kind kind);
/* Inverse of drv_error_kind_name; -1 if unknown. */
int drv_error_kind_from_name(const char *name);

/* ---- configuration: the reference's options that matter here ---- */

typedef struct drv_config {
    char *virt_type;          /* "kvm" (default), "qemu", "test" */
    char *storage_pool;       /* hv pool for instance disks: "hvd" */
    char *instances_path;     /* "/var/lib/hvd/instances" (logs, console) */
    int wait_soft_reboot_seconds;  /* 120 */
    int vif_plugging_timeout;      /* seconds, 300; 0 = do not wait */
    bool vif_plugging_is_fatal;    /* true */
    /* live migration (the migration work builds on these) */
    int live_migration_bandwidth;          /* MiB/s, 0 = unlimited */
    int live_migration_downtime;           /* ms, 500 */
    int live_migration_downtime_steps;     /* 10 */
    int live_migration_downtime_delay;     /* s, 75 */
    int live_migration_completion_timeout; /* s per GiB, 800 */
    int live_migration_progress_timeout;   /* s, 150 */
    bool live_migration_permit_post_copy;  /* false */
    bool live_migration_permit_auto_converge; /* false */
    /* resources */
    int reserved_host_memory_mb;   /* 512 */
    int reserved_host_disk_mb;     /* 0 */
    int reserved_host_cpus;        /* 0 */
    double cpu_allocation_ratio;   /* 16.0 */
    double ram_allocation_ratio;   /* 1.5 */
    double disk_allocation_ratio;  /* 1.0 */
    /* disk cache modes: "file=directsync,block=none" style list */
    char **disk_cachemodes;        /* NULL-terminated */

    /*
     * The guest's domain XML and its consoles (drv-xml.c, drv-console.c):
     * Newton's [libvirt], [vnc], [spice], [serial_console] and compute
     * options, under their Nova names (a section prefix where Nova has
     * one). Defaults in the comments; docs/reference-differences.md says
     * where each comes from.
     */
    char *cpu_mode;           /* NULL: host-model on kvm/qemu, none on test;
                                 "host-model", "host-passthrough", "custom",
                                 "none" */
    char *cpu_model;          /* NULL; required by (only with) "custom" */
    char **hw_machine_type;   /* NULL; "x86_64=pc-q35-7.2" list */
    char *sysinfo_serial;     /* "auto" ("none", "os", "hardware") */
    int mem_stats_period_seconds;  /* 10; <= 0: no memory balloon */
    char *pointer_model;      /* "usbtablet" ("ps2mouse"; NULL: none) */
    bool use_usb_tablet;      /* true (deprecated in Newton) */
    char *rng_dev_path;       /* NULL: libvirt's default source */
    /* The O_DIRECT probe of instances_path (the reference's
     * _supports_direct_io) as a recorded fact: the driver touches no host
     * file. true: cache "none" by default, false: "writethrough". */
    bool instances_path_direct_io; /* true */
    bool vnc_enabled;              /* true */
    char *vnc_keymap;              /* "en-us" */
    char *vncserver_listen;        /* "127.0.0.1" */
    char *vncserver_proxyclient_address; /* "127.0.0.1" */
    bool spice_enabled;            /* false */
    bool spice_agent_enabled;      /* true */
    char *spice_keymap;            /* "en-us" */
    char *spice_server_listen;     /* "127.0.0.1" */
    char *spice_server_proxyclient_address; /* "127.0.0.1" */
    bool serial_console_enabled;   /* false */
    char *serial_console_port_range; /* "10000:20000" */
    char *serial_console_proxyclient_address; /* "127.0.0.1" */
    /* every instance gets a config drive (Newton configdrive.py) */
    bool force_config_drive;       /* false */
} drv_config;

/* Defaults of the string options; drv_new also uses them for a NULL. */
#define DRV_DEFAULT_VIRT_TYPE "kvm"
#define DRV_DEFAULT_STORAGE_POOL "hvd"
#define DRV_DEFAULT_INSTANCES_PATH "/var/lib/hvd/instances"

/* The reference's defaults, into cfg (whose old contents are not freed).
 * Free with drv_config_clear. */
void drv_config_defaults(drv_config *cfg);
/* Frees cfg's strings and zeroes it. NULL is fine. */
void drv_config_clear(drv_config *cfg);
/*
 * Load from a JSON object text (jansson). Unknown keys, wrong types and
 * out-of-range values fail with DRV_ERR_INVALID_CONFIG naming the key
 * (and line:column). Missing keys keep their defaults.
 */
int drv_config_load_json(const char *json, const char *source,
                         drv_config *cfg, drv_error *err);

/* ---- the instance ---- */

typedef struct drv_kv {
    char *key, *value;
} drv_kv;

/* Value of a key in a drv_kv list, or NULL. */
const char *drv_kv_get(const drv_kv *kv, unsigned int n, const char *key);

typedef struct drv_flavor {
    char *name;
    unsigned int vcpus;
    uint64_t memory_mb;
    uint64_t root_gb, ephemeral_gb, swap_mb;
    drv_kv *extra_specs; /* n_extra_specs entries */
    unsigned int n_extra_specs;
} drv_flavor;

typedef struct drv_image {
    char *id;
    char *path;   /* base image file (backing of the root disk), or NULL */
    char *volume; /* base image as a volume of the storage pool, or NULL */
    char *format; /* "qcow2", "raw" */
    /* properties, e.g. kernel_path, initrd_path, os_command_line,
     * hw_disk_bus, hw_vif_model */
    drv_kv *properties;
    unsigned int n_properties;
} drv_image;

typedef struct drv_vif {
    char *id;
    char *mac;
    char *type;    /* "bridge", "ethernet", "network" */
    char *network; /* libvirt network name (type network) */
    char *bridge;  /* bridge name (type bridge) */
    char *devname; /* tap device (type ethernet) */
    bool active;   /* already plugged: no notification to wait for */
} drv_vif;

typedef struct drv_bdm {
    char *volume_id;
    char *mount_device;  /* "/dev/vdb" */
    char *device_path;   /* connection_info: the host path of the volume */
    char *driver_type;   /* connection_info driver_volume_type: "local", ... */
} drv_bdm;

typedef struct drv_instance {
    char *uuid;
    char *name;
    drv_flavor flavor;
    drv_image image;
    drv_vif *vifs;
    unsigned int n_vifs;
    char *root_device_name; /* "/dev/vda" */
    drv_bdm *volumes;
    unsigned int n_volumes;
    bool config_drive; /* the user asked for a config drive */
} drv_instance;

void drv_instance_clear(drv_instance *inst);
/*
 * Load one instance from JSON: {"uuid", "name", "flavor": {...}, "image":
 * {...}, "network_info": [...], "block_device_info": {...}}. Errors name
 * the field (JSON path) and line:column; DRV_ERR_INVALID_INSTANCE.
 */
int drv_instance_load_json(const char *json, const char *source,
                           drv_instance *inst, drv_error *err);

/* ---- the driver ---- */

typedef struct drv drv;

/* Nova's power_state values. */
typedef enum {
    DRV_POWER_NOSTATE = 0,
    DRV_POWER_RUNNING = 1,
    DRV_POWER_PAUSED = 3,
    DRV_POWER_SHUTDOWN = 4,
    DRV_POWER_CRASHED = 6,
    DRV_POWER_SUSPENDED = 7,
} drv_power_state;
const char *drv_power_state_name(int state);
/* The power state of a libvirt/hv domain state. */
int drv_power_state_from_hv(int hv_state);

/* A driver over conn (borrowed), with a copy of cfg; NULL strings in cfg
 * take the DRV_DEFAULT_* values. */
drv *drv_new(const drv_config *cfg, hv_conn *conn, drv_error *err);
void drv_free(drv *d);
hv_conn *drv_conn(drv *d);

/* ---- host ---- */

/* Connect: version checks, event registration. */
int drv_init_host(drv *d, const char *host, drv_error *err);
void drv_cleanup_host(drv *d);
/* false while the connection is lost (the host is reported disabled). */
bool drv_host_enabled(drv *d);

typedef struct drv_resources {
    unsigned int vcpus, vcpus_used;
    uint64_t memory_mb, memory_mb_used;
    uint64_t local_gb, local_gb_used;
    char hypervisor_type[16];
    unsigned long hypervisor_version;
    char hypervisor_hostname[128];
} drv_resources;
int drv_get_available_resource(drv *d, drv_resources *res, drv_error *err);

typedef struct drv_inventory_class {
    uint64_t total, reserved, min_unit, max_unit, step_size;
    double allocation_ratio;
} drv_inventory_class;
typedef struct drv_inventory {
    drv_inventory_class vcpu, memory_mb, disk_gb;
} drv_inventory;
int drv_get_inventory(drv *d, drv_inventory *inv, drv_error *err);

/* ---- query ---- */

typedef struct drv_info {
    int state;        /* drv_power_state */
    int id;           /* hypervisor ID, -1 if not running */
    uint64_t max_mem_kb, mem_kb;
    unsigned int num_cpu;
    uint64_t cpu_time_ns;
} drv_info;
int drv_get_info(drv *d, const drv_instance *inst, drv_info *info,
                 drv_error *err);
/* 1 exists, 0 not, -1 error. */
int drv_instance_exists(drv *d, const drv_instance *inst, drv_error *err);
/* Names / uuids of every domain, g_strfreev'ed by the caller. */
int drv_list_instances(drv *d, char ***names, drv_error *err);
int drv_list_instance_uuids(drv *d, char ***uuids, drv_error *err);
int drv_get_num_instances(drv *d, drv_error *err);

/* ---- lifecycle ---- */

/*
 * Create disks, define the domain, start it (paused while VIFs are pending,
 * then resumed once plugged) and wait for RUNNING. power_on=false leaves it
 * SHUTDOWN. On failure the host is as before: no domain, no volumes.
 */
int drv_spawn(drv *d, const drv_instance *inst, bool power_on,
              drv_error *err);
/* destroy + cleanup (VIFs, volumes, files, undefine). */
int drv_destroy(drv *d, const drv_instance *inst, bool destroy_disks,
                drv_error *err);

typedef enum { DRV_REBOOT_SOFT, DRV_REBOOT_HARD } drv_reboot_type;
int drv_reboot(drv *d, const drv_instance *inst, drv_reboot_type type,
               drv_error *err);
/* Clean shutdown for up to timeout s, re-sending ACPI every retry_interval
 * s, then destroy. timeout 0: destroy at once. */
int drv_power_off(drv *d, const drv_instance *inst, int timeout,
                  int retry_interval, drv_error *err);
int drv_power_on(drv *d, const drv_instance *inst, drv_error *err);
int drv_pause(drv *d, const drv_instance *inst, drv_error *err);
int drv_unpause(drv *d, const drv_instance *inst, drv_error *err);
int drv_suspend(drv *d, const drv_instance *inst, drv_error *err);
int drv_resume(drv *d, const drv_instance *inst, drv_error *err);
int drv_resume_state_on_host_boot(drv *d, const drv_instance *inst,
                                  drv_error *err);
int drv_trigger_crash_dump(drv *d, const drv_instance *inst,
                           drv_error *err);
int drv_soft_delete(drv *d, const drv_instance *inst, drv_error *err);
int drv_restore(drv *d, const drv_instance *inst, drv_error *err);

/* Rescue: boot the rescue image with the instance's root disk attached
 * second; unrescue: back to the instance's own definition. */
int drv_rescue(drv *d, const drv_instance *inst, drv_error *err);
int drv_unrescue(drv *d, const drv_instance *inst, drv_error *err);
/* The contract's default rebuild: destroy (volumes kept), then spawn with
 * the instance's (new) image. */
int drv_rebuild(drv *d, const drv_instance *inst, drv_error *err);
/* The libvirt driver does nothing here; kept for the contract. */
int drv_poll_rebooting_instances(drv *d, int timeout, drv_error *err);

/* ---- host details ---- */
int drv_get_host_uptime(drv *d, int64_t *seconds, drv_error *err);
typedef struct drv_cpu_stats {
    uint64_t kernel, idle, user, iowait;
    unsigned int frequency; /* MHz */
} drv_cpu_stats;
int drv_get_host_cpu_stats(drv *d, drv_cpu_stats *st, drv_error *err);
/* The one node this driver serves (its hostname); g_strfreev. */
int drv_get_available_nodes(drv *d, char ***nodes, drv_error *err);
bool drv_node_is_available(drv *d, const char *nodename);
/* Capabilities as placement-style traits, sorted; g_strfreev. */
int drv_get_traits(drv *d, char ***traits, drv_error *err);
typedef struct drv_diagnostics {
    int state;           /* drv_power_state */
    uint64_t cpu_time_ns;
    uint64_t memory_kb;
    unsigned int num_cpus, num_disks, num_nics;
    int64_t uptime_s;    /* since the domain started, -1 if not running */
} drv_diagnostics;
int drv_get_diagnostics(drv *d, const drv_instance *inst,
                        drv_diagnostics *diag, drv_error *err);

/* ---- consoles ---- */

/* Where a console proxy connects to reach an instance's console. */
typedef struct drv_console {
    char host[256]; /* the configured proxy client address */
    int port;       /* -1 while the guest is not running */
    int tls_port;   /* SPICE only; -1 if none */
} drv_console;

/*
 * The instance's VNC / SPICE graphics port and the configured proxy
 * client address (vncserver_proxyclient_address,
 * spice_server_proxyclient_address), read from the live domain XML as
 * the reference's get_vnc_console / get_spice_console. Errors:
 * InstanceNotFound, ConsoleTypeUnavailable (the domain has no such
 * graphics), HypervisorError.
 */
int drv_get_vnc_console(drv *d, const drv_instance *inst, drv_console *out,
                        drv_error *err);
int drv_get_spice_console(drv *d, const drv_instance *inst, drv_console *out,
                          drv_error *err);
/* The first TCP serial port the domain binds (host, service): its
 * <serial type='tcp'>, else <console type='tcp'>, source mode bind.
 * ConsoleTypeUnavailable if none (serial consoles not enabled). */
int drv_get_serial_console(drv *d, const drv_instance *inst,
                           drv_console *out, drv_error *err);

/* ---- external events (Neutron's, passed on by the compute agent) ---- */

/*
 * Called for each VIF the driver plugs (what os-vif + Neutron do): the
 * network service answers later with drv_external_event(). The harness
 * and tests use it to stand in for Neutron.
 */
typedef void (*drv_vif_plug_hook)(void *opaque, drv *d, const char *uuid,
                                  const char *vif_id);
void drv_set_vif_plug_hook(drv *d, drv_vif_plug_hook fn, void *opaque);

/* name "network-vif-plugged" (status completed) or
 * "network-vif-plugged:failed", tag = the VIF id, for instance uuid. */
int drv_external_event(drv *d, const char *uuid, const char *name,
                       const char *tag, drv_error *err);

/* ---- lifecycle events for the compute agent ---- */

typedef enum {
    DRV_EVENT_STARTED,
    DRV_EVENT_STOPPED,
    DRV_EVENT_PAUSED,
    DRV_EVENT_RESUMED,
    DRV_EVENT_SUSPENDED,
} drv_event_transition;
const char *drv_event_name(int transition);

typedef struct drv_lifecycle_event {
    char uuid[HV_UUID_STRLEN];
    int transition; /* drv_event_transition */
    int64_t time_ns; /* hv clock */
} drv_lifecycle_event;

typedef void (*drv_event_listener)(void *opaque,
                                   const drv_lifecycle_event *ev);
void drv_register_event_listener(drv *d, drv_event_listener fn,
                                 void *opaque);
/* Let ns of hv time pass, handling events (and delayed ones) meanwhile. */
int drv_wait(drv *d, int64_t ns, drv_error *err);

#endif /* HVD_DRV_H */
