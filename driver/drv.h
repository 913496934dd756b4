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
    /* volumes (drv-volume.c) */
    DRV_ERR_VOLUME_DRIVER_NOT_FOUND, /* VolumeDriverNotFound */
    DRV_ERR_DISK_NOT_FOUND,         /* DiskNotFound */
    DRV_ERR_DEVICE_DETACH_FAILED,   /* DeviceDetachFailed */
    DRV_ERR_DEVICE_IS_BUSY,         /* DeviceIsBusy */
    DRV_ERR_INVALID_HYPERVISOR_TYPE, /* InvalidHypervisorType */
    DRV_ERR_INVALID_CONNECTION_INFO, /* bad connection info (hvd's own) */
    DRV_ERR_NOVA,                   /* NovaException (a bare one) */
    /* device names (drv-devnames.c) raise NovaException too: no free name
     * on a bus, a name or bus without a known prefix */
    /* interfaces (drv-iface.c) */
    DRV_ERR_VIF_PLUG,               /* VirtualInterfacePlugException */
    DRV_ERR_INTERFACE_ATTACH_FAILED, /* InterfaceAttachFailed */
    DRV_ERR_INTERFACE_DETACH_FAILED, /* InterfaceDetachFailed */
    /* snapshots and the guest agent (drv-snapshot.c, drv-agent.c) */
    DRV_ERR_INVALID_IMAGE_REF,      /* InvalidImageRef: a bad image name */
    DRV_ERR_IMAGE_EXISTS,           /* the image store has it (hvd's own) */
    DRV_ERR_IMAGE_NOT_FOUND,        /* ImageNotFound */
    DRV_ERR_QUIESCE_NOT_SUPPORTED,  /* InstanceQuiesceNotSupported */
    DRV_ERR_GUEST_AGENT_NOT_ENABLED, /* QemuGuestAgentNotEnabled */
    DRV_ERR_SET_ADMIN_PASSWD_NOT_SUPPORTED, /* SetAdminPasswdNotSupported */
    /* ... and NovaException (DRV_ERR_NOVA): the agent's libvirt error */
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
    /* over-commitment: 0.0 is unset (Newton's default, later Nova's
     * None), and then the initial_* ratios below or placement's value
     * apply (drv_update_provider_tree); > 0 overrides both */
    double cpu_allocation_ratio;   /* 0.0 */
    double ram_allocation_ratio;   /* 0.0 */
    double disk_allocation_ratio;  /* 0.0 */
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
    /* performance events to monitor in every guest ("cmt", "mbml",
     * "cpu_cycles", ...): those libvirt (2.0.0 or later) and, for the
     * cache and memory-bandwidth ones, the host CPU support are put in
     * the domain XML and offered to a migration. NULL: none. */
    char **enabled_perf_events;
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

    /*
     * The host (drv-host.c, drv-provider.c): Nova's [DEFAULT] my_ip and
     * initial_*_allocation_ratio, [compute] image_type_exclude_list.
     */
    /* this host's IP address (get_host_ip_addr); NULL: "127.0.0.1", the
     * address Nova falls back to when it finds no other */
    char *my_ip;                          /* NULL */
    /* the ratios a new inventory record starts with when the
     * *_allocation_ratio options are unset (> 0) */
    double initial_cpu_allocation_ratio;  /* 16.0 */
    double initial_ram_allocation_ratio;  /* 1.5 */
    double initial_disk_allocation_ratio; /* 1.0 */
    /* image types ("qcow2", "raw", ...: the contract's
     * supports_image_type_*) reported unsupported; NULL-terminated */
    char **image_type_exclude_list;       /* NULL */
    /*
     * Device names and the image cache (drv-devnames.c, drv-imagecache.c):
     * [libvirt] disk_prefix (NULL: the bus's own, "vd" for virtio...; else
     * 1-8 lower-case letters used for every bus), and the image cache
     * manager's remove_unused_base_images (true),
     * remove_unused_original_minimum_age_seconds (86400) and [libvirt]
     * remove_unused_resized_minimum_age_seconds (3600), each >= 0.
     */
    char *disk_prefix;
    bool remove_unused_base_images;
    int remove_unused_original_minimum_age_seconds;
    int remove_unused_resized_minimum_age_seconds;
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

