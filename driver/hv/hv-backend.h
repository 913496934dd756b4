/*
 * hv-backend.h: what an implementation of the hv layer provides.
 *
 * A backend fills one const hv_backend table by field name and creates
 * connections with hv_conn_new(). Every slot returns 0 or -1 (filling err);
 * objects come back through out-parameters. An empty slot makes the wrapper
 * fail with HV_ERR_NO_SUPPORT. Backends never call the hooks themselves:
 * the wrappers in hv-ops.c do, once, for every call.
 *
 * Events: every connection has one event queue, owned by hv. Backends
 * fill it with hv_events_push(), from any thread (the libvirt backend
 * pushes from libvirt's event-loop thread). hv empties it only inside
 * hv_sleep()/hv_dispatch_events(), on the caller's thread, handing each
 * event to the event hook and then to the one registered callback: that is
 * the whole of the "events arrive only inside hv_sleep" rule, and it lives
 * in hv-events.c. A backend never calls a callback itself.
 *
 * Only backends include this header (the libvirt backend, the fake). The
 * driver and the harness use hv.h alone.
 */
#ifndef HVD_HV_BACKEND_H
#define HVD_HV_BACKEND_H

#include "hv.h"

/* A connection's event queue: thread-safe, reference counted. */
typedef struct hv_events hv_events;

struct hv_conn {
    const struct hv_backend *backend;
    void *priv; /* the backend's connection state */
    char *uri;  /* owned */
    hv_hooks hooks;
    hv_event_cb event_cb;
    void *event_opaque;
    hv_events *events; /* a reference, dropped by hv_conn_close */
    hv_tasks *tasks;   /* the scheduler it is attached to, or NULL */
};

struct hv_domain {
    hv_conn *conn;
    char *name; /* owned */
    char uuid[HV_UUID_STRLEN];
    void *priv; /* the backend's handle data, released by domain_release */
};

struct hv_migration {
    hv_conn *conn;
    char *name; /* owned: the migrating domain's name, for traces */
    void *priv;
};

/*
 * The slots, one per operation of HV_OPS (hv.h) plus the releases and the
 * clock's now/random. Adding an operation: a slot here, an X() line in
 * HV_OPS, a wrapper in hv-ops.c, and the backends that support it.
 */
