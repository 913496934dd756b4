/*
 * fake.h: the fake hypervisor — simulated hosts, guests and storage in a
 * sim_world, reached through the hv layer like a real libvirtd.
 *
 * A fake host stands for one libvirtd with QEMU: its own daemon-wide domain
 * ID counter, domains (persistent or transient), storage pools, capacity.
 * fake_conn_open() gives an hv_conn bound to one host. Semantics follow
 * real libvirt 9.0 + QEMU 7.2 as measured (see ../shared/DESIGN.md,
 * "Fidelity target"), not libvirt's test driver.
 *
 * Guests act on their own in virtual time: boot, act on an ACPI request
 * (or ignore it), crash. Their behaviour comes from a fake_guest record
 * registered by domain name, else from the domain XML (a kernel command
 * line holding "hvd.noacpi" makes the guest ignore ACPI, like the tiny
 * guest), else from the defaults below.
 *
 * Ownership: the world owns its hosts; connections are closed with
 * hv_conn_close() before the world is freed with fake_world_free().
 */
#ifndef HVD_FAKE_H
#define HVD_FAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hv.h"
#include "sim.h"

typedef struct fake_host fake_host;

/* Defaults, measured on the tiny guest under TCG (PLATFORM.md). */
#define FAKE_DEFAULT_BOOT_NS (3400 * HV_NS_PER_MS)
#define FAKE_DEFAULT_ACPI_DELAY_NS (2100 * HV_NS_PER_MS)
#define FAKE_DEFAULT_DETACH_DELAY_NS (200 * HV_NS_PER_MS)
/* The wall clock of every world starts at 2026-01-01T00:00:00Z
 * (hv_wall_now on a fake connection: this plus the virtual time). */
#define FAKE_WALL_EPOCH_S INT64_C(1767225600)
/* The pool a host spec without one gets: libvirt's customary name. */
#define FAKE_DEFAULT_POOL "default"

/* What the guest's crash leaves (libvirt's <on_crash> with a panic
 * device, or QEMU itself dying). */
typedef enum {
    /* QEMU dies: SHUTOFF/CRASHED, one STOPPED/FAILED (measured) */
    FAKE_CRASH_SHUTOFF = 0,
    /* the guest panics, <on_crash>preserve</on_crash>: the domain stays,
     * CRASHED/PANICKED, with a CRASHED/PANICKED event; only destroy
     * ends it */
    FAKE_CRASH_PRESERVE,
    /* the guest panics, <on_crash>restart</on_crash>: libvirt resets it
     * in the same QEMU (same ID): CRASHED/PANICKED, then RUNNING/CRASHED
     * with RESUMED/UNPAUSED, and a new boot */
    FAKE_CRASH_RESTART,
} fake_crash_action;

typedef struct fake_guest {
    int64_t boot_ns;       /* start (or reset) to OS up, ACPI handled after */
    bool honours_acpi;     /* acts on power button / ACPI reboot */
    int64_t acpi_delay_ns; /* request to acting on it */
    int64_t crash_after_ns; /* QEMU dies this long after each start; 0 never */
    uint64_t dirty_rate_mib; /* MiB/s the guest dirties (migration) */
    /*
     * When the guest acts on an ACPI power-off, the domain stops as usual
     * (SHUTDOWN/GUEST, STOPPED/SHUTDOWN) and something outside the driver
     * starts it again at the same virtual instant: a new domain ID,
     * RESUMED/UNPAUSED + STARTED/BOOTED, and a new boot of boot_ns.
     * Persistent domains only (a transient one is gone once stopped).
     */
    bool restarts_on_shutdown;
    /* what a crash (crash_after_ns, fake_domain_crash) leaves */
    fake_crash_action on_crash;
    /* the guest suspends itself to RAM this long after each start
     * (PMSUSPENDED, a PMSUSPENDED/MEMORY event); 0 never */
    int64_t pm_suspend_after_ns;
    /* hot-unplug: how long the guest takes to release a device a live
     * detach asks for (FAKE_DEFAULT_DETACH_DELAY_NS), or never
     * (holds_devices: the device stays in the live domain) */
    int64_t detach_delay_ns;
    bool holds_devices;
    /* a QEMU guest agent runs in the guest once it has booted (it answers
     * on the domain's org.qemu.guest_agent.0 channel, if it has one):
     * filesystem freeze and thaw, passwords. Default false, like the
     * tiny guest of real runs. */
    bool agent;
} fake_guest;

/* The defaults above, ACPI honoured, no crash, no restart on shutdown. */
void fake_guest_defaults(fake_guest *g);

/* ---- world and hosts ---- */