/* ---- the host as placement sees it: the provider tree (drv-provider.c) ---- */

/*
 * One inventory record of a resource provider, as placement keeps it:
 * how much of a resource class there is (total), how much of it the host
 * keeps for itself (reserved), the smallest and largest amount one
 * consumer may take and the step between amounts, and the
 * over-commitment factor.
 */
typedef struct drv_inventory_class {
    uint64_t total, reserved, min_unit, max_unit, step_size;
    double allocation_ratio;
} drv_inventory_class;

/* An inventory record named by its resource class ("VCPU", "MEMORY_MB",
 * "DISK_GB", or any other placement class). */
typedef struct drv_inventory_record {
    char *resource_class;
    drv_inventory_class inv;
} drv_inventory_record;

/*
 * One resource provider: its uuid and unique name, its parent's uuid
 * (NULL for a root), its inventory (one record per resource class, in
 * the order set), its traits and its aggregates (uuids). All strings and
 * arrays owned by the provider.
 */
typedef struct drv_provider {
    char *uuid;
    char *name;
    char *parent_uuid;
    drv_inventory_record *inventory;
    unsigned int n_inventory;
    char **traits;     /* NULL-terminated, sorted, each once; may be NULL */
    char **aggregates; /* NULL-terminated, sorted, each once; may be NULL */
} drv_provider;

/*
 * The provider tree the contract's update_provider_tree works on (Nova's
 * ProviderTree, reduced to what a compute driver reads and writes): every
 * provider of the compute node's tree, and the sharing providers (trait
 * MISC_SHARES_VIA_AGGREGATE) associated with them, as placement knows
 * them. Owned by the caller; release with drv_provider_tree_clear.
 *
 * Its JSON rendering (drv_provider_tree_to_json, and what
 * drv_provider_tree_load_json reads) is one object keyed by provider name:
 *
 *   {"h1":  {"uuid": "...", "parent_uuid": null,
 *            "inventory": {"VCPU": {"total": 8, "reserved": 0,
 *                                   "min_unit": 1, "max_unit": 8,
 *                                   "step_size": 1,
 *                                   "allocation_ratio": 16.0}, ...},
 *            "traits": ["COMPUTE_NET_ATTACH_INTERFACE", ...],
 *            "aggregates": []},
 *    "nfs": {"uuid": "...", "inventory": {"DISK_GB": {...}},
 *            "traits": ["MISC_SHARES_VIA_AGGREGATE"], "aggregates": [...]}}
 *
 * Reading: "uuid" is required (canonical 8-4-4-4-12 hex), every other key
 * optional (no inventory, traits or aggregates; a root); in an inventory
 * record "total" is required, "reserved" defaults to 0, "min_unit",
 * "step_size" and "allocation_ratio" to 1 and "max_unit" to the total, as
 * placement defaults them.
 */
typedef struct drv_provider_tree {
    drv_provider *providers;
    unsigned int n_providers;
} drv_provider_tree;

void drv_provider_tree_clear(drv_provider_tree *tree);
/* The provider called name, or NULL; borrowed from tree. */
drv_provider *drv_provider_tree_find(drv_provider_tree *tree,
                                     const char *name);
/*
 * Add a root provider name with uuid unless one of that name is there
 * (the compute manager's part before it calls update_provider_tree:
 * Nova's resource tracker makes the compute node's provider first).
 * Returns the provider; borrowed from tree.
 */
drv_provider *drv_provider_tree_ensure_root(drv_provider_tree *tree,
                                            const char *uuid,
                                            const char *name);
/* The inventory record of resource_class on p, or NULL; borrowed. */
const drv_inventory_class *drv_provider_inventory(const drv_provider *p,
                                                  const char *resource_class);
bool drv_provider_has_trait(const drv_provider *p, const char *trait);
/* tree as JSON text (above; keys sorted, traits sorted); g_free. */
char *drv_provider_tree_to_json(const drv_provider_tree *tree);
/*
 * Read a tree from JSON text (the shape above) into tree (which holds
 * nothing). -1 with err (DRV_ERR_INVALID_CONFIG) naming source, line,
 * column and the JSON path of the problem: a missing or malformed uuid, a
 * uuid or name used twice, a parent that is not in the tree, a negative
 * or non-integer amount, a reserved or max_unit above total... tree holds
 * nothing on failure.
 */
