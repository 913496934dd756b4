/*
 * hv-libvirt-priv.h: what the files of the libvirt backend share; nothing
 * outside driver/hv/hv-libvirt*.c includes it (hv-libvirt.h is the public
 * header).
 *
 * Each slot makes the libvirt call(s) it stands for and, on failure, copies
 * libvirt's thread-local error (code, errno for system errors, message) into
 * the hv_error (lv_error, lv_check below). hv flags never share values with
 * libvirt's: every slot maps them through a table of its file and refuses
 * bits it does not know (lv_map_flags).
 *
 * Threads: the caller's thread makes every call; one process-wide thread
 * runs libvirt's default event loop, where our callbacks only copy events
 * into the hv connection's event queue (hv_events_push; hv delivers them
 * from hv_sleep) and mark a connection dead; a migration runs its blocking
 * libvirt call on a thread of its own. Each callback holds a reference on
 * the event queue, and the "dead" flag is reference counted too, because
 * libvirt may run a callback, or free its opaque, after we have
 * deregistered it (even after the hv_conn is closed).
 *
 * These files are the one place in driver/ that may touch the host directly
 * (the monotonic clock, randomness, /proc/uptime for a local daemon);
 * ci/lint.sh exempts driver/hv/hv-libvirt*.c from that rule.
 *
 * The files, by concern:
 *   hv-libvirt.c          process-wide set-up, the connection (open, close,
 *                         reconnect, liveness, versions, hostname,
 *                         capabilities), the event-loop thread and the
 *                         event callbacks, the clock slots, the node slots,
 *                         the backend table; the helpers below
 *   hv-libvirt-domain.c   domain handles and the domain slots (define to
 *                         job abort)
 *   hv-libvirt-migrate.c  migration: the thread running the blocking call,
 *                         poll, release, tuning (downtime, speed, post-copy)
 *   hv-libvirt-storage.c  storage pools and volumes
 *   hv-libvirt-stats.c    statistics: vCPU times, disk, interface and memory
 *                         counters of a domain, the host's memory counters
 *   hv-libvirt-iso.c      config drive images (genisoimage)
 *   hv-libvirt-snapshot.c a volume made from another, the guest agent,
 *                         block jobs (snapshots)
 *
 * Every function is named lv_*. Slots of the backend table are named
 * lv_<slot>; those of the other files are declared here, by file, and
 * hv-backend.h says what each does. Helpers used by more than one file
 * are declared here with a line each; the rest are static. The error
 * helpers are macros over *_at functions so that the hv_error names the
 * slot that failed, as it would if the slot had called hv_error_setf.
 */
#ifndef HVD_HV_LIBVIRT_PRIV_H
#define HVD_HV_LIBVIRT_PRIV_H

#include <glib.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "hv-backend.h"
#include "hv-libvirt.h"

G_STATIC_ASSERT(VIR_UUID_STRING_BUFLEN == HV_UUID_STRLEN);

/* ---- the backend's objects ---- */

/*
 * Liveness of one virConnectPtr: set by libvirt's close callback. A new one
 * per (re)connection, so a late close callback of an old connection cannot
 * mark the new one dead.
 *
 * libvirt holds one reference while the callback is registered. Drivers
 * without a close notion (test://) accept the registration yet drop it
 * without ever calling freecb, so lib_ref records whether libvirt has
 * released its reference; the remote driver does so synchronously inside
 * virConnectUnregisterCloseCallback.
 */
typedef struct lv_link {
    gint dead;
    gint lib_ref; /* 1 while libvirt owes us a freecb */
} lv_link;

/* hv_conn->priv */
typedef struct lv_conn {
    virConnectPtr vc;      /* NULL after a failed reconnect */
    lv_link *link;         /* liveness of vc (a reference), NULL with vc */
    gboolean close_cb;     /* our close callback is registered on vc */
    hv_events *events;     /* the hv_conn's queue (a reference) */
    gboolean want_events;  /* events_register was called */
    int cb_ids[3];         /* libvirt callback IDs on vc, -1 when none */
} lv_conn;

/* hv_domain->priv is the domain's virDomainPtr (owned by the handle). */
#define LV_DOM(dom) ((virDomainPtr)(dom)->priv)

/* hv_migration->priv: one migration running on its own thread. */
typedef struct lv_migration {
    virDomainPtr dom;  /* our own reference to the source domain */
    char *dest_uri;
    gboolean p2p;
    unsigned int vflags;
    virTypedParameterPtr params;
    int nparams;
    GThread *thread;   /* joined by migration_release */
    gint done;         /* set last, after rc and error */
    int rc;
    hv_error error;    /* the migration's error, captured on its thread */
} lv_migration;

/* ---- hv-libvirt.c: helpers for every file ---- */

/*
 * Copy libvirt's last error of this thread into err (first error wins).
 * Call it right after the failing libvirt call, before any other one: every
 * public libvirt function resets the thread's error on entry.
 */
