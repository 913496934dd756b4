/*
 * drv-priv.h: what the driver's own files share, and what its tests reach.
 * Not installed; callers use drv.h.
 *
 * The driver is one object (struct drv, below) and one file per concern,
 * each with a section here for what it lends the others:
 *   drv.c            the object, errors, name tables
 *   drv-events.c     lifecycle events, drv_sleep (every wait of the driver)
 *   drv-host.c       host: init, resources, node, traits, service record
 *   drv-provider.c   the provider tree, capabilities as traits
 *   drv-query.c      instance queries; the domain lookup all operations use
 *   drv-diag.c       diagnostics: statistics of an instance (both forms)
 *   drv-disk.c       the instance's volumes, the disk plan, its domain XML
 *   drv-vif.c        VIFs and Neutron's external events
 *   drv-iface.c      interfaces: attach, detach, plug/unplug as public calls
 *   drv-lifecycle.c  spawn, destroy, reboot, power, suspend, ...
 *   drv-rescue.c     rescue, unrescue
 *   drv-files.c      instance files: folder, console log, unrescue.xml
 *   drv-configdrive.c  the config drive ISO, built through hv
 *   drv-xml.c        domain XML (libxml2): checks, top level
 *   drv-xml-cpu.c    domain XML: CPU mode, model, topology, cputune
 *   drv-xml-devices.c  domain XML: the <devices>
 *   drv-console.c    consoles: VNC, SPICE, serial; serial console ports
 *   drv-json.c       configuration and instances from JSON (drv.h's text
 *                    loaders; drv-json.h's, inside a bigger document)
 *   drv-json-migrate.c  migrate data from and to JSON, drv-json.c's way
 *   drv-migrate-plan.c  the live-migration monitor's arithmetic (pure)
 *   drv-migrate.c    live migration's checks (drv.h)
 *   drv-migrate-steps.c  the steps on either host around a live migration:
 *                    disk info, pre, post, rollback, cleanup
 *   drv-migrate-cold.c  cold migration, resize, revert, confirm, evacuate
 *   drv-migrate-live.c  live migration itself: flags, URIs, the monitor,
 *                    the operator's force-complete and abort
 *   drv-volume.c     volumes: attach, detach (hot-unplug retries), swap
 *                    by block copy, statistics, connector (drv.h)
 *   drv-devnames.c   device names: blockinfo's disk mapping
 *   drv-imagecache.c the image cache manager over the pool's base images
 *   drv-snapshot.c   snapshot (cold and live) and the image store
 *   drv-agent.c      the guest agent: quiesce, unquiesce, admin password
 * Devices (drv-device.c) join the same way:
 * their state goes into struct drv, what they share into a section here.
 *
 * Shared functions follow drv.h's conventions (0/-1, err first error
 * wins) but, unlike public entry points, do not reset err: the public
 * function that calls them does.
 */
#ifndef HVD_DRV_PRIV_H
#define HVD_DRV_PRIV_H

#include <glib.h>

#include "drv.h"

/* The reference's looping-call interval (0.5 s). */
#define DRV_POLL_NS (HV_NS_PER_SEC / 2)

/* A STOPPED event held back until due (drv-events.c). */
typedef struct drv_delayed_event {
    drv_lifecycle_event ev;
    int64_t due;
} drv_delayed_event;

struct drv {
    drv_config cfg;          /* a copy, owned */
    hv_conn *conn;           /* borrowed */
    char *hostname;
    bool initialized;
    /* the service record (drv-host.c): disabled, and why ("AUTO: ..." when
     * the driver did it); conn_lost: the driver has seen its connection
     * go and not yet come back */
    bool service_disabled;
    char *disabled_reason;
    bool conn_lost;
    bool events_registered;
    drv_event_listener listener;
    void *listener_opaque;
    drv_vif_plug_hook vif_hook;
    void *vif_hook_opaque;
    GHashTable *vif_events; /* "uuid/vif" -> "completed" | "failed" */
    GArray *delayed;        /* drv_delayed_event, at most one per uuid */
    GHashTable *cleaned;    /* uuid -> drv_clean_record (drv-files.c) */
    char *sysinfo_serial;   /* the host uuid for SMBIOS, read once (drv-xml.c) */
    /* the reference's active_migrations (drv-migrate-live.c): uuid ->
     * GQueue of the operator's task names (g_free'd strings) for the
     * instance's running monitor; NULL until the first migration. Read by
     * uuid on every use, never held across a sleep: other operations on
     * this driver run while a monitor sleeps. */
    GHashTable *live_migrations;
    /* the configured perf events this host supports, found by init_host
     * (the reference's _supported_perf_events); NULL before, or none */
    char **perf_events;
};

/* ---- drv.c ---- */

