/*
 * fake-priv.h: what the files of the fake hypervisor share; nothing outside
 * fakes/fake-*.c includes it (fake.h is the public header).
 *
 * The model: a sim_world holds the fake hosts (fake_world, its user data).
 * Every domain lives on one host, indexed by uuid and by name; the host
 * gives domain IDs from one daemon-wide counter, like libvirtd. Guest
 * behaviour (boot, ACPI, crash) runs as timers on the world's queue; each
 * timer carries one of the domain's tokens, so a timer from an earlier run
 * of the domain finds nothing and does nothing. Events go to every
 * connection of the host that registered for them and reach callers from
 * hv_sleep(), like libvirt's event loop.
 *
 * The files, by concern:
 *   fake-world.c    the world, hosts, connections (the backend table and
 *                   its connection/clock slots), events, world faults
 *   fake-domain.c   the domain state machine, guest behaviour, domain slots
 *   fake-storage.c  the host's storage pool and its volumes, storage slots
 *   fake-stats.c    statistics: the host's memory, a domain's vCPUs, disks,
 *                   interfaces and balloon, derived from virtual time
 *   fake-files.c    the host's instance files, the guest's serial log
 *   fake-migrate.c  live migration between two hosts of one world: the
 *                   transfer in virtual time (the engine)
 *   fake-migrate-api.c  its slots, job info, tuning, faults (both over
 *                   fake-migrate.h)
 *
 * Slots of the backend table are named fk_<slot>; helpers shared between
 * the files are named fake_<object>_<verb>.
 */
#ifndef HVD_FAKE_PRIV_H
#define HVD_FAKE_PRIV_H

#include <glib.h>

#include "fake.h"
#include "hv-backend.h"

/* The folder the volumes of a host's pool live in. */
#define FAKE_POOL_PATH "/var/lib/hvd/images"

/* An ACPI request a guest has not acted on yet. */
typedef enum {
    FAKE_ACPI_NONE,
    FAKE_ACPI_SHUTDOWN,
    FAKE_ACPI_REBOOT
} fake_acpi_request;

typedef struct fake_dom {
    char uuid[HV_UUID_STRLEN];
    char *name;
    char *config_xml; /* persistent definition, NULL if transient */
    char *live_xml;   /* definition of the running instance, NULL if off */
    uint64_t mem_kib;
    unsigned int vcpus;
    bool noacpi;
    bool persistent;
    int state, reason, id;
    bool managed_save;
    bool saved_os_up;
    bool os_up;         /* the guest OS has booted and handles ACPI */
    fake_acpi_request pending; /* queued while paused */
    /* Timer tokens (see 'tokens' in fake_host): 'life' changes on every
     * start and stop, 'run' also on every reset and reboot of the guest. */
    uint64_t life, run;
    int64_t running_since; /* for cpu time; -1 when not running */
    uint64_t cpu_ns;
    uint64_t start_cpu_ns; /* cpu_ns when the domain last started */
    fake_guest guest;
    /* The migration (fake_world.migrations id) this domain is the source
     * (mig_out) or the incoming destination (mig_in) of; 0 when none. */
    uint64_t mig_out, mig_in;
    /* Tuning set outside a migration, for the next one (0: the default),
     * as libvirt keeps it on the running domain. */
    uint64_t mig_downtime_ms, mig_speed_mib;
    /* Block jobs of the running QEMU (fake_block_job*, fake-block.c),
     * one per disk at most; NULL when there has been none. Gone with the
     * QEMU process. */
    GPtrArray *block_jobs;
    /* Live device detaches the guest has been asked for and not yet
     * released: key (disk target, MAC) -> the 'run' token of the guest
     * asked (fake-domain.c); NULL before the first. */
    GHashTable *unplugs;
    /* the guest agent (fake-snapshot.c) froze the filesystems, in the
     * life of the guest it was done in (the 'life' token then) */
    bool fs_frozen;
    uint64_t fs_frozen_life;
} fake_dom;

typedef struct fake_vol {
    char *name;
    uint64_t capacity, allocation;
    char format[16];
    char *backing; /* NULL if none */
    char backing_format[16];
    /* last change (created, resized, copied in, touched), wall-clock ns */
    int64_t mtime_ns;
} fake_vol;