void lv_error_at(hv_error *err, const char *func, int line);
#define lv_error(err) lv_error_at((err), __func__, __LINE__)

/* 0, or -1 with libvirt's error when rc (a libvirt int result) is < 0. */
int lv_check_at(int rc, hv_error *err, const char *func, int line);
#define lv_check(rc, err) lv_check_at((rc), (err), __func__, __LINE__)

/* Like lv_check, and on success store rc (a libvirt boolean) in *out. */
int lv_check_int_at(int rc, int *out, hv_error *err, const char *func,
                    int line);
#define lv_check_int(rc, out, err)                                            \
    lv_check_int_at((rc), (out), (err), __func__, __LINE__)

/* Move s, a malloc'ed libvirt string, into *out as a g_malloc'ed one; s
 * NULL: -1 with libvirt's error. */
int lv_check_str_at(char *s, char **out, hv_error *err, const char *func,
                    int line);
#define lv_check_str(s, out, err)                                             \
    lv_check_str_at((s), (out), (err), __func__, __LINE__)

/* One hv flag and the libvirt flag it stands for. */
typedef struct lv_flag {
    unsigned int hv;
    unsigned int vir;
} lv_flag;

/* Map flags through table (n entries) into *out; unknown bits fail with
 * HV_ERR_INVALID_ARG. lv_map_flags takes a static array as table. */
int lv_map_flags_at(unsigned int flags, const lv_flag *table, size_t n,
                    unsigned int *out, hv_error *err, const char *func,
                    int line);
#define lv_map_flags(flags, table, out, err)                                  \
    lv_map_flags_at((flags), (table), G_N_ELEMENTS(table), (out), (err),      \
                    __func__, __LINE__)

/* The connection's virConnectPtr (borrowed), or NULL and
 * HV_ERR_INVALID_CONN after a failed reconnect. */
virConnectPtr lv_vc_at(hv_conn *conn, hv_error *err, const char *func,
                       int line);
#define lv_vc(conn, err) lv_vc_at((conn), (err), __func__, __LINE__)

/* ---- hv-libvirt-domain.c: slots ---- */

void lv_domain_release(hv_domain *dom);
int lv_domain_list(hv_conn *conn, unsigned int flags, hv_domain ***doms,
                   int *count, hv_error *err);
int lv_domain_define(hv_conn *conn, const char *xml, hv_domain **dom,
                     hv_error *err);
int lv_domain_undefine(hv_domain *dom, unsigned int flags, hv_error *err);
int lv_domain_create(hv_domain *dom, unsigned int flags, hv_error *err);
int lv_domain_create_xml(hv_conn *conn, const char *xml, unsigned int flags,
                         hv_domain **dom, hv_error *err);
int lv_domain_lookup_by_name(hv_conn *conn, const char *name,
                             hv_domain **dom, hv_error *err);
int lv_domain_lookup_by_uuid(hv_conn *conn, const char *uuid,
                             hv_domain **dom, hv_error *err);
int lv_domain_get_info(hv_domain *dom, hv_domain_info *info, hv_error *err);
int lv_domain_get_xml(hv_domain *dom, unsigned int flags, char **xml,
                      hv_error *err);
int lv_domain_is_persistent(hv_domain *dom, int *persistent, hv_error *err);
int lv_domain_has_managed_save(hv_domain *dom, int *has, hv_error *err);
int lv_domain_shutdown(hv_domain *dom, unsigned int flags, hv_error *err);
int lv_domain_reboot(hv_domain *dom, unsigned int flags, hv_error *err);
int lv_domain_reset(hv_domain *dom, hv_error *err);
int lv_domain_destroy(hv_domain *dom, unsigned int flags, hv_error *err);
int lv_domain_suspend(hv_domain *dom, hv_error *err);
int lv_domain_resume(hv_domain *dom, hv_error *err);
int lv_domain_managed_save(hv_domain *dom, hv_error *err);
int lv_domain_managed_save_remove(hv_domain *dom, hv_error *err);
int lv_domain_inject_nmi(hv_domain *dom, hv_error *err);
int lv_domain_attach_device(hv_domain *dom, const char *xml,
                            unsigned int flags, hv_error *err);
int lv_domain_detach_device(hv_domain *dom, const char *xml,
                            unsigned int flags, hv_error *err);
int lv_domain_update_device(hv_domain *dom, const char *xml,
                            unsigned int flags, hv_error *err);
int lv_domain_get_job_info(hv_domain *dom, hv_job_info *info, hv_error *err);
int lv_domain_abort_job(hv_domain *dom, hv_error *err);

/* ---- hv-libvirt-stats.c: slots ---- */

int lv_node_get_memory_stats(hv_conn *conn, hv_node_memory_stats *stats,
                             hv_error *err);
int lv_domain_get_vcpus(hv_domain *dom, hv_vcpu_info **vcpus, int *count,
                        hv_error *err);
int lv_domain_block_stats(hv_domain *dom, const char *dev,
                          hv_block_stats *stats, hv_error *err);
