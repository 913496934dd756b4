/*
 * hv-libvirt-snapshot.c: the libvirt backend's slots for snapshots and the
 * guest agent: a volume made from another of its pool
 * (virStorageVolCreateXMLFrom, which has libvirt run qemu-img convert),
 * the agent's filesystem freeze and thaw and user password. The block
 * jobs of a live snapshot are hv-libvirt-block.c's.
 */
#include "hv-libvirt-priv.h"

#include <string.h>

int
lv_vol_create_from(hv_conn *conn, const char *pool, const hv_vol_spec *spec,
                   const char *src, hv_error *err)
{
    virConnectPtr vc = lv_vc(conn, err);
    virStoragePoolPtr p = NULL;
    virStorageVolPtr from = NULL, v = NULL;
    char *xml = NULL;
    hv_vol_spec target = {.name = spec->name, .format = spec->format};
    int ret = -1;

    if (!vc)
        return -1;
    if (!(p = virStoragePoolLookupByName(vc, pool)) ||
        !(from = virStorageVolLookupByName(p, src))) {
        lv_error(err);
        goto cleanup;
    }
    /* capacity 0: libvirt raises it to the source's; no backing store:
     * qemu-img convert writes the whole chain into one image */
    xml = lv_vol_xml(&target);
    if (!(v = virStorageVolCreateXMLFrom(p, xml, from, 0))) {
        lv_error(err);
        goto cleanup;
    }
    ret = 0;

 cleanup:
    if (v)
        virStorageVolFree(v);
    if (from)
        virStorageVolFree(from);
    if (p)
        virStoragePoolFree(p);
    g_free(xml);
    return ret;
}

int
lv_domain_fs_freeze(hv_domain *dom, int *count, hv_error *err)
{
    int rc = virDomainFSFreeze(LV_DOM(dom), NULL, 0, 0);

    if (rc < 0) {
        lv_error(err);
        return -1;
    }
    *count = rc;
    return 0;
}

int
lv_domain_fs_thaw(hv_domain *dom, int *count, hv_error *err)
{
    int rc = virDomainFSThaw(LV_DOM(dom), NULL, 0, 0);

    if (rc < 0) {
        lv_error(err);
        return -1;
    }
    *count = rc;
    return 0;
}

int
lv_domain_set_user_password(hv_domain *dom, const char *user,
                            const char *password, unsigned int flags,
                            hv_error *err)
{
    if (flags) {
        hv_error_set(err, HV_ERR_INVALID_ARG,
                     "invalid argument: unsupported flags (0x%x)", flags);
        return -1;
    }
    return lv_check(virDomainSetUserPassword(LV_DOM(dom), user, password, 0),
                    err);
}