/* The values an option may take, NULL-terminated: one table each for the
 * JSON loader (drv-json.c) and drv_domain_xml's own checks (drv-xml.c). */
extern const char *const drv_virt_types[];  /* virt_type */
extern const char *const drv_cache_modes[]; /* MODE in disk_cachemodes */

/* A deep copy of src into dst, which holds nothing (drv_config_clear). */
void drv_config_copy(drv_config *dst, const drv_config *src);

/* An hv failure nobody handled: DRV_ERR_HYPERVISOR naming what failed (and
 * the instance if any), with the hv error kept in err->hv. */
void drv_set_hv_error(drv_error *err, const hv_error *hv, const char *what,
                      const drv_instance *inst);
/* DRV_ERR_INSTANCE_NOT_FOUND for inst, keeping hv (may be NULL). */
void drv_set_not_found(drv_error *err, const drv_instance *inst,
                       const hv_error *hv);

/* ---- drv-events.c ---- */

/* The drv_event_transition of an hv lifecycle event (type, detail), as
 * the reference maps it, or -1 if it is none. */
int drv_lifecycle_transition(int hv_type, int hv_detail);
/* Register on_hv_event with the connection; marks events_registered. */
int drv_register_events(drv *d, hv_error *hv);
/* Let ns pass on the hv clock, emitting delayed events when due. */
int drv_sleep(drv *d, int64_t ns, drv_error *err);

/* ---- drv-host.c ---- */

/*
 * The driver's turn of the reference's event loop and get_connection: if
 * the connection is gone, disable the host (automatically) and try to
 * reconnect; once reconnected, register for events again and enable the
 * host if it was disabled automatically. 1 if the connection is up
 * afterwards, 0 if not.
 */
int drv_host_check_connection(drv *d);
/*
 * The failure of a call the reference makes through get_connection (on
 * the connection, not on a domain handle it already holds): when the
 * connection is gone (hv->conn_lost), DRV_ERR_HOST_UNAVAILABLE
 * (HypervisorUnavailable), else as drv_set_hv_error.
 */
void drv_set_conn_error(drv *d, drv_error *err, const hv_error *hv,
                        const char *what, const drv_instance *inst);
/* This host's CPU as the reference's cpu_info JSON (g_free), read from
 * the capabilities; NULL with err set (err->hv the hv error if any). */
char *drv_host_cpu_info(drv *d, drv_error *err);
/* The host options that only make sense checked together or against a
 * list (my_ip an IP address, image_type_exclude_list known image
 * types): -1 with err (INVALID_CONFIG) naming the option. */
int drv_host_check_options(const drv_config *cfg, drv_error *err);
/* The host's uuid from its capabilities (g_free); NULL with err set. */
char *drv_host_uuid(drv *d, drv_error *err);
/* Every CPU trait the driver knows (drv_get_traits' table), each with
 * whether the host's CPU has it: *flags (g_free) of *n. -1 with err set
 * when the capabilities cannot be read. */
int drv_host_cpu_traits(drv *d, drv_trait_flag **flags, unsigned int *n,
                        drv_error *err);

/* ---- drv-provider.c ---- */

/* The image types the contract names (supports_image_type_*), for the
 * check of image_type_exclude_list; NULL-terminated. */
extern const char *const drv_image_types[];

/* ---- drv-diag.c ---- */

/* The disk targets and interface targets of a domain XML, in document
 * order, as the reference's _get_io_devices finds them (g_strfreev; empty
 * lists for XML that does not parse). */
void drv_io_devices(const char *xml, char ***disks, char ***ifaces);

/* ---- drv-query.c ---- */

/* The instance's domain (hv_domain_free); NULL with InstanceNotFound or
 * the hv error. */
hv_domain *drv_get_guest(drv *d, const drv_instance *inst, drv_error *err);
/* Power state of dom and its ID in *id (may be NULL); -1 with an error
 * (NO_DOMAIN gives InstanceNotFound). */
int drv_guest_state(drv *d, const drv_instance *inst, hv_domain *dom, int *id,
                    drv_error *err);

/* ---- drv-disk.c ---- */

/* An instance's own volumes in the pool. */
typedef enum {
    DRV_VOL_ROOT,
    DRV_VOL_EPHEMERAL,
    DRV_VOL_SWAP,
    DRV_VOL_RESCUE,
    DRV_VOL__COUNT
} drv_vol_kind;

/* Path of the image the root disk is backed by (g_free), or NULL if none
 * (err set if the image volume could not be found). */
char *drv_image_backing_path(drv *d, const drv_instance *inst,
                             drv_error *err);
/* The name of volume k of inst in the pool: "<uuid>_disk",
 * "<uuid>_disk.eph0", ... (g_free). */
