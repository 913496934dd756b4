/*
 * scn.h: scenarios — the data model of a scenario file and its parser.
 *
 * A scenario is JSON (docs/scenarios.md has the format with an example per
 * feature): hosts, images, instances with guest behaviours, faults, the
 * network stand-in's timing, driver configuration, and steps. Parsing
 * validates everything before anything runs; an error names
 * file:line:column and the JSON path ("$.steps[3].op").
 *
 * Ownership: scn_load returns a scenario the caller frees with scn_free;
 * every string and array inside belongs to it.
 */
#ifndef HVD_SCN_H
#define HVD_SCN_H

#include <stdbool.h>
#include <stdint.h>

#include "drv.h"

typedef struct scn_host {
    char *name;
    unsigned int vcpus;       /* default 8 */
    uint64_t memory_mb;       /* default 16384 */
    uint64_t disk_gb;         /* default 100 */
    /* identity of a fake host (fake_host_spec); 0 / NULL: the fake's
     * defaults. Versions as major*1e6+minor*1e3+micro. */
    unsigned long libvirt_version, qemu_version;
    char *arch, *cpu_model, *cpu_vendor;
    char **cpu_features; /* NULL-terminated; NULL: the default set */
} scn_host;

/* A base image, created as a volume of the host's pool before the steps. */
typedef struct scn_image {
    char *name;   /* volume name, e.g. "cirros.qcow2" */
    char *host;   /* host name; NULL = every host */
    uint64_t size_mb;  /* default 64 */
    char *format; /* "qcow2" (default) or "raw" */
} scn_image;

/* What a guest's crash leaves (the guest key "crash_state"). */
typedef enum {
    SCN_CRASH_SHUTOFF, /* QEMU dies: SHUTOFF/CRASHED, STOPPED/FAILED */
    SCN_CRASH_CRASHED, /* the guest panics, on_crash preserve: CRASHED */
    SCN_CRASH_RESTART, /* on_crash restart: stopped, started again */
} scn_crash_state;

/* How an instance's guest behaves (the fake's fake_guest, in seconds). */
typedef struct scn_guest {
    double boot_s;         /* default 3.4 */
    bool acpi;             /* honours ACPI; default true */
    double acpi_delay_s;   /* default 2.1 */
    double crash_after_s;  /* 0 = never */
    uint64_t dirty_rate_mib; /* default 0 */
    scn_crash_state crash_state; /* default SCN_CRASH_SHUTOFF */
    bool restarts_on_shutdown;   /* default false */
    double pm_suspend_after_s;   /* after each start; 0 = never */
    /* volumes: how long the guest takes to release a device a live
     * detach asks for; -1 not given: the fake's 0.2 (fake only) */
    double detach_delay_s;
    bool agent;                  /* a QEMU guest agent runs; default false */
} scn_guest;

typedef struct scn_instance {
    char *name;      /* the scenario's handle for it (also instance name) */
    char *host;      /* where it is spawned */
    drv_instance inst;
    scn_guest guest;
} scn_instance;

typedef enum {
    SCN_FAULT_HV_CALL,          /* an hv call fails (code/errno) or stalls */
    SCN_FAULT_GUEST_IGNORES_ACPI,
    SCN_FAULT_GUEST_CRASH,      /* at at_s, the guest's QEMU dies */
    SCN_FAULT_VIF_NEVER_PLUGGED,/* the network never confirms a VIF */
    SCN_FAULT_SLOW_BOOT,        /* boot takes boot_s */
    SCN_FAULT_DISK_FULL,        /* from at_s, the host's pool is full */
    SCN_FAULT_CONNECTION_LOST,  /* from at_s for for_s, the daemon is down */
    SCN_FAULT_HOST_CRASH,       /* at at_s, the host crashes and reboots */
    SCN_FAULT_GUEST_RESTARTS_ON_SHUTDOWN, /* powered off by ACPI, the guest
                                 * is started again at once, new ID */
    SCN_FAULT_VIF_PLUG_FAILED,  /* the network reports a VIF's plug failed */
    SCN_FAULT_MIGRATION_FAILS,  /* the instance's migration fails once
                                 * percent of its data is sent */
    SCN_FAULT_MIGRATION_CONNECTION_LOST, /* at at_s, the link between the
                                 * migration's hosts breaks */
    /* volumes: the guest never releases a device a live detach asks
     * for (fake only) */
    SCN_FAULT_GUEST_HOLDS_DEVICE,
    SCN__FAULT_COUNT
} scn_fault_kind;