struct fake_host {
    sim_world *w;
    char *name;
    char uuid[HV_UUID_STRLEN];
    unsigned int vcpus;
    uint64_t memory_mib;
    char *pool;      /* the name of its one storage pool */
    uint64_t disk_bytes;
    uint64_t disk_free_override; /* UINT64_MAX: normal accounting */
    unsigned long lib_version, hv_version;
    char *arch, *cpu_model, *cpu_vendor;
    char **cpu_features; /* NULL-terminated, owned */
    uint64_t os_memory_mib;
    /* the next tap device number: interfaces become vnet0, vnet1, ... on
     * start, daemon-wide like libvirt's */
    unsigned int next_tap;
    bool daemon_up;
    uint64_t epoch; /* bumps on every daemon start: old connections die */
    int next_id;
    int64_t boot_time;
    GHashTable *by_uuid; /* uuid -> fake_dom* (owned) */
    GHashTable *by_name; /* name -> fake_dom* */
    GHashTable *vols;    /* name -> fake_vol* (owned) */
    GHashTable *files;   /* instance files: path -> entry (fake-files.c) */
    GPtrArray *listeners; /* fake_conn* with events registered */
    /* token -> fake_dom*: a timer holds (host, token) and finds its domain
     * only while the token is current, so stale timers do nothing */
    GHashTable *tokens;
    uint64_t token_counter;
};

typedef struct fake_world {
    GPtrArray *hosts;    /* fake_host*, owned */
    GHashTable *guests;  /* domain name -> fake_guest* */
    /* live migrations: id (uint64_t*, in the record) -> fake_mig* (owned);
     * a record lives while it runs or a handle holds it */
    GHashTable *migrations;
    uint64_t next_mig;
    uint64_t link_mib; /* MiB/s between any two hosts */
    /* failures armed for the next migration of a domain: name -> percent
     * (GUINT_TO_POINTER(percent + 1)) */
    GHashTable *mig_faults;
} fake_world;

typedef struct fake_conn {
    sim_world *w;
    fake_host *host;
    uint64_t epoch;
    bool events;
    hv_events *queue; /* the hv_conn's event queue (borrowed) */
} fake_conn;

/* ---- fake-world.c ---- */

/* The fake's state inside a sim_world (its user data); borrowed. */
fake_world *fake_world_of(sim_world *w);
/* A random UUID from the world's stream (version 4 layout). */
void fake_world_random_uuid(sim_world *w, char out[HV_UUID_STRLEN]);
/* Queue an event about d for every connection registered on h. */
void fake_host_emit(fake_host *h, fake_dom *d, int type, int detail,
               const char *device);
/* The fake's state of an hv connection (conn->priv); borrowed. */
fake_conn *fake_conn_of(hv_conn *conn);
/* Fail like a libvirt client whose daemon went away. */
int fake_conn_check(fake_conn *c, hv_error *err);

/* ---- fake-iso.c ---- */

int fk_instance_iso_build(hv_conn *conn, const char *base, const char *dir,
                          const char *file, const char *label,
                          const char *publisher, const hv_iso_file *files,
                          unsigned int n_files, hv_error *err);

/* ---- fake-domain.c: the state machine ---- */

/* Free d and what it owns (not its host's indexes: fake_dom_remove). */
void fake_dom_free(fake_dom *d);
/* Running, paused or blocked: the domain has a QEMU process and an ID. */
bool fake_dom_active(const fake_dom *d);
/* Add the CPU time of a running stretch ending at 'now'. */
void fake_dom_account_cpu(fake_dom *d, int64_t now);
/* Give the domain a fresh token in *tok (&d->life or &d->run). */
void fake_dom_retoken(fake_host *h, fake_dom *d, uint64_t *tok);
/* The model of a handle's domain, or NULL with NO_DOMAIN (or the lost
 * connection's error). */
fake_dom *fake_dom_of(hv_domain *dom, hv_error *err);
/* The guest crashes now, as d->guest.on_crash says (d is active). */
void fake_dom_crash(fake_host *h, fake_dom *d);
/* Drop d from the host (frees it). */
void fake_dom_remove(fake_host *h, fake_dom *d);
/*
 * The domain's QEMU is gone: shut off with 'reason', the STOPPED event with
 * 'detail', and a transient domain disappears.
 */
void fake_dom_stopped(fake_host *h, fake_dom *d, int reason, int detail);

/* Set the state and reason, accounting CPU time (and telling a migration
 * of d that its guest changes pace). */
void fake_dom_set_state(fake_host *h, fake_dom *d, int state, int reason);
struct fake_domdef;
/*
 * The incoming side of a migration on h (libvirt's Prepare): a domain
 * from def (its name and uuid; an inactive definition of the same domain
 * is taken over), started paused (PAUSED/MIGRATION, a new ID, the event
 * STARTED/MIGRATED), with the guest state of 'from'. NULL and err on a
 * clash with another domain, or one already running.
 */
fake_dom *fake_dom_incoming(fake_host *h, struct fake_domdef *def,
                            const fake_dom *from, hv_error *err);

/* ---- fake-migrate.c ---- */

/* The host name a migration destination names: "h2" itself, or the host
 * part of a URI ("qemu+tcp://h2/system"); g_free. */
char *fake_dest_host_name(const char *uri);

typedef struct fake_mig fake_mig;
/* Free a migration record (a GDestroyNotify of fake_world.migrations;
 * its timer is left to the world). */
