/*
 * drv-iface.c: an instance's interfaces as the contract's public calls —
 * attach_interface and detach_interface (hot-plug, and the persistent
 * definition), plug_vifs and unplug_vifs, inject_network_info and the
 * contract's network preparation hooks — the way Newton's libvirt driver
 * makes them.
 *
 * The network is the VIF plug hook (drv-vif.c): plugging a VIF calls it,
 * unplugging forgets what the network answered. The reference's firewall
 * calls (setup_basic_filtering...) are those of the no-op firewall a
 * Neutron deployment runs: nothing.
 */
#include "drv-priv.h"

#include <glib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

void
drv_vif_copy(drv_vif *dst, const drv_vif *src)
{
    dst->id = g_strdup(src->id);
    dst->mac = g_strdup(src->mac);
    dst->type = g_strdup(src->type);
    dst->network = g_strdup(src->network);
    dst->bridge = g_strdup(src->bridge);
    dst->devname = g_strdup(src->devname);
    dst->active = src->active;
}

void
drv_vif_clear(drv_vif *v)
{
    if (!v)
        return;
    g_free(v->id);
    g_free(v->mac);
    g_free(v->type);
    g_free(v->network);
    g_free(v->bridge);
    g_free(v->devname);
    memset(v, 0, sizeof(*v));
}

static bool
has_text(const char *s)
{
    return s && *s;
}

/* The instance must name itself: every call keys on its uuid. */
static int
check_instance(const drv_instance *inst, const char *what, drv_error *err)
{
    if (!inst || !has_text(inst->uuid)) {
        drv_error_set(err, DRV_ERR_INVALID_INSTANCE,
                      "%s: the instance has no uuid", what);
        return -1;
    }
    return 0;
}

/*
 * What the reference's vif driver checks before it plugs: a type it knows
 * (VirtualInterfacePlugException otherwise), and what that type needs to
 * be plugged and described. A VIF without id or address is a bad
 * description (the reference's VIF model cannot hold one).
 */
static int
check_vif(const drv_instance *inst, const drv_vif *v, const char *what,
          drv_error *err)
{
    const char *need = NULL, *have = NULL;

    if (!v || !has_text(v->id) || !has_text(v->mac)) {
        drv_error_set(err, DRV_ERR_INVALID_INSTANCE,
                      "%s: a VIF of instance %s has no id or no address",
                      what, inst->uuid);
        return -1;
    }
    if (!has_text(v->type)) {
        drv_error_set(err, DRV_ERR_VIF_PLUG,
                      "%s: vif_type parameter must be present for VIF %s "
                      "of instance %s", what, v->id, inst->uuid);
        return -1;
    }
    if (strcmp(v->type, "bridge") == 0) {
        need = "bridge";
        have = v->bridge;
    } else if (strcmp(v->type, "ethernet") == 0) {
        need = "devname";
        have = v->devname;
    } else if (strcmp(v->type, "network") == 0) {
        need = "network";
        have = v->network;
    } else {
        drv_error_set(err, DRV_ERR_VIF_PLUG,
                      "%s: Plug vif failed because of unexpected "
                      "vif_type=%s (VIF %s of instance %s)", what, v->type,
                      v->id, inst->uuid);
        return -1;
    }
    if (!has_text(have)) {
        drv_error_set(err, DRV_ERR_INVALID_INSTANCE,
                      "%s: VIF %s of instance %s is of type %s and has no %s",
                      what, v->id, inst->uuid, v->type, need);
        return -1;
    }
    return 0;
}

int
drv_plug_vifs(drv *d, const drv_instance *inst, drv_error *err)
{
    drv_error_reset(err);
    if (check_instance(inst, "plug_vifs", err) < 0)
        return -1;
    /* the reference stops at the first VIF its driver refuses, with the
     * ones before it plugged; checking them all first plugs none */
    for (unsigned int i = 0; i < inst->n_vifs; i++)
        if (check_vif(inst, &inst->vifs[i], "plug_vifs", err) < 0)
            return -1;
    drv_vifs_plug(d, inst);
    return 0;
}