typedef struct fake_host_spec {
    const char *name;     /* also its hostname */
    unsigned int vcpus;
    uint64_t memory_mib;
    /* The name of the host's one storage pool (copied), where volumes and
     * instance disks live; NULL: FAKE_DEFAULT_POOL. Give the driver's
     * storage_pool for a host that runs the driver. */
    const char *storage_pool;
    uint64_t disk_gib;    /* capacity of that pool */
    unsigned long lib_version; /* 0: 9000000 */
    unsigned long hv_version;  /* 0: 7002000 */
    /* The host CPU its capabilities XML shows (copied); NULL: the
     * FAKE_DEFAULT_* below. cpu_features is NULL-terminated; NULL gives
     * the default set, an empty list none. */
    const char *arch;
    const char *cpu_model;
    const char *cpu_vendor;
    const char *const *cpu_features;
    /* MiB the host's own system uses (not free, not cache); 0: 512 */
    uint64_t os_memory_mib;
} fake_host_spec;

#define FAKE_DEFAULT_ARCH "x86_64"
#define FAKE_DEFAULT_CPU_MODEL "qemu64"
#define FAKE_DEFAULT_CPU_VENDOR "AMD"
/* "sse2,sse4.2,x2apic" */
extern const char *const fake_default_cpu_features[];
#define FAKE_DEFAULT_OS_MEMORY_MIB 512

/* A new world; fake_world_free frees it with its hosts. */
sim_world *fake_world_new(uint64_t seed);
void fake_world_free(sim_world *w);

/* Add a host; NULL and err (INVALID_ARG, OPERATION_FAILED) if bad/duplicate. */
fake_host *fake_host_add(sim_world *w, const fake_host_spec *spec,
                         hv_error *err);
fake_host *fake_host_find(sim_world *w, const char *name);
/* The world the host belongs to. */
sim_world *fake_host_world(const fake_host *h);
const char *fake_host_name(const fake_host *h);
/* Hosts in the order they were added. */
unsigned int fake_host_count(sim_world *w);
fake_host *fake_host_nth(sim_world *w, unsigned int i);

/* Behaviour for the guest of every domain called 'name' on any host. */
void fake_guest_set(sim_world *w, const char *name, const fake_guest *g);

/*
 * A connection to 'host' (by name). Fails like libvirt when the daemon is
 * down (SYSTEM_ERROR, ECONNREFUSED) or the host is unknown (NO_CONNECT).
 */
hv_conn *fake_conn_open(sim_world *w, const char *host, hv_error *err);
/* The world behind a fake connection, or NULL if conn is not fake. */
sim_world *fake_conn_world(hv_conn *conn);

/* ---- world faults (reproducible: they act at the current virtual time) ---- */

/* The daemon stops (connections lost; domains keep running) or starts. */
void fake_host_daemon_stop(fake_host *h);
void fake_host_daemon_start(fake_host *h);
/* The host crashes and comes back: running domains vanish, transient ones
 * are gone, persistent ones are shut off, IDs start again from 1. */
void fake_host_crash_reboot(fake_host *h);
/* The guest of domain 'name' crashes now: its QEMU process dies, or it
 * panics, as its fake_guest's on_crash says. */
int fake_domain_crash(fake_host *h, const char *name, hv_error *err);
/* Set how many bytes of the host's pool stay free: 0 = the disk is full. Use
 * UINT64_MAX to return to normal accounting. */
void fake_host_set_disk_free(fake_host *h, uint64_t bytes);

/* ---- live migration (fake-migrate.c) ----
 *
 * hv_domain_migrate_start on a fake connection moves a running domain to
 * another host of the same world, named by the params' dest_uri: a host
 * name ("h2") or a URI whose host part names it ("fake://h2",
 * "qemu+tcp://h2/system"). Everything happens in virtual time:
 *
 *   setup       FAKE_MIGRATE_SETUP_NS (the destination's QEMU starting:
 *               STARTED/MIGRATED there, the domain paused); job info reads
 *               UNBOUNDED with zero data, as libvirt reports it then;
 *   disk        block migration: with HV_MIGRATE_NON_SHARED_DISK what the
 *               domain's pool volumes and their backing chains hold, with
 *               HV_MIGRATE_NON_SHARED_INC what the top volumes hold (their
 *               backing files must be on the destination); missing
 *               volumes are first created on the destination, as libvirt
 *               does;
 *   precopy     passes over memory at the bandwidth: pass 1 sends all of
 *               it, pass k the pages the running guest dirtied (its
 *               fake_guest dirty_rate_mib, nothing while paused) during
 *               pass k-1. At the end of a pass the migration converges if
 *               the dirty data is below bandwidth x max downtime (QEMU's
 *               rule; QEMU also checks within a pass); with
 *               HV_MIGRATE_AUTO_CONVERGE the guest is throttled 20%, then
 *               10% more (at most 99%) every second pass in which it
 *               dirtied more than half of what was sent, as QEMU does;
 *   stop-copy   the source pauses (SUSPENDED/MIGRATED) and the rest goes;
 *               then the destination runs (RESUMED/MIGRATED; DEFINED
 *               first with HV_MIGRATE_PERSIST_DEST) and the source stops
 *               (STOPPED/MIGRATED; undefined, silently, with
 *               HV_MIGRATE_UNDEFINE_SOURCE);
 *   post-copy   (hv_domain_migrate_start_post_copy, migrations started
 *               with HV_MIGRATE_POSTCOPY) the source pauses
 *               (SUSPENDED/POSTCOPY), the destination runs
 *               (RESUMED/POSTCOPY) and pulls the remaining pages; at the
 *               end RESUMED/MIGRATED there and STOPPED/MIGRATED here.
 *
 * Bandwidth: the params' bandwidth_mib, else hv_domain_migrate_set_max_speed
 * set before, else unlimited, which is the world's link speed (see
 * fake_world_set_link_speed); never more than the link. Migrations at
 * the same time do not share the link: each has its own. Max downtime:
 * FAKE_DEFAULT_MAX_DOWNTIME_MS (QEMU's default) unless set.
 *
 * A failed or aborted migration: the destination's domain stops
 * (STOPPED/FAILED) and the source keeps running (resumed, RESUMED/MIGRATED,
 * if the migration had paused it), hv_migration_poll reports the error:
 * OPERATION_ABORTED after hv_domain_abort_job, OPERATION_FAILED otherwise.
 * Once in post-copy, the guest lives on neither side alone: a failure
 * leaves what survives PAUSED/POSTCOPY_FAILED (SUSPENDED/POSTCOPY_FAILED).
 *
 * Freeing a handle of a running migration does not wait for it (a fake
 * migration that never converges would never end): the migration goes on
 * in the world. Free handles before the world.
 */