typedef struct scn_fault {
    scn_fault_kind kind;
    char *host;      /* host faults, and hv_call (NULL = every host) */
    char *instance;  /* guest faults */
    char *vif;       /* vif_never_plugged: the VIF id; NULL = all VIFs */
    /* hv_call */
    int op;          /* hv_op */
    char *target;    /* only calls on this target (domain name...); NULL any */
    int code;        /* hv_error_code */
    int sys_errno;
    unsigned int nth, count;
    double probability;
    double stall_s;
    /* timed faults */
    double at_s, for_s, boot_s;
    unsigned int percent; /* migration_fails */
} scn_fault;

typedef enum {
    SCN_STEP_OP,    /* a driver operation */
    SCN_STEP_WAIT,  /* let virtual (or real) time pass */
    SCN_STEP_CHECK, /* an expectation */
    SCN_STEP_JOIN,  /* wait for a background operation, check its outcome */
} scn_step_kind;

/* Driver operations a step can call (what each accepts and does:
 * ops.h's table). */
typedef enum {
    SCN_OP_SPAWN,
    SCN_OP_DESTROY,
    SCN_OP_REBOOT,          /* arg: type soft|hard */
    SCN_OP_POWER_OFF,       /* args: timeout, retry_interval */
    SCN_OP_POWER_ON,
    SCN_OP_PAUSE,
    SCN_OP_UNPAUSE,
    SCN_OP_SUSPEND,
    SCN_OP_RESUME,
    SCN_OP_RESCUE,
    SCN_OP_UNRESCUE,
    SCN_OP_REBUILD,
    SCN_OP_TRIGGER_CRASH_DUMP,
    SCN_OP_RESUME_STATE_ON_HOST_BOOT,
    SCN_OP_SOFT_DELETE,
    SCN_OP_RESTORE,
    SCN_OP_GET_INFO,
    SCN_OP_GET_RESOURCES,
    SCN_OP_INIT_HOST,       /* on a host */
    /* queries and the rest of drv.h: their answer is checkable
     * ("result"), ops.h's .query */
    SCN_OP_LIST_INSTANCES,
    SCN_OP_LIST_INSTANCE_UUIDS,
    SCN_OP_GET_NUM_INSTANCES,
    SCN_OP_INSTANCE_EXISTS,
    SCN_OP_GET_HOST_UPTIME,
    SCN_OP_GET_HOST_CPU_STATS,
    SCN_OP_GET_AVAILABLE_NODES,
    SCN_OP_NODE_IS_AVAILABLE,   /* arg: nodename */
    SCN_OP_GET_TRAITS,
    SCN_OP_GET_DIAGNOSTICS,
    SCN_OP_GET_INVENTORY,
    SCN_OP_POLL_REBOOTING_INSTANCES, /* arg: timeout */
    SCN_OP_EXTERNAL_EVENT,      /* args: name, tag */
    SCN_OP_CLEANUP_HOST,
    SCN_OP_GET_INSTANCE_DIAGNOSTICS,
    SCN_OP_GET_CONSOLE_OUTPUT,
    SCN_OP_INSTANCE_ON_DISK,
    SCN_OP_DELETE_INSTANCE_FILES,
    SCN_OP_GET_VNC_CONSOLE,
    SCN_OP_GET_SPICE_CONSOLE,
    SCN_OP_GET_SERIAL_CONSOLE,
    SCN_OP_GET_SERVICE,         /* the host's service record */
    SCN_OP_SET_SERVICE_DISABLED, /* args: disabled, reason */
    /* migration: the compute manager's flows over two hosts' drivers
     * (ops-migrate.c) */
    SCN_OP_LIVE_MIGRATE,        /* args: dest, block_migration */
    SCN_OP_LIVE_MIGRATION_FORCE_COMPLETE,
    SCN_OP_LIVE_MIGRATION_ABORT,
    SCN_OP_MIGRATE,             /* cold migration / resize: dest, flavor */
    SCN_OP_CONFIRM_RESIZE,
    SCN_OP_REVERT_RESIZE,
    SCN_OP_EVACUATE,            /* dest */
    SCN_OP_CLEANUP_EVACUATED,   /* on the host it was evacuated from */
    /* volumes: the scenario's images attached as "local" volumes
     * (ops-volume.c) */
    SCN_OP_ATTACH_VOLUME,       /* volume, mountpoint, disk_bus, device_type */
    SCN_OP_DETACH_VOLUME,       /* volume, mountpoint */
    SCN_OP_SWAP_VOLUME,         /* volume, new_volume, mountpoint, resize_to */
    SCN_OP_EXTEND_VOLUME,       /* volume, size */
    SCN_OP_BLOCK_STATS,         /* disk; result: found, rd_req, ... */
    SCN_OP_GET_VOLUME_CONNECTOR, /* result: host, ip, multipath, ... */
    /* the host family (harness/ops-host.c): the contract's host calls */
    SCN_OP_GET_HOST_IP_ADDR,
    SCN_OP_SET_HOST_ENABLED,    /* arg: enabled */
    SCN_OP_HOST_POWER_ACTION,   /* arg: action */
    SCN_OP_HOST_MAINTENANCE_MODE, /* arg: mode */
    SCN_OP_CAPABILITIES_AS_TRAITS,
    SCN_OP_UPDATE_PROVIDER_TREE, /* args: provider_tree, nodename */
    SCN_OP_GET_NODENAMES_BY_UUID, /* arg: refresh */
    /* device names and the image cache (ops-names.c) */
    SCN_OP_DEFAULT_DEVICE_NAMES,
    SCN_OP_GET_DEVICE_NAME_FOR_INSTANCE,
    SCN_OP_MANAGE_IMAGE_CACHE,  /* given the instances believed there */
    SCN_OP_CACHE_IMAGE,         /* arg: name (the image id) */
    /* interfaces (ops-iface.c): the compute manager's calls, which add
     * the VIF to (or drop it from) the instance's network_info */
    SCN_OP_ATTACH_INTERFACE,    /* arg: vif (an object) */
    SCN_OP_DETACH_INTERFACE,    /* arg: vif (an object, or an id) */
    SCN_OP_PLUG_VIFS,
    SCN_OP_UNPLUG_VIFS,
    /* snapshots and the guest agent (ops-snapshot.c) */
    SCN_OP_SNAPSHOT,            /* image; answers image, task_states */
    SCN_OP_QUIESCE,
    SCN_OP_UNQUIESCE,
    SCN_OP_SET_ADMIN_PASSWORD,  /* password */
    SCN__OP_COUNT
} scn_op;

