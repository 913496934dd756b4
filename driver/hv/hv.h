/*
 * hv.h: the hypervisor abstraction every part of hvd talks through.
 *
 * One connection type (hv_conn) with two implementations behind it: the
 * real libvirt backend (hv-libvirt.h) and the fake hypervisor (fakes/).
 * Callers only ever use the hv_* wrappers declared here; the wrappers are
 * the single place where tracing and fault injection attach (hv_hooks).
 *
 * Conventions (see ../shared/STYLE.md):
 *  - int functions return 0 on success and -1 on failure; pointer functions
 *    return NULL on failure. Predicates return 1/0, or -1 on failure.
 *  - Every call takes an hv_error as its last argument. The wrapper resets
 *    it on entry; on failure it holds a code mirroring libvirt's
 *    virErrorNumber (plus errno for HV_ERR_SYSTEM_ERROR) and a message.
 *  - States, reasons, event types and details use libvirt's numbering so
 *    that traces and the conformance suite read the same on every backend.
 *  - Time comes from the connection's clock (hv_now/hv_sleep); events are
 *    delivered to the registered callback only from inside hv_sleep() (or
 *    hv_dispatch_events()), on the caller's thread, in arrival order. The
 *    driver therefore never sees a callback from another thread. The queue
 *    belongs to the connection (hv-events.c): backends only push into it, from
 *    whatever thread they learn of an event (hv-backend.h).
 */
#ifndef HVD_HV_H
#define HVD_HV_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HV_UUID_STRLEN 37 /* 36 characters and the NUL */
#define HV_NS_PER_SEC INT64_C(1000000000)
#define HV_NS_PER_MS INT64_C(1000000)

typedef struct hv_conn hv_conn;
typedef struct hv_domain hv_domain;
typedef struct hv_migration hv_migration;
typedef struct hv_tasks hv_tasks;
typedef struct hv_task hv_task;

/* Error codes: the values of libvirt's virErrorNumber. */
typedef enum {
    HV_ERR_OK = 0,
    HV_ERR_INTERNAL_ERROR = 1,
    HV_ERR_NO_MEMORY = 2,
    HV_ERR_NO_SUPPORT = 3,
    HV_ERR_NO_CONNECT = 5,
    HV_ERR_INVALID_CONN = 6,
    HV_ERR_INVALID_DOMAIN = 7,
    HV_ERR_INVALID_ARG = 8,
    HV_ERR_OPERATION_FAILED = 9,
    HV_ERR_NO_NAME = 21,
    HV_ERR_XML_ERROR = 27,
    HV_ERR_OPERATION_DENIED = 29,
    HV_ERR_SYSTEM_ERROR = 38,
    HV_ERR_XML_DETAIL = 35,
    HV_ERR_RPC = 39,
    HV_ERR_NO_DOMAIN = 42,
    HV_ERR_NO_STORAGE_POOL = 49,
    HV_ERR_NO_STORAGE_VOL = 50,
    HV_ERR_OPERATION_INVALID = 55,
    HV_ERR_CONFIG_UNSUPPORTED = 67,
    HV_ERR_OPERATION_TIMEOUT = 68,
    HV_ERR_ARGUMENT_UNSUPPORTED = 74,
    HV_ERR_OPERATION_ABORTED = 78,
    HV_ERR_OPERATION_UNSUPPORTED = 84,
    HV_ERR_AGENT_UNRESPONSIVE = 86,
    HV_ERR_RESOURCE_BUSY = 87,
    HV_ERR_STORAGE_VOL_EXIST = 90,
    HV_ERR_DEVICE_MISSING = 99,
} hv_error_code;

/*
 * The error record. The first error set wins: setting an error on a record
 * that already holds one does nothing, so the root cause survives cleanup
 * paths. sys_errno is meaningful for HV_ERR_SYSTEM_ERROR only.
 */
typedef struct hv_error {
    int code;
    int sys_errno;
    char message[512];
    const char *func; /* where it was raised (static string) */
    int line;
    /*
     * 1 when the call failed because the connection to the hypervisor is
     * gone (libvirt: a SYSTEM_ERROR or INTERNAL_ERROR from its remote or
     * RPC layer, what the reference's connection test looks for; the fake:
     * its daemon stopped or restarted). The caller may reconnect.
     */
    int conn_lost;
} hv_error;

