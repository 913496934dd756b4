/*
 * drv-priv.h: what the driver's own files share, and what its tests reach.
 * Not installed; callers use drv.h.
 */
#ifndef HVD_DRV_PRIV_H
#define HVD_DRV_PRIV_H

#include "drv.h"

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

/*
 * The domain XML for an instance (libxml2, never string pasting): type from
 * cfg->virt_type, name, uuid, memory, vCPUs, OS (direct kernel boot when the
 * image has kernel_path), ACPI, clock, on_* actions, the planned disks with
 * cfg's cache modes, one interface per VIF, a file-backed serial console
 * under cfg->instances_path/<uuid>/console.log, no USB, no balloon.
 * rescue: boot the rescue kernel/initrd given in the image properties
 * rescue_kernel_path/rescue_initrd_path if present, disks as given.
 * Returns g_malloc'ed XML, or NULL with DRV_ERR_INVALID_INSTANCE (bad
 * instance data, naming the field) or DRV_ERR_INVALID_CONFIG (bad
 * virt_type, instances_path or cache mode).
 */
char *drv_domain_xml(const drv_config *cfg, const drv_instance *inst,
                     const drv_disk *disks, unsigned int n_disks,
                     bool rescue, drv_error *err);

/* Namespace of the instance metadata in domain XML. */
#define DRV_XML_METADATA_NS "https://hvd.example/instance/1"

/* Path of the instance's serial console log (g_free); NULL when
 * instances_path or the uuid is missing. */
char *drv_console_log_path(const drv_config *cfg, const drv_instance *inst);

#endif /* HVD_DRV_PRIV_H */