int drv_provider_tree_load_json(const char *json, const char *source,
                                drv_provider_tree *tree, drv_error *err);

/*
 * The contract's update_provider_tree, as Nova's libvirt driver does it
 * on its one node:
 *  - inventory of the provider named nodename, replaced by VCPU,
 *    MEMORY_MB and DISK_GB from drv_get_available_resource: total = the
 *    host's vcpus / memory_mb / local_gb, max_unit = total, min_unit and
 *    step_size 1, reserved = reserved_host_cpus / reserved_host_memory_mb
 *    / reserved_host_disk_mb in whole GiB rounded up; DISK_GB is left out
 *    when the tree holds a sharing provider of DISK_GB (a provider with
 *    the trait MISC_SHARES_VIA_AGGREGATE and DISK_GB inventory: the disk
 *    is shared, and reported there);
 *  - allocation_ratio by the contract's precedence (its
 *    _get_allocation_ratios): the configured *_allocation_ratio if set
 *    (> 0), else initial_*_allocation_ratio when the provider has no
 *    record of that class yet, else the record's current ratio (one set
 *    in placement by an operator stays);
 *  - traits: the CPU traits (drv_get_traits' table) and the capability
 *    traits (drv_capabilities_as_traits) the host has are added, those it
 *    lacks are removed; traits the driver does not control (CUSTOM_*,
 *    others' traits) are left as they are.
 * Other providers are not touched. allocations (the reshape) is not
 * taken: hvd never moves inventory between providers or classes.
 * Errors: DRV_ERR_INVALID_CONFIG when the tree has no provider named
 * nodename, or nodename is not this driver's node; the errors of
 * drv_get_available_resource. The tree is unchanged on failure.
 */
int drv_update_provider_tree(drv *d, drv_provider_tree *tree,
                             const char *nodename, drv_error *err);

/* One capability of the driver (the contract's capabilities dict). */
typedef struct drv_capability {
    const char *name;  /* "supports_attach_interface", ... */
    bool supported;
} drv_capability;
/* The driver's capabilities, *n of them; static, never freed. */
const drv_capability *drv_capabilities(unsigned int *n);
/* One trait of capabilities_as_traits: the trait and whether the driver
 * supports it. */
typedef struct drv_trait_flag {
    const char *trait; /* static */
    bool supported;
} drv_trait_flag;
/*
 * The contract's capabilities_as_traits: each capability that has a
 * COMPUTE_* trait (the contract's CAPABILITY_TRAITS_MAP) as that trait
 * and whether it is supported; an image type in the configuration's
 * image_type_exclude_list counts as unsupported. *flags (g_free; the
 * strings are static) holds *n entries sorted by trait. No error.
 */
void drv_capabilities_as_traits(drv *d, drv_trait_flag **flags,
                                unsigned int *n);

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
/*
 * The reference's get_available_nodes: the one node this driver serves,
 * its hostname, read from the hypervisor on every call (the reference's
 * Host.get_hostname) and kept as first read: a hostname that changes
 * later does not rename the node. refresh changes nothing (the reference
 * ignores it: every call reads anew). *nodes: g_strfreev.
 * Errors: the hostname read's (HOST_UNAVAILABLE when the connection is
 * lost).
 */
int drv_get_available_nodes(drv *d, bool refresh, char ***nodes,
                            drv_error *err);
/*
 * The contract's node_is_available: 1 if nodename is among
 * get_available_nodes, else asked again with refresh, 1 or 0 from that.
 * -1 with err when a look fails (the reference lets it escape).
 */
int drv_node_is_available(drv *d, const char *nodename, drv_error *err);
/*
 * The contract's get_nodenames_by_uuid: {node uuid: nodename} for the one
 * node. The node's uuid is the host's (the capabilities' host uuid; Nova
 * keeps a generated one in a compute_id file, which the driver would
 * have to write on the host). *uuids and *names (g_strfreev) are
 * parallel, one entry each. Errors: those of get_available_nodes and of
 * reading the capabilities.
 */
int drv_get_nodenames_by_uuid(drv *d, bool refresh, char ***uuids,
                              char ***names, drv_error *err);
