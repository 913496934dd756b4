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
#include <stddef.h>
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
    DRV_ERR_CONSOLE_NOT_AVAILABLE, /* ConsoleNotAvailable */
    DRV_ERR_CONSOLE_TYPE_UNAVAILABLE, /* ConsoleTypeUnavailable */
    /* migration checks (drv-migrate.c) */
    DRV_ERR_INVALID_LOCAL_STORAGE,  /* InvalidLocalStorage */
    DRV_ERR_INVALID_SHARED_STORAGE, /* InvalidSharedStorage */
    DRV_ERR_MIGRATION_PRECHECK,     /* MigrationPreCheckError */
    DRV_ERR_INVALID_CPU_INFO,       /* InvalidCPUInfo */
    DRV_ERR_DESTINATION_DISK_EXISTS, /* DestinationDiskExists */
    DRV_ERR_INVALID_MIGRATE_DATA,   /* bad migrate data (hvd's own) */
    /* cold migration (drv-migrate-cold.c) */
    DRV_ERR_RESIZE,                 /* ResizeError */
    /* live migration (drv-migrate-live.c) */
    DRV_ERR_NO_ACTIVE_MIGRATION,    /* NoActiveMigrationForInstance */
    DRV_ERR_LIVE_MIGRATION_URI_NOT_AVAILABLE, /* LiveMigrationURINotAvailable */
    /* snapshots and the guest agent (drv-snapshot.c, drv-agent.c) */
    DRV_ERR_INVALID_IMAGE_REF,      /* InvalidImageRef: a bad image name */
    DRV_ERR_IMAGE_EXISTS,           /* the image store has it (hvd's own) */
    DRV_ERR_IMAGE_NOT_FOUND,        /* ImageNotFound */
    DRV_ERR_QUIESCE_NOT_SUPPORTED,  /* InstanceQuiesceNotSupported */
    DRV_ERR_GUEST_AGENT_NOT_ENABLED, /* QemuGuestAgentNotEnabled */
    DRV_ERR_SET_ADMIN_PASSWD_NOT_SUPPORTED, /* SetAdminPasswdNotSupported */
    DRV_ERR_NOVA,                   /* NovaException: the agent's libvirt error */
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
    /* lifecycle: how long a start (spawn, reboot, power on, resume) waits
     * for the guest to be RUNNING; the reference waits without end, which
     * 0 restores. 300 (hvd's own bound, docs/reference-differences.md). */
    int wait_for_running_seconds;
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
    /*
     * cold migration: the libvirt URI of the destination host a resize
     * copies the disks to (hvd's own; the reference copies over ssh to
     * the host name). "%s" stands for the destination's name (at most
     * one); NULL: DRV_DEFAULT_COLD_MIGRATION_URI. A fake connection takes
     * the URI's host part as the name of a host of its world.
     */
    char *cold_migration_uri;
    /* the libvirt URI of the destination: "%s" is replaced by its host
     * name (or live_migration_inbound_addr's); NULL: "qemu+tcp://%s/system"
     * for kvm and qemu. Exactly one "%s"; "%%" is a '%'. */
    char *live_migration_uri;              /* NULL */
    /* this host's address for incoming migration data, handed to the
     * source as target_connect_addr (NULL: the host name is used) */
    char *live_migration_inbound_addr;     /* NULL */
    bool live_migration_tunnelled;         /* false */
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
     * rescue: the reference's [libvirt] rescue_image_id, rescue_kernel_id,
     * rescue_ramdisk_id (default unset). hvd has no image service: the
     * image id is the name of an image volume in storage_pool, the kernel
     * and ramdisk ids are the host paths of those files. NULL: the
     * instance's own (its image; its rescue_kernel_path/kernel_path and
     * rescue_initrd_path/initrd_path properties).
     */
    char *rescue_image_id;
    char *rescue_kernel_id;
    char *rescue_ramdisk_id;

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
    /* snapshots (drv-snapshot.c): [libvirt] snapshot_image_format, the
     * format of a snapshot's image (NULL: the root disk's; "raw",
     * "qcow2"), and [workarounds] disable_libvirt_livesnapshot (Newton's
     * default true: always cold) */
    char *snapshot_image_format;   /* NULL */
    bool disable_libvirt_livesnapshot; /* true */
} drv_config;

/* Defaults of the string options; drv_new also uses them for a NULL. */
#define DRV_DEFAULT_VIRT_TYPE "kvm"
#define DRV_DEFAULT_STORAGE_POOL "hvd"
#define DRV_DEFAULT_INSTANCES_PATH "/var/lib/hvd/instances"
#define DRV_DEFAULT_COLD_MIGRATION_URI "qemu+tcp://%s/system"

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
    /* When the instance was launched, seconds since the Unix epoch (UTC),
     * as the compute manager records it; 0 = not known. Diagnostics count
     * the uptime from it on the hv wall clock. */
    int64_t launched_at;
    /* The instance has a config drive (Nova's instance.config_drive);
     * diagnostics report it, as does an image property img_config_drive
     * "mandatory". */
    bool config_drive;
} drv_instance;