char *drv_volume_name(const drv_instance *inst, drv_vol_kind k);
/* Delete volume k of inst ("<uuid>_disk.rescue"...); absent is fine. */
void drv_delete_volume(drv *d, const drv_instance *inst, drv_vol_kind k);
/* Delete all of inst's own volumes; absent ones are ignored. */
void drv_delete_instance_volumes(drv *d, const drv_instance *inst);
/* Create volume k (qcow2) the size of the flavor's root disk (root_gb 0:
 * the image volume's virtual size; 1 GiB for an image given by path),
 * backed by the image at backing (NULL: none); DiskFull on ENOSPC, else
 * the hv error. */
int drv_create_root_volume(drv *d, const drv_instance *inst, drv_vol_kind k,
                           const char *backing, drv_error *err);
/* Root, ephemeral and swap volumes per the flavor: all or none. */
int drv_create_disks(drv *d, const drv_instance *inst, drv_error *err);
/* Create again those of the flavor's volumes that are missing (the
 * reference's _create_images_and_backing); existing ones are kept. */
int drv_ensure_disks(drv *d, const drv_instance *inst, drv_error *err);
/* Domain XML (g_free) for inst with its disks. rescued NULL: the
 * instance's own domain. Else inst is the rescue view of the instance
 * rescued (its image the rescue image): the rescue disk first, if there is
 * one, then rescued's root disk if rescued has one (decided by rescued's
 * own image and flavor, not the rescue image). A volume the flavor gives
 * the instance that is missing fails with a HypervisorError naming it: no
 * domain leaves a disk out. NULL with err set. */
char *drv_build_xml(drv *d, const drv_instance *inst,
                    const drv_instance *rescued, drv_error *err);

/* ---- drv-vif.c ---- */

/* Call the plug hook for each of inst's VIFs (the public drv_plug_vifs
 * checks them first). */
void drv_vifs_plug(drv *d, const drv_instance *inst);
/* Forget the plug events received for inst's VIFs. */
void drv_vifs_unplug(drv *d, const drv_instance *inst);
/* The same for one VIF of the instance with this uuid. */
void drv_vif_plug(drv *d, const char *uuid, const drv_vif *vif);
void drv_vif_unplug(drv *d, const char *uuid, const drv_vif *vif);
/* Wait for network-vif-plugged of every inactive VIF: 1 all plugged, 0
 * timed out, -1 a VIF failed fatally (or the clock failed), err set. */
int drv_wait_for_vifs(drv *d, const drv_instance *inst, drv_error *err);
/* true if a start must wait for VIF events (timeout > 0, inactive VIFs). */
bool drv_vifs_pending(drv *d, const drv_instance *inst);

/* ---- drv-lifecycle.c ---- */

/* Define the domain from xml and, if power_on, start it (paused or not);
 * the domain (hv_domain_free) or NULL with the hv error. */
hv_domain *drv_create_domain(drv *d, const drv_instance *inst,
                             const char *xml, bool power_on, bool paused,
                             drv_error *err);
/* Power the instance's domain off as the reference's _destroy does (its
 * error triage, EBUSY retries from attempt, wait until off); a missing
 * domain is fine. */
int drv_destroy_domain(drv *d, const drv_instance *inst, int attempt,
                       drv_error *err);
/* The reference's cleanup once the guest is off: VIFs if destroy_vifs,
 * volumes if destroy_disks, the instance's files if destroy_disks or
 * delete_files, then the definition (its error returned). */
int drv_cleanup_instance(drv *d, const drv_instance *inst, bool destroy_disks,
                         bool delete_files, bool destroy_vifs,
                         drv_error *err);
/*
 * What drv-migrate-cold.c reuses of the reference's lifecycle:
 * _create_domain_and_network (VIFs plugged, the domain defined from xml
 * and started if power_on, a failed start undone, the volumes deleted
 * only if destroy_disks; vifs_plugged: no VIF events awaited), the wait
 * for RUNNING (wait_for_running_seconds), and _undefine_domain (a missing
 * domain is fine).
 */
int drv_start_guest(drv *d, const drv_instance *inst, const char *xml,
                    bool power_on, bool vifs_plugged, bool destroy_disks,
                    drv_error *err);
int drv_wait_running(drv *d, const drv_instance *inst, drv_error *err);
int drv_undefine_guest(drv *d, const drv_instance *inst, drv_error *err);
/* The domain's inactive XML, or fresh XML if it has no domain (g_free). */
char *drv_existing_domain_xml(drv *d, const drv_instance *inst,
                              drv_error *err);

/* ---- drv-files.c ---- */

/* An instance whose uuid can name its folder (hv_instance_name_ok); else
 * false with InvalidInstance. */
bool drv_inst_folder_ok(const drv_instance *inst, drv_error *err);

/* The reference's file names in an instance's folder. */
#define DRV_FILE_CONSOLE_LOG "console.log"
#define DRV_FILE_UNRESCUE "unrescue.xml"