int
drv_unplug_vifs(drv *d, const drv_instance *inst, drv_error *err)
{
    drv_error_reset(err);
    if (check_instance(inst, "unplug_vifs", err) < 0)
        return -1;
    for (unsigned int i = 0; i < inst->n_vifs; i++)
        if (!inst->vifs[i].id) {
            drv_error_set(err, DRV_ERR_INVALID_INSTANCE,
                          "unplug_vifs: VIF [%u] of instance %s has no id",
                          i, inst->uuid);
            return -1;
        }
    drv_vifs_unplug(d, inst);
    return 0;
}

/* Guest.get_power_state then the reference's live = RUNNING or PAUSED:
 * the device flags of an attach or detach. -1 with the hv error in *hv. */
static int
device_flags(hv_domain *dom, unsigned int *flags, hv_error *hv)
{
    hv_domain_info info;
    int state;

    if (hv_domain_get_info(dom, &info, hv) < 0)
        return -1;
    state = drv_power_state_from_hv(info.state);
    /* persistent=True always; live only for a guest that runs */
    *flags = HV_DEVICE_CONFIG;
    if (state == DRV_POWER_RUNNING || state == DRV_POWER_PAUSED)
        *flags |= HV_DEVICE_LIVE;
    return 0;
}

int
drv_attach_interface(drv *d, const drv_instance *inst, const drv_vif *vif,
                     drv_error *err)
{
    hv_domain *dom = NULL;
    char *xml = NULL;
    unsigned int flags;
    hv_error hv;
    int ret = -1;

    drv_error_reset(err);
    if (check_instance(inst, "attach_interface", err) < 0 ||
        check_vif(inst, vif, "attach_interface", err) < 0)
        return -1;
    /* get_guest comes first: no domain, nothing plugged */
    if (!(dom = drv_get_guest(d, inst, err)))
        return -1;
    /* the plug is outside the reference's try: the network's answer is
     * not waited for, here or anywhere in the reference's attach */
    drv_vif_plug(d, inst->uuid, vif);
    xml = drv_xml_interface(inst, vif);
    if (device_flags(dom, &flags, &hv) < 0 ||
        hv_domain_attach_device(dom, xml, flags, &hv) < 0) {
        drv_vif_unplug(d, inst->uuid, vif);
        drv_error_set(err, DRV_ERR_INTERFACE_ATTACH_FAILED,
                      "Failed to attach network adapter device to %s: "
                      "VIF %s: %s (%s)", inst->uuid, vif->id, hv.message,
                      hv_error_code_name(hv.code));
        err->hv = hv;
        goto cleanup;
    }
    ret = 0;

cleanup:
    g_free(xml);
    hv_domain_free(dom);
    return ret;
}

/*
 * Guest.get_interface_by_mac: does the domain's XML (its live one when it
 * runs, as the reference reads it) hold an <interface> with this MAC
 * address? libvirt writes MAC addresses in lower case; the comparison
 * ignores case so that a VIF given in upper case still finds its device.
 * 1 yes, 0 no, -1 with *hv set if the XML could not be read.
 */