void drv_instance_clear(drv_instance *inst);
/*
 * Load one instance from JSON: {"uuid", "name", "flavor": {...}, "image":
 * {...}, "network_info": [...], "block_device_info": {...}, "launched_at",
 * "config_drive"}. launched_at is an ISO 8601 UTC time
 * ("2026-01-01T00:00:00Z", offsets allowed) or an integer of seconds since
 * the epoch (at least 1). Errors name the field (JSON path) and
 * line:column; DRV_ERR_INVALID_INSTANCE.
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

/*
 * The host's service record, as the reference keeps it (its
 * _set_host_enabled): enabled, or disabled with a reason. The driver
 * disables the host itself when its connection to the hypervisor is lost
 * (reason DRV_DISABLE_PREFIX "Connection to libvirt lost: 1") or cannot
 * be made again (DRV_DISABLE_PREFIX "Failed to connect to libvirt"), and
 * enables it again once it reconnects — only if the host was disabled
 * automatically: an operator's disable (drv_set_service_disabled) stays.
 * The driver notices a lost connection and reconnects in drv_wait (its
 * event loop turn), in drv_init_host, and where an operation on an
 * instance looks its domain up; meanwhile operations fail with
 * DRV_ERR_HOST_UNAVAILABLE (HypervisorUnavailable).
 */
#define DRV_DISABLE_PREFIX "AUTO: "
/* false before init_host, after cleanup_host, and while disabled. */
bool drv_host_enabled(drv *d);
/* Why the host is disabled: "AUTO: ..." when the driver disabled it, the
 * operator's reason (may be NULL) otherwise; NULL when it is enabled.
 * Borrowed until the state changes. */
const char *drv_host_disabled_reason(drv *d);
/*
 * The operator's side (the compute API's service-disable / service-enable
 * writing the service record): disable with reason (copied; NULL: none)
 * or enable. The driver never enables a host an operator disabled, and
 * never overrides an operator's reason with its own.
 */
void drv_set_service_disabled(drv *d, bool disabled, const char *reason);

/* One (architecture, hypervisor type, VM mode) the host can run, as the
 * reference's supported_instances lists them (canonical names). */
typedef struct drv_supported_instance {
    char arch[32];
    char hv_type[32];
    char vm_mode[32];
} drv_supported_instance;

/*
 * Every key of the reference's get_available_resource. Owned strings:
 * release with drv_resources_clear.
 */
typedef struct drv_resources {
    unsigned int vcpus, vcpus_used;
    uint64_t memory_mb, memory_mb_used;
    uint64_t local_gb, local_gb_used;
    char hypervisor_type[16];
    unsigned long hypervisor_version;
    char hypervisor_hostname[128];
    /* JSON text: {"arch", "model", "vendor", "topology": {"cells",
     * "sockets", "cores", "threads"}, "features": [sorted names]} */
    char *cpu_info;
    /* GiB: free disk less what thin disks may still grow by; may be < 0 */
    int64_t disk_available_least;
    drv_supported_instance *supported_instances;
    unsigned int n_supported_instances;
    /* JSON text of the assignable PCI devices: "[]" (hvd assigns none) */
    char *pci_passthrough_devices;
    /* JSON text of the host's NUMA topology, NULL (the reference's None)
     * when there is none to report */
    char *numa_topology;
} drv_resources;
/*
 * The host's resources as the reference computes them: vcpus and
 * memory_mb from the node, vcpus_used the vCPUs of running domains,
 * memory_mb_used = memory_mb - (free + buffers + cached) of the host's
 * memory counters, local_gb(_used) from the storage pool, cpu_info and
 * supported_instances from the capabilities, disk_available_least from the
 * pool's free space less the unallocated part of running domains' qcow2
 * disks. Errors: DRV_ERR_HYPERVISOR (or HOST_UNAVAILABLE) from the node,
 * pool, version and capabilities reads; per-domain failures are skipped,
 * as the reference skips them. res holds nothing on failure.
 */
int drv_get_available_resource(drv *d, drv_resources *res, drv_error *err);
/* Free res's strings and arrays and zero it. NULL is fine. */
void drv_resources_clear(drv_resources *res);
/* res as the reference's dict in JSON (cpu_info a string holding JSON,
 * supported_instances a list of [arch, hv_type, vm_mode], numa_topology
 * null when NULL); g_free. */
char *drv_resources_to_json(const drv_resources *res);

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
 * SHUTDOWN. A failure up to the VIF wait leaves the host as before: no
 * domain, no volumes. As in the reference, a failed resume after the VIF
 * wait, or a failed wait for RUNNING, is returned with the guest left as
 * it is, for the caller's drv_destroy (the compute manager's part).
 */
int drv_spawn(drv *d, const drv_instance *inst, bool power_on,
              drv_error *err);
/* destroy + cleanup (VIFs, volumes unless destroy_disks is false,
 * undefine). */
int drv_destroy(drv *d, const drv_instance *inst, bool destroy_disks,
                drv_error *err);

typedef enum { DRV_REBOOT_SOFT, DRV_REBOOT_HARD } drv_reboot_type;
int drv_reboot(drv *d, const drv_instance *inst, drv_reboot_type type,
               drv_error *err);