/* hv-libvirt-block.c */
int lv_domain_block_rebase(hv_domain *dom, const char *disk, const char *base,
                           unsigned int flags, hv_error *err);
int lv_domain_block_job_info(hv_domain *dom, const char *disk,
                             hv_block_job_info *info, int *has_job,
                             hv_error *err);
int lv_domain_block_job_abort(hv_domain *dom, const char *disk,
                              unsigned int flags, hv_error *err);
int lv_domain_block_resize(hv_domain *dom, const char *disk,
                           uint64_t size_kib, hv_error *err);
int lv_domain_interface_stats(hv_domain *dom, const char *dev,
                              hv_interface_stats *stats, hv_error *err);
int lv_domain_memory_stats(hv_domain *dom, hv_memory_stat *stats, int *count,
                           hv_error *err);

/* ---- hv-libvirt-migrate.c: slots ---- */

int lv_domain_migrate_start(hv_domain *dom, const hv_migrate_params *p,
                            unsigned int flags, hv_migration *mig,
                            hv_error *err);
int lv_migration_poll(hv_migration *mig, int *done, hv_error *err);
void lv_migration_release(hv_migration *mig);
int lv_domain_migrate_set_max_downtime(hv_domain *dom, uint64_t ms,
                                       hv_error *err);
int lv_domain_migrate_set_max_speed(hv_domain *dom, uint64_t mib,
                                    hv_error *err);
int lv_domain_migrate_start_post_copy(hv_domain *dom, hv_error *err);

/* ---- hv-libvirt-storage.c: slots ---- */

int lv_pool_get_info(hv_conn *conn, const char *pool, hv_pool_info *info,
                     hv_error *err);
int lv_vol_create(hv_conn *conn, const char *pool, const hv_vol_spec *spec,
                  hv_error *err);
int lv_vol_delete(hv_conn *conn, const char *pool, const char *name,
                  hv_error *err);
int lv_vol_get_info(hv_conn *conn, const char *pool, const char *name,
                    hv_vol_info *info, hv_error *err);
int lv_vol_resize(hv_conn *conn, const char *pool, const char *name,
                  uint64_t capacity, hv_error *err);
int lv_vol_get_path(hv_conn *conn, const char *pool, const char *name,
                    char **path, hv_error *err);
/* ---- hv-libvirt-iso.c ---- */
int lv_instance_iso_build(hv_conn *conn, const char *base, const char *dir,
                          const char *file, const char *label,
                          const char *publisher, const hv_iso_file *files,
                          unsigned int n_files, hv_error *err);

/* The volume XML of spec (g_free), built with libxml2. */
char *lv_vol_xml(const hv_vol_spec *spec);
/* hv-libvirt-copy.c */
int lv_vol_copy_to(hv_conn *conn, const char *pool, const char *const *names,
                   const char *dest_uri, const char *dest_pool,
                   hv_error *err);
/* hv-libvirt-mtime.c: a volume's modification time, on the local file
 * system */
int lv_vol_get_mtime(hv_conn *conn, const char *pool, const char *name,
                     int64_t *mtime_ns, hv_error *err);
int lv_vol_touch(hv_conn *conn, const char *pool, const char *name,
                 hv_error *err);
int lv_vol_list(hv_conn *conn, const char *pool, char ***names,
                hv_error *err);

/* ---- hv-libvirt-files.c: slots (the local instances path) ---- */

int lv_instance_dir_create(hv_conn *conn, const char *base, const char *dir,
                           hv_error *err);
int lv_instance_dir_exists(hv_conn *conn, const char *base, const char *dir,
                           int *exists, hv_error *err);
int lv_instance_dir_rename(hv_conn *conn, const char *base, const char *from,
                           const char *to, hv_error *err);
int lv_instance_dir_delete(hv_conn *conn, const char *base, const char *dir,
                           hv_error *err);
int lv_instance_file_write(hv_conn *conn, const char *base, const char *dir,
                           const char *file, const char *data, size_t len,
                           unsigned int flags, hv_error *err);
int lv_instance_file_read(hv_conn *conn, const char *base, const char *dir,
                          const char *file, size_t max, char **data,
                          size_t *len, uint64_t *skipped, hv_error *err);
int lv_instance_file_delete(hv_conn *conn, const char *base, const char *dir,
                            const char *file, hv_error *err);

/* ---- hv-libvirt-snapshot.c: snapshots and the guest agent ---- */
int lv_vol_create_from(hv_conn *conn, const char *pool,
                       const hv_vol_spec *spec, const char *src,
                       hv_error *err);
int lv_domain_fs_freeze(hv_domain *dom, int *count, hv_error *err);
int lv_domain_fs_thaw(hv_domain *dom, int *count, hv_error *err);
int lv_domain_set_user_password(hv_domain *dom, const char *user,
                                const char *password, unsigned int flags,
                                hv_error *err);

#endif /* HVD_HV_LIBVIRT_PRIV_H */