/* The host's CPU features as traits (HW_CPU_X86_*), sorted; g_strfreev. */
int drv_get_traits(drv *d, char ***traits, drv_error *err);

/*
 * The contract's get_host_ip_addr: the configuration's my_ip (the
 * reference returns CONF.my_ip, only warning when no interface of the
 * machine has it). g_free. No error.
 */
char *drv_get_host_ip_addr(drv *d);
/*
 * The contract's set_host_enabled: whether the host takes new instances,
 * written to its service record as an operator's choice
 * (drv_set_service_disabled with no reason, or enabled); *status is
 * "enabled" when the host can now take instances (drv_host_enabled),
 * "disabled" otherwise (static). No error. Newton's libvirt driver
 * leaves the contract's NotImplementedError here
 * (docs/reference-differences.md).
 */
int drv_set_host_enabled(drv *d, bool enabled, const char **status,
                         drv_error *err);
/*
 * The contract's host_power_action (action "startup", "shutdown" or
 * "reboot") and host_maintenance_mode (mode: enter or leave): the
 * libvirt driver implements neither, so both fail with
 * DRV_ERR_NOT_SUPPORTED (NotImplementedError) for every argument, and
 * change nothing. *result is never set.
 */
int drv_host_power_action(drv *d, const char *action, const char **result,
                          drv_error *err);
int drv_host_maintenance_mode(drv *d, const char *host, bool mode,
                              const char **result, drv_error *err);
/*
 * The contract's is_supported_fs_format as the libvirt driver answers
 * it: true for "ext2", "ext3", "ext4" and "xfs" (the file systems it can
 * make on an ephemeral disk), false for anything else, NULL included.
 */
bool drv_is_supported_fs_format(const char *fs_type);
/* ---- device names (drv-devnames.c) ----
 *
 * Guest disk names as the reference's block-device logic gives them
 * (newton/libvirt-blockinfo.py): a prefix per bus (virtio vd, scsi, sata
 * and usb sd, ide hd, xen xvd, fdc fd, uml ubd; the disk_prefix option
 * for all), the first letter free on it (IDE has four, the others 26),
 * names given in block device mappings never generated again, the config
 * drive on its bus's last name. The buses: the image's hw_disk_bus /
 * hw_cdrom_bus / hw_floppy_bus, else virtio for disks, ide for CD-ROMs
 * (scsi for ppc, s390 and aarch64 images), fdc for floppies. A block
 * device's own bus is kept when kvm/qemu accept it (virtio, scsi, ide,
 * usb, fdc), else it follows its name (hd ide, sd scsi, vd virtio, ...).
 * Errors: NovaException (no free name; a name without a known prefix),
 * InvalidInstance (an unknown image bus).
 */

typedef enum {
    DRV_DEV_BDM_VOLUME,    /* a Cinder volume (block_device_mapping) */
    DRV_DEV_BDM_EPHEMERAL, /* an ephemeral disk mapping */
    DRV_DEV_BDM_SWAP,      /* the swap mapping */
} drv_dev_bdm_kind;

/*
 * One block device mapping as the naming reads and updates it (the
 * reference's driver BDM: device_name, disk_bus, device_type, boot_index,
 * swap_size). Strings owned (g_free): release with drv_dev_bdm_clear.
 */
typedef struct drv_dev_bdm {
    drv_dev_bdm_kind kind;
    char *device_name; /* "/dev/vdb"; NULL: to be chosen */
    char *disk_bus;    /* "virtio"; NULL: the instance's */
    char *device_type; /* "disk", "cdrom", "floppy", "lun"; NULL: disk */
    int boot_index;    /* -1: none; 0: the root (a volume booted from) */
    uint64_t swap_size_mb; /* swap: its size; 0 leaves it out */
} drv_dev_bdm;
/* Frees b's strings and zeroes it (boot_index -1). NULL is fine. */
void drv_dev_bdm_clear(drv_dev_bdm *b);

/*
 * default_root_device_name: the name of the root disk, "/dev/vda" for an
 * image on virtio: the first name of the instance's disk bus (its CD-ROM
 * bus for an image of format "iso"), or with root_bdm (a volume booted
 * from; may be NULL) that volume's name or its bus's first. *name g_free.
 */