/* Clean shutdown for up to timeout s, re-sending ACPI every retry_interval
 * s, then destroy. timeout 0: destroy at once. An error of the first
 * request, or of a lookup or state read while waiting, is returned and the
 * guest is not destroyed. */
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

/*
 * Rescue, as the reference: the instance's current definition is kept as
 * unrescue.xml in its folder under instances_path (so a restarted driver
 * finds it), a rescue disk is made from the rescue image, and a domain
 * with only the rescue disk and the instance's root disk (no ephemeral,
 * swap or attached volumes) replaces the instance's and is started.
 * The rescue image is rescue_image if given (the call's rescue image:
 * its volume or path, format and properties; borrowed, may be NULL), else
 * the configuration's rescue_image_id, else the instance's image; the
 * kernel and ramdisk are the configuration's rescue_kernel_id /
 * rescue_ramdisk_id, else the instance's.
 * Errors: InstanceNotRescuable (no disk and no kernel to boot), DiskFull,
 * the hv error of writing unrescue.xml, of the image, of the domain. A
 * rescue that fails leaves the instance as it was: its own definition,
 * started again if it was running, no rescue disk, no unrescue.xml.
 */
int drv_rescue(drv *d, const drv_instance *inst,
               const drv_image *rescue_image, drv_error *err);
/*
 * Unrescue: destroy the rescue domain, define and start the definition
 * saved in unrescue.xml, then delete unrescue.xml and the rescue disk.
 * Errors: InstanceNotFound (no domain), the hv error of reading
 * unrescue.xml (SYSTEM_ERROR/ENOENT when the instance is not rescued).
 */
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

/* ---- diagnostics (drv-diag.c) ---- */

/* One entry of the reference's get_diagnostics dict; key owned. */
typedef struct drv_diag_item {
    char *key;
    int64_t value;
} drv_diag_item;
/* The flat dict, in the order the reference fills it. */
typedef struct drv_diagnostics {
    drv_diag_item *items;
    unsigned int n_items;
} drv_diagnostics;
/*
 * The reference's get_diagnostics: "cpu<N>_time" per vCPU (ns),
 * "<disk>_read_req", "_read", "_write_req", "_write", "_errors" per disk
 * target, "<dev>_rx", "_rx_packets", "_rx_errors", "_rx_drop", "_tx",
 * "_tx_packets", "_tx_errors", "_tx_drop" per interface target, "memory"
 * (maximum, KiB) and "memory-<stat>" per memory statistic (KiB). A
 * statistic the hypervisor refuses is left out (the reference swallows
 * those errors); InstanceNotFound, and the hv error of the lookup, the XML
 * or the domain info, propagate. Release with drv_diagnostics_clear.
 */
int drv_get_diagnostics(drv *d, const drv_instance *inst,
                        drv_diagnostics *diag, drv_error *err);
void drv_diagnostics_clear(drv_diagnostics *diag);
/* true and *value if diag has key. */
bool drv_diagnostics_get(const drv_diagnostics *diag, const char *key,
                         int64_t *value);
/* The dict as a JSON object; g_free. */
char *drv_diagnostics_to_json(const drv_diagnostics *diag);

/* Nova's Diagnostics object (version 1.0), filled as the reference's
 * get_instance_diagnostics fills it. -1 stands for None. */
typedef struct drv_cpu_diag {
    int64_t time; /* ns */
} drv_cpu_diag;
typedef struct drv_nic_diag {
    char mac_address[32]; /* "" = None */
    int64_t rx_octets, rx_errors, rx_drop, rx_packets, rx_rate;
    int64_t tx_octets, tx_errors, tx_drop, tx_packets, tx_rate;
} drv_nic_diag;
typedef struct drv_disk_diag {
    int64_t read_bytes, read_requests, write_bytes, write_requests;
    int64_t errors_count;
} drv_disk_diag;
typedef struct drv_instance_diagnostics {
    int state;             /* drv_power_state */
    char driver[16];       /* "libvirt" */
    char hypervisor_os[16]; /* "linux" */
    int64_t uptime;        /* s since launched_at, -1 if not known */
    bool config_drive;
    drv_cpu_diag *cpu_details;
    unsigned int n_cpus;
    drv_nic_diag *nic_details;
    unsigned int n_nics;
    drv_disk_diag *disk_details;
    unsigned int n_disks;
    int64_t memory_maximum, memory_used; /* MiB */
} drv_instance_diagnostics;
/*
 * The reference's get_instance_diagnostics: state, driver, hypervisor_os,
 * uptime from the instance's launched_at on the hv wall clock,
 * config_drive, a cpu entry per vCPU, a disk entry per disk target and a
 * nic entry per interface target whose statistics the hypervisor gives
 * (refusals swallowed as by the reference), MAC addresses in XML order,
 * memory maximum and used. Errors as drv_get_diagnostics. Release with
 * drv_instance_diagnostics_clear.
 */
int drv_get_instance_diagnostics(drv *d, const drv_instance *inst,
                                 drv_instance_diagnostics *diag,
                                 drv_error *err);
void drv_instance_diagnostics_clear(drv_instance_diagnostics *diag);
/* Diagnostics.serialize(): {"version": "1.0", "state", "driver",
 * "hypervisor_os", "uptime", "config_drive", "num_cpus", "num_nics",
 * "num_disks", "cpu_details", "nic_details", "disk_details",
 * "memory_details": {"maximum", "used"}} with the state's name
 * ("running") and null for None; g_free. */