/* What destroy recorded about deleting an instance's files. */
typedef struct drv_clean_record {
    unsigned int attempts;
    bool cleaned;
} drv_clean_record;

/* Create the instance's folder (fileutils.ensure_tree); the hv error. */
int drv_create_instance_dir(drv *d, const drv_instance *inst,
                            drv_error *err);
/* Make sure console.log exists (the reference's
 * _ensure_console_log_for_instance); the hv error. */
int drv_ensure_console_log(drv *d, const drv_instance *inst, drv_error *err);
/* Remove the instance's folder after a failed spawn; errors ignored. */
void drv_remove_instance_dir(drv *d, const drv_instance *inst);
/* destroy's cleanup with destroy_disks: delete_instance_files and the
 * clean_attempts / cleaned bookkeeping. */
void drv_cleanup_instance_files(drv *d, const drv_instance *inst);
/* Write data as file in the instance's folder (replacing it); the hv
 * error. */
int drv_write_instance_file(drv *d, const drv_instance *inst,
                            const char *file, const char *data,
                            drv_error *err);
/* The whole of a small file of the instance's folder (g_free), at most
 * max bytes (a larger one is an error); NULL with the hv error. */
char *drv_read_instance_file(drv *d, const drv_instance *inst,
                             const char *file, size_t max, drv_error *err);
/* Delete a file of the instance's folder; missing is an error unless
 * missing_ok. */
int drv_delete_instance_file(drv *d, const drv_instance *inst,
                             const char *file, bool missing_ok,
                             drv_error *err);

/* ---- drv-xml.c ---- */

/* One disk of a domain, as the driver planned it. Strings borrowed. */
typedef struct drv_disk {
    const char *path;   /* host path of the file or device */
    const char *format; /* "raw", "qcow2" */
    const char *target; /* "vda" */
    const char *bus;    /* "virtio", "sata", "ide" */
    const char *device; /* "disk" or "cdrom" */
    const char *source_type; /* "file" or "block": picks the cache mode */
    const char *serial; /* volume id for attached volumes, else NULL */
} drv_disk;

/* What the domain XML needs from the host, found by drv_guest_xml
 * through hv (drv_domain_xml itself asks nothing). Borrowed. */
typedef struct drv_xml_facts {
    const char *sysinfo_serial; /* SMBIOS system serial, NULL: none */
    const int *serial_ports;    /* TCP ports of the serial consoles */
    unsigned int n_serial_ports; /* fewer than needed: the range's first */
    const char *const *perf_events; /* NULL-terminated, or NULL: none */
} drv_xml_facts;

/*
 * The domain XML for an instance (libxml2, never string pasting), as the
 * reference's _get_guest_config builds it from cfg (virt type, CPU mode,
 * machine type, cache modes, graphics, consoles, balloon, pointer...),
 * facts (may be NULL) and the instance's flavor and image properties: see
 * drv-xml.c and drv-xml-devices.c for each element. rescue: boot the
 * rescue kernel/initrd given in the image properties
 * rescue_kernel_path/rescue_initrd_path if present, disks as given.
 * Returns g_malloc'ed XML, or NULL with DRV_ERR_INVALID_INSTANCE (bad
 * instance data, naming the field) or DRV_ERR_INVALID_CONFIG (a bad
 * option, named).
 */
char *drv_domain_xml(const drv_config *cfg, const drv_xml_facts *facts,
                     const drv_instance *inst, const drv_disk *disks,
                     unsigned int n_disks, bool rescue, drv_error *err);

/* drv_domain_xml with d's configuration and the host facts it needs
 * (capabilities read once for the SMBIOS serial; free serial console
 * ports), NULL with err set (also for an hv failure). */
char *drv_guest_xml(drv *d, const drv_instance *inst, const drv_disk *disks,
                    unsigned int n_disks, bool rescue, drv_error *err);

/* The checks drv_domain_xml makes on cfg alone (virt type, instances
 * path, texts, CPU mode and model, machine types, serial port range),
 * for the configuration loader: what loads, builds. */
int drv_xml_check_options(const drv_config *cfg, drv_error *err);

/* Helpers drv-xml.c lends drv-xml-devices.c (libxml2 nodes). */
typedef struct _xmlNode *drv_xml_node;
/* An image property / flavor extra spec that is set and non-empty. */
const char *drv_xml_image_prop(const drv_instance *inst, const char *key);
const char *drv_xml_flavor_spec(const drv_instance *inst, const char *key);
/* oslo's bool_from_string: "1", "t", "true", "on", "y", "yes" (any case). */
bool drv_xml_bool(const char *s);
bool drv_xml_kvm_or_qemu(const drv_config *cfg);
/* Strict decimal in [min, max] (no sign, no spaces); -1 if not. */
int drv_xml_parse_uint(const char *s, uint64_t min, uint64_t max,
                       uint64_t *out);