void hv_error_reset(hv_error *err);
void hv_error_setf(hv_error *err, int code, int sys_errno, const char *func,
                   int line, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
#define hv_error_set(err, code, ...)                                          \
    hv_error_setf((err), (code), 0, __func__, __LINE__, __VA_ARGS__)
#define hv_error_set_errno(err, errnum, ...)                                  \
    hv_error_setf((err), HV_ERR_SYSTEM_ERROR, (errnum), __func__, __LINE__,   \
                  __VA_ARGS__)
/* Copy src into dst (respecting first-error-wins). */
void hv_error_copy(hv_error *dst, const hv_error *src);
/* Symbolic name of a code ("NO_DOMAIN"), or "UNKNOWN". */
const char *hv_error_code_name(int code);
/* Code from a symbolic name (with or without "VIR_ERR_"), -1 if unknown. */
int hv_error_code_from_name(const char *name);
/*
 * The codes hv knows (every hv_error_code but HV_ERR_OK), to enumerate
 * without probing: hv_error_code_at(i) for 0 <= i < hv_error_code_count(),
 * in ascending order of code; -1 for an i out of range.
 */
int hv_error_code_count(void);
int hv_error_code_at(int i);

/* ---- small helpers shared by the layers above ---- */

/*
 * splitmix64: the next 64 bits of the sequence whose state is *state (the
 * state advances). Used to expand a seed into generator state and to
 * derive stable values from a seed; not a stream for simulation.
 */
uint64_t hv_splitmix64(uint64_t *state);
/*
 * Print two 64-bit words as a uuid: hi gives the first 16 hex digits
 * (8-4-4), lo the last 16 (4-12). hv_uuid_format_v4 first sets the
 * version (4) and variant (10) bits of a random RFC 4122 uuid.
 */
void hv_uuid_format(uint64_t hi, uint64_t lo, char out[HV_UUID_STRLEN]);
void hv_uuid_format_v4(uint64_t hi, uint64_t lo, char out[HV_UUID_STRLEN]);

/* Domain states: virDomainState. */
typedef enum {
    HV_STATE_NOSTATE = 0,
    HV_STATE_RUNNING = 1,
    HV_STATE_BLOCKED = 2,
    HV_STATE_PAUSED = 3,
    HV_STATE_SHUTDOWN = 4,
    HV_STATE_SHUTOFF = 5,
    HV_STATE_CRASHED = 6,
    HV_STATE_PMSUSPENDED = 7,
} hv_domain_state;

/* Reasons, per state: libvirt's virDomain<State>Reason values. */
enum {
    HV_RUNNING_UNKNOWN = 0,
    HV_RUNNING_BOOTED = 1,
    HV_RUNNING_MIGRATED = 2,
    HV_RUNNING_RESTORED = 3,
    HV_RUNNING_UNPAUSED = 5,
    HV_RUNNING_MIGRATION_CANCELED = 6,
    HV_RUNNING_CRASHED = 9,
    HV_RUNNING_POSTCOPY = 10,
};
enum {
    HV_PAUSED_UNKNOWN = 0,
    HV_PAUSED_USER = 1,
    HV_PAUSED_MIGRATION = 2,
    HV_PAUSED_SAVE = 3,
    HV_PAUSED_IOERROR = 5,
    HV_PAUSED_SHUTTING_DOWN = 8,
    HV_PAUSED_CRASHED = 10,
    HV_PAUSED_STARTING_UP = 11,
    HV_PAUSED_POSTCOPY = 12,
    HV_PAUSED_POSTCOPY_FAILED = 13,
};
enum { HV_SHUTDOWN_UNKNOWN = 0, HV_SHUTDOWN_USER = 1 };
enum {
    HV_SHUTOFF_UNKNOWN = 0,
    HV_SHUTOFF_SHUTDOWN = 1,
    HV_SHUTOFF_DESTROYED = 2,
    HV_SHUTOFF_CRASHED = 3,
    HV_SHUTOFF_MIGRATED = 4,
    HV_SHUTOFF_SAVED = 5,
    HV_SHUTOFF_FAILED = 6,
    HV_SHUTOFF_DAEMON = 8,
};
enum { HV_CRASHED_UNKNOWN = 0, HV_CRASHED_PANICKED = 1 };

const char *hv_state_name(int state);
/* Name of a reason within its state ("BOOTED", "DESTROYED"...). */
const char *hv_state_reason_name(int state, int reason);

/* Lifecycle event types: virDomainEventType, plus the reboot event. */
typedef enum {
    HV_EVENT_DEFINED = 0,
    HV_EVENT_UNDEFINED = 1,
    HV_EVENT_STARTED = 2,
    HV_EVENT_SUSPENDED = 3,
    HV_EVENT_RESUMED = 4,
    HV_EVENT_STOPPED = 5,
    HV_EVENT_SHUTDOWN = 6,
    HV_EVENT_PMSUSPENDED = 7,
    HV_EVENT_CRASHED = 8,
    /* libvirt's VIR_DOMAIN_EVENT_ID_REBOOT, folded into the one callback */
    HV_EVENT_REBOOT = 100,
    /* VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED; the device alias is in 'device' */
    HV_EVENT_DEVICE_REMOVED = 101,
} hv_event_type;

/* Event details: virDomainEvent<Type>DetailType values. */
enum { HV_EV_DEFINED_ADDED = 0, HV_EV_DEFINED_UPDATED = 1 };
enum { HV_EV_UNDEFINED_REMOVED = 0 };
enum {
    HV_EV_STARTED_BOOTED = 0,
    HV_EV_STARTED_MIGRATED = 1,
    HV_EV_STARTED_RESTORED = 2,
};
enum {
    HV_EV_SUSPENDED_PAUSED = 0,
    HV_EV_SUSPENDED_MIGRATED = 1,
    HV_EV_SUSPENDED_IOERROR = 2,
    HV_EV_SUSPENDED_API_ERROR = 6,
    HV_EV_SUSPENDED_POSTCOPY = 7,
    HV_EV_SUSPENDED_POSTCOPY_FAILED = 8,
};
enum {
    HV_EV_RESUMED_UNPAUSED = 0,
    HV_EV_RESUMED_MIGRATED = 1,
    HV_EV_RESUMED_FROM_SNAPSHOT = 2,
    HV_EV_RESUMED_POSTCOPY = 3,
};
enum {
    HV_EV_STOPPED_SHUTDOWN = 0,
    HV_EV_STOPPED_DESTROYED = 1,
    HV_EV_STOPPED_CRASHED = 2,
    HV_EV_STOPPED_MIGRATED = 3,
    HV_EV_STOPPED_SAVED = 4,
    HV_EV_STOPPED_FAILED = 5,
};
enum {
    HV_EV_SHUTDOWN_FINISHED = 0,
    HV_EV_SHUTDOWN_GUEST = 1,
    HV_EV_SHUTDOWN_HOST = 2,
};
enum { HV_EV_CRASHED_PANICKED = 0 };

const char *hv_event_type_name(int type);
const char *hv_event_detail_name(int type, int detail);

/* One event. Strings are borrowed for the duration of the callback. */
typedef struct hv_event {
    int type;   /* hv_event_type */
    int detail; /* per-type detail, 0 where there is none */
    const char *name;
    const char *uuid;
    int id;          /* domain ID when the event was raised, -1 if none */
    const char *device; /* HV_EVENT_DEVICE_REMOVED only, else NULL */
    int64_t time_ns; /* connection clock when it was received */
} hv_event;

typedef void (*hv_event_cb)(hv_conn *conn, const hv_event *ev, void *opaque);

/*
 * Every operation of the layer, for hooks, traces and fault injection: the
 * one list from which the hv_op enum, the names (hv_op_name) and the table
 * of backend slots (hv-names.c, hv.c) are made. X(name, NAME, slot, mandatory):
 *   name       what traces and scenarios call it (never rename one)
 *   NAME       the enum value is HV_OP_<NAME>
 *   slot       its member of struct hv_backend (hv-backend.h); a wrong name
 *              does not compile
 *   mandatory  1: hv_conn_new refuses a backend that leaves it empty
 *
 * Mandatory are what every caller of a connection relies on: closing it,
 * its versions, hostname, liveness and events, the node's size, and the
 * domain basics (list, define, undefine, start, look up by name and uuid,
 * info, XML, destroy), plus the clock (sleep here; clock_now and
 * clock_random, which are not operations, are checked too). Everything
 * else may be left empty: the call then fails with HV_ERR_NO_SUPPORT, and
 * tests/test-hv-ops.c lists which operations each backend leaves so.
 * Add an operation at the end of its group; the order is the enum's.
 */
#define HV_OPS(X) \
    X(connect_close, CONNECT_CLOSE, close, 1) \
    X(connect_get_version, CONNECT_GET_VERSION, get_version, 1) \
    X(connect_get_hostname, CONNECT_GET_HOSTNAME, get_hostname, 1) \
    X(connect_get_capabilities, CONNECT_GET_CAPABILITIES, get_capabilities, 0) \
    X(connect_is_alive, CONNECT_IS_ALIVE, is_alive, 1) \
    X(connect_reconnect, CONNECT_RECONNECT, reconnect, 0) \
    X(connect_events_register, CONNECT_EVENTS_REGISTER, events_register, 1) \
    X(node_get_info, NODE_GET_INFO, node_get_info, 1) \
    X(node_get_free_memory, NODE_GET_FREE_MEMORY, node_get_free_memory, 0) \
    X(node_get_cpu_stats, NODE_GET_CPU_STATS, node_get_cpu_stats, 0) \
    X(node_get_uptime, NODE_GET_UPTIME, node_get_uptime, 0) \
    X(node_get_memory_stats, NODE_GET_MEMORY_STATS, node_get_memory_stats, 0) \
    X(domain_list, DOMAIN_LIST, domain_list, 1) \
    X(domain_define, DOMAIN_DEFINE, domain_define, 1) \
    X(domain_undefine, DOMAIN_UNDEFINE, domain_undefine, 1) \
    X(domain_create, DOMAIN_CREATE, domain_create, 1) \
    X(domain_create_xml, DOMAIN_CREATE_XML, domain_create_xml, 0) \
    X(domain_lookup_by_name, DOMAIN_LOOKUP_BY_NAME, domain_lookup_by_name, 1) \
    X(domain_lookup_by_uuid, DOMAIN_LOOKUP_BY_UUID, domain_lookup_by_uuid, 1) \
    X(domain_get_info, DOMAIN_GET_INFO, domain_get_info, 1) \
    X(domain_get_xml, DOMAIN_GET_XML, domain_get_xml, 1) \
    X(domain_is_persistent, DOMAIN_IS_PERSISTENT, domain_is_persistent, 0) \
    X(domain_has_managed_save, DOMAIN_HAS_MANAGED_SAVE, domain_has_managed_save, 0) \
    X(domain_shutdown, DOMAIN_SHUTDOWN, domain_shutdown, 0) \
    X(domain_reboot, DOMAIN_REBOOT, domain_reboot, 0) \
    X(domain_reset, DOMAIN_RESET, domain_reset, 0) \
    X(domain_destroy, DOMAIN_DESTROY, domain_destroy, 1) \
    X(domain_suspend, DOMAIN_SUSPEND, domain_suspend, 0) \
    X(domain_resume, DOMAIN_RESUME, domain_resume, 0) \
    X(domain_managed_save, DOMAIN_MANAGED_SAVE, domain_managed_save, 0) \
    X(domain_managed_save_remove, DOMAIN_MANAGED_SAVE_REMOVE, domain_managed_save_remove, 0) \
    X(domain_inject_nmi, DOMAIN_INJECT_NMI, domain_inject_nmi, 0) \
    X(domain_attach_device, DOMAIN_ATTACH_DEVICE, domain_attach_device, 0) \
    X(domain_detach_device, DOMAIN_DETACH_DEVICE, domain_detach_device, 0) \
    X(domain_update_device, DOMAIN_UPDATE_DEVICE, domain_update_device, 0) \
    X(domain_get_job_info, DOMAIN_GET_JOB_INFO, domain_get_job_info, 0) \
    X(domain_abort_job, DOMAIN_ABORT_JOB, domain_abort_job, 0) \
    X(domain_get_vcpus, DOMAIN_GET_VCPUS, domain_get_vcpus, 0) \
    X(domain_block_stats, DOMAIN_BLOCK_STATS, domain_block_stats, 0) \
    X(domain_interface_stats, DOMAIN_INTERFACE_STATS, domain_interface_stats, 0) \
    X(domain_memory_stats, DOMAIN_MEMORY_STATS, domain_memory_stats, 0) \
    X(domain_migrate_start, DOMAIN_MIGRATE_START, domain_migrate_start, 0) \
    X(migration_poll, MIGRATION_POLL, migration_poll, 0) \
    X(domain_migrate_set_max_downtime, DOMAIN_MIGRATE_SET_MAX_DOWNTIME, domain_migrate_set_max_downtime, 0) \
    X(domain_migrate_set_max_speed, DOMAIN_MIGRATE_SET_MAX_SPEED, domain_migrate_set_max_speed, 0) \
    X(domain_migrate_start_post_copy, DOMAIN_MIGRATE_START_POST_COPY, domain_migrate_start_post_copy, 0) \
    X(domain_block_rebase, DOMAIN_BLOCK_REBASE, domain_block_rebase, 0) /* volumes */ \
    X(domain_block_job_info, DOMAIN_BLOCK_JOB_INFO, domain_block_job_info, 0) \
    X(domain_block_job_abort, DOMAIN_BLOCK_JOB_ABORT, domain_block_job_abort, 0) \
    X(domain_block_resize, DOMAIN_BLOCK_RESIZE, domain_block_resize, 0) \
    X(pool_get_info, POOL_GET_INFO, pool_get_info, 0) \
    X(vol_create, VOL_CREATE, vol_create, 0) \
    X(vol_delete, VOL_DELETE, vol_delete, 0) \
    X(vol_get_info, VOL_GET_INFO, vol_get_info, 0) \
    X(vol_resize, VOL_RESIZE, vol_resize, 0) \
    X(vol_get_path, VOL_GET_PATH, vol_get_path, 0) \
    X(vol_list, VOL_LIST, vol_list, 0) \
    X(vol_copy_to, VOL_COPY_TO, vol_copy_to, 0) \
    /* the image cache (names): a volume's age */ \
    X(vol_get_mtime, VOL_GET_MTIME, vol_get_mtime, 0) \
    X(vol_touch, VOL_TOUCH, vol_touch, 0) \
    X(instance_dir_create, INSTANCE_DIR_CREATE, instance_dir_create, 0) \
    X(instance_dir_exists, INSTANCE_DIR_EXISTS, instance_dir_exists, 0) \
    X(instance_dir_rename, INSTANCE_DIR_RENAME, instance_dir_rename, 0) \
    X(instance_dir_delete, INSTANCE_DIR_DELETE, instance_dir_delete, 0) \
    X(instance_file_write, INSTANCE_FILE_WRITE, instance_file_write, 0) \
    X(instance_file_read, INSTANCE_FILE_READ, instance_file_read, 0) \
    X(instance_file_delete, INSTANCE_FILE_DELETE, instance_file_delete, 0) \
    X(instance_iso_build, INSTANCE_ISO_BUILD, instance_iso_build, 0) \
    /* snapshots and the guest agent (drv-snapshot.c, drv-agent.c) */ \
    X(vol_create_from, VOL_CREATE_FROM, vol_create_from, 0) \
    X(domain_fs_freeze, DOMAIN_FS_FREEZE, domain_fs_freeze, 0) \
    X(domain_fs_thaw, DOMAIN_FS_THAW, domain_fs_thaw, 0) \
    X(domain_set_user_password, DOMAIN_SET_USER_PASSWORD, domain_set_user_password, 0) \
    X(sleep, SLEEP, clock_wait, 1)

typedef enum {
#define HV_OP_ENUM_(name, NAME, slot, mandatory) HV_OP_##NAME,
    HV_OPS(HV_OP_ENUM_)
#undef HV_OP_ENUM_
    HV_OP__COUNT
} hv_op;

/* "domain_destroy" etc.; NULL for an out-of-range value. */
const char *hv_op_name(hv_op op);
/* Inverse of hv_op_name; -1 if unknown. */
int hv_op_from_name(const char *name);
/*
 * 1 if conn's backend implements op, 0 if calls of op fail with
 * HV_ERR_NO_SUPPORT (or op is out of range).
 */
int hv_conn_supports(const hv_conn *conn, hv_op op);

/*
 * Hooks: the one place where tracing and fault injection attach. 'target'
 * names the object of the call (domain name, "pool/volume", NULL).
 *  before: may fail the call without reaching the backend: return -1 with
 *          err filled. Return 0 to let the call through.
 *  after:  sees every call's outcome, including ones 'before' failed.
 *  event:  sees every event before the connection's callback does.
 * Any member may be NULL.
 */
typedef struct hv_call {
    hv_op op;
    const char *target;
    unsigned int flags;
    int64_t arg; /* the one numeric argument that matters, else 0 */
} hv_call;

typedef struct hv_hooks {
    int (*before)(void *opaque, hv_conn *conn, const hv_call *call,
                  hv_error *err);
    void (*after)(void *opaque, hv_conn *conn, const hv_call *call, int rc,
                  const hv_error *err);
    void (*event)(void *opaque, hv_conn *conn, const hv_event *ev);
    void *opaque;
} hv_hooks;

/* ---- connection ---- */

/* Close and free a connection (NULL is fine). Domains must be freed first. */
void hv_conn_close(hv_conn *conn);
/* Backend kind ("libvirt", "fake") and URI-like description; borrowed. */
const char *hv_conn_backend(const hv_conn *conn);
const char *hv_conn_uri(const hv_conn *conn);
/* Replace the hooks (copied). Pass NULL to remove them. */
void hv_conn_set_hooks(hv_conn *conn, const hv_hooks *hooks);
/* The hooks in place (all NULL if none), for chaining. */
hv_hooks hv_conn_get_hooks(const hv_conn *conn);

/* libvirt library version and hypervisor version, as major*1e6+minor*1e3+micro. */
int hv_conn_get_version(hv_conn *conn, unsigned long *lib_version,
                        unsigned long *hv_version, hv_error *err);
/* Hostname; caller frees with g_free. */
char *hv_conn_get_hostname(hv_conn *conn, hv_error *err);
/* Capabilities XML; caller frees with g_free. */
char *hv_conn_get_capabilities(hv_conn *conn, hv_error *err);
/* 1 alive, 0 connection lost, -1 error. */
int hv_conn_is_alive(hv_conn *conn, hv_error *err);
/*
 * Re-establish a lost connection in place (same URI/host). Handles taken
 * before must not be used again; events must be registered again.
 */
int hv_conn_reconnect(hv_conn *conn, hv_error *err);
/*
 * Register cb for every lifecycle event of every domain on this connection
 * (replacing any previous one). Events queue from now on and reach cb from
 * hv_sleep()/hv_dispatch_events().
 */
int hv_conn_events_register(hv_conn *conn, hv_event_cb cb, void *opaque,
                            hv_error *err);
/*
 * Stop delivering events to the callback registered with opaque (a no-op
 * if another one has replaced it since). Events still queue and still
 * reach the event hook (traces); the callback never runs again, so its
 * owner may be freed. Not an hv operation: nothing is traced.
 */
void hv_conn_events_unregister(hv_conn *conn, void *opaque);

typedef struct hv_node_info {
    char model[32];
    uint64_t memory_kib;
    unsigned int cpus;
    unsigned int mhz;
    unsigned int nodes, sockets, cores, threads;
} hv_node_info;
int hv_node_get_info(hv_conn *conn, hv_node_info *info, hv_error *err);
int hv_node_get_free_memory(hv_conn *conn, uint64_t *bytes, hv_error *err);

/* Host CPU time totals in ns, like virNodeGetCPUStats for all CPUs. */
typedef struct hv_cpu_stats {
    uint64_t kernel, user, idle, iowait;
} hv_cpu_stats;
int hv_node_get_cpu_stats(hv_conn *conn, hv_cpu_stats *stats, hv_error *err);
/* Seconds since the host booted. */
int hv_node_get_uptime(hv_conn *conn, int64_t *seconds, hv_error *err);

/*
 * The host's memory in KiB as /proc/meminfo counts it (virNodeGetMemoryStats
 * over all cells): MemTotal, MemFree, Buffers, Cached. What the reference
 * reads for the memory a host uses (total - free - buffers - cached).
 */
typedef struct hv_node_memory_stats {
    uint64_t total_kib, free_kib, buffers_kib, cached_kib;
} hv_node_memory_stats;
int hv_node_get_memory_stats(hv_conn *conn, hv_node_memory_stats *stats,
                             hv_error *err);

/* ---- clock, randomness, event dispatch ---- */

/* Monotonic time of the connection's clock, ns (virtual on the fake). */
int64_t hv_now(hv_conn *conn);
/*
 * Let ns of the connection's time pass, delivering events meanwhile. A
 * callback or hook may call back into hv (even hv_sleep), but must not
 * close the connection it was called for.
 * ns = 0 only delivers what is already queued. Time passes even on a lost
 * connection (retry loops stay paced); ask hv_conn_is_alive for liveness.
 * Fails only if a fault hook fails it.
 */
int hv_sleep(hv_conn *conn, int64_t ns, hv_error *err);
/* Same as hv_sleep(conn, 0, err). */
int hv_dispatch_events(hv_conn *conn, hv_error *err);
/* 64 random bits from the connection (seeded PRNG on the fake). */
uint64_t hv_random(hv_conn *conn);
/*
 * Wall-clock time of the connection, ns since the Unix epoch (UTC): the
 * host's real time on libvirt, the world's virtual time from a fixed
 * epoch on the fake. For dates recorded outside hv (an instance's
 * launched_at); waits use hv_now. Not an operation: nothing is traced.
 * A backend without a wall clock gives hv_now's value.
 */
int64_t hv_wall_now(hv_conn *conn);

/* ---- tasks: operations side by side (hv-task.c) ---- */

/*
 * A scheduler of cooperative tasks on one clock. The thread that creates
 * it is its "main" task. Tasks take turns: exactly one runs at a time, and
 * the running task gives way only where it waits — in hv_sleep on a
 * connection attached to the scheduler (hv_sleep(conn, 0) included), or in
 * hv_task_join. The next to run is the waiting task whose wake-up time
 * comes first (ties: the one that began waiting first); while every task
 * waits, the clock runs to the earliest wake-up, delivering the events of
 * every attached connection at each instant they fire. On the fake the
 * schedule is therefore a function of the seed; on libvirt it follows the
 * host's clock. Code running in a task needs no locks.
 *
 * Ownership: hv_tasks_free frees the scheduler once every task started on
 * it has been joined (hv_task_join frees the task). Connections are
 * borrowed; hv_conn_close detaches one.
 */
hv_tasks *hv_tasks_new(void);
void hv_tasks_free(hv_tasks *ts);
/* Attach conn: sleeping on it from a task lets the others run. Every
 * connection attached to one scheduler must share one clock (the hosts of
 * one fake world, or libvirt connections of one machine). */
void hv_tasks_attach(hv_tasks *ts, hv_conn *conn);
void hv_tasks_detach(hv_conn *conn);
/*
 * Start fn(arg) as a task called name (for traces; copied). It first runs
 * when the caller next waits, before tasks that begin waiting later at
 * the same instant. Returns the task, to join.
 */
hv_task *hv_task_start(hv_tasks *ts, const char *name, void (*fn)(void *arg),
                       void *arg);
/* Wait for the task to end (other tasks run meanwhile), then free it. */
void hv_task_join(hv_task *t);
/* Has the task's function returned? */
bool hv_task_done(const hv_task *t);
/* The task's name (borrowed). */
const char *hv_task_name(const hv_task *t);
/* The name of the task running now ("main" for the creator; borrowed). */
const char *hv_tasks_current(const hv_tasks *ts);
/* How many tasks live (main included; joined ones are gone). */
unsigned int hv_tasks_count(const hv_tasks *ts);

/* ---- domains ---- */

/* Handles are owned by the caller and freed with hv_domain_free. */
void hv_domain_free(hv_domain *dom);
/* Borrowed, valid while the handle lives. */
const char *hv_domain_name(const hv_domain *dom);
const char *hv_domain_uuid(const hv_domain *dom);
hv_conn *hv_domain_conn(const hv_domain *dom);

enum {
    HV_LIST_ACTIVE = 1 << 0,
    HV_LIST_INACTIVE = 1 << 1,
    HV_LIST_ALL = HV_LIST_ACTIVE | HV_LIST_INACTIVE,
};
/*
 * Domains matching flags, sorted by name. *doms is a g_malloc'ed array of
 * handles the caller frees (hv_domain_list_free). Returns the count or -1.
 */
int hv_domain_list(hv_conn *conn, unsigned int flags, hv_domain ***doms,
                   hv_error *err);
void hv_domain_list_free(hv_domain **doms, int n);

hv_domain *hv_domain_define(hv_conn *conn, const char *xml, hv_error *err);

enum {
    HV_UNDEFINE_MANAGED_SAVE = 1 << 0,
    HV_UNDEFINE_SNAPSHOTS_METADATA = 1 << 1,
    HV_UNDEFINE_NVRAM = 1 << 2,
};
int hv_domain_undefine(hv_domain *dom, unsigned int flags, hv_error *err);

enum { HV_CREATE_START_PAUSED = 1 << 0 };
/* Start a defined domain (from its managed save if it has one). */
int hv_domain_create(hv_domain *dom, unsigned int flags, hv_error *err);
/* Create and start a transient domain. */
hv_domain *hv_domain_create_xml(hv_conn *conn, const char *xml,
                                unsigned int flags, hv_error *err);
hv_domain *hv_domain_lookup_by_name(hv_conn *conn, const char *name,
                                    hv_error *err);
hv_domain *hv_domain_lookup_by_uuid(hv_conn *conn, const char *uuid,
                                    hv_error *err);

typedef struct hv_domain_info {
    int state;  /* hv_domain_state */
    int reason; /* per-state reason */
    int id;     /* current domain ID, -1 when inactive */
    uint64_t max_mem_kib;
    uint64_t mem_kib;
    unsigned int nr_vcpus;
    uint64_t cpu_time_ns;
} hv_domain_info;
int hv_domain_get_info(hv_domain *dom, hv_domain_info *info, hv_error *err);

enum { HV_XML_INACTIVE = 1 << 0 };
/* Domain XML (live, or the persistent definition); caller g_frees. */
char *hv_domain_get_xml(hv_domain *dom, unsigned int flags, hv_error *err);
int hv_domain_is_persistent(hv_domain *dom, hv_error *err);
int hv_domain_has_managed_save(hv_domain *dom, hv_error *err);

enum { HV_SHUTDOWN_ACPI = 1 << 0 };
/* Ask the guest to shut down; returns at once, the guest acts (or not). */
int hv_domain_shutdown(hv_domain *dom, unsigned int flags, hv_error *err);
enum { HV_REBOOT_ACPI = 1 << 0 };
/*
 * Ask the guest to reboot (ACPI); the domain ID does not change. On QEMU
 * this is a power-button press followed by a reset once the guest powers
 * off, which raises two (sometimes three) HV_EVENT_REBOOT events.
 */
int hv_domain_reboot(hv_domain *dom, unsigned int flags, hv_error *err);
/* Hard reset, like pressing the reset button. */
int hv_domain_reset(hv_domain *dom, hv_error *err);
enum { HV_DESTROY_GRACEFUL = 1 << 0 };
int hv_domain_destroy(hv_domain *dom, unsigned int flags, hv_error *err);
int hv_domain_suspend(hv_domain *dom, hv_error *err);
int hv_domain_resume(hv_domain *dom, hv_error *err);
int hv_domain_managed_save(hv_domain *dom, hv_error *err);
int hv_domain_managed_save_remove(hv_domain *dom, hv_error *err);
int hv_domain_inject_nmi(hv_domain *dom, hv_error *err);

enum {
    HV_DEVICE_LIVE = 1 << 0,
    HV_DEVICE_CONFIG = 1 << 1,
};
int hv_domain_attach_device(hv_domain *dom, const char *xml,
                            unsigned int flags, hv_error *err);
int hv_domain_detach_device(hv_domain *dom, const char *xml,
                            unsigned int flags, hv_error *err);
int hv_domain_update_device(hv_domain *dom, const char *xml,
                            unsigned int flags, hv_error *err);

/* Job types: virDomainJobType. */
enum {
    HV_JOB_NONE = 0,
    HV_JOB_BOUNDED = 1,
    HV_JOB_UNBOUNDED = 2,
    HV_JOB_COMPLETED = 3,
    HV_JOB_FAILED = 4,
    HV_JOB_CANCELLED = 5,
};
typedef struct hv_job_info {
    int type;
    uint64_t time_elapsed_ms;
    uint64_t data_total, data_processed, data_remaining;
    uint64_t mem_total, mem_processed, mem_remaining;
    /* memory passes so far (virDomainGetJobStats' memory_iteration; 0
     * where a driver has only virDomainGetJobInfo) */
    uint64_t mem_iteration;
} hv_job_info;
int hv_domain_get_job_info(hv_domain *dom, hv_job_info *info, hv_error *err);
int hv_domain_abort_job(hv_domain *dom, hv_error *err);

/* ---- statistics of a running domain (diagnostics) ---- */

/* vCPU states: virVcpuState. */
enum { HV_VCPU_OFFLINE = 0, HV_VCPU_RUNNING = 1, HV_VCPU_BLOCKED = 2 };
typedef struct hv_vcpu_info {
    unsigned int number; /* the vCPU's index */
    int state;           /* HV_VCPU_* */
    uint64_t cpu_time_ns;
    int cpu;             /* host CPU it runs on, -1 if unknown */
} hv_vcpu_info;
/*
 * Per-vCPU information (virDomainGetVcpus). *vcpus is a g_malloc'ed array
 * the caller g_frees (NULL when the count is 0). Returns the count, or -1
 * (OPERATION_INVALID for a domain that is not running).
 */
int hv_domain_get_vcpus(hv_domain *dom, hv_vcpu_info **vcpus, hv_error *err);

/* Block device counters (virDomainBlockStats); -1 where not supported. */
typedef struct hv_block_stats {
    int64_t rd_req, rd_bytes, wr_req, wr_bytes, errs;
} hv_block_stats;
/*
 * Counters of the disk whose target is dev ("vda"). INVALID_ARG for a dev
 * the domain has not, OPERATION_INVALID when it is not running.
 */
int hv_domain_block_stats(hv_domain *dom, const char *dev,
                          hv_block_stats *stats, hv_error *err);

/*
 * Block jobs on one disk of a running domain, named by its target ("vdb"):
 * virDomainBlockRebase, virDomainGetBlockJobInfo, virDomainBlockJobAbort
 * and virDomainBlockResize. A copy (HV_BLOCK_REBASE_COPY) mirrors the
 * disk onto base; once its cur reaches end it stays "ready" until aborted,
 * with HV_BLOCK_JOB_ABORT_PIVOT to switch the disk over to the copy, or
 * without to drop it. Errors as libvirt's: OPERATION_INVALID when the
 * domain is not running, INVALID_ARG for a disk it has not, OPERATION_
 * INVALID for a copy of a persistent domain (libvirt 9.0: undefine it
 * first), a job already there (rebase) or one not ready for a pivot;
 * INVALID_ARG for an abort without a job.
 */
enum {
    HV_BLOCK_REBASE_SHALLOW = 1 << 0,
    HV_BLOCK_REBASE_REUSE_EXT = 1 << 1, /* base exists: write into it */
    HV_BLOCK_REBASE_COPY = 1 << 2,
    HV_BLOCK_REBASE_RELATIVE = 1 << 3,
};
int hv_domain_block_rebase(hv_domain *dom, const char *disk, const char *base,
                           unsigned int flags, hv_error *err);
/* virDomainBlockJobType */
enum {
    HV_BLOCK_JOB_UNKNOWN = 0,
    HV_BLOCK_JOB_PULL = 1,
    HV_BLOCK_JOB_COPY = 2,
    HV_BLOCK_JOB_COMMIT = 3,
    HV_BLOCK_JOB_ACTIVE_COMMIT = 4,
};
typedef struct hv_block_job_info {
    int type;           /* HV_BLOCK_JOB_*, 0 when there is no job */
    uint64_t bandwidth; /* MiB/s, 0 unlimited */
    uint64_t cur, end;  /* progress; end 0 while not started */
} hv_block_job_info;
/* 1 with *info when the disk has a job, 0 (info zeroed) when it has
 * none, -1 on error. */
int hv_domain_block_job_info(hv_domain *dom, const char *disk,
                             hv_block_job_info *info, hv_error *err);
enum {
    HV_BLOCK_JOB_ABORT_ASYNC = 1 << 0,
    HV_BLOCK_JOB_ABORT_PIVOT = 1 << 1,
};
int hv_domain_block_job_abort(hv_domain *dom, const char *disk,
                              unsigned int flags, hv_error *err);
/* Grow the disk (its image) to size_kib KiB, as the guest sees it. */
int hv_domain_block_resize(hv_domain *dom, const char *disk,
                           uint64_t size_kib, hv_error *err);

/* Network interface counters (virDomainInterfaceStats); -1 where unknown. */
typedef struct hv_interface_stats {
    int64_t rx_bytes, rx_packets, rx_errs, rx_drop;
    int64_t tx_bytes, tx_packets, tx_errs, tx_drop;
} hv_interface_stats;
/*
 * Counters of the interface whose host-side target is dev ("vnet0").
 * INVALID_ARG for an unknown dev, OPERATION_INVALID when not running.
 */
int hv_domain_interface_stats(hv_domain *dom, const char *dev,
                              hv_interface_stats *stats, hv_error *err);

/* Memory statistic tags: virDomainMemoryStatTags. */
enum {
    HV_MEMSTAT_SWAP_IN = 0,
    HV_MEMSTAT_SWAP_OUT = 1,
    HV_MEMSTAT_MAJOR_FAULT = 2,
    HV_MEMSTAT_MINOR_FAULT = 3,
    HV_MEMSTAT_UNUSED = 4,
    HV_MEMSTAT_AVAILABLE = 5,
    HV_MEMSTAT_ACTUAL_BALLOON = 6,
    HV_MEMSTAT_RSS = 7,
    HV_MEMSTAT_USABLE = 8,
    HV_MEMSTAT_LAST_UPDATE = 9,
    HV_MEMSTAT_DISK_CACHES = 10,
    HV_MEMSTAT_HUGETLB_PGALLOC = 11,
    HV_MEMSTAT_HUGETLB_PGFAIL = 12,
    HV_MEMSTAT_NR = 13,
};
typedef struct hv_memory_stat {
    int tag;      /* HV_MEMSTAT_* */
    uint64_t val; /* KiB, a count, or seconds (LAST_UPDATE) */
} hv_memory_stat;
/*
 * The domain's memory statistics (virDomainMemoryStats): fills up to
 * HV_MEMSTAT_NR entries of stats, in the order the hypervisor reports
 * them, and returns how many (the balloon's guest statistics only when the
 * guest reports them), or -1 (OPERATION_INVALID when not running).
 */
int hv_domain_memory_stats(hv_domain *dom,
                           hv_memory_stat stats[HV_MEMSTAT_NR],
                           hv_error *err);
/* The name Python's libvirt binding gives a tag ("actual" for
 * ACTUAL_BALLOON, "swap_in", ...), or NULL if the tag is unknown. */
const char *hv_memory_stat_name(int tag);

/* ---- migration (asynchronous: start returns a handle to poll) ---- */
enum {
    HV_MIGRATE_LIVE = 1 << 0,
    HV_MIGRATE_PEER2PEER = 1 << 1,
    HV_MIGRATE_PERSIST_DEST = 1 << 2,
    HV_MIGRATE_UNDEFINE_SOURCE = 1 << 3,
    HV_MIGRATE_AUTO_CONVERGE = 1 << 4,
    HV_MIGRATE_POSTCOPY = 1 << 5,
    HV_MIGRATE_NON_SHARED_DISK = 1 << 6,
    HV_MIGRATE_TUNNELLED = 1 << 7,
    /* block migration of the top images only, backing files shared
     * (VIR_MIGRATE_NON_SHARED_INC, what the reference's block migration
     * uses) */
    HV_MIGRATE_NON_SHARED_INC = 1 << 8,
};
typedef struct hv_migrate_params {
    const char *dest_uri;       /* libvirt URI (real) or host name (fake) */
    const char *migrate_uri;    /* data channel, e.g. tcp://127.0.0.1; may be NULL */
    const char *dest_xml;       /* may be NULL */
    uint64_t bandwidth_mib;     /* 0 = unlimited */
    /* block migration: the target devices ("vda") to copy, NULL-terminated
     * (VIR_MIGRATE_PARAM_MIGRATE_DISKS); NULL: the hypervisor's choice
     * (every writable non-shared disk). The fake ignores it. */
    const char *const *migrate_disks;
} hv_migrate_params;
hv_migration *hv_domain_migrate_start(hv_domain *dom,
                                      const hv_migrate_params *params,
                                      unsigned int flags, hv_error *err);
/*
 * 1 finished (successfully, or with the migration's error copied to err and
 * -1 returned), 0 still running. Does not block.
 */
int hv_migration_poll(hv_migration *mig, hv_error *err);
/* Free a migration handle; a running migration is waited for first (on
 * the fake it is not: it goes on in the world, see fake.h). */
void hv_migration_free(hv_migration *mig);
int hv_domain_migrate_set_max_downtime(hv_domain *dom, uint64_t ms,
                                       hv_error *err);
int hv_domain_migrate_set_max_speed(hv_domain *dom, uint64_t mib_per_s,
                                    hv_error *err);
int hv_domain_migrate_start_post_copy(hv_domain *dom, hv_error *err);

/* ---- storage (volumes named within a pool) ---- */
typedef struct hv_pool_info {
    uint64_t capacity, allocation, available; /* bytes */
} hv_pool_info;
int hv_pool_get_info(hv_conn *conn, const char *pool, hv_pool_info *info,
                     hv_error *err);

typedef struct hv_vol_spec {
    const char *name;
    uint64_t capacity;          /* bytes */
    uint64_t allocation;        /* bytes allocated now; 0 = thin/sparse */
    const char *format;         /* "raw", "qcow2" */
    const char *backing_path;   /* NULL for none */
    const char *backing_format; /* format of the backing file */
} hv_vol_spec;
int hv_vol_create(hv_conn *conn, const char *pool, const hv_vol_spec *spec,
                  hv_error *err);
int hv_vol_delete(hv_conn *conn, const char *pool, const char *name,
                  hv_error *err);
typedef struct hv_vol_info {
    uint64_t capacity, allocation; /* bytes */
    char format[16];
    char backing_path[512]; /* "" when none */
    char backing_format[16]; /* "" when none or unknown */
} hv_vol_info;
int hv_vol_get_info(hv_conn *conn, const char *pool, const char *name,
                    hv_vol_info *info, hv_error *err);
int hv_vol_resize(hv_conn *conn, const char *pool, const char *name,
                  uint64_t capacity, hv_error *err);
/* Path of the volume; caller g_frees. */
char *hv_vol_get_path(hv_conn *conn, const char *pool, const char *name,
                      hv_error *err);
/* Names in the pool, sorted; *names is a NULL-terminated g_strfreev array. */
int hv_vol_list(hv_conn *conn, const char *pool, char ***names,
                hv_error *err);
/*
 * Copy volumes to another host (a cold migration's disks): each of names
 * (NULL-terminated, at least one) of pool goes to dest_pool on the host
 * dest_uri names, under the same name, in order, with its capacity,
 * format and content. A backing file is kept as a reference, not copied:
 * the destination's volume is backed by the volume of the same name as
 * the source's backing file in dest_pool, which must be there
 * (NO_STORAGE_VOL naming it otherwise) — copy the image first. A name
 * the destination pool has already fails with STORAGE_VOL_EXIST before
 * anything moves. All or none: on failure the volumes this call created
 * on the destination are deleted when it can still be reached. Errors:
 * the source's (NO_STORAGE_VOL, ...), reaching the destination
 * (NO_CONNECT, SYSTEM_ERROR), its pool (NO_STORAGE_POOL), no space there
 * (SYSTEM_ERROR/ENOSPC), the link or the destination lost mid-copy
 * (OPERATION_FAILED). Real backend: dest_uri opened as a second libvirt
 * connection, the bytes streamed with virStorageVolDownload/Upload in
 * bounded chunks; blocking. Fake: dest_uri is a host name or a URI whose
 * host part names a host of the same world; the copy takes the volumes'
 * allocation at the world's link speed in virtual time (fake.h).
 * Strings are borrowed.
 */
int hv_vol_copy_to(hv_conn *conn, const char *pool, const char *const *names,
                   const char *dest_uri, const char *dest_pool,
                   hv_error *err);

/*
 * ---- the image cache: a volume's age (drv-imagecache.c) ----
 * The time a volume last changed, and "touch -c": what the reference's
 * image cache manager reads and bumps on the base files it keeps. Real
 * backend: the mtime of the volume's file on the local file system (as the
 * instance files: right for local URIs); the fake: its world's wall clock
 * when the volume was created, resized, copied in or touched.
 */
/* The volume's modification time, ns since the Unix epoch on the
 * connection's wall clock (hv_wall_now). NO_STORAGE_VOL if it is not
 * there, SYSTEM_ERROR for its file. */
int hv_vol_get_mtime(hv_conn *conn, const char *pool, const char *name,
                     int64_t *mtime_ns, hv_error *err);
/* Set the volume's modification time to now; never creates one
 * (NO_STORAGE_VOL). */
int hv_vol_touch(hv_conn *conn, const char *pool, const char *name,
                 hv_error *err);

/*
 * ---- instance files: the per-instance folders of an instances path ----
 *
 * What the reference keeps beside an instance's disks, under
 * CONF.instances_path/<uuid>: the folder itself, console.log, unrescue.xml.
 * 'base' is the instances path (absolute, the driver's configuration); 'dir'
 * names one folder directly under it and 'file' one file directly in that
 * folder: single path components, never "", ".", ".." or holding a '/'
 * (else HV_ERR_INVALID_ARG). The real backend works on the local file system
 * of the process (so it serves local URIs only); the fake keeps a store per
 * host in its world. Neither follows a symbolic link below base, nor
 * opens a FIFO, device or socket as a file (EINVAL), nor reads or appends
 * to a file that has other names (hard links: EMLINK). File system
 * failures are HV_ERR_SYSTEM_ERROR with the errno (ENOENT for a missing
 * folder or file). Strings are borrowed.
 */

/* Ensure base (and its parents) and the folder base/dir exist (mode 0755);
 * an existing folder is fine, anything else in its place is EEXIST/ENOTDIR. */
int hv_instance_dir_create(hv_conn *conn, const char *base, const char *dir,
                           hv_error *err);
/* 1 if base/dir is a folder (not a link to one) this host can write into,
 * 0 if there is none (or something else is there), -1 on failure. */
int hv_instance_dir_exists(hv_conn *conn, const char *base, const char *dir,
                           hv_error *err);
/* Rename base/from to base/to (atomic, like mv on one file system); ENOENT
 * if from is missing, ENOTEMPTY/EEXIST if to is a non-empty folder. */
int hv_instance_dir_rename(hv_conn *conn, const char *base, const char *from,
                           const char *to, hv_error *err);
/* Delete base/dir and everything in it, walking it once without following
 * links (a link is removed, not its target); ENOENT if it is missing. */
int hv_instance_dir_delete(hv_conn *conn, const char *base, const char *dir,
                           hv_error *err);

enum {
    HV_FILE_APPEND = 1 << 0, /* add at the end, creating it if missing */
};
/* Write len bytes of data to base/dir/file, replacing it (or appending
 * with HV_FILE_APPEND); creates the file (0644), never the folder
 * (ENOENT). len 0 with HV_FILE_APPEND just ensures it exists. A replace is
 * atomic: a new file renamed over the name, so a failure leaves the old
 * content and another name of the old file keeps it. */
int hv_instance_file_write(hv_conn *conn, const char *base, const char *dir,
                           const char *file, const char *data, size_t len,
                           unsigned int flags, hv_error *err);
/*
 * The last (at most) max bytes of base/dir/file: *data (g_free; NUL
 * terminated after *len bytes, the content may hold NULs), *len, and in
 * *skipped the bytes before them that were left out (0: the whole file).
 * ENOENT if it is missing.
 */
int hv_instance_file_read(hv_conn *conn, const char *base, const char *dir,
                          const char *file, size_t max, char **data,
                          size_t *len, uint64_t *skipped, hv_error *err);
/* Delete base/dir/file (ENOENT if missing; a folder there: EISDIR). */
int hv_instance_file_delete(hv_conn *conn, const char *base, const char *dir,
                            const char *file, hv_error *err);
/*
 * Is name usable as one path component of an instance file: not NULL, "",
 * "." or "..", no '/', no NUL, at most 255 bytes? Shared by the backends.
 */
int hv_instance_name_ok(const char *name);

/*
 * ---- config drives: an ISO 9660 image built on the host ----
 *
 * One file of the image: its path inside the image (relative, components
 * separated by '/', none of them "", "." or "..") and its content.
 */
typedef struct hv_iso_file {
    const char *path;
    const char *data;
    size_t len;
} hv_iso_file;

/*
 * Build an ISO 9660 image (Joliet and Rock Ridge names, volume label
 * 'label', publisher 'publisher') holding files, at base/dir/file, as the
 * reference's configdrive builder does: base is the instances path
 * (absolute), dir and file single path components (else INVALID_ARG, as
 * is a bad file path inside the image). base/dir is created if missing;
 * an existing image is replaced. The real backend runs genisoimage (argv,
 * no shell) on the local host, so it serves local URIs only: a missing
 * tool or its failure is OPERATION_FAILED with its message; the fake
 * records the image on its host. Strings are borrowed.
 */
int hv_instance_iso_build(hv_conn *conn, const char *base, const char *dir,
                          const char *file, const char *label,
                          const char *publisher, const hv_iso_file *files,
                          unsigned int n_files, hv_error *err);

/*
 * ---- snapshots and the guest agent ----
 *
 * What the reference's snapshot, quiesce and set_admin_password reach of
 * libvirt: a volume made from another of the same pool (its snapshot
 * extraction), the guest agent's filesystem freeze and password, and the
 * block jobs of its live snapshot. Strings are borrowed.
 */

/*
 * Create volume spec->name in pool from the volume src of the same pool
 * (virStorageVolCreateXMLFrom): its content, backing chain included,
 * flattened into one image of format spec->format (NULL: src's) with no
 * backing file and src's capacity (spec->capacity, allocation and the
 * backing fields are ignored). The real backend has libvirt run qemu-img
 * convert (blocking; the caller must keep writers off src); the fake
 * copies the record at once. A failed copy leaves no volume. Errors:
 * NO_STORAGE_POOL, NO_STORAGE_VOL (src), a name taken (INTERNAL_ERROR
 * "storage volume name '...' already in use.", as libvirt 9.0 says it
 * here), XML_ERROR (name or format), no space (SYSTEM_ERROR/ENOSPC, or
 * INTERNAL_ERROR quoting qemu-img's "No space left on device").
 */
int hv_vol_create_from(hv_conn *conn, const char *pool,
                       const hv_vol_spec *spec, const char *src,
                       hv_error *err);

/*
 * The guest agent (virDomainFSFreeze / FSThaw / SetUserPassword): every
 * mounted filesystem frozen or thawed (returns how many, >= 0), or the
 * password of user set. Errors as libvirt's QEMU driver gives them
 * (docs/conformance.md): OPERATION_INVALID when the domain is not
 * running (paused counts as not running), ARGUMENT_UNSUPPORTED when its
 * definition has no agent channel ("QEMU guest agent is not
 * configured"), AGENT_UNRESPONSIVE when the channel is there but no agent
 * answers in the guest ("QEMU guest agent is not connected"),
 * INTERNAL_ERROR for the agent's own refusal (a freeze of frozen
 * filesystems, a password while frozen).
 */
int hv_domain_fs_freeze(hv_domain *dom, hv_error *err);
int hv_domain_fs_thaw(hv_domain *dom, hv_error *err);
int hv_domain_set_user_password(hv_domain *dom, const char *user,
                                const char *password, unsigned int flags,
                                hv_error *err);
/* The live snapshot's block copy uses the block jobs above
 * (hv_domain_block_rebase, _job_info, _job_abort). */

#endif /* HVD_HV_H */