typedef enum {
    SCN_CHECK_STATE,       /* instance power state */
    SCN_CHECK_ID_CHANGED,  /* domain ID changed (or not) since the last
                              state/id check of that instance */
    SCN_CHECK_EVENTS,      /* lifecycle events of an instance since its last
                              events check, in order */
    SCN_CHECK_RESOURCES,   /* a host's reported resources */
    SCN_CHECK_CALLS,       /* how many times an hv op was called so far */
    SCN_CHECK_HOST_ENABLED,/* the driver reports the host enabled or not */
    SCN_CHECK_EXISTS,      /* the instance exists on its host or not */
    SCN_CHECK_TIME,        /* the virtual (or wall) time now */
    SCN_CHECK_XML,         /* XPath expressions over the domain XML */
    SCN_CHECK_LISTING,     /* named things on a host exist / are absent
                              (volumes...: ops.h's listing table) */
} scn_check_kind;

/* A time the runner compares with: at_s within tolerance_s, or within
 * the default (exact on the fake, 2 s + 50% of at_s on libvirt). All
 * zero: nothing to check. */
typedef struct scn_when {
    bool given;         /* at_s was given */
    double at_s;
    bool has_tolerance; /* tolerance_s was given */
    double tolerance_s;
} scn_when;

/* One XPath expectation of an xml check: the expression, and the value
 * its result must have (compared as the JSON type says). */
typedef struct scn_xpath {
    char *expr;
    struct json_t *want; /* a string, a number or a boolean; owned */
} scn_xpath;