drv_xml_node drv_xml_add(drv_xml_node parent, const char *name);
/* Text content is escaped (xmlNewTextChild). */
drv_xml_node drv_xml_add_text(drv_xml_node parent, const char *name,
                              const char *text);
void drv_xml_set(drv_xml_node node, const char *name, const char *value);
void drv_xml_set_u64(drv_xml_node node, const char *name, uint64_t v);
/* ---- drv-xml-cpu.c ---- */
/* The CPU mode and model as _get_guest_cpu_model_config picks them: 1
 * with a <cpu> (*mode NULL: no mode attribute), 0 without, -1 with
 * DRV_ERR_INVALID_CONFIG. */
int drv_xml_cpu_model_config(const drv_config *cfg, const char **mode,
                             const char **model, drv_error *err);
/* <cpu> and <cputune> under domain; -1 with err set. */
int drv_xml_build_cpu(drv_xml_node domain, const drv_config *cfg,
                      const drv_instance *inst, drv_error *err);
int drv_xml_build_cputune(drv_xml_node domain, const drv_config *cfg,
                          const drv_instance *inst, drv_error *err);
/* ---- drv-xml-devices.c ---- */
/* <devices> under domain; -1 with err set. */
int drv_xml_build_devices(drv_xml_node domain, const drv_config *cfg,
                          const drv_xml_facts *facts,
                          const drv_instance *inst, const drv_disk *disks,
                          unsigned int n_disks, drv_error *err);
/* One <disk> element (g_free), as <devices> would hold it: what a
 * volume attach hands to hv_domain_attach_device. NULL with err set (a
 * bad cache mode option). */
char *drv_xml_disk_device(const drv_config *cfg, const drv_instance *inst,
                          const drv_disk *disk, drv_error *err);
/* One VIF's <interface> element as a document of its own (g_free), as
 * the domain XML holds it; v's type must be known. */
char *drv_xml_interface(const drv_instance *inst, const drv_vif *v);
/* How many serial consoles the instance has (flavor hw:serial_port_count,
 * image hw_serial_port_count, default 1, at most 4 on QEMU). */
int drv_xml_serial_port_count(const drv_instance *inst, unsigned int *n,
                              drv_error *err);

/* Path of the instance's serial console log (g_free); NULL when
 * instances_path or the uuid is missing. */
char *drv_console_log_path(const drv_config *cfg, const drv_instance *inst);

/* ---- drv-devnames.c: the disk mapping (blockinfo's get_disk_info) ---- */

/* One disk of a mapping: its name, bus, type (static strings) and boot
 * index (from 1; -1 none). dev owned by the mapping. */
typedef struct drv_disk_info {
    char *dev;        /* "vda" */
    const char *bus;  /* "virtio" */
    const char *type; /* "disk", "cdrom", "floppy", "lun" */
    int boot_index;
} drv_disk_info;

typedef struct drv_disk_map_entry {
    char *key; /* "root", "disk", "disk.local", "disk.swap", "disk.eph0",
                  "/dev/vdb" (a volume), "disk.config" */
    drv_disk_info info;
} drv_disk_map_entry;

/* The reference's disk mapping of an instance, and the buses it chose.
 * Release with drv_disk_map_clear. */
typedef struct drv_disk_map {
    const char *disk_bus, *cdrom_bus;
    drv_disk_map_entry *e;
    unsigned int n;
    /* drv_instance_disk_map: each of inst->volumes' name (no /dev/) and
     * bus, in its order */
    char **volume_devs;
    const char **volume_buses;
} drv_disk_map;

void drv_disk_map_clear(drv_disk_map *m);
/* The entry of key, NULL if the mapping has none (a default disk that a
 * block device mapping overrides has none). Borrowed from m. */
const drv_disk_info *drv_disk_map_get(const drv_disk_map *m, const char *key);
/*
 * The mapping of inst as spawned: root_device_name, the flavor's
 * ephemeral and swap disks, inst->volumes (their mount_device kept), the
 * config drive. Generated names avoid every given one. Errors:
 * NovaException (no free name; a name or bus without a known prefix),
 * InvalidInstance (an image bus property hvd does not know).
 */
int drv_instance_disk_map(drv *d, const drv_instance *inst, drv_disk_map *m,
                          drv_error *err);

/* ---- drv-configdrive.c ---- */

/* Does inst get a config drive: its config_drive, the image property
 * img_config_drive "mandatory", or force_config_drive (the reference's
 * configdrive.required_by)? */
bool drv_config_drive_required(drv *d, const drv_instance *inst);
/* instances_path/<uuid>/disk.config (g_free). */
char *drv_config_drive_path(const drv_config *cfg, const drv_instance *inst);
/* Build the config drive ISO through hv when required (else nothing):
 * openstack/latest/{meta_data,network_data,vendor_data}.json. */