typedef struct hv_backend {
    const char *name;

    /* connection; close frees priv */
    void (*close)(hv_conn *conn);
    int (*get_version)(hv_conn *conn, unsigned long *lib_version,
                       unsigned long *hv_version, hv_error *err);
    int (*get_hostname)(hv_conn *conn, char **hostname, hv_error *err);
    int (*get_capabilities)(hv_conn *conn, char **xml, hv_error *err);
    int (*is_alive)(hv_conn *conn, int *alive, hv_error *err);
    /* re-establish a lost connection in place; old domain handles die */
    int (*reconnect)(hv_conn *conn, hv_error *err);
    /* start pushing events to the connection's queue; called once or more */
    int (*events_register)(hv_conn *conn, hv_error *err);
    int (*node_get_info)(hv_conn *conn, hv_node_info *info, hv_error *err);
    int (*node_get_free_memory)(hv_conn *conn, uint64_t *bytes,
                                hv_error *err);
    int (*node_get_cpu_stats)(hv_conn *conn, hv_cpu_stats *stats,
                              hv_error *err);
    int (*node_get_uptime)(hv_conn *conn, int64_t *seconds, hv_error *err);
    int (*node_get_memory_stats)(hv_conn *conn, hv_node_memory_stats *stats,
                                 hv_error *err);

    /* clock: mandatory (clock_wait is the operation "sleep") */
    int64_t (*clock_now)(hv_conn *conn);
    /*
     * Let the clock run towards 'until' (a clock_now value). Return 1 at a
     * point where events may have been pushed (hv delivers them and calls
     * again), 0 once 'until' is reached, -1 on failure. hv_sleep delivers
     * what is queued before the first call and after every return.
     */
    int (*clock_wait)(hv_conn *conn, int64_t until, hv_error *err);
    uint64_t (*clock_random)(hv_conn *conn);
    /* optional: ns since the Unix epoch (hv_wall_now) */
    int64_t (*clock_wall)(hv_conn *conn);

    /* domains */
    void (*domain_release)(hv_domain *dom); /* free dom->priv only */
    int (*domain_list)(hv_conn *conn, unsigned int flags, hv_domain ***doms,
                       int *count, hv_error *err);
    int (*domain_define)(hv_conn *conn, const char *xml, hv_domain **dom,
                         hv_error *err);
    int (*domain_undefine)(hv_domain *dom, unsigned int flags, hv_error *err);
    int (*domain_create)(hv_domain *dom, unsigned int flags, hv_error *err);
    int (*domain_create_xml)(hv_conn *conn, const char *xml,
                             unsigned int flags, hv_domain **dom,
                             hv_error *err);
    int (*domain_lookup_by_name)(hv_conn *conn, const char *name,
                                 hv_domain **dom, hv_error *err);
    int (*domain_lookup_by_uuid)(hv_conn *conn, const char *uuid,
                                 hv_domain **dom, hv_error *err);
    int (*domain_get_info)(hv_domain *dom, hv_domain_info *info,
                           hv_error *err);
    int (*domain_get_xml)(hv_domain *dom, unsigned int flags, char **xml,
                          hv_error *err);
    int (*domain_is_persistent)(hv_domain *dom, int *persistent,
                                hv_error *err);
    int (*domain_has_managed_save)(hv_domain *dom, int *has, hv_error *err);
    int (*domain_shutdown)(hv_domain *dom, unsigned int flags, hv_error *err);
    int (*domain_reboot)(hv_domain *dom, unsigned int flags, hv_error *err);
    int (*domain_reset)(hv_domain *dom, hv_error *err);
    int (*domain_destroy)(hv_domain *dom, unsigned int flags, hv_error *err);
    int (*domain_suspend)(hv_domain *dom, hv_error *err);
    int (*domain_resume)(hv_domain *dom, hv_error *err);
    int (*domain_managed_save)(hv_domain *dom, hv_error *err);
    int (*domain_managed_save_remove)(hv_domain *dom, hv_error *err);
    int (*domain_inject_nmi)(hv_domain *dom, hv_error *err);
    int (*domain_attach_device)(hv_domain *dom, const char *xml,
                                unsigned int flags, hv_error *err);
    int (*domain_detach_device)(hv_domain *dom, const char *xml,
                                unsigned int flags, hv_error *err);
    int (*domain_update_device)(hv_domain *dom, const char *xml,
                                unsigned int flags, hv_error *err);
    int (*domain_get_job_info)(hv_domain *dom, hv_job_info *info,
                               hv_error *err);
    int (*domain_abort_job)(hv_domain *dom, hv_error *err);
    /* statistics; get_vcpus returns a g_malloc'ed array and its count */
    int (*domain_get_vcpus)(hv_domain *dom, hv_vcpu_info **vcpus, int *count,
                            hv_error *err);
    int (*domain_block_stats)(hv_domain *dom, const char *dev,
                              hv_block_stats *stats, hv_error *err);
    int (*domain_interface_stats)(hv_domain *dom, const char *dev,
                                  hv_interface_stats *stats, hv_error *err);
    /* fills up to HV_MEMSTAT_NR entries, their number in *count */
    int (*domain_memory_stats)(hv_domain *dom, hv_memory_stat *stats,
                               int *count, hv_error *err);

    /* migration: start fills mig->priv; poll returns 1 done, 0 running */
    int (*domain_migrate_start)(hv_domain *dom, const hv_migrate_params *p,
                                unsigned int flags, hv_migration *mig,
                                hv_error *err);
    int (*migration_poll)(hv_migration *mig, int *done, hv_error *err);
    void (*migration_release)(hv_migration *mig); /* free mig->priv */
    int (*domain_migrate_set_max_downtime)(hv_domain *dom, uint64_t ms,
                                           hv_error *err);
    int (*domain_migrate_set_max_speed)(hv_domain *dom, uint64_t mib,
                                        hv_error *err);
    int (*domain_migrate_start_post_copy)(hv_domain *dom, hv_error *err);
    /* volumes: block jobs (disk and flags checked by the wrapper) */
    int (*domain_block_rebase)(hv_domain *dom, const char *disk,
                               const char *base, unsigned int flags,
                               hv_error *err);
    /* *has_job 1 and *info filled, or 0 */
    int (*domain_block_job_info)(hv_domain *dom, const char *disk,
                                 hv_block_job_info *info, int *has_job,
                                 hv_error *err);
    int (*domain_block_job_abort)(hv_domain *dom, const char *disk,
                                  unsigned int flags, hv_error *err);
    int (*domain_block_resize)(hv_domain *dom, const char *disk,
                               uint64_t size_kib, hv_error *err);

    /* storage */
    int (*pool_get_info)(hv_conn *conn, const char *pool, hv_pool_info *info,
                         hv_error *err);
    int (*vol_create)(hv_conn *conn, const char *pool,
                      const hv_vol_spec *spec, hv_error *err);
    int (*vol_delete)(hv_conn *conn, const char *pool, const char *name,
                      hv_error *err);
    int (*vol_get_info)(hv_conn *conn, const char *pool, const char *name,
                        hv_vol_info *info, hv_error *err);
    int (*vol_resize)(hv_conn *conn, const char *pool, const char *name,
                      uint64_t capacity, hv_error *err);
    int (*vol_get_path)(hv_conn *conn, const char *pool, const char *name,
                        char **path, hv_error *err);
    int (*vol_list)(hv_conn *conn, const char *pool, char ***names,
                    hv_error *err);
    /* names NULL-terminated and non-empty, dest_uri and dest_pool set */
    int (*vol_copy_to)(hv_conn *conn, const char *pool,
                       const char *const *names, const char *dest_uri,
                       const char *dest_pool, hv_error *err);
    /* the image cache (names) */
    int (*vol_get_mtime)(hv_conn *conn, const char *pool, const char *name,
                         int64_t *mtime_ns, hv_error *err);
    int (*vol_touch)(hv_conn *conn, const char *pool, const char *name,
                     hv_error *err);

    /* instance files: names already checked (hv_instance_name_ok) */
    int (*instance_dir_create)(hv_conn *conn, const char *base,
                               const char *dir, hv_error *err);
    int (*instance_dir_exists)(hv_conn *conn, const char *base,
                               const char *dir, int *exists, hv_error *err);
    int (*instance_dir_rename)(hv_conn *conn, const char *base,
                               const char *from, const char *to,
                               hv_error *err);
    int (*instance_dir_delete)(hv_conn *conn, const char *base,
                               const char *dir, hv_error *err);
    int (*instance_file_write)(hv_conn *conn, const char *base,
                               const char *dir, const char *file,
                               const char *data, size_t len,
                               unsigned int flags, hv_error *err);
    /* fills *data (g_malloc, NUL after *len bytes), *len, *skipped */
    int (*instance_file_read)(hv_conn *conn, const char *base,
                              const char *dir, const char *file, size_t max,
                              char **data, size_t *len, uint64_t *skipped,
                              hv_error *err);
    int (*instance_file_delete)(hv_conn *conn, const char *base,
                                const char *dir, const char *file,
                                hv_error *err);
    /* config drives (arguments checked by the wrapper) */
    int (*instance_iso_build)(hv_conn *conn, const char *base,
                              const char *dir, const char *file,
                              const char *label, const char *publisher,
                              const hv_iso_file *files, unsigned int n_files,
                              hv_error *err);
    /* snapshots and the guest agent */
    int (*vol_create_from)(hv_conn *conn, const char *pool,
                           const hv_vol_spec *spec, const char *src,
                           hv_error *err);
    int (*domain_fs_freeze)(hv_domain *dom, int *count, hv_error *err);
    int (*domain_fs_thaw)(hv_domain *dom, int *count, hv_error *err);
    int (*domain_set_user_password)(hv_domain *dom, const char *user,
                                    const char *password, unsigned int flags,
                                    hv_error *err);
} hv_backend;