typedef struct scn_step {
    scn_step_kind kind;
    int line;        /* where the step is, for reports */
    char *label;     /* "description" of the step, optional */
    char *mark;      /* "label": a name later "since" keys refer to */
    /* op */
    scn_op op;
    char *instance;  /* op and instance checks */
    char *host;      /* init_host, get_resources, resources/host checks */
    bool power_on;   /* spawn; default true */
    bool destroy_disks; /* destroy; default true */
    drv_reboot_type reboot_type; /* default soft */
    int timeout, retry_interval; /* power_off; default 0, 0 */
    /* expected outcome of an op: DRV_OK or an error kind */
    drv_error_kind expect;
    /* wait */
    double seconds;
    /* check */
    scn_check_kind check;
    int state;        /* drv_power_state */
    bool changed;     /* id_changed */
    bool enabled;     /* host_enabled */
    bool exists;      /* exists */
    char **events;    /* NULL-terminated "STARTED", "STOPPED"... */
    int call_op;      /* calls: hv_op */
    int call_min, call_max; /* calls: count within [min, max] */
    /* resources: -1 = do not check */
    int64_t vcpus_used, memory_mb_used, local_gb_used, vcpus, memory_mb;
    /* op: the expected answer (a JSON object, a subset of what the
     * operation's .query renders), or NULL; owned */
    struct json_t *result;
    /* op: when it must return ("returns_at_s"); time check: "at_s" */
    scn_when when;
    /* node_is_available: the node (NULL: the driver's first node) */
    char *nodename;
    /* set_service_disabled: disable (or enable) with reason (may be NULL) */
    bool disabled;
    char *reason;
    /* rescue: the scenario image to boot ("rescue_image"), its format;
     * NULL: the configuration's or the instance's */
    char *rescue_image, *rescue_format;
    /* external_event: the event name and tag (VIF id) */
    char *event_name, *event_tag;
    /* calls: count since the step labelled this began; NULL: the start */
    char *since;
    /* events: when each arrived, parallel to events (at_s < 0: any) */
    scn_when *event_when;
    /* xml: the expectations; inactive: the persistent definition */
    scn_xpath *xpaths;
    unsigned int n_xpaths;
    bool inactive;
    /* listing: which listing (ops_listing_get), names that must be there
     * and names that must not ({uuid:NAME} already replaced) */
    int listing;
    char **exist, **absent;
    /* op: run it as a background task of this name (NULL: in line); its
     * outcome is checked by the join step naming it */
    char *background;
    /* join: the background task's name, and the index of its step */
    char *join;
    unsigned int join_of;
    /* migration ops: the destination host; block_migration -1 unset
     * (the checks decide), else 0/1; migrate: the new flavor if given */
    char *dest;
    /* live_migrate: the name the driver is given for dest (default: the
     * host's name), to try hostnames no scenario host may have */
    char *dest_hostname;
    int block_migration;
    bool has_flavor;
    drv_flavor flavor;
    /* volumes: "volume" and "new_volume" (swap) name scenario images on
     * the instance's host, handed over as connection info of type
     * volume_type ("local" by default; serial: the name); "mountpoint",
     * "disk_bus", "device_type" as the driver takes them; "resize_to"
     * (GiB, swap), "size" (bytes, extend); "disk" (block_stats) */
    char *volume, *new_volume, *volume_type;
    char *mountpoint, *disk_bus, *device_type, *disk;
    uint64_t resize_to, size;
    /* the storage pool the images are in (the configuration's) */
    char *pool;
    /* the host family (ops-host.c): refresh (get_available_nodes,
     * node_is_available, get_nodenames_by_uuid; default false),
     * set_host_enabled's "enabled", host_power_action's "action",
     * host_maintenance_mode's "mode", update_provider_tree's
     * "provider_tree" (the tree as placement knows it, validated; owned;
     * NULL: none yet) */
    bool refresh;
    bool set_enabled;
    char *power_action;
    bool maintenance_mode;
    struct json_t *provider_tree;
    /* attach_interface, detach_interface: the VIF (a network_info entry;
     * for detach given by id, the instance's or an earlier attach's);
     * has_vif when given; owned */
    bool has_vif;
    drv_vif vif;
    /* snapshot: the new image's name; set_admin_password: the password */
    char *image;
    char *password;
} scn_step;

typedef struct scn {
    char *path;           /* file it came from */
    char *name;
    char *description;
    char **backends;      /* "fake", "libvirt"; NULL-terminated */
    uint64_t seed;
    drv_config config;
    double vif_plug_delay_s; /* network stand-in: plug confirmed after; 1.0 */
    scn_host *hosts;
    unsigned int n_hosts;
    scn_image *images;
    unsigned int n_images;
    scn_instance *instances;
    unsigned int n_instances;
    scn_fault *faults;
    unsigned int n_faults;
    scn_step *steps;
    unsigned int n_steps;
} scn;

/* Exit code of the hvd command for bad input. */
#define SCN_EXIT_BAD_INPUT 2

/*
 * Load and validate a scenario file. NULL on failure with 'error' (g_free)
 * set to "FILE:LINE:COLUMN: $.json.path: what is wrong", or to why the
 * file could not be read: "FILE: no such file", "FILE: not a regular file
 * (a FIFO)", "FILE: N bytes is over the limit of M" (JV_FILE_MAX_BYTES,
 * 256 MiB), "FILE:LINE:COLUMN: a NUL byte" (see jv_read_file).
 */
scn *scn_load(const char *path, char **error);
/* Same from text; 'source' names it in errors. */
scn *scn_parse(const char *text, const char *source, char **error);
void scn_free(scn *s);

/* Does the scenario list this backend ("fake", "libvirt")? */
bool scn_runs_on(const scn *s, const char *backend);

/* A scenario's seconds (boot_s, at_s, stall_s...) as nanoseconds of hv
 * time, rounded to the nearest: the one conversion the runner and the
 * fault kinds share, so that one value is one instant wherever used. */
int64_t scn_ns(double seconds);

const char *scn_op_name(int op);
int scn_op_from_name(const char *name);
const char *scn_check_name(int check);

/* The instance / host called 'name', or NULL. */
scn_instance *scn_find_instance(const scn *s, const char *name);
scn_host *scn_find_host(const scn *s, const char *name);

#endif /* HVD_SCN_H */