void fake_mig_free(fake_mig *m);
/* The source guest of migration 'id' is about to change state: the
 * transfer is brought up to now at the old dirtying pace. */
void fake_mig_guest_changing(sim_world *w, uint64_t id);
/* The source (out) or incoming domain (in) of migration 'id' stopped or
 * vanished on its host: the migration fails. */
void fake_mig_domain_lost(sim_world *w, uint64_t id, bool source);
/* Host h crashes, or its daemon stops: its migrations fail. */
void fake_mig_host_crashed(fake_host *h);
void fake_mig_daemon_stopped(fake_host *h);

/* ---- fake-block.c ---- */

/* Forget the block jobs of d (its QEMU is gone, or d is freed). */
void fake_block_jobs_clear(fake_dom *d);

/* ---- fake-stats.c ---- */

/* KiB of memory the running domains of h hold. */
uint64_t fake_host_running_mem_kib(fake_host *h);

/* ---- fake-storage.c ---- */

/* Free v and its strings (a GDestroyNotify of the host's vols table). */
void fake_vol_free(fake_vol *v);
/* The volume name of a path inside the pool's folder, else NULL. */
const char *fake_vol_name_of_path(const char *path);
/* Does every disk source exist? Paths outside the pool are not checked. */
int fake_host_check_sources(fake_host *h, GPtrArray *sources, hv_error *err);

/* ---- fake-snapshot.c: snapshots and the guest agent ---- */

int fk_vol_create_from(hv_conn *conn, const char *pool,
                       const hv_vol_spec *spec, const char *src,
                       hv_error *err);
int fk_domain_fs_freeze(hv_domain *dom, int *count, hv_error *err);
int fk_domain_fs_thaw(hv_domain *dom, int *count, hv_error *err);
int fk_domain_set_user_password(hv_domain *dom, const char *user,
                                const char *password, unsigned int flags,
                                hv_error *err);

/* ---- fake-files.c ---- */

/* The host's (empty) instance file store, and freeing it. */
void fake_files_init(fake_host *h);
void fake_files_free(fake_host *h);
/* Append line to the file serial console of d's live XML, if it has one
 * and its folder exists in the store. */
void fake_files_console_write(fake_host *h, const fake_dom *d,
                              const char *line);
/* The guest's console lines: started (a new QEMU) and booted (ready). */
void fake_files_guest_started(fake_host *h, const fake_dom *d);
void fake_files_guest_ready(fake_host *h, const fake_dom *d);

/* ---- the backend's slots, gathered in fake-world.c's table ---- */

int fk_domain_list(hv_conn *conn, unsigned int flags, hv_domain ***doms,
                   int *count, hv_error *err);
int fk_domain_define(hv_conn *conn, const char *xml, hv_domain **out,
                     hv_error *err);
int fk_domain_undefine(hv_domain *dom, unsigned int flags, hv_error *err);
int fk_domain_create(hv_domain *dom, unsigned int flags, hv_error *err);
int fk_domain_create_xml(hv_conn *conn, const char *xml, unsigned int flags,
                         hv_domain **out, hv_error *err);
int fk_domain_lookup_by_name(hv_conn *conn, const char *name, hv_domain **out,
                             hv_error *err);
int fk_domain_lookup_by_uuid(hv_conn *conn, const char *uuid, hv_domain **out,
                             hv_error *err);
int fk_domain_get_info(hv_domain *dom, hv_domain_info *info, hv_error *err);
int fk_domain_get_xml(hv_domain *dom, unsigned int flags, char **xml,
                      hv_error *err);
int fk_domain_is_persistent(hv_domain *dom, int *v, hv_error *err);
int fk_domain_has_managed_save(hv_domain *dom, int *v, hv_error *err);
int fk_domain_shutdown(hv_domain *dom, unsigned int flags, hv_error *err);
int fk_domain_reboot(hv_domain *dom, unsigned int flags, hv_error *err);
int fk_domain_reset(hv_domain *dom, hv_error *err);
int fk_domain_destroy(hv_domain *dom, unsigned int flags, hv_error *err);
int fk_domain_suspend(hv_domain *dom, hv_error *err);
int fk_domain_resume(hv_domain *dom, hv_error *err);
int fk_domain_managed_save(hv_domain *dom, hv_error *err);
int fk_domain_managed_save_remove(hv_domain *dom, hv_error *err);
int fk_domain_inject_nmi(hv_domain *dom, hv_error *err);
int fk_domain_attach_device(hv_domain *dom, const char *xml,
                            unsigned int flags, hv_error *err);
int fk_domain_detach_device(hv_domain *dom, const char *xml,
                            unsigned int flags, hv_error *err);
int fk_domain_update_device(hv_domain *dom, const char *xml,
                            unsigned int flags, hv_error *err);