int drv_default_root_device_name(drv *d, const drv_instance *inst,
                                 const drv_dev_bdm *root_bdm, char **name,
                                 drv_error *err);
/*
 * default_device_names_for_instance: name every one of bdms (in place:
 * device_name, disk_bus and device_type set), as the reference, which
 * cannot honour a name a user gives, so every given name is dropped and
 * chosen again: the root (root_device_name, NULL: inst's) first, then the
 * flavor's ephemeral disk when no ephemeral mapping is given, the
 * ephemerals, the swap, the volumes, each the first free name. A failure
 * can leave some of bdms named.
 */
int drv_default_device_names_for_instance(drv *d, const drv_instance *inst,
                                          const char *root_device_name,
                                          drv_dev_bdm *bdms,
                                          unsigned int n_bdms,
                                          drv_error *err);
/*
 * get_device_name_for_instance: the name a new block device new_bdm would
 * get on inst (root_device_name, flavor, image, config drive) which has
 * bdms (borrowed, unchanged): the first free name of new_bdm's bus (its
 * disk_bus when valid, else its device type's), after every disk of the
 * instance's mapping. A name new_bdm suggests is ignored, as by the
 * reference. *name ("/dev/vdc") g_free.
 */
int drv_get_device_name_for_instance(drv *d, const drv_instance *inst,
                                     const drv_dev_bdm *bdms,
                                     unsigned int n_bdms,
                                     const drv_dev_bdm *new_bdm, char **name,
                                     drv_error *err);

/* ---- the image cache (drv-imagecache.c) ----
 *
 * Base images are volumes of storage_pool named as the reference names
 * the files of its image cache (newton/libvirt-imagecache.py): the SHA-1
 * of an image id in hex (drv_image_cache_name: an original), that and "_"
 * and at least two more characters (a resized copy, "<fp>_<GiB>", or an
 * old "<fp>_sm"), or "swap_<MiB>" (a swap base). No other volume of the
 * pool is ever the cache's.
 */

/* get_cache_fname: the SHA-1 of image_id in lower-case hex (g_free). */
char *drv_image_cache_name(const char *image_id);

/* What one pass of the image cache manager did, each list sorted,
 * NULL-terminated and owned (drv_image_cache_report_clear). */
typedef struct drv_image_cache_report {
    bool skipped;   /* no storage pool: nothing verified */
    char **active;  /* base images in use (those named by an image's
                       fingerprint touched) */
    char **removed; /* unused and old enough: deleted */
    char **kept;    /* unused but younger than their kind's minimum age */
    char **unknown; /* base images no instance explains (all removable) */
    char **failed;  /* unused and old enough, but the delete failed */
} drv_image_cache_report;
void drv_image_cache_report_clear(drv_image_cache_report *r);
/* {"skipped", "active", "removed", "kept", "unknown", "failed"}; g_free. */
char *drv_image_cache_report_to_json(const drv_image_cache_report *r);

/*
 * manage_image_cache: one pass of the reference's ImageCacheManager over
 * the pool, for all_instances (borrowed: the instances on this host, or
 * on the hosts sharing its storage). In use, and so kept and touched
 * (their age starts again): the base images of every image an instance
 * names (its image id, and its image's kernel_id and ramdisk_id
 * properties): the original, "_sm" and resized "<fp>_<digits>"; and any
 * volume an instance's root disk is backed by; "swap_<MiB>" of an
 * instance's flavor swap. Every other base image is removable and, with
 * remove_unused_base_images, deleted once its age (hv_wall_now less
 * hv_vol_get_mtime) reaches remove_unused_original_minimum_age_seconds
 * (originals and swap bases) or remove_unused_resized_minimum_age_seconds
 * (the rest); younger ones are kept. report (may be NULL) says which.
 * Errors: the hv error of listing the pool (none: skipped), of reading
 * an instance's root disk, an age or touching a kept base image; a failed
 * delete is only reported (the reference logs it).
 */
int drv_manage_image_cache(drv *d, const drv_instance *const *all_instances,
                           unsigned int n_instances,
                           drv_image_cache_report *report, drv_error *err);