int drv_config_drive_build(drv *d, const drv_instance *inst, drv_error *err);

/* ---- drv-console.c ---- */

/* serial_console_port_range "LO:HI" parsed; DRV_ERR_INVALID_CONFIG if
 * malformed. */
int drv_console_port_range(const drv_config *cfg, int *lo, int *hi,
                           drv_error *err);
/* The lowest free ports of the range for inst's serial consoles (*ports
 * g_free'd by the caller, *n of them): ports bound by the host's other
 * domains are taken, as the reference's acquire_port finds them taken. */
int drv_console_acquire_ports(drv *d, const drv_instance *inst, int **ports,
                              unsigned int *n, drv_error *err);

/* ---- drv-migrate-plan.c ---- */

/*
 * The live-migration monitor's numbers, each as the reference computes it
 * under Python 3 (true division rounded once, round half to even, int()
 * truncating): see drv-migrate-plan.c. Pure: no hv call, no state. Times
 * are hv clock nanoseconds; the reference's seconds are compared with them
 * exactly.
 */

/* The driver's floors for the downtime options (Newton's
 * LIVE_MIGRATION_DOWNTIME_MIN, _STEPS_MIN, _DELAY_MIN): a lower value is
 * raised to them, not refused. */
#define DRV_MIGRATE_DOWNTIME_MIN 100
#define DRV_MIGRATE_DOWNTIME_STEPS_MIN 3
#define DRV_MIGRATE_DOWNTIME_DELAY_MIN 10

/*
 * GB to transfer (_live_migration_data_gb): the flavor's RAM, memory_mb
 * MiB in GiB but at least 2, plus each migrated disk's size in GiB, each
 * at least 2. disk_bytes[i] < 0 is a disk whose size could not be read:
 * left out, as the reference ignores a failed stat. 3000 MB of RAM is
 * 2.9296875, not 2. Always >= 2.
 */
double drv_migrate_data_gb(uint64_t memory_mb, const int64_t *disk_bytes,
                           size_t n_disks);

/* The max-downtime schedule (_migration_downtime_steps): steps + 1
 * steps; step i starts after delay x i s and sets
 * int(offset + base^i) ms. */
typedef struct drv_downtime_plan {
    int downtime;  /* D, ms, raised to the minimum */
    int steps;     /* S, raised to the minimum */
    int64_t delay; /* int(delay option x data GB), s */
    double offset; /* D / (S + 1) */
    double base;   /* (D - offset)^(1/S) */
} drv_downtime_plan;

/* One step: from after_s seconds elapsed (strictly after), ms. */
typedef struct drv_downtime_step {
    int64_t after_s;
    int64_t ms;
} drv_downtime_step;

/*
 * The schedule for the options live_migration_downtime (ms),
 * live_migration_downtime_steps and live_migration_downtime_delay (s per
 * GB), each raised to its minimum, and data_gb (drv_migrate_data_gb).
 * -1 with DRV_ERR_INVALID_CONFIG when data_gb is negative or not finite
 * or the last step's start does not fit an int64_t (Python's integers
 * are unbounded; hvd refuses rather than wraps).
 */
int drv_migrate_downtime_plan(int downtime, int steps, int delay,
                              double data_gb, drv_downtime_plan *plan,
                              drv_error *err);
/* Step i (0 <= i <= plan->steps) of the schedule. */
drv_downtime_step drv_migrate_downtime_step(const drv_downtime_plan *plan,
                                            int i);
/* The first min(n, steps + 1) steps into out (caller's array); returns
 * steps + 1, the schedule's length. */
size_t drv_migrate_downtime_fill(const drv_downtime_plan *plan,
                                 drv_downtime_step *out, size_t n);
/*
 * update_downtime's decision at elapsed_ns into the migration, cur_ms the
 * downtime set last (-1 if none yet): the index of the step to set now,
 * its values in *step (may be NULL), or -1 when nothing is to be set —
 * no step started yet (a step is due once elapsed is strictly past its
 * start: nothing at elapsed 0) or the due step's value is cur_ms already.
 * The caller sets step->ms and, as the reference, keeps it as cur_ms
 * even if setting it failed.
 */
int drv_migrate_downtime_due(const drv_downtime_plan *plan,
                             int64_t elapsed_ns, int64_t cur_ms,
                             drv_downtime_step *step);

/* The completion timeout in s: int(live_migration_completion_timeout x
 * data_gb), truncated as the reference; saturated past int64_t. */
int64_t drv_migrate_completion_timeout(int completion_timeout,
                                       double data_gb);

