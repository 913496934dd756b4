/*
 * drv-agent.c: what the driver asks of the QEMU guest agent — freezing and
 * thawing the guest's filesystems (the reference's quiesce, unquiesce,
 * _set_quiesced, which a live snapshot uses too) and setting the admin
 * password (set_admin_password) — with the reference's checks first
 * (_can_quiesce, _can_set_admin_password) and its wrapping of libvirt's
 * refusal in a NovaException naming the error code.
 */
#include "drv-priv.h"

#include <glib.h>
#include <string.h>

/* The reference's MIN_LIBVIRT_FSFREEZE_VERSION and
 * MIN_LIBVIRT_SET_ADMIN_PASSWD, as major * 1e6 + minor * 1e3 + micro. */
#define MIN_LIBVIRT_FSFREEZE 1002005UL
#define MIN_LIBVIRT_SET_ADMIN_PASSWD 1002016UL

/*
 * The reference's has_min_version for a libvirt version: 1 if the
 * connection's libvirt is at least min, 0 if older, -1 with the hv error
 * (the reference's version read raises).
 */
static int
libvirt_at_least(drv *d, unsigned long min, drv_error *err)
{
    unsigned long lib = 0, hvv = 0;
    hv_error hv;

    if (hv_conn_get_version(d->conn, &lib, &hvv, &hv) < 0) {
        drv_set_conn_error(d, err, &hv, "libvirt version", NULL);
        return -1;
    }
    return lib >= min ? 1 : 0;
}

/* An image property that is set and non-empty, or NULL. */
static const char *
image_prop(const drv_image *image, const char *key)
{
    const char *v = drv_kv_get(image->properties, image->n_properties, key);

    return v && *v ? v : NULL;
}

/* _can_quiesce / _can_set_admin_password: the virt type, libvirt's
 * version (kind: the refusal's kind), then the image's agent property. */
static int
agent_allowed(drv *d, const drv_instance *inst, const drv_image *image,
              unsigned long min, drv_error_kind kind, drv_error *err)
{
    int ok;

    if (!drv_xml_kvm_or_qemu(&d->cfg)) {
        ok = 0;
    } else if ((ok = libvirt_at_least(d, min, err)) < 0) {
        return -1;
    }
    if (!ok) {
        if (kind == DRV_ERR_QUIESCE_NOT_SUPPORTED)
            drv_error_set(err, kind, "Quiescing is not supported in "
                                     "instance %s.", inst->uuid);
        else
            drv_error_set(err, kind, "Set admin password is not supported");
        return -1;
    }
    if (!drv_xml_bool(image_prop(image, "hw_qemu_guest_agent"))) {
        drv_error_set(err, DRV_ERR_GUEST_AGENT_NOT_ENABLED,
                      "QEMU guest agent is not enabled");
        return -1;
    }
    return 0;
}

int
drv_set_quiesced(drv *d, const drv_instance *inst, const drv_image *image_meta,
                 bool quiesced, drv_error *err)
{
    hv_domain *dom;
    hv_error hv;
    int rc;

    if (agent_allowed(d, inst, image_meta ? image_meta : &inst->image,
                      MIN_LIBVIRT_FSFREEZE,
                      DRV_ERR_QUIESCE_NOT_SUPPORTED, err) < 0)
        return -1;
    /* the lookup's InstanceNotFound is not a libvirt error: it escapes
     * as it is */
    if (!(dom = drv_get_guest(d, inst, err)))
        return -1;
    rc = quiesced ? hv_domain_fs_freeze(dom, &hv) : hv_domain_fs_thaw(dom, &hv);
    hv_domain_free(dom);
    if (rc < 0) {
        drv_error_set(err, DRV_ERR_NOVA,
                      "Error from libvirt while quiescing %s: [Error Code "
                      "%d] %s", inst->name, hv.code, hv.message);
        err->hv = hv;
        return -1;
    }
    return 0;
}

int
drv_quiesce(drv *d, const drv_instance *inst, const drv_image *image_meta,
            drv_error *err)
{
    drv_error_reset(err);
    return drv_set_quiesced(d, inst, image_meta, true, err);
}

int
drv_unquiesce(drv *d, const drv_instance *inst, const drv_image *image_meta,
              drv_error *err)
{
    drv_error_reset(err);
    return drv_set_quiesced(d, inst, image_meta, false, err);
}

int
drv_set_admin_password(drv *d, const drv_instance *inst, const char *new_pass,
                       drv_error *err)
{
    const char *user, *os_type;
    hv_domain *dom;
    hv_error hv;
    int rc;

    drv_error_reset(err);
    if (!new_pass) {
        drv_error_set(err, DRV_ERR_INVALID_INSTANCE,
                      "set_admin_password needs a password");
        return -1;
    }
    if (agent_allowed(d, inst, &inst->image, MIN_LIBVIRT_SET_ADMIN_PASSWD,
                      DRV_ERR_SET_ADMIN_PASSWD_NOT_SUPPORTED, err) < 0)
        return -1;
    if (!(dom = drv_get_guest(d, inst, err)))
        return -1;
    user = drv_xml_image_prop(inst, "os_admin_user");
    os_type = drv_xml_image_prop(inst, "os_type");
    if (!user)
        user = os_type && strcmp(os_type, "windows") == 0 ? "Administrator"
                                                          : "root";
    rc = hv_domain_set_user_password(dom, user, new_pass, 0, &hv);
    hv_domain_free(dom);
    if (rc < 0) {
        drv_error_set(err, DRV_ERR_NOVA,
                      "Error from libvirt while set password for username "
                      "\"%s\": [Error Code %d] %s", user, hv.code,
                      hv.message);
        err->hv = hv;
        return -1;
    }
    return 0;
}
