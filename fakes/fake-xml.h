/*
 * fake-xml.h: the domain XML the fake understands, parsed with libxml2.
 *
 * The fake keeps each domain's XML as a normalised string (uuid filled in)
 * and parses it again when it needs more than the summary below; that keeps
 * an idle domain small. Errors use the codes and messages real libvirt
 * gives for the same mistakes.
 */
#ifndef HVD_FAKE_XML_H
#define HVD_FAKE_XML_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "hv.h"

typedef struct fake_domdef {
    char *name;
    char uuid[HV_UUID_STRLEN]; /* "" when the XML had none */
    uint64_t mem_kib;
    unsigned int vcpus;
    bool noacpi;        /* kernel command line holds "hvd.noacpi" */
    GPtrArray *sources; /* char*: file-backed disk sources */
    char *xml;          /* normalised XML */
} fake_domdef;

void fake_domdef_clear(fake_domdef *def);

/*
 * Parse domain XML. 'uuid_if_missing' fills an absent <uuid>. Errors:
 * XML_DETAIL (not well-formed), XML_ERROR (wrong root, bad values),
 * NO_NAME, INTERNAL_ERROR (malformed uuid).
 */
int fake_xml_parse_domain(const char *xml, const char *uuid_if_missing,
                          fake_domdef *def, hv_error *err);

/* The live XML: id attribute set, device aliases assigned, interfaces
 * without a target given vnet<N> from *next_tap (advanced). g_free it. */
char *fake_xml_live(const char *xml, int id, unsigned int *next_tap,
                    hv_error *err);

/*
 * The live XML of a started domain whose <cpu> is mode='host-model', as
 * libvirt's QEMU driver shows it (measured on libvirt 9.0 under TCG,
 * docs/conformance.md): mode='custom' match='exact' check='full', the
 * host's CPU model (fallback='forbid') and vendor first, the definition's
 * own children (topology...) kept, then each of the host's CPU features
 * not named already as policy='require'. Any other XML is returned as it
 * is (a copy). features is NULL-terminated, may be NULL. g_free the result;
 * NULL with err set if live_xml does not parse.
 */
char *fake_xml_expand_host_model(const char *live_xml, const char *model,
                                 const char *vendor,
                                 const char *const *features, hv_error *err);

/*
 * Give the autoport VNC/SPICE graphics of a live XML the ports libvirt's
 * QEMU driver would: the lowest from 5900 not in 'used' (ports, as
 * GINT_TO_POINTER, of the host's other running domains), each added to
 * 'used'. Returns the new XML (g_free) or NULL with XML_DETAIL.
 */
char *fake_xml_assign_graphics_ports(const char *xml, GHashTable *used,
                                     hv_error *err);
/*
 * What QEMU under libvirt accepts for the guest CPU at start: on a
 * type='qemu' (TCG) domain, mode host-passthrough fails with
 * CONFIG_UNSUPPORTED as libvirt's qemuProcessUpdateGuestCPU refuses it
 * (only KVM can pass the host CPU through); host-model, custom and no
 * mode are accepted on both types. 0 or -1 with err.
 */
int fake_xml_check_cpu(const char *xml, hv_error *err);

/* Mark the graphics ports a live XML holds in 'used'. */
void fake_xml_graphics_ports(const char *xml, GHashTable *used);

/* What a device element names: kind ("disk", "interface", ...), key
 * (disk target dev, interface MAC, else ""), alias (or ""), source file. */
typedef struct fake_devref {
    char kind[32];
    char key[64];
    char alias[64];
    char source[512];
} fake_devref;
int fake_xml_parse_device(const char *dev_xml, fake_devref *ref,
                          hv_error *err);

/* Does 'xml' hold a device matching ref (same kind and key)? Fills the
 * found device's alias into 'alias' if non-NULL. */
bool fake_xml_has_device(const char *xml, const fake_devref *ref,
                         char *alias, size_t alias_len);
/* How many devices of 'xml' match ref (0 if it cannot be read). */
unsigned int fake_xml_count_devices(const char *xml, const fake_devref *ref);
/* Add dev_xml under <devices>; returns the new XML (g_free) or NULL. */
char *fake_xml_add_device(const char *xml, const char *dev_xml,
                          hv_error *err);
/* Remove the device matching ref; returns the new XML or NULL. */
char *fake_xml_remove_device(const char *xml, const fake_devref *ref,
                             hv_error *err);
/* Replace the device matching ref with dev_xml. */
char *fake_xml_replace_device(const char *xml, const fake_devref *ref,
                              const char *dev_xml, hv_error *err);

/* The disk named by dev (its target, or its source path as libvirt also
 * takes): its target into target; false if xml has no such disk. */
bool fake_xml_disk_target(const char *xml, const char *dev, char *target,
                          size_t target_len);
/* The source (file or dev) of the disk named by dev (target or source
 * path), into source; false if xml has no such disk. */
bool fake_xml_disk_source(const char *xml, const char *dev, char *source,
                          size_t source_len);
/* xml with the source of disk dev set to path (as a file, or a dev for a
 * block disk); NULL with err (DEVICE_MISSING if there is no such disk). */
char *fake_xml_set_disk_source(const char *xml, const char *dev,
                               const char *path, hv_error *err);
/* File sources of every disk in 'xml' (g_ptr_array_unref it). */
GPtrArray *fake_xml_disk_sources(const char *xml);

#endif /* HVD_FAKE_XML_H */