char *drv_instance_diagnostics_to_json(const drv_instance_diagnostics *diag);

/* ---- instance files (drv-files.c) ---- */

/*
 * instance_on_disk: 1 if the instance's folder (instances_path/<uuid>) is
 * there and writable on this host, as after a spawn here or on storage
 * shared with the host that spawned it; else 0 — any failure to reach it
 * counts as 0, as the reference's os.access. -1 only for a bad instance.
 */
int drv_instance_on_disk(drv *d, const drv_instance *inst, drv_error *err);
/*
 * delete_instance_files: rename the instance's folder (or its "_resize"
 * twin) to "<uuid>_del" and delete that. 1 when nothing of it is left
 * (the compute manager then marks the instance cleaned), 0 when a folder
 * remains (the manager retries later). Failures along the way are not
 * errors (the reference logs them); -1 only for a bad instance.
 */
int drv_delete_instance_files(drv *d, const drv_instance *inst,
                              drv_error *err);
/*
 * What drv_destroy with destroy_disks did about the instance's files, for
 * the compute manager's bookkeeping (the reference's system_metadata
 * clean_attempts and instance.cleaned): attempts since the driver started,
 * and whether the last one left nothing. 1 if uuid has a record, else 0
 * (both outputs zeroed). Either output may be NULL.
 */
int drv_get_clean_record(drv *d, const char *uuid, unsigned int *attempts,
                         bool *cleaned);

/* The reference's MAX_CONSOLE_BYTES: the most get_console_output returns. */
#define DRV_MAX_CONSOLE_BYTES (100 * 1024)
/*
 * get_console_output: the last DRV_MAX_CONSOLE_BYTES of the guest's
 * console log. A file console is read (an empty output if its file does
 * not exist yet); else a pty console's log, instances_path/<uuid>/
 * console.log, is read. *out (g_free; NUL after *len bytes, which may
 * hold NULs) and *len. Errors: InstanceNotFound, ConsoleNotAvailable (no
 * file or pty console, or a log outside the instances path), the hv error
 * of the XML or of reading the log.
 */
int drv_get_console_output(drv *d, const drv_instance *inst, char **out,
                           size_t *len, drv_error *err);

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
    DRV_EVENT_SUSPENDED, /* the contract's; the libvirt driver never emits it */
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

/* ---- migration (drv-migrate.c): the live-migration contract's checks ---- */

/*
 * One attached volume as pre_live_migration reports it to the source (the
 * reference's LibvirtLiveMigrateBDMInfo). Owned strings.
 */
typedef struct drv_migrate_bdm {
    char *serial;             /* the volume id (connection_info's serial) */
    char *bus;                /* "virtio" */
    char *dev;                /* "vdb" */
    char *type;               /* "disk" */
    char *format;             /* NULL: None */
    int boot_index;           /* -1: None */
    /* connection_info: driver_volume_type and data.device_path */
    char *driver_volume_type;
    char *device_path;
} drv_migrate_bdm;

/*
 * The migrate data of a live migration (Newton's LibvirtLiveMigrateData
 * and its base LiveMigrateData): what check_can_live_migrate_destination
 * returns, check_can_live_migrate_source completes, pre_live_migration
 * adds to on the destination, and the later calls read. A field the
 * reference may leave unset has a has_* flag (the reference's
 * "'x' in migrate_data"); a NULL string is unset (or None). Everything is
 * owned: release with drv_migrate_data_clear. Loaded from JSON with
 * drv_migrate_data_load_json, written with drv_migrate_data_to_json, under
 * the reference's field names.
 */
typedef struct drv_migrate_data {
    /* LiveMigrateData: the compute manager sets it before the source
     * check (the instance boots from a volume) */
    bool has_is_volume_backed, is_volume_backed;
    /* check_can_live_migrate_destination */
    char *filename;   /* the shared-storage test file, in instances_path */
    char *image_type; /* the destination's image backend: "default" */
    bool has_block_migration, block_migration;
    bool has_disk_over_commit, disk_over_commit;
    bool has_disk_available_mb;
    int64_t disk_available_mb; /* may be < 0 */
    /* check_can_live_migrate_source */
    bool has_is_shared_instance_path, is_shared_instance_path;
    bool has_is_shared_block_storage, is_shared_block_storage;
    char *instance_relative_path; /* the instance's folder name: its uuid */
    /* pre_live_migration (on the destination) */
    char *graphics_listen_addr_vnc;
    char *graphics_listen_addr_spice;
    char *serial_listen_addr;
    char *target_connect_addr; /* NULL: None (no inbound address) */
    bool has_supported_perf_events;
    char **supported_perf_events; /* NULL-terminated (g_strfreev) */
    bool has_bdms;
    drv_migrate_bdm *bdms;
    unsigned int n_bdms;
} drv_migrate_data;