int fk_domain_get_job_info(hv_domain *dom, hv_job_info *info, hv_error *err);
int fk_domain_abort_job(hv_domain *dom, hv_error *err);

int fk_domain_migrate_start(hv_domain *dom, const hv_migrate_params *p,
                            unsigned int flags, hv_migration *mig,
                            hv_error *err);
int fk_migration_poll(hv_migration *mig, int *done, hv_error *err);
void fk_migration_release(hv_migration *mig);
int fk_domain_migrate_set_max_downtime(hv_domain *dom, uint64_t ms,
                                       hv_error *err);
int fk_domain_migrate_set_max_speed(hv_domain *dom, uint64_t mib,
                                    hv_error *err);
int fk_domain_migrate_start_post_copy(hv_domain *dom, hv_error *err);
/* job info and abort of a domain with a migration (mig_out or mig_in) */
int fake_mig_job_info(sim_world *w, fake_dom *d, hv_job_info *info,
                      hv_error *err);
int fake_mig_abort(sim_world *w, fake_dom *d, hv_error *err);

int fk_node_get_memory_stats(hv_conn *conn, hv_node_memory_stats *stats,
                             hv_error *err);
int fk_domain_get_vcpus(hv_domain *dom, hv_vcpu_info **vcpus, int *count,
                        hv_error *err);
int fk_domain_block_stats(hv_domain *dom, const char *dev,
                          hv_block_stats *stats, hv_error *err);
int fk_domain_block_rebase(hv_domain *dom, const char *disk, const char *base,
                           unsigned int flags, hv_error *err);
int fk_domain_block_job_info(hv_domain *dom, const char *disk,
                             hv_block_job_info *info, int *has_job,
                             hv_error *err);
int fk_domain_block_job_abort(hv_domain *dom, const char *disk,
                              unsigned int flags, hv_error *err);
int fk_domain_block_resize(hv_domain *dom, const char *disk,
                           uint64_t size_kib, hv_error *err);
int fk_domain_interface_stats(hv_domain *dom, const char *dev,
                              hv_interface_stats *stats, hv_error *err);
int fk_domain_memory_stats(hv_domain *dom, hv_memory_stat *stats, int *count,
                           hv_error *err);

int fk_pool_get_info(hv_conn *conn, const char *pool, hv_pool_info *info,
                     hv_error *err);
int fk_vol_create(hv_conn *conn, const char *pool, const hv_vol_spec *spec,
                  hv_error *err);
int fk_vol_delete(hv_conn *conn, const char *pool, const char *name,
                  hv_error *err);
int fk_vol_get_info(hv_conn *conn, const char *pool, const char *name,
                    hv_vol_info *info, hv_error *err);
int fk_vol_resize(hv_conn *conn, const char *pool, const char *name,
                  uint64_t capacity, hv_error *err);
int fk_vol_get_path(hv_conn *conn, const char *pool, const char *name,
                    char **path, hv_error *err);
/* Bytes the host's pool can still take (its free-space override too). */
uint64_t fake_pool_available(fake_host *h);
/* fake-copy.c */
int fk_vol_copy_to(hv_conn *conn, const char *pool, const char *const *names,
                   const char *dest_uri, const char *dest_pool,
                   hv_error *err);
int fk_vol_list(hv_conn *conn, const char *pool, char ***names,
                hv_error *err);
/* the image cache (fake-storage.c): mtime_ns of a volume, and touch */
int fk_vol_get_mtime(hv_conn *conn, const char *pool, const char *name,
                     int64_t *mtime_ns, hv_error *err);
int fk_vol_touch(hv_conn *conn, const char *pool, const char *name,
                 hv_error *err);
/* The world's wall clock now, ns since the epoch: a volume's mtime. */
int64_t fake_wall_ns(sim_world *w);

int fk_instance_dir_create(hv_conn *conn, const char *base, const char *dir,
                           hv_error *err);
int fk_instance_dir_exists(hv_conn *conn, const char *base, const char *dir,
                           int *exists, hv_error *err);
int fk_instance_dir_rename(hv_conn *conn, const char *base, const char *from,
                           const char *to, hv_error *err);
int fk_instance_dir_delete(hv_conn *conn, const char *base, const char *dir,
                           hv_error *err);
int fk_instance_file_write(hv_conn *conn, const char *base, const char *dir,
                           const char *file, const char *data, size_t len,
                           unsigned int flags, hv_error *err);
int fk_instance_file_read(hv_conn *conn, const char *base, const char *dir,
                          const char *file, size_t max, char **data,
                          size_t *len, uint64_t *skipped, hv_error *err);
int fk_instance_file_delete(hv_conn *conn, const char *base, const char *dir,
                            const char *file, hv_error *err);
#endif /* HVD_FAKE_PRIV_H */