/* The monitor's progress low-water mark. */
typedef struct drv_migrate_progress {
    bool have_mark;       /* false: none yet (the reference's None) */
    uint64_t watermark;   /* lowest data_remaining seen */
    int64_t progress_ns;  /* when the mark last went down */
} drv_migrate_progress;

/* No mark, last progress at start_ns (the migration's start). */
void drv_migrate_progress_start(drv_migrate_progress *p, int64_t start_ns);
/* A poll saw data_remaining at now_ns: the mark goes down (and progress
 * is now) when there is no mark, the mark is 0, or data_remaining is
 * below it; an equal value is not progress. */
void drv_migrate_progress_update(drv_migrate_progress *p,
                                 uint64_t data_remaining, int64_t now_ns);
/*
 * should_abort: never in post-copy; else true when progress_timeout (s,
 * 0 disables) is strictly exceeded since progress_ns, or elapsed_ns
 * strictly exceeds completion_timeout (s, drv_migrate_completion_timeout;
 * 0 disables). No abort at exactly 150 s.
 */
bool drv_migrate_should_abort(int64_t now_ns, int64_t progress_ns,
                              int progress_timeout, int64_t elapsed_ns,
                              int64_t completion_timeout, bool post_copy);

/* round((a - b) x 100 / whole) as Python 3 evaluates it (exact
 * difference, true division rounded once, half to even), as a double
 * holding an integer; 0 when whole is 0 (callers check first, as the
 * reference does). */
double drv_migrate_percent(uint64_t a, uint64_t b, uint64_t whole);
/* The monitor's "memory remaining" percentage: 100 when memory_total is
 * 0, else round(memory_remaining x 100 / memory_total). */
double drv_migrate_remaining_percent(uint64_t memory_remaining,
                                     uint64_t memory_total);
/*
 * should_switch_to_postcopy: false in post-copy, with no previous value
 * (!have_previous: the reference's -1) or a previous value of 0; else
 * true after the first memory iteration (memory_iteration > 1) when
 * data_remaining went down by less than 10 % of previous_remaining, the
 * percentage rounded half to even (9.5 % rounds to 10: no switch).
 */
bool drv_migrate_should_postcopy(uint64_t memory_iteration,
                                 uint64_t data_remaining, bool have_previous,
                                 uint64_t previous_remaining, bool post_copy);

/*
 * All of the above for one live migration, as _live_migration_monitor
 * puts it together on each poll that finds the job running (UNBOUNDED).
 * The caller owns the hv calls and the migration's status.
 */
typedef struct drv_migrate_monitor {
    drv_downtime_plan plan;
    int64_t start_ns;           /* the monitor's start (hv clock) */
    int progress_timeout;       /* s, 0: none */
    int64_t completion_timeout; /* s, drv_migrate_completion_timeout */
    bool post_copy_enabled;     /* the migration flags allow post-copy */
    drv_migrate_progress progress;
    bool have_previous;         /* a poll has seen data_remaining */
    uint64_t previous_remaining;
    int64_t downtime_ms;        /* the downtime set last, -1: none */
} drv_migrate_monitor;

/* What one poll asks the caller to do, in this order. */
typedef struct drv_migrate_poll {
    bool abort;          /* abort the job (the reference raises if that
                          * fails, and goes on with the poll if not) */
    bool postcopy;       /* switch to post-copy; on success the status is
                          * post-copy from the next poll; a failure is
                          * logged only */
    int64_t downtime_ms; /* set the max downtime to this, -1: nothing; a
                          * failure is logged only */
} drv_migrate_poll;

/*
 * Start the arithmetic of a migration at start_ns from cfg's
 * live_migration_downtime, _steps, _delay, _completion_timeout and
 * _progress_timeout and data_gb (drv_migrate_data_gb); post_copy_enabled
 * as the reference's _is_post_copy_enabled. -1 with err as
 * drv_migrate_downtime_plan; *m untouched then.
 */
int drv_migrate_monitor_start(drv_migrate_monitor *m, const drv_config *cfg,
                              double data_gb, bool post_copy_enabled,
                              int64_t start_ns, drv_error *err);
/*
 * One poll at now_ns that found the job running with data_remaining and
 * memory_iteration, post_copy the migration's status (running in
 * post-copy) after the operator's tasks ran: updates the low-water mark,
 * the previous value and the downtime in force, and says in *out what
 * to do.
 */
void drv_migrate_monitor_poll(drv_migrate_monitor *m, uint64_t data_remaining,
                              uint64_t memory_iteration, bool post_copy,
                              int64_t now_ns, drv_migrate_poll *out);

/*
 * The destination host name check before it goes into any URI
 * (is_valid_hostname): one or more of ASCII letters, digits, '_', '-',
 * '.', ':'. 0, or -1 with DRV_ERR_INVALID_HOSTNAME naming it (NULL and ""
 * too). Stricter than the reference's regular expression, which lets a
 * trailing "\n" and non-ASCII word characters through
 * (docs/reference-differences.md, Migration).
 */