#define FAKE_DEFAULT_LINK_MIB 1024
#define FAKE_MIGRATE_SETUP_NS (1000 * HV_NS_PER_MS)
#define FAKE_DEFAULT_MAX_DOWNTIME_MS 300

/*
 * hv_vol_copy_to on a fake connection (fake-copy.c) copies volume records
 * to the pool of another host of the world, named like a migration's
 * destination. It moves the volumes' allocation over the link at its
 * full speed, in virtual time (the world runs meanwhile), and the records
 * appear on the destination only at the end: the destination crashing or
 * its daemon stopping ends the copy then with OPERATION_FAILED, the
 * source's daemon stopping with the lost connection's error, and a pool
 * with less free space than the copy fails with ENOSPC once that much has
 * gone. A backing file must be on the destination already.
 */

/* The speed of the link between the world's hosts, MiB/s (> 0). */
void fake_world_set_link_speed(sim_world *w, uint64_t mib_per_s);

/*
 * World faults on the migration of domain 'name' (reproducible: they act at
 * the current virtual time).
 *
 * fake_migration_fail_at: the migration fails (OPERATION_FAILED) once
 * 'percent' of its data total has been sent (0..100; data sent again in
 * later passes counts too). Arms the running migration of 'name', or if
 * none runs, its next one. INVALID_ARG for a percent over 100.
 *
 * fake_migration_connection_lost: the connection between the two hosts
 * breaks now: the migration fails with OPERATION_FAILED. OPERATION_INVALID
 * if no migration of 'name' runs.
 *
 * A crash of either host (fake_host_crash_reboot), its daemon stopping
 * (fake_host_daemon_stop), or a crash of the guest on either side
 * (fake_domain_crash; also a destroy) fails the migration too.
 */
int fake_migration_fail_at(sim_world *w, const char *name,
                           unsigned int percent, hv_error *err);
int fake_migration_connection_lost(sim_world *w, const char *name,
                                   hv_error *err);

/* What a running migration is doing (strings borrowed from the world). */
typedef struct fake_migration_state {
    const char *phase; /* "setup", "disk", "precopy", "stopcopy", "postcopy" */
    const char *source, *destination; /* host names */
    uint64_t bandwidth_mib, max_downtime_ms;
    uint64_t iteration;        /* the memory pass under way */
    unsigned int throttle_pct; /* auto-converge's CPU throttle */
} fake_migration_state;
/* 1 and *st filled if a migration of domain 'name' runs, else 0. */
int fake_migration_get(sim_world *w, const char *name,
                       fake_migration_state *st);

/* ---- inspection, for tests and invariants ---- */

unsigned int fake_host_domain_count(const fake_host *h);
unsigned int fake_host_volume_count(const fake_host *h);
/* The files of the config drive image built at path on the host
 * (hv_instance_iso_build), NULL-terminated and sorted (g_strfreev); NULL
 * if there is no image there (none built, or deleted with its folder). */
char **fake_host_iso_files(const fake_host *h, const char *path);
/* Approximate heap bytes held by the host's domains (benchmark). */
uint64_t fake_host_domain_bytes(const fake_host *h);
/*
 * The host's instance files, sorted: folders as "<base>/<dir>/", files as
 * "<base>/<dir>/<file>"; a NULL-terminated array the caller g_strfreev's.
 */
char **fake_host_instance_paths(const fake_host *h);
/* 1 and a copy of the file at path (*data g_free'd by the caller, NUL
 * after *len bytes), or 0 if there is no such file. */
int fake_host_instance_file(const fake_host *h, const char *path,
                            char **data, size_t *len);

#endif /* HVD_FAKE_H */