static int
domain_has_mac(hv_domain *dom, const char *mac, hv_error *hv)
{
    char *xml = hv_domain_get_xml(dom, 0, hv);
    xmlDocPtr doc;
    xmlNodePtr root, n;
    int found = 0;

    if (!xml)
        return -1;
    doc = xmlReadMemory(xml, (int)strlen(xml), "domain.xml", NULL,
                        XML_PARSE_NONET | XML_PARSE_NOERROR |
                            XML_PARSE_NOWARNING);
    g_free(xml);
    /* an XML the reference cannot parse has no interfaces to find */
    root = doc ? xmlDocGetRootElement(doc) : NULL;
    for (n = root ? root->children : NULL; n; n = n->next)
        if (n->type == XML_ELEMENT_NODE &&
            xmlStrcmp(n->name, BAD_CAST "devices") == 0)
            break;
    for (n = n ? n->children : NULL; n && !found; n = n->next) {
        if (n->type != XML_ELEMENT_NODE ||
            xmlStrcmp(n->name, BAD_CAST "interface") != 0)
            continue;
        for (xmlNodePtr m = n->children; m && !found; m = m->next) {
            xmlChar *addr;

            if (m->type != XML_ELEMENT_NODE ||
                xmlStrcmp(m->name, BAD_CAST "mac") != 0)
                continue;
            addr = xmlGetProp(m, BAD_CAST "address");
            found = addr &&
                    g_ascii_strcasecmp((const char *)addr, mac) == 0;
            xmlFree(addr);
        }
    }
    xmlFreeDoc(doc);
    return found;
}

int
drv_detach_interface(drv *d, const drv_instance *inst, const drv_vif *vif,
                     drv_error *err)
{
    hv_domain *dom = NULL;
    char *xml = NULL;
    unsigned int flags;
    hv_error hv, look;
    int ret = -1, has;

    drv_error_reset(err);
    if (check_instance(inst, "detach_interface", err) < 0 ||
        check_vif(inst, vif, "detach_interface", err) < 0)
        return -1;
    if (!(dom = drv_get_guest(d, inst, err)))
        return -1;
    xml = drv_xml_interface(inst, vif);
    /* inside the reference's try: unplug, the state, the detach */
    drv_vif_unplug(d, inst->uuid, vif);
    if (device_flags(dom, &flags, &hv) == 0 &&
        hv_domain_detach_device(dom, xml, flags, &hv) == 0) {
        ret = 0;
        goto cleanup;
    }
    /* the instance went away meanwhile: nothing left to detach from */
    if (hv.code == HV_ERR_NO_DOMAIN) {
        ret = 0;
        goto cleanup;
    }
    /*
     * libvirt has no error code of its own for "no matching network
     * device": the reference looks the interface up by MAC address, and
     * a device that is not there (Neutron deleted the port first, or it
     * never was) is no failure. An error reading the XML escapes the
     * reference's handler as it is.
     */
    if ((has = domain_has_mac(dom, vif->mac, &look)) < 0) {
        if (look.code == HV_ERR_NO_DOMAIN)
            drv_set_not_found(err, inst, &look);
        else
            drv_set_hv_error(err, &look, "detach_interface: XML", inst);
        goto cleanup;
    }
    if (has) {
        drv_error_set(err, DRV_ERR_INTERFACE_DETACH_FAILED,
                      "Failed to detach network adapter device from %s: "
                      "VIF %s: %s (%s)", inst->uuid, vif->id, hv.message,
                      hv_error_code_name(hv.code));
        err->hv = hv;
        goto cleanup;
    }
    ret = 0;

cleanup:
    g_free(xml);
    hv_domain_free(dom);
    return ret;
}

int
drv_inject_network_info(drv *d, const drv_instance *inst, drv_error *err)
{
    (void)d;
    drv_error_reset(err);
    return check_instance(inst, "inject_network_info", err);
}

int
drv_prepare_networks_before_block_device_mapping(drv *d,
                                                 const drv_instance *inst,
                                                 drv_error *err)
{
    (void)d;
    drv_error_reset(err);
    return check_instance(inst,
                          "prepare_networks_before_block_device_mapping",
                          err);
}

int
drv_clean_networks_preparation(drv *d, const drv_instance *inst,
                               drv_error *err)
{
    (void)d;
    drv_error_reset(err);
    return check_instance(inst, "clean_networks_preparation", err);
}

const char *
drv_network_binding_host_id(drv *d, const drv_instance *inst)
{
    (void)inst;
    return d->hostname;
}

bool
drv_manages_network_binding_host_id(drv *d)
{
    (void)d;
    return false;
}