/* Frees md's contents and zeroes it. NULL is fine. */
void drv_migrate_data_clear(drv_migrate_data *md);
/*
 * Load migrate data from a JSON object: the field names above (those of
 * the reference), each optional; "bdms" a list of {"serial", "bus",
 * "dev", "type", "format", "boot_index", "connection_info":
 * {"driver_volume_type", "data": {"device_path"}}}. Unknown keys and
 * wrong types fail with DRV_ERR_INVALID_MIGRATE_DATA naming the JSON path
 * and line:column. md is overwritten (not freed first); all zero on
 * failure.
 */
int drv_migrate_data_load_json(const char *json, const char *source,
                               drv_migrate_data *md, drv_error *err);
/* md as a JSON object with the fields that are set, in the form
 * drv_migrate_data_load_json reads (g_free). */
char *drv_migrate_data_to_json(const drv_migrate_data *md);

/*
 * check_can_live_migrate_destination, on the destination: src and dst are
 * the two hosts' resources (drv_get_available_resource; cpu_info of src
 * and disk_available_least of dst are read). Compares the source's CPU
 * with this host's (only with virt_type "kvm", as the reference), creates
 * the shared-storage test file in instances_path, and fills out (which
 * holds nothing before: drv_migrate_data_clear) with filename,
 * image_type, block_migration and disk_over_commit (each -1 for the
 * reference's None: left unset, else 0/1) and disk_available_mb
 * (disk_available_least x 1024 - reserved_host_disk_mb).
 * Errors: InvalidCPUInfo (the CPUs are not compatible),
 * MigrationPreCheckError (the comparison failed: this host's
 * capabilities or the source's cpu_info unreadable), the hv error of
 * creating the test file. out holds nothing on failure.
 */
int drv_check_can_live_migrate_destination(drv *d, const drv_instance *inst,
                                           const drv_resources *src,
                                           const drv_resources *dst,
                                           int block_migration,
                                           int disk_over_commit,
                                           drv_migrate_data *out,
                                           drv_error *err);
/* cleanup_live_migration_destination_check: delete md's test file
 * (missing is an error, as the reference's os.remove). */
int drv_cleanup_live_migration_destination_check(drv *d,
                                                 const drv_migrate_data *md,
                                                 drv_error *err);
/*
 * check_can_live_migrate_source, on the source, with the destination's
 * md (changed in place): is_shared_instance_path (the test file seen
 * here), is_shared_block_storage, block_migration if unset (not on shared
 * storage), instance_relative_path. Errors: InvalidLocalStorage (block
 * migration onto shared storage), MigrationPreCheckError (not enough
 * disk on the destination; volumes with a block migration and libvirt
 * older than 1.2.17), InvalidSharedStorage (no block migration and
 * nothing shared, unless booted from a volume without local disks),
 * InstanceNotFound (from get_instance_disk_info).
 */
int drv_check_can_live_migrate_source(drv *d, const drv_instance *inst,
                                      drv_migrate_data *md, drv_error *err);
/*
 * check_instance_shared_storage_local: if the instance's folder exists
 * here, create a test file in it and give its path in *filename (g_free);
 * *filename NULL (the reference's None) when there is no folder.
 */
int drv_check_instance_shared_storage_local(drv *d, const drv_instance *inst,
                                            char **filename, drv_error *err);
/* check_instance_shared_storage_remote: 1 if filename (a path the local
 * check gave) exists on this host, else 0 (never an error, as
 * os.path.exists; -1 only for a NULL filename). */
int drv_check_instance_shared_storage_remote(drv *d, const char *filename,
                                             drv_error *err);
/* check_instance_shared_storage_cleanup: delete filename if it exists;
 * the hv error of any other failure. */
int drv_check_instance_shared_storage_cleanup(drv *d, const char *filename,
                                              drv_error *err);
/*
 * get_instance_disk_info: the instance's non-volume disks from its domain
 * XML as the reference's JSON list of {"type", "path", "virt_disk_size",
 * "backing_file", "disk_size", "over_committed_disk_size"} (*json g_free).
 * Errors: InstanceNotFound for any failure to get the domain or its XML
 * (as the reference), the hv error of a disk's size.
 */
int drv_get_instance_disk_info(drv *d, const drv_instance *inst, char **json,
                               drv_error *err);
/*
 * pre_live_migration, on the destination: without a shared instance path,
 * create the instance's folder (DestinationDiskExists if it is there),
 * write disk.info from disk_info (the source's get_instance_disk_info,
 * may be NULL), and without shared block storage create the disks and the
 * config drive; without block migration ensure console.log; plug the
 * VIFs (the plug hook); then fill md's bdms, graphics and serial listen
 * addresses, target_connect_addr and supported_perf_events. md must have
 * is_shared_instance_path, is_shared_block_storage and block_migration
 * (InvalidMigrateData otherwise).
 */
int drv_pre_live_migration(drv *d, const drv_instance *inst,
                           const char *disk_info, drv_migrate_data *md,
                           drv_error *err);
/* post_live_migration, on the source: the reference disconnects the
 * volumes; hvd's volumes are host paths with nothing to disconnect. */
int drv_post_live_migration(drv *d, const drv_instance *inst,
                            const drv_migrate_data *md, drv_error *err);
/* post_live_migration_at_source: unplug the VIFs. */
int drv_post_live_migration_at_source(drv *d, const drv_instance *inst,
                                      drv_error *err);