/*
 * cache_image: Newton's libvirt driver keeps the contract's default, so
 * this is NotImplementedError (DRV_ERR_NOT_SUPPORTED); *fetched (may be
 * NULL) false.
 */
int drv_cache_image(drv *d, const char *image_id, bool *fetched,
                    drv_error *err);

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

/* ---- interfaces (drv-iface.c) ---- */

/*
 * The contract's network calls, as Newton's libvirt driver makes them. The
 * network itself is the VIF plug hook (drv_set_vif_plug_hook): "plugging"
 * a VIF calls it, and the network answers later with drv_external_event;
 * "unplugging" forgets what it answered (hvd has no unplug hook: the hook
 * stays the one way hvd talks to a network). hvd has no firewall driver:
 * the reference's calls into one are those of the NoopFirewallDriver a
 * Neutron deployment runs, which do nothing.
 *
 * A VIF is checked before anything is plugged: id, address and type set
 * (InvalidInstance otherwise), type one of "bridge" (with bridge),
 * "ethernet" (with devname), "network" (with network), else
 * VirtualInterfacePlugException as the reference's vif driver raises for
 * a type it cannot plug.
 */

/* A deep copy of src into dst (which holds nothing). */
void drv_vif_copy(drv_vif *dst, const drv_vif *src);
/* Free what v holds and zero it. NULL is fine. */
void drv_vif_clear(drv_vif *v);

/*
 * plug_vifs: call the plug hook for each of inst's VIFs, in order (the
 * compute manager calls it for running instances when its service starts;
 * nothing waits for the network's answers). Every VIF is checked first:
 * a bad one plugs nothing. Errors: InvalidInstance,
 * VirtualInterfacePlugException.
 */
int drv_plug_vifs(drv *d, const drv_instance *inst, drv_error *err);
/*
 * unplug_vifs: forget the network's answers for each of inst's VIFs (a
 * later start waits for new ones). Errors: InvalidInstance.
 */
int drv_unplug_vifs(drv *d, const drv_instance *inst, drv_error *err);

/*
 * attach_interface: plug vif (the hook; nothing waits for the network's
 * answer, as in the reference), then add its <interface> (the model of
 * inst's image property hw_vif_model, else virtio) to the persistent
 * definition, and to the running guest too when the instance is RUNNING or
 * PAUSED. vif is borrowed; inst is not changed (the caller adds vif to
 * its network_info on success).
 * Errors: InstanceNotFound (no domain: nothing plugged), InvalidInstance
 * and VirtualInterfacePlugException (a bad vif: nothing plugged),
 * InterfaceAttachFailed (the hypervisor refused the device, or its state
 * could not be read: the VIF is unplugged again, err->hv holds why).
 */
int drv_attach_interface(drv *d, const drv_instance *inst,
                         const drv_vif *vif, drv_error *err);
/*
 * detach_interface: unplug vif, then remove its <interface> (matched by
 * MAC address) from the persistent definition, and from the running guest
 * too when the instance is RUNNING or PAUSED (the guest releases a live
 * device in its own time: the call does not wait for DEVICE_REMOVED, as
 * the reference's does not). A failure is forgiven, as in the reference,
 * when the domain vanished meanwhile or when the domain has no interface
 * with vif's MAC address (it is gone already, or was never there): 0.
 * Errors: InstanceNotFound (no domain at the start), InvalidInstance,
 * VirtualInterfacePlugException (a bad vif), InterfaceDetachFailed (the
 * hypervisor refused and the interface is still there; err->hv holds
 * why), HypervisorError (its XML could not be read to find out).
 */
int drv_detach_interface(drv *d, const drv_instance *inst,
                         const drv_vif *vif, drv_error *err);

/*
 * inject_network_info: the libvirt driver sets up the firewall's basic
 * filtering, which the no-op firewall does not have: nothing happens, for
 * any instance, with or without a domain. InvalidInstance without a uuid.
 */
int drv_inject_network_info(drv *d, const drv_instance *inst,
                            drv_error *err);
/*
 * prepare_networks_before_block_device_mapping and
 * clean_networks_preparation: the contract's defaults (the libvirt driver
 * keeps them): nothing to prepare, nothing to clean. InvalidInstance
 * without a uuid.
 */