int drv_migrate_check_hostname(const char *dest, drv_error *err);

/* ---- drv-migrate.c, shared with drv-migrate-steps.c ---- */

/* Replace *dst (g_free'd) by a copy of v (NULL stays NULL). */
void drv_migrate_set_str(char **dst, const char *v);
/* A path in instances_path as the instance folder and file hv's instance
 * files take (*dir, *file: g_free), or false for any other path. */
bool drv_migrate_split_test_path(drv *d, const char *path, char **dir,
                                 char **file);

/* ---- drv-migrate-steps.c, shared with drv-migrate-live.c ---- */

/* An attribute of n (NULL is fine) as a g_malloc'ed string, or NULL. */
char *drv_migrate_xml_prop(drv_xml_node n, const char *name);
/* n's first child element called name, or NULL (n NULL is fine). */
drv_xml_node drv_migrate_xml_child(drv_xml_node n, const char *name);
/* Is target (a device name, "vdb") the mount device of one of the
 * instance's attached volumes (mount_device's last component)? */
bool drv_migrate_is_volume_target(const drv_instance *inst,
                                  const char *target);

/* ---- drv-migrate-live.c ---- */

/* The reference's MIN_LIBVIRT_POSTCOPY_VERSION / MIN_QEMU_POSTCOPY_VERSION
 * and MIN_LIBVIRT_AUTO_CONVERGE_VERSION / MIN_QEMU_AUTO_CONVERGE, as hv's
 * version numbers. */
#define DRV_MIN_LIBVIRT_POSTCOPY 1003003UL
#define DRV_MIN_QEMU_POSTCOPY 2005000UL
#define DRV_MIN_LIBVIRT_AUTO_CONVERGE 1002003UL
#define DRV_MIN_QEMU_AUTO_CONVERGE 1006000UL

/* Free the table of active migrations (drv_free). */
void drv_live_migrations_free(drv *d);
/*
 * The migration flags of a live (block_migration false) or block
 * migration, as the reference's _parse_migration_flags makes them from
 * the options and hv's versions (lib_version, hv_version):
 * LIVE | PEER2PEER | UNDEFINE_SOURCE, NON_SHARED_INC for a block
 * migration, TUNNELLED if live_migration_tunnelled, POSTCOPY if permitted
 * and available (libvirt >= 1.3.3, QEMU >= 2.5), AUTO_CONVERGE if
 * permitted, available (libvirt >= 1.2.3, QEMU >= 1.6) and post-copy not
 * in use. *post_copy_enabled (may be NULL): the reference's
 * _is_post_copy_enabled of these flags.
 */
unsigned int drv_live_migration_flags(const drv_config *cfg,
                                      bool block_migration,
                                      unsigned long lib_version,
                                      unsigned long hv_version,
                                      bool *post_copy_enabled);
/*
 * The destination's libvirt URI (_live_migration_uri): live_migration_uri
 * (or virt_type's default) with its one "%s" replaced by dest, as
 * Python's "uri % dest" ("%%" is a '%'); g_free. NULL with
 * LiveMigrationURINotAvailable (no URI for virt_type) or
 * InvalidConfiguration (no "%s", two of them, or another conversion:
 * Python's TypeError / ValueError), naming the option and the offset.
 */
char *drv_live_migration_uri(const drv_config *cfg, const char *dest,
                             drv_error *err);
/*
 * _live_migration_copy_disk_paths over a domain's XML: every <disk> that
 * is neither <readonly/> nor <shareable/>, of type file or block, and
 * not one of inst's attached volumes (by the last component of its
 * mount_device) when skip_volumes (not tunnelled, libvirt >= 1.2.17).
 * Source paths into *paths, target devices into *devs, in document order
 * (g_strfreev both; "" where the XML has none, as the reference appends
 * None). -1 with HypervisorError if xml does not parse.
 */
int drv_live_migration_copy_disks(const drv_instance *inst, const char *xml,
                                  bool skip_volumes, char ***paths,
                                  char ***devs, drv_error *err);
/* The checks of the live-migration options the configuration loader
 * makes (live_migration_uri formats); InvalidConfiguration. */
int drv_live_migration_check_options(const drv_config *cfg, drv_error *err);

/* ---- drv-agent.c ---- */

/* The reference's _set_quiesced: its checks (on image_meta, NULL: the
 * instance's image), then freeze (quiesced) or thaw the guest's
 * filesystems; the errors of drv_quiesce. */
int drv_set_quiesced(drv *d, const drv_instance *inst,
                     const drv_image *image_meta, bool quiesced,
                     drv_error *err);

#endif /* HVD_DRV_PRIV_H */