/* post_live_migration_at_destination: define the domain persistently from
 * its live XML. Errors: InstanceNotFound, the hv error of the XML or the
 * definition. */
int drv_post_live_migration_at_destination(drv *d, const drv_instance *inst,
                                           bool block_migration,
                                           drv_error *err);
/*
 * rollback_live_migration_at_destination: destroy (with destroy_disks,
 * md's is_shared_block_storage) and then, whatever that gave, unless the
 * instance path is shared (md NULL counts as shared), delete the
 * instance's folder here. An error of the folder replaces destroy's.
 */
int drv_rollback_live_migration_at_destination(drv *d,
                                               const drv_instance *inst,
                                               bool destroy_disks,
                                               const drv_migrate_data *md,
                                               drv_error *err);
/* post_claim_migrate_data: md unchanged (the libvirt driver keeps the
 * contract's default). */
int drv_post_claim_migrate_data(drv *d, const drv_instance *inst,
                                drv_migrate_data *md, drv_error *err);
/*
 * The contract's cleanup (what destroy does once the guest is off; the
 * compute manager calls it on the source after a migration): unplug VIFs
 * if destroy_vifs, delete the volumes if destroy_disks, the instance's
 * files if destroy_disks or md (may be NULL) says is_shared_block_storage,
 * and undefine the domain (its error is returned).
 */
int drv_cleanup(drv *d, const drv_instance *inst, bool destroy_disks,
                const drv_migrate_data *md, bool destroy_vifs,
                drv_error *err);

/* ---- cold migration, resize, evacuate (drv-migrate-cold.c) ----
 *
 * The compute manager's resize and cold migration, as Newton's runs them
 * with the reference's driver: migrate_disk_and_power_off on the source,
 * finish_migration on the destination, then confirm_migration on the
 * source, or (revert) destroy on the destination and
 * finish_revert_migration on the source. inst is the same instance in
 * every call, with the flavor each call says. The instance's disks are
 * volumes of storage_pool named from its uuid; they move to the
 * destination's pool of the same name with hv_vol_copy_to unless the
 * storage is shared, which hvd takes to mean that dest is this host (the
 * reference's first test; its second, a file made over ssh on the
 * destination, has no hv equivalent: docs/reference-differences.md,
 * Migration / Cold migration).
 */

/*
 * migrate_disk_and_power_off, on the source. flavor is the new flavor
 * (borrowed). Refuses to shrink the root disk (unless the instance boots
 * from a volume) or the ephemeral disk: DRV_ERR_RESIZE "Unable to resize
 * disk down." (the reference's ResizeError inside InstanceFaultRollback:
 * nothing changed, the instance still running). dest is checked as a
 * host name (InvalidHostname) before it goes into cold_migration_uri.
 * Then, without shared storage, the image volume is copied to the
 * destination unless it has it (ResizeError if that fails: nothing
 * changed yet); power_off(timeout, retry_interval) (its errors); the
 * instance's folder renamed to "<uuid>_resize" (where hvd also records
 * dest and sharing for confirm_migration); and, without shared storage,
 * the instance's volumes copied to the destination (the swap volume not
 * when the swap size changes: finish_migration makes it again). A failure
 * from the rename on is undone as the reference's
 * _cleanup_remote_migration (the folder back; hv_vol_copy_to leaves
 * nothing on the destination) and returned; the guest stays off.
 * *disk_info (g_free) is get_instance_disk_info's JSON, taken before the
 * power-off, for finish_migration.
 */
int drv_migrate_disk_and_power_off(drv *d, const drv_instance *inst,
                                   const char *dest, const drv_flavor *flavor,
                                   int timeout, int retry_interval,
                                   char **disk_info, drv_error *err);
/*
 * finish_migration, on the destination; inst carries the NEW flavor.
 * The instance's folder and console log, the missing volumes (the
 * reference's _create_image: a new ephemeral or swap disk), then with
 * resize_instance each disk of disk_info (the source's) grown to the new
 * flavor's size (root: root_gb; the ephemeral volume: ephemeral_gb; never
 * shrunk), the config drive, the domain defined from fresh XML (the new
 * vCPUs and memory) and, if power_on, started (VIFs taken as plugged)
 * and waited for until RUNNING. A failed start is cleaned up as spawn's
 * but keeps the volumes. Errors: InvalidMigrateData (disk_info not a JSON
 * list), DiskFull, the hv errors.
 */
int drv_finish_migration(drv *d, const drv_instance *inst,
                         const char *disk_info, bool resize_instance,
                         bool power_on, drv_error *err);
/*
 * confirm_migration, on the source (_cleanup_resize): delete
 * "<uuid>_resize" (up to 5 attempts, a random 0.2-2 s apart, as the
 * reference's rm -rf with attempts=5; the last failure is returned). When
 * the instance moved to another host (as recorded by
 * migrate_disk_and_power_off), also undefine the source domain, unplug the
 * VIFs and, storage not shared, delete the source volumes. Without a
 * record (no "<uuid>_resize"), nothing else is done.
 */