int drv_prepare_networks_before_block_device_mapping(drv *d,
                                                     const drv_instance *inst,
                                                     drv_error *err);
int drv_clean_networks_preparation(drv *d, const drv_instance *inst,
                                   drv_error *err);
/*
 * network_binding_host_id: the contract's default, the instance's host:
 * for hvd the host this driver serves (the hypervisor's hostname, read by
 * drv_init_host), NULL before drv_init_host. Borrowed, valid until the
 * next drv_init_host or drv_free.
 */
const char *drv_network_binding_host_id(drv *d, const drv_instance *inst);
/* manages_network_binding_host_id: false (the compute manager binds the
 * ports), the contract's default. */
bool drv_manages_network_binding_host_id(drv *d);

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

/* ---- volumes (drv-volume.c) ----
 *
 * Cinder's volumes attached to an instance, as the reference's
 * attach_volume, detach_volume, swap_volume and their helpers do it.
 * What the volume service hands over is its connection info; the
 * reference's volume drivers (os-brick) become one: "local", a path on
 * this host (a file, or a block device under /dev/). hvd connects and
 * disconnects nothing: the path is there.
 */

/*
 * A volume's connection info (the reference's connection_info dict):
 * {"driver_volume_type": "local", "serial": "<volume id>", "data":
 * {"device_path": "/dev/sdb" or "/path/file", "format": "raw",
 * "logical_block_size": "512", "physical_block_size": "4096"}}. Owned
 * strings: drv_connection_info_clear.
 */
typedef struct drv_connection_info {
    char *driver_volume_type; /* required; only "local" is served */
    char *serial;             /* the volume id: the disk's <serial>; NULL */
    char *device_path;        /* data.device_path; NULL */
    char *format;             /* data.format; NULL: "raw" */
    bool has_block_size;      /* data names a logical or physical size */
} drv_connection_info;

void drv_connection_info_clear(drv_connection_info *ci);
/*
 * Load connection info from a JSON object. Unknown keys, wrong types, a
 * device_path that is not absolute fail with
 * DRV_ERR_INVALID_CONNECTION_INFO naming the JSON path and line:column.
 * An unknown driver_volume_type loads (the reference refuses it where it
 * is used: VolumeDriverNotFound). ci is overwritten; all zero on failure.
 */
int drv_connection_info_load_json(const char *json, const char *source,
                                  drv_connection_info *ci, drv_error *err);

/*
 * attach_volume: the volume at mountpoint ("/dev/vdb": the target is what
 * follows the last '/'), on disk_bus (NULL or one the virt type has not:
 * guessed from the target's prefix, vd virtio, sd scsi, hd ide) as
 * device_type ("disk", "cdrom", "floppy", "lun"; NULL or another: disk).
 * Persistent always, live too when the guest runs or is paused (a
 * rescued instance: its rescue domain). Errors: InstanceNotFound,
 * InvalidHypervisorType (a block size outside kvm/qemu),
 * VolumeDriverNotFound, NovaException (no bus for the target's prefix),
 * DeviceIsBusy (OPERATION_FAILED: the target is taken), the hv error.
 */
int drv_attach_volume(drv *d, const drv_instance *inst,
                      const drv_connection_info *ci, const char *mountpoint,
                      const char *disk_bus, const char *device_type,
                      drv_error *err);
/*
 * detach_volume: the disk at mountpoint's target leaves the persistent
 * definition and (guest running or paused) the live domain, with
 * Newton's detach_device_with_retry: after the request, the live domain
 * is read, and while the disk is still there the live detach is asked
 * again and retried after 2, 4, 6, ... 14 s (7 retries, the guest having
 * to release it: DEVICE_REMOVED); then DeviceDetachFailed. An instance
 * that is gone (InstanceNotFound, NO_DOMAIN) is no error. Errors:
 * DiskNotFound (no such disk, or OPERATION_FAILED "not found" on a
 * retry), DeviceDetachFailed, VolumeDriverNotFound, the hv error.
 */
int drv_detach_volume(drv *d, const drv_instance *inst,
                      const drv_connection_info *ci, const char *mountpoint,
                      drv_error *err);