/*
 * A new connection on 'backend' owning 'priv'; uri is copied. Refuses a
 * backend that leaves a mandatory slot empty (see HV_OPS in hv.h; also
 * clock_now and clock_random): NULL and HV_ERR_INTERNAL_ERROR naming the
 * missing slots, and priv stays the caller's to free.
 */
hv_conn *hv_conn_new(const hv_backend *backend, void *priv, const char *uri,
                     hv_error *err);
/* A new domain handle; name is copied, priv is owned by the handle. */
hv_domain *hv_domain_new(hv_conn *conn, const char *name, const char *uuid,
                         void *priv);
/* The connection's event queue; borrowed, valid while conn lives. */
hv_events *hv_conn_events(hv_conn *conn);
/*
 * Take a reference on q, for a holder that may outlive the connection (a
 * libvirt event callback's opaque). Drop it with hv_events_unref (NULL is
 * fine).
 */
hv_events *hv_events_ref(hv_events *q);
void hv_events_unref(hv_events *q);
/*
 * Queue a copy of ev (its strings are copied; ev->time_ns is kept as the
 * backend stamped it). Thread-safe; wakes a thread in hv_events_wait.
 */
void hv_events_push(hv_events *q, const hv_event *ev);
/*
 * For backends whose events come from another thread: block until q holds
 * an event or the host's monotonic clock (g_get_monotonic_time, in us)
 * reaches deadline_us. Returns 1 if events are queued, else 0.
 */
int hv_events_wait(hv_events *q, int64_t deadline_us);

#endif /* HVD_HV_BACKEND_H */