int drv_confirm_migration(drv *d, const drv_instance *inst, drv_error *err);
/*
 * finish_revert_migration, on the source; inst carries the OLD flavor.
 * If "<uuid>_resize" exists: any "<uuid>" folder is deleted (a missing one
 * is fine) and "<uuid>_resize" renamed back. Then the domain is defined
 * from fresh XML over the source's volumes and, if power_on, started
 * (VIFs taken as plugged) and waited for until RUNNING. The compute
 * manager has destroyed the instance on the destination first
 * (drv_destroy there, destroy_disks when storage is not shared).
 */
int drv_finish_revert_migration(drv *d, const drv_instance *inst,
                                bool power_on, drv_error *err);
/*
 * Evacuate: the contract's rebuild with recreate=True on the new host,
 * as Newton's compute manager runs it for the libvirt driver (which has
 * no rebuild of its own): nothing to destroy here, the instance spawned
 * (disks from the image, storage not being shared), powered on. Errors as
 * drv_spawn (InstanceExists if it is here already). The crashed source's
 * leftovers (its definition, volumes and folder) are removed by
 * drv_destroy with destroy_disks on the source once it is back, as the
 * manager's _destroy_evacuated_instances does.
 */
int drv_rebuild_recreate(drv *d, const drv_instance *inst, drv_error *err);
/* ---- live migration (drv-migrate-live.c) ---- */

/*
 * The compute manager's _post_live_migration and _rollback_live_migration,
 * which the monitor calls when the migration completed (post) or failed
 * or was cancelled (recover, migration_status NULL or "cancelled"). d is
 * the source's driver, inst and md what drv_live_migration was given
 * (borrowed for the call). Either member may be NULL: nothing is called.
 * The callbacks may call the driver again.
 */
typedef struct drv_migrate_callbacks {
    void (*post)(void *opaque, drv *d, const drv_instance *inst,
                 const char *dest, bool block_migration,
                 drv_migrate_data *md);
    void (*recover)(void *opaque, drv *d, const drv_instance *inst,
                    const char *dest, bool block_migration,
                    drv_migrate_data *md, const char *migration_status);
    void *opaque;
} drv_migrate_callbacks;

/*
 * live_migration, on the source: moves inst's running domain to the host
 * dest (a host name, checked first: InvalidHostname) and returns when the
 * migration is over, having called cb->post or cb->recover. md is the
 * migrate data the checks and pre_live_migration filled (block_migration,
 * target_connect_addr, graphics listen addresses are read); it stays the
 * caller's. The migration runs asynchronously (hv_domain_migrate_start)
 * while the monitor polls its job every 0.5 s on the hv clock, sleeping
 * in between (other operations on d may run then: force_complete, abort,
 * spawn of other instances). It applies the downtime steps, aborts on
 * the progress and completion timeouts, switches to post-copy, runs the
 * operator's force-complete, and at the end decides from the job info
 * (or the domain when the job reads NONE) whether it completed.
 * Returns 0 once post or recover ran (a failed migration is 0 too: the
 * outcome went to recover). -1 without either called: InvalidHostname,
 * InstanceNotFound, LiveMigrationURINotAvailable or InvalidConfiguration
 * (live_migration_uri; the downtime options), the hv error of the
 * versions; and while it runs, the hv error of job info other than
 * NO_DOMAIN / OPERATION_INVALID, of aborting the job on a timeout, or of
 * the clock (the reference raises those). The instance's entry among the
 * active migrations is removed whatever the outcome.
 */
int drv_live_migration(drv *d, const drv_instance *inst, const char *dest,
                       const drv_migrate_callbacks *cb, bool block_migration,
                       drv_migrate_data *md, drv_error *err);
/*
 * live_migration_force_complete: queue "force-complete" for the monitor of
 * inst's running migration, which acts on it at its next poll (post-copy
 * when enabled, else pause the guest; it is resumed if the migration then
 * fails). Only queues. NoActiveMigrationForInstance if no migration of
 * inst runs on d.
 */
int drv_live_migration_force_complete(drv *d, const drv_instance *inst,
                                      drv_error *err);
/*
 * live_migration_abort: abort inst's domain's job now (hv_domain_abort_job).
 * Errors: InstanceNotFound, the hv error of the abort (the reference
 * re-raises libvirt's). The monitor sees the job end at its next poll.
 */
int drv_live_migration_abort(drv *d, const drv_instance *inst,
                             drv_error *err);
/* rollback_live_migration_at_source: the contract's no-op (the libvirt
 * driver does not override it); 0. */
int drv_rollback_live_migration_at_source(drv *d, const drv_instance *inst,
                                          const drv_migrate_data *md,
                                          drv_error *err);

/* ---- snapshots (drv-snapshot.c) ----
 *
 * The image store: an image is a volume of storage_pool named after the
 * image (its data, flat: no backing file) and its metadata, the JSON the
 * reference gives the image service (name, status "active", disk_format,
 * container_format, size, properties image_location "snapshot",
 * image_state "available", instance_uuid, base_image_ref, kernel_id,
 * ramdisk_id, os_type), written through hv as the instance file
 * <instances_path>/snapshots/<name>.json. The metadata is written last:
 * an image without it is not in the store (and snapshot never leaves
 * one: a failure deletes the volume it made).
 */

/* The contract's task states a snapshot passes through (Nova's
 * task_states.IMAGE_PENDING_UPLOAD, IMAGE_UPLOADING). */