/*
 * swap_volume: the disk at mountpoint's target moves onto new_ci's
 * volume: the persistent definition kept aside (the domain undefined),
 * a block copy onto the new path (REUSE_EXT: it exists), polled every
 * 0.5 s until ready, a pivot, then with resize_to_gb > 0 a wait for the
 * job to be gone and a block resize; whatever happened the definition
 * kept aside is defined again. Errors: InstanceNotFound, DiskNotFound,
 * VolumeDriverNotFound, NotSupported (new_ci has no device_path: the
 * reference's "Swap only supports host devices"), the hv errors. On
 * failure the guest still uses the old volume.
 */
int drv_swap_volume(drv *d, const drv_instance *inst,
                    const drv_connection_info *old_ci,
                    const drv_connection_info *new_ci,
                    const char *mountpoint, uint64_t resize_to_gb,
                    drv_error *err);
/* extend_volume: the contract's default (Newton's libvirt driver has
 * none): NotSupported. */
int drv_extend_volume(drv *d, const drv_instance *inst,
                      const drv_connection_info *ci, uint64_t requested_size,
                      drv_error *err);

/* The reference's volume connector (os-brick's connector properties).
 * Owned strings: drv_volume_connector_clear. */
typedef struct drv_volume_connector {
    char *ip;       /* my_block_storage_ip: hvd's host name (no IP lookup) */
    char *host;     /* CONF.host: the host name */
    bool multipath; /* volume_use_multipath: false */
    char *platform; /* "x86_64" */
    char *os_type;  /* "linux2" */
} drv_volume_connector;
void drv_volume_connector_clear(drv_volume_connector *c);
/* get_volume_connector for inst (unused, as the reference). The hv error
 * of the host name. */
int drv_get_volume_connector(drv *d, const drv_instance *inst,
                             drv_volume_connector *out, drv_error *err);

/*
 * block_stats: the counters of disk_id ("vdb") of inst's domain. 1 with
 * *stats, 0 (the reference's None) when the instance or the disk is not
 * there or the hypervisor refuses (all swallowed as the reference does);
 * -1 only for bad arguments or a lost connection (HypervisorUnavailable).
 */
int drv_block_stats(drv *d, const drv_instance *inst, const char *disk_id,
                    hv_block_stats *stats, drv_error *err);

/* One entry of get_all_volume_usage. Owned strings. */
typedef struct drv_volume_usage {
    char *volume_id;
    char *instance_uuid;
    int64_t rd_req, rd_bytes, wr_req, wr_bytes;
} drv_volume_usage;
void drv_volume_usage_free(drv_volume_usage *u, unsigned int n);
/*
 * get_all_volume_usage: for each instance (its volumes: their volume_id
 * and mount_device), drv_block_stats of each volume's target; those with
 * statistics are listed, in order (*out, *n_out; drv_volume_usage_free).
 * Errors as drv_block_stats.
 */
int drv_get_all_volume_usage(drv *d, const drv_instance *const *insts,
                             unsigned int n_insts, drv_volume_usage **out,
                             unsigned int *n_out, drv_error *err);

/* volume_snapshot_create's create_info and volume_snapshot_delete's
 * delete_info (borrowed strings). */
typedef struct drv_snapshot_create_info {
    const char *snapshot_id; /* NULL: the reference's missing key */
    const char *type;        /* "qcow2" */
    const char *new_file;
} drv_snapshot_create_info;
typedef struct drv_snapshot_delete_info {
    const char *type;              /* "qcow2" */
    const char *file_to_merge;
    const char *merge_target_file; /* NULL: into the active image */
} drv_snapshot_delete_info;
/*
 * volume_snapshot_create / volume_snapshot_delete: the reference's checks
 * (InstanceNotRunning when the instance has no domain; NovaException for
 * a type other than qcow2 or no snapshot_id), then NotSupported: the
 * snapshot itself (a disk-only external domain snapshot, block commit)
 * has no hv operation yet, and hvd has no volume service to tell.
 */
int drv_volume_snapshot_create(drv *d, const drv_instance *inst,
                               const char *volume_id,
                               const drv_snapshot_create_info *info,
                               drv_error *err);
int drv_volume_snapshot_delete(drv *d, const drv_instance *inst,
                               const char *volume_id, const char *snapshot_id,
                               const drv_snapshot_delete_info *info,
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