typedef enum {
    DRV_TASK_IMAGE_PENDING_UPLOAD,
    DRV_TASK_IMAGE_UPLOADING,
} drv_task_state;
/* No expected state (the reference's update_task_state without one). */
#define DRV_TASK_ANY (-1)
/* "image_pending_upload", "image_uploading"; NULL for another value. */
const char *drv_task_state_name(int state);
/*
 * The compute manager's update_task_state: the instance's task state
 * becomes state; expected is the state it must hold now (DRV_TASK_ANY:
 * none). The callback cannot fail the snapshot (hvd has no
 * UnexpectedTaskStateError: the manager's own check).
 */
typedef void (*drv_task_state_fn)(void *opaque, drv_task_state state,
                                  int expected);

/*
 * snapshot: a new image image_name in the image store from the instance's
 * root disk (its volume "<uuid>_disk"), as the reference's snapshot does
 * it with an image backend that has no direct snapshot:
 *  - InstanceNotRunning if the instance has no domain; InvalidImageRef
 *    for a name that cannot be a volume and a file ("", "/", ".", "..",
 *    more than 250 bytes, starting with '.'); ImageExists if the store
 *    has a volume or metadata of that name; the hv error of reading the
 *    root disk;
 *  - the image format: snapshot_image_format, else the root disk's;
 *  - live (the hypervisor is QEMU, disable_libvirt_livesnapshot false,
 *    aborting any block job of the disk does not answer
 *    CONFIG_UNSUPPORTED, the instance is not SHUTDOWN) or cold;
 *  - cold: a RUNNING or PAUSED instance is saved (managed save: the
 *    reference's suspend; its error is returned, nothing changed);
 *  - update_task_state(IMAGE_PENDING_UPLOAD), (IMAGE_UPLOADING, expected
 *    PENDING_UPLOAD), then, the direct snapshot being unsupported,
 *    (IMAGE_PENDING_UPLOAD, expected UPLOADING);
 *  - the disk copied into the image volume (hv_vol_create_from: flat);
 *    live, through a delta ("<image>.delta", qcow2 over the disk's
 *    backing file) that a block copy job mirrors the disk into while
 *    the domain is transient (its definition restored afterwards) and
 *    the guest's filesystems are quiesced when it has an agent (required
 *    only with the image property os_require_quiesce);
 *  - whatever the copy gave, a cold snapshot restores the guest as it
 *    was (started again, paused if it was paused; an error of that
 *    replaces the copy's, as the reference's finally does);
 *  - update_task_state(IMAGE_UPLOADING, expected PENDING_UPLOAD), and the
 *    metadata written (the upload).
 * A failure after the image volume was made deletes it (the compute
 * manager's delete of the image on error): no half image is left.
 * update_task_state may be NULL. Errors as above, InstanceNotFound, the
 * hv errors (HypervisorError) of the save, copy, restore and upload.
 */
int drv_snapshot(drv *d, const drv_instance *inst, const char *image_name,
                 drv_task_state_fn update_task_state, void *opaque,
                 drv_error *err);
/* The metadata of image name as JSON text (g_free). ImageNotFound, or
 * the hv error of reading it. */
char *drv_image_get(drv *d, const char *name, drv_error *err);
/* Delete image name from the store: its metadata and its volume (the
 * image service's delete). ImageNotFound if neither is there. */
int drv_image_delete(drv *d, const char *name, drv_error *err);

/* ---- the guest agent (drv-agent.c) ----
 *
 * The reference's quiesce, unquiesce and set_admin_password: through the
 * QEMU guest agent, which the instance has when its image property
 * hw_qemu_guest_agent is true (the domain then has the agent's channel,
 * drv-xml-devices.c) and an agent runs in the guest.
 */

/*
 * quiesce / unquiesce: freeze or thaw the guest's filesystems. image_meta
 * is the contract's image metadata of the instance (borrowed; NULL: the
 * instance's image), whose properties the checks read. Errors:
 * InstanceQuiesceNotSupported (virt_type not kvm or qemu, or libvirt
 * older than 1.2.5), QemuGuestAgentNotEnabled (hw_qemu_guest_agent not
 * set), InstanceNotFound, NovaException "Error from libvirt while
 * quiescing <name>: [Error Code N] ..." for the hypervisor's refusal
 * (err->hv holds it: no agent channel, no agent answering, not running).
 */
int drv_quiesce(drv *d, const drv_instance *inst, const drv_image *image_meta,
                drv_error *err);
int drv_unquiesce(drv *d, const drv_instance *inst,
                  const drv_image *image_meta, drv_error *err);
/*
 * set_admin_password: the password of the image property os_admin_user,
 * else "Administrator" for os_type "windows", else "root" (new_pass is
 * never logged, traced or kept). Errors: SetAdminPasswdNotSupported
 * (virt_type not kvm or qemu, or libvirt older than 1.2.16),
 * QemuGuestAgentNotEnabled, InstanceNotFound, NovaException "Error from
 * libvirt while set password for username "<user>": [Error Code N] ...".
 */
int drv_set_admin_password(drv *d, const drv_instance *inst,
                           const char *new_pass, drv_error *err);

#endif /* HVD_DRV_H */
